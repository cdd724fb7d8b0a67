#!/usr/bin/env bash
# ifk-acquire --device against Debian's idevicebackup2, both taking a full
# backup of the same generated sample from the device simulator, in two
# shapes: large files (IFK_BENCH_MIB of media, default 1024) and many small
# files (IFK_BENCH_FILES of them, default 100000, 1 to 10,940 bytes: about
# 547 MB at 100,000, as on a phone full of small records). Prints the median
# seconds of three runs, MiB/s and the speed ratios (above 1: ifk is faster,
# although it also hashes every byte, writes the manifest and seals).
#   bench/bench_device.sh BUILD_DIR [large|small|both]     (default both)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shape=${2:-both}
mib=${IFK_BENCH_MIB:-1024}
nfiles=${IFK_BENCH_FILES:-100000}
case $shape in large | small | both) ;; *) echo "bench: shape: large, small or both" >&2; exit 2 ;; esac
work="$build/bench-device"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
free_mib=$(df -Pm . | awk 'NR == 2 {print $4}')
[ "$free_mib" -gt $((mib * 4)) ] || { echo "bench: need $((mib * 4)) MiB free in $work" >&2; exit 1; }
command -v idevicebackup2 >/dev/null || { echo "bench: idevicebackup2 missing (libimobiledevice-utils)" >&2; exit 1; }
sim_pid=
stop_sim() { [ -z "$sim_pid" ] || kill "$sim_pid" 2>/dev/null || true; sim_pid=; }
trap 'stop_sim; cd /; rm -rf "$work/sample" "$work"/run-*' EXIT
export HOME="$work"
"$build/ifk-acquire" --make-cert --examiner Bench --key k.pem --cert c.pem -q

# small_sample DIR N: a generated backup plus N small files in its hash
# folders (the simulator serves every file of the folder); ifk-genbackup's
# own small-files mode when it has one
small_sample() {
	if "$build/tests/ifk-genbackup" --help 2>&1 | grep -q -- --small-files; then
		"$build/tests/ifk-genbackup" --out "$1" --small-files "$2" >/dev/null
		return
	fi
	"$build/tests/ifk-genbackup" --out "$1" >/dev/null
	python3 - "$1" "$2" <<'PY'
import hashlib, os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(12)
for i in range(n):
    name = hashlib.sha1(b"small-%d" % i).hexdigest()
    os.makedirs(os.path.join(root, name[:2]), exist_ok=True)
    with open(os.path.join(root, name[:2], name), "wb") as f:
        f.write(rnd.randbytes(rnd.randint(1, 10940)))
PY
}

# median of three runs, wall seconds; each run writes a new folder, and the
# last run's is removed and synced before the next starts (untimed)
median() {
	local t=() t0 t1 i
	for i in 1 2 3; do
		rm -rf run-*
		mkdir -p run-out
		sync
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		t+=("$(awk -v s="$t0" -v e="$t1" 'BEGIN {print e - s}')")
	done
	printf '%s\n' "${t[@]}" | sort -g | sed -n 2p
}

# one_shape LABEL: serves ./sample, times the three commands, prints the rows
one_shape() {
	local bytes files ifk ref refsync
	bytes=$(find sample -type f -printf '%s\n' | awk '{s += $1} END {print s}')
	files=$(find sample -type f | wc -l)
	rm -f mux.sock sim.out
	"$build/tests/sim/ifk-devsim" --socket "$work/mux.sock" --backup sample >sim.out 2>&1 &
	sim_pid=$!
	for _ in $(seq 1 100); do grep -q ready sim.out && break; sleep 0.05; done
	export USBMUXD_SOCKET_ADDRESS="UNIX:$work/mux.sock"
	ifk=$(median "$build/ifk-acquire" --device --out run-bag --key k.pem --cert c.pem -q)
	ref=$(median idevicebackup2 backup --full run-out)
	refsync=$(median sh -c 'idevicebackup2 backup --full run-out && sync -f run-out')
	stop_sim
	printf '\n%s: %d files, %d bytes, %s\n' "$1" "$files" "$bytes" "$(date -u +%F)"
	printf '%-40s %8s %9s\n' "what" "seconds" "MiB/s"
	for row in "idevicebackup2 backup --full:$ref" "idevicebackup2 + sync (durable):$refsync" \
		"ifk-acquire --device (hash+seal+sync):$ifk"; do
		awk -v n="${row%%:*}" -v s="${row##*:}" -v b="$bytes" \
			'BEGIN {printf "%-40s %8.3f %9.1f\n", n, s, b / 1048576 / s}'
	done
	awk -v r="$ref" -v i="$ifk" 'BEGIN {printf "speed ratio ifk-acquire / idevicebackup2 = %.2fx (above 1: ifk faster)\n", r / i}'
	awk -v r="$refsync" -v i="$ifk" 'BEGIN {printf "speed ratio ifk-acquire / (idevicebackup2 + sync) = %.2fx (both on disk at the end)\n", r / i}'
}

if [ "$shape" != small ]; then
	"$build/tests/ifk-genbackup" --out sample --bulk-mib "$mib" >/dev/null
	one_shape "large files ($mib MiB of media)"
	rm -rf sample run-*
fi
if [ "$shape" != large ]; then
	small_sample sample "$nfiles"
	one_shape "small files ($nfiles of 1 to 10,940 bytes)"
fi
