/* photos: the assets of the Photos library, CameraRollDomain
 * Media/PhotoData/Photos.sqlite (Core Data), one row per asset.
 *
 * Layouts: iOS 14 and later keep assets in ZASSET, iOS 9 to 13 in
 * ZGENERICASSET (same column names for what is read here). Needed: Z_PK,
 * ZFILENAME, ZDIRECTORY, ZDATECREATED; every other column is read when
 * present. The original file name comes from ZADDITIONALASSETATTRIBUTES
 * (joined on the asset's ZADDITIONALATTRIBUTES, or on its ZASSET back
 * reference). Each asset's media file, CameraRollDomain
 * "Media/<ZDIRECTORY>/<ZFILENAME>", is looked up in the backup's index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "evidence.h"

#define DOMAIN "CameraRollDomain"
#define DB_PATH "Media/PhotoData/Photos.sqlite"
#define ATTRS "ZADDITIONALASSETATTRIBUTES"
#define NEEDED "Z_PK,ZFILENAME,ZDIRECTORY,ZDATECREATED"
#define PATH_MAX_LEN 4096

/* The query's columns, in order; the optional ones read NULL when absent. */
enum {
	C_PK,
	C_UUID,
	C_FILENAME,
	C_DIRECTORY,
	C_CREATED,
	C_MODIFIED,
	C_ADDED,
	C_LAT,
	C_LON,
	C_KIND,
	C_WIDTH,
	C_HEIGHT,
	C_DURATION,
	C_TRASHED,
	C_TRASHED_DATE,
	C_HIDDEN,
	C_FAVORITE,
	C_ORIGINAL,
	C_N
};

static const char *const asset_cols[C_ORIGINAL] = {
    "Z_PK",       "ZUUID",         "ZFILENAME",
    "ZDIRECTORY", "ZDATECREATED",  "ZMODIFICATIONDATE",
    "ZADDEDDATE", "ZLATITUDE",     "ZLONGITUDE",
    "ZKIND",      "ZWIDTH",        "ZHEIGHT",
    "ZDURATION",  "ZTRASHEDSTATE", "ZTRASHEDDATE",
    "ZHIDDEN",    "ZFAVORITE",
};

struct file_hit {
	struct ifk_art *a;
	int found;
};

/* The original file name, or NULL, and the join that brings it. */
static const char *attrs_join(sqlite3 *db, const char *table)
{
	if (!ifk_db_has_column(db, ATTRS, "ZORIGINALFILENAME"))
		return NULL;
	if (ifk_db_has_column(db, table, "ZADDITIONALATTRIBUTES") &&
	    ifk_db_has_column(db, ATTRS, "Z_PK"))
		return " LEFT JOIN " ATTRS " x ON x.Z_PK = t.ZADDITIONALATTRIBUTES";
	if (ifk_db_has_column(db, ATTRS, "ZASSET"))
		return " LEFT JOIN " ATTRS " x ON x.ZASSET = t.Z_PK";
	return NULL;
}

static char *build_query(sqlite3 *db, const char *table)
{
	struct ifk_buf q = {0};
	const char *join = attrs_join(db, table);
	int i, has, bad = 0;

	bad |= ifk_buf_printf(&q, "SELECT ");
	for (i = 0; i < C_ORIGINAL; i++) {
		has = ifk_db_has_column(db, table, asset_cols[i]);
		bad |= ifk_buf_printf(&q, "%s%s%s", i ? ", " : "", has ? "t." : "",
		                      has ? asset_cols[i] : "NULL");
	}
	bad |= ifk_buf_printf(&q, ", %s FROM %s t%s ORDER BY t.Z_PK",
	                      join ? "x.ZORIGINALFILENAME" : "NULL", table, join ? join : "");
	if (bad)
		ifk_buf_free(&q);
	return q.data;
}

static int file_found(void *ctx, const struct ifk_art_file *f)
{
	struct file_hit *h = ctx;

	h->found = 1;
	ifk_row_text(h->a, "file_sha256", f->sha256);
	ifk_row_text(h->a, "file_state", f->state);
	if (f->size <= INT64_MAX)
		ifk_row_int(h->a, "file_size", (int64_t)f->size);
	return 0;
}

/* Looks the asset's media file up: Media/<directory>/<filename>. Only
 * text names are looked up (text_names: both columns were TEXT before any
 * conversion). */
static int media_file(struct ifk_art *a, sqlite3_stmt *st, int text_names, struct ifk_error *err)
{
	const char *dir, *name;
	struct file_hit h = {a, 0};
	struct ifk_error e;
	char *path = NULL;
	int rc;

	if (!text_names)
		return 0;
	dir = (const char *)sqlite3_column_text(st, C_DIRECTORY);
	name = (const char *)sqlite3_column_text(st, C_FILENAME);
	if (!dir || !name || !*name || strlen(dir) + strlen(name) > PATH_MAX_LEN)
		return 0;
	if (asprintf(&path, "Media/%s/%s", dir, name) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	ifk_row_text(a, "file_path", path);
	rc = ifk_art_file_info(a, DOMAIN, path, file_found, &h, &e);
	free(path);
	ifk_row_bool(a, "file_present", h.found);
	if (rc == IFK_EINTR) {
		*err = e;
		return rc;
	}
	return 0;
}

static int is_num(sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);

	return t == SQLITE_INTEGER || t == SQLITE_FLOAT;
}

/* -180/-180 and 0/0 are "no location"; out-of-range values too. */
static void location(struct ifk_art *a, sqlite3_stmt *st)
{
	double lat, lon;

	if (!is_num(st, C_LAT) || !is_num(st, C_LON))
		return;
	lat = sqlite3_column_double(st, C_LAT);
	lon = sqlite3_column_double(st, C_LON);
	if ((lat == -180.0 && lon == -180.0) || (lat == 0.0 && lon == 0.0) || lat < -90.0 ||
	    lat > 90.0 || lon < -180.0 || lon > 180.0)
		return;
	ifk_row_real(a, "latitude", lat);
	ifk_row_real(a, "longitude", lon);
}

static void kind(struct ifk_art *a, sqlite3_stmt *st)
{
	int64_t k;

	if (sqlite3_column_type(st, C_KIND) != SQLITE_INTEGER)
		return;
	k = sqlite3_column_int64(st, C_KIND);
	ifk_row_int(a, "kind_code", k);
	ifk_row_text(a, "kind", k == 0 ? "photo" : k == 1 ? "video" : "other");
}

static void flag(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	if (is_num(st, i))
		ifk_row_bool(a, col, sqlite3_column_int64(st, i) != 0);
}

static int asset_row(struct ifk_art *a, struct ifk_src *s, const char *table, sqlite3_stmt *st,
                     struct ifk_error *err)
{
	/* the types before any conversion (sqlite3_column_type is undefined after) */
	int text_names = sqlite3_column_type(st, C_DIRECTORY) == SQLITE_TEXT &&
	                 sqlite3_column_type(st, C_FILENAME) == SQLITE_TEXT;
	char line[300];
	const char *name;
	int rc;

	ifk_row_col_text(a, "uuid", st, C_UUID);
	ifk_row_col_text(a, "filename", st, C_FILENAME);
	ifk_row_col_text(a, "directory", st, C_DIRECTORY);
	ifk_row_col_text(a, "original_filename", st, C_ORIGINAL);
	kind(a, st);
	ifk_row_col_int(a, "width", st, C_WIDTH);
	ifk_row_col_int(a, "height", st, C_HEIGHT);
	ifk_row_col_real(a, "duration", st, C_DURATION);
	ifk_row_col_cocoa(a, "taken", st, C_CREATED);
	ifk_row_col_cocoa(a, "modified", st, C_MODIFIED);
	ifk_row_col_cocoa(a, "added", st, C_ADDED);
	location(a, st);
	flag(a, "trashed", st, C_TRASHED);
	ifk_row_col_cocoa(a, "trashed_date", st, C_TRASHED_DATE);
	flag(a, "hidden", st, C_HIDDEN);
	flag(a, "favorite", st, C_FAVORITE);
	ifk_row_text(a, "layout", table);
	rc = media_file(a, st, text_names, err);
	if (rc < 0)
		return rc;
	name = (const char *)sqlite3_column_text(st, C_FILENAME);
	snprintf(line, sizeof(line), "photo %.250s", name ? name : "?");
	ifk_row_event(a, "taken", "taken", line);
	ifk_row_event(a, "added", "added", line);
	ifk_row_event(a, "trashed_date", "trashed", line);
	return ifk_row_emit(a, s, table, sqlite3_column_int64(st, C_PK), err);
}

static int read_assets(struct ifk_art *a, struct ifk_src *s, sqlite3 *db, const char *table,
                       struct ifk_error *err)
{
	char *q = build_query(db, table);
	int rc;

	if (!q)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = ifk_art_query(a, s, db, q, table, asset_row, err);
	free(q);
	return rc;
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_src *s = NULL;
	sqlite3 *db = NULL;
	const char *table;
	int rc;

	rc = ifk_art_sqlite(a, DOMAIN, DB_PATH, &s, &db, err);
	if (rc < 0)
		return rc;
	if (ifk_db_has_table(db, "ZASSET"))
		table = "ZASSET";
	else if (ifk_db_has_table(db, "ZGENERICASSET"))
		table = "ZGENERICASSET";
	else {
		rc = ifk_error_set(err, IFK_EUNSUPPORTED,
		                   "%s: has no table ZASSET (iOS 14+) or ZGENERICASSET (iOS 9-13)",
		                   ifk_src_relative_path(s));
		goto out;
	}
	rc = ifk_art_require(a, s, db, table, NEEDED, err);
	if (rc == 0)
		rc = read_assets(a, s, db, table, err);
out:
	sqlite3_close(db);
	return rc;
}

static const struct ifk_art_source sources[] = {
    {DOMAIN, DB_PATH},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"uuid", IFK_COL_TEXT},
    {"filename", IFK_COL_TEXT},
    {"directory", IFK_COL_TEXT},
    {"original_filename", IFK_COL_TEXT},
    {"kind", IFK_COL_TEXT},
    {"kind_code", IFK_COL_INT},
    {"width", IFK_COL_INT},
    {"height", IFK_COL_INT},
    {"duration", IFK_COL_REAL},
    {"taken", IFK_COL_TIME},
    {"modified", IFK_COL_TIME},
    {"added", IFK_COL_TIME},
    {"latitude", IFK_COL_REAL},
    {"longitude", IFK_COL_REAL},
    {"trashed", IFK_COL_BOOL},
    {"trashed_date", IFK_COL_TIME},
    {"hidden", IFK_COL_BOOL},
    {"favorite", IFK_COL_BOOL},
    {"file_path", IFK_COL_TEXT},
    {"file_present", IFK_COL_BOOL},
    {"file_size", IFK_COL_INT},
    {"file_sha256", IFK_COL_TEXT},
    {"file_state", IFK_COL_TEXT},
    {"layout", IFK_COL_TEXT},
    {NULL, 0},
};

const struct ifk_artifact ifk_art_photos = {
    .name = "photos",
    .title = "Photos library assets",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
