/* lib/report/html.c: report.html, one self-contained page.
 *
 * The model is a report.json as CASE_FORMAT.md specifies it; the database is
 * an artifacts.sqlite whose tables have the registry's columns (as ifk-parse
 * writes them), with yara.jsonl beside it.
 *
 * With IFK_HTML_OUT set, the program writes one page there instead of
 * running the tests (IFK_HTML_ROWS messages, 100,000 by default, and as
 * many timeline events; one message holds hostile text), writes the model
 * beside it (IFK_HTML_OUT.model.json), and prints rows=, bytes=, seconds=
 * and the writer's peak resident memory (peak_rss_kb=, reset just before
 * the write); the end-to-end test t_report_html.sh opens the page in
 * Chromium. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "artifact.h"
#include "report_int.h"
#include "core.h"
#include "testutil.h"

#define SMS_SHA "5b0f2c8f6c1f4e3d9a7b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f"
#define ADDR_SHA "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
#define INFO_SHA "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define HOSTILE_TEXT                                                                               \
	"</script><script>document.title='PWNED'</script><!--<script> \xe2\x80\xa8 \xff \"'&<>"
#define BASE_TIME 1686823200 /* 2023-06-15T10:00:00Z */

/* ---- the report.json model ---- */

static json_t *custody_entry(int seq, const char *time, const char *tool, const char *action,
                             const char *result, json_t *details, const char *host, char *prev)
{
	char hash[IFK_SHA256_HEX], seed[32];
	json_t *e;

	snprintf(seed, sizeof(seed), "entry %d", seq);
	ifk_sha256_hex(seed, strlen(seed), hash);
	e = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:o}", "seq",
	              seq, "hash", hash, "prev", prev, "time", time, "tool", tool, "version",
	              "0.1.0", "action", action, "actor", "examiner", "Test Examiner", "user",
	              "examiner", "host", host, "result", result, "details", details);
	memcpy(prev, hash, IFK_SHA256_HEX);
	return e;
}

static json_t *custody(int hostile)
{
	char prev[IFK_SHA256_HEX] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	const char *host = hostile ? "</td><u>lab" : "lab-ws-01";
	json_t *c = json_array(),
	       *checks = json_pack("{s:s, s:s, s:s, s:s}", "seal", "pass", "custody", "pass",
	                           "backup", "warn", "encryption", "pass");
	char genesis[IFK_SHA256_HEX];

	json_array_append_new(
	    c,
	    custody_entry(1, "2026-11-29T11:39:55Z", "ifk-acquire", "acquire", "sealed",
	                  json_pack("{s:{s:s, s:s}, s:s, s:s, s:i, s:i, s:i, s:s}", "case",
	                            "case_number", "CASE-7", "evidence_number", "EV-1", "method",
	                            "folder-import", "source", "/srv/backups/00008101", "files", 28,
	                            "bytes", 798530, "anomalies", 0, "payload_oxum", "798530.28"),
	                  host, prev));
	memcpy(genesis, prev, sizeof(genesis));
	json_array_append_new(c, custody_entry(2, "2026-11-29T11:41:02Z", "ifk-verify", "verify",
	                                       "PASS", json_pack("{s:O}", "checks", checks), host,
	                                       prev));
	json_array_append_new(c,
	                      custody_entry(3, "2026-11-29T11:45:10Z", "ifk-parse", "parse", "ok",
	                                    json_pack("{s:s, s:s}", "output", "case-001.parsed",
	                                              "parse_json_sha256", ADDR_SHA),
	                                    host, prev));
	json_array_append_new(c, custody_entry(4, "2026-11-29T12:00:00Z", "ifk-verify", "verify",
	                                       "PASS", json_pack("{s:o}", "checks", checks), host,
	                                       prev));
	return json_pack("{s:o, s:s, s:s, s:i, s:i}", "entries", c, "genesis", genesis, "head",
	                 prev, "head_seq", 4, "problems", 0);
}

static json_t *verification(void)
{
	return json_pack(
	    "{s:s, s:s, s:[{s:s, s:s, s:i, s:i, s:[], s:{s:s, s:s}}, {s:s, s:s, s:i, s:i, s:[], "
	    "s:{s:i}}, {s:s, s:s, s:i, s:i, s:[{s:s, s:s, s:s}], s:{}}, {s:s, s:s, s:i, s:i, s:[], "
	    "s:{s:b}}]}",
	    "verdict", "PASS", "kind", "ifk-bag", "checks", "name", "seal", "status", "pass",
	    "failures", 0, "warnings", 0, "findings", "info", "signer",
	    "CN=Test Examiner, O=ifk tests", "certificate_sha256", INFO_SHA, "name", "custody",
	    "status", "pass", "failures", 0, "warnings", 0, "findings", "info", "entries", 4,
	    "name", "backup", "status", "warn", "failures", 0, "warnings", 1, "findings", "level",
	    "warn", "file", "data/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28", "reason",
	    "Size 120 in the index, 118 bytes stored", "info", "name", "encryption", "status",
	    "pass", "failures", 0, "warnings", 0, "findings", "info", "unlocked", 1);
}

static json_t *artifact(const char *name, const char *title, const char *status, long long rows,
                        const char *reason, const char *domain, const char *path, const char *sha)
{
	json_t *src = json_array(), *a;
	char member[128];

	if (domain)
		json_array_append_new(src, json_pack("{s:s, s:s, s:s}", "domain", domain,
		                                     "relative_path", path, "sha256", sha));
	snprintf(member, sizeof(member), "parse/%s.jsonl", name);
	a = json_pack("{s:s, s:s, s:s, s:I, s:s?, s:o, s:s}", "name", name, "title", title,
	              "status", status, "rows", (json_int_t)rows, "reason", reason, "sources", src,
	              "member", member);
	return a;
}

static json_t *parse_part(long long nsms)
{
	json_t *arts = json_array();

	json_array_append_new(arts, artifact("device", "The device and the backup", "ok", 4, NULL,
	                                     "", "Info.plist", INFO_SHA));
	json_array_append_new(arts,
	                      artifact("sms_messages", "SMS and iMessage messages", "ok", nsms,
	                               NULL, "HomeDomain", "Library/SMS/sms.db", SMS_SHA));
	json_array_append_new(arts, artifact("contacts", "Contacts", "ok", 3, NULL, "HomeDomain",
	                                     "Library/AddressBook/AddressBook.sqlitedb", ADDR_SHA));
	json_array_append_new(arts, artifact("calls", "Call history", "absent", 0,
	                                     "the backup holds none of HomeDomain/Library/"
	                                     "CallHistoryDB/CallHistory.storedata",
	                                     NULL, NULL, NULL));
	json_array_append_new(arts, artifact("notes", "Notes", "unsupported-schema", 0,
	                                     "table ZICCLOUDSYNCINGOBJECT lacks column(s) ZTITLE1",
	                                     "AppDomainGroup-group.com.apple.notes",
	                                     "NoteStore.sqlite", ADDR_SHA));
	return json_pack("{s:s, s:{s:s, s:b}, s:{s:i, s:i, s:i, s:i}, s:{s:s, s:s, s:i, s:i, s:i, "
	                 "s:i, s:[]}, s:o, s:s, s:I, s:s, s:i, s:i}",
	                 "outcome", "findings", "verification", "verdict", "PASS", "no_verify", 0,
	                 "files", "read", 27, "bytes", 798441, "not_decryptable_off_device", 1,
	                 "failed", 0, "yara", "rules", "rules/", "rules_sha256", INFO_SHA,
	                 "rule_count", 5, "files_scanned", 27, "matches", 3, "files_not_scanned", 0,
	                 "errors", "artifacts", arts, "timeline_member", "parse/timeline.csv",
	                 "timeline_events", (json_int_t)(nsms + 1), "yara_member",
	                 "parse/yara.jsonl", "yara_matches", 3, "custody_seq", 3);
}

static json_t *model(long long nsms, int hostile, int with_parse)
{
	const char *name = hostile ? "<img src=x onerror=alert(1)> iPhone" : "Sample iPhone";
	const char *examiner = hostile ? "Ann \"O'Brien\" & <Co>" : "Test Examiner";

	return json_pack(
	    "{s:s, s:s, s:i, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:n}, s:{s:s, s:s, s:s, s:s},"
	    " s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:n, s:n, s:n},"
	    " s:{s:s, s:s, s:s, s:s, s:i, s:i, s:[{s:s, s:s, s:s}], s:i, s:s, s:s, s:s, s:{s:s, "
	    "s:s}},"
	    " s:o, s:o, s:o, s:[{s:s, s:s, s:s, s:i, s:n}, {s:s, s:s, s:s, s:i, s:n}],"
	    " s:{s:i, s:s, s:s}, s:[s, s, s, s, s, s]}",
	    "tool", "ifk-report", "version", "0.1.0", "format_version", 1, "report_time",
	    "2026-11-29T12:00:00Z", "bag", "case-001.bag", "case", "case", "CASE-7", "evidence",
	    "EV-1", "examiner", examiner, "organization", "ifk tests", "notes", "examiner", "name",
	    examiner, "organization", "ifk tests", "certificate_subject",
	    "CN=Test Examiner, O=ifk tests", "certificate_sha256", INFO_SHA, "device", "name", name,
	    "product_type", "iPhone12,1", "product_name", "iPhone 11", "ios_version", "16.7.2",
	    "build", "20H115", "serial", "F2LXK0AAHG7F", "udid", "00008030001A2B3C0E12802E", "imei",
	    "356789101234567", "meid", "iccid", "phone_number", "acquisition", "method",
	    "folder-import", "source", "/srv/backups/00008030001A2B3C0E12802E", "started",
	    "2026-11-29T11:39:40Z", "ended", "2026-11-29T11:39:55Z", "files", 28, "bytes", 798530,
	    "anomalies", "kind", "symlink", "path", "Snapshot/link", "detail", "../outside",
	    "anomaly_count", 1, "payload_oxum", "798530.28", "tool", "ifk-acquire", "tool_version",
	    "0.1.0", "seal", "signer", "CN=Test Examiner, O=ifk tests", "certificate_sha256",
	    INFO_SHA, "custody", custody(hostile), "verification", verification(), "parse",
	    with_parse ? parse_part(nsms) : json_null(), "media", "domain", "CameraRollDomain",
	    "relative_path", "Media/DCIM/100APPLE/IMG_0001.JPG", "sha256", ADDR_SHA, "size", 41003,
	    "member", "domain", "CameraRollDomain", "relative_path",
	    "Media/DCIM/100APPLE/IMG_0002.MOV", "sha256", SMS_SHA, "size", 120400, "member",
	    "backup_files", "count", 28, "manifest", "manifest-sha256.txt", "manifest_sha256",
	    SMS_SHA, "report_members", "case.jsonld", "custody/ifk-acquisition.json",
	    "custody/ifk-custody.log", "parse/artifacts.sqlite", "report.html",
	    "verification/verify.json");
}

/* ---- the artifacts database ---- */

static void iso(long long t, int ms, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms)
		snprintf(out + strlen(out), 12, ".%03dZ", ms);
	else
		strcat(out, "Z");
}

static void exec(sqlite3 *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* CREATE TABLE and INSERT for the registry's artifact, as ifk-parse
 * writes them: row_id, the artifact's columns, the provenance. */
static sqlite3_stmt *artifact_table(sqlite3 *db, const char *name, int *ncols)
{
	const struct ifk_artifact *a = ifk_artifact_find(name);
	char ddl[4096], ins[1024];
	sqlite3_stmt *st = NULL;
	int n = 0;

	assert_non_null(a);
	snprintf(ddl, sizeof(ddl), "CREATE TABLE \"%s\" (row_id INTEGER PRIMARY KEY", name);
	snprintf(ins, sizeof(ins), "INSERT INTO \"%s\" VALUES (NULL", name);
	for (; a->cols[n].name; n++) {
		snprintf(
		    ddl + strlen(ddl), sizeof(ddl) - strlen(ddl), ", \"%s\" %s", a->cols[n].name,
		    a->cols[n].type == IFK_COL_INT || a->cols[n].type == IFK_COL_BOOL ? "INTEGER"
		    : a->cols[n].type == IFK_COL_REAL                                 ? "REAL"
		                                                                      : "TEXT");
		strcat(ins, ", ?");
	}
	strcat(ddl, ", domain TEXT, relative_path TEXT, source_sha256 TEXT, source_table TEXT,"
	            " source_rowid INTEGER)");
	strcat(ins, ", ?, ?, ?, ?, ?)");
	exec(db, ddl);
	assert_int_equal(sqlite3_prepare_v2(db, ins, -1, &st, NULL), SQLITE_OK);
	*ncols = n;
	return st;
}

static void bind_prov(sqlite3_stmt *st, int k, const char *domain, const char *path,
                      const char *sha, const char *table, long long rowid)
{
	sqlite3_bind_text(st, k + 1, domain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k + 2, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k + 3, sha, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, k + 4, table, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, k + 5, rowid);
}

static void step(sqlite3_stmt *st)
{
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static void timeline_event(sqlite3_stmt *tl, long long t, int ms, const char *art,
                           const char *event, const char *summary, long long row,
                           const char *domain, const char *path, const char *sha, const char *table)
{
	char when[32];

	iso(t, ms, when);
	sqlite3_bind_double(tl, 1, (double)t + ms / 1000.0);
	sqlite3_bind_text(tl, 2, when, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(tl, 3, art, -1, SQLITE_STATIC);
	sqlite3_bind_text(tl, 4, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(tl, 5, summary, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(tl, 6, row);
	bind_prov(tl, 6, domain, path, sha, table, row);
	step(tl);
}

/* One message: which column is which, by the registry's names. */
static void sms_row(sqlite3_stmt *st, int ncols, long long i, const char *text, char *when)
{
	const struct ifk_col *c = ifk_artifact_find("sms_messages")->cols;
	char handle[32], guid[32];
	int k;

	snprintf(handle, sizeof(handle), "+1555555%04lld", i % 500);
	snprintf(guid, sizeof(guid), "GUID-%08lld", i);
	for (k = 0; k < ncols; k++) {
		const char *n = c[k].name;
		if (!strcmp(n, "message_rowid") || !strcmp(n, "chat_rowid"))
			sqlite3_bind_int64(st, k + 1, !strcmp(n, "chat_rowid") ? i % 500 + 1 : i);
		else if (!strcmp(n, "guid"))
			sqlite3_bind_text(st, k + 1, guid, -1, SQLITE_TRANSIENT);
		else if (!strcmp(n, "handle") || !strcmp(n, "chat_identifier"))
			sqlite3_bind_text(st, k + 1, handle, -1, SQLITE_TRANSIENT);
		else if (!strcmp(n, "direction"))
			sqlite3_bind_text(st, k + 1, i % 3 ? "received" : "sent", -1,
			                  SQLITE_STATIC);
		else if (!strcmp(n, "service") || !strcmp(n, "chat_service"))
			sqlite3_bind_text(st, k + 1, i % 5 ? "iMessage" : "SMS", -1, SQLITE_STATIC);
		else if (!strcmp(n, "text"))
			sqlite3_bind_text(st, k + 1, text, -1, SQLITE_TRANSIENT);
		else if (!strcmp(n, "text_source"))
			sqlite3_bind_text(st, k + 1, "text", -1, SQLITE_STATIC);
		else if (!strcmp(n, "date"))
			sqlite3_bind_text(st, k + 1, when, -1, SQLITE_TRANSIENT);
		else if (c[k].type == IFK_COL_BOOL)
			sqlite3_bind_int(st, k + 1, (int)(i & 1));
		else if (!strcmp(n, "attachment_count") || !strcmp(n, "associated_message_type"))
			sqlite3_bind_int(st, k + 1, 0);
	}
	bind_prov(st, ncols, "HomeDomain", "Library/SMS/sms.db", SMS_SHA, "message", i);
	step(st);
}

static void fill_sms(sqlite3 *db, sqlite3_stmt *tl, long long n, int hostile)
{
	char text[256], when[32], summary[320];
	sqlite3_stmt *st;
	long long i;
	int ncols, ms;

	st = artifact_table(db, "sms_messages", &ncols);
	for (i = 1; i <= n; i++) {
		if (hostile && i == 2)
			snprintf(text, sizeof(text), "%s", HOSTILE_TEXT);
		else
			snprintf(text, sizeof(text),
			         "Message %lld: are we still on for lunch at %lld?", i, i % 12 + 1);
		ms = i % 10 == 3 ? 250 : 0;
		iso(BASE_TIME + i * 37, ms, when);
		sms_row(st, ncols, i, text, when);
		snprintf(summary, sizeof(summary), "iMessage from +1555555%04lld: %.200s", i % 500,
		         text);
		timeline_event(tl, BASE_TIME + i * 37, ms, "sms_messages",
		               i % 3 ? "received" : "sent", summary, i, "HomeDomain",
		               "Library/SMS/sms.db", SMS_SHA, "message");
	}
	sqlite3_finalize(st);
}

static void fill_small(sqlite3 *db, sqlite3_stmt *tl)
{
	static const char *const props[][2] = {{"Device Name", "Sample iPhone"},
	                                       {"Product Type", "iPhone12,1"},
	                                       {"Serial Number", "F2LXK0AAHG7F"},
	                                       {"Last Backup Date", "2026-11-28T21:04:11Z"}};
	static const char *const people[] = {"Alice Example", "Bob Example", "Carol Example"};
	sqlite3_stmt *st;
	int ncols, i;

	st = artifact_table(db, "device", &ncols);
	for (i = 0; i < 4; i++) {
		sqlite3_bind_text(st, 1, props[i][0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, props[i][1], -1, SQLITE_STATIC);
		if (i == 3)
			sqlite3_bind_text(st, 3, props[i][1], -1, SQLITE_STATIC);
		bind_prov(st, ncols, "", "Info.plist", INFO_SHA, props[i][0], i + 1);
		step(st);
	}
	sqlite3_finalize(st);
	timeline_event(tl, 1795899851, 0, "device", "backup metadata",
	               "Last Backup Date: 2026-11-28T21:04:11Z", 4, "", "Info.plist", INFO_SHA,
	               "Last Backup Date");
	st = artifact_table(db, "contacts", &ncols);
	for (i = 0; i < 3; i++) {
		sqlite3_bind_text(st, 1, people[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, "Mobile: +1 555 0100", -1, SQLITE_STATIC);
		bind_prov(st, ncols, "HomeDomain", "Library/AddressBook/AddressBook.sqlitedb",
		          ADDR_SHA, "ABPerson", i + 1);
		step(st);
	}
	sqlite3_finalize(st);
	st = artifact_table(db, "calls", &ncols); /* absent: an empty table */
	sqlite3_finalize(st);
}

static void write_yara(const char *dir, int hostile)
{
	char *path = ifk_path_join(dir, "yara.jsonl");
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f,
	        "{\"rule\":\"phone_numbers\",\"namespace\":\"ifk-examples.yar\",\"tags\":[\"pii\"],"
	        "\"meta\":{\"description\":\"%s\"},\"strings\":[{\"id\":\"$phone\",\"offset\":"
	        "1234,\"length\":12,\"data\":\"+15555550101\",\"data_encoding\":\"text\"}],"
	        "\"strings_truncated\":false,\"domain\":\"HomeDomain\",\"relative_path\":"
	        "\"Library/SMS/sms.db\",\"file_id\":\"3d0d7e5fb2ce288813306e4d4636395e047a3d28\","
	        "\"sha256\":\"%s\",\"size\":45056}\n",
	        hostile ? "</script><u>meta</u>" : "North American phone numbers", SMS_SHA);
	fprintf(f,
	        "{\"rule\":\"sqlite_file\",\"namespace\":\"ifk-examples.yar\",\"tags\":[],"
	        "\"meta\":{},\"strings\":[{\"id\":\"$magic\",\"offset\":0,\"length\":4,\"data\":"
	        "\"00ff10ab\",\"data_encoding\":\"hex\"}],\"strings_truncated\":false,"
	        "\"domain\":\"HomeDomain\",\"relative_path\":\"Library/AddressBook/"
	        "AddressBook.sqlitedb\",\"file_id\":\"31bb7ba8914766d4ba40d6dfb6113c8b614be442\","
	        "\"sha256\":\"%s\",\"size\":262144}\n",
	        ADDR_SHA);
	fputs("this line is not JSON\n", f);
	assert_int_equal(fclose(f), 0);
	free(path);
}

/* dir/artifacts.sqlite with n messages (and n + 1 timeline events) and
 * dir/yara.jsonl; returns the database opened read-only. */
static sqlite3 *make_db(const char *dir, long long n, int hostile)
{
	char *path = ifk_path_join(dir, "artifacts.sqlite");
	sqlite3 *db = NULL;
	sqlite3_stmt *tl = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec(db,
	     "PRAGMA journal_mode=OFF; BEGIN;"
	     "CREATE TABLE timeline(ts REAL NOT NULL, time TEXT NOT NULL, artifact TEXT NOT NULL,"
	     " event TEXT NOT NULL, summary TEXT, row_id INTEGER, domain TEXT, relative_path TEXT,"
	     " source_sha256 TEXT, source_table TEXT, source_rowid INTEGER)");
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "INSERT INTO timeline VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	                                    -1, &tl, NULL),
	                 SQLITE_OK);
	fill_small(db, tl);
	fill_sms(db, tl, n, hostile);
	sqlite3_finalize(tl);
	exec(db, "COMMIT");
	sqlite3_close(db);
	write_yara(dir, hostile);
	free(path);
	/* opened as ifk-report opens the staged copy; yara.jsonl is found beside it */
	assert_true(asprintf(&path, "file:%s/artifacts.sqlite?mode=ro&immutable=1", dir) > 0);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL),
	                 SQLITE_OK);
	free(path);
	return db;
}

/* ---- helpers ---- */

struct fixture {
	char *dir;
	sqlite3 *db;
	json_t *model;
};

/* hostile: 1 for hostile text in the model and in the data, 2 in the data
 * only */
static int setup_n(void **state, long long n, int hostile)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = tu_mkdtemp();
	f->db = make_db(f->dir, n, hostile != 0);
	f->model = model(n, hostile == 1, 1);
	assert_non_null(f->model);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_n(state, 250, 0);
}

static int setup_hostile(void **state)
{
	return setup_n(state, 250, 1);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sqlite3_close(f->db);
	json_decref(f->model);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static char *render(const json_t *m, sqlite3 *db, size_t *len)
{
	struct ifk_error err = {0};
	char *buf = NULL;
	size_t n = 0;
	FILE *o = open_memstream(&buf, &n);
	int rc;

	assert_non_null(o);
	rc = ifk_report_html_write(o, m, db, NULL, &err);
	if (rc)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(fclose(o), 0);
	if (len)
		*len = n;
	return buf;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* The JSON of <script type="application/json" id="data-KEY">. */
static json_t *data_block(const char *page, const char *key)
{
	char open[128];
	const char *p, *end;

	snprintf(open, sizeof(open), "<script type=\"application/json\" id=\"data-%s\">", key);
	p = strstr(page, open);
	if (!p)
		return NULL;
	p += strlen(open);
	end = strstr(p, "</script>");
	assert_non_null(end);
	return json_loadb(p, (size_t)(end - p), 0, NULL);
}

static int column(const json_t *d, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(d, "columns"), i, c)
	{
		if (!strcmp(json_string_value(c), name))
			return (int)i;
	}
	return -1;
}

/* ---- tests ---- */

static void test_report_html_shows_every_section(void **state)
{
	struct fixture *f = *state;
	char *page = render(f->model, f->db, NULL);
	const char *tables;

	assert_true(!strncmp(page, "<!DOCTYPE html>\n<html lang=\"en\">", 31));
	assert_non_null(strstr(page, "<meta http-equiv=\"Content-Security-Policy\" content=\""
	                             "default-src 'none'; style-src 'unsafe-inline'; script-src "
	                             "'unsafe-inline'; img-src data:\">"));
	assert_non_null(strstr(page, "<span id=\"case-number\">CASE-7</span>"));
	assert_non_null(strstr(page, "<dd id=\"device-serial\">F2LXK0AAHG7F</dd>"));
	assert_non_null(strstr(page, "<dd id=\"device-model\">iPhone 11 (iPhone12,1)</dd>"));
	assert_non_null(strstr(page, "<dd id=\"acquisition-files\">28</dd>"));
	assert_non_null(
	    strstr(page, "<dd id=\"acquisition-bytes\">798,530 bytes (779.8 KiB)</dd>"));
	assert_non_null(strstr(page, "<td><code>Snapshot/link</code></td><td>../outside</td>"));
	assert_non_null(strstr(page, "<section class=\"card\" id=\"custody\">"));
	assert_int_equal(count(page, "<tr class=\"custody-entry"), 4);
	assert_non_null(strstr(page, "id=\"custody-4\" data-seq=\"4\" data-hash=\""));
	assert_non_null(strstr(page, "<section class=\"card\" id=\"verification\">"));
	assert_non_null(strstr(page, "data-check=\"backup\" data-status=\"warn\""));
	assert_non_null(strstr(page, "Size 120 in the index, 118 bytes stored"));
	assert_non_null(strstr(page, "<table id=\"artifacts-summary\">"));
	assert_non_null(strstr(page, "data-artifact=\"sms_messages\" data-rows=\"250\""));
	assert_non_null(
	    strstr(page, "data-artifact=\"calls\" data-rows=\"0\" data-status=\"absent\""));
	assert_non_null(strstr(page, "<a href=\"#table-sms_messages\">250</a>"));
	assert_non_null(strstr(page, "<a href=\"#custody-3\">entry 3</a>"));
	/* the summary names each source with its hash */
	assert_non_null(
	    strstr(page, "HomeDomain/Library/SMS/sms.db</span><code class=\"hash\">" SMS_SHA));
	assert_non_null(strstr(page, "<a class=\"member\" href=\"parse/sms_messages.jsonl\">"));
	/* data tables for the artifacts with rows, the timeline, YARA, media */
	assert_non_null(strstr(page, "id=\"data-sms_messages\""));
	assert_non_null(strstr(page, "id=\"data-contacts\""));
	assert_non_null(strstr(page, "id=\"data-device\""));
	assert_null(strstr(page, "id=\"data-calls\""));
	assert_non_null(strstr(page, "id=\"data-timeline\""));
	assert_non_null(strstr(page, "id=\"data-yara\""));
	assert_non_null(strstr(page, "id=\"data-media\""));
	assert_non_null(strstr(page, "<noscript>"));
	/* without JavaScript: every summary section is HTML before the first script */
	tables = strstr(page, "</table></div>\n</section>\n<section class=\"card\" id=\"tables\">");
	assert_non_null(tables);
	assert_true(strstr(page, "<script") > tables);
	assert_true(ifk_utf8_valid(page, strlen(page)));
	assert_true(!strcmp(page + strlen(page) - 16, "</body>\n</html>\n"));
	free(page);
}

static void test_report_html_data_blocks_hold_every_row_with_provenance(void **state)
{
	struct fixture *f = *state;
	char *page = render(f->model, f->db, NULL);
	json_t *sms = data_block(page, "sms_messages"), *tl = data_block(page, "timeline");
	json_t *yara = data_block(page, "yara"), *row;
	int text = column(sms, "text"), sha = column(sms, "source_sha256");

	assert_non_null(sms);
	assert_int_equal(json_array_size(json_object_get(sms, "rows")), 250);
	assert_int_equal(json_integer_value(json_object_get(sms, "count")), 250);
	assert_int_equal(column(sms, "row_id"), 0);
	assert_true(column(sms, "domain") > 0 && column(sms, "relative_path") > 0 && sha > 0 &&
	            column(sms, "source_table") > 0 && column(sms, "source_rowid") > 0);
	row = json_array_get(json_object_get(sms, "rows"), 249);
	assert_int_equal(json_integer_value(json_array_get(row, 0)), 250);
	assert_string_equal(json_string_value(json_array_get(row, text)),
	                    "Message 250: are we still on for lunch at 11?");
	assert_string_equal(json_string_value(json_array_get(row, sha)), SMS_SHA);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(sms, "types"), column(sms, "date"))),
	    "time");
	assert_string_equal(json_string_value(json_array_get(json_object_get(sms, "types"),
	                                                     column(sms, "is_read"))),
	                    "bool");
	/* the timeline in time order, its rows leading to their artifact */
	assert_int_equal(json_array_size(json_object_get(tl, "rows")), 251);
	assert_string_equal(json_string_value(json_object_get(tl, "rowlink")), "artifact");
	row = json_array_get(json_object_get(tl, "rows"), 0);
	assert_string_equal(json_string_value(json_array_get(row, 0)), "2023-06-15T10:00:37Z");
	/* YARA: two matches and the unreadable line, shown as such */
	assert_int_equal(json_array_size(json_object_get(yara, "rows")), 3);
	row = json_array_get(json_object_get(yara, "rows"), 1);
	assert_string_equal(json_string_value(json_array_get(row, column(yara, "matches"))),
	                    "$magic@0+4: hex 00ff10ab");
	row = json_array_get(json_object_get(yara, "rows"), 2);
	assert_string_equal(json_string_value(json_array_get(row, 0)),
	                    "(line 3 of yara.jsonl is not a JSON object)");
	json_decref(sms);
	json_decref(tl);
	json_decref(yara);
	free(page);
}

static void test_report_html_hostile_text_cannot_leave_its_element(void **state)
{
	struct fixture *f = *state;
	char *page = render(f->model, f->db, NULL);
	json_t *sms = data_block(page, "sms_messages"), *yara = data_block(page, "yara");
	const char *text;

	/* nothing in the data ends or opens an element */
	assert_null(strstr(page, "PWNED'</script>"));
	assert_null(strstr(page, "<script>document"));
	assert_null(strstr(page, "<!--"));
	assert_null(strstr(page, "<u>"));
	assert_int_equal(count(page, "<script"), count(page, "</script>"));
	assert_non_null(strstr(page, "\\u003c/script\\u003e\\u003cscript\\u003edocument.title="));
	/* U+2028 escaped in the data; no raw one anywhere */
	assert_non_null(strstr(page, "\\u2028"));
	assert_null(strstr(page, "\xe2\x80\xa8"));
	/* the model's text escaped in HTML */
	assert_non_null(strstr(page, "&lt;img src=x onerror=alert(1)&gt; iPhone"));
	assert_null(strstr(page, "<img"));
	assert_non_null(strstr(page, "Ann &quot;O&#39;Brien&quot; &amp; &lt;Co&gt;"));
	assert_non_null(strstr(page, "&lt;/td&gt;&lt;u&gt;lab"));
	/* the page stays UTF-8; the invalid byte becomes the text \xff */
	assert_true(ifk_utf8_valid(page, strlen(page)));
	assert_non_null(sms);
	text = json_string_value(
	    json_array_get(json_array_get(json_object_get(sms, "rows"), 1), column(sms, "text")));
	assert_string_equal(text, "</script><script>document.title='PWNED'</script><!--<script> "
	                          "\xe2\x80\xa8 \\xff \"'&<>");
	assert_non_null(yara);
	assert_non_null(strstr(
	    json_string_value(json_array_get(json_array_get(json_object_get(yara, "rows"), 0), 3)),
	    "</script><u>meta</u>"));
	json_decref(sms);
	json_decref(yara);
	free(page);
}

static void test_report_html_is_deterministic(void **state)
{
	struct fixture *f = *state;
	size_t n1, n2;
	char *a = render(f->model, f->db, &n1), *b;

	sleep(1); /* a clock in the output would show */
	b = render(f->model, f->db, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	free(a);
	free(b);
}

/* Each src=, href=, action= value is a fragment or a relative member name. */
static void check_links(const char *page, const char *attr)
{
	const char *p = page, *end;

	while ((p = strstr(p, attr))) {
		p += strlen(attr);
		end = strchr(p, '"');
		assert_non_null(end);
		if (*p != '#') {
			assert_true(end > p && *p != '/');
			assert_null(memchr(p, ':', (size_t)(end - p)));
		}
		p = end;
	}
}

static void test_report_html_references_nothing_outside(void **state)
{
	struct fixture *f = *state;
	char *page = render(f->model, f->db, NULL);
	const char *p = page;

	assert_null(strstr(page, "http://"));
	assert_null(strstr(page, "https://"));
	assert_null(strstr(page, "@import"));
	assert_null(strstr(page, "<link"));
	assert_null(strstr(page, "<iframe"));
	assert_null(strstr(page, "<object"));
	assert_null(strstr(page, "<embed"));
	assert_null(strstr(page, "src=\"//"));
	assert_null(strstr(page, "href=\"//"));
	while ((p = strstr(p, "url(")))
		assert_true(!strncmp(p += 4, "data:", 5));
	check_links(page, "src=\"");
	check_links(page, "href=\"");
	check_links(page, "action=\"");
	assert_non_null(strstr(page, "href=\"custody/ifk-custody.log\""));
	free(page);
}

static void test_report_html_without_parse(void **state)
{
	json_t *m = model(0, 0, 0);
	char *page;

	assert_non_null(m);
	page = render(m, NULL, NULL);

	(void)state;
	assert_non_null(strstr(page, "id=\"no-parse\""));
	assert_null(strstr(page, "id=\"artifacts-summary\""));
	assert_null(strstr(page, "id=\"data-timeline\""));
	assert_null(strstr(page, "id=\"data-yara\""));
	assert_non_null(strstr(page, "id=\"data-media\""));
	assert_int_equal(count(page, "<tr class=\"custody-entry"), 4);
	assert_non_null(strstr(page, "<dd id=\"device-serial\">F2LXK0AAHG7F</dd>"));
	assert_true(!strcmp(page + strlen(page) - 8, "</html>\n"));
	json_decref(m);
	free(page);
}

static void test_report_html_missing_yara_file_fails(void **state)
{
	struct fixture *f = *state;
	struct ifk_error err = {0};
	char *path = ifk_path_join(f->dir, "yara.jsonl");
	FILE *o = fopen("/dev/null", "w");

	assert_int_equal(unlink(path), 0);
	assert_int_equal(ifk_report_html_write(o, f->model, f->db, NULL, &err), IFK_ENOTFOUND);
	assert_non_null(strstr(err.msg, "yara.jsonl"));
	fclose(o);
	free(path);
}

static void test_report_html_write_error_is_reported(void **state)
{
	struct fixture *f = *state;
	struct ifk_error err = {0};
	FILE *o = fopen("/dev/full", "w");

	assert_non_null(o);
	assert_int_equal(ifk_report_html_write(o, f->model, f->db, NULL, &err), IFK_EIO);
	assert_non_null(strstr(err.msg, "report.html: write failed"));
	fclose(o);
	assert_int_equal(ifk_report_html_write(NULL, f->model, f->db, NULL, &err), IFK_EINVAL);
}

/* A stream that keeps nothing: counts bytes, remembers the last ones and
 * samples the heap in use at every write. */
struct sink {
	unsigned long long bytes;
	size_t heap_peak;
	char tail[32];
};

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct sink *s = cookie;
	struct mallinfo2 mi = mallinfo2();
	size_t keep = n < sizeof(s->tail) - 1 ? n : sizeof(s->tail) - 1;

	if (mi.uordblks > s->heap_peak)
		s->heap_peak = mi.uordblks;
	s->bytes += n;
	memmove(s->tail, s->tail + keep, sizeof(s->tail) - 1 - keep);
	memcpy(s->tail + sizeof(s->tail) - 1 - keep, buf + n - keep, keep);
	return (ssize_t)n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int setup_100k(void **state)
{
	return setup_n(state, 100000, 1);
}

static void test_report_html_streams_100000_rows_in_bounded_memory(void **state)
{
	struct fixture *f = *state;
	struct sink s = {0};
	cookie_io_functions_t io = {NULL, sink_write, NULL, NULL};
	struct ifk_error err = {0};
	FILE *o = fopencookie(&s, "w", io);
	size_t base;
	double t0;

	assert_non_null(o);
	setvbuf(o, NULL, _IOFBF, 1 << 16);
	base = mallinfo2().uordblks;
	t0 = now();
	assert_int_equal(ifk_report_html_write(o, f->model, f->db, NULL, &err), 0);
	assert_int_equal(fclose(o), 0);
	print_message("100,000 messages and 100,001 timeline events: %.1f MB in %.2f s\n",
	              s.bytes / 1e6, now() - t0);
	assert_true(s.bytes > 100000ULL * 2 * 150);
	assert_string_equal(s.tail + sizeof(s.tail) - 1 - 16, "</body>\n</html>\n");
	if (base == 0) { /* a sanitizer's allocator: mallinfo2 tells nothing */
		print_message("heap use not measurable under this allocator\n");
		return;
	}
	print_message("heap in use grew by at most %zu KiB while writing\n",
	              (s.heap_peak - base) / 1024);
	assert_true(s.heap_peak - base < 8u * 1024 * 1024);
}

/* ---- the style sheet and script (lib/report/assets/) ---- */

/* lib/report/assets/NAME of the source tree, as it is now. */
static uint8_t *asset_file(const char *name, size_t *len)
{
	const char *src = getenv("IFK_SOURCE_DIR");
	char path[4096];
	uint8_t *data;

	if (!src)
		fail_msg("IFK_SOURCE_DIR is not set (run through ctest)");
	snprintf(path, sizeof(path), "%s/lib/report/assets/%s", src, name);
	data = tu_read_file(path, len);
	if (!data)
		fail_msg("cannot read %s", path);
	return data;
}

static const struct r_asset *embedded(const char *name)
{
	const struct r_asset *const *a;

	for (a = r_assets; *a; a++)
		if (!strcmp((*a)->name, name))
			return *a;
	return NULL;
}

/* 1 for the name of a style sheet or script (what the build embeds). */
static int is_asset(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 4 && !strcmp(name + n - 4, ".css")) ||
	                          (n > 3 && !strcmp(name + n - 3, ".js")));
}

/* libifk holds every style sheet and script of lib/report/assets/, byte
 * for byte as the source tree has it now: a build that embedded an older
 * copy fails. */
static void test_report_html_embeds_the_asset_files_as_they_are(void **state)
{
	const char *src = getenv("IFK_SOURCE_DIR");
	const struct r_asset *a;
	struct dirent *e;
	char path[4096];
	uint8_t *data;
	size_t len;
	int files = 0, listed = 0;
	DIR *d;
	(void)state;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/lib/report/assets", src);
	assert_non_null(d = opendir(path));
	while ((e = readdir(d))) {
		if (!is_asset(e->d_name))
			continue;
		files++;
		a = embedded(e->d_name);
		if (!a)
			fail_msg("lib/report/assets/%s is not embedded", e->d_name);
		data = asset_file(e->d_name, &len);
		if (a->size != len || memcmp(a->data, data, len))
			fail_msg(
			    "the embedded %s (%zu bytes) is not lib/report/assets/%s (%zu bytes)",
			    a->name, a->size, e->d_name, len);
		assert_int_equal(a->data[a->size], 0);
		free(data);
	}
	closedir(d);
	while (r_assets[listed])
		listed++;
	assert_int_equal(listed, files);
	assert_true(files >= 2);
}

/* The page holds report.css in its one style element and report.js in the
 * script element that ends it, as the files are. */
static void test_report_html_holds_the_style_sheet_and_script(void **state)
{
	struct fixture *f = *state;
	size_t n, css_len, js_len;
	char *page = render(f->model, f->db, &n), *want = NULL;
	uint8_t *css = asset_file("report.css", &css_len), *js = asset_file("report.js", &js_len);

	assert_int_equal(count(page, "<style>"), 1);
	assert_true(asprintf(&want, "</title>\n<style>\n%s</style>\n</head>\n", css) > 0);
	assert_non_null(strstr(page, want));
	free(want);
	assert_true(asprintf(&want, "<script>\n%s</script>\n</body>\n</html>\n", js) > 0);
	assert_true(n > strlen(want));
	assert_string_equal(page + n - strlen(want), want);
	free(want);
	free(css);
	free(js);
	free(page);
}

/* ---- the page for the end-to-end test ---- */

static long peak_rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static int write_page(const char *out)
{
	const char *rows_env = getenv("IFK_HTML_ROWS");
	long long rows = rows_env ? atoll(rows_env) : 100000;
	struct fixture *f = NULL;
	struct ifk_error err = {0};
	FILE *o, *clear;
	struct stat st;
	char *model_out = NULL;
	double t0, secs;
	int rc;

	setup_n((void **)&f, rows, 2);
	o = fopen(out, "w");
	if (!o)
		return 3;
	clear = fopen("/proc/self/clear_refs", "w"); /* "5" resets the peak RSS */
	if (clear) {
		fputs("5", clear);
		fclose(clear);
	}
	t0 = now();
	rc = ifk_report_html_write(o, f->model, f->db, NULL, &err);
	if (fclose(o) != 0 && !rc)
		rc = IFK_EIO;
	secs = now() - t0;
	printf("rows=%lld bytes=%lld seconds=%.2f peak_rss_kb=%ld\n", rows,
	       stat(out, &st) ? -1LL : (long long)st.st_size, secs, peak_rss_kb());
	/* the model beside the page, for the test to compare the page with */
	if (asprintf(&model_out, "%s.model.json", out) < 0 ||
	    json_dump_file(f->model, model_out, JSON_INDENT(1)) != 0)
		rc = rc ? rc : IFK_EIO;
	if (rc)
		fprintf(stderr, "test_report_html: %s\n", err.msg);
	teardown((void **)&f);
	free(model_out);
	return rc ? 1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_report_html_shows_every_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_report_html_data_blocks_hold_every_row_with_provenance, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_html_hostile_text_cannot_leave_its_element,
	                                    setup_hostile, teardown),
	    cmocka_unit_test_setup_teardown(test_report_html_is_deterministic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_html_references_nothing_outside,
	                                    setup_hostile, teardown),
	    cmocka_unit_test(test_report_html_without_parse),
	    cmocka_unit_test_setup_teardown(test_report_html_missing_yara_file_fails, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_report_html_write_error_is_reported, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_report_html_streams_100000_rows_in_bounded_memory,
	                                    setup_100k, teardown),
	    cmocka_unit_test(test_report_html_embeds_the_asset_files_as_they_are),
	    cmocka_unit_test_setup_teardown(test_report_html_holds_the_style_sheet_and_script,
	                                    setup, teardown),
	};

	if (getenv("IFK_HTML_OUT"))
		return write_page(getenv("IFK_HTML_OUT"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
