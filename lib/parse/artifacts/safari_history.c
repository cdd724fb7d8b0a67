/* safari_history: Safari's browsing history, History.db.
 *
 * One row per visit (history_visits) with its page (history_items, one
 * per distinct URL). visit_time is Cocoa seconds; redirect_source and
 * redirect_destination are ids of other visits, resolved here to their
 * URLs. origin: 0 this device, 1 synced from another device through
 * iCloud. iOS 14 to 18 backups keep the file in HomeDomain; older ones in
 * the Safari app's domain: both places are read when present. */
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

enum { Q_ID, Q_URL = 2, Q_VTITLE = 4, Q_ITITLE };

static const struct ifk_art_field fields[] = {
    [Q_ID] = {"visit_id", ifk_row_col_int, "v.id", NULL},
    {"item_id", ifk_row_col_int, "v.history_item", NULL},
    [Q_URL] = {"url", ifk_row_col_text, "i.url", NULL},
    {"visit_time", ifk_row_col_cocoa, "v.visit_time", NULL},
    [Q_VTITLE] = {NULL, NULL, "v.title", NULL},
    [Q_ITITLE] = {NULL, NULL, "i.title", NULL},
    {"load_successful", ifk_row_col_bool, "v.load_successful", NULL},
    {"redirect_source_visit", ifk_row_col_int, "v.redirect_source", NULL},
    {"redirect_destination_visit", ifk_row_col_int, "v.redirect_destination", NULL},
    {"visit_count", ifk_row_col_int, "i.visit_count", NULL},
    {"origin", ifk_row_col_int, "v.origin", NULL},
    {"redirect_source_url", ifk_row_col_text,
     "(SELECT ri.url FROM history_visits rv JOIN history_items ri ON ri.id ="
     " rv.history_item WHERE rv.id = v.redirect_source)",
     "v.redirect_source"},
    {"redirect_destination_url", ifk_row_col_text,
     "(SELECT ri.url FROM history_visits rv JOIN history_items ri ON ri.id ="
     " rv.history_item WHERE rv.id = v.redirect_destination)",
     "v.redirect_destination"},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"i", "history_items", NULL, " LEFT JOIN history_items i ON i.id = v.history_item"},
    {NULL, NULL, NULL, NULL},
};

/* The title: the visit's, else the page's; "url (title)" */
static int visit(struct ifk_art_row *r, struct ifk_error *err)
{
	const char *url = (const char *)sqlite3_column_text(r->st, Q_URL);
	const char *title = (const char *)sqlite3_column_text(r->st, Q_VTITLE);

	ifk_row_col_text(r->a, "title", r->st,
	                 sqlite3_column_type(r->st, Q_VTITLE) != SQLITE_NULL ? Q_VTITLE : Q_ITITLE);
	if (!title)
		title = (const char *)sqlite3_column_text(r->st, Q_ITITLE);
	snprintf(r->line, sizeof(r->line), "%.600s%s%.300s%s", url ? url : "(no URL)",
	         title && *title ? " (" : "", title && *title ? title : "",
	         title && *title ? ")" : "");
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "history_visits",
     .alias = "v",
     .require = "history_visits:id,history_item,visit_time history_items:id,url",
     .fields = fields,
     .from = from,
     .rowid = Q_ID,
     .row = visit},
    {0},
};

static const struct ifk_art_read reads[] = {
    {.source = 0, .tables = tables},
    {.source = 1, .tables = tables},
    {0},
};

static const struct ifk_art_event events[] = {
    {"visit_time", "visited", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {
    .reads = reads, .events = events, .absent = "no Safari History.db in the backup"};

IFK_ARTIFACT(safari_history, "Safari browsing history", "2", sources, cols, desc);
