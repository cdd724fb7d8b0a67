#!/usr/bin/env bash
# A bag or backup planted with FIFOs, symlinks, renamed or stripped of its
# seal, or holding names that could fool a reader: ifk-verify never hangs,
# never follows, never passes it.
. "$(dirname "$0")/lib.sh"
sample src
sealed bag src
fresh() { rm -rf t && cp -a bag t; }
fifo_in() { rm -f "$1" && mkfifo "$1"; }

for f in manifest-sha256.txt bag-info.txt ifk-acquisition.json ifk-custody.log \
	data/Info.plist data/Manifest.db data/Status.plist; do
	fresh
	fifo_in "t/$f"
	run 1 "$VERIFY" --read-only t
	has "not a regular file"
done
ok "a FIFO in place of a tag file, the custody log or a backup file fails at once"

fresh
ln -s /dev t/lnk
printf '%s  lnk/zero\n' "$(printf 0%.0s {1..64})" >> t/tagmanifest-sha256.txt
run 1 "$VERIFY" --read-only t
finding seal fail "lnk/zero"
ok "a tag manifest path through a symlink is not followed"

fresh
id=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
flip "t/data/${id:0:2}/$id" 300
rm t/ifk-seal.p7s t/ifk-acquisition.json
(cd t && find data -type f -print0 | xargs -0 sha256sum > manifest-sha256.txt &&
	sha256sum bagit.txt bag-info.txt manifest-sha256.txt > tagmanifest-sha256.txt)
run 1 "$VERIFY" --read-only t
has "(incomplete-ifk-bag)"
finding seal fail "ifk-seal.p7s"
ok "an ifk bag stripped of its seal and record is not taken for another tool's bag"

sed -i '/^Ifk-Format/d' t/bag-info.txt
rm t/ifk-custody.log
(cd t && sha256sum bagit.txt bag-info.txt manifest-sha256.txt > tagmanifest-sha256.txt)
run 1 "$VERIFY" --read-only --trust ex.pem t
has "--trust was given, but the target carries no ifk seal"
ok "with --trust, a bag without a seal fails"

fresh
mv t t2.incomplete
run 1 "$VERIFY" --read-only t2.incomplete
has "(incomplete-ifk-bag)"
has "not a published bag"
rm -rf t2.incomplete
run 2 "$ACQUIRE" --from src --out y.incomplete --key ex.key --cert ex.pem
[ ! -e y.incomplete ] && [ ! -e y.incomplete.incomplete ] || fail "a folder was made"
ok "a sealed bag renamed *.incomplete never passes, and acquire refuses such names"

run 2 "$ACQUIRE" --from src --out src/inner.bag --key ex.key --cert ex.pem
has "inside the source backup"
[ ! -e src/inner.bag ] && [ ! -e src/inner.bag.incomplete ] || fail "wrote into the source"
ok "acquire refuses to write the bag inside the source backup"

fresh
touch "t/data/x
ifk-verify: PASS"
run 1 "$VERIFY" --read-only t
! grep -q '^ifk-verify: PASS' out.txt || fail "a file name printed a verdict line"
has 'x\x0aifk-verify: PASS'
ok "control characters in names are escaped in the report"

fresh
up=$(echo "$id" | tr a-f A-F)
mkdir -p "t/data/${up:0:2}"
echo forged > "t/data/${up:0:2}/$up"
run 1 "$VERIFY" --read-only t
finding backup fail "${up:0:2}/$up"
ok "an upper-case second copy of a stored file fails"

mkdir pwdir
run 2 "$VERIFY" --password-file pwdir bag
has "password file"
head -c 6000 /dev/zero | tr '\0' a > longpw
run 2 "$VERIFY" --password-file longpw bag
has "longer than 4096"
run 2 "$VERIFY" --trust /nonexistent.pem bag
has "cannot read the trusted certificate"
ok "an unusable password file or trusted certificate is a usage error, before any work"

sample encsrc "${FAST[@]}"
printf 'garbage' > encsrc/Info.plist
rm encsrc/Status.plist
run 1 "$ACQUIRE" --from encsrc --out enc.bag --key ex.key --cert ex.pem
grep -q "Ifk-Backup-Encrypted: yes" enc.bag/bag-info.txt || fail "encryption lost with Info.plist"
grep -q '"path": "Info.plist"' enc.bag/ifk-acquisition.json || fail "Info.plist anomaly unnamed"
grep -q '"path": "Status.plist"' enc.bag/ifk-acquisition.json || fail "missing Status.plist not recorded"
ok "a corrupt Info.plist does not hide what Manifest.plist says; each plist's anomaly is named"
echo "$PASSED passed, 0 failed"
