/* whatsapp_chats: WhatsApp chat sessions (ChatStorage.sqlite, table
 * ZWACHATSESSION), one row per chat with its partner or group and, for
 * groups, the member JIDs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

enum {
	C_PK,
	C_JID,
	C_NAME,
	C_TYPE,
	C_LAST,
	C_COUNTER,
	C_UNREAD,
	C_ARCHIVED,
	C_STORED,
	C_MEMBERS,
};

static int ends_with(const char *s, const char *tail)
{
	size_t n = s ? strlen(s) : 0, m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static int emit_chat(struct ifk_art *a, struct ifk_src *src, const char *table, sqlite3_stmt *st,
                     struct ifk_error *err)
{
	char *jid = msg_col_str(st, C_JID, SIZE_MAX), *name = msg_col_str(st, C_NAME, SIZE_MAX);
	char b1[100], b2[100], line[300];
	double type;
	int group = ends_with(jid, "@g.us");

	ifk_row_int(a, "chat_pk", sqlite3_column_int64(st, C_PK));
	ifk_row_text(a, "contact_jid", jid);
	ifk_row_text(a, "partner_name", name);
	if (msg_num(st, C_TYPE, &type) && type == 1)
		group = 1;
	if (jid || sqlite3_column_type(st, C_TYPE) != SQLITE_NULL)
		ifk_row_bool(a, "is_group", group);
	msg_row_int(a, "session_type", st, C_TYPE);
	ifk_row_col_cocoa(a, "last_message_date", st, C_LAST);
	msg_row_int(a, "message_counter", st, C_COUNTER);
	msg_row_int(a, "messages_stored", st, C_STORED);
	msg_row_int(a, "unread_count", st, C_UNREAD);
	msg_row_flag(a, "archived", st, C_ARCHIVED);
	msg_row_str(a, "group_members", st, C_MEMBERS);
	snprintf(line, sizeof(line), "WhatsApp %s %s (%s): last message", group ? "group" : "chat",
	         name ? msg_clean(b1, sizeof(b1), name) : "?",
	         jid ? msg_clean(b2, sizeof(b2), jid) : "no JID");
	ifk_row_event(a, "last_message_date", "last-message", line);
	free(jid);
	free(name);
	return ifk_row_emit(a, src, table, sqlite3_column_int64(st, C_PK), err);
}

static void build_query(struct msg_sql *q, sqlite3 *db)
{
	static const char *const scols[] = {"ZCONTACTJID",      "ZPARTNERNAME",    "ZSESSIONTYPE",
	                                    "ZLASTMESSAGEDATE", "ZMESSAGECOUNTER", "ZUNREADCOUNT",
	                                    "ZARCHIVED"};
	int stored = ifk_db_has_column(db, "ZWAMESSAGE", "ZCHATSESSION");
	int members = ifk_db_has_column(db, "ZWAGROUPMEMBER", "ZCHATSESSION") &&
	              ifk_db_has_column(db, "ZWAGROUPMEMBER", "ZMEMBERJID");
	size_t i;

	msg_sql_add(q, "SELECT s.Z_PK");
	for (i = 0; i < sizeof(scols) / sizeof(scols[0]); i++)
		msg_sql_col(q, db, "ZWACHATSESSION", "s", scols[i]);
	msg_sql_add(q, stored ? ", coalesce(n.n, 0)" : ", NULL");
	msg_sql_add(q, members ? ", g.ids" : ", NULL");
	msg_sql_add(q, " FROM ZWACHATSESSION s");
	if (stored)
		msg_sql_add(q,
		            " LEFT JOIN (SELECT ZCHATSESSION AS cid, count(*) AS n FROM ZWAMESSAGE"
		            " GROUP BY ZCHATSESSION) n ON n.cid = s.Z_PK");
	if (members)
		msg_sql_add(q, " LEFT JOIN (SELECT x.c AS cid, group_concat(x.j, ',') AS ids FROM"
		               " (SELECT ZCHATSESSION AS c, ZMEMBERJID AS j FROM ZWAGROUPMEMBER"
		               " WHERE ZMEMBERJID IS NOT NULL ORDER BY ZCHATSESSION, Z_PK) x"
		               " GROUP BY x.c) g ON g.cid = s.Z_PK");
	msg_sql_add(q, " ORDER BY s.Z_PK");
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
	rc = ifk_art_require(a, src, db, "ZWACHATSESSION", "Z_PK,ZCONTACTJID", err);
	if (rc)
		goto out;
	build_query(&q, db);
	rc = msg_sql_run(a, &q, db, src, "ZWACHATSESSION", emit_chat, err);
out:
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_whatsapp_chats = {
    .name = "whatsapp_chats",
    .title = "WhatsApp chats",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
