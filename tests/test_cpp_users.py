"""What docs/cpp.md tells a C++ user: the route without CMake (its one compiler command, run as
written on the page's own program, against the headers and the OpenBLAS this environment
installed; the program exits 0 only when E_in fell), and the example project building Release
when no build type is given."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "cpp.md"


def section(text, title):
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def with_environment_first():
    """os.environ with this Python's bin folder (its python, cmake and ninja) first on PATH."""
    return dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])


@pytest.mark.slow  # one -O3 compile of the whole core: about 15 seconds
def test_the_documented_compiler_command_builds_and_runs_the_example(tmp_path):
    if shutil.which("g++") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs g++ to check docs/cpp.md's compiler command")
        pytest.skip("g++ is not installed")
    text = DOC.read_text(encoding="utf-8")
    program = re.search(r"```cpp\n(.*?)```", section(text, "A program"), re.S).group(1)
    command = re.search(r"```bash\n(.*?)```", section(text, "Without CMake: one compiler command"),
                        re.S).group(1)
    assert "-O3" in command and "-ffp-contract=off" in command and "-std=c++17" in command
    (tmp_path / "xor.cpp").write_text(program, encoding="utf-8")
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=tmp_path, env=with_environment_first(),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""  # no warning or note from the compiler either
    first, last = re.search(r"E_in (\S+) -> (\S+)", run.stdout).groups()
    assert float(last) < float(first) / 10


@pytest.mark.parametrize("asked, expected", [(None, "Release"), ("Debug", "Debug")])
def test_the_example_project_builds_release_unless_asked_otherwise(tmp_path, asked, expected):
    env = with_environment_first()
    cmake_dir = subprocess.run([sys.executable, "-m", "deltaprop", "--cmake-dir"], capture_output=True,
                               text=True, check=True).stdout.strip()
    args = ["cmake", "-S", str(REPO / "cpp" / "examples"), "-B", str(tmp_path), "-G", "Ninja",
            f"-Ddeltaprop_DIR={cmake_dir}"] + ([f"-DCMAKE_BUILD_TYPE={asked}"] if asked else [])
    run = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    cache = (tmp_path / "CMakeCache.txt").read_text()
    assert re.search(rf"^CMAKE_BUILD_TYPE:STRING={expected}$", cache, re.M), cache[:2000]
