#!/usr/bin/env bash
# ifk-report end to end: a sealed, parsed bag becomes a signed, deterministic
# archive that OpenSSL and ifk-verify accept; the bag gains its custody
# entry; a changed, added or removed member fails with its name.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"

mkdir tmp
export TMPDIR="$T/tmp"
sample src "${FAST[@]}"
sealed bag src
run 0 "$PARSE" bag --out parsed --password-file pw.txt
log_before=$(wc -l < bag/ifk-custody.log)

# two reports from the same inputs (--read-only: the log does not move)
run 0 "$REPORT" bag parsed --out r1.tar.gz --key ex.key --cert ex.pem --password-file pw.txt --read-only
run 0 "$REPORT" bag parsed --out r2.tar.gz --key ex.key --cert ex.pem --password-file pw.txt --read-only
cmp r1.tar.gz r2.tar.gz || fail "two reports of the same inputs differ"
[ "$(wc -l < bag/ifk-custody.log)" = "$log_before" ] || fail "--read-only appended"
[ -z "$(ls -A tmp)" ] || fail "temporaries left behind: $(ls tmp)"
ok "the same inputs give a byte-identical archive"

openssl cms -verify -binary -inform DER -in r1.tar.gz.p7s -content r1.tar.gz -CAfile ex.pem \
	-out /dev/null 2>/dev/null || fail "openssl cms -verify rejects the signature"
mkdir x && tar -xzf r1.tar.gz -C x
(cd x && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the members"
for m in report.html report.json case.jsonld custody/ifk-custody.log custody/ifk-acquisition.json \
	verification/verify.json parse/parse.json parse/artifacts.sqlite parse/timeline.csv \
	parse/sms_messages.jsonl; do
	[ -s "x/$m" ] || fail "member $m missing"
done
[ "$(wc -l < x/SHA256SUMS)" = "$(($(find x -type f | wc -l) - 1))" ] || fail "SHA256SUMS does not list every other member"
tar -tvzf r1.tar.gz | awk '{ print $1, $2 }' | sort -u > modes.txt
[ "$(cat modes.txt)" = "-rw-r--r-- root/root" ] || [ "$(cat modes.txt)" = "-rw-r--r-- 0/0" ] ||
	fail "members are not 0644 root: $(cat modes.txt)"
tar -tzf r1.tar.gz > names.txt
LC_ALL=C sort -c names.txt || fail "members are not sorted"
head_time=$(tail -1 bag/ifk-custody.log | grep -o '"time":"[^"]*"' | cut -d'"' -f4)
[ "$(tar -tvzf r1.tar.gz --full-time --utc 2>/dev/null | awk '{ print $4 "T" $5 "Z" }' | sort -u)" = "$head_time" ] ||
	fail "member times are not the custody head's time ($head_time)"
ok "openssl accepts the signature; SHA256SUMS, modes, order and times as specified"

python3 - x/report.json bag/ifk-custody.log <<'EOF' || fail "report.json does not describe the bag"
import json, sys
r = json.load(open(sys.argv[1]))
log = open(sys.argv[2]).read().splitlines()
assert r["format_version"] == 1 and r["tool"] == "ifk-report"
assert r["device"]["serial"] == "F2LXK0AAHG7F", r["device"]
assert r["device"]["product_type"] == "iPhone12,1"
assert r["case"]["case"] == "CASE-7" and r["case"]["evidence"] == "EV-1"
assert len(r["custody"]["entries"]) == len(log)
assert r["custody"]["head"] == log[-1][:64] and r["custody"]["head_seq"] == len(log)
assert r["verification"]["verdict"] == "PASS"
arts = {a["name"]: a for a in r["parse"]["artifacts"]}
assert arts["sms_messages"]["rows"] == 12 and arts["contacts"]["rows"] == 7
assert r["parse"]["custody_seq"] == len(log)   # the parse entry is the last one
assert len(r["media"]) == 3 and all(m["member"] is None for m in r["media"])
assert "report.html" in r["report_members"] and "case.jsonld" in r["report_members"]
EOF
ok "report.json holds the device, case, custody log, verification and parse summary"

run 0 "$REPORT" bag parsed --out rm.tar.gz --key ex.key --cert ex.pem --password-file pw.txt --read-only \
	--include-media
mkdir xm && tar -xzf rm.tar.gz -C xm
python3 - xm <<'PY' || fail "--include-media did not copy the camera roll by hash"
import hashlib, json, os, sys
d = sys.argv[1]
r = json.load(open(os.path.join(d, "report.json")))
assert len(r["media"]) == 3
for m in r["media"]:
    assert m["member"] == "media/" + m["sha256"], m
    data = open(os.path.join(d, m["member"]), "rb").read()
    assert hashlib.sha256(data).hexdigest() == m["sha256"] and len(data) == m["size"], m
assert data[:2] == b"\xff\xd8"   # a JPEG: the plaintext, not the ciphertext
PY
ok "--include-media copies each camera-roll file into the archive, named by its SHA-256"

run 0 "$REPORT" bag parsed --out r3.tar.gz --key ex.key --cert ex.pem --password-file pw.txt --examiner "Test Examiner"
has "custody: appended entry"
has "ifk-report: SIGNED"
rsha=$(sha256sum r3.tar.gz | cut -c1-64)
tail -1 bag/ifk-custody.log | grep -q "\"report_sha256\":\"$rsha\"" || fail "the custody entry lacks the report's hash"
tail -2 bag/ifk-custody.log | head -1 | grep -q '"action":"verify"' || fail "the report's verification is not in the custody log"
run 0 "$VERIFY" r3.tar.gz bag
has "ifk-verify: PASS"
run 0 "$VERIFY" --read-only --password-file pw.txt bag
ok "the bag's custody log gains the report's hash; ifk-verify REPORT BAG passes; the bag still verifies"

mkdir x3 && tar -xzf r3.tar.gz -C x3
# the real report's case.jsonld validates (SHACL, core and SPARQL) and uses
# only CASE/UCO terms the ontology defines
SHACL="$IFK_SOURCE_DIR/tests/shacl"
ONTOLOGY="$IFK_SHARED_DIR/ontology/case-1.4.0.ttl"
[ -d "$SHACL/node_modules/shacl-engine" ] || fail "$SHACL/node_modules is missing: scripts/deps.sh installs it"
run 0 node "$SHACL/validate.mjs" "$ONTOLOGY" x3/case.jsonld
run 0 node "$SHACL/iri-check.mjs" "$ONTOLOGY" x3/case.jsonld
python3 - x3/case.jsonld x3/report.json x3/SHA256SUMS <<'PY' || fail "case.jsonld does not hold the provenance"
import json, sys
text = open(sys.argv[1]).read()
r = json.load(open(sys.argv[2]))
for needle in ("F2LXK0AAHG7F", "iPhone12,1", r["device"]["imei"], "ifk-acquire", "ifk-verify",
               "ifk-parse", "ifk-report", "Test Examiner"):
    assert needle in text, needle
for line in open(sys.argv[3]):
    h, name = line.split(None, 1)
    assert name.strip() == "case.jsonld" or h in text, name
PY
ok "the report's case.jsonld validates against CASE/UCO 1.4.0 and holds the device, tools, examiner and every member's hash"

CHROMIUM=${IFK_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "Chromium is missing: scripts/deps.sh installs it"
timeout 180 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$T/profile" --dump-dom "file://$T/x3/report.html" > dom.html 2>chromium.log ||
	fail "chromium --dump-dom failed: $(tail -3 chromium.log)"
python3 - dom.html x3/report.json <<'PY' || fail "the rendered report does not show what report.json holds"
import json, re, sys
dom = open(sys.argv[1]).read()
r = json.load(open(sys.argv[2]))
assert "F2LXK0AAHG7F" in dom and "iPhone12,1" in dom
assert len(re.findall(r'class="custody-entry', dom)) == len(r["custody"]["entries"])
for e in r["custody"]["entries"]:
    assert e["hash"] in dom, e["seq"]
for a in r["parse"]["artifacts"]:
    tag = re.search(r'<tr[^>]*data-artifact="%s"[^>]*>' % a["name"], dom)
    assert tag and ('data-rows="%d"' % a["rows"]) in tag.group(0), a["name"]
tbl = re.search(r'<div[^>]*id="table-sms_messages"[^>]*>', dom)
assert tbl and 'data-total="12"' in tbl.group(0), tbl and tbl.group(0)
PY
timeout 180 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$T/profile" --screenshot="$T/report.png" --window-size=1280,2000 \
	"file://$T/x3/report.html" > chromium.log 2>&1 || fail "chromium --screenshot failed"
[ "$(head -c 4 report.png | od -An -c | tr -d ' ')" = '211PNG' ] && [ "$(stat -c %s report.png)" -gt 10000 ] ||
	fail "no screenshot"
ok "Chromium renders the real report: device, every custody entry, every artifact count; screenshot taken"

sample other "${FAST[@]}" --seed 9
sealed bag2 other
run 1 "$VERIFY" r3.tar.gz bag2
has "custody head"
has "the report is of another bag"
has "is recorded in no parse entry"
has "ifk-verify: FAIL"
cp -a bag bagcopy
run 0 "$PARSE" bagcopy --out copyparsed --password-file pw.txt --only device
run 0 "$REPORT" bagcopy copyparsed --out rc.tar.gz --key ex.key --cert ex.pem --password-file pw.txt
run 0 "$VERIFY" rc.tar.gz bagcopy
run 1 "$VERIFY" rc.tar.gz bag
has "is recorded in no parse entry of the bag's custody log"
lacks "another bag"
ok "a report checked against another bag fails on its custody head, its record and its parse.json"

tamper() { # tamper NAME: rebuild the archive with one member changed
	rm -rf y && mkdir y && tar -xzf r3.tar.gz -C y
	"$@"
	(cd y && find . -type f | sed 's|^\./||' | LC_ALL=C sort > ../list.txt &&
		tar --owner=0 --group=0 --numeric-owner --format=pax -czf ../t.tar.gz -T ../list.txt)
	cp r3.tar.gz.p7s t.tar.gz.p7s
}
tamper sh -c 'echo x >> y/parse/timeline.csv'
run 1 "$VERIFY" t.tar.gz
has "parse/timeline.csv"
has "ifk-verify: FAIL"
tamper sh -c 'echo x > y/extra.txt'
run 1 "$VERIFY" t.tar.gz
has "extra.txt"
tamper rm y/report.html
run 1 "$VERIFY" t.tar.gz
has "report.html"
flip r3.tar.gz 100
run 1 "$VERIFY" r3.tar.gz
has "signature"
ok "a changed, added or removed member fails with its name; a changed byte fails the signature"

run 2 "$REPORT" bag parsed --out r1.tar.gz --key ex.key --cert ex.pem --read-only
has "exists"
run 2 "$REPORT" bag parsed --out bag/r.tar.gz --key ex.key --cert ex.pem --read-only
has "inside the evidence"
ok "usage errors: an existing report, a report inside the bag"

# The report vouches only for a parse output the bag's custody log records.
cp -a parsed forged
sqlite3 forged/artifacts.sqlite "UPDATE sms_messages SET text = 'forged' WHERE rowid = 1" 2>/dev/null ||
	{ chmod u+w forged/artifacts.sqlite && sqlite3 forged/artifacts.sqlite \
		"UPDATE sms_messages SET text = 'forged' WHERE rowid = 1"; }
python3 - forged <<'EOF'
import hashlib, json, sys
d = sys.argv[1]
p = json.load(open(d + "/parse.json"))
for name in p["outputs"]:
    b = open(d + "/" + name, "rb").read()
    p["outputs"][name] = {"sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)}
open(d + "/parse.json", "w").write(json.dumps(p, indent=2) + "\n")
EOF
log_now=$(wc -l < bag/ifk-custody.log)
run 4 "$REPORT" bag forged --out r4.tar.gz --key ex.key --cert ex.pem --password-file pw.txt
has "recorded in no parse entry"
has "refused"
[ ! -e r4.tar.gz ] && [ ! -e r4.tar.gz.p7s ] || fail "a refused report left files"
[ "$(wc -l < bag/ifk-custody.log)" = "$log_now" ] || fail "a refused report appended to the custody log"
echo tampered >> parsed/timeline.csv
run 4 "$REPORT" bag parsed --out r4.tar.gz --key ex.key --cert ex.pem --read-only --password-file pw.txt
has "timeline.csv"
has "refused"
truncate -s -9 parsed/timeline.csv
sample otherdev "${FAST[@]}" --seed 2
sealed otherbag otherdev
run 0 "$PARSE" otherbag --out otherparsed --password-file pw.txt --only device
run 4 "$REPORT" bag otherparsed --out r5.tar.gz --key ex.key --cert ex.pem --password-file pw.txt
has "was made from another bag"
run 0 "$PARSE" bag --out roparsed --password-file pw.txt --only device --read-only
run 4 "$REPORT" bag roparsed --out r6.tar.gz --key ex.key --cert ex.pem --password-file pw.txt
has "parsed with --read-only"
[ ! -e r4.tar.gz ] && [ ! -e r5.tar.gz ] && [ ! -e r6.tar.gz ] || fail "a refused report left an archive"
[ "$(wc -l < bag/ifk-custody.log)" = "$log_now" ] || fail "a refused report appended to the custody log"
[ -z "$(ls -A tmp)" ] || fail "temporaries left behind"
ok "a parse folder edited and re-hashed, changed, made from another bag, or unrecorded is refused (exit 4), with nothing written"

cp -a bag badbag
id=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
flip "badbag/data/${id:0:2}/$id" 100
run 1 "$REPORT" badbag --out rf.tar.gz --key ex.key --cert ex.pem --password-file pw.txt
has "ifk-report: SIGNED (the bag FAILED verification)"
python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["verification"]["verdict"] == "FAIL"' \
	< <(tar -xzOf rf.tar.gz report.json) || fail "the report does not record the failed verification"
ok "a bag that fails verification gets a signed report that records it (exit 1)"

# a backup's own flaw, parsed around: the report shows it beside the artifact
cp -a src flawed
rm "flawed/${id:0:2}/$id"
sealed flawedbag flawed
run 1 "$PARSE" flawedbag --out flawedparsed --password-file pw.txt
run 1 "$REPORT" flawedbag flawedparsed --out rfl.tar.gz --key ex.key --cert ex.pem --password-file pw.txt
tar -xzOf rfl.tar.gz report.html > flawed.html
python3 - flawed.html "$id" <<'PY' || fail "report.html does not show the finding beside sms_messages"
import re, sys
dom, sid = open(sys.argv[1]).read(), sys.argv[2]
row = re.search(r'<tr[^>]*data-artifact="sms_messages".*?</tr>', dom, re.S).group(0)
assert 'data-status="missing"' in row, row[:300]
assert sid in row and "not stored in the backup" in row, row
calls = re.search(r'<tr[^>]*data-artifact="calls".*?</tr>', dom, re.S).group(0)
assert "not stored in the backup" not in calls
PY
ok "the report shows a verification finding beside the artifact whose source it touches"

sample big "${FAST[@]}" --bulk-mib 400
sealed bigbag big
n_log=$(wc -l < bigbag/ifk-custody.log)
"$REPORT" bigbag --out rb.tar.gz --key ex.key --cert ex.pem --password-file pw.txt --include-media \
	>out.txt 2>&1 &
pid=$!
for _ in $(seq 100); do [ -n "$(ls -A tmp)" ] && break; sleep 0.05; done
sleep 0.5
kill -INT $pid
rc=0
wait $pid || rc=$?
[ "$rc" = 130 ] || fail "interrupted report exited $rc"
[ ! -e rb.tar.gz ] && [ ! -e rb.tar.gz.p7s ] || fail "an interrupted report left files"
[ -z "$(ls -A tmp)" ] || fail "temporaries left after Ctrl-C: $(ls tmp)"
[ "$(wc -l < bigbag/ifk-custody.log)" = "$n_log" ] || fail "an interrupted report appended to the custody log"
ok "Ctrl-C: exit 130, no archive, no signature, no temporary, no custody entry"

echo "1..$PASSED"
