#!/usr/bin/env bash
# A camera-roll movie of more than 4 GiB, unencrypted and encrypted
# (AES-256-CBC, PKCS#7, its own file key), through ifk-verify of the raw
# backup, ifk-acquire --from, ifk-verify of the bag, ifk-parse --export and
# media_files, ifk-report --include-media and ifk-verify REPORT BAG: every
# size and SHA-256 exact. The expected hashes come from openssl dgst and
# Python's tarfile, never from ifk.
#
# The unencrypted movie is a sparse file (no disk until it is copied); the
# encrypted one is written in full. The copies cost about 10 GiB at the
# most (each removed when done): with less than 20 GiB free the test is
# skipped. IFK_BIGFILE_BYTES sets the movie's size (default 4.5 GiB + 19).
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"

SIZE=${IFK_BIGFILE_BYTES:-4831838227}
ID=484baecd6f4075746f36c92e66bf6f37a6ac2475 # CameraRollDomain-Media/DCIM/102APPLE/IMG_2000.MOV
REL=Media/DCIM/102APPLE/IMG_2000.MOV
NEED_KIB=$((20 * 1024 * 1024))
avail=$(df -Pk "$T" | awk 'NR == 2 { print $4 }')
if [ "$avail" -lt "$NEED_KIB" ]; then
	echo "SKIP: t_bigfile needs 20 GiB free in $T, has $((avail / 1024 / 1024)) GiB"
	exit 77
fi
mkdir tmp
export TMPDIR="$T/tmp"
examiner

# The movie's plaintext: the generator's QuickTime header, then zeros.
MOV_HEAD='\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  '
movie() { printf "$MOV_HEAD"; head -c $((SIZE - 20)) /dev/zero; }
PLAIN_SHA=$(movie | openssl dgst -sha256 -r | cut -d' ' -f1)
[ ${#PLAIN_SHA} -eq 64 ] || fail "openssl cannot hash the expected movie"

# through BAG BACKUP [--password-file pw.txt]: acquires BACKUP into BAG and
# checks BAG, its parse (export and media_files), its report with media, and
# that report; SHA is the stored file's SHA-256.
through() {
	local bag=$1 src=$2 sha=$3
	shift 3
	local files bytes
	files=$(find "$src" -type f | wc -l)
	bytes=$(($(find "$src" -type f -printf '%s+') 0)) # in the shell's 64-bit arithmetic
	sealed "$bag" "$src"
	has "bytes: $bytes"
	grep -qx "$sha  data/${ID:0:2}/$ID" "$bag/manifest-sha256.txt" ||
		fail "the bag's manifest does not give $ID the SHA-256 $sha"
	grep -qx "Payload-Oxum: $bytes.$files" "$bag/bag-info.txt" ||
		fail "Payload-Oxum is not $bytes.$files: $(grep Oxum "$bag/bag-info.txt")"
	ok "$src: acquired; its manifest line and Payload-Oxum ($bytes.$files) exact"
	rm -rf "$src"

	run 0 "$VERIFY" "$bag" "$@"
	has "ifk-verify: PASS"
	ok "$src: the bag verifies"

	run 0 "$PARSE" "$bag" --out parsed --export exp "$@"
	[ "$(stat -c %s "exp/CameraRollDomain/$REL")" = "$SIZE" ] || fail "the export's size is not $SIZE"
	[ "$(openssl dgst -sha256 -r <"exp/CameraRollDomain/$REL" | cut -d' ' -f1)" = "$PLAIN_SHA" ] ||
		fail "the export's SHA-256 is not the movie's"
	rm -rf exp
	python3 - parsed "$REL" "$SIZE" "$PLAIN_SHA" <<'PY' || fail "media_files does not give the movie's size and SHA-256"
import json, sqlite3, sys
d, rel, size, sha = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = [json.loads(l) for l in open(d + "/media_files.jsonl")]
row = [r for r in rows if r["file_path"] == rel]
assert len(row) == 1 and row[0]["size"] == size and row[0]["sha256"] == sha, row
assert row[0]["media_type"] == "video", row
db = sqlite3.connect(d + "/artifacts.sqlite")
got = db.execute("SELECT size, typeof(size), sha256 FROM media_files WHERE file_path = ?", (rel,)).fetchall()
assert got == [(size, "integer", sha)], got
PY
	ok "$src: ifk-parse exports the movie and lists it in media_files, size and SHA-256 exact"

	run 0 "$REPORT" "$bag" parsed --out r.tar.gz --key ex.key --cert ex.pem --include-media "$@"
	python3 - r.tar.gz "$SIZE" "$PLAIN_SHA" <<'PY' || fail "the report archive does not hold the movie exactly"
import hashlib, json, sys, tarfile
path, size, sha = sys.argv[1], int(sys.argv[2]), sys.argv[3]
name, seen, sums, report = "media/" + sha, {}, None, None
with tarfile.open(path, "r|gz") as t:
    for m in t:
        f = t.extractfile(m)
        h = hashlib.sha256()
        data = b""
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            if m.name in ("SHA256SUMS", "report.json"):
                data += b
        seen[m.name] = (m.size, h.hexdigest())
        if m.name == "SHA256SUMS":
            sums = data.decode()
        if m.name == "report.json":
            report = json.loads(data)
assert seen[name] == (size, sha), seen.get(name)
assert sha + "  " + name + "\n" in sums
media = [m for m in report["media"] if m["sha256"] == sha]
assert len(media) == 1 and media[0]["size"] == size and media[0]["member"] == name, media
PY
	ok "$src: the report archive's member media/<sha256> is the movie, its size and SHA-256 exact"

	run 0 "$VERIFY" r.tar.gz "$bag"
	has "ifk-verify: PASS"
	ok "$src: ifk-verify REPORT BAG passes"
	rm -rf "$bag" parsed r.tar.gz r.tar.gz.p7s
}

# --- unencrypted: a sparse file --------------------------------------------
sample plain --big-file "$SIZE"
[ "$(stat -c %s "plain/${ID:0:2}/$ID")" = "$SIZE" ] || fail "the generator did not write $SIZE bytes"
run 0 "$VERIFY" plain
check_status backup pass
cp -a --sparse=always plain short
truncate -s -4G "short/${ID:0:2}/$ID"
run 0 "$VERIFY" short
finding backup warn "the index says $SIZE bytes, the file has $((SIZE - 4294967296))"
rm -rf short
ok "the raw backup verifies; a copy exactly 4 GiB short is told by both sizes"

sample mbdb --layout mbdb --big-file "$SIZE"
run 0 "$VERIFY" mbdb
check_status backup pass
truncate -s -4G "mbdb/$ID"
run 1 "$VERIFY" mbdb
finding backup fail "$ID): the stored file's SHA-1"
finding backup warn "the index says $SIZE bytes, the file has $((SIZE - 4294967296))"
rm -rf mbdb
ok "Manifest.mbdb: the movie's Size and SHA-1 check; 4 GiB short fails"

through bag plain "$PLAIN_SHA"

# --- encrypted: AES-256-CBC with PKCS#7 padding ----------------------------
sample enc --big-file "$SIZE" "${FAST[@]}"
stored="enc/${ID:0:2}/$ID"
[ "$(stat -c %s "$stored")" = "$(((SIZE / 16 + 1) * 16))" ] || fail "the ciphertext is not padded to a whole block"
CIPHER_SHA=$(openssl dgst -sha256 -r <"$stored" | cut -d' ' -f1)
run 0 "$VERIFY" enc --password-file pw.txt
check_status encryption pass
flip "$stored" $(((SIZE / 16 + 1) * 16 - 1))
run 1 "$VERIFY" enc --password-file pw.txt
has "after $(((SIZE / 16 + 1) * 16)) ciphertext bytes"
flip "$stored" $(((SIZE / 16 + 1) * 16 - 1))
ok "the encrypted raw backup decrypts; a changed last block is bad padding after all its bytes"

through bag enc "$CIPHER_SHA" --password-file pw.txt
[ -z "$(ls -A tmp)" ] || fail "temporaries left behind: $(ls tmp)"
