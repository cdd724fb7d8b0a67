#!/usr/bin/env bash
# Plain BagIt bags (RFC 8493) made here by hand, as another tool would make
# them: each class of case of the public BagIt conformance suite, built
# anew (tests/bagit/conformance.sh runs the suite itself, outside make
# test). Valid bags pass with exit 0; invalid ones fail with exit 1 and say
# why.
. "$(dirname "$0")/lib.sh"

ALGS="md5 sha1 sha224 sha256 sha384 sha512 sha512224 sha512256 sha3224 sha3256 sha3384
	sha3512 blake2b512 blake2s256"
# the openssl dgst option of a BagIt algorithm name
dgst() {
	case $1 in
	sha512224 | sha512256) echo "-sha512-${1#sha512}" ;;
	sha3???) echo "-sha3-${1#sha3}" ;;
	*) echo "-$1" ;;
	esac
}
# the name ifk-verify reports for it
evp() {
	case $1 in
	sha512224 | sha512256) echo "SHA512-${1#sha512}" ;;
	sha3???) echo "SHA3-${1#sha3}" ;;
	blake2b512) echo BLAKE2B-512 ;;
	blake2s256) echo BLAKE2S-256 ;;
	*) echo "${1^^}" ;;
	esac
}
# changes the first checksum of a manifest
alter_first() { sed -i "1s/^./$([ "$(head -c1 "$1")" = 0 ] && echo 1 || echo 0)/" "$1"; }
sum() { openssl dgst "$(dgst "$1")" -r <"$2" | cut -d' ' -f1; }
# RFC 8493: CR, LF and % in a manifest path are percent-encoded
enc() {
	local p=${1//%/%25}
	p=${p//$'\n'/%0A}
	printf '%s' "${p//$'\r'/%0D}"
}
decl() { printf 'BagIt-Version: %s\nTag-File-Character-Encoding: UTF-8\n' "${2:-1.0}" >"$1/bagit.txt"; }
oxum() { (cd "$1" && find data -type f -printf '%s\n' | awk '{s += $1; n++} END {print s + 0 "." n + 0}'); }
info() { printf 'Source-Organization: ifk tests\nBagging-Date: 2026-01-02\nPayload-Oxum: %s\n' "$(oxum "$1")" >"$1/bag-info.txt"; }
# manifest DIR ALG: every payload file
manifest() {
	(cd "$1" && find data -type f -print0 | sort -z | while IFS= read -r -d '' f; do
		printf '%s  %s\n' "$(sum "$2" "$f")" "$(enc "$f")"
	done) >"$1/manifest-$2.txt"
}
# tagmanifest DIR ALG: bagit.txt, bag-info.txt and the payload manifests
tagmanifest() {
	(cd "$1" && for f in bagit.txt bag-info.txt manifest-*.txt; do
		printf '%s %s\n' "$(sum "$2" "$f")" "$f"
	done) >"$1/tagmanifest-$2.txt"
}
retag() {
	local a
	for a in $(cd "$1" && ls tagmanifest-*.txt | sed 's/tagmanifest-\(.*\)\.txt/\1/'); do
		tagmanifest "$1" "$a"
	done
}
# mkbag DIR ALG...: a valid bag with manifests and tag manifests for each
mkbag() {
	local dir=$1 a
	shift
	rm -rf "$dir"
	mkdir -p "$dir/data/sub dir"
	printf 'hello\n' >"$dir/data/hello.txt"
	printf 'nested\n' >"$dir/data/sub dir/b.txt"
	: >"$dir/data/empty"
	decl "$dir"
	info "$dir"
	for a in "$@"; do manifest "$dir" "$a"; done
	for a in "$@"; do tagmanifest "$dir" "$a"; done
}

mkbag b sha512
run 0 "$VERIFY" b
has "(bagit)"
has "unsealed"
finding seal warn "a plain BagIt bag made by another tool"
check_status custody skip
check_status backup skip
has "data/ holds no iOS backup"
check_status encryption skip
[ ! -e b/ifk-custody.log ] || fail "verify wrote into another tool's bag"
ok "a valid plain bag passes; the backup and encryption checks are skipped with the reason"

for a in $ALGS; do
	mkbag b "$a"
	run 0 "$VERIFY" b
	printf 'x' >>b/data/hello.txt
	run 1 "$VERIFY" b
	finding seal fail "content changed: $(evp "$a") "
done
ok "every algorithm: md5, sha1, sha224/256/384/512, sha512/224, sha512/256, sha3, blake2"

mkbag b md5 sha256 sha512
run 0 "$VERIFY" b
alter_first b/manifest-sha256.txt
retag b
run 1 "$VERIFY" b
finding seal fail "content changed: SHA256"
ok "every payload manifest is checked, not only the strongest"

mkbag b md5 sha512
sed -i '/hello.txt/d' b/manifest-md5.txt
retag b
run 1 "$VERIFY" b
finding seal fail "not listed in manifest-md5.txt: every payload file must be in every payload manifest"
decl b 0.97
retag b
run 0 "$VERIFY" b
finding seal warn "not listed in manifest-md5.txt"
ok "a payload file missing from one manifest fails in BagIt 1.0 (a warning before 1.0)"

mkbag b sha256
printf 'stray\n' >b/data/stray.txt
info b
retag b
run 1 "$VERIFY" b
finding seal fail "added: not listed in manifest-sha256.txt"
mkbag b sha256
rm b/data/hello.txt
info b
retag b
run 1 "$VERIFY" b
finding seal fail "missing: listed in manifest-sha256.txt"
ok "an unlisted payload file and a listed file that is missing fail"

mkbag b sha256 md5
printf 'Contact-Name: someone else\n' >>b/bag-info.txt
run 1 "$VERIFY" b
finding seal fail "tag file changed: MD5"
finding seal fail "tag file changed: SHA256"
mkbag b md5
printf 'notes\n' >b/notes.txt
printf '%s notes.txt\n' "$(sum md5 b/notes.txt)" >>b/tagmanifest-md5.txt
run 0 "$VERIFY" b
printf 'more\n' >>b/notes.txt
run 1 "$VERIFY" b
finding seal fail "tag file changed: MD5"
rm b/notes.txt
run 1 "$VERIFY" b
finding seal fail "listed in tagmanifest-md5.txt"
printf '%s data/hello.txt\n' "$(sum md5 b/data/hello.txt)" >>b/tagmanifest-md5.txt
run 1 "$VERIFY" b
finding seal fail "a tag manifest lists tag files only"
ok "every tag manifest, whatever its algorithm: an altered or missing listed tag file fails"

mkbag b sha256
printf 'fifty\n' >"b/data/100%.txt"
printf 'line\n' >"b/data/two"$'\n'"lines"
printf 'cr\n' >"b/data/carriage"$'\r'"return"
printf 'literal\n' >"b/data/%41.txt"
info b
manifest b sha256
retag b
grep -qF 'data/100%25.txt' b/manifest-sha256.txt || fail "the manifest lacks the encoded name"
run 0 "$VERIFY" b
sed -i 's/%0A/%0a/' b/manifest-sha256.txt
retag b
run 0 "$VERIFY" b
sed -i 's/%2541/%41/' b/manifest-sha256.txt
retag b
run 0 "$VERIFY" b
ok "percent-encoded names: %25, %0A (either case), %0D; any other % is the name's own"

# decl_fails TEXT MESSAGE: a bag whose bagit.txt is TEXT (tag manifest
# updated) fails, saying MESSAGE
decl_fails() {
	printf '%b' "$1" >b/bagit.txt
	retag b
	run 1 "$VERIFY" b
	finding seal fail "$2"
}
mkbag b sha256
decl_fails '\xEF\xBB\xBFBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' "byte-order mark"
decl_fails 'Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n' 'line 1 is not "BagIt-Version: M.N"'
decl_fails 'BagIt-Version : 1.0\nTag-File-Character-Encoding : UTF-8\n' 'line 1 is not'
decl_fails 'BagIt-Version: .97\nTag-File-Character-Encoding: UTF-8\n' 'line 1 is not'
decl_fails 'BagIt-Version: 1.0\n' "not a BagIt declaration"
decl_fails 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: 1\n' "more than the two lines"
decl_fails 'BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n' "newer than the 1.0 ifk knows"
printf 'BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8' >b/bagit.txt
retag b
run 0 "$VERIFY" b
rm b/bagit.txt
run 1 "$VERIFY" b
has "(bagit)"
finding seal fail "bagit.txt"
ok "bagit.txt: exactly its two lines, in order, no BOM; a bag without it is still a bag, and fails"

mkbag b md5
for f in bag-info.txt manifest-md5.txt; do
	iconv -f UTF-8 -t UTF-16 <"b/$f" >"b/$f.16" && mv "b/$f.16" "b/$f"
done
printf 'BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-16\n' >b/bagit.txt
tagmanifest b md5
iconv -f UTF-8 -t UTF-16 <b/tagmanifest-md5.txt >b/t16 && mv b/t16 b/tagmanifest-md5.txt
run 0 "$VERIFY" b
printf 'x' >>b/data/hello.txt
run 1 "$VERIFY" b
finding seal fail "content changed: MD5"
mkbag b md5
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: X-NO-SUCH\n' >b/bagit.txt
retag b
run 1 "$VERIFY" b
finding seal fail "not an encoding ifk can decode"
ok "tag files in another declared encoding are decoded; an unknown encoding fails"

mkbag b sha256
printf 'http://example.invalid/x - data/hello.txt\n' >b/fetch.txt
run 1 "$VERIFY" b
finding seal fail "ifk verifies complete evidence only, and does not fetch"
ok "a bag with fetch.txt fails"

mkbag b sha256
sed -i 's/^Payload-Oxum: .*/Payload-Oxum: 1.1/' b/bag-info.txt
retag b
run 1 "$VERIFY" b
finding seal fail "Payload-Oxum 1.1, but the payload holds"
sed -i 's/^Payload-Oxum: .*/Payload-Oxum: 12 bytes/' b/bag-info.txt
retag b
run 1 "$VERIFY" b
finding seal fail "is not <octets>.<files>"
mkbag b sha256
printf 'External-Description: a long value\n   continued here\nTest-Tag :  1\n' >>b/bag-info.txt
retag b
run 1 "$VERIFY" b
finding seal fail 'blanks around the label "Test-Tag"'
decl b 0.97
retag b
run 0 "$VERIFY" b
printf 'no colon here\n' >>b/bag-info.txt
retag b
run 1 "$VERIFY" b
finding seal fail "no label: no colon here"
ok "bag-info.txt: Payload-Oxum checked, labels and continuation lines per RFC 8493"

mkbag b sha256
sed -n 1p b/manifest-sha256.txt >>b/manifest-sha256.txt
retag b
run 1 "$VERIFY" b
finding seal fail "listed twice"
ok "a payload file listed twice fails"

# a literal ~ (a home folder to a shell, never to a bag)
# shellcheck disable=SC2088
for p in ../outside /etc/passwd data/../outside '~/x' 'data/./hello.txt' data//hello.txt; do
	mkbag b sha256
	printf '%s  %s\n' "$(sum sha256 b/data/hello.txt)" "$p" >>b/manifest-sha256.txt
	retag b
	run 1 "$VERIFY" b
	has "$p"
done
mkbag b sha256
sed -i 's#  data/hello.txt#  ./data/hello.txt#' b/manifest-sha256.txt
retag b
run 0 "$VERIFY" b
finding seal warn 'starts with "./"'
ok "paths escaping the payload (.., absolute, ~) fail; a leading ./ is a warning"

mkbag b sha256
printf 'x  data/hello.txt\n' >b/manifest-crc32.txt
retag b
run 1 "$VERIFY" b
finding seal fail 'checksum algorithm "crc32" is not one ifk knows'
mkbag b sha256
sed -i 's/$/\r/' b/manifest-sha256.txt
tr '\n' '\r' <b/bag-info.txt >b/i && mv b/i b/bag-info.txt
tr -d '\n' <b/manifest-sha256.txt >b/m && mv b/m b/manifest-sha256.txt
retag b
run 0 "$VERIFY" b
ok "an unknown algorithm fails; CR line ends are lines"

sample src
mkdir -p ios && cp -a src ios/data
(cd ios && decl . && find data -type f -print0 | sort -z | xargs -0 sha256sum >manifest-sha256.txt)
run 0 "$VERIFY" ios
has "(bagit)"
check_status backup pass
ok "a plain bag whose data/ holds an iOS backup gets the backup check"
echo "$PASSED passed, 0 failed"
