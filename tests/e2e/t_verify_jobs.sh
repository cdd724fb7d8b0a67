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
stranger=0123456789abcdef0123456789abcdef01234567
other=ff
[ "${moved:0:2}" != "$other" ] || other=fe

chmod -R u+w bag-plain bag-enc
# in the encrypted files, the last block: its padding no longer decrypts
for b in bag-plain bag-enc; do
	at=4000
	[ "$b" = bag-plain ] || at=4100
	flip "$b/data/${changed:0:2}/$changed" "$at"
	rm "$b/data/${gone:0:2}/$gone"
	mv "$b/data/${moved:0:2}/$moved" "$b/data/$other/$moved"
	head -c 4096 /dev/urandom >"$b/data/${stranger:0:2}/$stranger"
	ln -s ../Manifest.db "$b/data/7f/link"
done

same 1 bag-plain
has "ifk-verify: FAIL"
finding seal fail "data/${changed:0:2}/$changed: content changed"
finding seal fail "data/${gone:0:2}/$gone: missing"
finding seal fail "data/${stranger:0:2}/$stranger: added"
finding backup fail "${stranger:0:2}/$stranger: stored file has no entry in the index"
finding backup fail "$other/$moved: stored in the wrong folder for its fileID"
finding seal fail "7f/link: not a regular file or folder"
ok "a tampered plain bag: the same findings, in the same order, on 1, 2 and 5 threads"

same 1 bag-enc --password-file pw.txt
has "ifk-verify: FAIL"
finding seal fail "data/${changed:0:2}/$changed: content changed"
finding encryption fail "($changed): does not decrypt"
finding backup fail "${stranger:0:2}/$stranger: stored file has no entry in the index"
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
	head -c 4096 /dev/urandom >"$d/${stranger:0:2}/$stranger"
done
same 1 plain
finding backup fail "$DOMAIN/Library/Caches/b00001/f00001200.bin ($gone): the index lists this file but it is not stored"
finding backup fail "${stranger:0:2}/$stranger: stored file has no entry in the index"
same 1 enc --password-file pw.txt
finding encryption fail "($changed): does not decrypt"
ok "backup folders, plain and decrypted: the same report on 1, 2 and 5 threads"

run 2 "$VERIFY" --read-only --jobs 0x bag-plain
run 2 "$VERIFY" --read-only --jobs 300 bag-plain
has "--jobs: 1 to 256"
ok "--jobs takes 1 to 256"
