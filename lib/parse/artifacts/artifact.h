/* ifk artifacts: the module interface of ifk-parse.
 *
 * Each artifact is one file, lib/parse/artifacts/<name>.c, that describes
 * it (see README.md beside this header): its output columns, its sources
 * (domain and relativePath), how each source is read (for SQLite: the
 * tables, the columns required, the SELECT and which output column each
 * query column becomes, with a conversion; for a plist or a folder: a C
 * hook), and the timeline events of its rows. IFK_ARTIFACT defines from
 * that the `const struct ifk_artifact ifk_art_<name>` listed once in
 * registry.c. The runner (lib/parse/descriptor.c) opens each source
 * through the one hardened opener, picks the schema variant the file has,
 * builds and runs the query under the artifact's budget, maps the rows,
 * adds the events and emits; the engine adds the provenance of every row
 * (domain, relativePath, SHA-256 of the decrypted source file, source
 * table and rowid), writes the row to artifacts.sqlite and <name>.jsonl,
 * and files its events into the timeline. The output format is specified
 * in CASE_FORMAT.md.
 *
 * A run (an artifact's parse function) returns:
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

struct ifk_art;      /* one artifact's run, owned by the engine */
struct ifk_src;      /* one decrypted source file, owned by the engine */
struct ifk_art_file; /* one file of the backup's index (below) */

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

/* ==== descriptors ==== */

struct ifk_art_row;

/* A conversion: sets output column col from column i of a stepped
 * statement, NULL staying NULL. The runner's (below, "rows") are
 * ifk_row_col_text, _str, _int, _whole, _id, _real, _bool, _flag, _cocoa
 * and _unix; a descriptor may name a function of its own. */
typedef void (*ifk_art_conv)(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);

/* Conditions ("needs") are names separated by blanks, all of which must
 * hold: "T" the file has an ordinary table T; "T.c" T has the column c (a
 * view or a virtual table T has every column: a query on it then fails,
 * naming it); "!x" x does not hold; "@a" the join of alias a is in the
 * query. T may be an alias of the query (its main table's or a join's):
 * "t.ZDATE". */

/* One column of a SELECT. */
struct ifk_art_field {
	const char *col;   /* the output column set from it, or NULL (for a hook) */
	ifk_art_conv conv; /* how (NULL when col is) */
	const char *expr;  /* the SQL: "a.ZDATE", "ROWID", "coalesce(aj.n, 0)"; NULL: the
	                    * table's expr hook writes it */
	const char *needs; /* when the file lacks these, the query selects NULL instead.
	                    * NULL: an expr "a.c" needs alias a's join in and its table's
	                    * column c, a bare "c" the main table's column c, anything
	                    * else nothing; "": nothing ("ROWID") */
};

/* One piece of a query after "FROM table alias": a join, or (alias NULL)
 * a clause (" WHERE ..."). Of the joins of one alias, the first whose
 * needs hold is in; a piece whose needs do not hold is left out, and the
 * fields on its alias select NULL. Arrays of pieces end with an entry of
 * NULLs. */
struct ifk_art_join {
	const char *alias; /* "t" */
	const char *table; /* the table joined, or NULL (a subquery) */
	const char *needs; /* NULL or "": always */
	const char *sql;   /* " LEFT JOIN ZACCOUNTTYPE t ON t.Z_PK = a.ZACCOUNTTYPE"; NULL: the
	                    * table's join hook writes it */
};

/* One table of an SQLite source, with its query: "SELECT <fields> FROM
 * <table> <alias><from> ORDER BY <the rowid field>". A run of entries
 * without `also` are variants of one schema: the first whose table the
 * file has is read (none: unsupported-schema "has no table A (label) or B
 * (label)"; of a single variant, what ifk_art_require says). An entry
 * with `also` is read after them when the file has its table and
 * required columns. Arrays of tables end with {0}. */
struct ifk_art_table {
	const char *table; /* the main table, the rows' source_table */
	const char *alias; /* its alias in the SQL, or NULL */
	const char *label; /* "iOS 14+", named when no variant's table is there */
	int also;          /* read too, when present (see above) */
	/* The columns required: one ifk_art_require check per blank-separated
	 * "T:c1,c2", in order (the first that fails gives the reason); T may
	 * be an alias; "a|b" needs a or b (a is named when neither is there):
	 * "message:date,is_from_me message:text|attributedBody". */
	const char *require;
	const struct ifk_art_field *fields; /* the SELECT, in order; ends with NULLs */
	const struct ifk_art_join *from;    /* joins and clauses, or NULL */
	int rowid; /* the field of each row's source rowid; rows come in its order */
	/* hooks, each optional: */
	/* writes the expression of field i (expr NULL) to q; 0 or IFK_ENOMEM */
	int (*expr)(sqlite3 *db, int i, struct ifk_buf *q);
	/* writes the join of alias (sql NULL) to q: 1 when it did, 0 when it
	 * leaves it out, or IFK_ENOMEM */
	int (*join)(sqlite3 *db, const char *alias, struct ifk_buf *q);
	/* before the query runs: sets up r->ctx; 0 or an error */
	int (*open)(struct ifk_art_row *r, struct ifk_error *err);
	/* for each row, before its fields are mapped: sets what the table
	 * cannot (r->st is the row) and may write r->subject and r->line;
	 * 0, 1 to leave the row out, or an error */
	int (*row)(struct ifk_art_row *r, struct ifk_error *err);
	/* at the end, also after a failure: releases r->ctx */
	void (*close)(struct ifk_art_row *r);
};

/* How one source is read: an SQLite database with its tables, a plist by
 * a hook given its root (of any type), or a folder (a path ending "/") by
 * a hook given each file below it, in order, the row then emitted as a
 * file row (ifk_art_emit_file), rowid its 1-based position; a folder
 * without files is absent. Arrays of reads end with {0}. */
struct ifk_art_read {
	int source;                         /* index of the artifact's sources */
	int fallback;                       /* index of a source read instead when this
	                                     * one is absent (0: none) */
	const struct ifk_art_table *tables; /* an SQLite database */
	int (*plist)(struct ifk_art_row *r, plist_t root, struct ifk_error *err);
	int (*file)(struct ifk_art_row *r, const struct ifk_art_file *f,
	            struct ifk_error *err); /* 0, 1 to leave the file out, or an error */
};

/* One timeline event of each row. Arrays of events end with {0}. */
struct ifk_art_event {
	const char *time_col; /* an IFK_COL_TIME column: no event while the row leaves it NULL */
	const char *event;    /* a short verb: "created", "visited" */
	const char *name_col; /* NULL, or a TEXT column whose value, when set, is the event
	                       * instead ("sent", "received") */
	const char *before;   /* the summary: before, the row's subject, after; */
	const char *after;    /* both NULL: the row's line */
	int max;              /* bytes of the subject kept (0: all) */
};

/* An artifact's description. The runner reads its sources in the order of
 * reads (or the one `read`); the first failure ends the run; it is absent
 * when every source is (reason: `absent`, else the first source's
 * message). */
struct ifk_art_desc {
	struct ifk_art_read read;         /* the source read, when reads is NULL */
	const struct ifk_art_read *reads; /* the sources read, in order */
	const struct ifk_art_event *events;
	const char *subject;    /* SQLite: a column whose query text is each row's subject */
	const char *no_subject; /* the subject when it is NULL or empty */
	const char *absent;     /* the reason when every source is absent */
	/* the whole run instead of reads (for what reads cannot say) */
	int (*run)(struct ifk_art_row *r, struct ifk_error *err);
};

/* The row being made, as hooks see it. */
struct ifk_art_row {
	struct ifk_art *a;
	const struct ifk_art_desc *d;
	struct ifk_src *src;           /* the source read */
	sqlite3 *db;                   /* SQLite: its database */
	const struct ifk_art_table *t; /* SQLite: the table read */
	sqlite3_stmt *st;              /* SQLite: the row (during the row hook) */
	void *ctx;                     /* the open hook's */
	char subject[1024];            /* the summaries' subject */
	char line[1024];               /* the summary of events without before/after */
};

/* Defines `const struct ifk_artifact ifk_art_<id>`, run from desc (a
 * struct ifk_art_desc): IFK_ARTIFACT(accounts, "Accounts", "1", sources,
 * cols, desc). */
#define IFK_ARTIFACT(id, title_, version_, sources_, cols_, desc_)                                 \
	static int run_##id(struct ifk_art *a, struct ifk_error *err)                              \
	{                                                                                          \
		return ifk_art_run(a, &(desc_), err);                                              \
	}                                                                                          \
	const struct ifk_artifact ifk_art_##id = {.name = #id,                                     \
	                                          .title = title_,                                 \
	                                          .version = version_,                             \
	                                          .sources = sources_,                             \
	                                          .cols = cols_,                                   \
	                                          .parse = run_##id}

/* Runs an artifact from its description (the parse function IFK_ARTIFACT
 * defines). */
int ifk_art_run(struct ifk_art *a, const struct ifk_art_desc *d, struct ifk_error *err);
/* Reads one source as rd says (for a run hook); IFK_ENOTFOUND when the
 * backup has neither it nor its fallback. */
int ifk_art_read(struct ifk_art_row *r, const struct ifk_art_read *rd, struct ifk_error *err);
/* For a run hook that reads on after a failure: the first failure.
 * Returns rc when it is one (< 0) or new_rc is none (>= 0); else copies
 * e (new_rc's message) to err and returns new_rc. */
int ifk_art_keep_error(int rc, int new_rc, struct ifk_error *err, const struct ifk_error *e);
/* Adds the description's events to the current row (subject and line as
 * r holds them), emits it with the provenance of r->src, table and rowid
 * (ifk_row_emit), and clears r->subject and r->line. */
int ifk_art_emit(struct ifk_art_row *r, const char *table, int64_t rowid, struct ifk_error *err);
/* The same for a row that describes one backup file (ifk_row_emit_file). */
int ifk_art_emit_file(struct ifk_art_row *r, const struct ifk_art_file *f, int64_t rowid,
                      struct ifk_error *err);

/* Looks domain/path up in the backup's index and sets the current row's
 * <pfx>_path, <pfx>_present and, for a file the index has, <pfx>_size,
 * <pfx>_sha256 and <pfx>_state ("file_path", ...). Returns 0, or
 * IFK_EINTR when the run was interrupted (an index that cannot be read
 * leaves the file not present). */
int ifk_art_lookup(struct ifk_art *a, const char *domain, const char *path, const char *pfx,
                   struct ifk_error *err);

/* ==== sources ==== */

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
 * ifk_sqlite_open_untrusted (core.h): read-only, no views, no triggers,
 * and the queries under the artifact's step budget and the stop flag. *db
 * is the caller's (sqlite3_close). A file that is empty, not SQLite or
 * corrupt is IFK_EFORMAT naming it. */
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

/* ==== schema ==== */

/* 1 when db has the table: an ordinary table, not a view or a virtual
 * table of that name (0 also when the schema cannot be read). */
int ifk_db_has_table(sqlite3 *db, const char *table);
/* 1 when db's table has the column. Where the name is a view or a virtual
 * table, 1 for any column: a query built on it then fails (views are
 * disabled), failing the artifact with a message naming the view, instead
 * of leaving the column out unnoticed. */
int ifk_db_has_column(sqlite3 *db, const char *table, const char *column);
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

/* Runs sql on r->db and calls fn for each result row, with r->st the
 * row (table names the query in errors). A statement that does not
 * prepare, or any SQLite error while stepping, is ifk_art_sql_error's.
 * Returns 0, fn's first non-zero return, or that error. A run whose
 * queries ran past its step budget, or whose output reached a cap
 * (CASE_FORMAT.md section 8), fails whatever its parser returns. */
typedef int (*ifk_art_row_fn)(struct ifk_art_row *r, struct ifk_error *err);
int ifk_art_query(struct ifk_art_row *r, const char *sql, const char *table, ifk_art_row_fn fn,
                  struct ifk_error *err);

/* ==== rows ==== */

/* Set a column of the current row by name; a column not set is NULL. The
 * value is copied. Text that is not valid UTF-8 is stored escaped ("\xNN")
 * and never dropped. NULL text sets NULL. */
void ifk_row_text(struct ifk_art *a, const char *col, const char *v);
void ifk_row_int(struct ifk_art *a, const char *col, int64_t v);
void ifk_row_real(struct ifk_art *a, const char *col, double v);
void ifk_row_bool(struct ifk_art *a, const char *col, int v);
/* A time as Unix seconds; NaN (no time) sets NULL. */
void ifk_row_time(struct ifk_art *a, const char *col, double unix_seconds);
/* The conversions (ifk_art_conv): column i of a stepped statement, NULL
 * staying NULL.
 *   _text   TEXT; an INTEGER, REAL or BLOB as text
 *   _str    TEXT, a BLOB holding text or a number as text; NULs inside
 *           become spaces, trailing NULs are dropped (ifk_art_str)
 *   _int    an INTEGER, or a REAL cut to an integer; other types NULL
 *   _whole  an INTEGER, or a REAL that is a whole number; else NULL
 *   _id     the value as sqlite3_column_int64 reads it (0 for text)
 *   _real   an INTEGER or a REAL
 *   _bool   a number: 0 false, else true (REALs cut first: 0.5 false)
 *   _flag   a number: 0 false, else true (0.5 true)
 *   _cocoa  Cocoa seconds or nanoseconds (see ifk_cocoa_time)
 *   _unix   Unix seconds; 0 is no time */
void ifk_row_col_text(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_str(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_int(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_whole(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_id(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_real(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_bool(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_flag(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_cocoa(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
void ifk_row_col_unix(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i);
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

/* ==== hostile values, for hooks (values.c) ==== */

/* 1 when column i is a number (INTEGER or REAL), with its value in *v. */
int ifk_art_num(sqlite3_stmt *st, int i, double *v);
/* -1 when column i is not a number, else 0 or 1 (any non-zero). */
int ifk_art_flag(sqlite3_stmt *st, int i);
/* Column i as a new NUL-terminated string (TEXT, a BLOB holding text, or a
 * number as text), at most max bytes, trailing NULs dropped and inner NULs
 * made spaces; NULL for NULL or on allocation failure. The caller frees. */
char *ifk_art_str(sqlite3_stmt *st, int i, size_t max);
/* Copies s into out (cap bytes) as one line: control characters become
 * spaces, and a text too long is cut at a UTF-8 character boundary and
 * ends with "...". NULL or empty gives "". */
void ifk_art_snippet(char *out, size_t cap, const char *s);
/* ifk_art_snippet into buf, returning buf; NULL stays NULL. */
const char *ifk_art_clean(char *buf, size_t cap, const char *s);
/* A duration for a summary: "63 s", "42.5 s". */
void ifk_art_duration(char *out, size_t cap, double secs);

/* dict[key] as a new string (the caller frees), or NULL: dict is not a
 * dictionary, the key is absent, of another type or holds a NUL. */
char *ifk_art_dict_str(plist_t dict, const char *key);
/* Sets col from dict[key] when it is such a string; 1 when it did. */
int ifk_row_dict_text(struct ifk_art *a, const char *col, plist_t dict, const char *key);
/* dict[key] as a date node, in Unix seconds; NAN when it is not one. */
double ifk_art_dict_date(plist_t dict, const char *key);

/* ==== times ==== */

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
