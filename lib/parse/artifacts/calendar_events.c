/* calendar_events: calendar items, HomeDomain
 * Library/Calendar/Calendar.sqlitedb.
 *
 * One row per CalendarItem with its calendar (Calendar.title), the
 * calendar's account (Store.name) and its location (Location). Dates are
 * Cocoa seconds. start_tz "_float" marks a floating event (no time zone):
 * its times are local wall-clock times written as if UTC. Items with
 * calendar_scale "gregorian" are birthdays from the contacts. */
#include <stdio.h>
#include <string.h>

#include "artifact.h"

#define CAL_DOMAIN "HomeDomain"
#define CAL_PATH "Library/Calendar/Calendar.sqlitedb"

static const struct ifk_art_source sources[] = {
    {CAL_DOMAIN, CAL_PATH},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"summary", IFK_COL_TEXT}, /* the event's title */
    {"description", IFK_COL_TEXT},
    {"start", IFK_COL_TIME},
    {"end", IFK_COL_TIME},
    {"all_day", IFK_COL_BOOL},
    {"start_tz", IFK_COL_TEXT}, /* "Europe/Berlin"; "_float": floating */
    {"end_tz", IFK_COL_TEXT},
    {"calendar", IFK_COL_TEXT},
    {"account", IFK_COL_TEXT}, /* the calendar's store: "iCloud", "On My iPhone" */
    {"location", IFK_COL_TEXT},
    {"location_address", IFK_COL_TEXT},
    {"url", IFK_COL_TEXT},
    {"created", IFK_COL_TIME},
    {"modified", IFK_COL_TIME},
    {"calendar_scale", IFK_COL_TEXT}, /* "gregorian": a contact's birthday */
    {"entity_type", IFK_COL_INT},     /* raw CalendarItem.entity_type */
    {NULL, 0},
};

/* Optional CalendarItem columns, in select order after ROWID, summary,
 * start_date. */
static const char *const item_cols[] = {
    "description",   "end_date",      "all_day",        "start_tz",    "end_tz", "url",
    "creation_date", "last_modified", "calendar_scale", "entity_type", NULL};
enum {
	Q_ID,
	Q_SUMMARY,
	Q_START,
	Q_DESC,
	Q_END,
	Q_ALLDAY,
	Q_STZ,
	Q_ETZ,
	Q_URL,
	Q_CREATED,
	Q_MODIFIED,
	Q_SCALE,
	Q_ENTITY,
	Q_CALENDAR,
	Q_ACCOUNT,
	Q_LOC,
	Q_LOCADDR,
};

struct sql {
	char s[2048];
	size_t n;
};

static void cat(struct sql *q, const char *a, const char *b, const char *c)
{
	if (q->n < sizeof(q->s))
		q->n += (size_t)snprintf(q->s + q->n, sizeof(q->s) - q->n, "%s%s%s", a, b, c);
}

/* table.col for a related table's column, else NULL. */
static void cat_rel(struct sql *q, sqlite3 *db, int joined, const char *table, const char *alias,
                    const char *col)
{
	if (joined && ifk_db_has_column(db, table, col)) {
		cat(q, ", ", alias, ".");
		cat(q, col, "", "");
	} else
		cat(q, ", NULL", "", "");
}

static int build_sql(sqlite3 *db, struct sql *q)
{
	int cal = ifk_db_has_column(db, "CalendarItem", "calendar_id") &&
	          ifk_db_has_table(db, "Calendar");
	int store =
	    cal && ifk_db_has_column(db, "Calendar", "store_id") && ifk_db_has_table(db, "Store");
	int loc = ifk_db_has_column(db, "CalendarItem", "location_id") &&
	          ifk_db_has_table(db, "Location");
	int i;

	cat(q, "SELECT ci.ROWID, ci.summary, ci.start_date", "", "");
	for (i = 0; item_cols[i]; i++)
		if (ifk_db_has_column(db, "CalendarItem", item_cols[i]))
			cat(q, ", ci.", item_cols[i], "");
		else
			cat(q, ", NULL", "", "");
	cat_rel(q, db, cal, "Calendar", "c", "title");
	cat_rel(q, db, store, "Store", "st", "name");
	cat_rel(q, db, loc, "Location", "l", "title");
	cat_rel(q, db, loc, "Location", "l", "address");
	cat(q, " FROM CalendarItem ci", "", "");
	if (cal)
		cat(q, " LEFT JOIN Calendar c ON c.ROWID = ci.calendar_id", "", "");
	if (store)
		cat(q, " LEFT JOIN Store st ON st.ROWID = c.store_id", "", "");
	if (loc)
		cat(q, " LEFT JOIN Location l ON l.ROWID = ci.location_id", "", "");
	cat(q, " ORDER BY ci.ROWID", "", "");
	return q->n < sizeof(q->s) ? 0 : -1;
}

static void set_item(struct ifk_art *a, sqlite3_stmt *st)
{
	const char *summary = (const char *)sqlite3_column_text(st, Q_SUMMARY);
	char line[512];

	ifk_row_col_text(a, "summary", st, Q_SUMMARY);
	ifk_row_col_text(a, "description", st, Q_DESC);
	ifk_row_col_cocoa(a, "start", st, Q_START);
	ifk_row_col_cocoa(a, "end", st, Q_END);
	ifk_row_col_int(a, "all_day", st, Q_ALLDAY);
	ifk_row_col_text(a, "start_tz", st, Q_STZ);
	ifk_row_col_text(a, "end_tz", st, Q_ETZ);
	ifk_row_col_text(a, "calendar", st, Q_CALENDAR);
	ifk_row_col_text(a, "account", st, Q_ACCOUNT);
	ifk_row_col_text(a, "location", st, Q_LOC);
	ifk_row_col_text(a, "location_address", st, Q_LOCADDR);
	ifk_row_col_text(a, "url", st, Q_URL);
	ifk_row_col_cocoa(a, "created", st, Q_CREATED);
	ifk_row_col_cocoa(a, "modified", st, Q_MODIFIED);
	ifk_row_col_text(a, "calendar_scale", st, Q_SCALE);
	ifk_row_col_int(a, "entity_type", st, Q_ENTITY);
	snprintf(line, sizeof(line), "Event %.400s", summary && *summary ? summary : "(no title)");
	ifk_row_event(a, "start", "starts", line);
	ifk_row_event(a, "created", "created", line);
	ifk_row_event(a, "modified", "modified", line);
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	struct ifk_src *s;
	struct sql q = {.n = 0};
	sqlite3 *db;
	int rc, step;

	rc = ifk_art_sqlite(a, CAL_DOMAIN, CAL_PATH, &s, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, s, db, "CalendarItem", "summary,start_date", err);
	if (rc)
		goto out;
	if (build_sql(db, &q) != 0) {
		rc = ifk_error_set(err, IFK_EINVAL, "%s: internal: query too long",
		                   ifk_src_relative_path(s));
		goto out;
	}
	if ((step = sqlite3_prepare_v2(db, q.s, -1, &st, NULL)) != SQLITE_OK) {
		rc = ifk_art_sql_error(s, db, step, q.s, "CalendarItem", err);
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		set_item(a, st);
		rc = ifk_row_emit(a, s, "CalendarItem", sqlite3_column_int64(st, Q_ID), err);
		if (rc)
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ifk_art_sql_error(s, db, step, q.s, "CalendarItem", err);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_calendar_events = {
    .name = "calendar_events",
    .title = "Calendar events",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
