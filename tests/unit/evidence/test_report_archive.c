/* lib/report_archive.c, lib/verify_report.c and the streaming seal: the
 * deterministic report archive, its SHA256SUMS, its detached signature, and
 * the checks `ifk-verify REPORT [BAG]` makes. tar, gzip, sha256sum, cmp and
 * openssl are run as a user would run them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence.h"
#include "core.h"
#include "testutil.h"

#define T_EVIDENCE 1764417600 /* 2025-11-29T12:00:00Z */
#define BIG (5 * 1024 * 1024)

static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
/* Every fixture bag's acquisition record (the report is of these bags) and
 * its SHA-256, which report.json names. */
static const char record[] = "{\"format\": \"ifk-acquisition\"}\n";
static const char record_sha[] = "dda63a21d73f68e915dcb4950b5e2528b037f74b5e640ea7ee0d9eb2144c99c0";

/* Sorted bytewise, as the archive must hold them. */
static const char *const members[] = {
    "SHA256SUMS",  "case.jsonld", "custody/ifk-custody.log", "media/big.bin", "parse/x.jsonl",
    "report.html", "report.json",
};
#define N_MEMBERS (sizeof(members) / sizeof(members[0]))

struct fixture {
	char *dir, *key, *cert, *bag, *other_bag, *short_bag;
	char head[65]; /* entry 2 of the bag's log: the archive's custody head */
	struct ifk_signer *signer;
	char *a, *b; /* the same stage archived twice */
};

static char *path2(const char *a, const char *b)
{
	return ifk_path_join(a, b);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A bag folder holding a custody log of n entries: acquire, then verifies
 * at time base + i. Returns the hash of entry 2 in head (when n >= 2). */
static int make_bag(const char *dir, int n, time_t base, char head[65])
{
	struct ifk_custody_event ev = {"ifk-acquire", "acquire", "sealed", "Ex", base, NULL};
	char *line = NULL, h[65];
	int fd, i, rc;

	if (mkdir(dir, 0700) != 0 || (fd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		return -1;
	rc = ifk_write_new(fd, IFK_BAG_RECORD, record, strlen(record), 0444, NULL);
	rc = rc ? rc : ifk_custody_format(1, zeros, &ev, &line, h, NULL);
	rc = rc ? rc : ifk_custody_create(fd, line, NULL);
	for (i = 2; !rc && i <= n; i++) {
		struct ifk_custody_event v = {"ifk-verify", "verify", "PASS", NULL, base + i, NULL};
		rc = ifk_custody_append(fd, &v, h, NULL);
		if (i == 2 && head)
			memcpy(head, h, 65);
	}
	free(line);
	close(fd);
	return rc;
}

static int put(const char *dir, const char *name, const void *buf, size_t len)
{
	char *p = path2(dir, name);
	int rc = tu_write_file(p, buf, len);
	free(p);
	return rc;
}

enum { ST_PLAIN = 0, ST_CHANGE = 1, ST_ADD = 2, ST_REMOVE = 4, ST_EDIT_SUMS = 8, ST_BAD_SUMS = 16 };

/* Stages the report folder; SHA256SUMS is made before the change asked for,
 * so that it no longer describes the members. */
static int make_stage(struct fixture *f, const char *dir, int change)
{
	char *json = NULL, *log = path2(f->bag, IFK_CUSTODY_FILE), *sub;
	uint8_t *big = malloc(BIG), *logtext;
	size_t i, loglen = 0;
	uint32_t x = 12345;
	int rc = mkdir(dir, 0700);

	for (i = 0; i < BIG; i++, x = x * 1103515245u + 12345u)
		big[i] = (uint8_t)(x >> 16);
	logtext = tu_read_file(log, &loglen);
	if (asprintf(&json,
	             "{\"examiner\": {\"certificate_sha256\": \"%s\"},\n"
	             " \"acquisition_record_sha256\": \"%s\",\n"
	             " \"custody\": {\"head\": \"%s\", \"head_seq\": 2}}\n",
	             ifk_signer_fingerprint(f->signer), record_sha, f->head) < 0)
		json = NULL;
	rc = rc || !logtext || !json;
	rc = rc || put(dir, "report.json", json, strlen(json));
	rc = rc || put(dir, "report.html", "<!doctype html><p>report</p>\n", 29);
	rc = rc || put(dir, "case.jsonld", "{\"@graph\": []}\n", 15);
	for (i = 0; !rc && i < 3; i++) {
		sub = path2(dir, i == 0 ? "parse" : i == 1 ? "media" : "custody");
		rc = mkdir(sub, 0700);
		free(sub);
	}
	rc = rc || put(dir, "parse/x.jsonl", "{\"a\":1}\n{\"a\":2}\n", 16);
	rc = rc || put(dir, "media/big.bin", big, BIG);
	rc = rc || put(dir, "custody/ifk-custody.log", logtext, loglen);
	rc = rc || ifk_rar_sha256sums(dir, NULL);
	if (!rc && (change & ST_CHANGE))
		rc = put(dir, "parse/x.jsonl", "{\"a\":1}\n{\"a\":3}\n", 16);
	if (!rc && (change & ST_ADD))
		rc = put(dir, "extra.txt", "added later\n", 12);
	if (!rc && (change & ST_REMOVE)) {
		sub = path2(dir, "report.html");
		rc = unlink(sub);
		free(sub);
	}
	if (!rc && (change & ST_EDIT_SUMS)) {
		/* the line of case.jsonld gets another (well-formed) hash */
		char *sp = path2(dir, "SHA256SUMS"), *text = (char *)tu_read_file(sp, &loglen);
		char *l = text ? strstr(text, "  case.jsonld\n") : NULL;
		rc = !l || (l[-1] = l[-1] == '0' ? '1' : '0', tu_write_file(sp, text, loglen));
		free(text);
		free(sp);
	}
	if (!rc && (change & ST_BAD_SUMS)) {
		/* after its 6 lines: the first again, a line of 70,000 bytes, a line
		 * of another form and a last line without its line feed */
		char *sp = path2(dir, "SHA256SUMS"), *text = (char *)tu_read_file(sp, &loglen);
		char *nl = text ? strchr(text, '\n') : NULL, *more = NULL;
		size_t first = nl ? (size_t)(nl - text) + 1 : 0, n = loglen + first + 70000 + 20;

		more = nl ? malloc(n) : NULL;
		if (more) {
			memcpy(more, text, loglen);
			memcpy(more + loglen, text, first);
			memset(more + loglen + first, 'a', 69999);
			memcpy(more + loglen + first + 69999, "\nnot a line\ntail", 17);
		}
		rc = !more || tu_write_file(sp, more, loglen + first + 69999 + 17);
		free(more);
		free(text);
		free(sp);
	}
	free(big);
	free(logtext);
	free(log);
	free(json);
	return rc ? -1 : 0;
}

static int sign_file(struct fixture *f, const char *path)
{
	int fd = open(path, O_RDONLY), rc;
	char *sig = NULL;
	uint8_t *der = NULL;
	size_t len = 0;

	if (fd < 0 || asprintf(&sig, "%s.p7s", path) < 0)
		return -1;
	rc = ifk_signer_sign_fd(f->signer, fd, &der, &len, NULL);
	close(fd);
	rc = rc ? rc : tu_write_file(sig, der, len);
	free(der);
	free(sig);
	return rc;
}

/* A signed archive of a stage changed as asked; caller frees the path. */
static char *variant(struct fixture *f, const char *name, int change)
{
	char *stage = path2(f->dir, name), *out = NULL;

	assert_int_equal(make_stage(f, stage, change), 0);
	assert_true(asprintf(&out, "%s.tar.gz", stage) > 0);
	assert_int_equal(ifk_rar_write(out, stage, T_EVIDENCE, NULL), 0);
	assert_int_equal(sign_file(f, out), 0);
	free(stage);
	return out;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *stage;
	int rc;

	f->dir = tu_mkdtemp();
	f->key = path2(f->dir, "ex.key");
	f->cert = path2(f->dir, "ex.pem");
	f->bag = path2(f->dir, "case.bag");
	f->other_bag = path2(f->dir, "other.bag");
	f->short_bag = path2(f->dir, "short.bag");
	f->a = path2(f->dir, "a.tar.gz");
	f->b = path2(f->dir, "b.tar.gz");
	stage = path2(f->dir, "stage");
	rc = ifk_seal_make_cert("Test Examiner", "ifk tests", 30, f->key, f->cert, NULL, NULL);
	rc = rc || ifk_signer_load(f->key, f->cert, NULL, &f->signer, NULL);
	rc = rc || make_bag(f->bag, 2, 1764400000, f->head);
	rc = rc || make_bag(f->other_bag, 3, 1764300000, NULL);
	rc = rc || make_bag(f->short_bag, 1, 1764400000, NULL);
	rc = rc || make_stage(f, stage, ST_PLAIN);
	rc = rc || ifk_rar_write(f->a, stage, T_EVIDENCE, NULL);
	rc = rc || ifk_rar_write(f->b, stage, T_EVIDENCE, NULL);
	rc = rc || sign_file(f, f->a);
	free(stage);
	*state = f;
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ifk_signer_free(f->signer);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->key);
	free(f->cert);
	free(f->bag);
	free(f->other_bag);
	free(f->short_bag);
	free(f->a);
	free(f->b);
	free(f);
	return 0;
}

static json_t *check(const char *archive, const char *trust)
{
	json_t *r = NULL;
	struct ifk_error err = {0};

	assert_int_equal(ifk_rar_check(archive, NULL, trust, &r, &err), 0);
	assert_non_null(r);
	return r;
}

static const char *verdict(json_t *r)
{
	return json_string_value(json_object_get(r, "verdict"));
}

/* The finding for file, or NULL; its reason in *reason. */
static json_t *finding(json_t *r, const char *file)
{
	json_t *list = json_object_get(r, "findings"), *x;
	size_t i;

	json_array_foreach(list, i, x)
	{
		const char *fl = json_string_value(json_object_get(x, "file"));
		if (fl && strcmp(fl, file) == 0)
			return x;
	}
	return NULL;
}

static const char *reason(json_t *r, const char *file)
{
	json_t *x = finding(r, file);
	return x ? json_string_value(json_object_get(x, "reason")) : "";
}

static json_int_t failures(json_t *r)
{
	return json_integer_value(json_object_get(r, "failures"));
}

/* ---- the archive as written ---- */

static void test_rar_write_same_input_same_bytes(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(sh("cmp -s '%s' '%s'", f->a, f->b), 0);
}

static void test_rar_write_never_overwrites(void **state)
{
	struct fixture *f = *state;
	struct ifk_error err = {0};
	char *stage = path2(f->dir, "stage");
	struct stat before, after;

	assert_int_equal(stat(f->a, &before), 0);
	assert_int_equal(ifk_rar_write(f->a, stage, 0, &err), IFK_EEXIST);
	assert_int_equal(stat(f->a, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(sh("cmp -s '%s' '%s'", f->a, f->b), 0);
	free(stage);
}

static void test_rar_write_tar_lists_sorted_fixed_members(void **state)
{
	struct fixture *f = *state;
	char cmd[1024], line[512];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "TZ=UTC tar --numeric-owner --full-time -tvzf '%s'", f->a);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char perm[16], owner[32], day[16], tim[16], name[256];
		long long size;
		assert_int_equal(sscanf(line, "%15s %31s %lld %15s %15s %255s", perm, owner, &size,
		                        day, tim, name),
		                 6);
		assert_true(n < N_MEMBERS);
		assert_string_equal(name, members[n]);
		assert_string_equal(perm, "-rw-r--r--");
		assert_string_equal(owner, "0/0");
		assert_string_equal(day, "2025-11-29");
		assert_string_equal(tim, "12:00:00");
		if (strcmp(name, "media/big.bin") == 0)
			assert_int_equal(size, BIG);
		n++;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(n, N_MEMBERS); /* no folder entries */
	/* no user or group names, and no extended header (atime, ctime, ...) */
	assert_int_equal(sh("TZ=UTC tar -tvzf '%s' | grep -q root", f->a), 1);
	assert_int_equal(sh("gzip -dc '%s' | grep -a -q -e PaxHeader -e atime= -e ctime=", f->a),
	                 1);
}

/* A member past the ustar size field's 11 octal digits (8 GiB - 1) gets a
 * pax "size" record and reads back whole: a sparse 8 GiB of zeros and
 * "tail!" (its SHA-256 from openssl dgst). */
#define HUGE_SIZE (INT64_C(8589934592) + 5)
#define HUGE_SHA "8cc2332a2c7c603c5538073613925601312a9d19d74dff81b2f16d025ef2da39"

static void test_rar_write_member_past_8gib_has_pax_size(void **state)
{
	struct fixture *f = *state;
	char *stage = path2(f->dir, "huge"), *media = path2(stage, "media");
	char *file = path2(media, "huge.mov"), *out = path2(f->dir, "huge.tar.gz");
	struct ifk_error err = {0};
	json_t *r = json_object();
	int fd;

	assert_int_equal(mkdir(stage, 0700), 0);
	assert_int_equal(mkdir(media, 0700), 0);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "tail!", 5, HUGE_SIZE - 5), 5);
	close(fd);
	assert_int_equal(ifk_rar_sha256sums(stage, &err), 0);
	assert_int_equal(sh("grep -qx '" HUGE_SHA "  media/huge.mov' '%s/SHA256SUMS'", stage), 0);
	assert_int_equal(ifk_rar_write(out, stage, T_EVIDENCE, &err), 0);
	/* the extended header precedes the member and gives its exact size */
	assert_int_equal(
	    sh("gzip -dc '%s' | head -c 8192 | grep -a -q 'media/PaxHeader/huge.mov'", out), 0);
	assert_int_equal(sh("gzip -dc '%s' | head -c 8192 | grep -a -q ' size=8589934597$'", out),
	                 0);
	assert_int_equal(
	    sh("tar -tvzf '%s' --occurrence=1 media/huge.mov | grep -q ' 8589934597 '", out), 0);
	/* ifk-verify's reader: both members, each as SHA256SUMS says */
	fd = open(out, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ifk_rar_scan(fd, r, &err), 0);
	close(fd);
	assert_int_equal(json_integer_value(json_object_get(r, "members")), 2);
	assert_null(finding(r, "media/huge.mov"));
	assert_null(finding(r, IFK_RAR_SUMS));
	json_decref(r);
	tu_rmtree(stage);
	unlink(out);
	free(stage);
	free(media);
	free(file);
	free(out);
}

static void test_rar_write_gzip_header_has_no_time_or_name(void **state)
{
	struct fixture *f = *state;
	size_t len = 0;
	uint8_t *buf = tu_read_file(f->a, &len);

	assert_true(len > 18);
	assert_int_equal(buf[0], 0x1f);
	assert_int_equal(buf[1], 0x8b);
	assert_int_equal(buf[2], 8);                            /* deflate */
	assert_int_equal(buf[3] & 8, 0);                        /* FLG.FNAME: no file name */
	assert_int_equal(buf[4] | buf[5] | buf[6] | buf[7], 0); /* MTIME */
	assert_int_equal(sh("gzip -t '%s'", f->a), 0);
	free(buf);
}

static void test_rar_sha256sums_pass_sha256sum_after_extraction(void **state)
{
	struct fixture *f = *state;
	char *x = path2(f->dir, "extracted"), *sums, *text;
	size_t i;

	assert_int_equal(mkdir(x, 0700), 0);
	assert_int_equal(sh("tar -xzf '%s' -C '%s'", f->a, x), 0);
	assert_int_equal(sh("cd '%s' && sha256sum -c --strict --quiet SHA256SUMS", x), 0);
	sums = path2(x, "SHA256SUMS");
	text = (char *)tu_read_file(sums, NULL);
	assert_non_null(text);
	/* every other member, in order, and not itself */
	for (i = 1; i < N_MEMBERS; i++) {
		char want[300];
		snprintf(want, sizeof(want), "  %s\n", members[i]);
		assert_non_null(strstr(text, want));
		if (i > 1)
			assert_true(strstr(text, want) > strstr(text, members[i - 1]));
	}
	assert_null(strstr(text, "  SHA256SUMS"));
	free(text);
	free(sums);
	free(x);
}

static void test_rar_write_refuses_symlink_in_stage(void **state)
{
	struct fixture *f = *state;
	char *stage = path2(f->dir, "bad-stage"), *ln = path2(stage, "link"), *out;
	struct ifk_error err = {0};

	assert_int_equal(mkdir(stage, 0700), 0);
	assert_int_equal(put(stage, "ok.txt", "ok\n", 3), 0);
	assert_int_equal(symlink("/etc/passwd", ln), 0);
	out = path2(f->dir, "bad.tar.gz");
	assert_int_equal(ifk_rar_write(out, stage, T_EVIDENCE, &err), IFK_EFORMAT);
	assert_non_null(strstr(err.msg, "link"));
	assert_int_equal(access(out, F_OK), -1); /* nothing left behind */
	free(out);
	free(ln);
	free(stage);
}

/* ---- the signature ---- */

#define CMS_VERIFY                                                                                 \
	"openssl cms -verify -binary -inform DER -in '%s.p7s' -content '%s' -CAfile '%s' "         \
	"-out /dev/null 2>/dev/null"

static void test_rar_signature_accepted_by_openssl_cms(void **state)
{
	struct fixture *f = *state;
	char *x = NULL;

	assert_int_equal(sh(CMS_VERIFY, f->a, f->a, f->cert), 0);
	/* and not over other bytes: a copy with one byte changed */
	assert_true(asprintf(&x, "%s.x", f->a) > 0);
	assert_int_equal(sh("cp '%s' '%s' && cp '%s.p7s' '%s.p7s' && printf Z | dd of='%s' bs=1 "
	                    "seek=9 conv=notrunc 2>/dev/null",
	                    f->a, x, f->a, x, x),
	                 0);
	assert_int_not_equal(sh(CMS_VERIFY, x, x, f->cert), 0);
	free(x);
}

static void test_seal_verify_fd_agrees_with_in_memory(void **state)
{
	struct fixture *f = *state;
	char *sig = NULL, *other_key = path2(f->dir, "o.key"), *other = path2(f->dir, "o.pem");
	uint8_t *der, *content;
	size_t der_len = 0, len = 0;
	struct ifk_seal_info mem, fd_info;
	int fd;

	assert_true(asprintf(&sig, "%s.p7s", f->a) > 0);
	der = tu_read_file(sig, &der_len);
	content = tu_read_file(f->a, &len);
	assert_int_equal(ifk_seal_verify(der, der_len, content, len, f->cert, &mem, NULL), 0);
	fd = open(f->a, O_RDONLY);
	assert_int_equal(ifk_seal_verify_fd(der, der_len, fd, f->cert, &fd_info, NULL), 0);
	close(fd);
	assert_true(mem.valid && mem.trusted && fd_info.valid && fd_info.trusted);
	assert_string_equal(mem.fingerprint, fd_info.fingerprint);
	assert_string_equal(fd_info.fingerprint, ifk_signer_fingerprint(f->signer));
	assert_string_equal(mem.signing_time, fd_info.signing_time);
	/* valid but not trusted by another certificate */
	assert_int_equal(ifk_seal_make_cert("Other", NULL, 30, other_key, other, NULL, NULL), 0);
	fd = open(f->a, O_RDONLY);
	assert_int_equal(ifk_seal_verify_fd(der, der_len, fd, other, &fd_info, NULL), 0);
	close(fd);
	assert_true(fd_info.valid);
	assert_false(fd_info.trusted);
	assert_non_null(strstr(fd_info.reason, "does not chain"));
	free(der);
	free(content);
	free(sig);
	free(other_key);
	free(other);
}

/* ---- ifk_rar_check ---- */

static void test_rar_check_passes_original(void **state)
{
	struct fixture *f = *state;
	json_t *r = check(f->a, f->cert), *sig = json_object_get(r, "signature");
	json_t *head = json_object_get(r, "custody_head");

	assert_string_equal(verdict(r), "PASS");
	assert_string_equal(json_string_value(json_object_get(r, "kind")), "ifk-report");
	assert_int_equal(json_integer_value(json_object_get(r, "members")), N_MEMBERS);
	assert_int_equal(failures(r), 0);
	assert_int_equal(json_array_size(json_object_get(r, "findings")), 0);
	assert_true(json_is_true(json_object_get(sig, "valid")));
	assert_true(json_is_true(json_object_get(sig, "trusted")));
	assert_true(json_is_true(json_object_get(sig, "self_signed")));
	assert_non_null(
	    strstr(json_string_value(json_object_get(sig, "subject")), "Test Examiner"));
	assert_string_equal(json_string_value(json_object_get(head, "head")), f->head);
	assert_int_equal(json_integer_value(json_object_get(head, "head_seq")), 2);
	assert_string_equal(json_string_value(json_object_get(r, "examiner_certificate_sha256")),
	                    ifk_signer_fingerprint(f->signer));
	json_decref(r);
}

static void test_rar_check_fails_changed_member(void **state)
{
	struct fixture *f = *state;
	char *out = variant(f, "changed", ST_CHANGE);
	json_t *r = check(out, NULL);
	const char *why = reason(r, "parse/x.jsonl");
	char was[65], is[65];

	ifk_sha256_hex("{\"a\":1}\n{\"a\":2}\n", 16, was);
	ifk_sha256_hex("{\"a\":1}\n{\"a\":3}\n", 16, is);
	assert_string_equal(verdict(r), "FAIL");
	assert_true(json_is_true(json_object_get(json_object_get(r, "signature"), "valid")));
	assert_int_equal(failures(r), 1);
	/* both hashes: the one SHA256SUMS lists and the member's */
	assert_non_null(strstr(why, "changed"));
	assert_true(strstr(why, was) && strstr(why, is) && strstr(why, was) < strstr(why, is));
	json_decref(r);
	free(out);
}

static void test_rar_check_fails_added_member(void **state)
{
	struct fixture *f = *state;
	char *out = variant(f, "added", ST_ADD);
	json_t *r = check(out, NULL);

	assert_string_equal(verdict(r), "FAIL");
	assert_int_equal(failures(r), 1);
	assert_non_null(strstr(reason(r, "extra.txt"), "added"));
	json_decref(r);
	free(out);
}

static void test_rar_check_fails_removed_member(void **state)
{
	struct fixture *f = *state;
	char *out = variant(f, "removed", ST_REMOVE);
	json_t *r = check(out, NULL);

	assert_string_equal(verdict(r), "FAIL");
	assert_int_equal(failures(r), 1);
	assert_non_null(strstr(reason(r, "report.html"), "removed"));
	assert_int_equal(json_integer_value(json_object_get(r, "members")), N_MEMBERS - 1);
	json_decref(r);
	free(out);
}

static void test_rar_check_fails_edited_sha256sums(void **state)
{
	struct fixture *f = *state;
	char *out = variant(f, "edited", ST_EDIT_SUMS);
	json_t *r = check(out, NULL);

	assert_string_equal(verdict(r), "FAIL");
	assert_int_equal(failures(r), 1);
	assert_non_null(strstr(reason(r, "case.jsonld"), "changed"));
	json_decref(r);
	free(out);
}

/* SHA256SUMS is read line by line: each bad line is a finding, in line
 * order, and a line longer than 64 KiB is one too (not read whole). */
static void test_rar_check_bad_sha256sums_lines(void **state)
{
	struct fixture *f = *state;
	char *out = variant(f, "badsums", ST_BAD_SUMS);
	json_t *r = check(out, NULL), *list;
	const char *want[] = {"listed twice in SHA256SUMS", "line 8 is longer than 64 KiB",
	                      "line 9 is not \"<sha256>  <name>\"",
	                      "line 10 does not end with a line feed"};
	size_t i;

	assert_string_equal(verdict(r), "FAIL");
	assert_int_equal(failures(r), 4);
	list = json_object_get(r, "findings");
	for (i = 0; i < 4; i++)
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(list, i), "reason")), want[i]);
	assert_int_equal(json_integer_value(json_object_get(r, "members")), N_MEMBERS);
	json_decref(r);
	free(out);
}

static void test_rar_check_changed_byte_fails_signature(void **state)
{
	struct fixture *f = *state;
	char *t = path2(f->dir, "byte.tar.gz"), *sig = NULL;
	json_t *r;

	/* byte 9 is gzip's OS field: the members still read back intact */
	assert_int_equal(sh("cp '%s' '%s' && cp '%s.p7s' '%s.p7s' && printf Z | dd of='%s' bs=1 "
	                    "seek=9 conv=notrunc 2>/dev/null",
	                    f->a, t, f->a, t, t),
	                 0);
	r = check(t, NULL);
	assert_string_equal(verdict(r), "FAIL");
	assert_false(json_is_true(json_object_get(json_object_get(r, "signature"), "valid")));
	assert_int_equal(failures(r), 1); /* the signature only */
	assert_true(asprintf(&sig, "%s.p7s", t) > 0);
	assert_non_null(strstr(reason(r, sig), "signature does not match"));
	json_decref(r);
	free(sig);
	free(t);
}

static void test_rar_check_replaced_signature_fails(void **state)
{
	struct fixture *f = *state;
	char *t = path2(f->dir, "resigned.tar.gz"), *k = path2(f->dir, "mallory.key");
	char *c = path2(f->dir, "mallory.pem"), *sig = NULL;
	struct ifk_signer *other = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	int fd;
	json_t *r;

	/* the same archive, signed (validly) by someone else */
	assert_int_equal(sh("cp '%s' '%s'", f->a, t), 0);
	assert_int_equal(ifk_seal_make_cert("Mallory", NULL, 30, k, c, NULL, NULL), 0);
	assert_int_equal(ifk_signer_load(k, c, NULL, &other, NULL), 0);
	fd = open(t, O_RDONLY);
	assert_int_equal(ifk_signer_sign_fd(other, fd, &der, &len, NULL), 0);
	close(fd);
	assert_true(asprintf(&sig, "%s.p7s", t) > 0);
	assert_int_equal(tu_write_file(sig, der, len), 0);
	r = check(t, NULL);
	assert_true(json_is_true(json_object_get(json_object_get(r, "signature"), "valid")));
	assert_string_equal(verdict(r), "FAIL");
	assert_int_equal(failures(r), 1);
	assert_non_null(strstr(reason(r, sig), "the signature was replaced"));
	json_decref(r);
	ifk_signer_free(other);
	free(der);
	free(sig);
	free(c);
	free(k);
	free(t);
}

static void test_rar_check_damaged_archive_fails(void **state)
{
	struct fixture *f = *state;
	char *t = path2(f->dir, "damaged.tar.gz");
	json_t *r;

	/* a byte in the middle of the deflate stream */
	assert_int_equal(sh("cp '%s' '%s' && cp '%s.p7s' '%s.p7s' && printf '\\377' | dd of='%s' "
	                    "bs=1 seek=100000 conv=notrunc 2>/dev/null",
	                    f->a, t, f->a, t, t),
	                 0);
	r = check(t, NULL);
	assert_string_equal(verdict(r), "FAIL");
	assert_false(json_is_true(json_object_get(json_object_get(r, "signature"), "valid")));
	assert_true(failures(r) >= 2);
	json_decref(r);
	free(t);
}

static void test_rar_check_missing_files_are_io(void **state)
{
	struct fixture *f = *state;
	char *nosig = path2(f->dir, "nosig.tar.gz");
	struct ifk_error err = {0};
	json_t *r = NULL;

	assert_int_equal(ifk_rar_check("/nonexistent/r.tar.gz", NULL, NULL, &r, &err),
	                 IFK_ENOTFOUND);
	assert_non_null(strstr(err.msg, "report archive"));
	assert_int_equal(sh("cp '%s' '%s'", f->a, nosig), 0);
	assert_int_equal(ifk_rar_check(nosig, NULL, NULL, &r, &err), IFK_ENOTFOUND);
	assert_non_null(strstr(err.msg, "signature"));
	assert_non_null(strstr(err.msg, "nosig.tar.gz.p7s"));
	assert_null(r);
	free(nosig);
}

/* A tar written here with hostile entries, and a SHA256SUMS for a.txt. */
static void write_hostile(const char *path)
{
	static const char body[] = "hello\n";
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char sums[200], hex[65];
	struct {
		const char *name, *data;
		int type;
	} ents[] = {
	    {"SHA256SUMS", sums, AE_IFREG}, {"a.txt", body, AE_IFREG}, {"a.txt", body, AE_IFREG},
	    {"../evil", body, AE_IFREG},    {"/abs", body, AE_IFREG},  {"ln", NULL, AE_IFLNK},
	};
	size_t i;

	ifk_sha256_hex(body, strlen(body), hex);
	snprintf(sums, sizeof(sums), "%s  a.txt\n", hex);
	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_filetype(e, (unsigned)ents[i].type);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, ents[i].data ? (la_int64_t)strlen(ents[i].data) : 0);
		if (!ents[i].data)
			archive_entry_set_symlink(e, "/etc/passwd");
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (ents[i].data)
			archive_write_data(a, ents[i].data, strlen(ents[i].data));
	}
	archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(e);
}

static void test_rar_check_refuses_hostile_entries(void **state)
{
	struct fixture *f = *state;
	char *h = path2(f->dir, "hostile.tar.gz");
	json_t *r;

	write_hostile(h);
	assert_int_equal(sign_file(f, h), 0);
	r = check(h, NULL);
	assert_string_equal(verdict(r), "FAIL");
	assert_int_equal(json_integer_value(json_object_get(r, "members")), 6);
	assert_non_null(strstr(reason(r, "a.txt"), "twice"));
	assert_non_null(strstr(reason(r, "../evil"), "refused"));
	assert_non_null(strstr(reason(r, "/abs"), "refused"));
	assert_non_null(strstr(reason(r, "ln"), "symbolic link"));
	assert_non_null(strstr(reason(r, "report.json"), "missing"));
	assert_int_equal(failures(r), 5);
	json_decref(r);
	free(h);
}

/* ---- the custody head against a bag ---- */

static void test_rar_custody_head_found_in_bag(void **state)
{
	struct fixture *f = *state;
	json_t *r = check(f->a, NULL);
	struct ifk_custody_event ev = {"ifk-report", "report", "signed", NULL, T_EVIDENCE, NULL};
	int fd = open(f->bag, O_RDONLY | O_DIRECTORY);

	/* the report's own entry follows the head: still found */
	assert_int_equal(ifk_custody_append(fd, &ev, NULL, NULL), 0);
	close(fd);
	assert_int_equal(ifk_rar_check_custody(r, f->bag, NULL), 0);
	assert_string_equal(verdict(r), "PASS");
	assert_true(json_is_true(json_object_get(json_object_get(r, "bag_custody"), "head_found")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(r, "bag_custody"), "entries")), 3);
	json_decref(r);
}

static void test_rar_custody_head_not_in_other_bag(void **state)
{
	struct fixture *f = *state;
	json_t *r = check(f->a, NULL);
	char *log = path2(f->other_bag, IFK_CUSTODY_FILE), want[200];

	assert_int_equal(ifk_rar_check_custody(r, f->other_bag, NULL), 0);
	assert_string_equal(verdict(r), "FAIL");
	snprintf(want, sizeof(want), "the archive's custody head %s (entry 2) is not in the bag's",
	         f->head);
	assert_non_null(strstr(reason(r, log), want));
	json_decref(r);
	r = check(f->a, NULL);
	assert_int_equal(ifk_rar_check_custody(r, f->short_bag, NULL), 0);
	assert_string_equal(verdict(r), "FAIL");
	free(log);
	log = path2(f->short_bag, IFK_CUSTODY_FILE);
	assert_non_null(strstr(reason(r, log), "the log has 1 entries"));
	json_decref(r);
	free(log);
}

/* A report is of one bag: checked against a bag whose acquisition record is
 * another (its custody log may even be a copy), it fails. */
static void test_rar_binding_other_record(void **state)
{
	struct fixture *f = *state;
	json_t *r = check(f->a, NULL);
	char *rec = path2(f->bag, IFK_BAG_RECORD), want[200];

	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "binding"),
	                                                      "acquisition_record_sha256")),
	                    record_sha);
	chmod(rec, 0644);
	assert_int_equal(tu_write_file(rec, "{\"other\": 1}\n", 13), 0);
	assert_int_equal(ifk_rar_check_custody(r, f->bag, NULL), 0);
	assert_string_equal(verdict(r), "FAIL");
	snprintf(want, sizeof(want), "the report is of another bag: its acquisition record is %.16s",
	         record_sha);
	assert_non_null(strstr(reason(r, IFK_BAG_RECORD), want));
	assert_int_equal(tu_write_file(rec, record, strlen(record)), 0);
	json_decref(r);
	free(rec);
}

static void test_rar_custody_missing_bag_is_io(void **state)
{
	struct fixture *f = *state;
	json_t *r = check(f->a, NULL);
	struct ifk_error err = {0};

	assert_int_equal(ifk_rar_check_custody(r, "/nonexistent.bag", &err), IFK_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent.bag"));
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rar_write_same_input_same_bytes),
	    cmocka_unit_test(test_rar_write_never_overwrites),
	    cmocka_unit_test(test_rar_write_tar_lists_sorted_fixed_members),
	    cmocka_unit_test(test_rar_write_gzip_header_has_no_time_or_name),
	    cmocka_unit_test(test_rar_write_member_past_8gib_has_pax_size),
	    cmocka_unit_test(test_rar_sha256sums_pass_sha256sum_after_extraction),
	    cmocka_unit_test(test_rar_write_refuses_symlink_in_stage),
	    cmocka_unit_test(test_rar_signature_accepted_by_openssl_cms),
	    cmocka_unit_test(test_seal_verify_fd_agrees_with_in_memory),
	    cmocka_unit_test(test_rar_check_passes_original),
	    cmocka_unit_test(test_rar_check_fails_changed_member),
	    cmocka_unit_test(test_rar_check_fails_added_member),
	    cmocka_unit_test(test_rar_check_fails_removed_member),
	    cmocka_unit_test(test_rar_check_fails_edited_sha256sums),
	    cmocka_unit_test(test_rar_check_changed_byte_fails_signature),
	    cmocka_unit_test(test_rar_check_replaced_signature_fails),
	    cmocka_unit_test(test_rar_check_damaged_archive_fails),
	    cmocka_unit_test(test_rar_check_missing_files_are_io),
	    cmocka_unit_test(test_rar_check_refuses_hostile_entries),
	    cmocka_unit_test(test_rar_check_bad_sha256sums_lines),
	    cmocka_unit_test(test_rar_custody_head_found_in_bag),
	    cmocka_unit_test(test_rar_custody_head_not_in_other_bag),
	    cmocka_unit_test(test_rar_binding_other_record),
	    cmocka_unit_test(test_rar_custody_missing_bag_is_io),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
