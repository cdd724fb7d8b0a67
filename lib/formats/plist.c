#include "formats.h"

#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COCOA_EPOCH 978307200 /* 2001-01-01T00:00:00Z as Unix seconds */

/* The pre-parse walk of a binary plist charges each node of the tree that
 * libplist will build NODE_COST bytes plus its payload, and refuses trees
 * over EXPAND_FACTOR times the input plus EXPAND_SLACK. An honest plist
 * needs well under a tenth of that. */
#define NODE_COST 64
#define EXPAND_FACTOR 64
#define EXPAND_SLACK ((uint64_t)1 << 20)
#define ON_PATH UINT64_MAX

/* Why an object could not be read. */
enum { OBJ_NOMEM = -1, OBJ_BAD = -2, OBJ_OVERLAP = -3 };

/* ---- binary plists: a walk of the object references, before libplist ---- */

struct bframe {
	uint64_t idx, next, nrefs, refs, cost;
	unsigned height;
	bool dict; /* refs are nrefs/2 keys, then as many values */
};

struct bpl {
	const uint8_t *b;
	size_t len;
	uint64_t nobj, root, ot; /* ot: offset of the offset table */
	unsigned osz, rsz;       /* offset and reference sizes */
	uint64_t budget;
	uint64_t *memo;   /* 0 unseen, ON_PATH, else the subtree's cost */
	uint16_t *height; /* the subtree's nesting, once seen */
	uint8_t *has_nul; /* the object is a string holding a NUL */
	uint8_t *fixed;   /* a private copy, U+0000 made U+FFFD, once needed */
	bool recheck;     /* walking the copy: nothing left to change */
	struct bframe *stack;
	struct ifk_plist_stats st;
	const char *why;
};

static uint64_t be_uint(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int bpl_trailer(struct bpl *p)
{
	const uint8_t *t;

	if (p->len < 40)
		return -1;
	t = p->b + p->len - 32;
	p->osz = t[6];
	p->rsz = t[7];
	p->nobj = be_uint(t + 8, 8);
	p->root = be_uint(t + 16, 8);
	p->ot = be_uint(t + 24, 8);
	if (p->osz < 1 || p->osz > 8 || p->rsz < 1 || p->rsz > 8)
		return -1;
	if (p->nobj == 0 || p->root >= p->nobj)
		return -1;
	if (p->ot < 8 || p->ot >= p->len - 32)
		return -1;
	if (p->nobj > (p->len - 32 - p->ot) / p->osz)
		return -1;
	return 0;
}

/* Notes a string (object at off) that holds a NUL. */
static void bpl_nul(struct bpl *p, uint64_t idx, uint64_t off)
{
	p->has_nul[idx] = 1;
	if (p->st.nul_strings++ == 0)
		p->st.first_nul_offset = off;
}

/* A UTF-16 string's U+0000 units become U+FFFD in the private copy:
 * libplist 2.2 would keep the string's length past its first NUL and then
 * assert on it (plist_get_key_val, plist_get_string_val) or read past the
 * copy plist_copy makes. Returns 1 when the string held one, 0 when not,
 * OBJ_NOMEM, or OBJ_OVERLAP when the copy itself is being rechecked. */
static int utf16_fix_nul(struct bpl *p, uint64_t body, uint64_t units)
{
	uint64_t i;
	int found = 0;

	for (i = 0; i < units; i++) {
		if (p->b[body + 2 * i] != 0 || p->b[body + 2 * i + 1] != 0)
			continue;
		if (p->recheck)
			return OBJ_OVERLAP;
		if (!p->fixed) {
			if (!(p->fixed = malloc(p->len)))
				return OBJ_NOMEM;
			memcpy(p->fixed, p->b, p->len);
		}
		p->fixed[body + 2 * i] = 0xFF;
		p->fixed[body + 2 * i + 1] = 0xFD;
		found = 1;
	}
	return found;
}

/* Reads object idx's header: its references (containers) or its cost (leaves). */
static int bpl_object(struct bpl *p, uint64_t idx, struct bframe *f)
{
	uint64_t off = be_uint(p->b + p->ot + idx * p->osz, p->osz), size, body, avail;
	unsigned type;
	int nul;

	if (off < 8 || off >= p->ot)
		return OBJ_BAD;
	type = p->b[off] >> 4;
	size = p->b[off] & 0xF;
	body = off + 1;
	if (size == 0xF && (type == 4 || type == 5 || type == 6 || type >= 0xA)) {
		unsigned m = body < p->ot ? p->b[body] : 0, w = 1u << (m & 0xF);

		if (m >> 4 != 1 || (m & 0xF) > 3 || body + 1 + w > p->ot)
			return OBJ_BAD;
		size = be_uint(p->b + body + 1, w);
		body += 1 + w;
	}
	avail = p->ot - body;
	memset(f, 0, sizeof(*f));
	f->idx = idx;
	f->cost = NODE_COST;
	f->height = 1;
	f->refs = body;
	f->dict = type == 0xD;
	if (type == 4 || type == 5) {
		if (size > avail)
			return OBJ_BAD;
		f->cost += size;
		if (type == 5 && memchr(p->b + body, 0, size))
			bpl_nul(p, idx, off);
	} else if (type == 6) {
		if (size > avail / 2)
			return OBJ_BAD;
		f->cost += size * 3;
		if ((nul = utf16_fix_nul(p, body, size)) < 0)
			return nul;
		if (nul)
			bpl_nul(p, idx, off);
	} else if (type == 0xA || type == 0xC || type == 0xD) {
		f->nrefs = type == 0xD ? size * 2 : size;
		if (size > avail / p->rsz / (type == 0xD ? 2 : 1))
			return OBJ_BAD;
	}
	return 0;
}

static const char no_memory[] = "out of memory";

static int bpl_fail(struct bpl *p, const char *why)
{
	p->why = why;
	return -1;
}

/* Folds a finished subtree (cost, height) into the frame at depth d. */
static int bpl_add(struct bpl *p, size_t d, uint64_t cost, unsigned height)
{
	struct bframe *f = &p->stack[d - 1];

	if (d + height > IFK_PLIST_MAX_DEPTH)
		return bpl_fail(p, "nested too deeply");
	f->cost += cost;
	if (height + 1 > f->height)
		f->height = height + 1;
	if (f->cost > p->budget)
		return bpl_fail(p, "expands far beyond its size (shared objects)");
	return 0;
}

/* Visits idx: a leaf is finished at once (returns 0); a container is pushed
 * (returns 1). */
static int bpl_enter(struct bpl *p, uint64_t idx, size_t *d)
{
	struct bframe f;
	int rc = bpl_object(p, idx, &f);

	if (rc < 0)
		return bpl_fail(p, rc == OBJ_NOMEM     ? no_memory
		                   : rc == OBJ_OVERLAP ? "objects overlap"
		                                       : "an object lies outside the data");
	if (f.nrefs == 0) {
		p->memo[idx] = f.cost;
		p->height[idx] = 1;
		return 0;
	}
	if (*d >= IFK_PLIST_MAX_DEPTH)
		return bpl_fail(p, "nested too deeply");
	p->memo[idx] = ON_PATH;
	p->stack[(*d)++] = f;
	return 1;
}

/* Depth-first over the reference graph, without recursion, each object's
 * subtree measured once. */
static int bpl_walk(struct bpl *p)
{
	size_t d = 0;
	int rc = bpl_enter(p, p->root, &d);

	while (rc >= 0 && d > 0) {
		struct bframe *f = &p->stack[d - 1];
		uint64_t child;
		bool key;

		if (f->next == f->nrefs) {
			p->memo[f->idx] = f->cost;
			p->height[f->idx] = (uint16_t)f->height;
			if (--d > 0)
				rc = bpl_add(p, d, f->cost, f->height);
			continue;
		}
		child = be_uint(p->b + f->refs + f->next++ * p->rsz, p->rsz);
		if (child >= p->nobj)
			return bpl_fail(p, "a reference is out of range");
		if (p->memo[child] == ON_PATH)
			return bpl_fail(p, "an object contains itself");
		key = f->dict && f->next <= f->nrefs / 2;
		if (p->memo[child] == 0 && (rc = bpl_enter(p, child, &d)) != 0)
			continue;
		if (key && p->has_nul[child])
			p->st.nul_keys++;
		rc = bpl_add(p, d, p->memo[child], p->height[child]);
	}
	return rc < 0 ? -1 : 0;
}

/* On success *st holds what the walk saw and *fixed, when not NULL, the
 * bytes to hand to libplist instead of buf (the caller frees it). */
static int bplist_guard(const uint8_t *buf, size_t len, const char *what,
                        struct ifk_plist_stats *st, char **fixed, struct ifk_error *err)
{
	struct bpl p = {.b = buf, .len = len};
	int rc = IFK_EFORMAT;

	if (bpl_trailer(&p) < 0)
		return ifk_error_set(err, IFK_EFORMAT,
		                     "%s: not a valid plist (truncated or corrupt)", what);
	p.budget = (uint64_t)len * EXPAND_FACTOR + EXPAND_SLACK;
	p.memo = calloc(p.nobj, sizeof(*p.memo));
	p.height = calloc(p.nobj, sizeof(*p.height));
	p.has_nul = calloc(p.nobj, 1);
	p.stack = calloc(IFK_PLIST_MAX_DEPTH, sizeof(*p.stack));
	if (!p.memo || !p.height || !p.has_nul || !p.stack) {
		rc = ifk_error_set(err, IFK_ENOMEM, "%s: out of memory checking %llu objects", what,
		                   (unsigned long long)p.nobj);
		goto out;
	}
	rc = bpl_walk(&p);
	if (rc == 0 && p.fixed) {
		/* objects may overlap: libplist must get exactly what was walked */
		struct ifk_plist_stats first = p.st;

		p.b = p.fixed;
		p.recheck = true;
		memset(p.memo, 0, p.nobj * sizeof(*p.memo));
		rc = bpl_walk(&p);
		p.st = first;
	}
	if (rc < 0) {
		rc = ifk_error_set(err, p.why == no_memory ? IFK_ENOMEM : IFK_EFORMAT,
		                   "%s: not a valid plist (%s)", what,
		                   p.why ? p.why : "truncated or corrupt");
		goto out;
	}
	*st = p.st;
	*fixed = (char *)p.fixed;
	p.fixed = NULL;
	rc = 0;
out:
	free(p.memo);
	free(p.height);
	free(p.has_nul);
	free(p.stack);
	free(p.fixed);
	return rc;
}

/* ---- XML plists: how deep libplist 2.2's tokenizer will nest ----
 * This follows libplist's own scan (quotes skipped inside tags, comments,
 * CDATA only inside text elements, DOCTYPE) so that the depth counted here
 * is never below the one libplist builds. Where libplist would stop with an
 * error, the scan just goes on: counting more cannot hurt. */

struct xscan {
	const char *s;
	size_t n, i;
	unsigned depth;
};

static bool xs_at(const struct xscan *x, const char *lit)
{
	size_t k = strlen(lit);

	return x->n - x->i >= k && memcmp(x->s + x->i, lit, k) == 0;
}

/* Moves to the first char in chars (outside "..." when quotes is set). */
static void xs_find(struct xscan *x, const char *chars, bool quotes)
{
	while (x->i < x->n) {
		char c = x->s[x->i];
		const char *q;

		if (quotes && c == '"') {
			q = memchr(x->s + x->i + 1, '"', x->n - x->i - 1);
			x->i = q ? (size_t)(q - x->s) + 1 : x->n;
			continue;
		}
		if (c && strchr(chars, c))
			return;
		x->i++;
	}
}

/* Moves past the next lit (outside "..." when quotes is set), or to the end. */
static void xs_skip_past(struct xscan *x, const char *lit, bool quotes)
{
	while (x->i < x->n && !xs_at(x, lit)) {
		if (quotes && x->s[x->i] == '"') {
			x->i++;
			xs_find(x, "\"", false);
		}
		x->i++;
	}
	x->i = x->i < x->n ? x->i + strlen(lit) : x->n;
}

static void xs_special(struct xscan *x)
{
	if (xs_at(x, "!--")) {
		x->i += 3;
		xs_skip_past(x, "-->", false);
	} else if (xs_at(x, "!DOCTYPE")) {
		x->i += 8;
		xs_find(x, "[>", true);
		if (x->i < x->n && x->s[x->i] == '[')
			xs_skip_past(x, "]>", true);
	}
}

/* The content of a text element (string, key, integer, ...) up to "</". */
static void xs_text(struct xscan *x)
{
	for (;;) {
		xs_find(x, "<", false);
		if (++x->i >= x->n)
			return;
		if (xs_at(x, "!--")) {
			x->i += 3;
			xs_skip_past(x, "-->", false);
		} else if (xs_at(x, "![CDATA[")) {
			x->i += 8;
			xs_skip_past(x, "]]>", false);
		} else {
			return;
		}
	}
}

static bool name_is(const char *name, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(name, lit, len) == 0;
}

static bool is_text_tag(const char *name, size_t len)
{
	static const char *const tags[] = {"string", "key",  "integer", "real",
	                                   "data",   "date", "true",    "false"};
	size_t k;

	for (k = 0; k < sizeof(tags) / sizeof(tags[0]); k++)
		if (name_is(name, len, tags[k]))
			return true;
	return false;
}

/* A tag after '<'; returns -1 when the nesting gets too deep. */
static int xs_tag(struct xscan *x)
{
	size_t p = x->i, len;
	bool empty;

	xs_find(x, " \r\n\t<>", false);
	len = x->i - p;
	if (x->i < x->n && x->s[x->i] != '>')
		xs_find(x, "<>", true);
	if (x->i >= x->n || x->s[x->i] != '>')
		return 0;
	empty = x->s[x->i - 1] == '/';
	if (empty && x->i - p - 1 < len)
		len = x->i - p - 1;
	x->i++;
	if (name_is(x->s + p, len, "array") || name_is(x->s + p, len, "dict")) {
		if (!empty && ++x->depth > IFK_PLIST_MAX_DEPTH)
			return -1;
	} else if (name_is(x->s + p, len, "/array") || name_is(x->s + p, len, "/dict")) {
		if (x->depth > 0)
			x->depth--;
	} else if (!empty && is_text_tag(x->s + p, len)) {
		xs_text(x);
	}
	return 0;
}

static int xml_guard(const char *s, size_t n, const char *what, struct ifk_error *err)
{
	struct xscan x = {.s = s, .n = n};

	while (x.i < x.n) {
		if (x.s[x.i++] != '<' || x.i >= x.n)
			continue;
		if (x.s[x.i] == '?')
			xs_skip_past(&x, "?>", true);
		else if (x.s[x.i] == '!')
			xs_special(&x);
		else if (xs_tag(&x) < 0)
			return ifk_error_set(err, IFK_EFORMAT,
			                     "%s: not a valid plist (nested deeper than %d)", what,
			                     IFK_PLIST_MAX_DEPTH);
	}
	return 0;
}

/* ---- parsing ---- */

static int parse_failed(const char *s, size_t len, const char *what, struct ifk_error *err)
{
	if (plist_is_binary(s, (uint32_t)len))
		return ifk_error_set(err, IFK_EFORMAT,
		                     "%s: not a valid plist (truncated or corrupt)", what);
	return ifk_error_set(err, IFK_EFORMAT,
	                     "%s: not a valid plist (neither a binary plist nor well-formed XML)",
	                     what);
}

/* A NUL byte in an XML plist's text would leave libplist 2.2 a string
 * whose length runs past its first NUL (and assert on it later): each one
 * becomes U+FFFD in a private copy. XML itself allows no NUL at all. */
static int xml_fix_nul(const char *s, size_t n, const char *what, struct ifk_plist_stats *st,
                       char **fixed, size_t *fixed_len, struct ifk_error *err)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	const char *nul = memchr(s, 0, n);
	size_t i, o = 0, count = 0;
	char *out;

	if (!nul)
		return 0;
	for (i = (size_t)(nul - s); i < n; i++)
		count += s[i] == 0;
	st->nul_strings = count;
	st->first_nul_offset = (uint64_t)(nul - s);
	if (n + 2 * count > UINT32_MAX)
		return ifk_error_set(err, IFK_EFORMAT, "%s: %zu bytes, too large for a plist", what,
		                     n + 2 * count);
	if (!(out = malloc(n + 2 * count)))
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", what);
	for (i = 0; i < n; i++) {
		if (s[i]) {
			out[o++] = s[i];
			continue;
		}
		memcpy(out + o, fffd, 3);
		o += 3;
	}
	*fixed = out;
	*fixed_len = o;
	return 0;
}

/* Checks buf before libplist sees it; *fixed (the caller frees it) is set
 * when libplist must be handed a private copy instead. */
static int guard(const char *s, size_t len, const char *what, struct ifk_plist_stats *st,
                 char **fixed, size_t *fixed_len, struct ifk_error *err)
{
	int rc;

	if (plist_is_binary(s, (uint32_t)len))
		return bplist_guard((const uint8_t *)s, len, what, st, fixed, err);
	rc = xml_fix_nul(s, len, what, st, fixed, fixed_len, err);
	if (rc == 0 && *fixed)
		return xml_guard(*fixed, *fixed_len, what, err);
	return rc ? rc : xml_guard(s, len, what, err);
}

int ifk_plist_parse_stats(const void *buf, size_t len, const char *what, plist_t *out,
                          struct ifk_plist_stats *st, struct ifk_error *err)
{
	struct ifk_plist_stats seen = {0};
	const char *s = buf;
	char *fixed = NULL;
	size_t fixed_len = len;
	int rc;

	if (out)
		*out = NULL;
	if (st)
		memset(st, 0, sizeof(*st));
	if (!what)
		what = "plist";
	if (!buf || !out)
		return ifk_error_set(err, IFK_EINVAL, "%s: no buffer to parse", what);
	if (len == 0)
		return ifk_error_set(err, IFK_EFORMAT, "%s: empty, not a plist", what);
	if (len > UINT32_MAX)
		return ifk_error_set(err, IFK_EFORMAT, "%s: %zu bytes, too large for a plist", what,
		                     len);
	if (len >= 8 && memcmp(s, "bplist", 6) == 0 && memcmp(s + 6, "00", 2) != 0)
		return ifk_error_set(err, IFK_EUNSUPPORTED,
		                     "%s: binary plist version '%.2s' not supported", what, s + 6);
	rc = guard(s, len, what, &seen, &fixed, &fixed_len, err);
	if (rc == 0) {
		plist_from_memory(fixed ? fixed : s, (uint32_t)fixed_len, out);
		rc = *out ? 0 : parse_failed(s, len, what, err);
	}
	free(fixed);
	if (rc == 0 && st)
		*st = seen;
	return rc;
}

int ifk_plist_parse(const void *buf, size_t len, const char *what, plist_t *out,
                    struct ifk_error *err)
{
	return ifk_plist_parse_stats(buf, len, what, out, NULL, err);
}

int ifk_plist_read_file(const char *path, size_t max_bytes, plist_t *out, struct ifk_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (out)
		*out = NULL;
	if (!path || !out)
		return ifk_error_set(err, IFK_EINVAL, "plist: no path or no output");
	rc = ifk_read_small(AT_FDCWD, path, max_bytes, &buf, &len, err);
	if (rc == 0)
		rc = ifk_plist_parse(buf, len, path, out, err);
	free(buf);
	return rc;
}

/* ---- typed getters ---- */

const char *ifk_plist_type_name(plist_t node)
{
	if (!node)
		return "nothing";
	switch (plist_get_node_type(node)) {
	case PLIST_BOOLEAN:
		return "a boolean";
	case PLIST_UINT:
		return "an integer";
	case PLIST_REAL:
		return "a real";
	case PLIST_STRING:
		return "a string";
	case PLIST_ARRAY:
		return "an array";
	case PLIST_DICT:
		return "a dictionary";
	case PLIST_DATE:
		return "a date";
	case PLIST_DATA:
		return "data";
	case PLIST_KEY:
		return "a key";
	case PLIST_UID:
		return "a UID";
	default:
		return "an unknown node";
	}
}

/* The value under key, checked to be of type t. */
static int get_typed(plist_t dict, const char *key, plist_type t, const char *want, plist_t *node,
                     struct ifk_error *err)
{
	plist_t v;

	if (!key)
		return ifk_error_set(err, IFK_EINVAL, "plist: no key given");
	if (!dict || plist_get_node_type(dict) != PLIST_DICT)
		return ifk_error_set(err, IFK_EFORMAT, "%s: looked up in %s, not a dictionary", key,
		                     ifk_plist_type_name(dict));
	v = plist_dict_get_item(dict, key);
	if (!v)
		return ifk_error_set(err, IFK_ENOTFOUND, "%s: missing", key);
	if (plist_get_node_type(v) != t)
		return ifk_error_set(err, IFK_EFORMAT, "%s: expected %s, found %s", key, want,
		                     ifk_plist_type_name(v));
	*node = v;
	return 0;
}

int ifk_plist_get_string(plist_t dict, const char *key, char **out, struct ifk_error *err)
{
	plist_t v = NULL;
	uint64_t len = 0;
	const char *s;
	int rc = get_typed(dict, key, PLIST_STRING, "a string", &v, err);

	if (rc < 0)
		return rc;
	s = plist_get_string_ptr(v, &len);
	if (!s || strlen(s) != len)
		return ifk_error_set(err, IFK_EFORMAT, "%s: string holds a NUL byte", key);
	if (!out)
		return 0;
	if (!(*out = strdup(s)))
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", key);
	return 0;
}

int ifk_plist_get_uint(plist_t dict, const char *key, uint64_t *out, struct ifk_error *err)
{
	plist_t v = NULL;
	uint64_t val = 0;
	int rc = get_typed(dict, key, PLIST_UINT, "an integer", &v, err);

	if (rc < 0)
		return rc;
	plist_get_uint_val(v, &val);
	if (out)
		*out = val;
	return 0;
}

int ifk_plist_get_bool(plist_t dict, const char *key, bool *out, struct ifk_error *err)
{
	plist_t v = NULL;
	uint8_t val = 0;
	int rc = get_typed(dict, key, PLIST_BOOLEAN, "a boolean", &v, err);

	if (rc < 0)
		return rc;
	plist_get_bool_val(v, &val);
	if (out)
		*out = val != 0;
	return 0;
}

int ifk_plist_get_data(plist_t dict, const char *key, uint8_t **out, size_t *len,
                       struct ifk_error *err)
{
	plist_t v = NULL;
	uint64_t n = 0;
	const char *p;
	int rc = get_typed(dict, key, PLIST_DATA, "data", &v, err);

	if (rc < 0)
		return rc;
	p = plist_get_data_ptr(v, &n);
	if (n > SIZE_MAX - 1)
		return ifk_error_set(err, IFK_EFORMAT, "%s: data too large", key);
	if (!out)
		return 0;
	if (!(*out = malloc(n ? (size_t)n : 1)))
		return ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", key);
	if (n)
		memcpy(*out, p, (size_t)n);
	if (len)
		*len = (size_t)n;
	return 0;
}

int ifk_plist_get_date(plist_t dict, const char *key, int64_t *out, struct ifk_error *err)
{
	plist_t v = NULL;
	int32_t sec = 0, usec = 0;
	int rc = get_typed(dict, key, PLIST_DATE, "a date", &v, err);

	if (rc < 0)
		return rc;
	plist_get_date_val(v, &sec, &usec);
	if (out)
		*out = (int64_t)sec + COCOA_EPOCH;
	return 0;
}
