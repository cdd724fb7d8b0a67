/* ifk-acquire: take a device's backup, or import its backup folder, into a
 * new sealed evidence bag; or make a self-signed examiner certificate. main
 * declares the options and hands over to the library; steps.c makes the
 * certificate and the verification made at once; show.c says what came of
 * it. */
#include <signal.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ifk/acquire.h>
#include <ifk/cli.h>

#include "show.h"
#include "steps.h"

static volatile sig_atomic_t stop_requested;

#define WAIT_MAX (7 * 86400)

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const struct ifk_cli_tool tool = {
    .name = "ifk-acquire",
    .purpose = "back up an iPhone, or import its backup folder, into a sealed evidence bag",
    .synopsis =
        (const char *const[]){"--from DIR --out BAG --key KEY --cert CERT [options]",
                              "--device [UDID] --out BAG --key KEY --cert CERT [options]",
                              "--make-cert --examiner NAME --key KEY --cert CERT [--days N]", NULL},
    .examples = (const char *const[]){"ifk-acquire --make-cert --examiner \"Jane Doe\" --key "
                                      "jane.key --cert jane.pem",
                                      "ifk-acquire --from ~/Backups/00008030-001A2B3C4D5E6F70 "
                                      "--out case-17.bag\n--key jane.key --cert jane.pem "
                                      "--case 2026-017 --examiner \"Jane Doe\"",
                                      "ifk-acquire --device --out case-18.bag --key jane.key "
                                      "--cert jane.pem\n--password-file pw.txt",
                                      NULL},
    .exit_codes = "Exit: 0 sealed, 1 sealed with anomalies recorded (or the verification made at\n"
                  "once failed), 2 usage, 3 I/O or source error, 5 sealed, but the password for\n"
                  "verifying at once is wrong, 130 interrupted.",
    .common = IFK_CLI_PASSWORD | IFK_CLI_KEY_PASSWORD | IFK_CLI_EXAMINER,
    .max_operands = 0,
};

/* The usage, then the secrets (a password for --encrypt or for verifying
 * a device's encrypted backup at once: a file, IFK_PASSWORD or the
 * terminal, never argv), then the examiner's key. 0, or an exit code. */
static int prepare(struct ifk_cli *c, struct args *a, struct ifk_signer **signer)
{
	struct ifk_error err = {0};

	if (!!a->o.source == !!a->device || !a->o.out || !a->key || !a->cert)
		return ifk_cli_usage_error(
		    c, "--from or --device, --out, --key and --cert are required");
	if ((a->encrypt || c->password_file) && !a->device)
		return ifk_cli_usage_error(c, "--encrypt and --password-file go with --device");
	if (a->timeout < 0 || a->timeout > 86400)
		return ifk_cli_usage_error(c, "--timeout: 1 to 86400 seconds");
	if (a->wait_start > WAIT_MAX || a->wait_file > WAIT_MAX || a->wait_next > WAIT_MAX)
		return ifk_cli_usage_error(c, "--wait-start, --wait-file, --wait-next: at most 7d");
	if ((a->timeout || a->wait_start || a->wait_file || a->wait_next) && !a->device)
		return ifk_cli_usage_error(c, "--timeout and --wait-* go with --device");
	c->pw.prompt = "New backup password: ";
	if (ifk_cli_secrets(c))
		return IFK_EXIT_USAGE;
	if ((a->encrypt || c->password_file) &&
	    ifk_cli_password_get(&c->pw, &a->pw, &a->pw_len) != 0) {
		ifk_cli_fail(c, IFK_EXIT_USAGE, "password: %s", c->pw.err.msg);
		ifk_error_clear(&c->pw.err); /* said once */
		return IFK_EXIT_USAGE;
	}
	if (ifk_signer_load(a->key, a->cert, c->key.pw, signer, &err) != 0)
		return ifk_cli_fail(c, err.code == IFK_EIO ? IFK_EXIT_IO : IFK_EXIT_USAGE, "%s",
		                    err.msg);
	return 0;
}

static int exit_code(int rc, const struct ifk_acquire_result *r, const char *verdict)
{
	if (rc)
		return rc == IFK_EINTR || rc == IFK_EEXIST || rc == IFK_EINVAL
		           ? ifk_cli_exit_code(rc)
		           : IFK_EXIT_IO;
	if (verdict && strstr(verdict, "wrong password"))
		return IFK_EXIT_WRONG_PASSWORD;
	return r->anomalies || (verdict && strcmp(verdict, "PASS") != 0) ? IFK_EXIT_NEGATIVE
	                                                                 : IFK_EXIT_OK;
}

static int acquire(struct ifk_cli *c, struct args *a)
{
	struct ifk_signer *signer = NULL;
	struct ifk_acquire_result r = {0};
	struct ifk_error err = {0};
	json_t *anomalies = NULL, *payload = NULL;
	const char *verdict = NULL;
	int rc, code = prepare(c, a, &signer);

	ifk_cli_secrets_end(c);
	if (code)
		goto out;
	ifk_cli_signals(c);
	signal(SIGPIPE, SIG_IGN); /* a device gone mid-write: an I/O error, not a silent death */
	a->o.udid = a->device && *a->device ? a->device : NULL;
	a->o.timeout_s = (unsigned)a->timeout;
	a->o.wait_start_s = (unsigned)a->wait_start;
	a->o.wait_file_s = (unsigned)a->wait_file;
	a->o.wait_next_s = (unsigned)a->wait_next;
	a->o.examiner = c->examiner;
	a->o.new_password = a->encrypt ? a->pw : NULL;
	a->o.new_password_len = a->encrypt ? a->pw_len : 0;
	a->o.signer = signer;
	a->o.stop = c->stop;
	a->o.anomalies_out = &anomalies;
	a->o.progress = ifk_cli_meter(c, a->device ? "received and hashed" : "copied and hashed");
	a->o.waiting = a->o.progress && a->device ? ifk_cli_waiting : NULL;
	a->o.progress_ctx = c;
	rc = a->device ? ifk_acquire_device(&a->o, &r, &err) : ifk_acquire_folder(&a->o, &r, &err);
	ifk_cli_meter_end(c, rc == 0);
	if (!rc && a->device)
		verdict = verify_now(c, a, r.folder);
	if (!c->json)
		show_acquisition(c, &r, anomalies, verdict);
	payload = r.sealed || r.folder[0] ? acquisition_json(&r, verdict) : NULL;
	code = ifk_cli_emit(c, payload, acquisition_outcome(&r, verdict),
	                    exit_code(rc, &r, verdict), rc ? err.msg : NULL);
out:
	json_decref(payload);
	json_decref(anomalies);
	ifk_signer_free(signer);
	if (a->pw)
		OPENSSL_clear_free(a->pw, a->pw_len + 1);
	return code;
}

int main(int argc, char **argv)
{
	struct args a = {.days = 1825};
	const struct ifk_cli_opt opts[] = {
	    {"from", 0, IFK_CLI_STRING, "DIR", "the backup folder to import (one device)",
	     &a.o.source},
	    {"device", 0, IFK_CLI_OPTIONAL, "UDID", "back up the connected device (or this one)",
	     &a.device},
	    {"out", 'o', IFK_CLI_STRING, "BAG",
	     "the new bag; BAG and BAG.incomplete must not exist", &a.o.out},
	    {"key", 0, IFK_CLI_STRING, "KEY", "the examiner's private key (PEM)", &a.key},
	    {"cert", 0, IFK_CLI_STRING, "CERT", "the examiner's certificate (PEM)", &a.cert},
	    {"case", 0, IFK_CLI_STRING, "ID", "the case number", &a.o.case_id},
	    {"evidence", 0, IFK_CLI_STRING, "ID", "the evidence number", &a.o.evidence},
	    {"organization", 0, IFK_CLI_STRING, "NAME", "the examiner's organization",
	     &a.o.organization},
	    {"notes", 0, IFK_CLI_STRING, "TEXT", "free text kept in the record and bag-info.txt",
	     &a.o.notes},
	    {"encrypt", 0, IFK_CLI_FLAG, NULL, "with --device: set a backup password if none is",
	     &a.encrypt},
	    {"wait-start", 0, IFK_CLI_DURATION, "D",
	     "with --device: wait up to D for the first file (30m)", &a.wait_start},
	    {"wait-file", 0, IFK_CLI_DURATION, "D",
	     "with --device: wait up to D for the rest of a file (5m)", &a.wait_file},
	    {"wait-next", 0, IFK_CLI_DURATION, "D",
	     "with --device: wait up to D for the next file or the end (30m)", &a.wait_next},
	    {"timeout", 0, IFK_CLI_NUMBER, "S",
	     "with --device: stop after S silent seconds, whatever is awaited", &a.timeout},
	    {"make-cert", 0, IFK_CLI_FLAG, NULL, "make a self-signed examiner key and certificate",
	     &a.make_cert},
	    {"days", 0, IFK_CLI_NUMBER, "N", "with --make-cert: valid for N days (1825)", &a.days},
	    {NULL, 0, 0, NULL, NULL, NULL}};
	struct ifk_cli c = {
	    .tool = &tool, .opts = opts, .stop = &stop_requested, .on_signal = on_signal};

	if (ifk_cli_start(&c, argc, argv))
		return c.exit;
	c.target = a.o.out;
	if (!a.make_cert)
		return acquire(&c, &a);
	ifk_cli_signals(&c);
	return make_cert(&c, &a);
}
