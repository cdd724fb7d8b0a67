/* Logging, interruptible sleeps and small helpers shared by every thread. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/rand.h>

#include "devsim.h"

/* One line per event, in --log FILE and (with -v) on stderr. */
void sim_log(struct sim *s, const char *fmt, ...)
{
	char msg[1024], stamp[32];
	struct timeval tv;
	struct tm tm;
	va_list ap;

	if (!s->log && !s->o.verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	pthread_mutex_lock(&s->log_lock);
	if (s->log) {
		fprintf(s->log, "%s.%03ld %s\n", stamp, (long)(tv.tv_usec / 1000), msg);
		fflush(s->log);
	}
	if (s->o.verbose)
		fprintf(stderr, "%s: %s\n", SIM_PROG, msg);
	pthread_mutex_unlock(&s->log_lock);
}

int sim_is_stopping(struct sim *s)
{
	int stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* Sleeps, but wakes at once when the simulator shuts down. */
int sim_sleep(struct sim *s, unsigned seconds)
{
	struct timespec until;
	int stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		if (pthread_cond_timedwait(&s->stop_cv, &s->lock, &until) == ETIMEDOUT)
			break;
	}
	stop = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* A random UUID in the upper-case form lockdownd uses. */
char *sim_uuid(void)
{
	unsigned char b[16];
	char *u = sim_xmalloc(37);

	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0x5a, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(u, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
	return u;
}

void *sim_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "%s: out of memory\n", SIM_PROG);
		abort();
	}
	return p;
}

char *sim_strdup(const char *str)
{
	size_t n = strlen(str) + 1;
	char *d = sim_xmalloc(n);

	memcpy(d, str, n);
	return d;
}
