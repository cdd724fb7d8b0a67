#!/usr/bin/env bash
# The lost password: the keybag exported as the line hashcat and John the
# Ripper read (and Debian's hashcat recovering a known password from it),
# a list of candidates tried against the keybag alone, and the exit code a
# wrong password has in every tool.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"
examiner

sample modern "${FAST[@]}"
sample old "${FAST[@]}" --layout mbdb
sample plain
sealed mod.bag modern
custody() { sha256sum mod.bag/ifk-custody.log modern/Manifest.plist; }
custody >custody-before.txt

run 0 "$VERIFY" --export-hash modern
head -n1 out.txt >modern.hash
grep -qE '^\$itunes_backup\$\*10\*[0-9a-f]{80}\*1000\*[0-9a-f]{40}\*1000\*[0-9a-f]{40}$' modern.hash ||
	fail "the iOS 10.2+ line is not \$itunes_backup\$*10*WPKY*ITER*SALT*DPIC*DPSL"
has "hashcat -m 14800"
"$VERIFY" --export-hash modern 2>/dev/null >stdout.txt
cmp -s stdout.txt modern.hash || fail "standard output holds more than the line"
run 0 "$VERIFY" --export-hash mod.bag
cmp -s <(head -n1 out.txt) modern.hash || fail "the bag's line differs from its backup's"
run 0 "$VERIFY" --export-hash old
head -n1 out.txt >old.hash
grep -qE '^\$itunes_backup\$\*9\*[0-9a-f]{80}\*1000\*[0-9a-f]{40}\*\*$' old.hash ||
	fail "the pre-10.2 line is not \$itunes_backup\$*9*WPKY*ITER*SALT**"
has "hashcat -m 14700"
run 0 "$VERIFY" --json --export-hash modern
python3 -c 'import json,sys; d=json.load(open("out.txt")); assert d["hashcat_mode"]==14800 and d["hash"]==open("modern.hash").read().strip(), d' ||
	fail "the JSON lacks the line or the mode"
run 2 "$VERIFY" --export-hash plain
has "not encrypted"
ok "--export-hash prints the keybag as hashcat's line (*10* with DPIC and DPSL, *9* before iOS 10.2), no password asked"

# the fixtures' line, from a real keybag, is reproduced exactly
# (tests/unit/formats covers ifk_keybag_hash_line against every vector)

# Debian's hashcat, on the CPU through pocl, recovers the password from the line
printf 'letmein\npassword\nsample-pw\n123456\n' >words.txt
mkdir -p hc
for m in "14800 modern.hash" "14700 old.hash"; do
	set -- $m
	HOME=$PWD/hc hashcat -m "$1" -a 0 --potfile-disable --quiet -O "$2" words.txt >hc.txt 2>hc-err.txt ||
		{ cat hc-err.txt >&2; fail "hashcat -m $1 did not crack $2"; }
	grep -qF "$(cat "$2"):sample-pw" hc.txt || fail "hashcat -m $1 found something else"
done
ok "hashcat -m 14800 and -m 14700 recover the known password from the exported lines"

# the candidates, tried against the keybag alone
printf 'letmein\r\n\npassword\nsample-pw\r\n123456\nsample-pw\n' >list.txt
run 0 "$VERIFY" --password-list list.txt modern
has "the password is line 4 of list.txt"
has "ifk-verify: FOUND"
lacks "sample-pw"
run 0 "$VERIFY" --password-list list.txt --password-out found.txt --jobs 2 mod.bag
has "written to found.txt"
[ "$(stat -c %a found.txt)" = 600 ] || fail "the password file is not 0600"
[ "$(cat found.txt)" = sample-pw ] || fail "the password file does not hold the password"
lacks "sample-pw"
run 2 "$VERIFY" --password-list list.txt --password-out found.txt modern
has "found.txt exists"
[ "$(cat found.txt)" = sample-pw ] || fail "an existing file was touched"
run 0 "$VERIFY" --json --password-list list.txt old
python3 -c 'import json; d=json.load(open("out.txt")); assert d["found"] is True and d["line"]==4 and d["exit_code"]==0, d' ||
	fail "the JSON is wrong"
lacks "sample-pw"
printf 'one\ntwo\nthree\n' | "$VERIFY" --password-list - modern >out.txt 2>&1 && fail "none matched, yet exit 0"
[ $? -eq 1 ] || fail "none matched: not exit 1"
has "none of the 3 candidates in standard input is the password"
has "ifk-verify: NOT FOUND"
run 2 "$VERIFY" --password-list nosuch.txt modern
has "nosuch.txt"
run 2 "$VERIFY" --password-list list.txt plain
has "not encrypted"
run 2 "$VERIFY" --password-out x.txt modern
custody >custody-after.txt
cmp -s custody-before.txt custody-after.txt || fail "a password search wrote into the evidence"
ok "--password-list names the matching line, never the password; --password-out writes it 0600; nothing written to evidence"

# a wrong password: exit 5 in every tool, a failed check stays 1
run 5 "$VERIFY" --read-only --password-file badpw.txt mod.bag
has "wrong password"
run 5 "$PARSE" mod.bag --out p1 --password-file badpw.txt
[ ! -e p1 ] || fail "ifk-parse left output"
run 5 "$REPORT" mod.bag --out r1.tar.gz --key ex.key --cert ex.pem --password-file badpw.txt
has "wrong password"
[ ! -e r1.tar.gz ] || fail "ifk-report wrote a report"
run 0 "$VERIFY" --read-only --password-file pw.txt mod.bag
cp -a mod.bag bad.bag
flip "bad.bag/ifk-seal.p7s" 200
run 1 "$VERIFY" --read-only --password-file pw.txt bad.bag
ok "a wrong password exits 5 in ifk-verify, ifk-parse and ifk-report (the device case: t_device)"
