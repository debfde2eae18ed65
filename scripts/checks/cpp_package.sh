#!/usr/bin/env bash
# deltaprop as a C++ package, the way an embedding program meets it (issue 3):
#   1. the C++ library alone (no Python, no pybind11: CMake may not even look for them) is
#      configured, built and installed into a temporary prefix (its tests ran in the main build);
#   2. cpp/examples, copied out of the source tree, and the program of docs/cpp.md build against
#      that prefix with find_package(deltaprop) alone (no BLAS hint: the config finds the CBLAS
#      itself) and run;
#   3. the package refuses a version it is not (0.2) and, without a CBLAS, fails with its message;
#   4. a parent project that add_subdirectory()s the source tree builds and runs the example, and
#      neither builds deltaprop's tests nor installs its files;
#   5. the example builds and runs against the pip-installed wheel: -Ddeltaprop_DIR from
#      `python -m deltaprop --cmake-dir`, and the OpenBLAS found must be the scipy-openblas32
#      installed beside deltaprop (the config's relative hint), not the build's.
# Needs $VENV (a venv with deltaprop, cmake, ninja and scipy-openblas32 installed; scripts/test.sh
# sets it). Work happens in a temporary folder, removed at the end. Exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${VENV:?set VENV to the virtual environment deltaprop is installed in}"
PY="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"  # its cmake and ninja
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step() { echo "cpp_package.sh: $*"; }
fail() { echo "cpp_package.sh: FAILED: $*" >&2; exit 1; }
# Configure and build quietly (Ninja, Release); on failure show the end of the log.
build() {  # build <source dir> <build dir> <more cmake arguments...>
  local src="$1" dir="$2" log="$2.log"
  shift 2
  if ! { cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" &&
         cmake --build "$dir"; } >"$log" 2>&1; then
    tail -n 40 "$log"
    fail "configure or build of $src in $dir failed"
  fi
}
# Run the example; it exits non-zero when its gradient check fails or E_in did not fall.
run_example() {  # run_example <binary>
  local out
  if ! out="$("$1")"; then
    echo "$out"
    fail "$1 exited non-zero"
  fi
  # the gradient check, and E_in at the first and the last step printed
  { echo "$out" | grep -m1 "central difference"; echo "$out" | grep "^t =" | sed -n '1p;$p'; } |
    sed 's/^/    /'
}

# The scipy-openblas32 wheel's CMake config: the CBLAS of the library build. Python only locates
# the wheel here; the C++ build does not use it.
OPENBLAS_DIR="$("$PY" -c "import os, scipy_openblas32 as s; print(os.path.join(s.get_lib_dir(), 'cmake', 'openblas'))")"
NO_PYTHON=(-DDELTAPROP_PYTHON=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Python=ON
           -DCMAKE_DISABLE_FIND_PACKAGE_Python3=ON -DCMAKE_DISABLE_FIND_PACKAGE_pybind11=ON)
# The example as a user has it: outside the source tree, so it cannot reach into it.
cp -r "$ROOT/cpp/examples" "$WORK/example"
STRICT="-Wall -Wextra -Wpedantic -Werror"

step "1. C++ library alone: configure, build, install"
# Without its tests: scripts/test.sh built and ran them (the same sources and flags) before the
# checks, and building them again here took a quarter of CI's time.
build "$ROOT" "$WORK/lib" -DDELTAPROP_TESTS=OFF -DOpenBLAS_DIR="$OPENBLAS_DIR" "${NO_PYTHON[@]}"
cmake --install "$WORK/lib" --prefix "$WORK/prefix" >/dev/null
for f in include/deltaprop/deltaprop.hpp share/cmake/deltaprop/deltapropConfig.cmake \
         share/cmake/deltaprop/deltapropConfigVersion.cmake share/cmake/deltaprop/deltapropBLAS.cmake; do
  [ -f "$WORK/prefix/$f" ] || fail "the install lacks $f"
done
diff -r "$ROOT/cpp/include/deltaprop" "$WORK/prefix/include/deltaprop" >/dev/null ||
  fail "the installed headers differ from cpp/include/deltaprop"

step "2. example and docs/cpp.md against the install prefix (find_package only)"
build "$WORK/example" "$WORK/example-prefix" -DCMAKE_PREFIX_PATH="$WORK/prefix" \
  -DCMAKE_CXX_FLAGS="$STRICT"
run_example "$WORK/example-prefix/train_xor"

# docs/cpp.md's program and CMake lines, as a reader would copy them.
mkdir -p "$WORK/docs"
awk '/^```cpp$/ {on = 1; next} /^```$/ {if (on) exit} on' "$ROOT/docs/cpp.md" >"$WORK/docs/xor.cpp"
awk '/^```cmake$/ {on = 1; next} /^```$/ {if (on) exit} on' "$ROOT/docs/cpp.md" >"$WORK/docs/CMakeLists.txt"
build "$WORK/docs" "$WORK/docs-build" -DCMAKE_PREFIX_PATH="$WORK/prefix" -DCMAKE_CXX_FLAGS="$STRICT"
"$WORK/docs-build/xor" | sed 's/^/    docs\/cpp.md: /' || fail "the program of docs/cpp.md exited non-zero"

step "3. version and missing-BLAS refusals"
mkdir -p "$WORK/version"
cat >"$WORK/version/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.19)
project(version_probe LANGUAGES CXX)
find_package(deltaprop ${WANT} CONFIG REQUIRED)
EOF
if cmake -S "$WORK/version" -B "$WORK/version-0.2" -DWANT=0.2 -DCMAKE_PREFIX_PATH="$WORK/prefix" \
     >"$WORK/version-0.2.log" 2>&1; then
  fail "find_package(deltaprop 0.2) accepted version 0.1"
fi
grep -q "0.2" "$WORK/version-0.2.log" || { cat "$WORK/version-0.2.log"; fail "no version message"; }
# No OpenBLAS config (cblas) and no FindBLAS: deltaprop_FOUND is false, with the config's message.
if cmake -S "$WORK/version" -B "$WORK/no-blas" -DWANT=0.1 -DCMAKE_PREFIX_PATH="$WORK/prefix" \
     -DDELTAPROP_BLAS=cblas -DCMAKE_DISABLE_FIND_PACKAGE_BLAS=ON >"$WORK/no-blas.log" 2>&1; then
  fail "find_package(deltaprop) succeeded without a CBLAS"
fi
grep -q "deltaprop needs a CBLAS" "$WORK/no-blas.log" || { cat "$WORK/no-blas.log"; fail "no CBLAS message"; }

step "4. add_subdirectory(deltaprop) from a parent project"
mkdir -p "$WORK/parent"
cat >"$WORK/parent/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.19)
project(parent LANGUAGES CXX)
add_subdirectory("$ROOT" deltaprop)
add_executable(train_xor "$WORK/example/train_xor.cpp")
target_link_libraries(train_xor PRIVATE deltaprop::deltaprop)
install(TARGETS train_xor)
EOF
build "$WORK/parent" "$WORK/parent-build" -DOpenBLAS_DIR="$OPENBLAS_DIR" "${NO_PYTHON[@]}"
run_example "$WORK/parent-build/train_xor"
[ ! -e "$WORK/parent-build/deltaprop/tests" ] || fail "add_subdirectory built deltaprop's tests"
cmake --install "$WORK/parent-build" --prefix "$WORK/parent-prefix" >/dev/null
[ ! -e "$WORK/parent-prefix/include/deltaprop" ] || fail "add_subdirectory installed deltaprop's headers"

step "5. example against the pip-installed wheel (python -m deltaprop --cmake-dir)"
CMAKE_DIR="$("$PY" -m deltaprop --cmake-dir)"
INCLUDE_DIR="$("$PY" -m deltaprop --include-dir)"
diff -r "$ROOT/cpp/include/deltaprop" "$INCLUDE_DIR/deltaprop" >/dev/null ||
  fail "the wheel's headers ($INCLUDE_DIR) differ from cpp/include/deltaprop: reinstall the package"
build "$WORK/example" "$WORK/example-wheel" -Ddeltaprop_DIR="$CMAKE_DIR" \
  -DCMAKE_CXX_FLAGS="$STRICT"
SITE="$(cd "$CMAKE_DIR/../../../.." && pwd -P)"
FOUND="$(sed -n 's/^OpenBLAS_DIR:PATH=//p' "$WORK/example-wheel/CMakeCache.txt")"
[ "$(cd "$FOUND" && pwd -P)" = "$SITE/scipy_openblas32/lib/cmake/openblas" ] ||
  fail "the wheel's config found OpenBLAS at $FOUND, not beside deltaprop in $SITE"
run_example "$WORK/example-wheel/train_xor"
"$PY" -m deltaprop --help >/dev/null || fail "python -m deltaprop --help"

step "all passed"
