"""Writes the seed corpus fuzz/corpus/model_file/: small valid model files (named valid-*,
which every later deltaprop must keep reading) and damaged ones, one of each kind of fault.

Usage: python fuzz/make_corpus.py  (with deltaprop installed). The files are committed; this
script says how they were made, and makes new seeds after a format change.
"""

import struct
import zlib
from pathlib import Path

import numpy as np

import deltaprop
from deltaprop import model_file

OUT = Path(__file__).resolve().parent / "corpus" / "model_file"


def reseal(data: bytes) -> bytes:
    """The bytes with their length field and CRC-32 made right again."""
    body = bytearray(data[:-4])
    body[12:20] = struct.pack("<Q", len(body) + 4)
    return bytes(body) + struct.pack("<I", zlib.crc32(body))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tanh64 = model_file.to_bytes(deltaprop.Network([2, 3, 1], seed=1))
    seeds = {
        "valid-tanh-float64": tanh64,
        "valid-identity-float32": model_file.to_bytes(
            deltaprop.Network([3, 2], output="identity", dtype=np.float32, seed=2)),
        "valid-extras": model_file.to_bytes(
            deltaprop.Network([2, 2, 1], seed=3),
            extra={"scaler_min": [0.0, -1.0], "scaler_max": [1.0, 1.0], "scalar": 2.5,
                   "empty": np.zeros((0, 3)), "matrix": np.arange(6).reshape(2, 3)}),
        "empty": b"",
        "bad-magic": b"\x89PNG\r\n\x1a\n" + tanh64[8:],
        "truncated": tanh64[: len(tanh64) // 2],
        "corrupt-checksum": tanh64[:-1] + bytes([tanh64[-1] ^ 1]),
        "trailing-byte": tanh64 + b"\0",
        "wrong-version": reseal(tanh64[:8] + struct.pack("<I", 2) + tanh64[12:]),
        "wrong-kind": reseal(tanh64.replace(b"\x07network", b"\x07netwerk", 1)),
        "huge-dims": reseal(tanh64[:45] + struct.pack("<Q", 2**31 - 1) + tanh64[53:]),
    }
    for name, data in seeds.items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
