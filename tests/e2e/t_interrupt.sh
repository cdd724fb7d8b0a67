#!/usr/bin/env bash
# Ctrl-C during an import: a clean stop, exit 130, the incomplete folder
# kept and named so, never sealed; ifk-verify reports it as incomplete.
. "$(dirname "$0")/lib.sh"

sample big --bulk-mib 512
examiner
"$ACQUIRE" --from big --out big.bag --key ex.key --cert ex.pem -q >acq.txt 2>&1 &
pid=$!
copied=0
for _ in $(seq 1 3000); do
	copied=$(du -sm big.bag.incomplete/data 2>/dev/null | cut -f1 || echo 0)
	[ "${copied:-0}" -ge 16 ] && break
	sleep 0.01
done
[ "${copied:-0}" -ge 16 ] || fail "the import did not start"
# freeze it mid-copy so that the signal lands while files are still copied
kill -STOP "$pid"
[ ! -e big.bag ] || fail "the copy finished before the test could interrupt it"
kill -INT "$pid"
kill -CONT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 130 ] || { cat acq.txt; fail "exit $rc, wanted 130"; }
grep -q "interrupted" acq.txt || fail "no message says it was interrupted"
ok "Ctrl-C stops the import with exit 130"

[ ! -e big.bag ] || fail "a bag was published"
[ -d big.bag.incomplete ] || fail "the incomplete folder is gone"
[ ! -e big.bag.incomplete/ifk-seal.p7s ] || fail "the incomplete folder is sealed"
grep -q '"status": "incomplete"' big.bag.incomplete/ifk-acquisition.json || fail "record not incomplete"
ok "the incomplete folder is kept, unsealed, its record says incomplete"

run 1 "$VERIFY" big.bag.incomplete
has "(incomplete-ifk-bag)"
finding seal fail "ifk-seal.p7s"
has "incomplete acquisition"
ok "ifk-verify reports the incomplete folder as incomplete"

run 2 "$ACQUIRE" --from big --out big.bag --key ex.key --cert ex.pem
has "big.bag.incomplete exists (left by an acquisition that did not finish): remove it, or choose another --out"
ok "a new import refuses to reuse the incomplete folder"
echo "$PASSED passed, 0 failed"
