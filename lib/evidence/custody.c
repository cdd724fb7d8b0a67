#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

static const char zero_hash[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

int ifk_custody_format(unsigned long seq, const char *prev, const struct ifk_custody_event *ev,
                       char **line, char hash[65], struct ifk_error *err)
{
	json_t *body = json_object(), *actor = json_object();
	char when[21], *user = ifk_user_name(), *host = ifk_host_name(), *text = NULL;
	int rc = 0;

	*line = NULL;
	ifk_time_iso(ev->when, when);
	if (!body || !actor || !user || !host) {
		rc = ifk_error_set(err, IFK_ENOMEM, "custody: out of memory");
		goto out;
	}
	if (ev->examiner && *ev->examiner)
		json_object_set_new(actor, "examiner", json_string(ev->examiner));
	json_object_set_new(actor, "user", json_string(user));
	json_object_set_new(actor, "host", json_string(host));
	json_object_set_new(body, "seq", json_integer((json_int_t)seq));
	json_object_set_new(body, "prev", json_string(prev));
	json_object_set_new(body, "time", json_string(when));
	json_object_set_new(body, "tool", json_string(ev->tool));
	json_object_set_new(body, "version", json_string(IFK_VERSION));
	json_object_set_new(body, "action", json_string(ev->action));
	json_object_set(body, "actor", actor);
	json_object_set_new(body, "result", json_string(ev->result));
	json_object_set(body, "details", ev->details ? ev->details : json_object());
	if (!ev->details)
		json_decref(json_object_get(body, "details"));
	text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!text) {
		rc = ifk_error_set(err, IFK_ENOMEM, "custody: cannot encode entry");
		goto out;
	}
	ifk_sha256_hex(text, strlen(text), hash);
	if (asprintf(line, "%s %s", hash, text) < 0) {
		*line = NULL;
		rc = ifk_error_set(err, IFK_ENOMEM, "custody: out of memory");
	}
out:
	free(text);
	free(user);
	free(host);
	json_decref(actor);
	json_decref(body);
	return rc;
}

int ifk_custody_create(int bag_fd, const char *line, struct ifk_error *err)
{
	size_t n = strlen(line);
	char *buf = malloc(n + 2);
	int rc;

	if (!buf)
		return ifk_error_set(err, IFK_ENOMEM, "custody: out of memory");
	memcpy(buf, line, n);
	buf[n] = '\n';
	rc = ifk_write_new(bag_fd, IFK_CUSTODY_FILE, buf, n + 1, 0644, err);
	free(buf);
	return rc;
}

/* Reads the log line by line (each at most IFK_CUSTODY_MAX_LINE bytes);
 * calls fn for each complete line. Sets *torn when the file does not end
 * with LF; an over-long line reaches fn as NULL. */
typedef int (*line_fn)(void *ctx, unsigned long lineno, char *line, size_t len);

static int each_line(int fd, line_fn fn, void *ctx, int *torn, struct ifk_error *err)
{
	struct ifk_lines *lr = NULL;
	char *line;
	size_t n;
	unsigned long lineno = 0;
	int flags, rc, more = 0;

	*torn = 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot read", IFK_CUSTODY_FILE);
	rc = ifk_lines_open(fd, IFK_CUSTODY_MAX_LINE, NULL, &lr, err);
	while (!rc && (more = ifk_lines_next(lr, &line, &n, &flags, err)) > 0) {
		lineno++;
		if (flags & IFK_LINE_NO_EOL) {
			*torn = 1;
			break;
		}
		rc = fn(ctx, lineno, (flags & IFK_LINE_TOO_LONG) ? NULL : line, n);
	}
	ifk_lines_free(lr);
	return rc ? rc : (more < 0 ? more : 0);
}

struct tail {
	unsigned long lines;
	char hash[65];
};

static int tail_line(void *ctx, unsigned long lineno, char *line, size_t len)
{
	struct tail *t = ctx;
	const char *body = !line ? "" : len > 65 ? line + 65 : line;

	t->lines = lineno;
	ifk_sha256_hex(body, strlen(body), t->hash);
	return 0;
}

int ifk_custody_append(int bag_fd, const struct ifk_custody_event *ev, char hash[65],
                       struct ifk_error *err)
{
	struct tail t = {0, ""};
	struct stat st;
	char *line = NULL, h[65];
	int fd, torn = 0, rc;

	fd = openat(bag_fd, IFK_CUSTODY_FILE,
	            O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ifk_error_sys(err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno,
		                     "%s: cannot open for appending", IFK_CUSTODY_FILE);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ifk_error_set(err, IFK_EFORMAT, "%s: not a regular file", IFK_CUSTODY_FILE);
	}
	if (flock(fd, LOCK_EX) != 0) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot lock", IFK_CUSTODY_FILE);
		goto out;
	}
	rc = each_line(fd, tail_line, &t, &torn, err);
	if (!rc && torn)
		rc = ifk_error_set(err, IFK_EFORMAT,
		                   "%s: the last entry is incomplete; not appending to it",
		                   IFK_CUSTODY_FILE);
	if (!rc && t.lines == 0)
		rc = ifk_error_set(err, IFK_EFORMAT, "%s: empty; not appending", IFK_CUSTODY_FILE);
	if (!rc)
		rc = ifk_custody_format(t.lines + 1, t.hash, ev, &line, h, err);
	if (!rc) {
		size_t n = strlen(line);
		line[n] = '\n'; /* the NUL becomes the LF: written as bytes */
		rc = ifk_write_all(fd, line, n + 1, IFK_CUSTODY_FILE, err);
		if (!rc && fsync(fd) != 0)
			rc = ifk_error_sys(err, IFK_EIO, errno, "%s: fsync failed",
			                   IFK_CUSTODY_FILE);
	}
	if (!rc && hash)
		memcpy(hash, h, 65);
out:
	free(line);
	close(fd);
	return rc;
}

struct checker {
	const char *genesis;
	ifk_custody_problem_fn fn;
	void *ctx;
	struct ifk_custody_summary *sum;
	char prev[65];
};

static void problem(struct checker *c, unsigned long lineno, const char *msg)
{
	c->sum->problems++;
	if (c->fn)
		c->fn(c->ctx, lineno, msg);
}

static int is_hex64(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void check_body(struct checker *c, unsigned long lineno, const char *body)
{
	json_error_t jerr;
	json_t *o = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);
	json_t *seq = o ? json_object_get(o, "seq") : NULL;
	const char *prev = o ? json_string_value(json_object_get(o, "prev")) : NULL;
	const char *action = o ? json_string_value(json_object_get(o, "action")) : NULL;

	if (!json_is_object(o)) {
		problem(c, lineno, "entry is not a JSON object");
		goto out;
	}
	if (!json_is_integer(seq) || json_integer_value(seq) != (json_int_t)lineno)
		problem(c, lineno, "seq is not the entry's position in the log");
	if (!prev || strcmp(prev, c->prev) != 0)
		problem(c, lineno,
		        "prev does not match the hash of the entry before it (an entry was edited, "
		        "removed or inserted)");
	if (lineno == 1 && (!action || strcmp(action, "acquire") != 0))
		problem(c, lineno, "the first entry is not the acquisition");
	if (!json_string_value(json_object_get(o, "time")) ||
	    !json_string_value(json_object_get(o, "tool")) || !action ||
	    !json_string_value(json_object_get(o, "result")))
		problem(c, lineno, "entry lacks time, tool, action or result");
out:
	json_decref(o);
}

static int check_line(void *ctx, unsigned long lineno, char *line, size_t len)
{
	struct checker *c = ctx;
	char actual[65];
	const char *body = len > 65 ? line + 65 : line;

	c->sum->entries = lineno;
	if (!line) {
		problem(c, lineno, "entry longer than the 1 MiB limit: not read");
		memset(c->prev, 'x', 64); /* nothing after it can chain to it */
		return 0;
	}
	ifk_sha256_hex(body, strlen(body), actual);
	if (len < 66 || line[64] != ' ' || !is_hex64(line) || strlen(line) != len)
		problem(c, lineno, "not of the form <sha256> <json>");
	else if (strncmp(line, actual, 64) != 0)
		problem(c, lineno,
		        "hash does not match the entry's content (the entry was edited)");
	check_body(c, lineno, body);
	if (lineno == 1) {
		memcpy(c->sum->genesis, actual, 65);
		if (c->genesis && strcmp(c->genesis, actual) != 0)
			problem(c, lineno,
			        "the first entry is not the one bound to the seal by "
			        "the acquisition record (custody_genesis_sha256)");
	}
	memcpy(c->prev, actual, 65);
	memcpy(c->sum->head, actual, 65);
	return 0;
}

int ifk_custody_check(int bag_fd, const char *genesis, ifk_custody_problem_fn fn, void *ctx,
                      struct ifk_custody_summary *sum, struct ifk_error *err)
{
	struct checker c = {genesis, fn, ctx, sum, ""};
	int fd, torn = 0, rc;

	memset(sum, 0, sizeof(*sum));
	memcpy(c.prev, zero_hash, 65);
	fd = ifk_open_regular(bag_fd, IFK_CUSTODY_FILE, err);
	if (fd < 0)
		return fd;
	rc = each_line(fd, check_line, &c, &torn, err);
	close(fd);
	if (rc)
		return rc;
	if (torn)
		problem(&c, sum->entries + 1, "the last entry is incomplete (no line end)");
	if (sum->entries == 0)
		problem(&c, 0, "the log has no entries");
	return 0;
}

struct each {
	ifk_custody_entry_fn fn;
	void *ctx;
};

static int each_entry(void *ctx, unsigned long lineno, char *line, size_t len)
{
	struct each *e = ctx;
	char hash[65];
	const char *body = !line ? "" : len > 65 ? line + 65 : "";

	ifk_sha256_hex(body, strlen(body), hash);
	return e->fn(e->ctx, lineno, hash, body);
}

int ifk_custody_foreach(int bag_fd, ifk_custody_entry_fn fn, void *ctx, struct ifk_error *err)
{
	struct each e = {fn, ctx};
	int fd, torn = 0, rc;

	fd = ifk_open_regular(bag_fd, IFK_CUSTODY_FILE, err);
	if (fd < 0)
		return fd;
	rc = each_line(fd, each_entry, &e, &torn, err);
	close(fd);
	return rc;
}
