"""Writes the seed corpus fuzz/corpus/model_file/: small valid model files (named valid-*,
which every later deltaprop must keep reading) and damaged ones, one of each kind of fault.

Usage: python fuzz/make_corpus.py  (with deltaprop installed). The files are committed; this
script says how they were made, and makes new seeds after a format change. The valid-v1-*
files were written by deltaprop before format version 2 and are never rewritten: they are the
old files that must keep loading.
"""

import struct
import zlib
from pathlib import Path

import numpy as np

import deltaprop
from deltaprop import model_file

OUT = Path(__file__).resolve().parent / "corpus" / "model_file"
#: Where d^(0) sits in the tanh file below: after the envelope (20 bytes), the strings "network",
#: "float64", "tanh" and "squared_error" (each with its length byte) and the layer count.
DIMS_AT = 20 + 8 + 8 + 5 + 14 + 4


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
        "valid-relu-softmax-float64": model_file.to_bytes(
            deltaprop.Network([3, 4, 2, 3], activation=["relu", "logistic"], output="softmax",
                              seed=4)),
        "valid-logistic-cross-entropy-float32": model_file.to_bytes(
            deltaprop.Network([2, 3, 2], activation="identity", output="logistic",
                              loss="cross_entropy", dtype=np.float32, seed=5)),
        "empty": b"",
        "bad-magic": b"\x89PNG\r\n\x1a\n" + tanh64[8:],
        "truncated": tanh64[: len(tanh64) // 2],
        "corrupt-checksum": tanh64[:-1] + bytes([tanh64[-1] ^ 1]),
        "trailing-byte": tanh64 + b"\0",
        "wrong-version": reseal(tanh64[:8] + struct.pack("<I", 3) + tanh64[12:]),
        "wrong-kind": reseal(tanh64.replace(b"\x07network", b"\x07netwerk", 1)),
        "huge-dims": reseal(tanh64[:DIMS_AT] + struct.pack("<Q", 2**31 - 1)
                            + tanh64[DIMS_AT + 8:]),
    }
    for name, data in seeds.items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
