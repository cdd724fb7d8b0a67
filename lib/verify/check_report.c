/* ifk-verify REPORT [BAG]: a report archive's detached signature and its
 * members against SHA256SUMS (evidence/archive.c), and its custody head
 * against the bag's custody log. */
#include "verify_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

#define MAX_SIG (1024 * 1024)

/* Prefixes the message in *local with what, into err; returns the code. */
static int named(struct ifk_error *err, const struct ifk_error *local, const char *what)
{
	return ifk_error_set(err, local->code ? local->code : IFK_EIO, "%s %s", what, local->msg);
}

static void set_verdict(json_t *r)
{
	json_int_t n = json_integer_value(json_object_get(r, "failures"));

	json_object_set_new(r, "verdict", json_string(n == 0 ? "PASS" : "FAIL"));
}

static json_t *new_result(const char *archive_path)
{
	char *t = ifk_text_escape(archive_path);
	json_t *r = json_pack("{s:s, s:s, s:i, s:s, s:s, s:n, s:i, s:i, s:[], s:n}", "tool",
	                      "ifk-verify", "version", IFK_VERSION, "format_version", 1, "kind",
	                      "ifk-report", "target", t ? t : "", "signature", "members", 0,
	                      "failures", 0, "findings", "custody_head");

	free(t);
	return r;
}

static json_t *signature_json(const struct ifk_seal_info *i)
{
	char *subject = ifk_text_escape(i->subject), *issuer = ifk_text_escape(i->issuer);
	char *reason = ifk_text_escape(i->reason);
	json_t *o = json_pack(
	    "{s:b, s:b, s:b, s:s?, s:s?, s:s?, s:s?, s:s?}", "valid", i->valid, "trusted",
	    i->trusted, "self_signed", i->self_signed, "subject",
	    subject && *subject ? subject : NULL, "issuer", issuer && *issuer ? issuer : NULL,
	    "fingerprint", *i->fingerprint ? i->fingerprint : NULL, "signing_time",
	    *i->signing_time ? i->signing_time : NULL, "reason", reason && *reason ? reason : NULL);

	free(subject);
	free(issuer);
	free(reason);
	return o;
}

/* Pass 1 over the archive: the detached CMS signature in sig_path. */
static int check_signature(json_t *r, int fd, const char *sig_path, const char *trust_path,
                           struct ifk_error *err)
{
	struct ifk_seal_info info;
	struct ifk_error local = {0};
	char *der = NULL;
	size_t len = 0;
	int rc = ifk_read_small(AT_FDCWD, sig_path, MAX_SIG, &der, &len, &local);

	if (rc)
		return named(err, &local, "signature");
	rc = ifk_seal_verify_fd((const uint8_t *)der, len, fd, trust_path, &info, err);
	free(der);
	if (rc)
		return rc;
	json_object_set_new(r, "signature", signature_json(&info));
	if (!info.valid)
		ifk_rar_fail(r, sig_path, "%s", info.reason);
	else if (trust_path && !info.trusted)
		ifk_rar_fail(r, sig_path, "%s", info.reason);
	return 0;
}

/* A valid signature by another certificate than the one report.json names
 * as the examiner's: the signature was replaced. */
static void same_signer(json_t *r, const char *sig_path)
{
	json_t *sig = json_object_get(r, "signature");
	const char *named = json_string_value(json_object_get(r, "examiner_certificate_sha256"));
	const char *signer = json_string_value(json_object_get(sig, "fingerprint"));

	if (json_is_true(json_object_get(sig, "valid")) && named && signer &&
	    strcmp(named, signer) != 0)
		ifk_rar_fail(r, sig_path,
		             "signed with the certificate %s, but report.json names the examiner's "
		             "certificate %s: the signature was replaced",
		             signer, named);
}

int ifk_rar_check(const char *archive_path, const char *sig_path, const char *trust_path,
                  json_t **result, struct ifk_error *err)
{
	struct ifk_error local = {0};
	char *sig_owned = NULL;
	json_t *r = NULL;
	int fd = -1, rc = 0;

	*result = NULL;
	if (!sig_path && asprintf(&sig_owned, "%s%s", archive_path, IFK_RAR_SIG_SUFFIX) < 0)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	fd = ifk_open_regular(AT_FDCWD, archive_path, &local);
	if (fd < 0) {
		rc = named(err, &local, "report archive");
		goto out;
	}
	if (!(r = new_result(archive_path))) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	rc = check_signature(r, fd, sig_path ? sig_path : sig_owned, trust_path, err);
	if (!rc && lseek(fd, 0, SEEK_SET) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot read it again", archive_path);
	if (!rc)
		rc = ifk_rar_scan(fd, r, err);
	if (!rc)
		same_signer(r, sig_path ? sig_path : sig_owned);
	if (!rc) {
		set_verdict(r);
		*result = r;
		r = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	json_decref(r);
	free(sig_owned);
	return rc;
}

/* ---- the custody head in the bag's log ---- */

struct at_seq {
	unsigned long seq, entries;
	char hash[IFK_SHA256_HEX];
	const char *parse_sha; /* the report's parse.json, or NULL */
	int parse_found;       /* ... recorded in a parse entry of the bag's log */
};

static int note_entry(void *ctx, unsigned long lineno, const char *hash, const char *body)
{
	struct at_seq *f = ctx;
	json_t *e;
	const char *a, *h;

	f->entries = lineno;
	if (lineno == f->seq)
		snprintf(f->hash, sizeof(f->hash), "%s", hash);
	if (!f->parse_sha || f->parse_found)
		return 0;
	e = json_loads(body, 0, NULL);
	a = json_string_value(json_object_get(e, "action"));
	h = json_string_value(json_object_get(json_object_get(e, "details"), "parse_json_sha256"));
	f->parse_found = a && h && strcmp(a, "parse") == 0 && strcmp(h, f->parse_sha) == 0;
	json_decref(e);
	return 0;
}

/* The report is of this bag: its acquisition record is the bag's, and the
 * parse.json it holds is one the bag's custody log records. */
static void judge_binding(json_t *r, int bag_fd, const char *log, const struct at_seq *f)
{
	json_t *b = json_object_get(r, "binding");
	const char *rec = json_string_value(json_object_get(b, "acquisition_record_sha256"));
	char *buf = NULL, hex[IFK_SHA256_HEX];
	size_t len = 0;

	if (!rec)
		return; /* report.json named none: a finding already */
	if (ifk_read_small(bag_fd, IFK_BAG_RECORD, 256u * 1024 * 1024, &buf, &len, NULL) != 0) {
		ifk_rar_fail(r, IFK_BAG_RECORD, "the bag has no readable acquisition record");
		return;
	}
	ifk_sha256_hex(buf, len, hex);
	free(buf);
	if (strcmp(hex, rec) != 0)
		ifk_rar_fail(r, IFK_BAG_RECORD,
		             "the report is of another bag: its acquisition record is %.16s..., "
		             "this bag's is %.16s...",
		             rec, hex);
	if (f->parse_sha && !f->parse_found)
		ifk_rar_fail(r, log,
		             "the report's parse.json (%.16s...) is recorded in no parse entry of "
		             "the bag's custody log",
		             f->parse_sha);
}

/* The findings once the log was read: the head at its place, the chain. */
static void judge(json_t *r, const char *log, const char *head, const struct at_seq *f,
                  const struct ifk_custody_summary *sum)
{
	int found = head && f->seq && strcmp(f->hash, head) == 0;

	if (head && !found && f->entries < f->seq)
		ifk_rar_fail(
		    r, log,
		    "the archive's custody head %s (entry %lu) is not in the bag's custody "
		    "log: the log has %lu entries",
		    head, f->seq, f->entries);
	else if (head && !found)
		ifk_rar_fail(
		    r, log,
		    "the archive's custody head %s (entry %lu) is not in the bag's custody "
		    "log: entry %lu there is %s",
		    head, f->seq, f->seq, f->hash);
	if (sum->problems)
		ifk_rar_fail(r, log,
		             "the bag's custody log is broken (%lu problems; ifk-verify the bag): "
		             "its entries cannot be relied on",
		             sum->problems);
	json_object_set_new(r, "bag_custody",
	                    json_pack("{s:I, s:I, s:b}", "entries", (json_int_t)f->entries,
	                              "problems", (json_int_t)sum->problems, "head_found", found));
}

int ifk_rar_check_custody(json_t *result, const char *bag_path, struct ifk_error *err)
{
	json_t *ch = json_object_get(result, "custody_head");
	const char *head = json_string_value(json_object_get(ch, "head"));
	json_int_t seq = json_integer_value(json_object_get(ch, "head_seq"));
	struct at_seq f = {seq > 0 ? (unsigned long)seq : 0, 0, "",
	                   json_string_value(json_object_get(json_object_get(result, "binding"),
	                                                     "parse_json_sha256")),
	                   0};
	struct ifk_custody_summary sum = {0};
	struct ifk_error local = {0};
	char *bag_j = ifk_text_escape(bag_path), *log = ifk_path_join(bag_path, IFK_CUSTODY_FILE);
	int fd = -1, rc = 0;

	json_object_set_new(result, "bag", json_string(bag_j ? bag_j : ""));
	if (!log) {
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(bag_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = ifk_error_sys(err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno,
		                   "bag %s: cannot open", bag_path);
		goto out;
	}
	rc = ifk_custody_foreach(fd, note_entry, &f, &local);
	if (!rc)
		rc = ifk_custody_check(fd, NULL, NULL, NULL, &sum, &local);
	if (rc == IFK_ENOTFOUND || rc == IFK_EFORMAT) {
		ifk_rar_fail(result, log, "the bag has no readable custody log: %s", local.msg);
		rc = 0;
	} else if (rc) {
		rc = named(err, &local, "bag");
	} else {
		judge(result, log, head, &f, &sum);
		judge_binding(result, fd, log, &f);
	}
	if (!rc)
		set_verdict(result);
out:
	if (fd >= 0)
		close(fd);
	free(bag_j);
	free(log);
	return rc;
}

int ifk_verify_report(const char *archive, const char *bag, const char *trust_path,
                      json_t **result, struct ifk_error *err)
{
	int rc = ifk_rar_check(archive, NULL, trust_path, result, err);

	if (!rc && bag && (rc = ifk_rar_check_custody(*result, bag, err)) != 0) {
		json_decref(*result);
		*result = NULL;
	}
	return rc;
}
