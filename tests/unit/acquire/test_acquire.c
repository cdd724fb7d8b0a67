/* lib/acquire*.c: the import of a backup folder into a sealed bag, with
 * read(2) wrapped to make the source misbehave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <plist/plist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ifk/acquire.h>
#include "core.h"
#include "testutil.h"

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);
int __real_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned int flags);
int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned int flags);
static int fail_rename;

/* Someone creates the bag's name while the import runs. */
int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned int flags)
{
	if (fail_rename) {
		errno = EEXIST;
		return -1;
	}
	return __real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

static ino_t fail_ino, grow_ino;
static char *grow_path;
static volatile sig_atomic_t stop_flag;
static int stop_on_read;

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if (st.st_ino == fail_ino && lseek(fd, 0, SEEK_CUR) >= 1024 * 1024) {
			errno = EIO;
			return -1;
		}
		if (st.st_ino == grow_ino && lseek(fd, 0, SEEK_CUR) == 0) {
			int w = open(grow_path, O_WRONLY | O_APPEND);
			if (w >= 0) {
				if (write(w, "more", 4) != 4)
					abort();
				close(w);
			}
		}
		if (stop_on_read)
			stop_flag = 1;
	}
	return __real_read(fd, buf, n);
}

struct fixture {
	char *dir, *src, *out;
	struct ifk_signer *signer;
};

static void write_plist(const char *dir, const char *name, plist_t p)
{
	char *bin = NULL, *path = ifk_path_join(dir, name);
	uint32_t len = 0;
	plist_to_bin(p, &bin, &len);
	assert_int_equal(tu_write_file(path, bin, len), 0);
	plist_to_bin_free(bin);
	plist_free(p);
	free(path);
}

static void write_blob(const char *dir, const char *name, size_t size)
{
	char *path = ifk_path_join(dir, name), *buf = malloc(size);
	memset(buf, 'x', size);
	assert_int_equal(tu_write_file(path, buf, size), 0);
	free(buf);
	free(path);
}

static void make_source(struct fixture *f)
{
	plist_t m = plist_new_dict(), s = plist_new_dict(), lock = plist_new_dict();
	plist_dict_set_item(lock, "UniqueDeviceID", plist_new_string("00aa"));
	plist_dict_set_item(m, "Lockdown", lock);
	plist_dict_set_item(m, "IsEncrypted", plist_new_bool(0));
	plist_dict_set_item(s, "SnapshotState", plist_new_string("finished"));
	mkdir(f->src, 0755);
	write_plist(f->src, "Manifest.plist", m);
	write_plist(f->src, "Status.plist", s);
	write_plist(f->src, "Info.plist", plist_new_dict());
	write_blob(f->src, "Manifest.db", 4096); /* the index: present and not empty */
	write_blob(f->src, "ok.bin", 3 * 1024 * 1024 + 5);
	write_blob(f->src, "bad.bin", 2 * 1024 * 1024);
	write_blob(f->src, "grow.bin", 10);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *key, *cert, *p;
	struct stat st;

	f->dir = tu_mkdtemp();
	f->src = ifk_path_join(f->dir, "src");
	f->out = ifk_path_join(f->dir, "bag");
	key = ifk_path_join(f->dir, "k");
	cert = ifk_path_join(f->dir, "c");
	if (ifk_seal_make_cert("T", NULL, 2, key, cert, NULL, NULL) ||
	    ifk_signer_load(key, cert, NULL, &f->signer, NULL))
		return -1;
	free(key);
	free(cert);
	make_source(f);
	p = ifk_path_join(f->src, "bad.bin");
	stat(p, &st);
	fail_ino = st.st_ino;
	free(p);
	grow_path = ifk_path_join(f->src, "grow.bin");
	stat(grow_path, &st);
	grow_ino = st.st_ino;
	stop_flag = 0;
	stop_on_read = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ifk_signer_free(f->signer);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->src);
	free(f->out);
	free(grow_path);
	free(f);
	fail_ino = grow_ino = 0;
	return 0;
}

static char *read_rel(struct fixture *f, const char *folder, const char *name)
{
	char *dir = ifk_path_join(f->dir, folder), *path = ifk_path_join(dir, name);
	char *text = (char *)tu_read_file(path, NULL);
	free(dir);
	free(path);
	return text;
}

static void run(struct fixture *f, struct ifk_acquire_result *r, int want)
{
	struct ifk_acquire_opts o = {.source = f->src,
	                             .out = f->out,
	                             .signer = f->signer,
	                             .case_id = "C1",
	                             .examiner = "Tess",
	                             .stop = &stop_flag};
	struct ifk_error err = {0};
	assert_int_equal(ifk_acquire_folder(&o, r, &err), want);
}

static void test_acquire_folder_records_read_error_and_change(void **state)
{
	struct fixture *f = *state;
	struct ifk_acquire_result r;
	char *rec, *man;
	struct stat st;
	char *partial = ifk_path_join(f->out, "data/bad.bin");

	run(f, &r, 0);
	assert_true(r.sealed);
	assert_int_equal(r.files, 7);
	assert_int_equal(r.anomalies, 2);
	rec = read_rel(f, "bag", "ifk-acquisition.json");
	man = read_rel(f, "bag", "manifest-sha256.txt");
	assert_non_null(strstr(rec, "\"kind\": \"read-error\""));
	assert_non_null(strstr(rec, "partial: read failed after 1048576 bytes"));
	assert_non_null(strstr(rec, "\"kind\": \"changed\""));
	assert_non_null(strstr(rec, "\"path\": \"grow.bin\""));
	assert_non_null(strstr(man, "  data/bad.bin\n"));
	assert_int_equal(stat(partial, &st), 0);
	assert_int_equal(st.st_size, 1024 * 1024);
	free(partial);
	free(rec);
	free(man);
}

static void test_acquire_folder_interrupted_leaves_incomplete(void **state)
{
	struct fixture *f = *state;
	struct ifk_acquire_result r;
	struct stat st;
	char *rec, *seal;

	stop_on_read = 1;
	run(f, &r, IFK_EINTR);
	assert_false(r.sealed);
	assert_int_not_equal(stat(f->out, &st), 0);
	assert_non_null(strstr(r.folder, "bag.incomplete"));
	rec = read_rel(f, "bag.incomplete", "ifk-acquisition.json");
	assert_non_null(strstr(rec, "\"status\": \"incomplete\""));
	assert_non_null(strstr(rec, "interrupted"));
	seal = ifk_path_join(r.folder, "ifk-seal.p7s");
	assert_int_not_equal(stat(seal, &st), 0);
	free(seal);
	free(rec);
	/* the incomplete folder blocks a second attempt until moved away */
	stop_on_read = 0;
	stop_flag = 0;
	run(f, &r, IFK_EEXIST);
}

static void test_acquire_folder_failed_rename_keeps_the_seal(void **state)
{
	struct fixture *f = *state;
	struct ifk_acquire_result r;
	struct stat st;
	char *rec, *seal;

	fail_ino = grow_ino = 0;
	fail_rename = 1;
	run(f, &r, IFK_EEXIST);
	fail_rename = 0;
	assert_false(r.sealed);
	assert_true(r.sealed_unpublished);
	assert_non_null(strstr(r.folder, "bag.incomplete"));
	rec = read_rel(f, "bag.incomplete", "ifk-acquisition.json");
	assert_non_null(strstr(rec, "\"status\": \"complete\""));
	seal = ifk_path_join(r.folder, "ifk-seal.p7s");
	assert_int_equal(stat(seal, &st), 0);
	free(seal);
	free(rec);
}

static void test_acquire_folder_never_overwrites(void **state)
{
	struct fixture *f = *state;
	struct ifk_acquire_result r;
	char *marker = ifk_path_join(f->out, "mine"), *rec;

	fail_ino = grow_ino = 0;
	mkdir(f->out, 0755);
	assert_int_equal(tu_write_file(marker, "x", 1), 0);
	run(f, &r, IFK_EEXIST);
	assert_false(r.sealed);
	rec = (char *)tu_read_file(marker, NULL);
	assert_string_equal(rec, "x");
	free(rec);
	free(marker);
}

static void test_acquire_folder_refuses_non_backup(void **state)
{
	struct fixture *f = *state;
	struct ifk_acquire_result r;
	char *m = ifk_path_join(f->src, "Manifest.plist"), *db = ifk_path_join(f->src, "Manifest.db");

	unlink(m);
	unlink(db);
	free(m);
	free(db);
	run(f, &r, IFK_EFORMAT);
	assert_int_equal(r.folder[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_acquire_folder_records_read_error_and_change,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acquire_folder_interrupted_leaves_incomplete,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acquire_folder_failed_rename_keeps_the_seal, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_acquire_folder_never_overwrites, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acquire_folder_refuses_non_backup, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
