#!/usr/bin/env bash
# The per-file cost of ifk-verify: on a bag of 10,000 small files it may
# spend at most 3 times the CPU time of `sha256sum -c` on the bag's payload
# manifest (ifk hashes with libcrypto, so most of what it spends beyond
# hashing is per-file bookkeeping). CPU time, not wall time, so that other
# work on the machine does not decide the outcome. Only an optimized,
# uninstrumented build is measured; other builds skip, saying so.
. "$(dirname "$0")/lib.sh"

cache=$B/CMakeCache.txt
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$cache" 2>/dev/null || true)
if grep -q '^IFK_SANITIZE:BOOL=ON' "$cache" 2>/dev/null ||
	! [[ $btype =~ ^(Release|RelWithDebInfo|MinSizeRel)$ ]]; then
	echo "SKIP: per-file cost is measured on optimized builds only (this one: ${btype:-unknown}" \
		"$(grep -q '^IFK_SANITIZE:BOOL=ON' "$cache" 2>/dev/null && echo ', sanitizers'))"
	exit 0
fi
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time (package time) is missing"; exit 0; }

N=10000
run 0 "$GEN" --out src --small-files "$N"
sealed bag src
rm -rf src

# cpu CMD...: user + system seconds of three runs, summed
cpu() {
	local i total=0 t
	for i in 1 2 3; do
		/usr/bin/time -f '%U %S' -o cpu.txt "$@" >/dev/null 2>&1 || fail "exit $? from: $*"
		t=$(awk '{ printf "%.2f", $1 + $2 }' cpu.txt)
		total=$(awk -v a="$total" -v b="$t" 'BEGIN { printf "%.2f", a + b }')
	done
	echo "$total"
}
ifk=$(cpu "$VERIFY" --read-only bag)
run 0 "$VERIFY" --read-only bag
has "ifk-verify: PASS"
base=$(cd bag && cpu sha256sum --quiet -c manifest-sha256.txt)
ratio=$(awk -v a="$ifk" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 99) }')
echo "# ifk-verify ${ifk}s, sha256sum -c ${base}s of CPU (3 runs each): ${ratio}x"
awk -v r="$ratio" 'BEGIN { exit !(r <= 3.0) }' ||
	fail "ifk-verify spends ${ratio}x the CPU time of sha256sum -c on $N files (at most 3x)"
ok "ifk-verify of $N small files costs ${ratio}x the CPU time of sha256sum -c"
