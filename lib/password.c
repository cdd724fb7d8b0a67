#include "ifk/password.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ifk/util.h"

#define PW_MAX 4096

extern char **environ;

/* Reads at most PW_MAX bytes into one buffer that is never reallocated (so
 * no unwiped copy is left behind), stopping at stop_at_lf. */
static int read_secret(int fd, int stop_at_lf, char **pw, size_t *len, const char *what,
                       struct ifk_error *err)
{
	char *buf = malloc(PW_MAX + 1);
	size_t n = 0;

	if (!buf)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	while (n <= PW_MAX) {
		ssize_t r = read(fd, buf + n, stop_at_lf ? 1 : PW_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
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

static int from_file(const char *file, char **pw, size_t *len, struct ifk_error *err)
{
	int fd = ifk_open_regular(AT_FDCWD, file, err), rc;

	if (fd < 0)
		return fd;
	rc = read_secret(fd, 0, pw, len, file, err);
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
	rc = read_secret(fd, 1, pw, len, "/dev/tty", err);
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
