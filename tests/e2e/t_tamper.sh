#!/usr/bin/env bash
# Each tamper with a sealed bag makes ifk-verify fail and name the file and
# the check.
. "$(dirname "$0")/lib.sh"

sample src
sealed bag src
run 0 "$VERIFY" bag # a second custody entry
run 0 "$VERIFY" bag # and a third
id=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
sms="data/${id:0:2}/$id"
[ -f "bag/$sms" ] || fail "sample lacks sms.db at $sms"
fresh() { rm -rf t && cp -a bag t; }

fresh
flip "t/$sms" 100
run 1 "$VERIFY" t
finding seal fail "$sms"
has "content changed"
[ "$(tail -n 1 out.txt)" = "ifk-verify: FAIL" ] || fail "last line is not FAIL"
ok "one flipped payload byte fails the seal check, naming the file"

fresh
rm "t/$sms"
run 1 "$VERIFY" t
finding seal fail "$sms"
has "missing: listed in manifest-sha256.txt"
finding backup fail "$id"
ok "a removed file fails the seal and backup checks, naming it"

fresh
echo extra > t/data/extra.txt
run 1 "$VERIFY" t
finding seal fail "data/extra.txt"
has "added: not listed"
ok "an added file fails the seal check, naming it"

fresh
sed -i 's/^Contact-Name: .*/Contact-Name: Mallory/' t/bag-info.txt
run 1 "$VERIFY" t
finding seal fail "bag-info.txt"
has "tag file changed"
ok "an edited bag-info.txt fails the seal check"

fresh
sed -i '2s/"result":"PASS"/"result":"FAIL"/' t/ifk-custody.log
run 1 "$VERIFY" t
finding custody fail "ifk-custody.log:2"
has "hash does not match"
ok "an edited custody entry fails the custody check, naming the line"

fresh
# an edit that also recomputes the entry's own hash breaks the next entry's prev
body=$(sed -n '2p' t/ifk-custody.log | cut -c66- | sed 's/"result":"PASS"/"result":"FAIL"/')
hash=$(printf '%s' "$body" | sha256sum | cut -c1-64)
sed -i "2c\\$hash $body" t/ifk-custody.log
run 1 "$VERIFY" t
finding custody fail "ifk-custody.log:3"
has "prev does not match"
ok "a re-hashed custody edit breaks the chain at the next entry"

fresh
sed -i '2d' t/ifk-custody.log
run 1 "$VERIFY" t
finding custody fail "ifk-custody.log:2"
ok "a deleted custody entry fails the custody check"

fresh
body=$(sed -n '1p' t/ifk-custody.log | cut -c66- | sed 's/Test Examiner/Mallory/g')
hash=$(printf '%s' "$body" | sha256sum | cut -c1-64)
sed -i "1c\\$hash $body" t/ifk-custody.log
run 1 "$VERIFY" t
finding custody fail "ifk-custody.log:1"
has "not the one bound to the seal"
ok "a rewritten acquisition entry is caught by the sealed record"

fresh
"$ACQUIRE" --make-cert --examiner "Mallory" --key m.key --cert m.pem -q
openssl cms -sign -binary -in t/tagmanifest-sha256.txt -signer m.pem -inkey m.key \
	-outform DER -out t/ifk-seal.p7s -nosmimecap
run 1 "$VERIFY" t
finding seal fail "ifk-seal.p7s"
has "the seal was replaced"
ok "a signature replaced by one made with another key fails"

fresh
head -c 300 /dev/urandom > t/ifk-seal.p7s
run 1 "$VERIFY" t
finding seal fail "ifk-seal.p7s"
has "not a DER CMS"
ok "a garbage signature fails"

fresh
echo "x" >> t/tagmanifest-sha256.txt
run 1 "$VERIFY" t
finding seal fail "ifk-seal.p7s"
has "signature does not match"
ok "an edited tag manifest fails the signature"

fresh
rm t/ifk-seal.p7s
run 1 "$VERIFY" t
finding seal fail "ifk-seal.p7s"
ok "a removed seal fails"

fresh
sed -i 's/^Payload-Oxum: .*/Payload-Oxum: 1.1/' t/bag-info.txt
# re-seal by the same examiner: the Oxum check still catches the lie
(cd t && sed -i "/  bag-info.txt\$/c\\$(sha256sum bag-info.txt)" tagmanifest-sha256.txt)
openssl cms -sign -binary -in t/tagmanifest-sha256.txt -signer ex.pem -inkey ex.key \
	-outform DER -out t/ifk-seal.p7s -nosmimecap
run 1 "$VERIFY" t
finding seal fail "bag-info.txt"
has "Payload-Oxum 1.1"
ok "a Payload-Oxum that does not match the payload fails"
echo "$PASSED passed, 0 failed"
