/* keychain: the items of KeychainDomain keychain-backup.plist (generic and
 * internet passwords, certificates, keys), decrypted with the backup
 * keybag's class keys. Each item is {v_Data: blob, v_PersistentRef} in one
 * of the arrays genp, inet, cert, keys; the blob (version 3) is
 *   u32 LE version, u32 LE keychain class, u32 LE wrapped-key length,
 *   the item key RFC 3394-wrapped with that class's key,
 *   AES-256-GCM ciphertext (empty IV, no AAD), 16-byte tag,
 * and the plaintext a DER SET of SEQUENCE {UTF8String name, value}.
 * Secret values (v_Data) leave only with --include-secrets; the
 * ThisDeviceOnly classes are listed as not decryptable off the device. */
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "artifact.h"

#define KC_TAG 16
#define KC_MAX_ITEM (4u * 1024 * 1024)

static const struct ifk_col cols[] = {
    {"item_class", IFK_COL_TEXT},      /* genp, inet, cert, keys */
    {"keychain_class", IFK_COL_INT},   /* 6..11 */
    {"accessible", IFK_COL_TEXT},      /* WhenUnlocked, ..., AlwaysThisDeviceOnly */
    {"state", IFK_COL_TEXT},           /* decrypted, not-decryptable-off-device, failed */
    {"reason", IFK_COL_TEXT},          /* why not decrypted */
    {"access_group", IFK_COL_TEXT},    /* agrp */
    {"label", IFK_COL_TEXT},           /* labl */
    {"account", IFK_COL_TEXT},         /* acct */
    {"service", IFK_COL_TEXT},         /* svce (genp) */
    {"server", IFK_COL_TEXT},          /* srvr (inet) */
    {"protocol", IFK_COL_TEXT},        /* ptcl (inet) */
    {"port", IFK_COL_INT},             /* port (inet) */
    {"path", IFK_COL_TEXT},            /* path (inet) */
    {"created", IFK_COL_TIME},         /* cdat */
    {"modified", IFK_COL_TIME},        /* mdat */
    {"secret_bytes", IFK_COL_INT},     /* length of v_Data */
    {"secret", IFK_COL_TEXT},          /* v_Data (text, else hex): --include-secrets only */
    {"cert_subject", IFK_COL_TEXT},    /* cert: X.509 subject */
    {"cert_issuer", IFK_COL_TEXT},     /* cert: X.509 issuer */
    {"cert_not_after", IFK_COL_TEXT},  /* cert: validity end, as the certificate says */
    {"key_size", IFK_COL_INT},         /* keys: bsiz */
    {"application_tag", IFK_COL_TEXT}, /* keys: atag */
    {NULL, 0},
};

static const struct ifk_art_source sources[] = {{"KeychainDomain", "keychain-backup.plist"},
                                                {NULL, NULL}};

static const char *accessible(uint32_t kclass)
{
	static const char *const names[] = {"WhenUnlocked",
	                                    "AfterFirstUnlock",
	                                    "Always",
	                                    "WhenUnlockedThisDeviceOnly",
	                                    "AfterFirstUnlockThisDeviceOnly",
	                                    "AlwaysThisDeviceOnly"};

	return kclass >= 6 && kclass <= 11 ? names[kclass - 6] : NULL;
}

/* ---- AES-256-GCM with an empty IV, from OpenSSL's own primitives ----
 * OpenSSL refuses an empty GCM IV. With one, J0 is the zero block: the
 * plaintext is C xor AES-CTR(K) from counter block 1, and the tag is
 * GHASH_H(C) xor E_K(0). GHASH_H(C) is had from a standard GCM encryption
 * with a 12-byte zero IV (J0' = counter 1) of the input C xor CTR(from
 * counter 2), whose output is C again and whose tag is
 * GHASH_H(C) xor E_K(J0'). */
static int aes_run(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *iv, const uint8_t *in,
                   size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int len = 0, ok;

	ok = x && EVP_EncryptInit_ex(x, c, NULL, key, iv) && EVP_CIPHER_CTX_set_padding(x, 0) &&
	     EVP_EncryptUpdate(x, out, &len, in, (int)n) && (size_t)len == n;
	EVP_CIPHER_CTX_free(x);
	return ok ? 0 : -1;
}

static int ghash_tag(const uint8_t *key, const uint8_t *c, size_t n, const uint8_t *ks,
                     uint8_t tag[KC_TAG])
{
	static const uint8_t iv12[12];
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	uint8_t *in = malloc(n ? n : 1), *out = malloc(n + 16), zero[16] = {0}, e0[16];
	int len = 0, ok;
	size_t i;

	ok = x && in && out;
	for (i = 0; ok && i < n; i++)
		in[i] = c[i] ^ ks[16 + i];
	ok = ok && EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, key, iv12) &&
	     EVP_EncryptUpdate(x, out, &len, in, (int)n) &&
	     EVP_EncryptFinal_ex(x, out + len, &len) &&
	     EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, KC_TAG, tag) &&
	     (n == 0 || memcmp(out, c, n) == 0) &&
	     aes_run(EVP_aes_256_ecb(), key, NULL, zero, 16, e0) == 0;
	for (i = 0; ok && i < KC_TAG; i++)
		tag[i] ^= ks[i] ^ e0[i]; /* ks[0..16) = E_K(J0') */
	EVP_CIPHER_CTX_free(x);
	OPENSSL_cleanse(e0, sizeof(e0));
	if (in)
		OPENSSL_cleanse(in, n);
	free(in);
	free(out);
	return ok ? 0 : -1;
}

/* Decrypts n bytes of c (then a 16-byte tag) into *out (n bytes). */
static int gcm_empty_iv(const uint8_t *key, const uint8_t *c, size_t n, uint8_t **out)
{
	uint8_t iv[16] = {0}, tag[KC_TAG], *zeros = calloc(1, n + 16), *ks = malloc(n + 16);
	size_t i;
	int rc = -1;

	*out = NULL;
	iv[15] = 1;
	if (!zeros || !ks || aes_run(EVP_aes_256_ctr(), key, iv, zeros, n + 16, ks) != 0 ||
	    ghash_tag(key, c, n, ks, tag) != 0 || CRYPTO_memcmp(tag, c + n, KC_TAG) != 0)
		goto out;
	if (!(*out = malloc(n ? n : 1)))
		goto out;
	for (i = 0; i < n; i++)
		(*out)[i] = c[i] ^ ks[i];
	rc = 0;
out:
	if (ks)
		OPENSSL_cleanse(ks, n + 16);
	free(ks);
	free(zeros);
	return rc;
}

/* ---- the item's attributes (DER) ---- */

struct item {
	char *what; /* why not decrypted */
	uint32_t kclass;
	const char *state;
};

static char *asn1_text(const ASN1_STRING *s)
{
	return strndup((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
}

static void set_secret(struct ifk_art *a, const ASN1_STRING *s)
{
	const unsigned char *p = ASN1_STRING_get0_data(s);
	size_t n = (size_t)ASN1_STRING_length(s);
	char *hex;

	ifk_row_int(a, "secret_bytes", (int64_t)n);
	if (!ifk_art_include_secrets(a))
		return;
	if (ifk_utf8_valid((const char *)p, n) && !memchr(p, 0, n)) {
		char *t = strndup((const char *)p, n);
		ifk_row_text(a, "secret", t);
		free(t);
	} else if ((hex = malloc(2 * n + 1))) {
		ifk_hex(p, n, hex);
		ifk_row_text(a, "secret", hex);
		free(hex);
	}
}

static void set_cert(struct ifk_art *a, const ASN1_STRING *s)
{
	const unsigned char *p = ASN1_STRING_get0_data(s);
	X509 *x = d2i_X509(NULL, &p, ASN1_STRING_length(s));
	char buf[512];
	struct tm tm;

	if (!x)
		return;
	X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof(buf));
	ifk_row_text(a, "cert_subject", buf);
	X509_NAME_oneline(X509_get_issuer_name(x), buf, sizeof(buf));
	ifk_row_text(a, "cert_issuer", buf);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		ifk_row_time(a, "cert_not_after", (double)timegm(&tm));
	X509_free(x);
}

static void set_time(struct ifk_art *a, const char *col, const ASN1_TYPE *v)
{
	struct tm tm;

	if (v->type == V_ASN1_GENERALIZEDTIME &&
	    ASN1_TIME_to_tm((const ASN1_TIME *)v->value.generalizedtime, &tm) == 1)
		ifk_row_time(a, col, (double)timegm(&tm));
}

static void one_attr(struct ifk_art *a, const char *name, const ASN1_TYPE *v, const char *cls)
{
	static const char *const texts[][2] = {
	    {"agrp", "access_group"}, {"labl", "label"},  {"acct", "account"},
	    {"svce", "service"},      {"srvr", "server"}, {"ptcl", "protocol"},
	    {"path", "path"},
	};
	size_t i;
	char *t;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(name, texts[i][0]) == 0 &&
		    (v->type == V_ASN1_UTF8STRING || v->type == V_ASN1_OCTET_STRING)) {
			t = asn1_text(v->value.asn1_string);
			ifk_row_text(a, texts[i][1], t);
			free(t);
			return;
		}
	if (strcmp(name, "cdat") == 0 || strcmp(name, "mdat") == 0)
		set_time(a, name[0] == 'c' ? "created" : "modified", v);
	else if ((strcmp(name, "port") == 0 || strcmp(name, "bsiz") == 0) &&
	         v->type == V_ASN1_INTEGER)
		ifk_row_int(a, name[0] == 'p' ? "port" : "key_size",
		            ASN1_INTEGER_get(v->value.integer));
	else if (strcmp(name, "atag") == 0 && v->type == V_ASN1_OCTET_STRING) {
		t = asn1_text(v->value.asn1_string);
		ifk_row_text(a, "application_tag", t);
		free(t);
	} else if (strcmp(name, "v_Data") == 0 && v->type == V_ASN1_OCTET_STRING) {
		set_secret(a, v->value.asn1_string);
		if (strcmp(cls, "cert") == 0)
			set_cert(a, v->value.asn1_string);
	}
}

/* Reads the DER attributes; -1 when they are not a SET of pairs. */
static int attrs(struct ifk_art *a, const uint8_t *der, size_t n, const char *cls)
{
	const unsigned char *p = der;
	ASN1_SEQUENCE_ANY *set = d2i_ASN1_SET_ANY(NULL, &p, (long)n);
	int i, rc = set ? 0 : -1;

	for (i = 0; set && i < sk_ASN1_TYPE_num(set); i++) {
		ASN1_TYPE *e = sk_ASN1_TYPE_value(set, i);
		ASN1_SEQUENCE_ANY *pair;
		const unsigned char *q;
		ASN1_TYPE *k;
		char *name;
		if (e->type != V_ASN1_SEQUENCE)
			continue;
		q = ASN1_STRING_get0_data(e->value.sequence);
		pair = d2i_ASN1_SEQUENCE_ANY(NULL, &q, ASN1_STRING_length(e->value.sequence));
		if (pair && sk_ASN1_TYPE_num(pair) == 2 &&
		    (k = sk_ASN1_TYPE_value(pair, 0))->type == V_ASN1_UTF8STRING &&
		    (name = asn1_text(k->value.utf8string))) {
			one_attr(a, name, sk_ASN1_TYPE_value(pair, 1), cls);
			free(name);
		}
		sk_ASN1_TYPE_pop_free(pair, ASN1_TYPE_free);
	}
	sk_ASN1_TYPE_pop_free(set, ASN1_TYPE_free);
	return rc;
}

/* ---- one item ---- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void set_state(struct ifk_art *a, struct item *it, const char *state, const char *why)
{
	it->state = state;
	ifk_row_text(a, "state", state);
	ifk_row_text(a, "reason", why);
}

static void decrypt_item(struct ifk_art *a, const uint8_t *blob, size_t n, const char *cls,
                         struct item *it)
{
	const struct ifk_keybag *kb = ifk_art_keybag(a);
	uint8_t wrapped[IFK_KEYBAG_WRAPPED_LEN], key[IFK_KEYBAG_KEY_LEN], *plain = NULL;
	struct ifk_error e = {0};
	uint32_t version, wlen;
	int rc;

	if (n < 12 + KC_TAG)
		return set_state(a, it, "failed", "v_Data is too short");
	version = le32(blob);
	it->kclass = le32(blob + 4) & 0xf;
	wlen = le32(blob + 8);
	ifk_row_int(a, "keychain_class", it->kclass);
	ifk_row_text(a, "accessible", accessible(it->kclass));
	if (version != 3)
		return set_state(a, it, "failed", "unsupported v_Data version (only 3 is read)");
	if (wlen != IFK_KEYBAG_WPKY_LEN || n < 12 + wlen + KC_TAG)
		return set_state(a, it, "failed", "v_Data: bad wrapped-key length");
	if (!kb)
		return set_state(a, it, "not-decryptable-off-device",
		                 "the backup is not encrypted: its keychain is protected by a key "
		                 "that never leaves the device");
	memcpy(wrapped, blob + 4, 4);
	wrapped[0] = (uint8_t)it->kclass;
	wrapped[1] = wrapped[2] = wrapped[3] = 0;
	memcpy(wrapped + 4, blob + 12, IFK_KEYBAG_WPKY_LEN);
	rc = ifk_keybag_unwrap_key(kb, wrapped, sizeof(wrapped), key, NULL, &e);
	if (rc == IFK_EUNSUPPORTED)
		return set_state(a, it, "not-decryptable-off-device", e.msg);
	if (rc)
		return set_state(a, it, "failed", e.msg);
	rc = gcm_empty_iv(key, blob + 12 + wlen, n - 12 - wlen - KC_TAG, &plain);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc)
		return set_state(a, it, "failed",
		                 "the item does not decrypt (authentication failed)");
	if (attrs(a, plain, n - 12 - wlen - KC_TAG, cls) != 0)
		set_state(a, it, "failed", "the decrypted attributes are not DER");
	else
		set_state(a, it, "decrypted", NULL);
	OPENSSL_cleanse(plain, n - 12 - wlen - KC_TAG);
	free(plain);
}

static int one_item(struct ifk_art_row *r, plist_t d, const char *cls, int64_t idx,
                    struct ifk_error *err)
{
	struct ifk_art *a = r->a;
	plist_t v = plist_dict_get_item(d, "v_Data");
	struct item it = {0};
	char *blob = NULL;
	uint64_t n = 0;

	ifk_row_text(a, "item_class", cls);
	if (plist_get_node_type(v) != PLIST_DATA) {
		set_state(a, &it, "failed", "no v_Data");
	} else {
		plist_get_data_val(v, &blob, &n);
		if (n > KC_MAX_ITEM)
			set_state(a, &it, "failed", "v_Data is implausibly large");
		else
			decrypt_item(a, (const uint8_t *)blob, (size_t)n, cls, &it);
		if (blob)
			OPENSSL_cleanse(blob, (size_t)n);
		free(blob);
	}
	snprintf(r->line, sizeof(r->line), "keychain %s item %lld (%s)", cls, (long long)idx,
	         it.state);
	return ifk_art_emit(r, cls, idx, err);
}

/* The arrays genp, inet, cert and keys of the root. */
static int items(struct ifk_art_row *r, plist_t root, struct ifk_error *err)
{
	static const char *const classes[] = {"genp", "inet", "cert", "keys", NULL};
	uint32_t i, n;
	size_t c;
	int rc = 0;

	if (plist_get_node_type(root) != PLIST_DICT)
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: not a dictionary",
		                     ifk_src_relative_path(r->src));
	for (c = 0; !rc && classes[c]; c++) {
		plist_t arr = plist_dict_get_item(root, classes[c]);
		if (plist_get_node_type(arr) != PLIST_ARRAY)
			continue;
		n = plist_array_get_size(arr);
		for (i = 0; !rc && i < n; i++) {
			plist_t d = plist_array_get_item(arr, i);
			if (plist_get_node_type(d) == PLIST_DICT)
				rc = one_item(r, d, classes[c], (int64_t)i + 1, err);
		}
	}
	return rc;
}

static const struct ifk_art_event events[] = {
    {"created", "keychain item created", NULL, NULL, NULL, 0},
    {"modified", "keychain item modified", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.plist = items}, .events = events};

IFK_ARTIFACT(keychain, "Keychain (passwords, certificates, keys)", "1", sources, cols, desc);
