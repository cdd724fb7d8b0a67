/* ifk artifacts: the module interface of ifk-parse.
 *
 * Each artifact is one file, lib/art_<name>.c, defining one
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
#include <stddef.h>
#include <stdint.h>

#include "ifk/error.h"
#include "ifk/keybag.h"

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

/* The registry (lib/artifacts.c): every artifact in output order, ending
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

#endif
