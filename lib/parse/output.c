/* The parse outputs: artifacts.sqlite (one table per artifact and the
 * timeline), <artifact>.jsonl, and timeline.csv sorted by time. Rows are
 * streamed: memory does not grow with their number. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "core.h"
#include "parse_int.h"

#define PROV_COLS 5
/* The output caps (CASE_FORMAT.md section 8): a cell holds at most
 * IFK_SQLITE_MAX_LENGTH bytes; an artifact writes at most OUT_BASE plus
 * OUT_PER_BYTE times the bytes of its source files (its values, JSON lines
 * and timeline rows counted together). On generated data of the real
 * layouts an artifact writes 4 (sms_messages) to 25 (data_usage: small
 * rows, each with its provenance) times its sources' bytes. */
#define OUT_BASE (256ULL << 20)
#define OUT_PER_BYTE 64

static const char *const prov_names[PROV_COLS] = {"domain", "relative_path", "source_sha256",
                                                  "source_table", "source_rowid"};

static int sql_err(struct ifk_parse_ctx *c, struct ifk_error *err, const char *what)
{
	return ifk_error_set(err, IFK_EIO, "%s/artifacts.sqlite: %s: %s", c->out_dir, what,
	                     sqlite3_errmsg(c->out));
}

int p_out_create(struct ifk_parse_ctx *c, struct ifk_error *err)
{
	static const char schema[] =
	    "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-16384;"
	    "BEGIN;"
	    "CREATE TABLE timeline(ts REAL NOT NULL, time TEXT NOT NULL, artifact TEXT NOT NULL,"
	    " event TEXT NOT NULL, summary TEXT, row_id INTEGER, domain TEXT, relative_path TEXT,"
	    " source_sha256 TEXT, source_table TEXT, source_rowid INTEGER);";
	char *path = NULL;
	int rc = 0;

	if (asprintf(&path, "%s/artifacts.sqlite", c->out_dir) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (sqlite3_open_v2(path, &c->out,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE,
	                    NULL) != SQLITE_OK ||
	    sqlite3_exec(c->out, schema, NULL, NULL, NULL) != SQLITE_OK)
		rc = ifk_error_set(err, IFK_EIO, "%s: cannot create: %s", path,
		                   c->out ? sqlite3_errmsg(c->out) : "out of memory");
	else if (chmod(path, 0600) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot make private", path);
	else if (sqlite3_prepare_v2(c->out, "INSERT INTO timeline VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	                            -1, &c->tl_ins, NULL) != SQLITE_OK)
		rc = sql_err(c, err, "timeline");
	free(path);
	return rc;
}

static const char *sql_type(enum ifk_col_type t)
{
	switch (t) {
	case IFK_COL_INT:
	case IFK_COL_BOOL:
		return "INTEGER";
	case IFK_COL_REAL:
		return "REAL";
	default:
		return "TEXT";
	}
}

static int create_table(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_buf ddl = {0}, ins = {0};
	size_t i;
	int rc = 0;

	ifk_buf_printf(&ddl, "CREATE TABLE \"%s\" (row_id INTEGER PRIMARY KEY", a->art->name);
	ifk_buf_printf(&ins, "INSERT INTO \"%s\" VALUES (NULL", a->art->name);
	for (i = 0; i < a->ncols; i++) {
		ifk_buf_printf(&ddl, ", \"%s\" %s", a->art->cols[i].name,
		               sql_type(a->art->cols[i].type));
		ifk_buf_printf(&ins, ", ?");
	}
	ifk_buf_printf(&ddl, ", domain TEXT, relative_path TEXT, source_sha256 TEXT,"
	                     " source_table TEXT, source_rowid INTEGER)");
	ifk_buf_printf(&ins, ", ?, ?, ?, ?, ?)");
	if (!ddl.data || !ins.data)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	else if (sqlite3_exec(a->c->out, ddl.data, NULL, NULL, NULL) != SQLITE_OK)
		rc = sql_err(a->c, err, a->art->name);
	else if (sqlite3_prepare_v2(a->c->out, ins.data, -1, &a->ins, NULL) != SQLITE_OK)
		rc = sql_err(a->c, err, a->art->name);
	ifk_buf_free(&ddl);
	ifk_buf_free(&ins);
	return rc;
}

int p_out_begin(struct ifk_art *a, struct ifk_error *err)
{
	char *path = NULL;
	int fd, rc;

	if (!(a->vals = calloc(a->ncols ? a->ncols : 1, sizeof(*a->vals))) ||
	    !(a->real = json_real(0)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = create_table(a, err);
	if (rc)
		return rc;
	if (asprintf(&path, "%s/%s.jsonl", a->c->out_dir, a->art->name) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(a->jsonl = fdopen(fd, "w"))) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", path);
		if (fd >= 0)
			close(fd);
	}
	free(path);
	return rc;
}

static void clear_row(struct ifk_art *a)
{
	size_t i;
	int k;

	for (i = 0; i < a->ncols; i++) {
		free(a->vals[i].s);
		memset(&a->vals[i], 0, sizeof(a->vals[i]));
	}
	for (k = 0; k < a->nev; k++) {
		free(a->ev[k].event);
		free(a->ev[k].summary);
	}
	a->nev = 0;
}

int p_out_end(struct ifk_art *a)
{
	int rc = 0;

	if (a->vals)
		clear_row(a);
	free(a->vals);
	a->vals = NULL;
	json_decref(a->real);
	a->real = NULL;
	sqlite3_finalize(a->ins);
	a->ins = NULL;
	/* a flush that fails at the end (a full disk) is not a complete file */
	if (a->jsonl && (ferror(a->jsonl) | fclose(a->jsonl)) != 0)
		rc = IFK_EIO;
	a->jsonl = NULL;
	return rc;
}

/* ---- setting values ---- */

static struct p_val *col(struct ifk_art *a, const char *name, enum ifk_col_type *type)
{
	size_t i;

	for (i = 0; i < a->ncols; i++)
		if (strcmp(a->art->cols[i].name, name) == 0) {
			*type = a->art->cols[i].type;
			free(a->vals[i].s);
			memset(&a->vals[i], 0, sizeof(a->vals[i]));
			return &a->vals[i];
		}
	snprintf(a->bad_col, sizeof(a->bad_col), "%s", name);
	return NULL;
}

/* Text as it goes out: valid UTF-8 as is, anything else escaped. */
static char *clean_text(const char *s, size_t n)
{
	char *copy;

	if (ifk_utf8_valid(s, n) && !memchr(s, '\0', n))
		return strndup(s, n);
	copy = malloc(n + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	if (memchr(s, '\0', n)) {
		size_t i;
		for (i = 0; i < n; i++)
			if (!copy[i])
				copy[i] = ' ';
	}
	s = copy;
	copy = ifk_utf8_valid(copy, n) ? strdup(copy) : ifk_text_escape(copy);
	free((char *)s);
	return copy;
}

static void set_text_n(struct ifk_art *a, const char *name, const char *v, size_t n)
{
	enum ifk_col_type t;
	struct p_val *p = col(a, name, &t);

	if (!p || !v)
		return;
	if (t == IFK_COL_TEXT || t == IFK_COL_TIME) {
		p->s = clean_text(v, n);
		p->set = p->s != NULL;
	}
}

void ifk_row_text(struct ifk_art *a, const char *c, const char *v)
{
	set_text_n(a, c, v, v ? strlen(v) : 0);
}

void ifk_row_int(struct ifk_art *a, const char *c, int64_t v)
{
	enum ifk_col_type t;
	struct p_val *p = col(a, c, &t);

	if (!p)
		return;
	p->set = 1;
	p->i = v;
	p->r = (double)v;
	if (t == IFK_COL_BOOL)
		p->i = v != 0;
	if (t == IFK_COL_TEXT && asprintf(&p->s, "%lld", (long long)v) < 0) {
		p->s = NULL;
		p->set = 0;
	}
}

void ifk_row_bool(struct ifk_art *a, const char *c, int v)
{
	ifk_row_int(a, c, v != 0);
}

void ifk_row_real(struct ifk_art *a, const char *c, double v)
{
	enum ifk_col_type t;
	struct p_val *p = col(a, c, &t);

	if (!p || !isfinite(v))
		return;
	p->set = 1;
	p->r = v;
	p->i = (int64_t)v;
}

void ifk_row_time(struct ifk_art *a, const char *c, double unix_seconds)
{
	enum ifk_col_type t;
	struct p_val *p = col(a, c, &t);
	char iso[32];

	if (!p || ifk_time_format(unix_seconds, iso) != 0)
		return;
	p->s = strdup(iso);
	p->r = unix_seconds;
	p->set = p->s != NULL;
}

void ifk_row_col_text(struct ifk_art *a, const char *c, sqlite3_stmt *st, int i)
{
	const char *v;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return;
	v = (const char *)sqlite3_column_text(st, i);
	set_text_n(a, c, v, v ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

void ifk_row_col_int(struct ifk_art *a, const char *c, sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);

	if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
		ifk_row_int(a, c, sqlite3_column_int64(st, i));
}

void ifk_row_col_real(struct ifk_art *a, const char *c, sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);

	if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
		ifk_row_real(a, c, sqlite3_column_double(st, i));
}

void ifk_row_col_cocoa(struct ifk_art *a, const char *c, sqlite3_stmt *st, int i)
{
	int t = sqlite3_column_type(st, i);

	if (t == SQLITE_INTEGER)
		ifk_row_time(a, c, ifk_cocoa_time((double)sqlite3_column_int64(st, i)));
	else if (t == SQLITE_FLOAT)
		ifk_row_time(a, c, ifk_cocoa_time(sqlite3_column_double(st, i)));
}

void ifk_row_event(struct ifk_art *a, const char *time_col, const char *event, const char *summary)
{
	size_t i;

	if (a->nev >= P_MAX_EVENTS)
		return;
	for (i = 0; i < a->ncols; i++)
		if (strcmp(a->art->cols[i].name, time_col) == 0)
			break;
	if (i == a->ncols) {
		snprintf(a->bad_col, sizeof(a->bad_col), "%s", time_col);
		return;
	}
	if (!a->vals[i].set || a->art->cols[i].type != IFK_COL_TIME)
		return;
	a->ev[a->nev].col = (int)i;
	a->ev[a->nev].event = strdup(event);
	a->ev[a->nev].summary = summary ? clean_text(summary, strlen(summary)) : NULL;
	if (a->ev[a->nev].event)
		a->nev++;
	else
		free(a->ev[a->nev].summary);
}

const char *p_row_text_value(const struct ifk_art *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->ncols; i++)
		if (strcmp(a->art->cols[i].name, name) == 0)
			return a->vals[i].set && a->art->cols[i].type == IFK_COL_TEXT ? a->vals[i].s
			                                                              : NULL;
	return NULL;
}

uint64_t ifk_art_rows(const struct ifk_art *a)
{
	return a->rows;
}

/* ---- emitting ---- */

static void bind_val(sqlite3_stmt *st, int i, enum ifk_col_type t, const struct p_val *v)
{
	if (!v->set)
		sqlite3_bind_null(st, i);
	else if (t == IFK_COL_TEXT || t == IFK_COL_TIME)
		sqlite3_bind_text(st, i, v->s, -1, SQLITE_STATIC);
	else if (t == IFK_COL_REAL)
		sqlite3_bind_double(st, i, v->r);
	else
		sqlite3_bind_int64(st, i, v->i);
}

/* ---- a row as one JSON line ----
 * Written as jansson's json_dumpf(JSON_COMPACT) writes the object
 * {"row_id", the columns..., the provenance} (the names are distinct: the
 * table has a column of each), without building it: nothing is allocated
 * per row. */

/* A string as jansson writes it: ", \ and control characters escaped,
 * everything else (valid UTF-8) as it is. */
static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;

	putc('"', f);
	for (; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		fwrite(run, 1, (size_t)(p - run), f);
		run = p + 1;
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			fprintf(f, "\\u%04X", *p);
		}
	}
	fwrite(run, 1, (size_t)(p - run), f);
	putc('"', f);
}

static void json_val(struct ifk_art *a, enum ifk_col_type t, const struct p_val *v)
{
	FILE *f = a->jsonl;
	char num[128];
	size_t n;

	if (!v->set) {
		fputs("null", f);
		return;
	}
	switch (t) {
	case IFK_COL_INT:
		fprintf(f, "%" JSON_INTEGER_FORMAT, (json_int_t)v->i);
		break;
	case IFK_COL_REAL: /* jansson's own formatting of a real */
		json_real_set(a->real, v->r);
		n = json_dumpb(a->real, num, sizeof(num), JSON_ENCODE_ANY | JSON_COMPACT);
		fwrite(num, 1, n < sizeof(num) ? n : 0, f);
		break;
	case IFK_COL_BOOL:
		fputs(v->i ? "true" : "false", f);
		break;
	default:
		json_str(f, v->s);
	}
}

static int write_json(struct ifk_art *a, const char *const prov[4], int64_t rowid, int64_t row_id,
                      struct ifk_error *err)
{
	FILE *f = a->jsonl;
	size_t i;

	fprintf(f, "{\"row_id\":%" JSON_INTEGER_FORMAT, (json_int_t)row_id);
	for (i = 0; i < a->ncols; i++) {
		putc(',', f);
		json_str(f, a->art->cols[i].name);
		putc(':', f);
		json_val(a, a->art->cols[i].type, &a->vals[i]);
	}
	for (i = 0; i < 4; i++) {
		fprintf(f, ",\"%s\":", prov_names[i]);
		if (prov[i])
			json_str(f, prov[i]);
		else
			fputs("null", f);
	}
	fprintf(f, ",\"%s\":%" JSON_INTEGER_FORMAT "}\n", prov_names[4], (json_int_t)rowid);
	if (ferror(f))
		return ifk_error_set(err, IFK_EIO, "%s/%s.jsonl: write failed", a->c->out_dir,
		                     a->art->name);
	return 0;
}

static int write_events(struct ifk_art *a, const char *const prov[4], int64_t rowid, int64_t row_id,
                        struct ifk_error *err)
{
	sqlite3_stmt *st = a->c->tl_ins;
	int k, i;

	for (k = 0; k < a->nev; k++) {
		const struct p_val *v = &a->vals[a->ev[k].col];
		sqlite3_reset(st);
		sqlite3_bind_double(st, 1, v->r);
		sqlite3_bind_text(st, 2, v->s, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, a->art->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, a->ev[k].event, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, a->ev[k].summary, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, row_id);
		for (i = 0; i < 4; i++)
			sqlite3_bind_text(st, 7 + i, prov[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 11, rowid);
		if (sqlite3_step(st) != SQLITE_DONE)
			return sql_err(a->c, err, "timeline");
	}
	return 0;
}

static int emit_clean(struct ifk_art *a, const char *const prov[4], int64_t rowid,
                      struct ifk_error *err);

/* Names from the backup's index may be anything: provenance goes out as
 * valid UTF-8, escaped like any other text. */
static int emit(struct ifk_art *a, const char *const raw[4], int64_t rowid, struct ifk_error *err)
{
	char *clean[4] = {NULL, NULL, NULL, NULL};
	const char *prov[4];
	int i, rc = 0;

	for (i = 0; i < 4; i++) {
		prov[i] = raw[i];
		if (raw[i] && !ifk_utf8_valid(raw[i], strlen(raw[i]))) {
			if (!(clean[i] = ifk_text_escape(raw[i])))
				rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
			prov[i] = clean[i];
		}
	}
	if (!rc)
		rc = emit_clean(a, prov, rowid, err);
	for (i = 0; i < 4; i++)
		free(clean[i]);
	return rc;
}

/* ---- the caps ---- */

static int cut(struct ifk_art *a, struct ifk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cut(struct ifk_art *a, struct ifk_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->out_msg, sizeof(a->out_msg), fmt, ap);
	va_end(ap);
	a->out_cut = 1;
	return ifk_error_set(err, IFK_EFORMAT, "%s", a->out_msg);
}

static uint64_t out_cap(const struct ifk_art *a)
{
	const struct ifk_src *s;
	uint64_t bytes = 0;

	for (s = a->srcs; s; s = s->next)
		bytes += s->bytes;
	if (bytes > (UINT64_MAX - OUT_BASE) / OUT_PER_BYTE)
		return UINT64_MAX;
	return OUT_BASE + OUT_PER_BYTE * bytes;
}

static size_t val_bytes(enum ifk_col_type t, const struct p_val *v)
{
	if (!v->set)
		return 0;
	return t == IFK_COL_TEXT || t == IFK_COL_TIME ? strlen(v->s) : 8;
}

/* Checks the row against the caps before anything of it is written; *raw
 * is its bytes before JSON adds its quoting. */
static int check_caps(struct ifk_art *a, const char *const prov[4], int64_t rowid, size_t *raw,
                      struct ifk_error *err)
{
	size_t i, n, sum = 0, prov_sum = 0;
	int k;

	for (i = 0; i < a->ncols + 4; i++) {
		const char *name = i < a->ncols ? a->art->cols[i].name : prov_names[i - a->ncols];
		n = i < a->ncols ? val_bytes(a->art->cols[i].type, &a->vals[i])
		                 : (prov[i - a->ncols] ? strlen(prov[i - a->ncols]) : 0);
		if (n > IFK_SQLITE_MAX_LENGTH)
			return cut(
			    a, err,
			    "hostile or damaged: %s: %s rowid %lld: %s holds %zu bytes, over "
			    "ifk's cap of %d MiB per cell",
			    prov[1] ? prov[1] : "", prov[3] ? prov[3] : "", (long long)rowid, name,
			    n, IFK_SQLITE_MAX_LENGTH >> 20);
		sum += n;
		prov_sum += i < a->ncols ? 0 : n;
	}
	/* a timeline row: the time, the event, its summary, the provenance */
	for (k = 0; k < a->nev; k++)
		sum += 40 + prov_sum + strlen(a->ev[k].event) +
		       (a->ev[k].summary ? strlen(a->ev[k].summary) : 0);
	*raw = sum;
	if (a->out_bytes + 2 * (uint64_t)sum > out_cap(a))
		return cut(
		    a, err,
		    "hostile or damaged: %s: its output reached %llu bytes, ifk's cap for an "
		    "artifact whose sources hold %llu bytes (256 MiB + 64 times that)",
		    prov[1] ? prov[1] : "", (unsigned long long)a->out_bytes,
		    (unsigned long long)((out_cap(a) - OUT_BASE) / OUT_PER_BYTE));
	return 0;
}

static int emit_clean(struct ifk_art *a, const char *const prov[4], int64_t rowid,
                      struct ifk_error *err)
{
	sqlite3_stmt *st = a->ins;
	off_t before = ftello(a->jsonl), after;
	int64_t row_id;
	size_t i, raw = 0;
	int rc;

	if (a->c->stop && *a->c->stop)
		return ifk_error_set(err, IFK_EINTR, "interrupted");
	if (a->out_cut)
		return ifk_error_set(err, IFK_EFORMAT, "%s", a->out_msg);
	if ((rc = check_caps(a, prov, rowid, &raw, err)) != 0)
		goto out;
	sqlite3_reset(st);
	for (i = 0; i < a->ncols; i++)
		bind_val(st, (int)i + 1, a->art->cols[i].type, &a->vals[i]);
	for (i = 0; i < 4; i++)
		sqlite3_bind_text(st, (int)(a->ncols + i + 1), prov[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, (int)(a->ncols + 5), rowid);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sql_err(a->c, err, a->art->name);
		goto out;
	}
	row_id = sqlite3_last_insert_rowid(a->c->out);
	rc = write_json(a, prov, rowid, row_id, err);
	if (!rc)
		rc = write_events(a, prov, rowid, row_id, err);
	if (!rc)
		a->rows++;
	after = ftello(a->jsonl);
	a->out_bytes += raw + (before >= 0 && after > before ? (uint64_t)(after - before) : raw);
out:
	clear_row(a);
	return rc;
}

int ifk_row_emit(struct ifk_art *a, const struct ifk_src *s, const char *table, int64_t rowid,
                 struct ifk_error *err)
{
	const char *prov[4] = {s->domain, s->relpath, s->sha256, table};

	return emit(a, prov, rowid, err);
}

int ifk_row_emit_file(struct ifk_art *a, const struct ifk_art_file *f, int64_t rowid,
                      struct ifk_error *err)
{
	const char *prov[4] = {f->domain, f->relative_path, f->sha256, "file"};

	return emit(a, prov, rowid, err);
}

/* ---- times ---- */

double ifk_cocoa_time(double v)
{
	if (!isfinite(v) || v == 0)
		return NAN;
	if (fabs(v) >= 1e11)
		v /= 1e9;
	return v + IFK_COCOA_EPOCH;
}

int ifk_time_format(double t, char out[32])
{
	double whole;
	long ms;
	char buf[96];
	time_t secs;
	struct tm tm;

	out[0] = '\0';
	/* 0001-01-01 .. 9999-12-31 */
	if (!isfinite(t) || t < -62135596800.0 || t >= 253402300800.0)
		return -1;
	whole = floor(t);
	ms = lround((t - whole) * 1000.0);
	if (ms == 1000) {
		whole += 1;
		ms = 0;
	}
	secs = (time_t)whole;
	if (!gmtime_r(&secs, &tm))
		return -1;
	if (tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
		return -1;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (ms)
		snprintf(buf + 19, sizeof(buf) - 19, ".%03ldZ", ms);
	else
		snprintf(buf + 19, sizeof(buf) - 19, "Z");
	memcpy(out, buf, 25);
	out[24] = '\0';
	return 0;
}

/* ---- the end: timeline.csv ---- */

static void csv_field(FILE *f, const char *s)
{
	const char *p;

	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p == '\r' || *p == '\n' ? ' ' : *p, f);
	}
	fputc('"', f);
}

static int write_csv(struct ifk_parse_ctx *c, FILE *f, struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, i, step;

	fputs("time,artifact,event,summary,row_id,domain,relative_path,source_sha256,"
	      "source_table,source_rowid\n",
	      f);
	if (sqlite3_prepare_v2(c->out,
	                       "SELECT time, artifact, event, summary, row_id, domain,"
	                       " relative_path, source_sha256, source_table, source_rowid"
	                       " FROM timeline ORDER BY ts, artifact, row_id, event",
	                       -1, &st, NULL) != SQLITE_OK)
		return sql_err(c, err, "timeline");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < 10; i++) {
			if (i)
				fputc(',', f);
			csv_field(f, (const char *)sqlite3_column_text(st, i));
		}
		fputc('\n', f);
	}
	if (step != SQLITE_DONE)
		rc = sql_err(c, err, "timeline");
	sqlite3_finalize(st);
	return rc;
}

int p_out_finish(struct ifk_parse_ctx *c, struct ifk_error *err)
{
	char *path = NULL;
	FILE *f = NULL;
	int fd, rc;

	if (sqlite3_exec(c->out, "CREATE INDEX timeline_ts ON timeline(ts); COMMIT;", NULL, NULL,
	                 NULL) != SQLITE_OK)
		return sql_err(c, err, "commit");
	if (asprintf(&path, "%s/timeline.csv", c->out_dir) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", path);
		if (fd >= 0)
			close(fd);
		free(path);
		return rc;
	}
	rc = write_csv(c, f, err);
	if (fclose(f) != 0 && !rc)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: write failed", path);
	free(path);
	return rc;
}

int ifk_parse_ctx_finish(struct ifk_parse_ctx *c, struct ifk_error *err)
{
	return p_out_finish(c, err);
}
