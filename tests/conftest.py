"""Shared fixtures: where the course's real digits files are (../shared/data beside the repo),
and optional test dependencies.

Tests that need the data or an optional module skip when it is absent, except under CI
(CI=true), where it is a failure rather than a silent skip.
"""

import importlib
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_module(name: str):
    """The imported module `name`; skips the calling test (or module, at import time) when it
    is not installed, but fails under CI, where every test dependency must be present."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        if _under_ci():
            pytest.fail(f"CI needs the test dependency {name!r}: {e}", pytrace=False)
        pytest.skip(f"{name} is not installed", allow_module_level=True)


def require_shared_data(*names: str) -> Path:
    """The shared data folder, after checking the named files are there."""
    missing = [n for n in names if not (SHARED_DATA / n).is_file()]
    if not SHARED_DATA.is_dir() or missing:
        what = f"{SHARED_DATA} (missing: {', '.join(missing) or 'the folder'})"
        if _under_ci():
            pytest.fail(f"CI needs the shared digits data at {what}")
        pytest.skip(f"shared digits data not found at {what}")
    return SHARED_DATA


@pytest.fixture
def shared_data() -> Path:
    return require_shared_data("features.train", "features.test", "zip.train", "zip.test")
