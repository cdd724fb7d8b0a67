/* The artifact runner driven by descriptors (lib/parse/descriptor.c): the
 * minimal example of lib/parse/artifacts/README.md as it is written there,
 * and descriptors using schema variants, a table read `also`, joins kept
 * or left out by what a file has, alternatives among required columns,
 * hooks, a source's fallback and events named by a column. Each runs
 * through the runner over databases made here; results are read back from
 * artifacts.sqlite and the status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "artifact.h"
#include "parse_int.h"
#include "testutil.h"

/* ---- the example of README.md ---- */

static const struct ifk_art_source sources[] = {
    {"HomeDomain", "Library/Example/items.db"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"title", IFK_COL_TEXT},
    {"created", IFK_COL_TIME},
    {"starred", IFK_COL_BOOL},
    {NULL, 0},
};

static const struct ifk_art_field fields[] = {
    {NULL, NULL, "i.ROWID", ""}, /* the source rowid: always selected */
    {"title", ifk_row_col_text, "i.title", NULL},
    {"created", ifk_row_col_cocoa, "i.created", NULL},
    {"starred", ifk_row_col_bool, "i.starred", NULL}, /* NULL where the file lacks it */
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_table tables[] = {
    {.table = "item", .alias = "i", .require = "item:title,created", .fields = fields},
    {0},
};

static const struct ifk_art_event events[] = {
    {"created", "created", NULL, "Item ", NULL, 200},
    {0},
};

static const struct ifk_art_desc desc = {
    .read = {.tables = tables},
    .events = events,
    .subject = "title",
    .no_subject = "(untitled)",
};

IFK_ARTIFACT(example_items, "Example items", "1", sources, cols, desc);

/* ---- a descriptor using the rest ---- */

static const struct ifk_art_source m_sources[] = {
    {"HomeDomain", "Library/M/m.db"},
    {"HomeDomain", "Library/M/m2.db"},
    {"HomeDomain", "Library/M/old/m2.db"},
    {NULL, NULL},
};

static const struct ifk_col m_cols[] = {
    {"body", IFK_COL_TEXT},  {"text", IFK_COL_TEXT},
    {"kind", IFK_COL_TEXT},  {"owner", IFK_COL_TEXT},
    {"tags", IFK_COL_INT},   {"sent", IFK_COL_TEXT},
    {"when", IFK_COL_TIME},  {"table", IFK_COL_TEXT},
    {"opened", IFK_COL_INT}, {NULL, 0},
};

enum { M_ID, M_FLAG = 6 };

static const struct ifk_art_field m_fields[] = {
    [M_ID] = {NULL, NULL, "x.id", NULL},
    {"body", ifk_row_col_text, "x.body", NULL},
    {"text", ifk_row_col_text, "x.text", NULL},
    {"kind", ifk_row_col_text, "k.name", NULL},
    {"owner", ifk_row_col_text, "o.name", NULL},
    {"tags", ifk_row_col_whole, "coalesce(tg.n, 0)", "@tg"},
    [M_FLAG] = {NULL, NULL, "x.out", NULL},
    {"when", ifk_row_col_unix, "x.t", NULL},
    {NULL, NULL, NULL, NULL},
};

/* k only where kinds has name; o by the first join the file allows */
static const struct ifk_art_join m_from[] = {
    {"k", "kinds", "x.kind k.name", " LEFT JOIN kinds k ON k.id = x.kind"},
    {"o", "owners", "x.owner o.name", " LEFT JOIN owners o ON o.id = x.owner"},
    {"o", "people", "x.owner", " LEFT JOIN people o ON o.id = x.owner"},
    {"tg", NULL, NULL, NULL},
    {NULL, NULL, "x.hidden", " WHERE x.hidden = 0"},
    {NULL, NULL, NULL, NULL},
};

/* the join hook: tags, where the file has a tags table */
static int m_join(sqlite3 *db, const char *alias, struct ifk_buf *q)
{
	if (strcmp(alias, "tg") != 0 || !ifk_db_has_table(db, "tags"))
		return 0;
	return ifk_buf_printf(q, " LEFT JOIN (SELECT msg, count(*) AS n FROM tags GROUP BY msg)"
	                         " tg ON tg.msg = x.id") != 0
	           ? IFK_ENOMEM
	           : 1;
}

static int m_open(struct ifk_art_row *r, struct ifk_error *err)
{
	int *n = malloc(sizeof(*n));

	if (!n)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	*n = 42;
	r->ctx = n;
	return 0;
}

static void m_close(struct ifk_art_row *r)
{
	free(r->ctx);
}

/* sent from the flag; rows with flag 9 left out */
static int m_row(struct ifk_art_row *r, struct ifk_error *err)
{
	int flag = sqlite3_column_int(r->st, M_FLAG);

	if (flag == 9)
		return 1;
	ifk_row_text(r->a, "table", r->t->table);
	ifk_row_int(r->a, "opened", *(int *)r->ctx);
	if (sqlite3_column_type(r->st, M_FLAG) != SQLITE_NULL)
		ifk_row_text(r->a, "sent", flag ? "sent" : "received");
	snprintf(r->line, sizeof(r->line), "line of %lld",
	         (long long)sqlite3_column_int64(r->st, M_ID));
	return 0;
}

#define M_TABLE(table_, label_, also_)                                                             \
	{                                                                                          \
		.table = table_, .alias = "x", .label = label_, .also = also_,                     \
		.require = "x:id,t x:body|text", .fields = m_fields, .from = m_from,               \
		.join = m_join, .open = m_open, .row = m_row, .close = m_close                     \
	}

static const struct ifk_art_table m_tables[] = {
    M_TABLE("msg_v2", "new", 0),
    M_TABLE("msg_v1", "old", 0),
    M_TABLE("msg_trash", NULL, 1),
    {0},
};

static const struct ifk_art_read m_reads[] = {
    {.source = 0, .tables = m_tables},
    {.source = 1, .fallback = 2, .tables = m_tables},
    {0},
};

static const struct ifk_art_event m_events[] = {
    {"when", "message", "sent", NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc m_desc = {.reads = m_reads, .events = m_events};

IFK_ARTIFACT(m_test, "Descriptor test", "1", m_sources, m_cols, m_desc);

/* ---- helpers ---- */

struct run {
	char *dir;
	char out[1024];
	json_t *st;
	sqlite3 *db; /* out/artifacts.sqlite */
};

static void make_db(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Runs art over the databases made from sql[i] as its sources[i] (NULL:
 * not in the backup). */
static void run(struct run *r, const struct ifk_artifact *art, const char *const *sql)
{
	struct ifk_parse_ctx *c = NULL;
	struct ifk_error err = {0};
	char path[1100], db[1100];
	int i;

	memset(r, 0, sizeof(*r));
	r->dir = tu_mkdtemp();
	snprintf(r->out, sizeof(r->out), "%s/out", r->dir);
	assert_int_equal(mkdir(r->out, 0700), 0);
	assert_int_equal(ifk_parse_ctx_new(r->out, &c, &err), 0);
	for (i = 0; art->sources[i].domain; i++) {
		if (!sql[i])
			continue;
		snprintf(db, sizeof(db), "%s/src%d.db", r->dir, i);
		make_db(db, sql[i]);
		assert_int_equal(ifk_parse_ctx_add_file(c, art->sources[i].domain,
		                                        art->sources[i].path, db, &err),
		                 0);
	}
	assert_int_equal(ifk_parse_ctx_run(c, art, &r->st, &err), 0);
	assert_int_equal(ifk_parse_ctx_finish(c, &err), 0);
	ifk_parse_ctx_free(c);
	snprintf(path, sizeof(path), "%s/artifacts.sqlite", r->out);
	assert_int_equal(sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
}

static void done(struct run *r)
{
	sqlite3_close(r->db);
	json_decref(r->st);
	tu_rmtree(r->dir);
	free(r->dir);
}

static const char *status(const struct run *r)
{
	return json_string_value(json_object_get(r->st, "status"));
}

static const char *reason(const struct run *r)
{
	const char *s = json_string_value(json_object_get(r->st, "reason"));

	return s ? s : "";
}

/* The rows of a query as "a|b;c|d" (NULL as "-"). */
static char *rows(const struct run *r, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *out = calloc(1, 4096);
	size_t n = 0;
	int i;

	assert_non_null(out);
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(r->db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			n += (size_t)snprintf(out + n, 4096 - n, "%s%s",
			                      i   ? "|"
			                      : n ? ";"
			                          : "",
			                      v ? v : "-");
		}
	}
	sqlite3_finalize(st);
	return out;
}

#define EXPECT_ROWS(r, want, sql)                                                                  \
	do {                                                                                       \
		char *got_ = rows(r, sql);                                                         \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

/* ---- the example ---- */

static void test_example_rows_events_order(void **state)
{
	static const char *const sql[] = {
	    "CREATE TABLE item(title TEXT, created REAL, starred INTEGER);"
	    "INSERT INTO item(rowid, title, created, starred) VALUES (5, 'Later', 708516060, 0);"
	    "INSERT INTO item(rowid, title, created, starred) VALUES (2, 'Alpha', 708516000, 1);"
	    "INSERT INTO item(rowid, title, created, starred) VALUES (9, NULL, 708516120, 7);"};
	struct run r;

	(void)state;
	run(&r, &ifk_art_example_items, sql);
	assert_string_equal(status(&r), "ok");
	assert_int_equal(json_integer_value(json_object_get(r.st, "rows")), 3);
	EXPECT_ROWS(&r,
	            "Alpha|2023-06-15T10:00:00Z|1|item|2;Later|2023-06-15T10:01:00Z|0|item|5;"
	            "-|2023-06-15T10:02:00Z|1|item|9",
	            "SELECT title, created, starred, source_table, source_rowid FROM example_items"
	            " ORDER BY row_id");
	EXPECT_ROWS(&r, "created|Item Alpha;created|Item Later;created|Item (untitled)",
	            "SELECT event, summary FROM timeline ORDER BY ts");
	done(&r);
}

static void test_example_optional_column_null(void **state)
{
	static const char *const sql[] = {"CREATE TABLE item(title TEXT, created REAL);"
	                                  "INSERT INTO item VALUES ('A', 708516000);"};
	struct run r;

	(void)state;
	run(&r, &ifk_art_example_items, sql);
	assert_string_equal(status(&r), "ok");
	EXPECT_ROWS(&r, "A|-", "SELECT title, starred FROM example_items");
	done(&r);
}

static void test_example_unsupported_view_absent(void **state)
{
	static const char *const lacks[] = {"CREATE TABLE item(title TEXT, starred INTEGER);"};
	static const char *const none[] = {"CREATE TABLE other(title TEXT);"};
	static const char *const view[] = {"CREATE TABLE t(title, created);"
	                                   "CREATE VIEW item AS SELECT title, created FROM t;"};
	static const char *const absent[] = {NULL};
	struct run r;

	(void)state;
	run(&r, &ifk_art_example_items, lacks);
	assert_string_equal(status(&r), "unsupported-schema");
	assert_string_equal(reason(&r),
	                    "Library/Example/items.db: table item lacks column(s) created");
	done(&r);
	run(&r, &ifk_art_example_items, none);
	assert_string_equal(status(&r), "unsupported-schema");
	assert_string_equal(reason(&r), "Library/Example/items.db: has no table item");
	done(&r);
	run(&r, &ifk_art_example_items, view);
	assert_string_equal(status(&r), "failed");
	assert_non_null(strstr(reason(&r), "hostile or damaged: "));
	assert_non_null(strstr(reason(&r), "view"));
	done(&r);
	run(&r, &ifk_art_example_items, absent);
	assert_string_equal(status(&r), "absent");
	assert_string_equal(reason(&r), "HomeDomain/Library/Example/items.db: not in the backup");
	done(&r);
}

/* ---- variants, also, joins, hooks, fallback ---- */

static void test_variants_and_also(void **state)
{
	static const char *const sql[] = {
	    "CREATE TABLE msg_v1(id, body, out, t, hidden);"
	    "INSERT INTO msg_v1 VALUES (3, 'three', 1, 1686823200, 0);"
	    "INSERT INTO msg_v1 VALUES (1, 'one', 0, 1686823100, 0);"
	    "INSERT INTO msg_v1 VALUES (2, 'hidden', 0, 1686823000, 1);"
	    "INSERT INTO msg_v1 VALUES (4, 'skipped', 9, 1686823000, 0);"
	    "CREATE TABLE msg_trash(id INTEGER PRIMARY KEY, body, t);"
	    "INSERT INTO msg_trash VALUES (1, 'gone', 0);",
	    NULL, NULL};
	struct run r;

	(void)state;
	run(&r, &ifk_art_m_test, sql);
	assert_string_equal(status(&r), "ok");
	/* msg_v1 in the order of its rowid field (id, not the order stored),
	 * hidden and flag-9 rows left out; then msg_trash,
	 * whose missing columns read NULL; the hooks see the open hook's state */
	EXPECT_ROWS(
	    &r, "one|received|msg_v1|1|42;three|sent|msg_v1|3|42;gone|-|msg_trash|1|42",
	    "SELECT body, sent, \"table\", source_rowid, opened FROM m_test ORDER BY row_id");
	EXPECT_ROWS(&r, "received|line of 1;sent|line of 3",
	            "SELECT event, summary FROM timeline ORDER BY ts");
	done(&r);
}

static void test_no_variant(void **state)
{
	static const char *const sql[] = {"CREATE TABLE msg(id, t);", NULL, NULL};
	struct run r;

	(void)state;
	run(&r, &ifk_art_m_test, sql);
	assert_string_equal(status(&r), "unsupported-schema");
	assert_string_equal(reason(&r),
	                    "Library/M/m.db: has no table msg_v2 (new) or msg_v1 (old)");
	done(&r);
}

static void test_required_alternatives(void **state)
{
	static const char *const sql[] = {"CREATE TABLE msg_v2(id, t, other);", NULL, NULL};
	struct run r;

	(void)state;
	run(&r, &ifk_art_m_test, sql);
	assert_string_equal(status(&r), "unsupported-schema");
	assert_string_equal(reason(&r), "Library/M/m.db: table msg_v2 lacks column(s) body");
	done(&r);
}

static void test_joins_by_schema(void **state)
{
	static const char *const sql[] = {
	    "CREATE TABLE msg_v2(id INTEGER PRIMARY KEY, body, kind, owner, out, t);"
	    "CREATE TABLE kinds(id, name);"
	    "CREATE TABLE people(id, name);"
	    "CREATE TABLE tags(msg, tag);"
	    "INSERT INTO kinds VALUES (1, 'note');"
	    "INSERT INTO people VALUES (7, 'Ann');"
	    "INSERT INTO tags VALUES (1, 'a'), (1, 'b');"
	    "INSERT INTO msg_v2 VALUES (1, 'hi', 1, 7, 1, 1686823200);"
	    "INSERT INTO msg_v2 VALUES (2, 'yo', 5, 8, NULL, 1686823300);",
	    "CREATE TABLE msg_v2(id INTEGER PRIMARY KEY, body, kind, owner, out, t);"
	    "CREATE TABLE kinds(id, label);"
	    "CREATE TABLE owners(id, name);"
	    "INSERT INTO owners VALUES (8, 'Bob');"
	    "INSERT INTO msg_v2 VALUES (6, 'new', 1, 8, 0, 1686823400);",
	    NULL};
	struct run r;

	(void)state;
	run(&r, &ifk_art_m_test, sql);
	assert_string_equal(status(&r), "ok");
	/* m.db: kinds joined, owner through people (no owners table), tags by
	 * the hook; m2.db: kinds lacks name (kind NULL), owners joined, no
	 * tags table (the hook leaves the join out: tags NULL) */
	EXPECT_ROWS(&r, "hi|note|Ann|2|m.db;yo|-|-|0|m.db;new|-|Bob|-|m2.db",
	            "SELECT body, kind, owner, tags, substr(relative_path, 11) FROM m_test"
	            " ORDER BY row_id");
	/* an event named by the row's "sent", else "message" */
	EXPECT_ROWS(&r, "sent;message;received", "SELECT event FROM timeline ORDER BY ts");
	done(&r);
}

static void test_fallback(void **state)
{
	static const char *const sql[] = {NULL, NULL,
	                                  "CREATE TABLE msg_v1(id INTEGER PRIMARY KEY, text, t);"
	                                  "INSERT INTO msg_v1 VALUES (1, 'from the fallback', 0);"};
	static const char *const none[] = {NULL, NULL, NULL};
	struct run r;

	(void)state;
	run(&r, &ifk_art_m_test, sql);
	assert_string_equal(status(&r), "ok");
	/* m2.db is absent: its fallback is read; text instead of body meets
	 * the requirement body|text */
	EXPECT_ROWS(&r, "-|from the fallback|Library/M/old/m2.db",
	            "SELECT body, text, relative_path FROM m_test");
	done(&r);
	/* none there: absent, the reason naming the first source */
	run(&r, &ifk_art_m_test, none);
	assert_string_equal(status(&r), "absent");
	assert_string_equal(reason(&r), "HomeDomain/Library/M/m.db: not in the backup");
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_example_rows_events_order),
	    cmocka_unit_test(test_example_optional_column_null),
	    cmocka_unit_test(test_example_unsupported_view_absent),
	    cmocka_unit_test(test_variants_and_also),
	    cmocka_unit_test(test_no_variant),
	    cmocka_unit_test(test_required_alternatives),
	    cmocka_unit_test(test_joins_by_schema),
	    cmocka_unit_test(test_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
