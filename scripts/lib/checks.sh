# Shared by the CI checks in scripts/checks/ (sourced, not run): the common set-up, the
# installation of a missing Debian package (or a one-line skip, a failure under CI), and the
# CMake arguments for the project's BLAS.

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

# apt_install NAME COMMAND PACKAGE PURPOSE: make COMMAND available, installing the Debian package
# PACKAGE with apt-get when it is missing; PURPOSE says what the check needs it for. Where it
# cannot be installed (no apt-get, not root and no password-less sudo, or apt-get fails: no
# package registry reachable) the check is skipped with one line saying why, except under CI
# (CI=true), where a missing tool fails the check: CI must run every check.
apt_install() {
  local name="$1" command="$2" package="$3" purpose="$4"
  command -v "$command" >/dev/null 2>&1 && return 0
  local why=""
  local sudo=()
  if ! command -v apt-get >/dev/null 2>&1; then
    why="there is no apt-get to install it"
  elif [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
      sudo=(sudo -n)
    else
      why="installing it needs root"
    fi
  fi
  if [ -z "$why" ]; then
    echo "$name: installing $package with apt-get, for $purpose"
    if ! "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 ||
       ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null 2>&1; then
      why="apt-get could not install $package (no package registry reachable?)"
    elif ! command -v "$command" >/dev/null 2>&1; then
      why="the package $package did not provide it"
    fi
  fi
  [ -z "$why" ] && return 0
  if [ "${CI:-}" = "true" ]; then
    echo "$name: FAILED: $command (for $purpose) is not installed and $why; under CI every check must run"
    exit 1
  fi
  echo "$name: SKIPPED: $command (for $purpose) is not installed and $why"
  exit 0
}

# blas_args: BLAS_ARGS holds -DOpenBLAS_DIR=... for scipy-openblas32's CMake config when $PY has it.
blas_args() {
  BLAS_ARGS=()
  local dir
  if dir="$("$PY" -c "import os, scipy_openblas32 as s; print(os.path.join(s.get_lib_dir(), 'cmake', 'openblas'))" 2>/dev/null)"; then
    BLAS_ARGS=(-DOpenBLAS_DIR="$dir")
  fi
}
