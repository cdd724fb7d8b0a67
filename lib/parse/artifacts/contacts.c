/* contacts: the address book, HomeDomain Library/AddressBook/AddressBook.sqlitedb.
 *
 * One row per ABPerson. Phone numbers, e-mail addresses, postal addresses
 * and URLs are ABMultiValue rows of the person (property 3, 4, 5, 22);
 * each has a label, a rowid into ABMultiValueLabel whose built-in values
 * are wrapped as "_$!<Mobile>!$_". A postal address keeps its parts in
 * ABMultiValueEntry (key: a rowid into ABMultiValueEntryKey). Dates are
 * Cocoa seconds; Birthday is TEXT holding Cocoa seconds (or, in some
 * files, a written date, kept as it is). The -wal beside the database is
 * applied by the engine: recent contacts often live only there. */
#include "artifact.h"

#define CELL_MAX (1u << 20) /* bytes of one joined multi-value column */

enum { P_PHONE = 3, P_EMAIL = 4, P_ADDRESS = 5, P_URL = 22 };

static const struct ifk_art_source sources[] = {
    {"HomeDomain", "Library/AddressBook/AddressBook.sqlitedb"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"name", IFK_COL_TEXT}, /* "First Middle Last", else organization, else nickname */
    {"first_name", IFK_COL_TEXT},
    {"middle_name", IFK_COL_TEXT},
    {"last_name", IFK_COL_TEXT},
    {"nickname", IFK_COL_TEXT},
    {"organization", IFK_COL_TEXT},
    {"department", IFK_COL_TEXT},
    {"job_title", IFK_COL_TEXT},
    {"birthday", IFK_COL_TEXT}, /* ISO time from Cocoa seconds, else the text stored */
    {"note", IFK_COL_TEXT},
    {"phones", IFK_COL_TEXT}, /* "Mobile: +1 555 0100; Work: ..." */
    {"emails", IFK_COL_TEXT},
    {"addresses", IFK_COL_TEXT}, /* "Home: street, city, state, ZIP, country" */
    {"urls", IFK_COL_TEXT},
    {"created", IFK_COL_TIME},
    {"modified", IFK_COL_TIME},
    {NULL, 0},
};

/* A growing text, capped at CELL_MAX bytes; what does not fit is cut and
 * CUT_MARK says so. */
#define CUT_MARK " [truncated]"

struct cell {
	char *p;
	size_t len, cap;
	int full;
};

static int cell_add(struct cell *c, const char *s, size_t n)
{
	size_t room, need;
	int cut;

	if (c->full)
		return 0;
	room = CELL_MAX - sizeof(CUT_MARK) - c->len; /* len stays below this until cut */
	cut = n > room;
	n = cut ? room : n;
	need = c->len + n + sizeof(CUT_MARK);
	if (need > c->cap) {
		size_t cap = c->cap ? c->cap : 64;
		char *p;
		while (cap < need)
			cap *= 2;
		if (!(p = realloc(c->p, cap)))
			return IFK_ENOMEM;
		c->p = p;
		c->cap = cap;
	}
	memcpy(c->p + c->len, s, n);
	c->len += n;
	if (cut) {
		memcpy(c->p + c->len, CUT_MARK, sizeof(CUT_MARK) - 1);
		c->len += sizeof(CUT_MARK) - 1;
		c->full = 1;
	}
	c->p[c->len] = '\0';
	return 0;
}

static int cell_str(struct cell *c, const char *s)
{
	return cell_add(c, s, strlen(s));
}

/* "_$!<Mobile>!$_" -> "Mobile"; other labels as they are. */
static int add_label(struct cell *c, const char *label)
{
	size_t n = strlen(label);

	if (n >= 8 && memcmp(label, "_$!<", 4) == 0 && memcmp(label + n - 4, ">!$_", 4) == 0)
		return cell_add(c, label + 4, n - 8);
	return cell_add(c, label, n);
}

struct mv_ctx {
	sqlite3_stmt *mv, *entries; /* entries NULL without ABMultiValueEntry */
	struct cell cells[4];       /* phones, emails, addresses, urls */
	struct cell addr;           /* one address being put together */
};

static int cell_index(int property)
{
	switch (property) {
	case P_PHONE:
		return 0;
	case P_EMAIL:
		return 1;
	case P_ADDRESS:
		return 2;
	case P_URL:
		return 3;
	default:
		return -1;
	}
}

/* An address's parts, street first, joined with ", " into m->addr; the
 * multi-value's own value when it has no parts. */
static int address(struct mv_ctx *m, sqlite3_int64 uid, const char *value, const char **out)
{
	int rc = 0, step = SQLITE_DONE;

	m->addr.len = 0;
	m->addr.full = 0;
	if (m->entries) {
		sqlite3_reset(m->entries);
		sqlite3_bind_int64(m->entries, 1, uid);
		while (!rc && (step = sqlite3_step(m->entries)) == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(m->entries, 0);
			if (v && *v && m->addr.len)
				rc = cell_str(&m->addr, ", ");
			if (!rc && v && *v)
				rc = cell_str(&m->addr, v);
		}
		if (!rc && step != SQLITE_DONE)
			return IFK_EFORMAT;
	}
	*out = m->addr.len ? m->addr.p : value;
	return rc;
}

/* One multi-value row into its cell: "label: value", "; " between. */
static int add_value(struct mv_ctx *m)
{
	sqlite3_stmt *st = m->mv;
	int i = cell_index(sqlite3_column_int(st, 0)), rc = 0;
	const char *label = (const char *)sqlite3_column_text(st, 1);
	const char *value = (const char *)sqlite3_column_text(st, 2);
	struct cell *c;

	if (i < 0)
		return 0;
	if (i == 2 && (rc = address(m, sqlite3_column_int64(st, 3), value, &value)))
		return rc;
	if (!value || !*value)
		return 0;
	c = &m->cells[i];
	if (c->len)
		rc = cell_str(c, "; ");
	if (!rc && label && *label && !(rc = add_label(c, label)))
		rc = cell_str(c, ": ");
	return rc ? rc : cell_str(c, value);
}

static void cells_reset(struct mv_ctx *m)
{
	int i;

	for (i = 0; i < 4; i++) {
		m->cells[i].len = 0;
		m->cells[i].full = 0;
		if (m->cells[i].p)
			m->cells[i].p[0] = '\0';
	}
}

/* Fills phones, emails, addresses and urls of one person. */
static int multi_values(struct ifk_art *a, struct mv_ctx *m, sqlite3_int64 person)
{
	static const char *const names[] = {"phones", "emails", "addresses", "urls"};
	int rc = 0, i, step = SQLITE_DONE;

	cells_reset(m);
	sqlite3_reset(m->mv);
	sqlite3_bind_int64(m->mv, 1, person);
	while (!rc && (step = sqlite3_step(m->mv)) == SQLITE_ROW)
		rc = add_value(m);
	if (rc)
		return rc;
	if (step != SQLITE_DONE)
		return IFK_EFORMAT;
	for (i = 0; i < 4; i++)
		ifk_row_text(a, names[i], m->cells[i].len ? m->cells[i].p : NULL);
	return 0;
}

/* Birthday: Cocoa seconds as text become an ISO time; other text stays. */
static void birthday(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	char *end = NULL, iso[32];
	double d;

	if (!v || !*v)
		return;
	d = strtod(v, &end);
	if (end && end != v && *end == '\0' && isfinite(d) &&
	    ifk_time_format(d + IFK_COCOA_EPOCH, iso) == 0)
		ifk_row_text(a, col, iso);
	else
		ifk_row_text(a, col, v);
}

/* "First Middle Last", else the organization, else the nickname. */
static void set_name(struct ifk_art *a, sqlite3_stmt *st, char *out, size_t cap)
{
	static const int parts[] = {0, 2, 1};
	const char *v;
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < 3; i++) {
		v = (const char *)sqlite3_column_text(st, parts[i]);
		if (v && *v && used < cap)
			used +=
			    (size_t)snprintf(out + used, cap - used, "%s%s", used ? " " : "", v);
	}
	for (i = 4; !out[0] && i >= 3; i--) {
		v = (const char *)sqlite3_column_text(st, i);
		if (v && *v)
			snprintf(out, cap, "%s", v);
	}
	ifk_row_text(a, "name", out[0] ? out : NULL);
}

enum { Q_ROWID = 11 };

static const struct ifk_art_field fields[] = {
    {"first_name", ifk_row_col_text, "First", NULL},
    {"last_name", ifk_row_col_text, "Last", NULL},
    {"middle_name", ifk_row_col_text, "Middle", NULL},
    {"nickname", ifk_row_col_text, "Nickname", NULL},
    {"organization", ifk_row_col_text, "Organization", NULL},
    {"department", ifk_row_col_text, "Department", NULL},
    {"job_title", ifk_row_col_text, "JobTitle", NULL},
    {"note", ifk_row_col_text, "Note", NULL},
    {"birthday", birthday, "Birthday", NULL},
    {"created", ifk_row_col_cocoa, "CreationDate", NULL},
    {"modified", ifk_row_col_cocoa, "ModificationDate", NULL},
    [Q_ROWID] = {NULL, NULL, "ROWID", ""},
    {NULL, NULL, NULL, NULL},
};

static int prepare(struct ifk_art_row *r, const char *sql, sqlite3_stmt **st, struct ifk_error *err)
{
	int rc = sqlite3_prepare_v2(r->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : ifk_art_sql_error(r->src, r->db, rc, sql, "ABPerson", err);
}

/* The multi-value queries (the postal address parts only where the file
 * has ABMultiValueEntry). */
static int open_values(struct ifk_art_row *r, struct ifk_error *err)
{
	int labels = ifk_db_has_column(r->db, "ABMultiValue", "label") &&
	             ifk_db_has_column(r->db, "ABMultiValueLabel", "value");
	struct mv_ctx *m = calloc(1, sizeof(*m));
	char sql[512];
	int rc;

	if (!(r->ctx = m))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	snprintf(sql, sizeof(sql),
	         "SELECT mv.property, %s, mv.value, mv.rowid FROM ABMultiValue mv%s"
	         " WHERE mv.record_id = ? AND mv.property IN (3, 4, 5, 22) ORDER BY mv.rowid",
	         labels ? "l.value" : "NULL",
	         labels ? " LEFT JOIN ABMultiValueLabel l ON l.rowid = mv.label" : "");
	rc = prepare(r, sql, &m->mv, err);
	if (rc || !ifk_db_has_column(r->db, "ABMultiValueEntry", "parent_id") ||
	    !ifk_db_has_column(r->db, "ABMultiValueEntry", "value") ||
	    !ifk_db_has_column(r->db, "ABMultiValueEntryKey", "value"))
		return rc;
	return prepare(r,
	               "SELECT e.value FROM ABMultiValueEntry e LEFT JOIN ABMultiValueEntryKey k"
	               " ON k.rowid = e.key WHERE e.parent_id = ? ORDER BY CASE lower(k.value)"
	               " WHEN 'street' THEN 1 WHEN 'sublocality' THEN 2 WHEN 'city' THEN 3"
	               " WHEN 'subadministrativearea' THEN 4 WHEN 'state' THEN 5 WHEN 'zip'"
	               " THEN 6 WHEN 'country' THEN 7 ELSE 8 END, e.key",
	               &m->entries, err);
}

static void close_values(struct ifk_art_row *r)
{
	struct mv_ctx *m = r->ctx;
	int i;

	if (!m)
		return;
	sqlite3_finalize(m->mv);
	sqlite3_finalize(m->entries);
	for (i = 0; i < 4; i++)
		free(m->cells[i].p);
	free(m->addr.p);
	free(m);
}

/* The name (also the summaries' subject) and the multi-values. */
static int person(struct ifk_art_row *r, struct ifk_error *err)
{
	char name[512];
	int rc;

	set_name(r->a, r->st, name, sizeof(name));
	snprintf(r->subject, sizeof(r->subject), "%s", name);
	rc = multi_values(r->a, r->ctx, sqlite3_column_int64(r->st, Q_ROWID));
	if (rc == IFK_ENOMEM)
		return ifk_error_set(err, rc, "out of memory");
	if (rc)
		return ifk_art_sql_error(r->src, r->db, sqlite3_extended_errcode(r->db), NULL,
		                         "ABMultiValue", err);
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "ABPerson",
     .require = "ABPerson:First,Last ABMultiValue:record_id,property,value",
     .fields = fields,
     .rowid = Q_ROWID,
     .open = open_values,
     .row = person,
     .close = close_values},
    {0},
};

static const struct ifk_art_event events[] = {
    {"created", "created", NULL, "Contact ", NULL, 0},
    {"modified", "modified", NULL, "Contact ", NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {
    .read = {.tables = tables}, .events = events, .no_subject = "(no name)"};

IFK_ARTIFACT(contacts, "Contacts (address book)", "1", sources, cols, desc);
