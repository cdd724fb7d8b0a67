/* report.html: one self-contained page (see ifk/report_html.h). The summary
 * sections are written from the report.json model as plain HTML; the row
 * data (artifact tables, timeline, YARA matches, media) is streamed as JSON
 * from SQLite and yara.jsonl, one row at a time, into script elements of
 * type application/json that the inline script renders.
 *
 * Escaping. HTML text and attribute values: & < > " ' become references;
 * bytes that are not UTF-8 and control characters (but tab, LF, CR) become
 * the text \xNN. JSON inside a script element: the usual JSON escapes, and
 * every < > & as \u003c \u003e \u0026 (so neither "</script" nor "<!--" can
 * occur in the data and end or confuse the element), U+2028 and U+2029 as
 * \u2028 \u2029, bytes that are not UTF-8 as the text \xNN. The script
 * writes rows into the page with textContent only, never as markup.
 *
 * The style sheet and the script are lib/report/assets/report.css and
 * report.js, embedded at build time (report_int.h, struct r_asset) and
 * written as they are. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifact.h"
#include "report_int.h"
#include "core.h"

#define CSP                                                                                        \
	"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
#define YARA_LINE_MAX (1024 * 1024) /* a longer yara.jsonl line is shown as unreadable */
#define ROWS_CHECK 4096             /* rows between checks of the output stream */
#define JS_SAFE_INT 9007199254740991LL

struct hw {
	FILE *o;
	const json_t *r;
	sqlite3 *db;
	const struct r_lists *lists; /* the media list, or NULL: the model's */
	struct ifk_error *err;
};

/* One JSON data table: its key (artifact name, "timeline", "yara",
 * "media"), the row count the model gives (-1: none), the column whose
 * value names the artifact a row_id belongs to, and the archive member
 * holding the same rows (for readers without JavaScript). */
struct dtab {
	const char *key;
	json_int_t expected;
	const char *rowlink;
	const char *member;
};

/* ---- escaping ---- */

static int is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

/* How a character is written: the escape of the character at s, k bytes
 * of valid UTF-8 (0: a byte that starts none), or NULL when it stands as it
 * is; buf (8 bytes) may hold the escape. */
typedef const char *escape_fn(const unsigned char *s, size_t k, char *buf);

/* s[0..n), each character as esc says. */
static void escaped(FILE *o, const char *str, size_t n, escape_fn *esc)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, k;
	const char *e;
	char buf[8];

	if (!s)
		return;
	while (i < n) {
		k = ifk_utf8_seq(s + i, n - i);
		e = esc(s + i, k, buf);
		if (!e) {
			i += k;
			continue;
		}
		fwrite(s + run, 1, i - run, o);
		fputs(e, o);
		i += k ? k : 1;
		run = i;
	}
	fwrite(s + run, 1, i - run, o);
}

/* In HTML text and quoted attribute values: & < > " ' as references, a
 * control character or a byte that is not UTF-8 as the text \xNN. */
static const char *html_esc(const unsigned char *s, size_t k, char *buf)
{
	if (k > 1)
		return NULL;
	switch (s[0]) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		if (k && !is_ctl(s[0]))
			return NULL;
		snprintf(buf, 8, "\\x%02x", s[0]);
		return buf;
	}
}

static void html_n(FILE *o, const char *s, size_t n)
{
	escaped(o, s, n, html_esc);
}

static void html(FILE *o, const char *s)
{
	if (s)
		html_n(o, s, strlen(s));
}

/* Inside a JSON string in a script element: " and \ escaped, < > & and
 * U+2028 U+2029 as \uXXXX, a control character as \u00XX, a byte that is
 * not UTF-8 as the text \xNN. */
static const char *json_esc(const unsigned char *s, size_t k, char *buf)
{
	if (k == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
		return s[2] == 0xa8 ? "\\u2028" : "\\u2029";
	if (k > 1)
		return NULL;
	switch (s[0]) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '<':
		return "\\u003c";
	case '>':
		return "\\u003e";
	case '&':
		return "\\u0026";
	default:
		if (k && s[0] >= 0x20 && s[0] != 0x7f)
			return NULL;
		snprintf(buf, 8, k ? "\\u%04x" : "\\\\x%02x", s[0]);
		return buf;
	}
}

static void json_chars(FILE *o, const char *s, size_t n)
{
	escaped(o, s, n, json_esc);
}

static void json_str(FILE *o, const char *s, size_t n)
{
	putc('"', o);
	json_chars(o, s, n);
	putc('"', o);
}

static void json_cstr(FILE *o, const char *s)
{
	if (s)
		json_str(o, s, strlen(s));
	else
		fputs("null", o);
}

/* ---- the model ---- */

static const json_t *at(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *str_at(const json_t *o, const char *key)
{
	return json_string_value(at(o, key));
}

static json_int_t int_at(const json_t *o, const char *key, json_int_t dflt)
{
	const json_t *v = at(o, key);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* The rows of the media list. */
static json_int_t media_count(const struct hw *h)
{
	return h->lists ? h->lists->media : (json_int_t)json_array_size(at(h->r, "media"));
}

/* A string of the model, escaped (NULs kept as \x00). */
static void put_jstr(FILE *o, const json_t *v)
{
	html_n(o, json_string_value(v), json_string_length(v));
}

static void put_na(FILE *o)
{
	fputs("<span class=\"na\">&#8212;</span>", o);
}

/* 1234567 as "1,234,567". */
static void put_count(FILE *o, long long v)
{
	char d[32];
	unsigned long long m = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	int n = snprintf(d, sizeof(d), "%llu", m), i;

	if (v < 0)
		putc('-', o);
	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			putc(',', o);
		putc(d[i], o);
	}
}

static void put_json_code(FILE *o, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	fputs("<code class=\"json\">", o);
	html(o, s ? s : "(out of memory)");
	fputs("</code>", o);
	free(s);
}

/* Any model value: text escaped, numbers as they are, true/false as
 * yes/no, objects and arrays as compact JSON, null as a dash. */
static void put_val(FILE *o, const json_t *v)
{
	if (!v || json_is_null(v))
		put_na(o);
	else if (json_is_string(v))
		put_jstr(o, v);
	else if (json_is_integer(v))
		fprintf(o, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		fprintf(o, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "yes" : "no", o);
	else
		put_json_code(o, v);
}

static void put_num(FILE *o, const json_t *v)
{
	if (json_is_integer(v))
		put_count(o, json_integer_value(v));
	else
		put_val(o, v);
}

static void put_hash(FILE *o, const char *hex)
{
	if (!hex) {
		put_na(o);
		return;
	}
	fputs("<code class=\"hash\">", o);
	html(o, hex);
	fputs("</code>", o);
}

/* <dt>label</dt><dd id="id">value</dd>; the value by fn. */
static void kv_fn(FILE *o, const char *id, const char *label, const json_t *v,
                  void (*fn)(FILE *, const json_t *))
{
	fputs("<dt>", o);
	html(o, label);
	fputs("</dt><dd", o);
	if (id) {
		fputs(" id=\"", o);
		html(o, id);
		putc('"', o);
	}
	putc('>', o);
	fn(o, v);
	fputs("</dd>\n", o);
}

static void kv(FILE *o, const char *id, const char *label, const json_t *v)
{
	kv_fn(o, id, label, v, put_val);
}

static void put_hash_val(FILE *o, const json_t *v)
{
	put_hash(o, json_string_value(v));
}

/* Every member of an object as dt/dd, in the model's order. */
static void kv_object(FILE *o, const json_t *obj)
{
	const char *k;
	json_t *v;

	fputs("<dl class=\"kv\">\n", o);
	json_object_foreach((json_t *)obj, k, v)
	{
		kv(o, NULL, k, v);
	}
	fputs("</dl>\n", o);
}

/* The colour of a status word: good, warn, bad or none. */
static const char *tone(const char *s)
{
	static const char *const good[] = {"pass", "ok", "sealed", "PASS", "complete", NULL};
	static const char *const warn[] = {"warn", "findings", "unsupported-schema", "missing",
	                                   NULL};
	static const char *const bad[] = {"fail", "FAIL", "failed", "refused", "incomplete", NULL};
	int i;

	for (i = 0; s && good[i]; i++)
		if (!strcmp(s, good[i]))
			return "good";
	for (i = 0; s && warn[i]; i++)
		if (!strcmp(s, warn[i]))
			return "warn";
	for (i = 0; s && bad[i]; i++)
		if (!strcmp(s, bad[i]))
			return "bad";
	return "none";
}

static void badge(FILE *o, const char *status)
{
	const char *s = status ? status : "unknown";

	fprintf(o, "<span class=\"badge st-%s\">", tone(status));
	html(o, s);
	fputs("</span>", o);
}

/* 1 when s is a plain name fit for an id and a fragment. */
static int safe_key(const char *s)
{
	size_t n =
	    s ? strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") : 0;

	return n && n <= 128 && !s[n];
}

/* 1 when s is a member name that may be a link: confined (the one check)
 * and made of URL-safe characters only ([A-Za-z0-9._-/]), no part starting
 * with a dot. */
static int safe_member(const char *s)
{
	static const char ok[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/";

	if (!s || strlen(s) > 1024 || ifk_relpath_problem(s) || strspn(s, ok) != strlen(s))
		return 0;
	return s[0] != '.' && !strstr(s, "/.");
}

static void member_link(FILE *o, const char *m)
{
	if (!m) {
		put_na(o);
		return;
	}
	if (safe_member(m)) {
		fputs("<a class=\"member\" href=\"", o);
		html(o, m);
		fputs("\">", o);
	}
	fputs("<code>", o);
	html(o, m);
	fputs("</code>", o);
	if (safe_member(m))
		fputs("</a>", o);
}

/* Writes tpl, each {key} in it replaced by the value of e's member key
 * (put_val), {#key} by it as a count (put_num) and {!key} by the badge of
 * its status word; tpl holds no other brace. */
static void put_tpl(FILE *o, const json_t *e, const char *tpl)
{
	const char *open, *close;
	char key[64];

	while ((open = strchr(tpl, '{')) && (close = strchr(open, '}'))) {
		fwrite(tpl, 1, (size_t)(open - tpl), o);
		snprintf(key, sizeof(key), "%.*s", (int)(close - open - 1), open + 1);
		if (key[0] == '#')
			put_num(o, at(e, key + 1));
		else if (key[0] == '!')
			badge(o, str_at(e, key + 1));
		else
			put_val(o, at(e, key));
		tpl = close + 1;
	}
	fputs(tpl, o);
}

/* One <dt>/<dd> of a list: the dd's id (or NULL), the label, the member of
 * the object shown (NULL: the object itself) and how (NULL: put_val). */
struct kv_row {
	const char *id, *label, *key;
	void (*fn)(FILE *, const json_t *);
};

/* The rows, up to the one without a label, of obj. */
static void kv_rows(FILE *o, const json_t *obj, const struct kv_row *r)
{
	for (; r->label; r++)
		kv_fn(o, r->id, r->label, r->key ? at(obj, r->key) : obj, r->fn ? r->fn : put_val);
}

/* "ifk-report 0.1.0": the tool that wrote the report, as HTML text. */
static void put_writer(FILE *o, const json_t *r)
{
	html(o, str_at(r, "tool"));
	putc(' ', o);
	html(o, str_at(r, "version"));
}

/* ---- head, header, navigation ---- */

/* An embedded asset (lib/report/assets/), byte for byte. */
static void put_asset(FILE *o, const struct r_asset *a)
{
	fwrite(a->data, 1, a->size, o);
}

static void write_head(struct hw *h)
{
	FILE *o = h->o;
	const json_t *c = at(h->r, "case");

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"" CSP "\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"",
	      o);
	put_writer(o, h->r);
	fputs("\">\n<title>Report: case ", o);
	html(o, str_at(c, "case") ? str_at(c, "case") : "(no case number)");
	if (str_at(c, "evidence")) {
		fputs(", evidence ", o);
		html(o, str_at(c, "evidence"));
	}
	fputs("</title>\n<style>\n", o);
	put_asset(o, &r_asset_report_css);
	fputs("</style>\n</head>\n<body>\n", o);
}

/* One fact of the header: its label, then v as fn writes it. */
static void fact(FILE *o, const char *label, const json_t *v, void (*fn)(FILE *, const json_t *))
{
	fputs("<div><span>", o);
	html(o, label);
	fputs("</span>", o);
	fn(o, v);
	fputs("</div>\n", o);
}

static void put_device_line(FILE *o, const json_t *d)
{
	put_tpl(o, d, "{name} &#183; {product_name} &#183; serial {serial}");
}

static void put_badge(FILE *o, const json_t *status)
{
	badge(o, json_string_value(status));
}

static void write_header(struct hw *h)
{
	FILE *o = h->o;
	const json_t *c = at(h->r, "case"), *d = at(h->r, "device"), *x = at(h->r, "examiner");

	fputs("<header id=\"report-header\">\n<div class=\"kicker\">", o);
	put_writer(o, h->r);
	fputs(" &#183; chain-of-custody report</div>\n<h1>Case <span id=\"case-number\">", o);
	put_val(o, at(c, "case"));
	fputs("</span><span class=\"sub\">evidence <span id=\"evidence-number\">", o);
	put_val(o, at(c, "evidence"));
	fputs("</span></span></h1>\n<div class=\"facts\">\n", o);
	fact(o, "Device", d, put_device_line);
	fact(o, "Report signed by", at(x, "name"), put_val);
	fact(o, "Report time (custody head)", at(h->r, "report_time"), put_val);
	fact(o, "Verification", at(at(h->r, "verification"), "verdict"), put_badge);
	fact(o, "Bag", at(h->r, "bag"), put_val);
	fputs("</div>\n</header>\n", o);
}

static int has_parse(const struct hw *h)
{
	return json_is_object(at(h->r, "parse"));
}

static void write_nav(struct hw *h)
{
	FILE *o = h->o;
	const json_t *p = at(h->r, "parse");

	fputs("<nav id=\"toc\"><a href=\"#case\">Case</a><a href=\"#device\">Device</a>"
	      "<a href=\"#acquisition\">Acquisition</a><a href=\"#custody\">Custody</a>"
	      "<a href=\"#verification\">Verification</a><a href=\"#parse\">Artifacts</a>",
	      o);
	if (has_parse(h) && h->db)
		fputs("<a href=\"#tables\">Tables</a><a href=\"#timeline\">Timeline</a>", o);
	if (str_at(p, "yara_member"))
		fputs("<a href=\"#yara\">YARA</a>", o);
	if (media_count(h))
		fputs("<a href=\"#media\">Media</a>", o);
	fputs("<a href=\"#members\">Archive</a></nav>\n<main>\n", o);
}

/* ---- case, device, acquisition ---- */

static const struct kv_row case_rows[] = {
    {"case-case", "case number", "case", NULL},
    {"case-evidence", "evidence number", "evidence", NULL},
    {"case-examiner", "examiner (acquisition)", "examiner", NULL},
    {"case-organization", "organization", "organization", NULL},
    {"case-notes", "notes", "notes", NULL},
    {NULL, NULL, NULL, NULL},
};

static const struct kv_row examiner_rows[] = {
    {"examiner-name", "examiner", "name", NULL},
    {"examiner-organization", "organization", "organization", NULL},
    {"examiner-certificate", "certificate subject", "certificate_subject", NULL},
    {"examiner-certificate-sha256", "certificate SHA-256", "certificate_sha256", put_hash_val},
    {NULL, NULL, NULL, NULL},
};

static void write_case(struct hw *h)
{
	FILE *o = h->o;
	const json_t *c = at(h->r, "case"), *x = at(h->r, "examiner");

	fputs(
	    "<section class=\"card\" id=\"case\">\n<h2>Case and examiner</h2>\n<div class=\"cols\">"
	    "<div>\n<h3>Case</h3>\n<dl class=\"kv\">\n",
	    o);
	kv_rows(o, c, case_rows);
	fputs(
	    "</dl>\n<p class=\"note\">As given to ifk-acquire, from the sealed acquisition record "
	    "(<a class=\"member\" href=\"custody/ifk-acquisition.json\">"
	    "<code>custody/ifk-acquisition.json</code></a>).</p>\n</div>\n<div>\n"
	    "<h3>Report signed by</h3>\n<dl class=\"kv\">\n",
	    o);
	kv_rows(o, x, examiner_rows);
	fputs("</dl>\n<p class=\"note\">The archive's detached CMS signature is made with this "
	      "certificate.</p>\n</div>\n</div>\n</section>\n",
	      o);
}

/* d's member key, then " (more)" when d has the string more. */
static void put_and_more(FILE *o, const json_t *d, const char *key, const char *more)
{
	put_val(o, at(d, key));
	if (str_at(d, more)) {
		fputs(" (", o);
		put_val(o, at(d, more));
		putc(')', o);
	}
}

static void put_model(FILE *o, const json_t *d)
{
	put_and_more(o, d, "product_name", "product_type");
}

static void put_ios(FILE *o, const json_t *d)
{
	put_and_more(o, d, "ios_version", "build");
}

static const struct kv_row device_rows[] = {
    {"device-name", "name", "name", NULL},
    {"device-model", "model", NULL, put_model},
    {"device-ios", "iOS", NULL, put_ios},
    {"device-serial", "serial number", "serial", NULL},
    {"device-udid", "UDID", "udid", NULL},
    {"device-imei", "IMEI", "imei", NULL},
    {"device-meid", "MEID", "meid", NULL},
    {"device-iccid", "ICCID", "iccid", NULL},
    {"device-phone", "phone number", "phone_number", NULL},
    {NULL, NULL, NULL, NULL},
};

static void write_device(struct hw *h)
{
	FILE *o = h->o;
	const json_t *d = at(h->r, "device");

	fputs("<section class=\"card\" id=\"device\">\n<h2>Device</h2>\n<dl class=\"kv\">\n", o);
	kv_rows(o, d, device_rows);
	fputs("</dl>\n<p class=\"note\">From the sealed acquisition record; the backup's own "
	      "property lists are in the <a href=\"#table-device\">device</a> table, each value "
	      "with its source.</p>\n</section>\n",
	      o);
}

static void put_bytes(FILE *o, const json_t *v)
{
	double b;

	if (!json_is_integer(v)) {
		put_val(o, v);
		return;
	}
	put_count(o, json_integer_value(v));
	fputs(" bytes", o);
	b = (double)json_integer_value(v);
	if (b >= 1024.0 * 1024 * 1024)
		fprintf(o, " (%.1f GiB)", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		fprintf(o, " (%.1f MiB)", b / (1024.0 * 1024));
	else if (b >= 1024.0)
		fprintf(o, " (%.1f KiB)", b / 1024.0);
}

static void put_tool(FILE *o, const json_t *a)
{
	put_tpl(o, a, "{tool} {tool_version}");
}

static const struct kv_row acquisition_rows[] = {
    {"acquisition-method", "method", "method", NULL},
    {"acquisition-source", "source", "source", NULL},
    {"acquisition-started", "started (UTC)", "started", NULL},
    {"acquisition-ended", "ended (UTC)", "ended", NULL},
    {"acquisition-tool", "tool", NULL, put_tool},
    {"acquisition-files", "files", "files", put_num},
    {"acquisition-bytes", "bytes", "bytes", put_bytes},
    {"acquisition-oxum", "Payload-Oxum", "payload_oxum", NULL},
    {"acquisition-anomalies", "anomalies", "anomaly_count", put_num},
    {NULL, NULL, NULL, NULL},
};

static const struct kv_row seal_rows[] = {
    {"seal-signer", "sealed by", "signer", NULL},
    {"seal-certificate", "seal certificate SHA-256", "certificate_sha256", put_hash_val},
    {NULL, NULL, NULL, NULL},
};

static const struct kv_row backup_files_rows[] = {
    {"backup-files", "payload files", "count", put_num},
    {"backup-manifest", "payload manifest", "manifest", NULL},
    {"backup-manifest-sha256", "manifest SHA-256", "manifest_sha256", put_hash_val},
    {NULL, NULL, NULL, NULL},
};

static void write_anomalies(FILE *o, const json_t *a)
{
	const json_t *list = at(a, "anomalies"), *e;
	size_t i;

	fputs("<h3>Anomalies <span class=\"count\">", o);
	put_num(o, at(a, "anomaly_count"));
	fputs("</span></h3>\n", o);
	if (!json_array_size(list)) {
		fputs(
		    "<p class=\"note\" id=\"anomalies\">None: every file of the backup was copied "
		    "whole.</p>\n",
		    o);
		return;
	}
	fputs("<div class=\"scroll\"><table "
	      "id=\"anomalies\"><thead><tr><th>kind</th><th>path</th><th>detail</th></tr>"
	      "</thead><tbody>\n",
	      o);
	json_array_foreach(list, i, e)
	{
		put_tpl(o, e,
		        "<tr class=\"anomaly\"><td>{!kind}</td><td><code>{path}</code></td>"
		        "<td>{detail}</td></tr>\n");
	}
	fputs("</tbody></table></div>\n", o);
	if (int_at(a, "anomaly_count", 0) > (json_int_t)json_array_size(list))
		fputs("<p class=\"note\">The acquisition record lists the first 10,000.</p>\n", o);
}

static void write_acquisition(struct hw *h)
{
	FILE *o = h->o;
	const json_t *a = at(h->r, "acquisition");

	fputs("<section class=\"card\" id=\"acquisition\">\n<h2>Acquisition</h2>\n<div "
	      "class=\"cols\">"
	      "<div>\n<dl class=\"kv\">\n",
	      o);
	kv_rows(o, a, acquisition_rows);
	fputs("</dl>\n</div>\n<div>\n<dl class=\"kv\">\n", o);
	kv_rows(o, at(a, "seal"), seal_rows);
	kv_rows(o, at(h->r, "backup_files"), backup_files_rows);
	fputs("</dl>\n<p class=\"note\">The counts come from the sealed acquisition record (<a "
	      "class=\"member\" href=\"custody/ifk-acquisition.json\"><code>custody/"
	      "ifk-acquisition.json</code></a>); every payload file's SHA-256 is in the bag's "
	      "payload manifest, whose hash is above.</p>\n</div>\n</div>\n",
	      o);
	write_anomalies(o, a);
	fputs("</section>\n", o);
}

/* ---- custody ---- */

static void put_who(FILE *o, const json_t *actor)
{
	if (str_at(actor, "examiner"))
		put_tpl(o, actor, "{examiner}<br>");
	put_tpl(o, actor, "<span class=\"muted\">{user}@{host}</span>");
}

/* obj's members in a <details> element that open begins, when it has any. */
static void details_kv(FILE *o, const char *open, const json_t *obj)
{
	if (!json_object_size(obj))
		return;
	fputs(open, o);
	kv_object(o, obj);
	fputs("</details>", o);
}

static void custody_row(FILE *o, const json_t *e)
{
	json_int_t seq = int_at(e, "seq", 0);

	fprintf(o,
	        "<tr class=\"custody-entry row-%s\" id=\"custody-%" JSON_INTEGER_FORMAT
	        "\" data-seq=\"%" JSON_INTEGER_FORMAT "\" data-hash=\"",
	        tone(str_at(e, "result")), seq, seq);
	html(o, str_at(e, "hash"));
	put_tpl(o, e,
	        "\"><td class=\"num\">{seq}</td><td class=\"c-time\">{time}</td>"
	        "<td class=\"c-who\">");
	put_who(o, at(e, "actor"));
	put_tpl(o, e,
	        "</td><td class=\"c-tool\">{tool} {version}</td>"
	        "<td class=\"c-action\">{action}</td><td class=\"c-result\">{!result}</td>"
	        "<td class=\"c-hash\" title=\"previous entry: ");
	html(o, str_at(e, "prev"));
	fputs("\">", o);
	put_hash(o, str_at(e, "hash"));
	fputs("</td><td class=\"c-details\">", o);
	details_kv(o, "<details><summary>details</summary>", at(e, "details"));
	fputs("</td></tr>\n", o);
}

static void write_custody(struct hw *h)
{
	FILE *o = h->o;
	const json_t *c = at(h->r, "custody"), *list = at(c, "entries"), *e;
	size_t i;

	fputs("<section class=\"card\" id=\"custody\">\n<h2>Chain of custody</h2>\n"
	      "<p class=\"note\"><span id=\"custody-count\">",
	      o);
	put_count(o, (long long)json_array_size(list));
	fputs(
	    "</span> entries in the bag's custody log (<a class=\"member\" "
	    "href=\"custody/ifk-custody.log\"><code>custody/ifk-custody.log</code></a>), each the "
	    "SHA-256 of its line and chained to the one before; first entry ",
	    o);
	put_hash(o, str_at(c, "genesis"));
	fputs(", head ", o);
	put_hash(o, str_at(c, "head"));
	fputs(" (entry ", o);
	put_val(o, at(c, "head_seq"));
	fputs("). Problems found in the chain: ", o);
	badge(o, int_at(c, "problems", -1) == 0 ? "ok" : "fail");
	fputs(" ", o);
	put_val(o, at(c, "problems"));
	fputs("</p>\n<div class=\"scroll\"><table class=\"custody\"><thead><tr><th>#</th><th>time "
	      "(UTC)</th><th>who</th>"
	      "<th>tool</th><th>action</th><th>result</th><th>entry hash</th><th>details</th></tr>"
	      "</thead><tbody>\n",
	      o);
	json_array_foreach(list, i, e)
	{
		custody_row(o, e);
	}
	fputs("</tbody></table></div>\n</section>\n", o);
}

/* ---- verification ---- */

static void write_findings(FILE *o, const json_t *list)
{
	const json_t *f;
	size_t i;

	fputs("<details class=\"findings\"><summary>", o);
	put_count(o, (long long)json_array_size(list));
	fputs(json_array_size(list) == 1 ? " finding" : " findings", o);
	fputs("</summary><ul>\n", o);
	json_array_foreach(list, i, f)
	{
		put_tpl(o, f, "<li>{!level} <code>{file}</code> {reason}</li>\n");
	}
	fputs("</ul></details>", o);
}

static void check_row(FILE *o, const json_t *c)
{
	const char *name = str_at(c, "name"), *status = str_at(c, "status");

	fprintf(o, "<tr class=\"check row-%s\"", tone(status));
	if (safe_key(name))
		fprintf(o, " id=\"check-%s\"", name);
	fputs(" data-check=\"", o);
	html(o, name);
	fputs("\" data-status=\"", o);
	html(o, status);
	put_tpl(o, c,
	        "\"><td class=\"c-check\">{name}</td><td>{!status}</td>"
	        "<td class=\"num\">{#failures}</td><td class=\"num\">{#warnings}</td><td>");
	if (str_at(c, "reason"))
		put_val(o, at(c, "reason"));
	if (json_array_size(at(c, "findings")))
		write_findings(o, at(c, "findings"));
	details_kv(o, "<details class=\"info\"><summary>facts</summary>", at(c, "info"));
	fputs("</td></tr>\n", o);
}

static void write_verification(struct hw *h)
{
	FILE *o = h->o;
	const json_t *v = at(h->r, "verification"), *c;
	size_t i;

	fputs("<section class=\"card\" id=\"verification\">\n<h2>Verification</h2>\n"
	      "<p>Verdict: <span id=\"verdict\">",
	      o);
	badge(o, str_at(v, "verdict"));
	fputs("</span> &#183; target kind ", o);
	put_val(o, at(v, "kind"));
	fputs("</p>\n<p class=\"note\">The verification of the bag made for this report, check by "
	      "check (<a class=\"member\" href=\"verification/verify.json\"><code>verification/"
	      "verify.json</code></a>; its custody entry, when appended, is the head the report "
	      "covers).</p>\n<div class=\"scroll\"><table "
	      "class=\"checks\"><thead><tr><th>check</th>"
	      "<th>status</th><th class=\"num\">failures</th><th class=\"num\">warnings</th>"
	      "<th>findings and facts</th></tr></thead><tbody>\n",
	      o);
	json_array_foreach(at(v, "checks"), i, c)
	{
		check_row(o, c);
	}
	fputs("</tbody></table></div>\n</section>\n", o);
}

/* ---- the artifacts database ---- */

static int db_err(struct hw *h, const char *what)
{
	return ifk_sqlite_fail(h->db, sqlite3_extended_errcode(h->db), NULL, h->err,
	                       "artifacts.sqlite: %s", what);
}

/* 1 when the database has the table and it holds a row, 0 when not; a
 * negative IFK_E* code when SQLite failed. */
static int table_has_rows(struct hw *h, const char *name)
{
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	int rc;

	if (!h->db || !name)
		return 0;
	if (sqlite3_prepare_v2(h->db,
	                       "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1,
	                       &st, NULL) != SQLITE_OK)
		return db_err(h, "sqlite_master");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : db_err(h, "sqlite_master");
	if (!(sql = sqlite3_mprintf("SELECT EXISTS (SELECT 1 FROM \"%w\")", name)))
		return ifk_error_set(h->err, IFK_ENOMEM, "out of memory");
	st = NULL;
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		rc = db_err(h, name);
	else if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) != 0;
	else
		rc = db_err(h, name);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return rc;
}

/* ---- the parse summary ---- */

static void put_sources(FILE *o, const json_t *list)
{
	const json_t *s;
	size_t i;

	if (!json_array_size(list)) {
		put_na(o);
		return;
	}
	fputs("<ul class=\"src\">", o);
	json_array_foreach(list, i, s)
	{
		fputs("<li><span class=\"p-path\">", o);
		if (str_at(s, "domain") && *str_at(s, "domain")) {
			put_val(o, at(s, "domain"));
			putc('/', o);
		}
		put_val(o, at(s, "relative_path"));
		fputs("</span>", o);
		put_hash(o, str_at(s, "sha256"));
		if (json_is_true(at(s, "wal_applied")))
			fputs("<span class=\"muted\">WAL applied: </span>", o);
		if (str_at(s, "wal_sha256"))
			put_hash(o, str_at(s, "wal_sha256"));
		fputs("</li>", o);
	}
	fputs("</ul>", o);
}

/* The verification findings on an artifact's sources, beside its rows. */
static void put_art_findings(FILE *o, const json_t *a)
{
	const json_t *f = at(a, "verification_findings"), *x;
	json_int_t total = int_at(a, "verification_findings_total", 0);
	size_t i;

	if (!json_array_size(f))
		return;
	fputs("<ul class=\"findings\">", o);
	json_array_foreach(f, i, x)
	{
		put_tpl(o, x, "<li>{!level} {check}: <code>{file}</code>: {reason}</li>");
	}
	if (total > (json_int_t)json_array_size(f))
		fprintf(o, "<li>and %" JSON_INTEGER_FORMAT " more (parse/parse.json)</li>",
		        total - (json_int_t)json_array_size(f));
	fputs("</ul>", o);
}

static void summary_row(FILE *o, const json_t *a, int shown)
{
	const char *name = str_at(a, "name"), *status = str_at(a, "status");

	fprintf(o, "<tr class=\"artifact row-%s\" data-artifact=\"", tone(status));
	html(o, name);
	fprintf(o, "\" data-rows=\"%" JSON_INTEGER_FORMAT "\" data-status=\"",
	        int_at(a, "rows", 0));
	html(o, status);
	fputs("\"><td><b>", o);
	html(o, name);
	fputs("</b><br><span class=\"muted\">", o);
	put_val(o, at(a, "title"));
	fputs("</span><br>", o);
	member_link(o, str_at(a, "member"));
	fputs("</td><td>", o);
	badge(o, status);
	if (json_is_true(at(a, "partial")))
		fputs(" <span class=\"muted\">partial</span>", o);
	fputs("</td><td class=\"num c-rows\">", o);
	if (shown && safe_key(name))
		fprintf(o, "<a href=\"#table-%s\">", name);
	put_num(o, at(a, "rows"));
	if (shown && safe_key(name))
		fputs("</a>", o);
	fputs("</td><td>", o);
	if (str_at(a, "reason"))
		put_val(o, at(a, "reason"));
	put_art_findings(o, a);
	fputs("</td><td>", o);
	put_sources(o, at(a, "sources"));
	fputs("</td></tr>\n", o);
}

static const struct kv_row parse_files_rows[] = {
    {"parse-files-read", "files read", "read", put_num},
    {"parse-bytes-read", "bytes read", "bytes", put_bytes},
    {"parse-files-failed", "files that failed", "failed", put_num},
    {NULL, "files not decryptable off the device", "not_decryptable_off_device", put_num},
    {NULL, NULL, NULL, NULL},
};

static const struct kv_row parse_counts_rows[] = {
    {"parse-timeline-events", "timeline events", "timeline_events", put_num},
    {"parse-yara-matches", "YARA matches", "yara_matches", put_num},
    {NULL, NULL, NULL, NULL},
};

static void write_parse_facts(FILE *o, const json_t *p)
{
	const json_t *v = at(p, "verification");

	fputs("<dl class=\"kv\">\n<dt>outcome</dt><dd id=\"parse-outcome\">", o);
	badge(o, str_at(p, "outcome"));
	fputs("</dd>\n<dt>verification during the parse</dt><dd>", o);
	badge(o, str_at(v, "verdict"));
	if (json_is_true(at(v, "no_verify")))
		fputs(" <b>parsed with --no-verify</b>", o);
	if (str_at(v, "note")) {
		putc(' ', o);
		put_val(o, at(v, "note"));
	}
	fputs("</dd>\n", o);
	if (json_is_integer(at(p, "custody_seq")))
		fprintf(o,
		        "<dt>custody entry</dt><dd id=\"parse-custody\"><a "
		        "href=\"#custody-%" JSON_INTEGER_FORMAT "\">entry %" JSON_INTEGER_FORMAT
		        "</a></dd>\n",
		        json_integer_value(at(p, "custody_seq")),
		        json_integer_value(at(p, "custody_seq")));
	kv_rows(o, at(p, "files"), parse_files_rows);
	kv_rows(o, p, parse_counts_rows);
	fputs("</dl>\n<p class=\"note\">From <a class=\"member\" href=\"parse/parse.json\"><code>"
	      "parse/parse.json</code></a>. Each artifact lists the backup files it read with the "
	      "SHA-256 of their decrypted content.</p>\n",
	      o);
}

static int write_parse(struct hw *h)
{
	FILE *o = h->o;
	const json_t *p = at(h->r, "parse"), *a;
	size_t i;
	int shown;

	fputs("<section class=\"card\" id=\"parse\">\n<h2>Artifacts</h2>\n", o);
	if (!has_parse(h)) {
		fputs("<p class=\"note\" id=\"no-parse\">This report has no ifk-parse output: it "
		      "covers "
		      "the evidence bag only.</p>\n</section>\n",
		      o);
		return 0;
	}
	write_parse_facts(o, p);
	fputs("<div class=\"scroll\"><table "
	      "id=\"artifacts-summary\"><thead><tr><th>artifact</th><th>status</th>"
	      "<th class=\"num\">rows</th><th>reason</th><th>sources (domain/relativePath, "
	      "SHA-256)</th></tr></thead><tbody>\n",
	      o);
	json_array_foreach(at(p, "artifacts"), i, a)
	{
		shown = table_has_rows(h, str_at(a, "name"));
		if (shown < 0)
			return shown;
		summary_row(o, a, shown);
	}
	fputs("</tbody></table></div>\n</section>\n", o);
	return 0;
}

/* ---- JSON data tables ---- */

static void dt_begin(FILE *o, const struct dtab *t)
{
	fputs("<div class=\"datatable\" id=\"table-", o);
	html(o, t->key);
	fputs("\" data-table=\"", o);
	html(o, t->key);
	putc('"', o);
	if (t->expected >= 0)
		fprintf(o, " data-expected=\"%" JSON_INTEGER_FORMAT "\"", t->expected);
	fputs(">\n<noscript><p class=\"note\">With JavaScript off the rows are not shown here; "
	      "they are in ",
	      o);
	member_link(o, t->member);
	fputs(".</p></noscript>\n<script type=\"application/json\" id=\"data-", o);
	html(o, t->key);
	fputs("\">{\"key\":", o);
	json_cstr(o, t->key);
	if (t->rowlink) {
		fputs(",\"rowlink\":", o);
		json_cstr(o, t->rowlink);
	}
}

/* ,"columns":[...],"types":[...],"rows":[ */
static void dt_columns(FILE *o, const char *const *names, const char *const *types, int n)
{
	int i;

	fputs(",\"columns\":[", o);
	for (i = 0; i < n; i++) {
		if (i)
			putc(',', o);
		json_cstr(o, names[i]);
	}
	fputs("],\"types\":[", o);
	for (i = 0; i < n; i++) {
		if (i)
			putc(',', o);
		json_cstr(o, types[i]);
	}
	fputs("],\"rows\":[", o);
}

static void dt_row_start(FILE *o, long long n)
{
	fputs(n ? ",\n[" : "\n[", o);
}

static void dt_end(FILE *o, long long n)
{
	fprintf(o, "\n],\"count\":%lld}</script>\n</div>\n", n);
}

/* The type the page gives a column: the artifact's declared type, else
 * what the database declares. */
static const char *col_type(const struct ifk_artifact *art, sqlite3_stmt *st, int i)
{
	const char *name = sqlite3_column_name(st, i), *decl = sqlite3_column_decltype(st, i);
	const struct ifk_col *c;

	for (c = art ? art->cols : NULL; c && c->name && name; c++) {
		if (strcmp(c->name, name))
			continue;
		switch (c->type) {
		case IFK_COL_INT:
			return "int";
		case IFK_COL_REAL:
			return "real";
		case IFK_COL_BOOL:
			return "bool";
		case IFK_COL_TIME:
			return "time";
		default:
			return "text";
		}
	}
	if (name && !strcmp(name, "time"))
		return "time";
	if (decl && strcasestr(decl, "INT"))
		return "int";
	if (decl && (strcasestr(decl, "REAL") || strcasestr(decl, "FLOA")))
		return "real";
	return "text";
}

static void put_sql_columns(FILE *o, sqlite3_stmt *st, const struct ifk_artifact *art)
{
	int i, n = sqlite3_column_count(st);

	fputs(",\"columns\":[", o);
	for (i = 0; i < n; i++) {
		if (i)
			putc(',', o);
		json_cstr(o, sqlite3_column_name(st, i));
	}
	fputs("],\"types\":[", o);
	for (i = 0; i < n; i++) {
		if (i)
			putc(',', o);
		json_cstr(o, col_type(art, st, i));
	}
	fputs("],\"rows\":[", o);
}

static void put_sql_value(FILE *o, sqlite3_stmt *st, int i)
{
	const unsigned char *p;
	sqlite3_int64 v;
	double d;
	int n, k;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		v = sqlite3_column_int64(st, i);
		/* past 2^53 a JavaScript number would round it: a string */
		fprintf(o, v > JS_SAFE_INT || v < -JS_SAFE_INT ? "\"%lld\"" : "%lld", (long long)v);
		break;
	case SQLITE_FLOAT:
		d = sqlite3_column_double(st, i);
		if (isfinite(d))
			fprintf(o, "%.17g", d);
		else
			fputs("null", o);
		break;
	case SQLITE_TEXT:
		p = sqlite3_column_text(st, i);
		json_str(o, (const char *)p, (size_t)sqlite3_column_bytes(st, i));
		break;
	case SQLITE_BLOB:
		p = sqlite3_column_blob(st, i);
		n = sqlite3_column_bytes(st, i);
		fputs("\"x'", o);
		for (k = 0; k < n; k++)
			fprintf(o, "%02x", p[k]);
		fputs("'\"", o);
		break;
	default:
		fputs("null", o);
	}
}

/* Streams the rows of sql into a data table: one sqlite3_step, one row
 * written; nothing is kept. */
static int dt_sql(struct hw *h, const struct dtab *t, const char *sql,
                  const struct ifk_artifact *art)
{
	sqlite3_stmt *st = NULL;
	long long n = 0;
	int rc, i, cols;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(h, t->key);
	cols = sqlite3_column_count(st);
	dt_begin(h->o, t);
	put_sql_columns(h->o, st, art);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		dt_row_start(h->o, n);
		for (i = 0; i < cols; i++) {
			if (i)
				putc(',', h->o);
			put_sql_value(h->o, st, i);
		}
		putc(']', h->o);
		if (++n % ROWS_CHECK == 0 && ferror(h->o))
			break;
	}
	dt_end(h->o, n);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_err(h, t->key);
	sqlite3_finalize(st);
	return rc;
}

static void heading(FILE *o, const char *title, const char *key, json_int_t rows)
{
	fputs("<h3>", o);
	html(o, title ? title : key);
	fputs(" <span class=\"count\">", o);
	html(o, key);
	if (rows >= 0) {
		fputs(" &#183; ", o);
		put_count(o, rows);
		fputs(" rows", o);
	}
	fputs("</span></h3>\n", o);
}

static int write_artifact_table(struct hw *h, const json_t *a)
{
	const char *name = str_at(a, "name");
	struct dtab t = {name, int_at(a, "rows", -1), NULL, str_at(a, "member")};
	char *sql;
	int rc;

	rc = table_has_rows(h, name);
	if (rc <= 0)
		return rc;
	if (!(sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", name)))
		return ifk_error_set(h->err, IFK_ENOMEM, "out of memory");
	heading(h->o, str_at(a, "title"), name, t.expected);
	rc = dt_sql(h, &t, sql, ifk_artifact_find(name));
	sqlite3_free(sql);
	return rc;
}

static int write_tables(struct hw *h)
{
	const json_t *a;
	size_t i;
	int rc = 0;

	fputs(
	    "<section class=\"card\" id=\"tables\">\n<h2>Artifact tables</h2>\n<p class=\"note\">"
	    "Every row as ifk-parse wrote it, with its provenance: the backup file "
	    "(domain/relativePath), the table and rowid in it, and the SHA-256 of the file's "
	    "decrypted content. 100 rows a page; click a column's name to sort, type in the box "
	    "to filter. The address keeps the view (<code>#sms_messages:page=2&amp;q=lunch</code>)."
	    "</p>\n",
	    h->o);
	if (!h->db)
		fputs("<p class=\"note\">The artifacts database is not part of this report.</p>\n",
		      h->o);
	json_array_foreach(at(at(h->r, "parse"), "artifacts"), i, a)
	{
		rc = write_artifact_table(h, a);
		if (rc)
			break;
	}
	fputs("</section>\n", h->o);
	return rc;
}

static int write_timeline(struct hw *h)
{
	const json_t *p = at(h->r, "parse");
	struct dtab t = {"timeline", int_at(p, "timeline_events", -1), "artifact",
	                 str_at(p, "timeline_member")};
	int rc;

	fputs(
	    "<section class=\"card\" id=\"timeline\">\n<h2>Timeline</h2>\n<p class=\"note\">Every "
	    "timestamped event of every artifact, in time order (UTC). A row_id leads to the "
	    "artifact's row.</p>\n",
	    h->o);
	rc = table_has_rows(h, "timeline");
	if (rc > 0)
		rc = dt_sql(h, &t,
		            "SELECT time, artifact, event, summary, row_id, domain, relative_path,"
		            " source_sha256, source_table, source_rowid FROM timeline"
		            " ORDER BY ts, artifact, row_id, event",
		            NULL);
	else if (rc == 0)
		fputs("<p class=\"note\" id=\"timeline-empty\">No event.</p>\n", h->o);
	fputs("</section>\n", h->o);
	return rc;
}

/* ---- YARA matches (yara.jsonl beside the artifacts database) ---- */

static int yara_open(struct hw *h, const char *member, FILE **f)
{
	const char *db = h->db ? sqlite3_db_filename(h->db, "main") : NULL;
	const char *base = strrchr(member, '/'), *slash;
	char *path = NULL;
	int fd, rc = 0;

	base = base ? base + 1 : member;
	if (!safe_member(base))
		return ifk_error_set(h->err, IFK_EFORMAT, "report: YARA member name refused");
	if (!db || !*db)
		return ifk_error_set(h->err, IFK_ENOTFOUND,
		                     "%s: no artifacts database file to find it beside", member);
	slash = strrchr(db, '/');
	if (asprintf(&path, "%.*s/%s", slash ? (int)(slash - db) : 1, slash ? db : ".", base) < 0)
		return ifk_error_set(h->err, IFK_ENOMEM, "out of memory");
	fd = ifk_open_regular(AT_FDCWD, path, h->err);
	if (fd < 0)
		rc = fd;
	else if (!(*f = fdopen(fd, "r"))) {
		rc = ifk_error_sys(h->err, IFK_EIO, errno, "%s: cannot read", path);
		close(fd);
	}
	free(path);
	return rc;
}

/* Reads one line (LF dropped) into buf (cap bytes, NUL-terminated); a
 * longer line sets *cut and its rest is skipped. -1 at the end. */
static long read_line(FILE *f, char *buf, size_t cap, int *cut)
{
	size_t n = 0;
	int c;

	*cut = 0;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (n + 1 < cap)
			buf[n++] = (char)c;
		else
			*cut = 1;
	}
	buf[n] = 0;
	return c == EOF && !n && !*cut ? -1 : (long)n;
}

static void jv(FILE *o, const json_t *v)
{
	if (json_is_string(v))
		json_str(o, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		fprintf(o, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		fputs("null", o);
}

/* The members keys[0..n) of obj as JSON values, separated by commas. */
static void jv_list(FILE *o, const json_t *obj, const char *const *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			putc(',', o);
		jv(o, at(obj, keys[i]));
	}
}

static void yara_tags(FILE *o, const json_t *tags)
{
	const json_t *t;
	size_t i;

	putc('"', o);
	json_array_foreach(tags, i, t)
	{
		if (i)
			json_chars(o, ", ", 2);
		json_chars(o, json_string_value(t), json_string_length(t));
	}
	putc('"', o);
}

/* "$a@120+5: text; $b@300+2: hex 00ff" */
static void yara_strings(FILE *o, const json_t *m)
{
	const json_t *s;
	char num[64];
	size_t i;

	putc('"', o);
	json_array_foreach(at(m, "strings"), i, s)
	{
		if (i)
			json_chars(o, "; ", 2);
		json_chars(o, str_at(s, "id"), json_string_length(at(s, "id")));
		snprintf(num, sizeof(num), "@%" JSON_INTEGER_FORMAT "+%" JSON_INTEGER_FORMAT ": %s",
		         int_at(s, "offset", -1), int_at(s, "length", -1),
		         str_at(s, "data_encoding") && !strcmp(str_at(s, "data_encoding"), "hex")
		             ? "hex "
		             : "");
		json_chars(o, num, strlen(num));
		json_chars(o, str_at(s, "data"), json_string_length(at(s, "data")));
	}
	if (json_is_true(at(m, "strings_truncated")))
		json_chars(o, " (the first 100 listed)", 23);
	putc('"', o);
}

static void yara_row(FILE *o, const char *line, size_t len, int cut, long long lineno)
{
	static const char *const name[] = {"rule", "namespace"}, *const file[] = {
	                                                             "size", "file_id", "domain",
	                                                             "relative_path", "sha256"};
	json_t *m = cut ? NULL : json_loadb(line, len, 0, NULL);
	char *meta;

	if (!json_is_object(m)) {
		fprintf(o, "\"(line %lld of yara.jsonl is not a JSON object)\"", lineno);
		fputs(",null,null,null,null,null,null,null,null,null", o);
		json_decref(m);
		return;
	}
	jv_list(o, m, name, 2);
	putc(',', o);
	yara_tags(o, at(m, "tags"));
	putc(',', o);
	meta = json_dumps(at(m, "meta"), JSON_COMPACT | JSON_ENCODE_ANY);
	json_cstr(o, meta);
	free(meta);
	putc(',', o);
	yara_strings(o, m);
	putc(',', o);
	jv_list(o, m, file, 5);
	json_decref(m);
}

static int yara_rows(struct hw *h, FILE *f, const struct dtab *t)
{
	static const char *const cols[] = {"rule",          "namespace",    "tags",    "meta",
	                                   "matches",       "size",         "file_id", "domain",
	                                   "relative_path", "source_sha256"};
	static const char *const types[] = {"text", "text", "text", "text", "text",
	                                    "int",  "text", "text", "text", "text"};
	char *line = malloc(YARA_LINE_MAX + 1);
	long long n = 0, lineno = 0;
	long len;
	int cut;

	if (!line)
		return ifk_error_set(h->err, IFK_ENOMEM, "out of memory");
	dt_begin(h->o, t);
	dt_columns(h->o, cols, types, 10);
	while ((len = read_line(f, line, YARA_LINE_MAX + 1, &cut)) >= 0) {
		lineno++;
		if (!len && !cut)
			continue;
		dt_row_start(h->o, n++);
		yara_row(h->o, line, (size_t)len, cut, lineno);
		putc(']', h->o);
	}
	dt_end(h->o, n);
	free(line);
	if (ferror(f))
		return ifk_error_set(h->err, IFK_EIO, "%s: read error", t->member);
	return 0;
}

static const struct kv_row yara_facts_rows[] = {
    {"yara-rules", "rules", "rules", NULL},
    {"yara-rules-sha256", "rules SHA-256", "rules_sha256", put_hash_val},
    {NULL, "rules compiled", "rule_count", put_num},
    {NULL, "files scanned", "files_scanned", put_num},
    {NULL, "files not scanned", "files_not_scanned", put_num},
    {"yara-match-count", "matches (rule and file)", "matches", put_num},
    {NULL, NULL, NULL, NULL},
};

static void write_yara_facts(FILE *o, const json_t *y)
{
	const json_t *e;
	size_t i;

	fputs("<dl class=\"kv\">\n", o);
	kv_rows(o, y, yara_facts_rows);
	fputs("</dl>\n", o);
	if (!json_array_size(at(y, "errors")))
		return;
	fputs("<ul class=\"yara-errors\">\n", o);
	json_array_foreach(at(y, "errors"), i, e)
	{
		fputs("<li>", o);
		badge(o, "fail");
		put_tpl(o, e, " {domain}/{relative_path}: {reason}</li>\n");
	}
	fputs("</ul>\n", o);
}

static int write_yara(struct hw *h)
{
	const json_t *p = at(h->r, "parse");
	struct dtab t = {"yara", int_at(p, "yara_matches", -1), NULL, str_at(p, "yara_member")};
	FILE *f = NULL;
	int rc;

	fputs("<section class=\"card\" id=\"yara\">\n<h2>YARA matches</h2>\n", h->o);
	write_yara_facts(h->o, at(p, "yara"));
	fputs(
	    "<p class=\"note\">One row per matching rule per file; the file is named by "
	    "domain/relativePath and the SHA-256 of the decrypted content that was scanned.</p>\n",
	    h->o);
	rc = yara_open(h, t.member, &f);
	if (!rc)
		rc = yara_rows(h, f, &t);
	if (f)
		fclose(f);
	fputs("</section>\n", h->o);
	return rc;
}

/* ---- media, archive members, footer ---- */

struct media_rows {
	FILE *o;
	long long n;
};

static int media_row(void *ctx, const json_t *m, struct ifk_error *err)
{
	static const char *const keys[] = {"domain", "relative_path", "sha256", "size", "member"};
	struct media_rows *w = ctx;

	(void)err;
	dt_row_start(w->o, w->n++);
	jv_list(w->o, m, keys, 5);
	putc(']', w->o);
	return 0;
}

static int write_media(struct hw *h)
{
	static const char *const cols[] = {"domain", "relative_path", "source_sha256", "size",
	                                   "member"};
	static const char *const types[] = {"text", "text", "text", "int", "member"};
	const json_t *m;
	struct dtab t = {"media", media_count(h), NULL, "report.json"};
	struct media_rows w = {h->o, 0};
	size_t i;
	int rc = 0;

	fputs(
	    "<section class=\"card\" id=\"media\">\n<h2>Media files</h2>\n<p class=\"note\">The "
	    "camera roll's files, referenced by the SHA-256 of their content; a member is given "
	    "when the file's content is in this archive (<code>media/&lt;sha256&gt;</code>).</p>\n",
	    h->o);
	dt_begin(h->o, &t);
	dt_columns(h->o, cols, types, 5);
	if (h->lists)
		rc = r_media_each(h->lists, media_row, &w, h->err);
	else
		json_array_foreach(at(h->r, "media"), i, m)
		{
			media_row(&w, m, h->err);
		}
	dt_end(h->o, w.n);
	fputs("</section>\n", h->o);
	return rc;
}

static int member_item(void *ctx, const struct ifk_rar_member *m, struct ifk_error *err)
{
	FILE *o = ctx;

	(void)err;
	fputs("<li>", o);
	member_link(o, m->name);
	fputs("</li>\n", o);
	return 0;
}

static int write_members(struct hw *h)
{
	FILE *o = h->o;
	const json_t *m;
	size_t i;
	int rc = 0;

	fputs(
	    "<section class=\"card\" id=\"members\">\n<h2>This archive</h2>\n<p class=\"note\">"
	    "Every member of the report archive. <code>SHA256SUMS</code> holds the SHA-256 of each "
	    "of them; the detached CMS signature beside the archive signs the whole.</p>\n"
	    "<ul class=\"members\">\n<li><a class=\"member\" href=\"report.json\"><code>report.json"
	    "</code></a></li>\n",
	    o);
	if (h->lists && h->lists->members)
		rc = ifk_rar_list_each(h->lists->members, member_item, o, h->err);
	else
		json_array_foreach(at(h->r, "report_members"), i, m)
		{
			fputs("<li>", o);
			member_link(o, json_string_value(m));
			fputs("</li>\n", o);
		}
	fputs("<li><a class=\"member\" href=\"SHA256SUMS\"><code>SHA256SUMS</code></a></li>\n"
	      "</ul>\n</section>\n</main>\n<footer>Written by ",
	      o);
	put_writer(o, h->r);
	fputs(" (report format ", o);
	put_val(o, at(h->r, "format_version"));
	fputs(") for the custody head of ", o);
	put_val(o, at(h->r, "report_time"));
	fputs(". The page is self-contained: it loads nothing from anywhere.</footer>\n<script>\n",
	      o);
	put_asset(o, &r_asset_report_js);
	fputs("</script>\n</body>\n</html>\n", o);
	return rc;
}

/* ---- the page ---- */

static int write_data_sections(struct hw *h)
{
	const json_t *p = at(h->r, "parse");
	int rc = 0;

	if (has_parse(h) && h->db) {
		rc = write_tables(h);
		if (!rc)
			rc = write_timeline(h);
	}
	if (!rc && str_at(p, "yara_member"))
		rc = write_yara(h);
	if (!rc && media_count(h))
		rc = write_media(h);
	return rc;
}

int ifk_report_html_write(FILE *out, const json_t *report, sqlite3 *artifacts,
                          const struct r_lists *lists, struct ifk_error *err)
{
	struct hw h = {out, report, artifacts, lists, err};
	int rc;

	if (!out || !json_is_object(report))
		return ifk_error_set(err, IFK_EINVAL, "report.html: no output or no report model");
	write_head(&h);
	write_header(&h);
	write_nav(&h);
	write_case(&h);
	write_device(&h);
	write_acquisition(&h);
	write_custody(&h);
	write_verification(&h);
	rc = write_parse(&h);
	if (!rc)
		rc = write_data_sections(&h);
	if (!rc)
		rc = write_members(&h);
	if (rc)
		return rc;
	if (fflush(out) != 0 || ferror(out))
		return ifk_error_sys(err, IFK_EIO, errno, "report.html: write failed");
	return 0;
}
