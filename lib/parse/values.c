/* Values from hostile databases: the conversions a descriptor names for
 * its fields (ifk_row_col_str, _whole, _id, _bool, _flag, _unix; _text,
 * _int, _real and _cocoa are output.c's), the column readers hooks use,
 * and the pieces of one-line summaries. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

int ifk_art_num(sqlite3_stmt *st, int i, double *v)
{
	int t = sqlite3_column_type(st, i);

	if (t != SQLITE_INTEGER && t != SQLITE_FLOAT)
		return 0;
	*v = sqlite3_column_double(st, i);
	return 1;
}

int ifk_art_flag(sqlite3_stmt *st, int i)
{
	double v;

	if (!ifk_art_num(st, i, &v))
		return -1;
	return v != 0;
}

char *ifk_art_str(sqlite3_stmt *st, int i, size_t max)
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

/* ---- conversions ---- */

void ifk_row_col_str(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	char *s = ifk_art_str(st, i, SIZE_MAX);

	ifk_row_text(a, col, s);
	free(s);
}

void ifk_row_col_whole(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	double v;

	if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
		ifk_row_int(a, col, sqlite3_column_int64(st, i));
	else if (ifk_art_num(st, i, &v) && v > -9.2e18 && v < 9.2e18 && v == (double)(int64_t)v)
		ifk_row_int(a, col, (int64_t)v);
}

void ifk_row_col_id(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	ifk_row_int(a, col, sqlite3_column_int64(st, i));
}

void ifk_row_col_bool(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	ifk_row_col_int(a, col, st, i);
}

void ifk_row_col_flag(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	int f = ifk_art_flag(st, i);

	if (f >= 0)
		ifk_row_bool(a, col, f);
}

void ifk_row_col_unix(struct ifk_art *a, const char *col, sqlite3_stmt *st, int i)
{
	double v;

	if (ifk_art_num(st, i, &v) && v != 0)
		ifk_row_time(a, col, v);
}

/* ---- summaries ---- */

void ifk_art_snippet(char *out, size_t cap, const char *s)
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

const char *ifk_art_clean(char *buf, size_t cap, const char *s)
{
	if (!s)
		return NULL;
	ifk_art_snippet(buf, cap, s);
	return buf;
}

void ifk_art_duration(char *out, size_t cap, double secs)
{
	if (secs > -1e15 && secs < 1e15 && secs == (double)(int64_t)secs)
		snprintf(out, cap, "%lld s", (long long)secs);
	else
		snprintf(out, cap, "%.1f s", secs);
}

/* ---- plists ---- */

char *ifk_art_dict_str(plist_t dict, const char *key)
{
	char *s = NULL;

	if (!dict || plist_get_node_type(dict) != PLIST_DICT ||
	    ifk_plist_get_string(dict, key, &s, NULL) < 0)
		return NULL;
	return s;
}

int ifk_row_dict_text(struct ifk_art *a, const char *col, plist_t dict, const char *key)
{
	char *s = ifk_art_dict_str(dict, key);

	if (!s)
		return 0;
	ifk_row_text(a, col, s);
	free(s);
	return 1;
}

double ifk_art_dict_date(plist_t dict, const char *key)
{
	int64_t t;

	if (!dict || plist_get_node_type(dict) != PLIST_DICT ||
	    ifk_plist_get_date(dict, key, &t, NULL) < 0)
		return NAN;
	return (double)t;
}
