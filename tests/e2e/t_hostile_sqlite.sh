#!/usr/bin/env bash
# Hostile SQLite, end to end: ifk-parse and ifk-report open every SQLite
# file one way (read-only, no views, no triggers, limits, a step budget).
# An attacker's sms.db inside a sealed bag fails its artifact in seconds
# with little output; a forged artifacts.sqlite in a parse folder fails the
# report cleanly (exit 3, nothing left); temporary folders whose names hold
# '#' and '%' work.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"

mkdir tmp
export TMPDIR="$T/tmp"
sample src
sms=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
MESSAGES="CREATE TABLE message(ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT,
	handle_id INTEGER, date INTEGER, is_from_me INTEGER);
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 40)
	INSERT INTO message SELECT n, 'g' || n, 'hi', n, 700000000 + n, 0 FROM r;"

# hostile NAME SQL: the sample with SQL's database as its sms.db, sealed
# into bag-NAME
hostile() {
	rm -rf "h-$1" && cp -a src "h-$1"
	rm -f "h-$1/${sms:0:2}/$sms"
	sqlite3 "h-$1/${sms:0:2}/$sms" "$2"
	sealed "bag-$1" "h-$1"
}
# parse_hostile NAME TEXT: every artifact of bag-NAME is parsed in seconds;
# sms_messages fails "hostile or damaged: ..." holding TEXT; the output is small
parse_hostile() {
	local start took
	start=$(date +%s)
	run 1 "$PARSE" "bag-$1" --out "out-$1"
	took=$(($(date +%s) - start))
	[ "$took" -lt 30 ] || fail "$1: ifk-parse took $took s"
	has "ifk-parse: FINDINGS"
	python3 - "out-$1/parse.json" "$2" <<'EOF' || fail "$1: parse.json does not say hostile or damaged"
import json, sys
arts = {a["name"]: a for a in json.load(open(sys.argv[1]))["artifacts"]}
sms = arts["sms_messages"]
assert sms["status"] == "failed", sms
assert sms["reason"].startswith("hostile or damaged: "), sms["reason"]
assert sys.argv[2] in sms["reason"], sms["reason"]
assert arts["contacts"]["status"] == "ok" and arts["calls"]["status"] == "ok", arts
EOF
	[ "$(du -sk "out-$1" | cut -f1)" -lt 20000 ] || fail "$1: $(du -sh "out-$1") of output"
	[ -z "$(ls -A tmp)" ] || fail "$1: temporaries left behind"
}

hostile view "$MESSAGES CREATE VIEW handle AS
	SELECT ROWID, printf('%.*c', 52428800, 'x') AS id FROM message;"
parse_hostile view '"handle" is a view, not a table'
ok "sms.db whose handle is a view of 50 MiB a row: failed at once, little output"

hostile loop "$MESSAGES CREATE TABLE chat(ROWID INTEGER PRIMARY KEY, chat_identifier TEXT);
	CREATE VIEW chat_message_join AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL
	SELECT n + 1 FROM r) SELECT n AS chat_id, n AS message_id FROM r;"
parse_hostile loop '"chat_message_join" is a view, not a table'
ok "sms.db whose join table is an endless recursive view: failed at once"

hostile huge "$MESSAGES UPDATE message SET text = printf('%.*c', 17825792, 'x') WHERE ROWID = 3;"
parse_hostile huge "over ifk's limit of 16 MiB"
ok "sms.db with a 17 MiB message text: failed, naming the 16 MiB limit"

# ---- a parse folder given to ifk-report ----
sealed bag src
run 0 "$PARSE" bag --out parsed
# forge NAME SQL: parsed-NAME, whose artifacts.sqlite SQL changed (an
# empty SQL empties the file), with parse.json's outputs to match, and
# bag-NAME, a copy of the bag whose custody log gained a parse entry for
# that parse.json (what someone who can write the bag could forge)
forge() {
	rm -rf "parsed-$1" "bag-$1" && cp -a parsed "parsed-$1" && cp -a bag "bag-$1"
	if [ -n "$2" ]; then
		sqlite3 "parsed-$1/artifacts.sqlite" "$2"
	else
		: >"parsed-$1/artifacts.sqlite"
	fi
	python3 - "parsed-$1" "bag-$1/ifk-custody.log" <<'EOF'
import hashlib, json, os, sys
d, log = sys.argv[1], sys.argv[2]
p = json.load(open(os.path.join(d, "parse.json")))
data = open(os.path.join(d, "artifacts.sqlite"), "rb").read()
p["outputs"]["artifacts.sqlite"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
text = json.dumps(p, indent=2).encode()
open(os.path.join(d, "parse.json"), "wb").write(text)
lines = open(log).read().splitlines()
last = json.loads(lines[-1][65:])
body = [json.loads(l[65:]) for l in lines if json.loads(l[65:])["action"] == "parse"][-1]
body.update(seq=last["seq"] + 1, prev=lines[-1][:64], time=last["time"])
body["details"]["parse_json_sha256"] = hashlib.sha256(text).hexdigest()
b = json.dumps(body, separators=(",", ":")).encode()
open(log, "ab").write(hashlib.sha256(b).hexdigest().encode() + b" " + b + b"\n")
EOF
}
# report_refuses NAME TEXT: the report of parsed-NAME fails with exit 3,
# one line holding TEXT, in seconds, and leaves nothing
report_refuses() {
	local start took
	start=$(date +%s)
	run 3 "$REPORT" "bag-$1" "parsed-$1" --out "r-$1.tar.gz" --key ex.key --cert ex.pem \
		--read-only
	took=$(($(date +%s) - start))
	[ "$took" -lt 60 ] || fail "$1: ifk-report took $took s"
	has "$2"
	[ "$(wc -l <out.txt)" -eq 1 ] || fail "$1: more than one line of output"
	[ ! -e "r-$1.tar.gz" ] && [ ! -e "r-$1.tar.gz.p7s" ] || fail "$1: a report was left"
	[ -z "$(ls -A tmp)" ] || fail "$1: temporaries left behind"
}

forge view "DROP TABLE sms_messages; CREATE VIEW sms_messages AS WITH RECURSIVE r(n) AS
	(SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n AS row_id FROM r;"
report_refuses view "not ifk-parse's output: it defines the view \"sms_messages\""
forge trigger "CREATE TRIGGER t AFTER INSERT ON timeline BEGIN DELETE FROM timeline; END;"
report_refuses trigger "not ifk-parse's output: it defines the trigger \"t\""
forge computed "ALTER TABLE sms_messages ADD COLUMN junk TEXT
	GENERATED ALWAYS AS (printf('%.*c', 16000000, 'x')) VIRTUAL;"
report_refuses computed "column sms_messages.junk is computed or has a default"
forge huge "UPDATE sms_messages SET text = printf('%.*c', 17825792, 'x') WHERE row_id = 1;"
report_refuses huge "over ifk's limit of 16 MiB"
forge empty ""
report_refuses empty "parsed-empty/artifacts.sqlite: empty file, not an SQLite database"
ok "a forged artifacts.sqlite (an endless view, a trigger, a computed column, a 17 MiB cell, an empty file): exit 3, one line, nothing left"

mkdir "tmp#1%41"
TMPDIR="$T/tmp#1%41" run 0 "$PARSE" bag --out parsed-odd --only contacts,sms_messages
python3 -c 'import json,sys; a={x["name"]: x for x in json.load(open(sys.argv[1]))["artifacts"]};
assert a["contacts"]["rows"] == 7 and a["contacts"]["sources"][0]["wal_applied"], a' \
	parsed-odd/parse.json || fail "parse under TMPDIR with # and %: contacts"
TMPDIR="$T/tmp#1%41" run 0 "$REPORT" bag parsed --out rodd.tar.gz --key ex.key --cert ex.pem --read-only
has "ifk-report: SIGNED"
tar -xzOf rodd.tar.gz report.json | python3 -c 'import json,sys; r=json.load(sys.stdin);
assert r["parse"]["timeline_events"] > 50, r["parse"]["timeline_events"]' ||
	fail "report under TMPDIR with # and %: no timeline"
tar -xzOf rodd.tar.gz report.html >odd.html
grep -q 'id="data-sms_messages"' odd.html || fail "report.html lacks the sms table"
[ -z "$(ls -A "tmp#1%41")" ] || fail "temporaries left behind"
ok "TMPDIR holding '#' and '%': ifk-parse applies the WAL and ifk-report reads artifacts.sqlite"

echo "1..$PASSED"
