/* Internal to the device acquisition: one session with one device. */
#ifndef IFK_DEVICE_INT_H
#define IFK_DEVICE_INT_H

#include <libimobiledevice/afc.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <libimobiledevice/mobilebackup2.h>
#include <libimobiledevice/notification_proxy.h>
#include <plist/plist.h>
#include <signal.h>
#include <sqlite3.h>
#include <time.h>

#include "acquire_int.h"

struct dev {
	struct acq *a;
	idevice_t device;
	lockdownd_client_t lockdown;
	np_client_t np;
	afc_client_t afc;
	uint64_t lockfile;
	mobilebackup2_client_t mb2;
	char *udid;
	sqlite3 *work;                   /* received files: path, sha256, size */
	volatile sig_atomic_t cancelled; /* the device asked to cancel */
	int finished;                    /* the final Response came */
	int64_t error_code;              /* its ErrorCode */
	char error_desc[256];
	int protocol_error; /* the stream cannot be trusted any more */
	char protocol_msg[512];
	time_t last_data; /* the last time anything arrived */
	json_t *log;      /* the transfer: per-file errors, moves, removes, refusals */
	double device_progress;
};

/* devicelink.c: the DeviceLink message loop, a table of handlers */
int dl_run(struct dev *d, struct ifk_error *err);
/* Stores a file that the host itself writes (Info.plist) into data/. */
int dl_store_buffer(struct dev *d, const char *rel, const void *buf, size_t len,
                    struct ifk_error *err);
/* Writes the payload manifest from the received files. */
int dl_write_manifest(struct dev *d, struct ifk_error *err);
void dl_note(struct dev *d, const char *kind, const char *path, const char *detail);

#endif
