#!/usr/bin/env bash
# More checks, run after the README's two commands (CI runs them all in their short form):
#   sanitizers  the whole test suite built again with clang, AddressSanitizer + UndefinedBehavior-
#               Sanitizer (-O1 -g, -Werror) into build-sanitize/, and run with ctest
#   fuzz        every libFuzzer harness of tests/fuzz for FUZZ_SECONDS each (default 30), from its
#               committed seed corpus; a crash, sanitizer report, rule break or timeout fails
#   soaks       tests/soak/run_soaks.sh (SOAKS=short by default, or long)
# Usage: tests/more_checks.sh [sanitizers] [fuzz] [soaks]    (no argument: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(sanitizers fuzz soaks)

# shellcheck source=../cmake/ensure_packages.sh
. cmake/ensure_packages.sh
ensure_packages clang libclang-rt-14-dev libfuzzer-14-dev hdf5-tools unzip

export CCACHE_BASEDIR="$PWD"
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
# Leaks are not checked: LibTorch keeps its global state alive to the end by design.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
san=build-sanitize

build_sanitized() {
  if [ ! -f "$san/build.ninja" ]; then
    CC=clang CXX=clang++ cmake -S . -B "$san" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
      -DWAVENET_WERROR=ON -DWAVENET_SANITIZE_ADDRESS=ON -DWAVENET_SANITIZE_UNDEFINED=ON -DWAVENET_FUZZ=ON \
      -DWAVENET_PYTHON_MODULE=OFF
  fi
  cmake --build "$san" -j2
}

run_sanitizers() {
  build_sanitized
  # The install test builds a separate consumer project without the sanitizer runtime, so it
  # cannot link against these libraries; the ordinary suite runs it. Nor can an instrumented
  # Python module load into Debian's interpreter (the build leaves it out; an older
  # build-sanitize/ configured before that may still have it).
  ctest --test-dir "$san" --output-on-failure -j2 -E '^(install|python)\.'
}

run_fuzz() {
  build_sanitized
  local seconds=${FUZZ_SECONDS:-30} work="$san/fuzz-work" failed=0 harness
  rm -rf "$work"
  for harness in $(sed -n 's/^set(WAVENET_FUZZ_HARNESSES \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt); do
    mkdir -p "$work/$harness/corpus" "$work/$harness/artifacts"
    cp tests/fuzz/corpus/"$harness"/* "$work/$harness/corpus/"
    local dict=() log="$work/$harness/fuzz.log"
    [ -f "tests/fuzz/$harness.dict" ] && dict=(-dict="tests/fuzz/$harness.dict")
    # The inputs found stay in build-sanitize/fuzz-work; the committed corpus is not touched.
    if "$san/tests/fuzz/fuzz_$harness" "${dict[@]}" -max_total_time="$seconds" -timeout=20 \
        -rss_limit_mb=3072 -malloc_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/$harness/artifacts/" "$work/$harness/corpus" >"$log" 2>&1; then
      echo "fuzz $harness: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs in ${seconds} s," \
           "$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')/s, corpus $(ls "$work/$harness/corpus" | wc -l) inputs, no failure"
    else
      echo "fuzz $harness: FAILED, input kept in $work/$harness/artifacts/; log $log:"
      grep -E "fuzz rule broken|ERROR: |runtime error|SUMMARY" "$log" | head -5
      failed=1
    fi
  done
  return $failed
}

run_soaks() {
  bash tests/soak/run_soaks.sh "--${SOAKS:-short}"
}

for part in "${parts[@]}"; do
  case "$part" in
    sanitizers) run_sanitizers ;;
    fuzz) run_fuzz ;;
    soaks) run_soaks ;;
    *) echo "more_checks: unknown part '$part' (sanitizers, fuzz, soaks)" >&2; exit 2 ;;
  esac
done
echo "more_checks: ${parts[*]} passed"
