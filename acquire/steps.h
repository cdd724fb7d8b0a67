/* ifk-acquire's steps around the acquisition: the examiner certificate
 * (--make-cert) and the verification made at once with the backup's
 * password (--device --password-file). */
#ifndef IFK_ACQUIRE_STEPS_H
#define IFK_ACQUIRE_STEPS_H

#include <ifk/acquire.h>
#include <ifk/cli.h>

/* The options beyond the common ones, and the password read up front. */
struct args {
	struct ifk_acquire_opts o;
	const char *key, *cert, *device;
	long days, timeout;
	int64_t wait_start, wait_file, wait_next; /* --wait-*: seconds, 0 when not given */
	int make_cert, encrypt;
	char *pw; /* --encrypt's new password, or the device's, to verify at once */
	size_t pw_len;
};

/* --make-cert: the key and certificate, or the error. An exit code. */
int make_cert(struct ifk_cli *c, const struct args *a);
/* With the backup's password at hand, the sealed bag is verified at once:
 * every file decrypts (ifk-verify's checks, appended to the custody log).
 * The verdict ("PASS", "FAIL"), or NULL when there is no password. */
const char *verify_now(struct ifk_cli *c, struct args *a, const char *bag);

#endif
