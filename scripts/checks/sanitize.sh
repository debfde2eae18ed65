#!/usr/bin/env bash
# Builds with AddressSanitizer and UndefinedBehaviorSanitizer, in a temporary directory, and runs:
#   1. the C++ tests (tests/cpp);
#   2. the C++ example (cpp/examples, against the installed package, as a user builds it);
#   3. the Python module, with the Python tests that drive the bindings hardest (bad input,
#      threads, model files, properties) loaded over it, the sanitizer runtimes preloaded.
# Any report (out-of-bounds access, use after free, leak in C++, signed overflow, misaligned or
# null access, ...) stops the program with a non-zero status and fails this check. The example
# is skipped, saying so, while cpp/examples/ has none.
#
# Run by scripts/test.sh with $VENV set (its cmake, ninja and scipy-openblas32 are used);
# alone, from the repository: bash scripts/checks/sanitize.sh
set -euo pipefail
source "$(dirname "$0")/../lib/checks.sh"
check_setup sanitize.sh

# The BLAS the Python package uses (scipy-openblas32's CMake config), when it is installed.
blas_args

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# -O0: GCC's var-tracking of the instrumented kernels at -O1 -g made this check most of CI's
# time. One test source (tests/cpp/test_objective.cpp) took 320 s to compile at -O1 -g with
# both sanitizers, 36 s at -O0 -g; nothing the sanitizers look for needs the optimiser, and
# at -O0 none of it is optimised away.
OPT="-O0 -g"
# abort_on_error gives a core-dump-like exit on the first report; leaks are reported at exit.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
JOBS="${JOBS:-2}"

echo "sanitize.sh: the C++ tests with -fsanitize=address,undefined"
cmake -S "$ROOT" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$OPT" \
  -DDELTAPROP_TESTS=ON -DDELTAPROP_HEADER_TESTS=OFF -DDELTAPROP_SANITIZE=ON ${BLAS_ARGS[@]+"${BLAS_ARGS[@]}"} >"$WORK/configure.log" 2>&1 \
  || { cat "$WORK/configure.log"; echo "sanitize.sh: FAILED to configure"; exit 1; }
cmake --build "$WORK/build" -j "$JOBS" >"$WORK/build.log" 2>&1 \
  || { tail -n 80 "$WORK/build.log"; echo "sanitize.sh: FAILED to build the tests"; exit 1; }
ctest --test-dir "$WORK/build" --output-on-failure -j "$JOBS"

if [ ! -f "$ROOT/cpp/examples/CMakeLists.txt" ]; then
  echo "sanitize.sh: no C++ example in cpp/examples/ yet: skipped"
  exit 0
fi
echo "sanitize.sh: the C++ example, built against the installed package, with the same flags"
cmake --install "$WORK/build" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log"; echo "sanitize.sh: FAILED to install"; exit 1; }
cmake -S "$ROOT/cpp/examples" -B "$WORK/example" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="$OPT" -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN" \
  -DCMAKE_PREFIX_PATH="$WORK/prefix" ${BLAS_ARGS[@]+"${BLAS_ARGS[@]}"} >"$WORK/example.log" 2>&1 \
  || { cat "$WORK/example.log"; echo "sanitize.sh: FAILED to configure the example"; exit 1; }
cmake --build "$WORK/example" -j "$JOBS" >>"$WORK/example.log" 2>&1 \
  || { tail -n 80 "$WORK/example.log"; echo "sanitize.sh: FAILED to build the example"; exit 1; }
ran=0
for program in "$WORK"/example/*; do
  [ -f "$program" ] && [ -x "$program" ] || continue
  echo "-- $(basename "$program")"
  "$program"
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "sanitize.sh: FAILED: the example built no program"; exit 1; }

echo "sanitize.sh: the Python module with the same flags, under the binding-heavy Python tests"
# Into a folder of its own that shadows the installed package on PYTHONPATH, so the
# environment's deltaprop stays the plain build; its OpenBLAS is the environment's.
"$PY" -m pip install -q --no-build-isolation --no-deps --target "$WORK/site" \
  -Cbuild-dir="$WORK/py" -Ccmake.build-type=Debug "-Ccmake.define.CMAKE_CXX_FLAGS_DEBUG=$OPT" \
  "-Ccmake.define.CMAKE_CXX_FLAGS=$SAN" "-Ccmake.define.CMAKE_SHARED_LINKER_FLAGS=$SAN" \
  "$ROOT" >"$WORK/py.log" 2>&1 || { tail -n 80 "$WORK/py.log"; echo "sanitize.sh: FAILED to build the module"; exit 1; }
ln -s "$("$PY" -c "import os, scipy_openblas32 as s; print(os.path.dirname(s.__file__))")" "$WORK/site/scipy_openblas32"
RUNTIMES="$(c++ -print-file-name=libasan.so):$(c++ -print-file-name=libubsan.so)"
# Python itself is not instrumented and keeps memory to the end: leaks are for the C++ runs.
# The tests that limit the address space are left out: ASan reserves terabytes of it.
(cd "$ROOT" && PYTHONPATH="$WORK/site" LD_PRELOAD="$RUNTIMES" ASAN_OPTIONS="abort_on_error=1:detect_leaks=0" \
  "$PY" -m pytest -q -p no:cacheprovider tests/test_bad_input.py tests/test_threads.py \
  tests/test_model_file.py tests/test_properties.py -k "not memory_limit and not beyond_memory and not wide_network")
echo "sanitize.sh: clean"
