/* The lost password: the keybag of a backup or bag as the line password
 * crackers read, and a list of candidates tried against the keybag alone
 * (no file is decrypted, nothing is written), on every core. */
#include <ifk/verify.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "evidence.h"
#include "formats.h"
#include "verify_int.h"

#define PW_MAX_LINE 4096 /* longer lines are skipped, never cut */
#define PW_MAX_THREADS 64

/* The keybag of the backup the target is or holds (data/ in a bag). */
static int load_keybag(const char *target, struct ifk_keybag **kb, struct ifk_error *err)
{
	struct ifk_backup_meta m;
	char *buf = NULL;
	size_t len = 0;
	int fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	*kb = NULL;
	if (fd < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open", target);
	rc = ifk_read_small(fd, v_is_bag_dir(fd) ? IFK_BAG_PAYLOAD "/Manifest.plist" : "Manifest.plist",
	                    IFK_BACKUP_PLIST_MAX, &buf, &len, err);
	close(fd);
	if (rc == IFK_ENOTFOUND || rc == IFK_EIO)
		return ifk_error_set(err, IFK_EIO, "%s: no readable Manifest.plist (%s)", target,
		                     err ? err->msg : "");
	if (rc)
		return rc;
	rc = ifk_backup_meta_parse(NULL, 0, buf, len, NULL, 0, &m, err);
	free(buf);
	if (!rc && m.manifest_error)
		rc = ifk_error_set(err, IFK_EFORMAT, "%s: %s", target, m.manifest_error);
	else if (!rc && !m.encrypted)
		rc = ifk_error_set(err, IFK_EINVAL,
		                   "%s: the backup is not encrypted: it has no password", target);
	else if (!rc && !m.keybag)
		rc = ifk_error_set(err, IFK_EFORMAT,
		                   "%s: Manifest.plist says encrypted, but has no BackupKeyBag",
		                   target);
	else if (!rc && ifk_keybag_parse(m.keybag, m.keybag_len, kb, err) != 0)
		rc = err ? err->code : IFK_EFORMAT;
	ifk_backup_meta_free(&m);
	return rc;
}

int ifk_verify_export_hash(const char *target, char **line, struct ifk_error *err)
{
	struct ifk_keybag *kb = NULL;
	int rc = load_keybag(target, &kb, err);

	*line = NULL;
	if (!rc)
		rc = ifk_keybag_hash_line(kb, line, err);
	ifk_keybag_free(kb);
	return rc;
}

struct search {
	const struct ifk_password_search *o;
	struct ifk_keybag *kb;
	FILE *list;
	pthread_mutex_t mu;
	uint64_t next_line; /* the number of the line read last */
	uint64_t tried, skipped;
	uint64_t found;   /* the matching line's number, 0 for none yet */
	char *password; /* the match */
	size_t password_len, password_cap;
	int read_errno;
};

/* The next candidate under the lock: 1 with *pw (malloc'd, *cap bytes to
 * wipe), its length and line number, 0 at the end (or when a match makes
 * the rest unneeded). */
static int next_candidate(struct search *s, char **pw, size_t *len, size_t *pw_cap,
                          uint64_t *no)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	for (;;) {
		if (s->found || (s->o->stop && *s->o->stop) || s->read_errno)
			return 0;
		errno = 0;
		n = getline(&line, &cap, s->list);
		if (n < 0) {
			s->read_errno = ferror(s->list) ? (errno ? errno : EIO) : 0;
			OPENSSL_clear_free(line, cap);
			return 0;
		}
		s->next_line++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0 || n > PW_MAX_LINE) {
			s->skipped++;
			continue;
		}
		line[n] = '\0';
		*pw = line;
		*len = (size_t)n;
		*pw_cap = cap;
		*no = s->next_line;
		return 1;
	}
}

static void *worker(void *arg)
{
	struct search *s = arg;
	char *pw = NULL;
	size_t len = 0, cap = 0;
	uint64_t no = 0;

	pthread_mutex_lock(&s->mu);
	while (next_candidate(s, &pw, &len, &cap, &no)) {
		int ok;
		pthread_mutex_unlock(&s->mu);
		ok = ifk_keybag_check_password(s->kb, pw, len);
		pthread_mutex_lock(&s->mu);
		s->tried++;
		/* several matches (a list with repeats): the first line wins */
		if (ok && (!s->found || no < s->found)) {
			if (s->password)
				OPENSSL_clear_free(s->password, s->password_cap);
			s->found = no;
			s->password = pw;
			s->password_len = len;
			s->password_cap = cap;
			pw = NULL;
		}
		if (s->o->progress)
			s->o->progress(s->o->progress_ctx, s->tried);
		if (pw)
			OPENSSL_clear_free(pw, cap);
		pw = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static unsigned threads_for(const struct ifk_password_search *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = o->jobs ? o->jobs : (unsigned)(cpus > 0 ? cpus : 1);

	return n > PW_MAX_THREADS ? PW_MAX_THREADS : n;
}

static int run_threads(struct search *s)
{
	pthread_t th[PW_MAX_THREADS];
	unsigned n = threads_for(s->o), i, started = 0;

	for (i = 0; i < n; i++)
		if (pthread_create(&th[started], NULL, worker, s) == 0)
			started++;
	if (!started)
		worker(s);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return (int)started;
}

int ifk_verify_password_search(const struct ifk_password_search *o,
                               struct ifk_password_result *r, struct ifk_error *err)
{
	struct search s = {.o = o};
	int rc;

	memset(r, 0, sizeof(*r));
	rc = load_keybag(o->target, &s.kb, err);
	if (rc)
		return rc;
	s.list = strcmp(o->list_path, "-") == 0 ? stdin : fopen(o->list_path, "re");
	if (!s.list) {
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open the password list",
		                   o->list_path);
		goto out;
	}
	pthread_mutex_init(&s.mu, NULL);
	r->threads = (unsigned)run_threads(&s);
	pthread_mutex_destroy(&s.mu);
	r->tried = s.tried;
	r->skipped = s.skipped;
	r->line = s.found;
	if (s.found) {
		/* handed over in a buffer of its own length, for the caller's wipe */
		r->password = malloc(s.password_len + 1);
		if (r->password) {
			memcpy(r->password, s.password, s.password_len + 1);
			r->password_len = s.password_len;
		} else {
			rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
		}
		OPENSSL_clear_free(s.password, s.password_cap);
	} else if (o->stop && *o->stop) {
		rc = ifk_error_set(err, IFK_EINTR, "interrupted after %llu candidates",
		                   (unsigned long long)s.tried);
	} else if (s.read_errno) {
		rc = ifk_error_sys(err, IFK_EIO, s.read_errno, "%s: read failed after line %llu",
		                   o->list_path, (unsigned long long)s.next_line);
	} else {
		rc = ifk_error_set(err, IFK_ENOTFOUND, "none of the %llu candidates unlocks the keybag",
		                   (unsigned long long)s.tried);
	}
out:
	if (s.list && s.list != stdin)
		fclose(s.list);
	ifk_keybag_free(s.kb);
	return rc;
}
