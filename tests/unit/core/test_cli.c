/* lib/core/cli*.c: the tools' command-line frame: the parser and its
 * suggestions, the progress line's arithmetic, capped lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ifk/cli.h>

#include "testutil.h"

static const struct ifk_cli_tool tool = {
    .name = "ifk-test",
    .purpose = "test the frame",
    .synopsis = (const char *const[]){"[options] A [B]", NULL},
    .examples = (const char *const[]){"ifk-test a", NULL},
    .exit_codes = "Exit: 0 ok.",
    .common = IFK_CLI_PASSWORD | IFK_CLI_READ_ONLY,
    .max_operands = 2,
};

struct vals {
	const char *out, *device;
	long days;
	int flag;
};

/* What stream fd (1 or 2) received between capture_start and
 * capture_end, NUL-terminated. */
struct captured {
	int which, fd, saved;
	char text[8192];
};

static void capture_start(struct captured *c, int which)
{
	char path[] = "/tmp/ifk-test-cli-XXXXXX";

	fflush(which == 1 ? stdout : stderr);
	c->which = which;
	c->fd = mkstemp(path);
	assert_true(c->fd >= 0);
	unlink(path);
	c->saved = dup(which);
	dup2(c->fd, which);
}

static void capture_end(struct captured *c)
{
	ssize_t n;

	fflush(c->which == 1 ? stdout : stderr);
	dup2(c->saved, c->which);
	close(c->saved);
	lseek(c->fd, 0, SEEK_SET);
	n = read(c->fd, c->text, sizeof(c->text) - 1);
	c->text[n > 0 ? n : 0] = '\0';
	close(c->fd);
}

static int start(struct ifk_cli *c, struct vals *v, char **argv, int argc, struct captured *err)
{
	const struct ifk_cli_opt opts[] = {
	    {"out", 'o', IFK_CLI_STRING, "DIR", "where", &v->out},
	    {"device", 0, IFK_CLI_OPTIONAL, "UDID", "a device", &v->device},
	    {"days", 0, IFK_CLI_NUMBER, "N", "how long", &v->days},
	    {"flag", 'f', IFK_CLI_FLAG, NULL, "a flag", &v->flag},
	    {NULL, 0, 0, NULL, NULL, NULL}};
	int rc;

	memset(c, 0, sizeof(*c));
	c->tool = &tool;
	c->opts = opts;
	capture_start(err, 2);
	rc = ifk_cli_start(c, argc, argv);
	capture_end(err);
	c->opts = NULL; /* opts lives on this frame only */
	return rc;
}

static void test_cli_start_parses_every_form(void **state)
{
	char *argv[] = {"t",  "A",        "-qvf",        "--out=x", "-oy", "--days",
	                "12", "--device", "--read-only", "--",      "-B",  NULL};
	struct vals v = {0};
	struct ifk_cli c;
	struct captured err;
	(void)state;
	assert_int_equal(start(&c, &v, argv, 11, &err), 0);
	assert_true(c.quiet && c.verbose && v.flag && c.read_only);
	assert_string_equal(v.out, "y"); /* the last one given */
	assert_int_equal(v.days, 12);
	assert_string_equal(v.device, ""); /* no value: the next word is an option */
	assert_int_equal(c.noperands, 2);
	assert_string_equal(c.operands[0], "A");
	assert_string_equal(c.operands[1], "-B");
	assert_string_equal(c.target, "A");
}

static void test_cli_start_suggests_the_nearest_option(void **state)
{
	char *a1[] = {"t", "--outt", "x", NULL}, *a2[] = {"t", "--pass", "f", NULL},
	     *a3[] = {"t", "--zzzzzzzz", NULL}, *a4[] = {"t", "--dyas", "3", NULL};
	struct vals v = {0};
	struct ifk_cli c;
	struct captured err;
	(void)state;
	assert_int_equal(start(&c, &v, a1, 3, &err), 1);
	assert_int_equal(c.exit, IFK_EXIT_USAGE);
	assert_non_null(strstr(err.text, "ifk-test: unknown option --outt; did you mean --out?\n"));
	assert_non_null(strstr(err.text, "usage: ifk-test [options] A [B]"));
	start(&c, &v, a2, 3, &err);
	assert_non_null(strstr(err.text, "did you mean --password-file?"));
	start(&c, &v, a3, 2, &err);
	assert_non_null(strstr(err.text, "unknown option --zzzzzzzz\n"));
	assert_null(strstr(err.text, "did you mean"));
	start(&c, &v, a4, 3, &err); /* two letters swapped */
	assert_non_null(strstr(err.text, "did you mean --days?"));
}

static void test_cli_start_refuses_bad_values(void **state)
{
	char *a1[] = {"t", "--days", "12x", NULL}, *a2[] = {"t", "--flag=1", NULL},
	     *a3[] = {"t", "--out", NULL}, *a4[] = {"t", "a", "b", "c", NULL},
	     *a5[] = {"t", "--password-file", "f", "--trust", "c", NULL};
	struct vals v = {0};
	struct ifk_cli c;
	struct captured err;
	(void)state;
	assert_int_equal(start(&c, &v, a1, 3, &err), 1);
	assert_non_null(strstr(err.text, "--days: not a whole number: 12x"));
	start(&c, &v, a2, 2, &err);
	assert_non_null(strstr(err.text, "--flag takes no value"));
	start(&c, &v, a3, 2, &err);
	assert_non_null(strstr(err.text, "--out needs a value (DIR)"));
	start(&c, &v, a4, 4, &err);
	assert_non_null(strstr(err.text, "unexpected argument: c"));
	/* --trust is a common option this tool does not take */
	assert_int_equal(start(&c, &v, a5, 5, &err), 1);
	assert_non_null(strstr(err.text, "unknown option --trust"));
}

static void test_cli_json_usage_error_is_the_envelope(void **state)
{
	char *argv[] = {"t", "--bogus", "--json", NULL};
	struct vals v = {0};
	struct ifk_cli c;
	struct captured err, out;
	(void)state;
	capture_start(&out, 1);
	start(&c, &v, argv, 3, &err);
	capture_end(&out);
	assert_string_equal(err.text, "");
	assert_non_null(strstr(out.text, "\"tool\": \"ifk-test\""));
	assert_non_null(strstr(out.text, "\"target\": null"));
	assert_non_null(strstr(out.text, "\"outcome\": \"error\""));
	assert_non_null(strstr(out.text, "\"exit_code\": 2"));
	assert_non_null(strstr(out.text, "\"error\": \"unknown option --bogus\""));
}

static void test_cli_progress_never_goes_back(void **state)
{
	struct ifk_cli c = {.tool = &tool, .progress = 1};
	struct ifk_progress p = {10, 5 << 20, 20, 10 << 20, -1};
	struct captured err;
	(void)state;
	capture_start(&err, 2);
	assert_non_null(ifk_cli_meter(&c, "read"));
	ifk_cli_progress(&c, &p); /* 50% */
	p.files = 3;              /* fewer: not shown */
	p.bytes = 1 << 20;
	ifk_cli_progress(&c, &p);
	p.percent = 20; /* a source's own figure, lower */
	ifk_cli_progress(&c, &p);
	p.percent = -1;
	p.bytes = 30 << 20; /* past the total: still under 100% */
	p.files = 25;
	ifk_cli_progress(&c, &p);
	p.percent = NAN; /* from a hostile device: ignored */
	ifk_cli_progress(&c, &p);
	ifk_cli_meter_end(&c, 1);
	capture_end(&err);
	assert_non_null(strstr(err.text, "ifk-test:  50% 10 of 20 files, 5.0 of 10.0 MiB read"));
	assert_non_null(strstr(err.text, "ifk-test:  99% 25 of 25 files, 30.0 of 30.0 MiB read"));
	assert_null(strstr(err.text, " 20% "));
	assert_null(strstr(err.text, " 3 of "));
	assert_non_null(strstr(err.text, "ifk-test: 100% 25 of 25 files"));
	/* 100% once, at the end */
	assert_true(strstr(err.text, "100%") > strstr(err.text, " 99%"));
	assert_null(strstr(strstr(err.text, "100%") + 1, "100%"));
}

static void test_cli_waiting_shown_each_minute_off_a_terminal(void **state)
{
	struct ifk_cli c = {.tool = &tool, .progress = 1};
	struct captured err;
	(void)state;
	capture_start(&err, 2);
	assert_non_null(ifk_cli_meter(&c, "received"));
	ifk_cli_waiting(&c, "the device is preparing the backup", 5);
	ifk_cli_waiting(&c, "the device is preparing the backup", 6);  /* not each second */
	ifk_cli_waiting(&c, "the device is preparing the backup", 59); /* nor within the minute */
	ifk_cli_waiting(&c, "the device is preparing the backup", 61);
	ifk_cli_waiting(&c, "the device is preparing the backup", 125);
	ifk_cli_meter_end(&c, 0);
	capture_end(&err);
	assert_string_equal(err.text,
	                    "ifk-test: the device is preparing the backup: 5 s so far\n"
	                    "ifk-test: the device is preparing the backup: 1 min so far\n"
	                    "ifk-test: the device is preparing the backup: 2 min so far\n");
}

static void show_reason(void *ctx, json_t *x)
{
	(void)ctx;
	printf("%s\n", json_string_value(json_object_get(x, "reason")));
}

static void test_cli_list_capped_by_kind(void **state)
{
	json_t *items = json_array();
	struct captured out;
	char reason[64];
	int i;
	(void)state;
	for (i = 0; i < 9; i++) {
		/* alike but for a number and a hash */
		snprintf(reason, sizeof(reason), "content changed: %d, %08x", i, 0xabc00 + i);
		json_array_append_new(items,
		                      json_pack("{s:s, s:s}", "level", "fail", "reason", reason));
		if (i < 2)
			json_array_append_new(items, json_pack("{s:s, s:s}", "level", "warn",
			                                       "reason", "stale size"));
	}
	capture_start(&out, 1);
	ifk_cli_list_capped(items, 3, "  ", show_reason, NULL);
	capture_end(&out);
	assert_string_equal(out.text, "content changed: 0, 000abc00\n"
	                              "content changed: 1, 000abc01\n"
	                              "content changed: 2, 000abc02\n"
	                              "  and 6 more like this\n"
	                              "stale size\n"
	                              "stale size\n");
	capture_start(&out, 1);
	ifk_cli_list_capped(items, 0, "  ", show_reason, NULL);
	capture_end(&out);
	assert_null(strstr(out.text, "more like this"));
	json_decref(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cli_start_parses_every_form),
	    cmocka_unit_test(test_cli_start_suggests_the_nearest_option),
	    cmocka_unit_test(test_cli_start_refuses_bad_values),
	    cmocka_unit_test(test_cli_json_usage_error_is_the_envelope),
	    cmocka_unit_test(test_cli_progress_never_goes_back),
	    cmocka_unit_test(test_cli_waiting_shown_each_minute_off_a_terminal),
	    cmocka_unit_test(test_cli_list_capped_by_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
