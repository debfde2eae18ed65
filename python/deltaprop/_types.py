"""The type aliases the package's signatures share, each written once.

Inputs are ``ArrayLike`` (anything numpy converts: lists, arrays, DataFrames); outputs name
their element type. The core computes in float64 or float32, as the network was built.
"""

from __future__ import annotations

import os
from typing import Any, Union

import numpy as np
from numpy.typing import NDArray

from . import _core

#: A file name: str or os.PathLike. (The model-file functions also accept the OS's bytes.)
PathLike = Union[str, "os.PathLike[str]"]
#: An array the core computed, in the network's dtype (float64 or float32).
FloatArray = NDArray[np.floating[Any]]
#: The C++ network behind a ``deltaprop.Network`` (its ``_impl``).
CoreNetwork = Union[_core.Network64, _core.Network32]
