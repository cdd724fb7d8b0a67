#!/usr/bin/env bash
# Many small files: ifk-genbackup --small-files makes a valid backup of
# thousands of small files, plain and encrypted; ifk-acquire, ifk-verify,
# ifk-parse and ifk-report each account for every one of them, exactly.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"

N=2000
SIZE=4096
# the sample's 28 files plus N; its 28 folders plus one per 1,000 files;
# the payload adds Manifest.db, Info.plist, Manifest.plist, Status.plist
FILES=$((28 + N))
DIRS=$((28 + (N + 999) / 1000))
ENTRIES=$((FILES + DIRS + 1))
PAYLOAD=$((FILES + 4))
BYTES=$((798530 + N * SIZE))
DOMAIN=AppDomain-com.example.smallfiles

run 0 "$GEN" --out plain --small-files "$N"
has "files $FILES dirs $DIRS symlinks 1 bytes $BYTES"
run 0 "$GEN" --out enc --small-files "$N" "${FAST[@]}"
has "files $FILES dirs $DIRS symlinks 1 bytes $BYTES"
[ "$(find plain -type f | wc -l)" = "$PAYLOAD" ] || fail "plain: $(find plain -type f | wc -l) files on disk"
[ "$(sqlite3 plain/Manifest.db "SELECT count(*) FROM Files WHERE domain = '$DOMAIN' AND flags = 1")" = "$N" ] ||
	fail "Manifest.db does not list $N small files"
run 0 "$GEN" --out plain2 --small-files "$N"
diff -r plain plain2 >/dev/null || fail "the same options gave different backups"
rm -rf plain2
run 2 "$GEN" --out mbdb --small-files 10 --layout mbdb
has "--small-files needs the modern layout"
[ ! -e mbdb ] || fail "a refused run left its folder"
ok "the generator writes $N small files, deterministically, plain and encrypted"

sealed bag-plain plain
has "files: $PAYLOAD"
sealed bag-enc enc
has "files: $PAYLOAD"
ok "ifk-acquire copies and seals all $PAYLOAD payload files"

run 0 "$VERIFY" --read-only bag-plain
has "$PAYLOAD payload files read"
has "backup: Manifest.db, $ENTRIES entries"
has "ifk-verify: PASS"
run 0 "$VERIFY" --read-only --password-file pw.txt bag-enc
has "$PAYLOAD payload files read"
has "backup: Manifest.db, $ENTRIES entries"
# every file but the sample's one ThisDeviceOnly file
has "$((FILES - 1)) files decrypted"
has "ifk-verify: PASS"
ok "ifk-verify reads every file and decrypts every one it can"

run 0 "$PARSE" bag-plain --out parsed-plain --export exp-plain
has "files: $FILES decrypted ($BYTES bytes), 0 not decryptable off the device, 0 failed"
run 0 "$PARSE" bag-enc --out parsed-enc --export exp-enc --password-file pw.txt
has "files: $((FILES - 1)) decrypted"
[ "$(find "exp-enc/$DOMAIN" -type f | wc -l)" = "$N" ] || fail "export: not $N small files"
[ -z "$(find "exp-enc/$DOMAIN" -type f ! -size "${SIZE}c")" ] || fail "export: a small file of the wrong size"
diff -r "exp-plain/$DOMAIN" "exp-enc/$DOMAIN" >/dev/null ||
	fail "the decrypted small files differ from the unencrypted backup's"
ok "ifk-parse reads every file; the encrypted backup decrypts to the plain one"

run 0 "$REPORT" bag-enc parsed-enc --out report.tar.gz --key ex.key --cert ex.pem \
	--password-file pw.txt --read-only
has "ifk-report: SIGNED"
mkdir x && tar -xzf report.tar.gz -C x report.json
python3 - x/report.json "$PAYLOAD" "$((FILES - 1))" <<'EOF' || fail "report.json does not count every file"
import json, sys
r = json.load(open(sys.argv[1]))
payload, read = int(sys.argv[2]), int(sys.argv[3])
assert r["acquisition"]["files"] == payload, r["acquisition"]
assert r["backup_files"]["count"] == payload, r["backup_files"]
assert r["parse"]["files"]["read"] == read, r["parse"]["files"]
assert r["verification"]["verdict"] == "PASS"
EOF
ok "ifk-report counts every file"

# one flipped byte in one small file of $N is found and named
victim=$(sqlite3 plain/Manifest.db \
	"SELECT fileID FROM Files WHERE relativePath = 'Library/Caches/b00001/f00001234.bin'")
[ -n "$victim" ] || fail "no fileID for f00001234.bin"
chmod -R u+w bag-plain
flip "bag-plain/data/${victim:0:2}/$victim" 100
run 1 "$VERIFY" --read-only bag-plain
has "$victim"
has "ifk-verify: FAIL"
ok "one changed small file among $N fails verification, by name"
