/* data_usage: network use per process, WirelessDomain
 * Library/Databases/DataUsage.sqlite.
 *
 * One row per ZLIVEUSAGE record (bytes a process moved over Wi-Fi and
 * over the cellular network, WWAN, up to the record's time) with its
 * process (ZPROCESS: name, bundle, first and last seen). Bytes are stored
 * as REAL; dates are Cocoa seconds. */
#include "artifact.h"

#define SUMMARY_MAX 512 /* bytes of a summary (numbers may be long) */

static const struct ifk_art_source sources[] = {
    {"WirelessDomain", "Library/Databases/DataUsage.sqlite"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"process_name", IFK_COL_TEXT}, /* ZPROCNAME */
    {"bundle_id", IFK_COL_TEXT},    /* ZBUNDLENAME */
    {"usage_time", IFK_COL_TIME},   /* ZLIVEUSAGE.ZTIMESTAMP: the record's time */
    {"wifi_in", IFK_COL_INT},       /* bytes received over Wi-Fi */
    {"wifi_out", IFK_COL_INT},      /* bytes sent over Wi-Fi */
    {"wwan_in", IFK_COL_INT},       /* bytes received over cellular */
    {"wwan_out", IFK_COL_INT},      /* bytes sent over cellular */
    {"first_seen", IFK_COL_TIME},   /* ZPROCESS.ZFIRSTTIMESTAMP */
    {"last_seen", IFK_COL_TIME},    /* ZPROCESS.ZTIMESTAMP */
    {"process_id", IFK_COL_INT},    /* ZPROCESS.Z_PK */
    {NULL, 0},
};

/* A byte count: a number within int64 (REAL in the file), else NULL. */
static void bytes(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);
	double v = sqlite3_column_double(st, i);

	if (t == SQLITE_INTEGER)
		ifk_row_int(a, col, sqlite3_column_int64(st, i));
	else if (t == SQLITE_FLOAT && isfinite(v) && fabs(v) < 9.2e18)
		ifk_row_int(a, col, (int64_t)v);
}

enum { Q_PK, Q_WIFI_IN = 3, Q_NAME = 7 };

static const struct ifk_art_field fields[] = {
    [Q_PK] = {NULL, NULL, "u.Z_PK", NULL},
    {"process_id", ifk_row_col_int, "p.Z_PK", NULL},
    {"usage_time", ifk_row_col_cocoa, "u.ZTIMESTAMP", NULL},
    [Q_WIFI_IN] = {"wifi_in", bytes, "u.ZWIFIIN", NULL},
    {"wifi_out", bytes, "u.ZWIFIOUT", NULL},
    {"wwan_in", bytes, "u.ZWWANIN", NULL},
    {"wwan_out", bytes, "u.ZWWANOUT", NULL},
    [Q_NAME] = {"process_name", ifk_row_col_text, "p.ZPROCNAME", NULL},
    {"bundle_id", ifk_row_col_text, "p.ZBUNDLENAME", NULL},
    {"first_seen", ifk_row_col_cocoa, "p.ZFIRSTTIMESTAMP", NULL},
    {"last_seen", ifk_row_col_cocoa, "p.ZTIMESTAMP", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"p", "ZPROCESS", NULL, " LEFT JOIN ZPROCESS p ON p.Z_PK = u.ZHASPROCESS"},
    {NULL, NULL, NULL, NULL},
};

static double num(sqlite3_stmt *st, int i)
{
	double v;

	return ifk_art_num(st, i, &v) ? v : 0;
}

/* "Maps: Wi-Fi in 100 out 20 bytes, cellular in 0 out 0 bytes" */
static int usage(struct ifk_art_row *r, struct ifk_error *err)
{
	const char *name = (const char *)sqlite3_column_text(r->st, Q_NAME);
	sqlite3_stmt *st = r->st;

	snprintf(r->line, SUMMARY_MAX,
	         "%.300s: Wi-Fi in %.0f out %.0f bytes, cellular in %.0f out %.0f bytes",
	         name ? name : "(unknown process)", num(st, Q_WIFI_IN), num(st, Q_WIFI_IN + 1),
	         num(st, Q_WIFI_IN + 2), num(st, Q_WIFI_IN + 3));
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "ZLIVEUSAGE",
     .alias = "u",
     .require =
         "ZLIVEUSAGE:Z_PK,ZHASPROCESS,ZWIFIIN,ZWIFIOUT,ZWWANIN,ZWWANOUT ZPROCESS:Z_PK,ZPROCNAME",
     .fields = fields,
     .from = from,
     .rowid = Q_PK,
     .row = usage},
    {0},
};

static const struct ifk_art_event events[] = {
    {"usage_time", "data usage", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(data_usage, "Network data usage per process", "1", sources, cols, desc);
