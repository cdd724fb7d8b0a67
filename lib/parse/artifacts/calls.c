/* calls: the phone and FaceTime call log. iOS 8 and later keep it in
 * CallHistory.storedata (Core Data, table ZCALLRECORD, Cocoa dates); older
 * iOS in call_history.db (table call, Unix dates, a flags word). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* the modern SELECT's column positions */
enum {
	C_PK,
	C_ADDRESS,
	C_NAME,
	C_DATE,
	C_DURATION,
	C_ORIGINATED,
	C_ANSWERED,
	C_TYPE,
	C_PROVIDER,
	C_LOCATION,
	C_COUNTRY,
	C_UNIQUE,
	C_PARTICIPANTS,
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

	msg_snippet(who, sizeof(who), c->who ? c->who : "unknown");
	if (c->has_duration) {
		dur[0] = ',';
		dur[1] = ' ';
		msg_duration(dur + 2, sizeof(dur) - 2, c->duration);
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

	if (!msg_num(st, i, &v))
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

static int emit_record(struct ifk_art *a, struct ifk_src *src, const char *table, sqlite3_stmt *st,
                       struct ifk_error *err)
{
	char *addr = msg_col_str(st, C_ADDRESS, SIZE_MAX), *parts, line[300];
	struct call c = {msg_flag(st, C_ORIGINATED), msg_flag(st, C_ANSWERED), NULL, addr, 0, 0};

	parts = msg_col_str(st, C_PARTICIPANTS, SIZE_MAX);
	if (!c.who || !*c.who)
		c.who = parts;
	ifk_row_int(a, "call_rowid", sqlite3_column_int64(st, C_PK));
	ifk_row_text(a, "address", addr);
	msg_row_str(a, "name", st, C_NAME);
	ifk_row_text(a, "participants", parts);
	ifk_row_col_cocoa(a, "date", st, C_DATE);
	c.has_duration = msg_num(st, C_DURATION, &c.duration);
	if (c.has_duration)
		ifk_row_real(a, "duration", c.duration);
	set_direction(a, c.outgoing);
	msg_row_flag(a, "answered", st, C_ANSWERED);
	c.type = set_type(a, st, C_TYPE);
	msg_row_str(a, "service_provider", st, C_PROVIDER);
	msg_row_str(a, "location", st, C_LOCATION);
	msg_row_str(a, "iso_country_code", st, C_COUNTRY);
	msg_row_str(a, "unique_id", st, C_UNIQUE);
	summary(line, sizeof(line), &c);
	ifk_row_event(a, "date", "call", line);
	free(addr);
	free(parts);
	return ifk_row_emit(a, src, table, sqlite3_column_int64(st, C_PK), err);
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

static void participants_join(struct msg_sql *q, sqlite3 *db)
{
	static const char tables[] = "SELECT name FROM sqlite_master WHERE type = 'table' AND"
	                             " ?1 IS NOT NULL AND name LIKE ?2 ESCAPE '!' ORDER BY name";
	static const char columns[] = "SELECT name FROM pragma_table_info(?1) WHERE name LIKE ?2"
	                              " ESCAPE '!' ORDER BY cid";
	char t[64], calls[64], handles[64];

	if (!ifk_db_has_column(db, "ZHANDLE", "ZVALUE") ||
	    find_name(db, tables, "", "Z!_%REMOTEPARTICIPANTHANDLES", t) ||
	    find_name(db, columns, t, "Z!_%REMOTEPARTICIPANTCALLS", calls) ||
	    find_name(db, columns, t, "Z!_%REMOTEPARTICIPANTHANDLES", handles)) {
		msg_sql_add(q, ", NULL FROM ZCALLRECORD r");
		return;
	}
	msg_sql_add(q,
	            ", pp.ids FROM ZCALLRECORD r LEFT JOIN (SELECT x.c AS cid,"
	            " group_concat(x.v, ',') AS ids FROM (SELECT p.%s AS c, hd.ZVALUE AS v"
	            " FROM %s p JOIN ZHANDLE hd ON hd.Z_PK = p.%s ORDER BY p.%s, hd.Z_PK) x"
	            " GROUP BY x.c) pp ON pp.cid = r.Z_PK",
	            calls, t, handles, calls);
}

static int parse_storedata(struct ifk_art *a, struct ifk_error *err)
{
	static const char *const rcols[] = {"ZADDRESS",    "ZNAME",
	                                    "ZDATE",       "ZDURATION",
	                                    "ZORIGINATED", "ZANSWERED",
	                                    "ZCALLTYPE",   "ZSERVICE_PROVIDER",
	                                    "ZLOCATION",   "ZISO_COUNTRY_CODE",
	                                    "ZUNIQUE_ID"};
	struct msg_sql q = {.len = 0};
	struct ifk_src *src;
	sqlite3 *db = NULL;
	int rc;
	size_t i;

	rc = ifk_art_sqlite(a, sources[0].domain, sources[0].path, &src, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, src, db, "ZCALLRECORD", "Z_PK,ZDATE", err);
	if (rc)
		goto out;
	msg_sql_add(&q, "SELECT r.Z_PK");
	for (i = 0; i < sizeof(rcols) / sizeof(rcols[0]); i++)
		msg_sql_col(&q, db, "ZCALLRECORD", "r", rcols[i]);
	participants_join(&q, db);
	msg_sql_add(&q, " ORDER BY r.Z_PK");
	rc = msg_sql_run(a, &q, db, src, "ZCALLRECORD", emit_record, err);
out:
	sqlite3_close(db);
	return rc;
}

/* ---- call_history.db (iOS 7 and older) ---- */

enum { L_ROWID, L_ADDRESS, L_NAME, L_DATE, L_DURATION, L_FLAGS };

static int emit_legacy(struct ifk_art *a, struct ifk_src *src, const char *table, sqlite3_stmt *st,
                       struct ifk_error *err)
{
	char *addr = msg_col_str(st, L_ADDRESS, SIZE_MAX), line[300];
	struct call c = {-1, -1, NULL, addr, 0, 0};
	double v;

	ifk_row_int(a, "call_rowid", sqlite3_column_int64(st, L_ROWID));
	ifk_row_text(a, "address", addr);
	msg_row_str(a, "name", st, L_NAME);
	if (msg_num(st, L_DATE, &v) && v != 0)
		ifk_row_time(a, "date", v);
	c.has_duration = msg_num(st, L_DURATION, &c.duration);
	if (c.has_duration)
		ifk_row_real(a, "duration", c.duration);
	if (sqlite3_column_type(st, L_FLAGS) == SQLITE_INTEGER) {
		int64_t f = sqlite3_column_int64(st, L_FLAGS);
		ifk_row_int(a, "legacy_flags", f);
		c.outgoing = (int)(f & 1); /* 4 incoming, 5 outgoing */
		if (f == 4 || f == 5) {
			ifk_row_text(a, "call_type", "phone");
			c.type = "phone call";
		}
	}
	set_direction(a, c.outgoing);
	summary(line, sizeof(line), &c);
	ifk_row_event(a, "date", "call", line);
	free(addr);
	return ifk_row_emit(a, src, table, sqlite3_column_int64(st, L_ROWID), err);
}

static int parse_legacy(struct ifk_art *a, struct ifk_error *err)
{
	struct msg_sql q = {.len = 0};
	struct ifk_src *src;
	sqlite3 *db = NULL;
	int rc;

	rc = ifk_art_sqlite(a, sources[1].domain, sources[1].path, &src, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, src, db, "call", "address,date", err);
	if (rc)
		goto out;
	msg_sql_add(&q, "SELECT c.ROWID, c.address");
	msg_sql_col(&q, db, "call", "c", "name");
	msg_sql_add(&q, ", c.date");
	msg_sql_col(&q, db, "call", "c", "duration");
	msg_sql_col(&q, db, "call", "c", "flags");
	msg_sql_add(&q, " FROM call c ORDER BY c.ROWID");
	rc = msg_sql_run(a, &q, db, src, "call", emit_legacy, err);
out:
	sqlite3_close(db);
	return rc;
}

/* Both databases when both are there; absent only when neither is. */
static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_error e2 = {0};
	int rc = parse_storedata(a, err), rc2;

	if (rc && rc != IFK_ENOTFOUND)
		return rc;
	rc2 = parse_legacy(a, &e2);
	if (rc2 == IFK_ENOTFOUND)
		return rc;
	if (rc2 && err)
		*err = e2;
	return rc2;
}

const struct ifk_artifact ifk_art_calls = {
    .name = "calls",
    .title = "Phone and FaceTime call history",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
