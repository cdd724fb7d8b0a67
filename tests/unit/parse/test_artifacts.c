/* Tests of the artifact registry (lib/artifacts.c): every source file an
 * artifact declares (and only a declared file is kept for it by ifk-parse)
 * is a place where real iOS backups hold that file.
 *
 * The table below is the evidence. Where a real backup's Manifest.db row was
 * seen, its fileID is recorded: the test recomputes SHA-1(domain "-" path) and
 * must find it, so a wrong domain or path cannot hide behind a plausible
 * name. Sources of the rows:
 *  [M] mvt-project/mvt tests/artifacts/ios_backup/Manifest.db, a real
 *      iPhone9,3 backup of iOS 14.3 (18C66), 3721 rows; MVT's modules
 *      src/mvt/ios/modules/mixed/{sms,calls,contacts,calendar,whatsapp,
 *      net_datausage}.py name the same fileIDs.
 *  [P] novkostya/ios-backup-parser docs/schemas (README.md and one file per
 *      domain): the domain files of a real iOS 18 backup, the one behind
 *      ../shared/fixtures/appdb/ios18-schemas.
 *  [O] fileIDs of iOS 4-9 backups that public backup tools hard-code (e.g.
 *      "Call history, iOS 4-6: 2b2b0084...", "Safari History iOS 8:
 *      e74113c1...").
 *  [B] the backup folder's own files (no Manifest row): every backup has
 *      them; mvt tests/artifacts/ios_backup/Info.plist is one (iOS 14.3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "artifact.h"
#include "formats.h"

struct real_path {
	const char *domain, *path;
	const char *file_id; /* as seen in a real Manifest.db; NULL: see why */
};

static const struct real_path real[] = {
    {"", "Info.plist", NULL},     /* [B] */
    {"", "Manifest.plist", NULL}, /* [B] */
    {"", "Status.plist", NULL},   /* [B] */
    /* [M][P] */
    {"HomeDomain", "Library/SMS/sms.db", "3d0d7e5fb2ce288813306e4d4636395e047a3d28"},
    /* [M] MediaDomain Library/SMS is there; attachment.filename
     * ~/Library/SMS/Attachments/... maps into MediaDomain (a folder prefix:
     * no fileID of its own) */
    {"MediaDomain", "Library/SMS/Attachments/", NULL},
    /* [M][P] iOS 8+ */
    {"HomeDomain", "Library/CallHistoryDB/CallHistory.storedata",
     "5a4935c78a5255723f707230a451d79c540d2741"},
    /* [O] iOS 7 and older */
    {"WirelessDomain", "Library/CallHistory/call_history.db",
     "2b2b0084a1bc3a5ac8c27afdf14afb42c61a19ca"},
    /* [M][P] */
    {"HomeDomain", "Library/AddressBook/AddressBook.sqlitedb",
     "31bb7ba8914766d4ba40d6dfb6113c8b614be442"},
    /* [M][P] iOS 14 to 18 */
    {"HomeDomain", "Library/Safari/History.db", "1a0e7afc19d307da602ccdcece51af33afe92c53"},
    /* [O] older iOS (and MVT's first Safari module) */
    {"AppDomain-com.apple.mobilesafari", "Library/Safari/History.db",
     "e74113c185fd8297e140cfcf9c99436c5cc06b57"},
    /* [M][P] */
    {"HomeDomain", "Library/Safari/Bookmarks.db", "d1f062e2da26192a6625d968274bfda8d07821e4"},
    /* [M] */
    {"AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite",
     "7c7fba66680ef796b916b067077cc246adacf01d"},
    /* [M][P] */
    {"AppDomainGroup-group.com.apple.notes", "NoteStore.sqlite",
     "4f98687d8ab0d6d1a371110e6b7300f6e465bef2"},
    /* [M] */
    {"CameraRollDomain", "Media/PhotoData/Photos.sqlite",
     "12b144c0bd44f2b3dffd9186d3f9c05b917cee25"},
    /* [M] Media/DCIM/100APPLE/IMG_0034.PNG and others (a folder prefix) */
    {"CameraRollDomain", "Media/DCIM/", NULL},
    /* [M][P] */
    {"HomeDomain", "Library/Calendar/Calendar.sqlitedb",
     "2041457d5fe04d39d0ab481178355df6781e6858"},
    /* [M] */
    {"HomeDomain", "Library/Voicemail/voicemail.db", "992df473bbb9e132f4b3b6e4d33f72171e97bc7a"},
    /* [M] iOS 14+: the root of SystemPreferencesDomain (/private/var/preferences) */
    {"SystemPreferencesDomain", "com.apple.wifi.known-networks.plist",
     "0fa75546343ba224c9fe55adc73e8fdedc1029c3"},
    /* [M][O] the list up to iOS 13; iOS 14.3 keeps the file without it */
    {"SystemPreferencesDomain", "SystemConfiguration/com.apple.wifi.plist",
     "ade0340f576ee14793c607073bd7e8e409af07a8"},
    /* [M] */
    {"HomeDomain", "Library/Accounts/Accounts3.sqlite", "943624fd13e27b800cc6d9ce1100c22356ee365c"},
    /* [M] */
    {"WirelessDomain", "Library/Databases/DataUsage.sqlite",
     "0d609c54856a9bb2d56729df1d68f2958a88426b"},
    /* [M] */
    {"KeychainDomain", "keychain-backup.plist", "51a4616e576dd33cd2abadfea874eb8ff246bf0e"},
};

/* Read only when the real place has no such file, never alone: no real
 * backup is known to hold these (earlier ifk versions looked there). */
static const struct real_path fallback[] = {
    {"SystemPreferencesDomain", "SystemConfiguration/com.apple.wifi.known-networks.plist", NULL},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct real_path *find(const struct real_path *t, size_t n,
                                    const struct ifk_art_source *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].domain, s->domain) == 0 && strcmp(t[i].path, s->path) == 0)
			return &t[i];
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A real source of the same file name declared before sources[k]. */
static int real_before(const struct ifk_art_source *src, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (find(real, N(real), &src[i]) &&
		    strcmp(base_name(src[i].path), base_name(src[k].path)) == 0)
			return 1;
	return 0;
}

static void test_sources_are_real_paths(void **state)
{
	const struct ifk_art_source *src;
	size_t a, k;

	(void)state;
	for (a = 0; ifk_artifacts[a]; a++) {
		src = ifk_artifacts[a]->sources;
		assert_non_null(src);
		assert_non_null(src[0].domain);
		for (k = 0; src[k].domain; k++) {
			if (find(real, N(real), &src[k]))
				continue;
			if (find(fallback, N(fallback), &src[k]) && real_before(src, k))
				continue;
			fail_msg("%s reads %s%s%s, where no real backup is known to hold it",
			         ifk_artifacts[a]->name, src[k].domain, *src[k].domain ? " " : "",
			         src[k].path);
		}
	}
}

/* The recorded fileIDs are those of the recorded domain and path. */
static void test_real_paths_file_ids(void **state)
{
	char id[IFK_FILE_ID_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < N(real); i++) {
		if (!real[i].file_id)
			continue;
		assert_int_equal(ifk_file_id(real[i].domain, real[i].path, id, NULL), 0);
		if (strcmp(id, real[i].file_id) != 0)
			fail_msg("%s %s: fileID %s, a real backup has %s", real[i].domain,
			         real[i].path, id, real[i].file_id);
	}
}

/* Every entry of the table is some artifact's source: the table follows
 * the code. */
static void test_real_paths_are_read(void **state)
{
	const struct ifk_art_source *src;
	size_t i, a, k;
	int used;

	(void)state;
	for (i = 0; i < N(real); i++) {
		used = 0;
		for (a = 0; ifk_artifacts[a] && !used; a++)
			for (src = ifk_artifacts[a]->sources, k = 0; src[k].domain && !used; k++)
				used = find(&real[i], 1, &src[k]) != NULL;
		if (!used)
			fail_msg("no artifact reads %s %s", real[i].domain, real[i].path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sources_are_real_paths),
	    cmocka_unit_test(test_real_paths_file_ids),
	    cmocka_unit_test(test_real_paths_are_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
