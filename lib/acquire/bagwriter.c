/* The bag writer every acquisition method fills: the bag under its
 * .incomplete name, the anomalies, the payload manifest, the captured
 * metadata plists, the tag files, the record, the custody log's first
 * entry, the seal, and the final rename. */
#include <dirent.h>
#include <libgen.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acquire_int.h"
#include "evidence.h"
#include "core.h"

static const char *capture_names[ACQ_NCAPTURE] = {"Info.plist", "Manifest.plist", "Status.plist"};

#define MAX_LISTED_ANOMALIES 10000

void acq_anomaly(struct acq *a, const char *kind, const char *path, const char *detail)
{
	char *p, *d;

	a->anomaly_count++;
	if (json_array_size(a->anomalies) >= MAX_LISTED_ANOMALIES)
		return;
	/* names as found may be any bytes: the record keeps them escaped */
	p = ifk_text_escape(path);
	d = ifk_text_escape(detail);
	if (p && d)
		json_array_append_new(a->anomalies, json_pack("{s:s, s:s, s:s}", "kind", kind,
		                                              "path", p, "detail", d));
	free(p);
	free(d);
}

int acq_manifest_line(struct acq *a, const char *hex, const char *rel, struct ifk_error *err)
{
	char *enc = ifk_bag_encode_path(rel), *line = NULL;
	int n, rc = 0;

	if (!enc)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	n = asprintf(&line, "%s  %s/%s\n", hex, IFK_BAG_PAYLOAD, enc);
	free(enc);
	if (n < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	EVP_DigestUpdate(a->manifest_md, line, (size_t)n);
	if (fwrite(line, 1, (size_t)n, a->manifest) != (size_t)n)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: write failed", IFK_BAG_MANIFEST);
	free(line);
	return rc;
}

struct acq_capture *acq_capture_for(struct acq *a, const char *rel)
{
	size_t i;

	for (i = 0; i < ACQ_NCAPTURE; i++)
		if (strcmp(rel, a->capture[i].name) == 0)
			return &a->capture[i];
	return NULL;
}

void acq_capture_bytes(struct acq_capture *c, const uint8_t *buf, size_t n)
{
	if (!c || c->overflow)
		return;
	if (c->len + n > IFK_BACKUP_PLIST_MAX || ifk_buf_add(&c->buf, buf, n) != 0) {
		c->overflow = 1;
		return;
	}
	c->len += n;
}

void acq_progress(struct acq *a, uint64_t more_bytes)
{
	struct ifk_progress p = {a->files, a->bytes + more_bytes, a->files_total, a->bytes_total,
	                         a->device_percent};

	if (a->o->progress)
		a->o->progress(a->o->progress_ctx, &p);
}

static int exists_at(int dfd, const char *name)
{
	struct stat st;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The bag's path without trailing slashes. */
static size_t out_len(const char *out)
{
	size_t n = strlen(out);

	while (n > 1 && out[n - 1] == '/')
		n--;
	return n;
}

/* The bag goes beside the evidence, never inside it, and never under a
 * name that ifk keeps for unsealed folders. */
static int check_out(struct acq *a, struct ifk_error *err)
{
	size_t n = strlen(a->out), sl = strlen(IFK_BAG_INCOMPLETE_SUFFIX), sn;
	char *copy = strdup(a->out), parent[PATH_MAX];
	const char *dir;
	int inside;

	if (!copy)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (n >= sl && strcmp(a->out + n - sl, IFK_BAG_INCOMPLETE_SUFFIX) == 0) {
		free(copy);
		return ifk_error_set(err, IFK_EINVAL, "%s: a bag's name may not end in %s", a->out,
		                     IFK_BAG_INCOMPLETE_SUFFIX);
	}
	dir = dirname(copy);
	if (!realpath(dir, parent)) {
		int e = errno, rc; /* dir points into copy: the message first */
		rc = e == ENOENT    ? ifk_error_set(err, IFK_EIO, "%s: no such folder", dir)
		     : e == ENOTDIR ? ifk_error_set(err, IFK_EIO, "%s: not a folder", dir)
		                    : ifk_error_sys(err, IFK_EIO, e,
		                                    "%s: cannot resolve the bag's folder", dir);
		free(copy);
		return rc;
	}
	free(copy);
	if (!a->src_abs)
		return 0; /* a device: no source folder to stay out of */
	sn = strlen(a->src_abs);
	inside = strncmp(parent, a->src_abs, sn) == 0 && (parent[sn] == '\0' || parent[sn] == '/');
	if (inside)
		return ifk_error_set(
		    err, IFK_EINVAL,
		    "%s: inside the source backup %s; ifk never writes into evidence", a->out,
		    a->src_abs);
	return 0;
}

/* The bag's folder under its .incomplete name, its payload folder and its
 * payload manifest; shared by every acquisition method. */
int acq_open_bag(struct acq *a, struct ifk_error *err)
{
	int fd, i;

	for (i = 0; i < ACQ_NCAPTURE; i++)
		a->capture[i].name = capture_names[i];
	a->out = strndup(a->o->out, out_len(a->o->out));
	if (!a->out)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (check_out(a, err))
		return err ? err->code : IFK_EINVAL;
	if (exists_at(AT_FDCWD, a->out))
		return ifk_error_set(err, IFK_EEXIST,
		                     "%s: already exists; ifk never overwrites a bag", a->out);
	if (asprintf(&a->tmp_path, "%s%s", a->out, IFK_BAG_INCOMPLETE_SUFFIX) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (mkdir(a->tmp_path, 0755) != 0)
		return errno == EEXIST
		           ? ifk_error_set(err, IFK_EEXIST,
		                           "%s exists (left by an acquisition that did not finish): "
		                           "remove it, or choose another --out",
		                           a->tmp_path)
		           : ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", a->tmp_path);
	a->bag_fd = open(a->tmp_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (a->bag_fd < 0 || mkdirat(a->bag_fd, IFK_BAG_PAYLOAD, 0755) != 0 ||
	    (a->data_fd = openat(a->bag_fd, IFK_BAG_PAYLOAD, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	        0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create the payload folder",
		                     a->tmp_path);
	fd = openat(a->bag_fd, IFK_BAG_MANIFEST, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || !(a->manifest = fdopen(fd, "w")))
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot create", IFK_BAG_MANIFEST);
	a->manifest_md = EVP_MD_CTX_new();
	a->file_md = EVP_MD_CTX_new();
	a->buf = malloc(IFK_IO_CHUNK);
	a->anomalies = json_array();
	if (!a->extra)
		a->extra = json_object();
	if (!a->manifest_md || !a->file_md || !a->buf || !a->anomalies || !a->extra ||
	    !EVP_DigestInit_ex(a->manifest_md, EVP_sha256(), NULL))
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	return 0;
}

/* A backup without its file index (Manifest.db, or Manifest.mbdb before
 * iOS 10), or with an empty one, cannot be read: sealed as found, said. */
static void index_anomaly(struct acq *a)
{
	static const char *const names[] = {"Manifest.db", "Manifest.mbdb"};
	struct stat st;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (fstatat(a->data_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(st.st_mode) && st.st_size > 0)
			return;
		acq_anomaly(a, "no-index", names[i],
		            "the backup's file index is empty: its files cannot be named (an "
		            "interrupted backup?)");
		return;
	}
	acq_anomaly(a, "no-index", "Manifest.db",
	            "the backup has no file index (no Manifest.db or Manifest.mbdb): its files "
	            "cannot be named");
}

static void meta_anomalies(struct acq *a, struct ifk_backup_meta *m)
{
	const char *errors[ACQ_NCAPTURE], *notes[ACQ_NCAPTURE];
	int i;

	ifk_backup_meta_parse(a->capture[0].seen ? a->capture[0].buf.data : NULL, a->capture[0].len,
	                      a->capture[1].seen ? a->capture[1].buf.data : NULL, a->capture[1].len,
	                      a->capture[2].seen ? a->capture[2].buf.data : NULL, a->capture[2].len,
	                      m, NULL);
	errors[0] = m->info_error;
	errors[1] = m->manifest_error;
	errors[2] = m->status_error;
	notes[0] = m->info_note;
	notes[1] = m->manifest_note;
	notes[2] = m->status_note;
	for (i = 0; i < ACQ_NCAPTURE; i++) {
		if (a->capture[i].overflow)
			acq_anomaly(a, "metadata", a->capture[i].name,
			            "too large to read as a plist");
		else if (!a->capture[i].seen)
			acq_anomaly(a, "metadata", a->capture[i].name, "missing from the backup");
		else if (errors[i])
			acq_anomaly(a, "metadata", a->capture[i].name, errors[i]);
		else if (notes[i])
			acq_anomaly(a, "metadata", a->capture[i].name, notes[i]);
	}
	if (m->have_status && (!m->snapshot_state || strcmp(m->snapshot_state, "finished") != 0))
		acq_anomaly(
		    a, "unfinished", "Status.plist",
		    "SnapshotState is not \"finished\": the device did not complete this backup");
	index_anomaly(a);
}

static json_t *case_json(const struct ifk_acquire_opts *o)
{
	json_t *c = json_object();

	if (o->case_id)
		json_object_set_new(c, "case_number", ifk_json_text(o->case_id));
	if (o->evidence)
		json_object_set_new(c, "evidence_number", ifk_json_text(o->evidence));
	if (o->examiner)
		json_object_set_new(c, "examiner", ifk_json_text(o->examiner));
	if (o->organization)
		json_object_set_new(c, "organization", ifk_json_text(o->organization));
	if (o->notes)
		json_object_set_new(c, "notes", ifk_json_text(o->notes));
	return c;
}

static json_t *record_json(struct acq *a, const char *status, const struct ifk_backup_meta *m,
                           const char *manifest_sha, const char *genesis, const char *reason)
{
	char start[21], end[21], oxum[64];
	json_t *r = json_object();

	ifk_time_iso(a->started, start);
	ifk_time_iso(a->ended ? a->ended : time(NULL), end);
	snprintf(oxum, sizeof(oxum), "%llu.%llu", (unsigned long long)a->bytes,
	         (unsigned long long)a->files);
	json_object_set_new(r, "format", json_string("ifk-acquisition"));
	json_object_set_new(r, "format_version", json_integer(1));
	json_object_set_new(r, "status", json_string(status));
	if (reason)
		json_object_set_new(r, "reason", ifk_json_text(reason));
	json_object_set_new(r, "tool", json_string("ifk-acquire"));
	json_object_set_new(r, "version", json_string(IFK_VERSION));
	json_object_set_new(r, "method", json_string(a->method));
	json_object_set(r, "source", a->source);
	json_object_set_new(r, "case", case_json(a->o));
	json_object_set_new(r, "examiner_certificate",
	                    json_pack("{s:s, s:s}", "subject", ifk_signer_subject(a->o->signer),
	                              "sha256", ifk_signer_fingerprint(a->o->signer)));
	json_object_set_new(r, "started", json_string(start));
	json_object_set_new(r, "ended", json_string(end));
	if (m)
		json_object_set_new(r, "device", ifk_backup_meta_json(m));
	json_object_set_new(r, "counts",
	                    json_pack("{s:I, s:I, s:I}", "files", (json_int_t)a->files, "bytes",
	                              (json_int_t)a->bytes, "directories", (json_int_t)a->dirs));
	json_object_set_new(r, "payload_oxum", json_string(oxum));
	if (manifest_sha)
		json_object_set_new(r, "manifest_sha256", json_string(manifest_sha));
	json_object_set_new(r, "anomalies_total", json_integer((json_int_t)a->anomaly_count));
	json_object_set(r, "anomalies", a->anomalies);
	json_object_update(r, a->extra);
	if (genesis)
		json_object_set_new(r, "custody_genesis_sha256", json_string(genesis));
	return r;
}

/* One line naming the source: the folder, or the device. */
static const char *source_text(const struct acq *a)
{
	const char *p = json_string_value(json_object_get(a->source, "path"));

	return p ? p : json_string_value(json_object_get(a->source, "description"));
}

/* "+0.7 s (device minus host)" from a device acquisition, else NULL. */
static const char *clock_offset(const struct acq *a, char *buf, size_t cap)
{
	json_t *c =
	    json_object_get(json_object_get(a->extra, "device_clock"), "device_minus_host_s");

	if (!json_is_number(c))
		return NULL;
	snprintf(buf, cap, "%+.1f s (device minus host)", json_number_value(c));
	return buf;
}

static int bag_info(struct acq *a, const struct ifk_backup_meta *m, struct ifk_buf *b)
{
	char offset[64];
	const struct ifk_acquire_opts *o = a->o;
	char date[21], start[21], end[21], oxum[64], desc[512];
	int rc = 0;

	ifk_time_iso(a->ended, end);
	ifk_time_iso(a->started, start);
	memcpy(date, end, 10);
	date[10] = '\0';
	snprintf(oxum, sizeof(oxum), "%llu.%llu", (unsigned long long)a->bytes,
	         (unsigned long long)a->files);
	snprintf(desc, sizeof(desc), "iOS device backup (%s, iOS %s), imported by ifk-acquire",
	         m->product_type ? m->product_type : "unknown model",
	         m->ios_version ? m->ios_version : "unknown");
	rc |= ifk_bag_info_add(b, "Source-Organization", o->organization);
	rc |= ifk_bag_info_add(b, "Contact-Name", o->examiner);
	rc |= ifk_bag_info_add(b, "External-Identifier", o->case_id);
	rc |= ifk_bag_info_add(b, "External-Description", desc);
	rc |= ifk_bag_info_add(b, "Bagging-Date", date);
	rc |= ifk_bag_info_add(b, "Bag-Software-Agent", "ifk-acquire " IFK_VERSION);
	rc |= ifk_bag_info_add(b, "Payload-Oxum", oxum);
	rc |= ifk_bag_info_add(b, "Ifk-Format", "ifk-bag 1");
	rc |= ifk_bag_info_add(b, "Ifk-Evidence-Number", o->evidence);
	rc |= ifk_bag_info_add(b, "Ifk-Device-UDID", m->udid);
	rc |= ifk_bag_info_add(b, "Ifk-Device-Serial", m->serial);
	rc |= ifk_bag_info_add(b, "Ifk-Device-Model", m->product_type);
	rc |= ifk_bag_info_add(b, "Ifk-Device-Name", m->device_name);
	rc |= ifk_bag_info_add(b, "Ifk-Device-IMEI", m->imei);
	rc |= ifk_bag_info_add(b, "Ifk-Device-MEID", m->meid);
	rc |=
	    ifk_bag_info_add(b, "Ifk-Device-Clock-Offset", clock_offset(a, offset, sizeof(offset)));
	rc |= ifk_bag_info_add(b, "Ifk-iOS-Version", m->ios_version);
	rc |= ifk_bag_info_add(b, "Ifk-iOS-Build", m->ios_build);
	rc |= ifk_bag_info_add(b, "Ifk-Backup-Encrypted",
	                       !m->encrypted_known ? "unknown"
	                       : m->encrypted      ? "yes"
	                                           : "no");
	rc |= ifk_bag_info_add(b, "Ifk-Tool", "ifk-acquire " IFK_VERSION);
	rc |= ifk_bag_info_add(b, "Ifk-Acquisition-Method", a->method);
	rc |= ifk_bag_info_add(b, "Ifk-Acquisition-Start", start);
	rc |= ifk_bag_info_add(b, "Ifk-Acquisition-End", end);
	rc |= ifk_bag_info_add(b, "Ifk-Source", source_text(a));
	rc |= ifk_bag_info_add(b, "Ifk-Notes", o->notes);
	return rc ? IFK_ENOMEM : 0;
}

static int write_tag(struct acq *a, const char *name, const void *buf, size_t len,
                     struct ifk_buf *tagmanifest, struct ifk_error *err)
{
	char hex[65];
	int rc = ifk_write_new(a->bag_fd, name, buf, len, 0444, err);

	if (rc)
		return rc;
	ifk_sha256_hex(buf, len, hex);
	return ifk_buf_printf(tagmanifest, "%s  %s\n", hex, name) ? IFK_ENOMEM : 0;
}

static int first_custody_line(struct acq *a, const char *manifest_sha, char **line,
                              char genesis[65], struct ifk_error *err)
{
	char oxum[64];
	json_t *d;
	struct ifk_custody_event ev = {"ifk-acquire",  "acquire", "sealed",
	                               a->o->examiner, a->ended,  NULL};
	int rc;

	snprintf(oxum, sizeof(oxum), "%llu.%llu", (unsigned long long)a->bytes,
	         (unsigned long long)a->files);
	d = json_pack("{s:o, s:s, s:O, s:I, s:I, s:I, s:s, s:s}", "case", case_json(a->o), "method",
	              a->method, "source", a->source, "files", (json_int_t)a->files, "bytes",
	              (json_int_t)a->bytes, "anomalies", (json_int_t)a->anomaly_count,
	              "payload_oxum", oxum, "manifest_sha256", manifest_sha);
	if (!d)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	ev.details = d;
	rc = ifk_custody_format(1,
	                        "0000000000000000000000000000000000000000000000000000000000000000",
	                        &ev, line, genesis, err);
	json_decref(d);
	return rc;
}

static int write_json_tag(struct acq *a, const char *name, json_t *j, struct ifk_buf *tm,
                          struct ifk_error *err)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	int rc;

	if (!text)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = write_tag(a, name, text, strlen(text), tm, err);
	free(text);
	return rc;
}

static int seal_and_log(struct acq *a, const struct ifk_buf *tm, const char *line,
                        struct ifk_error *err)
{
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc;

	rc = ifk_write_new(a->bag_fd, IFK_BAG_TAGMANIFEST, tm->data, tm->len, 0444, err);
	/* every byte the seal names is on disk before the seal exists: one
	 * syncfs here, not an fsync per file (CASE_FORMAT.md, "durability") */
	if (!rc && syncfs(a->bag_fd) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: sync failed", a->tmp_path);
	if (!rc)
		rc = ifk_signer_sign(a->o->signer, tm->data, tm->len, &der, &der_len, err);
	if (!rc)
		rc = ifk_write_new(a->bag_fd, IFK_BAG_SEAL, der, der_len, 0444, err);
	a->sealed_written = rc == 0;
	if (!rc)
		rc = ifk_custody_create(a->bag_fd, line, err);
	free(der);
	return rc;
}

static int finish(struct acq *a, struct ifk_acquire_result *r, struct ifk_error *err)
{
	struct ifk_backup_meta m = {0};
	struct ifk_buf info = {0}, tm = {0};
	uint8_t md[32];
	char manifest_sha[65], *line = NULL;
	json_t *rec = NULL;
	int rc;

	if (fclose(a->manifest) != 0) {
		a->manifest = NULL;
		return ifk_error_sys(err, IFK_EIO, errno, "%s: write failed", IFK_BAG_MANIFEST);
	}
	a->manifest = NULL;
	EVP_DigestFinal_ex(a->manifest_md, md, NULL);
	ifk_hex(md, 32, manifest_sha);
	a->ended = time(NULL);
	meta_anomalies(a, &m);
	rc = bag_info(a, &m, &info);
	if (!rc)
		rc = write_tag(a, IFK_BAG_DECL, IFK_BAG_DECL_TEXT, strlen(IFK_BAG_DECL_TEXT), &tm,
		               err);
	if (!rc)
		rc = write_tag(a, IFK_BAG_INFO, info.data, info.len, &tm, err);
	if (!rc)
		rc = ifk_buf_printf(&tm, "%s  %s\n", manifest_sha, IFK_BAG_MANIFEST);
	if (!rc)
		rc = first_custody_line(a, manifest_sha, &line, r->genesis, err);
	if (!rc && !(rec = record_json(a, "complete", &m, manifest_sha, r->genesis, NULL)))
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc)
		rc = write_json_tag(a, IFK_BAG_RECORD, rec, &tm, err);
	if (!rc)
		rc = seal_and_log(a, &tm, line, err);
	if (!rc)
		ifk_sha256_hex(tm.data, tm.len, r->tagmanifest_sha256);
	json_decref(rec);
	free(line);
	ifk_buf_free(&info);
	ifk_buf_free(&tm);
	ifk_backup_meta_free(&m);
	return rc;
}

/* Leaves an unsealed record in the incomplete folder saying why. */
static void mark_incomplete(struct acq *a, const char *reason)
{
	json_t *rec;
	char *text;

	if (a->bag_fd < 0)
		return;
	a->ended = time(NULL);
	rec = record_json(a, "incomplete", NULL, NULL, NULL, reason);
	text = rec ? json_dumps(rec, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	if (text) {
		unlinkat(a->bag_fd, IFK_BAG_RECORD, 0);
		ifk_write_new(a->bag_fd, IFK_BAG_RECORD, text, strlen(text), 0444, NULL);
	}
	free(text);
	json_decref(rec);
}

static int publish(struct acq *a, struct ifk_error *err)
{
	char *parent, *slash;
	int pfd;

	if (syncfs(a->bag_fd) != 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: sync failed", a->tmp_path);
	if (renameat2(AT_FDCWD, a->tmp_path, AT_FDCWD, a->out, RENAME_NOREPLACE) != 0)
		return ifk_error_sys(err, errno == EEXIST ? IFK_EEXIST : IFK_EIO, errno,
		                     "cannot rename %s to %s", a->tmp_path, a->out);
	parent = strdup(a->out);
	slash = parent ? strrchr(parent, '/') : NULL;
	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	pfd = open(slash ? parent : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd >= 0) {
		fsync(pfd);
		close(pfd);
	}
	free(parent);
	return 0;
}

static void release(struct acq *a)
{
	int i;

	if (a->manifest)
		fclose(a->manifest);
	if (a->src_fd >= 0)
		close(a->src_fd);
	if (a->data_fd >= 0)
		close(a->data_fd);
	if (a->bag_fd >= 0)
		close(a->bag_fd);
	EVP_MD_CTX_free(a->manifest_md);
	EVP_MD_CTX_free(a->file_md);
	free(a->buf);
	json_decref(a->anomalies);
	for (i = 0; i < ACQ_NCAPTURE; i++)
		ifk_buf_free(&a->capture[i].buf);
	free(a->tmp_path);
	free(a->src_abs);
	free(a->out);
	json_decref(a->source);
	json_decref(a->extra);
}

int acq_complete(struct acq *a, int rc, struct ifk_acquire_result *r, struct ifk_error *err)
{
	if (!rc)
		rc = finish(a, r, err);
	if (!rc)
		rc = publish(a, err);
	r->files = a->files;
	r->bytes = a->bytes;
	r->dirs = a->dirs;
	r->anomalies = a->anomaly_count;
	r->sealed = rc == 0;
	if (a->o->anomalies_out)
		*a->o->anomalies_out = json_incref(a->anomalies);
	r->sealed_unpublished = rc && a->sealed_written;
	/* once sealed, the record is never rewritten: the seal covers it */
	if (rc && a->bag_fd >= 0 && !a->sealed_written)
		mark_incomplete(a, err ? err->msg : ifk_strerror(rc));
	snprintf(r->folder, sizeof(r->folder), "%s",
	         rc == 0 ? a->out : (a->bag_fd >= 0 ? a->tmp_path : ""));
	release(a);
	return rc;
}
