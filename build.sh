#!/bin/bash
# Installs what is missing (Debian 12 packages only) and builds into ./build.
#   ./build.sh            packages to build and run
#   ./build.sh --tests    also the packages the tests drive (systemd-container, dig, knot, ...)
# CI=true turns warnings into errors and keeps only line tables as debug info (-g1: half
# the compile time of -g, which is most of CI's build; backtraces still name files and lines).
set -euo pipefail
cd "$(dirname "$0")"

build_pkgs=(build-essential cmake pkg-config libc-ares-dev libsystemd-dev libcurl4-openssl-dev
            libcpp-httplib-dev libmicrohttpd-dev libssl-dev libtomlplusplus-dev catch2 libknot-dev libsqlite3-dev
            nlohmann-json3-dev libmaxminddb-dev libhowardhinnant-date-dev tzdata)
# systemd-container without recommends: the recommended libnss-mymachines edits nsswitch.conf.
test_pkgs=(systemd systemd-container dbus iproute2 bind9-dnsutils knot-dnsutils knot nsd bind9 python3 curl
           procps psmisc util-linux jq
           man-db                     # tests/packaging: man -w, man patchbay from the installed .deb
           nginx-light kamailio       # tests/packaging/units.sh runs the example templates for real
           clang libclang-rt-14-dev   # clang + libFuzzer: tests/fuzz/run.sh
           chromium fonts-dejavu-core)  # tests/gui: the page in a real browser (playwright-core from npm)

want=("${build_pkgs[@]}")
[ "${1:-}" = --tests ] && want+=("${test_pkgs[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  [ "$(id -u)" = 0 ] || { echo "run as root to install packages" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The knot, nsd, bind9, nginx and kamailio packages enable services we never want running
  # on a test machine (the tests start their own, on loopback ports or in containers).
  for pkg_svc in knot:knot nsd:nsd bind9:named nginx-light:nginx kamailio:kamailio; do
    if printf '%s\n' "${missing[@]}" | grep -qx "${pkg_svc%%:*}"; then
      systemctl disable --now "${pkg_svc#*:}" >/dev/null 2>&1 || true
    fi
  done
fi

# tests/gui drives Debian's chromium with npm's playwright-core (no browser download).
if [ "${1:-}" = --tests ]; then
  command -v npm >/dev/null || { echo "tests/gui needs Node.js 20 or later with npm" >&2; exit 1; }
  (cd tests/gui && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

werror=OFF
debug=(-UCMAKE_CXX_FLAGS_RELWITHDEBINFO)   # back to CMake's -O2 -g -DNDEBUG
if [ "${CI:-}" = true ]; then
  werror=ON
  debug=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG")
fi
cmake -S . -B build -DPATCHBAY_WERROR=$werror "${debug[@]}" >/dev/null
cmake --build build -j"$(nproc)"
