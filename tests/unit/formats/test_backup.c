/* lib/backup.c: device identity and backup state from the three plists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <plist/plist.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

static char *bin(plist_t p, uint32_t *len)
{
	char *out = NULL;
	plist_to_bin(p, &out, len);
	plist_free(p);
	return out;
}

static char *info_plist(uint32_t *len)
{
	plist_t d = plist_new_dict();
	plist_dict_set_item(d, "Target Identifier", plist_new_string("aabb"));
	plist_dict_set_item(d, "Unique Identifier", plist_new_string("AABB"));
	plist_dict_set_item(d, "Serial Number", plist_new_string("SER1"));
	plist_dict_set_item(d, "Product Version", plist_new_string("16.7.2"));
	plist_dict_set_item(d, "IMEI", plist_new_string("3567"));
	return bin(d, len);
}

static char *manifest_plist(uint32_t *len, int with_lockdown)
{
	plist_t d = plist_new_dict(), l = plist_new_dict();
	plist_dict_set_item(l, "UniqueDeviceID", plist_new_string("ccdd"));
	plist_dict_set_item(l, "ProductType", plist_new_string("iPhone12,1"));
	plist_dict_set_item(l, "ProductVersion", plist_new_string("15.0"));
	if (with_lockdown)
		plist_dict_set_item(d, "Lockdown", l);
	else
		plist_free(l);
	plist_dict_set_item(d, "IsEncrypted", plist_new_bool(1));
	plist_dict_set_item(d, "BackupKeyBag", plist_new_data("KB", 2));
	plist_dict_set_item(d, "ManifestKey", plist_new_data("MKEY", 4));
	plist_dict_set_item(d, "Version", plist_new_string("10.0"));
	return bin(d, len);
}

static void test_backup_meta_parse_info_wins_lockdown_fills(void **state)
{
	struct ifk_backup_meta m;
	uint32_t il = 0, ml = 0;
	char *i = info_plist(&il), *mp = manifest_plist(&ml, 1);
	(void)state;
	assert_int_equal(ifk_backup_meta_parse(i, il, mp, ml, NULL, 0, &m, NULL), 0);
	assert_string_equal(m.udid, "aabb");
	assert_string_equal(m.info_udid, "AABB");
	assert_string_equal(m.lockdown_udid, "ccdd");
	assert_string_equal(m.ios_version, "16.7.2");
	assert_string_equal(m.product_type, "iPhone12,1"); /* from Lockdown */
	assert_true(m.encrypted);
	assert_true(m.encrypted_known);
	assert_int_equal(m.keybag_len, 2);
	assert_memory_equal(m.manifest_key, "MKEY", 4);
	assert_false(m.have_status);
	ifk_backup_meta_free(&m);
	free(i);
	free(mp);
}

static void test_backup_meta_parse_notes_each_corrupt_plist(void **state)
{
	struct ifk_backup_meta m;
	uint32_t il = 0, ml = 0;
	char *i = info_plist(&il), *mp = manifest_plist(&ml, 0);
	(void)state;
	/* a truncated Manifest.plist does not hide what Info.plist says */
	assert_int_equal(ifk_backup_meta_parse(i, il, mp, ml / 2, NULL, 0, &m, NULL), 0);
	assert_non_null(m.manifest_error);
	assert_non_null(strstr(m.manifest_error, "Manifest.plist"));
	assert_false(m.encrypted_known);
	assert_string_equal(m.serial, "SER1");
	assert_null(m.info_error);
	ifk_backup_meta_free(&m);
	assert_int_equal(
	    ifk_backup_meta_parse("<plist><array/></plist>", 23, NULL, 0, NULL, 0, &m, NULL), 0);
	assert_non_null(strstr(m.info_error, "Info.plist"));
	ifk_backup_meta_free(&m);
	free(i);
	free(mp);
}

static void test_backup_meta_parse_wrong_type_is_noted(void **state)
{
	plist_t d = plist_new_dict();
	struct ifk_backup_meta m;
	uint32_t len = 0;
	char *b;
	(void)state;
	plist_dict_set_item(d, "IsEncrypted", plist_new_string("yes"));
	b = bin(d, &len);
	assert_int_equal(ifk_backup_meta_parse(NULL, 0, b, len, NULL, 0, &m, NULL), 0);
	assert_non_null(strstr(m.manifest_error, "IsEncrypted"));
	assert_false(m.encrypted_known);
	ifk_backup_meta_free(&m);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backup_meta_parse_info_wins_lockdown_fills),
	    cmocka_unit_test(test_backup_meta_parse_notes_each_corrupt_plist),
	    cmocka_unit_test(test_backup_meta_parse_wrong_type_is_noted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
