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
#include <unistd.h>

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
	if (ifk_seal_make_cert("Jane Examiner", "Lab", 30, f->key, f->cert, NULL, NULL) != 0 ||
	    ifk_seal_make_cert("Someone Else", NULL, 30, f->key2, f->cert2, NULL, NULL) != 0 ||
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
	assert_int_equal(ifk_seal_make_cert("X", NULL, 30, f->key, f->cert, NULL, &err),
	                 IFK_EEXIST);
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

/* A key on a token is named by a PKCS#11 URI; a PIN in it is refused
 * before any engine or token is touched, and the message does not repeat
 * it. */
static void test_signer_load_token_refuses_pin_in_uri(void **state)
{
	static const char *const uris[] = {
	    "pkcs11:token=lab;object=ex;pin-value=9876",
	    "pkcs11:token=lab;object=ex?pin-value=9876",
	    "PKCS11:token=lab;object=ex?module-path=%2Fx.so&pin-value=9876",
	    "pkcs11:token=lab;object=ex&pin-value=9876",
	    "pkcs11:token=lab;PIN-VALUE=9876;object=ex",
	    "pkcs11:token=lab;object=ex?pin-source=file:%2Ftmp%2F9876",
	};
	struct fixture *f = *state;
	struct ifk_signer *s = NULL;
	struct ifk_error err = {0};
	size_t i;

	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		assert_int_equal(ifk_signer_load(uris[i], f->cert, "1234", &s, &err), IFK_EINVAL);
		assert_null(s);
		assert_non_null(strstr(err.msg, "holds a PIN"));
		assert_non_null(strstr(err.msg, "--key-password-file"));
		assert_null(strstr(err.msg, "9876"));
	}
}

/* Of the URI's query, module-path alone is read: percent-decoded, ahead of
 * IFK_PKCS11_MODULE; a module that cannot be read is named. */
static void test_signer_load_token_module(void **state)
{
	struct fixture *f = *state;
	struct ifk_signer *s = NULL;
	struct ifk_error err = {0};

	assert_int_equal(
	    ifk_signer_load("pkcs11:object=ex?module-name=softhsm2", f->cert, NULL, &s, &err),
	    IFK_EINVAL);
	assert_non_null(strstr(err.msg, "module-name=softhsm2"));
	assert_int_equal(
	    ifk_signer_load("pkcs11:object=ex?module-path=%2", f->cert, NULL, &s, &err),
	    IFK_EINVAL);
	assert_int_equal(
	    ifk_signer_load("pkcs11:object=ex?module-path=%2Fa%00b", f->cert, NULL, &s, &err),
	    IFK_EINVAL);
	assert_int_equal(ifk_signer_load("pkcs11:object=ex?module-path=%2Fa&module-path=%2Fb",
	                                 f->cert, NULL, &s, &err),
	                 IFK_EINVAL);
	setenv("IFK_PKCS11_MODULE", "/nonexistent/env-module.so", 1);
	assert_int_equal(ifk_signer_load("pkcs11:object=ex", f->cert, NULL, &s, &err), IFK_EIO);
	assert_non_null(strstr(err.msg, "pkcs11:object=ex: cannot read the PKCS#11 module "
	                                "/nonexistent/env-module.so"));
	assert_int_equal(ifk_signer_load("pkcs11:object=ex?module-path=%2Fnonexistent%2Furi%20m.so",
	                                 f->cert, NULL, &s, &err),
	                 IFK_EIO);
	assert_non_null(strstr(err.msg, "the PKCS#11 module /nonexistent/uri m.so"));
	unsetenv("IFK_PKCS11_MODULE");
	assert_null(s);
}

/* Without OpenSSL's pkcs11 engine, the error says which package has it. */
static void test_signer_load_token_without_engine(void **state)
{
	struct fixture *f = *state;
	struct ifk_signer *s = NULL;
	struct ifk_error err = {0};

	setenv("OPENSSL_ENGINES", f->dir, 1); /* an engines folder with no engine */
	assert_int_equal(ifk_signer_load("pkcs11:token=lab;object=ex", f->cert, "1234", &s, &err),
	                 IFK_EUNSUPPORTED);
	unsetenv("OPENSSL_ENGINES");
	assert_null(s);
	assert_non_null(strstr(err.msg,
	                       "pkcs11:token=lab;object=ex: OpenSSL's pkcs11 engine is not "
	                       "installed (Debian package libengine-pkcs11-openssl)"));
}

/* make-cert for a key on a token writes no key file; the certificate is
 * checked before the token is asked; a refused URI leaves nothing. */
static void test_seal_make_cert_token_writes_no_key(void **state)
{
	struct fixture *f = *state;
	struct ifk_error err = {0};
	char *cert = ifk_path_join(f->dir, "token.pem");
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(
	    ifk_seal_make_cert("T", NULL, 30, "pkcs11:object=ex;pin-value=1", cert, NULL, &err),
	    IFK_EINVAL);
	assert_int_equal(access(cert, F_OK), -1);
	assert_int_equal(access("pkcs11:object=ex;pin-value=1", F_OK), -1);
	assert_int_equal(
	    ifk_seal_make_cert("T", NULL, 30, "pkcs11:object=ex", f->cert, "1234", &err),
	    IFK_EEXIST);
	assert_int_equal(access("pkcs11:object=ex", F_OK), -1);
	assert_int_equal(chdir(cwd), 0);
	free(cert);
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
	    cmocka_unit_test(test_signer_load_token_refuses_pin_in_uri),
	    cmocka_unit_test(test_signer_load_token_module),
	    cmocka_unit_test(test_signer_load_token_without_engine),
	    cmocka_unit_test(test_seal_make_cert_token_writes_no_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
