/* lib/acquire/dl_store.c: the paths a device sends never leave the bag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "acquire_int.h"

static const char udid[] = "00008101000a1b2c3d4e001e";

static void accepts(const char *devpath, const char *want)
{
	char *rel = NULL;
	const char *why = NULL;

	assert_int_equal(ifk_device_path(udid, devpath, strlen(devpath), &rel, &why), 0);
	assert_string_equal(rel, want);
	free(rel);
}

static void refuses(const char *devpath, size_t len, const char *reason)
{
	char *rel = NULL;
	const char *why = NULL;

	assert_int_equal(ifk_device_path(udid, devpath, len, &rel, &why), -1);
	assert_null(rel);
	assert_non_null(strstr(why, reason));
}

static void test_device_path_maps_inside_the_backup(void **state)
{
	(void)state;
	accepts("00008101000a1b2c3d4e001e/ab/abcdef", "ab/abcdef");
	accepts("00008101000A1B2C3D4E001E/Status.plist", "Status.plist");
	accepts("00008101000a1b2c3d4e001e", "");
}

static void test_device_path_refuses_escapes(void **state)
{
	static const char nul[] = "00008101000a1b2c3d4e001e/a\0b";
	char *longname = malloc(5000);
	(void)state;
	refuses("00008101000a1b2c3d4e001e/../escape.txt", 38, "\"..\"");
	refuses("00008101000a1b2c3d4e001e/ab/../../x", 35, "\"..\"");
	refuses("/etc/evil", 9, "absolute");
	refuses("otherdevice/Status.plist", 24, "not inside");
	refuses("00008101000a1b2c3d4e001eX/f", 27, "not inside");
	refuses("00008101000a1b2c3d4e001e//f", 27, "empty");
	refuses("00008101000a1b2c3d4e001e/./f", 28, "\".\"");
	refuses(nul, sizeof(nul) - 1, "NUL");
	refuses("00008101000a1b2c3d4e001e/bad\xff\xfe", 30, "not UTF-8");
	memset(longname, 'a', 4999);
	memcpy(longname, udid, strlen(udid));
	longname[strlen(udid)] = '/';
	longname[4999] = '\0';
	refuses(longname, 4999, "longer than 4096");
	free(longname);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_device_path_maps_inside_the_backup),
	    cmocka_unit_test(test_device_path_refuses_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
