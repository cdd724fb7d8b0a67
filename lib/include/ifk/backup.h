/* A backup's own metadata: Info.plist, Manifest.plist and Status.plist. */
#ifndef IFK_BACKUP_H
#define IFK_BACKUP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ifk/error.h"

#define IFK_BACKUP_PLIST_MAX (256u * 1024 * 1024)
/* The folder Finder and iTunes write a backup into and leave behind when
 * it does not complete. */
#define IFK_BACKUP_SNAPSHOT_DIR "Snapshot"

/* What a file at the top of a backup folder is. */
enum ifk_backup_top {
	IFK_TOP_OTHER,    /* not a file of the backup format */
	IFK_TOP_METADATA, /* Info.plist, Manifest.plist, Status.plist */
	IFK_TOP_INDEX,    /* Manifest.db, Manifest.mbdb */
	IFK_TOP_KNOWN,    /* written by iTunes/Finder beside them, not indexed:
	                   * DDNABackup.plist, Manifest.mbdx (iOS 4 index) */
};
enum ifk_backup_top ifk_backup_top_kind(const char *name);

struct ifk_backup_meta {
	/* device identity (Info.plist, else Manifest.plist Lockdown); NULL when absent */
	char *udid, *serial, *product_type, *product_name, *ios_version, *ios_build;
	char *device_name, *imei, *meid, *iccid, *phone_number;
	/* Manifest.plist */
	int have_manifest_plist;
	int encrypted, encrypted_known; /* IsEncrypted, when Manifest.plist said */
	char *manifest_version;
	uint8_t *keybag;
	size_t keybag_len;
	uint8_t *manifest_key; /* ManifestKey: 4-byte LE class + wrapped key */
	size_t manifest_key_len;
	char *lockdown_udid, *lockdown_serial, *lockdown_product_type, *lockdown_ios_version;
	/* Status.plist */
	int have_status;
	char *snapshot_state, *status_version, *backup_state;
	int full_backup;
	/* Info.plist */
	int have_info;
	char *info_udid;
	/* why a present plist could not be read (malloc'd), or NULL */
	char *info_error, *manifest_error, *status_error;
	/* what reading it noticed without stopping (malloc'd), or NULL: strings
	 * or keys holding a NUL character, read as ifk_plist_parse reads them */
	char *info_note, *manifest_note, *status_note;
};

/* Reads whichever of the three plists are given (buf may be NULL = absent).
 * Each is read on its own: one that does not parse is noted in its
 * *_error member (a message naming it) and the others are still read; one
 * that parses with NUL characters in its strings gets a *_note.
 * Returns 0, or IFK_ENOMEM. */
int ifk_backup_meta_parse(const void *info, size_t info_len, const void *manifest,
                          size_t manifest_len, const void *status, size_t status_len,
                          struct ifk_backup_meta *m, struct ifk_error *err);

/* The device and backup fields as a JSON object (new reference). */
json_t *ifk_backup_meta_json(const struct ifk_backup_meta *m);

void ifk_backup_meta_free(struct ifk_backup_meta *m);

#endif
