/* YARA scanning of streamed files (see ifk/yarascan.h).
 *
 * Design. libyara's scanner pulls blocks from a YR_MEMORY_BLOCK_ITERATOR,
 * while ifk-parse pushes decrypted chunks. Since libyara 4.1 the iterator
 * may answer "not yet" (first/next return NULL with last_error set to
 * ERROR_BLOCK_NOT_READY): yr_scanner_scan_mem_blocks then returns
 * ERROR_BLOCK_NOT_READY, keeps its state (matches, notebook) and, when
 * called again, resumes by asking next() for the block. This module is
 * built on that documented non-blocking mode rather than on a scanner
 * thread fed through a condition variable: each block is scanned inside
 * ifk_yara_feed as soon as it is full, in the caller's thread, so there is
 * no thread to start or join, no lock, no race at teardown, and an error
 * comes back from the very call that caused it. The price is that scanning
 * is not overlapped with decryption; a caller wanting parallelism runs one
 * handle per worker thread over different files.
 *
 * Blocks. The working buffer holds OVERLAP bytes repeated from the end of
 * the previous block, then up to IFK_YARA_BLOCK new bytes. libyara restarts
 * its Aho-Corasick automaton at each block and verifies a match only
 * within the block, so a string crossing a boundary would be lost without
 * the overlap: with it, a match of length L <= OVERLAP starting at p lies
 * wholly inside the last block whose base is <= p (the next block starts
 * OVERLAP bytes before this one ends and every block but the last adds
 * more than OVERLAP new bytes). A block is handed over only when it is
 * full and more bytes arrive (or at the end), so the last block always has
 * new bytes. Blocks carry their absolute base, so the offsets libyara
 * records are file offsets, and libyara itself keeps one match per string
 * and offset (a greedy regular expression keeps the longer one), so the
 * overlap never counts a match twice in #a or @a[i].
 *
 * Replay. After the last block libyara asks file_size() (the exact number
 * of bytes fed) and evaluates the conditions; uint16(0)-style reads and the
 * modules iterate the blocks again with first()/next(). The file is gone
 * by then, so the iterator replays what is still in memory: a copy of the
 * first block (taken when it is handed over) and the last block.
 *
 * libyara settings: SCAN_FLAGS_NO_TRYCATCH, because the blocks are our own
 * heap memory (no mapped file can fault) and libyara's try/catch installs
 * process-wide SIGSEGV/SIGBUS handlers during the scan; no timeout,
 * because libyara's stopwatch starts with the scan and keeps running while
 * the caller decrypts the next chunk, so a timeout would cut off large
 * files by their size and the disk's speed rather than by the rules' cost.
 * Abandoning a paused scan: libyara releases a scan's matches and notebook
 * only when yr_scanner_scan_mem_blocks returns something other than
 * ERROR_BLOCK_NOT_READY, so ifk_yara_abort resumes it once with the
 * iterator reporting an error. */
#include "parse_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yara.h>

#include "core.h"

#define OVERLAP IFK_YARA_OVERLAP
#define BUF_CAP (IFK_YARA_OVERLAP + IFK_YARA_BLOCK)

enum { ST_IDLE, ST_OPEN, ST_FAILED };

struct ifk_yara {
	YR_RULES *rules;
	YR_SCANNER *scanner;
	int yr_ref; /* holds one yr_initialize reference */
	char sha256[IFK_SHA256_HEX];

	/* the file being scanned */
	int state;
	uint8_t *buf;     /* the working block: overlap, then new bytes */
	size_t fill;      /* bytes in buf */
	uint64_t base;    /* file offset of buf[0] */
	uint8_t *head;    /* a copy of the first block, for the replay */
	uint64_t total;   /* bytes fed */
	unsigned nblocks; /* blocks handed to libyara */
	int pending;      /* blk_cur is offered and not yet taken */
	int eof;          /* ifk_yara_end was called */
	int aborting;     /* the iterator fails, to end a paused scan */
	int replay;       /* the blocks were all scanned: first/next replay */
	int replay_pos;
	YR_MEMORY_BLOCK blk_cur, blk_head;
	YR_MEMORY_BLOCK_ITERATOR it;
	json_t *matches;
	int cb_code; /* an error raised in the scan callback, and its message */
	char cb_msg[512];
	struct ifk_error fail; /* why a failed file failed */
};

/* ---- the iterator ---- */

static const uint8_t *block_data(YR_MEMORY_BLOCK *b)
{
	return b->context;
}

/* While streaming, first() (once, at the start) and next() take the offered
 * block, or answer "not ready", or, after the end, "no more blocks". */
static YR_MEMORY_BLOCK *it_stream(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct ifk_yara *y = it->context;

	it->last_error = ERROR_SUCCESS;
	if (y->aborting) {
		it->last_error = ERROR_CALLBACK_ERROR;
		return NULL;
	}
	if (y->pending) {
		y->pending = 0;
		return &y->blk_cur;
	}
	if (!y->eof) {
		it->last_error = ERROR_BLOCK_NOT_READY;
		return NULL;
	}
	y->replay = 1;
	return NULL;
}

/* The replay: the first block, then the last one when it is another. */
static YR_MEMORY_BLOCK *it_replay(struct ifk_yara *y)
{
	if (y->replay_pos == 0 && y->blk_head.size > 0) {
		y->replay_pos = 1;
		return &y->blk_head;
	}
	if (y->replay_pos <= 1 && y->nblocks > 1) {
		y->replay_pos = 2;
		return &y->blk_cur;
	}
	y->replay_pos = 2;
	return NULL;
}

static YR_MEMORY_BLOCK *it_first(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct ifk_yara *y = it->context;

	if (!y->replay)
		return it_stream(it);
	y->replay_pos = 0;
	return it_replay(y);
}

static YR_MEMORY_BLOCK *it_next(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct ifk_yara *y = it->context;

	return y->replay ? it_replay(y) : it_stream(it);
}

static uint64_t it_file_size(YR_MEMORY_BLOCK_ITERATOR *it)
{
	return ((struct ifk_yara *)it->context)->total;
}

/* ---- the matches as JSON ---- */

/* A JSON string of s, with bytes that are not UTF-8 or are controls escaped. */
static json_t *jtext(const char *s)
{
	char *e = ifk_text_escape(s);
	json_t *j = e ? json_string(e) : NULL;

	free(e);
	return j;
}

static int is_text(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return 0;
	return 1;
}

static json_t *match_json(const char *id, int64_t off, const YR_MATCH *m)
{
	char hex[2 * IFK_YARA_DATA_BYTES + 1];
	size_t n = m->data && m->data_length > 0 ? (size_t)m->data_length : 0;
	int text;

	if (n > IFK_YARA_DATA_BYTES)
		n = IFK_YARA_DATA_BYTES;
	text = is_text(m->data, n);
	if (!text)
		ifk_hex(m->data, n, hex);
	return json_pack("{s:s, s:I, s:i, s:s%, s:s}", "id", id, "offset", (json_int_t)off,
	                 "length", (int)m->match_length, "data",
	                 text ? (n ? (const char *)m->data : "") : hex, text ? n : 2 * n,
	                 "data_encoding", text ? "text" : "hex");
}

struct seen {
	const char *id;
	int64_t off;
};

static int seen_before(const struct seen *s, size_t n, const char *id, int64_t off)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].off == off && strcmp(s[i].id, id) == 0)
			return 1;
	return 0;
}

/* Appends the rule's matches to arr; 1 when some were left out, -1 when
 * out of memory. libyara 4.2 packs its YR_MATCH records into notebook pages
 * without aligning them (fixed upstream later), so each one is copied out
 * with memcpy before its fields are read, rather than read in place as
 * yr_string_matches_foreach would. */
static int strings_json(YR_SCAN_CONTEXT *ctx, const YR_RULE *rule, json_t *arr)
{
	struct seen seen[IFK_YARA_STRINGS_PER_RULE];
	const YR_STRING *s;
	const void *p;
	YR_MATCH m;
	size_t n = 0;

	yr_rule_strings_foreach(rule, s)
	{
		if (STRING_IS_PRIVATE(s))
			continue;
		for (p = ctx->matches[s->idx].head; p; p = m.next) {
			int64_t off;
			memcpy(&m, p, sizeof(m));
			off = m.base + m.offset;
			if (m.is_private || seen_before(seen, n, s->identifier, off))
				continue;
			if (n == IFK_YARA_STRINGS_PER_RULE)
				return 1;
			if (json_array_append_new(arr, match_json(s->identifier, off, &m)) != 0)
				return -1;
			seen[n].id = s->identifier;
			seen[n++].off = off;
		}
	}
	return 0;
}

static json_t *meta_json(const YR_RULE *rule)
{
	json_t *o = json_object();
	const YR_META *meta;
	int bad = !o;

	yr_rule_metas_foreach(rule, meta)
	{
		json_t *v;
		if (bad)
			break;
		if (meta->type == META_TYPE_INTEGER)
			v = json_integer((json_int_t)meta->integer);
		else if (meta->type == META_TYPE_BOOLEAN)
			v = json_boolean(meta->integer);
		else
			v = jtext(meta->string);
		bad = json_object_set_new(o, meta->identifier, v) != 0;
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *rule_json(YR_SCAN_CONTEXT *ctx, const YR_RULE *rule)
{
	json_t *o = json_object(), *tags = json_array(), *strs = json_array();
	const char *tag;
	int bad = !o || !tags || !strs, trunc = 0;

	if (!bad) {
		trunc = strings_json(ctx, rule, strs);
		yr_rule_tags_foreach(rule, tag)
		{
			bad |= json_array_append_new(tags, jtext(tag));
		}
	}
	bad |= trunc < 0;
	bad |= json_object_set_new(o, "rule", jtext(rule->identifier));
	bad |= json_object_set_new(o, "namespace", jtext(rule->ns->name));
	bad |= json_object_set_new(o, "tags", tags);
	bad |= json_object_set_new(o, "meta", meta_json(rule));
	bad |= json_object_set_new(o, "strings", strs);
	bad |= json_object_set_new(o, "strings_truncated", json_boolean(trunc > 0));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int scan_callback(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	struct ifk_yara *y = user;

	if (message == CALLBACK_MSG_RULE_MATCHING) {
		const YR_RULE *rule = data;
		if (json_array_append_new(y->matches, rule_json(ctx, rule)) == 0)
			return CALLBACK_CONTINUE;
		y->cb_code = IFK_ENOMEM;
		snprintf(y->cb_msg, sizeof(y->cb_msg), "yara: out of memory reporting rule %s",
		         rule->identifier);
		return CALLBACK_ERROR;
	}
	if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
		const YR_STRING *s = data;
		const YR_RULE *rule = &y->rules->rules_table[s->rule_idx];
		y->cb_code = IFK_EUNSUPPORTED;
		snprintf(y->cb_msg, sizeof(y->cb_msg),
		         "yara: too many matches: string %s of rule %s:%s matched more than %d "
		         "times; the scan of this file was abandoned",
		         s->identifier, rule->ns->name, rule->identifier, YR_MAX_STRING_MATCHES);
		return CALLBACK_ERROR; /* libyara returns ERROR_TOO_MANY_MATCHES */
	}
	return CALLBACK_CONTINUE; /* modules imported, console.log, scan finished */
}

/* ---- scanning ---- */

static void reset_file(struct ifk_yara *y)
{
	json_decref(y->matches);
	y->matches = NULL;
	y->state = ST_IDLE;
	y->fill = 0;
	y->base = 0;
	y->total = 0;
	y->nblocks = 0;
	y->pending = y->eof = y->aborting = y->replay = y->replay_pos = 0;
	y->blk_head.size = 0;
	y->it.last_error = ERROR_SUCCESS;
	y->cb_code = 0;
}

/* libyara holds a paused scan of this file. */
static int paused(const struct ifk_yara *y)
{
	return y->it.last_error == ERROR_BLOCK_NOT_READY;
}

static int scan_failed(struct ifk_yara *y, int yrc, struct ifk_error *err)
{
	if (y->cb_code)
		ifk_error_set(&y->fail, y->cb_code, "%s", y->cb_msg);
	else if (yrc == ERROR_INSUFFICIENT_MEMORY)
		ifk_error_set(&y->fail, IFK_ENOMEM, "yara: out of memory while scanning");
	else if (yrc == ERROR_TOO_MANY_MATCHES)
		ifk_error_set(&y->fail, IFK_EUNSUPPORTED, "yara: too many matches in this file");
	else if (yrc == ERROR_TOO_MANY_RE_FIBERS)
		ifk_error_set(&y->fail, IFK_EUNSUPPORTED,
		              "yara: a regular expression is too complex for this file");
	else
		ifk_error_set(&y->fail, IFK_EUNSUPPORTED, "yara: scan failed (libyara error %d)",
		              yrc);
	y->state = ST_FAILED;
	if (err)
		*err = y->fail;
	return y->fail.code;
}

/* Offers the working buffer as the next block (when offer) and lets
 * libyara scan it, or start or finish the scan. */
static int scan_block(struct ifk_yara *y, int offer, struct ifk_error *err)
{
	int yrc;

	if (offer) {
		y->blk_cur.base = y->base;
		y->blk_cur.size = y->fill;
		y->pending = 1;
		y->nblocks++;
	}
	yrc = yr_scanner_scan_mem_blocks(y->scanner, &y->it);
	if (yrc == ERROR_SUCCESS || yrc == ERROR_BLOCK_NOT_READY)
		return 0;
	return scan_failed(y, yrc, err);
}

/* Scans the full working block, keeps a copy if it is the first, and
 * keeps its last OVERLAP bytes at the front of the buffer. */
static int flush_full(struct ifk_yara *y, struct ifk_error *err)
{
	int rc = scan_block(y, 1, err);

	if (rc)
		return rc;
	if (y->nblocks == 1) {
		memcpy(y->head, y->buf, y->fill);
		y->blk_head.size = y->fill;
		y->blk_head.context = y->head;
	}
	memmove(y->buf, y->buf + y->fill - OVERLAP, OVERLAP);
	y->base += y->fill - OVERLAP;
	y->fill = OVERLAP;
	return 0;
}

int ifk_yara_begin(struct ifk_yara *y, uint64_t size_hint, struct ifk_error *err)
{
	(void)size_hint; /* filesize is the count of bytes fed, known at the end */
	if (!y)
		return ifk_error_set(err, IFK_EINVAL, "yara: begin: NULL handle");
	if (y->state != ST_IDLE)
		ifk_yara_abort(y);
	y->matches = json_array();
	if (!y->matches)
		return ifk_error_set(err, IFK_ENOMEM, "yara: out of memory");
	y->state = ST_OPEN;
	return 0;
}

int ifk_yara_feed(struct ifk_yara *y, const uint8_t *buf, size_t len, struct ifk_error *err)
{
	if (!y || (!buf && len))
		return ifk_error_set(err, IFK_EINVAL, "yara: feed: NULL argument");
	if (y->state == ST_FAILED) {
		if (err)
			*err = y->fail;
		return y->fail.code;
	}
	if (y->state != ST_OPEN)
		return ifk_error_set(err, IFK_EINVAL, "yara: feed: no file begun");
	while (len > 0) {
		size_t n;
		int rc;
		if (y->fill == BUF_CAP && (rc = flush_full(y, err)) != 0)
			return rc;
		n = BUF_CAP - y->fill < len ? BUF_CAP - y->fill : len;
		memcpy(y->buf + y->fill, buf, n);
		y->fill += n;
		y->total += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int ifk_yara_end(struct ifk_yara *y, json_t **matches, struct ifk_error *err)
{
	int rc = 0;

	if (matches)
		*matches = NULL;
	if (!y || !matches)
		return ifk_error_set(err, IFK_EINVAL, "yara: end: NULL argument");
	if (y->state == ST_IDLE)
		return ifk_error_set(err, IFK_EINVAL, "yara: end: no file begun");
	if (y->state == ST_FAILED) {
		rc = y->fail.code;
		if (err)
			*err = y->fail;
		goto out;
	}
	if (y->nblocks == 0) { /* the whole file is one block: replay it */
		y->blk_head.size = y->fill;
		y->blk_head.context = y->buf;
	}
	y->eof = 1;
	rc = scan_block(y, y->fill > 0, err); /* an empty file: no block at all */
	if (!rc && paused(y)) /* cannot happen: the iterator never waits after the end */
		rc = ifk_error_set(err, IFK_EINVAL, "yara: end: libyara wants more blocks");
	if (!rc) {
		*matches = y->matches;
		y->matches = NULL;
	}
out:
	ifk_yara_abort(y);
	return rc;
}

void ifk_yara_abort(struct ifk_yara *y)
{
	if (!y)
		return;
	if (paused(y)) {
		y->aborting = 1;
		(void)yr_scanner_scan_mem_blocks(y->scanner, &y->it);
	}
	reset_file(y);
}

/* ---- loading the rules ---- */

struct loader {
	YR_COMPILER *c;
	EVP_MD_CTX *md;
	const char *shown; /* the file being compiled, as the user named it */
	char first[512];   /* its first error, "file:line: message" */
};

static void compile_callback(int level, const char *file, int line, const YR_RULE *rule,
                             const char *msg, void *user)
{
	struct loader *l = user;

	(void)file; /* NULL: the sources are given as strings */
	(void)rule;
	if (level == YARA_ERROR_LEVEL_ERROR && !l->first[0])
		snprintf(l->first, sizeof(l->first), "%s:%d: %s", l->shown, line, msg);
}

static int add_source(struct loader *l, const char *shown, const char *ns, const char *src,
                      size_t len, struct ifk_error *err)
{
	char msg[256];

	if (memchr(src, '\0', len))
		return ifk_error_set(err, IFK_EFORMAT, "%s: holds a NUL byte, not a rules file",
		                     shown);
	if (EVP_DigestUpdate(l->md, src, len) != 1)
		return ifk_error_set(err, IFK_ECRYPTO, "%s: SHA-256 failed", shown);
	l->shown = shown;
	if (yr_compiler_add_string(l->c, src, ns) == 0)
		return 0;
	if (l->first[0])
		return ifk_error_set(err, IFK_EFORMAT, "%s", l->first);
	yr_compiler_get_error_message(l->c, msg, (int)sizeof(msg));
	return ifk_error_set(err, IFK_EFORMAT, "%s: %s", shown, msg);
}

/* Reads and compiles one rules file: name relative to dirfd, shown as
 * shown, in the namespace ns. */
static int add_file(struct loader *l, int dirfd, const char *name, const char *shown,
                    const char *ns, struct ifk_error *err)
{
	char *src = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return ifk_error_sys(err, errno == ENOENT ? IFK_ENOTFOUND : IFK_EIO, errno,
		                     "%s: cannot open", shown);
	if (S_ISLNK(st.st_mode))
		return ifk_error_set(err, IFK_EFORMAT, "%s: a symbolic link, refused", shown);
	if (!S_ISREG(st.st_mode))
		return ifk_error_set(err, IFK_EFORMAT, "%s: not a regular file", shown);
	rc = ifk_read_small(dirfd, name, IFK_YARA_MAX_RULES_FILE, &src, &len, err);
	if (rc == IFK_EFORMAT) /* larger than the cap, or replaced meanwhile */
		rc = ifk_error_set(err, IFK_EFORMAT,
		                   "%s: larger than %d bytes, or not a regular file", shown,
		                   IFK_YARA_MAX_RULES_FILE);
	if (!rc)
		rc = add_source(l, shown, ns, src, len, err);
	free(src);
	return rc;
}

struct names {
	char **v;
	size_t n, cap;
};

static int collect_name(void *ctx, const char *name, const char *rel)
{
	struct names *ns = ctx;
	size_t len = strlen(name);
	char **nv;

	(void)rel;
	if (name[0] == '.' || !((len > 4 && strcmp(name + len - 4, ".yar") == 0) ||
	                        (len > 5 && strcmp(name + len - 5, ".yara") == 0)))
		return 0;
	if (ns->n == ns->cap) {
		nv = realloc(ns->v, (ns->cap ? 2 * ns->cap : 16) * sizeof(*nv));
		if (!nv)
			return IFK_ENOMEM;
		ns->v = nv;
		ns->cap = ns->cap ? 2 * ns->cap : 16;
	}
	if (!(ns->v[ns->n] = strdup(name)))
		return IFK_ENOMEM;
	ns->n++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_folder(struct loader *l, const char *path, struct ifk_error *err)
{
	struct names ns = {0};
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), lerr = 0, rc;
	size_t i;

	if (dfd < 0)
		return ifk_error_sys(err, IFK_EIO, errno, "%s: cannot open the folder", path);
	rc = ifk_dir_foreach(dfd, NULL, collect_name, &ns, &lerr);
	if (rc)
		rc = ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", path);
	else if (lerr)
		rc = ifk_error_sys(err, IFK_EIO, lerr, "%s: cannot list the folder", path);
	else if (ns.n == 0)
		rc = ifk_error_set(err, IFK_EINVAL, "%s: no *.yar or *.yara rules file", path);
	if (!rc)
		qsort(ns.v, ns.n, sizeof(*ns.v), cmp_names);
	for (i = 0; !rc && i < ns.n; i++) {
		char *shown = ifk_path_join(path, ns.v[i]);
		rc = shown ? add_file(l, dfd, ns.v[i], shown, ns.v[i], err)
		           : ifk_error_set(err, IFK_ENOMEM, "%s: out of memory", path);
		free(shown);
	}
	for (i = 0; i < ns.n; i++)
		free(ns.v[i]);
	free(ns.v);
	close(dfd);
	return rc;
}

/* Compiles path (a file or a folder) into y->rules and y->sha256. */
static int compile(struct ifk_yara *y, const char *path, struct ifk_error *err)
{
	struct loader l = {0};
	uint8_t md[IFK_SHA256_LEN];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int rc;

	if (lstat(path, &st) != 0)
		return ifk_error_sys(err,
		                     errno == ENOENT || errno == ENOTDIR ? IFK_ENOTFOUND : IFK_EIO,
		                     errno, "%s: cannot open the YARA rules", path);
	if (yr_compiler_create(&l.c) != ERROR_SUCCESS || !(l.md = EVP_MD_CTX_new())) {
		rc = ifk_error_set(err, IFK_ENOMEM, "yara: out of memory creating a compiler");
		goto out;
	}
	yr_compiler_set_callback(l.c, compile_callback, &l);
	yr_compiler_set_include_callback(l.c, NULL, NULL, NULL); /* "includes are disabled" */
	if (EVP_DigestInit_ex(l.md, EVP_sha256(), NULL) != 1) {
		rc = ifk_error_set(err, IFK_ECRYPTO, "yara: SHA-256 failed");
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		rc = add_folder(&l, path, err);
	else
		rc = add_file(&l, AT_FDCWD, path, path, slash ? slash + 1 : path, err);
	if (rc)
		goto out;
	if (yr_compiler_get_rules(l.c, &y->rules) != ERROR_SUCCESS) {
		rc = ifk_error_set(err, IFK_ENOMEM, "yara: out of memory building the rules");
		goto out;
	}
	if (EVP_DigestFinal_ex(l.md, md, NULL) != 1) {
		rc = ifk_error_set(err, IFK_ECRYPTO, "yara: SHA-256 failed");
		goto out;
	}
	ifk_hex(md, sizeof(md), y->sha256);
out:
	if (l.c)
		yr_compiler_destroy(l.c);
	EVP_MD_CTX_free(l.md);
	return rc;
}

static int make_scanner(struct ifk_yara *y, struct ifk_error *err)
{
	if (yr_scanner_create(y->rules, &y->scanner) != ERROR_SUCCESS)
		return ifk_error_set(err, IFK_ENOMEM, "yara: out of memory creating a scanner");
	yr_scanner_set_callback(y->scanner, scan_callback, y);
	yr_scanner_set_flags(y->scanner, SCAN_FLAGS_REPORT_RULES_MATCHING | SCAN_FLAGS_NO_TRYCATCH);
	y->it.context = y;
	y->it.first = it_first;
	y->it.next = it_next;
	y->it.file_size = it_file_size;
	y->it.last_error = ERROR_SUCCESS;
	y->blk_cur.context = y->buf;
	y->blk_cur.fetch_data = block_data;
	y->blk_head.fetch_data = block_data;
	return 0;
}

int ifk_yara_load(const char *path, struct ifk_yara **out, struct ifk_error *err)
{
	struct ifk_yara *y = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (!path || !out)
		return ifk_error_set(err, IFK_EINVAL, "yara: load: NULL argument");
	y = calloc(1, sizeof(*y));
	if (!y || !(y->buf = malloc(BUF_CAP)) || !(y->head = malloc(BUF_CAP))) {
		rc = ifk_error_set(err, IFK_ENOMEM, "yara: out of memory");
		goto out;
	}
	if (yr_initialize() != ERROR_SUCCESS) {
		rc = ifk_error_set(err, IFK_ENOMEM, "yara: libyara could not be initialized");
		goto out;
	}
	y->yr_ref = 1;
	rc = compile(y, path, err);
	if (!rc)
		rc = make_scanner(y, err);
out:
	if (rc)
		ifk_yara_free(y);
	else
		*out = y;
	return rc;
}

unsigned ifk_yara_rule_count(const struct ifk_yara *y)
{
	return y && y->rules ? y->rules->num_rules : 0;
}

const char *ifk_yara_rules_sha256(const struct ifk_yara *y)
{
	return y ? y->sha256 : "";
}

void ifk_yara_free(struct ifk_yara *y)
{
	if (!y)
		return;
	if (y->scanner) {
		ifk_yara_abort(y);
		yr_scanner_destroy(y->scanner);
	}
	json_decref(y->matches);
	if (y->rules)
		yr_rules_destroy(y->rules);
	if (y->yr_ref)
		yr_finalize();
	free(y->buf);
	free(y->head);
	free(y);
}
