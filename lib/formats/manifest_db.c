/* Manifest.db (iOS 10+): the Files table, row by row, through the one
 * untrusted-SQLite opener; each row's MBFile blob decoded by mbfile.c. */
#include "formats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>


/* A real MBFile blob is well under 4 KiB; a larger one is reported on its
 * row, not loaded. Any other value over IFK_SQLITE_MAX_LENGTH stops the
 * walk. */
#define MAX_BLOB (1 << 20)
#define PROBLEM_MAX 512

/* ---- the Files table ---- */

static int schema_error(sqlite3 *db, int rc, const char *path, struct ifk_error *err)
{
	return ifk_sqlite_fail(db, rc, NULL, err, "%s: cannot read the schema", path);
}

/* The Files table exists, is an ordinary table, and has every column. */
static int check_files_table(sqlite3 *db, const char *path, struct ifk_error *err)
{
	static const char *const cols[] = {"fileID", "domain", "relativePath", "flags", "file"};
	sqlite3_stmt *st = NULL;
	unsigned found = 0, k;
	int rc = sqlite3_prepare_v2(db,
	                            "SELECT sql LIKE 'CREATE VIRTUAL%' FROM sqlite_master "
	                            "WHERE type = 'table' AND name = 'Files' COLLATE NOCASE",
	                            -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_DONE)
		rc = ifk_error_set(err, IFK_EFORMAT, "%s: no Files table", path);
	else if (rc == SQLITE_ROW && sqlite3_column_int(st, 0))
		rc = ifk_error_set(err, IFK_EFORMAT, "%s: Files is a virtual table", path);
	else if (rc != SQLITE_ROW)
		rc = schema_error(db, rc, path, err);
	sqlite3_finalize(st);
	st = NULL;
	if (rc < 0)
		return rc;
	rc = sqlite3_prepare_v2(db, "PRAGMA table_info(Files)", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);

		for (k = 0; name && k < sizeof(cols) / sizeof(cols[0]); k++)
			if (strcasecmp(name, cols[k]) == 0)
				found |= 1u << k;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE)
		rc = schema_error(db, rc, path, err);
	else
		rc = 0;
	for (k = 0; rc == 0 && k < sizeof(cols) / sizeof(cols[0]); k++)
		if (!(found & (1u << k)))
			rc = ifk_error_set(err, IFK_EFORMAT, "%s: Files table has no %s column",
			                   path, cols[k]);
	sqlite3_finalize(st);
	return rc;
}

/* One row being decoded: the entry and what its pointers point into. */
struct row {
	struct ifk_entry e;
	struct ifk_mbfile_store store;
	char problem[PROBLEM_MAX], warning[PROBLEM_MAX];
};

/* Appends "; "-separated text to a fixed buffer, cutting what does not fit. */
static void vappend(char *buf, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vappend(char *buf, size_t cap, const char *fmt, va_list ap)
{
	size_t n = strlen(buf);

	if (n + 3 >= cap)
		return;
	if (n) {
		memcpy(buf + n, "; ", 3);
		n += 2;
	}
	vsnprintf(buf + n, cap - n, fmt, ap);
}

static void add_problem(struct row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_warning(struct row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The entry is unusable. */
static void add_problem(struct row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappend(r->problem, sizeof(r->problem), fmt, ap);
	va_end(ap);
}

/* A value ifk did not expect; the entry stays usable. */
static void add_warning(struct row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappend(r->warning, sizeof(r->warning), fmt, ap);
	va_end(ap);
}

/* A TEXT column: "" and a problem when NULL, not text, or holding a NUL. */
static const char *row_text(sqlite3_stmt *st, int col, const char *name, struct row *r)
{
	int type = sqlite3_column_type(st, col);
	const char *s = (const char *)sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);

	if (type == SQLITE_NULL || !s) {
		add_problem(r, "%s is NULL", name);
		return "";
	}
	if (type != SQLITE_TEXT)
		add_problem(r, "%s is not text", name);
	if (strlen(s) != n)
		add_problem(r, "%s holds a NUL byte; cut short", name);
	return s;
}

static void row_file_id(sqlite3_stmt *st, struct row *r)
{
	const char *id = row_text(st, 0, "fileID", r);
	size_t n = strlen(id), i;
	bool ok = n == IFK_FILE_ID_LEN;

	for (i = 0; ok && i < n; i++)
		ok = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
	if (!ok && *id)
		add_problem(r, "fileID is not 40 lowercase hex digits");
	snprintf(r->e.file_id, sizeof(r->e.file_id), "%s", id);
}

/* The kind: by flags (1 file, 2 directory, 4 symlink), else by Mode. */
static void row_kind(sqlite3_stmt *st, struct row *r)
{
	enum ifk_entry_kind by_mode = ifk_entry_kind_from_mode(r->e.mode), by_flags;

	r->e.flags = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
	switch (r->e.flags) {
	case 1:
		by_flags = IFK_ENTRY_FILE;
		break;
	case 2:
		by_flags = IFK_ENTRY_DIR;
		break;
	case 4:
		by_flags = IFK_ENTRY_SYMLINK;
		break;
	default:
		/* 0 is seen on real backups' files; other values are not */
		r->e.kind = by_mode;
		if (sqlite3_column_type(st, 3) != SQLITE_NULL && r->e.flags != 0)
			add_warning(r, "flags %lld is not 0, 1, 2 or 4: the kind (%s) is taken from Mode",
			            (long long)r->e.flags, ifk_entry_kind_name(by_mode));
		return;
	}
	r->e.kind = by_flags;
	if (r->e.mode && by_mode != by_flags)
		add_warning(r, "flags %lld says %s but Mode 0%o says %s", (long long)r->e.flags,
		            ifk_entry_kind_name(by_flags), (unsigned)r->e.mode,
		            ifk_entry_kind_name(by_mode));
}

/* Values a device may write that ifk has not seen: reported, never a reason
 * to refuse the entry. */
static void row_unexpected(struct row *r)
{
	if (r->e.mode && ifk_entry_kind_from_mode(r->e.mode) == IFK_ENTRY_OTHER)
		add_warning(r, "Mode 0%o is not a file, folder or symlink", (unsigned)r->e.mode);
	if (r->e.protection_class > IFK_PROTECTION_CLASS_MAX)
		add_warning(r, "ProtectionClass %u is not a class ifk knows",
		            (unsigned)r->e.protection_class);
}

/* Decodes column 5 (the blob, when small enough) into r. */
static int row_blob(sqlite3_stmt *st, struct row *r)
{
	struct ifk_error derr = {0};
	int type = sqlite3_column_type(st, 4), rc;
	sqlite3_int64 len = sqlite3_column_int64(st, 4);
	const void *blob;

	if (type == SQLITE_NULL) {
		add_problem(r, "file is NULL");
		return 0;
	}
	if (sqlite3_column_type(st, 5) != SQLITE_BLOB) {
		if (len > MAX_BLOB)
			add_problem(r, "file is %lld bytes, over the %d-byte limit", (long long)len,
			            MAX_BLOB);
		else
			add_problem(r, "file is not a blob");
		return 0;
	}
	blob = sqlite3_column_blob(st, 5);
	rc = ifk_mbfile_decode(blob ? blob : (const void *)"", (size_t)sqlite3_column_bytes(st, 5),
	                       &r->e, &r->store, &derr);
	if (rc == IFK_ENOMEM || rc == IFK_EINVAL)
		return rc;
	if (rc < 0)
		add_problem(r, "%s", derr.msg);
	if (r->e.warning)
		add_warning(r, "%s", r->e.warning);
	return 0;
}

static int decode_row(sqlite3_stmt *st, uint64_t index, struct row *r)
{
	const char *rel;
	char want[IFK_FILE_ID_LEN + 1];
	int rc;

	memset(&r->e, 0, sizeof(r->e));
	r->e.relative_path = "";
	r->problem[0] = r->warning[0] = '\0';
	r->e.index = index;
	row_file_id(st, r);
	r->e.domain = row_text(st, 1, "domain", r);
	rel = row_text(st, 2, "relativePath", r);
	if ((rc = row_blob(st, r)) < 0)
		return rc;
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		if (*r->e.relative_path && strcmp(rel, r->e.relative_path) != 0)
			add_problem(r, "relativePath and MBFile RelativePath differ");
		r->e.relative_path = rel;
	}
	row_kind(st, r);
	row_unexpected(r);
	if (ifk_file_id(r->e.domain, r->e.relative_path, want, NULL) == 0)
		r->e.id_mismatch = strcmp(want, r->e.file_id) != 0;
	r->e.problem = r->problem[0] ? r->problem : NULL;
	r->e.warning = r->warning[0] ? r->warning : NULL;
	return 0;
}

static int walk_rows(sqlite3 *db, const char *path, ifk_entry_fn fn, void *ctx,
                     struct ifk_error *err)
{
	static const char sql[] = "SELECT fileID, domain, relativePath, flags, length(file), "
	                          "CASE WHEN typeof(file) = 'blob' AND length(file) <= ?1 "
	                          "THEN file END FROM Files";
	sqlite3_stmt *st = NULL;
	struct row *r = calloc(1, sizeof(*r));
	uint64_t n = 0;
	int rc = IFK_ENOMEM;

	if (!r) {
		ifk_error_set(err, rc, "%s: out of memory", path);
		goto out;
	}
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(st, 1, MAX_BLOB)) != SQLITE_OK) {
		rc = ifk_sqlite_fail(db, rc, sql, err, "%s: cannot query Files", path);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = decode_row(st, ++n, r)) < 0) {
			ifk_error_set(err, rc, "%s: row %llu: out of memory", path,
			              (unsigned long long)n);
			goto out;
		}
		rc = fn(&r->e, ctx);
		ifk_mbfile_release(&r->store);
		if (rc != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		rc = ifk_sqlite_fail(db, rc, sql, err, "%s: cannot read row %llu of Files", path,
		                     (unsigned long long)n + 1);
	else
		rc = 0;
out:
	sqlite3_finalize(st);
	if (r)
		ifk_mbfile_release(&r->store);
	free(r);
	return rc;
}

int ifk_manifest_db_foreach(const char *db_path, ifk_entry_fn fn, void *ctx, struct ifk_error *err)
{
	struct ifk_sqlite_budget budget = {0};
	sqlite3 *db = NULL;
	int rc;

	if (!db_path || !fn)
		return ifk_error_set(err, IFK_EINVAL, "Manifest.db: no path or no callback");
	if ((rc = ifk_sqlite_open_untrusted(db_path, &budget, 0, &db, err)) < 0)
		return rc;
	rc = check_files_table(db, db_path, err);
	if (rc == 0)
		rc = walk_rows(db, db_path, fn, ctx, err);
	if (rc < 0 && budget.cut)
		rc = ifk_sqlite_cut_error(&budget, db_path, err);
	sqlite3_close(db);
	return rc;
}
