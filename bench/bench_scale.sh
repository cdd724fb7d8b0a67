#!/usr/bin/env bash
# bench/bench_scale.sh [--with-1m] BUILD_DIR: the per-file cost of ifk on
# backups of many small files (ifk-genbackup --small-files N, 4 KiB each):
# time, cpu and peak memory of ifk-acquire --from, ifk-verify, ifk-parse and
# ifk-report at N = 10,000 and 100,000 (and 1,000,000 with --with-1m), each
# against the plain tools over the same files. See bench/README.md.
#   IFK_BENCH_FILES="N ..."  the sizes to run instead (each 1,000 or more)
#   IFK_BENCH_RUNS=R         runs per command (default 3; the median is kept;
#                            sizes over 200,000 files run once)
#   IFK_BENCH_CAMERA=1       the N files in the camera roll (--small-camera):
#                            N rows of media_files, N members with --include-media
set -euo pipefail
export LC_ALL=C

die() {
	echo "bench: $*" >&2
	exit 1
}
usage() {
	echo "usage: bench/bench_scale.sh [--with-1m] BUILD_DIR" >&2
	exit 2
}

sizes="10000 100000"
if [ "${1:-}" = --with-1m ]; then
	sizes="10000 100000 1000000"
	shift
fi
[ $# -eq 1 ] || usage
sizes=${IFK_BENCH_FILES:-$sizes}
for n in $sizes; do
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1000 ] && [ "$n" -le 10000000 ] ||
		die "IFK_BENCH_FILES: each size a whole number of files, 1000 to 10000000 (not $n)"
done
runs=${IFK_BENCH_RUNS:-3}
camera=
[ "${IFK_BENCH_CAMERA:-0}" = 1 ] && camera=1
[[ $runs =~ ^[1-9]$ ]] || die "IFK_BENCH_RUNS must be 1 to 9"
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: $1: no such build folder" >&2; exit 2; }
for t in ifk-acquire ifk-verify ifk-parse ifk-report tests/ifk-genbackup; do
	[ -x "$build/$t" ] || die "$build/$t is missing: build first (make build)"
done
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time (package time) is needed for the memory column"
SIZE=4096

work=$build/bench-scale
[ -d "$work" ] && { chmod -R u+w "$work" 2>/dev/null || true; }
rm -rf "$work"
mkdir -p "$work"
cd "$work"
cleanup() {
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work"/sample "$work"/bag "$work"/copy "$work"/parsed "$work"/report*
}
trap cleanup EXIT
umask 077
"$build/ifk-acquire" --make-cert --examiner "Bench Examiner" --key ex.key --cert ex.pem -q
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)

# fits N: at most the sample, its bag and a copy (or the parse output) at
# once, about 6 KiB each per file (the file, its Manifest.db row, folders,
# manifests), twice over for the filesystem's own use
fits() {
	local n=$1 need_mib need_inodes avail inodes
	need_mib=$((n * 6 * 3 * 2 / 1024 + 1024))
	need_inodes=$((n * 3 + 10000))
	avail=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
	inodes=$(df -Pi "$work" | awk 'NR == 2 { print $4 }')
	if [ "$avail" -lt "$need_mib" ]; then
		SKIP_WHY="only $avail MiB free under $work, $need_mib MiB needed"
		return 1
	fi
	if [[ $inodes =~ ^[0-9]+$ ]] && [ "$inodes" -lt "$need_inodes" ]; then
		SKIP_WHY="only $inodes inodes free under $work, $need_inodes needed"
		return 1
	fi
}

# measure LABEL SETUP CMD...: runs SETUP, sync, then CMD R times; sets WALL
# (median wall seconds), CPU (median user+system seconds) and PEAK (highest
# peak RSS, KiB). CMD must exit 0; its output goes to LABEL.log.
measure() {
	local label=$1 setup=$2 i t0 t1 rc walls=() cpus=()
	shift 2
	PEAK=0
	for ((i = 1; i <= RUNS; i++)); do
		"$setup"
		sync
		rc=0
		t0=$EPOCHREALTIME
		"$TIME" -f '%M %U %S' -o time.txt "$@" > "$label.log" 2>&1 || rc=$?
		t1=$EPOCHREALTIME
		[ "$rc" -eq 0 ] || { tail -5 "$label.log" >&2; die "$label: exit $rc from: $*"; }
		walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
		cpus+=("$(awk 'END { printf "%.3f", $2 + $3 }' time.txt)")
		PEAK=$(awk -v p="$PEAK" 'END { print ($1 > p ? $1 : p) }' time.txt)
	done
	WALL=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	CPU=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
}

nothing() { :; }
no_copy() { rm -rf copy; }
no_bag() {
	chmod -R u+w bag 2>/dev/null || true
	rm -rf bag
}
no_parsed() { rm -rf parsed; }
no_report() { rm -f report.tar.gz report.tar.gz.p7s; }

# The plain tools: a copy flushed to disk and hashed (what acquire does), the
# bag's own manifest checked (what verify does), every bag file hashed (the
# least any parse of the bag does).
copy_hash() { cp -r sample copy && sync -f copy && find copy -type f -print0 | xargs -0 sha256sum > /dev/null; }
check_manifest() { cd bag && sha256sum --quiet -c manifest-sha256.txt; }
hash_bag() { find bag -type f -print0 | xargs -0 sha256sum > /dev/null; }
export -f copy_hash check_manifest hash_bag

ROWS=()
# row N WHAT WALL CPU PEAK_KIB [BASE_WALL BASE_CPU BASE_WHAT]
row() {
	local peak ratio=
	peak=$(awk -v k="$5" 'BEGIN { printf "%.1f", k / 1024 }')
	[ -n "${6:-}" ] && ratio=$(awk -v a="$3" -v b="$6" -v c="$4" -v d="$7" -v w="$8" \
		'BEGIN { printf "%.2fx (cpu %.2fx) %s", a / b, (d > 0 ? c / d : 0), w }')
	ROWS+=("$(printf '%8s  %-26s %8.2f %8.2f %5.2f %9s  %s' "$1" "$2" "$3" "$4" \
		"$(awk -v c="$4" -v w="$3" 'BEGIN { printf "%.2f", (w > 0 ? c / w : 0) }')" "$peak" "$ratio")")
}

one_size() {
	local n=$1 files
	RUNS=$runs
	[ "$n" -gt 200000 ] && RUNS=1
	echo "== $n files of $SIZE bytes: generating" >&2
	"$build/tests/ifk-genbackup" --out sample --seed 7 --small-files "$n" --small-size "$SIZE" \
		${camera:+--small-camera} > gen.txt ||
		die "ifk-genbackup failed: $(cat gen.txt)"
	files=$(find sample -type f | wc -l)
	echo "   $files files; measuring ($RUNS run(s) each)" >&2

	measure "$n-cp" no_copy bash -c copy_hash
	no_copy
	local base=$WALL base_cpu=$CPU
	row "$n" "cp -r + sync + sha256sum" "$WALL" "$CPU" "$PEAK"
	measure "$n-acquire" no_bag "$build/ifk-acquire" --from sample --out bag --key ex.key \
		--cert ex.pem --case BENCH --evidence EV-1 --examiner "Bench Examiner"
	grep -q "^files: $files$" "$n-acquire.log" || die "ifk-acquire did not copy $files files"
	row "$n" "ifk-acquire --from" "$WALL" "$CPU" "$PEAK" "$base" "$base_cpu" "of cp+sync+sha256sum"
	rm -rf sample

	measure "$n-sha256sum-c" nothing bash -c check_manifest
	base=$WALL base_cpu=$CPU
	row "$n" "sha256sum -c (bag)" "$WALL" "$CPU" "$PEAK"
	measure "$n-verify" nothing "$build/ifk-verify" --read-only bag
	grep -q '^ifk-verify: PASS$' "$n-verify.log" || die "ifk-verify did not PASS"
	row "$n" "ifk-verify --read-only" "$WALL" "$CPU" "$PEAK" "$base" "$base_cpu" "of sha256sum -c"

	measure "$n-sha256sum" nothing bash -c hash_bag
	base=$WALL base_cpu=$CPU
	row "$n" "find | xargs sha256sum" "$WALL" "$CPU" "$PEAK"
	measure "$n-parse" no_parsed "$build/ifk-parse" bag --out parsed
	grep -q '^ifk-parse: OK$' "$n-parse.log" || die "ifk-parse did not end OK"
	row "$n" "ifk-parse" "$WALL" "$CPU" "$PEAK" "$base" "$base_cpu" "of find|xargs sha256sum"

	measure "$n-report" no_report "$build/ifk-report" bag parsed --out report.tar.gz \
		--key ex.key --cert ex.pem --read-only
	row "$n" "ifk-report --read-only" "$WALL" "$CPU" "$PEAK"
	measure "$n-report-media" no_report "$build/ifk-report" bag parsed --out report.tar.gz \
		--key ex.key --cert ex.pem --read-only --include-media
	row "$n" "ifk-report --include-media" "$WALL" "$CPU" "$PEAK"
	no_bag
	no_parsed
	no_report
}

NOTES=()
for n in $sizes; do
	if fits "$n"; then
		one_size "$n"
	else
		echo "bench: SKIPPED $n files: $SKIP_WHY" >&2
		NOTES+=("SKIPPED $n files: $SKIP_WHY")
	fi
done

{
	echo "ifk scale bench, $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -sr), $(nproc) CPU" \
		"($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown))"
	echo "tools: $build (CMAKE_BUILD_TYPE=${btype:-unknown})"
	case "$btype" in
	Release | RelWithDebInfo | MinSizeRel) ;;
	*) echo "NOTE: not an optimized build: the ifk numbers below understate it" ;;
	esac
	echo "sample: ifk-genbackup --small-files N --small-size $SIZE${camera:+ --small-camera} (plus the sample's 28 files), unencrypted;"
	echo "  warm cache; sync before each run; wall and cpu (user+system) are medians of $runs runs"
	echo "  (one run above 200,000 files); peak = the highest peak RSS (/usr/bin/time %M)."
	echo "  ratio = ifk's wall time / the baseline's above it: below 1.00x ifk is faster;"
	echo "  cpu = the same for user+system time, steadier when other work shares the machine."
	echo "  sync and ifk-acquire's syncfs flush the whole file system, others' writes too."
	echo
	printf '%8s  %-26s %8s %8s %5s %9s  %s\n' files what wall-s cpu-s cpu/w "peak MiB" "ratio"
	printf '%s\n' "${ROWS[@]}"
	[ ${#NOTES[@]} -eq 0 ] || printf '%s\n' "${NOTES[@]}"
} | tee results.txt
echo "(also in $work/results.txt)" >&2
