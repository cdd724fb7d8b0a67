/* ifk-verify: prove that an evidence bag (or a raw backup folder, or a plain
 * BagIt bag) is intact and consistent, check by check; or that a report
 * archive made by ifk-report is signed and whole; or check a whole folder
 * of backups at once (the fleet check), or help with a lost backup
 * password. main declares the options and chooses the mode; show.c says
 * what a check found; modes.c runs the fleet check and the password
 * modes. */
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <ifk/cli.h>
#include <ifk/verify.h>

#include "modes.h"
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
    .synopsis = (const char *const[]){"[options] BAG|BACKUP", "[options] REPORT [BAG]",
                                      "--fleet [--max-age D] [--require-encrypted] [--quick] "
                                      "[--metrics F] FOLDER|BACKUP|BAG...",
                                      "--export-hash BACKUP|BAG",
                                      "--password-list F [--password-out F] BACKUP|BAG", NULL},
    .examples =
        (const char *const[]){"ifk-verify --trust jane.pem --examiner \"Jane Doe\" case-001.bag",
                              "pass show case-17 | ifk-verify --password-file - case-17.bag",
                              "ifk-verify --trust jane.pem case-001-report.tar.gz case-001.bag",
                              "ifk-verify --max-age 24h --require-encrypted --quick\n"
                              "~/Library/Application\\ Support/MobileSync/Backup",
                              "ifk-verify --export-hash case-17.bag > case-17.hash",
                              "ifk-verify --password-list words.txt --password-out pw.txt "
                              "case-17.bag",
                              NULL},
    .exit_codes = "Exit: 0 PASS (the fleet: every backup passed; --password-list: found), 1 FAIL\n"
                  "(--password-list: none matched), 2 usage, 3 I/O error (also: the custody\n"
                  "entry could not be appended; the fleet: a target could not be read),\n"
                  "5 wrong password, 130 interrupted.",
    .common = IFK_CLI_PASSWORD | IFK_CLI_TRUST | IFK_CLI_READ_ONLY | IFK_CLI_EXAMINER,
    .max_operands = IFK_CLI_ANY_OPERANDS,
};

static int verdict_code(json_t *r)
{
	if (ifk_verify_wrong_password(r))
		return IFK_EXIT_WRONG_PASSWORD;
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
	struct verify_args a = {0};
	const struct ifk_cli_opt opts[] = {
	    {"strict", 0, IFK_CLI_FLAG, NULL, "fail a partial verdict and any warning", &a.strict},
	    {"quick", 0, IFK_CLI_FLAG, NULL, "presence and sizes only: nothing hashed or decrypted",
	     &a.quick},
	    {"fleet", 0, IFK_CLI_FLAG, NULL, "check every backup or bag the folders hold",
	     &a.fleet},
	    {"max-age", 0, IFK_CLI_DURATION, "D",
	     "the fleet: a last completed backup older than D (24h, 7d) fails", &a.max_age},
	    {"require-encrypted", 0, IFK_CLI_FLAG, NULL, "the fleet: an unencrypted backup fails",
	     &a.require_encrypted},
	    {"metrics", 0, IFK_CLI_STRING, "F", "the fleet: write Prometheus metrics to F",
	     &a.metrics},
	    {"jobs", 'j', IFK_CLI_NUMBER, "N", "threads, checks or guesses at once (default: every core)",
	     &a.jobs},
	    {"export-hash", 0, IFK_CLI_FLAG, NULL, "print the keybag as hashcat's line",
	     &a.export_hash},
	    {"password-list", 0, IFK_CLI_STRING, "F",
	     "try each line of F (- for standard input) as the password", &a.password_list},
	    {"password-out", 0, IFK_CLI_STRING, "F", "write the password found to the new file F",
	     &a.password_out},
	    {NULL, 0, 0, NULL, NULL, NULL}};
	struct ifk_cli c = {
	    .tool = &tool, .opts = opts, .stop = &stop_requested, .on_signal = on_signal};
	struct ifk_verify_opts o = {0};
	struct stat st;
	int report;

	if (ifk_cli_start(&c, argc, argv))
		return c.exit;
	if (!c.noperands)
		return ifk_cli_usage_error(
		    &c, "give one bag or backup folder, or a report archive and its bag");
	report = stat(c.target, &st) == 0 && S_ISREG(st.st_mode);
	if (other_mode_asked(&c, &a, report))
		return run_other_mode(&c, &a, report);
	if (a.jobs < 0 || a.jobs > 256)
		return ifk_cli_usage_error(&c, "--jobs: 1 to 256");
	if (a.jobs && report)
		return ifk_cli_usage_error(
		    &c, "--jobs goes with a bag or backup, --password-list or the fleet check");
	if (ifk_cli_secrets(&c))
		return IFK_EXIT_USAGE;
	if (!report) {
		o.strict = a.strict;
		o.quick = a.quick;
		o.jobs = (unsigned)a.jobs;
		return check_bag(&c, &o);
	}
	ifk_cli_secrets_end(&c); /* a report needs no password */
	return check_report(&c);
}
