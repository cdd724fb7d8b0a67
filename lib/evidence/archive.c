/* The report archive: writing a deterministic gzip-compressed pax tar of a
 * staged folder and the folder's SHA256SUMS, and reading an archive back
 * member by member against its SHA256SUMS (ifk_rar_scan). The signature and
 * the custody check are in verify/check_report.c. */
#include "evidence.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

#define MAX_DEPTH 64

/* ---- the staged files: every regular file's name, sorted ---- */

/* The names (and, once hashed, each member's SHA-256 and size) are kept in
 * a private temporary SQLite database, not in memory: with --include-media
 * a report holds a member per camera-roll file, hundreds of thousands of
 * them, and its memory must not grow with them. SQLite keeps at most its
 * page cache in memory and spills the rest to a temporary file it removes;
 * the table's key gives the byte order (BINARY collation is memcmp). */
struct ifk_rar_list {
	sqlite3 *db;
	sqlite3_stmt *add, *set;
	uint64_t n;
};

void ifk_rar_list_free(struct ifk_rar_list *l)
{
	if (!l)
		return;
	sqlite3_finalize(l->add);
	sqlite3_finalize(l->set);
	sqlite3_close(l->db);
	free(l);
}

/* A private temporary database (removed when closed) with schema, in one
 * open transaction, its page cache bounded to 1 MiB: 0 or -1. */
static int temp_db(sqlite3 **db, const char *schema)
{
	return sqlite3_open_v2("", db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	               SQLITE_OK ||
	               sqlite3_exec(*db,
	                            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	                            " PRAGMA cache_size=-1024; BEGIN;",
	                            NULL, NULL, NULL) != SQLITE_OK ||
	               sqlite3_exec(*db, schema, NULL, NULL, NULL) != SQLITE_OK
	           ? -1
	           : 0;
}

int ifk_rar_list_new(struct ifk_rar_list **out, struct ifk_error *err)
{
	struct ifk_rar_list *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (temp_db(&l->db, "CREATE TABLE m(name TEXT PRIMARY KEY, sha256 TEXT, bytes INTEGER)"
	                    " WITHOUT ROWID") != 0 ||
	    sqlite3_prepare_v2(l->db, "INSERT INTO m VALUES (?, ?, ?)", -1, &l->add, NULL) !=
	        SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "UPDATE m SET sha256 = ?, bytes = ? WHERE name = ?", -1,
	                       &l->set, NULL) != SQLITE_OK) {
		ifk_rar_list_free(l);
		return ifk_error_set(err, IFK_EIO, "cannot create a temporary list of members");
	}
	*out = l;
	return 0;
}

int ifk_rar_list_add(struct ifk_rar_list *l, const char *name, const char *sha256,
                     int64_t bytes, struct ifk_error *err)
{
	int rc = 0;

	sqlite3_bind_text(l->add, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(l->add, 2, sha256, -1, SQLITE_STATIC);
	if (sha256)
		sqlite3_bind_int64(l->add, 3, bytes);
	else
		sqlite3_bind_null(l->add, 3);
	if (sqlite3_step(l->add) != SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EIO, "%s: cannot list the member: %s", name,
		                   sqlite3_errmsg(l->db));
	else
		l->n++;
	sqlite3_reset(l->add);
	return rc;
}

uint64_t ifk_rar_list_count(const struct ifk_rar_list *l)
{
	return l ? l->n : 0;
}

int ifk_rar_list_each(const struct ifk_rar_list *l, ifk_rar_member_fn fn, void *ctx,
                      struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step = SQLITE_DONE;

	if (!l)
		return 0;
	if (sqlite3_prepare_v2(l->db, "SELECT name, sha256, bytes FROM m ORDER BY name", -1, &st,
	                       NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "the list of members: %s", sqlite3_errmsg(l->db));
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ifk_rar_member m = {
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int64(st, 2),
		};
		rc = m.name ? fn(ctx, &m, err) : ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	if (!rc && step != SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EIO, "the list of members: %s", sqlite3_errmsg(l->db));
	sqlite3_finalize(st);
	return rc;
}

/* A member's SHA-256 and size, read below stage_fd. */
static int hash_member(int stage_fd, const char *name, char hex[IFK_SHA256_HEX], uint64_t *bytes,
                       struct ifk_error *err)
{
	int fd = ifk_open_regular(stage_fd, name, err), rc;

	if (fd < 0)
		return fd;
	rc = ifk_sha256_fd(fd, hex, bytes, name, err);
	close(fd);
	return rc;
}

struct hashing {
	struct ifk_rar_list *l;
	int stage_fd;
};

/* Updates the row being read (its key unchanged), which SQLite allows. */
static int hash_one(void *ctx, const struct ifk_rar_member *m, struct ifk_error *err)
{
	struct hashing *h = ctx;
	char hex[IFK_SHA256_HEX];
	uint64_t bytes = 0;
	int rc = hash_member(h->stage_fd, m->name, hex, &bytes, err);

	if (rc)
		return rc;
	sqlite3_bind_text(h->l->set, 1, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(h->l->set, 2, (sqlite3_int64)bytes);
	sqlite3_bind_text(h->l->set, 3, m->name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(h->l->set) != SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EIO, "%s: cannot list the member: %s", m->name,
		                   sqlite3_errmsg(h->l->db));
	sqlite3_reset(h->l->set);
	return rc;
}

/* Printable ASCII without a backslash: the same bytes in every locale, in a
 * ustar or pax header and on a SHA256SUMS line. */
static int name_ok(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '\\')
			return 0;
	return 1;
}

struct walk {
	int dir_fd, depth;
	const char *stage;
	struct ifk_rar_list *list;
	struct ifk_error *err;
};

static int walk_dir(const struct walk *w, int fd, const char *rel);

static int walk_entry(void *ctx, const char *name, const char *rel)
{
	const struct walk *w = ctx;
	struct stat st;
	int fd, rc;

	if (fstatat(w->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return ifk_error_sys(w->err, IFK_EIO, errno, "%s/%s: cannot stat", w->stage, rel);
	if (!name_ok(rel)) {
		char *e = ifk_text_escape(rel);
		rc = ifk_error_set(w->err, IFK_EINVAL,
		                   "%s/%s: a member name must be printable ASCII without a "
		                   "backslash",
		                   w->stage, e ? e : "?");
		free(e);
		return rc;
	}
	if (S_ISREG(st.st_mode))
		return ifk_rar_list_add(w->list, rel, NULL, 0, w->err);
	if (!S_ISDIR(st.st_mode))
		return ifk_error_set(w->err, IFK_EFORMAT,
		                     "%s/%s: a symlink or special file, refused in a report",
		                     w->stage, rel);
	if (w->depth >= MAX_DEPTH)
		return ifk_error_set(w->err, IFK_EFORMAT, "%s/%s: folders nested too deep",
		                     w->stage, rel);
	fd = openat(w->dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ifk_error_sys(w->err, IFK_EIO, errno, "%s/%s: cannot open", w->stage, rel);
	rc = walk_dir(w, fd, rel);
	close(fd);
	return rc;
}

static int walk_dir(const struct walk *w, int fd, const char *rel)
{
	struct walk sub = *w;
	int list_errno = 0, rc;

	sub.dir_fd = fd;
	sub.depth = w->depth + 1;
	rc = ifk_dir_foreach(fd, rel, walk_entry, &sub, &list_errno);
	if (rc == IFK_ENOMEM)
		return ifk_error_set(w->err, IFK_ENOMEM, "out of memory");
	if (!rc && list_errno)
		rc = ifk_error_sys(w->err, IFK_EIO, list_errno, "%s/%s: cannot list", w->stage,
		                   rel ? rel : "");
	return rc;
}

/* Opens stage_dir (into *fd) and lists its regular files into l. */
static int collect(const char *stage_dir, int *fd, struct ifk_rar_list *l, struct ifk_error *err)
{
	struct walk w = {-1, 0, stage_dir, l, err};

	*fd = open(stage_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return ifk_error_sys(err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno,
		                     "%s: cannot open the staged report", stage_dir);
	w.dir_fd = *fd;
	return walk_dir(&w, *fd, NULL);
}

int ifk_rar_list_stage(const char *stage_dir, int hash, struct ifk_rar_list **out,
                       struct ifk_error *err)
{
	struct hashing h = {NULL, -1};
	int rc = ifk_rar_list_new(&h.l, err);

	if (!rc)
		rc = collect(stage_dir, &h.stage_fd, h.l, err);
	if (!rc && hash)
		rc = ifk_rar_list_each(h.l, hash_one, &h, err);
	if (h.stage_fd >= 0)
		close(h.stage_fd);
	if (rc)
		ifk_rar_list_free(h.l);
	*out = rc ? NULL : h.l;
	return rc;
}

/* ---- SHA256SUMS ---- */

struct sums {
	FILE *out;
	int stage_fd;
};

static int sum_line(void *ctx, const struct ifk_rar_member *m, struct ifk_error *err)
{
	struct sums *s = ctx;
	char hex[IFK_SHA256_HEX];
	int rc;

	if (strcmp(m->name, IFK_RAR_SUMS) == 0)
		return 0;
	rc = hash_member(s->stage_fd, m->name, hex, NULL, err);
	if (!rc && fprintf(s->out, "%s  %s\n", hex, m->name) < 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: write failed", IFK_RAR_SUMS);
	return rc;
}

int ifk_rar_sha256sums(const char *stage_dir, struct ifk_error *err)
{
	struct ifk_rar_list *l = NULL;
	struct sums s = {NULL, -1};
	int rc = ifk_rar_list_new(&l, err), fd = -1, made = 0;

	if (!rc)
		rc = collect(stage_dir, &s.stage_fd, l, err);
	if (!rc) {
		fd = openat(s.stage_fd, IFK_RAR_SUMS,
		            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			rc = ifk_error_sys(err, errno == EEXIST ? IFK_EEXIST : IFK_EIO, errno,
			                   "%s: cannot create", IFK_RAR_SUMS);
		else if (!(s.out = fdopen(fd, "w")))
			rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		made = fd >= 0;
	}
	if (!rc)
		rc = ifk_rar_list_each(l, sum_line, &s, err);
	if (s.out) {
		if ((ferror(s.out) | fclose(s.out)) != 0 && !rc)
			rc = ifk_error_sys(err, IFK_EIO, errno, "%s: write failed", IFK_RAR_SUMS);
	} else if (fd >= 0) {
		close(fd);
	}
	if (rc && made)
		unlinkat(s.stage_fd, IFK_RAR_SUMS, 0);
	if (s.stage_fd >= 0)
		close(s.stage_fd);
	ifk_rar_list_free(l);
	return rc;
}

/* ---- the archive ---- */

static int ar_error(struct archive *a, const char *what, struct ifk_error *err)
{
	const char *msg = archive_error_string(a);

	return ifk_error_set(err, IFK_EIO, "%s: %s", what, msg ? msg : "libarchive failed");
}

/* A pax writer with gzip that stores no time stamp (gzip MTIME 0, no file
 * name), writing to fd. */
static struct archive *new_writer(int fd, const char *path, struct ifk_error *err)
{
	struct archive *a = archive_write_new();

	if (!a) {
		ifk_error_set(err, IFK_ENOMEM, "out of memory");
		return NULL;
	}
	if (archive_write_set_format_pax(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		ar_error(a, path, err);
		archive_write_free(a);
		return NULL;
	}
	return a;
}

static void set_entry(struct archive_entry *e, const char *name, off_t size, time_t mtime)
{
	archive_entry_clear(e);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, mtime, 0);
}

/* Streams fd's st_size bytes into the current entry. */
static int copy_data(struct archive *a, int fd, off_t size, uint8_t *buf, const char *name,
                     struct ifk_error *err)
{
	off_t done = 0;

	for (;;) {
		ssize_t n = read(fd, buf, IFK_IO_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ifk_error_sys(err, IFK_EIO, errno, "%s: read failed", name);
		if (n == 0)
			break;
		if (n > size - done)
			return ifk_error_set(err, IFK_EIO, "%s: grew while it was archived", name);
		if (archive_write_data(a, buf, (size_t)n) != n)
			return ar_error(a, name, err);
		done += n;
	}
	if (done != size)
		return ifk_error_set(err, IFK_EIO, "%s: shrank while it was archived", name);
	return 0;
}

static int add_member(struct archive *a, struct archive_entry *e, int stage_fd, const char *name,
                      time_t mtime, uint8_t *buf, struct ifk_error *err)
{
	struct stat st;
	int fd = ifk_open_regular(stage_fd, name, err), rc = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot stat", name);
		goto out;
	}
	set_entry(e, name, st.st_size, mtime);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		rc = ar_error(a, name, err);
		goto out;
	}
	rc = copy_data(a, fd, st.st_size, buf, name, err);
out:
	close(fd);
	return rc;
}

struct adding {
	struct archive *a;
	struct archive_entry *e;
	int stage_fd;
	time_t mtime;
	uint8_t *buf;
};

static int add_one(void *ctx, const struct ifk_rar_member *m, struct ifk_error *err)
{
	struct adding *ad = ctx;

	return add_member(ad->a, ad->e, ad->stage_fd, m->name, ad->mtime, ad->buf, err);
}

static int write_members(int out_fd, const char *path, int stage_fd,
                         const struct ifk_rar_list *l, time_t mtime, struct ifk_error *err)
{
	struct adding ad = {new_writer(out_fd, path, err), archive_entry_new(), stage_fd, mtime,
	                    malloc(IFK_IO_CHUNK)};
	int rc = 0;

	if (!ad.a) {
		rc = err ? err->code : IFK_EIO;
		goto out;
	}
	if (!ad.e || !ad.buf) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	rc = ifk_rar_list_each(l, add_one, &ad, err);
	if (!rc && archive_write_close(ad.a) != ARCHIVE_OK)
		rc = ar_error(ad.a, path, err);
out:
	if (ad.a)
		archive_write_free(ad.a);
	archive_entry_free(ad.e);
	free(ad.buf);
	return rc;
}

int ifk_rar_write(const char *archive_path, const char *stage_dir, time_t mtime,
                  struct ifk_error *err)
{
	struct ifk_rar_list *l = NULL;
	int stage_fd = -1, fd = -1, rc = ifk_rar_list_new(&l, err);

	if (!rc)
		rc = collect(stage_dir, &stage_fd, l, err);
	if (rc)
		goto out;
	fd = open(archive_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = ifk_error_sys(err, errno == EEXIST ? IFK_EEXIST : IFK_EIO, errno,
		                   "%s: cannot create", archive_path);
		goto out;
	}
	rc = write_members(fd, archive_path, stage_fd, l, mtime, err);
	if (!rc && fsync(fd) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: fsync failed", archive_path);
	if (close(fd) != 0 && !rc)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: close failed", archive_path);
	if (rc)
		unlink(archive_path);
out:
	ifk_rar_list_free(l);
	if (stage_fd >= 0)
		close(stage_fd);
	return rc;
}

/* ---- reading an archive back ---- */

#define MAX_TEXT (64 * 1024 * 1024) /* report.json is read whole */
#define MAX_SUMS_LINE (64 * 1024)    /* a longer SHA256SUMS line is a finding */
#define READ_BLOCK (64 * 1024)

void ifk_rar_fail(json_t *result, const char *file, const char *fmt, ...)
{
	json_t *list = json_object_get(result, "findings");
	json_int_t n = json_integer_value(json_object_get(result, "failures"));
	char reason[1024], *r, *f;
	va_list ap;

	json_object_set_new(result, "failures", json_integer(n + 1));
	if (!list) {
		list = json_array();
		json_object_set_new(result, "findings", list);
	}
	if (json_array_size(list) >= IFK_RAR_MAX_FINDINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	r = ifk_text_escape(reason);
	f = file ? ifk_text_escape(file) : NULL;
	json_array_append_new(list, json_pack("{s:s, s:s?, s:s}", "level", "fail", "file", f,
	                                      "reason", r ? r : "(out of memory)"));
	free(r);
	free(f);
}

/* A member kept whole as well as hashed (bounded by MAX_TEXT). */
struct text {
	struct ifk_buf b;
	int seen, too_big;
};

/* A SHA256SUMS line's state (the column l.bad): well formed, not
 * "<sha256>  <name>", longer than MAX_SUMS_LINE, or the last line without
 * its line feed. */
enum { LINE_OK, LINE_BAD, LINE_LONG, LINE_NO_LF };

/* SHA256SUMS as it streams: the line being assembled (up to MAX_SUMS_LINE). */
struct sums_reader {
	struct ifk_buf line;
	int too_long;
	unsigned long lineno;
};

/* The members and SHA256SUMS's lines are kept in a private temporary SQLite
 * database, as the writer's list is (struct ifk_rar_list): an archive with
 * --include-media holds a member per camera-roll file, and the scan's memory
 * must not grow with them. a: the members in archive order; l: SHA256SUMS's
 * lines in line order (sha256 and name NULL unless well formed); listed: the
 * names SHA256SUMS lists, gathered while it is checked. */
struct scan {
	json_t *result;
	sqlite3 *db;
	sqlite3_stmt *add_member, *get_member, *add_line;
	unsigned long count;
	int damaged;
	struct text sums, report;
	struct sums_reader sr;
	int fd, read_errno; /* the source, and the errno of a failed read */
	uint8_t *block, *buf;
};

static la_ssize_t src_read(struct archive *a, void *ctx, const void **out)
{
	struct scan *s = ctx;
	ssize_t n;

	(void)a;
	do
		n = read(s->fd, s->block, READ_BLOCK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->read_errno = errno;
		archive_set_error(a, errno, "read failed");
		return -1;
	}
	*out = s->block;
	return n;
}

static int keep(struct text *t, const uint8_t *p, size_t n)
{
	if (t->too_big)
		return 0;
	if (n > MAX_TEXT - t->b.len) {
		t->too_big = 1;
		return 0;
	}
	return ifk_buf_add(&t->b, p, n);
}

static int is_hex64(const char *s);

static int db_fail(struct scan *s, struct ifk_error *err)
{
	return ifk_error_set(err, IFK_EIO, "report archive: the temporary list of members: %s",
	                     sqlite3_errmsg(s->db));
}

/* One whole SHA256SUMS line (without its LF), recorded in l. */
static int sums_line_add(struct scan *s, int bad, struct ifk_error *err)
{
	const char *line = s->sr.line.data ? s->sr.line.data : "";
	size_t len = s->sr.line.len;
	int rc = 0;

	s->sr.lineno++;
	if (bad == LINE_OK && (len < 67 || memchr(line, '\0', len) || !is_hex64(line) ||
	                       line[64] != ' ' || line[65] != ' '))
		bad = LINE_BAD;
	sqlite3_bind_int64(s->add_line, 1, (sqlite3_int64)s->sr.lineno);
	sqlite3_bind_int(s->add_line, 2, bad);
	if (bad == LINE_OK) {
		sqlite3_bind_text(s->add_line, 3, line, 64, SQLITE_STATIC);
		sqlite3_bind_text(s->add_line, 4, line + 66, (int)(len - 66), SQLITE_STATIC);
	} else {
		sqlite3_bind_null(s->add_line, 3);
		sqlite3_bind_null(s->add_line, 4);
	}
	if (sqlite3_step(s->add_line) != SQLITE_DONE)
		rc = db_fail(s, err);
	sqlite3_reset(s->add_line);
	s->sr.line.len = 0;
	s->sr.too_long = 0;
	return rc;
}

/* A chunk of SHA256SUMS, split into lines as it streams. */
static int sums_feed(struct scan *s, const uint8_t *p, size_t n, struct ifk_error *err)
{
	const uint8_t *nl;
	size_t k;
	int rc;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) : n;
		if (!s->sr.too_long && k > MAX_SUMS_LINE - s->sr.line.len)
			s->sr.too_long = 1;
		if (!s->sr.too_long && ifk_buf_add(&s->sr.line, p, k) != 0)
			return ifk_error_set(err, IFK_ENOMEM, "out of memory");
		if (!nl)
			break;
		if ((rc = sums_line_add(s, s->sr.too_long ? LINE_LONG : LINE_OK, err)) != 0)
			return rc;
		p = nl + 1;
		n -= k + 1;
	}
	return 0;
}

/* Hashes the current member's data (keeping it in t when not NULL, or
 * splitting it into SHA256SUMS lines when it is s->sums): 0, 1 when the
 * archive is damaged there, or a negative code. */
static int read_member(struct scan *s, struct archive *a, struct text *t, char hex[65],
                       struct ifk_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t d[IFK_SHA256_LEN];
	la_ssize_t n;
	int rc = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	while ((n = archive_read_data(a, s->buf, IFK_IO_CHUNK)) > 0) {
		EVP_DigestUpdate(md, s->buf, (size_t)n);
		if (t == &s->sums) {
			if ((rc = sums_feed(s, s->buf, (size_t)n, err)) != 0)
				goto out;
		} else if (t && keep(t, s->buf, (size_t)n) != 0) {
			rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (n < 0) {
		rc = 1;
		goto out;
	}
	if (t == &s->sums && (s->sr.line.len > 0 || s->sr.too_long) &&
	    (rc = sums_line_add(s, LINE_NO_LF, err)) != 0)
		goto out;
	EVP_DigestFinal_ex(md, d, NULL);
	ifk_hex(d, sizeof(d), hex);
out:
	EVP_MD_CTX_free(md);
	return rc;
}

static const char *kind_of(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return "a hard link";
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return "a folder";
	case AE_IFLNK:
		return "a symbolic link";
	case AE_IFCHR:
	case AE_IFBLK:
		return "a device";
	case AE_IFIFO:
		return "a FIFO";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "of an unknown type";
	}
}

/* A member's SHA-256 as the scan found it into have: 1, 0 when the archive
 * has no such member, or a negative code. */
static int member_sha(struct scan *s, const char *name, char have[IFK_SHA256_HEX],
                      struct ifk_error *err)
{
	int step, rc;

	sqlite3_bind_text(s->get_member, 1, name, -1, SQLITE_STATIC);
	step = sqlite3_step(s->get_member);
	if (step == SQLITE_ROW) {
		snprintf(have, IFK_SHA256_HEX, "%s",
		         (const char *)sqlite3_column_text(s->get_member, 0));
		rc = 1;
	} else {
		rc = step == SQLITE_DONE ? 0 : db_fail(s, err);
	}
	sqlite3_reset(s->get_member);
	return rc;
}

/* One entry: refused, or hashed into a. 1 when damaged. */
static int on_entry(struct scan *s, struct archive *a, struct archive_entry *e,
                    struct ifk_error *err)
{
	const char *name = archive_entry_pathname(e);
	struct text *t = NULL;
	char hex[IFK_SHA256_HEX];
	int rc;

	s->count++;
	if (!name)
		name = archive_entry_pathname_utf8(e);
	if (!name || !*name) {
		ifk_rar_fail(s->result, NULL, "a member without a readable name: not read");
		return 0;
	}
	if (ifk_relpath_problem(name)) {
		ifk_rar_fail(s->result, name, "a member name that leaves the archive's folder (%s): "
		             "refused", ifk_relpath_problem(name));
		return 0;
	}
	if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) {
		ifk_rar_fail(s->result, name, "not a regular file (%s): refused", kind_of(e));
		return 0;
	}
	if ((rc = member_sha(s, name, hex, err)) < 0)
		return rc;
	if (rc == 1) {
		ifk_rar_fail(s->result, name,
		             "the archive holds this name twice (extracting it keeps the last)");
		return 0;
	}
	if (strcmp(name, IFK_RAR_SUMS) == 0)
		t = &s->sums;
	else if (strcmp(name, IFK_RAR_REPORT_JSON) == 0)
		t = &s->report;
	if ((rc = read_member(s, a, t, hex, err)) != 0)
		return rc;
	if (t)
		t->seen = 1;
	sqlite3_bind_text(s->add_member, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->add_member, 2, hex, 64, SQLITE_STATIC);
	rc = sqlite3_step(s->add_member) == SQLITE_DONE ? 0 : db_fail(s, err);
	sqlite3_reset(s->add_member);
	return rc;
}

static void damage(struct scan *s, struct archive *a)
{
	const char *msg = archive_error_string(a);

	s->damaged = 1;
	ifk_rar_fail(s->result, NULL,
	             "the archive is damaged or not a gzip-compressed tar after %lu members: %s",
	             s->count, msg ? msg : "unreadable");
}

static int read_all(struct scan *s, struct ifk_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r, rc = 0;

	if (!a)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open(a, s, NULL, src_read, NULL) != ARCHIVE_OK) {
		damage(s, a);
		goto out;
	}
	while (!rc) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN)
			ifk_rar_fail(s->result, NULL, "the archive reader warns: %s",
			             archive_error_string(a) ? archive_error_string(a) : "?");
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			damage(s, a);
			break;
		}
		if ((rc = on_entry(s, a, e, err)) == 1) {
			damage(s, a);
			rc = 0;
			break;
		}
	}
out:
	archive_read_free(a);
	if (s->read_errno)
		rc = ifk_error_sys(err, IFK_EIO, s->read_errno, "report archive: read failed");
	return rc;
}

static int is_hex64(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0' || s[64] == ' ';
}

/* One well-formed SHA256SUMS line against the members: listed twice,
 * changed or removed; listed gathers the names. */
static int sums_check_line(struct scan *s, sqlite3_stmt *list, const char *sha,
                           const char *name, struct ifk_error *err)
{
	char have[IFK_SHA256_HEX];
	int rc, step;

	sqlite3_bind_text(list, 1, name, -1, SQLITE_STATIC);
	step = sqlite3_step(list);
	sqlite3_reset(list);
	if (step == SQLITE_CONSTRAINT) {
		ifk_rar_fail(s->result, name, "listed twice in SHA256SUMS");
		return 0;
	}
	if (step != SQLITE_DONE)
		return db_fail(s, err);
	if ((rc = member_sha(s, name, have, err)) < 0)
		return rc;
	if (rc == 0 && !s->damaged)
		ifk_rar_fail(s->result, name, "removed: listed in SHA256SUMS, not in the archive");
	else if (rc == 1 && strcmp(have, sha) != 0)
		ifk_rar_fail(s->result, name,
		             "changed: SHA256SUMS has %s, the member's SHA-256 is %s", sha, have);
	return 0;
}

static int sums_present(struct scan *s)
{
	const char *why = NULL;

	if (!s->sums.seen && s->damaged)
		why = "not reached: the archive is damaged before it";
	else if (!s->sums.seen)
		why = "missing: the members cannot be checked";
	if (why)
		ifk_rar_fail(s->result, IFK_RAR_SUMS, "%s", why);
	return why == NULL;
}

/* SHA256SUMS's lines in line order, then the members it does not list in
 * archive order ("added"). */
static int check_sums(struct scan *s, struct ifk_error *err)
{
	sqlite3_stmt *lines = NULL, *list = NULL, *added = NULL;
	int rc = 0, step = SQLITE_DONE, bad;
	unsigned long lineno;

	if (!sums_present(s))
		return 0;
	if (sqlite3_prepare_v2(s->db, "SELECT lineno, bad, sha256, name FROM l ORDER BY lineno",
	                       -1, &lines, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO listed VALUES (?)", -1, &list, NULL) !=
	        SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	                       "SELECT name FROM a WHERE name <> '" IFK_RAR_SUMS "' AND NOT EXISTS"
	                       " (SELECT 1 FROM listed WHERE listed.name = a.name) ORDER BY seq",
	                       -1, &added, NULL) != SQLITE_OK) {
		rc = db_fail(s, err);
		goto out;
	}
	while (!rc && (step = sqlite3_step(lines)) == SQLITE_ROW) {
		lineno = (unsigned long)sqlite3_column_int64(lines, 0);
		bad = sqlite3_column_int(lines, 1);
		if (bad == LINE_BAD)
			ifk_rar_fail(s->result, IFK_RAR_SUMS,
			             "line %lu is not \"<sha256>  <name>\"", lineno);
		else if (bad == LINE_LONG)
			ifk_rar_fail(s->result, IFK_RAR_SUMS, "line %lu is longer than %d KiB",
			             lineno, MAX_SUMS_LINE / 1024);
		else if (bad == LINE_NO_LF)
			ifk_rar_fail(s->result, IFK_RAR_SUMS,
			             "line %lu does not end with a line feed", lineno);
		else
			rc = sums_check_line(s, list, (const char *)sqlite3_column_text(lines, 2),
			                     (const char *)sqlite3_column_text(lines, 3), err);
	}
	if (!rc && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_fail(s, err);
	while (!rc && (step = sqlite3_step(added)) == SQLITE_ROW)
		ifk_rar_fail(s->result, (const char *)sqlite3_column_text(added, 0),
		             "added: in the archive, not listed in SHA256SUMS");
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(s, err);
out:
	sqlite3_finalize(lines);
	sqlite3_finalize(list);
	sqlite3_finalize(added);
	return rc;
}

static int hex64(const char *h)
{
	return h && strlen(h) == 64 && is_hex64(h);
}

/* What binds the report to its bag (report.json's acquisition_record_sha256
 * and parse.parse_json_sha256), checked against the members it names, into
 * result's "binding" for ifk_rar_check_custody. */
static void read_binding(struct scan *s, json_t *doc, const char *rec_member,
                         const char *parse_member)
{
	const char *rec = json_string_value(json_object_get(doc, "acquisition_record_sha256"));
	json_t *p = json_object_get(doc, "parse");
	const char *psha = json_string_value(json_object_get(p, "parse_json_sha256"));

	if (!hex64(rec)) {
		ifk_rar_fail(s->result, IFK_RAR_REPORT_JSON,
		             "names no acquisition record (acquisition_record_sha256): it cannot "
		             "be bound to a bag");
		return;
	}
	if (rec_member && strcmp(rec_member, rec) != 0)
		ifk_rar_fail(s->result, "custody/ifk-acquisition.json",
		             "is not the acquisition record report.json names (%.16s...)", rec);
	if (json_is_object(p) && !hex64(psha))
		ifk_rar_fail(s->result, IFK_RAR_REPORT_JSON,
		             "names no parse.json (parse.parse_json_sha256)");
	else if (json_is_object(p) && parse_member && strcmp(parse_member, psha) != 0)
		ifk_rar_fail(s->result, "parse/parse.json",
		             "is not the parse.json report.json names (%.16s...)", psha);
	json_object_set_new(s->result, "binding",
	                    json_pack("{s:s, s:s?}", "acquisition_record_sha256", rec,
	                              "parse_json_sha256", json_is_object(p) ? psha : NULL));
}

/* From report.json: result's "custody_head" ({"head", "head_seq"} from its
 * "custody", or null and a finding) and "examiner_certificate_sha256" (its
 * examiner.certificate_sha256, or null). 0 or a negative code. */
static int read_report_json(struct scan *s, struct ifk_error *err)
{
	json_t *doc = NULL, *c, *seq, *r = NULL;
	const char *head, *cert;
	char rec_m[IFK_SHA256_HEX], parse_m[IFK_SHA256_HEX];
	int has_rec = 0, has_parse = 0;

	if ((has_rec = member_sha(s, "custody/ifk-acquisition.json", rec_m, err)) < 0 ||
	    (has_parse = member_sha(s, "parse/parse.json", parse_m, err)) < 0)
		return -1;
	if (!s->report.seen || s->report.too_big) {
		ifk_rar_fail(s->result, IFK_RAR_REPORT_JSON, "%s",
		             s->report.too_big ? "larger than 64 MiB: not read"
		             : s->damaged      ? "not reached: the archive is damaged before it"
		                               : "missing: the archive has no report.json");
		goto out;
	}
	doc = json_loadb(s->report.b.data, s->report.b.len, JSON_REJECT_DUPLICATES, NULL);
	c = json_object_get(doc, "custody");
	head = json_string_value(json_object_get(c, "head"));
	seq = json_object_get(c, "head_seq");
	if (hex64(head) && json_is_integer(seq) && json_integer_value(seq) >= 1)
		r = json_pack("{s:s, s:O}", "head", head, "head_seq", seq);
	else
		ifk_rar_fail(s->result, IFK_RAR_REPORT_JSON, "%s",
		             doc ? "names no custody head (custody.head and custody.head_seq)"
		                 : "not JSON");
	cert = json_string_value(
	    json_object_get(json_object_get(doc, "examiner"), "certificate_sha256"));
	if (hex64(cert))
		json_object_set_new(s->result, "examiner_certificate_sha256", json_string(cert));
	read_binding(s, doc, has_rec ? rec_m : NULL, has_parse ? parse_m : NULL);
out:
	json_object_set_new(s->result, "custody_head", r ? r : json_null());
	if (!json_object_get(s->result, "examiner_certificate_sha256"))
		json_object_set_new(s->result, "examiner_certificate_sha256", json_null());
	json_decref(doc);
	return 0;
}

int ifk_rar_scan(int archive_fd, json_t *result, struct ifk_error *err)
{
	struct scan s = {0};
	int rc;

	s.result = result;
	s.fd = archive_fd;
	s.block = malloc(READ_BLOCK);
	s.buf = malloc(IFK_IO_CHUNK);
	if (!json_object_get(result, "findings"))
		json_object_set_new(result, "findings", json_array());
	if (!json_object_get(result, "failures"))
		json_object_set_new(result, "failures", json_integer(0));
	if (!s.block || !s.buf) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	if (temp_db(&s.db, "CREATE TABLE a(seq INTEGER PRIMARY KEY, name TEXT UNIQUE, sha256 TEXT);"
	                   "CREATE TABLE l(lineno INTEGER PRIMARY KEY, bad INTEGER, sha256 TEXT,"
	                   " name TEXT);"
	                   "CREATE TABLE listed(name TEXT PRIMARY KEY) WITHOUT ROWID") != 0 ||
	    sqlite3_prepare_v2(s.db, "INSERT INTO a(name, sha256) VALUES (?, ?)", -1,
	                       &s.add_member, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s.db, "SELECT sha256 FROM a WHERE name = ?", -1, &s.get_member,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s.db, "INSERT INTO l VALUES (?, ?, ?, ?)", -1, &s.add_line,
	                       NULL) != SQLITE_OK) {
		rc = ifk_error_set(err, IFK_EIO,
		                   "report archive: cannot create a temporary list of members");
		goto out;
	}
	rc = read_all(&s, err);
	if (!rc)
		rc = check_sums(&s, err);
	if (!rc) {
		json_object_set_new(result, "members", json_integer((json_int_t)s.count));
		rc = read_report_json(&s, err);
	}
out:
	sqlite3_finalize(s.add_member);
	sqlite3_finalize(s.get_member);
	sqlite3_finalize(s.add_line);
	sqlite3_close(s.db);
	ifk_buf_free(&s.sr.line);
	free(s.sums.b.data);
	free(s.report.b.data);
	free(s.block);
	free(s.buf);
	return rc;
}
