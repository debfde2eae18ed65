#!/usr/bin/env bash
# The test suite, from a clean clone: makes a virtual environment in build/venv, builds the
# package once (the C++ tests in the same CMake build), then runs ctest, the extra checks and
# pytest.
#
# Usage: bash scripts/test.sh [--quick] [extra pytest arguments]
#   (no option)  everything, as CI runs it (.ci/run): the C++ tests, the extra checks of
#                scripts/checks/ (sanitizers, valgrind, fuzzers, the installed C++ package) and
#                every Python test, the slow ones included. Takes many minutes.
#   --quick      the inner loop: build, the C++ tests and the Python tests not marked slow;
#                no extra checks.
#
# What it installs:
#   * into build/venv, with pip: the build requirements and the test requirements (below);
#   * with apt-get, only for the extra checks and only when missing: valgrind (memcheck of the
#     C++ example, scripts/checks/valgrind.sh) and clang (libFuzzer, which GCC lacks, to fuzz the
#     model-file reader, scripts/checks/fuzz.sh). That needs root (or password-less sudo) and a
#     reachable package registry; without them each of those checks is skipped with one line
#     saying why, except under CI (CI=true), where a missing tool fails the run.
# Environment: CI=true makes every skip a failure; DELTAPROP_TEST_DRY_RUN=1 prints the steps
# instead of running them (tests/test_test_script.py checks the options that way).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="$ROOT/build/venv"
BUILD="$ROOT/build/py"
PY="$VENV/bin/python"

QUICK=0
if [ "${1:-}" = "--quick" ]; then
  QUICK=1
  shift
fi

# run CMD...: run a step, or only print it under DELTAPROP_TEST_DRY_RUN=1.
run() {
  if [ "${DELTAPROP_TEST_DRY_RUN:-}" = 1 ]; then
    printf '+ %s\n' "$*"
  else
    "$@"
  fi
}

if [ "$QUICK" = 1 ]; then
  echo "== scripts/test.sh --quick: build, C++ tests, Python tests without the slow ones (no extra checks) =="
else
  echo "== scripts/test.sh: build, C++ tests, extra checks, all Python tests (as CI) =="
  echo "   (the extra checks install valgrind and clang with apt-get when missing; where they"
  echo "   cannot, each such check is skipped with one line, or fails under CI=true)"
fi

if [ ! -x "$PY" ]; then
  run python3 -m venv "$VENV"
fi
# Build requirements (as in pyproject.toml) and test requirements (its "test" extra), so the
# build below can run without isolation and leave its build tree (with the C++ tests) in place.
# With uv, which downloads in parallel: on a fresh machine pip took minutes of CI's time for
# these, uv seconds. pip installs them where uv cannot be had.
REQUIREMENTS=("scikit-build-core>=0.10" "pybind11>=2.12" "scipy-openblas32>=0.3.27" cmake ninja
              numpy scipy pytest hypothesis autograd "scikit-learn>=1.6" matplotlib tqdm mypy pandas
              "dask[distributed,dataframe]")
if run "$PY" -m pip install -q uv; then
  run "$PY" -m uv pip install -q --python "$PY" "${REQUIREMENTS[@]}"
else
  run "$PY" -m pip install -q "${REQUIREMENTS[@]}"
fi

echo "== build (Python module and C++ tests, one CMake build) =="
run "$PY" -m pip install -q --no-build-isolation --no-deps \
  -Cbuild-dir="$BUILD" -Ccmake.define.DELTAPROP_TESTS=ON "$ROOT"

echo "== C++ tests (ctest) =="
run ctest --test-dir "$BUILD" --output-on-failure

if [ "$QUICK" = 0 ]; then
  echo "== extra checks (scripts/checks/*.sh) =="
  for check in "$ROOT"/scripts/checks/*.sh; do
    [ -e "$check" ] || continue
    echo "-- $(basename "$check")"
    VENV="$VENV" BUILD="$BUILD" run bash "$check"
  done
fi

echo "== Python tests (pytest) =="
if [ "$QUICK" = 1 ]; then
  run "$PY" -m pytest -q -m "not slow" "$@"
else
  run "$PY" -m pytest -q "$@"
fi
