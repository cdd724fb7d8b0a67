#!/usr/bin/env bash
# bench/bench.sh BUILD_DIR: how fast ifk-acquire and ifk-verify are, and how
# much memory they use, on a generated sample of IFK_BENCH_MIB MiB (default
# 1024), against sha256sum and cp -r over the same files. See bench/README.md.
set -euo pipefail
export LC_ALL=C

die() {
	echo "bench: $*" >&2
	exit 1
}

[ $# -eq 1 ] || { echo "usage: bench/bench.sh BUILD_DIR   (size: IFK_BENCH_MIB, default 1024)" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: $1: no such build folder" >&2; exit 2; }
mib=${IFK_BENCH_MIB:-1024}
if ! [[ $mib =~ ^[0-9]+$ ]] || [ "$mib" -lt 4 ] || [ "$mib" -gt 1048576 ]; then
	echo "bench: IFK_BENCH_MIB must be a whole number of MiB, 4 to 1048576" >&2
	exit 2
fi
small=$((mib / 4))

ACQUIRE=$build/ifk-acquire
VERIFY=$build/ifk-verify
GEN=$build/tests/ifk-genbackup
for t in "$ACQUIRE" "$VERIFY" "$GEN"; do
	[ -x "$t" ] || die "$t is missing: build first (make build, or cmake --build $build)"
done
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME= # then no peak-memory column

work=$build/bench
[ -d "$work" ] && { chmod -R u+w "$work" 2>/dev/null || true; }
rm -rf "$work"
mkdir -p "$work"
cd "$work"

# Samples, bags and copies are removed on exit, whatever happens; the
# results file and the command logs stay.
cleanup() { rm -rf "$work"/sample-* "$work"/bag-* "$work"/copy-*; }
trap cleanup EXIT

# At most two samples' worth of data (sample + bag, or sample + copy) exist
# at once; 3x the size leaves room for the filesystem and everything else.
avail=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
need=$((3 * mib))
[ "$avail" -ge "$need" ] ||
	die "only $avail MiB free under $work; a $mib MiB run needs $need MiB (3x the size)." \
		"Free some space, or set IFK_BENCH_MIB lower."

btype=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)

umask 077
printf 'bench-password\n' > password.txt
"$ACQUIRE" --make-cert --examiner "Bench Examiner" --key examiner.key --cert examiner.pem -q

# gen DIR MIB [encrypt]: a generated sample of MIB MiB of media (plus the
# sample's ~0.5 MiB of databases and plists)
gen() {
	local opts=()
	if [ "${3:-}" = encrypt ]; then
		opts=(--encrypt --password-file password.txt --dpic 1000 --iter 1000)
	fi
	"$GEN" --out "$1" --seed 7 --bulk-mib "$2" "${opts[@]}" > "$1.gen.txt" ||
		die "ifk-genbackup failed: $(cat "$1.gen.txt")"
}
bytes_of() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }'; }
files_of() { find "$1" -type f | wc -l; }

# measure LABEL SETUP RUNS CMD...: runs SETUP, sync, then CMD (timed), RUNS
# times; SECS is the fastest wall time, CPU that run's user + system seconds
# (its children's included) and PEAK the highest peak RSS in KiB (CPU and
# PEAK empty without /usr/bin/time). CMD must exit 0; its output goes to
# LABEL.log.
measure() {
	local label=$1 setup=$2 runs=$3 i t0 t1 s k c rc
	shift 3
	SECS='' PEAK='' CPU=''
	for ((i = 1; i <= runs; i++)); do
		"$setup"
		sync
		rc=0
		t0=$EPOCHREALTIME
		if [ -n "$TIME" ]; then
			"$TIME" -f '%e %M %U %S' -o time.txt "$@" > "$label.log" 2>&1 || rc=$?
		else
			"$@" > "$label.log" 2>&1 || rc=$?
		fi
		t1=$EPOCHREALTIME
		if [ "$rc" -ne 0 ]; then
			cat "$label.log" >&2
			die "$label: exit $rc from: $*"
		fi
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		c=''
		[ -n "$TIME" ] && c=$(awk 'END { printf "%.2f", $3 + $4 }' time.txt)
		if [ -z "$SECS" ] || awk -v a="$s" -v b="$SECS" 'BEGIN { exit !(a < b) }'; then
			SECS=$s CPU=$c
		fi
		if [ -n "$TIME" ]; then
			k=$(awk 'END { print $2 }' time.txt)
			if [ -z "$PEAK" ] || [ "$k" -gt "$PEAK" ]; then PEAK=$k; fi
		fi
	done
}

nothing() { :; }
no_copy() { rm -rf copy-*; }
no_bag() { chmod -R u+w bag-* 2>/dev/null || true; rm -rf bag-*; }

hash_all() { find "$1" -type f -print0 | xargs -0 sha256sum > /dev/null; }
# A reference, not a baseline: the SHA-256 code ifk itself uses (libcrypto).
hash_all_openssl() { find "$1" -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null; }
# The baseline for acquire: a copy and a hash of the copy; flushed to disk
# like ifk-acquire's bag (it calls syncfs before sealing).
copy_hash() { cp -r "$1" "$2" && sync -f "$2" && hash_all "$2"; }
export -f hash_all hash_all_openssl copy_hash

ROWS=() INFO=()
# row WHAT SECS BYTES PEAK_KIB RATIO_TEXT: also the CPU seconds of the last
# measure and CPU / wall (above 1: more than one core was busy)
row() {
	local mibs peak cpu=- per=-
	mibs=$(awk -v b="$3" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / 1048576 / s : 0) }')
	peak=-
	[ -n "$4" ] && peak=$(awk -v k="$4" 'BEGIN { printf "%.1f MiB", k / 1024 }')
	if [ -n "$CPU" ]; then
		cpu=$CPU
		per=$(awk -v c="$CPU" -v s="$2" 'BEGIN { printf "%.2f", (s > 0 ? c / s : 0) }')
	fi
	ROWS+=("$(printf '%-50s %8s %7s %8s %9s %10s  %s' "$1" "$2" "$cpu" "$per" "$mibs" "$peak" "$5")")
}
ratio() { awk -v base="$1" -v ifk="$2" 'BEGIN { printf "%.2f", (ifk > 0 ? base / ifk : 0) }'; }

# one_sample KIND MIB [encrypt]: every measurement of one sample; sets
# R_* for the summary
one_sample() {
	local kind=$1 size=$2 enc=${3:-} sample=sample-$1 bag=bag-$1 bytes files pw=()
	local sha ossl cp acq ver
	[ "$enc" = encrypt ] && pw=(--password-file password.txt)
	echo "== $kind sample: generating $size MiB" >&2
	gen "$sample" "$size" "$enc"
	bytes=$(bytes_of "$sample")
	files=$(files_of "$sample")
	echo "   $files files, $bytes bytes; measuring (each command twice)" >&2
	INFO+=("  $kind sample: $files files, $bytes bytes")

	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	measure "$kind-sha256sum" nothing 2 bash -c 'hash_all "$1"' _ "$sample"
	sha=$SECS
	row "sha256sum of every file [$kind]" "$sha" "$bytes" "" "(baseline for verify)"
	# shellcheck disable=SC2016
	measure "$kind-openssl-sha256" nothing 2 bash -c 'hash_all_openssl "$1"' _ "$sample"
	ossl=$SECS
	row "openssl dgst -sha256 of every file [$kind]" "$SECS" "$bytes" "" \
		"(reference: ifk's SHA-256 code, one core)"
	# shellcheck disable=SC2016
	measure "$kind-cp-sha256sum" no_copy 2 bash -c 'copy_hash "$1" "$2"' _ "$sample" "copy-$kind"
	cp=$SECS
	no_copy
	row "cp -r + sync + sha256sum [$kind]" "$cp" "$bytes" "" "(baseline for acquire)"

	measure "$kind-acquire" no_bag 2 "$ACQUIRE" --from "$sample" --out "$bag" \
		--key examiner.key --cert examiner.pem --case BENCH --evidence EV-1 \
		--examiner "Bench Examiner"
	acq=$SECS
	row "ifk-acquire --from [$kind]" "$acq" "$bytes" "$PEAK" \
		"speed acquire / (cp+sync+sha256sum) = $(ratio "$cp" "$acq")x"
	R_ACQ_PEAK=$PEAK

	measure "$kind-verify" nothing 2 "$VERIFY" --read-only "${pw[@]}" "$bag"
	ver=$SECS
	grep -q '^ifk-verify: PASS$' "$kind-verify.log" || die "$kind: ifk-verify did not PASS"
	if [ "$enc" = encrypt ]; then
		grep -Eq 'encryption: .* [1-9][0-9]* files decrypted' "$kind-verify.log" ||
			die "$kind: ifk-verify decrypted nothing"
		row "ifk-verify --read-only --password-file [$kind]" "$ver" "$bytes" "$PEAK" \
			"speed verify / sha256sum = $(ratio "$sha" "$ver")x; wall verify / openssl = $(ratio "$ver" "$ossl")x"
	else
		row "ifk-verify --read-only [$kind]" "$ver" "$bytes" "$PEAK" \
			"speed verify / sha256sum = $(ratio "$sha" "$ver")x; wall verify / openssl = $(ratio "$ver" "$ossl")x"
	fi
	R_VER_PEAK=$PEAK
	no_bag
	rm -rf "$sample"
}

# peaks KIND MIB [encrypt]: peak RSS of one acquire and one verify
peaks() {
	local kind=$1 size=$2 enc=${3:-} sample=sample-$1 bag=bag-$1 pw=()
	[ "$enc" = encrypt ] && pw=(--password-file password.txt)
	echo "== $kind sample: generating $size MiB for the memory comparison" >&2
	gen "$sample" "$size" "$enc"
	measure "$kind-acquire" no_bag 1 "$ACQUIRE" --from "$sample" --out "$bag" \
		--key examiner.key --cert examiner.pem -q
	P_ACQ=$PEAK
	measure "$kind-verify" nothing 1 "$VERIFY" --read-only "${pw[@]}" "$bag"
	P_VER=$PEAK
	no_bag
	rm -rf "$sample"
}
mibk() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "n/a"; }

one_sample plain "$mib"
A_PLAIN=$R_ACQ_PEAK V_PLAIN=$R_VER_PEAK
one_sample encrypted "$mib" encrypt
A_ENC=$R_ACQ_PEAK V_ENC=$R_VER_PEAK
peaks small-plain "$small"
a_small=$P_ACQ v_small=$P_VER
peaks small-encrypted "$small" encrypt
v_small_enc=$P_VER

{
	echo "ifk bench, $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -sr), $(nproc) CPU" \
		"($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown))"
	echo "tools: $build (CMAKE_BUILD_TYPE=${btype:-unknown}); work folder: $work"
	case "$btype" in
	Release | RelWithDebInfo | MinSizeRel) ;;
	*) echo "NOTE: not an optimized build: the ifk numbers below understate it" ;;
	esac
	echo "sample: $mib MiB of generated media plus the sample's databases (seed 7);"
	echo "  encrypted: --encrypt --dpic 1000 --iter 1000 (verify decrypts every file it can)"
	printf '%s\n' "${INFO[@]}"
	echo "Every command ran twice; each row shows the faster run's wall time."
	echo "Caches are not dropped: the files are in the page cache (warm) for ifk and baselines alike."
	echo "cpu = that run's user + system seconds; cpu/wall above 1: more than one core was busy."
	echo "MiB/s = the sample's bytes / seconds. speed X / Y = Y's seconds / X's seconds:"
	echo "  above 1 means ifk is faster than that baseline, below 1 slower."
	echo "wall verify / openssl = ifk-verify's seconds / openssl dgst's (one core): below 1 is faster."
	if [ -n "$TIME" ]; then
		echo "peak RSS: the highest maximum resident set size of the two runs (/usr/bin/time %M)."
	else
		echo "peak RSS: not measured (/usr/bin/time is missing; install the package time)."
	fi
	echo
	printf '%-50s %8s %7s %8s %9s %10s  %s\n' what seconds cpu cpu/wall MiB/s "peak RSS" "speed ratio"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "peak memory at $small MiB vs $mib MiB (MiB of RSS):"
	echo "  ifk-acquire --from (plain)                    $(mibk "$a_small") vs $(mibk "$A_PLAIN")"
	echo "  ifk-verify --read-only (plain)                $(mibk "$v_small") vs $(mibk "$V_PLAIN")"
	echo "  ifk-verify --read-only --password-file (enc.) $(mibk "$v_small_enc") vs $(mibk "$V_ENC")"
	[ -n "$TIME" ] || echo "  (/usr/bin/time is missing: no peak memory measured)"
	echo "  (encrypted acquire: $(mibk "$A_ENC") MiB at $mib MiB)"
} | tee results.txt
echo "(also in $work/results.txt)" >&2
