#!/usr/bin/env bash
# Secrets: the backup password and the examiner key's passphrase leave the
# environment at once (/proc/PID/environ shows them no longer), come from a
# file, standard input, a pipe, a FIFO or a mounted secret's symbolic link,
# and reach no output, log or custody record.
. "$(dirname "$0")/lib.sh"
PARSE="$B/ifk-parse"
REPORT="$B/ifk-report"

encrypted_key
# every tool's output is kept, to look for the secrets in it at the end
eval "lib_$(declare -f run)"
run() {
	lib_run "$@"
	cat out.txt >>outputs.txt
}
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
	cat out.txt >>outputs.txt
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

# decrypts: the last ifk-verify run unlocked the backup with the password
decrypts() {
	check_status encryption pass
	has "27 files decrypted"
}
run 0 "$VERIFY" --read-only --password-file - bag < <(printf 'sample-pw\n')
decrypts
run 0 "$VERIFY" --read-only --password-file /dev/stdin bag < <(printf 'sample-pw\n')
decrypts
run 0 "$VERIFY" --read-only --password-file /dev/stdin bag <pw.txt
decrypts
ok "--password-file - and /dev/stdin read standard input, a pipe or a file"

run 0 "$VERIFY" --read-only --password-file <(printf 'sample-pw\n') bag
decrypts
mkfifo fifo
printf 'sample-pw\n' >fifo &
run 0 "$VERIFY" --read-only --password-file fifo bag
wait $!
decrypts
ok "--password-file reads a process substitution and a FIFO"

# as a container platform mounts a secret: name -> ..data/name -> ..<stamp>/name
mkdir -p secret/..2026_11_29 && printf 'sample-pw\n' >secret/..2026_11_29/password
ln -s ..2026_11_29 secret/..data && ln -s ..data/password secret/password
run 0 "$VERIFY" --read-only --password-file secret/password bag
decrypts
ok "--password-file follows a mounted secret's symbolic links to a regular file"

run 2 "$VERIFY" --read-only --password-file - bag < <(head -c 5000 /dev/zero | tr '\0' a)
has "password file: standard input: longer than 4096 bytes"
run 2 "$VERIFY" --read-only --password-file secret bag
has "password file: secret: a folder, not a file"
ok "an over-size password from a pipe, and a folder, are usage errors"

mkfifo silent
exec 8<>silent # a writer that never writes nor closes
started=$SECONDS
IFK_SECRET_TIMEOUT=1 run 2 "$VERIFY" --read-only --password-file silent bag
has "password file: silent: the input did not end within 1 s"
IFK_SECRET_TIMEOUT=1 run 2 "$VERIFY" --read-only --password-file - bag <silent
has "password file: standard input: the input did not end within 1 s"
exec 8<&-
[ $((SECONDS - started)) -lt 60 ] || fail "the silent pipes were waited on too long"
ok "a silent pipe ends the wait after IFK_SECRET_TIMEOUT seconds, a usage error"

run 0 "$ACQUIRE" --from src --out keyed.bag --key exenc.key --cert ex.pem \
	--key-password-file - < <(printf 'key-pass-7\n')
has "ifk-acquire: SEALED"
IFK_KEY_PASSWORD=key-pass-7 run 0 "$ACQUIRE" --from src --out keyed2.bag --key exenc.key \
	--cert ex.pem
run 2 "$ACQUIRE" --from src --out keyed3.bag --key exenc.key --cert ex.pem \
	--key-password-file <(printf 'wrong\n')
has "exenc.key: not a PEM private key, or its passphrase is wrong"
ok "ifk-acquire: the key's passphrase from --key-password-file or IFK_KEY_PASSWORD"

run 0 "$REPORT" keyed.bag --out keyed.tar.gz --key exenc.key --cert ex.pem \
	--password-file <(printf 'sample-pw\n') --key-password-file - < <(printf 'key-pass-7\n')
has "ifk-report: SIGNED"
run 2 "$REPORT" keyed.bag --out keyed2.tar.gz --key exenc.key --cert ex.pem
has "exenc.key: not a PEM private key, or its passphrase is wrong"
[ ! -e keyed2.tar.gz ] || fail "a report was written without the key"
ok "ifk-report: the key's passphrase from --key-password-file; without it a usage error"

run 0 "$PARSE" keyed.bag --out keyed.parsed --password-file - < <(printf 'sample-pw\n')
mkdir reports && tar -xzf keyed.tar.gz -C reports && tar -xzf env.tar.gz -C reports
for s in sample-pw key-pass-7; do
	! grep -rqF -- "$s" bag keyed.bag keyed2.bag reports keyed.parsed parsed ||
		fail "$s is in a bag, a report or a parse output"
	! grep -qF -- "$s" outputs.txt || fail "$s is in a tool's output"
done
ok "the secrets appear in no bag, custody log, report, parse output or tool output"
echo "$PASSED passed, 0 failed"
