#!/usr/bin/env bash
# The auditor's fleet check: every backup in a folder, one line each, fresh
# (--max-age), encrypted (--require-encrypted) and complete, read-only;
# JSON Lines; --quick; the Prometheus metrics file; and the shipped alert
# rules and systemd service.
. "$(dirname "$0")/lib.sh"

now=$(date +%s)
hour_ago=$((now - 3600))
days_ago=$((now - 5 * 86400))
fleet=MobileSync/Backup
mkdir -p "$fleet"
FASTER=(--encrypt --password-file pw.txt --dpic 1000 --iter 1000)
sample "$fleet/a-good" "${FASTER[@]}" --udid aaaa01 --backup-date "$hour_ago"
sample "$fleet/b-stale" "${FASTER[@]}" --udid bbbb02 --backup-date "$days_ago"
sample "$fleet/c-plain" --udid cccc03 --backup-date "$hour_ago"
sample "$fleet/d-interrupted" "${FASTER[@]}" --udid dddd04 --backup-date "$hour_ago" \
	--snapshot-state uploading
mkdir "$fleet/d-interrupted/Snapshot"
cp "$fleet/d-interrupted/Info.plist" "$fleet/d-interrupted/Snapshot/"
sample "$fleet/e-emptydb" --udid eeee05 --backup-date "$hour_ago"
: >"$fleet/e-emptydb/Manifest.db"
sample "$fleet/f-mismatch" "${FASTER[@]}" --udid ffff06 --backup-date "$hour_ago"
python3 - "$fleet/f-mismatch/Info.plist" <<'EOF'
import plistlib, sys
p = sys.argv[1]
d = plistlib.load(open(p, 'rb'))
d['Unique Identifier'] = d['Target Identifier'] = 'FFFF99'
d['Product Version'] = '17.1'
plistlib.dump(d, open(p, 'wb'), fmt=plistlib.FMT_BINARY)
EOF
sample src-bag "${FASTER[@]}" --udid 9999aa --backup-date "$hour_ago"
sealed "$fleet/g-sealed.bag" src-bag
mkdir "$fleet/notes" && echo "not a backup" >"$fleet/notes/readme.txt"
echo "stray" >"$fleet/stray.txt"
# what the audited folder holds, byte for byte, with times and modes
snapshot() { (cd "$fleet" && find . -printf '%p %s %T@ %m\n' | sort && find . -type f -exec sha256sum {} + | sort); }
snapshot >before.txt
ok "a fleet of seven backups and bags, one of each kind of trouble"

run 1 "$VERIFY" --max-age 24h --require-encrypted "$fleet"
line() { grep -E "^$1 $fleet/$2: " out.txt || fail "no $1 line for $2"; }
line PASS a-good | grep -q "aaaa01, iPhone.* iOS .*, last backup .* (1h ago), encrypted, complete" ||
	fail "a-good's line lacks its device, age or state"
line FAIL b-stale | grep -q "stale: the last completed backup, .*, is 5d old (limit 1d)" ||
	fail "b-stale is not failed as stale with its date and age"
line FAIL c-plain | grep -q "NOT encrypted, complete: not encrypted: a plaintext copy" ||
	fail "c-plain is not failed as unencrypted"
line FAIL d-interrupted | grep -q "no completed backup, encrypted, INCOMPLETE: Status.plist" ||
	fail "d-interrupted is not failed as incomplete"
line FAIL e-emptydb | grep -q "INCOMPLETE: Manifest.db: empty (0 bytes)" ||
	fail "e-emptydb is not failed for its empty index"
line FAIL f-mismatch | grep -q "INCOMPLETE: Info.plist: device FFFF99 differs" ||
	fail "f-mismatch is not failed for Info.plist and Manifest.plist disagreeing"
line PASS g-sealed.bag | grep -q "9999aa, .*encrypted, complete (partial: not decrypted, index not read)" ||
	fail "the sealed bag's line is wrong"
has "7 backups checked (full): 2 passed, 5 failed (2 stale, 3 incomplete, 2 unencrypted, 0 unreadable); 1 folder skipped, no backup or bag"
[ "$(tail -n1 out.txt)" = "ifk-verify: FAIL" ] || fail "the last line is not the verdict"
[ "$(grep -c "^PASS \|^FAIL " out.txt)" -eq 7 ] || fail "not one line per backup"
grep -n "^PASS \|^FAIL " out.txt | cut -d' ' -f2 | cut -d: -f1 >order.txt
sort -c order.txt 2>/dev/null || fail "the lines are not in the folder's name order"
ok "one line per backup: device, age, encrypted, complete, verdict and the first reason"

snapshot >after.txt
cmp -s before.txt after.txt || { diff before.txt after.txt >&2; fail "the fleet check changed the audited folder"; }
ok "the audited folders are not written (not even the bag's custody log)"

run 0 "$VERIFY" --max-age 24h --require-encrypted "$fleet/a-good" "$fleet/g-sealed.bag"
has "2 backups checked (full): 2 passed, 0 failed"
[ "$(tail -n1 out.txt)" = "ifk-verify: PASS" ] || fail "two good backups do not pass"
run 0 "$VERIFY" --max-age 2h "$fleet/a-good"
run 1 "$VERIFY" --max-age 30m "$fleet/a-good"
has "stale: the last completed backup"
ok "exit 0 only when every backup passes; --max-age takes 30m, 2h, 24h"

run 1 "$VERIFY" --json --max-age 24h --require-encrypted "$fleet"
python3 - out.txt "$now" <<'EOF' || fail "the JSON Lines are wrong"
import json, sys, datetime
rows = [json.loads(l) for l in open(sys.argv[1])]
now = int(sys.argv[2])
summary = rows.pop()
assert summary["summary"] is True and summary["backups"] == 7, summary
assert summary["failed"] == 5 and summary["verdict"] == "FAIL", summary
by = {r["target"].split("/")[-1]: r for r in rows}
assert list(by) == sorted(by), list(by)
for r in rows:
    for k in ("udid", "device_name", "last_backup", "age_seconds", "encrypted", "complete",
              "verdict", "reasons"):
        assert k in r, (k, r)
g = by["a-good"]
assert g["udid"] == "aaaa01" and g["verdict"] == "PASS" and g["reasons"] == [], g
t = datetime.datetime.strptime(g["last_backup"], "%Y-%m-%dT%H:%M:%SZ")
t = int(t.replace(tzinfo=datetime.timezone.utc).timestamp())
assert t == now - 3600, (t, now)
assert abs(g["age_seconds"] - 3600) < 600, g
assert g["encrypted"] is True and g["complete"] is True, g
s = by["b-stale"]
assert s["verdict"] == "FAIL" and s["stale"] is True and s["reasons"][0].startswith("stale:"), s
assert by["c-plain"]["encrypted"] is False
d = by["d-interrupted"]
assert d["complete"] is False and d["last_backup"] is None and d["age_seconds"] is None, d
assert any("Snapshot" in x for x in d["incomplete_reasons"]), d
assert by["e-emptydb"]["complete"] is False
assert by["g-sealed.bag"]["kind"] == "ifk-bag" and by["g-sealed.bag"]["verdict"] == "PASS"
EOF
ok "--json: one object per backup (JSON Lines) and a final summary object"

# --quick: presence and sizes, no hashing: a changed byte passes, a
# missing file does not
cp -a "$fleet/g-sealed.bag" q.bag
f=$(cd q.bag && find data -type f -size +1k | grep -v Manifest | head -n1)
flip "q.bag/$f" 100
run 1 "$VERIFY" --read-only q.bag
has "content changed"
run 0 "$VERIFY" --quick --read-only q.bag
has "ifk-verify: PASS (partial: contents not hashed, not decrypted, index not read)"
rm "q.bag/$f"
run 1 "$VERIFY" --quick --read-only q.bag
has "missing: listed in manifest-sha256.txt but not in the bag"
ok "--quick checks presence and sizes only: a removed file fails, a changed byte is not read"

run 1 "$VERIFY" --quick --max-age 24h --require-encrypted "$fleet"
has "7 backups checked (quick): 2 passed, 5 failed"
ok "--quick gives the same verdicts on the fleet"

run 1 "$VERIFY" --jobs 1 --max-age 24h --require-encrypted "$fleet"
cp out.txt one-job.txt
run 1 "$VERIFY" --jobs 4 --max-age 24h --require-encrypted "$fleet"
cmp -s out.txt one-job.txt || fail "--jobs 4 reports differently from --jobs 1"
ok "backups are checked in parallel, reported in the same order"

# the metrics file, for node_exporter's textfile collector
mkdir textfile
echo old >textfile/ifk.prom
run 1 "$VERIFY" --quick --max-age 24h --require-encrypted --metrics textfile/ifk.prom "$fleet"
[ "$(ls textfile)" = "ifk.prom" ] || fail "a temporary is left beside the metrics file"
[ "$(stat -c %a textfile/ifk.prom)" = 644 ] || fail "the metrics file is not readable by the collector"
promtool check metrics <textfile/ifk.prom >out.txt 2>&1 || fail "promtool rejects the metrics file"
m() { grep -E "^$1\{target=\"$fleet/$2\",udid=\"$3\",device=\"[^\"]*\"\} $4\$" textfile/ifk.prom >/dev/null ||
	fail "no $1 $4 for $2 in the metrics"; }
m ifk_backup_last_success_timestamp_seconds a-good aaaa01 "$hour_ago"
m ifk_backup_verify_ok a-good aaaa01 1
m ifk_backup_encrypted a-good aaaa01 1
m ifk_backup_complete a-good aaaa01 1
m ifk_backup_verify_ok b-stale bbbb02 1
m ifk_backup_last_success_timestamp_seconds b-stale bbbb02 "$days_ago"
m ifk_backup_encrypted c-plain cccc03 0
m ifk_backup_complete d-interrupted dddd04 0
m ifk_backup_verify_ok d-interrupted dddd04 0
! grep -q 'ifk_backup_last_success_timestamp_seconds{target="[^"]*d-interrupted' textfile/ifk.prom ||
	fail "an interrupted backup has a last-success time"
grep -q "^ifk_fleet_backups 7$" textfile/ifk.prom || fail "no fleet count"
grep -q "^ifk_fleet_failed 5$" textfile/ifk.prom || fail "no failed count"
age=$(awk -v t="$fleet/a-good" '$0 ~ "^ifk_backup_age_seconds\\{target=\"" t "\"" {print $NF}' textfile/ifk.prom)
[ -n "$age" ] && [ "$age" -ge 3600 ] && [ "$age" -lt 4200 ] || fail "a-good's age is $age"
ok "--metrics writes Prometheus text that promtool accepts, atomically, one series per backup"

# the shipped alert rules: valid, and they fire when they should
src=${IFK_SOURCE_DIR:?}
run 0 promtool check rules "$src/contrib/prometheus/ifk-backups.rules.yml"
run 0 promtool test rules "$src/tests/contrib/ifk-backups.test.yml"
ok "the example alert rules pass promtool, and their unit tests fire as described"

# the shipped service runs the command it names, as written
cmd=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$src/contrib/systemd/ifk-fleet-check.service" |
	sed 's/^ExecStart=//; s/\\$//' | tr -s ' \n' ' ')
set -- $cmd
shift
args=()
for a in "$@"; do
	case $a in
	/var/lib/prometheus/node-exporter/*) args+=("textfile/service.prom") ;;
	/srv/backups/*) args+=("$fleet") ;;
	*) args+=("$a") ;;
	esac
done
run 1 "$VERIFY" "${args[@]}"
[ -s textfile/service.prom ] || fail "the service's command wrote no metrics"
grep -q '"summary": *true' out.txt || fail "the service's command printed no JSON summary"
grep -q "^OnCalendar=hourly$" "$src/contrib/systemd/ifk-fleet-check.timer" || fail "the timer is not hourly"
ok "the example systemd service's command runs as written; the timer is hourly"

# what cannot be checked
mkdir empty
run 1 "$VERIFY" --fleet empty
has "FAIL empty: holds no backup folder or bag"
has "0 backups and 1 target without one checked (full): 0 passed, 1 failed"
run 1 "$VERIFY" --fleet --json empty
python3 - out.txt <<'PY' || fail "the JSON summary counts a target without a backup as a backup"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
assert s["backups"] == 0 and s["targets_without_backup"] == 1 and s["failed"] == 1, s
PY
run 3 "$VERIFY" "$fleet/a-good" no-such-folder
has "FAIL no-such-folder: cannot open: No such file or directory"
has "PASS $fleet/a-good"
run 2 "$VERIFY" --max-age 24x "$fleet"
has "--max-age"
run 2 "$VERIFY" --max-age 0h "$fleet"
ok "a folder without backups fails, a missing one is an I/O error (exit 3), a bad duration is a usage error"
