/* report.json: the model of the report, from the acquisition record, the
 * custody log, the fresh verification and the parse output. It holds no
 * clock time: its time is the custody head's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "report_int.h"

static json_t *get(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v ? json_incref(v) : json_null();
}

static json_t *case_json(struct rep *r)
{
	json_t *c = json_object_get(r->record, "case");

	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "case", get(c, "case_number"), "evidence",
	                 get(c, "evidence_number"), "examiner", get(c, "examiner"), "organization",
	                 get(c, "organization"), "notes", get(c, "notes"));
}

static json_t *examiner_json(struct rep *r)
{
	json_t *c = json_object_get(r->record, "case");
	const char *name =
	    r->o->examiner ? r->o->examiner : json_string_value(json_object_get(c, "examiner"));

	return json_pack("{s:o, s:o, s:s, s:s}", "name", ifk_json_text(name), "organization",
	                 get(c, "organization"), "certificate_subject",
	                 ifk_signer_subject(r->signer), "certificate_sha256",
	                 ifk_signer_fingerprint(r->signer));
}

static json_t *device_json(struct rep *r)
{
	json_t *d = json_object_get(r->record, "device");

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
	                 get(d, "device_name"), "product_type", get(d, "product_type"),
	                 "product_name", get(d, "product_name"), "ios_version",
	                 get(d, "ios_version"), "build", get(d, "ios_build"), "serial",
	                 get(d, "serial_number"), "udid", get(d, "udid"), "imei", get(d, "imei"),
	                 "meid", get(d, "meid"), "iccid", get(d, "iccid"), "phone_number",
	                 get(d, "phone_number"));
}

static json_t *acquisition_json(struct rep *r)
{
	json_t *rec = r->record, *counts = json_object_get(rec, "counts"),
	       *src = json_object_get(rec, "source"),
	       *cert = json_object_get(rec, "examiner_certificate");
	json_t *source =
	    json_object_get(src, "description") ? get(src, "description") : get(src, "path");

	return json_pack(
	    "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}}", "method",
	    get(rec, "method"), "source", source, "started", get(rec, "started"), "ended",
	    get(rec, "ended"), "files", get(counts, "files"), "bytes", get(counts, "bytes"),
	    "anomalies",
	    json_is_array(json_object_get(rec, "anomalies")) ? get(rec, "anomalies") : json_array(),
	    "anomaly_count", get(rec, "anomalies_total"), "payload_oxum", get(rec, "payload_oxum"),
	    "tool", get(rec, "tool"), "tool_version", get(rec, "version"), "seal", "signer",
	    get(cert, "subject"), "certificate_sha256", get(cert, "sha256"));
}

/* ---- what artifacts.sqlite holds ---- */

static int db_fail(struct rep *r, const char *sql, const char *what, struct ifk_error *err)
{
	return ifk_sqlite_fail(r->arts, sqlite3_extended_errcode(r->arts), sql, err,
	                       "%s/artifacts.sqlite: %s", r->o->parse_dir, what);
}

/* *n: the rows of table (-1 without a database). */
static int count_rows(struct rep *r, const char *table, long long *n, struct ifk_error *err)
{
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	int rc = 0;

	*n = -1;
	if (!r->arts)
		return 0;
	if (!(sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table)))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(r->arts, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		rc = db_fail(r, sql, table, err);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return rc;
}

/* 1 when artifacts.sqlite has the table (--only may have left it out). */
static int has_table(struct rep *r, const char *table, struct ifk_error *err)
{
	static const char sql[] = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?";
	sqlite3_stmt *st = NULL;
	int rc;

	if (!r->arts)
		return 0;
	if (sqlite3_prepare_v2(r->arts, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, sql, "sqlite_master", err);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : db_fail(r, sql, "sqlite_master", err);
	sqlite3_finalize(st);
	return rc;
}

static json_t *parse_json(struct rep *r, long long events)
{
	json_t *p = r->parse, *arts = json_array(), *in = json_object_get(p, "artifacts");
	json_t *y = json_object_get(p, "yara");
	size_t i;
	char member[200];

	for (i = 0; i < json_array_size(in); i++) {
		json_t *a = json_array_get(in, i);
		const char *name = json_string_value(json_object_get(a, "name"));
		snprintf(member, sizeof(member), "parse/%s.jsonl", name ? name : "");
		json_array_append_new(
		    arts,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o}", "name",
		              get(a, "name"), "title", get(a, "title"), "status", get(a, "status"),
		              "rows", get(a, "rows"), "reason", get(a, "reason"), "sources",
		              get(a, "sources"), "member", member, "verification_findings",
		              get(a, "verification_findings"), "verification_findings_total",
		              get(a, "verification_findings_total")));
	}
	return json_pack(
	    "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:I, s:o, s:I, s:o}", "parse_json_sha256",
	    r->parse_sha, "evidence", get(p, "evidence"), "outcome", get(p, "outcome"),
	    "verification", get(p, "verification"), "files", get(p, "files"), "yara",
	    get(p, "yara"), "artifacts", arts, "timeline_member", "parse/timeline.csv",
	    "timeline_events", (json_int_t)events, "yara_member",
	    json_is_object(y) ? json_string("parse/yara.jsonl") : json_null(), "yara_matches",
	    (json_int_t)json_integer_value(json_object_get(y, "matches")), "custody_seq",
	    r->parse_seq ? json_integer(r->parse_seq) : json_null());
}

static json_t *media_one(struct rep *r, sqlite3_stmt *st)
{
	const char *sha = (const char *)sqlite3_column_text(st, 2);
	json_t *m = json_pack(
	    "{s:o, s:o, s:o, s:I}", "domain",
	    ifk_json_text((const char *)sqlite3_column_text(st, 0)), "relative_path",
	    ifk_json_text((const char *)sqlite3_column_text(st, 1)), "sha256",
	    sha ? json_string(sha) : json_null(), "size", (json_int_t)sqlite3_column_int64(st, 3));
	char member[100], *path = NULL;

	snprintf(member, sizeof(member), "media/%s", sha ? sha : "");
	if (sha && asprintf(&path, "%s/%s", r->stage, member) < 0)
		path = NULL;
	json_object_set_new(m, "member",
	                    path && access(path, F_OK) == 0 ? json_string(member) : json_null());
	free(path);
	return m;
}

int r_media_each(const struct r_lists *l, r_row_fn fn, void *ctx, struct ifk_error *err)
{
	static const char sql[] = "SELECT file_domain, file_path, sha256, size FROM media_files"
	                          " ORDER BY row_id";
	struct rep *r = l->r;
	sqlite3_stmt *st = NULL;
	int rc = 0, step = SQLITE_DONE;

	if (l->media <= 0)
		return 0;
	if (sqlite3_prepare_v2(r->arts, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, sql, "media_files", err);
	/* one row at a time: the list is as long as the camera roll */
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *m = media_one(r, st);
		rc = m ? fn(ctx, m, err) : ifk_error_set(err, IFK_ENOMEM, "out of memory");
		json_decref(m);
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(r, sql, "media_files", err);
	sqlite3_finalize(st);
	return rc;
}

/* The camera roll, referenced by hash (from parse's media_files): only its
 * length is kept; r_media_each reads the rows where they are written. */
static int media_count(struct rep *r, struct ifk_error *err)
{
	long long n = 0;
	int rc = has_table(r, "media_files", err);

	r->lists.r = r;
	r->lists.media = 0;
	if (rc <= 0)
		return rc;
	rc = count_rows(r, "media_files", &n, err);
	if (!rc)
		r->lists.media = (json_int_t)n;
	return rc;
}

static json_t *verification_json(struct rep *r)
{
	json_t *v = json_deep_copy(r->verify);

	json_object_del(v, "target");
	return v;
}

int r_build_report(struct rep *r, struct ifk_error *err)
{
	json_t *rec = r->record;
	long long events = -1;
	int rc;

	if ((rc = count_rows(r, "timeline", &events, err)) != 0 || (rc = media_count(r, err)) != 0)
		return rc;
	r->report = json_pack("{s:s, s:s, s:i, s:s, s:o}", "tool", "ifk-report", "version",
	                      IFK_VERSION, "format_version", 1, "report_time", r->head_time, "bag",
	                      ifk_json_text(r->o->bag));
	if (!r->report)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	/* what binds the report to its bag: the sealed record's SHA-256 */
	json_object_set_new(r->report, "acquisition_record_sha256", json_string(r->record_sha));
	json_object_set_new(r->report, "case", case_json(r));
	json_object_set_new(r->report, "examiner", examiner_json(r));
	json_object_set_new(r->report, "device", device_json(r));
	json_object_set_new(r->report, "acquisition", acquisition_json(r));
	json_object_set(r->report, "custody", r->custody);
	json_object_set_new(r->report, "verification", verification_json(r));
	json_object_set_new(r->report, "parse", r->parse ? parse_json(r, events) : json_null());
	/* its place in report.json: written from r->lists (write.c) */
	json_object_set_new(r->report, "media", json_null());
	json_object_set_new(r->report, "backup_files",
	                    json_pack("{s:o, s:s, s:o}", "count",
	                              get(json_object_get(rec, "counts"), "files"), "manifest",
	                              "manifest-sha256.txt", "manifest_sha256",
	                              get(rec, "manifest_sha256")));
	return 0;
}
