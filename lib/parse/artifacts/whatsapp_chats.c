/* whatsapp_chats: WhatsApp chat sessions (ChatStorage.sqlite, table
 * ZWACHATSESSION), one row per chat with its partner or group and, for
 * groups, the member JIDs. */
#include "artifact.h"

static const struct ifk_art_source sources[] = {
    {"AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"chat_pk", IFK_COL_INT},         {"contact_jid", IFK_COL_TEXT},
    {"partner_name", IFK_COL_TEXT},   {"is_group", IFK_COL_BOOL},
    {"session_type", IFK_COL_INT},    {"last_message_date", IFK_COL_TIME},
    {"message_counter", IFK_COL_INT}, {"messages_stored", IFK_COL_INT},
    {"unread_count", IFK_COL_INT},    {"archived", IFK_COL_BOOL},
    {"group_members", IFK_COL_TEXT},  {NULL, 0},
};

enum { C_PK, C_JID, C_NAME, C_TYPE };

static const struct ifk_art_field fields[] = {
    [C_PK] = {"chat_pk", ifk_row_col_id, "s.Z_PK", NULL},
    [C_JID] = {"contact_jid", ifk_row_col_str, "s.ZCONTACTJID", NULL},
    [C_NAME] = {"partner_name", ifk_row_col_str, "s.ZPARTNERNAME", NULL},
    [C_TYPE] = {"session_type", ifk_row_col_whole, "s.ZSESSIONTYPE", NULL},
    {"last_message_date", ifk_row_col_cocoa, "s.ZLASTMESSAGEDATE", NULL},
    {"message_counter", ifk_row_col_whole, "s.ZMESSAGECOUNTER", NULL},
    {"unread_count", ifk_row_col_whole, "s.ZUNREADCOUNT", NULL},
    {"archived", ifk_row_col_flag, "s.ZARCHIVED", NULL},
    {"messages_stored", ifk_row_col_whole, "coalesce(n.n, 0)", "@n"},
    {"group_members", ifk_row_col_str, "g.ids", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"n", NULL, "ZWAMESSAGE.ZCHATSESSION",
     " LEFT JOIN (SELECT ZCHATSESSION AS cid, count(*) AS n FROM ZWAMESSAGE"
     " GROUP BY ZCHATSESSION) n ON n.cid = s.Z_PK"},
    {"g", NULL, "ZWAGROUPMEMBER.ZCHATSESSION ZWAGROUPMEMBER.ZMEMBERJID",
     " LEFT JOIN (SELECT x.c AS cid, group_concat(x.j, ',') AS ids FROM"
     " (SELECT ZCHATSESSION AS c, ZMEMBERJID AS j FROM ZWAGROUPMEMBER"
     " WHERE ZMEMBERJID IS NOT NULL ORDER BY ZCHATSESSION, Z_PK) x"
     " GROUP BY x.c) g ON g.cid = s.Z_PK"},
    {NULL, NULL, NULL, NULL},
};

static int ends_with(const char *s, const char *tail)
{
	size_t n = s ? strlen(s) : 0, m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* A group: a JID "...@g.us" or session type 1. */
static int chat(struct ifk_art_row *r, struct ifk_error *err)
{
	char *jid = ifk_art_str(r->st, C_JID, SIZE_MAX),
	     *name = ifk_art_str(r->st, C_NAME, SIZE_MAX);
	char b1[100], b2[100];
	int group = ends_with(jid, "@g.us");
	double type;

	if (ifk_art_num(r->st, C_TYPE, &type) && type == 1)
		group = 1;
	if (jid || sqlite3_column_type(r->st, C_TYPE) != SQLITE_NULL)
		ifk_row_bool(r->a, "is_group", group);
	snprintf(r->line, sizeof(r->line), "WhatsApp %s %s (%s): last message",
	         group ? "group" : "chat", name ? ifk_art_clean(b1, sizeof(b1), name) : "?",
	         jid ? ifk_art_clean(b2, sizeof(b2), jid) : "no JID");
	free(jid);
	free(name);
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "ZWACHATSESSION",
     .alias = "s",
     .require = "ZWACHATSESSION:Z_PK,ZCONTACTJID",
     .fields = fields,
     .from = from,
     .row = chat},
    {0},
};

static const struct ifk_art_event events[] = {
    {"last_message_date", "last-message", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(whatsapp_chats, "WhatsApp chats", "1", sources, cols, desc);
