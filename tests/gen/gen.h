/* ifk-genbackup: the deterministic sample backup generator (tests only).
 *
 * It writes with OpenSSL, SQLite and libplist directly and never uses libifk,
 * so that it is an independent check of ifk's readers. Every helper prints
 * its own one-line diagnostic on stderr and returns -1 (see gen_err); the
 * caller only cleans up and passes the -1 on. */
#ifndef GEN_H
#define GEN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <plist/plist.h>
#include <sqlite3.h>

#define GEN_PROG "ifk-genbackup"

#define GEN_EXIT_OK 0
#define GEN_EXIT_USAGE 2
#define GEN_EXIT_IO 3

/* All dates derive from 2023-06-15T10:00:00Z. */
#define GEN_BASE_UNIX 1686823200LL
#define GEN_COCOA_EPOCH 978307200LL /* 2001-01-01T00:00:00Z */
#define GEN_BASE_COCOA (GEN_BASE_UNIX - GEN_COCOA_EPOCH)

#define GEN_NCLASS 11   /* protection classes 1..11 */
#define GEN_KEY_LEN 32  /* class, file and Manifest.db keys */
#define GEN_WPKY_LEN 40 /* RFC 3394 wrap of a 32-byte key */
#define GEN_BLOB_LEN 44 /* 4-byte LE class + wrapped key */
#define GEN_SALT_LEN 20 /* SALT and DPSL */
#define GEN_CHUNK (1 << 20)

#define GEN_CLASS_MANIFEST 4 /* class of the ManifestKey */

/* The two sms.db attachments, stored in MediaDomain under GEN_ATT_DIR. */
#define GEN_ATT_DIR "Library/SMS/Attachments/ab/01"
#define GEN_ATT1_GUID "8F3C2A10-5B7D-4E21-9C6A-1D2E3F405001"
#define GEN_ATT2_GUID "8F3C2A10-5B7D-4E21-9C6A-1D2E3F405002"
#define GEN_ATT1_NAME "IMG_0101.jpeg"
#define GEN_ATT2_NAME "IMG_0102.jpeg"
#define GEN_ATT1_SIZE 23456
#define GEN_ATT2_SIZE 34567

/* The camera roll photos, listed in Photos.sqlite too. */
#define GEN_IMG1_SIZE 41003
#define GEN_IMG2_SIZE 131072
#define GEN_IMG3_SIZE 199999

enum gen_layout { GEN_LAYOUT_MODERN, GEN_LAYOUT_MBDB };

struct gen_opts {
	const char *out;
	uint64_t seed;
	enum gen_layout layout;
	int encrypt;
	char *password; /* malloc'd, wiped and freed by main */
	size_t password_len;
	uint32_t dpic;
	uint32_t iter;
	uint32_t bulk_mib;
	uint64_t big_file; /* bytes of the one big movie; 0: none */
	const char *snapshot_state;
	int stale_size;
	int evil_path;
	int unpadded_manifest; /* Manifest.db encrypted without the padding block */
	char udid[65];
	int64_t backup_date;  /* Unix seconds of the backup's dates; 0: the fixed base date */
	uint64_t small_files; /* --small-files N (modern layout only) */
	uint32_t small_size;  /* --small-size BYTES of each */
	int small_camera;     /* --small-camera: in the camera roll */
};

/* ---- util.c ---- */

int gen_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gen_oom(void);

/* A growable byte buffer; gen_buf_free accepts a zeroed one. */
struct gen_buf {
	unsigned char *p;
	size_t len;
	size_t cap;
};

int gen_buf_put(struct gen_buf *b, const void *data, size_t len);
int gen_buf_u8(struct gen_buf *b, uint8_t v);
int gen_buf_be16(struct gen_buf *b, uint16_t v);
int gen_buf_be32(struct gen_buf *b, uint32_t v);
int gen_buf_be64(struct gen_buf *b, uint64_t v);
int gen_buf_le32(struct gen_buf *b, uint32_t v);
void gen_buf_free(struct gen_buf *b);

void gen_hex(const unsigned char *in, size_t len, int upper, char *out);
void gen_uuid_str(const unsigned char in[16], char out[37]);
char *gen_strdup(const char *s);
char *gen_path_join(const char *dir, const char *name);
int gen_write_file(const char *path, const void *data, size_t len);
int gen_rm_tree(const char *dir);

/* ---- rng.c: the seeded deterministic generator ----
 * A stream is AES-256-CTR (zero IV) over zeros with the key
 * SHA-256("ifk-genbackup/v1" || seed as 8 bytes BE || label). Each purpose
 * (keys, UDID, each file's content) has its own label, so that options which
 * add or remove items do not shift the bytes of the others. */
struct gen_rng {
	EVP_CIPHER_CTX *ctx;
};

int gen_rng_open(struct gen_rng *r, uint64_t seed, const char *label);
int gen_rng_bytes(struct gen_rng *r, void *buf, size_t len);
void gen_rng_close(struct gen_rng *r);

/* ---- crypto.c ---- */

int gen_sha1(const void *data, size_t len, unsigned char out[20]);
int gen_file_id(const char *domain, const char *path, char out[41]);
int gen_aes_wrap(const unsigned char kek[GEN_KEY_LEN], const unsigned char key[GEN_KEY_LEN],
                 unsigned char out[GEN_WPKY_LEN]);
int gen_aes_ecb2(const unsigned char kek[GEN_KEY_LEN], const unsigned char in[GEN_KEY_LEN],
                 unsigned char out[GEN_KEY_LEN]);
int gen_pbkdf2(const EVP_MD *md, const void *pass, size_t pass_len, const unsigned char *salt,
               size_t salt_len, uint32_t iter, unsigned char out[GEN_KEY_LEN]);

/* Writes a file (O_EXCL, O_NOFOLLOW) through optional AES-256-CBC (zero IV,
 * PKCS#7) and an optional SHA-1 of the stored bytes; the file's times are
 * set to GEN_BASE_UNIX on close. */
struct gen_writer {
	int fd;
	char *path;
	EVP_CIPHER_CTX *enc;
	EVP_MD_CTX *sha1;
	unsigned char *out;
	uint64_t stored;
	int hole; /* the file ends in a hole: its size is set on close */
};

int gen_writer_open(struct gen_writer *w, const char *path, const unsigned char *key,
                    int want_sha1);
/* No PKCS#7 padding: the plaintext must be a whole number of blocks. */
void gen_writer_no_padding(struct gen_writer *w);
int gen_writer_put(struct gen_writer *w, const void *data, size_t len);
/* n zero bytes: encrypted, zeros fed through put from zbuf (GEN_CHUNK
 * bytes, overwritten); stored as is, a hole (the file stays sparse). */
int gen_writer_zeros(struct gen_writer *w, uint64_t n, unsigned char *zbuf);
int gen_writer_close(struct gen_writer *w, unsigned char sha1[20]);
void gen_writer_abort(struct gen_writer *w);
int gen_set_times(const char *path);

/* ---- keybag.c ---- */

struct gen_keybag {
	unsigned char class_key[GEN_NCLASS + 1][GEN_KEY_LEN]; /* [0] unused */
	unsigned char uuid[16];                               /* the header UUID */
	struct gen_buf tlv;
};

int gen_keybag_build(struct gen_keybag *kb, const struct gen_opts *o);
void gen_keybag_free(struct gen_keybag *kb);

/* ---- the catalog of entries (catalog.c) ---- */

enum gen_kind { GEN_FILE, GEN_DIR, GEN_LINK };

enum gen_src {
	GEN_SRC_NONE, /* dirs and symlinks */
	GEN_SRC_MEM,  /* mem, size bytes */
	GEN_SRC_PATH, /* a file built in the temp folder */
	GEN_SRC_JPEG, /* JFIF header, seeded bytes, FF D9 */
	GEN_SRC_MOV,  /* QuickTime ftyp header, seeded bytes */
	GEN_SRC_AMR,  /* "#!AMR\n", seeded bytes */
	GEN_SRC_BIG,  /* QuickTime ftyp header, zeros (a hole when stored plain) */
};

struct gen_entry {
	char *domain;
	char *path;
	char *target; /* symlinks */
	enum gen_kind kind;
	int flags; /* Manifest.db flags column */
	int pclass;
	uint64_t size;     /* real plaintext size */
	uint64_t rec_size; /* the Size recorded in the manifest */
	enum gen_src src;
	unsigned char *mem;
	char *src_path;
	uint64_t inode;
	int64_t birth;
	int64_t mtime;
	int64_t ctime;
	char file_id[41];
	int encrypted;
	unsigned char key[GEN_KEY_LEN];   /* file key, wiped at the end */
	unsigned char blob[GEN_BLOB_LEN]; /* LE class + wrapped file key */
	unsigned char sha1[20];           /* of the stored file */
	const char *prop_name;            /* mbdb property, may be NULL */
	const char *prop_value;
};

/* The entry's UserID and GroupID: 501 (mobile), but -2 ("nobody") for the
 * WirelessDomain entries, since real backups hold entries owned by -2 (112
 * in one iOS 14 backup); which domain carries them here is arbitrary. */
int64_t gen_owner_id(const struct gen_entry *e);

struct gen_list {
	struct gen_entry *v;
	size_t n;
	size_t cap;
};

struct gen {
	const struct gen_opts *o;
	char *tmpdir;
	struct gen_list list;
	struct gen_keybag kb;
	unsigned char manifest_key[GEN_KEY_LEN];
	unsigned char manifest_blob[GEN_BLOB_LEN];
	uint64_t nfiles;
	uint64_t ndirs;
	uint64_t nlinks;
	uint64_t bytes;
};

int gen_catalog_build(struct gen *g);
int gen_catalog_keys(struct gen *g);
/* "4-byte LE class + RFC 3394 wrap of key with that class's key". */
int gen_wrap_blob(const struct gen *g, int pclass, const unsigned char *key,
                  unsigned char blob[GEN_BLOB_LEN]);
void gen_list_free(struct gen_list *l);

/* ---- sql.c: building app databases ---- */

struct gen_sql_param {
	const char *name; /* ":b" */
	long long i;
	const void *blob; /* a blob when not NULL, else the integer i */
	size_t blob_len;
};

int gen_sql_open(const char *path, sqlite3 **db);
int gen_sql_run(sqlite3 *db, const char *script, const struct gen_sql_param *params,
                size_t nparams);
int gen_sql_close(sqlite3 *db, int ok);
int gen_sql_build_params(const char *path, const char *script, const struct gen_sql_param *params,
                         size_t nparams);
int gen_sql_build(const char *path, const char *script); /* binds :b and :u */

/* ---- app databases: db_home.c, db_apps.c, db_wal.c, db_notes.c,
 * db_media.c, db_system.c. Each writes a fresh database at path; seed only
 * feeds what SQLite itself would draw at random (the WAL salts). ---- */

int gen_db_sms(const char *path, uint64_t seed);
int gen_db_callhistory(const char *path, uint64_t seed);
int gen_db_safari(const char *path, uint64_t seed);
int gen_db_whatsapp(const char *path, uint64_t seed);
/* Also writes path-wal and path-shm: two people live only in the WAL. */
int gen_db_addressbook(const char *path, uint64_t seed);
int gen_db_notes(const char *path, uint64_t seed);
int gen_db_photos(const char *path, uint64_t seed);
int gen_db_calendar(const char *path, uint64_t seed);
int gen_db_voicemail(const char *path, uint64_t seed);
int gen_db_accounts(const char *path, uint64_t seed);
int gen_db_datausage(const char *path, uint64_t seed);
int gen_db_bookmarks(const char *path, uint64_t seed);

/* ---- keychain.c: KeychainDomain keychain-backup.plist ---- */

int gen_keychain_plist(const struct gen *g, unsigned char **buf, size_t *len);

/* ---- prefs.c: small plists (known Wi-Fi networks, the YARA canary) ---- */

int gen_known_networks_plist(const struct gen *g, unsigned char **buf, size_t *len);
int gen_planted_plist(const struct gen *g, unsigned char **buf, size_t *len);

/* ---- store.c, manifest_db.c, mbdb.c, plists.c ---- */

int gen_store_files(struct gen *g);
/* Stores one file entry; buf is a GEN_CHUNK scratch buffer. */
int gen_store_one(struct gen *g, struct gen_entry *e, unsigned char *buf);
/* Gives every xx/ bucket folder (modern layout) the fixed time. */
int gen_store_bucket_times(const struct gen *g);
int gen_store_copy(const char *src, const char *dst, const unsigned char *key);
int gen_store_copy_unpadded(const char *src, const char *dst, const unsigned char *key);
int gen_manifest_db_write(struct gen *g);
int gen_mbdb_write(struct gen *g);
int gen_plists_write(struct gen *g);

/* ---- small.c: --small-files ----
 * Entries follow the sample's: a folder GEN_SMALL_DIR/bNNNNN of the domain
 * GEN_SMALL_DOMAIN before each GEN_SMALL_PER_DIR files fNNNNNNNN.bin. */
#define GEN_SMALL_DOMAIN "AppDomain-com.example.smallfiles"
#define GEN_SMALL_DIR "Library/Caches"
/* --small-camera: CameraRollDomain GEN_SMALL_CAMERA_DIR/bNNNNN/IMG_NNNNNNNN.JPG */
#define GEN_SMALL_CAMERA_DOMAIN "CameraRollDomain"
#define GEN_SMALL_CAMERA_DIR "Media/DCIM"
#define GEN_SMALL_PER_DIR 1000
#define GEN_SMALL_MAX_FILES 10000000ull
#define GEN_SMALL_MAX_SIZE (1u << 20)

struct gen_small {
	struct gen *g;
	struct gen_rng content_rng;
	struct gen_rng key_rng;
	unsigned char *content; /* small_size bytes */
	unsigned char *buf;     /* GEN_CHUNK scratch */
	uint64_t next;          /* files stored so far */
	uint64_t dirs_made;
	uint64_t row; /* entries handed out so far */
	char domain[sizeof(GEN_SMALL_DOMAIN)];
	char path[64];
};

int gen_small_open(struct gen_small *s, struct gen *g);
/* Fills *e with the next entry (e's strings point into s; a file is stored
 * before this returns): 1, or 0 when all are done, or -1. */
int gen_small_next(struct gen_small *s, struct gen_entry *e);
void gen_small_close(struct gen_small *s);

/* Sets or appends val, which is consumed; -1 (out of memory) when val is
 * NULL, as a failed plist_new_* returns. */
int gen_pset(plist_t dict, const char *key, plist_t val);
int gen_padd(plist_t array, plist_t val);

/* Serialises p (not consumed) into a malloc'd buffer *out. */
int gen_plist_bin(plist_t p, unsigned char **out, size_t *len);
int gen_plist_xml(plist_t p, unsigned char **out, size_t *len);

#endif
