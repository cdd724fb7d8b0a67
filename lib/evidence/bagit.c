#include "evidence.h"

#include <errno.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core.h"

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

static const struct {
	const char *bag, *evp;
} algs[] = {
    {"md5", "MD5"},
    {"sha1", "SHA1"},
    {"sha224", "SHA224"},
    {"sha256", "SHA256"},
    {"sha384", "SHA384"},
    {"sha512", "SHA512"},
    {"sha512224", "SHA512-224"},
    {"sha512256", "SHA512-256"},
    {"sha3224", "SHA3-224"},
    {"sha3256", "SHA3-256"},
    {"sha3384", "SHA3-384"},
    {"sha3512", "SHA3-512"},
    {"blake2b512", "BLAKE2B-512"},
    {"blake2s256", "BLAKE2S-256"},
};

const char *ifk_bag_alg_digest(const char *alg)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(alg, algs[i].bag) == 0)
			return algs[i].evp;
	return NULL;
}

void ifk_bag_decode_path(char *path)
{
	char *r = path, *w = path;

	while (*r) {
		if (*r == '%' && r[1] == '0' && (r[2] == 'D' || r[2] == 'd'))
			*w++ = '\r';
		else if (*r == '%' && r[1] == '0' && (r[2] == 'A' || r[2] == 'a'))
			*w++ = '\n';
		else if (*r == '%' && r[1] == '2' && r[2] == '5')
			*w++ = '%';
		else {
			*w++ = *r++;
			continue;
		}
		r += 3;
	}
	*w = '\0';
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
	if (!*p)
		return IFK_EFORMAT;
	ifk_bag_decode_path(p);
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

/* A UTF-8 byte-order mark: RFC 8493 allows one only where the encoding
 * needs it, and UTF-8 does not. Decoded text loses a leading U+FEFF. */
static const char *bom_issue(char **line, size_t *n, int decoded)
{
	if (*n < 3 || memcmp(*line, "\xEF\xBB\xBF", 3) != 0)
		return NULL;
	if (!decoded)
		return "begins with a UTF-8 byte-order mark (BOM)";
	*line += 3;
	*n -= 3;
	return NULL;
}

static int each_manifest_line(struct ifk_lines *lr, int decoded, ifk_bag_line_fn fn, void *ctx,
                              struct ifk_error *err)
{
	char *line;
	const char *bom = NULL;
	size_t n;
	unsigned long lineno = 0;
	int flags, rc = 0, more;

	while (!rc && (more = ifk_lines_next(lr, &line, &n, &flags, err)) > 0) {
		struct ifk_bag_line l;
		if (++lineno == 1)
			bom = bom_issue(&line, &n, decoded);
		while (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (flags & IFK_LINE_TOO_LONG)
			rc = report_bad(fn, ctx, lineno, "line too long");
		else if (bom)
			rc = report_bad(fn, ctx, lineno, bom);
		else if (n == 0)
			continue;
		else if (strlen(line) != n)
			rc = report_bad(fn, ctx, lineno, "line holds a NUL byte");
		else if (ifk_bag_parse_line(line, &l) != 0)
			rc = report_bad(fn, ctx, lineno, "not of the form <checksum> <path>");
		else
			rc = fn(ctx, lineno, &l);
		bom = NULL;
	}
	return rc ? rc : (more < 0 ? more : 0);
}

static int open_reader(const struct ifk_bag_src *src, int fd, struct ifk_lines **lr,
                       struct ifk_error *err)
{
	int rc, i;

	rc = src->text ? ifk_lines_open_mem(src->text, src->len, MAX_LINE, lr, err)
	               : ifk_lines_open(fd, MAX_LINE, NULL, lr, err);
	for (i = 0; !rc && i < src->nmd; i++)
		if (ifk_lines_add_md(*lr, src->md[i]) != 0)
			rc = ifk_error_set(err, IFK_EINVAL, "too many digests");
	if (!rc) {
		ifk_lines_end_on_cr(*lr);
		rc = ifk_lines_set_encoding(*lr, src->encoding, err);
	}
	return rc;
}

static int is_utf8_name(const char *encoding)
{
	return !encoding || strcasecmp(encoding, "UTF-8") == 0 || strcasecmp(encoding, "UTF8") == 0;
}

int ifk_bag_manifest_read(const struct ifk_bag_src *src, ifk_bag_line_fn fn, void *ctx,
                          struct ifk_error *err)
{
	struct ifk_lines *lr = NULL;
	struct ifk_error e = {0};
	int fd = -1, rc;

	if (!src->text && (fd = ifk_open_regular(src->dir_fd, src->name, err)) < 0)
		return fd;
	rc = open_reader(src, fd, &lr, &e);
	if (!rc)
		rc = each_manifest_line(lr, !is_utf8_name(src->encoding), fn, ctx, &e);
	if (rc < 0 && e.code)
		ifk_error_set(err, rc, "%s: %s", src->name, e.msg);
	ifk_lines_free(lr);
	if (fd >= 0)
		close(fd);
	return rc;
}

int ifk_bag_manifest_foreach(int bag_fd, const char *name, const char *digest, char *digest_hex,
                             ifk_bag_line_fn fn, void *ctx, struct ifk_error *err)
{
	struct ifk_bag_src src = {bag_fd, name, NULL, 0, NULL, NULL, 0};
	EVP_MD_CTX *md = NULL;
	uint8_t dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	int rc;

	if (digest && (!(md = EVP_MD_CTX_new()) ||
	               !EVP_DigestInit_ex(md, EVP_get_digestbyname(digest), NULL))) {
		EVP_MD_CTX_free(md);
		return ifk_error_set(err, IFK_ECRYPTO, "%s: cannot start %s", name, digest);
	}
	src.md = &md;
	src.nmd = md ? 1 : 0;
	rc = ifk_bag_manifest_read(&src, fn, ctx, err);
	if (!rc && md && digest_hex) {
		EVP_DigestFinal_ex(md, dig, &dlen);
		ifk_hex(dig, dlen, digest_hex);
	}
	EVP_MD_CTX_free(md);
	return rc;
}

int ifk_bag_text_decode(const char *text, size_t len, const char *encoding, struct ifk_buf *out,
                        struct ifk_error *err)
{
	struct ifk_lines *lr = NULL;
	char *line;
	size_t n;
	int flags, rc, more = 0;

	out->len = 0;
	rc = ifk_lines_open_mem(text, len, MAX_LINE, &lr, err);
	if (!rc)
		rc = ifk_lines_set_encoding(lr, encoding, err);
	if (!rc)
		ifk_lines_end_on_cr(lr);
	while (!rc && (more = ifk_lines_next(lr, &line, &n, &flags, err)) > 0) {
		if (out->len == 0 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
			line += 3;
			n -= 3;
		}
		rc = (flags & IFK_LINE_TOO_LONG)
		         ? ifk_error_set(err, IFK_EFORMAT, "a line longer than %u bytes", MAX_LINE)
		         : (ifk_buf_add(out, line, n) || ifk_buf_add(out, "\n", 1));
	}
	ifk_lines_free(lr);
	if (!rc && !out->data)
		rc = ifk_buf_add(out, "", 0);
	return rc ? rc : (more < 0 ? more : 0);
}

/* The next line of text[*i..len): LF, CR or CRLF ends it. */
static const char *next_line(const char *text, size_t len, size_t *i, size_t *n)
{
	const char *line = text + *i;
	size_t k = 0;

	while (*i + k < len && line[k] != '\n' && line[k] != '\r')
		k++;
	*n = k;
	*i += k;
	if (*i + 1 < len && text[*i] == '\r' && text[*i + 1] == '\n')
		*i += 2;
	else if (*i < len)
		(*i)++;
	return line;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "Label: value": the label without the blanks around it. */
static int start_element(const char *line, size_t n, struct ifk_bag_info_elem *e,
                         struct ifk_buf *label, struct ifk_buf *value, struct ifk_error *err)
{
	const char *colon = memchr(line, ':', n), *a = line, *b, *v;

	if (!colon)
		return ifk_error_set(err, IFK_EFORMAT, "bag-info.txt line %lu: no label: %.*s",
		                     e->line, (int)(n < 40 ? n : 40), line);
	b = colon;
	while (a < b && is_blank(*a))
		a++;
	while (b > a && is_blank(b[-1]))
		b--;
	if (a == b)
		return ifk_error_set(err, IFK_EFORMAT, "bag-info.txt line %lu: empty label",
		                     e->line);
	e->padded = a != line || b != colon;
	for (v = colon + 1; v < line + n && is_blank(*v); v++)
		;
	label->len = value->len = 0;
	if (ifk_buf_add(label, a, (size_t)(b - a)) || ifk_buf_add(value, v, (size_t)(line + n - v)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	return 0;
}

static int emit(ifk_bag_info_fn fn, void *ctx, struct ifk_bag_info_elem *e,
                const struct ifk_buf *label, const struct ifk_buf *value)
{
	e->label = label->data;
	e->value = value->data;
	return fn(ctx, e);
}

/* Walks "Label: value" lines; a line starting with a blank continues the
 * previous value (joined with one space). */
int ifk_bag_info_parse(const char *text, size_t len, ifk_bag_info_fn fn, void *ctx,
                       struct ifk_error *err)
{
	struct ifk_buf label = {0}, value = {0};
	struct ifk_bag_info_elem e = {0, NULL, NULL, 0};
	size_t i = 0, n, k;
	unsigned long lineno = 0;
	int rc = 0, have = 0;

	while (i < len && !rc) {
		const char *line = next_line(text, len, &i, &n);
		lineno++;
		if (n && is_blank(line[0]) && have) {
			for (k = 0; k < n && is_blank(line[k]); k++)
				;
			rc = ifk_buf_add(&value, " ", 1) || ifk_buf_add(&value, line + k, n - k);
			continue;
		}
		if (have && (rc = emit(fn, ctx, &e, &label, &value)) != 0)
			break;
		have = 0;
		if (n == 0)
			continue;
		e.line = lineno;
		rc = start_element(line, n, &e, &label, &value, err);
		have = !rc;
	}
	if (!rc && have)
		rc = emit(fn, ctx, &e, &label, &value);
	ifk_buf_free(&label);
	ifk_buf_free(&value);
	return rc;
}

struct getter {
	const char *label;
	char *value;
};

static int get_one(void *ctx, const struct ifk_bag_info_elem *e)
{
	struct getter *g = ctx;

	if (!g->value && strcasecmp(e->label, g->label) == 0)
		g->value = strdup(e->value);
	return 0;
}

char *ifk_bag_info_get(const char *text, size_t len, const char *label)
{
	struct getter g = {label, NULL};

	ifk_bag_info_parse(text, len, get_one, &g, NULL);
	return g.value;
}



int ifk_bag_info_add(struct ifk_buf *b, const char *label, const char *value)
{
	char *line, *v;
	int rc;

	if (!value || !*value)
		return 0;
	/* one line, and UTF-8 as bagit.txt declares: other bytes as \xNN */
	line = ifk_one_line(value);
	v = line ? ifk_text_escape(line) : NULL;
	free(line);
	if (!v)
		return IFK_ENOMEM;
	rc = *v ? ifk_buf_printf(b, "%s: %s\n", label, v) : 0;
	free(v);
	return rc;
}

