/* Internal to the parse module: the runner's state, shared by runner.c
 * (sources and the artifact runner), descriptor.c (an artifact run from
 * its description), output.c (rows, timeline, output files), values.c
 * (conversions of hostile values) and parse.c (the engine). */
#ifndef IFK_PARSE_INT_H
#define IFK_PARSE_INT_H

#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ifk/parse.h>
#include "core.h"
#include "formats.h"
#include "evidence.h"
#include "artifact.h"

#define P_MAX_EVENTS 8

struct ifk_src {
	char *domain, *relpath;
	char *path;        /* the plaintext: a private temporary, or the user's file */
	char sha256[65];   /* of the plaintext */
	uint64_t bytes;    /* of the plaintext */
	char *db_copy_dir; /* a private folder holding the SQLite copy, or NULL */
	int wal_applied;
	char wal_sha256[65];
	uint64_t wal_bytes;
	int64_t wal_frames; /* frames SQLite found valid in it */
	struct ifk_src *next;
};

struct p_val {
	int set;
	int64_t i;
	double r;
	char *s;
};

struct p_event {
	int col;
	char *event, *summary;
};

struct ifk_art {
	struct ifk_parse_ctx *c;
	const struct ifk_artifact *art;
	size_t ncols;
	struct p_val *vals;
	struct p_event ev[P_MAX_EVENTS];
	int nev;
	sqlite3_stmt *ins;
	FILE *jsonl;
	json_t *real; /* formats a REAL value as jansson does (output.c) */
	uint64_t rows;
	struct ifk_src *srcs; /* sources this run touched */
	char bad_col[128];    /* a row function named an unknown column */
	int saw_missing;      /* a source is listed in the index but not stored */
	int saw_off_device;   /* a source's class key stays on the device */
	/* the budget of every SQLite source it opens, and the last one */
	struct ifk_sqlite_budget sql;
	const struct ifk_src *sql_src;
	/* bytes written so far (output.c); a cap stopped the output:
	 * out_msg says which */
	uint64_t out_bytes;
	int out_cut;
	char out_msg[512];
};

struct ifk_parse_ctx {
	char *out_dir;
	char *tmpdir; /* private (0700) folder for SQLite copies */
	sqlite3 *out; /* artifacts.sqlite */
	sqlite3 *idx; /* the files index (in memory or a private file) */
	/* the index's INSERT, prepared at the first file; rows appended
	 * since the last p_ctx_settle */
	sqlite3_stmt *idx_ins;
	int idx_pending;
	sqlite3_stmt *tl_ins;
	const struct ifk_keybag *kb;
	int include_secrets;
	volatile sig_atomic_t *stop;
	unsigned long copies;
};

/* runner.c */
int p_ctx_open(const char *out_dir, const char *tmpdir, const char *idx_path,
               struct ifk_parse_ctx **out, struct ifk_error *err);
/* Records one file of the backup in the index (local_path NULL: not
 * captured; sha256 NULL: not read; state "ok", "not-decryptable-off-device"
 * or "failed"; reason for failed). */
int p_ctx_index(struct ifk_parse_ctx *c, const char *domain, const char *relpath,
                const char *file_id, uint64_t size, int64_t mtime, int64_t birth, uint32_t pclass,
                const char *sha256, const char *state, const char *reason, const char *local_path,
                struct ifk_error *err);

/* Moves the rows p_ctx_index appended into the index's keyed table (done
 * before every artifact run; after the pass, inside its transaction). */
int p_ctx_settle(struct ifk_parse_ctx *c, struct ifk_error *err);

/* output.c */
int p_out_create(struct ifk_parse_ctx *c, struct ifk_error *err);
int p_out_begin(struct ifk_art *a, struct ifk_error *err);
int p_out_end(struct ifk_art *a); /* IFK_EIO when a jsonl file did not write whole */
/* The current row's value of a TEXT column, NULL when not set. */
const char *p_row_text_value(const struct ifk_art *a, const char *name);
int p_out_finish(struct ifk_parse_ctx *c, struct ifk_error *err);

/* Internal to the parse module: the engine's state (parse.c) shared with
 * its consumer of the verification pass (tap.c). */



struct peng {
	const struct ifk_parse_opts *o;
	const struct ifk_artifact **arts; /* the selected artifacts, NULL-terminated */
	char *tmpdir;                     /* private (0700): src/, top/, index.sqlite */
	char *out_tmp, *export_tmp;       /* <out>.incomplete, <export>.incomplete, once made
	                                   * by this run (only then removed on failure) */
	int out_published, export_published;
	char *target_j, *out_j, *export_j; /* the paths as JSON can hold them (escaped) */
	int export_fd;                     /* export_tmp, or -1 */
	struct ifk_parse_ctx *ctx;
	struct ifk_yara *yara;
	FILE *yara_out;
	struct ifk_error tap_err; /* the first problem of the tap */
	uint64_t files_ok, files_failed, files_off_device, bytes_ok;
	uint64_t exported, export_skipped, yara_files, yara_matches, yara_errors;
	json_t *export_skips, *yara_error_list;
	struct ifk_keybag *kb;
};

/* tap.c */
void p_tap_init(struct peng *g, struct ifk_verify_tap *t);

/* ifk yarascan: YARA scanning of files that arrive as a stream of chunks.
 *
 * ifk-parse decrypts each backup file once, in order, in chunks; this
 * module scans the plaintext as it streams by, without a second pass and
 * with memory that does not grow with the file: ifk_yara_begin, then
 * ifk_yara_feed for each chunk, then ifk_yara_end (or ifk_yara_abort).
 *
 * How (see yara.c for the reasoning): the bytes are cut into blocks of
 * IFK_YARA_BLOCK new bytes, each block also repeating the previous block's
 * last IFK_YARA_OVERLAP bytes, and every block is scanned by libyara as
 * soon as it is full, inside ifk_yara_feed, through libyara's resumable
 * block iterator (ERROR_BLOCK_NOT_READY, libyara >= 4.1). No thread is
 * started. What rules can rely on:
 *   - every string match of up to IFK_YARA_OVERLAP (65536) bytes is found
 *     wherever the chunk and block boundaries fall, reported once, at its
 *     absolute file offset (libyara's regular expressions never match more
 *     than 4096 bytes, so they are always covered);
 *   - filesize is exact: the number of bytes fed, not the size hint;
 *   - uint8/16/32(...) and the modules (pe, elf, math, hash...) see the
 *     first IFK_YARA_BLOCK + IFK_YARA_OVERLAP bytes and the last block
 *     (at least the last IFK_YARA_OVERLAP bytes when the file is larger);
 *     a read elsewhere in a larger file is undefined, which makes a
 *     condition false, as libyara does for a read past the end;
 *   - libyara checks fullword, \b, ^ and $ against the block, not the
 *     file: at a block edge (file offsets k MiB and k MiB + 64 KiB) they
 *     can match where a whole-file scan would not;
 *   - no scan timeout (libyara's clock would run while ifk decrypts).
 * Memory: two blocks (2 x 1.0625 MiB) per handle, plus libyara's own
 * record of the matches (at most 1,000,000 per string: beyond that the
 * file's scan fails with IFK_EUNSUPPORTED, "too many matches").
 *
 * A handle is one compiled rule set and one scanner: use it from one
 * thread at a time (it may move between threads). ifk_yara_load and
 * ifk_yara_free call libyara's reference-counted yr_initialize and
 * yr_finalize, which are not thread-safe: load and free handles from one
 * thread, or serialize those calls. */



#define IFK_YARA_BLOCK (1024 * 1024)       /* new bytes per scanned block */
#define IFK_YARA_OVERLAP (64 * 1024)       /* bytes repeated from the previous block */
#define IFK_YARA_MAX_RULES_FILE (64 << 20) /* largest rules file accepted */
#define IFK_YARA_STRINGS_PER_RULE 100      /* matches reported per rule */
#define IFK_YARA_DATA_BYTES 64             /* matched bytes reported per match */

struct ifk_yara;

/* Compiles a rules file, or every *.yar / *.yara file of a folder (sorted
 * by name in byte order, not recursing, skipping names that begin with a
 * dot, refusing symlinks), each in its own namespace named after the file
 * ("ifk-examples.yar"). `include` directives are refused so that the
 * provenance hash covers every rule. Errors: IFK_ENOTFOUND when path is
 * missing; IFK_EFORMAT for a compile error ("file:line: message" of the
 * first error), a symlink, a file holding a NUL byte or larger than
 * IFK_YARA_MAX_RULES_FILE; IFK_EINVAL when a folder holds no rules file;
 * IFK_EIO, IFK_ENOMEM. *out is the caller's (ifk_yara_free). */
int ifk_yara_load(const char *path, struct ifk_yara **out, struct ifk_error *err);

/* The number of rules compiled (private and global rules included). */
unsigned ifk_yara_rule_count(const struct ifk_yara *y);

/* The SHA-256 (64 lowercase hex digits) of the rule sources in load order:
 * of the files' bytes concatenated, so that `cat` of the files in that
 * order piped to sha256sum gives it (for one file: its sha256sum). */
const char *ifk_yara_rules_sha256(const struct ifk_yara *y);

/* Starts scanning one file whose plaintext is about size_hint bytes long
 * (it may be off by the padding; it is not used for filesize). A file
 * still open is abandoned first (as ifk_yara_abort). Errors: IFK_EINVAL. */
int ifk_yara_begin(struct ifk_yara *y, uint64_t size_hint, struct ifk_error *err);

/* Feeds the next len bytes of the file (any length, in order); scans each
 * block as it fills. Errors: IFK_EINVAL (no file begun), IFK_ENOMEM,
 * IFK_EUNSUPPORTED (too many matches, or another libyara scan error; the
 * message names the rule and string when libyara says which). After an
 * error the file is failed: later feeds return the same code at once and
 * ifk_yara_end returns it again; ifk_yara_abort is not needed. */
int ifk_yara_feed(struct ifk_yara *y, const uint8_t *buf, size_t len, struct ifk_error *err);

/* Ends the file and evaluates the rules. *matches receives a new JSON array
 * (the caller's reference; empty when nothing matched), one object per
 * matching non-private rule, in rule order:
 *   {"rule", "namespace", "tags": [...], "meta": {...},
 *    "strings": [{"id": "$a", "offset": N, "length": N,
 *                 "data": "...", "data_encoding": "text" | "hex"}],
 *    "strings_truncated": false}
 * offset is the absolute file offset of the match and length its full
 * length; data holds its first IFK_YARA_DATA_BYTES bytes, as text when they
 * are all printable ASCII (or tab, CR, LF), else as lowercase hex. Private
 * strings are left out; a (id, offset) pair appears once; at most
 * IFK_YARA_STRINGS_PER_RULE matches per rule, strings_truncated telling
 * when more were left out. Meta and names that are not valid UTF-8 have
 * their bytes escaped as \xNN. On error *matches is NULL (errors as
 * ifk_yara_feed). The handle is then ready for the next file. */
int ifk_yara_end(struct ifk_yara *y, json_t **matches, struct ifk_error *err);

/* Abandons the current file (e.g. it failed to decrypt) without results,
 * releasing what libyara holds for it. Accepts NULL and an idle handle. */
void ifk_yara_abort(struct ifk_yara *y);

/* Frees y (accepts NULL), abandoning a file still open. */
void ifk_yara_free(struct ifk_yara *y);

/* ---- the artifact runner on its own (tests, one-off files) ---- */

struct ifk_parse_ctx;

/* A runner writing artifacts.sqlite and the jsonl files into out_dir (an
 * existing folder). Its sources are the files added with
 * ifk_parse_ctx_add_file. *out is the caller's (ifk_parse_ctx_free). */
int ifk_parse_ctx_new(const char *out_dir, struct ifk_parse_ctx **out, struct ifk_error *err);
/* Serves local_path (plaintext) as the backup file domain/relative_path. */
int ifk_parse_ctx_add_file(struct ifk_parse_ctx *c, const char *domain, const char *relative_path,
                           const char *local_path, struct ifk_error *err);
/* Records that the backup lists domain/relative_path but it cannot be
 * read: state is "missing" (not stored) or "not-decryptable-off-device"
 * (its class key stays on the device). An artifact whose source it is
 * then says "missing" or "not_decryptable", not "absent". */
int ifk_parse_ctx_add_unreadable(struct ifk_parse_ctx *c, const char *domain,
                                 const char *relative_path, const char *state,
                                 struct ifk_error *err);
void ifk_parse_ctx_set_keybag(struct ifk_parse_ctx *c, const struct ifk_keybag *kb);
void ifk_parse_ctx_set_include_secrets(struct ifk_parse_ctx *c, int on);
/* Runs one artifact; *status (new reference) is its parse.json entry. */
int ifk_parse_ctx_run(struct ifk_parse_ctx *c, const struct ifk_artifact *art, json_t **status,
                      struct ifk_error *err);
/* Writes timeline.csv and commits artifacts.sqlite. */
int ifk_parse_ctx_finish(struct ifk_parse_ctx *c, struct ifk_error *err);
void ifk_parse_ctx_free(struct ifk_parse_ctx *c);

#endif
