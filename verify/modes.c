/* ifk-verify's fleet check and lost-password modes (modes.h). Nothing here
 * writes into a backup or bag: the fleet check is read-only, and a
 * password search reads the keybag alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ifk/verify.h>

#include "modes.h"

/* ---- which mode ---- */

/* The fleet check is asked for by --fleet, by one of its own options, or
 * by several targets (other than a report archive and its bag). */
static int fleet_mode(const struct ifk_cli *c, const struct verify_args *a, int report)
{
	return a->fleet || a->max_age || a->require_encrypted || a->metrics ||
	       (c->noperands > 1 && !(report && c->noperands == 2));
}

int other_mode_asked(const struct ifk_cli *c, const struct verify_args *a, int report)
{
	return a->fleet || a->max_age || a->require_encrypted || a->metrics ||
	       a->export_hash || a->password_list || a->password_out || c->noperands > 2 ||
	       (c->noperands == 2 && !report);
}

int run_other_mode(struct ifk_cli *c, const struct verify_args *a, int report)
{
	if (a->export_hash + !!a->password_list + fleet_mode(c, a, report) > 1)
		return ifk_cli_usage_error(
		    c, "--export-hash, --password-list and the fleet check go one at a time");
	if (a->password_out && !a->password_list)
		return ifk_cli_usage_error(c, "--password-out goes with --password-list");
	if (a->jobs < 0 || a->jobs > 256)
		return ifk_cli_usage_error(c, "--jobs: 1 to 256");
	if ((a->export_hash || a->password_list) && c->noperands != 1)
		return ifk_cli_usage_error(c, "give one backup folder or bag");
	if (fleet_mode(c, a, report) && c->password_file)
		return ifk_cli_usage_error(
		    c, "--password-file goes with one backup (the fleet check does not decrypt)");
	if (ifk_cli_secrets(c))
		return IFK_EXIT_USAGE;
	ifk_cli_secrets_end(c); /* these modes take no password */
	if (a->export_hash)
		return run_export_hash(c);
	if (a->password_list)
		return run_password_list(c, a);
	return run_fleet(c, a);
}

/* ---- the fleet check ---- */

static void print_row(void *ctx, const json_t *row)
{
	struct ifk_cli *c = ctx;
	json_t *reasons = json_object_get(row, "reasons"), *r;
	char *text;
	size_t i;

	if (c->json) {
		text = json_dumps(row, JSON_COMPACT);
		if (text)
			puts(text);
		free(text);
		fflush(stdout);
		return;
	}
	if (c->quiet || !(text = ifk_fleet_row_text(row)))
		return;
	ifk_cli_put_text(stdout, text);
	putchar('\n');
	free(text);
	/* -v: every reason, not only the first */
	json_array_foreach(reasons, i, r)
	{
		if (!c->verbose || i == 0)
			continue;
		fputs("    ", stdout);
		ifk_cli_put_text(stdout, json_string_value(r));
		putchar('\n');
	}
	fflush(stdout);
}

int run_fleet(struct ifk_cli *c, const struct verify_args *a)
{
	struct ifk_fleet_opts fo = {.targets = (const char *const *)c->operands,
	                            .ntargets = (size_t)c->noperands,
	                            .max_age = a->max_age,
	                            .require_encrypted = a->require_encrypted,
	                            .quick = a->quick,
	                            .strict = a->strict,
	                            .jobs = (unsigned)a->jobs,
	                            .trust_path = c->trust,
	                            .now = time(NULL),
	                            .stop = c->stop,
	                            .row = print_row,
	                            .row_ctx = c};
	struct ifk_error err = {0};
	json_t *rows = NULL, *summary = NULL;
	char why[sizeof(err.msg) + 32], *text;
	const char *verdict;
	int rc, code;

	c->json_lines = 1;
	ifk_cli_signals(c);
	rc = ifk_fleet_run(&fo, &rows, &summary, &err);
	if (rc == IFK_EINTR || (c->stop && *c->stop)) {
		json_decref(rows);
		json_decref(summary);
		return ifk_cli_fail(c, IFK_EXIT_INTR, "interrupted");
	}
	if (rc)
		return ifk_cli_fail(c, IFK_EXIT_IO, "%s", err.msg);
	verdict = ifk_cli_str(summary, "verdict");
	code = ifk_cli_num(summary, "unreadable") ? IFK_EXIT_IO
	       : strcmp(verdict, "PASS") == 0     ? IFK_EXIT_OK
	                                          : IFK_EXIT_NEGATIVE;
	why[0] = '\0';
	if (a->metrics && ifk_fleet_metrics_write(a->metrics, rows, summary, &err) != 0) {
		snprintf(why, sizeof(why), "--metrics: %s", err.msg);
		code = IFK_EXIT_IO;
	}
	if (!c->json && !c->quiet && (text = ifk_fleet_summary_text(summary)) != NULL) {
		ifk_cli_put_text(stdout, text);
		putchar('\n');
		free(text);
	}
	if (!c->json)
		printf("ifk-verify: %s\n", verdict);
	code = ifk_cli_emit(c, summary, verdict, code, why[0] ? why : NULL);
	json_decref(rows);
	json_decref(summary);
	return code;
}

/* ---- the lost password ---- */

int run_export_hash(struct ifk_cli *c)
{
	struct ifk_error err = {0};
	char *line = NULL;
	json_t *out;
	int mode, code;

	if (ifk_verify_export_hash(c->target, &line, &err) != 0)
		return ifk_cli_fail(c, err.code == IFK_EINVAL ? IFK_EXIT_USAGE : IFK_EXIT_IO, "%s",
		                    err.msg);
	/* "$itunes_backup$*10*": iOS 10.2 and later, a second derivation */
	mode = strncmp(line, "$itunes_backup$*10*", 19) == 0 ? 14800 : 14700;
	if (!c->json) {
		puts(line);
		fflush(stdout);
		if (!c->quiet)
			fprintf(stderr, "ifk-verify: hashcat -m %d, or John the Ripper (itunes-backup)\n",
			        mode);
	}
	out = json_pack("{s:s, s:i}", "hash", line, "hashcat_mode", mode);
	code = ifk_cli_emit(c, out, "exported", IFK_EXIT_OK, NULL);
	json_decref(out);
	free(line);
	return code;
}

/* The found password into a new file only its owner may read. */
static int write_password(const char *path, const struct ifk_password_result *r,
                          struct ifk_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	ssize_t n = -1;

	if (fd < 0)
		return ifk_error_set(err, IFK_EIO, "--password-out %s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) == 0 && (n = write(fd, r->password, r->password_len)) ==
	                                 (ssize_t)r->password_len)
		n = write(fd, "\n", 1);
	if (n != 1 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return ifk_error_set(err, IFK_EIO, "--password-out %s: %s", path, strerror(e));
	}
	if (close(fd) != 0)
		return ifk_error_set(err, IFK_EIO, "--password-out %s: %s", path, strerror(errno));
	return 0;
}

int run_password_list(struct ifk_cli *c, const struct verify_args *a)
{
	struct ifk_password_search o = {.target = c->target,
	                                .list_path = a->password_list,
	                                .jobs = (unsigned)a->jobs,
	                                .stop = c->stop};
	struct ifk_password_result r = {0};
	struct ifk_error err = {0};
	const char *list = strcmp(a->password_list, "-") == 0 ? "standard input" : a->password_list;
	struct stat st;
	json_t *out;
	int rc, code;

	/* what would stop the search's result from being kept, before the search */
	if (a->password_out && lstat(a->password_out, &st) == 0)
		return ifk_cli_usage_error(c, "--password-out %s exists: give a new file's name",
		                           a->password_out);
	if (strcmp(a->password_list, "-") != 0 && access(a->password_list, R_OK) != 0)
		return ifk_cli_usage_error(c, "--password-list %s: %s", a->password_list,
		                           strerror(errno));
	ifk_cli_signals(c);
	rc = ifk_verify_password_search(&o, &r, &err);
	if (rc == IFK_EINTR)
		return ifk_cli_fail(c, IFK_EXIT_INTR, "interrupted after %llu candidates",
		                    (unsigned long long)r.tried);
	if (rc && rc != IFK_ENOTFOUND)
		return ifk_cli_fail(c, rc == IFK_EINVAL ? IFK_EXIT_USAGE : IFK_EXIT_IO, "%s",
		                    err.msg);
	if (!rc && a->password_out && write_password(a->password_out, &r, &err) != 0) {
		OPENSSL_clear_free(r.password, r.password_len);
		return ifk_cli_fail(c, IFK_EXIT_IO, "found (line %llu), but %s",
		                    (unsigned long long)r.line, err.msg);
	}
	if (r.password)
		OPENSSL_clear_free(r.password, r.password_len);
	if (!c->json && !c->quiet && !rc)
		printf("the password is line %llu of %s (%llu candidates tried on %u threads)%s%s\n",
		       (unsigned long long)r.line, list, (unsigned long long)r.tried,
		       r.threads, a->password_out ? "; written to " : "",
		       a->password_out ? a->password_out : "");
	else if (!c->json && !c->quiet)
		printf("none of the %llu candidates in %s is the password (%llu lines skipped: "
		       "empty, or longer than 4096 bytes)\n",
		       (unsigned long long)r.tried, list, (unsigned long long)r.skipped);
	if (!c->json)
		printf("ifk-verify: %s\n", rc ? "NOT FOUND" : "FOUND");
	out = json_pack("{s:b, s:I, s:I, s:I, s:i, s:s?}", "found", !rc, "line",
	                (json_int_t)(rc ? 0 : r.line), "tried", (json_int_t)r.tried, "skipped",
	                (json_int_t)r.skipped, "threads", (int)r.threads, "password_out",
	                rc ? NULL : a->password_out);
	code = ifk_cli_emit(c, out, rc ? "not-found" : "found",
	                    rc ? IFK_EXIT_NEGATIVE : IFK_EXIT_OK, NULL);
	json_decref(out);
	return code;
}
