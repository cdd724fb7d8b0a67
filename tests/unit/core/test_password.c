/* lib/password.c: the password from a file, a pipe or the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "testutil.h"

static void test_password_read_file_strips_one_newline(void **state)
{
	char *dir = tu_mkdtemp(), *path = ifk_path_join(dir, "pw"), *pw = NULL;
	size_t len = 0;
	(void)state;
	assert_int_equal(tu_write_file(path, "p@ss word\n\n", 11), 0);
	assert_int_equal(ifk_password_read(path, "", &pw, &len, NULL), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(pw, "p@ss word\n", 10);
	free(pw);
	assert_int_equal(tu_write_file(path, "crlf\r\n", 6), 0);
	assert_int_equal(ifk_password_read(path, "", &pw, &len, NULL), 0);
	assert_string_equal(pw, "crlf");
	free(pw);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

static void test_password_read_env(void **state)
{
	char *pw = NULL;
	size_t len = 0;
	(void)state;
	setenv("IFK_PASSWORD", "from-env", 1);
	assert_int_equal(ifk_password_read(NULL, "", &pw, &len, NULL), 0);
	assert_string_equal(pw, "from-env");
	free(pw);
	unsetenv("IFK_PASSWORD");
}

static void test_password_read_missing_file(void **state)
{
	char *pw = NULL;
	size_t len = 0;
	struct ifk_error err = {0};
	(void)state;
	assert_int_equal(ifk_password_read("/nonexistent/pw", "", &pw, &len, &err), IFK_ENOTFOUND);
	assert_null(pw);
	assert_non_null(strstr(err.msg, "/nonexistent/pw"));
}

static void test_password_take_env_wipes_in_place(void **state)
{
	char var[] = "IFK_TEST_SECRET=s3cret", *pw = NULL;
	size_t len = 0;
	(void)state;
	assert_int_equal(putenv(var), 0);
	assert_int_equal(ifk_password_take_env("IFK_TEST_SECRET", &pw, &len, NULL), 0);
	assert_string_equal(pw, "s3cret");
	assert_int_equal(len, 6);
	assert_null(getenv("IFK_TEST_SECRET"));
	/* the bytes the environment held, as /proc/PID/environ shows them */
	assert_memory_equal(var, "IFK_TEST_SECRET=\0\0\0\0\0\0", sizeof(var));
	free(pw);
	assert_int_equal(ifk_password_take_env("IFK_TEST_SECRET", &pw, &len, NULL), 0);
	assert_null(pw);
}

static void test_password_read_stdin_pipe(void **state)
{
	int p[2], saved = dup(0);
	char *pw = NULL;
	size_t len = 0;
	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "piped\n", 6), 6);
	close(p[1]);
	assert_int_equal(dup2(p[0], 0), 0);
	close(p[0]);
	assert_int_equal(ifk_password_read("-", "", &pw, &len, NULL), 0);
	dup2(saved, 0);
	close(saved);
	assert_string_equal(pw, "piped");
	free(pw);
}

static void test_password_read_symlink_and_folder(void **state)
{
	char *dir = tu_mkdtemp(), *file = ifk_path_join(dir, "real"),
	     *link = ifk_path_join(dir, "link");
	char *pw = NULL;
	size_t len = 0;
	struct ifk_error err = {0};
	(void)state;
	assert_int_equal(tu_write_file(file, "linked\n", 7), 0);
	assert_int_equal(symlink("real", link), 0);
	assert_int_equal(ifk_password_read(link, "", &pw, &len, NULL), 0);
	assert_string_equal(pw, "linked");
	free(pw);
	assert_int_equal(ifk_password_read(dir, "", &pw, &len, &err), IFK_EINVAL);
	assert_null(pw);
	assert_non_null(strstr(err.msg, "a folder"));
	tu_rmtree(dir);
	free(link);
	free(file);
	free(dir);
}

static void test_password_read_silent_fifo_times_out(void **state)
{
	char *dir = tu_mkdtemp(), *fifo = ifk_path_join(dir, "fifo"), *pw = NULL;
	size_t len = 0;
	struct ifk_error err = {0};
	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	setenv("IFK_SECRET_TIMEOUT", "1", 1);
	assert_int_equal(ifk_password_read(fifo, "", &pw, &len, &err), IFK_EIO);
	assert_null(pw);
	assert_non_null(strstr(err.msg, "did not end within 1 s"));
	setenv("IFK_SECRET_TIMEOUT", "soon", 1);
	assert_int_equal(ifk_password_read(fifo, "", &pw, &len, &err), IFK_EINVAL);
	assert_non_null(strstr(err.msg, "IFK_SECRET_TIMEOUT"));
	unsetenv("IFK_SECRET_TIMEOUT");
	tu_rmtree(dir);
	free(fifo);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_read_file_strips_one_newline),
	    cmocka_unit_test(test_password_read_env),
	    cmocka_unit_test(test_password_read_missing_file),
	    cmocka_unit_test(test_password_take_env_wipes_in_place),
	    cmocka_unit_test(test_password_read_stdin_pipe),
	    cmocka_unit_test(test_password_read_symlink_and_folder),
	    cmocka_unit_test(test_password_read_silent_fifo_times_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
