/* Internal to the report module: the run's state (report.c) and the steps
 * that build and write the members (report_build.c). */
#ifndef IFK_REPORT_INT_H
#define IFK_REPORT_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "ifk/report.h"
#include "ifk/seal.h"
#include "ifk/sqlite_untrusted.h"
#include "ifk/verify.h"

struct rep {
	const struct ifk_report_opts *o;
	int bag_fd;
	char *stage; /* private (0700): every member, as it will be in the archive */
	char *sig_path;
	int out_made, sig_made;
	struct ifk_signer *signer;
	json_t *record;  /* ifk-acquisition.json */
	char record_sha[65]; /* its SHA-256: what names the bag */
	char parse_sha[65];  /* the staged parse.json's SHA-256 */
	json_t *custody; /* {"entries": [...], ...} */
	char head[65];   /* the custody head the report covers */
	unsigned long head_seq;
	char head_time[32];
	json_t *verify; /* the fresh verification, without clock times */
	json_t *parse;  /* parse.json, or NULL */
	long parse_seq; /* the custody entry that recorded parse.json, or 0 */
	json_t *media;  /* [{domain, relative_path, sha256, size, member}] */
	json_t *report; /* report.json */
	sqlite3 *arts;  /* the staged parse/artifacts.sqlite, or NULL */
	/* the budget of every query on arts */
	struct ifk_sqlite_budget sql;
	struct ifk_error media_err;
};

/* report_build.c */
/* Copies name (relative to dir_fd, a regular file, no symlink) to
 * stage/rel (mode 0600), hashing it into sha_hex (may be NULL). */
int p_copy_file(int dir_fd, const char *name, const char *stage, const char *rel, char sha_hex[65],
                struct ifk_error *err);
int p_write_text(const char *path, const char *text, struct ifk_error *err);
void p_media_tap(struct rep *r, struct ifk_verify_tap *tap);
/* Stages parse.json and refuses (IFK_EVERIFY) a parse folder that is not
 * bound to this bag: parse.json must name the bag's acquisition record, and
 * its SHA-256 must be in a parse entry of the bag's custody log. Runs
 * before anything is appended to the bag. */
int p_bind_parse(struct rep *r, struct ifk_error *err);
int p_take_parse(struct rep *r, struct ifk_error *err);
/* The error for a failure on arts (e; staged: the staged file's path as e
 * may name it): why the budget cut its queries, or e naming the parse
 * folder's artifacts.sqlite. */
int p_parse_db_error(struct rep *r, int rc, const struct ifk_error *e, const char *staged,
                     struct ifk_error *err);
/* When the budget cut the queries on arts: the error saying why. */
int p_parse_cut_error(struct rep *r, struct ifk_error *err);
int p_build_report(struct rep *r, struct ifk_error *err);
int p_write_members(struct rep *r, struct ifk_error *err);
int p_archive_and_sign(struct rep *r, json_t **summary, struct ifk_error *err);

#endif
