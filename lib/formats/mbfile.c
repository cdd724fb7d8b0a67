#include "formats.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


/* A UID may point at a UID (EncryptionKey does); a longer chain is a loop. */
#define MAX_UID_HOPS 8

struct archive {
	plist_t objects;
	uint32_t nobj;
	struct ifk_error *err;
	struct ifk_mbfile_store *store;
	int fatal; /* what is being read makes the entry unusable when bad */
	int bad;   /* such problems seen; the first is in err */
};

static void note(struct archive *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A problem: fatal (the entry is unusable: err) or a warning (appended to
 * the store's warning text). */
static void note(struct archive *a, const char *fmt, ...)
{
	char msg[512], *w = a->store->warning;
	size_t n = strlen(w);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!a->fatal) {
		snprintf(w + n, sizeof(a->store->warning) - n, "%sMBFile: %s", n ? "; " : "", msg);
		return;
	}
	if (a->bad++ == 0)
		ifk_error_set(a->err, IFK_EFORMAT, "MBFile: %s", msg);
}

/* Follows v through $objects while it is a UID; NULL for $null or absent. */
static plist_t resolve(struct archive *a, const char *key, plist_t v)
{
	unsigned hops;
	uint64_t uid;

	for (hops = 0; v && plist_get_node_type(v) == PLIST_UID; hops++) {
		if (hops == MAX_UID_HOPS) {
			note(a, "%s: UID refers to itself (a loop)", key);
			return NULL;
		}
		uid = 0;
		plist_get_uid_val(v, &uid);
		if (uid >= a->nobj) {
			note(a, "%s: UID %llu out of range ($objects has %u)", key,
			     (unsigned long long)uid, a->nobj);
			return NULL;
		}
		if (uid == 0)
			return NULL;
		v = plist_array_get_item(a->objects, (uint32_t)uid);
	}
	if (v && plist_get_node_type(v) == PLIST_STRING &&
	    plist_string_val_compare(v, "$null") == 0)
		return NULL;
	return v;
}

static plist_t field(struct archive *a, plist_t dict, const char *key)
{
	return resolve(a, key, plist_dict_get_item(dict, key));
}

/* An integer (or a real, truncated) field; 0 when absent. */
static int64_t get_int(struct archive *a, plist_t dict, const char *key)
{
	plist_t v = field(a, dict, key);
	uint64_t u = 0;
	double r = 0;

	if (!v)
		return 0;
	if (plist_get_node_type(v) == PLIST_UINT) {
		plist_get_uint_val(v, &u);
		return (int64_t)u;
	}
	if (plist_get_node_type(v) == PLIST_REAL) {
		plist_get_real_val(v, &r);
		if (isfinite(r) && fabs(r) < 9.2e18)
			return (int64_t)r;
	}
	note(a, "%s: expected an integer, found %s", key, ifk_plist_type_name(v));
	return 0;
}

/* Mode and ProtectionClass: 32-bit fields; a value beyond is kept out and
 * noted. */
static uint32_t get_u32(struct archive *a, plist_t dict, const char *key)
{
	int64_t v = get_int(a, dict, key);

	if (v < 0 || v > UINT32_MAX) {
		note(a, "%s: %lld is not a 32-bit value; read as 0", key, (long long)v);
		return 0;
	}
	return (uint32_t)v;
}

/* A string field (or an NSString-style dictionary's NS.string); NULL when
 * absent or bad. */
static const char *get_str(struct archive *a, plist_t dict, const char *key)
{
	plist_t v = field(a, dict, key);
	uint64_t len = 0;
	const char *s;

	if (v && plist_get_node_type(v) == PLIST_DICT && !plist_dict_get_item(v, "NS.string")) {
		note(a, "%s: expected a string, found a dictionary without NS.string", key);
		return NULL;
	}
	if (v && plist_get_node_type(v) == PLIST_DICT)
		v = field(a, v, "NS.string");
	if (!v)
		return NULL;
	if (plist_get_node_type(v) != PLIST_STRING) {
		note(a, "%s: expected a string, found %s", key, ifk_plist_type_name(v));
		return NULL;
	}
	s = plist_get_string_ptr(v, &len);
	if (s && strlen(s) != len)
		note(a, "%s: string holds a NUL byte; cut short", key);
	return s;
}

/* A data field, an NSData-style dictionary's NS.data, or a UID to either. */
static const uint8_t *get_data(struct archive *a, plist_t dict, const char *key, size_t *len)
{
	plist_t v = field(a, dict, key);
	uint64_t n = 0;
	const char *p;

	*len = 0;
	if (v && plist_get_node_type(v) == PLIST_DICT && !plist_dict_get_item(v, "NS.data")) {
		note(a, "%s: expected data, found a dictionary without NS.data", key);
		return NULL;
	}
	if (v && plist_get_node_type(v) == PLIST_DICT)
		v = field(a, v, "NS.data");
	if (!v)
		return NULL;
	if (plist_get_node_type(v) != PLIST_DATA) {
		note(a, "%s: expected data, found %s", key, ifk_plist_type_name(v));
		return NULL;
	}
	p = plist_get_data_ptr(v, &n);
	*len = (size_t)n;
	return (const uint8_t *)p;
}

/* The MBFile dictionary at $top.root, after checking the archive's frame. */
static int archive_root(struct archive *a, plist_t plist, plist_t *mb, struct ifk_error *err)
{
	plist_t archiver, top, root;

	if (plist_get_node_type(plist) != PLIST_DICT)
		return ifk_error_set(err, IFK_EFORMAT, "MBFile: top level is %s, not a dictionary",
		                     ifk_plist_type_name(plist));
	archiver = plist_dict_get_item(plist, "$archiver");
	top = plist_dict_get_item(plist, "$top");
	if (!archiver || plist_get_node_type(archiver) != PLIST_STRING ||
	    plist_string_val_compare(archiver, "NSKeyedArchiver") != 0)
		return ifk_error_set(err, IFK_EFORMAT, "MBFile: not an NSKeyedArchiver archive");
	a->objects = plist_dict_get_item(plist, "$objects");
	if (!a->objects || plist_get_node_type(a->objects) != PLIST_ARRAY)
		return ifk_error_set(err, IFK_EFORMAT, "MBFile: $objects is %s, not an array",
		                     ifk_plist_type_name(a->objects));
	a->nobj = plist_array_get_size(a->objects);
	if (!top || plist_get_node_type(top) != PLIST_DICT)
		return ifk_error_set(err, IFK_EFORMAT, "MBFile: $top is %s, not a dictionary",
		                     ifk_plist_type_name(top));
	root = plist_dict_get_item(top, "root");
	if (!root || plist_get_node_type(root) != PLIST_UID)
		return ifk_error_set(err, IFK_EFORMAT, "MBFile: $top.root is %s, not a UID",
		                     ifk_plist_type_name(root));
	*mb = resolve(a, "$top.root", root);
	if (!*mb || plist_get_node_type(*mb) != PLIST_DICT)
		return a->bad ? IFK_EFORMAT
		              : ifk_error_set(err, IFK_EFORMAT,
		                              "MBFile: root object is %s, not a dictionary",
		                              ifk_plist_type_name(*mb));
	return 0;
}

static void check_class(struct archive *a, plist_t mb)
{
	plist_t cls = field(a, mb, "$class");
	plist_t name =
	    cls && plist_get_node_type(cls) == PLIST_DICT ? field(a, cls, "$classname") : NULL;

	if (name && plist_get_node_type(name) == PLIST_STRING &&
	    plist_string_val_compare(name, "MBFile") != 0)
		note(a, "$class is '%s', not MBFile", plist_get_string_ptr(name, NULL));
}

/* Only the EncryptionKey makes an entry unusable when it cannot be read:
 * the file's content is then lost. Everything else is metadata, and a
 * value of the wrong type there is a warning. */
static void fill(struct archive *a, plist_t mb, struct ifk_entry *e)
{
	const char *rp = get_str(a, mb, "RelativePath");

	e->relative_path = rp ? rp : "";
	e->target = get_str(a, mb, "Target");
	e->mode = get_u32(a, mb, "Mode");
	e->kind = ifk_entry_kind_from_mode(e->mode);
	e->uid = get_int(a, mb, "UserID");
	e->gid = get_int(a, mb, "GroupID");
	e->protection_class = get_u32(a, mb, "ProtectionClass");
	e->size = (uint64_t)get_int(a, mb, "Size");
	e->inode = (uint64_t)get_int(a, mb, "InodeNumber");
	e->birth = get_int(a, mb, "Birth");
	e->mtime = get_int(a, mb, "LastModified");
	e->ctime = get_int(a, mb, "LastStatusChange");
	a->fatal = 1;
	e->enc_key = get_data(a, mb, "EncryptionKey", &e->enc_key_len);
	a->fatal = 0;
	e->xattrs = get_data(a, mb, "ExtendedAttributes", &e->xattrs_len);
	check_class(a, mb);
}

static void reset(struct ifk_entry *e)
{
	e->relative_path = "";
	e->target = NULL;
	e->kind = IFK_ENTRY_OTHER;
	e->mode = e->uid = e->gid = e->protection_class = 0;
	e->size = e->inode = 0;
	e->birth = e->mtime = e->ctime = 0;
	e->enc_key = e->xattrs = NULL;
	e->enc_key_len = e->xattrs_len = 0;
	e->warning = NULL;
}

int ifk_mbfile_decode(const uint8_t *blob, size_t len, struct ifk_entry *e,
                      struct ifk_mbfile_store *store, struct ifk_error *err)
{
	struct archive a = {.err = err, .store = store, .fatal = 1};
	struct ifk_plist_stats st;
	plist_t mb = NULL;
	int rc;

	if (!e || !store)
		return ifk_error_set(err, IFK_EINVAL, "MBFile: no entry or store");
	ifk_mbfile_release(store);
	reset(e);
	if (!blob)
		return ifk_error_set(err, IFK_EFORMAT, "MBFile: no blob");
	rc = ifk_plist_parse_stats(blob, len, "MBFile", &store->plist, &st, err);
	if (rc < 0)
		return rc;
	rc = archive_root(&a, store->plist, &mb, err);
	if (rc < 0)
		return rc;
	a.fatal = 0;
	fill(&a, mb, e);
	if (st.nul_strings)
		note(&a, "a string at blob offset %llu holds a NUL byte; a path may be cut short",
		     (unsigned long long)st.first_nul_offset);
	e->warning = store->warning[0] ? store->warning : NULL;
	return a.bad ? IFK_EFORMAT : 0;
}

void ifk_mbfile_release(struct ifk_mbfile_store *store)
{
	if (!store)
		return;
	if (store->plist)
		plist_free(store->plist);
	store->plist = NULL;
	store->warning[0] = '\0';
}
