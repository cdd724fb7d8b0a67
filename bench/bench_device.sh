#!/usr/bin/env bash
# ifk-acquire --device against Debian's idevicebackup2, both taking a full
# backup of the same generated sample from the device simulator. Prints the
# seconds, MiB/s and the speed ratio (above 1: ifk is faster, although it
# also hashes every byte, writes the manifest and seals).
#   bench/bench_device.sh BUILD_DIR     (IFK_BENCH_MIB, default 1024)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
mib=${IFK_BENCH_MIB:-1024}
work="$build/bench-device"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
free_mib=$(df -Pm . | awk 'NR == 2 {print $4}')
[ "$free_mib" -gt $((mib * 4)) ] || { echo "bench: need $((mib * 4)) MiB free in $work" >&2; exit 1; }
command -v idevicebackup2 >/dev/null || { echo "bench: idevicebackup2 missing (libimobiledevice-utils)" >&2; exit 1; }
sim_pid=
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; cd /; rm -rf "$work/sample" "$work"/run-*' EXIT

"$build/tests/ifk-genbackup" --out sample --bulk-mib "$mib" >/dev/null
bytes=$(find sample -type f -printf '%s\n' | awk '{s += $1} END {print s}')
"$build/tests/sim/ifk-devsim" --socket "$work/mux.sock" --backup sample >sim.out 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do grep -q ready sim.out && break; sleep 0.05; done
export USBMUXD_SOCKET_ADDRESS="UNIX:$work/mux.sock" HOME="$work"
"$build/ifk-acquire" --make-cert --examiner Bench --key k.pem --cert c.pem -q

# best of two runs, wall seconds
best() {
	local b=999999 t0 t1 i
	for i in 1 2; do
		rm -rf run-*
		mkdir -p run-out
		sync
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		b=$(awk -v a="$b" -v s="$t0" -v e="$t1" 'BEGIN {d = e - s; print (d < a ? d : a)}')
	done
	echo "$b"
}
ifk=$(best "$build/ifk-acquire" --device --out run-bag --key k.pem --cert c.pem -q)
ref=$(best idevicebackup2 backup --full run-out)
refsync=$(best sh -c 'idevicebackup2 backup --full run-out && sync -f run-out')
printf 'sample: %d bytes (%d MiB of media), %s\n' "$bytes" "$mib" "$(date -u +%F)"
printf '%-40s %8s %9s\n' "what" "seconds" "MiB/s"
for row in "idevicebackup2 backup --full:$ref" "idevicebackup2 + sync (durable):$refsync" \
	"ifk-acquire --device (hash+seal+sync):$ifk"; do
	awk -v n="${row%%:*}" -v s="${row##*:}" -v b="$bytes" \
		'BEGIN {printf "%-40s %8.3f %9.1f\n", n, s, b / 1048576 / s}'
done
awk -v r="$ref" -v i="$ifk" 'BEGIN {printf "speed ratio ifk-acquire / idevicebackup2 = %.2fx (above 1: ifk faster)\n", r / i}'
awk -v r="$refsync" -v i="$ifk" 'BEGIN {printf "speed ratio ifk-acquire / (idevicebackup2 + sync) = %.2fx (both on disk at the end)\n", r / i}'
