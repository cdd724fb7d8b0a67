/* ifk-parse's engine: the checks before anything is written, the one pass
 * (verification, tapped), the artifact runs, the outputs and the custody
 * entry. */
#include <ifk/parse.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "formats.h"
#include "core.h"
#include "parse_int.h"

#define TOP_PLIST_MAX (64u * 1024 * 1024)

static const char *const top_plists[] = {"Info.plist", "Manifest.plist", "Status.plist", NULL};

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* ---- the verification report ---- */

/* A check's status in the verification report ("pass", "fail", ...). */
static const char *check_status(json_t *report, const char *name)
{
	json_t *checks = json_object_get(report, "checks");
	size_t i;

	for (i = 0; i < json_array_size(checks); i++) {
		json_t *c = json_array_get(checks, i);
		const char *n = json_string_value(json_object_get(c, "name"));
		if (n && strcmp(n, name) == 0)
			return json_string_value(json_object_get(c, "status"));
	}
	return "";
}

static json_t *check_info(json_t *report, const char *name)
{
	json_t *checks = json_object_get(report, "checks");
	size_t i;

	for (i = 0; i < json_array_size(checks); i++) {
		json_t *c = json_array_get(checks, i);
		const char *n = json_string_value(json_object_get(c, "name"));
		if (n && strcmp(n, name) == 0)
			return json_object_get(c, "info");
	}
	return NULL;
}

/* ---- set-up ---- */

/* "--only: no artifact named 'x'; the artifacts are: a, b, ..." */
static int unknown_artifact(const char *name, struct ifk_error *err)
{
	struct ifk_buf b = {0};
	size_t i;

	ifk_buf_printf(&b, "--only: no artifact named '%.64s'; the artifacts are:", name);
	for (i = 0; ifk_artifacts[i]; i++)
		ifk_buf_printf(&b, "%s %s", i ? "," : "", ifk_artifacts[i]->name);
	ifk_error_set(err, IFK_EINVAL, "%s", b.data ? b.data : "--only: no artifact named so");
	ifk_buf_free(&b);
	return IFK_EINVAL;
}

static int select_artifacts(struct peng *g, struct ifk_error *err)
{
	size_t n = 0, i;
	char *copy, *tok, *save = NULL;

	for (i = 0; ifk_artifacts[i]; i++)
		n++;
	if (!(g->arts = calloc(n + 1, sizeof(*g->arts))))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!g->o->only) {
		memcpy(g->arts, ifk_artifacts, n * sizeof(*g->arts));
		return 0;
	}
	if (!(copy = strdup(g->o->only)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	n = 0;
	for (i = 0; ifk_artifacts[i]; i++) {
		/* registry order, whatever the order of the list */
		char *c2 = strdup(g->o->only);
		for (tok = c2 ? strtok_r(c2, ",", &save) : NULL; tok;
		     tok = strtok_r(NULL, ",", &save))
			if (strcmp(tok, ifk_artifacts[i]->name) == 0) {
				g->arts[n++] = ifk_artifacts[i];
				break;
			}
		free(c2);
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!ifk_artifact_find(tok)) {
			unknown_artifact(tok, err);
			free(copy);
			return IFK_EINVAL;
		}
	free(copy);
	if (!n)
		return unknown_artifact("", err);
	return 0;
}

/* dir must not exist; makes dir.incomplete (0700) and returns its path, only
 * once made: a folder this run did not make is never removed by it. */
static int make_incomplete(const char *dir, const char *what, const char *option, char **out,
                           struct ifk_error *err)
{
	char *path = NULL;
	int rc = 0;

	if (exists(dir))
		return ifk_error_set(
		    err, IFK_EINVAL,
		    "%s: %s exists: ifk-parse never writes into an existing folder", dir, what);
	if (asprintf(&path, "%s%s", dir, IFK_BAG_INCOMPLETE_SUFFIX) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (exists(path))
		rc = ifk_error_set(err, IFK_EINVAL,
		                   "%s exists (left by an ifk-parse run that did not finish): remove "
		                   "it, or choose another %s",
		                   path, option);
	else if (mkdir(path, 0700) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", path);
	if (rc)
		free(path);
	else
		*out = path;
	return rc;
}

/* Evidence is never written to: no output folder, export or temporary may
 * lie inside the bag or backup. */
static int outside_target(const char *target, const char *path, const char *what,
                          struct ifk_error *err)
{
	if (ifk_path_within(target, path))
		return ifk_error_set(err, IFK_EINVAL, "%s: %s would be inside the evidence %s",
		                     path, what, target);
	return 0;
}

static int check_places(const struct ifk_parse_opts *o, struct ifk_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char *tmp_child = NULL;
	int rc = outside_target(o->target, o->out_dir, "the output folder", err);

	if (!rc && o->export_dir)
		rc = outside_target(o->target, o->export_dir, "the export folder", err);
	if (!rc && asprintf(&tmp_child, "%s/x", tmp && *tmp ? tmp : "/tmp") < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc)
		rc = outside_target(o->target, tmp_child, "the temporary folder (TMPDIR)", err);
	free(tmp_child);
	return rc;
}

static int make_tmp(struct peng *g, struct ifk_error *err)
{
	static const char *const subs[] = {"src", "top", NULL};

	return ifk_tmpdir_make("parse", subs, &g->tmpdir, err);
}

static int open_yara_out(struct peng *g, struct ifk_error *err)
{
	char *path = NULL;
	int fd, rc = 0;

	if (!g->yara)
		return 0;
	if (asprintf(&path, "%s/yara.jsonl", g->out_tmp) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(g->yara_out = fdopen(fd, "w"))) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", path);
		if (fd >= 0)
			close(fd);
	}
	free(path);
	return rc;
}

static int setup(struct peng *g, struct ifk_error *err)
{
	char *idx = NULL;
	int rc = select_artifacts(g, err);

	if (!rc)
		rc = check_places(g->o, err);
	if (!rc && (!(g->target_j = ifk_text_escape(g->o->target)) ||
	            !(g->out_j = ifk_text_escape(g->o->out_dir)) ||
	            !(g->export_j = ifk_text_escape(g->o->export_dir ? g->o->export_dir : ""))))
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");

	if (!rc && g->o->yara_rules) {
		rc = ifk_yara_load(g->o->yara_rules, &g->yara, err);
		if (rc == IFK_EFORMAT || rc == IFK_ENOTFOUND)
			rc = IFK_EINVAL; /* the examiner's input: a usage error */
		if (rc)
			err->code = rc;
	}
	if (!rc)
		rc = make_incomplete(g->o->out_dir, "the output folder", "--out", &g->out_tmp, err);
	if (!rc && g->o->export_dir) {
		rc = make_incomplete(g->o->export_dir, "the export folder", "--export", &g->export_tmp,
		                     err);
		if (!rc &&
		    (g->export_fd = open(g->export_tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open", g->export_tmp);
	}
	if (!rc)
		rc = make_tmp(g, err);
	if (!rc && asprintf(&idx, "%s/index.sqlite", g->tmpdir) < 0)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc)
		rc = p_ctx_open(g->out_tmp, g->tmpdir, idx, &g->ctx, err);
	if (!rc)
		rc = open_yara_out(g, err);
	if (!rc && (!(g->export_skips = json_array()) || !(g->yara_error_list = json_array())))
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	free(idx);
	return rc;
}

/* ---- the one pass ---- */

static int run_pass(struct peng *g, json_t **report, struct ifk_error *err)
{
	struct ifk_verify_tap tap;
	struct ifk_verify_opts vo = {
	    .target = g->o->target,
	    .trust_path = g->o->trust_path,
	    .read_only = 1,
	    .password = g->o->password,
	    .password_ctx = g->o->password_ctx,
	    .stop = g->o->stop,
	    .progress = g->o->progress,
	    .progress_ctx = g->o->progress_ctx,
	    .tap = &tap,
	    .keybag_out = &g->kb,
	};
	int rc;

	p_tap_init(g, &tap);
	/* one transaction for the files index: one row per file of the pass */
	sqlite3_exec(g->ctx->idx, "BEGIN", NULL, NULL, NULL);
	rc = ifk_verify_run(&vo, report, err);
	if (!rc && !g->tap_err.code)
		p_ctx_settle(g->ctx, &g->tap_err);
	if (sqlite3_exec(g->ctx->idx, "COMMIT", NULL, NULL, NULL) != SQLITE_OK && !rc &&
	    !g->tap_err.code)
		ifk_error_set(&g->tap_err, IFK_EIO, "files index: %s", sqlite3_errmsg(g->ctx->idx));
	if (g->tap_err.code && (rc == 0 || rc == g->tap_err.code)) {
		json_decref(*report);
		*report = NULL;
		return ifk_error_set(err, g->tap_err.code, "%s", g->tap_err.msg);
	}
	return rc;
}

/* The backup's own plists, kept privately and checked against the bag's
 * payload manifest (the pass checked them; this copy must be the same). */
struct want_hash {
	const char *path;
	char found[129];
};

static int manifest_line(void *ctx, unsigned long lineno, const struct ifk_bag_line *l)
{
	struct want_hash *w = ctx;

	(void)lineno;
	if (l->checksum && strcmp(l->path, w->path) == 0)
		snprintf(w->found, sizeof(w->found), "%s", l->checksum);
	return 0;
}

static int top_plist(struct peng *g, int tfd, int bfd, int bag, const char *name,
                     struct ifk_error *err)
{
	char *buf = NULL, *copy = NULL, hex[IFK_SHA256_HEX], rel[64];
	struct want_hash w = {rel, ""};
	size_t len = 0;
	int rc = ifk_read_small(bfd, name, TOP_PLIST_MAX, &buf, &len, NULL);

	if (rc)
		return 0; /* absent or unreadable: the verification said so */
	ifk_sha256_hex(buf, len, hex);
	snprintf(rel, sizeof(rel), "data/%s", name);
	if (bag)
		ifk_bag_manifest_foreach(tfd, IFK_BAG_MANIFEST, NULL, NULL, manifest_line, &w,
		                         NULL);
	if (asprintf(&copy, "%s/top/%s", g->tmpdir, name) < 0)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	else if (bag && strcasecmp(w.found, hex) != 0)
		rc = p_ctx_index(g->ctx, "", name, NULL, len, 0, 0, 0, NULL, "failed",
		                 "changed since the verification pass", NULL, err);
	else if (!(rc = ifk_write_new(AT_FDCWD, copy, buf, len, 0600, err)))
		rc = p_ctx_index(g->ctx, "", name, NULL, len, 0, 0, 0, hex, "ok", NULL, copy, err);
	free(copy);
	free(buf);
	return rc;
}

static int top_plists_load(struct peng *g, const char *kind, struct ifk_error *err)
{
	int bag = strcmp(kind, "backup") != 0;
	int tfd = open(g->o->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC), bfd, rc = 0, i;

	if (tfd < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open", g->o->target);
	bfd = bag ? openat(tfd, IFK_BAG_PAYLOAD, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
	          : dup(tfd);
	for (i = 0; bfd >= 0 && !rc && top_plists[i]; i++)
		rc = top_plist(g, tfd, bfd, bag, top_plists[i], err);
	if (bfd >= 0)
		close(bfd);
	close(tfd);
	return rc;
}

/* ---- artifacts ---- */

#define ART_FINDINGS_MAX 20

/* Whether a verification finding's file names one of the artifact's
 * sources: by fileID (every finding on a backup file carries it), by its
 * name (the top-level plists), or by a folder's domain/prefix. */
static int finding_touches(const struct ifk_artifact *art, const char *file)
{
	static const char *const companions[] = {"", "-wal", "-shm"};
	const struct ifk_art_source *src;
	char id[IFK_FILE_ID_LEN + 1], *path = NULL;
	size_t k, n;
	int hit = 0;

	for (src = art->sources; !hit && src->domain; src++) {
		n = strlen(src->path);
		if (!*src->domain) {
			hit = strcmp(file, src->path) == 0;
		} else if (n && src->path[n - 1] == '/') {
			hit = strncmp(file, src->domain, strlen(src->domain)) == 0 &&
			      file[strlen(src->domain)] == '/' &&
			      strncmp(file + strlen(src->domain) + 1, src->path, n) == 0;
		} else {
			for (k = 0; !hit && k < 3; k++) {
				if (asprintf(&path, "%s%s", src->path, companions[k]) < 0)
					return 0;
				if (ifk_file_id(src->domain, path, id, NULL) == 0)
					hit = strstr(file, id) != NULL;
				free(path);
			}
		}
	}
	return hit;
}

/* Lists, beside an artifact's status, the verification findings that touch
 * its sources, so that a row's trust can be judged where it is read. */
static void artifact_findings(const struct ifk_artifact *art, json_t *report, json_t *st)
{
	json_t *checks = json_object_get(report, "checks"), *list = json_array();
	size_t i, j, total = 0;

	for (i = 0; i < json_array_size(checks); i++) {
		json_t *c = json_array_get(checks, i), *f = json_object_get(c, "findings");
		for (j = 0; j < json_array_size(f); j++) {
			json_t *x = json_array_get(f, j);
			const char *file = json_string_value(json_object_get(x, "file"));
			if (!file || !*file || !finding_touches(art, file))
				continue;
			if (++total <= ART_FINDINGS_MAX)
				json_array_append_new(
				    list, json_pack("{s:O, s:O, s:O, s:O}", "check",
				                    json_object_get(c, "name"), "level",
				                    json_object_get(x, "level"), "file",
				                    json_object_get(x, "file"), "reason",
				                    json_object_get(x, "reason")));
		}
	}
	if (total) {
		json_object_set_new(st, "verification_findings", list);
		json_object_set_new(st, "verification_findings_total",
		                    json_integer((json_int_t)total));
	} else {
		json_decref(list);
	}
}

static int run_artifacts(struct peng *g, json_t *report, json_t *arr, int *findings,
                         struct ifk_error *err)
{
	size_t i;
	int rc = 0;

	ifk_parse_ctx_set_keybag(g->ctx, g->kb);
	ifk_parse_ctx_set_include_secrets(g->ctx, g->o->include_secrets);
	g->ctx->stop = g->o->stop;
	for (i = 0; !rc && g->arts[i]; i++) {
		json_t *st = NULL;
		const char *s;
		rc = ifk_parse_ctx_run(g->ctx, g->arts[i], &st, err);
		if (rc)
			break;
		s = json_string_value(json_object_get(st, "status"));
		/* absent and not_decryptable are what the backup is, not flaws */
		if (strcmp(s, "ok") != 0 && strcmp(s, "absent") != 0 &&
		    strcmp(s, "not_decryptable") != 0)
			*findings = 1;
		artifact_findings(g->arts[i], report, st);
		json_array_append_new(arr, st);
	}
	if (!rc)
		rc = p_out_finish(g->ctx, err);
	return rc;
}

/* ---- outputs ---- */

static int write_json_file(const char *dir, const char *name, json_t *j, struct ifk_error *err)
{
	char *path = NULL, *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	int rc;

	if (!text || asprintf(&path, "%s/%s", dir, name) < 0) {
		free(text);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	rc = ifk_write_new(AT_FDCWD, path, text, strlen(text), 0600, err);
	if (!rc) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0 || ifk_write_all(fd, "\n", 1, path, err) != 0 || fsync(fd) != 0)
			rc = ifk_error_sys(err, IFK_EIO, errno, "%s: write failed", path);
		if (fd >= 0)
			close(fd);
	}
	free(text);
	free(path);
	return rc;
}

static void output_hash(json_t *o, const char *dir, const char *name)
{
	char *path = NULL, hex[IFK_SHA256_HEX];
	uint64_t n = 0;
	int fd;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return;
	fd = ifk_open_regular(AT_FDCWD, path, NULL);
	if (fd >= 0 && ifk_sha256_fd(fd, hex, &n, path, NULL) == 0)
		json_object_set_new(o, name,
		                    json_pack("{s:s, s:I}", "sha256", hex, "bytes", (json_int_t)n));
	if (fd >= 0)
		close(fd);
	free(path);
}

/* SHA-256 of every output file, for parse.json. */
static json_t *outputs_json(struct peng *g)
{
	static const char *const fixed[] = {"artifacts.sqlite", "timeline.csv", "verify.json",
	                                    "yara.jsonl", NULL};
	json_t *o = json_object();
	char name[160];
	size_t i;

	for (i = 0; fixed[i]; i++)
		output_hash(o, g->out_tmp, fixed[i]);
	for (i = 0; g->arts[i]; i++) {
		snprintf(name, sizeof(name), "%s.jsonl", g->arts[i]->name);
		output_hash(o, g->out_tmp, name);
	}
	return o;
}

#define FAILURES_LISTED 20

/* The first failures of the verification, and how many there are: what
 * made the outcome "findings" or "refused" (verify.json has them all). */
static void verification_failures(json_t *v, json_t *report)
{
	json_t *checks = json_object_get(report, "checks"), *list = json_array();
	json_int_t total = 0;
	size_t i, j;

	for (i = 0; i < json_array_size(checks); i++) {
		json_t *c = json_array_get(checks, i), *f = json_object_get(c, "findings");
		total += json_integer_value(json_object_get(c, "failures"));
		for (j = 0; j < json_array_size(f) && json_array_size(list) < FAILURES_LISTED;
		     j++) {
			json_t *x = json_array_get(f, j);
			if (strcmp(json_string_value(json_object_get(x, "level")), "fail") != 0)
				continue;
			json_array_append_new(list, json_pack("{s:O, s:O, s:O}", "check",
			                                      json_object_get(c, "name"), "file",
			                                      json_object_get(x, "file"), "reason",
			                                      json_object_get(x, "reason")));
		}
	}
	json_object_set_new(v, "failures", list);
	json_object_set_new(v, "failures_total", json_integer(total));
}

static json_t *verification_json(struct peng *g, json_t *report)
{
	json_t *v = json_object(), *checks = json_object(),
	       *arr = json_object_get(report, "checks");
	const char *kind = json_string_value(json_object_get(report, "kind"));
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		json_t *c = json_array_get(arr, i);
		json_object_set(checks, json_string_value(json_object_get(c, "name")),
		                json_object_get(c, "status"));
	}
	json_object_set(v, "verdict", json_object_get(report, "verdict"));
	json_object_set_new(v, "checks", checks);
	verification_failures(v, report);
	json_object_set_new(v, "no_verify", json_boolean(g->o->no_verify));
	if (kind && strcmp(kind, "ifk-bag") != 0)
		json_object_set_new(
		    v, "note",
		    json_string(strcmp(kind, "backup") == 0
		                    ? "a raw backup folder: there is no seal to check"
		                    : "not a sealed ifk bag: there is no seal to check"));
	return v;
}

/* What names the evidence this parse was made from: the bag's sealed
 * acquisition record and first custody entry, and the device. ifk-report
 * refuses a parse folder whose evidence is not its bag. */
static json_t *evidence_json(json_t *report)
{
	json_t *e = json_object(), *v;

	v = json_object_get(check_info(report, "seal"), "acquisition_record_sha256");
	if (v)
		json_object_set(e, "acquisition_record_sha256", v);
	v = json_object_get(check_info(report, "custody"), "genesis_sha256");
	if (v)
		json_object_set(e, "custody_genesis_sha256", v);
	v = json_object_get(json_object_get(check_info(report, "backup"), "device"), "udid");
	if (v)
		json_object_set(e, "udid", v);
	return e;
}

static json_t *summary_new(struct peng *g, json_t *report, time_t start)
{
	char t0[21];
	json_t *s;

	ifk_time_iso(start, t0);
	s = json_pack("{s:s, s:s, s:i, s:s, s:O, s:O, s:s, s:b}", "tool", "ifk-parse", "version",
	              IFK_VERSION, "format_version", 1, "target", g->target_j, "kind",
	              json_object_get(report, "kind"), "sealed", json_object_get(report, "sealed"),
	              "started", t0, "encrypted", g->kb != NULL);
	json_object_set_new(s, "evidence", evidence_json(report));
	json_object_set_new(s, "verification", verification_json(g, report));
	return s;
}

static void summary_finish(struct peng *g, json_t *s, json_t *arts, const char *outcome)
{
	char t1[21];

	ifk_time_iso(time(NULL), t1);
	json_object_set_new(s, "ended", json_string(t1));
	json_object_set_new(s, "outcome", json_string(outcome));
	json_object_set_new(s, "files",
	                    json_pack("{s:I, s:I, s:I, s:I}", "read", (json_int_t)g->files_ok,
	                              "bytes", (json_int_t)g->bytes_ok,
	                              "not_decryptable_off_device", (json_int_t)g->files_off_device,
	                              "failed", (json_int_t)g->files_failed));
	json_object_set(s, "artifacts", arts);
	if (g->yara)
		json_object_set_new(s, "yara",
		                    json_pack("{s:o, s:s, s:i, s:I, s:I, s:I, s:O}", "rules",
		                              ifk_json_text(g->o->yara_rules), "rules_sha256",
		                              ifk_yara_rules_sha256(g->yara), "rule_count",
		                              (int)ifk_yara_rule_count(g->yara), "files_scanned",
		                              (json_int_t)g->yara_files, "matches",
		                              (json_int_t)g->yara_matches, "files_not_scanned",
		                              (json_int_t)g->yara_errors, "errors",
		                              g->yara_error_list));
	else
		json_object_set_new(s, "yara", json_null());
	if (g->o->export_dir)
		json_object_set_new(s, "export",
		                    json_pack("{s:s, s:I, s:I, s:O}", "path", g->export_j, "files",
		                              (json_int_t)g->exported, "skipped",
		                              (json_int_t)g->export_skipped, "skips",
		                              g->export_skips));
	else
		json_object_set_new(s, "export", json_null());
}

static int custody(struct peng *g, json_t *summary, const char *result, const char *parse_sha,
                   struct ifk_error *err)
{
	struct ifk_custody_event ev = {"ifk-parse",    "parse",    result,
	                               g->o->examiner, time(NULL), NULL};
	json_t *d, *arts = json_object(), *arr = json_object_get(summary, "artifacts");
	char hash[65];
	size_t i;
	int fd, rc;

	for (i = 0; i < json_array_size(arr); i++) {
		json_t *a = json_array_get(arr, i);
		json_object_set_new(arts, json_string_value(json_object_get(a, "name")),
		                    json_pack("{s:O, s:O}", "status", json_object_get(a, "status"),
		                              "rows", json_object_get(a, "rows")));
	}
	d = json_pack("{s:s, s:O, s:o}", "output", g->out_j, "verification",
	              json_object_get(summary, "verification"), "artifacts", arts);
	if (parse_sha)
		json_object_set_new(d, "parse_json_sha256", json_string(parse_sha));
	if (g->yara)
		json_object_set_new(d, "yara_rules_sha256",
		                    json_string(ifk_yara_rules_sha256(g->yara)));
	if (g->o->export_dir)
		json_object_set_new(d, "export", json_string(g->export_j));
	if (!d)
		return ifk_error_set(err, IFK_ENOMEM, "cannot build the custody entry");
	ev.details = d;
	fd = open(g->o->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = fd < 0 ? ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open", g->o->target)
	            : ifk_custody_append(fd, &ev, hash, err);
	if (fd >= 0)
		close(fd);
	if (!rc)
		json_object_set_new(summary, "custody_appended", json_string(hash));
	json_decref(d);
	return rc;
}

static int publish(const char *tmp, const char *final, struct ifk_error *err)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) != 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot rename to %s", tmp, final);
	return 0;
}

static int write_outputs(struct peng *g, json_t *summary, json_t *report, char parse_sha[65],
                         struct ifk_error *err)
{
	char *path = NULL;
	int rc, fd;
	uint64_t n;

	if (g->yara_out) {
		rc = fclose(g->yara_out);
		g->yara_out = NULL;
		if (rc != 0)
			return ifk_error_sys(err, IFK_EIO, errno, "%s/yara.jsonl: write failed",
			                     g->out_tmp);
	}
	rc = write_json_file(g->out_tmp, "verify.json", report, err);
	if (!rc)
		json_object_set_new(summary, "outputs", outputs_json(g));
	if (!rc)
		rc = write_json_file(g->out_tmp, "parse.json", summary, err);
	if (!rc && asprintf(&path, "%s/parse.json", g->out_tmp) >= 0) {
		fd = ifk_open_regular(AT_FDCWD, path, err);
		rc = fd < 0 ? fd : ifk_sha256_fd(fd, parse_sha, &n, path, err);
		if (fd >= 0)
			close(fd);
		free(path);
	}
	/* the export first: once the output folder is there, the run is done */
	if (!rc && g->export_tmp && !(rc = publish(g->export_tmp, g->o->export_dir, err)))
		g->export_published = 1;
	if (!rc && !(rc = publish(g->out_tmp, g->o->out_dir, err)))
		g->out_published = 1;
	return rc;
}

/* An encrypted backup without a password cannot be parsed: say so rather
 * than fail every artifact. */
static int need_password(json_t *report, struct ifk_error *err)
{
	json_t *checks = json_object_get(report, "checks");
	size_t i;

	for (i = 0; i < json_array_size(checks); i++) {
		json_t *c = json_array_get(checks, i);
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *reason = json_string_value(json_object_get(c, "reason"));
		if (name && strcmp(name, "encryption") == 0 && reason &&
		    strstr(reason, "no password"))
			return ifk_error_set(err, IFK_EINVAL,
			                     "%s is encrypted: give its password (--password-file, "
			                     "IFK_PASSWORD or the terminal)",
			                     json_string_value(json_object_get(report, "target")));
	}
	return 0;
}

/* A wrong password leaves nothing to parse (the index itself does not
 * decrypt): refused even under --no-verify. */
static int wrong_password(json_t *report)
{
	return ifk_verify_wrong_password(report);
}

/* Only what may have been altered is refused: a failed seal or custody
 * chain. The backup's own flaws are findings to parse around. */
static int integrity_failed(json_t *report)
{
	return strcmp(check_status(report, "seal"), "fail") == 0 ||
	       strcmp(check_status(report, "custody"), "fail") == 0;
}

/* ---- the whole run ---- */

/* Removes every temporary, and every output folder this run made but did
 * not publish (they hold decrypted evidence). */
static void release(struct peng *g)
{
	ifk_parse_ctx_free(g->ctx);
	if (g->yara_out)
		fclose(g->yara_out);
	ifk_yara_free(g->yara);
	if (g->export_fd >= 0)
		close(g->export_fd);
	ifk_tree_remove(g->tmpdir);
	if (g->out_tmp && !g->out_published)
		ifk_tree_remove(g->out_tmp);
	if (g->export_tmp && !g->export_published)
		ifk_tree_remove(g->export_tmp);
	free(g->target_j);
	free(g->out_j);
	free(g->export_j);
	free(g->tmpdir);
	free(g->out_tmp);
	free(g->export_tmp);
	free(g->arts);
	json_decref(g->export_skips);
	json_decref(g->yara_error_list);
	ifk_keybag_free(g->kb);
}

static int refuse(struct peng *g, json_t *report, time_t start, const char *why, json_t **summary,
                  struct ifk_error *err)
{
	json_t *s = summary_new(g, report, start), *arts = json_array();
	int rc;

	if (!s || !arts) {
		json_decref(s);
		json_decref(arts);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	summary_finish(g, s, arts, "refused");
	json_object_set_new(s, "refused_because", json_string(why));
	json_object_set(s, "verify_report", report);
	json_decref(arts);
	*summary = s;
	if (strcmp(json_string_value(json_object_get(report, "kind")), "ifk-bag") == 0 &&
	    !g->o->read_only && (rc = custody(g, s, "refused", NULL, err)) != 0)
		return ifk_error_set(err, IFK_EIO, "no custody entry was appended: %s", err->msg);
	return 0;
}

static int parse_and_write(struct peng *g, json_t *report, time_t start, json_t **summary,
                           enum ifk_parse_outcome *outcome, struct ifk_error *err)
{
	json_t *s = summary_new(g, report, start), *arts = json_array();
	const char *kind = json_string_value(json_object_get(report, "kind"));
	char parse_sha[IFK_SHA256_HEX] = "";
	int findings = strcmp(json_string_value(json_object_get(report, "verdict")), "PASS") != 0;
	int rc = s && arts ? top_plists_load(g, kind, err)
	                   : ifk_error_set(err, IFK_ENOMEM, "out of memory");

	if (!rc)
		rc = run_artifacts(g, report, arts, &findings, err);
	if (!rc && (g->files_failed || g->yara_errors))
		findings = 1;
	*outcome = findings ? IFK_PARSE_FINDINGS : IFK_PARSE_OK;
	summary_finish(g, s, arts, findings ? "findings" : "ok");
	json_decref(arts);
	if (!rc)
		rc = write_outputs(g, s, report, parse_sha, err);
	if (rc) {
		json_decref(s);
		return rc;
	}
	*summary = s;
	/* the outputs are complete and published: a custody entry that cannot
	 * be appended is reported, and the summary still stands */
	if (strcmp(kind, "ifk-bag") == 0 && !g->o->read_only &&
	    (rc = custody(g, s, findings ? "findings" : "ok", parse_sha, err)) != 0)
		rc = ifk_error_set(
		    err, IFK_EIO, "the outputs are complete, but no custody entry was appended: %s",
		    err->msg);
	return rc;
}

int ifk_parse_run(const struct ifk_parse_opts *o, json_t **summary, enum ifk_parse_outcome *outcome,
                  struct ifk_error *err)
{
	struct peng g = {.o = o, .export_fd = -1};
	json_t *report = NULL;
	time_t start = time(NULL);
	int rc;

	*summary = NULL;
	*outcome = IFK_PARSE_OK;
	rc = setup(&g, err);
	if (!rc)
		rc = run_pass(&g, &report, err);
	if (!rc && o->stop && *o->stop)
		rc = ifk_error_set(err, IFK_EINTR, "interrupted");
	if (!rc)
		rc = need_password(report, err);
	if (!rc && wrong_password(report)) {
		*outcome = IFK_PARSE_REFUSED;
		rc = refuse(&g, report, start, "wrong-password", summary, err);
	} else if (!rc && integrity_failed(report) && !o->no_verify) {
		*outcome = IFK_PARSE_REFUSED;
		rc = refuse(&g, report, start, "integrity", summary, err);
	} else if (!rc) {
		rc = parse_and_write(&g, report, start, summary, outcome, err);
	}
	json_decref(report);
	release(&g);
	return rc;
}

json_t *ifk_parse_list(void)
{
	json_t *list = json_array();
	size_t i, j;

	for (i = 0; list && ifk_artifacts[i]; i++) {
		const struct ifk_artifact *x = ifk_artifacts[i];
		json_t *src = json_array();
		for (j = 0; x->sources[j].domain; j++) {
			char *w = NULL;
			if (asprintf(&w, "%s%s%s", x->sources[j].domain,
			             *x->sources[j].domain ? "/" : "", x->sources[j].path) >= 0)
				json_array_append_new(src, json_string(w));
			free(w);
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "name", x->name, "title",
		                                      x->title, "sources", src));
	}
	return list;
}
