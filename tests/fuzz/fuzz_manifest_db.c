/* ifk_manifest_db_foreach: a decrypted Manifest.db (SQLite, the Files
 * table, each row's MBFile blob). */
#include "fuzz.h"
#include "formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_file("Manifest.db", data, size);
	size_t n = 0;

	if (path)
		ifk_manifest_db_foreach(path, fz_entry, &n, NULL);
	return 0;
}
