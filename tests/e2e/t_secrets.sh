#!/usr/bin/env bash
# Secrets: the backup password and the examiner key's passphrase leave the
# environment at once (/proc/PID/environ shows them no longer).
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"

encrypted_key
sample src "${FAST[@]}"
sealed bag src

# A tool that appends to the custody log waits for its lock: holding it
# keeps the tool running, its secrets long read, while the test looks.
hold_custody() {
	exec 7<"$1/ifk-custody.log"
	flock -x 7
}
release_custody() { exec 7<&-; }
# blocked PID: waits until PID waits for the custody log's lock
blocked() {
	local _
	for _ in $(seq 1 1200); do
		grep -qE -- "-> FLOCK +ADVISORY +WRITE +$1 " /proc/locks && return 0
		kill -0 "$1" 2>/dev/null || fail "process $1 ended before the custody log"
		sleep 0.05
	done
	fail "process $1 never reached the custody log"
}
# finish PID EXPECTED_RC: releases the lock and waits for PID
finish() {
	local got=0
	release_custody
	wait "$1" || got=$?
	[ "$got" -eq "$2" ] || fail "exit $got, wanted $2"
}

hold_custody bag
IFK_E2E_MARK=1 IFK_PASSWORD=sample-pw "$VERIFY" bag >out.txt 2>&1 7<&- &
pid=$!
blocked "$pid"
env_lacks "$pid" sample-pw
finish "$pid" 0
has "27 files decrypted"
ok "ifk-verify: IFK_PASSWORD unlocks the backup and is gone from /proc/PID/environ"

hold_custody bag
IFK_E2E_MARK=1 IFK_PASSWORD=sample-pw "$PARSE" bag --out parsed >out.txt 2>&1 7<&- &
pid=$!
blocked "$pid"
env_lacks "$pid" sample-pw
finish "$pid" 0
ok "ifk-parse: IFK_PASSWORD is gone from /proc/PID/environ"

hold_custody bag
IFK_E2E_MARK=1 IFK_PASSWORD=sample-pw IFK_KEY_PASSWORD=key-pass-7 "$REPORT" bag \
	--out env.tar.gz --key exenc.key --cert ex.pem >out.txt 2>&1 7<&- &
pid=$!
blocked "$pid"
env_lacks "$pid" sample-pw key-pass-7
finish "$pid" 0
has "ifk-report: SIGNED"
ok "ifk-report: IFK_PASSWORD and IFK_KEY_PASSWORD are used and gone from /proc/PID/environ"

echo "$PASSED passed, 0 failed"
