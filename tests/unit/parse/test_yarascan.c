/* lib/yarascan.c: YARA scanning of files pushed in chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "parse_int.h"
#include "testutil.h"

#define MiB (1024 * 1024)
#define CANARY "IFK-YARA-CANARY-7f3a"
#define CANARY_LEN 20

static const char canary_rule[] = "rule canary : test canary\n"
                                  "{\n"
                                  "  meta:\n"
                                  "    description = \"the test canary\"\n"
                                  "    severity = 3\n"
                                  "    confirmed = true\n"
                                  "  strings:\n"
                                  "    $a = \"" CANARY "\"\n"
                                  "  condition:\n"
                                  "    $a\n"
                                  "}\n";

/* Writes src as dir/name and compiles it. */
static struct ifk_yara *load_src(const char *dir, const char *name, const char *src)
{
	char *path = ifk_path_join(dir, name);
	struct ifk_yara *y = NULL;
	struct ifk_error err = {0};

	assert_int_equal(tu_write_file(path, src, strlen(src)), 0);
	if (ifk_yara_load(path, &y, &err) != 0)
		fail_msg("load %s: %s", path, err.msg);
	free(path);
	return y;
}

/* Scans data fed in pieces of chunk bytes; returns the matches. */
static json_t *scan(struct ifk_yara *y, const uint8_t *data, size_t len, size_t chunk)
{
	struct ifk_error err = {0};
	json_t *m = NULL;
	size_t off;

	assert_int_equal(ifk_yara_begin(y, len, &err), 0);
	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (ifk_yara_feed(y, data + off, n, &err) != 0)
			fail_msg("feed at %zu: %s", off, err.msg);
	}
	if (ifk_yara_end(y, &m, &err) != 0)
		fail_msg("end: %s", err.msg);
	assert_true(json_is_array(m));
	return m;
}

static json_t *find_rule(json_t *matches, const char *rule)
{
	size_t i;
	json_t *m;

	json_array_foreach(matches, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "rule")), rule) == 0)
			return m;
	}
	return NULL;
}

static json_int_t str_offset(json_t *rule_match, size_t i)
{
	json_t *s = json_array_get(json_object_get(rule_match, "strings"), i);
	assert_non_null(s);
	return json_integer_value(json_object_get(s, "offset"));
}

static size_t nstrings(json_t *rule_match)
{
	return json_array_size(json_object_get(rule_match, "strings"));
}

/* size bytes of lowercase letters (never the canary), made by an LCG. */
static uint8_t *filler(size_t size)
{
	uint8_t *b = malloc(size);
	uint32_t x = 12345;
	size_t i;

	assert_non_null(b);
	for (i = 0; i < size; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)('a' + (x >> 16) % 26);
	}
	return b;
}

static void test_yara_match_in_one_chunk_reports_everything(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "canary.yar", canary_rule);
	static const char file[] = "xyz" CANARY "tail";
	json_t *m, *r, *s, *meta;
	(void)state;
	assert_int_equal(ifk_yara_rule_count(y), 1);
	m = scan(y, (const uint8_t *)file, sizeof(file) - 1, 1 * MiB);
	assert_int_equal(json_array_size(m), 1);
	r = json_array_get(m, 0);
	assert_string_equal(json_string_value(json_object_get(r, "rule")), "canary");
	assert_string_equal(json_string_value(json_object_get(r, "namespace")), "canary.yar");
	assert_int_equal(json_array_size(json_object_get(r, "tags")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "tags"), 0)),
	                    "test");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "tags"), 1)),
	                    "canary");
	meta = json_object_get(r, "meta");
	assert_string_equal(json_string_value(json_object_get(meta, "description")),
	                    "the test canary");
	assert_int_equal(json_integer_value(json_object_get(meta, "severity")), 3);
	assert_true(json_is_true(json_object_get(meta, "confirmed")));
	assert_true(json_is_false(json_object_get(r, "strings_truncated")));
	assert_int_equal(nstrings(r), 1);
	s = json_array_get(json_object_get(r, "strings"), 0);
	assert_string_equal(json_string_value(json_object_get(s, "id")), "$a");
	assert_int_equal(json_integer_value(json_object_get(s, "offset")), 3);
	assert_int_equal(json_integer_value(json_object_get(s, "length")), CANARY_LEN);
	assert_string_equal(json_string_value(json_object_get(s, "data")), CANARY);
	assert_string_equal(json_string_value(json_object_get(s, "data_encoding")), "text");
	json_decref(m);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

static void test_yara_no_match_is_empty_array(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "canary.yar", canary_rule);
	static const char file[] = "IFK-YARA-CANARY-7f3 and IFK-YARA-CANARY-7f3b? no: F-YARA-";
	json_t *m;
	(void)state;
	m = scan(y, (const uint8_t *)file, sizeof(file) - 1, 7);
	assert_int_equal(json_array_size(m), 0);
	json_decref(m);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

static void test_yara_split_at_every_point(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "canary.yar", canary_rule);
	uint8_t *file = filler(100);
	size_t cut;
	(void)state;
	memcpy(file + 40, CANARY, CANARY_LEN);
	for (cut = 0; cut <= 100; cut++) {
		struct ifk_error err = {0};
		json_t *m = NULL;
		assert_int_equal(ifk_yara_begin(y, 100, &err), 0);
		assert_int_equal(ifk_yara_feed(y, file, cut, &err), 0);
		assert_int_equal(ifk_yara_feed(y, file + cut, 100 - cut, &err), 0);
		assert_int_equal(ifk_yara_end(y, &m, &err), 0);
		assert_int_equal(json_array_size(m), 1);
		assert_int_equal(nstrings(json_array_get(m, 0)), 1);
		assert_int_equal(str_offset(json_array_get(m, 0), 0), 40);
		json_decref(m);
	}
	free(file);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

/* Canaries across every block edge of a 4 MiB stream (blocks start at k MiB
 * and the block starting at k MiB ends at (k+1) MiB + 64 KiB), fed in odd
 * chunk sizes: each is found once, at its file offset, in order. */
static void test_yara_block_boundaries_and_absolute_offsets(void **state)
{
	static const size_t offs[] = {
	    0,
	    MiB - 7,
	    MiB + IFK_YARA_OVERLAP - 10,
	    2 * MiB - 1,
	    2 * MiB + IFK_YARA_OVERLAP - 1,
	    3 * MiB - CANARY_LEN,
	    3 * MiB + IFK_YARA_OVERLAP - CANARY_LEN,
	    4 * MiB + 5000 - CANARY_LEN,
	};
	static const size_t chunks[] = {MiB, 65537, 4096, 3 * MiB + 17};
	const size_t size = 4 * MiB + 5000, n = sizeof(offs) / sizeof(offs[0]);
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "canary.yar", canary_rule);
	uint8_t *file = filler(size);
	size_t i, c;
	(void)state;
	for (i = 0; i < n; i++)
		memcpy(file + offs[i], CANARY, CANARY_LEN);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		json_t *m = scan(y, file, size, chunks[c]), *r = find_rule(m, "canary");
		assert_non_null(r);
		assert_int_equal(nstrings(r), n);
		for (i = 0; i < n; i++)
			assert_int_equal(str_offset(r, i), offs[i]);
		json_decref(m);
	}
	free(file);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

/* The guarantee: a match as long as the overlap (64 KiB, here a hex string)
 * straddling the end of the first block is found, and counted once. */
static void test_yara_longest_guaranteed_match(void **state)
{
	const size_t len = IFK_YARA_OVERLAP, at = MiB + 1, size = 3 * MiB;
	char *dir = tu_mkdtemp(), *src = malloc(3 * len + 200), *p = src;
	uint8_t *file = filler(size);
	struct ifk_yara *y;
	json_t *m, *r, *s;
	size_t i;
	(void)state;
	p += sprintf(p, "rule longest\n{\n  strings:\n    $h = {");
	for (i = 0; i < len; i++) {
		file[at + i] = (uint8_t)((i * 7 + 3) % 251);
		p += sprintf(p, " %02X", file[at + i]);
	}
	sprintf(p, " }\n  condition:\n    #h == 1\n}\n");
	y = load_src(dir, "long.yar", src);
	m = scan(y, file, size, 100000);
	r = find_rule(m, "longest");
	assert_non_null(r);
	assert_int_equal(nstrings(r), 1);
	s = json_array_get(json_object_get(r, "strings"), 0);
	assert_int_equal(json_integer_value(json_object_get(s, "offset")), at);
	assert_int_equal(json_integer_value(json_object_get(s, "length")), len);
	assert_string_equal(json_string_value(json_object_get(s, "data_encoding")), "hex");
	assert_int_equal(strlen(json_string_value(json_object_get(s, "data"))),
	                 2 * IFK_YARA_DATA_BYTES);
	assert_memory_equal(json_string_value(json_object_get(s, "data")), "030a11", 6);
	json_decref(m);
	ifk_yara_free(y);
	free(src);
	free(file);
	tu_rmtree(dir);
	free(dir);
}

static const char cond_rules[] =
    "rule size_1234 { condition: filesize == 1234 }\n"
    "rule size_hint { condition: filesize == 1248 }\n"
    "rule size_big { condition: filesize == 3145733 }\n"
    "rule jpeg { condition: uint16(0) == 0xD8FF and uint8(2) == 0xFF }\n"
    "rule head_far { condition: uint32be(1048576) == 0x4A4B4C4D }\n"
    "rule tail_be { condition: uint32be(filesize - 4) == 0x54414C45 }\n"
    "rule middle { condition: uint8(2097152 - 100) == 0x5A }\n"
    "rule at_zero { strings: $s = { FF D8 FF } condition: $s at 0 }\n"
    "rule empty { condition: filesize == 0 }\n";

/* filesize is the bytes fed (not the hint); reads at the head (first
 * 1 MiB + 64 KiB) and in the last block work; elsewhere they are undefined. */
static void test_yara_filesize_and_reads(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "cond.yar", cond_rules);
	const size_t big = 3 * MiB + 5;
	uint8_t *file = filler(big);
	struct ifk_error err = {0};
	json_t *m;
	(void)state;
	memcpy(file, "\xFF\xD8\xFF\xE0", 4);
	memcpy(file + MiB, "JKLM", 4);
	memcpy(file + big - 4, "TALE", 4);
	file[2 * MiB - 100] = 'Z';
	/* a small file, announced with 14 bytes of padding */
	assert_int_equal(ifk_yara_begin(y, 1248, &err), 0);
	assert_int_equal(ifk_yara_feed(y, file, 1234, &err), 0);
	assert_int_equal(ifk_yara_end(y, &m, &err), 0);
	assert_non_null(find_rule(m, "size_1234"));
	assert_non_null(find_rule(m, "jpeg"));
	assert_non_null(find_rule(m, "at_zero"));
	assert_null(find_rule(m, "size_hint"));
	assert_null(find_rule(m, "tail_be"));
	assert_int_equal(json_array_size(m), 3);
	json_decref(m);
	/* a 3 MiB file: four blocks */
	m = scan(y, file, big, 65536);
	assert_non_null(find_rule(m, "size_big"));
	assert_non_null(find_rule(m, "jpeg"));
	assert_non_null(find_rule(m, "at_zero"));
	assert_non_null(find_rule(m, "head_far"));
	assert_non_null(find_rule(m, "tail_be"));
	assert_null(find_rule(m, "middle")); /* not kept: undefined */
	assert_int_equal(json_array_size(m), 5);
	json_decref(m);
	/* an empty file */
	m = scan(y, file, 0, 1);
	assert_int_equal(json_array_size(m), 1);
	assert_non_null(find_rule(m, "empty"));
	json_decref(m);
	free(file);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

static void test_yara_syntax_error_names_file_and_line(void **state)
{
	char *dir = tu_mkdtemp(), *path = ifk_path_join(dir, "bad.yar"), *want;
	static const char src[] = "rule ok { condition: true }\n"
	                          "rule bad {\n"
	                          "  strings: $a = \"x\"\n"
	                          "  condition: $a and and\n"
	                          "}\n";
	struct ifk_yara *y = (struct ifk_yara *)1;
	struct ifk_error err = {0};
	(void)state;
	assert_int_equal(tu_write_file(path, src, sizeof(src) - 1), 0);
	assert_int_equal(ifk_yara_load(path, &y, &err), IFK_EFORMAT);
	assert_null(y);
	assert_true(asprintf(&want, "%s:4: ", path) > 0);
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("message: %s", err.msg);
	free(want);
	/* includes are refused, so that the hash covers every rule */
	assert_int_equal(tu_write_file(path, "include \"other.yar\"\n", 20), 0);
	assert_int_equal(ifk_yara_load(path, &y, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "include"));
	/* a NUL byte would hide the rest of the file from the compiler */
	assert_int_equal(tu_write_file(path, "rule a { condition: true }\n\0x", 29), 0);
	assert_int_equal(ifk_yara_load(path, &y, &err), IFK_EFORMAT);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void test_yara_missing_and_empty_folder(void **state)
{
	char *dir = tu_mkdtemp(), *path = ifk_path_join(dir, "nope.yar");
	char *txt = ifk_path_join(dir, "notes.txt");
	struct ifk_yara *y = NULL;
	struct ifk_error err = {0};
	(void)state;
	assert_int_equal(ifk_yara_load(path, &y, &err), IFK_ENOTFOUND);
	assert_non_null(strstr(err.msg, path));
	assert_null(y);
	assert_int_equal(tu_write_file(txt, "rule r { condition: true }\n", 27), 0);
	assert_int_equal(ifk_yara_load(dir, &y, &err), IFK_EINVAL);
	assert_non_null(strstr(err.msg, "no *.yar"));
	assert_null(y);
	free(path);
	free(txt);
	tu_rmtree(dir);
	free(dir);
}

static void test_yara_folder_namespaces_order_and_hash(void **state)
{
	char *dir = tu_mkdtemp(), *p, *cat;
	static const char a[] = "rule shared : a { strings: $x = \"alpha\" condition: $x }\n";
	static const char b[] = "rule shared : b { strings: $x = \"alpha\" condition: $x }\n"
	                        "rule beta_only { strings: $y = \"beta\" condition: $y }\n";
	char hex[IFK_SHA256_HEX];
	struct ifk_yara *y = NULL;
	struct ifk_error err = {0};
	json_t *m;
	(void)state;
	p = ifk_path_join(dir, "b.yara");
	assert_int_equal(tu_write_file(p, b, sizeof(b) - 1), 0);
	free(p);
	p = ifk_path_join(dir, "a.yar");
	assert_int_equal(tu_write_file(p, a, sizeof(a) - 1), 0);
	free(p);
	p = ifk_path_join(dir, "._a.yar"); /* AppleDouble litter: skipped */
	assert_int_equal(tu_write_file(p, "\0\5\26\7", 4), 0);
	free(p);
	p = ifk_path_join(dir, "README.txt");
	assert_int_equal(tu_write_file(p, "not rules", 9), 0);
	free(p);
	assert_int_equal(ifk_yara_load(dir, &y, &err), 0);
	assert_int_equal(ifk_yara_rule_count(y), 3);
	assert_true(asprintf(&cat, "%s%s", a, b) > 0);
	ifk_sha256_hex(cat, strlen(cat), hex);
	assert_string_equal(ifk_yara_rules_sha256(y), hex);
	free(cat);
	m = scan(y, (const uint8_t *)"..alpha..beta", 13, 5);
	assert_int_equal(json_array_size(m), 3);
	/* rule order is load order: a.yar first */
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "namespace")),
	                    "a.yar");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 1), "namespace")),
	                    "b.yara");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 1), "rule")),
	                    "shared");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(json_array_get(m, 1), "tags"), 0)),
	    "b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 2), "rule")),
	                    "beta_only");
	assert_int_equal(str_offset(json_array_get(m, 2), 0), 9);
	json_decref(m);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

static void test_yara_folder_refuses_symlink(void **state)
{
	char *dir = tu_mkdtemp(), *p = ifk_path_join(dir, "real.txt"),
	     *l = ifk_path_join(dir, "l.yar");
	struct ifk_yara *y = NULL;
	struct ifk_error err = {0};
	(void)state;
	assert_int_equal(tu_write_file(p, "rule r { condition: true }\n", 27), 0);
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(ifk_yara_load(dir, &y, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(ifk_yara_load(l, &y, &err), IFK_EFORMAT);
	assert_null(y);
	free(p);
	free(l);
	tu_rmtree(dir);
	free(dir);
}

/* Private strings stay hidden; binary data is hex; at most 100 matches per
 * rule, with strings_truncated; two anonymous strings at one offset once. */
static void test_yara_strings_cap_private_and_hex(void **state)
{
	static const char src[] = "rule r {\n"
	                          "  strings:\n"
	                          "    $hidden = \"AB\" private\n"
	                          "    $bin = { 00 01 02 FF }\n"
	                          "    $ = \"CD\"\n"
	                          "    $ = \"CD\" nocase\n"
	                          "  condition: #hidden == 300 and $bin and any of them\n"
	                          "}\n";
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "r.yar", src);
	uint8_t file[604 + 6];
	json_t *m, *r, *s;
	size_t i;
	(void)state;
	for (i = 0; i < 300; i++)
		memcpy(file + 2 * i, "AB", 2);
	memcpy(file + 600, "\x00\x01\x02\xff", 4);
	memcpy(file + 604, "CDxxxx", 6);
	m = scan(y, file, sizeof(file), 33);
	r = find_rule(m, "r");
	assert_non_null(r);
	assert_int_equal(nstrings(r), 2);
	s = json_array_get(json_object_get(r, "strings"), 0);
	assert_string_equal(json_string_value(json_object_get(s, "id")), "$bin");
	assert_string_equal(json_string_value(json_object_get(s, "data")), "000102ff");
	assert_string_equal(json_string_value(json_object_get(s, "data_encoding")), "hex");
	s = json_array_get(json_object_get(r, "strings"), 1);
	assert_string_equal(json_string_value(json_object_get(s, "id")), "$");
	assert_int_equal(json_integer_value(json_object_get(s, "offset")), 604);
	assert_true(json_is_false(json_object_get(r, "strings_truncated")));
	json_decref(m);
	ifk_yara_free(y);
	/* the same with a visible string: capped at 100 */
	y = load_src(dir, "v.yar", "rule v { strings: $ab = \"AB\" condition: #ab == 300 }\n");
	m = scan(y, file, sizeof(file), 33);
	r = find_rule(m, "v");
	assert_non_null(r);
	assert_int_equal(nstrings(r), IFK_YARA_STRINGS_PER_RULE);
	assert_int_equal(str_offset(r, 99), 198);
	assert_true(json_is_true(json_object_get(r, "strings_truncated")));
	json_decref(m);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

/* 100 files in a row through one handle, alternately with and without the
 * canary: each result is its own file's (ASan checks that nothing leaks). */
static void test_yara_many_files_in_a_row(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "canary.yar", canary_rule);
	uint8_t *file = filler(MiB + 4096);
	int i;
	(void)state;
	for (i = 0; i < 100; i++) {
		size_t size = (size_t)(i % 3 == 0 ? MiB + 4096 : 1000 + i);
		size_t at = size - CANARY_LEN - (size_t)i;
		json_t *m;
		uint8_t keep[CANARY_LEN];
		memcpy(keep, file + at, CANARY_LEN);
		if (i % 2 == 0)
			memcpy(file + at, CANARY, CANARY_LEN);
		m = scan(y, file, size, 4000);
		memcpy(file + at, keep, CANARY_LEN);
		if (i % 2 == 0) {
			assert_int_equal(json_array_size(m), 1);
			assert_int_equal(str_offset(json_array_get(m, 0), 0), at);
		} else {
			assert_int_equal(json_array_size(m), 0);
		}
		json_decref(m);
	}
	free(file);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

/* Abandoning a file in the middle of a paused scan: the next files see
 * nothing of it. */
static void test_yara_abort_mid_file_then_new_file(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "canary.yar", canary_rule);
	uint8_t *file = filler(3 * MiB);
	struct ifk_error err = {0};
	json_t *m = NULL;
	(void)state;
	memcpy(file + 10, CANARY, CANARY_LEN);
	assert_int_equal(ifk_yara_begin(y, 3 * MiB, &err), 0);
	assert_int_equal(ifk_yara_feed(y, file, 2 * MiB, &err), 0); /* one block scanned */
	ifk_yara_abort(y);
	ifk_yara_abort(y); /* twice is harmless */
	assert_int_equal(ifk_yara_end(y, &m, &err), IFK_EINVAL);
	assert_null(m);
	assert_int_equal(ifk_yara_feed(y, file, 10, &err), IFK_EINVAL);
	m = scan(y, file + 100, 2 * MiB, MiB); /* no canary in it */
	assert_int_equal(json_array_size(m), 0);
	json_decref(m);
	m = scan(y, file, 3 * MiB, MiB);
	assert_int_equal(json_array_size(m), 1);
	assert_int_equal(nstrings(json_array_get(m, 0)), 1);
	assert_int_equal(str_offset(json_array_get(m, 0), 0), 10);
	json_decref(m);
	/* begin while a file is open abandons it too */
	assert_int_equal(ifk_yara_begin(y, 0, &err), 0);
	assert_int_equal(ifk_yara_feed(y, file, 3 * MiB, &err), 0);
	m = scan(y, (const uint8_t *)"nothing", 7, 7);
	assert_int_equal(json_array_size(m), 0);
	json_decref(m);
	free(file);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

static void test_yara_free_mid_file(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "canary.yar", canary_rule);
	uint8_t *file = filler(3 * MiB);
	struct ifk_error err = {0};
	(void)state;
	memcpy(file + 10, CANARY, CANARY_LEN);
	assert_int_equal(ifk_yara_begin(y, 3 * MiB, &err), 0);
	assert_int_equal(ifk_yara_feed(y, file, 3 * MiB - 1, &err), 0);
	ifk_yara_free(y); /* ASan: the paused scan's matches are released */
	ifk_yara_free(NULL);
	ifk_yara_abort(NULL);
	free(file);
	tu_rmtree(dir);
	free(dir);
}

/* More than 1,000,000 matches of one string: the file fails with a message
 * naming the string and rule, the failure is sticky until the end, and
 * the next file scans normally. */
static void test_yara_too_many_matches(void **state)
{
	static const char src[] = "rule zeros { strings: $z = { 00 00 } condition: $z }\n"
	                          "rule canary { strings: $a = \"" CANARY "\" condition: $a }\n";
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "z.yar", src);
	uint8_t *zeros = calloc(1, MiB);
	struct ifk_error err = {0};
	json_t *m = NULL;
	int rc = 0, i;
	(void)state;
	assert_non_null(zeros);
	assert_int_equal(ifk_yara_begin(y, 4 * MiB, &err), 0);
	for (i = 0; i < 4 && rc == 0; i++)
		rc = ifk_yara_feed(y, zeros, MiB, &err);
	assert_int_equal(rc, IFK_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "too many matches"));
	assert_non_null(strstr(err.msg, "$z"));
	assert_non_null(strstr(err.msg, "zeros"));
	memset(&err, 0, sizeof(err));
	assert_int_equal(ifk_yara_feed(y, zeros, 10, &err), IFK_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "too many matches"));
	assert_int_equal(ifk_yara_end(y, &m, &err), IFK_EUNSUPPORTED);
	assert_null(m);
	memcpy(zeros + 5, CANARY, CANARY_LEN);
	m = scan(y, zeros + 1, 100, 100);
	assert_int_equal(json_array_size(m), 2);
	assert_int_equal(str_offset(find_rule(m, "canary"), 0), 4);
	json_decref(m);
	free(zeros);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

static void test_yara_bad_calls(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_yara *y = load_src(dir, "canary.yar", canary_rule);
	struct ifk_error err = {0};
	struct ifk_yara *other = (struct ifk_yara *)1;
	json_t *m = NULL;
	(void)state;
	assert_int_equal(ifk_yara_feed(y, (const uint8_t *)"x", 1, &err), IFK_EINVAL);
	assert_int_equal(ifk_yara_end(y, &m, &err), IFK_EINVAL);
	assert_int_equal(ifk_yara_begin(NULL, 0, &err), IFK_EINVAL);
	assert_int_equal(ifk_yara_begin(y, 0, &err), 0);
	assert_int_equal(ifk_yara_feed(y, NULL, 1, &err), IFK_EINVAL);
	assert_int_equal(ifk_yara_feed(y, NULL, 0, &err), 0);
	assert_int_equal(ifk_yara_end(y, NULL, &err), IFK_EINVAL);
	assert_int_equal(ifk_yara_load(NULL, &other, &err), IFK_EINVAL);
	assert_null(other);
	ifk_yara_free(y);
	tu_rmtree(dir);
	free(dir);
}

/* The shipped example rules compile and find what they say. */
static void test_yara_shipped_examples(void **state)
{
	const char *src_dir = getenv("IFK_SOURCE_DIR");
	char *rules = NULL;
	struct ifk_yara *y = NULL;
	struct ifk_error err = {0};
	static const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'};
	static const uint8_t wide[] = "I\0F\0K\0-\0Y\0A\0R\0A\0-\0C\0A\0N\0A\0R\0Y\0-\0"
	                              "7\0f\0003\0a\0";
	static const char pem[] = "junk\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n";
	static const uint8_t macho[] = {0xCF, 0xFA, 0xED, 0xFE, 0x0C, 0x00, 0x00, 0x01};
	uint8_t sqlite[4096] = "SQLite format 3";
	json_t *m;
	(void)state;
	assert_true(asprintf(&rules, "%s/rules", src_dir ? src_dir : ".") > 0);
	if (ifk_yara_load(rules, &y, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(ifk_yara_rule_count(y) >= 5);
	m = scan(y, jpeg, sizeof(jpeg), 3);
	assert_non_null(find_rule(m, "jpeg_image"));
	assert_int_equal(json_array_size(m), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "namespace")),
	                    "ifk-examples.yar");
	json_decref(m);
	m = scan(y, sqlite, sizeof(sqlite), 1000);
	assert_non_null(find_rule(m, "sqlite_database"));
	json_decref(m);
	m = scan(y, wide, sizeof(wide) - 1, 5);
	assert_non_null(find_rule(m, "ifk_test_canary"));
	json_decref(m);
	m = scan(y, (const uint8_t *)pem, sizeof(pem) - 1, 9);
	assert_non_null(find_rule(m, "private_key_pem"));
	assert_int_equal(str_offset(find_rule(m, "private_key_pem"), 0), 5);
	json_decref(m);
	m = scan(y, macho, sizeof(macho), 8);
	assert_non_null(find_rule(m, "macho_binary"));
	json_decref(m);
	m = scan(y, (const uint8_t *)"plain text", 10, 10);
	assert_int_equal(json_array_size(m), 0);
	json_decref(m);
	ifk_yara_free(y);
	free(rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_yara_match_in_one_chunk_reports_everything),
	    cmocka_unit_test(test_yara_no_match_is_empty_array),
	    cmocka_unit_test(test_yara_split_at_every_point),
	    cmocka_unit_test(test_yara_block_boundaries_and_absolute_offsets),
	    cmocka_unit_test(test_yara_longest_guaranteed_match),
	    cmocka_unit_test(test_yara_filesize_and_reads),
	    cmocka_unit_test(test_yara_syntax_error_names_file_and_line),
	    cmocka_unit_test(test_yara_missing_and_empty_folder),
	    cmocka_unit_test(test_yara_folder_namespaces_order_and_hash),
	    cmocka_unit_test(test_yara_folder_refuses_symlink),
	    cmocka_unit_test(test_yara_strings_cap_private_and_hex),
	    cmocka_unit_test(test_yara_many_files_in_a_row),
	    cmocka_unit_test(test_yara_abort_mid_file_then_new_file),
	    cmocka_unit_test(test_yara_free_mid_file),
	    cmocka_unit_test(test_yara_too_many_matches),
	    cmocka_unit_test(test_yara_bad_calls),
	    cmocka_unit_test(test_yara_shipped_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
