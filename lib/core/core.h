/* Small helpers shared by the ifk modules: hex, time, files and paths. */
#ifndef IFK_CORE_H
#define IFK_CORE_H

#include <openssl/evp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <ifk/error.h>

#define IFK_SHA256_LEN 32
#define IFK_SHA256_HEX 65 /* 64 digits and NUL */
#define IFK_IO_CHUNK (1024 * 1024)

/* Writes 2*len lowercase hex digits and a NUL into out. */
void ifk_hex(const uint8_t *buf, size_t len, char *out);

/* Formats t as UTC ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void ifk_time_iso(time_t t, char out[21]);
/* Reads that form back: 0 with *t, or -1. */
int ifk_time_parse_iso(const char *s, int64_t *t);

/* A duration as a user writes it: a whole number and one unit, s, m, h, d
 * or w ("90m", "24h", "7d"). 0 with *seconds (> 0), or IFK_EINVAL. */
int ifk_duration_parse(const char *s, int64_t *seconds);

/* A duration for people, its two largest units: "45s", "12m 5s", "3h 12m",
 * "6d 2h" (a negative one with a leading '-'). out holds 32 bytes. */
void ifk_duration_text(int64_t seconds, char out[32]);

/* SHA-256 of a memory buffer, as hex. */
void ifk_sha256_hex(const void *buf, size_t len, char out[IFK_SHA256_HEX]);

/* A growable byte buffer, always NUL-terminated; zero it before use. */
struct ifk_buf {
	char *data;
	size_t len, cap;
};
int ifk_buf_add(struct ifk_buf *b, const void *data, size_t len); /* 0 or IFK_ENOMEM */
int ifk_buf_printf(struct ifk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ifk_buf_free(struct ifk_buf *b);

/* The one copy-while-hashing loop: reads in_fd to its end in IFK_IO_CHUNK
 * reads; every byte read feeds md, goes to chunk and is written to out_fd,
 * those that are set. Returns 0 at the end, 1 when a read failed part way
 * (read_errno says why, bytes how far: the source's fault, for the caller
 * to record), IFK_EIO when out_fd could not be written, IFK_EINTR when
 * *stop was set, IFK_ENOMEM.
 * With size set (the size fstat gave), the loop ends once that many bytes
 * are read, without a last read to see the end: the caller compares fstat
 * after the copy to see a file that grew. With writeback set, a file of
 * one chunk or more has its written pages sent to the disk as it goes
 * (ifk_writeback_start), so that a later syncfs finds little left to do. */
struct ifk_copy {
	EVP_MD_CTX *md;                                          /* or NULL */
	int out_fd;                                              /* or -1 */
	void (*chunk)(void *ctx, const uint8_t *buf, size_t n); /* or NULL */
	void *ctx;
	volatile sig_atomic_t *stop; /* polled, or NULL */
	uint8_t *buf;                /* IFK_IO_CHUNK bytes to read into, or NULL: allocated */
	uint64_t size;               /* the bytes expected, or 0: read to the end */
	int writeback;               /* start writing out_fd's pages to disk as they come */
	/* results */
	uint64_t bytes;
	int read_errno;
};
int ifk_copy_fd(int in_fd, struct ifk_copy *c, const char *what, struct ifk_error *err);
/* Starts (does not wait for) the write-out of fd's dirty pages to disk, so
 * that they go while more arrives and the syncfs before a seal finds
 * little left; advice only: a failure here is the syncfs's to report. */
void ifk_writeback_start(int fd);

/* The one private temporary folder: $TMPDIR/ifk-<tag>-XXXXXX (/tmp when
 * TMPDIR is unset), mode 0700, holding the folders subs names (a
 * NULL-terminated list, or NULL), each 0700. *path is malloc'd; on an
 * error nothing is left. */
int ifk_tmpdir_make(const char *tag, const char *const *subs, char **path,
                    struct ifk_error *err);
/* Removes path and everything below it, following no symlink. Accepts NULL. */
void ifk_tree_remove(const char *path);

/* Writes all of buf to fd, retrying short writes and EINTR. */
int ifk_write_all(int fd, const void *buf, size_t len, const char *what, struct ifk_error *err);

/* Reads up to cap bytes of a regular file (opened relative to dirfd, or an
 * absolute/cwd path when dirfd is AT_FDCWD) without following a final
 * symlink. *out is malloc'd and NUL-terminated (caller frees); *len excludes
 * the NUL. A file larger than cap is IFK_EFORMAT. */
int ifk_read_small(int dirfd, const char *path, size_t cap, char **out, size_t *len,
                   struct ifk_error *err);

/* The one confinement check for a relative path that comes from evidence
 * (a bag's manifest, a backup's index, a device, an archive, a parse
 * folder) before it is joined to a folder: NULL when it stays inside,
 * else why not ("empty", "absolute", "a \"..\" part", "a \".\" part", "an
 * empty part", "not valid UTF-8"). Static storage. */
const char *ifk_relpath_problem(const char *rel);

/* Opens a regular file for reading without blocking on a FIFO. With a
 * folder dirfd, path comes from evidence: it must pass ifk_relpath_problem
 * (else IFK_EFORMAT "refused") and is opened beneath dirfd with no symlink
 * anywhere on the way (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or
 * component by component with O_NOFOLLOW where openat2 is missing). With
 * AT_FDCWD, a path the user gave, only the last component must not be a
 * symlink. Returns the fd, or a negative IFK_E* code (IFK_ENOTFOUND when
 * missing, IFK_EFORMAT when not a regular file or a symlink). */
int ifk_open_regular(int dirfd, const char *path, struct ifk_error *err);

/* Calls fn for each entry of the folder dir_fd (not "." or ".."), in
 * directory order, with the entry's name and its path below the walk's top
 * (rel + "/" + name; just name when rel is NULL). Memory does not grow with
 * the folder's size. Returns 0, fn's first non-zero return, or IFK_ENOMEM;
 * *list_errno is set when the folder could not be listed (wholly or in
 * part). */
typedef int (*ifk_dir_fn)(void *ctx, const char *name, const char *child_rel);
int ifk_dir_foreach(int dir_fd, const char *rel, ifk_dir_fn fn, void *ctx, int *list_errno);
/* The same in name order (strcmp) when the folder holds at most max
 * entries (their names are held in memory), else in directory order as
 * ifk_dir_foreach. Walking a backup's xx/ folders in name order reads the
 * files in fileID order, the order of a table keyed on it. */
int ifk_dir_foreach_sorted(int dir_fd, const char *rel, size_t max, ifk_dir_fn fn, void *ctx,
                           int *list_errno);

/* Replaces path with content buf so that a reader sees the old file or the
 * new one whole, never a part: a private temporary beside it, written,
 * fsync'd, renamed over path, the folder fsync'd. */
int ifk_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
                     struct ifk_error *err);

/* Creates path (relative to dirfd) with content buf, failing if it exists. */
int ifk_write_new(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
                  struct ifk_error *err);

/* Streams a whole file: SHA-256 of the content read through fd. */
int ifk_sha256_fd(int fd, char out[IFK_SHA256_HEX], uint64_t *bytes, const char *what,
                  struct ifk_error *err);

/* Replaces control characters (and a leading/trailing blank) so that s can
 * stand on one line of a tag file; returns a malloc'd copy. */
char *ifk_one_line(const char *s);

/* The length of the valid UTF-8 sequence at s (n bytes available, n > 0);
 * 0 when the byte starts none (overlong forms, surrogates, past U+10FFFF). */
size_t ifk_utf8_seq(const unsigned char *s, size_t n);

/* 1 when s[0..n) is valid UTF-8 (no overlong forms, no surrogates). */
int ifk_utf8_valid(const char *s, size_t n);

/* A malloc'd copy of s that is valid UTF-8 without control characters:
 * invalid bytes and controls become "\xNN", so that any name can go into
 * JSON and onto one line. */
char *ifk_text_escape(const char *s);

/* Text from evidence or the user as a JSON string: escaped as
 * ifk_text_escape does (never dropped, as jansson drops what is not
 * UTF-8); NULL gives JSON null. A new reference. */
struct json_t;
struct json_t *ifk_json_text(const char *s);

/* Returns a malloc'd a + "/" + b. */
char *ifk_path_join(const char *a, const char *b);


/* 1 when path (which need not exist) would lie inside the existing folder
 * dir or be dir itself, symlinks resolved; else 0. */
int ifk_path_within(const char *dir, const char *path);

/* The effective user's login name and this host's name, for custody
 * records (malloc'd; "unknown" when they cannot be had). */
char *ifk_user_name(void);
char *ifk_host_name(void);

/* A bounded line reader for tag files and logs: memory never grows with a
 * line's length, and every byte read can feed a digest. */



#define IFK_LINE_TOO_LONG 1 /* the line was longer than the limit: its text is dropped */
#define IFK_LINE_NO_EOL 2   /* the last line of the file had no LF */

struct ifk_lines;

#define IFK_LINES_MAX_MD 32 /* digests one reader can feed */

/* Reads fd from its current position. max_line bounds one line (without its
 * LF). md (may be NULL) receives every byte read, as read. *out is owned by
 * the caller: ifk_lines_free (which does not close fd). */
int ifk_lines_open(int fd, size_t max_line, EVP_MD_CTX *md, struct ifk_lines **out,
                   struct ifk_error *err);

/* The same over text[0..len) (not copied: it must outlive the reader). */
int ifk_lines_open_mem(const char *text, size_t len, size_t max_line, struct ifk_lines **out,
                       struct ifk_error *err);

/* One more digest that receives every byte read (before decoding); at most
 * IFK_LINES_MAX_MD. Returns 0 or IFK_EINVAL. */
int ifk_lines_add_md(struct ifk_lines *l, EVP_MD_CTX *md);

/* A lone CR ends a line too, and CRLF is one line end (the line ends of
 * BagIt text tag files). */
void ifk_lines_end_on_cr(struct ifk_lines *l);

/* Decodes the bytes read from encoding (an iconv name; NULL or UTF-8: none)
 * to UTF-8 before splitting lines. Call before the first line. Returns 0,
 * IFK_EUNSUPPORTED (unknown encoding) or IFK_ENOMEM; text that does not
 * decode makes ifk_lines_next return IFK_EFORMAT. */
int ifk_lines_set_encoding(struct ifk_lines *l, const char *encoding, struct ifk_error *err);

/* The next line: returns 1 with *line (NUL-terminated, without its LF; owned
 * by l, valid until the next call), *len and *flags (IFK_LINE_*); 0 at end
 * of file; a negative IFK_E* code on a read error. A line holding a NUL has
 * strlen(*line) < *len. */
int ifk_lines_next(struct ifk_lines *l, char **line, size_t *len, int *flags,
                   struct ifk_error *err);

void ifk_lines_free(struct ifk_lines *l);

/* The backup password (and the examiner key's passphrase), from a file, an
 * environment variable or a prompt with echo off: never from argv. */



/* Reads the password (at most 4096 bytes): from file when given, else
 * IFK_PASSWORD (taken as ifk_password_take_env does), else a prompt on
 * /dev/tty with echo off when there is a terminal.
 *
 * The file is the operator's input, not evidence: a regular file (symbolic
 * links followed, as container secrets are mounted), a pipe or FIFO
 * ("/dev/stdin", "<(...)"), a socket or a character device; "-" is standard
 * input. A folder, a block device or a terminal is IFK_EINVAL. Its content
 * less one trailing newline (LF or CRLF) is the password. A pipe that has
 * not ended within IFK_SECRET_TIMEOUT seconds (default 30) is IFK_EIO;
 * more than 4096 bytes is IFK_EFORMAT.
 *
 * *pw is malloc'd (wipe with OPENSSL_cleanse, then free). IFK_ENOTFOUND
 * when there is no source at all, or the file does not exist. */
int ifk_password_read(const char *file, const char *prompt, char **pw, size_t *len,
                      struct ifk_error *err);

/* Takes a secret out of the environment variable name: *pw is a malloc'd
 * copy (NULL when the variable is not set), and the variable's bytes are
 * overwritten in place before it is removed, so that neither
 * /proc/PID/environ nor a child process shows it. IFK_EFORMAT when the
 * value is longer than 4096 bytes (it is wiped all the same). */
int ifk_password_take_env(const char *name, char **pw, size_t *len, struct ifk_error *err);

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
