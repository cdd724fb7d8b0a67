/* Paths a device sends during a backup. */
#ifndef IFK_DEVICE_H
#define IFK_DEVICE_H

#include <stddef.h>

#define IFK_DEVICE_NAME_MAX 4096 /* longer names are refused */

/* Maps a path the device sent, "<udid>/rel" (len bytes, as received), to
 * rel below the bag's data/ folder, refusing anything that could leave it:
 * a NUL inside, more than IFK_DEVICE_NAME_MAX bytes, an absolute path,
 * another first component than the UDID, and "..", "." or empty
 * components. Returns 0 with *rel malloc'd ("" for the backup folder
 * itself), or -1 with *why saying what was wrong. */
int ifk_device_path(const char *udid, const char *devpath, size_t len, char **rel,
                    const char **why);

#endif
