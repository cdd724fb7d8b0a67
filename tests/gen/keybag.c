/* The BackupKeyBag: TLV header, then one record per protection class 1..11.
 *
 * Encrypted backups wrap each class key with the passcode key (RFC 3394).
 * The ThisDeviceOnly classes 9..11 (WRAP 3) first go through AES-256-ECB
 * with a per-generation "device key" that is stored nowhere, so that, as on
 * a real device, their class keys cannot be recovered off the device even
 * though the passcode layer unwraps cleanly. Unencrypted backups get random
 * WPKY bytes and no key derivation. */
#include <string.h>

#include <openssl/crypto.h>

#include "gen.h"

struct kb_raw {
	unsigned char uuid[16];
	unsigned char hmck[40];
	unsigned char salt[GEN_SALT_LEN];
	unsigned char dpsl[GEN_SALT_LEN];
	unsigned char device_key[GEN_KEY_LEN];
	unsigned char class_uuid[GEN_NCLASS + 1][16];
	unsigned char wpky_random[GEN_NCLASS + 1][GEN_WPKY_LEN];
};

static int tlv(struct gen_buf *b, const char *tag, const void *v, size_t len)
{
	if (gen_buf_put(b, tag, 4) < 0 || gen_buf_be32(b, (uint32_t)len) < 0)
		return -1;
	return gen_buf_put(b, v, len);
}

static int tlv_u32(struct gen_buf *b, const char *tag, uint32_t v)
{
	if (gen_buf_put(b, tag, 4) < 0 || gen_buf_be32(b, 4) < 0)
		return -1;
	return gen_buf_be32(b, v);
}

/* Draws all random material in one fixed order. */
static int kb_random(struct gen_keybag *kb, struct kb_raw *r, uint64_t seed)
{
	struct gen_rng rng;
	int rc = -1;

	if (gen_rng_open(&rng, seed, "keybag") < 0)
		return -1;
	if (gen_rng_bytes(&rng, r, sizeof(*r)) < 0 ||
	    gen_rng_bytes(&rng, kb->class_key, sizeof(kb->class_key)) < 0)
		goto out;
	rc = 0;
out:
	gen_rng_close(&rng);
	return rc;
}

static int passcode_key(const struct gen_opts *o, const struct kb_raw *r,
                        unsigned char pk[GEN_KEY_LEN])
{
	unsigned char k[GEN_KEY_LEN];
	int rc;

	if (o->layout == GEN_LAYOUT_MBDB)
		return gen_pbkdf2(EVP_sha1(), o->password, o->password_len, r->salt,
		                  sizeof(r->salt), o->iter, pk);
	rc = gen_pbkdf2(EVP_sha256(), o->password, o->password_len, r->dpsl, sizeof(r->dpsl),
	                o->dpic, k);
	if (rc == 0)
		rc = gen_pbkdf2(EVP_sha1(), k, sizeof(k), r->salt, sizeof(r->salt), o->iter, pk);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

static int kb_header(struct gen_buf *b, const struct gen_opts *o, const struct kb_raw *r)
{
	int modern = o->layout == GEN_LAYOUT_MODERN;

	if (tlv_u32(b, "VERS", modern ? 4 : 3) < 0 || tlv_u32(b, "TYPE", 1) < 0 ||
	    tlv(b, "UUID", r->uuid, sizeof(r->uuid)) < 0 ||
	    tlv(b, "HMCK", r->hmck, sizeof(r->hmck)) < 0 || tlv_u32(b, "WRAP", 0) < 0 ||
	    tlv(b, "SALT", r->salt, sizeof(r->salt)) < 0 || tlv_u32(b, "ITER", o->iter) < 0)
		return -1;
	if (!modern)
		return 0;
	if (tlv_u32(b, "DPWT", 1) < 0 || tlv_u32(b, "DPIC", o->dpic) < 0 ||
	    tlv(b, "DPSL", r->dpsl, sizeof(r->dpsl)) < 0)
		return -1;
	return 0;
}

/* pk is NULL for an unencrypted backup. */
static int kb_class(struct gen_keybag *kb, const struct kb_raw *r, const unsigned char *pk, int c)
{
	unsigned char wpky[GEN_WPKY_LEN], inner[GEN_KEY_LEN];
	uint32_t wrap = c >= 9 ? 3 : 2;
	int rc = -1;

	if (!pk) {
		memcpy(wpky, r->wpky_random[c], sizeof(wpky));
	} else if (wrap & 1) {
		if (gen_aes_ecb2(r->device_key, kb->class_key[c], inner) < 0 ||
		    gen_aes_wrap(pk, inner, wpky) < 0)
			goto out;
	} else if (gen_aes_wrap(pk, kb->class_key[c], wpky) < 0) {
		goto out;
	}
	if (tlv(&kb->tlv, "UUID", r->class_uuid[c], 16) < 0 ||
	    tlv_u32(&kb->tlv, "CLAS", (uint32_t)c) < 0 || tlv_u32(&kb->tlv, "WRAP", wrap) < 0 ||
	    tlv_u32(&kb->tlv, "KTYP", 0) < 0 || tlv(&kb->tlv, "WPKY", wpky, sizeof(wpky)) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(inner, sizeof(inner));
	return rc;
}

int gen_keybag_build(struct gen_keybag *kb, const struct gen_opts *o)
{
	struct kb_raw r;
	unsigned char pk[GEN_KEY_LEN];
	int c, rc = -1;

	memset(kb, 0, sizeof(*kb));
	if (kb_random(kb, &r, o->seed) < 0)
		goto out;
	memcpy(kb->uuid, r.uuid, sizeof(kb->uuid));
	if (o->encrypt && passcode_key(o, &r, pk) < 0)
		goto out;
	if (kb_header(&kb->tlv, o, &r) < 0)
		goto out;
	for (c = 1; c <= GEN_NCLASS; c++) {
		if (kb_class(kb, &r, o->encrypt ? pk : NULL, c) < 0)
			goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(&r, sizeof(r));
	OPENSSL_cleanse(pk, sizeof(pk));
	if (rc < 0)
		gen_keybag_free(kb);
	return rc;
}

void gen_keybag_free(struct gen_keybag *kb)
{
	OPENSSL_cleanse(kb->class_key, sizeof(kb->class_key));
	gen_buf_free(&kb->tlv);
}
