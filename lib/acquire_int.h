/* Internal to the acquire module: the state of one import. */
#ifndef IFK_ACQUIRE_INT_H
#define IFK_ACQUIRE_INT_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <time.h>

#include "ifk/acquire.h"
#include "ifk/backup.h"
#include "ifk/bag.h"

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
	uint64_t files, bytes, dirs, progress_mark;
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
void acq_progress(struct acq *a, uint64_t more_bytes);
int acq_copy_tree(struct acq *a, struct ifk_error *err);

#endif
