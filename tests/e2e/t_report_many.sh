#!/usr/bin/env bash
# ifk-report on a bag of many files: report.json and report.html list every
# camera-roll file exactly once, in the parse's order, with its hash, and
# the report's memory does not grow with that list (checked against
# ifk-verify's peak on the same bag, in an unsanitized build with
# /usr/bin/time); with --include-media, every camera-roll file is a member
# of the archive, listed in report.json, report.html and SHA256SUMS, the
# archive is the same bytes from the same inputs and ifk-verify accepts it,
# and the report's memory does not grow with the members either.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"
N=20000

sample src
# N more camera-roll files of 64 bytes each, stored and listed in
# Manifest.db as a device lists them (an MBFile like the sample's own)
python3 - src "$N" <<'EOF' || fail "cannot add files to the sample"
import hashlib, os, plistlib, sqlite3, sys
root, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(os.path.join(root, "Manifest.db"))
blob = db.execute("SELECT file FROM Files WHERE flags = 1 LIMIT 1").fetchone()[0]
tmpl = plistlib.loads(blob)
rows = []
for i in range(n):
    rel = "Media/DCIM/%03dAPPLE/IMG_%05d.JPG" % (i // 1000, i)
    fid = hashlib.sha1(("CameraRollDomain-" + rel).encode()).hexdigest()
    data = hashlib.sha256(rel.encode()).digest() * 2
    os.makedirs(os.path.join(root, fid[:2]), exist_ok=True)
    with open(os.path.join(root, fid[:2], fid), "wb") as f:
        f.write(data)
    objs = list(tmpl["$objects"])
    top = dict(objs[1], Size=len(data), InodeNumber=3000000 + i)
    objs[1], objs[2] = top, rel
    mb = dict(tmpl)
    mb["$objects"] = objs
    rows.append((fid, "CameraRollDomain", rel, 1, plistlib.dumps(mb, fmt=plistlib.FMT_BINARY)))
db.executemany("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", rows)
db.commit()
EOF
sealed bag src
rm -rf src
run 0 "$PARSE" bag --out parsed
ok "a bag of $N more camera-roll files is sealed and parsed"

TIME=/usr/bin/time
measure=1
grep -q '^IFK_SANITIZE:BOOL=ON' "$B/CMakeCache.txt" 2>/dev/null && measure=0
[ -x "$TIME" ] || measure=0
if [ "$measure" = 1 ]; then
	"$TIME" -f '%M' -o verify.rss "$VERIFY" bag --read-only -q > /dev/null ||
		fail "ifk-verify does not pass the bag"
	"$TIME" -f '%M' -o report.rss "$REPORT" bag parsed --out r.tar.gz --key ex.key --cert ex.pem \
		--read-only -q > out.txt 2>&1 || fail "ifk-report failed"
else
	run 0 "$REPORT" bag parsed --out r.tar.gz --key ex.key --cert ex.pem --read-only -q
fi
mkdir x && tar -xzf r.tar.gz -C x
(cd x && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the members"

python3 - x/report.json x/report.html parsed/media_files.jsonl "$N" <<'EOF' ||
import json, re, sys
text = open(sys.argv[1]).read()
r = json.loads(text)
rows = [json.loads(l) for l in open(sys.argv[3])]
n = int(sys.argv[4])
media = r["media"]
assert len(rows) == n + 3, len(rows)
assert len(media) == len(rows), (len(media), len(rows))
assert len({m["relative_path"] for m in media}) == len(media), "a file listed twice"
for m, row in zip(media, rows):
    assert m["domain"] == row["file_domain"] == "CameraRollDomain", m
    assert m["relative_path"] == row["file_path"], (m, row)
    assert m["sha256"] == row["sha256"] and m["size"] == row["size"], (m, row)
    assert m["member"] is None, m
# written as an indented JSON document (two spaces a level), ending in a newline
assert text.startswith('{\n  "tool": "ifk-report",\n') and text.endswith("\n}\n"), text[:40]
assert '\n  "media": [\n    {\n      "domain": "CameraRollDomain",\n' in text
html = open(sys.argv[2]).read()
block = re.search(r'<script type="application/json" id="data-media">(.*?)</script>', html, re.S)
assert block, "report.html has no media table"
data = json.loads(block.group(1))
assert data["count"] == len(rows) == len(data["rows"]), data["count"]
assert [d[1] for d in data["rows"]] == [row["file_path"] for row in rows]
EOF
	fail "the media list is not every camera-roll file exactly once"
ok "report.json and report.html list all $((N + 3)) camera-roll files once, in order, with their hashes"

# --include-media: a member per camera-roll file (their contents differ)
if [ "$measure" = 1 ]; then
	"$TIME" -f '%M' -o media.rss "$REPORT" bag parsed --out m.tar.gz --key ex.key \
		--cert ex.pem --read-only --include-media -q > out.txt 2>&1 ||
		fail "ifk-report --include-media failed"
else
	run 0 "$REPORT" bag parsed --out m.tar.gz --key ex.key --cert ex.pem --read-only \
		--include-media -q
fi
run 0 "$REPORT" bag parsed --out m2.tar.gz --key ex.key --cert ex.pem --read-only \
	--include-media -q
cmp -s m.tar.gz m2.tar.gz || fail "two reports with --include-media of the same inputs differ"
run 0 "$VERIFY" m.tar.gz bag --read-only
grep -q '^ifk-verify: PASS$' out.txt || fail "ifk-verify does not accept the report with media"
mkdir xm && tar -xzf m.tar.gz -C xm
(cd xm && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the members (media)"
python3 - xm parsed/media_files.jsonl "$N" <<'EOF' ||
import json, os, re, sys
root, rows, n = sys.argv[1], [json.loads(l) for l in open(sys.argv[2])], int(sys.argv[3])
r = json.load(open(os.path.join(root, "report.json")))
want = sorted("media/" + row["sha256"] for row in rows)
assert len(set(want)) == len(rows) == n + 3, len(set(want))
on_disk = sorted("media/" + f for f in os.listdir(os.path.join(root, "media")))
assert on_disk == want, "the archive's media members are not the camera roll's files"
members = r["report_members"]
assert members == sorted(members), "report_members is not in name order"
assert [m for m in members if m.startswith("media/")] == want, "report_members lacks media"
assert {m["member"] for m in r["media"]} == set(want), "a media row names no member"
sums = [l.split("  ", 1)[1].rstrip("\n") for l in open(os.path.join(root, "SHA256SUMS"))]
assert sums == sorted(sums) and set(want) <= set(sums), "SHA256SUMS lacks media members"
html = open(os.path.join(root, "report.html")).read()
sect = html[html.index('<section class="card" id="members">'):]
linked = re.findall(r'<li><a class="member" href="(media/[0-9a-f]{64})">', sect)
assert linked == want, (len(linked), len(want))
EOF
	fail "the archive's media members are not each camera-roll file once"
ok "--include-media: all $((N + 3)) camera-roll files are members, listed once in order; the same inputs give the same archive; ifk-verify accepts it"

if [ "$measure" = 1 ]; then
	v=$(cat verify.rss) rep=$(tail -1 report.rss) med=$(tail -1 media.rss)
	# the report verifies the bag afresh, then writes: it may need a little
	# more than ifk-verify alone, not memory per file (20,000 files at the
	# 800 bytes each the list took in memory would be 15 MiB)
	[ "$rep" -le $((v + 8192)) ] ||
		fail "ifk-report peaked at $((rep / 1024)) MiB, ifk-verify at $((v / 1024)) MiB on the same bag"
	ok "ifk-report's peak memory ($((rep / 1024)) MiB) is ifk-verify's ($((v / 1024)) MiB) plus at most 8 MiB"
	# the members (names, hashes, sizes: about 600 bytes each in memory
	# before) are listed in SQLite, not held
	[ "$med" -le $((v + 8192)) ] ||
		fail "ifk-report --include-media peaked at $((med / 1024)) MiB, ifk-verify at $((v / 1024)) MiB on the same bag"
	ok "ifk-report --include-media's peak memory ($((med / 1024)) MiB) is ifk-verify's ($((v / 1024)) MiB) plus at most 8 MiB"
	# the members and SHA256SUMS's lines of a report archive go to a
	# temporary SQLite list, not memory (before, every name and hash was held
	# as JSON and SHA256SUMS read whole: about 10 MiB at 20,000 members).
	# Measured with report.json emptied in both archives (its media list is
	# still parsed whole, which is not what is measured here; ifk-verify
	# fails such an archive): with N media members against without them
	python3 - m.tar.gz em.tar.gz r.tar.gz er.tar.gz <<'EOF' || fail "cannot rewrite the archives"
import io, sys, tarfile
for a, b in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    with tarfile.open(a, "r:gz") as src, tarfile.open(b, "w:gz") as dst:
        for m in src:
            data = src.extractfile(m).read()
            if m.name == "report.json":
                data = b"{}\n"
                m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
EOF
	for a in m r; do
		cp $a.tar.gz.p7s e$a.tar.gz.p7s
		"$TIME" -f '%M' -o e$a.rss "$VERIFY" e$a.tar.gz bag --read-only > out.txt 2>&1 &&
			fail "ifk-verify accepts a report whose report.json was emptied"
		grep -q 'changed: SHA256SUMS has' out.txt || fail "ifk-verify does not find report.json changed"
	done
	em=$(tail -1 em.rss) er=$(tail -1 er.rss)
	[ "$em" -le $((er + 4096)) ] ||
		fail "ifk-verify of a report of $((N + 3)) media members peaked at $((em / 1024)) MiB, without them at $((er / 1024)) MiB"
	ok "ifk-verify of a report of $((N + 3)) media members peaks at $((em / 1024)) MiB, without them at $((er / 1024)) MiB: at most 4 MiB more"
else
	echo "# not measured: a sanitized build, or no /usr/bin/time"
fi
