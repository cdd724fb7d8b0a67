/* applications: the apps a backup lists in its own top-level plists.
 *
 * Info.plist holds "Installed Applications" (an array of bundle ids) and
 * "Applications" (bundle id -> {iTunesMetadata: a plist in a data node,
 * ApplicationSINF: the app's DRM info, ...}); Manifest.plist holds
 * "Applications" (bundle id -> {CFBundleIdentifier, CFBundleVersion,
 * ContainerContentClass, Path}). One row per bundle id found in any of the
 * three, in bundle id order; rowid is that 1-based position. */
#include <time.h>

#include "artifact.h"

#define IN_INSTALLED 1u /* Info.plist "Installed Applications" */
#define IN_INFO_APPS 2u /* Info.plist "Applications" */
#define IN_MANIFEST 4u  /* Manifest.plist "Applications" */

struct app_id {
	char *id;
	unsigned from;
};

struct apps {
	struct ifk_src *info_src, *man_src;
	plist_t info, man;                      /* the parsed roots */
	plist_t installed, info_apps, man_apps; /* their typed members, or NULL */
	struct app_id *ids;
	size_t n, cap;
};

/* root[key] when it has type t; NULL when absent; a failure when another. */
static int member(struct ifk_src *s, plist_t root, const char *key, plist_type t, plist_t *out,
                  struct ifk_error *err)
{
	plist_t v;

	*out = NULL;
	if (!root)
		return 0;
	if (plist_get_node_type(root) != PLIST_DICT)
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: the root is %s, not a dictionary",
		                     ifk_src_relative_path(s), ifk_plist_type_name(root));
	v = plist_dict_get_item(root, key);
	if (!v)
		return 0;
	if (plist_get_node_type(v) != t)
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: %s is %s, not %s",
		                     ifk_src_relative_path(s), key, ifk_plist_type_name(v),
		                     t == PLIST_ARRAY ? "an array" : "a dictionary");
	*out = v;
	return 0;
}

static int add_id(struct apps *ap, const char *id, unsigned from)
{
	struct app_id *p;

	if (!id)
		return 0;
	if (ap->n == ap->cap) {
		size_t cap = ap->cap ? ap->cap * 2 : 64;

		p = realloc(ap->ids, cap * sizeof(*p));
		if (!p)
			return IFK_ENOMEM;
		ap->ids = p;
		ap->cap = cap;
	}
	ap->ids[ap->n].id = strdup(id);
	if (!ap->ids[ap->n].id)
		return IFK_ENOMEM;
	ap->ids[ap->n++].from = from;
	return 0;
}

static int add_dict_keys(struct apps *ap, plist_t dict, unsigned from)
{
	plist_dict_iter it = NULL;
	char *key = NULL;
	plist_t v = NULL;
	int rc = 0;

	if (!dict)
		return 0;
	plist_dict_new_iter(dict, &it);
	if (!it)
		return IFK_ENOMEM;
	for (;;) {
		key = NULL;
		v = NULL;
		plist_dict_next_item(dict, it, &key, &v);
		if (!v) {
			free(key);
			break;
		}
		rc = add_id(ap, key, from);
		free(key);
		if (rc < 0)
			break;
	}
	free(it);
	return rc;
}

static int add_installed(struct apps *ap)
{
	uint32_t i, n = ap->installed ? plist_array_get_size(ap->installed) : 0;
	char *s;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		plist_t v = plist_array_get_item(ap->installed, i);

		if (plist_get_node_type(v) != PLIST_STRING)
			continue;
		s = NULL;
		plist_get_string_val(v, &s);
		rc = add_id(ap, s, IN_INSTALLED);
		free(s);
	}
	return rc;
}

static int cmp_id(const void *x, const void *y)
{
	return strcmp(((const struct app_id *)x)->id, ((const struct app_id *)y)->id);
}

/* Sorts by bundle id and merges duplicates, or-ing where they came from. */
static void merge_ids(struct apps *ap)
{
	size_t i, out = 0;

	if (ap->n == 0)
		return;
	qsort(ap->ids, ap->n, sizeof(*ap->ids), cmp_id);
	for (i = 1; i < ap->n; i++) {
		if (strcmp(ap->ids[i].id, ap->ids[out].id) == 0) {
			ap->ids[out].from |= ap->ids[i].from;
			free(ap->ids[i].id);
		} else {
			ap->ids[++out] = ap->ids[i];
		}
	}
	ap->n = out + 1;
}

/* "2019-11-08T16:44:11Z" as Unix seconds, else NAN. */
static double iso_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, end = 0;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &end) != 6 ||
	    end == 0 || s[end] != '\0')
		return NAN;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    h < 0 || mi < 0 || sec < 0)
		return NAN;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (double)timegm(&tm);
}

/* dict[key] as a date node or an ISO 8601 string, else NAN. */
static double dict_time(plist_t dict, const char *key)
{
	int64_t t;
	char *s;
	double v;

	if (!dict || plist_get_node_type(dict) != PLIST_DICT)
		return NAN;
	if (ifk_plist_get_date(dict, key, &t, NULL) == 0)
		return (double)t;
	s = ifk_art_dict_str(dict, key);
	v = iso_time(s);
	free(s);
	return v;
}

static void meta_fields(struct ifk_art *a, plist_t meta, int have_version)
{
	plist_t dl = plist_dict_get_item(meta, "com.apple.iTunesStore.downloadInfo");
	plist_t acct = dl && plist_get_node_type(dl) == PLIST_DICT
	                   ? plist_dict_get_item(dl, "accountInfo")
	                   : NULL;
	uint64_t item = 0;
	double t;

	ifk_row_dict_text(a, "name", meta, "itemName");
	ifk_row_dict_text(a, "artist", meta, "artistName");
	ifk_row_dict_text(a, "genre", meta, "genre");
	if (!have_version)
		ifk_row_dict_text(a, "version", meta, "bundleVersion");
	ifk_row_dict_text(a, "short_version", meta, "bundleShortVersionString");
	if (ifk_plist_get_uint(meta, "itemId", &item, NULL) == 0 && item <= INT64_MAX)
		ifk_row_int(a, "item_id", (int64_t)item);
	if (!ifk_row_dict_text(a, "apple_id", meta, "appleId"))
		ifk_row_dict_text(a, "apple_id", acct, "AppleID");
	t = dict_time(meta, "purchaseDate");
	if (isnan(t))
		t = dict_time(dl, "purchaseDate");
	ifk_row_time(a, "purchase_date", t);
}

/* The Info.plist entry of one app: its iTunesMetadata plist and SINF. */
static void info_fields(struct ifk_art *a, plist_t app, int have_version)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	plist_t meta = NULL;
	int rc;

	if (!app || plist_get_node_type(app) != PLIST_DICT)
		return;
	ifk_row_bool(a, "has_sinf", plist_dict_get_item(app, "ApplicationSINF") != NULL);
	rc = ifk_plist_get_data(app, "iTunesMetadata", &buf, &len, NULL);
	if (rc == IFK_ENOTFOUND) {
		ifk_row_text(a, "metadata", "absent");
		return;
	}
	if (rc == 0)
		rc = ifk_plist_parse(buf, len, "iTunesMetadata", &meta, NULL);
	free(buf);
	if (rc < 0 || plist_get_node_type(meta) != PLIST_DICT) {
		ifk_row_text(a, "metadata", "unreadable");
		plist_free(meta);
		return;
	}
	ifk_row_text(a, "metadata", "ok");
	meta_fields(a, meta, have_version);
	plist_free(meta);
}

static int emit_app(struct ifk_art_row *r, struct apps *ap, const struct app_id *id, int64_t rowid,
                    struct ifk_error *err)
{
	struct ifk_art *a = r->a;
	plist_t m = ap->man_apps ? plist_dict_get_item(ap->man_apps, id->id) : NULL;
	plist_t i = ap->info_apps ? plist_dict_get_item(ap->info_apps, id->id) : NULL;
	int have_version = 0;

	ifk_row_text(a, "bundle_id", id->id);
	if (m && plist_get_node_type(m) == PLIST_DICT) {
		have_version = ifk_row_dict_text(a, "version", m, "CFBundleVersion");
		ifk_row_dict_text(a, "container_class", m, "ContainerContentClass");
		ifk_row_dict_text(a, "path", m, "Path");
	}
	info_fields(a, i, have_version);
	ifk_row_bool(a, "installed", (id->from & IN_INSTALLED) != 0);
	ifk_row_bool(a, "in_info_plist", (id->from & (IN_INSTALLED | IN_INFO_APPS)) != 0);
	ifk_row_bool(a, "in_manifest_plist", (id->from & IN_MANIFEST) != 0);
	snprintf(r->subject, sizeof(r->subject), "%s", id->id);
	r->src = (id->from & IN_MANIFEST) ? ap->man_src : ap->info_src;
	return ifk_art_emit(r, "Applications", rowid, err);
}

static int collect(struct apps *ap, struct ifk_error *err)
{
	struct ifk_error e;
	int rc = 0;

	rc = ifk_art_keep_error(rc,
	                        member(ap->info_src, ap->info, "Installed Applications",
	                               PLIST_ARRAY, &ap->installed, &e),
	                        err, &e);
	rc = ifk_art_keep_error(
	    rc, member(ap->info_src, ap->info, "Applications", PLIST_DICT, &ap->info_apps, &e), err,
	    &e);
	rc = ifk_art_keep_error(
	    rc, member(ap->man_src, ap->man, "Applications", PLIST_DICT, &ap->man_apps, &e), err,
	    &e);
	if (add_installed(ap) < 0 || add_dict_keys(ap, ap->info_apps, IN_INFO_APPS) < 0 ||
	    add_dict_keys(ap, ap->man_apps, IN_MANIFEST) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "applications: out of memory");
	merge_ids(ap);
	return rc;
}

/* Names the backup's file in a message that names its private copy. */
static int name_source(int rc, const char *what, struct ifk_error *err)
{
	struct ifk_error copy;

	if (!err)
		return rc;
	copy = *err;
	return ifk_error_set(err, rc, "%s: %.600s", what, copy.msg);
}

/* Both plists, their bundle ids merged. */
static int both(struct ifk_art_row *r, struct ifk_error *err)
{
	struct apps ap;
	struct ifk_error e;
	int rc_i, rc_m, rc, erc;
	size_t k;

	memset(&ap, 0, sizeof(ap));
	rc_i = ifk_art_plist(r->a, "", "Info.plist", &ap.info_src, &ap.info, err);
	if (rc_i < 0 && ap.info_src)
		rc_i = name_source(rc_i, "Info.plist", err);
	rc_m = ifk_art_plist(r->a, "", "Manifest.plist", &ap.man_src, &ap.man, &e);
	if (rc_m < 0 && ap.man_src)
		rc_m = name_source(rc_m, "Manifest.plist", &e);
	if (rc_i == IFK_ENOTFOUND && rc_m == IFK_ENOTFOUND)
		return IFK_ENOTFOUND;
	rc = rc_i == IFK_ENOTFOUND ? 0 : rc_i;
	rc = ifk_art_keep_error(rc, rc_m == IFK_ENOTFOUND ? 0 : rc_m, err, &e);
	erc = collect(&ap, &e);
	if (erc == IFK_ENOMEM)
		rc = ifk_art_keep_error(0, erc, err, &e);
	else
		rc = ifk_art_keep_error(rc, erc, err, &e);
	for (k = 0; k < ap.n && erc != IFK_ENOMEM; k++) {
		erc = emit_app(r, &ap, &ap.ids[k], (int64_t)k + 1, &e);
		if (erc < 0) {
			rc = ifk_art_keep_error(0, erc, err, &e);
			break;
		}
	}
	for (k = 0; k < ap.n; k++)
		free(ap.ids[k].id);
	free(ap.ids);
	plist_free(ap.info);
	plist_free(ap.man);
	return rc;
}

static const struct ifk_art_source sources[] = {
    {"", "Info.plist"},
    {"", "Manifest.plist"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"bundle_id", IFK_COL_TEXT},
    {"name", IFK_COL_TEXT},
    {"version", IFK_COL_TEXT},
    {"short_version", IFK_COL_TEXT},
    {"artist", IFK_COL_TEXT},
    {"genre", IFK_COL_TEXT},
    {"item_id", IFK_COL_INT},
    {"apple_id", IFK_COL_TEXT},
    {"purchase_date", IFK_COL_TIME},
    {"container_class", IFK_COL_TEXT},
    {"path", IFK_COL_TEXT},
    {"has_sinf", IFK_COL_BOOL},
    {"metadata", IFK_COL_TEXT},
    {"installed", IFK_COL_BOOL},
    {"in_info_plist", IFK_COL_BOOL},
    {"in_manifest_plist", IFK_COL_BOOL},
    {NULL, 0},
};

static const struct ifk_art_event events[] = {
    {"purchase_date", "purchased", NULL, "app ", NULL, 256},
    {0},
};

static const struct ifk_art_desc desc = {.events = events, .run = both};

IFK_ARTIFACT(applications, "Installed applications", "1", sources, cols, desc);
