/* ifk-verify's engine: named checks over an ifk bag, a plain BagIt bag or a
 * raw backup folder, each pass/warn/fail with the file and reason of every
 * finding. The report's JSON schema is in CASE_FORMAT.md. */
#ifndef IFK_VERIFY_H
#define IFK_VERIFY_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "ifk/error.h"

/* Asked for the backup password only when the backup is encrypted. Returns
 * 0 with *pw malloc'd (the engine wipes and frees it), or non-zero when no
 * password can be had. */
typedef int (*ifk_password_fn)(void *ctx, char **pw, size_t *len);

struct ifk_verify_opts {
	const char *target;
	const char *trust_path; /* may be NULL */
	const char *examiner;   /* for the custody entry; may be NULL */
	int read_only;          /* never append to the custody log */
	ifk_password_fn password;
	void *password_ctx;
	volatile sig_atomic_t *stop;
	void (*progress)(void *ctx, uint64_t files, uint64_t bytes);
	void *progress_ctx;
};

/* Runs every check. Returns 0 with *report (new reference) whenever a
 * verdict was reached, PASS or FAIL; a negative code when the target could
 * not be read at all, or IFK_EINTR. When the custody entry cannot be
 * appended the report is still returned and the code is IFK_EIO. */
int ifk_verify_run(const struct ifk_verify_opts *o, json_t **report, struct ifk_error *err);

#endif
