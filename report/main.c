/* ifk-report: the chain-of-custody report of an evidence bag (and of its
 * ifk-parse output) as a signed, deterministic archive. main parses options
 * and hands over to ifk_report_run. */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ifk/cli.h>
#include <ifk/report.h>

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_IO = 3,
	EXIT_REFUSED = 4,
	EXIT_INTR = 130
};

static volatile sig_atomic_t stop_requested;

struct args {
	struct ifk_report_opts o;
	struct ifk_cli_password pw, key; /* the backup password, the key's passphrase */
	int json, quiet;
};

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ifk-report BAG [PARSEDIR] --out REPORT.tar.gz --key KEY --cert CERT\n"
	           "                  [--password-file F] [--key-password-file F] [--trust CERT]\n"
	           "                  [--examiner NAME] [--include-media] [--read-only] [--json]\n"
	           "                  [-q]\n"
	           "Writes REPORT.tar.gz and its detached CMS signature REPORT.tar.gz.p7s.\n"
	           "PARSEDIR must be ifk-parse's output for this bag, recorded in its custody log.\n"
	           "Secrets: --password-file or IFK_PASSWORD (the backup's), --key-password-file\n"
	           "or IFK_KEY_PASSWORD (the key's); a file may be - for standard input.\n"
	           "Exit: 0 report written (the bag verified), 1 report written but the bag\n"
	           "failed verification, 2 usage, 3 I/O error, 4 refused (PARSEDIR is not\n"
	           "bound to the bag, or changed since), 130 interrupted.\n");
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
	                                     {"key", required_argument, NULL, 'k'},
	                                     {"cert", required_argument, NULL, 'c'},
	                                     {"password-file", required_argument, NULL, 'P'},
	                                     {"key-password-file", required_argument, NULL, 'K'},
	                                     {"trust", required_argument, NULL, 'T'},
	                                     {"examiner", required_argument, NULL, 'x'},
	                                     {"include-media", no_argument, NULL, 'm'},
	                                     {"read-only", no_argument, NULL, 'r'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->o.out = optarg;
			break;
		case 'k':
			a->o.key = optarg;
			break;
		case 'c':
			a->o.cert = optarg;
			break;
		case 'P':
			a->pw.file = optarg;
			break;
		case 'K':
			a->key.file = optarg;
			break;
		case 'T':
			a->o.trust_path = optarg;
			break;
		case 'x':
			a->o.examiner = optarg;
			break;
		case 'm':
			a->o.include_media = 1;
			break;
		case 'r':
			a->o.read_only = 1;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("ifk-report %s\n", IFK_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind >= argc || argc - optind > 2 || !a->o.out || !a->o.key || !a->o.cert) {
		fprintf(stderr, "ifk-report: give the bag (and the parse folder), --out, --key and "
		                "--cert\n");
		usage(stderr);
		return -1;
	}
	a->o.bag = argv[optind];
	a->o.parse_dir = argc - optind == 2 ? argv[optind + 1] : NULL;
	return 0;
}

static void print_human(json_t *s)
{
	int pass = strcmp(ifk_cli_str(s, "verification"), "PASS") == 0;

	fputs("report: ", stdout);
	ifk_cli_put_safe(stdout, ifk_cli_str(s, "report"));
	printf("\n  sha256 %s, %lld members, covering the custody log up to entry %lld (%.16s)\n",
	       ifk_cli_str(s, "report_sha256"),
	       (long long)json_integer_value(json_object_get(s, "members")),
	       (long long)json_integer_value(json_object_get(s, "custody_head_seq")),
	       ifk_cli_str(s, "custody_head"));
	fputs("signature: ", stdout);
	ifk_cli_put_safe(stdout, ifk_cli_str(s, "signature"));
	printf("\nbag verification: %s\n", ifk_cli_str(s, "verification"));
	if (*ifk_cli_str(s, "custody_appended"))
		printf("custody: appended entry %s\n", ifk_cli_str(s, "custody_appended"));
	printf("check it: ifk-verify REPORT [BAG], or openssl cms -verify -binary -inform DER "
	       "-in REPORT.p7s -content REPORT -CAfile CERT\n"
	       "open it: tar -xzf REPORT report.html, then open report.html in a browser "
	       "(it works offline)\n");
	printf("ifk-report: %s\n", pass ? "SIGNED" : "SIGNED (the bag FAILED verification)");
}

int main(int argc, char **argv)
{
	struct args a = {0};
	struct sigaction sa = {0};
	struct ifk_error err = {0};
	json_t *s = NULL;
	int rc, code;

	a.pw.prompt = "Backup password: ";
	if (parse_args(argc, argv, &a) != 0)
		return EXIT_USAGE;
	ifk_cli_init();
	if (ifk_cli_preflight(a.o.trust_path, &a.pw, &a.key, &err) != 0) {
		fprintf(stderr, "ifk-report: %s\n", err.msg);
		return EXIT_USAGE;
	}
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	a.o.password = ifk_cli_password_get;
	a.o.password_ctx = &a.pw;
	a.o.key_password = a.key.pw;
	a.o.stop = &stop_requested;
	rc = ifk_report_run(&a.o, &s, &err);
	ifk_cli_password_wipe(&a.pw);
	ifk_cli_password_wipe(&a.key);
	if (rc) {
		fputs("ifk-report: ", stderr);
		ifk_cli_put_safe(stderr, err.msg);
		fputc('\n', stderr);
	}
	if (s && a.json) {
		json_dumpf(s, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (s && !a.quiet) {
		print_human(s);
	}
	code = rc == IFK_EINTR                                       ? EXIT_INTR
	       : rc == IFK_EINVAL                                    ? EXIT_USAGE
	       : rc == IFK_EVERIFY                                   ? EXIT_REFUSED
	       : rc || !s                                            ? EXIT_IO
	       : strcmp(ifk_cli_str(s, "verification"), "PASS") == 0 ? EXIT_OK
	                                                             : EXIT_FAIL;
	json_decref(s);
	return code;
}
