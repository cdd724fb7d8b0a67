/* The artifact registry: every artifact ifk-parse knows, in output order.
 * Adding an artifact is one description (lib/parse/artifacts/<name>.c, see
 * README.md) and one row here. */
#include <string.h>

#include "artifact.h"

extern const struct ifk_artifact ifk_art_device;
extern const struct ifk_artifact ifk_art_applications;
extern const struct ifk_artifact ifk_art_sms_messages;
extern const struct ifk_artifact ifk_art_sms_attachments;
extern const struct ifk_artifact ifk_art_calls;
extern const struct ifk_artifact ifk_art_contacts;
extern const struct ifk_artifact ifk_art_safari_history;
extern const struct ifk_artifact ifk_art_safari_bookmarks;
extern const struct ifk_artifact ifk_art_whatsapp_chats;
extern const struct ifk_artifact ifk_art_whatsapp_messages;
extern const struct ifk_artifact ifk_art_notes;
extern const struct ifk_artifact ifk_art_photos;
extern const struct ifk_artifact ifk_art_media_files;
extern const struct ifk_artifact ifk_art_calendar_events;
extern const struct ifk_artifact ifk_art_voicemail;
extern const struct ifk_artifact ifk_art_wifi_networks;
extern const struct ifk_artifact ifk_art_accounts;
extern const struct ifk_artifact ifk_art_data_usage;
extern const struct ifk_artifact ifk_art_keychain;

const struct ifk_artifact *const ifk_artifacts[] = {
    &ifk_art_device,         &ifk_art_applications,
    &ifk_art_sms_messages,   &ifk_art_sms_attachments,
    &ifk_art_calls,          &ifk_art_contacts,
    &ifk_art_safari_history, &ifk_art_safari_bookmarks,
    &ifk_art_whatsapp_chats, &ifk_art_whatsapp_messages,
    &ifk_art_notes,          &ifk_art_photos,
    &ifk_art_media_files,    &ifk_art_calendar_events,
    &ifk_art_voicemail,      &ifk_art_wifi_networks,
    &ifk_art_accounts,       &ifk_art_data_usage,
    &ifk_art_keychain,       NULL,
};

const struct ifk_artifact *ifk_artifact_find(const char *name)
{
	size_t i;

	for (i = 0; name && ifk_artifacts[i]; i++)
		if (strcmp(ifk_artifacts[i]->name, name) == 0)
			return ifk_artifacts[i];
	return NULL;
}
