/* Pairing: one set of keys and certificates made at startup (root CA, host,
 * device), the pair record a paired host would hold, the device's TLS
 * context, and lockdownd's list of trusted hosts. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "devsim.h"

#define KEY_BITS 2048
#define CERT_DAYS 3650

struct keyset {
	EVP_PKEY *root, *host, *device;
	X509 *root_cert, *host_cert, *device_cert;
};

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return 0;
}

/* A certificate for key, signed by issuer_key (itself when issuer is NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       long serial)
{
	X509 *cert = X509_new();
	X509_NAME *name = X509_NAME_new();
	int ca = issuer == NULL;

	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 60L * 60 * 24 * CERT_DAYS);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(cert, name);
	X509_set_issuer_name(cert, ca ? name : X509_get_subject_name(issuer));
	X509_NAME_free(name);
	if (add_ext(cert, ca ? cert : issuer, NID_basic_constraints,
	            ca ? "critical,CA:TRUE" : "critical,CA:FALSE") < 0 ||
	    add_ext(cert, ca ? cert : issuer, NID_subject_key_identifier, "hash") < 0 ||
	    (!ca && add_ext(cert, issuer, NID_key_usage,
	                    "critical,digitalSignature,keyEncipherment") < 0) ||
	    X509_sign(cert, issuer_key, EVP_sha256()) == 0) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static void keyset_free(struct keyset *k)
{
	EVP_PKEY_free(k->root);
	EVP_PKEY_free(k->host);
	EVP_PKEY_free(k->device);
	X509_free(k->root_cert);
	X509_free(k->host_cert);
	X509_free(k->device_cert);
}

static int keyset_make(struct keyset *k)
{
	memset(k, 0, sizeof(*k));
	k->root = EVP_RSA_gen(KEY_BITS);
	k->host = EVP_RSA_gen(KEY_BITS);
	k->device = EVP_RSA_gen(KEY_BITS);
	if (!k->root || !k->host || !k->device)
		return -1;
	k->root_cert = make_cert(k->root, "ifk-devsim root", NULL, k->root, 0);
	if (!k->root_cert)
		return -1;
	k->host_cert = make_cert(k->host, "ifk-devsim host", k->root_cert, k->root, 1);
	k->device_cert = make_cert(k->device, "ifk-devsim device", k->root_cert, k->root, 2);
	return k->host_cert && k->device_cert ? 0 : -1;
}

/* PEM text of a BIO's contents as a plist data node. */
static plist_t bio_data(BIO *bio)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	plist_t d = n > 0 ? plist_new_data(p, (uint64_t)n) : NULL;

	BIO_free(bio);
	return d;
}

static plist_t cert_pem(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());

	PEM_write_bio_X509(bio, cert);
	return bio_data(bio);
}

/* "RSA PRIVATE KEY" (PKCS#1), which the host reads back. */
static plist_t key_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());

	PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0, NULL, NULL);
	return bio_data(bio);
}

/* "RSA PUBLIC KEY" (PKCS#1), as lockdownd's DevicePublicKey. */
static plist_t public_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	OSSL_ENCODER_CTX *ctx =
	    OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", NULL);

	if (!ctx || OSSL_ENCODER_to_bio(ctx, bio) != 1) {
		OSSL_ENCODER_CTX_free(ctx);
		BIO_free(bio);
		return NULL;
	}
	OSSL_ENCODER_CTX_free(ctx);
	return bio_data(bio);
}

static plist_t make_record(struct sim *s, struct keyset *k, const char *host_id)
{
	plist_t r = plist_new_dict();
	unsigned char bag[32];
	const char *wifi = dict_str(s->values, "WiFiAddress");

	if (RAND_bytes(bag, sizeof(bag)) != 1)
		memset(bag, 0xa5, sizeof(bag));
	plist_dict_set_item(r, "DeviceCertificate", cert_pem(k->device_cert));
	plist_dict_set_item(r, "EscrowBag", plist_new_data((const char *)bag, sizeof(bag)));
	plist_dict_set_item(r, "HostCertificate", cert_pem(k->host_cert));
	plist_dict_set_item(r, "HostID", plist_new_string(host_id));
	plist_dict_set_item(r, "HostPrivateKey", key_pem(k->host));
	plist_dict_set_item(r, "RootCertificate", cert_pem(k->root_cert));
	plist_dict_set_item(r, "RootPrivateKey", key_pem(k->root));
	plist_dict_set_item(r, "SystemBUID", plist_new_string(s->buid));
	plist_dict_set_item(r, "WiFiMACAddress", plist_new_string(wifi ? wifi : ""));
	return r;
}

/* Device side TLS, as the stock host needs it: any protocol from TLS 1.0,
 * security level 0, no client certificate check. */
static SSL_CTX *make_tls(struct keyset *k)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (SSL_CTX_use_certificate(ctx, k->device_cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, k->device) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The pre-seeded record: usbmuxd returns it and lockdownd trusts its
 * HostID, unless --unpaired. */
static void seed(struct sim *s, plist_t record, const char *host_id)
{
	plist_t cert = plist_dict_get_item(record, "DeviceCertificate");
	char *bytes = NULL;
	uint32_t len = 0;

	s->pair_record = record;
	if (s->o.unpaired)
		return;
	plist_to_xml(record, &bytes, &len);
	plist_dict_set_item(s->mux_records, s->udid, plist_new_data(bytes, len));
	plist_to_xml_free(bytes);
	plist_dict_set_item(s->hosts, host_id, plist_copy(cert));
}

int pairing_init(struct sim *s)
{
	struct keyset k;
	char *host_id;
	plist_t pub;
	int rc = -1;

	s->buid = sim_uuid();
	s->mux_records = plist_new_dict();
	s->hosts = plist_new_dict();
	if (keyset_make(&k) < 0 || !(pub = public_pem(k.device)))
		goto out;
	plist_dict_set_item(s->values, "DevicePublicKey", pub);
	s->tls = make_tls(&k);
	if (!s->tls)
		goto out;
	host_id = sim_uuid();
	seed(s, make_record(s, &k, host_id), host_id);
	free(host_id);
	s->device_key = k.device;
	k.device = NULL;
	rc = 0;
out:
	if (rc < 0)
		ERR_print_errors_fp(stderr);
	keyset_free(&k);
	return rc;
}

void pairing_free(struct sim *s)
{
	SSL_CTX_free(s->tls);
	EVP_PKEY_free(s->device_key);
	plist_free(s->pair_record);
	plist_free(s->mux_records);
	plist_free(s->hosts);
	free(s->buid);
}

int pairing_trusts(struct sim *s, const char *host_id)
{
	int yes;

	pthread_mutex_lock(&s->lock);
	yes = host_id && plist_dict_get_item(s->hosts, host_id) != NULL;
	pthread_mutex_unlock(&s->lock);
	return yes;
}

/* The device certificate of this host's pairing, when it is not the
 * device's own and matches the device key (a host that paired itself made
 * one from DevicePublicKey). */
void pairing_use_cert(struct sim *s, SSL *ssl, const char *host_id)
{
	const char *pem = NULL;
	uint64_t len = 0;
	X509 *cert = NULL;
	BIO *bio;
	plist_t n;

	pthread_mutex_lock(&s->lock);
	n = host_id ? plist_dict_get_item(s->hosts, host_id) : NULL;
	if (plist_get_node_type(n) == PLIST_DATA)
		pem = plist_get_data_ptr(n, &len);
	bio = pem && len < 65536 ? BIO_new_mem_buf(pem, (int)len) : NULL;
	if (bio)
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	pthread_mutex_unlock(&s->lock);
	BIO_free(bio);
	if (cert && X509_check_private_key(cert, s->device_key) == 1)
		SSL_use_certificate(ssl, cert);
	X509_free(cert);
	ERR_clear_error();
}
