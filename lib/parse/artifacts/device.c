/* device: the device and backup facts of Info.plist, Manifest.plist
 * (with its Lockdown dictionary) and Status.plist, one row per property,
 * each with the plist it came from. */
#include <inttypes.h>

#include "artifact.h"

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

static int emit_keys(struct ifk_art_row *r, plist_t dict, const char *prefix,
                     const char *const *keys, int64_t *n, struct ifk_error *err)
{
	struct ifk_art *a = r->a;
	int rc;

	for (; *keys; keys++) {
		plist_t node = plist_dict_get_item(dict, *keys);
		if (!node)
			continue;
		/* the property is the row's summary and its source_table */
		snprintf(r->line, sizeof(r->line), "%s%s", prefix, *keys);
		ifk_row_text(a, "property", r->line);
		if (!set_value(a, node)) {
			ifk_row_text(a, "value", NULL);
			ifk_row_text(a, "property", NULL);
			continue;
		}
		rc = ifk_art_emit(r, r->line, ++*n, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* One plist's keys (and Manifest.plist's Lockdown dictionary). */
static int plist_keys(struct ifk_art_row *r, plist_t root, const char *const *keys,
                      struct ifk_error *err)
{
	plist_t lockdown;
	int64_t n = 0;
	int rc;

	if (plist_get_node_type(root) != PLIST_DICT)
		return ifk_error_set(err, IFK_EUNSUPPORTED, "%s: not a dictionary",
		                     ifk_src_relative_path(r->src));
	rc = emit_keys(r, root, "", keys, &n, err);
	lockdown = plist_dict_get_item(root, "Lockdown");
	if (!rc && keys == manifest_keys && plist_get_node_type(lockdown) == PLIST_DICT)
		rc = emit_keys(r, lockdown, "Lockdown/", lockdown_keys, &n, err);
	return rc;
}

static int info(struct ifk_art_row *r, plist_t root, struct ifk_error *err)
{
	return plist_keys(r, root, info_keys, err);
}

static int manifest(struct ifk_art_row *r, plist_t root, struct ifk_error *err)
{
	return plist_keys(r, root, manifest_keys, err);
}

static int status(struct ifk_art_row *r, plist_t root, struct ifk_error *err)
{
	return plist_keys(r, root, status_keys, err);
}

static const struct ifk_art_read reads[] = {
    {.source = 0, .plist = info},
    {.source = 1, .plist = manifest},
    {.source = 2, .plist = status},
    {0},
};

static const struct ifk_art_event events[] = {
    {"time", "backup metadata", NULL, NULL, NULL, 0},
    {0},
};

/* None of the three is there: the reason names the last one looked for. */
static const struct ifk_art_desc desc = {
    .reads = reads, .events = events, .absent = "Status.plist: not in the backup"};

IFK_ARTIFACT(device, "Device and backup", "1", sources, cols, desc);
