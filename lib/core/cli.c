#include <ifk/cli.h>

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

int ifk_cli_password_load(struct ifk_cli_password *p, struct ifk_error *err)
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

int ifk_cli_preflight(const char *trust_path, struct ifk_cli_password *p,
                      struct ifk_cli_password *key, struct ifk_error *err)
{
	struct ifk_error e = {0};
	int rc = take_env("IFK_PASSWORD", p, err), rc_key = take_env("IFK_KEY_PASSWORD", key, &e);

	if (!rc && rc_key)
		rc = ifk_error_set(err, rc_key, "%s", e.msg);
	if (!rc && trust_path && access(trust_path, R_OK) != 0)
		rc = ifk_error_sys(err, IFK_EIO, errno, "%s: cannot read the trusted certificate",
		                   trust_path);
	if (!rc && ifk_cli_password_load(p, &e) != 0)
		rc = ifk_error_set(err, e.code, "password file: %s", e.msg);
	if (!rc && key && ifk_cli_password_load(key, &e) != 0)
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

void ifk_progress_line(char *out, size_t cap, const char *verb, uint64_t files, uint64_t bytes,
                       const struct timespec *start)
{
	struct timespec now;
	double secs, mib = (double)bytes / 1048576.0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
	snprintf(out, cap, "%llu files, %.1f MiB %s, %.0f MiB/s", (unsigned long long)files, mib,
	         verb, secs > 0 ? mib / secs : 0.0);
}

void ifk_cli_init(void)
{
	ifk_sqlite_limit_heap();
}
