/* --small-files N: N small files (and one folder per GEN_SMALL_PER_DIR of
 * them) after the sample's own entries, for scale tests and benchmarks.
 *
 * The entries stream: each is built, stored and handed to the Manifest.db
 * writer one at a time and never kept, so memory stays flat at any N. All
 * files' content comes from one seeded stream (label `small-content`), their
 * file keys from another (`small-filekeys`), so the plaintext is the same
 * encrypted or not and the sample's own files and keys do not change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "gen.h"

#define SMALL_CLASS 3

static void small_fill(struct gen_small *s, struct gen_entry *e, enum gen_kind kind)
{
	uint64_t row = s->g->list.n + s->row++;

	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->flags = kind == GEN_FILE ? 1 : 2;
	e->domain = s->domain;
	e->path = s->path;
	e->inode = 1200000 + 7 * row;
	e->birth = GEN_BASE_UNIX - 30 * 86400 + 97 * (int64_t)(row % 20000);
	e->mtime = GEN_BASE_UNIX - 2 * 86400 + 61 * (int64_t)(row % 2000);
	e->ctime = e->mtime + 5;
}

static int small_dir(struct gen_small *s, struct gen_entry *e)
{
	snprintf(s->path, sizeof(s->path), "%s/b%05llu",
	         s->g->o->small_camera ? GEN_SMALL_CAMERA_DIR : GEN_SMALL_DIR,
	         (unsigned long long)(s->next / GEN_SMALL_PER_DIR));
	small_fill(s, e, GEN_DIR);
	s->g->ndirs++;
	return gen_file_id(e->domain, e->path, e->file_id);
}

/* Draws the file's content (and key), then stores it under its fileID. */
static int small_file(struct gen_small *s, struct gen_entry *e)
{
	struct gen *g = s->g;

	if (g->o->small_camera)
		snprintf(s->path, sizeof(s->path), GEN_SMALL_CAMERA_DIR "/b%05llu/IMG_%08llu.JPG",
		         (unsigned long long)(s->next / GEN_SMALL_PER_DIR),
		         (unsigned long long)s->next);
	else
		snprintf(s->path, sizeof(s->path), GEN_SMALL_DIR "/b%05llu/f%08llu.bin",
		         (unsigned long long)(s->next / GEN_SMALL_PER_DIR),
		         (unsigned long long)s->next);
	small_fill(s, e, GEN_FILE);
	e->pclass = SMALL_CLASS;
	e->size = e->rec_size = g->o->small_size;
	e->src = GEN_SRC_MEM;
	e->mem = s->content;
	if (gen_file_id(e->domain, e->path, e->file_id) < 0 ||
	    gen_rng_bytes(&s->content_rng, s->content, (size_t)e->size) < 0)
		return -1;
	if (g->o->encrypt) {
		e->encrypted = 1;
		if (gen_rng_bytes(&s->key_rng, e->key, GEN_KEY_LEN) < 0 ||
		    gen_wrap_blob(g, e->pclass, e->key, e->blob) < 0)
			return -1;
	}
	if (gen_store_one(g, e, s->buf) < 0)
		return -1;
	g->nfiles++;
	g->bytes += e->size;
	s->next++;
	return 0;
}

int gen_small_open(struct gen_small *s, struct gen *g)
{
	memset(s, 0, sizeof(*s));
	s->g = g;
	snprintf(s->domain, sizeof(s->domain), "%s",
	         g->o->small_camera ? GEN_SMALL_CAMERA_DOMAIN : GEN_SMALL_DOMAIN);
	s->content = malloc(g->o->small_size ? g->o->small_size : 1);
	s->buf = malloc(GEN_CHUNK);
	if (!s->content || !s->buf) {
		gen_small_close(s);
		return gen_oom();
	}
	if (gen_rng_open(&s->content_rng, g->o->seed, "small-content") < 0 ||
	    gen_rng_open(&s->key_rng, g->o->seed, "small-filekeys") < 0) {
		gen_small_close(s);
		return -1;
	}
	return 0;
}

int gen_small_next(struct gen_small *s, struct gen_entry *e)
{
	int rc;

	if (s->next >= s->g->o->small_files)
		return 0;
	if (s->next % GEN_SMALL_PER_DIR == 0 && s->dirs_made <= s->next / GEN_SMALL_PER_DIR) {
		s->dirs_made++;
		rc = small_dir(s, e);
	} else {
		rc = small_file(s, e);
	}
	return rc < 0 ? -1 : 1;
}

void gen_small_close(struct gen_small *s)
{
	gen_rng_close(&s->content_rng);
	gen_rng_close(&s->key_rng);
	free(s->content);
	free(s->buf);
	s->content = NULL;
	s->buf = NULL;
}
