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
#ifndef IFK_PLIST_H
#define IFK_PLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plist/plist.h>

#include "ifk/error.h"

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

#endif
