/* Manifest.db (iOS 10+): the Files table with one NSKeyedArchiver MBFile
 * per entry, and Properties. Encrypted backups store it AES-256-CBC
 * encrypted whole with the ManifestKey. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "gen.h"

#define MODE_FILE 0100644
#define MODE_DIR 040755
#define MODE_LINK 0120755

static const char files_schema[] =
    "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT,"
    " flags INTEGER, file BLOB);"
    "CREATE INDEX FilesDomainIdx ON Files(domain);"
    "CREATE INDEX FilesRelativePathIdx ON Files(relativePath);"
    "CREATE INDEX FilesFlagsIdx ON Files(flags);"
    "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);"
    "INSERT INTO Properties VALUES ('ifk.generator', CAST('ifk-genbackup' AS BLOB)),"
    " ('ifk.seed', :seed);";

/* $objects under construction: next is the UID the next object gets. */
struct arch {
	plist_t objs;
	uint64_t next;
};

/* Appends obj (consumed) to $objects and sets dict[key] to its UID. */
static int set_ref(struct arch *a, plist_t dict, const char *key, plist_t obj)
{
	uint64_t uid = a->next;

	if (gen_padd(a->objs, obj) < 0)
		return -1;
	a->next++;
	return gen_pset(dict, key, plist_new_uid(uid));
}

static plist_t class_obj(const char *name, const char *c1, const char *c2, const char *c3)
{
	plist_t d = plist_new_dict(), chain = plist_new_array();
	int rc = d && chain ? 0 : -1;

	if (rc == 0)
		rc = gen_padd(chain, plist_new_string(c1));
	if (rc == 0 && c2)
		rc = gen_padd(chain, plist_new_string(c2));
	if (rc == 0 && c3)
		rc = gen_padd(chain, plist_new_string(c3));
	if (rc == 0)
		rc = gen_pset(d, "$classname", plist_new_string(name));
	if (rc < 0 || gen_pset(d, "$classes", chain) < 0) {
		plist_free(d);
		return NULL;
	}
	return d;
}

/* The EncryptionKey object; NS.data inline, or a UID to it when uid_form. */
static int encryption_key(struct arch *a, plist_t mb, const struct gen_entry *e, int uid_form)
{
	plist_t ek = plist_new_dict(), data;
	int rc;

	if (set_ref(a, mb, "EncryptionKey", ek) < 0)
		return -1;
	data = plist_new_data((const char *)e->blob, sizeof(e->blob));
	if (uid_form)
		rc = set_ref(a, ek, "NS.data", data);
	else
		rc = gen_pset(ek, "NS.data", data);
	if (rc < 0)
		return -1;
	return set_ref(a, ek, "$class",
	               class_obj("NSMutableData", "NSMutableData", "NSData", "NSObject"));
}

static int mbfile_attrs(plist_t mb, const struct gen_entry *e)
{
	uint64_t mode = e->kind == GEN_FILE ? MODE_FILE : e->kind == GEN_DIR ? MODE_DIR : MODE_LINK;
	uint64_t size = e->kind == GEN_FILE ? e->rec_size : 0;
	uint64_t owner = (uint64_t)gen_owner_id(e); /* -2 is written as 8 bytes 0xff..fe */

	if (gen_pset(mb, "LastModified", plist_new_uint((uint64_t)e->mtime)) < 0 ||
	    gen_pset(mb, "Flags", plist_new_uint(0)) < 0 ||
	    gen_pset(mb, "GroupID", plist_new_uint(owner)) < 0 ||
	    gen_pset(mb, "LastStatusChange", plist_new_uint((uint64_t)e->ctime)) < 0 ||
	    gen_pset(mb, "Birth", plist_new_uint((uint64_t)e->birth)) < 0 ||
	    gen_pset(mb, "Size", plist_new_uint(size)) < 0 ||
	    gen_pset(mb, "InodeNumber", plist_new_uint(e->inode)) < 0 ||
	    gen_pset(mb, "Mode", plist_new_uint(mode)) < 0 ||
	    gen_pset(mb, "ProtectionClass", plist_new_uint((uint64_t)e->pclass)) < 0 ||
	    gen_pset(mb, "UserID", plist_new_uint(owner)) < 0)
		return -1;
	return 0;
}

static int mbfile_fill(struct arch *a, plist_t mb, const struct gen_entry *e, int uid_form)
{
	if (mbfile_attrs(mb, e) < 0)
		return -1;
	if (set_ref(a, mb, "RelativePath", plist_new_string(e->path)) < 0)
		return -1;
	if (e->target && set_ref(a, mb, "Target", plist_new_string(e->target)) < 0)
		return -1;
	if (e->encrypted && encryption_key(a, mb, e, uid_form) < 0)
		return -1;
	return set_ref(a, mb, "$class", class_obj("MBFile", "MBFile", "NSObject", NULL));
}

/* The NSKeyedArchiver skeleton; root owns everything once this returns 0. */
static int archive_root(plist_t root, struct arch *a)
{
	plist_t top = plist_new_dict();
	int rc = -1;

	a->objs = plist_new_array();
	if (top && a->objs)
		rc = gen_pset(top, "root", plist_new_uid(1));
	if (rc == 0)
		rc = gen_pset(root, "$version", plist_new_uint(100000));
	if (rc == 0)
		rc = gen_pset(root, "$archiver", plist_new_string("NSKeyedArchiver"));
	if (rc < 0) {
		plist_free(top);
		plist_free(a->objs);
		a->objs = NULL;
		return gen_oom();
	}
	/* cannot fail: both values are non-NULL */
	(void)gen_pset(root, "$top", top);
	(void)gen_pset(root, "$objects", a->objs);
	return 0;
}

static int mbfile_archive(const struct gen_entry *e, int uid_form, unsigned char **out, size_t *len)
{
	plist_t root = plist_new_dict(), mb;
	struct arch a = {NULL, 0};
	int rc = -1;

	if (!root)
		return gen_oom();
	if (archive_root(root, &a) < 0)
		goto out;
	mb = plist_new_dict();
	if (gen_padd(a.objs, plist_new_string("$null")) < 0) {
		plist_free(mb);
		goto out;
	}
	if (gen_padd(a.objs, mb) < 0)
		goto out;
	a.next = 2;
	if (mbfile_fill(&a, mb, e, uid_form) < 0) {
		gen_err("cannot build the MBFile of %s", e->path);
		goto out;
	}
	rc = gen_plist_bin(root, out, len);
out:
	plist_free(root);
	return rc;
}

static int insert_entry(sqlite3 *db, sqlite3_stmt *st, const struct gen_entry *e, int uid_form)
{
	unsigned char *blob = NULL;
	size_t len = 0;
	int rc = -1;

	if (mbfile_archive(e, uid_form, &blob, &len) < 0)
		return -1;
	if (sqlite3_bind_text(st, 1, e->file_id, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, e->domain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, e->path, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, e->flags) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 5, blob, (int)len, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		gen_err("Manifest.db insert %s: %s", e->path, sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	free(blob);
	return rc;
}

/* The --small-files entries, each stored as it is made, then inserted. */
static int insert_small(sqlite3 *db, sqlite3_stmt *st, struct gen *g, unsigned *nenc)
{
	struct gen_small s;
	struct gen_entry e;
	int rc;

	if (g->o->small_files == 0)
		return 0;
	if (gen_small_open(&s, g) < 0)
		return -1;
	while ((rc = gen_small_next(&s, &e)) == 1) {
		rc = insert_entry(db, st, &e, e.encrypted && *nenc % 3 == 2);
		if (e.encrypted)
			(*nenc)++;
		OPENSSL_cleanse(e.key, sizeof(e.key));
		if (rc < 0)
			break;
	}
	gen_small_close(&s);
	if (rc == 0)
		rc = gen_store_bucket_times(g);
	return rc;
}

/* Every third encrypted file has NS.data as a UID to a separate object. */
static int insert_all(sqlite3 *db, struct gen *g)
{
	static const char sql[] = "INSERT INTO Files VALUES (?, ?, ?, ?, ?);";
	sqlite3_stmt *st = NULL;
	unsigned nenc = 0;
	size_t i;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return gen_err("Manifest.db: %s", sqlite3_errmsg(db));
	for (i = 0; rc == 0 && i < g->list.n; i++) {
		const struct gen_entry *e = &g->list.v[i];

		rc = insert_entry(db, st, e, e->encrypted && nenc % 3 == 2);
		if (e->encrypted)
			nenc++;
	}
	if (rc == 0)
		rc = insert_small(db, st, g, &nenc);
	sqlite3_finalize(st);
	return rc;
}

static int build_db(struct gen *g, const char *path)
{
	struct gen_sql_param seed = {":seed", 0, NULL, 0};
	char text[24];
	sqlite3 *db = NULL;
	int rc;

	snprintf(text, sizeof(text), "%llu", (unsigned long long)g->o->seed);
	seed.blob = text;
	seed.blob_len = strlen(text);

	if (gen_sql_open(path, &db) < 0)
		return gen_sql_close(db, -1);
	/* a large cache keeps a million-row build off the journal */
	rc = gen_sql_run(db, "PRAGMA cache_size=-131072; BEGIN;", NULL, 0);
	if (rc == 0)
		rc = gen_sql_run(db, files_schema, &seed, 1);
	if (rc == 0)
		rc = insert_all(db, g);
	if (rc == 0)
		rc = gen_sql_run(db, "COMMIT;", NULL, 0);
	return gen_sql_close(db, rc);
}

int gen_manifest_db_write(struct gen *g)
{
	char *src = gen_path_join(g->tmpdir, "Manifest.db");
	char *dst = gen_path_join(g->o->out, "Manifest.db");
	int rc = -1;

	if (!src || !dst)
		goto out;
	if (build_db(g, src) < 0)
		goto out;
	if (g->o->encrypt && g->o->unpadded_manifest)
		rc = gen_store_copy_unpadded(src, dst, g->manifest_key);
	else
		rc = gen_store_copy(src, dst, g->o->encrypt ? g->manifest_key : NULL);
out:
	free(src);
	free(dst);
	return rc;
}
