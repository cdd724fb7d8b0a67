/* ifk-parse: decrypt a sealed bag (or a raw backup folder) and extract the
 * app artifacts with provenance for every row, a timeline, and YARA
 * matches. main parses options and hands over to ifk_parse_run. */
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ifk/parse.h>
#include <ifk/cli.h>

enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,
	EXIT_USAGE = 2,
	EXIT_IO = 3,
	EXIT_REFUSED = 4,
	EXIT_INTR = 130
};

static volatile sig_atomic_t stop_requested;

struct args {
	struct ifk_parse_opts o;
	struct ifk_cli_password pw;
	int json, quiet, progress, list;
	struct timespec started;
};

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ifk-parse BAG|BACKUP --out DIR [--password-file F] [--yara RULES]\n"
	        "                 [--only LIST] [--export DIR] [--include-secrets] [--no-verify]\n"
	        "                 [--trust CERT] [--examiner NAME] [--read-only] [--json]\n"
	        "                 [--progress] [-q]\n"
	        "       ifk-parse --list\n"
	        "The password comes from --password-file (- for standard input), IFK_PASSWORD\n"
	        "or a prompt.\n"
	        "A bag whose seal or custody check fails, or a wrong password, is refused;\n"
	        "the backup's own flaws (files listed but not stored, stale sizes) are\n"
	        "parsed around and reported.\n"
	        "Exit: 0 ok, 1 parsed with findings, 2 usage, 3 I/O error, 4 refused (seal or\n"
	        "custody failed, or wrong password), 130 interrupted.\n");
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
	                                     {"password-file", required_argument, NULL, 'P'},
	                                     {"yara", required_argument, NULL, 'Y'},
	                                     {"only", required_argument, NULL, 'O'},
	                                     {"export", required_argument, NULL, 'E'},
	                                     {"include-secrets", no_argument, NULL, 'S'},
	                                     {"no-verify", no_argument, NULL, 'N'},
	                                     {"trust", required_argument, NULL, 'T'},
	                                     {"examiner", required_argument, NULL, 'x'},
	                                     {"read-only", no_argument, NULL, 'r'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"progress", no_argument, NULL, 'p'},
	                                     {"list", no_argument, NULL, 'l'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->o.out_dir = optarg;
			break;
		case 'P':
			a->pw.file = optarg;
			break;
		case 'Y':
			a->o.yara_rules = optarg;
			break;
		case 'O':
			a->o.only = optarg;
			break;
		case 'E':
			a->o.export_dir = optarg;
			break;
		case 'S':
			a->o.include_secrets = 1;
			break;
		case 'N':
			a->o.no_verify = 1;
			break;
		case 'T':
			a->o.trust_path = optarg;
			break;
		case 'x':
			a->o.examiner = optarg;
			break;
		case 'r':
			a->o.read_only = 1;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'p':
			a->progress = 1;
			break;
		case 'l':
			a->list = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("ifk-parse %s\n", IFK_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (a->list)
		return 0;
	if (optind != argc - 1 || !a->o.out_dir) {
		fprintf(stderr, "ifk-parse: give one bag or backup folder and --out DIR\n");
		usage(stderr);
		return -1;
	}
	a->o.target = argv[optind];
	return 0;
}

static int preflight(struct args *a)
{
	struct ifk_error err = {0};

	if (ifk_cli_preflight(a->o.trust_path, &a->pw, NULL, &err) == 0)
		return 0;
	fprintf(stderr, "ifk-parse: %s\n", err.msg);
	return -1;
}

static void show_progress(void *ctx, uint64_t files, uint64_t bytes)
{
	char line[160];

	ifk_progress_line(line, sizeof(line), "read", files, bytes, ctx);
	fprintf(stderr, "\rifk-parse: %s ", line);
}

static void print_verification(json_t *v)
{
	const char *k;
	json_t *val;

	printf("verification: %s (", ifk_cli_str(v, "verdict"));
	json_object_foreach(json_object_get(v, "checks"), k, val)
	{
		printf("%s%s %s",
		       k == json_object_iter_key(json_object_iter(json_object_get(v, "checks")))
		           ? ""
		           : ", ",
		       k, json_string_value(val));
	}
	if (strcmp(ifk_cli_str(v, "verdict"), "PASS") == 0)
		printf(")\n");
	else if (json_is_true(json_object_get(v, "no_verify")))
		printf(")  ** FAILED, PARSED ANYWAY (--no-verify) **\n");
	else
		printf(")  the backup's own flaws: parsed around them\n");
	if (*ifk_cli_str(v, "note"))
		printf("verification: %s\n", ifk_cli_str(v, "note"));
}

/* The first failures of the verification (parse.json has twenty, verify.json
 * all). */
static void print_failures(json_t *v)
{
	json_t *f = json_object_get(v, "failures");
	size_t i;

	for (i = 0; i < json_array_size(f) && i < 5; i++) {
		json_t *x = json_array_get(f, i);
		printf("  %s: ", ifk_cli_str(x, "check"));
		ifk_cli_put_safe(stdout, *ifk_cli_str(x, "file") ? ifk_cli_str(x, "file") : "-");
		fputs(": ", stdout);
		ifk_cli_put_safe(stdout, ifk_cli_str(x, "reason"));
		putchar('\n');
	}
	if (ifk_cli_num(v, "failures_total") > 5)
		printf("  and %lld more failures (verify.json)\n", ifk_cli_num(v, "failures_total") - 5);
}

/* The verification findings that touch an artifact's sources. */
static void print_art_findings(json_t *x)
{
	json_t *f = json_object_get(x, "verification_findings");
	size_t i;

	for (i = 0; i < json_array_size(f) && i < 3; i++) {
		json_t *y = json_array_get(f, i);
		printf("    %s %s: ", ifk_cli_str(y, "check"), ifk_cli_str(y, "level"));
		ifk_cli_put_safe(stdout, ifk_cli_str(y, "file"));
		fputs(": ", stdout);
		ifk_cli_put_safe(stdout, ifk_cli_str(y, "reason"));
		putchar('\n');
	}
	if (ifk_cli_num(x, "verification_findings_total") > 3)
		printf("    and %lld more verification findings on its sources (parse.json)\n",
		       ifk_cli_num(x, "verification_findings_total") - 3);
}

static void print_human(json_t *s, const struct args *a)
{
	json_t *arts = json_object_get(s, "artifacts"), *f = json_object_get(s, "files"),
	       *y = json_object_get(s, "yara"), *e = json_object_get(s, "export");
	size_t i;

	printf("ifk-parse %s: ", IFK_VERSION);
	ifk_cli_put_safe(stdout, ifk_cli_str(s, "target"));
	printf(" (%s)\n", ifk_cli_str(s, "kind"));
	print_verification(json_object_get(s, "verification"));
	print_failures(json_object_get(s, "verification"));
	if (strcmp(ifk_cli_str(s, "outcome"), "refused") == 0) {
		if (strcmp(ifk_cli_str(s, "refused_because"), "wrong-password") == 0)
			printf("ifk-parse: refused: wrong password: the backup's keybag does not "
			       "unlock with it; nothing was parsed\n");
		else
			printf("ifk-parse: refused: the seal or custody check failed, so the evidence "
			       "may have been altered; nothing was parsed (--no-verify parses "
			       "anyway, on record)\n");
		return;
	}
	for (i = 0; i < json_array_size(arts); i++) {
		json_t *x = json_array_get(arts, i);
		printf("%-18s %-20s %6lld rows", ifk_cli_str(x, "status"), ifk_cli_str(x, "name"),
		       ifk_cli_num(x, "rows"));
		if (*ifk_cli_str(x, "reason") && strcmp(ifk_cli_str(x, "status"), "absent") != 0) {
			fputs("  ", stdout);
			ifk_cli_put_safe(stdout, ifk_cli_str(x, "reason"));
		}
		putchar('\n');
		print_art_findings(x);
	}
	printf("files: %lld decrypted (%lld bytes), %lld not decryptable off the device, %lld "
	       "failed\n",
	       ifk_cli_num(f, "read"), ifk_cli_num(f, "bytes"),
	       ifk_cli_num(f, "not_decryptable_off_device"), ifk_cli_num(f, "failed"));
	if (json_is_object(y))
		printf("yara: %lld matches in %lld files scanned (%lld rules)\n",
		       ifk_cli_num(y, "matches"), ifk_cli_num(y, "files_scanned"),
		       ifk_cli_num(y, "rule_count"));
	if (json_is_object(e)) {
		printf("export: ");
		ifk_cli_put_safe(stdout, ifk_cli_str(e, "path"));
		printf(" (%lld files, %lld skipped)\n", ifk_cli_num(e, "files"),
		       ifk_cli_num(e, "skipped"));
	}
	printf("output: ");
	ifk_cli_put_safe(stdout, a->o.out_dir);
	putchar('\n');
	if (*ifk_cli_str(s, "custody_appended"))
		printf("custody: appended entry %s\n", ifk_cli_str(s, "custody_appended"));
	printf("ifk-parse: %s\n", strcmp(ifk_cli_str(s, "outcome"), "ok") == 0
	                               ? "OK"
	                               : "FINDINGS (parsed with findings: see above and parse.json)");
}

static void list_artifacts(void)
{
	json_t *list = ifk_parse_list(), *x, *src;
	size_t i, j;

	json_array_foreach(list, i, x)
	{
		printf("%-20s %s (", ifk_cli_str(x, "name"), ifk_cli_str(x, "title"));
		json_array_foreach(json_object_get(x, "sources"), j, src)
			printf("%s%s", j ? ", " : "", json_string_value(src));
		printf(")\n");
	}
	json_decref(list);
}

static int exit_code(int rc, json_t *s, enum ifk_parse_outcome outcome)
{
	if (rc == IFK_EINTR)
		return EXIT_INTR;
	if (rc == IFK_EINVAL)
		return EXIT_USAGE;
	if (rc || !s)
		return EXIT_IO;
	return outcome == IFK_PARSE_REFUSED ? EXIT_REFUSED
	       : outcome == IFK_PARSE_OK    ? EXIT_OK
	                                    : EXIT_FINDINGS;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	struct sigaction sa = {0};
	struct ifk_error err = {0};
	enum ifk_parse_outcome outcome = IFK_PARSE_OK;
	json_t *s = NULL;
	int rc, code;

	if (parse_args(argc, argv, &a) != 0)
		return EXIT_USAGE;
	ifk_cli_init();
	if (a.list) {
		list_artifacts();
		return EXIT_OK;
	}
	if (preflight(&a) != 0)
		return EXIT_USAGE;
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	a.o.password = ifk_cli_password_get;
	a.o.password_ctx = &a.pw;
	a.o.stop = &stop_requested;
	if (a.progress || (!a.quiet && !a.json && isatty(STDERR_FILENO))) {
		clock_gettime(CLOCK_MONOTONIC, &a.started);
		a.o.progress = show_progress;
		a.o.progress_ctx = &a.started;
	}
	if (a.o.no_verify)
		fprintf(stderr,
		        "ifk-parse: WARNING: --no-verify: a bag whose seal or custody check "
		        "fails is parsed anyway; this is recorded in parse.json and the custody "
		        "log\n");
	rc = ifk_parse_run(&a.o, &s, &outcome, &err);
	if (a.o.progress)
		fputc('\n', stderr);
	ifk_cli_password_wipe(&a.pw);
	if (a.pw.err.code && a.pw.err.code != IFK_ENOTFOUND)
		fprintf(stderr, "ifk-parse: password: %s\n", a.pw.err.msg);
	if (rc) {
		fputs("ifk-parse: ", stderr);
		ifk_cli_put_safe(stderr, err.msg);
		fputc('\n', stderr);
	}
	if (s && a.json) {
		json_dumpf(s, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (s && !a.quiet) {
		print_human(s, &a);
	}
	code = exit_code(rc, s, outcome);
	json_decref(s);
	return code;
}
