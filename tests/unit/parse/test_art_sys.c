/* Tests of the system artifacts: applications, photos, media_files,
 * voicemail and wifi_networks, each run through the artifact runner
 * (ifk_parse_ctx_*) over files written here (following the sample
 * generator's documented content) or real fixtures read in place, with
 * the results read back from artifacts.sqlite and the jsonl files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <plist/plist.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "artifact.h"
#include "formats.h"
#include "parse_int.h"
#include "core.h"
#include "testutil.h"

#include "parse_int.h" /* p_ctx_index: files in states add_file cannot make */

extern const struct ifk_artifact ifk_art_applications;
extern const struct ifk_artifact ifk_art_photos;
extern const struct ifk_artifact ifk_art_media_files;
extern const struct ifk_artifact ifk_art_voicemail;
extern const struct ifk_artifact ifk_art_wifi_networks;

#define BASE_UNIX 1686823200 /* the generator's base date, 2023-06-15T10:00:00Z */
#define BASE_COCOA 708516000
#define WA_ID "net.whatsapp.WhatsApp"
#define WA_PATH                                                                                    \
	"/private/var/containers/Bundle/Application/3F2504E0-4F89-41D3-9A0C-0305E82C3301/"         \
	"WhatsApp.app"
#define SYSCONF "SystemConfiguration/"
/* known Wi-Fi networks, iOS 14+: at the root of SystemPreferencesDomain
 * (/private/var/preferences), not in SystemConfiguration/ */
#define KNOWN_NETS "com.apple.wifi.known-networks.plist"

/* ---- the harness: one runner per scenario ---- */

struct run {
	char *dir, *out;
	struct ifk_parse_ctx *c;
	sqlite3 *db; /* OUT/artifacts.sqlite once run */
	json_t *st;  /* the artifact's parse.json entry */
	char buf[4][4096];
	int nbuf;
};

static void r_open(struct run *r)
{
	struct ifk_error e = {0};

	memset(r, 0, sizeof(*r));
	r->dir = tu_mkdtemp();
	assert_non_null(r->dir);
	assert_true(asprintf(&r->out, "%s/out", r->dir) > 0);
	assert_int_equal(mkdir(r->out, 0700), 0);
	assert_int_equal(ifk_parse_ctx_new(r->out, &r->c, &e), 0);
}

/* DIR/name (valid until four more calls). */
static const char *r_path(struct run *r, const char *name)
{
	char *b = r->buf[r->nbuf++ % 4];

	snprintf(b, sizeof(r->buf[0]), "%s/%s", r->dir, name);
	return b;
}

static void r_add(struct run *r, const char *domain, const char *rel, const char *local)
{
	struct ifk_error e = {0};

	if (ifk_parse_ctx_add_file(r->c, domain, rel, local, &e) != 0)
		fail_msg("add %s: %s", rel, e.msg);
}

/* Runs art, finishes the outputs and opens artifacts.sqlite; returns the
 * status ("ok", "absent", "unsupported-schema", "failed"). */
static const char *r_run(struct run *r, const struct ifk_artifact *art)
{
	struct ifk_error e = {0};
	char path[4200];

	if (ifk_parse_ctx_run(r->c, art, &r->st, &e) != 0)
		fail_msg("run %s: %s", art->name, e.msg);
	assert_int_equal(ifk_parse_ctx_finish(r->c, &e), 0);
	snprintf(path, sizeof(path), "%s/artifacts.sqlite", r->out);
	assert_int_equal(sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return json_string_value(json_object_get(r->st, "status"));
}

static const char *r_reason(struct run *r)
{
	const char *s = json_string_value(json_object_get(r->st, "reason"));

	return s ? s : "";
}

static void r_close(struct run *r)
{
	sqlite3_close(r->db);
	json_decref(r->st);
	ifk_parse_ctx_free(r->c);
	tu_rmtree(r->dir);
	free(r->dir);
	free(r->out);
}

/* The first column of the first row of a query, as text (NULL for SQL
 * NULL); fails the test when there is no row. */
static char *q_text(sqlite3 *db, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	char *sql, *out = NULL;
	va_list ap;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("no row: %s", sql);
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return out;
}

static int64_t q_int(sqlite3 *db, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	char *sql;
	int64_t v;
	va_list ap;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("no row: %s", sql);
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		fail_msg("NULL: %s", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return v;
}

/* Asserts that a query's single value is want (NULL: SQL NULL). */
#define CHECK(db, want, ...)                                                                       \
	do {                                                                                       \
		const char *want_ = (want);                                                        \
		char *got_ = q_text(db, __VA_ARGS__);                                              \
		if (want_)                                                                         \
			assert_string_equal(got_ ? got_ : "(null)", want_);                        \
		else if (got_)                                                                     \
			fail_msg("expected NULL, got %s", got_);                                   \
		free(got_);                                                                        \
	} while (0)

static void file_sha(const char *path, char out[IFK_SHA256_HEX])
{
	size_t len = 0;
	uint8_t *b = tu_read_file(path, &len);

	assert_non_null(b);
	ifk_sha256_hex(b, len, out);
	free(b);
}

static void write_bytes(const char *path, const char *fill, size_t n)
{
	char *b = malloc(n ? n : 1);
	size_t i, k = strlen(fill);

	assert_non_null(b);
	for (i = 0; i < n; i++)
		b[i] = fill[i % k];
	assert_int_equal(tu_write_file(path, b, n), 0);
	free(b);
}

static void set_mtime(const char *path, time_t t)
{
	struct utimbuf u = {t, t};

	assert_int_equal(utime(path, &u), 0);
}

static void mkdb(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", path, msg);
	sqlite3_close(db);
}

static void write_plist(const char *path, plist_t p, int xml)
{
	char *b = NULL;
	uint32_t n = 0;

	if (xml)
		plist_to_xml(p, &b, &n);
	else
		plist_to_bin(p, &b, &n);
	assert_non_null(b);
	assert_int_equal(tu_write_file(path, b, n), 0);
	if (xml)
		plist_to_xml_free(b);
	else
		plist_to_bin_free(b);
	plist_free(p);
}

static plist_t data_of(plist_t p)
{
	char *b = NULL;
	uint32_t n = 0;
	plist_t d;

	plist_to_bin(p, &b, &n);
	assert_non_null(b);
	d = plist_new_data(b, n);
	plist_to_bin_free(b);
	plist_free(p);
	return d;
}

static int count_lines(const char *path)
{
	size_t len = 0, i;
	uint8_t *b = tu_read_file(path, &len);
	int n = 0;

	assert_non_null(b);
	for (i = 0; i < len; i++)
		n += b[i] == '\n';
	free(b);
	return n;
}

/* ---- applications ---- */

/* Info.plist and Manifest.plist as the generator writes them. */
static void gen_app_plists(struct run *r, const char **info, const char **man)
{
	plist_t i = plist_new_dict(), apps = plist_new_dict(), app = plist_new_dict();
	plist_t meta = plist_new_dict(), inst = plist_new_array(), m = plist_new_dict();
	plist_t mapps = plist_new_dict(), mapp = plist_new_dict();

	plist_dict_set_item(i, "Device Name", plist_new_string("Sample iPhone"));
	plist_dict_set_item(meta, "itemName", plist_new_string("WhatsApp Messenger"));
	plist_dict_set_item(meta, "softwareVersionBundleId", plist_new_string(WA_ID));
	plist_dict_set_item(meta, "bundleShortVersionString", plist_new_string("23.12.78"));
	plist_dict_set_item(app, "iTunesMetadata", data_of(meta));
	plist_dict_set_item(apps, WA_ID, app);
	plist_array_append_item(inst, plist_new_string(WA_ID));
	plist_dict_set_item(i, "Installed Applications", inst);
	plist_dict_set_item(i, "Applications", apps);
	*info = r_path(r, "Info.plist");
	write_plist(*info, i, 1);

	plist_dict_set_item(mapp, "CFBundleIdentifier", plist_new_string(WA_ID));
	plist_dict_set_item(mapp, "CFBundleVersion", plist_new_string("23.12.78"));
	plist_dict_set_item(mapp, "ContainerContentClass", plist_new_string("Data/Application"));
	plist_dict_set_item(mapp, "Path", plist_new_string(WA_PATH));
	plist_dict_set_item(mapps, WA_ID, mapp);
	plist_dict_set_item(m, "Version", plist_new_string("10.0"));
	plist_dict_set_item(m, "Applications", mapps);
	*man = r_path(r, "Manifest.plist");
	write_plist(*man, m, 0);
}

static void test_apps_generator(void **state)
{
	struct run r;
	const char *info, *man;
	char sha[IFK_SHA256_HEX];

	(void)state;
	r_open(&r);
	gen_app_plists(&r, &info, &man);
	r_add(&r, "", "Info.plist", info);
	r_add(&r, "", "Manifest.plist", man);
	file_sha(man, sha);
	assert_string_equal(r_run(&r, &ifk_art_applications), "ok");
	assert_int_equal(json_integer_value(json_object_get(r.st, "rows")), 1);
	CHECK(r.db, WA_ID, "SELECT bundle_id FROM applications");
	CHECK(r.db, "WhatsApp Messenger", "SELECT name FROM applications");
	CHECK(r.db, "23.12.78", "SELECT version FROM applications");
	CHECK(r.db, "23.12.78", "SELECT short_version FROM applications");
	CHECK(r.db, "Data/Application", "SELECT container_class FROM applications");
	CHECK(r.db, WA_PATH, "SELECT path FROM applications");
	CHECK(r.db, "ok", "SELECT metadata FROM applications");
	CHECK(r.db, NULL, "SELECT purchase_date FROM applications");
	assert_int_equal(q_int(r.db, "SELECT installed + in_info_plist + in_manifest_plist"
	                             " FROM applications"),
	                 3);
	/* provenance: the Manifest.plist entry */
	CHECK(r.db, "", "SELECT domain FROM applications");
	CHECK(r.db, "Manifest.plist", "SELECT relative_path FROM applications");
	CHECK(r.db, sha, "SELECT source_sha256 FROM applications");
	CHECK(r.db, "Applications", "SELECT source_table FROM applications");
	assert_int_equal(q_int(r.db, "SELECT source_rowid FROM applications"), 1);
	assert_int_equal(count_lines(r_path(&r, "out/applications.jsonl")), 1);
	r_close(&r);
}

/* An app's Info.plist entry with full iTunesMetadata. */
static plist_t rich_app(void)
{
	plist_t app = plist_new_dict(), meta = plist_new_dict(), dl = plist_new_dict();
	plist_t acct = plist_new_dict();

	plist_dict_set_item(meta, "itemName", plist_new_string("Acme Notes"));
	plist_dict_set_item(meta, "artistName", plist_new_string("Acme Inc."));
	plist_dict_set_item(meta, "genre", plist_new_string("Productivity"));
	plist_dict_set_item(meta, "bundleVersion", plist_new_string("100"));
	plist_dict_set_item(meta, "bundleShortVersionString", plist_new_string("1.0"));
	plist_dict_set_item(meta, "itemId", plist_new_uint(123456789));
	/* 2023-06-01T12:00:00Z */
	plist_dict_set_item(meta, "purchaseDate",
	                    plist_new_date(1685620800 - BASE_UNIX + BASE_COCOA, 0));
	plist_dict_set_item(acct, "AppleID", plist_new_string("user@example.com"));
	plist_dict_set_item(dl, "accountInfo", acct);
	plist_dict_set_item(meta, "com.apple.iTunesStore.downloadInfo", dl);
	plist_dict_set_item(app, "iTunesMetadata", data_of(meta));
	plist_dict_set_item(app, "ApplicationSINF", plist_new_data("sinf", 4));
	return app;
}

static plist_t manifest_app(const char *id, const char *version)
{
	plist_t d = plist_new_dict();

	plist_dict_set_item(d, "CFBundleIdentifier", plist_new_string(id));
	plist_dict_set_item(d, "CFBundleVersion", plist_new_string(version));
	plist_dict_set_item(d, "ContainerContentClass", plist_new_string("Data/Application"));
	return d;
}

/* Bundle ids from the three lists, merged; each row from its best source. */
static void test_apps_union(void **state)
{
	struct run r;
	plist_t i = plist_new_dict(), inst = plist_new_array(), apps = plist_new_dict();
	plist_t bad = plist_new_dict(), m = plist_new_dict(), mapps = plist_new_dict();
	char sha_i[IFK_SHA256_HEX];

	(void)state;
	r_open(&r);
	plist_array_append_item(inst, plist_new_string("b.only.installed"));
	plist_array_append_item(inst, plist_new_string("a.app"));
	plist_array_append_item(inst, plist_new_uint(7)); /* not a string: skipped */
	plist_dict_set_item(apps, "a.app", rich_app());
	plist_dict_set_item(bad, "iTunesMetadata", plist_new_data("not a plist", 11));
	plist_dict_set_item(apps, "c.bad.metadata", bad);
	plist_dict_set_item(i, "Installed Applications", inst);
	plist_dict_set_item(i, "Applications", apps);
	write_plist(r_path(&r, "Info.plist"), i, 1);
	plist_dict_set_item(mapps, "a.app", manifest_app("a.app", "101"));
	plist_dict_set_item(mapps, "d.manifest.only", manifest_app("d.manifest.only", "7"));
	plist_dict_set_item(m, "Applications", mapps);
	write_plist(r_path(&r, "Manifest.plist"), m, 0);
	r_add(&r, "", "Info.plist", r_path(&r, "Info.plist"));
	r_add(&r, "", "Manifest.plist", r_path(&r, "Manifest.plist"));
	file_sha(r_path(&r, "Info.plist"), sha_i);

	assert_string_equal(r_run(&r, &ifk_art_applications), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM applications"), 4);
	CHECK(r.db, "a.app,b.only.installed,c.bad.metadata,d.manifest.only",
	      "SELECT group_concat(bundle_id) FROM (SELECT bundle_id FROM applications"
	      " ORDER BY source_rowid)");
	/* a.app: the Manifest's version wins over iTunesMetadata's bundleVersion */
	CHECK(r.db, "101", "SELECT version FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "Acme Notes", "SELECT name FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "Acme Inc.", "SELECT artist FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "Productivity", "SELECT genre FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "1.0", "SELECT short_version FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "123456789", "SELECT item_id FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "user@example.com",
	      "SELECT apple_id FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "2023-06-01T12:00:00Z",
	      "SELECT purchase_date FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "1", "SELECT has_sinf FROM applications WHERE bundle_id = 'a.app'");
	CHECK(r.db, "Manifest.plist",
	      "SELECT relative_path FROM applications WHERE bundle_id = 'a.app'");
	/* only in Info.plist's installed list: cited from Info.plist */
	CHECK(r.db, "Info.plist",
	      "SELECT relative_path FROM applications WHERE bundle_id = 'b.only.installed'");
	CHECK(r.db, sha_i,
	      "SELECT source_sha256 FROM applications WHERE bundle_id = 'b.only.installed'");
	CHECK(r.db, "1|1|0",
	      "SELECT installed || '|' || in_info_plist || '|' || in_manifest_plist"
	      " FROM applications WHERE bundle_id = 'b.only.installed'");
	assert_int_equal(q_int(r.db, "SELECT source_rowid FROM applications"
	                             " WHERE bundle_id = 'b.only.installed'"),
	                 2);
	CHECK(r.db, "unreadable",
	      "SELECT metadata FROM applications WHERE bundle_id = 'c.bad.metadata'");
	CHECK(r.db, "0|1|0",
	      "SELECT installed || '|' || in_info_plist || '|' || in_manifest_plist"
	      " FROM applications WHERE bundle_id = 'c.bad.metadata'");
	CHECK(r.db, "7", "SELECT version FROM applications WHERE bundle_id = 'd.manifest.only'");
	CHECK(r.db, "0|0|1",
	      "SELECT installed || '|' || in_info_plist || '|' || in_manifest_plist"
	      " FROM applications WHERE bundle_id = 'd.manifest.only'");
	/* one timeline event: the purchase */
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM timeline"), 1);
	CHECK(r.db, "2023-06-01T12:00:00Z|purchased|app a.app",
	      "SELECT time || '|' || event || '|' || summary FROM timeline");
	r_close(&r);
}

static void test_apps_hostile(void **state)
{
	struct run r;
	plist_t i, m, dl, meta, app, apps;

	(void)state;
	/* Manifest.plist Applications of the wrong type: Info's rows are kept */
	r_open(&r);
	i = plist_new_dict();
	apps = plist_new_dict();
	app = plist_new_dict();
	meta = plist_new_dict();
	dl = plist_new_dict();
	plist_dict_set_item(dl, "purchaseDate", plist_new_string("2020-02-29T23:59:59Z"));
	plist_dict_set_item(meta, "com.apple.iTunesStore.downloadInfo", dl);
	plist_dict_set_item(meta, "itemName", plist_new_string("Caf\xc3\xa9 \xf0\x9f\x9a\x80"));
	plist_dict_set_item(app, "iTunesMetadata", data_of(meta));
	plist_dict_set_item(apps, "x.app", app);
	plist_dict_set_item(apps, "y.notadict", plist_new_string("junk"));
	plist_dict_set_item(i, "Applications", apps);
	write_plist(r_path(&r, "Info.plist"), i, 0);
	m = plist_new_dict();
	plist_dict_set_item(m, "Applications", plist_new_string("not a dictionary"));
	write_plist(r_path(&r, "Manifest.plist"), m, 0);
	r_add(&r, "", "Info.plist", r_path(&r, "Info.plist"));
	r_add(&r, "", "Manifest.plist", r_path(&r, "Manifest.plist"));
	assert_string_equal(r_run(&r, &ifk_art_applications), "unsupported-schema");
	assert_non_null(strstr(r_reason(&r), "Manifest.plist: Applications is a string"));
	assert_true(json_is_true(json_object_get(r.st, "partial")));
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM applications"), 2);
	CHECK(r.db, "2020-02-29T23:59:59Z",
	      "SELECT purchase_date FROM applications WHERE bundle_id = 'x.app'");
	CHECK(r.db, "Caf\xc3\xa9 \xf0\x9f\x9a\x80",
	      "SELECT name FROM applications WHERE bundle_id = 'x.app'");
	CHECK(r.db, NULL, "SELECT metadata FROM applications WHERE bundle_id = 'y.notadict'");
	r_close(&r);

	/* a corrupt Info.plist: failed, the Manifest's rows kept */
	r_open(&r);
	write_bytes(r_path(&r, "local-info"), "bplist00\xff\xfe garbage", 300);
	m = plist_new_dict();
	apps = plist_new_dict();
	plist_dict_set_item(apps, "z.app", manifest_app("z.app", "1"));
	plist_dict_set_item(m, "Applications", apps);
	write_plist(r_path(&r, "Manifest.plist"), m, 0);
	r_add(&r, "", "Info.plist", r_path(&r, "local-info"));
	r_add(&r, "", "Manifest.plist", r_path(&r, "Manifest.plist"));
	assert_string_equal(r_run(&r, &ifk_art_applications), "failed");
	assert_non_null(strstr(r_reason(&r), "Info.plist: "));
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM applications"), 1);
	CHECK(r.db, "z.app", "SELECT bundle_id FROM applications");
	r_close(&r);

	/* neither plist: absent */
	r_open(&r);
	assert_string_equal(r_run(&r, &ifk_art_applications), "absent");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM applications"), 0);
	r_close(&r);

	/* plists without any application list: ok, no rows */
	r_open(&r);
	write_plist(r_path(&r, "Info.plist"), plist_new_dict(), 1);
	r_add(&r, "", "Info.plist", r_path(&r, "Info.plist"));
	assert_string_equal(r_run(&r, &ifk_art_applications), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM applications"), 0);
	r_close(&r);
}

/* ---- wifi_networks ---- */

static plist_t legacy_net(const char *ssid, const char *bssid, int32_t ago)
{
	plist_t n = plist_new_dict();

	plist_dict_set_item(n, "SSID_STR", plist_new_string(ssid));
	plist_dict_set_item(n, "BSSID", plist_new_string(bssid));
	plist_dict_set_item(n, "lastJoined", plist_new_date(BASE_COCOA - ago, 0));
	return n;
}

/* com.apple.wifi.plist as the generator writes it: 3 networks. */
static void gen_wifi_plist(const char *path)
{
	plist_t p = plist_new_dict(), list = plist_new_array();

	plist_array_append_item(list, legacy_net("HomeNet", "a4:2b:b0:11:22:33", 3600));
	plist_array_append_item(list, legacy_net("Caf\xc3\xa9 Wi-Fi", "3c:37:86:aa:bb:01", 86400));
	plist_array_append_item(list, legacy_net("Airport_Free", "00:1a:2b:3c:4d:5e", 604800));
	plist_dict_set_item(p, "List of known networks", list);
	write_plist(path, p, 0);
}

static const char *plaso_wifi(char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/appdb/plaso-ios/com.apple.wifi.known-networks.plist", tu_fixtures());
	return buf;
}

static void test_wifi_legacy_generator(void **state)
{
	struct run r;
	char sha[IFK_SHA256_HEX];

	(void)state;
	r_open(&r);
	gen_wifi_plist(r_path(&r, "wifi.plist"));
	file_sha(r_path(&r, "wifi.plist"), sha);
	r_add(&r, "SystemPreferencesDomain", SYSCONF "com.apple.wifi.plist",
	      r_path(&r, "wifi.plist"));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM wifi_networks"), 3);
	CHECK(r.db, "HomeNet|a4:2b:b0:11:22:33|2023-06-15T09:00:00Z",
	      "SELECT ssid || '|' || bssid || '|' || last_joined FROM wifi_networks"
	      " WHERE source_rowid = 1");
	CHECK(r.db, "Caf\xc3\xa9 Wi-Fi|2023-06-14T10:00:00Z",
	      "SELECT ssid || '|' || last_joined FROM wifi_networks WHERE source_rowid = 2");
	CHECK(r.db, "Airport_Free|00:1a:2b:3c:4d:5e|2023-06-08T10:00:00Z",
	      "SELECT ssid || '|' || bssid || '|' || last_joined_user FROM wifi_networks"
	      " WHERE source_rowid = 3");
	CHECK(r.db, NULL, "SELECT last_joined_auto FROM wifi_networks WHERE source_rowid = 3");
	CHECK(r.db, NULL, "SELECT security FROM wifi_networks WHERE source_rowid = 1");
	CHECK(r.db, "wifi.plist", "SELECT DISTINCT source_format FROM wifi_networks");
	CHECK(r.db, "SystemPreferencesDomain", "SELECT DISTINCT domain FROM wifi_networks");
	CHECK(r.db, SYSCONF "com.apple.wifi.plist",
	      "SELECT DISTINCT relative_path FROM wifi_networks");
	CHECK(r.db, sha, "SELECT DISTINCT source_sha256 FROM wifi_networks");
	CHECK(r.db, "List of known networks", "SELECT DISTINCT source_table FROM wifi_networks");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM timeline WHERE event = 'joined'"), 3);
	CHECK(r.db, "Wi-Fi HomeNet joined by the user",
	      "SELECT summary FROM timeline WHERE time = '2023-06-15T09:00:00Z'");
	r_close(&r);
}

static void test_wifi_known_networks_fixture(void **state)
{
	struct run r;
	char path[4096], sha[IFK_SHA256_HEX];
	char *bssids;

	(void)state;
	r_open(&r);
	plaso_wifi(path, sizeof(path));
	file_sha(path, sha);
	r_add(&r, "SystemPreferencesDomain", KNOWN_NETS, path);
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "ok");
	/* the real file knows one network */
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM wifi_networks"), 1);
	CHECK(r.db, "Matt_Foley", "SELECT ssid FROM wifi_networks");
	CHECK(r.db, "6a:22:32:98:f4:df", "SELECT bssid FROM wifi_networks");
	CHECK(r.db, "WPA2 Personal", "SELECT security FROM wifi_networks");
	CHECK(r.db, "2023-04-15T13:53:47Z", "SELECT added FROM wifi_networks");
	CHECK(r.db, "2023-04-15T13:53:47Z", "SELECT last_joined_user FROM wifi_networks");
	CHECK(r.db, "2023-05-20T19:55:03Z", "SELECT last_joined_auto FROM wifi_networks");
	CHECK(r.db, "2023-05-20T19:55:03Z", "SELECT last_joined FROM wifi_networks");
	CHECK(r.db, "2023-05-20T19:55:03Z", "SELECT updated FROM wifi_networks");
	CHECK(r.db, "0|0", "SELECT hidden || '|' || captive FROM wifi_networks");
	CHECK(r.db, "known-networks", "SELECT source_format FROM wifi_networks");
	bssids = q_text(r.db, "SELECT bssids FROM wifi_networks");
	assert_non_null(bssids);
	assert_non_null(strstr(bssids, "76:a7:41:e7:7c:9d"));
	assert_non_null(strstr(bssids, "6a:22:32:1d:3e:a3"));
	free(bssids);
	assert_int_equal(q_int(r.db, "SELECT length(bssids) - length(replace(bssids, ',', ''))"
	                             " FROM wifi_networks"),
	                 8); /* 9 BSSIDs in BSSList */
	CHECK(r.db, "wifi.network.ssid.Matt_Foley", "SELECT source_table FROM wifi_networks");
	assert_int_equal(q_int(r.db, "SELECT source_rowid FROM wifi_networks"), 1);
	CHECK(r.db, "SystemPreferencesDomain|" KNOWN_NETS,
	      "SELECT domain || '|' || relative_path FROM wifi_networks");
	CHECK(r.db, sha, "SELECT source_sha256 FROM wifi_networks");
	/* timeline: added, joined by the user, joined automatically */
	CHECK(r.db, "added,joined,joined",
	      "SELECT group_concat(event) FROM (SELECT event FROM timeline ORDER BY ts, event)");
	CHECK(r.db, "Wi-Fi Matt_Foley joined automatically",
	      "SELECT summary FROM timeline WHERE time = '2023-05-20T19:55:03Z'");
	r_close(&r);
}

/* Both formats in one backup: rows from each, each citing its own file. */
static void test_wifi_both(void **state)
{
	struct run r;
	char path[4096];

	(void)state;
	r_open(&r);
	gen_wifi_plist(r_path(&r, "wifi.plist"));
	r_add(&r, "SystemPreferencesDomain", SYSCONF "com.apple.wifi.plist",
	      r_path(&r, "wifi.plist"));
	r_add(&r, "SystemPreferencesDomain", KNOWN_NETS, plaso_wifi(path, sizeof(path)));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM wifi_networks"), 4);
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM wifi_networks WHERE relative_path ="
	                             " 'SystemConfiguration/com.apple.wifi.plist'"),
	                 3);
	CHECK(r.db, KNOWN_NETS,
	      "SELECT relative_path FROM wifi_networks WHERE ssid = 'Matt_Foley'");
	assert_int_equal(json_array_size(json_object_get(r.st, "sources")), 2);
	r_close(&r);
}

/* A known-networks file with odd entries, written here. */
static void hostile_known_networks(const char *path)
{
	plist_t p = plist_new_dict(), n = plist_new_dict(), bss = plist_new_array();
	plist_t e1 = plist_new_dict(), e2 = plist_new_dict(), n2 = plist_new_dict();

	plist_dict_set_item(n, "SSID", plist_new_data("bad\xff\xfe", 5));
	plist_dict_set_item(n, "SupportedSecurityTypes", plist_new_uint(4));
	plist_dict_set_item(n, "AddedAt", plist_new_string("not a date"));
	plist_dict_set_item(e1, "LEAKY_AP_BSSID", plist_new_string("11:22:33:44:55:66"));
	plist_dict_set_item(e2, "BSSID", plist_new_uint(5)); /* wrong type: skipped */
	plist_array_append_item(bss, e1);
	plist_array_append_item(bss, e2);
	plist_array_append_item(bss, plist_new_string("junk"));
	plist_dict_set_item(n, "BSSList", bss);
	plist_dict_set_item(p, "wifi.network.ssid.bad", n);
	plist_dict_set_item(p, "wifi.network.ssid.plain", n2); /* no SSID data: from the key */
	plist_dict_set_item(p, "wifi.network.ssid.str", plist_new_string("not a dict"));
	plist_dict_set_item(p, "SomethingElse", plist_new_dict());
	write_plist(path, p, 0);
}

static void bad_key_plist(const char *path)
{
	static const char xml[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>"
	    "<key>wifi.network.ssid.x\xff</key><dict><key>AddedAt</key>"
	    "<date>2023-01-01T00:00:00Z</date></dict></dict></plist>\n";

	assert_int_equal(tu_write_file(path, xml, sizeof(xml) - 1), 0);
}

/* The single jsonl line parses and carries source_table want. */
static void check_jsonl_table(const char *path, const char *want)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (!j)
		fail_msg("%s: %s", path, je.text);
	assert_string_equal(json_string_value(json_object_get(j, "source_table")), want);
	json_decref(j);
}

static void test_wifi_hostile(void **state)
{
	struct run r;
	plist_t p;

	(void)state;
	r_open(&r);
	hostile_known_networks(r_path(&r, "kn.plist"));
	r_add(&r, "SystemPreferencesDomain", KNOWN_NETS, r_path(&r, "kn.plist"));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM wifi_networks"), 2);
	CHECK(r.db, "bad\\xff\\xfe",
	      "SELECT ssid FROM wifi_networks WHERE source_table = 'wifi.network.ssid.bad'");
	CHECK(r.db, "4|11:22:33:44:55:66|11:22:33:44:55:66",
	      "SELECT security || '|' || bssid || '|' || bssids FROM wifi_networks"
	      " WHERE source_table = 'wifi.network.ssid.bad'");
	CHECK(r.db, NULL,
	      "SELECT added FROM wifi_networks WHERE source_table = 'wifi.network.ssid.bad'");
	CHECK(r.db, "plain",
	      "SELECT ssid FROM wifi_networks WHERE source_table = 'wifi.network.ssid.plain'");
	assert_int_equal(q_int(r.db, "SELECT source_rowid FROM wifi_networks"
	                             " WHERE source_table = 'wifi.network.ssid.plain'"),
	                 2);
	r_close(&r);

	/* the list of the wrong type */
	r_open(&r);
	p = plist_new_dict();
	plist_dict_set_item(p, "List of known networks", plist_new_string("x"));
	write_plist(r_path(&r, "w.plist"), p, 0);
	r_add(&r, "SystemPreferencesDomain", SYSCONF "com.apple.wifi.plist", r_path(&r, "w.plist"));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "unsupported-schema");
	assert_non_null(strstr(r_reason(&r), "\"List of known networks\" is a string"));
	r_close(&r);

	/* com.apple.wifi.plist without the list: unsupported alone ... */
	r_open(&r);
	p = plist_new_dict();
	plist_dict_set_item(p, "AllowEnable", plist_new_bool(1));
	write_plist(r_path(&r, "w.plist"), p, 0);
	r_add(&r, "SystemPreferencesDomain", SYSCONF "com.apple.wifi.plist", r_path(&r, "w.plist"));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "unsupported-schema");
	assert_non_null(strstr(r_reason(&r), "has no key \"List of known networks\""));
	r_close(&r);

	/* ... but fine beside the iOS 14+ file */
	r_open(&r);
	p = plist_new_dict();
	plist_dict_set_item(p, "AllowEnable", plist_new_bool(1));
	write_plist(r_path(&r, "w.plist"), p, 0);
	r_add(&r, "SystemPreferencesDomain", SYSCONF "com.apple.wifi.plist", r_path(&r, "w.plist"));
	hostile_known_networks(r_path(&r, "kn.plist"));
	r_add(&r, "SystemPreferencesDomain", KNOWN_NETS, r_path(&r, "kn.plist"));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM wifi_networks"), 2);
	r_close(&r);

	/* an XML key that is not UTF-8: escaped, also in source_table and the jsonl */
	r_open(&r);
	bad_key_plist(r_path(&r, "kn.plist"));
	r_add(&r, "SystemPreferencesDomain", KNOWN_NETS, r_path(&r, "kn.plist"));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "ok");
	CHECK(r.db, "x\\xff|wifi.network.ssid.x\\xff|2023-01-01T00:00:00Z",
	      "SELECT ssid || '|' || source_table || '|' || added FROM wifi_networks");
	check_jsonl_table(r_path(&r, "out/wifi_networks.jsonl"), "wifi.network.ssid.x\\xff");
	r_close(&r);

	/* a corrupt file: failed */
	r_open(&r);
	write_bytes(r_path(&r, "w.plist"), "<?xml <plist><dict><key>", 100);
	r_add(&r, "SystemPreferencesDomain", SYSCONF "com.apple.wifi.plist", r_path(&r, "w.plist"));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "failed");
	assert_non_null(strstr(r_reason(&r), "SystemConfiguration/com.apple.wifi.plist: "));
	r_close(&r);

	/* no file: absent */
	r_open(&r);
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "absent");
	r_close(&r);
}

/* SystemConfiguration/com.apple.wifi.known-networks.plist is read only
 * when the domain's root has no known-networks file. */
static void test_wifi_known_networks_fallback(void **state)
{
	struct run r;
	char path[4096];

	(void)state;
	r_open(&r);
	r_add(&r, "SystemPreferencesDomain", SYSCONF KNOWN_NETS, plaso_wifi(path, sizeof(path)));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "ok");
	CHECK(r.db, "Matt_Foley|" SYSCONF KNOWN_NETS,
	      "SELECT ssid || '|' || relative_path FROM wifi_networks");
	r_close(&r);

	r_open(&r);
	r_add(&r, "SystemPreferencesDomain", KNOWN_NETS, plaso_wifi(path, sizeof(path)));
	hostile_known_networks(r_path(&r, "kn.plist"));
	r_add(&r, "SystemPreferencesDomain", SYSCONF KNOWN_NETS, r_path(&r, "kn.plist"));
	assert_string_equal(r_run(&r, &ifk_art_wifi_networks), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM wifi_networks"), 1);
	CHECK(r.db, "Matt_Foley|" KNOWN_NETS,
	      "SELECT ssid || '|' || relative_path FROM wifi_networks");
	assert_int_equal(json_array_size(json_object_get(r.st, "sources")), 1);
	r_close(&r);
}

/* ---- media_files ---- */

static void test_media_files(void **state)
{
	struct run r;
	struct ifk_error e = {0};
	char sha1[IFK_SHA256_HEX];

	(void)state;
	r_open(&r);
	write_bytes(r_path(&r, "img1"), "\xff\xd8\xff\xe0 photo one", 41003);
	write_bytes(r_path(&r, "img2"), "\xff\xd8\xff\xe0 photo two", 131072);
	write_bytes(r_path(&r, "mov"), "ftypqt movie", 5000);
	write_bytes(r_path(&r, "other"), "x", 10);
	set_mtime(r_path(&r, "img1"), BASE_UNIX);
	file_sha(r_path(&r, "img1"), sha1);
	r_add(&r, "CameraRollDomain", "Media/DCIM/100APPLE/IMG_0001.JPG", r_path(&r, "img1"));
	r_add(&r, "CameraRollDomain", "Media/DCIM/100APPLE/IMG_0002.JPG", r_path(&r, "img2"));
	r_add(&r, "CameraRollDomain", "Media/DCIM/101APPLE/IMG_1000.MOV", r_path(&r, "mov"));
	r_add(&r, "CameraRollDomain", "Media/DCIM/.MISC/Info.plist", r_path(&r, "other"));
	/* outside Media/DCIM/: not listed */
	r_add(&r, "CameraRollDomain", "Media/PhotoData/Photos.sqlite", r_path(&r, "other"));
	r_add(&r, "HomeDomain", "Media/DCIM/100APPLE/IMG_9.JPG", r_path(&r, "other"));
	/* a file whose class cannot be decrypted off the device */
	assert_int_equal(p_ctx_index(r.c, "CameraRollDomain", "Media/DCIM/100APPLE/IMG_0003.HEIC",
	                             "0123456789abcdef0123456789abcdef01234567", 199999,
	                             BASE_UNIX - 60, BASE_UNIX - 120, 10, NULL,
	                             "not-decryptable-off-device", "class 10", NULL, &e),
	                 0);

	assert_string_equal(r_run(&r, &ifk_art_media_files), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM media_files"), 5);
	CHECK(r.db,
	      "Media/DCIM/.MISC/Info.plist,Media/DCIM/100APPLE/IMG_0001.JPG,"
	      "Media/DCIM/100APPLE/IMG_0002.JPG,Media/DCIM/100APPLE/IMG_0003.HEIC,"
	      "Media/DCIM/101APPLE/IMG_1000.MOV",
	      "SELECT group_concat(file_path) FROM (SELECT file_path FROM media_files"
	      " ORDER BY source_rowid)");
	CHECK(r.db, "CameraRollDomain|Media/DCIM/100APPLE|IMG_0001.JPG|jpg|photo|41003|ok",
	      "SELECT file_domain || '|' || directory || '|' || file_name || '|' || extension"
	      " || '|' || media_type || '|' || size || '|' || state FROM media_files"
	      " WHERE source_rowid = 2");
	CHECK(r.db, sha1, "SELECT sha256 FROM media_files WHERE source_rowid = 2");
	CHECK(r.db, "2023-06-15T10:00:00Z",
	      "SELECT modified FROM media_files WHERE source_rowid = 2");
	CHECK(r.db, NULL, "SELECT created FROM media_files WHERE source_rowid = 2");
	CHECK(r.db, "video|mov",
	      "SELECT media_type || '|' || extension FROM media_files"
	      " WHERE file_name = 'IMG_1000.MOV'");
	CHECK(r.db, "other", "SELECT media_type FROM media_files WHERE file_name = 'Info.plist'");
	/* the undecryptable file: listed with its state, no hash */
	CHECK(r.db, "not-decryptable-off-device|199999|10|photo|2023-06-15T09:58:00Z",
	      "SELECT state || '|' || size || '|' || protection_class || '|' || media_type ||"
	      " '|' || created FROM media_files WHERE file_name = 'IMG_0003.HEIC'");
	CHECK(r.db, NULL, "SELECT sha256 FROM media_files WHERE file_name = 'IMG_0003.HEIC'");
	/* provenance: each row cites the file itself, with its plaintext hash */
	CHECK(r.db, "CameraRollDomain|Media/DCIM/100APPLE/IMG_0001.JPG|file|2",
	      "SELECT domain || '|' || relative_path || '|' || source_table || '|' ||"
	      " source_rowid FROM media_files WHERE file_name = 'IMG_0001.JPG'");
	CHECK(r.db, sha1, "SELECT source_sha256 FROM media_files WHERE file_name = 'IMG_0001.JPG'");
	/* timeline: a modification time for each file, one creation time */
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM timeline WHERE event = 'file modified'"),
	                 5);
	CHECK(r.db, "camera roll file Media/DCIM/100APPLE/IMG_0003.HEIC",
	      "SELECT summary FROM timeline WHERE event = 'file created'");
	assert_int_equal(count_lines(r_path(&r, "out/media_files.jsonl")), 5);
	r_close(&r);

	/* no camera roll: absent */
	r_open(&r);
	write_bytes(r_path(&r, "f"), "x", 10);
	r_add(&r, "CameraRollDomain", "Media/PhotoData/Photos.sqlite", r_path(&r, "f"));
	assert_string_equal(r_run(&r, &ifk_art_media_files), "absent");
	r_close(&r);
}

/* ---- photos ---- */

/* Photos.sqlite as the generator writes it (iOS 14+ ZASSET layout). */
static const char photos_zasset_sql[] =
    "CREATE TABLE ZASSET (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZFAVORITE INTEGER, ZHIDDEN INTEGER, ZKIND INTEGER, ZKINDSUBTYPE INTEGER,"
    " ZORIENTATION INTEGER, ZTRASHEDSTATE INTEGER, ZHEIGHT INTEGER, ZWIDTH INTEGER,"
    " ZADDITIONALATTRIBUTES INTEGER, ZADDEDDATE TIMESTAMP, ZDATECREATED TIMESTAMP,"
    " ZMODIFICATIONDATE TIMESTAMP, ZTRASHEDDATE TIMESTAMP, ZDURATION FLOAT,"
    " ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZDIRECTORY VARCHAR, ZFILENAME VARCHAR,"
    " ZUNIFORMTYPEIDENTIFIER VARCHAR, ZUUID VARCHAR);"
    "CREATE TABLE ZADDITIONALASSETATTRIBUTES (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER,"
    " Z_OPT INTEGER, ZORIGINALFILESIZE INTEGER, ZORIGINALHEIGHT INTEGER,"
    " ZORIGINALWIDTH INTEGER, ZTIMEZONEOFFSET INTEGER, ZASSET INTEGER,"
    " ZORIGINALFILENAME VARCHAR, ZTIMEZONENAME VARCHAR);"
    "INSERT INTO ZASSET VALUES"
    " (1,3,2,0,0,0,0,1,0,3024,4032,1,708516000-431990+0.5,708516000-432000+0.25,"
    "708516000-431990+0.5,NULL,0.0,52.520008,13.404954,'DCIM/100APPLE','IMG_0001.JPG',"
    "'public.jpeg','B84E8479-475C-4727-A4A4-B77AA9980897'),"
    " (2,3,2,1,0,0,0,6,0,4032,3024,2,708516000-345590+0.5,708516000-345600+0.75,"
    "708516000-3600+0.125,NULL,0.0,48.858370,2.294481,'DCIM/100APPLE','IMG_0002.JPG',"
    "'public.jpeg','6F3C1D2E-9A8B-4C7D-8E6F-5A4B3C2D1E0F'),"
    " (3,3,2,0,0,0,0,1,0,3024,4032,3,708516000-259190+0.5,708516000-259200+0.5,"
    "708516000-259190+0.5,NULL,0.0,-180.0,-180.0,'DCIM/100APPLE','IMG_0003.JPG',"
    "'public.jpeg','0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D');"
    "INSERT INTO ZADDITIONALASSETATTRIBUTES VALUES"
    " (1,1,1,41003,3024,4032,7200,1,'IMG_0001.JPG','Europe/Berlin'),"
    " (2,1,1,131072,3024,4032,7200,2,'IMG_0002.JPG','Europe/Paris'),"
    " (3,1,1,199999,3024,4032,7200,3,'IMG_0003.JPG','Europe/Berlin');";

static void test_photos_zasset(void **state)
{
	struct run r;
	char sha[IFK_SHA256_HEX], sha1[IFK_SHA256_HEX];

	(void)state;
	r_open(&r);
	mkdb(r_path(&r, "Photos.sqlite"), photos_zasset_sql);
	file_sha(r_path(&r, "Photos.sqlite"), sha);
	r_add(&r, "CameraRollDomain", "Media/PhotoData/Photos.sqlite", r_path(&r, "Photos.sqlite"));
	write_bytes(r_path(&r, "img1"), "\xff\xd8\xff\xe0 one", 41003);
	file_sha(r_path(&r, "img1"), sha1);
	r_add(&r, "CameraRollDomain", "Media/DCIM/100APPLE/IMG_0001.JPG", r_path(&r, "img1"));
	write_bytes(r_path(&r, "img2"), "\xff\xd8\xff\xe0 two", 131072);
	r_add(&r, "CameraRollDomain", "Media/DCIM/100APPLE/IMG_0002.JPG", r_path(&r, "img2"));
	/* IMG_0003.JPG is not in the backup */

	assert_string_equal(r_run(&r, &ifk_art_photos), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM photos"), 3);
	CHECK(r.db, "B84E8479-475C-4727-A4A4-B77AA9980897|IMG_0001.JPG|DCIM/100APPLE|IMG_0001.JPG",
	      "SELECT uuid || '|' || filename || '|' || directory || '|' || original_filename"
	      " FROM photos WHERE source_rowid = 1");
	CHECK(r.db, "2023-06-10T10:00:00.250Z|2023-06-10T10:00:10.500Z|2023-06-10T10:00:10.500Z",
	      "SELECT taken || '|' || added || '|' || modified FROM photos WHERE source_rowid = 1");
	CHECK(r.db, "photo|0|4032|3024",
	      "SELECT kind || '|' || kind_code || '|' || width || '|' || height FROM photos"
	      " WHERE source_rowid = 1");
	CHECK(r.db, "52.520008|13.404954",
	      "SELECT latitude || '|' || longitude FROM photos WHERE source_rowid = 1");
	CHECK(r.db, "0|0|0",
	      "SELECT trashed || '|' || hidden || '|' || favorite FROM photos"
	      " WHERE source_rowid = 1");
	CHECK(r.db, NULL, "SELECT trashed_date FROM photos WHERE source_rowid = 1");
	CHECK(r.db, "Media/DCIM/100APPLE/IMG_0001.JPG|1|41003|ok",
	      "SELECT file_path || '|' || file_present || '|' || file_size || '|' || file_state"
	      " FROM photos WHERE source_rowid = 1");
	CHECK(r.db, sha1, "SELECT file_sha256 FROM photos WHERE source_rowid = 1");
	CHECK(r.db, "1|2023-06-11T10:00:00.750Z|2023-06-15T09:00:00.125Z",
	      "SELECT favorite || '|' || taken || '|' || modified FROM photos"
	      " WHERE source_rowid = 2");
	/* -180/-180: no location; the file is not in the backup */
	CHECK(r.db, NULL, "SELECT latitude FROM photos WHERE source_rowid = 3");
	CHECK(r.db, NULL, "SELECT longitude FROM photos WHERE source_rowid = 3");
	CHECK(r.db, "0", "SELECT file_present FROM photos WHERE source_rowid = 3");
	CHECK(r.db, NULL, "SELECT file_sha256 FROM photos WHERE source_rowid = 3");
	/* provenance */
	CHECK(r.db, "CameraRollDomain|Media/PhotoData/Photos.sqlite|ZASSET|ZASSET",
	      "SELECT DISTINCT domain || '|' || relative_path || '|' || source_table || '|' ||"
	      " layout FROM photos");
	CHECK(r.db, sha, "SELECT DISTINCT source_sha256 FROM photos");
	/* timeline: taken and added for each */
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM timeline WHERE event = 'taken'"), 3);
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM timeline WHERE event = 'added'"), 3);
	CHECK(r.db, "photo IMG_0001.JPG",
	      "SELECT summary FROM timeline WHERE time = '2023-06-10T10:00:00.250Z'");
	r_close(&r);
}

/* iOS 9-13: ZGENERICASSET, no ZADDEDDATE (older), no ZHIDDEN; attributes
 * joined by ZADDITIONALATTRIBUTES only (no ZASSET back reference). */
static const char photos_generic_sql[] =
    "CREATE TABLE ZGENERICASSET (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZFAVORITE INTEGER, ZKIND INTEGER, ZTRASHEDSTATE INTEGER, ZHEIGHT INTEGER,"
    " ZWIDTH INTEGER, ZADDITIONALATTRIBUTES INTEGER, ZDATECREATED TIMESTAMP,"
    " ZMODIFICATIONDATE TIMESTAMP, ZTRASHEDDATE TIMESTAMP, ZDURATION FLOAT,"
    " ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZDIRECTORY VARCHAR, ZFILENAME VARCHAR,"
    " ZUUID VARCHAR);"
    "CREATE TABLE ZADDITIONALASSETATTRIBUTES (Z_PK INTEGER PRIMARY KEY,"
    " ZORIGINALFILENAME VARCHAR);"
    "INSERT INTO ZADDITIONALASSETATTRIBUTES VALUES (7, 'holiday.mov'), (8, 'shared.jpg');"
    "INSERT INTO ZGENERICASSET VALUES"
    " (11,3,1,0,1,1,1080,1920,7,600000000,600000100,600086400.5,12.5,0.0,0.0,"
    "'DCIM/101APPLE','IMG_0101.MOV','UUID-11'),"
    " (12,3,1,1,0,0,100,200,8,600001000,NULL,NULL,0,-33.8688,151.2093,"
    "'DCIM/101APPLE','IMG_0102.JPG','UUID-12');";

static void test_photos_generic(void **state)
{
	struct run r;

	(void)state;
	r_open(&r);
	mkdb(r_path(&r, "Photos.sqlite"), photos_generic_sql);
	r_add(&r, "CameraRollDomain", "Media/PhotoData/Photos.sqlite", r_path(&r, "Photos.sqlite"));
	write_bytes(r_path(&r, "mov"), "movie", 777);
	r_add(&r, "CameraRollDomain", "Media/DCIM/101APPLE/IMG_0101.MOV", r_path(&r, "mov"));
	assert_string_equal(r_run(&r, &ifk_art_photos), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM photos"), 2);
	CHECK(r.db, "ZGENERICASSET|ZGENERICASSET",
	      "SELECT DISTINCT source_table || '|' || layout FROM photos");
	/* a trashed video, 0/0 = no location */
	CHECK(r.db, "video|1|12.5|holiday.mov",
	      "SELECT kind || '|' || kind_code || '|' || duration || '|' || original_filename"
	      " FROM photos WHERE source_rowid = 11");
	CHECK(r.db, "1|2020-01-07T10:40:00.500Z",
	      "SELECT trashed || '|' || trashed_date FROM photos WHERE source_rowid = 11");
	CHECK(r.db, "2020-01-06T10:40:00Z", "SELECT taken FROM photos WHERE source_rowid = 11");
	CHECK(r.db, NULL, "SELECT latitude FROM photos WHERE source_rowid = 11");
	CHECK(r.db, NULL, "SELECT added FROM photos WHERE source_rowid = 11");
	CHECK(r.db, NULL, "SELECT hidden FROM photos WHERE source_rowid = 11");
	CHECK(r.db, "1|777",
	      "SELECT file_present || '|' || file_size FROM photos"
	      " WHERE source_rowid = 11");
	CHECK(r.db, "-33.8688|151.2093|1|shared.jpg|0",
	      "SELECT latitude || '|' || longitude || '|' || favorite || '|' ||"
	      " original_filename || '|' || file_present FROM photos WHERE source_rowid = 12");
	/* the trashing is on the timeline */
	CHECK(r.db, "2020-01-07T10:40:00.500Z|photo IMG_0101.MOV",
	      "SELECT time || '|' || summary FROM timeline WHERE event = 'trashed'");
	r_close(&r);
}

static void run_photos_sql(const char *sql, const char *want_status, const char *want_reason)
{
	struct run r;

	r_open(&r);
	mkdb(r_path(&r, "Photos.sqlite"), sql);
	r_add(&r, "CameraRollDomain", "Media/PhotoData/Photos.sqlite", r_path(&r, "Photos.sqlite"));
	assert_string_equal(r_run(&r, &ifk_art_photos), want_status);
	if (want_reason && !strstr(r_reason(&r), want_reason))
		fail_msg("reason \"%s\" lacks \"%s\"", r_reason(&r), want_reason);
	r_close(&r);
}

static void test_photos_schema(void **state)
{
	(void)state;
	/* an unknown layout */
	run_photos_sql("CREATE TABLE ZPHOTO (Z_PK INTEGER PRIMARY KEY, ZFILENAME TEXT);",
	               "unsupported-schema",
	               "Media/PhotoData/Photos.sqlite: has no table ZASSET (iOS 14+) or "
	               "ZGENERICASSET (iOS 9-13)");
	/* a needed column missing */
	run_photos_sql("CREATE TABLE ZASSET (Z_PK INTEGER PRIMARY KEY, ZFILENAME TEXT,"
	               " ZDIRECTORY TEXT);",
	               "unsupported-schema",
	               "Media/PhotoData/Photos.sqlite: table ZASSET lacks column(s) ZDATECREATED");
	/* the bare minimum: ok */
	run_photos_sql("CREATE TABLE ZGENERICASSET (Z_PK INTEGER PRIMARY KEY, ZFILENAME TEXT,"
	               " ZDIRECTORY TEXT, ZDATECREATED REAL);"
	               "INSERT INTO ZGENERICASSET VALUES (1, 'a.jpg', 'DCIM/100APPLE', 1);",
	               "ok", NULL);
}

/* Wrong types, NULLs, huge values: no crash, values NULL or kept as text. */
static void test_photos_hostile(void **state)
{
	struct run r;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *big = malloc(1 << 20);

	(void)state;
	assert_non_null(big);
	memset(big, 'A', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	r_open(&r);
	mkdb(r_path(&r, "Photos.sqlite"),
	     "CREATE TABLE ZASSET (Z_PK INTEGER PRIMARY KEY, ZFILENAME, ZDIRECTORY,"
	     " ZDATECREATED, ZLATITUDE, ZLONGITUDE, ZKIND, ZWIDTH, ZTRASHEDSTATE, ZUUID,"
	     " ZADDITIONALATTRIBUTES);"
	     "CREATE TABLE ZADDITIONALASSETATTRIBUTES (Z_PK INTEGER PRIMARY KEY,"
	     " ZORIGINALFILENAME);"
	     "INSERT INTO ZASSET VALUES (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
	     " NULL, NULL);"
	     "INSERT INTO ZASSET VALUES (2, 'x.jpg', 'DCIM', 'yesterday', 'north', 'east',"
	     " 'photo', x'00ff', 'yes', x'c3', 99);"
	     "INSERT INTO ZASSET VALUES (-5, 7, 8, 1e300, 91.0, 10.0, 5, -1, -1, 'u', NULL);"
	     "INSERT INTO ZADDITIONALASSETATTRIBUTES VALUES (99, x'ff00fe');");
	assert_int_equal(sqlite3_open(r_path(&r, "Photos.sqlite"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "INSERT INTO ZASSET (Z_PK, ZFILENAME, ZDIRECTORY,"
	                                    " ZDATECREATED) VALUES (3, ?, ?, 700000000)",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, big, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, big, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(big);
	r_add(&r, "CameraRollDomain", "Media/PhotoData/Photos.sqlite", r_path(&r, "Photos.sqlite"));

	assert_string_equal(r_run(&r, &ifk_art_photos), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM photos"), 4);
	CHECK(r.db, NULL,
	      "SELECT coalesce(filename, taken, latitude, kind, file_path, file_present)"
	      " FROM photos WHERE source_rowid = 1");
	CHECK(r.db, NULL,
	      "SELECT coalesce(taken, latitude, kind, trashed, width)"
	      " FROM photos WHERE source_rowid = 2");
	CHECK(r.db, "\\xc3|\\xff \\xfe|Media/DCIM/x.jpg|0",
	      "SELECT uuid || '|' || original_filename || '|' || file_path || '|' ||"
	      " file_present FROM photos WHERE source_rowid = 2");
	/* out-of-range date and latitude dropped; other numbers kept */
	CHECK(r.db, NULL, "SELECT coalesce(taken, latitude) FROM photos WHERE source_rowid = -5");
	CHECK(r.db, "other|5|-1|1|7|8",
	      "SELECT kind || '|' || kind_code || '|' || width || '|' || trashed || '|' ||"
	      " filename || '|' || directory FROM photos WHERE source_rowid = -5");
	/* a 1 MiB name: kept whole, no file lookup */
	assert_int_equal(q_int(r.db, "SELECT length(filename) FROM photos WHERE source_rowid = 3"),
	                 (1 << 20) - 1);
	CHECK(r.db, NULL, "SELECT file_path FROM photos WHERE source_rowid = 3");
	r_close(&r);

	/* garbage: failed */
	r_open(&r);
	write_bytes(r_path(&r, "Photos.sqlite"), "not a database at all ", 8192);
	r_add(&r, "CameraRollDomain", "Media/PhotoData/Photos.sqlite", r_path(&r, "Photos.sqlite"));
	assert_string_equal(r_run(&r, &ifk_art_photos), "failed");
	assert_non_null(strstr(r_reason(&r), "Photos.sqlite"));
	r_close(&r);

	/* absent */
	r_open(&r);
	assert_string_equal(r_run(&r, &ifk_art_photos), "absent");
	r_close(&r);
}

/* A database cut short: an error while stepping is failed, never a crash. */
static void test_photos_truncated(void **state)
{
	struct run r;
	struct stat sb;
	size_t len = 0;
	uint8_t *b;

	(void)state;
	r_open(&r);
	mkdb(r_path(&r, "full.sqlite"),
	     "PRAGMA page_size=4096;"
	     "CREATE TABLE ZASSET (Z_PK INTEGER PRIMARY KEY, ZFILENAME TEXT, ZDIRECTORY TEXT,"
	     " ZDATECREATED REAL);"
	     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
	     " INSERT INTO ZASSET SELECT i, printf('IMG_%05d.JPG', i) || hex(randomblob(40)),"
	     " 'DCIM/100APPLE', 700000000 + i FROM n;");
	assert_int_equal(stat(r_path(&r, "full.sqlite"), &sb), 0);
	b = tu_read_file(r_path(&r, "full.sqlite"), &len);
	assert_non_null(b);
	assert_int_equal(tu_write_file(r_path(&r, "Photos.sqlite"), b, len / 3), 0);
	free(b);
	r_add(&r, "CameraRollDomain", "Media/PhotoData/Photos.sqlite", r_path(&r, "Photos.sqlite"));
	assert_string_equal(r_run(&r, &ifk_art_photos), "failed");
	assert_non_null(strstr(r_reason(&r), "Photos.sqlite"));
	r_close(&r);
}

/* ---- voicemail ---- */

/* voicemail.db as the generator writes it. */
static const char voicemail_sql[] =
    "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));"
    "CREATE TABLE voicemail (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, remote_uid INTEGER,"
    " date INTEGER, token TEXT, sender TEXT, callback_num TEXT, duration INTEGER,"
    " expiration INTEGER, trashed_date INTEGER, flags INTEGER);"
    "INSERT INTO voicemail VALUES"
    " (1,101,1686823200-93600,'Complete','+15555550101','+15555550101',3,"
    "1686823200-93600+2592000,0,3),"
    " (2,102,1686823200-10800,'Complete','+447700900123','+447700900123',2,"
    "1686823200-10800+2592000,708516000-3600,11);";

static void test_voicemail_generator(void **state)
{
	struct run r;
	char sha[IFK_SHA256_HEX], sha_amr[IFK_SHA256_HEX];

	(void)state;
	r_open(&r);
	mkdb(r_path(&r, "voicemail.db"), voicemail_sql);
	file_sha(r_path(&r, "voicemail.db"), sha);
	r_add(&r, "HomeDomain", "Library/Voicemail/voicemail.db", r_path(&r, "voicemail.db"));
	write_bytes(r_path(&r, "1.amr"), "#!AMR\n", 1234);
	file_sha(r_path(&r, "1.amr"), sha_amr);
	r_add(&r, "HomeDomain", "Library/Voicemail/1.amr", r_path(&r, "1.amr"));

	assert_string_equal(r_run(&r, &ifk_art_voicemail), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM voicemail"), 2);
	/* date is Unix seconds, trashed_date Cocoa seconds */
	CHECK(r.db, "2023-06-14T08:00:00Z|+15555550101|+15555550101|3|2023-07-14T08:00:00Z",
	      "SELECT date || '|' || sender || '|' || callback_num || '|' || duration || '|' ||"
	      " expiration FROM voicemail WHERE source_rowid = 1");
	CHECK(r.db, "0|3|101",
	      "SELECT trashed || '|' || flags || '|' || remote_uid FROM voicemail"
	      " WHERE source_rowid = 1");
	CHECK(r.db, NULL, "SELECT trashed_date FROM voicemail WHERE source_rowid = 1");
	CHECK(r.db, "Library/Voicemail/1.amr|1|1234|ok",
	      "SELECT audio_path || '|' || audio_present || '|' || audio_size || '|' ||"
	      " audio_state FROM voicemail WHERE source_rowid = 1");
	CHECK(r.db, sha_amr, "SELECT audio_sha256 FROM voicemail WHERE source_rowid = 1");
	CHECK(r.db, "2023-06-15T07:00:00Z|+447700900123|1|2023-06-15T09:00:00Z|11",
	      "SELECT date || '|' || sender || '|' || trashed || '|' || trashed_date || '|' ||"
	      " flags FROM voicemail WHERE source_rowid = 2");
	CHECK(r.db, "Library/Voicemail/2.amr|0",
	      "SELECT audio_path || '|' || audio_present FROM voicemail WHERE source_rowid = 2");
	CHECK(r.db, NULL, "SELECT audio_sha256 FROM voicemail WHERE source_rowid = 2");
	/* provenance */
	CHECK(r.db, "HomeDomain|Library/Voicemail/voicemail.db|voicemail",
	      "SELECT DISTINCT domain || '|' || relative_path || '|' || source_table"
	      " FROM voicemail");
	CHECK(r.db, sha, "SELECT DISTINCT source_sha256 FROM voicemail");
	/* timeline: two received, one trashed */
	CHECK(r.db,
	      "2023-06-14T08:00:00Z received voicemail from +15555550101 (3 s),"
	      "2023-06-15T07:00:00Z received voicemail from +447700900123 (2 s),"
	      "2023-06-15T09:00:00Z trashed voicemail from +447700900123 (2 s)",
	      "SELECT group_concat(x) FROM (SELECT time || ' ' || event || ' ' || summary AS x"
	      " FROM timeline ORDER BY ts)");
	r_close(&r);
}

/* Recent iOS: receiver, label, uuid, a map of accounts, a deleted table. */
static void test_voicemail_recent(void **state)
{
	struct run r;

	(void)state;
	r_open(&r);
	mkdb(r_path(&r, "voicemail.db"),
	     "CREATE TABLE voicemail (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, remote_uid INTEGER,"
	     " date INTEGER, token TEXT, sender TEXT, callback_num TEXT, duration INTEGER,"
	     " expiration INTEGER, trashed_date INTEGER, flags INTEGER, receiver TEXT,"
	     " label TEXT, uuid TEXT);"
	     "CREATE TABLE deleted (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, remote_uid INTEGER,"
	     " date INTEGER, token TEXT, sender TEXT, callback_num TEXT, duration INTEGER,"
	     " expiration INTEGER, trashed_date INTEGER, flags INTEGER, receiver TEXT,"
	     " label TEXT, uuid TEXT);"
	     "CREATE TABLE map (ROWID INTEGER PRIMARY KEY, account TEXT, label TEXT);"
	     "INSERT INTO map VALUES (1, '8901410321111851072', 'L1');"
	     "INSERT INTO voicemail VALUES (5, 9, 1700000000, NULL, '+15555550123', NULL, 41,"
	     " 0, 0, 67, '+15555550100', 'L1', 'AAAA-BBBB');"
	     "INSERT INTO deleted VALUES (3, 8, 1690000000, NULL, '+15555550999', NULL, 5,"
	     " 0, 0, 75, '+15555550100', 'L2', 'CCCC');");
	r_add(&r, "HomeDomain", "Library/Voicemail/voicemail.db", r_path(&r, "voicemail.db"));
	assert_string_equal(r_run(&r, &ifk_art_voicemail), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM voicemail"), 2);
	CHECK(r.db, "2023-11-14T22:13:20Z|+15555550100|8901410321111851072|AAAA-BBBB|0|41",
	      "SELECT date || '|' || receiver || '|' || account || '|' || uuid || '|' ||"
	      " trashed || '|' || duration FROM voicemail WHERE source_table = 'voicemail'");
	CHECK(r.db, NULL, "SELECT expiration FROM voicemail WHERE source_table = 'voicemail'");
	/* the deleted table: trashed, no account for an unknown label */
	CHECK(r.db, "3|1|75|2023-07-22T04:26:40Z",
	      "SELECT source_rowid || '|' || trashed || '|' || flags || '|' || date"
	      " FROM voicemail WHERE source_table = 'deleted'");
	CHECK(r.db, NULL, "SELECT account FROM voicemail WHERE source_table = 'deleted'");
	CHECK(r.db, "Library/Voicemail/3.amr",
	      "SELECT audio_path FROM voicemail WHERE source_table = 'deleted'");
	r_close(&r);
}

static void run_vm_sql(const char *sql, const char *want_status, const char *want_reason)
{
	struct run r;

	r_open(&r);
	mkdb(r_path(&r, "voicemail.db"), sql);
	r_add(&r, "HomeDomain", "Library/Voicemail/voicemail.db", r_path(&r, "voicemail.db"));
	assert_string_equal(r_run(&r, &ifk_art_voicemail), want_status);
	if (want_reason && !strstr(r_reason(&r), want_reason))
		fail_msg("reason \"%s\" lacks \"%s\"", r_reason(&r), want_reason);
	r_close(&r);
}

static void test_voicemail_hostile(void **state)
{
	struct run r;

	(void)state;
	run_vm_sql("CREATE TABLE messages (ROWID INTEGER PRIMARY KEY, date INTEGER);",
	           "unsupported-schema", "Library/Voicemail/voicemail.db: has no table voicemail");
	run_vm_sql("CREATE TABLE voicemail (ROWID INTEGER PRIMARY KEY, date INTEGER,"
	           " callback_num TEXT);",
	           "unsupported-schema",
	           "Library/Voicemail/voicemail.db: table voicemail lacks column(s) sender");

	/* wrong types, NULLs, a Cocoa date, a huge sender */
	r_open(&r);
	mkdb(r_path(&r, "voicemail.db"),
	     "CREATE TABLE voicemail (ROWID INTEGER PRIMARY KEY, date, sender, duration,"
	     " trashed_date, flags);"
	     "INSERT INTO voicemail VALUES (1, 'yesterday', NULL, x'0102', 'soon', 'x');"
	     "INSERT INTO voicemail VALUES (2, 708516000, x'ff', -7, 0, -1);"
	     "INSERT INTO voicemail VALUES (3, -1e300, zeroblob(2000000), NULL, 1e300, NULL);"
	     "INSERT INTO voicemail VALUES (4, NULL, NULL, NULL, NULL, NULL);");
	r_add(&r, "HomeDomain", "Library/Voicemail/voicemail.db", r_path(&r, "voicemail.db"));
	assert_string_equal(r_run(&r, &ifk_art_voicemail), "ok");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM voicemail"), 4);
	CHECK(r.db, NULL,
	      "SELECT coalesce(date, sender, duration, trashed_date, flags)"
	      " FROM voicemail WHERE source_rowid = 1");
	CHECK(r.db, "0", "SELECT trashed FROM voicemail WHERE source_rowid = 1");
	/* a date below 2001 as Unix time is Cocoa: the generator's base date */
	CHECK(r.db, "2023-06-15T10:00:00Z|\\xff|-7|1",
	      "SELECT date || '|' || sender || '|' || duration || '|' || trashed FROM voicemail"
	      " WHERE source_rowid = 2");
	CHECK(r.db, NULL,
	      "SELECT coalesce(date, trashed_date) FROM voicemail"
	      " WHERE source_rowid = 3");
	CHECK(r.db, "1", "SELECT trashed FROM voicemail WHERE source_rowid = 3");
	CHECK(r.db, "Library/Voicemail/4.amr|0",
	      "SELECT audio_path || '|' || audio_present FROM voicemail WHERE source_rowid = 4");
	assert_int_equal(q_int(r.db, "SELECT count(*) FROM timeline"), 1);
	r_close(&r);

	/* garbage and a truncated header: failed */
	r_open(&r);
	write_bytes(r_path(&r, "voicemail.db"), "SQLite format 3", 100);
	r_add(&r, "HomeDomain", "Library/Voicemail/voicemail.db", r_path(&r, "voicemail.db"));
	assert_string_equal(r_run(&r, &ifk_art_voicemail), "failed");
	assert_non_null(strstr(r_reason(&r), "voicemail.db"));
	r_close(&r);

	r_open(&r);
	assert_string_equal(r_run(&r, &ifk_art_voicemail), "absent");
	r_close(&r);
}

/* ---- the sample generator's backup ---- */

/* Serves the generated file domain/rel (modern layout: DIR/xx/<fileID>). */
static void add_gen(struct run *r, const char *bk, const char *domain, const char *rel)
{
	struct ifk_error e = {0};
	char id[IFK_FILE_ID_LEN + 1], path[4200];

	assert_int_equal(ifk_file_id(domain, rel, id, &e), 0);
	assert_true(snprintf(path, sizeof(path), "%s/%.2s/%s", bk, id, id) < (int)sizeof(path));
	r_add(r, domain, rel, path);
}

static json_t *run_one(struct run *r, const struct ifk_artifact *art)
{
	struct ifk_error e = {0};
	json_t *st = NULL;

	if (ifk_parse_ctx_run(r->c, art, &st, &e) != 0)
		fail_msg("run %s: %s", art->name, e.msg);
	return st;
}

static void check_status(json_t *st, const char *want)
{
	assert_string_equal(json_string_value(json_object_get(st, "status")), want);
	json_decref(st);
}

/* What tests/gen/README.md documents: the WhatsApp app in Info.plist and
 * Manifest.plist, three networks in com.apple.wifi.plist and two in
 * com.apple.wifi.known-networks.plist (at the root of SystemPreferencesDomain,
 * where iOS 14+ keeps it), three photos in Media/DCIM/100APPLE (41003, 131072
 * and 199999 bytes, mtime the base date). */
static void test_generator_backup(void **state)
{
	const char *bd = getenv("IFK_BUILD_DIR");
	struct run r;
	struct ifk_error e = {0};
	char cmd[8400], bk[4200], sha[IFK_SHA256_HEX], path[4300];

	(void)state;
	if (!bd || !*bd)
		skip(); /* run by ctest, which tells where the generator is */
	r_open(&r);
	snprintf(bk, sizeof(bk), "%s/bk", r.dir);
	snprintf(cmd, sizeof(cmd), "'%s/tests/ifk-genbackup' --out '%s' > /dev/null", bd, bk);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/Info.plist", bk);
	r_add(&r, "", "Info.plist", path);
	snprintf(path, sizeof(path), "%s/Manifest.plist", bk);
	r_add(&r, "", "Manifest.plist", path);
	snprintf(path, sizeof(path), "%s/Manifest.db", bk);
	r_add(&r, "", "Manifest.db", path);
	file_sha(path, sha);
	add_gen(&r, bk, "SystemPreferencesDomain", SYSCONF "com.apple.wifi.plist");
	add_gen(&r, bk, "SystemPreferencesDomain", KNOWN_NETS);
	add_gen(&r, bk, "CameraRollDomain", "Media/DCIM/100APPLE/IMG_0001.JPG");
	add_gen(&r, bk, "CameraRollDomain", "Media/DCIM/100APPLE/IMG_0002.JPG");
	add_gen(&r, bk, "CameraRollDomain", "Media/DCIM/100APPLE/IMG_0003.JPG");
	check_status(run_one(&r, &ifk_art_applications), "ok");
	check_status(run_one(&r, &ifk_art_wifi_networks), "ok");
	check_status(run_one(&r, &ifk_art_media_files), "ok");
	assert_int_equal(ifk_parse_ctx_finish(r.c, &e), 0);
	snprintf(path, sizeof(path), "%s/artifacts.sqlite", r.out);
	assert_int_equal(sqlite3_open_v2(path, &r.db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);

	CHECK(r.db, WA_ID "|WhatsApp Messenger|23.12.78|Data/Application|Manifest.plist",
	      "SELECT bundle_id || '|' || name || '|' || version || '|' || container_class ||"
	      " '|' || relative_path FROM applications");
	CHECK(r.db, "HomeNet,Caf\xc3\xa9 Wi-Fi,Airport_Free",
	      "SELECT group_concat(ssid) FROM (SELECT ssid FROM wifi_networks"
	      " WHERE source_format = 'wifi.plist' ORDER BY source_rowid)");
	CHECK(r.db, "2023-06-15T09:00:00Z",
	      "SELECT last_joined FROM wifi_networks WHERE source_format = 'wifi.plist'"
	      " AND ssid = 'HomeNet'");
	CHECK(r.db, "HomeNet,Caf\xc3\xa9 Wi-Fi",
	      "SELECT group_concat(ssid) FROM (SELECT ssid FROM wifi_networks"
	      " WHERE relative_path = '" KNOWN_NETS "' ORDER BY source_rowid)");
	CHECK(r.db, "IMG_0001.JPG 41003,IMG_0002.JPG 131072,IMG_0003.JPG 199999",
	      "SELECT group_concat(x) FROM (SELECT file_name || ' ' || size AS x"
	      " FROM media_files ORDER BY source_rowid)");
	CHECK(r.db, "2023-06-15T10:00:00Z", "SELECT DISTINCT modified FROM media_files");
	CHECK(r.db, "3",
	      "SELECT count(*) FROM media_files WHERE source_sha256 = sha256 AND"
	      " source_table = 'file' AND relative_path = file_path");
	CHECK(r.db, "jpg|photo|ok",
	      "SELECT DISTINCT extension || '|' || media_type || '|' || state"
	      " FROM media_files");
	r_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apps_generator),
	    cmocka_unit_test(test_apps_union),
	    cmocka_unit_test(test_apps_hostile),
	    cmocka_unit_test(test_wifi_legacy_generator),
	    cmocka_unit_test(test_wifi_known_networks_fixture),
	    cmocka_unit_test(test_wifi_both),
	    cmocka_unit_test(test_wifi_hostile),
	    cmocka_unit_test(test_wifi_known_networks_fallback),
	    cmocka_unit_test(test_media_files),
	    cmocka_unit_test(test_photos_zasset),
	    cmocka_unit_test(test_photos_generic),
	    cmocka_unit_test(test_photos_schema),
	    cmocka_unit_test(test_photos_hostile),
	    cmocka_unit_test(test_photos_truncated),
	    cmocka_unit_test(test_voicemail_generator),
	    cmocka_unit_test(test_voicemail_recent),
	    cmocka_unit_test(test_voicemail_hostile),
	    cmocka_unit_test(test_generator_backup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
