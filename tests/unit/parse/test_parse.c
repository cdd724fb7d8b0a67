/* The artifact runner: time formats, typed rows with provenance in
 * artifacts.sqlite and the jsonl, the timeline, statuses, schema checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "artifact.h"
#include "parse_int.h"
#include "core.h"
#include "testutil.h"

static void test_time_format_whole_and_fraction(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(ifk_time_format(1686823200.0, out), 0);
	assert_string_equal(out, "2023-06-15T10:00:00Z");
	assert_int_equal(ifk_time_format(1686823200.25, out), 0);
	assert_string_equal(out, "2023-06-15T10:00:00.250Z");
	assert_int_equal(ifk_time_format(1686823200.9996, out), 0);
	assert_string_equal(out, "2023-06-15T10:00:01Z");
	assert_int_equal(ifk_time_format(-1.5, out), 0);
	assert_string_equal(out, "1969-12-31T23:59:58.500Z");
	assert_int_equal(ifk_time_format(NAN, out), -1);
	assert_string_equal(out, "");
	assert_int_equal(ifk_time_format(1e300, out), -1);
	assert_int_equal(ifk_time_format(-1e13, out), -1);
}

static void test_cocoa_time_seconds_and_nanoseconds(void **state)
{
	char out[32];

	(void)state;
	/* 2023-06-15T10:00:00Z as Cocoa seconds and as Cocoa nanoseconds */
	assert_true(ifk_cocoa_time(708516000.0) == 1686823200.0);
	assert_true(ifk_cocoa_time(708516000.0 * 1e9) == 1686823200.0);
	ifk_time_format(ifk_cocoa_time(708516000500000000.0), out);
	assert_string_equal(out, "2023-06-15T10:00:00.500Z");
	assert_true(isnan(ifk_cocoa_time(0)));
	assert_true(isnan(ifk_cocoa_time(INFINITY)));
	/* before 2001: negative Cocoa seconds are still seconds */
	ifk_time_format(ifk_cocoa_time(-31622400.0), out);
	assert_string_equal(out, "2000-01-01T00:00:00Z");
}

/* ---- a test artifact exercising the row API ---- */

static const struct ifk_col t_cols[] = {
    {"name", IFK_COL_TEXT}, {"n", IFK_COL_INT},     {"x", IFK_COL_REAL},
    {"flag", IFK_COL_BOOL}, {"when", IFK_COL_TIME}, {NULL, 0},
};
static const struct ifk_art_source t_sources[] = {{"HomeDomain", "Library/t.db"}, {NULL, NULL}};

static int t_parse(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_src *s = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = ifk_art_sqlite(a, "HomeDomain", "Library/t.db", &s, &db, err);

	if (rc)
		return rc;
	rc = ifk_art_require(a, s, db, "t", "id,name,n,x,flag,d", err);
	if (!rc && sqlite3_prepare_v2(db, "SELECT id, name, n, x, flag, d FROM t ORDER BY id", -1,
	                              &st, NULL) != SQLITE_OK)
		rc = ifk_error_set(err, IFK_EFORMAT, "t.db: %s", sqlite3_errmsg(db));
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		ifk_row_col_text(a, "name", st, 1);
		ifk_row_col_int(a, "n", st, 2);
		ifk_row_col_real(a, "x", st, 3);
		ifk_row_bool(a, "flag", sqlite3_column_int(st, 4));
		ifk_row_col_cocoa(a, "when", st, 5);
		ifk_row_event(a, "when", "happened", (const char *)sqlite3_column_text(st, 1));
		rc = ifk_row_emit(a, s, "t", sqlite3_column_int64(st, 0), err);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

static const struct ifk_artifact t_art = {"t_rows", "Test rows", "1", t_sources, t_cols, t_parse};

static int bad_parse(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_src *s = NULL;
	sqlite3 *db = NULL;
	int rc = ifk_art_sqlite(a, "HomeDomain", "Library/t.db", &s, &db, err);

	if (!rc) {
		ifk_row_text(a, "no_such_column", "x");
		rc = ifk_row_emit(a, s, "t", 1, err);
	}
	sqlite3_close(db);
	return rc;
}

static const struct ifk_artifact bad_art = {"t_bad", "Bad", "1", t_sources, t_cols, bad_parse};

struct fx {
	char *dir, *out, *db;
};

static void make_db(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = tu_mkdtemp();
	assert_true(asprintf(&f->out, "%s/out", f->dir) > 0);
	assert_true(asprintf(&f->db, "%s/t.db", f->dir) > 0);
	assert_int_equal(mkdir(f->out, 0700), 0);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	tu_rmtree(f->dir);
	free(f->dir);
	free(f->out);
	free(f->db);
	free(f);
	return 0;
}

static char *query1(const char *dbpath, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *r = NULL;

	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		r = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}

static json_t *run_one(struct fx *f, const struct ifk_artifact *art, int add)
{
	struct ifk_parse_ctx *c = NULL;
	struct ifk_error err = {0};
	json_t *st = NULL;

	assert_int_equal(ifk_parse_ctx_new(f->out, &c, &err), 0);
	if (add)
		assert_int_equal(
		    ifk_parse_ctx_add_file(c, "HomeDomain", "Library/t.db", f->db, &err), 0);
	assert_int_equal(ifk_parse_ctx_run(c, art, &st, &err), 0);
	assert_int_equal(ifk_parse_ctx_finish(c, &err), 0);
	ifk_parse_ctx_free(c);
	return st;
}

static void test_rows_typed_with_provenance(void **state)
{
	struct fx *f = *state;
	char *path = NULL, *v, hex[65], *file;
	size_t len;
	json_t *st;

	make_db(f->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name, n, x, flag, d);"
	               "INSERT INTO t VALUES (7, 'Café, \"quoted\"\nline', 42, 2.5, 1, 708516000);"
	               "INSERT INTO t VALUES (9, X'66FF6F', 'not a number', NULL, 0, 0);");
	st = run_one(f, &t_art, 1);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "ok");
	assert_int_equal(json_integer_value(json_object_get(st, "rows")), 2);
	file = (char *)tu_read_file(f->db, &len);
	ifk_sha256_hex(file, len, hex);
	free(file);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(st, "sources"), 0), "sha256")),
	                    hex);
	json_decref(st);
	assert_true(asprintf(&path, "%s/artifacts.sqlite", f->out) > 0);
	v = query1(path, "SELECT name || '|' || n || '|' || x || '|' || flag || '|' || \"when\""
	                 " || '|' || domain || '|' || relative_path || '|' || source_table || '|'"
	                 " || source_rowid FROM t_rows WHERE source_rowid = 7");
	assert_string_equal(v, "Café, \"quoted\"\nline|42|2.5|1|2023-06-15T10:00:00Z|HomeDomain|"
	                       "Library/t.db|t|7");
	free(v);
	v = query1(path, "SELECT source_sha256 FROM t_rows WHERE source_rowid = 7");
	assert_string_equal(v, hex);
	free(v);
	/* invalid UTF-8 is kept, escaped; a number column given text stays NULL */
	v = query1(path, "SELECT name || '|' || quote(n) || '|' || quote(\"when\") FROM t_rows"
	                 " WHERE source_rowid = 9");
	assert_string_equal(v, "f\\xffo|NULL|NULL");
	free(v);
	v = query1(path, "SELECT count(*) || ' ' || time || ' ' || event FROM timeline");
	assert_string_equal(v, "1 2023-06-15T10:00:00Z happened");
	free(v);
	free(path);
}

static void test_jsonl_and_timeline_csv(void **state)
{
	struct fx *f = *state;
	char *path = NULL, *text;
	size_t len;

	make_db(f->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name, n, x, flag, d);"
	               "INSERT INTO t VALUES (1, 'late', 1, 1, 1, 708516100);"
	               "INSERT INTO t VALUES (2, 'a, \"b\"\nc', 2, 2, 0, 708516000.5);");
	json_decref(run_one(f, &t_art, 1));
	assert_true(asprintf(&path, "%s/t_rows.jsonl", f->out) > 0);
	text = (char *)tu_read_file(path, &len);
	assert_non_null(strstr(text, "{\"row_id\":1,\"name\":\"late\",\"n\":1,\"x\":1.0,"
	                             "\"flag\":true,\"when\":\"2023-06-15T10:01:40Z\","
	                             "\"domain\":\"HomeDomain\""));
	assert_non_null(strstr(text, "\"source_table\":\"t\",\"source_rowid\":2}\n"));
	free(text);
	free(path);
	assert_true(asprintf(&path, "%s/timeline.csv", f->out) > 0);
	text = (char *)tu_read_file(path, &len);
	/* sorted by time, one line each, quoted as CSV, newlines made blanks */
	assert_non_null(strstr(text,
	                       "time,artifact,event,summary,row_id,domain,relative_path,"
	                       "source_sha256,source_table,source_rowid\n"
	                       "2023-06-15T10:00:00.500Z,t_rows,happened,\"a, \"\"b\"\" c\",2,"
	                       "HomeDomain,Library/t.db,"));
	assert_non_null(strstr(text, "\n2023-06-15T10:01:40Z,t_rows,happened,late,1,"));
	free(text);
	free(path);
}

/* Each jsonl line is what jansson itself writes for that object
 * (JSON_COMPACT): escapes, numbers and key order, line by line. */
static void assert_jansson_lines(const char *path, size_t want_lines)
{
	size_t len, n = 0;
	char *text = (char *)tu_read_file(path, &len), *line, *nl;

	assert_non_null(text);
	for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		json_error_t je;
		json_t *o;
		char *again;
		*nl = '\0';
		o = json_loads(line, JSON_REJECT_DUPLICATES, &je);
		assert_non_null(o);
		again = json_dumps(o, JSON_COMPACT);
		assert_string_equal(again, line);
		free(again);
		json_decref(o);
		n++;
	}
	assert_int_equal(n, want_lines);
	free(text);
}

static void test_jsonl_as_jansson_writes_it(void **state)
{
	struct fx *f = *state;
	char *path = NULL;

	make_db(f->db,
	        "CREATE TABLE t(id INTEGER PRIMARY KEY, name, n, x, flag, d);"
	        "INSERT INTO t VALUES (1, 'tab' || char(9) || 'cr' || char(13) || 'bs' ||"
	        " char(8) || 'ff' || char(12) || 'ctl' || char(1, 31, 127) || '\\ \"q\" /',"
	        " 9223372036854775807, 0.1, 1, 708516000.25);"
	        "INSERT INTO t VALUES (2, 'Café 💾 ✓', -9223372036854775808, 1e300, 0, 1);"
	        "INSERT INTO t VALUES (3, '', 0, -2.5e-10, 0, NULL);"
	        "INSERT INTO t VALUES (4, NULL, NULL, 123456789.123, 1, 0);"
	        "INSERT INTO t VALUES (5, 'x', 1, 5, 1, 0);");
	json_decref(run_one(f, &t_art, 1));
	assert_true(asprintf(&path, "%s/t_rows.jsonl", f->out) > 0);
	assert_jansson_lines(path, 5);
	free(path);
}

static void test_status_absent_unsupported_failed(void **state)
{
	struct fx *f = *state;
	json_t *st;

	st = run_one(f, &t_art, 0);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "absent");
	assert_int_equal(json_integer_value(json_object_get(st, "rows")), 0);
	json_decref(st);
	tu_rmtree(f->out);
	mkdir(f->out, 0700);

	make_db(f->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name, n);");
	st = run_one(f, &t_art, 1);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "unsupported-schema");
	assert_string_equal(json_string_value(json_object_get(st, "reason")),
	                    "Library/t.db: table t lacks column(s) x, flag, d");
	json_decref(st);
	tu_rmtree(f->out);
	mkdir(f->out, 0700);

	tu_write_file(f->db, "SQLite format 3\0garbage garbage garbage", 40);
	st = run_one(f, &t_art, 1);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(st, "reason")), "Library/t.db"));
	json_decref(st);
}

/* A source the index lists that the backup does not store, or whose class
 * key stays on the device, is not "absent". */
static void test_status_missing_and_not_decryptable(void **state)
{
	static const char *const states[] = {"missing", "not-decryptable-off-device"};
	static const char *const statuses[] = {"missing", "not_decryptable"};
	static const char *const reasons[] = {"not stored in the backup", "off the device"};
	struct fx *f = *state;
	struct ifk_parse_ctx *c = NULL;
	struct ifk_error err = {0};
	json_t *st = NULL;
	int i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(ifk_parse_ctx_new(f->out, &c, &err), 0);
		assert_int_equal(ifk_parse_ctx_add_unreadable(c, "HomeDomain", "Library/t.db",
		                                              states[i], &err),
		                 0);
		assert_int_equal(ifk_parse_ctx_run(c, &t_art, &st, &err), 0);
		assert_string_equal(json_string_value(json_object_get(st, "status")), statuses[i]);
		assert_non_null(strstr(json_string_value(json_object_get(st, "reason")), reasons[i]));
		assert_int_equal(json_integer_value(json_object_get(st, "rows")), 0);
		json_decref(st);
		ifk_parse_ctx_free(c);
		tu_rmtree(f->out);
		mkdir(f->out, 0700);
	}
	assert_int_equal(ifk_parse_ctx_new(f->out, &c, &err), 0);
	assert_int_equal(ifk_parse_ctx_add_unreadable(c, "HomeDomain", "x", "ok", &err), IFK_EINVAL);
	ifk_parse_ctx_free(c);
}

static void test_unknown_column_fails_the_artifact(void **state)
{
	struct fx *f = *state;
	json_t *st;

	make_db(f->db, "CREATE TABLE t(id);");
	st = run_one(f, &bad_art, 1);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "failed");
	assert_string_equal(json_string_value(json_object_get(st, "reason")),
	                    "internal: no column no_such_column");
	json_decref(st);
}

static void test_wal_is_applied_to_a_private_copy(void **state)
{
	struct fx *f = *state;
	char *wal = NULL, *copy_db = NULL, *copy_wal = NULL, *v, *path = NULL;
	sqlite3 *db = NULL;
	size_t len;
	uint8_t *b;
	json_t *st, *src;

	/* a database whose last rows live only in its WAL */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_exec(db,
	             "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
	             "CREATE TABLE t(id INTEGER PRIMARY KEY, name, n, x, flag, d);"
	             "INSERT INTO t VALUES (1, 'main', 1, 1, 1, 708516000);"
	             "PRAGMA wal_checkpoint(TRUNCATE);"
	             "INSERT INTO t VALUES (2, 'wal only', 2, 2, 0, 708516000);",
	             NULL, NULL, NULL);
	assert_true(asprintf(&wal, "%s-wal", f->db) > 0);
	assert_true(asprintf(&copy_db, "%s/ev.db", f->dir) > 0);
	assert_true(asprintf(&copy_wal, "%s/ev.db-wal", f->dir) > 0);
	b = tu_read_file(f->db, &len);
	tu_write_file(copy_db, b, len);
	free(b);
	b = tu_read_file(wal, &len);
	assert_true(len > 32);
	tu_write_file(copy_wal, b, len);
	free(b);
	sqlite3_close(db);

	{
		struct ifk_parse_ctx *c = NULL;
		struct ifk_error err = {0};
		assert_int_equal(ifk_parse_ctx_new(f->out, &c, &err), 0);
		ifk_parse_ctx_add_file(c, "HomeDomain", "Library/t.db", copy_db, &err);
		ifk_parse_ctx_add_file(c, "HomeDomain", "Library/t.db-wal", copy_wal, &err);
		assert_int_equal(ifk_parse_ctx_run(c, &t_art, &st, &err), 0);
		ifk_parse_ctx_finish(c, &err);
		ifk_parse_ctx_free(c);
	}
	assert_int_equal(json_integer_value(json_object_get(st, "rows")), 2);
	src = json_array_get(json_object_get(st, "sources"), 0);
	assert_true(json_is_true(json_object_get(src, "wal_applied")));
	assert_int_equal(json_array_size(json_object_get(st, "sources")), 1);
	json_decref(st);
	assert_true(asprintf(&path, "%s/artifacts.sqlite", f->out) > 0);
	v = query1(path, "SELECT name FROM t_rows WHERE source_rowid = 2");
	assert_string_equal(v, "wal only");
	free(v);
	/* the evidence copies were not touched: the WAL is still there, whole */
	b = tu_read_file(copy_wal, &len);
	assert_true(len > 32);
	free(b);
	free(path);
	free(wal);
	free(copy_db);
	free(copy_wal);
}

/* A WAL whose frames fail their checksums is ignored by SQLite: parse.json
 * must not claim it was applied. */
static void test_damaged_wal_is_not_claimed(void **state)
{
	struct fx *f = *state;
	char *wal = NULL, *copy_db = NULL, *copy_wal = NULL, *v, *path = NULL;
	struct ifk_parse_ctx *c = NULL;
	struct ifk_error err = {0};
	sqlite3 *db = NULL;
	uint8_t *b;
	size_t len;
	json_t *st, *src;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_exec(db,
	             "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
	             "CREATE TABLE t(id INTEGER PRIMARY KEY, name, n, x, flag, d);"
	             "INSERT INTO t VALUES (1, 'main', 1, 1, 1, 708516000);"
	             "PRAGMA wal_checkpoint(TRUNCATE);"
	             "INSERT INTO t VALUES (2, 'wal only', 2, 2, 0, 708516000);",
	             NULL, NULL, NULL);
	assert_true(asprintf(&wal, "%s-wal", f->db) > 0);
	assert_true(asprintf(&copy_db, "%s/ev.db", f->dir) > 0);
	assert_true(asprintf(&copy_wal, "%s/ev.db-wal", f->dir) > 0);
	b = tu_read_file(f->db, &len);
	tu_write_file(copy_db, b, len);
	free(b);
	b = tu_read_file(wal, &len);
	assert_true(len > 32 + 24);
	b[32 + 16] ^= 0xff; /* the first frame's checksum */
	tu_write_file(copy_wal, b, len);
	free(b);
	sqlite3_close(db);

	assert_int_equal(ifk_parse_ctx_new(f->out, &c, &err), 0);
	ifk_parse_ctx_add_file(c, "HomeDomain", "Library/t.db", copy_db, &err);
	ifk_parse_ctx_add_file(c, "HomeDomain", "Library/t.db-wal", copy_wal, &err);
	assert_int_equal(ifk_parse_ctx_run(c, &t_art, &st, &err), 0);
	ifk_parse_ctx_finish(c, &err);
	ifk_parse_ctx_free(c);
	assert_int_equal(json_integer_value(json_object_get(st, "rows")), 1);
	src = json_array_get(json_object_get(st, "sources"), 0);
	assert_true(json_is_false(json_object_get(src, "wal_applied")));
	assert_int_equal(json_integer_value(json_object_get(src, "wal_frames")), 0);
	assert_true(json_integer_value(json_object_get(src, "wal_bytes")) > 32);
	json_decref(st);
	assert_true(asprintf(&path, "%s/artifacts.sqlite", f->out) > 0);
	v = query1(path, "SELECT name FROM t_rows");
	assert_string_equal(v, "main");
	free(v);
	free(path);
	free(wal);
	free(copy_db);
	free(copy_wal);
}

/* A view in place of a table is not the table (its query could run for
 * ever, and no iOS database has one there): the artifact fails at once,
 * saying so. */
static void test_view_is_not_a_table(void **state)
{
	struct fx *f = *state;
	json_t *st;

	make_db(f->db,
	        "CREATE VIEW t AS WITH RECURSIVE r(id) AS (SELECT 1 UNION ALL SELECT id + 1"
	        " FROM r) SELECT id, 'x' AS name, 1 AS n, 1 AS x, 1 AS flag, 1 AS d FROM r;");
	st = run_one(f, &t_art, 1);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "failed");
	assert_string_equal(json_string_value(json_object_get(st, "reason")),
	                    "hostile or damaged: Library/t.db: \"t\" is a view or a virtual table, "
	                    "not a table (ifk reads tables only)");
	json_decref(st);
}

/* Inserts row id with name = n bytes of c (bound, not SQL text). */
static void insert_name(const char *path, int id, int c, size_t n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *v = malloc(n);

	assert_non_null(v);
	memset(v, c, n);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, 1, 1, 1, 708516000)",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int(st, 1, id);
	sqlite3_bind_text(st, 2, v, (int)n, free);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static off_t file_size(const char *dir, const char *name)
{
	char path[600];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* A value that is not UTF-8 grows fourfold as it is escaped: past 16 MiB
 * the row is not written and the artifact fails, keeping the rows before. */
static void test_cell_over_the_cap_fails_the_artifact(void **state)
{
	struct fx *f = *state;
	json_t *st;

	make_db(f->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name, n, x, flag, d);"
	               "INSERT INTO t VALUES (1, 'fine', 1, 1, 1, 708516000);");
	insert_name(f->db, 2, 0xFF, 5u << 20);
	make_db(f->db, "INSERT INTO t VALUES (3, 'after', 1, 1, 1, 708516000);");
	st = run_one(f, &t_art, 1);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "failed");
	assert_string_equal(json_string_value(json_object_get(st, "reason")),
	                    "hostile or damaged: Library/t.db: t rowid 2: name holds 20971520 "
	                    "bytes, over ifk's cap of 16 MiB per cell");
	assert_int_equal(json_integer_value(json_object_get(st, "rows")), 1);
	assert_true(json_is_true(json_object_get(st, "partial")));
	json_decref(st);
	assert_true(file_size(f->out, "t_rows.jsonl") < 4096);
}

/* A column added with a large DEFAULT gives every short row that value:
 * a file of 1 MiB would write a gigabyte. The artifact stops at its cap
 * (256 MiB + 64 times its sources' bytes) and fails. */
static void test_output_cap_stops_the_artifact(void **state)
{
	struct fx *f = *state;
	size_t n = 900u << 10;
	char *sql = malloc(n + 100);
	json_int_t rows;
	off_t total;
	json_t *st;

	assert_non_null(sql);
	make_db(f->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, n, x, flag, d);"
	               "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r"
	               " WHERE i < 400) INSERT INTO t SELECT i, 1, 1, 1, 708516000 FROM r;");
	strcpy(sql, "ALTER TABLE t ADD COLUMN name DEFAULT '");
	memset(sql + strlen(sql), 'a', n);
	strcpy(sql + strlen("ALTER TABLE t ADD COLUMN name DEFAULT '") + n, "';");
	make_db(f->db, sql);
	free(sql);
	st = run_one(f, &t_art, 1);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "failed");
	if (!strstr(json_string_value(json_object_get(st, "reason")),
	            "hostile or damaged: Library/t.db: its output reached "))
		fail_msg("reason: %s", json_string_value(json_object_get(st, "reason")));
	rows = json_integer_value(json_object_get(st, "rows"));
	assert_true(rows > 10 && rows < 400);
	json_decref(st);
	total = file_size(f->out, "artifacts.sqlite") + file_size(f->out, "t_rows.jsonl");
	assert_true(total < (off_t)(400u << 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_format_whole_and_fraction),
	    cmocka_unit_test(test_cocoa_time_seconds_and_nanoseconds),
	    cmocka_unit_test_setup_teardown(test_rows_typed_with_provenance, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_jsonl_and_timeline_csv, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_jsonl_as_jansson_writes_it, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_status_absent_unsupported_failed, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_status_missing_and_not_decryptable, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_column_fails_the_artifact, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_wal_is_applied_to_a_private_copy, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_wal_is_not_claimed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_view_is_not_a_table, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_cell_over_the_cap_fails_the_artifact, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_output_cap_stops_the_artifact, fx_setup,
	                                    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
