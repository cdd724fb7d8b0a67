/* ifk-acquire --device: a session with one device, from lockdownd to the
 * sealed bag. The DeviceLink exchange itself is in dl_proto.c. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acquire_int.h"
#include <ifk/acquire.h>
#include "formats.h"
#include "core.h"

/* What an examiner should do about each refusal lockdownd can give. */
static int lockdown_error(lockdownd_error_t e, struct ifk_error *err)
{
	switch (e) {
	case LOCKDOWN_E_PASSWORD_PROTECTED:
		return ifk_error_set(
		    err, IFK_EPASSWORD,
		    "the device is locked: unlock it with its passcode, then retry");
	case LOCKDOWN_E_PAIRING_DIALOG_RESPONSE_PENDING:
		return ifk_error_set(
		    err, IFK_EPASSWORD,
		    "the device asks whether to trust this computer: unlock it, tap "
		    "Trust, then retry");
	case LOCKDOWN_E_USER_DENIED_PAIRING:
		return ifk_error_set(
		    err, IFK_EPASSWORD,
		    "the user declined to trust this computer: reconnect the device, "
		    "tap Trust, then retry");
	case LOCKDOWN_E_INVALID_HOST_ID:
	case LOCKDOWN_E_MISSING_PAIR_RECORD:
	case LOCKDOWN_E_INVALID_PAIR_RECORD:
	case LOCKDOWN_E_PAIRING_FAILED:
		return ifk_error_set(
		    err, IFK_EPASSWORD,
		    "this computer is not paired with the device: unlock it and tap "
		    "Trust when asked, then retry (lockdownd error %d)",
		    e);
	default:
		return ifk_error_set(err, IFK_EIO, "lockdownd refused the session (error %d: %s)",
		                     e, lockdownd_strerror(e));
	}
}

/* lockdownd's values reach ifk parsed by libimobiledevice, not by
 * ifk_plist_parse: a string holding a NUL (which plist_get_string_val
 * aborts on, and plist_copy copies short of its length) is left out. */
static char *lockdown_string(plist_t all, const char *key)
{
	char *s = NULL;

	ifk_plist_get_string(all, key, &s, NULL);
	return s;
}

/* Identity and clock from lockdownd into the record. */
static int identify(struct dev *d, plist_t *all, struct ifk_error *err)
{
	static const char *const keys[] = {"UniqueDeviceID",
	                                   "SerialNumber",
	                                   "ProductType",
	                                   "ProductVersion",
	                                   "BuildVersion",
	                                   "DeviceName",
	                                   "InternationalMobileEquipmentIdentity",
	                                   "MobileEquipmentIdentifier",
	                                   "PhoneNumber",
	                                   "TimeZone"};
	json_t *id = json_object(), *left_out = json_array();
	plist_t t;
	size_t i;

	if (lockdownd_get_value(d->lockdown, NULL, NULL, all) != LOCKDOWN_E_SUCCESS ||
	    plist_get_node_type(*all) != PLIST_DICT)
		return ifk_error_set(err, IFK_EIO, "lockdownd gave no device values");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *v = lockdown_string(*all, keys[i]);
		if (v)
			json_object_set_new(id, keys[i], ifk_json_text(v));
		else if (plist_get_node_type(plist_dict_get_item(*all, keys[i])) == PLIST_STRING)
			json_array_append_new(left_out, json_string(keys[i]));
		free(v);
	}
	json_object_set_new(d->a->extra, "lockdown_left_out", left_out);
	t = plist_dict_get_item(*all, "TimeIntervalSince1970");
	if (plist_get_node_type(t) == PLIST_REAL || plist_get_node_type(t) == PLIST_UINT) {
		double dev = 0;
		uint64_t u = 0;
		if (plist_get_node_type(t) == PLIST_REAL)
			plist_get_real_val(t, &dev);
		else
			plist_get_uint_val(t, &u), dev = (double)u;
		json_object_set_new(d->a->extra, "device_clock",
		                    json_pack("{s:f, s:I, s:f}", "device_unix_time", dev,
		                              "host_unix_time", (json_int_t)time(NULL),
		                              "device_minus_host_s", dev - (double)time(NULL)));
	}
	json_object_set_new(d->a->extra, "lockdown", id);
	return 0;
}

static void copy_key(plist_t info, const char *to, plist_t all, const char *from)
{
	char *s = lockdown_string(all, from);

	if (s)
		plist_dict_set_item(info, to, plist_new_string(s));
	free(s);
}

/* The host writes Info.plist, as Finder and idevicebackup2 do: from the
 * device's lockdown values. It enters the seal like any received file. */
static int write_info_plist(struct dev *d, plist_t all, struct ifk_error *err)
{
	plist_t info = plist_new_dict();
	char *xml = NULL, *upper = strdup(d->udid), *p;
	uint32_t len = 0;
	int rc;

	for (p = upper; p && *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	copy_key(info, "Build Version", all, "BuildVersion");
	copy_key(info, "Device Name", all, "DeviceName");
	copy_key(info, "Display Name", all, "DeviceName");
	copy_key(info, "ICCID", all, "IntegratedCircuitCardIdentity");
	copy_key(info, "IMEI", all, "InternationalMobileEquipmentIdentity");
	copy_key(info, "MEID", all, "MobileEquipmentIdentifier");
	copy_key(info, "Phone Number", all, "PhoneNumber");
	copy_key(info, "Product Type", all, "ProductType");
	copy_key(info, "Product Version", all, "ProductVersion");
	copy_key(info, "Serial Number", all, "SerialNumber");
	plist_dict_set_item(info, "Last Backup Date",
	                    plist_new_date((int32_t)(time(NULL) - 978307200), 0));
	plist_dict_set_item(info, "Target Identifier", plist_new_string(d->udid));
	plist_dict_set_item(info, "Target Type", plist_new_string("Device"));
	plist_dict_set_item(info, "Unique Identifier", plist_new_string(upper ? upper : d->udid));
	plist_dict_set_item(info, "iTunes Version", plist_new_string("ifk-acquire " IFK_VERSION));
	plist_to_xml(info, &xml, &len);
	rc = xml ? acq_dl_store_buffer(d, "Info.plist", xml, len, err)
	         : ifk_error_set(err, IFK_ENOMEM, "cannot write Info.plist");
	free(xml);
	free(upper);
	plist_free(info);
	return rc;
}

static void on_notification(const char *name, void *ctx)
{
	struct dev *d = ctx;

	if (name && strcmp(name, NP_SYNC_CANCEL_REQUEST) == 0)
		d->cancelled = 1;
}

/* notification_proxy (cancel requests) and the AFC sync lock, as the stock
 * client takes them; neither is required to go on. */
static void start_helpers(struct dev *d)
{
	static const char *observe[] = {NP_SYNC_CANCEL_REQUEST, NULL};
	lockdownd_service_descriptor_t svc = NULL;

	if (lockdownd_start_service(d->lockdown, NP_SERVICE_NAME, &svc) == LOCKDOWN_E_SUCCESS &&
	    np_client_new(d->device, svc, &d->np) == NP_E_SUCCESS) {
		np_set_notify_callback(d->np, on_notification, d);
		np_observe_notifications(d->np, observe);
	}
	lockdownd_service_descriptor_free(svc);
	svc = NULL;
	if (lockdownd_start_service(d->lockdown, AFC_SERVICE_NAME, &svc) == LOCKDOWN_E_SUCCESS &&
	    afc_client_new(d->device, svc, &d->afc) == AFC_E_SUCCESS) {
		if (d->np)
			np_post_notification(d->np, NP_SYNC_WILL_START);
		if (afc_file_open(d->afc, "/com.apple.itunes.lock_sync", AFC_FOPEN_RW,
		                  &d->lockfile) == AFC_E_SUCCESS &&
		    afc_file_lock(d->afc, d->lockfile, AFC_LOCK_EX) == AFC_E_SUCCESS && d->np)
			np_post_notification(d->np, NP_SYNC_DID_START);
	}
	lockdownd_service_descriptor_free(svc);
}

static int start_backup_service(struct dev *d, struct ifk_error *err)
{
	lockdownd_service_descriptor_t svc = NULL;
	lockdownd_error_t le;
	int rc;

	le = lockdownd_start_service_with_escrow_bag(d->lockdown, "com.apple.mobilebackup2", &svc);
	if (le != LOCKDOWN_E_SUCCESS || !svc || !svc->port)
		rc = le == LOCKDOWN_E_INVALID_SERVICE || le == LOCKDOWN_E_SUCCESS
		         ? ifk_error_set(err, IFK_EIO,
		                         "the device refused to start its backup service")
		         : lockdown_error(le, err);
	else
		rc = acq_dl_open(d, svc, err);
	lockdownd_service_descriptor_free(svc);
	d->last_data = time(NULL);
	return rc ? rc : acq_dl_handshake(d, err);
}

static int connect_device(struct dev *d, struct ifk_error *err)
{
	const char *want = d->a->o->udid;
	lockdownd_error_t le;

	if (idevice_new(&d->device, want) != IDEVICE_E_SUCCESS) {
		if (want)
			return ifk_error_set(err, IFK_ENOTFOUND, "no device %s is connected", want);
		return ifk_error_set(err, IFK_ENOTFOUND,
		                     "no device is connected (or usbmuxd is not running)");
	}
	if (idevice_get_udid(d->device, &d->udid) != IDEVICE_E_SUCCESS || !d->udid)
		return ifk_error_set(err, IFK_EIO, "the device has no UDID");
	le = lockdownd_client_new_with_handshake(d->device, &d->lockdown, "ifk-acquire");
	return le == LOCKDOWN_E_SUCCESS ? 0 : lockdown_error(le, err);
}

static int will_encrypt(struct dev *d)
{
	plist_t n = NULL;
	uint8_t b = 0;

	if (lockdownd_get_value(d->lockdown, "com.apple.mobile.backup", "WillEncrypt", &n) ==
	        LOCKDOWN_E_SUCCESS &&
	    plist_get_node_type(n) == PLIST_BOOLEAN)
		plist_get_bool_val(n, &b);
	plist_free(n);
	return b;
}

/* --encrypt: the examiner sets a backup password so that keychain and
 * health data are included. The record says so; the password is nowhere. */
static int set_password(struct dev *d, struct ifk_error *err)
{
	plist_t opts = plist_new_dict();
	char *pw = malloc(d->a->o->new_password_len + 1);
	int rc;

	if (!pw) {
		plist_free(opts);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	memcpy(pw, d->a->o->new_password, d->a->o->new_password_len);
	pw[d->a->o->new_password_len] = '\0';
	plist_dict_set_item(opts, "MessageName", plist_new_string("ChangePassword"));
	plist_dict_set_item(opts, "TargetIdentifier", plist_new_string(d->udid));
	plist_dict_set_item(opts, "NewPassword", plist_new_string(pw));
	OPENSSL_clear_free(pw, d->a->o->new_password_len + 1);
	rc = acq_dl_process_message(d, opts, err);
	if (!rc)
		rc = acq_dl_run(d, err);
	plist_free(opts);
	if (!rc && (!d->finished || d->error_code != 0))
		rc = ifk_error_set(err, IFK_EIO, "the device did not set the backup password (%s)",
		                   d->error_desc[0] ? d->error_desc : "no reason given");
	d->finished = 0;
	json_object_set_new(d->a->extra, "backup_password_set_by_examiner", json_boolean(!rc));
	return rc;
}

static int request_backup(struct dev *d, struct ifk_error *err)
{
	plist_t req = plist_new_dict(), opts = plist_new_dict();
	int rc;

	plist_dict_set_item(opts, "ForceFullBackup", plist_new_bool(1));
	plist_dict_set_item(req, "MessageName", plist_new_string("Backup"));
	plist_dict_set_item(req, "TargetIdentifier", plist_new_string(d->udid));
	plist_dict_set_item(req, "SourceIdentifier", plist_new_string(d->udid));
	plist_dict_set_item(req, "Options", opts);
	rc = acq_dl_process_message(d, req, err);
	plist_free(req);
	return rc ? rc : acq_dl_run(d, err);
}

/* Sealed only when the device said ErrorCode 0 and its Status.plist
 * says the snapshot finished. */
static int outcome(struct dev *d, struct ifk_error *err)
{
	struct acq_capture *st = acq_capture_for(d->a, "Status.plist");
	struct ifk_backup_meta m;
	int rc = 0;

	if (!d->finished)
		return ifk_error_set(err, IFK_EIO,
		                     "the device ended without its final response%s%s",
		                     d->protocol_msg[0] ? ": " : "", d->protocol_msg);
	if (d->error_code != 0)
		return ifk_error_set(
		    err, IFK_EIO, "the device ended the backup with ErrorCode %lld: %s",
		    (long long)d->error_code, d->error_desc[0] ? d->error_desc : "no description");
	if (!st || !st->seen)
		return ifk_error_set(err, IFK_EIO, "the device sent no Status.plist");
	ifk_backup_meta_parse(NULL, 0, NULL, 0, st->buf.data, st->len, &m, NULL);
	if (!m.snapshot_state || strcmp(m.snapshot_state, "finished") != 0)
		rc = ifk_error_set(err, IFK_EIO,
		                   "Status.plist says the snapshot is \"%s\", not \"finished\"",
		                   m.snapshot_state ? m.snapshot_state : "unknown");
	ifk_backup_meta_free(&m);
	return rc;
}

/* notification_proxy's client ends by joining its listening thread, which
 * looks for notifications once a second: freeing it waits up to a second.
 * That wait runs on a thread of its own while the bag is sealed, and is
 * joined before the device it talks through is freed (release_device). */
static void *free_notifications(void *np)
{
	np_client_free(np);
	return NULL;
}

static void end_notifications(struct dev *d)
{
	if (!d->np)
		return;
	if (pthread_create(&d->np_end, NULL, free_notifications, d->np) == 0)
		d->np_ending = 1;
	else
		np_client_free(d->np);
	d->np = NULL;
}

/* Ends the session with the device as soon as the transfer is over, so
 * that ending notification_proxy overlaps the bag's manifest and seal. */
static void end_session(struct dev *d)
{
	if (d->afc && d->lockfile) {
		afc_file_lock(d->afc, d->lockfile, AFC_LOCK_UN);
		afc_file_close(d->afc, d->lockfile);
		d->lockfile = 0;
		if (d->np)
			np_post_notification(d->np, NP_SYNC_DID_FINISH);
	}
	acq_dl_disconnect(d);
	acq_dl_sink_stop(d->sink);
	d->sink = NULL;
	if (d->afc)
		afc_client_free(d->afc);
	d->afc = NULL;
	end_notifications(d);
}

/* What the bag writer no longer needs; release_device frees the rest once
 * the bag is done. */
static void close_device(struct dev *d)
{
	end_session(d);
	if (d->lockdown)
		lockdownd_client_free(d->lockdown);
	d->lockdown = NULL;
	acq_dl_close_work(d);
	acq_dl_forget_dirs(d);
	free(d->rx);
	free(d->udid);
	json_decref(d->log);
}

static void release_device(struct dev *d)
{
	if (d->np_ending)
		pthread_join(d->np_end, NULL);
	d->np_ending = 0;
	if (d->device)
		idevice_free(d->device);
}

static void describe_source(struct dev *d, plist_t all)
{
	char *type = lockdown_string(all, "ProductType"),
	     *ver = lockdown_string(all, "ProductVersion");
	char desc[256];

	snprintf(desc, sizeof(desc), "device %s (%s, iOS %s) over usbmuxd", d->udid,
	         type ? type : "unknown model", ver ? ver : "unknown");
	d->a->source =
	    json_pack("{s:s, s:s, s:s}", "kind", "device", "udid", d->udid, "description", desc);
	free(type);
	free(ver);
}

static int take_backup(struct dev *d, plist_t all, struct ifk_error *err)
{
	int rc;

	start_helpers(d);
	rc = start_backup_service(d, err);
	if (!rc)
		rc = write_info_plist(d, all, err);
	if (!rc && d->a->o->new_password && !will_encrypt(d))
		rc = set_password(d, err);
	json_object_set_new(d->a->extra, "backup_encrypted_by_device",
	                    json_boolean(will_encrypt(d)));
	lockdownd_client_free(d->lockdown); /* as the stock client: not needed past here */
	d->lockdown = NULL;
	if (!rc)
		rc = request_backup(d, err);
	if (!rc) {
		acq_dl_refresh_captures(d);
		rc = outcome(d, err);
	}
	return rc;
}

/* Each wait's limit and the longest silence in it. */
static json_t *waits_record(const struct dev *d)
{
	static const char *const names[ACQ_NWAIT] = {"start", "file", "next"};
	json_t *w = json_object();
	const char *opt;
	int i;

	for (i = 0; i < ACQ_NWAIT; i++)
		json_object_set_new(w, names[i],
		                    json_pack("{s:I, s:I}", "limit_s",
		                              (json_int_t)acq_dl_wait_limit(d, i, &opt),
		                              "longest_silence_s", (json_int_t)d->longest[i]));
	return w;
}

static void transfer_record(struct dev *d)
{
	json_t *t =
	    json_pack("{s:b, s:I, s:s, s:f, s:o, s:o}", "final_response", d->finished, "error_code",
	              (json_int_t)d->error_code, "error_description", d->error_desc,
	              "device_progress", d->device_progress, "waits", waits_record(d), "events",
	              d->log ? json_incref(d->log) : json_array());

	if (t && d->free_answered >= 0)
		json_object_set_new(t, "free_space_answered_bytes",
		                    json_integer((json_int_t)d->free_answered));
	json_object_set_new(d->a->extra, "transfer", t);
}

int ifk_acquire_device(const struct ifk_acquire_opts *o, struct ifk_acquire_result *r,
                       struct ifk_error *err)
{
	struct acq a = {.o = o, .src_fd = -1, .bag_fd = -1, .data_fd = -1, .device_percent = -1};
	struct dev d = {.a = &a,
	                .timeout_s = o->timeout_s,
	                .stop = o->stop,
	                .free_answered = -1,
	                .reserve_fd = -1};
	plist_t all = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	a.started = time(NULL);
	a.method = "device-backup";
	a.extra = json_object();
	rc = connect_device(&d, err);
	if (!rc)
		rc = identify(&d, &all, err);
	if (!rc) {
		describe_source(&d, all);
		rc = acq_open_bag(&a, err);
	}
	if (!rc)
		acq_dl_reserve(&d);
	if (!rc)
		rc = acq_dl_open_work(&d, err);
	if (!rc)
		rc = take_backup(&d, all, err);
	if (a.extra)
		transfer_record(&d);
	end_session(&d);
	if (!rc)
		rc = acq_dl_write_manifest(&d, err);
	plist_free(all);
	close_device(&d);
	acq_dl_unreserve(&d); /* the room for the tag files, or the record saying why */
	rc = acq_complete(&a, rc, r, err);
	release_device(&d);
	return rc;
}
