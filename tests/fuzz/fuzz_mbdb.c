/* ifk_mbdb_foreach: an iOS 9 backup's Manifest.mbdb. */
#include "fuzz.h"
#include "formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_file("Manifest.mbdb", data, size);
	size_t n = 0;

	if (path)
		ifk_mbdb_foreach(path, fz_entry, &n, NULL);
	return 0;
}
