#include <ifk/error.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 2, 0))) static void set_msg(struct ifk_error *err, const char *fmt,
                                                          va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int ifk_error_set(struct ifk_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	set_msg(err, fmt, ap);
	va_end(ap);
	return code;
}

int ifk_error_sys(struct ifk_error *err, int code, int errno_value, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	set_msg(err, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errno_value));
	return code;
}

void ifk_error_clear(struct ifk_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

const char *ifk_strerror(int code)
{
	switch (code) {
	case IFK_OK:
		return "ok";
	case IFK_EIO:
		return "I/O error";
	case IFK_EFORMAT:
		return "malformed input";
	case IFK_ENOMEM:
		return "out of memory";
	case IFK_EPASSWORD:
		return "wrong password";
	case IFK_EUNSUPPORTED:
		return "unsupported";
	case IFK_EINVAL:
		return "invalid argument";
	case IFK_ECRYPTO:
		return "cryptographic failure";
	case IFK_ENOTFOUND:
		return "not found";
	case IFK_EEXIST:
		return "already exists";
	case IFK_EINTR:
		return "interrupted";
	case IFK_EVERIFY:
		return "verification failed";
	}
	return "unknown error";
}
