# Shared by the device tests (t_device*.sh), after lib.sh: the device
# simulator in the test's folder, and ifk-acquire --device against it.
SIM="$B/tests/sim/ifk-devsim"
export HOME="$T"
SIMPID=
stop_sim() {
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null
	SIMPID=
	# the next start_sim must not read the last simulator's "ready"
	rm -f "$T/mux.sock" "$T/sim.out"
}
trap 'stop_sim; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
# start_sim BACKUP [simulator options]
start_sim() {
	local b=$1
	shift
	stop_sim
	"$SIM" --socket "$T/mux.sock" --backup "$b" --log "$T/sim.log" "$@" >"$T/sim.out" 2>&1 &
	SIMPID=$!
	for _ in $(seq 1 2400); do grep -q ready "$T/sim.out" 2>/dev/null && break; sleep 0.05; done
	grep -q ready "$T/sim.out" || fail "the simulator did not start"
	export USBMUXD_SOCKET_ADDRESS="UNIX:$T/mux.sock"
}
# acquire_dev BAG EXPECTED_RC [more options]; DEV_OPTS come first (by
# default --timeout 10: no wait of the faults that stall lasts long)
DEV_OPTS=(--timeout 10)
acquire_dev() {
	local bag=$1 want=$2
	shift 2
	run "$want" "$ACQUIRE" --device --out "$bag" --key ex.key --cert ex.pem ${DEV_OPTS[@]+"${DEV_OPTS[@]}"} \
		--case DEV-1 --examiner "Test Examiner" "$@"
}
