/* voicemail: visual voicemail, HomeDomain Library/Voicemail/voicemail.db.
 *
 * Table voicemail (and, on recent iOS, table deleted with the same
 * columns): ROWID, remote_uid, date (Unix seconds: not Cocoa), token,
 * sender, callback_num, duration (seconds), expiration (Unix seconds),
 * trashed_date (Cocoa seconds, 0 when not trashed), flags; later versions
 * add receiver, label and uuid, and a table map (label -> account). Needed:
 * date and sender; the rest is read when present. The audio of a message is
 * Library/Voicemail/<ROWID>.amr, looked up in the backup's index. */
#include "artifact.h"

#define DOMAIN "HomeDomain"
#define FLAG_DELETED 0x8 /* set in flags 75 (deleted); 67 heard, 3 new */

/* date is Unix seconds; a positive value below 2001-01-01 as Unix time
 * cannot be a visual voicemail (2007+) and is read as Cocoa seconds (those
 * stay below it until 2032). */
static void unix_or_cocoa(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	double v;

	if (!ifk_art_num(st, i, &v))
		return;
	if (v > 0 && v < IFK_COCOA_EPOCH)
		ifk_row_time(a, col, ifk_cocoa_time(v));
	else if (v != 0)
		ifk_row_time(a, col, v);
}

enum { C_ROWID, C_SENDER = 4, C_DURATION = 6, C_TRASHED = 8, C_FLAGS };

static const struct ifk_art_field fields[] = {
    [C_ROWID] = {NULL, NULL, "v.ROWID", ""},
    {"remote_uid", ifk_row_col_int, "v.remote_uid", NULL},
    {"date", unix_or_cocoa, "v.date", NULL},
    {"token", ifk_row_col_text, "v.token", NULL},
    [C_SENDER] = {"sender", ifk_row_col_text, "v.sender", NULL},
    {"callback_num", ifk_row_col_text, "v.callback_num", NULL},
    [C_DURATION] = {"duration", ifk_row_col_int, "v.duration", NULL},
    {"expiration", ifk_row_col_unix, "v.expiration", NULL},
    [C_TRASHED] = {"trashed_date", ifk_row_col_cocoa, "v.trashed_date", NULL},
    [C_FLAGS] = {"flags", ifk_row_col_int, "v.flags", NULL},
    {"receiver", ifk_row_col_text, "v.receiver", NULL},
    {"uuid", ifk_row_col_text, "v.uuid", NULL},
    /* one account per message even if map repeats a label */
    {"account", ifk_row_col_text, "(SELECT m.account FROM map m WHERE m.label = v.label LIMIT 1)",
     "map.label map.account v.label"},
    {NULL, NULL, NULL, NULL},
};

static int is_num(sqlite3_stmt *st, int i)
{
	double v;

	return ifk_art_num(st, i, &v);
}

/* In table deleted, flagged deleted, or with a trashed date. */
static int trashed(const struct ifk_art_row *r)
{
	int64_t flags = is_num(r->st, C_FLAGS) ? sqlite3_column_int64(r->st, C_FLAGS) : 0;
	double t;

	return strcmp(r->t->table, "deleted") == 0 || (flags & FLAG_DELETED) != 0 ||
	       (ifk_art_num(r->st, C_TRASHED, &t) && t != 0);
}

/* Whether trashed, the audio file, the summary. */
static int message(struct ifk_art_row *r, struct ifk_error *err)
{
	const char *who = (const char *)sqlite3_column_text(r->st, C_SENDER);
	char path[96];
	int rc;

	ifk_row_bool(r->a, "trashed", trashed(r));
	snprintf(path, sizeof(path), "Library/Voicemail/%lld.amr",
	         (long long)sqlite3_column_int64(r->st, C_ROWID));
	rc = ifk_art_lookup(r->a, DOMAIN, path, "audio", err);
	if (rc < 0)
		return rc;
	snprintf(r->line, sizeof(r->line), "voicemail from %.200s (%lld s)", who ? who : "unknown",
	         is_num(r->st, C_DURATION) ? (long long)sqlite3_column_int64(r->st, C_DURATION)
	                                   : 0LL);
	return 0;
}

/* recent iOS: a second table of the same layout */
static const struct ifk_art_table tables[] = {
    {.table = "voicemail",
     .alias = "v",
     .require = "v:date,sender",
     .fields = fields,
     .row = message},
    {.table = "deleted",
     .alias = "v",
     .also = 1,
     .require = "v:date,sender",
     .fields = fields,
     .row = message},
    {0},
};

static const struct ifk_art_source sources[] = {
    {DOMAIN, "Library/Voicemail/voicemail.db"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"date", IFK_COL_TIME},
    {"sender", IFK_COL_TEXT},
    {"callback_num", IFK_COL_TEXT},
    {"receiver", IFK_COL_TEXT},
    {"account", IFK_COL_TEXT},
    {"duration", IFK_COL_INT},
    {"expiration", IFK_COL_TIME},
    {"trashed", IFK_COL_BOOL},
    {"trashed_date", IFK_COL_TIME},
    {"flags", IFK_COL_INT},
    {"remote_uid", IFK_COL_INT},
    {"uuid", IFK_COL_TEXT},
    {"token", IFK_COL_TEXT},
    {"audio_path", IFK_COL_TEXT},
    {"audio_present", IFK_COL_BOOL},
    {"audio_size", IFK_COL_INT},
    {"audio_sha256", IFK_COL_TEXT},
    {"audio_state", IFK_COL_TEXT},
    {NULL, 0},
};

static const struct ifk_art_event events[] = {
    {"date", "received", NULL, NULL, NULL, 0},
    {"trashed_date", "trashed", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(voicemail, "Voicemail", "1", sources, cols, desc);
