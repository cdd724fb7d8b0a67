#include "ifk/bag.h"

#include <errno.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ifk/lines.h"
#include "ifk/util.h"

#define MAX_LINE (64 * 1024)

char *ifk_bag_encode_path(const char *path)
{
	size_t n = 0;
	const char *p;
	char *out, *o;

	for (p = path; *p; p++)
		n += (*p == '\r' || *p == '\n' || *p == '%') ? 3 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	for (p = path, o = out; *p; p++) {
		if (*p == '\r' || *p == '\n' || *p == '%') {
			*o++ = '%';
			*o++ = *p == '%' ? '2' : '0';
			*o++ = *p == '%' ? '5' : (*p == '\r' ? 'D' : 'A');
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

int ifk_bag_decode_path(char *path)
{
	char *r = path, *w = path;

	while (*r) {
		if (*r != '%') {
			*w++ = *r++;
			continue;
		}
		if (strncasecmp(r, "%0D", 3) == 0)
			*w++ = '\r';
		else if (strncasecmp(r, "%0A", 3) == 0)
			*w++ = '\n';
		else if (strncmp(r, "%25", 3) == 0)
			*w++ = '%';
		else
			return -1;
		r += 3;
	}
	*w = '\0';
	return 0;
}

int ifk_bag_parse_line(char *line, struct ifk_bag_line *out)
{
	char *p = line;

	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (p == line || !*p)
		return IFK_EFORMAT;
	*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || ifk_bag_decode_path(p) != 0)
		return IFK_EFORMAT;
	out->checksum = line;
	out->path = p;
	return 0;
}

static int report_bad(ifk_bag_line_fn fn, void *ctx, unsigned long lineno, const char *why)
{
	char reason[128];
	struct ifk_bag_line l = {NULL, reason};

	snprintf(reason, sizeof(reason), "%s", why);
	return fn(ctx, lineno, &l);
}

static int each_manifest_line(struct ifk_lines *lr, ifk_bag_line_fn fn, void *ctx,
                              struct ifk_error *err)
{
	char *line;
	size_t n;
	unsigned long lineno = 0;
	int flags, rc = 0, more;

	while (!rc && (more = ifk_lines_next(lr, &line, &n, &flags, err)) > 0) {
		struct ifk_bag_line l;
		lineno++;
		while (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (flags & IFK_LINE_TOO_LONG)
			rc = report_bad(fn, ctx, lineno, "line too long");
		else if (n == 0)
			continue;
		else if (strlen(line) != n)
			rc = report_bad(fn, ctx, lineno, "line holds a NUL byte");
		else if (ifk_bag_parse_line(line, &l) != 0)
			rc = report_bad(fn, ctx, lineno, "not of the form <checksum> <path>");
		else
			rc = fn(ctx, lineno, &l);
	}
	return rc ? rc : (more < 0 ? more : 0);
}

int ifk_bag_manifest_foreach(int bag_fd, const char *name, const char *digest, char *digest_hex,
                             ifk_bag_line_fn fn, void *ctx, struct ifk_error *err)
{
	EVP_MD_CTX *md = NULL;
	struct ifk_lines *lr = NULL;
	uint8_t dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	int fd, rc;

	fd = ifk_open_regular(bag_fd, name, err);
	if (fd < 0)
		return fd;
	if (digest && (!(md = EVP_MD_CTX_new()) ||
	               !EVP_DigestInit_ex(md, EVP_get_digestbyname(digest), NULL))) {
		rc = ifk_error_set(err, IFK_ECRYPTO, "%s: cannot start %s", name, digest);
		goto out;
	}
	rc = ifk_lines_open(fd, MAX_LINE, md, &lr, err);
	if (!rc)
		rc = each_manifest_line(lr, fn, ctx, err);
	if (!rc && md && digest_hex) {
		EVP_DigestFinal_ex(md, dig, &dlen);
		ifk_hex(dig, dlen, digest_hex);
	}
out:
	ifk_lines_free(lr);
	EVP_MD_CTX_free(md);
	close(fd);
	return rc;
}

/* Walks "Label: value" lines; a line starting with a blank continues the
 * previous value. */
int ifk_bag_info_parse(const char *text, size_t len, ifk_bag_info_fn fn, void *ctx,
                       struct ifk_error *err)
{
	struct ifk_buf label = {0}, value = {0};
	size_t i = 0;
	int rc = 0, have = 0;

	while (i < len && !rc) {
		const char *line = text + i, *nl = memchr(line, '\n', len - i), *colon, *v;
		size_t n = nl ? (size_t)(nl - line) : len - i;
		i += n + (nl ? 1 : 0);
		if (n && line[n - 1] == '\r')
			n--;
		if (n && (line[0] == ' ' || line[0] == '\t') && have) {
			size_t k = 0;
			while (k < n && (line[k] == ' ' || line[k] == '\t'))
				k++;
			rc = ifk_buf_add(&value, " ", 1) || ifk_buf_add(&value, line + k, n - k);
			continue;
		}
		if (have && (rc = fn(ctx, label.data, value.data)) != 0)
			break;
		have = 0;
		if (n == 0)
			continue;
		colon = memchr(line, ':', n);
		if (!colon) {
			rc = ifk_error_set(err, IFK_EFORMAT,
			                   "bag-info.txt: line without a label: %.*s",
			                   (int)(n < 40 ? n : 40), line);
			break;
		}
		v = colon + 1;
		while (v < line + n && (*v == ' ' || *v == '\t'))
			v++;
		label.len = value.len = 0;
		rc = ifk_buf_add(&label, line, (size_t)(colon - line)) ||
		     ifk_buf_add(&value, v, (size_t)(line + n - v));
		have = !rc;
	}
	if (!rc && have)
		rc = fn(ctx, label.data, value.data);
	ifk_buf_free(&label);
	ifk_buf_free(&value);
	return rc;
}

struct getter {
	const char *label;
	char *value;
};

static int get_one(void *ctx, const char *label, const char *value)
{
	struct getter *g = ctx;

	if (!g->value && strcasecmp(label, g->label) == 0)
		g->value = strdup(value);
	return 0;
}

char *ifk_bag_info_get(const char *text, size_t len, const char *label)
{
	struct getter g = {label, NULL};

	ifk_bag_info_parse(text, len, get_one, &g, NULL);
	return g.value;
}

int ifk_buf_add(struct ifk_buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *nd;
		while (cap < b->len + len + 1)
			cap *= 2;
		nd = realloc(b->data, cap);
		if (!nd)
			return IFK_ENOMEM;
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int ifk_buf_printf(struct ifk_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n, rc;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return IFK_ENOMEM;
	rc = ifk_buf_add(b, s, (size_t)n);
	free(s);
	return rc;
}

int ifk_bag_info_add(struct ifk_buf *b, const char *label, const char *value)
{
	char *v;
	int rc;

	if (!value || !*value)
		return 0;
	v = ifk_one_line(value);
	if (!v)
		return IFK_ENOMEM;
	rc = *v ? ifk_buf_printf(b, "%s: %s\n", label, v) : 0;
	free(v);
	return rc;
}

void ifk_buf_free(struct ifk_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
