/* The seal check (signature, acquisition record, bag-info.txt, the bag's
 * root; the BagIt rules themselves are in verify_bagit.c) and the custody
 * check. The payload files themselves are hashed in the single pass of
 * walk.c. */
#include <openssl/evp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "evidence.h"
#include "core.h"
#include "verify_int.h"

#define TAG_MAX (16u * 1024 * 1024)

/* Reads one tag file once: the same bytes are hashed for the tag
 * manifests and parsed. 0 when it is in *buf. */
static int read_tag(struct vctx *v, const char *name, size_t cap, int required, char **buf,
                    size_t *len)
{
	struct ifk_error e = {0};

	if (ifk_read_small(v->target_fd, name, cap, buf, len, &e) != 0) {
		if (required || e.code != IFK_ENOTFOUND) {
			v_finding(v, C_SEAL, V_FAIL, name, "%s", e.msg);
			v_tag_unread(v, name);
		}
		return -1;
	}
	v_tag_read(v, name, *buf, *len);
	return 0;
}

static void check_decl(struct vctx *v)
{
	char *buf = NULL;
	size_t len = 0;

	v->v1 = 1;
	if (read_tag(v, IFK_BAG_DECL, 4096, 1, &buf, &len) == 0)
		v_check_decl(v, buf, len);
	free(buf);
}

static void seal_info(struct vctx *v, const struct ifk_seal_info *si)
{
	json_t *i = v->c[C_SEAL].info;

	json_object_set_new(i, "signer", ifk_json_text(si->subject));
	json_object_set_new(i, "issuer", ifk_json_text(si->issuer));
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
static void check_record(struct vctx *v)
{
	json_t *r;
	const char *status, *format, *g, *fp;
	char hex[IFK_SHA256_HEX], *buf = NULL;
	size_t len = 0;

	if (read_tag(v, IFK_BAG_RECORD, 256u * 1024 * 1024, 1, &buf, &len) != 0)
		return;
	/* what names this bag: the parse output and the report carry it */
	ifk_sha256_hex(buf, len, hex);
	json_object_set_new(v->c[C_SEAL].info, "acquisition_record_sha256", json_string(hex));
	r = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	free(buf);
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

/* Another tool's bag: its manifests, and any tag file a tag manifest
 * lists. */
static int listed_root_name(struct vctx *v, const char *n)
{
	int i;

	if (strcmp(n, IFK_BAG_PAYLOAD) == 0 || strcmp(n, IFK_BAG_DECL) == 0 ||
	    strcmp(n, IFK_BAG_INFO) == 0)
		return 1;
	for (i = 0; i < v->npm; i++)
		if (strcmp(n, v->pm[i].name) == 0)
			return 1;
	for (i = 0; i < v->ntm; i++)
		if (strcmp(n, v->tm[i].name) == 0)
			return 1;
	return v_tag_listed(v, n);
}

static int root_entry(void *ctx, const char *name, const char *rel)
{
	struct vctx *v = ctx;

	(void)rel;
	if (strcmp(name, "fetch.txt") == 0)
		v_finding(v, C_SEAL, V_FAIL, "fetch.txt",
		          "the bag lists payload to fetch from elsewhere: ifk verifies complete "
		          "evidence only, and does not fetch");
	else if (v->kind != VK_BAGIT && !known_root_name(name))
		v_finding(v, C_SEAL, V_WARN, name,
		          "extra file in the bag's root, not checked against the seal");
	else if (v->kind == VK_BAGIT && !listed_root_name(v, name))
		v_finding(v, C_SEAL, V_WARN, name,
		          "extra file in the bag's root that no tag manifest lists: not checked");
	return 0;
}

struct info {
	struct vctx *v;
	int oxum; /* Payload-Oxum elements seen */
};

/* <octets>.<files>, digits only */
static int parse_oxum(const char *s, uint64_t *bytes, uint64_t *files)
{
	size_t a = strspn(s, "0123456789"), b;

	if (a == 0 || a > 19 || s[a] != '.')
		return -1;
	b = strspn(s + a + 1, "0123456789");
	if (b == 0 || b > 19 || s[a + 1 + b] != '\0')
		return -1;
	*bytes = strtoull(s, NULL, 10);
	*files = strtoull(s + a + 1, NULL, 10);
	return 0;
}

static void info_oxum(struct info *in, const struct ifk_bag_info_elem *e)
{
	struct vctx *v = in->v;

	if (++in->oxum > 1) {
		v_finding(v, C_SEAL, V_WARN, IFK_BAG_INFO,
		          "line %lu: Payload-Oxum given again (the first one is checked)", e->line);
		return;
	}
	if (parse_oxum(e->value, &v->oxum_bytes, &v->oxum_files) != 0) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_INFO,
		          "Payload-Oxum \"%.40s\" is not <octets>.<files>", e->value);
		return;
	}
	v->have_oxum = 1;
	json_object_set_new(v->c[C_SEAL].info, "payload_oxum", json_string(e->value));
}

static int info_element(void *ctx, const struct ifk_bag_info_elem *e)
{
	struct info *in = ctx;
	struct vctx *v = in->v;

	if (e->padded && v->v1)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_INFO,
		          "line %lu: blanks around the label \"%.40s\" (BagIt 1.0 allows none)",
		          e->line, e->label);
	if (strcasecmp(e->label, "Payload-Oxum") == 0)
		info_oxum(in, e);
	else if (strcasecmp(e->label, "Ifk-Format") == 0 && strcmp(e->value, "ifk-bag 1") != 0)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_INFO,
		          "Ifk-Format is \"%.40s\": not a format this ifk knows", e->value);
	return 0;
}

/* bag-info.txt: its elements (RFC 8493 2.2.2), the format ifk wrote, and
 * the Payload-Oxum. */
static void check_info(struct vctx *v)
{
	struct info in = {v, 0};
	struct ifk_buf text = {0};
	struct ifk_error e = {0};
	char *buf = NULL;
	size_t len = 0;
	int rc = 0;

	if (read_tag(v, IFK_BAG_INFO, TAG_MAX, v->kind != VK_BAGIT, &buf, &len) != 0)
		return;
	if (v->encoding)
		rc = ifk_bag_text_decode(buf, len, v->encoding, &text, &e);
	if (!rc)
		rc = v->encoding ? ifk_bag_info_parse(text.data, text.len, info_element, &in, &e)
		                 : ifk_bag_info_parse(buf, len, info_element, &in, &e);
	if (rc)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_INFO, "%s", e.msg);
	else if (!in.oxum && v->kind != VK_BAGIT)
		v_finding(v, C_SEAL, V_WARN, IFK_BAG_INFO, "Payload-Oxum missing or malformed");
	ifk_buf_free(&text);
	free(buf);
}

/* The sealed tag manifest: read once, its signature checked over the bytes
 * that are then parsed. */
static int check_sealed_tagmanifest(struct vctx *v, struct ifk_error *err)
{
	char *tm = NULL;
	size_t len = 0;
	int rc;

	if (read_tag(v, IFK_BAG_TAGMANIFEST, TAG_MAX, 1, &tm, &len) != 0)
		return 0;
	rc = check_signature(v, tm, len, err);
	if (!rc)
		rc = v_load_tag_manifest(v, 0, tm, len, err);
	free(tm);
	return rc;
}

static int check_tagmanifests(struct vctx *v, struct ifk_error *err)
{
	int i, rc = 0;

	if (v->kind != VK_BAGIT)
		return check_sealed_tagmanifest(v, err);
	for (i = 0; i < v->ntm && !rc; i++)
		rc = v_load_tag_manifest(v, i, NULL, 0, err);
	return rc;
}

/* An ifk bag's tag manifest covers its four tag files. */
static void check_sealed_coverage(struct vctx *v)
{
	static const char *const names[] = {IFK_BAG_DECL, IFK_BAG_INFO, IFK_BAG_MANIFEST,
	                                    IFK_BAG_RECORD};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!v_tag_listed(v, names[i]))
			v_finding(v, C_SEAL, V_FAIL, names[i], "not covered by %s",
			          IFK_BAG_TAGMANIFEST);
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

static void check_incomplete(struct vctx *v)
{
	if (v->kind == VK_INCOMPLETE && faccessat(v->target_fd, IFK_BAG_SEAL, F_OK, 0) != 0)
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_SEAL,
		          "missing: an incomplete acquisition, never sealed");
	else if (v->kind == VK_INCOMPLETE)
		v_finding(v, C_SEAL, V_FAIL, "",
		          "the folder's name ends in .incomplete: not a published bag (if its "
		          "seal verifies, the final rename failed: rename it and verify again)");
}

static json_t *manifest_names(const struct vmanifest *m, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(m[i].name));
	return a;
}

int v_check_seal(struct vctx *v, struct ifk_error *err)
{
	int rc;

	if (v->kind == VK_BACKUP || v->kind == VK_BAGIT)
		if (unsealed_target(v))
			return 0;
	check_incomplete(v);
	v_find_manifests(v);
	check_decl(v);
	rc = check_tagmanifests(v, err);
	if (!rc) {
		check_info(v);
		if (v->kind != VK_BAGIT) {
			check_record(v);
			check_signer_is_recorded(v);
		}
		rc = v_load_payload_manifests(v, err);
	}
	if (!rc) {
		v_list_root(v, root_entry);
		v_check_tag_files(v);
		if (v->kind != VK_BAGIT)
			check_sealed_coverage(v);
	}
	json_object_set_new(v->c[C_SEAL].info, "manifest",
	                    json_string(v->npm ? v->pm[0].name : ""));
	json_object_set_new(v->c[C_SEAL].info, "manifests", manifest_names(v->pm, v->npm));
	json_object_set_new(v->c[C_SEAL].info, "tag_manifests", manifest_names(v->tm, v->ntm));
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
