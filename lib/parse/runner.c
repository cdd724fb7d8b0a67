/* The artifact runner: the files index, the sources an artifact asks for
 * (SQLite opened from a private copy with its WAL, plists), schema checks,
 * and one artifact's run from start to status. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats.h"
#include "core.h"
#include "parse_int.h"

/* The files index: files, keyed by domain and relativePath, is what the
 * artifacts query. The pass records files in fileID order, which is random
 * in that key, so each row is first appended to files_in (a plain table,
 * written in order) and the rows move into files sorted by key when an
 * artifact first needs them (p_ctx_settle): one sort instead of a random
 * B-tree insert per file, which at hundreds of thousands of files outgrows
 * the cache and rewrites a page per row. A later row for the same key
 * replaces an earlier one, as an INSERT OR REPLACE in arrival order would. */
static const char idx_schema[] =
    "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8192;"
    "CREATE TABLE IF NOT EXISTS files(domain TEXT NOT NULL, relpath TEXT NOT NULL,"
    " file_id TEXT, size INTEGER, mtime INTEGER, birth INTEGER, class INTEGER,"
    " sha256 TEXT, state TEXT, reason TEXT, local_path TEXT,"
    " PRIMARY KEY(domain, relpath)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS files_in(domain TEXT NOT NULL, relpath TEXT NOT NULL,"
    " file_id TEXT, size INTEGER, mtime INTEGER, birth INTEGER, class INTEGER,"
    " sha256 TEXT, state TEXT, reason TEXT, local_path TEXT);";

int p_ctx_open(const char *out_dir, const char *tmpdir, const char *idx_path,
               struct ifk_parse_ctx **out, struct ifk_error *err)
{
	struct ifk_parse_ctx *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c || !(c->out_dir = strdup(out_dir)) || !(c->tmpdir = strdup(tmpdir))) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto fail;
	}
	if (sqlite3_open_v2(idx_path, &c->idx, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	        SQLITE_OK ||
	    sqlite3_exec(c->idx, idx_schema, NULL, NULL, NULL) != SQLITE_OK) {
		rc = ifk_error_set(err, IFK_EIO, "cannot create the files index: %s",
		                   c->idx ? sqlite3_errmsg(c->idx) : "out of memory");
		goto fail;
	}
	rc = p_out_create(c, err);
	if (rc)
		goto fail;
	*out = c;
	return 0;
fail:
	ifk_parse_ctx_free(c);
	return rc;
}

int ifk_parse_ctx_new(const char *out_dir, struct ifk_parse_ctx **out, struct ifk_error *err)
{
	char *tmp = NULL;
	int rc = ifk_tmpdir_make("parse", NULL, &tmp, err);

	if (!rc && (rc = p_ctx_open(out_dir, tmp, ":memory:", out, err)) != 0)
		ifk_tree_remove(tmp);
	free(tmp);
	return rc;
}

void ifk_parse_ctx_free(struct ifk_parse_ctx *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->tl_ins);
	sqlite3_finalize(c->idx_ins);
	sqlite3_close(c->out);
	sqlite3_close(c->idx);
	if (c->tmpdir && strstr(c->tmpdir, "/ifk-parse-"))
		ifk_tree_remove(c->tmpdir);
	free(c->tmpdir);
	free(c->out_dir);
	free(c);
}

void ifk_parse_ctx_set_keybag(struct ifk_parse_ctx *c, const struct ifk_keybag *kb)
{
	c->kb = kb;
}

void ifk_parse_ctx_set_include_secrets(struct ifk_parse_ctx *c, int on)
{
	c->include_secrets = on;
}

int p_ctx_index(struct ifk_parse_ctx *c, const char *domain, const char *relpath,
                const char *file_id, uint64_t size, int64_t mtime, int64_t birth, uint32_t pclass,
                const char *sha256, const char *state, const char *reason, const char *local_path,
                struct ifk_error *err)
{
	sqlite3_stmt *st = c->idx_ins;
	int rc = 0;

	/* prepared once: the verification pass records every file here */
	if (!st && sqlite3_prepare_v2(c->idx,
	                              "INSERT INTO files_in VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	                              -1, &c->idx_ins, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "files index: %s", sqlite3_errmsg(c->idx));
	st = c->idx_ins;
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, relpath, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, file_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)size);
	sqlite3_bind_int64(st, 5, mtime);
	sqlite3_bind_int64(st, 6, birth);
	sqlite3_bind_int64(st, 7, pclass);
	sqlite3_bind_text(st, 8, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, local_path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EIO, "files index: %s", sqlite3_errmsg(c->idx));
	else
		c->idx_pending = 1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int p_ctx_settle(struct ifk_parse_ctx *c, struct ifk_error *err)
{
	if (!c->idx_pending)
		return 0;
	/* the sort's memory comes out of the page cache's (SQLite sizes its
	 * in-memory runs by cache_size): smaller while it runs */
	if (sqlite3_exec(c->idx,
	                 "PRAGMA cache_size=-2048;"
	                 "INSERT OR REPLACE INTO files SELECT * FROM files_in"
	                 " ORDER BY domain, relpath, rowid; DELETE FROM files_in;"
	                 "PRAGMA cache_size=-8192;",
	                 NULL, NULL, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "files index: %s", sqlite3_errmsg(c->idx));
	c->idx_pending = 0;
	return 0;
}

int ifk_parse_ctx_add_file(struct ifk_parse_ctx *c, const char *domain, const char *relative_path,
                           const char *local_path, struct ifk_error *err)
{
	char hex[IFK_SHA256_HEX], id[IFK_FILE_ID_LEN + 1];
	uint64_t bytes = 0;
	struct stat st;
	int fd, rc;

	fd = ifk_open_regular(AT_FDCWD, local_path, err);
	if (fd < 0)
		return fd;
	rc = ifk_sha256_fd(fd, hex, &bytes, local_path, err);
	if (!rc && fstat(fd, &st) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot stat", local_path);
	close(fd);
	if (!rc)
		rc = ifk_file_id(domain, relative_path, id, err);
	if (!rc)
		rc = p_ctx_index(c, domain, relative_path, id, bytes, st.st_mtime, 0, 0, hex, "ok",
		                 NULL, local_path, err);
	return rc;
}

int ifk_parse_ctx_add_unreadable(struct ifk_parse_ctx *c, const char *domain,
                                 const char *relative_path, const char *state,
                                 struct ifk_error *err)
{
	char id[IFK_FILE_ID_LEN + 1];
	int rc;

	if (strcmp(state, "missing") != 0 && strcmp(state, "not-decryptable-off-device") != 0)
		return ifk_error_set(err, IFK_EINVAL, "%s: not a state of an unreadable file", state);
	rc = ifk_file_id(domain, relative_path, id, err);
	if (!rc)
		rc = p_ctx_index(c, domain, relative_path, id, 0, 0, 0, 0, NULL, state,
		                 strcmp(state, "missing") == 0
		                     ? "listed in the index, but not stored in the backup"
		                     : "its protection class cannot be decrypted off the device",
		                 NULL, err);
	return rc;
}

/* ---- sources ---- */

static struct ifk_src *src_find(struct ifk_art *a, const char *domain, const char *relpath)
{
	struct ifk_src *s;

	for (s = a->srcs; s; s = s->next)
		if (strcmp(s->domain, domain) == 0 && strcmp(s->relpath, relpath) == 0)
			return s;
	return NULL;
}

static int src_add(struct ifk_art *a, const char *domain, const char *relpath, const char *path,
                   const char *sha256, struct ifk_src **out, struct ifk_error *err)
{
	struct ifk_src *s = calloc(1, sizeof(*s));

	if (!s || !(s->domain = strdup(domain)) || !(s->relpath = strdup(relpath)) ||
	    !(s->path = strdup(path))) {
		if (s) {
			free(s->domain);
			free(s->relpath);
		}
		free(s);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	snprintf(s->sha256, sizeof(s->sha256), "%s", sha256 ? sha256 : "");
	s->next = a->srcs;
	a->srcs = s;
	*out = s;
	return 0;
}

static void where(char *out, size_t cap, const char *domain, const char *relpath)
{
	snprintf(out, cap, "%s%s%s", domain, *domain ? "/" : "", relpath);
}

int ifk_art_source(struct ifk_art *a, const char *domain, const char *path, struct ifk_src **src,
                   struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	char w[1024];
	int rc;

	*src = src_find(a, domain, path);
	if (*src)
		return 0;
	where(w, sizeof(w), domain, path);
	if (sqlite3_prepare_v2(a->c->idx,
	                       "SELECT state, reason, local_path, sha256, size FROM files"
	                       " WHERE domain = ? AND relpath = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "files index: %s", sqlite3_errmsg(a->c->idx));
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = ifk_error_set(err, IFK_ENOTFOUND, "%s: not in the backup", w);
	} else {
		const char *state = (const char *)sqlite3_column_text(st, 0);
		const char *reason = (const char *)sqlite3_column_text(st, 1);
		const char *local = (const char *)sqlite3_column_text(st, 2);
		if (state && strcmp(state, "not-decryptable-off-device") == 0) {
			a->saw_off_device = 1;
			rc = ifk_error_set(err, IFK_ECRYPTO,
			                   "%s: its protection class cannot be decrypted off the "
			                   "device",
			                   w);
		} else if (state && strcmp(state, "missing") == 0) {
			a->saw_missing = 1;
			rc = ifk_error_set(err, IFK_ENOTFOUND,
			                   "%s: listed in the index, but not stored in the backup", w);
		} else if (!state || strcmp(state, "ok") != 0)
			rc = ifk_error_set(err, IFK_EFORMAT, "%s: %s", w,
			                   reason ? reason : "could not be read");
		else if (!local)
			rc = ifk_error_set(err, IFK_EINVAL, "%s: not kept for this artifact", w);
		else if (!(rc = src_add(a, domain, path, local,
		                        (const char *)sqlite3_column_text(st, 3), src, err)))
			(*src)->bytes = (uint64_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return rc;
}

const char *ifk_src_path(const struct ifk_src *s)
{
	return s->path;
}

const char *ifk_src_sha256(const struct ifk_src *s)
{
	return s->sha256;
}

const char *ifk_src_domain(const struct ifk_src *s)
{
	return s->domain;
}

const char *ifk_src_relative_path(const struct ifk_src *s)
{
	return s->relpath;
}

/* Copies from to a new file to (mode 0600) without following symlinks. */
static int copy_file(const char *from, const char *to, struct ifk_error *err)
{
	struct ifk_copy c = {.out_fd = -1};
	int in = ifk_open_regular(AT_FDCWD, from, err), rc;

	if (in < 0)
		return in;
	c.out_fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (c.out_fd < 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot copy", from);
	else if ((rc = ifk_copy_fd(in, &c, from, err)) == 1)
		rc = ifk_error_sys(err, IFK_EIO, c.read_errno, "%s: read failed", from);
	close(in);
	if (c.out_fd >= 0 && close(c.out_fd) != 0 && !rc)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: write failed", to);
	return rc;
}

/* The WAL beside a source database, when the backup holds one. */
static int copy_wal(struct ifk_art *a, struct ifk_src *s, const char *db_copy,
                    struct ifk_error *err)
{
	char *walrel = NULL, *walcopy = NULL;
	struct ifk_src *w = NULL;
	struct ifk_error e = {0};
	struct stat st;
	int rc = 0;

	if (asprintf(&walrel, "%s-wal", s->relpath) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = ifk_art_source(a, s->domain, walrel, &w, &e);
	if (rc == IFK_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc) {
		rc = ifk_error_set(err, rc, "%s", e.msg);
		goto out;
	}
	if (asprintf(&walcopy, "%s-wal", db_copy) < 0) {
		walcopy = NULL;
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	rc = copy_file(w->path, walcopy, err);
	if (!rc && stat(walcopy, &st) == 0 && st.st_size > 0) {
		s->wal_applied = 1;
		s->wal_bytes = (uint64_t)st.st_size;
		memcpy(s->wal_sha256, w->sha256, sizeof(s->wal_sha256));
	}
out:
	free(walrel);
	free(walcopy);
	return rc;
}

/* A private copy of the source, and of its WAL, in a new 0700 folder;
 * *copy (the database's copy) is the caller's. */
static int copy_source(struct ifk_art *a, struct ifk_src *s, char **copy, struct ifk_error *err)
{
	const char *base = strrchr(s->relpath, '/');
	char *dir = NULL, w[1024];
	int rc;

	*copy = NULL;
	where(w, sizeof(w), s->domain, s->relpath);
	if (asprintf(&dir, "%s/db%lu", a->c->tmpdir, ++a->c->copies) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (mkdir(dir, 0700) != 0) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot make a private copy", w);
		free(dir);
		return rc;
	}
	s->db_copy_dir = dir;
	if (asprintf(copy, "%s/%s", dir, base ? base + 1 : s->relpath) < 0) {
		*copy = NULL;
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	rc = copy_file(s->path, *copy, err);
	if (!rc)
		rc = copy_wal(a, s, *copy, err);
	return rc;
}

/* err from e, naming the backup's file w where e names the private path. */
static int name_source(struct ifk_error *err, int rc, const char *w, const struct ifk_error *e,
                       const char *path)
{
	const char *at = strstr(e->msg, path);

	if (!at)
		return ifk_error_set(err, rc, "%s: %s", w, e->msg);
	return ifk_error_set(err, rc, "%.*s%s%s", (int)(at - e->msg), e->msg, w, at + strlen(path));
}

int ifk_art_sqlite(struct ifk_art *a, const char *domain, const char *path, struct ifk_src **src,
                   sqlite3 **db, struct ifk_error *err)
{
	struct ifk_error e = {0};
	char w[1024], *copy = NULL;
	struct ifk_src *s;
	int rc;

	*db = NULL;
	rc = ifk_art_source(a, domain, path, src, err);
	if (rc)
		return rc;
	s = *src;
	a->sql_src = s;
	where(w, sizeof(w), domain, path);
	rc = copy_source(a, s, &copy, err);
	if (rc)
		goto out;
	/* the WAL is applied to the private copy (only SQLite-valid frames
	 * count), then the copy is read like any untrusted file */
	if (s->wal_applied && (rc = ifk_sqlite_apply_wal(copy, &a->sql, &s->wal_frames, &e)) == 0)
		s->wal_applied = s->wal_frames > 0;
	if (!rc)
		rc = ifk_sqlite_open_untrusted(copy, &a->sql, 0, db, &e);
	if (rc)
		rc = name_source(err, rc, w, &e, copy);
out:
	free(copy);
	return rc;
}

int ifk_art_plist(struct ifk_art *a, const char *domain, const char *path, struct ifk_src **src,
                  plist_t *out, struct ifk_error *err)
{
	struct ifk_error e = {0};
	char w[1024];
	int rc;

	*out = NULL;
	rc = ifk_art_source(a, domain, path, src, err);
	if (rc)
		return rc;
	rc = ifk_plist_read_file((*src)->path, 64u * 1024 * 1024, out, &e);
	if (rc) {
		where(w, sizeof(w), domain, path);
		return name_source(err, rc, w, &e, (*src)->path);
	}
	return 0;
}

static int file_rows(struct ifk_art *a, sqlite3_stmt *st, ifk_art_file_fn fn, void *ctx,
                     struct ifk_error *err)
{
	int rc = 0, step;

	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ifk_art_file f = {
		    .domain = (const char *)sqlite3_column_text(st, 0),
		    .relative_path = (const char *)sqlite3_column_text(st, 1),
		    .file_id = (const char *)sqlite3_column_text(st, 2),
		    .size = (uint64_t)sqlite3_column_int64(st, 3),
		    .mtime = sqlite3_column_int64(st, 4),
		    .birth = sqlite3_column_int64(st, 5),
		    .protection_class = (uint32_t)sqlite3_column_int64(st, 6),
		    .sha256 = (const char *)sqlite3_column_text(st, 7),
		    .state = (const char *)sqlite3_column_text(st, 8),
		};
		if (a->c->stop && *a->c->stop)
			return ifk_error_set(err, IFK_EINTR, "interrupted");
		rc = fn(ctx, &f);
	}
	if (!rc && step != SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EIO, "files index: %s",
		                   sqlite3_errmsg(sqlite3_db_handle(st)));
	return rc;
}

int ifk_art_foreach_file(struct ifk_art *a, const char *domain, const char *prefix,
                         ifk_art_file_fn fn, void *ctx, struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(a->c->idx,
	                       "SELECT domain, relpath, file_id, size, mtime, birth, class, sha256,"
	                       " state FROM files WHERE domain = ?1 AND"
	                       " substr(relpath, 1, length(?2)) = ?2 ORDER BY relpath",
	                       -1, &st, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "files index: %s", sqlite3_errmsg(a->c->idx));
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
	rc = file_rows(a, st, fn, ctx, err);
	sqlite3_finalize(st);
	return rc;
}

struct one {
	ifk_art_file_fn fn;
	void *ctx;
	int found;
};

static int one_file(void *ctx, const struct ifk_art_file *f)
{
	struct one *o = ctx;

	o->found = 1;
	return o->fn(o->ctx, f);
}

int ifk_art_file_info(struct ifk_art *a, const char *domain, const char *path, ifk_art_file_fn fn,
                      void *ctx, struct ifk_error *err)
{
	struct one o = {fn, ctx, 0};
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(a->c->idx,
	                       "SELECT domain, relpath, file_id, size, mtime, birth, class, sha256,"
	                       " state FROM files WHERE domain = ? AND relpath = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "files index: %s", sqlite3_errmsg(a->c->idx));
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	rc = file_rows(a, st, one_file, &o, err);
	sqlite3_finalize(st);
	if (!rc && !o.found)
		rc = ifk_error_set(err, IFK_ENOTFOUND, "%s/%s: not in the backup", domain, path);
	return rc;
}

const struct ifk_keybag *ifk_art_keybag(const struct ifk_art *a)
{
	return a->c->kb;
}

int ifk_art_include_secrets(const struct ifk_art *a)
{
	return a->c->include_secrets;
}

/* ---- schema ---- */

/* What name is in db's schema: 1 an ordinary table, 2 a view or a
 * virtual table, 0 nothing (also when the schema cannot be read: the
 * queries that follow then fail with SQLite's error). */
static int schema_kind(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int kind = 0;

	if (sqlite3_prepare_v2(
	        db,
	        "SELECT type = 'table' AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%'"
	        " FROM sqlite_master WHERE type IN ('table', 'view') AND"
	        " name = ? COLLATE NOCASE",
	        -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		kind = sqlite3_column_int(st, 0) ? 1 : 2;
	sqlite3_finalize(st);
	return kind;
}

int ifk_db_has_table(sqlite3 *db, const char *table)
{
	return schema_kind(db, table) == 1;
}

int ifk_db_has_column(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *st = NULL;
	int kind = schema_kind(db, table), found = 0;

	if (kind != 1)
		return kind == 2; /* a query on it fails, naming it */
	if (sqlite3_prepare_v2(db,
	                       "SELECT 1 FROM pragma_table_info(?) WHERE name = ? COLLATE NOCASE",
	                       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

int ifk_art_require(struct ifk_art *a, struct ifk_src *s, sqlite3 *db, const char *table,
                    const char *cols, struct ifk_error *err)
{
	char missing[512] = "", *copy, *tok, *save = NULL;
	size_t used = 0;
	int kind = schema_kind(db, table);

	(void)a;
	if (kind == 2)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "hostile or damaged: %s: \"%s\" is a view or a virtual table, "
		                     "not a table (ifk reads tables only)",
		                     s->relpath, table);
	if (kind == 0)
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: has no table %s", s->relpath,
		                     table);
	if (!(copy = strdup(cols)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!ifk_db_has_column(db, table, tok) && used < sizeof(missing))
			used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s",
			                         used ? ", " : "", tok);
	free(copy);
	if (used)
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: table %s lacks column(s) %s",
		                     s->relpath, table, missing);
	return 0;
}

int ifk_art_sql_error(const struct ifk_src *s, sqlite3 *db, int rc, const char *sql,
                      const char *table, struct ifk_error *err)
{
	return ifk_sqlite_fail(db, rc, sql, err, "%s: %s", s->relpath, table);
}

int ifk_art_query(struct ifk_art_row *r, const char *sql, const char *table, ifk_art_row_fn fn,
                  struct ifk_error *err)
{
	sqlite3_stmt *st = NULL, *outer = r->st;
	int rc = 0, step = SQLITE_DONE;

	if ((step = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return ifk_art_sql_error(r->src, r->db, step, sql, table, err);
	r->st = st;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(r, err);
	if (!rc && step != SQLITE_DONE)
		rc = ifk_art_sql_error(r->src, r->db, step, sql, table, err);
	r->st = outer;
	sqlite3_finalize(st);
	return rc;
}

/* ---- one artifact's run ---- */

/* absent: the index lists none of its sources; missing: it lists one the
 * backup does not store; not_decryptable: one's class key stays on the
 * device. */
static const char *status_name(const struct ifk_art *a, int rc)
{
	switch (rc) {
	case 0:
		return "ok";
	case IFK_ENOTFOUND:
		return a->saw_missing ? "missing" : "absent";
	case IFK_ECRYPTO:
		return a->saw_off_device ? "not_decryptable" : "failed";
	case IFK_EUNSUPPORTED:
		return "unsupported-schema";
	default:
		return "failed";
	}
}

static json_t *sources_json(struct ifk_art *a)
{
	json_t *arr = json_array();
	struct ifk_src *s;

	for (s = a->srcs; s; s = s->next) {
		json_t *o;
		if (strlen(s->relpath) > 4 &&
		    (strcmp(s->relpath + strlen(s->relpath) - 4, "-wal") == 0))
			continue; /* listed with its database */
		o = json_pack("{s:s, s:s, s:s}", "domain", s->domain, "relative_path", s->relpath,
		              "sha256", s->sha256);
		if (s->db_copy_dir)
			json_object_set_new(o, "wal_applied", json_boolean(s->wal_applied));
		if (s->wal_bytes) {
			json_object_set_new(o, "wal_sha256", json_string(s->wal_sha256));
			json_object_set_new(o, "wal_bytes", json_integer((json_int_t)s->wal_bytes));
			json_object_set_new(o, "wal_frames",
			                    json_integer((json_int_t)s->wal_frames));
		}
		json_array_insert_new(arr, 0, o);
	}
	return arr;
}

static void srcs_free(struct ifk_art *a)
{
	struct ifk_src *s, *n;

	for (s = a->srcs; s; s = n) {
		n = s->next;
		if (s->db_copy_dir)
			ifk_tree_remove(s->db_copy_dir);
		free(s->db_copy_dir);
		free(s->domain);
		free(s->relpath);
		free(s->path);
		free(s);
	}
	a->srcs = NULL;
}

static json_t *status_json(struct ifk_art *a, int rc, const char *reason)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", a->art->name, "title",
	                      a->art->title, "parser_version", a->art->version, "status",
	                      status_name(a, rc), "rows", (json_int_t)a->rows);

	if (rc)
		json_object_set_new(j, "reason", json_string(reason));
	if (rc && rc != IFK_ENOTFOUND && a->rows)
		json_object_set_new(j, "partial", json_true());
	json_object_set_new(j, "sources", sources_json(a));
	return j;
}

/* A run that its SQLite budget or the output caps cut off has failed,
 * whatever its parser returned. */
static int cut_off(struct ifk_art *a, int rc, struct ifk_error *e)
{
	char w[1024];

	if (a->sql.cut == IFK_SQLITE_CUT_STEPS || a->sql.cut == IFK_SQLITE_CUT_TIME) {
		where(w, sizeof(w), a->sql_src ? a->sql_src->domain : "",
		      a->sql_src ? a->sql_src->relpath : "its SQLite sources");
		return ifk_sqlite_cut_error(&a->sql, w, e);
	}
	if (a->out_cut)
		return ifk_error_set(e, IFK_EFORMAT, "%s", a->out_msg);
	return rc;
}

int ifk_parse_ctx_run(struct ifk_parse_ctx *c, const struct ifk_artifact *art, json_t **status,
                      struct ifk_error *err)
{
	struct ifk_art a = {.c = c, .art = art, .sql = {.stop = c->stop}};
	struct ifk_error e = {0};
	char *reason = NULL;
	int rc;

	*status = NULL;
	while (art->cols[a.ncols].name)
		a.ncols++;
	rc = p_ctx_settle(c, err);
	if (!rc)
		rc = p_out_begin(&a, err);
	if (rc)
		goto out;
	rc = art->parse(&a, &e);
	if (!rc && a.bad_col[0])
		rc = ifk_error_set(&e, IFK_EINVAL, "internal: no column %s", a.bad_col);
	rc = cut_off(&a, rc, &e);
	if (rc == IFK_EINTR || (c->stop && *c->stop)) {
		rc = ifk_error_set(err, IFK_EINTR, "interrupted");
		goto out;
	}
	if (rc == IFK_ENOTFOUND && !e.msg[0])
		ifk_error_set(&e, rc, "none of its sources is in the backup");
	reason = ifk_text_escape(e.msg);
	*status = status_json(&a, rc, reason ? reason : e.msg);
	rc = *status ? 0 : ifk_error_set(err, IFK_ENOMEM, "out of memory");
out:
	if (p_out_end(&a) != 0 && !rc) {
		json_decref(*status);
		*status = NULL;
		rc =
		    ifk_error_set(err, IFK_EIO, "%s/%s.jsonl: write failed", c->out_dir, art->name);
	}
	srcs_free(&a);
	free(reason);
	return rc;
}
