/* The backup password (and the examiner key's passphrase), from a file, an
 * environment variable or a prompt with echo off: never from argv. */
#ifndef IFK_PASSWORD_H
#define IFK_PASSWORD_H

#include <stddef.h>

#include "ifk/error.h"

/* Reads the password (at most 4096 bytes): from file when given, else
 * IFK_PASSWORD (taken as ifk_password_take_env does), else a prompt on
 * /dev/tty with echo off when there is a terminal.
 *
 * The file is the operator's input, not evidence: a regular file (symbolic
 * links followed, as container secrets are mounted), a pipe or FIFO
 * ("/dev/stdin", "<(...)"), a socket or a character device; "-" is standard
 * input. A folder, a block device or a terminal is IFK_EINVAL. Its content
 * less one trailing newline (LF or CRLF) is the password. A pipe that has
 * not ended within IFK_SECRET_TIMEOUT seconds (default 30) is IFK_EIO;
 * more than 4096 bytes is IFK_EFORMAT.
 *
 * *pw is malloc'd (wipe with OPENSSL_cleanse, then free). IFK_ENOTFOUND
 * when there is no source at all, or the file does not exist. */
int ifk_password_read(const char *file, const char *prompt, char **pw, size_t *len,
                      struct ifk_error *err);

/* Takes a secret out of the environment variable name: *pw is a malloc'd
 * copy (NULL when the variable is not set), and the variable's bytes are
 * overwritten in place before it is removed, so that neither
 * /proc/PID/environ nor a child process shows it. IFK_EFORMAT when the
 * value is longer than 4096 bytes (it is wiped all the same). */
int ifk_password_take_env(const char *name, char **pw, size_t *len, struct ifk_error *err);

#endif
