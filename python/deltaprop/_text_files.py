"""Reading a data file's text, plain or gzip-compressed, and the error for a file that does not
have its documented format.

A module of its own because both datasets.py (the readers) and shipped_data.py (the checksums of
the copies the package ships) need them, and datasets.py uses shipped_data.py.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Optional

from ._types import PathLike


class DataFormatError(ValueError):
    """A digits file that does not have the documented format.

    Attributes ``path`` and ``line`` (1-based, None when the problem is not on one line) say
    where; the message starts with ``"<path>, line <n>: "``.
    """

    def __init__(self, path: PathLike, line: Optional[int], reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        where = self.path if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {reason}")


def read_text(path: PathLike) -> str:
    """The file's text as ASCII, decompressed first when it is gzip."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise DataFormatError(path, None, f"not a readable gzip file ({e})") from None
    try:
        return data.decode("ascii")
    except UnicodeDecodeError as e:
        raise DataFormatError(path, data.count(b"\n", 0, e.start) + 1,
                              f"byte {data[e.start]:#04x} is not ASCII text") from None
