#include "formats.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

enum ifk_backup_top ifk_backup_top_kind(const char *name)
{
	static const char *const meta[] = {"Info.plist", "Manifest.plist", "Status.plist"};
	static const char *const index[] = {"Manifest.db", "Manifest.mbdb"};
	static const char *const known[] = {"DDNABackup.plist", "Manifest.mbdx"};
	size_t i;

	for (i = 0; i < 3; i++)
		if (strcmp(name, meta[i]) == 0)
			return IFK_TOP_METADATA;
	for (i = 0; i < 2; i++)
		if (strcmp(name, index[i]) == 0)
			return IFK_TOP_INDEX;
	for (i = 0; i < 2; i++)
		if (strcmp(name, known[i]) == 0)
			return IFK_TOP_KNOWN;
	return IFK_TOP_OTHER;
}

/* Reads an optional string: absent or of another type leaves *out NULL. */
static void opt_string(plist_t dict, const char *key, char **out)
{
	char *s = NULL;

	if (!*out && ifk_plist_get_string(dict, key, &s, NULL) == 0)
		*out = s;
}

static int parse_one(const void *buf, size_t len, const char *what, plist_t *out,
                     struct ifk_plist_stats *st, struct ifk_error *err)
{
	*out = NULL;
	if (!buf)
		return 0;
	if (ifk_plist_parse_stats(buf, len, what, out, st, err) != 0)
		return err ? err->code : IFK_EFORMAT;
	if (plist_get_node_type(*out) != PLIST_DICT) {
		plist_free(*out);
		*out = NULL;
		return ifk_error_set(err, IFK_EFORMAT, "%s: not a dictionary", what);
	}
	return 0;
}

static void read_info(plist_t d, struct ifk_backup_meta *m)
{
	m->have_info = 1;
	opt_string(d, "Unique Identifier", &m->info_udid);
	opt_string(d, "Target Identifier", &m->udid);
	opt_string(d, "Unique Identifier", &m->udid);
	opt_string(d, "Serial Number", &m->serial);
	opt_string(d, "Product Type", &m->product_type);
	opt_string(d, "Product Name", &m->product_name);
	opt_string(d, "Product Version", &m->ios_version);
	opt_string(d, "Build Version", &m->ios_build);
	opt_string(d, "Device Name", &m->device_name);
	opt_string(d, "IMEI", &m->imei);
	opt_string(d, "MEID", &m->meid);
	opt_string(d, "ICCID", &m->iccid);
	opt_string(d, "Phone Number", &m->phone_number);
	m->have_last_backup_date =
	    ifk_plist_get_date(d, "Last Backup Date", &m->last_backup_date, NULL) == 0;
}

static int read_manifest(plist_t d, struct ifk_backup_meta *m, struct ifk_error *err)
{
	plist_t lock = plist_dict_get_item(d, "Lockdown");
	bool enc = false;
	int rc;

	m->have_manifest_plist = 1;
	rc = ifk_plist_get_bool(d, "IsEncrypted", &enc, err);
	if (rc == IFK_EFORMAT)
		return rc;
	m->encrypted = enc;
	m->encrypted_known = rc == 0;
	opt_string(d, "Version", &m->manifest_version);
	rc = ifk_plist_get_data(d, "BackupKeyBag", &m->keybag, &m->keybag_len, err);
	if (rc == IFK_EFORMAT || rc == IFK_ENOMEM)
		return rc;
	rc = ifk_plist_get_data(d, "ManifestKey", &m->manifest_key, &m->manifest_key_len, err);
	if (rc == IFK_EFORMAT || rc == IFK_ENOMEM)
		return rc;
	if (lock && plist_get_node_type(lock) == PLIST_DICT) {
		opt_string(lock, "UniqueDeviceID", &m->lockdown_udid);
		opt_string(lock, "SerialNumber", &m->lockdown_serial);
		opt_string(lock, "ProductType", &m->lockdown_product_type);
		opt_string(lock, "ProductVersion", &m->lockdown_ios_version);
	}
	if (err)
		ifk_error_clear(err);
	return 0;
}

static void read_status(plist_t d, struct ifk_backup_meta *m)
{
	bool full = false;

	m->have_status = 1;
	opt_string(d, "SnapshotState", &m->snapshot_state);
	opt_string(d, "Version", &m->status_version);
	opt_string(d, "BackupState", &m->backup_state);
	if (ifk_plist_get_bool(d, "IsFullBackup", &full, NULL) == 0)
		m->full_backup = full;
	m->have_status_date = ifk_plist_get_date(d, "Date", &m->status_date, NULL) == 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Identity from Manifest.plist's Lockdown where Info.plist lacks it. */
static void fill_from_lockdown(struct ifk_backup_meta *m)
{
	if (!m->udid)
		m->udid = dup_or_null(m->lockdown_udid);
	if (!m->serial)
		m->serial = dup_or_null(m->lockdown_serial);
	if (!m->product_type)
		m->product_type = dup_or_null(m->lockdown_product_type);
	if (!m->ios_version)
		m->ios_version = dup_or_null(m->lockdown_ios_version);
}

/* Parses one plist; a failure is noted in *error, not returned, and NUL
 * characters in its strings in *note. */
static plist_t parse_noted(const void *buf, size_t len, const char *what, char **error, char **note)
{
	struct ifk_plist_stats st = {0};
	struct ifk_error e = {0};
	plist_t p = NULL;

	if (parse_one(buf, len, what, &p, &st, &e) != 0)
		*error = strdup(e.msg);
	else if (st.nul_strings &&
	         asprintf(
	             note,
	             "%llu string(s) or key(s) hold a NUL character (the first at byte %llu), "
	             "read with U+FFFD in its place (a binary plist's ASCII string: cut at it)",
	             (unsigned long long)st.nul_strings,
	             (unsigned long long)st.first_nul_offset) < 0)
		*note = NULL;
	return p;
}

int ifk_backup_meta_parse(const void *info, size_t info_len, const void *manifest,
                          size_t manifest_len, const void *status, size_t status_len,
                          struct ifk_backup_meta *m, struct ifk_error *err)
{
	struct ifk_error e = {0};
	plist_t pi, pm, ps;

	memset(m, 0, sizeof(*m));
	pi = parse_noted(info, info_len, "Info.plist", &m->info_error, &m->info_note);
	pm = parse_noted(manifest, manifest_len, "Manifest.plist", &m->manifest_error,
	                 &m->manifest_note);
	ps = parse_noted(status, status_len, "Status.plist", &m->status_error, &m->status_note);
	if (pi)
		read_info(pi, m);
	if (pm && read_manifest(pm, m, &e) != 0)
		m->manifest_error = strdup(e.msg);
	if (ps)
		read_status(ps, m);
	fill_from_lockdown(m);
	plist_free(pi);
	plist_free(pm);
	plist_free(ps);
	(void)err;
	return 0;
}

static void set_opt(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, ifk_json_text(v));
}

json_t *ifk_backup_meta_json(const struct ifk_backup_meta *m)
{
	json_t *o = json_object();
	char t[21];

	set_opt(o, "udid", m->udid);
	set_opt(o, "serial_number", m->serial);
	set_opt(o, "product_type", m->product_type);
	set_opt(o, "product_name", m->product_name);
	set_opt(o, "ios_version", m->ios_version);
	set_opt(o, "ios_build", m->ios_build);
	set_opt(o, "device_name", m->device_name);
	set_opt(o, "imei", m->imei);
	set_opt(o, "meid", m->meid);
	set_opt(o, "iccid", m->iccid);
	set_opt(o, "phone_number", m->phone_number);
	if (m->encrypted_known)
		json_object_set_new(o, "backup_encrypted", json_boolean(m->encrypted));
	set_opt(o, "manifest_version", m->manifest_version);
	set_opt(o, "snapshot_state", m->snapshot_state);
	set_opt(o, "status_version", m->status_version);
	if (m->have_status_date) {
		ifk_time_iso((time_t)m->status_date, t);
		json_object_set_new(o, "status_date", json_string(t));
	}
	if (m->have_last_backup_date) {
		ifk_time_iso((time_t)m->last_backup_date, t);
		json_object_set_new(o, "last_backup_date", json_string(t));
	}
	return o;
}

void ifk_backup_meta_free(struct ifk_backup_meta *m)
{
	char **s[] = {&m->udid,
	              &m->serial,
	              &m->product_type,
	              &m->product_name,
	              &m->ios_version,
	              &m->ios_build,
	              &m->device_name,
	              &m->imei,
	              &m->meid,
	              &m->iccid,
	              &m->phone_number,
	              &m->manifest_version,
	              &m->lockdown_udid,
	              &m->lockdown_serial,
	              &m->lockdown_product_type,
	              &m->lockdown_ios_version,
	              &m->snapshot_state,
	              &m->status_version,
	              &m->backup_state,
	              &m->info_udid,
	              &m->info_error,
	              &m->manifest_error,
	              &m->status_error,
	              &m->info_note,
	              &m->manifest_note,
	              &m->status_note};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
	free(m->keybag);
	free(m->manifest_key);
	m->keybag = m->manifest_key = NULL;
}
