"""The lecture's gradient check: backpropagation against central differences.

    ∂E_in/∂W_ij ≈ (E_in(W_ij + Δ) − E_in(W_ij − Δ)) / 2Δ

The central difference has error O(Δ²) from the third derivative plus O(ε·E_in/Δ) from
rounding; Δ = 1e-6 in float64 balances the two at about 1e-10 relative, far below the default
tolerance, so a wrong backward pass (errors of order 1) cannot hide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._types import FloatArray
from .network import Network

#: Default tolerances on ``||g − ĝ|| / ||g + ĝ||`` for each dtype.
DEFAULT_TOLERANCE = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 5e-2}
#: Default finite-difference step for each dtype (float32 needs a larger one: its ε is 1e-7).
DEFAULT_DELTA = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 1e-2}


def numerical_gradient(net: Network, X: ArrayLike, y: ArrayLike,
                       delta: Optional[float] = None) -> List[NDArray[np.float64]]:
    """Central-difference estimate of ``∂E_in/∂W^(l)`` for every weight.

    Each weight is moved by ``±delta`` in turn and put back exactly; the network is left as it
    was. Returns a list shaped like ``net.weights``.
    """
    if delta is None:
        delta = DEFAULT_DELTA[net.dtype]
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be a positive finite number, got {delta}")
    grads = []
    for l, W in enumerate(net.weights, start=1):  # views: writing W[i, j] changes the network
        G = np.zeros(W.shape, dtype=np.float64)
        for idx in np.ndindex(*W.shape):
            saved = W[idx]
            # the step actually taken, after rounding to the weights' dtype
            step = float(np.float64(W.dtype.type(saved + delta)) - np.float64(W.dtype.type(saved - delta)))
            if step == 0:
                raise ValueError(f"delta = {delta} is lost to rounding at W^({l}){list(idx)} = {saved}: "
                                 "use a larger delta")
            try:
                W[idx] = saved + delta
                e_plus = net.error(X, y)
                W[idx] = saved - delta
                e_minus = net.error(X, y)
            finally:
                W[idx] = saved  # exactly as it was, even if the data are rejected
            G[idx] = (e_plus - e_minus) / step
        grads.append(G)
    return grads


@dataclass
class GradientCheck:
    """Result of :func:`check_gradient`.

    Attributes
    ----------
    max_abs_error : list of float
        Per layer, ``max |g − ĝ|`` over the entries of ``G^(l)``.
    max_rel_error : list of float
        Per layer, ``max |g − ĝ| / max(|g| + |ĝ|, tiny)``.
    relative_error : float
        Over all weights, ``||g − ĝ|| / ||g + ĝ||`` (0 when both are zero).
    tolerance : float
        The bound ``relative_error`` is compared with.
    passed : bool
        ``relative_error <= tolerance``.
    """

    max_abs_error: List[float]
    max_rel_error: List[float]
    relative_error: float
    tolerance: float
    passed: bool
    backprop: List[FloatArray] = field(repr=False, default_factory=list)
    numerical: List[NDArray[np.float64]] = field(repr=False, default_factory=list)

    def __bool__(self) -> bool:
        return self.passed


def check_gradient(net: Network, X: ArrayLike, y: ArrayLike, delta: Optional[float] = None,
                   tolerance: Optional[float] = None) -> GradientCheck:
    """Compare the backpropagation gradient with :func:`numerical_gradient`.

    The verdict ``passed`` holds when ``||g − ĝ|| / ||g + ĝ|| <= tolerance``; the default
    tolerance is 1e-6 for float64 and 5e-2 for float32 (see ``DEFAULT_TOLERANCE``).
    """
    if tolerance is None:
        tolerance = DEFAULT_TOLERANCE[net.dtype]
    _, g = net.error_and_gradient(X, y)
    g_hat = numerical_gradient(net, X, y, delta)
    tiny = np.finfo(np.float64).tiny
    abs_err, rel_err = [], []
    for a, b in zip(g, g_hat):
        a = a.astype(np.float64)
        diff = np.abs(a - b)
        abs_err.append(float(diff.max()))
        rel_err.append(float((diff / np.maximum(np.abs(a) + np.abs(b), tiny)).max()))
    flat_g = np.concatenate([a.ravel().astype(np.float64) for a in g])
    flat_h = np.concatenate([b.ravel() for b in g_hat])
    denom = np.linalg.norm(flat_g + flat_h)
    num = np.linalg.norm(flat_g - flat_h)
    relative = 0.0 if num == 0 else float(num / denom) if denom > 0 else float("inf")
    return GradientCheck(abs_err, rel_err, relative, float(tolerance), relative <= tolerance,
                         [a.copy() for a in g], g_hat)
