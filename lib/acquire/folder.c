/* ifk-acquire --from: the source checked to be one backup folder, then one
 * pass over it, each byte read once, copied into the bag's data/ and
 * hashed; the bag writer (bagwriter.c) does the rest. */
#include <ifk/acquire.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acquire_int.h"
#include "formats.h"
#include "evidence.h"
#include "core.h"

#define MAX_DEPTH 32

static void anomaly_errno(struct acq *a, const char *kind, const char *path, const char *what,
                          int e)
{
	char detail[256];

	snprintf(detail, sizeof(detail), "%s: %s", what, strerror(e));
	acq_anomaly(a, kind, path, detail);
}

static int changed(const struct stat *x, const struct stat *y)
{
	return x->st_size != y->st_size || x->st_mtim.tv_sec != y->st_mtim.tv_sec ||
	       x->st_mtim.tv_nsec != y->st_mtim.tv_nsec || x->st_ctim.tv_sec != y->st_ctim.tv_sec ||
	       x->st_ctim.tv_nsec != y->st_ctim.tv_nsec;
}

/* What each chunk of a copied file also feeds: the captured metadata plist
 * (when it is one) and the progress line. */
struct copying {
	struct acq *a;
	struct acq_capture *cap;
	uint64_t bytes;
};

static void copied_chunk(void *ctx, const uint8_t *buf, size_t n)
{
	struct copying *c = ctx;

	acq_capture_bytes(c->cap, buf, n);
	c->bytes += n;
	acq_progress(c->a, c->bytes);
}

/* Copies src_fd to dst_fd through the one copy loop, hashing as it goes.
 * Returns 0, a negative code for a bag-side failure (fatal), or 1 when the
 * source failed mid-way (*read_errno). */
static int copy_stream(struct acq *a, int src_fd, int dst_fd, const char *rel, uint64_t size,
                       uint64_t *bytes, uint8_t md[32], int *read_errno, struct ifk_error *err)
{
	struct copying cc = {a, acq_capture_for(a, rel), 0};
	/* one buffer for every file; no read to see the end of a file whose
	 * size fstat gave (copy_file's fstat after sees one that grew); a large
	 * file's pages go to disk while the rest is copied */
	struct ifk_copy c = {.md = a->file_md, .out_fd = dst_fd, .chunk = copied_chunk,
	                     .ctx = &cc, .stop = a->o->stop, .buf = a->buf, .size = size,
	                     .writeback = 1};
	unsigned int mdlen = 0;
	int rc;

	if (cc.cap)
		cc.cap->seen = 1;
	EVP_DigestInit_ex(a->file_md, EVP_sha256(), NULL);
	rc = ifk_copy_fd(src_fd, &c, rel, err);
	*bytes = c.bytes;
	*read_errno = c.read_errno;
	if (rc >= 0)
		EVP_DigestFinal_ex(a->file_md, md, &mdlen);
	return rc;
}

static int copy_file(struct acq *a, int sfd, int dfd, const char *name, const char *rel,
                     struct ifk_error *err)
{
	struct stat before, after;
	uint8_t md[32];
	char hex[65];
	uint64_t bytes = 0;
	int src, dst, read_errno = 0, rc;

	src = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (src < 0) {
		anomaly_errno(a, "unreadable", rel, "not copied: cannot open", errno);
		return 0;
	}
	if (fstat(src, &before) != 0 || !S_ISREG(before.st_mode)) {
		acq_anomaly(a, "changed", rel, "not copied: no longer a regular file");
		close(src);
		return 0;
	}
	dst = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (dst < 0) {
		close(src);
		return ifk_error_sys(err, IFK_EIO, errno, "cannot create data/%s in the bag", rel);
	}
	if (before.st_size > IFK_IO_CHUNK) /* read-ahead advice only pays beyond one read */
		posix_fadvise(src, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = copy_stream(a, src, dst, rel, (uint64_t)before.st_size, &bytes, md, &read_errno, err);
	if (rc == 1) {
		char d[300];
		snprintf(d, sizeof(d), "partial: read failed after %llu bytes: %s",
		         (unsigned long long)bytes, strerror(read_errno));
		acq_anomaly(a, "read-error", rel, d);
		rc = 0;
	} else if (rc == 0 && (fstat(src, &after) != 0 || changed(&before, &after) ||
	                       bytes != (uint64_t)before.st_size)) {
		acq_anomaly(
		    a, "changed", rel,
		    "the source file changed while it was copied: the bag holds the bytes read");
	}
	if (rc == 0) {
		struct timespec times[2] = {before.st_atim, before.st_mtim};
		futimens(dst, times);
	}
	close(src);
	if (close(dst) != 0 && rc == 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "data/%s: write failed", rel);
	if (rc)
		return rc;
	ifk_hex(md, 32, hex);
	a->files++;
	a->bytes += bytes;
	acq_progress(a, 0);
	return acq_manifest_line(a, hex, rel, err);
}

static int walk(struct acq *a, int sfd, int dfd, const char *rel, int depth, struct ifk_error *err);

static int copy_dir(struct acq *a, int sfd, int dfd, const char *name, const char *rel, int depth,
                    struct ifk_error *err)
{
	int s2, d2, rc;

	if (depth >= MAX_DEPTH) {
		acq_anomaly(a, "skipped", rel, "not copied: folders nested too deep");
		return 0;
	}
	s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s2 < 0) {
		anomaly_errno(a, "unreadable", rel, "folder not copied: cannot open", errno);
		return 0;
	}
	if (mkdirat(dfd, name, 0755) != 0 ||
	    (d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		close(s2);
		return ifk_error_sys(err, IFK_EIO, errno, "cannot create data/%s in the bag", rel);
	}
	a->dirs++;
	rc = walk(a, s2, d2, rel, depth + 1, err);
	close(s2);
	close(d2);
	return rc;
}

static int copy_entry(struct acq *a, int sfd, int dfd, const char *name, const char *rel, int depth,
                      struct ifk_error *err)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		anomaly_errno(a, "unreadable", rel, "not copied: cannot stat", errno);
		return 0;
	}
	if (S_ISDIR(st.st_mode) && depth == 0 && strcmp(name, IFK_BACKUP_SNAPSHOT_DIR) == 0)
		acq_anomaly(
		    a, "interrupted", rel,
		    "a Snapshot folder: Finder or iTunes left a backup that did not complete; "
		    "copied as found");
	if (S_ISDIR(st.st_mode))
		return copy_dir(a, sfd, dfd, name, rel, depth, err);
	if (S_ISREG(st.st_mode))
		return copy_file(a, sfd, dfd, name, rel, err);
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(sfd, name, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		acq_anomaly(a, "symlink", rel, target);
		return 0;
	}
	acq_anomaly(a, "special", rel, "not copied: not a regular file, folder or symlink");
	return 0;
}

struct level {
	struct acq *a;
	int sfd, dfd, depth;
	struct ifk_error *err;
};

static int copy_one(void *ctx, const char *name, const char *rel)
{
	struct level *l = ctx;

	return copy_entry(l->a, l->sfd, l->dfd, name, rel, l->depth, l->err);
}

static int walk(struct acq *a, int sfd, int dfd, const char *rel, int depth, struct ifk_error *err)
{
	struct level l = {a, sfd, dfd, depth, err};
	int list_errno = 0, rc = ifk_dir_foreach(sfd, rel, copy_one, &l, &list_errno);

	if (rc == IFK_ENOMEM)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc && list_errno)
		anomaly_errno(a, "unreadable", rel ? rel : ".", "folder not listed, or not wholly",
		              list_errno);
	return rc;
}

/* The source's regular files and their bytes, counted up front (names and
 * sizes only) for the progress line; what the copy finds is what counts. */
struct measure {
	int fd, depth;
	uint64_t *files, *bytes;
};

static int measure_one(void *ctx, const char *name, const char *rel)
{
	struct measure *m = ctx, sub;
	struct stat st;
	int list_errno = 0, rc = 0;

	(void)rel;
	if (fstatat(m->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (S_ISREG(st.st_mode)) {
		(*m->files)++;
		*m->bytes += (uint64_t)st.st_size;
	} else if (S_ISDIR(st.st_mode) && m->depth + 1 < MAX_DEPTH) {
		sub = *m;
		sub.depth++;
		sub.fd = openat(m->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub.fd >= 0) {
			rc = ifk_dir_foreach(sub.fd, NULL, measure_one, &sub, &list_errno);
			close(sub.fd);
		}
	}
	return rc;
}

int acq_copy_tree(struct acq *a, struct ifk_error *err)
{
	struct measure m = {a->src_fd, 0, &a->files_total, &a->bytes_total};
	int list_errno = 0;

	if (a->o->progress)
		ifk_dir_foreach(a->src_fd, NULL, measure_one, &m, &list_errno);
	return walk(a, a->src_fd, a->data_fd, NULL, 0, err);
}

/* A backup folder holds Manifest.plist and an index; the folder above it
 * holds one folder per device: those are named. */
static int check_source(int fd, const char *path, struct ifk_error *err)
{
	if (ifk_is_backup_folder(fd))
		return 0;
	return ifk_collection_refuse(fd, path, IFK_COLLECT_BACKUPS,
	                             "not an iOS backup folder (no Manifest.plist, Manifest.db or "
	                             "Manifest.mbdb)",
	                             err);
}

static int setup_folder(struct acq *a, struct ifk_error *err)
{
	const struct ifk_acquire_opts *o = a->o;
	char resolved[PATH_MAX];

	a->method = "folder-import";
	a->src_fd = open(o->source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->src_fd < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open the source folder",
		                     o->source);
	a->src_abs = strdup(realpath(o->source, resolved) ? resolved : o->source);
	if (!a->src_abs)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	a->source = json_pack("{s:s, s:s}", "kind", "folder", "path", a->src_abs);
	if (check_source(a->src_fd, o->source, err))
		return err ? err->code : IFK_EFORMAT;
	return acq_open_bag(a, err);
}

int ifk_acquire_folder(const struct ifk_acquire_opts *o, struct ifk_acquire_result *r,
                       struct ifk_error *err)
{
	struct acq a = {.o = o, .src_fd = -1, .bag_fd = -1, .data_fd = -1, .device_percent = -1};
	int rc;

	memset(r, 0, sizeof(*r));
	a.started = time(NULL);
	rc = setup_folder(&a, err);
	if (!rc)
		rc = acq_copy_tree(&a, err);
	return acq_complete(&a, rc, r, err);
}
