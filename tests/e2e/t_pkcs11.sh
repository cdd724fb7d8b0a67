#!/usr/bin/env bash
# Examiner keys on a token: a SoftHSM2 token made for the test holds an EC
# P-256 key generated on it and an RSA key imported into it; ifk-acquire
# --make-cert certifies the token's key (writing only the certificate),
# seals a bag with it, ifk-report signs with it, and both signatures are
# the CMS that openssl cms -verify and ifk-verify accept. A wrong or missing
# PIN, a PIN in the URI, a key not on the token, a certificate of another
# key and a missing engine each end in one line naming the URI, exit 2,
# and leave nothing behind; the PIN reaches no output.
. "$(dirname "$0")/lib.sh"
REPORT="$B/ifk-report"

skip() {
	echo "SKIP: $* (scripts/deps.sh installs softhsm2, libengine-pkcs11-openssl and opensc)"
	exit 77
}
engines=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
module=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
	[ -f "$m" ] && module=$m && break
done
command -v softhsm2-util >/dev/null || skip "softhsm2-util is not installed"
[ -n "$module" ] || skip "SoftHSM2's PKCS#11 module libsofthsm2.so is not installed"
[ -f "$engines/pkcs11.so" ] || skip "OpenSSL's pkcs11 engine $engines/pkcs11.so is not installed"

# every tool's output is kept, to look for the PIN in it at the end
eval "lib_$(declare -f run)"
run() {
	lib_run "$@"
	cat out.txt >>outputs.txt
}
one_line() { [ "$(wc -l <out.txt)" = 1 ] || fail "not one line: $(cat out.txt)"; }

PIN=pin-4417-ifk
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" \
	>softhsm2.conf
export SOFTHSM2_CONF="$T/softhsm2.conf" IFK_PKCS11_MODULE="$module"
softhsm2-util --init-token --free --label ifk-lab --so-pin so-pin-0921 --pin "$PIN" >/dev/null ||
	fail "softhsm2-util cannot make the token"
# the EC key is made on the token (by OpenSSL and imported when opensc's
# pkcs11-tool is missing); the RSA key is imported, as a lab moving a key
# onto a token would
if command -v pkcs11-tool >/dev/null; then
	pkcs11-tool --module "$module" --token-label ifk-lab --login --pin "$PIN" --keypairgen \
		--key-type EC:prime256v1 --label examiner --id 01 >/dev/null 2>&1 ||
		fail "pkcs11-tool cannot make the key pair"
	pkcs11-tool --module "$module" --token-label ifk-lab --read-object --type pubkey \
		--label examiner -o ec-pub.der >/dev/null 2>&1 || fail "pkcs11-tool cannot read the public key"
	openssl pkey -pubin -inform DER -in ec-pub.der -out ec-pub.pem
else
	echo "# pkcs11-tool (opensc) is missing: the EC key is imported"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.p8 2>/dev/null
	softhsm2-util --import ec.p8 --token ifk-lab --label examiner --id 01 --pin "$PIN" >/dev/null
	openssl pkey -in ec.p8 -pubout -out ec-pub.pem
fi
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.p8 2>/dev/null
softhsm2-util --import rsa.p8 --token ifk-lab --label examiner-rsa --id 02 --pin "$PIN" >/dev/null ||
	fail "softhsm2-util cannot import the RSA key"
openssl pkey -in rsa.p8 -pubout -out rsa-pub.pem
rm rsa.p8 ec.p8 2>/dev/null || true
printf '%s\n' "$PIN" >pin.txt
printf 'pin-0000-bad\n' >badpin.txt
EC='pkcs11:token=ifk-lab;object=examiner;type=private'
RSA='pkcs11:token=ifk-lab;object=examiner-rsa'

# --- make-cert: the certificate of the token's key, signed by the token ---
listing() { ls | grep -vxE '(before|after)\.txt'; }
: >out.txt
: >>outputs.txt
listing >before.txt
run 0 "$ACQUIRE" --make-cert --examiner "Token Examiner" --organization "ifk tests" --key "$EC" \
	--cert tok.pem --key-password-file pin.txt
listing >after.txt
[ "$(diff before.txt after.txt | grep -c '^>')" = 1 ] && grep -qx tok.pem after.txt ||
	fail "make-cert wrote other files than the certificate: $(diff before.txt after.txt)"
[ "$(openssl x509 -in tok.pem -pubkey -noout)" = "$(cat ec-pub.pem)" ] ||
	fail "the certificate is not of the token's key"
openssl verify -CAfile tok.pem tok.pem >/dev/null 2>&1 || fail "the certificate's self-signature is wrong"
openssl x509 -in tok.pem -noout -subject | grep -q "Token Examiner" || fail "the subject is not the examiner"
ok "make-cert writes only the certificate of the EC key on the token, signed by it"

# the module from the URI's query, without IFK_PKCS11_MODULE; the PIN on a pipe
qmodule=$(printf '%s' "$module" | sed 's|/|%2F|g')
printf '%s\n' "$PIN" | run 0 env -u IFK_PKCS11_MODULE "$ACQUIRE" --make-cert --examiner R -q \
	--key "$RSA?module-path=$qmodule" --cert rsa.pem --key-password-file -
[ "$(openssl x509 -in rsa.pem -pubkey -noout)" = "$(cat rsa-pub.pem)" ] ||
	fail "the certificate is not of the token's RSA key"
openssl verify -CAfile rsa.pem rsa.pem >/dev/null 2>&1 || fail "the RSA certificate's self-signature is wrong"
ok "module-path in the URI, the PIN on a pipe: the RSA key's certificate"

# --- seal and report with the token's key ---
sample src
run 0 "$ACQUIRE" --from src --out bag --key "$EC" --cert tok.pem --key-password-file pin.txt \
	--case CASE-7 --evidence EV-1 --examiner "Token Examiner"
has "ifk-acquire: SEALED"
openssl cms -verify -binary -inform DER -in bag/ifk-seal.p7s -content bag/tagmanifest-sha256.txt \
	-CAfile tok.pem -out /dev/null 2>/dev/null || fail "openssl cms -verify rejects the seal"
run 0 "$VERIFY" --trust tok.pem bag
has "ifk-verify: PASS"
check_status seal pass
ok "the bag sealed by the token passes openssl cms -verify and ifk-verify --trust"

IFK_KEY_PASSWORD="$PIN" run 0 "$REPORT" bag --out r.tar.gz --key "$EC" --cert tok.pem
has "ifk-report: SIGNED"
openssl cms -verify -binary -inform DER -in r.tar.gz.p7s -content r.tar.gz -CAfile tok.pem \
	-out /dev/null 2>/dev/null || fail "openssl cms -verify rejects the report's signature"
run 0 "$VERIFY" --trust tok.pem r.tar.gz bag
has "ifk-verify: PASS"
ok "the report signed by the token (PIN from IFK_KEY_PASSWORD) passes openssl and ifk-verify REPORT BAG"

run 0 "$ACQUIRE" --from src --out bag-rsa --key "$RSA" --cert rsa.pem --key-password-file pin.txt -q
openssl cms -verify -binary -inform DER -in bag-rsa/ifk-seal.p7s \
	-content bag-rsa/tagmanifest-sha256.txt -CAfile rsa.pem -out /dev/null 2>/dev/null ||
	fail "openssl cms -verify rejects the RSA seal"
run 0 "$VERIFY" --trust rsa.pem bag-rsa
has "ifk-verify: PASS"
ok "an RSA key on the token seals as well"

# --- failures: one line naming the URI, exit 2, nothing left behind ---
nothing_left() {
	local left
	left=$(ls -d badbag* r-bad* badcert* 2>/dev/null || true)
	[ -z "$left" ] || fail "left behind: $left"
}
run 2 "$ACQUIRE" --from src --out badbag --key "$EC" --cert tok.pem --key-password-file badpin.txt
has "$EC: the token refused the PIN"
one_line
nothing_left
run 2 "$REPORT" bag --out r-bad.tar.gz --key "$EC" --cert tok.pem --key-password-file badpin.txt
has "$EC: the token refused the PIN"
one_line
nothing_left
run 2 "$ACQUIRE" --make-cert --examiner X --key "$EC" --cert badcert.pem --key-password-file badpin.txt
has "the token refused the PIN"
nothing_left
ok "a wrong PIN: one line naming the URI, exit 2, no bag, report or certificate"

run 2 env -u IFK_KEY_PASSWORD "$ACQUIRE" --from src --out badbag --key "$EC" --cert tok.pem
has "$EC: the token needs its PIN: give it with --key-password-file or IFK_KEY_PASSWORD"
one_line
nothing_left
ok "no PIN: the token is not asked on a terminal; the error says where the PIN comes from"

for uri in "pkcs11:token=ifk-lab;object=examiner;pin-value=$PIN" \
	"pkcs11:token=ifk-lab;object=examiner?pin-value=$PIN" \
	"pkcs11:token=ifk-lab;object=examiner?pin-source=file:$T/pin.txt"; do
	run 2 "$ACQUIRE" --from src --out badbag --key "$uri" --cert tok.pem
	has "holds a PIN (pin-value or pin-source): refused; give the PIN with --key-password-file"
	one_line
	nothing_left
done
ok "a URI holding pin-value or pin-source is refused"

run 2 "$ACQUIRE" --from src --out badbag --key "pkcs11:token=ifk-lab;object=nobody" --cert tok.pem \
	--key-password-file pin.txt
has "pkcs11:token=ifk-lab;object=nobody: the private key cannot be loaded: object not found"
one_line
nothing_left
run 2 "$REPORT" bag --out r-bad.tar.gz --key "pkcs11:token=no-such-token;object=examiner" \
	--cert tok.pem --key-password-file pin.txt
has "pkcs11:token=no-such-token;object=examiner: the private key cannot be loaded: object not found"
nothing_left
ok "an object or token that is not there: one line naming the URI"

examiner
run 2 "$ACQUIRE" --from src --out badbag --key "$EC" --cert ex.pem --key-password-file pin.txt
has "$EC: the private key does not match ex.pem"
one_line
nothing_left
ok "a certificate of another key is refused"

mkdir no-engines
run 2 env OPENSSL_ENGINES="$T/no-engines" "$ACQUIRE" --from src --out badbag --key "$EC" \
	--cert tok.pem --key-password-file pin.txt
has "$EC: OpenSSL's pkcs11 engine is not installed (Debian package libengine-pkcs11-openssl)"
one_line
nothing_left
run 3 env IFK_PKCS11_MODULE="$T/no-module.so" "$ACQUIRE" --from src --out badbag --key "$EC" \
	--cert tok.pem --key-password-file pin.txt
has "cannot read the PKCS#11 module $T/no-module.so"
nothing_left
ok "no engine, no module: said so, with the package to install"

run 2 "$ACQUIRE" --make-cert --examiner X --key "$EC" --cert tok.pem --key-password-file pin.txt
has "tok.pem: cannot create"
[ "$(openssl x509 -in tok.pem -pubkey -noout)" = "$(cat ec-pub.pem)" ] || fail "tok.pem was changed"
ok "make-cert never overwrites the certificate"

! grep -qF -- "$PIN" outputs.txt || fail "an output holds the PIN"
! grep -qF -- "pin-0000-bad" outputs.txt || fail "an output holds the wrong PIN"
! grep -rqF -- "$PIN" bag bag-rsa || fail "the evidence holds the PIN"
! tar -xzOf r.tar.gz | grep -qF -- "$PIN" || fail "the report holds the PIN"
ok "the PIN is in no output, bag or report"
