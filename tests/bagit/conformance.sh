#!/usr/bin/env bash
# Runs ifk-verify over every bag of a checkout of the Library of Congress's
# public BagIt conformance suite (bagit-conformance-suite) and prints, bag
# by bag, whether ifk agrees with the suite, then the counts.
#
#   tests/bagit/conformance.sh SUITE_DIR [IFK_VERIFY]
#
# IFK_VERIFY defaults to build/ifk-verify. Expected: "valid" bags exit 0;
# "invalid", "linux-only" and "windows-only" bags exit 1 (the suite's own
# harness skips the Windows ones on Linux; their paths are not inside
# data/ here either); "warning" bags exit 1, or exit 0 with a warning. Bags
# ifk deliberately judges otherwise are listed in DELIBERATE below and in
# CASE_FORMAT.md section 5.
#
# Not part of `make test`: CI has no copy of the suite, and ifk's tests
# never ship or copy its files (tests/e2e/t_bagit.sh builds ifk's own bags
# for each class of case instead). Exit 0 when ifk agrees on every bag but
# the deliberate ones, 1 otherwise, 2 on a usage error.
set -uo pipefail

SUITE=${1:-}
VERIFY=${2:-$(dirname "$0")/../../build/ifk-verify}
[ -n "$SUITE" ] && [ -d "$SUITE" ] || { echo "usage: $0 SUITE_DIR [IFK_VERIFY]" >&2; exit 2; }
[ -x "$VERIFY" ] || { echo "$0: $VERIFY is not executable (build ifk first)" >&2; exit 2; }

# fetch.txt: ifk verifies complete evidence only, and never fetches
DELIBERATE="v0.96/valid/holey-bag v0.97/valid/holey-bag"

agree=0 disagree=0 deliberate=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for bag in "$SUITE"/v*/*/*/; do
	bag=${bag%/}
	rel=${bag#"$SUITE"/}
	category=$(basename "$(dirname "$bag")")
	[ -f "$bag/bagit.txt" ] || [ -d "$bag/data" ] || continue
	rc=0
	timeout 60 "$VERIFY" --read-only "$bag" >"$out" 2>&1 || rc=$?
	warned=0
	grep -qE '^ +warn ' "$out" && warned=1
	case $category in
	valid) ok=$((rc == 0)) ;;
	invalid | linux-only | windows-only) ok=$((rc == 1)) ;;
	warning) ok=$((rc == 1 || (rc == 0 && warned))) ;;
	*) ok=0 ;;
	esac
	if [ "$ok" = 1 ]; then
		agree=$((agree + 1))
		echo "agree      $rel (exit $rc)"
	elif [[ " $DELIBERATE " == *" $rel "* ]]; then
		deliberate=$((deliberate + 1))
		echo "deliberate $rel (exit $rc)"
	else
		disagree=$((disagree + 1))
		echo "DISAGREE   $rel (exit $rc)"
		sed 's/^/           | /' "$out"
	fi
done
echo "ifk-verify agrees on $agree bags; deliberately differs on $deliberate;" \
	"disagrees on $disagree"
[ "$disagree" -eq 0 ]
