/* whatsapp_messages: WhatsApp messages (ChatStorage.sqlite, table
 * ZWAMESSAGE), with their chat, the group member who sent them, and the
 * media item they carry. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"

static const struct ifk_art_source sources[] = {
    {"AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"message_pk", IFK_COL_INT},
    {"chat_pk", IFK_COL_INT},
    {"chat_jid", IFK_COL_TEXT},
    {"chat_name", IFK_COL_TEXT},
    {"direction", IFK_COL_TEXT},
    {"from_jid", IFK_COL_TEXT},
    {"to_jid", IFK_COL_TEXT},
    {"group_member_jid", IFK_COL_TEXT},
    {"text", IFK_COL_TEXT},
    {"message_type", IFK_COL_INT},
    {"message_type_name", IFK_COL_TEXT},
    {"message_status", IFK_COL_INT},
    {"message_date", IFK_COL_TIME},
    {"sent_date", IFK_COL_TIME},
    {"starred", IFK_COL_BOOL},
    {"media_local_path", IFK_COL_TEXT},
    {"media_title", IFK_COL_TEXT},
    {"media_file_size", IFK_COL_INT},
    {"latitude", IFK_COL_REAL},
    {"longitude", IFK_COL_REAL},
    {NULL, 0},
};

enum {
	C_PK,
	C_CHAT,
	C_FROM_ME,
	C_FROM,
	C_TO,
	C_TEXT,
	C_DATE,
	C_SENT,
	C_TYPE,
	C_STATUS,
	C_STARRED,
	C_CHAT_JID,
	C_CHAT_NAME,
	C_MEMBER,
	C_MEDIA_PATH,
	C_MEDIA_TITLE,
	C_MEDIA_SIZE,
	C_LAT,
	C_LON,
};

/* ZMESSAGETYPE values whose meaning is well established; others are kept
 * as the number only. */
static const char *type_name(double v)
{
	static const char *const names[] = {"text",     "image", "video", "audio",   "contact",
	                                    "location", NULL,    NULL,    "document"};

	if (v == 15)
		return "sticker";
	if (v >= 0 && v < (double)(sizeof(names) / sizeof(names[0])) && v == (double)(int)v)
		return names[(int)v];
	return NULL;
}

/* The other party: the recipient of a sent message; the group member, else
 * the sender, of a received one; else the chat's JID. */
static char *party(sqlite3_stmt *st, int sent)
{
	char *who = msg_col_str(st, sent == 1 ? C_TO : C_MEMBER, 200);

	if (!who && sent != 1)
		who = msg_col_str(st, C_FROM, 200);
	if (!who)
		who = msg_col_str(st, C_CHAT_JID, 200);
	return who;
}

/* "WhatsApp from 15555550101@s.whatsapp.net (Bob Example): Hi" */
static void summary(char *out, size_t cap, sqlite3_stmt *st, int sent, const char *text,
                    const char *type)
{
	char *name = msg_col_str(st, C_CHAT_NAME, 200), *who = party(st, sent);
	char b1[80], b2[80], snip[120], kind[40];

	msg_snippet(snip, sizeof(snip), text);
	snprintf(kind, sizeof(kind), "[%s]", type ? type : "media");
	snprintf(out, cap, "WhatsApp %s %s%s%s%s: %s", sent == 1 ? "to" : "from",
	         who ? msg_clean(b1, sizeof(b1), who) : "unknown", name ? " (" : "",
	         name ? msg_clean(b2, sizeof(b2), name) : "", name ? ")" : "", text ? snip : kind);
	free(name);
	free(who);
}

static void set_media(struct ifk_art *a, sqlite3_stmt *st, double type, int typed)
{
	double v;

	msg_row_str(a, "media_local_path", st, C_MEDIA_PATH);
	msg_row_str(a, "media_title", st, C_MEDIA_TITLE);
	msg_row_int(a, "media_file_size", st, C_MEDIA_SIZE);
	if (!typed || type != 5) /* only location messages carry coordinates */
		return;
	if (msg_num(st, C_LAT, &v))
		ifk_row_real(a, "latitude", v);
	if (msg_num(st, C_LON, &v))
		ifk_row_real(a, "longitude", v);
}

static int emit_message(struct ifk_art *a, struct ifk_src *src, const char *table, sqlite3_stmt *st,
                        struct ifk_error *err)
{
	int sent = msg_flag(st, C_FROM_ME), typed;
	char *text = msg_col_str(st, C_TEXT, SIZE_MAX), line[400];
	const char *tname = NULL;
	double type = 0;

	ifk_row_int(a, "message_pk", sqlite3_column_int64(st, C_PK));
	msg_row_int(a, "chat_pk", st, C_CHAT);
	msg_row_str(a, "chat_jid", st, C_CHAT_JID);
	msg_row_str(a, "chat_name", st, C_CHAT_NAME);
	if (sent >= 0)
		ifk_row_text(a, "direction", sent ? "sent" : "received");
	msg_row_str(a, "from_jid", st, C_FROM);
	msg_row_str(a, "to_jid", st, C_TO);
	msg_row_str(a, "group_member_jid", st, C_MEMBER);
	ifk_row_text(a, "text", text);
	typed = msg_num(st, C_TYPE, &type);
	msg_row_int(a, "message_type", st, C_TYPE);
	if (typed && (tname = type_name(type)))
		ifk_row_text(a, "message_type_name", tname);
	msg_row_int(a, "message_status", st, C_STATUS);
	ifk_row_col_cocoa(a, "message_date", st, C_DATE);
	ifk_row_col_cocoa(a, "sent_date", st, C_SENT);
	msg_row_flag(a, "starred", st, C_STARRED);
	set_media(a, st, type, typed);
	summary(line, sizeof(line), st, sent, text, tname);
	ifk_row_event(a, "message_date",
	              sent == 1   ? "sent"
	              : sent == 0 ? "received"
	                          : "message",
	              line);
	free(text);
	return ifk_row_emit(a, src, table, sqlite3_column_int64(st, C_PK), err);
}

static void build_joins(struct msg_sql *q, sqlite3 *db, int chat, int member, int media)
{
	if (chat) {
		msg_sql_col(q, db, "ZWACHATSESSION", "s", "ZCONTACTJID");
		msg_sql_col(q, db, "ZWACHATSESSION", "s", "ZPARTNERNAME");
	} else {
		msg_sql_add(q, ", NULL, NULL");
	}
	if (member)
		msg_sql_col(q, db, "ZWAGROUPMEMBER", "g", "ZMEMBERJID");
	else
		msg_sql_add(q, ", NULL");
	if (media) {
		msg_sql_col(q, db, "ZWAMEDIAITEM", "mi", "ZMEDIALOCALPATH");
		msg_sql_col(q, db, "ZWAMEDIAITEM", "mi", "ZTITLE");
		msg_sql_col(q, db, "ZWAMEDIAITEM", "mi", "ZFILESIZE");
		msg_sql_col(q, db, "ZWAMEDIAITEM", "mi", "ZLATITUDE");
		msg_sql_col(q, db, "ZWAMEDIAITEM", "mi", "ZLONGITUDE");
	} else {
		msg_sql_add(q, ", NULL, NULL, NULL, NULL, NULL");
	}
	msg_sql_add(q, " FROM ZWAMESSAGE m");
	if (chat)
		msg_sql_add(q, " LEFT JOIN ZWACHATSESSION s ON s.Z_PK = m.ZCHATSESSION");
	if (member)
		msg_sql_add(q, " LEFT JOIN ZWAGROUPMEMBER g ON g.Z_PK = m.ZGROUPMEMBER");
	if (media)
		msg_sql_add(q, " LEFT JOIN ZWAMEDIAITEM mi ON mi.Z_PK = m.ZMEDIAITEM");
}

static void build_query(struct msg_sql *q, sqlite3 *db)
{
	static const char *const mcols[] = {
	    "ZCHATSESSION", "ZISFROMME", "ZFROMJID",     "ZTOJID",         "ZTEXT",
	    "ZMESSAGEDATE", "ZSENTDATE", "ZMESSAGETYPE", "ZMESSAGESTATUS", "ZSTARRED"};
	int chat = ifk_db_has_column(db, "ZWAMESSAGE", "ZCHATSESSION") &&
	           ifk_db_has_column(db, "ZWACHATSESSION", "Z_PK");
	int member = ifk_db_has_column(db, "ZWAMESSAGE", "ZGROUPMEMBER") &&
	             ifk_db_has_column(db, "ZWAGROUPMEMBER", "Z_PK");
	int media = ifk_db_has_column(db, "ZWAMESSAGE", "ZMEDIAITEM") &&
	            ifk_db_has_column(db, "ZWAMEDIAITEM", "Z_PK");
	size_t i;

	msg_sql_add(q, "SELECT m.Z_PK");
	for (i = 0; i < sizeof(mcols) / sizeof(mcols[0]); i++)
		msg_sql_col(q, db, "ZWAMESSAGE", "m", mcols[i]);
	build_joins(q, db, chat, member, media);
	msg_sql_add(q, " ORDER BY m.Z_PK");
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
	rc = ifk_art_require(a, src, db, "ZWAMESSAGE", "Z_PK,ZISFROMME,ZMESSAGEDATE", err);
	if (rc)
		goto out;
	build_query(&q, db);
	rc = msg_sql_run(a, &q, db, src, "ZWAMESSAGE", emit_message, err);
out:
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_whatsapp_messages = {
    .name = "whatsapp_messages",
    .title = "WhatsApp messages",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
