/* Internal to the acquire module: the state of one import. */
#ifndef IFK_ACQUIRE_INT_H
#define IFK_ACQUIRE_INT_H

#include <jansson.h>
#include <libimobiledevice/afc.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <libimobiledevice/notification_proxy.h>
#include <openssl/evp.h>
#include <plist/plist.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <ifk/acquire.h>
#include "core.h"
#include "formats.h"
#include "evidence.h"

#define ACQ_NCAPTURE 3

/* Small top-level plists are kept in memory as they are copied, so that
 * their content is read from the source once. */
struct acq_capture {
	const char *name;
	struct ifk_buf buf;
	size_t len;
	int overflow;
	int seen;
};

struct acq {
	const struct ifk_acquire_opts *o;
	int src_fd, bag_fd, data_fd;
	FILE *manifest;
	EVP_MD_CTX *manifest_md, *file_md;
	uint8_t *buf;
	json_t *anomalies;
	unsigned long anomaly_count;
	uint64_t files, bytes, dirs;
	uint64_t files_total, bytes_total; /* measured up front for the progress line, or 0 */
	struct acq_capture capture[ACQ_NCAPTURE];
	time_t started, ended;
	double device_percent; /* -1 unless a device reports its progress */
	char *tmp_path, *src_abs, *out;
	const char *method; /* "folder-import", "device-backup" */
	json_t *source;     /* the record's source object */
	json_t *extra;      /* method-specific members of the record */
	int sealed_written; /* the seal exists: the record must stay as sealed */
};

void acq_anomaly(struct acq *a, const char *kind, const char *path, const char *detail);
/* Opens the bag under its .incomplete name (a->o, a->method and a->source
 * set by the caller). */
int acq_open_bag(struct acq *a, struct ifk_error *err);
/* Appends one payload manifest line (rel below data/). */
int acq_manifest_line(struct acq *a, const char *hex, const char *rel, struct ifk_error *err);
/* The top-level plist rel is, when it is one, so that its bytes are kept
 * as they pass; NULL otherwise. */
struct acq_capture *acq_capture_for(struct acq *a, const char *rel);
void acq_capture_bytes(struct acq_capture *c, const uint8_t *buf, size_t n);
/* Ends an acquisition whatever rc says: seals and publishes when rc is 0,
 * otherwise keeps the incomplete folder with a record saying why; fills r
 * and releases a. Returns the final code. */
int acq_complete(struct acq *a, int rc, struct ifk_acquire_result *r, struct ifk_error *err);
/* Tells the caller how far the acquisition has come: more_bytes of the
 * file under way beyond a->bytes. */
void acq_progress(struct acq *a, uint64_t more_bytes);
int acq_copy_tree(struct acq *a, struct ifk_error *err);

/* Paths a device sends during a backup. */

#define IFK_DEVICE_NAME_MAX 4096 /* longer names are refused */

/* Maps a path the device sent, "<udid>/rel" (len bytes, as received), to
 * rel below the bag's data/ folder, refusing anything that could leave it:
 * a NUL inside, more than IFK_DEVICE_NAME_MAX bytes, an absolute path,
 * another first component than the UDID, and "..", "." or empty
 * components. Returns 0 with *rel malloc'd ("" for the backup folder
 * itself), or -1 with *why saying what was wrong. */
int ifk_device_path(const char *udid, const char *devpath, size_t len, char **rel,
                    const char **why);

/* Internal to the device acquisition: one session with one device. */

/* What the host waits for while the device is silent: each has its own
 * stall limit (acq_dl_stalled). */
enum acq_wait {
	ACQ_WAIT_START, /* the first file: the device prepares the backup */
	ACQ_WAIT_FILE,  /* the rest of a file that has begun */
	ACQ_WAIT_NEXT,  /* the next file or message, or the final status */
	ACQ_NWAIT
};

struct dev {
	struct acq *a;               /* the bag writer: device.c and dl_store.c only */
	unsigned timeout_s;          /* a cap on every wait (--timeout), 0: none */
	unsigned wait_s[ACQ_NWAIT];  /* each wait's limit, 0: its default */
	int wait;                    /* enum acq_wait: what silence now means */
	unsigned longest[ACQ_NWAIT]; /* the longest silence in each, for the record */
	volatile sig_atomic_t *stop; /* the user's Ctrl-C, or NULL */
	idevice_t device;
	lockdownd_client_t lockdown;
	np_client_t np;
	pthread_t np_end; /* ends np while the bag is sealed (device.c) */
	int np_ending;    /* np_end runs: joined before the device is freed */
	afc_client_t afc;
	uint64_t lockfile;
	idevice_connection_t conn; /* the mobilebackup2 service */
	char *udid;
	sqlite3 *work;                   /* received files: path, sha256, size */
	sqlite3_stmt *record;            /* its insert, prepared once */
	int work_failed;                 /* a change to work failed: its records may be stale */
	volatile sig_atomic_t cancelled; /* the device asked to cancel */
	int finished;                    /* the final Response came */
	int64_t error_code;              /* its ErrorCode */
	char error_desc[256];
	char protocol_msg[512];
	time_t last_data; /* the last time anything arrived */
	time_t noted;     /* the silence last told to the progress callback */
	json_t *log;      /* the transfer: per-file errors, moves, removes, refusals */
	double device_progress;
	struct acq_dl_sink *sink; /* hashes and writes while the next chunk arrives */
	struct acq_dl_dir *dirs;  /* folders of data/ kept open, by path (dl_store.c) */
	int tls;                  /* the service runs TLS: no reading ahead (see dl_frame.c) */
	uint8_t *rx;              /* bytes received ahead of what was asked for */
	uint32_t rx_pos, rx_len;  /* what of rx is not yet taken */
	struct ifk_error fatal;   /* a write into the bag failed: the acquisition stops */
	int64_t free_answered;    /* the free space told to the device, or -1 */
	int reserve_fd;           /* the room kept for the record (ACQ_DL_RESERVE), or -1 */
};

/* dl_store.c: the backup folder as the device writes it, inside the bag
 * writer's data/; the DeviceLink handlers reach the bag writer through
 * these alone. rel is a path below data/ that ifk_device_path made. */
struct acq_dl_file {
	char *name;  /* as the device sent it */
	char *rel;   /* below data/, or NULL when refused */
	int dir, fd; /* its folder (not owned: see acq_dl_forget_dirs) and the file, or -1 */
	const char *leaf;
	uint64_t size;
	uint8_t *cur;  /* the sink's buffer being filled, or NULL */
	uint32_t fill; /* bytes in cur */
	int handed;    /* some of the file went to the sink's worker */
};
void acq_dl_note(struct dev *d, const char *kind, const char *path, const char *detail);
void acq_dl_event(struct dev *d, const char *kind, const char *path, const char *detail);
void acq_dl_file_open(struct dev *d, struct acq_dl_file *f, uint32_t name_len);
/* Where the next received bytes of f go (f NULL: bytes to discard), and
 * how many fit there; acq_dl_file_took then takes n of them. */
uint8_t *acq_dl_file_room(struct dev *d, struct acq_dl_file *f, uint32_t *room);
void acq_dl_file_took(struct dev *d, struct acq_dl_file *f, uint32_t n);
/* Closes the folders kept open for the files arriving (after a move or a
 * removal, and at the end). */
void acq_dl_forget_dirs(struct dev *d);
/* A write into the bag (prefix and rel, e.g. "data/" "ab/cd") failed with errno e:
 * the acquisition stops at once; a full disk is named with its free
 * space. The first failure is kept in d->fatal. */
void acq_dl_write_failed(struct dev *d, const char *prefix, const char *rel, int e);
/* d->fatal into err: 0 unless a write into the bag failed. */
int acq_dl_check(struct dev *d, struct ifk_error *err);
/* The room kept beside data/ so that the record of an acquisition that
 * filled the disk can still say why; released before the bag is closed. */
#define ACQ_DL_RESERVE (4 * 1024 * 1024)
void acq_dl_reserve(struct dev *d);
void acq_dl_unreserve(struct dev *d);
int acq_dl_file_done(struct dev *d, struct acq_dl_file *f, struct ifk_error *err);
void acq_dl_file_drop(struct dev *d, struct acq_dl_file *f, const char *kind, const char *why);
void acq_dl_file_free(struct acq_dl_file *f);
int acq_dl_mkdir(struct dev *d, const char *rel);
int acq_dl_move(struct dev *d, const char *src, const char *dst, const char **why);
void acq_dl_remove(struct dev *d, const char *path, const char *rel, int *code);
int acq_dl_copy(struct dev *d, const char *dst_name, const char *rs, const char *rd,
                struct ifk_error *err);
plist_t acq_dl_list(struct dev *d, const char *rel);
int acq_dl_free_bytes(struct dev *d, uint64_t *bytes);
void acq_dl_device_percent(struct dev *d, double percent);

/* dl_sink.c: a worker thread that hashes and writes received chunks */
struct acq_dl_sink;
int acq_dl_sink_start(struct acq_dl_sink **out, struct ifk_error *err);
uint8_t *acq_dl_sink_buffer(struct acq_dl_sink *s);
/* Hands the buffer over; returns the errno of a write that failed so far
 * (kept until drained), or 0. */
int acq_dl_sink_submit(struct acq_dl_sink *s, uint32_t len, EVP_MD_CTX *md, int fd);
int acq_dl_sink_drain(struct acq_dl_sink *s);
void acq_dl_sink_stop(struct acq_dl_sink *s);

/* dl_frame.c: the service connection and DeviceLink framing */
int acq_dl_open(struct dev *d, lockdownd_service_descriptor_t svc, struct ifk_error *err);
int acq_dl_handshake(struct dev *d, struct ifk_error *err);
int acq_dl_recv_some(struct dev *d, void *buf, uint32_t n, uint32_t *got, struct ifk_error *err);
int acq_dl_send_raw(struct dev *d, const void *buf, uint32_t n, struct ifk_error *err);
int acq_dl_send_plist(struct dev *d, plist_t p, struct ifk_error *err);
int acq_dl_recv_plist(struct dev *d, plist_t *out, struct ifk_error *err);
int acq_dl_process_message(struct dev *d, plist_t dict, struct ifk_error *err);
int acq_dl_status(struct dev *d, int code, const char *desc, plist_t payload,
                  struct ifk_error *err);
void acq_dl_disconnect(struct dev *d);
void acq_dl_close(struct dev *d);

/* dl_proto.c: the DeviceLink message loop, a table of handlers */
/* The work database of received files and the transfer log (d->work,
 * d->log; close_device in device.c releases them, the database through
 * acq_dl_close_work). */
int acq_dl_open_work(struct dev *d, struct ifk_error *err);
void acq_dl_close_work(struct dev *d);
/* Reads exactly n bytes, within the stall timeout and the stop flag. */
int acq_dl_read_exact(struct dev *d, void *buf, uint32_t n, struct ifk_error *err);
/* Reads the device's messages from d->conn and answers each through the
 * handlers until the final response, a disconnect or an error. Needs
 * acq_dl_open_work; the fuzzing harness tests/fuzz/fuzz_devicelink.c drives it
 * over a connection replaced at link time. */
int acq_dl_run(struct dev *d, struct ifk_error *err);
/* Stores a file that the host itself writes (Info.plist) into data/. */
int acq_dl_store_buffer(struct dev *d, const char *rel, const void *buf, size_t len,
                        struct ifk_error *err);
/* Writes the payload manifest from the received files. */
int acq_dl_write_manifest(struct dev *d, struct ifk_error *err);
void acq_dl_refresh_captures(struct dev *d);
/* Non-zero (with err) when the user stopped, the device cancelled, or
 * nothing moved for longer than the limit of what is waited for (d->wait);
 * a long silence is told to the progress callback as it lasts. */
int acq_dl_stalled(struct dev *d, struct ifk_error *err);
/* Something arrived: the silence ends (its length kept for the record). */
void acq_dl_heard(struct dev *d);
/* Each wait's limit in seconds, after the --timeout cap; *opt names the
 * option that set it. */
unsigned acq_dl_wait_limit(const struct dev *d, int wait, const char **opt);

#endif
