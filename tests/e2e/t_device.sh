#!/usr/bin/env bash
# ifk-acquire --device against the device simulator (which the stock
# libimobiledevice clients accept): a sealed bag equal to the served backup,
# and for every fault an exact outcome. Beside each fault: what Debian's
# idevicebackup2 1.3.0 does on it (tests/e2e/t_sim_reference.sh shows it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/devsim.sh"
served_sha() { sha256sum "src/$1" | cut -c1-64; }
examiner
sample src

start_sim src
acquire_dev dev.bag 0
has "ifk-acquire: SEALED"
diff -r -x Info.plist src dev.bag/data >/dev/null || fail "the payload differs from the served backup"
[ -f dev.bag/data/Info.plist ] || fail "no host-written Info.plist"
grep -q '"method": "device-backup"' dev.bag/ifk-acquisition.json || fail "method"
grep -q '"UniqueDeviceID"' dev.bag/ifk-acquisition.json || fail "no lockdown identity"
grep -q '"device_minus_host_s"' dev.bag/ifk-acquisition.json || fail "no device clock"
for f in UDID Serial Model IMEI MEID Clock-Offset; do
	grep -q "^Ifk-Device-$f: ." dev.bag/bag-info.txt || fail "bag-info.txt lacks Ifk-Device-$f"
done
run 0 "$VERIFY" dev.bag
ok "a device backup is sealed as it arrives, equal to the served backup (Info.plist aside), and verifies"

start_sim src
acquire_dev devp.bag 0 --progress --json
grep -q '^ifk-acquire:   0% [0-9]* files, [0-9.]* MiB received and hashed' out.txt &&
	grep -q '^ifk-acquire: 100% ' out.txt || fail "the progress line lacks the device's percentage"
grep -q '"outcome": "sealed"' out.txt || fail "no envelope"
ok "--progress shows the device's own percentage (the simulator's stays 0), then 100%"

sample encsrc "${FAST[@]}"
start_sim encsrc
acquire_dev enc.bag 0 --password-file pw.txt
has "verification: PASS"
diff -r -x Info.plist encsrc enc.bag/data >/dev/null || fail "the encrypted payload differs"
! grep -rq sample-pw enc.bag || fail "the password reached the bag"
ok "an encrypted device backup is sealed and verified at once with its password"

start_sim encsrc
acquire_dev encbad.bag 5 --password-file badpw.txt
has "verification: FAIL (wrong password)"
[ -f encbad.bag/ifk-seal.p7s ] || fail "the backup was not sealed"
run 0 "$VERIFY" --read-only --quick encbad.bag
ok "a wrong password for verifying at once: the bag is sealed, the exit is 5 (wrong password)"

start_sim encsrc --service-ssl
acquire_dev ssl.bag 0 --password-file pw.txt
has "verification: PASS"
ok "the backup service over TLS, as real devices run it"

start_sim src --will-encrypt no
IFK_PASSWORD=new-secret run 0 "$ACQUIRE" --device --out setpw.bag --key ex.key --cert ex.pem \
	--timeout 10 --encrypt
grep -q '"backup_password_set_by_examiner": true' setpw.bag/ifk-acquisition.json ||
	fail "the record does not say the examiner set a password"
! grep -rq new-secret setpw.bag || fail "the new password reached the bag"
ok "--encrypt sets a backup password (from IFK_PASSWORD), recorded without its value"

# idevicebackup2: "Backup Aborted.", a truncated file left on disk
start_sim src --fault drop-mid-file
acquire_dev drop.bag 3
has "INCOMPLETE"
[ -d drop.bag.incomplete ] && [ ! -e drop.bag ] || fail "no incomplete folder"
[ ! -e drop.bag.incomplete/ifk-seal.p7s ] || fail "an interrupted transfer was sealed"
grep -q '"kind": "partial"' drop.bag.incomplete/ifk-acquisition.json || fail "partial file not recorded"
run 1 "$VERIFY" drop.bag.incomplete
has "incomplete"
ok "a connection dropped mid-file: incomplete folder, not sealed, the partial file recorded"

# idevicebackup2: "Backup Successful." (the protocol has no integrity check)
start_sim src --fault corrupt-byte
acquire_dev corrupt.bag 0
changed=0
while read -r sum path; do
	rel=${path#data/}
	[ "$rel" = Info.plist ] && continue
	[ "$sum" = "$(served_sha "$rel")" ] || changed=$((changed + 1))
done < corrupt.bag/manifest-sha256.txt
[ "$changed" -eq 1 ] || fail "$changed files differ from the served ones, wanted 1"
ok "a byte corrupted in transit: the seal records the hash of what actually arrived"

# idevicebackup2: its 30 s timeout fires, "Backup Aborted.", exit 255
start_sim src --fault stall --stall-seconds 30
acquire_dev stall.bag 3
has "stalled"
[ -d stall.bag.incomplete ] || fail "no incomplete folder"
ok "a stall longer than --timeout ends the acquisition, unsealed"

# idevicebackup2: "Backup Failed (Error Code 105)", files present
start_sim src --fault error-code
acquire_dev err.bag 3
has "ErrorCode 105"
[ ! -e err.bag.incomplete/ifk-seal.p7s ] || fail "sealed despite ErrorCode 105"
ok "a final ErrorCode other than 0 leaves the acquisition unsealed"

# idevicebackup2: "Backup Successful.", exit 0, keeps the half file, says nothing
start_sim src --fault file-error
acquire_dev ferr.bag 1
grep -q '"kind": "device-error"' ferr.bag/ifk-acquisition.json || fail "device error not recorded"
ok "a device-side per-file error: that file stays out of the seal, recorded exactly"

# idevicebackup2: "Backup Failed (Error Code 0)." but exit 0
start_sim src --fault unfinished
acquire_dev unf.bag 3
has "not \"finished\""
ok "Status.plist not finished: not sealed"

# idevicebackup2: writes OUT/escape.txt beside the device folder, loses sync, aborts
start_sim src --fault hostile-paths
acquire_dev hostile.bag 1
[ "$(grep -c '"kind": "refused-path"' hostile.bag/ifk-acquisition.json)" -ge 3 ] ||
	fail "hostile paths not all refused"
[ ! -e "$T/escape.txt" ] && [ ! -e /etc/evil ] || fail "something was written outside the bag"
run 0 "$VERIFY" hostile.bag
ok "hostile paths (.., absolute, NUL, over-long) are refused and recorded, nothing leaves the bag"

# idevicebackup2: sends no status at all; "Backup Successful."
start_sim src --fault unknown-message
acquire_dev unknown.bag 1
grep -q '"kind": "unknown-message"' unknown.bag/ifk-acquisition.json || fail "not recorded"
ok "an unknown DeviceLink message gets an error status and is recorded"

# libplist 2.2 aborts on a lockdownd value holding U+0000 (ifk before: exit 134)
start_sim src --set $'DeviceName=evil\xe2\x90\x80name' --fault nul-in-values
acquire_dev nulvalue.bag 0
grep -A1 '"lockdown_left_out"' nulvalue.bag/ifk-acquisition.json | grep -q '"DeviceName"' ||
	fail "the device name holding a NUL is not recorded as left out"
! grep -q '"DeviceName": "' nulvalue.bag/ifk-acquisition.json || fail "the device name was kept"
! grep -q 'Device Name' nulvalue.bag/data/Info.plist || fail "Info.plist holds the device name"
run 0 "$VERIFY" nulvalue.bag
ok "a lockdownd value holding U+0000 is left out and recorded; the backup is sealed"

# idevicebackup2: "ERROR: Could not start service com.apple.mobilebackup2."
start_sim src --fault refuse-service
acquire_dev refused.bag 3
has "refused to start its backup service"
ok "a refused backup service is a clear error"

# idevicebackup2: "Could not receive from mobilebackup2 (-256)", aborted, exit 255
start_sim src --fault oversized-frame
acquire_dev huge.bag 3
ok "an oversized frame length ends the acquisition cleanly"

# idevicebackup2: carries them out; "Backup Successful."
start_sim src --fault move-remove
acquire_dev moves.bag 0
grep -q '"kind": "moved"' moves.bag/ifk-acquisition.json || fail "moves not recorded"
run 0 "$VERIFY" moves.bag
ok "moves, removals and copies the device asks for are applied before sealing and recorded"

start_sim src --fault bad-moves
acquire_dev badmoves.bag 1
[ "$(grep -c '"kind": "move-failed"' badmoves.bag/ifk-acquisition.json)" -eq 3 ] ||
	fail "the three bad moves are not all recorded"
diff -r -x Info.plist src badmoves.bag/data >/dev/null || fail "a bad move lost or changed a file"
run 0 "$VERIFY" badmoves.bag
ok "moves onto or into themselves or from absent sources lose nothing and are recorded"

start_sim src --fault status-moved
acquire_dev moved.bag 3
has "no Status.plist"
ok "the backup is judged by the Status.plist it holds at the end, not by what once arrived"

# idevicebackup2: aborts in libplist 2.2 (assertion, SIGABRT, exit 134)
start_sim src --fault nul-key-move
acquire_dev nulkey.bag 3
has "NUL character in a dictionary key"
has "INCOMPLETE"
[ -d nulkey.bag.incomplete ] && [ ! -e nulkey.bag ] || fail "no incomplete folder"
[ ! -e nulkey.bag.incomplete/ifk-seal.p7s ] || fail "a refused transfer was sealed"
grep -q '"reason": "protocol error: .*NUL character in a dictionary key' \
	nulkey.bag.incomplete/ifk-acquisition.json || fail "the incomplete folder does not say why"
ok "a DeviceLink message with U+0000 in a key ends the acquisition cleanly, unsealed, saying why"

# idevicebackup2: blocks 30 s on a block that never comes, "Backup Aborted."
start_sim src --fault cancel
acquire_dev cancel.bag 3
has "cancel"
[ ! -e cancel.bag.incomplete/ifk-seal.p7s ] || fail "a cancelled backup was sealed"
ok "a backup cancelled on the device is not sealed"

start_sim src --fault stall --stall-seconds 30
"$ACQUIRE" --device --out int.bag --key ex.key --cert ex.pem --timeout 60 -q >int.txt 2>&1 &
pid=$!
for _ in $(seq 1 300); do [ -d int.bag.incomplete ] && break; sleep 0.1; done
sleep 1
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 130 ] || { cat int.txt; fail "exit $rc after Ctrl-C, wanted 130"; }
[ -d int.bag.incomplete ] && [ ! -e int.bag ] || fail "no incomplete folder after Ctrl-C"
ok "Ctrl-C during a device backup: a clean stop, exit 130, an incomplete folder"

encrypted_key
start_sim src --will-encrypt no --fault stall --stall-seconds 30
logged=$(wc -l <"$T/sim.log") # the log is shared: only what comes after counts
IFK_E2E_MARK=1 IFK_PASSWORD=new-secret-5 IFK_KEY_PASSWORD=key-pass-7 "$ACQUIRE" --device \
	--out envpw.bag --key exenc.key --cert ex.pem --timeout 60 --encrypt -q >envpw.txt 2>&1 &
pid=$!
stalled() { tail -n +$((logged + 1)) "$T/sim.log" | grep -q "fault stall"; }
for _ in $(seq 1 600); do stalled && break; sleep 0.05; done
stalled || fail "the acquisition never reached the stall"
env_lacks "$pid" new-secret-5 key-pass-7
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 130 ] || { cat envpw.txt; fail "exit $rc after SIGTERM, wanted 130"; }
tail -n +$((logged + 1)) "$T/sim.log" | grep -q "ChangePassword -> ErrorCode 0" ||
	fail "the new password was not set"
ok "the new backup password and the key's passphrase are gone from /proc/PID/environ mid-backup"

start_sim src --unpaired --refuse-pair
acquire_dev trust.bag 3
has "Trust"
start_sim src --locked
acquire_dev locked.bag 3
has "unlock"
ok "an untrusted or locked device gets a message saying what to do"
stop_sim
run 3 "$ACQUIRE" --device --out none.bag --key ex.key --cert ex.pem --timeout 10
has "no device"
ok "no device: a clear error"
echo "$PASSED passed, 0 failed"
