/* Internal to the verify module. */
#ifndef IFK_VERIFY_INT_H
#define IFK_VERIFY_INT_H

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdint.h>

#include <ifk/verify.h>
#include "core.h"
#include "formats.h"
#include "evidence.h"

enum vlevel { V_PASS = 0, V_SKIP = 1, V_WARN = 2, V_FAIL = 3 };
enum vkind { VK_IFK_BAG, VK_INCOMPLETE, VK_BAGIT, VK_BACKUP };

#define V_MAX_FINDINGS 1000
#define V_MAX_MANIFESTS 16 /* payload manifests, and tag manifests, one per algorithm */

/* A payload or tag manifest, manifest-<alg>.txt or tagmanifest-<alg>.txt. */
struct vmanifest {
	char name[80];
	const char *digest; /* the OpenSSL name: "SHA256" */
	size_t hexlen;      /* the length of its checksums */
};

struct vcheck {
	const char *name;
	enum vlevel level; /* the worst finding so far (V_PASS if none) */
	int ran;           /* 0: skipped */
	char skip_reason[256];
	json_t *findings; /* listed findings, at most V_MAX_FINDINGS */
	unsigned long nfail, nwarn;
	json_t *info; /* check-specific facts */
};

enum { C_SEAL, C_CUSTODY, C_BACKUP, C_ENCRYPTION, C_COUNT };

/* The statements run once per file, each prepared once per run. */
enum { VS_ENTRY, VS_PAYLOAD, VS_QUICK, VS_COUNT };

struct vctx {
	const struct ifk_verify_opts *o;
	enum vkind kind;
	int target_fd;              /* the target folder */
	int backup_fd;              /* the backup: data/ in a bag, else the target */
	const char *payload_prefix; /* "data/" in a bag, "" for a raw backup */
	struct vcheck c[C_COUNT];
	json_t *partial;    /* what could not be checked, and why (strings) */
	json_t *incomplete; /* why the backup is not a complete one (strings) */
	sqlite3 *work;                        /* private temporary database: payload and entries */
	sqlite3_stmt *stmt[VS_COUNT];         /* v_work_stmt's, finalized by release */
	char *tmpdir;                         /* private (0700) folder for decrypted temporaries */
	struct vmanifest pm[V_MAX_MANIFESTS]; /* payload manifests */
	struct vmanifest tm[V_MAX_MANIFESTS]; /* tag manifests */
	int npm, ntm;
	int v1;         /* BagIt-Version 1.0 or later: RFC 8493's stricter rules */
	char *encoding; /* Tag-File-Character-Encoding other than UTF-8, or NULL */
	int has_backup; /* the payload is an iOS backup: the backup checks apply */
	/* backup */
	struct ifk_backup_meta meta;
	int index_kind; /* 0 none, 1 Manifest.db, 2 Manifest.mbdb */
	int entries_loaded;
	int index_done; /* the index file was read (hashed) already */
	int meta_done;  /* Info, Manifest and Status.plist were read already */
	int mbdb;
	int in_snapshot; /* walking a leftover Snapshot/ folder */
	struct ifk_keybag *kb; /* unlocked keybag, or NULL */
	int no_password;       /* encrypted, and no password was given */
	uint64_t files_seen, bytes_seen;
	uint64_t files_total, bytes_total; /* for the progress line: 0 when not known */
	uint8_t *buf, *plain; /* read and plaintext buffers, one pair per run */
	EVP_MD_CTX *md[V_MAX_MANIFESTS]; /* the pass's payload digests, restarted */
	EVP_MD_CTX *sha1_md;             /* for each file, and its SHA-1 */
	struct vpool *pool; /* the pass's reading threads, while it has them */
	uint64_t walk_size; /* the size of the file the pass is at */
	uint64_t oxum_bytes, oxum_files;
	int have_oxum;
	char genesis[65];     /* from the sealed acquisition record */
	char record_cert[65]; /* the examiner certificate the record names */
};

/* verify.c: what a folder is. A backup folder, or what a backup that did
 * not complete leaves; a bag (bagit.txt, an ifk record, or data/ beside a
 * payload manifest). */
int v_is_backup_dir(int fd);
int v_is_bag_dir(int fd);

/* findings.c: what every check writes into */
const char *v_level_name(enum vlevel level); /* "pass", "skip", "warn", "fail" */
void v_finding(struct vctx *v, int check, enum vlevel level, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void v_skip(struct vctx *v, int check, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Something the target holds that this run could not check (no password):
 * the verdict is then partial. */
void v_partial(struct vctx *v, const char *what);
/* A sign that the backup did not complete (Finder and iTunes leave these):
 * the report's "complete" is then false, with the reasons. */
void v_incomplete(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int v_stopped(const struct vctx *v);
/* Prepares sql on the work database; a failure is a finding on check (the
 * part is not checked) and -1. */
int v_work_prepare(struct vctx *v, int check, const char *sql, sqlite3_stmt **st);
/* The same for a statement run once per file: prepared on first use and
 * kept in v->stmt[slot] (the caller resets it after each use and never
 * finalizes it). */
int v_work_stmt(struct vctx *v, int check, int slot, const char *sql, sqlite3_stmt **st);

/* The check that findings about payload files belong to: backup when the
 * payload is an iOS backup, else seal. */
int v_file_check(const struct vctx *v);
/* "sealed" in an ifk bag, "listed" in another tool's bag */
const char *v_expected_word(const struct vctx *v);

/* check_seal.c: the seal, the acquisition record, bag-info.txt, extras */
int v_check_seal(struct vctx *v, struct ifk_error *err);
/* check_bagit.c: RFC 8493's rules: the manifests, bagit.txt, the tag
 * files against every tag manifest */
struct vtagmd {
	EVP_MD_CTX *md[V_MAX_MANIFESTS]; /* one per tag manifest */
	int n;
};
int v_tagmd_start(struct vctx *v, struct vtagmd *t, struct ifk_error *err);
void v_tagmd_finish(struct vctx *v, struct vtagmd *t, const char *path);
void v_tag_read(struct vctx *v, const char *path, const char *buf, size_t len);
void v_tag_unread(struct vctx *v, const char *path);
void v_list_root(struct vctx *v, ifk_dir_fn fn);
void v_find_manifests(struct vctx *v);
void v_check_decl(struct vctx *v, const char *buf, size_t len);
int v_load_tag_manifest(struct vctx *v, int i, const char *text, size_t len, struct ifk_error *err);
int v_load_payload_manifests(struct vctx *v, struct ifk_error *err);
int v_tag_listed(struct vctx *v, const char *path);
void v_check_tag_files(struct vctx *v);
int v_check_custody(struct vctx *v, struct ifk_error *err);
/* check_backup.c: backup metadata, keybag, the index */
int v_check_backup_meta(struct vctx *v, struct ifk_error *err);
/* Status.plist says the backup finished. */
int v_backup_finished(const struct ifk_backup_meta *m);
int v_load_index(struct vctx *v, struct ifk_error *err);
void v_check_unseen_entries(struct vctx *v);
/* walk.c: the single pass over every stored file */
struct vdigest {
	uint8_t b[EVP_MAX_MD_SIZE];
	unsigned int n;
};
struct vsink {
	const uint8_t *key; /* decrypt with this key, or NULL */
	int sqlite_unpadded_ok; /* accept an SQLite image without its padding block */
	int out_fd;         /* receives the plaintext (the bytes when no key), or -1 */
	int want_sha1;
	struct ifk_buf *capture; /* receives the bytes read, up to capture_max */
	size_t capture_max;
	/* results */
	void *tap_state; /* the tap's state for this file, or NULL */
	int capture_overflow;
	int read_ok; /* read to its end */
	int decrypt_failed;
	int unpadded; /* decrypted as an SQLite image without a padding block */
	char decrypt_msg[768];
	uint8_t sha1[20];
	uint64_t bytes, plain_bytes;
};
/* Reads one stored file once, feeding the payload digest (bags), SHA-1 and
 * decryption as asked. rel is the path inside the backup. Problems become
 * findings; the return is negative only when the run must stop. */
int v_read_file(struct vctx *v, int dir_fd, const char *name, const char *rel, struct vsink *s,
                struct ifk_error *err);
int v_walk(struct vctx *v, struct ifk_error *err);
/* The threads the run may use (ifk_verify_opts.jobs, 0: the online CPUs). */
unsigned v_jobs(const struct vctx *v);
/* Frees the pass's digests (v->md, v->sha1_md). */
void v_walk_release(struct vctx *v);
/* What the pass has to read, for the progress line: the payload manifest's
 * files and Payload-Oxum's bytes in a bag, the index's files in a backup. */
void v_progress_totals(struct vctx *v);

#endif
