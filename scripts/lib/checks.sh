# Shared by the CI checks in scripts/checks/ (sourced, not run): the common set-up, the
# installation of a missing Debian package, and the CMake arguments for the project's BLAS.

# check_setup NAME: ROOT (the repository), PATH with $VENV/bin first (its cmake, ninja and
# scipy-openblas32), PY, and fail unless cmake and ninja are on PATH.
check_setup() {
  CHECK_NAME="$1"
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  if [ -n "${VENV:-}" ]; then
    export PATH="$VENV/bin:$PATH"
  fi
  PY="$(command -v python3 || command -v python)"
  for tool in cmake ninja; do
    command -v "$tool" >/dev/null || { echo "$CHECK_NAME: FAILED: $tool is not on PATH"; exit 1; }
  done
}

# apt_install NAME COMMAND PACKAGE fail|skip: install PACKAGE with apt-get unless COMMAND exists.
# Where that cannot be done (no apt-get, not root and no sudo) the check fails or is skipped,
# saying why.
apt_install() {
  local name="$1" command="$2" package="$3" otherwise="$4"
  command -v "$command" >/dev/null 2>&1 && return 0
  local why=""
  local sudo=()
  if ! command -v apt-get >/dev/null 2>&1; then
    why="there is no apt-get to install it"
  elif [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else why="installing it needs root (no sudo)"; fi
  fi
  if [ -n "$why" ]; then
    if [ "$otherwise" = skip ]; then
      echo "$name: SKIPPED: $command is not installed and $why"; exit 0
    fi
    echo "$name: FAILED: $command is not installed and $why"; exit 1
  fi
  echo "$name: installing $package with apt-get"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
}

# blas_args: BLAS_ARGS holds -DOpenBLAS_DIR=... for scipy-openblas32's CMake config when $PY has it.
blas_args() {
  BLAS_ARGS=()
  local dir
  if dir="$("$PY" -c "import os, scipy_openblas32 as s; print(os.path.join(s.get_lib_dir(), 'cmake', 'openblas'))" 2>/dev/null)"; then
    BLAS_ARGS=(-DOpenBLAS_DIR="$dir")
  fi
}
