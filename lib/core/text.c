/* Text: hex, times, one-line values, UTF-8 and its escaping, a growable
 * buffer, and the names of who and where (for custody records). */
#include <jansson.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

void ifk_hex(const uint8_t *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 15];
	}
	out[2 * len] = '\0';
}

void ifk_time_iso(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ifk_time_parse_iso(const char *s, int64_t *t)
{
	struct tm tm = {0};
	char z = 0;

	if (!s || strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
	    z != 'Z')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = (int64_t)timegm(&tm);
	return 0;
}

#define CENTURY_S ((int64_t)100 * 365 * 86400) /* past 2^31: 64-bit arithmetic */

int ifk_duration_parse(const char *s, int64_t *seconds)
{
	static const char units[] = "smhdw";
	static const int64_t scale[] = {1, 60, 3600, 86400, 604800};
	const char *u;
	int64_t n = 0;

	if (!s || *s < '0' || *s > '9')
		return IFK_EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > CENTURY_S)
			return IFK_EINVAL; /* a century is enough, and no overflow */
	}
	u = *s ? strchr(units, *s) : NULL;
	if (!u || s[1] != '\0' || n == 0)
		return IFK_EINVAL;
	n *= scale[u - units];
	if (n > CENTURY_S)
		return IFK_EINVAL;
	*seconds = n;
	return 0;
}

void ifk_duration_text(int64_t seconds, char out[32])
{
	static const char units[] = "dhms";
	static const int64_t scale[] = {86400, 3600, 60, 1};
	uint64_t s = seconds < 0 ? (uint64_t)0 - (uint64_t)seconds : (uint64_t)seconds;
	int i, n = 0;

	for (i = 0; i < 3 && s < (uint64_t)scale[i]; i++)
		;
	n = snprintf(out, 32, "%s%llu%c", seconds < 0 ? "-" : "",
	             (unsigned long long)(s / (uint64_t)scale[i]), units[i]);
	s %= (uint64_t)scale[i];
	if (i < 3 && s / (uint64_t)scale[i + 1])
		snprintf(out + n, 32 - (size_t)n, " %llu%c",
		         (unsigned long long)(s / (uint64_t)scale[i + 1]), units[i + 1]);
}

void ifk_sha256_hex(const void *buf, size_t len, char out[IFK_SHA256_HEX])
{
	uint8_t md[IFK_SHA256_LEN];

	EVP_Digest(buf, len, md, NULL, EVP_sha256(), NULL);
	ifk_hex(md, sizeof(md), out);
}

char *ifk_one_line(const char *s)
{
	char *r = strdup(s ? s : ""), *p, *end;

	if (!r)
		return NULL;
	for (p = r; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	for (p = r; *p == ' '; p++)
		;
	memmove(r, p, strlen(p) + 1);
	end = r + strlen(r);
	while (end > r && end[-1] == ' ')
		*--end = '\0';
	return r;
}

json_t *ifk_json_text(const char *s)
{
	char *e = s ? ifk_text_escape(s) : NULL;
	json_t *j = s ? json_string(e ? e : "(out of memory)") : json_null();

	free(e);
	return j;
}

char *ifk_user_name(void)
{
	char buf[4096];
	struct passwd pw, *res = NULL;

	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
		return strdup(res->pw_name);
	return strdup("unknown");
}

char *ifk_host_name(void)
{
	char buf[256];

	if (gethostname(buf, sizeof(buf)) != 0)
		return strdup("unknown");
	buf[sizeof(buf) - 1] = '\0';
	return strdup(buf);
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t ifk_utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

int ifk_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if ((k = ifk_utf8_seq(p + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

char *ifk_text_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), i = 0, o = 0, k;
	char *out = malloc(4 * n + 1);

	if (!out)
		return NULL;
	while (i < n) {
		k = ifk_utf8_seq(p + i, n - i);
		if (k == 0 || (k == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			o += (size_t)sprintf(out + o, "\\x%02x", p[i]);
			i++;
			continue;
		}
		memcpy(out + o, p + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	return out;
}

int ifk_buf_add(struct ifk_buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *nd;
		while (cap < b->len + len + 1)
			cap *= 2;
		nd = realloc(b->data, cap);
		if (!nd)
			return IFK_ENOMEM;
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int ifk_buf_printf(struct ifk_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n, rc;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return IFK_ENOMEM;
	rc = ifk_buf_add(b, s, (size_t)n);
	free(s);
	return rc;
}

void ifk_buf_free(struct ifk_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
