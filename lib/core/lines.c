#include "core.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
/* one decoded chunk: UTF-8 takes at most 4 bytes for each byte read */
#define DECODED (4 * CHUNK)

struct ifk_lines {
	int fd, eof;
	int cr_ends; /* a lone CR ends a line too */
	int skip_lf; /* the last line ended with a CR: an LF right after it belongs to it */
	EVP_MD_CTX *md[IFK_LINES_MAX_MD];
	int nmd;
	const char *mem; /* the text, when reading from memory */
	size_t mem_len, mem_pos;
	iconv_t cd; /* decoder to UTF-8, or (iconv_t)-1 */
	char *raw;  /* CHUNK bytes read but not decoded yet (with cd) */
	size_t raw_len;
	char encoding[64];
	size_t max;
	char *buf; /* the text, decoded: CHUNK bytes, or DECODED with cd */
	size_t pos, end;
	char *line; /* max + 1 bytes */
};

static int new_reader(int fd, size_t max_line, struct ifk_lines **out, struct ifk_error *err)
{
	struct ifk_lines *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l || !(l->line = malloc(max_line + 1)) || !(l->buf = malloc(CHUNK))) {
		if (l)
			free(l->line);
		free(l);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	l->fd = fd;
	l->max = max_line;
	l->cd = (iconv_t)-1;
	*out = l;
	return 0;
}

int ifk_lines_open(int fd, size_t max_line, EVP_MD_CTX *md, struct ifk_lines **out,
                   struct ifk_error *err)
{
	int rc = new_reader(fd, max_line, out, err);

	if (!rc && md)
		rc = ifk_lines_add_md(*out, md);
	return rc;
}

int ifk_lines_open_mem(const char *text, size_t len, size_t max_line, struct ifk_lines **out,
                       struct ifk_error *err)
{
	int rc = new_reader(-1, max_line, out, err);

	if (!rc) {
		(*out)->mem = text;
		(*out)->mem_len = len;
	}
	return rc;
}

int ifk_lines_add_md(struct ifk_lines *l, EVP_MD_CTX *md)
{
	if (l->nmd == IFK_LINES_MAX_MD)
		return IFK_EINVAL;
	l->md[l->nmd++] = md;
	return 0;
}

void ifk_lines_end_on_cr(struct ifk_lines *l)
{
	l->cr_ends = 1;
}

int ifk_lines_set_encoding(struct ifk_lines *l, const char *encoding, struct ifk_error *err)
{
	char *nb;

	if (!encoding || strcasecmp(encoding, "UTF-8") == 0 || strcasecmp(encoding, "UTF8") == 0)
		return 0;
	l->cd = iconv_open("UTF-8", encoding);
	if (l->cd == (iconv_t)-1)
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: not an encoding ifk can decode",
		                     encoding);
	nb = realloc(l->buf, DECODED);
	if (!nb || !(l->raw = malloc(CHUNK)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	l->buf = nb;
	snprintf(l->encoding, sizeof(l->encoding), "%s", encoding);
	return 0;
}

/* Up to cap bytes from the file or the text; each byte feeds the digests. */
static ssize_t read_raw(struct ifk_lines *l, char *dst, size_t cap, struct ifk_error *err)
{
	ssize_t n;
	int i;

	if (l->mem) {
		n = (ssize_t)(l->mem_len - l->mem_pos < cap ? l->mem_len - l->mem_pos : cap);
		memcpy(dst, l->mem + l->mem_pos, (size_t)n);
		l->mem_pos += (size_t)n;
	} else {
		do
			n = read(l->fd, dst, cap);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return ifk_error_sys(err, IFK_EIO, errno, "read failed");
	}
	for (i = 0; i < l->nmd; i++)
		EVP_DigestUpdate(l->md[i], dst, (size_t)n);
	return n;
}

/* Decodes what was read to UTF-8; a character cut at the chunk's end waits
 * for the next read. */
static int decode(struct ifk_lines *l, struct ifk_error *err)
{
	char *in = l->raw, *out = l->buf;
	size_t inleft = l->raw_len, outleft = DECODED;

	if (iconv(l->cd, &in, &inleft, &out, &outleft) == (size_t)-1 && errno != EINVAL)
		return ifk_error_set(err, IFK_EFORMAT, "not valid %s text", l->encoding);
	memmove(l->raw, in, inleft);
	l->raw_len = inleft;
	l->pos = 0;
	l->end = DECODED - outleft;
	return 0;
}

static int fill(struct ifk_lines *l, struct ifk_error *err)
{
	int decoding = l->cd != (iconv_t)-1;
	ssize_t n = decoding ? read_raw(l, l->raw + l->raw_len, CHUNK - l->raw_len, err)
	                     : read_raw(l, l->buf, CHUNK, err);

	if (n < 0)
		return (int)n;
	if (n == 0 && decoding && l->raw_len)
		return ifk_error_set(err, IFK_EFORMAT, "not valid %s text (cut short)",
		                     l->encoding);
	if (n == 0)
		l->eof = 1;
	if (!decoding) {
		l->pos = 0;
		l->end = (size_t)n;
		return 0;
	}
	l->raw_len += (size_t)n;
	return decode(l, err);
}

/* Appends what fits of buf[pos..stop) to the line; notes an overflow. */
static void take(struct ifk_lines *l, size_t stop, size_t *len, int *flags)
{
	size_t n = stop - l->pos;

	if (!(*flags & IFK_LINE_TOO_LONG) && *len + n <= l->max)
		memcpy(l->line + *len, l->buf + l->pos, n);
	else
		*flags |= IFK_LINE_TOO_LONG;
	*len += n;
}

static char *line_end(const struct ifk_lines *l)
{
	char *p = l->buf + l->pos, *nl = memchr(p, '\n', l->end - l->pos), *cr;

	if (!l->cr_ends)
		return nl;
	cr = memchr(p, '\r', nl ? (size_t)(nl - p) : l->end - l->pos);
	return cr ? cr : nl;
}

int ifk_lines_next(struct ifk_lines *l, char **line, size_t *len, int *flags, struct ifk_error *err)
{
	size_t n = 0;
	int rc = 0;

	*flags = 0;
	for (;;) {
		char *nl;
		if (l->pos == l->end) {
			if (l->eof || (rc = fill(l, err)) < 0 || l->eof)
				break;
			if (l->pos == l->end)
				continue;
		}
		if (l->skip_lf) {
			l->skip_lf = 0;
			if (l->buf[l->pos] == '\n' && n == 0) {
				l->pos++;
				continue;
			}
		}
		nl = line_end(l);
		take(l, nl ? (size_t)(nl - l->buf) : l->end, &n, flags);
		l->pos = nl ? (size_t)(nl - l->buf) + 1 : l->end;
		if (nl) {
			l->skip_lf = *nl == '\r';
			goto done;
		}
	}
	if (rc < 0)
		return rc;
	if (n == 0 && !(*flags & IFK_LINE_TOO_LONG))
		return 0;
	*flags |= IFK_LINE_NO_EOL;
done:
	if (*flags & IFK_LINE_TOO_LONG)
		n = 0;
	l->line[n] = '\0';
	*line = l->line;
	*len = n;
	return 1;
}

void ifk_lines_free(struct ifk_lines *l)
{
	if (!l)
		return;
	if (l->cd != (iconv_t)-1)
		iconv_close(l->cd);
	free(l->raw);
	free(l->buf);
	free(l->line);
	free(l);
}
