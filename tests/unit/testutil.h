/* Helpers shared by the cmocka unit tests. */
#ifndef IFK_TESTUTIL_H
#define IFK_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* The third-party fixtures folder (IFK_FIXTURES, else ../shared/fixtures
 * beside the source tree). Never NULL. */
const char *tu_fixtures(void);

/* A new private temporary folder (mode 0700); the caller frees the string
 * and may remove the folder with tu_rmtree. */
char *tu_mkdtemp(void);

/* Removes a folder tree; used only on folders made by tu_mkdtemp. */
void tu_rmtree(const char *path);

/* Reads a whole file into a new buffer, NUL-terminated (caller frees);
 * NULL on error. */
uint8_t *tu_read_file(const char *path, size_t *len);

/* Writes buf to path (created or truncated); 0 on success. */
int tu_write_file(const char *path, const void *buf, size_t len);

/* Decodes hex into out (at most cap bytes); returns the byte count or -1. */
long tu_unhex(const char *hex, uint8_t *out, size_t cap);

#endif
