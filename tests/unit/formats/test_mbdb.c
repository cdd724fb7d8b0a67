/* Manifest.mbdb (iOS 5-9), built byte by byte here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats.h"
#include "testutil.h"

#define ABSENT ((size_t)-1)

/* ---- building mbdb files ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put_be(struct buf *b, uint64_t v, unsigned n)
{
	uint8_t x[8];
	unsigned i;

	for (i = 0; i < n; i++)
		x[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(b, x, n);
}

/* A string of n bytes, or 0xFFFF when n is ABSENT. */
static void put_str(struct buf *b, const void *s, size_t n)
{
	if (n == ABSENT) {
		put_be(b, 0xFFFF, 2);
		return;
	}
	put_be(b, n, 2);
	put(b, s, n);
}

static void put_cstr(struct buf *b, const char *s)
{
	put_str(b, s, s ? strlen(s) : ABSENT);
}

struct rec {
	const char *domain, *path, *target;
	const uint8_t *hash, *key;
	size_t hash_len, key_len; /* ABSENT when absent */
	uint16_t mode;
	uint64_t inode, size;
	uint32_t uid, gid, mtime, atime, ctime;
	uint8_t pclass;
	unsigned nprops;
	const char *pname[4];
	const void *pval[4];
	size_t pval_len[4];
};

static void put_rec(struct buf *b, const struct rec *r)
{
	unsigned i;

	put_cstr(b, r->domain);
	put_cstr(b, r->path);
	put_cstr(b, r->target);
	put_str(b, r->hash, r->hash_len);
	put_str(b, r->key, r->key_len);
	put_be(b, r->mode, 2);
	put_be(b, r->inode, 8);
	put_be(b, r->uid, 4);
	put_be(b, r->gid, 4);
	put_be(b, r->mtime, 4);
	put_be(b, r->atime, 4);
	put_be(b, r->ctime, 4);
	put_be(b, r->size, 8);
	put_be(b, r->pclass, 1);
	put_be(b, r->nprops, 1);
	for (i = 0; i < r->nprops; i++) {
		put_cstr(b, r->pname[i]);
		put_str(b, r->pval[i], r->pval_len[i]);
	}
}

static const uint8_t HASH[20] = {0xde, 0xad, 0xbe, 0xef, 1,  2,  3,  4,  5,  6,
                                 7,    8,    9,    10,   11, 12, 13, 14, 15, 16};
static const uint8_t KEY[44] = {3, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t PVAL[5] = {'a', 0, 'b', 0xff, 'c'};

static struct rec file_rec(void)
{
	struct rec r = {.domain = "HomeDomain",
	                .path = "Library/SMS/sms.db",
	                .hash = HASH,
	                .hash_len = sizeof(HASH),
	                .key = KEY,
	                .key_len = sizeof(KEY),
	                .mode = 0100644,
	                .inode = 0x0102030405060708ULL,
	                .uid = 501,
	                .gid = 502,
	                .mtime = 1400000000,
	                .atime = 1400000001,
	                .ctime = 1400000002,
	                .size = 118784,
	                .pclass = 3,
	                .nprops = 2,
	                .pname = {"com.apple.backup.x", "bin"},
	                .pval = {"1", PVAL},
	                .pval_len = {1, sizeof(PVAL)}};
	return r;
}

static struct rec dir_rec(void)
{
	struct rec r = {.domain = "HomeDomain",
	                .path = "Library",
	                .hash_len = ABSENT,
	                .key_len = ABSENT,
	                .mode = 040755,
	                .uid = 501,
	                .gid = 501};
	return r;
}

static struct rec link_rec(void)
{
	struct rec r = {.domain = "MediaDomain",
	                .path = "Media/link",
	                .target = "/var/mobile/Media/x",
	                .hash_len = 0, /* present but empty */
	                .key_len = ABSENT,
	                .mode = 0120755};
	return r;
}

static void put_header(struct buf *b)
{
	put(b, "mbdb\x05\x00", 6);
}

static char *write_tmp(const char *dir, const struct buf *b)
{
	char *path = NULL;

	assert_true(asprintf(&path, "%s/Manifest.mbdb", dir) > 0);
	assert_int_equal(tu_write_file(path, b->p, b->len), 0);
	return path;
}

/* ---- collecting entries ---- */

struct got {
	char file_id[41];
	char *domain, *path, *target, *problem, *warning;
	enum ifk_entry_kind kind;
	int64_t flags, birth, mtime, atime, ctime, uid, gid;
	uint32_t mode, pclass;
	uint64_t size, inode, index, offset;
	uint8_t hash[32], key[64], pval[8];
	size_t hash_len, key_len, nprops, pval_len;
	bool hash_present, key_present;
	char pname[2][32];
};

struct collect {
	struct got *rows;
	size_t n, cap, stop_after;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void copy_bytes(uint8_t *dst, size_t cap, const uint8_t *src, size_t n, size_t *len,
                       bool *present)
{
	*present = src != NULL;
	*len = n;
	if (src)
		memcpy(dst, src, n < cap ? n : cap);
}

static void copy_props(struct got *g, const struct ifk_entry *e)
{
	size_t k;
	bool present;

	g->nprops = e->nprops;
	for (k = 0; k < e->nprops && k < 2; k++)
		snprintf(g->pname[k], sizeof(g->pname[k]), "%s", e->props[k].name);
	if (e->nprops >= 2)
		copy_bytes(g->pval, sizeof(g->pval), e->props[1].value, e->props[1].value_len,
		           &g->pval_len, &present);
}

static int collect_fn(const struct ifk_entry *e, void *ctx)
{
	struct collect *c = ctx;
	struct got *g;

	if (c->n == c->cap) {
		c->cap = c->cap * 2 + 8;
		c->rows = realloc(c->rows, c->cap * sizeof(*c->rows));
		assert_non_null(c->rows);
	}
	g = &c->rows[c->n++];
	memset(g, 0, sizeof(*g));
	memcpy(g->file_id, e->file_id, sizeof(g->file_id));
	g->domain = strdup(e->domain);
	g->path = strdup(e->relative_path);
	g->target = dup_or_null(e->target);
	g->problem = dup_or_null(e->problem);
	g->warning = dup_or_null(e->warning);
	g->kind = e->kind;
	g->flags = e->flags;
	g->birth = e->birth;
	g->mtime = e->mtime;
	g->atime = e->atime;
	g->ctime = e->ctime;
	g->mode = e->mode;
	g->uid = e->uid;
	g->gid = e->gid;
	g->pclass = e->protection_class;
	g->size = e->size;
	g->inode = e->inode;
	g->index = e->index;
	g->offset = e->offset;
	copy_bytes(g->hash, sizeof(g->hash), e->data_hash, e->data_hash_len, &g->hash_len,
	           &g->hash_present);
	copy_bytes(g->key, sizeof(g->key), e->enc_key, e->enc_key_len, &g->key_len,
	           &g->key_present);
	copy_props(g, e);
	return c->stop_after && c->n == c->stop_after ? 7 : 0;
}

static void collect_free(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->rows[i].domain);
		free(c->rows[i].path);
		free(c->rows[i].target);
		free(c->rows[i].problem);
		free(c->rows[i].warning);
	}
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

/* ---- tests ---- */

static void check_file(const struct got *g)
{
	assert_string_equal(g->file_id, "3d0d7e5fb2ce288813306e4d4636395e047a3d28");
	assert_string_equal(g->domain, "HomeDomain");
	assert_string_equal(g->path, "Library/SMS/sms.db");
	assert_null(g->target);
	assert_null(g->problem);
	assert_int_equal(g->kind, IFK_ENTRY_FILE);
	assert_int_equal(g->flags, -1);
	assert_int_equal(g->mode, 0100644);
	assert_int_equal(g->inode, 0x0102030405060708ULL);
	assert_int_equal(g->uid, 501);
	assert_int_equal(g->gid, 502);
	assert_int_equal(g->birth, 0);
	assert_int_equal(g->mtime, 1400000000);
	assert_int_equal(g->atime, 1400000001);
	assert_int_equal(g->ctime, 1400000002);
	assert_int_equal(g->size, 118784);
	assert_int_equal(g->pclass, 3);
	assert_true(g->hash_present);
	assert_int_equal(g->hash_len, 20);
	assert_memory_equal(g->hash, HASH, 20);
	assert_int_equal(g->key_len, 44);
	assert_memory_equal(g->key, KEY, 44);
	assert_int_equal(g->nprops, 2);
	assert_string_equal(g->pname[0], "com.apple.backup.x");
	assert_string_equal(g->pname[1], "bin");
	assert_int_equal(g->pval_len, 5);
	assert_memory_equal(g->pval, PVAL, 5);
	assert_int_equal(g->index, 1);
	assert_int_equal(g->offset, 6);
}

static void test_ifk_mbdb_foreach_records(void **state)
{
	char *dir = tu_mkdtemp(), *path, id[41];
	struct buf b = {0};
	struct collect c = {0};
	struct ifk_error err = {0};
	struct rec f = file_rec(), d = dir_rec(), l = link_rec();
	size_t off2;

	(void)state;
	put_header(&b);
	put_rec(&b, &f);
	off2 = b.len;
	put_rec(&b, &d);
	put_rec(&b, &l);
	path = write_tmp(dir, &b);
	assert_int_equal(ifk_mbdb_foreach(path, collect_fn, &c, &err), 0);
	assert_int_equal(c.n, 3);
	check_file(&c.rows[0]);
	assert_int_equal(c.rows[1].kind, IFK_ENTRY_DIR);
	assert_string_equal(c.rows[1].path, "Library");
	assert_false(c.rows[1].hash_present);
	assert_false(c.rows[1].key_present);
	assert_null(c.rows[1].target);
	assert_int_equal(c.rows[1].nprops, 0);
	assert_int_equal(c.rows[1].index, 2);
	assert_int_equal(c.rows[1].offset, off2);
	assert_int_equal(ifk_file_id("HomeDomain", "Library", id, NULL), 0);
	assert_string_equal(c.rows[1].file_id, id);
	assert_int_equal(c.rows[2].kind, IFK_ENTRY_SYMLINK);
	assert_string_equal(c.rows[2].target, "/var/mobile/Media/x");
	assert_true(c.rows[2].hash_present);
	assert_int_equal(c.rows[2].hash_len, 0);
	assert_null(c.rows[2].problem);
	collect_free(&c);
	free(b.p);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* What devices write: uid/gid 0xfffffffe ("nobody", -2), setuid bits,
 * times of 0. Unseen values (a class past 11, a FIFO's mode) are warnings,
 * never problems. */
static void test_ifk_mbdb_foreach_device_values(void **state)
{
	char *dir = tu_mkdtemp(), *path;
	struct buf b = {0};
	struct collect c = {0};
	struct rec f = file_rec(), odd = file_rec();

	(void)state;
	f.uid = f.gid = 0xfffffffe;
	f.mode = 0104755;
	f.mtime = f.atime = f.ctime = 0;
	odd.path = "Library/odd";
	odd.pclass = 14;
	odd.mode = 010644;
	put_header(&b);
	put_rec(&b, &f);
	put_rec(&b, &odd);
	path = write_tmp(dir, &b);
	assert_int_equal(ifk_mbdb_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 2);
	assert_null(c.rows[0].problem);
	assert_null(c.rows[0].warning);
	assert_true(c.rows[0].uid == -2 && c.rows[0].gid == -2);
	assert_int_equal(c.rows[0].kind, IFK_ENTRY_FILE);
	assert_null(c.rows[1].problem);
	assert_string_equal(c.rows[1].warning, "mode 010644 is not a file, folder or symlink; "
	                                       "protectionClass 14 is not a class ifk knows");
	collect_free(&c);
	free(b.p);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_mbdb_foreach_truncated(void **state)
{
	char *dir = tu_mkdtemp(), *path = NULL, want[128];
	struct buf b = {0};
	struct collect c = {0};
	struct ifk_error err = {0};
	struct rec f = file_rec(), d = dir_rec();
	size_t end1, cut;
	int rc;

	(void)state;
	put_header(&b);
	put_rec(&b, &f);
	end1 = b.len;
	put_rec(&b, &d);
	assert_true(asprintf(&path, "%s/Manifest.mbdb", dir) > 0);
	for (cut = 6; cut < b.len; cut++) {
		assert_int_equal(tu_write_file(path, b.p, cut), 0);
		rc = ifk_mbdb_foreach(path, collect_fn, &c, &err);
		if (cut == 6 || cut == end1) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, IFK_EFORMAT);
			snprintf(want, sizeof(want),
			         "Manifest.mbdb: record %d (offset %zu) truncated",
			         cut < end1 ? 1 : 2, cut < end1 ? (size_t)6 : end1);
			if (!strstr(err.msg, want))
				fail_msg("cut %zu: '%s' lacks '%s'", cut, err.msg, want);
		}
		assert_int_equal(c.n, cut < end1 ? 0 : 1);
		collect_free(&c);
	}
	free(b.p);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void expect_error(const char *dir, const void *bytes, size_t len, int code, const char *part)
{
	struct buf b = {0};
	struct collect c = {0};
	struct ifk_error err = {0};
	char *path;

	put(&b, bytes, len);
	path = write_tmp(dir, &b);
	assert_int_equal(ifk_mbdb_foreach(path, collect_fn, &c, &err), code);
	assert_int_equal(c.n, 0);
	if (!strstr(err.msg, part))
		fail_msg("'%s' lacks '%s'", err.msg, part);
	free(path);
	free(b.p);
}

static void test_ifk_mbdb_foreach_wrong_magic(void **state)
{
	char *dir = tu_mkdtemp();

	(void)state;
	expect_error(dir, "mbdx\x02\x00\x00\x00", 8, IFK_EFORMAT, "not a Manifest.mbdb");
	expect_error(dir, "SQLite format 3", 16, IFK_EFORMAT, "not a Manifest.mbdb");
	expect_error(dir, "mbd", 3, IFK_EFORMAT, "not a Manifest.mbdb");
	expect_error(dir, "", 0, IFK_EFORMAT, "not a Manifest.mbdb");
	expect_error(dir, "mbdb\x04\x00", 6, IFK_EUNSUPPORTED, "version 4.0");
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_mbdb_foreach_header_only(void **state)
{
	char *dir = tu_mkdtemp(), *path;
	struct buf b = {0};
	struct collect c = {0};

	(void)state;
	put_header(&b);
	path = write_tmp(dir, &b);
	assert_int_equal(ifk_mbdb_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 0);
	free(path);
	free(b.p);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_mbdb_foreach_odd_strings(void **state)
{
	char *dir = tu_mkdtemp(), *path;
	struct buf b = {0};
	struct collect c = {0};
	struct rec r = dir_rec();

	(void)state;
	put_header(&b);
	r.domain = NULL; /* absent */
	put_rec(&b, &r);
	r = dir_rec();
	r.path = NULL; /* absent: the domain's root */
	put_rec(&b, &r);
	/* a path with a NUL inside */
	put_cstr(&b, "HomeDomain");
	put_str(&b, "../x\0/y", 7);
	put_str(&b, NULL, ABSENT);
	put_str(&b, NULL, ABSENT);
	put_str(&b, NULL, ABSENT);
	put_be(&b, 0100644, 2);
	put(&b, (const uint8_t[38]){0}, 38);
	path = write_tmp(dir, &b);
	assert_int_equal(ifk_mbdb_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.rows[0].domain, "");
	assert_string_equal(c.rows[0].problem, "no domain");
	assert_string_equal(c.rows[1].path, "");
	assert_null(c.rows[1].problem);
	assert_string_equal(c.rows[1].file_id, "70765829101933f25994c71bbee6dfd685535bff");
	assert_string_equal(c.rows[2].path, "../x");
	assert_string_equal(c.rows[2].problem, "relativePath holds a NUL byte; cut short");
	collect_free(&c);
	free(path);
	free(b.p);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_mbdb_foreach_callback_stops(void **state)
{
	char *dir = tu_mkdtemp(), *path;
	struct buf b = {0};
	struct collect c = {.stop_after = 2};
	struct rec r = dir_rec();
	int i;

	(void)state;
	put_header(&b);
	for (i = 0; i < 5; i++)
		put_rec(&b, &r);
	path = write_tmp(dir, &b);
	assert_int_equal(ifk_mbdb_foreach(path, collect_fn, &c, NULL), 7);
	assert_int_equal(c.n, 2);
	collect_free(&c);
	free(path);
	free(b.p);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_mbdb_foreach_longest_strings(void **state)
{
	char *dir = tu_mkdtemp(), *path, *lng = malloc(65535);
	struct buf b = {0};
	struct collect c = {0};
	struct rec r = file_rec();
	unsigned i;

	(void)state;
	assert_non_null(lng);
	memset(lng, 'p', 65534);
	lng[65534] = '\0';
	put_header(&b);
	r.path = lng;
	r.nprops = 0;
	put_rec(&b, &r);
	/* 255 properties, by hand */
	r = dir_rec();
	r.nprops = 0;
	put_rec(&b, &r);
	b.p[b.len - 1] = 255;
	for (i = 0; i < 255; i++) {
		put_cstr(&b, "name");
		put_str(&b, lng, 1000);
	}
	put_rec(&b, &r);
	path = write_tmp(dir, &b);
	assert_int_equal(ifk_mbdb_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(strlen(c.rows[0].path), 65534);
	assert_int_equal(c.rows[1].nprops, 255);
	assert_int_equal(c.rows[2].nprops, 0);
	assert_string_equal(c.rows[2].path, "Library");
	collect_free(&c);
	free(path);
	free(b.p);
	free(lng);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_mbdb_foreach_many_records(void **state)
{
	char *dir = tu_mkdtemp(), *path, rel[64];
	struct buf b = {0};
	struct collect c = {0};
	struct rec r = file_rec();
	size_t i, last = 0;

	(void)state;
	put_header(&b);
	for (i = 0; i < 30000; i++) {
		snprintf(rel, sizeof(rel), "Media/DCIM/100APPLE/IMG_%04zu.JPG", i);
		r.domain = "CameraRollDomain";
		r.path = rel;
		last = b.len;
		put_rec(&b, &r);
	}
	path = write_tmp(dir, &b);
	assert_int_equal(ifk_mbdb_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 30000);
	assert_int_equal(c.rows[29999].offset, last);
	assert_int_equal(c.rows[29999].index, 30000);
	assert_string_equal(c.rows[29999].path, "Media/DCIM/100APPLE/IMG_29999.JPG");
	assert_memory_equal(c.rows[29999].pval, PVAL, 5);
	assert_string_equal(c.rows[1].file_id, "343e26971dfe9c395c425c0ccf799df63ae6261e");
	assert_string_equal(c.rows[1].domain, "CameraRollDomain");
	collect_free(&c);
	free(path);
	free(b.p);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_mbdb_foreach_refuses_odd_files(void **state)
{
	char *dir = tu_mkdtemp(), *path, link[512], fifo[512], none[512];
	struct buf b = {0};
	struct ifk_error err = {0};
	struct collect c = {0};

	(void)state;
	put_header(&b);
	path = write_tmp(dir, &b);
	snprintf(link, sizeof(link), "%s/link.mbdb", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo.mbdb", dir);
	snprintf(none, sizeof(none), "%s/none.mbdb", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(ifk_mbdb_foreach(link, collect_fn, &c, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(ifk_mbdb_foreach(fifo, collect_fn, &c, &err), IFK_EFORMAT);
	assert_int_equal(ifk_mbdb_foreach(dir, collect_fn, &c, &err), IFK_EFORMAT);
	assert_int_equal(ifk_mbdb_foreach(none, collect_fn, &c, &err), IFK_ENOTFOUND);
	assert_int_equal(ifk_mbdb_foreach(NULL, collect_fn, &c, &err), IFK_EINVAL);
	free(path);
	free(b.p);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ifk_mbdb_foreach_records),
	    cmocka_unit_test(test_ifk_mbdb_foreach_device_values),
	    cmocka_unit_test(test_ifk_mbdb_foreach_truncated),
	    cmocka_unit_test(test_ifk_mbdb_foreach_wrong_magic),
	    cmocka_unit_test(test_ifk_mbdb_foreach_header_only),
	    cmocka_unit_test(test_ifk_mbdb_foreach_odd_strings),
	    cmocka_unit_test(test_ifk_mbdb_foreach_callback_stops),
	    cmocka_unit_test(test_ifk_mbdb_foreach_longest_strings),
	    cmocka_unit_test(test_ifk_mbdb_foreach_many_records),
	    cmocka_unit_test(test_ifk_mbdb_foreach_refuses_odd_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
