"""The version is written once, in cpp/include/deltaprop/version.hpp: the extension's
``__version__``, the installed distribution's metadata and the header all say the same, and
neither CMakeLists.txt nor pyproject.toml spells a version of its own."""

import importlib.metadata
import re
from pathlib import Path

import deltaprop

REPO = Path(__file__).resolve().parent.parent
HEADER = REPO / "cpp" / "include" / "deltaprop" / "version.hpp"


def header_version():
    text = HEADER.read_text(encoding="utf-8")
    found = re.findall(r'^#define DELTAPROP_VERSION_STRING "([^"]*)"$', text, flags=re.M)
    assert len(found) == 1, f"{HEADER}: expected one DELTAPROP_VERSION_STRING, found {found}"
    parts = [re.search(rf"^#define DELTAPROP_VERSION_{p} (\d+)$", text, flags=re.M).group(1)
             for p in ("MAJOR", "MINOR", "PATCH")]
    assert found[0] == ".".join(parts), "the header's string and its parts disagree"
    return found[0]


def test_the_package_the_metadata_and_the_header_agree():
    version = header_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert deltaprop.__version__ == version
    assert importlib.metadata.version("deltaprop") == version


def test_the_build_files_read_the_header_instead_of_repeating_the_version():
    version = header_version()
    cmake = (REPO / "CMakeLists.txt").read_text(encoding="utf-8")
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert version not in cmake and version not in pyproject
    assert 'dynamic = ["version"]' in pyproject
    assert "cpp/include/deltaprop/version.hpp" in cmake
    assert 'input = "cpp/include/deltaprop/version.hpp"' in pyproject
