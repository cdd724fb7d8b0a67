/* ifk-devsim: a simulated iPhone on a UNIX socket, for ifk's tests.
 *
 *   ifk-devsim --socket PATH [--backup DIR] [options]
 *
 * Clients find it with USBMUXD_SOCKET_ADDRESS=UNIX:PATH. It prints "ready"
 * on stdout once it listens, and exits 0 on SIGTERM or SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "devsim.h"

struct worker {
	pthread_t thread;
	struct conn c;
	int done; /* under sim->lock */
	struct worker *next;
};

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: socket path too long: %s\n", SIM_PROG, path);
		return -1;
	}
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path); /* a previous run's socket */
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		fprintf(stderr, "%s: cannot listen on %s: %s\n", SIM_PROG, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct sim *s = w->c.sim;

	usbmux_serve(s, &w->c);
	if (w->c.ssl) {
		SSL_set_quiet_shutdown(w->c.ssl, 1);
		SSL_free(w->c.ssl);
		w->c.ssl = NULL;
	}
	OPENSSL_thread_stop();
	pthread_mutex_lock(&s->lock);
	w->done = 1;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int start_worker(struct sim *s, struct worker **list, int fd)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w) {
		close(fd);
		return -1;
	}
	w->c.fd = fd;
	w->c.sim = s;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		close(fd);
		free(w);
		return -1;
	}
	w->next = *list;
	*list = w;
	return 0;
}

/* Joins finished workers (all of them when all is set, after waking them). */
static void reap(struct sim *s, struct worker **list, int all)
{
	struct worker **pp = list;

	if (all) {
		struct worker *w;

		pthread_mutex_lock(&s->lock);
		s->stopping = 1;
		pthread_cond_broadcast(&s->stop_cv);
		for (w = *list; w; w = w->next)
			shutdown(w->c.fd, SHUT_RDWR);
		pthread_mutex_unlock(&s->lock);
	}
	while (*pp) {
		struct worker *w = *pp;
		int done;

		pthread_mutex_lock(&s->lock);
		done = w->done;
		pthread_mutex_unlock(&s->lock);
		if (!done && !all) {
			pp = &w->next;
			continue;
		}
		pthread_join(w->thread, NULL);
		close(w->c.fd);
		*pp = w->next;
		free(w);
	}
}

/* Accepts until SIGTERM or SIGINT arrives on sfd. */
static void serve(struct sim *s, int lfd, int sfd)
{
	struct worker *workers = NULL;

	for (;;) {
		struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
		int r = poll(p, 2, 1000);

		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && (p[1].revents & POLLIN))
			break;
		if (r > 0 && (p[0].revents & POLLIN)) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd >= 0)
				start_worker(s, &workers, fd);
		}
		reap(s, &workers, 0);
	}
	sim_log(s, "shutting down");
	reap(s, &workers, 1);
}

static int sim_init(struct sim *s)
{
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->log_lock, NULL);
	pthread_cond_init(&s->stop_cv, NULL);
	if (s->o.log_path && !(s->log = fopen(s->o.log_path, "a"))) {
		fprintf(stderr, "%s: cannot open %s: %s\n", SIM_PROG, s->o.log_path,
		        strerror(errno));
		return -1;
	}
	if (values_load(s) < 0)
		return -1;
	if (pairing_init(s) < 0) {
		fprintf(stderr, "%s: cannot make the pairing keys\n", SIM_PROG);
		return -1;
	}
	sim_log(s, "device %s (%s, iOS %s), %s", s->udid, dict_str(s->values, "ProductType"),
	        dict_str(s->values, "ProductVersion"), s->o.unpaired ? "unpaired" : "paired");
	return 0;
}

static void sim_free(struct sim *s)
{
	pairing_free(s);
	plist_free(s->values);
	plist_free(s->o.overrides);
	if (s->password) {
		OPENSSL_cleanse(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->udid);
	if (s->log)
		fclose(s->log);
	pthread_cond_destroy(&s->stop_cv);
	pthread_mutex_destroy(&s->log_lock);
	pthread_mutex_destroy(&s->lock);
}

/* SIGTERM and SIGINT arrive on a signalfd, blocked in every thread. */
static int signal_fd(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

int main(int argc, char **argv)
{
	struct sim s;
	int rc, lfd, sfd;

	memset(&s, 0, sizeof(s));
	rc = sim_options(&s.o, argc, argv);
	if (rc >= 0) {
		plist_free(s.o.overrides);
		return rc;
	}
	sfd = signal_fd();
	if (sfd < 0) {
		plist_free(s.o.overrides);
		return SIM_EXIT_IO;
	}
	if (sim_init(&s) < 0) {
		sim_free(&s);
		close(sfd);
		return SIM_EXIT_IO;
	}
	lfd = listen_on(s.o.socket_path);
	if (lfd < 0) {
		sim_free(&s);
		close(sfd);
		return SIM_EXIT_IO;
	}
	printf("ready\n");
	fflush(stdout);
	sim_log(&s, "listening on %s", s.o.socket_path);
	serve(&s, lfd, sfd);
	close(lfd);
	close(sfd);
	unlink(s.o.socket_path);
	sim_free(&s);
	return SIM_EXIT_OK;
}
