/* Tests for lib/keybag.c: the third-party $itunes_backup$ vectors turned into
 * real keybag TLV bytes, keybags built here with known class keys, and
 * hostile inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "formats.h"
#include "testutil.h"

/* ---- building keybags ---- */

struct kbuf {
	uint8_t b[16384];
	size_t n;
};

static void put(struct kbuf *k, const char *tag, const void *val, uint32_t len)
{
	assert_true(k->n + 8 + len <= sizeof(k->b));
	memcpy(k->b + k->n, tag, 4);
	k->b[k->n + 4] = (uint8_t)(len >> 24);
	k->b[k->n + 5] = (uint8_t)(len >> 16);
	k->b[k->n + 6] = (uint8_t)(len >> 8);
	k->b[k->n + 7] = (uint8_t)len;
	if (len)
		memcpy(k->b + k->n + 8, val, len);
	k->n += 8 + len;
}

static void put_u32(struct kbuf *k, const char *tag, uint32_t v)
{
	uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	put(k, tag, be, 4);
}

/* A header item with any length field (the value is not written). */
static void put_len_only(struct kbuf *k, const char *tag, uint32_t len)
{
	put(k, tag, NULL, 0);
	k->b[k->n - 4] = (uint8_t)(len >> 24);
	k->b[k->n - 3] = (uint8_t)(len >> 16);
	k->b[k->n - 2] = (uint8_t)(len >> 8);
	k->b[k->n - 1] = (uint8_t)len;
}

static const uint8_t test_salt[20] = "salt-salt-salt-salt";
static const uint8_t test_dpsl[20] = "dpsl-dpsl-dpsl-dpsl";
static const uint8_t test_uuid[16] = "0123456789abcdef";
#define TEST_ITER 10
#define TEST_DPIC 20
#define TEST_PASSWORD "correct horse"

/* Header: VERS, TYPE 1, UUID, HMCK, WRAP, SALT, ITER and, when dpic, the
 * DPWT, DPIC, DPSL items of iOS 10.2+. */
static void put_header(struct kbuf *k, uint32_t iter, uint32_t dpic)
{
	uint8_t hmck[40] = {0};

	put_u32(k, "VERS", dpic ? 4 : 3);
	put_u32(k, "TYPE", 1);
	put(k, "UUID", test_uuid, sizeof(test_uuid));
	put(k, "HMCK", hmck, sizeof(hmck));
	put_u32(k, "WRAP", 1);
	put(k, "SALT", test_salt, sizeof(test_salt));
	put_u32(k, "ITER", iter);
	if (dpic) {
		put_u32(k, "DPWT", 1);
		put_u32(k, "DPIC", dpic);
		put(k, "DPSL", test_dpsl, sizeof(test_dpsl));
	}
}

static void put_class(struct kbuf *k, uint32_t clas, uint32_t wrap, const uint8_t wpky[40])
{
	put(k, "UUID", test_uuid, sizeof(test_uuid));
	put_u32(k, "CLAS", clas);
	put_u32(k, "WRAP", wrap);
	put_u32(k, "KTYP", 0);
	put(k, "WPKY", wpky, 40);
}

/* The passcode key, with or without the PBKDF2-HMAC-SHA256 stage. */
static void passcode_key(const char *pw, uint32_t dpic, uint32_t iter, uint8_t pk[32])
{
	uint8_t k[32];
	const char *p = pw;
	int plen = (int)strlen(pw);

	if (dpic) {
		assert_int_equal(
		    PKCS5_PBKDF2_HMAC(pw, plen, test_dpsl, 20, (int)dpic, EVP_sha256(), 32, k), 1);
		p = (const char *)k;
		plen = 32;
	}
	assert_int_equal(PKCS5_PBKDF2_HMAC(p, plen, test_salt, 20, (int)iter, EVP_sha1(), 32, pk),
	                 1);
}

/* RFC 3394 wrap of a 32-byte key into 40 bytes. */
static void wrap_key(const uint8_t kek[32], const uint8_t key[32], uint8_t out[40])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;

	assert_non_null(ctx);
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_256_wrap(), NULL, kek, NULL), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, out, &n, key, 32), 1);
	assert_int_equal(n, 40);
	EVP_CIPHER_CTX_free(ctx);
}

/* A per-file EncryptionKey: 4-byte LE class, then key wrapped with class_key. */
static void wrap_file_key(const uint8_t class_key[32], uint32_t clas, const uint8_t key[32],
                          uint8_t out[44])
{
	out[0] = (uint8_t)clas;
	out[1] = (uint8_t)(clas >> 8);
	out[2] = (uint8_t)(clas >> 16);
	out[3] = (uint8_t)(clas >> 24);
	wrap_key(class_key, key, out + 4);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

/* A keybag with classes 1 (WRAP 2), 3 (WRAP 2) and 11 (WRAP 3), class key
 * of class c filled from seed c, wrapped from a passcode key derived with or
 * without the DPIC stage (dp_used) and with or without the DPIC items. */
static void build_keybag(struct kbuf *k, int dp_items, int dp_used)
{
	static const uint32_t classes[][2] = {{1, 2}, {3, 2}, {11, 3}};
	uint8_t pk[32], ck[32], wpky[40];
	size_t i;

	memset(k, 0, sizeof(*k));
	put_header(k, TEST_ITER, dp_items ? TEST_DPIC : 0);
	passcode_key(TEST_PASSWORD, dp_used ? TEST_DPIC : 0, TEST_ITER, pk);
	for (i = 0; i < 3; i++) {
		fill(ck, sizeof(ck), (uint8_t)classes[i][0]);
		wrap_key(pk, ck, wpky);
		put_class(k, classes[i][0], classes[i][1], wpky);
	}
}

/* Parses a copy of buf in a buffer of exactly len bytes, so that ASan sees
 * any over-read. */
static int parse_exact(const uint8_t *buf, size_t len, struct ifk_keybag **kb,
                       struct ifk_error *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len)
		memcpy(copy, buf, len);
	rc = ifk_keybag_parse(copy, len, kb, err);
	free(copy);
	return rc;
}

static void expect_format_error(const struct kbuf *k, const char *needle)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};

	assert_int_equal(parse_exact(k->b, k->n, &kb, &err), IFK_EFORMAT);
	assert_null(kb);
	assert_int_equal(err.code, IFK_EFORMAT);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" does not mention \"%s\"", err.msg, needle);
}

static struct ifk_keybag *parse_ok(const struct kbuf *k)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	int rc = parse_exact(k->b, k->n, &kb, &err);

	if (rc)
		fail_msg("parse: %s", err.msg);
	assert_non_null(kb);
	return kb;
}

static enum ifk_keybag_state class_state(const struct ifk_keybag *kb, uint32_t clas)
{
	struct ifk_keybag_class c;
	size_t i;

	for (i = 0; i < ifk_keybag_class_count(kb); i++) {
		assert_int_equal(ifk_keybag_class_at(kb, i, &c, NULL), 0);
		if (c.protection_class == clas)
			return c.state;
	}
	fail_msg("class %u not found", clas);
	return IFK_KEYBAG_LOCKED;
}

/* ---- the third-party vectors ---- */

struct vector {
	char source[160];
	char password[64];
	char hash[256]; /* the line as the fixture gives it */
	int version; /* 9 or 10 */
	uint8_t wpky[40];
	uint32_t iter, dpic;
	uint8_t salt[20], dpsl[20];
};

#define MAX_VECTORS 32

/* Splits s at sep into at most max fields, keeping empty ones. */
static size_t split(char *s, char sep, char **fields, size_t max)
{
	size_t n = 0;

	while (n < max) {
		fields[n++] = s;
		s = strchr(s, sep);
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

/* $itunes_backup$*9*WPKY*ITER*SALT** or *10*WPKY*ITER*SALT*DPIC*DPSL */
static void parse_hash(char *hash, struct vector *v)
{
	char *f[8] = {NULL};
	size_t n = split(hash, '*', f, 8);

	assert_true(n >= 5);
	assert_string_equal(f[0], "$itunes_backup$");
	v->version = atoi(f[1]);
	assert_true(v->version == 9 || v->version == 10);
	assert_int_equal(tu_unhex(f[2], v->wpky, sizeof(v->wpky)), 40);
	v->iter = (uint32_t)strtoul(f[3], NULL, 10);
	assert_int_equal(tu_unhex(f[4], v->salt, sizeof(v->salt)), 20);
	if (v->version == 10) {
		assert_int_equal(n, 7);
		v->dpic = (uint32_t)strtoul(f[5], NULL, 10);
		assert_int_equal(tu_unhex(f[6], v->dpsl, sizeof(v->dpsl)), 20);
	}
}

/* Reads keybag-vectors.tsv: source, kind, password, hash; skips comments. */
static size_t load_vectors(struct vector *vs, size_t max)
{
	char path[4096], *line, *save = NULL, *f[4] = {NULL};
	uint8_t *text;
	size_t n = 0, len = 0;

	snprintf(path, sizeof(path), "%s/keybag-vectors.tsv", tu_fixtures());
	text = tu_read_file(path, &len);
	if (!text)
		fail_msg("cannot read %s", path);
	text[len] = '\0'; /* tu_read_file leaves room for it */
	for (line = strtok_r((char *)text, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		assert_true(n < max);
		assert_int_equal(split(line, '\t', f, 4), 4);
		memset(&vs[n], 0, sizeof(vs[n]));
		snprintf(vs[n].source, sizeof(vs[n].source), "%s", f[0]);
		snprintf(vs[n].password, sizeof(vs[n].password), "%s", f[2]);
		snprintf(vs[n].hash, sizeof(vs[n].hash), "%s", f[3]);
		parse_hash(f[3], &vs[n]);
		n++;
	}
	free(text);
	assert_true(n >= 8);
	return n;
}

/* The vector as real keybag bytes: header VERS, TYPE 1, UUID, SALT, ITER
 * (and DPWT, DPIC, DPSL for *10*), one class record with the vector's WPKY. */
static void vector_keybag(const struct vector *v, struct kbuf *k)
{
	memset(k, 0, sizeof(*k));
	put_u32(k, "VERS", v->version == 10 ? 4 : 3);
	put_u32(k, "TYPE", 1);
	put(k, "UUID", test_uuid, sizeof(test_uuid));
	put(k, "SALT", v->salt, sizeof(v->salt));
	put_u32(k, "ITER", v->iter);
	if (v->version == 10) {
		put_u32(k, "DPWT", 1);
		put_u32(k, "DPIC", v->dpic);
		put(k, "DPSL", v->dpsl, sizeof(v->dpsl));
	}
	put_class(k, 1, IFK_KEYBAG_WRAP_PASSCODE, v->wpky);
}

static int unlock_vector(const struct vector *v, const char *password, struct ifk_error *err)
{
	struct ifk_keybag *kb = NULL;
	struct kbuf k;
	int rc;

	vector_keybag(v, &k);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_has_dp_stage(kb), v->version == 10);
	assert_int_equal(ifk_keybag_dp_iterations(kb), v->dpic);
	assert_int_equal(ifk_keybag_iterations(kb), v->iter);
	rc = ifk_keybag_unlock(kb, password, strlen(password), err);
	assert_int_equal(ifk_keybag_derivations(kb), 1);
	if (rc == 0)
		assert_int_equal(class_state(kb, 1), IFK_KEYBAG_UNWRAPPED);
	ifk_keybag_free(kb);
	return rc;
}

/* ifk's PBKDF2 is OpenSSL's PKCS5_PBKDF2_HMAC: every key length around the
 * HMAC block (0, 1, 63, 64, 65, 200 bytes), salts, round counts and output
 * lengths over one digest (two blocks) give the same bytes. */
static void test_pbkdf2_equals_openssl(void **state)
{
	static const size_t klens[] = {0, 1, 20, 32, 63, 64, 65, 200};
	static const size_t slens[] = {0, 8, 20, 100};
	static const uint32_t iters[] = {1, 2, 1000, 4097};
	static const size_t outs[] = {20, 32, 40, 64};
	uint8_t key[200], salt[100], want[64], got[64];
	size_t a, b, c, d, i;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)(i * 13 + 5);
	for (a = 0; a < 8; a++)
		for (b = 0; b < 4; b++)
			for (c = 0; c < 4; c++)
				for (d = 0; d < 4; d++) {
					assert_int_equal(
					    PKCS5_PBKDF2_HMAC((const char *)key, (int)klens[a],
					                      salt, (int)slens[b], (int)iters[c],
					                      EVP_sha256(), (int)outs[d], want),
					    1);
					ifk_pbkdf2_sha256(key, klens[a], salt, slens[b], iters[c],
					                  got, outs[d]);
					assert_memory_equal(got, want, outs[d]);
					assert_int_equal(
					    PKCS5_PBKDF2_HMAC((const char *)key, (int)klens[a],
					                      salt, (int)slens[b], (int)iters[c],
					                      EVP_sha1(), (int)outs[d], want),
					    1);
					ifk_pbkdf2_sha1(key, klens[a], salt, slens[b], iters[c],
					                got, outs[d]);
					assert_memory_equal(got, want, outs[d]);
				}
	/* RFC 6070's first vector: P = "password", S = "salt", c = 2 */
	ifk_pbkdf2_sha1("password", 8, (const uint8_t *)"salt", 4, 2, got, 20);
	assert_memory_equal(got,
	                    "\xea\x6c\x01\x4d\xc7\x2d\x6f\x8c\xcd\x1e"
	                    "\xd9\x2a\xce\x1d\x41\xf0\xd8\xde\x89\x57",
	                    20);
}

/* Every row, including the DPIC 10,000,000 one (about 3 s). */
static void test_keybag_unlock_vectors_correct_password(void **state)
{
	struct vector vs[MAX_VECTORS];
	struct ifk_error err = {0};
	size_t n = load_vectors(vs, MAX_VECTORS), i;

	(void)state;
	for (i = 0; i < n; i++)
		if (unlock_vector(&vs[i], vs[i].password, &err) != 0)
			fail_msg("%s: %s", vs[i].source, err.msg);
}

/* The keybag built from each vector exports the vector's own line (what
 * hashcat and John read), and the candidate check tells its password from
 * another (the cheap rows). */
static void test_keybag_hash_line_and_check(void **state)
{
	struct vector vs[MAX_VECTORS];
	size_t n = load_vectors(vs, MAX_VECTORS), i;

	(void)state;
	for (i = 0; i < n; i++) {
		struct ifk_keybag *kb;
		struct kbuf k;
		char *line = NULL;
		vector_keybag(&vs[i], &k);
		kb = parse_ok(&k);
		assert_int_equal(ifk_keybag_hash_line(kb, &line, NULL), 0);
		assert_string_equal(line, vs[i].hash);
		free(line);
		if (vs[i].dpic <= 10000) {
			assert_int_equal(ifk_keybag_check_password(kb, vs[i].password,
			                                           strlen(vs[i].password)),
			                 1);
			assert_int_equal(ifk_keybag_check_password(kb, "not-it", 6), 0);
		}
		ifk_keybag_free(kb);
	}
}

/* Only the cheap rows: the DPIC 10,000,000 row would cost another 3 s and
 * adds nothing the DPIC 1,000 rows do not already check. */
static void test_keybag_unlock_vectors_wrong_password(void **state)
{
	struct vector vs[MAX_VECTORS];
	struct ifk_error err = {0};
	size_t n = load_vectors(vs, MAX_VECTORS), i, tried = 0;
	char wrong[80];

	(void)state;
	for (i = 0; i < n; i++) {
		if (vs[i].dpic > 100000)
			continue;
		snprintf(wrong, sizeof(wrong), "%sx", vs[i].password);
		assert_int_equal(unlock_vector(&vs[i], wrong, &err), IFK_EPASSWORD);
		assert_int_equal(err.code, IFK_EPASSWORD);
		assert_non_null(strstr(err.msg, "wrong password"));
		tried++;
	}
	assert_true(tried >= 7);
}

/* ---- keybags built here ---- */

static void test_keybag_parse_accessors(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_keybag_class c;
	struct kbuf k;

	(void)state;
	build_keybag(&k, 1, 1);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_version(kb), 4);
	assert_int_equal(ifk_keybag_type(kb), 1);
	assert_int_equal(ifk_keybag_iterations(kb), TEST_ITER);
	assert_int_equal(ifk_keybag_has_dp_stage(kb), 1);
	assert_int_equal(ifk_keybag_dp_iterations(kb), TEST_DPIC);
	assert_int_equal(ifk_keybag_is_unlocked(kb), 0);
	assert_int_equal(ifk_keybag_derivations(kb), 0);
	assert_int_equal(ifk_keybag_class_count(kb), 3);
	assert_int_equal(ifk_keybag_class_at(kb, 2, &c, NULL), 0);
	assert_int_equal(c.protection_class, 11);
	assert_int_equal(c.wrap, 3);
	assert_int_equal(c.key_type, 0);
	assert_int_equal(c.state, IFK_KEYBAG_LOCKED);
	assert_int_equal(ifk_keybag_class_at(kb, 3, &c, NULL), IFK_EINVAL);
	ifk_keybag_free(kb);
}

static void test_keybag_unlock_built_keybag(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	struct kbuf k;

	(void)state;
	build_keybag(&k, 1, 1);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	assert_int_equal(ifk_keybag_is_unlocked(kb), 1);
	assert_int_equal(ifk_keybag_derivations(kb), 1);
	assert_int_equal(class_state(kb, 1), IFK_KEYBAG_UNWRAPPED);
	assert_int_equal(class_state(kb, 3), IFK_KEYBAG_UNWRAPPED);
	assert_int_equal(class_state(kb, 11), IFK_KEYBAG_NEEDS_DEVICE_KEY);
	ifk_keybag_free(kb);
}

static void test_keybag_unlock_wrong_password(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	struct kbuf k;

	(void)state;
	build_keybag(&k, 1, 1);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, "wrong", 5, &err), IFK_EPASSWORD);
	assert_non_null(strstr(err.msg, "wrong password"));
	assert_int_equal(ifk_keybag_is_unlocked(kb), 0);
	assert_int_equal(class_state(kb, 1), IFK_KEYBAG_LOCKED);
	assert_int_equal(ifk_keybag_unlock(kb, "", 0, &err), IFK_EPASSWORD);
	assert_int_equal(ifk_keybag_unlock(kb, NULL, 0, &err), IFK_EPASSWORD);
	ifk_keybag_free(kb);
}

/* The derivation runs once per unlock call, never per class or per key. */
static void test_keybag_unlock_derives_once_per_call(void **state)
{
	struct ifk_keybag *kb = NULL;
	uint8_t ck[32], fk[32], wrapped[44], out[32];
	struct kbuf k;
	int i;

	(void)state;
	build_keybag(&k, 1, 1);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), NULL), 0);
	fill(ck, sizeof(ck), 1);
	fill(fk, sizeof(fk), 0x40);
	wrap_file_key(ck, 1, fk, wrapped);
	for (i = 0; i < 5; i++)
		assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 44, out, NULL, NULL), 0);
	assert_int_equal(ifk_keybag_derivations(kb), 1);
	assert_int_equal(ifk_keybag_unlock(kb, "nope", 4, NULL), IFK_EPASSWORD);
	assert_int_equal(ifk_keybag_derivations(kb), 2);
	ifk_keybag_free(kb);
}

/* A wrong password after a right one leaves the keys usable. */
static void test_keybag_unlock_wrong_after_right_keeps_keys(void **state)
{
	struct ifk_keybag *kb = NULL;
	uint8_t ck[32], fk[32], wrapped[44], out[32];
	struct kbuf k;

	(void)state;
	build_keybag(&k, 0, 0);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), NULL), 0);
	assert_int_equal(ifk_keybag_unlock(kb, "nope", 4, NULL), IFK_EPASSWORD);
	assert_int_equal(ifk_keybag_is_unlocked(kb), 1);
	fill(ck, sizeof(ck), 3);
	fill(fk, sizeof(fk), 0x55);
	wrap_file_key(ck, 3, fk, wrapped);
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 44, out, NULL, NULL), 0);
	assert_memory_equal(out, fk, 32);
	ifk_keybag_free(kb);
}

static void test_keybag_unwrap_key_returns_file_key(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t ck[32], fk[32], wrapped[44], out[32];
	uint32_t clas = 0;
	struct kbuf k;
	uint32_t c;

	(void)state;
	build_keybag(&k, 1, 1);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	for (c = 1; c <= 3; c += 2) {
		fill(ck, sizeof(ck), (uint8_t)c);
		fill(fk, sizeof(fk), (uint8_t)(0x80 + c));
		wrap_file_key(ck, c, fk, wrapped);
		assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 44, out, &clas, &err), 0);
		assert_int_equal(clas, c);
		assert_memory_equal(out, fk, 32);
	}
	ifk_keybag_free(kb);
}

static void test_keybag_unwrap_key_device_class_unsupported(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t ck[32], fk[32], wrapped[44], out[32];
	uint32_t clas = 0;
	struct kbuf k;

	(void)state;
	build_keybag(&k, 1, 1);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	fill(ck, sizeof(ck), 11);
	fill(fk, sizeof(fk), 0x99);
	wrap_file_key(ck, 11, fk, wrapped);
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 44, out, &clas, &err),
	                 IFK_EUNSUPPORTED);
	assert_int_equal(clas, 11);
	assert_non_null(strstr(err.msg, "off the device"));
	assert_non_null(strstr(err.msg, "AlwaysThisDeviceOnly"));
	ifk_keybag_free(kb);
}

static void test_keybag_unwrap_key_bad_length(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t wrapped[45] = {1}, out[32];
	struct kbuf k;

	(void)state;
	build_keybag(&k, 0, 0);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 43, out, NULL, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "43 bytes"));
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 45, out, NULL, &err), IFK_EFORMAT);
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 0, out, NULL, &err), IFK_EFORMAT);
	assert_int_equal(ifk_keybag_unwrap_key(kb, NULL, 0, out, NULL, &err), IFK_EFORMAT);
	ifk_keybag_free(kb);
}

static void test_keybag_unwrap_key_unknown_class(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t ck[32] = {0}, fk[32] = {0}, wrapped[44], out[32];
	struct kbuf k;

	(void)state;
	build_keybag(&k, 0, 0);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	wrap_file_key(ck, 7, fk, wrapped);
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 44, out, NULL, &err), IFK_ENOTFOUND);
	assert_non_null(strstr(err.msg, "class 7"));
	ifk_keybag_free(kb);
}

static void test_keybag_unwrap_key_not_unlocked(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t ck[32], fk[32] = {0}, wrapped[44], out[32];
	struct kbuf k;

	(void)state;
	build_keybag(&k, 0, 0);
	kb = parse_ok(&k);
	fill(ck, sizeof(ck), 1);
	wrap_file_key(ck, 1, fk, wrapped);
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 44, out, NULL, &err), IFK_EINVAL);
	assert_non_null(strstr(err.msg, "not unlocked"));
	ifk_keybag_free(kb);
}

static void test_keybag_unwrap_key_corrupt_wrapped_key(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t ck[32], fk[32] = {0}, wrapped[44], out[32];
	struct kbuf k;
	size_t i;

	(void)state;
	build_keybag(&k, 0, 0);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	fill(ck, sizeof(ck), 1);
	wrap_file_key(ck, 1, fk, wrapped);
	wrapped[20] ^= 0x01;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 44, out, NULL, &err), IFK_ECRYPTO);
	assert_non_null(strstr(err.msg, "integrity"));
	for (i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);
	ifk_keybag_free(kb);
}

/* One damaged WPKY among good ones: the password is right, that class is
 * reported corrupt and its keys fail with IFK_ECRYPTO. */
static void test_keybag_unlock_corrupt_class_reported(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t pk[32], ck[32], wpky[40], fk[32] = {0}, wrapped[44], out[32];
	struct kbuf k = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	passcode_key(TEST_PASSWORD, 0, TEST_ITER, pk);
	fill(ck, sizeof(ck), 1);
	wrap_key(pk, ck, wpky);
	put_class(&k, 1, 2, wpky);
	wpky[5] ^= 0x10;
	put_class(&k, 2, 2, wpky);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	assert_int_equal(class_state(kb, 1), IFK_KEYBAG_UNWRAPPED);
	assert_int_equal(class_state(kb, 2), IFK_KEYBAG_CORRUPT);
	wrap_file_key(ck, 2, fk, wrapped);
	assert_int_equal(ifk_keybag_unwrap_key(kb, wrapped, 44, out, NULL, &err), IFK_ECRYPTO);
	assert_non_null(strstr(err.msg, "corrupt"));
	ifk_keybag_free(kb);
}

/* Only device-wrapped classes: nothing can check the password. */
static void test_keybag_unlock_no_passcode_class(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t wpky[40] = {0};
	struct kbuf k = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	put_class(&k, 9, IFK_KEYBAG_WRAP_DEVICE, wpky);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, "x", 1, &err), IFK_EFORMAT);
	assert_int_equal(ifk_keybag_derivations(kb), 0);
	ifk_keybag_free(kb);
}

/* DPSL and DPIC present and the keys wrapped through that stage: unlocks. */
static void test_keybag_unlock_uses_dp_stage_when_present(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	struct kbuf k;

	(void)state;
	build_keybag(&k, 1, 1);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_has_dp_stage(kb), 1);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	ifk_keybag_free(kb);
}

/* DPSL and DPIC present but the keys wrapped without that stage: the stage
 * must still run, so the password fails. */
static void test_keybag_unlock_dp_items_force_dp_stage(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	struct kbuf k;

	(void)state;
	build_keybag(&k, 1, 0);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err),
	                 IFK_EPASSWORD);
	ifk_keybag_free(kb);
}

/* No DPSL/DPIC (even with VERS 4): the password goes straight to the SHA-1
 * stage. */
static void test_keybag_unlock_no_dp_stage_without_items(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	struct kbuf k;

	(void)state;
	build_keybag(&k, 0, 0);
	k.b[11] = 4; /* VERS 3 -> 4 */
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_version(kb), 4);
	assert_int_equal(ifk_keybag_has_dp_stage(kb), 0);
	assert_int_equal(ifk_keybag_dp_iterations(kb), 0);
	assert_int_equal(ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD), &err), 0);
	ifk_keybag_free(kb);
}

static void test_keybag_unlock_null_keybag(void **state)
{
	(void)state;
	assert_int_equal(ifk_keybag_unlock(NULL, "x", 1, NULL), IFK_EINVAL);
}

/* ---- hostile input ---- */

static void test_keybag_parse_empty(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err = {0};
	uint8_t b[1] = {0};

	(void)state;
	assert_int_equal(ifk_keybag_parse(b, 0, &kb, &err), IFK_EFORMAT);
	assert_int_equal(ifk_keybag_parse(NULL, 0, &kb, &err), IFK_EFORMAT);
	assert_null(kb);
}

static void test_keybag_parse_null_args(void **state)
{
	struct ifk_keybag *kb = NULL;
	uint8_t b[8] = {0};

	(void)state;
	assert_int_equal(ifk_keybag_parse(NULL, 8, &kb, NULL), IFK_EINVAL);
	assert_int_equal(ifk_keybag_parse(b, 8, NULL, NULL), IFK_EINVAL);
	ifk_keybag_free(NULL);
}

/* Every prefix of a valid keybag parses or fails with IFK_EFORMAT. */
static void test_keybag_parse_every_prefix(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct ifk_error err;
	struct kbuf k;
	size_t len, ok = 0;
	int rc;

	(void)state;
	build_keybag(&k, 1, 1);
	for (len = 0; len <= k.n; len++) {
		kb = NULL;
		rc = parse_exact(k.b, len, &kb, &err);
		if (rc == 0) {
			assert_non_null(kb);
			ok++;
		} else {
			assert_int_equal(rc, IFK_EFORMAT);
			assert_null(kb);
		}
		ifk_keybag_free(kb);
	}
	/* Ending after each class's WPKY or KTYP... at least the whole keybag. */
	assert_true(ok >= 1);
}

/* Flipping bits anywhere gives a parse or IFK_EFORMAT, never a crash. */
static void test_keybag_parse_mutations(void **state)
{
	static const uint8_t flips[] = {0x01, 0x80, 0xff};
	struct ifk_keybag *kb = NULL;
	struct kbuf k, m;
	size_t i, j;
	int rc;

	(void)state;
	build_keybag(&k, 1, 1);
	for (i = 0; i < k.n; i++) {
		for (j = 0; j < sizeof(flips); j++) {
			m = k;
			m.b[i] ^= flips[j];
			kb = NULL;
			rc = parse_exact(m.b, m.n, &kb, NULL);
			assert_true(rc == 0 || rc == IFK_EFORMAT);
			if (rc == 0 && ifk_keybag_iterations(kb) <= 100 &&
			    ifk_keybag_dp_iterations(kb) <= 100) {
				rc = ifk_keybag_unlock(kb, TEST_PASSWORD, strlen(TEST_PASSWORD),
				                       NULL);
				assert_true(rc == 0 || rc == IFK_EPASSWORD || rc == IFK_EFORMAT);
			}
			ifk_keybag_free(kb);
		}
	}
}

static void test_keybag_parse_truncated_item_header(void **state)
{
	struct kbuf k;

	(void)state;
	build_keybag(&k, 0, 0);
	memcpy(k.b + k.n, "PBKY\0", 5);
	k.n += 5;
	expect_format_error(&k, "truncated");
}

static void test_keybag_parse_length_past_end(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	put_len_only(&k, "HMCK", 41);
	memset(k.b + k.n, 0, 40);
	k.n += 40;
	expect_format_error(&k, "HMCK at offset");
	expect_format_error(&k, "past the end");
}

static void test_keybag_parse_length_ffffffff(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_u32(&k, "VERS", 3);
	put_len_only(&k, "SALT", 0xffffffffu);
	memcpy(k.b + k.n, test_salt, 20);
	k.n += 20;
	expect_format_error(&k, "SALT at offset 12 has length 4294967295");
}

static void test_keybag_parse_salt_wrong_size(void **state)
{
	struct kbuf k = {0};
	uint8_t wpky[40] = {0};

	(void)state;
	put_u32(&k, "VERS", 3);
	put(&k, "SALT", test_salt, 19);
	put_u32(&k, "ITER", 10);
	put(&k, "UUID", test_uuid, 16);
	put_class(&k, 1, 2, wpky);
	expect_format_error(&k, "SALT at offset 12 is 19 bytes, expected 20");
	k.n = 0;
	put(&k, "SALT", NULL, 0);
	expect_format_error(&k, "SALT at offset 0 is 0 bytes");
}

static void test_keybag_parse_dpsl_wrong_size(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put(&k, "SALT", test_salt, 20);
	put_u32(&k, "ITER", 10);
	put_u32(&k, "DPIC", 10);
	put(&k, "DPSL", test_dpsl, 16);
	expect_format_error(&k, "DPSL");
}

static void test_keybag_parse_wpky_wrong_size(void **state)
{
	struct kbuf k = {0};
	uint8_t wpky[41] = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	put(&k, "UUID", test_uuid, 16);
	put_u32(&k, "CLAS", 1);
	put_u32(&k, "WRAP", 2);
	put(&k, "WPKY", wpky, 41);
	expect_format_error(&k, "WPKY");
	expect_format_error(&k, "41 bytes, expected 40");
}

static void test_keybag_parse_iter_zero(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_header(&k, 0, 0);
	expect_format_error(&k, "ITER");
}

static void test_keybag_parse_iter_absurd(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_header(&k, 0xffffffffu, 0);
	expect_format_error(&k, "ITER");
}

static void test_keybag_parse_dpic_zero(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	put_u32(&k, "DPIC", 0);
	put(&k, "DPSL", test_dpsl, 20);
	expect_format_error(&k, "DPIC");
}

static void test_keybag_parse_dpic_absurd(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_header(&k, TEST_ITER, 100000001u);
	expect_format_error(&k, "DPIC");
}

static void test_keybag_parse_dpic_without_dpsl(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	put_u32(&k, "DPIC", 1000);
	expect_format_error(&k, "DPIC but no DPSL");
}

static void test_keybag_parse_int_wrong_length(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put(&k, "ITER", "\0\0\x10", 3);
	expect_format_error(&k, "ITER at offset 0 has length 3, expected 4");
}

static void test_keybag_parse_missing_salt(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_u32(&k, "VERS", 3);
	put_u32(&k, "ITER", 10);
	expect_format_error(&k, "no SALT");
}

static void test_keybag_parse_missing_iter(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put(&k, "SALT", test_salt, 20);
	expect_format_error(&k, "no ITER");
}

static void test_keybag_parse_duplicate_tag(void **state)
{
	struct kbuf k = {0};
	uint8_t wpky[40] = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	put(&k, "SALT", test_salt, 20);
	expect_format_error(&k, "duplicate SALT");
	k.n = 0;
	put_header(&k, TEST_ITER, 0);
	put_class(&k, 1, 2, wpky);
	put_u32(&k, "CLAS", 2);
	expect_format_error(&k, "duplicate CLAS");
}

static void test_keybag_parse_duplicate_class(void **state)
{
	struct kbuf k = {0};
	uint8_t wpky[40] = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	put_class(&k, 1, 2, wpky);
	put_class(&k, 1, 2, wpky);
	expect_format_error(&k, "repeats protection class 1");
}

static void test_keybag_parse_class_item_before_class(void **state)
{
	struct kbuf k = {0};
	uint8_t wpky[40] = {0};

	(void)state;
	put(&k, "SALT", test_salt, 20);
	put_u32(&k, "ITER", 10);
	put(&k, "UUID", test_uuid, 16); /* the header's own UUID */
	put_u32(&k, "CLAS", 1);
	put(&k, "WPKY", wpky, 40);
	expect_format_error(&k, "CLAS at offset 64 comes before any class record");
}

static void test_keybag_parse_class_without_clas(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_header(&k, TEST_ITER, 0);
	put(&k, "UUID", test_uuid, 16);
	put_u32(&k, "WRAP", 2);
	expect_format_error(&k, "has no CLAS");
}

static void test_keybag_parse_too_many_classes(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct kbuf k = {0};
	uint8_t wpky[40] = {0};
	uint32_t c;

	(void)state;
	put_header(&k, TEST_ITER, 0);
	for (c = 1; c <= IFK_KEYBAG_MAX_CLASSES; c++)
		put_class(&k, c, 2, wpky);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_class_count(kb), IFK_KEYBAG_MAX_CLASSES);
	ifk_keybag_free(kb);
	put_class(&k, c, 2, wpky);
	expect_format_error(&k, "one too many");
}

/* Unknown tags and zero-length unknown items are skipped, PBKY is accepted. */
static void test_keybag_parse_unknown_tags_ignored(void **state)
{
	struct ifk_keybag *kb = NULL;
	struct kbuf k = {0};
	uint8_t wpky[40] = {0}, pbky[32] = {0};

	(void)state;
	put(&k, "ZZZZ", NULL, 0);
	put_header(&k, TEST_ITER, 0);
	put(&k, "\x01\x02\x03\x04", "abc", 3);
	put_class(&k, 1, 2, wpky);
	put(&k, "PBKY", pbky, sizeof(pbky));
	put(&k, "QQQQ", NULL, 0);
	kb = parse_ok(&k);
	assert_int_equal(ifk_keybag_class_count(kb), 1);
	ifk_keybag_free(kb);
}

/* Unprintable tag bytes do not reach the message raw. */
static void test_keybag_parse_error_names_unprintable_tag(void **state)
{
	struct kbuf k = {0};

	(void)state;
	put_len_only(&k, "\x01\n\xff\x7f", 100);
	expect_format_error(&k, "???? at offset 0");
}

static void test_keybag_class_name(void **state)
{
	(void)state;
	assert_string_equal(ifk_keybag_class_name(1), "Complete");
	assert_string_equal(ifk_keybag_class_name(3), "CompleteUntilFirstUserAuthentication");
	assert_string_equal(ifk_keybag_class_name(4), "None");
	assert_string_equal(ifk_keybag_class_name(11), "AlwaysThisDeviceOnly");
	assert_string_equal(ifk_keybag_class_name(0), "unknown");
	assert_string_equal(ifk_keybag_class_name(12), "unknown");
	assert_string_equal(ifk_keybag_class_name(0xffffffffu), "unknown");
	assert_string_equal(ifk_keybag_state_name(IFK_KEYBAG_NEEDS_DEVICE_KEY), "needs device key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pbkdf2_equals_openssl),
	    cmocka_unit_test(test_keybag_unlock_vectors_correct_password),
	    cmocka_unit_test(test_keybag_unlock_vectors_wrong_password),
	    cmocka_unit_test(test_keybag_hash_line_and_check),
	    cmocka_unit_test(test_keybag_parse_accessors),
	    cmocka_unit_test(test_keybag_unlock_built_keybag),
	    cmocka_unit_test(test_keybag_unlock_wrong_password),
	    cmocka_unit_test(test_keybag_unlock_derives_once_per_call),
	    cmocka_unit_test(test_keybag_unlock_wrong_after_right_keeps_keys),
	    cmocka_unit_test(test_keybag_unwrap_key_returns_file_key),
	    cmocka_unit_test(test_keybag_unwrap_key_device_class_unsupported),
	    cmocka_unit_test(test_keybag_unwrap_key_bad_length),
	    cmocka_unit_test(test_keybag_unwrap_key_unknown_class),
	    cmocka_unit_test(test_keybag_unwrap_key_not_unlocked),
	    cmocka_unit_test(test_keybag_unwrap_key_corrupt_wrapped_key),
	    cmocka_unit_test(test_keybag_unlock_corrupt_class_reported),
	    cmocka_unit_test(test_keybag_unlock_no_passcode_class),
	    cmocka_unit_test(test_keybag_unlock_uses_dp_stage_when_present),
	    cmocka_unit_test(test_keybag_unlock_dp_items_force_dp_stage),
	    cmocka_unit_test(test_keybag_unlock_no_dp_stage_without_items),
	    cmocka_unit_test(test_keybag_unlock_null_keybag),
	    cmocka_unit_test(test_keybag_parse_empty),
	    cmocka_unit_test(test_keybag_parse_null_args),
	    cmocka_unit_test(test_keybag_parse_every_prefix),
	    cmocka_unit_test(test_keybag_parse_mutations),
	    cmocka_unit_test(test_keybag_parse_truncated_item_header),
	    cmocka_unit_test(test_keybag_parse_length_past_end),
	    cmocka_unit_test(test_keybag_parse_length_ffffffff),
	    cmocka_unit_test(test_keybag_parse_salt_wrong_size),
	    cmocka_unit_test(test_keybag_parse_dpsl_wrong_size),
	    cmocka_unit_test(test_keybag_parse_wpky_wrong_size),
	    cmocka_unit_test(test_keybag_parse_iter_zero),
	    cmocka_unit_test(test_keybag_parse_iter_absurd),
	    cmocka_unit_test(test_keybag_parse_dpic_zero),
	    cmocka_unit_test(test_keybag_parse_dpic_absurd),
	    cmocka_unit_test(test_keybag_parse_dpic_without_dpsl),
	    cmocka_unit_test(test_keybag_parse_int_wrong_length),
	    cmocka_unit_test(test_keybag_parse_missing_salt),
	    cmocka_unit_test(test_keybag_parse_missing_iter),
	    cmocka_unit_test(test_keybag_parse_duplicate_tag),
	    cmocka_unit_test(test_keybag_parse_duplicate_class),
	    cmocka_unit_test(test_keybag_parse_class_item_before_class),
	    cmocka_unit_test(test_keybag_parse_class_without_clas),
	    cmocka_unit_test(test_keybag_parse_too_many_classes),
	    cmocka_unit_test(test_keybag_parse_unknown_tags_ignored),
	    cmocka_unit_test(test_keybag_parse_error_names_unprintable_tag),
	    cmocka_unit_test(test_keybag_class_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
