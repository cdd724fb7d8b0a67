/* One connection's bytes, plain or inside TLS, and lockdown's framing. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "devsim.h"

void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int tls_read(struct conn *c, unsigned char *p, size_t n)
{
	while (n > 0) {
		int chunk = n > (1u << 30) ? 1 << 30 : (int)n;
		int r = SSL_read(c->ssl, p, chunk);

		if (r <= 0) {
			ERR_clear_error();
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int conn_read(struct conn *c, void *buf, size_t n)
{
	unsigned char *p = buf;

	if (c->ssl)
		return tls_read(c, p, n);
	while (n > 0) {
		ssize_t r = recv(c->fd, p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int conn_write(struct conn *c, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n > 0) {
		ssize_t w;

		if (c->ssl) {
			int chunk = n > (1u << 30) ? 1 << 30 : (int)n;

			w = SSL_write(c->ssl, p, chunk);
			if (w <= 0) {
				ERR_clear_error();
				return -1;
			}
		} else {
			w = send(c->fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int conn_readable(struct conn *c, int timeout_ms)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	int r;

	if (c->ssl && SSL_pending(c->ssl) > 0)
		return 1;
	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	return r > 0;
}

/* The device is the TLS server; the host presents its root certificate,
 * which the device does not check. host_id picks the device certificate of
 * that host's pairing (NULL: the device's own). */
int conn_tls_start(struct conn *c, const char *host_id)
{
	c->ssl = SSL_new(c->sim->tls);
	if (!c->ssl)
		return -1;
	if (host_id)
		pairing_use_cert(c->sim, c->ssl, host_id);
	SSL_set_fd(c->ssl, c->fd);
	if (SSL_accept(c->ssl) != 1) {
		unsigned long e = ERR_peek_error();

		sim_log(c->sim, "tls: handshake failed: %s",
		        e ? ERR_reason_error_string(e) : "connection closed");
		ERR_clear_error();
		SSL_free(c->ssl);
		c->ssl = NULL;
		return -1;
	}
	sim_log(c->sim, "tls: %s %s", SSL_get_version(c->ssl), SSL_get_cipher(c->ssl));
	return 0;
}

/* After StopSession: the host sends close_notify and goes on in plain text
 * without waiting for ours, so none is sent. 0 when the host did so, -1
 * when it closed the connection instead. */
int conn_tls_end(struct conn *c)
{
	unsigned char b;
	int r, rc = -1;

	if (!c->ssl)
		return 0;
	r = SSL_read(c->ssl, &b, 1);
	if (r <= 0 && SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN)
		rc = 0;
	ERR_clear_error();
	SSL_set_quiet_shutdown(c->ssl, 1);
	SSL_free(c->ssl);
	c->ssl = NULL;
	return rc;
}
