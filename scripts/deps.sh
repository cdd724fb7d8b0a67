#!/usr/bin/env bash
# Installs the Debian 12 packages ifk builds and tests with, when missing:
# with apt-get when run as root, otherwise prints the apt-get line and stops.
set -euo pipefail
packages=(build-essential cmake pkg-config openssl sqlite3
          libimobiledevice-dev libplist-dev libsqlite3-dev libssl-dev libarchive-dev
          libyara-dev libcmocka-dev libjansson-dev libplist-utils
          libimobiledevice-utils zlib1g-dev python3
          chromium fonts-dejavu-core  # report.html is tested in headless Chromium
          libengine-pkcs11-openssl softhsm2 opensc  # keys on a token (tests/e2e/t_pkcs11.sh)
          hashcat pocl-opencl-icd ocl-icd-libopencl1  # hashcat on the CPU (t_password.sh)
          prometheus  # promtool checks the metrics file and alert rules (t_fleet.sh)
          clang-14 libclang-rt-14-dev llvm-14)  # libFuzzer (tests/fuzz), llvm-symbolizer
# case.jsonld is validated with Node (tests/shacl): Debian's nodejs and npm
# come in only where there is no node and npm at all.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
# tests/shacl's npm packages, as its package-lock.json pins them, when they
# are missing or older than the lock file.
shacl_modules() {
	local dir
	dir="$(dirname "$0")/../tests/shacl"
	[ -f "$dir/node_modules/.package-lock.json" ] &&
		[ ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ] && return 0
	echo "installing tests/shacl's npm packages (npm ci)" >&2
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { shacl_modules; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
	echo "ifk needs these Debian packages; run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
shacl_modules
