/* ifk yarascan: YARA scanning of files that arrive as a stream of chunks.
 *
 * ifk-parse decrypts each backup file once, in order, in chunks; this
 * module scans the plaintext as it streams by, without a second pass and
 * with memory that does not grow with the file: ifk_yara_begin, then
 * ifk_yara_feed for each chunk, then ifk_yara_end (or ifk_yara_abort).
 *
 * How (see yarascan.c for the reasoning): the bytes are cut into blocks of
 * IFK_YARA_BLOCK new bytes, each block also repeating the previous block's
 * last IFK_YARA_OVERLAP bytes, and every block is scanned by libyara as
 * soon as it is full, inside ifk_yara_feed, through libyara's resumable
 * block iterator (ERROR_BLOCK_NOT_READY, libyara >= 4.1). No thread is
 * started. What rules can rely on:
 *   - every string match of up to IFK_YARA_OVERLAP (65536) bytes is found
 *     wherever the chunk and block boundaries fall, reported once, at its
 *     absolute file offset (libyara's regular expressions never match more
 *     than 4096 bytes, so they are always covered);
 *   - filesize is exact: the number of bytes fed, not the size hint;
 *   - uint8/16/32(...) and the modules (pe, elf, math, hash...) see the
 *     first IFK_YARA_BLOCK + IFK_YARA_OVERLAP bytes and the last block
 *     (at least the last IFK_YARA_OVERLAP bytes when the file is larger);
 *     a read elsewhere in a larger file is undefined, which makes a
 *     condition false, as libyara does for a read past the end;
 *   - libyara checks fullword, \b, ^ and $ against the block, not the
 *     file: at a block edge (file offsets k MiB and k MiB + 64 KiB) they
 *     can match where a whole-file scan would not;
 *   - no scan timeout (libyara's clock would run while ifk decrypts).
 * Memory: two blocks (2 x 1.0625 MiB) per handle, plus libyara's own
 * record of the matches (at most 1,000,000 per string: beyond that the
 * file's scan fails with IFK_EUNSUPPORTED, "too many matches").
 *
 * A handle is one compiled rule set and one scanner: use it from one
 * thread at a time (it may move between threads). ifk_yara_load and
 * ifk_yara_free call libyara's reference-counted yr_initialize and
 * yr_finalize, which are not thread-safe: load and free handles from one
 * thread, or serialize those calls. */
#ifndef IFK_YARASCAN_H
#define IFK_YARASCAN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ifk/error.h"

#define IFK_YARA_BLOCK (1024 * 1024)       /* new bytes per scanned block */
#define IFK_YARA_OVERLAP (64 * 1024)       /* bytes repeated from the previous block */
#define IFK_YARA_MAX_RULES_FILE (64 << 20) /* largest rules file accepted */
#define IFK_YARA_STRINGS_PER_RULE 100      /* matches reported per rule */
#define IFK_YARA_DATA_BYTES 64             /* matched bytes reported per match */

struct ifk_yara;

/* Compiles a rules file, or every *.yar / *.yara file of a folder (sorted
 * by name in byte order, not recursing, skipping names that begin with a
 * dot, refusing symlinks), each in its own namespace named after the file
 * ("ifk-examples.yar"). `include` directives are refused so that the
 * provenance hash covers every rule. Errors: IFK_ENOTFOUND when path is
 * missing; IFK_EFORMAT for a compile error ("file:line: message" of the
 * first error), a symlink, a file holding a NUL byte or larger than
 * IFK_YARA_MAX_RULES_FILE; IFK_EINVAL when a folder holds no rules file;
 * IFK_EIO, IFK_ENOMEM. *out is the caller's (ifk_yara_free). */
int ifk_yara_load(const char *path, struct ifk_yara **out, struct ifk_error *err);

/* The number of rules compiled (private and global rules included). */
unsigned ifk_yara_rule_count(const struct ifk_yara *y);

/* The SHA-256 (64 lowercase hex digits) of the rule sources in load order:
 * of the files' bytes concatenated, so that `cat` of the files in that
 * order piped to sha256sum gives it (for one file: its sha256sum). */
const char *ifk_yara_rules_sha256(const struct ifk_yara *y);

/* Starts scanning one file whose plaintext is about size_hint bytes long
 * (it may be off by the padding; it is not used for filesize). A file
 * still open is abandoned first (as ifk_yara_abort). Errors: IFK_EINVAL. */
int ifk_yara_begin(struct ifk_yara *y, uint64_t size_hint, struct ifk_error *err);

/* Feeds the next len bytes of the file (any length, in order); scans each
 * block as it fills. Errors: IFK_EINVAL (no file begun), IFK_ENOMEM,
 * IFK_EUNSUPPORTED (too many matches, or another libyara scan error; the
 * message names the rule and string when libyara says which). After an
 * error the file is failed: later feeds return the same code at once and
 * ifk_yara_end returns it again; ifk_yara_abort is not needed. */
int ifk_yara_feed(struct ifk_yara *y, const uint8_t *buf, size_t len, struct ifk_error *err);

/* Ends the file and evaluates the rules. *matches receives a new JSON array
 * (the caller's reference; empty when nothing matched), one object per
 * matching non-private rule, in rule order:
 *   {"rule", "namespace", "tags": [...], "meta": {...},
 *    "strings": [{"id": "$a", "offset": N, "length": N,
 *                 "data": "...", "data_encoding": "text" | "hex"}],
 *    "strings_truncated": false}
 * offset is the absolute file offset of the match and length its full
 * length; data holds its first IFK_YARA_DATA_BYTES bytes, as text when they
 * are all printable ASCII (or tab, CR, LF), else as lowercase hex. Private
 * strings are left out; a (id, offset) pair appears once; at most
 * IFK_YARA_STRINGS_PER_RULE matches per rule, strings_truncated telling
 * when more were left out. Meta and names that are not valid UTF-8 have
 * their bytes escaped as \xNN. On error *matches is NULL (errors as
 * ifk_yara_feed). The handle is then ready for the next file. */
int ifk_yara_end(struct ifk_yara *y, json_t **matches, struct ifk_error *err);

/* Abandons the current file (e.g. it failed to decrypt) without results,
 * releasing what libyara holds for it. Accepts NULL and an idle handle. */
void ifk_yara_abort(struct ifk_yara *y);

/* Frees y (accepts NULL), abandoning a file still open. */
void ifk_yara_free(struct ifk_yara *y);

#endif
