/* sms_attachments: the attachments of SMS/iMessage messages (sms.db table
 * attachment), each with the backup file its filename maps to and whether
 * that file is in the backup, with its SHA-256. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"

#define ATT_DOMAIN "MediaDomain"

static const struct ifk_art_source sources[] = {
    {"HomeDomain", "Library/SMS/sms.db"},
    {ATT_DOMAIN, "Library/SMS/Attachments/"},
    {NULL, NULL},
};

static const struct ifk_col cols[] = {
    {"attachment_rowid", IFK_COL_INT},
    {"message_rowid", IFK_COL_INT},
    {"guid", IFK_COL_TEXT},
    {"filename", IFK_COL_TEXT},
    {"backup_domain", IFK_COL_TEXT},
    {"backup_path", IFK_COL_TEXT},
    {"mime_type", IFK_COL_TEXT},
    {"uti", IFK_COL_TEXT},
    {"transfer_name", IFK_COL_TEXT},
    {"total_bytes", IFK_COL_INT},
    {"created_date", IFK_COL_TIME},
    {"file_present", IFK_COL_BOOL},
    {"file_size", IFK_COL_INT},
    {"file_sha256", IFK_COL_TEXT},
    {"file_state", IFK_COL_TEXT},
    {NULL, 0},
};

enum {
	C_ROWID,
	C_MESSAGE,
	C_GUID,
	C_FILENAME,
	C_MIME,
	C_UTI,
	C_TRANSFER,
	C_BYTES,
	C_CREATED,
};

/* The relativePath in MediaDomain that an attachment's filename names
 * ("~/Library/SMS/...", "/var/mobile/Library/SMS/...",
 * "/private/var/mobile/Library/SMS/..."), or NULL. */
static const char *backup_path(const char *filename)
{
	static const char *const homes[] = {"~/", "/private/var/mobile/", "/var/mobile/", NULL};
	size_t i, n;

	if (!filename)
		return NULL;
	for (i = 0; homes[i]; i++) {
		n = strlen(homes[i]);
		if (strncmp(filename, homes[i], n) == 0 &&
		    strncmp(filename + n, "Library/SMS/", 12) == 0 && filename[n + 12])
			return filename + n;
	}
	return NULL;
}

static int file_seen(void *ctx, const struct ifk_art_file *f)
{
	struct ifk_art *a = ctx;

	ifk_row_bool(a, "file_present", 1);
	ifk_row_int(a, "file_size", (int64_t)(f->size > INT64_MAX ? INT64_MAX : f->size));
	ifk_row_text(a, "file_sha256", f->sha256);
	ifk_row_text(a, "file_state", f->state);
	return 0;
}

/* Looks the mapped file up in the backup's index. */
static int set_file(struct ifk_art *a, const char *filename, struct ifk_error *err)
{
	const char *rel = backup_path(filename);
	struct ifk_error e = {0};
	int rc;

	if (!rel)
		return 0;
	ifk_row_text(a, "backup_domain", ATT_DOMAIN);
	ifk_row_text(a, "backup_path", rel);
	rc = ifk_art_file_info(a, ATT_DOMAIN, rel, file_seen, a, &e);
	if (rc == IFK_ENOTFOUND) {
		ifk_row_bool(a, "file_present", 0);
		return 0;
	}
	if (rc)
		return ifk_error_set(err, rc, "%s", e.msg);
	return 0;
}

static void summary(char *out, size_t cap, sqlite3_stmt *st)
{
	char *name = msg_col_str(st, C_TRANSFER, 200), *mime = msg_col_str(st, C_MIME, 100);
	char snip[100], type[60], msg[40] = "";

	msg_snippet(snip, sizeof(snip), name);
	msg_snippet(type, sizeof(type), mime);
	if (sqlite3_column_type(st, C_MESSAGE) == SQLITE_INTEGER)
		snprintf(msg, sizeof(msg), " of message %lld",
		         (long long)sqlite3_column_int64(st, C_MESSAGE));
	snprintf(out, cap, "attachment %s (%s, %lld bytes)%s", name ? snip : "?",
	         mime ? type : "unknown type", (long long)sqlite3_column_int64(st, C_BYTES), msg);
	free(name);
	free(mime);
}

static int emit_attachment(struct ifk_art *a, struct ifk_src *src, const char *table,
                           sqlite3_stmt *st, struct ifk_error *err)
{
	char *filename = msg_col_str(st, C_FILENAME, SIZE_MAX), line[300];
	int rc;

	ifk_row_int(a, "attachment_rowid", sqlite3_column_int64(st, C_ROWID));
	msg_row_int(a, "message_rowid", st, C_MESSAGE);
	msg_row_str(a, "guid", st, C_GUID);
	ifk_row_text(a, "filename", filename);
	msg_row_str(a, "mime_type", st, C_MIME);
	msg_row_str(a, "uti", st, C_UTI);
	msg_row_str(a, "transfer_name", st, C_TRANSFER);
	msg_row_int(a, "total_bytes", st, C_BYTES);
	ifk_row_col_cocoa(a, "created_date", st, C_CREATED);
	rc = set_file(a, filename, err);
	free(filename);
	if (rc)
		return rc;
	summary(line, sizeof(line), st);
	ifk_row_event(a, "created_date", "attachment", line);
	return ifk_row_emit(a, src, table, sqlite3_column_int64(st, C_ROWID), err);
}

static void build_query(struct msg_sql *q, sqlite3 *db)
{
	static const char *const acols[] = {"guid",          "filename",    "mime_type",   "uti",
	                                    "transfer_name", "total_bytes", "created_date"};
	int join = ifk_db_has_column(db, "message_attachment_join", "message_id") &&
	           ifk_db_has_column(db, "message_attachment_join", "attachment_id");
	size_t i;

	msg_sql_add(q, "SELECT t.ROWID%s", join ? ", mj.mid" : ", NULL");
	for (i = 0; i < sizeof(acols) / sizeof(acols[0]); i++)
		msg_sql_col(q, db, "attachment", "t", acols[i]);
	msg_sql_add(q, " FROM attachment t");
	if (join)
		msg_sql_add(q, " LEFT JOIN (SELECT attachment_id AS aid, min(message_id) AS mid"
		               " FROM message_attachment_join GROUP BY attachment_id) mj"
		               " ON mj.aid = t.ROWID");
	msg_sql_add(q, " ORDER BY t.ROWID");
}

static int parse(struct ifk_art *a, struct ifk_error *err)
{
	struct msg_sql q = {.len = 0};
	struct ifk_src *src;
	sqlite3 *db = NULL;
	int rc;

	rc = ifk_art_sqlite(a, sources[0].domain, sources[0].path, &src, &db, err);
	if (rc)
		return rc;
	rc = ifk_art_require(a, src, db, "attachment", "filename", err);
	if (rc)
		goto out;
	build_query(&q, db);
	rc = msg_sql_run(a, &q, db, src, "attachment", emit_attachment, err);
out:
	sqlite3_close(db);
	return rc;
}

const struct ifk_artifact ifk_art_sms_attachments = {
    .name = "sms_attachments",
    .title = "SMS and iMessage attachments",
    .version = "1",
    .sources = sources,
    .cols = cols,
    .parse = parse,
};
