/* Tests for lib/decrypt.c against OpenSSL's own AES-256-CBC encryption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "formats.h"
#include "testutil.h"

static const uint8_t test_key[32] = "0123456789abcdef0123456789abcde";

/* AES-256-CBC, zero IV, with PKCS#7 padding (pad) or none; caller frees. */
static uint8_t *encrypt(const uint8_t *pt, size_t n, int pad, size_t *ctlen)
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t *ct = malloc(n + 32);
	int a = 0, b = 0;

	assert_non_null(ctx);
	assert_non_null(ct);
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, test_key, iv), 1);
	assert_int_equal(EVP_CIPHER_CTX_set_padding(ctx, pad), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, ct, &a, pt, (int)n), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, ct + a, &b), 1);
	EVP_CIPHER_CTX_free(ctx);
	*ctlen = (size_t)a + (size_t)b;
	return ct;
}

static uint8_t *random_bytes(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	if (n)
		assert_int_equal(RAND_bytes(p, (int)n), 1);
	return p;
}

/* Decrypts ct in chunks of the sizes in chunks[] (cycled) into pt, which
 * holds ctlen + 16 bytes; returns the final's code and the plaintext size.
 * Each update gets an output buffer of exactly inlen + 16 bytes. */
static int decrypt_chunked(const uint8_t *ct, size_t ctlen, const size_t *chunks, size_t nchunks,
                           uint8_t *pt, size_t *ptlen, struct ifk_error *err)
{
	struct ifk_decrypt *d = NULL;
	size_t off = 0, got = 0, step, n, i = 0;
	uint8_t *out;
	int rc;

	assert_int_equal(ifk_decrypt_new(test_key, &d, err), 0);
	while (off < ctlen) {
		step = chunks[i++ % nchunks];
		step = step < ctlen - off ? step : ctlen - off;
		out = malloc(step + 16);
		assert_non_null(out);
		assert_int_equal(ifk_decrypt_update(d, ct + off, step, out, &n, err), 0);
		assert_true(n <= step + 15);
		assert_int_equal(n % 16, 0);
		memcpy(pt + got, out, n);
		free(out);
		off += step;
		got += n;
		assert_int_equal(ifk_decrypt_cipher_bytes(d), off);
		assert_int_equal(ifk_decrypt_plain_bytes(d), got);
	}
	out = malloc(16);
	assert_non_null(out);
	rc = ifk_decrypt_final(d, out, &n, err);
	if (rc == 0) {
		assert_true(n <= 15);
		memcpy(pt + got, out, n);
		got += n;
		assert_int_equal(ifk_decrypt_plain_bytes(d), got);
	}
	free(out);
	ifk_decrypt_free(d);
	*ptlen = got;
	return rc;
}

static void round_trip(size_t size, const size_t *chunks, size_t nchunks)
{
	struct ifk_error err = {0};
	uint8_t *pt = random_bytes(size), *ct, *back;
	size_t ctlen, backlen = 0;

	ct = encrypt(pt, size, 1, &ctlen);
	back = malloc(ctlen + 16);
	assert_non_null(back);
	if (decrypt_chunked(ct, ctlen, chunks, nchunks, back, &backlen, &err) != 0)
		fail_msg("size %zu: %s", size, err.msg);
	assert_int_equal(backlen, size);
	if (size)
		assert_memory_equal(back, pt, size);
	free(pt);
	free(ct);
	free(back);
}

static void test_decrypt_update_round_trip_sizes_0_to_100(void **state)
{
	static const size_t whole[] = {1u << 20}, ones[] = {1}, odd[] = {7, 16, 3, 33, 17};
	size_t size;

	(void)state;
	for (size = 0; size <= 100; size++) {
		round_trip(size, whole, 1);
		round_trip(size, ones, 1);
		round_trip(size, odd, 5);
	}
}

static void test_decrypt_update_round_trip_megabytes_odd_chunks(void **state)
{
	static const size_t odd[] = {1, 4093, 15, 65537, 16, 17, 1000003, 31, 32, 131071};

	(void)state;
	round_trip(3 * 1024 * 1024 + 5, odd, sizeof(odd) / sizeof(odd[0]));
	round_trip(2 * 1024 * 1024, odd + 1, sizeof(odd) / sizeof(odd[0]) - 1);
}

static void expect_bad_padding(const uint8_t last[16])
{
	static const size_t whole[] = {64};
	struct ifk_error err = {0};
	uint8_t pt[32] = "a full first block of plaintext", back[64];
	size_t ctlen, n;
	uint8_t *ct;

	memcpy(pt + 16, last, 16);
	ct = encrypt(pt, sizeof(pt), 0, &ctlen);
	assert_int_equal(ctlen, 32);
	assert_int_equal(decrypt_chunked(ct, ctlen, whole, 1, back, &n, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "bad padding"));
	free(ct);
}

static void test_decrypt_final_bad_padding(void **state)
{
	uint8_t last[16];

	(void)state;
	memset(last, 0, sizeof(last)); /* pad byte 0 */
	expect_bad_padding(last);
	memset(last, 17, sizeof(last)); /* pad byte above 16 */
	expect_bad_padding(last);
	memset(last, 0xff, sizeof(last));
	expect_bad_padding(last);
	memset(last, 4, sizeof(last)); /* pad 4 with one differing byte */
	last[12] = 3;
	expect_bad_padding(last);
	memset(last, 16, sizeof(last)); /* pad 16 with the first byte off */
	last[0] = 15;
	expect_bad_padding(last);
}

/* A good pad of 16 and of 1 built by hand are accepted. */
static void test_decrypt_final_edge_padding(void **state)
{
	static const size_t whole[] = {64};
	uint8_t pt[32] = {0}, back[64];
	size_t ctlen, n;
	uint8_t *ct;

	(void)state;
	memset(pt + 16, 16, 16);
	ct = encrypt(pt, sizeof(pt), 0, &ctlen);
	assert_int_equal(decrypt_chunked(ct, ctlen, whole, 1, back, &n, NULL), 0);
	assert_int_equal(n, 16);
	free(ct);
	pt[31] = 1;
	ct = encrypt(pt, sizeof(pt), 0, &ctlen);
	assert_int_equal(decrypt_chunked(ct, ctlen, whole, 1, back, &n, NULL), 0);
	assert_int_equal(n, 31);
	free(ct);
}

static void test_decrypt_final_truncated(void **state)
{
	static const size_t chunks[] = {5, 11};
	struct ifk_error err = {0};
	uint8_t pt[40] = {0}, back[64];
	size_t ctlen, n;
	uint8_t *ct;

	(void)state;
	ct = encrypt(pt, sizeof(pt), 1, &ctlen);
	assert_int_equal(ctlen, 48);
	assert_int_equal(decrypt_chunked(ct, 43, chunks, 2, back, &n, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "ciphertext length 43 is not a multiple of 16"));
	assert_int_equal(decrypt_chunked(ct, 15, chunks, 2, back, &n, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "ciphertext length 15 is not a multiple of 16"));
	free(ct);
}

static void test_decrypt_final_empty(void **state)
{
	struct ifk_decrypt *d = NULL;
	struct ifk_error err = {0};
	uint8_t out[16];
	size_t n = 99;

	(void)state;
	assert_int_equal(ifk_decrypt_new(test_key, &d, &err), 0);
	assert_int_equal(ifk_decrypt_update(d, NULL, 0, NULL, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ifk_decrypt_final(d, out, &n, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "ciphertext length 0"));
	ifk_decrypt_free(d);
}

static void test_decrypt_final_twice(void **state)
{
	struct ifk_decrypt *d = NULL;
	uint8_t pt[5] = "abcd", *ct, out[32];
	size_t ctlen, n;

	(void)state;
	ct = encrypt(pt, sizeof(pt), 1, &ctlen);
	assert_int_equal(ifk_decrypt_new(test_key, &d, NULL), 0);
	assert_int_equal(ifk_decrypt_update(d, ct, ctlen, out, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ifk_decrypt_final(d, out, &n, NULL), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(out, pt, 5);
	assert_int_equal(ifk_decrypt_final(d, out, &n, NULL), IFK_EINVAL);
	assert_int_equal(ifk_decrypt_update(d, ct, ctlen, out, &n, NULL), IFK_EINVAL);
	ifk_decrypt_free(d);
	free(ct);
}

/* An SQLite image of `pages` pages of page_size bytes, mostly zeros. */
static uint8_t *sqlite_image(size_t pages, unsigned page_size)
{
	uint8_t *p = calloc(pages, page_size);

	assert_non_null(p);
	memcpy(p, "SQLite format 3", 16);
	p[16] = (uint8_t)(page_size >> 8);
	p[17] = (uint8_t)page_size;
	p[100] = 0x0d;
	return p;
}

/* Decrypts ct whole, accepting an unpadded SQLite image or not; returns
 * final's code, the plaintext length and whether the quirk was taken. */
static int decrypt_sqlite(const uint8_t *ct, size_t ctlen, int accept, uint8_t *pt, size_t *ptlen,
                          int *unpadded)
{
	struct ifk_decrypt *d = NULL;
	struct ifk_error err = {0};
	size_t n = 0, m = 0, off = 0;
	int rc;

	assert_int_equal(ifk_decrypt_new(test_key, &d, &err), 0);
	if (accept)
		ifk_decrypt_accept_unpadded_sqlite(d);
	while (off < ctlen) { /* odd chunks: the header arrives in pieces */
		size_t step = ctlen - off < 7 ? ctlen - off : 7;
		assert_int_equal(ifk_decrypt_update(d, ct + off, step, pt + n, &m, &err), 0);
		n += m;
		off += step;
	}
	rc = ifk_decrypt_final(d, pt + n, &m, &err);
	*ptlen = n + (rc == 0 ? m : 0);
	*unpadded = ifk_decrypt_was_unpadded(d);
	ifk_decrypt_free(d);
	return rc;
}

/* Some real Manifest.db files are encrypted without the PKCS#7 block: with
 * the quirk accepted they decrypt whole, and a padded image still loses
 * exactly its padding. */
static void test_decrypt_final_sqlite_without_padding(void **state)
{
	static const unsigned sizes[] = {512, 1024, 4096, 65536};
	size_t ctlen, ptlen, i;
	int unpadded;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = 3 * (size_t)sizes[i];
		uint8_t *img = sqlite_image(3, sizes[i]), *pt = malloc(len + 32), *bare, *padded;

		assert_non_null(pt);
		if (sizes[i] == 65536)
			img[16] = 0, img[17] = 1; /* 65536 is written as 1 */
		bare = encrypt(img, len, 0, &ctlen);
		assert_int_equal(ctlen, len);
		/* refused without the quirk: no padding is bad padding */
		assert_int_equal(decrypt_sqlite(bare, ctlen, 0, pt, &ptlen, &unpadded), IFK_EFORMAT);
		assert_int_equal(decrypt_sqlite(bare, ctlen, 1, pt, &ptlen, &unpadded), 0);
		assert_int_equal(ptlen, len);
		assert_true(unpadded);
		assert_memory_equal(pt, img, len);
		padded = encrypt(img, len, 1, &ctlen);
		assert_int_equal(ctlen, len + 16);
		assert_int_equal(decrypt_sqlite(padded, ctlen, 1, pt, &ptlen, &unpadded), 0);
		assert_int_equal(ptlen, len);
		assert_false(unpadded);
		assert_memory_equal(pt, img, len);
		free(padded);
		free(bare);
		free(pt);
		free(img);
	}
}

/* The quirk is for SQLite images only: other unpadded data, or an image
 * cut short of a whole page, still fails on its padding. */
static void test_decrypt_final_unpadded_not_sqlite(void **state)
{
	uint8_t *img = sqlite_image(2, 4096), *pt = malloc(8192 + 32), *ct;
	size_t ctlen, ptlen;
	int unpadded;

	(void)state;
	assert_non_null(pt);
	ct = encrypt(img, 8192 - 16, 0, &ctlen); /* not a whole page */
	assert_int_equal(decrypt_sqlite(ct, ctlen, 1, pt, &ptlen, &unpadded), IFK_EFORMAT);
	assert_false(unpadded);
	free(ct);
	img[0] = 'X'; /* not SQLite */
	ct = encrypt(img, 8192, 0, &ctlen);
	assert_int_equal(decrypt_sqlite(ct, ctlen, 1, pt, &ptlen, &unpadded), IFK_EFORMAT);
	assert_false(unpadded);
	free(ct);
	free(pt);
	free(img);
}

static void test_decrypt_new_null_args(void **state)
{
	struct ifk_decrypt *d = NULL;

	(void)state;
	assert_int_equal(ifk_decrypt_new(NULL, &d, NULL), IFK_EINVAL);
	assert_int_equal(ifk_decrypt_new(test_key, NULL, NULL), IFK_EINVAL);
	assert_null(d);
	ifk_decrypt_free(NULL);
	assert_int_equal(ifk_decrypt_cipher_bytes(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decrypt_update_round_trip_sizes_0_to_100),
	    cmocka_unit_test(test_decrypt_update_round_trip_megabytes_odd_chunks),
	    cmocka_unit_test(test_decrypt_final_bad_padding),
	    cmocka_unit_test(test_decrypt_final_edge_padding),
	    cmocka_unit_test(test_decrypt_final_truncated),
	    cmocka_unit_test(test_decrypt_final_empty),
	    cmocka_unit_test(test_decrypt_final_twice),
	    cmocka_unit_test(test_decrypt_final_sqlite_without_padding),
	    cmocka_unit_test(test_decrypt_final_unpadded_not_sqlite),
	    cmocka_unit_test(test_decrypt_new_null_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
