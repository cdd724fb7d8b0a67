#!/usr/bin/env bash
# The device simulator against Debian's unmodified clients (libimobiledevice
# 1.3.0, libusbmuxd 2.0.2): idevice_id, ideviceinfo, idevicepair and
# idevicebackup2 accept it, and a backup through it equals the served one
# (Info.plist aside, which the host writes). Then each fault, with what
# idevicebackup2 does about it: the stock client's behaviour, documented
# and pinned here, is the baseline ifk-acquire must do better than.
#
# Every simulator gets its own socket; the slow faults (a stall past the
# client's 30 s timeout, a cancel the client waits out) run in the
# background while the rest runs.
. "$(dirname "$0")/lib.sh"

SIM="$B/tests/sim/ifk-devsim"
UDID=00008101a1b2c3d4e5f60718293a4b5c6d7e8f90
U2=1f2e3d4c5b6a79880716253443526170818a9b0c
export HOME="$T/home" # the clients must write nothing outside $T
mkdir "$HOME"
SIMS=()
# on exit: the simulators go first, so that clients still running end too
trap 'for p in "${SIMS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait
	chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

# sim NAME [options]: a simulator on $T/NAME.sock, logging to NAME.log
sim() {
	local name=$1
	shift
	"$SIM" --socket "$T/$name.sock" --log "$T/$name.log" "$@" >"$name.out" 2>"$name.err" &
	SIMS+=($!)
	echo $! >"$name.pid"
	for _ in $(seq 1 400); do
		grep -q '^ready$' "$name.out" 2>/dev/null && return 0
		kill -0 "$(cat "$name.pid")" 2>/dev/null || break
		sleep 0.05
	done
	cat "$name.err" >&2
	fail "simulator $name did not start"
}
# on NAME EXPECTED_RC CMD...: a client against simulator NAME, into out.txt
on() {
	local name=$1 want=$2 got=0
	shift 2
	USBMUXD_SOCKET_ADDRESS="UNIX:$T/$name.sock" timeout 60 "$@" >out.txt 2>&1 || got=$?
	[ "$got" -eq "$want" ] || fail "exit $got, wanted $want: $* (simulator $name)"
}
# backup NAME: idevicebackup2 backup --full into NAME.dir, in the background
backup() {
	mkdir "$1.dir"
	(
		rc=0
		USBMUXD_SOCKET_ADDRESS="UNIX:$T/$1.sock" timeout 60 \
			idevicebackup2 backup --full "$1.dir" >"$1.bk" 2>&1 || rc=$?
		tr '\r' '\n' <"$1.bk" >"$1.txt"
		echo "$rc" >"$1.rc"
	) &
	echo $! >"$1.bkpid"
}
# result NAME RC TEXT...: the backup ended with RC and printed each TEXT
result() {
	local name=$1 want=$2 t
	shift 2
	wait "$(cat "$name.bkpid")" || true
	cp "$name.txt" out.txt
	[ "$(cat "$name.rc")" -eq "$want" ] || fail "$name: idevicebackup2 exit $(cat "$name.rc"), wanted $want"
	for t in "$@"; do has "$t"; done
}
# same NAME DIR: the backup in NAME.dir equals DIR but for Info.plist
same() {
	local got
	got=$(diff -rq "$1.dir/$UDID" "$2" || true)
	[ "$got" = "Files $1.dir/$UDID/Info.plist and $2/Info.plist differ" ] ||
		fail "$1: the copy differs from the served backup: $got"
}
# stop NAME: SIGTERM, exit 0, nothing on stderr (ASan/LSan would write there)
stop() {
	local rc=0
	kill -TERM "$(cat "$1.pid")"
	wait "$(cat "$1.pid")" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$1.err" >&2; fail "simulator $1 exited $rc on SIGTERM"; }
	[ ! -s "$1.err" ] || { cat "$1.err" >&2; fail "simulator $1 wrote to stderr"; }
}

sample gs --udid "$UDID"
sample gm --udid "$U2" --layout mbdb --seed 3

# --- the slow faults, started first ---
# stall 33 s mid-file: the client's 30 s receive timeout ends the file
# early, the stream then desyncs: "Backup Aborted.", exit 255, the file
# truncated and the rest missing.
sim stall --backup gs --fault stall --stall-seconds 33
backup stall
# cancel on the device (syncCancelRequest relayed by notification_proxy):
# the client notices, then blocks 30 s discarding a data block that never
# comes, and says "Backup Aborted.", exit 255.
sim cancel --backup gs --fault cancel
backup cancel

# --- the reference clients ---
sim ref --backup gs
on ref 0 idevice_id -l
[ "$(cat out.txt)" = "$UDID" ] || fail "idevice_id -l: $(cat out.txt)"
ok "idevice_id -l lists the UDID from the backup's Manifest.plist"

on ref 0 ideviceinfo -s -k ProductVersion
[ "$(cat out.txt)" = "16.7.2" ] || fail "ProductVersion: $(cat out.txt)"
on ref 0 ideviceinfo -k DeviceName
[ "$(cat out.txt)" = "Sample iPhone" ] || fail "DeviceName: $(cat out.txt)"
on ref 0 ideviceinfo -q com.apple.mobile.backup -k WillEncrypt
[ "$(cat out.txt)" = "false" ] || fail "WillEncrypt: $(cat out.txt)"
ok "ideviceinfo without a session, with a TLS session, and in the backup domain"

on ref 0 idevicepair validate
has "SUCCESS: Validated pairing with device $UDID"
ok "idevicepair validate"

backup ref
result ref 0 "Received 31 files from device." "Backup Successful."
same ref gs
ok "idevicebackup2 backup --full: Backup Successful., the copy equals the served backup"

on ref 0 idevicebackup2 info ref.dir
has "<string>Sample iPhone</string>"
on ref 0 idevicebackup2 list ref.dir
has "Manifest.db"
ok "idevicebackup2 info and list (DownloadFiles, ContentsOfDirectory)"

on ref 0 idevicebackup2 encryption on s3cret ref.dir
has "Backup encryption has been enabled successfully."
on ref 0 ideviceinfo -q com.apple.mobile.backup -k WillEncrypt
[ "$(cat out.txt)" = "true" ] || fail "WillEncrypt after ChangePassword: $(cat out.txt)"
on ref 49 idevicebackup2 encryption off wrong ref.dir # exit -207
has "Could not disable backup encryption."
on ref 0 idevicebackup2 encryption off s3cret ref.dir
has "Backup encryption has been disabled successfully."
! grep -q s3cret ref.log || fail "the password reached the log"
ok "ChangePassword sets, refuses a wrong old password, and removes the password"

# --- pairing ---
sim unpaired --backup gs --unpaired
on unpaired 0 ideviceinfo -k DeviceName
[ "$(cat out.txt)" = "Sample iPhone" ] || fail "DeviceName after pairing: $(cat out.txt)"
grep -q "paired with host" unpaired.log || fail "no Pair request reached the simulator"
on unpaired 0 idevicepair validate
backup unpaired
result unpaired 0 "Backup Successful."
same unpaired gs
ok "an unpaired device: the client pairs (Pair, SavePairRecord), then backs up"

sim pending --unpaired --refuse-pair
on pending 1 idevicepair pair
has "Please accept the trust dialog"
on pending 255 ideviceinfo -k DeviceName
sim denied --unpaired --refuse-pair=denied
on denied 1 idevicepair pair
has "the user denied the trust dialog"
sim locked --backup gs --locked --unpaired
on locked 1 idevicepair pair
has "because a passcode is set"
ok "the trust dialog pending or declined, a passcode-locked device: pairing fails"

sim locked2 --backup gs --locked
backup locked2
result locked2 255 "ERROR: Could not start service com.apple.mobilebackup2."
ok "a locked device refuses the backup service: PasswordProtected"

# --- other devices ---
sim old --backup gm
on old 0 ideviceinfo -k ProductVersion
[ "$(cat out.txt)" = "9.3.5" ] || fail "ProductVersion: $(cat out.txt)"
backup old
result old 0 "Backup Successful."
got=$(diff -rq "old.dir/$U2" gm || true)
[ "$got" = "Files old.dir/$U2/Info.plist and gm/Info.plist differ" ] || fail "iOS 9 copy: $got"
grep -q "tls: TLSv1 " old.log || fail "iOS 9 did not use TLS 1.0"
ok "an iOS 9 device (Manifest.mbdb, flat layout, TLS 1.0): the copy equals the served backup"

sim ios6 --set ProductVersion=6.1.6 --set DeviceName=Vintage
on ios6 0 ideviceinfo -k DeviceName
[ "$(cat out.txt)" = "Vintage" ] || fail "DeviceName: $(cat out.txt)"
ok "an iOS 6 device: the client sends ValidatePair first; --set overrides values"

sim tlsvc --backup gs --service-ssl
backup tlsvc
result tlsvc 0 "Backup Successful."
same tlsvc gs
ok "TLS on the service connections too (--service-ssl)"

# --- faults; beside each, what idevicebackup2 does ---
for f in drop-mid-file corrupt-byte error-code file-error unfinished hostile-paths \
	unknown-message refuse-service oversized-frame move-remove; do
	sim "$f" --backup gs --fault "$f"
	backup "$f"
done
size() { stat -c %s "$1"; }
# the file the data faults hit, as the simulator logged it
target() { sed -n 's/.* fault target: //p' "$1.log"; }

# drop-mid-file: "Backup Aborted.", exit 255, a truncated file left on
# disk, the index files never arrive.
result drop-mid-file 255 "Backup Aborted."
TARGET=$(target drop-mid-file)
[ "$(size drop-mid-file.dir/$UDID/$TARGET)" -lt "$(size gs/$TARGET)" ] || fail "not truncated"
[ ! -e "drop-mid-file.dir/$UDID/Manifest.db" ] || fail "Manifest.db arrived"
ok "drop-mid-file: Backup Aborted., exit 255, a truncated file left behind"

# corrupt-byte: "Backup Successful.": the protocol has no integrity
# check; exactly one byte of the target differs.
result corrupt-byte 0 "Backup Successful."
TARGET=$(target corrupt-byte)
[ "$(cmp -l "corrupt-byte.dir/$UDID/$TARGET" "gs/$TARGET" | wc -l)" -eq 1 ] ||
	fail "not exactly one byte differs"
ok "corrupt-byte: Backup Successful. with one byte flipped (undetectable)"

# error-code: "Backup Failed (Error Code 105)", exit 151 (-105), every
# file present.
result error-code 151 "ErrorCode 105: Insufficient free disk space" "Backup Failed (Error Code 105)."
same error-code gs
ok "error-code: Backup Failed (Error Code 105), exit 151, files present"

# file-error: after a file's data, 0x0B instead of the success code:
# idevicebackup2 keeps the half file and says nothing: "Backup Successful."
result file-error 0 "Backup Successful."
TARGET=$(target file-error)
[ "$(size file-error.dir/$UDID/$TARGET)" -eq $(($(size gs/$TARGET) / 2)) ] ||
	fail "the target is not the half file"
ok "file-error: Backup Successful. with a half file kept silently"

# unfinished: Status.plist "uploading": "Backup Failed (Error Code 0).",
# yet exit 0.
result unfinished 0 "Backup Failed (Error Code 0)."
plistutil -i "unfinished.dir/$UDID/Status.plist" | grep -q '<string>uploading</string>' ||
	fail "Status.plist does not say uploading"
ok "unfinished: Backup Failed (Error Code 0), exit 0"

# hostile-paths: <udid>/../escape.txt lands outside the device folder,
# <udid>/nul\0name.txt becomes "nul", /etc/evil fails to open (it is
# taken relative to the backup folder) and the stream desyncs: "Backup
# Aborted.", exit 255. Nothing outside the backup folder.
result hostile-paths 255 "Backup Aborted."
[ -f hostile-paths.dir/escape.txt ] || fail "escape.txt not outside the device folder"
[ -f "hostile-paths.dir/$UDID/nul" ] || fail "no truncated NUL name"
[ ! -e escape.txt ] && [ ! -e /etc/evil ] || fail "written outside the backup folder"
ok "hostile-paths: idevicebackup2 writes ../escape.txt beside the device folder, aborts"

# unknown-message: DLMessageFrobnicate is ignored without a status; the
# backup goes on: "Backup Successful.".
result unknown-message 0 "Backup Successful."
same unknown-message gs
grep -q "fault unknown-message: no status" unknown-message.log || fail "a status came"
ok "unknown-message: ignored without an answer, Backup Successful."

# refuse-service: "Could not start service com.apple.mobilebackup2.",
# exit 255, no device folder.
result refuse-service 255 "ERROR: Could not start service com.apple.mobilebackup2."
[ ! -e "refuse-service.dir/$UDID" ] || fail "a device folder was made"
ok "refuse-service: Could not start service, exit 255"

# oversized-frame: the client allocates 2 GiB for the frame, the read
# fails: "Could not receive from mobilebackup2", "Backup Aborted.", 255.
result oversized-frame 255 "ERROR: Could not receive from mobilebackup2" "Backup Aborted."
ok "oversized-frame: Backup Aborted., exit 255"

# move-remove: CopyItem, MoveItems, ContentsOfDirectory, MoveFiles,
# RemoveItems, RemoveFiles are all carried out: "Backup Successful." and
# the copy still equals the served backup.
result move-remove 0 "Backup Successful."
same move-remove gs
grep -q "ifk-devsim-moved.tmp among them" move-remove.log || fail "the listing missed the move"
ok "move-remove: all carried out, the copy equals the served backup"

result stall 255 "Backup Aborted."
[ ! -e "stall.dir/$UDID/Status.plist" ] || fail "Status.plist arrived after the stall"
ok "stall past 30 s: Backup Aborted., exit 255"

result cancel 255 "Backup Aborted."
grep -q "syncCancelRequest posted, relayed to 1 observer" cancel.log || fail "no relay"
ok "cancel on the device: the notification is relayed, Backup Aborted."

[ -z "$(ls -A "$HOME")" ] || fail "a client wrote into HOME: $(ls -A "$HOME")"
for s in stall cancel ref unpaired pending denied locked locked2 old ios6 tlsvc drop-mid-file \
	corrupt-byte error-code file-error unfinished hostile-paths unknown-message \
	refuse-service oversized-frame move-remove; do
	stop "$s"
done
SIMS=()
ok "every simulator exits 0 on SIGTERM, nothing on stderr"
echo "$PASSED passed, 0 failed"
