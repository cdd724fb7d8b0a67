/* accounts: the accounts set up on the device (iCloud, Gmail, Game
 * Center, ...), HomeDomain Library/Accounts/Accounts3.sqlite.
 *
 * One row per ZACCOUNT with its type (ZACCOUNTTYPE). Many system
 * accounts are children of another (ZPARENTACCOUNT, the parent's Z_PK).
 * ZDATE, when the account was added, is Cocoa seconds. */
#include <stdio.h>
#include <string.h>

#include "artifact.h"

#define ACC_DOMAIN "HomeDomain"
#define ACC_PATH "Library/Accounts/Accounts3.sqlite"

static const struct ifk_art_source sources[] = {
    {ACC_DOMAIN, ACC_PATH},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"username", IFK_COL_TEXT},
    {"description", IFK_COL_TEXT},      /* the name shown in Settings: "iCloud" */
    {"account_type", IFK_COL_TEXT},     /* "Gmail", "iCloud", "Game Center" */
    {"account_type_id", IFK_COL_TEXT},  /* "com.apple.account.Google" */
    {"identifier", IFK_COL_TEXT},       /* the account's UUID */
    {"owning_bundle_id", IFK_COL_TEXT}, /* the app or daemon that made it */
    {"parent_account_id", IFK_COL_INT}, /* Z_PK of the parent account */
    {"added", IFK_COL_TIME},
    {"active", IFK_COL_BOOL},
    {"authenticated", IFK_COL_BOOL},
    {"visible", IFK_COL_BOOL},
    {NULL, 0},
};

static const char *const acc_cols[] = {"ZACCOUNTDESCRIPTION", "ZIDENTIFIER", "ZOWNINGBUNDLEID",
                                       "ZPARENTACCOUNT",      "ZDATE",       "ZACTIVE",
                                       "ZAUTHENTICATED",      "ZVISIBLE",    NULL};
enum {
	Q_PK,
	Q_USER,
	Q_DESC,
	Q_IDENT,
	Q_BUNDLE,
	Q_PARENT,
	Q_DATE,
	Q_ACTIVE,
	Q_AUTH,
	Q_VISIBLE,
	Q_TYPE,
	Q_TYPE_ID
};

static void cat(char *sql, size_t cap, size_t *n, const char *a, const char *b)
{
	if (*n < cap)
		*n += (size_t)snprintf(sql + *n, cap - *n, "%s%s", a, b);
}

static int build_sql(sqlite3 *db, char *sql, size_t cap)
{
	int types = ifk_db_has_column(db, "ZACCOUNT", "ZACCOUNTTYPE") &&
	            ifk_db_has_column(db, "ZACCOUNTTYPE", "Z_PK");
	size_t n = 0;
	int i;

	cat(sql, cap, &n, "SELECT a.Z_PK, a.ZUSERNAME", "");
	for (i = 0; acc_cols[i]; i++)
		if (ifk_db_has_column(db, "ZACCOUNT", acc_cols[i]))
			cat(sql, cap, &n, ", a.", acc_cols[i]);
		else
			cat(sql, cap, &n, ", NULL", "");
	cat(sql, cap, &n,
	    types && ifk_db_has_column(db, "ZACCOUNTTYPE", "ZACCOUNTTYPEDESCRIPTION")
	        ? ", t.ZACCOUNTTYPEDESCRIPTION"
	        : ", NULL",
	    types && ifk_db_has_column(db, "ZACCOUNTTYPE", "ZIDENTIFIER") ? ", t.ZIDENTIFIER"
	                                                                  : ", NULL");
	cat(sql, cap, &n, " FROM ZACCOUNT a",
	    types ? " LEFT JOIN ZACCOUNTTYPE t ON t.Z_PK = a.ZACCOUNTTYPE" : "");
	cat(sql, cap, &n, " ORDER BY a.Z_PK", "");
	return n < cap ? 0 : -1;
}

static void set_account(struct ifk_art *a, sqlite3_stmt *st)
{
	const char *user = (const char *)sqlite3_column_text(st, Q_USER);
	const char *type = (const char *)sqlite3_column_text(st, Q_TYPE);
	char line[512];

	ifk_row_col_text(a, "username", st, Q_USER);
	ifk_row_col_text(a, "description", st, Q_DESC);
	ifk_row_col_text(a, "identifier", st, Q_IDENT);
	ifk_row_col_text(a, "owning_bundle_id", st, Q_BUNDLE);
	ifk_row_col_int(a, "parent_account_id", st, Q_PARENT);
	ifk_row_col_cocoa(a, "added", st, Q_DATE);
	ifk_row_col_int(a, "active", st, Q_ACTIVE);
	ifk_row_col_int(a, "authenticated", st, Q_AUTH);
	ifk_row_col_int(a, "visible", st, Q_VISIBLE);
	ifk_row_col_text(a, "account_type", st, Q_TYPE);
	ifk_row_col_text(a, "account_type_id", st, Q_TYPE_ID);
	snprintf(line, sizeof(line), "%.100s account %.300s", type ? type : "(unknown type)",
	         user ? user : "");
	ifk_row_event(a, "added", "added", line);
}

static int one_row(struct ifk_art *a, struct ifk_src *s, const char *table, sqlite3_stmt *st,
                   struct ifk_error *err)
{
	set_account(a, st);
	return ifk_row_emit(a, s, table, sqlite3_column_int64(st, Q_PK), err);
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct ifk_src *s;
	sqlite3 *db;
	char sql[1024];
	int rc;

	rc = ifk_art_sqlite(a, ACC_DOMAIN, ACC_PATH, &s, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, s, db, "ZACCOUNT", "Z_PK,ZUSERNAME", err);
	if (rc)
		goto out;
	if (build_sql(db, sql, sizeof(sql)) != 0)
		rc = ifk_error_set(err, IFK_EFORMAT, "%s: cannot build the query",
		                   ifk_src_relative_path(s));
	else
		rc = ifk_art_query(a, s, db, sql, "ZACCOUNT", one_row, err);
out:
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_accounts = {
    .name = "accounts",
    .title = "Accounts",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
