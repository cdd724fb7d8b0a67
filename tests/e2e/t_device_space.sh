#!/usr/bin/env bash
# The device asks how much room the host has: ifk-acquire --device answers
# with the free space of the bag's filesystem. When that disk fills during
# the transfer, it stops at once with a one-line error naming the folder and
# the space, exit 3, and an unsealed BAG.incomplete whose record says why
# (idevicebackup2 1.3.0 hangs here). The disk is a small tmpfs in a mount
# namespace of the test's own: this needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/devsim.sh"
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "SKIP t_device_space: a small tmpfs needs root and mount namespaces (not here)"
	exit 0
fi
examiner
sample src --bulk-mib 16
mkdir disk keep
# on_tmpfs MIB SCRIPT: runs SCRIPT (bash) with a tmpfs of MIB MiB at disk/,
# which the namespace's end removes: what must outlive it goes to keep/
on_tmpfs() {
	IFK_T="$T" ACQUIRE="$ACQUIRE" unshare -m bash -euo pipefail -c \
		"mount -t tmpfs -o size=$1m ifk-test \"\$IFK_T/disk\"; cd \"\$IFK_T\"; $2"
}
acquire_to() { # disk/BAG: its output and exit code into keep/BAG.out, keep/BAG.rc
	local k=keep/${1#disk/} rc=0
	timeout 120 "$ACQUIRE" --device --out "$1" --key ex.key --cert ex.pem >"$k.out" 2>&1 || rc=$?
	echo "$rc" >"$k.rc"
}

# the answer: the tmpfs's free space (8 MiB, less the 4 MiB ifk keeps for
# its record), too little for 16 MiB: the device ends with ErrorCode 105
start_sim src
on_tmpfs 8 "$(declare -f acquire_to); acquire_to disk/small.bag; cp -r disk/small.bag* keep/"
[ "$(cat keep/small.bag.rc)" = 3 ] || { cat keep/small.bag.out; fail "exit $(cat keep/small.bag.rc), wanted 3"; }
grep -q "ErrorCode 105" keep/small.bag.out || fail "the device's refusal is not said"
answered=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["transfer"]["free_space_answered_bytes"])' \
	keep/small.bag.incomplete/ifk-acquisition.json)
grep -q "host has $answered bytes free" "$T/sim.log" || fail "the device was told another figure than recorded"
[ "$answered" -le $((4 * 1048576)) ] && [ "$answered" -ge $((4 * 1048576 - 262144)) ] ||
	fail "answered $answered bytes free on an 8 MiB tmpfs holding a 4 MiB reserve"
ok "the free space told to the device is the bag's filesystem's ($answered bytes), and recorded"

# the disk fills while the device writes its Manifest.db: a file takes
# every free byte as the last data file has arrived
start_sim src --fault slow-manifest --stall-seconds 3
logged=$(wc -l <"$T/sim.log") # the log is shared: only what comes after counts
on_tmpfs 64 "$(declare -f acquire_to)
acquire_to disk/full.bag &
for _ in \$(seq 1 600); do grep -q 'fault slow-manifest' sim.log && break; sleep 0.05; done
fallocate -l \$(df -B1 --output=avail disk | tail -1) disk/filler || true
wait
rm -f disk/filler
cp -r disk/full.bag* keep/"
rc=$(cat keep/full.bag.rc)
[ "$rc" = 3 ] || { cat keep/full.bag.out; fail "exit $rc after the disk filled, wanted 3"; }
grep -q "^ifk-acquire: disk/full.bag.incomplete: the disk is full (0 bytes free of 64.0 MiB): cannot write data/Manifest.db$" \
	keep/full.bag.out || { cat keep/full.bag.out; fail "no one-line error naming the folder and the space"; }
[ ! -e keep/full.bag ] && [ ! -e keep/full.bag.incomplete/ifk-seal.p7s ] || fail "a bag was sealed"
grep -q '"reason": "disk/full.bag.incomplete: the disk is full' keep/full.bag.incomplete/ifk-acquisition.json ||
	fail "the incomplete folder's record does not say why"
[ ! -e keep/full.bag.incomplete/data/Manifest.db ] || fail "the partial Manifest.db was kept"
[ ! -e keep/full.bag.incomplete/.ifk-reserve ] || fail "the reserve was left behind"
tail -n +$((logged + 1)) "$T/sim.log" >sim-full.log
grep -q "backup: request Backup" sim-full.log && ! grep -q "final response" sim-full.log ||
	fail "the transfer went on after the disk filled"
run 1 "$VERIFY" keep/full.bag.incomplete
has "incomplete"
ok "a full disk mid-file: a one-line error at once, exit 3, an unsealed folder saying why"
echo "$PASSED passed, 0 failed"
