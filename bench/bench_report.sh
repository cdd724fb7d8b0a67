#!/usr/bin/env bash
# bench/bench_report.sh BUILD_DIR: ifk-report's time and peak memory on a
# parsed encrypted bag of IFK_BENCH_MIB MiB of media (default 1024), with the
# media referenced by hash and with --include-media (every photo and movie
# copied into the archive), at a quarter of that size and at the full size:
# if memory is bounded, the peaks match. See bench/README.md.
set -euo pipefail
export LC_ALL=C
die() { echo "bench: $*" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: bench/bench_report.sh BUILD_DIR   (size: IFK_BENCH_MIB, default 1024)" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: $1: no such build folder" >&2; exit 2; }
mib=${IFK_BENCH_MIB:-1024}
[[ $mib =~ ^[0-9]+$ ]] && [ "$mib" -ge 8 ] || { echo "bench: IFK_BENCH_MIB must be 8 or more" >&2; exit 2; }
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time (package time) is needed"
for t in ifk-acquire ifk-parse ifk-report tests/ifk-genbackup; do
	[ -x "$build/$t" ] || die "$build/$t is missing: build first (make build)"
done
work=$build/bench-report
rm -rf "$work" && mkdir -p "$work" && cd "$work"
trap 'rm -rf "$work"/s-* "$work"/bag-* "$work"/p-* "$work"/r-*' EXIT
avail=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
[ "$avail" -ge $((4 * mib)) ] || die "only $avail MiB free under $work; $mib MiB needs $((4 * mib))"
umask 077
printf 'bench-password\n' > pw.txt
"$build/ifk-acquire" --make-cert --examiner "Bench Examiner" --key ex.key --cert ex.pem -q

# one SIZE LABEL [OPTIONS]: prints seconds and peak RSS of one report
one() {
	local size=$1 label=$2 t0 t1
	shift 2
	rm -rf "r-$label".tar.gz*
	sync
	t0=$EPOCHREALTIME
	"$TIME" -f '%M' -o time.txt "$build/ifk-report" "bag-$size" "p-$size" --out "r-$label.tar.gz" \
		--key ex.key --cert ex.pem --password-file pw.txt --read-only -q "$@" ||
		die "ifk-report failed ($label)"
	t1=$EPOCHREALTIME
	printf '%-44s %8.2f s %9.1f MiB  archive %s MiB\n' "ifk-report $label" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$(awk '{ printf "%.1f", $1 / 1024 }' time.txt)" \
		"$(du -m "r-$label.tar.gz" | cut -f1)"
}
for size in $((mib / 4)) "$mib"; do
	echo "== $size MiB: generating, sealing, parsing" >&2
	"$build/tests/ifk-genbackup" --out "s-$size" --seed 7 --bulk-mib "$size" --encrypt \
		--password-file pw.txt --dpic 1000 --iter 1000 > /dev/null
	"$build/ifk-acquire" --from "s-$size" --out "bag-$size" --key ex.key --cert ex.pem -q
	rm -rf "s-$size"
	"$build/ifk-parse" "bag-$size" --out "p-$size" --password-file pw.txt --read-only -q
done
{
	echo "ifk-report benchmark: parsed encrypted bags, warm cache"
	for size in $((mib / 4)) "$mib"; do
		one "$size" "$size-MiB"
		one "$size" "$size-MiB-include-media" --include-media
	done
} | tee results.txt
