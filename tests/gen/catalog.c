/* The catalog: every entry of the sample backup, in manifest order, with the
 * content source of each file. Both layouts use the same catalog. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "gen.h"

#define HOME "HomeDomain"
#define MEDIA "MediaDomain"
#define SAFARI "AppDomain-com.apple.mobilesafari"
#define WHATSAPP "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
#define SYSPREFS "SystemPreferencesDomain"
#define CAMERA "CameraRollDomain"
#define NOTES "AppDomainGroup-group.com.apple.notes"
#define WIRELESS "WirelessDomain"
#define KEYCHAIN "KeychainDomain"
#define ADDRESSBOOK "Library/AddressBook/AddressBook.sqlitedb"
#define ATT1 GEN_ATT_DIR "/" GEN_ATT1_GUID
#define ATT2 GEN_ATT_DIR "/" GEN_ATT2_GUID

#define BULK_FILE_MIB 8
#define STALE_SHORTFALL 12288 /* three SQLite pages */

typedef int (*db_fn)(const char *path, uint64_t seed);
typedef int (*mem_fn)(const struct gen *g, unsigned char **buf, size_t *len);

/* spec.extra bits */
#define X_FLAGS0 1 /* Manifest.db flags 0 instead of 1 */
#define X_PROP 2   /* an mbdb property pair */
#define X_STALE 4  /* --stale-size applies */

struct spec {
	const char *domain;
	const char *path;
	enum gen_kind kind;
	int pclass;
	enum gen_src src;
	uint64_t size;  /* GEN_SRC_JPEG, GEN_SRC_AMR */
	db_fn db;       /* GEN_SRC_PATH */
	mem_fn mem;     /* GEN_SRC_MEM */
	const char *of; /* GEN_SRC_PATH without db: a companion (-wal, -shm) of this path */
	const char *target;
	int extra;
};

static int springboard_plist(const struct gen *g, unsigned char **buf, size_t *len);
static int deviceonly_plist(const struct gen *g, unsigned char **buf, size_t *len);
static int wifi_plist(const struct gen *g, unsigned char **buf, size_t *len);
static int empty_file(const struct gen *g, unsigned char **buf, size_t *len);

#define DIR_(d, p)                                                                                 \
	{                                                                                          \
		.domain = d, .path = p, .kind = GEN_DIR                                            \
	}
#define LINK_(d, p, t)                                                                             \
	{                                                                                          \
		.domain = d, .path = p, .kind = GEN_LINK, .target = t                              \
	}
#define DB_(d, p, f, x)                                                                            \
	{                                                                                          \
		.domain = d, .path = p, .pclass = 3, .src = GEN_SRC_PATH, .db = f, .extra = x      \
	}
#define MEM_(d, p, c, f, x)                                                                        \
	{                                                                                          \
		.domain = d, .path = p, .pclass = c, .src = GEN_SRC_MEM, .mem = f, .extra = x      \
	}
#define JPEG_(d, p, c, n, x)                                                                       \
	{                                                                                          \
		.domain = d, .path = p, .pclass = c, .src = GEN_SRC_JPEG, .size = n, .extra = x    \
	}
#define AMR_(d, p, n)                                                                              \
	{                                                                                          \
		.domain = d, .path = p, .pclass = 3, .src = GEN_SRC_AMR, .size = n                 \
	}
#define COMPANION_(d, p, of_)                                                                      \
	{                                                                                          \
		.domain = d, .path = p, .pclass = 3, .src = GEN_SRC_PATH, .of = of_                \
	}

static const struct spec specs[] = {
    DIR_(HOME, "Library"),
    DIR_(HOME, "Library/SMS"),
    DB_(HOME, "Library/SMS/sms.db", gen_db_sms, X_STALE),
    DIR_(HOME, "Library/CallHistoryDB"),
    DB_(HOME, "Library/CallHistoryDB/CallHistory.storedata", gen_db_callhistory, 0),
    DIR_(HOME, "Library/AddressBook"),
    DB_(HOME, ADDRESSBOOK, gen_db_addressbook, 0),
    DIR_(HOME, "Library/Preferences"),
    MEM_(HOME, "Library/Preferences/com.apple.springboard.plist", 3, springboard_plist, X_PROP),
    MEM_(HOME, "Library/Preferences/com.apple.security.deviceonly.plist", 10, deviceonly_plist, 0),
    LINK_(HOME, "Library/Preferences/link.plist", "../Preferences/com.apple.springboard.plist"),
    DIR_(HOME, "Library/Caches"),
    MEM_(HOME, "Library/Caches/empty.dat", 3, empty_file, 0),
    DIR_(MEDIA, "Library"),
    DIR_(MEDIA, "Library/SMS"),
    DIR_(MEDIA, "Library/SMS/Attachments"),
    DIR_(MEDIA, "Library/SMS/Attachments/ab"),
    DIR_(MEDIA, GEN_ATT_DIR),
    DIR_(MEDIA, ATT1),
    JPEG_(MEDIA, ATT1 "/" GEN_ATT1_NAME, 3, GEN_ATT1_SIZE, 0),
    DIR_(MEDIA, ATT2),
    JPEG_(MEDIA, ATT2 "/" GEN_ATT2_NAME, 3, GEN_ATT2_SIZE, 0),
    DIR_(SAFARI, "Library"),
    DIR_(SAFARI, "Library/Safari"),
    /* iOS 14.3 and 18 backups keep History.db in HomeDomain (older ones in
     * the Safari app's domain); its HomeDomain folder is row 46, left there so
     * that no other row moves */
    DB_(HOME, "Library/Safari/History.db", gen_db_safari, 0),
    DIR_(WHATSAPP, ""),
    DB_(WHATSAPP, "ChatStorage.sqlite", gen_db_whatsapp, 0),
    DIR_(SYSPREFS, "SystemConfiguration"),
    MEM_(SYSPREFS, "SystemConfiguration/com.apple.wifi.plist", 3, wifi_plist, X_FLAGS0),
    DIR_(CAMERA, "Media"),
    DIR_(CAMERA, "Media/DCIM"),
    DIR_(CAMERA, "Media/DCIM/100APPLE"),
    JPEG_(CAMERA, "Media/DCIM/100APPLE/IMG_0001.JPG", 4, GEN_IMG1_SIZE, X_PROP),
    JPEG_(CAMERA, "Media/DCIM/100APPLE/IMG_0002.JPG", 4, GEN_IMG2_SIZE, 0),
    JPEG_(CAMERA, "Media/DCIM/100APPLE/IMG_0003.JPG", 4, GEN_IMG3_SIZE, 0),
    /* added later: after the rows above so that their order stays */
    COMPANION_(HOME, ADDRESSBOOK "-wal", ADDRESSBOOK),
    COMPANION_(HOME, ADDRESSBOOK "-shm", ADDRESSBOOK),
    DIR_(HOME, "Library/Calendar"),
    DB_(HOME, "Library/Calendar/Calendar.sqlitedb", gen_db_calendar, 0),
    DIR_(HOME, "Library/Voicemail"),
    DB_(HOME, "Library/Voicemail/voicemail.db", gen_db_voicemail, 0),
    AMR_(HOME, "Library/Voicemail/1.amr", 4806),
    AMR_(HOME, "Library/Voicemail/2.amr", 3206),
    DIR_(HOME, "Library/Accounts"),
    DB_(HOME, "Library/Accounts/Accounts3.sqlite", gen_db_accounts, 0),
    DIR_(HOME, "Library/Safari"),
    DB_(HOME, "Library/Safari/Bookmarks.db", gen_db_bookmarks, 0),
    MEM_(HOME, "Library/Preferences/com.example.planted.plist", 3, gen_planted_plist, 0),
    DIR_(NOTES, ""),
    DB_(NOTES, "NoteStore.sqlite", gen_db_notes, 0),
    DIR_(CAMERA, "Media/PhotoData"),
    DB_(CAMERA, "Media/PhotoData/Photos.sqlite", gen_db_photos, 0),
    DIR_(WIRELESS, "Library"),
    DIR_(WIRELESS, "Library/Databases"),
    DB_(WIRELESS, "Library/Databases/DataUsage.sqlite", gen_db_datausage, 0),
    /* iOS 14+: at the root of the domain (/private/var/preferences), not in
     * SystemConfiguration/ */
    MEM_(SYSPREFS, "com.apple.wifi.known-networks.plist", 3, gen_known_networks_plist, 0),
    MEM_(KEYCHAIN, "keychain-backup.plist", 3, gen_keychain_plist, 0),
};

static const char evil_text[] = "this file tried to escape its domain\n";

static int plist_out(plist_t p, unsigned char **buf, size_t *len)
{
	int rc;

	if (!p)
		return gen_oom();
	rc = gen_plist_bin(p, buf, len);
	plist_free(p);
	return rc;
}

static int springboard_plist(const struct gen *g, unsigned char **buf, size_t *len)
{
	plist_t p = plist_new_dict();

	if (p) {
		plist_dict_set_item(p, "SBAutoLockTime", plist_new_uint(60));
		plist_dict_set_item(p, "SBShowBatteryPercentage", plist_new_bool(1));
		plist_dict_set_item(p, "SBWallpaperName", plist_new_string("Sample"));
	}
	return plist_out(p, buf, len);
}

static int deviceonly_plist(const struct gen *g, unsigned char **buf, size_t *len)
{
	plist_t p = plist_new_dict();

	if (p) {
		plist_dict_set_item(p, "Secret", plist_new_string("only on this device"));
		plist_dict_set_item(p, "Version", plist_new_uint(1));
	}
	return plist_out(p, buf, len);
}

static plist_t wifi_network(const char *ssid, const char *bssid, int32_t ago)
{
	plist_t n = plist_new_dict();

	if (!n)
		return NULL;
	plist_dict_set_item(n, "SSID_STR", plist_new_string(ssid));
	plist_dict_set_item(n, "BSSID", plist_new_string(bssid));
	plist_dict_set_item(n, "lastJoined", plist_new_date((int32_t)GEN_BASE_COCOA - ago, 0));
	return n;
}

static int wifi_plist(const struct gen *g, unsigned char **buf, size_t *len)
{
	plist_t p = plist_new_dict(), list = plist_new_array();

	if (!p || !list) {
		plist_free(p);
		plist_free(list);
		return gen_oom();
	}
	plist_array_append_item(list, wifi_network("HomeNet", "a4:2b:b0:11:22:33", 3600));
	plist_array_append_item(list, wifi_network("Café Wi-Fi", "3c:37:86:aa:bb:01", 86400));
	plist_array_append_item(list, wifi_network("Airport_Free", "00:1a:2b:3c:4d:5e", 604800));
	plist_dict_set_item(p, "List of known networks", list);
	return plist_out(p, buf, len);
}

static int empty_file(const struct gen *g, unsigned char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	return 0;
}

static struct gen_entry *list_add(struct gen_list *l, const char *domain, const char *path,
                                  enum gen_kind kind)
{
	struct gen_entry *e, *v;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			gen_oom();
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->flags = kind == GEN_FILE ? 1 : kind == GEN_DIR ? 2 : 4;
	e->domain = gen_strdup(domain);
	e->path = e->domain ? gen_strdup(path) : NULL;
	if (!e->path || gen_file_id(domain, path, e->file_id) < 0) {
		free(e->domain);
		free(e->path);
		return NULL;
	}
	l->n++;
	return e;
}

/* The temp path of a companion file (-wal, -shm) that the builder of s->of
 * wrote next to it: <fileID of s->of><what s->path adds to s->of>. */
static char *companion_path(const struct gen *g, const struct spec *s)
{
	char of_id[41], *p = NULL;

	if (gen_file_id(s->domain, s->of, of_id) < 0)
		return NULL;
	if (asprintf(&p, "%s/%s%s", g->tmpdir, of_id, s->path + strlen(s->of)) < 0) {
		gen_oom();
		return NULL;
	}
	return p;
}

/* A database built into the temp folder, or a companion file of one. */
static int source_db(struct gen *g, struct gen_entry *e, const struct spec *s)
{
	struct stat st;

	if (s->of) {
		e->src_path = companion_path(g, s);
		if (!e->src_path)
			return -1;
	} else {
		e->src_path = gen_path_join(g->tmpdir, e->file_id);
		if (!e->src_path || s->db(e->src_path, g->o->seed) < 0)
			return -1;
	}
	if (stat(e->src_path, &st) < 0)
		return gen_err("cannot stat %s: %s", e->src_path, strerror(errno));
	e->size = (uint64_t)st.st_size;
	return 0;
}

static int add_spec(struct gen *g, const struct spec *s)
{
	struct gen_entry *e = list_add(&g->list, s->domain, s->path, s->kind);
	size_t len = 0;

	if (!e)
		return -1;
	e->pclass = s->pclass;
	e->src = s->src;
	if (s->extra & X_FLAGS0)
		e->flags = 0;
	if (s->target && !(e->target = gen_strdup(s->target)))
		return -1;
	if (s->extra & X_PROP) {
		e->prop_name = "com.apple.backup.test";
		e->prop_value = "1";
	}
	if (s->src == GEN_SRC_PATH && source_db(g, e, s) < 0)
		return -1;
	if (s->src == GEN_SRC_MEM && s->mem(g, &e->mem, &len) < 0)
		return -1;
	if (s->src == GEN_SRC_MEM)
		e->size = len;
	if (s->src == GEN_SRC_JPEG || s->src == GEN_SRC_AMR)
		e->size = s->size;
	e->rec_size = e->size;
	if ((s->extra & X_STALE) && g->o->stale_size)
		e->rec_size = e->size > STALE_SHORTFALL ? e->size - STALE_SHORTFALL : e->size / 2;
	return 0;
}

/* A hostile entry whose relativePath escapes its domain. */
static int add_evil(struct gen *g)
{
	struct gen_entry *e = list_add(&g->list, HOME, "../../../etc/evil.txt", GEN_FILE);

	if (!e)
		return -1;
	e->pclass = 3;
	e->src = GEN_SRC_MEM;
	e->size = e->rec_size = sizeof(evil_text) - 1;
	e->mem = malloc(e->size);
	if (!e->mem)
		return gen_oom();
	memcpy(e->mem, evil_text, e->size);
	return 0;
}

static int add_bulk(struct gen *g)
{
	uint32_t left = g->o->bulk_mib, mib, i;
	struct gen_entry *e;
	char path[64];

	if (left == 0)
		return 0;
	if (!list_add(&g->list, CAMERA, "Media/DCIM/101APPLE", GEN_DIR))
		return -1;
	for (i = 0; left > 0; i++) {
		mib = left > BULK_FILE_MIB ? BULK_FILE_MIB : left;
		snprintf(path, sizeof(path), "Media/DCIM/101APPLE/IMG_%04u.MOV", 1000 + i);
		e = list_add(&g->list, CAMERA, path, GEN_FILE);
		if (!e)
			return -1;
		e->pclass = 4;
		e->src = GEN_SRC_MOV;
		e->size = e->rec_size = (uint64_t)mib << 20;
		left -= mib;
	}
	return 0;
}

/* --big-file: one movie of that many bytes, in a folder of its own. */
static int add_big(struct gen *g)
{
	struct gen_entry *e;

	if (g->o->big_file == 0)
		return 0;
	if (!list_add(&g->list, CAMERA, "Media/DCIM/102APPLE", GEN_DIR))
		return -1;
	e = list_add(&g->list, CAMERA, "Media/DCIM/102APPLE/IMG_2000.MOV", GEN_FILE);
	if (!e)
		return -1;
	e->pclass = 4;
	e->src = GEN_SRC_BIG;
	e->size = e->rec_size = g->o->big_file;
	return 0;
}

/* Inodes, times and the summary counts. */
static void finalize(struct gen *g)
{
	struct gen_entry *e;
	size_t i;

	for (i = 0; i < g->list.n; i++) {
		e = &g->list.v[i];
		e->inode = 1200000 + 7 * (uint64_t)i;
		e->birth = GEN_BASE_UNIX - 30 * 86400 + 97 * (int64_t)i;
		e->mtime = GEN_BASE_UNIX - 2 * 86400 + 61 * (int64_t)i;
		e->ctime = e->mtime + 5;
		if (e->kind == GEN_DIR)
			g->ndirs++;
		else if (e->kind == GEN_LINK)
			g->nlinks++;
		else
			g->nfiles++;
		if (e->kind == GEN_FILE)
			g->bytes += e->size;
	}
}

int gen_catalog_build(struct gen *g)
{
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (add_spec(g, &specs[i]) < 0)
			return -1;
	}
	if (g->o->evil_path && add_evil(g) < 0)
		return -1;
	if (add_bulk(g) < 0 || add_big(g) < 0)
		return -1;
	finalize(g);
	return 0;
}

int gen_wrap_blob(const struct gen *g, int pclass, const unsigned char *key,
                  unsigned char blob[GEN_BLOB_LEN])
{
	int i;

	for (i = 0; i < 4; i++)
		blob[i] = (unsigned char)((uint32_t)pclass >> (8 * i));
	return gen_aes_wrap(g->kb.class_key[pclass], key, blob + 4);
}

int gen_catalog_keys(struct gen *g)
{
	struct gen_rng rng;
	struct gen_entry *e;
	size_t i;
	int rc = -1;

	if (!g->o->encrypt)
		return 0;
	if (gen_rng_open(&rng, g->o->seed, "filekeys") < 0)
		return -1;
	if (gen_rng_bytes(&rng, g->manifest_key, GEN_KEY_LEN) < 0 ||
	    gen_wrap_blob(g, GEN_CLASS_MANIFEST, g->manifest_key, g->manifest_blob) < 0)
		goto out;
	for (i = 0; i < g->list.n; i++) {
		e = &g->list.v[i];
		if (e->kind != GEN_FILE)
			continue;
		e->encrypted = 1;
		if (gen_rng_bytes(&rng, e->key, GEN_KEY_LEN) < 0 ||
		    gen_wrap_blob(g, e->pclass, e->key, e->blob) < 0)
			goto out;
	}
	rc = 0;
out:
	gen_rng_close(&rng);
	return rc;
}

void gen_list_free(struct gen_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		OPENSSL_cleanse(l->v[i].key, sizeof(l->v[i].key));
		free(l->v[i].domain);
		free(l->v[i].path);
		free(l->v[i].target);
		free(l->v[i].mem);
		free(l->v[i].src_path);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
