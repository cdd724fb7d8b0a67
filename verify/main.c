/* ifk-verify: prove that an evidence bag (or a raw backup folder, or a plain
 * BagIt bag) is intact and consistent, check by check; or that a report
 * archive made by ifk-report is signed and whole. */
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ifk/cli.h>
#include <ifk/verify.h>

enum { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_IO = 3, EXIT_INTR = 130 };

static volatile sig_atomic_t stop_requested;

struct args {
	struct ifk_verify_opts o;
	struct ifk_cli_password pw;
	int json, quiet, verbose, progress;
	int report;      /* the target is a report archive (a regular file) */
	const char *bag; /* with a report: the bag to match its custody head */
	struct timespec started;
};

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ifk-verify [--password-file F] [--trust CERT] [--json] [--read-only]\n"
	           "                  [--strict] [--examiner NAME] [--progress] [-q] [-v] BAG|BACKUP\n"
	           "       ifk-verify [--trust CERT] [--json] [-q] REPORT [BAG]\n"
	           "The password comes from --password-file (- for standard input), IFK_PASSWORD\n"
	           "or a prompt.\n"
	           "A check that could not be done whole (no password) makes the verdict partial;\n"
	           "--strict fails a partial verdict and any warning.\n"
	           "Exit: 0 pass, 1 a check failed, 2 usage, 3 I/O error, 130 interrupted.\n");
}

/* BAG|BACKUP, or REPORT (a regular file) and optionally its BAG. */
static int targets(int n, char **v, struct args *a)
{
	struct stat st;

	a->report = n >= 1 && stat(v[0], &st) == 0 && S_ISREG(st.st_mode);
	if (n == 1 || (n == 2 && a->report)) {
		a->o.target = v[0];
		a->bag = n == 2 ? v[1] : NULL;
		return 0;
	}
	fprintf(stderr, "ifk-verify: %s\n",
	        n == 2 ? "a second argument (the bag) goes only with a report archive"
	               : "give one bag or backup folder, or a report archive and its bag");
	usage(stderr);
	return -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {{"password-file", required_argument, NULL, 'P'},
	                                     {"trust", required_argument, NULL, 'T'},
	                                     {"examiner", required_argument, NULL, 'x'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"read-only", no_argument, NULL, 'r'},
	                                     {"strict", no_argument, NULL, 's'},
	                                     {"progress", no_argument, NULL, 'p'},
	                                     {"quiet", no_argument, NULL, 'q'},
	                                     {"verbose", no_argument, NULL, 'v'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			a->pw.file = optarg;
			break;
		case 'T':
			a->o.trust_path = optarg;
			break;
		case 'x':
			a->o.examiner = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'r':
			a->o.read_only = 1;
			break;
		case 's':
			a->o.strict = 1;
			break;
		case 'p':
			a->progress = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("ifk-verify %s\n", IFK_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	return targets(argc - optind, argv + optind, a);
}

static int preflight(struct args *a)
{
	struct ifk_error err = {0};

	if (ifk_cli_preflight(a->o.trust_path, &a->pw, NULL, &err) == 0)
		return 0;
	fprintf(stderr, "ifk-verify: %s\n", err.msg);
	return -1;
}

static void show_progress(void *ctx, uint64_t files, uint64_t bytes)
{
	char line[160];

	ifk_progress_line(line, sizeof(line), "read", files, bytes, ctx);
	fprintf(stderr, "\rifk-verify: %s ", line);
}

static void summary(json_t *c, const struct args *a, char *out, size_t cap)
{
	const char *name = ifk_cli_str(c, "name");
	json_t *i = json_object_get(c, "info");

	out[0] = '\0';
	if (strcmp(ifk_cli_str(c, "status"), "skip") == 0)
		snprintf(out, cap, "%s", ifk_cli_str(c, "reason"));
	else if (strcmp(name, "seal") == 0 && *ifk_cli_str(i, "signer"))
		snprintf(out, cap, "signed by %s (%s); %lld payload files read",
		         ifk_cli_str(i, "signer"),
		         json_is_true(json_object_get(i, "trusted")) ? "trusted via --trust"
		         : json_is_true(json_object_get(i, "self_signed"))
		             ? "self-signed; give --trust CERT to check whose"
		             : "not checked against a trusted certificate",
		         ifk_cli_num(i, "files_read"));
	else if (strcmp(name, "seal") == 0)
		snprintf(out, cap, "%lld payload files read", ifk_cli_num(i, "files_read"));
	else if (strcmp(name, "custody") == 0)
		snprintf(out, cap, "%lld entries, head %.16s", ifk_cli_num(i, "entries"),
		         ifk_cli_str(i, "head_sha256"));
	else if (strcmp(name, "backup") == 0 && *ifk_cli_str(i, "index_not_read"))
		snprintf(out, cap, "%s", ifk_cli_str(i, "index_not_read"));
	else if (strcmp(name, "backup") == 0)
		snprintf(out, cap, "%s, %lld entries",
		         *ifk_cli_str(i, "index") ? ifk_cli_str(i, "index") : "no index",
		         ifk_cli_num(i, "entries"));
	else if (strcmp(name, "encryption") == 0)
		snprintf(out, cap,
		         "%zu classes unwrapped, %zu not decryptable off the device; "
		         "%lld files decrypted",
		         json_array_size(json_object_get(i, "classes_unwrapped")),
		         json_array_size(json_object_get(i, "classes_not_decryptable_off_device")),
		         ifk_cli_num(i, "files_decrypted"));
	(void)a;
}

/* The last line: the verdict, and what it does not cover or why --strict
 * failed it. */
static void print_verdict(json_t *r)
{
	json_t *p = json_object_get(r, "partial_reasons");
	size_t i;

	printf("ifk-verify: %s", ifk_cli_str(r, "verdict"));
	if (*ifk_cli_str(r, "verdict_reason"))
		printf(" (%s)", ifk_cli_str(r, "verdict_reason"));
	else if (json_array_size(p)) {
		printf(" (partial: ");
		for (i = 0; i < json_array_size(p); i++)
			printf("%s%s", i ? ", " : "", json_string_value(json_array_get(p, i)));
		putchar(')');
	}
	putchar('\n');
}

static void print_human(json_t *r, const struct args *a)
{
	json_t *checks = json_object_get(r, "checks");
	size_t i, j;

	printf("ifk-verify %s: ", IFK_VERSION);
	ifk_cli_put_text(stdout, ifk_cli_str(r, "target"));
	printf(" (%s)\n", ifk_cli_str(r, "kind"));
	for (i = 0; i < json_array_size(checks); i++) {
		json_t *c = json_array_get(checks, i), *f = json_object_get(c, "findings");
		char line[1024];
		summary(c, a, line, sizeof(line));
		printf("%-4s  %s: ", ifk_cli_str(c, "status"), ifk_cli_str(c, "name"));
		ifk_cli_put_text(stdout, line);
		putchar('\n');
		for (j = 0; j < json_array_size(f); j++) {
			json_t *x = json_array_get(f, j);
			if (!a->verbose && strcmp(ifk_cli_str(x, "level"), "pass") == 0)
				continue;
			printf("        %s ", ifk_cli_str(x, "level"));
			ifk_cli_put_text(stdout,
			                 *ifk_cli_str(x, "file") ? ifk_cli_str(x, "file") : "-");
			fputs(": ", stdout);
			ifk_cli_put_text(stdout, ifk_cli_str(x, "reason"));
			putchar('\n');
		}
		if (ifk_cli_num(c, "failures") + ifk_cli_num(c, "warnings") >
		    (long long)json_array_size(f))
			printf("        (%lld more findings not listed)\n",
			       ifk_cli_num(c, "failures") + ifk_cli_num(c, "warnings") -
			           (long long)json_array_size(f));
	}
	if (*ifk_cli_str(r, "custody_appended"))
		printf("custody: appended entry %s\n", ifk_cli_str(r, "custody_appended"));
	else if (*ifk_cli_str(r, "custody_append_error"))
		printf("custody: nothing appended: %s\n", ifk_cli_str(r, "custody_append_error"));
	print_verdict(r);
}

static void print_signature(json_t *sig, const struct args *a)
{
	printf("signature: ");
	if (!json_is_true(json_object_get(sig, "valid"))) {
		fputs("INVALID: ", stdout);
		ifk_cli_put_text(stdout, ifk_cli_str(sig, "reason"));
	} else {
		fputs("valid, signed by ", stdout);
		ifk_cli_put_text(stdout, ifk_cli_str(sig, "subject"));
		printf(" at %s (%s)", ifk_cli_str(sig, "signing_time"),
		       json_is_true(json_object_get(sig, "trusted")) ? "trusted via --trust"
		       : a->o.trust_path                             ? "NOT trusted via --trust"
		       : json_is_true(json_object_get(sig, "self_signed"))
		           ? "self-signed; give --trust CERT to check whose"
		           : "not checked against a trusted certificate");
	}
	putchar('\n');
}

static void print_report(json_t *r, const struct args *a)
{
	json_t *f = json_object_get(r, "findings"), *head = json_object_get(r, "custody_head");
	json_t *bc = json_object_get(r, "bag_custody");
	size_t i;

	printf("ifk-verify %s: ", IFK_VERSION);
	ifk_cli_put_text(stdout, ifk_cli_str(r, "target"));
	printf(" (%s)\n", ifk_cli_str(r, "kind"));
	print_signature(json_object_get(r, "signature"), a);
	printf("members: %lld\n", ifk_cli_num(r, "members"));
	if (json_is_object(head))
		printf("custody head: entry %lld, %s\n", ifk_cli_num(head, "head_seq"),
		       ifk_cli_str(head, "head"));
	if (json_is_object(bc))
		printf("bag custody log: %lld entries; the head %s\n", ifk_cli_num(bc, "entries"),
		       json_is_true(json_object_get(bc, "head_found")) ? "is in it"
		                                                       : "is NOT in it");
	for (i = 0; i < json_array_size(f); i++) {
		json_t *x = json_array_get(f, i);
		printf("fail  ");
		ifk_cli_put_text(stdout, *ifk_cli_str(x, "file") ? ifk_cli_str(x, "file") : "-");
		fputs(": ", stdout);
		ifk_cli_put_text(stdout, ifk_cli_str(x, "reason"));
		putchar('\n');
	}
	if (ifk_cli_num(r, "failures") > (long long)json_array_size(f))
		printf("(%lld more findings not listed)\n",
		       ifk_cli_num(r, "failures") - (long long)json_array_size(f));
	printf("ifk-verify: %s\n", ifk_cli_str(r, "verdict"));
}

/* REPORT [BAG]: checked read-only; a report gets no custody entry. */
static int run_report(const struct args *a)
{
	struct ifk_error err = {0};
	json_t *r = NULL;
	int rc = ifk_verify_report(a->o.target, a->bag, a->o.trust_path, &r, &err), code;

	if (rc) {
		fputs("ifk-verify: ", stderr);
		ifk_cli_put_safe(stderr, a->o.target);
		fprintf(stderr, " is a file, so it is checked as a report archive: %s\n", err.msg);
		return EXIT_IO;
	}
	if (a->json) {
		json_dumpf(r, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (!a->quiet) {
		print_report(r, a);
	} else {
		printf("ifk-verify: %s\n", ifk_cli_str(r, "verdict"));
	}
	code = strcmp(ifk_cli_str(r, "verdict"), "PASS") == 0 ? EXIT_PASS : EXIT_FAIL;
	json_decref(r);
	return code;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	struct sigaction sa = {0};
	struct ifk_error err = {0};
	json_t *report = NULL;
	int rc, code;

	if (parse_args(argc, argv, &a) != 0)
		return EXIT_USAGE;
	ifk_cli_init();
	if (preflight(&a) != 0)
		return EXIT_USAGE;
	if (a.report) {
		ifk_cli_password_wipe(&a.pw); /* a report needs no password */
		return run_report(&a);
	}
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
	rc = ifk_verify_run(&a.o, &report, &err);
	if (a.o.progress)
		fputc('\n', stderr);
	ifk_cli_password_wipe(&a.pw);
	if (a.pw.err.code && a.pw.err.code != IFK_ENOTFOUND)
		fprintf(stderr, "ifk-verify: password: %s\n", a.pw.err.msg);
	if (!report) {
		fprintf(stderr, "ifk-verify: %s\n", err.msg);
		return rc == IFK_EINTR ? EXIT_INTR : EXIT_IO;
	}
	if (rc == IFK_EIO)
		fprintf(stderr,
		        "ifk-verify: cannot append to the custody log (use --read-only for "
		        "write-protected media): %s\n",
		        err.msg);
	if (a.json) {
		json_dumpf(report, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (!a.quiet) {
		print_human(report, &a);
	} else {
		print_verdict(report);
	}
	code = strcmp(ifk_cli_str(report, "verdict"), "PASS") == 0 ? EXIT_PASS : EXIT_FAIL;
	json_decref(report);
	return rc == IFK_EIO ? EXIT_IO : code;
}
