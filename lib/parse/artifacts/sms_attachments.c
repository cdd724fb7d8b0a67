/* sms_attachments: the attachments of SMS/iMessage messages (sms.db table
 * attachment), each with the backup file its filename maps to and whether
 * that file is in the backup, with its SHA-256. */
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

enum { C_ROWID, C_MESSAGE, C_GUID, C_FILENAME, C_MIME, C_UTI, C_TRANSFER, C_BYTES };

static const struct ifk_art_field fields[] = {
    [C_ROWID] = {"attachment_rowid", ifk_row_col_id, "t.ROWID", ""},
    [C_MESSAGE] = {"message_rowid", ifk_row_col_whole, "mj.mid", NULL},
    [C_GUID] = {"guid", ifk_row_col_str, "t.guid", NULL},
    [C_FILENAME] = {"filename", ifk_row_col_str, "t.filename", NULL},
    [C_MIME] = {"mime_type", ifk_row_col_str, "t.mime_type", NULL},
    [C_UTI] = {"uti", ifk_row_col_str, "t.uti", NULL},
    [C_TRANSFER] = {"transfer_name", ifk_row_col_str, "t.transfer_name", NULL},
    [C_BYTES] = {"total_bytes", ifk_row_col_whole, "t.total_bytes", NULL},
    {"created_date", ifk_row_col_cocoa, "t.created_date", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct ifk_art_join from[] = {
    {"mj", NULL, "message_attachment_join.message_id message_attachment_join.attachment_id",
     " LEFT JOIN (SELECT attachment_id AS aid, min(message_id) AS mid"
     " FROM message_attachment_join GROUP BY attachment_id) mj"
     " ON mj.aid = t.ROWID"},
    {NULL, NULL, NULL, NULL},
};

/* "attachment IMG_0001.HEIC (image/heic, 1024 bytes) of message 7" */
static void summary(char *out, size_t cap, sqlite3_stmt *st)
{
	char *name = ifk_art_str(st, C_TRANSFER, 200), *mime = ifk_art_str(st, C_MIME, 100);
	char snip[100], type[60], msg[40] = "";

	ifk_art_snippet(snip, sizeof(snip), name);
	ifk_art_snippet(type, sizeof(type), mime);
	if (sqlite3_column_type(st, C_MESSAGE) == SQLITE_INTEGER)
		snprintf(msg, sizeof(msg), " of message %lld",
		         (long long)sqlite3_column_int64(st, C_MESSAGE));
	snprintf(out, cap, "attachment %s (%s, %lld bytes)%s", name ? snip : "?",
	         mime ? type : "unknown type", (long long)sqlite3_column_int64(st, C_BYTES), msg);
	free(name);
	free(mime);
}

/* The backup file the attachment's filename maps to, and the summary. */
static int attachment(struct ifk_art_row *r, struct ifk_error *err)
{
	char *filename = ifk_art_str(r->st, C_FILENAME, SIZE_MAX);
	int rc = set_file(r->a, filename, err);

	free(filename);
	if (rc)
		return rc;
	summary(r->line, sizeof(r->line), r->st);
	return 0;
}

static const struct ifk_art_table tables[] = {
    {.table = "attachment",
     .alias = "t",
     .require = "attachment:filename",
     .fields = fields,
     .from = from,
     .row = attachment},
    {0},
};

static const struct ifk_art_event events[] = {
    {"created_date", "attachment", NULL, NULL, NULL, 0},
    {0},
};

static const struct ifk_art_desc desc = {.read = {.tables = tables}, .events = events};

IFK_ARTIFACT(sms_attachments, "SMS and iMessage attachments", "1", sources, cols, desc);
