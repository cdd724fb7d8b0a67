/* ifk-acquire: import a device's backup folder into a new sealed evidence
 * bag, or make a self-signed examiner certificate. */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ifk/acquire.h>
#include <ifk/cli.h>
#include <ifk/verify.h>

enum { EXIT_SEALED = 0, EXIT_ANOMALIES = 1, EXIT_USAGE = 2, EXIT_IO = 3, EXIT_INTR = 130 };

static volatile sig_atomic_t stop_requested;

struct args {
	struct ifk_acquire_opts o;
	const char *key, *cert;
	int make_cert, days, quiet, json, progress, device, encrypt;
	struct ifk_cli_password pwsrc, keysrc; /* the backup password, the key's passphrase */
	char *pw; /* --encrypt's new password, or the device's, to verify at once */
	size_t pw_len;
	struct timespec started;
};

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ifk-acquire --from DIR --out BAG --key KEY --cert CERT [--case ID]\n"
	           "                   [--evidence ID] [--examiner NAME] [--organization NAME]\n"
	           "                   [--notes TEXT] [--json] [--progress] [-q]\n"
	           "       ifk-acquire --device [UDID] --out BAG --key KEY --cert CERT [case\n"
	           "                   options] [--encrypt] [--password-file F] [--timeout S]\n"
	           "       ifk-acquire --make-cert --examiner NAME [--organization NAME]\n"
	           "                   [--days N] --key KEY --cert CERT\n"
	           "The key's passphrase, if any: --key-password-file F or IFK_KEY_PASSWORD; the\n"
	           "backup password: --password-file F or IFK_PASSWORD; F may be - (stdin).\n"
	           "Exit: 0 sealed, 1 sealed with anomalies recorded, 2 usage, 3 I/O or source\n"
	           "error, 130 interrupted.\n");
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
	                                     {"out", required_argument, NULL, 'o'},
	                                     {"key", required_argument, NULL, 'k'},
	                                     {"cert", required_argument, NULL, 'c'},
	                                     {"case", required_argument, NULL, 'C'},
	                                     {"evidence", required_argument, NULL, 'E'},
	                                     {"examiner", required_argument, NULL, 'x'},
	                                     {"organization", required_argument, NULL, 'O'},
	                                     {"notes", required_argument, NULL, 'n'},
	                                     {"make-cert", no_argument, NULL, 'm'},
	                                     {"days", required_argument, NULL, 'd'},
	                                     {"device", optional_argument, NULL, 'D'},
	                                     {"encrypt", no_argument, NULL, 'e'},
	                                     {"password-file", required_argument, NULL, 'P'},
	                                     {"key-password-file", required_argument, NULL, 'K'},
	                                     {"timeout", required_argument, NULL, 't'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"progress", no_argument, NULL, 'p'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"verbose", no_argument, NULL, 'v'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {NULL, 0, NULL, 0}};
	int c;

	a->days = 1825;
	while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->o.source = optarg;
			break;
		case 'o':
			a->o.out = optarg;
			break;
		case 'k':
			a->key = optarg;
			break;
		case 'c':
			a->cert = optarg;
			break;
		case 'C':
			a->o.case_id = optarg;
			break;
		case 'E':
			a->o.evidence = optarg;
			break;
		case 'x':
			a->o.examiner = optarg;
			break;
		case 'O':
			a->o.organization = optarg;
			break;
		case 'n':
			a->o.notes = optarg;
			break;
		case 'm':
			a->make_cert = 1;
			break;
		case 'd':
			a->days = atoi(optarg);
			break;
		case 'D':
			a->device = 1;
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			a->o.udid = optarg;
			break;
		case 'e':
			a->encrypt = 1;
			break;
		case 'P':
			a->pwsrc.file = optarg;
			break;
		case 'K':
			a->keysrc.file = optarg;
			break;
		case 't':
			a->o.timeout_s = (unsigned)atoi(optarg);
			break;
		case 'j':
			a->json = 1;
			break;
		case 'p':
			a->progress = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'v':
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("ifk-acquire %s\n", IFK_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ifk-acquire: unexpected argument: %s\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int make_cert(struct args *a)
{
	struct ifk_error err = {0};
	int rc;

	if (!a->o.examiner || !a->key || !a->cert) {
		fprintf(stderr, "ifk-acquire: --make-cert needs --examiner, --key and --cert\n");
		return EXIT_USAGE;
	}
	/* the PIN of a key on a token, read as the key's passphrase is */
	if (ifk_cli_preflight(NULL, &a->pwsrc, &a->keysrc, &err) != 0) {
		fprintf(stderr, "ifk-acquire: %s\n", err.msg);
		return EXIT_USAGE;
	}
	rc = ifk_seal_make_cert(a->o.examiner, a->o.organization, a->days, a->key, a->cert,
	                        a->keysrc.pw, &err);
	ifk_cli_password_wipe(&a->keysrc);
	ifk_cli_password_wipe(&a->pwsrc);
	if (rc != 0) {
		fprintf(stderr, "ifk-acquire: %s\n", err.msg);
		return err.code == IFK_EIO || err.code == IFK_ECRYPTO || err.code == IFK_ENOMEM
		           ? EXIT_IO
		           : EXIT_USAGE;
	}
	if (!a->quiet)
		printf("examiner key: %s (keep it private)\nexaminer certificate: %s\n", a->key,
		       a->cert);
	return 0;
}

static int hand_password(void *ctx, char **pw, size_t *len)
{
	struct args *a = ctx;

	*pw = malloc(a->pw_len + 1);
	if (!*pw)
		return -1;
	memcpy(*pw, a->pw, a->pw_len + 1);
	*len = a->pw_len;
	return 0;
}

static void show_progress(void *ctx, uint64_t files, uint64_t bytes, double device_percent)
{
	char line[160];

	ifk_progress_line(line, sizeof(line), "received and hashed", files, bytes, ctx);
	if (device_percent >= 0)
		fprintf(stderr, "\rifk-acquire: %s, device at %.0f%% ", line, device_percent);
	else
		fprintf(stderr, "\rifk-acquire: %s ", line);
}

static void report(const struct args *a, const struct ifk_acquire_result *r, int rc,
                   const struct ifk_error *err)
{
	if (a->json) {
		json_t *j = json_pack(
		    "{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:s, s:s}", "tool", "ifk-acquire",
		    "result",
		    r->sealed ? (r->anomalies ? "sealed-with-anomalies" : "sealed") : "incomplete",
		    "sealed", r->sealed, "files", (json_int_t)r->files, "bytes",
		    (json_int_t)r->bytes, "directories", (json_int_t)r->dirs, "anomalies",
		    (json_int_t)r->anomalies, "folder", r->folder, "custody_genesis_sha256",
		    r->genesis);
		if (rc)
			json_object_set_new(j, "error", json_string(err->msg));
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
		return;
	}
	if (a->quiet || (!r->sealed && !r->folder[0]))
		return;
	printf("files: %llu\nbytes: %llu\nfolders: %llu\nanomalies: %lu%s\n",
	       (unsigned long long)r->files, (unsigned long long)r->bytes,
	       (unsigned long long)r->dirs, r->anomalies,
	       r->anomalies ? " (listed in ifk-acquisition.json)" : "");
	if (r->sealed)
		printf("bag: %s\ncustody head: %s\nifk-acquire: SEALED\n", r->folder, r->genesis);
	else if (r->sealed_unpublished)
		printf("sealed, but not published: %s (rename it, dropping \".incomplete\", "
		       "then verify)\nifk-acquire: INCOMPLETE\n",
		       r->folder);
	else if (r->folder[0])
		printf("incomplete folder: %s (not sealed)\nifk-acquire: INCOMPLETE\n", r->folder);
}

/* The secrets leave the environment before anything else. A password for
 * --encrypt (or for verifying a device's encrypted backup at once) comes
 * from a file, IFK_PASSWORD or the terminal, never argv; without either
 * option IFK_PASSWORD is wiped unused. */
static int get_secrets(struct args *a)
{
	struct ifk_error err = {0};

	a->pwsrc.prompt = "New backup password: ";
	if (ifk_cli_preflight(NULL, &a->pwsrc, &a->keysrc, &err) != 0) {
		fprintf(stderr, "ifk-acquire: %s\n", err.msg);
		return -1;
	}
	if (!a->encrypt && !a->pwsrc.file) {
		ifk_cli_password_wipe(&a->pwsrc);
		return 0;
	}
	if (ifk_cli_password_get(&a->pwsrc, &a->pw, &a->pw_len) != 0) {
		fprintf(stderr, "ifk-acquire: password: %s\n", a->pwsrc.err.msg);
		return -1;
	}
	if (a->encrypt) {
		a->o.new_password = a->pw;
		a->o.new_password_len = a->pw_len;
	}
	return 0;
}

static int check_args(struct args *a)
{
	if (!!a->o.source == !!a->device || !a->o.out || !a->key || !a->cert) {
		fprintf(stderr, "ifk-acquire: --from or --device, --out, --key and --cert are "
		                "required\n");
		usage(stderr);
		return -1;
	}
	if ((a->encrypt || a->pwsrc.file) && !a->device) {
		fprintf(stderr, "ifk-acquire: --encrypt and --password-file go with --device\n");
		return -1;
	}
	return get_secrets(a);
}

/* With the backup's password at hand, the sealed bag is verified at once:
 * every file decrypts (ifk-verify's checks, appended to the custody log). */
static int verify_now(struct args *a, const char *bag)
{
	struct ifk_verify_opts vo = {.target = bag, .examiner = a->o.examiner};
	struct ifk_error err = {0};
	json_t *report = NULL;
	int rc;

	if (!a->pw)
		return 0;
	vo.password = hand_password;
	vo.password_ctx = a;
	rc = ifk_verify_run(&vo, &report, &err);
	if (!report) {
		fprintf(stderr, "ifk-acquire: verification: %s\n", err.msg);
		return -1;
	}
	if (!a->quiet && !a->json)
		printf("verification: %s\n", json_string_value(json_object_get(report, "verdict")));
	rc = strcmp(json_string_value(json_object_get(report, "verdict")), "PASS") == 0 ? 0 : -1;
	json_decref(report);
	return rc;
}

static int exit_code(int rc, const struct ifk_acquire_result *r, int verified)
{
	if (rc == IFK_EINTR)
		return EXIT_INTR;
	if (rc == IFK_EEXIST || rc == IFK_EINVAL)
		return EXIT_USAGE;
	if (rc)
		return EXIT_IO;
	return r->anomalies || verified != 0 ? EXIT_ANOMALIES : EXIT_SEALED;
}

/* Before the work: the secrets, then the examiner's key. 0, or an exit code. */
static int prepare(struct args *a, struct ifk_signer **signer)
{
	struct ifk_error err = {0};
	int code = check_args(a) != 0 ? EXIT_USAGE : 0;

	if (!code && ifk_signer_load(a->key, a->cert, a->keysrc.pw, signer, &err) != 0) {
		fprintf(stderr, "ifk-acquire: %s\n", err.msg);
		code = err.code == IFK_EIO ? EXIT_IO : EXIT_USAGE;
	}
	ifk_cli_password_wipe(&a->keysrc);
	ifk_cli_password_wipe(&a->pwsrc);
	return code;
}

/* Installed once the secrets are read: until then, an interrupt while a
 * password file is awaited ends the tool at once. */
static void catch_signals(void)
{
	struct sigaction sa = {0};

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a device that goes away mid-write is an I/O error that leaves an
	 * .incomplete folder saying why, not a silent death by SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
}

static int acquire(struct args *a)
{
	struct ifk_signer *signer = NULL;
	struct ifk_acquire_result r;
	struct ifk_error err = {0};
	int rc, verified = 0, code = prepare(a, &signer);

	if (code)
		goto out;
	catch_signals();
	a->o.signer = signer;
	a->o.stop = &stop_requested;
	if (a->progress || (!a->quiet && !a->json && isatty(STDERR_FILENO))) {
		clock_gettime(CLOCK_MONOTONIC, &a->started);
		a->o.progress = show_progress;
		a->o.progress_ctx = &a->started;
	}
	rc = a->device ? ifk_acquire_device(&a->o, &r, &err) : ifk_acquire_folder(&a->o, &r, &err);
	if (a->o.progress)
		fputc('\n', stderr);
	if (rc)
		fprintf(stderr, "ifk-acquire: %s\n", err.msg);
	report(a, &r, rc, &err);
	if (!rc && a->device)
		verified = verify_now(a, r.folder);
	code = exit_code(rc, &r, verified);
out:
	ifk_signer_free(signer);
	if (a->pw)
		OPENSSL_clear_free(a->pw, a->pw_len + 1);
	return code;
}

int main(int argc, char **argv)
{
	struct args a = {0};

	if (parse_args(argc, argv, &a) != 0)
		return EXIT_USAGE;
	ifk_cli_init();
	if (a.make_cert) {
		catch_signals();
		return make_cert(&a);
	}
	return acquire(&a);
}
