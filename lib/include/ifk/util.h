/* Small helpers shared by the ifk modules: hex, time, files and paths. */
#ifndef IFK_UTIL_H
#define IFK_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ifk/error.h"

#define IFK_SHA256_LEN 32
#define IFK_SHA256_HEX 65 /* 64 digits and NUL */
#define IFK_IO_CHUNK (1024 * 1024)

/* Writes 2*len lowercase hex digits and a NUL into out. */
void ifk_hex(const uint8_t *buf, size_t len, char *out);

/* Formats t as UTC ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void ifk_time_iso(time_t t, char out[21]);

/* SHA-256 of a memory buffer, as hex. */
void ifk_sha256_hex(const void *buf, size_t len, char out[IFK_SHA256_HEX]);

/* Writes all of buf to fd, retrying short writes and EINTR. */
int ifk_write_all(int fd, const void *buf, size_t len, const char *what, struct ifk_error *err);

/* Reads up to cap bytes of a regular file (opened relative to dirfd, or an
 * absolute/cwd path when dirfd is AT_FDCWD) without following a final
 * symlink. *out is malloc'd and NUL-terminated (caller frees); *len excludes
 * the NUL. A file larger than cap is IFK_EFORMAT. */
int ifk_read_small(int dirfd, const char *path, size_t cap, char **out, size_t *len,
                   struct ifk_error *err);

/* The one confinement check for a relative path that comes from evidence
 * (a bag's manifest, a backup's index, a device, an archive, a parse
 * folder) before it is joined to a folder: NULL when it stays inside,
 * else why not ("empty", "absolute", "a \"..\" part", "a \".\" part", "an
 * empty part", "not valid UTF-8"). Static storage. */
const char *ifk_relpath_problem(const char *rel);

/* Opens a regular file for reading without blocking on a FIFO. With a
 * folder dirfd, path comes from evidence: it must pass ifk_relpath_problem
 * (else IFK_EFORMAT "refused") and is opened beneath dirfd with no symlink
 * anywhere on the way (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or
 * component by component with O_NOFOLLOW where openat2 is missing). With
 * AT_FDCWD, a path the user gave, only the last component must not be a
 * symlink. Returns the fd, or a negative IFK_E* code (IFK_ENOTFOUND when
 * missing, IFK_EFORMAT when not a regular file or a symlink). */
int ifk_open_regular(int dirfd, const char *path, struct ifk_error *err);

/* Calls fn for each entry of the folder dir_fd (not "." or ".."), in
 * directory order, with the entry's name and its path below the walk's top
 * (rel + "/" + name; just name when rel is NULL). Memory does not grow with
 * the folder's size. Returns 0, fn's first non-zero return, or IFK_ENOMEM;
 * *list_errno is set when the folder could not be listed (wholly or in
 * part). */
typedef int (*ifk_dir_fn)(void *ctx, const char *name, const char *child_rel);
int ifk_dir_foreach(int dir_fd, const char *rel, ifk_dir_fn fn, void *ctx, int *list_errno);

/* Creates path (relative to dirfd) with content buf, failing if it exists. */
int ifk_write_new(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
                  struct ifk_error *err);

/* Streams a whole file: SHA-256 of the content read through fd. */
int ifk_sha256_fd(int fd, char out[IFK_SHA256_HEX], uint64_t *bytes, const char *what,
                  struct ifk_error *err);

/* Replaces control characters (and a leading/trailing blank) so that s can
 * stand on one line of a tag file; returns a malloc'd copy. */
char *ifk_one_line(const char *s);

/* 1 when s[0..n) is valid UTF-8 (no overlong forms, no surrogates). */
int ifk_utf8_valid(const char *s, size_t n);

/* A malloc'd copy of s that is valid UTF-8 without control characters:
 * invalid bytes and controls become "\xNN", so that any name can go into
 * JSON and onto one line. */
char *ifk_text_escape(const char *s);

/* Text from evidence or the user as a JSON string: escaped as
 * ifk_text_escape does (never dropped, as jansson drops what is not
 * UTF-8); NULL gives JSON null. A new reference. */
struct json_t;
struct json_t *ifk_json_text(const char *s);

/* Returns a malloc'd a + "/" + b. */
char *ifk_path_join(const char *a, const char *b);

/* A progress line for a terminal: "<files> files, <MiB> MiB <verb>, <rate> MiB/s"
 * measured from *start (CLOCK_MONOTONIC). */
void ifk_progress_line(char *out, size_t cap, const char *verb, uint64_t files, uint64_t bytes,
                       const struct timespec *start);

/* 1 when path (which need not exist) would lie inside the existing folder
 * dir or be dir itself, symlinks resolved; else 0. */
int ifk_path_within(const char *dir, const char *path);

/* The effective user's login name and this host's name, for custody
 * records (malloc'd; "unknown" when they cannot be had). */
char *ifk_user_name(void);
char *ifk_host_name(void);

#endif
