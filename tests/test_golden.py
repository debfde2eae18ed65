"""The same numbers, bit for bit, as main before the architecture redesign (issue 16).

tests/golden/golden.npz was recorded by tests/golden/record.py from that main; the cases are in
tests/golden/cases.py. Every array must match exactly: a redesign may move code, not bits.
A change that is meant to change results records the file anew and says why in its commit.
Issue 19 did so for the runs of steepest and conjugate_gradient alone (their line search became
a strong-Wolfe one); every other array kept its bits.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(GOLDEN))
import cases  # noqa: E402

RECORDED = np.load(GOLDEN / "golden.npz")


def _computed():
    return dict(cases.compute())


@pytest.fixture(scope="module")
def computed():
    return _computed()


def test_every_recorded_array_is_computed(computed):
    assert sorted(computed) == sorted(RECORDED.files)


@pytest.mark.parametrize("key", sorted(RECORDED.files))
def test_bit_for_bit(computed, key):
    want, got = RECORDED[key], np.asarray(computed[key])
    assert got.dtype == want.dtype and got.shape == want.shape, key
    # compare the bit patterns, so that NaNs and signed zeros count too
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), (
        f"{key}: {np.count_nonzero(got != want)} of {want.size} values differ "
        f"(largest difference {np.max(np.abs(got.astype(float) - want.astype(float)))})")


@pytest.mark.parametrize("loaded", [False, True], ids=["quiet", "loaded"])
@pytest.mark.parametrize("threads", [1, 2])
def test_bit_for_bit_at_each_thread_count(threads, loaded):
    # "loaded": another process keeps a core busy meanwhile, as on a shared machine, where the
    # pool's threads are descheduled in the middle of their work and the evaluators switch
    # between one thread and all (thread_pool.hpp): the bits must not change.
    import deltaprop
    before = deltaprop.get_num_threads()
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if loaded else None
    try:
        deltaprop.set_num_threads(threads)
        computed = _computed()
    finally:
        deltaprop.set_num_threads(before)
        if busy:
            busy.kill()
            busy.wait()
    differing = [k for k in RECORDED.files
                 if not np.array_equal(np.asarray(computed[k]).view(np.uint8),
                                       RECORDED[k].view(np.uint8))]
    assert differing == []
