/* ifk-report's engine: read the bag's record and custody log, verify the
 * bag afresh, take the parse output as ifk-parse recorded it, build
 * report.json, stage every member, write the deterministic archive, sign
 * it, and append the custody entry. */
#include <ifk/report.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "report_int.h"
#include "core.h"

/* ---- set-up ---- */

static int preflight(struct rep *r, struct ifk_error *err)
{
	const struct ifk_report_opts *o = r->o;
	struct stat st;
	int rc;

	if (lstat(o->out, &st) == 0)
		return ifk_error_set(err, IFK_EINVAL, "%s exists: ifk-report never overwrites",
		                     o->out);
	if (asprintf(&r->sig_path, "%s.p7s", o->out) < 0) {
		r->sig_path = NULL;
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	}
	if (lstat(r->sig_path, &st) == 0)
		return ifk_error_set(err, IFK_EINVAL, "%s exists: ifk-report never overwrites",
		                     r->sig_path);
	if (ifk_path_within(o->bag, o->out))
		return ifk_error_set(err, IFK_EINVAL,
		                     "%s: the report would be inside the evidence %s", o->out,
		                     o->bag);
	if (o->parse_dir && ifk_path_within(o->parse_dir, o->out))
		return ifk_error_set(err, IFK_EINVAL, "%s: the report would be inside %s", o->out,
		                     o->parse_dir);
	r->bag_fd = open(o->bag, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->bag_fd < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open the bag", o->bag);
	/* a key that does not open with its passphrase or PIN, is not on the
	 * token, or needs an engine not installed (or a certificate that is not
	 * one) is the operator's to fix, a usage error as in ifk-acquire */
	rc = ifk_signer_load(o->key, o->cert, o->key_password, &r->signer, err);
	return rc == IFK_EIO || rc == IFK_ENOMEM ? rc : rc ? IFK_EINVAL : 0;
}

static int make_stage(struct rep *r, struct ifk_error *err)
{
	static const char *const subs[] = {"custody", "verification", "parse", "media", NULL};

	return ifk_tmpdir_make("report", subs, &r->stage, err);
}

/* ---- the bag: record and custody log ---- */

static int read_record(struct rep *r, struct ifk_error *err)
{
	char *buf = NULL, *path = NULL;
	size_t len = 0;
	json_error_t je;
	int rc = ifk_read_small(r->bag_fd, IFK_BAG_RECORD, 16u * 1024 * 1024, &buf, &len, err);

	if (rc)
		return rc;
	ifk_sha256_hex(buf, len, r->record_sha);
	r->record = json_loadb(buf, len, 0, &je);
	if (!r->record || !json_is_object(r->record))
		rc = ifk_error_set(err, IFK_EFORMAT, "%s/%s: not a JSON object (line %d: %s)",
		                   r->o->bag, IFK_BAG_RECORD, je.line, je.text);
	else if (asprintf(&path, "%s/custody/%s", r->stage, IFK_BAG_RECORD) < 0)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	else
		rc = ifk_write_new(AT_FDCWD, path, buf, len, 0600, err);
	free(path);
	free(buf);
	return rc;
}

static int one_entry(void *ctx, unsigned long lineno, const char *hash, const char *body)
{
	struct rep *r = ctx;
	json_t *e = json_loads(body, 0, NULL);
	const char *t;

	if (!json_is_object(e)) {
		json_decref(e);
		e = json_pack("{s:I, s:s}", "line", (json_int_t)lineno, "problem",
		              "not a JSON object");
	}
	json_object_set_new(e, "hash", json_string(hash));
	json_array_append_new(json_object_get(r->custody, "entries"), e);
	snprintf(r->head, sizeof(r->head), "%s", hash);
	r->head_seq = lineno;
	t = json_string_value(json_object_get(e, "time"));
	snprintf(r->head_time, sizeof(r->head_time), "%s", t ? t : "");
	return 0;
}

static void count_problem(void *ctx, unsigned long line, const char *reason)
{
	(void)line;
	(void)reason;
	(*(unsigned long *)ctx)++;
}

/* The log is copied first, and everything is read from the copy, so that the
 * entries in report.json are exactly the log in the archive. */
static int read_custody(struct rep *r, struct ifk_error *err)
{
	struct ifk_custody_summary sum;
	unsigned long problems = 0;
	char *dir = NULL;
	int fd = -1, rc;

	rc = r_copy_file(r->bag_fd, IFK_CUSTODY_FILE, r->stage, "custody/" IFK_CUSTODY_FILE, NULL,
	                 err);
	if (rc)
		return rc;
	r->custody = json_pack("{s:[]}", "entries");
	if (asprintf(&dir, "%s/custody", r->stage) < 0 ||
	    (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open", r->stage);
	if (!rc)
		rc = ifk_custody_foreach(fd, one_entry, r, err);
	if (!rc)
		rc = ifk_custody_check(
		    fd, json_string_value(json_object_get(r->record, "custody_genesis_sha256")),
		    count_problem, &problems, &sum, err);
	if (fd >= 0)
		close(fd);
	free(dir);
	if (rc)
		return rc;
	if (!r->head_seq || !r->head_time[0])
		return ifk_error_set(err, IFK_EFORMAT, "%s: the custody log has no entries",
		                     r->o->bag);
	json_object_set_new(r->custody, "genesis", json_string(sum.genesis));
	json_object_set_new(r->custody, "head", json_string(r->head));
	json_object_set_new(r->custody, "head_seq", json_integer((json_int_t)r->head_seq));
	json_object_set_new(r->custody, "problems", json_integer((json_int_t)problems));
	return 0;
}

/* ---- a fresh verification ---- */

static int verify_bag(struct rep *r, struct ifk_error *err)
{
	struct ifk_verify_tap tap;
	struct ifk_verify_opts vo = {
	    .target = r->o->bag,
	    .trust_path = r->o->trust_path,
	    .examiner = r->o->examiner,
	    .read_only = r->o->read_only,
	    .password = r->o->password,
	    .password_ctx = r->o->password_ctx,
	    .stop = r->o->stop,
	    .progress = r->o->progress,
	    .progress_ctx = r->o->progress_ctx,
	};
	char *path = NULL, *text = NULL;
	int rc;

	if (r->o->include_media) {
		r_media_tap(r, &tap);
		vo.tap = &tap;
	}
	rc = ifk_verify_run(&vo, &r->verify, err);
	if (!rc && ifk_verify_wrong_password(r->verify))
		return ifk_error_set(err, IFK_EPASSWORD,
		                     "%s: wrong password: the backup's keybag does not open with it; "
		                     "no report written",
		                     r->o->bag);
	if (!rc && r->media_err.code)
		rc = ifk_error_set(err, r->media_err.code, "%s", r->media_err.msg);
	if (rc == IFK_EIO && r->verify) /* only the custody entry failed */
		rc = ifk_error_set(err, IFK_EIO,
		                   "cannot append the verification's custody entry: %s", err->msg);
	if (rc)
		return rc;
	/* the clock is not evidence: the archive must not depend on it (the
	 * custody entry the verification appended holds its time) */
	json_object_del(r->verify, "started");
	json_object_del(r->verify, "ended");
	text = json_dumps(r->verify, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	if (!text || asprintf(&path, "%s/verification/verify.json", r->stage) < 0)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	else
		rc = r_write_text(path, text, err);
	free(text);
	free(path);
	return rc;
}

/* ---- the whole run ---- */

static void release(struct rep *r, int keep_out)
{
	if (r->arts)
		sqlite3_close(r->arts);
	if (r->stage)
		ifk_tree_remove(r->stage);
	if (!keep_out) {
		if (r->out_made)
			unlink(r->o->out);
		if (r->sig_made)
			unlink(r->sig_path);
	}
	if (r->bag_fd >= 0)
		close(r->bag_fd);
	ifk_signer_free(r->signer);
	json_decref(r->record);
	json_decref(r->custody);
	json_decref(r->verify);
	json_decref(r->parse);
	json_decref(r->report);
	free(r->stage);
	free(r->sig_path);
}

int ifk_report_run(const struct ifk_report_opts *o, json_t **summary, struct ifk_error *err)
{
	struct rep r = {.o = o, .bag_fd = -1, .sql = {.stop = o->stop}};
	int rc, keep = 0;

	*summary = NULL;
	rc = preflight(&r, err);
	if (!rc)
		rc = make_stage(&r, err);
	if (!rc)
		rc = read_record(&r, err);
	/* a parse folder not bound to this bag is refused before anything is
	 * appended to the bag */
	if (!rc && o->parse_dir)
		rc = r_bind_parse(&r, err);
	/* the verification first: its custody entry is then part of the log the
	 * report covers, and its time is evidence, not the clock */
	if (!rc)
		rc = verify_bag(&r, err);
	if (!rc)
		rc = read_custody(&r, err);
	if (!rc && o->parse_dir)
		rc = r_take_parse(&r, err);
	if (!rc && o->stop && *o->stop)
		rc = ifk_error_set(err, IFK_EINTR, "interrupted");
	if (!rc)
		rc = r_build_report(&r, err);
	if (!rc)
		rc = r_write_members(&r, err);
	if (rc && r.sql.cut)
		rc = r_parse_cut_error(&r, err);
	if (!rc)
		rc = r_archive_and_sign(&r, summary, err);
	if (!rc || (rc == IFK_EIO && *summary))
		keep = 1;
	release(&r, keep);
	return rc;
}
