#!/usr/bin/env bash
# The sample generator (tests/gen/README.md): the same options give a
# byte-identical backup (contents, names, sizes, modes and times), another
# seed another one; and the files the artifacts read sit at the domain and
# relativePath where a real iOS 14+ backup keeps them, stored under the
# fileID that domain and path give.
. "$(dirname "$0")/lib.sh"

# tree DIR: every entry below DIR with its type, size, mode and mtime, and
# the SHA-256 of every file
tree() {
	(cd "$1" && find . -printf '%P %y %s %m %T@\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
# same NAME OPTIONS...: two generations with OPTIONS are identical
same() {
	local name=$1
	shift
	sample "$name.1" "$@"
	sample "$name.2" "$@"
	tree "$name.1" >"$name.1.txt"
	tree "$name.2" >"$name.2.txt"
	cmp -s "$name.1.txt" "$name.2.txt" || fail "$name: two runs differ: $(diff "$name.1.txt" "$name.2.txt" | head -5)"
	[ "$(wc -l <"$name.1.txt")" -gt 50 ] || fail "$name: the listing is too short to mean anything"
}

same plain
same enc "${FAST[@]}"
same mbdb --layout mbdb "${FAST[@]}"
ok "the same options give byte-identical backups (unencrypted, encrypted, legacy mbdb)"

sample seed2 --seed 2
tree seed2 >seed2.txt
! cmp -s plain.1.txt seed2.txt || fail "--seed 2 gives the same backup as seed 1"
cmp -s plain.1/Manifest.db seed2/Manifest.db && fail "--seed 2 gives the same Manifest.db"
ok "another seed gives another backup"

# row DOMAIN RELPATH: the file is in Manifest.db, stored at xx/<SHA-1 of DOMAIN-RELPATH>
row() {
	local id
	id=$(printf '%s-%s' "$1" "$2" | sha1sum | cut -c1-40)
	# flags 1, or 0 for com.apple.wifi.plist (the sample's flags-0 case)
	[ "$(sqlite3 plain.1/Manifest.db "SELECT fileID FROM Files
		WHERE domain = '$1' AND relativePath = '$2' AND flags IN (0, 1)")" = "$id" ] ||
		fail "no file row for $1 $2 ($id)"
	[ -f "plain.1/${id:0:2}/$id" ] || fail "$1 $2 is not stored at ${id:0:2}/$id"
}
# none DOMAIN RELPATH: no such row
none() {
	[ "$(sqlite3 plain.1/Manifest.db "SELECT count(*) FROM Files WHERE domain = '$1' AND relativePath = '$2'")" = 0 ] ||
		fail "a row for $1 $2, where iOS 14+ keeps no such file"
}
# Where an iOS 14.3 backup's Manifest.db has them (and, for the databases,
# the iOS 18 layouts of ../shared/fixtures/appdb/ios18-schemas).
row SystemPreferencesDomain com.apple.wifi.known-networks.plist
none SystemPreferencesDomain SystemConfiguration/com.apple.wifi.known-networks.plist
row SystemPreferencesDomain SystemConfiguration/com.apple.wifi.plist
row HomeDomain Library/Safari/History.db
none AppDomain-com.apple.mobilesafari Library/Safari/History.db
row HomeDomain Library/SMS/sms.db
row HomeDomain Library/CallHistoryDB/CallHistory.storedata
row HomeDomain Library/AddressBook/AddressBook.sqlitedb
row HomeDomain Library/Safari/Bookmarks.db
row HomeDomain Library/Calendar/Calendar.sqlitedb
row HomeDomain Library/Voicemail/voicemail.db
row HomeDomain Library/Accounts/Accounts3.sqlite
row AppDomainGroup-group.net.whatsapp.WhatsApp.shared ChatStorage.sqlite
row AppDomainGroup-group.com.apple.notes NoteStore.sqlite
row CameraRollDomain Media/PhotoData/Photos.sqlite
row CameraRollDomain Media/DCIM/100APPLE/IMG_0001.JPG
row WirelessDomain Library/Databases/DataUsage.sqlite
row KeychainDomain keychain-backup.plist
ok "every file an artifact reads is at its real iOS 14+ domain and relativePath, stored under its fileID"
echo "1..$PASSED"
