/* The backup's file index: Manifest.db (iOS 10+, SQLite with NSKeyedArchiver
 * MBFile blobs) and Manifest.mbdb (iOS 5-9), both delivered as one
 * normalized struct ifk_entry per file, streamed to a callback in the
 * order they are stored. Memory stays bounded whatever the index's size. */
#ifndef IFK_MANIFEST_H
#define IFK_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ifk/error.h"

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

#endif
