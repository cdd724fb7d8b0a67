/* Property lists (XML or binary), parsed with libplist and guarded against
 * hostile input, and small typed getters on dictionaries.
 *
 * libplist 2.2 builds a tree from a binary plist by copying every shared
 * object at each place it is referenced, checks nesting only for cycles,
 * and frees trees recursively: a few hundred bytes can ask for terabytes,
 * and deep nesting overflows the stack. ifk_plist_parse therefore walks the
 * binary object table (references only) before handing the bytes to
 * libplist, and rejects nesting deeper than IFK_PLIST_MAX_DEPTH and trees
 * that would expand far beyond the input's size. XML is checked for depth. */
#ifndef IFK_FORMATS_H
#define IFK_FORMATS_H

#include <jansson.h>
#include <plist/plist.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#define IFK_PLIST_MAX_DEPTH 512

/* What the pre-parse checks saw. libplist 2.2 keeps a UTF-16 string that
 * holds U+0000 (and an XML string with a NUL byte) at its full length past
 * the NUL, then asserts on it (plist_dict_next_item, plist_get_key_val,
 * plist_get_string_val) and reads past the copies plist_copy makes. So
 * ifk_plist_parse hands libplist a private copy in which each such NUL is
 * U+FFFD; an ASCII string of a binary plist is cut at its NUL by libplist.
 * The tree it returns holds no string or key with a NUL inside. */
struct ifk_plist_stats {
	uint64_t nul_strings;      /* strings and keys holding a NUL character
	                            * (XML: NUL bytes) */
	uint64_t nul_keys;         /* of those, dictionary keys (binary plists) */
	uint64_t first_nul_offset; /* byte offset of the first such string's
	                            * object (XML: of the first NUL byte) */
};

/* Parses an XML or binary plist from buf. what names the source for
 * messages ("Manifest.plist"). len 0, len > UINT32_MAX, nesting deeper than
 * IFK_PLIST_MAX_DEPTH, an expansion bomb and any parse failure are
 * IFK_EFORMAT; a binary plist of another version than "00" is
 * IFK_EUNSUPPORTED. On success *out is owned by the caller (plist_free);
 * on failure *out is NULL. */
int ifk_plist_parse(const void *buf, size_t len, const char *what, plist_t *out,
                    struct ifk_error *err);

/* ifk_plist_parse, also filling *st (may be NULL). */
int ifk_plist_parse_stats(const void *buf, size_t len, const char *what, plist_t *out,
                          struct ifk_plist_stats *st, struct ifk_error *err);

/* Reads and parses the plist file at path: opened O_RDONLY|O_NOFOLLOW|
 * O_CLOEXEC|O_NONBLOCK (a FIFO cannot stall the open); a symlink, a
 * non-regular file or a file over max_bytes is refused (IFK_EFORMAT; a
 * missing file is IFK_ENOTFOUND). Messages name the path. *out as for
 * ifk_plist_parse. */
int ifk_plist_read_file(const char *path, size_t max_bytes, plist_t *out, struct ifk_error *err);

/* A short name for a node's type ("a dictionary", "a string", ...;
 * "nothing" for NULL). Static storage. */
const char *ifk_plist_type_name(plist_t node);

/* Typed getters on a dictionary's key. Each returns 0, IFK_ENOTFOUND when
 * the key is absent, IFK_EFORMAT when dict is not a dictionary or the value
 * has another type ("IsEncrypted: expected a boolean, found a string"), or
 * IFK_ENOMEM. Outputs are written only on success. */

/* *out is a malloc'd NUL-terminated copy (caller frees). A string that holds
 * a NUL byte is IFK_EFORMAT. */
int ifk_plist_get_string(plist_t dict, const char *key, char **out, struct ifk_error *err);

/* An integer node's value as libplist 2.2 holds it (a negative integer
 * reads as its two's complement). */
int ifk_plist_get_uint(plist_t dict, const char *key, uint64_t *out, struct ifk_error *err);

int ifk_plist_get_bool(plist_t dict, const char *key, bool *out, struct ifk_error *err);

/* *out is a malloc'd copy of *len bytes (caller frees; never NULL on
 * success, even for empty data). */
int ifk_plist_get_data(plist_t dict, const char *key, uint8_t **out, size_t *len,
                       struct ifk_error *err);

/* A date as whole Unix seconds (the fraction dropped). libplist 2.2 hands
 * out seconds since 2001-01-01 as an int32_t, so only 1933..2069 comes
 * through. */
int ifk_plist_get_date(plist_t dict, const char *key, int64_t *out, struct ifk_error *err);

/* ifk keybag: parse and unlock the BackupKeyBag of an encrypted iOS backup
 * (Manifest.plist), then unwrap per-file and Manifest.db keys with it.
 *
 * The keybag is a sequence of TLV items (4-byte ASCII tag, 4-byte big-endian
 * length, value; a 4-byte value is a big-endian integer). The header runs up
 * to the second UUID item: VERS, TYPE, UUID, HMCK, WRAP, SALT, ITER and, on
 * iOS 10.2+, DPWT, DPIC, DPSL. Each later UUID starts one class record: UUID,
 * CLAS, WRAP, KTYP, WPKY, optional PBKY. Unknown tags are skipped.
 *
 * Unlocking derives the passcode key once:
 *   k = DPSL and DPIC present ? PBKDF2-HMAC-SHA256(password, DPSL, DPIC, 32)
 *                             : password
 *   passcode_key = PBKDF2-HMAC-SHA1(k, SALT, ITER, 32)
 * and RFC 3394-unwraps the WPKY of every class whose WRAP has the passcode
 * bit. All parsing treats the input as hostile; every failure is a negative
 * IFK_E* code with a message naming the tag and offset. */



#define IFK_KEYBAG_WRAP_DEVICE 1u   /* WRAP bit: needs the device's hardware key */
#define IFK_KEYBAG_WRAP_PASSCODE 2u /* WRAP bit: wrapped with the passcode key */

#define IFK_KEYBAG_KEY_LEN 32         /* an unwrapped class or file key */
#define IFK_KEYBAG_WPKY_LEN 40        /* an RFC 3394-wrapped 32-byte key */
#define IFK_KEYBAG_SALT_LEN 20        /* SALT and DPSL */
#define IFK_KEYBAG_WRAPPED_LEN 44     /* 4-byte LE class + 40-byte wrapped key */
#define IFK_KEYBAG_MAX_CLASSES 64     /* more class records is a format error */
#define IFK_KEYBAG_MAX_ITER 100000000 /* PBKDF2 (RFC 8018) with HMAC-SHA-256 or HMAC-SHA-1 into outlen bytes:
 * the same function as OpenSSL's PKCS5_PBKDF2_HMAC, computed with the HMAC
 * key's states prepared once (pbkdf2.c); iter 0 counts as 1. */
void ifk_pbkdf2_sha256(const void *pw, size_t pwlen, const uint8_t *salt, size_t slen,
                       uint32_t iter, uint8_t *out, size_t outlen);
void ifk_pbkdf2_sha1(const void *pw, size_t pwlen, const uint8_t *salt, size_t slen,
                     uint32_t iter, uint8_t *out, size_t outlen);

/* ITER and DPIC above this are refused */

struct ifk_keybag;

/* What unlocking did to one class record. */
enum ifk_keybag_state {
	IFK_KEYBAG_LOCKED = 0,       /* not unlocked yet, or not passcode-wrapped
	                                (WRAP without either bit, or no WPKY) */
	IFK_KEYBAG_UNWRAPPED,        /* the class key is known: files decrypt */
	IFK_KEYBAG_NEEDS_DEVICE_KEY, /* WRAP has the device bit: cannot be decrypted
	                                off the device (not an error) */
	IFK_KEYBAG_CORRUPT,          /* its WPKY failed the integrity check although
	                                the password unwrapped other classes */
};

/* One class record, as reported by ifk_keybag_class_at. */
struct ifk_keybag_class {
	uint32_t protection_class; /* CLAS: 1 Complete ... 11 AlwaysThisDeviceOnly */
	uint32_t wrap;             /* WRAP: IFK_KEYBAG_WRAP_* bits */
	uint32_t key_type;         /* KTYP (0 when absent) */
	enum ifk_keybag_state state;
};

/* Parses len bytes of keybag at buf into a new *out (the caller owns it and
 * frees it with ifk_keybag_free; *out is untouched on error). The keybag
 * keeps no pointer into buf. Errors: IFK_EFORMAT for a truncated item, a
 * length past the end, a duplicate tag, a missing SALT or ITER, a SALT, DPSL
 * or WPKY of the wrong size, an ITER or DPIC of 0 or above
 * IFK_KEYBAG_MAX_ITER, DPIC without DPSL or the reverse, a class item before
 * the first class record, a class record without CLAS or WRAP, a repeated
 * class number, or more than IFK_KEYBAG_MAX_CLASSES classes; IFK_EINVAL,
 * IFK_ENOMEM. A class record without WPKY is kept but cannot be unwrapped. */
int ifk_keybag_parse(const uint8_t *buf, size_t len, struct ifk_keybag **out,
                     struct ifk_error *err);

/* Header values; 0 when the item is absent. */
uint32_t ifk_keybag_version(const struct ifk_keybag *kb);
uint32_t ifk_keybag_type(const struct ifk_keybag *kb);
uint32_t ifk_keybag_iterations(const struct ifk_keybag *kb);

/* 1 when the keybag holds DPSL and DPIC (the PBKDF2-HMAC-SHA256 stage of
 * iOS 10.2+ runs before the SHA-1 one), else 0. Decided from the keybag's
 * own items, never from an iOS version. */
int ifk_keybag_has_dp_stage(const struct ifk_keybag *kb);

/* DPIC, the SHA-256 stage's iteration count; 0 without that stage. */
uint32_t ifk_keybag_dp_iterations(const struct ifk_keybag *kb);

/* The number of class records. */
size_t ifk_keybag_class_count(const struct ifk_keybag *kb);

/* Fills *out with class record i (0-based, in keybag order); IFK_EINVAL
 * when i is out of range. */
int ifk_keybag_class_at(const struct ifk_keybag *kb, size_t i, struct ifk_keybag_class *out,
                        struct ifk_error *err);

/* Derives the passcode key from password (password_len bytes, need not be
 * NUL-terminated; the caller keeps and wipes it) and unwraps every class
 * whose WRAP has the passcode bit. The expensive derivation runs exactly once
 * per call. Classes with the device bit become IFK_KEYBAG_NEEDS_DEVICE_KEY.
 * Returns 0 when at least one class key unwrapped (a class whose WPKY still
 * failed becomes IFK_KEYBAG_CORRUPT); IFK_EPASSWORD ("wrong password") when
 * none did; IFK_EFORMAT when no class is wrapped with the passcode (nothing
 * to check the password against); IFK_EINVAL, IFK_ECRYPTO. On error the
 * keybag keeps the state it had before the call. */
int ifk_keybag_unlock(struct ifk_keybag *kb, const char *password, size_t password_len,
                      struct ifk_error *err);

/* Whether password unwraps the first class key wrapped with the passcode:
 * the check a list of candidates runs, reading kb only (several threads may
 * call it on one keybag). 1 yes, 0 no. */
int ifk_keybag_check_password(const struct ifk_keybag *kb, const char *password,
                              size_t password_len);
/* The keybag as the line hashcat (-m 14700 before iOS 10.2, -m 14800 after)
 * and John the Ripper read: "$itunes_backup$*9*WPKY*ITER*SALT**", or
 * "$itunes_backup$*10*WPKY*ITER*SALT*DPIC*DPSL" when the keybag has the
 * DPIC stage; WPKY is the first class key wrapped with the passcode. *line
 * is malloc'd. IFK_EFORMAT when no class key is wrapped with it. */
int ifk_keybag_hash_line(const struct ifk_keybag *kb, char **line, struct ifk_error *err);

/* 1 after a successful ifk_keybag_unlock, else 0. */
int ifk_keybag_is_unlocked(const struct ifk_keybag *kb);

/* How many passcode-key derivations (DPIC stage, when present, plus the ITER
 * stage, counted as one) this keybag has run: one per ifk_keybag_unlock call
 * that got past argument checks. For tests and progress reports. */
unsigned ifk_keybag_derivations(const struct ifk_keybag *kb);

/* Unwraps a per-file EncryptionKey or the ManifestKey: len must be
 * IFK_KEYBAG_WRAPPED_LEN (a 4-byte little-endian protection class, then the
 * 40-byte RFC 3394-wrapped key). On success writes the 32-byte key to key_out
 * (the caller wipes it with OPENSSL_cleanse) and returns 0. class_out (may be
 * NULL) receives the protection class whenever len is right, also on error.
 * Errors: IFK_EFORMAT for a bad length; IFK_EINVAL when the keybag is not
 * unlocked; IFK_ENOTFOUND when the class is not in the keybag;
 * IFK_EUNSUPPORTED when the class needs the device key (it cannot be
 * decrypted off the device) or has no passcode wrap; IFK_ECRYPTO when the
 * wrapped key fails its integrity check (corrupt) or the class key was
 * corrupt. key_out is zeroed on error. */
int ifk_keybag_unwrap_key(const struct ifk_keybag *kb, const uint8_t *wrapped, size_t len,
                          uint8_t key_out[IFK_KEYBAG_KEY_LEN], uint32_t *class_out,
                          struct ifk_error *err);

/* The name of a protection class ("Complete", ... "AlwaysThisDeviceOnly"),
 * or "unknown"; a static string, never NULL. */
const char *ifk_keybag_class_name(uint32_t protection_class);

/* A short name for a state ("unwrapped", "needs device key", ...); a static
 * string, never NULL. */
const char *ifk_keybag_state_name(enum ifk_keybag_state state);

/* Wipes every key and frees kb; accepts NULL. */
void ifk_keybag_free(struct ifk_keybag *kb);

/* ifk decrypt: streaming AES-256-CBC decryption with a zero IV and PKCS#7
 * padding, as iOS encrypts each backup file and Manifest.db. The key comes
 * from ifk_keybag_unwrap_key.
 *
 * Usage: ifk_decrypt_new, then ifk_decrypt_update for each chunk of
 * ciphertext in order (any sizes), then ifk_decrypt_final once, then
 * ifk_decrypt_free. The last 1..16 ciphertext bytes are held back until
 * final, which checks the padding and the total length. */



#define IFK_DECRYPT_KEY_LEN 32
#define IFK_DECRYPT_BLOCK 16

struct ifk_decrypt;

/* Creates a decryptor for the 32-byte key into a new *out (the caller owns
 * it and frees it with ifk_decrypt_free). The decryptor keeps its own copy
 * of the key inside OpenSSL; the caller may wipe key at once. Errors:
 * IFK_EINVAL, IFK_ENOMEM, IFK_ECRYPTO. */
int ifk_decrypt_new(const uint8_t key[IFK_DECRYPT_KEY_LEN], struct ifk_decrypt **out,
                    struct ifk_error *err);

/* Decrypts inlen bytes of ciphertext. out must hold inlen + 16 bytes; the
 * number of plaintext bytes written is stored in *outlen (0 .. inlen + 15,
 * a multiple of 16). Errors: IFK_EINVAL (NULL argument, or called after
 * ifk_decrypt_final), IFK_ECRYPTO. */
int ifk_decrypt_update(struct ifk_decrypt *d, const uint8_t *in, size_t inlen, uint8_t *out,
                       size_t *outlen, struct ifk_error *err);

/* Ends the stream: out must hold 16 bytes; *outlen receives 0..15, the last
 * block with its padding removed. Errors: IFK_EFORMAT when the total
 * ciphertext length is 0 or not a multiple of 16 (a truncated file), or when
 * the padding is bad (last byte not 1..16, or the pad bytes differ: a wrong
 * key or a damaged file); IFK_EINVAL when called twice; IFK_ECRYPTO. */
int ifk_decrypt_final(struct ifk_decrypt *d, uint8_t *out, size_t *outlen, struct ifk_error *err);

/* Accepts one quirk of real backups for this stream: an SQLite image (a
 * Manifest.db) encrypted without its PKCS#7 padding block. At final, a
 * stream whose plaintext begins with the SQLite header and whose length is
 * a whole number of its pages (a padded image is 16 bytes more, never a
 * whole number of pages) keeps its last block whole instead of failing on
 * "bad padding". Call before the first update. */
void ifk_decrypt_accept_unpadded_sqlite(struct ifk_decrypt *d);
/* 1 when ifk_decrypt_final took that quirk, so the caller can say so. */
int ifk_decrypt_was_unpadded(const struct ifk_decrypt *d);

/* Ciphertext bytes given to ifk_decrypt_update so far. */
uint64_t ifk_decrypt_cipher_bytes(const struct ifk_decrypt *d);

/* Plaintext bytes returned by ifk_decrypt_update and ifk_decrypt_final so far. */
uint64_t ifk_decrypt_plain_bytes(const struct ifk_decrypt *d);

/* Wipes and frees d; accepts NULL. */
void ifk_decrypt_free(struct ifk_decrypt *d);


/* The backup's file index: Manifest.db (iOS 10+, SQLite with NSKeyedArchiver
 * MBFile blobs) and Manifest.mbdb (iOS 5-9), both delivered as one
 * normalized struct ifk_entry per file, streamed to a callback in the
 * order they are stored. Memory stays bounded whatever the index's size. */



#define IFK_FILE_ID_LEN 40 /* hex digits of a fileID */
#define IFK_PROTECTION_CLASS_MAX 11 /* the highest class ifk knows (AlwaysThisDeviceOnly) */

enum ifk_entry_kind { IFK_ENTRY_FILE, IFK_ENTRY_DIR, IFK_ENTRY_SYMLINK, IFK_ENTRY_OTHER };

/* One (name, value) property of a Manifest.mbdb record. */
struct ifk_prop {
	const char *name; /* NUL-terminated (cut at an inner NUL: see problem) */
	const uint8_t *value;
	size_t value_len;
};

/* One file of the index. Every pointer in it, and the entry itself, is
 * owned by the walker and valid only during the callback: copy what you
 * keep. Strings are NUL-terminated; absent numbers are 0. */
struct ifk_entry {
	char file_id[IFK_FILE_ID_LEN + 1]; /* Manifest.db: as stored (cut to 40 chars);
	                                    * mbdb: SHA-1(domain "-" relativePath) */
	const char *domain;                /* never NULL ("" when missing: see problem) */
	const char *relative_path;         /* never NULL; "" is the domain's root */
	const char *target;                /* symlink target, or NULL */
	enum ifk_entry_kind kind;          /* Manifest.db: from flags (1, 2, 4), else from
	                                    * Mode; mbdb: from mode */
	int64_t flags;                     /* Manifest.db flags column; -1 for mbdb or NULL */
	uint32_t mode, protection_class;
	int64_t uid, gid;                  /* as the device wrote them: -2 is "nobody" (mbdb's
	                                    * u32 fields are read as signed 32-bit) */
	uint64_t size; /* plaintext bytes, as the index says */
	uint64_t inode;
	int64_t birth, mtime, ctime, atime; /* Unix seconds; 0 when absent (mbdb has no
	                                     * birth, MBFile no atime) */
	const uint8_t *enc_key;             /* 4-byte LE class + 40-byte wrapped key, or NULL */
	size_t enc_key_len;
	const uint8_t *data_hash; /* mbdb only: SHA-1 of the stored file, or NULL */
	size_t data_hash_len;
	const uint8_t *xattrs; /* Manifest.db: MBFile ExtendedAttributes (a
	                        * binary plist), or NULL */
	size_t xattrs_len;
	const struct ifk_prop *props; /* mbdb only: the record's properties */
	size_t nprops;
	uint64_t index;      /* 1-based row (Manifest.db, scan order) or
	                      * record number (mbdb) */
	uint64_t offset;     /* mbdb: byte offset of the record; else 0 */
	bool id_mismatch;    /* Manifest.db: file_id is not the SHA-1 of
	                      * domain "-" relative_path */
	const char *problem; /* non-NULL: the entry is unusable (its blob cannot
	                      * be read, its key or identity is broken), and why;
	                      * other fields are best-effort */
	const char *warning; /* non-NULL: values ifk did not expect (an unknown
	                      * flags or ProtectionClass, a field of the wrong
	                      * type) that leave the entry usable, and which */
};

/* A non-zero return stops the walk and is returned by the walker. */
typedef int (*ifk_entry_fn)(const struct ifk_entry *e, void *ctx);

/* Walks the Files table of a decrypted Manifest.db, row by row. The file is
 * opened read-only and immutable (no journal, -wal or -shm is ever read or
 * created beside it; a -wal beside it is ignored), refusing a symlink.
 * IFK_EFORMAT for a file that is not SQLite ("<path>: not an SQLite
 * database"), has no Files table, or lacks a needed column (fileID,
 * domain, relativePath, flags, file); IFK_ENOTFOUND for a missing file.
 * A row whose MBFile blob cannot be decoded is delivered with problem set,
 * not an error; the Properties table is not needed. Returns 0, a negative
 * IFK_E* code (a corrupt database mid-walk is IFK_EFORMAT, naming the row),
 * or the callback's non-zero value. */
int ifk_manifest_db_foreach(const char *db_path, ifk_entry_fn fn, void *ctx, struct ifk_error *err);

/* Walks a Manifest.mbdb ("mbdb\5\0", big-endian records) through a small
 * buffer. IFK_EFORMAT for a wrong magic or a truncated record (naming the
 * record number and byte offset; the records before it have been
 * delivered); IFK_EUNSUPPORTED for another mbdb version. Returns as
 * ifk_manifest_db_foreach. */
int ifk_mbdb_foreach(const char *path, ifk_entry_fn fn, void *ctx, struct ifk_error *err);

/* out = lowercase hex SHA-1 of domain "-" relative_path (NULLs read as "").
 * 0 or IFK_ECRYPTO/IFK_ENOMEM (out is then ""). */
int ifk_file_id(const char *domain, const char *relative_path, char out[IFK_FILE_ID_LEN + 1],
                struct ifk_error *err);

/* Whether relative_path can be joined to its domain's folder: "" (the
 * domain's root), or a path that passes ifk_relpath_problem (no absolute
 * path, no empty, "." or ".." part, valid UTF-8). */
bool ifk_path_is_safe(const char *relative_path);

/* Whether domain can name one folder: non-empty, no '/', not "." or "..". */
bool ifk_domain_is_safe(const char *domain);

/* The kind st_mode's type bits say (S_IFREG, S_IFDIR, S_IFLNK; else OTHER). */
enum ifk_entry_kind ifk_entry_kind_from_mode(uint32_t mode);

/* "file", "directory", "symlink" or "other". Static storage. */
const char *ifk_entry_kind_name(enum ifk_entry_kind kind);

/* The MBFile record of a Manifest.db row: a binary plist in NSKeyedArchiver
 * form ($archiver, $top {root: UID}, $objects). Every UID is resolved
 * through $objects with bounds checks; UID 0 ($null) reads as absent, and
 * a chain of UIDs that loops is reported, never followed forever. */




/* What the strings and bytes of a decoded entry point into. Zero it before
 * first use; it may be reused for the next blob (decoding releases the
 * previous content). */
struct ifk_mbfile_store {
	plist_t plist;
	char warning[512]; /* what e->warning points to */
};

/* Decodes blob into the MBFile fields of e: relative_path, target, kind
 * (from Mode), mode, uid, gid, protection_class, size, inode, birth, mtime,
 * ctime, enc_key, xattrs. Those are reset first; every other field of e is
 * left as it was. The pointers stay valid until store is released or
 * reused. EncryptionKey and ExtendedAttributes may be data, a dictionary
 * whose NS.data is data, or a UID to either; RelativePath and Target a
 * string or a dictionary whose NS.string is one.
 * Values the decoder did not expect but that leave the entry usable (a
 * metadata field of the wrong type or through a broken UID, a $class that
 * is not MBFile, a string holding a NUL) set e->warning, pointing into
 * store; range is never checked: UserID -2 ("nobody"), setuid bits and
 * times of 0 are what devices write.
 * Returns 0 (also with a warning); IFK_EFORMAT when the entry is unusable:
 * the blob is no MBFile archive, or its EncryptionKey cannot be read (err
 * says the first such thing, e holds what could be read; relative_path is
 * then "" when unknown); IFK_ENOMEM; IFK_EINVAL. */
int ifk_mbfile_decode(const uint8_t *blob, size_t len, struct ifk_entry *e,
                      struct ifk_mbfile_store *store, struct ifk_error *err);

/* Frees what store holds and zeroes it. Accepts NULL. */
void ifk_mbfile_release(struct ifk_mbfile_store *store);

/* A backup's own metadata: Info.plist, Manifest.plist and Status.plist. */



#define IFK_BACKUP_PLIST_MAX (256u * 1024 * 1024)
/* The folder Finder and iTunes write a backup into and leave behind when
 * it does not complete. */
#define IFK_BACKUP_SNAPSHOT_DIR "Snapshot"

/* What a file at the top of a backup folder is. */
enum ifk_backup_top {
	IFK_TOP_OTHER,    /* not a file of the backup format */
	IFK_TOP_METADATA, /* Info.plist, Manifest.plist, Status.plist */
	IFK_TOP_INDEX,    /* Manifest.db, Manifest.mbdb */
	IFK_TOP_KNOWN,    /* written by iTunes/Finder beside them, not indexed:
	                   * DDNABackup.plist, Manifest.mbdx (iOS 4 index) */
};
enum ifk_backup_top ifk_backup_top_kind(const char *name);

struct ifk_backup_meta {
	/* device identity (Info.plist, else Manifest.plist Lockdown); NULL when absent */
	char *udid, *serial, *product_type, *product_name, *ios_version, *ios_build;
	char *device_name, *imei, *meid, *iccid, *phone_number;
	/* Manifest.plist */
	int have_manifest_plist;
	int encrypted, encrypted_known; /* IsEncrypted, when Manifest.plist said */
	char *manifest_version;
	uint8_t *keybag;
	size_t keybag_len;
	uint8_t *manifest_key; /* ManifestKey: 4-byte LE class + wrapped key */
	size_t manifest_key_len;
	char *lockdown_udid, *lockdown_serial, *lockdown_product_type, *lockdown_ios_version;
	/* Status.plist */
	int have_status;
	char *snapshot_state, *status_version, *backup_state;
	int full_backup;
	int have_status_date;
	int64_t status_date; /* Date: when the backup ran (Unix seconds) */
	/* Info.plist */
	int have_info;
	char *info_udid;
	int have_last_backup_date;
	int64_t last_backup_date; /* Last Backup Date (Unix seconds) */
	/* why a present plist could not be read (malloc'd), or NULL */
	char *info_error, *manifest_error, *status_error;
	/* what reading it noticed without stopping (malloc'd), or NULL: strings
	 * or keys holding a NUL character, read as ifk_plist_parse reads them */
	char *info_note, *manifest_note, *status_note;
};

/* Reads whichever of the three plists are given (buf may be NULL = absent).
 * Each is read on its own: one that does not parse is noted in its
 * *_error member (a message naming it) and the others are still read; one
 * that parses with NUL characters in its strings gets a *_note.
 * Returns 0, or IFK_ENOMEM. */
int ifk_backup_meta_parse(const void *info, size_t info_len, const void *manifest,
                          size_t manifest_len, const void *status, size_t status_len,
                          struct ifk_backup_meta *m, struct ifk_error *err);

/* The device and backup fields as a JSON object (new reference). */
json_t *ifk_backup_meta_json(const struct ifk_backup_meta *m);

void ifk_backup_meta_free(struct ifk_backup_meta *m);

#endif
