/* Internal to the parse module: the runner's state, shared by parse_ctx.c
 * (sources and the artifact runner), parse_out.c (rows, timeline, output
 * files) and parse.c (the engine). */
#ifndef IFK_PARSE_INT_H
#define IFK_PARSE_INT_H

#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "ifk/artifact.h"
#include "ifk/parse.h"
#include "ifk/sqlite_untrusted.h"

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
	uint64_t rows;
	struct ifk_src *srcs; /* sources this run touched */
	char bad_col[128];    /* a row function named an unknown column */
	int saw_missing;      /* a source is listed in the index but not stored */
	int saw_off_device;   /* a source's class key stays on the device */
	/* the budget of every SQLite source it opens, and the last one */
	struct ifk_sqlite_budget sql;
	const struct ifk_src *sql_src;
	/* bytes written so far (parse_out.c); a cap stopped the output:
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
	sqlite3_stmt *tl_ins;
	const struct ifk_keybag *kb;
	int include_secrets;
	volatile sig_atomic_t *stop;
	unsigned long copies;
};

/* parse_ctx.c */
int p_ctx_open(const char *out_dir, const char *tmpdir, const char *idx_path,
               struct ifk_parse_ctx **out, struct ifk_error *err);
/* Records one file of the backup in the index (local_path NULL: not
 * captured; sha256 NULL: not read; state "ok", "not-decryptable-off-device"
 * or "failed"; reason for failed). */
int p_ctx_index(struct ifk_parse_ctx *c, const char *domain, const char *relpath,
                const char *file_id, uint64_t size, int64_t mtime, int64_t birth, uint32_t pclass,
                const char *sha256, const char *state, const char *reason, const char *local_path,
                struct ifk_error *err);

/* parse_out.c */
int p_out_create(struct ifk_parse_ctx *c, struct ifk_error *err);
int p_out_begin(struct ifk_art *a, struct ifk_error *err);
int p_out_end(struct ifk_art *a); /* IFK_EIO when a jsonl file did not write whole */
int p_out_finish(struct ifk_parse_ctx *c, struct ifk_error *err);

#endif
