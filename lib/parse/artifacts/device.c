/* device: the device and backup facts of Info.plist, Manifest.plist
 * (with its Lockdown dictionary) and Status.plist, one row per property,
 * each with the plist it came from. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "formats.h"

static const struct ifk_col cols[] = {
    {"property", IFK_COL_TEXT}, /* "Product Type", "Lockdown/SerialNumber", "IsEncrypted" */
    {"value", IFK_COL_TEXT},    /* strings as they are, numbers in decimal, booleans
                                 * true/false, dates as UTC ISO 8601 */
    {"time", IFK_COL_TIME},     /* set when the property is a date */
    {NULL, 0},
};

static const struct ifk_art_source sources[] = {
    {"", "Info.plist"},
    {"", "Manifest.plist"},
    {"", "Status.plist"},
    {NULL, NULL},
};

static const char *const info_keys[] = {
    "Device Name",
    "Display Name",
    "Product Name",
    "Product Type",
    "Product Version",
    "Build Version",
    "Serial Number",
    "Unique Identifier",
    "Target Identifier",
    "GUID",
    "IMEI",
    "IMEI 2",
    "MEID",
    "ICCID",
    "Phone Number",
    "Last Backup Date",
    "iTunes Version",
    NULL,
};
static const char *const manifest_keys[] = {
    "Version", "Date", "IsEncrypted", "WasPasscodeSet", "SystemDomainsVersion", NULL};
static const char *const lockdown_keys[] = {
    "DeviceName",     "ProductType", "ProductVersion", "BuildVersion", "SerialNumber",
    "UniqueDeviceID", NULL,
};
static const char *const status_keys[] = {
    "SnapshotState", "BackupState", "IsFullBackup", "Version", "Date", "UUID", NULL};

/* Sets value (and time) from a scalar node; 0 when the node is not one. */
static int set_value(struct ifk_art *a, plist_t node)
{
	char buf[64], *s = NULL;
	uint64_t u = 0;
	uint8_t b = 0;
	int32_t sec = 0, usec = 0;

	switch (plist_get_node_type(node)) {
	case PLIST_STRING:
		plist_get_string_val(node, &s);
		ifk_row_text(a, "value", s);
		free(s);
		return 1;
	case PLIST_UINT:
		plist_get_uint_val(node, &u);
		snprintf(buf, sizeof(buf), "%" PRIu64, u);
		break;
	case PLIST_BOOLEAN:
		plist_get_bool_val(node, &b);
		snprintf(buf, sizeof(buf), "%s", b ? "true" : "false");
		break;
	case PLIST_DATE:
		plist_get_date_val(node, &sec, &usec);
		ifk_row_time(a, "time", (double)sec + IFK_COCOA_EPOCH + usec / 1e6);
		ifk_time_format((double)sec + IFK_COCOA_EPOCH + usec / 1e6, buf);
		break;
	default:
		return 0;
	}
	ifk_row_text(a, "value", buf);
	return 1;
}

static int emit_keys(struct ifk_art *a, struct ifk_src *s, plist_t dict, const char *prefix,
                     const char *const *keys, int64_t *n, struct ifk_error *err)
{
	char prop[256];
	int rc;

	for (; *keys; keys++) {
		plist_t node = plist_dict_get_item(dict, *keys);
		if (!node)
			continue;
		snprintf(prop, sizeof(prop), "%s%s", prefix, *keys);
		ifk_row_text(a, "property", prop);
		if (!set_value(a, node)) {
			ifk_row_text(a, "value", NULL);
			ifk_row_text(a, "property", NULL);
			continue;
		}
		ifk_row_event(a, "time", "backup metadata", prop);
		rc = ifk_row_emit(a, s, prop, ++*n, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* One plist: absent is fine (the others may be there), unreadable fails. */
static int one_plist(struct ifk_art *a, const char *name, int *found, struct ifk_error *err)
{
	struct ifk_src *s = NULL;
	plist_t p = NULL, lockdown;
	int64_t n = 0;
	int rc = ifk_art_plist(a, "", name, &s, &p, err);

	if (rc == IFK_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	*found = 1;
	if (plist_get_node_type(p) != PLIST_DICT) {
		plist_free(p);
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: not a dictionary", name);
	}
	if (strcmp(name, "Info.plist") == 0) {
		rc = emit_keys(a, s, p, "", info_keys, &n, err);
	} else if (strcmp(name, "Status.plist") == 0) {
		rc = emit_keys(a, s, p, "", status_keys, &n, err);
	} else {
		rc = emit_keys(a, s, p, "", manifest_keys, &n, err);
		lockdown = plist_dict_get_item(p, "Lockdown");
		if (!rc && plist_get_node_type(lockdown) == PLIST_DICT)
			rc = emit_keys(a, s, lockdown, "Lockdown/", lockdown_keys, &n, err);
	}
	plist_free(p);
	return rc;
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	int found = 0, rc = 0, i;

	for (i = 0; !rc && sources[i].path; i++)
		rc = one_plist(a, sources[i].path, &found, err);
	if (!rc && !found)
		return IFK_ENOTFOUND;
	return rc;
}

const struct ifk_artifact ifk_art_device = {
    .name = "device",
    .title = "Device and backup",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
