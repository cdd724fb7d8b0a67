#!/usr/bin/env bash
# Import a backup folder, seal it, verify it; a third party checks the seal
# with OpenSSL and the manifests with sha256sum.
. "$(dirname "$0")/lib.sh"

sample src
sealed bag src
has "ifk-acquire: SEALED"
[ -d bag ] && [ ! -e bag.incomplete ] || fail "bag not renamed into place"
ok "acquire seals a backup folder"

diff -r src bag/data >/dev/null || fail "payload differs from the source"
ok "data/ holds the backup byte for byte"

for f in bagit.txt bag-info.txt manifest-sha256.txt tagmanifest-sha256.txt ifk-seal.p7s \
	ifk-custody.log ifk-acquisition.json; do
	[ -f "bag/$f" ] || fail "bag lacks $f"
done
for l in "External-Identifier: CASE-7" "Contact-Name: Test Examiner" "Source-Organization: ifk tests" \
	"Ifk-Evidence-Number: EV-1" "Ifk-Device-UDID: " "Ifk-Device-Serial: " "Ifk-Device-Model: iPhone12,1" \
	"Ifk-iOS-Version: 16.7.2" "Ifk-Tool: ifk-acquire" "Ifk-Acquisition-Start: " "Payload-Oxum: " \
	"Bagging-Date: " "Ifk-Source: "; do
	grep -qF "$l" bag/bag-info.txt || fail "bag-info.txt lacks $l"
done
files=$(find src -type f | wc -l)
bytes=$(find src -type f -printf '%s\n' | awk '{s += $1} END {print s}')
grep -qx "Payload-Oxum: $bytes.$files" bag/bag-info.txt || fail "Payload-Oxum is not $bytes.$files"
ok "bag-info.txt carries the case, the device and the Payload-Oxum"

(cd bag && sha256sum --quiet -c manifest-sha256.txt && sha256sum --quiet -c tagmanifest-sha256.txt) \
	>out.txt 2>&1 || fail "sha256sum rejects the BagIt manifests"
run 0 openssl cms -verify -binary -inform DER -in bag/ifk-seal.p7s \
	-content bag/tagmanifest-sha256.txt -CAfile ex.pem -out /dev/null
has "Verification successful"
ok "openssl cms -verify accepts the seal; sha256sum accepts the manifests"

run 0 "$VERIFY" bag
for c in seal custody backup; do check_status $c pass; done
check_status encryption skip
has "self-signed"
[ "$(tail -n 1 out.txt)" = "ifk-verify: PASS" ] || fail "last line is not the verdict"
ok "ifk-verify passes a fresh bag and ends with its verdict"

[ "$(wc -l < bag/ifk-custody.log)" -eq 2 ] || fail "verify did not append one custody entry"
grep -q '"action":"verify"' bag/ifk-custody.log || fail "no verify entry"
(cd bag && sha256sum --quiet -c tagmanifest-sha256.txt) || fail "appending changed a sealed file"
ok "verify appends its result to the custody log and changes no sealed file"

run 0 "$VERIFY" --read-only --trust ex.pem bag
has "trusted via --trust"
[ "$(wc -l < bag/ifk-custody.log)" -eq 2 ] || fail "--read-only appended"
ok "--read-only appends nothing; --trust names the signer as trusted"

run 0 "$VERIFY" --json --read-only bag
has '"verdict": "PASS"'
has '"kind": "ifk-bag"'
has '"name": "custody"'
ok "--json reports the checks for scripts"

cp -a bag before
run 2 "$ACQUIRE" --from src --out bag --key ex.key --cert ex.pem
has "already exists"
diff -r before bag >/dev/null || fail "an existing bag was touched"
ok "acquire never overwrites an existing bag"

run 3 "$ACQUIRE" --from src --out "$T/missing/dir/x.bag" --key ex.key --cert ex.pem
has "ifk-acquire: $T/missing/dir: no such folder"
[ "$(wc -l <out.txt)" -eq 1 ] || fail "more than one line for a missing folder"
[ ! -e "$T/missing" ] || fail "the missing folder was created"
ok "a bag in a missing folder: one line naming the folder, exit 3"

run 0 "$ACQUIRE" --from src --out odd.bag --key ex.key --cert ex.pem --notes $'seized \xff\xfe phone'
grep -q '"notes": "seized \\\\xff\\\\xfe phone"' odd.bag/ifk-acquisition.json ||
	fail "notes that are not UTF-8 are not kept escaped in the record"
grep -qx 'Ifk-Notes: seized \\xff\\xfe phone' odd.bag/bag-info.txt ||
	fail "bag-info.txt holds bytes that are not UTF-8"
ok "case values that are not UTF-8 are kept, escaped, in the acquisition record and bag-info.txt"

other=$(mktemp -d "$T/otherca-XXXX")
"$ACQUIRE" --make-cert --examiner "Someone Else" --key "$other/k" --cert "$other/c" -q
run 1 "$VERIFY" --read-only --trust "$other/c" bag
finding seal fail "does not chain"
ok "a seal that does not chain to --trust fails"

run 0 "$ACQUIRE" --version
run 0 "$VERIFY" --help
run 2 "$VERIFY"
run 2 "$ACQUIRE" --from src
ok "usage errors exit 2"
echo "$PASSED passed, 0 failed"
