/* The untrusted-SQLite opener: the header check, the URI, the hardening
 * (read-only, no views, no triggers, no ATTACH, the value limit), the step
 * budget and the stop flag, the WAL applied to a private copy, and the
 * rules for ifk's own output. Hostile files are built with SQLite here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core.h"
#include "testutil.h"

struct fx {
	char *dir;
	char path[600];
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || !(f->dir = tu_mkdtemp()))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/x.db", f->dir);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* A database built with SQLite's defaults (views, triggers and all). */
static void make_db(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void expect_msg(const struct ifk_error *err, const char *part)
{
	if (!strstr(err->msg, part))
		fail_msg("message '%s' lacks '%s'", err->msg, part);
}

/* Steps sql to its end; returns SQLite's last result. */
static int run_sql(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc;
}

/* The integer a one-value query gives (-1 on error). */
static long long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_uri_is_percent_encoded(void **state)
{
	char *u;

	(void)state;
	u = ifk_sqlite_uri("/tmp/a#b%c?d e\xc3\xa9", "mode=ro");
	assert_string_equal(u, "file:///tmp/a%23b%25c%3Fd%20e%C3%A9?mode=ro");
	free(u);
	u = ifk_sqlite_uri("rel/x-y_z.~db", NULL);
	assert_string_equal(u, "file:rel/x-y_z.~db");
	free(u);
}

static void test_open_refuses_empty_and_not_sqlite(void **state)
{
	struct fx *f = *state;
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	char junk[8192];
	sqlite3 *db = NULL;
	size_t i;

	assert_int_equal(tu_write_file(f->path, "", 0), 0);
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), IFK_EFORMAT);
	expect_msg(&err, "empty file, not an SQLite database");
	assert_null(db);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 7);
	assert_int_equal(tu_write_file(f->path, junk, sizeof(junk)), 0);
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), IFK_EFORMAT);
	expect_msg(&err, "not an SQLite database");
	/* the right magic over pages of garbage */
	memcpy(junk, "SQLite format 3", 16);
	assert_int_equal(tu_write_file(f->path, junk, sizeof(junk)), 0);
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), IFK_EFORMAT);
	expect_msg(&err, "hostile or damaged: ");
	assert_null(db);
}

static void test_open_refuses_a_symlink(void **state)
{
	struct fx *f = *state;
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	char link[700];
	sqlite3 *db = NULL;

	make_db(f->path, "CREATE TABLE t(x);");
	snprintf(link, sizeof(link), "%s/link.db", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	assert_true(ifk_sqlite_open_untrusted(link, &b, 0, &db, &err) < 0);
	assert_null(db);
}

/* A folder whose name holds '#', '%' and '?' (a TMPDIR, a case folder). */
static void test_open_odd_path(void **state)
{
	struct fx *f = *state;
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	char sub[700], path[800];
	sqlite3 *db = NULL;

	snprintf(sub, sizeof(sub), "%s/t#1 %%41?x=y", f->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/x.db", sub);
	make_db(path, "CREATE TABLE t(x); INSERT INTO t VALUES (42);");
	assert_int_equal(ifk_sqlite_open_untrusted(path, &b, 0, &db, &err), 0);
	assert_int_equal(count(db, "SELECT x FROM t"), 42);
	sqlite3_close(db);
}

static int config(sqlite3 *db, int op)
{
	int v = -1;

	assert_int_equal(sqlite3_db_config(db, op, -1, &v), SQLITE_OK);
	return v;
}

static void test_open_is_read_only_and_hardened(void **state)
{
	struct fx *f = *state;
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	struct stat before, after;
	sqlite3 *db = NULL;

	make_db(f->path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
	                 "CREATE VIEW v AS SELECT x FROM t;"
	                 "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END;");
	assert_int_equal(stat(f->path, &before), 0);
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), 0);
	assert_int_equal(sqlite3_db_readonly(db, "main"), 1);
	assert_int_equal(config(db, SQLITE_DBCONFIG_DEFENSIVE), 1);
	assert_int_equal(config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA), 0);
	assert_int_equal(config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER), 0);
	assert_int_equal(config(db, SQLITE_DBCONFIG_ENABLE_VIEW), 0);
	assert_int_equal(config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION), 0);
	assert_int_equal(sqlite3_limit(db, SQLITE_LIMIT_LENGTH, -1), IFK_SQLITE_MAX_LENGTH);
	assert_int_equal(sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, -1), 0);
	/* nothing is written, no view runs, nothing is attached */
	assert_int_equal(run_sql(db, "INSERT INTO t VALUES (2)") & 0xFF, SQLITE_READONLY);
	assert_int_equal(run_sql(db, "SELECT * FROM v"), SQLITE_ERROR);
	assert_non_null(strstr(sqlite3_errmsg(db), "access to view \"v\" prohibited"));
	assert_int_equal(run_sql(db, "ATTACH ':memory:' AS other"), SQLITE_ERROR);
	assert_int_equal(run_sql(db, "SELECT x FROM t"), SQLITE_DONE);
	sqlite3_close(db);
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(before.st_mtime, after.st_mtime);
	assert_int_equal(before.st_size, after.st_size);
}

/* SQLite's error for a view, for a value over the limit, for a query the
 * budget ended: each says what it is. */
static void test_fail_names_the_reason(void **state)
{
	struct fx *f = *state;
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	static const char endless[] = "SELECT count(*) FROM loop";
	sqlite3 *db = NULL;

	make_db(f->path, "CREATE TABLE t(x); INSERT INTO t VALUES (zeroblob(17 * 1024 * 1024));"
	                 "CREATE VIEW loop AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL"
	                 " SELECT n + 1 FROM r) SELECT n FROM r;");
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), 0);
	assert_int_equal(run_sql(db, endless), SQLITE_ERROR);
	assert_int_equal(ifk_sqlite_fail(db, SQLITE_ERROR, endless, &err, "x.db: loop"),
	                 IFK_EFORMAT);
	assert_string_equal(err.msg, "hostile or damaged: x.db: loop: \"loop\" is a view, not a "
	                             "table (ifk reads tables only)");
	assert_int_equal(run_sql(db, "SELECT x FROM t") & 0xFF, SQLITE_TOOBIG);
	assert_int_equal(ifk_sqlite_fail(db, SQLITE_TOOBIG, NULL, &err, "x.db: t"), IFK_EFORMAT);
	assert_string_equal(
	    err.msg, "hostile or damaged: x.db: t: a value or row over ifk's limit of 16 MiB");
	sqlite3_close(db);
}

/* An endless query (here ifk's own: with views off, a file cannot bring
 * one) ends within seconds, and the budget says why. */
static void test_budget_ends_an_endless_query(void **state)
{
	struct fx *f = *state;
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	struct timespec t0;
	sqlite3 *db = NULL;

	make_db(f->path, "CREATE TABLE t(x);");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), 0);
	assert_int_equal(run_sql(db, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1"
	                             " FROM r) SELECT count(*) FROM r"),
	                 SQLITE_INTERRUPT);
	assert_true(seconds_since(&t0) < 30);
	assert_int_equal(b.cut, IFK_SQLITE_CUT_STEPS);
	assert_true(b.steps > b.steps_max);
	assert_true(b.steps_max >= IFK_SQLITE_STEPS_BASE &&
	            b.steps_max < IFK_SQLITE_STEPS_BASE + 16 * 65536);
	/* cut once, cut for good: the next query ends at once */
	assert_int_equal(run_sql(db, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1"
	                             " FROM r WHERE n < 100000) SELECT count(*) FROM r"),
	                 SQLITE_INTERRUPT);
	assert_int_equal(ifk_sqlite_cut_error(&b, "x.db", &err), IFK_EFORMAT);
	expect_msg(&err, "hostile or damaged: x.db: its queries ran past ");
	sqlite3_close(db);
}

static void test_stop_flag_ends_a_query(void **state)
{
	struct fx *f = *state;
	volatile sig_atomic_t stop = 0;
	struct ifk_sqlite_budget b = {.stop = &stop};
	struct ifk_error err = {0};
	sqlite3 *db = NULL;

	make_db(f->path, "CREATE TABLE t(x);");
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), 0);
	stop = 1;
	assert_int_equal(run_sql(db, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1"
	                             " FROM r WHERE n < 1000000) SELECT count(*) FROM r"),
	                 SQLITE_INTERRUPT);
	assert_int_equal(b.cut, IFK_SQLITE_CUT_STOP);
	assert_int_equal(ifk_sqlite_cut_error(&b, "x.db", &err), IFK_EINTR);
	sqlite3_close(db);
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), IFK_EINTR);
	assert_null(db);
}

/* The WAL is folded into the private copy; frames SQLite did not take are
 * not counted. */
static void test_apply_wal(void **state)
{
	struct fx *f = *state;
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	char wal[700], copy[700], copy_wal[700];
	int64_t frames = -1;
	sqlite3 *db = NULL, *w = NULL;
	uint8_t *bytes;
	size_t len;

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	snprintf(copy, sizeof(copy), "%s/copy.db", f->dir);
	snprintf(copy_wal, sizeof(copy_wal), "%s/copy.db-wal", f->dir);
	assert_int_equal(sqlite3_open(f->path, &w), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w,
	                              "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
	                              "CREATE TABLE t(x); PRAGMA wal_checkpoint(TRUNCATE);"
	                              "INSERT INTO t VALUES ('only in the WAL');",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	bytes = tu_read_file(f->path, &len);
	assert_int_equal(tu_write_file(copy, bytes, len), 0);
	free(bytes);
	bytes = tu_read_file(wal, &len);
	assert_int_equal(tu_write_file(copy_wal, bytes, len), 0);
	free(bytes);
	sqlite3_close(w);

	assert_int_equal(ifk_sqlite_apply_wal(copy, &b, &frames, &err), 0);
	assert_true(frames > 0);
	assert_int_equal(access(copy_wal, F_OK), -1); /* folded in and removed */
	assert_int_equal(ifk_sqlite_open_untrusted(copy, &b, 0, &db, &err), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM t WHERE x = 'only in the WAL'"), 1);
	sqlite3_close(db);
	/* no WAL beside it */
	assert_int_equal(ifk_sqlite_apply_wal(copy, &b, &frames, &err), IFK_EINVAL);
}

static void expect_not_ifk_output(struct fx *f, const char *sql, const char *part)
{
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	sqlite3 *db = NULL;

	unlink(f->path);
	make_db(f->path, sql);
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, 0, &db, &err), 0);
	sqlite3_close(db);
	db = NULL;
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, IFK_SQLITE_IFK_OUTPUT, &db, &err),
	                 IFK_EFORMAT);
	assert_null(db);
	expect_msg(&err, "not ifk-parse's output");
	expect_msg(&err, part);
}

static void test_ifk_output_is_plain_tables(void **state)
{
	struct fx *f = *state;
	struct ifk_sqlite_budget b = {0};
	struct ifk_error err = {0};
	sqlite3 *db = NULL;

	expect_not_ifk_output(f, "CREATE TABLE t(x); CREATE VIEW v AS SELECT x FROM t;",
	                      "the view \"v\"");
	expect_not_ifk_output(f,
	                      "CREATE TABLE t(x);"
	                      " CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END;",
	                      "the trigger \"tr\"");
	expect_not_ifk_output(f,
	                      "CREATE TABLE t(x, y TEXT GENERATED ALWAYS AS"
	                      " (printf('%.*c', 1000000, 'x')) VIRTUAL);",
	                      "column t.y is computed or has a default");
	expect_not_ifk_output(f, "CREATE TABLE t(x, y DEFAULT 'z');",
	                      "column t.y is computed or has a default");
	unlink(f->path);
	make_db(f->path, "CREATE TABLE t(row_id INTEGER PRIMARY KEY, x TEXT);"
	                 " CREATE INDEX t_x ON t(x); INSERT INTO t VALUES (NULL, 'a');");
	assert_int_equal(ifk_sqlite_open_untrusted(f->path, &b, IFK_SQLITE_IFK_OUTPUT, &db, &err),
	                 0);
	sqlite3_close(db);
}

static void test_limit_heap(void **state)
{
	(void)state;
	ifk_sqlite_limit_heap();
	assert_int_equal(sqlite3_hard_heap_limit64(-1), IFK_SQLITE_HEAP_LIMIT);
	sqlite3_hard_heap_limit64(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uri_is_percent_encoded),
	    cmocka_unit_test_setup_teardown(test_open_refuses_empty_and_not_sqlite, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_open_refuses_a_symlink, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_open_odd_path, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_open_is_read_only_and_hardened, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_fail_names_the_reason, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_budget_ends_an_endless_query, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_stop_flag_ends_a_query, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_apply_wal, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_ifk_output_is_plain_tables, fx_setup, fx_teardown),
	    cmocka_unit_test(test_limit_heap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
