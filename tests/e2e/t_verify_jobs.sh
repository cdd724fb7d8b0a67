#!/usr/bin/env bash
# ifk-verify --jobs: the pass reads, hashes and decrypts files on several
# threads; the findings, their order and the whole JSON report are the same
# as on one thread, on bags and backup folders, plain and encrypted, with
# a changed file, a missing one, files the manifests or the index do not
# list, a file in the wrong folder and a symlink among many.
. "$(dirname "$0")/lib.sh"

N=1500
DOMAIN=AppDomain-com.example.smallfiles

# the report without its clock (started, ended and the seconds taken)
report() {
	python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("started", "ended", "seconds"):
    r.pop(k, None)
print(json.dumps(r, indent=1, sort_keys=False))
EOF
}

# same WANT_RC TARGET [options]: --jobs 1, 2 and 5 give the same exit code
# and the same report; out.txt keeps the --jobs 1 text output
same() {
	local want=$1 target=$2 j
	shift 2
	for j in 1 2 5; do
		run "$want" "$VERIFY" --read-only --json --jobs "$j" "$@" "$target"
		report out.txt >"jobs$j.json" || fail "--jobs $j: no JSON report"
	done
	cmp -s jobs1.json jobs2.json || fail "$target: --jobs 2 differs from --jobs 1: $(diff jobs1.json jobs2.json | head -20)"
	cmp -s jobs1.json jobs5.json || fail "$target: --jobs 5 differs from --jobs 1: $(diff jobs1.json jobs5.json | head -20)"
	run "$want" "$VERIFY" --read-only --jobs 1 -v "$@" "$target"
}

sample plain --small-files "$N"
sample enc --small-files "$N" "${FAST[@]}"
sealed bag-plain plain
sealed bag-enc enc

same 0 bag-plain
has "ifk-verify: PASS"
same 0 bag-enc --password-file pw.txt
has "ifk-verify: PASS"
ok "sound bags: the same PASS report on 1, 2 and 5 threads"

id_of() {
	sqlite3 plain/Manifest.db "SELECT fileID FROM Files WHERE relativePath = '$1'"
}
changed=$(id_of Library/Caches/b00000/f00000100.bin)
gone=$(id_of Library/Caches/b00001/f00001200.bin)
moved=$(id_of Library/Caches/b00000/f00000777.bin)
[ -n "$changed" ] && [ -n "$gone" ] && [ -n "$moved" ] || fail "no fileIDs for the chosen files"
[ "${moved:0:2}" != "${changed:0:2}" ] || fail "choose a file of another folder to move"
# the changed file, a file the index lacks and one from another folder side
# by side: their findings come in the folder's name order
other=${changed:0:2}
stranger=${other}23456789abcdef0123456789abcdef01234567

chmod -R u+w bag-plain bag-enc
# in the encrypted files, the last block: its padding no longer decrypts
for b in bag-plain bag-enc; do
	at=4000
	[ "$b" = bag-plain ] || at=4100
	flip "$b/data/${changed:0:2}/$changed" "$at"
	rm "$b/data/${gone:0:2}/$gone"
	mv "$b/data/${moved:0:2}/$moved" "$b/data/$other/$moved"
	head -c 4096 /dev/urandom >"$b/data/$other/$stranger"
	ln -s ../Manifest.db "$b/data/7f/link"
done

same 1 bag-plain
has "ifk-verify: FAIL"
finding seal fail "data/${changed:0:2}/$changed: content changed"
finding seal fail "data/${gone:0:2}/$gone: missing"
finding seal fail "data/$other/$stranger: added"
finding backup fail "$other/$stranger: stored file has no entry in the index"
finding backup fail "$other/$moved: stored in the wrong folder for its fileID"
finding seal fail "7f/link: not a regular file or folder"
ok "a tampered plain bag: the same findings, in the same order, on 1, 2 and 5 threads"

same 1 bag-enc --password-file pw.txt
has "ifk-verify: FAIL"
finding seal fail "data/${changed:0:2}/$changed: content changed"
finding encryption fail "($changed): does not decrypt"
finding backup fail "$other/$stranger: stored file has no entry in the index"
ok "a tampered encrypted bag, decrypted: the same findings on 1, 2 and 5 threads"

same 1 bag-enc
has "ifk-verify: FAIL"
ok "the encrypted bag without its password: the same report on 1, 2 and 5 threads"

# backup folders, not bags: the index and the files alone
for d in plain enc; do
	at=4000
	[ "$d" = plain ] || at=4100
	flip "$d/${changed:0:2}/$changed" "$at"
	rm "$d/${gone:0:2}/$gone"
	head -c 4096 /dev/urandom >"$d/$other/$stranger"
done
same 1 plain
finding backup fail "$DOMAIN/Library/Caches/b00001/f00001200.bin ($gone): the index lists this file but it is not stored"
finding backup fail "$other/$stranger: stored file has no entry in the index"
same 1 enc --password-file pw.txt
finding encryption fail "($changed): does not decrypt"
ok "backup folders, plain and decrypted: the same report on 1, 2 and 5 threads"

# a plain BagIt bag (not a backup) with folders of more files than one
# hand-over takes: a changed, a missing and an added file among them
mkdir -p other/data/a other/data/b
for i in $(seq -w 1 400); do echo "file $i" >"other/data/a/f$i"; done
for i in $(seq -w 1 150); do echo "file $i" >"other/data/b/g$i"; done
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' >other/bagit.txt
(cd other && find data -type f | sort | xargs sha256sum >manifest-sha256.txt)
same 0 other
has "ifk-verify: PASS"
echo changed >>other/data/a/f133
echo changed >>other/data/a/f300
rm other/data/a/f134 other/data/b/g007
echo new >other/data/a/f133x
echo new >other/data/b/g150x
same 1 other
finding seal fail "data/a/f133: content changed"
finding seal fail "data/a/f133x: added"
finding seal fail "data/a/f134: missing"
finding seal fail "data/b/g150x: added"
ok "a plain bag with 400 files in a folder: the same report on 1, 2 and 5 threads"

run 2 "$VERIFY" --read-only --jobs 0x bag-plain
run 2 "$VERIFY" --read-only --jobs 300 bag-plain
has "--jobs: 1 to 256"
ok "--jobs takes 1 to 256"
