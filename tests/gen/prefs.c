/* Small binary plists: the newer known Wi-Fi networks file
 * (SystemPreferencesDomain com.apple.wifi.known-networks.plist, at the root of
 * the domain as on iOS 14+) and a planted preferences file carrying a YARA
 * canary string. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define CANARY "IFK-YARA-CANARY-7f3a"

struct known_net {
	const char *ssid;
	const char *bssid;
	int channel;
	int32_t added;  /* seconds before the base date */
	int32_t joined; /* seconds before the base date */
	const char *security;
};

static const struct known_net known_nets[] = {
    {"HomeNet", "a4:2b:b0:11:22:33", 36, 31536000, 3600, "WPA2 Personal"},
    {"Café Wi-Fi", "3c:37:86:aa:bb:01", 6, 2592000, 86400, "Open"},
};

static plist_t ago(int32_t seconds)
{
	return plist_new_date((int32_t)GEN_BASE_COCOA - seconds, 0);
}

static int out_bin(plist_t p, unsigned char **buf, size_t *len)
{
	int rc = gen_plist_bin(p, buf, len);

	plist_free(p);
	return rc;
}

/* One BSSList entry; also __OSSpecific__ carries BSSID and CHANNEL. */
static plist_t bss(const struct known_net *n)
{
	plist_t d = plist_new_dict();

	if (!d || gen_pset(d, "BSSID", plist_new_string(n->bssid)) < 0 ||
	    gen_pset(d, "Channel", plist_new_uint((uint64_t)n->channel)) < 0 ||
	    gen_pset(d, "LastAssociatedAt", ago(n->joined)) < 0) {
		plist_free(d);
		return NULL;
	}
	return d;
}

static plist_t os_specific(const struct known_net *n)
{
	plist_t d = plist_new_dict();

	if (!d || gen_pset(d, "BSSID", plist_new_string(n->bssid)) < 0 ||
	    gen_pset(d, "CHANNEL", plist_new_uint((uint64_t)n->channel)) < 0 ||
	    gen_pset(d, "prevJoined", ago(n->joined)) < 0) {
		plist_free(d);
		return NULL;
	}
	return d;
}

static plist_t known_net(const struct known_net *n)
{
	plist_t d = plist_new_dict(), list = plist_new_array(), captive = plist_new_dict();
	int rc = d && list && captive ? 0 : -1;

	if (rc == 0)
		rc = gen_padd(list, bss(n));
	if (rc == 0)
		rc = gen_pset(captive, "CaptiveNetwork", plist_new_bool(0));
	if (rc < 0) {
		plist_free(list);
		plist_free(captive);
		plist_free(d);
		return NULL;
	}
	/* cannot fail: both values are non-NULL */
	(void)gen_pset(d, "BSSList", list);
	(void)gen_pset(d, "CaptiveProfile", captive);
	if (gen_pset(d, "SSID", plist_new_data(n->ssid, strlen(n->ssid))) < 0 ||
	    gen_pset(d, "AddedAt", ago(n->added)) < 0 ||
	    gen_pset(d, "JoinedByUserAt", ago(n->added)) < 0 ||
	    gen_pset(d, "JoinedBySystemAt", ago(n->joined)) < 0 ||
	    gen_pset(d, "UpdatedAt", ago(n->joined)) < 0 ||
	    gen_pset(d, "Hidden", plist_new_bool(0)) < 0 ||
	    gen_pset(d, "Moving", plist_new_bool(0)) < 0 ||
	    gen_pset(d, "SupportedSecurityTypes", plist_new_string(n->security)) < 0 ||
	    gen_pset(d, "__OSSpecific__", os_specific(n)) < 0) {
		plist_free(d);
		return NULL;
	}
	return d;
}

/* {"wifi.network.ssid.<SSID>": network, ...} */
int gen_known_networks_plist(const struct gen *g, unsigned char **buf, size_t *len)
{
	plist_t p = plist_new_dict();
	char key[128];
	size_t i;

	if (!p)
		return gen_oom();
	for (i = 0; i < sizeof(known_nets) / sizeof(known_nets[0]); i++) {
		snprintf(key, sizeof(key), "wifi.network.ssid.%s", known_nets[i].ssid);
		if (gen_pset(p, key, known_net(&known_nets[i])) < 0) {
			plist_free(p);
			return -1;
		}
	}
	return out_bin(p, buf, len);
}

int gen_planted_plist(const struct gen *g, unsigned char **buf, size_t *len)
{
	plist_t p = plist_new_dict();

	if (!p)
		return gen_oom();
	if (gen_pset(p, "Marker", plist_new_string(CANARY)) < 0 ||
	    gen_pset(p, "Purpose", plist_new_string("a planted file for YARA scans")) < 0) {
		plist_free(p);
		return -1;
	}
	return out_bin(p, buf, len);
}
