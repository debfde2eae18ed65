"""The data readers' fuzzing corpus (fuzz/corpus/data/), replayed: every input keeps the readers'
contract (fuzz/data_readers_fuzzer.py), the valid-* seeds load, and inputs that once failed
(regression-*) stay fixed."""

import importlib.util
from pathlib import Path

import pytest

from deltaprop.datasets import load_digits

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
CORPUS = sorted((FUZZ / "corpus" / "data").iterdir())

spec = importlib.util.spec_from_file_location("data_readers_fuzzer", FUZZ / "data_readers_fuzzer.py")
fuzzer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fuzzer)


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_corpus_input_keeps_the_readers_contract(path, tmp_path):
    fuzzer.check_reader_contract(path.read_bytes(), str(tmp_path))


@pytest.mark.parametrize("path", [p for p in CORPUS if p.name.startswith("valid-")],
                         ids=lambda p: p.name)
def test_valid_seeds_load(path, tmp_path):
    copy = tmp_path / "digits.dat"  # a name without .train/.test: read as it is
    copy.write_bytes(path.read_bytes())
    digits = load_digits(copy)
    assert len(digits) >= 2 and digits.features.shape == (len(digits), 2)
