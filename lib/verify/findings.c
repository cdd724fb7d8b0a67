/* What every check of ifk-verify writes into: findings, skips, what was
 * left out (partial), and the work database's statements. The bottom of
 * the verify folder: it calls nothing of its own. */
#include <stdarg.h>
#include <stdio.h>

#include "verify_int.h"

const char *v_level_name(enum vlevel level)
{
	static const char *const names[] = {"pass", "skip", "warn", "fail"};

	return level >= V_PASS && level <= V_FAIL ? names[level] : "fail";
}

void v_finding(struct vctx *v, int check, enum vlevel level, const char *file, const char *fmt, ...)
{
	struct vcheck *c = &v->c[check];
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	c->ran = 1;
	if (level > c->level)
		c->level = level;
	if (level == V_FAIL)
		c->nfail++;
	else if (level == V_WARN)
		c->nwarn++;
	if (json_array_size(c->findings) < V_MAX_FINDINGS)
		json_array_append_new(c->findings,
		                      json_pack("{s:s, s:o, s:o}", "level", v_level_name(level),
		                                "file", ifk_json_text(file ? file : ""), "reason",
		                                ifk_json_text(reason)));
}

void v_skip(struct vctx *v, int check, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->c[check].skip_reason, sizeof(v->c[check].skip_reason), fmt, ap);
	va_end(ap);
	v->c[check].ran = 0;
}

int v_work_prepare(struct vctx *v, int check, const char *sql, sqlite3_stmt **st)
{
	*st = NULL;
	if (sqlite3_prepare_v2(v->work, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	v_finding(v, check, V_FAIL, "", "work database: %s: this part was not checked",
	          sqlite3_errmsg(v->work));
	sqlite3_finalize(*st);
	*st = NULL;
	return -1;
}

int v_work_stmt(struct vctx *v, int check, int slot, const char *sql, sqlite3_stmt **st)
{
	if (!v->stmt[slot] && v_work_prepare(v, check, sql, &v->stmt[slot]) != 0) {
		*st = NULL;
		return -1;
	}
	*st = v->stmt[slot];
	return 0;
}

void v_partial(struct vctx *v, const char *what)
{
	json_array_append_new(v->partial, json_string(what));
}

void v_incomplete(struct vctx *v, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	json_array_append_new(v->incomplete, ifk_json_text(why));
}

int v_stopped(const struct vctx *v)
{
	return v->o->stop && *v->o->stop;
}

int v_file_check(const struct vctx *v)
{
	return v->has_backup ? C_BACKUP : C_SEAL;
}

const char *v_expected_word(const struct vctx *v)
{
	return v->kind == VK_BAGIT ? "listed" : "sealed";
}
