#include "formats.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define BLK IFK_DECRYPT_BLOCK
#define MAX_FEED 0x7ffffff0 /* the most one EVP call takes: an int, block aligned */

struct ifk_decrypt {
	EVP_CIPHER_CTX *ctx;
	uint8_t pend[BLK]; /* the last 1..16 ciphertext bytes, held back */
	size_t npend;
	uint64_t cipher_bytes, plain_bytes;
	int done;
	int sqlite_unpadded_ok; /* accept an SQLite image without a padding block */
	int unpadded;           /* ... and this stream was one */
	uint8_t head[2 * BLK];  /* the first 32 plaintext bytes (the SQLite header) */
};

int ifk_decrypt_new(const uint8_t key[IFK_DECRYPT_KEY_LEN], struct ifk_decrypt **out,
                    struct ifk_error *err)
{
	static const uint8_t iv[BLK];
	struct ifk_decrypt *d = NULL;
	int rc = 0;

	if (!key || !out)
		return ifk_error_set(err, IFK_EINVAL, "decrypt: new: NULL argument");
	d = calloc(1, sizeof(*d));
	if (!d || !(d->ctx = EVP_CIPHER_CTX_new())) {
		rc = ifk_error_set(err, IFK_ENOMEM, "decrypt: out of memory creating a decryptor");
		goto out;
	}
	if (EVP_DecryptInit_ex(d->ctx, EVP_aes_256_cbc(), NULL, key, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(d->ctx, 0) != 1) {
		rc = ifk_error_set(err, IFK_ECRYPTO, "decrypt: AES-256-CBC setup failed");
		goto out;
	}
	*out = d;
	d = NULL;
out:
	ifk_decrypt_free(d);
	return rc;
}

/* Runs len bytes through the CBC decryptor, appending to out at *done. */
static int cbc(struct ifk_decrypt *d, const uint8_t *in, size_t len, uint8_t *out, size_t *done,
               struct ifk_error *err)
{
	size_t step;
	int n;

	while (len > 0) {
		step = len < MAX_FEED ? len : MAX_FEED;
		n = 0;
		if (EVP_DecryptUpdate(d->ctx, out + *done, &n, in, (int)step) != 1 || n < 0)
			return ifk_error_set(err, IFK_ECRYPTO,
			                     "decrypt: AES-256-CBC failed after %" PRIu64
			                     " ciphertext bytes",
			                     d->cipher_bytes);
		*done += (size_t)n;
		in += step;
		len -= step;
	}
	return 0;
}

/* Keeps the first 32 plaintext bytes: enough for the SQLite header's magic
 * and page size. */
static void keep_head(struct ifk_decrypt *d, const uint8_t *plain, size_t n, uint64_t at)
{
	size_t k;

	if (at >= sizeof(d->head))
		return;
	k = sizeof(d->head) - (size_t)at < n ? sizeof(d->head) - (size_t)at : n;
	memcpy(d->head + at, plain, k);
}

int ifk_decrypt_update(struct ifk_decrypt *d, const uint8_t *in, size_t inlen, uint8_t *out,
                       size_t *outlen, struct ifk_error *err)
{
	size_t total, keep, from_in, done = 0;
	int rc;

	if (outlen)
		*outlen = 0;
	if (!d || !outlen || (inlen && (!in || !out)) || inlen > SIZE_MAX - 2 * BLK)
		return ifk_error_set(err, IFK_EINVAL, "decrypt: update: bad argument");
	if (d->done)
		return ifk_error_set(err, IFK_EINVAL, "decrypt: update after final");
	if (inlen == 0)
		return 0;
	total = d->npend + inlen;
	if (total <= BLK) {
		memcpy(d->pend + d->npend, in, inlen);
		d->npend = total;
		d->cipher_bytes += inlen;
		return 0;
	}
	/* Feed all but the last 1..16 bytes: a multiple of 16, so EVP returns it all. */
	keep = total % BLK ? total % BLK : BLK;
	from_in = total - keep - d->npend;
	rc = cbc(d, d->pend, d->npend, out, &done, err);
	if (rc == 0)
		rc = cbc(d, in, from_in, out, &done, err);
	if (rc)
		return rc;
	memcpy(d->pend, in + from_in, keep);
	d->npend = keep;
	d->cipher_bytes += inlen;
	keep_head(d, out, done, d->plain_bytes);
	d->plain_bytes += done;
	*outlen = done;
	return 0;
}

static int check_length(const struct ifk_decrypt *d, struct ifk_error *err)
{
	if (d->cipher_bytes == 0)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "decrypt: ciphertext length 0: encrypted content holds at "
		                     "least one 16-byte block");
	if (d->cipher_bytes % BLK)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "decrypt: ciphertext length %" PRIu64
		                     " is not a multiple of 16 (truncated file?)",
		                     d->cipher_bytes);
	return 0;
}

/* The PKCS#7 pad length of the last plaintext block, or 0 when it is bad. */
static unsigned pad_length(const uint8_t block[BLK])
{
	unsigned pad = block[BLK - 1], i;

	if (pad < 1 || pad > BLK)
		return 0;
	for (i = BLK - pad; i < BLK; i++)
		if (block[i] != pad)
			return 0;
	return pad;
}

/* An SQLite image's length is a whole number of pages; padded with PKCS#7
 * it is 16 bytes more, never a multiple of a page (512 bytes or more). So
 * a stream whose plaintext starts with the SQLite header and whose length
 * is a whole number of its pages was encrypted without a padding block. */
static int sqlite_unpadded(struct ifk_decrypt *d)
{
	static const uint8_t magic[16] = "SQLite format 3";
	unsigned page;

	if (!d->sqlite_unpadded_ok || d->cipher_bytes < sizeof(d->head) + BLK)
		return 0;
	if (memcmp(d->head, magic, sizeof(magic)) != 0)
		return 0;
	page = (unsigned)d->head[16] << 8 | d->head[17];
	if (page == 1)
		page = 65536;
	if (page < 512 || (page & (page - 1)) != 0)
		return 0;
	return d->cipher_bytes % page == 0;
}

void ifk_decrypt_accept_unpadded_sqlite(struct ifk_decrypt *d)
{
	if (d)
		d->sqlite_unpadded_ok = 1;
}

int ifk_decrypt_was_unpadded(const struct ifk_decrypt *d)
{
	return d && d->unpadded;
}

int ifk_decrypt_final(struct ifk_decrypt *d, uint8_t *out, size_t *outlen, struct ifk_error *err)
{
	uint8_t block[2 * BLK] = {0};
	size_t n = 0;
	unsigned pad;
	int rc;

	if (outlen)
		*outlen = 0;
	if (!d || !out || !outlen)
		return ifk_error_set(err, IFK_EINVAL, "decrypt: final: NULL argument");
	if (d->done)
		return ifk_error_set(err, IFK_EINVAL, "decrypt: final called twice");
	d->done = 1;
	if ((rc = check_length(d, err)) || (rc = cbc(d, d->pend, d->npend, block, &n, err)))
		goto out;
	if (n == BLK && sqlite_unpadded(d)) {
		memcpy(out, block, BLK);
		*outlen = BLK;
		d->plain_bytes += BLK;
		d->unpadded = 1;
		goto out;
	}
	pad = n == BLK ? pad_length(block) : 0;
	if (pad == 0) {
		rc =
		    ifk_error_set(err, IFK_EFORMAT,
		                  "decrypt: bad padding in the last block (last byte 0x%02x) after "
		                  "%" PRIu64 " ciphertext bytes: wrong key or damaged file",
		                  block[BLK - 1], d->cipher_bytes);
		goto out;
	}
	memcpy(out, block, BLK - pad);
	*outlen = BLK - pad;
	d->plain_bytes += BLK - pad;
out:
	OPENSSL_cleanse(block, sizeof(block));
	return rc;
}

uint64_t ifk_decrypt_cipher_bytes(const struct ifk_decrypt *d)
{
	return d ? d->cipher_bytes : 0;
}

uint64_t ifk_decrypt_plain_bytes(const struct ifk_decrypt *d)
{
	return d ? d->plain_bytes : 0;
}

void ifk_decrypt_free(struct ifk_decrypt *d)
{
	if (!d)
		return;
	EVP_CIPHER_CTX_free(d->ctx);
	OPENSSL_cleanse(d, sizeof(*d));
	free(d);
}
