/* Manifest.mbdb (iOS 5-9): "mbdb\x05\x00", then one record per entry until
 * EOF, integers big-endian, strings as u16 length + bytes (0xFFFF = empty or
 * absent). Never encrypted; dataHash is the SHA-1 of the stored file. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define MODE_FILE 0100644
#define MODE_DIR 040755
#define MODE_LINK 0120755

static int mbdb_str(struct gen_buf *b, const void *s, size_t len)
{
	if (!s || len == 0)
		return gen_buf_be16(b, 0xffff);
	if (len >= 0xffff)
		return gen_err("mbdb string too long");
	if (gen_buf_be16(b, (uint16_t)len) < 0)
		return -1;
	return gen_buf_put(b, s, len);
}

static int mbdb_cstr(struct gen_buf *b, const char *s)
{
	return mbdb_str(b, s, s ? strlen(s) : 0);
}

static int mbdb_props(struct gen_buf *b, const struct gen_entry *e)
{
	if (!e->prop_name)
		return gen_buf_u8(b, 0);
	if (gen_buf_u8(b, 1) < 0 || mbdb_cstr(b, e->prop_name) < 0 ||
	    mbdb_cstr(b, e->prop_value) < 0)
		return -1;
	return 0;
}

static int mbdb_record(struct gen_buf *b, const struct gen_entry *e)
{
	int file = e->kind == GEN_FILE;
	uint16_t mode = file ? MODE_FILE : e->kind == GEN_DIR ? MODE_DIR : MODE_LINK;

	if (mbdb_cstr(b, e->domain) < 0 || mbdb_cstr(b, e->path) < 0 ||
	    mbdb_cstr(b, e->target) < 0 || mbdb_str(b, file ? e->sha1 : NULL, 20) < 0 ||
	    mbdb_str(b, e->encrypted ? e->blob : NULL, GEN_BLOB_LEN) < 0)
		return -1;
	if (gen_buf_be16(b, mode) < 0 || gen_buf_be64(b, e->inode) < 0 ||
	    gen_buf_be32(b, (uint32_t)gen_owner_id(e)) < 0 ||
	    gen_buf_be32(b, (uint32_t)gen_owner_id(e)) < 0 ||
	    gen_buf_be32(b, (uint32_t)e->mtime) < 0 || gen_buf_be32(b, (uint32_t)e->mtime) < 0 ||
	    gen_buf_be32(b, (uint32_t)e->ctime) < 0 ||
	    gen_buf_be64(b, file ? e->rec_size : 0) < 0 || gen_buf_u8(b, (uint8_t)e->pclass) < 0)
		return -1;
	return mbdb_props(b, e);
}

int gen_mbdb_write(struct gen *g)
{
	struct gen_buf b = {0};
	char *path = gen_path_join(g->o->out, "Manifest.mbdb");
	size_t i;
	int rc = -1;

	if (!path || gen_buf_put(&b, "mbdb\x05\x00", 6) < 0)
		goto out;
	for (i = 0; i < g->list.n; i++) {
		if (mbdb_record(&b, &g->list.v[i]) < 0)
			goto out;
	}
	rc = gen_write_file(path, b.p, b.len);
out:
	gen_buf_free(&b);
	free(path);
	return rc;
}
