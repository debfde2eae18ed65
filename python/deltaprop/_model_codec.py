"""The model-file calls that need only a network's core object (``net._impl``): saving,
encoding to bytes and pickling. They sit below both network.py (whose ``save`` and pickling
use them) and model_file.py (which adds loading, the one direction that builds a
:class:`~deltaprop.Network` and so imports network.py): the imports form no circle.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Protocol, Tuple

import numpy as np
from numpy.typing import NDArray

from . import _core
from ._types import CoreNetwork, PathLike


class HasCore(Protocol):
    """A ``deltaprop.Network`` as these functions see it: its core network."""

    _impl: CoreNetwork


def file_name(path: Any) -> bytes:
    """The file name as the operating system's bytes, so any name the OS allows round-trips."""
    try:
        return os.fsencode(path)
    except TypeError:
        raise TypeError(f"path must be a str, bytes or os.PathLike, got {type(path).__name__}") from None


def extra_arrays(extra: Optional[Mapping[str, Any]]) -> List[Tuple[str, NDArray[np.float64]]]:
    """``{name: array}`` checked and converted to the float64 arrays the file stores."""
    if extra is None:
        return []
    if not isinstance(extra, Mapping):
        raise TypeError(f"extra must be a mapping of names to arrays, got {type(extra).__name__}")
    out = []
    for name, value in extra.items():
        if not isinstance(name, str):
            raise TypeError(f"extra names must be str, got {name!r}")
        a = np.asarray(value)
        if a.dtype.kind not in "biuf":
            raise TypeError(f"extra[{name!r}] must hold real numbers, got dtype {a.dtype}")
        out.append((name, np.asarray(a, dtype=np.float64, order="C")))  # keeps 0-d as 0-d
    return out


def save(net: HasCore, path: PathLike, extra: Optional[Mapping[str, Any]] = None) -> None:
    """Save ``net`` to the file ``path``, atomically.

    Parameters
    ----------
    net : Network
        The network; its dims, θ of each layer, loss, dtype and weights (bit for bit) are stored.
    path : str, bytes or os.PathLike
        The file to write. It is replaced only once the new contents are complete on disk: a
        crash mid-save leaves the previous file (and at worst a stray ``<path>.tmp-…``).
    extra : mapping of str to array_like, optional
        Named arrays stored beside the weights as float64 with their shapes, e.g. an
        estimator's feature scaling ``{"scaler_min": ..., "scaler_max": ...}``. Names have 1 to
        255 bytes of UTF-8.

    Raises
    ------
    OSError
        The file could not be written (missing directory, no permission, disk full).
    """
    _core.save_model(file_name(path), net._impl, extra_arrays(extra))


def to_bytes(net: HasCore, extra: Optional[Mapping[str, Any]] = None) -> bytes:
    """The bytes of the model file :func:`save` would write."""
    return _core.model_to_bytes(net._impl, extra_arrays(extra))


def getstate(net: HasCore) -> Dict[str, Any]:
    """``Network.__getstate__``: the instance's attributes, with the C++ network as model bytes.

    Pickles, ``copy.copy`` and ``copy.deepcopy`` then hold the weights bit for bit in the
    documented format, independent of this build of the extension.
    """
    state = dict(net.__dict__)
    state["_impl"] = to_bytes(net)
    return state


def setstate(net: HasCore, state: Dict[str, Any]) -> None:
    """``Network.__setstate__``: the inverse of :func:`getstate`."""
    state = dict(state)
    impl, _ = _core.model_from_bytes(state.pop("_impl"))
    net.__dict__.update(state)
    net._impl = impl
