"""The README's first command on a fresh machine: the built wheel installed into a new virtual
environment, then `deltaprop digits` run with an empty HOME and no DELTAPROP_* variables,
prints the lecture's USPS result from the data the package ships.

Cheap enough for every CI run: the wheel is built from the existing CMake build folder
(build/py, which scripts/test.sh fills) so nothing is recompiled, and the new environment gets
its dependencies from the package registry through the test environment's pip.
"""

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import require_module

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build" / "py"
#: the table row of one method: name, iterations, seconds, E_in (sq), E_in (cls) %, E_test %
ROW = re.compile(r"^(\w+)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+%\s+([\d.]+)%$", re.M)
METHODS = ["gd", "sgd", "minibatch", "variable_lr", "steepest", "conjugate_gradient", "lbfgs",
           "adam"]


def run(command, **kwargs):
    proc = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, command))}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def cached_define(name):
    """The value the build folder's CMake cache holds for ``name`` (None without one), passed
    again so that building the wheel does not reconfigure what scripts/test.sh configured."""
    cache = BUILD / "CMakeCache.txt"
    if not cache.is_file():
        return None
    found = re.search(rf"^{name}:BOOL=(\w+)$", cache.read_text(), flags=re.M)
    return found.group(1) if found else None


def build_wheel(dest):
    """The wheel of this checkout, built from build/py when it exists (else in a fresh build
    folder under ``dest``, which compiles everything: minutes)."""
    require_module("scikit_build_core")  # building the wheel needs it
    build_dir = BUILD if (BUILD / "CMakeCache.txt").is_file() else dest / "build"
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps",
               f"-Cbuild-dir={build_dir}", "-w", str(dest)]
    tests = cached_define("DELTAPROP_TESTS")
    if tests is not None:
        command.append(f"-Ccmake.define.DELTAPROP_TESTS={tests}")
    run([*command, str(REPO)], timeout=1200)
    (wheel,) = dest.glob("deltaprop-*.whl")
    return wheel


@pytest.mark.slow  # about 50 s on 2 cores: 20 s to install the dependencies, 30 s of training
def test_the_readme_command_in_a_fresh_environment_prints_the_usps_result(tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("features.train", "features.test", "zip.train", "zip.test"):
        assert f"deltaprop/data/{name}.gz" in names  # the data travels in the wheel

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    # the README's install: the package with all its extras, dependencies from the registry
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                           f"{wheel}[all]"], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0 and "No matching distribution" in proc.stderr \
            and os.environ.get("CI", "").lower() != "true":
        pytest.skip(f"no package registry for the dependencies: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr

    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DELTAPROP_", "PYTHON", "XDG_", "MPL"))}
    env["HOME"] = str(home)
    proc = run([str(venv / "bin" / "deltaprop"), "digits"], cwd=work, env=env, timeout=900)

    # the package that ran is the fresh one, reading the files it ships
    assert proc.stdout.startswith("data: USPS features (shipped) (7291 training, 2007 test points)\n"
                                  "task: digit 1 versus the rest\n")
    assert proc.stderr.splitlines()[0] == (
        "deltaprop: train data: USPS features (shipped) (features.train shipped with deltaprop, "
        "checksum verified)")
    rows = {m.group(1): (int(m.group(2)), float(m.group(3))) for m in ROW.finditer(proc.stdout)}
    assert list(rows) == METHODS, proc.stdout
    for method, (iterations, e_test) in rows.items():
        assert iterations == 10000 and e_test <= 2.5, (method, proc.stdout)  # the lecture: ~2%
    assert "\r" not in proc.stderr  # output to a pipe: no progress-bar frames
    out = work / "digits-out"
    assert sorted(p.name for p in out.iterdir()) == [
        "decision_boundaries.png", "error_curves.png", "histories.csv", "results.txt"]
    assert not (home / ".local").exists()  # nothing downloaded into the user data folder
