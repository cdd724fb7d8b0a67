/* ifk_plist_parse_stats, then every libplist call that asserts on a
 * malformed tree (plist_dict_next_item, plist_get_key_val,
 * plist_get_string_val), the typed getters, and a copy written back as XML
 * and as a binary plist and parsed again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "formats.h"

static void walk(plist_t node);

static void walk_dict(plist_t dict)
{
	plist_dict_iter it = NULL;
	char *key = NULL, *s = NULL;
	plist_t v = NULL;
	uint64_t u;
	bool b;
	int64_t t;
	uint8_t *data = NULL;
	size_t len;

	plist_dict_new_iter(dict, &it);
	for (;;) {
		plist_dict_next_item(dict, it, &key, &v);
		if (!v) {
			free(key);
			break;
		}
		ifk_plist_get_string(dict, key, &s, NULL);
		ifk_plist_get_uint(dict, key, &u, NULL);
		ifk_plist_get_bool(dict, key, &b, NULL);
		ifk_plist_get_date(dict, key, &t, NULL);
		ifk_plist_get_data(dict, key, &data, &len, NULL);
		free(s);
		free(data);
		s = NULL;
		data = NULL;
		free(key);
		key = NULL;
		walk(v);
	}
	free(it);
}

static void walk(plist_t node)
{
	char *s = NULL;
	uint32_t i;

	switch (plist_get_node_type(node)) {
	case PLIST_DICT:
		walk_dict(node);
		break;
	case PLIST_ARRAY:
		for (i = 0; i < plist_array_get_size(node); i++)
			walk(plist_array_get_item(node, i));
		break;
	case PLIST_STRING:
		plist_get_string_val(node, &s);
		free(s);
		break;
	default:
		break;
	}
}

static void round_trip(plist_t p)
{
	plist_t copy = plist_copy(p), again = NULL;
	char *out = NULL;
	uint32_t len = 0;

	plist_to_xml(copy, &out, &len);
	if (out && ifk_plist_parse(out, len, "xml", &again, NULL) == 0)
		plist_free(again);
	free(out);
	out = NULL;
	plist_to_bin(copy, &out, &len);
	if (out && ifk_plist_parse(out, len, "bin", &again, NULL) == 0)
		plist_free(again);
	free(out);
	plist_free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ifk_plist_stats st;
	plist_t p = NULL;

	if (ifk_plist_parse_stats(data, size, "fuzz", &p, &st, NULL) != 0)
		return 0;
	walk(p);
	round_trip(p);
	plist_free(p);
	return 0;
}
