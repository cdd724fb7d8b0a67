/* usbmuxd, server side: 16-byte little-endian header (length, version 1,
 * message 8 = plist, tag), then an XML plist with MessageType. A Connect
 * turns the socket into the raw stream of the device port asked for. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "devsim.h"

#define MUX_HDR 16
#define MUX_VERSION 1
#define MUX_PLIST 8

/* Result numbers */
#define MUX_OK 0
#define MUX_BADCOMMAND 1
#define MUX_BADDEV 2
#define MUX_CONNREFUSED 3

enum mux_next { MUX_CONTINUE, MUX_DONE, MUX_FAIL };

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Header and payload in one write: libusbmuxd reads the header alone. */
static int mux_send(struct conn *c, uint32_t tag, plist_t p)
{
	char *xml = NULL;
	uint32_t len = 0;
	unsigned char *buf;
	int rc;

	plist_to_xml(p, &xml, &len);
	if (!xml)
		return -1;
	buf = sim_xmalloc((size_t)len + MUX_HDR);
	put_le32(buf, len + MUX_HDR);
	put_le32(buf + 4, MUX_VERSION);
	put_le32(buf + 8, MUX_PLIST);
	put_le32(buf + 12, tag);
	memcpy(buf + MUX_HDR, xml, len);
	plist_to_xml_free(xml);
	rc = conn_write(c, buf, (size_t)len + MUX_HDR);
	free(buf);
	return rc;
}

static int mux_result(struct conn *c, uint32_t tag, uint64_t number)
{
	plist_t p = plist_new_dict();
	int rc;

	plist_dict_set_item(p, "MessageType", plist_new_string("Result"));
	plist_dict_set_item(p, "Number", plist_new_uint(number));
	rc = mux_send(c, tag, p);
	plist_free(p);
	return rc;
}

static plist_t device_entry(struct sim *s)
{
	plist_t props = plist_new_dict(), dev = plist_new_dict();

	plist_dict_set_item(props, "ConnectionSpeed", plist_new_uint(480000000));
	plist_dict_set_item(props, "ConnectionType", plist_new_string("USB"));
	plist_dict_set_item(props, "DeviceID", plist_new_uint(SIM_DEVICE_ID));
	plist_dict_set_item(props, "LocationID", plist_new_uint(0x14100000));
	plist_dict_set_item(props, "ProductID", plist_new_uint(0x12a8));
	plist_dict_set_item(props, "SerialNumber", plist_new_string(s->udid));
	plist_dict_set_item(dev, "DeviceID", plist_new_uint(SIM_DEVICE_ID));
	plist_dict_set_item(dev, "MessageType", plist_new_string("Attached"));
	plist_dict_set_item(dev, "Properties", props);
	return dev;
}

static int on_list_devices(struct sim *s, struct conn *c, plist_t msg, uint32_t tag)
{
	plist_t reply = plist_new_dict(), list = plist_new_array();
	int rc;

	plist_array_append_item(list, device_entry(s));
	plist_dict_set_item(reply, "DeviceList", list);
	rc = mux_send(c, tag, reply);
	plist_free(reply);
	return rc < 0 ? MUX_FAIL : MUX_CONTINUE;
}

/* Result 0, the one device as Attached, then the socket stays open until
 * the client goes. */
static int on_listen(struct sim *s, struct conn *c, plist_t msg, uint32_t tag)
{
	plist_t dev = device_entry(s);
	unsigned char b;
	int rc;

	rc = mux_result(c, tag, MUX_OK);
	if (rc == 0)
		rc = mux_send(c, 0, dev);
	plist_free(dev);
	while (rc == 0 && conn_read(c, &b, 1) == 0)
		;
	return MUX_DONE;
}

static int on_connect(struct sim *s, struct conn *c, plist_t msg, uint32_t tag)
{
	plist_t n = plist_dict_get_item(msg, "PortNumber");
	uint64_t id = 0, raw = 0;
	uint16_t port;
	int svc = SVC_NONE, ssl = 0;

	plist_get_uint_val(plist_dict_get_item(msg, "DeviceID"), &id);
	if (plist_get_node_type(n) == PLIST_UINT)
		plist_get_uint_val(n, &raw);
	port = ntohs((uint16_t)raw); /* the port arrives byte-swapped */
	if (id != SIM_DEVICE_ID)
		return mux_result(c, tag, MUX_BADDEV) < 0 ? MUX_FAIL : MUX_CONTINUE;
	if (port != SIM_LOCKDOWN_PORT) {
		svc = service_claim(s, port, &ssl);
		if (svc == SVC_NONE) {
			sim_log(s, "usbmuxd: connect to port %u refused", port);
			return mux_result(c, tag, MUX_CONNREFUSED) < 0 ? MUX_FAIL : MUX_CONTINUE;
		}
	}
	if (mux_result(c, tag, MUX_OK) < 0)
		return MUX_FAIL;
	if (svc == SVC_NONE)
		lockdown_serve(s, c);
	else
		service_run(s, c, svc, ssl);
	return MUX_DONE;
}

static int on_read_buid(struct sim *s, struct conn *c, plist_t msg, uint32_t tag)
{
	plist_t reply = plist_new_dict();
	int rc;

	plist_dict_set_item(reply, "BUID", plist_new_string(s->buid));
	rc = mux_send(c, tag, reply);
	plist_free(reply);
	return rc < 0 ? MUX_FAIL : MUX_CONTINUE;
}

static int on_read_pair_record(struct sim *s, struct conn *c, plist_t msg, uint32_t tag)
{
	const char *id = dict_str(msg, "PairRecordID");
	plist_t rec = NULL, reply;
	int rc;

	pthread_mutex_lock(&s->lock);
	if (id)
		rec = plist_copy(plist_dict_get_item(s->mux_records, id));
	pthread_mutex_unlock(&s->lock);
	if (!rec)
		return mux_result(c, tag, MUX_BADDEV) < 0 ? MUX_FAIL : MUX_CONTINUE;
	reply = plist_new_dict();
	plist_dict_set_item(reply, "PairRecordData", rec);
	rc = mux_send(c, tag, reply);
	plist_free(reply);
	return rc < 0 ? MUX_FAIL : MUX_CONTINUE;
}

static int on_save_pair_record(struct sim *s, struct conn *c, plist_t msg, uint32_t tag)
{
	const char *id = dict_str(msg, "PairRecordID");
	plist_t data = plist_dict_get_item(msg, "PairRecordData");

	if (!id || plist_get_node_type(data) != PLIST_DATA)
		return mux_result(c, tag, MUX_BADCOMMAND) < 0 ? MUX_FAIL : MUX_CONTINUE;
	pthread_mutex_lock(&s->lock);
	plist_dict_set_item(s->mux_records, id, plist_copy(data));
	pthread_mutex_unlock(&s->lock);
	sim_log(s, "usbmuxd: pair record saved for %s", id);
	return mux_result(c, tag, MUX_OK) < 0 ? MUX_FAIL : MUX_CONTINUE;
}

static int on_delete_pair_record(struct sim *s, struct conn *c, plist_t msg, uint32_t tag)
{
	const char *id = dict_str(msg, "PairRecordID");

	pthread_mutex_lock(&s->lock);
	if (id && plist_dict_get_item(s->mux_records, id))
		plist_dict_remove_item(s->mux_records, id);
	pthread_mutex_unlock(&s->lock);
	sim_log(s, "usbmuxd: pair record deleted for %s", id ? id : "(none)");
	return mux_result(c, tag, MUX_OK) < 0 ? MUX_FAIL : MUX_CONTINUE;
}

static const struct mux_handler {
	const char *type;
	int (*fn)(struct sim *s, struct conn *c, plist_t msg, uint32_t tag);
} mux_handlers[] = {
    {"ListDevices", on_list_devices},
    {"Listen", on_listen},
    {"Connect", on_connect},
    {"ReadBUID", on_read_buid},
    {"ReadPairRecord", on_read_pair_record},
    {"SavePairRecord", on_save_pair_record},
    {"DeletePairRecord", on_delete_pair_record},
};

static int mux_dispatch(struct sim *s, struct conn *c, plist_t msg, uint32_t tag)
{
	const char *type = dict_str(msg, "MessageType");
	size_t i;

	for (i = 0; type && i < sizeof(mux_handlers) / sizeof(mux_handlers[0]); i++)
		if (strcmp(type, mux_handlers[i].type) == 0)
			return mux_handlers[i].fn(s, c, msg, tag);
	sim_log(s, "usbmuxd: unknown message %s", type ? type : "(none)");
	return mux_result(c, tag, MUX_BADCOMMAND) < 0 ? MUX_FAIL : MUX_CONTINUE;
}

/* Reads one packet; returns its plist (NULL for a non-plist message). */
static int mux_recv(struct sim *s, struct conn *c, plist_t *msg, uint32_t *tag)
{
	unsigned char hdr[MUX_HDR];
	uint32_t len, type;
	char *body;

	*msg = NULL;
	if (conn_read(c, hdr, MUX_HDR) < 0)
		return -1;
	len = get_le32(hdr);
	type = get_le32(hdr + 8);
	*tag = get_le32(hdr + 12);
	if (len < MUX_HDR || len > SIM_MAX_MUX) {
		sim_log(s, "usbmuxd: bad packet length %u", len);
		return -1;
	}
	body = sim_xmalloc(len - MUX_HDR);
	if (conn_read(c, body, len - MUX_HDR) < 0) {
		free(body);
		return -1;
	}
	if (type == MUX_PLIST && len > MUX_HDR)
		plist_from_xml(body, len - MUX_HDR, msg);
	free(body);
	return 0;
}

void usbmux_serve(struct sim *s, struct conn *c)
{
	for (;;) {
		plist_t msg = NULL;
		uint32_t tag = 0;
		int next;

		if (mux_recv(s, c, &msg, &tag) < 0)
			return;
		if (msg)
			next = mux_dispatch(s, c, msg, tag);
		else
			next = mux_result(c, tag, MUX_BADCOMMAND) < 0 ? MUX_FAIL : MUX_CONTINUE;
		plist_free(msg);
		if (next != MUX_CONTINUE)
			return;
	}
}
