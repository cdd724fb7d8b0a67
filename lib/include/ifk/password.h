/* The backup password, from a file, the IFK_PASSWORD environment variable or
 * a prompt with echo off: never from argv. */
#ifndef IFK_PASSWORD_H
#define IFK_PASSWORD_H

#include <stddef.h>

#include "ifk/error.h"

/* Reads the password (at most 4096 bytes): from file when given (its
 * content less one trailing newline), else IFK_PASSWORD (which is then
 * removed from the environment), else a prompt on /dev/tty with echo off
 * when there is a terminal. *pw is malloc'd (wipe with OPENSSL_cleanse, then
 * free). IFK_ENOTFOUND when there is no source at all. */
int ifk_password_read(const char *file, const char *prompt, char **pw, size_t *len,
                      struct ifk_error *err);

#endif
