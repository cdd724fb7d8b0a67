#!/usr/bin/env bash
# The backup check: Status.plist, the index's entries and paths, legacy
# Manifest.mbdb with dataHash; raw backup folders and plain BagIt bags.
. "$(dirname "$0")/lib.sh"

sample evil --evil-path
examiner
run 0 "$ACQUIRE" --from evil --out evil.bag --key ex.key --cert ex.pem
run 1 "$VERIFY" evil.bag
finding backup fail "../../../etc/evil.txt"
has "escapes its domain"
check_status seal pass
[ ! -e etc/evil.txt ] && [ ! -e ../etc/evil.txt ] || fail "something was written outside"
ok "a Manifest.db entry with .. in its path fails the backup check"

sample unfinished --snapshot-state uploading
run 1 "$ACQUIRE" --from unfinished --out unfinished.bag --key ex.key --cert ex.pem
has "anomalies: 1"
grep -q '"kind": "unfinished"' unfinished.bag/ifk-acquisition.json || fail "no anomaly recorded"
run 1 "$VERIFY" unfinished.bag
finding backup fail "Status.plist"
has 'SnapshotState is "uploading"'
finding seal warn "Status.plist"
ok "an unfinished Status.plist is sealed as found, recorded, and fails verification"

sample legacy --layout mbdb
sealed legacy.bag legacy
run 0 "$VERIFY" legacy.bag
has "Manifest.mbdb, 57 entries"
ok "a legacy Manifest.mbdb backup is acquired and verified"

cp -a legacy legacy2
id=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
flip "legacy2/$id" 200
run 1 "$VERIFY" legacy2
finding backup fail "$id"
has "is not the index's dataHash"
ok "mbdb: a stored file that does not match its dataHash fails"

sample legacyenc --layout mbdb --encrypt --password-file pw.txt --iter 1000
run 0 "$VERIFY" --password-file pw.txt legacyenc
has "27 files decrypted"
ok "an encrypted legacy backup (no DPIC stage) unlocks and decrypts"

sample raw
run 0 "$VERIFY" raw
check_status seal skip
has "raw backup folder: there is no seal to check"
[ ! -e raw/ifk-custody.log ] || fail "verify wrote into a raw backup"
ok "a raw backup folder is verified without a seal, and nothing is written into it"

# Real devices write UserID/GroupID -2 ("nobody") as the 8-byte integer
# 0xff..fe; the sample holds such entries like a real iOS 14 backup does.
n=$(sqlite3 raw/Manifest.db \
	"SELECT count(*) FROM Files WHERE instr(hex(file), '13FFFFFFFFFFFFFFFE') > 0")
[ "$n" -gt 0 ] || fail "the sample has no entry owned by -2"
lacks "UserID"
lacks "GroupID"
ok "$n entries owned by UserID/GroupID -2 (nobody), as devices write them, pass unremarked"

cp -a raw raw2
rm "raw2/${id:0:2}/$id"
echo stray > raw2/00/0000000000000000000000000000000000000000 2>/dev/null ||
	{ mkdir -p raw2/00 && echo stray > raw2/00/0000000000000000000000000000000000000000; }
run 1 "$VERIFY" raw2
finding backup fail "Library/SMS/sms.db"
has "not stored in the backup"
finding backup fail "00/0000000000000000000000000000000000000000"
has "has no entry in the index"
ok "a missing stored file and a stray stored file fail the backup check"

# Files iTunes and Finder write beside the index are part of the format;
# a Snapshot folder left behind is an interrupted backup, never passed over.
cp -a raw known
printf '<?xml version="1.0"?><plist version="1.0"><dict/></plist>\n' > known/DDNABackup.plist
run 0 "$VERIFY" known
lacks "DDNABackup.plist"
mkdir -p known/Snapshot/3d && echo partial > known/Snapshot/3d/partial
run 1 "$VERIFY" known
finding backup fail "Snapshot/"
has "did not complete"
lacks "not a file of the backup format"
examiner
run 1 "$ACQUIRE" --from known --out known.bag --key ex.key --cert ex.pem
grep -q '"kind": "interrupted"' known.bag/ifk-acquisition.json || fail "no interrupted anomaly"
[ -f known.bag/data/Snapshot/3d/partial ] && [ -f known.bag/data/DDNABackup.plist ] ||
	fail "the Snapshot folder or DDNABackup.plist was not copied as found"
run 1 "$VERIFY" known.bag
check_status seal warn
finding backup fail "Snapshot/"
ok "DDNABackup.plist is a known file; a leftover Snapshot folder is recorded at acquisition and fails the backup check"

# A folder that looks like a backup but has no file index is sealed as
# found, with the anomaly recorded, and exit 1.
mkdir noindex && cp raw/Info.plist raw/Manifest.plist raw/Status.plist noindex/
run 1 "$ACQUIRE" --from noindex --out noindex.bag --key ex.key --cert ex.pem
has "anomalies: 1"
grep -q '"kind": "no-index"' noindex.bag/ifk-acquisition.json || fail "no no-index anomaly"
run 1 "$VERIFY" noindex.bag
finding backup fail "Manifest.db"
has "no file index"
: > noindex/Manifest.db
run 1 "$ACQUIRE" --from noindex --out noindex2.bag --key ex.key --cert ex.pem
grep -q 'file index is empty' noindex2.bag/ifk-acquisition.json || fail "an empty index was not recorded"
ok "a backup without (or with an empty) Manifest.db is sealed with an anomaly and exit 1"

# a plain BagIt bag made by hand (another tool)
mkdir -p plain/data && cp -a raw/. plain/data/
(cd plain && printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' > bagit.txt &&
	find data -type f -print0 | sort -z | xargs -0 sha256sum > manifest-sha256.txt)
run 0 "$VERIFY" plain
has "(bagit)"
finding seal warn "" 
has "unsealed"
check_status custody skip
[ ! -e plain/ifk-custody.log ] || fail "verify wrote into another tool's bag"
ok "a plain BagIt bag is checked as BagIt and reported unsealed"

printf 'x' >> "plain/data/${id:0:2}/$id"
run 1 "$VERIFY" plain
finding seal fail "data/${id:0:2}/$id"
ok "a plain BagIt bag with a changed file fails"

# a name that is not UTF-8 (byte 0xff) is listed escaped, never dropped
sample odd
sealed odd.bag odd
mkdir -p odd.bag/data/ab && printf 'x' >"odd.bag/data/ab/"$'\xff'
run 1 "$VERIFY" --read-only odd.bag
finding seal fail 'data/ab/\\xff' # awk -v reads \\ as one backslash
has 'data/ab/\xff: added: not listed in manifest-sha256.txt'
finding backup warn 'ab/\\xff'
lacks "more findings not listed"
run 1 "$VERIFY" --read-only --json odd.bag
python3 - out.txt <<'PY' || fail "the JSON report lacks the escaped findings"
import json, sys
r = json.load(open(sys.argv[1]))
found = {(c["name"], f["file"]) for c in r["checks"] for f in c["findings"]}
assert ("seal", "data/ab/\\xff") in found and ("backup", "ab/\\xff") in found, found
PY
ok "a file whose name is not UTF-8 is listed, escaped, in the text and the JSON report"
echo "$PASSED passed, 0 failed"
