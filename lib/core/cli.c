/* The frame's run: the secrets, the signals, the progress line and the
 * ending (the JSON envelope or one-line diagnostics) of every tool
 * (include/ifk/cli.h). The one part of libifk that prints. */
#include <ifk/cli.h>

#include <errno.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

static int password_load(struct ifk_cli_password *p, struct ifk_error *err)
{
	if (!p->file)
		return 0;
	return ifk_password_read(p->file, "", &p->pw, &p->len, err);
}

/* Takes the variable name out of the environment, into p unless p is NULL
 * or has a file (then the value is wiped unused). */
static int take_env(const char *name, struct ifk_cli_password *p, struct ifk_error *err)
{
	char *pw = NULL;
	size_t len = 0;
	int rc = ifk_password_take_env(name, &pw, &len, err);

	if (p && !p->file && !p->pw) {
		p->pw = pw;
		p->len = len;
	} else if (pw) {
		OPENSSL_clear_free(pw, len);
	}
	return rc;
}

int ifk_cli_password_get(void *ctx, char **pw, size_t *len)
{
	struct ifk_cli_password *p = ctx;

	ifk_error_clear(&p->err);
	if (p->pw) {
		*pw = p->pw;
		*len = p->len;
		p->pw = NULL;
		p->handed = 1;
		return 0;
	}
	if (p->file) {
		ifk_error_set(&p->err, IFK_ENOTFOUND, "the password file was used already");
		return -1;
	}
	if (ifk_password_read(NULL, p->prompt ? p->prompt : "Backup password: ", pw, len,
	                      &p->err) == 0)
		return 0;
	return -1;
}

void ifk_cli_password_wipe(struct ifk_cli_password *p)
{
	if (p->pw) {
		OPENSSL_cleanse(p->pw, p->len);
		free(p->pw);
	}
	p->pw = NULL;
	p->len = 0;
}

void ifk_cli_put_safe(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else if (c == '\\')
			fputs("\\\\", f);
		else
			fputc(c, f);
	}
}

void ifk_cli_put_text(FILE *f, const char *s)
{
	char *e = ifk_text_escape(s);

	fputs(e ? e : "(out of memory)", f);
	free(e);
}

/* What is taken and checked before any work. First IFK_PASSWORD and
 * IFK_KEY_PASSWORD leave the environment (ifk_password_take_env): into p and
 * key when they have no file, else (or when key is NULL) wiped unused. Then
 * the --trust certificate (may be NULL) must be readable, and p's and key's
 * files (ifk_password_read's rules) must load. 0, or a negative IFK_E* code
 * with err saying which (then p and key hold nothing). */
static int preflight(const char *trust_path, struct ifk_cli_password *p,
                     struct ifk_cli_password *key, struct ifk_error *err)
{
	struct ifk_error e = {0};
	int rc = take_env("IFK_PASSWORD", p, err), rc_key = take_env("IFK_KEY_PASSWORD", key, &e);

	if (!rc && rc_key)
		rc = ifk_error_set(err, rc_key, "%s", e.msg);
	if (!rc && trust_path && access(trust_path, R_OK) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot read the trusted certificate",
		                   trust_path);
	if (!rc && password_load(p, &e) != 0)
		rc = ifk_error_set(err, e.code, "password file: %s", e.msg);
	if (!rc && key && password_load(key, &e) != 0)
		rc = ifk_error_set(err, e.code, "key password file: %s", e.msg);
	if (rc) {
		ifk_cli_password_wipe(p);
		if (key)
			ifk_cli_password_wipe(key);
	}
	return rc;
}

const char *ifk_cli_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

long long ifk_cli_num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void ifk_cli_init(void)
{
	ifk_sqlite_limit_heap();
}

/* ---- secrets and signals ---- */

int ifk_cli_secrets(struct ifk_cli *c)
{
	struct ifk_error err = {0};
	int want_key = (c->tool->common & IFK_CLI_KEY_PASSWORD) != 0;

	if (!c->pw.prompt)
		c->pw.prompt = "Backup password: ";
	if (preflight(c->trust, &c->pw, want_key ? &c->key : NULL, &err) == 0)
		return 0;
	return ifk_cli_fail(c, IFK_EXIT_USAGE, "%s", err.msg);
}

void ifk_cli_secrets_end(struct ifk_cli *c)
{
	ifk_cli_password_wipe(&c->pw);
	ifk_cli_password_wipe(&c->key);
	if (c->pw.err.code && c->pw.err.code != IFK_ENOTFOUND) {
		fprintf(stderr, "%s: password: ", c->tool->name);
		ifk_cli_put_safe(stderr, c->pw.err.msg);
		fputc('\n', stderr);
	}
}

void ifk_cli_signals(struct ifk_cli *c)
{
	struct sigaction sa = {0};

	sa.sa_handler = c->on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* ---- the ending ---- */

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void envelope(struct ifk_cli *c, json_t *payload, const char *outcome, int code,
                     const char *error)
{
	json_t *env = json_object(), *v;
	const char *k;

	json_object_set_new(env, "tool", json_string(c->tool->name));
	json_object_set_new(env, "version", json_string(IFK_VERSION));
	json_object_set_new(env, "target", ifk_json_text(c->target));
	json_object_set_new(env, "outcome", json_string(outcome));
	json_object_set_new(env, "exit_code", json_integer(code));
	if (error)
		json_object_set_new(env, "error", ifk_json_text(error));
	json_object_foreach(payload, k, v)
	{
		if (!json_object_get(env, k))
			json_object_set(env, k, v);
	}
	json_dumpf(env, stdout, c->json_lines ? JSON_COMPACT : JSON_INDENT(2));
	putchar('\n');
	fflush(stdout);
	json_decref(env);
}

int ifk_cli_emit(struct ifk_cli *c, json_t *payload, const char *outcome, int code,
                 const char *error)
{
	if (c->json) {
		envelope(c, payload, outcome, code, error);
		return code;
	}
	fflush(stdout);
	if (error) {
		fprintf(stderr, "%s: ", c->tool->name);
		ifk_cli_put_safe(stderr, error);
		fputc('\n', stderr);
	}
	if (c->verbose)
		fprintf(stderr, "%s: took %.2f s\n", c->tool->name, since(&c->started));
	return code;
}

int ifk_cli_fail(struct ifk_cli *c, int code, const char *fmt, ...)
{
	struct ifk_error e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	return ifk_cli_emit(c, NULL, code == IFK_EXIT_INTR ? "interrupted" : "error", code, e.msg);
}

int ifk_cli_exit_code(int rc)
{
	if (rc == 0)
		return IFK_EXIT_OK;
	if (rc == IFK_EINTR)
		return IFK_EXIT_INTR;
	if (rc == IFK_EINVAL || rc == IFK_EEXIST)
		return IFK_EXIT_USAGE;
	return IFK_EXIT_IO;
}

/* ---- the progress line ---- */

ifk_progress_fn ifk_cli_meter(struct ifk_cli *c, const char *verb)
{
	struct ifk_cli_meter *m = &c->meter;
	int tty = isatty(STDERR_FILENO);

	if (!c->progress && (c->quiet || c->json || !tty))
		return NULL;
	memset(m, 0, sizeof(*m));
	m->verb = verb;
	m->on = 1;
	m->tty = tty;
	m->pct = -1;
	m->shown = -1;
	clock_gettime(CLOCK_MONOTONIC, &m->start);
	return ifk_cli_progress;
}

/* The percentage p gives: the source's own figure when it is one, else the
 * bytes, else the files against their totals; -1 when none is known. */
static double percent_of(const struct ifk_cli_meter *m, const struct ifk_progress *p)
{
	if (isfinite(p->percent) && p->percent >= 0 && p->percent <= 100)
		return p->percent;
	if (m->bytes_total)
		return 100.0 * (double)m->bytes / (double)m->bytes_total;
	if (m->files_total)
		return 100.0 * (double)m->files / (double)m->files_total;
	return -1;
}

static void put_duration(char *out, size_t cap, double secs)
{
	unsigned long s = secs < 0 ? 0 : secs > 360000 ? 360000 : (unsigned long)secs;

	if (s >= 3600)
		snprintf(out, cap, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, cap, "%lu:%02lu", s / 60, s % 60);
}

static void draw(struct ifk_cli *c, int final)
{
	struct ifk_cli_meter *m = &c->meter;
	double secs = since(&m->start), mib = (double)m->bytes / 1048576.0;
	double pct = final && m->pct >= 0 ? 100 : m->pct;
	char line[320], t[32];
	int n = 0;

	if (pct >= 0)
		n += snprintf(line + n, sizeof(line) - n, "%3d%% ", (int)floor(pct));
	n += snprintf(line + n, sizeof(line) - n, "%llu", (unsigned long long)m->files);
	if (m->files_total) /* more files than the total said: the total grows with them */
		n += snprintf(line + n, sizeof(line) - n, " of %llu",
		              (unsigned long long)(m->files > m->files_total ? m->files
		                                                             : m->files_total));
	n += snprintf(line + n, sizeof(line) - n, " files, %.1f", mib);
	if (m->bytes_total)
		n += snprintf(line + n, sizeof(line) - n, " of %.1f",
		              (double)(m->bytes > m->bytes_total ? m->bytes : m->bytes_total) /
		                  1048576.0);
	n += snprintf(line + n, sizeof(line) - n, " MiB %s, %.1f MiB/s", m->verb,
	              secs > 0 ? mib / secs : 0.0);
	if (!final && pct >= 0.5 && secs >= 1) {
		put_duration(t, sizeof(t), secs * (100 - pct) / pct);
		snprintf(line + n, sizeof(line) - n, ", %s left", t);
	}
	fprintf(stderr, m->tty ? "\r%s: %s\033[K" : "%s: %s\n", c->tool->name, line);
	m->printed = 1;
	m->shown = pct >= 0 ? (int)floor(pct) : -1;
	clock_gettime(CLOCK_MONOTONIC, &m->last);
}

void ifk_cli_waiting(void *ctx, const char *doing, uint64_t s)
{
	struct ifk_cli *c = ctx;
	struct ifk_cli_meter *m = &c->meter;
	char so_far[48];

	if (!m->on || s == m->waited_shown ||
	    (!m->tty && m->waited_shown && s / 60 == m->waited_shown / 60))
		return;
	if (s < 60)
		snprintf(so_far, sizeof(so_far), "%llu s", (unsigned long long)s);
	else
		snprintf(so_far, sizeof(so_far), "%llu min", (unsigned long long)(s / 60));
	fprintf(stderr, m->tty ? "\r%s: %s: %s so far\033[K" : "%s: %s: %s so far\n", c->tool->name,
	        doing, so_far);
	m->printed = 1;
	m->shown = -2; /* the next figures redraw the line */
	m->waited_shown = s;
}

void ifk_cli_progress(void *ctx, const struct ifk_progress *p)
{
	struct ifk_cli *c = ctx;
	struct ifk_cli_meter *m = &c->meter;
	double pct;

	if (!m->on)
		return;
	m->waited_shown = 0;
	m->files = p->files > m->files ? p->files : m->files;
	m->bytes = p->bytes > m->bytes ? p->bytes : m->bytes;
	m->files_total = p->files_total ? p->files_total : m->files_total;
	m->bytes_total = p->bytes_total ? p->bytes_total : m->bytes_total;
	pct = percent_of(m, p);
	if (pct > 99)
		pct = 99; /* 100 only once done */
	if (pct > m->pct)
		m->pct = pct;
	if (m->printed && (m->pct < 0 || (int)floor(m->pct) <= m->shown) && since(&m->last) < 0.5)
		return;
	draw(c, 0);
}

void ifk_cli_meter_end(struct ifk_cli *c, int done)
{
	struct ifk_cli_meter *m = &c->meter;

	if (!m->on)
		return;
	if (done)
		draw(c, 1);
	if (m->tty && m->printed)
		fputc('\n', stderr);
	m->on = 0;
}
