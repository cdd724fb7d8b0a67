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
#include <zlib.h>

#include "artifact.h"

#define BODY_MAX (16u << 20) /* inflated bytes of one note body */
#define OBJ "ZICCLOUDSYNCINGOBJECT"

static const struct ifk_art_source sources[] = {
    {"AppDomainGroup-group.com.apple.notes", "NoteStore.sqlite"},
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

/* COALESCE(alias.name, ..., NULL) of the names the file has. */
static int coalesce(struct ifk_buf *q, sqlite3 *db, const char *alias, const char *const *names)
{
	int bad = ifk_buf_printf(q, "COALESCE(");

	for (; *names; names++)
		if (ifk_db_has_column(db, OBJ, *names))
			bad |= ifk_buf_printf(q, "%s.%s, ", alias, *names);
	return bad | ifk_buf_printf(q, "NULL)");
}

/* The account: the first account row a note's ZACCOUNT<n> points to, else
 * the owner of its folder. */
static int account(struct ifk_buf *q, sqlite3 *db, const char *ent)
{
	static const char *const acc[] = {"ZACCOUNT7", "ZACCOUNT6", "ZACCOUNT5",
	                                  "ZACCOUNT4", "ZACCOUNT3", "ZACCOUNT2",
	                                  "ZACCOUNT1", "ZACCOUNT",  NULL};
	const char *const *c;
	int bad;

	if (!ifk_db_has_column(db, OBJ, "ZNAME"))
		return ifk_buf_printf(q, "NULL");
	bad = ifk_buf_printf(q, "COALESCE(");
	for (c = acc; *c; c++)
		if (ifk_db_has_column(db, OBJ, *c))
			bad |= ifk_buf_printf(
			    q, "(SELECT x.ZNAME FROM " OBJ " x WHERE x.Z_PK = n.%s%s), ", *c, ent);
	if (ifk_db_has_column(db, OBJ, "ZFOLDER") && ifk_db_has_column(db, OBJ, "ZOWNER"))
		bad |= ifk_buf_printf(
		    q, "(SELECT x.ZNAME FROM " OBJ " x WHERE x.Z_PK = f.ZOWNER%s), ", ent);
	return bad | ifk_buf_printf(q, "NULL)");
}

#define ENTITIES "Z_PRIMARYKEY.Z_ENT Z_PRIMARYKEY.Z_NAME n.Z_ENT"

static int has_entities(sqlite3 *db)
{
	return ifk_db_has_column(db, "Z_PRIMARYKEY", "Z_ENT") &&
	       ifk_db_has_column(db, "Z_PRIMARYKEY", "Z_NAME") &&
	       ifk_db_has_column(db, OBJ, "Z_ENT");
}

/* The columns whose names change between versions. */
static int expr(sqlite3 *db, int i, struct ifk_buf *q)
{
	static const char *const title[] = {"ZTITLE1", "ZTITLE", NULL};
	static const char *const created[] = {"ZCREATIONDATE3", "ZCREATIONDATE1", "ZCREATIONDATE",
	                                      NULL};
	static const char *const modified[] = {"ZMODIFICATIONDATE1", "ZMODIFICATIONDATE", NULL};
	static const char *const ftitle[] = {"ZTITLE2", "ZTITLE", NULL};

	switch (i) {
	case Q_TITLE:
		return coalesce(q, db, "n", title);
	case Q_CREATED:
		return coalesce(q, db, "n", created);
	case Q_MODIFIED:
		return coalesce(q, db, "n", modified);
	case Q_FOLDER:
		if (!ifk_db_has_column(db, OBJ, "ZFOLDER"))
			return ifk_buf_printf(q, "NULL");
		return coalesce(q, db, "f", ftitle);
	default:
		return account(q, db,
		               has_entities(db) ? " AND x.Z_ENT IN (SELECT Z_ENT FROM Z_PRIMARYKEY"
		                                  " WHERE Z_NAME = 'ICAccount')"
		                                : "");
	}
}

static const struct ifk_art_field fields[] = {
    [Q_PK] = {NULL, NULL, "n.Z_PK", NULL},
    [Q_TITLE] = {"title", ifk_row_col_text, NULL, NULL},
    [Q_SNIPPET] = {"snippet", ifk_row_col_text, "n.ZSNIPPET", NULL},
    [Q_CREATED] = {"created", ifk_row_col_cocoa, NULL, NULL},
    [Q_MODIFIED] = {"modified", ifk_row_col_cocoa, NULL, NULL},
    [Q_FOLDER] = {"folder", ifk_row_col_text, NULL, NULL},
    [Q_ACCOUNT] = {"account", ifk_row_col_text, NULL, NULL},
    [Q_IDENT] = {"identifier", ifk_row_col_text, "n.ZIDENTIFIER", NULL},
    [Q_PINNED] = {"pinned", ifk_row_col_bool, "n.ZISPINNED", NULL},
    [Q_DELETED] = {"deleted", ifk_row_col_bool, "n.ZMARKEDFORDELETION", NULL},
    [Q_LOCKED] = {"locked", ifk_row_col_bool, "n.ZISPASSWORDPROTECTED", NULL},
    [Q_HINT] = {"password_hint", ifk_row_col_text, "n.ZPASSWORDHINT", NULL},
    [Q_DATA] = {NULL, NULL, "d.ZDATA", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"d", "ZICNOTEDATA", NULL, " LEFT JOIN ZICNOTEDATA d ON d.Z_PK = n.ZNOTEDATA"},
    {"f", OBJ, "n.ZFOLDER", " LEFT JOIN " OBJ " f ON f.Z_PK = n.ZFOLDER"},
    {NULL, NULL, NULL, " WHERE n.ZNOTEDATA IS NOT NULL"},
    {NULL, NULL, ENTITIES,
     " OR n.Z_ENT IN (SELECT Z_ENT FROM Z_PRIMARYKEY WHERE Z_NAME = 'ICNote')"},
    {NULL, NULL, NULL, NULL},
};

/* ---- rows ---- */

static int note(struct ifk_art_row *r, struct ifk_error *err)
{
	int b = set_body(r->a, r->st, sqlite3_column_int(r->st, Q_LOCKED) != 0);

	if (b == B_NOMEM)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	ifk_row_text(r->a, "body_status", body_status[b]);
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = OBJ,
     .alias = "n",
     .require = OBJ ":Z_PK,ZNOTEDATA ZICNOTEDATA:Z_PK,ZDATA",
     .fields = fields,
     .from = from,
     .expr = expr,
     .row = note},
    {0},
};

static const struct ifk_art_event events[] = {
    {"created", "created", NULL, "Note ", NULL, 400},
    {"modified", "modified", NULL, "Note ", NULL, 400},
    {0},
};

static const struct ifk_art_desc desc = {
    .read = {.tables = tables}, .events = events, .subject = "title", .no_subject = "(no title)"};

IFK_ARTIFACT(notes, "Notes", "1", sources, cols, desc);
