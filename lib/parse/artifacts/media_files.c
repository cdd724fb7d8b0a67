/* media_files: every file of the camera roll (CameraRollDomain Media/DCIM/),
 * as the backup's index lists it. The files are not copied: a row names a
 * file by its path and SHA-256. Each row's provenance is the file itself
 * (its domain, relativePath and plaintext SHA-256), source_table "file",
 * rowid the file's 1-based position in relativePath order. */
#include <ctype.h>
#include <strings.h>

#include "artifact.h"

#define DOMAIN "CameraRollDomain"
#define PREFIX "Media/DCIM/"

static const char *const photo_ext[] = {"jpg", "jpeg", "heic", "heif", "png",  "gif",
                                        "tif", "tiff", "dng",  "bmp",  "webp", NULL};
static const char *const video_ext[] = {"mov", "mp4", "m4v", "3gp", "avi", "hevc", NULL};

static int in_list(const char *ext, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(ext, *list) == 0)
			return 1;
	return 0;
}

/* The extension in lowercase (at most 15 characters), or "" when none. */
static void extension(const char *name, char out[16])
{
	const char *dot = strrchr(name, '.');
	size_t i;

	out[0] = '\0';
	if (!dot || dot == name || strlen(dot + 1) >= 16)
		return;
	for (i = 0; dot[1 + i]; i++)
		out[i] = (char)tolower((unsigned char)dot[1 + i]);
	out[i] = '\0';
}

static void names(struct ifk_art *a, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? slash + 1 : rel;
	char ext[16], *dir;

	ifk_row_text(a, "file_path", rel);
	ifk_row_text(a, "file_name", name);
	dir = slash ? strndup(rel, (size_t)(slash - rel)) : NULL;
	ifk_row_text(a, "directory", dir);
	free(dir);
	extension(name, ext);
	if (ext[0])
		ifk_row_text(a, "extension", ext);
	if (ext[0] && in_list(ext, photo_ext))
		ifk_row_text(a, "media_type", "photo");
	else if (ext[0] && in_list(ext, video_ext))
		ifk_row_text(a, "media_type", "video");
	else
		ifk_row_text(a, "media_type", "other");
}

/* One file of the camera roll. */
static int media_file(struct ifk_art_row *r, const struct ifk_art_file *f, struct ifk_error *err)
{
	struct ifk_art *a = r->a;

	if (!f->relative_path)
		return 1;
	names(a, f->relative_path);
	ifk_row_text(a, "file_domain", f->domain);
	ifk_row_text(a, "file_id", f->file_id);
	if (f->size <= INT64_MAX)
		ifk_row_int(a, "size", (int64_t)f->size);
	ifk_row_text(a, "sha256", f->sha256);
	ifk_row_text(a, "state", f->state);
	if (f->protection_class)
		ifk_row_int(a, "protection_class", f->protection_class);
	ifk_row_time(a, "modified", f->mtime ? (double)f->mtime : NAN);
	ifk_row_time(a, "created", f->birth ? (double)f->birth : NAN);
	snprintf(r->subject, sizeof(r->subject), "%s", f->relative_path);
	return 0;
}

static const struct ifk_art_source sources[] = {
    {DOMAIN, PREFIX},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"file_domain", IFK_COL_TEXT},
    {"file_path", IFK_COL_TEXT},
    {"directory", IFK_COL_TEXT},
    {"file_name", IFK_COL_TEXT},
    {"extension", IFK_COL_TEXT},
    {"media_type", IFK_COL_TEXT},
    {"size", IFK_COL_INT},
    {"sha256", IFK_COL_TEXT},
    {"state", IFK_COL_TEXT},
    {"file_id", IFK_COL_TEXT},
    {"protection_class", IFK_COL_INT},
    {"modified", IFK_COL_TIME},
    {"created", IFK_COL_TIME},
    {NULL, 0},
};

static const struct ifk_art_event events[] = {
    {"created", "file created", NULL, "camera roll file ", NULL, 250},
    {"modified", "file modified", NULL, "camera roll file ", NULL, 250},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.file = media_file}, .events = events};

IFK_ARTIFACT(media_files, "Camera roll files", "1", sources, cols, desc);
