#!/usr/bin/env bash
# ifk-parse content, end to end: a sealed encrypted bag of the sample
# generator, run through the whole tool, yields exactly the content that
# tests/gen/README.md documents, for every artifact: row counts, the values
# an examiner checks, and provenance (the documented backup path, and the
# SHA-256 of the decrypted file, taken from an --export of the same bag).
# The legacy layout (Manifest.mbdb) parses to the same rows.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"

ARTS=(device applications sms_messages sms_attachments calls contacts safari_history
	safari_bookmarks whatsapp_chats whatsapp_messages notes photos media_files
	calendar_events voicemail wifi_networks accounts data_usage keychain)
# Rows per artifact, from tests/gen/README.md (device: the properties that
# CASE_FORMAT.md section 8 lists and tests/gen/plists.c writes: Info.plist 16,
# Manifest.plist 5 + Lockdown 6, Status.plist 6; wifi_networks: the 3
# networks of com.apple.wifi.plist and the 2 of known-networks).
declare -A ROWS=([device]=33 [applications]=1 [sms_messages]=12 [sms_attachments]=2 [calls]=6
	[contacts]=7 [safari_history]=7 [safari_bookmarks]=3 [whatsapp_chats]=2
	[whatsapp_messages]=8 [notes]=3 [photos]=3 [media_files]=3 [calendar_events]=3
	[voicemail]=2 [wifi_networks]=5 [accounts]=4 [data_usage]=4 [keychain]=7)

DB=out/artifacts.sqlite
q() { sqlite3 "$DB" "$1"; }
# eq SQL EXPECTED: the query's output (rows joined by newlines) is EXPECTED
eq() {
	local got
	got=$(q "$1") || fail "query failed: $1"
	[ "$got" = "$2" ] || fail "$DB: $1"$'\n'"  got:    $got"$'\n'"  wanted: $2"
}
sha() { sha256sum "$1" | cut -c1-64; }
# plain DOMAIN RELPATH: the decrypted file (the top-level plists from the bag)
plain() {
	local f
	if [ -z "$1" ]; then f="bag/data/$2"; else f="ex/$1/$2"; fi
	[ -f "$f" ] || fail "no decrypted copy of $1 $2 ($f)"
	printf '%s\n' "$f"
}
# prov ART WHERE DOMAIN RELPATH: the row(s) WHERE selects cite that file,
# with the SHA-256 of its decrypted content
prov() {
	local f
	f=$(plain "$3" "$4")
	eq "SELECT DISTINCT domain || '|' || relative_path || '|' || source_sha256 FROM $1 WHERE $2" \
		"$3|$4|$(sha "$f")"
}

mkdir tmp
export TMPDIR="$T/tmp"
sample src "${FAST[@]}"
sealed bag src
run 0 "$PARSE" bag --out out --password-file pw.txt
has "ifk-parse: OK"
# the decrypted files, for the provenance hashes (--export writes every file)
run 0 "$PARSE" bag --out ox --only device --read-only --password-file pw.txt --export ex
ok "the sealed encrypted sample bag is parsed, and exported for reference hashes"

# --- parse.json: every artifact ok, with its documented row count
python3 - out/parse.json "${ARTS[*]}" "$(for a in "${ARTS[@]}"; do printf '%s=%s ' "$a" "${ROWS[$a]}"; done)" <<'EOF' ||
import json, sys
d = json.load(open(sys.argv[1]))
want = sys.argv[2].split()
rows = dict(kv.split("=") for kv in sys.argv[3].split())
names = [a["name"] for a in d["artifacts"]]
assert names == want, names
for a in d["artifacts"]:
    assert a["status"] == "ok", a
    assert a["rows"] == int(rows[a["name"]]), (a["name"], a["rows"], rows[a["name"]])
    assert "partial" not in a or a["partial"] is False, a
assert d["outcome"] == "ok", d["outcome"]
assert d["encrypted"] is True
assert d["verification"]["verdict"] == "PASS", d["verification"]
f = d["files"]
# 28 files; the ThisDeviceOnly plist (89 bytes) cannot be decrypted off the device
assert (f["read"], f["bytes"], f["not_decryptable_off_device"], f["failed"]) == (27, 798530 - 89, 1, 0), f
EOF
	fail "parse.json: not every artifact ok with its documented rows"
for a in "${ARTS[@]}"; do
	eq "SELECT count(*) FROM $a" "${ROWS[$a]}"
	[ "$(wc -l <"out/$a.jsonl")" = "${ROWS[$a]}" ] || fail "out/$a.jsonl is not ${ROWS[$a]} lines"
done
ok "parse.json: all ${#ARTS[@]} artifacts ok; every table and jsonl holds the documented number of rows"

# Every row cites one of the files its artifact lists in parse.json, with
# that file's hash (media_files: the camera roll file itself, not a source).
python3 - out/parse.json "$DB" <<'EOF' || fail "a row cites a file its artifact does not list"
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
for a in d["artifacts"]:
    if a["name"] == "media_files":
        continue
    srcs = {(s["domain"], s["relative_path"], s["sha256"]) for s in a["sources"]}
    rows = set(db.execute(f'SELECT DISTINCT domain, relative_path, source_sha256 FROM {a["name"]}'))
    assert rows and rows <= srcs, (a["name"], rows - srcs)
EOF
ok "every row's provenance is one of its artifact's sources in parse.json"

# --- device (Info.plist, Manifest.plist, Status.plist at the top level)
eq "SELECT value FROM device WHERE property = 'Serial Number'" "F2LXK0AAHG7F"
eq "SELECT value FROM device WHERE property = 'Lockdown/SerialNumber'" "F2LXK0AAHG7F"
eq "SELECT value FROM device WHERE property IN ('Product Type', 'Product Version', 'Build Version',
	'Device Name') ORDER BY row_id" $'Sample iPhone\niPhone12,1\n16.7.2\n20H115'
eq "SELECT value FROM device WHERE property = 'Lockdown/ProductType'" "iPhone12,1"
eq "SELECT value || ' ' || time FROM device WHERE property = 'Last Backup Date'" \
	"2023-06-15T10:00:00Z 2023-06-15T10:00:00Z"
eq "SELECT group_concat(value, ' ') FROM device WHERE property IN ('IsEncrypted', 'SystemDomainsVersion')
	AND relative_path = 'Manifest.plist'" "true 24.0"
eq "SELECT value FROM device WHERE property = 'Version' AND relative_path = 'Status.plist'" "3.3"
eq "SELECT count(*) FROM device WHERE domain = ''" 33
prov device "property = 'Serial Number' AND source_table = 'Serial Number'" "" Info.plist
prov device "property = 'Lockdown/SerialNumber'" "" Manifest.plist
prov device "property = 'SnapshotState'" "" Status.plist
ok "device: serial F2LXK0AAHG7F, iPhone12,1, iOS 16.7.2 (20H115), backup date, from the three plists"

# --- applications
eq "SELECT bundle_id || '|' || name || '|' || version || '|' || short_version || '|' || container_class
	FROM applications" "net.whatsapp.WhatsApp|WhatsApp Messenger|23.12.78|23.12.78|Data/Application"
eq "SELECT path FROM applications" \
	"/private/var/containers/Bundle/Application/3F2504E0-4F89-41D3-9A0C-0305E82C3301/WhatsApp.app"
eq "SELECT installed || in_info_plist || in_manifest_plist || metadata FROM applications" "111ok"
prov applications "source_table = 'Applications' AND source_rowid = 1" "" Manifest.plist
ok "applications: WhatsApp Messenger 23.12.78, installed, in both plists"

# --- sms_messages (HomeDomain Library/SMS/sms.db)
SMS=(HomeDomain Library/SMS/sms.db)
eq "SELECT date FROM sms_messages WHERE message_rowid = 1" "2023-06-12T11:00:00Z"
eq "SELECT date FROM sms_messages WHERE message_rowid = 12" "2023-06-12T22:00:00Z"
eq "SELECT text || '|' || text_source || '|' || service || '|' || direction FROM sms_messages
	WHERE message_rowid = 7" "Reminder: dentist appointment tomorrow at 9:00|attributedBody|SMS|received"
eq "SELECT text FROM sms_messages WHERE message_rowid = 3" "Café 🚀 привет"
eq "SELECT is_read || '|' || quote(date_read) FROM sms_messages WHERE message_rowid = 12" "0|NULL"
eq "SELECT chat_display_name || '|' || chat_participants FROM sms_messages WHERE message_rowid = 9" \
	"Weekend Trip|alice@example.com,+447700900123"
eq "SELECT group_concat(message_rowid) FROM sms_messages WHERE attachment_count = 1" "4,11"
eq "SELECT count(*) FROM sms_messages WHERE direction = 'sent'" 4
prov sms_messages "source_table = 'message' AND source_rowid = 1" "${SMS[@]}"
ok "sms_messages: nanosecond dates, attributedBody-only text, Unicode, the unread message, the group"

# --- sms_attachments (sms.db; the files in MediaDomain)
ATT=Library/SMS/Attachments/ab/01/8F3C2A10-5B7D-4E21-9C6A-1D2E3F405001/IMG_0101.jpeg
eq "SELECT message_rowid || '|' || total_bytes || '|' || backup_domain || '|' || backup_path || '|' ||
	file_present || '|' || file_size || '|' || file_state FROM sms_attachments WHERE attachment_rowid = 1" \
	"4|23456|MediaDomain|$ATT|1|23456|ok"
eq "SELECT file_sha256 FROM sms_attachments WHERE attachment_rowid = 1" "$(sha "$(plain MediaDomain "$ATT")")"
# shellcheck disable=SC2088 # the device's own path, a literal ~
eq "SELECT filename FROM sms_attachments WHERE attachment_rowid = 1" "~/$ATT"
eq "SELECT message_rowid || '|' || total_bytes || '|' || created_date FROM sms_attachments
	WHERE attachment_rowid = 2" "11|34567|2023-06-12T21:00:00Z"
prov sms_attachments "source_table = 'attachment' AND source_rowid = 1" "${SMS[@]}"
ok "sms_attachments: messages 4 and 11, their sizes, and the stored file's hash"

# --- calls (HomeDomain Library/CallHistoryDB/CallHistory.storedata)
eq "SELECT group_concat(call_type, ',') FROM (SELECT call_type FROM calls ORDER BY call_rowid)" \
	"phone,phone,phone,facetime-video,facetime-audio,phone"
eq "SELECT group_concat(call_rowid) FROM calls WHERE answered = 0" "3,6"
eq "SELECT address || '|' || name || '|' || direction || '|' || duration || '|' || service_provider
	FROM calls WHERE call_rowid = 4" "alice@example.com|Alice Müller|outgoing|600.0|com.apple.FaceTime"
eq "SELECT date || '|' || direction FROM calls WHERE call_rowid = 1" "2023-06-13T10:59:59.250Z|outgoing"
prov calls "source_table = 'ZCALLRECORD' AND source_rowid = 1" HomeDomain \
	Library/CallHistoryDB/CallHistory.storedata
ok "calls: phone / FaceTime video / FaceTime audio, the 2 unanswered calls, fractional Cocoa dates"

# --- contacts (AddressBook.sqlitedb with its -wal)
AB=Library/AddressBook/AddressBook.sqlitedb
eq "SELECT name || '|' || phones || '|' || created || '|' || modified FROM contacts WHERE source_rowid = 6" \
	"Dana Lee|Mobile: +15555550106|2023-06-15T08:00:00Z|2023-06-15T08:00:00Z"
eq "SELECT name || '|' || first_name || '|' || phones || '|' || created FROM contacts WHERE source_rowid = 7" \
	"Zoë Nakamura|Zoë|Work: +81 90-1234-5678|2023-06-15T09:00:00Z"
eq "SELECT name || '|' || quote(first_name) || '|' || quote(last_name) || '|' || organization
	FROM contacts WHERE organization IS NOT NULL AND first_name IS NULL" "Acme Pizza|NULL|NULL|Acme Pizza"
eq "SELECT count(*) FROM contacts WHERE phones IS NOT NULL" 6
eq "SELECT count(*) FROM contacts WHERE emails IS NOT NULL" 4
prov contacts "source_table = 'ABPerson' AND source_rowid = 7" HomeDomain "$AB"
python3 - out/parse.json "$(sha "$(plain HomeDomain "$AB-wal")")" <<'EOF' || fail "contacts: the WAL in parse.json"
import json, sys
c = [a for a in json.load(open(sys.argv[1]))["artifacts"] if a["name"] == "contacts"][0]
s = c["sources"][0]
assert s["wal_applied"] is True and s["wal_bytes"] == 24752 and s["wal_sha256"] == sys.argv[2], s
EOF
ok "contacts: WAL-only Dana Lee and Zoë Nakamura with their numbers; rows cite the main file, parse.json the WAL"

# --- safari_history (HomeDomain Library/Safari/History.db, where iOS 14+ keeps it)
eq "SELECT url || '|' || quote(title) || '|' || load_successful || '|' || visit_time FROM safari_history
	WHERE visit_id = 5" "https://www.whatsapp.com/download|NULL|0|2023-06-14T14:00:00.125Z"
eq "SELECT title || '|' || visit_time FROM safari_history WHERE visit_id = 3" "café - Search|2023-06-14T12:00:00.500Z"
eq "SELECT count(DISTINCT item_id) || '|' || count(*) FILTER (WHERE load_successful = 0) FROM safari_history" "4|1"
eq "SELECT visit_count FROM safari_history WHERE visit_id = 1" 2
prov safari_history "source_table = 'history_visits' AND source_rowid = 5" HomeDomain Library/Safari/History.db
ok "safari_history: 7 visits of 4 pages; visit 5 failed to load and has no title"

# --- safari_bookmarks (HomeDomain Library/Safari/Bookmarks.db)
eq "SELECT group_concat(title || ' @ ' || folder, '; ') FROM (SELECT * FROM safari_bookmarks ORDER BY source_rowid)" \
	"Apple @ BookmarksBar; Database File Format @ BookmarksBar/Forensics; Cafés in Köln @ BookmarksBar/Travel"
eq "SELECT url || '|' || last_modified FROM safari_bookmarks WHERE title = 'Database File Format'" \
	"https://www.sqlite.org/fileformat.html|2023-06-08T10:00:00.750Z"
eq "SELECT url FROM safari_bookmarks WHERE source_rowid = 6" "https://example.com/k%C3%B6ln/caf%C3%A9s"
eq "SELECT count(*) FROM safari_bookmarks WHERE reading_list = 0 AND read IS NULL" 3
prov safari_bookmarks "source_table = 'bookmarks' AND source_rowid = 4" HomeDomain Library/Safari/Bookmarks.db
ok "safari_bookmarks: 3 bookmarks (no folders) in their folder paths; last_modified read as Unix time"

# --- whatsapp_chats and whatsapp_messages (ChatStorage.sqlite)
WA=(AppDomainGroup-group.net.whatsapp.WhatsApp.shared ChatStorage.sqlite)
eq "SELECT partner_name || '|' || is_group || '|' || message_counter || '|' || messages_stored FROM whatsapp_chats
	ORDER BY chat_pk" $'Bob Example|0|5|5\nFamily Group|1|3|3'
eq "SELECT contact_jid || '|' || last_message_date FROM whatsapp_chats WHERE chat_pk = 2" \
	"120363012345678901@g.us|2023-06-14T23:00:00.250Z"
prov whatsapp_chats "source_table = 'ZWACHATSESSION' AND source_rowid = 1" "${WA[@]}"
ok "whatsapp_chats: Bob Example (5 messages) and the group Family Group (3)"

eq "SELECT quote(text) || '|' || message_type || '|' || message_type_name || '|' || direction || '|' ||
	message_date FROM whatsapp_messages WHERE message_pk = 4" "NULL|1|image|received|2023-06-14T22:15:00.500Z"
eq "SELECT text || '|' || direction || '|' || quote(from_jid) || '|' || to_jid FROM whatsapp_messages
	WHERE message_pk = 2" "Hello Bob! 😀|sent|NULL|15555550101@s.whatsapp.net"
eq "SELECT text || '|' || chat_name FROM whatsapp_messages WHERE message_pk = 8" "Grüße aus Köln|Family Group"
eq "SELECT count(*) FROM whatsapp_messages WHERE direction = 'sent'" 3
prov whatsapp_messages "source_table = 'ZWAMESSAGE' AND source_rowid = 4" "${WA[@]}"
ok "whatsapp_messages: the image message without text, sent/received, Unicode"

# --- notes (AppDomainGroup-group.com.apple.notes NoteStore.sqlite)
eq "SELECT body FROM notes WHERE source_rowid = 4" $'Grocery list\ncafé, 🍎 apples, crème fraîche'
eq "SELECT title || '|' || folder || '|' || account || '|' || pinned || '|' || snippet || '|' || created || '|' ||
	modified FROM notes WHERE source_rowid = 4" \
	"Grocery list|Notes|iCloud|1|café, 🍎 apples, crème fraîche|2023-06-12T10:00:00.250Z|2023-06-15T09:00:00.500Z"
eq "SELECT title || '|' || folder || '|' || body FROM notes WHERE source_rowid = 6" \
	$'Pancakes|Recipes|Pancakes\n2 eggs, 250 g flour, 500 ml milk'
eq "SELECT body FROM notes WHERE source_rowid = 5" \
	$'Meeting notes\nDiscuss the Q3 roadmap with Carol.\nNext meeting: Friday 10:00'
eq "SELECT count(*) FROM notes WHERE body_status = 'ok' AND deleted = 0 AND locked = 0" 3
prov notes "source_table = 'ZICCLOUDSYNCINGOBJECT' AND source_rowid = 4" \
	AppDomainGroup-group.com.apple.notes NoteStore.sqlite
ok "notes: the gzip'd protobuf bodies in Unicode, their folders Notes/Recipes, the pinned note"

# --- photos (CameraRollDomain Media/PhotoData/Photos.sqlite)
eq "SELECT latitude = 52.520008 AND longitude = 13.404954 FROM photos WHERE filename = 'IMG_0001.JPG'" 1
eq "SELECT latitude = 48.85837 AND longitude = 2.294481 FROM photos WHERE filename = 'IMG_0002.JPG'" 1
eq "SELECT quote(latitude) || '|' || quote(longitude) FROM photos WHERE filename = 'IMG_0003.JPG'" "NULL|NULL"
eq "SELECT taken || '|' || width || 'x' || height || '|' || favorite || '|' || uuid FROM photos
	WHERE filename = 'IMG_0002.JPG'" "2023-06-11T10:00:00.750Z|3024x4032|1|6F3C1D2E-9A8B-4C7D-8E6F-5A4B3C2D1E0F"
eq "SELECT taken || '|' || modified || '|' || added FROM photos WHERE source_rowid = 1" \
	"2023-06-10T10:00:00.250Z|2023-06-10T10:00:10.500Z|2023-06-10T10:00:10.500Z"
IMG1=Media/DCIM/100APPLE/IMG_0001.JPG
eq "SELECT file_path || '|' || file_present || '|' || file_size || '|' || file_state || '|' || file_sha256 FROM photos
	WHERE source_rowid = 1" "$IMG1|1|41003|ok|$(sha "$(plain CameraRollDomain "$IMG1")")"
eq "SELECT group_concat(original_filename) FROM photos" "IMG_0001.JPG,IMG_0002.JPG,IMG_0003.JPG"
prov photos "source_table = 'ZASSET' AND source_rowid = 3" CameraRollDomain Media/PhotoData/Photos.sqlite
ok "photos: GPS of IMG_0001/0002, no location (-180) for IMG_0003 as NULL, the favorite, the stored files"

# --- media_files (every file under CameraRollDomain Media/DCIM/)
eq "SELECT group_concat(file_name || ':' || size || ':' || media_type || ':' || protection_class || ':' || state, ' ')
	FROM media_files" "IMG_0001.JPG:41003:photo:4:ok IMG_0002.JPG:131072:photo:4:ok IMG_0003.JPG:199999:photo:4:ok"
eq "SELECT count(*) FROM media_files m JOIN photos p ON m.file_path = p.file_path AND m.sha256 = p.file_sha256" 3
# tests/gen/catalog.c: an entry's MBFile LastModified is the base date - 2 days + 61 s x its
# index and Birth the base date - 30 days + 97 s x its index; IMG_0001.JPG is index 32
eq "SELECT modified || '|' || created || '|' || file_id FROM media_files WHERE file_name = 'IMG_0001.JPG'" \
	"2023-06-13T10:32:32Z|2023-05-16T10:51:44Z|$(printf 'CameraRollDomain-%s' "$IMG1" | sha1sum | cut -c1-40)"
prov media_files "file_path = '$IMG1' AND source_table = 'file' AND source_rowid = 1" CameraRollDomain "$IMG1"
ok "media_files: the 3 camera roll JPEGs with their sizes, class 4, fileIDs and hashes (= the photos' files)"

# --- calendar_events (HomeDomain Library/Calendar/Calendar.sqlitedb)
eq "SELECT all_day || '|' || start || '|' || \"end\" || '|' || start_tz || '|' || calendar || '|' || account
	FROM calendar_events WHERE summary = 'Weekend Trip 🏕'" \
	"1|2023-06-17T00:00:00Z|2023-06-18T00:00:00Z|_float|Personal|On My iPhone"
eq "SELECT start || '|' || \"end\" || '|' || location || '|' || location_address FROM calendar_events
	WHERE summary = 'Dentist appointment'" "2023-06-16T07:00:00Z|2023-06-16T07:45:00Z|Smile Dental|Friedrichstraße 100, 10117 Berlin"
eq "SELECT description || '|' || url || '|' || calendar || '|' || account || '|' || start || '|' || created
	FROM calendar_events WHERE source_rowid = 1" \
	"Quarterly planning|https://example.com/meet/team-sync|Work|iCloud|2023-06-14T14:00:00Z|2023-06-08T10:00:00.500Z"
eq "SELECT count(*) FROM calendar_events WHERE all_day = 0" 2
prov calendar_events "source_table = 'CalendarItem' AND source_rowid = 3" HomeDomain Library/Calendar/Calendar.sqlitedb
ok "calendar_events: the all-day floating trip, the dentist's location, the Work calendar on iCloud"

# --- voicemail (HomeDomain Library/Voicemail/voicemail.db)
eq "SELECT trashed || '|' || trashed_date || '|' || sender || '|' || date || '|' || duration || '|' || flags
	FROM voicemail WHERE source_rowid = 2" "1|2023-06-15T09:00:00Z|+447700900123|2023-06-15T07:00:00Z|2|11"
eq "SELECT trashed || '|' || quote(trashed_date) || '|' || date || '|' || expiration || '|' || remote_uid
	FROM voicemail WHERE source_rowid = 1" "0|NULL|2023-06-14T08:00:00Z|2023-07-14T08:00:00Z|101"
eq "SELECT audio_path || '|' || audio_present || '|' || audio_size || '|' || audio_sha256 FROM voicemail
	WHERE source_rowid = 1" \
	"Library/Voicemail/1.amr|1|4806|$(sha "$(plain HomeDomain Library/Voicemail/1.amr)")"
eq "SELECT audio_size FROM voicemail WHERE source_rowid = 2" 3206
prov voicemail "source_table = 'voicemail' AND source_rowid = 2" HomeDomain Library/Voicemail/voicemail.db
ok "voicemail: the trashed message (Cocoa trashed_date, Unix date), the audio files with their hashes"

# --- wifi_networks (the old plist, and the new one at the root of SystemPreferencesDomain)
OLDW=SystemConfiguration/com.apple.wifi.plist
NEWW=com.apple.wifi.known-networks.plist
eq "SELECT group_concat(ssid, ',') FROM (SELECT ssid FROM wifi_networks WHERE relative_path = '$NEWW' ORDER BY source_rowid)" \
	"HomeNet,Café Wi-Fi"
eq "SELECT group_concat(ssid, ',') FROM (SELECT ssid FROM wifi_networks WHERE relative_path = '$OLDW' ORDER BY source_rowid)" \
	"HomeNet,Café Wi-Fi,Airport_Free"
eq "SELECT bssid || '|' || security || '|' || added || '|' || last_joined || '|' || hidden || captive FROM wifi_networks
	WHERE source_table = 'wifi.network.ssid.HomeNet'" \
	"a4:2b:b0:11:22:33|WPA2 Personal|2022-06-15T10:00:00Z|2023-06-15T09:00:00Z|00"
eq "SELECT bssid || '|' || security || '|' || added FROM wifi_networks WHERE source_table = 'wifi.network.ssid.Café Wi-Fi'" \
	"3c:37:86:aa:bb:01|Open|2023-05-16T10:00:00Z"
eq "SELECT bssid || '|' || last_joined_user FROM wifi_networks WHERE ssid = 'Airport_Free'" \
	"00:1a:2b:3c:4d:5e|2023-06-08T10:00:00Z"
prov wifi_networks "source_format = 'known-networks' AND source_rowid = 1" SystemPreferencesDomain "$NEWW"
prov wifi_networks "source_format = 'wifi.plist' AND source_table = 'List of known networks' AND source_rowid = 3" \
	SystemPreferencesDomain "$OLDW"
ok "wifi_networks: known-networks HomeNet and Café Wi-Fi, the 3 networks of com.apple.wifi.plist (flags 0)"

# --- accounts (HomeDomain Library/Accounts/Accounts3.sqlite)
eq "SELECT group_concat(username, ',') FROM (SELECT username FROM accounts ORDER BY source_rowid)" \
	"alice@icloud.com,alice.example@gmail.com,alice@example.com,alice.mueller@corp.example"
eq "SELECT description || '|' || account_type || '|' || account_type_id || '|' || authenticated || '|' || added
	FROM accounts WHERE source_rowid = 4" \
	"Work Exchange|Exchange|com.apple.account.Exchange|0|2023-05-16T10:00:00Z"
eq "SELECT account_type || '|' || identifier || '|' || owning_bundle_id || '|' || added FROM accounts WHERE source_rowid = 1" \
	"iCloud|A1B2C3D4-0001-4000-8000-00000000AC01|com.apple.purplebuddy|2022-06-15T10:00:00.500Z"
prov accounts "source_table = 'ZACCOUNT' AND source_rowid = 2" HomeDomain Library/Accounts/Accounts3.sqlite
ok "accounts: the 4 usernames, their types, the unauthenticated Exchange account"

# --- data_usage (WirelessDomain Library/Databases/DataUsage.sqlite)
eq "SELECT process_name || '|' || quote(bundle_id) || '|' || wifi_in || '|' || wifi_out || '|' || wwan_in || '|' ||
	wwan_out || '|' || usage_time FROM data_usage WHERE source_rowid = 4" \
	"mDNSResponder|NULL|12345|6789|2048|1024|2023-06-15T09:50:00Z"
eq "SELECT wifi_in || '|' || wifi_out || '|' || wwan_in || '|' || wwan_out || '|' || usage_time FROM data_usage
	WHERE bundle_id = 'net.whatsapp.WhatsApp'" "1048576|262144|4194304|1048576|2023-06-15T08:00:00.250Z"
eq "SELECT sum(wifi_in) || '|' || sum(wwan_in) FROM data_usage WHERE bundle_id = 'com.apple.mobilesafari'" \
	"52428800|10485760"
prov data_usage "source_table = 'ZLIVEUSAGE' AND source_rowid = 4" WirelessDomain Library/Databases/DataUsage.sqlite
ok "data_usage: bytes per process (Safari, WhatsApp, mDNSResponder without bundle)"

# --- keychain (KeychainDomain keychain-backup.plist)
eq "SELECT count(*) FROM keychain WHERE state = 'decrypted'" 6
eq "SELECT item_class || '|' || keychain_class || '|' || state FROM keychain WHERE source_table = 'genp' AND
	source_rowid = 3" "genp|10|not-decryptable-off-device"
eq "SELECT service || '|' || account || '|' || label || '|' || created || '|' || modified || '|' || secret_bytes
	FROM keychain WHERE source_table = 'genp' AND source_rowid = 1" \
	"com.example.mail|alice@example.com|Example Mail|2023-05-16T10:00:00Z|2023-06-13T10:00:00Z|14"
eq "SELECT server || '|' || protocol || '|' || port || '|' || quote(path) || '|' || account FROM keychain
	WHERE item_class = 'inet' ORDER BY source_rowid" \
	$'imap.example.com|imap|993|\'\'|alice@example.com\nwww.example.org|htps|443|\'/login\'|bob'
eq "SELECT cert_subject || '|' || cert_issuer || '|' || secret_bytes FROM keychain WHERE item_class = 'cert'" \
	"/CN=ifk Test Certificate/O=ifk tests|/CN=ifk Test Certificate/O=ifk tests|279"
# notAfter 2043-06-10T10:00:00Z, in OpenSSL's wording or ISO 8601
na=$(q "SELECT cert_not_after FROM keychain WHERE item_class = 'cert'")
[ "$na" = 2043-06-10T10:00:00Z ] || fail "keychain cert_not_after: $na"
eq "SELECT label || '|' || key_size || '|' || application_tag || '|' || secret_bytes FROM keychain
	WHERE item_class = 'keys'" "ifk Test AES Key|256|com.example.ifk.aes|32"
eq "SELECT count(*) FROM keychain WHERE secret IS NOT NULL" 0
prov keychain "source_table = 'genp' AND source_rowid = 1" KeychainDomain keychain-backup.plist
ok "keychain: 6 of 7 items decrypted, the ThisDeviceOnly one listed; generic, internet, cert and key attributes"

# --- the timeline: an event for every artifact with timestamps
eq "SELECT count(*) FROM applications WHERE purchase_date IS NOT NULL" 0
python3 - out/timeline.csv "$DB" "${ARTS[*]}" <<'EOF' || fail "timeline.csv"
import csv, sqlite3, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
db = sqlite3.connect(sys.argv[2])
assert len(rows) == db.execute("SELECT count(*) FROM timeline").fetchone()[0]
have = {r["artifact"] for r in rows}
want = set(sys.argv[3].split()) - {"applications"}  # no dates in the sample's app lists
assert have == want, (sorted(want - have), sorted(have - want))
ev = {(r["artifact"], r["event"], r["time"], r["source_rowid"]) for r in rows}
for e in [("sms_messages", "received", "2023-06-12T11:00:00Z", "1"),
          ("voicemail", "trashed", "2023-06-15T09:00:00Z", "2"),
          ("calendar_events", "starts", "2023-06-17T00:00:00Z", "3"),
          ("contacts", "created", "2023-06-15T09:00:00Z", "7"),
          ("photos", "taken", "2023-06-10T10:00:00.250Z", "1"),
          ("device", "backup metadata", "2023-06-15T10:00:00Z", "15")]:
    assert e in ev, e
# every event points at a row of its artifact with the same provenance
for r in rows:
    got = db.execute(f'SELECT domain, relative_path, source_sha256, source_table, source_rowid FROM {r["artifact"]}'
                     ' WHERE row_id = ?', (int(r["row_id"]),)).fetchone()
    assert got and [str(x) for x in got] == [r["domain"], r["relative_path"], r["source_sha256"],
                                             r["source_table"], r["source_rowid"]], (r, got)
EOF
ok "timeline.csv: events of all 18 artifacts with dates, each pointing at its row"

# --- the legacy layout (iOS 9, Manifest.mbdb), a raw folder
sample old --layout mbdb "${FAST[@]}"
if [ ! -f old/Manifest.mbdb ] || [ -e old/Manifest.db ]; then fail "the legacy sample is not an mbdb backup"; fi
run 0 "$PARSE" old --out oold --password-file pw.txt
has "no seal to check"
has "ifk-parse: OK"
DB=oold/artifacts.sqlite
for a in "${ARTS[@]}"; do
	[ "$(q "SELECT count(*) FROM $a")" = "$(sqlite3 out/artifacts.sqlite "SELECT count(*) FROM $a")" ] ||
		fail "legacy $a: $(q "SELECT count(*) FROM $a") rows, modern ${ROWS[$a]}"
done
eq "SELECT group_concat(value, '|') FROM (SELECT value FROM device WHERE property IN ('Product Type', 'Product Version',
	'Build Version', 'Serial Number', 'SystemDomainsVersion') ORDER BY row_id)" "iPhone8,1|9.3.5|13G36|F2LXK0AAHG7F|20.0"
eq "SELECT count(*) FROM keychain WHERE state = 'decrypted'" 6
eq "SELECT name || '|' || phones FROM contacts WHERE source_rowid = 6" "Dana Lee|Mobile: +15555550106"
# Both layouts carry the same databases and files: the rows are the same
# but for the database files' own hashes and, mbdb having no birth time,
# media_files.created.
python3 - out/artifacts.sqlite oold/artifacts.sqlite "${ARTS[*]}" <<'EOF' || fail "legacy rows differ from modern"
import sqlite3, sys
m, o = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
for a in sys.argv[3].split():
    if a == "device":
        continue
    cols = [r[1] for r in m.execute(f"PRAGMA table_info({a})")
            if r[1] != "source_sha256" and not (a == "media_files" and r[1] == "created")]
    sql = f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM {a} ORDER BY row_id'
    mr, orr = m.execute(sql).fetchall(), o.execute(sql).fetchall()
    assert mr == orr, (a, [x for x in zip(mr, orr) if x[0] != x[1]][:2])
assert o.execute("SELECT count(*) FROM media_files WHERE created IS NOT NULL").fetchone()[0] == 0
EOF
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["outcome"]=="ok" and all(a["status"]=="ok" for a in d["artifacts"])' \
	oold/parse.json || fail "legacy parse.json: not every artifact ok"
ok "the legacy mbdb layout (iPhone8,1, 9.3.5) yields the same rows for every artifact but device"

# --- a real known-networks file where iOS 14+ keeps it: plaso's (1 network)
# replaces the sample's, as SystemPreferencesDomain com.apple.wifi.known-networks.plist
# (its fileID, Manifest.db row and MBFile Size and RelativePath rewritten to match)
PLASO_WIFI="${IFK_FIXTURES:?}/appdb/plaso-ios/com.apple.wifi.known-networks.plist"
sample real14
python3 - real14 "$PLASO_WIFI" <<'EOF' || fail "could not place the real known-networks file"
import hashlib, os, plistlib, sqlite3, sys
bk, src = sys.argv[1], sys.argv[2]
dom, rel = "SystemPreferencesDomain", "com.apple.wifi.known-networks.plist"
data = open(src, "rb").read()
db = sqlite3.connect(os.path.join(bk, "Manifest.db"))
old_id, blob = db.execute("SELECT fileID, file FROM Files WHERE domain = ? AND relativePath LIKE ?",
                          (dom, "%" + rel)).fetchone()
arc = plistlib.loads(blob)
mb = arc["$objects"][arc["$top"]["root"].data]
arc["$objects"][mb["RelativePath"].data] = rel
mb["Size"] = len(data)
new_id = hashlib.sha1(f"{dom}-{rel}".encode()).hexdigest()
db.execute("UPDATE Files SET fileID = ?, relativePath = ?, file = ? WHERE fileID = ?",
           (new_id, rel, plistlib.dumps(arc, fmt=plistlib.FMT_BINARY), old_id))
db.commit()
os.remove(os.path.join(bk, old_id[:2], old_id))
os.makedirs(os.path.join(bk, new_id[:2]), exist_ok=True)
open(os.path.join(bk, new_id[:2], new_id), "wb").write(data)
EOF
run 0 "$PARSE" real14 --out o14 --only wifi_networks
DB=o14/artifacts.sqlite
eq "SELECT ssid || '|' || bssid || '|' || added || '|' || last_joined FROM wifi_networks
	WHERE source_format = 'known-networks'" "Matt_Foley|6a:22:32:98:f4:df|2023-04-15T13:53:47Z|2023-05-20T19:55:03Z"
eq "SELECT DISTINCT domain || '|' || relative_path || '|' || source_sha256 FROM wifi_networks
	WHERE source_format = 'known-networks'" "SystemPreferencesDomain|$NEWW|$(sha "$PLASO_WIFI")"
eq "SELECT count(*) FROM wifi_networks WHERE relative_path = '$OLDW'" 3
python3 - o14/parse.json <<'EOF' || fail "o14/parse.json: wifi_networks is not ok with 4 rows"
import json, sys
a = [a for a in json.load(open(sys.argv[1]))["artifacts"] if a["name"] == "wifi_networks"][0]
assert a["status"] == "ok" and a["rows"] == 4, a
EOF
ok "wifi_networks: a real iOS 14+ known-networks file at SystemPreferencesDomain $NEWW gives its network"

[ -z "$(ls -A tmp)" ] || fail "temporaries left behind: $(ls tmp)"
echo "1..$PASSED"
