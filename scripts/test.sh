#!/usr/bin/env bash
# The whole test suite, from a clean clone: makes a fresh virtual environment in build/venv,
# builds the package once (the C++ tests in the same CMake build), then runs ctest and pytest.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="$ROOT/build/venv"
BUILD="$ROOT/build/py"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip install -q --upgrade pip
# Build requirements (as in pyproject.toml) and test requirements, so the build below can run
# without isolation and leave its build tree (with the C++ tests) in place.
"$PY" -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.12" "scipy-openblas32>=0.3.27" \
  cmake ninja numpy pytest hypothesis autograd "scikit-learn>=1.6" matplotlib tqdm mypy

echo "== build (Python module and C++ tests, one CMake build) =="
"$PY" -m pip install -q --no-build-isolation --no-deps \
  -Cbuild-dir="$BUILD" -Ccmake.define.DELTAPROP_TESTS=ON "$ROOT"

echo "== C++ tests (ctest) =="
ctest --test-dir "$BUILD" --output-on-failure

echo "== extra checks (scripts/checks/*.sh) =="
for check in "$ROOT"/scripts/checks/*.sh; do
  [ -e "$check" ] || continue
  echo "-- $(basename "$check")"
  VENV="$VENV" BUILD="$BUILD" bash "$check"
done

echo "== Python tests (pytest) =="
cd "$ROOT"
"$PY" -m pytest -q "$@"
