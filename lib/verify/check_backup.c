/* The backup check (Status, Info and Manifest plists, the index and its
 * entries) and the set-up of the encryption check (keybag, password). */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats.h"
#include "core.h"
#include "verify_int.h"

static int same(const char *a, const char *b)
{
	return !a || !b || strcasecmp(a, b) == 0;
}

static void compare_device(struct vctx *v)
{
	const struct ifk_backup_meta *m = &v->meta;
	const char *info_udid = m->info_udid;

	if (!m->have_info) {
		if (!m->info_error)
			v_finding(v, C_BACKUP, V_WARN, "Info.plist",
			          "missing (the host writes it)");
		return;
	}
	if (!m->have_manifest_plist)
		return;
	if (!same(info_udid, m->lockdown_udid))
		v_finding(v, C_BACKUP, V_FAIL, "Info.plist",
		          "device %s differs from Manifest.plist's %s", info_udid,
		          m->lockdown_udid);
	if (!same(m->serial, m->lockdown_serial))
		v_finding(v, C_BACKUP, V_FAIL, "Info.plist",
		          "serial number %s differs from Manifest.plist's %s", m->serial,
		          m->lockdown_serial);
	if (!same(m->ios_version, m->lockdown_ios_version))
		v_finding(v, C_BACKUP, V_FAIL, "Info.plist",
		          "iOS version %s differs from Manifest.plist's %s", m->ios_version,
		          m->lockdown_ios_version);
	/* the host rewrites Info.plist as a backup starts and Manifest.plist as
	 * it ends: disagreeing, they belong to two different backups */
	if (!same(info_udid, m->lockdown_udid) || !same(m->serial, m->lockdown_serial) ||
	    !same(m->ios_version, m->lockdown_ios_version))
		v_incomplete(v, "Info.plist and Manifest.plist describe different devices or "
		                "iOS versions");
}

static void check_status(struct vctx *v)
{
	const struct ifk_backup_meta *m = &v->meta;

	if (!m->have_status && !m->status_error) {
		v_finding(v, C_BACKUP, V_FAIL, "Status.plist",
		          "missing: the backup's state is unknown");
		v_incomplete(v, "Status.plist is missing");
	} else if (!v_backup_finished(m)) {
		v_finding(v, C_BACKUP, V_FAIL, "Status.plist",
		          "SnapshotState is \"%s\", not \"finished\": the backup did not complete",
		          m->snapshot_state ? m->snapshot_state : "(none)");
		v_incomplete(v, "Status.plist SnapshotState is \"%s\", not \"finished\"",
		             m->snapshot_state ? m->snapshot_state : "(none)");
	}
	if (!m->have_manifest_plist && !m->manifest_error) {
		v_finding(v, C_BACKUP, V_FAIL, "Manifest.plist", "missing");
		v_incomplete(v, "Manifest.plist is missing");
	}
}

int v_backup_finished(const struct ifk_backup_meta *m)
{
	return m->have_status && m->snapshot_state && strcmp(m->snapshot_state, "finished") == 0;
}

static void list_classes(struct vctx *v)
{
	json_t *ok = json_array(), *dev = json_array();
	struct ifk_keybag_class kc;
	size_t i;

	for (i = 0; i < ifk_keybag_class_count(v->kb); i++) {
		if (ifk_keybag_class_at(v->kb, i, &kc, NULL) != 0)
			continue;
		if (kc.state == IFK_KEYBAG_UNWRAPPED)
			json_array_append_new(
			    ok, json_string(ifk_keybag_class_name(kc.protection_class)));
		else if (kc.state == IFK_KEYBAG_NEEDS_DEVICE_KEY)
			json_array_append_new(
			    dev, json_string(ifk_keybag_class_name(kc.protection_class)));
		else if (kc.state == IFK_KEYBAG_CORRUPT)
			v_finding(
			    v, C_ENCRYPTION, V_FAIL, "Manifest.plist",
			    "keybag class %u (%s) does not unwrap although the password is right",
			    kc.protection_class, ifk_keybag_class_name(kc.protection_class));
	}
	json_object_set_new(v->c[C_ENCRYPTION].info, "classes_unwrapped", ok);
	json_object_set_new(v->c[C_ENCRYPTION].info, "classes_not_decryptable_off_device", dev);
}

static void unlock(struct vctx *v)
{
	struct ifk_error e = {0};
	char *pw = NULL;
	size_t len = 0;
	int rc;

	if (v->o->quick) {
		v_skip(v, C_ENCRYPTION, "quick check: nothing is decrypted");
		v_partial(v, "not decrypted");
		v->no_password = 1;
		return;
	}
	if (!v->o->password || v->o->password(v->o->password_ctx, &pw, &len) != 0) {
		v_skip(v, C_ENCRYPTION,
		       "the backup is encrypted and no password was given "
		       "(--password-file, IFK_PASSWORD or the prompt): files not "
		       "decrypted");
		v_partial(v, "not decrypted");
		v->no_password = 1;
		return;
	}
	rc = ifk_keybag_unlock(v->kb, pw, len, &e);
	OPENSSL_cleanse(pw, len);
	free(pw);
	if (rc == IFK_EPASSWORD) {
		json_object_set_new(v->c[C_ENCRYPTION].info, "wrong_password", json_true());
		v_finding(
		    v, C_ENCRYPTION, V_FAIL, "Manifest.plist",
		    "wrong password: the keybag's class keys fail the key-wrap integrity check");
		return;
	}
	if (rc) {
		v_finding(v, C_ENCRYPTION, V_FAIL, "Manifest.plist", "keybag: %s", e.msg);
		return;
	}
	json_object_set_new(v->c[C_ENCRYPTION].info, "unlocked", json_true());
	list_classes(v);
}

static void setup_encryption(struct vctx *v)
{
	struct ifk_error e = {0};

	if (!v->meta.encrypted) {
		v_skip(v, C_ENCRYPTION, "the backup is not encrypted");
		return;
	}
	if (!v->meta.keybag) {
		v_finding(v, C_ENCRYPTION, V_FAIL, "Manifest.plist",
		          "encrypted, but no BackupKeyBag");
		return;
	}
	if (ifk_keybag_parse(v->meta.keybag, v->meta.keybag_len, &v->kb, &e) != 0) {
		v_finding(v, C_ENCRYPTION, V_FAIL, "Manifest.plist", "keybag: %s", e.msg);
		return;
	}
	json_object_set_new(v->c[C_ENCRYPTION].info, "keybag_dp_stage",
	                    json_boolean(ifk_keybag_has_dp_stage(v->kb)));
	unlock(v);
	if (!ifk_keybag_is_unlocked(v->kb)) {
		ifk_keybag_free(v->kb);
		v->kb = NULL;
	}
}

/* Reads one of the backup's plists once: hashed for the seal, kept for
 * parsing. Absent: buf stays empty. */
static int read_plist(struct vctx *v, const char *name, struct ifk_buf *buf, int *present,
                      struct ifk_error *err)
{
	struct vsink s = {.out_fd = -1, .capture = buf, .capture_max = IFK_BACKUP_PLIST_MAX};
	int rc;

	*present = faccessat(v->backup_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	if (!*present)
		return 0;
	rc = v_read_file(v, v->backup_fd, name, name, &s, err);
	if (!rc && s.capture_overflow)
		v_finding(v, C_BACKUP, V_FAIL, name, "larger than %u bytes: not read as a plist",
		          IFK_BACKUP_PLIST_MAX);
	*present = !rc && s.read_ok && !s.capture_overflow;
	if (*present && !buf->data)
		ifk_buf_add(buf, "", 0); /* an empty file is present, and empty */
	return rc;
}

static void meta_errors(struct vctx *v)
{
	static const char *const names[3] = {"Info.plist", "Manifest.plist", "Status.plist"};
	const struct ifk_backup_meta *m = &v->meta;
	const char *errors[3] = {m->info_error, m->manifest_error, m->status_error};
	const char *notes[3] = {m->info_note, m->manifest_note, m->status_note};
	int i;

	for (i = 0; i < 3; i++) {
		if (errors[i])
			v_finding(v, C_BACKUP, V_FAIL, names[i], "%s", errors[i]);
		if (notes[i])
			v_finding(v, C_BACKUP, V_WARN, names[i], "%s", notes[i]);
	}
}

int v_check_backup_meta(struct vctx *v, struct ifk_error *err)
{
	static const char *const names[3] = {"Info.plist", "Manifest.plist", "Status.plist"};
	struct ifk_buf b[3] = {{0}, {0}, {0}};
	int present[3] = {0, 0, 0}, rc = 0, i;

	if (!v->has_backup) {
		v_skip(v, C_BACKUP,
		       "data/ holds no iOS backup (no Manifest.plist, Manifest.db, Manifest.mbdb "
		       "or Info.plist at its root)");
		v_skip(v, C_ENCRYPTION, "data/ holds no iOS backup: nothing to decrypt");
		return 0;
	}

	for (i = 0; i < 3 && !rc; i++)
		rc = read_plist(v, names[i], &b[i], &present[i], err);
	v->meta_done = 1;
	if (!rc)
		rc = ifk_backup_meta_parse(present[0] ? b[0].data : NULL, b[0].len,
		                           present[1] ? b[1].data : NULL, b[1].len,
		                           present[2] ? b[2].data : NULL, b[2].len, &v->meta, err);
	for (i = 0; i < 3; i++)
		ifk_buf_free(&b[i]);
	if (rc)
		return rc;
	meta_errors(v);
	check_status(v);
	compare_device(v);
	json_object_set_new(v->c[C_BACKUP].info, "device", ifk_backup_meta_json(&v->meta));
	if (v->meta.manifest_error)
		v_skip(v, C_ENCRYPTION, "Manifest.plist could not be read: encryption unknown");
	else
		setup_encryption(v);
	return 0;
}

struct loader {
	struct vctx *v;
	sqlite3_stmt *ins;
	uint64_t n;
};

static void entry_where(const struct ifk_entry *e, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s (%s)", e->domain, e->relative_path, e->file_id);
}

static int load_entry(const struct ifk_entry *e, void *ctx)
{
	struct loader *l = ctx;
	struct vctx *v = l->v;
	char where[600];

	entry_where(e, where, sizeof(where));
	l->n++;
	if (e->problem)
		v_finding(v, C_BACKUP, V_FAIL, where, "index entry %llu: %s",
		          (unsigned long long)e->index, e->problem);
	if (e->warning)
		v_finding(v, C_BACKUP, V_WARN, where, "index entry %llu: unexpected value: %s",
		          (unsigned long long)e->index, e->warning);
	if (e->id_mismatch)
		v_finding(v, C_BACKUP, V_FAIL, where,
		          "fileID is not SHA-1(domain-relativePath): the entry was altered");
	if (!ifk_path_is_safe(e->relative_path) || !ifk_domain_is_safe(e->domain))
		v_finding(v, C_BACKUP, V_FAIL, where,
		          "relativePath escapes its domain (absolute or \"..\")");
	sqlite3_reset(l->ins);
	sqlite3_bind_text(l->ins, 1, e->file_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(l->ins, 2, e->domain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(l->ins, 3, e->relative_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(l->ins, 4, (int)e->kind);
	sqlite3_bind_int64(l->ins, 5, (sqlite3_int64)e->size);
	if (e->enc_key)
		sqlite3_bind_blob(l->ins, 6, e->enc_key, (int)e->enc_key_len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(l->ins, 6);
	if (e->data_hash)
		sqlite3_bind_blob(l->ins, 7, e->data_hash, (int)e->data_hash_len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(l->ins, 7);
	sqlite3_bind_int64(l->ins, 8, e->mtime);
	sqlite3_bind_int64(l->ins, 9, e->birth);
	sqlite3_bind_int64(l->ins, 10, e->protection_class);
	if (sqlite3_step(l->ins) != SQLITE_DONE)
		v_finding(v, C_BACKUP, V_FAIL, where, "fileID listed twice in the index");
	return v_stopped(v) ? IFK_EINTR : 0;
}

/* Reading the index on a second thread: one thread reads Manifest.db (or
 * Manifest.mbdb) and decodes its entries (SQLite, libplist, the fileID's
 * SHA-1), the caller's thread takes them in the index's order, in batches,
 * and records them (findings, the work database's rows) as load_entry
 * does on one thread. */
#define LOAD_BATCH 256 /* entries in a batch */
#define LOAD_SLOTS 3

/* An entry's strings and blobs, as offsets into its batch's bytes. */
struct lcopy {
	struct ifk_entry e;
	size_t domain, rel, key, hash, problem, warning;
};

struct lbatch {
	struct lcopy row[LOAD_BATCH];
	struct ifk_buf bytes;
	int n;
};

struct lqueue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct lbatch slot[LOAD_SLOTS];
	int head, count; /* the batches handed over, oldest first */
	int fill;        /* the batch the reading thread fills (its own) */
	int ended, stop, rc;
	struct ifk_error err;
	struct vctx *v;
	const char *path;
};

static size_t lq_put(struct lbatch *b, const void *p, size_t len, int *bad)
{
	size_t at = b->bytes.len;

	if (!p)
		return (size_t)-1;
	if (ifk_buf_add(&b->bytes, p, len) != 0)
		*bad = 1;
	return at;
}

static const void *lq_at(const struct lbatch *b, size_t at)
{
	return at == (size_t)-1 ? NULL : b->bytes.data + at;
}

/* Hands the batch being filled over to the caller's thread, waiting for a
 * free slot. 0, or 1 when the caller's thread asked to stop. */
static int lq_hand_over(struct lqueue *q)
{
	int stop;

	pthread_mutex_lock(&q->mu);
	q->count++;
	pthread_cond_broadcast(&q->cv);
	while (q->count == LOAD_SLOTS && !q->stop)
		pthread_cond_wait(&q->cv, &q->mu);
	stop = q->stop;
	pthread_mutex_unlock(&q->mu);
	/* the next slot is out of the caller's hands: taken, or never given */
	q->fill = (q->fill + 1) % LOAD_SLOTS;
	q->slot[q->fill].n = 0;
	q->slot[q->fill].bytes.len = 0;
	return stop;
}

static int lq_copy(const struct ifk_entry *e, void *ctx)
{
	struct lqueue *q = ctx;
	struct lbatch *b = &q->slot[q->fill];
	struct lcopy *c;
	int bad = 0;

	if (b->n == LOAD_BATCH && lq_hand_over(q))
		return IFK_EINTR;
	b = &q->slot[q->fill];
	c = &b->row[b->n];
	c->e = *e;
	c->domain = lq_put(b, e->domain, strlen(e->domain) + 1, &bad);
	c->rel = lq_put(b, e->relative_path, strlen(e->relative_path) + 1, &bad);
	c->key = lq_put(b, e->enc_key, e->enc_key_len, &bad);
	c->hash = lq_put(b, e->data_hash, e->data_hash_len, &bad);
	c->problem = lq_put(b, e->problem, e->problem ? strlen(e->problem) + 1 : 0, &bad);
	c->warning = lq_put(b, e->warning, e->warning ? strlen(e->warning) + 1 : 0, &bad);
	if (bad)
		return IFK_ENOMEM;
	b->n++;
	return 0;
}

static void *lq_thread(void *arg)
{
	struct lqueue *q = arg;
	int rc = q->v->mbdb ? ifk_mbdb_foreach(q->path, lq_copy, q, &q->err)
	                    : ifk_manifest_db_foreach(q->path, lq_copy, q, &q->err);

	pthread_mutex_lock(&q->mu);
	if (q->slot[q->fill].n)
		q->count++;
	q->ended = 1;
	q->rc = rc;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* The entries of one handed-over batch, recorded in order. */
static int lq_take(struct lqueue *q, struct loader *l)
{
	struct lbatch *b = &q->slot[q->head];
	int i, rc = 0;

	for (i = 0; i < b->n && !rc; i++) {
		struct lcopy *c = &b->row[i];
		c->e.domain = lq_at(b, c->domain);
		c->e.relative_path = lq_at(b, c->rel);
		c->e.enc_key = lq_at(b, c->key);
		c->e.data_hash = lq_at(b, c->hash);
		c->e.problem = lq_at(b, c->problem);
		c->e.warning = lq_at(b, c->warning);
		c->e.target = NULL;
		c->e.xattrs = NULL;
		c->e.props = NULL;
		rc = load_entry(&c->e, l);
	}
	return rc;
}

/* ifk_manifest_db_foreach (or ifk_mbdb_foreach) with load_entry, the
 * reading and decoding on a thread of its own. *ran is 0 when no thread
 * could be had (the caller then reads on its own thread). */
static int load_threaded(struct loader *l, const char *path, int *ran, struct ifk_error *err)
{
	struct lqueue *q = calloc(1, sizeof(*q));
	pthread_t th;
	int rc = 0, i;

	*ran = 0;
	if (!q)
		return 0;
	q->v = l->v;
	q->path = path;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&th, NULL, lq_thread, q) != 0) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		free(q);
		return 0;
	}
	*ran = 1;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->count && !q->ended)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->count)
			break;
		pthread_mutex_unlock(&q->mu);
		if (!rc)
			rc = lq_take(q, l);
		pthread_mutex_lock(&q->mu);
		q->head = (q->head + 1) % LOAD_SLOTS;
		q->count--;
		if (rc)
			q->stop = 1;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	pthread_join(th, NULL);
	if (!rc) {
		rc = q->rc;
		*err = q->err;
	}
	for (i = 0; i < LOAD_SLOTS; i++)
		ifk_buf_free(&q->slot[i].bytes);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
	return rc;
}

static int read_entries(struct vctx *v, const char *path, const char *name, struct ifk_error *err)
{
	struct loader l = {v, NULL, 0};
	struct ifk_error e = {0};
	int rc, threaded = 0;

	if (sqlite3_prepare_v2(
	        v->work,
	        "INSERT INTO entries_load(file_id, domain, relpath, kind, size, enc_key,"
	        " data_hash, mtime, birth, class) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        -1, &l.ins, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "work database: %s", sqlite3_errmsg(v->work));
	sqlite3_exec(v->work, "BEGIN", NULL, NULL, NULL);
	rc = v_jobs(v) > 1 ? load_threaded(&l, path, &threaded, &e) : 0;
	if (!threaded)
		rc = v->mbdb ? ifk_mbdb_foreach(path, load_entry, &l, &e)
		             : ifk_manifest_db_foreach(path, load_entry, &l, &e);
	sqlite3_finalize(l.ins);
	/* the entries are loaded in the index's order, and kept in fileID
	 * order (sorted once here, "+" so that SQLite sorts rather than
	 * follow the fileID index row by row): the pass meets the stored
	 * files in that order, so each page of the table is read once */
	if (!rc && sqlite3_exec(v->work,
	                        "INSERT INTO entries SELECT * FROM entries_load ORDER BY +file_id;"
	                        "DELETE FROM entries_load",
	                        NULL, NULL, NULL) != SQLITE_OK)
		rc = ifk_error_set(&e, IFK_EIO, "work database: %s", sqlite3_errmsg(v->work));
	sqlite3_exec(v->work, "COMMIT", NULL, NULL, NULL);
	if (rc == IFK_EINTR)
		return ifk_error_set(err, IFK_EINTR, "interrupted");
	if (rc) {
		v_finding(v, C_BACKUP, V_FAIL, name, "%s", e.msg);
		if (v->meta.encrypted && v->meta.manifest_key && !v->mbdb)
			v_finding(v, C_ENCRYPTION, V_FAIL, name,
			          "does not decrypt to a valid SQLite database");
		return 0;
	}
	v->entries_loaded = 1;
	json_object_set_new(v->c[C_BACKUP].info, "index", json_string(name));
	json_object_set_new(v->c[C_BACKUP].info, "entries", json_integer((json_int_t)l.n));
	return 0;
}

/* The index is read once: hashed for the seal, decrypted when it is, and
 * written to a private temporary that the parsers open. */
int v_load_index(struct vctx *v, struct ifk_error *err)
{
	struct vsink s = {.out_fd = -1};
	const char *name;
	char *tmp = NULL;
	uint8_t key[32];
	struct stat st;
	int rc;

	if (!v->has_backup)
		return 0;
	v->mbdb = faccessat(v->backup_fd, "Manifest.db", F_OK, AT_SYMLINK_NOFOLLOW) != 0 &&
	          faccessat(v->backup_fd, "Manifest.mbdb", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	name = v->mbdb ? "Manifest.mbdb" : "Manifest.db";
	if (fstatat(v->backup_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		v_finding(v, C_BACKUP, V_FAIL, name, "missing: the backup has no file index");
		v_incomplete(v, "%s is missing", name);
		return 0;
	}
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		v_finding(v, C_BACKUP, V_FAIL, name,
		          "empty (0 bytes): the backup did not complete");
		v_incomplete(v, "%s is empty", name);
		return 0;
	}
	/* iOS 10.2 and later encrypt Manifest.db whole and say so with a
	 * ManifestKey; earlier encrypted backups keep their index plain */
	if (!v->mbdb && v->meta.encrypted && v->meta.manifest_key) {
		struct ifk_error e = {0};
		if (!v->kb && v->no_password) {
			v_partial(v, "index not read");
			json_object_set_new(v->c[C_BACKUP].info, "index_not_read",
			                    json_string("Manifest.db is encrypted and no password "
			                                "was given: its entries are not checked"));
			return 0;
		}
		if (!v->kb) {
			v_finding(v, C_BACKUP, V_WARN, name,
			          "encrypted and not unlocked: the index's "
			          "entries are not checked");
			return 0;
		}
		if (ifk_keybag_unwrap_key(v->kb, v->meta.manifest_key, v->meta.manifest_key_len,
		                          key, NULL, &e) != 0) {
			v_finding(v, C_ENCRYPTION, V_FAIL, "Manifest.plist", "ManifestKey: %s", e.msg);
			return 0;
		}
		s.key = key;
		s.sqlite_unpadded_ok = 1;
	}
	tmp = ifk_path_join(v->tmpdir, name);
	s.out_fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
	if (s.out_fd < 0) {
		free(tmp);
		return ifk_error_sys(err, IFK_EIO, errno, "cannot create a private temporary");
	}
	rc = v_read_file(v, v->backup_fd, name, name, &s, err);
	close(s.out_fd);
	OPENSSL_cleanse(key, sizeof(key));
	v->index_done = 1;
	if (!rc && s.decrypt_failed)
		v_finding(v, C_ENCRYPTION, V_FAIL, name, "does not decrypt: %s", s.decrypt_msg);
	if (!rc && s.unpadded)
		v_finding(v, C_ENCRYPTION, V_WARN, name,
		          "encrypted without a PKCS#7 padding block (its length is a whole "
		          "number of SQLite pages): decrypted whole, as other readers do");
	if (!rc && !s.decrypt_failed && s.read_ok)
		rc = read_entries(v, tmp, name, err);
	free(tmp);
	return rc;
}

/* A file the index lists that the backup does not store: a finding, and
 * the tap hears of it (ifk-parse tells "missing" from "absent"). 1 when
 * the file has content (a missing empty file is a warning). */
static int unseen_entry(struct vctx *v, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	const char *domain = (const char *)sqlite3_column_text(st, 1);
	const char *rel = (const char *)sqlite3_column_text(st, 2);
	struct ifk_verify_file f = {id ? id : "",
	                            domain ? domain : "",
	                            rel ? rel : "",
	                            (uint64_t)sqlite3_column_int64(st, 3),
	                            sqlite3_column_int64(st, 4),
	                            sqlite3_column_int64(st, 5),
	                            (uint32_t)sqlite3_column_int64(st, 6)};
	char where[600];

	snprintf(where, sizeof(where), "%s/%s (%s)", f.domain, f.relative_path, f.file_id);
	v_finding(v, C_BACKUP, f.size > 0 ? V_FAIL : V_WARN, where,
	          "the index lists this file but it is not stored in the backup");
	if (v->o->tap && v->o->tap->missing)
		v->o->tap->missing(v->o->tap->ctx, &f);
	return f.size > 0;
}

void v_check_unseen_entries(struct vctx *v)
{
	sqlite3_stmt *st = NULL;
	uint64_t missing = 0;

	if (!v->entries_loaded)
		return;
	if (sqlite3_prepare_v2(v->work,
	                       "SELECT file_id, domain, relpath, size, mtime, birth, class"
	                       " FROM entries WHERE seen = 0 AND kind = 0 ORDER BY domain, relpath",
	                       -1, &st, NULL) != SQLITE_OK) {
		v_finding(v, C_BACKUP, V_FAIL, "", "work database: %s", sqlite3_errmsg(v->work));
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		missing += unseen_entry(v, st);
	sqlite3_finalize(st);
	if (missing)
		v_incomplete(v, "%llu file%s the index lists %s not stored",
		             (unsigned long long)missing, missing == 1 ? "" : "s",
		             missing == 1 ? "is" : "are");
}
