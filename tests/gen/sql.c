/* Runs SQL scripts through the sqlite3 API, binding named parameters such
 * as :b (the base date in Cocoa seconds) wherever a statement uses them. */
#include <string.h>

#include "gen.h"

int gen_sql_open(const char *path, sqlite3 **db)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	*db = NULL;
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		gen_err("cannot create %s: %s", path, *db ? sqlite3_errmsg(*db) : "no memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	return gen_sql_run(*db, "PRAGMA journal_mode=DELETE;", NULL, 0);
}

static int bind_params(sqlite3 *db, sqlite3_stmt *st, const struct gen_sql_param *params,
                       size_t nparams)
{
	size_t i;
	int idx, rc;

	for (i = 0; i < nparams; i++) {
		idx = sqlite3_bind_parameter_index(st, params[i].name);
		if (idx == 0)
			continue;
		if (params[i].blob)
			rc = sqlite3_bind_blob(st, idx, params[i].blob, (int)params[i].blob_len,
			                       SQLITE_STATIC);
		else
			rc = sqlite3_bind_int64(st, idx, params[i].i);
		if (rc != SQLITE_OK)
			return gen_err("sqlite bind %s: %s", params[i].name, sqlite3_errmsg(db));
	}
	return 0;
}

static int step_all(sqlite3 *db, sqlite3_stmt *st)
{
	int rc;

	do {
		rc = sqlite3_step(st);
	} while (rc == SQLITE_ROW);
	if (rc != SQLITE_DONE)
		return gen_err("sqlite: %s in: %.60s", sqlite3_errmsg(db), sqlite3_sql(st));
	return 0;
}

int gen_sql_run(sqlite3 *db, const char *script, const struct gen_sql_param *params, size_t nparams)
{
	const char *tail = script;
	sqlite3_stmt *st = NULL;
	int rc = 0;

	while (rc == 0 && *tail) {
		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			return gen_err("sqlite: %s near: %.60s", sqlite3_errmsg(db), tail);
		if (!st)
			break; /* only whitespace or comments left */
		rc = bind_params(db, st, params, nparams);
		if (rc == 0)
			rc = step_all(db, st);
		sqlite3_finalize(st);
		st = NULL;
	}
	return rc;
}

int gen_sql_close(sqlite3 *db, int ok)
{
	if (sqlite3_close(db) != SQLITE_OK)
		return gen_err("sqlite close: %s", sqlite3_errmsg(db));
	return ok;
}

/* Builds a whole database from one script in a transaction, binding params
 * wherever a statement uses them. */
int gen_sql_build_params(const char *path, const char *script, const struct gen_sql_param *params,
                         size_t nparams)
{
	sqlite3 *db = NULL;
	int rc;

	if (gen_sql_open(path, &db) < 0)
		return gen_sql_close(db, -1);
	rc = gen_sql_run(db, "BEGIN;", NULL, 0);
	if (rc == 0)
		rc = gen_sql_run(db, script, params, nparams);
	if (rc == 0)
		rc = gen_sql_run(db, "COMMIT;", NULL, 0);
	return gen_sql_close(db, rc);
}

/* The same with :b bound to GEN_BASE_COCOA and :u to GEN_BASE_UNIX. */
int gen_sql_build(const char *path, const char *script)
{
	const struct gen_sql_param p[] = {
	    {":b", GEN_BASE_COCOA, NULL, 0},
	    {":u", GEN_BASE_UNIX, NULL, 0},
	};

	return gen_sql_build_params(path, script, p, sizeof(p) / sizeof(p[0]));
}
