/* The bag's text files, each read from the same input: a payload manifest
 * line by line (ifk_bag_parse_line), bag-info.txt (ifk_bag_info_parse) and
 * the custody log (ifk_custody_check, ifk_custody_foreach, from a bag
 * folder holding the input as ifk-custody.log). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "ifk/bag.h"
#include "ifk/custody.h"

static int info(void *ctx, const char *label, const char *value)
{
	*(size_t *)ctx += strlen(label) + strlen(value);
	return 0;
}

static void problem(void *ctx, unsigned long line, const char *reason)
{
	*(size_t *)ctx += line + strlen(reason);
}

static int entry(void *ctx, unsigned long lineno, const char *hash, const char *body)
{
	*(size_t *)ctx += lineno + strlen(hash) + strlen(body);
	return 0;
}

static void manifest_lines(char *text)
{
	struct ifk_bag_line l;
	char *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (ifk_bag_parse_line(line, &l) == 0 && strlen(l.checksum) + strlen(l.path) == 0)
			abort();
	}
}

static void custody(const uint8_t *data, size_t size)
{
	struct ifk_custody_summary sum;
	size_t n = 0;
	int fd;

	if (!fz_file("ifk-custody.log", data, size))
		return;
	fd = open(fz_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	ifk_custody_check(fd, NULL, problem, &n, &sum, NULL);
	ifk_custody_foreach(fd, entry, &n, NULL);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_string(data, size);
	size_t n = 0;

	ifk_bag_info_parse(text, size, info, &n, NULL);
	free(ifk_bag_info_get(text, size, "Ifk-Case-Number"));
	manifest_lines(text);
	free(text);
	custody(data, size);
	return 0;
}
