/* lib/verify*.c: the engine on small hand-made targets (the tools' own
 * end-to-end tests cover generated bags and backups). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <plist/plist.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"
#include <ifk/verify.h>
#include "testutil.h"

static int asked;

static int no_password(void *ctx, char **pw, size_t *len)
{
	(void)ctx;
	(void)pw;
	(void)len;
	asked++;
	return -1;
}

static void put_plist(const char *dir, const char *name, plist_t p)
{
	char *bin = NULL, *path = ifk_path_join(dir, name);
	uint32_t len = 0;
	plist_to_bin(p, &bin, &len);
	assert_int_equal(tu_write_file(path, bin, len), 0);
	plist_to_bin_free(bin);
	plist_free(p);
	free(path);
}

static json_t *check_named(json_t *report, const char *name)
{
	json_t *checks = json_object_get(report, "checks");
	size_t i;
	for (i = 0; i < json_array_size(checks); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(checks, i), "name")),
		           name) == 0)
			return json_array_get(checks, i);
	return NULL;
}

static int has_finding(json_t *check, const char *file, const char *text)
{
	json_t *f = json_object_get(check, "findings");
	size_t i;
	for (i = 0; i < json_array_size(f); i++) {
		json_t *x = json_array_get(f, i);
		if (strcmp(json_string_value(json_object_get(x, "file")), file) == 0 &&
		    strstr(json_string_value(json_object_get(x, "reason")), text))
			return 1;
	}
	return 0;
}

static void test_verify_run_refuses_empty_folder(void **state)
{
	char *dir = tu_mkdtemp();
	struct ifk_verify_opts o = {.target = dir};
	struct ifk_error err = {0};
	json_t *r = NULL;
	(void)state;
	assert_int_equal(ifk_verify_run(&o, &r, &err), IFK_EFORMAT);
	assert_null(r);
	assert_non_null(strstr(err.msg, "not a bag or iOS backup folder"));
	tu_rmtree(dir);
	free(dir);
}

static void test_verify_run_raw_backup_without_index(void **state)
{
	char *dir = tu_mkdtemp();
	plist_t s = plist_new_dict(), m = plist_new_dict();
	struct ifk_verify_opts o = {.target = dir, .password = no_password};
	json_t *r = NULL, *backup;
	(void)state;
	plist_dict_set_item(s, "SnapshotState", plist_new_string("uploading"));
	plist_dict_set_item(m, "IsEncrypted", plist_new_bool(0));
	put_plist(dir, "Status.plist", s);
	put_plist(dir, "Manifest.plist", m);
	asked = 0;
	assert_int_equal(ifk_verify_run(&o, &r, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(r, "verdict")), "FAIL");
	assert_string_equal(json_string_value(json_object_get(r, "kind")), "backup");
	backup = check_named(r, "backup");
	assert_string_equal(json_string_value(json_object_get(backup, "status")), "fail");
	assert_true(has_finding(backup, "Status.plist", "not \"finished\""));
	assert_true(has_finding(backup, "Manifest.db", "no file index"));
	assert_true(has_finding(backup, "Info.plist", "missing"));
	assert_string_equal(json_string_value(json_object_get(check_named(r, "seal"), "status")),
	                    "skip");
	assert_int_equal(asked, 0); /* not encrypted: no password asked for */
	json_decref(r);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verify_run_refuses_empty_folder),
	    cmocka_unit_test(test_verify_run_raw_backup_without_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
