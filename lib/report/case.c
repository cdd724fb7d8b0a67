/* case.jsonld: a report's provenance in CASE/UCO 1.4.0 JSON-LD.
 *
 * Written as a stream: one graph node per line, and the acquired backup files
 * one per line inside their provenance record as the bag's manifest is read,
 * so that memory does not grow with the number of files. Every node's IRI is
 * urn:uuid:<UUID>, a name-based UUID (RFC 4122 version 5, SHA-1) of a stable
 * name in ifk's namespace: the same inputs give the same bytes, and the same
 * object has the same IRI in every report. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "evidence.h"
#include "report_int.h"
#include "core.h"

#define IRI_LEN 46 /* "urn:uuid:" + 36 + NUL */

/* uuid5(NAMESPACE_URL, "urn:ifk:case.jsonld") = b22d98fd-28fd-5dfd-a217-bb87060fa821 */
static const unsigned char ns_ifk[16] = {0xb2, 0x2d, 0x98, 0xfd, 0x28, 0xfd, 0x5d, 0xfd,
                                         0xa2, 0x17, 0xbb, 0x87, 0x06, 0x0f, 0xa8, 0x21};

static const char head_text[] =
    "{\n"
    "  \"@context\": {\n"
    "    \"case-investigation\": \"https://ontology.caseontology.org/case/investigation/\",\n"
    "    \"uco-action\": \"https://ontology.unifiedcyberontology.org/uco/action/\",\n"
    "    \"uco-core\": \"https://ontology.unifiedcyberontology.org/uco/core/\",\n"
    "    \"uco-identity\": \"https://ontology.unifiedcyberontology.org/uco/identity/\",\n"
    "    \"uco-observable\": \"https://ontology.unifiedcyberontology.org/uco/observable/\",\n"
    "    \"uco-role\": \"https://ontology.unifiedcyberontology.org/uco/role/\",\n"
    "    \"uco-tool\": \"https://ontology.unifiedcyberontology.org/uco/tool/\",\n"
    "    \"uco-types\": \"https://ontology.unifiedcyberontology.org/uco/types/\",\n"
    "    \"xsd\": \"http://www.w3.org/2001/XMLSchema#\"\n"
    "  },\n"
    "  \"@graph\": [\n";

/* The writer: the first error sticks and turns every later step into a
 * no-op, so that the steps read as a list. */
struct cw {
	FILE *out;
	const json_t *rep;
	EVP_MD_CTX *md;
	struct ifk_error *err;
	int rc;
	unsigned long nodes, items;
	char ev[72];             /* the evidence's key: the custody log's genesis hash */
	char rk[IFK_SHA256_HEX]; /* the report's key: SHA-256 over its members' hashes */
	char bag[IRI_LEN], acquired[IRI_LEN], parse_pr[IRI_LEN], prev[IRI_LEN], role[IRI_LEN];
	int parse_done;
	json_t *seen;    /* IRIs of the identities and tools already written */
	json_t *actions; /* the actions' IRIs, for the investigation */
};

/* One investigative action, before it becomes JSON. */
struct act {
	const char *id, *name, *start, *end, *performer, *instrument, *result;
	const char *objects[3];
	char *text;
};

/* What each custody action is called in the graph. */
static const struct kind {
	const char *action, *name, *tool_type;
} kinds[] = {
    {"acquire", "acquisition", "acquisition"},
    {"verify", "verification", "verification"},
    {"parse", "parsing", "parsing"},
    {"report", "reporting", "reporting"},
};

static void fail(struct cw *w, int code, const char *what)
{
	if (!w->rc)
		w->rc = ifk_error_set(w->err, code, "case.jsonld: %s", what);
}

static const char *either(const char *a, const char *b)
{
	return a ? a : b;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s && *s ? s : NULL;
}

static const struct kind *kind_of(const char *action)
{
	size_t i;

	for (i = 0; action && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(action, kinds[i].action) == 0)
			return &kinds[i];
	return NULL;
}

/* out = urn:uuid:<UUID v5 of kind[":" a][":" b][":" c] in ifk's namespace>.
 * Only the last part may hold a ':' (it is the free text: a name or path). */
static void mkiri(struct cw *w, char out[IRI_LEN], const char *kind, const char *a, const char *b,
                  const char *c)
{
	const char *parts[3] = {a, b, c};
	unsigned char d[EVP_MAX_MD_SIZE] = {0};
	unsigned int n = 0;
	int ok, i;

	ok = EVP_DigestInit_ex(w->md, EVP_sha1(), NULL) &&
	     EVP_DigestUpdate(w->md, ns_ifk, sizeof(ns_ifk)) &&
	     EVP_DigestUpdate(w->md, kind, strlen(kind));
	for (i = 0; i < 3; i++)
		if (parts[i])
			ok = ok && EVP_DigestUpdate(w->md, ":", 1) &&
			     EVP_DigestUpdate(w->md, parts[i], strlen(parts[i]));
	if (!(ok && EVP_DigestFinal_ex(w->md, d, &n)))
		fail(w, IFK_ECRYPTO, "SHA-1 failed");
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
	snprintf(out, IRI_LEN,
	         "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12],
	         d[13], d[14], d[15]);
}

/* "YYYY-MM-DDTHH:MM:SS[.f+]Z": an xsd:dateTime in UTC that has its seconds. */
static int good_time(const char *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; t && shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != shape[i])
			return 0;
	if (!t)
		return 0;
	t += i;
	if (*t == '.' && isdigit((unsigned char)t[1]))
		for (t++; isdigit((unsigned char)*t); t++)
			;
	return strcmp(t, "Z") == 0;
}

static int good_sha256(const char *s)
{
	size_t i;

	for (i = 0; s && i < 64; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s && s[64] == '\0';
}

/* Sets o[k] to the escaped text s; nothing when s is NULL or empty. */
static void set_text(struct cw *w, json_t *o, const char *k, const char *s)
{
	char *e;

	if (!s || !*s)
		return;
	e = ifk_text_escape(s);
	if (!e || json_object_set_new(o, k, json_string(e)) != 0)
		fail(w, IFK_ENOMEM, "out of memory");
	free(e);
}

static void set_time(struct cw *w, json_t *o, const char *k, const char *t)
{
	if (good_time(t) &&
	    json_object_set_new(o, k,
	                        json_pack("{s:s, s:s}", "@type", "xsd:dateTime", "@value", t)) != 0)
		fail(w, IFK_ENOMEM, "out of memory");
}

static void set_ref(json_t *o, const char *k, const char *id)
{
	if (id && *id)
		json_object_set_new(o, k, json_pack("{s:s}", "@id", id));
}

static json_t *node(const char *id, const char *type)
{
	return json_pack("{s:s, s:s}", "@id", id, "@type", type);
}

static char *buf_take(struct cw *w, struct ifk_buf *b)
{
	if (!b->data)
		fail(w, IFK_ENOMEM, "out of memory");
	return b->data;
}

/* ---- output ---- */

static char *dump(struct cw *w, json_t *n)
{
	char *text = !w->rc && n ? json_dumps(n, JSON_SORT_KEYS) : NULL;

	if (!text)
		fail(w, IFK_ENOMEM, "out of memory");
	json_decref(n);
	return w->rc ? (free(text), NULL) : text;
}

static void put(struct cw *w, const char *sep, const char *text, const char *tail)
{
	if (!w->rc && fprintf(w->out, "%s%s%s", sep, text, tail) < 0)
		fail(w, IFK_EIO, "write failed");
}

/* Writes one node of the graph on a line of its own, and drops it. */
static void emit(struct cw *w, json_t *n)
{
	char *text = dump(w, n);

	if (text)
		put(w, w->nodes++ ? ",\n    " : "    ", text, "");
	free(text);
}

/* Starts a node whose last key is "uco-core:object", an array written item
 * by item: every key of head must sort before it. */
static void list_open(struct cw *w, json_t *head)
{
	char *text = dump(w, head);

	if (text) {
		text[strlen(text) - 1] = '\0'; /* the closing brace */
		put(w, w->nodes++ ? ",\n    " : "    ", text, ", \"uco-core:object\": [");
	}
	w->items = 0;
	free(text);
}

static void list_item(struct cw *w, json_t *item)
{
	char *text = dump(w, item);

	if (text)
		put(w, w->items++ ? ",\n      " : "\n      ", text, "");
	free(text);
}

static void list_close(struct cw *w)
{
	put(w, "", "\n    ]}", "");
}

/* ---- nodes ---- */

/* A file: its name and path (FileFacet), its SHA-256 and size in bytes
 * (ContentDataFacet; the size is left out when negative). */
static json_t *file_json(struct cw *w, const char *id, const char *path, const char *sha,
                         long long size)
{
	char fid[IRI_LEN], cid[IRI_LEN], hid[IRI_LEN];
	const char *base = strrchr(path, '/');
	json_t *f = node(id, "uco-observable:File"), *ff, *cf;

	mkiri(w, fid, "file-facet", id, NULL, NULL);
	mkiri(w, cid, "content-facet", id, NULL, NULL);
	mkiri(w, hid, "hash", id, NULL, NULL);
	ff = node(fid, "uco-observable:FileFacet");
	set_text(w, ff, "uco-observable:fileName", base ? base + 1 : path);
	set_text(w, ff, "uco-observable:filePath", path);
	cf = node(cid, "uco-observable:ContentDataFacet");
	if (good_sha256(sha))
		json_object_set_new(cf, "uco-observable:hash",
		                    json_pack("[{s:s, s:s, s:s, s:{s:s, s:s}}]", "@id", hid,
		                              "@type", "uco-types:Hash", "uco-types:hashMethod",
		                              "SHA256", "uco-types:hashValue", "@type",
		                              "xsd:hexBinary", "@value", sha));
	if (size >= 0)
		json_object_set_new(cf, "uco-observable:sizeInBytes", json_integer(size));
	if (json_object_set_new(f, "uco-core:hasFacet", json_pack("[o, o]", ff, cf)) != 0)
		fail(w, IFK_ENOMEM, "out of memory");
	return f;
}

static void role(struct cw *w)
{
	json_t *n;

	mkiri(w, w->role, "role", "examiner", NULL, NULL);
	n = json_pack("{s:s, s:[s, s], s:s, s:s}", "@id", w->role, "@type",
	              "case-investigation:Examiner", "uco-role:Role", "uco-core:name", "examiner",
	              "uco-core:description",
	              "examiner of the evidence: acquires, verifies, parses and reports on it");
	emit(w, n);
}

static void has_role(struct cw *w, const char *who)
{
	char rel[IRI_LEN];

	if (!w->role[0])
		role(w);
	mkiri(w, rel, "has-role", who, NULL, NULL);
	emit(w, json_pack("{s:s, s:s, s:s, s:b, s:[{s:s}], s:{s:s}}", "@id", rel, "@type",
	                  "uco-core:Relationship", "uco-core:kindOfRelationship", "Has_Role",
	                  "uco-core:isDirectional", 1, "uco-core:source", "@id", who,
	                  "uco-core:target", "@id", w->role));
}

/* What the report knows of a person: the report's signer, the acquisition's
 * examiner (whose certificate sealed the bag), or a login. */
static char *identity_text(struct cw *w, const char *name, int examiner)
{
	const json_t *ex = json_object_get(w->rep, "examiner"),
	             *c = json_object_get(w->rep, "case"),
	             *seal = json_object_get(json_object_get(w->rep, "acquisition"), "seal");
	struct ifk_buf b = {0};
	const char *org = NULL;

	if (!examiner)
		ifk_buf_printf(&b, "the login that ran the tool (no examiner name was given)");
	if (examiner && str(ex, "name") && strcmp(name, str(ex, "name")) == 0) {
		ifk_buf_printf(&b, "signed the report with the certificate %s (SHA-256 %s); ",
		               either(str(ex, "certificate_subject"), "?"),
		               either(str(ex, "certificate_sha256"), "?"));
		org = str(ex, "organization");
	}
	if (examiner && str(c, "examiner") && strcmp(name, str(c, "examiner")) == 0) {
		ifk_buf_printf(&b,
		               "acquisition examiner, sealed the bag with the certificate %s "
		               "(SHA-256 %s); ",
		               either(str(seal, "signer"), "?"),
		               either(str(seal, "certificate_sha256"), "?"));
		org = org ? org : str(c, "organization");
	}
	if (examiner)
		ifk_buf_printf(&b, "organization: %s", org ? org : "not given");
	return buf_take(w, &b);
}

/* The identity named name, written the first time it is needed; an examiner
 * also gets the examiner role. */
static void identity(struct cw *w, const char *name, int examiner, char out[IRI_LEN])
{
	json_t *n;
	char *text;

	mkiri(w, out, "identity", w->ev, name, NULL);
	if (w->rc || json_object_get(w->seen, out))
		return;
	json_object_set_new(w->seen, out, json_true());
	n = node(out, "uco-identity:Identity");
	text = identity_text(w, name, examiner);
	set_text(w, n, "uco-core:name", name);
	set_text(w, n, "uco-core:description", text);
	free(text);
	emit(w, n);
	if (examiner)
		has_role(w, out);
}

/* The identity that performed a custody entry's action: the examiner it
 * names, else the login that ran the tool; out is empty when neither is
 * known. */
static void performer(struct cw *w, const json_t *entry, char out[IRI_LEN])
{
	const json_t *actor = json_object_get(entry, "actor");
	const char *user = str(actor, "user"), *host = str(actor, "host");
	char *login = NULL;

	out[0] = '\0';
	if (str(actor, "examiner")) {
		identity(w, str(actor, "examiner"), 1, out);
	} else if (user) {
		if (asprintf(&login, "%s@%s", user, host ? host : "unknown") < 0)
			fail(w, IFK_ENOMEM, "out of memory");
		else
			identity(w, login, 0, out);
		free(login);
	}
}

static void tool(struct cw *w, const char *name, const char *version, const char *type,
                 char out[IRI_LEN])
{
	json_t *n;

	name = name ? name : "unknown";
	mkiri(w, out, "tool", version ? version : "unknown", name, NULL);
	if (w->rc || json_object_get(w->seen, out))
		return;
	json_object_set_new(w->seen, out, json_true());
	n = node(out, "uco-tool:Tool");
	set_text(w, n, "uco-core:name", name);
	set_text(w, n, "uco-tool:version", version);
	set_text(w, n, "uco-tool:toolType", type);
	emit(w, n);
}

static char *device_text(struct cw *w, const json_t *d)
{
	static const char *const extra[][2] = {{"UDID", "udid"},
	                                       {"MEID", "meid"},
	                                       {"ICCID", "iccid"},
	                                       {"phone number", "phone_number"}};
	struct ifk_buf b = {0};
	size_t i;

	ifk_buf_printf(&b, "%s (%s), iOS %s (%s)", either(str(d, "product_name"), "iOS device"),
	               either(str(d, "product_type"), "unknown model"),
	               either(str(d, "ios_version"), "?"), either(str(d, "build"), "?"));
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (str(d, extra[i][1]))
			ifk_buf_printf(&b, ", %s %s", extra[i][0], str(d, extra[i][1]));
	return buf_take(w, &b);
}

/* The device: Apple's, with its model and serial number (DeviceFacet) and
 * IMEI (MobileDeviceFacet). */
static void device(struct cw *w, char out[IRI_LEN])
{
	const json_t *d = json_object_get(w->rep, "device");
	char apple[IRI_LEN], df[IRI_LEN], mf[IRI_LEN], *text;
	json_t *n, *facets = json_array(), *f;

	mkiri(w, apple, "organization", "Apple Inc.", NULL, NULL);
	emit(w, json_pack("{s:s, s:s, s:s}", "@id", apple, "@type", "uco-identity:Organization",
	                  "uco-core:name", "Apple Inc."));
	mkiri(w, out, "device", w->ev, NULL, NULL);
	mkiri(w, df, "device-facet", out, NULL, NULL);
	mkiri(w, mf, "mobile-device-facet", out, NULL, NULL);
	f = node(df, "uco-observable:DeviceFacet");
	set_ref(f, "uco-observable:manufacturer", apple);
	set_text(w, f, "uco-observable:model",
	         either(str(d, "product_type"), str(d, "product_name")));
	set_text(w, f, "uco-observable:serialNumber", str(d, "serial"));
	json_array_append_new(facets, f);
	if (str(d, "imei")) {
		f = node(mf, "uco-observable:MobileDeviceFacet");
		set_text(w, f, "uco-observable:IMEI", str(d, "imei"));
		json_array_append_new(facets, f);
	}
	n = json_pack("{s:s, s:[s, s], s:o}", "@id", out, "@type", "uco-observable:AppleDevice",
	              "uco-observable:MobileDevice", "uco-core:hasFacet", facets);
	text = device_text(w, d);
	set_text(w, n, "uco-core:name", str(d, "name"));
	set_text(w, n, "uco-core:description", text);
	free(text);
	emit(w, n);
}

/* ---- actions and their provenance records ---- */

static void emit_action(struct cw *w, const struct act *a)
{
	json_t *n = node(a->id, "case-investigation:InvestigativeAction"), *objs = json_array();
	size_t i;

	set_text(w, n, "uco-core:name", a->name);
	set_text(w, n, "uco-core:description", a->text);
	set_time(w, n, "uco-action:startTime", a->start);
	set_time(w, n, "uco-action:endTime", a->end);
	set_ref(n, "uco-action:performer", a->performer);
	set_ref(n, "uco-action:instrument", a->instrument);
	for (i = 0; i < 3 && a->objects[i]; i++)
		if (*a->objects[i])
			json_array_append_new(objs, json_pack("{s:s}", "@id", a->objects[i]));
	json_object_set_new(n, "uco-action:object", objs);
	json_object_set_new(n, "uco-action:result", json_pack("[{s:s}]", "@id", a->result));
	set_ref(n, "case-investigation:wasInformedBy", w->prev);
	emit(w, n);
	snprintf(w->prev, sizeof(w->prev), "%s", a->id);
	json_array_append_new(w->actions, json_string(a->id));
}

/* A provenance record, without its objects: the evidence number is its
 * exhibit number (the acquired backup's) or its root exhibit number. */
static json_t *record(struct cw *w, const char *id, const char *name, const char *text, int root)
{
	const char *ev = str(json_object_get(w->rep, "case"), "evidence");
	json_t *n = node(id, "case-investigation:ProvenanceRecord");

	set_text(w, n, "uco-core:name", name);
	set_text(w, n, "uco-core:description", text);
	set_text(w, n,
	         root ? "case-investigation:rootExhibitNumber" : "case-investigation:exhibitNumber",
	         ev);
	return n;
}

static void report_file_iri(struct cw *w, const struct ifk_rar_member *f, char out[IRI_LEN])
{
	mkiri(w, out, "report-file", w->rk, either(f->sha256, ""), either(f->name, ""));
}

/* The bag: the folder the acquisition wrote, as the report was given it. */
static void bag_node(struct cw *w)
{
	const char *path = either(str(w->rep, "bag"), "bag"), *base = strrchr(path, '/');
	char fid[IRI_LEN];
	json_t *n = node(w->bag, "uco-observable:Directory"), *f;

	mkiri(w, fid, "file-facet", w->bag, NULL, NULL);
	f = node(fid, "uco-observable:FileFacet");
	set_text(w, f, "uco-observable:fileName", base && base[1] ? base + 1 : path);
	set_text(w, f, "uco-observable:filePath", path);
	json_object_set_new(f, "uco-observable:isDirectory", json_true());
	set_text(w, n, "uco-core:name", base && base[1] ? base + 1 : path);
	set_text(w, n, "uco-core:description",
	         "the evidence bag (BagIt 1.0, ifk-bag 1): the backup under data/, its "
	         "manifest, the sealed acquisition record and the custody log");
	json_object_set_new(n, "uco-core:hasFacet", json_pack("[o]", f));
	emit(w, n);
}

/* The size of a payload file beside the manifest, or -1: it is opened as
 * every path from evidence is (confined, no symlink anywhere on the way),
 * so a path that would leave the bag, or pass through a symlink, or name
 * anything but a regular file, states no size. */
static long long payload_size(int dir, const char *path)
{
	struct stat st;
	int fd = ifk_open_regular(dir, path, NULL);
	long long size = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0)
		size = (long long)st.st_size;
	close(fd);
	return size;
}

struct walk {
	struct cw *w;
	int dir;
};

/* One manifest line: the payload file, written at once. A malformed line, or
 * one whose checksum is not a SHA-256, states nothing (ifk-verify reports
 * it). */
static int walk_file(void *ctx, unsigned long lineno, const struct ifk_bag_line *l)
{
	struct walk *k = ctx;
	char id[IRI_LEN];

	(void)lineno;
	if (!good_sha256(l->checksum))
		return 0;
	mkiri(k->w, id, "backup-file", k->w->ev, l->checksum, l->path);
	list_item(k->w, file_json(k->w, id, l->path, l->checksum, payload_size(k->dir, l->path)));
	return k->w->rc;
}

/* The acquired backup: the bag, every payload file as the manifest lists
 * it, and the manifest itself, whose hash must still be the one the report
 * was built from. */
static void acquired_record(struct cw *w, const char *manifest)
{
	const char *slash = strrchr(manifest, '/'), *name = slash ? slash + 1 : manifest;
	const char *want = str(json_object_get(w->rep, "backup_files"), "manifest_sha256");
	char *dir = slash ? strndup(manifest, (size_t)(slash - manifest) + 1) : strdup(".");
	char hex[IFK_SHA256_HEX] = "", id[IRI_LEN];
	struct walk k = {w, -1};
	int rc;

	list_open(w, record(w, w->acquired, "acquired backup",
	                    "the backup as acquired into the bag: every payload file (data/) "
	                    "with the SHA-256 that manifest-sha256.txt lists, and the manifest",
	                    0));
	list_item(w, json_pack("{s:s}", "@id", w->bag));
	if (!dir || (k.dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail(w, dir ? IFK_EIO : IFK_ENOMEM, "cannot open the bag's folder");
	rc =
	    w->rc ? 0 : ifk_bag_manifest_foreach(k.dir, name, "SHA256", hex, walk_file, &k, w->err);
	if (rc && !w->rc)
		w->rc = rc;
	if (!w->rc && want && strcmp(want, hex) != 0)
		w->rc = ifk_error_set(w->err, IFK_EVERIFY,
		                      "%s: changed since the report was built (SHA-256 %s, not %s)",
		                      manifest, hex, want);
	mkiri(w, id, "bag-manifest", w->ev, hex, NULL);
	if (!w->rc)
		list_item(w, file_json(w, id, IFK_BAG_MANIFEST, hex,
		                       k.dir >= 0 ? payload_size(k.dir, name) : -1));
	list_close(w);
	if (k.dir >= 0)
		close(k.dir);
	free(dir);
}

static char *acquisition_text(struct cw *w, const json_t *entry)
{
	const json_t *a = json_object_get(w->rep, "acquisition");
	struct ifk_buf b = {0};

	ifk_buf_printf(&b, "%s %s from %s: %lld files, %lld bytes, %lld anomalies, Payload-Oxum %s",
	               either(str(a, "tool"), "ifk-acquire"), either(str(a, "method"), "?"),
	               either(str(a, "source"), "?"),
	               (long long)json_integer_value(json_object_get(a, "files")),
	               (long long)json_integer_value(json_object_get(a, "bytes")),
	               (long long)json_integer_value(json_object_get(a, "anomaly_count")),
	               either(str(a, "payload_oxum"), "?"));
	if (entry)
		ifk_buf_printf(&b, "; custody entry %lld %s",
		               (long long)json_integer_value(json_object_get(entry, "seq")),
		               either(str(entry, "hash"), "?"));
	return buf_take(w, &b);
}

/* The acquisition (the custody log's first entry, entry may be NULL): the
 * device in, the acquired backup out. */
static void acquisition(struct cw *w, const json_t *entry, const char *dev, const char *manifest)
{
	const json_t *a = json_object_get(w->rep, "acquisition"),
	             *c = json_object_get(w->rep, "case");
	char id[IRI_LEN], who[IRI_LEN] = "", instr[IRI_LEN];
	struct act act = {0};

	mkiri(w, id, "action", w->ev, either(str(entry, "hash"), "acquisition"), NULL);
	if (entry)
		performer(w, entry, who);
	if (!who[0] && str(c, "examiner"))
		identity(w, str(c, "examiner"), 1, who);
	tool(w, either(str(a, "tool"), "ifk-acquire"), str(a, "tool_version"), "acquisition",
	     instr);
	act = (struct act){id,    "acquisition", str(a, "started"), str(a, "ended"),           who,
	                   instr, w->acquired,   {dev, NULL, NULL}, acquisition_text(w, entry)};
	emit_action(w, &act);
	free(act.text);
	bag_node(w);
	acquired_record(w, manifest);
}

/* "<tool> <version>: <action> <result> (check status, ...), output <path>;
 * custody entry <seq> <hash>" */
static char *entry_text(struct cw *w, const json_t *e)
{
	const json_t *d = json_object_get(e, "details"), *checks = json_object_get(d, "checks"), *v;
	const char *k, *sep = " (";
	struct ifk_buf b = {0};

	ifk_buf_printf(&b, "%s %s: %s %s", either(str(e, "tool"), "?"),
	               either(str(e, "version"), "?"), either(str(e, "action"), "?"),
	               either(str(e, "result"), "?"));
	json_object_foreach((json_t *)checks, k, v)
	{
		ifk_buf_printf(&b, "%s%s %s", sep, k, either(json_string_value(v), "?"));
		sep = ", ";
	}
	if (*sep == ',')
		ifk_buf_printf(&b, ")");
	if (str(d, "output"))
		ifk_buf_printf(&b, ", output %s", str(d, "output"));
	ifk_buf_printf(&b, "; custody entry %lld %s",
	               (long long)json_integer_value(json_object_get(e, "seq")),
	               either(str(e, "hash"), "?"));
	return buf_take(w, &b);
}

/* The parse outputs, as the report holds them (its parse/ members). */
struct parse_objs {
	struct cw *w;
	json_t *objs;
};

static int parse_obj(void *ctx, const struct ifk_rar_member *f, struct ifk_error *err)
{
	struct parse_objs *p = ctx;
	char id[IRI_LEN];

	(void)err;
	if (strncmp(f->name, "parse/", 6) != 0)
		return 0;
	report_file_iri(p->w, f, id);
	json_array_append_new(p->objs, json_pack("{s:s}", "@id", id));
	return 0;
}

static void parse_record(struct cw *w, const struct ifk_rar_list *files)
{
	json_t *n = record(w, w->parse_pr, "parse outputs",
	                   "what ifk-parse produced, as copied into the report (its parse/ "
	                   "members)",
	                   1);
	struct parse_objs p = {w, json_array()};

	if (ifk_rar_list_each(files, parse_obj, &p, w->err) != 0)
		fail(w, w->err ? w->err->code : IFK_EIO, "the report's members");
	if (json_array_size(p.objs) == 0)
		json_array_append_new(p.objs, json_pack("{s:s}", "@id", w->bag));
	json_object_set_new(n, "uco-core:object", p.objs);
	emit(w, n);
	w->parse_done = 1;
}

/* One custody entry after the acquisition: its action, and a record of its
 * result (the parse outputs when it made the report's parse/ members). */
static void custody_action(struct cw *w, const json_t *e, const struct ifk_rar_list *files)
{
	const json_t *seq = json_object_get(json_object_get(w->rep, "parse"), "custody_seq");
	const struct kind *k = kind_of(str(e, "action"));
	char id[IRI_LEN], pr[IRI_LEN], who[IRI_LEN], instr[IRI_LEN], key[80];
	int parse = strcmp(either(str(e, "action"), ""), "parse") == 0 && json_is_integer(seq) &&
	            json_integer_value(seq) == json_integer_value(json_object_get(e, "seq"));
	struct act a;

	snprintf(key, sizeof(key), "%s", either(str(e, "hash"), ""));
	if (!key[0])
		snprintf(key, sizeof(key), "seq %lld",
		         (long long)json_integer_value(json_object_get(e, "seq")));
	mkiri(w, id, "action", w->ev, key, NULL);
	mkiri(w, pr, "result", w->ev, key, NULL);
	performer(w, e, who);
	tool(w, str(e, "tool"), str(e, "version"), k ? k->tool_type : NULL, instr);
	a = (struct act){id,
	                 k ? k->name : str(e, "action"),
	                 str(e, "time"),
	                 str(e, "time"),
	                 who,
	                 instr,
	                 parse ? w->parse_pr : pr,
	                 {w->acquired, NULL, NULL},
	                 entry_text(w, e)};
	emit_action(w, &a);
	if (parse) {
		parse_record(w, files);
	} else {
		json_t *n = record(w, pr, k ? k->name : "result", a.text, 1);
		json_object_set_new(n, "uco-core:object", json_pack("[{s:s}]", "@id", w->bag));
		emit(w, n);
	}
	free(a.text);
}

/* The report's parse outputs when no custody entry recorded the parse (a
 * read-only parse): an action without performer or time. */
static void unlogged_parse(struct cw *w, const struct ifk_rar_list *files)
{
	char id[IRI_LEN], instr[IRI_LEN];
	struct act a = {0};

	mkiri(w, id, "action", w->rk, "parse", NULL);
	tool(w, "ifk-parse", NULL, "parsing", instr);
	a = (struct act){
	    id, "parsing", NULL, NULL, NULL, instr, w->parse_pr, {w->acquired, NULL, NULL}, NULL};
	a.text = strdup("ifk-parse: the parse whose outputs the report holds; no custody entry "
	                "records it (read-only parse)");
	emit_action(w, &a);
	free(a.text);
	parse_record(w, files);
}

/* The report's members, each with its SHA-256 and size. */
static int report_item(void *ctx, const struct ifk_rar_member *f, struct ifk_error *err)
{
	struct cw *w = ctx;
	char fid[IRI_LEN];

	(void)err;
	report_file_iri(w, f, fid);
	list_item(w, file_json(w, fid, f->name, f->sha256, f->sha256 ? f->bytes : -1));
	return 0;
}

static void report_record(struct cw *w, const char *id, const struct ifk_rar_list *files)
{
	list_open(w, record(w, id, "report files",
	                    "the members of the report archive with their SHA-256 (SHA256SUMS "
	                    "lists them too; case.jsonld cannot hash itself)",
	                    1));
	if (ifk_rar_list_each(files, report_item, w, w->err) != 0)
		fail(w, w->err ? w->err->code : IFK_EIO, "the report's members");
	if (w->items == 0)
		list_item(w, json_pack("{s:s}", "@id", w->bag));
	list_close(w);
}

static char *report_text(struct cw *w)
{
	const json_t *c = json_object_get(w->rep, "custody"),
	             *v = json_object_get(w->rep, "verification");
	struct ifk_buf b = {0};

	ifk_buf_printf(
	    &b,
	    "%s %s: report on the bag %s as of custody entry %lld %s (the report's time); "
	    "verification at report time: %s",
	    either(str(w->rep, "tool"), "ifk-report"), either(str(w->rep, "version"), "?"),
	    either(str(w->rep, "bag"), "?"),
	    (long long)json_integer_value(json_object_get(c, "head_seq")),
	    either(str(c, "head"), "?"), either(str(v, "verdict"), "?"));
	return buf_take(w, &b);
}

/* The report: made by its signer from the acquired backup (and the parse
 * outputs), at the custody head's time. */
static void report_action(struct cw *w, const struct ifk_rar_list *files)
{
	const json_t *ex = json_object_get(w->rep, "examiner");
	const char *t = str(w->rep, "report_time");
	char id[IRI_LEN], pr[IRI_LEN], who[IRI_LEN] = "", instr[IRI_LEN];
	struct act a;

	mkiri(w, id, "action", w->rk, "report", NULL);
	mkiri(w, pr, "result", w->rk, "report", NULL);
	if (str(ex, "name"))
		identity(w, str(ex, "name"), 1, who);
	tool(w, either(str(w->rep, "tool"), "ifk-report"), str(w->rep, "version"), "reporting",
	     instr);
	a = (struct act){id,
	                 "reporting",
	                 t,
	                 t,
	                 who,
	                 instr,
	                 pr,
	                 {w->acquired, w->parse_done ? w->parse_pr : NULL, NULL},
	                 report_text(w)};
	emit_action(w, &a);
	free(a.text);
	report_record(w, pr, files);
}

/* The case: every action of the report, in order. */
static void investigation(struct cw *w)
{
	const json_t *c = json_object_get(w->rep, "case"), *v;
	char id[IRI_LEN], *text;
	struct ifk_buf b = {0};
	json_t *n, *objs = json_array();
	size_t i;

	mkiri(w, id, "investigation", w->rk, NULL, NULL);
	n = node(id, "case-investigation:Investigation");
	ifk_buf_printf(&b, "evidence %s, organization %s", either(str(c, "evidence"), "not given"),
	               either(str(c, "organization"), "not given"));
	if (str(c, "notes"))
		ifk_buf_printf(&b, "; notes: %s", str(c, "notes"));
	text = buf_take(w, &b);
	set_text(w, n, "uco-core:name", either(str(c, "case"), "case number not given"));
	set_text(w, n, "uco-core:description", text);
	json_array_foreach(w->actions, i, v)
	{
		json_array_append_new(objs, json_pack("{s:s}", "@id", json_string_value(v)));
	}
	json_object_set_new(n, "uco-core:object", objs);
	free(text);
	emit(w, n);
}

/* The evidence's key (the custody genesis, else the manifest's hash) and the
 * report's (SHA-256 over its time, custody head and members), from which the
 * IRIs are made. */
static int key_line(void *ctx, const struct ifk_rar_member *f, struct ifk_error *err)
{
	EVP_MD_CTX *md = ctx;

	(void)err;
	EVP_DigestUpdate(md, either(f->sha256, ""), strlen(either(f->sha256, "")));
	EVP_DigestUpdate(md, "  ", 2);
	EVP_DigestUpdate(md, f->name, strlen(f->name));
	EVP_DigestUpdate(md, "\n", 1);
	return 0;
}

static void keys(struct cw *w, const struct ifk_rar_list *files)
{
	const json_t *c = json_object_get(w->rep, "custody");
	const char *e = either(str(c, "genesis"),
	                       str(json_object_get(w->rep, "backup_files"), "manifest_sha256"));
	struct ifk_buf b = {0};
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t d[IFK_SHA256_LEN];

	snprintf(w->ev, sizeof(w->ev), "%s", either(e, "unknown"));
	ifk_buf_printf(&b, "%s %s\n", either(str(w->rep, "report_time"), ""),
	               either(str(c, "head"), ""));
	/* hashed as the list is read: the members are not held */
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) || !buf_take(w, &b) ||
	    !EVP_DigestUpdate(md, b.data, b.len))
		fail(w, IFK_ENOMEM, "out of memory");
	else if (ifk_rar_list_each(files, key_line, md, w->err) != 0)
		fail(w, w->err ? w->err->code : IFK_EIO, "the report's members");
	else if (EVP_DigestFinal_ex(md, d, NULL))
		ifk_hex(d, sizeof(d), w->rk);
	EVP_MD_CTX_free(md);
	ifk_buf_free(&b);
	mkiri(w, w->bag, "bag", w->ev, NULL, NULL);
	mkiri(w, w->acquired, "acquired", w->ev, NULL, NULL);
	mkiri(w, w->parse_pr, "parse-outputs", w->rk, NULL, NULL);
}

static void graph(struct cw *w, const char *manifest, const struct ifk_rar_list *files)
{
	const json_t *entries = json_object_get(json_object_get(w->rep, "custody"), "entries"), *e;
	const json_t *first = json_array_get(entries, 0);
	char dev[IRI_LEN];
	size_t i;

	if (strcmp(either(str(first, "action"), ""), "acquire") != 0)
		first = NULL;
	put(w, "", head_text, "");
	device(w, dev);
	acquisition(w, first, dev, manifest);
	json_array_foreach((json_t *)entries, i, e)
	{
		if (e != first && str(e, "action") && !json_object_get(e, "problem"))
			custody_action(w, e, files);
	}
	if (json_is_object(json_object_get(w->rep, "parse")) && !w->parse_done)
		unlogged_parse(w, files);
	report_action(w, files);
	investigation(w);
	put(w, "", "\n  ]\n}\n", "");
}

int ifk_report_case_write(FILE *out, const json_t *report, const char *bag_manifest_path,
                          const struct ifk_rar_list *report_files, struct ifk_error *err)
{
	struct cw w = {.out = out, .rep = report, .err = err};

	if (!out || !json_is_object(report) || !bag_manifest_path)
		return ifk_error_set(err, IFK_EINVAL, "case.jsonld: no output, report or manifest");
	w.md = EVP_MD_CTX_new();
	w.seen = json_object();
	w.actions = json_array();
	if (!w.md || !w.seen || !w.actions)
		fail(&w, IFK_ENOMEM, "out of memory");
	keys(&w, report_files);
	graph(&w, bag_manifest_path, report_files);
	if (!w.rc && (fflush(out) != 0 || ferror(out)))
		fail(&w, IFK_EIO, "write failed");
	EVP_MD_CTX_free(w.md);
	json_decref(w.seen);
	json_decref(w.actions);
	return w.rc;
}
