/* PBKDF2 (RFC 8018) with HMAC-SHA-256 and HMAC-SHA-1, the cost of every
 * backup password check (10,000,000 rounds of SHA-256 on iOS 10.2 and
 * later). The same function as OpenSSL's PKCS5_PBKDF2_HMAC, composed of
 * libcrypto's own SHA state functions: the HMAC key's inner and outer
 * states are computed once, and each round then costs two compressions
 * (the state copied, one digest-sized update, the final) instead of the
 * generic HMAC's set-up in every round. tests/unit/formats/test_keybag.c
 * holds it equal to PKCS5_PBKDF2_HMAC and to the published vectors. */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co: the state functions */

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

#include "formats.h"

/* One hash as PBKDF2 needs it: a state that can be copied by value. */
union hstate {
	SHA256_CTX s256;
	SHA_CTX s1;
};

struct hash {
	size_t dlen;
	int (*init)(union hstate *);
	int (*update)(union hstate *, const void *, size_t);
	int (*final)(uint8_t *, union hstate *);
};

static int s256_init(union hstate *h)
{
	return SHA256_Init(&h->s256);
}
static int s256_update(union hstate *h, const void *p, size_t n)
{
	return SHA256_Update(&h->s256, p, n);
}
static int s256_final(uint8_t *out, union hstate *h)
{
	return SHA256_Final(out, &h->s256);
}
static int s1_init(union hstate *h)
{
	return SHA1_Init(&h->s1);
}
static int s1_update(union hstate *h, const void *p, size_t n)
{
	return SHA1_Update(&h->s1, p, n);
}
static int s1_final(uint8_t *out, union hstate *h)
{
	return SHA1_Final(out, &h->s1);
}

static const struct hash sha256 = {32, s256_init, s256_update, s256_final};
static const struct hash sha1 = {20, s1_init, s1_update, s1_final};

/* The HMAC key's inner and outer states (RFC 2104), computed once. */
static void hmac_key(const struct hash *h, const uint8_t *key, size_t klen, union hstate *inner,
                     union hstate *outer)
{
	uint8_t k[64] = {0}, pad[64];
	union hstate t;
	size_t i;

	if (klen > sizeof(k)) {
		h->init(&t);
		h->update(&t, key, klen);
		h->final(k, &t);
		OPENSSL_cleanse(&t, sizeof(t));
	} else if (klen) {
		memcpy(k, key, klen);
	}
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	h->init(inner);
	h->update(inner, pad, sizeof(pad));
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	h->init(outer);
	h->update(outer, pad, sizeof(pad));
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
}

/* HMAC(key, u) into u, from the key's prepared states. */
static void hmac_round(const struct hash *h, const union hstate *inner, const union hstate *outer,
                       uint8_t *u, size_t ulen, union hstate *c)
{
	*c = *inner;
	h->update(c, u, ulen);
	h->final(u, c);
	*c = *outer;
	h->update(c, u, h->dlen);
	h->final(u, c);
}

static void pbkdf2(const struct hash *h, const void *pw, size_t pwlen, const uint8_t *salt,
                   size_t slen, uint32_t iter, uint8_t *out, size_t outlen)
{
	union hstate inner, outer, c;
	uint8_t u[64], t[32];
	uint32_t block = 1, r;
	size_t j, n;

	hmac_key(h, pw, pwlen, &inner, &outer);
	for (; outlen > 0; block++, out += n, outlen -= n) {
		uint8_t be[4] = {(uint8_t)(block >> 24), (uint8_t)(block >> 16),
		                 (uint8_t)(block >> 8), (uint8_t)block};
		c = inner;
		h->update(&c, salt, slen);
		h->update(&c, be, 4);
		h->final(u, &c);
		c = outer;
		h->update(&c, u, h->dlen);
		h->final(u, &c);
		memcpy(t, u, h->dlen);
		for (r = 1; r < iter; r++) {
			hmac_round(h, &inner, &outer, u, h->dlen, &c);
			for (j = 0; j < h->dlen; j++)
				t[j] ^= u[j];
		}
		n = outlen < h->dlen ? outlen : h->dlen;
		memcpy(out, t, n);
	}
	OPENSSL_cleanse(&inner, sizeof(inner));
	OPENSSL_cleanse(&outer, sizeof(outer));
	OPENSSL_cleanse(&c, sizeof(c));
	OPENSSL_cleanse(u, sizeof(u));
	OPENSSL_cleanse(t, sizeof(t));
}

/* SHA-256's 8 state words, big-endian, as the digest they stand for. */
static void state_out(const SHA256_CTX *c, uint8_t out[32])
{
	int i;

	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

/* The rounds after the first, for SHA-256: a round's message (32 bytes
 * after one key block) is always one padded block, so each HMAC is two
 * calls of libcrypto's compression function from the prepared states. */
static void sha256_rounds(const SHA256_CTX *inner, const SHA256_CTX *outer, uint8_t u[32],
                          uint8_t t[32], uint32_t rounds)
{
	uint8_t block[64] = {0};
	SHA256_CTX c;
	uint32_t r;
	int j;

	block[32] = 0x80;
	block[62] = 0x03; /* (64 + 32) * 8 = 768 bits */
	memcpy(block, u, 32);
	for (r = 0; r < rounds; r++) {
		c = *inner;
		SHA256_Transform(&c, block);
		state_out(&c, block);
		c = *outer;
		SHA256_Transform(&c, block);
		state_out(&c, block);
		for (j = 0; j < 32; j++)
			t[j] ^= block[j];
	}
	OPENSSL_cleanse(&c, sizeof(c));
	OPENSSL_cleanse(block, sizeof(block));
}

void ifk_pbkdf2_sha256(const void *pw, size_t pwlen, const uint8_t *salt, size_t slen,
                       uint32_t iter, uint8_t *out, size_t outlen)
{
	union hstate inner, outer, c;
	uint8_t u[32], t[32];
	uint32_t block = 1;
	size_t n;

	if (iter == 0)
		iter = 1;
	hmac_key(&sha256, pw, pwlen, &inner, &outer);
	for (; outlen > 0; block++, out += n, outlen -= n) {
		uint8_t be[4] = {(uint8_t)(block >> 24), (uint8_t)(block >> 16),
		                 (uint8_t)(block >> 8), (uint8_t)block};
		c = inner;
		SHA256_Update(&c.s256, salt, slen);
		SHA256_Update(&c.s256, be, 4);
		SHA256_Final(u, &c.s256);
		c = outer;
		SHA256_Update(&c.s256, u, 32);
		SHA256_Final(u, &c.s256);
		memcpy(t, u, 32);
		sha256_rounds(&inner.s256, &outer.s256, u, t, iter - 1);
		n = outlen < 32 ? outlen : 32;
		memcpy(out, t, n);
	}
	OPENSSL_cleanse(&inner, sizeof(inner));
	OPENSSL_cleanse(&outer, sizeof(outer));
	OPENSSL_cleanse(&c, sizeof(c));
	OPENSSL_cleanse(u, sizeof(u));
	OPENSSL_cleanse(t, sizeof(t));
}

void ifk_pbkdf2_sha1(const void *pw, size_t pwlen, const uint8_t *salt, size_t slen, uint32_t iter,
                     uint8_t *out, size_t outlen)
{
	pbkdf2(&sha1, pw, pwlen, salt, slen, iter ? iter : 1, out, outlen);
}
