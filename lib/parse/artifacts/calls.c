/* calls: the phone and FaceTime call log. iOS 8 and later keep it in
 * CallHistory.storedata (Core Data, table ZCALLRECORD, Cocoa dates); older
 * iOS in call_history.db (table call, Unix dates, a flags word). */
#include "artifact.h"

static const struct ifk_art_source sources[] = {
    {"HomeDomain", "Library/CallHistoryDB/CallHistory.storedata"},
    {"WirelessDomain", "Library/CallHistory/call_history.db"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"call_rowid", IFK_COL_INT},
    {"address", IFK_COL_TEXT},
    {"name", IFK_COL_TEXT},
    {"participants", IFK_COL_TEXT},
    {"date", IFK_COL_TIME},
    {"duration", IFK_COL_REAL},
    {"direction", IFK_COL_TEXT},
    {"answered", IFK_COL_BOOL},
    {"call_type", IFK_COL_TEXT},
    {"service_provider", IFK_COL_TEXT},
    {"location", IFK_COL_TEXT},
    {"iso_country_code", IFK_COL_TEXT},
    {"unique_id", IFK_COL_TEXT},
    {"legacy_flags", IFK_COL_INT},
    {NULL, 0},
};

/* What the summary needs of one call. */
struct call {
	int outgoing, answered; /* -1 unknown */
	const char *type;       /* "phone call", "FaceTime video call", ... or NULL */
	const char *who;
	int has_duration;
	double duration;
};

/* "outgoing phone call to +15555550101, 125 s", "missed phone call from
 * +15555550103" */
static void summary(char *out, size_t cap, const struct call *c)
{
	char who[100], dur[40] = "", *d = dur;

	ifk_art_snippet(who, sizeof(who), c->who ? c->who : "unknown");
	if (c->has_duration) {
		dur[0] = ',';
		dur[1] = ' ';
		ifk_art_duration(dur + 2, sizeof(dur) - 2, c->duration);
	}
	if (c->outgoing == 0 && c->answered == 0)
		snprintf(out, cap, "missed %s from %s", c->type ? c->type : "call", who);
	else if (c->outgoing == 1 && c->answered == 0)
		snprintf(out, cap, "outgoing %s to %s, not answered", c->type ? c->type : "call",
		         who);
	else
		snprintf(out, cap, "%s %s %s %s%s",
		         c->outgoing == 1   ? "outgoing"
		         : c->outgoing == 0 ? "incoming"
		                            : "",
		         c->type ? c->type : "call", c->outgoing == 1 ? "to" : "from", who,
		         c->has_duration ? d : "");
	if (out[0] == ' ')
		memmove(out, out + 1, strlen(out));
}

/* ZCALLTYPE: sets call_type and returns the summary's words. */
static const char *set_type(struct ifk_art *a, sqlite3_stmt *st, int i)
{
	char num[32];
	double v;

	if (!ifk_art_num(st, i, &v))
		return NULL;
	if (v == 1) {
		ifk_row_text(a, "call_type", "phone");
		return "phone call";
	}
	if (v == 8) {
		ifk_row_text(a, "call_type", "facetime-video");
		return "FaceTime video call";
	}
	if (v == 16) {
		ifk_row_text(a, "call_type", "facetime-audio");
		return "FaceTime audio call";
	}
	snprintf(num, sizeof(num), "%.15g", v);
	ifk_row_text(a, "call_type", num);
	return NULL;
}

static void set_direction(struct ifk_art *a, int outgoing)
{
	if (outgoing >= 0)
		ifk_row_text(a, "direction", outgoing ? "outgoing" : "incoming");
}

/* ---- group calls: Z_<n>REMOTEPARTICIPANTHANDLES joins calls to ZHANDLE;
 * its name and column names carry Core Data entity numbers ---- */

static int ident_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 60)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* The first name matching like (from sql with one parameter), checked to be
 * a plain identifier, into out; 0 when found. A schema that cannot be read
 * is not found: the call query that follows then fails with SQLite's error. */
static int find_name(sqlite3 *db, const char *sql, const char *param, const char *like,
                     char out[64])
{
	sqlite3_stmt *st = NULL;
	int found = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, like, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && ident_ok((const char *)sqlite3_column_text(st, 0))) {
		snprintf(out, 64, "%s", (const char *)sqlite3_column_text(st, 0));
		found = 0;
	}
	sqlite3_finalize(st);
	return found;
}

/* Writes the join of the participants' handles, when the file has it. */
static int participants_join(sqlite3 *db, const char *alias, struct ifk_buf *q)
{
	static const char tables[] = "SELECT name FROM sqlite_master WHERE type = 'table' AND"
	                             " ?1 IS NOT NULL AND name LIKE ?2 ESCAPE '!' ORDER BY name";
	static const char columns[] = "SELECT name FROM pragma_table_info(?1) WHERE name LIKE ?2"
	                              " ESCAPE '!' ORDER BY cid";
	char t[64], calls[64], handles[64];

	if (find_name(db, tables, "", "Z!_%REMOTEPARTICIPANTHANDLES", t) ||
	    find_name(db, columns, t, "Z!_%REMOTEPARTICIPANTCALLS", calls) ||
	    find_name(db, columns, t, "Z!_%REMOTEPARTICIPANTHANDLES", handles))
		return 0;
	if (ifk_buf_printf(q,
	                   " LEFT JOIN (SELECT x.c AS cid,"
	                   " group_concat(x.v, ',') AS ids FROM (SELECT p.%s AS c, hd.ZVALUE AS v"
	                   " FROM %s p JOIN ZHANDLE hd ON hd.Z_PK = p.%s ORDER BY p.%s, hd.Z_PK) x"
	                   " GROUP BY x.c) pp ON pp.cid = r.Z_PK",
	                   calls, t, handles, calls) != 0)
		return IFK_ENOMEM;
	return 1;
}

/* ---- CallHistory.storedata (iOS 8 and later) ---- */

enum { C_PK, C_ADDRESS, C_DURATION = 4, C_ORIGINATED, C_ANSWERED, C_TYPE, C_PARTICIPANTS = 12 };

static const struct ifk_art_field fields[] = {
    [C_PK] = {"call_rowid", ifk_row_col_id, "r.Z_PK", NULL},
    [C_ADDRESS] = {"address", ifk_row_col_str, "r.ZADDRESS", NULL},
    {"name", ifk_row_col_str, "r.ZNAME", NULL},
    {"date", ifk_row_col_cocoa, "r.ZDATE", NULL},
    [C_DURATION] = {"duration", ifk_row_col_real, "r.ZDURATION", NULL},
    [C_ORIGINATED] = {NULL, NULL, "r.ZORIGINATED", NULL},
    [C_ANSWERED] = {"answered", ifk_row_col_flag, "r.ZANSWERED", NULL},
    [C_TYPE] = {NULL, NULL, "r.ZCALLTYPE", NULL},
    {"service_provider", ifk_row_col_str, "r.ZSERVICE_PROVIDER", NULL},
    {"location", ifk_row_col_str, "r.ZLOCATION", NULL},
    {"iso_country_code", ifk_row_col_str, "r.ZISO_COUNTRY_CODE", NULL},
    {"unique_id", ifk_row_col_str, "r.ZUNIQUE_ID", NULL},
    [C_PARTICIPANTS] = {"participants", ifk_row_col_str, "pp.ids", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"pp", NULL, "ZHANDLE.ZVALUE", NULL},
    {NULL, NULL, NULL, NULL},
};

static int call(struct ifk_art_row *r, struct ifk_error *err)
{
	char *addr = ifk_art_str(r->st, C_ADDRESS, SIZE_MAX);
	char *parts = ifk_art_str(r->st, C_PARTICIPANTS, SIZE_MAX);
	struct call c = {
	    ifk_art_flag(r->st, C_ORIGINATED), ifk_art_flag(r->st, C_ANSWERED), NULL, addr, 0, 0};

	if (!c.who || !*c.who)
		c.who = parts;
	c.has_duration = ifk_art_num(r->st, C_DURATION, &c.duration);
	set_direction(r->a, c.outgoing);
	c.type = set_type(r->a, r->st, C_TYPE);
	summary(r->line, sizeof(r->line), &c);
	free(addr);
	free(parts);
	return 0;
}

/* ---- call_history.db (iOS 7 and older) ---- */

enum { L_ROWID, L_ADDRESS, L_DURATION = 4, L_FLAGS };

static const struct ifk_art_field legacy_fields[] = {
    [L_ROWID] = {"call_rowid", ifk_row_col_id, "c.ROWID", ""},
    [L_ADDRESS] = {"address", ifk_row_col_str, "c.address", NULL},
    {"name", ifk_row_col_str, "c.name", NULL},
    {"date", ifk_row_col_unix, "c.date", NULL},
    [L_DURATION] = {"duration", ifk_row_col_real, "c.duration", NULL},
    [L_FLAGS] = {NULL, NULL, "c.flags", NULL},
    {NULL, NULL, NULL, NULL},
};

/* flags: 4 incoming, 5 outgoing phone calls */
static int legacy_call(struct ifk_art_row *r, struct ifk_error *err)
{
	char *addr = ifk_art_str(r->st, L_ADDRESS, SIZE_MAX);
	struct call c = {-1, -1, NULL, addr, 0, 0};

	c.has_duration = ifk_art_num(r->st, L_DURATION, &c.duration);
	if (sqlite3_column_type(r->st, L_FLAGS) == SQLITE_INTEGER) {
		int64_t f = sqlite3_column_int64(r->st, L_FLAGS);
		ifk_row_int(r->a, "legacy_flags", f);
		c.outgoing = (int)(f & 1);
		if (f == 4 || f == 5) {
			ifk_row_text(r->a, "call_type", "phone");
			c.type = "phone call";
		}
	}
	set_direction(r->a, c.outgoing);
	summary(r->line, sizeof(r->line), &c);
	free(addr);
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "ZCALLRECORD",
     .alias = "r",
     .require = "ZCALLRECORD:Z_PK,ZDATE",
     .fields = fields,
     .from = from,
     .join = participants_join,
     .row = call},
    {0},
};

static const struct ifk_art_table legacy_tables[] = {
    {.table = "call",
     .alias = "c",
     .require = "call:address,date",
     .fields = legacy_fields,
     .row = legacy_call},
    {0},
};

/* Both databases when both are there; absent only when neither is. */
static const struct ifk_art_read reads[] = {
    {.source = 0, .tables = tables},
    {.source = 1, .tables = legacy_tables},
    {0},
};

static const struct ifk_art_event events[] = {
    {"date", "call", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.reads = reads, .events = events};

IFK_ARTIFACT(calls, "Phone and FaceTime call history", "1", sources, cols, desc);
