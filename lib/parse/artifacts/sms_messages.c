/* sms_messages: SMS, MMS, iMessage and RCS messages from sms.db, one row
 * per message with its chat, the other party's handle and the text (from
 * the text column, else decoded from the attributedBody typedstream). */
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

/* the SELECT's column positions (fields, below) */
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
	char *t = ifk_art_str(st, C_TEXT, SIZE_MAX), *b;

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

static const struct ifk_art_field fields[] = {
    [C_ROWID] = {"message_rowid", ifk_row_col_id, "m.ROWID", ""},
    [C_GUID] = {"guid", ifk_row_col_str, "m.guid", NULL},
    [C_TEXT] = {NULL, NULL, "m.text", NULL},
    [C_BODY] = {NULL, NULL, "m.attributedBody", NULL},
    [C_HANDLE_ROWID] = {"handle_rowid", ifk_row_col_whole, "m.handle_id", NULL},
    [C_HANDLE] = {"handle", ifk_row_col_str, "h.id", NULL},
    [C_SERVICE] = {"service", ifk_row_col_str, "m.service", NULL},
    [C_DATE] = {"date", ifk_row_col_cocoa, "m.date", NULL},
    [C_DATE_READ] = {"date_read", ifk_row_col_cocoa, "m.date_read", NULL},
    [C_DATE_DELIVERED] = {"date_delivered", ifk_row_col_cocoa, "m.date_delivered", NULL},
    [C_FROM_ME] = {NULL, NULL, "m.is_from_me", NULL},
    [C_IS_READ] = {"is_read", ifk_row_col_flag, "m.is_read", NULL},
    [C_IS_DELIVERED] = {"is_delivered", ifk_row_col_flag, "m.is_delivered", NULL},
    /* iOS 16 edits and unsends; reactions and replies point at their message */
    [C_DATE_EDITED] = {"date_edited", ifk_row_col_cocoa, "m.date_edited", NULL},
    [C_DATE_RETRACTED] = {"date_retracted", ifk_row_col_cocoa, "m.date_retracted", NULL},
    [C_ASSOC_GUID] = {"associated_message_guid", ifk_row_col_str, "m.associated_message_guid",
                      NULL},
    [C_ASSOC_TYPE] = {"associated_message_type", ifk_row_col_whole, "m.associated_message_type",
                      NULL},
    [C_THREAD] = {"thread_originator_guid", ifk_row_col_str, "m.thread_originator_guid", NULL},
    [C_CHAT_ROWID] = {"chat_rowid", ifk_row_col_whole, "c.ROWID", "@c"},
    [C_CHAT_ID] = {"chat_identifier", ifk_row_col_str, "c.chat_identifier", NULL},
    [C_CHAT_NAME] = {"chat_display_name", ifk_row_col_str, "c.display_name", NULL},
    [C_CHAT_SERVICE] = {"chat_service", ifk_row_col_str, "c.service_name", NULL},
    [C_PARTICIPANTS] = {"chat_participants", ifk_row_col_str, "p.ids", NULL},
    [C_ATTACHMENTS] = {"attachment_count", ifk_row_col_whole, "coalesce(aj.n, 0)", "@aj"},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"h", "handle", "m.handle_id h.id", " LEFT JOIN handle h ON h.ROWID = m.handle_id"},
    {"c", "chat", "chat chat_message_join.chat_id chat_message_join.message_id",
     " LEFT JOIN (SELECT message_id AS mid, min(chat_id) AS cid"
     " FROM chat_message_join GROUP BY message_id) cj ON cj.mid = m.ROWID"
     " LEFT JOIN chat c ON c.ROWID = cj.cid"},
    {"p", NULL, "@c handle.id chat_handle_join.chat_id chat_handle_join.handle_id",
     " LEFT JOIN (SELECT x.chat_id AS cid, group_concat(h2.id, ',') AS ids"
     " FROM (SELECT chat_id, handle_id FROM chat_handle_join"
     " ORDER BY chat_id, handle_id) x JOIN handle h2"
     " ON h2.ROWID = x.handle_id GROUP BY x.chat_id) p ON p.cid = c.ROWID"},
    {"aj", NULL, "message_attachment_join.message_id",
     " LEFT JOIN (SELECT message_id AS mid, count(*) AS n"
     " FROM message_attachment_join GROUP BY message_id) aj"
     " ON aj.mid = m.ROWID"},
    {NULL, NULL, NULL, NULL},
};

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
	const char *svc = ifk_art_clean(b1, sizeof(b1), col_cstr(st, C_SERVICE));
	const char *who = ifk_art_clean(b2, sizeof(b2), col_cstr(st, C_HANDLE));
	const char *name = ifk_art_clean(b3, sizeof(b3), col_cstr(st, C_CHAT_NAME));
	const char *chat = ifk_art_clean(b4, sizeof(b4), col_cstr(st, C_CHAT_ID));
	int64_t natt = sqlite3_column_int64(st, C_ATTACHMENTS);

	if (!svc)
		svc = ifk_art_clean(b1, sizeof(b1), col_cstr(st, C_CHAT_SERVICE));
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
	ifk_art_snippet(snip, sizeof(snip), text);
	snprintf(out, cap, "%s %s: %s%s", svc ? svc : "message", where, text ? snip : "(no text)",
	         natt > 0 ? " [attachment]" : "");
}

/* The text (from text, else from attributedBody), the direction, the
 * summary. */
static int message(struct ifk_art_row *r, struct ifk_error *err)
{
	int sent = ifk_art_flag(r->st, C_FROM_ME);
	const char *source;
	char *text = message_text(r->st, &source);

	if (sent >= 0)
		ifk_row_text(r->a, "direction", sent ? "sent" : "received");
	ifk_row_text(r->a, "text", text);
	ifk_row_text(r->a, "text_source", source);
	summary(r->line, sizeof(r->line), r->st, sent, text);
	free(text);
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "message",
     .alias = "m",
     .require = "message:date,is_from_me message:text|attributedBody",
     .fields = fields,
     .from = from,
     .row = message},
    {0},
};

static const struct ifk_art_event events[] = {
    {"date", "message", "direction", NULL, NULL, 0},
    {"date_read", "read", NULL, NULL, NULL, 0},
    {"date_edited", "edited", NULL, NULL, NULL, 0},
    {"date_retracted", "unsent", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(sms_messages, "SMS and iMessage messages", "1", sources, cols, desc);
