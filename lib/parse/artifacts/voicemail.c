/* voicemail: visual voicemail, HomeDomain Library/Voicemail/voicemail.db.
 *
 * Table voicemail (and, on recent iOS, table deleted with the same
 * columns): ROWID, remote_uid, date (Unix seconds: not Cocoa), token,
 * sender, callback_num, duration (seconds), expiration (Unix seconds),
 * trashed_date (Cocoa seconds, 0 when not trashed), flags; later versions
 * add receiver, label and uuid, and a table map (label -> account). Needed:
 * date and sender; the rest is read when present. The audio of a message is
 * Library/Voicemail/<ROWID>.amr, looked up in the backup's index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "evidence.h"

#define DOMAIN "HomeDomain"
#define DB_PATH "Library/Voicemail/voicemail.db"
#define NEEDED "date,sender"
#define FLAG_DELETED 0x8 /* set in flags 75 (deleted); 67 heard, 3 new */

enum {
	C_ROWID,
	C_REMOTE_UID,
	C_DATE,
	C_TOKEN,
	C_SENDER,
	C_CALLBACK,
	C_DURATION,
	C_EXPIRATION,
	C_TRASHED,
	C_FLAGS,
	C_RECEIVER,
	C_LABEL,
	C_UUID,
	C_ACCOUNT,
	C_N
};

static const char *const vm_cols[C_ACCOUNT] = {
    "ROWID",      "remote_uid",   "date",  "token",    "sender", "callback_num", "duration",
    "expiration", "trashed_date", "flags", "receiver", "label",  "uuid",
};

struct audio {
	struct ifk_art *a;
	int found;
};

static int has_map(sqlite3 *db)
{
	return ifk_db_has_column(db, "map", "label") && ifk_db_has_column(db, "map", "account");
}

static char *build_query(sqlite3 *db, const char *table)
{
	struct ifk_buf q = {0};
	int map = has_map(db) && ifk_db_has_column(db, table, "label");
	int i, has, bad = 0;

	bad |= ifk_buf_printf(&q, "SELECT v.ROWID");
	for (i = 1; i < C_ACCOUNT; i++) {
		has = ifk_db_has_column(db, table, vm_cols[i]);
		bad |= ifk_buf_printf(&q, ", %s%s", has ? "v." : "", has ? vm_cols[i] : "NULL");
	}
	/* one account per message even if map repeats a label */
	bad |= ifk_buf_printf(
	    &q, ", %s FROM \"%s\" v ORDER BY v.ROWID",
	    map ? "(SELECT m.account FROM map m WHERE m.label = v.label LIMIT 1)" : "NULL", table);
	if (bad)
		ifk_buf_free(&q);
	return q.data;
}

static int is_num(sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);

	return t == SQLITE_INTEGER || t == SQLITE_FLOAT;
}

/* A Unix-seconds column; 0 and non-numbers are no time. */
static void unix_col(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	double v;

	if (!is_num(st, i))
		return;
	v = sqlite3_column_double(st, i);
	if (v != 0)
		ifk_row_time(a, col, v);
}

/* date is Unix seconds; a positive value below 2001-01-01 as Unix time
 * cannot be a visual voicemail (2007+) and is read as Cocoa seconds (those
 * stay below it until 2032). */
static void date_col(struct ifk_art *a, sqlite3_stmt *st)
{
	double v;

	if (!is_num(st, C_DATE))
		return;
	v = sqlite3_column_double(st, C_DATE);
	if (v > 0 && v < IFK_COCOA_EPOCH)
		ifk_row_time(a, "date", ifk_cocoa_time(v));
	else if (v != 0)
		ifk_row_time(a, "date", v);
}

static int audio_found(void *ctx, const struct ifk_art_file *f)
{
	struct audio *h = ctx;

	h->found = 1;
	ifk_row_text(h->a, "audio_sha256", f->sha256);
	ifk_row_text(h->a, "audio_state", f->state);
	if (f->size <= INT64_MAX)
		ifk_row_int(h->a, "audio_size", (int64_t)f->size);
	return 0;
}

static int audio(struct ifk_art *a, int64_t rowid, struct ifk_error *err)
{
	struct audio h = {a, 0};
	struct ifk_error e;
	char path[96];
	int rc;

	snprintf(path, sizeof(path), "Library/Voicemail/%lld.amr", (long long)rowid);
	ifk_row_text(a, "audio_path", path);
	rc = ifk_art_file_info(a, DOMAIN, path, audio_found, &h, &e);
	ifk_row_bool(a, "audio_present", h.found);
	if (rc == IFK_EINTR) {
		*err = e;
		return rc;
	}
	return 0;
}

static void trash(struct ifk_art *a, sqlite3_stmt *st, const char *table)
{
	int64_t flags = is_num(st, C_FLAGS) ? sqlite3_column_int64(st, C_FLAGS) : 0;
	int trashed = strcmp(table, "deleted") == 0 || (flags & FLAG_DELETED) != 0;

	ifk_row_col_int(a, "flags", st, C_FLAGS);
	ifk_row_col_cocoa(a, "trashed_date", st, C_TRASHED);
	if (is_num(st, C_TRASHED) && sqlite3_column_double(st, C_TRASHED) != 0)
		trashed = 1;
	ifk_row_bool(a, "trashed", trashed);
}

static int vm_row(struct ifk_art *a, struct ifk_src *s, const char *table, sqlite3_stmt *st,
                  struct ifk_error *err)
{
	int64_t rowid = sqlite3_column_int64(st, C_ROWID);
	const char *who;
	char line[300];
	int rc;

	ifk_row_col_int(a, "remote_uid", st, C_REMOTE_UID);
	date_col(a, st);
	ifk_row_col_text(a, "sender", st, C_SENDER);
	ifk_row_col_text(a, "callback_num", st, C_CALLBACK);
	ifk_row_col_text(a, "receiver", st, C_RECEIVER);
	ifk_row_col_text(a, "account", st, C_ACCOUNT);
	ifk_row_col_text(a, "uuid", st, C_UUID);
	ifk_row_col_text(a, "token", st, C_TOKEN);
	ifk_row_col_int(a, "duration", st, C_DURATION);
	unix_col(a, "expiration", st, C_EXPIRATION);
	trash(a, st, table);
	rc = audio(a, rowid, err);
	if (rc < 0)
		return rc;
	who = (const char *)sqlite3_column_text(st, C_SENDER); /* after ifk_row_col_text */
	snprintf(line, sizeof(line), "voicemail from %.200s (%lld s)", who ? who : "unknown",
	         is_num(st, C_DURATION) ? (long long)sqlite3_column_int64(st, C_DURATION) : 0LL);
	ifk_row_event(a, "date", "received", line);
	ifk_row_event(a, "trashed_date", "trashed", line);
	return ifk_row_emit(a, s, table, rowid, err);
}

static int read_table(struct ifk_art *a, struct ifk_src *s, sqlite3 *db, const char *table,
                      struct ifk_error *err)
{
	char *q = build_query(db, table);
	int rc;

	if (!q)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = ifk_art_query(a, s, db, q, table, vm_row, err);
	free(q);
	return rc;
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_src *s = NULL;
	sqlite3 *db = NULL;
	int rc;

	rc = ifk_art_sqlite(a, DOMAIN, DB_PATH, &s, &db, err);
	if (rc < 0)
		return rc;
	rc = ifk_art_require(a, s, db, "voicemail", NEEDED, err);
	if (rc == 0)
		rc = read_table(a, s, db, "voicemail", err);
	/* recent iOS: a second table of the same layout */
	if (rc == 0 && ifk_db_has_table(db, "deleted") &&
	    ifk_art_require(a, s, db, "deleted", NEEDED, NULL) == 0)
		rc = read_table(a, s, db, "deleted", err);
	sqlite3_close(db);
	return rc;
}

static const struct ifk_art_source sources[] = {
    {DOMAIN, DB_PATH},
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

const struct ifk_artifact ifk_art_voicemail = {
    .name = "voicemail",
    .title = "Voicemail",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
