#!/usr/bin/env bash
# The main job on a bundled sample: a generated encrypted iPhone backup is
# served by the device simulator (which the stock libimobiledevice clients
# accept as an iPhone), taken with ifk-acquire --device straight into a
# sealed evidence bag, verified, parsed (artifacts, timeline, YARA), and
# reported (a signed, deterministic archive checked by ifk-verify and OpenSSL).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
demo="$build/demo"
rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"
sim_pid=
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; true' EXIT

step() { printf '\n== %s\n' "$*"; }

step "a sample backup (encrypted, seeded, deterministic)"
umask 077
printf 'demo-password\n' > backup-password.txt
"$build/tests/ifk-genbackup" --out sample-backup --seed 1 --encrypt \
	--password-file backup-password.txt --dpic 10000 --iter 1000 --backup-date "$(date +%s)"
echo "sample: $demo/sample-backup"

step "the device simulator serves it as an iPhone over usbmuxd"
"$build/tests/sim/ifk-devsim" --socket "$demo/usbmuxd.sock" --backup sample-backup \
	--log "$demo/simulator.log" > simulator.out &
sim_pid=$!
for _ in $(seq 1 100); do grep -q ready simulator.out 2>/dev/null && break; sleep 0.05; done
export USBMUXD_SOCKET_ADDRESS="UNIX:$demo/usbmuxd.sock"
echo "device: $(idevice_id -l 2>/dev/null || echo '(idevice_id not installed)')"

step "an examiner certificate (self-signed, for users without a PKI)"
"$build/ifk-acquire" --make-cert --examiner "Demo Examiner" --organization "ifk demo lab" \
	--key examiner.key --cert examiner.pem

step "ifk-acquire --device: back up the device straight into a sealed bag"
"$build/ifk-acquire" --device --out case-001.bag --key examiner.key --cert examiner.pem \
	--case CASE-001 --evidence EV-01 --examiner "Demo Examiner" \
	--organization "ifk demo lab" --notes "demo acquisition from the device simulator" \
	--password-file backup-password.txt

step "ifk-verify: seal, custody log, backup, encryption"
set +e
IFK_PASSWORD=demo-password "$build/ifk-verify" --trust examiner.pem \
	--examiner "Demo Examiner" case-001.bag
verdict=$?
set -e

step "a third party checks the seal with OpenSSL alone"
openssl cms -verify -binary -inform DER -in case-001.bag/ifk-seal.p7s \
	-content case-001.bag/tagmanifest-sha256.txt -CAfile examiner.pem -out /dev/null 2>&1
(cd case-001.bag && sha256sum --quiet -c tagmanifest-sha256.txt &&
	sha256sum --quiet -c manifest-sha256.txt && echo "BagIt manifests: OK")

[ "$verdict" -eq 0 ] || exit $verdict

step "an auditor's fleet check: every backup fresh (24 h), encrypted and complete"
"$build/ifk-verify" --quick --max-age 24h --require-encrypted sample-backup case-001.bag

step "ifk-parse: verify, decrypt and extract the artifacts in one pass, YARA-scan every file"
rm -rf case-001.parsed
set +e
IFK_PASSWORD=demo-password "$build/ifk-parse" case-001.bag --out case-001.parsed \
	--trust examiner.pem --examiner "Demo Examiner" --yara "$root/rules"
parsed=$?
set -e
echo
echo "artifact counts (from case-001.parsed/artifacts.sqlite):"
for t in sms_messages calls contacts safari_history whatsapp_messages notes photos; do
	printf '  %-20s %s\n' "$t" "$(sqlite3 case-001.parsed/artifacts.sqlite "SELECT count(*) FROM $t")"
done
echo "timeline events: $(($(wc -l < case-001.parsed/timeline.csv) - 1))"

[ "$parsed" -eq 0 ] || exit $parsed

step "ifk-report: the signed chain-of-custody report (deterministic archive + CMS signature)"
"$build/ifk-report" case-001.bag case-001.parsed --out case-001-report.tar.gz \
	--key examiner.key --cert examiner.pem --examiner "Demo Examiner" \
	--password-file backup-password.txt
step "ifk-verify checks the report against the bag; OpenSSL checks its signature alone"
"$build/ifk-verify" case-001-report.tar.gz case-001.bag
openssl cms -verify -binary -inform DER -in case-001-report.tar.gz.p7s \
	-content case-001-report.tar.gz -CAfile examiner.pem -out /dev/null 2>&1
mkdir -p report && tar -xzf case-001-report.tar.gz -C report

printf '\nbag: %s\ncustody log: %s\nparsed: %s (parse.json, artifacts.sqlite, timeline.csv, yara.jsonl)\n' \
	"$demo/case-001.bag" "$demo/case-001.bag/ifk-custody.log" "$demo/case-001.parsed"
printf 'report: %s (signature %s.p7s)\nopen it: %s/report/report.html in a browser (works offline)\n' \
	"$demo/case-001-report.tar.gz" "$demo/case-001-report.tar.gz" "$demo"
