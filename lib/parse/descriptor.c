/* An artifact run from its description (artifact.h, struct ifk_art_desc):
 * its sources read in order, an SQLite source through the hardened opener
 * with the schema variant the file has and a query built from the fields
 * and joins its schema allows, a plist or a folder through its hook; each
 * row mapped, given its events, and emitted. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

#define MAX_PIECES 16 /* joins and clauses of one query */
#define NAME_MAX_LEN 128

/* ---- needs ---- */

/* Where a condition or a field is read: the file, the table, the pieces of
 * its query kept so far, and the join being decided (or NULL). */
struct scope {
	sqlite3 *db;
	const struct ifk_art_table *t;
	const char *in;
	const struct ifk_art_join *self;
};

static int pieces_count(const struct ifk_art_table *t)
{
	int k = 0;

	while (t->from && (t->from[k].alias || t->from[k].sql))
		k++;
	return k;
}

/* The join of alias that is in the query, else its first, or NULL. */
static const struct ifk_art_join *join_of(const struct scope *s, const char *alias)
{
	const struct ifk_art_join *first = NULL, *j;
	int k;

	for (k = 0; k < pieces_count(s->t); k++) {
		j = &s->t->from[k];
		if (!j->alias || strcmp(alias, j->alias) != 0)
			continue;
		if (s->in[k])
			return j;
		first = first ? first : j;
	}
	return first;
}

/* 1 when the join of alias is in the query. */
static int joined(const struct scope *s, const char *alias)
{
	const struct ifk_art_join *j = join_of(s, alias);

	return j && s->in[j - s->t->from];
}

/* The table a name stands for: an alias of the main table, of the join
 * being decided or of another join (NULL: a subquery), else a table. */
static const char *resolve(const struct scope *s, const char *name)
{
	const struct ifk_art_join *j;

	if (s->t->alias && strcmp(name, s->t->alias) == 0)
		return s->t->table;
	if (s->self && s->self->alias && strcmp(name, s->self->alias) == 0)
		return s->self->table;
	j = join_of(s, name);
	return j ? j->table : name;
}

static int one_need(const struct scope *s, const char *tok)
{
	char name[NAME_MAX_LEN];
	const char *dot = strchr(tok, '.'), *table;

	if (tok[0] == '!')
		return !one_need(s, tok + 1);
	if (tok[0] == '@')
		return joined(s, tok + 1);
	snprintf(name, sizeof(name), "%.*s", dot ? (int)(dot - tok) : (int)strlen(tok), tok);
	if (!(table = resolve(s, name)))
		return 0;
	return dot ? ifk_db_has_column(s->db, table, dot + 1) : ifk_db_has_table(s->db, table);
}

/* 1 when every name of needs holds (NULL and "" always do). */
static int holds(const struct scope *s, const char *needs)
{
	char tok[NAME_MAX_LEN * 2];
	size_t n;

	while (needs && *needs) {
		n = strcspn(needs, " ");
		if (n) {
			snprintf(tok, sizeof(tok), "%.*s", (int)n, needs);
			if (!one_need(s, tok))
				return 0;
		}
		needs += n + (needs[n] == ' ');
	}
	return 1;
}

/* 1 when s is an SQL identifier of n bytes. */
static int ident(const char *s, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

/* 1 when table has one of the columns "a|b|c". */
static int holds_any(sqlite3 *db, const char *table, const char *alts)
{
	char col[NAME_MAX_LEN];
	size_t n;

	for (; *alts; alts += n + (alts[n] == '|')) {
		n = strcspn(alts, "|");
		snprintf(col, sizeof(col), "%.*s", (int)n, alts);
		if (n && ifk_db_has_column(db, table, col))
			return 1;
	}
	return 0;
}

/* Whether field f's expression goes into the query (else NULL does). */
static int field_in(const struct scope *s, const struct ifk_art_field *f)
{
	const char *dot = strchr(f->expr, '.'), *col = dot ? dot + 1 : f->expr, *table;
	char alias[NAME_MAX_LEN];

	if (f->needs)
		return holds(s, f->needs);
	if (!dot)
		return !ident(col, strlen(col)) || ifk_db_has_column(s->db, s->t->table, col);
	if (!ident(f->expr, (size_t)(dot - f->expr)) || !ident(col, strlen(col)))
		return 1; /* an expression: always */
	snprintf(alias, sizeof(alias), "%.*s", (int)(dot - f->expr), f->expr);
	if (!(s->t->alias && strcmp(alias, s->t->alias) == 0) && join_of(s, alias) &&
	    !joined(s, alias))
		return 0;
	table = resolve(s, alias);
	return !table || ifk_db_has_column(s->db, table, col); /* NULL: of a subquery */
}

/* ---- the query ---- */

/* Decides which joins and clauses are in (s->in); the join hook writes
 * those without SQL into hooked[k]. */
static int choose_pieces(struct scope *s, char *in, struct ifk_buf *hooked)
{
	const struct ifk_art_table *t = s->t;
	const struct ifk_art_join *j;
	int k, rc;

	for (k = 0; k < pieces_count(t); k++) {
		j = s->self = &t->from[k];
		if ((j->alias && joined(s, j->alias)) || !holds(s, j->needs))
			continue;
		if (j->sql) {
			in[k] = 1;
			continue;
		}
		if (!t->join || (rc = t->join(s->db, j->alias, &hooked[k])) < 0)
			return t->join ? rc : IFK_EINVAL;
		in[k] = rc == 1;
	}
	s->self = NULL;
	return 0;
}

static int select_fields(const struct scope *s, struct ifk_buf *q)
{
	const struct ifk_art_field *f;
	int i, bad = 0;

	bad |= ifk_buf_printf(q, "SELECT ");
	for (i = 0, f = s->t->fields; f->col || f->expr; i++, f++) {
		if (i)
			bad |= ifk_buf_printf(q, ", ");
		if (!f->expr)
			bad |= s->t->expr ? s->t->expr(s->db, i, q) : IFK_EINVAL;
		else
			bad |= ifk_buf_printf(q, "%s", field_in(s, f) ? f->expr : "NULL");
	}
	return bad;
}

/* The SELECT of t as the file's schema allows, in q. */
static int build(struct ifk_art_row *r, const struct ifk_art_table *t, struct ifk_buf *q,
                 struct ifk_error *err)
{
	struct ifk_buf hooked[MAX_PIECES];
	char in[MAX_PIECES];
	struct scope s = {r->db, t, in, NULL};
	int k, n = pieces_count(t), rc;

	if (n > MAX_PIECES || !t->fields[t->rowid].expr)
		return ifk_error_set(err, IFK_EINVAL, "%s: internal: %s", t->table,
		                     n > MAX_PIECES ? "too many joins" : "no rowid field");
	memset(hooked, 0, sizeof(hooked));
	memset(in, 0, sizeof(in));
	rc = choose_pieces(&s, in, hooked);
	if (!rc && select_fields(&s, q) != 0)
		rc = IFK_ENOMEM;
	if (!rc && ifk_buf_printf(q, " FROM %s%s%s", t->table, t->alias ? " " : "",
	                          t->alias ? t->alias : "") != 0)
		rc = IFK_ENOMEM;
	for (k = 0; !rc && k < n; k++)
		if (in[k] &&
		    ifk_buf_printf(q, "%s", t->from[k].sql ? t->from[k].sql : hooked[k].data) != 0)
			rc = IFK_ENOMEM;
	if (!rc && ifk_buf_printf(q, " ORDER BY %s", t->fields[t->rowid].expr) != 0)
		rc = IFK_ENOMEM;
	for (k = 0; k < n; k++)
		ifk_buf_free(&hooked[k]);
	if (rc)
		return ifk_error_set(err, rc, "%s: %s", ifk_src_relative_path(r->src),
		                     rc == IFK_ENOMEM ? "out of memory" : "internal: no hook");
	return 0;
}

/* ---- rows ---- */

/* The subject the description names: its field's query text. */
static void take_subject(struct ifk_art_row *r)
{
	const struct ifk_art_field *f;
	const unsigned char *v;
	int i;

	r->subject[0] = '\0';
	for (i = 0, f = r->t->fields; r->d->subject && (f->col || f->expr); i++, f++)
		if (f->col && strcmp(f->col, r->d->subject) == 0) {
			v = sqlite3_column_text(r->st, i);
			snprintf(r->subject, sizeof(r->subject), "%s", v ? (const char *)v : "");
			return;
		}
}

static int one_row(struct ifk_art_row *r, struct ifk_error *err)
{
	const struct ifk_art_table *t = r->t;
	const struct ifk_art_field *f;
	int i, rc;

	take_subject(r);
	if (t->row && (rc = t->row(r, err)) != 0)
		return rc == 1 ? 0 : rc;
	for (i = 0, f = t->fields; f->col || f->expr; i++, f++)
		if (f->col && f->conv)
			f->conv(r->a, f->col, r->st, i);
	return ifk_art_emit(r, t->table, sqlite3_column_int64(r->st, t->rowid), err);
}

static void add_events(struct ifk_art_row *r)
{
	const struct ifk_art_event *e;
	const char *name;
	char line[2048];

	if (!r->subject[0] && r->d->no_subject)
		snprintf(r->subject, sizeof(r->subject), "%s", r->d->no_subject);
	for (e = r->d->events; e && e->time_col; e++) {
		name = e->name_col ? p_row_text_value(r->a, e->name_col) : NULL;
		if (e->before || e->after)
			snprintf(line, sizeof(line), "%s%.*s%s", e->before ? e->before : "",
			         e->max > 0 ? e->max : INT_MAX, r->subject,
			         e->after ? e->after : "");
		ifk_row_event(r->a, e->time_col, name ? name : e->event,
		              e->before || e->after ? line : r->line);
	}
}

int ifk_art_emit(struct ifk_art_row *r, const char *table, int64_t rowid, struct ifk_error *err)
{
	int rc;

	add_events(r);
	rc = ifk_row_emit(r->a, r->src, table, rowid, err);
	r->subject[0] = r->line[0] = '\0';
	return rc;
}

int ifk_art_emit_file(struct ifk_art_row *r, const struct ifk_art_file *f, int64_t rowid,
                      struct ifk_error *err)
{
	int rc;

	add_events(r);
	rc = ifk_row_emit_file(r->a, f, rowid, err);
	r->subject[0] = r->line[0] = '\0';
	return rc;
}

struct hit {
	struct ifk_art *a;
	const char *pfx;
	int found;
};

static void set_pfx(struct hit *h, const char *what, const char *v)
{
	char col[NAME_MAX_LEN];

	snprintf(col, sizeof(col), "%s_%s", h->pfx, what);
	ifk_row_text(h->a, col, v);
}

static int file_found(void *ctx, const struct ifk_art_file *f)
{
	struct hit *h = ctx;
	char col[NAME_MAX_LEN];

	h->found = 1;
	set_pfx(h, "sha256", f->sha256);
	set_pfx(h, "state", f->state);
	snprintf(col, sizeof(col), "%s_size", h->pfx);
	if (f->size <= INT64_MAX)
		ifk_row_int(h->a, col, (int64_t)f->size);
	return 0;
}

int ifk_art_lookup(struct ifk_art *a, const char *domain, const char *path, const char *pfx,
                   struct ifk_error *err)
{
	struct hit h = {a, pfx, 0};
	struct ifk_error e = {0};
	char col[NAME_MAX_LEN];
	int rc;

	set_pfx(&h, "path", path);
	rc = ifk_art_file_info(a, domain, path, file_found, &h, &e);
	snprintf(col, sizeof(col), "%s_present", pfx);
	ifk_row_bool(a, col, h.found);
	if (rc != IFK_EINTR)
		return 0;
	if (err)
		*err = e;
	return rc;
}

/* ---- SQLite tables ---- */

/* The columns of one requirement "c1,a|b" to check: alternatives of
 * which the table has one are left out, else the first is checked. */
static void required(sqlite3 *db, const char *table, char *cols, char *out, size_t cap)
{
	char *tok, *save = NULL, *bar;
	size_t used = 0;

	out[0] = '\0';
	for (tok = strtok_r(cols, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if ((bar = strchr(tok, '|'))) {
			if (holds_any(db, table, tok))
				continue;
			*bar = '\0';
		}
		if (used < cap)
			used +=
			    (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "", tok);
	}
}

/* t's requirements, "T:c1,c2 U:c3", one ifk_art_require check each. */
static int require(struct ifk_art_row *r, const struct ifk_art_table *t, struct ifk_error *err)
{
	static const char no_joins[MAX_PIECES];
	const struct scope s = {r->db, t, no_joins, NULL};
	char group[512], cols[512], *colon;
	const char *p = t->require, *table;
	size_t n;
	int rc = 0;

	while (!rc && p && *p) {
		n = strcspn(p, " ");
		snprintf(group, sizeof(group), "%.*s", (int)n, p);
		p += n + (p[n] == ' ');
		if (!n)
			continue;
		if (!(colon = strchr(group, ':')))
			return ifk_error_set(err, IFK_EINVAL, "internal: requirement %s", group);
		*colon = '\0';
		if (!(table = resolve(&s, group)))
			return ifk_error_set(err, IFK_EINVAL, "internal: requirement on %s", group);
		required(r->db, table, colon + 1, cols, sizeof(cols));
		rc = ifk_art_require(r->a, r->src, r->db, table, cols, err);
	}
	return rc;
}

static int read_rows(struct ifk_art_row *r, const struct ifk_art_table *t, struct ifk_error *err)
{
	struct ifk_buf q = {0};
	int rc = build(r, t, &q, err);

	if (rc)
		return rc;
	r->t = t;
	r->ctx = NULL;
	if (!t->open || (rc = t->open(r, err)) == 0)
		rc = ifk_art_query(r, q.data, t->table, one_row, err);
	if (t->close)
		t->close(r);
	r->ctx = NULL;
	ifk_buf_free(&q);
	return rc;
}

/* unsupported-schema naming every variant's table. */
static int no_variant(struct ifk_art_row *r, const struct ifk_art_table *t, int n,
                      struct ifk_error *err)
{
	struct ifk_buf m = {0};
	int i, bad = 0, rc;

	for (i = 0; i < n; i++)
		bad |= ifk_buf_printf(&m, "%s%s%s%s%s", i ? " or " : "", t[i].table,
		                      t[i].label ? " (" : "", t[i].label ? t[i].label : "",
		                      t[i].label ? ")" : "");
	rc = bad ? ifk_error_set(err, IFK_ENOMEM, "out of memory")
	         : ifk_error_set(err, IFK_EUNSUPPORTED, "%s: has no table %s",
	                         ifk_src_relative_path(r->src), m.data);
	ifk_buf_free(&m);
	return rc;
}

/* The first variant the file has (of several: else unsupported-schema),
 * then the tables read `also`. */
static int read_tables(struct ifk_art_row *r, const struct ifk_art_table *t, struct ifk_error *err)
{
	const struct ifk_art_table *pick = NULL, *v;
	int n = 0, rc;

	for (v = t; v->table && !v->also; v++, n++)
		if (!pick && ifk_db_has_table(r->db, v->table))
			pick = v;
	if (!pick && n > 1)
		return no_variant(r, t, n, err);
	pick = pick ? pick : t;
	rc = require(r, pick, err);
	if (!rc)
		rc = read_rows(r, pick, err);
	for (v = t + n; !rc && v->table; v++)
		if (v->also && ifk_db_has_table(r->db, v->table) && require(r, v, NULL) == 0)
			rc = read_rows(r, v, err);
	return rc;
}

/* ---- sources ---- */

static int read_sqlite(struct ifk_art_row *r, const struct ifk_art_source *s,
                       const struct ifk_art_table *t, struct ifk_error *err)
{
	int rc = ifk_art_sqlite(r->a, s->domain, s->path, &r->src, &r->db, err);

	if (rc)
		return rc;
	rc = read_tables(r, t, err);
	sqlite3_close(r->db);
	r->db = NULL;
	return rc;
}

static int read_plist(struct ifk_art_row *r, const struct ifk_art_source *s,
                      const struct ifk_art_read *rd, struct ifk_error *err)
{
	plist_t root = NULL;
	int rc = ifk_art_plist(r->a, s->domain, s->path, &r->src, &root, err);

	if (rc)
		return rc;
	rc = rd->plist(r, root, err);
	plist_free(root);
	return rc;
}

struct walk {
	struct ifk_art_row *r;
	const struct ifk_art_read *rd;
	struct ifk_error *err;
	int64_t n;
};

static int count_one(void *ctx, const struct ifk_art_file *f)
{
	(*(int64_t *)ctx)++;
	return 1; /* one is enough */
}

static int each_file(void *ctx, const struct ifk_art_file *f)
{
	struct walk *w = ctx;
	int rc = w->rd->file(w->r, f, w->err);

	if (rc)
		return rc == 1 ? 0 : rc;
	return ifk_art_emit_file(w->r, f, ++w->n, w->err);
}

static int read_folder(struct ifk_art_row *r, const struct ifk_art_source *s,
                       const struct ifk_art_read *rd, struct ifk_error *err)
{
	struct walk w = {r, rd, err, 0};
	int64_t any = 0;
	int rc = ifk_art_foreach_file(r->a, s->domain, s->path, count_one, &any, err);

	if (rc < 0)
		return rc;
	if (!any)
		return ifk_error_set(err, IFK_ENOTFOUND, "%s/%s: no files", s->domain, s->path);
	return ifk_art_foreach_file(r->a, s->domain, s->path, each_file, &w, err);
}

static int read_source(struct ifk_art_row *r, const struct ifk_art_read *rd, int source,
                       struct ifk_error *err)
{
	const struct ifk_art_source *s = &r->a->art->sources[source];

	if (rd->tables)
		return read_sqlite(r, s, rd->tables, err);
	if (rd->plist)
		return read_plist(r, s, rd, err);
	return read_folder(r, s, rd, err);
}

int ifk_art_read(struct ifk_art_row *r, const struct ifk_art_read *rd, struct ifk_error *err)
{
	int rc = read_source(r, rd, rd->source, err);

	if (rc == IFK_ENOTFOUND && rd->fallback)
		rc = read_source(r, rd, rd->fallback, err);
	return rc;
}

static int reads_count(const struct ifk_art_desc *d)
{
	int n = 0;

	if (!d->reads)
		return 1; /* d->read */
	while (d->reads[n].tables || d->reads[n].plist || d->reads[n].file)
		n++;
	return n;
}

/* Every read in order: the first failure ends the run; absent when every
 * source is. */
static int read_all(struct ifk_art_row *r, struct ifk_error *err)
{
	const struct ifk_art_read *rd = r->d->reads ? r->d->reads : &r->d->read;
	struct ifk_error first = {0};
	int i, n = reads_count(r->d), rc, found = 0, absent = 0;

	for (i = 0; i < n; i++) {
		rc = ifk_art_read(r, &rd[i], err);
		if (rc != IFK_ENOTFOUND) {
			if (rc)
				return rc;
			found = 1;
		} else if (!absent++ && err) {
			first = *err;
		}
	}
	if (found)
		return 0;
	if (r->d->absent)
		return ifk_error_set(err, IFK_ENOTFOUND, "%s", r->d->absent);
	if (err)
		*err = first;
	return IFK_ENOTFOUND;
}

int ifk_art_keep_error(int rc, int new_rc, struct ifk_error *err, const struct ifk_error *e)
{
	if (rc < 0 || new_rc >= 0)
		return rc;
	if (err && e && err != e)
		*err = *e;
	return new_rc;
}

int ifk_art_run(struct ifk_art *a, const struct ifk_art_desc *d, struct ifk_error *err)
{
	struct ifk_art_row r;

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.d = d;
	return d->run ? d->run(&r, err) : read_all(&r, err);
}
