/* KeychainDomain keychain-backup.plist, in the shape securityd exports for a
 * backup (SecServerCopyKeychainPlist and ks_encrypt_data in Apple's Security
 * sources): a binary plist {"keybag-uuid": the BackupKeyBag UUID in
 * lowercase, "genp"/"inet"/"cert"/"keys": arrays of {v_Data: blob,
 * v_PersistentRef: 4-byte class name + 8-byte big-endian rowid}}.
 *
 * blob (version 3): u32 LE 3, u32 LE keychain class (6..11), u32 LE 40,
 * RFC 3394 AES wrap of a 32-byte item key with the backup keybag's key for
 * that class, AES-256-GCM ciphertext (empty IV, no AAD) of the plaintext,
 * 16-byte tag. The plaintext is the item's attributes as DER: a SET of
 * SEQUENCE {UTF8String name, value}, sorted by their encodings; values are
 * UTF8String, OCTET STRING, INTEGER or GeneralizedTime (YYYYMMDDhhmmssZ).
 *
 * An empty IV makes GCM's J0 the zero block: the keystream is AES-CTR from
 * counter block 0...01 and the tag is GHASH_H(ciphertext) XOR H, H = E_K(0).
 * OpenSSL refuses an empty GCM IV, so GHASH is done here.
 *
 * The class keys are the keybag's. In an unencrypted backup their WPKY are
 * random, and for the ThisDeviceOnly classes 9..11 they are device-bound, so
 * such blobs cannot be decrypted from the backup, as on a real device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "gen.h"

#define GCM_TAG_LEN 16
#define BLOB_VERSION 3
#define MAX_ATTRS 20
#define DAY 86400

enum attr_type { A_STR, A_DATA, A_INT, A_DATE };

struct attr {
	const char *name;
	enum attr_type type;
	const void *p; /* A_STR (NUL-terminated), A_DATA */
	size_t len;    /* A_DATA */
	int64_t v;     /* A_INT, A_DATE (Unix seconds) */
};

struct kc_item {
	const char *cls; /* genp, inet, cert, keys */
	uint64_t rowid;
	int kclass; /* 6..11 */
	const char *agrp;
	const char *labl;
	const char *acct;
	const char *svce; /* genp */
	const char *srvr; /* inet */
	const char *ptcl; /* inet */
	int port;         /* inet */
	const char *path; /* inet */
	const char *secret;
	int32_t created; /* days before the base date */
	int32_t modified;
};

/* pdmn (kSecAttrAccessible) of the keychain classes 6..11. */
static const char *const pdmn[] = {"ak", "ck", "dk", "aku", "cku", "dku"};

static const struct kc_item items[] = {
    {.cls = "genp",
     .rowid = 1,
     .kclass = 7,
     .agrp = "com.example.mail",
     .labl = "Example Mail",
     .acct = "alice@example.com",
     .svce = "com.example.mail",
     .secret = "s3cret-mail-pw",
     .created = 30,
     .modified = 2},
    {.cls = "genp",
     .rowid = 2,
     .kclass = 6,
     .agrp = "apple",
     .acct = "HomeNet",
     .svce = "AirPort",
     .secret = "wifi-pw-HomeNet-42",
     .created = 365,
     .modified = 365},
    {.cls = "genp",
     .rowid = 3,
     .kclass = 10,
     .agrp = "com.example.bank",
     .acct = "alice",
     .svce = "com.example.bank.pin",
     .secret = "device-only-pin-4711",
     .created = 60,
     .modified = 60},
    {.cls = "inet",
     .rowid = 1,
     .kclass = 7,
     .agrp = "com.apple.cfnetwork",
     .acct = "alice@example.com",
     .srvr = "imap.example.com",
     .ptcl = "imap",
     .port = 993,
     .path = "",
     .secret = "s3cret-imap-pw",
     .created = 90,
     .modified = 10},
    {.cls = "inet",
     .rowid = 2,
     .kclass = 6,
     .agrp = "com.apple.cfnetwork",
     .acct = "bob",
     .srvr = "www.example.org",
     .ptcl = "htps",
     .port = 443,
     .path = "/login",
     .secret = "web-pw-Bob!2023",
     .created = 45,
     .modified = 5},
    {.cls = "cert",
     .rowid = 1,
     .kclass = 8,
     .agrp = "com.example.ifk",
     .labl = "ifk Test Certificate",
     .created = 30,
     .modified = 30},
    {.cls = "keys",
     .rowid = 1,
     .kclass = 7,
     .agrp = "com.example.ifk",
     .labl = "ifk Test AES Key",
     .created = 30,
     .modified = 30},
};

#define NITEMS (sizeof(items) / sizeof(items[0]))

/* Seeded material, drawn in this order from the "keychain" stream. */
struct kc_rand {
	unsigned char item_key[NITEMS][GEN_KEY_LEN];
	unsigned char aes_key[GEN_KEY_LEN];  /* the keys item's v_Data */
	unsigned char cert_key[GEN_KEY_LEN]; /* Ed25519 private key of the cert */
};

/* ---- DER ---- */

static int der_tlv(struct gen_buf *b, uint8_t tag, const void *p, size_t len)
{
	unsigned char hdr[6];
	size_t n = 0, i;

	hdr[n++] = tag;
	if (len < 0x80) {
		hdr[n++] = (unsigned char)len;
	} else {
		for (i = 4; i > 0 && !((len >> (8 * (i - 1))) & 0xff); i--)
			;
		hdr[n++] = (unsigned char)(0x80 | i);
		for (; i > 0; i--)
			hdr[n++] = (unsigned char)(len >> (8 * (i - 1)));
	}
	if (gen_buf_put(b, hdr, n) < 0)
		return -1;
	return gen_buf_put(b, p, len);
}

/* INTEGER, minimal two's complement (values are not negative here). */
static int der_int(struct gen_buf *b, int64_t v)
{
	unsigned char x[9];
	size_t n = 0;
	int i;

	for (i = 56; i >= 0; i -= 8) {
		unsigned char c = (unsigned char)((uint64_t)v >> i);

		if (n == 0 && c == 0 && i > 0)
			continue;
		if (n == 0 && (c & 0x80))
			x[n++] = 0;
		x[n++] = c;
	}
	return der_tlv(b, 0x02, x, n);
}

static int der_time(struct gen_buf *b, int64_t unix_s)
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	char s[32];

	if (!gmtime_r(&t, &tm) || strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm) != 15)
		return gen_err("keychain: cannot format a date");
	return der_tlv(b, 0x18, s, 15);
}

/* SEQUENCE {UTF8String name, value} */
static int der_attr(struct gen_buf *out, const struct attr *a)
{
	struct gen_buf kv = {0};
	int rc = der_tlv(&kv, 0x0c, a->name, strlen(a->name));

	if (rc == 0 && a->type == A_STR)
		rc = der_tlv(&kv, 0x0c, a->p, strlen(a->p));
	else if (rc == 0 && a->type == A_DATA)
		rc = der_tlv(&kv, 0x04, a->p, a->len);
	else if (rc == 0 && a->type == A_INT)
		rc = der_int(&kv, a->v);
	else if (rc == 0)
		rc = der_time(&kv, a->v);
	if (rc == 0)
		rc = der_tlv(out, 0x30, kv.p, kv.len);
	gen_buf_free(&kv);
	return rc;
}

static int cmp_der(const void *x, const void *y)
{
	const struct gen_buf *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->p, b->p, n);

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* SET OF the attributes, each SEQUENCE sorted by its encoding (DER). */
static int der_dict(struct gen_buf *out, const struct attr *attrs, size_t n)
{
	struct gen_buf enc[MAX_ATTRS], body = {0};
	size_t i;
	int rc = 0;

	memset(enc, 0, sizeof(enc));
	for (i = 0; rc == 0 && i < n; i++)
		rc = der_attr(&enc[i], &attrs[i]);
	if (rc == 0)
		qsort(enc, n, sizeof(enc[0]), cmp_der);
	for (i = 0; rc == 0 && i < n; i++)
		rc = gen_buf_put(&body, enc[i].p, enc[i].len);
	if (rc == 0)
		rc = der_tlv(out, 0x31, body.p, body.len);
	for (i = 0; i < n; i++)
		gen_buf_free(&enc[i]);
	gen_buf_free(&body);
	return rc;
}

/* ---- AES-256-GCM with an empty IV ---- */

static int aes_once(const EVP_CIPHER *c, const unsigned char *key, const unsigned char *iv,
                    const unsigned char *in, size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, rc = -1;

	if (!ctx)
		return gen_oom();
	if (EVP_EncryptInit_ex(ctx, c, NULL, key, iv) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + n, &m) == 1 && (size_t)(n + m) == len)
		rc = 0;
	else
		gen_err("keychain: %s failed", EVP_CIPHER_get0_name(c));
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* x = x * h in GF(2^128), GCM bit order (SP 800-38D, algorithm 1). */
static void gf_mult(unsigned char x[16], const unsigned char h[16])
{
	unsigned char z[16] = {0}, v[16];
	int i, j, lsb;

	memcpy(v, h, sizeof(v));
	for (i = 0; i < 128; i++) {
		if (x[i / 8] & (0x80 >> (i % 8))) {
			for (j = 0; j < 16; j++)
				z[j] ^= v[j];
		}
		lsb = v[15] & 1;
		for (j = 15; j > 0; j--)
			v[j] = (unsigned char)((v[j] >> 1) | (v[j - 1] << 7));
		v[0] >>= 1;
		if (lsb)
			v[0] ^= 0xe1;
	}
	memcpy(x, z, sizeof(z));
}

/* GHASH_H(C || pad || [0]64 || [8 len(C)]64), no AAD. */
static void ghash(const unsigned char h[16], const unsigned char *c, size_t len,
                  unsigned char y[16])
{
	unsigned char blk[16];
	size_t off, n, i;
	uint64_t bits = (uint64_t)len * 8;

	memset(y, 0, 16);
	for (off = 0; off < len; off += 16) {
		n = len - off < 16 ? len - off : 16;
		memset(blk, 0, sizeof(blk));
		memcpy(blk, c + off, n);
		for (i = 0; i < 16; i++)
			y[i] ^= blk[i];
		gf_mult(y, h);
	}
	memset(blk, 0, sizeof(blk));
	for (i = 0; i < 8; i++)
		blk[8 + i] = (unsigned char)(bits >> (56 - 8 * i));
	for (i = 0; i < 16; i++)
		y[i] ^= blk[i];
	gf_mult(y, h);
}

/* out gets len bytes of ciphertext then the 16-byte tag. */
static int gcm_empty_iv(const unsigned char key[GEN_KEY_LEN], const unsigned char *in, size_t len,
                        unsigned char *out)
{
	static const unsigned char zero[16];
	static const unsigned char ctr1[16] = {[15] = 1};
	unsigned char h[16], s[16];
	int i;

	if (aes_once(EVP_aes_256_ecb(), key, NULL, zero, 16, h) < 0 ||
	    aes_once(EVP_aes_256_ctr(), key, ctr1, in, len, out) < 0)
		return -1;
	ghash(h, out, len, s);
	for (i = 0; i < 16; i++)
		out[len + (size_t)i] = s[i] ^ h[i]; /* E_K(J0) = E_K(0) = H */
	return 0;
}

/* ---- items ---- */

static void add(struct attr *a, size_t *n, const char *name, enum attr_type t, const void *p,
                size_t len, int64_t v)
{
	struct attr x = {name, t, p, len, v};

	if (*n < MAX_ATTRS && (p || t == A_INT || t == A_DATE))
		a[(*n)++] = x;
}

static size_t item_attrs(const struct kc_item *it, const struct kc_rand *r,
                         const struct gen_buf *cert, struct attr *a)
{
	static const char tag[] = "com.example.ifk.aes";
	size_t n = 0;

	add(a, &n, "agrp", A_STR, it->agrp, 0, 0);
	add(a, &n, "pdmn", A_STR, pdmn[it->kclass - 6], 0, 0);
	add(a, &n, "cdat", A_DATE, NULL, 0, GEN_BASE_UNIX - (int64_t)it->created * DAY);
	add(a, &n, "mdat", A_DATE, NULL, 0, GEN_BASE_UNIX - (int64_t)it->modified * DAY);
	add(a, &n, "sync", A_INT, NULL, 0, 0);
	add(a, &n, "tomb", A_INT, NULL, 0, 0);
	add(a, &n, "musr", A_DATA, "", 0, 0);
	add(a, &n, "labl", A_STR, it->labl, 0, 0);
	add(a, &n, "acct", A_STR, it->acct, 0, 0);
	add(a, &n, "svce", A_STR, it->svce, 0, 0);
	add(a, &n, "srvr", A_STR, it->srvr, 0, 0);
	add(a, &n, "ptcl", A_STR, it->ptcl, 0, 0);
	add(a, &n, "path", A_STR, it->path, 0, 0);
	if (it->port)
		add(a, &n, "port", A_INT, NULL, 0, it->port);
	if (it->secret)
		add(a, &n, "v_Data", A_DATA, it->secret, strlen(it->secret), 0);
	if (!strcmp(it->cls, "cert")) {
		add(a, &n, "ctyp", A_INT, NULL, 0, 1); /* X.509 v3 */
		add(a, &n, "cenc", A_INT, NULL, 0, 3); /* DER */
		add(a, &n, "v_Data", A_DATA, cert->p, cert->len, 0);
	}
	if (!strcmp(it->cls, "keys")) {
		add(a, &n, "kcls", A_INT, NULL, 0, 2);          /* symmetric */
		add(a, &n, "type", A_INT, NULL, 0, 2147483649); /* AES */
		add(a, &n, "bsiz", A_INT, NULL, 0, 256);
		add(a, &n, "esiz", A_INT, NULL, 0, 256);
		add(a, &n, "atag", A_DATA, tag, sizeof(tag) - 1, 0);
		add(a, &n, "v_Data", A_DATA, r->aes_key, sizeof(r->aes_key), 0);
	}
	return n;
}

/* The version 3 blob of one item into out. */
static int item_blob(const struct gen *g, const struct kc_item *it, const unsigned char *key,
                     const struct gen_buf *plain, struct gen_buf *out)
{
	unsigned char wrapped[GEN_WPKY_LEN];
	unsigned char *ct = malloc(plain->len + GCM_TAG_LEN);
	int rc = -1;

	if (!ct)
		return gen_oom();
	if (gen_aes_wrap(g->kb.class_key[it->kclass], key, wrapped) == 0 &&
	    gcm_empty_iv(key, plain->p, plain->len, ct) == 0 &&
	    gen_buf_le32(out, BLOB_VERSION) == 0 && gen_buf_le32(out, (uint32_t)it->kclass) == 0 &&
	    gen_buf_le32(out, sizeof(wrapped)) == 0 &&
	    gen_buf_put(out, wrapped, sizeof(wrapped)) == 0)
		rc = gen_buf_put(out, ct, plain->len + GCM_TAG_LEN);
	OPENSSL_cleanse(ct, plain->len + GCM_TAG_LEN);
	free(ct);
	return rc;
}

/* *out = {v_Data, v_PersistentRef} */
static int item_dict(const struct gen *g, const struct kc_item *it, const unsigned char *key,
                     const struct kc_rand *r, const struct gen_buf *cert, plist_t *out)
{
	struct attr a[MAX_ATTRS];
	struct gen_buf plain = {0}, blob = {0};
	unsigned char ref[12];
	plist_t d = NULL;
	size_t n = item_attrs(it, r, cert, a);
	int i, rc;

	memcpy(ref, it->cls, 4);
	for (i = 0; i < 8; i++)
		ref[4 + i] = (unsigned char)(it->rowid >> (56 - 8 * i));
	rc = der_dict(&plain, a, n);
	if (rc == 0)
		rc = item_blob(g, it, key, &plain, &blob);
	if (rc == 0 && !(d = plist_new_dict()))
		rc = gen_oom();
	if (rc == 0)
		rc = gen_pset(d, "v_Data", plist_new_data((const char *)blob.p, blob.len));
	if (rc == 0)
		rc = gen_pset(d, "v_PersistentRef", plist_new_data((const char *)ref, sizeof(ref)));
	if (rc == 0)
		*out = d;
	else
		plist_free(d);
	gen_buf_free(&plain);
	gen_buf_free(&blob);
	return rc;
}

/* ---- the certificate: self-signed Ed25519, so its DER is deterministic ---- */

static int cert_name(X509 *x)
{
	X509_NAME *name = X509_get_subject_name(x);

	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	                                (const unsigned char *)"ifk Test Certificate", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	                                (const unsigned char *)"ifk tests", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		return -1;
	return 0;
}

/* The DER certificate into der. */
static int make_cert(const unsigned char priv[GEN_KEY_LEN], struct gen_buf *der)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, GEN_KEY_LEN);
	X509 *x = X509_new();
	unsigned char *out = NULL;
	int n = 0, rc = -1;

	if (pk && x && X509_set_version(x, 2) &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1f3a) &&
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(GEN_BASE_UNIX - 30 * DAY)) &&
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(GEN_BASE_UNIX + 7300 * DAY)) &&
	    cert_name(x) == 0 && X509_set_pubkey(x, pk) && X509_sign(x, pk, NULL) > 0)
		n = i2d_X509(x, &out);
	if (n > 0)
		rc = gen_buf_put(der, out, (size_t)n);
	else
		gen_err("keychain: cannot make the test certificate");
	OPENSSL_free(out);
	X509_free(x);
	EVP_PKEY_free(pk);
	return rc;
}

/* ---- the plist ---- */

static int kc_random(const struct gen *g, struct kc_rand *r)
{
	struct gen_rng rng;
	int rc;

	if (gen_rng_open(&rng, g->o->seed, "keychain") < 0)
		return -1;
	rc = gen_rng_bytes(&rng, r, sizeof(*r));
	gen_rng_close(&rng);
	return rc;
}

static int add_items(const struct gen *g, plist_t top, const struct kc_rand *r,
                     const struct gen_buf *cert)
{
	static const char *const classes[] = {"genp", "inet", "cert", "keys"};
	plist_t arr, d = NULL;
	size_t c, i;

	for (c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		arr = plist_new_array();
		if (!arr)
			return gen_oom();
		for (i = 0; i < NITEMS; i++) {
			if (strcmp(items[i].cls, classes[c]))
				continue;
			if (item_dict(g, &items[i], r->item_key[i], r, cert, &d) < 0) {
				plist_free(arr);
				return -1;
			}
			plist_array_append_item(arr, d);
		}
		(void)gen_pset(top, classes[c], arr); /* cannot fail: arr is non-NULL */
	}
	return 0;
}

int gen_keychain_plist(const struct gen *g, unsigned char **buf, size_t *len)
{
	struct kc_rand r;
	struct gen_buf cert = {0};
	char hex[33], uuid[37];
	plist_t top = plist_new_dict();
	int rc = -1;

	if (!top)
		return gen_oom();
	gen_hex(g->kb.uuid, sizeof(g->kb.uuid), 0, hex);
	snprintf(uuid, sizeof(uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
	         hex + 20);
	if (kc_random(g, &r) < 0 || make_cert(r.cert_key, &cert) < 0)
		goto out;
	if (gen_pset(top, "keybag-uuid", plist_new_string(uuid)) < 0 ||
	    add_items(g, top, &r, &cert) < 0)
		goto out;
	rc = gen_plist_bin(top, buf, len);
out:
	OPENSSL_cleanse(&r, sizeof(r));
	gen_buf_free(&cert);
	plist_free(top);
	return rc;
}
