/* lib/util.c and lib/error.c: hex, time, one-line values, small files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ifk/util.h"
#include "testutil.h"

static void test_util_hex_and_sha256(void **state)
{
	char hex[IFK_SHA256_HEX], h[7];
	static const uint8_t b[] = {0x00, 0xab, 0xff};
	(void)state;
	ifk_hex(b, 3, h);
	assert_string_equal(h, "00abff");
	ifk_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_util_time_iso_is_utc(void **state)
{
	char t[21];
	(void)state;
	ifk_time_iso(978307200, t);
	assert_string_equal(t, "2001-01-01T00:00:00Z");
}

static void test_util_one_line(void **state)
{
	char *s = ifk_one_line("  a\tb\nc\x7f ");
	(void)state;
	assert_string_equal(s, "a b c");
	free(s);
}

static void test_util_read_small_caps_and_refuses_symlink(void **state)
{
	char *dir = tu_mkdtemp(), *f = ifk_path_join(dir, "f"), *l = ifk_path_join(dir, "l");
	char *l2 = ifk_path_join(dir, "fifo");
	int dfd;
	char *buf = NULL;
	size_t len = 0;
	struct ifk_error err = {0};
	(void)state;
	assert_int_equal(tu_write_file(f, "0123456789", 10), 0);
	assert_int_equal(symlink(f, l), 0);
	assert_int_equal(ifk_read_small(AT_FDCWD, f, 10, &buf, &len, &err), 0);
	assert_int_equal(len, 10);
	assert_string_equal(buf, "0123456789");
	free(buf);
	assert_int_equal(ifk_read_small(AT_FDCWD, f, 9, &buf, &len, &err), IFK_EFORMAT);
	assert_null(buf);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(ifk_read_small(dfd, "l", 100, &buf, &len, &err), IFK_EIO);
	assert_null(buf);
	assert_int_equal(mkfifo(l2, 0600), 0);
	assert_int_equal(ifk_read_small(dfd, "fifo", 100, &buf, &len, &err), IFK_EFORMAT);
	close(dfd);
	assert_int_equal(ifk_read_small(AT_FDCWD, "/nonexistent", 9, &buf, &len, &err),
	                 IFK_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent"));
	assert_int_equal(ifk_write_new(AT_FDCWD, f, "x", 1, 0644, &err), IFK_EEXIST);
	tu_rmtree(dir);
	free(f);
	free(l);
	free(l2);
	free(dir);
}

static void test_error_set_returns_code(void **state)
{
	struct ifk_error err = {0};
	(void)state;
	assert_int_equal(ifk_error_set(&err, IFK_EIO, "x %d", 5), IFK_EIO);
	assert_string_equal(err.msg, "x 5");
	assert_int_equal(ifk_error_set(NULL, IFK_EFORMAT, "ignored"), IFK_EFORMAT);
	assert_string_equal(ifk_strerror(IFK_EPASSWORD), "wrong password");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_util_hex_and_sha256),
	    cmocka_unit_test(test_util_time_iso_is_utc),
	    cmocka_unit_test(test_util_one_line),
	    cmocka_unit_test(test_util_read_small_caps_and_refuses_symlink),
	    cmocka_unit_test(test_error_set_returns_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
