/* whatsapp_messages: WhatsApp messages (ChatStorage.sqlite, table
 * ZWAMESSAGE), with their chat, the group member who sent them, and the
 * media item they carry. */
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
	char *who = ifk_art_str(st, sent == 1 ? C_TO : C_MEMBER, 200);

	if (!who && sent != 1)
		who = ifk_art_str(st, C_FROM, 200);
	if (!who)
		who = ifk_art_str(st, C_CHAT_JID, 200);
	return who;
}

/* "WhatsApp from 15555550101@s.whatsapp.net (Bob Example): Hi" */
static void summary(char *out, size_t cap, sqlite3_stmt *st, int sent, const char *text,
                    const char *type)
{
	char *name = ifk_art_str(st, C_CHAT_NAME, 200), *who = party(st, sent);
	char b1[80], b2[80], snip[120], kind[40];

	ifk_art_snippet(snip, sizeof(snip), text);
	snprintf(kind, sizeof(kind), "[%s]", type ? type : "media");
	snprintf(out, cap, "WhatsApp %s %s%s%s%s: %s", sent == 1 ? "to" : "from",
	         who ? ifk_art_clean(b1, sizeof(b1), who) : "unknown", name ? " (" : "",
	         name ? ifk_art_clean(b2, sizeof(b2), name) : "", name ? ")" : "",
	         text ? snip : kind);
	free(name);
	free(who);
}

static const struct ifk_art_field fields[] = {
    [C_PK] = {"message_pk", ifk_row_col_id, "m.Z_PK", NULL},
    [C_CHAT] = {"chat_pk", ifk_row_col_whole, "m.ZCHATSESSION", NULL},
    [C_FROM_ME] = {NULL, NULL, "m.ZISFROMME", NULL},
    [C_FROM] = {"from_jid", ifk_row_col_str, "m.ZFROMJID", NULL},
    [C_TO] = {"to_jid", ifk_row_col_str, "m.ZTOJID", NULL},
    [C_TEXT] = {"text", ifk_row_col_str, "m.ZTEXT", NULL},
    [C_DATE] = {"message_date", ifk_row_col_cocoa, "m.ZMESSAGEDATE", NULL},
    [C_SENT] = {"sent_date", ifk_row_col_cocoa, "m.ZSENTDATE", NULL},
    [C_TYPE] = {"message_type", ifk_row_col_whole, "m.ZMESSAGETYPE", NULL},
    [C_STATUS] = {"message_status", ifk_row_col_whole, "m.ZMESSAGESTATUS", NULL},
    [C_STARRED] = {"starred", ifk_row_col_flag, "m.ZSTARRED", NULL},
    [C_CHAT_JID] = {"chat_jid", ifk_row_col_str, "s.ZCONTACTJID", NULL},
    [C_CHAT_NAME] = {"chat_name", ifk_row_col_str, "s.ZPARTNERNAME", NULL},
    [C_MEMBER] = {"group_member_jid", ifk_row_col_str, "g.ZMEMBERJID", NULL},
    [C_MEDIA_PATH] = {"media_local_path", ifk_row_col_str, "mi.ZMEDIALOCALPATH", NULL},
    [C_MEDIA_TITLE] = {"media_title", ifk_row_col_str, "mi.ZTITLE", NULL},
    [C_MEDIA_SIZE] = {"media_file_size", ifk_row_col_whole, "mi.ZFILESIZE", NULL},
    [C_LAT] = {NULL, NULL, "mi.ZLATITUDE", NULL},
    [C_LON] = {NULL, NULL, "mi.ZLONGITUDE", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"s", "ZWACHATSESSION", "m.ZCHATSESSION s.Z_PK",
     " LEFT JOIN ZWACHATSESSION s ON s.Z_PK = m.ZCHATSESSION"},
    {"g", "ZWAGROUPMEMBER", "m.ZGROUPMEMBER g.Z_PK",
     " LEFT JOIN ZWAGROUPMEMBER g ON g.Z_PK = m.ZGROUPMEMBER"},
    {"mi", "ZWAMEDIAITEM", "m.ZMEDIAITEM mi.Z_PK",
     " LEFT JOIN ZWAMEDIAITEM mi ON mi.Z_PK = m.ZMEDIAITEM"},
    {NULL, NULL, NULL, NULL},
};

/* The direction, the type's name, a location's coordinates, the summary. */
static int message(struct ifk_art_row *r, struct ifk_error *err)
{
	int sent = ifk_art_flag(r->st, C_FROM_ME), typed;
	char *text = ifk_art_str(r->st, C_TEXT, SIZE_MAX);
	const char *tname = NULL;
	double type = 0, v;

	if (sent >= 0)
		ifk_row_text(r->a, "direction", sent ? "sent" : "received");
	typed = ifk_art_num(r->st, C_TYPE, &type);
	if (typed && (tname = type_name(type)))
		ifk_row_text(r->a, "message_type_name", tname);
	if (typed && type == 5) { /* only location messages carry coordinates */
		if (ifk_art_num(r->st, C_LAT, &v))
			ifk_row_real(r->a, "latitude", v);
		if (ifk_art_num(r->st, C_LON, &v))
			ifk_row_real(r->a, "longitude", v);
	}
	summary(r->line, sizeof(r->line), r->st, sent, text, tname);
	free(text);
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "ZWAMESSAGE",
     .alias = "m",
     .require = "ZWAMESSAGE:Z_PK,ZISFROMME,ZMESSAGEDATE",
     .fields = fields,
     .from = from,
     .row = message},
    {0},
};

static const struct ifk_art_event events[] = {
    {"message_date", "message", "direction", NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(whatsapp_messages, "WhatsApp messages", "1", sources, cols, desc);
