/* ifk-verify's engine: what the target is, the checks in order, the report
 * and the custody entry. */
#include <ifk/verify.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "core.h"
#include "verify_int.h"

static const char *const check_names[C_COUNT] = {"seal", "custody", "backup", "encryption"};

static int has(int fd, const char *name)
{
	struct stat st;
	return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* An ifk bag is one with any of ifk's own files or bag-info fields: losing
 * the seal or the record does not make it "another tool's bag". */
static int is_ifk_bag(int fd)
{
	char *info = NULL, *format;
	size_t len = 0;
	int ifk = has(fd, IFK_BAG_SEAL) || has(fd, IFK_BAG_RECORD) || has(fd, IFK_CUSTODY_FILE);

	if (!ifk && ifk_read_small(fd, IFK_BAG_INFO, 16u * 1024 * 1024, &info, &len, NULL) == 0) {
		format = ifk_bag_info_get(info, len, "Ifk-Format");
		ifk = format != NULL;
		free(format);
	}
	free(info);
	return ifk;
}

static int is_manifest_name(void *ctx, const char *name, const char *rel)
{
	size_t n = strlen(name);

	(void)ctx;
	(void)rel;
	return strncmp(name, "manifest-", 9) == 0 && n > 13 && strcmp(name + n - 4, ".txt") == 0;
}

/* A bag that lost its bagit.txt is still a bag (and fails as one): a data
 * folder beside a manifest-<alg>.txt. */
static int looks_like_bag(int fd)
{
	struct stat st;
	int dfd, list_errno = 0, found = 0;

	if (fstatat(fd, IFK_BAG_PAYLOAD, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		found = ifk_dir_foreach(dfd, NULL, is_manifest_name, NULL, &list_errno) == 1;
		close(dfd);
	}
	return found;
}

/* The payload is an iOS backup when one of its index or metadata files is
 * at its root; an ifk bag's payload always is. */
static int holds_backup(const struct vctx *v)
{
	return v->kind != VK_BAGIT || has(v->backup_fd, "Manifest.plist") ||
	       has(v->backup_fd, "Manifest.db") || has(v->backup_fd, "Manifest.mbdb") ||
	       has(v->backup_fd, "Info.plist");
}

/* A backup folder, or what a backup that did not complete leaves (its
 * Status.plist, Info.plist or Snapshot folder without an index). */
int v_is_backup_dir(int fd)
{
	return ifk_is_backup_folder(fd) || has(fd, "Info.plist") || has(fd, "Status.plist") ||
	       has(fd, IFK_BACKUP_SNAPSHOT_DIR);
}

int v_is_bag_dir(int fd)
{
	return ifk_is_bag_folder(fd) || looks_like_bag(fd);
}

static int detect(struct vctx *v, struct ifk_error *err)
{
	const char *t = v->o->target;
	size_t n = strlen(t), sl = strlen(IFK_BAG_INCOMPLETE_SUFFIX);
	struct stat st;

	v->target_fd = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (v->target_fd < 0) {
		if (stat(t, &st) == 0 && !S_ISDIR(st.st_mode))
			return ifk_error_set(err, IFK_EFORMAT,
			                     "%s: not a bag or backup folder (a file)", t);
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open", t);
	}
	if (v_is_bag_dir(v->target_fd)) {
		v->kind = is_ifk_bag(v->target_fd) ? VK_IFK_BAG : VK_BAGIT;
		if (v->kind == VK_IFK_BAG &&
		    (!has(v->target_fd, IFK_BAG_SEAL) ||
		     (n > sl && strcmp(t + n - sl, IFK_BAG_INCOMPLETE_SUFFIX) == 0)))
			v->kind = VK_INCOMPLETE;
		v->payload_prefix = "data/";
		v->backup_fd = openat(v->target_fd, IFK_BAG_PAYLOAD,
		                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (v->backup_fd < 0)
			return ifk_error_sys(err, IFK_EFORMAT, errno,
			                     "%s: bag without a data folder", t);
		v->has_backup = holds_backup(v);
		return 0;
	}
	if (v_is_backup_dir(v->target_fd)) {
		v->kind = VK_BACKUP;
		v->payload_prefix = "";
		v->backup_fd = dup(v->target_fd);
		v->has_backup = 1;
		return 0;
	}
	/* a folder of several is named as such */
	return ifk_collection_refuse(
	    v->target_fd, t, IFK_COLLECT_BACKUPS | IFK_COLLECT_BAGS,
	    "not a bag or iOS backup folder (no bagit.txt, Manifest.plist, "
	    "Manifest.db, Manifest.mbdb, Info.plist or Status.plist)",
	    err);
}

static int open_work(struct vctx *v, struct ifk_error *err)
{
	static const char schema[] =
	    "PRAGMA cache_size=-8192; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    "CREATE TABLE payload(path TEXT, alg INTEGER, expected TEXT, seen INTEGER DEFAULT 0,"
	    " PRIMARY KEY(path, alg)) WITHOUT ROWID;"
	    "CREATE TABLE tags(path TEXT, alg INTEGER, expected TEXT, PRIMARY KEY(path, alg))"
	    " WITHOUT ROWID;"
	    "CREATE TABLE tagsums(path TEXT, alg INTEGER, actual TEXT, PRIMARY KEY(path, alg))"
	    " WITHOUT ROWID;"
	    "CREATE TABLE entries_load(file_id TEXT PRIMARY KEY, domain TEXT, relpath TEXT,"
	    " kind INTEGER, size INTEGER, enc_key BLOB, data_hash BLOB, seen INTEGER DEFAULT 0,"
	    " mtime INTEGER, birth INTEGER, class INTEGER);"
	    "CREATE TABLE entries(file_id TEXT PRIMARY KEY, domain TEXT, relpath TEXT,"
	    " kind INTEGER, size INTEGER, enc_key BLOB, data_hash BLOB, seen INTEGER DEFAULT 0,"
	    " mtime INTEGER, birth INTEGER, class INTEGER) WITHOUT ROWID;";

	int rc = ifk_tmpdir_make("verify", NULL, &v->tmpdir, err);

	if (rc)
		return rc;
	if (sqlite3_open_v2("", &v->work,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	        SQLITE_OK ||
	    sqlite3_exec(v->work, schema, NULL, NULL, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "cannot create the temporary work database: %s",
		                     v->work ? sqlite3_errmsg(v->work) : "out of memory");
	return 0;
}

static void release(struct vctx *v)
{
	int i;

	for (i = 0; i < VS_COUNT; i++)
		sqlite3_finalize(v->stmt[i]);
	v_walk_release(v);
	sqlite3_close(v->work);
	ifk_tree_remove(v->tmpdir);
	free(v->tmpdir);
	if (v->target_fd >= 0)
		close(v->target_fd);
	if (v->backup_fd >= 0)
		close(v->backup_fd);
	if (v->o->keybag_out && v->kb && ifk_keybag_is_unlocked(v->kb)) {
		*v->o->keybag_out = v->kb;
		v->kb = NULL;
	}
	ifk_keybag_free(v->kb);
	ifk_backup_meta_free(&v->meta);
	free(v->encoding);
	if (v->plain)
		OPENSSL_cleanse(v->plain, IFK_IO_CHUNK + 32);
	free(v->buf);
	free(v->plain);
	for (i = 0; i < C_COUNT; i++) {
		json_decref(v->c[i].findings);
		json_decref(v->c[i].info);
	}
	json_decref(v->partial);
	json_decref(v->incomplete);
}

static const char *kind_name(enum vkind k)
{
	switch (k) {
	case VK_IFK_BAG:
		return "ifk-bag";
	case VK_INCOMPLETE:
		return "incomplete-ifk-bag";
	case VK_BAGIT:
		return "bagit";
	case VK_BACKUP:
		return "backup";
	}
	return "unknown";
}

static int verdict_pass(const struct vctx *v)
{
	int i;

	for (i = 0; i < C_COUNT; i++)
		if (v->c[i].ran && v->c[i].level == V_FAIL)
			return 0;
	return 1;
}

static json_t *check_json(const struct vcheck *c)
{
	const char *status = c->ran ? v_level_name(c->level) : "skip";
	json_t *j = json_pack("{s:s, s:s, s:I, s:I}", "name", c->name, "status", status, "failures",
	                      (json_int_t)c->nfail, "warnings", (json_int_t)c->nwarn);

	if (!c->ran)
		json_object_set_new(j, "reason", ifk_json_text(c->skip_reason));
	json_object_set(j, "findings", c->findings);
	json_object_set(j, "info", c->info);
	return j;
}

static unsigned long warnings(const struct vctx *v)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < C_COUNT; i++)
		n += v->c[i].ran ? v->c[i].nwarn : 0;
	return n;
}

/* PASS or FAIL; --strict also fails a partial check or any warning, and
 * says so in verdict_reason. */
static void set_verdict(const struct vctx *v, json_t *r)
{
	size_t np = json_array_size(v->partial);
	unsigned long nw = warnings(v);
	int pass = verdict_pass(v);
	char why[160];

	json_object_set_new(r, "partial", json_boolean(np > 0));
	json_object_set(r, "partial_reasons", v->partial);
	json_object_set_new(r, "strict", json_boolean(v->o->strict));
	if (pass && v->o->strict && (np || nw)) {
		if (np)
			snprintf(why, sizeof(why), "strict: partial (%s), %lu warning%s",
			         json_string_value(json_array_get(v->partial, 0)), nw,
			         nw == 1 ? "" : "s");
		else
			snprintf(why, sizeof(why), "strict: %lu warning%s", nw, nw == 1 ? "" : "s");
		json_object_set_new(r, "verdict_reason", json_string(why));
		pass = 0;
	}
	json_object_set_new(r, "verdict", json_string(pass ? "PASS" : "FAIL"));
}

/* The time of the last completed backup the folder holds: Status.plist's
 * Date when it says finished (else Info.plist's Last Backup Date); none
 * when the backup did not finish. 0 with *t, or -1. */
static int last_backup(const struct vctx *v, int64_t *t)
{
	const struct ifk_backup_meta *m = &v->meta;

	if (!v->has_backup || !v_backup_finished(m))
		return -1;
	if (m->have_status_date)
		*t = m->status_date;
	else if (m->have_last_backup_date)
		*t = m->last_backup_date;
	else
		return -1;
	return 0;
}

/* complete, incomplete_reasons, last_backup and encrypted: what a fleet
 * check lists for every backup (only when the target holds one). */
static void backup_state(const struct vctx *v, json_t *r)
{
	char iso[21];
	int64_t t = 0;

	if (!v->has_backup)
		return;
	json_object_set_new(r, "complete", json_boolean(json_array_size(v->incomplete) == 0));
	json_object_set(r, "incomplete_reasons", v->incomplete);
	if (last_backup(v, &t) == 0) {
		ifk_time_iso((time_t)t, iso);
		json_object_set_new(r, "last_backup", json_string(iso));
	} else {
		json_object_set_new(r, "last_backup", json_null());
	}
	json_object_set_new(r, "encrypted", v->meta.encrypted_known
	                                        ? json_boolean(v->meta.encrypted)
	                                        : json_null());
}

static json_t *build_report(const struct vctx *v, time_t start)
{
	char t0[21], t1[21];
	json_t *r, *checks = json_array();
	int i;

	ifk_time_iso(start, t0);
	ifk_time_iso(time(NULL), t1);
	for (i = 0; i < C_COUNT; i++)
		json_array_append_new(checks, check_json(&v->c[i]));
	r = json_pack("{s:s, s:s, s:i, s:o, s:s, s:b, s:s, s:s, s:o}", "tool", "ifk-verify",
	              "version", IFK_VERSION, "format_version", 1, "target",
	              ifk_json_text(v->o->target), "kind", kind_name(v->kind), "sealed",
	              v->kind == VK_IFK_BAG, "started", t0, "ended", t1, "checks", checks);
	if (r) {
		backup_state(v, r);
		json_object_set_new(r, "quick", json_boolean(v->o->quick));
		set_verdict(v, r);
	}
	return r;
}

static int append_custody(struct vctx *v, json_t *report, struct ifk_error *err)
{
	struct ifk_custody_event ev = {"ifk-verify",   "verify",   NULL,
	                               v->o->examiner, time(NULL), NULL};
	json_t *d = json_object(), *checks = json_object(),
	       *arr = json_object_get(report, "checks");
	char hash[65];
	size_t i;
	int rc;

	ev.result = json_string_value(json_object_get(report, "verdict"));
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *c = json_array_get(arr, i);
		json_object_set(checks, json_string_value(json_object_get(c, "name")),
		                json_object_get(c, "status"));
	}
	json_object_set_new(d, "checks", checks);
	if (json_array_size(v->partial))
		json_object_set(d, "partial_reasons", v->partial);
	if (v->o->strict)
		json_object_set_new(d, "strict", json_true());
	if (v->o->trust_path)
		json_object_set_new(d, "trusted_certificate", ifk_json_text(v->o->trust_path));
	ev.details = d;
	rc = ifk_custody_append(v->target_fd, &ev, hash, err);
	json_decref(d);
	if (rc == 0)
		json_object_set_new(report, "custody_appended", json_string(hash));
	else
		json_object_set_new(report, "custody_append_error",
		                    ifk_json_text(err ? err->msg : ""));
	return rc;
}

static void init_checks(struct vctx *v)
{
	int i;

	for (i = 0; i < C_COUNT; i++) {
		v->c[i].name = check_names[i];
		v->c[i].findings = json_array();
		v->c[i].info = json_object();
		v->c[i].ran = 1;
	}
	v->partial = json_array();
	v->incomplete = json_array();
}

static int run_checks(struct vctx *v, struct ifk_error *err)
{
	int rc = open_work(v, err);

	if (v->o->quick)
		v_partial(v, "contents not hashed");
	if (!rc)
		rc = v_check_seal(v, err);
	if (!rc)
		rc = v_check_custody(v, err);
	if (!rc)
		rc = v_check_backup_meta(v, err);
	if (!rc) {
		v_progress_totals(v);
		rc = v_load_index(v, err);
	}
	if (!rc)
		rc = v_walk(v, err);
	if (!rc)
		v_check_unseen_entries(v);
	if (!rc && v_stopped(v))
		rc = ifk_error_set(err, IFK_EINTR, "interrupted");
	return rc;
}

int ifk_verify_run(const struct ifk_verify_opts *o, json_t **report, struct ifk_error *err)
{
	struct vctx v = {.o = o, .target_fd = -1, .backup_fd = -1};
	time_t start = time(NULL);
	int rc;

	*report = NULL;
	init_checks(&v);
	rc = detect(&v, err);
	if (!rc)
		rc = run_checks(&v, err);
	if (!rc) {
		*report = build_report(&v, start);
		/* a missing or broken log is already a custody failure in the
		 * report; only an I/O error (read-only media) is an error here */
		if (v.kind == VK_IFK_BAG && !o->read_only &&
		    append_custody(&v, *report, err) == IFK_EIO)
			rc = IFK_EIO;
	}
	release(&v);
	return rc;
}

int ifk_verify_wrong_password(const json_t *report)
{
	json_t *checks = json_object_get(report, "checks"), *check;
	size_t i;

	json_array_foreach(checks, i, check)
	{
		const char *name = json_string_value(json_object_get(check, "name"));
		if (name && strcmp(name, "encryption") == 0)
			return json_is_true(
			    json_object_get(json_object_get(check, "info"), "wrong_password"));
	}
	return 0;
}
