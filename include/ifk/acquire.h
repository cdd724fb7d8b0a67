/* Acquisition: a backup folder imported into a new sealed evidence bag, every
 * byte copied and hashed in one pass. See CASE_FORMAT.md for the bag. */
#ifndef IFK_ACQUIRE_H
#define IFK_ACQUIRE_H

#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>

#include <ifk/error.h>
#include <ifk/progress.h>
#include <ifk/seal.h>

struct ifk_acquire_opts {
	const char *source; /* the backup folder (one device) */
	const char *out;    /* the bag to create; must not exist */
	const struct ifk_signer *signer;
	const char *case_id, *evidence, *examiner, *organization, *notes; /* may be NULL */
	volatile sig_atomic_t *stop; /* polled; non-zero stops cleanly (may be NULL) */
	/* --device */
	const char *udid; /* NULL: the one device connected */
	/* Silence from the device longer than the limit of what is awaited
	 * ends the acquisition: the first file (the device prepares the
	 * backup), the rest of a file that has begun, the next file, message
	 * or final status. Each is 0 for its default (IFK_DEVICE_WAIT_*_S);
	 * timeout_s, when not 0, caps all three. */
	unsigned timeout_s, wait_start_s, wait_file_s, wait_next_s;
	const char *new_password; /* --encrypt: set this backup password when none is set */
	size_t new_password_len;
	/* how far it has come: with --from the totals measured up front, from a
	 * device its own percentage (may be NULL) */
	ifk_progress_fn progress;
	ifk_waiting_fn waiting; /* --device: a long silence as it lasts (may be NULL) */
	void *progress_ctx;     /* for both */
	/* may be NULL: receives the anomalies listed in the record (a new
	 * reference: the caller json_decrefs it), also when not sealed */
	json_t **anomalies_out;
};

#define IFK_DEVICE_WAIT_START_S 1800 /* a large backup's snapshot and Manifest.db */
#define IFK_DEVICE_WAIT_FILE_S 300
#define IFK_DEVICE_WAIT_NEXT_S 1800

struct ifk_acquire_result {
	uint64_t files, bytes, dirs;
	unsigned long anomalies;
	int sealed;             /* 1: the bag is complete and sealed at opts->out */
	int sealed_unpublished; /* sealed, but the final rename (or sync) failed: the
	                           sealed bag is in folder, under its .incomplete name */
	char folder[PATH_MAX];  /* where the evidence is: the bag or the incomplete folder */
	char genesis[65];       /* hash of the first custody entry */
	char tagmanifest_sha256[65];
};

/* Imports opts->source into a bag at opts->out. Writes under
 * opts->out + ".incomplete" and renames only once sealed; on any error or
 * stop the incomplete folder is kept, with an unsealed record saying why.
 * Returns 0 when sealed (anomalies, if any, are counted in r). */
int ifk_acquire_folder(const struct ifk_acquire_opts *o, struct ifk_acquire_result *r,
                       struct ifk_error *err);

/* Takes a full backup from a connected device through lockdownd and the
 * mobilebackup2 service straight into a bag at opts->out, hashing every
 * byte as it arrives. Sealed only when the device ends with ErrorCode 0 and
 * a Status.plist saying "finished"; otherwise the incomplete folder is kept
 * with a record saying why. IFK_ENOTFOUND: no device; IFK_EPASSWORD: the
 * device is locked or the host is not trusted (err says what to do). */
int ifk_acquire_device(const struct ifk_acquire_opts *o, struct ifk_acquire_result *r,
                       struct ifk_error *err);

#endif
