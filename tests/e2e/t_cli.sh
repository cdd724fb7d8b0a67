#!/usr/bin/env bash
# The command line the four tools share: --help and the man pages agree,
# mistakes get messages that help, --json prints one envelope whatever
# happens, -v and --progress mean the same everywhere, the progress line
# only goes forward, and findings alike are capped with "and N more".
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"
SRC=${IFK_SOURCE_DIR:?IFK_SOURCE_DIR is not set (run through ctest)}
TOOLS=(acquire verify parse report)

# jrun EXPECTED_RC CMD...: runs CMD with stdout in j.json, stderr in e.txt
jrun() {
	local want=$1 got=0
	shift
	timeout 300 "$@" >j.json 2>e.txt || got=$?
	cat j.json e.txt >out.txt
	[ "$got" -eq "$want" ] || fail "exit $got, wanted $want: $*"
}
# envelope TOOL OUTCOME EXIT_CODE [error]: standard output is exactly one
# JSON object that starts with the envelope, with "error" only when asked
envelope() {
	python3 - j.json "$@" <<'EOF' || fail "not the envelope ($*)"
import json, sys
path, tool, outcome, code = sys.argv[1:5]
want_error = sys.argv[5:] == ["error"]
d = json.loads(open(path).read())  # one value, nothing after it
assert list(d)[:5] == ["tool", "version", "target", "outcome", "exit_code"], list(d)[:6]
assert d["tool"] == tool and d["version"], d
assert d["outcome"] == outcome, (d["outcome"], outcome)
assert d["exit_code"] == int(code), d["exit_code"]
if want_error:
    assert isinstance(d.get("error"), str) and d["error"] and "\n" not in d["error"], d
else:
    assert "error" not in d, d["error"]
EOF
}
# jget KEY: a top-level member of j.json
jget() { python3 -c 'import json,sys; print(json.load(open("j.json")).get(sys.argv[1]))' "$1"; }

# ---- --help and the man pages ----

for t in "${TOOLS[@]}"; do
	run 0 "$B/ifk-$t" --help
	python3 - out.txt "$t" "$SRC/$t/ifk-$t.1" <<'EOF' || fail "ifk-$t: --help and its man page disagree"
import re, sys
help_text, tool, man = open(sys.argv[1]).read(), sys.argv[2], open(sys.argv[3]).read()
blocks, cur = {}, None
for line in help_text.splitlines():
    if line.endswith(":") and not line.startswith(" "):
        cur = blocks.setdefault(line[:-1], [])
    elif not line:
        cur = None
    elif cur is not None:
        cur.append(line)
opt_re = re.compile(r"^  (?:-([a-zA-Z]), |    )--([a-z][a-z-]*)(?: \[?[A-Z]+\]?)?  +\S")
longs, shorts = set(), set()
for line in blocks["Options"]:
    m = opt_re.match(line)
    assert m, "not one line with its meaning: %r" % line
    longs.add(m.group(2))
    if m.group(1):
        shorts.add(m.group(1))
assert blocks.get("Examples"), "no examples"
assert any(e.startswith("  ifk-" + tool) for e in blocks["Examples"]), blocks["Examples"]
for common in ("json", "quiet", "verbose", "progress", "help", "version"):
    assert common in longs, "--%s missing from --help" % common
assert "Exit: 0" in help_text
# the man page's OPTIONS: the heading line after each .TP
sect = man.split(".SH OPTIONS", 1)[1].split("\n.SH ", 1)[0].split("\n")
heads = [sect[i + 1].replace("\\-", "-") for i, l in enumerate(sect[:-1]) if l == ".TP"]
mlongs = {n for h in heads for n in re.findall(r"--([a-z][a-z-]*)", h)}
mshorts = {n for h in heads for n in re.findall(r"(?<![-\w])-([a-zA-Z])(?![\w-])", h)}
assert longs == mlongs, ("--help only", sorted(longs - mlongs), "man only", sorted(mlongs - longs))
assert shorts == mshorts, ("--help only", sorted(shorts - mshorts), "man only", sorted(mshorts - shorts))
assert ".SH EXAMPLES" in man and "ifk\\-" + tool in man.split(".SH EXAMPLES", 1)[1]
EOF
	if command -v groff >/dev/null; then
		groff -man -ww -z "$SRC/$t/ifk-$t.1" >groff.txt 2>&1 || true
		[ ! -s groff.txt ] || { cat groff.txt; fail "ifk-$t.1: groff warns"; }
	fi
done
ok "--help gives every option in one line with examples; each man page lists the same options"

cmake --install "$B" --prefix "$T/inst" >/dev/null || fail "cmake --install failed"
for t in "${TOOLS[@]}"; do
	[ -x "$T/inst/bin/ifk-$t" ] || fail "ifk-$t is not installed"
	page="$T/inst/share/man/man1/ifk-$t.1"
	cmp "$page" "$SRC/$t/ifk-$t.1" || fail "ifk-$t.1 is not installed"
	if command -v man >/dev/null; then
		MANWIDTH=80 man -l "$page" >man.txt 2>/dev/null || fail "man -l $page failed"
		grep -q "^OPTIONS" man.txt && grep -q "^EXAMPLES" man.txt || fail "ifk-$t.1 does not render"
	fi
done
ok "installing puts the four tools and their man pages in place"

# ---- messages that help ----

run 2 "$PARSE" --outt x bag
has "ifk-parse: unknown option --outt; did you mean --out?"
has "usage: ifk-parse"
run 2 "$VERIFY" --stirct bag
has "ifk-verify: unknown option --stirct; did you mean --strict?"
run 2 "$ACQUIRE" --from x --exmainer Jane
has "ifk-acquire: unknown option --exmainer; did you mean --examiner?"
run 2 "$REPORT" bag --include-medai
has "ifk-report: unknown option --include-medai; did you mean --include-media?"
run 2 "$VERIFY" --pass pw.txt bag
has "unknown option --pass; did you mean --password-list, --password-out or --password-file?"
run 2 "$VERIFY" --xyzzyplugh bag
has "ifk-verify: unknown option --xyzzyplugh"
lacks "did you mean"
ok "a mistyped option names the nearest one"

sample src
sealed bag src
run 0 "$PARSE" --list
cut -d' ' -f1 out.txt >names.txt
[ "$(wc -l <names.txt)" -ge 10 ] || fail "--list lists too few artifacts"
run 2 "$PARSE" bag --out o1 --only sms_messages,nonsense
has "--only: no artifact named 'nonsense'; the artifacts are: "
while read -r n; do has " $n"; done <names.txt
[ ! -e o1 ] && [ ! -e o1.incomplete ] || fail "an output folder was left"
ok "an unknown --only name lists the artifacts there are"

mkdir next.bag.incomplete
run 2 "$ACQUIRE" --from src --out next.bag --key ex.key --cert ex.pem
has "next.bag.incomplete exists (left by an acquisition that did not finish): remove it, or choose another --out"
[ -z "$(ls -A next.bag.incomplete)" ] || fail "the old incomplete folder was written to"
mkdir o2.incomplete ex2.incomplete
run 2 "$PARSE" bag --out o2
has "o2.incomplete exists (left by an ifk-parse run that did not finish): remove it, or choose another --out"
run 2 "$PARSE" bag --out o3 --export ex2
has "ex2.incomplete exists (left by an ifk-parse run that did not finish): remove it, or choose another --export"
ok "an .incomplete folder in the way says to remove it or choose another name"

mkdir fleet
sample fleet/dev01 --seed 1
sample fleet/dev02 --seed 2
for i in 03 04 05 06 07 08 09 10 11 12; do cp -a fleet/dev01 "fleet/dev$i"; done
mkdir fleet/not-a-backup
: >fleet/notes.txt
want="fleet: holds 12 backups (one folder per device), not one; give one of them: dev01, dev02, dev03, dev04, dev05, dev06, dev07, dev08, dev09, dev10 and 2 more"
run 3 "$VERIFY" fleet
has "ifk-verify: $want"
run 3 "$PARSE" fleet --out o4
has "ifk-parse: $want"
[ ! -e o4 ] && [ ! -e o4.incomplete ] || fail "an output folder was left"
run 3 "$ACQUIRE" --from fleet --out f.bag --key ex.key --cert ex.pem
has "ifk-acquire: $want"
mkdir bags && cp -a bag bags/b.bag && cp -a src bags/raw
run 3 "$VERIFY" bags
has "bags: holds 2 bags and backups, not one; give one of them: b.bag, raw"
ok "a folder of several backups or bags names them (10 at most) and asks for one"

# ---- capped findings ----

cp -a src holes
# the index lists these files; their content is gone
find holes -mindepth 2 -type f -size +0 | sort | head -8 >gone.txt
xargs rm <gone.txt
jrun 1 "$VERIFY" --json holes
python3 -c '
import json
d = json.load(open("j.json"))
b = [c for c in d["checks"] if c["name"] == "backup"][0]
n = sum("is not stored in the backup" in f["reason"] for f in b["findings"] if f["level"] == "fail")
print(n)' >nmissing.txt
[ "$(cat nmissing.txt)" -eq 8 ] || fail "the JSON does not keep every finding ($(cat nmissing.txt))"
run 1 "$VERIFY" holes
[ "$(grep -c '^        fail .*the index lists this file but it is not stored in the backup' out.txt)" -eq 5 ] ||
	fail "not the first 5 findings of the kind"
has "        and 3 more like this"
run 1 "$VERIFY" -v holes
[ "$(grep -c '^        fail .*the index lists this file but it is not stored in the backup' out.txt)" -eq 8 ] ||
	fail "-v does not list every finding"
lacks "more like this"
run 1 "$PARSE" holes --out ph
[ "$(grep -c '^  backup: .*the index lists this file but it is not stored in the backup' out.txt)" -eq 3 ] ||
	fail "parse: not the first 3 failures of the kind"
has "  and 5 more like this"
cp -a src links
for i in 1 2 3 4 5 6 7 8; do ln -s "/nowhere/$i" "links/link$i"; done
run 1 "$ACQUIRE" --from links --out links.bag --key ex.key --cert ex.pem
[ "$(grep -c '^  symlink link[0-9]: /nowhere/' out.txt)" -eq 5 ] || fail "not the first 5 anomalies of the kind"
has "  and 3 more like this"
[ "$(grep -c '"kind": "symlink"' links.bag/ifk-acquisition.json)" -eq 8 ] || fail "the record lost anomalies"
ok "findings alike are listed a few at a time, then \"and N more like this\"; the JSON keeps them all"

# ---- one JSON envelope ----

jrun 0 "$ACQUIRE" --json --from src --out j.bag --key ex.key --cert ex.pem
envelope ifk-acquire sealed 0
[ "$(jget target)" = j.bag ] && [ "$(jget result)" = sealed ] && [ "$(jget folder)" = j.bag ] ||
	fail "the acquisition's members"
jrun 1 "$ACQUIRE" --json --from links --out jl.bag --key ex.key --cert ex.pem
envelope ifk-acquire sealed-with-anomalies 1
jrun 0 "$ACQUIRE" --json --make-cert --examiner "J Doe" --key j.key --cert j.pem
envelope ifk-acquire made 0
jrun 2 "$ACQUIRE" --json --from src --out j.bag --key ex.key --cert ex.pem
envelope ifk-acquire error 2 error
jrun 2 "$ACQUIRE" --from src --bogus --json
envelope ifk-acquire error 2 error
jrun 3 "$ACQUIRE" --json --from nosuch --out j2.bag --key ex.key --cert ex.pem
envelope ifk-acquire error 3 error
ok "ifk-acquire --json: the envelope when sealed, with anomalies, and on each kind of error"

jrun 0 "$VERIFY" --json --read-only j.bag
envelope ifk-verify PASS 0
[ "$(jget verdict)" = PASS ] && [ "$(jget target)" = j.bag ] || fail "verify's members"
cp -a j.bag jt.bag
f=$(find jt.bag/data -type f -size +100 | head -1)
flip "$f" 50
jrun 1 "$VERIFY" --json --read-only jt.bag
envelope ifk-verify FAIL 1
jrun 3 "$VERIFY" --json nosuch
envelope ifk-verify error 3 error
[ "$(jget target)" = nosuch ] || fail "the envelope does not name the missing target"
jrun 2 "$VERIFY" --json
envelope ifk-verify error 2 error
jrun 2 "$VERIFY" --bogus --json j.bag
envelope ifk-verify error 2 error
jrun 2 "$VERIFY" --json --password-file nosuch-pw j.bag
envelope ifk-verify error 2 error
ok "ifk-verify --json: the envelope on PASS, FAIL, a missing target and usage errors"

jrun 0 "$PARSE" --json j.bag --out jp
envelope ifk-parse ok 0
jrun 1 "$PARSE" --json holes --out jp2
envelope ifk-parse findings 1
jrun 4 "$PARSE" --json jt.bag --out jp3
envelope ifk-parse refused 4
jrun 3 "$PARSE" --json nosuch --out jp4
envelope ifk-parse error 3 error
jrun 2 "$PARSE" --json j.bag
envelope ifk-parse error 2 error
jrun 2 "$PARSE" --json j.bag --out jp5 --only nonsense
envelope ifk-parse error 2 error
jrun 0 "$PARSE" --json --list
envelope ifk-parse ok 0
ok "ifk-parse --json: the envelope when ok, with findings, refused, and on each kind of error"

jrun 0 "$REPORT" --json j.bag jp --out jr.tgz --key ex.key --cert ex.pem
envelope ifk-report signed 0
[ "$(jget verification)" = PASS ] && [ "$(jget target)" = j.bag ] || fail "report's members"
jrun 0 "$VERIFY" --json jr.tgz j.bag
envelope ifk-verify PASS 0
run 0 "$PARSE" j.bag --out jpro --only device --read-only
jrun 4 "$REPORT" --json j.bag jpro --out jr2.tgz --key ex.key --cert ex.pem
envelope ifk-report refused 4 error
jrun 3 "$REPORT" --json nosuch --out jr3.tgz --key ex.key --cert ex.pem
envelope ifk-report error 3 error
jrun 2 "$REPORT" --json j.bag --out jr4.tgz
envelope ifk-report error 2 error
jrun 2 "$REPORT" --json j.bag --out jr.tgz --key ex.key --cert ex.pem
envelope ifk-report error 2 error
cp -a j.bag jf.bag
flip "$(find jf.bag/data -type f -size +100 | head -1)" 50
jrun 1 "$REPORT" --json jf.bag --out jr5.tgz --key ex.key --cert ex.pem
envelope ifk-report signed-bag-failed 1
ok "ifk-report --json: the envelope when signed, signed for a failed bag, refused, and on errors"

# interrupted: a plain bag with a large (sparse) payload file, stopped mid-read
mkdir -p slow/data
truncate -s 4G slow/data/big
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' >slow/bagit.txt
printf '%064d  data/big\n' 0 >slow/manifest-sha256.txt
"$VERIFY" --json --progress slow >j.json 2>e.txt &
pid=$!
for _ in $(seq 1 1000); do grep -q 'MiB read' e.txt 2>/dev/null && break; sleep 0.01; done
kill -STOP "$pid"
kill -INT "$pid"
kill -CONT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 130 ] || fail "exit $rc, wanted 130"
envelope ifk-verify interrupted 130 error
ok "an interrupted run prints the envelope too (exit 130)"

# ---- -v and --progress in every tool ----

# progress_ok TOOL: e.txt holds TOOL's progress lines: numbers never go
# down, a percentage shows, and the last line is 100%
progress_ok() {
	python3 - e.txt "$1" <<'EOF' || fail "$1: the progress line is not monotonic with a percentage"
import re, sys
text, tool = open(sys.argv[1]).read(), sys.argv[2]
pat = re.compile("^" + tool + r": +(?:(\d+)% )?(\d+)(?: of (\d+))? files, ([\d.]+)(?: of [\d.]+)? MiB ")
rows = [m.groups() for m in map(pat.match, re.split(r"[\r\n]", text)) if m]
assert len(rows) >= 2, rows
last = (-1, -1, -1.0)
for pct, files, _, mib in rows:
    now = (int(pct) if pct else last[0], int(files), float(mib))
    assert all(a >= b for a, b in zip(now, last)), (now, last)
    last = now
assert any(r[0] for r in rows), "no percentage"
assert rows[-1][0] == "100", rows[-1]
assert all(int(r[0]) < 100 for r in rows[:-1] if r[0]), "100% before the end"
EOF
}
jrun 0 "$ACQUIRE" -v --progress --from src --out p.bag --key ex.key --cert ex.pem
progress_ok ifk-acquire
grep -q '^ifk-acquire: took ' e.txt || fail "acquire -v"
jrun 0 "$VERIFY" -v --progress --read-only p.bag
progress_ok ifk-verify
grep -q '^ifk-verify: took ' e.txt || fail "verify -v"
jrun 0 "$VERIFY" --progress --read-only src
progress_ok ifk-verify
jrun 0 "$PARSE" -v --progress p.bag --out pp
progress_ok ifk-parse
grep -q '^ifk-parse: took ' e.txt || fail "parse -v"
jrun 0 "$REPORT" -v --progress p.bag pp --out pr.tgz --key ex.key --cert ex.pem
progress_ok ifk-report
grep -q '^ifk-report: took ' e.txt || fail "report -v"
jrun 0 "$VERIFY" -q --read-only p.bag
[ ! -s e.txt ] || fail "a progress line without a terminal or --progress"
ok "-v and --progress work in all four tools; the progress line only goes forward, to 100%"

echo "$PASSED passed, 0 failed"
