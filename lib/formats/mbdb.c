/* Manifest.mbdb (iOS 5-9): "mbdb\5\0", then records until EOF. */
#include "formats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RD_BUF (64 * 1024)
#define NSTR 5        /* domain, path, target, hash, key */
#define MAX_PROPS 255 /* the count is a u8 */
#define FIXED_LEN 40  /* mode .. propertyCount */
#define PROBLEM_MAX 512

/* A buffered reader that knows where it is. */
struct reader {
	int fd;
	const char *path;
	uint64_t off;     /* file offset of buf[pos] */
	uint64_t rec;     /* current record number, 1-based */
	uint64_t rec_off; /* its offset */
	size_t pos, len;
	uint8_t buf[RD_BUF];
};

/* A length-prefixed string of a record; storage reused across records. */
struct mstr {
	uint8_t *p;
	size_t len, cap;
	bool present;
};

struct record {
	struct mstr s[NSTR];
	struct mstr prop[2 * MAX_PROPS];
	struct ifk_prop props[MAX_PROPS];
	uint8_t fixed[FIXED_LEN];
	struct ifk_entry e;
	char problem[PROBLEM_MAX], warning[PROBLEM_MAX];
};

/* 1 when more bytes are buffered, 0 at EOF, or a negative code. */
static int rd_fill(struct reader *r, struct ifk_error *err)
{
	ssize_t n;

	if (r->pos < r->len)
		return 1;
	r->pos = r->len = 0;
	do
		n = read(r->fd, r->buf, sizeof(r->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: read failed at offset %llu", r->path,
		                     (unsigned long long)r->off);
	r->len = (size_t)n;
	return n > 0;
}

/* Reads exactly n bytes into dst; EOF first is a truncated record. */
static int rd_exact(struct reader *r, void *dst, size_t n, struct ifk_error *err)
{
	uint8_t *d = dst;
	size_t k;
	int rc;

	while (n > 0) {
		if ((rc = rd_fill(r, err)) < 0)
			return rc;
		if (rc == 0)
			return ifk_error_set(err, IFK_EFORMAT,
			                     "%s: record %llu (offset %llu) truncated at offset "
			                     "%llu, %zu bytes short",
			                     r->path, (unsigned long long)r->rec,
			                     (unsigned long long)r->rec_off,
			                     (unsigned long long)r->off, n);
		k = r->len - r->pos < n ? r->len - r->pos : n;
		memcpy(d, r->buf + r->pos, k);
		r->pos += k;
		r->off += k;
		d += k;
		n -= k;
	}
	return 0;
}

static uint64_t be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* A u16 length (0xFFFF: absent) and that many bytes, NUL-terminated. */
static int rd_str(struct reader *r, struct mstr *s, struct ifk_error *err)
{
	uint8_t lb[2];
	size_t n;
	int rc;

	if ((rc = rd_exact(r, lb, 2, err)) < 0)
		return rc;
	n = (size_t)be(lb, 2);
	s->present = n != 0xFFFF;
	s->len = s->present ? n : 0;
	if (s->cap < s->len + 1) {
		uint8_t *p = realloc(s->p, s->len + 1);

		if (!p)
			return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", r->path);
		s->p = p;
		s->cap = s->len + 1;
	}
	s->p[s->len] = 0;
	return rd_exact(r, s->p, s->len, err);
}

static int check_magic(struct reader *r, struct ifk_error *err)
{
	uint8_t m[6];
	ssize_t n;

	do
		n = read(r->fd, m, sizeof(m));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot read", r->path);
	if (n < (ssize_t)sizeof(m) || memcmp(m, "mbdb", 4) != 0)
		return ifk_error_set(err, IFK_EFORMAT, "%s: not a Manifest.mbdb (no mbdb magic)",
		                     r->path);
	if (m[4] != 5 || m[5] != 0)
		return ifk_error_set(err, IFK_EUNSUPPORTED,
		                     "%s: Manifest.mbdb version %u.%u not supported", r->path, m[4],
		                     m[5]);
	r->off = sizeof(m);
	return 0;
}

static void add_to(char *buf, size_t cap, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, "%s%s", n ? "; " : "", what);
}

/* The record is unusable. */
static void add_problem(struct record *c, const char *what)
{
	add_to(c->problem, sizeof(c->problem), what);
}

/* Values a device may write that ifk has not seen: reported, not refused. */
static void check_unexpected(struct record *c)
{
	char msg[96];

	if (c->e.mode && c->e.kind == IFK_ENTRY_OTHER) {
		snprintf(msg, sizeof(msg), "mode 0%o is not a file, folder or symlink",
		         (unsigned)c->e.mode);
		add_to(c->warning, sizeof(c->warning), msg);
	}
	if (c->e.protection_class > IFK_PROTECTION_CLASS_MAX) {
		snprintf(msg, sizeof(msg), "protectionClass %u is not a class ifk knows",
		         (unsigned)c->e.protection_class);
		add_to(c->warning, sizeof(c->warning), msg);
	}
}

/* The string as a C string; a problem when it holds a NUL byte. */
static const char *cstr(struct record *c, const struct mstr *s, const char *nul_msg)
{
	if (strlen((const char *)s->p) != s->len)
		add_problem(c, nul_msg);
	return (const char *)s->p;
}

static const uint8_t *bytes(const struct mstr *s, size_t *len)
{
	*len = s->len;
	return s->present ? s->p : NULL;
}

/* Reads the rest of a record after its five strings. */
static int rd_tail(struct reader *r, struct record *c, struct ifk_error *err)
{
	const uint8_t *f = c->fixed;
	size_t k, nprops;
	int rc;

	if ((rc = rd_exact(r, c->fixed, FIXED_LEN, err)) < 0)
		return rc;
	nprops = f[39];
	for (k = 0; k < 2 * nprops; k++)
		if ((rc = rd_str(r, &c->prop[k], err)) < 0)
			return rc;
	c->e.nprops = nprops;
	return 0;
}

/* Fills c->e from what rd_record read. */
static int build_entry(struct record *c, struct ifk_error *err)
{
	struct ifk_entry *e = &c->e;
	const uint8_t *f = c->fixed;
	size_t k;

	e->domain = cstr(c, &c->s[0], "domain holds a NUL byte; cut short");
	if (!c->s[0].present || !*e->domain)
		add_problem(c, "no domain");
	e->relative_path = cstr(c, &c->s[1], "relativePath holds a NUL byte; cut short");
	e->target =
	    c->s[2].present ? cstr(c, &c->s[2], "linkTarget holds a NUL byte; cut short") : NULL;
	e->data_hash = bytes(&c->s[3], &e->data_hash_len);
	e->enc_key = bytes(&c->s[4], &e->enc_key_len);
	e->mode = (uint32_t)be(f, 2);
	e->kind = ifk_entry_kind_from_mode(e->mode);
	e->inode = be(f + 2, 8);
	e->uid = (int32_t)(uint32_t)be(f + 10, 4); /* 0xfffffffe is -2, "nobody" */
	e->gid = (int32_t)(uint32_t)be(f + 14, 4);
	e->mtime = (int64_t)be(f + 18, 4);
	e->atime = (int64_t)be(f + 22, 4);
	e->ctime = (int64_t)be(f + 26, 4);
	e->size = be(f + 30, 8);
	e->protection_class = f[38];
	e->flags = -1;
	for (k = 0; k < e->nprops; k++) {
		c->props[k].name = cstr(c, &c->prop[2 * k], "a property name holds a NUL byte");
		c->props[k].value = c->prop[2 * k + 1].p;
		c->props[k].value_len = c->prop[2 * k + 1].len;
	}
	e->props = c->props;
	check_unexpected(c);
	e->problem = c->problem[0] ? c->problem : NULL;
	e->warning = c->warning[0] ? c->warning : NULL;
	return ifk_file_id(e->domain, e->relative_path, e->file_id, err) < 0 ? IFK_ECRYPTO : 0;
}

/* Reads one record: 1 when one was read, 0 at a clean EOF, or negative. */
static int rd_record(struct reader *r, struct record *c, struct ifk_error *err)
{
	size_t k;
	int rc;

	if ((rc = rd_fill(r, err)) <= 0)
		return rc;
	r->rec++;
	r->rec_off = r->off;
	memset(&c->e, 0, sizeof(c->e));
	c->problem[0] = c->warning[0] = '\0';
	c->e.index = r->rec;
	c->e.offset = r->rec_off;
	for (k = 0; k < NSTR; k++)
		if ((rc = rd_str(r, &c->s[k], err)) < 0)
			return rc;
	if ((rc = rd_tail(r, c, err)) < 0)
		return rc;
	if ((rc = build_entry(c, err)) < 0)
		return rc;
	return 1;
}

static void free_record(struct record *c)
{
	size_t k;

	if (!c)
		return;
	for (k = 0; k < NSTR; k++)
		free(c->s[k].p);
	for (k = 0; k < 2 * MAX_PROPS; k++)
		free(c->prop[k].p);
	free(c);
}

static int open_mbdb(const char *path, int *fd, struct ifk_error *err)
{
	struct stat sb;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (*fd < 0 && errno == ELOOP)
		return ifk_error_set(err, IFK_EFORMAT, "%s: a symbolic link, refused", path);
	if (*fd < 0)
		return ifk_error_sys(err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno,
		                     "%s: cannot open", path);
	if (fstat(*fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(*fd);
		*fd = -1;
		return ifk_error_set(err, IFK_EFORMAT, "%s: not a regular file", path);
	}
	return 0;
}

int ifk_mbdb_foreach(const char *path, ifk_entry_fn fn, void *ctx, struct ifk_error *err)
{
	struct reader *r = NULL;
	struct record *c = NULL;
	int fd = -1, rc;

	if (!path || !fn)
		return ifk_error_set(err, IFK_EINVAL, "Manifest.mbdb: no path or no callback");
	if ((rc = open_mbdb(path, &fd, err)) < 0)
		return rc;
	r = calloc(1, sizeof(*r));
	c = calloc(1, sizeof(*c));
	if (!r || !c) {
		rc = ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	r->fd = fd;
	r->path = path;
	if ((rc = check_magic(r, err)) < 0)
		goto out;
	while ((rc = rd_record(r, c, err)) > 0)
		if ((rc = fn(&c->e, ctx)) != 0)
			goto out;
out:
	free(r);
	free_record(c);
	close(fd);
	return rc;
}
