/* The one way ifk opens an SQLite file it did not write in this run: an
 * app database from the evidence (from a private copy), Manifest.db, a
 * parse folder's artifacts.sqlite. Every such file is hostile until read.
 *
 * The opener checks the "SQLite format 3" header before SQLite sees the
 * file (an empty file is not a database), opens it read-only and immutable
 * through a percent-encoded URI, without following a symlink, then turns off
 * everything that runs the file author's SQL or code: defensive mode,
 * untrusted schema, no triggers, no views (a query naming one fails), no
 * extensions, no ATTACH. Values longer than IFK_SQLITE_MAX_LENGTH, deep or
 * long statements are refused; memory maps are off, cell sizes checked, the
 * page cache bounded. Every query runs under a budget the caller owns: VM
 * steps and wall-clock time that grow with the bytes of the files opened,
 * and the caller's stop flag (Ctrl-C). CASE_FORMAT.md section 8 states the
 * rules and the numbers. */
#ifndef IFK_SQLITE_UNTRUSTED_H
#define IFK_SQLITE_UNTRUSTED_H

#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>

#include "ifk/error.h"

/* Bytes of one string, blob or row (SQLITE_LIMIT_LENGTH). The largest
 * values real iOS databases hold in what ifk reads (attributedBody, a
 * link preview, a note's gzipped body, a contact thumbnail) are kilobytes
 * to a few MiB. The same number caps a cell ifk-parse writes. */
#define IFK_SQLITE_MAX_LENGTH (16 << 20)
/* The step budget: VM steps allowed per file opened, plus per byte of it
 * (after its WAL is applied). Real queries take about one step per byte;
 * SQLite runs some 50-100 million steps a second, so a small hostile file
 * is cut off after one or two seconds. */
#define IFK_SQLITE_STEPS_BASE 100000000LL
#define IFK_SQLITE_STEPS_PER_BYTE 16
/* The wall-clock backstop (one step can be slow: a 16 MiB value computed
 * per row): seconds per file opened, plus per MiB of it. */
#define IFK_SQLITE_SECONDS_BASE 30
#define IFK_SQLITE_SECONDS_PER_MIB 1
/* Page cache per connection, KiB. */
#define IFK_SQLITE_CACHE_KIB 8192
/* SQLite's memory in the whole process (ifk_sqlite_limit_heap). */
#define IFK_SQLITE_HEAP_LIMIT (1LL << 30)

enum ifk_sqlite_cut {
	IFK_SQLITE_RUNNING,   /* not cut */
	IFK_SQLITE_CUT_STEPS, /* past the step budget */
	IFK_SQLITE_CUT_TIME,  /* past the wall-clock backstop */
	IFK_SQLITE_CUT_STOP,  /* the stop flag was set */
};

/* The budget of one unit of work (an artifact's run, a report): every
 * connection opened with it draws from it, and each file opened adds its
 * allowance. Owned by the caller, zeroed but for stop, and it must outlive
 * every connection opened with it. Once cut, every query on those
 * connections fails at once (SQLITE_INTERRUPT). */
struct ifk_sqlite_budget {
	volatile sig_atomic_t *stop; /* the caller's stop flag, or NULL */
	int64_t steps_max, steps;    /* VM steps allowed, and counted so far */
	int64_t ms_max, start_ms;    /* wall-clock ms allowed, from start (monotonic) */
	int64_t bytes;               /* bytes of the files opened so far */
	int cut;                     /* enum ifk_sqlite_cut, sticky */
};

/* flags for ifk_sqlite_open_untrusted */
enum {
	/* The file must be one ifk-parse wrote (artifacts.sqlite): tables and
	 * indexes only, no view, trigger, virtual table, computed (generated)
	 * column or column DEFAULT. Anything else is IFK_EFORMAT. */
	IFK_SQLITE_IFK_OUTPUT = 1,
};

/* Opens path read-only (immutable: nothing may change it while open) with
 * the rules above, reads its schema, and adds the file's allowance to
 * budget. *db is the caller's (sqlite3_close; budget must outlive it).
 * Returns 0; IFK_EFORMAT for a file that is empty, not SQLite, corrupt, or
 * (IFK_SQLITE_IFK_OUTPUT) not ifk's output, naming path; IFK_EIO when it
 * cannot be read; IFK_EINTR when budget's stop flag is set. */
int ifk_sqlite_open_untrusted(const char *path, struct ifk_sqlite_budget *budget, unsigned flags,
                              sqlite3 **db, struct ifk_error *err);

/* Applies the WAL beside path (path + "-wal") into path, which must be a
 * private copy: opens it read-write under the same rules, reads the schema,
 * checkpoints, and turns the file back to a rollback journal (the WAL is
 * folded in and removed), so that ifk_sqlite_open_untrusted then reads the
 * database as it was with its WAL. *frames is the number of frames SQLite
 * found valid in the WAL (0: a WAL whose salts or checksums do not match
 * is ignored by SQLite, and nothing was applied). Returns as the opener. */
int ifk_sqlite_apply_wal(const char *path, struct ifk_sqlite_budget *budget, int64_t *frames,
                         struct ifk_error *err);

/* The error for a failed SQLite call rc on db (sql: the statement, or
 * NULL), its message "<fmt...>: <reason>". The file is at fault (corrupt, a
 * value over IFK_SQLITE_MAX_LENGTH, a view where a table belongs, SQLite's
 * memory limit reached): IFK_EFORMAT with the reason "hostile or damaged:
 * ..."; interrupted by the budget (SQLITE_INTERRUPT): IFK_EINTR, which the
 * unit of work turns into ifk_sqlite_cut_error; an I/O error: IFK_EIO;
 * anything else IFK_EFORMAT with SQLite's message. Returns the code. */
int ifk_sqlite_fail(sqlite3 *db, int rc, const char *sql, struct ifk_error *err, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

/* When budget was cut, the error saying why: IFK_EINTR "interrupted" for
 * the stop flag, else IFK_EFORMAT "hostile or damaged: <what>: its queries
 * ran past ..."; returns the code. 0 (err untouched) when not cut. */
int ifk_sqlite_cut_error(const struct ifk_sqlite_budget *budget, const char *what,
                         struct ifk_error *err);

/* "file:" + path, percent-encoded (only A-Z a-z 0-9 - . _ ~ / stay as
 * they are), + "?" + params when params is not NULL or "". NULL when out
 * of memory; the caller frees. */
char *ifk_sqlite_uri(const char *path, const char *params);

/* Caps SQLite's memory for the whole process at IFK_SQLITE_HEAP_LIMIT
 * (sqlite3_hard_heap_limit64: past it every allocation fails, which ends
 * the query with SQLITE_NOMEM). Process-wide: it covers ifk's own
 * databases too (the files index, artifacts.sqlite being written, a work
 * database), whose caches are bounded; a tool calls it once at start. */
void ifk_sqlite_limit_heap(void);

#endif
