#!/usr/bin/env bash
# Encrypted backups: unlock with the password from a file or the
# environment, decrypt Manifest.db and every file, report what cannot be
# decrypted off the device, and fail on a wrong password or damaged file.
. "$(dirname "$0")/lib.sh"

sample src "${FAST[@]}" --stale-size
sealed bag src
grep -q "Ifk-Backup-Encrypted: yes" bag/bag-info.txt || fail "bag-info does not say encrypted"
ok "an encrypted backup is acquired and sealed"

run 0 "$VERIFY" --read-only --password-file pw.txt bag
check_status encryption warn
has "8 classes unwrapped, 3 not decryptable off the device"
has "27 files decrypted"
id=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
finding encryption warn "Library/SMS/sms.db"
has "Size mismatch"
has "kept whole"
ok "the password unlocks the keybag; every file decrypts; a stale Size is a warning"

run 0 "$VERIFY" --read-only --json --password-file pw.txt bag
has '"files_not_decryptable_off_device": 1'
has '"AfterFirstUnlockThisDeviceOnly"'
ok "classes and files that need the device key are listed, not failed"

IFK_PASSWORD=sample-pw run 0 "$VERIFY" --read-only bag
has "27 files decrypted"
ok "IFK_PASSWORD gives the password"

run 5 "$VERIFY" --read-only --password-file badpw.txt bag
finding encryption fail "Manifest.plist"
has "wrong password"
ok "a wrong password is reported as a wrong password"

run 0 "$VERIFY" --read-only bag </dev/null
check_status encryption skip
has "no password was given"
has "ifk-verify: PASS (partial: not decrypted, index not read)"
run 0 "$VERIFY" --read-only --json bag </dev/null
has '"partial": true'
has '"not decrypted"'
run 1 "$VERIFY" --read-only --strict bag </dev/null
has "ifk-verify: FAIL (strict: partial (not decrypted)"
run 1 "$VERIFY" --read-only --strict --password-file pw.txt bag
has "ifk-verify: FAIL (strict: 1 warning)" # the stale Size
run 0 "$VERIFY" --read-only --password-file pw.txt bag
has "ifk-verify: PASS"
lacks "partial"
ok "without a password the verdict is partial and says so; --strict fails partial and warnings"

# Without the password the index of an older encrypted backup (Manifest.mbdb,
# or Manifest.db before iOS 10.2) is still read: presence and each stored
# length against Size under AES-CBC's padding rule.
sample oldenc --layout mbdb --encrypt --password-file pw.txt --iter 1000 --stale-size
run 0 "$VERIFY" oldenc </dev/null
has "Manifest.mbdb, 57 entries"
finding backup warn "Library/SMS/sms.db"
has "which encrypt to 49168; the stored file has 61456"
has "ifk-verify: PASS (partial: not decrypted)"
sms=$(printf 'HomeDomain-Library/SMS/sms.db' | sha1sum | cut -c1-40)
truncate -s -5 "oldenc/$sms"
run 1 "$VERIFY" oldenc </dev/null
finding backup fail "Library/SMS/sms.db"
has "not whole 16-byte blocks"
ok "without the password, a readable index still checks presence and ciphertext lengths"

cp -a src trunc
victim=$(find trunc -path '*/[0-9a-f][0-9a-f]/*' -type f -size +10k | head -n 1)
truncate -s -7 "$victim"
run 1 "$VERIFY" --read-only --password-file pw.txt trunc
finding encryption fail "$(basename "$victim")"
has "not a multiple of 16"
ok "a truncated encrypted file fails decryption, naming it"

run 2 "$VERIFY" --password-file no-such-file bag
has "password file: no-such-file: cannot open"
ok "an unreadable password file is a usage error"

grep -r -l "sample-pw" bag >/dev/null && fail "the password appears in the bag"
ok "the password appears nowhere in the bag or custody log"

sample slow --encrypt --password-file pw.txt --iter 1000
run 0 "$VERIFY" --read-only --password-file pw.txt slow
has "files decrypted"
ok "a keybag with the real 10,000,000-round DPIC stage unlocks"
# Some backups in the wild encrypt Manifest.db without its PKCS#7 padding
# block; other readers take them, and so does ifk, saying so.
sample unpadded "${FAST[@]}" --unpadded-manifest
[ $(($(stat -c %s unpadded/Manifest.db) % 4096)) -eq 0 ] || fail "the sample's Manifest.db is padded"
run 0 "$VERIFY" --password-file pw.txt unpadded
finding encryption warn "Manifest.db"
has "without a PKCS#7 padding block"
has "Manifest.db, 57 entries"
has "27 files decrypted"
run 0 "$B/ifk-parse" --password-file pw.txt --only sms_messages --out unpadded.parsed unpadded
grep -q '^ok  *sms_messages  *12 rows' out.txt || fail "sms_messages not parsed from the unpadded backup"
ok "a Manifest.db encrypted without a padding block decrypts whole, with a warning naming the quirk"
echo "$PASSED passed, 0 failed"
