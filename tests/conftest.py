"""Shared fixtures: where the course's real digits files are (../shared/data beside the repo).

Tests that need them skip when the folder is absent, except under CI (CI=true), where a
missing data folder is a failure rather than a silent skip.
"""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def require_shared_data(*names: str) -> Path:
    """The shared data folder, after checking the named files are there."""
    missing = [n for n in names if not (SHARED_DATA / n).is_file()]
    if not SHARED_DATA.is_dir() or missing:
        what = f"{SHARED_DATA} (missing: {', '.join(missing) or 'the folder'})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs the shared digits data at {what}")
        pytest.skip(f"shared digits data not found at {what}")
    return SHARED_DATA


@pytest.fixture
def shared_data() -> Path:
    return require_shared_data("features.train", "features.test", "zip.train", "zip.test")
