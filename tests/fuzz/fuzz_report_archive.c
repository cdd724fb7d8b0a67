/* ifk_rar_scan: a report archive (pax tar, gzip) as ifk-verify reads it,
 * members against SHA256SUMS, report.json's custody head. */
#include <jansson.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("report.tar.gz", MFD_CLOEXEC);
	json_t *result = json_object();
	char *text;

	if (fd < 0 || !result || write(fd, data, size) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	ifk_rar_scan(fd, result, NULL);
	text = json_dumps(result, 0);
	free(text);
	json_decref(result);
	close(fd);
	return 0;
}
