/* A bounded line reader for tag files and logs: memory never grows with a
 * line's length, and every byte read can feed a digest. */
#ifndef IFK_LINES_H
#define IFK_LINES_H

#include <openssl/evp.h>
#include <stddef.h>

#include "ifk/error.h"

#define IFK_LINE_TOO_LONG 1 /* the line was longer than the limit: its text is dropped */
#define IFK_LINE_NO_EOL 2   /* the last line of the file had no LF */

struct ifk_lines;

#define IFK_LINES_MAX_MD 32 /* digests one reader can feed */

/* Reads fd from its current position. max_line bounds one line (without its
 * LF). md (may be NULL) receives every byte read, as read. *out is owned by
 * the caller: ifk_lines_free (which does not close fd). */
int ifk_lines_open(int fd, size_t max_line, EVP_MD_CTX *md, struct ifk_lines **out,
                   struct ifk_error *err);

/* The same over text[0..len) (not copied: it must outlive the reader). */
int ifk_lines_open_mem(const char *text, size_t len, size_t max_line, struct ifk_lines **out,
                       struct ifk_error *err);

/* One more digest that receives every byte read (before decoding); at most
 * IFK_LINES_MAX_MD. Returns 0 or IFK_EINVAL. */
int ifk_lines_add_md(struct ifk_lines *l, EVP_MD_CTX *md);

/* A lone CR ends a line too, and CRLF is one line end (the line ends of
 * BagIt text tag files). */
void ifk_lines_end_on_cr(struct ifk_lines *l);

/* Decodes the bytes read from encoding (an iconv name; NULL or UTF-8: none)
 * to UTF-8 before splitting lines. Call before the first line. Returns 0,
 * IFK_EUNSUPPORTED (unknown encoding) or IFK_ENOMEM; text that does not
 * decode makes ifk_lines_next return IFK_EFORMAT. */
int ifk_lines_set_encoding(struct ifk_lines *l, const char *encoding, struct ifk_error *err);

/* The next line: returns 1 with *line (NUL-terminated, without its LF; owned
 * by l, valid until the next call), *len and *flags (IFK_LINE_*); 0 at end
 * of file; a negative IFK_E* code on a read error. A line holding a NUL has
 * strlen(*line) < *len. */
int ifk_lines_next(struct ifk_lines *l, char **line, size_t *len, int *flags,
                   struct ifk_error *err);

void ifk_lines_free(struct ifk_lines *l);

#endif
