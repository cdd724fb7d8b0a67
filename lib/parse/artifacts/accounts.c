/* accounts: the accounts set up on the device (iCloud, Gmail, Game
 * Center, ...), HomeDomain Library/Accounts/Accounts3.sqlite.
 *
 * One row per ZACCOUNT with its type (ZACCOUNTTYPE). Many system
 * accounts are children of another (ZPARENTACCOUNT, the parent's Z_PK).
 * ZDATE, when the account was added, is Cocoa seconds. */
#include "artifact.h"

static const struct ifk_art_source sources[] = {
    {"HomeDomain", "Library/Accounts/Accounts3.sqlite"},
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

enum { Q_PK, Q_USER, Q_TYPE = 10 };

static const struct ifk_art_field fields[] = {
    [Q_PK] = {NULL, NULL, "a.Z_PK", NULL},
    [Q_USER] = {"username", ifk_row_col_text, "a.ZUSERNAME", NULL},
    {"description", ifk_row_col_text, "a.ZACCOUNTDESCRIPTION", NULL},
    {"identifier", ifk_row_col_text, "a.ZIDENTIFIER", NULL},
    {"owning_bundle_id", ifk_row_col_text, "a.ZOWNINGBUNDLEID", NULL},
    {"parent_account_id", ifk_row_col_int, "a.ZPARENTACCOUNT", NULL},
    {"added", ifk_row_col_cocoa, "a.ZDATE", NULL},
    {"active", ifk_row_col_bool, "a.ZACTIVE", NULL},
    {"authenticated", ifk_row_col_bool, "a.ZAUTHENTICATED", NULL},
    {"visible", ifk_row_col_bool, "a.ZVISIBLE", NULL},
    [Q_TYPE] = {"account_type", ifk_row_col_text, "t.ZACCOUNTTYPEDESCRIPTION", NULL},
    {"account_type_id", ifk_row_col_text, "t.ZIDENTIFIER", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"t", "ZACCOUNTTYPE", "a.ZACCOUNTTYPE t.Z_PK",
     " LEFT JOIN ZACCOUNTTYPE t ON t.Z_PK = a.ZACCOUNTTYPE"},
    {NULL, NULL, NULL, NULL},
};

/* "Gmail account alice@example.com" */
static int account(struct ifk_art_row *r, struct ifk_error *err)
{
	const char *user = (const char *)sqlite3_column_text(r->st, Q_USER);
	const char *type = (const char *)sqlite3_column_text(r->st, Q_TYPE);

	snprintf(r->line, sizeof(r->line), "%.100s account %.300s", type ? type : "(unknown type)",
	         user ? user : "");
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "ZACCOUNT",
     .alias = "a",
     .require = "ZACCOUNT:Z_PK,ZUSERNAME",
     .fields = fields,
     .from = from,
     .rowid = Q_PK,
     .row = account},
    {0},
};

static const struct ifk_art_event events[] = {
    {"added", "added", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(accounts, "Accounts", "1", sources, cols, desc);
