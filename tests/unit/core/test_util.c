/* lib/util.c and lib/error.c: hex, time, one-line values, small files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
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

static void test_util_relpath_problem(void **state)
{
	(void)state;
	assert_null(ifk_relpath_problem("a"));
	assert_null(ifk_relpath_problem("Library/SMS/sms.db"));
	assert_null(ifk_relpath_problem("..a/b../...")); /* dots inside names are names */
	assert_null(ifk_relpath_problem("Café/привет"));
	assert_string_equal(ifk_relpath_problem(NULL), "empty");
	assert_string_equal(ifk_relpath_problem(""), "empty");
	assert_string_equal(ifk_relpath_problem("/etc/passwd"), "absolute");
	assert_string_equal(ifk_relpath_problem("a/../b"), "a \"..\" part");
	assert_string_equal(ifk_relpath_problem(".."), "a \"..\" part");
	assert_string_equal(ifk_relpath_problem("./a"), "a \".\" part");
	assert_non_null(strstr(ifk_relpath_problem("a//b"), "empty part"));
	assert_non_null(strstr(ifk_relpath_problem("a/"), "empty part"));
	assert_string_equal(ifk_relpath_problem("a\xff/b"), "not valid UTF-8");
}

/* A path from evidence stays beneath its folder: no "..", no symlink
 * anywhere on the way, even one pointing inside. */
static void test_util_open_regular_stays_beneath(void **state)
{
	char *dir = tu_mkdtemp(), *inner = NULL, *p = NULL;
	struct ifk_error err = {0};
	int dfd, fd;

	(void)state;
	assert_true(asprintf(&inner, "%s/in", dir) > 0);
	assert_int_equal(mkdir(inner, 0700), 0);
	assert_true(asprintf(&p, "%s/secret", dir) > 0);
	assert_int_equal(tu_write_file(p, "outside", 7), 0);
	free(p);
	assert_true(asprintf(&p, "%s/in/sub", dir) > 0);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	assert_true(asprintf(&p, "%s/in/sub/f", dir) > 0);
	assert_int_equal(tu_write_file(p, "inside", 6), 0);
	free(p);
	assert_true(asprintf(&p, "%s/in/link", dir) > 0);
	assert_int_equal(symlink("sub", p), 0);
	free(p);
	dfd = open(inner, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	fd = ifk_open_regular(dfd, "sub/f", &err);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ifk_open_regular(dfd, "../secret", &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "refused: a \"..\" part"));
	assert_int_equal(ifk_open_regular(dfd, "sub/../sub/f", &err), IFK_EFORMAT);
	assert_true(ifk_open_regular(dfd, "link/f", &err) < 0); /* a symlink in the middle */
	assert_non_null(strstr(err.msg, "symlink"));
	assert_int_equal(ifk_open_regular(dfd, "/etc/passwd", &err), IFK_EFORMAT);
	close(dfd);
	tu_rmtree(dir);
	free(dir);
	free(inner);
}

/* A limit past 2^31 seconds: the century check in 64-bit arithmetic. */
static void test_util_duration_parse_century(void **state)
{
	int64_t s = 0;
	(void)state;
	assert_int_equal(ifk_duration_parse("24h", &s), 0);
	assert_int_equal(s, 86400);
	assert_int_equal(ifk_duration_parse("36500d", &s), 0);
	assert_int_equal(s, INT64_C(3153600000));
	assert_int_equal(ifk_duration_parse("36501d", &s), IFK_EINVAL);
	assert_int_equal(ifk_duration_parse("3153600001s", &s), IFK_EINVAL);
}

/* The copy loop counts and hashes past 4 GiB: a sparse file of 4 GiB of
 * zeros and "end" (its SHA-256 from sha256sum). */
static void test_util_sha256_fd_past_4gib(void **state)
{
	char *dir = tu_mkdtemp(), *f = ifk_path_join(dir, "big"), hex[IFK_SHA256_HEX];
	struct ifk_error err = {0};
	uint64_t bytes = 0;
	int fd;
	(void)state;
	fd = open(f, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "end", 3, INT64_C(4294967296)), 3);
	close(fd);
	fd = ifk_open_regular(AT_FDCWD, f, &err);
	assert_true(fd >= 0);
	assert_int_equal(ifk_sha256_fd(fd, hex, &bytes, f, &err), 0);
	close(fd);
	assert_true(bytes == UINT64_C(4294967299));
	assert_string_equal(hex,
	                    "318e01702cd7413290bc5004d33f5a0bc296ca51e70ed23a0c41922589640900");
	tu_rmtree(dir);
	free(f);
	free(dir);
}

/* The copy loop with a size from fstat: it stops there without a read to
 * see the end (a file that grew after fstat is the caller's to notice by
 * fstat after: the copy holds what fstat promised), reads to the end
 * without one, and with writeback on copies a file of several chunks
 * byte for byte, from the caller's buffer. */
static void test_util_copy_fd_size_and_writeback(void **state)
{
	char *dir = tu_mkdtemp(), *f = ifk_path_join(dir, "src"), *o = ifk_path_join(dir, "out");
	size_t big = 3 * IFK_IO_CHUNK + 5, i;
	uint8_t *data = malloc(big), *buf = malloc(IFK_IO_CHUNK), *back;
	char want[IFK_SHA256_HEX], got[IFK_SHA256_HEX];
	struct ifk_error err = {0};
	struct ifk_copy c = {0};
	size_t len = 0;
	int in, out;
	(void)state;
	for (i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 12));
	assert_int_equal(tu_write_file(f, data, big), 0);

	/* several chunks, written back as they go: the same bytes */
	in = open(f, O_RDONLY);
	out = open(o, O_WRONLY | O_CREAT | O_EXCL, 0600);
	c.out_fd = out;
	c.buf = buf;
	c.size = big;
	c.writeback = 1;
	c.md = EVP_MD_CTX_new();
	assert_true(EVP_DigestInit_ex(c.md, EVP_sha256(), NULL));
	assert_int_equal(ifk_copy_fd(in, &c, "src", &err), 0);
	assert_true(c.bytes == big);
	{
		uint8_t md[32];
		EVP_DigestFinal_ex(c.md, md, NULL);
		ifk_hex(md, 32, got);
	}
	ifk_sha256_hex(data, big, want);
	assert_string_equal(got, want);
	close(in);
	assert_int_equal(close(out), 0);
	back = tu_read_file(o, &len);
	assert_int_equal(len, big);
	assert_memory_equal(back, data, big);
	free(back);

	/* fstat said 10 bytes and 10 came in one read: no read follows (a
	 * packet socket holds 5 more bytes that are left where they are) */
	{
		int sv[2];
		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
		assert_int_equal(write(sv[1], data, 10), 10);
		assert_int_equal(write(sv[1], data + 10, 5), 5);
		c.out_fd = -1;
		c.size = 10;
		assert_int_equal(ifk_copy_fd(sv[0], &c, "src", &err), 0);
		assert_int_equal(c.bytes, 10);
		assert_int_equal(read(sv[0], buf, IFK_IO_CHUNK), 5);
		close(sv[0]);
		close(sv[1]);
	}

	/* no size: to the end, into a buffer of its own */
	in = open(f, O_RDONLY);
	c.out_fd = -1;
	c.buf = NULL;
	c.size = 0;
	assert_int_equal(ifk_copy_fd(in, &c, "src", &err), 0);
	assert_true(c.bytes == big);
	close(in);

	EVP_MD_CTX_free(c.md);
	tu_rmtree(dir);
	free(data);
	free(buf);
	free(f);
	free(o);
	free(dir);
}

struct seen_names {
	char names[8][8];
	char rels[8][16];
	int n;
};

static int note_name(void *ctx, const char *name, const char *rel)
{
	struct seen_names *s = ctx;

	assert_true(s->n < 8);
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
	snprintf(s->rels[s->n], sizeof(s->rels[0]), "%s", rel);
	s->n++;
	return 0;
}

static int name_order(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Name order when the folder holds at most max entries; beyond, every
 * entry once in directory order. */
static void test_util_dir_foreach_sorted(void **state)
{
	static const char *const names[] = {"f3", "a1", "e0", "b2", "dd"};
	struct seen_names s = {0};
	char *dir = tu_mkdtemp(), *p = NULL;
	int dfd, list_errno = -1, i;

	(void)state;
	for (i = 0; i < 5; i++) {
		assert_true(asprintf(&p, "%s/%s", dir, names[i]) > 0);
		assert_int_equal(tu_write_file(p, "x", 1), 0);
		free(p);
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(ifk_dir_foreach_sorted(dfd, "top", 5, note_name, &s, &list_errno), 0);
	assert_int_equal(list_errno, 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.names[0], "a1");
	assert_string_equal(s.names[1], "b2");
	assert_string_equal(s.names[2], "dd");
	assert_string_equal(s.names[3], "e0");
	assert_string_equal(s.names[4], "f3");
	assert_string_equal(s.rels[3], "top/e0");
	memset(&s, 0, sizeof(s));
	assert_int_equal(ifk_dir_foreach_sorted(dfd, NULL, 4, note_name, &s, &list_errno), 0);
	assert_int_equal(s.n, 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(s.rels[i], s.names[i]); /* no rel: the name alone */
	qsort(s.names, 5, sizeof(s.names[0]), name_order);
	for (i = 0; i < 4; i++) /* each once */
		assert_true(strcmp(s.names[i], s.names[i + 1]) < 0);
	close(dfd);
	tu_rmtree(dir);
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
	    cmocka_unit_test(test_util_relpath_problem),
	    cmocka_unit_test(test_util_open_regular_stays_beneath),
	    cmocka_unit_test(test_util_duration_parse_century),
	    cmocka_unit_test(test_util_sha256_fd_past_4gib),
	    cmocka_unit_test(test_util_copy_fd_size_and_writeback),
	    cmocka_unit_test(test_util_dir_foreach_sorted),
	    cmocka_unit_test(test_error_set_returns_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
