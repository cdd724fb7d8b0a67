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

/* The tag files ifk reads: each is read once, and the same bytes are hashed
 * against the tag manifest and parsed. */
enum { T_DECL, T_INFO, T_MANIFEST, T_RECORD, T_COUNT };

struct tag {
	const char *name;
	char *buf;
	size_t len;
	int listed;
	char sealed[IFK_SHA256_HEX];
};

static void init_tags(struct tag *t)
{
	static const char *const names[T_COUNT] = {IFK_BAG_DECL, IFK_BAG_INFO, IFK_BAG_MANIFEST,
	                                           IFK_BAG_RECORD};
	int i;

	memset(t, 0, sizeof(struct tag) * T_COUNT);
	for (i = 0; i < T_COUNT; i++)
		t[i].name = names[i];
}

static void free_tags(struct tag *t)
{
	int i;

	for (i = 0; i < T_COUNT; i++)
		free(t[i].buf);
}

/* Compares a tag file's SHA-256 with the tag manifest's. */
static void compare_tag(struct vctx *v, const struct tag *t, const char *actual)
{
	if (t->listed && strcasecmp(actual, t->sealed) != 0)
		v_finding(v, C_SEAL, V_FAIL, t->name, "tag file changed: SHA-256 %s, sealed %s",
		          actual, t->sealed);
}

/* Reads one tag file once; 0 when it is in t->buf. */
static int read_tag(struct vctx *v, struct tag *t, size_t cap, int required)
{
	struct ifk_error e = {0};
	char hex[IFK_SHA256_HEX];

	if (ifk_read_small(v->target_fd, t->name, cap, &t->buf, &t->len, &e) != 0) {
		if (required || e.code != IFK_ENOTFOUND)
			v_finding(v, C_SEAL, V_FAIL, t->name, "%s", e.msg);
		return -1;
	}
	ifk_sha256_hex(t->buf, t->len, hex);
	compare_tag(v, t, hex);
	return 0;
}

static void check_decl(struct vctx *v, struct tag *t)
{
	if (read_tag(v, t, 4096, 1) != 0)
		return;
	if (!strstr(t->buf, "BagIt-Version:") || !strstr(t->buf, "Tag-File-Character-Encoding:"))
		v_finding(
		    v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		    "not a BagIt declaration (BagIt-Version and Tag-File-Character-Encoding)");
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
	return v_stopped(v) ? IFK_EINTR : 0;
}

/* Loads the payload manifest into the work database, hashing the bytes as
 * they are read for the tag manifest's check. */
static int load_payload_manifest(struct vctx *v, struct tag *t, struct ifk_error *err)
{
	struct load ld = {v, NULL, v->manifest_name, 0};
	struct ifk_error e = {0};
	char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
	int rc;

	ld.hexlen = (size_t)EVP_MD_get_size(EVP_get_digestbyname(v->algorithm)) * 2;
	if (sqlite3_prepare_v2(v->work, "INSERT INTO payload(path, expected) VALUES (?, lower(?))",
	                       -1, &ld.ins, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "work database: %s", sqlite3_errmsg(v->work));
	sqlite3_exec(v->work, "BEGIN", NULL, NULL, NULL);
	rc = ifk_bag_manifest_foreach(v->target_fd, v->manifest_name, "SHA256", hex, load_line, &ld,
	                              &e);
	sqlite3_exec(v->work, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(ld.ins);
	if (rc == IFK_EINTR)
		return ifk_error_set(err, IFK_EINTR, "interrupted");
	if (rc) {
		v_finding(v, C_SEAL, V_FAIL, v->manifest_name, "%s", e.msg);
		return 0;
	}
	if (t && strcmp(t->name, v->manifest_name) == 0)
		compare_tag(v, t, hex);
	return 0;
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

/* A tag file the tag manifest lists that ifk does not read itself. */
static void check_other_tag(struct vctx *v, const struct ifk_bag_line *l)
{
	struct ifk_error e = {0};
	char actual[IFK_SHA256_HEX];
	int fd = ifk_open_regular(v->target_fd, l->path, &e);

	if (fd < 0) {
		v_finding(v, C_SEAL, V_FAIL, l->path, "listed in %s: %s", IFK_BAG_TAGMANIFEST,
		          e.msg);
		return;
	}
	if (ifk_sha256_fd(fd, actual, NULL, l->path, &e) != 0)
		v_finding(v, C_SEAL, V_FAIL, l->path, "%s", e.msg);
	else if (strcasecmp(actual, l->checksum) != 0)
		v_finding(v, C_SEAL, V_FAIL, l->path, "tag file changed: SHA-256 %s, sealed %s",
		          actual, l->checksum);
	close(fd);
}

/* Notes what the tag manifest says of each tag file. */
static void parse_tag_lines(struct vctx *v, char *text, struct tag *t)
{
	char *save = NULL, *line;
	int i;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ifk_bag_line l;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (ifk_bag_parse_line(line, &l) != 0 || !path_inside(l.path) ||
		    strncmp(l.path, "data/", 5) == 0 || !is_hex(l.checksum, 64)) {
			v_finding(v, C_SEAL, V_FAIL, IFK_BAG_TAGMANIFEST, "malformed line: %.80s",
			          line);
			continue;
		}
		for (i = 0; i < T_COUNT; i++)
			if (strcmp(l.path, t[i].name) == 0)
				break;
		if (i == T_COUNT) {
			check_other_tag(v, &l);
		} else if (t[i].listed) {
			v_finding(v, C_SEAL, V_FAIL, l.path, "listed twice in %s",
			          IFK_BAG_TAGMANIFEST);
		} else {
			t[i].listed = 1;
			snprintf(t[i].sealed, sizeof(t[i].sealed), "%s", l.checksum);
		}
	}
}

static void seal_info(struct vctx *v, const struct ifk_seal_info *si)
{
	json_t *i = v->c[C_SEAL].info;

	json_object_set_new(i, "signer", v_text(si->subject));
	json_object_set_new(i, "issuer", v_text(si->issuer));
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
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_SEAL, "%s",
		          e.code == IFK_ENOTFOUND ? "missing: the bag is not sealed" : e.msg);
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

static void record_anomalies(struct vctx *v, json_t *r)
{
	json_int_t total = json_integer_value(json_object_get(r, "anomalies_total"));
	json_t *an = json_object_get(r, "anomalies");
	size_t i;

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
}

/* The sealed acquisition record: complete, its anomalies, the examiner's
 * certificate and the custody genesis hash. */
static void check_record(struct vctx *v, struct tag *t)
{
	json_t *r;
	const char *status, *format, *g, *fp;

	if (read_tag(v, t, 256u * 1024 * 1024, 1) != 0)
		return;
	r = json_loadb(t->buf, t->len, JSON_REJECT_DUPLICATES, NULL);
	status = json_string_value(json_object_get(r, "status"));
	format = json_string_value(json_object_get(r, "format"));
	g = json_string_value(json_object_get(r, "custody_genesis_sha256"));
	fp = json_string_value(
	    json_object_get(json_object_get(r, "examiner_certificate"), "sha256"));
	if (!json_is_object(r) || !status || !format || strcmp(format, "ifk-acquisition") != 0) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_RECORD, "not an ifk acquisition record");
	} else if (json_integer_value(json_object_get(r, "format_version")) != 1) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_RECORD,
		          "format_version is not 1: made by a newer ifk, or not by ifk");
	} else if (strcmp(status, "complete") != 0) {
		const char *why = json_string_value(json_object_get(r, "reason"));
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_RECORD,
		          "incomplete acquisition, not sealed: %s", why ? why : status);
	} else {
		if (g && strlen(g) == 64)
			memcpy(v->genesis, g, 65);
		if (fp && strlen(fp) == 64)
			memcpy(v->record_cert, fp, 65);
	}
	record_anomalies(v, r);
	json_object_set(v->c[C_SEAL].info, "acquisition", json_object_get(r, "device"));
	json_decref(r);
}

static int known_root_name(const char *n)
{
	static const char *const names[] = {
	    IFK_BAG_PAYLOAD,     IFK_BAG_DECL,       IFK_BAG_INFO,          IFK_BAG_SEAL,
	    IFK_BAG_RECORD,      IFK_CUSTODY_FILE,   "manifest-sha512.txt", "manifest-sha256.txt",
	    "manifest-sha1.txt", "manifest-md5.txt", IFK_BAG_TAGMANIFEST};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(n, names[i]) == 0)
			return 1;
	return 0;
}

static int root_entry(void *ctx, const char *name, const char *rel)
{
	struct vctx *v = ctx;

	(void)rel;
	if (strcmp(name, "fetch.txt") == 0)
		v_finding(v, C_SEAL, V_FAIL, "fetch.txt",
		          "the bag lists payload to fetch: it is not complete");
	else if (!known_root_name(name))
		v_finding(v, C_SEAL, V_WARN, name,
		          "extra file in the bag's root, not checked against the seal");
	return 0;
}

static void check_root_extras(struct vctx *v)
{
	int list_errno = 0;

	ifk_dir_foreach(v->target_fd, NULL, root_entry, v, &list_errno);
	if (list_errno)
		v_finding(v, C_SEAL, V_FAIL, ".", "cannot list the bag: %s", strerror(list_errno));
}

/* bag-info.txt: the format ifk wrote, and the Payload-Oxum. */
static void check_info(struct vctx *v, struct tag *t)
{
	char *oxum, *format;
	unsigned long long b, f;
	char extra;

	if (read_tag(v, t, TAG_MAX, v->kind != VK_BAGIT) != 0)
		return;
	format = ifk_bag_info_get(t->buf, t->len, "Ifk-Format");
	if (format && strcmp(format, "ifk-bag 1") != 0)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_INFO,
		          "Ifk-Format is \"%.40s\": not a format this ifk knows", format);
	free(format);
	oxum = ifk_bag_info_get(t->buf, t->len, "Payload-Oxum");
	if (oxum && sscanf(oxum, "%llu.%llu%c", &b, &f, &extra) == 2) {
		v->oxum_bytes = b;
		v->oxum_files = f;
		v->have_oxum = 1;
		json_object_set_new(v->c[C_SEAL].info, "payload_oxum", json_string(oxum));
	} else if (oxum || v->kind != VK_BAGIT) {
		v_finding(v, C_SEAL, oxum ? V_FAIL : V_WARN, IFK_BAG_INFO,
		          "Payload-Oxum missing or malformed");
	}
	free(oxum);
}

static int check_tagmanifest(struct vctx *v, struct tag *t, struct ifk_error *err)
{
	char *tm = NULL;
	size_t len = 0;
	struct ifk_error e = {0};
	int ifk = v->kind != VK_BAGIT, rc = 0, i;

	if (ifk_read_small(v->target_fd, IFK_BAG_TAGMANIFEST, TAG_MAX, &tm, &len, &e) != 0) {
		if (ifk || e.code != IFK_ENOTFOUND)
			v_finding(v, C_SEAL, V_FAIL, IFK_BAG_TAGMANIFEST, "%s", e.msg);
		return 0;
	}
	if (ifk)
		rc = check_signature(v, tm, len, err);
	if (!rc)
		parse_tag_lines(v, tm, t);
	for (i = 0; i < T_COUNT && ifk && !rc; i++)
		if (!t[i].listed)
			v_finding(v, C_SEAL, V_FAIL, t[i].name, "not covered by %s",
			          IFK_BAG_TAGMANIFEST);
	free(tm);
	return rc;
}

/* The sealed record names the examiner's certificate: a seal replaced by
 * one made with another key fails here even without --trust. */
static void check_signer_is_recorded(struct vctx *v)
{
	const char *fp =
	    json_string_value(json_object_get(v->c[C_SEAL].info, "certificate_sha256"));

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

static int unsealed_target(struct vctx *v)
{
	if (v->o->trust_path)
		v_finding(v, C_SEAL, V_FAIL, "",
		          "--trust was given, but the target carries no ifk seal to check");
	if (v->kind == VK_BACKUP) {
		if (!v->o->trust_path)
			v_skip(v, C_SEAL, "a raw backup folder: there is no seal to check");
		return 1;
	}
	v_finding(v, C_SEAL, V_WARN, "",
	          "a plain BagIt bag made by another tool: unsealed, checked as BagIt only");
	return 0;
}

int v_check_seal(struct vctx *v, struct ifk_error *err)
{
	struct tag t[T_COUNT];
	int rc;

	if (v->kind == VK_BACKUP || v->kind == VK_BAGIT)
		if (unsealed_target(v))
			return 0;
	if (v->kind == VK_INCOMPLETE && faccessat(v->target_fd, IFK_BAG_SEAL, F_OK, 0) != 0)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_SEAL,
		          "missing: an incomplete acquisition, never sealed");
	else if (v->kind == VK_INCOMPLETE)
		v_finding(v, C_SEAL, V_FAIL, "",
		          "the folder's name ends in .incomplete: not a published bag (if its "
		          "seal verifies, the final rename failed: rename it and verify again)");
	if (choose_manifest(v) != 0) {
		v_finding(v, C_SEAL, V_FAIL, "manifest-sha256.txt",
		          "the bag has no payload manifest");
		return 0;
	}
	init_tags(t);
	rc = check_tagmanifest(v, t, err);
	if (!rc) {
		check_decl(v, &t[T_DECL]);
		check_info(v, &t[T_INFO]);
		if (v->kind != VK_BAGIT) {
			check_record(v, &t[T_RECORD]);
			check_signer_is_recorded(v);
		}
		check_root_extras(v);
		rc = load_payload_manifest(v, &t[T_MANIFEST], err);
	}
	free_tags(t);
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
		v_skip(v, C_CUSTODY, "%s",
		       v->kind == VK_BACKUP ? "a raw backup folder: there is no custody log"
		                            : "a plain BagIt bag: there is no custody log");
		return 0;
	}
	if (v->kind == VK_INCOMPLETE) {
		v_skip(v, C_CUSTODY, "an incomplete acquisition: no custody log was started");
		return 0;
	}
	if (!v->genesis[0])
		v_finding(
		    v, C_CUSTODY, V_FAIL, IFK_BAG_RECORD,
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
