/* sms_messages: SMS, MMS, iMessage and RCS messages from sms.db, one row
 * per message with its chat, the other party's handle and the text (from
 * the text column, else decoded from the attributedBody typedstream). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"

static const struct ifk_art_source sources[] = {
    {"HomeDomain", "Library/SMS/sms.db"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"message_rowid", IFK_COL_INT},
    {"guid", IFK_COL_TEXT},
    {"chat_rowid", IFK_COL_INT},
    {"chat_identifier", IFK_COL_TEXT},
    {"chat_display_name", IFK_COL_TEXT},
    {"chat_service", IFK_COL_TEXT},
    {"chat_participants", IFK_COL_TEXT},
    {"handle_rowid", IFK_COL_INT},
    {"handle", IFK_COL_TEXT},
    {"direction", IFK_COL_TEXT},
    {"service", IFK_COL_TEXT},
    {"text", IFK_COL_TEXT},
    {"text_source", IFK_COL_TEXT},
    {"date", IFK_COL_TIME},
    {"date_read", IFK_COL_TIME},
    {"date_delivered", IFK_COL_TIME},
    {"date_edited", IFK_COL_TIME},
    {"date_retracted", IFK_COL_TIME},
    {"is_read", IFK_COL_BOOL},
    {"is_delivered", IFK_COL_BOOL},
    {"attachment_count", IFK_COL_INT},
    {"associated_message_guid", IFK_COL_TEXT},
    {"associated_message_type", IFK_COL_INT},
    {"thread_originator_guid", IFK_COL_TEXT},
    {NULL, 0},
};

/* the SELECT's column positions */
enum {
	C_ROWID,
	C_GUID,
	C_TEXT,
	C_BODY,
	C_HANDLE_ROWID,
	C_HANDLE,
	C_SERVICE,
	C_DATE,
	C_DATE_READ,
	C_DATE_DELIVERED,
	C_FROM_ME,
	C_IS_READ,
	C_IS_DELIVERED,
	C_DATE_EDITED,
	C_DATE_RETRACTED,
	C_ASSOC_GUID,
	C_ASSOC_TYPE,
	C_THREAD,
	C_CHAT_ROWID,
	C_CHAT_ID,
	C_CHAT_NAME,
	C_CHAT_SERVICE,
	C_PARTICIPANTS,
	C_ATTACHMENTS,
};

/* ---- attributedBody: a typedstream (NSArchiver) NSAttributedString ----
 *
 * The stream starts "\x04\x0bstreamtyped"; the attributed string's first
 * object is its NSString, written as the class name ("\x08NSString", or
 * "\x0fNSMutableString"), the class version and superclass reference, the
 * type string "+" (a byte string), then the byte count and the UTF-8 bytes.
 * Counts are typedstream integers: one byte below 0x80, 0x81 + int16 LE,
 * 0x82 + int32 LE. Anything else, or a count past the end, is no text. */

static const uint8_t *find_bytes(const uint8_t *b, size_t n, const char *pat, size_t m)
{
	size_t i;

	for (i = 0; n >= m && i <= n - m; i++)
		if (memcmp(b + i, pat, m) == 0)
			return b + i;
	return NULL;
}

static int ts_count(const uint8_t *p, size_t avail, size_t *count, size_t *used)
{
	int32_t v;

	if (avail < 1)
		return -1;
	if (p[0] < 0x80) {
		*count = p[0];
		*used = 1;
		return 0;
	}
	if (p[0] == 0x81 && avail >= 3) {
		v = (int16_t)(uint16_t)(p[1] | (unsigned)p[2] << 8);
		*used = 3;
	} else if (p[0] == 0x82 && avail >= 5) {
		v = (int32_t)((uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 |
		              (uint32_t)p[4] << 24);
		*used = 5;
	} else {
		return -1;
	}
	if (v < 0)
		return -1;
	*count = (size_t)v;
	return 0;
}

/* The text's offset and length inside the blob; -1 when there is none. */
static int ts_text(const uint8_t *b, size_t n, size_t *off, size_t *len)
{
	const uint8_t *cls, *end = b + n;
	size_t i, count, used;

	if (n < 13 || memcmp(b, "\x04\x0bstreamtyped", 13) != 0)
		return -1;
	cls = find_bytes(b, n, "\x08NSString", 9);
	if (cls)
		cls += 9;
	else if ((cls = find_bytes(b, n, "\x0fNSMutableString", 16)))
		cls += 16;
	else
		return -1;
	/* version, superclass and "+" take a few bytes; look no further */
	for (i = 0; i < 16 && cls + i < end && cls[i] != '+'; i++)
		;
	if (i == 16 || cls + i >= end)
		return -1;
	cls += i + 1;
	if (ts_count(cls, (size_t)(end - cls), &count, &used) < 0)
		return -1;
	cls += used;
	if (count > (size_t)(end - cls))
		return -1;
	*off = (size_t)(cls - b);
	*len = count;
	return 0;
}

static char *body_text(sqlite3_stmt *st, int i)
{
	const uint8_t *b;
	size_t off, len;
	char *s;

	if (sqlite3_column_type(st, i) != SQLITE_BLOB)
		return NULL;
	b = sqlite3_column_blob(st, i);
	if (!b || ts_text(b, (size_t)sqlite3_column_bytes(st, i), &off, &len) < 0)
		return NULL;
	if (!(s = malloc(len + 1)))
		return NULL;
	memcpy(s, b + off, len);
	s[len] = 0;
	return s;
}

/* The message text and where it came from ("text", "attributedBody"). */
static char *message_text(sqlite3_stmt *st, const char **source)
{
	char *t = msg_col_str(st, C_TEXT, SIZE_MAX), *b;

	*source = t ? "text" : NULL;
	if (t && *t)
		return t;
	b = body_text(st, C_BODY);
	if (!b || !*b) {
		free(b);
		return t;
	}
	free(t);
	*source = "attributedBody";
	return b;
}

/* ---- the query ---- */

static int has_cols(sqlite3 *db, const char *table, const char *c1, const char *c2)
{
	return ifk_db_has_column(db, table, c1) && (!c2 || ifk_db_has_column(db, table, c2));
}

static void select_chat(struct msg_sql *q, sqlite3 *db, int chat, int people)
{
	if (chat) {
		msg_sql_add(q, ", c.ROWID");
		msg_sql_col(q, db, "chat", "c", "chat_identifier");
		msg_sql_col(q, db, "chat", "c", "display_name");
		msg_sql_col(q, db, "chat", "c", "service_name");
	} else {
		msg_sql_add(q, ", NULL, NULL, NULL, NULL");
	}
	msg_sql_add(q, people ? ", p.ids" : ", NULL");
}

static void build_query(struct msg_sql *q, sqlite3 *db)
{
	int handle =
	    ifk_db_has_column(db, "message", "handle_id") && ifk_db_has_column(db, "handle", "id");
	int chat = ifk_db_has_table(db, "chat") &&
	           has_cols(db, "chat_message_join", "chat_id", "message_id");
	int people = chat && ifk_db_has_column(db, "handle", "id") &&
	             has_cols(db, "chat_handle_join", "chat_id", "handle_id");
	int att = ifk_db_has_column(db, "message_attachment_join", "message_id");
	static const char *const mcols[] = {"guid",
	                                    "text",
	                                    "attributedBody",
	                                    "handle_id",
	                                    NULL,
	                                    "service",
	                                    "date",
	                                    "date_read",
	                                    "date_delivered",
	                                    "is_from_me",
	                                    "is_read",
	                                    "is_delivered",
	                                    "date_edited",
	                                    "date_retracted",
	                                    "associated_message_guid",
	                                    "associated_message_type",
	                                    "thread_originator_guid"};
	size_t i;

	msg_sql_add(q, "SELECT m.ROWID");
	for (i = 0; i < sizeof(mcols) / sizeof(mcols[0]); i++) {
		if (mcols[i])
			msg_sql_col(q, db, "message", "m", mcols[i]);
		else
			msg_sql_add(q, handle ? ", h.id" : ", NULL");
	}
	select_chat(q, db, chat, people);
	msg_sql_add(q, att ? ", coalesce(aj.n, 0)" : ", NULL");
	msg_sql_add(q, " FROM message m");
	if (handle)
		msg_sql_add(q, " LEFT JOIN handle h ON h.ROWID = m.handle_id");
	if (chat)
		msg_sql_add(q, " LEFT JOIN (SELECT message_id AS mid, min(chat_id) AS cid"
		               " FROM chat_message_join GROUP BY message_id) cj ON cj.mid = m.ROWID"
		               " LEFT JOIN chat c ON c.ROWID = cj.cid");
	if (people)
		msg_sql_add(q,
		            " LEFT JOIN (SELECT x.chat_id AS cid, group_concat(h2.id, ',') AS ids"
		            " FROM (SELECT chat_id, handle_id FROM chat_handle_join"
		            " ORDER BY chat_id, handle_id) x JOIN handle h2"
		            " ON h2.ROWID = x.handle_id GROUP BY x.chat_id) p ON p.cid = c.ROWID");
	if (att)
		msg_sql_add(q, " LEFT JOIN (SELECT message_id AS mid, count(*) AS n"
		               " FROM message_attachment_join GROUP BY message_id) aj"
		               " ON aj.mid = m.ROWID");
	msg_sql_add(q, " ORDER BY m.ROWID");
}

/* ---- rows ---- */

static const char *col_cstr(sqlite3_stmt *st, int i)
{
	const char *s;

	if (sqlite3_column_type(st, i) != SQLITE_TEXT)
		return NULL;
	s = (const char *)sqlite3_column_text(st, i);
	return s && *s ? s : NULL;
}

/* "iMessage from +15555550101 in Weekend Trip: text [1 attachment]" */
static void summary(char *out, size_t cap, sqlite3_stmt *st, int sent, const char *text)
{
	char b1[24], b2[80], b3[80], b4[80], snip[120], where[200];
	const char *svc = msg_clean(b1, sizeof(b1), col_cstr(st, C_SERVICE));
	const char *who = msg_clean(b2, sizeof(b2), col_cstr(st, C_HANDLE));
	const char *name = msg_clean(b3, sizeof(b3), col_cstr(st, C_CHAT_NAME));
	const char *chat = msg_clean(b4, sizeof(b4), col_cstr(st, C_CHAT_ID));
	int64_t natt = sqlite3_column_int64(st, C_ATTACHMENTS);

	if (!svc)
		svc = msg_clean(b1, sizeof(b1), col_cstr(st, C_CHAT_SERVICE));
	if (sent == 1)
		snprintf(where, sizeof(where), "to %s",
		         name   ? name
		         : chat ? chat
		         : who  ? who
		                : "unknown");
	else
		snprintf(where, sizeof(where), "from %s%s%s",
		         who    ? who
		         : chat ? chat
		                : "unknown",
		         name ? " in " : "", name ? name : "");
	msg_snippet(snip, sizeof(snip), text);
	snprintf(out, cap, "%s %s: %s%s", svc ? svc : "message", where, text ? snip : "(no text)",
	         natt > 0 ? " [attachment]" : "");
}

static void set_chat(struct ifk_art *a, sqlite3_stmt *st)
{
	msg_row_int(a, "chat_rowid", st, C_CHAT_ROWID);
	msg_row_str(a, "chat_identifier", st, C_CHAT_ID);
	msg_row_str(a, "chat_display_name", st, C_CHAT_NAME);
	msg_row_str(a, "chat_service", st, C_CHAT_SERVICE);
	msg_row_str(a, "chat_participants", st, C_PARTICIPANTS);
}

/* iOS 16 edits and unsends; reactions and replies point at their message. */
static void set_extra(struct ifk_art *a, sqlite3_stmt *st)
{
	ifk_row_col_cocoa(a, "date_edited", st, C_DATE_EDITED);
	ifk_row_col_cocoa(a, "date_retracted", st, C_DATE_RETRACTED);
	msg_row_str(a, "associated_message_guid", st, C_ASSOC_GUID);
	msg_row_int(a, "associated_message_type", st, C_ASSOC_TYPE);
	msg_row_str(a, "thread_originator_guid", st, C_THREAD);
}

static int emit_message(struct ifk_art *a, struct ifk_src *src, const char *table, sqlite3_stmt *st,
                        struct ifk_error *err)
{
	int sent = msg_flag(st, C_FROM_ME);
	const char *source;
	char *text = message_text(st, &source);
	char line[400];

	ifk_row_int(a, "message_rowid", sqlite3_column_int64(st, C_ROWID));
	msg_row_str(a, "guid", st, C_GUID);
	set_chat(a, st);
	msg_row_int(a, "handle_rowid", st, C_HANDLE_ROWID);
	msg_row_str(a, "handle", st, C_HANDLE);
	if (sent >= 0)
		ifk_row_text(a, "direction", sent ? "sent" : "received");
	msg_row_str(a, "service", st, C_SERVICE);
	ifk_row_text(a, "text", text);
	ifk_row_text(a, "text_source", source);
	ifk_row_col_cocoa(a, "date", st, C_DATE);
	ifk_row_col_cocoa(a, "date_read", st, C_DATE_READ);
	ifk_row_col_cocoa(a, "date_delivered", st, C_DATE_DELIVERED);
	msg_row_flag(a, "is_read", st, C_IS_READ);
	msg_row_flag(a, "is_delivered", st, C_IS_DELIVERED);
	msg_row_int(a, "attachment_count", st, C_ATTACHMENTS);
	set_extra(a, st);
	summary(line, sizeof(line), st, sent, text);
	ifk_row_event(a, "date", sent == 1 ? "sent" : sent == 0 ? "received" : "message", line);
	ifk_row_event(a, "date_read", "read", line);
	ifk_row_event(a, "date_edited", "edited", line);
	ifk_row_event(a, "date_retracted", "unsent", line);
	free(text);
	return ifk_row_emit(a, src, table, sqlite3_column_int64(st, C_ROWID), err);
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct msg_sql q = {.len = 0};
	struct ifk_src *src;
	sqlite3 *db = NULL;
	int rc;

	rc = ifk_art_sqlite(a, sources[0].domain, sources[0].path, &src, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, src, db, "message", "date,is_from_me", err);
	if (!rc && !ifk_db_has_column(db, "message", "attributedBody"))
		rc = ifk_art_require(a, src, db, "message", "text", err);
	if (rc)
		goto out;
	build_query(&q, db);
	rc = msg_sql_run(a, &q, db, src, "message", emit_message, err);
out:
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_sms_messages = {
    .name = "sms_messages",
    .title = "SMS and iMessage messages",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
