/* A folder that holds several backups or bags rather than being one: the
 * folder Finder and iTunes keep one backup per device in, or a case folder
 * of bags. The tools name what it holds instead of only refusing it, and a
 * check over the whole folder can start from the same list. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "evidence.h"

#define NAMES_SHOWN 10

static int has(int fd, const char *name)
{
	struct stat st;

	return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int ifk_is_backup_folder(int fd)
{
	return has(fd, "Manifest.plist") || has(fd, "Manifest.db") || has(fd, "Manifest.mbdb");
}

int ifk_is_bag_folder(int fd)
{
	return has(fd, IFK_BAG_DECL) || has(fd, IFK_BAG_RECORD);
}

struct found {
	int fd;
	unsigned what;
	char **names;
	size_t n, cap, bags;
	int oom;
};

static int look_at(void *ctx, const char *name, const char *rel)
{
	struct found *f = ctx;
	int sub = openat(f->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), bag = 0;
	char **grown;

	(void)rel;
	if (sub < 0)
		return 0;
	bag = (f->what & IFK_COLLECT_BAGS) && ifk_is_bag_folder(sub);
	if (bag || ((f->what & IFK_COLLECT_BACKUPS) && ifk_is_backup_folder(sub))) {
		if (f->n == f->cap) {
			grown = realloc(f->names, (f->cap * 2 + 8) * sizeof(*f->names));
			f->oom |= !grown;
			f->names = grown ? grown : f->names;
			f->cap = grown ? f->cap * 2 + 8 : f->cap;
		}
		if (f->n < f->cap && (f->names[f->n] = strdup(name))) {
			f->n++;
			f->bags += bag;
		}
	}
	close(sub);
	return f->oom ? IFK_ENOMEM : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ifk_collection_list(int fd, unsigned what, json_t **names, size_t *bags, struct ifk_error *err)
{
	struct found f = {fd, what, NULL, 0, 0, 0, 0};
	int list_errno = 0, rc = ifk_dir_foreach(fd, NULL, look_at, &f, &list_errno);
	size_t i;

	*names = NULL;
	if (!rc) {
		if (f.n)
			qsort(f.names, f.n, sizeof(*f.names), by_name);
		*names = json_array();
		for (i = 0; *names && i < f.n; i++)
			json_array_append_new(*names, ifk_json_text(f.names[i]));
		rc = *names ? 0 : IFK_ENOMEM;
	}
	for (i = 0; i < f.n; i++)
		free(f.names[i]);
	free(f.names);
	*bags = f.bags;
	if (rc)
		ifk_error_set(err, IFK_ENOMEM, "out of memory");
	return rc;
}

static int named(const char *path, json_t *names, size_t bags, struct ifk_error *err)
{
	size_t n = json_array_size(names), i;
	struct ifk_buf b = {0};

	ifk_buf_printf(&b, "%.200s: holds %zu %s%s, not one; give one of them: ", path, n,
	               bags == n ? "bags"
	               : bags    ? "bags and backups"
	                         : "backups",
	               bags ? "" : " (one folder per device)");
	for (i = 0; i < n && i < NAMES_SHOWN; i++)
		ifk_buf_printf(&b, "%s%.40s", i ? ", " : "",
		               json_string_value(json_array_get(names, i)));
	if (n > NAMES_SHOWN)
		ifk_buf_printf(&b, " and %zu more", n - NAMES_SHOWN);
	ifk_error_set(err, IFK_EFORMAT, "%s", b.data ? b.data : "a folder of backups");
	ifk_buf_free(&b);
	return IFK_EFORMAT;
}

int ifk_collection_refuse(int fd, const char *path, unsigned what, const char *not_one,
                          struct ifk_error *err)
{
	json_t *names = NULL;
	size_t bags = 0;
	int rc = ifk_collection_list(fd, what, &names, &bags, err);

	if (!rc && json_array_size(names))
		rc = named(path, names, bags, err);
	else if (!rc)
		rc = ifk_error_set(err, IFK_EFORMAT, "%s: %s", path, not_one);
	json_decref(names);
	return rc;
}
