/* safari_bookmarks: Safari's bookmarks and reading list, Bookmarks.db.
 *
 * The bookmarks table is a tree: type 1 rows are folders, type 0 rows are
 * bookmarks (and reading-list items), parent the containing folder's id
 * (the root, id 0, has none). One row per bookmark; its folders become a
 * path ("BookmarksBar/News"). Reading-list items hang under the folder
 * "com.apple.ReadingList" and have read set (0 unread, 1 read).
 * last_modified is Unix seconds, unlike the Cocoa dates of History.db. */
#include "artifact.h"

#define MAX_DEPTH 64
#define READING_LIST "com.apple.ReadingList"

static const struct ifk_art_source sources[] = {
    {"HomeDomain", "Library/Safari/Bookmarks.db"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"title", IFK_COL_TEXT},
    {"url", IFK_COL_TEXT},
    {"folder", IFK_COL_TEXT},       /* folder path below the root, "/" between */
    {"folder_id", IFK_COL_INT},     /* bookmarks.parent */
    {"reading_list", IFK_COL_BOOL}, /* an item of the reading list */
    {"read", IFK_COL_BOOL},         /* reading list: read (NULL for bookmarks) */
    {"hidden", IFK_COL_BOOL},
    {"deleted", IFK_COL_BOOL},       /* marked deleted, not yet synced away */
    {"order_index", IFK_COL_INT},    /* position in its folder */
    {"external_uuid", IFK_COL_TEXT}, /* sync identifier */
    {"last_modified", IFK_COL_TIME}, /* reading list: when added or refreshed */
    {NULL, 0},
};

struct folder {
	sqlite3_int64 id, parent;
	int has_parent;
	char *title;
};

struct folders {
	struct folder *v;
	size_t n, cap;
};

static int folder_cmp(const void *k, const void *e)
{
	sqlite3_int64 id = *(const sqlite3_int64 *)k, other = ((const struct folder *)e)->id;

	return id < other ? -1 : id > other;
}

static const struct folder *folder_find(const struct folders *f, sqlite3_int64 id)
{
	return f->n ? bsearch(&id, f->v, f->n, sizeof(*f->v), folder_cmp) : NULL;
}

static int folder_add(struct ifk_art_row *r, struct ifk_error *err)
{
	const char *t = (const char *)sqlite3_column_text(r->st, 2);
	struct folders *f = r->ctx;
	struct folder *fo;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct folder *v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			return ifk_error_set(err, IFK_ENOMEM, "out of memory");
		f->v = v;
		f->cap = cap;
	}
	fo = &f->v[f->n];
	fo->id = sqlite3_column_int64(r->st, 0);
	fo->has_parent = sqlite3_column_type(r->st, 1) != SQLITE_NULL;
	fo->parent = sqlite3_column_int64(r->st, 1);
	fo->title = strdup(t ? t : "");
	if (!fo->title)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	f->n++;
	return 0;
}

/* Every folder, by id (ids are the INTEGER PRIMARY KEY: unique). */
static int load_folders(struct ifk_art_row *r, struct ifk_error *err)
{
	if (!(r->ctx = calloc(1, sizeof(struct folders))))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	return ifk_art_query(r,
	                     "SELECT id, parent, title FROM bookmarks WHERE type = 1 ORDER BY id",
	                     "bookmarks", folder_add, err);
}

static void free_folders(struct ifk_art_row *r)
{
	struct folders *f = r->ctx;
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		free(f->v[i].title);
	free(f->v);
	free(f);
}

/* The folder path of parent: the titles from below the root down to it.
 * A cycle or a chain deeper than MAX_DEPTH is cut, marked "...". */
static void folder_path(const struct folders *f, sqlite3_int64 parent, char *out, size_t cap)
{
	const struct folder *chain[MAX_DEPTH], *fo = folder_find(f, parent);
	size_t used = 0;
	int n = 0, cut = 0;

	out[0] = '\0';
	while (fo && fo->has_parent) { /* the root has no parent and no place in paths */
		if (n == MAX_DEPTH) {
			cut = 1;
			break;
		}
		chain[n++] = fo;
		fo = folder_find(f, fo->parent);
	}
	if (cut)
		used = (size_t)snprintf(out, cap, "...");
	while (n-- > 0 && used < cap)
		used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "/" : "",
		                         chain[n]->title);
}

enum { Q_ID, Q_PARENT, Q_TITLE, Q_URL, Q_READ };

static const struct ifk_art_field fields[] = {
    [Q_ID] = {NULL, NULL, "id", NULL},
    [Q_PARENT] = {"folder_id", ifk_row_col_int, "parent", NULL},
    [Q_TITLE] = {"title", ifk_row_col_text, "title", NULL},
    [Q_URL] = {"url", ifk_row_col_text, "url", NULL},
    [Q_READ] = {"read", ifk_row_col_bool, "read", NULL},
    {"hidden", ifk_row_col_bool, "hidden", NULL},
    {"deleted", ifk_row_col_bool, "deleted", NULL},
    {"order_index", ifk_row_col_int, "order_index", NULL},
    {"external_uuid", ifk_row_col_text, "external_uuid", NULL},
    {"last_modified", ifk_row_col_unix, "last_modified", NULL},
    {NULL, NULL, NULL, NULL},
};

/* The folder path, whether the row is of the reading list, the summary. */
static int bookmark(struct ifk_art_row *r, struct ifk_error *err)
{
	const char *title = (const char *)sqlite3_column_text(r->st, Q_TITLE);
	const char *url = (const char *)sqlite3_column_text(r->st, Q_URL);
	char path[2048];
	int rl;

	path[0] = '\0';
	if (sqlite3_column_type(r->st, Q_PARENT) != SQLITE_NULL)
		folder_path(r->ctx, sqlite3_column_int64(r->st, Q_PARENT), path, sizeof(path));
	rl = sqlite3_column_type(r->st, Q_READ) != SQLITE_NULL ||
	     strncmp(path, READING_LIST, strlen(READING_LIST)) == 0;
	ifk_row_text(r->a, "folder", path[0] ? path : NULL);
	ifk_row_bool(r->a, "reading_list", rl);
	snprintf(r->line, sizeof(r->line), "%s %.300s %.600s", rl ? "Reading list" : "Bookmark",
	         title ? title : "", url ? url : "");
	return 0;
}

/* bookmarks, not folders */
static const struct ifk_art_join from[] = {
    {NULL, NULL, NULL, " WHERE coalesce(type, 0) <> 1"},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_table tables[] = {
    {.table = "bookmarks",
     .require = "bookmarks:id,parent,type,title,url",
     .fields = fields,
     .from = from,
     .open = load_folders,
     .row = bookmark,
     .close = free_folders},
    {0},
};

static const struct ifk_art_event events[] = {
    {"last_modified", "modified", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(safari_bookmarks, "Safari bookmarks and reading list", "1", sources, cols, desc);
