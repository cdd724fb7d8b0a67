#!/usr/bin/env bash
# ifk-parse end to end: a sealed encrypted bag is verified, decrypted and
# parsed in one pass; outputs carry provenance; the bag gains only a custody
# entry; tampered bags are refused; temporaries never outlive the run.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"

mkdir tmp
export TMPDIR="$T/tmp"
sample src "${FAST[@]}"
sealed bag src
( cd bag && find . -type f ! -name ifk-custody.log -print0 | sort -z | xargs -0 sha256sum ) > before.sum

run 0 "$PARSE" bag --out out --password-file pw.txt --examiner "Test Examiner"
has "verification: PASS (seal pass, custody pass, backup pass, encryption pass)"
has "ifk-parse: OK"
for f in artifacts.sqlite timeline.csv parse.json verify.json sms_messages.jsonl contacts.jsonl; do
	[ -s "out/$f" ] || fail "out/$f missing or empty"
done
[ "$(stat -c %a out)" = 700 ] || fail "the output folder is not private (0700)"
[ -z "$(ls -A tmp)" ] || fail "temporaries left behind: $(ls tmp)"
[ ! -e out.incomplete ] || fail "out.incomplete left behind"
ok "a sealed encrypted bag is parsed; outputs written; no temporary is left"

q() { sqlite3 out/artifacts.sqlite "$1"; }
[ "$(q 'SELECT count(*) FROM sms_messages')" = 12 ] || fail "sms_messages: $(q 'SELECT count(*) FROM sms_messages')"
[ "$(wc -l < out/sms_messages.jsonl)" = 12 ] || fail "sms_messages.jsonl is not 12 lines"
[ "$(q "SELECT text FROM sms_messages WHERE text LIKE 'Reminder:%'")" = \
	"Reminder: dentist appointment tomorrow at 9:00" ] || fail "attributedBody-only text not extracted"
[ "$(q "SELECT count(*) FROM sms_messages WHERE text = 'Café 🚀 привет'")" = 1 ] || fail "Unicode text"
sms_sha=$(q "SELECT DISTINCT source_sha256 FROM sms_messages")
[ "$(q "SELECT DISTINCT domain || '/' || relative_path FROM sms_messages")" = \
	"HomeDomain/Library/SMS/sms.db" ] || fail "sms provenance"
# the provenance hash is the decrypted file's: compare with the export below
ok "rows carry text from attributedBody, Unicode, and their provenance"

[ "$(q 'SELECT count(*) FROM contacts')" = 7 ] || fail "contacts: WAL rows missing ($(q 'SELECT count(*) FROM contacts'))"
python3 - out/parse.json <<'EOF' || fail "parse.json does not record the WAL"
import json, sys
d = json.load(open(sys.argv[1]))
c = [a for a in d["artifacts"] if a["name"] == "contacts"][0]
assert c["status"] == "ok" and c["rows"] == 7, c
assert c["sources"][0]["wal_applied"] is True, c
assert d["outcome"] == "ok" and d["encrypted"] is True
names = [a["name"] for a in d["artifacts"]]
for a in d["artifacts"]:
    assert a["status"] in ("ok", "absent", "missing", "not_decryptable", "failed",
                           "unsupported-schema"), a
    assert a["status"] != "ok" or a["sources"] or a["name"] == "media_files", a
EOF
ok "rows that live only in a WAL are read, and parse.json says the WAL was applied"

[ "$(q "SELECT count(*) FROM keychain WHERE state = 'decrypted'")" = 6 ] || fail "keychain: decrypted items"
[ "$(q "SELECT item_class || ' ' || accessible || ' ' || state FROM keychain WHERE keychain_class = 10")" = \
	"genp AfterFirstUnlockThisDeviceOnly not-decryptable-off-device" ] || fail "keychain: ThisDeviceOnly item"
[ "$(q "SELECT server || ':' || port || ' ' || account || ' ' || secret_bytes FROM keychain WHERE protocol = 'imap'")" = \
	"imap.example.com:993 alice@example.com 14" ] || fail "keychain: internet password metadata"
[ "$(q "SELECT count(*) FROM keychain WHERE secret IS NOT NULL")" = 0 ] || fail "secrets output without --include-secrets"
! grep -rq 's3cret-mail-pw' out || fail "a keychain secret is in the output without --include-secrets"
[ "$(q "SELECT cert_subject FROM keychain WHERE item_class = 'cert'")" = "/CN=ifk Test Certificate/O=ifk tests" ] ||
	fail "keychain: certificate subject"
ok "the keychain is decrypted with the class keys; secrets stay out; ThisDeviceOnly is listed as such"

head -1 out/timeline.csv | grep -qx "time,artifact,event,summary,row_id,domain,relative_path,source_sha256,source_table,source_rowid" ||
	fail "timeline.csv header"
python3 - out/timeline.csv <<'EOF' || fail "timeline.csv is not sorted by time"
import csv, sys
from datetime import datetime
rows = list(csv.reader(open(sys.argv[1], newline="")))[1:]
t = [datetime.fromisoformat(r[0].replace("Z", "+00:00")) for r in rows]
assert len(t) > 50 and t == sorted(t), "unsorted"
EOF
grep -q ',sms_messages,sent,' out/timeline.csv || fail "no sms event in the timeline"
grep -q ',calls,' out/timeline.csv || fail "no call event in the timeline"
ok "timeline.csv holds every artifact's events, sorted by time"

( cd bag && find . -type f ! -name ifk-custody.log -print0 | sort -z | xargs -0 sha256sum ) > after.sum
cmp -s before.sum after.sum || fail "ifk-parse changed the bag: $(diff before.sum after.sum)"
tail -1 bag/ifk-custody.log | grep -q '"action":"parse"' || fail "no parse entry in the custody log"
psha=$(sha256sum out/parse.json | cut -c1-64)
tail -1 bag/ifk-custody.log | grep -q "\"parse_json_sha256\":\"$psha\"" || fail "custody entry lacks parse.json's hash"
grep -q 'sample-pw' bag/ifk-custody.log out/parse.json && fail "the password leaked"
run 0 "$VERIFY" --read-only --password-file pw.txt bag
ok "the bag is untouched but for a custody entry that holds parse.json's hash"

run 2 "$PARSE" bag --out out --password-file pw.txt
has "exists"
run 2 "$PARSE" bag --out o2 --only sms_messages,nonsense --password-file pw.txt
has "nonsense"
[ ! -e o2 ] && [ ! -e o2.incomplete ] || fail "usage errors left output behind"
run 2 "$PARSE" bag --out o2 </dev/null
has "encrypted"
[ ! -e o2 ] || fail "output without a password"
mkdir victim.incomplete && echo keep > victim.incomplete/acquiring.txt
run 2 "$PARSE" bag --out victim --password-file pw.txt
has "victim.incomplete exists"
[ "$(cat victim.incomplete/acquiring.txt)" = keep ] || fail "another run's .incomplete folder was touched"
run 2 "$PARSE" bag --out bag/parsed --password-file pw.txt
has "inside the evidence"
run 2 "$PARSE" bag --out o2 --export bag/data/x --password-file pw.txt
has "inside the evidence"
TMPDIR="$T/bag" run 2 "$PARSE" bag --out o2 --password-file pw.txt
has "TMPDIR"
[ ! -e o2 ] && [ ! -e bag/parsed ] && [ ! -e bag/parsed.incomplete ] || fail "output written"
( cd bag && find . -type f ! -name ifk-custody.log -print0 | sort -z | xargs -0 sha256sum ) > now.sum
cmp -s before.sum now.sum || fail "the bag changed"
ok "usage errors: an existing output, another run's .incomplete folder (left alone), an output, export or TMPDIR inside the evidence, an unknown artifact, no password"

run 0 "$PARSE" bag --out o3 --only sms_messages,calls --password-file pw.txt --read-only \
	--export ex --yara "$IFK_SOURCE_DIR/rules"
[ "$(python3 -c 'import json,sys; print(" ".join(a["name"] for a in json.load(open("o3/parse.json"))["artifacts"]))')" = \
	"sms_messages calls" ] || fail "--only did not select"
[ "$(sha256sum ex/HomeDomain/Library/SMS/sms.db | cut -c1-64)" = "$sms_sha" ] ||
	fail "exported sms.db is not the file the rows cite"
[ -f ex/CameraRollDomain/Media/DCIM/100APPLE/IMG_0001.JPG ] || fail "export lacks a photo"
python3 - o3/parse.json <<'EOF' || fail "export skips not recorded"
import json, sys
e = json.load(open(sys.argv[1]))["export"]
r = {s["relative_path"]: s["reason"] for s in e["skips"]}
assert "off the device" in r["Library/Preferences/com.apple.security.deviceonly.plist"], r
EOF
grep -q '"rule":"ifk_test_canary".*"relative_path":"Library/Preferences/com.example.planted.plist"' o3/yara.jsonl ||
	fail "the planted canary was not found by YARA with its provenance"
canary_sha=$(sha256sum ex/HomeDomain/Library/Preferences/com.example.planted.plist | cut -c1-64)
grep '"rule":"ifk_test_canary"' o3/yara.jsonl | grep -q "\"sha256\":\"$canary_sha\"" || fail "YARA match hash"
[ "$(tail -1 bag/ifk-custody.log | grep -c '"action":"parse"')" = 1 ] || true
[ -z "$(ls -A tmp)" ] || fail "temporaries left behind"
ok "--only, --export (undecryptable files listed) and --yara (canary found with provenance)"

sample evil --evil-path
run 1 "$PARSE" evil --out oe --only device --export exe
has "escapes its domain"
has "parsed with findings"
[ ! -e etc ] && [ ! -e exe/etc ] && ! find . -name evil.txt | grep -q . || fail "the hostile path was exported"
grep -q '"relative_path": "../../../etc/evil.txt"' oe/parse.json || fail "the hostile path's skip is not recorded"
ok "a hostile relativePath is a finding, parsed around and never exported"

# The backup's own flaws are parsed around, with exit 1 and the findings
# beside the artifacts they touch; only a failed seal or custody chain, or a
# wrong password, is refused.
id=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
cp -a src flawed
rm "flawed/${id:0:2}/$id"
sealed flawed.bag flawed
for t in flawed flawed.bag; do
	run 1 "$PARSE" "$t" --out "of-$t" --password-file pw.txt --read-only
	has "parsed with findings"
	has "not stored in the backup"
	lacks "refused"
	python3 - "of-$t/parse.json" "$id" <<'EOF' || fail "$t: parse.json does not show the missing source"
import json, sys
d = json.load(open(sys.argv[1]))
a = {x["name"]: x for x in d["artifacts"]}
assert d["outcome"] == "findings", d["outcome"]
sms = a["sms_messages"]
assert sms["status"] == "missing" and "not stored" in sms["reason"], sms
assert any(sys.argv[2] in f["file"] and f["level"] == "fail" for f in sms["verification_findings"]), sms
assert a["contacts"]["status"] == "ok" and a["contacts"]["rows"] == 7, a["contacts"]
assert "verification_findings" not in a["contacts"], a["contacts"]
assert d["verification"]["failures_total"] >= 1
assert any(sys.argv[2] in f["file"] for f in d["verification"]["failures"])
EOF
done
ok "a backup whose listed sms.db is not stored is parsed around (exit 1): sms_messages missing, the rest ok"

sample stale "${FAST[@]}" --stale-size
run 0 "$PARSE" stale --out ostale --password-file pw.txt --only sms_messages,calls
has "Size mismatch"
python3 - ostale/parse.json <<'EOF' || fail "the stale Size is not shown beside sms_messages"
import json, sys
a = {x["name"]: x for x in json.load(open(sys.argv[1]))["artifacts"]}
f = a["sms_messages"]["verification_findings"]
assert a["sms_messages"]["status"] == "ok" and a["sms_messages"]["rows"] == 12
assert f[0]["level"] == "warn" and "Size mismatch" in f[0]["reason"], f
assert "verification_findings" not in a["calls"]
EOF
ok "a warning on a source (a stale Size) stands beside its artifact; the parse is ok"

run 0 "$PARSE" bag --out o9 --only keychain --include-secrets --password-file pw.txt --read-only
[ "$(sqlite3 o9/artifacts.sqlite "SELECT secret FROM keychain WHERE service = 'com.example.mail'")" = s3cret-mail-pw ] ||
	fail "--include-secrets did not output the secret"
grep -q 's3cret-mail-pw' bag/ifk-custody.log o9/parse.json && fail "a secret leaked into custody or parse.json"
ok "--include-secrets outputs the secret values (and only the outputs hold them)"

n_before=$(wc -l < bag/ifk-custody.log)
run 0 "$PARSE" bag --out o4 --only device --password-file pw.txt --read-only
[ "$(wc -l < bag/ifk-custody.log)" = "$n_before" ] || fail "--read-only appended"
ok "--read-only appends nothing"

cp -a bag bad
id=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
flip "bad/data/${id:0:2}/$id" 100
run 4 "$PARSE" bad --out o5 --password-file pw.txt
has "refused: the seal or custody check failed"
has "content changed"
[ ! -e o5 ] && [ ! -e o5.incomplete ] || fail "a refused bag left output"
tail -1 bad/ifk-custody.log | grep -q '"result":"refused"' || fail "refusal not in custody"
run 1 "$PARSE" bad --out o5 --password-file pw.txt --no-verify
has "FAILED, PARSED ANYWAY"
has "WARNING: --no-verify"
python3 -c 'import json; d=json.load(open("o5/parse.json")); v=d["verification"]; assert v["verdict"]=="FAIL" and v["no_verify"] is True and d["outcome"]=="findings"' ||
	fail "parse.json does not record --no-verify"
tail -1 bad/ifk-custody.log | grep -q '"no_verify":true' || fail "--no-verify not in custody"
ok "a tampered bag is refused (exit 4); --no-verify parses it, loudly and on record"

run 5 "$PARSE" bag --out o6 --password-file badpw.txt
has "refused: wrong password"
lacks "--no-verify"
[ ! -e o6 ] || fail "wrong password left output"
run 5 "$PARSE" bag --out o6 --password-file badpw.txt --no-verify
has "refused: wrong password"
[ ! -e o6 ] || fail "wrong password left output"
ok "a wrong password is refused, also under --no-verify (nothing could be decrypted)"

odd=$'out-\xff\x01'
run 0 "$PARSE" bag --out "$odd" --only device --password-file pw.txt --export "ex-$odd"
has $'output: out-\xff\\x01'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["export"]["path"].startswith("ex-out-"), d["export"]' \
	"$odd/parse.json" || fail "parse.json lost the export member"
tail -1 bag/ifk-custody.log | grep -q '"output":"out-\\\\xff\\\\x01"' || fail "custody entry lacks the escaped output name"
tail -1 bag/ifk-custody.log | grep -q '"parse_json_sha256":"[0-9a-f]\{64\}"' || fail "custody entry lacks parse.json's hash"
ok "output names that are not UTF-8 are escaped in the output, parse.json and the custody entry"

run 0 "$PARSE" src --out o7 --password-file pw.txt --only sms_messages
has "no seal to check"
ok "a raw backup folder is parsed, saying there is no seal"

sample big "${FAST[@]}" --bulk-mib 400
"$PARSE" big --out o8 --password-file pw.txt --export ex8 >out.txt 2>&1 &
pid=$!
for _ in $(seq 100); do [ -n "$(ls -A tmp)" ] && break; sleep 0.05; done
[ "$(stat -c %a tmp/ifk-parse-* 2>/dev/null | head -1)" = 700 ] || fail "the temporary folder is not private"
sleep 0.3
kill -INT $pid
rc=0
wait $pid || rc=$?
[ "$rc" = 130 ] || fail "interrupted parse exited $rc"
[ -z "$(ls -A tmp)" ] || fail "temporaries left after Ctrl-C: $(ls tmp)"
[ ! -e o8 ] && [ ! -e o8.incomplete ] && [ ! -e ex8.incomplete ] || fail "partial outputs left after Ctrl-C"
ok "Ctrl-C: exit 130, the private 0700 temporaries and partial outputs are removed"

echo "1..$PASSED"
