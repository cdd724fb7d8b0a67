/* Info.plist (XML), Manifest.plist and Status.plist (binary), and the
 * libplist helpers the other files use. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define SERIAL "F2LXK0AAHG7F"
#define DEVICE_NAME "Sample iPhone"
#define WA_ID "net.whatsapp.WhatsApp"
#define WA_VERSION "23.12.78"
#define WA_PATH "/private/var/containers/Bundle/Application/3F2504E0-4F89-41D3-9A0C-0305E82C3301"

struct device {
	const char *product_version;
	const char *build_version;
	const char *product_type;
	const char *product_name;
	const char *manifest_version;
	const char *status_version;
	const char *system_domains_version;
};

static const struct device modern = {"16.7.2", "20H115", "iPhone12,1", "iPhone 11",
                                     "10.0",   "3.3",    "24.0"};
static const struct device legacy = {"9.3.5", "13G36", "iPhone8,1", "iPhone 6s",
                                     "9.1",   "2.4",   "20.0"};

int gen_pset(plist_t dict, const char *key, plist_t val)
{
	if (!val)
		return gen_oom();
	plist_dict_set_item(dict, key, val);
	return 0;
}

int gen_padd(plist_t array, plist_t val)
{
	if (!val)
		return gen_oom();
	plist_array_append_item(array, val);
	return 0;
}

static int serialise(plist_t p, int xml, unsigned char **out, size_t *len)
{
	char *b = NULL;
	uint32_t n = 0;

	*out = NULL;
	*len = 0;
	if (xml)
		plist_to_xml(p, &b, &n);
	else
		plist_to_bin(p, &b, &n);
	if (!b)
		return gen_err("cannot serialise a plist");
	*out = malloc(n ? n : 1);
	if (*out) {
		memcpy(*out, b, n);
		*len = n;
	}
	if (xml)
		plist_to_xml_free(b);
	else
		plist_to_bin_free(b);
	return *out ? 0 : gen_oom();
}

int gen_plist_bin(plist_t p, unsigned char **out, size_t *len)
{
	return serialise(p, 0, out, len);
}

int gen_plist_xml(plist_t p, unsigned char **out, size_t *len)
{
	return serialise(p, 1, out, len);
}

/* Writes p into DIR/name and frees p. */
static int write_plist(const struct gen *g, const char *name, plist_t p, int xml)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char *path = gen_path_join(g->o->out, name);
	int rc = -1;

	if (path && serialise(p, xml, &buf, &len) == 0)
		rc = gen_write_file(path, buf, len);
	free(buf);
	free(path);
	plist_free(p);
	return rc;
}

/* The backup's own dates: --backup-date, else the fixed base date. */
static plist_t backup_date(const struct gen *g)
{
	if (g->o->backup_date)
		return plist_new_date((int32_t)(g->o->backup_date - GEN_COCOA_EPOCH), 0);
	return plist_new_date((int32_t)GEN_BASE_COCOA, 0);
}

static const struct device *device_of(const struct gen *g)
{
	return g->o->layout == GEN_LAYOUT_MBDB ? &legacy : &modern;
}

static int seeded_hex(const struct gen *g, const char *label, size_t n, int uuid, char *out)
{
	struct gen_rng rng;
	unsigned char b[32];
	int rc;

	if (gen_rng_open(&rng, g->o->seed, label) < 0)
		return -1;
	rc = gen_rng_bytes(&rng, b, n);
	gen_rng_close(&rng);
	if (rc == 0 && uuid)
		gen_uuid_str(b, out);
	else if (rc == 0)
		gen_hex(b, n, 1, out);
	return rc;
}

static int info_ids(const struct gen *g, plist_t p)
{
	const struct device *d = device_of(g);
	char guid[33], upper[65];
	size_t i;

	if (seeded_hex(g, "guid", 16, 0, guid) < 0)
		return -1;
	for (i = 0; g->o->udid[i]; i++)
		upper[i] = (char)toupper((unsigned char)g->o->udid[i]);
	upper[i] = '\0';
	if (gen_pset(p, "Build Version", plist_new_string(d->build_version)) < 0 ||
	    gen_pset(p, "Device Name", plist_new_string(DEVICE_NAME)) < 0 ||
	    gen_pset(p, "Display Name", plist_new_string(DEVICE_NAME)) < 0 ||
	    gen_pset(p, "GUID", plist_new_string(guid)) < 0 ||
	    gen_pset(p, "ICCID", plist_new_string("89014103211118510720")) < 0 ||
	    gen_pset(p, "IMEI", plist_new_string("356789101234564")) < 0 ||
	    gen_pset(p, "MEID", plist_new_string("35678910123456")) < 0 ||
	    gen_pset(p, "Last Backup Date", backup_date(g)) < 0 ||
	    gen_pset(p, "Phone Number", plist_new_string("+1 (555) 555-0100")) < 0 ||
	    gen_pset(p, "Product Name", plist_new_string(d->product_name)) < 0 ||
	    gen_pset(p, "Product Type", plist_new_string(d->product_type)) < 0 ||
	    gen_pset(p, "Product Version", plist_new_string(d->product_version)) < 0 ||
	    gen_pset(p, "Serial Number", plist_new_string(SERIAL)) < 0 ||
	    gen_pset(p, "Target Identifier", plist_new_string(g->o->udid)) < 0 ||
	    gen_pset(p, "Target Type", plist_new_string("Device")) < 0 ||
	    gen_pset(p, "Unique Identifier", plist_new_string(upper)) < 0 ||
	    gen_pset(p, "iTunes Version", plist_new_string("12.12.4.1")) < 0)
		return -1;
	return 0;
}

/* Info.plist Applications: {bundle id: {iTunesMetadata: <binary plist>}}. */
static plist_t info_app(void)
{
	plist_t meta = plist_new_dict(), app = plist_new_dict();
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = meta && app ? 0 : -1;

	if (rc == 0)
		rc = gen_pset(meta, "itemName", plist_new_string("WhatsApp Messenger"));
	if (rc == 0)
		rc = gen_pset(meta, "softwareVersionBundleId", plist_new_string(WA_ID));
	if (rc == 0)
		rc = gen_pset(meta, "bundleShortVersionString", plist_new_string(WA_VERSION));
	if (rc == 0)
		rc = gen_plist_bin(meta, &buf, &len);
	if (rc == 0)
		rc = gen_pset(app, "iTunesMetadata", plist_new_data((const char *)buf, len));
	free(buf);
	plist_free(meta);
	if (rc < 0) {
		plist_free(app);
		return NULL;
	}
	return app;
}

static int info_apps(plist_t p)
{
	plist_t installed = plist_new_array(), apps = plist_new_dict();
	int rc = installed && apps ? 0 : -1;

	if (rc == 0)
		rc = gen_padd(installed, plist_new_string(WA_ID));
	if (rc == 0)
		rc = gen_pset(apps, WA_ID, info_app());
	if (rc < 0) {
		plist_free(installed);
		plist_free(apps);
		return gen_oom();
	}
	/* cannot fail: both values are non-NULL */
	(void)gen_pset(p, "Installed Applications", installed);
	(void)gen_pset(p, "Applications", apps);
	return 0;
}

static plist_t lockdown(const struct gen *g)
{
	const struct device *d = device_of(g);
	plist_t l = plist_new_dict();

	if (!l)
		return NULL;
	if (gen_pset(l, "ProductVersion", plist_new_string(d->product_version)) < 0 ||
	    gen_pset(l, "BuildVersion", plist_new_string(d->build_version)) < 0 ||
	    gen_pset(l, "UniqueDeviceID", plist_new_string(g->o->udid)) < 0 ||
	    gen_pset(l, "SerialNumber", plist_new_string(SERIAL)) < 0 ||
	    gen_pset(l, "DeviceName", plist_new_string(DEVICE_NAME)) < 0 ||
	    gen_pset(l, "ProductType", plist_new_string(d->product_type)) < 0) {
		plist_free(l);
		return NULL;
	}
	return l;
}

static plist_t manifest_apps(void)
{
	plist_t apps = plist_new_dict(), app = plist_new_dict();

	if (!apps || !app || gen_pset(app, "CFBundleIdentifier", plist_new_string(WA_ID)) < 0 ||
	    gen_pset(app, "CFBundleVersion", plist_new_string(WA_VERSION)) < 0 ||
	    gen_pset(app, "ContainerContentClass", plist_new_string("Data/Application")) < 0 ||
	    gen_pset(app, "Path", plist_new_string(WA_PATH "/WhatsApp.app")) < 0) {
		plist_free(apps);
		plist_free(app);
		return NULL;
	}
	(void)gen_pset(apps, WA_ID, app); /* cannot fail: app is non-NULL */
	return apps;
}

static int manifest_plist(const struct gen *g, plist_t p)
{
	const struct device *d = device_of(g);
	const struct gen_buf *kb = &g->kb.tlv;

	if (gen_pset(p, "BackupKeyBag", plist_new_data((const char *)kb->p, kb->len)) < 0 ||
	    gen_pset(p, "Date", backup_date(g)) < 0 ||
	    gen_pset(p, "IsEncrypted", plist_new_bool(g->o->encrypt ? 1 : 0)) < 0 ||
	    gen_pset(p, "Lockdown", lockdown(g)) < 0 ||
	    gen_pset(p, "Version", plist_new_string(d->manifest_version)) < 0 ||
	    gen_pset(p, "SystemDomainsVersion", plist_new_string(d->system_domains_version)) < 0 ||
	    gen_pset(p, "WasPasscodeSet", plist_new_bool(1)) < 0 ||
	    gen_pset(p, "Applications", manifest_apps()) < 0)
		return -1;
	if (!g->o->encrypt || g->o->layout == GEN_LAYOUT_MBDB)
		return 0;
	return gen_pset(p, "ManifestKey",
	                plist_new_data((const char *)g->manifest_blob, sizeof(g->manifest_blob)));
}

static int status_plist(const struct gen *g, plist_t p)
{
	char uuid[37];

	if (seeded_hex(g, "status-uuid", 16, 1, uuid) < 0)
		return -1;
	if (gen_pset(p, "BackupState", plist_new_string("new")) < 0 ||
	    gen_pset(p, "Date", backup_date(g)) < 0 ||
	    gen_pset(p, "IsFullBackup", plist_new_bool(0)) < 0 ||
	    gen_pset(p, "SnapshotState", plist_new_string(g->o->snapshot_state)) < 0 ||
	    gen_pset(p, "UUID", plist_new_string(uuid)) < 0 ||
	    gen_pset(p, "Version", plist_new_string(device_of(g)->status_version)) < 0)
		return -1;
	return 0;
}

int gen_plists_write(struct gen *g)
{
	plist_t info = plist_new_dict(), man = plist_new_dict(), status = plist_new_dict();
	int rc = info && man && status ? 0 : gen_oom();

	if (rc == 0)
		rc = info_ids(g, info);
	if (rc == 0)
		rc = info_apps(info);
	if (rc == 0)
		rc = manifest_plist(g, man);
	if (rc == 0)
		rc = status_plist(g, status);
	if (rc == 0)
		rc = write_plist(g, "Info.plist", info, 1);
	else
		plist_free(info);
	if (rc == 0)
		rc = write_plist(g, "Manifest.plist", man, 0);
	else
		plist_free(man);
	if (rc == 0)
		rc = write_plist(g, "Status.plist", status, 0);
	else
		plist_free(status);
	return rc;
}
