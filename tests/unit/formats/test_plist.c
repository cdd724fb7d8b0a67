#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats.h"
#include "testutil.h"

/* ---- helpers ---- */

static plist_t sample_dict(void)
{
	plist_t d = plist_new_dict();
	static const char key[] = "0123456789";

	plist_dict_set_item(d, "Name", plist_new_string("iPhone"));
	plist_dict_set_item(d, "Count", plist_new_uint(42));
	plist_dict_set_item(d, "IsEncrypted", plist_new_bool(1));
	plist_dict_set_item(d, "Key", plist_new_data(key, sizeof(key) - 1));
	/* 2020-01-01T00:00:00Z = Unix 1577836800 */
	plist_dict_set_item(d, "Date", plist_new_date(1577836800 - 978307200, 0));
	return d;
}

static uint8_t *to_bin(plist_t p, size_t *len)
{
	char *bin = NULL;
	uint32_t n = 0;
	uint8_t *copy;

	plist_to_bin(p, &bin, &n);
	assert_non_null(bin);
	copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, bin, n);
	free(bin);
	*len = n;
	return copy;
}

/* A binary plist from object bodies (each starting with its marker), with
 * 2-byte offsets and rsz-byte references. */
static uint8_t *bp_build(const uint8_t *const *objs, const size_t *lens, size_t n, size_t root,
                         unsigned rsz, size_t *out_len)
{
	size_t cap = 8 + 32 + 2 * n, i, o = 8, ot;
	uint8_t *b;

	for (i = 0; i < n; i++)
		cap += lens[i];
	b = calloc(1, cap);
	assert_non_null(b);
	memcpy(b, "bplist00", 8);
	for (i = 0; i < n; i++) {
		memcpy(b + o, objs[i], lens[i]);
		o += lens[i];
	}
	ot = o;
	o = 8;
	for (i = 0; i < n; i++) {
		b[ot + 2 * i] = (uint8_t)(o >> 8);
		b[ot + 2 * i + 1] = (uint8_t)o;
		o += lens[i];
	}
	o = ot + 2 * n;
	b[o + 6] = 2;
	b[o + 7] = (uint8_t)rsz;
	b[o + 15] = (uint8_t)n;
	b[o + 14] = (uint8_t)(n >> 8);
	b[o + 23] = (uint8_t)root;
	b[o + 22] = (uint8_t)(root >> 8);
	b[o + 30] = (uint8_t)(ot >> 8);
	b[o + 31] = (uint8_t)ot;
	*out_len = o + 32;
	return b;
}

/* Object k (k >= 1) is an array holding object k-1 twice: 2^depth leaves. */
static uint8_t *laughs(unsigned depth, size_t *len)
{
	uint8_t objs[256][3];
	const uint8_t *ptrs[256];
	size_t lens[256], k;

	objs[0][0] = 0x10;
	objs[0][1] = 7;
	ptrs[0] = objs[0];
	lens[0] = 2;
	for (k = 1; k <= depth; k++) {
		objs[k][0] = 0xA2;
		objs[k][1] = (uint8_t)(k - 1);
		objs[k][2] = (uint8_t)(k - 1);
		ptrs[k] = objs[k];
		lens[k] = 3;
	}
	return bp_build(ptrs, lens, depth + 1, depth, 1, len);
}

/* Object k is an array holding object k+1; the last is an integer. */
static uint8_t *nested(unsigned depth, size_t *len)
{
	static uint8_t objs[1024][3];
	const uint8_t *ptrs[1024];
	size_t lens[1024], k;

	for (k = 0; k < depth; k++) {
		objs[k][0] = 0xA1;
		objs[k][1] = (uint8_t)((k + 1) >> 8);
		objs[k][2] = (uint8_t)(k + 1);
		ptrs[k] = objs[k];
		lens[k] = 3;
	}
	objs[depth][0] = 0x10;
	objs[depth][1] = 1;
	ptrs[depth] = objs[depth];
	lens[depth] = 2;
	return bp_build(ptrs, lens, depth + 1, 0, 2, len);
}

static char *xml_nested(size_t depth, const char *between, size_t *len)
{
	size_t cap = 200 + depth * (8 + strlen(between) + 9), o = 0, i;
	char *b = malloc(cap);

	assert_non_null(b);
	o += (size_t)sprintf(b, "<?xml version=\"1.0\"?><plist version=\"1.0\">");
	for (i = 0; i < depth; i++)
		o += (size_t)sprintf(b + o, "<array>%s", between);
	for (i = 0; i < depth; i++)
		o += (size_t)sprintf(b + o, "</array>");
	o += (size_t)sprintf(b + o, "</plist>");
	*len = o;
	return b;
}

/* ---- ifk_plist_parse ---- */

static void test_ifk_plist_parse_xml_dict(void **state)
{
	static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                          "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	                          "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	                          "<plist version=\"1.0\"><dict><key>Device Name</key>"
	                          "<string>Pat's iPhone</string><!-- a comment -->"
	                          "<key>N</key><integer>7</integer></dict></plist>\n";
	struct ifk_error err = {0};
	plist_t p = NULL;
	char *s = NULL;

	(void)state;
	assert_int_equal(ifk_plist_parse(xml, sizeof(xml) - 1, "Info.plist", &p, &err), 0);
	assert_int_equal(ifk_plist_get_string(p, "Device Name", &s, &err), 0);
	assert_string_equal(s, "Pat's iPhone");
	free(s);
	plist_free(p);
}

static void test_ifk_plist_parse_binary_roundtrip(void **state)
{
	struct ifk_error err = {0};
	plist_t src = sample_dict(), p = NULL;
	size_t len;
	uint8_t *bin = to_bin(src, &len);
	uint64_t u = 0;

	(void)state;
	assert_int_equal(ifk_plist_parse(bin, len, "Manifest.plist", &p, &err), 0);
	assert_int_equal(ifk_plist_get_uint(p, "Count", &u, &err), 0);
	assert_int_equal(u, 42);
	plist_free(p);
	plist_free(src);
	free(bin);
}

static void test_ifk_plist_parse_empty(void **state)
{
	struct ifk_error err = {0};
	plist_t p = (plist_t)&err;

	(void)state;
	assert_int_equal(ifk_plist_parse("", 0, "Status.plist", &p, &err), IFK_EFORMAT);
	assert_null(p);
	assert_non_null(strstr(err.msg, "Status.plist"));
}

static void test_ifk_plist_parse_too_large(void **state)
{
	struct ifk_error err = {0};
	plist_t p = NULL;

	(void)state;
	/* the length is refused before the buffer is read */
	assert_int_equal(ifk_plist_parse("bplist00", (size_t)UINT32_MAX + 1, "x", &p, &err),
	                 IFK_EFORMAT);
	assert_null(p);
}

static void test_ifk_plist_parse_garbage(void **state)
{
	struct ifk_error err = {0};
	uint8_t buf[512];
	plist_t p = NULL;
	unsigned seed = 1234;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand_r(&seed);
	buf[0] = 0x01;
	assert_int_equal(ifk_plist_parse(buf, sizeof(buf), "Manifest.plist", &p, &err),
	                 IFK_EFORMAT);
	assert_null(p);
	assert_non_null(strstr(err.msg, "Manifest.plist: not a valid plist"));
	memcpy(buf, "bplist00", 8);
	assert_int_equal(ifk_plist_parse(buf, sizeof(buf), "Manifest.plist", &p, &err),
	                 IFK_EFORMAT);
	assert_string_equal(err.msg, "Manifest.plist: not a valid plist (truncated or corrupt)");
}

static void test_ifk_plist_parse_every_prefix(void **state)
{
	plist_t src = sample_dict(), p = NULL;
	size_t len, n;
	uint8_t *bin = to_bin(src, &len);

	(void)state;
	for (n = 0; n <= len; n++) {
		uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
		int rc;

		assert_non_null(copy);
		memcpy(copy, bin, n);
		rc = ifk_plist_parse(copy, n, "prefix", &p, NULL);
		assert_true(rc == 0 || rc == IFK_EFORMAT);
		assert_true((rc == 0) == (p != NULL));
		plist_free(p);
		p = NULL;
		free(copy);
	}
	plist_free(src);
	free(bin);
}

static void test_ifk_plist_parse_every_byte_flipped(void **state)
{
	plist_t src = sample_dict(), p = NULL;
	size_t len, i;
	uint8_t *bin = to_bin(src, &len);
	static const uint8_t vals[] = {0x00, 0xFF, 0x7F, 0x80, 0x0F, 0xAF, 0xDF};
	size_t v;

	(void)state;
	for (i = 0; i < len; i++) {
		for (v = 0; v < sizeof(vals); v++) {
			uint8_t *copy = malloc(len), *q;

			assert_non_null(copy);
			memcpy(copy, bin, len);
			q = copy + i;
			*q = vals[v];
			if (ifk_plist_parse(copy, len, "flip", &p, NULL) == 0)
				plist_free(p);
			p = NULL;
			free(copy);
		}
	}
	plist_free(src);
	free(bin);
}

static void test_ifk_plist_parse_unsupported_version(void **state)
{
	struct ifk_error err = {0};
	uint8_t buf[64] = "bplist15";
	plist_t p = NULL;

	(void)state;
	assert_int_equal(ifk_plist_parse(buf, sizeof(buf), "x.plist", &p, &err), IFK_EUNSUPPORTED);
	assert_null(p);
}

static void test_ifk_plist_parse_expansion_bomb(void **state)
{
	struct ifk_error err = {0};
	plist_t p = NULL;
	size_t len;
	uint8_t *ok = laughs(8, &len), *bomb;
	time_t t0 = time(NULL);

	(void)state;
	/* 2^8 copies: fine */
	assert_int_equal(ifk_plist_parse(ok, len, "small", &p, &err), 0);
	plist_free(p);
	free(ok);
	/* 2^60 copies: refused at once, not expanded */
	bomb = laughs(60, &len);
	assert_int_equal(ifk_plist_parse(bomb, len, "bomb", &p, &err), IFK_EFORMAT);
	assert_null(p);
	assert_non_null(strstr(err.msg, "expands"));
	assert_true(time(NULL) - t0 < 5);
	free(bomb);
}

static void test_ifk_plist_parse_deep_binary(void **state)
{
	struct ifk_error err = {0};
	plist_t p = NULL;
	size_t len;
	uint8_t *b = nested(200, &len);

	(void)state;
	assert_int_equal(ifk_plist_parse(b, len, "deep", &p, &err), 0);
	plist_free(p);
	free(b);
	b = nested(IFK_PLIST_MAX_DEPTH + 10, &len);
	assert_int_equal(ifk_plist_parse(b, len, "deep", &p, &err), IFK_EFORMAT);
	assert_null(p);
	assert_string_equal(err.msg, "deep: not a valid plist (nested too deeply)");
	free(b);
}

static void test_ifk_plist_parse_self_reference(void **state)
{
	static const uint8_t arr[] = {0xA1, 0x00}; /* object 0 = [object 0] */
	const uint8_t *objs[] = {arr};
	size_t lens[] = {sizeof(arr)}, len;
	struct ifk_error err = {0};
	plist_t p = NULL;
	uint8_t *b = bp_build(objs, lens, 1, 0, 1, &len);

	(void)state;
	assert_int_equal(ifk_plist_parse(b, len, "cycle", &p, &err), IFK_EFORMAT);
	assert_null(p);
	free(b);
}

static void test_ifk_plist_parse_ref_out_of_range(void **state)
{
	static const uint8_t arr[] = {0xA1, 0x09};
	const uint8_t *objs[] = {arr};
	size_t lens[] = {sizeof(arr)}, len;
	struct ifk_error err = {0};
	plist_t p = NULL;
	uint8_t *b = bp_build(objs, lens, 1, 0, 1, &len);

	(void)state;
	assert_int_equal(ifk_plist_parse(b, len, "refs", &p, &err), IFK_EFORMAT);
	assert_null(p);
	free(b);
}

static void test_ifk_plist_parse_huge_length(void **state)
{
	/* a data object claiming 2^62 bytes, and an array claiming 2^40 refs */
	static const uint8_t data[] = {0x4F, 0x13, 0x40, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t arr[] = {0xAF, 0x13, 0, 0, 0x01, 0, 0, 0, 0, 0};
	const uint8_t *objs[] = {data};
	size_t lens[] = {sizeof(data)}, len;
	struct ifk_error err = {0};
	plist_t p = NULL;
	uint8_t *b = bp_build(objs, lens, 1, 0, 1, &len);

	(void)state;
	assert_int_equal(ifk_plist_parse(b, len, "huge", &p, &err), IFK_EFORMAT);
	free(b);
	objs[0] = arr;
	lens[0] = sizeof(arr);
	b = bp_build(objs, lens, 1, 0, 1, &len);
	assert_int_equal(ifk_plist_parse(b, len, "huge", &p, &err), IFK_EFORMAT);
	assert_null(p);
	free(b);
}

static void test_ifk_plist_parse_deep_xml(void **state)
{
	struct ifk_error err = {0};
	plist_t p = NULL;
	size_t len;
	char *x = xml_nested(100, "", &len);

	(void)state;
	assert_int_equal(ifk_plist_parse(x, len, "ok.plist", &p, &err), 0);
	plist_free(p);
	free(x);
	/* a million levels would overflow libplist's recursive free */
	x = xml_nested(1000000, "", &len);
	assert_int_equal(ifk_plist_parse(x, len, "deep.plist", &p, &err), IFK_EFORMAT);
	assert_null(p);
	assert_non_null(strstr(err.msg, "deep.plist: not a valid plist (nested deeper"));
	free(x);
	/* unclosed: libplist would fail at EOF and free the deep tree */
	x = xml_nested(1000000, "", &len);
	x[len / 2] = '\0';
	assert_int_equal(ifk_plist_parse(x, len / 2, "deep.plist", &p, &err), IFK_EFORMAT);
	free(x);
}

static void test_ifk_plist_parse_deep_xml_decoys(void **state)
{
	struct ifk_error err = {0};
	plist_t p = NULL;
	size_t len;
	/* closing tags hidden where libplist does not see them */
	char *x = xml_nested(2000, "<!-- </array></array> --><string><![CDATA[</array>]]></string>",
	                     &len);

	(void)state;
	assert_int_equal(ifk_plist_parse(x, len, "decoy.plist", &p, &err), IFK_EFORMAT);
	assert_null(p);
	assert_non_null(strstr(err.msg, "nested deeper"));
	free(x);
	x = xml_nested(2000, "<?pi \"?></array>\"?><string a=\"</array>\">s</string>", &len);
	assert_int_equal(ifk_plist_parse(x, len, "decoy.plist", &p, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "nested deeper"));
	assert_null(p);
	free(x);
	/* the same constructs, shallow: libplist reads them, and so do we */
	x = xml_nested(20, "<!-- </array></array> --><string><![CDATA[</array>]]></string>", &len);
	assert_int_equal(ifk_plist_parse(x, len, "decoy.plist", &p, &err), 0);
	plist_free(p);
	free(x);
	x = xml_nested(20, "<?pi \"?></array>\"?><string a=\"</array>\">s</string>", &len);
	assert_int_equal(ifk_plist_parse(x, len, "decoy.plist", &p, &err), 0);
	plist_free(p);
	free(x);
}

static void test_ifk_plist_parse_stats_nul_string(void **state)
{
	static const uint8_t str[] = {0x57, 'a', 'b', 'c', 0, 'e', 'f', 'g'};
	const uint8_t *objs[] = {str};
	size_t lens[] = {sizeof(str)}, len;
	struct ifk_plist_stats st;
	plist_t p = NULL;
	uint8_t *b = bp_build(objs, lens, 1, 0, 1, &len);

	(void)state;
	assert_int_equal(ifk_plist_parse_stats(b, len, "nul", &p, &st, NULL), 0);
	assert_int_equal(st.nul_strings, 1);
	assert_int_equal(st.first_nul_offset, 8);
	plist_free(p);
	free(b);
}

/* {"a<U+0000>b": "v1", "ok": "v2"}, the first key in UTF-16 */
static uint8_t *nul_key_plist(size_t *len)
{
	static const uint8_t dict[] = {0xD2, 1, 3, 2, 4};
	static const uint8_t key[] = {0x63, 0, 'a', 0, 0, 0, 'b'};
	static const uint8_t v1[] = {0x52, 'v', '1'};
	static const uint8_t ok[] = {0x52, 'o', 'k'};
	static const uint8_t v2[] = {0x52, 'v', '2'};
	const uint8_t *objs[] = {dict, key, v1, ok, v2};
	size_t lens[] = {sizeof(dict), sizeof(key), sizeof(v1), sizeof(ok), sizeof(v2)};

	return bp_build(objs, lens, 5, 0, 1, len);
}

static void test_ifk_plist_parse_nul_key(void **state)
{
	struct ifk_plist_stats st;
	plist_dict_iter it = NULL;
	plist_t p = NULL, v = NULL;
	char *key = NULL, *val = NULL, *xml = NULL;
	uint32_t xml_len = 0;
	size_t len;
	uint8_t *b = nul_key_plist(&len), *before = malloc(len);

	(void)state;
	memcpy(before, b, len);
	assert_int_equal(ifk_plist_parse_stats(b, len, "Manifest.plist", &p, &st, NULL), 0);
	assert_memory_equal(b, before, len); /* the input is never changed */
	assert_int_equal(st.nul_strings, 1);
	assert_int_equal(st.nul_keys, 1);
	assert_int_equal(st.first_nul_offset, 13);
	/* libplist 2.2 aborts here on the raw bytes */
	plist_dict_new_iter(p, &it);
	plist_dict_next_item(p, it, &key, &v);
	assert_string_equal(key, "a\xEF\xBF\xBD"
	                         "b");
	plist_get_string_val(v, &val);
	assert_string_equal(val, "v1");
	free(key);
	free(val);
	free(it);
	assert_int_equal(ifk_plist_get_string(p, "ok", &val, NULL), 0);
	assert_string_equal(val, "v2");
	free(val);
	plist_to_xml(p, &xml, &xml_len);
	assert_non_null(strstr(xml, "<key>a\xEF\xBF\xBD"
	                            "b</key>"));
	free(xml);
	plist_free(p);
	free(before);
	free(b);
}

static void test_ifk_plist_parse_nul_utf16_string(void **state)
{
	static const uint8_t arr[] = {0xA1, 1};
	static const uint8_t str[] = {0x63, 0, 'x', 0, 0, 0, 'y'};
	const uint8_t *objs[] = {arr, str};
	size_t lens[] = {sizeof(arr), sizeof(str)}, len;
	struct ifk_plist_stats st;
	plist_t p = NULL, copy;
	char *val = NULL, *bin = NULL;
	uint32_t bin_len = 0;
	uint8_t *b = bp_build(objs, lens, 2, 0, 1, &len);

	(void)state;
	assert_int_equal(ifk_plist_parse_stats(b, len, "msg", &p, &st, NULL), 0);
	assert_int_equal(st.nul_strings, 1);
	assert_int_equal(st.nul_keys, 0);
	plist_get_string_val(plist_array_get_item(p, 0), &val);
	assert_string_equal(val, "x\xEF\xBF\xBD"
	                         "y");
	free(val);
	/* a copy re-encodes whole (its length matches its text) */
	copy = plist_copy(p);
	plist_to_bin(copy, &bin, &bin_len);
	assert_non_null(bin);
	free(bin);
	plist_free(copy);
	plist_free(p);
	free(b);
}

static void test_ifk_plist_parse_nul_xml(void **state)
{
	static const char x[] = "<plist><dict><key>k\0x</key><string>a\0b</string>"
	                        "<key>n</key><string>c\0\0d</string></dict></plist>";
	struct ifk_plist_stats st;
	plist_dict_iter it = NULL;
	plist_t p = NULL, v = NULL;
	char *key = NULL, *val = NULL;

	(void)state;
	assert_int_equal(ifk_plist_parse_stats(x, sizeof(x) - 1, "x.plist", &p, &st, NULL), 0);
	assert_int_equal(st.nul_strings, 4);
	assert_int_equal(st.first_nul_offset, 19);
	plist_dict_new_iter(p, &it);
	plist_dict_next_item(p, it, &key, &v);
	assert_string_equal(key, "k\xEF\xBF\xBDx");
	plist_get_string_val(v, &val); /* libplist 2.2 aborts here on the raw bytes */
	assert_string_equal(val, "a\xEF\xBF\xBD"
	                         "b");
	free(key);
	free(val);
	free(it);
	assert_int_equal(ifk_plist_get_string(p, "n", &val, NULL), 0);
	assert_string_equal(val, "c\xEF\xBF\xBD\xEF\xBF\xBD"
	                         "d");
	free(val);
	plist_free(p);
}

/* ---- ifk_plist_read_file ---- */

static void test_ifk_plist_read_file_ok(void **state)
{
	struct ifk_error err = {0};
	char *dir = tu_mkdtemp(), path[512];
	plist_t src = sample_dict(), p = NULL;
	size_t len;
	uint8_t *bin = to_bin(src, &len);
	bool b = false;

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.plist", dir);
	assert_int_equal(tu_write_file(path, bin, len), 0);
	assert_int_equal(ifk_plist_read_file(path, 1 << 20, &p, &err), 0);
	assert_int_equal(ifk_plist_get_bool(p, "IsEncrypted", &b, &err), 0);
	assert_true(b);
	plist_free(p);
	assert_int_equal(ifk_plist_read_file(path, len - 1, &p, &err), IFK_EFORMAT);
	assert_null(p);
	assert_non_null(strstr(err.msg, "larger than"));
	plist_free(src);
	free(bin);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_plist_read_file_refuses_odd_files(void **state)
{
	struct ifk_error err = {0};
	char *dir = tu_mkdtemp(), path[512], link[512], fifo[512];
	plist_t p = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/Info.plist", dir);
	snprintf(link, sizeof(link), "%s/link.plist", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo.plist", dir);
	assert_int_equal(tu_write_file(path, "<plist><true/></plist>", 22), 0);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(ifk_plist_read_file(link, 1 << 20, &p, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(ifk_plist_read_file(fifo, 1 << 20, &p, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(ifk_plist_read_file(dir, 1 << 20, &p, &err), IFK_EFORMAT);
	snprintf(path, sizeof(path), "%s/none.plist", dir);
	assert_int_equal(ifk_plist_read_file(path, 1 << 20, &p, &err), IFK_ENOTFOUND);
	assert_non_null(strstr(err.msg, "none.plist"));
	assert_null(p);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_plist_read_file_empty(void **state)
{
	struct ifk_error err = {0};
	char *dir = tu_mkdtemp(), path[512];
	plist_t p = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/Status.plist", dir);
	assert_int_equal(tu_write_file(path, "", 0), 0);
	assert_int_equal(ifk_plist_read_file(path, 1 << 20, &p, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "Status.plist"));
	tu_rmtree(dir);
	free(dir);
}

/* ---- getters ---- */

static void test_ifk_plist_get_string_cases(void **state)
{
	struct ifk_error err = {0};
	plist_t d = sample_dict();
	char *s = NULL;

	(void)state;
	assert_int_equal(ifk_plist_get_string(d, "Name", &s, &err), 0);
	assert_string_equal(s, "iPhone");
	free(s);
	s = NULL;
	assert_int_equal(ifk_plist_get_string(d, "Nope", &s, &err), IFK_ENOTFOUND);
	assert_string_equal(err.msg, "Nope: missing");
	assert_int_equal(ifk_plist_get_string(d, "Count", &s, &err), IFK_EFORMAT);
	assert_string_equal(err.msg, "Count: expected a string, found an integer");
	assert_null(s);
	assert_int_equal(ifk_plist_get_string(plist_dict_get_item(d, "Name"), "x", &s, &err),
	                 IFK_EFORMAT);
	assert_int_equal(ifk_plist_get_string(NULL, "x", &s, NULL), IFK_EFORMAT);
	plist_free(d);
}

static void test_ifk_plist_get_uint_cases(void **state)
{
	plist_t d = sample_dict();
	uint64_t u = 9;

	(void)state;
	assert_int_equal(ifk_plist_get_uint(d, "Count", &u, NULL), 0);
	assert_int_equal(u, 42);
	assert_int_equal(ifk_plist_get_uint(d, "Name", &u, NULL), IFK_EFORMAT);
	assert_int_equal(ifk_plist_get_uint(d, "None", &u, NULL), IFK_ENOTFOUND);
	assert_int_equal(u, 42);
	plist_free(d);
}

static void test_ifk_plist_get_bool_cases(void **state)
{
	plist_t d = sample_dict();
	bool b = false;

	(void)state;
	assert_int_equal(ifk_plist_get_bool(d, "IsEncrypted", &b, NULL), 0);
	assert_true(b);
	assert_int_equal(ifk_plist_get_bool(d, "Count", &b, NULL), IFK_EFORMAT);
	assert_int_equal(ifk_plist_get_bool(d, "None", &b, NULL), IFK_ENOTFOUND);
	plist_free(d);
}

static void test_ifk_plist_get_data_cases(void **state)
{
	plist_t d = sample_dict();
	uint8_t *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(ifk_plist_get_data(d, "Key", &buf, &len, NULL), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(buf, "0123456789", 10);
	free(buf);
	buf = NULL;
	plist_dict_set_item(d, "Empty", plist_new_data("", 0));
	assert_int_equal(ifk_plist_get_data(d, "Empty", &buf, &len, NULL), 0);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	free(buf);
	assert_int_equal(ifk_plist_get_data(d, "Name", &buf, &len, NULL), IFK_EFORMAT);
	assert_int_equal(ifk_plist_get_data(d, "None", &buf, &len, NULL), IFK_ENOTFOUND);
	plist_free(d);
}

static void test_ifk_plist_get_date_cases(void **state)
{
	struct ifk_error err = {0};
	plist_t d = sample_dict(), p = NULL;
	int64_t t = 0;
	size_t len;
	uint8_t *bin;

	(void)state;
	assert_int_equal(ifk_plist_get_date(d, "Date", &t, &err), 0);
	assert_int_equal(t, 1577836800);
	assert_int_equal(ifk_plist_get_date(d, "Name", &t, &err), IFK_EFORMAT);
	assert_string_equal(err.msg, "Name: expected a date, found a string");
	/* and through a binary round trip */
	bin = to_bin(d, &len);
	assert_int_equal(ifk_plist_parse(bin, len, "d", &p, NULL), 0);
	assert_int_equal(ifk_plist_get_date(p, "Date", &t, &err), 0);
	assert_int_equal(t, 1577836800);
	plist_free(p);
	free(bin);
	plist_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ifk_plist_parse_xml_dict),
	    cmocka_unit_test(test_ifk_plist_parse_binary_roundtrip),
	    cmocka_unit_test(test_ifk_plist_parse_empty),
	    cmocka_unit_test(test_ifk_plist_parse_too_large),
	    cmocka_unit_test(test_ifk_plist_parse_garbage),
	    cmocka_unit_test(test_ifk_plist_parse_every_prefix),
	    cmocka_unit_test(test_ifk_plist_parse_every_byte_flipped),
	    cmocka_unit_test(test_ifk_plist_parse_unsupported_version),
	    cmocka_unit_test(test_ifk_plist_parse_expansion_bomb),
	    cmocka_unit_test(test_ifk_plist_parse_deep_binary),
	    cmocka_unit_test(test_ifk_plist_parse_self_reference),
	    cmocka_unit_test(test_ifk_plist_parse_ref_out_of_range),
	    cmocka_unit_test(test_ifk_plist_parse_huge_length),
	    cmocka_unit_test(test_ifk_plist_parse_deep_xml),
	    cmocka_unit_test(test_ifk_plist_parse_deep_xml_decoys),
	    cmocka_unit_test(test_ifk_plist_parse_stats_nul_string),
	    cmocka_unit_test(test_ifk_plist_parse_nul_key),
	    cmocka_unit_test(test_ifk_plist_parse_nul_utf16_string),
	    cmocka_unit_test(test_ifk_plist_parse_nul_xml),
	    cmocka_unit_test(test_ifk_plist_read_file_ok),
	    cmocka_unit_test(test_ifk_plist_read_file_refuses_odd_files),
	    cmocka_unit_test(test_ifk_plist_read_file_empty),
	    cmocka_unit_test(test_ifk_plist_get_string_cases),
	    cmocka_unit_test(test_ifk_plist_get_uint_cases),
	    cmocka_unit_test(test_ifk_plist_get_bool_cases),
	    cmocka_unit_test(test_ifk_plist_get_data_cases),
	    cmocka_unit_test(test_ifk_plist_get_date_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
