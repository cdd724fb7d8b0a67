#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/cms.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

struct ifk_signer {
	EVP_PKEY *key;
	X509 *cert;
	ENGINE *engine; /* the pkcs11 engine, when the key is on a token */
	char subject[256];
	char fingerprint[65];
};

static const char *ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : "unknown OpenSSL error";
}

static void name_line(const X509_NAME *name, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	out[0] = '\0';
	if (!b)
		return;
	X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(b, &p);
	if (n > 0) {
		size_t m = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
		memcpy(out, p, m);
		out[m] = '\0';
	}
	BIO_free(b);
}

static void cert_fingerprint(const X509 *cert, char out[65])
{
	uint8_t md[32];
	unsigned int n = 0;

	X509_digest(cert, EVP_sha256(), md, &n);
	ifk_hex(md, 32, out);
}

static X509 *read_cert(const char *path, struct ifk_error *err)
{
	FILE *f = fopen(path, "re");
	X509 *cert;

	if (!f) {
		ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open certificate", path);
		return NULL;
	}
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cert)
		ifk_error_set(err, IFK_EFORMAT, "%s: not a PEM X.509 certificate", path);
	return cert;
}

static EVP_PKEY *read_key(const char *path, const char *pass, struct ifk_error *err)
{
	FILE *f = fopen(path, "re");
	EVP_PKEY *key;

	if (!f) {
		ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open private key", path);
		return NULL;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, (void *)(pass ? pass : ""));
	fclose(f);
	if (!key)
		ifk_error_set(err, IFK_EFORMAT,
		              "%s: not a PEM private key, or its passphrase is wrong "
		              "(IFK_KEY_PASSWORD or --key-password-file)",
		              path);
	return key;
}

/* ---- keys on a token: a PKCS#11 URI (RFC 7512) through OpenSSL's pkcs11 engine ---- */

#define P11_SCHEME "pkcs11:"
#define P11_MODULE_ENV "IFK_PKCS11_MODULE"

static int is_token_uri(const char *key)
{
	return strncasecmp(key, P11_SCHEME, strlen(P11_SCHEME)) == 0;
}

/* What the engine is given: the URI without its query, and the PKCS#11
 * module (NULL: the engine's default). */
struct token_ref {
	char *uri;
	char *module;
};

/* Whether the attribute a (n bytes, "name" or "name=value") is called name. */
static int attr_is(const char *a, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n >= k && strncasecmp(a, name, k) == 0 && (n == k || a[k] == '=');
}

/* The length of the attribute at s: up to one of seps or end. */
static size_t attr_len(const char *s, const char *end, const char *seps)
{
	const char *p = s;

	while (p < end && !strchr(seps, *p))
		p++;
	return (size_t)(p - s);
}

/* Whether the URI names a PIN anywhere (the engine reads pin-value and
 * pin-source in the path as well as in the query). */
static int uri_has_pin(const char *uri)
{
	const char *p = uri + strlen(P11_SCHEME), *end = p + strlen(p);
	size_t n;

	for (; p < end; p += n + 1) {
		n = attr_len(p, end, ";?&");
		if (attr_is(p, n, "pin-value") || attr_is(p, n, "pin-source"))
			return 1;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s (n bytes) with its %XX escapes decoded, malloc'd; NULL when an escape
 * is malformed or stands for NUL, or when out of memory. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;
	int hi, lo;

	for (i = 0; out && i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
		lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
		if (lo < 0 || (hi | lo) == 0) {
			free(out);
			return NULL;
		}
		*o++ = (char)(hi << 4 | lo);
		i += 2;
	}
	if (out)
		*o = '\0';
	return out;
}

/* The query of the URI (after '?'): module-path alone is read. */
static int read_query(const char *uri, const char *q, struct token_ref *t, struct ifk_error *err)
{
	const char *end = q + strlen(q), *name = "module-path=";
	size_t n;

	for (; q < end; q += n + 1) {
		n = attr_len(q, end, "&");
		if (n == 0)
			continue;
		if (!attr_is(q, n, "module-path") || n <= strlen(name) || t->module)
			return ifk_error_set(err, IFK_EINVAL,
			                     "%s: of the query, only one module-path=PATH is "
			                     "read, not \"%.*s\"",
			                     uri, (int)n, q);
		t->module = pct_decode(q + strlen(name), n - strlen(name));
		if (!t->module)
			return ifk_error_set(err, IFK_EINVAL,
			                     "%s: module-path is not percent-encoded properly",
			                     uri);
	}
	return 0;
}

static void token_ref_free(struct token_ref *t)
{
	free(t->uri);
	free(t->module);
}

/* Splits the URI into what the engine reads. A PIN in the URI is refused
 * (it would stand in argv and the shell's history), without echoing it. The
 * module: module-path in the query, else IFK_PKCS11_MODULE, else the
 * engine's default. */
static int token_ref_parse(const char *uri, struct token_ref *t, struct ifk_error *err)
{
	const char *q = strchr(uri, '?'), *env = getenv(P11_MODULE_ENV);
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (uri_has_pin(uri))
		return ifk_error_set(err, IFK_EINVAL,
		                     "the PKCS#11 URI of --key holds a PIN (pin-value or "
		                     "pin-source): refused; give the PIN with --key-password-file "
		                     "or IFK_KEY_PASSWORD");
	if (q)
		rc = read_query(uri, q + 1, t, err);
	if (!rc && !t->module && env && *env && !(t->module = strdup(env)))
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc && !(t->uri = strndup(uri, q ? (size_t)(q - uri) : strlen(uri))))
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc && t->module && access(t->module, R_OK) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot read the PKCS#11 module %s",
		                   uri, t->module);
	if (rc)
		token_ref_free(t);
	return rc;
}

/* The engine's questions for a PIN, which ifk never answers on a terminal:
 * the PIN comes from --key-password-file or IFK_KEY_PASSWORD. Noted in
 * the user data (an int). */
static int pin_unasked(UI *ui, UI_STRING *uis)
{
	int *asked = UI_get0_user_data(ui);

	(void)uis;
	if (asked)
		*asked = 1;
	return 0;
}

enum { TOKEN_OK, TOKEN_NO_ENGINE, TOKEN_NO_SETUP, TOKEN_NO_KEY };

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* OpenSSL 3 deprecates its ENGINE interface, yet the pkcs11 engine is
 * reached through it alone; its use is confined to these two functions.
 * Loads the engine "pkcs11" (from OpenSSL's engines folder when it is not
 * built in), silences its printing, points it at t->module, gives it pin
 * (may be NULL) and loads the private key into *key. *e is then a
 * functional reference to the engine, for token_engine_release once the
 * key is freed. Returns a TOKEN_* stage. */
static int token_engine_load(const struct token_ref *t, const char *pin, UI_METHOD *ui, int *asked,
                             ENGINE **e, EVP_PKEY **key)
{
	ENGINE *eng = ENGINE_by_id("pkcs11");
	int ok;

	if (!eng)
		return TOKEN_NO_ENGINE;
	ok = ENGINE_ctrl_cmd_string(eng, "QUIET", NULL, 1);
	ok = ok && (!t->module || ENGINE_ctrl_cmd_string(eng, "MODULE_PATH", t->module, 0));
	ok = ok && (!pin || ENGINE_ctrl_cmd_string(eng, "PIN", pin, 0));
	ok = ok && ENGINE_init(eng);
	ENGINE_free(eng); /* after ENGINE_init, its functional reference holds it */
	if (!ok)
		return TOKEN_NO_SETUP;
	*e = eng;
	*key = ENGINE_load_private_key(eng, t->uri, ui, asked);
	if (pin) /* the engine's copy of the PIN, wiped */
		ENGINE_ctrl_cmd_string(eng, "PIN", "", 0);
	return *key ? TOKEN_OK : TOKEN_NO_KEY;
}

static void token_engine_release(ENGINE *e)
{
	if (e)
		ENGINE_finish(e);
}
#pragma GCC diagnostic pop

/* What the engine left in OpenSSL's error queue: the earliest reason (the
 * most precise), and whether the token refused the PIN: a PKCS#11 code
 * CKR_PIN_INCORRECT to CKR_PIN_LOCKED (0xA0-0xA4), which the engine
 * reports in an error library of its own. */
static int engine_reason(char *why, size_t cap)
{
	unsigned long e;
	const char *r;
	int pin = 0;

	why[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		r = ERR_reason_error_string(e);
		if (ERR_GET_LIB(e) >= ERR_LIB_USER && ERR_GET_REASON(e) >= 0xA0 &&
		    ERR_GET_REASON(e) <= 0xA4)
			pin = 1;
		if (!why[0] && r)
			snprintf(why, cap, "%s", r);
	}
	if (!why[0])
		snprintf(why, cap, "no reason given");
	return pin;
}

static int token_failure(const char *uri, const struct token_ref *t, int stage, int asked,
                         struct ifk_error *err)
{
	char why[160];
	int pin = engine_reason(why, sizeof(why));

	if (stage == TOKEN_NO_ENGINE)
		return ifk_error_set(err, IFK_EUNSUPPORTED,
		                     "%s: OpenSSL's pkcs11 engine is not installed (Debian package "
		                     "libengine-pkcs11-openssl)",
		                     uri);
	if (stage == TOKEN_NO_SETUP)
		return ifk_error_set(err, IFK_EUNSUPPORTED,
		                     "%s: OpenSSL's pkcs11 engine does not start: %s", uri, why);
	if (asked)
		return ifk_error_set(err, IFK_EPASSWORD,
		                     "%s: the token needs its PIN: give it with "
		                     "--key-password-file or IFK_KEY_PASSWORD",
		                     uri);
	if (pin)
		return ifk_error_set(err, IFK_EPASSWORD, "%s: the token refused the PIN (%s)", uri,
		                     why);
	return ifk_error_set(err, IFK_ENOTFOUND,
	                     "%s: the private key cannot be loaded: %s (PKCS#11 module %s)", uri,
	                     why, t->module ? t->module : "the engine's default");
}

/* The private key the URI names, loaded through the engine; *e (see
 * token_engine_load) is released by the caller after the key. An empty PIN
 * is no PIN: the token is not offered it, so that no retry is spent. */
static int token_key(const char *uri, const char *pin, ENGINE **e, EVP_PKEY **key,
                     struct ifk_error *err)
{
	struct token_ref t;
	UI_METHOD *ui = NULL;
	int asked = 0, stage, rc = token_ref_parse(uri, &t, err);

	*e = NULL;
	*key = NULL;
	if (rc)
		return rc;
	ui = UI_create_method("ifk: no PIN prompt");
	if (!ui || UI_method_set_reader(ui, pin_unasked) != 0) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	ERR_clear_error();
	stage = token_engine_load(&t, pin && *pin ? pin : NULL, ui, &asked, e, key);
	if (stage != TOKEN_OK)
		rc = token_failure(uri, &t, stage, asked, err);
out:
	ERR_clear_error();
	UI_destroy_method(ui);
	token_ref_free(&t);
	return rc;
}

/* The key of a PEM file, or of a token when key_path is a PKCS#11 URI. */
static int load_key(const char *key_path, const char *key_pass, struct ifk_signer *s,
                    struct ifk_error *err)
{
	if (is_token_uri(key_path))
		return token_key(key_path, key_pass, &s->engine, &s->key, err);
	s->key = read_key(key_path, key_pass, err);
	return s->key ? 0 : err ? err->code : IFK_EFORMAT;
}

int ifk_signer_load(const char *key_path, const char *cert_path, const char *key_pass,
                    struct ifk_signer **out, struct ifk_error *err)
{
	struct ifk_signer *s = calloc(1, sizeof(*s));
	int rc = 0;

	*out = NULL;
	if (!s)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	s->cert = read_cert(cert_path, err);
	if (!s->cert) {
		rc = err ? err->code : IFK_EFORMAT;
		goto out;
	}
	rc = load_key(key_path, key_pass, s, err);
	if (rc)
		goto out;
	if (X509_check_private_key(s->cert, s->key) != 1) {
		rc = ifk_error_set(err, IFK_EINVAL, "%s: the private key does not match %s",
		                   key_path, cert_path);
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(s->cert)) <= 0 ||
	    X509_cmp_current_time(X509_get0_notBefore(s->cert)) >= 0) {
		rc = ifk_error_set(err, IFK_EINVAL, "%s: the certificate is not valid now",
		                   cert_path);
		goto out;
	}
	name_line(X509_get_subject_name(s->cert), s->subject, sizeof(s->subject));
	cert_fingerprint(s->cert, s->fingerprint);
out:
	if (rc) {
		ifk_signer_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

const char *ifk_signer_subject(const struct ifk_signer *s)
{
	return s->subject;
}

const char *ifk_signer_fingerprint(const struct ifk_signer *s)
{
	return s->fingerprint;
}

int ifk_signer_sign(const struct ifk_signer *s, const void *content, size_t len, uint8_t **der,
                    size_t *der_len, struct ifk_error *err)
{
	BIO *in = BIO_new_mem_buf(content, (int)len);
	CMS_ContentInfo *cms = NULL;
	unsigned char *p = NULL;
	int n, rc = 0;

	*der = NULL;
	*der_len = 0;
	if (!in || len > INT32_MAX)
		return ifk_error_set(err, IFK_ENOMEM, "seal: cannot buffer content");
	cms = CMS_sign(s->cert, s->key, NULL, in, CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP);
	if (!cms) {
		rc = ifk_error_set(err, IFK_ECRYPTO, "seal: signing failed: %s", ossl_reason());
		goto out;
	}
	n = i2d_CMS_ContentInfo(cms, &p);
	if (n <= 0) {
		rc = ifk_error_set(err, IFK_ECRYPTO, "seal: encoding failed: %s", ossl_reason());
		goto out;
	}
	*der = malloc((size_t)n);
	if (!*der) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*der, p, (size_t)n);
	*der_len = (size_t)n;
out:
	OPENSSL_free(p);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return rc;
}

void ifk_signer_free(struct ifk_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	token_engine_release(s->engine); /* after the key, which the engine serves */
	X509_free(s->cert);
	free(s);
}

static void last_error_text(char *out, size_t cap)
{
	const char *data = NULL;
	int flags = 0;
	unsigned long e, last = 0;
	const char *last_data = NULL;

	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		last = e;
		if (data && (flags & ERR_TXT_STRING) && *data)
			last_data = data;
	}
	if (last_data)
		snprintf(out, cap, "%s", last_data);
	else if (last)
		snprintf(out, cap, "%s",
		         ERR_reason_error_string(last) ? ERR_reason_error_string(last)
		                                       : "verification failure");
	else
		snprintf(out, cap, "verification failure");
}

static int cms_check(CMS_ContentInfo *cms, const void *content, size_t len, X509_STORE *store,
                     unsigned int flags)
{
	BIO *dcont = BIO_new_mem_buf(content, (int)len);
	int ok;

	if (!dcont)
		return 0;
	ERR_clear_error();
	ok = CMS_verify(cms, NULL, store, dcont, NULL, flags | CMS_BINARY | CMS_DETACHED);
	BIO_free(dcont);
	return ok == 1;
}

static int signing_time(CMS_ContentInfo *cms, time_t *t, char out[21])
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	CMS_SignerInfo *si =
	    sis && sk_CMS_SignerInfo_num(sis) > 0 ? sk_CMS_SignerInfo_value(sis, 0) : NULL;
	X509_ATTRIBUTE *attr;
	ASN1_TYPE *v;
	struct tm tm;
	int idx;

	out[0] = '\0';
	if (!si)
		return -1;
	idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	attr = idx >= 0 ? CMS_signed_get_attr(si, idx) : NULL;
	v = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
	if (!v || (v->type != V_ASN1_UTCTIME && v->type != V_ASN1_GENERALIZEDTIME))
		return -1;
	if (ASN1_TIME_to_tm((const ASN1_TIME *)v->value.asn1_string, &tm) != 1)
		return -1;
	*t = timegm(&tm);
	ifk_time_iso(*t, out);
	return 0;
}

static void describe_signer(CMS_ContentInfo *cms, struct ifk_seal_info *info)
{
	STACK_OF(X509) *signers = CMS_get0_signers(cms);
	X509 *cert = signers && sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : NULL;

	if (cert) {
		name_line(X509_get_subject_name(cert), info->subject, sizeof(info->subject));
		name_line(X509_get_issuer_name(cert), info->issuer, sizeof(info->issuer));
		cert_fingerprint(cert, info->fingerprint);
		info->self_signed = X509_self_signed(cert, 1) == 1;
	}
	sk_X509_free(signers);
}

/* The trusted certificates of trust_path, checked at the seal's signing
 * time when it has one. */
static int load_store(const char *trust_path, time_t when, int have_time, X509_STORE **out,
                      struct ifk_error *err)
{
	X509_STORE *store = X509_STORE_new();

	*out = NULL;
	if (!store)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (access(trust_path, R_OK) != 0) {
		int rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot read trusted certificate",
		                       trust_path);
		X509_STORE_free(store);
		return rc;
	}
	if (X509_STORE_load_file(store, trust_path) != 1) {
		X509_STORE_free(store);
		return ifk_error_set(err, IFK_EFORMAT, "%s: no PEM certificate in it", trust_path);
	}
	if (have_time)
		X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), when);
	*out = store;
	return 0;
}

static void untrusted(struct ifk_seal_info *info, const char *trust_path)
{
	char why[200];

	last_error_text(why, sizeof(why));
	snprintf(info->reason, sizeof(info->reason), "signer does not chain to %s: %s", trust_path,
	         why);
}

static int check_trust(CMS_ContentInfo *cms, const void *content, size_t len,
                       const char *trust_path, time_t when, int have_time,
                       struct ifk_seal_info *info, struct ifk_error *err)
{
	X509_STORE *store = NULL;
	int rc = load_store(trust_path, when, have_time, &store, err);

	if (rc)
		return rc;
	info->trusted = cms_check(cms, content, len, store, 0);
	if (!info->trusted)
		untrusted(info, trust_path);
	X509_STORE_free(store);
	return 0;
}

int ifk_seal_verify(const uint8_t *der, size_t der_len, const void *content, size_t len,
                    const char *trust_path, struct ifk_seal_info *info, struct ifk_error *err)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = NULL;
	time_t when = 0;
	int have_time, rc = 0;

	memset(info, 0, sizeof(*info));
	if (der_len > INT32_MAX || len > INT32_MAX)
		return ifk_error_set(err, IFK_EFORMAT, "seal: too large");
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
	if (!cms || p != der + der_len || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		snprintf(info->reason, sizeof(info->reason), "not a DER CMS signed-data structure");
		goto out;
	}
	have_time = signing_time(cms, &when, info->signing_time) == 0;
	info->valid = cms_check(cms, content, len, NULL, CMS_NO_SIGNER_CERT_VERIFY);
	if (!info->valid) {
		char why[200];
		last_error_text(why, sizeof(why));
		snprintf(info->reason, sizeof(info->reason), "signature does not match: %s", why);
		goto out;
	}
	describe_signer(cms, info);
	if (trust_path)
		rc = check_trust(cms, content, len, trust_path, when, have_time, info, err);
out:
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

/* ---- streaming: content read from a file descriptor ---- */

/* A BIO source that reads fd and keeps the errno of a failed read (a failed
 * read would otherwise look like the end of the content to CMS). */
struct fd_src {
	int fd;
	int read_errno;
};

#define FD_SRC_TYPE ((BIO_TYPE_START + 73) | BIO_TYPE_SOURCE_SINK)

static int src_read(BIO *b, char *buf, int len)
{
	struct fd_src *src = BIO_get_data(b);
	ssize_t n;

	if (len <= 0)
		return 0;
	do
		n = read(src->fd, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		src->read_errno = errno;
		return -1;
	}
	return (int)n;
}

static long src_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int src_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* A buffered BIO over src (1 MiB reads). Free it with BIO_free_all, then
 * *meth with BIO_meth_free. */
static BIO *fd_source(struct fd_src *src, BIO_METHOD **meth)
{
	BIO *raw = NULL, *buf = NULL;

	*meth = BIO_meth_new(FD_SRC_TYPE, "ifk fd source");
	if (!*meth || !BIO_meth_set_read(*meth, src_read) || !BIO_meth_set_ctrl(*meth, src_ctrl) ||
	    !BIO_meth_set_create(*meth, src_create))
		return NULL;
	raw = BIO_new(*meth);
	buf = BIO_new(BIO_f_buffer());
	if (!raw || !buf || BIO_set_read_buffer_size(buf, IFK_IO_CHUNK) != 1) {
		BIO_free(raw);
		BIO_free(buf);
		return NULL;
	}
	BIO_set_data(raw, src);
	return BIO_push(buf, raw);
}

static int encode_der(CMS_ContentInfo *cms, uint8_t **der, size_t *der_len, struct ifk_error *err)
{
	unsigned char *p = NULL;
	int n = i2d_CMS_ContentInfo(cms, &p);

	if (n <= 0)
		return ifk_error_set(err, IFK_ECRYPTO, "seal: encoding failed: %s", ossl_reason());
	*der = malloc((size_t)n);
	if (*der) {
		memcpy(*der, p, (size_t)n);
		*der_len = (size_t)n;
	}
	OPENSSL_free(p);
	return *der ? 0 : ifk_error_set(err, IFK_ENOMEM, "out of memory");
}

int ifk_signer_sign_fd(const struct ifk_signer *s, int fd, uint8_t **der, size_t *der_len,
                       struct ifk_error *err)
{
	struct fd_src src = {fd, 0};
	BIO_METHOD *meth = NULL;
	BIO *in = fd_source(&src, &meth);
	CMS_ContentInfo *cms = NULL;
	int rc = 0;

	*der = NULL;
	*der_len = 0;
	if (!in) {
		rc = ifk_error_set(err, IFK_ENOMEM, "seal: cannot set up reading");
		goto out;
	}
	ERR_clear_error();
	cms = CMS_sign(s->cert, s->key, NULL, in, CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP);
	if (src.read_errno)
		rc = ifk_error_sys(err, IFK_EIO, src.read_errno, "seal: cannot read the content");
	else if (!cms)
		rc = ifk_error_set(err, IFK_ECRYPTO, "seal: signing failed: %s", ossl_reason());
	else
		rc = encode_der(cms, der, der_len, err);
out:
	CMS_ContentInfo_free(cms);
	BIO_free_all(in);
	BIO_meth_free(meth);
	ERR_clear_error();
	return rc;
}

/* The signature over the content read from fd (one pass); the signer's
 * certificate is not checked here. */
static int stream_check(CMS_ContentInfo *cms, int fd, struct ifk_seal_info *info,
                        struct ifk_error *err)
{
	struct fd_src src = {fd, 0};
	BIO_METHOD *meth = NULL;
	BIO *in = fd_source(&src, &meth);
	int rc = 0;

	if (!in) {
		rc = ifk_error_set(err, IFK_ENOMEM, "seal: cannot set up reading");
		goto out;
	}
	ERR_clear_error();
	info->valid = CMS_verify(cms, NULL, NULL, in, NULL,
	                         CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY | CMS_DETACHED) == 1;
	if (src.read_errno) {
		info->valid = 0;
		rc = ifk_error_sys(err, IFK_EIO, src.read_errno, "seal: cannot read the content");
	} else if (!info->valid) {
		char why[200];
		last_error_text(why, sizeof(why));
		snprintf(info->reason, sizeof(info->reason), "signature does not match: %s", why);
	}
out:
	BIO_free_all(in);
	BIO_meth_free(meth);
	return rc;
}

/* Whether the signer chains to trust_path at the signing time: the signer's
 * certificate and the signed attributes are checked, not the content (the
 * caller has checked it already), so the content is not read again. */
static int trust_only(CMS_ContentInfo *cms, const char *trust_path, time_t when, int have_time,
                      struct ifk_seal_info *info, struct ifk_error *err)
{
	X509_STORE *store = NULL;
	BIO *none = BIO_new_mem_buf("", 0); /* read-only: at its end, reads return 0 */
	int rc = none ? load_store(trust_path, when, have_time, &store, err)
	              : ifk_error_set(err, IFK_ENOMEM, "out of memory");

	if (!rc) {
		ERR_clear_error();
		info->trusted = CMS_verify(cms, NULL, store, none, NULL,
		                           CMS_NO_CONTENT_VERIFY | CMS_BINARY | CMS_DETACHED) == 1;
		if (!info->trusted)
			untrusted(info, trust_path);
	}
	BIO_free(none);
	X509_STORE_free(store);
	return rc;
}

int ifk_seal_verify_fd(const uint8_t *der, size_t der_len, int fd, const char *trust_path,
                       struct ifk_seal_info *info, struct ifk_error *err)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = NULL;
	time_t when = 0;
	int have_time, rc = 0;

	memset(info, 0, sizeof(*info));
	if (der_len > INT32_MAX)
		return ifk_error_set(err, IFK_EFORMAT, "seal: too large");
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
	if (!cms || p != der + der_len || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		snprintf(info->reason, sizeof(info->reason), "not a DER CMS signed-data structure");
		goto out;
	}
	have_time = signing_time(cms, &when, info->signing_time) == 0;
	rc = stream_check(cms, fd, info, err);
	if (rc || !info->valid)
		goto out;
	describe_signer(cms, info);
	if (trust_path)
		rc = trust_only(cms, trust_path, when, have_time, info, err);
out:
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static X509 *build_cert(EVP_PKEY *key, const char *name, const char *org, int days)
{
	X509 *cert = X509_new();
	X509_NAME *subj = X509_NAME_new();
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	BIGNUM *bn = BN_new();
	int ok = cert && subj && serial && bn;

	ok = ok && X509_set_version(cert, X509_VERSION_3);
	ok = ok && BN_rand(bn, 120, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	     BN_to_ASN1_INTEGER(bn, serial) && X509_set_serialNumber(cert, serial);
	ok = ok && X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
	                                      (const unsigned char *)name, -1, -1, 0);
	if (ok && org && *org)
		ok = X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_UTF8,
		                                (const unsigned char *)org, -1, -1, 0);
	ok = ok && X509_set_subject_name(cert, subj) && X509_set_issuer_name(cert, subj);
	ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert), -300) &&
	     X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400);
	ok = ok && X509_set_pubkey(cert, key);
	ok = ok && add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") &&
	     add_ext(cert, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
	     add_ext(cert, NID_ext_key_usage, "emailProtection") &&
	     add_ext(cert, NID_subject_key_identifier, "hash");
	ok = ok && X509_sign(cert, key, EVP_sha256()) > 0;
	X509_NAME_free(subj);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static FILE *create_file(const char *path, mode_t mode, struct ifk_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	FILE *f;

	if (fd < 0) {
		ifk_error_sys(err, errno == EEXIST ? IFK_EEXIST : IFK_EIO, errno,
		              "%s: cannot create", path);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", path);
	}
	return f;
}

/* Writes key (when not NULL) or else cert to path, a new PEM file; on a
 * failure to write, the file is removed. */
static int write_new_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert,
                         struct ifk_error *err)
{
	FILE *f = create_file(path, mode, err);
	int ok;

	if (!f)
		return err ? err->code : IFK_EIO;
	ok =
	    key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
	if (fclose(f) == 0 && ok)
		return 0;
	unlink(path);
	return ifk_error_set(err, IFK_EIO, "%s: write failed", path);
}

/* The key to certify: a new EC P-256 key, or the one on the token. */
static int cert_key(const char *key_path, const char *key_pass, const char *cert_path,
                    ENGINE **engine, EVP_PKEY **key, struct ifk_error *err)
{
	struct stat st;

	if (!is_token_uri(key_path)) {
		*key = EVP_EC_gen("P-256");
		return *key ? 0
		            : ifk_error_set(err, IFK_ECRYPTO, "cannot make a key: %s",
		                            ossl_reason());
	}
	/* before the token is asked for its PIN */
	if (lstat(cert_path, &st) == 0)
		return ifk_error_sys(err, IFK_EEXIST, EEXIST, "%s: cannot create", cert_path);
	return token_key(key_path, key_pass, engine, key, err);
}

int ifk_seal_make_cert(const char *name, const char *org, int days, const char *key_path,
                       const char *cert_path, const char *key_pass, struct ifk_error *err)
{
	ENGINE *engine = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int on_token = is_token_uri(key_path), rc;

	if (!name || !*name || days <= 0 || days > 36500)
		return ifk_error_set(err, IFK_EINVAL,
		                     "a certificate needs a name and 1-36500 days");
	rc = cert_key(key_path, key_pass, cert_path, &engine, &key, err);
	if (rc)
		goto out;
	cert = build_cert(key, name, org, days);
	if (!cert) {
		rc = ifk_error_set(err, IFK_ECRYPTO, "%s: cannot make a certificate: %s", key_path,
		                   ossl_reason());
		goto out;
	}
	if (!on_token)
		rc = write_new_pem(key_path, 0600, key, NULL, err);
	if (!rc && (rc = write_new_pem(cert_path, 0644, NULL, cert, err)) != 0 && !on_token)
		unlink(key_path);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	token_engine_release(engine);
	ERR_clear_error();
	return rc;
}
