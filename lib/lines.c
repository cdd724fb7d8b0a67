#include "ifk/lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

struct ifk_lines {
	int fd, eof;
	EVP_MD_CTX *md;
	size_t max;
	char buf[CHUNK];
	size_t pos, end;
	char *line; /* max + 1 bytes */
};

int ifk_lines_open(int fd, size_t max_line, EVP_MD_CTX *md, struct ifk_lines **out,
                   struct ifk_error *err)
{
	struct ifk_lines *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l || !(l->line = malloc(max_line + 1))) {
		free(l);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	l->fd = fd;
	l->md = md;
	l->max = max_line;
	*out = l;
	return 0;
}

static int fill(struct ifk_lines *l, struct ifk_error *err)
{
	ssize_t n;

	do
		n = read(l->fd, l->buf, sizeof(l->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "read failed");
	if (n == 0)
		l->eof = 1;
	else if (l->md)
		EVP_DigestUpdate(l->md, l->buf, (size_t)n);
	l->pos = 0;
	l->end = (size_t)n;
	return 0;
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

int ifk_lines_next(struct ifk_lines *l, char **line, size_t *len, int *flags, struct ifk_error *err)
{
	size_t n = 0;
	int rc;

	*flags = 0;
	for (;;) {
		char *nl;
		if (l->pos == l->end) {
			if (l->eof || (rc = fill(l, err)) < 0 || l->eof)
				break;
		}
		nl = memchr(l->buf + l->pos, '\n', l->end - l->pos);
		take(l, nl ? (size_t)(nl - l->buf) : l->end, &n, flags);
		l->pos = nl ? (size_t)(nl - l->buf) + 1 : l->end;
		if (nl)
			goto done;
	}
	if (l->pos == l->end && !l->eof)
		return err ? err->code : IFK_EIO;
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
	free(l->line);
	free(l);
}
