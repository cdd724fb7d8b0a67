/* Small helpers: diagnostics, byte buffers, hex, paths, temp-tree removal. */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

int gen_err(const char *fmt, ...)
{
	va_list ap;

	fputs(GEN_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

int gen_oom(void)
{
	return gen_err("out of memory");
}

static int buf_reserve(struct gen_buf *b, size_t more)
{
	size_t cap;
	unsigned char *p;

	if (more > SIZE_MAX / 2 - b->len)
		return gen_oom();
	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return gen_oom();
	b->p = p;
	b->cap = cap;
	return 0;
}

int gen_buf_put(struct gen_buf *b, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	if (buf_reserve(b, len) < 0)
		return -1;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

int gen_buf_u8(struct gen_buf *b, uint8_t v)
{
	return gen_buf_put(b, &v, 1);
}

int gen_buf_be16(struct gen_buf *b, uint16_t v)
{
	unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};

	return gen_buf_put(b, x, sizeof(x));
}

int gen_buf_be32(struct gen_buf *b, uint32_t v)
{
	unsigned char x[4];
	int i;

	for (i = 0; i < 4; i++)
		x[i] = (unsigned char)(v >> (24 - 8 * i));
	return gen_buf_put(b, x, sizeof(x));
}

int gen_buf_le32(struct gen_buf *b, uint32_t v)
{
	unsigned char x[4];
	int i;

	for (i = 0; i < 4; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return gen_buf_put(b, x, sizeof(x));
}

int gen_buf_be64(struct gen_buf *b, uint64_t v)
{
	if (gen_buf_be32(b, (uint32_t)(v >> 32)) < 0)
		return -1;
	return gen_buf_be32(b, (uint32_t)v);
}

void gen_buf_free(struct gen_buf *b)
{
	if (b->p)
		OPENSSL_cleanse(b->p, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void gen_hex(const unsigned char *in, size_t len, int upper, char *out)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* 16 random bytes as an uppercase version-4 style UUID string. */
void gen_uuid_str(const unsigned char in[16], char out[37])
{
	unsigned char u[16];
	char hex[33];

	memcpy(u, in, sizeof(u));
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	gen_hex(u, sizeof(u), 1, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

char *gen_strdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		gen_oom();
	return d;
}

char *gen_path_join(const char *dir, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, name) < 0) {
		gen_oom();
		return NULL;
	}
	return p;
}

int gen_write_file(const char *path, const void *data, size_t len)
{
	struct gen_writer w;

	if (gen_writer_open(&w, path, NULL, 0) < 0)
		return -1;
	if (gen_writer_put(&w, data, len) < 0) {
		gen_writer_abort(&w);
		return -1;
	}
	return gen_writer_close(&w, NULL);
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	if (remove(path) < 0)
		return gen_err("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int gen_rm_tree(const char *dir)
{
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return gen_err("cannot remove temp folder %s", dir);
	return 0;
}

int64_t gen_owner_id(const struct gen_entry *e)
{
	return strcmp(e->domain, "WirelessDomain") == 0 ? -2 : 501;
}
