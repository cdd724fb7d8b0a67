/* Small pieces the tools share: the backup password read before the work
 * starts and handed to an engine once, and safe printing of names that come
 * from evidence. */
#ifndef IFK_CLI_H
#define IFK_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <ifk/error.h>

/* A secret read up front, so that a bad file is a usage error before any
 * work and the environment holds no secret while the work runs: the backup
 * password (--password-file, else IFK_PASSWORD, else the terminal when the
 * engine asks) or the examiner key's passphrase (--key-password-file, else
 * IFK_KEY_PASSWORD, else none). */
struct ifk_cli_password {
	const char *file;   /* --password-file or --key-password-file, or NULL */
	const char *prompt; /* for the terminal ("Backup password: ") */
	char *pw;           /* read from file or taken from the environment, until handed over */
	size_t len;
	int handed;           /* the file's password was handed over */
	struct ifk_error err; /* why the last ifk_cli_password_get failed */
};

/* Reads the file when there is one. 0, or the error of ifk_password_read. */
int ifk_cli_password_load(struct ifk_cli_password *p, struct ifk_error *err);
/* An ifk_password_fn (ctx is the struct ifk_cli_password): hands over the
 * password read up front once, or asks on the terminal. Returns -1
 * when there is none (p->err says why; code IFK_ENOTFOUND when there was
 * simply no source). */
int ifk_cli_password_get(void *ctx, char **pw, size_t *len);
/* Wipes and frees a password never handed over. */
void ifk_cli_password_wipe(struct ifk_cli_password *p);

/* What is taken and checked before any work. First IFK_PASSWORD and
 * IFK_KEY_PASSWORD leave the environment (ifk_password_take_env): into p and
 * key when they have no file, else (or when key is NULL) wiped unused. Then
 * the --trust certificate (may be NULL) must be readable, and p's and key's
 * files (ifk_password_read's rules) must load. 0, or a negative IFK_E* code
 * with err saying which (then p and key hold nothing). */
int ifk_cli_preflight(const char *trust_path, struct ifk_cli_password *p,
                      struct ifk_cli_password *key, struct ifk_error *err);

/* A JSON object's member as a string ("" when absent or not a string), or
 * as an integer (0 when absent). For printing reports. */
const char *ifk_cli_str(json_t *o, const char *key);
long long ifk_cli_num(json_t *o, const char *key);

/* Writes s to f with control characters as \xNN and a backslash as \\, so
 * that a hostile name can neither fake an output line nor drive the
 * terminal. */
void ifk_cli_put_safe(FILE *f, const char *s);

/* Writes s to f as ifk_text_escape does: for text that ifk has already
 * escaped (a verification report's names and reasons), whose "\xNN" stays
 * as it is rather than being escaped a second time. */
void ifk_cli_put_text(FILE *f, const char *s);

/* A progress line for a terminal: "<files> files, <MiB> MiB <verb>, <rate> MiB/s"
 * measured from *start (CLOCK_MONOTONIC). */
void ifk_progress_line(char *out, size_t cap, const char *verb, uint64_t files, uint64_t bytes,
                       const struct timespec *start);

/* Once at a tool's start: the limits the library keeps for the whole
 * process (SQLite's memory cap for databases from evidence). */
void ifk_cli_init(void);

#endif
