#!/usr/bin/env bash
# A binary plist whose dictionary key holds U+0000 (UTF-16) made libplist 2.2
# abort (SIGABRT, exit 134) when ifk walked the dictionary. Here Manifest.plist's
# Applications dictionary holds such a key: every tool reads the backup to the
# end, the character shows as U+FFFD, and the verification warns about it.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"

# nul_key_manifest DIR: an app "com.example.nul<U+0000>key" in DIR's Manifest.plist
nul_key_manifest() {
	plistutil -i "$1/Manifest.plist" -o m.xml
	awk '{print} /<key>Applications<\/key>/ {getline; print
		print "\t\t<key>com.example.nul\xe2\x90\x80key</key><dict>"
		print "\t\t\t<key>CFBundleIdentifier</key><string>com.example.nulkey</string>"
		print "\t\t</dict>"}' m.xml > m2.xml
	plistutil -i m2.xml -o "$1/Manifest.plist" -f bin
	# U+2400 made U+0000 in the key's UTF-16 text
	python3 - "$1/Manifest.plist" <<'EOF'
import sys
p = sys.argv[1]
b = open(p, "rb").read()
mark = "nul\u2400key".encode("utf-16-be")
assert b.count(mark) == 1, "the key is not in UTF-16"
open(p, "wb").write(b.replace(mark, "nul\u0000key".encode("utf-16-be")))
EOF
}

sample src
nul_key_manifest src

run 0 "$VERIFY" src
finding backup warn "Manifest.plist: 1 string(s) or key(s) hold a NUL character"
ok "ifk-verify reads the backup to the end and warns about the NUL in Manifest.plist"

examiner
run 1 "$ACQUIRE" --from src --out bag --key ex.key --cert ex.pem --case NUL-1 \
	--examiner "Test Examiner"
has "ifk-acquire: SEALED"
grep -q 'hold a NUL character' bag/ifk-acquisition.json || fail "the anomaly is not recorded"
ok "ifk-acquire seals it, recording the NUL as an anomaly (exit 1)"

run 0 "$PARSE" bag --out out --examiner "Test Examiner"
has "ifk-parse: OK"
[ ! -e out.incomplete ] || fail "out.incomplete left behind"
has "backup warn"
python3 - out <<'EOF' || fail "the applications or the warning are missing"
import json, sys
d = json.load(open(sys.argv[1] + "/parse.json"))
apps = [a for a in d["artifacts"] if a["name"] == "applications"][0]
assert apps["status"] == "ok", apps
ids = [json.loads(l)["bundle_id"] for l in open(sys.argv[1] + "/applications.jsonl")]
assert "com.example.nul\ufffdkey" in ids, ids
assert "net.whatsapp.WhatsApp" in ids, ids
v = json.load(open(sys.argv[1] + "/verify.json"))
warn = [f for c in v["checks"] for f in c["findings"]
        if f["level"] == "warn" and f["file"] == "Manifest.plist" and "NUL" in f["reason"]]
assert warn, v["checks"]
EOF
ok "ifk-parse lists every app, the key's U+0000 as U+FFFD, and keeps the warning (exit 0)"
echo "$PASSED passed, 0 failed"
