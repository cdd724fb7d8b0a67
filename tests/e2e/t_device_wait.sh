#!/usr/bin/env bash
# A device may prepare its backup for minutes before it sends its first file
# or its Manifest.db. ifk-acquire --device gives each wait its own limit
# (--wait-start, --wait-file, --wait-next; --timeout caps them all), shows a
# long silence as it lasts, and when a limit is reached stops with an
# unsealed BAG.incomplete saying why. idevicebackup2 1.3.0 waits without end
# between messages and gives up after 30 s inside a file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/devsim.sh"
examiner
sample src
DEV_OPTS=()
# unsealed BAG WHY: an incomplete folder, no seal, its record saying WHY
unsealed() {
	[ -d "$1.incomplete" ] && [ ! -e "$1" ] || fail "no incomplete folder for $1"
	[ ! -e "$1.incomplete/ifk-seal.p7s" ] || fail "$1 was sealed"
	grep -qF -- "\"reason\": \"$2" "$1.incomplete/ifk-acquisition.json" ||
		fail "the record of $1 does not say: $2"
}

# 63 s of silence before Manifest.db: more than the one 60 s limit ifk had
start_sim src --fault slow-manifest --stall-seconds 63
acquire_dev slow.bag 0 --progress
has "ifk-acquire: SEALED"
has "ifk-acquire: the device is preparing the next files: 1 min so far"
diff -r -x Info.plist src slow.bag/data >/dev/null || fail "the payload differs from the served backup"
python3 - slow.bag/ifk-acquisition.json <<'PY' || fail "the record lacks the silence before Manifest.db"
import json, sys
w = json.load(open(sys.argv[1]))["transfer"]["waits"]
assert w["next"]["longest_silence_s"] >= 62 and w["next"]["limit_s"] == 1800, w
assert w["start"]["limit_s"] == 1800 and w["file"]["limit_s"] == 300, w
PY
run 0 "$VERIFY" slow.bag
ok "a device silent for over a minute before its Manifest.db is waited for, shown, and sealed"

# stopped BAG FAULT OPTION VALUE WHY: a 30 s silence (FAULT) with OPTION
# VALUE ends in exit 3 with the error WHY, and an unsealed folder saying so
stopped() {
	start_sim src --fault "$2" --stall-seconds 30
	acquire_dev "$1" 3 "$3" "$4"
	has "$5"
	unsealed "$1" "$5"
}
stopped next.bag slow-manifest --wait-next 3s "the device sent nothing for 3 s after a file \
(the device was preparing the next files or its final status) (--wait-next 3): stalled"
run 1 "$VERIFY" next.bag.incomplete
has "incomplete"
ok "a small --wait-next: a clear error, exit 3, an unsealed incomplete folder saying why"

stopped start.bag slow-start --wait-start 3s "the device sent nothing for 3 s before the \
first file (the device was preparing the backup) (--wait-start 3): stalled"
ok "a small --wait-start stops a device that does not begin"

stopped cap.bag slow-manifest --timeout 3 "the device sent nothing for 3 s after a file \
(the device was preparing the next files or its final status) (--timeout 3): stalled"
ok "--timeout caps every wait, as it did"

start_sim src --fault stall --stall-seconds 6
acquire_dev midfile.bag 3 --wait-file 3s --wait-next 20s
has "the device sent nothing for 3 s in the middle of a file (--wait-file 3): stalled"
start_sim src --fault stall --stall-seconds 6
acquire_dev midfile2.bag 0 --wait-file 20s --wait-next 3s
has "ifk-acquire: SEALED"
ok "a silence inside a file is judged by --wait-file alone"

run 2 "$ACQUIRE" --from src --out x.bag --key ex.key --cert ex.pem --wait-next 5m
has "go with --device"
run 2 "$ACQUIRE" --device --out x.bag --key ex.key --cert ex.pem --wait-start 8d
has "at most 7d"
ok "--wait-* need --device and stay within 7 days"
echo "$PASSED passed, 0 failed"
