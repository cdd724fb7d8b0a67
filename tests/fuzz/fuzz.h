/* Shared by the libFuzzer harnesses: one per reader of untrusted input. */
#ifndef IFK_FUZZ_H
#define IFK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private folder for this process (made once, removed at exit), in
 * /dev/shm when that is writable. */
const char *fz_dir(void);

/* Writes data to fz_dir()/name (replacing it) and returns its path
 * (static storage), or NULL when it cannot. */
const char *fz_file(const char *name, const uint8_t *data, size_t size);

/* data as a NUL-terminated malloc'd copy (the caller frees it). */
char *fz_string(const uint8_t *data, size_t size);

/* Removes path and everything below it (never following a symlink). */
void fz_remove_tree(const char *path);

/* An index walker's callback (ifk_entry_fn) that reads every field of the
 * entry, adding to the size_t at ctx. */
struct ifk_entry;
int fz_entry(const struct ifk_entry *e, void *ctx);

#endif
