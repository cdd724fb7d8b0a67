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
#include "artifact.h"

#define DOMAIN "CameraRollDomain"
#define ATTRS "ZADDITIONALASSETATTRIBUTES"
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
};

/* Looks the asset's media file up: Media/<directory>/<filename>. Only
 * text names are looked up (text_names: both columns were TEXT before any
 * conversion). */
static int media_file(struct ifk_art *a, sqlite3_stmt *st, int text_names, struct ifk_error *err)
{
	const char *dir, *name;
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
	rc = ifk_art_lookup(a, DOMAIN, path, "file", err);
	free(path);
	return rc;
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

static const struct ifk_art_field fields[] = {
    [C_PK] = {NULL, NULL, "t.Z_PK", NULL},
    [C_UUID] = {"uuid", ifk_row_col_text, "t.ZUUID", NULL},
    [C_FILENAME] = {"filename", ifk_row_col_text, "t.ZFILENAME", NULL},
    [C_DIRECTORY] = {"directory", ifk_row_col_text, "t.ZDIRECTORY", NULL},
    [C_CREATED] = {"taken", ifk_row_col_cocoa, "t.ZDATECREATED", NULL},
    [C_MODIFIED] = {"modified", ifk_row_col_cocoa, "t.ZMODIFICATIONDATE", NULL},
    [C_ADDED] = {"added", ifk_row_col_cocoa, "t.ZADDEDDATE", NULL},
    [C_LAT] = {NULL, NULL, "t.ZLATITUDE", NULL},
    [C_LON] = {NULL, NULL, "t.ZLONGITUDE", NULL},
    [C_KIND] = {NULL, NULL, "t.ZKIND", NULL},
    [C_WIDTH] = {"width", ifk_row_col_int, "t.ZWIDTH", NULL},
    [C_HEIGHT] = {"height", ifk_row_col_int, "t.ZHEIGHT", NULL},
    [C_DURATION] = {"duration", ifk_row_col_real, "t.ZDURATION", NULL},
    [C_TRASHED] = {"trashed", ifk_row_col_bool, "t.ZTRASHEDSTATE", NULL},
    [C_TRASHED_DATE] = {"trashed_date", ifk_row_col_cocoa, "t.ZTRASHEDDATE", NULL},
    [C_HIDDEN] = {"hidden", ifk_row_col_bool, "t.ZHIDDEN", NULL},
    [C_FAVORITE] = {"favorite", ifk_row_col_bool, "t.ZFAVORITE", NULL},
    [C_ORIGINAL] = {"original_filename", ifk_row_col_text, "x.ZORIGINALFILENAME", NULL},
    {NULL, NULL, NULL, NULL},
};

/* The original file name: joined on the asset's ZADDITIONALATTRIBUTES,
 * else on the attributes' ZASSET. */
static const struct ifk_art_join from[] = {
    {"x", ATTRS, "x.ZORIGINALFILENAME t.ZADDITIONALATTRIBUTES x.Z_PK",
     " LEFT JOIN " ATTRS " x ON x.Z_PK = t.ZADDITIONALATTRIBUTES"},
    {"x", ATTRS, "x.ZORIGINALFILENAME x.ZASSET", " LEFT JOIN " ATTRS " x ON x.ZASSET = t.Z_PK"},
    {NULL, NULL, NULL, NULL},
};

/* What the table cannot say: kind, location, layout, the media file. */
static int asset(struct ifk_art_row *r, struct ifk_error *err)
{
	/* the types before any conversion (sqlite3_column_type is undefined after) */
	int text_names = sqlite3_column_type(r->st, C_DIRECTORY) == SQLITE_TEXT &&
	                 sqlite3_column_type(r->st, C_FILENAME) == SQLITE_TEXT;
	const char *name;
	int rc;

	kind(r->a, r->st);
	location(r->a, r->st);
	ifk_row_text(r->a, "layout", r->t->table);
	rc = media_file(r->a, r->st, text_names, err);
	if (rc < 0)
		return rc;
	name = (const char *)sqlite3_column_text(r->st, C_FILENAME);
	snprintf(r->subject, sizeof(r->subject), "%s", name ? name : "?");
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "ZASSET",
     .alias = "t",
     .label = "iOS 14+",
     .require = "t:Z_PK,ZFILENAME,ZDIRECTORY,ZDATECREATED",
     .fields = fields,
     .from = from,
     .row = asset},
    {.table = "ZGENERICASSET",
     .alias = "t",
     .label = "iOS 9-13",
     .require = "t:Z_PK,ZFILENAME,ZDIRECTORY,ZDATECREATED",
     .fields = fields,
     .from = from,
     .row = asset},
    {0},
};

static const struct ifk_art_source sources[] = {
    {DOMAIN, "Media/PhotoData/Photos.sqlite"},
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

static const struct ifk_art_event events[] = {
    {"taken", "taken", NULL, "photo ", NULL, 250},
    {"added", "added", NULL, "photo ", NULL, 250},
    {"trashed_date", "trashed", NULL, "photo ", NULL, 250},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(photos, "Photos library assets", "1", sources, cols, desc);
