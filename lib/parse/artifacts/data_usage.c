/* data_usage: network use per process, WirelessDomain
 * Library/Databases/DataUsage.sqlite.
 *
 * One row per ZLIVEUSAGE record (bytes a process moved over Wi-Fi and
 * over the cellular network, WWAN, up to the record's time) with its
 * process (ZPROCESS: name, bundle, first and last seen). Bytes are stored
 * as REAL; dates are Cocoa seconds. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "artifact.h"

#define DU_DOMAIN "WirelessDomain"
#define DU_PATH "Library/Databases/DataUsage.sqlite"

static const struct ifk_art_source sources[] = {
    {DU_DOMAIN, DU_PATH},
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

struct opt {
	const char *table, *alias, *col;
};

static const struct opt opts[] = {
    {"ZLIVEUSAGE", "u", "ZTIMESTAMP"}, {"ZLIVEUSAGE", "u", "ZWIFIIN"},
    {"ZLIVEUSAGE", "u", "ZWIFIOUT"},   {"ZLIVEUSAGE", "u", "ZWWANIN"},
    {"ZLIVEUSAGE", "u", "ZWWANOUT"},   {"ZPROCESS", "p", "ZPROCNAME"},
    {"ZPROCESS", "p", "ZBUNDLENAME"},  {"ZPROCESS", "p", "ZFIRSTTIMESTAMP"},
    {"ZPROCESS", "p", "ZTIMESTAMP"},   {NULL, NULL, NULL},
};
enum {
	Q_PK,
	Q_PROC,
	Q_TIME,
	Q_WIFI_IN,
	Q_WIFI_OUT,
	Q_WWAN_IN,
	Q_WWAN_OUT,
	Q_NAME,
	Q_BUNDLE,
	Q_FIRST,
	Q_LAST
};
static const char *const byte_cols[] = {"wifi_in", "wifi_out", "wwan_in", "wwan_out"};

static int build_sql(sqlite3 *db, char *sql, size_t cap)
{
	size_t n = (size_t)snprintf(sql, cap, "SELECT u.Z_PK, p.Z_PK");
	int i;

	for (i = 0; opts[i].col && n < cap; i++)
		if (ifk_db_has_column(db, opts[i].table, opts[i].col))
			n += (size_t)snprintf(sql + n, cap - n, ", %s.%s", opts[i].alias,
			                      opts[i].col);
		else
			n += (size_t)snprintf(sql + n, cap - n, ", NULL");
	if (n < cap)
		n += (size_t)snprintf(sql + n, cap - n,
		                      " FROM ZLIVEUSAGE u LEFT JOIN ZPROCESS p ON p.Z_PK ="
		                      " u.ZHASPROCESS ORDER BY u.Z_PK");
	return n < cap ? 0 : -1;
}

/* A byte count: a number within int64 (REAL in the file), else NULL. */
static void set_bytes(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);
	double v = sqlite3_column_double(st, i);

	if (t == SQLITE_INTEGER)
		ifk_row_int(a, col, sqlite3_column_int64(st, i));
	else if (t == SQLITE_FLOAT && isfinite(v) && fabs(v) < 9.2e18)
		ifk_row_int(a, col, (int64_t)v);
}

static double num(sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);

	return t == SQLITE_INTEGER || t == SQLITE_FLOAT ? sqlite3_column_double(st, i) : 0;
}

static void set_usage(struct ifk_art *a, sqlite3_stmt *st)
{
	const char *name = (const char *)sqlite3_column_text(st, Q_NAME);
	char line[512];
	int i;

	if (sqlite3_column_type(st, Q_PROC) != SQLITE_NULL)
		ifk_row_col_int(a, "process_id", st, Q_PROC);
	ifk_row_col_text(a, "process_name", st, Q_NAME);
	ifk_row_col_text(a, "bundle_id", st, Q_BUNDLE);
	ifk_row_col_cocoa(a, "usage_time", st, Q_TIME);
	for (i = 0; i < 4; i++)
		set_bytes(a, byte_cols[i], st, Q_WIFI_IN + i);
	ifk_row_col_cocoa(a, "first_seen", st, Q_FIRST);
	ifk_row_col_cocoa(a, "last_seen", st, Q_LAST);
	snprintf(line, sizeof(line),
	         "%.300s: Wi-Fi in %.0f out %.0f bytes, cellular in %.0f out %.0f bytes",
	         name ? name : "(unknown process)", num(st, Q_WIFI_IN), num(st, Q_WIFI_OUT),
	         num(st, Q_WWAN_IN), num(st, Q_WWAN_OUT));
	ifk_row_event(a, "usage_time", "data usage", line);
}

static int one_row(struct ifk_art *a, struct ifk_src *s, const char *table, sqlite3_stmt *st,
                   struct ifk_error *err)
{
	set_usage(a, st);
	return ifk_row_emit(a, s, table, sqlite3_column_int64(st, Q_PK), err);
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_src *s;
	sqlite3 *db;
	char sql[1024];
	int rc;

	rc = ifk_art_sqlite(a, DU_DOMAIN, DU_PATH, &s, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, s, db, "ZLIVEUSAGE",
	                     "Z_PK,ZHASPROCESS,ZWIFIIN,ZWIFIOUT,ZWWANIN,ZWWANOUT", err);
	if (!rc)
		rc = ifk_art_require(a, s, db, "ZPROCESS", "Z_PK,ZPROCNAME", err);
	if (rc)
		goto out;
	if (build_sql(db, sql, sizeof(sql)) != 0)
		rc = ifk_error_set(err, IFK_EFORMAT, "%s: cannot build the query",
		                   ifk_src_relative_path(s));
	else
		rc = ifk_art_query(a, s, db, sql, "ZLIVEUSAGE", one_row, err);
out:
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_data_usage = {
    .name = "data_usage",
    .title = "Network data usage per process",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
