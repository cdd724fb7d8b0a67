/* The backup password (and the examiner key's passphrase), from a file, an
 * environment variable or a prompt with echo off: never from argv. */
#ifndef IFK_PASSWORD_H
#define IFK_PASSWORD_H

#include <stddef.h>

#include "ifk/error.h"

/* Reads the password (at most 4096 bytes): from file when given (its
 * content less one trailing newline), else IFK_PASSWORD (taken as
 * ifk_password_take_env does), else a prompt on /dev/tty with echo off
 * when there is a terminal. *pw is malloc'd (wipe with OPENSSL_cleanse, then
 * free). IFK_ENOTFOUND when there is no source at all. */
int ifk_password_read(const char *file, const char *prompt, char **pw, size_t *len,
                      struct ifk_error *err);

/* Takes a secret out of the environment variable name: *pw is a malloc'd
 * copy (NULL when the variable is not set), and the variable's bytes are
 * overwritten in place before it is removed, so that neither
 * /proc/PID/environ nor a child process shows it. IFK_EFORMAT when the
 * value is longer than 4096 bytes (it is wiped all the same). */
int ifk_password_take_env(const char *name, char **pw, size_t *len, struct ifk_error *err);

#endif
