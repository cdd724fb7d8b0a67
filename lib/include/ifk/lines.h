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

/* Reads fd from its current position. max_line bounds one line (without its
 * LF). md (may be NULL) receives every byte read, as read. *out is owned by
 * the caller: ifk_lines_free (which does not close fd). */
int ifk_lines_open(int fd, size_t max_line, EVP_MD_CTX *md, struct ifk_lines **out,
                   struct ifk_error *err);

/* The next line: returns 1 with *line (NUL-terminated, without its LF; owned
 * by l, valid until the next call), *len and *flags (IFK_LINE_*); 0 at end
 * of file; a negative IFK_E* code on a read error. A line holding a NUL has
 * strlen(*line) < *len. */
int ifk_lines_next(struct ifk_lines *l, char **line, size_t *len, int *flags,
                   struct ifk_error *err);

void ifk_lines_free(struct ifk_lines *l);

#endif
