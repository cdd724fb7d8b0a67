/* com.apple.mobile.notification_proxy: framed XML plists with a Command.
 * ObserveNotification registers a name, PostNotification relays a name to
 * every connection that observes it (RelayNotification), Shutdown is
 * answered at once with ProxyDeath. A posted syncCancelRequest also cancels
 * a running backup. A connection's own thread does all its I/O: relays from
 * other threads are queued and the thread woken through an eventfd. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devsim.h"

struct np_client {
	struct conn *c;
	plist_t names; /* observed: name -> true */
	plist_t queue; /* names to relay */
	int efd;
	struct np_client *next;
};

static void np_register(struct sim *s, struct np_client *n)
{
	pthread_mutex_lock(&s->lock);
	n->next = s->observers;
	s->observers = n;
	pthread_mutex_unlock(&s->lock);
}

static void np_unregister(struct sim *s, struct np_client *n)
{
	struct np_client **pp;

	pthread_mutex_lock(&s->lock);
	for (pp = &s->observers; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
}

void notify_post(struct sim *s, const char *name)
{
	struct np_client *n;
	uint64_t one = 1;
	int relayed = 0;

	pthread_mutex_lock(&s->lock);
	if (strcmp(name, SIM_NP_CANCEL) == 0)
		s->cancel = 1;
	for (n = s->observers; n; n = n->next) {
		if (!plist_dict_get_item(n->names, name))
			continue;
		plist_array_append_item(n->queue, plist_new_string(name));
		if (write(n->efd, &one, sizeof(one)) < 0)
			continue;
		relayed++;
	}
	pthread_mutex_unlock(&s->lock);
	sim_log(s, "notification_proxy: %s posted, relayed to %d observer(s)", name, relayed);
}

static int send_command(struct conn *c, const char *command, const char *name)
{
	plist_t p = plist_new_dict();
	int rc;

	plist_dict_set_item(p, "Command", plist_new_string(command));
	if (name)
		plist_dict_set_item(p, "Name", plist_new_string(name));
	rc = frame_send(c, p, 0);
	plist_free(p);
	return rc;
}

static int flush_queue(struct sim *s, struct np_client *n)
{
	uint64_t count;
	plist_t q;
	uint32_t i;
	int rc = 0;

	if (read(n->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return -1;
	pthread_mutex_lock(&s->lock);
	q = n->queue;
	n->queue = plist_new_array();
	pthread_mutex_unlock(&s->lock);
	for (i = 0; rc == 0 && i < plist_array_get_size(q); i++)
		rc = send_command(n->c, "RelayNotification", array_str(q, i));
	plist_free(q);
	return rc;
}

/* One command from the host; 1 when the connection is to end. */
static int np_command(struct sim *s, struct np_client *n)
{
	plist_t msg = NULL;
	const char *cmd, *name;
	int end = 0;

	if (frame_recv(n->c, &msg) < 0)
		return 1;
	cmd = dict_str(msg, "Command");
	name = dict_str(msg, "Name");
	if (cmd && strcmp(cmd, "ObserveNotification") == 0 && name) {
		pthread_mutex_lock(&s->lock);
		plist_dict_set_item(n->names, name, plist_new_bool(1));
		pthread_mutex_unlock(&s->lock);
	} else if (cmd && strcmp(cmd, "PostNotification") == 0 && name) {
		notify_post(s, name);
	} else if (cmd && strcmp(cmd, "Shutdown") == 0) {
		send_command(n->c, "ProxyDeath", NULL);
		end = 1;
	} else {
		sim_log(s, "notification_proxy: unknown command %s", cmd ? cmd : "(none)");
	}
	plist_free(msg);
	return end;
}

static void np_loop(struct sim *s, struct np_client *n)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = n->c->fd, .events = POLLIN},
		                      {.fd = n->efd, .events = POLLIN}};
		int r;

		if (n->c->ssl && SSL_pending(n->c->ssl) > 0) {
			p[0].revents = POLLIN;
			p[1].revents = 0;
		} else {
			r = poll(p, 2, -1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return;
		}
		if ((p[1].revents & POLLIN) && flush_queue(s, n) < 0)
			return;
		if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && np_command(s, n))
			return;
	}
}

void notify_serve(struct sim *s, struct conn *c)
{
	struct np_client n = {.c = c};

	n.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (n.efd < 0)
		return;
	n.names = plist_new_dict();
	n.queue = plist_new_array();
	np_register(s, &n);
	np_loop(s, &n);
	np_unregister(s, &n);
	close(n.efd);
	plist_free(n.names);
	plist_free(n.queue);
}
