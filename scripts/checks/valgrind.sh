#!/usr/bin/env bash
# Runs the C++ example (cpp/examples, built against the installed package without sanitizers)
# under valgrind's memcheck: any invalid read or write, use of uninitialised memory, bad free or
# definite leak fails the check (--error-exitcode=1). While cpp/examples/ has no example, a C++
# test (test_gradient) stands in. Installs valgrind with apt-get when it is missing; where it
# cannot be installed the check is skipped, saying so, except under CI (CI=true), where that fails.
#
# Run by scripts/test.sh with $VENV set (its cmake, ninja and scipy-openblas32 are used);
# alone, from the repository: bash scripts/checks/valgrind.sh
set -euo pipefail
source "$(dirname "$0")/../lib/checks.sh"
check_setup valgrind.sh

apt_install valgrind.sh valgrind valgrind "memcheck of the C++ example"

blas_args
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
