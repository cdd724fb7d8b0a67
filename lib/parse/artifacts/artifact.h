/* ifk artifacts: the module interface of ifk-parse.
 *
 * Each artifact is one file, lib/parse/artifacts/<name>.c, defining one
 * `const struct ifk_artifact ifk_art_<name>` and listed once in the table in
 * lib/artifacts.c. Its parse function asks for its source files by domain
 * and relativePath, checks the schema it finds, and emits typed rows; the
 * engine adds the provenance of every row (domain, relativePath, SHA-256 of
 * the decrypted source file, source table and rowid), writes the row to
 * artifacts.sqlite and <name>.jsonl, and files the row's timestamped events
 * into the timeline. The output format is specified in CASE_FORMAT.md.
 *
 * A parse function returns:
 *   0                 ok (any number of rows, also none: parse.json shows 0);
 *   IFK_ENOTFOUND     absent: the backup holds none of its sources;
 *   IFK_EUNSUPPORTED  unsupported-schema: err names the table or column
 *                     missing (ifk_art_require writes that message);
 *   other IFK_E*      failed, with err's message as the reason.
 * Rows emitted before a failure are kept and the status says partial. */
#ifndef IFK_ARTIFACT_H
#define IFK_ARTIFACT_H

#include <math.h>
#include <plist/plist.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "formats.h"

enum ifk_col_type {
	IFK_COL_TEXT, /* TEXT, a JSON string */
	IFK_COL_INT,  /* INTEGER, a JSON integer */
	IFK_COL_REAL, /* REAL, a JSON number */
	IFK_COL_BOOL, /* INTEGER 0/1, a JSON true/false */
	IFK_COL_TIME, /* TEXT, UTC ISO 8601 ("2023-06-12T11:00:00Z", with
	               * ".fff" milliseconds when not whole), a JSON string */
};

/* One output column. Arrays of columns end with {NULL}. */
struct ifk_col {
	const char *name;
	enum ifk_col_type type;
};

/* One source the artifact reads: domain "" is the backup's own top level
 * (Info.plist, Manifest.plist, Status.plist). A path ending in "/" names
 * every file below it (listed with ifk_art_foreach_file, not decrypted to
 * a temporary). Arrays of sources end with {NULL, NULL}. */
struct ifk_art_source {
	const char *domain;
	const char *path;
};

struct ifk_art; /* one artifact's run, owned by the engine */
struct ifk_src; /* one decrypted source file, owned by the engine */

struct ifk_artifact {
	const char *name;    /* table, jsonl and parse.json name: "sms_messages" */
	const char *title;   /* "SMS and iMessage messages" */
	const char *version; /* this parser's version, "1" */
	const struct ifk_art_source *sources;
	const struct ifk_col *cols;
	int (*parse)(struct ifk_art *a, struct ifk_error *err);
};

/* The registry (registry.c): every artifact in output order, ending
 * with NULL. */
extern const struct ifk_artifact *const ifk_artifacts[];
/* The artifact named name, or NULL. */
const struct ifk_artifact *ifk_artifact_find(const char *name);

/* ---- sources ---- */

/* Finds a source file and makes its plaintext available. 0 with *src
 * (owned by the engine, valid until the artifact's run ends);
 * IFK_ENOTFOUND when the backup has no such file; IFK_ECRYPTO when it is
 * there but cannot be decrypted off the device (a ThisDeviceOnly class:
 * the artifact then fails, saying so); IFK_EFORMAT/IFK_EIO when it did not
 * decrypt or read whole. Each
 * source a run touches is listed in parse.json with its hash. */
int ifk_art_source(struct ifk_art *a, const char *domain, const char *path, struct ifk_src **src,
                   struct ifk_error *err);
/* ifk_art_source, then opens the file from the engine's private copy,
 * applying the -wal the backup holds beside it (the source then records
 * wal_applied: true when SQLite found valid frames in it), with
 * ifk_sqlite_open_untrusted (sqlite_untrusted.h): read-only, no views, no
 * triggers, and the queries under the artifact's step budget and the stop
 * flag. *db is the caller's (sqlite3_close). A file that is empty, not
 * SQLite or corrupt is IFK_EFORMAT naming it. */
int ifk_art_sqlite(struct ifk_art *a, const char *domain, const char *path, struct ifk_src **src,
                   sqlite3 **db, struct ifk_error *err);
/* ifk_art_source, then parses the file as a plist (guarded, see plist.h).
 * *out is the caller's (plist_free). */
int ifk_art_plist(struct ifk_art *a, const char *domain, const char *path, struct ifk_src **src,
                  plist_t *out, struct ifk_error *err);
/* The source's plaintext as a private temporary file (read-only use). */
const char *ifk_src_path(const struct ifk_src *s);
/* Hex SHA-256 of the source's plaintext. */
const char *ifk_src_sha256(const struct ifk_src *s);
const char *ifk_src_domain(const struct ifk_src *s);
const char *ifk_src_relative_path(const struct ifk_src *s);

/* One file of the backup's index, as ifk_art_foreach_file and
 * ifk_art_file_info report it. Pointers are valid during the call only. */
struct ifk_art_file {
	const char *domain, *relative_path, *file_id;
	uint64_t size;             /* plaintext bytes read (index size if not read) */
	int64_t mtime, birth;      /* Unix seconds from the index; 0 when absent */
	uint32_t protection_class; /* 0 when unknown */
	const char *sha256;        /* hex SHA-256 of the plaintext, NULL if not read */
	const char *state;         /* "ok", "not-decryptable-off-device", "failed" */
};
/* Calls fn for every regular file whose domain is domain and whose
 * relativePath starts with prefix ("" for all), in relativePath order. A
 * non-zero return from fn stops and is returned. */
typedef int (*ifk_art_file_fn)(void *ctx, const struct ifk_art_file *f);
int ifk_art_foreach_file(struct ifk_art *a, const char *domain, const char *prefix,
                         ifk_art_file_fn fn, void *ctx, struct ifk_error *err);
/* Looks one file up; IFK_ENOTFOUND when the index has no such file. */
int ifk_art_file_info(struct ifk_art *a, const char *domain, const char *path, ifk_art_file_fn fn,
                      void *ctx, struct ifk_error *err);

/* The unlocked backup keybag (encrypted backups), else NULL. */
const struct ifk_keybag *ifk_art_keybag(const struct ifk_art *a);
/* 1 when the examiner asked for secret values (--include-secrets). */
int ifk_art_include_secrets(const struct ifk_art *a);

/* ---- schema ---- */

/* 1 when db has the table: an ordinary table, not a view or a virtual
 * table of that name (0 also when the schema cannot be read). */
int ifk_db_has_table(sqlite3 *db, const char *table);
/* 1 when db's table has the column. Where the name is a view or a virtual
 * table, 1 for any column: a query built on it then fails (views are
 * disabled), failing the artifact with a message naming the view, instead
 * of leaving the column out unnoticed. */
int ifk_db_has_column(sqlite3 *db, const char *table, const char *column);
/* The first of names (ending with NULL) that is a column of table, or NULL. */
const char *ifk_db_pick_column(sqlite3 *db, const char *table, const char *const *names);
/* Checks that table exists with every column of cols (comma-separated,
 * no blanks); else IFK_EUNSUPPORTED "<relativePath>: table message lacks
 * column(s) date, text" (or "has no table message"); IFK_EFORMAT "hostile
 * or damaged: ..." when the name is a view or a virtual table. */
int ifk_art_require(struct ifk_art *a, struct ifk_src *s, sqlite3 *db, const char *table,
                    const char *cols, struct ifk_error *err);

/* The error for a failed SQLite call (rc its result; sql the statement,
 * or NULL) on source s's db, naming the file and table: IFK_EFORMAT
 * "hostile or damaged: <relativePath>: <table>: ..." when the file is at
 * fault (a corrupt page, a value over the limit, a view where a table
 * belongs), IFK_EINTR when the budget or the stop flag ended the query,
 * else as ifk_sqlite_fail says. Returns the code. */
int ifk_art_sql_error(const struct ifk_src *s, sqlite3 *db, int rc, const char *sql,
                      const char *table, struct ifk_error *err);

/* Runs sql on db and calls fn for each result row (table is handed on, for
 * ifk_row_emit). A statement that does not prepare, or any SQLite error
 * while stepping, is ifk_art_sql_error's. Returns 0, fn's first non-zero
 * return, or that error. A run whose queries ran past its step budget, or
 * whose output reached a cap (CASE_FORMAT.md section 8), fails whatever
 * its parser returns. */
typedef int (*ifk_art_row_fn)(struct ifk_art *a, struct ifk_src *s, const char *table,
                              sqlite3_stmt *st, struct ifk_error *err);
int ifk_art_query(struct ifk_art *a, struct ifk_src *s, sqlite3 *db, const char *sql,
                  const char *table, ifk_art_row_fn fn, struct ifk_error *err);

/* ---- rows ---- */

/* Set a column of the current row by name; a column not set is NULL. The
 * value is copied. Text that is not valid UTF-8 is stored escaped ("\xNN")
 * and never dropped. NULL text sets NULL. */
void ifk_row_text(struct ifk_art *a, const char *col, const char *v);
void ifk_row_int(struct ifk_art *a, const char *col, int64_t v);
void ifk_row_real(struct ifk_art *a, const char *col, double v);
void ifk_row_bool(struct ifk_art *a, const char *col, int v);
/* A time as Unix seconds; NaN (no time) sets NULL. */
void ifk_row_time(struct ifk_art *a, const char *col, double unix_seconds);
/* Convenience: column i of a stepped statement, NULL staying NULL. _text
 * also accepts an INTEGER/REAL column (as text); _cocoa reads Cocoa
 * seconds or nanoseconds (see ifk_cocoa_time). */
void ifk_row_col_text(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_int(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_real(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_cocoa(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
/* Adds a timeline event to the current row: its time is the row's column
 * time_col (an IFK_COL_TIME column already set; no event when it is NULL),
 * event a short verb ("sent", "received", "visited"), summary one line
 * (may be NULL). At most 8 events per row. */
void ifk_row_event(struct ifk_art *a, const char *time_col, const char *event, const char *summary);
/* Writes the current row with its provenance (source s, its table and
 * rowid; table may name a plist key path and rowid an index) and starts
 * a new empty row. Returns 0, IFK_EINTR when the run was interrupted,
 * IFK_EIO when the output cannot be written, or IFK_EFORMAT "hostile or
 * damaged: ..." when a cell is over 16 MiB or the artifact's output
 * reached its cap (CASE_FORMAT.md section 8): nothing of that row is
 * written, and every later row is refused the same way. */
int ifk_row_emit(struct ifk_art *a, const struct ifk_src *s, const char *table, int64_t rowid,
                 struct ifk_error *err);
/* ifk_row_emit for a row that describes one backup file itself (a photo, a
 * voicemail recording): its provenance is that file (f's domain,
 * relativePath and plaintext SHA-256), table is "file" and rowid an index. */
int ifk_row_emit_file(struct ifk_art *a, const struct ifk_art_file *f, int64_t rowid,
                      struct ifk_error *err);
/* Rows emitted so far by this artifact. */
uint64_t ifk_art_rows(const struct ifk_art *a);

/* ---- times ---- */

#define IFK_COCOA_EPOCH 978307200.0 /* 2001-01-01T00:00:00Z in Unix seconds */

/* Cocoa seconds or nanoseconds since 2001-01-01 to Unix seconds, told apart
 * by magnitude (|v| >= 1e11 is nanoseconds: 1e11 s is past the year 5000).
 * 0 (no date, as iOS writes it) and non-finite values give NAN. */
double ifk_cocoa_time(double v);
/* Formats Unix seconds as UTC ISO 8601 into out (32 bytes): whole seconds
 * "YYYY-MM-DDTHH:MM:SSZ", else with milliseconds ".fffZ". Returns -1 (out
 * "") for NaN or a year outside 0001..9999. */
int ifk_time_format(double unix_seconds, char out[32]);

/* Helpers shared by the messaging artifact modules (sms_messages,
 * sms_attachments, whatsapp_chats, whatsapp_messages, calls): a bounded SQL
 * builder that adapts a SELECT to the columns a database has, reading
 * hostile column values, and one-line timeline summaries. Internal to
 * those modules; everything is static inline. */



/* ---- a SELECT built from the columns present ---- */

struct msg_sql {
	char s[8192];
	size_t len;
	int overflow;
};

static inline void msg_sql_add(struct msg_sql *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void msg_sql_add(struct msg_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(q->s + q->len, sizeof(q->s) - q->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->s) - q->len)
		q->overflow = 1;
	else
		q->len += (size_t)n;
}

/* Appends ", alias.column" when table has column, else ", NULL": the
 * result always has the same column positions. table and column are the
 * module's own constants, never names read from the database. */
static inline void msg_sql_col(struct msg_sql *q, sqlite3 *db, const char *table, const char *alias,
                               const char *column)
{
	if (ifk_db_has_column(db, table, column))
		msg_sql_add(q, ", %s.%s", alias, column);
	else
		msg_sql_add(q, ", NULL");
}

/* Runs the built query through the runner's loop (ifk_art_query), which
 * names the file and table of any SQLite error. */
static inline int msg_sql_run(struct ifk_art *a, const struct msg_sql *q, sqlite3 *db,
                              struct ifk_src *src, const char *table, ifk_art_row_fn fn,
                              struct ifk_error *err)
{
	if (q->overflow)
		return ifk_error_set(err, IFK_EINVAL, "%s: internal: query too long",
		                     ifk_src_relative_path(src));
	return ifk_art_query(a, src, db, q->s, table, fn, err);
}

/* ---- hostile values ---- */

/* 1 when column i is a number (INTEGER or REAL), with its value in *v. */
static inline int msg_num(sqlite3_stmt *st, int i, double *v)
{
	int t = sqlite3_column_type(st, i);

	if (t != SQLITE_INTEGER && t != SQLITE_FLOAT)
		return 0;
	*v = sqlite3_column_double(st, i);
	return 1;
}

/* -1 when column i is not a number, else 0 or 1 (any non-zero). */
static inline int msg_flag(sqlite3_stmt *st, int i)
{
	double v;

	if (!msg_num(st, i, &v))
		return -1;
	return v != 0;
}

/* Sets a BOOL column from a number; anything else leaves it NULL. */
static inline void msg_row_flag(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	int f = msg_flag(st, i);

	if (f >= 0)
		ifk_row_bool(a, col, f);
}

/* Sets an INT column from an INTEGER (or a whole REAL) only. */
static inline void msg_row_int(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	double v;

	if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
		ifk_row_int(a, col, sqlite3_column_int64(st, i));
	else if (msg_num(st, i, &v) && v > -9.2e18 && v < 9.2e18 && v == (double)(int64_t)v)
		ifk_row_int(a, col, (int64_t)v);
}

/* Column i as a new NUL-terminated string (TEXT, a BLOB holding text, or a
 * number as text), at most max bytes, trailing NULs dropped and inner NULs
 * made spaces; NULL for NULL or on allocation failure. The caller frees. */
static inline char *msg_col_str(sqlite3_stmt *st, int i, size_t max)
{
	const unsigned char *p;
	size_t n, k;
	char *s;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	if (sqlite3_column_type(st, i) == SQLITE_BLOB)
		p = sqlite3_column_blob(st, i);
	else
		p = sqlite3_column_text(st, i);
	n = (size_t)sqlite3_column_bytes(st, i);
	if (!p && n)
		return NULL;
	if (n > max)
		n = max;
	while (n && !p[n - 1])
		n--;
	if (!(s = malloc(n + 1)))
		return NULL;
	for (k = 0; k < n; k++)
		s[k] = p[k] ? (char)p[k] : ' ';
	s[n] = 0;
	return s;
}

/* Sets a TEXT column from column i as msg_col_str reads it, whole. */
static inline void msg_row_str(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	char *s = msg_col_str(st, i, SIZE_MAX);

	ifk_row_text(a, col, s);
	free(s);
}

/* ---- summaries ---- */

/* Copies s into out (cap bytes) as one line: control characters become
 * spaces, and a text too long is cut at a UTF-8 character boundary and
 * ends with "...". NULL or empty gives "". */
static inline void msg_snippet(char *out, size_t cap, const char *s)
{
	size_t n = 0, cut;

	if (cap == 0)
		return;
	out[0] = 0;
	if (!s || cap < 8)
		return;
	for (; s[n] && n < cap - 1; n++)
		out[n] = ((unsigned char)s[n] < 0x20 || s[n] == 0x7f) ? ' ' : s[n];
	out[n] = 0;
	if (!s[n])
		return;
	cut = cap - 4; /* room for "..." and the NUL */
	while (cut > 0 && ((unsigned char)out[cut] & 0xC0) == 0x80)
		cut--;
	memcpy(out + cut, "...", 4);
}

/* msg_snippet into buf, returning buf; NULL stays NULL. */
static inline const char *msg_clean(char *buf, size_t cap, const char *s)
{
	if (!s)
		return NULL;
	msg_snippet(buf, cap, s);
	return buf;
}

/* A duration for a summary: "63 s", "42.5 s". */
static inline void msg_duration(char *out, size_t cap, double secs)
{
	if (secs > -1e15 && secs < 1e15 && secs == (double)(int64_t)secs)
		snprintf(out, cap, "%lld s", (long long)secs);
	else
		snprintf(out, cap, "%.1f s", secs);
}

#endif
