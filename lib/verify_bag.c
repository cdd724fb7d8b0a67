/* The seal check (signature, tag manifest, payload manifest, bag-info) and
 * the custody check. The payload files themselves are hashed in the single
 * pass of verify_walk.c. */
#include <dirent.h>
#include <openssl/evp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ifk/bag.h"
#include "ifk/custody.h"
#include "ifk/seal.h"
#include "ifk/util.h"
#include "verify_int.h"

#define TAG_MAX (16u * 1024 * 1024)

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return 0;
	return s[n] == '\0';
}

/* A manifest path must stay inside the bag: no absolute path, no "..". */
static int path_inside(const char *p)
{
	const char *s = p;

	if (*p == '/' || !*p)
		return 0;
	while (*s) {
		size_t n = strcspn(s, "/");
		if ((n == 2 && strncmp(s, "..", 2) == 0) || n == 0)
			return 0;
		s += n;
		if (*s == '/')
			s++;
	}
	return 1;
}

static int check_decl(struct vctx *v)
{
	char *text = NULL;
	size_t len = 0;
	struct ifk_error e = {0};

	if (ifk_read_small(v->target_fd, IFK_BAG_DECL, 4096, &text, &len, &e) != 0) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL, "%s", e.msg);
		return 0;
	}
	if (!strstr(text, "BagIt-Version:") || !strstr(text, "Tag-File-Character-Encoding:"))
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		          "not a BagIt declaration (BagIt-Version and Tag-File-Character-Encoding)");
	free(text);
	return 0;
}

struct load {
	struct vctx *v;
	sqlite3_stmt *ins;
	const char *manifest;
	size_t hexlen;
};

static int load_line(void *ctx, unsigned long lineno, const struct ifk_bag_line *l)
{
	struct load *ld = ctx;
	struct vctx *v = ld->v;

	if (!l->checksum) {
		v_finding(v, C_SEAL, V_FAIL, ld->manifest, "line %lu: %s", lineno, l->path);
		return 0;
	}
	if (strncmp(l->path, "data/", 5) != 0 || !path_inside(l->path)) {
		v_finding(v, C_SEAL, V_FAIL, ld->manifest,
		          "line %lu: path %s is not inside the payload folder", lineno, l->path);
		return 0;
	}
	if (!is_hex(l->checksum, ld->hexlen)) {
		v_finding(v, C_SEAL, V_FAIL, l->path, "%s line %lu: malformed checksum",
		          ld->manifest, lineno);
		return 0;
	}
	sqlite3_reset(ld->ins);
	sqlite3_bind_text(ld->ins, 1, l->path + 5, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ld->ins, 2, l->checksum, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(ld->ins) != SQLITE_DONE)
		v_finding(v, C_SEAL, V_FAIL, l->path, "%s line %lu: listed twice", ld->manifest,
		          lineno);
	return 0;
}

static int load_payload_manifest(struct vctx *v, struct ifk_error *err)
{
	struct load ld = {v, NULL, v->manifest_name, 0};
	int rc;

	ld.hexlen = (size_t)EVP_MD_get_size(EVP_get_digestbyname(v->algorithm)) * 2;
	if (sqlite3_prepare_v2(v->work, "INSERT INTO payload(path, expected) VALUES (?, lower(?))",
	                       -1, &ld.ins, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "work database: %s", sqlite3_errmsg(v->work));
	sqlite3_exec(v->work, "BEGIN", NULL, NULL, NULL);
	rc = ifk_bag_manifest_foreach(v->target_fd, v->manifest_name, load_line, &ld, err);
	sqlite3_exec(v->work, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(ld.ins);
	if (rc == IFK_ENOTFOUND) {
		v_finding(v, C_SEAL, V_FAIL, v->manifest_name, "missing: %s", err ? err->msg : "");
		return 0;
	}
	return rc;
}

static int choose_manifest(struct vctx *v)
{
	static const char *const names[] = {"manifest-sha512.txt", "manifest-sha256.txt",
	                                    "manifest-sha1.txt", "manifest-md5.txt"};
	static const char *const algs[] = {"SHA512", "SHA256", "SHA1", "MD5"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (v->kind != VK_BAGIT && i != 1)
			continue;
		if (faccessat(v->target_fd, names[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
		    v->kind != VK_BAGIT) {
			v->manifest_name = names[i];
			v->algorithm = algs[i];
			return 0;
		}
	}
	return -1;
}

/* Checks every tag file listed in the tag manifest text. */
static void check_tag_lines(struct vctx *v, char *text)
{
	static const char *const required[] = {IFK_BAG_DECL, IFK_BAG_INFO, IFK_BAG_MANIFEST,
	                                       IFK_BAG_RECORD};
	int seen[4] = {0, 0, 0, 0};
	char *save = NULL, *line;
	size_t i;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ifk_bag_line l;
		char actual[IFK_SHA256_HEX];
		int fd;
		if (ifk_bag_parse_line(line, &l) != 0 || !path_inside(l.path) ||
		    strncmp(l.path, "data/", 5) == 0) {
			v_finding(v, C_SEAL, V_FAIL, IFK_BAG_TAGMANIFEST, "malformed line: %.80s", line);
			continue;
		}
		for (i = 0; i < 4; i++)
			seen[i] |= strcmp(l.path, required[i]) == 0;
		fd = openat(v->target_fd, l.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			v_finding(v, C_SEAL, V_FAIL, l.path, "tag file listed in %s is missing",
			          IFK_BAG_TAGMANIFEST);
			continue;
		}
		if (ifk_sha256_fd(fd, actual, NULL, l.path, NULL) != 0 ||
		    strcasecmp(actual, l.checksum) != 0)
			v_finding(v, C_SEAL, V_FAIL, l.path,
			          "tag file changed: SHA-256 %s, sealed %s", actual, l.checksum);
		close(fd);
	}
	for (i = 0; i < 4 && v->kind != VK_BAGIT; i++)
		if (!seen[i])
			v_finding(v, C_SEAL, V_FAIL, required[i], "not covered by %s",
			          IFK_BAG_TAGMANIFEST);
}

static void seal_info(struct vctx *v, const struct ifk_seal_info *si)
{
	json_t *i = v->c[C_SEAL].info;

	json_object_set_new(i, "signer", json_string(si->subject));
	json_object_set_new(i, "issuer", json_string(si->issuer));
	json_object_set_new(i, "certificate_sha256", json_string(si->fingerprint));
	json_object_set_new(i, "self_signed", json_boolean(si->self_signed));
	json_object_set_new(i, "trusted", json_boolean(si->trusted));
	json_object_set_new(i, "signing_time", json_string(si->signing_time));
}

static int check_signature(struct vctx *v, const char *tm, size_t tm_len, struct ifk_error *err)
{
	struct ifk_seal_info si;
	char *der = NULL;
	size_t der_len = 0;
	struct ifk_error e = {0};
	int rc;

	if (ifk_read_small(v->target_fd, IFK_BAG_SEAL, TAG_MAX, &der, &der_len, &e) != 0) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_SEAL, "%s", e.msg);
		return 0;
	}
	rc = ifk_seal_verify((uint8_t *)der, der_len, tm, tm_len, v->o->trust_path, &si, err);
	free(der);
	if (rc)
		return rc;
	if (!si.valid) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_SEAL, "%s", si.reason);
		return 0;
	}
	seal_info(v, &si);
	if (v->o->trust_path && !si.trusted)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_SEAL, "%s", si.reason);
	return 0;
}

/* The sealed acquisition record: complete, its anomalies, the custody
 * genesis hash. */
static void check_record(struct vctx *v)
{
	char *text = NULL;
	size_t len = 0;
	struct ifk_error e = {0};
	json_t *r, *an;
	const char *status, *g;
	json_int_t total;
	size_t i;

	if (ifk_read_small(v->target_fd, IFK_BAG_RECORD, 256u * 1024 * 1024, &text, &len, &e)) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_RECORD, "%s", e.msg);
		return;
	}
	r = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	status = json_string_value(json_object_get(r, "status"));
	g = json_string_value(json_object_get(r, "custody_genesis_sha256"));
	if (!json_is_object(r) || !status) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_RECORD, "not an ifk acquisition record");
	} else if (json_integer_value(json_object_get(r, "format_version")) != 1) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_RECORD,
		          "format_version is not 1: made by a newer ifk, or not by ifk");
	} else if (strcmp(status, "complete") != 0) {
		const char *why = json_string_value(json_object_get(r, "reason"));
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_RECORD,
		          "incomplete acquisition, not sealed: %s", why ? why : status);
	} else if (g && strlen(g) == 64) {
		const char *fp = json_string_value(
			json_object_get(json_object_get(r, "examiner_certificate"), "sha256"));
		memcpy(v->genesis, g, 65);
		if (fp && strlen(fp) == 64)
			memcpy(v->record_cert, fp, 65);
	}
	total = json_integer_value(json_object_get(r, "anomalies_total"));
	an = json_object_get(r, "anomalies");
	for (i = 0; i < json_array_size(an) && i < 20; i++) {
		json_t *a = json_array_get(an, i);
		v_finding(v, C_SEAL, V_WARN, json_string_value(json_object_get(a, "path")),
		          "acquisition anomaly (%s): %s",
		          json_string_value(json_object_get(a, "kind")),
		          json_string_value(json_object_get(a, "detail")));
	}
	if (total > 20)
		v_finding(v, C_SEAL, V_WARN, IFK_BAG_RECORD, "%lld more acquisition anomalies",
		          (long long)(total - 20));
	json_object_set(v->c[C_SEAL].info, "acquisition", json_object_get(r, "device"));
	json_decref(r);
}

static int known_root_name(const char *n)
{
	static const char *const names[] = {IFK_BAG_PAYLOAD, IFK_BAG_DECL,   IFK_BAG_INFO,
	                                    IFK_BAG_SEAL,    IFK_BAG_RECORD, IFK_CUSTODY_FILE};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(n, names[i]) == 0)
			return 1;
	return strncmp(n, "manifest-", 9) == 0 || strncmp(n, "tagmanifest-", 12) == 0;
}

static void check_root_extras(struct vctx *v)
{
	int fd = dup(v->target_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strcmp(de->d_name, "fetch.txt") == 0)
			v_finding(v, C_SEAL, V_FAIL, "fetch.txt",
			          "the bag lists payload to fetch: it is not complete");
		else if (!known_root_name(de->d_name))
			v_finding(v, C_SEAL, V_WARN, de->d_name,
			          "extra file in the bag's root, not covered by the seal");
	}
	closedir(d);
}

static void read_oxum(struct vctx *v)
{
	char *text = NULL, *oxum;
	size_t len = 0;
	unsigned long long b, f;
	char extra;

	if (ifk_read_small(v->target_fd, IFK_BAG_INFO, TAG_MAX, &text, &len, NULL) != 0) {
		if (v->kind != VK_BAGIT)
			v_finding(v, C_SEAL, V_FAIL, IFK_BAG_INFO, "missing or unreadable");
		return;
	}
	oxum = ifk_bag_info_get(text, len, "Payload-Oxum");
	if (oxum && sscanf(oxum, "%llu.%llu%c", &b, &f, &extra) == 2) {
		v->oxum_bytes = b;
		v->oxum_files = f;
		json_object_set_new(v->c[C_SEAL].info, "payload_oxum", json_string(oxum));
	} else if (oxum || v->kind != VK_BAGIT) {
		v_finding(v, C_SEAL, oxum ? V_FAIL : V_WARN, IFK_BAG_INFO,
		          "Payload-Oxum missing or malformed");
	}
	free(oxum);
	free(text);
}

static int check_tagmanifest(struct vctx *v, struct ifk_error *err)
{
	char *tm = NULL, *copy;
	size_t len = 0;
	struct ifk_error e = {0};
	int rc = 0;

	if (ifk_read_small(v->target_fd, IFK_BAG_TAGMANIFEST, TAG_MAX, &tm, &len, &e) != 0) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_TAGMANIFEST, "%s", e.msg);
		return 0;
	}
	if (v->kind == VK_IFK_BAG)
		rc = check_signature(v, tm, len, err);
	copy = strdup(tm);
	if (!rc && copy)
		check_tag_lines(v, copy);
	free(copy);
	free(tm);
	return rc;
}

/* The sealed record names the examiner's certificate: a seal replaced by
 * one made with another key fails here even without --trust. */
static void check_signer_is_recorded(struct vctx *v)
{
	const char *fp = json_string_value(json_object_get(v->c[C_SEAL].info,
	                                                   "certificate_sha256"));

	if (!fp || !*fp)
		return;
	if (!v->record_cert[0])
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_RECORD, "names no examiner certificate");
	else if (strcmp(fp, v->record_cert) != 0)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_SEAL,
		          "signed with certificate %.16s..., but the acquisition record names "
		          "%.16s...: the seal was replaced",
		          fp, v->record_cert);
}

int v_check_seal(struct vctx *v, struct ifk_error *err)
{
	int rc = 0;

	if (v->kind == VK_BACKUP) {
		v_skip(v, C_SEAL, "a raw backup folder: there is no seal to check");
		return 0;
	}
	check_decl(v);
	if (choose_manifest(v) != 0) {
		v_finding(v, C_SEAL, V_FAIL, "manifest-sha256.txt", "the bag has no payload manifest");
		return 0;
	}
	if (v->kind == VK_BAGIT)
		v_finding(v, C_SEAL, V_WARN, "", "a plain BagIt bag made by another tool: unsealed, "
		                                 "checked as BagIt only");
	if (v->kind == VK_INCOMPLETE && faccessat(v->target_fd, IFK_BAG_SEAL, F_OK, 0) != 0)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_SEAL,
		          "missing: an incomplete acquisition, never sealed");
	if (v->kind != VK_BAGIT || faccessat(v->target_fd, IFK_BAG_TAGMANIFEST, F_OK, 0) == 0)
		rc = check_tagmanifest(v, err);
	if (!rc && v->kind != VK_BAGIT)
		check_record(v);
	if (!rc && v->kind == VK_IFK_BAG)
		check_signer_is_recorded(v);
	if (!rc) {
		read_oxum(v);
		check_root_extras(v);
		rc = load_payload_manifest(v, err);
	}
	json_object_set_new(v->c[C_SEAL].info, "manifest", json_string(v->manifest_name));
	return rc;
}

static void custody_problem(void *ctx, unsigned long line, const char *reason)
{
	char where[64];

	snprintf(where, sizeof(where), "%s:%lu", IFK_CUSTODY_FILE, line);
	v_finding(ctx, C_CUSTODY, V_FAIL, where, "%s", reason);
}

int v_check_custody(struct vctx *v, struct ifk_error *err)
{
	struct ifk_custody_summary sum;
	struct ifk_error e = {0};
	json_t *info = v->c[C_CUSTODY].info;
	int rc;

	if (v->kind == VK_BACKUP || v->kind == VK_BAGIT) {
		v_skip(v, C_CUSTODY, "%s", v->kind == VK_BACKUP
		                               ? "a raw backup folder: there is no custody log"
		                               : "a plain BagIt bag: there is no custody log");
		return 0;
	}
	if (v->kind == VK_INCOMPLETE) {
		v_skip(v, C_CUSTODY, "an incomplete acquisition: no custody log was started");
		return 0;
	}
	if (!v->genesis[0])
		v_finding(v, C_CUSTODY, V_FAIL, IFK_BAG_RECORD,
		          "the sealed record names no first custody entry (custody_genesis_sha256)");
	rc = ifk_custody_check(v->target_fd, v->genesis[0] ? v->genesis : NULL, custody_problem, v,
	                       &sum, &e);
	if (rc == IFK_ENOTFOUND) {
		v_finding(v, C_CUSTODY, V_FAIL, IFK_CUSTODY_FILE, "missing");
		return 0;
	}
	if (rc) {
		v_finding(v, C_CUSTODY, V_FAIL, IFK_CUSTODY_FILE, "%s", e.msg);
		return 0;
	}
	json_object_set_new(info, "entries", json_integer((json_int_t)sum.entries));
	json_object_set_new(info, "head_sha256", json_string(sum.head));
	json_object_set_new(info, "genesis_sha256", json_string(sum.genesis));
	(void)err;
	return 0;
}
