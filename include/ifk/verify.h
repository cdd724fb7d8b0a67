/* ifk-verify's engine: named checks over an ifk bag, a plain BagIt bag or a
 * raw backup folder, each pass/warn/fail with the file and reason of every
 * finding. The report's JSON schema is in CASE_FORMAT.md. */
#ifndef IFK_VERIFY_H
#define IFK_VERIFY_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

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
	/* metadata, presence and sizes only: no payload file is hashed or
	 * decrypted and no password is asked (the verdict is partial) */
	int quick;
	ifk_password_fn password;
	void *password_ctx;
	volatile sig_atomic_t *stop;
	ifk_progress_fn progress; /* may be NULL; the totals are the payload manifest's
	                           * files and Payload-Oxum's bytes, or the index's files */
	void *progress_ctx;
	const struct ifk_verify_tap *tap; /* may be NULL */
	/* threads that read, hash and decrypt the stored files (0: one per
	 * online CPU; 1: none beside the caller's). The findings and the
	 * report are the same for any number. A tap, or a quick check, reads
	 * in the caller's thread alone. */
	unsigned jobs;
	/* may be NULL: receives the unlocked keybag of an encrypted backup (the
	 * caller frees it with ifk_keybag_free), or NULL */
	struct ifk_keybag **keybag_out;
};

/* Runs every check. Returns 0 with *report (new reference) whenever a
 * verdict was reached, PASS or FAIL; a negative code when the target could
 * not be read at all, or IFK_EINTR. When the custody entry cannot be
 * appended the report is still returned and the code is IFK_EIO. */
int ifk_verify_run(const struct ifk_verify_opts *o, json_t **report, struct ifk_error *err);

/* 1 when a verification report (ifk_verify_run's) says the password given
 * does not open the backup's keybag: the one condition every tool exits
 * with IFK_EXIT_WRONG_PASSWORD (5) for. */
int ifk_verify_wrong_password(const json_t *report);

/* A fleet check: every backup folder or bag the targets name (a folder
 * that is neither stands for the backups and bags directly inside it),
 * each checked read-only (no custody entry, no password asked: an
 * encrypted backup is checked without decrypting it), several at once. */
struct ifk_fleet_opts {
	const char *const *targets;
	size_t ntargets;
	int64_t max_age;       /* seconds; a backup last completed longer ago is stale; 0: any */
	int require_encrypted; /* an unencrypted backup fails */
	int quick;             /* presence and sizes only (ifk_verify_opts.quick) */
	int strict;
	unsigned jobs;          /* checks at once; 0: one per online CPU */
	const char *trust_path; /* may be NULL */
	time_t now;             /* ages are measured from here */
	volatile sig_atomic_t *stop;
	/* Each backup's row (CASE_FORMAT.md section 5, "fleet check"), in the
	 * targets' order (a folder's backups by name), as soon as it and all
	 * before it are checked. May be NULL. */
	void (*row)(void *ctx, const json_t *row);
	void *row_ctx;
};

/* Runs the fleet check. Returns 0 with *rows (new reference, every row in
 * order) and *summary (new reference: counts and the verdict, PASS only
 * when every backup passed); IFK_EINTR when stopped, IFK_ENOMEM. */
int ifk_fleet_run(const struct ifk_fleet_opts *o, json_t **rows, json_t **summary,
                  struct ifk_error *err);

/* A row, and the summary, as one line of text for people (malloc'd). */
char *ifk_fleet_row_text(const json_t *row);
char *ifk_fleet_summary_text(const json_t *summary);

/* Writes the rows as Prometheus text (node_exporter's textfile collector):
 * per backup ifk_backup_last_success_timestamp_seconds, _age_seconds,
 * _encrypted, _complete and _verify_ok, labelled by target, udid and
 * device; atomically (a temporary beside path, fsync, rename). */
int ifk_fleet_metrics_write(const char *path, const json_t *rows, const json_t *summary,
                            struct ifk_error *err);

/* The keybag of an encrypted backup or bag (no password needed) as the
 * line hashcat (-m 14700 before iOS 10.2, -m 14800 after) and John the
 * Ripper read. *line is malloc'd. IFK_EINVAL when the backup is not
 * encrypted, IFK_EIO when it has no readable Manifest.plist. */
int ifk_verify_export_hash(const char *target, char **line, struct ifk_error *err);

/* Candidates tried against an encrypted backup's keybag alone: nothing is
 * decrypted or written. */
struct ifk_password_search {
	const char *target;    /* backup folder or bag */
	const char *list_path; /* one candidate per line ("\n" or "\r\n"); "-": stdin */
	unsigned jobs;         /* threads; 0: one per online CPU */
	volatile sig_atomic_t *stop;
	void (*progress)(void *ctx, uint64_t tried); /* under a lock; may be NULL */
	void *progress_ctx;
};
struct ifk_password_result {
	uint64_t line;        /* the matching line's number (1-based) */
	char *password;       /* malloc'd, password_len bytes and a NUL: wipe and free */
	size_t password_len;
	uint64_t tried;       /* candidates tried */
	uint64_t skipped;     /* empty lines, and lines over 4096 bytes */
	unsigned threads;
};
/* Tries every line on all cores and stops at the first that unwraps the
 * keybag's class keys (with repeats, the lowest line). 0 with r->line and
 * r->password; IFK_ENOTFOUND when none matched; IFK_EINTR; IFK_EIO when
 * the list or the backup cannot be read; IFK_EINVAL when the backup is
 * not encrypted. */
int ifk_verify_password_search(const struct ifk_password_search *o,
                               struct ifk_password_result *r, struct ifk_error *err);

/* ifk-verify REPORT [BAG]: a report archive made by ifk-report, its
 * detached signature (REPORT.p7s) and every member against SHA256SUMS; with
 * bag (may be NULL), that the report is of that bag and its custody head
 * is in the bag's log. *result (new reference) is the JSON CASE_FORMAT.md
 * section 9 specifies, with "verdict" PASS or FAIL. A negative code when the
 * archive or the bag cannot be read at all. */
int ifk_verify_report(const char *archive, const char *bag, const char *trust_path,
                      json_t **result, struct ifk_error *err);

#endif
