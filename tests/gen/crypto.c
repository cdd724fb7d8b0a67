/* OpenSSL wrappers: SHA-1, fileID, RFC 3394 key wrap, PBKDF2, and the file
 * writer that encrypts (AES-256-CBC, zero IV, PKCS#7) and hashes on the fly. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "gen.h"

int gen_sha1(const void *data, size_t len, unsigned char out[20])
{
	if (EVP_Digest(data, len, out, NULL, EVP_sha1(), NULL) != 1)
		return gen_err("SHA-1 failed");
	return 0;
}

int gen_file_id(const char *domain, const char *path, char out[41])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[20];
	int rc = -1;

	if (!md)
		return gen_oom();
	if (EVP_DigestInit_ex(md, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(md, domain, strlen(domain)) != 1 ||
	    EVP_DigestUpdate(md, "-", 1) != 1 || EVP_DigestUpdate(md, path, strlen(path)) != 1 ||
	    EVP_DigestFinal_ex(md, d, NULL) != 1) {
		gen_err("SHA-1 failed");
		goto out;
	}
	gen_hex(d, sizeof(d), 0, out);
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/* One-shot EVP encryption of exactly in_len bytes into out_len bytes. */
static int evp_once(const EVP_CIPHER *cipher, int wrap, const unsigned char *key,
                    const unsigned char *in, int in_len, unsigned char *out, int out_len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, rc = -1;

	if (!ctx)
		return gen_oom();
	if (wrap)
		EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_EncryptInit_ex(ctx, cipher, NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &n, in, in_len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, out + n, &m) != 1 || n + m != out_len) {
		gen_err("%s failed", EVP_CIPHER_get0_name(cipher));
		goto out;
	}
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int gen_aes_wrap(const unsigned char kek[GEN_KEY_LEN], const unsigned char key[GEN_KEY_LEN],
                 unsigned char out[GEN_WPKY_LEN])
{
	return evp_once(EVP_aes_256_wrap(), 1, kek, key, GEN_KEY_LEN, out, GEN_WPKY_LEN);
}

/* AES-256-ECB of two blocks: stands in for the device (UID) key layer. */
int gen_aes_ecb2(const unsigned char kek[GEN_KEY_LEN], const unsigned char in[GEN_KEY_LEN],
                 unsigned char out[GEN_KEY_LEN])
{
	return evp_once(EVP_aes_256_ecb(), 0, kek, in, GEN_KEY_LEN, out, GEN_KEY_LEN);
}

int gen_pbkdf2(const EVP_MD *md, const void *pass, size_t pass_len, const unsigned char *salt,
               size_t salt_len, uint32_t iter, unsigned char out[GEN_KEY_LEN])
{
	if (pass_len > INT_MAX || salt_len > INT_MAX || iter == 0 || iter > INT_MAX)
		return gen_err("PBKDF2 parameters out of range");
	if (PKCS5_PBKDF2_HMAC(pass_len ? pass : "", (int)pass_len, salt, (int)salt_len, (int)iter,
	                      md, GEN_KEY_LEN, out) != 1)
		return gen_err("PBKDF2 failed");
	return 0;
}

static int write_all(struct gen_writer *w, const unsigned char *p, size_t len)
{
	ssize_t n;

	if (w->sha1 && EVP_DigestUpdate(w->sha1, p, len) != 1)
		return gen_err("SHA-1 failed");
	while (len > 0) {
		n = write(w->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gen_err("cannot write %s: %s", w->path, strerror(errno));
		p += n;
		len -= (size_t)n;
		w->stored += (uint64_t)n;
	}
	return 0;
}

static int writer_crypto(struct gen_writer *w, const unsigned char *key, int want_sha1)
{
	static const unsigned char iv[16];

	if (key) {
		w->enc = EVP_CIPHER_CTX_new();
		if (!w->enc)
			return gen_oom();
		if (EVP_EncryptInit_ex(w->enc, EVP_aes_256_cbc(), NULL, key, iv) != 1)
			return gen_err("AES-256-CBC setup failed");
	}
	if (want_sha1) {
		w->sha1 = EVP_MD_CTX_new();
		if (!w->sha1)
			return gen_oom();
		if (EVP_DigestInit_ex(w->sha1, EVP_sha1(), NULL) != 1)
			return gen_err("SHA-1 setup failed");
	}
	return 0;
}

int gen_writer_open(struct gen_writer *w, const char *path, const unsigned char *key, int want_sha1)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->path = gen_strdup(path);
	w->out = malloc(GEN_CHUNK + 32);
	if (!w->path || !w->out) {
		gen_oom();
		goto fail;
	}
	if (writer_crypto(w, key, want_sha1) < 0)
		goto fail;
	w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		gen_err("cannot create %s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	gen_writer_abort(w);
	return -1;
}

void gen_writer_no_padding(struct gen_writer *w)
{
	if (w->enc)
		EVP_CIPHER_CTX_set_padding(w->enc, 0);
}

int gen_writer_put(struct gen_writer *w, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;
	int outl;

	while (len > 0) {
		n = len > GEN_CHUNK ? GEN_CHUNK : len;
		if (!w->enc) {
			if (write_all(w, p, n) < 0)
				return -1;
		} else {
			if (EVP_EncryptUpdate(w->enc, w->out, &outl, p, (int)n) != 1)
				return gen_err("AES-256-CBC failed on %s", w->path);
			if (write_all(w, w->out, (size_t)outl) < 0)
				return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int gen_writer_zeros(struct gen_writer *w, uint64_t n, unsigned char *zbuf)
{
	uint64_t left;
	size_t k;

	memset(zbuf, 0, GEN_CHUNK);
	if (w->enc) {
		for (left = n; left > 0; left -= k) {
			k = left > GEN_CHUNK ? GEN_CHUNK : (size_t)left;
			if (gen_writer_put(w, zbuf, k) < 0)
				return -1;
		}
		return 0;
	}
	/* stored as is: the zeros are a hole (hashed when a hash is wanted) */
	if (n > (uint64_t)INT64_MAX - w->stored)
		return gen_err("%s: too large", w->path);
	for (left = n; w->sha1 && left > 0; left -= k) {
		k = left > GEN_CHUNK ? GEN_CHUNK : (size_t)left;
		if (EVP_DigestUpdate(w->sha1, zbuf, k) != 1)
			return gen_err("SHA-1 failed");
	}
	if (n && lseek(w->fd, (off_t)n, SEEK_CUR) < 0)
		return gen_err("cannot seek in %s: %s", w->path, strerror(errno));
	w->stored += n;
	w->hole |= n > 0;
	return 0;
}

static void writer_release(struct gen_writer *w)
{
	EVP_CIPHER_CTX_free(w->enc);
	EVP_MD_CTX_free(w->sha1);
	free(w->out);
	free(w->path);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

int gen_set_times(const char *path)
{
	struct timespec ts[2] = {{GEN_BASE_UNIX, 0}, {GEN_BASE_UNIX, 0}};

	if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return gen_err("cannot set times of %s: %s", path, strerror(errno));
	return 0;
}

int gen_writer_close(struct gen_writer *w, unsigned char sha1[20])
{
	struct timespec ts[2] = {{GEN_BASE_UNIX, 0}, {GEN_BASE_UNIX, 0}};
	int outl = 0, rc = -1;

	if (w->enc) {
		if (EVP_EncryptFinal_ex(w->enc, w->out, &outl) != 1) {
			gen_err("AES-256-CBC failed on %s", w->path);
			goto out;
		}
		if (write_all(w, w->out, (size_t)outl) < 0)
			goto out;
	}
	if (w->hole && ftruncate(w->fd, (off_t)w->stored) < 0) {
		gen_err("cannot set the size of %s: %s", w->path, strerror(errno));
		goto out;
	}
	if (w->sha1 && sha1 && EVP_DigestFinal_ex(w->sha1, sha1, NULL) != 1) {
		gen_err("SHA-1 failed");
		goto out;
	}
	if (futimens(w->fd, ts) < 0) {
		gen_err("cannot set times of %s: %s", w->path, strerror(errno));
		goto out;
	}
	rc = close(w->fd);
	w->fd = -1;
	if (rc < 0)
		gen_err("cannot close %s: %s", w->path, strerror(errno));
out:
	if (rc < 0) {
		gen_writer_abort(w);
		return -1;
	}
	writer_release(w);
	return 0;
}

void gen_writer_abort(struct gen_writer *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		if (unlink(w->path) < 0)
			gen_err("cannot remove %s: %s", w->path, strerror(errno));
	}
	writer_release(w);
}
