#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and runs each for a bounded
# time on a copy of its seed corpus in tests/fuzz/corpus/. A crash, leak or UB report fails the
# script and leaves the input in build-fuzz/artifacts/. CI runs it after the test suites.
#   scripts/fuzz.sh [seconds per target, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"

scripts/install-deps.sh
build_dir=build-fuzz
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCDCSCOPE_FUZZ=ON \
  -DCDCSCOPE_BUILD_APP=OFF -DCDCSCOPE_BUILD_TESTS=OFF -DCDCSCOPE_BUILD_BENCH=OFF \
  "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  >/dev/null
targets=(fuzz_http_head fuzz_client_message fuzz_publish_body fuzz_ws_frames fuzz_chunked_body fuzz_webhook_body)
cmake --build "$build_dir" -j 2 --target "${targets[@]}"

mkdir -p "$build_dir/artifacts"
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target"
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"$target"/* "$corpus"/
  echo "fuzz: $target for ${seconds}s"
  log="$build_dir/$target.log"
  dictionary=()
  [ -f "tests/fuzz/$target.dict" ] && dictionary=(-dict="tests/fuzz/$target.dict")
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build_dir/tests/fuzz/$target" "${dictionary[@]}" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
      -artifact_prefix="$build_dir/artifacts/$target-" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
    grep -E -A40 '==[0-9]+==ERROR|runtime error|Test unit written' "$log" >&2 || tail -40 "$log" >&2
    echo "fuzz: $target found a problem; the input is in $build_dir/artifacts/" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "$log" || true
done
echo "fuzz: no findings"
