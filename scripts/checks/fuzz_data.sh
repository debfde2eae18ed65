#!/usr/bin/env bash
# Fuzzes the digits readers (deltaprop.datasets: read_zip, read_features, load_digits) with
# atheris for FUZZ_SECONDS seconds (default 60), starting from the seed corpus fuzz/corpus/data/,
# after replaying that corpus (its regression-* files are inputs that once failed). The
# contract checked is in fuzz/data_readers_fuzzer.py. Installs atheris into the environment when
# missing; where it cannot be installed the check is skipped, saying so, except under CI=true,
# where that fails. Exits non-zero when an input breaks the contract.
#
# Run by scripts/test.sh with $VENV set (deltaprop installed there); alone:
#   FUZZ_SECONDS=10 bash scripts/checks/fuzz_data.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECS="${FUZZ_SECONDS:-60}"
PY="${VENV:+$VENV/bin/python}"
PY="${PY:-$(command -v python3)}"
OUT="${BUILD:-$ROOT/build}/fuzz-data"
FUZZER="$ROOT/fuzz/data_readers_fuzzer.py"
CORPUS="$ROOT/fuzz/corpus/data"

if ! "$PY" -c "import atheris" >/dev/null 2>&1; then
  echo "fuzz_data.sh: installing atheris"
  if ! "$PY" -m pip install -q atheris; then
    if [ "${CI:-}" = "true" ]; then
      echo "fuzz_data.sh: FAILED: atheris cannot be installed for $("$PY" -V 2>&1)"
      exit 1
    fi
    echo "fuzz_data.sh: SKIPPED: atheris cannot be installed for $("$PY" -V 2>&1)"
    exit 0
  fi
fi

echo "fuzz_data.sh: replaying the corpus"
"$PY" "$FUZZER" --replay "$CORPUS"

mkdir -p "$OUT"
# New inputs go to a scratch copy of the corpus, so the repository's seeds stay as committed.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$CORPUS"/* "$WORK"/

echo "fuzz_data.sh: fuzzing the digits readers for ${SECS}s"
# -max_len 4096: each input is small, so many run; -rss_limit_mb: a reader that blows up memory
# on a small input (a gzip bomb, say) fails instead of taking the machine.
if ! "$PY" "$FUZZER" -max_total_time="$SECS" -max_len=4096 -timeout=20 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$OUT/" "$WORK" >"$OUT/fuzz.log" 2>&1; then
  tail -n 60 "$OUT/fuzz.log"
  echo "fuzz_data.sh: FAILED: the failing input is in $OUT/ (crash-*, oom-* or timeout-*)."
  echo "Reproduce with: $PY $FUZZER --replay <file>. Fix the reader, then add the file to"
  echo "fuzz/corpus/data/ as regression-<what>, where tests/test_fuzz_corpus_data.py replays it."
  exit 1
fi
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)" "$OUT/fuzz.log" || true
echo "fuzz_data.sh: no failure in ${SECS}s"
