/* ifk-report's engine: the chain-of-custody report of a bag (and of its
 * ifk-parse output) as a signed, deterministic archive. The members are
 * staged in a private folder, the archive is written with libarchive and
 * signed (detached CMS), and the bag's custody log gains an entry holding
 * the archive's hash. The formats are specified in CASE_FORMAT.md. */
#ifndef IFK_REPORT_H
#define IFK_REPORT_H

#include <jansson.h>
#include <signal.h>

#include <ifk/error.h>
#include <ifk/verify.h>

struct ifk_report_opts {
	const char *bag;          /* the sealed bag */
	const char *parse_dir;    /* ifk-parse's output folder, or NULL */
	const char *out;          /* the archive; the signature is <out>.p7s; neither may exist */
	const char *key, *cert;   /* the examiner's signing key and certificate (PEM) */
	const char *key_password; /* the key's passphrase, or NULL when it has none */
	const char *trust_path;   /* for the bag's seal check, or NULL */
	const char *examiner;     /* for the custody entry, or NULL */
	int include_media;        /* copy the camera roll's files into the archive */
	int read_only;            /* append nothing to the bag's custody log */
	ifk_password_fn password;
	void *password_ctx;
	volatile sig_atomic_t *stop;
	ifk_progress_fn progress; /* the verification pass's (ifk_verify_opts); may be NULL */
	void *progress_ctx;
};

/* Makes the report. Returns 0 with *summary (new reference: the archive's
 * path, hash, members, the verification verdict and the custody entry)
 * when the archive and its signature were written; IFK_EINVAL for usage
 * errors (out or its signature exists, out inside the bag, a parse folder
 * whose files do not match its parse.json); IFK_EINTR; another negative
 * IFK_E* when the bag cannot be read or the outputs cannot be written
 * (then nothing is left behind). When only the custody entry could not be
 * appended, *summary is set and IFK_EIO returned. */
int ifk_report_run(const struct ifk_report_opts *o, json_t **summary, struct ifk_error *err);

#endif
