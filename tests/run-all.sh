#!/bin/bash
# Installs what is missing, builds, and runs every test (unit, integration, end to end).
# Needs root: the end-to-end tests make network namespaces and systemd containers.
set -euo pipefail
cd "$(dirname "$0")/.."
./build.sh --tests
cd build
ctest --output-on-failure "$@"
