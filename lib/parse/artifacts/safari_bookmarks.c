/* safari_bookmarks: Safari's bookmarks and reading list, Bookmarks.db.
 *
 * The bookmarks table is a tree: type 1 rows are folders, type 0 rows are
 * bookmarks (and reading-list items), parent the containing folder's id
 * (the root, id 0, has none). One row per bookmark; its folders become a
 * path ("BookmarksBar/News"). Reading-list items hang under the folder
 * "com.apple.ReadingList" and have read set (0 unread, 1 read).
 * last_modified is Unix seconds, unlike the Cocoa dates of History.db. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"

#define BM_DOMAIN "HomeDomain"
#define BM_PATH "Library/Safari/Bookmarks.db"
#define MAX_DEPTH 64
#define READING_LIST "com.apple.ReadingList"

static const struct ifk_art_source sources[] = {
    {BM_DOMAIN, BM_PATH},
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

static const char *const opt_cols[] = {"read",          "hidden",        "deleted", "order_index",
                                       "external_uuid", "last_modified", NULL};
enum { Q_ID, Q_PARENT, Q_TITLE, Q_URL, Q_READ, Q_HIDDEN, Q_DELETED, Q_ORDER, Q_UUID, Q_MOD };

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

static void folders_free(struct folders *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i].title);
	free(f->v);
}

static int folder_add(struct folders *f, sqlite3_stmt *st)
{
	const char *t = (const char *)sqlite3_column_text(st, 2);
	struct folder *fo;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct folder *v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			return IFK_ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	fo = &f->v[f->n];
	fo->id = sqlite3_column_int64(st, 0);
	fo->has_parent = sqlite3_column_type(st, 1) != SQLITE_NULL;
	fo->parent = sqlite3_column_int64(st, 1);
	fo->title = strdup(t ? t : "");
	if (!fo->title)
		return IFK_ENOMEM;
	f->n++;
	return 0;
}

/* Every folder, by id (ids are the INTEGER PRIMARY KEY: unique). */
static int load_folders(sqlite3 *db, struct ifk_src *s, struct folders *f, struct ifk_error *err)
{
	static const char sql[] = "SELECT id, parent, title FROM bookmarks WHERE type = 1"
	                          " ORDER BY id";
	sqlite3_stmt *st = NULL;
	int rc = 0, step = SQLITE_DONE;

	if ((step = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return ifk_art_sql_error(s, db, step, sql, "bookmarks", err);
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = folder_add(f, st);
	if (rc)
		rc = ifk_error_set(err, rc, "out of memory");
	else if (step != SQLITE_DONE)
		rc = ifk_art_sql_error(s, db, step, sql, "bookmarks", err);
	sqlite3_finalize(st);
	return rc;
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

/* Unix seconds, 0 meaning none; text is no date. */
static void set_unix_time(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);
	double v = sqlite3_column_double(st, i);

	if ((t == SQLITE_INTEGER || t == SQLITE_FLOAT) && v != 0)
		ifk_row_time(a, col, v);
}

static void set_bookmark(struct ifk_art *a, sqlite3_stmt *st, const struct folders *f)
{
	const char *title = (const char *)sqlite3_column_text(st, Q_TITLE);
	const char *url = (const char *)sqlite3_column_text(st, Q_URL);
	char path[2048], summary[1024];
	int rl;

	path[0] = '\0';
	if (sqlite3_column_type(st, Q_PARENT) != SQLITE_NULL)
		folder_path(f, sqlite3_column_int64(st, Q_PARENT), path, sizeof(path));
	rl = sqlite3_column_type(st, Q_READ) != SQLITE_NULL ||
	     strncmp(path, READING_LIST, strlen(READING_LIST)) == 0;
	ifk_row_col_text(a, "title", st, Q_TITLE);
	ifk_row_col_text(a, "url", st, Q_URL);
	ifk_row_text(a, "folder", path[0] ? path : NULL);
	ifk_row_col_int(a, "folder_id", st, Q_PARENT);
	ifk_row_bool(a, "reading_list", rl);
	ifk_row_col_int(a, "read", st, Q_READ);
	ifk_row_col_int(a, "hidden", st, Q_HIDDEN);
	ifk_row_col_int(a, "deleted", st, Q_DELETED);
	ifk_row_col_int(a, "order_index", st, Q_ORDER);
	ifk_row_col_text(a, "external_uuid", st, Q_UUID);
	set_unix_time(a, "last_modified", st, Q_MOD);
	snprintf(summary, sizeof(summary), "%s %.300s %.600s", rl ? "Reading list" : "Bookmark",
	         title ? title : "", url ? url : "");
	ifk_row_event(a, "last_modified", "modified", summary);
}

static int prepare_rows(sqlite3 *db, struct ifk_src *s, sqlite3_stmt **st, struct ifk_error *err)
{
	char sql[512];
	size_t used = (size_t)snprintf(sql, sizeof(sql), "SELECT id, parent, title, url");
	int i;

	for (i = 0; opt_cols[i]; i++)
		used += (size_t)snprintf(
		    sql + used, sizeof(sql) - used, ", %s",
		    ifk_db_has_column(db, "bookmarks", opt_cols[i]) ? opt_cols[i] : "NULL");
	snprintf(sql + used, sizeof(sql) - used,
	         " FROM bookmarks WHERE coalesce(type, 0) <> 1 ORDER BY id");
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : ifk_art_sql_error(s, db, rc, sql, "bookmarks", err);
}

static int rows(struct ifk_art *a, struct ifk_src *s, sqlite3 *db, const struct folders *f,
                struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	rc = prepare_rows(db, s, &st, err);
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		set_bookmark(a, st, f);
		rc = ifk_row_emit(a, s, "bookmarks", sqlite3_column_int64(st, Q_ID), err);
	}
	if (!rc && step != SQLITE_DONE)
		rc = ifk_art_sql_error(s, db, step, sqlite3_sql(st), "bookmarks", err);
	sqlite3_finalize(st);
	return rc;
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct folders f = {0};
	struct ifk_src *s;
	sqlite3 *db;
	int rc;

	rc = ifk_art_sqlite(a, BM_DOMAIN, BM_PATH, &s, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, s, db, "bookmarks", "id,parent,type,title,url", err);
	if (!rc)
		rc = load_folders(db, s, &f, err);
	if (!rc)
		rc = rows(a, s, db, &f, err);
	folders_free(&f);
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_safari_bookmarks = {
    .name = "safari_bookmarks",
    .title = "Safari bookmarks and reading list",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
