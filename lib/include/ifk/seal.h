/* The seal: a CMS (PKCS#7) detached signature, DER, over a bag's tag
 * manifest, made with the examiner's X.509 certificate and private key, that
 * `openssl cms -verify` accepts. */
#ifndef IFK_SEAL_H
#define IFK_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "ifk/error.h"

struct ifk_signer; /* an examiner's key and certificate, loaded and matched */

/* Loads a PEM private key and PEM certificate and checks that they belong
 * together and that the certificate is valid now. key_pass (may be NULL) is
 * the key's passphrase, for encrypted keys. *out is owned by the caller:
 * ifk_signer_free. */
int ifk_signer_load(const char *key_path, const char *cert_path, const char *key_pass,
                    struct ifk_signer **out, struct ifk_error *err);

/* The certificate's subject as one line ("CN=..., O=..."); owned by s. */
const char *ifk_signer_subject(const struct ifk_signer *s);

/* The SHA-256 fingerprint of the certificate (hex); owned by s. */
const char *ifk_signer_fingerprint(const struct ifk_signer *s);

/* Signs content (detached, binary, with a signing-time attribute). *der is
 * malloc'd (caller frees). */
int ifk_signer_sign(const struct ifk_signer *s, const void *content, size_t len, uint8_t **der,
                    size_t *der_len, struct ifk_error *err);

/* Like ifk_signer_sign, over the bytes read from fd (from its current
 * position to its end), streamed: memory does not grow with the content. A
 * read error is IFK_EIO (no signature). */
int ifk_signer_sign_fd(const struct ifk_signer *s, int fd, uint8_t **der, size_t *der_len,
                       struct ifk_error *err);

void ifk_signer_free(struct ifk_signer *s);

struct ifk_seal_info {
	int valid;       /* the signature matches the content */
	int trusted;     /* the signer chains to the --trust certificate */
	int self_signed; /* the signer's certificate is self-signed */
	char subject[256];
	char issuer[256];
	char fingerprint[65]; /* SHA-256 of the signer's certificate */
	char signing_time[21];
	char reason[256]; /* why valid or trusted is 0 */
};

/* Checks a DER seal over content. trust_path (may be NULL) names a PEM file
 * of trusted certificates; the chain is checked at the seal's signing time.
 * Returns 0 and fills info in every case where a verdict could be reached
 * (info->valid says which); a negative code only for I/O problems with
 * trust_path. */
int ifk_seal_verify(const uint8_t *der, size_t der_len, const void *content, size_t len,
                    const char *trust_path, struct ifk_seal_info *info, struct ifk_error *err);

/* Like ifk_seal_verify, over the bytes read from fd (from its current
 * position to its end), streamed and read once. Also returns IFK_EIO when
 * fd cannot be read to its end (info then says nothing). */
int ifk_seal_verify_fd(const uint8_t *der, size_t der_len, int fd, const char *trust_path,
                       struct ifk_seal_info *info, struct ifk_error *err);

/* Makes a self-signed examiner certificate (EC P-256, CN=name, O=org when
 * given, valid for days) for users without a PKI. Writes the key (mode 0600)
 * and certificate as PEM; neither file may exist. */
int ifk_seal_make_cert(const char *name, const char *org, int days, const char *key_path,
                       const char *cert_path, struct ifk_error *err);

#endif
