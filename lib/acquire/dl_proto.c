/* The host side of the mobilebackup2 DeviceLink protocol: the device drives,
 * the host answers each message through a table of handlers. Every file is
 * hashed as it arrives, and enters the seal only once it arrived whole. */
#include <arpa/inet.h>
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
#include "core.h"

#define CODE_SUCCESS 0x00
#define CODE_ERROR_LOCAL 0x06
#define CODE_ERROR_REMOTE 0x0b
#define CODE_FILE_DATA 0x0c
#define MSG_MAX (64 * 1024)
#define DEV_NAME_SKIP (1024 * 1024)

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
static void dl_event(struct dev *d, const char *kind, const char *path, const char *detail)
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

static int dl_map_path(const struct dev *d, const char *devpath, size_t len, char **rel,
                       const char **why)
{
	return ifk_device_path(d->udid, devpath, len, rel, why);
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

/* ---- the work database of received files ---- */

int acq_dl_open_work(struct dev *d, struct ifk_error *err)
{
	if (sqlite3_open_v2("", &d->work, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	        SQLITE_OK ||
	    sqlite3_exec(d->work,
	                 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	                 "CREATE TABLE files(path TEXT PRIMARY KEY, sha256 TEXT, size INTEGER);",
	                 NULL, NULL, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "cannot create the temporary work database");
	d->log = json_array();
	return d->log ? 0 : ifk_error_set(err, IFK_ENOMEM, "out of memory");
}

static int record_file(struct dev *d, const char *rel, const char *sha, uint64_t size,
                       struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(d->work,
	                       "INSERT OR REPLACE INTO files(path, sha256, size) VALUES (?,?,?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "work database: %s", sqlite3_errmsg(d->work));
	sqlite3_bind_text(st, 1, rel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sha, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)size);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EIO, "work database: %s", sqlite3_errmsg(d->work));
	sqlite3_finalize(st);
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
	return rc;
}

/* ---- the raw stream ---- */

static int read_be32(struct dev *d, uint32_t *v, struct ifk_error *err)
{
	uint32_t be;
	int rc = acq_dl_read_exact(d, &be, 4, err);

	*v = ntohl(be);
	return rc;
}

/* A length-prefixed name; *name is malloc'd, *len its byte count. Names
 * over IFK_DEVICE_NAME_MAX are read (and then refused) up to DEV_NAME_SKIP; a
 * longer length cannot be a name: a protocol error. */
static int read_name(struct dev *d, char **name, uint32_t *len, struct ifk_error *err)
{
	int rc = read_be32(d, len, err);

	*name = NULL;
	if (rc || *len == 0)
		return rc;
	if (*len > DEV_NAME_SKIP)
		return ifk_error_set(err, IFK_EFORMAT, "protocol error: a file name of %u bytes",
		                     *len);
	*name = malloc(*len + 1);
	if (!*name)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = acq_dl_read_exact(d, *name, *len, err);
	(*name)[*len] = '\0';
	return rc;
}

/* Answers the device's last message; payload is borrowed. */
static int respond(struct dev *d, int code, const char *desc, plist_t payload,
                   struct ifk_error *err)
{
	return acq_dl_status(d, code, desc, payload, err);
}

/* ---- DLMessageUploadFiles: the files themselves ---- */

struct incoming {
	char *name;  /* as the device sent it */
	char *rel;   /* below data/, or NULL when refused */
	int dir, fd; /* its folder and the file, or -1 */
	const char *leaf;
	uint64_t size;
};

static void incoming_open(struct dev *d, struct incoming *in, uint32_t len)
{
	const char *why = NULL;

	in->dir = in->fd = -1;
	if (dl_map_path(d, in->name, len, &in->rel, &why) != 0 || !*in->rel) {
		acq_dl_note(d, "refused-path", in->name, why ? why : "the backup folder itself");
		free(in->rel);
		in->rel = NULL;
		return;
	}
	in->dir = open_parent(d, in->rel, 1, &in->leaf);
	if (in->dir >= 0) {
		unlinkat(in->dir, in->leaf, 0);
		in->fd = openat(in->dir, in->leaf,
		                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	}
	if (in->fd < 0) {
		char detail[300];
		snprintf(detail, sizeof(detail), "refused: cannot create it in the bag: %s",
		         strerror(errno));
		acq_dl_note(d, "refused-path", in->name, detail);
		free(in->rel);
		in->rel = NULL;
	}
	EVP_DigestInit_ex(d->a->file_md, EVP_sha256(), NULL);
}

/* One data block: received here, hashed, kept (when a top-level plist) and
 * written by the sink's worker while the next block arrives. */
static int incoming_data(struct dev *d, struct incoming *in, uint32_t n, struct ifk_error *err)
{
	while (n > 0) {
		uint32_t chunk = n < IFK_IO_CHUNK ? n : IFK_IO_CHUNK;
		uint8_t *buf = in->fd >= 0 ? acq_dl_sink_buffer(d->sink) : d->a->buf;
		int rc = acq_dl_read_exact(d, buf, chunk, err);
		if (rc)
			return rc;
		if (in->fd >= 0)
			acq_dl_sink_submit(d->sink, chunk, d->a->file_md, in->fd);
		in->size += chunk;
		n -= chunk;
		acq_progress(d->a, chunk);
		d->a->bytes += chunk;
	}
	return 0;
}

/* The file arrived whole: it enters the seal. */
static int incoming_done(struct dev *d, struct incoming *in, struct ifk_error *err)
{
	uint8_t md[32];
	char hex[65];

	int e;

	if (in->fd < 0)
		return 0;
	if ((e = acq_dl_sink_drain(d->sink)) != 0)
		return ifk_error_sys(err, IFK_EIO, e, "data/%s: write failed", in->rel);
	EVP_DigestFinal_ex(d->a->file_md, md, NULL);
	ifk_hex(md, 32, hex);
	if (close(in->fd) != 0) {
		in->fd = -1;
		return ifk_error_sys(err, IFK_EIO, errno, "data/%s: write failed", in->rel);
	}
	in->fd = -1;
	d->a->files++;
	return record_file(d, in->rel, hex, in->size, err);
}

/* The file did not arrive whole: its bytes leave the bag, the record says
 * what arrived. */
static void incoming_drop(struct dev *d, struct incoming *in, const char *kind, const char *why)
{
	char detail[900];

	acq_dl_sink_drain(d->sink);
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

static void incoming_free(struct incoming *in)
{
	if (in->fd >= 0)
		close(in->fd);
	if (in->dir >= 0)
		close(in->dir);
	free(in->name);
	free(in->rel);
}

/* A device-side error for this file: its message, at most MSG_MAX kept. */
static int read_message(struct dev *d, uint32_t n, char *msg, size_t cap, struct ifk_error *err)
{
	uint32_t keep = n < cap - 1 ? n : (uint32_t)(cap - 1), rest = n - keep;
	int rc = acq_dl_read_exact(d, msg, keep, err);

	msg[keep] = '\0';
	while (!rc && rest > 0) {
		uint32_t chunk = rest < IFK_IO_CHUNK ? rest : IFK_IO_CHUNK;
		rc = acq_dl_read_exact(d, d->a->buf, chunk, err);
		rest -= chunk;
	}
	return rc;
}

/* The blocks of one file. Returns 0, 1 when the stream ended inside it,
 * or a negative code. */
static int incoming_blocks(struct dev *d, struct incoming *in, struct ifk_error *err)
{
	char msg[MSG_MAX];

	for (;;) {
		uint32_t n;
		uint8_t code;
		int rc = read_be32(d, &n, err);
		if (!rc && n == 0) {
			incoming_drop(d, in, "partial", "the stream ended inside the file");
			return 1;
		}
		if (!rc)
			rc = acq_dl_read_exact(d, &code, 1, err);
		if (rc)
			return rc;
		if (code == CODE_FILE_DATA) {
			if ((rc = incoming_data(d, in, n - 1, err)) != 0)
				return rc;
		} else if (code == CODE_SUCCESS) {
			if (n > 1 && (rc = read_message(d, n - 1, msg, sizeof(msg), err)) != 0)
				return rc;
			return incoming_done(d, in, err);
		} else if (code == CODE_ERROR_REMOTE) {
			if ((rc = read_message(d, n - 1, msg, sizeof(msg), err)) != 0)
				return rc;
			incoming_drop(d, in, "device-error", msg);
			return 0;
		} else {
			return ifk_error_set(err, IFK_EFORMAT,
			                     "protocol error: unknown block code 0x%02x in %s",
			                     code, in->name);
		}
	}
}

/* One file: 0, 1 at the end of the batch, or a negative code. */
static int receive_one(struct dev *d, struct ifk_error *err)
{
	struct incoming in = {.dir = -1, .fd = -1};
	char *devname = NULL;
	uint32_t dlen = 0, blen = 0;
	int rc;

	rc = read_name(d, &devname, &dlen, err);
	free(devname);
	if (rc || dlen == 0)
		return rc ? rc : 1;
	rc = read_name(d, &in.name, &blen, err);
	if (!rc && blen == 0)
		rc = ifk_error_set(err, IFK_EFORMAT, "protocol error: a file without a name");
	if (!rc) {
		incoming_open(d, &in, blen);
		rc = incoming_blocks(d, &in, err);
	}
	if (rc < 0 && in.fd >= 0)
		incoming_drop(d, &in, "partial", err ? err->msg : "the transfer failed");
	incoming_free(&in);
	return rc;
}

static int upload_files(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t progress = plist_array_get_item(msg, 2);
	int rc = 0;

	if (plist_get_node_type(progress) == PLIST_REAL) {
		plist_get_real_val(progress, &d->device_progress);
		d->a->device_percent = d->device_progress;
	}
	while (rc == 0)
		rc = receive_one(d, err);
	if (rc < 0)
		return rc;
	return respond(d, 0, NULL, NULL, err);
}

/* ---- the other messages ---- */

static char *string_at(plist_t msg, uint32_t i, uint64_t *len)
{
	plist_t node = plist_array_get_item(msg, i);
	char *s = NULL;

	*len = 0;
	if (plist_get_node_type(node) == PLIST_STRING)
		plist_get_string_val(node, &s);
	if (s)
		*len = strlen(s);
	return s;
}

static int free_space(struct dev *d, plist_t msg, struct ifk_error *err)
{
	struct statvfs fs;
	plist_t n;
	int rc;

	(void)msg;
	if (fstatvfs(d->a->bag_fd, &fs) != 0)
		return respond(d, -1, strerror(errno), NULL, err);
	n = plist_new_uint((uint64_t)fs.f_bavail * (uint64_t)fs.f_bsize);
	rc = respond(d, 0, NULL, n, err);
	plist_free(n);
	return rc;
}

/* Maps the path in a message, answering and noting a refusal. */
static int mapped(struct dev *d, const char *what, const char *path, char **rel,
                  struct ifk_error *err, int *rc)
{
	const char *why = NULL;

	if (path && dl_map_path(d, path, strlen(path), rel, &why) == 0)
		return 1;
	acq_dl_note(d, "refused-path", path ? path : "", why ? why : "no path");
	*rc = respond(d, -1, what, NULL, err);
	return 0;
}

static int create_directory(struct dev *d, plist_t msg, struct ifk_error *err)
{
	uint64_t len;
	char *path = string_at(msg, 1, &len), *rel = NULL, *inner = NULL;
	const char *leaf;
	int rc = 0, fd;

	if (mapped(d, "refused: the path leaves the backup folder", path, &rel, err, &rc)) {
		if (*rel && asprintf(&inner, "%s/x", rel) > 0 &&
		    (fd = open_parent(d, inner, 1, &leaf)) >= 0) {
			close(fd);
			d->a->dirs++;
			rc = respond(d, 0, NULL, NULL, err);
		} else {
			rc = respond(d, *rel ? -1 : 0, *rel ? strerror(errno) : NULL, NULL, err);
		}
	}
	free(inner);
	free(rel);
	free(path);
	return rc;
}

/* Renames src to dst inside data/, carrying the received files' records.
 * Nothing is removed unless the rename itself succeeds (which replaces a
 * file at dst atomically). */
static int move_one(struct dev *d, const char *src, const char *dst, const char **why)
{
	size_t sl = strlen(src);
	const char *ls, *ld;
	struct stat st;
	int ps = -1, pd = -1, rc = -1;

	if (strcmp(src, dst) == 0 || (strncmp(dst, src, sl) == 0 && dst[sl] == '/'))
		return *why = "onto or into itself", -1;
	ps = open_parent(d, src, 0, &ls);
	if (ps < 0 || fstatat(ps, ls, &st, AT_SYMLINK_NOFOLLOW) != 0)
		*why = "the source is absent";
	else if ((pd = open_parent(d, dst, 1, &ld)) < 0)
		*why = "the destination's folder cannot be made";
	else if ((rc = renameat(ps, ls, pd, ld)) != 0)
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

static void move_note(struct dev *d, const char *kind, const char *from, const char *to,
                      const char *why)
{
	char detail[600];

	snprintf(detail, sizeof(detail), "to %.280s: %s", to ? to : "(none)", why);
	acq_dl_note(d, kind, from, detail);
}

static int move_items(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t moves = plist_array_get_item(msg, 1);
	plist_dict_iter it = NULL;
	char *key = NULL;
	plist_t val = NULL;
	int code = 0;

	if (plist_get_node_type(moves) == PLIST_DICT)
		plist_dict_new_iter(moves, &it);
	while (it) {
		char *to = NULL, *src = NULL, *dst = NULL;
		const char *why = NULL;
		plist_dict_next_item(moves, it, &key, &val);
		if (!key)
			break;
		if (plist_get_node_type(val) == PLIST_STRING)
			plist_get_string_val(val, &to);
		if (!to || dl_map_path(d, key, strlen(key), &src, &why) != 0 ||
		    dl_map_path(d, to, strlen(to), &dst, &why) != 0 || !*src || !*dst) {
			move_note(d, "refused-path", key, to,
			          why ? why : "a move that leaves the backup");
			code = -1;
		} else if (move_one(d, src, dst, &why) != 0) {
			move_note(d, "move-failed", key, to, why);
			code = -1;
		} else {
			dl_event(d, "moved", key, to);
		}
		free(key);
		free(to);
		free(src);
		free(dst);
		key = NULL;
	}
	free(it);
	return respond(d, code, code ? "some moves failed" : NULL, NULL, err);
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

static void remove_one(struct dev *d, const char *path, const char *rel, int *code)
{
	const char *leaf;
	struct stat st;
	int dir = open_parent(d, rel, 0, &leaf);
	struct remover r = {d, dir, 0, 0};

	if (dir < 0 || fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		dl_event(d, "absent", path, "asked to remove something that is not there");
	} else {
		remove_tree(&r, dir, leaf, rel);
		if (r.failed) {
			acq_dl_note(d, "remove-failed", path,
			            "not wholly removed; what was removed is noted");
			*code = -1;
		} else {
			dl_event(d, "removed", path, "removed at the device's request");
		}
	}
	if (dir >= 0)
		close(dir);
}

static int remove_items(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t list = plist_array_get_item(msg, 1);
	uint32_t i, n = plist_get_node_type(list) == PLIST_ARRAY ? plist_array_get_size(list) : 0;
	int code = 0;

	for (i = 0; i < n; i++) {
		char *path = NULL, *rel = NULL;
		const char *why = NULL;
		plist_t item = plist_array_get_item(list, i);
		if (plist_get_node_type(item) == PLIST_STRING)
			plist_get_string_val(item, &path);
		if (!path || dl_map_path(d, path, strlen(path), &rel, &why) != 0 || !*rel) {
			acq_dl_note(d, "refused-path", path ? path : "",
			            why ? why : "removing the backup");
			code = -1;
		} else {
			remove_one(d, path, rel, &code);
		}
		free(path);
		free(rel);
	}
	return respond(d, code, code ? "some paths were refused" : NULL, NULL, err);
}

/* Copies a received file inside data/ (the copy is hashed as written). */
static int copy_item(struct dev *d, plist_t msg, struct ifk_error *err)
{
	uint64_t l1, l2;
	char *src = string_at(msg, 1, &l1), *dst = string_at(msg, 2, &l2), *rs = NULL, *rd = NULL;
	const char *why = NULL, *ls;
	struct incoming in = {.dir = -1, .fd = -1};
	int code = -1, ps = -1, from = -1, rc;

	if (src && dst && dl_map_path(d, src, l1, &rs, &why) == 0 &&
	    dl_map_path(d, dst, l2, &rd, &why) == 0 && *rs && *rd) {
		ps = open_parent(d, rs, 0, &ls);
		from = ps >= 0 ? openat(ps, ls, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
		in.name = strdup(dst);
		if (from >= 0 && in.name)
			incoming_open(d, &in, (uint32_t)l2);
		while (from >= 0 && in.fd >= 0) {
			ssize_t n = read(from, d->a->buf, IFK_IO_CHUNK);
			if (n <= 0) {
				code = n == 0 && incoming_done(d, &in, err) == 0 ? 0 : -1;
				break;
			}
			EVP_DigestUpdate(d->a->file_md, d->a->buf, (size_t)n);
			if (ifk_write_all(in.fd, d->a->buf, (size_t)n, in.rel, NULL) != 0)
				break;
			in.size += (uint64_t)n;
		}
	} else {
		acq_dl_note(d, "refused-path", src ? src : "",
		            why ? why : "a copy that leaves the backup");
	}
	if (code == 0)
		dl_event(d, "copied", src, dst);
	else if (in.fd >= 0)
		incoming_drop(d, &in, "partial", "the copy failed");
	if (from >= 0)
		close(from);
	if (ps >= 0)
		close(ps);
	incoming_free(&in);
	rc = respond(d, code, code ? "copy failed" : NULL, NULL, err);
	free(src);
	free(dst);
	free(rs);
	free(rd);
	return rc;
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

static int contents_of_directory(struct dev *d, plist_t msg, struct ifk_error *err)
{
	uint64_t len;
	char *path = string_at(msg, 1, &len), *rel = NULL, *inner = NULL;
	struct listing l = {-1, plist_new_dict()};
	const char *leaf;
	int rc = 0, list = 0;

	if (mapped(d, "refused: the path leaves the backup folder", path, &rel, err, &rc)) {
		if (asprintf(&inner, "%s%sx", rel, *rel ? "/" : "") > 0 &&
		    (l.dir = open_parent(d, inner, 0, &leaf)) >= 0) {
			ifk_dir_foreach(l.dir, NULL, list_one, &l, &list);
			close(l.dir);
		}
		rc = respond(d, 0, NULL, l.dict, err);
	}
	plist_free(l.dict);
	free(inner);
	free(rel);
	free(path);
	return rc;
}

/* There is no earlier backup on this host: every file asked for is missing. */
static int download_files(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t list = plist_array_get_item(msg, 1);
	uint32_t i, n = plist_get_node_type(list) == PLIST_ARRAY ? plist_array_get_size(list) : 0;
	static const char nofile[] = "No such file or directory";
	uint32_t zero = 0;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		char *p = NULL, hdr[5];
		uint32_t be;
		plist_t item = plist_array_get_item(list, i);
		if (plist_get_node_type(item) == PLIST_STRING)
			plist_get_string_val(item, &p);
		if (!p || !*p) {
			free(p);
			continue; /* a zero length would end the list for the device */
		}
		be = htonl((uint32_t)strlen(p));
		rc = acq_dl_send_raw(d, &be, 4, err);
		if (!rc)
			rc = acq_dl_send_raw(d, p, (uint32_t)strlen(p), err);
		be = htonl((uint32_t)sizeof(nofile));
		memcpy(hdr, &be, 4);
		hdr[4] = CODE_ERROR_LOCAL;
		if (!rc)
			rc = acq_dl_send_raw(d, hdr, 5, err);
		if (!rc)
			rc = acq_dl_send_raw(d, nofile, sizeof(nofile) - 1, err);
		free(p);
	}
	if (!rc)
		rc = acq_dl_send_raw(d, &zero, 4, err);
	return rc ? rc : respond(d, n ? -13 : 0, n ? "Multi status" : NULL, NULL, err);
}

/* The device's final word: ErrorCode 0 is success. Ends the loop. */
static int process_message(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t body = plist_array_get_item(msg, 1), code, desc;
	uint64_t ec = 0;
	char *s = NULL;

	(void)err;
	code =
	    plist_get_node_type(body) == PLIST_DICT ? plist_dict_get_item(body, "ErrorCode") : NULL;
	desc = code ? plist_dict_get_item(body, "ErrorDescription") : NULL;
	d->finished = 1;
	d->error_code = -1;
	if (plist_get_node_type(code) == PLIST_UINT) {
		plist_get_uint_val(code, &ec);
		d->error_code = (int64_t)ec;
	}
	if (plist_get_node_type(desc) == PLIST_STRING)
		plist_get_string_val(desc, &s);
	snprintf(d->error_desc, sizeof(d->error_desc), "%s", s ? s : "");
	free(s);
	return 1;
}

static int disconnect(struct dev *d, plist_t msg, struct ifk_error *err)
{
	(void)msg;
	(void)err;
	if (!d->finished)
		snprintf(d->protocol_msg, sizeof(d->protocol_msg),
		         "the device disconnected before its final response");
	return 1;
}

struct handler {
	const char *name;
	int (*fn)(struct dev *d, plist_t msg, struct ifk_error *err);
};

static const struct handler handlers[] = {
    {"DLMessageGetFreeDiskSpace", free_space},
    {"DLMessageCreateDirectory", create_directory},
    {"DLMessageUploadFiles", upload_files},
    {"DLMessageDownloadFiles", download_files},
    {"DLMessageMoveItems", move_items},
    {"DLMessageMoveFiles", move_items},
    {"DLMessageRemoveItems", remove_items},
    {"DLMessageRemoveFiles", remove_items},
    {"DLMessageCopyItem", copy_item},
    {"DLContentsOfDirectory", contents_of_directory},
    {"DLMessageProcessMessage", process_message},
    {"DLMessageDisconnect", disconnect},
};

static int dispatch(struct dev *d, const char *name, plist_t msg, struct ifk_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(name, handlers[i].name) == 0)
			return handlers[i].fn(d, msg, err);
	acq_dl_note(d, "unknown-message", name, "answered with an error status");
	return respond(d, -1, "Unknown DeviceLink message", NULL, err);
}

/* The name of a DeviceLink message: its first item. */
static char *message_name(plist_t msg)
{
	plist_t first =
	    plist_get_node_type(msg) == PLIST_ARRAY ? plist_array_get_item(msg, 0) : NULL;
	char *name = NULL;

	if (plist_get_node_type(first) == PLIST_STRING)
		plist_get_string_val(first, &name);
	return name;
}

int acq_dl_run(struct dev *d, struct ifk_error *err)
{
	int rc = d->sink ? 0 : acq_dl_sink_start(&d->sink, err);

	if (rc)
		return rc;
	d->last_data = time(NULL);
	while (rc == 0) {
		plist_t msg = NULL;
		char *name = NULL;
		rc = acq_dl_recv_plist(d, &msg, err);
		if (!rc && !(name = message_name(msg)))
			rc = ifk_error_set(err, IFK_EFORMAT,
			                   "protocol error: a message without a name");
		if (!rc)
			rc = dispatch(d, name, msg, err);
		plist_free(msg);
		free(name);
	}
	return rc < 0 ? rc : 0;
}

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
	struct incoming in = {.dir = -1, .fd = -1};
	int rc = 0;

	in.name = strdup(rel);
	if (!in.name)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	free(in.name);
	if (asprintf(&in.name, "%s/%s", d->udid, rel) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	incoming_open(d, &in, (uint32_t)strlen(in.name));
	if (in.fd < 0)
		rc = ifk_error_set(err, IFK_EIO, "cannot write data/%s", rel);
	if (!rc) {
		EVP_DigestUpdate(d->a->file_md, buf, len);
		rc = ifk_write_all(in.fd, buf, len, rel, err);
		in.size = len;
	}
	if (!rc)
		rc = incoming_done(d, &in, err);
	incoming_free(&in);
	return rc;
}
