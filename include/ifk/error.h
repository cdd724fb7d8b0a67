/* ifk error reporting: every library function returns 0 or a negative IFK_E*
 * code and fills an optional struct ifk_error with a one-line message that
 * says what failed and where. The library never prints and never exits. */
#ifndef IFK_ERROR_H
#define IFK_ERROR_H



enum {
	IFK_OK = 0,
	IFK_EIO = -1,          /* a file or device could not be read or written */
	IFK_EFORMAT = -2,      /* input is malformed, truncated or hostile */
	IFK_ENOMEM = -3,       /* out of memory */
	IFK_EPASSWORD = -4,    /* wrong password (key-wrap integrity check failed) */
	IFK_EUNSUPPORTED = -5, /* valid input of a kind ifk does not handle */
	IFK_EINVAL = -6,       /* caller error: bad argument */
	IFK_ECRYPTO = -7,      /* a cryptographic operation failed */
	IFK_ENOTFOUND = -8,    /* a required file or item is missing */
	IFK_EEXIST = -9,       /* refusing to overwrite something that exists */
	IFK_EINTR = -10,       /* interrupted by a signal */
	IFK_EVERIFY = -11,     /* a signature or hash did not verify */
};

struct ifk_error {
	int code;
	char msg[768];
};

/* Sets err (when not NULL) to code and the formatted message; returns code,
 * so that `return ifk_error_set(err, IFK_EIO, "...")` reads as one thought. */
int ifk_error_set(struct ifk_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like ifk_error_set, appending ": strerror(errno_value)". */
int ifk_error_sys(struct ifk_error *err, int code, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears err (when not NULL). */
void ifk_error_clear(struct ifk_error *err);

/* A short name for a code ("I/O error", "wrong password", ...). */
const char *ifk_strerror(int code);

#endif
