/* The untrusted-SQLite opener (see sqlite_untrusted.h): header check,
 * percent-encoded URI, hardened connection, step and time budget, and the
 * errors that tell a hostile or damaged file from an I/O problem. */
#include "core.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#define GUARD_STEP 200       /* VM steps between two looks at the budget */
#define VIEWS_LOOKED_AT 1000 /* views compared with a failed statement */
#define MIB (1LL << 20)

/* ---- the file and its name ---- */

/* Checks the file's first bytes before SQLite sees it: SQLite would take
 * an empty file for an empty database. *size is the file's size. */
static int check_header(const char *path, int64_t *size, struct ifk_error *err)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	struct stat sb;
	ssize_t n;
	int fd = ifk_open_regular(AT_FDCWD, path, err), rc = IFK_EFORMAT;

	if (fd < 0)
		return fd;
	if (fstat(fd, &sb) < 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot stat", path);
	else if (sb.st_size == 0)
		ifk_error_set(err, rc, "%s: empty file, not an SQLite database", path);
	else if ((n = pread(fd, head, sizeof(head), 0)) < 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot read", path);
	else if (n != sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0)
		ifk_error_set(err, rc, "%s: not an SQLite database (still encrypted?)", path);
	else
		rc = 0;
	*size = sb.st_size;
	close(fd);
	return rc;
}

char *ifk_sqlite_uri(const char *path, const char *params)
{
	size_t n = strlen(path), extra = params ? strlen(params) + 1 : 0, i, o;
	char *uri = malloc(7 + 3 * n + extra + 1);
	unsigned char c;

	if (!uri)
		return NULL;
	/* an absolute path gets an empty authority: "file:///..." */
	o = (size_t)sprintf(uri, "%s", path[0] == '/' ? "file://" : "file:");
	for (i = 0; i < n; i++) {
		c = (unsigned char)path[i];
		if (isascii(c) && (isalnum(c) || strchr("/-._~", c)))
			uri[o++] = (char)c;
		else
			o += (size_t)sprintf(uri + o, "%%%02X", c);
	}
	uri[o] = '\0';
	if (params && *params)
		sprintf(uri + o, "?%s", params);
	return uri;
}

/* ---- the budget ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Adds the allowance of a file of bytes bytes. */
static void allow(struct ifk_sqlite_budget *b, int64_t bytes)
{
	const int64_t most = INT64_MAX / 4;

	if (bytes < 0 || bytes > most / IFK_SQLITE_STEPS_PER_BYTE)
		bytes = most / IFK_SQLITE_STEPS_PER_BYTE;
	if (!b->start_ms)
		b->start_ms = now_ms();
	b->bytes += bytes;
	if (b->steps_max < most)
		b->steps_max += IFK_SQLITE_STEPS_BASE + bytes * IFK_SQLITE_STEPS_PER_BYTE;
	if (b->ms_max < most)
		b->ms_max +=
		    (IFK_SQLITE_SECONDS_BASE + bytes / MIB * IFK_SQLITE_SECONDS_PER_MIB) * 1000;
}

/* SQLite calls this every GUARD_STEP VM steps; non-zero ends the query
 * with SQLITE_INTERRUPT. */
static int on_progress(void *ctx)
{
	struct ifk_sqlite_budget *b = ctx;

	b->steps += GUARD_STEP;
	if (b->cut)
		return 1;
	if (b->stop && *b->stop)
		b->cut = IFK_SQLITE_CUT_STOP;
	else if (b->steps > b->steps_max)
		b->cut = IFK_SQLITE_CUT_STEPS;
	else if (now_ms() - b->start_ms > b->ms_max)
		b->cut = IFK_SQLITE_CUT_TIME;
	return b->cut != IFK_SQLITE_RUNNING;
}

int ifk_sqlite_cut_error(const struct ifk_sqlite_budget *b, const char *what, struct ifk_error *err)
{
	switch (b->cut) {
	case IFK_SQLITE_CUT_STOP:
		return ifk_error_set(err, IFK_EINTR, "interrupted");
	case IFK_SQLITE_CUT_STEPS:
		return ifk_error_set(err, IFK_EFORMAT,
		                     "hostile or damaged: %s: its queries ran past %lld SQLite "
		                     "steps (ifk's budget for %lld bytes of SQLite files)",
		                     what, (long long)b->steps_max, (long long)b->bytes);
	case IFK_SQLITE_CUT_TIME:
		return ifk_error_set(err, IFK_EFORMAT,
		                     "hostile or damaged: %s: its queries ran past %lld seconds "
		                     "(ifk's limit for %lld bytes of SQLite files)",
		                     what, (long long)(b->ms_max / 1000), (long long)b->bytes);
	default:
		return 0;
	}
}

/* ---- errors ---- */

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* 1 when name occurs in sql as a whole word (any case). */
static int word_in(const char *sql, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = sql; n && (p = strcasestr(p, name)); p++)
		if ((p == sql || !ident_char(p[-1])) && !ident_char(p[n]))
			return 1;
	return 0;
}

/* A view the failed statement names (SQLite says "access to view "x"
 * prohibited", or fails inside the view's own query), copied to out. */
static int view_named(sqlite3 *db, const char *sql, const char *msg, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;
	const char *q = strstr(msg, "access to view \"");
	int found = 0, n = 0;

	if (q) {
		q += strlen("access to view \"");
		snprintf(out, cap, "%.*s", (int)strcspn(q, "\""), q);
		return 1;
	}
	if (!db || !sql ||
	    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'view'", -1, &st,
	                       NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return 0;
	}
	while (!found && n++ < VIEWS_LOOKED_AT && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (name && word_in(sql, name)) {
			snprintf(out, cap, "%s", name);
			found = 1;
		}
	}
	sqlite3_finalize(st);
	return found;
}

int ifk_sqlite_fail(sqlite3 *db, int rc, const char *sql, struct ifk_error *err, const char *fmt,
                    ...)
{
	char what[400], msg[300], view[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	switch (rc & 0xFF) {
	case SQLITE_INTERRUPT:
		return ifk_error_set(err, IFK_EINTR, "%s: interrupted", what);
	case SQLITE_TOOBIG:
		return ifk_error_set(err, IFK_EFORMAT,
		                     "hostile or damaged: %s: a value or row over ifk's limit of "
		                     "%d MiB",
		                     what, IFK_SQLITE_MAX_LENGTH >> 20);
	case SQLITE_NOMEM:
		if (sqlite3_hard_heap_limit64(-1) <= 0)
			return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", what);
		return ifk_error_set(err, IFK_EFORMAT,
		                     "hostile or damaged: %s: SQLite reached ifk's memory limit "
		                     "(%lld MiB)",
		                     what, (long long)(sqlite3_hard_heap_limit64(-1) >> 20));
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
		return ifk_error_set(err, IFK_EFORMAT, "hostile or damaged: %s: %s", what, msg);
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_FULL:
	case SQLITE_PERM:
		return ifk_error_set(err, IFK_EIO, "%s: %s", what, msg);
	case SQLITE_ERROR:
		if (view_named(db, sql, msg, view, sizeof(view)))
			return ifk_error_set(
			    err, IFK_EFORMAT,
			    "hostile or damaged: %s: \"%s\" is a view, not a table "
			    "(ifk reads tables only)",
			    what, view);
		return ifk_error_set(err, IFK_EFORMAT, "%s: %s", what, msg);
	default:
		return ifk_error_set(err, IFK_EFORMAT, "%s: %s", what, msg);
	}
}

/* ---- the connection ---- */

static const struct {
	int op, on;
} db_configs[] = {
    {SQLITE_DBCONFIG_DEFENSIVE, 1},
    {SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0},
    {SQLITE_DBCONFIG_ENABLE_TRIGGER, 0},
    {SQLITE_DBCONFIG_ENABLE_VIEW, 0},
    {SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0},
    {SQLITE_DBCONFIG_ENABLE_FKEY, 0},
    {SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0},
};

/* Limits far above what ifk's own statements need; the schema's
 * expressions (a generated column) are compiled into them too. */
static const struct {
	int id, value;
} db_limits[] = {
    {SQLITE_LIMIT_LENGTH, IFK_SQLITE_MAX_LENGTH},
    {SQLITE_LIMIT_SQL_LENGTH, 1 << 20},
    {SQLITE_LIMIT_EXPR_DEPTH, 100},
    {SQLITE_LIMIT_COMPOUND_SELECT, 4},
    {SQLITE_LIMIT_VDBE_OP, 25000},
    {SQLITE_LIMIT_FUNCTION_ARG, 16},
    {SQLITE_LIMIT_ATTACHED, 0},
    {SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 256},
    {SQLITE_LIMIT_VARIABLE_NUMBER, 32},
    {SQLITE_LIMIT_TRIGGER_DEPTH, 1},
    {SQLITE_LIMIT_WORKER_THREADS, 0},
};

static int harden(sqlite3 *db, int rw, const char *path, struct ifk_error *err)
{
	char pragmas[200];
	size_t i;
	int v;

	for (i = 0; i < sizeof(db_configs) / sizeof(db_configs[0]); i++) {
		v = -1;
		if (sqlite3_db_config(db, db_configs[i].op, db_configs[i].on, &v) != SQLITE_OK ||
		    v != db_configs[i].on)
			return ifk_error_set(err, IFK_EIO,
			                     "%s: SQLite refused a safety setting (%d)", path,
			                     db_configs[i].op);
	}
	for (i = 0; i < sizeof(db_limits) / sizeof(db_limits[0]); i++)
		sqlite3_limit(db, db_limits[i].id, db_limits[i].value);
	snprintf(pragmas, sizeof(pragmas),
	         "PRAGMA cell_size_check=ON; PRAGMA mmap_size=0; PRAGMA cache_size=-%d;"
	         " PRAGMA temp_store=FILE;%s",
	         IFK_SQLITE_CACHE_KIB, rw ? "" : " PRAGMA query_only=ON;");
	if (sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
		return ifk_sqlite_fail(db, sqlite3_extended_errcode(db), NULL, err,
		                       "%s: not a readable SQLite database", path);
	return 0;
}

/* Reading the schema is where a damaged or hostile file first shows. */
static int read_schema(sqlite3 *db, const char *path, struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	return ifk_sqlite_fail(db, sqlite3_extended_errcode(db), NULL, err,
	                       "%s: not a readable SQLite database", path);
}

/* Checks, opens, hardens and budgets path; extra: bytes beside it (a WAL)
 * that count for its allowance. */
static int connect_file(const char *path, struct ifk_sqlite_budget *b, int rw, int64_t extra,
                        sqlite3 **db, struct ifk_error *err)
{
	int flags = (rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_URI |
	            SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_PRIVATECACHE | SQLITE_OPEN_EXRESCODE;
	char *uri = NULL;
	int64_t size = 0;
	int rc;

	*db = NULL;
	if (b->stop && *b->stop)
		return ifk_error_set(err, IFK_EINTR, "interrupted");
	if ((rc = check_header(path, &size, err)) < 0)
		return rc;
	/* immutable: no lock, no journal or WAL looked for, nothing written */
	if (!(uri = ifk_sqlite_uri(path, rw ? NULL : "mode=ro&immutable=1")))
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", path);
	rc = sqlite3_open_v2(uri, db, flags, NULL);
	free(uri);
	if (rc != SQLITE_OK)
		rc = ifk_sqlite_fail(*db, rc, NULL, err, "%s: cannot open as SQLite", path);
	else
		rc = harden(*db, rw, path, err);
	if (!rc) {
		allow(b, size + extra);
		sqlite3_progress_handler(*db, GUARD_STEP, on_progress, b);
		rc = read_schema(*db, path, err);
	}
	if (rc) {
		sqlite3_close(*db);
		*db = NULL;
	}
	return rc;
}

/* ---- ifk's own output: plain tables only ---- */

static int first_row(sqlite3 *db, const char *sql, char *a, char *b, size_t cap, const char *path,
                     struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(a, cap, "%s", (const char *)sqlite3_column_text(st, 0) ?: "");
		snprintf(b, cap, "%s", (const char *)sqlite3_column_text(st, 1) ?: "");
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = ifk_sqlite_fail(db, sqlite3_extended_errcode(db), sql, err,
		                     "%s: cannot read the schema", path);
	}
	sqlite3_finalize(st);
	return rc;
}

static int check_ifk_output(sqlite3 *db, const char *path, struct ifk_error *err)
{
	static const char objects[] =
	    "SELECT CASE WHEN type = 'table' THEN 'virtual table' ELSE type END, name"
	    " FROM sqlite_master WHERE type NOT IN ('table', 'index')"
	    " OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL%') LIMIT 1";
	static const char columns[] =
	    "SELECT m.name, x.name FROM sqlite_master m, pragma_table_xinfo(m.name) x"
	    " WHERE m.type = 'table' AND (x.hidden <> 0 OR x.dflt_value IS NOT NULL) LIMIT 1";
	char a[128], b[128];
	int rc = first_row(db, objects, a, b, sizeof(a), path, err);

	if (rc > 0)
		return ifk_error_set(
		    err, IFK_EFORMAT,
		    "hostile or damaged: %s: not ifk-parse's output: it defines the "
		    "%s \"%s\" (ifk-parse writes tables and indexes only)",
		    path, a, b);
	if (rc == 0)
		rc = first_row(db, columns, a, b, sizeof(a), path, err);
	if (rc > 0)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "hostile or damaged: %s: not ifk-parse's output: column %s.%s "
		                     "is computed or has a default",
		                     path, a, b);
	return rc;
}

/* ---- the two ways in ---- */

int ifk_sqlite_open_untrusted(const char *path, struct ifk_sqlite_budget *budget, unsigned flags,
                              sqlite3 **db, struct ifk_error *err)
{
	int rc;

	if (!path || !budget || !db)
		return ifk_error_set(err, IFK_EINVAL, "SQLite: no path, budget or handle");
	rc = connect_file(path, budget, 0, 0, db, err);
	if (!rc && (flags & IFK_SQLITE_IFK_OUTPUT))
		rc = check_ifk_output(*db, path, err);
	if (rc && *db) {
		sqlite3_close(*db);
		*db = NULL;
	}
	return rc;
}

static int checkpoint(sqlite3 *db, const char *path, int64_t *frames, struct ifk_error *err)
{
	static const char sql[] = "PRAGMA wal_checkpoint(PASSIVE)";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* busy, frames in the WAL, frames checkpointed (-1: not in WAL mode) */
		*frames = sqlite3_column_int64(st, 1) > 0 ? sqlite3_column_int64(st, 1) : 0;
		rc = sqlite3_column_int(st, 0) != 0 ||
		             sqlite3_column_int64(st, 2) != sqlite3_column_int64(st, 1)
		         ? ifk_error_set(err, IFK_EFORMAT, "%s: its WAL could not be applied whole",
		                         path)
		         : 0;
	} else {
		rc = ifk_sqlite_fail(db, sqlite3_extended_errcode(db), sql, err,
		                     "%s: cannot apply its WAL", path);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Back to a rollback journal: the WAL is folded in and removed. */
static int leave_wal(sqlite3 *db, const char *path, struct ifk_error *err)
{
	static const char sql[] = "PRAGMA journal_mode=DELETE";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = strcmp((const char *)sqlite3_column_text(st, 0) ?: "", "delete") == 0
		         ? 0
		         : ifk_error_set(err, IFK_EFORMAT, "%s: cannot leave WAL mode", path);
	else
		rc = ifk_sqlite_fail(db, sqlite3_extended_errcode(db), sql, err,
		                     "%s: cannot apply its WAL", path);
	sqlite3_finalize(st);
	return rc;
}

int ifk_sqlite_apply_wal(const char *path, struct ifk_sqlite_budget *budget, int64_t *frames,
                         struct ifk_error *err)
{
	sqlite3 *db = NULL;
	char *wal = NULL;
	struct stat st;
	int rc;

	*frames = 0;
	if (!path || !budget)
		return ifk_error_set(err, IFK_EINVAL, "SQLite: no path or budget");
	if (asprintf(&wal, "%s-wal", path) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", path);
	if (lstat(wal, &st) != 0 || !S_ISREG(st.st_mode))
		rc = ifk_error_set(err, IFK_EINVAL, "%s: no WAL beside it", path);
	else
		rc = connect_file(path, budget, 1, st.st_size, &db, err);
	if (!rc)
		rc = checkpoint(db, path, frames, err);
	if (!rc)
		rc = leave_wal(db, path, err);
	if (sqlite3_close(db) != SQLITE_OK && !rc)
		rc = ifk_error_set(err, IFK_EIO, "%s: cannot close after applying its WAL", path);
	free(wal);
	return rc;
}

void ifk_sqlite_limit_heap(void)
{
	sqlite3_hard_heap_limit64(IFK_SQLITE_HEAP_LIMIT);
}
