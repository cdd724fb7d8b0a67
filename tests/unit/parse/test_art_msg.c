/* The messaging artifacts: sms_messages, sms_attachments, calls,
 * whatsapp_chats and whatsapp_messages, run one at a time through the
 * artifact runner over real fixture databases, the sample generator's
 * backup, and hostile databases built here. Results are read back from
 * artifacts.sqlite, the jsonl files and the status JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "artifact.h"
#include "parse_int.h"
#include "testutil.h"

#define SMS_DB "Library/SMS/sms.db"
#define CALLS_DB "Library/CallHistoryDB/CallHistory.storedata"
#define WA_DOMAIN "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"

struct file {
	const char *domain, *rel, *path;
};

struct run {
	char *dir;      /* private temporary folder: inputs and out/ */
	char out[1024]; /* the runner's output folder */
	json_t *status; /* the artifact's parse.json entry */
	sqlite3 *db;    /* out/artifacts.sqlite */
};

/* ---- helpers ---- */

static char *fixture(const char *rel)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/appdb/%s", tu_fixtures(), rel) > 0);
	return p;
}

static void run_files(struct run *r, const char *name, const struct file *f, size_t n)
{
	const struct ifk_artifact *art = ifk_artifact_find(name);
	struct ifk_parse_ctx *c = NULL;
	struct ifk_error err = {0};
	char path[1100];
	size_t i;

	assert_non_null(art);
	snprintf(r->out, sizeof(r->out), "%s/out", r->dir);
	assert_int_equal(mkdir(r->out, 0700), 0);
	assert_int_equal(ifk_parse_ctx_new(r->out, &c, &err), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(ifk_parse_ctx_add_file(c, f[i].domain, f[i].rel, f[i].path, &err),
		                 0);
	assert_int_equal(ifk_parse_ctx_run(c, art, &r->status, &err), 0);
	assert_non_null(r->status);
	assert_int_equal(ifk_parse_ctx_finish(c, &err), 0);
	ifk_parse_ctx_free(c);
	snprintf(path, sizeof(path), "%s/artifacts.sqlite", r->out);
	assert_int_equal(sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
}

static void run_one(struct run *r, const char *name, const char *domain, const char *rel,
                    const char *path)
{
	struct file f = {domain, rel, path};

	run_files(r, name, &f, path ? 1 : 0);
}

static void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->dir = tu_mkdtemp();
	assert_non_null(r->dir);
}

static void run_free(struct run *r)
{
	sqlite3_close(r->db);
	json_decref(r->status);
	tu_rmtree(r->dir);
	free(r->dir);
	memset(r, 0, sizeof(*r));
}

static const char *status_of(const struct run *r)
{
	return json_string_value(json_object_get(r->status, "status"));
}

static json_int_t rows_of(const struct run *r)
{
	return json_integer_value(json_object_get(r->status, "rows"));
}

static const char *reason_of(const struct run *r)
{
	const char *s = json_string_value(json_object_get(r->status, "reason"));
	return s ? s : "";
}

static json_t *first_source(const struct run *r)
{
	return json_array_get(json_object_get(r->status, "sources"), 0);
}

/* The first column of the first row of a query, as text (static buffer;
 * NULL for SQL NULL or no row). */
static const char *q_vtext(const struct run *r, const char *fmt, va_list ap, char **sql_out)
{
	static char buf[1 << 16];
	sqlite3_stmt *st = NULL;
	const char *v = NULL;
	char *sql = sqlite3_vmprintf(fmt, ap);

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(r->db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		snprintf(buf, sizeof(buf), "%s", (const char *)sqlite3_column_text(st, 0));
		v = buf;
	}
	sqlite3_finalize(st);
	*sql_out = sql;
	return v;
}

/* Fails unless the query's first value is want (NULL: SQL NULL). */
static void expect_text(const struct run *r, const char *want, const char *fmt, ...)
{
	const char *got;
	char *sql = NULL;
	va_list ap;

	va_start(ap, fmt);
	got = q_vtext(r, fmt, ap, &sql);
	va_end(ap);
	if (!want ? got != NULL : !got || strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got ? got : "(null)",
		         want ? want : "(null)");
	sqlite3_free(sql);
}

static long long q_int(const struct run *r, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	long long v = -999;
	char *sql;
	va_list ap;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(r->db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return v;
}

static void sha256_file(const char *path, char hex[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t len = 0, i;
	uint8_t *buf = tu_read_file(path, &len);

	assert_non_null(buf);
	SHA256(buf, len, md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	free(buf);
}

/* Runs SQL on a new database at dir/name and returns its path (caller frees). */
static char *make_db(const char *dir, const char *name, const char *sql)
{
	sqlite3 *db = NULL;
	char *path = NULL, *msg = NULL;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", name, msg);
	sqlite3_close(db);
	return path;
}

/* Inserts one row into a database with a blob parameter ?1. */
static void db_blob(const char *path, const char *sql, const void *blob, int len)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, blob, len, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- the sample generator ---- */

/* The generator's backup of the default options in dir/gen; where one
 * file (domain, rel) is stored in the modern layout. */
static void gen_backup(const char *dir)
{
	const char *b = getenv("IFK_BUILD_DIR");
	char cmd[2048];

	assert_non_null(b);
	snprintf(cmd, sizeof(cmd), "'%s/tests/ifk-genbackup' --out '%s/gen' >/dev/null", b, dir);
	assert_int_equal(system(cmd), 0);
}

static char *gen_file(const char *dir, const char *domain, const char *rel)
{
	unsigned char md[SHA_DIGEST_LENGTH];
	char id[41], *s = NULL, *path = NULL;
	size_t i;

	assert_true(asprintf(&s, "%s-%s", domain, rel) > 0);
	SHA1((const unsigned char *)s, strlen(s), md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(id + 2 * i, 3, "%02x", md[i]);
	assert_true(asprintf(&path, "%s/gen/%.2s/%s", dir, id, id) > 0);
	free(s);
	assert_int_equal(access(path, R_OK), 0);
	return path;
}

/* ================= sms_messages ================= */

static void sms_fixture(void **state)
{
	char *db = fixture("ios18-schemas/messages.1.sms.db"), sha[65];
	struct run r;

	(void)state;
	run_init(&r);
	run_one(&r, "sms_messages", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 10);
	assert_int_equal(q_int(&r, "SELECT count(*) FROM sms_messages"), 10);
	/* message 1: plain text, sent, nanosecond date */
	expect_text(&r, "Hello from the fixture",
	            "SELECT text FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "text", "SELECT text_source FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "sent", "SELECT direction FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "2023-03-08T20:26:41Z",
	            "SELECT date FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "fx-msg-0001", "SELECT guid FROM sms_messages WHERE message_rowid=1");
	/* message 2: text only in attributedBody (one-byte length) */
	expect_text(&r, "Reply via attributedBody",
	            "SELECT text FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "attributedBody",
	            "SELECT text_source FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "received", "SELECT direction FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "+15550001", "SELECT handle FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "2023-03-08T20:26:42.500Z",
	            "SELECT date_read FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "2023-03-08T20:26:42.200Z",
	            "SELECT date_delivered FROM sms_messages WHERE message_rowid=2");
	/* message 3: a 224-byte text with a 0x81 (int16) length */
	assert_int_equal(q_int(&r, "SELECT length(text) FROM sms_messages WHERE message_rowid=3"),
	                 224);
	expect_text(&r, "The quick brown fox jumped. ",
	            "SELECT substr(text, 1, 28) FROM sms_messages WHERE message_rowid=3");
	/* message 4: emoji in attributedBody, group chat with two participants */
	expect_text(&r, "Hi \xf0\x9f\x91\x8b group \xf0\x9f\x8c\x8d",
	            "SELECT text FROM sms_messages WHERE message_rowid=4");
	expect_text(&r, "SMS", "SELECT service FROM sms_messages WHERE message_rowid=4");
	expect_text(&r, "Fixture Group",
	            "SELECT chat_display_name FROM sms_messages WHERE message_rowid=4");
	expect_text(&r, "chat-group-1",
	            "SELECT chat_identifier FROM sms_messages WHERE message_rowid=4");
	expect_text(&r, "+15550001,+15550002",
	            "SELECT chat_participants FROM sms_messages WHERE message_rowid=4");
	assert_int_equal(q_int(&r, "SELECT chat_rowid FROM sms_messages WHERE message_rowid=4"), 2);
	/* message 5: attachment placeholder; 8: handle 999 does not exist */
	assert_int_equal(
	    q_int(&r, "SELECT attachment_count FROM sms_messages WHERE message_rowid=5"), 1);
	assert_int_equal(
	    q_int(&r, "SELECT attachment_count FROM sms_messages WHERE message_rowid=1"), 0);
	expect_text(&r, NULL, "SELECT handle FROM sms_messages WHERE message_rowid=8");
	assert_int_equal(q_int(&r, "SELECT handle_rowid FROM sms_messages WHERE message_rowid=8"),
	                 999);
	/* message 2 was edited; 7 is a reaction to 2; 3 replies in the thread of 1 */
	expect_text(&r, "2023-03-08T20:26:42.800Z",
	            "SELECT date_edited FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "2023-03-08T20:26:42.800Z",
	            "SELECT time FROM timeline WHERE event='edited' AND source_rowid=2");
	assert_int_equal(
	    q_int(&r, "SELECT associated_message_type FROM sms_messages WHERE message_rowid=7"),
	    2000);
	expect_text(&r, "fx-msg-0002",
	            "SELECT associated_message_guid FROM sms_messages WHERE message_rowid=7");
	expect_text(&r, "fx-msg-0001",
	            "SELECT thread_originator_guid FROM sms_messages WHERE message_rowid=3");
	expect_text(&r, NULL,
	            "SELECT date_retracted FROM sms_messages WHERE date_retracted IS NOT NULL");
	/* message 9: a truncated attributedBody: no text, no crash */
	expect_text(&r, NULL, "SELECT text FROM sms_messages WHERE message_rowid=9");
	expect_text(&r, NULL, "SELECT text_source FROM sms_messages WHERE message_rowid=9");
	/* the fixture has no is_delivered column */
	expect_text(&r, NULL, "SELECT is_delivered FROM sms_messages WHERE message_rowid=2");
	/* provenance */
	sha256_file(db, sha);
	expect_text(&r, "HomeDomain", "SELECT domain FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, SMS_DB, "SELECT relative_path FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "message", "SELECT source_table FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, sha, "SELECT source_sha256 FROM sms_messages WHERE message_rowid=2");
	assert_int_equal(q_int(&r, "SELECT source_rowid FROM sms_messages WHERE message_rowid=2"),
	                 2);
	assert_string_equal(json_string_value(json_object_get(first_source(&r), "sha256")), sha);
	assert_string_equal(json_string_value(json_object_get(first_source(&r), "domain")),
	                    "HomeDomain");
	/* timeline: received at date, read at date_read */
	expect_text(&r, "2023-03-08T20:26:42.500Z",
	            "SELECT time FROM timeline WHERE artifact='sms_messages' AND event='read'"
	            " AND source_rowid=2");
	expect_text(&r, "iMessage from +15550001: Reply via attributedBody",
	            "SELECT summary FROM timeline WHERE artifact='sms_messages'"
	            " AND event='received' AND source_rowid=2");
	run_free(&r);
	free(db);
}

static void sms_generator(void **state)
{
	struct run r;
	char *db, line[4096];
	FILE *f;
	json_t *j;
	int n = 0;

	(void)state;
	run_init(&r);
	gen_backup(r.dir);
	db = gen_file(r.dir, "HomeDomain", SMS_DB);
	run_one(&r, "sms_messages", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 12);
	expect_text(&r, "Reminder: dentist appointment tomorrow at 9:00",
	            "SELECT text FROM sms_messages WHERE message_rowid=7");
	expect_text(&r, "attributedBody",
	            "SELECT text_source FROM sms_messages WHERE message_rowid=7");
	expect_text(&r,
	            "Caf\xc3\xa9 \xf0\x9f\x9a\x80 \xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
	            "SELECT text FROM sms_messages WHERE message_rowid=3");
	expect_text(&r, "2023-06-12T11:00:00Z",
	            "SELECT date FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "2023-06-12T11:01:00Z",
	            "SELECT date_read FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "2023-06-12T12:00:02Z",
	            "SELECT date_delivered FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "SMS", "SELECT service FROM sms_messages WHERE message_rowid=6");
	expect_text(&r, "+15555550102", "SELECT handle FROM sms_messages WHERE message_rowid=6");
	expect_text(&r, "Weekend Trip",
	            "SELECT chat_display_name FROM sms_messages WHERE message_rowid=9");
	expect_text(&r, "alice@example.com,+447700900123",
	            "SELECT chat_participants FROM sms_messages WHERE message_rowid=9");
	/* message 11: sent into the group, no handle, one attachment */
	expect_text(&r, "sent", "SELECT direction FROM sms_messages WHERE message_rowid=11");
	expect_text(&r, NULL, "SELECT handle FROM sms_messages WHERE message_rowid=11");
	assert_int_equal(
	    q_int(&r, "SELECT attachment_count FROM sms_messages WHERE message_rowid=11"), 1);
	expect_text(&r, "iMessage to Weekend Trip: \xef\xbf\xbc [attachment]",
	            "SELECT summary FROM timeline WHERE artifact='sms_messages' AND event='sent'"
	            " AND source_rowid=11");
	/* message 12 unread: is_read false, no read event */
	assert_int_equal(q_int(&r, "SELECT is_read FROM sms_messages WHERE message_rowid=12"), 0);
	expect_text(&r, NULL, "SELECT date_read FROM sms_messages WHERE message_rowid=12");
	assert_int_equal(q_int(&r, "SELECT count(*) FROM timeline WHERE artifact='sms_messages'"
	                           " AND event='read'"),
	                 7);
	assert_int_equal(q_int(&r, "SELECT count(*) FROM timeline WHERE event='sent'"), 4);
	assert_int_equal(q_int(&r, "SELECT count(*) FROM timeline WHERE event='received'"), 8);
	/* the jsonl: 12 lines; message 12's is_read is JSON false */
	snprintf(line, sizeof(line), "%s/sms_messages.jsonl", r.out);
	f = fopen(line, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		j = json_loads(line, 0, NULL);
		assert_non_null(j);
		if (json_integer_value(json_object_get(j, "message_rowid")) == 12)
			assert_true(json_is_false(json_object_get(j, "is_read")));
		json_decref(j);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 12);
	free(db);
	run_free(&r);
}

/* An older sms.db (iOS 6-10): dates in seconds, no attributedBody, no
 * date_delivered or display_name, no chat_handle_join. */
static void sms_old_schema(void **state)
{
	struct run r;
	char *db;

	(void)state;
	run_init(&r);
	db =
	    make_db(r.dir, "sms.db",
	            "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT, service TEXT);"
	            "CREATE TABLE chat (ROWID INTEGER PRIMARY KEY, guid TEXT, chat_identifier TEXT,"
	            " service_name TEXT);"
	            "CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER);"
	            "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT,"
	            " handle_id INTEGER, service TEXT, date INTEGER, date_read INTEGER,"
	            " is_from_me INTEGER, is_read INTEGER);"
	            "INSERT INTO handle VALUES (1, '+15551112222', 'SMS');"
	            "INSERT INTO chat VALUES (1, 'SMS;-;+15551112222', '+15551112222', 'SMS');"
	            "INSERT INTO chat_message_join VALUES (1, 1), (1, 2);"
	            "INSERT INTO message VALUES (1, 'g1', 'old hello', 1, 'SMS', 400000000,"
	            " 400000060, 0, 1), (2, 'g2', 'old reply', 1, 'SMS', 400000100, 0, 1, 0);");
	run_one(&r, "sms_messages", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 2);
	expect_text(&r, "2013-09-04T15:06:40Z",
	            "SELECT date FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "2013-09-04T15:07:40Z",
	            "SELECT date_read FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "+15551112222",
	            "SELECT chat_identifier FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, NULL, "SELECT chat_participants FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, NULL, "SELECT attachment_count FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "sent", "SELECT direction FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, NULL, "SELECT date_read FROM sms_messages WHERE message_rowid=2");
	free(db);
	run_free(&r);
}

static void sms_absent_and_schema(void **state)
{
	struct run r;
	char *db;

	(void)state;
	run_init(&r);
	run_one(&r, "sms_messages", NULL, NULL, NULL);
	assert_string_equal(status_of(&r), "absent");
	assert_int_equal(rows_of(&r), 0);
	run_free(&r);

	/* no message table */
	run_init(&r);
	db = make_db(r.dir, "sms.db", "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT);");
	run_one(&r, "sms_messages", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "unsupported-schema");
	assert_non_null(strstr(reason_of(&r), "message"));
	free(db);
	run_free(&r);

	/* the iOS 5 layout: no is_from_me */
	run_init(&r);
	db = make_db(r.dir, "sms.db",
	             "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, address TEXT, date INTEGER,"
	             " text TEXT, flags INTEGER);"
	             "INSERT INTO message VALUES (1, '+1555', 1300000000, 'hi', 2);");
	run_one(&r, "sms_messages", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "unsupported-schema");
	assert_non_null(strstr(reason_of(&r), "is_from_me"));
	free(db);
	run_free(&r);

	/* neither text nor attributedBody */
	run_init(&r);
	db = make_db(r.dir, "sms.db",
	             "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, date INTEGER,"
	             " is_from_me INTEGER);");
	run_one(&r, "sms_messages", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "unsupported-schema");
	assert_non_null(strstr(reason_of(&r), "text"));
	free(db);
	run_free(&r);
}

static void corrupt_runs(const char *name, const char *domain, const char *rel,
                         const char *fixture_rel)
{
	static const char garbage[] = "this is not an SQLite database at all, just text\n";
	char *src = fixture(fixture_rel), *path = NULL;
	uint8_t *buf;
	size_t len = 0;
	struct run r;

	/* garbage bytes */
	run_init(&r);
	assert_true(asprintf(&path, "%s/garbage.db", r.dir) > 0);
	assert_int_equal(tu_write_file(path, garbage, sizeof(garbage) - 1), 0);
	run_one(&r, name, domain, rel, path);
	assert_string_equal(status_of(&r), "failed");
	assert_non_null(strstr(reason_of(&r), rel));
	free(path);
	run_free(&r);

	/* the real database cut to its first two pages and a half */
	run_init(&r);
	buf = tu_read_file(src, &len);
	assert_non_null(buf);
	assert_true(asprintf(&path, "%s/truncated.db", r.dir) > 0);
	assert_int_equal(tu_write_file(path, buf, len > 10240 ? 10240 : len / 2), 0);
	run_one(&r, name, domain, rel, path);
	if (strcmp(status_of(&r), "failed") != 0)
		fail_msg("%s truncated: status %s (%s)", name, status_of(&r), reason_of(&r));
	free(buf);
	free(path);
	run_free(&r);
	free(src);
}

static void sms_corrupt(void **state)
{
	(void)state;
	corrupt_runs("sms_messages", "HomeDomain", SMS_DB, "ios18-schemas/messages.1.sms.db");
	corrupt_runs("sms_attachments", "HomeDomain", SMS_DB, "ios18-schemas/messages.1.sms.db");
	corrupt_runs("calls", "HomeDomain", CALLS_DB,
	             "ios18-schemas/calls.1.CallHistory.storedata");
	corrupt_runs("whatsapp_messages", WA_DOMAIN, "ChatStorage.sqlite",
	             "josh-ios15/whatsapp/ChatStorage.sqlite");
	corrupt_runs("whatsapp_chats", WA_DOMAIN, "ChatStorage.sqlite",
	             "josh-ios15/whatsapp/ChatStorage.sqlite");
}

/* A typedstream head up to the NSString's "+" (as the generator writes). */
static const char ts_head[] = "\x04\x0bstreamtyped\x81\xe8\x03\x84\x01\x40\x84\x84\x84\x12"
                              "NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84"
                              "\x84\x08NSString\x01\x94\x84\x01\x2b";
#define TS_HEAD_LEN (sizeof(ts_head) - 1)

static void put_body(const char *db, int rowid, const uint8_t *b, size_t n)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
	         "INSERT INTO message (ROWID, guid, date, is_from_me, attributedBody)"
	         " VALUES (%d, 'h%d', 700000000000000000, 0, ?1)",
	         rowid, rowid);
	db_blob(db, sql, b, (int)n);
}

static void sms_hostile(void **state)
{
	static const uint8_t bad_utf8[] = {'o', 'k', 0xff, 0xfe, 'x', 0};
	size_t big = 70000, huge = 5u << 20;
	uint8_t *b = malloc(huge + 64);
	struct run r;
	char *db;

	(void)state;
	assert_non_null(b);
	run_init(&r);
	db = make_db(r.dir, "sms.db",
	             "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT);"
	             "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT,"
	             " attributedBody BLOB, handle_id INTEGER, service TEXT, date INTEGER,"
	             " date_read INTEGER, is_from_me INTEGER, is_read INTEGER);"
	             "INSERT INTO handle VALUES (1, NULL);"
	             /* 1: wrong types everywhere */
	             "INSERT INTO message VALUES (1, NULL, NULL, 'not a blob', 'abc', 42,"
	             " 'yesterday', x'00ff', 'x', 'maybe');"
	             /* 2: all NULL */
	             "INSERT INTO message VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
	             " NULL, NULL);"
	             /* 3: negative and huge dates, handle with NULL id */
	             "INSERT INTO message VALUES (3, 'g3', 'neg', NULL, 1, 'SMS', -1,"
	             " 9223372036854775807, 1, 1);"
	             /* 4: a 2 MB text */
	             "INSERT INTO message VALUES (4, 'g4', printf('%.*c', 2000000, 'y'), NULL, 0,"
	             " 'iMessage', 700000000, 0, 0, 0);");
	db_blob(db,
	        "INSERT INTO message (ROWID, guid, text, date, is_from_me) VALUES"
	        " (5, 'g5', ?1, 700000000, 0)",
	        bad_utf8, 5);
	/* 6: the header only */
	put_body(db, 6, (const uint8_t *)ts_head, 13);
	/* 7: 0x81 length past the end */
	memcpy(b, ts_head, TS_HEAD_LEN);
	memcpy(b + TS_HEAD_LEN,
	       "\x81\xff\x7f"
	       "abc",
	       6);
	put_body(db, 7, b, TS_HEAD_LEN + 6);
	/* 8: 0x82 negative length */
	memcpy(b + TS_HEAD_LEN,
	       "\x82\x00\x00\x00\x80"
	       "abc",
	       8);
	put_body(db, 8, b, TS_HEAD_LEN + 8);
	/* 9: a valid 0x82 length of 70000 bytes */
	b[TS_HEAD_LEN] = 0x82;
	b[TS_HEAD_LEN + 1] = (uint8_t)(big & 0xff);
	b[TS_HEAD_LEN + 2] = (uint8_t)((big >> 8) & 0xff);
	b[TS_HEAD_LEN + 3] = (uint8_t)((big >> 16) & 0xff);
	b[TS_HEAD_LEN + 4] = 0;
	memset(b + TS_HEAD_LEN + 5, 'z', big);
	memcpy(b + TS_HEAD_LEN + 5 + big, "\x86\x86", 2);
	put_body(db, 9, b, TS_HEAD_LEN + 5 + big + 2);
	/* 10: a 5 MB blob with the class name at its very end, no "+" */
	memcpy(b, ts_head, 13);
	memset(b + 13, 0x84, huge - 13 - 9);
	memcpy(b + huge - 9, "\x08NSString", 9);
	put_body(db, 10, b, huge);
	/* 11: a valid 0x81 length: 300 bytes */
	memcpy(b, ts_head, TS_HEAD_LEN);
	memcpy(b + TS_HEAD_LEN, "\x81\x2c\x01", 3);
	memset(b + TS_HEAD_LEN + 3, 'q', 300);
	put_body(db, 11, b, TS_HEAD_LEN + 3 + 300);
	/* 12: garbage that is no typedstream */
	put_body(db, 12, (const uint8_t *)"\x08NSString+\x05hello", 16);

	run_one(&r, "sms_messages", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 12);
	expect_text(&r, NULL, "SELECT date FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, NULL, "SELECT direction FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, NULL, "SELECT is_read FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, NULL, "SELECT text FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, NULL, "SELECT handle FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, "42", "SELECT service FROM sms_messages WHERE message_rowid=1");
	expect_text(&r, NULL, "SELECT direction FROM sms_messages WHERE message_rowid=2");
	expect_text(&r, "2000-12-31T23:59:59Z",
	            "SELECT date FROM sms_messages WHERE message_rowid=3");
	expect_text(&r, "2293-04-11T23:47:16.855Z",
	            "SELECT date_read FROM sms_messages WHERE message_rowid=3");
	assert_int_equal(q_int(&r, "SELECT length(text) FROM sms_messages WHERE message_rowid=4"),
	                 2000000);
	expect_text(&r, "ok\\xff\\xfex", "SELECT text FROM sms_messages WHERE message_rowid=5");
	expect_text(&r, NULL, "SELECT text FROM sms_messages WHERE message_rowid=6");
	expect_text(&r, NULL, "SELECT text FROM sms_messages WHERE message_rowid=7");
	expect_text(&r, NULL, "SELECT text FROM sms_messages WHERE message_rowid=8");
	assert_int_equal(q_int(&r, "SELECT length(text) FROM sms_messages WHERE message_rowid=9"),
	                 70000);
	expect_text(&r, "attributedBody",
	            "SELECT text_source FROM sms_messages WHERE message_rowid=9");
	expect_text(&r, NULL, "SELECT text FROM sms_messages WHERE message_rowid=10");
	assert_int_equal(q_int(&r, "SELECT length(text) FROM sms_messages WHERE message_rowid=11"),
	                 300);
	expect_text(&r, NULL, "SELECT text FROM sms_messages WHERE message_rowid=12");
	/* the long text's timeline summary is one short line */
	assert_true(q_int(&r, "SELECT length(summary) FROM timeline WHERE source_rowid=4") < 200);
	free(db);
	free(b);
	run_free(&r);
}

/* ================= sms_attachments ================= */

static void att_fixture(void **state)
{
	char *db = fixture("ios18-schemas/messages.1.sms.db");
	struct run r;

	(void)state;
	run_init(&r);
	run_one(&r, "sms_attachments", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 2);
	expect_text(&r, "~/Library/SMS/Attachments/aa/00/FX-GUID/photo.jpg",
	            "SELECT filename FROM sms_attachments WHERE attachment_rowid=1");
	expect_text(&r, "MediaDomain",
	            "SELECT backup_domain FROM sms_attachments WHERE attachment_rowid=1");
	expect_text(&r, "Library/SMS/Attachments/aa/00/FX-GUID/photo.jpg",
	            "SELECT backup_path FROM sms_attachments WHERE attachment_rowid=1");
	assert_int_equal(
	    q_int(&r, "SELECT file_present FROM sms_attachments WHERE attachment_rowid=1"), 0);
	expect_text(&r, NULL, "SELECT file_sha256 FROM sms_attachments WHERE attachment_rowid=1");
	assert_int_equal(
	    q_int(&r, "SELECT message_rowid FROM sms_attachments WHERE attachment_rowid=1"), 5);
	assert_int_equal(
	    q_int(&r, "SELECT total_bytes FROM sms_attachments WHERE attachment_rowid=1"), 12345);
	expect_text(&r, "image/jpeg",
	            "SELECT mime_type FROM sms_attachments WHERE attachment_rowid=1");
	expect_text(&r, "photo.jpg",
	            "SELECT transfer_name FROM sms_attachments WHERE attachment_rowid=1");
	expect_text(&r, "fx-att-0001", "SELECT guid FROM sms_attachments WHERE attachment_rowid=1");
	/* attachment 2: no filename, nothing to look up */
	expect_text(&r, NULL, "SELECT backup_path FROM sms_attachments WHERE attachment_rowid=2");
	expect_text(&r, NULL, "SELECT file_present FROM sms_attachments WHERE attachment_rowid=2");
	assert_int_equal(
	    q_int(&r, "SELECT message_rowid FROM sms_attachments WHERE attachment_rowid=2"), 6);
	expect_text(&r, "attachment",
	            "SELECT source_table FROM sms_attachments WHERE attachment_rowid=2");
	/* the fixture has no created_date: no timeline event */
	assert_int_equal(q_int(&r, "SELECT count(*) FROM timeline"), 0);
	free(db);
	run_free(&r);
}

static void att_generator(void **state)
{
	static const char dir[] =
	    "Library/SMS/Attachments/ab/01/8F3C2A10-5B7D-4E21-9C6A-1D2E3F40500";
	char rel1[200], rel2[200], sha[65];
	struct file f[3];
	struct run r;
	char *db, *a1, *a2;

	(void)state;
	run_init(&r);
	gen_backup(r.dir);
	snprintf(rel1, sizeof(rel1), "%s1/IMG_0101.jpeg", dir);
	snprintf(rel2, sizeof(rel2), "%s2/IMG_0102.jpeg", dir);
	db = gen_file(r.dir, "HomeDomain", SMS_DB);
	a1 = gen_file(r.dir, "MediaDomain", rel1);
	a2 = gen_file(r.dir, "MediaDomain", rel2);
	f[0] = (struct file){"HomeDomain", SMS_DB, db};
	f[1] = (struct file){"MediaDomain", rel1, a1};
	f[2] = (struct file){"MediaDomain", rel2, a2};
	run_files(&r, "sms_attachments", f, 3);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 2);
	expect_text(&r, rel1, "SELECT backup_path FROM sms_attachments WHERE attachment_rowid=1");
	assert_int_equal(
	    q_int(&r, "SELECT file_present FROM sms_attachments WHERE attachment_rowid=1"), 1);
	sha256_file(a1, sha);
	expect_text(&r, sha, "SELECT file_sha256 FROM sms_attachments WHERE attachment_rowid=1");
	assert_int_equal(
	    q_int(&r, "SELECT file_size FROM sms_attachments WHERE attachment_rowid=1"), 23456);
	assert_int_equal(
	    q_int(&r, "SELECT total_bytes FROM sms_attachments WHERE attachment_rowid=2"), 34567);
	assert_int_equal(
	    q_int(&r, "SELECT message_rowid FROM sms_attachments WHERE attachment_rowid=2"), 11);
	expect_text(&r, "2023-06-12T14:00:00Z",
	            "SELECT created_date FROM sms_attachments WHERE attachment_rowid=1");
	expect_text(&r, "attachment IMG_0101.jpeg (image/jpeg, 23456 bytes) of message 4",
	            "SELECT summary FROM timeline WHERE source_rowid=1");
	free(db);
	free(a1);
	free(a2);
	run_free(&r);
}

static void att_hostile(void **state)
{
	struct file f[2];
	struct run r;
	char *db, *file;

	(void)state;
	run_init(&r);
	db = make_db(r.dir, "sms.db", "CREATE TABLE message (ROWID INTEGER PRIMARY KEY);");
	run_one(&r, "sms_attachments", "HomeDomain", SMS_DB, db);
	assert_string_equal(status_of(&r), "unsupported-schema");
	assert_non_null(strstr(reason_of(&r), "attachment"));
	free(db);
	run_free(&r);

	/* no join table, /var/mobile paths, odd values */
	run_init(&r);
	db = make_db(r.dir, "sms.db",
	             "CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY, filename TEXT,"
	             " total_bytes INTEGER, created_date INTEGER);"
	             "INSERT INTO attachment VALUES"
	             " (1, '/var/mobile/Library/SMS/Attachments/x/y/a.heic', 5, 600000000),"
	             " (2, '/etc/passwd', 'lots', 'soon'),"
	             " (3, '~/Library/SMS/', -1, NULL),"
	             " (4, x'7e2f4c6962726172792f534d532f00ff', NULL, NULL);");
	file = make_db(r.dir, "a.heic", "CREATE TABLE t (x);");
	f[0] = (struct file){"HomeDomain", SMS_DB, db};
	f[1] = (struct file){"MediaDomain", "Library/SMS/Attachments/x/y/a.heic", file};
	run_files(&r, "sms_attachments", f, 2);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 4);
	assert_int_equal(
	    q_int(&r, "SELECT file_present FROM sms_attachments WHERE attachment_rowid=1"), 1);
	expect_text(&r, "ok", "SELECT file_state FROM sms_attachments WHERE attachment_rowid=1");
	expect_text(&r, NULL, "SELECT message_rowid FROM sms_attachments WHERE attachment_rowid=1");
	expect_text(&r, NULL, "SELECT backup_path FROM sms_attachments WHERE attachment_rowid=2");
	expect_text(&r, NULL, "SELECT total_bytes FROM sms_attachments WHERE attachment_rowid=2");
	expect_text(&r, NULL, "SELECT created_date FROM sms_attachments WHERE attachment_rowid=2");
	expect_text(&r, NULL, "SELECT backup_path FROM sms_attachments WHERE attachment_rowid=3");
	assert_int_equal(
	    q_int(&r, "SELECT total_bytes FROM sms_attachments WHERE attachment_rowid=3"), -1);
	assert_int_equal(
	    q_int(&r, "SELECT file_present FROM sms_attachments WHERE attachment_rowid=4"), 0);
	free(db);
	free(file);
	run_free(&r);
}

/* ================= calls ================= */

static void calls_fixture(void **state)
{
	char *db = fixture("ios18-schemas/calls.1.CallHistory.storedata");
	struct run r;

	(void)state;
	run_init(&r);
	run_one(&r, "calls", "HomeDomain", CALLS_DB, db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 5);
	expect_text(&r, "+1 555 0100", "SELECT address FROM calls WHERE call_rowid=1");
	expect_text(&r, "Alex Fixture", "SELECT name FROM calls WHERE call_rowid=1");
	expect_text(&r, "2023-03-08T20:26:40.500Z", "SELECT date FROM calls WHERE call_rowid=1");
	expect_text(&r, "65.5", "SELECT duration FROM calls WHERE call_rowid=1");
	expect_text(&r, "outgoing", "SELECT direction FROM calls WHERE call_rowid=1");
	assert_int_equal(q_int(&r, "SELECT answered FROM calls WHERE call_rowid=1"), 1);
	expect_text(&r, "phone", "SELECT call_type FROM calls WHERE call_rowid=1");
	expect_text(&r, "com.apple.Telephony",
	            "SELECT service_provider FROM calls WHERE call_rowid=1");
	expect_text(&r, "us", "SELECT iso_country_code FROM calls WHERE call_rowid=1");
	expect_text(&r, "fixture-uid-1", "SELECT unique_id FROM calls WHERE call_rowid=1");
	expect_text(&r, "outgoing phone call to +1 555 0100, 65.5 s",
	            "SELECT summary FROM timeline WHERE source_rowid=1");
	expect_text(&r, "incoming", "SELECT direction FROM calls WHERE call_rowid=2");
	expect_text(&r, "missed phone call from +1 555 0142",
	            "SELECT summary FROM timeline WHERE source_rowid=2");
	expect_text(&r, "2023-03-09T20:26:40.250Z",
	            "SELECT time FROM timeline WHERE source_rowid=2");
	/* call 3: a FaceTime video call without address, two participants */
	expect_text(&r, "facetime-video", "SELECT call_type FROM calls WHERE call_rowid=3");
	expect_text(&r, NULL, "SELECT address FROM calls WHERE call_rowid=3");
	expect_text(&r, "+1 555 0300,+1 555 0301",
	            "SELECT participants FROM calls WHERE call_rowid=3");
	expect_text(&r, "outgoing FaceTime video call to +1 555 0300,+1 555 0301, 120 s",
	            "SELECT summary FROM timeline WHERE source_rowid=3");
	expect_text(&r, NULL, "SELECT participants FROM calls WHERE call_rowid=4");
	expect_text(&r, "ZCALLRECORD", "SELECT source_table FROM calls WHERE call_rowid=4");
	expect_text(&r, NULL, "SELECT legacy_flags FROM calls WHERE call_rowid=4");
	assert_int_equal(q_int(&r, "SELECT count(*) FROM timeline WHERE event='call'"), 5);
	free(db);
	run_free(&r);
}

static void calls_generator(void **state)
{
	struct run r;
	char *db;

	(void)state;
	run_init(&r);
	gen_backup(r.dir);
	db = gen_file(r.dir, "HomeDomain", CALLS_DB);
	run_one(&r, "calls", "HomeDomain", CALLS_DB, db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 6);
	expect_text(&r, "2023-06-13T10:59:59.250Z", "SELECT date FROM calls WHERE call_rowid=1");
	expect_text(&r, "outgoing phone call to +15555550101, 125 s",
	            "SELECT summary FROM timeline WHERE source_rowid=1");
	expect_text(&r, "incoming phone call from +15555550102, 42.5 s",
	            "SELECT summary FROM timeline WHERE source_rowid=2");
	expect_text(&r, "missed phone call from +15555550103",
	            "SELECT summary FROM timeline WHERE source_rowid=3");
	expect_text(&r, "facetime-video", "SELECT call_type FROM calls WHERE call_rowid=4");
	expect_text(&r, "Alice M\xc3\xbcller", "SELECT name FROM calls WHERE call_rowid=4");
	expect_text(&r, "facetime-audio", "SELECT call_type FROM calls WHERE call_rowid=5");
	expect_text(&r, "incoming FaceTime audio call from +447700900123, 61 s",
	            "SELECT summary FROM timeline WHERE source_rowid=5");
	expect_text(&r, "2023-06-13T15:00:00Z", "SELECT date FROM calls WHERE call_rowid=5");
	expect_text(&r, "outgoing phone call to +15555550101, not answered",
	            "SELECT summary FROM timeline WHERE source_rowid=6");
	assert_int_equal(q_int(&r, "SELECT count(*) FROM calls WHERE answered=0"), 2);
	free(db);
	run_free(&r);
}

static void calls_hostile(void **state)
{
	struct run r;
	char *db;

	(void)state;
	run_init(&r);
	db = make_db(r.dir, "ch.storedata",
	             "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZADDRESS VARCHAR);");
	run_one(&r, "calls", "HomeDomain", CALLS_DB, db);
	assert_string_equal(status_of(&r), "unsupported-schema");
	assert_non_null(strstr(reason_of(&r), "ZDATE"));
	free(db);
	run_free(&r);

	run_init(&r);
	db = make_db(
	    r.dir, "ch.storedata",
	    "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP,"
	    " ZADDRESS VARCHAR, ZCALLTYPE INTEGER, ZORIGINATED INTEGER,"
	    " ZANSWERED INTEGER, ZDURATION FLOAT);"
	    "INSERT INTO ZCALLRECORD VALUES"
	    " (1, 700000000, CAST('+15550001111' AS BLOB), 99, 0, 1, 3),"
	    " (2, 'garbage', x'2b31353535000000', 'x', 'y', NULL, 'long'),"
	    " (3, NULL, NULL, NULL, NULL, NULL, NULL),"
	    " (4, 1e300, printf('%.*c', 100000, '9'), 8, 1, 1, -5);"
	    /* a hostile participants table name is ignored */
	    "CREATE TABLE Z_9REMOTEPARTICIPANTHANDLES (\"Z_9\"\"; x REMOTEPARTICIPANTCALLS\""
	    " INTEGER, Z_3REMOTEPARTICIPANTHANDLES INTEGER);"
	    "CREATE TABLE ZHANDLE (Z_PK INTEGER PRIMARY KEY, ZVALUE VARCHAR);");
	run_one(&r, "calls", "HomeDomain", CALLS_DB, db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 4);
	expect_text(&r, "+15550001111", "SELECT address FROM calls WHERE call_rowid=1");
	expect_text(&r, "99", "SELECT call_type FROM calls WHERE call_rowid=1");
	expect_text(&r, "incoming call from +15550001111, 3 s",
	            "SELECT summary FROM timeline WHERE source_rowid=1");
	expect_text(&r, "+1555", "SELECT address FROM calls WHERE call_rowid=2");
	expect_text(&r, NULL, "SELECT date FROM calls WHERE call_rowid=2");
	expect_text(&r, NULL, "SELECT direction FROM calls WHERE call_rowid=2");
	expect_text(&r, NULL, "SELECT call_type FROM calls WHERE call_rowid=2");
	expect_text(&r, NULL, "SELECT duration FROM calls WHERE call_rowid=2");
	expect_text(&r, NULL, "SELECT address FROM calls WHERE call_rowid=3");
	expect_text(&r, NULL, "SELECT date FROM calls WHERE call_rowid=4");
	assert_int_equal(q_int(&r, "SELECT length(address) FROM calls WHERE call_rowid=4"), 100000);
	assert_int_equal(q_int(&r, "SELECT count(*) FROM timeline"), 1);
	free(db);
	run_free(&r);
}

/* call_history.db of iOS 7 and older, in WirelessDomain. */
static void calls_legacy(void **state)
{
	struct run r;
	char *db;

	(void)state;
	run_init(&r);
	db = make_db(r.dir, "call_history.db",
	             "CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT,"
	             " date INTEGER, duration INTEGER, flags INTEGER, id INTEGER, name TEXT,"
	             " country_code TEXT);"
	             "INSERT INTO call VALUES (1, '+15551234567', 1300000000, 63, 5, -1, NULL,"
	             " '310'), (2, '+15559876543', 1300003600, 0, 4, -1, NULL, '310'),"
	             " (3, NULL, 0, NULL, 1769472, -1, NULL, NULL);");
	run_one(&r, "calls", "WirelessDomain", "Library/CallHistory/call_history.db", db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 3);
	expect_text(&r, "2011-03-13T07:06:40Z", "SELECT date FROM calls WHERE call_rowid=1");
	expect_text(&r, "outgoing", "SELECT direction FROM calls WHERE call_rowid=1");
	expect_text(&r, "phone", "SELECT call_type FROM calls WHERE call_rowid=1");
	assert_int_equal(q_int(&r, "SELECT legacy_flags FROM calls WHERE call_rowid=1"), 5);
	expect_text(&r, "incoming", "SELECT direction FROM calls WHERE call_rowid=2");
	expect_text(&r, NULL, "SELECT answered FROM calls WHERE call_rowid=2");
	expect_text(&r, "outgoing phone call to +15551234567, 63 s",
	            "SELECT summary FROM timeline WHERE source_rowid=1");
	expect_text(&r, NULL, "SELECT date FROM calls WHERE call_rowid=3");
	expect_text(&r, NULL, "SELECT call_type FROM calls WHERE call_rowid=3");
	expect_text(&r, "WirelessDomain", "SELECT domain FROM calls WHERE call_rowid=3");
	expect_text(&r, "call", "SELECT source_table FROM calls WHERE call_rowid=3");
	free(db);
	run_free(&r);

	run_init(&r);
	db = make_db(r.dir, "call_history.db", "CREATE TABLE call (ROWID INTEGER PRIMARY KEY);");
	run_one(&r, "calls", "WirelessDomain", "Library/CallHistory/call_history.db", db);
	assert_string_equal(status_of(&r), "unsupported-schema");
	assert_non_null(strstr(reason_of(&r), "address"));
	free(db);
	run_free(&r);

	run_init(&r);
	run_one(&r, "calls", NULL, NULL, NULL);
	assert_string_equal(status_of(&r), "absent");
	run_free(&r);
}

/* ================= WhatsApp ================= */

static void wa_fixture_files(struct run *r, const char *name)
{
	char *db = fixture("josh-ios15/whatsapp/ChatStorage.sqlite");
	char *wal = fixture("josh-ios15/whatsapp/ChatStorage.sqlite-wal");
	struct file f[2] = {{WA_DOMAIN, "ChatStorage.sqlite", db},
	                    {WA_DOMAIN, "ChatStorage.sqlite-wal", wal}};

	run_files(r, name, f, 2);
	free(db);
	free(wal);
}

static void wa_fixture_messages(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	wa_fixture_files(&r, "whatsapp_messages");
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 32);
	/* the fixture's -wal is empty (0 bytes): it is offered, nothing to apply */
	assert_true(json_is_boolean(json_object_get(first_source(&r), "wal_applied")));
	expect_text(&r, "I\xe2\x80\x99m here!",
	            "SELECT text FROM whatsapp_messages WHERE message_pk=12");
	expect_text(&r, "sent", "SELECT direction FROM whatsapp_messages WHERE message_pk=12");
	expect_text(&r, "19198887386@s.whatsapp.net",
	            "SELECT to_jid FROM whatsapp_messages WHERE message_pk=12");
	expect_text(&r, "2023-05-02T15:56:47.221Z",
	            "SELECT message_date FROM whatsapp_messages WHERE message_pk=12");
	expect_text(&r, "2023-05-02T15:56:47.287Z",
	            "SELECT sent_date FROM whatsapp_messages WHERE message_pk=12");
	expect_text(&r, "This Is DFIR Two",
	            "SELECT chat_name FROM whatsapp_messages WHERE message_pk=12");
	assert_int_equal(
	    q_int(&r, "SELECT message_status FROM whatsapp_messages WHERE message_pk=12"), 8);
	expect_text(&r, "text",
	            "SELECT message_type_name FROM whatsapp_messages WHERE message_pk=12");
	expect_text(&r, "received", "SELECT direction FROM whatsapp_messages WHERE message_pk=13");
	expect_text(&r,
	            "WhatsApp from 19198887386@s.whatsapp.net (This Is DFIR Two): Awesome. You had"
	            " some chat history, eh?",
	            "SELECT summary FROM timeline WHERE source_rowid=13");
	/* message 21: an image with its media item */
	expect_text(&r, "image",
	            "SELECT message_type_name FROM whatsapp_messages WHERE message_pk=21");
	expect_text(&r,
	            "Media/19198887386@s.whatsapp.net/d/0/d041d159-fd7d-4abb-9192-0e97c10ddb00.jpg",
	            "SELECT media_local_path FROM whatsapp_messages WHERE message_pk=21");
	assert_int_equal(
	    q_int(&r, "SELECT media_file_size FROM whatsapp_messages WHERE message_pk=21"), 42073);
	expect_text(&r, NULL, "SELECT latitude FROM whatsapp_messages WHERE message_pk=21");
	/* message 30: a location */
	expect_text(&r, "location",
	            "SELECT message_type_name FROM whatsapp_messages WHERE message_pk=30");
	expect_text(&r, "35.6385",
	            "SELECT printf('%%.4f', latitude) FROM whatsapp_messages WHERE message_pk=30");
	expect_text(&r, "-78.8761",
	            "SELECT printf('%%.4f', longitude) FROM whatsapp_messages WHERE message_pk=30");
	/* message 1: a group chat notice, unnamed type 10 kept as the number */
	assert_int_equal(q_int(&r, "SELECT message_type FROM whatsapp_messages WHERE message_pk=1"),
	                 10);
	expect_text(&r, NULL, "SELECT message_type_name FROM whatsapp_messages WHERE message_pk=1");
	expect_text(&r, "Med Report Review",
	            "SELECT chat_name FROM whatsapp_messages WHERE message_pk=1");
	expect_text(&r, "ZWAMESSAGE",
	            "SELECT source_table FROM whatsapp_messages WHERE message_pk=1");
	expect_text(&r, WA_DOMAIN, "SELECT domain FROM whatsapp_messages WHERE message_pk=1");
	assert_int_equal(q_int(&r, "SELECT count(*) FROM timeline"), 32);
	run_free(&r);
}

static void wa_fixture_chats(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	wa_fixture_files(&r, "whatsapp_chats");
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 5);
	expect_text(&r, "This Is DFIR Two",
	            "SELECT partner_name FROM whatsapp_chats WHERE chat_pk=5");
	expect_text(&r, "19198887386@s.whatsapp.net",
	            "SELECT contact_jid FROM whatsapp_chats WHERE chat_pk=5");
	assert_int_equal(q_int(&r, "SELECT is_group FROM whatsapp_chats WHERE chat_pk=5"), 0);
	assert_int_equal(q_int(&r, "SELECT message_counter FROM whatsapp_chats WHERE chat_pk=5"),
	                 24);
	assert_int_equal(q_int(&r, "SELECT messages_stored FROM whatsapp_chats WHERE chat_pk=5"),
	                 22);
	expect_text(&r, NULL, "SELECT group_members FROM whatsapp_chats WHERE chat_pk=5");
	assert_int_equal(q_int(&r, "SELECT is_group FROM whatsapp_chats WHERE chat_pk=1"), 1);
	expect_text(&r, "Our Test Group",
	            "SELECT partner_name FROM whatsapp_chats WHERE chat_pk=1");
	expect_text(&r, "205690463334636@lid,19195794674@s.whatsapp.net",
	            "SELECT group_members FROM whatsapp_chats WHERE chat_pk=1");
	expect_text(&r, "2022-03-26T17:44:06Z",
	            "SELECT last_message_date FROM whatsapp_chats WHERE chat_pk=1");
	assert_int_equal(q_int(&r, "SELECT sum(messages_stored) FROM whatsapp_chats"), 32);
	expect_text(&r, "ZWACHATSESSION",
	            "SELECT source_table FROM whatsapp_chats WHERE chat_pk=1");
	assert_int_equal(q_int(&r, "SELECT count(*) FROM timeline WHERE event='last-message'"), 5);
	run_free(&r);
}

/* A live ChatStorage.sqlite with one more message committed to its -wal
 * only: both files copied while the writer is open (as a backup holds
 * them). The row is seen only when the runner applies the WAL. */
static void wa_wal(void **state)
{
	char *src = fixture("josh-ios15/whatsapp/ChatStorage.sqlite"), *live = NULL, *db = NULL;
	char *wal = NULL, *livewal = NULL, *msg = NULL;
	struct file f[2];
	uint8_t *buf;
	size_t len = 0;
	sqlite3 *w = NULL;
	struct run r;

	(void)state;
	run_init(&r);
	assert_true(asprintf(&live, "%s/live.sqlite", r.dir) > 0);
	assert_true(asprintf(&livewal, "%s/live.sqlite-wal", r.dir) > 0);
	assert_true(asprintf(&db, "%s/copy.sqlite", r.dir) > 0);
	assert_true(asprintf(&wal, "%s/copy.sqlite-wal", r.dir) > 0);
	buf = tu_read_file(src, &len);
	assert_int_equal(tu_write_file(live, buf, len), 0);
	free(buf);
	assert_int_equal(sqlite3_open(live, &w), SQLITE_OK);
	if (sqlite3_exec(w,
	                 "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
	                 "INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZISFROMME, ZTOJID, ZTEXT,"
	                 " ZMESSAGEDATE, ZMESSAGETYPE) VALUES (100, 5, 1,"
	                 " '19198887386@s.whatsapp.net', 'only in the WAL', 706100000, 0);",
	                 NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s", msg);
	buf = tu_read_file(live, &len);
	assert_int_equal(tu_write_file(db, buf, len), 0);
	free(buf);
	buf = tu_read_file(livewal, &len);
	assert_non_null(buf);
	assert_true(len > 0);
	assert_int_equal(tu_write_file(wal, buf, len), 0);
	free(buf);
	sqlite3_close(w);
	f[0] = (struct file){WA_DOMAIN, "ChatStorage.sqlite", db};
	f[1] = (struct file){WA_DOMAIN, "ChatStorage.sqlite-wal", wal};
	run_files(&r, "whatsapp_messages", f, 2);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 33);
	assert_true(json_is_true(json_object_get(first_source(&r), "wal_applied")));
	expect_text(&r, "only in the WAL",
	            "SELECT text FROM whatsapp_messages WHERE message_pk=100");
	free(src);
	free(live);
	free(livewal);
	free(db);
	free(wal);
	run_free(&r);
}

static void wa_generator(void **state)
{
	struct run r;
	char *db;

	(void)state;
	run_init(&r);
	gen_backup(r.dir);
	db = gen_file(r.dir, WA_DOMAIN, "ChatStorage.sqlite");
	run_one(&r, "whatsapp_chats", WA_DOMAIN, "ChatStorage.sqlite", db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 2);
	assert_int_equal(q_int(&r, "SELECT is_group FROM whatsapp_chats WHERE chat_pk=2"), 1);
	expect_text(&r, "Family Group", "SELECT partner_name FROM whatsapp_chats WHERE chat_pk=2");
	assert_int_equal(q_int(&r, "SELECT messages_stored FROM whatsapp_chats WHERE chat_pk=1"),
	                 5);
	expect_text(&r, "2023-06-14T22:20:00.500Z",
	            "SELECT time FROM timeline WHERE source_rowid=1");
	expect_text(&r, "WhatsApp chat Bob Example (15555550101@s.whatsapp.net): last message",
	            "SELECT summary FROM timeline WHERE source_rowid=1");
	sqlite3_close(r.db);
	r.db = NULL;
	json_decref(r.status);
	r.status = NULL;
	tu_rmtree(r.out);
	run_one(&r, "whatsapp_messages", WA_DOMAIN, "ChatStorage.sqlite", db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 8);
	expect_text(&r, "image",
	            "SELECT message_type_name FROM whatsapp_messages WHERE message_pk=4");
	expect_text(&r, NULL, "SELECT text FROM whatsapp_messages WHERE message_pk=4");
	expect_text(&r, "WhatsApp from 15555550101@s.whatsapp.net (Bob Example): [image]",
	            "SELECT summary FROM timeline WHERE source_rowid=4");
	expect_text(&r,
	            "Gr\xc3\xbc\xc3\x9f"
	            "e aus K\xc3\xb6ln",
	            "SELECT text FROM whatsapp_messages WHERE message_pk=8");
	expect_text(&r, "sent", "SELECT direction FROM whatsapp_messages WHERE message_pk=2");
	expect_text(&r, "Hello Bob! \xf0\x9f\x98\x80",
	            "SELECT text FROM whatsapp_messages WHERE message_pk=2");
	expect_text(&r, NULL, "SELECT sent_date FROM whatsapp_messages WHERE message_pk=2");
	expect_text(&r, NULL, "SELECT media_local_path FROM whatsapp_messages WHERE message_pk=4");
	free(db);
	run_free(&r);
}

static void wa_hostile(void **state)
{
	struct run r;
	char *db;

	(void)state;
	run_init(&r);
	db = make_db(
	    r.dir, "cs.sqlite",
	    "CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZISFROMME INTEGER,"
	    " ZTEXT VARCHAR);"
	    "CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZPARTNERNAME VARCHAR);");
	run_one(&r, "whatsapp_messages", WA_DOMAIN, "ChatStorage.sqlite", db);
	assert_string_equal(status_of(&r), "unsupported-schema");
	assert_non_null(strstr(reason_of(&r), "ZMESSAGEDATE"));
	sqlite3_close(r.db);
	r.db = NULL;
	json_decref(r.status);
	tu_rmtree(r.out);
	run_one(&r, "whatsapp_chats", WA_DOMAIN, "ChatStorage.sqlite", db);
	assert_string_equal(status_of(&r), "unsupported-schema");
	assert_non_null(strstr(reason_of(&r), "ZCONTACTJID"));
	free(db);
	run_free(&r);

	run_init(&r);
	db = make_db(r.dir, "cs.sqlite",
	             "CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZISFROMME INTEGER,"
	             " ZMESSAGEDATE TIMESTAMP, ZTEXT VARCHAR, ZMESSAGETYPE INTEGER,"
	             " ZCHATSESSION INTEGER, ZMEDIAITEM INTEGER, ZGROUPMEMBER INTEGER);"
	             "CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZLATITUDE FLOAT);"
	             "CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, ZMEMBERJID VARCHAR);"
	             "INSERT INTO ZWAMEDIAITEM VALUES (1, 'north');"
	             "INSERT INTO ZWAGROUPMEMBER VALUES (1, x'00');"
	             "INSERT INTO ZWAMESSAGE VALUES (1, 'me', 'today', x'ff', 5, 77, 1, 1),"
	             " (2, NULL, NULL, NULL, 1e300, 'x', 'y', 'z'),"
	             " (3, 0, -1e20, printf('%.*c', 1000000, 'w'), -3, NULL, 999, 999);");
	run_one(&r, "whatsapp_messages", WA_DOMAIN, "ChatStorage.sqlite", db);
	assert_string_equal(status_of(&r), "ok");
	assert_int_equal(rows_of(&r), 3);
	expect_text(&r, NULL, "SELECT direction FROM whatsapp_messages WHERE message_pk=1");
	expect_text(&r, NULL, "SELECT message_date FROM whatsapp_messages WHERE message_pk=1");
	expect_text(&r, "\\xff", "SELECT text FROM whatsapp_messages WHERE message_pk=1");
	expect_text(&r, NULL, "SELECT latitude FROM whatsapp_messages WHERE message_pk=1");
	expect_text(&r, NULL, "SELECT chat_name FROM whatsapp_messages WHERE message_pk=1");
	expect_text(&r, NULL, "SELECT message_type FROM whatsapp_messages WHERE message_pk=2");
	expect_text(&r, NULL, "SELECT message_type_name FROM whatsapp_messages WHERE message_pk=3");
	assert_int_equal(q_int(&r, "SELECT length(text) FROM whatsapp_messages WHERE message_pk=3"),
	                 1000000);
	free(db);
	run_free(&r);

	run_init(&r);
	run_one(&r, "whatsapp_messages", NULL, NULL, NULL);
	assert_string_equal(status_of(&r), "absent");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sms_fixture),      cmocka_unit_test(sms_generator),
	    cmocka_unit_test(sms_old_schema),   cmocka_unit_test(sms_absent_and_schema),
	    cmocka_unit_test(sms_corrupt),      cmocka_unit_test(sms_hostile),
	    cmocka_unit_test(att_fixture),      cmocka_unit_test(att_generator),
	    cmocka_unit_test(att_hostile),      cmocka_unit_test(calls_fixture),
	    cmocka_unit_test(calls_generator),  cmocka_unit_test(calls_hostile),
	    cmocka_unit_test(calls_legacy),     cmocka_unit_test(wa_fixture_messages),
	    cmocka_unit_test(wa_fixture_chats), cmocka_unit_test(wa_wal),
	    cmocka_unit_test(wa_generator),     cmocka_unit_test(wa_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
