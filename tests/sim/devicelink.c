/* DeviceLink on the device side: messages are plist arrays in lockdown
 * framing (binary, as a device sends them). The device drives: it sends a
 * command and the host answers ["DLMessageStatusResponse", code, text,
 * payload]. */
#include <stdio.h>
#include <string.h>

#include "devsim.h"

plist_t dl_msg(const char *name)
{
	plist_t a = plist_new_array();

	plist_array_append_item(a, plist_new_string(name));
	return a;
}

int dl_send(struct dl *d, plist_t msg)
{
	int rc = d->dead ? -1 : frame_send(d->c, msg, 1);

	plist_free(msg);
	if (rc < 0)
		d->dead = 1;
	return rc;
}

/* The host's status for the last command: 0, 1 on timeout (timeout_ms >= 0
 * only), -1 when the connection failed or something else came. */
int dl_status(struct dl *d, int timeout_ms, uint64_t *code, plist_t *payload)
{
	plist_t msg = NULL;
	const char *name;
	int r;

	*code = 0;
	if (payload)
		*payload = NULL;
	if (d->dead)
		return -1;
	if (timeout_ms >= 0 && (r = conn_readable(d->c, timeout_ms)) <= 0)
		return r == 0 ? 1 : -1;
	r = frame_recv(d->c, &msg);
	if (r < 0) {
		d->dead = 1;
		return -1;
	}
	name = array_str(msg, 0);
	if (!name || strcmp(name, "DLMessageStatusResponse") != 0) {
		sim_log(d->s, "devicelink: wanted a status response, got %s",
		        name ? name : "(none)");
		plist_free(msg);
		return -1;
	}
	plist_get_uint_val(plist_array_get_item(msg, 1), code);
	if (payload && plist_array_get_size(msg) > 3)
		*payload = plist_copy(plist_array_get_item(msg, 3));
	plist_free(msg);
	return 0;
}

int dl_command(struct dl *d, plist_t msg, uint64_t *code, plist_t *payload)
{
	char name[64];
	const char *n = array_str(msg, 0);

	snprintf(name, sizeof(name), "%s", n ? n : "?");
	if (dl_send(d, msg) < 0 || dl_status(d, -1, code, payload) < 0)
		return -1;
	if (*code)
		sim_log(d->s, "devicelink: %s -> status %lld", name, (long long)(int64_t)*code);
	return 0;
}

/* ["DLMessageProcessMessage", {MessageName: "Response", ErrorCode, ...}] */
int dl_response(struct dl *d, uint64_t code, const char *desc, plist_t extra)
{
	plist_t msg = dl_msg("DLMessageProcessMessage"), dict = extra ? extra : plist_new_dict();

	plist_dict_set_item(dict, "MessageName", plist_new_string("Response"));
	plist_dict_set_item(dict, "ErrorCode", plist_new_uint(code));
	if (desc)
		plist_dict_set_item(dict, "ErrorDescription", plist_new_string(desc));
	plist_array_append_item(msg, dict);
	return dl_send(d, msg);
}
