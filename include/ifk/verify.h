/* ifk-verify's engine: named checks over an ifk bag, a plain BagIt bag or a
 * raw backup folder, each pass/warn/fail with the file and reason of every
 * finding. The report's JSON schema is in CASE_FORMAT.md. */
#ifndef IFK_VERIFY_H
#define IFK_VERIFY_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <ifk/error.h>
#include <ifk/progress.h>

struct ifk_keybag; /* an unlocked backup keybag (the library's own) */

/* Asked for the backup password only when the backup is encrypted. Returns
 * 0 with *pw malloc'd (the engine wipes and frees it), or non-zero when no
 * password can be had. */
typedef int (*ifk_password_fn)(void *ctx, char **pw, size_t *len);

/* One regular file of the backup's index, as the tap sees it. */
struct ifk_verify_file {
	const char *file_id, *domain, *relative_path;
	uint64_t size; /* as the index says */
	int64_t mtime, birth;
	uint32_t protection_class;
};

/* An optional consumer of the single pass: it sees the plaintext of every
 * regular file of the index that is stored in the backup, as it is read
 * (so that ifk-parse decrypts, hashes, scans and keeps files without a
 * second pass). */
struct ifk_verify_tap {
	void *ctx;
	/* Before the file's bytes: returns a state for data and close, or NULL
	 * to ignore the file. */
	void *(*open)(void *ctx, const struct ifk_verify_file *f);
	/* The plaintext in order, in pieces of up to about 1 MiB. A non-zero
	 * (negative IFK_E*) return stops the run with that code. */
	int (*data)(void *ctx, void *state, const uint8_t *buf, size_t len);
	/* After the bytes: ok is 1 when the whole plaintext was delivered (read
	 * to the end and, when encrypted, decrypted with a valid padding); else
	 * reason says why, and off_device is 1 when the file's class cannot be
	 * decrypted off the device. */
	void (*close)(void *ctx, void *state, int ok, int off_device, const char *reason);
	/* After the pass, once for each regular file the index lists that the
	 * backup does not store (may be NULL). */
	void (*missing)(void *ctx, const struct ifk_verify_file *f);
};

struct ifk_verify_opts {
	const char *target;
	const char *trust_path; /* may be NULL */
	const char *examiner;   /* for the custody entry; may be NULL */
	int read_only;          /* never append to the custody log */
	int strict;             /* a partial check or any warning fails the verdict */
	ifk_password_fn password;
	void *password_ctx;
	volatile sig_atomic_t *stop;
	ifk_progress_fn progress; /* may be NULL; the totals are the payload manifest's
	                           * files and Payload-Oxum's bytes, or the index's files */
	void *progress_ctx;
	const struct ifk_verify_tap *tap; /* may be NULL */
	/* may be NULL: receives the unlocked keybag of an encrypted backup (the
	 * caller frees it with ifk_keybag_free), or NULL */
	struct ifk_keybag **keybag_out;
};

/* Runs every check. Returns 0 with *report (new reference) whenever a
 * verdict was reached, PASS or FAIL; a negative code when the target could
 * not be read at all, or IFK_EINTR. When the custody entry cannot be
 * appended the report is still returned and the code is IFK_EIO. */
int ifk_verify_run(const struct ifk_verify_opts *o, json_t **report, struct ifk_error *err);

/* ifk-verify REPORT [BAG]: a report archive made by ifk-report, its
 * detached signature (REPORT.p7s) and every member against SHA256SUMS; with
 * bag (may be NULL), that the report is of that bag and its custody head
 * is in the bag's log. *result (new reference) is the JSON CASE_FORMAT.md
 * section 9 specifies, with "verdict" PASS or FAIL. A negative code when the
 * archive or the bag cannot be read at all. */
int ifk_verify_report(const char *archive, const char *bag, const char *trust_path,
                      json_t **result, struct ifk_error *err);

#endif
