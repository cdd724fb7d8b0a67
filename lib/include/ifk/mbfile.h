/* The MBFile record of a Manifest.db row: a binary plist in NSKeyedArchiver
 * form ($archiver, $top {root: UID}, $objects). Every UID is resolved
 * through $objects with bounds checks; UID 0 ($null) reads as absent, and
 * a chain of UIDs that loops is reported, never followed forever. */
#ifndef IFK_MBFILE_H
#define IFK_MBFILE_H

#include <stddef.h>
#include <stdint.h>

#include <plist/plist.h>

#include "ifk/error.h"
#include "ifk/manifest.h"

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

#endif
