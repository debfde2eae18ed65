#!/usr/bin/env bash
# Fuzzes the model-file reader (fuzz/model_file_fuzzer.cpp) with libFuzzer under AddressSanitizer
# and UndefinedBehaviorSanitizer for FUZZ_SECONDS seconds (default 60), starting from the seed
# corpus fuzz/corpus/model_file/. Needs clang++ (GCC has no libFuzzer): installed with apt-get
# when missing; where it cannot be installed the check is skipped, saying so, except under CI
# (CI=true), where that fails. Exits non-zero when the fuzzer finds a failing input.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECS="${FUZZ_SECONDS:-60}"
OUT="${BUILD:-$ROOT/build}/fuzz"

source "$(dirname "$0")/../lib/checks.sh"
apt_install fuzz.sh clang++ clang "libFuzzer, to fuzz the model-file reader"

mkdir -p "$OUT"
BIN="$OUT/model_file_fuzzer"
clang++ -std=c++17 -O1 -g -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I "$ROOT/cpp/include" "$ROOT/fuzz/model_file_fuzzer.cpp" -o "$BIN"

# New inputs go to a scratch copy of the corpus, so the repository's seeds stay as committed.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$ROOT"/fuzz/corpus/model_file/* "$WORK"/

echo "fuzz.sh: fuzzing the model-file reader for ${SECS}s"
# -malloc_limit_mb: no input of at most 4 KiB may make the reader allocate more than 64 MiB.
if ! "$BIN" -max_total_time="$SECS" -max_len=4096 -malloc_limit_mb=64 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$OUT/" "$WORK" >"$OUT/fuzz.log" 2>&1; then
  tail -n 60 "$OUT/fuzz.log"
  echo "fuzz.sh: FAILED: the failing input is in $OUT/ (crash-*, leak-*, oom-* or timeout-*)."
  echo "Reproduce with: $BIN <file>. Fix the reader, then add the file to"
  echo "fuzz/corpus/model_file/ as regression-<what>, where tests/test_model_file.py replays it."
  exit 1
fi
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)" "$OUT/fuzz.log" || true
echo "fuzz.sh: no failure in ${SECS}s"
