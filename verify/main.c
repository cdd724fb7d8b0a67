/* ifk-verify: prove that an evidence bag (or a raw backup folder, or a plain
 * BagIt bag) is intact and consistent, check by check; or that a report
 * archive made by ifk-report is signed and whole. main declares the options
 * and hands over to the library; show.c says what it found. */
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <ifk/cli.h>
#include <ifk/verify.h>

#include "show.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const struct ifk_cli_tool tool = {
    .name = "ifk-verify",
    .purpose = "check that an evidence bag, a backup folder or a signed report is intact",
    .synopsis = (const char *const[]){"[options] BAG|BACKUP", "[options] REPORT [BAG]", NULL},
    .examples =
        (const char *const[]){"ifk-verify --trust jane.pem --examiner \"Jane Doe\" case-001.bag",
                              "pass show case-17 | ifk-verify --password-file - case-17.bag",
                              "ifk-verify --trust jane.pem case-001-report.tar.gz case-001.bag",
                              NULL},
    .exit_codes = "Exit: 0 PASS, 1 FAIL, 2 usage, 3 I/O error (also: the custody entry could not\n"
                  "be appended), 130 interrupted.",
    .common = IFK_CLI_PASSWORD | IFK_CLI_TRUST | IFK_CLI_READ_ONLY | IFK_CLI_EXAMINER,
    .max_operands = 2,
};

static int verdict_code(json_t *r)
{
	return strcmp(ifk_cli_str(r, "verdict"), "PASS") == 0 ? IFK_EXIT_OK : IFK_EXIT_NEGATIVE;
}

/* REPORT [BAG]: checked read-only; a report gets no custody entry. */
static int check_report(struct ifk_cli *c)
{
	const char *bag = c->noperands > 1 ? c->operands[1] : NULL;
	struct ifk_error err = {0};
	json_t *r = NULL;
	int code;

	if (ifk_verify_report(c->target, bag, c->trust, &r, &err) != 0)
		return ifk_cli_fail(c, IFK_EXIT_IO,
		                    "%s is a file, so it is checked as a report archive: %s",
		                    c->target, err.msg);
	if (!c->json)
		show_report_check(c, r);
	code = ifk_cli_emit(c, r, ifk_cli_str(r, "verdict"), verdict_code(r), NULL);
	json_decref(r);
	return code;
}

/* BAG|BACKUP: every check, and a custody entry in an ifk bag. */
static int check_bag(struct ifk_cli *c, struct ifk_verify_opts *o)
{
	struct ifk_error err = {0};
	char why[sizeof(err.msg) + 96];
	json_t *r = NULL;
	int rc, code;

	o->target = c->target;
	IFK_CLI_ENGINE_OPTS(o, c);
	ifk_cli_signals(c);
	rc = ifk_verify_run(o, &r, &err);
	ifk_cli_meter_end(c, r != NULL);
	ifk_cli_secrets_end(c);
	if (!r)
		return ifk_cli_fail(c, rc == IFK_EINTR ? IFK_EXIT_INTR : IFK_EXIT_IO, "%s",
		                    err.msg);
	snprintf(why, sizeof(why),
	         "cannot append to the custody log (use --read-only for write-protected media): %s",
	         err.msg);
	if (!c->json)
		show_verification(c, r);
	code = ifk_cli_emit(c, r, ifk_cli_str(r, "verdict"),
	                    rc == IFK_EIO ? IFK_EXIT_IO : verdict_code(r), rc ? why : NULL);
	json_decref(r);
	return code;
}

int main(int argc, char **argv)
{
	struct ifk_verify_opts o = {0};
	const struct ifk_cli_opt opts[] = {
	    {"strict", 0, IFK_CLI_FLAG, NULL, "fail a partial verdict and any warning", &o.strict},
	    {NULL, 0, 0, NULL, NULL, NULL}};
	struct ifk_cli c = {
	    .tool = &tool, .opts = opts, .stop = &stop_requested, .on_signal = on_signal};
	struct stat st;
	int report;

	if (ifk_cli_start(&c, argc, argv))
		return c.exit;
	if (!c.noperands)
		return ifk_cli_usage_error(
		    &c, "give one bag or backup folder, or a report archive and its bag");
	report = stat(c.target, &st) == 0 && S_ISREG(st.st_mode);
	if (c.noperands == 2 && !report)
		return ifk_cli_usage_error(
		    &c, "a second argument (the bag) goes only with a report archive");
	if (ifk_cli_secrets(&c))
		return IFK_EXIT_USAGE;
	if (!report)
		return check_bag(&c, &o);
	ifk_cli_secrets_end(&c); /* a report needs no password */
	return check_report(&c);
}
