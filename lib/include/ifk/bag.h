/* BagIt (RFC 8493) pieces: payload manifest lines, tag files, bag-info.txt.
 * The layout of an ifk bag is specified in CASE_FORMAT.md. */
#ifndef IFK_BAG_H
#define IFK_BAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* Decodes %0D, %0A and %25 in place; returns 0, or -1 for any other escape
 * or an embedded NUL. */
int ifk_bag_decode_path(char *path);

/* One parsed manifest line: "<checksum> <path>" with one or more blanks. */
struct ifk_bag_line {
	char *checksum; /* points into the line */
	char *path;     /* decoded, points into the line */
};

/* Splits and decodes a manifest line in place (without its line end).
 * Returns 0, or IFK_EFORMAT. */
int ifk_bag_parse_line(char *line, struct ifk_bag_line *out);

/* Calls fn for every line of a manifest file opened relative to bag_fd
 * (a regular file; symlinks and FIFOs are refused). Lines are at most
 * 64 KiB; a longer or malformed line is reported through fn with checksum
 * NULL and path holding the reason. When digest names one ("SHA256"), every
 * byte read feeds it and digest_hex receives its hex value, so that the
 * file is checked against a tag manifest in the same read. A non-zero
 * return from fn stops the walk and is returned. */
typedef int (*ifk_bag_line_fn)(void *ctx, unsigned long lineno, const struct ifk_bag_line *l);
int ifk_bag_manifest_foreach(int bag_fd, const char *name, const char *digest, char *digest_hex,
                             ifk_bag_line_fn fn, void *ctx, struct ifk_error *err);

/* bag-info.txt: labels and values (continuation lines are joined). */
typedef int (*ifk_bag_info_fn)(void *ctx, const char *label, const char *value);
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
