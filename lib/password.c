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

static int from_file(const char *file, char **pw, size_t *len, struct ifk_error *err)
{
	int rc = ifk_read_small(AT_FDCWD, file, PW_MAX, pw, len, err);

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
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *tty = fopen("/dev/tty", "r+e");

	if (!tty)
		return ifk_error_set(err, IFK_ENOTFOUND, "no password given and no terminal to ask");
	if (tcgetattr(fileno(tty), &old) != 0) {
		fclose(tty);
		return ifk_error_set(err, IFK_ENOTFOUND, "no password given and no terminal to ask");
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	fprintf(tty, "%s", prompt);
	fflush(tty);
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	n = getline(&buf, &cap, tty);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (n < 0) {
		free(buf);
		return ifk_error_set(err, IFK_ENOTFOUND, "no password read from the terminal");
	}
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	*pw = buf;
	*len = (size_t)n;
	return 0;
}

int ifk_password_read(const char *file, const char *prompt, char **pw, size_t *len,
                      struct ifk_error *err)
{
	const char *env = getenv("IFK_PASSWORD");

	*pw = NULL;
	*len = 0;
	if (file)
		return from_file(file, pw, len, err);
	if (env) {
		*pw = strdup(env);
		if (!*pw)
			return ifk_error_set(err, IFK_ENOMEM, "out of memory");
		*len = strlen(env);
		return 0;
	}
	return from_tty(prompt, pw, len, err);
}
