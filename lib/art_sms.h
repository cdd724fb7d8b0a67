/* Helpers shared by the messaging artifact modules (sms_messages,
 * sms_attachments, whatsapp_chats, whatsapp_messages, calls): a bounded SQL
 * builder that adapts a SELECT to the columns a database has, reading
 * hostile column values, and one-line timeline summaries. Internal to
 * those modules; everything is static inline. */
#ifndef IFK_ART_SMS_H
#define IFK_ART_SMS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifk/artifact.h"

/* ---- a SELECT built from the columns present ---- */

struct msg_sql {
	char s[8192];
	size_t len;
	int overflow;
};

static inline void msg_sql_add(struct msg_sql *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void msg_sql_add(struct msg_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(q->s + q->len, sizeof(q->s) - q->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->s) - q->len)
		q->overflow = 1;
	else
		q->len += (size_t)n;
}

/* Appends ", alias.column" when table has column, else ", NULL": the
 * result always has the same column positions. table and column are the
 * module's own constants, never names read from the database. */
static inline void msg_sql_col(struct msg_sql *q, sqlite3 *db, const char *table, const char *alias,
                               const char *column)
{
	if (ifk_db_has_column(db, table, column))
		msg_sql_add(q, ", %s.%s", alias, column);
	else
		msg_sql_add(q, ", NULL");
}

/* Runs the built query through the runner's loop (ifk_art_query), which
 * names the file and table of any SQLite error. */
static inline int msg_sql_run(struct ifk_art *a, const struct msg_sql *q, sqlite3 *db,
                              struct ifk_src *src, const char *table, ifk_art_row_fn fn,
                              struct ifk_error *err)
{
	if (q->overflow)
		return ifk_error_set(err, IFK_EINVAL, "%s: internal: query too long",
		                     ifk_src_relative_path(src));
	return ifk_art_query(a, src, db, q->s, table, fn, err);
}

/* ---- hostile values ---- */

/* 1 when column i is a number (INTEGER or REAL), with its value in *v. */
static inline int msg_num(sqlite3_stmt *st, int i, double *v)
{
	int t = sqlite3_column_type(st, i);

	if (t != SQLITE_INTEGER && t != SQLITE_FLOAT)
		return 0;
	*v = sqlite3_column_double(st, i);
	return 1;
}

/* -1 when column i is not a number, else 0 or 1 (any non-zero). */
static inline int msg_flag(sqlite3_stmt *st, int i)
{
	double v;

	if (!msg_num(st, i, &v))
		return -1;
	return v != 0;
}

/* Sets a BOOL column from a number; anything else leaves it NULL. */
static inline void msg_row_flag(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	int f = msg_flag(st, i);

	if (f >= 0)
		ifk_row_bool(a, col, f);
}

/* Sets an INT column from an INTEGER (or a whole REAL) only. */
static inline void msg_row_int(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	double v;

	if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
		ifk_row_int(a, col, sqlite3_column_int64(st, i));
	else if (msg_num(st, i, &v) && v > -9.2e18 && v < 9.2e18 && v == (double)(int64_t)v)
		ifk_row_int(a, col, (int64_t)v);
}

/* Column i as a new NUL-terminated string (TEXT, a BLOB holding text, or a
 * number as text), at most max bytes, trailing NULs dropped and inner NULs
 * made spaces; NULL for NULL or on allocation failure. The caller frees. */
static inline char *msg_col_str(sqlite3_stmt *st, int i, size_t max)
{
	const unsigned char *p;
	size_t n, k;
	char *s;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	if (sqlite3_column_type(st, i) == SQLITE_BLOB)
		p = sqlite3_column_blob(st, i);
	else
		p = sqlite3_column_text(st, i);
	n = (size_t)sqlite3_column_bytes(st, i);
	if (!p && n)
		return NULL;
	if (n > max)
		n = max;
	while (n && !p[n - 1])
		n--;
	if (!(s = malloc(n + 1)))
		return NULL;
	for (k = 0; k < n; k++)
		s[k] = p[k] ? (char)p[k] : ' ';
	s[n] = 0;
	return s;
}

/* Sets a TEXT column from column i as msg_col_str reads it, whole. */
static inline void msg_row_str(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	char *s = msg_col_str(st, i, SIZE_MAX);

	ifk_row_text(a, col, s);
	free(s);
}

/* ---- summaries ---- */

/* Copies s into out (cap bytes) as one line: control characters become
 * spaces, and a text too long is cut at a UTF-8 character boundary and
 * ends with "...". NULL or empty gives "". */
static inline void msg_snippet(char *out, size_t cap, const char *s)
{
	size_t n = 0, cut;

	if (cap == 0)
		return;
	out[0] = 0;
	if (!s || cap < 8)
		return;
	for (; s[n] && n < cap - 1; n++)
		out[n] = ((unsigned char)s[n] < 0x20 || s[n] == 0x7f) ? ' ' : s[n];
	out[n] = 0;
	if (!s[n])
		return;
	cut = cap - 4; /* room for "..." and the NUL */
	while (cut > 0 && ((unsigned char)out[cut] & 0xC0) == 0x80)
		cut--;
	memcpy(out + cut, "...", 4);
}

/* msg_snippet into buf, returning buf; NULL stays NULL. */
static inline const char *msg_clean(char *buf, size_t cap, const char *s)
{
	if (!s)
		return NULL;
	msg_snippet(buf, cap, s);
	return buf;
}

/* A duration for a summary: "63 s", "42.5 s". */
static inline void msg_duration(char *out, size_t cap, double secs)
{
	if (secs > -1e15 && secs < 1e15 && secs == (double)(int64_t)secs)
		snprintf(out, cap, "%lld s", (long long)secs);
	else
		snprintf(out, cap, "%.1f s", secs);
}

#endif
