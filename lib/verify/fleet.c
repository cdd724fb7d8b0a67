/* The fleet check: every backup in a folder (or several), each checked
 * read-only by the same engine as a single target, several at once, and
 * reduced to one row: device, last completed backup, age, encrypted,
 * complete, verdict and reasons. */
#include <ifk/verify.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "verify_int.h"

#define FLEET_MAX_REASONS 20
#define FLEET_MAX_SKIPPED 100

struct item {
	char *path;    /* the backup or bag */
	char *problem; /* why it cannot be checked, or NULL */
	json_t *row;   /* once checked */
	int done;      /* checked (a row, or interrupted) */
};

struct fleet {
	const struct ifk_fleet_opts *o;
	struct item *items;
	size_t n, cap;
	json_t *skipped; /* folders inside a parent that are no backup or bag */
	size_t skipped_total;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	size_t next;         /* the next item to check */
	unsigned running;    /* workers still running */
	int nomem;           /* a row could not be made */
};

#define NO_BACKUPS "holds no backup folder or bag"

static int stopped(const struct fleet *f)
{
	return f->o->stop && *f->o->stop;
}

/* Takes path and problem (malloc'd; problem may be NULL). */
static int add_item(struct fleet *f, char *path, char *problem)
{
	size_t i;

	for (i = 0; path && i < f->n; i++)
		if (strcmp(f->items[i].path, path) == 0) { /* named twice: checked once */
			free(path);
			free(problem);
			return 0;
		}
	if (path && f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		struct item *p = realloc(f->items, cap * sizeof(*p));
		if (p) {
			f->items = p;
			f->cap = cap;
		}
	}
	if (!path || f->n == f->cap) {
		free(path);
		free(problem);
		return IFK_ENOMEM;
	}
	f->items[f->n++] = (struct item){path, problem, NULL, 0};
	return 0;
}

/* A target that cannot be checked: "what" or "what: detail". */
static int add_problem(struct fleet *f, const char *path, const char *what, const char *detail)
{
	char *problem = NULL;

	if (asprintf(&problem, "%s%s%s", what, detail ? ": " : "", detail ? detail : "") < 0)
		return IFK_ENOMEM;
	return add_item(f, strdup(path), problem);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The backups and bags directly inside a folder, by name; other folders
 * are listed as skipped. */
static int list_children(struct fleet *f, const char *parent, int fd, char ***names, size_t *n)
{
	int dfd = dup(fd), rc = 0;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return add_problem(f, parent, "cannot list the folder", strerror(errno));
	}
	while (!rc && (de = readdir(d)) != NULL) {
		int sub;
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue; /* a file: neither a backup nor a bag */
		if (v_is_bag_dir(sub) || v_is_backup_dir(sub)) {
			if (*n == cap) {
				char **p = realloc(*names, (cap ? 2 * cap : 16) * sizeof(*p));
				cap = p ? (cap ? 2 * cap : 16) : cap;
				*names = p ? p : *names;
			}
			if (*n < cap && ((*names)[*n] = strdup(de->d_name)) != NULL)
				(*n)++;
			else
				rc = IFK_ENOMEM;
		} else if (f->skipped_total++ < FLEET_MAX_SKIPPED) {
			char *path = ifk_path_join(parent, de->d_name);
			json_array_append_new(f->skipped, ifk_json_text(path));
			free(path);
		}
		close(sub);
	}
	closedir(d);
	if (!rc && *n)
		qsort(*names, *n, sizeof(**names), by_name);
	return rc;
}

/* A target is a backup or bag, or a folder of them. */
static int expand_one(struct fleet *f, const char *t)
{
	int fd = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	char **names = NULL;
	size_t n = 0, i;

	if (fd < 0)
		return errno == ENOTDIR ? add_problem(f, t, "not a folder", NULL)
		                        : add_problem(f, t, "cannot open", strerror(errno));
	if (v_is_bag_dir(fd) || v_is_backup_dir(fd)) {
		close(fd);
		return add_item(f, strdup(t), NULL);
	}
	rc = list_children(f, t, fd, &names, &n);
	close(fd);
	for (i = 0; i < n; i++) {
		if (!rc)
			rc = add_item(f, ifk_path_join(t, names[i]), NULL);
		free(names[i]);
	}
	free(names);
	if (!rc && n == 0)
		rc = add_problem(f, t, NO_BACKUPS, NULL);
	return rc;
}

/* ---- one row ---- */

static const char *text_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *check_of(const json_t *report, const char *name)
{
	json_t *checks = json_object_get(report, "checks"), *c;
	size_t i;

	json_array_foreach(checks, i, c)
	if (strcmp(text_of(c, "name") ?: "", name) == 0) return c;
	return NULL;
}

/* "file: reason", or the reason alone when file is NULL or empty. */
static void add_reason(json_t *reasons, size_t *more, const char *file, const char *reason)
{
	char *s = NULL;

	if (json_array_size(reasons) >= FLEET_MAX_REASONS) {
		(*more)++;
		return;
	}
	if (asprintf(&s, "%s%s%s", file && *file ? file : "", file && *file ? ": " : "",
	             reason ? reason : "") >= 0)
		json_array_append_new(reasons, ifk_json_text(s));
	free(s);
}

/* The failed findings of every check, in the checks' order. */
static void finding_reasons(const json_t *report, json_t *reasons, size_t *more)
{
	json_t *checks = json_object_get(report, "checks"), *c, *fnd;
	size_t i, j;

	json_array_foreach(checks, i, c)
	{
		json_array_foreach(json_object_get(c, "findings"), j, fnd)
		{
			if (strcmp(text_of(fnd, "level") ?: "", "fail") == 0)
				add_reason(reasons, more, text_of(fnd, "file"), text_of(fnd, "reason"));
		}
		/* listed findings are capped; the count is whole */
		if (json_integer_value(json_object_get(c, "failures")) >
		    (json_int_t)json_array_size(json_object_get(c, "findings")))
			*more += (size_t)(json_integer_value(json_object_get(c, "failures")) -
			                  (json_int_t)json_array_size(json_object_get(c, "findings")));
	}
}

static void set_device(json_t *row, const json_t *report)
{
	static const char *const keys[][2] = {{"udid", "udid"},
	                                      {"device_name", "device_name"},
	                                      {"product_type", "product_type"},
	                                      {"ios_version", "ios_version"}};
	json_t *backup = check_of(report, "backup");
	json_t *dev = json_object_get(json_object_get(backup, "info"), "device");
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(dev, keys[i][1]);
		json_object_set(row, keys[i][0], json_is_string(v) ? v : json_null());
	}
}

/* Age, staleness and the policy's reasons. Returns 1 when the row passes
 * the policy (--max-age, --require-encrypted). */
static int apply_policy(const struct fleet *f, json_t *row, json_t *reasons, size_t *more)
{
	const struct ifk_fleet_opts *o = f->o;
	const char *last = text_of(row, "last_backup");
	json_t *enc = json_object_get(row, "encrypted");
	char age[32], limit[32], why[160];
	int64_t t = 0, a = 0;
	int stale = 0, have = last && ifk_time_parse_iso(last, &t) == 0;

	if (have)
		a = (int64_t)o->now - t;
	json_object_set_new(row, "age_seconds", have ? json_integer((json_int_t)a) : json_null());
	if (o->max_age > 0) {
		ifk_duration_text(o->max_age, limit);
		ifk_duration_text(a, age);
		stale = !have || a > o->max_age;
		if (stale && have)
			snprintf(why, sizeof(why),
			         "stale: the last completed backup, %s, is %s old (limit %s)", last,
			         age, limit);
		else
			snprintf(why, sizeof(why), "stale: no completed backup (limit %s)", limit);
		if (stale)
			add_reason(reasons, more, NULL, why);
	}
	json_object_set_new(row, "stale", json_boolean(stale));
	if (o->require_encrypted && !json_is_true(enc))
		add_reason(reasons, more, NULL,
		           json_is_false(enc) ? "not encrypted: a plaintext copy of the phone "
		                                "(--require-encrypted)"
		                              : "encryption unknown: Manifest.plist not read "
		                                "(--require-encrypted)");
	return !stale && (!o->require_encrypted || json_is_true(enc));
}

static json_t *new_row(const char *path)
{
	return json_pack("{s:o, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n}", "target",
	                 ifk_json_text(path), "kind", "udid", "device_name", "product_type",
	                 "ios_version", "last_backup", "encrypted", "complete");
}

static void finish_row(json_t *row, json_t *reasons, size_t more, int pass)
{
	char tail[64];

	if (more) {
		snprintf(tail, sizeof(tail), "and %zu more", more);
		json_array_append_new(reasons, json_string(tail));
	}
	json_object_set_new(row, "reasons", reasons);
	json_object_set_new(row, "verdict", json_string(pass ? "PASS" : "FAIL"));
}

/* A target that could not be checked at all. */
static json_t *problem_row(const struct fleet *f, const char *path, const char *problem)
{
	json_t *row = new_row(path), *reasons = json_array();
	size_t more = 0;

	if (!row || !reasons) {
		json_decref(row);
		json_decref(reasons);
		return NULL;
	}
	json_object_set_new(row, "error", ifk_json_text(problem));
	/* a folder without backups was read: it is a finding, not an I/O error */
	json_object_set_new(row, "unreadable", json_boolean(strcmp(problem, NO_BACKUPS) != 0));
	add_reason(reasons, &more, NULL, problem);
	json_object_set_new(row, "age_seconds", json_null());
	json_object_set_new(row, "stale", json_boolean(f->o->max_age > 0));
	json_object_set_new(row, "partial", json_false());
	finish_row(row, reasons, more, 0);
	return row;
}

static json_t *report_row(const struct fleet *f, const char *path, const json_t *report)
{
	static const char *const copied[] = {"kind",     "last_backup",        "encrypted",
	                                     "complete", "incomplete_reasons", "partial",
	                                     "partial_reasons"};
	json_t *row = new_row(path), *reasons = json_array(), *v;
	const char *why = text_of(report, "verdict_reason");
	size_t more = 0, i;
	int pass;

	if (!row || !reasons) {
		json_decref(row);
		json_decref(reasons);
		return NULL;
	}
	set_device(row, report);
	for (i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
		if ((v = json_object_get(report, copied[i])) != NULL)
			json_object_set(row, copied[i], v);
	json_object_set_new(row, "check", json_string(f->o->quick ? "quick" : "full"));
	json_object_set_new(row, "unreadable", json_false());
	pass = strcmp(text_of(report, "verdict") ?: "", "PASS") == 0;
	json_object_set_new(row, "verify_ok", json_boolean(pass));
	finding_reasons(report, reasons, &more);
	if (why)
		add_reason(reasons, &more, NULL, why);
	pass = apply_policy(f, row, reasons, &more) && pass;
	finish_row(row, reasons, more, pass);
	return row;
}

/* ---- running them ---- */

/* Checks one item: its row, or NULL when interrupted (or out of memory:
 * f->nomem). */
static json_t *check_one(struct fleet *f, const struct item *it)
{
	const struct ifk_fleet_opts *o = f->o;
	struct ifk_verify_opts vo = {.target = it->path,
	                             .trust_path = o->trust_path,
	                             .read_only = 1,
	                             .strict = o->strict,
	                             .quick = o->quick,
	                             .stop = o->stop,
	                             .jobs = 1}; /* the fleet's threads are its checks */
	struct ifk_error e = {0};
	json_t *report = NULL, *row;
	int rc;

	if (it->problem)
		row = problem_row(f, it->path, it->problem);
	else if ((rc = ifk_verify_run(&vo, &report, &e)) == IFK_EINTR)
		return NULL;
	else if (!report)
		row = problem_row(f, it->path, e.msg);
	else
		row = report_row(f, it->path, report);
	json_decref(report);
	if (!row)
		f->nomem = 1;
	return row;
}

static void *worker(void *arg)
{
	struct fleet *f = arg;

	pthread_mutex_lock(&f->mu);
	while (f->next < f->n && !stopped(f) && !f->nomem) {
		size_t i = f->next++;
		json_t *row;
		pthread_mutex_unlock(&f->mu);
		row = check_one(f, &f->items[i]);
		pthread_mutex_lock(&f->mu);
		f->items[i].row = row;
		f->items[i].done = 1;
		pthread_cond_broadcast(&f->changed);
	}
	f->running--;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static unsigned workers_for(const struct fleet *f)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = f->o->jobs ? f->o->jobs : (unsigned)(cpus > 0 ? cpus : 1);

	if (n > 64)
		n = 64;
	return (size_t)n > f->n ? (unsigned)f->n : n;
}

/* Hands the rows on in order as they are ready; returns when every worker
 * has stopped. */
static void collect(struct fleet *f, json_t *rows)
{
	size_t emitted = 0;

	pthread_mutex_lock(&f->mu);
	for (;;) {
		if (emitted < f->n && f->items[emitted].done) {
			json_t *row = f->items[emitted++].row;
			pthread_mutex_unlock(&f->mu);
			if (row) {
				json_array_append(rows, row);
				if (f->o->row)
					f->o->row(f->o->row_ctx, row);
			}
			pthread_mutex_lock(&f->mu);
		} else if (f->running == 0 && (emitted >= f->n || !f->items[emitted].done)) {
			break;
		} else {
			pthread_cond_wait(&f->changed, &f->mu);
		}
	}
	pthread_mutex_unlock(&f->mu);
}

static int run_all(struct fleet *f, json_t *rows, struct ifk_error *err)
{
	unsigned want = workers_for(f), i, started = 0;
	pthread_t th[64];

	f->running = want;
	for (i = 0; i < want; i++) {
		if (pthread_create(&th[i], NULL, worker, f) != 0)
			break;
		started++;
	}
	pthread_mutex_lock(&f->mu);
	f->running -= want - started;
	pthread_mutex_unlock(&f->mu);
	if (!started)
		worker(f); /* no thread to be had: check them here, one by one */
	collect(f, rows);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (f->nomem)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (stopped(f) || json_array_size(rows) < f->n)
		return ifk_error_set(err, IFK_EINTR, "interrupted");
	return 0;
}

static int count_true(const json_t *rows, const char *key)
{
	json_t *r;
	size_t i;
	int n = 0;

	json_array_foreach(rows, i, r) n += json_is_true(json_object_get(r, key));
	return n;
}

static int count_is(const json_t *rows, const char *key, const char *value, int want_false)
{
	json_t *r;
	size_t i;
	int n = 0;

	json_array_foreach(rows, i, r)
	{
		json_t *v = json_object_get(r, key);
		n += want_false ? json_is_false(v) : strcmp(json_string_value(v) ?: "", value) == 0;
	}
	return n;
}

static json_t *make_summary(const struct fleet *f, const json_t *rows)
{
	int failed = count_is(rows, "verdict", "FAIL", 0);
	int empty = count_is(rows, "error", NO_BACKUPS, 0);
	char now[21];

	ifk_time_iso(f->o->now, now);
	/* a target that holds no backup fails, but is not counted as a backup */
	return json_pack(
	    "{s:b, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:O, s:I, s:b, s:s, s:s, s:s}",
	    "summary", 1, "tool", "ifk-verify", "backups", (int)json_array_size(rows) - empty,
	    "targets_without_backup", empty, "passed",
	    (int)json_array_size(rows) - failed, "failed", failed, "stale",
	    count_true(rows, "stale"), "incomplete", count_is(rows, "complete", NULL, 1),
	    "unencrypted", count_is(rows, "encrypted", NULL, 1), "unreadable",
	    count_true(rows, "unreadable"), "partial", count_true(rows, "partial"), "skipped",
	    f->skipped, "max_age_seconds", (json_int_t)f->o->max_age, "require_encrypted",
	    f->o->require_encrypted, "check", f->o->quick ? "quick" : "full", "checked_at", now,
	    "verdict", failed == 0 && json_array_size(rows) > 0 ? "PASS" : "FAIL");
}

int ifk_fleet_run(const struct ifk_fleet_opts *o, json_t **rows, json_t **summary,
                  struct ifk_error *err)
{
	struct fleet f = {.o = o};
	size_t i;
	int rc = 0;

	*rows = json_array();
	*summary = NULL;
	f.skipped = json_array();
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.changed, NULL);
	for (i = 0; !rc && *rows && f.skipped && i < o->ntargets; i++)
		rc = expand_one(&f, o->targets[i]);
	if (rc || !*rows || !f.skipped)
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	if (!rc)
		rc = run_all(&f, *rows, err);
	if (!rc && !(*summary = make_summary(&f, *rows)))
		rc = ifk_error_set(err, IFK_ENOMEM, "out of memory");
	for (i = 0; i < f.n; i++) {
		free(f.items[i].path);
		free(f.items[i].problem);
		json_decref(f.items[i].row);
	}
	free(f.items);
	json_decref(f.skipped);
	pthread_mutex_destroy(&f.mu);
	pthread_cond_destroy(&f.changed);
	return rc;
}
