/* Files: the one way to open a path from evidence beneath its folder (and
 * the one confinement check), small reads, whole writes, folder walks, the
 * one copy-while-hashing loop, the one private temporary folder. */
#include "core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Evidence files pass 4 GiB: every size and offset is 64-bit, on 32-bit
 * hosts too (the build defines _FILE_OFFSET_BITS=64). */
_Static_assert(sizeof(off_t) == 8, "ifk needs a 64-bit off_t: build with _FILE_OFFSET_BITS=64");

int ifk_write_all(int fd, const void *buf, size_t len, const char *what, struct ifk_error *err)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ifk_error_sys(err, IFK_EIO, n < 0 ? errno : ENOSPC,
			                     "%s: write failed", what);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_fd_capped(int fd, size_t cap, char **out, size_t *len, const char *path,
                          struct ifk_error *err)
{
	size_t size = 0, alloc = 4096;
	char *buf = malloc(alloc + 1);

	if (!buf)
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", path);
	for (;;) {
		ssize_t n;
		if (size == alloc) {
			char *nb;
			if (alloc > cap) {
				free(buf);
				return ifk_error_set(err, IFK_EFORMAT, "%s: larger than %zu bytes",
				                     path, cap);
			}
			alloc *= 2;
			nb = realloc(buf, alloc + 1);
			if (!nb) {
				free(buf);
				return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", path);
			}
			buf = nb;
		}
		n = read(fd, buf + size, alloc - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return ifk_error_sys(err, IFK_EIO, e, "%s: read failed", path);
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	if (size > cap) {
		free(buf);
		return ifk_error_set(err, IFK_EFORMAT, "%s: larger than %zu bytes", path, cap);
	}
	buf[size] = '\0';
	*out = buf;
	*len = size;
	return 0;
}

const char *ifk_relpath_problem(const char *rel)
{
	const char *p = rel, *slash;
	size_t n;

	if (!rel || !*rel)
		return "empty";
	if (*rel == '/')
		return "absolute";
	if (!ifk_utf8_valid(rel, strlen(rel)))
		return "not valid UTF-8";
	for (;;) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0)
			return "an empty part (\"//\" or a trailing \"/\")";
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return n == 1 ? "a \".\" part" : "a \"..\" part";
		if (!slash)
			return NULL;
		p = slash + 1;
	}
}

static int open_component(int dirfd, const char *name, int last, const char *path,
                          struct ifk_error *err)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY);
	int fd = openat(dirfd, name, flags);

	if (fd < 0)
		return ifk_error_sys(
		    err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno, "%s: cannot open%s",
		    path, errno == ELOOP || errno == ENOTDIR ? " (a symlink on the way)" : "");
	return fd;
}

/* The kernel's own confinement (Linux 5.6): nothing outside dirfd, no
 * symlink anywhere on the way. -2 when the kernel has no openat2. */
static int open_beneath(int dirfd, const char *path, struct ifk_error *err)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	if (fd >= 0)
		return (int)fd;
	if (errno == ENOSYS || errno == EPERM) /* no openat2, or a filter forbids it */
		return -2;
	return ifk_error_sys(err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno,
	                     "%s: cannot open%s", path,
	                     errno == ELOOP || errno == ENOTDIR ? " (a symlink on the way)"
	                     : errno == EXDEV                   ? " (it leaves its folder)"
	                                                        : "");
}

/* Component by component with O_NOFOLLOW: the same confinement without
 * openat2, since the path has no "." or ".." part. */
static int open_by_parts(int dirfd, const char *path, struct ifk_error *err)
{
	char *copy = strdup(path), *save = NULL, *part, *next;
	int fd = dirfd, owned = 0;

	if (!copy)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	for (part = strtok_r(copy, "/", &save); part; part = next) {
		int nfd;
		next = strtok_r(NULL, "/", &save);
		nfd = open_component(fd, part, next == NULL, path, err);
		if (owned)
			close(fd);
		if (nfd < 0) {
			free(copy);
			return nfd;
		}
		fd = nfd;
		owned = 1;
	}
	free(copy);
	return owned ? fd : ifk_error_set(err, IFK_EINVAL, "%s: not a file name", path);
}

int ifk_open_regular(int dirfd, const char *path, struct ifk_error *err)
{
	const char *why;
	struct stat st;
	int fd;

	if (dirfd == AT_FDCWD) {
		/* a path the user gave: its folders are the user's own, but the
		 * file itself is opened as signify does, without following it */
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno == ELOOP)
			return ifk_error_set(err, IFK_EFORMAT, "%s: a symbolic link, refused",
			                     path);
		if (fd < 0)
			return ifk_error_sys(err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno,
			                     "%s: cannot open", path);
	} else {
		/* a path from evidence: confined below dirfd */
		if ((why = ifk_relpath_problem(path)) != NULL)
			return ifk_error_set(err, IFK_EFORMAT, "%s: refused: %s", path, why);
		fd = open_beneath(dirfd, path, err);
		if (fd == -2)
			fd = open_by_parts(dirfd, path, err);
		if (fd < 0)
			return fd;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ifk_error_set(err, IFK_EFORMAT, "%s: not a regular file", path);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int ifk_read_small(int dirfd, const char *path, size_t cap, char **out, size_t *len,
                   struct ifk_error *err)
{
	int fd, rc;

	*out = NULL;
	*len = 0;
	fd = ifk_open_regular(dirfd, path, err);
	if (fd < 0)
		return fd;
	rc = read_fd_capped(fd, cap, out, len, path, err);
	close(fd);
	return rc;
}

int ifk_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
                     struct ifk_error *err)
{
	char *tmp = NULL, *dir = NULL, *slash;
	int fd = -1, dfd, rc = 0;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0 || !(dir = strdup(path))) {
		free(tmp);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create a temporary beside it",
		                   path);
		goto out;
	}
	rc = ifk_write_all(fd, buf, len, tmp, err);
	if (!rc && fchmod(fd, mode) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot set its mode", tmp);
	if (!rc && fsync(fd) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: fsync failed", tmp);
	if (close(fd) != 0 && !rc)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: close failed", tmp);
	if (!rc && rename(tmp, path) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "cannot rename %s to %s", tmp, path);
	if (rc) {
		unlink(tmp);
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* the rename on disk; a folder that cannot be fsync'd is no error */
		close(dfd);
	}
out:
	free(tmp);
	free(dir);
	return rc;
}

int ifk_write_new(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
                  struct ifk_error *err)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int rc;

	if (fd < 0)
		return ifk_error_sys(err, errno == EEXIST ? IFK_EEXIST : IFK_EIO, errno,
		                     "%s: cannot create", path);
	rc = ifk_write_all(fd, buf, len, path, err);
	if (close(fd) != 0 && rc == 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: close failed", path);
	return rc;
}

void ifk_writeback_start(int fd)
{
	/* SYNC_FILE_RANGE_WRITE alone: pages already on their way are skipped,
	 * nothing is waited for, durability stays the syncfs's */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

int ifk_copy_fd(int in_fd, struct ifk_copy *c, const char *what, struct ifk_error *err)
{
	uint8_t *buf = c->buf ? c->buf : malloc(IFK_IO_CHUNK);
	int rc = 0;

	c->bytes = 0;
	c->read_errno = 0;
	if (!buf)
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", what);
	for (;;) {
		ssize_t n;
		if (c->stop && *c->stop) {
			rc = ifk_error_set(err, IFK_EINTR, "interrupted while reading %s", what);
			break;
		}
		if (c->size && c->bytes == c->size)
			break; /* all fstat promised: the caller's fstat after sees more */
		n = read(in_fd, buf, IFK_IO_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			c->read_errno = errno;
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		if (c->md)
			EVP_DigestUpdate(c->md, buf, (size_t)n);
		if (c->chunk)
			c->chunk(c->ctx, buf, (size_t)n);
		if (c->out_fd >= 0 && (rc = ifk_write_all(c->out_fd, buf, (size_t)n, what, err)) != 0)
			break;
		c->bytes += (uint64_t)n;
		if (c->writeback && c->out_fd >= 0 && c->bytes >= IFK_IO_CHUNK)
			ifk_writeback_start(c->out_fd);
	}
	if (buf != c->buf)
		free(buf);
	return rc;
}

int ifk_sha256_fd(int fd, char out[IFK_SHA256_HEX], uint64_t *bytes, const char *what,
                  struct ifk_error *err)
{
	struct ifk_copy c = {.out_fd = -1};
	uint8_t md[IFK_SHA256_LEN];
	int rc;

	if (!(c.md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(c.md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c.md);
		return ifk_error_set(err, IFK_ENOMEM, "%s: cannot start SHA-256", what);
	}
	rc = ifk_copy_fd(fd, &c, what, err);
	if (rc == 1)
		rc = ifk_error_sys(err, IFK_EIO, c.read_errno, "%s: read failed", what);
	if (!rc) {
		EVP_DigestFinal_ex(c.md, md, NULL);
		ifk_hex(md, sizeof(md), out);
		if (bytes)
			*bytes = c.bytes;
	}
	EVP_MD_CTX_free(c.md);
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void ifk_tree_remove(const char *path)
{
	if (path)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int ifk_tmpdir_make(const char *tag, const char *const *subs, char **path,
                    struct ifk_error *err)
{
	const char *base = getenv("TMPDIR");
	char *sub = NULL;
	int rc = 0;

	*path = NULL;
	if (asprintf(path, "%s/ifk-%s-XXXXXX", base && *base ? base : "/tmp", tag) < 0) {
		*path = NULL;
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	if (!mkdtemp(*path)) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot make a private temporary folder",
		                   *path);
		free(*path);
		*path = NULL;
		return rc;
	}
	for (; !rc && subs && *subs; subs++) {
		if (asprintf(&sub, "%s/%s", *path, *subs) < 0)
			rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		else if (mkdir(sub, 0700) != 0)
			rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", sub);
		free(sub);
		sub = NULL;
	}
	if (rc) {
		ifk_tree_remove(*path);
		free(*path);
		*path = NULL;
	}
	return rc;
}



char *ifk_path_join(const char *a, const char *b)
{
	char *r = NULL;

	if (asprintf(&r, "%s/%s", a, b) < 0)
		return NULL;
	return r;
}




/* Calls each(arg, name) for every entry of the folder but "." and "..",
 * in directory order, until one returns non-zero (returned). */
static int each_name(int dir_fd, int (*each)(void *arg, const char *name), void *arg,
                     int *list_errno)
{
	int fd = dup(dir_fd), rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	*list_errno = 0;
	if (!d) {
		*list_errno = errno;
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d); /* the offset is dir_fd's too: a second walk starts at the top */
	errno = 0;
	while (!rc && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			rc = each(arg, de->d_name);
		errno = 0;
	}
	if (!rc && errno)
		*list_errno = errno;
	closedir(d);
	return rc;
}

struct visiting {
	const char *rel;
	ifk_dir_fn fn;
	void *ctx;
};

/* Calls fn for name with its path below the walk's top. */
static int visit(void *arg, const char *name)
{
	struct visiting *w = arg;
	char *child = NULL;
	int rc;

	if (asprintf(&child, "%s%s%s", w->rel ? w->rel : "", w->rel ? "/" : "", name) < 0)
		return IFK_ENOMEM;
	rc = w->fn(w->ctx, name, child);
	free(child);
	return rc;
}

int ifk_dir_foreach(int dir_fd, const char *rel, ifk_dir_fn fn, void *ctx, int *list_errno)
{
	struct visiting w = {rel, fn, ctx};

	return each_name(dir_fd, visit, &w, list_errno);
}

/* Up to max names, held for sorting. */
struct names {
	char **v;
	size_t n, cap, max;
};

static void names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

/* Keeps name; 1 (stop) when max names are held already. */
static int names_add(void *arg, const char *name)
{
	struct names *ns = arg;
	char **v;
	size_t cap;

	if (ns->n == ns->max)
		return 1;
	if (ns->n == ns->cap) {
		cap = ns->cap ? ns->cap * 2 : 256;
		v = realloc(ns->v, cap * sizeof(*v));
		if (!v)
			return IFK_ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	if (!(ns->v[ns->n] = strdup(name)))
		return IFK_ENOMEM;
	ns->n++;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ifk_dir_foreach_sorted(int dir_fd, const char *rel, size_t max, ifk_dir_fn fn, void *ctx,
                           int *list_errno)
{
	struct names ns = {NULL, 0, 0, max};
	struct visiting w = {rel, fn, ctx};
	size_t i;
	int rc = each_name(dir_fd, names_add, &ns, list_errno);

	if (rc == 1) { /* too many to hold: directory order, in bounded memory */
		names_free(&ns);
		return ifk_dir_foreach(dir_fd, rel, fn, ctx, list_errno);
	}
	if (!rc && ns.n)
		qsort(ns.v, ns.n, sizeof(*ns.v), name_cmp);
	for (i = 0; !rc && i < ns.n; i++)
		rc = visit(&w, ns.v[i]);
	names_free(&ns);
	return rc;
}

/* The real path of the folder that would hold path (which need not exist). */
static char *parent_real(const char *path)
{
	char *copy = strdup(path), *slash, *r;

	if (!copy)
		return NULL;
	while ((slash = strrchr(copy, '/')) && slash[1] == '\0' && slash != copy)
		*slash = '\0'; /* trailing slashes */
	slash = strrchr(copy, '/');
	if (!slash)
		r = realpath(".", NULL);
	else if (slash == copy)
		r = realpath("/", NULL);
	else {
		*slash = '\0';
		r = realpath(copy, NULL);
	}
	free(copy);
	return r;
}

int ifk_path_within(const char *dir, const char *path)
{
	char *t = realpath(dir, NULL), *p = path ? parent_real(path) : NULL;
	size_t n = t ? strlen(t) : 0;
	int in = t && p && strncmp(p, t, n) == 0 && (p[n] == '\0' || p[n] == '/' || n == 1);

	free(t);
	free(p);
	return in;
}
