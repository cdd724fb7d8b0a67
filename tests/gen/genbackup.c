/* ifk-genbackup: writes a deterministic sample iPhone backup for ifk's tests,
 * demo and benchmarks. See tests/gen/README.md for the full description.
 *
 * Known content (fixed: --seed changes only keys, salts, UDID, GUID, UUIDs,
 * the bytes of photos, attachments, voicemail audio and bulk files, the
 * keychain blobs and certificate, and the AddressBook -wal/-shm (WAL salts),
 * never sizes or rows):
 *
 *   sms.db (HomeDomain Library/SMS/sms.db)
 *     handle 4, chat 3, message 12, chat_message_join 12, chat_handle_join 4,
 *     attachment 2, message_attachment_join 2. message.date in nanoseconds
 *     since 2001-01-01; message 7 has NULL text and its text in
 *     attributedBody; messages 4 and 11 carry the attachments.
 *   CallHistory.storedata: ZCALLRECORD 6 (Z_PRIMARYKEY 1).
 *   AddressBook.sqlitedb (WAL mode): ABPerson 5, ABMultiValue 8 (4 phones,
 *     4 emails), ABMultiValueLabel 3 in the main file; its -wal adds 2
 *     committed transactions (ABPerson 6 and 7, one phone each), so a reader
 *     that applies the WAL sees ABPerson 7, ABMultiValue 10.
 *   Safari History.db (HomeDomain): history_items 4, history_visits 7.
 *   WhatsApp ChatStorage.sqlite: ZWACHATSESSION 2, ZWAMESSAGE 8.
 *   SystemConfiguration/com.apple.wifi.plist: 3 known networks;
 *     com.apple.wifi.known-networks.plist (the domain's root): 2 networks.
 *   NoteStore.sqlite: ZICCLOUDSYNCINGOBJECT 6 (1 account, 2 folders, 3 notes),
 *     ZICNOTEDATA 3 (gzipped protobuf bodies).
 *   Photos.sqlite: ZASSET 3 (IMG_0001..0003.JPG; 2 with GPS),
 *     ZADDITIONALASSETATTRIBUTES 3.
 *   Calendar.sqlitedb: CalendarItem 3 (1 all-day), Calendar 2, Store 2,
 *     Location 1, Alarm 1.
 *   voicemail.db: voicemail 2 (+ Library/Voicemail/1.amr, 2.amr).
 *   Accounts3.sqlite: ZACCOUNT 4, ZACCOUNTTYPE 4.
 *   DataUsage.sqlite: ZPROCESS 3, ZLIVEUSAGE 4.
 *   Bookmarks.db: bookmarks 7 (Root, BookmarksBar, 2 folders, 3 bookmarks).
 *   keychain-backup.plist: genp 3 (1 ThisDeviceOnly), inet 2, cert 1, keys 1.
 *   Manifest.db: Files 57 rows (+1 with --evil-path, +1 dir and
 *     ceil(N/8) files with --bulk-mib N, +1 dir and 1 file with
 *     --big-file), Properties 2.
 *
 *   Entries: 28 files, 28 directories, 1 symlink (default options).
 *   Protection classes: 4 for the CameraRoll photos and bulk movies, 10 for
 *   HomeDomain Library/Preferences/com.apple.security.deviceonly.plist, 3 for
 *   every other file; the ManifestKey uses class 4.
 *   Manifest.db flags 0 (instead of 1): SystemPreferencesDomain
 *   SystemConfiguration/com.apple.wifi.plist.
 *   Every third encrypted file (3rd, 6th, ... in Manifest.db order) stores its
 *   EncryptionKey NS.data as a UID to a separate $objects entry.
 *   --big-file N adds CameraRollDomain Media/DCIM/102APPLE (a folder) and
 *   its IMG_2000.MOV of N bytes (20 to 2^40, class 4): a QuickTime header,
 *   then zeros; stored unencrypted it is a sparse file (a hole after the
 *   header), encrypted it is written in full.
 *   --stale-size records sms.db's Size 12,288 bytes short.
 *   --evil-path adds HomeDomain "../../../etc/evil.txt" (37 bytes, class 3).
 *   --unpadded-manifest encrypts Manifest.db without its PKCS#7 padding
 *   block (its length is then a whole number of SQLite pages), as some
 *   backups in the wild are.
 *   --backup-date T (Unix seconds) dates the backup (Info.plist Last Backup
 *   Date, Status.plist and Manifest.plist Date) instead of the fixed date.
 *   --small-files N adds N files of --small-size bytes (default 4096, class
 *   3) in AppDomain-com.example.smallfiles Library/Caches/bNNNNN/, one
 *   folder entry per 1,000 files (small.c); with --small-camera they are
 *   the camera roll's instead: CameraRollDomain Media/DCIM/bNNNNN/
 *   IMG_NNNNNNNN.JPG (rows of media_files, members of a report with
 *   --include-media).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "gen.h"

#define MAX_PASSWORD 1024
#define MAX_BULK_MIB (1024u * 1024u)
#define MAX_OUT_PATH 3000
#define MAX_BIG_FILE (1ull << 40) /* 1 TiB */

enum {
	OPT_OUT = 256,
	OPT_SEED,
	OPT_LAYOUT,
	OPT_ENCRYPT,
	OPT_PASSWORD_FILE,
	OPT_DPIC,
	OPT_ITER,
	OPT_BULK_MIB,
	OPT_BIG_FILE,
	OPT_SNAPSHOT_STATE,
	OPT_STALE_SIZE,
	OPT_EVIL_PATH,
	OPT_UNPADDED_MANIFEST,
	OPT_UDID,
	OPT_BACKUP_DATE,
	OPT_SMALL_FILES,
	OPT_SMALL_SIZE,
	OPT_SMALL_CAMERA,
	OPT_VERSION,
};

static const struct option long_opts[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"layout", required_argument, NULL, OPT_LAYOUT},
    {"encrypt", no_argument, NULL, OPT_ENCRYPT},
    {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
    {"dpic", required_argument, NULL, OPT_DPIC},
    {"iter", required_argument, NULL, OPT_ITER},
    {"bulk-mib", required_argument, NULL, OPT_BULK_MIB},
    {"big-file", required_argument, NULL, OPT_BIG_FILE},
    {"snapshot-state", required_argument, NULL, OPT_SNAPSHOT_STATE},
    {"stale-size", no_argument, NULL, OPT_STALE_SIZE},
    {"evil-path", no_argument, NULL, OPT_EVIL_PATH},
    {"unpadded-manifest", no_argument, NULL, OPT_UNPADDED_MANIFEST},
    {"udid", required_argument, NULL, OPT_UDID},
    {"backup-date", required_argument, NULL, OPT_BACKUP_DATE},
    {"small-files", required_argument, NULL, OPT_SMALL_FILES},
    {"small-size", required_argument, NULL, OPT_SMALL_SIZE},
    {"small-camera", no_argument, NULL, OPT_SMALL_CAMERA},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
	fputs("usage: " GEN_PROG " --out DIR [--seed N] [--layout modern|mbdb]\n"
	      "        [--encrypt --password-file FILE] [--dpic N] [--iter N]\n"
	      "        [--bulk-mib N] [--snapshot-state STATE] [--stale-size]\n"
	      "        [--evil-path] [--unpadded-manifest] [--udid HEX]\n"
	      "        [--backup-date UNIX-SECONDS] [--big-file BYTES]\n"
	      "        [--small-files N [--small-size BYTES] [--small-camera]]\n",
	      f);
}

static int parse_u64(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return gen_err("--%s: not a number: %s", name, s);
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return gen_err("--%s: out of range (%llu..%llu): %s", name, (unsigned long long)min,
		               (unsigned long long)max, s);
	*out = v;
	return 0;
}

static int parse_u32(const char *name, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(name, s, min, max, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int check_udid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || strspn(s, "0123456789abcdefABCDEF-") != n)
		return gen_err("--udid: 1 to 64 hex digits or hyphens: %s", s);
	return 0;
}

static int check_text(const char *name, const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return gen_err("--%s: 1 to %zu characters", name, max);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20)
			return gen_err("--%s: control characters not allowed", name);
	}
	return 0;
}

static int parse_opt(struct gen_opts *o, int c, const char *arg, const char **pwfile)
{
	switch (c) {
	case OPT_OUT:
		o->out = arg;
		return check_text("out", arg, MAX_OUT_PATH);
	case OPT_SEED:
		return parse_u64("seed", arg, 0, UINT64_MAX, &o->seed);
	case OPT_LAYOUT:
		if (strcmp(arg, "modern") && strcmp(arg, "mbdb"))
			return gen_err("--layout: modern or mbdb, not %s", arg);
		o->layout = strcmp(arg, "mbdb") ? GEN_LAYOUT_MODERN : GEN_LAYOUT_MBDB;
		return 0;
	case OPT_ENCRYPT:
		o->encrypt = 1;
		return 0;
	case OPT_PASSWORD_FILE:
		*pwfile = arg;
		return 0;
	case OPT_DPIC:
		return parse_u32("dpic", arg, 1, INT32_MAX, &o->dpic);
	case OPT_ITER:
		return parse_u32("iter", arg, 1, INT32_MAX, &o->iter);
	case OPT_BULK_MIB:
		return parse_u32("bulk-mib", arg, 0, MAX_BULK_MIB, &o->bulk_mib);
	case OPT_BIG_FILE:
		return parse_u64("big-file", arg, 20, MAX_BIG_FILE, &o->big_file);
	case OPT_SNAPSHOT_STATE:
		o->snapshot_state = arg;
		return check_text("snapshot-state", arg, 64);
	case OPT_STALE_SIZE:
		o->stale_size = 1;
		return 0;
	case OPT_EVIL_PATH:
		o->evil_path = 1;
		return 0;
	case OPT_UNPADDED_MANIFEST:
		o->unpadded_manifest = 1;
		return 0;
	case OPT_UDID:
		if (check_udid(arg) < 0)
			return -1;
		snprintf(o->udid, sizeof(o->udid), "%s", arg);
		return 0;
	case OPT_BACKUP_DATE: {
		uint32_t t = 0;
		/* libplist 2.2 keeps dates as 32-bit seconds since 2001 */
		if (parse_u32("backup-date", arg, (uint32_t)GEN_COCOA_EPOCH, 3000000000u, &t) < 0)
			return -1;
		o->backup_date = t;
		return 0;
	}
	case OPT_SMALL_FILES:
		return parse_u64("small-files", arg, 0, GEN_SMALL_MAX_FILES, &o->small_files);
	case OPT_SMALL_SIZE:
		return parse_u32("small-size", arg, 0, GEN_SMALL_MAX_SIZE, &o->small_size);
	case OPT_SMALL_CAMERA:
		o->small_camera = 1;
		return 0;
	}
	usage(stderr);
	return -1;
}

/* The password is the file's content minus one trailing newline. Returns an
 * exit code. */
static int read_password(const char *file, struct gen_opts *o)
{
	char *buf = malloc(MAX_PASSWORD + 1);
	size_t n = 0;
	FILE *f = NULL;
	int rc = GEN_EXIT_IO;

	if (!buf) {
		gen_oom();
		return GEN_EXIT_IO;
	}
	f = fopen(file, "rb");
	if (!f) {
		gen_err("cannot open password file %s: %s", file, strerror(errno));
		goto out;
	}
	n = fread(buf, 1, MAX_PASSWORD + 1, f);
	if (ferror(f)) {
		gen_err("cannot read password file %s", file);
		goto out;
	}
	if (n > MAX_PASSWORD) {
		gen_err("password file %s: longer than %d bytes", file, MAX_PASSWORD);
		rc = GEN_EXIT_USAGE;
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	o->password = buf;
	o->password_len = n;
	buf = NULL;
	rc = GEN_EXIT_OK;
out:
	if (f)
		fclose(f);
	if (buf) {
		OPENSSL_cleanse(buf, MAX_PASSWORD + 1);
		free(buf);
	}
	return rc;
}

static int default_udid(struct gen_opts *o)
{
	struct gen_rng rng;
	unsigned char b[20];
	int rc;

	if (o->udid[0])
		return 0;
	if (gen_rng_open(&rng, o->seed, "udid") < 0)
		return -1;
	rc = gen_rng_bytes(&rng, b, sizeof(b));
	gen_rng_close(&rng);
	if (rc == 0)
		gen_hex(b, sizeof(b), 0, o->udid);
	return rc;
}

/* Returns 0 to run, 1 when --help or --version was answered, -1 on a usage
 * error. */
static int parse_args(int argc, char **argv, struct gen_opts *o, const char **pwfile)
{
	int c;

	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == OPT_VERSION) {
			printf("%s %s\n", GEN_PROG, IFK_VERSION);
			return 1;
		}
		if (parse_opt(o, c, optarg, pwfile) < 0)
			return -1;
	}
	if (optind < argc)
		return gen_err("unexpected argument: %s", argv[optind]);
	if (!o->out)
		return gen_err("--out DIR is required");
	if (o->encrypt && !*pwfile)
		return gen_err("--encrypt needs --password-file FILE");
	if (!o->encrypt && *pwfile)
		return gen_err("--password-file is only for --encrypt");
	if (o->small_files && o->layout != GEN_LAYOUT_MODERN)
		return gen_err("--small-files needs the modern layout");
	return 0;
}

static int generate(struct gen *g)
{
	const struct gen_opts *o = g->o;

	if (gen_keybag_build(&g->kb, o) < 0 || gen_catalog_build(g) < 0 ||
	    gen_catalog_keys(g) < 0 || gen_store_files(g) < 0)
		return -1;
	if (o->layout == GEN_LAYOUT_MBDB ? gen_mbdb_write(g) < 0 : gen_manifest_db_write(g) < 0)
		return -1;
	if (gen_plists_write(g) < 0 || gen_set_times(o->out) < 0)
		return -1;
	printf("files %llu dirs %llu symlinks %llu bytes %llu\n", (unsigned long long)g->nfiles,
	       (unsigned long long)g->ndirs, (unsigned long long)g->nlinks,
	       (unsigned long long)g->bytes);
	if (fflush(stdout) != 0)
		return gen_err("cannot write to stdout: %s", strerror(errno));
	return 0;
}

static int make_tmpdir(struct gen *g)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&g->tmpdir, "%s/ifk-genbackup.XXXXXX", base) < 0) {
		g->tmpdir = NULL;
		return gen_oom();
	}
	if (!mkdtemp(g->tmpdir)) {
		gen_err("cannot create a temp folder in %s: %s", base, strerror(errno));
		free(g->tmpdir);
		g->tmpdir = NULL;
		return -1;
	}
	return 0;
}

static int run(const struct gen_opts *o)
{
	struct gen g;
	int rc = GEN_EXIT_IO;

	memset(&g, 0, sizeof(g));
	g.o = o;
	if (mkdir(o->out, 0755) < 0) {
		if (errno == EEXIST) {
			gen_err("%s already exists: refusing to write into it", o->out);
			return GEN_EXIT_USAGE;
		}
		gen_err("cannot create %s: %s", o->out, strerror(errno));
		return GEN_EXIT_IO;
	}
	if (make_tmpdir(&g) < 0)
		goto out;
	if (generate(&g) == 0)
		rc = GEN_EXIT_OK;
out:
	if (g.tmpdir && gen_rm_tree(g.tmpdir) < 0)
		rc = GEN_EXIT_IO;
	if (rc != GEN_EXIT_OK && gen_rm_tree(o->out) == 0)
		gen_err("removed the incomplete %s", o->out);
	free(g.tmpdir);
	gen_list_free(&g.list);
	gen_keybag_free(&g.kb);
	OPENSSL_cleanse(g.manifest_key, sizeof(g.manifest_key));
	return rc;
}

int main(int argc, char **argv)
{
	struct gen_opts o;
	const char *pwfile = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.layout = GEN_LAYOUT_MODERN;
	o.dpic = 10000000;
	o.iter = 10000;
	o.snapshot_state = "finished";
	o.small_size = 4096;
	rc = parse_args(argc, argv, &o, &pwfile);
	if (rc != 0)
		return rc > 0 ? GEN_EXIT_OK : GEN_EXIT_USAGE;
	if (pwfile && (rc = read_password(pwfile, &o)) != GEN_EXIT_OK)
		return rc;
	rc = default_udid(&o) < 0 ? GEN_EXIT_IO : run(&o);
	if (o.password) {
		OPENSSL_cleanse(o.password, MAX_PASSWORD + 1);
		free(o.password);
	}
	return rc;
}
