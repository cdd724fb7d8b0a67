/* calendar_events: calendar items, HomeDomain
 * Library/Calendar/Calendar.sqlitedb.
 *
 * One row per CalendarItem with its calendar (Calendar.title), the
 * calendar's account (Store.name) and its location (Location). Dates are
 * Cocoa seconds. start_tz "_float" marks a floating event (no time zone):
 * its times are local wall-clock times written as if UTC. Items with
 * calendar_scale "gregorian" are birthdays from the contacts. */
#include "artifact.h"

static const struct ifk_art_source sources[] = {
    {"HomeDomain", "Library/Calendar/Calendar.sqlitedb"},
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

static const struct ifk_art_field fields[] = {
    {NULL, NULL, "ci.ROWID", ""},
    {"summary", ifk_row_col_text, "ci.summary", NULL},
    {"start", ifk_row_col_cocoa, "ci.start_date", NULL},
    {"description", ifk_row_col_text, "ci.description", NULL},
    {"end", ifk_row_col_cocoa, "ci.end_date", NULL},
    {"all_day", ifk_row_col_bool, "ci.all_day", NULL},
    {"start_tz", ifk_row_col_text, "ci.start_tz", NULL},
    {"end_tz", ifk_row_col_text, "ci.end_tz", NULL},
    {"url", ifk_row_col_text, "ci.url", NULL},
    {"created", ifk_row_col_cocoa, "ci.creation_date", NULL},
    {"modified", ifk_row_col_cocoa, "ci.last_modified", NULL},
    {"calendar_scale", ifk_row_col_text, "ci.calendar_scale", NULL},
    {"entity_type", ifk_row_col_int, "ci.entity_type", NULL},
    {"calendar", ifk_row_col_text, "c.title", NULL},
    {"account", ifk_row_col_text, "st.name", NULL},
    {"location", ifk_row_col_text, "l.title", NULL},
    {"location_address", ifk_row_col_text, "l.address", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"c", "Calendar", "ci.calendar_id c", " LEFT JOIN Calendar c ON c.ROWID = ci.calendar_id"},
    {"st", "Store", "@c c.store_id st", " LEFT JOIN Store st ON st.ROWID = c.store_id"},
    {"l", "Location", "ci.location_id l", " LEFT JOIN Location l ON l.ROWID = ci.location_id"},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_table tables[] = {
    {.table = "CalendarItem",
     .alias = "ci",
     .require = "CalendarItem:summary,start_date",
     .fields = fields,
     .from = from},
    {0},
};

static const struct ifk_art_event events[] = {
    {"start", "starts", NULL, "Event ", NULL, 400},
    {"created", "created", NULL, "Event ", NULL, 400},
    {"modified", "modified", NULL, "Event ", NULL, 400},
    {0},
};

static const struct ifk_art_desc desc = {
    .read = {.tables = tables}, .events = events, .subject = "summary", .no_subject = "(no title)"};

IFK_ARTIFACT(calendar_events, "Calendar events", "1", sources, cols, desc);
