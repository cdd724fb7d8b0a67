# Shared by the end-to-end tests: run the built tools on generated samples.
# Sourced by tests/e2e/t_*.sh (ctest sets IFK_BUILD_DIR and IFK_FIXTURES).
set -euo pipefail

B=${IFK_BUILD_DIR:?IFK_BUILD_DIR is not set (run through ctest)}
ACQUIRE="$B/ifk-acquire"
VERIFY="$B/ifk-verify"
GEN="$B/tests/ifk-genbackup"
T=$(mktemp -d "${TMPDIR:-/tmp}/ifk-e2e-XXXXXX")
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
PASSED=0

fail() {
	echo "FAIL: $*" >&2
	[ -f out.txt ] && { echo "--- last output:" >&2; cat out.txt >&2; }
	exit 1
}
ok() {
	PASSED=$((PASSED + 1))
	echo "ok $PASSED - $*"
}

# run EXPECTED_RC CMD...: runs CMD (time-limited) into out.txt, checks its exit code
run() {
	local want=$1 got=0
	shift
	timeout 300 "$@" >out.txt 2>&1 || got=$?
	[ "$got" -eq "$want" ] || fail "exit $got, wanted $want: $*"
}
has() { grep -qF -- "$1" out.txt || fail "output lacks: $1"; }
lacks() { ! grep -qF -- "$1" out.txt || fail "output has: $1"; }
# finding CHECK LEVEL TEXT: the verify output lists TEXT under CHECK at LEVEL
finding() {
	awk -v c="$1" -v l="$2" -v t="$3" '
		/^(pass|fail|warn|skip) / { cur = $2; sub(":", "", cur) }
		/^        / && cur == c && $1 == l && index($0, t) { found = 1 }
		END { exit !found }' out.txt || fail "no $2 finding in $1 check with: $3"
}
check_status() {
	grep -qE "^$2 +$1:" out.txt || fail "check $1 is not $2"
}

examiner() {
	[ -f ex.pem ] || "$ACQUIRE" --make-cert --examiner "Test Examiner" --organization "ifk tests" \
		--key ex.key --cert ex.pem -q
}
# encrypted_key: exenc.key, the examiner's key under the passphrase key-pass-7
encrypted_key() {
	examiner
	[ -f exenc.key ] || openssl pkey -in ex.key -aes256 -passout pass:key-pass-7 \
		-out exenc.key 2>/dev/null || fail "openssl cannot encrypt the examiner key"
}
# sample DIR [generator options]
sample() {
	local dir=$1
	shift
	"$GEN" --out "$dir" "$@" >/dev/null
}
# sealed BAG SOURCE: acquires SOURCE into BAG, which must seal cleanly
sealed() {
	examiner
	run 0 "$ACQUIRE" --from "$2" --out "$1" --key ex.key --cert ex.pem --case CASE-7 \
		--evidence EV-1 --examiner "Test Examiner" --organization "ifk tests"
}
printf 'sample-pw\n' > pw.txt
printf 'wrong-pw\n' > badpw.txt
FAST=(--encrypt --password-file pw.txt --dpic 1000 --iter 1000)
# flip FILE OFFSET: inverts the byte at OFFSET
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# env_lacks PID SECRET...: /proc/PID/environ can be read (it holds the
# IFK_E2E_MARK=1 that the test set) and holds none of the SECRETs
env_lacks() {
	local pid=$1 s
	shift
	tr '\0' '\n' <"/proc/$pid/environ" >environ.txt || fail "cannot read /proc/$pid/environ"
	grep -qx 'IFK_E2E_MARK=1' environ.txt || fail "/proc/$pid/environ is not the tool's"
	for s; do
		! grep -qF -- "$s" environ.txt || fail "/proc/$pid/environ still holds $s"
	done
}
