/* Writing the report: report.json, report.html and case.jsonld into the
 * stage, SHA256SUMS over every member, the archive, its signature, and the
 * custody entry. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "report_int.h"
#include "core.h"

/* ---- the members ---- */

static FILE *create(struct rep *r, const char *name, struct ifk_error *err)
{
	char *path = NULL;
	FILE *f = NULL;
	int fd;

	if (asprintf(&path, "%s/%s", r->stage, name) < 0) {
		ifk_error_set(err, IFK_ENOMEM, "out of memory");
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", path);
		if (fd >= 0)
			close(fd);
	}
	free(path);
	return f;
}

static int finish(FILE *f, const char *name, int rc, struct ifk_error *err)
{
	if ((ferror(f) | fclose(f)) != 0 && !rc)
		rc = ifk_error_set(err, IFK_EIO, "%s: write failed", name);
	return rc;
}

/* ---- report.json, written as json_dumps (JSON_INDENT(2)) would write it
 * whole, with the media list streamed in its place ---- */

/* v as it stands at depth in an indented document: a newline inside it is
 * followed by the depth's indentation (no JSON string holds a raw newline). */
static int put_json(FILE *f, const json_t *v, int depth)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_ENCODE_ANY), *p, *nl;

	if (!s)
		return IFK_ENOMEM;
	for (p = s; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(f, "%.*s%*s", (int)(nl + 1 - p), p, 2 * depth, "");
	fputs(p, f);
	free(s);
	return 0;
}

struct jlist {
	FILE *f;
	size_t n;
};

/* One element of an array that is a member of the top-level object. */
static int put_item(void *ctx, const json_t *row, struct ifk_error *err)
{
	struct jlist *l = ctx;

	fputs(l->n++ ? ",\n    " : "[\n    ", l->f);
	if (put_json(l->f, row, 2) != 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	return 0;
}

static int put_media(struct rep *r, FILE *f, struct ifk_error *err)
{
	struct jlist l = {f, 0};
	int rc = r_media_each(&r->lists, put_item, &l, err);

	fputs(l.n ? "\n  ]" : "[]", f);
	return rc;
}

static int put_name(void *ctx, const struct ifk_rar_member *m, struct ifk_error *err)
{
	json_t *s = json_string(m->name);
	int rc = s ? put_item(ctx, s, err) : ifk_error_set(err, IFK_ENOMEM, "out of memory");

	json_decref(s);
	return rc;
}

static int put_members(struct rep *r, FILE *f, struct ifk_error *err)
{
	struct jlist l = {f, 0};
	int rc = ifk_rar_list_each(r->lists.members, put_name, &l, err);

	fputs(l.n ? "\n  ]" : "[]", f);
	return rc;
}

static int put_report_json(struct rep *r, FILE *f, struct ifk_error *err)
{
	const char *key;
	json_t *v;
	size_t i = 0, n = json_object_size(r->report);
	int rc = 0;

	fputs("{", f);
	json_object_foreach(r->report, key, v)
	{
		json_t *k = json_string(key);
		fputs("\n  ", f);
		rc = k ? put_json(f, k, 1) : IFK_ENOMEM;
		json_decref(k);
		fputs(": ", f);
		if (!rc && strcmp(key, "media") == 0)
			rc = put_media(r, f, err);
		else if (!rc && strcmp(key, "report_members") == 0 && r->lists.members)
			rc = put_members(r, f, err);
		else if (!rc)
			rc = put_json(f, v, 1);
		if (rc)
			return rc == IFK_ENOMEM ? ifk_error_set(err, rc, "out of memory") : rc;
		fputs(++i < n ? "," : "\n", f);
	}
	fputs("}\n", f);
	return 0;
}

/* The staged members (and the two written last), listed in SQLite rather
 * than in memory: with --include-media there is one per camera-roll file.
 * report.json's "report_members" keeps its place in the model and is
 * written from the list. */
static int list_members(struct rep *r, struct ifk_error *err)
{
	static const char *const later[] = {"case.jsonld", "report.html", NULL};
	const char *const *p;
	int rc = ifk_rar_list_stage(r->stage, 0, &r->lists.members, err);

	for (p = later; !rc && *p; p++)
		rc = ifk_rar_list_add(r->lists.members, *p, NULL, 0, err);
	if (!rc && json_object_set_new(r->report, "report_members", json_array()) != 0)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	r->members = ifk_rar_list_count(r->lists.members);
	return rc;
}

int r_write_members(struct rep *r, struct ifk_error *err)
{
	struct ifk_rar_list *files = NULL;
	char *manifest = NULL;
	FILE *f;
	int rc = list_members(r, err);

	if (!rc && (f = create(r, "report.json", err)))
		rc = finish(f, "report.json", put_report_json(r, f, err), err);
	else if (!rc)
		rc = err->code;
	if (!rc && (f = create(r, "report.html", err)))
		rc = finish(f, "report.html",
		            ifk_report_html_write(f, r->report, r->arts, &r->lists, err), err);
	else if (!rc)
		rc = err->code;
	ifk_rar_list_free(r->lists.members);
	r->lists.members = NULL;
	/* every member staged so far, hashed, for case.jsonld */
	if (!rc)
		rc = ifk_rar_list_stage(r->stage, 1, &files, err);
	if (!rc && asprintf(&manifest, "%s/%s", r->o->bag, IFK_BAG_MANIFEST) < 0)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc && (f = create(r, "case.jsonld", err)))
		rc = finish(f, "case.jsonld",
		            ifk_report_case_write(f, r->report, manifest, files, err), err);
	else if (!rc)
		rc = err->code;
	if (!rc)
		rc = ifk_rar_sha256sums(r->stage, err);
	ifk_rar_list_free(files);
	free(manifest);
	return rc;
}

/* ---- the archive, its signature, the custody entry ---- */

static int evidence_time(struct rep *r, time_t *t, struct ifk_error *err)
{
	struct tm tm = {0};
	const char *end = strptime(r->head_time, "%Y-%m-%dT%H:%M:%SZ", &tm);

	if (!end || *end)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "the custody head's time \"%s\" is not UTC ISO 8601",
		                     r->head_time);
	*t = timegm(&tm);
	return 0;
}

static int sign(struct rep *r, char sig_sha[65], struct ifk_error *err)
{
	uint8_t *der = NULL;
	size_t len = 0;
	int fd = ifk_open_regular(AT_FDCWD, r->o->out, err), rc;

	if (fd < 0)
		return fd;
	rc = ifk_signer_sign_fd(r->signer, fd, &der, &len, err);
	close(fd);
	if (!rc && !(rc = ifk_write_new(AT_FDCWD, r->sig_path, der, len, 0644, err)))
		r->sig_made = 1;
	if (!rc)
		ifk_sha256_hex(der, len, sig_sha);
	free(der);
	return rc;
}

static int custody(struct rep *r, json_t *summary, struct ifk_error *err)
{
	struct ifk_custody_event ev = {"ifk-report",   "report",   "signed",
	                               r->o->examiner, time(NULL), NULL};
	json_t *d = json_pack(
	    "{s:O, s:O, s:O, s:O, s:{s:s, s:I}, s:O}", "report", json_object_get(summary, "report"),
	    "report_sha256", json_object_get(summary, "report_sha256"), "signature_sha256",
	    json_object_get(summary, "signature_sha256"), "members",
	    json_object_get(summary, "members"), "custody_head", "hash", r->head, "seq",
	    (json_int_t)r->head_seq, "verification", json_object_get(summary, "verification"));
	char hash[65];
	int rc;

	if (!d)
		return ifk_error_set(err, IFK_ENOMEM, "cannot build the custody entry");
	ev.details = d;
	rc = ifk_custody_append(r->bag_fd, &ev, hash, err);
	if (!rc)
		json_object_set_new(summary, "custody_appended", json_string(hash));
	json_decref(d);
	return rc;
}

int r_archive_and_sign(struct rep *r, json_t **summary, struct ifk_error *err)
{
	char hex[IFK_SHA256_HEX], sig[IFK_SHA256_HEX], *out_j = ifk_text_escape(r->o->out);
	char *sig_j = ifk_text_escape(r->sig_path);
	uint64_t bytes = 0;
	time_t t = 0;
	int fd, rc = evidence_time(r, &t, err);

	if (!rc && !(rc = ifk_rar_write(r->o->out, r->stage, t, err)))
		r->out_made = 1;
	if (!rc && (fd = ifk_open_regular(AT_FDCWD, r->o->out, err)) >= 0) {
		rc = ifk_sha256_fd(fd, hex, &bytes, r->o->out, err);
		close(fd);
	} else if (!rc) {
		rc = err->code;
	}
	if (!rc)
		rc = sign(r, sig, err);
	if (!rc)
		*summary = json_pack(
		    "{s:s, s:s, s:I, s:s, s:s, s:I, s:O, s:s, s:s, s:I}", "report",
		    out_j ? out_j : "", "report_sha256", hex, "report_bytes", (json_int_t)bytes,
		    "signature", sig_j ? sig_j : "", "signature_sha256", sig, "members",
		    (json_int_t)r->members + 2,
		    "verification", json_object_get(r->verify, "verdict"), "report_time",
		    r->head_time, "custody_head", r->head, "custody_head_seq",
		    (json_int_t)r->head_seq);
	free(out_j);
	free(sig_j);
	if (!rc && !*summary)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc && !r->o->read_only && (rc = custody(r, *summary, err)) != 0)
		rc = ifk_error_set(err, IFK_EIO,
		                   "the report is complete, but no custody entry was appended: %s",
		                   err->msg);
	return rc;
}
