/* The bag's text files, each read from the same input: a manifest
 * (ifk_bag_manifest_read, in UTF-8 and as UTF-16, with a digest fed),
 * bag-info.txt (ifk_bag_info_parse, also after ifk_bag_text_decode) and the
 * custody log (ifk_custody_check, ifk_custody_foreach, from a bag folder
 * holding the input as ifk-custody.log). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fuzz.h"
#include "evidence.h"

static int info(void *ctx, const struct ifk_bag_info_elem *e)
{
	*(size_t *)ctx += strlen(e->label) + strlen(e->value) + e->line;
	return 0;
}

static int line_fn(void *ctx, unsigned long lineno, const struct ifk_bag_line *l)
{
	*(size_t *)ctx += lineno + strlen(l->path) + (l->checksum ? strlen(l->checksum) : 0);
	return 0;
}

/* The manifest reader on the input as text, UTF-8 then UTF-16. */
static void manifest_read(const uint8_t *data, size_t size)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct ifk_bag_src src = {-1, "manifest-sha256.txt", (const char *)data, size, NULL, &md, 1};
	size_t n = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return;
	}
	ifk_bag_manifest_read(&src, line_fn, &n, NULL);
	src.encoding = "UTF-16";
	ifk_bag_manifest_read(&src, line_fn, &n, NULL);
	EVP_MD_CTX_free(md);
}

/* bag-info.txt declared in another encoding: decoded, then parsed. */
static void info_decoded(const char *text, size_t size)
{
	struct ifk_buf out = {0};
	size_t n = 0;

	if (ifk_bag_text_decode(text, size, "ISO-8859-1", &out, NULL) == 0 && out.data)
		ifk_bag_info_parse(out.data, out.len, info, &n, NULL);
	ifk_buf_free(&out);
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
	info_decoded(text, size);
	manifest_lines(text);
	free(text);
	manifest_read(data, size);
	custody(data, size);
	return 0;
}
