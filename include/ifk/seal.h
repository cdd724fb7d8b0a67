/* The examiner's signing key and certificate, as the tools load them
 * before any work, and a self-signed certificate for examiners without a
 * PKI. The seal itself (a detached CMS signature that openssl cms -verify
 * accepts) is made and checked inside the library. */
#ifndef IFK_SEAL_H
#define IFK_SEAL_H

#include <ifk/error.h>

struct ifk_signer; /* an examiner's key and certificate, loaded and matched */

/* Loads the examiner's private key and PEM certificate and checks that
 * they belong together and that the certificate is valid now.
 *
 * key_path is a PEM private key file, or a key on a token (smartcard, HSM)
 * named by a PKCS#11 URI (RFC 7512), such as
 * "pkcs11:token=ifk-lab;object=examiner;type=private", used through
 * OpenSSL's pkcs11 engine (Debian: libengine-pkcs11-openssl): the key never
 * leaves the token, which signs. The PKCS#11 module the engine loads is the
 * URI's query attribute module-path (percent-encoded,
 * "pkcs11:...?module-path=/usr/lib/softhsm/libsofthsm2.so"), else the
 * environment variable IFK_PKCS11_MODULE, else the engine's default (on
 * Debian the p11-kit proxy). A URI holding pin-value or pin-source is
 * refused; any other query attribute too.
 *
 * key_pass (may be NULL) is the key file's passphrase, or the token's PIN;
 * without it a token that needs a PIN is not asked on a terminal and
 * loading fails (IFK_EPASSWORD). Errors name the file or URI: IFK_EIO a
 * file or the module cannot be read; IFK_EFORMAT not PEM, or a wrong
 * passphrase; IFK_EPASSWORD a PIN refused or missing; IFK_ENOTFOUND no such
 * key on the token; IFK_EUNSUPPORTED the engine is not installed or cannot
 * start; IFK_EINVAL a key that does not match the certificate, a
 * certificate not valid now, a URI refused. *out is owned by the caller:
 * ifk_signer_free (which releases the engine as well). */
int ifk_signer_load(const char *key_path, const char *cert_path, const char *key_pass,
                    struct ifk_signer **out, struct ifk_error *err);

void ifk_signer_free(struct ifk_signer *s);

/* Makes a self-signed examiner certificate (CN=name, O=org when given,
 * valid for days) for users without a PKI, written as PEM to cert_path,
 * which must not exist. For a key_path that is a file (which must not
 * exist either), a new EC P-256 key is made and written there (mode 0600,
 * unencrypted; key_pass is not used). For a PKCS#11 URI (see
 * ifk_signer_load, key_pass the PIN), the certificate is for the key
 * already on the token and signed by the token; only cert_path is
 * written. */
int ifk_seal_make_cert(const char *name, const char *org, int days, const char *key_path,
                       const char *cert_path, const char *key_pass, struct ifk_error *err);

#endif
