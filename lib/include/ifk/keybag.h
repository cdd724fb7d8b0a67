/* ifk keybag: parse and unlock the BackupKeyBag of an encrypted iOS backup
 * (Manifest.plist), then unwrap per-file and Manifest.db keys with it.
 *
 * The keybag is a sequence of TLV items (4-byte ASCII tag, 4-byte big-endian
 * length, value; a 4-byte value is a big-endian integer). The header runs up
 * to the second UUID item: VERS, TYPE, UUID, HMCK, WRAP, SALT, ITER and, on
 * iOS 10.2+, DPWT, DPIC, DPSL. Each later UUID starts one class record: UUID,
 * CLAS, WRAP, KTYP, WPKY, optional PBKY. Unknown tags are skipped.
 *
 * Unlocking derives the passcode key once:
 *   k = DPSL and DPIC present ? PBKDF2-HMAC-SHA256(password, DPSL, DPIC, 32)
 *                             : password
 *   passcode_key = PBKDF2-HMAC-SHA1(k, SALT, ITER, 32)
 * and RFC 3394-unwraps the WPKY of every class whose WRAP has the passcode
 * bit. All parsing treats the input as hostile; every failure is a negative
 * IFK_E* code with a message naming the tag and offset. */
#ifndef IFK_KEYBAG_H
#define IFK_KEYBAG_H

#include <stddef.h>
#include <stdint.h>

#include "ifk/error.h"

#define IFK_KEYBAG_WRAP_DEVICE 1u   /* WRAP bit: needs the device's hardware key */
#define IFK_KEYBAG_WRAP_PASSCODE 2u /* WRAP bit: wrapped with the passcode key */

#define IFK_KEYBAG_KEY_LEN 32         /* an unwrapped class or file key */
#define IFK_KEYBAG_WPKY_LEN 40        /* an RFC 3394-wrapped 32-byte key */
#define IFK_KEYBAG_SALT_LEN 20        /* SALT and DPSL */
#define IFK_KEYBAG_WRAPPED_LEN 44     /* 4-byte LE class + 40-byte wrapped key */
#define IFK_KEYBAG_MAX_CLASSES 64     /* more class records is a format error */
#define IFK_KEYBAG_MAX_ITER 100000000 /* ITER and DPIC above this are refused */

struct ifk_keybag;

/* What unlocking did to one class record. */
enum ifk_keybag_state {
	IFK_KEYBAG_LOCKED = 0,       /* not unlocked yet, or not passcode-wrapped
	                                (WRAP without either bit, or no WPKY) */
	IFK_KEYBAG_UNWRAPPED,        /* the class key is known: files decrypt */
	IFK_KEYBAG_NEEDS_DEVICE_KEY, /* WRAP has the device bit: cannot be decrypted
	                                off the device (not an error) */
	IFK_KEYBAG_CORRUPT,          /* its WPKY failed the integrity check although
	                                the password unwrapped other classes */
};

/* One class record, as reported by ifk_keybag_class_at. */
struct ifk_keybag_class {
	uint32_t protection_class; /* CLAS: 1 Complete ... 11 AlwaysThisDeviceOnly */
	uint32_t wrap;             /* WRAP: IFK_KEYBAG_WRAP_* bits */
	uint32_t key_type;         /* KTYP (0 when absent) */
	enum ifk_keybag_state state;
};

/* Parses len bytes of keybag at buf into a new *out (the caller owns it and
 * frees it with ifk_keybag_free; *out is untouched on error). The keybag
 * keeps no pointer into buf. Errors: IFK_EFORMAT for a truncated item, a
 * length past the end, a duplicate tag, a missing SALT or ITER, a SALT, DPSL
 * or WPKY of the wrong size, an ITER or DPIC of 0 or above
 * IFK_KEYBAG_MAX_ITER, DPIC without DPSL or the reverse, a class item before
 * the first class record, a class record without CLAS or WRAP, a repeated
 * class number, or more than IFK_KEYBAG_MAX_CLASSES classes; IFK_EINVAL,
 * IFK_ENOMEM. A class record without WPKY is kept but cannot be unwrapped. */
int ifk_keybag_parse(const uint8_t *buf, size_t len, struct ifk_keybag **out,
                     struct ifk_error *err);

/* Header values; 0 when the item is absent. */
uint32_t ifk_keybag_version(const struct ifk_keybag *kb);
uint32_t ifk_keybag_type(const struct ifk_keybag *kb);
uint32_t ifk_keybag_iterations(const struct ifk_keybag *kb);

/* 1 when the keybag holds DPSL and DPIC (the PBKDF2-HMAC-SHA256 stage of
 * iOS 10.2+ runs before the SHA-1 one), else 0. Decided from the keybag's
 * own items, never from an iOS version. */
int ifk_keybag_has_dp_stage(const struct ifk_keybag *kb);

/* DPIC, the SHA-256 stage's iteration count; 0 without that stage. */
uint32_t ifk_keybag_dp_iterations(const struct ifk_keybag *kb);

/* The number of class records. */
size_t ifk_keybag_class_count(const struct ifk_keybag *kb);

/* Fills *out with class record i (0-based, in keybag order); IFK_EINVAL
 * when i is out of range. */
int ifk_keybag_class_at(const struct ifk_keybag *kb, size_t i, struct ifk_keybag_class *out,
                        struct ifk_error *err);

/* Derives the passcode key from password (password_len bytes, need not be
 * NUL-terminated; the caller keeps and wipes it) and unwraps every class
 * whose WRAP has the passcode bit. The expensive derivation runs exactly once
 * per call. Classes with the device bit become IFK_KEYBAG_NEEDS_DEVICE_KEY.
 * Returns 0 when at least one class key unwrapped (a class whose WPKY still
 * failed becomes IFK_KEYBAG_CORRUPT); IFK_EPASSWORD ("wrong password") when
 * none did; IFK_EFORMAT when no class is wrapped with the passcode (nothing
 * to check the password against); IFK_EINVAL, IFK_ECRYPTO. On error the
 * keybag keeps the state it had before the call. */
int ifk_keybag_unlock(struct ifk_keybag *kb, const char *password, size_t password_len,
                      struct ifk_error *err);

/* 1 after a successful ifk_keybag_unlock, else 0. */
int ifk_keybag_is_unlocked(const struct ifk_keybag *kb);

/* How many passcode-key derivations (DPIC stage, when present, plus the ITER
 * stage, counted as one) this keybag has run: one per ifk_keybag_unlock call
 * that got past argument checks. For tests and progress reports. */
unsigned ifk_keybag_derivations(const struct ifk_keybag *kb);

/* Unwraps a per-file EncryptionKey or the ManifestKey: len must be
 * IFK_KEYBAG_WRAPPED_LEN (a 4-byte little-endian protection class, then the
 * 40-byte RFC 3394-wrapped key). On success writes the 32-byte key to key_out
 * (the caller wipes it with OPENSSL_cleanse) and returns 0. class_out (may be
 * NULL) receives the protection class whenever len is right, also on error.
 * Errors: IFK_EFORMAT for a bad length; IFK_EINVAL when the keybag is not
 * unlocked; IFK_ENOTFOUND when the class is not in the keybag;
 * IFK_EUNSUPPORTED when the class needs the device key (it cannot be
 * decrypted off the device) or has no passcode wrap; IFK_ECRYPTO when the
 * wrapped key fails its integrity check (corrupt) or the class key was
 * corrupt. key_out is zeroed on error. */
int ifk_keybag_unwrap_key(const struct ifk_keybag *kb, const uint8_t *wrapped, size_t len,
                          uint8_t key_out[IFK_KEYBAG_KEY_LEN], uint32_t *class_out,
                          struct ifk_error *err);

/* The name of a protection class ("Complete", ... "AlwaysThisDeviceOnly"),
 * or "unknown"; a static string, never NULL. */
const char *ifk_keybag_class_name(uint32_t protection_class);

/* A short name for a state ("unwrapped", "needs device key", ...); a static
 * string, never NULL. */
const char *ifk_keybag_state_name(enum ifk_keybag_state state);

/* Wipes every key and frees kb; accepts NULL. */
void ifk_keybag_free(struct ifk_keybag *kb);

#endif
