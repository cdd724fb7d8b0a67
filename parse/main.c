/* ifk-parse: decrypt a sealed bag (or a raw backup folder) and extract the
 * app artifacts with provenance for every row, a timeline, and YARA
 * matches. main declares the options and hands over to ifk_parse_run;
 * show.c says what came of it. */
#include <signal.h>
#include <string.h>
#include <stdio.h>

#include <ifk/cli.h>
#include <ifk/parse.h>

#include "show.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const struct ifk_cli_tool tool = {
    .name = "ifk-parse",
    .purpose = "decrypt an evidence bag and extract its app artifacts with provenance",
    .synopsis = (const char *const[]){"[options] BAG|BACKUP --out DIR", "--list", NULL},
    .examples = (const char *const[]){"ifk-parse case-17.bag --out case-17.parsed "
                                      "--password-file pw.txt\n--yara rules/",
                                      "ifk-parse case-17.bag --out sms-only --only "
                                      "sms_messages,contacts\n--examiner \"Jane Doe\"",
                                      "ifk-parse --list", NULL},
    .exit_codes = "Exit: 0 ok, 1 parsed with findings, 2 usage, 3 I/O error, 4 refused (the seal\n"
                  "or custody check failed), 5 wrong password, 130 interrupted.",
    .common = IFK_CLI_PASSWORD | IFK_CLI_TRUST | IFK_CLI_READ_ONLY | IFK_CLI_EXAMINER,
    .max_operands = 1,
};

static int list(struct ifk_cli *c)
{
	json_t *list = ifk_parse_list(), *payload = json_pack("{s:O}", "artifacts", list);
	int code;

	if (!c->json)
		show_artifacts(list);
	code = ifk_cli_emit(c, payload, "ok", IFK_EXIT_OK, NULL);
	json_decref(payload);
	json_decref(list);
	return code;
}

static int exit_code(int rc, enum ifk_parse_outcome outcome, json_t *s)
{
	if (rc)
		return ifk_cli_exit_code(rc);
	if (outcome == IFK_PARSE_REFUSED &&
	    strcmp(ifk_cli_str(s, "refused_because"), "wrong-password") == 0)
		return IFK_EXIT_WRONG_PASSWORD;
	return outcome == IFK_PARSE_REFUSED ? IFK_EXIT_REFUSED
	       : outcome == IFK_PARSE_OK    ? IFK_EXIT_OK
	                                    : IFK_EXIT_NEGATIVE;
}

static int parse(struct ifk_cli *c, struct ifk_parse_opts *o)
{
	enum ifk_parse_outcome outcome = IFK_PARSE_OK;
	struct ifk_error err = {0};
	json_t *s = NULL;
	int rc, code;

	o->target = c->target;
	IFK_CLI_ENGINE_OPTS(o, c);
	ifk_cli_signals(c);
	if (o->no_verify)
		fprintf(stderr,
		        "ifk-parse: WARNING: --no-verify: a bag whose seal or custody check "
		        "fails is parsed anyway; this is recorded in parse.json and the custody "
		        "log\n");
	rc = ifk_parse_run(o, &s, &outcome, &err);
	ifk_cli_meter_end(c, s != NULL);
	ifk_cli_secrets_end(c);
	code = exit_code(rc, outcome, s);
	if (s && !c->json)
		show_parse(c, s, o->out_dir);
	code = ifk_cli_emit(c, s,
	                    s                       ? ifk_cli_str(s, "outcome")
	                    : code == IFK_EXIT_INTR ? "interrupted"
	                                            : "error",
	                    code, rc ? err.msg : NULL);
	json_decref(s);
	return code;
}

int main(int argc, char **argv)
{
	struct ifk_parse_opts o = {0};
	int list_only = 0;
	const struct ifk_cli_opt opts[] = {
	    {"out", 'o', IFK_CLI_STRING, "DIR", "the output folder to make (must not exist)",
	     &o.out_dir},
	    {"yara", 0, IFK_CLI_STRING, "RULES",
	     "scan every file with these YARA rules (or folder)", &o.yara_rules},
	    {"only", 0, IFK_CLI_STRING, "LIST", "only these artifacts (comma-separated: --list)",
	     &o.only},
	    {"export", 0, IFK_CLI_STRING, "DIR", "also write every decrypted file under DIR",
	     &o.export_dir},
	    {"include-secrets", 0, IFK_CLI_FLAG, NULL, "put keychain secret values into the output",
	     &o.include_secrets},
	    {"no-verify", 0, IFK_CLI_FLAG, NULL,
	     "parse even if the seal or custody fails (on record)", &o.no_verify},
	    {"list", 0, IFK_CLI_FLAG, NULL, "list the artifacts and their sources, and exit",
	     &list_only},
	    {NULL, 0, 0, NULL, NULL, NULL}};
	struct ifk_cli c = {
	    .tool = &tool, .opts = opts, .stop = &stop_requested, .on_signal = on_signal};

	if (ifk_cli_start(&c, argc, argv))
		return c.exit;
	if (list_only)
		return list(&c);
	if (c.noperands != 1 || !o.out_dir)
		return ifk_cli_usage_error(&c, "give one bag or backup folder and --out DIR");
	if (ifk_cli_secrets(&c))
		return IFK_EXIT_USAGE;
	return parse(&c, &o);
}
