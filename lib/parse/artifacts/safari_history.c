/* safari_history: Safari's browsing history, History.db.
 *
 * One row per visit (history_visits) with its page (history_items, one
 * per distinct URL). visit_time is Cocoa seconds; redirect_source and
 * redirect_destination are ids of other visits, resolved here to their
 * URLs. origin: 0 this device, 1 synced from another device through
 * iCloud. iOS 14 to 18 backups keep the file in HomeDomain; older ones in
 * the Safari app's domain: both places are read when present. */
#include <stdio.h>
#include <string.h>

#include "artifact.h"

#define HISTORY_PATH "Library/Safari/History.db"

static const struct ifk_art_source sources[] = {
    {"HomeDomain", HISTORY_PATH},
    {"AppDomain-com.apple.mobilesafari", HISTORY_PATH},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"visit_id", IFK_COL_INT},                   /* history_visits.id */
    {"item_id", IFK_COL_INT},                    /* history_items.id */
    {"url", IFK_COL_TEXT},                       /* the page visited */
    {"title", IFK_COL_TEXT},                     /* the visit's page title */
    {"visit_time", IFK_COL_TIME},                /* when */
    {"load_successful", IFK_COL_BOOL},           /* false: the page did not load */
    {"redirect_source_visit", IFK_COL_INT},      /* visit that redirected here */
    {"redirect_source_url", IFK_COL_TEXT},       /* its URL */
    {"redirect_destination_visit", IFK_COL_INT}, /* visit this one redirected to */
    {"redirect_destination_url", IFK_COL_TEXT},  /* its URL */
    {"visit_count", IFK_COL_INT},                /* the page's visit count */
    {"origin", IFK_COL_INT},                     /* 0 this device, 1 iCloud-synced */
    {NULL, 0},
};

/* Optional columns: table alias, column, else NULL in the query. */
struct opt {
	const char *table, *alias, *col;
};

static const struct opt opts[] = {
    {"history_visits", "v", "title"},
    {"history_items", "i", "title"},
    {"history_visits", "v", "load_successful"},
    {"history_visits", "v", "redirect_source"},
    {"history_visits", "v", "redirect_destination"},
    {"history_items", "i", "visit_count"},
    {"history_visits", "v", "origin"},
    {NULL, NULL, NULL},
};

enum {
	Q_ID,
	Q_ITEM,
	Q_URL,
	Q_TIME,
	Q_VTITLE,
	Q_ITITLE,
	Q_LOADED,
	Q_RSRC,
	Q_RDST,
	Q_COUNT,
	Q_ORIGIN,
	Q_RSRC_URL,
	Q_RDST_URL,
};

static int build_sql(sqlite3 *db, char *sql, size_t cap)
{
	size_t used;
	int i;

	used = (size_t)snprintf(sql, cap, "SELECT v.id, v.history_item, i.url, v.visit_time");
	for (i = 0; opts[i].col && used < cap; i++) {
		if (ifk_db_has_column(db, opts[i].table, opts[i].col))
			used += (size_t)snprintf(sql + used, cap - used, ", %s.%s", opts[i].alias,
			                         opts[i].col);
		else
			used += (size_t)snprintf(sql + used, cap - used, ", NULL");
	}
	if (used >= cap)
		return -1;
	snprintf(sql + used, cap - used,
	         ", (SELECT ri.url FROM history_visits rv JOIN history_items ri ON ri.id ="
	         " rv.history_item WHERE rv.id = %s),"
	         " (SELECT ri.url FROM history_visits rv JOIN history_items ri ON ri.id ="
	         " rv.history_item WHERE rv.id = %s)"
	         " FROM history_visits v LEFT JOIN history_items i ON i.id = v.history_item"
	         " ORDER BY v.id",
	         ifk_db_has_column(db, "history_visits", "redirect_source") ? "v.redirect_source"
	                                                                    : "NULL",
	         ifk_db_has_column(db, "history_visits", "redirect_destination")
	             ? "v.redirect_destination"
	             : "NULL");
	return 0;
}

static void set_visit(struct ifk_art *a, sqlite3_stmt *st)
{
	const char *url = (const char *)sqlite3_column_text(st, Q_URL);
	const char *title = (const char *)sqlite3_column_text(st, Q_VTITLE);
	char summary[1024];

	ifk_row_col_int(a, "visit_id", st, Q_ID);
	ifk_row_col_int(a, "item_id", st, Q_ITEM);
	ifk_row_col_text(a, "url", st, Q_URL);
	if (sqlite3_column_type(st, Q_VTITLE) != SQLITE_NULL)
		ifk_row_col_text(a, "title", st, Q_VTITLE);
	else
		ifk_row_col_text(a, "title", st, Q_ITITLE);
	ifk_row_col_cocoa(a, "visit_time", st, Q_TIME);
	ifk_row_col_int(a, "load_successful", st, Q_LOADED);
	ifk_row_col_int(a, "redirect_source_visit", st, Q_RSRC);
	ifk_row_col_text(a, "redirect_source_url", st, Q_RSRC_URL);
	ifk_row_col_int(a, "redirect_destination_visit", st, Q_RDST);
	ifk_row_col_text(a, "redirect_destination_url", st, Q_RDST_URL);
	ifk_row_col_int(a, "visit_count", st, Q_COUNT);
	ifk_row_col_int(a, "origin", st, Q_ORIGIN);
	if (!title)
		title = (const char *)sqlite3_column_text(st, Q_ITITLE);
	snprintf(summary, sizeof(summary), "%.600s%s%.300s%s", url ? url : "(no URL)",
	         title && *title ? " (" : "", title && *title ? title : "",
	         title && *title ? ")" : "");
	ifk_row_event(a, "visit_time", "visited", summary);
}

static int parse_one(struct ifk_art *a, const char *domain, struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	struct ifk_src *s;
	sqlite3 *db;
	char sql[1536];
	int rc, step;

	rc = ifk_art_sqlite(a, domain, HISTORY_PATH, &s, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, s, db, "history_visits", "id,history_item,visit_time", err);
	if (!rc)
		rc = ifk_art_require(a, s, db, "history_items", "id,url", err);
	if (rc)
		goto out;
	if (build_sql(db, sql, sizeof(sql)) != 0) {
		rc = ifk_error_set(err, IFK_EINVAL, "%s: internal: query too long",
		                   ifk_src_relative_path(s));
		goto out;
	}
	if ((step = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK) {
		rc = ifk_art_sql_error(s, db, step, sql, "history_visits", err);
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		set_visit(a, st);
		rc = ifk_row_emit(a, s, "history_visits", sqlite3_column_int64(st, Q_ID), err);
		if (rc)
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ifk_art_sql_error(s, db, step, sql, "history_visits", err);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* Every location present; absent only when neither is. */
static int parse(struct ifk_art *a, struct ifk_error *err)
{
	int i, rc, found = 0;

	for (i = 0; sources[i].domain; i++) {
		rc = parse_one(a, sources[i].domain, err);
		if (rc == IFK_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		found = 1;
	}
	if (!found)
		return ifk_error_set(err, IFK_ENOTFOUND, "no Safari History.db in the backup");
	return 0;
}

const struct ifk_artifact ifk_art_safari_history = {
    .name = "safari_history",
    .title = "Safari browsing history",
    .version = "2",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
