/* lib/custody.c: the hash-chained custody log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence.h"
#include "core.h"
#include "testutil.h"

struct fixture {
	char *dir;
	int fd;
	char genesis[65];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ifk_custody_event ev = {"ifk-acquire", "acquire", "sealed", "Ex", 1700000000, NULL};
	char *line = NULL;
	static const char zeros[] =
	    "0000000000000000000000000000000000000000000000000000000000000000";

	f->dir = tu_mkdtemp();
	f->fd = open(f->dir, O_RDONLY | O_DIRECTORY);
	if (ifk_custody_format(1, zeros, &ev, &line, f->genesis, NULL) != 0 ||
	    ifk_custody_create(f->fd, line, NULL) != 0)
		return -1;
	free(line);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->fd);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void append(struct fixture *f, const char *result)
{
	struct ifk_custody_event ev = {"ifk-verify", "verify", result, NULL, 1700000100, NULL};
	assert_int_equal(ifk_custody_append(f->fd, &ev, NULL, NULL), 0);
}

struct problems {
	int n;
	unsigned long first_line;
	char first[300];
};

static void note(void *ctx, unsigned long line, const char *reason)
{
	struct problems *p = ctx;
	if (p->n++ == 0) {
		p->first_line = line;
		snprintf(p->first, sizeof(p->first), "%s", reason);
	}
}

static struct problems check(struct fixture *f, const char *genesis, unsigned long *entries)
{
	struct ifk_custody_summary sum;
	struct problems p = {0, 0, ""};
	assert_int_equal(ifk_custody_check(f->fd, genesis, note, &p, &sum, NULL), 0);
	if (entries)
		*entries = sum.entries;
	return p;
}

static char *log_path(struct fixture *f)
{
	return ifk_path_join(f->dir, IFK_CUSTODY_FILE);
}

static void test_custody_format_line_is_hash_of_body(void **state)
{
	struct fixture *f = *state;
	size_t len = 0;
	char *path = log_path(f), *text = (char *)tu_read_file(path, &len), hex[65];
	assert_true(len > 66 && text[64] == ' ' && text[len - 1] == '\n');
	ifk_sha256_hex(text + 65, len - 66, hex);
	assert_memory_equal(text, hex, 64);
	assert_memory_equal(text, f->genesis, 64);
	assert_non_null(strstr(text, "\"seq\":1"));
	free(text);
	free(path);
}

static void test_custody_check_accepts_appended_chain(void **state)
{
	struct fixture *f = *state;
	unsigned long n = 0;
	append(f, "PASS");
	append(f, "FAIL");
	assert_int_equal(check(f, f->genesis, &n).n, 0);
	assert_int_equal(n, 3);
}

static void test_custody_check_detects_edited_entry(void **state)
{
	struct fixture *f = *state;
	char *path = log_path(f), *text;
	size_t len = 0;
	struct problems p;
	append(f, "PASS");
	append(f, "PASS");
	text = (char *)tu_read_file(path, &len);
	*strstr(strstr(text, "\"seq\":2"), "PASS") = 'B';
	assert_int_equal(tu_write_file(path, text, len), 0);
	p = check(f, f->genesis, NULL);
	assert_true(p.n >= 1);
	assert_int_equal(p.first_line, 2);
	assert_non_null(strstr(p.first, "hash does not match"));
	free(text);
	free(path);
}

static void test_custody_check_detects_deleted_entry(void **state)
{
	struct fixture *f = *state;
	char *path = log_path(f), *text, *l2, *l3;
	size_t len = 0;
	struct problems p;
	append(f, "PASS");
	append(f, "PASS");
	text = (char *)tu_read_file(path, &len);
	l2 = strchr(text, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	memmove(l2, l3, len - (size_t)(l3 - text));
	assert_int_equal(tu_write_file(path, text, len - (size_t)(l3 - l2)), 0);
	p = check(f, f->genesis, NULL);
	assert_int_equal(p.first_line, 2);
	free(text);
	free(path);
}

static void test_custody_check_detects_wrong_genesis(void **state)
{
	struct fixture *f = *state;
	struct problems p =
	    check(f, "1111111111111111111111111111111111111111111111111111111111111111", NULL);
	assert_int_equal(p.n, 1);
	assert_non_null(strstr(p.first, "bound to the seal"));
}

static void test_custody_append_refuses_torn_last_line(void **state)
{
	struct fixture *f = *state;
	struct ifk_custody_event ev = {"ifk-verify", "verify", "PASS", NULL, 1700000100, NULL};
	char *path = log_path(f);
	FILE *fp = fopen(path, "a");
	struct problems p;
	fputs("abc {\"seq\":2", fp);
	fclose(fp);
	assert_int_equal(ifk_custody_append(f->fd, &ev, NULL, NULL), IFK_EFORMAT);
	p = check(f, f->genesis, NULL);
	assert_non_null(strstr(p.first, "incomplete"));
	free(path);
}

static void test_custody_check_missing_log(void **state)
{
	char *dir = tu_mkdtemp();
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	struct ifk_custody_summary sum;
	(void)state;
	assert_int_equal(ifk_custody_check(fd, NULL, NULL, NULL, &sum, NULL), IFK_ENOTFOUND);
	close(fd);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_custody_format_line_is_hash_of_body, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_custody_check_accepts_appended_chain, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_custody_check_detects_edited_entry, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_custody_check_detects_deleted_entry, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_custody_check_detects_wrong_genesis, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_custody_append_refuses_torn_last_line, setup,
	                                    teardown),
	    cmocka_unit_test(test_custody_check_missing_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
