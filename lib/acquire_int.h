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
	char *tmp_path, *src_abs, *out;
	int sealed_written; /* the seal exists: the record must stay as sealed */
};

void acq_anomaly(struct acq *a, const char *kind, const char *path, const char *detail);
void acq_progress(struct acq *a, uint64_t more_bytes);
int acq_copy_tree(struct acq *a, struct ifk_error *err);

#endif
