/* The device's identity and lockdownd's values: defaults, then what the
 * served backup says about its device (Manifest.plist Lockdown, Info.plist),
 * then --set and --udid. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "devsim.h"

#define MAX_PLIST_FILE (16u * 1024u * 1024u)
#define DEFAULT_UDID "5c1d0e5a7b3f4e2d9a8b7c6d5e4f3a2b1c0d9e8f"

static const char *const defaults[][2] = {
    {"ActivationState", "Activated"},
    {"BluetoothAddress", "a4:83:e7:12:34:57"},
    {"BuildVersion", "20H115"},
    {"CPUArchitecture", "arm64e"},
    {"DeviceClass", "iPhone"},
    {"DeviceColor", "1"},
    {"DeviceName", "ifk simulated iPhone"},
    {"HardwareModel", "N104AP"},
    {"ProductName", "iPhone OS"},
    {"ProductType", "iPhone12,1"},
    {"ProductVersion", "16.7.2"},
    {"SerialNumber", "F2LXK0AAHG7F"},
    {"WiFiAddress", "a4:83:e7:12:34:56"},
};

/* Info.plist key -> lockdownd key; the first block only fills gaps. */
static const char *const info_keys[][2] = {
    {"IMEI", "InternationalMobileEquipmentIdentity"},
    {"MEID", "MobileEquipmentIdentifier"},
    {"ICCID", "IntegratedCircuitCardIdentity"},
    {"Phone Number", "PhoneNumber"},
    {"Device Name", "DeviceName"},
    {"Product Type", "ProductType"},
    {"Product Version", "ProductVersion"},
    {"Build Version", "BuildVersion"},
    {"Serial Number", "SerialNumber"},
    {"Target Identifier", "UniqueDeviceID"},
};

/* A plist file of the backup, or NULL. */
static plist_t read_plist(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	plist_t p = NULL;
	char *buf;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MAX_PLIST_FILE) {
		close(fd);
		return NULL;
	}
	buf = sim_xmalloc((size_t)st.st_size);
	if (read(fd, buf, (size_t)st.st_size) == st.st_size)
		plist_from_memory(buf, (uint32_t)st.st_size, &p);
	free(buf);
	close(fd);
	return p;
}

static void set_str(plist_t values, const char *key, const char *val, int only_if_missing)
{
	if (only_if_missing && plist_dict_get_item(values, key))
		return;
	plist_dict_set_item(values, key, plist_new_string(val));
}

/* Every string of Manifest.plist's Lockdown dict, and IsEncrypted. */
static void from_manifest(struct sim *s, plist_t manifest)
{
	plist_t lockdown = plist_dict_get_item(manifest, "Lockdown");
	plist_dict_iter it = NULL;
	char *key = NULL;
	plist_t val = NULL;

	if (plist_get_node_type(lockdown) == PLIST_DICT) {
		plist_dict_new_iter(lockdown, &it);
		for (plist_dict_next_item(lockdown, it, &key, &val); val;
		     plist_dict_next_item(lockdown, it, &key, &val)) {
			if (plist_get_node_type(val) == PLIST_STRING)
				plist_dict_set_item(s->values, key, plist_copy(val));
			free(key);
			key = NULL;
		}
		free(key);
		free(it);
	}
	s->password_set = dict_bool(manifest, "IsEncrypted");
}

static void from_info(struct sim *s, plist_t info)
{
	size_t i;

	for (i = 0; i < sizeof(info_keys) / sizeof(info_keys[0]); i++) {
		const char *v = dict_str(info, info_keys[i][0]);

		if (v)
			set_str(s->values, info_keys[i][1], v, i >= 4);
	}
}

static void from_options(struct sim *s)
{
	plist_dict_iter it = NULL;
	char *key = NULL;
	plist_t val = NULL;

	plist_dict_new_iter(s->o.overrides, &it);
	for (plist_dict_next_item(s->o.overrides, it, &key, &val); val;
	     plist_dict_next_item(s->o.overrides, it, &key, &val)) {
		plist_dict_set_item(s->values, key, plist_copy(val));
		free(key);
		key = NULL;
	}
	free(key);
	free(it);
	if (s->o.udid)
		set_str(s->values, "UniqueDeviceID", s->o.udid, 0);
	if (s->o.will_encrypt >= 0)
		s->password_set = s->o.will_encrypt;
}

int values_load(struct sim *s)
{
	size_t i;

	s->values = plist_new_dict();
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		set_str(s->values, defaults[i][0], defaults[i][1], 0);
	plist_dict_set_item(s->values, "UniqueChipID", plist_new_uint(0x1a2b3c4d5e6fULL));
	plist_dict_set_item(s->values, "PasswordProtected", plist_new_bool(1));
	plist_dict_set_item(s->values, "TimeZone", plist_new_string(s->o.timezone));
	plist_dict_set_item(s->values, "TimeZoneOffsetFromUTC", plist_new_real(s->o.tz_offset));
	plist_dict_set_item(s->values, "Uses24HourClock", plist_new_bool(1));
	if (s->o.backup_dir) {
		plist_t manifest = read_plist(s->o.backup_dir, "Manifest.plist");
		plist_t info = read_plist(s->o.backup_dir, "Info.plist");

		if (manifest)
			from_manifest(s, manifest);
		if (info)
			from_info(s, info);
		plist_free(manifest);
		plist_free(info);
	}
	from_options(s);
	if (!dict_str(s->values, "UniqueDeviceID"))
		set_str(s->values, "UniqueDeviceID", DEFAULT_UDID, 0);
	s->udid = sim_strdup(dict_str(s->values, "UniqueDeviceID"));
	return 0;
}

static plist_t domain_dict(struct sim *s, const char *domain)
{
	plist_t d = plist_new_dict();

	if (strcmp(domain, "com.apple.mobile.backup") == 0) {
		pthread_mutex_lock(&s->lock);
		plist_dict_set_item(d, "WillEncrypt", plist_new_bool(s->password_set != 0));
		pthread_mutex_unlock(&s->lock);
		plist_dict_set_item(d, "CloudBackupEnabled", plist_new_bool(0));
		plist_dict_set_item(d, "RequiresEncrypt", plist_new_bool(0));
	} else if (strcmp(domain, "com.apple.mobile.iTunes") == 0) {
		plist_dict_set_item(d, "MinITunesVersion", plist_new_string("12.5.1"));
	} else if (strcmp(domain, "com.apple.mobile.battery") == 0) {
		plist_dict_set_item(d, "BatteryCurrentCapacity", plist_new_uint(87));
		plist_dict_set_item(d, "BatteryIsCharging", plist_new_bool(1));
		plist_dict_set_item(d, "ExternalConnected", plist_new_bool(1));
	} else if (strcmp(domain, "com.apple.disk_usage") == 0) {
		plist_dict_set_item(d, "TotalDiskCapacity", plist_new_uint(64000000000ULL));
		plist_dict_set_item(d, "TotalDataCapacity", plist_new_uint(52000000000ULL));
		plist_dict_set_item(d, "TotalDataAvailable", plist_new_uint(21000000000ULL));
	} else if (strcmp(domain, "com.apple.iTunes") != 0) {
		plist_free(d);
		return NULL;
	}
	return d;
}

/* A copy of the value (a dict when key is NULL), or NULL when unknown. */
plist_t values_get(struct sim *s, const char *domain, const char *key)
{
	plist_t d, v;

	if (domain && *domain) {
		d = domain_dict(s, domain);
	} else {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		d = plist_copy(s->values);
		plist_dict_set_item(
		    d, "TimeIntervalSince1970",
		    plist_new_real((double)tv.tv_sec + tv.tv_usec / 1e6 + s->o.clock_offset));
	}
	if (!d || !key)
		return d;
	v = plist_dict_get_item(d, key);
	v = v ? plist_copy(v) : NULL;
	plist_free(d);
	return v;
}
