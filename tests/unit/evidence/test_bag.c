/* lib/bag.c: manifest paths, manifest lines, bag-info.txt. */
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

#include "evidence.h"
#include "core.h"
#include "testutil.h"

static void test_bag_encode_path_escapes_cr_lf_percent(void **state)
{
	char *e = ifk_bag_encode_path("a%b\nc\rd");
	(void)state;
	assert_string_equal(e, "a%25b%0Ac%0Dd");
	ifk_bag_decode_path(e);
	assert_string_equal(e, "a%b\nc\rd");
	free(e);
}

/* RFC 8493 encodes CR, LF and % only: any other percent sign is the
 * name's own (older bags did not encode %), and hex digits may be lower
 * case. */
static void test_bag_decode_path_keeps_other_percent_signs(void **state)
{
	char p1[] = "a%41b", p2[] = "trailing%", p3[] = "ok%0d%0a", p4[] = "%7Edir/%test";
	(void)state;
	ifk_bag_decode_path(p1);
	ifk_bag_decode_path(p2);
	ifk_bag_decode_path(p3);
	ifk_bag_decode_path(p4);
	assert_string_equal(p1, "a%41b");
	assert_string_equal(p2, "trailing%");
	assert_string_equal(p3, "ok\r\n");
	assert_string_equal(p4, "%7Edir/%test");
}

static void test_bag_alg_digest_names(void **state)
{
	(void)state;
	assert_string_equal(ifk_bag_alg_digest("md5"), "MD5");
	assert_string_equal(ifk_bag_alg_digest("sha224"), "SHA224");
	assert_string_equal(ifk_bag_alg_digest("sha3256"), "SHA3-256");
	assert_null(ifk_bag_alg_digest("SHA256"));
	assert_null(ifk_bag_alg_digest("crc32"));
}

static void test_bag_parse_line_splits_on_blanks(void **state)
{
	char line[] = "abc123 \t data/x y";
	struct ifk_bag_line l;
	(void)state;
	assert_int_equal(ifk_bag_parse_line(line, &l), 0);
	assert_string_equal(l.checksum, "abc123");
	assert_string_equal(l.path, "data/x y");
}

static void test_bag_parse_line_rejects_malformed(void **state)
{
	char a[] = "onlyonefield", b[] = " data/x", c[] = "abc ";
	struct ifk_bag_line l;
	(void)state;
	assert_int_equal(ifk_bag_parse_line(a, &l), IFK_EFORMAT);
	assert_int_equal(ifk_bag_parse_line(b, &l), IFK_EFORMAT);
	assert_int_equal(ifk_bag_parse_line(c, &l), IFK_EFORMAT);
}

struct seen {
	int good, bad;
	char last[64];
};

static int count_line(void *ctx, unsigned long lineno, const struct ifk_bag_line *l)
{
	struct seen *s = ctx;
	(void)lineno;
	if (l->checksum) {
		s->good++;
		snprintf(s->last, sizeof(s->last), "%s", l->path);
	} else {
		s->bad++;
	}
	return 0;
}

static void test_bag_manifest_foreach_reports_bad_lines(void **state)
{
	static const char text[] = "aa  data/one\r\n\nnot-a-line\nbb  data/two%0Aline\n";
	char *dir = tu_mkdtemp(), *path = NULL;
	struct seen s = {0, 0, ""};
	char hex[129], want[65];
	int fd;
	(void)state;
	assert_non_null(dir);
	assert_true(asprintf(&path, "%s/m.txt", dir) > 0);
	assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(ifk_bag_manifest_foreach(fd, "m.txt", "SHA256", hex, count_line, &s, NULL),
	                 0);
	assert_int_equal(s.good, 2);
	assert_int_equal(s.bad, 1);
	assert_string_equal(s.last, "data/two\nline");
	ifk_sha256_hex(text, strlen(text), want);
	assert_string_equal(hex, want); /* the bytes read are the bytes hashed */
	assert_int_equal(ifk_bag_manifest_foreach(fd, "none.txt", NULL, NULL, count_line, &s, NULL),
	                 IFK_ENOTFOUND);
	close(fd);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

static void test_bag_manifest_foreach_bounds_lines_and_refuses_fifo(void **state)
{
	char *dir = tu_mkdtemp(), *path = NULL, *big = malloc(200000);
	struct seen s = {0, 0, ""};
	int fd;
	(void)state;
	memset(big, 'a', 200000);
	memcpy(big + 199989, "  data/x\nbb", 11);
	assert_true(asprintf(&path, "%s/m.txt", dir) > 0);
	assert_int_equal(tu_write_file(path, big, 200000), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(ifk_bag_manifest_foreach(fd, "m.txt", NULL, NULL, count_line, &s, NULL),
	                 0);
	assert_int_equal(s.bad, 2); /* the 200 KB line, and "bb" without a path */
	free(path);
	assert_true(asprintf(&path, "%s/m.txt.fifo", dir) > 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(
	    ifk_bag_manifest_foreach(fd, "m.txt.fifo", NULL, NULL, count_line, &s, NULL),
	    IFK_EFORMAT);
	close(fd);
	tu_rmtree(dir);
	free(path);
	free(dir);
	free(big);
}

static void test_bag_info_get_joins_continuations(void **state)
{
	static const char text[] = "Source-Organization: Lab\nExternal-Description: first\n"
	                           "  second\nPayload-Oxum: 10.2\n";
	char *v;
	(void)state;
	v = ifk_bag_info_get(text, strlen(text), "external-description");
	assert_string_equal(v, "first second");
	free(v);
	v = ifk_bag_info_get(text, strlen(text), "Payload-Oxum");
	assert_string_equal(v, "10.2");
	free(v);
	assert_null(ifk_bag_info_get(text, strlen(text), "Missing"));
}

static int ignore_element(void *ctx, const struct ifk_bag_info_elem *e)
{
	(void)ctx;
	(void)e;
	return 0;
}

/* The text need not end in a NUL: an error names the line from within it. */
static void test_bag_info_parse_reports_unterminated_line_within_bounds(void **state)
{
	static const char line[] = "no label on this line";
	char *text = malloc(sizeof(line) - 1);
	struct ifk_error e = {0};
	(void)state;
	memcpy(text, line, sizeof(line) - 1);
	assert_int_equal(ifk_bag_info_parse(text, sizeof(line) - 1, ignore_element, NULL, &e),
	                 IFK_EFORMAT);
	assert_non_null(strstr(e.msg, "no label on this line"));
	free(text);
}

static int collect_line(void *ctx, unsigned long lineno, const struct ifk_bag_line *l)
{
	struct ifk_buf *b = ctx;
	return ifk_buf_printf(b, "%lu|%s|%s\n", lineno, l->checksum ? l->checksum : "BAD", l->path);
}

/* RFC 8493 text tag files end lines with LF, CR or CRLF. */
static void test_bag_manifest_read_cr_and_crlf_line_ends(void **state)
{
	static const char text[] = "aa data/one\rbb data/two\r\ncc data/three\n";
	struct ifk_bag_src src = {-1, "m.txt", text, sizeof(text) - 1, NULL, NULL, 0};
	struct ifk_buf b = {0};
	(void)state;
	assert_int_equal(ifk_bag_manifest_read(&src, collect_line, &b, NULL), 0);
	assert_string_equal(b.data, "1|aa|data/one\n2|bb|data/two\n3|cc|data/three\n");
	ifk_buf_free(&b);
}

/* UTF-16 (with its byte-order mark) is decoded; the digests see the bytes
 * as stored. */
static void test_bag_manifest_read_decodes_utf16_and_hashes_raw_bytes(void **state)
{
	static const char utf16[] = "\xFE\xFF\0a\0b\0 \0d\0a\0t\0a\0/\0\xE9\0\n";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct ifk_bag_src src = {-1, "m.txt", utf16, sizeof(utf16) - 1, "UTF-16", &md, 1};
	struct ifk_buf b = {0};
	uint8_t dig[32], want[32];
	unsigned int n = 0;
	(void)state;
	assert_true(EVP_DigestInit_ex(md, EVP_sha256(), NULL));
	assert_int_equal(ifk_bag_manifest_read(&src, collect_line, &b, NULL), 0);
	assert_string_equal(b.data, "1|ab|data/\xC3\xA9\n");
	EVP_DigestFinal_ex(md, dig, &n);
	EVP_Digest(utf16, sizeof(utf16) - 1, want, NULL, EVP_sha256(), NULL);
	assert_memory_equal(dig, want, 32);
	EVP_MD_CTX_free(md);
	ifk_buf_free(&b);
}

static void test_bag_manifest_read_flags_utf8_bom_and_bad_encoding(void **state)
{
	static const char bom[] = "\xEF\xBB\xBF"
	                          "aa data/x\n",
	                  latin[] = "aa data/\xFF\n";
	struct ifk_bag_src src = {-1, "m.txt", bom, sizeof(bom) - 1, "UTF-8", NULL, 0};
	struct ifk_buf b = {0};
	struct ifk_error e = {0};
	(void)state;
	assert_int_equal(ifk_bag_manifest_read(&src, collect_line, &b, NULL), 0);
	assert_string_equal(b.data, "1|BAD|begins with a UTF-8 byte-order mark (BOM)\n");
	src.text = latin;
	src.len = sizeof(latin) - 1;
	src.encoding = "no-such-encoding";
	assert_int_equal(ifk_bag_manifest_read(&src, collect_line, &b, &e), IFK_EUNSUPPORTED);
	assert_non_null(strstr(e.msg, "m.txt"));
	src.encoding = "ISO-8859-1";
	b.len = 0;
	assert_int_equal(ifk_bag_manifest_read(&src, collect_line, &b, NULL), 0);
	assert_string_equal(b.data, "1|aa|data/\xC3\xBF\n");
	ifk_buf_free(&b);
}

static int collect_element(void *ctx, const struct ifk_bag_info_elem *e)
{
	struct ifk_buf *b = ctx;
	return ifk_buf_printf(b, "%lu|%s|%s|%d\n", e->line, e->label, e->value, e->padded);
}

/* Labels lose the blanks around them (and say so), values their leading
 * blanks; CR and CRLF end lines; continuation lines are joined. */
static void test_bag_info_parse_elements(void **state)
{
	static const char text[] = "A: 1\rLong: first\r\n\tsecond\nTag :  2\n\nB:3";
	struct ifk_buf b = {0};
	(void)state;
	assert_int_equal(ifk_bag_info_parse(text, sizeof(text) - 1, collect_element, &b, NULL), 0);
	assert_string_equal(b.data, "1|A|1|0\n2|Long|first second|0\n4|Tag|2|1\n6|B|3|0\n");
	ifk_buf_free(&b);
}

static void test_bag_info_add_keeps_one_line(void **state)
{
	struct ifk_buf b = {0};
	(void)state;
	assert_int_equal(ifk_bag_info_add(&b, "Ifk-Notes", "two\nlines\there "), 0);
	assert_int_equal(ifk_bag_info_add(&b, "Skipped", ""), 0);
	assert_int_equal(ifk_bag_info_add(&b, "Skipped", NULL), 0);
	assert_string_equal(b.data, "Ifk-Notes: two lines here\n");
	ifk_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bag_encode_path_escapes_cr_lf_percent),
	    cmocka_unit_test(test_bag_decode_path_keeps_other_percent_signs),
	    cmocka_unit_test(test_bag_alg_digest_names),
	    cmocka_unit_test(test_bag_manifest_read_cr_and_crlf_line_ends),
	    cmocka_unit_test(test_bag_manifest_read_decodes_utf16_and_hashes_raw_bytes),
	    cmocka_unit_test(test_bag_manifest_read_flags_utf8_bom_and_bad_encoding),
	    cmocka_unit_test(test_bag_info_parse_elements),
	    cmocka_unit_test(test_bag_parse_line_splits_on_blanks),
	    cmocka_unit_test(test_bag_parse_line_rejects_malformed),
	    cmocka_unit_test(test_bag_manifest_foreach_reports_bad_lines),
	    cmocka_unit_test(test_bag_manifest_foreach_bounds_lines_and_refuses_fifo),
	    cmocka_unit_test(test_bag_info_get_joins_continuations),
	    cmocka_unit_test(test_bag_info_parse_reports_unterminated_line_within_bounds),
	    cmocka_unit_test(test_bag_info_add_keeps_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
