/* Every artifact against damaged copies of the sample generator's real
 * sources: corrupt pages, a truncated file, a file of garbage, an empty
 * file. Each must end with a status (failed or unsupported-schema, or ok
 * when the damage missed what it reads), never a crash, a hang or a
 * sanitizer report, and never "absent" for a file that is there. And
 * sms.db written by an attacker: views where tables belong, a value past
 * the limit: failed "hostile or damaged", in seconds, with little output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "artifact.h"
#include "parse_int.h"
#include "testutil.h"

enum damage { D_PAGES, D_TRUNCATE, D_GARBAGE, D_EMPTY, D_COUNT };
static const char *const damage_names[] = {"corrupt pages", "truncated", "garbage", "empty"};

static char *gen_dir;

static int setup(void **state)
{
	const char *b = getenv("IFK_BUILD_DIR");
	char *cmd = NULL;

	(void)state;
	if (!b)
		return -1;
	gen_dir = tu_mkdtemp();
	if (asprintf(&cmd, "%s/tests/ifk-genbackup --out %s/bk --seed 3 >/dev/null", b, gen_dir) <
	        0 ||
	    system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(gen_dir);
	free(gen_dir);
	return 0;
}

/* The generator's stored file for domain/relpath (unencrypted: plaintext). */
static char *stored(const char *domain, const char *relpath)
{
	unsigned char md[SHA_DIGEST_LENGTH];
	char id[41], *key = NULL, *path = NULL;
	struct stat st;
	int i;

	if (asprintf(&key, "%s-%s", domain, relpath) < 0)
		return NULL;
	SHA1((const unsigned char *)key, strlen(key), md);
	free(key);
	for (i = 0; i < SHA_DIGEST_LENGTH; i++)
		sprintf(id + 2 * i, "%02x", md[i]);
	if (asprintf(&path, "%s/bk/%.2s/%s", gen_dir, id, id) < 0)
		return NULL;
	if (stat(path, &st) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

static void damage(const char *from, const char *to, enum damage d)
{
	size_t len = 0, i, page;
	uint8_t *b = tu_read_file(from, &len);

	assert_non_null(b);
	switch (d) {
	case D_PAGES:
		/* keep the header page; scribble over every later page */
		for (page = 4096; page < len; page += 4096)
			for (i = 8; i < 200 && page + i < len; i++)
				b[page + i] = (uint8_t)(0xA5 ^ i ^ (page >> 12));
		if (len <= 4096)
			for (i = 100; i < len; i++)
				b[i] ^= 0x5A;
		break;
	case D_TRUNCATE:
		len = len / 2 + 7;
		break;
	case D_GARBAGE:
		for (i = 0; i < len; i++)
			b[i] = (uint8_t)(i * 131 + 7);
		break;
	case D_EMPTY:
		len = 0;
		break;
	default:
		break;
	}
	assert_int_equal(tu_write_file(to, b, len), 0);
	free(b);
}

/* Runs art with every one of its exact sources replaced by a damaged copy. */
static void run_damaged(const struct ifk_artifact *art, enum damage d, int n)
{
	struct ifk_parse_ctx *c = NULL;
	struct ifk_error err = {0};
	char *out = NULL, *copy = NULL;
	json_t *st = NULL;
	const char *status;
	int j, any = 0;

	assert_true(asprintf(&out, "%s/out-%s-%d", gen_dir, art->name, n) > 0);
	assert_int_equal(mkdir(out, 0700), 0);
	assert_int_equal(ifk_parse_ctx_new(out, &c, &err), 0);
	for (j = 0; art->sources[j].domain; j++) {
		const char *dom = art->sources[j].domain, *rel = art->sources[j].path;
		char *from;
		if (!*dom || rel[strlen(rel) - 1] == '/' || !(from = stored(dom, rel)))
			continue;
		assert_true(asprintf(&copy, "%s/src-%s-%d-%d", gen_dir, art->name, n, j) > 0);
		damage(from, copy, d);
		assert_int_equal(ifk_parse_ctx_add_file(c, dom, rel, copy, &err), 0);
		any = 1;
		free(from);
		free(copy);
	}
	if (any) {
		assert_int_equal(ifk_parse_ctx_run(c, art, &st, &err), 0);
		status = json_string_value(json_object_get(st, "status"));
		print_message("%-18s %-14s -> %s: %s\n", art->name, damage_names[d], status,
		              json_string_value(json_object_get(st, "reason")) ?: "");
		assert_true(strcmp(status, "failed") == 0 ||
		            strcmp(status, "unsupported-schema") == 0 || strcmp(status, "ok") == 0);
		/* a file of garbage is never read as a valid, empty source */
		if (d == D_GARBAGE || d == D_EMPTY)
			assert_string_not_equal(status, "ok");
		json_decref(st);
		assert_int_equal(ifk_parse_ctx_finish(c, &err), 0);
	}
	ifk_parse_ctx_free(c);
	free(out);
}

static void test_every_artifact_survives_damaged_sources(void **state)
{
	size_t i;
	int d, n = 0;

	(void)state;
	for (i = 0; ifk_artifacts[i]; i++)
		for (d = 0; d < D_COUNT; d++)
			run_damaged(ifk_artifacts[i], (enum damage)d, n++);
}

/* ---- sms.db written by an attacker ---- */

#define SMS_MESSAGES                                                                               \
	"CREATE TABLE message(ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, handle_id INTEGER," \
	" date INTEGER, is_from_me INTEGER);"                                                      \
	"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 40)"             \
	" INSERT INTO message SELECT n, 'g' || n, 'hi', n, 700000000 + n, 0 FROM r;"

static const char *const hostile_sms[] = {
    /* handle: a view of 50 MiB per message */
    SMS_MESSAGES "CREATE VIEW handle AS SELECT ROWID, printf('%.*c', 52428800, 'x') AS id"
                 " FROM message;",
    /* a join table that never ends */
    SMS_MESSAGES "CREATE TABLE chat(ROWID INTEGER PRIMARY KEY, chat_identifier TEXT);"
                 "CREATE VIEW chat_message_join AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL"
                 " SELECT n + 1 FROM r) SELECT n AS chat_id, n AS message_id FROM r;",
    /* a message text of 17 MiB, stored */
    SMS_MESSAGES "UPDATE message SET text = printf('%.*c', 17825792, 'x') WHERE ROWID = 5;",
};

static void sql_file(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(db));
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static off_t out_bytes(const char *out)
{
	static const char *const names[] = {"artifacts.sqlite", "sms_messages.jsonl",
	                                    "timeline.csv"};
	char path[600];
	struct stat sb;
	off_t n = 0;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", out, names[i]);
		if (stat(path, &sb) == 0)
			n += sb.st_size;
	}
	return n;
}

static void test_hostile_sms_db_fails_in_seconds(void **state)
{
	const struct ifk_artifact *art = ifk_artifact_find("sms_messages");
	struct ifk_error err = {0};
	struct timespec t0, t1;
	char db[600], out[600];
	const char *reason;
	size_t i;

	(void)state;
	assert_non_null(art);
	snprintf(db, sizeof(db), "%s/hostile-sms.db", gen_dir);
	for (i = 0; i < sizeof(hostile_sms) / sizeof(hostile_sms[0]); i++) {
		struct ifk_parse_ctx *c = NULL;
		json_t *st = NULL;

		sql_file(db, hostile_sms[i]);
		snprintf(out, sizeof(out), "%s/out-hostile-%zu", gen_dir, i);
		assert_int_equal(mkdir(out, 0700), 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(ifk_parse_ctx_new(out, &c, &err), 0);
		assert_int_equal(
		    ifk_parse_ctx_add_file(c, "HomeDomain", "Library/SMS/sms.db", db, &err), 0);
		assert_int_equal(ifk_parse_ctx_run(c, art, &st, &err), 0);
		assert_int_equal(ifk_parse_ctx_finish(c, &err), 0);
		ifk_parse_ctx_free(c);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		reason = json_string_value(json_object_get(st, "reason"));
		print_message("hostile sms.db %zu -> %s: %s (%.2f s, %lld bytes out)\n", i,
		              json_string_value(json_object_get(st, "status")), reason ?: "",
		              (double)(t1.tv_sec - t0.tv_sec) +
		                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		              (long long)out_bytes(out));
		assert_string_equal(json_string_value(json_object_get(st, "status")), "failed");
		assert_non_null(reason);
		assert_true(strncmp(reason, "hostile or damaged: Library/SMS/sms.db: ", 40) == 0);
		assert_true(t1.tv_sec - t0.tv_sec < 20);
		assert_true(out_bytes(out) < (1 << 20));
		json_decref(st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_artifact_survives_damaged_sources),
	    cmocka_unit_test(test_hostile_sms_db_fails_in_seconds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
