"""The course's digits files shipped inside the package, and their checksums.

``deltaprop/data/`` holds ``features.train``, ``features.test``, ``zip.train`` and ``zip.test``
compressed with ``gzip -n -9`` (about 2.2 MB in all), so that the lecture's experiment runs
offline right after ``pip install``. Their provenance is in ``deltaprop/data/README.md``.

:data:`SHA256` holds the sha256 of each file's uncompressed text: the numbers of the course
files' provenance notes, which ``deltaprop fetch-data`` checks downloads against too.
:func:`shipped_file` checks a shipped copy before handing out its path, so a damaged install
is an error that says so, never slightly different data.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["SHA256", "FOLDER", "DESCRIPTION", "shipped_file"]

#: sha256 of the uncompressed content of each course file
SHA256 = {
    "features.train": "253bcfa33a09890f3e83535f2bf12d1c5123c35dcbe01062060bef0e38970c72",
    "features.test": "32187a0d5d6c1953094fbc842f62e0c4c3da050e7e4267f012b98111a324719c",
    "zip.train": "abc9f5c75b997cabe66b5d01727d5a681c69298e1641a8d37b55433a52129dc0",
    "zip.test": "a6da666efecf66384eaf5bce978e1cd302ae1bfd4178da8d8eecd0eed220a2de",
}

#: where the gzipped copies are installed
FOLDER = Path(__file__).resolve().parent / "data"

#: how outputs name the shipped data set
DESCRIPTION = "USPS features (shipped)"


def shipped_file(name: str) -> Path:
    """The path of the shipped gzipped copy of ``name`` (a key of :data:`SHA256`), after
    checking that its uncompressed content has the recorded sha256.

    Raises
    ------
    ValueError
        ``name`` is not one of the course files.
    FileNotFoundError
        The copy is missing from the install.
    DataFormatError
        The copy is not readable gzip, or its content has another checksum.
    """
    # datasets imports this module; importing it here, at call time, avoids the cycle
    from .datasets import DataFormatError, _text

    if name not in SHA256:
        raise ValueError(f"no shipped file {name!r}; the shipped files are {', '.join(SHA256)}")
    path = FOLDER / f"{name}.gz"
    reinstall = "the copy installed with deltaprop is damaged: reinstall deltaprop"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: {reinstall}")
    try:
        digest = hashlib.sha256(_text(path).encode("ascii")).hexdigest()
    except DataFormatError as e:
        raise DataFormatError(path, e.line, f"{e.reason}; {reinstall}") from None
    if digest != SHA256[name]:
        raise DataFormatError(path, None, f"checksum mismatch (sha256 of the content {digest}, "
                                          f"expected {SHA256[name]}); {reinstall}")
    return path
