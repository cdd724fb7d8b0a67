/* ifk-report's members: the parse output taken as ifk-parse recorded it,
 * the camera roll's files (with --include-media), report.json, report.html,
 * case.jsonld, SHA256SUMS; then the archive, its signature and the custody
 * entry. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "report_int.h"
#include "core.h"

#define MEDIA_DOMAIN "CameraRollDomain"
#define MEDIA_PREFIX "Media/DCIM/"

/* ---- files ---- */

static int copy_fd(int in, int out, const char *what, char sha_hex[65], struct ifk_error *err)
{
	struct ifk_copy c = {.out_fd = out};
	uint8_t dig[32];
	int rc;

	if (!(c.md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(c.md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c.md);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	rc = ifk_copy_fd(in, &c, what, err);
	if (rc == 1)
		rc = ifk_error_sys(err, IFK_EIO, c.read_errno, "%s: read failed", what);
	if (!rc && sha_hex) {
		EVP_DigestFinal_ex(c.md, dig, NULL);
		ifk_hex(dig, sizeof(dig), sha_hex);
	}
	EVP_MD_CTX_free(c.md);
	return rc;
}

int r_copy_file(int dir_fd, const char *name, const char *stage, const char *rel, char sha_hex[65],
                struct ifk_error *err)
{
	char *path = NULL;
	int in, out = -1, rc;

	in = ifk_open_regular(dir_fd, name, err);
	if (in < 0)
		return in;
	if (asprintf(&path, "%s/%s", stage, rel) < 0) {
		close(in);
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	rc = out < 0 ? ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", path)
	             : copy_fd(in, out, name, sha_hex, err);
	if (out >= 0 && close(out) != 0 && !rc)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: write failed", path);
	close(in);
	free(path);
	return rc;
}

int r_write_text(const char *path, const char *text, struct ifk_error *err)
{
	char *t = NULL;
	int rc;

	if (asprintf(&t, "%s\n", text) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = ifk_write_new(AT_FDCWD, path, t, strlen(t), 0600, err);
	free(t);
	return rc;
}

/* ---- the camera roll's files, caught in the verification pass ---- */

struct mfile {
	struct rep *r;
	EVP_MD_CTX *md;
	int fd;
	char *tmp, *domain, *relpath;
	uint64_t bytes;
};

static void *media_open(void *ctx, const struct ifk_verify_file *f)
{
	struct rep *r = ctx;
	struct mfile *m;

	if (strcmp(f->domain, MEDIA_DOMAIN) != 0 ||
	    strncmp(f->relative_path, MEDIA_PREFIX, strlen(MEDIA_PREFIX)) != 0)
		return NULL;
	if (!(m = calloc(1, sizeof(*m))))
		return NULL;
	m->r = r;
	m->md = EVP_MD_CTX_new();
	m->domain = strdup(f->domain);
	m->relpath = strdup(f->relative_path);
	if (!m->md || !EVP_DigestInit_ex(m->md, EVP_sha256(), NULL) || !m->domain || !m->relpath ||
	    asprintf(&m->tmp, "%s/media/.%s", r->stage, f->file_id) < 0)
		m->fd = -1;
	else
		m->fd = open(m->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (m->fd < 0 && !r->media_err.code)
		ifk_error_sys(&r->media_err, IFK_EIO, errno, "%s: cannot stage a media file",
		              r->stage);
	return m;
}

static int media_data(void *ctx, void *state, const uint8_t *buf, size_t len)
{
	struct mfile *m = state;
	struct ifk_error e = {0};

	(void)ctx;
	if (m->fd < 0)
		return 0;
	EVP_DigestUpdate(m->md, buf, len);
	m->bytes += len;
	if (ifk_write_all(m->fd, buf, len, m->tmp, &e) != 0) {
		if (!m->r->media_err.code)
			m->r->media_err = e;
		return IFK_EIO;
	}
	return 0;
}

static void media_close(void *ctx, void *state, int ok, int off_device, const char *reason)
{
	struct mfile *m = state;
	struct rep *r = ctx;
	uint8_t dig[32];
	char hex[65], *final = NULL;

	(void)off_device;
	(void)reason;
	if (m->fd >= 0 && close(m->fd) != 0)
		ok = 0;
	if (m->fd >= 0 && ok) {
		EVP_DigestFinal_ex(m->md, dig, NULL);
		ifk_hex(dig, sizeof(dig), hex);
		/* named by content: the same photo twice is one member */
		if (asprintf(&final, "%s/media/%s", r->stage, hex) >= 0 &&
		    rename(m->tmp, final) != 0 && !r->media_err.code)
			ifk_error_sys(&r->media_err, IFK_EIO, errno, "%s: cannot stage", final);
		free(final);
	}
	if (m->tmp)
		unlink(m->tmp);
	EVP_MD_CTX_free(m->md);
	free(m->tmp);
	free(m->domain);
	free(m->relpath);
	free(m);
}

void r_media_tap(struct rep *r, struct ifk_verify_tap *tap)
{
	tap->ctx = r;
	tap->open = media_open;
	tap->data = media_data;
	tap->close = media_close;
}

/* ---- the parse output, as ifk-parse recorded it ---- */

/* A member name from parse.json: one plain file name, nothing else. */
static int plain_name(const char *s)
{
	size_t i;

	if (!s || !*s || s[0] == '.' || strlen(s) > 128)
		return 0;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

static int take_outputs(struct rep *r, int pfd, struct ifk_error *err)
{
	json_t *outs = json_object_get(r->parse, "outputs"), *v;
	const char *name;
	char sha[65], rel[200];
	int rc = 0;

	if (!json_is_object(outs))
		return ifk_error_set(err, IFK_EINVAL, "%s/parse.json: no outputs listed",
		                     r->o->parse_dir);
	json_object_foreach(outs, name, v)
	{
		const char *want = json_string_value(json_object_get(v, "sha256"));
		if (!plain_name(name))
			return ifk_error_set(err, IFK_EINVAL,
			                     "%s/parse.json: a strange output name",
			                     r->o->parse_dir);
		snprintf(rel, sizeof(rel), "parse/%s", name);
		rc = r_copy_file(pfd, name, r->stage, rel, sha, err);
		if (!rc && (!want || strcmp(want, sha) != 0))
			rc = ifk_error_set(
			    err, IFK_EVERIFY,
			    "%s/%s: does not match parse.json (changed since ifk-parse "
			    "wrote it): refused",
			    r->o->parse_dir, name);
		if (rc)
			return rc;
	}
	return 0;
}

/* The custody entry that recorded this parse.json, if the bag has one. */
static void find_parse_entry(struct rep *r, const char *sha)
{
	json_t *entries = json_object_get(r->custody, "entries");
	size_t i;

	for (i = 0; i < json_array_size(entries); i++) {
		json_t *e = json_array_get(entries, i), *d = json_object_get(e, "details");
		const char *a = json_string_value(json_object_get(e, "action"));
		const char *h = json_string_value(json_object_get(d, "parse_json_sha256"));
		if (a && h && strcmp(a, "parse") == 0 && strcmp(h, sha) == 0)
			r->parse_seq = (long)json_integer_value(json_object_get(e, "seq"));
	}
}

struct bound {
	const char *sha;
	int found;
};

static int bound_entry(void *ctx, unsigned long lineno, const char *hash, const char *body)
{
	struct bound *b = ctx;
	json_t *e = json_loads(body, 0, NULL), *d = json_object_get(e, "details");
	const char *a = json_string_value(json_object_get(e, "action"));
	const char *h = json_string_value(json_object_get(d, "parse_json_sha256"));

	(void)lineno;
	(void)hash;
	if (a && h && strcmp(a, "parse") == 0 && strcmp(h, b->sha) == 0)
		b->found = 1;
	json_decref(e);
	return 0;
}

/* parse.json names the evidence it was made from; it must be this bag. */
static int same_evidence(struct rep *r, struct ifk_error *err)
{
	json_t *ev = json_object_get(r->parse, "evidence");
	const char *rec = json_string_value(json_object_get(ev, "acquisition_record_sha256"));
	const char *udid = json_string_value(json_object_get(ev, "udid"));
	const char *bag_udid =
	    json_string_value(json_object_get(json_object_get(r->record, "device"), "udid"));

	if (!rec)
		return ifk_error_set(err, IFK_EVERIFY,
		                     "%s/parse.json names no acquisition record: not made by "
		                     "ifk-parse from a sealed bag; refused",
		                     r->o->parse_dir);
	if (strcmp(rec, r->record_sha) != 0)
		return ifk_error_set(err, IFK_EVERIFY,
		                     "%s was made from another bag (acquisition record %.16s..., "
		                     "this bag's is %.16s...%s%s): refused",
		                     r->o->parse_dir, rec, r->record_sha, udid ? ", device " : "",
		                     udid ? udid : "");
	if (udid && bag_udid && strcasecmp(udid, bag_udid) != 0)
		return ifk_error_set(err, IFK_EVERIFY,
		                     "%s names device %s, the bag holds %s: refused",
		                     r->o->parse_dir, udid, bag_udid);
	return 0;
}

int r_bind_parse(struct rep *r, struct ifk_error *err)
{
	int pfd = open(r->o->parse_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;
	struct bound b = {r->parse_sha, 0};
	char *path = NULL;
	json_error_t je;

	if (pfd < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open", r->o->parse_dir);
	rc = r_copy_file(pfd, "parse.json", r->stage, "parse/parse.json", r->parse_sha, err);
	close(pfd);
	if (!rc && (asprintf(&path, "%s/parse/parse.json", r->stage) < 0 ||
	            !(r->parse = json_load_file(path, 0, &je)) || !json_is_object(r->parse)))
		rc = ifk_error_set(err, IFK_EFORMAT, "%s/parse.json: not ifk-parse's parse.json",
		                   r->o->parse_dir);
	free(path);
	if (!rc)
		rc = same_evidence(r, err);
	if (!rc)
		rc = ifk_custody_foreach(r->bag_fd, bound_entry, &b, err);
	if (!rc && !b.found)
		rc = ifk_error_set(
		    err, IFK_EVERIFY,
		    "%s/parse.json (SHA-256 %.16s...) is recorded in no parse entry of "
		    "%s's custody log: changed since ifk-parse wrote it, or parsed "
		    "with --read-only; refused",
		    r->o->parse_dir, r->parse_sha, r->o->bag);
	return rc;
}

int r_take_parse(struct rep *r, struct ifk_error *err)
{
	int pfd = open(r->o->parse_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;
	struct ifk_error e = {0};
	char *path = NULL;

	if (pfd < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open", r->o->parse_dir);
	rc = take_outputs(r, pfd, err);
	close(pfd);
	if (rc)
		return rc;
	find_parse_entry(r, r->parse_sha);
	if (!r->parse_seq) /* the log copied after the verification lost it */
		return ifk_error_set(err, IFK_EVERIFY,
		                     "%s/parse.json: its custody entry is no longer in %s's log: "
		                     "refused",
		                     r->o->parse_dir, r->o->bag);
	/* the parse output is input like any other: opened as ifk opens
	 * evidence, and it must look like what ifk-parse writes */
	if (asprintf(&path, "%s/parse/artifacts.sqlite", r->stage) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = ifk_sqlite_open_untrusted(path, &r->sql, IFK_SQLITE_IFK_OUTPUT, &r->arts, &e);
	if (rc)
		rc = r_parse_db_error(r, rc, &e, path, err);
	free(path);
	return rc;
}

int r_parse_cut_error(struct rep *r, struct ifk_error *err)
{
	char what[1024];

	snprintf(what, sizeof(what), "%s/artifacts.sqlite", r->o->parse_dir);
	return ifk_sqlite_cut_error(&r->sql, what, err);
}

int r_parse_db_error(struct rep *r, int rc, const struct ifk_error *e, const char *staged,
                     struct ifk_error *err)
{
	const char *at = staged ? strstr(e->msg, staged) : NULL;

	if (r->sql.cut)
		return r_parse_cut_error(r, err);
	/* name the parse folder's file, not the staged copy */
	if (at)
		return ifk_error_set(err, rc, "%.*s%s/artifacts.sqlite%s", (int)(at - e->msg),
		                     e->msg, r->o->parse_dir, at + strlen(staged));
	return ifk_error_set(err, rc, "%s/artifacts.sqlite: %s", r->o->parse_dir, e->msg);
}
