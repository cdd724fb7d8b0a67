#!/usr/bin/env bash
# bench/bench_kdf.sh BUILD_DIR: what one guess at a backup password costs.
# The key derivation of an iOS 10.2+ keybag (PBKDF2-HMAC-SHA256, 10,000,000
# rounds, then PBKDF2-HMAC-SHA1, 10,000) timed in ifk against
# `openssl kdf` with the same parameters, and the rate of
# `ifk-verify --password-list` on one core and on all, against as many
# `openssl kdf` runs side by side. See bench/README.md.
set -euo pipefail
export LC_ALL=C

die() {
	echo "bench: $*" >&2
	exit 1
}
[ $# -eq 1 ] || { echo "usage: bench/bench_kdf.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: $1: no such build folder" >&2; exit 2; }
VERIFY=$build/ifk-verify
GEN=$build/tests/ifk-genbackup
for t in "$VERIFY" "$GEN"; do
	[ -x "$t" ] || die "$t is missing: build first (make build, or cmake --build $build)"
done
command -v openssl >/dev/null || die "openssl is missing (Debian: openssl)"
cpus=$(nproc)
dpic=${IFK_BENCH_DPIC:-10000000}
[[ $dpic =~ ^[0-9]+$ ]] && [ "$dpic" -ge 1000 ] || die "IFK_BENCH_DPIC: a whole number, at least 1000"

work=$build/bench-kdf
rm -rf "$work"
mkdir -p "$work"
cd "$work"
umask 077

echo "== generating an encrypted sample with DPIC $dpic (one derivation)" >&2
printf 'the-right-one\n' >password.txt
"$GEN" --out sample --encrypt --password-file password.txt --dpic "$dpic" --iter 10000 \
	>gen.txt || die "ifk-genbackup failed: $(cat gen.txt)"
line=$("$VERIFY" --export-hash sample) || die "ifk-verify --export-hash failed"
IFS='*' read -r _ _ _ _ _ dp dpsl <<<"$line"
[ "$dp" = "$dpic" ] || die "the sample's DPIC is $dp, not $dpic"

# secs CMD...: the wall time of CMD, whose exit status is ignored
secs() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || true
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
best() { # best RUNS CMD...: the fastest of RUNS runs
	local runs=$1 i s b=
	shift
	for ((i = 0; i < runs; i++)); do
		s=$(secs "$@")
		if [ -z "$b" ] || awk -v a="$s" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$s; fi
	done
	echo "$b"
}
ossl_kdf() { # the DPIC stage exactly as the keybag asks it
	openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:candidate \
		-kdfopt hexsalt:"$dpsl" -kdfopt iter:"$dpic" PBKDF2
}
ossl_many() { # ossl_many N P: N derivations, P at a time
	seq "$1" | xargs -P "$2" -I{} openssl kdf -keylen 32 -kdfopt digest:SHA256 \
		-kdfopt pass:candidate{} -kdfopt hexsalt:"$dpsl" -kdfopt iter:"$dpic" PBKDF2
}
export -f ossl_many
export dpsl dpic

echo "== one derivation, three runs each" >&2
printf 'wrong-1\n' >one.txt
t_ifk1=$(best 3 "$VERIFY" --jobs 1 --password-list one.txt sample)
t_ossl1=$(best 3 ossl_kdf)

n=$((4 * cpus))
echo "== $n candidates, on 1 and on $cpus threads" >&2
seq -f 'wrong-%g' "$n" >list.txt
t_ifk_1core=$(best 1 "$VERIFY" --jobs 1 --password-list list.txt sample)
t_ifk_all=$(best 1 "$VERIFY" --password-list list.txt sample)
t_ossl_all=$(best 1 bash -c "ossl_many $n $cpus")

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", (s > 0 ? n / s : 0) }'; }
ratio() { awk -v base="$1" -v ifk="$2" 'BEGIN { printf "%.2f", (ifk > 0 ? base / ifk : 0) }'; }
{
	echo "ifk key derivation: PBKDF2-HMAC-SHA256 x $dpic (+ PBKDF2-HMAC-SHA1 x 10000), $cpus CPUs"
	printf '%-58s %9s\n' "what" "seconds"
	printf '%-58s %9s\n' "openssl kdf PBKDF2 (SHA256, $dpic rounds), one" "$t_ossl1"
	printf '%-58s %9s\n' "ifk-verify --password-list, one candidate (whole run)" "$t_ifk1"
	printf 'speed ifk / openssl kdf, one derivation = %sx\n' "$(ratio "$t_ossl1" "$t_ifk1")"
	echo
	printf '%-58s %9s %12s\n' "what ($n candidates)" "seconds" "guesses/s"
	printf '%-58s %9s %12s\n' "openssl kdf, $cpus side by side (xargs -P $cpus)" "$t_ossl_all" "$(rate "$n" "$t_ossl_all")"
	printf '%-58s %9s %12s\n' "ifk-verify --password-list --jobs 1" "$t_ifk_1core" "$(rate "$n" "$t_ifk_1core")"
	printf '%-58s %9s %12s\n' "ifk-verify --password-list (all $cpus CPUs)" "$t_ifk_all" "$(rate "$n" "$t_ifk_all")"
	printf 'speed ifk (all CPUs) / openssl kdf x %s = %sx; all CPUs / one = %sx\n' "$cpus" \
		"$(ratio "$t_ossl_all" "$t_ifk_all")" "$(ratio "$t_ifk_1core" "$t_ifk_all")"
} | tee results.txt
rm -rf sample
