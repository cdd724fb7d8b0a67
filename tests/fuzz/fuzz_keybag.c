/* ifk_keybag_parse, then, for a keybag of few enough iterations to try it
 * on every input, ifk_keybag_unlock with a fixed password and
 * ifk_keybag_unwrap_key of a key taken from the input's end. The seeds are
 * the sample generator's keybags at one iteration, password "sample-pw". */
#include <string.h>

#include "fuzz.h"
#include "formats.h"

#define MAX_FUZZ_ITER 16

static void try_unwrap(const struct ifk_keybag *kb, const uint8_t *data, size_t size)
{
	uint8_t wrapped[IFK_KEYBAG_WRAPPED_LEN], key[IFK_KEYBAG_KEY_LEN];
	struct ifk_keybag_class kc;
	uint32_t cls = 0;
	size_t i;

	for (i = 0; i < ifk_keybag_class_count(kb); i++) {
		if (ifk_keybag_class_at(kb, i, &kc, NULL) != 0)
			continue;
		wrapped[0] = (uint8_t)kc.protection_class; /* little-endian */
		wrapped[1] = (uint8_t)(kc.protection_class >> 8);
		wrapped[2] = (uint8_t)(kc.protection_class >> 16);
		wrapped[3] = (uint8_t)(kc.protection_class >> 24);
		memset(wrapped + 4, 0xA6, sizeof(wrapped) - 4);
		if (size >= sizeof(wrapped) - 4)
			memcpy(wrapped + 4, data + size - (sizeof(wrapped) - 4),
			       sizeof(wrapped) - 4);
		ifk_keybag_unwrap_key(kb, wrapped, sizeof(wrapped), key, &cls, NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char password[] = "sample-pw";
	struct ifk_keybag *kb = NULL;

	if (ifk_keybag_parse(data, size, &kb, NULL) != 0)
		return 0;
	if (ifk_keybag_iterations(kb) <= MAX_FUZZ_ITER &&
	    ifk_keybag_dp_iterations(kb) <= MAX_FUZZ_ITER &&
	    ifk_keybag_unlock(kb, password, sizeof(password) - 1, NULL) == 0)
		try_unwrap(kb, data, size);
	ifk_keybag_free(kb);
	return 0;
}
