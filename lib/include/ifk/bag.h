/* BagIt (RFC 8493) pieces: payload manifest lines, tag files, bag-info.txt.
 * The layout of an ifk bag is specified in CASE_FORMAT.md. */
#ifndef IFK_BAG_H
#define IFK_BAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "ifk/error.h"

#define IFK_BAG_PAYLOAD "data"
#define IFK_BAG_MANIFEST "manifest-sha256.txt"
#define IFK_BAG_TAGMANIFEST "tagmanifest-sha256.txt"
#define IFK_BAG_INFO "bag-info.txt"
#define IFK_BAG_DECL "bagit.txt"
#define IFK_BAG_SEAL "ifk-seal.p7s"
#define IFK_BAG_RECORD "ifk-acquisition.json"
#define IFK_BAG_INCOMPLETE_SUFFIX ".incomplete"
#define IFK_BAG_DECL_TEXT "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

/* Percent-encodes CR, LF and % in a manifest path (RFC 8493 2.1.3);
 * returns a malloc'd string. */
char *ifk_bag_encode_path(const char *path);

/* The OpenSSL digest name of a BagIt algorithm as manifest-<alg>.txt names
 * it ("sha256" -> "SHA256", "sha3256" -> "SHA3-256"), or NULL when ifk
 * does not know it. */
const char *ifk_bag_alg_digest(const char *alg);

/* Decodes %0D, %0A and %25 (hex digits in either case) in place. Any other
 * percent sign is kept as it is: RFC 8493 encodes these three only. */
void ifk_bag_decode_path(char *path);

/* One parsed manifest line: "<checksum> <path>" with one or more blanks. */
struct ifk_bag_line {
	char *checksum; /* points into the line */
	char *path;     /* decoded, points into the line */
};

/* Splits and decodes a manifest line in place (without its line end).
 * Returns 0, or IFK_EFORMAT. */
int ifk_bag_parse_line(char *line, struct ifk_bag_line *out);

/* Called for every line of a manifest. Lines are at most 64 KiB; a longer
 * or malformed line (or a UTF-8 byte-order mark) is reported with checksum
 * NULL and path holding the reason. A non-zero return stops the walk and
 * is returned. */
typedef int (*ifk_bag_line_fn)(void *ctx, unsigned long lineno, const struct ifk_bag_line *l);

/* Where a manifest is read from, and what the read feeds. */
struct ifk_bag_src {
	int dir_fd;       /* the bag */
	const char *name; /* the file under dir_fd (a regular file; symlinks
	                     and FIFOs are refused), or the name shown for text */
	const char *text; /* when set, the manifest's bytes: name is not read */
	size_t len;
	const char *encoding;  /* Tag-File-Character-Encoding; NULL: UTF-8 */
	EVP_MD_CTX *const *md; /* each receives every byte read, before decoding */
	int nmd;
};

/* Reads a manifest once: LF, CR or CRLF end lines; text in another
 * encoding is decoded to UTF-8 (a leading U+FEFF dropped). Errors name the
 * file. */
int ifk_bag_manifest_read(const struct ifk_bag_src *src, ifk_bag_line_fn fn, void *ctx,
                          struct ifk_error *err);

/* The same for a file opened relative to bag_fd, in UTF-8. When digest
 * names one ("SHA256"), every byte read feeds it and digest_hex receives
 * its hex value, so that the file is checked against a tag manifest in the
 * same read. */
int ifk_bag_manifest_foreach(int bag_fd, const char *name, const char *digest, char *digest_hex,
                             ifk_bag_line_fn fn, void *ctx, struct ifk_error *err);

struct ifk_buf;

/* Tag-file text in encoding (NULL: UTF-8) as UTF-8 with LF line ends into
 * out (reset first; a leading byte-order mark dropped). Returns 0,
 * IFK_EUNSUPPORTED (unknown encoding), IFK_EFORMAT (does not decode, or a
 * line over 64 KiB) or IFK_ENOMEM. */
int ifk_bag_text_decode(const char *text, size_t len, const char *encoding, struct ifk_buf *out,
                        struct ifk_error *err);

/* bag-info.txt: one metadata element. */
struct ifk_bag_info_elem {
	unsigned long line; /* where it starts, from 1 */
	const char *label;  /* without the blanks around it */
	const char *value;  /* continuation lines joined with one space */
	int padded;         /* the label had blanks before or after it */
};
typedef int (*ifk_bag_info_fn)(void *ctx, const struct ifk_bag_info_elem *e);

/* Walks the elements of bag-info text (LF, CR or CRLF line ends; the text
 * need not end in a NUL). A line without a colon, with an empty label, or
 * an indented first line is IFK_EFORMAT, with the line named. A non-zero
 * return from fn stops the walk and is returned. */
int ifk_bag_info_parse(const char *text, size_t len, ifk_bag_info_fn fn, void *ctx,
                       struct ifk_error *err);

/* Finds a label (case-insensitive) in bag-info text; malloc'd value or NULL. */
char *ifk_bag_info_get(const char *text, size_t len, const char *label);

/* Appends "Label: value\n" to a growing buffer (value made one line);
 * skipped when value is NULL or empty. Returns 0 or IFK_ENOMEM. */
struct ifk_buf {
	char *data;
	size_t len, cap;
};
int ifk_buf_add(struct ifk_buf *b, const void *data, size_t len);
int ifk_buf_printf(struct ifk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ifk_bag_info_add(struct ifk_buf *b, const char *label, const char *value);
void ifk_buf_free(struct ifk_buf *b);

#endif
