/* Writes each file's content: DIR/xx/<fileID> (modern) or DIR/<fileID>
 * (mbdb), encrypted with its file key when the backup is encrypted. Content
 * streams through one bounded buffer, so bulk files never sit in memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen.h"

/* JFIF APP0 header; the file ends with FF D9. */
static const unsigned char jpeg_head[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a,
                                          0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00,
                                          0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
static const unsigned char jpeg_tail[] = {0xff, 0xd9};
/* QuickTime ftyp box. */
static const unsigned char mov_head[] = {0x00, 0x00, 0x00, 0x14, 'f',  't',  'y', 'p', 'q', 't',
                                         ' ',  ' ',  0x00, 0x00, 0x02, 0x00, 'q', 't', ' ', ' '};
/* AMR-NB magic (RFC 4867 section 5). */
static const unsigned char amr_head[] = {'#', '!', 'A', 'M', 'R', '\n'};

struct frame {
	const unsigned char *head;
	size_t hlen;
	const unsigned char *tail;
	size_t tlen;
};

static int emit_path(struct gen_writer *w, const char *src, unsigned char *buf)
{
	ssize_t n;
	int fd, rc = -1;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gen_err("cannot open %s: %s", src, strerror(errno));
	for (;;) {
		n = read(fd, buf, GEN_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gen_err("cannot read %s: %s", src, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (gen_writer_put(w, buf, (size_t)n) < 0)
			goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static struct frame frame_of(enum gen_src src)
{
	struct frame f = {mov_head, sizeof(mov_head), NULL, 0};

	if (src == GEN_SRC_JPEG) {
		f.head = jpeg_head;
		f.hlen = sizeof(jpeg_head);
		f.tail = jpeg_tail;
		f.tlen = sizeof(jpeg_tail);
	} else if (src == GEN_SRC_AMR) {
		f.head = amr_head;
		f.hlen = sizeof(amr_head);
	}
	return f;
}

/* Header, seeded bytes from the file's own stream, trailer. */
static int emit_random(struct gen_writer *w, const struct gen_entry *e, uint64_t seed,
                       unsigned char *buf)
{
	struct frame f = frame_of(e->src);
	uint64_t left;
	size_t n;
	struct gen_rng rng;
	char label[64];
	int rc = -1;

	if (e->size < f.hlen + f.tlen)
		return gen_err("%s: too small for its header", e->path);
	snprintf(label, sizeof(label), "content/%s", e->file_id);
	if (gen_rng_open(&rng, seed, label) < 0)
		return -1;
	if (gen_writer_put(w, f.head, f.hlen) < 0)
		goto out;
	for (left = e->size - f.hlen - f.tlen; left > 0; left -= n) {
		n = left > GEN_CHUNK ? GEN_CHUNK : (size_t)left;
		if (gen_rng_bytes(&rng, buf, n) < 0 || gen_writer_put(w, buf, n) < 0)
			goto out;
	}
	if (f.tlen && gen_writer_put(w, f.tail, f.tlen) < 0)
		goto out;
	rc = 0;
out:
	gen_rng_close(&rng);
	return rc;
}

/* The big movie: its header, then zeros (a hole when stored plain, so that
 * a file of many GiB costs no disk). */
static int emit_big(struct gen_writer *w, const struct gen_entry *e, unsigned char *buf)
{
	if (e->size < sizeof(mov_head))
		return gen_err("%s: too small for its header", e->path);
	if (gen_writer_put(w, mov_head, sizeof(mov_head)) < 0)
		return -1;
	return gen_writer_zeros(w, e->size - sizeof(mov_head), buf);
}

static char *stored_path(const struct gen *g, const struct gen_entry *e)
{
	char *p = NULL;
	int n;

	if (g->o->layout == GEN_LAYOUT_MBDB)
		n = asprintf(&p, "%s/%s", g->o->out, e->file_id);
	else
		n = asprintf(&p, "%s/%.2s/%s", g->o->out, e->file_id, e->file_id);
	if (n < 0) {
		gen_oom();
		return NULL;
	}
	return p;
}

static int make_bucket(const struct gen *g, const struct gen_entry *e)
{
	char dir[4096];

	if (g->o->layout == GEN_LAYOUT_MBDB)
		return 0;
	snprintf(dir, sizeof(dir), "%s/%.2s", g->o->out, e->file_id);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return gen_err("cannot create %s: %s", dir, strerror(errno));
	return 0;
}

int gen_store_one(struct gen *g, struct gen_entry *e, unsigned char *buf)
{
	struct gen_writer w;
	char *path = stored_path(g, e);
	int rc = -1;

	if (!path || make_bucket(g, e) < 0)
		goto out;
	if (gen_writer_open(&w, path, e->encrypted ? e->key : NULL,
	                    g->o->layout == GEN_LAYOUT_MBDB) < 0)
		goto out;
	if (e->src == GEN_SRC_MEM)
		rc = gen_writer_put(&w, e->mem, (size_t)e->size);
	else if (e->src == GEN_SRC_PATH)
		rc = emit_path(&w, e->src_path, buf);
	else if (e->src == GEN_SRC_BIG)
		rc = emit_big(&w, e, buf);
	else
		rc = emit_random(&w, e, g->o->seed, buf);
	if (rc < 0)
		gen_writer_abort(&w);
	else
		rc = gen_writer_close(&w, e->sha1);
out:
	free(path);
	return rc;
}

/* The bucket folders get the fixed time once all files are in: every one
 * of the 256 that exists. */
int gen_store_bucket_times(const struct gen *g)
{
	char dir[4096];
	unsigned i;

	if (g->o->layout == GEN_LAYOUT_MBDB)
		return 0;
	for (i = 0; i < 256; i++) {
		snprintf(dir, sizeof(dir), "%s/%02x", g->o->out, i);
		if (access(dir, F_OK) == 0 && gen_set_times(dir) < 0)
			return -1;
	}
	return 0;
}

int gen_store_files(struct gen *g)
{
	unsigned char *buf = malloc(GEN_CHUNK);
	size_t i;
	int rc = -1;

	if (!buf)
		return gen_oom();
	for (i = 0; i < g->list.n; i++) {
		if (g->list.v[i].kind == GEN_FILE && gen_store_one(g, &g->list.v[i], buf) < 0)
			goto out;
	}
	rc = gen_store_bucket_times(g);
out:
	free(buf);
	return rc;
}

/* Copies src to dst, through AES-256-CBC when key is not NULL. */
static int store_copy(const char *src, const char *dst, const unsigned char *key, int padded)
{
	unsigned char *buf = malloc(GEN_CHUNK);
	struct gen_writer w;
	int rc = -1;

	if (!buf)
		return gen_oom();
	if (gen_writer_open(&w, dst, key, 0) < 0)
		goto out;
	if (!padded)
		gen_writer_no_padding(&w);
	rc = emit_path(&w, src, buf);
	if (rc < 0)
		gen_writer_abort(&w);
	else
		rc = gen_writer_close(&w, NULL);
out:
	free(buf);
	return rc;
}

int gen_store_copy(const char *src, const char *dst, const unsigned char *key)
{
	return store_copy(src, dst, key, 1);
}

int gen_store_copy_unpadded(const char *src, const char *dst, const unsigned char *key)
{
	return store_copy(src, dst, key, 0);
}
