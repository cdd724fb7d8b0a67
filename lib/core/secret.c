#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>


#define PW_MAX 4096
#define PW_WAIT_S 30        /* how long a pipe may take to give the password */
#define PW_WAIT_MAX_S 86400 /* the most IFK_SECRET_TIMEOUT may ask for */

extern char **environ;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The wait for a pipe: IFK_SECRET_TIMEOUT seconds when set, else PW_WAIT_S. */
static int wait_seconds(int *s, struct ifk_error *err)
{
	const char *v = getenv("IFK_SECRET_TIMEOUT");
	char *end = NULL;
	long n;

	*s = PW_WAIT_S;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > PW_WAIT_MAX_S)
		return ifk_error_set(err, IFK_EINVAL,
		                     "IFK_SECRET_TIMEOUT: not a number of seconds from 1 to %d",
		                     PW_WAIT_MAX_S);
	*s = (int)n;
	return 0;
}

/* Waits until fd can be read, until deadline (now_ms; < 0: no limit).
 * 0 when readable (data, end of file or an error to read), 1 on timeout,
 * -1 with errno set when poll fails. */
static int wait_readable(int fd, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	long long left;
	int r;

	for (;;) {
		left = deadline < 0 ? -1 : deadline - now_ms();
		if (deadline >= 0 && left <= 0)
			return 1;
		r = poll(&p, 1, left < 0 ? -1 : (int)(left > INT_MAX ? INT_MAX : left));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Reads at most PW_MAX bytes into one buffer that is never reallocated (so
 * no unwiped copy is left behind), stopping at stop_at_lf; a pipe must give
 * it all within wait_s seconds (0: no limit). */
static int read_secret(int fd, int stop_at_lf, int wait_s, char **pw, size_t *len, const char *what,
                       struct ifk_error *err)
{
	long long deadline = wait_s ? now_ms() + 1000LL * wait_s : -1;
	char *buf = malloc(PW_MAX + 1);
	size_t n = 0;
	ssize_t r;
	int w;

	if (!buf)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	while (n <= PW_MAX) {
		w = wait_readable(fd, deadline);
		if (w == 1) {
			OPENSSL_clear_free(buf, PW_MAX + 1);
			return ifk_error_set(err, IFK_EIO,
			                     "%s: the input did not end within %d s "
			                     "(IFK_SECRET_TIMEOUT sets the wait)",
			                     what, wait_s);
		}
		r = w < 0 ? -1 : read(fd, buf + n, stop_at_lf ? 1 : PW_MAX + 1 - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			int e = errno;
			OPENSSL_clear_free(buf, PW_MAX + 1);
			return ifk_error_sys(err, IFK_EIO, e, "%s: read failed", what);
		}
		if (r == 0 || (stop_at_lf && buf[n] == '\n'))
			break;
		n += (size_t)r;
	}
	if (n > PW_MAX) {
		OPENSSL_clear_free(buf, PW_MAX + 1);
		return ifk_error_set(err, IFK_EFORMAT, "%s: longer than %d bytes", what, PW_MAX);
	}
	buf[n] = '\0';
	*pw = buf;
	*len = n;
	return 0;
}

/* The operator's own input, not evidence: a regular file (through symbolic
 * links, as mounted secrets are), a pipe, a FIFO, a socket or a character
 * device; "-" is standard input. Never a folder, a block device or a
 * terminal (whose typing would echo). Opening never waits for a FIFO's
 * writer. */
static int open_secret(const char *file, const char *what, struct ifk_error *err)
{
	int fd = strcmp(file, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
	                                : open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	const char *bad = NULL;
	struct stat st;

	if (fd < 0)
		return ifk_error_sys(err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno,
		                     "%s: cannot open", what);
	if (fstat(fd, &st) != 0)
		bad = "cannot be read";
	else if (S_ISDIR(st.st_mode))
		bad = "a folder, not a file";
	else if (S_ISBLK(st.st_mode))
		bad = "a block device, refused";
	else if (isatty(fd))
		bad = "a terminal, refused (without a password file, ifk asks there with echo off)";
	if (!bad)
		return fd;
	close(fd);
	return ifk_error_set(err, IFK_EINVAL, "%s: %s", what, bad);
}

static int from_file(const char *file, char **pw, size_t *len, struct ifk_error *err)
{
	const char *what = strcmp(file, "-") == 0 ? "standard input" : file;
	int fd, rc, wait_s;

	rc = wait_seconds(&wait_s, err);
	if (rc)
		return rc;
	fd = open_secret(file, what, err);
	if (fd < 0)
		return fd;
	rc = read_secret(fd, 0, wait_s, pw, len, what, err);
	close(fd);
	if (rc)
		return rc;
	if (*len && (*pw)[*len - 1] == '\n')
		(*pw)[--*len] = '\0';
	if (*len && (*pw)[*len - 1] == '\r')
		(*pw)[--*len] = '\0';
	return 0;
}

static int from_tty(const char *prompt, char **pw, size_t *len, struct ifk_error *err)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), rc;
	ssize_t nl;

	if (fd < 0 || tcgetattr(fd, &old) != 0) {
		if (fd >= 0)
			close(fd);
		return ifk_error_set(err, IFK_ENOTFOUND,
		                     "no password given and no terminal to ask");
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		close(fd);
		return ifk_error_set(err, IFK_ENOTFOUND,
		                     "cannot ask for the password on the terminal");
	}
	rc = read_secret(fd, 1, 0, pw, len, "/dev/tty", err);
	tcsetattr(fd, TCSAFLUSH, &old);
	nl = write(fd, "\n", 1); /* the echo that was off; losing it is harmless */
	(void)nl;
	close(fd);
	return rc;
}

int ifk_password_take_env(const char *name, char **pw, size_t *len, struct ifk_error *err)
{
	size_t nl = strlen(name), i;
	const char *v = getenv(name);
	int rc = 0;

	*pw = NULL;
	*len = 0;
	if (v && strlen(v) > PW_MAX)
		rc = ifk_error_set(err, IFK_EFORMAT, "%s: longer than %d bytes", name, PW_MAX);
	else if (v && !(*pw = strdup(v)))
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (*pw)
		*len = strlen(*pw);
	/* unsetenv only drops the pointer: the bytes would stay readable in
	 * /proc/PID/environ for the whole run */
	for (i = 0; environ && environ[i]; i++)
		if (strncmp(environ[i], name, nl) == 0 && environ[i][nl] == '=')
			OPENSSL_cleanse(environ[i] + nl + 1, strlen(environ[i] + nl + 1));
	unsetenv(name);
	return rc;
}

int ifk_password_read(const char *file, const char *prompt, char **pw, size_t *len,
                      struct ifk_error *err)
{
	int rc;

	*pw = NULL;
	*len = 0;
	if (file)
		return from_file(file, pw, len, err);
	rc = ifk_password_take_env("IFK_PASSWORD", pw, len, err);
	if (rc || *pw)
		return rc;
	return from_tty(prompt, pw, len, err);
}
