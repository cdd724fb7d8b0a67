/* com.apple.afc, only what a backup host uses: the sync lock file
 * (FileRefOpen, FileRefLock, FileRefClose). Every other path is absent
 * and every other operation unsupported.
 *
 * Packet: "CFA6LPAA", then u64 LE entire_length, this_length, packet_num
 * (echoed in the reply), operation; then the operation's data. */
#include <stdlib.h>
#include <string.h>

#include "devsim.h"

#define AFC_MAGIC "CFA6LPAA"
#define AFC_HDR 40
#define AFC_MAX_DATA (1024u * 1024u)
#define AFC_LOCK_FILE "/com.apple.itunes.lock_sync"

#define OP_STATUS 0x01
#define OP_GET_FILE_INFO 0x0A
#define OP_FILE_OPEN 0x0D
#define OP_FILE_OPEN_RES 0x0E
#define OP_FILE_CLOSE 0x14
#define OP_FILE_LOCK 0x1B

#define E_SUCCESS 0
#define E_INVALID_ARG 7
#define E_OBJECT_NOT_FOUND 8
#define E_NOT_SUPPORTED 15
#define E_WOULD_BLOCK 19

#define LOCK_UN 8

struct afc {
	struct sim *s;
	struct conn *c;
	uint64_t packet_num;
	uint64_t handle; /* of the lock file, 0 when not open */
};

static void put_le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A reply carrying one u64: a status code or a file handle. */
static int afc_reply(struct afc *a, uint64_t op, uint64_t value)
{
	unsigned char p[AFC_HDR + 8];

	memcpy(p, AFC_MAGIC, 8);
	put_le64(p + 8, sizeof(p));
	put_le64(p + 16, sizeof(p));
	put_le64(p + 24, a->packet_num);
	put_le64(p + 32, op);
	put_le64(p + 40, value);
	return conn_write(a->c, p, sizeof(p));
}

static void release_lock(struct afc *a)
{
	pthread_mutex_lock(&a->s->lock);
	if (a->s->afc_lock_owner == a)
		a->s->afc_lock_owner = NULL;
	pthread_mutex_unlock(&a->s->lock);
}

static int afc_open(struct afc *a, const unsigned char *d, size_t n)
{
	if (n < 9 || memchr(d + 8, 0, n - 8) == NULL)
		return afc_reply(a, OP_STATUS, E_INVALID_ARG);
	if (strcmp((const char *)d + 8, AFC_LOCK_FILE) != 0)
		return afc_reply(a, OP_STATUS, E_OBJECT_NOT_FOUND);
	if (!a->handle) {
		pthread_mutex_lock(&a->s->lock);
		a->handle = ++a->s->afc_next_handle;
		pthread_mutex_unlock(&a->s->lock);
	}
	return afc_reply(a, OP_FILE_OPEN_RES, a->handle);
}

/* One holder at a time across connections, as the real lock. */
static int afc_lock(struct afc *a, const unsigned char *d, size_t n)
{
	uint64_t code = E_SUCCESS;

	if (n < 16 || !a->handle || get_le64(d) != a->handle)
		return afc_reply(a, OP_STATUS, E_INVALID_ARG);
	if (get_le64(d + 8) & LOCK_UN) {
		release_lock(a);
	} else {
		pthread_mutex_lock(&a->s->lock);
		if (a->s->afc_lock_owner && a->s->afc_lock_owner != a)
			code = E_WOULD_BLOCK;
		else
			a->s->afc_lock_owner = a;
		pthread_mutex_unlock(&a->s->lock);
	}
	sim_log(a->s, "afc: %s sync lock -> %s", get_le64(d + 8) & LOCK_UN ? "unlock" : "lock",
	        code ? "would block" : "ok");
	return afc_reply(a, OP_STATUS, code);
}

static int afc_close(struct afc *a, const unsigned char *d, size_t n)
{
	if (n < 8 || !a->handle || get_le64(d) != a->handle)
		return afc_reply(a, OP_STATUS, E_INVALID_ARG);
	release_lock(a);
	a->handle = 0;
	return afc_reply(a, OP_STATUS, E_SUCCESS);
}

static int afc_dispatch(struct afc *a, uint64_t op, const unsigned char *d, size_t n)
{
	switch (op) {
	case OP_FILE_OPEN:
		return afc_open(a, d, n);
	case OP_FILE_LOCK:
		return afc_lock(a, d, n);
	case OP_FILE_CLOSE:
		return afc_close(a, d, n);
	case OP_GET_FILE_INFO:
		return afc_reply(a, OP_STATUS, E_OBJECT_NOT_FOUND);
	default:
		sim_log(a->s, "afc: operation 0x%llx not supported", (unsigned long long)op);
		return afc_reply(a, OP_STATUS, E_NOT_SUPPORTED);
	}
}

static int afc_step(struct afc *a)
{
	unsigned char hdr[AFC_HDR], *data;
	uint64_t entire, op;
	int rc;

	if (conn_read(a->c, hdr, AFC_HDR) < 0 || memcmp(hdr, AFC_MAGIC, 8) != 0)
		return -1;
	entire = get_le64(hdr + 8);
	a->packet_num = get_le64(hdr + 24);
	op = get_le64(hdr + 32);
	if (entire < AFC_HDR || entire - AFC_HDR > AFC_MAX_DATA) {
		sim_log(a->s, "afc: bad packet length %llu", (unsigned long long)entire);
		return -1;
	}
	data = sim_xmalloc((size_t)(entire - AFC_HDR) + 1);
	rc = conn_read(a->c, data, (size_t)(entire - AFC_HDR));
	if (rc == 0)
		rc = afc_dispatch(a, op, data, (size_t)(entire - AFC_HDR));
	free(data);
	return rc;
}

void afc_serve(struct sim *s, struct conn *c)
{
	struct afc a = {.s = s, .c = c};

	while (afc_step(&a) == 0)
		;
	release_lock(&a);
}
