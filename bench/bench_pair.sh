#!/usr/bin/env bash
# Paired runs of ifk-acquire against its baseline on one sample, taking
# turns (ifk, baseline, ifk, ...) so that both meet the same load, and the
# median of the pairs' ratios: on a shared machine single runs spread far
# more than pairs do.
#   bench/bench_pair.sh BUILD_DIR device SAMPLE [PAIRS] [IFK_ACQUIRE...]
#       ifk-acquire --device against `idevicebackup2 backup --full` +
#       `sync -f`, both served SAMPLE by the device simulator; ratio as
#       bench_device.sh prints it: baseline / ifk (above 1: ifk faster)
#   bench/bench_pair.sh BUILD_DIR from SAMPLE [PAIRS] [IFK_ACQUIRE...]
#       ifk-acquire --from SAMPLE against `cp -r` + `sync -f` + sha256sum
#       of every copied file; ratio as bench_scale.sh prints it: ifk /
#       baseline (below 1: ifk faster)
# PAIRS defaults to 5. Several ifk-acquire binaries (e.g. a build before a
# change and one after) each take their turn in every pair, compared with
# the same baseline run. Each run writes a new folder (the last one is
# removed and synced, untimed); wall, CPU (user + system) and peak RSS come
# from /usr/bin/time (package `time`).
set -euo pipefail
build=$(cd "${1:?BUILD_DIR}" && pwd)
mode=${2:?device or from}
sample=$(cd "${3:?SAMPLE}" && pwd)
pairs=${4:-5}
shift $(($# < 4 ? $# : 4))
bins=()
for b in "$@"; do bins+=("$(realpath "$b")"); done # the runs happen in another folder
[ ${#bins[@]} -gt 0 ] || bins=("$build/ifk-acquire")
case $mode in device | from) ;; *) echo "bench: mode: device or from" >&2; exit 2 ;; esac
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (package time)" >&2; exit 1; }
work="$build/bench-pair"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
export HOME="$work"
"$build/ifk-acquire" --make-cert --examiner Bench --key k.pem --cert c.pem -q
sim_pid=
trap '[ -z "$sim_pid" ] || kill "$sim_pid" 2>/dev/null || true; cd /; rm -rf "$work"/run-*' EXIT
if [ "$mode" = device ]; then
	command -v idevicebackup2 >/dev/null || { echo "bench: idevicebackup2 missing" >&2; exit 1; }
	"$build/tests/sim/ifk-devsim" --socket "$work/mux.sock" --backup "$sample" >sim.out 2>&1 &
	sim_pid=$!
	for _ in $(seq 1 100); do grep -q ready sim.out && break; sleep 0.05; done
	export USBMUXD_SOCKET_ADDRESS="UNIX:$work/mux.sock"
	baseline=(sh -c 'idevicebackup2 backup --full run-out && sync -f run-out')
else
	baseline=(sh -c "cp -r '$sample' run-copy && sync -f run-copy &&
		find run-copy -type f -print0 | xargs -0 sha256sum >/dev/null")
fi

# run LABEL CMD...: one timed run, one line
run() {
	rm -rf run-*
	mkdir -p run-out
	sync
	/usr/bin/time -f "%e %U %S %M" -o time.txt "${@:2}" >/dev/null 2>run.err ||
		{ echo "bench: $1 failed:" >&2; cat run.err >&2; exit 1; }
	read -r e u s m <time.txt
	echo "$1 wall=$e user=$u sys=$s rss_kb=$m load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a runs.txt
}
: >runs.txt
for _ in $(seq 1 "$pairs"); do
	for i in "${!bins[@]}"; do
		if [ "$mode" = device ]; then
			run "ifk$i" "${bins[$i]}" --device --out run-bag --key k.pem --cert c.pem -q
		else
			run "ifk$i" "${bins[$i]}" --from "$sample" --out run-bag --key k.pem --cert c.pem -q
		fi
	done
	run base "${baseline[@]}"
done
echo
for i in "${!bins[@]}"; do echo "ifk$i = ${bins[$i]}"; done
python3 - "$mode" runs.txt <<'PY'
import re, statistics as st, sys
mode, runs = sys.argv[1], [dict(re.findall(r"(\w+)=([\d.]+)", l), who=l.split()[0]) for l in open(sys.argv[2])]
pairs, cur = [], {}
for r in runs:
    cur[r["who"]] = r
    if r["who"] == "base":
        pairs.append(cur)
        cur = {}
cpu = lambda r: float(r["user"]) + float(r["sys"])
print("%-6s %9s %9s %9s %9s  %s" % ("who", "wall med", "cpu med", "user med", "peak MiB", "ratio (median of the pairs)"))
for who in [w for w in pairs[0] if w != "base"] + ["base"]:
    rs = [p[who] for p in pairs]
    line = "%-6s %9.2f %9.2f %9.2f %9.1f" % (who, st.median(float(r["wall"]) for r in rs),
        st.median(cpu(r) for r in rs), st.median(float(r["user"]) for r in rs),
        max(int(r["rss_kb"]) for r in rs) / 1024)
    if who != "base":
        f = (lambda p, k: k(p["base"]) / k(p[who])) if mode == "device" else (lambda p, k: k(p[who]) / k(p["base"]))
        line += "  wall %.2fx, cpu %.2fx %s" % (st.median(f(p, lambda r: float(r["wall"])) for p in pairs),
            st.median(f(p, cpu) for p in pairs),
            "(base/ifk: above 1 ifk faster)" if mode == "device" else "(ifk/base: below 1 ifk faster)")
    print(line)
loads = [float(r["load"]) for r in runs]
print("%d pairs, load average %.1f to %.1f" % (len(pairs), min(loads), max(loads)))
PY
