"""Checks of scalar arguments that several modules share, with errors that name the argument.

A leaf module (numpy only), so that network.py, training.py and estimators.py all use the same
checks without importing one another.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_float(value: Any, name: str) -> float:
    """float(value), or a TypeError naming the argument (the core checks the range)."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None


def check_seed(seed: Any, name: str = "seed") -> int:
    """A seed of the core's random streams: an integer in [0, 2**64)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be a non-negative integer, got {seed!r}")
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"{name} must be in [0, 2**64), got {seed}")
    return int(seed)
