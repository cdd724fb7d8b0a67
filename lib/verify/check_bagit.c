/* RFC 8493's rules, for ifk bags and bags made by other tools alike: the
 * payload and tag manifests (every algorithm), bagit.txt, and every tag
 * file against every tag manifest. Manifest lines go to the work database,
 * not to memory; each tag file ifk parses is read once, and the same read
 * feeds every tag manifest's digest. */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core.h"
#include "verify_int.h"

#define V_HEX (2 * EVP_MAX_MD_SIZE + 1)

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return 0;
	return s[n] == '\0';
}

/* The digests of every tag manifest's algorithm. */
int v_tagmd_start(struct vctx *v, struct vtagmd *t, struct ifk_error *err)
{
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < v->ntm; i++) {
		t->md[i] = EVP_MD_CTX_new();
		t->n = i + 1;
		if (!t->md[i] ||
		    !EVP_DigestInit_ex(t->md[i], EVP_get_digestbyname(v->tm[i].digest), NULL))
			return ifk_error_set(err, IFK_ECRYPTO, "cannot start %s", v->tm[i].digest);
	}
	return 0;
}

static void put_sum(struct vctx *v, const char *path, int alg, const char *hex)
{
	sqlite3_stmt *st = NULL;

	if (v_work_prepare(v, C_SEAL,
	                   "INSERT OR REPLACE INTO tagsums(path, alg, actual) VALUES (?, ?, ?)",
	                   &st) != 0)
		return;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, alg);
	if (hex)
		sqlite3_bind_text(st, 3, hex, -1, SQLITE_TRANSIENT);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

/* Records what the tag file at path hashed to, for v_check_tag_files. */
void v_tagmd_finish(struct vctx *v, struct vtagmd *t, const char *path)
{
	uint8_t dig[EVP_MAX_MD_SIZE];
	unsigned int n;
	char hex[V_HEX];
	int i;

	for (i = 0; i < t->n; i++) {
		n = 0;
		if (path && EVP_DigestFinal_ex(t->md[i], dig, &n)) {
			ifk_hex(dig, n, hex);
			put_sum(v, path, i, hex);
		}
		EVP_MD_CTX_free(t->md[i]);
	}
	t->n = 0;
}

/* A tag file ifk read whole into buf. */
void v_tag_read(struct vctx *v, const char *path, const char *buf, size_t len)
{
	struct vtagmd t;
	int i;

	if (v_tagmd_start(v, &t, NULL) != 0) {
		v_tagmd_finish(v, &t, NULL);
		v_finding(v, C_SEAL, V_FAIL, path, "cannot start the tag manifests' digests");
		return;
	}
	for (i = 0; i < t.n; i++)
		EVP_DigestUpdate(t.md[i], buf, len);
	v_tagmd_finish(v, &t, path);
}

/* A tag file ifk could not read, and said so already. */
void v_tag_unread(struct vctx *v, const char *path)
{
	int i;

	for (i = 0; i < v->ntm; i++)
		put_sum(v, path, i, NULL);
}

static void add_manifest(struct vctx *v, struct vmanifest *list, int *n, const char *name,
                         const char *alg)
{
	const char *d = ifk_bag_alg_digest(alg);
	const EVP_MD *md = d ? EVP_get_digestbyname(d) : NULL;

	if (!md) {
		v_finding(v, C_SEAL, V_FAIL, name,
		          "checksum algorithm \"%.40s\" is not one ifk knows: its checksums "
		          "cannot be verified",
		          alg);
		return;
	}
	if (*n == V_MAX_MANIFESTS) {
		v_finding(v, C_SEAL, V_FAIL, name, "more than %d manifests of one kind",
		          V_MAX_MANIFESTS);
		return;
	}
	snprintf(list[*n].name, sizeof(list[*n].name), "%s", name);
	list[*n].digest = d;
	list[*n].hexlen = (size_t)EVP_MD_get_size(md) * 2;
	(*n)++;
}

/* "<prefix><alg>.txt": the algorithm, or NULL. */
static const char *alg_of(const char *name, const char *prefix, char *alg, size_t cap)
{
	size_t p = strlen(prefix), n = strlen(name);

	if (n <= p + 4 || n - p - 4 >= cap || strncmp(name, prefix, p) != 0 ||
	    strcmp(name + n - 4, ".txt") != 0)
		return NULL;
	memcpy(alg, name + p, n - p - 4);
	alg[n - p - 4] = '\0';
	return alg;
}

static int root_manifest(void *ctx, const char *name, const char *rel)
{
	struct vctx *v = ctx;
	char alg[64];

	(void)rel;
	if (alg_of(name, "manifest-", alg, sizeof(alg)))
		add_manifest(v, v->pm, &v->npm, name, alg);
	else if (alg_of(name, "tagmanifest-", alg, sizeof(alg)))
		add_manifest(v, v->tm, &v->ntm, name, alg);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct vmanifest *)a)->name, ((const struct vmanifest *)b)->name);
}

/* Calls fn(v, name, name) for each entry of the bag's root, listed afresh. */
void v_list_root(struct vctx *v, ifk_dir_fn fn)
{
	int list_errno = 0, fd = openat(v->target_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		ifk_dir_foreach(fd, NULL, fn, v, &list_errno);
	if (fd < 0 || list_errno)
		v_finding(v, C_SEAL, V_FAIL, ".", "cannot list the bag: %s",
		          strerror(fd < 0 ? errno : list_errno));
	if (fd >= 0)
		close(fd);
}

/* An ifk bag has the two SHA-256 manifests it was sealed with; another
 * tool's bag has every manifest-<alg>.txt and tagmanifest-<alg>.txt in its
 * root. */
void v_find_manifests(struct vctx *v)
{
	if (v->kind != VK_BAGIT) {
		add_manifest(v, v->pm, &v->npm, IFK_BAG_MANIFEST, "sha256");
		add_manifest(v, v->tm, &v->ntm, IFK_BAG_TAGMANIFEST, "sha256");
		return;
	}
	v_list_root(v, root_manifest);
	qsort(v->pm, (size_t)v->npm, sizeof(v->pm[0]), by_name);
	qsort(v->tm, (size_t)v->ntm, sizeof(v->tm[0]), by_name);
	if (v->npm == 0)
		v_finding(
		    v, C_SEAL, V_FAIL, "manifest-sha512.txt",
		    "the bag has no payload manifest (manifest-<algorithm>.txt) ifk can check");
}

/* "Label: value" exactly, with one space: the value, or NULL. */
static const char *decl_value(const char *line, const char *label)
{
	size_t n = strlen(label);

	if (strncmp(line, label, n) != 0 || strncmp(line + n, ": ", 2) != 0)
		return NULL;
	return line + n + 2;
}

static int is_version(const char *s)
{
	size_t a = strspn(s, "0123456789"), b;

	if (a == 0 || s[a] != '.')
		return 0;
	b = strspn(s + a + 1, "0123456789");
	return b > 0 && s[a + 1 + b] == '\0';
}

static void decl_encoding(struct vctx *v, const char *enc)
{
	iconv_t cd;

	if (strcasecmp(enc, "UTF-8") == 0)
		return;
	if (v->kind != VK_BAGIT) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		          "Tag-File-Character-Encoding is %.40s: an ifk bag's tag files are UTF-8",
		          enc);
		return;
	}
	cd = iconv_open("UTF-8", enc);
	if (cd == (iconv_t)-1) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		          "Tag-File-Character-Encoding %.40s: not an encoding ifk can decode "
		          "(the tag files are read as UTF-8)",
		          enc);
		return;
	}
	iconv_close(cd);
	v->encoding = strdup(enc);
}

/* Line 1 "BagIt-Version: M.N", line 2 "Tag-File-Character-Encoding: ENC",
 * nothing else. */
static void decl_line(struct vctx *v, unsigned long n, const char *line)
{
	const char *val;

	if (n == 1 && (val = decl_value(line, "BagIt-Version")) && is_version(val)) {
		v->v1 = atoi(val) >= 1;
		json_object_set_new(v->c[C_SEAL].info, "bagit_version", json_string(val));
		if (atoi(val) > 1)
			v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL,
			          "BagIt-Version %.20s is newer than the 1.0 ifk knows", val);
	} else if (n == 1) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		          "line 1 is not \"BagIt-Version: M.N\": %.60s", line);
	} else if (n == 2 && (val = decl_value(line, "Tag-File-Character-Encoding")) && *val &&
	           !strpbrk(val, " \t")) {
		decl_encoding(v, val);
	} else if (n == 2) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		          "line 2 is not \"Tag-File-Character-Encoding: ENCODING\": %.60s", line);
	} else if (n == 3) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		          "more than the two lines BagIt-Version and Tag-File-Character-Encoding");
	}
}

/* bagit.txt: UTF-8 without a byte-order mark, exactly two lines. */
void v_check_decl(struct vctx *v, const char *buf, size_t len)
{
	struct ifk_lines *lr = NULL;
	char *line;
	size_t n;
	unsigned long count = 0;
	int flags;

	v->v1 = 1;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		          "begins with a byte-order mark (BOM), which RFC 8493 forbids here");
		return;
	}
	if (!ifk_utf8_valid(buf, len) || memchr(buf, '\0', len)) {
		v_finding(v, C_SEAL, V_FAIL, IFK_BAG_DECL, "not UTF-8 text");
		return;
	}
	if (ifk_lines_open_mem(buf, len, 4096, &lr, NULL) != 0)
		return;
	ifk_lines_end_on_cr(lr);
	while (ifk_lines_next(lr, &line, &n, &flags, NULL) > 0 && count < 3)
		decl_line(v, ++count, line);
	if (count < 2)
		v_finding(
		    v, C_SEAL, V_FAIL, IFK_BAG_DECL,
		    "not a BagIt declaration (BagIt-Version and Tag-File-Character-Encoding)");
	ifk_lines_free(lr);
}

/* A manifest line's path, "./" dropped (with a warning); NULL when it is
 * reported as malformed. */
static const char *line_path(struct vctx *v, const char *manifest, unsigned long lineno,
                             const struct ifk_bag_line *l, size_t hexlen)
{
	const char *p = l->path, *why;

	if (!l->checksum) {
		v_finding(v, C_SEAL, V_FAIL, manifest, "line %lu: %s", lineno, l->path);
		return NULL;
	}
	if (strncmp(p, "./", 2) == 0) {
		p += 2;
		v_finding(v, C_SEAL, V_WARN, manifest, "line %lu: path %s starts with \"./\"",
		          lineno, l->path);
	}
	if ((why = ifk_relpath_problem(p)) != NULL) {
		v_finding(v, C_SEAL, V_FAIL, manifest, "line %lu: path %s leaves the bag: %s",
		          lineno, l->path, why);
		return NULL;
	}
	if (!is_hex(l->checksum, hexlen)) {
		v_finding(v, C_SEAL, V_FAIL, p, "%s line %lu: malformed checksum", manifest,
		          lineno);
		return NULL;
	}
	return p;
}

struct load {
	struct vctx *v;
	sqlite3_stmt *ins;
	const struct vmanifest *m;
	int alg, tags;
};

static int load_line(void *ctx, unsigned long lineno, const struct ifk_bag_line *l)
{
	struct load *ld = ctx;
	struct vctx *v = ld->v;
	const char *p = line_path(v, ld->m->name, lineno, l, ld->m->hexlen);
	int payload = p && strncmp(p, "data/", 5) == 0;

	if (p && payload == ld->tags) {
		v_finding(v, C_SEAL, V_FAIL, ld->m->name,
		          ld->tags ? "line %lu: lists payload file %s: a tag manifest lists tag "
		                     "files only"
		                   : "line %lu: path %s is not inside the payload folder",
		          lineno, l->path);
		return 0;
	}
	if (!p)
		return 0;
	sqlite3_reset(ld->ins);
	sqlite3_bind_text(ld->ins, 1, ld->tags ? p : p + 5, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(ld->ins, 2, ld->alg);
	sqlite3_bind_text(ld->ins, 3, l->checksum, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(ld->ins) != SQLITE_DONE)
		v_finding(v, C_SEAL, V_FAIL, p, "%s line %lu: listed twice", ld->m->name, lineno);
	return v_stopped(v) ? IFK_EINTR : 0;
}

/* Reads one manifest into the work database; the same read feeds every tag
 * manifest's digest. text: the manifest already read (the sealed tag
 * manifest), else NULL. */
static int load_manifest(struct vctx *v, struct load *ld, const char *text, size_t len,
                         struct ifk_error *err)
{
	struct ifk_bag_src src = {v->target_fd, ld->m->name, text, len, v->encoding, NULL, 0};
	struct ifk_error e = {0};
	struct vtagmd t;
	int rc = v_tagmd_start(v, &t, err);

	src.md = t.md;
	src.nmd = t.n;
	if (!rc) {
		sqlite3_exec(v->work, "BEGIN", NULL, NULL, NULL);
		rc = ifk_bag_manifest_read(&src, load_line, ld, &e);
		sqlite3_exec(v->work, "COMMIT", NULL, NULL, NULL);
	}
	v_tagmd_finish(v, &t, rc ? NULL : ld->m->name);
	sqlite3_finalize(ld->ins);
	if (rc == IFK_EINTR)
		return ifk_error_set(err, IFK_EINTR, "interrupted");
	if (rc == IFK_ECRYPTO)
		return rc;
	if (rc) {
		v_finding(v, C_SEAL, V_FAIL, ld->m->name, "%s", e.msg);
		v_tag_unread(v, ld->m->name);
	}
	return 0;
}

static int prepare_load(struct vctx *v, struct load *ld, const char *sql, struct ifk_error *err)
{
	if (sqlite3_prepare_v2(v->work, sql, -1, &ld->ins, NULL) != SQLITE_OK)
		return ifk_error_set(err, IFK_EIO, "work database: %s", sqlite3_errmsg(v->work));
	return 0;
}

int v_load_tag_manifest(struct vctx *v, int i, const char *text, size_t len, struct ifk_error *err)
{
	struct load ld = {v, NULL, &v->tm[i], i, 1};
	int rc = prepare_load(v, &ld,
	                      "INSERT INTO tags(path, alg, expected) VALUES (?, ?, lower(?))", err);

	return rc ? rc : load_manifest(v, &ld, text, len, err);
}

int v_load_payload_manifests(struct vctx *v, struct ifk_error *err)
{
	int i, rc = 0;

	for (i = 0; i < v->npm && !rc; i++) {
		struct load ld = {v, NULL, &v->pm[i], i, 0};
		rc = prepare_load(
		    v, &ld, "INSERT INTO payload(path, alg, expected) VALUES (?, ?, lower(?))",
		    err);
		if (!rc)
			rc = load_manifest(v, &ld, NULL, 0, err);
	}
	return rc;
}

/* Whether any tag manifest lists path (a file, or a folder's files). */
int v_tag_listed(struct vctx *v, const char *path)
{
	sqlite3_stmt *st = NULL;
	int found;

	if (v_work_prepare(v, C_SEAL,
	                   "SELECT 1 FROM tags WHERE path = ?1 OR substr(path, 1, length(?1) + 1)"
	                   " = ?1 || '/' LIMIT 1",
	                   &st) != 0)
		return 0;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* A listed tag file that ifk does not parse: hashed once for every tag
 * manifest. */
static void hash_tag_file(struct vctx *v, const char *path, const char *listed_in)
{
	struct ifk_error e = {0};
	struct vtagmd t;
	char buf[16384];
	ssize_t n;
	int fd = ifk_open_regular(v->target_fd, path, &e), i;

	if (fd < 0 || v_tagmd_start(v, &t, &e) != 0) {
		if (fd >= 0) {
			v_tagmd_finish(v, &t, NULL);
			close(fd);
		}
		v_finding(v, C_SEAL, V_FAIL, path, "listed in %s: %s", listed_in, e.msg);
		v_tag_unread(v, path);
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		for (i = 0; n > 0 && i < t.n; i++)
			EVP_DigestUpdate(t.md[i], buf, (size_t)n);
	if (n < 0)
		v_finding(v, C_SEAL, V_FAIL, path, "read failed: %s", strerror(errno));
	v_tagmd_finish(v, &t, n < 0 ? NULL : path);
	if (n < 0)
		v_tag_unread(v, path);
	close(fd);
}

static void hash_unread_tags(struct vctx *v)
{
	sqlite3_stmt *st = NULL;

	if (v_work_prepare(v, C_SEAL,
	                   "SELECT path, min(alg) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM"
	                   " tagsums s WHERE s.path = t.path) GROUP BY path ORDER BY path",
	                   &st) != 0)
		return;
	while (sqlite3_step(st) == SQLITE_ROW && !v_stopped(v)) {
		int alg = sqlite3_column_int(st, 1);
		hash_tag_file(v, (const char *)sqlite3_column_text(st, 0),
		              alg >= 0 && alg < v->ntm ? v->tm[alg].name : "a tag manifest");
	}
	sqlite3_finalize(st);
}

/* Every tag file every tag manifest lists: present, and with its
 * checksum. */
void v_check_tag_files(struct vctx *v)
{
	sqlite3_stmt *st = NULL;

	hash_unread_tags(v);
	if (v_work_prepare(v, C_SEAL,
	                   "SELECT t.path, t.alg, s.actual, t.expected FROM tags t JOIN tagsums s"
	                   " USING (path, alg) WHERE s.actual IS NOT NULL AND"
	                   " s.actual != t.expected ORDER BY t.path, t.alg",
	                   &st) != 0)
		st = NULL;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		int alg = sqlite3_column_int(st, 1);
		if (alg < 0 || alg >= v->ntm)
			continue;
		v_finding(v, C_SEAL, V_FAIL, (const char *)sqlite3_column_text(st, 0),
		          "tag file changed: %s %s, %s %s (%s)", v->tm[alg].digest,
		          sqlite3_column_text(st, 2), v_expected_word(v),
		          sqlite3_column_text(st, 3), v->tm[alg].name);
	}
	sqlite3_finalize(st);
}
