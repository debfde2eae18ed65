"""``python -m deltaprop``: where the wheel put the C++ side, else the command line.

``python -m deltaprop --cmake-dir`` prints the folder of ``deltapropConfig.cmake`` and
``python -m deltaprop --include-dir`` the folder holding ``deltaprop/*.hpp``, so that a C++
project needs only ``pip install deltaprop``::

    cmake -S . -B build -Ddeltaprop_DIR="$(python -m deltaprop --cmake-dir)"

Any other arguments go to the command line, ``deltaprop.cli.main`` (``deltaprop digits`` ...).
"""

from __future__ import annotations

import importlib
import pathlib
import sys
from typing import List, Optional, Sequence

_PACKAGE = pathlib.Path(__file__).resolve().parent
# Where the install rules (cmake/deltapropInstall.cmake) put them inside the wheel.
_DIRS = {
    "--cmake-dir": (_PACKAGE / "share" / "cmake" / "deltaprop", "deltapropConfig.cmake"),
    "--include-dir": (_PACKAGE / "include", "deltaprop/deltaprop.hpp"),
}

_USAGE = """\
python -m deltaprop --cmake-dir     print the folder of deltapropConfig.cmake (for -Ddeltaprop_DIR=...)
python -m deltaprop --include-dir   print the folder holding the C++ headers deltaprop/*.hpp
python -m deltaprop COMMAND ...     the command line, as `deltaprop COMMAND ...`:
"""


def _print_dirs(flags: Sequence[str]) -> int:
    """Print the folder of each flag, one a line; 1 if the installation lacks one."""
    for flag in flags:
        folder, marker = _DIRS[flag]
        if not (folder / marker).is_file():
            print(f"python -m deltaprop {flag}: {folder / marker} does not exist: this "
                  "installation of deltaprop has no C++ headers and CMake package (an editable "
                  "or source-tree install?). Install the package with `pip install deltaprop`, "
                  "or build and install the C++ library with CMake.", file=sys.stderr)
            return 1
        print(folder)
    return 0


def _cli_main():
    """deltaprop.cli.main, or None when this installation has no command line."""
    try:
        cli = importlib.import_module("deltaprop.cli")
    except ModuleNotFoundError as e:
        if e.name != "deltaprop.cli":  # cli exists but one of its own imports failed
            raise
        return None
    return getattr(cli, "main", None)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args: List[str] = list(sys.argv[1:] if argv is None else argv)
    if args and all(a in _DIRS for a in args):
        return _print_dirs(args)
    if args[:1] in (["-h"], ["--help"]):
        print(_USAGE)
    cli_main = _cli_main()
    if cli_main is None:
        print("python -m deltaprop: this installation has no command line (deltaprop.cli.main "
              f"is missing), so {' '.join(args) or 'no argument'!r} cannot run. Available here: "
              "--cmake-dir, --include-dir.", file=sys.stderr)
        return 2
    result = cli_main(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
