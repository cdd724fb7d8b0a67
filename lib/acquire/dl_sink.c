/* The receiving side's second core: while the main thread receives the next
 * chunk from the device, a worker hashes and writes the previous one. Two
 * buffers, handed over in order; memory stays at two chunks. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acquire_int.h"
#include "core.h"

#define NBUF 2

struct job {
	uint8_t *buf;
	uint32_t len;
	int full;
	EVP_MD_CTX *md;
	int fd;
};

struct acq_dl_sink {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job jobs[NBUF];
	int next_fill, next_work, quit;
	int error; /* set by the worker, read by drain once every job is done */
};

/* Hashed and written a slice at a time, so that the bytes the hash has
 * just read are still in the CPU's cache when write copies them. */
#define SLICE (128u * 1024)

static void process(struct acq_dl_sink *s, struct job *j)
{
	uint32_t off = 0;

	while (off < j->len && !s->error) {
		uint32_t n = j->len - off < SLICE ? j->len - off : SLICE;
		EVP_DigestUpdate(j->md, j->buf + off, n);
		errno = 0;
		if (ifk_write_all(j->fd, j->buf + off, n, NULL, NULL) != 0)
			s->error = errno ? errno : ENOSPC; /* a write of 0 bytes: no room */
		off += n;
	}
	/* a file large enough to pass through here goes on to the disk while
	 * the next chunk arrives: the syncfs before the seal then finds it
	 * written (CASE_FORMAT.md, "Durability") */
	if (!s->error)
		ifk_writeback_start(j->fd);
}

static void *worker(void *arg)
{
	struct acq_dl_sink *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct job *j = &s->jobs[s->next_work];
		while (!j->full && !s->quit)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!j->full && s->quit)
			break;
		pthread_mutex_unlock(&s->mu);
		process(s, j);
		pthread_mutex_lock(&s->mu);
		j->full = 0;
		s->next_work = (s->next_work + 1) % NBUF;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int acq_dl_sink_start(struct acq_dl_sink **out, struct ifk_error *err)
{
	struct acq_dl_sink *s = calloc(1, sizeof(*s));
	int i;

	*out = NULL;
	if (!s)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	for (i = 0; i < NBUF; i++)
		if (!(s->jobs[i].buf = malloc(IFK_IO_CHUNK)))
			goto fail;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->thread, NULL, worker, s) != 0) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	for (i = 0; i < NBUF; i++)
		free(s->jobs[i].buf);
	free(s);
	return ifk_error_set(err, IFK_ENOMEM, "cannot start the hashing thread");
}

/* The next buffer to receive into (waits until the worker freed it). */
uint8_t *acq_dl_sink_buffer(struct acq_dl_sink *s)
{
	struct job *j = &s->jobs[s->next_fill];

	pthread_mutex_lock(&s->mu);
	while (j->full)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return j->buf;
}

int acq_dl_sink_submit(struct acq_dl_sink *s, uint32_t len, EVP_MD_CTX *md, int fd)
{
	struct job *j = &s->jobs[s->next_fill];
	int e;

	pthread_mutex_lock(&s->mu);
	j->len = len;
	j->md = md;
	j->fd = fd;
	j->full = 1;
	s->next_fill = (s->next_fill + 1) % NBUF;
	e = s->error;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return e;
}

/* Waits until every submitted chunk is hashed and written; returns 0 or the
 * errno of a failed write (then cleared). */
int acq_dl_sink_drain(struct acq_dl_sink *s)
{
	int i, e;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < NBUF; i++)
		while (s->jobs[i].full)
			pthread_cond_wait(&s->cv, &s->mu);
	e = s->error;
	s->error = 0;
	pthread_mutex_unlock(&s->mu);
	return e;
}

void acq_dl_sink_stop(struct acq_dl_sink *s)
{
	int i;

	if (!s)
		return;
	acq_dl_sink_drain(s);
	pthread_mutex_lock(&s->mu);
	s->quit = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	for (i = 0; i < NBUF; i++)
		free(s->jobs[i].buf);
	free(s);
}
