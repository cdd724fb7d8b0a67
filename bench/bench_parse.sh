#!/usr/bin/env bash
# bench/bench_parse.sh BUILD_DIR: how fast ifk-parse verifies, decrypts,
# parses and YARA-scans an encrypted bag of IFK_BENCH_MIB MiB (default 1024),
# against sha256sum + openssl AES-256-CBC decryption of the same bytes, and
# its peak memory at a quarter of that size and at the full size. See
# bench/README.md.
set -euo pipefail
export LC_ALL=C

die() {
	echo "bench: $*" >&2
	exit 1
}
[ $# -eq 1 ] || { echo "usage: bench/bench_parse.sh BUILD_DIR   (size: IFK_BENCH_MIB, default 1024)" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: $1: no such build folder" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
mib=${IFK_BENCH_MIB:-1024}
if ! [[ $mib =~ ^[0-9]+$ ]] || [ "$mib" -lt 8 ] || [ "$mib" -gt 1048576 ]; then
	echo "bench: IFK_BENCH_MIB must be a whole number of MiB, 8 to 1048576" >&2
	exit 2
fi
ACQUIRE=$build/ifk-acquire
PARSE=$build/ifk-parse
GEN=$build/tests/ifk-genbackup
for t in "$ACQUIRE" "$PARSE" "$GEN"; do
	[ -x "$t" ] || die "$t is missing: build first (make build)"
done
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time (package time) is needed for the memory column"

work=$build/bench-parse
rm -rf "$work"
mkdir -p "$work"
cd "$work"
trap 'rm -rf "$work"/sample-* "$work"/bag-* "$work"/out-*' EXIT
avail=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
[ "$avail" -ge $((3 * mib)) ] || die "only $avail MiB free under $work; $mib MiB needs $((3 * mib))"

umask 077
printf 'bench-password\n' > password.txt
"$ACQUIRE" --make-cert --examiner "Bench Examiner" --key examiner.key --cert examiner.pem -q

# bag SIZE: an encrypted sample of SIZE MiB of media, sealed into bag-SIZE
bag() {
	"$GEN" --out "sample-$1" --seed 7 --bulk-mib "$1" --encrypt --password-file password.txt \
		--dpic 1000 --iter 1000 > /dev/null
	"$ACQUIRE" --from "sample-$1" --out "bag-$1" --key examiner.key --cert examiner.pem -q
	rm -rf "sample-$1"
}

# timed LABEL CMD...: the faster of two runs; SECS and PEAK (KiB)
timed() {
	local label=$1 i t0 t1 s k
	shift
	SECS='' PEAK=''
	for i in 1 2; do
		rm -rf out-*
		sync
		t0=$EPOCHREALTIME
		"$TIME" -f '%M' -o time.txt "$@" > "$label.log" 2>&1 || { cat "$label.log" >&2; die "$label failed"; }
		t1=$EPOCHREALTIME
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		k=$(tail -1 time.txt)
		if [ -z "$SECS" ] || awk -v a="$s" -v b="$SECS" 'BEGIN { exit !(a < b) }'; then SECS=$s; fi
		if [ -z "$PEAK" ] || [ "$k" -gt "$PEAK" ]; then PEAK=$k; fi
	done
}

# The baseline: what reading, hashing and decrypting every stored byte costs
# with the standard tools (one key for all, which is enough to time AES).
baseline() {
	find "bag-$1/data" -type f -print0 | xargs -0 sha256sum > /dev/null
	find "bag-$1/data" -mindepth 2 -type f -size +0 -print0 | xargs -0 cat |
		openssl enc -d -aes-256-cbc -nopad -K "$(printf '%064d' 0)" -iv "$(printf '%032d' 0)" > /dev/null
}
export -f baseline

small=$((mib / 4))
echo "== generating and sealing encrypted samples of $small and $mib MiB" >&2
bag "$small"
bag "$mib"
bytes=$(find "bag-$mib/data" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }')

timed base bash -c 'baseline "$1"' _ "$mib"
base=$SECS
timed parse "$PARSE" "bag-$mib" --out out-1 --password-file password.txt --read-only -q
parse=$SECS parse_peak=$PEAK
timed parse-yara "$PARSE" "bag-$mib" --out out-2 --password-file password.txt --read-only -q \
	--yara "$root/rules"
yara=$SECS yara_peak=$PEAK
timed parse-small "$PARSE" "bag-$small" --out out-3 --password-file password.txt --read-only -q \
	--yara "$root/rules"
small_peak=$PEAK

ratio() { awk -v b="$1" -v i="$2" 'BEGIN { printf "%.2f", (i > 0 ? b / i : 0) }'; }
rate() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f", (s > 0 ? b / 1048576 / s : 0) }'; }
mibk() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
{
	echo "ifk-parse benchmark: encrypted bag of $bytes bytes ($mib MiB of media), warm cache"
	printf '%-58s %8s %8s %10s  %s\n' "what" seconds MiB/s "peak RSS" "speed ratio"
	printf '%-58s %8s %8s %10s  %s\n' "sha256sum + openssl enc -d -aes-256-cbc (baseline)" \
		"$base" "$(rate "$base")" - "(baseline)"
	printf '%-58s %8s %8s %10s  %s\n' "ifk-parse (verify + decrypt + parse)" "$parse" \
		"$(rate "$parse")" "$(mibk "$parse_peak") MiB" "baseline / ifk = $(ratio "$base" "$parse")x"
	printf '%-58s %8s %8s %10s  %s\n' "ifk-parse --yara rules/ (+ YARA over every file)" "$yara" \
		"$(rate "$yara")" "$(mibk "$yara_peak") MiB" "baseline / ifk = $(ratio "$base" "$yara")x"
	echo "peak RSS with --yara: $(mibk "$small_peak") MiB at $small MiB, $(mibk "$yara_peak") MiB at $mib MiB"
} | tee results.txt
