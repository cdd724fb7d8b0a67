/* ifk-parse's consumer of the verification pass: for every file of the
 * backup it hashes the plaintext, keeps the artifact sources in the private
 * temporary folder, writes the export tree and feeds the YARA scanner, all
 * from the one read. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats.h"
#include "core.h"
#include "parse_int.h"

struct pfile {
	struct ifk_verify_file f;
	char *domain, *relpath, *file_id;
	EVP_MD_CTX *sha;
	int keep_fd, export_fd, yara;
	char *keep_path;
	uint64_t bytes;
};

/* Whether an artifact asked for this file (or it is the -wal or -shm of
 * one that was asked for). */
static int wanted(const struct peng *g, const char *domain, const char *relpath)
{
	size_t n = strlen(relpath), i, j;

	for (i = 0; g->arts[i]; i++) {
		const struct ifk_art_source *s = g->arts[i]->sources;
		for (j = 0; s[j].domain; j++) {
			size_t m = strlen(s[j].path);
			if (strcmp(s[j].domain, domain) != 0 || !m || s[j].path[m - 1] == '/')
				continue;
			if (strcmp(s[j].path, relpath) == 0)
				return 1;
			if (n == m + 4 && strncmp(relpath, s[j].path, m) == 0 &&
			    (strcmp(relpath + m, "-wal") == 0 || strcmp(relpath + m, "-shm") == 0))
				return 1;
		}
	}
	return 0;
}

static void note_error(struct peng *g, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note_error(struct peng *g, int code, const char *fmt, ...)
{
	va_list ap;

	if (g->tap_err.code)
		return;
	g->tap_err.code = code;
	va_start(ap, fmt);
	vsnprintf(g->tap_err.msg, sizeof(g->tap_err.msg), fmt, ap);
	va_end(ap);
}

/* ---- export ---- */

static void export_skip(struct peng *g, const char *domain, const char *relpath, const char *why)
{
	g->export_skipped++;
	if (json_array_size(g->export_skips) < 1000)
		json_array_append_new(g->export_skips,
		                      json_pack("{s:o, s:o, s:o}", "domain", ifk_json_text(domain),
		                                "relative_path", ifk_json_text(relpath), "reason",
		                                ifk_json_text(why)));
}

/* Opens (creating folders) domain/relpath below the export folder without
 * following any symlink; -1 when it cannot be placed. */
static int export_open(struct peng *g, const char *domain, const char *relpath)
{
	char *copy = NULL, *p, *slash;
	int dfd, fd = -1, next;

	if (!ifk_domain_is_safe(domain) || !ifk_path_is_safe(relpath) || !*relpath)
		return -1;
	if (asprintf(&copy, "%s/%s", domain, relpath) < 0)
		return -1;
	dfd = dup(g->export_fd);
	for (p = copy; dfd >= 0 && (slash = strchr(p, '/')); p = slash + 1) {
		*slash = '\0';
		if (!*p || strcmp(p, ".") == 0)
			continue;
		if (mkdirat(dfd, p, 0700) != 0 && errno != EEXIST)
			break;
		next = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		dfd = next;
	}
	if (dfd >= 0 && !slash && *p)
		fd = openat(dfd, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd >= 0)
		close(dfd);
	free(copy);
	return fd;
}

static void export_close(struct peng *g, struct pfile *pf, int ok, const char *reason)
{
	struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};

	if (pf->export_fd < 0)
		return;
	if (ok && pf->f.mtime > 0) {
		ts[1].tv_sec = pf->f.mtime;
		ts[1].tv_nsec = 0;
		futimens(pf->export_fd, ts);
	}
	if (close(pf->export_fd) != 0)
		ok = 0;
	pf->export_fd = -1;
	if (ok) {
		g->exported++;
		return;
	}
	/* a partial plaintext is not left in the export */
	export_skip(g, pf->domain, pf->relpath, reason && *reason ? reason : "write failed");
	{
		char *path = NULL;
		if (asprintf(&path, "%s/%s/%s", g->export_tmp, pf->domain, pf->relpath) >= 0)
			unlink(path);
		free(path);
	}
}

/* ---- the tap ---- */

static void pfile_free(struct pfile *pf)
{
	if (!pf)
		return;
	EVP_MD_CTX_free(pf->sha);
	if (pf->keep_fd >= 0)
		close(pf->keep_fd);
	free(pf->keep_path);
	free(pf->domain);
	free(pf->relpath);
	free(pf->file_id);
	free(pf);
}

static int keep_open(struct peng *g, struct pfile *pf)
{
	if (asprintf(&pf->keep_path, "%s/src/%s", g->tmpdir, pf->file_id) < 0) {
		pf->keep_path = NULL;
		return -1;
	}
	pf->keep_fd =
	    open(pf->keep_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return pf->keep_fd < 0 ? -1 : 0;
}

/* A scan error that concerns one file (a rule with too many matches) is
 * recorded for that file and the pass goes on; running out of memory stops
 * it. */
static int yara_problem(struct peng *g, struct pfile *pf, const struct ifk_error *e)
{
	if (e->code == IFK_ENOMEM) {
		note_error(g, IFK_ENOMEM, "YARA: %s", e->msg);
		return IFK_ENOMEM;
	}
	ifk_yara_abort(g->yara);
	pf->yara = 0;
	g->yara_errors++;
	if (json_array_size(g->yara_error_list) < 1000)
		json_array_append_new(g->yara_error_list,
		                      json_pack("{s:o, s:o, s:o}", "domain",
		                                ifk_json_text(pf->domain), "relative_path",
		                                ifk_json_text(pf->relpath), "reason",
		                                ifk_json_text(e->msg)));
	return 0;
}

static void *tap_open(void *ctx, const struct ifk_verify_file *f)
{
	struct peng *g = ctx;
	struct pfile *pf = calloc(1, sizeof(*pf));
	struct ifk_error e = {0};

	if (!pf) {
		note_error(g, IFK_ENOMEM, "%s/%s: out of memory", f->domain, f->relative_path);
		return NULL;
	}
	pf->f = *f;
	pf->keep_fd = pf->export_fd = -1;
	pf->domain = strdup(f->domain);
	pf->relpath = strdup(f->relative_path);
	pf->file_id = strdup(f->file_id);
	pf->sha = EVP_MD_CTX_new();
	if (!pf->domain || !pf->relpath || !pf->file_id || !pf->sha ||
	    !EVP_DigestInit_ex(pf->sha, EVP_sha256(), NULL)) {
		note_error(g, IFK_ENOMEM, "%s/%s: out of memory", f->domain, f->relative_path);
		pfile_free(pf);
		return NULL;
	}
	if (wanted(g, f->domain, f->relative_path) && keep_open(g, pf) != 0)
		note_error(g, IFK_EIO, "%s/%s: cannot keep a private copy", f->domain,
		           f->relative_path);
	if (g->export_fd >= 0) {
		pf->export_fd = export_open(g, f->domain, f->relative_path);
		if (pf->export_fd < 0)
			export_skip(g, f->domain, f->relative_path,
			            "its domain or relativePath cannot be placed safely");
	}
	if (g->yara && ifk_yara_begin(g->yara, f->size, &e) == 0)
		pf->yara = 1;
	else if (g->yara)
		yara_problem(g, pf, &e);
	return pf;
}

static int tap_data(void *ctx, void *state, const uint8_t *buf, size_t len)
{
	struct peng *g = ctx;
	struct pfile *pf = state;
	struct ifk_error e = {0};

	if (g->tap_err.code)
		return g->tap_err.code;
	EVP_DigestUpdate(pf->sha, buf, len);
	pf->bytes += len;
	if (pf->keep_fd >= 0 && ifk_write_all(pf->keep_fd, buf, len, pf->keep_path, &e) != 0) {
		note_error(g, IFK_EIO, "%s", e.msg);
		return IFK_EIO;
	}
	if (pf->export_fd >= 0 && ifk_write_all(pf->export_fd, buf, len, "export", &e) != 0) {
		note_error(g, IFK_EIO, "%s: %s", g->o->export_dir, e.msg);
		return IFK_EIO;
	}
	if (pf->yara && ifk_yara_feed(g->yara, buf, len, &e) != 0)
		return yara_problem(g, pf, &e);
	return 0;
}

static void yara_finish(struct peng *g, struct pfile *pf, const char *sha, int ok)
{
	struct ifk_error e = {0};
	json_t *matches = NULL;
	size_t i;

	if (!pf->yara)
		return;
	if (!ok) {
		ifk_yara_abort(g->yara);
		return;
	}
	if (ifk_yara_end(g->yara, &matches, &e) != 0) {
		yara_problem(g, pf, &e);
		return;
	}
	g->yara_files++;
	for (i = 0; i < json_array_size(matches); i++) {
		json_t *m = json_array_get(matches, i);
		json_object_set_new(m, "domain", ifk_json_text(pf->domain));
		json_object_set_new(m, "relative_path", ifk_json_text(pf->relpath));
		json_object_set_new(m, "file_id", json_string(pf->file_id));
		json_object_set_new(m, "sha256", json_string(sha));
		json_object_set_new(m, "size", json_integer((json_int_t)pf->bytes));
		if (json_dumpf(m, g->yara_out, JSON_COMPACT) != 0 ||
		    fputc('\n', g->yara_out) == EOF)
			note_error(g, IFK_EIO, "%s/yara.jsonl: write failed", g->out_tmp);
		g->yara_matches++;
	}
	json_decref(matches);
}

static void tap_close(void *ctx, void *state, int ok, int off_device, const char *reason)
{
	struct peng *g = ctx;
	struct pfile *pf = state;
	struct ifk_error e = {0};
	uint8_t md[32];
	char hex[65] = "";
	const char *st = ok ? "ok" : off_device ? "not-decryptable-off-device" : "failed";

	if (ok) {
		EVP_DigestFinal_ex(pf->sha, md, NULL);
		ifk_hex(md, sizeof(md), hex);
		g->files_ok++;
		g->bytes_ok += pf->bytes;
	} else if (off_device) {
		g->files_off_device++;
	} else {
		g->files_failed++;
	}
	if (pf->keep_fd >= 0 && close(pf->keep_fd) != 0)
		note_error(g, IFK_EIO, "%s: write failed", pf->keep_path);
	pf->keep_fd = -1;
	yara_finish(g, pf, hex, ok);
	export_close(g, pf, ok, reason);
	if (p_ctx_index(g->ctx, pf->domain, pf->relpath, pf->file_id, ok ? pf->bytes : pf->f.size,
	                pf->f.mtime, pf->f.birth, pf->f.protection_class, ok ? hex : NULL, st,
	                ok ? NULL : reason, ok ? pf->keep_path : NULL, &e) != 0)
		note_error(g, IFK_EIO, "%s", e.msg);
	pfile_free(pf);
}

/* Listed by the index, not stored: recorded so that an artifact whose
 * source it is says "missing", not "absent". */
static void tap_missing(void *ctx, const struct ifk_verify_file *f)
{
	struct peng *g = ctx;
	struct ifk_error e = {0};

	if (p_ctx_index(g->ctx, f->domain, f->relative_path, f->file_id, f->size, f->mtime,
	                f->birth, f->protection_class, NULL, "missing",
	                "listed in the index, but not stored in the backup", NULL, &e) != 0)
		note_error(g, IFK_EIO, "%s", e.msg);
}

void p_tap_init(struct peng *g, struct ifk_verify_tap *t)
{
	t->ctx = g;
	t->open = tap_open;
	t->data = tap_data;
	t->close = tap_close;
	t->missing = tap_missing;
}
