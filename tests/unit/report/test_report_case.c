/* lib/report_case.c: case.jsonld from a report.json model and a bag's
 * manifest. With IFK_CASE_OUT set, the full document is also written there
 * (tests/e2e/t_report_case.sh validates it against the CASE/UCO ontology). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "evidence.h"
#include "report_int.h"
#include "core.h"
#include "testutil.h"

#define E1 "c17dd9010a5c6b0e5b2ad5a845762d8b206e6166a4e63d32deca8c5664fdfcac"
#define E2 "ad2063741cce2d9f2862b07152b06528d175e9e658ade8f2daa416834c9c089a"
#define E3 "a671a481a0edc8cd6eab7640f9c8e225a82e5c8e49122a86158f20fa22254409"
#define CERT "06298432e8066b29e2223bcc23aa9504b56ae508fabf3435508869b9c3190e22"
#define ACTOR                                                                                      \
	"\"actor\": {\"examiner\": \"Test Examiner\", \"user\": \"alice\", \"host\": \"lab1\"}"

/* A report.json as ifk-report builds it (CASE_FORMAT.md): an acquisition,
 * a verification and a parse in the custody log, the parse in the report. */
static const char report_text[] =
    "{\"tool\": \"ifk-report\", \"version\": \"0.1.0\", \"format_version\": 1,"
    " \"report_time\": \"2026-11-29T12:00:00Z\", \"bag\": \"cases/case-001.bag\","
    " \"case\": {\"case\": \"CASE-7\", \"evidence\": \"EV-1\", \"examiner\": \"Test Examiner\","
    "  \"organization\": \"ifk tests\", \"notes\": \"seized 2026-11-28\\nsealed\"},"
    " \"examiner\": {\"name\": \"Test Examiner\", \"organization\": \"ifk tests\","
    "  \"certificate_subject\": \"CN=Test Examiner, O=ifk tests\","
    "  \"certificate_sha256\": \"" CERT "\"},"
    " \"device\": {\"name\": \"Sample iPhone\", \"product_type\": \"iPhone12,1\","
    "  \"product_name\": \"iPhone 11\", \"ios_version\": \"16.7.2\", \"build\": \"20H115\","
    "  \"serial\": \"F2LXK0AAHG7F\", \"udid\": \"00008030-001A2B3C4D5E6F70\","
    "  \"imei\": \"356938035643809\", \"meid\": null, \"iccid\": null, \"phone_number\": null},"
    " \"acquisition\": {\"method\": \"folder-import\", \"source\": \"/evidence/Backup/0000\","
    "  \"started\": \"2026-11-29T11:39:50Z\", \"ended\": \"2026-11-29T11:39:55Z\", \"files\": 5,"
    "  \"bytes\": 125, \"anomalies\": [], \"anomaly_count\": 0, \"payload_oxum\": \"125.5\","
    "  \"tool\": \"ifk-acquire\", \"tool_version\": \"0.1.0\","
    "  \"seal\": {\"signer\": \"CN=Test Examiner, O=ifk tests\", \"certificate_sha256\": \"" CERT
    "\"}},"
    " \"custody\": {\"entries\": ["
    "  {\"seq\": 1, \"prev\": \"" E3 "\", \"time\": \"2026-11-29T11:39:55Z\", \"tool\": "
    "\"ifk-acquire\", \"version\": \"0.1.0\", \"action\": \"acquire\", " ACTOR ","
    "   \"result\": \"sealed\", \"details\": {\"method\": \"folder-import\", \"files\": 5},"
    "   \"hash\": \"" E1 "\"},"
    "  {\"seq\": 2, \"prev\": \"" E1 "\", \"time\": \"2026-11-29T11:41:02Z\", \"tool\": "
    "\"ifk-verify\", \"version\": \"0.1.0\", \"action\": \"verify\", " ACTOR ","
    "   \"result\": \"PASS\", \"details\": {\"checks\": {\"seal\": \"pass\", \"custody\": "
    "\"pass\", \"backup\": \"pass\", \"encryption\": \"skip\"}}, \"hash\": \"" E2 "\"},"
    "  {\"seq\": 3, \"prev\": \"" E2 "\", \"time\": \"2026-11-29T11:45:30Z\", \"tool\": "
    "\"ifk-parse\", \"version\": \"0.1.0\", \"action\": \"parse\", " ACTOR ","
    "   \"result\": \"ok\", \"details\": {\"output\": \"/cases/out\", \"parse_json_sha256\": "
    "\"" CERT "\"}, \"hash\": \"" E3 "\"}],"
    "  \"genesis\": \"" E1 "\", \"head\": \"" E3 "\", \"head_seq\": 3, \"problems\": 0},"
    " \"verification\": {\"verdict\": \"PASS\", \"kind\": \"ifk-bag\", \"checks\": ["
    "  {\"name\": \"seal\", \"status\": \"pass\", \"failures\": 0, \"warnings\": 0,"
    "   \"findings\": [], \"info\": {}}]},"
    " \"parse\": {\"outcome\": \"ok\", \"verification\": {\"verdict\": \"PASS\"},"
    "  \"files\": {\"read\": 5, \"bytes\": 125}, \"yara\": null, \"artifacts\": ["
    "   {\"name\": \"sms_messages\", \"title\": \"Messages\", \"status\": \"ok\", \"rows\": 12,"
    "    \"reason\": null, \"sources\": [], \"member\": \"parse/sms_messages.jsonl\"}],"
    "  \"timeline_member\": \"parse/timeline.csv\", \"timeline_events\": 40,"
    "  \"yara_member\": null, \"yara_matches\": 0, \"custody_seq\": 3},"
    " \"media\": [],"
    " \"backup_files\": {\"count\": 5, \"manifest\": \"manifest-sha256.txt\","
    "  \"manifest_sha256\": null},"
    " \"report_members\": [\"case.jsonld\", \"custody/ifk-acquisition.json\","
    "  \"custody/ifk-custody.log\", \"parse/parse.json\", \"parse/sms_messages.jsonl\","
    "  \"parse/timeline.csv\", \"report.html\", \"verification/verify.json\"]}";

static const char *const members[] = {"custody/ifk-acquisition.json",
                                      "custody/ifk-custody.log",
                                      "parse/parse.json",
                                      "parse/sms_messages.jsonl",
                                      "parse/timeline.csv",
                                      "report.html",
                                      "report.json",
                                      "verification/verify.json"};

/* The bag's payload: path (as in the manifest, encoded), path on disk, content. */
static const char *const payload[][3] = {
    {"data/Info.plist", "data/Info.plist", "<plist>info</plist>"},
    {"data/Manifest.db", "data/Manifest.db", "SQLite format 3"},
    {"data/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28",
     "data/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28", "sms.db content"},
    {"data/ab/caf\xe9%0A.bin", "data/ab/caf\xe9\n.bin", "hostile name"},
    {"data/../outside", NULL, "never stat'ed"},
    {"data/via/link/target.bin", "data/real/link/target.bin", "through a symlink"},
};
/* Which payload files case.jsonld states a size for: a path that is not
 * valid UTF-8, leaves the bag, or passes through a symlink states none. */
static const int sized[] = {1, 1, 1, 0, 0, 0};

struct fixture {
	char *dir, *manifest;
	json_t *report, *files;
	struct ifk_rar_list *list; /* files, as the report lists its members */
	char manifest_sha[IFK_SHA256_HEX];
};

static void write_file(const char *dir, const char *rel, const char *content)
{
	char *path = ifk_path_join(dir, rel), *slash = strrchr(path, '/'), *p;

	*slash = '\0';
	for (p = path + strlen(dir) + 1; (p = strchr(p, '/')); *p++ = '/') {
		*p = '\0';
		mkdir(path, 0700);
	}
	mkdir(path, 0700);
	*slash = '/';
	assert_int_equal(tu_write_file(path, content, strlen(content)), 0);
	free(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ifk_buf m = {0};
	char sha[IFK_SHA256_HEX];
	size_t i;

	f->dir = tu_mkdtemp();
	for (i = 0; i < sizeof(payload) / sizeof(payload[0]); i++) {
		ifk_sha256_hex(payload[i][2], strlen(payload[i][2]), sha);
		if (payload[i][1])
			write_file(f->dir, payload[i][1], payload[i][2]);
		ifk_buf_printf(&m, "%s  %s\n", sha, payload[i][0]);
	}
	ifk_buf_printf(&m, "not a manifest line\n");
	{ /* data/via -> real: a symlink in the middle of a listed path */
		char *via = ifk_path_join(f->dir, "data/via");
		assert_int_equal(symlink("real", via), 0);
		free(via);
	}
	f->manifest = ifk_path_join(f->dir, "manifest-sha256.txt");
	tu_write_file(f->manifest, m.data, m.len);
	ifk_sha256_hex(m.data, m.len, f->manifest_sha);
	ifk_buf_free(&m);
	f->report = json_loads(report_text, 0, NULL);
	assert_non_null(f->report);
	json_object_set_new(json_object_get(f->report, "backup_files"), "manifest_sha256",
	                    json_string(f->manifest_sha));
	f->files = json_array();
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		ifk_sha256_hex(members[i], strlen(members[i]), sha);
		json_array_append_new(f->files,
		                      json_pack("{s:s, s:s, s:I}", "name", members[i], "sha256",
		                                sha, "bytes", (json_int_t)(1000 + i)));
	}
	assert_int_equal(ifk_rar_list_new(&f->list, NULL), 0);
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		ifk_sha256_hex(members[i], strlen(members[i]), sha);
		assert_int_equal(ifk_rar_list_add(f->list, members[i], sha, 1000 + (int64_t)i, NULL),
		                 0);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tu_rmtree(f->dir);
	free(f->dir);
	free(f->manifest);
	json_decref(f->report);
	json_decref(f->files);
	ifk_rar_list_free(f->list);
	free(f);
	return 0;
}

/* Writes case.jsonld into memory; returns its text (caller frees). */
static char *write_case(struct fixture *f, int want_rc, size_t *len)
{
	struct ifk_error err = {0};
	char *text = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&text, &n);

	assert_non_null(out);
	assert_int_equal(ifk_report_case_write(out, f->report, f->manifest, f->list, &err),
	                 want_rc);
	fclose(out);
	if (len)
		*len = n;
	return text;
}

/* Every typed node of the document, wherever it stands, by @id; fails on a
 * typed node without an @id (a blank node) or one defined twice. */
static void index_nodes(json_t *v, json_t *index)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			index_nodes(x, index);
		}
	}
	if (!json_is_object(v))
		return;
	if (json_object_get(v, "@type") && !json_object_get(v, "@value")) {
		const char *id = json_string_value(json_object_get(v, "@id"));
		assert_non_null(id);
		assert_null(json_object_get(index, id));
		json_object_set(index, id, v);
	}
	json_object_foreach(v, k, x)
	{
		index_nodes(x, index);
	}
}

static json_t *parse_doc(const char *text, json_t **index)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);

	if (!doc)
		fail_msg("case.jsonld is not JSON: %s (line %d)", je.text, je.line);
	*index = json_object();
	index_nodes(json_object_get(doc, "@graph"), *index);
	return doc;
}

static const char *s(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_t *deref(json_t *index, json_t *ref)
{
	json_t *n = json_object_get(index, s(ref, "@id"));

	assert_non_null(n);
	return n;
}

static int has_type(json_t *n, const char *type)
{
	json_t *t = json_object_get(n, "@type"), *x;
	size_t i;

	if (json_is_string(t))
		return strcmp(json_string_value(t), type) == 0;
	json_array_foreach(t, i, x)
	{
		if (strcmp(json_string_value(x), type) == 0)
			return 1;
	}
	return 0;
}

static json_t *action(json_t *index, const char *name)
{
	const char *k;
	json_t *n, *found = NULL;

	json_object_foreach(index, k, n)
	{
		if (has_type(n, "case-investigation:InvestigativeAction") &&
		    strcmp(s(n, "uco-core:name"), name) == 0)
			found = n;
	}
	if (!found)
		fail_msg("no %s action", name);
	return found;
}

static void assert_time(json_t *n, const char *k, const char *want)
{
	json_t *t = json_object_get(n, k);

	assert_string_equal(s(t, "@type"), "xsd:dateTime");
	assert_string_equal(s(t, "@value"), want);
}

static size_t count_type(json_t *index, const char *type)
{
	const char *k;
	json_t *n;
	size_t c = 0;

	json_object_foreach(index, k, n)
	{
		c += (size_t)has_type(n, type);
	}
	return c;
}

static void test_case_context_and_ids(void **state)
{
	struct fixture *f = *state;
	char *text = write_case(f, 0, NULL);
	json_t *index, *doc = parse_doc(text, &index), *ctx = json_object_get(doc, "@context");
	const char *id;
	json_t *n;
	regex_t re;

	assert_string_equal(s(ctx, "case-investigation"),
	                    "https://ontology.caseontology.org/case/investigation/");
	assert_string_equal(s(ctx, "uco-core"),
	                    "https://ontology.unifiedcyberontology.org/uco/core/");
	assert_string_equal(s(ctx, "uco-observable"),
	                    "https://ontology.unifiedcyberontology.org/uco/observable/");
	assert_string_equal(s(ctx, "xsd"), "http://www.w3.org/2001/XMLSchema#");
	assert_int_equal(regcomp(&re,
	                         "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
	                         "[0-9a-f]{12}$",
	                         REG_EXTENDED | REG_NOSUB),
	                 0);
	json_object_foreach(index, id, n)
	{
		if (regexec(&re, id, 0, NULL, 0) != 0)
			fail_msg("not a version 5 UUID IRI: %s", id);
	}
	regfree(&re);
	json_decref(index);
	json_decref(doc);
	free(text);
}

static void test_case_actions_chain(void **state)
{
	struct fixture *f = *state;
	char *text = write_case(f, 0, NULL);
	json_t *index, *doc = parse_doc(text, &index);
	json_t *acq = action(index, "acquisition"), *ver = action(index, "verification"),
	       *par = action(index, "parsing"), *rep = action(index, "reporting");
	json_t *all[] = {acq, ver, par, rep}, *who, *tool;
	static const char *const tools[] = {"ifk-acquire", "ifk-verify", "ifk-parse", "ifk-report"};
	size_t i;

	assert_int_equal(count_type(index, "case-investigation:InvestigativeAction"), 4);
	assert_time(acq, "uco-action:startTime", "2026-11-29T11:39:50Z");
	assert_time(acq, "uco-action:endTime", "2026-11-29T11:39:55Z");
	assert_time(ver, "uco-action:endTime", "2026-11-29T11:41:02Z");
	assert_time(par, "uco-action:endTime", "2026-11-29T11:45:30Z");
	assert_time(rep, "uco-action:startTime", "2026-11-29T12:00:00Z");
	assert_time(rep, "uco-action:endTime", "2026-11-29T12:00:00Z");
	for (i = 0; i < 4; i++) {
		who = deref(index, json_object_get(all[i], "uco-action:performer"));
		assert_true(has_type(who, "uco-identity:Identity"));
		assert_string_equal(s(who, "uco-core:name"), "Test Examiner");
		tool = deref(index, json_object_get(all[i], "uco-action:instrument"));
		assert_true(has_type(tool, "uco-tool:Tool"));
		assert_string_equal(s(tool, "uco-core:name"), tools[i]);
		assert_string_equal(s(tool, "uco-tool:version"), "0.1.0");
		assert_true(has_type(
		    deref(index, json_array_get(json_object_get(all[i], "uco-action:result"), 0)),
		    "case-investigation:ProvenanceRecord"));
		assert_true(json_array_size(json_object_get(all[i], "uco-action:object")) > 0);
		if (i > 0)
			assert_string_equal(
			    s(json_object_get(all[i], "case-investigation:wasInformedBy"), "@id"),
			    s(all[i - 1], "@id"));
	}
	assert_null(json_object_get(acq, "case-investigation:wasInformedBy"));
	/* the acquisition acted on the device; the others on the acquired backup */
	assert_true(
	    has_type(deref(index, json_array_get(json_object_get(acq, "uco-action:object"), 0)),
	             "uco-observable:MobileDevice"));
	assert_string_equal(s(json_array_get(json_object_get(ver, "uco-action:object"), 0), "@id"),
	                    s(json_array_get(json_object_get(acq, "uco-action:result"), 0), "@id"));
	assert_non_null(strstr(s(ver, "uco-core:description"), "PASS (seal pass, custody pass"));
	json_decref(index);
	json_decref(doc);
	free(text);
}

static void test_case_examiner_role(void **state)
{
	struct fixture *f = *state;
	char *text = write_case(f, 0, NULL);
	json_t *index, *doc = parse_doc(text, &index), *n, *who = NULL, *role;
	const char *k;

	assert_int_equal(count_type(index, "uco-identity:Identity"), 1);
	json_object_foreach(index, k, n)
	{
		if (has_type(n, "uco-core:Relationship"))
			who = n;
	}
	assert_non_null(who);
	assert_string_equal(s(who, "uco-core:kindOfRelationship"), "Has_Role");
	assert_true(json_is_true(json_object_get(who, "uco-core:isDirectional")));
	role = deref(index, json_object_get(who, "uco-core:target"));
	assert_true(has_type(role, "uco-role:Role"));
	assert_string_equal(s(role, "uco-core:name"), "examiner");
	n = deref(index, json_array_get(json_object_get(who, "uco-core:source"), 0));
	assert_string_equal(s(n, "uco-core:name"), "Test Examiner");
	assert_non_null(strstr(s(n, "uco-core:description"), CERT));
	json_decref(index);
	json_decref(doc);
	free(text);
}

static void test_case_device(void **state)
{
	struct fixture *f = *state;
	char *text = write_case(f, 0, NULL);
	json_t *index, *doc = parse_doc(text, &index), *n, *dev = NULL, *facets, *df, *mf;
	const char *k;

	json_object_foreach(index, k, n)
	{
		if (has_type(n, "uco-observable:MobileDevice"))
			dev = n;
	}
	assert_non_null(dev);
	assert_true(has_type(dev, "uco-observable:AppleDevice"));
	assert_string_equal(s(dev, "uco-core:name"), "Sample iPhone");
	facets = json_object_get(dev, "uco-core:hasFacet");
	df = json_array_get(facets, 0);
	mf = json_array_get(facets, 1);
	assert_true(has_type(df, "uco-observable:DeviceFacet"));
	assert_string_equal(s(df, "uco-observable:model"), "iPhone12,1");
	assert_string_equal(s(df, "uco-observable:serialNumber"), "F2LXK0AAHG7F");
	n = deref(index, json_object_get(df, "uco-observable:manufacturer"));
	assert_true(has_type(n, "uco-identity:Organization"));
	assert_string_equal(s(n, "uco-core:name"), "Apple Inc.");
	assert_true(has_type(mf, "uco-observable:MobileDeviceFacet"));
	assert_string_equal(s(mf, "uco-observable:IMEI"), "356938035643809");
	assert_non_null(strstr(s(dev, "uco-core:description"), "iOS 16.7.2 (20H115)"));
	json_decref(index);
	json_decref(doc);
	free(text);
}

/* The hash and size of a File node (its ContentDataFacet). */
static void file_facts(json_t *file, const char **path, const char **hex, json_int_t *size)
{
	json_t *facets = json_object_get(file, "uco-core:hasFacet"), *x, *h;
	size_t i;

	*path = *hex = NULL;
	*size = -1;
	json_array_foreach(facets, i, x)
	{
		if (has_type(x, "uco-observable:FileFacet"))
			*path = s(x, "uco-observable:filePath");
		if (!has_type(x, "uco-observable:ContentDataFacet"))
			continue;
		h = json_array_get(json_object_get(x, "uco-observable:hash"), 0);
		if (h) {
			assert_true(has_type(h, "uco-types:Hash"));
			assert_string_equal(s(h, "uco-types:hashMethod"), "SHA256");
			assert_string_equal(s(json_object_get(h, "uco-types:hashValue"), "@type"),
			                    "xsd:hexBinary");
			*hex = s(json_object_get(h, "uco-types:hashValue"), "@value");
		}
		if (json_object_get(x, "uco-observable:sizeInBytes"))
			*size =
			    json_integer_value(json_object_get(x, "uco-observable:sizeInBytes"));
	}
}

static json_t *record_of(json_t *index, const char *action_name)
{
	json_t *a = action(index, action_name);

	return deref(index, json_array_get(json_object_get(a, "uco-action:result"), 0));
}

static void test_case_backup_files_hashed(void **state)
{
	struct fixture *f = *state;
	char *text = write_case(f, 0, NULL);
	json_t *index, *doc = parse_doc(text, &index);
	json_t *objs = json_object_get(record_of(index, "acquisition"), "uco-core:object");
	const char *path, *hex;
	char sha[IFK_SHA256_HEX];
	json_int_t size;
	size_t i;

	/* the bag, the six payload lines (the malformed line is left out), the manifest */
	assert_int_equal(json_array_size(objs), 8);
	assert_true(has_type(deref(index, json_array_get(objs, 0)), "uco-observable:Directory"));
	for (i = 0; i < 6; i++) {
		file_facts(json_array_get(objs, i + 1), &path, &hex, &size);
		ifk_sha256_hex(payload[i][2], strlen(payload[i][2]), sha);
		assert_string_equal(hex, sha);
		assert_int_equal(size, sized[i] ? (json_int_t)strlen(payload[i][2]) : -1);
	}
	file_facts(json_array_get(objs, 4), &path, &hex, &size);
	assert_string_equal(path, "data/ab/caf\\xe9\\x0a.bin");
	file_facts(json_array_get(objs, 7), &path, &hex, &size);
	assert_string_equal(path, "manifest-sha256.txt");
	assert_string_equal(hex, f->manifest_sha);
	assert_string_equal(s(record_of(index, "acquisition"), "case-investigation:exhibitNumber"),
	                    "EV-1");
	json_decref(index);
	json_decref(doc);
	free(text);
}

static void test_case_report_files_hashed(void **state)
{
	struct fixture *f = *state;
	char *text = write_case(f, 0, NULL);
	json_t *index, *doc = parse_doc(text, &index);
	json_t *objs = json_object_get(record_of(index, "reporting"), "uco-core:object");
	json_t *parsed = json_object_get(record_of(index, "parsing"), "uco-core:object");
	const char *path, *hex;
	json_int_t size;
	size_t i;

	assert_int_equal(json_array_size(objs), json_array_size(f->files));
	for (i = 0; i < json_array_size(f->files); i++) {
		json_t *want = json_array_get(f->files, i);
		file_facts(json_array_get(objs, i), &path, &hex, &size);
		assert_string_equal(path, s(want, "name"));
		assert_string_equal(hex, s(want, "sha256"));
		assert_int_equal(size, json_integer_value(json_object_get(want, "bytes")));
	}
	/* the parse made the report's three parse/ members */
	assert_int_equal(json_array_size(parsed), 3);
	file_facts(deref(index, json_array_get(parsed, 0)), &path, &hex, &size);
	assert_string_equal(path, "parse/parse.json");
	json_decref(index);
	json_decref(doc);
	free(text);
}

static void test_case_deterministic(void **state)
{
	struct fixture *f = *state;
	size_t n1, n2;
	char *a = write_case(f, 0, &n1), *b = write_case(f, 0, &n2);
	const char *path = getenv("IFK_CASE_OUT");

	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	if (path && *path)
		assert_int_equal(tu_write_file(path, a, n1), 0);
	free(a);
	free(b);
}

static void test_case_escapes_hostile_text(void **state)
{
	struct fixture *f = *state;
	char *text = write_case(f, 0, NULL);
	json_t *index, *doc = parse_doc(text, &index), *n, *inv = NULL;
	const char *k;

	json_object_foreach(index, k, n)
	{
		if (has_type(n, "case-investigation:Investigation"))
			inv = n;
	}
	assert_non_null(inv);
	assert_string_equal(s(inv, "uco-core:name"), "CASE-7");
	assert_non_null(
	    strstr(s(inv, "uco-core:description"), "notes: seized 2026-11-28\\x0asealed"));
	assert_int_equal(json_array_size(json_object_get(inv, "uco-core:object")), 4);
	json_decref(index);
	json_decref(doc);
	free(text);
}

static void test_case_login_performer_has_no_role(void **state)
{
	struct fixture *f = *state;
	json_t *e =
	    json_array_get(json_object_get(json_object_get(f->report, "custody"), "entries"), 1);
	json_t *index, *doc, *who;
	char *text;

	json_object_del(json_object_get(e, "actor"), "examiner");
	text = write_case(f, 0, NULL);
	doc = parse_doc(text, &index);
	who = deref(index, json_object_get(action(index, "verification"), "uco-action:performer"));
	assert_string_equal(s(who, "uco-core:name"), "alice@lab1");
	assert_int_equal(count_type(index, "uco-identity:Identity"), 2);
	assert_int_equal(count_type(index, "uco-core:Relationship"), 1);
	json_decref(index);
	json_decref(doc);
	free(text);
}

static void test_case_without_parse(void **state)
{
	struct fixture *f = *state;
	json_t *index, *doc, *rep;
	char *text;

	json_object_set_new(f->report, "parse", json_null());
	text = write_case(f, 0, NULL);
	doc = parse_doc(text, &index);
	/* the custody log's parse is still an action; the report holds no outputs of it */
	rep = action(index, "reporting");
	assert_int_equal(json_array_size(json_object_get(rep, "uco-action:object")), 1);
	assert_string_equal(s(record_of(index, "parsing"), "uco-core:name"), "parsing");
	json_decref(index);
	json_decref(doc);
	free(text);
}

static void test_case_manifest_changed(void **state)
{
	struct fixture *f = *state;
	char *text;

	json_object_set_new(json_object_get(f->report, "backup_files"), "manifest_sha256",
	                    json_string(CERT));
	text = write_case(f, IFK_EVERIFY, NULL);
	free(text);
}

static void test_case_manifest_missing(void **state)
{
	struct fixture *f = *state;
	char *text;

	unlink(f->manifest);
	text = write_case(f, IFK_ENOTFOUND, NULL);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_case_context_and_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_actions_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_examiner_role, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_device, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_backup_files_hashed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_report_files_hashed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_deterministic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_escapes_hostile_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_login_performer_has_no_role, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_without_parse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_manifest_changed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_manifest_missing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
