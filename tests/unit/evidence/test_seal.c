/* lib/seal.c: examiner certificates, signing and checking the seal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evidence.h"
#include "core.h"
#include "testutil.h"

static const char content[] = "0123abcd  bagit.txt\n";

struct fixture {
	char *dir, *key, *cert, *key2, *cert2;
	struct ifk_signer *signer;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = tu_mkdtemp();
	f->key = ifk_path_join(f->dir, "ex.key");
	f->cert = ifk_path_join(f->dir, "ex.pem");
	f->key2 = ifk_path_join(f->dir, "other.key");
	f->cert2 = ifk_path_join(f->dir, "other.pem");
	if (ifk_seal_make_cert("Jane Examiner", "Lab", 30, f->key, f->cert, NULL) != 0 ||
	    ifk_seal_make_cert("Someone Else", NULL, 30, f->key2, f->cert2, NULL) != 0 ||
	    ifk_signer_load(f->key, f->cert, NULL, &f->signer, NULL) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ifk_signer_free(f->signer);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->key);
	free(f->cert);
	free(f->key2);
	free(f->cert2);
	free(f);
	return 0;
}

static void sign(struct fixture *f, uint8_t **der, size_t *len)
{
	assert_int_equal(ifk_signer_sign(f->signer, content, strlen(content), der, len, NULL), 0);
	assert_true(*len > 100);
}

static void test_seal_make_cert_writes_private_key(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	struct ifk_error err = {0};
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	assert_int_equal(ifk_seal_make_cert("X", NULL, 30, f->key, f->cert, &err), IFK_EEXIST);
	assert_non_null(strstr(ifk_signer_subject(f->signer), "Jane Examiner"));
}

static void test_seal_verify_valid_self_signed(void **state)
{
	struct fixture *f = *state;
	struct ifk_seal_info si;
	uint8_t *der = NULL;
	size_t len = 0;
	sign(f, &der, &len);
	assert_int_equal(ifk_seal_verify(der, len, content, strlen(content), NULL, &si, NULL), 0);
	assert_true(si.valid);
	assert_true(si.self_signed);
	assert_false(si.trusted);
	assert_non_null(strstr(si.subject, "Jane Examiner"));
	assert_string_equal(si.fingerprint, ifk_signer_fingerprint(f->signer));
	assert_int_equal(strlen(si.signing_time), 20);
	free(der);
}

static void test_seal_verify_changed_content_fails(void **state)
{
	struct fixture *f = *state;
	struct ifk_seal_info si;
	uint8_t *der = NULL;
	size_t len = 0;
	sign(f, &der, &len);
	assert_int_equal(
	    ifk_seal_verify(der, len, "0123abce  bagit.txt\n", strlen(content), NULL, &si, NULL),
	    0);
	assert_false(si.valid);
	assert_non_null(strstr(si.reason, "does not match"));
	free(der);
}

static void test_seal_verify_trust(void **state)
{
	struct fixture *f = *state;
	struct ifk_seal_info si;
	uint8_t *der = NULL;
	size_t len = 0;
	sign(f, &der, &len);
	assert_int_equal(ifk_seal_verify(der, len, content, strlen(content), f->cert, &si, NULL),
	                 0);
	assert_true(si.valid && si.trusted);
	assert_int_equal(ifk_seal_verify(der, len, content, strlen(content), f->cert2, &si, NULL),
	                 0);
	assert_true(si.valid);
	assert_false(si.trusted);
	assert_non_null(strstr(si.reason, "does not chain"));
	free(der);
}

static void test_seal_verify_garbage(void **state)
{
	struct ifk_seal_info si;
	static const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x01, 0x02};
	(void)state;
	assert_int_equal(
	    ifk_seal_verify(junk, sizeof(junk), content, strlen(content), NULL, &si, NULL), 0);
	assert_false(si.valid);
	assert_int_equal(ifk_seal_verify(junk, 0, content, strlen(content), NULL, &si, NULL), 0);
	assert_false(si.valid);
}

static void test_signer_load_rejects_mismatched_key(void **state)
{
	struct fixture *f = *state;
	struct ifk_signer *s = NULL;
	struct ifk_error err = {0};
	assert_int_equal(ifk_signer_load(f->key2, f->cert, NULL, &s, &err), IFK_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.msg, "does not match"));
	assert_int_equal(ifk_signer_load(f->key, "/nonexistent.pem", NULL, &s, &err), IFK_EIO);
	assert_int_equal(ifk_signer_load(f->cert, f->key, NULL, &s, &err), IFK_EFORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seal_make_cert_writes_private_key),
	    cmocka_unit_test(test_seal_verify_valid_self_signed),
	    cmocka_unit_test(test_seal_verify_changed_content_fails),
	    cmocka_unit_test(test_seal_verify_trust),
	    cmocka_unit_test(test_seal_verify_garbage),
	    cmocka_unit_test(test_signer_load_rejects_mismatched_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
