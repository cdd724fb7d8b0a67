/* The seeded deterministic generator: AES-256-CTR keystreams, one per label.
 * CTR rather than hashing counter blocks so that --bulk-mib 1024 stays fast;
 * both are deterministic and come from OpenSSL. */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>

#include "gen.h"

#define RNG_DOMAIN "ifk-genbackup/v1"

static int rng_key(uint64_t seed, const char *label, unsigned char key[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char be[8];
	int i, rc = -1;

	if (!md)
		return gen_oom();
	for (i = 0; i < 8; i++)
		be[i] = (unsigned char)(seed >> (56 - 8 * i));
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, RNG_DOMAIN, strlen(RNG_DOMAIN)) != 1 ||
	    EVP_DigestUpdate(md, be, sizeof(be)) != 1 ||
	    EVP_DigestUpdate(md, label, strlen(label)) != 1 ||
	    EVP_DigestFinal_ex(md, key, NULL) != 1) {
		gen_err("SHA-256 failed");
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int gen_rng_open(struct gen_rng *r, uint64_t seed, const char *label)
{
	static const unsigned char iv[16];
	unsigned char key[32];
	int rc = -1;

	r->ctx = EVP_CIPHER_CTX_new();
	if (!r->ctx)
		return gen_oom();
	if (rng_key(seed, label, key) < 0)
		goto out;
	if (EVP_EncryptInit_ex(r->ctx, EVP_aes_256_ctr(), NULL, key, iv) != 1) {
		gen_err("AES-256-CTR setup failed");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (rc < 0)
		gen_rng_close(r);
	return rc;
}

int gen_rng_bytes(struct gen_rng *r, void *buf, size_t len)
{
	unsigned char *p = buf;
	int n, outl;

	memset(buf, 0, len);
	while (len > 0) {
		n = len > (size_t)INT_MAX / 2 ? INT_MAX / 2 : (int)len;
		if (EVP_EncryptUpdate(r->ctx, p, &outl, p, n) != 1 || outl != n)
			return gen_err("AES-256-CTR keystream failed");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void gen_rng_close(struct gen_rng *r)
{
	EVP_CIPHER_CTX_free(r->ctx);
	r->ctx = NULL;
}
