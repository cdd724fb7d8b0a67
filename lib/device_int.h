/* Internal to the device acquisition: one session with one device. */
#ifndef IFK_DEVICE_INT_H
#define IFK_DEVICE_INT_H

#include <libimobiledevice/afc.h>
#include <openssl/evp.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <libimobiledevice/notification_proxy.h>
#include <plist/plist.h>
#include <signal.h>
#include <sqlite3.h>
#include <time.h>

#include "acquire_int.h"
#include "ifk/plist.h"

struct dev {
	struct acq *a;
	idevice_t device;
	lockdownd_client_t lockdown;
	np_client_t np;
	afc_client_t afc;
	uint64_t lockfile;
	idevice_connection_t conn; /* the mobilebackup2 service */
	char *udid;
	sqlite3 *work;                   /* received files: path, sha256, size */
	int work_failed;                 /* a change to work failed: its records may be stale */
	volatile sig_atomic_t cancelled; /* the device asked to cancel */
	int finished;                    /* the final Response came */
	int64_t error_code;              /* its ErrorCode */
	char error_desc[256];
	char protocol_msg[512];
	time_t last_data; /* the last time anything arrived */
	json_t *log;      /* the transfer: per-file errors, moves, removes, refusals */
	double device_progress;
	struct dlsink *sink; /* hashes and writes while the next chunk arrives */
};

/* dlsink.c: a worker thread that hashes and writes received chunks */
struct dlsink;
int dlsink_start(struct dlsink **out, struct ifk_error *err);
uint8_t *dlsink_buffer(struct dlsink *s);
void dlsink_submit(struct dlsink *s, uint32_t len, EVP_MD_CTX *md, int fd);
int dlsink_drain(struct dlsink *s);
void dlsink_stop(struct dlsink *s);

/* dlconn.c: the service connection and DeviceLink framing */
int dlc_open(struct dev *d, lockdownd_service_descriptor_t svc, struct ifk_error *err);
int dlc_handshake(struct dev *d, struct ifk_error *err);
int dlc_recv_some(struct dev *d, void *buf, uint32_t n, uint32_t *got, struct ifk_error *err);
int dlc_send_raw(struct dev *d, const void *buf, uint32_t n, struct ifk_error *err);
int dlc_send_plist(struct dev *d, plist_t p, struct ifk_error *err);
int dlc_recv_plist(struct dev *d, plist_t *out, struct ifk_error *err);
int dlc_process_message(struct dev *d, plist_t dict, struct ifk_error *err);
int dlc_status(struct dev *d, int code, const char *desc, plist_t payload, struct ifk_error *err);
void dlc_disconnect(struct dev *d);
void dlc_close(struct dev *d);

/* devicelink.c: the DeviceLink message loop, a table of handlers */
/* The work database of received files and the transfer log (d->work,
 * d->log; close_device in device.c releases them). */
int dl_open_work(struct dev *d, struct ifk_error *err);
/* Reads exactly n bytes, within the stall timeout and the stop flag. */
int dl_read_exact(struct dev *d, void *buf, uint32_t n, struct ifk_error *err);
/* Reads the device's messages from d->conn and answers each through the
 * handlers until the final response, a disconnect or an error. Needs
 * dl_open_work; the fuzzing harness tests/fuzz/fuzz_devicelink.c drives it
 * over a connection replaced at link time. */
int dl_run(struct dev *d, struct ifk_error *err);
/* Stores a file that the host itself writes (Info.plist) into data/. */
int dl_store_buffer(struct dev *d, const char *rel, const void *buf, size_t len,
                    struct ifk_error *err);
/* Writes the payload manifest from the received files. */
int dl_write_manifest(struct dev *d, struct ifk_error *err);
void dl_note(struct dev *d, const char *kind, const char *path, const char *detail);
void dl_refresh_captures(struct dev *d);
/* Non-zero (with err) when the user stopped, the device cancelled, or
 * nothing moved for the timeout. */
int dl_stalled(struct dev *d, struct ifk_error *err);

#endif
