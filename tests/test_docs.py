"""docs/architecture.md is a map of the repository: every file or folder it names in backticks
must exist, so that a rename or a removal cannot leave the map pointing nowhere.

A name in backticks is a path when it has no spaces or quotes and either holds a "/" or ends in
a file extension (`network.hpp`, `python/deltaprop/training.py`, `activations/`). The page
writes the core's headers from `cpp/include/deltaprop/` and the package's modules from
`python/deltaprop/`, as its file-by-file map does, so a path is looked up from the repository
root and from those two folders. A placeholder (`methods/<name>.hpp`) must have its folder.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
BASES = (ROOT, ROOT / "cpp" / "include" / "deltaprop", ROOT / "python" / "deltaprop")
EXTENSIONS = ("hpp", "cpp", "py", "pyi", "md", "sh", "npz", "cmake", "txt", "toml", "gz")
PATH_LIKE = re.compile(r"^[\w./<>-]+$")


def backticked_paths(text):
    """[(line number, path)] of the names in backticks that are file or folder paths."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for name in re.findall(r"`([^`]+)`", line):
            if not PATH_LIKE.match(name) or "::" in name:
                continue
            if "/" in name or name.rsplit(".", 1)[-1] in EXTENSIONS and "." in name:
                found.append((number, name))
    return found


def exists(path):
    """Whether path names a file or folder from one of the bases; a placeholder `<...>` in
    its last part stands for a file to be written, so only its folder must exist."""
    if "<" in path:
        path = path[: path.index("<")].rsplit("/", 1)[0] or "."
    return any((base / path).exists() for base in BASES)


def test_the_page_names_paths():
    # a guard on the test itself: a change to the pattern that matched nothing would pass
    paths = {name for _, name in backticked_paths(ARCHITECTURE.read_text(encoding="utf-8"))}
    assert {"cpp/include/deltaprop/", "parts.hpp", "python/deltaprop/training.py",
            "methods/<name>.hpp", "tests/golden/golden.npz"} <= paths


def test_every_path_in_backticks_exists():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [f"docs/architecture.md:{number}: {name}"
               for number, name in backticked_paths(text) if not exists(name)]
    assert not missing, "paths the map names that do not exist:\n" + "\n".join(missing)


def test_placeholders_and_non_paths():
    assert backticked_paths("`Network.fit` `net.fit(X, y)` `E_in` `W^(ℓ)` `kernels::small_gemm`") == []
    assert backticked_paths("`a/b.hpp` and `c.py`") == [(1, "a/b.hpp"), (1, "c.py")]
    assert exists("activations/<name>.hpp")
    assert not exists("no_such_folder/<name>.hpp")
    assert not exists("methods/no_such_method.hpp")
