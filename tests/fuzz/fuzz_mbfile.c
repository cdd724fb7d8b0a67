/* ifk_mbfile_decode: a Manifest.db row's MBFile blob (an NSKeyedArchiver
 * binary plist). */
#include <string.h>

#include "fuzz.h"
#include "formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ifk_mbfile_store store = {0};
	struct ifk_entry e;
	size_t n;

	memset(&e, 0, sizeof(e));
	ifk_mbfile_decode(data, size, &e, &store, NULL);
	/* what a caller reads back */
	n = strlen(e.relative_path) + (e.target ? strlen(e.target) : 0);
	if (e.enc_key && e.enc_key_len)
		n += e.enc_key[e.enc_key_len - 1];
	if (e.xattrs && e.xattrs_len)
		n += e.xattrs[e.xattrs_len - 1];
	ifk_mbfile_release(&store);
	return n == (size_t)-1;
}
