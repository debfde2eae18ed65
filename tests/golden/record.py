"""Records tests/golden/golden.npz from the installed deltaprop: run once, on the main from
before a redesign, and commit the file; tests/test_golden.py then holds every later build to it.

Usage: python tests/golden/record.py
"""

from pathlib import Path
import sys

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases  # noqa: E402

if __name__ == "__main__":
    import deltaprop

    out = Path(__file__).resolve().parent / "golden.npz"
    arrays = dict(cases.compute())
    np.savez_compressed(out, **arrays)
    print(f"{len(arrays)} arrays from deltaprop {deltaprop.__version__} -> {out}")
