/* Lockdown framing (used by lockdownd, notification_proxy and DeviceLink):
 * a 4-byte big-endian length, then an XML or binary plist. Each frame goes
 * out in one write. */
#include <stdlib.h>
#include <string.h>

#include "devsim.h"

int frame_send(struct conn *c, plist_t p, int binary)
{
	char *body = NULL;
	uint32_t len = 0;
	unsigned char *buf;
	int rc;

	if (binary)
		plist_to_bin(p, &body, &len);
	else
		plist_to_xml(p, &body, &len);
	if (!body)
		return -1;
	buf = sim_xmalloc((size_t)len + 4);
	put_be32(buf, len);
	memcpy(buf + 4, body, len);
	if (binary)
		plist_to_bin_free(body);
	else
		plist_to_xml_free(body);
	rc = conn_write(c, buf, (size_t)len + 4);
	free(buf);
	return rc;
}

int frame_recv(struct conn *c, plist_t *out)
{
	unsigned char hdr[4];
	char *body;
	uint32_t len;

	*out = NULL;
	if (conn_read(c, hdr, 4) < 0)
		return -1;
	len = get_be32(hdr);
	if (len > SIM_MAX_FRAME)
		return -2;
	body = sim_xmalloc(len);
	if (conn_read(c, body, len) < 0) {
		free(body);
		return -1;
	}
	if (len > 0)
		plist_from_memory(body, len, out);
	free(body);
	return *out ? 0 : -3;
}

const char *dict_str(plist_t dict, const char *key)
{
	plist_t n;

	if (plist_get_node_type(dict) != PLIST_DICT)
		return NULL;
	n = plist_dict_get_item(dict, key);
	if (plist_get_node_type(n) != PLIST_STRING)
		return NULL;
	return plist_get_string_ptr(n, NULL);
}

int dict_bool(plist_t dict, const char *key)
{
	plist_t n;
	uint8_t b = 0;

	if (plist_get_node_type(dict) != PLIST_DICT)
		return 0;
	n = plist_dict_get_item(dict, key);
	if (plist_get_node_type(n) != PLIST_BOOLEAN)
		return 0;
	plist_get_bool_val(n, &b);
	return b != 0;
}

const char *array_str(plist_t arr, uint32_t i)
{
	plist_t n;

	if (plist_get_node_type(arr) != PLIST_ARRAY || i >= plist_array_get_size(arr))
		return NULL;
	n = plist_array_get_item(arr, i);
	if (plist_get_node_type(n) != PLIST_STRING)
		return NULL;
	return plist_get_string_ptr(n, NULL);
}
