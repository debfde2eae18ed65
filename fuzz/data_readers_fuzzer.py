"""Fuzz target for the digits readers (deltaprop.datasets): read_zip, read_features and
load_digits on a file holding the fuzzer's bytes (plain or gzipped).

The contract checked for every input: each reader either returns data of its documented form
(float64 values in their ranges, int64 labels 0-9, matching lengths, at least one point) or
raises DataFormatError whose message starts with the file's path (and its line, within the
file's line count, when it names one); and the same bytes gzipped give exactly the same result
or the same error (random mutations seldom make a valid gzip stream, so this is how the
fuzzer reaches the gzip path with real contents). Anything else (another exception, a
malformed result) is a failure, which atheris reports with the input that caused it.

    python fuzz/data_readers_fuzzer.py [libFuzzer flags] CORPUS_DIR   fuzz (see fuzz_data.sh)
    python fuzz/data_readers_fuzzer.py --replay FILE_OR_DIR...         check inputs, no atheris

Inputs that once failed are kept in fuzz/corpus/data/ as regression-<what>; the replay, run by
tests/test_fuzz_corpus_data.py and before every fuzzing run, keeps them fixed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def check_reader_contract(data: bytes, folder: str) -> None:
    """Run the three readers on `data` and on `data` gzipped (written to a file in `folder`);
    raise AssertionError (or the unexpected exception itself) if any breaks its contract."""
    import gzip

    plain = outcomes(data, folder)
    if data[:2] != b"\x1f\x8b":  # (gzipped gzip is decompressed once only: not the same file)
        assert outcomes(gzip.compress(data, mtime=0), folder) == plain, "gzip changed the result"


def outcomes(data: bytes, folder: str) -> list:
    """Each reader's result on a file holding `data`, checked, as comparable bytes or the
    DataFormatError message."""
    import numpy as np

    from deltaprop.datasets import DataFormatError, load_digits, read_features, read_zip

    path = os.path.join(folder, "digits.dat")  # names neither split: load_digits reads it as is
    with open(path, "wb") as f:
        f.write(data)
    n_lines = data.count(b"\n") + 1 + 1032 * len(data)  # generous: gzip can hold many lines
    seen = []

    def labels_ok(labels, n):
        assert labels.dtype == np.int64 and labels.shape == (n,), labels
        assert ((labels >= 0) & (labels <= 9)).all(), labels

    for reader in (read_zip, read_features, load_digits):
        try:
            result = reader(path)
        except DataFormatError as e:
            assert str(e).startswith(path), f"{reader.__name__}: message without the path: {e}"
            assert e.line is None or 1 <= e.line <= n_lines, f"{reader.__name__}: line {e.line}"
            seen.append(str(e))
            continue
        if reader is load_digits:
            values, labels, images = result.features, result.labels, result.images
            assert result.source == path and result.split == "train"
            assert images is None or (images.dtype == np.float64 and images.ndim == 2
                                      and len(images) == len(labels)
                                      and (np.abs(images) <= 1).all())
        else:
            values, labels = result
        n = len(labels)
        assert n >= 1 and values.dtype == np.float64 and values.ndim == 2 and len(values) == n
        assert np.isfinite(values).all(), f"{reader.__name__}: non-finite values"
        labels_ok(labels, n)
        if reader is read_zip:
            k = int(round(values.shape[1] ** 0.5))
            assert k >= 2 and k * k == values.shape[1] and (np.abs(values) <= 1).all()
        else:  # [intensity, symmetry]
            assert values.shape[1] == 2
            if reader is read_features:
                assert ((values[:, 0] >= 0) & (values[:, 0] <= 1)).all()
                assert ((values[:, 1] >= -16) & (values[:, 1] <= 0)).all()
        seen.append((values.shape, values.tobytes(), labels.tobytes()))
    return seen


def replay(paths) -> int:
    """Check every file under `paths` against the contract; returns the number of failures."""
    files = []
    for p in map(Path, paths):
        files.extend(sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p])
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        for f in files:
            try:
                check_reader_contract(f.read_bytes(), folder)
            except Exception as e:  # report them all, not just the first
                failures += 1
                print(f"FAILED {f}: {type(e).__name__}: {e}", file=sys.stderr)
    print(f"replayed {len(files)} inputs, {failures} failed")
    return failures


def main() -> None:
    if sys.argv[1:2] == ["--replay"]:
        sys.exit(1 if replay(sys.argv[2:]) else 0)
    import atheris

    with atheris.instrument_imports(include=["deltaprop.datasets", "deltaprop.features"]):
        import deltaprop.datasets  # noqa: F401
        import deltaprop.features  # noqa: F401
    folder = tempfile.mkdtemp(prefix="deltaprop-fuzz-")

    def one_input(data: bytes) -> None:
        check_reader_contract(data, folder)

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
