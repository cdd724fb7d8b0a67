#!/usr/bin/env bash
# run.sh smoke BUILD NAME   replays every input of regressions/NAME, then runs
#                           the harness fuzz_NAME briefly over its seeds (make test)
# run.sh fuzz BUILD SECONDS runs every harness SECONDS over its corpus
#                           (BUILD/fuzz-corpus/NAME, kept), its seeds and its
#                           regressions (make fuzz); crashes go to BUILD/fuzz-crashes/NAME/
# The seeds are BUILD/fuzz-seeds (seeds.sh makes them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?mode}
build=$(realpath "${2:?build folder}")
seeds=$build/fuzz-seeds
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for s in /usr/lib/llvm-14/bin/llvm-symbolizer /usr/bin/llvm-symbolizer; do
	[ -x "$s" ] && { export ASAN_SYMBOLIZER_PATH=$s; break; }
done
common=(-rss_limit_mb=2048 -timeout=30 -print_final_stats=0)

harness() {
	local h=$build/tests/fuzz/fuzz_$1
	[ -x "$h" ] || { echo "run.sh: $h is not built" >&2; exit 1; }
	[ -n "$(ls -A "$seeds/$1" 2>/dev/null)" ] || { echo "run.sh: no seeds in $seeds/$1" >&2; exit 1; }
	echo "$h"
}

smoke() {
	local name=$1 h scratch rc=0
	h=$(harness "$name")
	shopt -s nullglob
	local regs=("$here/regressions/$name"/*)
	if [ ${#regs[@]} -gt 0 ]; then
		"$h" "${common[@]}" "${regs[@]}" || { echo "FAIL: a regression input of $name fails" >&2; return 1; }
		echo "fuzz_$name: ${#regs[@]} regression input(s) pass"
	fi
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/ifk-fuzz-XXXXXX")
	mkdir -p "$build/fuzz-crashes/$name"
	"$h" "${common[@]}" -seed=1 -runs="${IFK_FUZZ_SMOKE_RUNS:-3000}" -max_total_time=20 \
		-artifact_prefix="$build/fuzz-crashes/$name/" "$scratch" "$seeds/$name" || rc=$?
	rm -rf "$scratch"
	[ "$rc" -eq 0 ] || { echo "FAIL: fuzz_$name found a crash (see $build/fuzz-crashes/$name/)" >&2; return 1; }
	echo "fuzz_$name: smoke run over $(ls "$seeds/$name" | wc -l) seed(s) passes"
}

fuzz() {
	local seconds=$1 h name failed=0 dirs rc
	[ -d "$seeds" ] || bash "$here/seeds.sh" "$build" "$seeds"
	for h in "$build"/tests/fuzz/fuzz_*; do
		name=${h##*/fuzz_}
		mkdir -p "$build/fuzz-corpus/$name" "$build/fuzz-crashes/$name"
		dirs=("$build/fuzz-corpus/$name" "$seeds/$name")
		[ -d "$here/regressions/$name" ] && dirs+=("$here/regressions/$name")
		echo "== fuzz_$name for ${seconds}s"
		rc=0
		"$(harness "$name")" "${common[@]}" -max_total_time="$seconds" \
			-artifact_prefix="$build/fuzz-crashes/$name/" "${dirs[@]}" \
			>"$build/fuzz-crashes/$name.log" 2>&1 || rc=$?
		grep -E '^(Done [0-9]+ runs|==[0-9]+==ERROR|SUMMARY|Test unit written)' \
			"$build/fuzz-crashes/$name.log" || true
		[ "$rc" -eq 0 ] || { failed=1; echo "fuzz_$name: CRASH, see $build/fuzz-crashes/$name.log"; }
	done
	return $failed
}

case $mode in
smoke) smoke "${3:?harness name}" ;;
fuzz) fuzz "${3:-60}" ;;
*) echo "usage: run.sh smoke BUILD NAME | run.sh fuzz BUILD SECONDS" >&2; exit 2 ;;
esac
