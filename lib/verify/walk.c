/* The single pass: every stored file is read once, and each byte feeds the
 * payload digest, the mbdb SHA-1 and the decryption that apply to it. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats.h"
#include "core.h"
#include "verify_int.h"

#define MAX_DEPTH 32
static uint64_t v_pool_reading(const struct vctx *v);
static void v_pool_taken(struct vctx *v, uint64_t n);
/* A folder of at most this many entries is walked in name order, so that
 * the work database's tables, keyed on the path and the fileID, are read
 * in their order (a 1,000,000-file backup holds about 4,000 per xx/
 * folder); names are held in memory for it, about 100 bytes each. */
#define WALK_SORT_MAX 65536

static int walk_dir(struct vctx *v, int dfd, const char *rel, int depth, struct ifk_error *err);

/* One file's reading state; the digests are the run's (vctx), restarted
 * for each file, the decryptor the file's own. */
struct reader {
	EVP_MD_CTX *payload[V_MAX_MANIFESTS]; /* one per payload manifest */
	EVP_MD_CTX *sha1;
	struct ifk_decrypt *dec;
	uint8_t *buf, *plain; /* the run's buffers, borrowed from vctx */
};

static void reader_free(struct reader *r)
{
	ifk_decrypt_free(r->dec);
}

/* Starts *md afresh: made and given its digest once per run, then only
 * restarted (no allocation, no algorithm lookup per file). */
static int digest_start(EVP_MD_CTX **md, const EVP_MD *type)
{
	if (*md)
		return EVP_DigestInit_ex(*md, NULL, NULL);
	*md = EVP_MD_CTX_new();
	return *md && EVP_DigestInit_ex(*md, type, NULL);
}

static void digest_end(EVP_MD_CTX *md, struct vdigest *d)
{
	d->n = 0;
	EVP_DigestFinal_ex(md, d->b, &d->n);
}

void v_walk_release(struct vctx *v)
{
	int i;

	for (i = 0; i < V_MAX_MANIFESTS; i++)
		EVP_MD_CTX_free(v->md[i]);
	EVP_MD_CTX_free(v->sha1_md);
}

static int reader_init(struct vctx *v, struct reader *r, struct vsink *s, struct ifk_error *err)
{
	struct ifk_error e = {0};
	int i;

	memset(r, 0, sizeof(*r));
	if (!v->buf && !(v->buf = malloc(IFK_IO_CHUNK)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!v->plain && !(v->plain = malloc(IFK_IO_CHUNK + 32)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	r->buf = v->buf;
	r->plain = v->plain;
	for (i = 0; v->kind != VK_BACKUP && i < v->npm; i++) {
		if (!digest_start(&v->md[i], EVP_get_digestbyname(v->pm[i].digest)))
			return ifk_error_set(err, IFK_ECRYPTO, "cannot start %s", v->pm[i].digest);
		r->payload[i] = v->md[i];
	}
	if (s->want_sha1) {
		if (!digest_start(&v->sha1_md, EVP_sha1()))
			return ifk_error_set(err, IFK_ECRYPTO, "cannot start SHA-1");
		r->sha1 = v->sha1_md;
	}
	if (s->key && ifk_decrypt_new(s->key, &r->dec, &e) != 0)
		return ifk_error_set(err, IFK_ECRYPTO, "%s", e.msg);
	if (r->dec && s->sqlite_unpadded_ok)
		ifk_decrypt_accept_unpadded_sqlite(r->dec);
	return 0;
}

static int tap_data(struct vctx *v, struct vsink *s, const uint8_t *buf, size_t n)
{
	if (!s->tap_state || !n)
		return 0;
	return v->o->tap->data(v->o->tap->ctx, s->tap_state, buf, n);
}

static void feed_decrypt(struct vctx *v, struct reader *r, struct vsink *s, const uint8_t *in,
                         size_t n, const char *rel, struct ifk_error *err, int *rc)
{
	struct ifk_error e = {0};
	size_t out = 0;

	if (!r->dec || s->decrypt_failed)
		return;
	if (ifk_decrypt_update(r->dec, in, n, r->plain, &out, &e) != 0) {
		s->decrypt_failed = 1;
		snprintf(s->decrypt_msg, sizeof(s->decrypt_msg), "%s", e.msg);
		return;
	}
	s->plain_bytes += out;
	if (s->out_fd >= 0 && out)
		*rc = ifk_write_all(s->out_fd, r->plain, out, rel, err);
	if (!*rc)
		*rc = tap_data(v, s, r->plain, out);
}

static int finish_decrypt(struct vctx *v, struct reader *r, struct vsink *s, const char *rel,
                          struct ifk_error *err)
{
	struct ifk_error e = {0};
	size_t out = 0;

	if (!r->dec || s->decrypt_failed)
		return 0;
	if (ifk_decrypt_final(r->dec, r->plain, &out, &e) != 0) {
		s->decrypt_failed = 1;
		snprintf(s->decrypt_msg, sizeof(s->decrypt_msg), "%s", e.msg);
		return 0;
	}
	s->unpadded = ifk_decrypt_was_unpadded(r->dec);
	s->plain_bytes += out;
	if (s->out_fd >= 0 && out && ifk_write_all(s->out_fd, r->plain, out, rel, err) != 0)
		return IFK_EIO;
	return tap_data(v, s, r->plain, out);
}

/* Tells the caller how far the pass has come. */
static void tell_progress(struct vctx *v)
{
	struct ifk_progress p = {v->files_seen, v->bytes_seen + v_pool_reading(v), v->files_total,
	                         v->bytes_total, -1};

	if (v->o->progress)
		v->o->progress(v->o->progress_ctx, &p);
}

static uint64_t count_of(struct vctx *v, const char *sql)
{
	sqlite3_stmt *st = NULL;
	uint64_t n = 0;

	if (sqlite3_prepare_v2(v->work, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

struct counting {
	int dfd;
	uint64_t n;
};

static int count_regular(void *ctx, const char *name, const char *rel)
{
	struct counting *c = ctx;
	struct stat st;

	(void)rel;
	if (fstatat(c->dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		c->n++;
	return 0;
}

/* The regular files at the top of the folder dfd. */
static uint64_t top_files(int dfd)
{
	struct counting c = {dfd, 0};
	int list_errno = 0;

	ifk_dir_foreach(dfd, NULL, count_regular, &c, &list_errno);
	return c.n;
}

void v_progress_totals(struct vctx *v)
{
	if (!v->o->progress || !v->work)
		return;
	if (v->kind != VK_BACKUP) {
		v->files_total = count_of(v, "SELECT count(DISTINCT path) FROM payload");
		v->bytes_total = v->have_oxum ? v->oxum_bytes : 0;
	} else if (v->entries_loaded) {
		/* the index's files, and the plists and index beside them */
		v->files_total = count_of(v, "SELECT count(*) FROM entries WHERE kind = 0") +
		                 top_files(v->backup_fd);
	}
}

static void progress(struct vctx *v, uint64_t n)
{
	v->bytes_seen += n;
	tell_progress(v);
}

static int read_loop(struct vctx *v, int fd, struct reader *r, struct vsink *s, const char *rel,
                     struct ifk_error *err)
{
	int rc = 0, i;

	for (;;) {
		ssize_t n;
		if (v_stopped(v))
			return ifk_error_set(err, IFK_EINTR, "interrupted while reading %s", rel);
		n = read(fd, r->buf, IFK_IO_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			v_finding(v, v_file_check(v), V_FAIL, rel, "read failed: %s",
			          strerror(errno));
			return 0;
		}
		if (n == 0)
			break;
		for (i = 0; i < v->npm && r->payload[i]; i++)
			EVP_DigestUpdate(r->payload[i], r->buf, (size_t)n);
		if (s->capture && !s->capture_overflow &&
		    (s->capture->len + (size_t)n > s->capture_max ||
		     ifk_buf_add(s->capture, r->buf, (size_t)n) != 0))
			s->capture_overflow = 1;
		if (r->sha1)
			EVP_DigestUpdate(r->sha1, r->buf, (size_t)n);
		if (r->dec)
			feed_decrypt(v, r, s, r->buf, (size_t)n, rel, err, &rc);
		else if (s->out_fd >= 0)
			rc = ifk_write_all(s->out_fd, r->buf, (size_t)n, rel, err);
		if (!rc && !r->dec)
			rc = tap_data(v, s, r->buf, (size_t)n);
		if (rc)
			return rc;
		s->bytes += (uint64_t)n;
		progress(v, (uint64_t)n);
	}
	s->read_ok = 1;
	return finish_decrypt(v, r, s, rel, err);
}

/* One payload manifest's line for rel: 1 listed (content compared), 0 not. */
static int payload_compare_one(struct vctx *v, const char *rel, const char *where, int i,
                               const struct vdigest *d)
{
	sqlite3_stmt *st = NULL;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	int listed;

	ifk_hex(d->b, d->n, hex);
	if (v_work_stmt(v, C_SEAL, VS_PAYLOAD,
	                "UPDATE payload SET seen = 1 WHERE path = ? AND alg = ? RETURNING expected",
	                &st) != 0)
		return 1; /* the failure is the finding, not an "added" file */
	sqlite3_bind_text(st, 1, rel, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, i);
	listed = sqlite3_step(st) == SQLITE_ROW;
	if (listed && strcmp((const char *)sqlite3_column_text(st, 0), hex) != 0)
		v_finding(v, C_SEAL, V_FAIL, where, "content changed: %s %s, %s %s",
		          v->pm[i].digest, hex, v_expected_word(v), sqlite3_column_text(st, 0));
	while (listed && sqlite3_step(st) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	return listed;
}

/* The payload side: each digest against its manifest's, and the file
 * marked as present. Every payload file must be in every payload manifest
 * (BagIt 1.0; older bags need one, the others are warnings). */
static void payload_compare(struct vctx *v, const char *rel, const struct vdigest *md)
{
	char where[4200];
	int i, listed = 0, unlisted = -1;

	snprintf(where, sizeof(where), "%s%s", v->payload_prefix, rel);
	for (i = 0; i < v->npm; i++) {
		if (payload_compare_one(v, rel, where, i, &md[i]))
			listed++;
		else if (unlisted < 0)
			unlisted = i;
	}
	if (!listed && v->npm)
		v_finding(v, C_SEAL, V_FAIL, where, "added: not listed in %s",
		          v->npm == 1 ? v->pm[0].name : "any payload manifest");
	else if (unlisted >= 0)
		v_finding(v, C_SEAL, v->v1 ? V_FAIL : V_WARN, where,
		          "not listed in %s: every payload file must be in every payload manifest",
		          v->pm[unlisted].name);
}

/* A quick check takes a payload file's presence and size, not its bytes. */
static void quick_seen(struct vctx *v, const char *rel, const struct stat *st, struct vsink *s)
{
	sqlite3_stmt *q = NULL;

	s->read_ok = 1;
	s->bytes = (uint64_t)st->st_size;
	v->bytes_seen += s->bytes;
	v->files_seen++;
	if (!v->npm ||
	    v_work_stmt(v, C_SEAL, VS_QUICK, "UPDATE payload SET seen = 1 WHERE path = ?", &q) != 0)
		return;
	sqlite3_bind_text(q, 1, rel, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_DONE && sqlite3_changes(v->work) == 0) {
		char where[4200];
		snprintf(where, sizeof(where), "%s%s", v->payload_prefix, rel);
		v_finding(v, C_SEAL, V_FAIL, where, "added: not listed in %s",
		          v->npm == 1 ? v->pm[0].name : "any payload manifest");
	}
	sqlite3_reset(q);
}

static int quick_sink(const struct vctx *v, const struct vsink *s)
{
	return v->o->quick && !s->key && s->out_fd < 0 && !s->want_sha1 && !s->capture &&
	       !s->tap_state;
}

int v_read_file(struct vctx *v, int dir_fd, const char *name, const char *rel, struct vsink *s,
                struct ifk_error *err)
{
	struct reader r;
	struct stat st;
	unsigned int n = 0;
	int fd, rc;

	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		v_finding(v, v_file_check(v), V_FAIL, rel, "cannot open: %s", strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		v_finding(v, v_file_check(v), V_FAIL, rel, "not a regular file");
		return 0;
	}
	if (quick_sink(v, s)) {
		quick_seen(v, rel, &st, s);
		close(fd);
		return 0;
	}
	if (st.st_size > IFK_IO_CHUNK) /* read-ahead advice only pays beyond one read */
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = reader_init(v, &r, s, err);
	if (!rc)
		rc = read_loop(v, fd, &r, s, rel, err);
	if (!rc && s->read_ok && r.sha1)
		EVP_DigestFinal_ex(r.sha1, s->sha1, &n);
	if (!rc && s->read_ok && r.payload[0]) {
		struct vdigest d[V_MAX_MANIFESTS];
		int i;
		for (i = 0; i < v->npm; i++)
			digest_end(r.payload[i], &d[i]);
		payload_compare(v, rel, d);
	}
	if (!rc)
		v->files_seen++;
	tell_progress(v);
	close(fd);
	reader_free(&r);
	return rc;
}

static int is_file_id(const char *s)
{
	int i;

	for (i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[40] == '\0';
}

/* The fileID a stored path names: "xx/<id>" (iOS 10+) or "<id>" (mbdb),
 * recognised in any case; the index's IDs are lowercase, so an upper-case
 * name finds no entry. */
static const char *stored_file_id(const struct vctx *v, const char *rel)
{
	if (v->mbdb)
		return is_file_id(rel) ? rel : NULL;
	if (strlen(rel) == 43 && rel[2] == '/' && is_file_id(rel + 3))
		return rel + 3;
	return NULL;
}

struct entry_row {
	int found, kind;
	sqlite3_int64 size;
	uint8_t enc_key[64], data_hash[20];
	int enc_len, hash_len, copies;
	char where[600];
	char *domain, *relpath; /* malloc'd */
	int64_t mtime, birth;
	uint32_t pclass;
	int off_device;      /* its class cannot be decrypted off the device */
	char key_issue[900]; /* why no file key could be had, or "" */
	int key_status;      /* file_key's: KEY_* */
	char db_error[256];  /* the work database's failure, or "" */
};

enum { KEY_NONE, KEY_OK, KEY_MISSING, KEY_OFF_DEVICE, KEY_FAILED };

/* The index entry of the file id; a query on the work database that
 * fails is a failed backup check naming the file, not a file the index
 * lacks. */
static void lookup_entry(struct vctx *v, const char *id, struct entry_row *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = SQLITE_OK;
	if (!v->stmt[VS_ENTRY])
		rc = sqlite3_prepare_v2(
		    v->work,
		    "UPDATE entries SET seen = seen + 1 WHERE file_id = ? RETURNING kind, size,"
		    " enc_key, data_hash, domain, relpath, seen, mtime, birth, class",
		    -1, &v->stmt[VS_ENTRY], NULL);
	st = v->stmt[VS_ENTRY];
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		snprintf(e->db_error, sizeof(e->db_error), "%s", sqlite3_errmsg(v->work));
	if (rc == SQLITE_ROW) {
		e->found = 1;
		e->kind = sqlite3_column_int(st, 0);
		e->size = sqlite3_column_int64(st, 1);
		e->enc_len = sqlite3_column_bytes(st, 2);
		if (e->enc_len > 0 && e->enc_len <= (int)sizeof(e->enc_key))
			memcpy(e->enc_key, sqlite3_column_blob(st, 2), (size_t)e->enc_len);
		else
			e->enc_len = 0;
		e->hash_len = sqlite3_column_bytes(st, 3) == 20 ? 20 : 0;
		if (e->hash_len)
			memcpy(e->data_hash, sqlite3_column_blob(st, 3), 20);
		snprintf(e->where, sizeof(e->where), "%s/%s (%s)", sqlite3_column_text(st, 4),
		         sqlite3_column_text(st, 5), id);
		e->copies = sqlite3_column_int(st, 6);
		if (v->o->tap) { /* only the tap needs them */
			e->domain = strdup((const char *)sqlite3_column_text(st, 4) ?: "");
			e->relpath = strdup((const char *)sqlite3_column_text(st, 5) ?: "");
		}
		e->mtime = sqlite3_column_int64(st, 7);
		e->birth = sqlite3_column_int64(st, 8);
		e->pclass = (uint32_t)sqlite3_column_int64(st, 9);
		while (sqlite3_step(st) == SQLITE_ROW)
			;
	}
	sqlite3_reset(st);
}

static void count(struct vctx *v, int check, const char *key)
{
	json_t *info = v->c[check].info, *n = json_object_get(info, key);

	json_object_set_new(info, key, json_integer(json_integer_value(n) + 1));
}

/* Chooses the file key; 0 when the file is to be decrypted. What stands
 * in the way is kept in e, for key_findings. */
static int file_key(struct vctx *v, struct entry_row *e, uint8_t key[32])
{
	struct ifk_error ke = {0};
	int rc;

	e->key_status = KEY_NONE;
	if (!v->meta.encrypted || !v->kb)
		return -1;
	if (!e->enc_len) {
		e->key_status = KEY_MISSING;
		snprintf(e->key_issue, sizeof(e->key_issue), "encrypted backup, but no file key");
		return -1;
	}
	rc = ifk_keybag_unwrap_key(v->kb, e->enc_key, (size_t)e->enc_len, key, NULL, &ke);
	if (rc == IFK_EUNSUPPORTED) {
		e->key_status = KEY_OFF_DEVICE;
		e->off_device = 1;
		snprintf(e->key_issue, sizeof(e->key_issue),
		         "its protection class cannot be decrypted off the device");
		return -1;
	}
	if (rc) {
		e->key_status = KEY_FAILED;
		snprintf(e->key_issue, sizeof(e->key_issue), "file key: %s", ke.msg);
		return -1;
	}
	e->key_status = KEY_OK;
	return 0;
}

/* The findings and counts of file_key's choice. */
static void key_findings(struct vctx *v, const struct entry_row *e)
{
	if (e->key_status == KEY_MISSING)
		v_finding(v, C_ENCRYPTION, V_WARN, e->where, "%s", e->key_issue);
	else if (e->key_status == KEY_OFF_DEVICE)
		count(v, C_ENCRYPTION, "files_not_decryptable_off_device");
	else if (e->key_status == KEY_FAILED)
		v_finding(v, C_ENCRYPTION, V_FAIL, e->where, "%s", e->key_issue);
}

/* The findings on the entry that come before the file's bytes. */
static void entry_findings(struct vctx *v, const struct entry_row *e, const char *rel,
                           const char *id)
{
	if (e->db_error[0])
		v_finding(v, C_BACKUP, V_FAIL, id, "not checked: the work database failed: %s",
		          e->db_error);
	if (!v->mbdb && strncmp(rel, id, 2) != 0)
		v_finding(v, C_BACKUP, V_FAIL, rel, "stored in the wrong folder for its fileID");
	if (!e->found) {
		v_finding(v, C_BACKUP, V_FAIL, rel, "stored file has no entry in the index");
		return;
	}
	if (e->copies > 1)
		v_finding(v, C_BACKUP, V_FAIL, rel, "a second stored copy of %s", e->where);
	if (e->kind != 0)
		v_finding(v, C_BACKUP, V_FAIL, e->where,
		          "stored as a file, but the index says it is not a regular file");
}

/* A file left encrypted (no password, or a class that stays on the device)
 * is still checked for its length: AES-CBC with PKCS#7 makes Size bytes
 * into the next whole 16-byte block (a full block more when Size is one);
 * an empty file is stored empty, or as that one block. */
static void cipher_length(struct vctx *v, const struct entry_row *e, uint64_t stored)
{
	uint64_t want = e->size > 0 ? ((uint64_t)e->size / 16 + 1) * 16 : 0;

	if (e->size == 0 && stored == 16)
		return; /* an empty file encrypted: one block of padding */
	if (stored % 16)
		v_finding(v, C_BACKUP, V_FAIL, e->where,
		          "the stored file's %llu bytes are not whole 16-byte blocks: encrypted "
		          "content cut short or damaged",
		          (unsigned long long)stored);
	else if (stored != want)
		v_finding(v, C_BACKUP, V_WARN, e->where,
		          "Size mismatch: the index says %lld bytes, which encrypt to %llu; the "
		          "stored file has %llu",
		          (long long)e->size, (unsigned long long)want, (unsigned long long)stored);
}

static void after_read(struct vctx *v, struct entry_row *e, struct vsink *s, int decrypting)
{
	char hex[41], want[41];

	if (!s->read_ok)
		return;
	if (s->want_sha1 && memcmp(s->sha1, e->data_hash, 20) != 0) {
		ifk_hex(s->sha1, 20, hex);
		ifk_hex(e->data_hash, 20, want);
		v_finding(v, C_BACKUP, V_FAIL, e->where,
		          "the stored file's SHA-1 %s is not the index's dataHash %s", hex, want);
	}
	if (decrypting && s->decrypt_failed) {
		v_finding(v, C_ENCRYPTION, V_FAIL, e->where, "does not decrypt: %s",
		          s->decrypt_msg);
	} else if (decrypting) {
		count(v, C_ENCRYPTION, "files_decrypted");
		if (s->plain_bytes != (uint64_t)e->size)
			v_finding(
			    v, C_ENCRYPTION, V_WARN, e->where,
			    "Size mismatch: the index says %lld bytes, the plaintext has %llu "
			    "(kept whole, not truncated)",
			    (long long)e->size, (unsigned long long)s->plain_bytes);
	} else if (!v->meta.encrypted && s->bytes != (uint64_t)e->size) {
		v_finding(v, C_BACKUP, V_WARN, e->where,
		          "Size mismatch: the index says %lld bytes, the file has %llu",
		          (long long)e->size, (unsigned long long)s->bytes);
	} else if (v->meta.encrypted) {
		cipher_length(v, e, s->bytes);
	}
}

static int stored_empty(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_size == 0;
}

static void *tap_open(struct vctx *v, const struct entry_row *e, const char *id)
{
	struct ifk_verify_file f = {id,       e->domain, e->relpath, (uint64_t)e->size,
	                            e->mtime, e->birth,  e->pclass};

	if (!v->o->tap || e->kind != 0 || !e->domain || !e->relpath)
		return NULL;
	return v->o->tap->open(v->o->tap->ctx, &f);
}

/* plaintext: the bytes read were plaintext (decrypted, or stored empty). */
static void tap_close(struct vctx *v, struct entry_row *e, struct vsink *s, void *state,
                      int plaintext)
{
	const char *reason = NULL;
	char msg[900];

	if (!state)
		return;
	if (e->key_issue[0])
		reason = e->key_issue;
	else if (v->meta.encrypted && !plaintext)
		reason = "not decrypted: the backup's keybag is not unlocked";
	else if (!s->read_ok)
		reason = "could not be read to its end";
	else if (s->decrypt_failed) {
		snprintf(msg, sizeof(msg), "does not decrypt: %s", s->decrypt_msg);
		reason = msg;
	}
	v->o->tap->close(v->o->tap->ctx, state, reason == NULL, e->off_device,
	                 reason ? reason : "");
}

/* The pass on several threads. The caller's thread keeps every SQLite
 * statement, finding, count and progress call; reading threads open, read,
 * hash and decrypt the files. Files are handed over in batches (a thread
 * wakes for a batch, not for a file), and each batch's results are taken
 * in the order the pass met the files, so the report is the same as on
 * one thread. Each file is still read once, and the same bytes feed its
 * digests and its decryption. */
#define POOL_BATCH 64 /* files in a batch */
#define POOL_SLOTS 3  /* batches: one being filled, at most two handed over */
#define POOL_FDS 256  /* folders a batch may hold open (empty folders add no file) */

enum { J_PAYLOAD, J_BACKUP };

struct pjob {
	int dfd, kind;
	char *name, *rel; /* malloc'd */
	/* set by the caller's thread before the hand-over */
	struct entry_row e;
	uint8_t key[32];
	int decrypting, stat_only, read; /* read: its bytes are to be read */
	/* set by the reading thread */
	struct vsink s;
	int open_errno, not_regular, read_errno, stopped, setup_rc;
	char setup_msg[768];
	struct vdigest dig[V_MAX_MANIFESTS];
};

/* The findings, counts and progress of a file read by a reading thread,
 * as v_read_file makes them. */
static int job_read_post(struct vctx *v, struct pjob *j, struct ifk_error *err)
{
	if (j->open_errno) {
		v_finding(v, v_file_check(v), V_FAIL, j->rel, "cannot open: %s",
		          strerror(j->open_errno));
		return 0;
	}
	if (j->not_regular) {
		v_finding(v, v_file_check(v), V_FAIL, j->rel, "not a regular file");
		return 0;
	}
	if (j->setup_rc) {
		tell_progress(v);
		return ifk_error_set(err, j->setup_rc, "%s", j->setup_msg);
	}
	if (j->s.bytes) {
		v_pool_taken(v, j->s.bytes);
		progress(v, j->s.bytes);
	}
	if (j->stopped) {
		tell_progress(v);
		return ifk_error_set(err, IFK_EINTR, "interrupted while reading %s", j->rel);
	}
	if (j->read_errno)
		v_finding(v, v_file_check(v), V_FAIL, j->rel, "read failed: %s",
		          strerror(j->read_errno));
	if (j->s.read_ok && v->kind != VK_BACKUP && v->npm)
		payload_compare(v, j->rel, j->dig);
	v->files_seen++;
	tell_progress(v);
	return 0;
}

/* A file's results, in the order backup_file and payload_only make them. */
static int job_post(struct vctx *v, struct pjob *j, struct ifk_error *err)
{
	int rc;

	if (j->kind == J_PAYLOAD)
		return j->read ? job_read_post(v, j, err) : 0;
	entry_findings(v, &j->e, j->rel, stored_file_id(v, j->rel));
	if (!j->e.found)
		return j->read ? job_read_post(v, j, err) : 0;
	key_findings(v, &j->e);
	if (j->stat_only) {
		if (j->s.read_ok) {
			v->files_seen++;
			tell_progress(v);
		}
		after_read(v, &j->e, &j->s, 0);
		return 0;
	}
	rc = job_read_post(v, j, err);
	if (!rc)
		after_read(v, &j->e, &j->s, j->decrypting);
	return rc;
}

struct pbatch {
	struct pjob job[POOL_BATCH];
	int n, next, done; /* files, the next to hand out, the files done */
	int *fds, nfds, capfds; /* folders to close once the batch is taken */
};

struct preader { /* one reading thread's buffers and digests */
	uint8_t *buf, *plain;
	EVP_MD_CTX *md[V_MAX_MANIFESTS], *sha1;
};

struct vpool {
	struct vctx *v;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct pbatch slot[POOL_SLOTS];
	int head, count; /* slot[head]: the oldest batch handed over; count: how many are */
	int quit;
	_Atomic uint64_t reading; /* bytes read of the files not yet taken */
	const EVP_MD *type[V_MAX_MANIFESTS];
	unsigned nthreads, started;
	pthread_t *th;
	struct preader *rd; /* nthreads + 1: the caller's thread's last */
};

static int job_cannot_start(struct pjob *j, const char *what)
{
	j->setup_rc = IFK_ECRYPTO;
	snprintf(j->setup_msg, sizeof(j->setup_msg), "cannot start %s", what);
	return -1;
}

/* Starts the digests and the decryptor of job j on rd's own. */
static int job_reader(struct vpool *p, struct preader *rd, struct pjob *j, struct reader *r)
{
	struct vctx *v = p->v;
	struct ifk_error e = {0};
	int i;

	memset(r, 0, sizeof(*r));
	r->buf = rd->buf;
	r->plain = rd->plain;
	if (!r->buf || !r->plain) {
		j->setup_rc = IFK_ENOMEM;
		snprintf(j->setup_msg, sizeof(j->setup_msg), "out of memory");
		return -1;
	}
	for (i = 0; v->kind != VK_BACKUP && i < v->npm; i++) {
		if (!rd->md[i])
			rd->md[i] = EVP_MD_CTX_new();
		if (!rd->md[i] || !EVP_DigestInit_ex(rd->md[i], p->type[i], NULL))
			return job_cannot_start(j, v->pm[i].digest);
		r->payload[i] = rd->md[i];
	}
	if (j->s.want_sha1) {
		if (!rd->sha1)
			rd->sha1 = EVP_MD_CTX_new();
		if (!rd->sha1 || !EVP_DigestInit_ex(rd->sha1, EVP_sha1(), NULL))
			return job_cannot_start(j, "SHA-1");
		r->sha1 = rd->sha1;
	}
	if (j->decrypting && ifk_decrypt_new(j->key, &r->dec, &e) != 0) {
		j->setup_rc = IFK_ECRYPTO;
		snprintf(j->setup_msg, sizeof(j->setup_msg), "%s", e.msg);
		return -1;
	}
	return 0;
}

/* The bytes the threads have read of files not yet taken: the progress
 * line counts them, and they move to bytes_seen as each file is taken. */
static uint64_t v_pool_reading(const struct vctx *v)
{
	return v->pool ? atomic_load_explicit(&v->pool->reading, memory_order_relaxed) : 0;
}

static void v_pool_taken(struct vctx *v, uint64_t n)
{
	atomic_fetch_sub_explicit(&v->pool->reading, n, memory_order_relaxed);
}

/* What v_read_file does to a file, without findings: they are the
 * caller's thread's, from what is recorded in j. caller: it runs on the
 * caller's thread, which tells the progress as it reads. */
static void job_read(struct vpool *p, struct preader *rd, struct pjob *j, int caller)
{
	struct vctx *v = p->v;
	struct ifk_error e = {0};
	struct reader r;
	struct stat st;
	unsigned int n1 = 0;
	int fd, i, rc = 0;

	if (j->stat_only) {
		if (fstatat(j->dfd, j->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			j->s.read_ok = 1;
			j->s.bytes = (uint64_t)st.st_size;
		}
		return;
	}
	if (!j->read)
		return;
	fd = openat(j->dfd, j->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		j->open_errno = errno;
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		j->not_regular = 1;
		goto out;
	}
	if (st.st_size > IFK_IO_CHUNK)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (job_reader(p, rd, j, &r) != 0)
		goto out_reader;
	for (;;) {
		ssize_t n;
		if (v_stopped(v)) {
			j->stopped = 1;
			break;
		}
		n = read(fd, r.buf, IFK_IO_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			j->read_errno = errno;
			break;
		}
		if (n == 0) {
			j->s.read_ok = 1;
			break;
		}
		for (i = 0; i < v->npm && r.payload[i]; i++)
			EVP_DigestUpdate(r.payload[i], r.buf, (size_t)n);
		if (r.sha1)
			EVP_DigestUpdate(r.sha1, r.buf, (size_t)n);
		if (r.dec) /* no output file and no tap: rc stays 0 */
			feed_decrypt(v, &r, &j->s, r.buf, (size_t)n, j->rel, &e, &rc);
		j->s.bytes += (uint64_t)n;
		atomic_fetch_add_explicit(&p->reading, (uint64_t)n, memory_order_relaxed);
		if (caller)
			tell_progress(v);
	}
	if (j->s.read_ok) {
		finish_decrypt(v, &r, &j->s, j->rel, &e);
		if (r.sha1)
			EVP_DigestFinal_ex(r.sha1, j->s.sha1, &n1);
		for (i = 0; i < v->npm && r.payload[i]; i++)
			digest_end(r.payload[i], &j->dig[i]);
	}
out_reader:
	reader_free(&r);
out:
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(j->key, sizeof(j->key));
}

/* The oldest handed-over batch with a file not yet handed out; called
 * with the lock held. */
static struct pjob *pool_take(struct vpool *p, struct pbatch **from)
{
	int k;

	for (k = 0; k < p->count; k++) {
		struct pbatch *b = &p->slot[(p->head + k) % POOL_SLOTS];
		if (b->next < b->n) {
			*from = b;
			return &b->job[b->next++];
		}
	}
	return NULL;
}

static void pool_did(struct vpool *p, struct pbatch *b)
{
	if (++b->done == b->n)
		pthread_cond_broadcast(&p->done);
}

struct pthread_arg {
	struct vpool *p;
	struct preader *rd;
};

static void *pool_thread(void *arg)
{
	struct vpool *p = ((struct pthread_arg *)arg)->p;
	struct preader *rd = ((struct pthread_arg *)arg)->rd;
	struct pbatch *b = NULL;
	struct pjob *j;

	free(arg);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		if ((j = pool_take(p, &b))) {
			pthread_mutex_unlock(&p->mu);
			job_read(p, rd, j, 0);
			pthread_mutex_lock(&p->mu);
			pool_did(p, b);
		} else if (p->quit) {
			break;
		} else {
			pthread_cond_wait(&p->work, &p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Waits for the oldest handed-over batch, reading its files beside the
 * threads meanwhile; then takes its results in order (post: 1) or drops
 * them (post: 0), and frees its slot. */
static int pool_retire(struct vpool *p, int post, struct ifk_error *err)
{
	struct pbatch *b = &p->slot[p->head], *from = NULL;
	struct preader *mine = &p->rd[p->nthreads];
	struct pjob *j;
	int i, rc = 0;

	pthread_mutex_lock(&p->mu);
	while (b->next < b->n && (j = pool_take(p, &from))) {
		pthread_mutex_unlock(&p->mu);
		job_read(p, mine, j, 1);
		pthread_mutex_lock(&p->mu);
		pool_did(p, from);
	}
	while (b->done < b->n) {
		/* a large file on another thread: the progress goes on */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (pthread_cond_timedwait(&p->done, &p->mu, &until) == ETIMEDOUT) {
			pthread_mutex_unlock(&p->mu);
			tell_progress(p->v);
			pthread_mutex_lock(&p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < b->n; i++) {
		j = &b->job[i];
		if (post && !rc)
			rc = job_post(p->v, j, err);
		OPENSSL_cleanse(j->key, sizeof(j->key));
		free(j->name);
		free(j->rel);
		free(j->e.domain);
		free(j->e.relpath);
	}
	for (i = 0; i < b->nfds; i++)
		close(b->fds[i]);
	b->nfds = 0;
	pthread_mutex_lock(&p->mu);
	b->n = b->next = b->done = 0;
	p->head = (p->head + 1) % POOL_SLOTS;
	p->count--;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Hands the batch being filled over to the threads. */
static int pool_submit(struct vpool *p, struct ifk_error *err)
{
	struct pbatch *b = &p->slot[(p->head + p->count) % POOL_SLOTS];
	int rc = 0;

	if (!b->n)
		return 0;
	if (p->count == POOL_SLOTS - 1)
		rc = pool_retire(p, 1, err);
	pthread_mutex_lock(&p->mu);
	p->count++;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Every file met so far is read and its results taken: what comes next
 * (a finding of the pass's own, a folder closed) comes after them. */
static int pool_flush(struct vctx *v, struct ifk_error *err)
{
	struct vpool *p = v->pool;
	int rc, rc2;

	if (!p)
		return 0;
	rc = pool_submit(p, err);
	while (p->count) {
		rc2 = pool_retire(p, !rc, err);
		if (!rc)
			rc = rc2;
	}
	return rc;
}

/* A new job in the batch being filled, or NULL when out of memory. */
static struct pjob *pool_job(struct vpool *p, int dfd, const char *name, const char *rel,
                             int kind)
{
	struct pbatch *b = &p->slot[(p->head + p->count) % POOL_SLOTS];
	struct pjob *j = &b->job[b->n];

	memset(j, 0, sizeof(*j));
	j->dfd = dfd;
	j->kind = kind;
	j->s.out_fd = -1;
	j->name = strdup(name);
	j->rel = strdup(rel ? rel : name);
	if (!j->name || !j->rel) {
		free(j->name);
		free(j->rel);
		return NULL;
	}
	return j;
}

static int pool_added(struct vpool *p, struct ifk_error *err)
{
	struct pbatch *b = &p->slot[(p->head + p->count) % POOL_SLOTS];

	return ++b->n == POOL_BATCH ? pool_submit(p, err) : 0;
}

/* Closes the folder fd once the files of it handed over are read and
 * taken: the batch being filled holds the last of them, or the last batch
 * handed over, or none is pending. */
static void pool_close_later(struct vctx *v, int fd)
{
	struct vpool *p = v->pool;
	struct pbatch *b;
	struct ifk_error ignored = {0};

	if (!p) {
		close(fd);
		return;
	}
	b = &p->slot[(p->head + p->count) % POOL_SLOTS];
	if (!b->n && p->count)
		b = &p->slot[(p->head + p->count - 1) % POOL_SLOTS];
	else if (!b->n) {
		close(fd);
		return;
	}
	if (b->nfds == b->capfds) {
		int cap = b->capfds ? 2 * b->capfds : 16;
		int *fds = cap <= POOL_FDS ? realloc(b->fds, (size_t)cap * sizeof(*fds)) : NULL;
		if (!fds) { /* many empty folders, or out of memory: wait instead */
			pool_flush(v, &ignored);
			close(fd);
			return;
		}
		b->fds = fds;
		b->capfds = cap;
	}
	b->fds[b->nfds++] = fd;
}

static void pool_stop(struct vctx *v)
{
	struct vpool *p = v->pool;
	struct ifk_error ignored = {0};
	unsigned i;
	int k;

	if (!p)
		return;
	pool_submit(p, &ignored);
	while (p->count)
		pool_retire(p, 0, &ignored);
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->started; i++)
		pthread_join(p->th[i], NULL);
	for (k = 0; k < POOL_SLOTS; k++)
		free(p->slot[k].fds);
	for (i = 0; p->rd && i <= p->nthreads; i++) {
		free(p->rd[i].buf);
		free(p->rd[i].plain);
		for (k = 0; k < V_MAX_MANIFESTS; k++)
			EVP_MD_CTX_free(p->rd[i].md[k]);
		EVP_MD_CTX_free(p->rd[i].sha1);
	}
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p->th);
	free(p->rd);
	free(p);
	v->pool = NULL;
}

/* The threads for the pass, when it is to have any: none for a tap (it
 * takes each file's bytes in order, in the caller's thread) or a quick
 * check (nothing is read), or for one job. Without them (out of memory,
 * no thread) the pass runs on the caller's thread alone, as with one. */
unsigned v_jobs(const struct vctx *v)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return v->o->jobs ? v->o->jobs : (unsigned)(cpus > 0 ? cpus : 1);
}

static void pool_start(struct vctx *v)
{
	unsigned n = v_jobs(v), i;
	struct vpool *p;
	int k;

	if (n <= 1 || v->o->tap || v->o->quick)
		return;
	if (!(p = calloc(1, sizeof(*p))))
		return;
	p->v = v;
	p->nthreads = n - 1; /* the caller's thread reads too, while it waits */
	p->th = calloc(p->nthreads, sizeof(*p->th));
	p->rd = calloc(p->nthreads + 1, sizeof(*p->rd));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	v->pool = p;
	for (k = 0; k < v->npm; k++)
		p->type[k] = EVP_get_digestbyname(v->pm[k].digest);
	if (!p->th || !p->rd) {
		p->nthreads = 0;
		pool_stop(v);
		return;
	}
	for (i = 0; i <= p->nthreads; i++) {
		p->rd[i].buf = malloc(IFK_IO_CHUNK);
		p->rd[i].plain = malloc(IFK_IO_CHUNK + 32);
	}
	for (i = 0; i < p->nthreads; i++) {
		struct pthread_arg *a = malloc(sizeof(*a));
		if (!a)
			break;
		a->p = p;
		a->rd = &p->rd[i];
		if (pthread_create(&p->th[i], NULL, pool_thread, a) != 0) {
			free(a);
			break;
		}
		p->started++;
	}
	if (!p->started)
		pool_stop(v);
}

/* backup_file with the threads: the index lookup and the file key now,
 * the reading on a thread, the findings when the batch is taken. */
static int backup_file_pool(struct vctx *v, int dfd, const char *name, const char *rel,
                            const char *id, struct ifk_error *err)
{
	struct pjob *j = pool_job(v->pool, dfd, name, rel, J_BACKUP);

	if (!j)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	lookup_entry(v, id, &j->e);
	if (!j->e.found) {
		j->read = v->kind != VK_BACKUP;
	} else {
		j->s.want_sha1 = v->mbdb && j->e.hash_len;
		/* an empty file is stored empty: there is nothing to decrypt */
		if (!(j->e.size == 0 && stored_empty(dfd, name)) && file_key(v, &j->e, j->key) == 0)
			j->decrypting = 1;
		if (v->kind == VK_BACKUP && !j->s.want_sha1 && !j->decrypting)
			j->stat_only = 1;
		else
			j->read = 1;
	}
	return pool_added(v->pool, err);
}

static int backup_file(struct vctx *v, int dfd, const char *name, const char *rel, const char *id,
                       struct ifk_error *err)
{
	struct vsink s = {.out_fd = -1};
	struct entry_row e;
	uint8_t key[32];
	void *state = NULL;
	int rc = 0, decrypting = 0, empty;

	if (v->pool)
		return backup_file_pool(v, dfd, name, rel, id, err);
	lookup_entry(v, id, &e);
	entry_findings(v, &e, rel, id);
	if (!e.found)
		return v->kind == VK_BACKUP ? 0 : v_read_file(v, dfd, name, rel, &s, err);
	s.want_sha1 = v->mbdb && e.hash_len && !v->o->quick;
	empty = e.size == 0 && stored_empty(dfd, name);
	if (empty) {
		/* an empty file is stored empty: there is nothing to decrypt */
	} else if (file_key(v, &e, key) == 0) {
		s.key = key;
		decrypting = 1;
	}
	key_findings(v, &e);
	if (e.copies <= 1)
		state = tap_open(v, &e, id);
	/* the tap gets plaintext only */
	if (state && (decrypting || !v->meta.encrypted || empty))
		s.tap_state = state;
	if (v->kind == VK_BACKUP && !s.want_sha1 && !decrypting && !s.tap_state) {
		struct stat st;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			s.read_ok = 1;
			s.bytes = (uint64_t)st.st_size;
			v->files_seen++;
			tell_progress(v);
		}
		after_read(v, &e, &s, 0);
	} else {
		rc = v_read_file(v, dfd, name, rel, &s, err);
		OPENSSL_cleanse(key, sizeof(key));
		if (!rc)
			after_read(v, &e, &s, decrypting);
	}
	if (!rc)
		tap_close(v, &e, &s, state, decrypting || empty);
	else if (state)
		v->o->tap->close(v->o->tap->ctx, state, 0, 0, "interrupted");
	free(e.domain);
	free(e.relpath);
	return rc;
}

/* A file outside the backup's own: read for the payload digest only. */
static int payload_only(struct vctx *v, int dfd, const char *name, const char *rel,
                        struct ifk_error *err)
{
	struct vsink s = {.out_fd = -1};
	struct pjob *j;

	if (v->kind == VK_BACKUP)
		return 0;
	if (!v->pool)
		return v_read_file(v, dfd, name, rel, &s, err);
	if (!(j = pool_job(v->pool, dfd, name, rel, J_PAYLOAD)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	j->read = 1;
	return pool_added(v->pool, err);
}

static int walk_file(struct vctx *v, int dfd, const char *name, const char *rel, int depth,
                     struct ifk_error *err)
{
	enum ifk_backup_top top = depth == 0 ? ifk_backup_top_kind(name) : IFK_TOP_OTHER;
	const char *id;

	if (!v->has_backup || v->in_snapshot)
		return payload_only(v, dfd, name, rel, err);
	if (top == IFK_TOP_INDEX && strcmp(rel, v->mbdb ? "Manifest.mbdb" : "Manifest.db") == 0)
		return v->index_done ? 0 : payload_only(v, dfd, name, rel, err);
	if (top == IFK_TOP_METADATA)
		return v->meta_done ? 0 : payload_only(v, dfd, name, rel, err);
	if (top != IFK_TOP_OTHER) /* the other index, DDNABackup.plist, Manifest.mbdx */
		return payload_only(v, dfd, name, rel, err);
	id = stored_file_id(v, rel);
	/* without an index (missing, empty, unreadable: a failure already)
	 * there is nothing to hold a stored file against */
	if (id && v->entries_loaded)
		return backup_file(v, dfd, name, rel, id, err);
	if (!id) {
		int rc = pool_flush(v, err); /* the finding comes after the files before it */
		if (rc)
			return rc;
		v_finding(v, C_BACKUP, V_WARN, rel, "not a file of the backup format");
	}
	return payload_only(v, dfd, name, rel, err);
}

/* Finder and iTunes write a backup into Snapshot/ and move it into place
 * when it completes: one left behind is an interrupted backup. Its files
 * are covered by the seal, not checked as backup files. */
static int walk_snapshot(struct vctx *v, int sub, const char *rel, int depth,
                         struct ifk_error *err)
{
	uint64_t before = v->files_seen;
	int rc;

	v->in_snapshot = 1;
	rc = walk_dir(v, sub, rel, depth + 1, err);
	v->in_snapshot = 0;
	if (!rc) /* its files are counted, and its finding comes after theirs */
		rc = pool_flush(v, err);
	v_finding(v, C_BACKUP, V_FAIL, IFK_BACKUP_SNAPSHOT_DIR "/",
	          "a Snapshot folder%s: Finder or iTunes left a backup that did not complete",
	          v->files_seen > before ? " holding files" : "");
	v_incomplete(v, "a Snapshot folder is left: a backup did not complete");
	return rc;
}

static int walk_entry(struct vctx *v, int dfd, const char *name, const char *rel, int depth,
                      struct ifk_error *err)
{
	struct stat st;
	int sub, rc, e;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		e = errno;
		if ((rc = pool_flush(v, err)) != 0)
			return rc;
		v_finding(v, v_file_check(v), V_FAIL, rel, "cannot stat: %s", strerror(e));
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return walk_file(v, dfd, name, rel, depth, err);
	/* a finding of the pass's own comes after the files before it */
	if (!S_ISDIR(st.st_mode)) {
		if ((rc = pool_flush(v, err)) != 0)
			return rc;
		v_finding(v, v->kind == VK_BACKUP ? C_BACKUP : C_SEAL, V_FAIL, rel,
		          "not a regular file or folder (a symlink or special file)");
		return 0;
	}
	if (depth >= MAX_DEPTH) {
		if ((rc = pool_flush(v, err)) != 0)
			return rc;
		v_finding(v, v_file_check(v), V_FAIL, rel, "folders nested too deep");
		return 0;
	}
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0) {
		e = errno;
		if ((rc = pool_flush(v, err)) != 0)
			return rc;
		v_finding(v, v_file_check(v), V_FAIL, rel, "cannot open folder: %s", strerror(e));
		return 0;
	}
	if (v->has_backup && depth == 0 && strcmp(name, IFK_BACKUP_SNAPSHOT_DIR) == 0)
		rc = walk_snapshot(v, sub, rel, depth, err);
	else
		rc = walk_dir(v, sub, rel, depth + 1, err);
	pool_close_later(v, sub); /* its files may still be on a thread */
	return rc;
}

struct level {
	struct vctx *v;
	int dfd, depth;
	struct ifk_error *err;
};

static int walk_one(void *ctx, const char *name, const char *rel)
{
	struct level *l = ctx;

	return walk_entry(l->v, l->dfd, name, rel, l->depth, l->err);
}

static int walk_dir(struct vctx *v, int dfd, const char *rel, int depth, struct ifk_error *err)
{
	struct level l = {v, dfd, depth, err};
	int list_errno = 0,
	    rc = ifk_dir_foreach_sorted(dfd, rel, WALK_SORT_MAX, walk_one, &l, &list_errno);

	if (!rc && list_errno)
		rc = pool_flush(v, err);
	if (rc == IFK_ENOMEM)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc && list_errno)
		v_finding(v, v_file_check(v), V_FAIL, rel ? rel : ".", "cannot list folder: %s",
		          strerror(list_errno));
	return rc;
}

static void payload_after(struct vctx *v)
{
	sqlite3_stmt *st = NULL;
	uint64_t bytes = 0, files = 0;

	if (v->kind == VK_BACKUP)
		return;
	if (v_work_prepare(v, C_SEAL,
	                   "SELECT path, min(alg) FROM payload WHERE seen = 0 GROUP BY path"
	                   " ORDER BY path",
	                   &st) != 0)
		st = NULL;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		char where[4200];
		int alg = sqlite3_column_int(st, 1);
		snprintf(where, sizeof(where), "data/%s", sqlite3_column_text(st, 0));
		v_finding(v, C_SEAL, V_FAIL, where, "missing: listed in %s but not in the bag",
		          alg >= 0 && alg < v->npm ? v->pm[alg].name : "a payload manifest");
	}
	sqlite3_finalize(st);
	files = v->files_seen;
	bytes = v->bytes_seen;
	if (v->have_oxum && (files != v->oxum_files || bytes != v->oxum_bytes))
		v_finding(v, C_SEAL, V_FAIL, "bag-info.txt",
		          "Payload-Oxum %llu.%llu, but the payload holds %llu.%llu",
		          (unsigned long long)v->oxum_bytes, (unsigned long long)v->oxum_files,
		          (unsigned long long)bytes, (unsigned long long)files);
}

int v_walk(struct vctx *v, struct ifk_error *err)
{
	int rc;

	v_progress_totals(v);
	/* one transaction for the pass: the work database is private and
	 * unjournalled, and a commit per file costs more than the file */
	sqlite3_exec(v->work, "BEGIN", NULL, NULL, NULL);
	pool_start(v);
	rc = walk_dir(v, v->backup_fd, NULL, 0, err);
	if (!rc)
		rc = pool_flush(v, err);
	pool_stop(v);
	if (!rc)
		payload_after(v);
	sqlite3_exec(v->work, "COMMIT", NULL, NULL, NULL);
	json_object_set_new(v->c[C_SEAL].info, "files_read",
	                    json_integer((json_int_t)v->files_seen));
	json_object_set_new(v->c[C_SEAL].info, "bytes_read",
	                    json_integer((json_int_t)v->bytes_seen));
	return rc;
}
