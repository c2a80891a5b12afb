#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/CMakeLists.txt, clang) and runs each for a while, one
# after the other (docs/reliability.md "Fuzzing").
#
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]     default: 30 s each, every harness
#
# Needs clang++ and the ordinary build (scripts/setup.sh; SHARPSCOPE_BUILD_DIR, default build).
# Each harness starts from its seeds (tests/fuzz/corpus/NAME) and kept findings
# (tests/fuzz/regressions/NAME), read-only; what it learns goes to $FUZZ_BUILD_DIR/work/NAME and a
# crashing input to $FUZZ_BUILD_DIR/artifacts/NAME/. Prints one line per harness (runs, exec/s) and
# exits 1 when any harness found something. FUZZ_RSS_MB (default 2048) caps each run's memory;
# FUZZ_JOBS (default: all cores) sets the build's parallelism.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift || true
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
main_build=$(realpath "${SHARPSCOPE_BUILD_DIR:-build}")
rss_mb=${FUZZ_RSS_MB:-2048}

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (apt-get install clang); skipped"
  exit 0
fi
# clang without its libFuzzer runtime (libclang-rt / libclang-common-N-dev) cannot link a harness.
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' \
  >"$probe_dir/probe.cpp"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cpp" -o "$probe_dir/probe" 2>/dev/null; then
  echo "fuzz: clang++ cannot link -fsanitize=fuzzer,address,undefined (libFuzzer runtime missing); skipped"
  exit 0
fi
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S tests/fuzz -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DSHARPSCOPE_BUILD_DIR="$main_build" >/dev/null
fi
cmake --build "$build_dir" -j"${FUZZ_JOBS:-$(nproc)}"

harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for source in tests/fuzz/harnesses/*_fuzz.cpp; do
    name=$(basename "$source" _fuzz.cpp)
    harnesses+=("$name")
  done
fi

# Findings abort with a report; LSan's leak check stays on (LibTorch's own start-up allocations
# are suppressed, each with its reason, in tests/sanitizers/lsan.supp).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0}
status=0
for name in "${harnesses[@]}"; do
  work="$build_dir/work/$name" artifacts="$build_dir/artifacts/$name"
  mkdir -p "$work" "$artifacts"
  seeds=(tests/fuzz/corpus/"$name")
  [[ -d tests/fuzz/regressions/$name ]] && seeds+=(tests/fuzz/regressions/"$name")
  log="$build_dir/$name.log"
  if "$build_dir/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=30 \
       -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "${seeds[@]}" >"$log" 2>&1; then
    result=clean
  else
    result="FINDING (see $log, input in $artifacts/)"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  printf 'fuzz %-20s %4s s  %10s runs  %7s exec/s  %s\n' "$name" "$seconds" "${runs:-?}" \
    "${speed:-?}" "$result"
done
exit $status
