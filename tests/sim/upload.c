/* DLMessageUploadFiles: the raw stream after the message. Per file: be32
 * length + device path, be32 length + host path ("<udid>/<relative>"), data
 * blocks be32(n+1) 0x0C <n bytes>, then be32 1 0x00 on success or
 * be32(m+1) 0x0B <message> for a device-side error; be32 0 after the last
 * file. Files are read from disk one chunk at a time.
 *
 * The data faults hit one file (the largest data file, or --fault-file),
 * halfway through its data. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devsim.h"

#define CODE_DATA 0x0C
#define CODE_SUCCESS 0x00
#define CODE_ERROR 0x0B
#define LONG_NAME 5000 /* over the 4096 limit hosts apply */
#define DATA_FAULTS                                                                                \
	(FAULT_DROP_MID_FILE | FAULT_CORRUPT_BYTE | FAULT_STALL | FAULT_FILE_ERROR | FAULT_CANCEL)
#define MAX_STATUS_PLIST (1024u * 1024u)

enum { SENT_FILE = -1 }; /* file finished, stream goes on */

struct up {
	struct dl *d;
	struct sim *s;
	unsigned char *buf; /* 5 header bytes + one chunk */
};

/* Where a file's bytes come from: an open file or memory. */
struct src {
	int fd;
	const unsigned char *mem;
	uint64_t size;
};

static int up_write(struct up *u, const void *p, size_t n)
{
	if (conn_write(u->d->c, p, n) < 0) {
		u->d->dead = 1;
		return UP_IOERR;
	}
	return UP_OK;
}

static int send_names(struct up *u, const char *name, size_t len)
{
	unsigned char *p = sim_xmalloc(2 * len + 8);
	int rc;

	/* the device path and the host path are the same string here */
	put_be32(p, (uint32_t)len);
	memcpy(p + 4, name, len);
	put_be32(p + 4 + len, (uint32_t)len);
	memcpy(p + 8 + len, name, len);
	rc = up_write(u, p, 2 * len + 8);
	free(p);
	return rc;
}

static int send_code(struct up *u, unsigned char code, const char *msg)
{
	size_t m = msg ? strlen(msg) : 0;
	unsigned char p[5 + 256];

	if (m > 256)
		m = 256;
	put_be32(p, (uint32_t)m + 1);
	p[4] = code;
	memcpy(p + 5, msg ? msg : "", m);
	return up_write(u, p, 5 + m);
}

/* A device-side error for the current file; the stream goes on. */
static int file_error(struct up *u, const char *msg)
{
	return send_code(u, CODE_ERROR, msg) == UP_OK ? SENT_FILE : UP_IOERR;
}

static int src_read(const struct src *f, unsigned char *p, size_t n, uint64_t off)
{
	if (f->fd < 0) {
		memcpy(p, f->mem + off, n);
		return 0;
	}
	while (n > 0) {
		ssize_t r = pread(f->fd, p, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int cancelled(struct sim *s)
{
	int c;

	pthread_mutex_lock(&s->lock);
	c = s->cancel;
	pthread_mutex_unlock(&s->lock);
	return c;
}

/* The fault's action at the midpoint of the target file's data; UP_OK to go
 * on sending. */
static int midpoint(struct up *u, const struct src *f, uint64_t off, size_t want)
{
	unsigned faults = u->s->o.faults;

	if (faults & FAULT_DROP_MID_FILE) {
		/* connection lost mid-file (cable pulled, device rebooted): a block
		 * header announcing want bytes, half of them, then nothing */
		size_t half = want / 2;

		if (src_read(f, u->buf + 5, half, off) < 0)
			half = 0;
		put_be32(u->buf, (uint32_t)want + 1);
		u->buf[4] = CODE_DATA;
		up_write(u, u->buf, 5 + half);
		sim_log(u->s, "fault drop-mid-file: connection closed at byte %llu",
		        (unsigned long long)(off + half));
		return UP_DROPPED;
	}
	if (faults & FAULT_FILE_ERROR) {
		/* the device cannot read the rest of the file (data protection,
		 * file changed or vanished during the backup) */
		sim_log(u->s, "fault file-error: error after %llu bytes", (unsigned long long)off);
		return file_error(u, "Error reading file: Operation not permitted (EPERM)");
	}
	if (faults & FAULT_STALL) {
		/* the device stops sending (busy, asleep, USB hiccup) */
		sim_log(u->s, "fault stall: %u s at byte %llu", u->s->o.stall_seconds,
		        (unsigned long long)off);
		if (sim_sleep(u->s, u->s->o.stall_seconds))
			return UP_IOERR;
	}
	if (faults & FAULT_CANCEL) {
		/* the user cancels on the device: it relays syncCancelRequest and
		 * stops; the pause lets a polling host see the notification */
		notify_post(u->s, SIM_NP_CANCEL);
		sim_sleep(u->s, 2);
	}
	return UP_OK;
}

/* Data blocks and the end code of one file; target: the faults apply. */
static int send_data(struct up *u, const struct src *f, int target)
{
	uint64_t off = 0, mid = f->size / 2;
	int rc;

	while (off < f->size) {
		size_t want = f->size - off < SIM_CHUNK ? (size_t)(f->size - off) : SIM_CHUNK;

		if (cancelled(u->s))
			return send_code(u, CODE_ERROR, "Backup cancelled on the device") == UP_OK
			           ? UP_CANCELLED
			           : UP_IOERR;
		if (target && off < mid && off + want > mid)
			want = (size_t)(mid - off);
		if (target && off == mid && (rc = midpoint(u, f, off, want)) != UP_OK)
			return rc;
		if (src_read(f, u->buf + 5, want, off) < 0)
			return file_error(u,
			                  "Error reading file: the file changed during the backup");
		if (target && off == mid && (u->s->o.faults & FAULT_CORRUPT_BYTE)) {
			/* a byte flipped in transit, which the protocol cannot see */
			u->buf[5] ^= 0xFF;
			sim_log(u->s, "fault corrupt-byte: byte %llu flipped",
			        (unsigned long long)off);
		}
		put_be32(u->buf, (uint32_t)want + 1);
		u->buf[4] = CODE_DATA;
		if (up_write(u, u->buf, 5 + want) != UP_OK)
			return UP_IOERR;
		off += want;
	}
	return send_code(u, CODE_SUCCESS, NULL) == UP_OK ? SENT_FILE : UP_IOERR;
}

static int send_mem(struct up *u, const char *name, size_t len, const void *data, size_t n)
{
	struct src f = {.fd = -1, .mem = data, .size = n};
	int rc = send_names(u, name, len);

	return rc == UP_OK ? send_data(u, &f, 0) : rc;
}

/* Status.plist with SnapshotState "uploading": a device that did not
 * finish its snapshot (--fault unfinished). */
static int send_unfinished_status(struct up *u, const char *name, int fd)
{
	struct stat st;
	plist_t p = NULL;
	char *buf, *bin = NULL;
	uint32_t len = 0;
	int rc;

	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > MAX_STATUS_PLIST)
		return send_names(u, name, strlen(name)) == UP_OK
		           ? file_error(u, "bad Status.plist")
		           : UP_IOERR;
	buf = sim_xmalloc((size_t)st.st_size);
	if (pread(fd, buf, (size_t)st.st_size, 0) == st.st_size)
		plist_from_memory(buf, (uint32_t)st.st_size, &p);
	free(buf);
	if (!p)
		p = plist_new_dict();
	plist_dict_set_item(p, "SnapshotState", plist_new_string("uploading"));
	plist_to_bin(p, &bin, &len);
	plist_free(p);
	sim_log(u->s, "fault unfinished: Status.plist says uploading");
	rc = send_mem(u, name, strlen(name), bin, len);
	plist_to_bin_free(bin);
	return rc;
}

static int send_file(struct up *u, const struct up_file *f, int target)
{
	char name[8192], path[8192];
	struct src src = {.fd = -1};
	struct stat st;
	int rc;

	snprintf(name, sizeof(name), "%s/%s", u->s->udid, f->rel);
	snprintf(path, sizeof(path), "%s/%s", u->s->o.backup_dir, f->rel);
	src.fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (src.fd >= 0 && (u->s->o.faults & FAULT_UNFINISHED) &&
	    strcmp(f->rel, "Status.plist") == 0)
		rc = send_unfinished_status(u, name, src.fd);
	else if ((rc = send_names(u, name, strlen(name))) != UP_OK)
		;
	else if (src.fd < 0 || fstat(src.fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = file_error(u, "Error opening file: No such file or directory (ENOENT)");
	else {
		src.size = (uint64_t)st.st_size;
		rc = send_data(u, &src, target);
	}
	if (src.fd >= 0)
		close(src.fd);
	return rc;
}

/* --fault hostile-paths: names a host must refuse. The first three go
 * before the index files, the over-long one (a protocol error) last. */
static int send_hostile(struct up *u, int long_one)
{
	static const char body[] = "ifk-devsim: a file with a hostile name\n";
	char name[LONG_NAME + 1];
	int n, rc;

	if (long_one) {
		n = snprintf(name, sizeof(name), "%s/", u->s->udid);
		memset(name + n, 'A', (size_t)(LONG_NAME - n));
		sim_log(u->s, "fault hostile-paths: a %d-byte name", LONG_NAME);
		return send_mem(u, name, LONG_NAME, body, sizeof(body) - 1);
	}
	n = snprintf(name, sizeof(name), "%s/../escape.txt", u->s->udid);
	rc = send_mem(u, name, (size_t)n, body, sizeof(body) - 1);
	if (rc == SENT_FILE) {
		n = snprintf(name, sizeof(name), "%s/nul", u->s->udid);
		memcpy(name + n, "\0name.txt", 9);
		rc = send_mem(u, name, (size_t)n + 9, body, sizeof(body) - 1);
	}
	if (rc == SENT_FILE)
		rc = send_mem(u, "/etc/evil", 9, body, sizeof(body) - 1);
	sim_log(u->s, "fault hostile-paths: sent ../escape.txt, a name with NUL, /etc/evil");
	return rc;
}

static int is_index(const char *rel)
{
	return strncmp(rel, "Manifest.", 9) == 0 || strcmp(rel, "Status.plist") == 0;
}

/* The file the data faults hit: --fault-file, else the largest data file
 * (index files aside); n when none of at least 2 bytes. */
static size_t pick_target(struct sim *s, const struct up_list *l)
{
	size_t i, best = l->n;

	if (!(s->o.faults & DATA_FAULTS))
		return l->n;
	for (i = 0; i < l->n; i++) {
		const struct up_file *f = &l->files[i];

		if (s->o.fault_file) {
			if (strcmp(f->rel, s->o.fault_file) == 0) {
				best = i;
				break;
			}
		} else if (!is_index(f->rel) && (best == l->n || f->size > l->files[best].size)) {
			best = i;
		}
	}
	if (best < l->n && l->files[best].size < 2)
		best = l->n;
	sim_log(s, "fault target: %s", best < l->n ? l->files[best].rel : "(none)");
	return best;
}

/* --fault slow-manifest: a device with a large file index is silent
 * while it writes its Manifest.db, between the data files and the index. */
static int slow_manifest(struct up *u, const char *rel)
{
	sim_log(u->s, "fault slow-manifest: silent for %u s before %s", u->s->o.stall_seconds, rel);
	return sim_sleep(u->s, u->s->o.stall_seconds) ? UP_IOERR : SENT_FILE;
}

static int stream(struct up *u, const struct up_list *l, size_t target)
{
	int hostile = (u->s->o.faults & FAULT_HOSTILE_PATHS) != 0, rc = SENT_FILE;
	int slow = (u->s->o.faults & FAULT_SLOW_MANIFEST) != 0;
	size_t i;

	for (i = 0; i < l->n && rc == SENT_FILE; i++) {
		if (slow && strncmp(l->files[i].rel, "Manifest.", 9) == 0) {
			slow = 0;
			if ((rc = slow_manifest(u, l->files[i].rel)) != SENT_FILE)
				break;
		}
		if (hostile && is_index(l->files[i].rel)) {
			rc = send_hostile(u, 0);
			hostile = 0;
			if (rc != SENT_FILE)
				break;
		}
		rc = send_file(u, &l->files[i], i == target);
	}
	if (rc == SENT_FILE && hostile)
		rc = send_hostile(u, 0);
	if (rc == SENT_FILE && (u->s->o.faults & FAULT_HOSTILE_PATHS) && !u->s->o.no_long_name)
		rc = send_hostile(u, 1);
	return rc == SENT_FILE ? UP_OK : rc;
}

int upload_batch(struct dl *d, const struct up_list *l)
{
	struct up u = {.d = d, .s = d->s};
	plist_t msg = dl_msg("DLMessageUploadFiles");
	unsigned char end[4] = {0, 0, 0, 0};
	int rc;

	plist_array_append_item(msg, plist_new_dict());
	plist_array_append_item(msg, plist_new_real(0.0));
	plist_array_append_item(msg, plist_new_uint(l->total));
	if (dl_send(d, msg) < 0)
		return UP_IOERR;
	u.buf = sim_xmalloc(5 + SIM_CHUNK);
	rc = stream(&u, l, pick_target(d->s, l));
	if (rc == UP_OK || rc == UP_CANCELLED)
		if (up_write(&u, end, 4) != UP_OK)
			rc = UP_IOERR;
	free(u.buf);
	sim_log(d->s, "backup: upload batch of %zu files ended (%d)", l->n, rc);
	return rc;
}
