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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "formats.h"
#include "core.h"

#define DOMAIN "SystemPreferencesDomain"
#define LEGACY "SystemConfiguration/com.apple.wifi.plist"
#define MODERN "com.apple.wifi.known-networks.plist"
#define MODERN_FALLBACK "SystemConfiguration/" MODERN
#define KEY_PREFIX "wifi.network.ssid."
#define LIST_KEY "List of known networks"
#define BSSIDS_MAX 4096
#define NO_LIST 1 /* com.apple.wifi.plist without its list (not an error alone) */

static int keep_err(int rc, int new_rc, struct ifk_error *err, const struct ifk_error *e)
{
	if (rc < 0 || new_rc >= 0)
		return rc;
	if (err && e && err != e)
		*err = *e;
	return new_rc;
}

static bool is_dict(plist_t p)
{
	return p && plist_get_node_type(p) == PLIST_DICT;
}

static char *dict_str(plist_t dict, const char *key)
{
	char *s = NULL;

	if (!is_dict(dict) || ifk_plist_get_string(dict, key, &s, NULL) < 0)
		return NULL;
	return s;
}

static int set_str(struct ifk_art *a, const char *col, plist_t dict, const char *key)
{
	char *s = dict_str(dict, key);

	if (!s)
		return 0;
	ifk_row_text(a, col, s);
	free(s);
	return 1;
}

static double dict_date(plist_t dict, const char *key)
{
	int64_t t;

	if (!is_dict(dict) || ifk_plist_get_date(dict, key, &t, NULL) < 0)
		return NAN;
	return (double)t;
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

/* Sets the three join columns and their events; last_joined is the later. */
static void joins(struct ifk_art *a, double user, double sys, const char *ssid)
{
	char line[300];
	double last = user;

	if (isnan(last) || (!isnan(sys) && sys > last))
		last = sys;
	ifk_row_time(a, "last_joined_user", user);
	ifk_row_time(a, "last_joined_auto", sys);
	ifk_row_time(a, "last_joined", last);
	snprintf(line, sizeof(line), "Wi-Fi %.200s joined by the user", ssid ? ssid : "?");
	ifk_row_event(a, "last_joined_user", "joined", line);
	snprintf(line, sizeof(line), "Wi-Fi %.200s joined automatically", ssid ? ssid : "?");
	ifk_row_event(a, "last_joined_auto", "joined", line);
	snprintf(line, sizeof(line), "Wi-Fi %.200s added", ssid ? ssid : "?");
	ifk_row_event(a, "added", "added", line);
}

/* ---- com.apple.wifi.plist ---- */

static void legacy_security(struct ifk_art *a, plist_t n)
{
	bool wep = false;

	if (set_str(a, "security", n, "SecurityMode"))
		return;
	if (plist_dict_get_item(n, "RSN_IE"))
		ifk_row_text(a, "security", "WPA2");
	else if (plist_dict_get_item(n, "WPA_IE"))
		ifk_row_text(a, "security", "WPA");
	else if (ifk_plist_get_bool(n, "WEP", &wep, NULL) == 0 && wep)
		ifk_row_text(a, "security", "WEP");
}

static int legacy_row(struct ifk_art *a, struct ifk_src *s, plist_t n, int64_t rowid,
                      struct ifk_error *err)
{
	char *ssid;

	if (!set_str(a, "ssid", n, "SSID_STR"))
		set_ssid_data(a, n, "SSID");
	ssid = dict_str(n, "SSID_STR");
	set_str(a, "bssid", n, "BSSID");
	legacy_security(a, n);
	set_bool(a, "hidden", n, "HIDDEN_NETWORK");
	ifk_row_time(a, "added", dict_date(n, "addedAt"));
	joins(a, dict_date(n, "lastJoined"), dict_date(n, "lastAutoJoined"), ssid);
	free(ssid);
	ifk_row_text(a, "source_format", "wifi.plist");
	return ifk_row_emit(a, s, LIST_KEY, rowid, err);
}

static int legacy(struct ifk_art *a, struct ifk_src *s, plist_t root, struct ifk_error *err)
{
	plist_t list;
	uint32_t i, n;
	int rc;

	if (!is_dict(root))
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: the root is %s, not a dictionary",
		                     ifk_src_relative_path(s), ifk_plist_type_name(root));
	list = plist_dict_get_item(root, LIST_KEY);
	if (!list) /* iOS 14+ may keep the file for other settings */
		return ifk_error_set(err, NO_LIST, "%s: has no key \"" LIST_KEY "\"",
		                     ifk_src_relative_path(s));
	if (plist_get_node_type(list) != PLIST_ARRAY)
		return ifk_error_set(err, IFK_EUNSUPPORTED,
		                     "%s: \"" LIST_KEY "\" is %s, not an array",
		                     ifk_src_relative_path(s), ifk_plist_type_name(list));
	n = plist_array_get_size(list);
	for (i = 0; i < n; i++) {
		plist_t e = plist_array_get_item(list, i);

		if (!is_dict(e))
			continue;
		rc = legacy_row(a, s, e, (int64_t)i + 1, err);
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

		b = dict_str(e, "BSSID");
		if (!b)
			b = dict_str(e, "LEAKY_AP_BSSID");
		if (!b)
			continue;
		if (strlen(b) + 2 < sizeof(all) - used)
			used += (size_t)snprintf(all + used, sizeof(all) - used, "%s%s",
			                         used ? "," : "", b);
		t = dict_date(e, "LastAssociatedAt");
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

	if (set_str(a, "security", net, "SupportedSecurityTypes"))
		return;
	if (v && plist_get_node_type(v) == PLIST_UINT) {
		plist_get_uint_val(v, &u);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)u);
		ifk_row_text(a, "security", num);
	}
}

static int modern_row(struct ifk_art *a, struct ifk_src *s, const char *key, plist_t net,
                      int64_t rowid, struct ifk_error *err)
{
	plist_t os = plist_dict_get_item(net, "__OSSpecific__");
	plist_t cap = plist_dict_get_item(net, "CaptiveProfile");
	const char *ssid = key + strlen(KEY_PREFIX);
	char *table;
	int rc;

	if (!set_ssid_data(a, net, "SSID"))
		ifk_row_text(a, "ssid", ssid);
	bss_list(a, net, set_str(a, "bssid", os, "BSSID"));
	modern_security(a, net);
	set_bool(a, "hidden", net, "Hidden");
	set_bool(a, "captive", cap, "CaptiveNetwork");
	ifk_row_time(a, "added", dict_date(net, "AddedAt"));
	ifk_row_time(a, "updated", dict_date(net, "UpdatedAt"));
	joins(a, dict_date(net, "JoinedByUserAt"), dict_date(net, "JoinedBySystemAt"), ssid);
	ifk_row_text(a, "source_format", "known-networks");
	if (ifk_utf8_valid(key, strlen(key)))
		return ifk_row_emit(a, s, key, rowid, err);
	table = ifk_text_escape(key); /* source_table must be text */
	rc = ifk_row_emit(a, s, table ? table : KEY_PREFIX "?", rowid, err);
	free(table);
	return rc;
}

static int modern(struct ifk_art *a, struct ifk_src *s, plist_t root, struct ifk_error *err)
{
	plist_dict_iter it = NULL;
	char *key;
	plist_t v;
	int64_t pos = 0;
	int rc = 0;

	if (!is_dict(root))
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: the root is %s, not a dictionary",
		                     ifk_src_relative_path(s), ifk_plist_type_name(root));
	plist_dict_new_iter(root, &it);
	if (!it)
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory",
		                     ifk_src_relative_path(s));
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
			rc = modern_row(a, s, key, v, pos, err);
		free(key);
	}
	free(it);
	return rc;
}

typedef int (*reader_fn)(struct ifk_art *a, struct ifk_src *s, plist_t root, struct ifk_error *err);

/* Reads one file; IFK_ENOTFOUND when the backup lacks it. */
static int read_one(struct ifk_art *a, const char *path, reader_fn fn, struct ifk_error *err)
{
	struct ifk_src *s = NULL;
	plist_t root = NULL;
	int rc;

	rc = ifk_art_plist(a, DOMAIN, path, &s, &root, err);
	if (rc < 0)
		return rc; /* the message names the backup's file */
	rc = fn(a, s, root, err);
	plist_free(root);
	return rc;
}

/* The known-networks file where iOS 14+ keeps it, else the fallback. */
static int read_modern(struct ifk_art *a, struct ifk_error *err)
{
	int rc = read_one(a, MODERN, modern, err);

	if (rc == IFK_ENOTFOUND)
		rc = read_one(a, MODERN_FALLBACK, modern, err);
	return rc;
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_error e;
	int r1, r2, rc = 0;

	r1 = read_one(a, LEGACY, legacy, err);
	if (r1 == IFK_EINTR)
		return r1;
	r2 = read_modern(a, &e);
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
	return keep_err(rc, r2 == IFK_ENOTFOUND ? 0 : r2, err, &e);
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

const struct ifk_artifact ifk_art_wifi_networks = {
    .name = "wifi_networks",
    .title = "Known Wi-Fi networks",
    .version = "2",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
