/* The custody log: ifk-custody.log in a bag's root, one entry per line:
 *   <64 hex: SHA-256 of BODY> SP <BODY: one compact JSON object> LF
 * BODY holds seq (from 1), prev (the previous entry's hash; 64 zeros for the
 * first), time, tool, version, action, actor and result, and details. The
 * first entry is the acquisition; its hash is written into the sealed
 * acquisition record, which binds the chain to the seal. See CASE_FORMAT.md. */
#ifndef IFK_CUSTODY_H
#define IFK_CUSTODY_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "ifk/error.h"

#define IFK_CUSTODY_FILE "ifk-custody.log"
#define IFK_CUSTODY_MAX_LINE (1024 * 1024)

struct ifk_custody_event {
	const char *tool;     /* "ifk-verify" */
	const char *action;   /* "acquire", "verify", "parse", "report" */
	const char *result;   /* "sealed", "PASS", "FAIL", ... */
	const char *examiner; /* may be NULL */
	time_t when;
	json_t *details; /* an object, borrowed; may be NULL */
};

/* Formats the entry with the given seq and prev into *line (malloc'd, no LF)
 * and its hash into hash (hex). */
int ifk_custody_format(unsigned long seq, const char *prev, const struct ifk_custody_event *ev,
                       char **line, char hash[65], struct ifk_error *err);

/* Creates the log in bag_fd holding one first line (must not exist). */
int ifk_custody_create(int bag_fd, const char *line, struct ifk_error *err);

/* Appends one entry under an exclusive lock; hash (may be NULL) receives the
 * new entry's hash. Refuses a log whose last line is incomplete. */
int ifk_custody_append(int bag_fd, const struct ifk_custody_event *ev, char hash[65],
                       struct ifk_error *err);

/* A problem found while checking: line number (1-based, 0 for the whole log)
 * and a one-line reason. */
typedef void (*ifk_custody_problem_fn)(void *ctx, unsigned long line, const char *reason);

struct ifk_custody_summary {
	unsigned long entries;
	unsigned long problems;
	char genesis[65]; /* hash of entry 1 as computed */
	char head[65];    /* hash of the last entry as computed */
};

/* Checks the whole log: each line's hash, the prev chain, seq, the first
 * entry being the acquisition and, when genesis is not NULL, equal to it.
 * Returns 0 when the log could be read (problems are reported through fn
 * and counted in sum), IFK_ENOTFOUND when there is no log. */
int ifk_custody_check(int bag_fd, const char *genesis, ifk_custody_problem_fn fn, void *ctx,
                      struct ifk_custody_summary *sum, struct ifk_error *err);

/* Calls fn for every complete line of the log, in order, with the SHA-256
 * of its body as computed (not as written) and the body text ("" for an
 * over-long or malformed line); an incomplete last line is not delivered.
 * Checking is ifk_custody_check's job. A non-zero return from fn stops and
 * is returned. */
typedef int (*ifk_custody_entry_fn)(void *ctx, unsigned long lineno, const char *hash,
                                    const char *body);
int ifk_custody_foreach(int bag_fd, ifk_custody_entry_fn fn, void *ctx, struct ifk_error *err);

#endif
