/* ifk-parse's engine: one pass over a sealed bag or a raw backup (the
 * verification pass of ifk_verify_run, tapped) decrypts every file once;
 * the artifact sources are kept in a private temporary folder, every file
 * is hashed, optionally scanned with YARA and exported; then every
 * artifact module runs over its sources and the outputs are written. The
 * output format (artifacts.sqlite, <artifact>.jsonl, timeline.csv,
 * yara.jsonl, parse.json) is specified in CASE_FORMAT.md. */
#ifndef IFK_PARSE_H
#define IFK_PARSE_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>

#include <ifk/error.h>
#include <ifk/verify.h>

/* parse.json "outcome" and the tool's exit status follow it. */
enum ifk_parse_outcome {
	IFK_PARSE_OK = 0,       /* verified (or no seal to check), every artifact ok or absent */
	IFK_PARSE_FINDINGS = 1, /* done, but an artifact failed or has an unsupported
	                         * schema, a source could not be decrypted, or the
	                         * bag failed verification under --no-verify */
	IFK_PARSE_REFUSED = 4,  /* the bag failed verification: nothing was parsed */
};

struct ifk_parse_opts {
	const char *target;     /* bag or backup folder */
	const char *out_dir;    /* must not exist; built as <out>.incomplete */
	const char *export_dir; /* or NULL; must not exist */
	const char *yara_rules; /* a rules file or folder, or NULL */
	const char *only;       /* comma-separated artifact names, or NULL for all */
	const char *trust_path; /* for the seal check, or NULL */
	const char *examiner;   /* for the custody entry, or NULL */
	int no_verify;          /* parse even when verification fails */
	int read_only;          /* never append to the custody log */
	int include_secrets;    /* keychain secret values into the output */
	ifk_password_fn password;
	void *password_ctx;
	volatile sig_atomic_t *stop;
	ifk_progress_fn progress; /* the verification pass's (ifk_verify_opts) */
	void *progress_ctx;
};

/* Runs the whole parse. Returns 0 with *summary (parse.json's content, a
 * new reference) and *outcome when an outcome was reached (also
 * IFK_PARSE_REFUSED, where the summary holds the verification report);
 * IFK_EINVAL for a bad argument (unknown artifact in only, out_dir or
 * export_dir existing, YARA rules that do not compile: usage errors);
 * IFK_EINTR when interrupted; another negative IFK_E* when the target
 * cannot be read or the outputs cannot be written. Every decrypted
 * temporary is removed before returning, whatever the outcome; on an
 * error or interruption the incomplete output folders are removed too. */
int ifk_parse_run(const struct ifk_parse_opts *o, json_t **summary, enum ifk_parse_outcome *outcome,
                  struct ifk_error *err);

/* The artifacts ifk-parse knows, in output order: [{"name", "title",
 * "sources": ["domain/relativePath", ...]}] (a new reference). */
json_t *ifk_parse_list(void);

#endif
