/* notes: Apple Notes (iOS 9 and later), NoteStore.sqlite in the Notes app
 * group.
 *
 * Core Data keeps notes, folders and accounts in one table,
 * ZICCLOUDSYNCINGOBJECT; Z_PRIMARYKEY names the entities (ICNote,
 * ICFolder, ICAccount) and their numbers change between versions, as do
 * the numbered column names (a note's title ZTITLE1, its creation date
 * ZCREATIONDATE3 or ZCREATIONDATE1, its account ZACCOUNT7, ZACCOUNT4,
 * ZACCOUNT3 or ZACCOUNT2): the columns present are used. A note is a row
 * of the ICNote entity or any row with ZNOTEDATA. Its body is
 * ZICNOTEDATA.ZDATA: gzip, inside it a protobuf whose field 2 (document)
 * -> field 3 (note) -> field 2 (note text) is the text. Password-protected
 * notes are encrypted and not decoded. Dates are Cocoa seconds. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "artifact.h"

#define NOTES_DOMAIN "AppDomainGroup-group.com.apple.notes"
#define NOTES_PATH "NoteStore.sqlite"
#define BODY_MAX (16u << 20) /* inflated bytes of one note body */
#define OBJ "ZICCLOUDSYNCINGOBJECT"

static const struct ifk_art_source sources[] = {
    {NOTES_DOMAIN, NOTES_PATH},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"title", IFK_COL_TEXT},
    {"body", IFK_COL_TEXT},        /* the note's text (U+FFFC marks an attachment) */
    {"body_status", IFK_COL_TEXT}, /* ok, none, encrypted, undecodable, too-large */
    {"snippet", IFK_COL_TEXT},     /* Notes' own preview of the body */
    {"folder", IFK_COL_TEXT},
    {"account", IFK_COL_TEXT},
    {"created", IFK_COL_TIME},
    {"modified", IFK_COL_TIME},
    {"identifier", IFK_COL_TEXT}, /* the note's UUID */
    {"pinned", IFK_COL_BOOL},
    {"deleted", IFK_COL_BOOL}, /* marked for deletion (Recently Deleted) */
    {"locked", IFK_COL_BOOL},  /* password protected */
    {"password_hint", IFK_COL_TEXT},
    {NULL, 0},
};

enum {
	Q_PK,
	Q_TITLE,
	Q_SNIPPET,
	Q_CREATED,
	Q_MODIFIED,
	Q_FOLDER,
	Q_ACCOUNT,
	Q_IDENT,
	Q_PINNED,
	Q_DELETED,
	Q_LOCKED,
	Q_HINT,
	Q_DATA,
};

/* ---- the body: gzip, then protobuf ---- */

enum { B_OK, B_NONE, B_ENCRYPTED, B_UNDECODABLE, B_TOO_LARGE, B_NOMEM };
static const char *const body_status[] = {"ok", "none", "encrypted", "undecodable", "too-large"};

/* Inflates gzip or zlib data into *out (caller frees), at most BODY_MAX. */
static int inflate_body(const uint8_t *in, size_t n, uint8_t **out, size_t *len)
{
	z_stream z = {0};
	size_t cap = 0, used = 0;
	uint8_t *buf = NULL, *p;
	int zr, rc = B_UNDECODABLE;

	if (inflateInit2(&z, 15 + 32) != Z_OK) /* 32: gzip or zlib header */
		return B_NOMEM;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	for (;;) {
		if (used == cap) {
			if (cap == BODY_MAX) {
				rc = B_TOO_LARGE;
				break;
			}
			cap = cap ? (cap * 2 > BODY_MAX ? BODY_MAX : cap * 2) : 65536;
			if (!(p = realloc(buf, cap))) {
				rc = B_NOMEM;
				break;
			}
			buf = p;
		}
		z.next_out = buf + used;
		z.avail_out = (uInt)(cap - used);
		zr = inflate(&z, Z_NO_FLUSH);
		used = cap - z.avail_out;
		if (zr == Z_STREAM_END) {
			rc = B_OK;
			break;
		}
		if (zr != Z_OK) /* corrupt, truncated (Z_BUF_ERROR), or needs a dictionary */
			break;
	}
	inflateEnd(&z);
	if (rc == B_OK) {
		*out = buf;
		*len = used;
	} else {
		free(buf);
	}
	return rc;
}

static int pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	int shift;

	*v = 0;
	for (shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* The first length-delimited field number `field` of a message: 0 and its
 * bytes, 1 when absent, -1 when the message is malformed. */
static int pb_field(const uint8_t *p, size_t n, uint64_t field, const uint8_t **out,
                    size_t *out_len)
{
	const uint8_t *end = p + n;
	uint64_t key, v;

	while (p < end) {
		if (pb_varint(&p, end, &key) != 0)
			return -1;
		switch (key & 7) {
		case 0:
			if (pb_varint(&p, end, &v) != 0)
				return -1;
			break;
		case 1:
		case 5:
			if ((size_t)(end - p) < ((key & 7) == 1 ? 8u : 4u))
				return -1;
			p += (key & 7) == 1 ? 8 : 4;
			break;
		case 2:
			if (pb_varint(&p, end, &v) != 0 || v > (uint64_t)(end - p))
				return -1;
			if (key >> 3 == field) {
				*out = p;
				*out_len = (size_t)v;
				return 0;
			}
			p += v;
			break;
		default: /* groups (3, 4) are not used by Notes; 6, 7 are invalid */
			return -1;
		}
	}
	return 1;
}

/* The note text: document (2) -> note (3) -> note_text (2). */
static int note_text(const uint8_t *buf, size_t len, const uint8_t **text, size_t *text_len)
{
	static const uint64_t path[] = {2, 3, 2};
	const uint8_t *p = buf;
	size_t n = len;
	int i;

	for (i = 0; i < 3; i++)
		if (pb_field(p, n, path[i], &p, &n) != 0)
			return B_UNDECODABLE;
	*text = p;
	*text_len = n;
	return B_OK;
}

/* Sets body (when decoded) and returns the status. */
static int set_body(struct ifk_art *a, sqlite3_stmt *st, int locked)
{
	const uint8_t *blob = sqlite3_column_blob(st, Q_DATA), *t;
	size_t n = (size_t)sqlite3_column_bytes(st, Q_DATA), tn, i;
	uint8_t *plain = NULL;
	char *text;
	int rc;

	if (!blob || n == 0)
		return B_NONE;
	if (locked)
		return B_ENCRYPTED;
	rc = inflate_body(blob, n, &plain, &n);
	if (rc == B_OK)
		rc = note_text(plain, n, &t, &tn);
	if (rc == B_OK && (text = malloc(tn + 1))) {
		for (i = 0; i < tn; i++)
			text[i] = t[i] ? (char)t[i] : ' ';
		text[tn] = '\0';
		ifk_row_text(a, "body", text);
		free(text);
	} else if (rc == B_OK) {
		rc = B_NOMEM;
	}
	free(plain);
	return rc;
}

/* ---- the query ---- */

struct sql {
	char s[6144];
	size_t n;
};

/* Appends the strings up to NULL. */
static void cat(struct sql *q, ...)
{
	const char *piece;
	va_list ap;

	va_start(ap, q);
	while ((piece = va_arg(ap, const char *)) != NULL)
		if (q->n < sizeof(q->s))
			q->n += (size_t)snprintf(q->s + q->n, sizeof(q->s) - q->n, "%s", piece);
	va_end(ap);
}

/* COALESCE of the columns of names present, as alias.col, or NULL. */
static void cat_coalesce(struct sql *q, sqlite3 *db, const char *alias, const char *const *names)
{
	cat(q, ", COALESCE(", NULL);
	for (; *names; names++)
		if (ifk_db_has_column(db, OBJ, *names))
			cat(q, alias, ".", *names, ", ", NULL);
	cat(q, "NULL)", NULL);
}

static void cat_opt(struct sql *q, sqlite3 *db, const char *col)
{
	if (ifk_db_has_column(db, OBJ, col))
		cat(q, ", n.", col, NULL);
	else
		cat(q, ", NULL", NULL);
}

/* The account: the first account row a note's ZACCOUNT<n> points to, else
 * the owner of its folder. */
static void cat_account(struct sql *q, sqlite3 *db, const char *ent)
{
	static const char *const acc[] = {"ZACCOUNT7", "ZACCOUNT6", "ZACCOUNT5",
	                                  "ZACCOUNT4", "ZACCOUNT3", "ZACCOUNT2",
	                                  "ZACCOUNT1", "ZACCOUNT",  NULL};
	const char *const *c;

	if (!ifk_db_has_column(db, OBJ, "ZNAME")) {
		cat(q, ", NULL", NULL);
		return;
	}
	cat(q, ", COALESCE(", NULL);
	for (c = acc; *c; c++)
		if (ifk_db_has_column(db, OBJ, *c))
			cat(q, "(SELECT x.ZNAME FROM " OBJ " x WHERE x.Z_PK = n.", *c, ent, "), ",
			    NULL);
	if (ifk_db_has_column(db, OBJ, "ZFOLDER") && ifk_db_has_column(db, OBJ, "ZOWNER"))
		cat(q, "(SELECT x.ZNAME FROM " OBJ " x WHERE x.Z_PK = f.ZOWNER", ent, "), ", NULL);
	cat(q, "NULL)", NULL);
}

static int has_entities(sqlite3 *db)
{
	return ifk_db_has_column(db, "Z_PRIMARYKEY", "Z_ENT") &&
	       ifk_db_has_column(db, "Z_PRIMARYKEY", "Z_NAME") &&
	       ifk_db_has_column(db, OBJ, "Z_ENT");
}

static int build_sql(sqlite3 *db, struct sql *q)
{
	static const char *const title[] = {"ZTITLE1", "ZTITLE", NULL};
	static const char *const created[] = {"ZCREATIONDATE3", "ZCREATIONDATE1", "ZCREATIONDATE",
	                                      NULL};
	static const char *const modified[] = {"ZMODIFICATIONDATE1", "ZMODIFICATIONDATE", NULL};
	static const char *const ftitle[] = {"ZTITLE2", "ZTITLE", NULL};
	int ents = has_entities(db), folders = ifk_db_has_column(db, OBJ, "ZFOLDER");

	cat(q, "SELECT n.Z_PK", NULL);
	cat_coalesce(q, db, "n", title);
	cat_opt(q, db, "ZSNIPPET");
	cat_coalesce(q, db, "n", created);
	cat_coalesce(q, db, "n", modified);
	if (folders)
		cat_coalesce(q, db, "f", ftitle);
	else
		cat(q, ", NULL", NULL);
	cat_account(q, db,
	            ents ? " AND x.Z_ENT IN (SELECT Z_ENT FROM Z_PRIMARYKEY WHERE"
	                   " Z_NAME = 'ICAccount')"
	                 : "");
	cat_opt(q, db, "ZIDENTIFIER");
	cat_opt(q, db, "ZISPINNED");
	cat_opt(q, db, "ZMARKEDFORDELETION");
	cat_opt(q, db, "ZISPASSWORDPROTECTED");
	cat_opt(q, db, "ZPASSWORDHINT");
	cat(q, ", d.ZDATA FROM " OBJ " n LEFT JOIN ZICNOTEDATA d ON d.Z_PK = n.ZNOTEDATA", NULL);
	if (folders)
		cat(q, " LEFT JOIN " OBJ " f ON f.Z_PK = n.ZFOLDER", NULL);
	cat(q, " WHERE n.ZNOTEDATA IS NOT NULL",
	    ents ? " OR n.Z_ENT IN (SELECT Z_ENT FROM Z_PRIMARYKEY WHERE Z_NAME = 'ICNote')" : "",
	    " ORDER BY n.Z_PK", NULL);
	return q->n < sizeof(q->s) ? 0 : -1;
}

/* ---- rows ---- */

static int set_note(struct ifk_art *a, sqlite3_stmt *st)
{
	const char *title = (const char *)sqlite3_column_text(st, Q_TITLE);
	int locked = sqlite3_column_int(st, Q_LOCKED) != 0, b;
	char summary[512];

	ifk_row_col_text(a, "title", st, Q_TITLE);
	ifk_row_col_text(a, "snippet", st, Q_SNIPPET);
	ifk_row_col_text(a, "folder", st, Q_FOLDER);
	ifk_row_col_text(a, "account", st, Q_ACCOUNT);
	ifk_row_col_cocoa(a, "created", st, Q_CREATED);
	ifk_row_col_cocoa(a, "modified", st, Q_MODIFIED);
	ifk_row_col_text(a, "identifier", st, Q_IDENT);
	ifk_row_col_int(a, "pinned", st, Q_PINNED);
	ifk_row_col_int(a, "deleted", st, Q_DELETED);
	ifk_row_col_int(a, "locked", st, Q_LOCKED);
	ifk_row_col_text(a, "password_hint", st, Q_HINT);
	b = set_body(a, st, locked);
	if (b == B_NOMEM)
		return IFK_ENOMEM;
	ifk_row_text(a, "body_status", body_status[b]);
	snprintf(summary, sizeof(summary), "Note %.400s", title && *title ? title : "(no title)");
	ifk_row_event(a, "created", "created", summary);
	ifk_row_event(a, "modified", "modified", summary);
	return 0;
}

static int rows(struct ifk_art *a, struct ifk_src *s, sqlite3 *db, sqlite3_stmt *st,
                struct ifk_error *err)
{
	int rc, step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (set_note(a, st) != 0)
			return ifk_error_set(err, IFK_ENOMEM, "out of memory");
		rc = ifk_row_emit(a, s, OBJ, sqlite3_column_int64(st, Q_PK), err);
		if (rc)
			return rc;
	}
	if (step != SQLITE_DONE)
		return ifk_art_sql_error(s, db, step, sqlite3_sql(st), OBJ, err);
	return 0;
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	struct sql *q = NULL;
	struct ifk_src *s;
	sqlite3 *db;
	int rc;

	rc = ifk_art_sqlite(a, NOTES_DOMAIN, NOTES_PATH, &s, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, s, db, OBJ, "Z_PK,ZNOTEDATA", err);
	if (!rc)
		rc = ifk_art_require(a, s, db, "ZICNOTEDATA", "Z_PK,ZDATA", err);
	if (rc)
		goto out;
	if (!(q = calloc(1, sizeof(*q)))) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	if (build_sql(db, q) != 0) {
		rc = ifk_error_set(err, IFK_EINVAL, "%s: internal: query too long",
		                   ifk_src_relative_path(s));
		goto out;
	}
	if ((rc = sqlite3_prepare_v2(db, q->s, -1, &st, NULL)) != SQLITE_OK) {
		rc = ifk_art_sql_error(s, db, rc, q->s, OBJ, err);
		goto out;
	}
	rc = rows(a, s, db, st, err);
out:
	free(q);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_notes = {
    .name = "notes",
    .title = "Notes",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
