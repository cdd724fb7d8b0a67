/* The examiner's signing key and certificate, as the tools load them
 * before any work, and a self-signed certificate for examiners without a
 * PKI. The seal itself (a detached CMS signature that openssl cms -verify
 * accepts) is made and checked inside the library. */
#ifndef IFK_SEAL_H
#define IFK_SEAL_H

#include <ifk/error.h>

struct ifk_signer; /* an examiner's key and certificate, loaded and matched */

/* Loads a PEM private key and PEM certificate and checks that they belong
 * together and that the certificate is valid now. key_pass (may be NULL) is
 * the key's passphrase, for encrypted keys. *out is owned by the caller:
 * ifk_signer_free. */
int ifk_signer_load(const char *key_path, const char *cert_path, const char *key_pass,
                    struct ifk_signer **out, struct ifk_error *err);

void ifk_signer_free(struct ifk_signer *s);

/* Makes a self-signed examiner certificate (EC P-256, CN=name, O=org when
 * given, valid for days) for users without a PKI. Writes the key (mode 0600)
 * and certificate as PEM; neither file may exist. */
int ifk_seal_make_cert(const char *name, const char *org, int days, const char *key_path,
                       const char *cert_path, struct ifk_error *err);

#endif
