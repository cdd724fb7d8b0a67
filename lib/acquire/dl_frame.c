/* The mobilebackup2 service connection: libimobiledevice carries it (usbmuxd
 * and TLS); ifk frames the DeviceLink messages on it itself so that every
 * receive has a timeout (libimobiledevice 1.3.0's mobilebackup2 raw receive
 * blocks without one) and no frame length is trusted. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "acquire_int.h"

#define SLICE_MS 1000
#define RX_AHEAD (256u * 1024)
#define FRAME_MAX (32u * 1024 * 1024)

int acq_dl_open(struct dev *d, lockdownd_service_descriptor_t svc, struct ifk_error *err)
{
	if (idevice_connect(d->device, svc->port, &d->conn) != IDEVICE_E_SUCCESS)
		return ifk_error_set(err, IFK_EIO, "cannot connect to the device's backup service");
	d->tls = svc->ssl_enabled != 0;
	if (d->tls && idevice_connection_enable_ssl(d->conn) != IDEVICE_E_SUCCESS)
		return ifk_error_set(err, IFK_EIO, "TLS with the device's backup service failed");
	return 0;
}

void acq_dl_close(struct dev *d)
{
	if (d->conn) {
		idevice_disconnect(d->conn);
		d->conn = NULL;
	}
}

/* ---- the raw stream, within the stall limits ---- */

static const struct {
	unsigned dflt;
	const char *option, *doing, *where;
} waits[ACQ_NWAIT] = {
    {IFK_DEVICE_WAIT_START_S, "--wait-start", "the device is preparing the backup",
     "before the first file (the device was preparing the backup)"},
    {IFK_DEVICE_WAIT_FILE_S, "--wait-file", "the device paused in the middle of a file",
     "in the middle of a file"},
    {IFK_DEVICE_WAIT_NEXT_S, "--wait-next", "the device is preparing the next files",
     "after a file (the device was preparing the next files or its final status)"},
};

#define NOTE_AFTER_S 5 /* a silence is told to the progress callback past this */

unsigned acq_dl_wait_limit(const struct dev *d, int wait, const char **opt)
{
	const unsigned *set = &d->a->o->wait_start_s;
	unsigned limit = waits[wait].dflt;

	*opt = waits[wait].option;
	if (wait == ACQ_WAIT_FILE)
		set = &d->a->o->wait_file_s;
	else if (wait == ACQ_WAIT_NEXT)
		set = &d->a->o->wait_next_s;
	if (*set)
		limit = *set;
	if (d->timeout_s && d->timeout_s < limit) {
		limit = d->timeout_s;
		*opt = "--timeout";
	}
	return limit;
}

/* Tells the caller how long the device has been silent, once a second. */
static void note_wait(struct dev *d, time_t silent)
{
	const struct ifk_acquire_opts *o = d->a->o;

	if (silent < NOTE_AFTER_S || silent == d->noted || !o->waiting)
		return;
	d->noted = silent;
	o->waiting(o->progress_ctx, waits[d->wait].doing, (uint64_t)silent);
}

void acq_dl_heard(struct dev *d)
{
	time_t now = time(NULL), silent = now - d->last_data;

	if (silent > 0 && (unsigned long)silent > d->longest[d->wait])
		d->longest[d->wait] = (unsigned)silent;
	d->last_data = now;
	d->noted = 0;
}

int acq_dl_stalled(struct dev *d, struct ifk_error *err)
{
	const char *opt;
	unsigned limit = acq_dl_wait_limit(d, d->wait, &opt);
	time_t silent = time(NULL) - d->last_data;

	if (d->stop && *d->stop)
		return ifk_error_set(err, IFK_EINTR, "interrupted");
	if (d->cancelled)
		return ifk_error_set(err, IFK_EIO, "the device cancelled the backup");
	if (silent > (time_t)limit)
		return ifk_error_set(err, IFK_EIO,
		                     "the device sent nothing for %u s %s (%s %u): stalled", limit,
		                     waits[d->wait].where, opt, limit);
	note_wait(d, silent);
	return 0;
}

/* Takes what was received ahead into buf: the byte count. */
static uint32_t take_ahead(struct dev *d, uint8_t *buf, uint32_t n)
{
	uint32_t k = d->rx_len - d->rx_pos < n ? d->rx_len - d->rx_pos : n;

	memcpy(buf, d->rx + d->rx_pos, k);
	d->rx_pos += k;
	return k;
}

/* The stream is read in receives of up to RX_AHEAD bytes, so that the many
 * small fields of a file's framing (lengths, names, codes) cost no receive
 * each; a large read goes straight into buf. Over TLS, libimobiledevice's
 * receive waits for all it is asked for: only what is needed is asked. */
int acq_dl_read_exact(struct dev *d, void *buf, uint32_t n, struct ifk_error *err)
{
	uint8_t *p = buf;
	uint32_t got = 0;

	if (!d->rx && !(d->rx = malloc(RX_AHEAD)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	while (got < n) {
		uint32_t r = 0;
		int direct = d->tls || n - got >= RX_AHEAD / 2, rc;
		if (d->rx_pos < d->rx_len) {
			got += take_ahead(d, p + got, n - got);
			continue;
		}
		rc = acq_dl_recv_some(d, direct ? p + got : d->rx, direct ? n - got : RX_AHEAD, &r,
		                      err);
		if (rc)
			return rc;
		if (r > 0 && direct)
			got += r;
		else if (r > 0)
			d->rx_pos = 0, d->rx_len = r;
		if (r > 0)
			acq_dl_heard(d);
		else if (acq_dl_stalled(d, err))
			return err ? err->code : IFK_EIO;
	}
	return 0;
}

/* One receive of at most n bytes, waiting at most a slice: *got is 0 when
 * nothing came in time. */
int acq_dl_recv_some(struct dev *d, void *buf, uint32_t n, uint32_t *got, struct ifk_error *err)
{
	idevice_error_t e;

	*got = 0;
	e = idevice_connection_receive_timeout(d->conn, buf, n, got, SLICE_MS);
	if (e == IDEVICE_E_SUCCESS || (e == IDEVICE_E_TIMEOUT && *got == 0))
		return 0;
	if (*got > 0)
		return 0;
	return ifk_error_set(err, IFK_EIO, "the connection to the device was lost (error %d)", e);
}

/* Sends all of buf, waiting for the socket in slices so that a device that
 * stops reading is a stall and Ctrl-C is noticed. */
int acq_dl_send_raw(struct dev *d, const void *buf, uint32_t n, struct ifk_error *err)
{
	const char *p = buf;
	int fd = -1, rc;

	idevice_connection_get_fd(d->conn, &fd);
	while (n > 0) {
		uint32_t sent = 0;
		if (fd >= 0) {
			struct pollfd pfd = {fd, POLLOUT, 0};
			int pr = poll(&pfd, 1, SLICE_MS);
			if (pr <= 0) {
				if (pr < 0 && errno != EINTR)
					return ifk_error_sys(err, IFK_EIO, errno,
					                     "cannot send to the device");
				if ((rc = acq_dl_stalled(d, err)) != 0)
					return rc;
				continue;
			}
		}
		if (idevice_connection_send(d->conn, p, n, &sent) != IDEVICE_E_SUCCESS ||
		    sent == 0) {
			if ((rc = acq_dl_stalled(d, err)) != 0 && rc == IFK_EINTR)
				return rc;
			return ifk_error_set(err, IFK_EIO, "cannot send to the device");
		}
		acq_dl_heard(d);
		p += sent;
		n -= sent;
	}
	return 0;
}

int acq_dl_send_plist(struct dev *d, plist_t p, struct ifk_error *err)
{
	char *bin = NULL;
	uint32_t len = 0, be;
	int rc;

	plist_to_bin(p, &bin, &len);
	if (!bin)
		return ifk_error_set(err, IFK_ENOMEM, "cannot encode a message");
	be = htonl(len);
	rc = acq_dl_send_raw(d, &be, 4, err);
	if (!rc)
		rc = acq_dl_send_raw(d, bin, len, err);
	free(bin);
	return rc;
}

/* A message's bytes as a plist. A string or key holding a NUL (which
 * libplist would abort on, and no real device sends) is a protocol error. */
static int parse_message(const char *buf, uint32_t len, plist_t *out, struct ifk_error *err)
{
	struct ifk_plist_stats st;
	int rc = ifk_plist_parse_stats(buf, len, "a DeviceLink message", out, &st, err);

	if (rc || st.nul_strings == 0)
		return rc;
	plist_free(*out);
	*out = NULL;
	return ifk_error_set(err, IFK_EFORMAT,
	                     "protocol error: a DeviceLink message from the device holds a NUL "
	                     "character in %s (the object at byte %llu)",
	                     st.nul_keys ? "a dictionary key" : "a string",
	                     (unsigned long long)st.first_nul_offset);
}

/* A framed plist, read within the stall timeout (acq_dl_read_exact). */
int acq_dl_recv_plist(struct dev *d, plist_t *out, struct ifk_error *err)
{
	uint32_t be, len;
	char *buf;
	int rc;

	*out = NULL;
	rc = acq_dl_read_exact(d, &be, 4, err);
	if (rc)
		return rc;
	len = ntohl(be);
	if (len == 0 || len > FRAME_MAX)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "protocol error: a message frame of %u bytes from the device",
		                     len);
	buf = malloc(len);
	if (!buf)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = acq_dl_read_exact(d, buf, len, err);
	if (!rc)
		rc = parse_message(buf, len, out, err);
	free(buf);
	return rc;
}

static plist_t dl_array(const char *name)
{
	plist_t a = plist_new_array();

	plist_array_append_item(a, plist_new_string(name));
	return a;
}

/* ["DLMessageProcessMessage", dict] */
int acq_dl_process_message(struct dev *d, plist_t dict, struct ifk_error *err)
{
	plist_t a = dl_array("DLMessageProcessMessage");
	int rc;

	plist_array_append_item(a, plist_copy(dict));
	rc = acq_dl_send_plist(d, a, err);
	plist_free(a);
	return rc;
}

int acq_dl_status(struct dev *d, int code, const char *desc, plist_t payload, struct ifk_error *err)
{
	plist_t a = dl_array("DLMessageStatusResponse");
	int rc;

	plist_array_append_item(a, plist_new_uint((uint64_t)(int64_t)code));
	plist_array_append_item(a, plist_new_string(desc ? desc : "___EmptyParameterString___"));
	plist_array_append_item(a, payload ? plist_copy(payload) : plist_new_dict());
	rc = acq_dl_send_plist(d, a, err);
	plist_free(a);
	return rc;
}

/* Receives a message that must be the array named name. */
static int expect(struct dev *d, const char *name, plist_t *msg, struct ifk_error *err)
{
	plist_t first;
	char *s = NULL;
	int rc = acq_dl_recv_plist(d, msg, err);

	if (rc)
		return rc;
	first = plist_get_node_type(*msg) == PLIST_ARRAY ? plist_array_get_item(*msg, 0) : NULL;
	if (plist_get_node_type(first) == PLIST_STRING)
		plist_get_string_val(first, &s);
	rc = s && strcmp(s, name) == 0
	         ? 0
	         : ifk_error_set(err, IFK_EFORMAT, "protocol error: expected %s from the device",
	                         name);
	free(s);
	return rc;
}

static int version_exchange(struct dev *d, struct ifk_error *err)
{
	plist_t msg = NULL, ok;
	uint64_t major = 0;
	int rc = expect(d, "DLMessageVersionExchange", &msg, err);

	if (!rc && plist_get_node_type(plist_array_get_item(msg, 1)) == PLIST_UINT)
		plist_get_uint_val(plist_array_get_item(msg, 1), &major);
	plist_free(msg);
	if (!rc && major > 300)
		rc = ifk_error_set(err, IFK_EUNSUPPORTED,
		                   "the device speaks DeviceLink %llu; ifk speaks 300",
		                   (unsigned long long)major);
	if (rc)
		return rc;
	ok = dl_array("DLMessageVersionExchange");
	plist_array_append_item(ok, plist_new_string("DLVersionsOk"));
	plist_array_append_item(ok, plist_new_uint(300));
	rc = acq_dl_send_plist(d, ok, err);
	plist_free(ok);
	if (!rc)
		rc = expect(d, "DLMessageDeviceReady", &msg, err);
	plist_free(msg);
	return rc;
}

/* DeviceLink's version exchange, then mobilebackup2's Hello (2.0, 2.1). */
int acq_dl_handshake(struct dev *d, struct ifk_error *err)
{
	plist_t hello = plist_new_dict(), versions = plist_new_array(), msg = NULL, body, code;
	uint64_t ec = 1;
	int rc;

	plist_array_append_item(versions, plist_new_real(2.0));
	plist_array_append_item(versions, plist_new_real(2.1));
	plist_dict_set_item(hello, "MessageName", plist_new_string("Hello"));
	plist_dict_set_item(hello, "SupportedProtocolVersions", versions);
	rc = version_exchange(d, err);
	if (!rc)
		rc = acq_dl_process_message(d, hello, err);
	if (!rc)
		rc = expect(d, "DLMessageProcessMessage", &msg, err);
	body = msg ? plist_array_get_item(msg, 1) : NULL;
	code =
	    plist_get_node_type(body) == PLIST_DICT ? plist_dict_get_item(body, "ErrorCode") : NULL;
	if (plist_get_node_type(code) == PLIST_UINT)
		plist_get_uint_val(code, &ec);
	if (!rc && ec != 0)
		rc =
		    ifk_error_set(err, IFK_EUNSUPPORTED,
		                  "the device's backup protocol is not 2.0 or 2.1 (ErrorCode %llu)",
		                  (unsigned long long)ec);
	plist_free(msg);
	plist_free(hello);
	return rc;
}

void acq_dl_disconnect(struct dev *d)
{
	plist_t bye = dl_array("DLMessageDisconnect");
	struct ifk_error e = {0};

	plist_array_append_item(bye, plist_new_string("___EmptyParameterString___"));
	d->timeout_s = 2; /* the goodbye waits for no device that stopped reading */
	d->last_data = time(NULL);
	if (d->conn)
		acq_dl_send_plist(d, bye, &e);
	plist_free(bye);
	acq_dl_close(d);
}
