#include "fuzz.h"

#include "formats.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[4096];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void fz_remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void remove_dir(void)
{
	if (dir[0])
		fz_remove_tree(dir);
}

/* In memory when it can be (/dev/shm): a harness writes a file per input. */
const char *fz_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0])
		return dir;
	if (access("/dev/shm", W_OK) == 0)
		tmp = "/dev/shm";
	snprintf(dir, sizeof(dir), "%s/ifk-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("ifk fuzz: mkdtemp");
		abort();
	}
	atexit(remove_dir);
	return dir;
}

const char *fz_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fz_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	while (size > 0) {
		ssize_t n = write(fd, data, size);
		if (n <= 0) {
			close(fd);
			return NULL;
		}
		data += n;
		size -= (size_t)n;
	}
	close(fd);
	return path;
}

char *fz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int fz_entry(const struct ifk_entry *e, void *ctx)
{
	size_t *n = ctx, i;

	*n += strlen(e->file_id) + strlen(e->domain) + strlen(e->relative_path) +
	      (e->target ? strlen(e->target) : 0) + (e->problem ? strlen(e->problem) : 0);
	for (i = 0; i < e->nprops; i++)
		*n += strlen(e->props[i].name) +
		      (e->props[i].value_len ? e->props[i].value[e->props[i].value_len - 1] : 0);
	if (e->data_hash && e->data_hash_len)
		*n += e->data_hash[e->data_hash_len - 1];
	if (e->enc_key && e->enc_key_len)
		*n += e->enc_key[e->enc_key_len - 1];
	if (e->xattrs && e->xattrs_len)
		*n += e->xattrs[e->xattrs_len - 1];
	return 0;
}
