/* ifk-report: the chain-of-custody report of an evidence bag (and of its
 * ifk-parse output) as a signed, deterministic archive. main declares the
 * options and hands over to ifk_report_run; show.c says what came of it. */
#include <signal.h>
#include <string.h>

#include <ifk/cli.h>
#include <ifk/report.h>

#include "show.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const struct ifk_cli_tool tool = {
    .name = "ifk-report",
    .purpose = "the chain-of-custody report of an evidence bag, as a signed archive",
    .synopsis =
        (const char *const[]){"[options] BAG [PARSEDIR] --out REPORT --key KEY --cert CERT", NULL},
    .examples = (const char *const[]){"ifk-report case-17.bag case-17.parsed --out "
                                      "case-17-report.tar.gz\n--key jane.key --cert jane.pem",
                                      "ifk-verify case-17-report.tar.gz case-17.bag", NULL},
    .exit_codes = "Exit: 0 written (the bag verified), 1 written, but the bag failed\n"
                  "verification, 2 usage, 3 I/O error, 4 refused (PARSEDIR is not bound to the\n"
                  "bag, or changed since), 5 wrong password, 130 interrupted.",
    .common = IFK_CLI_PASSWORD | IFK_CLI_KEY_PASSWORD | IFK_CLI_TRUST | IFK_CLI_READ_ONLY |
              IFK_CLI_EXAMINER,
    .max_operands = 2,
};

static int exit_code(int rc, json_t *s)
{
	if (rc == IFK_EVERIFY)
		return IFK_EXIT_REFUSED;
	if (rc == IFK_EPASSWORD) /* the backup's: a key's passphrase or PIN is IFK_EINVAL */
		return IFK_EXIT_WRONG_PASSWORD;
	if (rc || !s)
		return rc == IFK_EINTR || rc == IFK_EINVAL ? ifk_cli_exit_code(rc) : IFK_EXIT_IO;
	return strcmp(ifk_cli_str(s, "verification"), "PASS") == 0 ? IFK_EXIT_OK
	                                                           : IFK_EXIT_NEGATIVE;
}

static const char *outcome(int code, json_t *s)
{
	if (s)
		return strcmp(ifk_cli_str(s, "verification"), "PASS") == 0 ? "signed"
		                                                           : "signed-bag-failed";
	return code == IFK_EXIT_REFUSED          ? "refused"
	       : code == IFK_EXIT_WRONG_PASSWORD ? "wrong-password"
	       : code == IFK_EXIT_INTR  ? "interrupted"
	                                : "error";
}

static int report(struct ifk_cli *c, struct ifk_report_opts *o)
{
	struct ifk_error err = {0};
	json_t *s = NULL;
	int rc, code;

	o->bag = c->target;
	o->parse_dir = c->noperands > 1 ? c->operands[1] : NULL;
	IFK_CLI_ENGINE_OPTS(o, c);
	o->key_password = c->key.pw;
	ifk_cli_signals(c);
	rc = ifk_report_run(o, &s, &err);
	ifk_cli_meter_end(c, s != NULL);
	ifk_cli_secrets_end(c);
	code = exit_code(rc, s);
	if (s && !c->json)
		show_report(c, s);
	code = ifk_cli_emit(c, s, outcome(code, s), code, rc ? err.msg : NULL);
	json_decref(s);
	return code;
}

int main(int argc, char **argv)
{
	struct ifk_report_opts o = {0};
	const struct ifk_cli_opt opts[] = {
	    {"out", 'o', IFK_CLI_STRING, "REPORT", "the archive to write (REPORT.p7s beside it)",
	     &o.out},
	    {"key", 0, IFK_CLI_STRING, "KEY", "the examiner's private key (PEM)", &o.key},
	    {"cert", 0, IFK_CLI_STRING, "CERT", "the examiner's certificate (PEM)", &o.cert},
	    {"include-media", 0, IFK_CLI_FLAG, NULL,
	     "copy the camera roll's files into the archive", &o.include_media},
	    {NULL, 0, 0, NULL, NULL, NULL}};
	struct ifk_cli c = {
	    .tool = &tool, .opts = opts, .stop = &stop_requested, .on_signal = on_signal};

	if (ifk_cli_start(&c, argc, argv))
		return c.exit;
	if (!c.noperands || !o.out || !o.key || !o.cert)
		return ifk_cli_usage_error(
		    &c, "give the bag (and the parse folder), --out, --key and --cert");
	if (ifk_cli_secrets(&c))
		return IFK_EXIT_USAGE;
	return report(&c, &o);
}
