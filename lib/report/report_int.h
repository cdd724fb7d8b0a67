/* Internal to the report module: the run's state (report.c) and the steps
 * that build and write the members (build.c). */
#ifndef IFK_REPORT_INT_H
#define IFK_REPORT_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include <ifk/report.h>
#include "core.h"
#include "formats.h"
#include "evidence.h"
#include "artifact.h"

struct rep;

/* The report's list that grows with the backup, the camera roll's files
 * (one object {domain, relative_path, sha256, size, member} per row of the
 * parse's media_files), is not held in the report.json model: it is read
 * row by row from the parse's artifacts.sqlite wherever it is written
 * (report.json, report.html), so that memory does not grow with it. */
struct r_lists {
	struct rep *r;
	json_int_t media; /* rows of the media list */
	/* report.json's "report_members" (with --include-media one per
	 * camera-roll file), or NULL: the model's array */
	struct ifk_rar_list *members;
};
/* fn gets each row in turn (borrowed); a non-zero return stops and is
 * returned. */
typedef int (*r_row_fn)(void *ctx, const json_t *row, struct ifk_error *err);
int r_media_each(const struct r_lists *l, r_row_fn fn, void *ctx, struct ifk_error *err);

struct rep {
	const struct ifk_report_opts *o;
	int bag_fd;
	char *stage; /* private (0700): every member, as it will be in the archive */
	char *sig_path;
	int out_made, sig_made;
	struct ifk_signer *signer;
	json_t *record;      /* ifk-acquisition.json */
	char record_sha[65]; /* its SHA-256: what names the bag */
	char parse_sha[65];  /* the staged parse.json's SHA-256 */
	json_t *custody;     /* {"entries": [...], ...} */
	char head[65];       /* the custody head the report covers */
	unsigned long head_seq;
	char head_time[32];
	json_t *verify; /* the fresh verification, without clock times */
	json_t *parse;  /* parse.json, or NULL */
	long parse_seq; /* the custody entry that recorded parse.json, or 0 */
	/* report.json's "media", read where it is written */
	struct r_lists lists;
	json_t *report; /* report.json */
	sqlite3 *arts;  /* the staged parse/artifacts.sqlite, or NULL */
	/* the budget of every query on arts */
	struct ifk_sqlite_budget sql;
	struct ifk_error media_err;
	uint64_t members; /* report_members' count */
};

/* build.c */
/* Copies name (relative to dir_fd, a regular file, no symlink) to
 * stage/rel (mode 0600), hashing it into sha_hex (may be NULL). */
int r_copy_file(int dir_fd, const char *name, const char *stage, const char *rel, char sha_hex[65],
                struct ifk_error *err);
int r_write_text(const char *path, const char *text, struct ifk_error *err);
void r_media_tap(struct rep *r, struct ifk_verify_tap *tap);
/* Stages parse.json and refuses (IFK_EVERIFY) a parse folder that is not
 * bound to this bag: parse.json must name the bag's acquisition record, and
 * its SHA-256 must be in a parse entry of the bag's custody log. Runs
 * before anything is appended to the bag. */
int r_bind_parse(struct rep *r, struct ifk_error *err);
int r_take_parse(struct rep *r, struct ifk_error *err);
/* The error for a failure on arts (e; staged: the staged file's path as e
 * may name it): why the budget cut its queries, or e naming the parse
 * folder's artifacts.sqlite. */
int r_parse_db_error(struct rep *r, int rc, const struct ifk_error *e, const char *staged,
                     struct ifk_error *err);
/* When the budget cut the queries on arts: the error saying why. */
int r_parse_cut_error(struct rep *r, struct ifk_error *err);
int r_build_report(struct rep *r, struct ifk_error *err);
int r_write_members(struct rep *r, struct ifk_error *err);
int r_archive_and_sign(struct rep *r, json_t **summary, struct ifk_error *err);

/* case.jsonld: a report's provenance in CASE/UCO 1.4.0 JSON-LD (the layout
 * is specified in CASE_FORMAT.md). */

/* Writes case.jsonld to out from report (the report.json model): the
 * examiners (identities) and their role, the tools and versions, the
 * device, one investigative action per custody entry and one for the
 * report, each with its provenance record, and the investigation.
 *
 * bag_manifest_path is the bag's manifest-sha256.txt: it is read line by
 * line (never held whole) and every payload file is written as it is read,
 * with its SHA-256 and its size (stat of the file beside the manifest). When
 * report's backup_files.manifest_sha256 is given, the manifest must still
 * have that hash (else IFK_EVERIFY: the bag changed since the report was
 * built). report_files (may be NULL) is the report's other members, each
 * with its SHA-256 and size, listed in name order.
 *
 * Every node's IRI is urn:uuid:<a version 5 UUID of a stable name>, keys are
 * sorted and nothing reads the clock: the same inputs give the same bytes.
 * Strings from the evidence are escaped (ifk_text_escape). Returns 0 or a
 * negative IFK_E* code; out may hold a partial document on error. */
int ifk_report_case_write(FILE *out, const json_t *report, const char *bag_manifest_path,
                          const struct ifk_rar_list *report_files, struct ifk_error *err);

/* report.html: the page of an ifk-report archive that a person reads.
 *
 * One self-contained UTF-8 file: inline CSS and JavaScript only, a strict
 * Content-Security-Policy (nothing may be loaded: no script, style, font or
 * image from anywhere), and no URL other than fragments (#...) and the
 * relative names of members of the same archive (parse/sms_messages.jsonl).
 * It works offline, from a USB stick, from the unpacked archive.
 *
 * The case, the device, the acquisition, the custody log, the verification
 * and the parse summary are plain HTML (readable without JavaScript). The
 * artifact tables, the timeline, the YARA matches and the media list are
 * JSON blocks, <script type="application/json" id="data-<name>">, streamed
 * row by row from SQLite (memory does not grow with the rows); a small
 * inline script renders each one 100 rows a page, sortable by any column
 * and filtered by a search box, and reads its state from the address
 * (#sms_messages:page=3&q=lunch&sort=date&dir=desc, #sms_messages:row=12).
 * Every row shows its provenance (domain/relativePath, source table and
 * rowid, SHA-256 of the source file). The output depends only on the inputs
 * (no clock, no randomness): the same inputs give the same bytes.
 * CASE_FORMAT.md ("report.html") lists the element ids. */

/* Writes report.html to out (which stays the caller's: it is flushed, not
 * closed). report is the report.json model (CASE_FORMAT.md, "report.json");
 * artifacts is the report's parse/artifacts.sqlite opened with
 * ifk_sqlite_open_untrusted (sqlite_untrusted.h), or NULL when the report
 * has no parse. When report.parse.yara_member names the
 * YARA matches (parse/yara.jsonl), that file is read from the folder
 * artifacts lies in (its sibling in the staged archive, as in an ifk-parse
 * output folder); a missing one is IFK_ENOTFOUND. The media list is read
 * from lists when it is given (r_media_each), else from the model's
 * "media" array; the archive's members from lists->members when given,
 * else from the model's "report_members".
 * Returns 0; IFK_EINVAL (no out or report); IFK_EIO when out could not be
 * written; IFK_EFORMAT when SQLite failed on the database (the message
 * names the table; "hostile or damaged: ..." when the file is at fault);
 * IFK_EINTR when its budget ended a query. On error, what was written is
 * incomplete: discard it. */
int ifk_report_html_write(FILE *out, const json_t *report, sqlite3 *artifacts,
                          const struct r_lists *lists, struct ifk_error *err);

/* The page's style sheet and script, lib/report/assets/report.css and
 * report.js, embedded when libifk is built (cmake/embed.cmake writes them
 * into the build folder as lib/report/assets.c): the file's name, its
 * bytes as they are (a NUL follows them) and their count. r_assets lists
 * every embedded asset and ends with NULL. */
struct r_asset {
	const char *name;
	const unsigned char *data;
	size_t size;
};
extern const struct r_asset r_asset_report_css, r_asset_report_js;
extern const struct r_asset *const r_assets[];

#endif
