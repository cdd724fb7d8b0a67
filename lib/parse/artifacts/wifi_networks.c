/* wifi_networks: the Wi-Fi networks the device knows.
 *
 * Two formats, both in SystemPreferencesDomain (/private/var/preferences):
 *  - SystemConfiguration/com.apple.wifi.plist (up to iOS 13): {"List of known
 *    networks": [ {SSID_STR, SSID (data), BSSID, lastJoined, lastAutoJoined,
 *    addedAt, SecurityMode, WEP, WPA_IE, RSN_IE, HIDDEN_NETWORK, ...} ]}; rows
 *    carry source_table "List of known networks" and the 1-based array index.
 *    iOS 14+ keeps this file for other settings, without the list;
 *  - com.apple.wifi.known-networks.plist (iOS 14+), at the root of the domain
 *    (an iOS 14.3 backup's Manifest.db lists it there, beside the old file in
 *    SystemConfiguration/): {"wifi.network.ssid.<SSID>": {SSID (data),
 *    AddedAt, JoinedByUserAt, JoinedBySystemAt, UpdatedAt,
 *    SupportedSecurityTypes, Hidden, BSSList: [{BSSID, LastAssociatedAt}],
 *    __OSSpecific__: {BSSID, ...}}}; rows carry the entry's key as source_table
 *    and its 1-based position in the file. Only when the backup has no such
 *    file is SystemConfiguration/com.apple.wifi.known-networks.plist read.
 * Both formats may be present: each is read and its rows keep their source. */
#include <stdbool.h>

#include "artifact.h"

#define DOMAIN "SystemPreferencesDomain"
#define LEGACY "SystemConfiguration/com.apple.wifi.plist"
#define MODERN "com.apple.wifi.known-networks.plist"
#define MODERN_FALLBACK "SystemConfiguration/" MODERN
#define KEY_PREFIX "wifi.network.ssid."
#define LIST_KEY "List of known networks"
#define BSSIDS_MAX 4096
#define NO_LIST 1 /* com.apple.wifi.plist without its list (not an error alone) */

static bool is_dict(plist_t p)
{
	return p && plist_get_node_type(p) == PLIST_DICT;
}

static void set_bool(struct ifk_art *a, const char *col, plist_t dict, const char *key)
{
	bool b;

	if (is_dict(dict) && ifk_plist_get_bool(dict, key, &b, NULL) == 0)
		ifk_row_bool(a, col, b);
}

/* The SSID from a data node (raw bytes: any encoding; NULs cut it). */
static int set_ssid_data(struct ifk_art *a, plist_t dict, const char *key)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char *s;

	if (!is_dict(dict) || ifk_plist_get_data(dict, key, &buf, &len, NULL) < 0)
		return 0;
	s = malloc(len + 1);
	if (s) {
		memcpy(s, buf, len);
		s[len] = '\0';
		ifk_row_text(a, "ssid", s);
	}
	free(s);
	free(buf);
	return s != NULL;
}

/* Sets the three join columns; last_joined is the later. */
static void joins(struct ifk_art *a, double user, double sys)
{
	double last = user;

	if (isnan(last) || (!isnan(sys) && sys > last))
		last = sys;
	ifk_row_time(a, "last_joined_user", user);
	ifk_row_time(a, "last_joined_auto", sys);
	ifk_row_time(a, "last_joined", last);
}

/* ---- com.apple.wifi.plist ---- */

static void legacy_security(struct ifk_art *a, plist_t n)
{
	bool wep = false;

	if (ifk_row_dict_text(a, "security", n, "SecurityMode"))
		return;
	if (plist_dict_get_item(n, "RSN_IE"))
		ifk_row_text(a, "security", "WPA2");
	else if (plist_dict_get_item(n, "WPA_IE"))
		ifk_row_text(a, "security", "WPA");
	else if (ifk_plist_get_bool(n, "WEP", &wep, NULL) == 0 && wep)
		ifk_row_text(a, "security", "WEP");
}

static int legacy_row(struct ifk_art_row *r, plist_t n, int64_t rowid, struct ifk_error *err)
{
	struct ifk_art *a = r->a;
	char *ssid;

	if (!ifk_row_dict_text(a, "ssid", n, "SSID_STR"))
		set_ssid_data(a, n, "SSID");
	ssid = ifk_art_dict_str(n, "SSID_STR");
	snprintf(r->subject, sizeof(r->subject), "%s", ssid ? ssid : "?");
	free(ssid);
	ifk_row_dict_text(a, "bssid", n, "BSSID");
	legacy_security(a, n);
	set_bool(a, "hidden", n, "HIDDEN_NETWORK");
	ifk_row_time(a, "added", ifk_art_dict_date(n, "addedAt"));
	joins(a, ifk_art_dict_date(n, "lastJoined"), ifk_art_dict_date(n, "lastAutoJoined"));
	ifk_row_text(a, "source_format", "wifi.plist");
	return ifk_art_emit(r, LIST_KEY, rowid, err);
}

static int legacy(struct ifk_art_row *r, plist_t root, struct ifk_error *err)
{
	const char *rel = ifk_src_relative_path(r->src);
	plist_t list;
	uint32_t i, n;
	int rc;

	if (!is_dict(root))
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: the root is %s, not a dictionary",
		                     rel, ifk_plist_type_name(root));
	list = plist_dict_get_item(root, LIST_KEY);
	if (!list) /* iOS 14+ may keep the file for other settings */
		return ifk_error_set(err, NO_LIST, "%s: has no key \"" LIST_KEY "\"", rel);
	if (plist_get_node_type(list) != PLIST_ARRAY)
		return ifk_error_set(err, IFK_EUNSUPPORTED,
		                     "%s: \"" LIST_KEY "\" is %s, not an array", rel,
		                     ifk_plist_type_name(list));
	n = plist_array_get_size(list);
	for (i = 0; i < n; i++) {
		plist_t e = plist_array_get_item(list, i);

		if (!is_dict(e))
			continue;
		rc = legacy_row(r, e, (int64_t)i + 1, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- com.apple.wifi.known-networks.plist ---- */

/* BSSList: every BSSID, comma-separated, and the most recently associated. */
static void bss_list(struct ifk_art *a, plist_t net, int have_bssid)
{
	plist_t list = plist_dict_get_item(net, "BSSList");
	uint32_t i,
	    n = list && plist_get_node_type(list) == PLIST_ARRAY ? plist_array_get_size(list) : 0;
	char all[BSSIDS_MAX] = "", *best = NULL, *b;
	double best_t = NAN, t;
	size_t used = 0;

	for (i = 0; i < n; i++) {
		plist_t e = plist_array_get_item(list, i);

		b = ifk_art_dict_str(e, "BSSID");
		if (!b)
			b = ifk_art_dict_str(e, "LEAKY_AP_BSSID");
		if (!b)
			continue;
		if (strlen(b) + 2 < sizeof(all) - used)
			used += (size_t)snprintf(all + used, sizeof(all) - used, "%s%s",
			                         used ? "," : "", b);
		t = ifk_art_dict_date(e, "LastAssociatedAt");
		if (!best || (!isnan(t) && (isnan(best_t) || t > best_t))) {
			free(best);
			best = b;
			best_t = t;
		} else {
			free(b);
		}
	}
	if (used)
		ifk_row_text(a, "bssids", all);
	if (!have_bssid && best)
		ifk_row_text(a, "bssid", best);
	free(best);
}

static void modern_security(struct ifk_art *a, plist_t net)
{
	plist_t v = plist_dict_get_item(net, "SupportedSecurityTypes");
	uint64_t u = 0;
	char num[24];

	if (ifk_row_dict_text(a, "security", net, "SupportedSecurityTypes"))
		return;
	if (v && plist_get_node_type(v) == PLIST_UINT) {
		plist_get_uint_val(v, &u);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)u);
		ifk_row_text(a, "security", num);
	}
}

static int modern_row(struct ifk_art_row *r, const char *key, plist_t net, int64_t rowid,
                      struct ifk_error *err)
{
	struct ifk_art *a = r->a;
	plist_t os = plist_dict_get_item(net, "__OSSpecific__");
	plist_t cap = plist_dict_get_item(net, "CaptiveProfile");
	const char *ssid = key + strlen(KEY_PREFIX);
	char *table;
	int rc;

	if (!set_ssid_data(a, net, "SSID"))
		ifk_row_text(a, "ssid", ssid);
	snprintf(r->subject, sizeof(r->subject), "%s", ssid);
	bss_list(a, net, ifk_row_dict_text(a, "bssid", os, "BSSID"));
	modern_security(a, net);
	set_bool(a, "hidden", net, "Hidden");
	set_bool(a, "captive", cap, "CaptiveNetwork");
	ifk_row_time(a, "added", ifk_art_dict_date(net, "AddedAt"));
	ifk_row_time(a, "updated", ifk_art_dict_date(net, "UpdatedAt"));
	joins(a, ifk_art_dict_date(net, "JoinedByUserAt"),
	      ifk_art_dict_date(net, "JoinedBySystemAt"));
	ifk_row_text(a, "source_format", "known-networks");
	if (ifk_utf8_valid(key, strlen(key)))
		return ifk_art_emit(r, key, rowid, err);
	table = ifk_text_escape(key); /* source_table must be text */
	rc = ifk_art_emit(r, table ? table : KEY_PREFIX "?", rowid, err);
	free(table);
	return rc;
}

static int modern(struct ifk_art_row *r, plist_t root, struct ifk_error *err)
{
	const char *rel = ifk_src_relative_path(r->src);
	plist_dict_iter it = NULL;
	char *key;
	plist_t v;
	int64_t pos = 0;
	int rc = 0;

	if (!is_dict(root))
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: the root is %s, not a dictionary",
		                     rel, ifk_plist_type_name(root));
	plist_dict_new_iter(root, &it);
	if (!it)
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", rel);
	while (rc == 0) {
		key = NULL;
		v = NULL;
		plist_dict_next_item(root, it, &key, &v);
		if (!v) {
			free(key);
			break;
		}
		pos++;
		if (key && strncmp(key, KEY_PREFIX, strlen(KEY_PREFIX)) == 0 && is_dict(v))
			rc = modern_row(r, key, v, pos, err);
		free(key);
	}
	free(it);
	return rc;
}

static const struct ifk_art_source sources[] = {
    {DOMAIN, MODERN},
    {DOMAIN, LEGACY},
    {DOMAIN, MODERN_FALLBACK},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"ssid", IFK_COL_TEXT},
    {"bssid", IFK_COL_TEXT},
    {"bssids", IFK_COL_TEXT},
    {"security", IFK_COL_TEXT},
    {"hidden", IFK_COL_BOOL},
    {"captive", IFK_COL_BOOL},
    {"added", IFK_COL_TIME},
    {"last_joined", IFK_COL_TIME},
    {"last_joined_user", IFK_COL_TIME},
    {"last_joined_auto", IFK_COL_TIME},
    {"updated", IFK_COL_TIME},
    {"source_format", IFK_COL_TEXT},
    {NULL, 0},
};

enum { S_MODERN, S_LEGACY, S_MODERN_FALLBACK };

static const struct ifk_art_read reads[] = {
    {.source = S_LEGACY, .plist = legacy},
    {.source = S_MODERN, .fallback = S_MODERN_FALLBACK, .plist = modern},
    {0},
};

/* Both formats, each read whatever the other gave; the old file without
 * its list is unsupported only when there is nothing else to read. */
static int both(struct ifk_art_row *r, struct ifk_error *err)
{
	struct ifk_error e = {0};
	int r1, r2, rc = 0;

	r1 = ifk_art_read(r, &reads[0], err);
	if (r1 == IFK_EINTR)
		return r1;
	r2 = ifk_art_read(r, &reads[1], &e);
	if (r1 == IFK_ENOTFOUND && r2 == IFK_ENOTFOUND)
		return IFK_ENOTFOUND;
	if (r1 == NO_LIST && r2 == IFK_ENOTFOUND) { /* nothing else to read */
		r1 = IFK_EUNSUPPORTED;
		if (err)
			err->code = r1;
	} else if (r1 == NO_LIST) {
		r1 = 0;
	}
	rc = r1 == IFK_ENOTFOUND ? 0 : r1;
	return ifk_art_keep_error(rc, r2 == IFK_ENOTFOUND ? 0 : r2, err, &e);
}

static const struct ifk_art_event events[] = {
    {"last_joined_user", "joined", NULL, "Wi-Fi ", " joined by the user", 200},
    {"last_joined_auto", "joined", NULL, "Wi-Fi ", " joined automatically", 200},
    {"added", "added", NULL, "Wi-Fi ", " added", 200},
    {0},
};

static const struct ifk_art_desc desc = {.reads = reads, .events = events, .run = both};

IFK_ARTIFACT(wifi_networks, "Known Wi-Fi networks", "2", sources, cols, desc);
