"""Model files: a network saved to a file (or to bytes) and loaded back bit for bit.

The format is the C++ core's (``deltaprop/model_file.hpp``, described in
``docs/model-format.md``), so C++ programs read the same files: versioned, little-endian on
every host, with the dimensions, each layer's θ, the loss, the dtype, the exact weights, optional named
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

from typing import Dict, List, Tuple, Union

import numpy as np
from numpy.typing import NDArray

from . import _core
from ._core import ModelFileError
from ._model_codec import file_name, getstate, save, setstate, to_bytes
from ._types import CoreNetwork, PathLike
from .network import Network

__all__ = ["ModelFileError", "save", "load", "to_bytes", "from_bytes", "getstate", "setstate"]

#: What :func:`load` and :func:`from_bytes` return with ``return_extra=True``.
NetworkAndExtra = Tuple[Network, Dict[str, NDArray[np.float64]]]


def _network(impl: CoreNetwork) -> Network:
    """A Network around a core network read from a file (its initial seed is not stored)."""
    net = Network.__new__(Network)
    net._impl = impl
    net.seed = None
    return net


def _result(loaded: Tuple[CoreNetwork, List[Tuple[str, NDArray[np.float64]]]],
            return_extra: bool) -> Union[Network, NetworkAndExtra]:
    impl, extras = loaded
    net = _network(impl)
    return (net, dict(extras)) if return_extra else net


def load(path: PathLike, return_extra: bool = False) -> Union[Network, NetworkAndExtra]:
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
    return _result(_core.load_model(file_name(path)), return_extra)


def from_bytes(data: Union[bytes, bytearray, memoryview],
               return_extra: bool = False) -> Union[Network, NetworkAndExtra]:
    """The network (and, with ``return_extra``, the extra arrays) of a model file's bytes.

    Raises :class:`ModelFileError` as :func:`load` does.
    """
    return _result(_core.model_from_bytes(data), return_extra)
