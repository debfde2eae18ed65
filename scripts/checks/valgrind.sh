#!/usr/bin/env bash
# Runs the C++ example (cpp/examples, built against the installed package without sanitizers)
# under valgrind's memcheck: any invalid read or write, use of uninitialised memory, bad free or
# definite leak fails the check (--error-exitcode=1). While cpp/examples/ has no example, a C++
# test (test_gradient) stands in. Installs valgrind with apt-get when it is missing; fails,
# saying why, where it cannot.
#
# Run by scripts/test.sh with $VENV set (its cmake, ninja and scipy-openblas32 are used);
# alone, from the repository: bash scripts/checks/valgrind.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -n "${VENV:-}" ]; then
  export PATH="$VENV/bin:$PATH"
fi
PY="$(command -v python3 || command -v python)"
for tool in cmake ninja; do
  command -v "$tool" >/dev/null || { echo "valgrind.sh: FAILED: $tool is not on PATH"; exit 1; }
done

if ! command -v valgrind >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || {
    echo "valgrind.sh: FAILED: valgrind is not installed and there is no apt-get to install it"; exit 1; }
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "valgrind.sh: FAILED: valgrind is not installed and installing it needs root (no sudo)"; exit 1; }
    SUDO=(sudo -n)
  fi
  echo "valgrind.sh: installing valgrind with apt-get"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi

BLAS_ARGS=()
if OPENBLAS_DIR="$("$PY" -c "import os, scipy_openblas32 as s; print(os.path.join(s.get_lib_dir(), 'cmake', 'openblas'))" 2>/dev/null)"; then
  BLAS_ARGS=(-DOpenBLAS_DIR="$OPENBLAS_DIR")
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
JOBS="${JOBS:-2}"
FLAGS=(-G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" ${BLAS_ARGS[@]+"${BLAS_ARGS[@]}"})

if [ -f "$ROOT/cpp/examples/CMakeLists.txt" ]; then
  cmake -S "$ROOT" -B "$WORK/build" "${FLAGS[@]}" -DDELTAPROP_TESTS=OFF >"$WORK/build.log" 2>&1 &&
    cmake --install "$WORK/build" --prefix "$WORK/prefix" >>"$WORK/build.log" 2>&1 &&
    cmake -S "$ROOT/cpp/examples" -B "$WORK/example" "${FLAGS[@]}" -DCMAKE_PREFIX_PATH="$WORK/prefix" \
      >>"$WORK/build.log" 2>&1 &&
    cmake --build "$WORK/example" -j "$JOBS" >>"$WORK/build.log" 2>&1 ||
    { tail -n 80 "$WORK/build.log"; echo "valgrind.sh: FAILED to build the example"; exit 1; }
  PROGRAMS=()
  for program in "$WORK"/example/*; do
    [ -f "$program" ] && [ -x "$program" ] && PROGRAMS+=("$program")
  done
  [ "${#PROGRAMS[@]}" -gt 0 ] || { echo "valgrind.sh: FAILED: the example built no program"; exit 1; }
else
  echo "valgrind.sh: no C++ example in cpp/examples/ yet: checking the C++ test test_gradient instead"
  cmake -S "$ROOT" -B "$WORK/build" "${FLAGS[@]}" -DDELTAPROP_TESTS=ON >"$WORK/build.log" 2>&1 &&
    cmake --build "$WORK/build" --target test_gradient -j "$JOBS" >>"$WORK/build.log" 2>&1 ||
    { tail -n 80 "$WORK/build.log"; echo "valgrind.sh: FAILED to build test_gradient"; exit 1; }
  PROGRAMS=("$WORK/build/tests/cpp/test_gradient")
fi

for program in "${PROGRAMS[@]}"; do
  echo "valgrind.sh: memcheck of $(basename "$program")"
  if ! valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --track-origins=yes --quiet "$program" >"$WORK/run.log" 2>&1; then
    tail -n 100 "$WORK/run.log"
    echo "valgrind.sh: FAILED: memcheck reported errors in $(basename "$program") (above)"
    exit 1
  fi
done
echo "valgrind.sh: clean"
