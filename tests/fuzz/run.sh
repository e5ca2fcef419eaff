#!/bin/bash
# Builds the libFuzzer targets in their own clang build dir and runs each for a short,
# bounded time on a copy of its seed corpus (the committed corpus stays as it is).
# Fails on any crash, leak, timeout or out-of-memory, printing the reproducer and the
# start of the report. ctest runs it as "fuzz: bounded run" (tests/CMakeLists.txt).
#   tests/fuzz/run.sh                     every target, FUZZ_SECONDS (default 10) each
#   tests/fuzz/run.sh answer notify       only these targets
#   FUZZ_SECONDS=600 tests/fuzz/run.sh api_body   one target, longer (README.md)
# FUZZ_BUILD overrides the build dir (default: build-fuzz beside build).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${FUZZ_BUILD:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-10}"

all=(answer xfr notify dns_answer agent_config controller_config settings api_body names zone_file update reports timeline)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

command -v clang++ >/dev/null || { echo "fuzz: clang++ missing (./build.sh --tests installs clang)" >&2; exit 1; }
# BUILD_TESTING=OFF: the fuzz dir builds only the libraries and the fuzzers, not the Catch2
# suites (the g++ build runs those), which keeps this well inside ctest's timeout.
if [ ! -f "$build/CMakeCache.txt" ]; then
  # -O1 with line tables only: what libFuzzer's docs suggest, and under the sanitizers it
  # builds in well under the time -O2 -g takes (the build is most of this run).
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DPATCHBAY_FUZZ=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" >/dev/null
fi
start=$SECONDS
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/%/_fuzz}" >/dev/null
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - start))s"

work="$(mktemp -d /tmp/patchbay-fuzz.XXXXXX)"
failed=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/${t}_fuzz"
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp "$here/corpus/$t/"* "$work/$t/corpus/"
  # -timeout: one input taking over 10 s is a hang; -error_exitcode makes leaks fail too.
  if (cd "$work/$t" && "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -error_exitcode=77 -timeout_exitcode=78 -print_final_stats=1 \
        -artifact_prefix="$work/$t/artifacts/" corpus >"$work/$t/log" 2>&1); then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
    echo "fuzz: $t ok ($runs runs, corpus $(ls "$work/$t/corpus" | wc -l) inputs)"
  else
    failed+=("$t")
    echo "fuzz: $t FAILED" >&2
    for a in "$work/$t/artifacts/"*; do [ -e "$a" ] && echo "  reproducer: $a  (run: $bin $a)" >&2; done
    grep -m1 -A30 -E '^==[0-9]+==ERROR|^SUMMARY|terminate called|runtime error|ERROR: libFuzzer' \
      "$work/$t/log" | head -40 | sed 's/^/  | /' >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (logs and reproducers kept in $work)" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: all ${#targets[@]} targets clean, ${seconds}s each, $((SECONDS - start))s in all"
