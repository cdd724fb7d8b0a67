/* The backup folder as the device writes it: every DeviceLink handler of
 * dl_proto.c reaches the bag writer through these functions and nothing
 * else. A file arriving is hashed and written (by the sink's worker while
 * the next block arrives) and recorded once whole; folders are made,
 * moved, removed and copied inside data/ without leaving it; what the
 * device asked for is kept in the record. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "acquire_int.h"

static int stops(int e);

void acq_dl_note(struct dev *d, const char *kind, const char *path, const char *detail)
{
	char shown[320];
	size_t n = path ? strlen(path) : 0;

	/* a long name is cut (escaping in acq_anomaly mends a split character) */
	snprintf(shown, sizeof(shown), "%.*s%s", (int)(n > 300 ? 300 : n), path ? path : "",
	         n > 300 ? "..." : "");
	acq_anomaly(d->a, kind, shown, detail);
}

/* Something the device asked for that is part of a normal backup: kept in
 * the record's transfer log, not an anomaly. */
void acq_dl_event(struct dev *d, const char *kind, const char *path, const char *detail)
{
	char *p, *t;

	if (json_array_size(d->log) >= 10000)
		return;
	p = ifk_text_escape(path);
	t = ifk_text_escape(detail);
	if (p && t)
		json_array_append_new(
		    d->log, json_pack("{s:s, s:s, s:s}", "kind", kind, "path", p, "detail", t));
	free(p);
	free(t);
}

/* Opens the folder that holds rel below data/, component by component,
 * never through a symlink, creating folders when asked. Returns an fd and
 * sets *leaf to the last component (pointing into rel). */
static int open_parent(struct dev *d, const char *rel, int create, const char **leaf)
{
	char *copy = strdup(rel), *save = NULL, *part, *next;
	int fd = dup(d->a->data_fd);

	*leaf = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	if (!copy || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (part = strtok_r(copy, "/", &save); part; part = next) {
		int nfd;
		next = strtok_r(NULL, "/", &save);
		if (!next)
			break;
		if (create && mkdirat(fd, part, 0755) != 0 && errno != EEXIST)
			nfd = -1;
		else
			nfd = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
		if (fd < 0)
			break;
	}
	free(copy);
	return fd;
}

/* The folders of data/ that files arrive in stay open, by path (a backup
 * has 256 hash folders): no folder is opened per file. A move or removal
 * forgets them all, since a kept descriptor follows a renamed folder. */
#define NDIRS 256

struct acq_dl_dir {
	char *path; /* below data/, or NULL */
	int fd;
};

void acq_dl_forget_dirs(struct dev *d)
{
	size_t i;

	for (i = 0; d->dirs && i < NDIRS; i++) {
		if (d->dirs[i].path)
			close(d->dirs[i].fd);
		free(d->dirs[i].path);
	}
	free(d->dirs);
	d->dirs = NULL;
}

static size_t dir_slot(const char *path, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)path[i]) * 16777619u;
	return h % NDIRS;
}

/* The folder that holds rel below data/, made when absent; the descriptor
 * is kept (not the caller's to close). -1 with errno when it cannot be. */
static int parent_dir(struct dev *d, const char *rel, const char **leaf)
{
	const char *slash = strrchr(rel, '/');
	size_t len = slash ? (size_t)(slash - rel) : 0;
	struct acq_dl_dir *e;
	int fd;

	*leaf = slash ? slash + 1 : rel;
	if (!slash)
		return d->a->data_fd;
	if (!d->dirs && !(d->dirs = calloc(NDIRS, sizeof(*d->dirs))))
		return -1;
	e = &d->dirs[dir_slot(rel, len)];
	if (e->path && strncmp(e->path, rel, len) == 0 && e->path[len] == '\0')
		return e->fd;
	if ((fd = open_parent(d, rel, 1, leaf)) < 0)
		return -1;
	if (e->path)
		close(e->fd);
	free(e->path);
	e->path = strndup(rel, len);
	e->fd = fd;
	if (!e->path) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A new file leaf in dir, replacing one the device sent before. */
static int create_file(int dir, const char *leaf)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dir, leaf, flags, 0444);

	if (fd < 0 && errno == EEXIST && unlinkat(dir, leaf, 0) == 0)
		fd = openat(dir, leaf, flags, 0444);
	return fd;
}

/* ---- paths ---- */

int ifk_device_path(const char *udid, const char *devpath, size_t len, char **rel, const char **why)
{
	size_t ul = strlen(udid);
	const char *p;

	*rel = NULL;
	if (strlen(devpath) != len)
		return *why = "the name holds a NUL byte", -1;
	if (!ifk_utf8_valid(devpath, len))
		return *why = "the name is not UTF-8", -1;
	if (len > IFK_DEVICE_NAME_MAX)
		return *why = "the name is longer than 4096 bytes", -1;
	if (ifk_relpath_problem(devpath)) /* the one check, on the whole device path */
		return *why = ifk_relpath_problem(devpath), -1;
	if (strncasecmp(devpath, udid, ul) != 0 || (devpath[ul] != '/' && devpath[ul] != '\0'))
		return *why = "not inside the device's backup folder", -1;
	p = devpath + ul + (devpath[ul] == '/');
	*rel = strdup(p);
	return *rel ? 0 : (*why = "out of memory", -1);
}

/* ---- the work database of received files ---- */

/* One transaction for the whole session (the database is private and
 * temporary: nothing to commit for), and the insert prepared once: a
 * statement per file cost more than the file. */
int acq_dl_open_work(struct dev *d, struct ifk_error *err)
{
	if (sqlite3_open_v2("", &d->work, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	        SQLITE_OK ||
	    sqlite3_exec(d->work,
	                 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	                 "CREATE TABLE files(path TEXT PRIMARY KEY, sha256 TEXT, size INTEGER);"
	                 "BEGIN;",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->work,
	                       "INSERT OR REPLACE INTO files(path, sha256, size) VALUES (?,?,?)",
	                       -1, &d->record, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "cannot create the temporary work database");
	d->log = json_array();
	return d->log ? 0 : ifk_error_set(err, IFK_ENOMEM, "out of memory");
}

void acq_dl_close_work(struct dev *d)
{
	sqlite3_finalize(d->record);
	d->record = NULL;
	sqlite3_close(d->work);
	d->work = NULL;
}

static int record_file(struct dev *d, const char *rel, const char *sha, uint64_t size,
                       struct ifk_error *err)
{
	sqlite3_stmt *st = d->record;
	int rc = 0;

	sqlite3_bind_text(st, 1, rel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)size);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EIO, "work database: %s", sqlite3_errmsg(d->work));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Runs a change to the work database with parameters a and b (b may be
 * NULL); a failure is kept in d->work_failed: the manifest is not written
 * from records that may be stale. */
static void work_change(struct dev *d, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(d->work, sql, -1, &st, NULL) != SQLITE_OK) {
		d->work_failed = 1;
		return;
	}
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		d->work_failed = 1;
	sqlite3_finalize(st);
}

static void forget_file(struct dev *d, const char *rel)
{
	work_change(
	    d, "DELETE FROM files WHERE path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/'",
	    rel, NULL);
}

int acq_dl_write_manifest(struct dev *d, struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step = SQLITE_DONE;

	d->a->files = d->a->bytes = 0;
	if (d->work_failed ||
	    sqlite3_prepare_v2(d->work, "SELECT path, sha256, size FROM files ORDER BY path", -1,
	                       &st, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "work database of received files: %s",
		                     d->work_failed ? "a change failed" : sqlite3_errmsg(d->work));
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = acq_manifest_line(d->a, (const char *)sqlite3_column_text(st, 1),
		                       (const char *)sqlite3_column_text(st, 0), err);
		d->a->files++;
		d->a->bytes += (uint64_t)sqlite3_column_int64(st, 2);
	}
	if (!rc && step != SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EIO, "work database of received files: %s",
		                   sqlite3_errmsg(d->work));
	sqlite3_finalize(st);
	if ((rc == IFK_EIO && stops(errno)) || (!rc && fflush(d->a->manifest) != 0)) {
		acq_dl_write_failed(d, "", IFK_BAG_MANIFEST, errno);
		rc = acq_dl_check(d, err);
	}
	return rc;
}

/* ---- files arriving ---- */

void acq_dl_file_open(struct dev *d, struct acq_dl_file *in, uint32_t len)
{
	const char *why = NULL;

	in->dir = in->fd = -1;
	if (ifk_device_path(d->udid, in->name, len, &in->rel, &why) != 0 || !*in->rel) {
		acq_dl_note(d, "refused-path", in->name, why ? why : "the backup folder itself");
		free(in->rel);
		in->rel = NULL;
		return;
	}
	in->dir = parent_dir(d, in->rel, &in->leaf);
	if (in->dir >= 0)
		in->fd = create_file(in->dir, in->leaf);
	if (in->fd < 0 && stops(errno)) {
		acq_dl_write_failed(d, "data/", in->rel, errno);
		free(in->rel);
		in->rel = NULL;
	} else if (in->fd < 0) {
		char detail[300];
		snprintf(detail, sizeof(detail), "refused: cannot create it in the bag: %s",
		         strerror(errno));
		acq_dl_note(d, "refused-path", in->name, detail);
		free(in->rel);
		in->rel = NULL;
	}
	EVP_DigestInit_ex(d->a->file_md, EVP_sha256(), NULL);
}

/* Where the next received bytes of f go: the sink's buffer, filled up to
 * IFK_IO_CHUNK before its worker hashes and writes it while the next
 * arrives; a scratch buffer when f is not kept (refused), or when f is NULL
 * (bytes read to be discarded). */
uint8_t *acq_dl_file_room(struct dev *d, struct acq_dl_file *f, uint32_t *room)
{
	if (!f || f->fd < 0) {
		*room = IFK_IO_CHUNK;
		return d->a->buf;
	}
	if (!f->cur) {
		f->cur = acq_dl_sink_buffer(d->sink);
		f->fill = 0;
	}
	*room = IFK_IO_CHUNK - f->fill;
	return f->cur + f->fill;
}

static void hand_over(struct dev *d, struct acq_dl_file *in)
{
	int e = acq_dl_sink_submit(d->sink, in->fill, d->a->file_md, in->fd);

	if (e)
		acq_dl_write_failed(d, "data/", in->rel, e);
	in->handed = 1;
	in->cur = NULL;
	in->fill = 0;
}

/* The n bytes now at acq_dl_file_room: a full buffer goes to the worker. */
void acq_dl_file_took(struct dev *d, struct acq_dl_file *in, uint32_t n)
{
	if (in->fd >= 0 && (in->fill += n) == IFK_IO_CHUNK)
		hand_over(d, in);
	in->size += n;
	acq_progress(d->a, n);
	d->a->bytes += n;
}

/* The rest of a file at its end. A file that fits in one buffer is hashed
 * and written here: handing it to the worker and waiting for it would cost
 * two thread switches per file, more than a small file's hashing. */
static void last_bytes(struct dev *d, struct acq_dl_file *in)
{
	int e;

	if (in->fill > 0 && in->handed) {
		hand_over(d, in);
	} else if (in->fill > 0) {
		EVP_DigestUpdate(d->a->file_md, in->cur, in->fill);
		if (ifk_write_all(in->fd, in->cur, in->fill, in->rel, NULL) != 0)
			acq_dl_write_failed(d, "data/", in->rel, errno);
		in->cur = NULL;
		in->fill = 0;
	}
	if (in->handed && (e = acq_dl_sink_drain(d->sink)) != 0)
		acq_dl_write_failed(d, "data/", in->rel, e);
}

/* The file arrived whole: it enters the seal. */
int acq_dl_file_done(struct dev *d, struct acq_dl_file *in, struct ifk_error *err)
{
	uint8_t md[32];
	char hex[65];

	if (in->fd < 0)
		return acq_dl_check(d, err);
	last_bytes(d, in);
	if (d->fatal.code)
		return acq_dl_check(d, err); /* still open: the caller drops it */
	EVP_DigestFinal_ex(d->a->file_md, md, NULL);
	ifk_hex(md, 32, hex);
	if (close(in->fd) != 0) {
		acq_dl_write_failed(d, "data/", in->rel, errno);
		unlinkat(in->dir, in->leaf, 0);
	}
	in->fd = -1;
	if (d->fatal.code)
		return acq_dl_check(d, err);
	d->a->files++;
	return record_file(d, in->rel, hex, in->size, err);
}

/* The file did not arrive whole: its bytes leave the bag, the record says
 * what arrived. */
void acq_dl_file_drop(struct dev *d, struct acq_dl_file *in, const char *kind, const char *why)
{
	char detail[900];

	acq_dl_sink_drain(d->sink);
	in->cur = NULL; /* what was not handed over is dropped with the file */
	in->fill = 0;
	if (in->fd >= 0) {
		close(in->fd);
		in->fd = -1;
		unlinkat(in->dir, in->leaf, 0);
	}
	if (in->rel)
		forget_file(d, in->rel);
	snprintf(detail, sizeof(detail), "not sealed: %s after %llu bytes", why,
	         (unsigned long long)in->size);
	acq_dl_note(d, kind, in->name, detail);
}

void acq_dl_file_free(struct acq_dl_file *in)
{
	if (in->fd >= 0)
		close(in->fd);
	free(in->name);
	free(in->rel);
}

/* ---- folders ---- */

/* Renames src to dst inside data/, carrying the received files' records.
 * Nothing is removed unless the rename itself succeeds (which replaces a
 * file at dst atomically). */
int acq_dl_move(struct dev *d, const char *src, const char *dst, const char **why)
{
	size_t sl = strlen(src);
	const char *ls, *ld;
	struct stat st;
	int ps = -1, pd = -1, rc = -1;

	if (strcmp(src, dst) == 0 || (strncmp(dst, src, sl) == 0 && dst[sl] == '/'))
		return *why = "onto or into itself", -1;
	acq_dl_forget_dirs(d);
	ps = open_parent(d, src, 0, &ls);
	if (ps < 0 || fstatat(ps, ls, &st, AT_SYMLINK_NOFOLLOW) != 0)
		*why = "the source is absent";
	else if ((pd = open_parent(d, dst, 1, &ld)) < 0)
		*why = "the destination's folder cannot be made";
	else if ((rc = renameat(ps, ls, pd, ld)) != 0 && stops(errno))
		acq_dl_write_failed(d, "data/", dst, errno);
	else if (rc != 0)
		*why = strerror(errno);
	if (ps >= 0)
		close(ps);
	if (pd >= 0)
		close(pd);
	if (rc != 0)
		return -1;
	forget_file(d, dst);
	work_change(d,
	            "UPDATE files SET path = ?2 || substr(path, length(?1) + 1)"
	            " WHERE path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/'",
	            src, dst);
	return 0;
}

struct remover {
	struct dev *d;
	int dir, depth, failed;
};

static void remove_tree(struct remover *r, int dir, const char *name, const char *rel);

static int remove_child(void *ctx, const char *name, const char *rel)
{
	struct remover *r = ctx;

	remove_tree(r, r->dir, name, rel);
	return 0;
}

/* Removes one file or folder tree, forgetting exactly the files removed. */
static void remove_tree(struct remover *r, int dir, const char *name, const char *rel)
{
	int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), list = 0;

	if (sub >= 0) {
		struct remover child = {r->d, sub, r->depth + 1, 0};
		if (r->depth < 32)
			ifk_dir_foreach(sub, rel, remove_child, &child, &list);
		close(sub);
		if (child.failed || list || r->depth >= 32 ||
		    unlinkat(dir, name, AT_REMOVEDIR) != 0)
			r->failed = 1;
		return;
	}
	if (unlinkat(dir, name, 0) == 0)
		forget_file(r->d, rel);
	else
		r->failed = 1;
}

void acq_dl_remove(struct dev *d, const char *path, const char *rel, int *code)
{
	const char *leaf;
	struct stat st;
	int dir;
	struct remover r = {d, -1, 0, 0};

	acq_dl_forget_dirs(d);
	r.dir = dir = open_parent(d, rel, 0, &leaf);
	if (dir < 0 || fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		acq_dl_event(d, "absent", path, "asked to remove something that is not there");
	} else {
		remove_tree(&r, dir, leaf, rel);
		if (r.failed) {
			acq_dl_note(d, "remove-failed", path,
			            "not wholly removed; what was removed is noted");
			*code = -1;
		} else {
			acq_dl_event(d, "removed", path, "removed at the device's request");
		}
	}
	if (dir >= 0)
		close(dir);
}

struct listing {
	int dir;
	plist_t dict;
};

static int list_one(void *ctx, const char *name, const char *rel)
{
	struct listing *l = ctx;
	struct stat st;
	plist_t f;

	(void)rel;
	if (fstatat(l->dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	f = plist_new_dict();
	plist_dict_set_item(f, "DLFileType",
	                    plist_new_string(S_ISDIR(st.st_mode)   ? "DLFileTypeDirectory"
	                                     : S_ISREG(st.st_mode) ? "DLFileTypeRegular"
	                                                           : "DLFileTypeUnknown"));
	plist_dict_set_item(f, "DLFileSize", plist_new_uint((uint64_t)st.st_size));
	plist_dict_set_item(f, "DLFileModificationDate",
	                    plist_new_date((int32_t)(st.st_mtime - 978307200), 0));
	plist_dict_set_item(l->dict, name, f);
	return 0;
}

/* The folder rel below data/ as DLContentsOfDirectory answers it. */
plist_t acq_dl_list(struct dev *d, const char *rel)
{
	struct listing l = {-1, plist_new_dict()};
	char *inner = NULL;
	const char *leaf;
	int list = 0;

	if (asprintf(&inner, "%s%sx", rel, *rel ? "/" : "") > 0 &&
	    (l.dir = open_parent(d, inner, 0, &leaf)) >= 0) {
		ifk_dir_foreach(l.dir, NULL, list_one, &l, &list);
		close(l.dir);
	}
	free(inner);
	return l.dict;
}

/* Makes the folder rel below data/: 0, or -1 with errno. */
int acq_dl_mkdir(struct dev *d, const char *rel)
{
	char *inner = NULL;
	const char *leaf;
	int fd = -1;

	if (asprintf(&inner, "%s/x", rel) > 0 && (fd = open_parent(d, inner, 1, &leaf)) >= 0) {
		close(fd);
		d->a->dirs++;
	} else if (stops(errno)) {
		acq_dl_write_failed(d, "data/", rel, errno);
	}
	free(inner);
	return fd >= 0 ? 0 : -1;
}

/* Free bytes where the bag is written: 0, or -1 with errno. */
int acq_dl_free_bytes(struct dev *d, uint64_t *bytes)
{
	struct statvfs fs;

	if (fstatvfs(d->a->bag_fd, &fs) != 0)
		return -1;
	*bytes = (uint64_t)fs.f_bavail * (uint64_t)fs.f_frsize; /* counted in fragments */
	d->free_answered = (int64_t)*bytes;
	return 0;
}

/* The device's own progress figure, for the progress line. */
void acq_dl_device_percent(struct dev *d, double percent)
{
	d->a->device_percent = percent;
}

/* Copies the received file rs to rd (dst_name as the device named it),
 * hashed as it is written: 0, or -1 (noted). */
int acq_dl_copy(struct dev *d, const char *dst_name, const char *rs, const char *rd,
                struct ifk_error *err)
{
	struct acq_dl_file in = {.dir = -1, .fd = -1};
	const char *ls;
	int code = -1, ps = open_parent(d, rs, 0, &ls), from;

	(void)rd;
	from = ps >= 0 ? openat(ps, ls, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	in.name = strdup(dst_name);
	if (from >= 0 && in.name)
		acq_dl_file_open(d, &in, (uint32_t)strlen(dst_name));
	while (from >= 0 && in.fd >= 0) {
		ssize_t n = read(from, d->a->buf, IFK_IO_CHUNK);
		if (n <= 0) {
			code = n == 0 && acq_dl_file_done(d, &in, err) == 0 ? 0 : -1;
			break;
		}
		EVP_DigestUpdate(d->a->file_md, d->a->buf, (size_t)n);
		if (ifk_write_all(in.fd, d->a->buf, (size_t)n, in.rel, NULL) != 0) {
			acq_dl_write_failed(d, "data/", in.rel, errno);
			break;
		}
		in.size += (uint64_t)n;
	}
	if (code != 0 && in.fd >= 0)
		acq_dl_file_drop(d, &in, "partial", "the copy failed");
	if (from >= 0)
		close(from);
	if (ps >= 0)
		close(ps);
	acq_dl_file_free(&in);
	return code;
}

/* ---- the disk ---- */

/* The errors of a write that end the acquisition: the bag's disk cannot
 * take more (any other refusal of one file is that file's anomaly). */
static int stops(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS || e == EFBIG;
}

static void human_bytes(uint64_t n, char *out, size_t cap)
{
	if (n >= 1024ull * 1024 * 1024)
		snprintf(out, cap, "%.1f GiB", (double)n / (1024.0 * 1024 * 1024));
	else if (n >= 1024 * 1024)
		snprintf(out, cap, "%.1f MiB", (double)n / (1024.0 * 1024));
	else
		snprintf(out, cap, "%llu bytes", (unsigned long long)n);
}

void acq_dl_write_failed(struct dev *d, const char *prefix, const char *rel, int e)
{
	struct statvfs fs;
	char avail[32] = "?", size[32] = "?";

	if (d->fatal.code)
		return; /* the first failure says why */
	if (e != ENOSPC && e != EDQUOT) {
		ifk_error_sys(&d->fatal, IFK_EIO, e, "%s: cannot write %s%s", d->a->tmp_path,
		              prefix, rel ? rel : "");
		return;
	}
	if (fstatvfs(d->a->bag_fd, &fs) == 0) {
		human_bytes((uint64_t)fs.f_bavail * fs.f_frsize, avail, sizeof(avail));
		human_bytes((uint64_t)fs.f_blocks * fs.f_frsize, size, sizeof(size));
	}
	ifk_error_set(&d->fatal, IFK_EIO,
	              "%s: the disk is full (%s free of %s%s): cannot write %s%s", d->a->tmp_path,
	              avail, size, e == EDQUOT ? ", the quota reached" : "", prefix,
	              rel ? rel : "");
}

int acq_dl_check(struct dev *d, struct ifk_error *err)
{
	if (!d->fatal.code)
		return 0;
	if (err)
		*err = d->fatal;
	return d->fatal.code;
}

void acq_dl_reserve(struct dev *d)
{
	d->reserve_fd = openat(d->a->bag_fd, ".ifk-reserve",
	                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (d->reserve_fd >= 0 && posix_fallocate(d->reserve_fd, 0, ACQ_DL_RESERVE) != 0)
		acq_dl_unreserve(d); /* too little room even for that: go on without */
}

void acq_dl_unreserve(struct dev *d)
{
	if (d->reserve_fd < 0)
		return;
	close(d->reserve_fd);
	d->reserve_fd = -1;
	unlinkat(d->a->bag_fd, ".ifk-reserve", 0);
}

/* ---- the top-level plists ---- */

/* The top-level plists as they stand in data/ at the end (moves, copies and
 * removals may have changed them since they arrived). */
void acq_dl_refresh_captures(struct dev *d)
{
	static const char *const names[] = {"Info.plist", "Manifest.plist", "Status.plist"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct acq_capture *c = acq_capture_for(d->a, names[i]);
		char *buf = NULL;
		size_t len = 0;
		int rc;
		if (!c)
			continue;
		c->buf.len = c->len = 0;
		c->overflow = c->seen = 0;
		rc =
		    ifk_read_small(d->a->data_fd, names[i], IFK_BACKUP_PLIST_MAX, &buf, &len, NULL);
		if (rc == 0) {
			c->seen = 1;
			acq_capture_bytes(c, (const uint8_t *)buf, len);
		} else if (rc == IFK_EFORMAT) {
			c->seen = c->overflow = 1;
		}
		free(buf);
	}
}

int acq_dl_store_buffer(struct dev *d, const char *rel, const void *buf, size_t len,
                        struct ifk_error *err)
{
	struct acq_dl_file in = {.dir = -1, .fd = -1};
	int rc = 0;

	in.name = strdup(rel);
	if (!in.name)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	free(in.name);
	if (asprintf(&in.name, "%s/%s", d->udid, rel) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	acq_dl_file_open(d, &in, (uint32_t)strlen(in.name));
	if ((rc = acq_dl_check(d, err)) == 0 && in.fd < 0)
		rc = ifk_error_set(err, IFK_EIO, "cannot write data/%s", rel);
	if (!rc) {
		EVP_DigestUpdate(d->a->file_md, buf, len);
		if (ifk_write_all(in.fd, buf, len, rel, NULL) != 0)
			acq_dl_write_failed(d, "data/", rel, errno);
		in.size = len;
		rc = acq_dl_check(d, err);
	}
	if (!rc)
		rc = acq_dl_file_done(d, &in, err);
	if (rc && in.fd >= 0)
		acq_dl_file_drop(d, &in, "partial", err ? err->msg : "the write failed");
	acq_dl_file_free(&in);
	return rc;
}
