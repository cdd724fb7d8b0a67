/* The served backup folder as an upload list: every regular file except
 * Info.plist (the host writes that one), data files first, then the index
 * (Manifest.db or Manifest.mbdb), Manifest.plist, and Status.plist last;
 * and every folder, parents first, for CreateDirectory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devsim.h"

#define MAX_DEPTH 32

static int rank(const char *rel)
{
	if (strcmp(rel, "Manifest.db") == 0 || strcmp(rel, "Manifest.mbdb") == 0)
		return 1;
	if (strcmp(rel, "Manifest.plist") == 0)
		return 2;
	if (strcmp(rel, "Status.plist") == 0)
		return 3;
	return 0;
}

static int cmp_files(const void *a, const void *b)
{
	const struct up_file *x = a, *y = b;
	int rx = rank(x->rel), ry = rank(y->rel);

	if (rx != ry)
		return rx - ry;
	return strcmp(x->rel, y->rel);
}

static int cmp_dirs(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_file(struct up_list *l, const char *rel, uint64_t size)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->files = realloc(l->files, l->cap * sizeof(*l->files));
		if (!l->files)
			abort();
	}
	l->files[l->n].rel = sim_strdup(rel);
	l->files[l->n].size = size;
	l->n++;
	l->total += size;
}

static void add_dir(struct up_list *l, const char *rel)
{
	if (l->ndirs == l->dcap) {
		l->dcap = l->dcap ? l->dcap * 2 : 64;
		l->dirs = realloc(l->dirs, l->dcap * sizeof(*l->dirs));
		if (!l->dirs)
			abort();
	}
	l->dirs[l->ndirs++] = sim_strdup(rel);
}

static int walk(struct sim *s, struct up_list *l, const char *root, const char *rel, int depth);

static int walk_entry(struct sim *s, struct up_list *l, const char *root, const char *rel,
                      int depth)
{
	char path[8192];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lstat(path, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		add_dir(l, rel);
		return walk(s, l, root, rel, depth + 1);
	}
	if (!S_ISREG(st.st_mode)) {
		sim_log(s, "backup: %s is not a regular file, not sent", rel);
		return 0;
	}
	if (strcmp(rel, "Info.plist") != 0)
		add_file(l, rel, (uint64_t)st.st_size);
	return 0;
}

static int walk(struct sim *s, struct up_list *l, const char *root, const char *rel, int depth)
{
	char path[8192], child[4096];
	struct dirent *e;
	DIR *dir;
	int rc = 0;

	if (depth > MAX_DEPTH)
		return -1;
	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	dir = opendir(path);
	if (!dir)
		return -1;
	while (rc == 0 && (e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "",
		                     e->d_name) >= sizeof(child))
			rc = -1;
		else
			rc = walk_entry(s, l, root, child, depth);
	}
	closedir(dir);
	return rc;
}

int upload_scan(struct sim *s, struct up_list *l)
{
	memset(l, 0, sizeof(*l));
	if (walk(s, l, s->o.backup_dir, "", 0) < 0) {
		sim_log(s, "backup: cannot read %s: %s", s->o.backup_dir, strerror(errno));
		upload_free(l);
		return -1;
	}
	if (l->n)
		qsort(l->files, l->n, sizeof(*l->files), cmp_files);
	if (l->ndirs)
		qsort(l->dirs, l->ndirs, sizeof(*l->dirs), cmp_dirs);
	return 0;
}

void upload_free(struct up_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->files[i].rel);
	for (i = 0; i < l->ndirs; i++)
		free(l->dirs[i]);
	free(l->files);
	free(l->dirs);
	memset(l, 0, sizeof(*l));
}
