"""Model files: a network saved to a file (or to bytes) and loaded back bit for bit.

The format is the C++ core's (``deltaprop/model_file.hpp``, described in
``docs/model-format.md``), so C++ programs read the same files: versioned, little-endian on
every host, with the dimensions, the output θ, the dtype, the exact weights, optional named
float64 arrays (an estimator's feature scaling, say) and a CRC-32 checksum. Saving is atomic:
a temporary file beside the target is flushed to disk and renamed over it.

>>> import os, tempfile, numpy as np, deltaprop
>>> net = deltaprop.Network([2, 3, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "net.dpm")
>>> save(net, path, extra={"scaler_min": np.array([0.0, -1.0])})
>>> again, extra = load(path, return_extra=True)
>>> all(np.array_equal(a, b) for a, b in zip(again.weights, net.weights)), extra["scaler_min"]
(True, array([ 0., -1.]))
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

import numpy as np

from . import _core
from ._core import ModelFileError

if TYPE_CHECKING:
    from .network import Network

__all__ = ["ModelFileError", "save", "load", "to_bytes", "from_bytes", "getstate", "setstate"]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def _path(path: Any) -> bytes:
    """The file name as the operating system's bytes, so any name the OS allows round-trips."""
    try:
        return os.fsencode(path)
    except TypeError:
        raise TypeError(f"path must be a str, bytes or os.PathLike, got {type(path).__name__}") from None


def _extras(extra: Optional[Mapping]) -> List[Tuple[str, np.ndarray]]:
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


def _network(impl: Any) -> "Network":
    """A Network around a core network read from a file (its initial seed is not stored)."""
    from .network import Network  # here: network.py imports this module

    net = Network.__new__(Network)
    net._impl = impl
    net.seed = None
    return net


def _result(loaded: Tuple[Any, list], return_extra: bool) -> Any:
    impl, extras = loaded
    net = _network(impl)
    return (net, dict(extras)) if return_extra else net


def save(net: "Network", path: PathLike, extra: Optional[Mapping] = None) -> None:
    """Save ``net`` to the file ``path``, atomically.

    Parameters
    ----------
    net : Network
        The network; its dims, output, dtype and weights (bit for bit) are stored.
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
    _core.save_model(_path(path), net._impl, _extras(extra))


def load(path: PathLike, return_extra: bool = False) -> Union["Network", Tuple["Network", Dict[str, np.ndarray]]]:
    """Load a network saved by :func:`save` (or by the C++ ``deltaprop::save_model``).

    Parameters
    ----------
    path : str, bytes or os.PathLike
        The model file.
    return_extra : bool, default False
        Also return the extra arrays, as a dict of float64 arrays in the order saved.

    Returns
    -------
    Network, or (Network, dict)
        The network, with the dtype it was saved with (``net.seed`` is None: the weights no
        longer come from a seed).

    Raises
    ------
    ModelFileError
        A ValueError whose ``kind`` says what is wrong with the file: ``"bad_magic"``,
        ``"truncated"``, ``"corrupt"``, ``"wrong_version"``, ``"wrong_kind"`` or ``"invalid"``.
    OSError
        The file could not be read (e.g. FileNotFoundError).
    """
    return _result(_core.load_model(_path(path)), return_extra)


def to_bytes(net: "Network", extra: Optional[Mapping] = None) -> bytes:
    """The bytes of the model file :func:`save` would write."""
    return _core.model_to_bytes(net._impl, _extras(extra))


def from_bytes(data: Union[bytes, bytearray, memoryview],
               return_extra: bool = False) -> Union["Network", Tuple["Network", Dict[str, np.ndarray]]]:
    """The network (and, with ``return_extra``, the extra arrays) of a model file's bytes.

    Raises :class:`ModelFileError` as :func:`load` does.
    """
    return _result(_core.model_from_bytes(data), return_extra)


def getstate(net: "Network") -> Dict[str, Any]:
    """``Network.__getstate__``: the instance's attributes, with the C++ network as model bytes.

    Pickles, ``copy.copy`` and ``copy.deepcopy`` then hold the weights bit for bit in the
    documented format, independent of this build of the extension.
    """
    state = dict(net.__dict__)
    state["_impl"] = to_bytes(net)
    return state


def setstate(net: "Network", state: Dict[str, Any]) -> None:
    """``Network.__setstate__``: the inverse of :func:`getstate`."""
    state = dict(state)
    impl, _ = _core.model_from_bytes(state.pop("_impl"))
    net.__dict__.update(state)
    net._impl = impl
