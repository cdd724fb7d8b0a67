#!/usr/bin/env bash
# seeds.sh BUILD OUT: makes the fuzzing seed corpora, one folder per harness
# under OUT, from the sample generator and the built tools of BUILD and from
# the third-party fixtures (IFK_FIXTURES), read in place and never copied
# into the project. Each folder must end up non-empty.
set -euo pipefail
build=$(realpath "$1")
out=$(realpath -m "$2")
fixtures=${IFK_FIXTURES:-$(dirname "$0")/../../../shared/fixtures}
work=$(mktemp -d "${TMPDIR:-/tmp}/ifk-seeds-XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
gen=$build/tests/ifk-genbackup
export HOME=$work

cd "$work"
printf 'sample-pw\n' > pw
"$gen" --out plain >/dev/null
"$gen" --out enc --encrypt --password-file pw --dpic 1 --iter 1 >/dev/null
"$gen" --out old --layout mbdb --seed 2 >/dev/null
"$gen" --out oldenc --layout mbdb --encrypt --password-file pw --iter 1 --seed 3 >/dev/null

# a sealed bag, its parse and its signed report
"$build/ifk-acquire" --make-cert --examiner "Fuzz Seed" --organization ifk --key ex.key \
	--cert ex.pem -q
"$build/ifk-acquire" --from plain --out bag --key ex.key --cert ex.pem --case SEED-1 \
	--examiner "Fuzz Seed" -q
"$build/ifk-verify" -q bag >/dev/null
"$build/ifk-parse" bag --out parsed -q >/dev/null
"$build/ifk-report" bag parsed --out report.tar.gz --key ex.key --cert ex.pem -q >/dev/null

rm -rf "$out.new"
mkdir -p "$out.new"
for h in plist keybag mbdb mbfile manifest_db bag report_archive devicelink; do
	mkdir "$out.new/$h"
done
# seed NAME FILE...: copies each FILE into NAME's folder under its hash
seed() {
	local h=$1 f
	shift
	for f in "$@"; do
		cp "$f" "$out.new/$h/$(sha1sum < "$f" | cut -c1-40)"
	done
}

# plists: the backups' own, every plist file inside them, one as XML, the fixtures'
seed plist plain/*.plist old/*.plist enc/Manifest.plist
find plain -type f -size -256k -print0 | while IFS= read -r -d '' f; do
	case "$(head -c 6 "$f")" in bplist | '<?xml') seed plist "$f" ;; esac
done
plistutil -i plain/Manifest.plist -o manifest.xml && seed plist manifest.xml
[ -d "$fixtures" ] && find "$fixtures" -name '*.plist' -size -1M -print0 |
	while IFS= read -r -d '' f; do seed plist "$f"; done

python3 - "$out.new" <<'PY'
import hashlib, plistlib, sqlite3, struct, sys
out = sys.argv[1]

def put(h, data):
    with open(f"{out}/{h}/{hashlib.sha1(data).hexdigest()}", "wb") as f:
        f.write(data)

# keybags at one iteration (password "sample-pw")
for b in ("enc", "oldenc"):
    with open(f"{b}/Manifest.plist", "rb") as f:
        put("keybag", plistlib.load(f)["BackupKeyBag"])
# MBFile blobs of the Manifest.db rows
db = sqlite3.connect("file:plain/Manifest.db?mode=ro", uri=True)
for (blob,) in db.execute("SELECT file FROM Files WHERE file IS NOT NULL LIMIT 64"):
    put("mbfile", blob)

# DeviceLink: what a device sends after the version exchange
def msg(*items):
    b = plistlib.dumps(list(items), fmt=plistlib.FMT_BINARY)
    return struct.pack(">I", len(b)) + b
def name(s):
    b = s.encode()
    return struct.pack(">I", len(b)) + b
def block(code, data=b""):
    return struct.pack(">IB", len(data) + 1, code) + data
u = "00008101000a1b2c3d4e001e"
final = msg("DLMessageProcessMessage", {"MessageName": "Response", "ErrorCode": 0})
upload = (msg("DLMessageUploadFiles", {}, 50.0)
          + name(u + "/ab/abcdef") + name(u + "/ab/abcdef") + block(0x0c, b"hello")
          + block(0x0c, b" world") + block(0x00)
          + name(u + "/Status.plist") + name(u + "/Status.plist")
          + block(0x0c, plistlib.dumps({"SnapshotState": "finished"})) + block(0x00)
          + name(u + "/cd/broken") + name(u + "/cd/broken") + block(0x0c, b"half")
          + block(0x0b, b"read error") + struct.pack(">I", 0))
put("devicelink", msg("DLMessageGetFreeDiskSpace") + msg("DLMessageCreateDirectory", u + "/ab")
    + upload + final)
put("devicelink", upload
    + msg("DLMessageMoveItems", {u + "/ab/abcdef": u + "/ab/moved"}, {}, 100.0)
    + msg("DLMessageCopyItem", u + "/ab/moved", u + "/ab/copy")
    + msg("DLContentsOfDirectory", u + "/ab")
    + msg("DLMessageRemoveItems", [u + "/ab/copy"], {}, 100.0)
    + msg("DLMessageDownloadFiles", [u + "/Info.plist"], {}, 100.0)
    + msg("DLMessageFrobnicate", {}) + msg("DLMessageDisconnect", "bye"))
put("devicelink", msg("DLMessageCreateDirectory", u + "/../escape") + upload.replace(
    b"/ab/abcdef", b"/../esc/x") + final)
PY

seed mbdb old/Manifest.mbdb oldenc/Manifest.mbdb
seed manifest_db plain/Manifest.db
[ -d "$fixtures" ] && find "$fixtures" -name '*.sqlite*' -size -64k -print0 |
	while IFS= read -r -d '' f; do seed manifest_db "$f"; done
seed bag bag/manifest-sha256.txt bag/tagmanifest-sha256.txt bag/bag-info.txt bag/ifk-custody.log
seed report_archive report.tar.gz

for d in "$out.new"/*; do
	[ -n "$(ls -A "$d")" ] || { echo "seeds.sh: no seed for $(basename "$d")" >&2; exit 1; }
done
rm -rf "$out"
mv "$out.new" "$out"
echo "seeds: $(find "$out" -type f | wc -l) files in $out"
