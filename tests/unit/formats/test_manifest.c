/* Manifest.db, the MBFile blobs in it, fileIDs and path checks. Every input
 * is built here with libplist and SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "formats.h"
#include "testutil.h"

#define SMS_ID "3d0d7e5fb2ce288813306e4d4636395e047a3d28" /* HomeDomain-Library/SMS/sms.db */

/* ---- building MBFile archives ---- */

enum key_style { KEY_NONE, KEY_INLINE, KEY_BY_UID, KEY_BARE_UID };

struct mbf {
	const char *path, *target;
	uint64_t mode, uid, gid, inode, size, pclass, birth, mtime, ctime;
	const uint8_t *key;
	size_t key_len;
	enum key_style key_style;
};

static uint64_t add_obj(plist_t objs, plist_t o)
{
	plist_array_append_item(objs, o);
	return plist_array_get_size(objs) - 1;
}

static plist_t class_dict(const char *name)
{
	plist_t d = plist_new_dict(), classes = plist_new_array();

	plist_array_append_item(classes, plist_new_string(name));
	plist_array_append_item(classes, plist_new_string("NSObject"));
	plist_dict_set_item(d, "$classname", plist_new_string(name));
	plist_dict_set_item(d, "$classes", classes);
	return d;
}

static void add_key(plist_t objs, plist_t mb, const struct mbf *f)
{
	plist_t holder, data = plist_new_data((const char *)f->key, f->key_len);
	uint64_t cls = add_obj(objs, class_dict("NSMutableData"));

	if (f->key_style == KEY_BARE_UID) {
		plist_dict_set_item(mb, "EncryptionKey", plist_new_uid(add_obj(objs, data)));
		return;
	}
	holder = plist_new_dict();
	plist_dict_set_item(holder, "$class", plist_new_uid(cls));
	if (f->key_style == KEY_INLINE)
		plist_dict_set_item(holder, "NS.data", data);
	else
		plist_dict_set_item(holder, "NS.data", plist_new_uid(add_obj(objs, data)));
	plist_dict_set_item(mb, "EncryptionKey", plist_new_uid(add_obj(objs, holder)));
}

/* The archive dictionary; $objects[1] is the MBFile. */
static plist_t mbfile_archive(const struct mbf *f)
{
	plist_t a = plist_new_dict(), top = plist_new_dict(), objs = plist_new_array();
	plist_t mb = plist_new_dict();

	add_obj(objs, plist_new_string("$null"));
	add_obj(objs, mb);
	plist_dict_set_item(mb, "LastModified", plist_new_uint(f->mtime));
	plist_dict_set_item(mb, "LastStatusChange", plist_new_uint(f->ctime));
	plist_dict_set_item(mb, "Birth", plist_new_uint(f->birth));
	plist_dict_set_item(mb, "Mode", plist_new_uint(f->mode));
	plist_dict_set_item(mb, "UserID", plist_new_uint(f->uid));
	plist_dict_set_item(mb, "GroupID", plist_new_uint(f->gid));
	plist_dict_set_item(mb, "InodeNumber", plist_new_uint(f->inode));
	plist_dict_set_item(mb, "Size", plist_new_uint(f->size));
	plist_dict_set_item(mb, "Flags", plist_new_uint(0));
	plist_dict_set_item(mb, "ProtectionClass", plist_new_uint(f->pclass));
	plist_dict_set_item(mb, "RelativePath",
	                    plist_new_uid(add_obj(objs, plist_new_string(f->path))));
	plist_dict_set_item(mb, "$class", plist_new_uid(add_obj(objs, class_dict("MBFile"))));
	if (f->target)
		plist_dict_set_item(mb, "Target",
		                    plist_new_uid(add_obj(objs, plist_new_string(f->target))));
	if (f->key_style != KEY_NONE)
		add_key(objs, mb, f);
	plist_dict_set_item(top, "root", plist_new_uid(1));
	plist_dict_set_item(a, "$version", plist_new_uint(100000));
	plist_dict_set_item(a, "$archiver", plist_new_string("NSKeyedArchiver"));
	plist_dict_set_item(a, "$top", top);
	plist_dict_set_item(a, "$objects", objs);
	return a;
}

static plist_t mb_of(plist_t archive)
{
	return plist_array_get_item(plist_dict_get_item(archive, "$objects"), 1);
}

/* Serializes and frees the archive. */
static uint8_t *archive_bin(plist_t a, size_t *len)
{
	char *bin = NULL;
	uint32_t n = 0;

	plist_to_bin(a, &bin, &n);
	plist_free(a);
	assert_non_null(bin);
	*len = n;
	return (uint8_t *)bin;
}

static const uint8_t KEY44[44] = {3,    0,    0,    0,    0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
                                  0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF, 0xB0, 0xB1, 0xB2,
                                  0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD,
                                  0xBE, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8};

static struct mbf sms_file(void)
{
	struct mbf f = {.path = "Library/SMS/sms.db",
	                .mode = 0100644,
	                .uid = 501,
	                .gid = 501,
	                .inode = 123456789012ULL,
	                .size = 118784,
	                .pclass = 3,
	                .birth = 1500000000,
	                .mtime = 1600000000,
	                .ctime = 1600000001,
	                .key = KEY44,
	                .key_len = sizeof(KEY44),
	                .key_style = KEY_INLINE};
	return f;
}

static uint8_t *mbfile_blob(const struct mbf *f, size_t *len)
{
	return archive_bin(mbfile_archive(f), len);
}

/* ---- ifk_mbfile_decode ---- */

static void test_ifk_mbfile_decode_file_fields(void **state)
{
	struct mbf f = sms_file();
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {.flags = 7};
	struct ifk_error err = {0};
	size_t len;
	uint8_t *blob = mbfile_blob(&f, &len);

	(void)state;
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), 0);
	assert_string_equal(e.relative_path, "Library/SMS/sms.db");
	assert_null(e.target);
	assert_int_equal(e.kind, IFK_ENTRY_FILE);
	assert_int_equal(e.mode, 0100644);
	assert_int_equal(e.uid, 501);
	assert_int_equal(e.gid, 501);
	assert_int_equal(e.inode, 123456789012ULL);
	assert_int_equal(e.size, 118784);
	assert_int_equal(e.protection_class, 3);
	assert_int_equal(e.birth, 1500000000);
	assert_int_equal(e.mtime, 1600000000);
	assert_int_equal(e.ctime, 1600000001);
	assert_int_equal(e.atime, 0);
	assert_int_equal(e.enc_key_len, 44);
	assert_memory_equal(e.enc_key, KEY44, 44);
	assert_null(e.xattrs);
	assert_int_equal(e.flags, 7); /* not an MBFile field: left alone */
	ifk_mbfile_release(&store);
	ifk_mbfile_release(&store);
	ifk_mbfile_release(NULL);
	free(blob);
}

static void test_ifk_mbfile_decode_enc_key_by_uid(void **state)
{
	struct mbf f = sms_file();
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	enum key_style styles[] = {KEY_BY_UID, KEY_BARE_UID};
	size_t len, k;
	uint8_t *blob;

	(void)state;
	for (k = 0; k < 2; k++) {
		f.key_style = styles[k];
		blob = mbfile_blob(&f, &len);
		assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, NULL), 0);
		assert_int_equal(e.enc_key_len, 44);
		assert_memory_equal(e.enc_key, KEY44, 44);
		free(blob);
	}
	ifk_mbfile_release(&store);
}

static void test_ifk_mbfile_decode_symlink_target(void **state)
{
	struct mbf f = {.path = "Library/Link", .target = "/private/var/mobile/x", .mode = 0120755};
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	size_t len;
	uint8_t *blob = mbfile_blob(&f, &len);

	(void)state;
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, NULL), 0);
	assert_int_equal(e.kind, IFK_ENTRY_SYMLINK);
	assert_string_equal(e.target, "/private/var/mobile/x");
	assert_null(e.enc_key);
	ifk_mbfile_release(&store);
	free(blob);
}

static void test_ifk_mbfile_decode_uid_out_of_range(void **state)
{
	struct mbf f = sms_file();
	plist_t a = mbfile_archive(&f);
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	struct ifk_error err = {0};
	size_t len;
	uint8_t *blob;

	(void)state;
	plist_dict_set_item(mb_of(a), "Target", plist_new_uid(99));
	blob = archive_bin(a, &len);
	/* a broken Target is metadata: the entry stays usable, with a warning */
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), 0);
	assert_non_null(e.warning);
	assert_non_null(strstr(e.warning, "MBFile: Target: UID 99 out of range"));
	/* the rest is still there */
	assert_string_equal(e.relative_path, "Library/SMS/sms.db");
	assert_int_equal(e.size, 118784);
	assert_null(e.target);
	ifk_mbfile_release(&store);
	free(blob);
}

static void test_ifk_mbfile_decode_uid_cycle(void **state)
{
	struct mbf f = sms_file();
	plist_t a = mbfile_archive(&f), objs = plist_dict_get_item(a, "$objects");
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	struct ifk_error err = {0};
	uint32_t self = plist_array_get_size(objs);
	size_t len;
	uint8_t *blob;

	(void)state;
	plist_array_append_item(objs, plist_new_uid(self)); /* object self = UID(self) */
	plist_dict_set_item(mb_of(a), "EncryptionKey", plist_new_uid(self));
	blob = archive_bin(a, &len);
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "EncryptionKey: UID refers to itself"));
	assert_null(e.enc_key);
	assert_string_equal(e.relative_path, "Library/SMS/sms.db");
	ifk_mbfile_release(&store);
	free(blob);
}

static void test_ifk_mbfile_decode_root_cycle(void **state)
{
	struct mbf f = sms_file();
	plist_t a = mbfile_archive(&f), objs = plist_dict_get_item(a, "$objects");
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	struct ifk_error err = {0};
	uint32_t self = plist_array_get_size(objs);
	size_t len;
	uint8_t *blob;

	(void)state;
	plist_array_append_item(objs, plist_new_uid(self));
	plist_dict_set_item(plist_dict_get_item(a, "$top"), "root", plist_new_uid(self));
	blob = archive_bin(a, &len);
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "$top.root: UID refers to itself"));
	assert_string_equal(e.relative_path, "");
	ifk_mbfile_release(&store);
	free(blob);
}

static void test_ifk_mbfile_decode_root_is_null(void **state)
{
	struct mbf f = sms_file();
	plist_t a = mbfile_archive(&f);
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	struct ifk_error err = {0};
	size_t len;
	uint8_t *blob;

	(void)state;
	plist_dict_set_item(plist_dict_get_item(a, "$top"), "root", plist_new_uid(0));
	blob = archive_bin(a, &len);
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "root object is nothing"));
	ifk_mbfile_release(&store);
	free(blob);
}

static void test_ifk_mbfile_decode_wrong_types(void **state)
{
	struct mbf f = sms_file();
	plist_t a = mbfile_archive(&f), mb = mb_of(a);
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	struct ifk_error err = {0};
	size_t len;
	uint8_t *blob;

	(void)state;
	plist_dict_set_item(mb, "Mode", plist_new_string("0100644"));
	plist_dict_set_item(mb, "RelativePath", plist_new_uid(1)); /* the MBFile itself */
	plist_dict_set_item(mb, "UserID", plist_new_uint(1ULL << 40));
	plist_dict_set_item(mb, "EncryptionKey", plist_new_uint(5));
	blob = archive_bin(a, &len);
	/* only the unreadable EncryptionKey makes the entry unusable */
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), IFK_EFORMAT);
	assert_string_equal(err.msg, "MBFile: EncryptionKey: expected data, found an integer");
	/* RelativePath resolves to the MBFile dictionary itself: a warning */
	assert_string_equal(e.relative_path, "");
	assert_non_null(e.warning);
	assert_non_null(strstr(e.warning, "MBFile: RelativePath: expected a string, found a "
	                                  "dictionary without NS.string"));
	assert_non_null(strstr(e.warning, "MBFile: Mode: expected an integer, found a string"));
	assert_int_equal(e.mode, 0);
	assert_int_equal(e.kind, IFK_ENTRY_OTHER);
	assert_true(e.uid == (int64_t)1 << 40); /* no range is imposed on an ID */
	assert_null(e.enc_key);
	assert_int_equal(e.size, 118784);
	ifk_mbfile_release(&store);
	free(blob);
}

static void test_ifk_mbfile_decode_not_keyed_archive(void **state)
{
	struct mbf f = sms_file();
	plist_t a = mbfile_archive(&f);
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	struct ifk_error err = {0};
	size_t len;
	uint8_t *blob;

	(void)state;
	plist_dict_set_item(a, "$archiver", plist_new_string("NSArchiver"));
	blob = archive_bin(a, &len);
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), IFK_EFORMAT);
	assert_string_equal(err.msg, "MBFile: not an NSKeyedArchiver archive");
	free(blob);
	a = mbfile_archive(&f);
	plist_dict_set_item(a, "$objects", plist_new_string("nope"));
	blob = archive_bin(a, &len);
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), IFK_EFORMAT);
	assert_string_equal(err.msg, "MBFile: $objects is a string, not an array");
	free(blob);
	assert_int_equal(
	    ifk_mbfile_decode((const uint8_t *)"garbage!garbage!", 16, &e, &store, &err),
	    IFK_EFORMAT);
	assert_string_equal(err.msg, "MBFile: not a valid plist (neither a binary plist nor "
	                             "well-formed XML)");
	ifk_mbfile_release(&store);
}

static void test_ifk_mbfile_decode_nul_in_path(void **state)
{
	struct mbf f = sms_file();
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	struct ifk_error err = {0};
	size_t len, i;
	uint8_t *blob;

	(void)state;
	f.path = "../evil\x01/Library";
	blob = mbfile_blob(&f, &len);
	for (i = 0; i + 1 < len; i++)
		if (blob[i] == 'l' && blob[i + 1] == 0x01)
			blob[i + 1] = 0;
	/* the Files row's relativePath is the one that names the file: a
	 * warning here */
	assert_int_equal(ifk_mbfile_decode(blob, len, &e, &store, &err), 0);
	assert_non_null(e.warning);
	assert_non_null(strstr(e.warning, "holds a NUL byte"));
	assert_string_equal(e.relative_path, "../evil");
	ifk_mbfile_release(&store);
	free(blob);
}

static void test_ifk_mbfile_decode_every_prefix(void **state)
{
	struct mbf f = sms_file();
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	size_t len, n;
	uint8_t *blob;

	(void)state;
	f.target = "t";
	f.key_style = KEY_BY_UID;
	blob = mbfile_blob(&f, &len);
	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		int rc;

		assert_non_null(copy);
		memcpy(copy, blob, n);
		rc = ifk_mbfile_decode(copy, n, &e, &store, NULL);
		assert_int_equal(rc, IFK_EFORMAT);
		assert_non_null(e.relative_path);
		free(copy);
	}
	ifk_mbfile_release(&store);
	free(blob);
}

static void test_ifk_mbfile_decode_every_byte_flipped(void **state)
{
	static const uint8_t vals[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0F, 0x8F, 0xAF, 0xDF};
	struct mbf f = sms_file();
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e = {0};
	size_t len, i, v;
	uint8_t *blob, *copy;

	(void)state;
	f.target = "t";
	f.key_style = KEY_BY_UID;
	blob = mbfile_blob(&f, &len);
	copy = malloc(len);
	assert_non_null(copy);
	for (i = 0; i < len; i++) {
		for (v = 0; v < sizeof(vals); v++) {
			int rc;

			memcpy(copy, blob, len);
			copy[i] = vals[v];
			rc = ifk_mbfile_decode(copy, len, &e, &store, NULL);
			if (!(rc == 0 || rc == IFK_EFORMAT || rc == IFK_EUNSUPPORTED))
				fail_msg("byte %zu = %02x: rc %d", i, vals[v], rc);
			assert_non_null(e.relative_path);
		}
	}
	ifk_mbfile_release(&store);
	free(copy);
	free(blob);
}

/* ---- Manifest.db ---- */

struct got {
	char file_id[41];
	char *domain, *path, *target, *problem, *warning;
	enum ifk_entry_kind kind;
	int64_t flags, uid, gid;
	uint32_t mode, pclass;
	uint64_t size, inode, index;
	int64_t birth, mtime, ctime;
	uint8_t key[64];
	size_t key_len;
	bool key_present, id_mismatch;
};

struct collect {
	struct got rows[64];
	size_t n, stop_after;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int collect_fn(const struct ifk_entry *e, void *ctx)
{
	struct collect *c = ctx;
	struct got *g;

	assert_true(c->n < 64);
	assert_non_null(e->domain);
	assert_non_null(e->relative_path);
	g = &c->rows[c->n++];
	memcpy(g->file_id, e->file_id, sizeof(g->file_id));
	g->domain = strdup(e->domain);
	g->path = strdup(e->relative_path);
	g->target = dup_or_null(e->target);
	g->problem = dup_or_null(e->problem);
	g->warning = dup_or_null(e->warning);
	g->kind = e->kind;
	g->flags = e->flags;
	g->mode = e->mode;
	g->uid = e->uid;
	g->gid = e->gid;
	g->pclass = e->protection_class;
	g->size = e->size;
	g->inode = e->inode;
	g->index = e->index;
	g->birth = e->birth;
	g->mtime = e->mtime;
	g->ctime = e->ctime;
	g->key_present = e->enc_key != NULL;
	g->key_len = e->enc_key_len < 64 ? e->enc_key_len : 64;
	if (e->enc_key)
		memcpy(g->key, e->enc_key, g->key_len);
	g->id_mismatch = e->id_mismatch;
	return c->stop_after && c->n == c->stop_after ? 42 : 0;
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
	c->n = 0;
}

static sqlite3 *db_create(const char *path, const char *schema)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static const char SCHEMA[] =
    "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, "
    "flags INTEGER, file BLOB);"
    "CREATE INDEX FilesDomainIdx ON Files(domain);"
    "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);";

/* Inserts a row; text NULL -> SQL NULL; flags < -1000 -> NULL; blob NULL -> NULL. */
static void db_row(sqlite3 *db, const char *id, const char *domain, const char *path,
                   long long flags, const void *blob, size_t len)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO Files VALUES (?, ?, ?, ?, ?)", -1, &st, NULL),
	    SQLITE_OK);
	if (id)
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (domain)
		sqlite3_bind_text(st, 2, domain, -1, SQLITE_TRANSIENT);
	if (path)
		sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	if (flags > -1000)
		sqlite3_bind_int64(st, 4, flags);
	if (blob)
		sqlite3_bind_blob(st, 5, blob, (int)len, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* A row for struct mbf f in domain, with its proper fileID. */
static void db_row_mbf(sqlite3 *db, const char *domain, long long flags, const struct mbf *f)
{
	char id[41];
	size_t len;
	uint8_t *blob = mbfile_blob(f, &len);

	assert_int_equal(ifk_file_id(domain, f->path, id, NULL), 0);
	db_row(db, id, domain, f->path, flags, blob, len);
	free(blob);
}

static void db_row_archive(sqlite3 *db, const char *path, plist_t a)
{
	char id[41];
	size_t len;
	uint8_t *blob = archive_bin(a, &len);

	assert_int_equal(ifk_file_id("HomeDomain", path, id, NULL), 0);
	db_row(db, id, "HomeDomain", path, 1, blob, len);
	free(blob);
}

static void add_hostile_rows(sqlite3 *db)
{
	struct mbf f = sms_file();
	plist_t a, objs;
	uint32_t self;
	static const uint8_t garbage[] = "bplist00\x01\x02\x03 this is not an archive";

	f.path = "garbage";
	db_row(db, "1111111111111111111111111111111111111111", "HomeDomain", "garbage", 1, garbage,
	       sizeof(garbage));
	f.path = "range";
	a = mbfile_archive(&f);
	plist_dict_set_item(mb_of(a), "RelativePath", plist_new_uid(500));
	db_row_archive(db, "range", a);
	f.path = "cycle";
	a = mbfile_archive(&f);
	objs = plist_dict_get_item(a, "$objects");
	self = plist_array_get_size(objs);
	plist_array_append_item(objs, plist_new_uid(self));
	plist_dict_set_item(mb_of(a), "EncryptionKey", plist_new_uid(self));
	db_row_archive(db, "cycle", a);
	db_row(db, "2222222222222222222222222222222222222222", NULL, "nulls", -5000, NULL, 0);
}

/* The sample database: see test_ifk_manifest_db_foreach_rows. */
static char *make_db(const char *dir)
{
	char *path = NULL;
	sqlite3 *db;
	struct mbf f = sms_file(), d = {.path = "Library", .mode = 040755, .uid = 501};
	struct mbf l = {.path = "Library/Link", .target = "../Media", .mode = 0120755};
	struct mbf z = sms_file(), u = sms_file();

	assert_true(asprintf(&path, "%s/Manifest.db", dir) > 0);
	db = db_create(path, SCHEMA);
	db_row_mbf(db, "HomeDomain", 1, &f);
	db_row_mbf(db, "HomeDomain", 2, &d);
	db_row_mbf(db, "HomeDomain", 4, &l);
	z.path = "Library/zero-flags";
	z.key_style = KEY_NONE;
	db_row_mbf(db, "MediaDomain", 0, &z);
	u.path = "Library/key-by-uid";
	u.key_style = KEY_BY_UID;
	db_row_mbf(db, "AppDomain-com.example", 1, &u);
	add_hostile_rows(db);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return path;
}

static void check_sms(const struct got *g)
{
	assert_string_equal(g->file_id, SMS_ID);
	assert_string_equal(g->domain, "HomeDomain");
	assert_string_equal(g->path, "Library/SMS/sms.db");
	assert_null(g->target);
	assert_null(g->problem);
	assert_int_equal(g->kind, IFK_ENTRY_FILE);
	assert_int_equal(g->flags, 1);
	assert_int_equal(g->mode, 0100644);
	assert_int_equal(g->uid, 501);
	assert_int_equal(g->gid, 501);
	assert_int_equal(g->pclass, 3);
	assert_int_equal(g->size, 118784);
	assert_int_equal(g->inode, 123456789012ULL);
	assert_int_equal(g->birth, 1500000000);
	assert_int_equal(g->mtime, 1600000000);
	assert_int_equal(g->ctime, 1600000001);
	assert_int_equal(g->key_len, 44);
	assert_memory_equal(g->key, KEY44, 44);
	assert_false(g->id_mismatch);
	assert_int_equal(g->index, 1);
}

static void check_plain_rows(const struct collect *c)
{
	check_sms(&c->rows[0]);
	assert_string_equal(c->rows[1].path, "Library");
	assert_int_equal(c->rows[1].kind, IFK_ENTRY_DIR);
	assert_int_equal(c->rows[1].mode, 040755);
	assert_false(c->rows[1].key_present);
	assert_null(c->rows[1].problem);
	assert_int_equal(c->rows[2].kind, IFK_ENTRY_SYMLINK);
	assert_string_equal(c->rows[2].target, "../Media");
	assert_null(c->rows[2].problem);
	/* flags 0 for a file (seen on real backups): the Mode decides */
	assert_string_equal(c->rows[3].domain, "MediaDomain");
	assert_int_equal(c->rows[3].flags, 0);
	assert_int_equal(c->rows[3].kind, IFK_ENTRY_FILE);
	assert_null(c->rows[3].problem);
	assert_null(c->rows[3].warning);
	assert_false(c->rows[3].key_present);
	assert_string_equal(c->rows[4].path, "Library/key-by-uid");
	assert_int_equal(c->rows[4].key_len, 44);
	assert_memory_equal(c->rows[4].key, KEY44, 44);
	assert_null(c->rows[4].problem);
}

static void check_hostile_rows(const struct collect *c)
{
	const struct got *g = &c->rows[5];

	assert_string_equal(g->file_id, "1111111111111111111111111111111111111111");
	assert_string_equal(g->path, "garbage");
	assert_non_null(g->problem);
	assert_non_null(strstr(g->problem, "MBFile: not a valid plist"));
	assert_true(g->id_mismatch);
	g = &c->rows[6];
	assert_string_equal(g->path, "range"); /* from the column */
	assert_null(g->problem);
	assert_non_null(strstr(g->warning, "RelativePath: UID 500 out of range"));
	assert_int_equal(g->size, 118784);
	assert_false(g->id_mismatch);
	g = &c->rows[7];
	assert_non_null(strstr(g->problem, "EncryptionKey: UID refers to itself"));
	assert_false(g->key_present);
	g = &c->rows[8];
	assert_string_equal(g->domain, "");
	assert_int_equal(g->flags, -1);
	assert_int_equal(g->kind, IFK_ENTRY_OTHER);
	assert_string_equal(g->problem, "domain is NULL; file is NULL");
	assert_int_equal(g->index, 9);
}

static void test_ifk_manifest_db_foreach_rows(void **state)
{
	char *dir = tu_mkdtemp(), *path = make_db(dir);
	struct collect c = {0};
	struct ifk_error err = {0};

	(void)state;
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, &err), 0);
	assert_int_equal(c.n, 9);
	check_plain_rows(&c);
	check_hostile_rows(&c);
	collect_free(&c);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

static void test_ifk_manifest_db_foreach_callback_stops(void **state)
{
	char *dir = tu_mkdtemp(), *path = make_db(dir);
	struct collect c = {.stop_after = 2};

	(void)state;
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, NULL), 42);
	assert_int_equal(c.n, 2);
	collect_free(&c);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

static void expect_db_error(const char *path, int code, const char *msg_part)
{
	struct collect c = {0};
	struct ifk_error err = {0};

	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, &err), code);
	assert_int_equal(c.n, 0);
	if (!strstr(err.msg, msg_part))
		fail_msg("message '%s' lacks '%s'", err.msg, msg_part);
}

static void test_ifk_manifest_db_foreach_random_bytes(void **state)
{
	char *dir = tu_mkdtemp(), path[512];
	uint8_t buf[8192];
	unsigned seed = 99;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand_r(&seed);
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	assert_int_equal(tu_write_file(path, buf, sizeof(buf)), 0);
	expect_db_error(path, IFK_EFORMAT, "Manifest.db: not an SQLite database");
	/* the right magic, random pages */
	memcpy(buf, "SQLite format 3", 16);
	assert_int_equal(tu_write_file(path, buf, sizeof(buf)), 0);
	expect_db_error(path, IFK_EFORMAT, "Manifest.db");
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_manifest_db_foreach_empty_file(void **state)
{
	char *dir = tu_mkdtemp(), path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	assert_int_equal(tu_write_file(path, "", 0), 0);
	expect_db_error(path, IFK_EFORMAT, "Manifest.db: empty file, not an SQLite database");
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_manifest_db_foreach_no_files_table(void **state)
{
	char *dir = tu_mkdtemp(), path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	sqlite3_close(db_create(path, "CREATE TABLE Other (x);"));
	expect_db_error(path, IFK_EFORMAT, "Manifest.db: no Files table");
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_manifest_db_foreach_files_is_view(void **state)
{
	char *dir = tu_mkdtemp(), path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	sqlite3_close(db_create(path, "CREATE VIEW Files AS WITH RECURSIVE c(x) AS "
	                              "(SELECT 1 UNION ALL SELECT x + 1 FROM c) "
	                              "SELECT x AS fileID, x AS domain, x AS relativePath, "
	                              "x AS flags, x AS file FROM c;"));
	expect_db_error(path, IFK_EFORMAT, "Manifest.db: no Files table");
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_manifest_db_foreach_missing_column(void **state)
{
	char *dir = tu_mkdtemp(), path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	sqlite3_close(db_create(path, "CREATE TABLE files (fileID TEXT, domain TEXT, "
	                              "relativePath TEXT, file BLOB);"));
	expect_db_error(path, IFK_EFORMAT, "Manifest.db: Files table has no flags column");
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_manifest_db_foreach_missing_file(void **state)
{
	char *dir = tu_mkdtemp(), path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	expect_db_error(path, IFK_ENOTFOUND, "Manifest.db: cannot open");
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_manifest_db_foreach_symlink_refused(void **state)
{
	char *dir = tu_mkdtemp(), *path = make_db(dir), link[512];

	(void)state;
	snprintf(link, sizeof(link), "%s/link.db", dir);
	assert_int_equal(symlink(path, link), 0);
	expect_db_error(link, IFK_EFORMAT, "symbolic link");
	tu_rmtree(dir);
	free(dir);
	free(path);
}

static size_t count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static void test_ifk_manifest_db_foreach_readonly_dir(void **state)
{
	char *dir = tu_mkdtemp(), *path = make_db(dir);
	struct collect c = {0};
	struct ifk_error err = {0};
	struct stat before, after;
	size_t n = count_dir(dir);

	(void)state;
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(chmod(dir, 0555), 0);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, &err), 0);
	assert_int_equal(c.n, 9);
	assert_int_equal(count_dir(dir), n); /* no -journal, -wal or -shm */
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	collect_free(&c);
	assert_int_equal(chmod(dir, 0700), 0);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

static void test_ifk_manifest_db_foreach_wal_database(void **state)
{
	char *dir = tu_mkdtemp(), path[512];
	struct collect c = {0};
	struct ifk_error err = {0};
	struct mbf f = sms_file();
	sqlite3 *db;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	db = db_create(path, "PRAGMA journal_mode=WAL;");
	assert_int_equal(sqlite3_exec(db, SCHEMA, NULL, NULL, NULL), SQLITE_OK);
	db_row_mbf(db, "HomeDomain", 1, &f);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	n = count_dir(dir);
	assert_int_equal(chmod(dir, 0555), 0);
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, &err), 0);
	assert_int_equal(c.n, 1);
	check_sms(&c.rows[0]);
	assert_int_equal(count_dir(dir), n);
	collect_free(&c);
	assert_int_equal(chmod(dir, 0700), 0);
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_manifest_db_foreach_odd_path(void **state)
{
	char *dir = tu_mkdtemp(), sub[512], *path = NULL, *src;
	struct collect c = {0};
	size_t len;
	uint8_t *bytes;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/a dir?x=1#frag%%41", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	src = make_db(dir);
	bytes = tu_read_file(src, &len);
	assert_non_null(bytes);
	assert_true(asprintf(&path, "%s/Manifest.db", sub) > 0);
	assert_int_equal(tu_write_file(path, bytes, len), 0);
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 9);
	collect_free(&c);
	tu_rmtree(dir);
	free(bytes);
	free(src);
	free(path);
	free(dir);
}

static void test_ifk_manifest_db_foreach_truncated_db(void **state)
{
	char *dir = tu_mkdtemp(), *path = make_db(dir);
	struct collect c = {0};
	size_t len, cut;
	uint8_t *bytes = tu_read_file(path, &len);

	(void)state;
	assert_non_null(bytes);
	for (cut = 1; cut < len; cut += cut < 200 ? 17 : 1024) {
		int rc;

		assert_int_equal(tu_write_file(path, bytes, cut), 0);
		rc = ifk_manifest_db_foreach(path, collect_fn, &c, NULL);
		assert_true(rc == 0 || rc == IFK_EFORMAT);
		collect_free(&c);
	}
	tu_rmtree(dir);
	free(bytes);
	free(path);
	free(dir);
}

static void test_ifk_manifest_db_foreach_big_blob(void **state)
{
	char *dir = tu_mkdtemp(), path[512];
	struct collect c = {0};
	struct ifk_error err = {0};
	sqlite3 *db;
	uint8_t *big = calloc(1, 2 << 20);

	(void)state;
	assert_non_null(big);
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	db = db_create(path, SCHEMA);
	db_row(db, SMS_ID, "HomeDomain", "Library/SMS/sms.db", 1, big, 2 << 20);
	db_row(db, "x", "HomeDomain", "text", 1, NULL, 0);
	assert_int_equal(
	    sqlite3_exec(db, "UPDATE Files SET file = 'text' WHERE fileID = 'x'", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.rows[0].problem,
	                    "file is 2097152 bytes, over the 1048576-byte limit");
	assert_string_equal(c.rows[1].problem,
	                    "fileID is not 40 lowercase hex digits; file is not a blob");
	collect_free(&c);
	tu_rmtree(dir);
	free(big);
	free(dir);
}

/* Manifest.db is opened as every evidence database is: a value past the
 * 16 MiB limit stops the walk, saying the file is hostile or damaged. */
static void test_ifk_manifest_db_foreach_huge_value(void **state)
{
	char *dir = tu_mkdtemp(), path[512];
	sqlite3 *db;

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	db = db_create(path, SCHEMA);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO Files VALUES ('a', 'HomeDomain',"
	                              " printf('%.*c', 17825792, 'x'), 1, NULL)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	expect_db_error(path, IFK_EFORMAT, "hostile or damaged: ");
	expect_db_error(path, IFK_EFORMAT, "over ifk's limit of 16 MiB");
	tu_rmtree(dir);
	free(dir);
}

static void test_ifk_manifest_db_foreach_inconsistent_rows(void **state)
{
	char *dir = tu_mkdtemp(), path[512];
	struct collect c = {0};
	struct mbf f = sms_file();
	sqlite3 *db;
	size_t len;
	uint8_t *blob;

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	/* no Properties table: some real backups have none */
	db = db_create(path, "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, "
	                     "relativePath TEXT, flags INTEGER, file BLOB);");
	db_row_mbf(db, "HomeDomain", 2, &f); /* flags: directory; Mode: file */
	blob = mbfile_blob(&f, &len);
	db_row(db, "0000000000000000000000000000000000000000", "HomeDomain", "Library/SMS/other.db",
	       1, blob, len);
	free(blob);
	sqlite3_close(db);
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.rows[0].kind, IFK_ENTRY_DIR);
	assert_null(c.rows[0].problem);
	assert_string_equal(c.rows[0].warning, "flags 2 says directory but Mode 0100644 says file");
	assert_string_equal(c.rows[1].path, "Library/SMS/other.db");
	assert_string_equal(c.rows[1].problem, "relativePath and MBFile RelativePath differ");
	assert_true(c.rows[1].id_mismatch);
	collect_free(&c);
	tu_rmtree(dir);
	free(dir);
}

/* Values real devices write: a real iOS 14 backup holds 112 entries owned
 * by UserID/GroupID -2 ("nobody"); setuid and sticky bits; times of 0 and
 * in the future; the domain's root as an empty relativePath. None of them
 * is a problem or a warning. */
static void test_ifk_manifest_db_foreach_device_values(void **state)
{
	char *dir = tu_mkdtemp(), path[512];
	struct collect c = {0};
	struct mbf nobody = sms_file(), root = {.path = "", .mode = 040755, .uid = 0},
	           sticky = {.path = "tmp", .mode = 041777, .uid = 501, .gid = 501},
	           future = sms_file();
	sqlite3 *db;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	db = db_create(path, SCHEMA);
	nobody.path = "Library/Preferences/nobody.plist";
	nobody.uid = nobody.gid = (uint64_t)-2; /* written as 8-byte 0xff..fe */
	nobody.mode = 0104755;                  /* setuid */
	nobody.birth = nobody.mtime = nobody.ctime = 0;
	future.path = "Library/future.db";
	future.birth = future.mtime = future.ctime = 4102444800LL; /* 2100-01-01 */
	db_row_mbf(db, "HomeDomain", 1, &nobody);
	db_row_mbf(db, "HomeDomain", 2, &root);
	db_row_mbf(db, "HomeDomain", 2, &sticky);
	db_row_mbf(db, "HomeDomain", 1, &future);
	sqlite3_close(db);
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 4);
	for (i = 0; i < c.n; i++) {
		assert_null(c.rows[i].problem);
		assert_null(c.rows[i].warning);
		assert_false(c.rows[i].id_mismatch);
	}
	assert_true(c.rows[0].uid == -2 && c.rows[0].gid == -2);
	assert_int_equal(c.rows[0].mode, 0104755);
	assert_int_equal(c.rows[0].kind, IFK_ENTRY_FILE);
	assert_string_equal(c.rows[1].path, "");
	assert_int_equal(c.rows[1].kind, IFK_ENTRY_DIR);
	assert_int_equal(c.rows[2].mode, 041777);
	assert_int_equal(c.rows[3].mtime, 4102444800LL);
	collect_free(&c);
	tu_rmtree(dir);
	free(dir);
}

/* Values ifk has not seen are warnings that name them; the entry stays
 * usable. */
static void test_ifk_manifest_db_foreach_unseen_values(void **state)
{
	char *dir = tu_mkdtemp(), path[512];
	struct collect c = {0};
	struct mbf f = sms_file(), fifo = sms_file();
	sqlite3 *db;

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	db = db_create(path, SCHEMA);
	f.pclass = 14;
	db_row_mbf(db, "HomeDomain", 8, &f);
	fifo.path = "Library/fifo";
	fifo.mode = 010644;
	db_row_mbf(db, "HomeDomain", 1, &fifo);
	sqlite3_close(db);
	assert_int_equal(ifk_manifest_db_foreach(path, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 2);
	assert_null(c.rows[0].problem);
	assert_string_equal(c.rows[0].warning,
	                    "flags 8 is not 0, 1, 2 or 4: the kind (file) is taken from Mode; "
	                    "ProtectionClass 14 is not a class ifk knows");
	assert_int_equal(c.rows[0].kind, IFK_ENTRY_FILE);
	assert_int_equal(c.rows[0].pclass, 14);
	assert_int_equal(c.rows[0].key_len, 44);
	assert_null(c.rows[1].problem);
	assert_non_null(strstr(c.rows[1].warning, "Mode 010644 is not a file, folder or symlink"));
	collect_free(&c);
	tu_rmtree(dir);
	free(dir);
}

static int count_fn(const struct ifk_entry *e, void *ctx)
{
	(void)e;
	++*(size_t *)ctx;
	return 0;
}

static void test_ifk_manifest_db_foreach_many_rows(void **state)
{
	char *dir = tu_mkdtemp(), path[512], rel[64];
	struct mbf f = sms_file();
	sqlite3 *db;
	size_t n = 0, i;

	(void)state;
	snprintf(path, sizeof(path), "%s/Manifest.db", dir);
	db = db_create(path, SCHEMA);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < 20000; i++) {
		snprintf(rel, sizeof(rel), "Media/DCIM/100APPLE/IMG_%05zu.JPG", i);
		f.path = rel;
		db_row_mbf(db, "CameraRollDomain", 1, &f);
	}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ifk_manifest_db_foreach(path, count_fn, &n, NULL), 0);
	assert_int_equal(n, 20000);
	tu_rmtree(dir);
	free(dir);
}

/* ---- fileIDs, paths, kinds ---- */

static void test_ifk_file_id_known(void **state)
{
	char id[41];

	(void)state;
	/* printf 'HomeDomain-Library/SMS/sms.db' | sha1sum */
	assert_int_equal(ifk_file_id("HomeDomain", "Library/SMS/sms.db", id, NULL), 0);
	assert_string_equal(id, SMS_ID);
	/* printf 'HomeDomain-' | sha1sum */
	assert_int_equal(ifk_file_id("HomeDomain", "", id, NULL), 0);
	assert_string_equal(id, "70765829101933f25994c71bbee6dfd685535bff");
	assert_int_equal(
	    ifk_file_id("CameraRollDomain", "Media/DCIM/100APPLE/IMG_0001.JPG", id, NULL), 0);
	assert_string_equal(id, "343e26971dfe9c395c425c0ccf799df63ae6261e");
}

static void test_ifk_path_is_safe_cases(void **state)
{
	(void)state;
	assert_true(ifk_path_is_safe("Library/SMS/sms.db"));
	assert_true(ifk_path_is_safe(""));
	assert_false(ifk_path_is_safe("a//b")); /* the one check: no empty or "." part */
	assert_false(ifk_path_is_safe("a/"));
	assert_false(ifk_path_is_safe("./a"));
	assert_false(ifk_path_is_safe("a\xff"));
	assert_true(ifk_path_is_safe("..a/b.."));
	assert_true(ifk_path_is_safe("a/.../b"));
	assert_false(ifk_path_is_safe(NULL));
	assert_false(ifk_path_is_safe("/etc/passwd"));
	assert_false(ifk_path_is_safe(".."));
	assert_false(ifk_path_is_safe("../x"));
	assert_false(ifk_path_is_safe("a/../../x"));
	assert_false(ifk_path_is_safe("a/.."));
	assert_false(ifk_path_is_safe("a//../b"));
}

static void test_ifk_domain_is_safe_cases(void **state)
{
	(void)state;
	assert_true(ifk_domain_is_safe("HomeDomain"));
	assert_true(ifk_domain_is_safe("AppDomain-com.apple.mobilesafari"));
	assert_false(ifk_domain_is_safe(NULL));
	assert_false(ifk_domain_is_safe(""));
	assert_false(ifk_domain_is_safe("."));
	assert_false(ifk_domain_is_safe(".."));
	assert_false(ifk_domain_is_safe("a/b"));
}

static void test_ifk_entry_kind_from_mode_cases(void **state)
{
	(void)state;
	assert_int_equal(ifk_entry_kind_from_mode(0100644), IFK_ENTRY_FILE);
	assert_int_equal(ifk_entry_kind_from_mode(040755), IFK_ENTRY_DIR);
	assert_int_equal(ifk_entry_kind_from_mode(0120777), IFK_ENTRY_SYMLINK);
	assert_int_equal(ifk_entry_kind_from_mode(0010644), IFK_ENTRY_OTHER);
	assert_int_equal(ifk_entry_kind_from_mode(0), IFK_ENTRY_OTHER);
	assert_string_equal(ifk_entry_kind_name(IFK_ENTRY_DIR), "directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ifk_mbfile_decode_file_fields),
	    cmocka_unit_test(test_ifk_mbfile_decode_enc_key_by_uid),
	    cmocka_unit_test(test_ifk_mbfile_decode_symlink_target),
	    cmocka_unit_test(test_ifk_mbfile_decode_uid_out_of_range),
	    cmocka_unit_test(test_ifk_mbfile_decode_uid_cycle),
	    cmocka_unit_test(test_ifk_mbfile_decode_root_cycle),
	    cmocka_unit_test(test_ifk_mbfile_decode_root_is_null),
	    cmocka_unit_test(test_ifk_mbfile_decode_wrong_types),
	    cmocka_unit_test(test_ifk_mbfile_decode_not_keyed_archive),
	    cmocka_unit_test(test_ifk_mbfile_decode_nul_in_path),
	    cmocka_unit_test(test_ifk_mbfile_decode_every_prefix),
	    cmocka_unit_test(test_ifk_mbfile_decode_every_byte_flipped),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_rows),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_callback_stops),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_random_bytes),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_empty_file),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_no_files_table),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_files_is_view),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_missing_column),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_missing_file),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_symlink_refused),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_readonly_dir),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_wal_database),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_odd_path),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_truncated_db),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_big_blob),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_huge_value),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_inconsistent_rows),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_device_values),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_unseen_values),
	    cmocka_unit_test(test_ifk_manifest_db_foreach_many_rows),
	    cmocka_unit_test(test_ifk_file_id_known),
	    cmocka_unit_test(test_ifk_path_is_safe_cases),
	    cmocka_unit_test(test_ifk_domain_is_safe_cases),
	    cmocka_unit_test(test_ifk_entry_kind_from_mode_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
