#include "formats.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

/* Known tags; the order matches tag_names. */
enum tag_id {
	T_VERS,
	T_TYPE,
	T_UUID,
	T_HMCK,
	T_WRAP,
	T_SALT,
	T_ITER,
	T_DPWT,
	T_DPIC,
	T_DPSL,
	T_CLAS,
	T_KTYP,
	T_WPKY,
	T_PBKY,
	T_UNKNOWN,
};

static const char tag_names[T_UNKNOWN][5] = {
    "VERS", "TYPE", "UUID", "HMCK", "WRAP", "SALT", "ITER",
    "DPWT", "DPIC", "DPSL", "CLAS", "KTYP", "WPKY", "PBKY",
};

#define BIT(id) (1u << (id))

struct item {
	enum tag_id id;
	char name[5]; /* the tag, non-printable bytes shown as '?' */
	size_t off;   /* offset of the item's tag */
	const uint8_t *val;
	size_t len;
};

struct kb_class {
	uint32_t clas, wrap, ktyp;
	unsigned seen; /* BIT(tag) of every tag in this record */
	size_t off;    /* offset of its UUID */
	uint8_t wpky[IFK_KEYBAG_WPKY_LEN];
	uint8_t key[IFK_KEYBAG_KEY_LEN];
	enum ifk_keybag_state state;
};

struct ifk_keybag {
	uint32_t vers, type, wrap, iter, dpwt, dpic;
	uint8_t salt[IFK_KEYBAG_SALT_LEN];
	uint8_t dpsl[IFK_KEYBAG_SALT_LEN];
	unsigned seen; /* BIT(tag) of every header tag */
	int unlocked;
	unsigned derivations;
	size_t nclasses;
	struct kb_class cls[IFK_KEYBAG_MAX_CLASSES];
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static enum tag_id tag_lookup(const uint8_t *p)
{
	int i;

	for (i = 0; i < T_UNKNOWN; i++)
		if (memcmp(p, tag_names[i], 4) == 0)
			return (enum tag_id)i;
	return T_UNKNOWN;
}

/* Reads the item at off, checking that its header and value fit in len. */
static int read_item(const uint8_t *buf, size_t len, size_t off, struct item *it,
                     struct ifk_error *err)
{
	size_t left = len - off, i;

	if (left < 8)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: item at offset %zu is truncated: %zu bytes left, "
		                     "an item header needs 8",
		                     off, left);
	for (i = 0; i < 4; i++)
		it->name[i] =
		    buf[off + i] >= 0x20 && buf[off + i] < 0x7f ? (char)buf[off + i] : '?';
	it->name[4] = '\0';
	it->id = tag_lookup(buf + off);
	it->off = off;
	it->len = be32(buf + off + 4);
	it->val = buf + off + 8;
	if (it->len > left - 8)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: %s at offset %zu has length %zu, past the end "
		                     "(%zu bytes left)",
		                     it->name, off, it->len, left - 8);
	return 0;
}

static int get_u32(const struct item *it, uint32_t *v, struct ifk_error *err)
{
	if (it->len != 4)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: %s at offset %zu has length %zu, expected 4",
		                     it->name, it->off, it->len);
	*v = be32(it->val);
	return 0;
}

static int get_count(const struct item *it, uint32_t *v, struct ifk_error *err)
{
	int rc = get_u32(it, v, err);

	if (rc == 0 && (*v == 0 || *v > IFK_KEYBAG_MAX_ITER))
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: %s at offset %zu is %u, must be 1..%u", it->name,
		                     it->off, *v, (unsigned)IFK_KEYBAG_MAX_ITER);
	return rc;
}

static int get_bytes(const struct item *it, uint8_t *dst, size_t want, struct ifk_error *err)
{
	if (it->len != want)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: %s at offset %zu is %zu bytes, expected %zu",
		                     it->name, it->off, it->len, want);
	memcpy(dst, it->val, want);
	return 0;
}

static int dup_tag(unsigned *seen, const struct item *it, struct ifk_error *err)
{
	if (it->id == T_UNKNOWN)
		return 0;
	if (*seen & BIT(it->id))
		return ifk_error_set(err, IFK_EFORMAT, "keybag: duplicate %s at offset %zu",
		                     it->name, it->off);
	*seen |= BIT(it->id);
	return 0;
}

static int header_item(struct ifk_keybag *kb, const struct item *it, struct ifk_error *err)
{
	int rc = dup_tag(&kb->seen, it, err);

	if (rc)
		return rc;
	switch (it->id) {
	case T_VERS:
		return get_u32(it, &kb->vers, err);
	case T_TYPE:
		return get_u32(it, &kb->type, err);
	case T_WRAP:
		return get_u32(it, &kb->wrap, err);
	case T_DPWT:
		return get_u32(it, &kb->dpwt, err);
	case T_ITER:
		return get_count(it, &kb->iter, err);
	case T_DPIC:
		return get_count(it, &kb->dpic, err);
	case T_SALT:
		return get_bytes(it, kb->salt, sizeof(kb->salt), err);
	case T_DPSL:
		return get_bytes(it, kb->dpsl, sizeof(kb->dpsl), err);
	case T_CLAS:
	case T_KTYP:
	case T_WPKY:
	case T_PBKY:
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: %s at offset %zu comes before any class record "
		                     "(a class record starts at the UUID after the header's)",
		                     it->name, it->off);
	default:
		return 0; /* UUID, HMCK and unknown tags */
	}
}

static int class_item(struct kb_class *c, const struct item *it, struct ifk_error *err)
{
	int rc = dup_tag(&c->seen, it, err);

	if (rc)
		return rc;
	switch (it->id) {
	case T_CLAS:
		return get_u32(it, &c->clas, err);
	case T_WRAP:
		return get_u32(it, &c->wrap, err);
	case T_KTYP:
		return get_u32(it, &c->ktyp, err);
	case T_WPKY:
		return get_bytes(it, c->wpky, sizeof(c->wpky), err);
	default:
		return 0; /* PBKY, header tags repeated here and unknown tags */
	}
}

/* Checks the class record being closed: required items, unique class. */
static int finish_class(const struct ifk_keybag *kb, const struct kb_class *c,
                        struct ifk_error *err)
{
	static const enum tag_id need[] = {T_CLAS, T_WRAP};
	size_t i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!(c->seen & BIT(need[i])))
			return ifk_error_set(err, IFK_EFORMAT,
			                     "keybag: class record at offset %zu has no %s", c->off,
			                     tag_names[need[i]]);
	for (i = 0; kb->cls + i != c; i++)
		if (kb->cls[i].clas == c->clas)
			return ifk_error_set(
			    err, IFK_EFORMAT,
			    "keybag: class record at offset %zu repeats protection "
			    "class %u (first at offset %zu)",
			    c->off, c->clas, kb->cls[i].off);
	return 0;
}

static int start_class(struct ifk_keybag *kb, const struct item *it, struct ifk_error *err)
{
	struct kb_class *c;
	int rc;

	if (kb->nclasses > 0 && (rc = finish_class(kb, &kb->cls[kb->nclasses - 1], err)))
		return rc;
	if (kb->nclasses == IFK_KEYBAG_MAX_CLASSES)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: class record at offset %zu is one too many: at most "
		                     "%d are allowed",
		                     it->off, IFK_KEYBAG_MAX_CLASSES);
	c = &kb->cls[kb->nclasses++];
	c->off = it->off;
	c->seen = BIT(T_UUID);
	return 0;
}

static int finish_header(const struct ifk_keybag *kb, struct ifk_error *err)
{
	int dpic = !!(kb->seen & BIT(T_DPIC)), dpsl = !!(kb->seen & BIT(T_DPSL));

	if (!(kb->seen & BIT(T_SALT)))
		return ifk_error_set(err, IFK_EFORMAT, "keybag: the header has no SALT");
	if (!(kb->seen & BIT(T_ITER)))
		return ifk_error_set(err, IFK_EFORMAT, "keybag: the header has no ITER");
	if (dpic != dpsl)
		return ifk_error_set(err, IFK_EFORMAT, "keybag: the header has %s but no %s",
		                     dpic ? "DPIC" : "DPSL", dpic ? "DPSL" : "DPIC");
	return 0;
}

static int parse_items(struct ifk_keybag *kb, const uint8_t *buf, size_t len, struct ifk_error *err)
{
	struct item it;
	size_t off = 0;
	int rc;

	while (off < len) {
		if ((rc = read_item(buf, len, off, &it, err)))
			return rc;
		if (it.id == T_UUID && (kb->seen & BIT(T_UUID)))
			rc = start_class(kb, &it, err);
		else if (kb->nclasses > 0)
			rc = class_item(&kb->cls[kb->nclasses - 1], &it, err);
		else
			rc = header_item(kb, &it, err);
		if (rc)
			return rc;
		off += 8 + it.len;
	}
	if (kb->nclasses > 0 && (rc = finish_class(kb, &kb->cls[kb->nclasses - 1], err)))
		return rc;
	return finish_header(kb, err);
}

int ifk_keybag_parse(const uint8_t *buf, size_t len, struct ifk_keybag **out, struct ifk_error *err)
{
	struct ifk_keybag *kb = NULL;
	int rc;

	if (!out || (!buf && len))
		return ifk_error_set(err, IFK_EINVAL, "keybag: parse: NULL argument");
	if (len == 0)
		return ifk_error_set(err, IFK_EFORMAT, "keybag: empty (0 bytes)");
	kb = calloc(1, sizeof(*kb));
	if (!kb)
		return ifk_error_set(err, IFK_ENOMEM, "keybag: out of memory parsing %zu bytes",
		                     len);
	rc = parse_items(kb, buf, len, err);
	if (rc)
		goto out;
	*out = kb;
	kb = NULL;
out:
	ifk_keybag_free(kb);
	return rc;
}

uint32_t ifk_keybag_version(const struct ifk_keybag *kb)
{
	return kb ? kb->vers : 0;
}

uint32_t ifk_keybag_type(const struct ifk_keybag *kb)
{
	return kb ? kb->type : 0;
}

uint32_t ifk_keybag_iterations(const struct ifk_keybag *kb)
{
	return kb ? kb->iter : 0;
}

int ifk_keybag_has_dp_stage(const struct ifk_keybag *kb)
{
	return kb && (kb->seen & BIT(T_DPIC)) && (kb->seen & BIT(T_DPSL));
}

uint32_t ifk_keybag_dp_iterations(const struct ifk_keybag *kb)
{
	return ifk_keybag_has_dp_stage(kb) ? kb->dpic : 0;
}

size_t ifk_keybag_class_count(const struct ifk_keybag *kb)
{
	return kb ? kb->nclasses : 0;
}

int ifk_keybag_class_at(const struct ifk_keybag *kb, size_t i, struct ifk_keybag_class *out,
                        struct ifk_error *err)
{
	if (!kb || !out)
		return ifk_error_set(err, IFK_EINVAL, "keybag: class_at: NULL argument");
	if (i >= kb->nclasses)
		return ifk_error_set(err, IFK_EINVAL,
		                     "keybag: class index %zu out of range (%zu classes)", i,
		                     kb->nclasses);
	out->protection_class = kb->cls[i].clas;
	out->wrap = kb->cls[i].wrap;
	out->key_type = kb->cls[i].ktyp;
	out->state = kb->cls[i].state;
	return 0;
}

int ifk_keybag_is_unlocked(const struct ifk_keybag *kb)
{
	return kb && kb->unlocked;
}

unsigned ifk_keybag_derivations(const struct ifk_keybag *kb)
{
	return kb ? kb->derivations : 0;
}

/* RFC 3394 unwrap of 40 bytes into 32. Returns 0, 1 when the integrity check
 * fails, or IFK_ECRYPTO when OpenSSL could not run it. */
static int aes_unwrap(const uint8_t kek[IFK_KEYBAG_KEY_LEN], const uint8_t in[IFK_KEYBAG_WPKY_LEN],
                      uint8_t out[IFK_KEYBAG_KEY_LEN])
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t tmp[IFK_KEYBAG_WPKY_LEN + 16];
	int n = 0, rc = IFK_ECRYPTO;

	ERR_set_mark();
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		goto out;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_wrap(), NULL, kek, NULL) != 1)
		goto out;
	if (EVP_DecryptUpdate(ctx, tmp, &n, in, IFK_KEYBAG_WPKY_LEN) != 1 ||
	    n != IFK_KEYBAG_KEY_LEN) {
		rc = 1;
		goto out;
	}
	memcpy(out, tmp, IFK_KEYBAG_KEY_LEN);
	rc = 0;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	EVP_CIPHER_CTX_free(ctx);
	ERR_pop_to_mark();
	return rc;
}

static void derive_passcode_key(const struct ifk_keybag *kb, const char *password,
                                size_t password_len, uint8_t pk[IFK_KEYBAG_KEY_LEN])
{
	uint8_t k[IFK_KEYBAG_KEY_LEN];
	const char *pw = password ? password : "";
	size_t pwlen = password_len;

	if (ifk_keybag_has_dp_stage(kb)) {
		ifk_pbkdf2_sha256(pw, pwlen, kb->dpsl, sizeof(kb->dpsl), kb->dpic, k, sizeof(k));
		pw = (const char *)k;
		pwlen = sizeof(k);
	}
	ifk_pbkdf2_sha1(pw, pwlen, kb->salt, sizeof(kb->salt), kb->iter, pk, IFK_KEYBAG_KEY_LEN);
	OPENSSL_cleanse(k, sizeof(k));
}

static int passcode_wrapped(const struct kb_class *c)
{
	return (c->wrap & IFK_KEYBAG_WRAP_PASSCODE) && (c->seen & BIT(T_WPKY));
}

/* Unwraps every class into keys/states; commits to kb only when at least
 * one passcode-wrapped class key unwrapped. */
static int unwrap_classes(struct ifk_keybag *kb, const uint8_t pk[IFK_KEYBAG_KEY_LEN],
                          struct ifk_error *err)
{
	uint8_t keys[IFK_KEYBAG_MAX_CLASSES][IFK_KEYBAG_KEY_LEN];
	enum ifk_keybag_state states[IFK_KEYBAG_MAX_CLASSES];
	size_t i, tried = 0, ok = 0;
	int rc = 0, r;

	memset(keys, 0, sizeof(keys));
	for (i = 0; i < kb->nclasses; i++) {
		states[i] = IFK_KEYBAG_LOCKED;
		if (passcode_wrapped(&kb->cls[i])) {
			tried++;
			r = aes_unwrap(pk, kb->cls[i].wpky, keys[i]);
			if (r < 0) {
				rc = ifk_error_set(err, r,
				                   "keybag: AES key unwrap of class %u "
				                   "could not run",
				                   kb->cls[i].clas);
				goto out;
			}
			ok += r == 0;
			states[i] = r == 0 ? IFK_KEYBAG_UNWRAPPED : IFK_KEYBAG_CORRUPT;
		}
		if (kb->cls[i].wrap & IFK_KEYBAG_WRAP_DEVICE) {
			OPENSSL_cleanse(keys[i], sizeof(keys[i]));
			if (states[i] != IFK_KEYBAG_CORRUPT)
				states[i] = IFK_KEYBAG_NEEDS_DEVICE_KEY;
		}
	}
	if (ok == 0) {
		rc = ifk_error_set(err, IFK_EPASSWORD,
		                   "keybag: wrong password (none of %zu class keys unwrapped)",
		                   tried);
		goto out;
	}
	for (i = 0; i < kb->nclasses; i++) {
		memcpy(kb->cls[i].key, keys[i], sizeof(keys[i]));
		kb->cls[i].state = states[i];
	}
	kb->unlocked = 1;
out:
	OPENSSL_cleanse(keys, sizeof(keys));
	return rc;
}

static size_t passcode_classes(const struct ifk_keybag *kb)
{
	size_t i, n = 0;

	for (i = 0; i < kb->nclasses; i++)
		n += passcode_wrapped(&kb->cls[i]);
	return n;
}

int ifk_keybag_unlock(struct ifk_keybag *kb, const char *password, size_t password_len,
                      struct ifk_error *err)
{
	uint8_t pk[IFK_KEYBAG_KEY_LEN];
	int rc;

	if (!kb || (!password && password_len))
		return ifk_error_set(err, IFK_EINVAL, "keybag: unlock: NULL argument");
	if (password_len > INT_MAX)
		return ifk_error_set(err, IFK_EINVAL, "keybag: unlock: password of %zu bytes",
		                     password_len);
	if (passcode_classes(kb) == 0)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: no class key is wrapped with the passcode "
		                     "(%zu classes): nothing to check the password against",
		                     kb->nclasses);
	kb->derivations++;
	derive_passcode_key(kb, password, password_len, pk);
	rc = unwrap_classes(kb, pk, err);
	OPENSSL_cleanse(pk, sizeof(pk));
	return rc;
}

int ifk_keybag_check_password(const struct ifk_keybag *kb, const char *password,
                              size_t password_len)
{
	uint8_t pk[IFK_KEYBAG_KEY_LEN], key[IFK_KEYBAG_KEY_LEN];
	size_t i;
	int r = -1;

	if (!kb || (!password && password_len))
		return 0;
	for (i = 0; i < kb->nclasses && !passcode_wrapped(&kb->cls[i]); i++)
		;
	if (i == kb->nclasses)
		return 0;
	derive_passcode_key(kb, password, password_len, pk);
	r = aes_unwrap(pk, kb->cls[i].wpky, key);
	OPENSSL_cleanse(pk, sizeof(pk));
	OPENSSL_cleanse(key, sizeof(key));
	return r == 0;
}

int ifk_keybag_hash_line(const struct ifk_keybag *kb, char **line, struct ifk_error *err)
{
	char wpky[2 * IFK_KEYBAG_WPKY_LEN + 1], salt[2 * IFK_KEYBAG_SALT_LEN + 1];
	char dpsl[2 * IFK_KEYBAG_SALT_LEN + 1];
	size_t i;
	int n;

	*line = NULL;
	for (i = 0; kb && i < kb->nclasses && !passcode_wrapped(&kb->cls[i]); i++)
		;
	if (!kb || i == kb->nclasses)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: no class key is wrapped with the passcode: there is "
		                     "nothing a password could be checked against");
	ifk_hex(kb->cls[i].wpky, sizeof(kb->cls[i].wpky), wpky);
	ifk_hex(kb->salt, sizeof(kb->salt), salt);
	ifk_hex(kb->dpsl, sizeof(kb->dpsl), dpsl);
	if (ifk_keybag_has_dp_stage(kb))
		n = asprintf(line, "$itunes_backup$*10*%s*%u*%s*%u*%s", wpky, kb->iter, salt,
		             kb->dpic, dpsl);
	else
		n = asprintf(line, "$itunes_backup$*9*%s*%u*%s**", wpky, kb->iter, salt);
	if (n < 0) {
		*line = NULL;
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	return 0;
}

static const struct kb_class *find_class(const struct ifk_keybag *kb, uint32_t clas)
{
	size_t i;

	for (i = 0; i < kb->nclasses; i++)
		if (kb->cls[i].clas == clas)
			return &kb->cls[i];
	return NULL;
}

/* Returns the class's key when the class can unwrap file keys, else an error. */
static int usable_class(const struct ifk_keybag *kb, uint32_t clas, const struct kb_class **out,
                        struct ifk_error *err)
{
	const struct kb_class *c = find_class(kb, clas);
	const char *name = ifk_keybag_class_name(clas);

	if (!c)
		return ifk_error_set(err, IFK_ENOTFOUND,
		                     "keybag: protection class %u (%s) is not in the keybag", clas,
		                     name);
	switch (c->state) {
	case IFK_KEYBAG_UNWRAPPED:
		*out = c;
		return 0;
	case IFK_KEYBAG_NEEDS_DEVICE_KEY:
		return ifk_error_set(err, IFK_EUNSUPPORTED,
		                     "keybag: protection class %u (%s) needs the device's hardware "
		                     "key: it cannot be decrypted off the device",
		                     clas, name);
	case IFK_KEYBAG_CORRUPT:
		return ifk_error_set(err, IFK_ECRYPTO,
		                     "keybag: the class key of protection class %u (%s) failed its "
		                     "integrity check at unlock (corrupt keybag)",
		                     clas, name);
	default:
		return ifk_error_set(err, IFK_EUNSUPPORTED,
		                     "keybag: protection class %u (%s) (WRAP %u%s) is not wrapped "
		                     "with the passcode: ifk cannot unwrap it",
		                     clas, name, c->wrap, c->seen & BIT(T_WPKY) ? "" : ", no WPKY");
	}
}

int ifk_keybag_unwrap_key(const struct ifk_keybag *kb, const uint8_t *wrapped, size_t len,
                          uint8_t key_out[IFK_KEYBAG_KEY_LEN], uint32_t *class_out,
                          struct ifk_error *err)
{
	const struct kb_class *c = NULL;
	uint32_t clas;
	int rc;

	if (key_out)
		memset(key_out, 0, IFK_KEYBAG_KEY_LEN);
	if (!kb || !key_out || (!wrapped && len))
		return ifk_error_set(err, IFK_EINVAL, "keybag: unwrap_key: NULL argument");
	if (len != IFK_KEYBAG_WRAPPED_LEN)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "keybag: wrapped key is %zu bytes, expected %d (4-byte class "
		                     "and 40-byte wrapped key)",
		                     len, IFK_KEYBAG_WRAPPED_LEN);
	clas = le32(wrapped);
	if (class_out)
		*class_out = clas;
	if (!kb->unlocked)
		return ifk_error_set(err, IFK_EINVAL,
		                     "keybag: not unlocked: cannot unwrap a key of class %u", clas);
	rc = usable_class(kb, clas, &c, err);
	if (rc)
		return rc;
	rc = aes_unwrap(c->key, wrapped + 4, key_out);
	if (rc == 1)
		return ifk_error_set(
		    err, IFK_ECRYPTO,
		    "keybag: wrapped key of class %u failed its RFC 3394 integrity "
		    "check (corrupt key)",
		    clas);
	if (rc < 0)
		return ifk_error_set(err, rc, "keybag: AES key unwrap (class %u) could not run",
		                     clas);
	return 0;
}

const char *ifk_keybag_class_name(uint32_t protection_class)
{
	static const char *const names[] = {
	    NULL,
	    "Complete",
	    "CompleteUnlessOpen",
	    "CompleteUntilFirstUserAuthentication",
	    "None",
	    "Recovery",
	    "WhenUnlocked",
	    "AfterFirstUnlock",
	    "Always",
	    "WhenUnlockedThisDeviceOnly",
	    "AfterFirstUnlockThisDeviceOnly",
	    "AlwaysThisDeviceOnly",
	};

	if (protection_class == 0 || protection_class >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[protection_class];
}

const char *ifk_keybag_state_name(enum ifk_keybag_state state)
{
	switch (state) {
	case IFK_KEYBAG_LOCKED:
		return "locked";
	case IFK_KEYBAG_UNWRAPPED:
		return "unwrapped";
	case IFK_KEYBAG_NEEDS_DEVICE_KEY:
		return "needs device key";
	case IFK_KEYBAG_CORRUPT:
		return "corrupt";
	}
	return "unknown";
}

void ifk_keybag_free(struct ifk_keybag *kb)
{
	if (!kb)
		return;
	OPENSSL_cleanse(kb, sizeof(*kb));
	free(kb);
}
