/* ifk decrypt: streaming AES-256-CBC decryption with a zero IV and PKCS#7
 * padding, as iOS encrypts each backup file and Manifest.db. The key comes
 * from ifk_keybag_unwrap_key.
 *
 * Usage: ifk_decrypt_new, then ifk_decrypt_update for each chunk of
 * ciphertext in order (any sizes), then ifk_decrypt_final once, then
 * ifk_decrypt_free. The last 1..16 ciphertext bytes are held back until
 * final, which checks the padding and the total length. */
#ifndef IFK_DECRYPT_H
#define IFK_DECRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "ifk/error.h"

#define IFK_DECRYPT_KEY_LEN 32
#define IFK_DECRYPT_BLOCK 16
#define IFK_DECRYPT_CHUNK (1024 * 1024) /* ifk_decrypt_file's read size */

struct ifk_decrypt;

/* Creates a decryptor for the 32-byte key into a new *out (the caller owns
 * it and frees it with ifk_decrypt_free). The decryptor keeps its own copy
 * of the key inside OpenSSL; the caller may wipe key at once. Errors:
 * IFK_EINVAL, IFK_ENOMEM, IFK_ECRYPTO. */
int ifk_decrypt_new(const uint8_t key[IFK_DECRYPT_KEY_LEN], struct ifk_decrypt **out,
                    struct ifk_error *err);

/* Decrypts inlen bytes of ciphertext. out must hold inlen + 16 bytes; the
 * number of plaintext bytes written is stored in *outlen (0 .. inlen + 15,
 * a multiple of 16). Errors: IFK_EINVAL (NULL argument, or called after
 * ifk_decrypt_final), IFK_ECRYPTO. */
int ifk_decrypt_update(struct ifk_decrypt *d, const uint8_t *in, size_t inlen, uint8_t *out,
                       size_t *outlen, struct ifk_error *err);

/* Ends the stream: out must hold 16 bytes; *outlen receives 0..15, the last
 * block with its padding removed. Errors: IFK_EFORMAT when the total
 * ciphertext length is 0 or not a multiple of 16 (a truncated file), or when
 * the padding is bad (last byte not 1..16, or the pad bytes differ: a wrong
 * key or a damaged file); IFK_EINVAL when called twice; IFK_ECRYPTO. */
int ifk_decrypt_final(struct ifk_decrypt *d, uint8_t *out, size_t *outlen, struct ifk_error *err);

/* Accepts one quirk of real backups for this stream: an SQLite image (a
 * Manifest.db) encrypted without its PKCS#7 padding block. At final, a
 * stream whose plaintext begins with the SQLite header and whose length is
 * a whole number of its pages (a padded image is 16 bytes more, never a
 * whole number of pages) keeps its last block whole instead of failing on
 * "bad padding". Call before the first update. */
void ifk_decrypt_accept_unpadded_sqlite(struct ifk_decrypt *d);
/* 1 when ifk_decrypt_final took that quirk, so the caller can say so. */
int ifk_decrypt_was_unpadded(const struct ifk_decrypt *d);

/* Ciphertext bytes given to ifk_decrypt_update so far. */
uint64_t ifk_decrypt_cipher_bytes(const struct ifk_decrypt *d);

/* Plaintext bytes returned by ifk_decrypt_update and ifk_decrypt_final so far. */
uint64_t ifk_decrypt_plain_bytes(const struct ifk_decrypt *d);

/* Wipes and frees d; accepts NULL. */
void ifk_decrypt_free(struct ifk_decrypt *d);

/* Decrypts everything readable from in_fd (from its current position to end
 * of file, in IFK_DECRYPT_CHUNK reads, with about 2 MiB of memory) and writes
 * the plaintext to out_fd, or only checks it when out_fd is -1. On success
 * *plain_len (may be NULL) receives the plaintext length. On error, plaintext
 * already written to out_fd stays there (the caller removes the file).
 * Errors: IFK_EIO (read or write failed), IFK_EFORMAT (see
 * ifk_decrypt_final), IFK_EINVAL, IFK_ENOMEM, IFK_ECRYPTO. */
int ifk_decrypt_file(const uint8_t key[IFK_DECRYPT_KEY_LEN], int in_fd, int out_fd,
                     uint64_t *plain_len, struct ifk_error *err);

#endif
