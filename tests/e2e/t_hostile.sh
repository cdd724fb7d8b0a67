#!/usr/bin/env bash
# Hostile and broken input never crashes or hangs: one clear line, a
# documented non-zero exit.
. "$(dirname "$0")/lib.sh"
examiner
one_line() { [ "$(wc -l < out.txt)" -eq 1 ] || fail "more than one line of output"; }

mkdir empty
run 3 "$VERIFY" empty
has "not a bag or iOS backup folder"
one_line
run 3 "$ACQUIRE" --from empty --out e.bag --key ex.key --cert ex.pem
has "not an iOS backup folder"
[ ! -e e.bag ] && [ ! -e e.bag.incomplete ] || fail "a bag was left behind"
ok "an empty folder: one line, exit 3, nothing written"

: > zero
run 3 "$VERIFY" zero
has "a file"
one_line
run 3 "$ACQUIRE" --from zero --out z.bag --key ex.key --cert ex.pem
one_line
run 3 "$VERIFY" no-such-folder
one_line
ok "a 0-byte file or a missing path: one line, exit 3"

mkdir parent
sample parent/a --seed 1
sample parent/b --seed 2
run 3 "$ACQUIRE" --from parent --out p.bag --key ex.key --cert ex.pem
has "holds 2 backups"
ok "the folder above several backups is refused with a hint"

sample base
for f in Manifest.plist Status.plist Info.plist; do
	rm -rf h && cp -a base h
	size=$(stat -c %s "h/$f")
	truncate -s $((size / 2)) "h/$f"
	run 1 "$VERIFY" h
	finding backup fail "$f"
	has "not a valid plist"
	: > "h/$f"
	run 1 "$VERIFY" h
	finding backup fail "$f"
done
ok "truncated and 0-byte plists fail the backup check, naming the file"

rm -rf h && cp -a base h
truncate -s $(( $(stat -c %s h/Manifest.plist) / 2 )) h/Manifest.plist
run 1 "$ACQUIRE" --from h --out h.bag --key ex.key --cert ex.pem
has "ifk-acquire: SEALED"
grep -q '"kind": "metadata"' h.bag/ifk-acquisition.json || fail "no metadata anomaly recorded"
ok "acquiring a backup with a corrupt plist seals it as found and records the anomaly"

rm -rf h && cp -a base h
head -c 8192 /dev/urandom > h/Manifest.db
run 1 "$VERIFY" h
finding backup fail "Manifest.db"
has "not an SQLite database"
ok "a Manifest.db that is not SQLite fails the backup check"

sample enc "${FAST[@]}"
for hostile in 'VERS\000\000\000\004\000\000\000\003UUID\377\377\377\377' 'SALT\000\000\000' ''; do
	rm -rf h && cp -a enc h
	plistutil -i h/Manifest.plist -o m.xml
	b64=$(printf "$hostile" | base64 -w0)
	awk -v b="$b64" '/<key>BackupKeyBag<\/key>/ {print; getline; print "\t<data>" b "</data>"; skip = 1; next}
		skip && /<\/data>/ {skip = 0; next} skip {next} {print}' m.xml > m2.xml
	plistutil -i m2.xml -o h/Manifest.plist -f bin
	run 1 "$VERIFY" --password-file pw.txt h
	finding encryption fail "Manifest.plist"
	has "keybag"
done
ok "keybags with lengths past the end, truncated or empty fail the encryption check"

rm -rf h && cp -a enc h
head -c 4096 /dev/urandom > h/Manifest.db
run 1 "$VERIFY" --password-file pw.txt h
finding encryption fail "Manifest.db"
ok "an encrypted Manifest.db that does not decrypt fails, naming it"

rm -rf h && cp -a base h
ln -s /etc/passwd h/Info.plist.link
mkfifo h/fifo
run 1 "$ACQUIRE" --from h --out s.bag --key ex.key --cert ex.pem
has "anomalies: 2"
grep -q '"kind": "symlink"' s.bag/ifk-acquisition.json || fail "symlink not recorded"
grep -q '"kind": "special"' s.bag/ifk-acquisition.json || fail "fifo not recorded"
[ ! -e s.bag/data/Info.plist.link ] || fail "a symlink was copied"
run 0 "$VERIFY" s.bag
finding seal warn "Info.plist.link"
ok "symlinks and special files in the source are recorded, never followed"
echo "$PASSED passed, 0 failed"
