"""One point through the network, layer by layer: the table of the book's Example 7.1.

``net.trace(x, y)`` returns a :class:`Trace` of the signals s^(l), the activations x^(l) and
the sensitivities δ^(l) that the core's forward and backward passes compute for one point;
``deltaprop trace`` prints it for the book's own example.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List

import numpy as np

#: Example 7.1 of Learning From Data, e-Chapter 7: a 1-2-1-1 tanh network, W^(l) with the
#: biases in row 0, traced at x = 2 with target y = 1.
EXAMPLE_7_1_WEIGHTS = (
    [[0.1, 0.2], [0.3, 0.4]],   # W^(1): 2 × 2
    [[0.2], [1.0], [-3.0]],     # W^(2): 3 × 1
    [[1.0], [2.0]],             # W^(3): 2 × 1
)
EXAMPLE_7_1_POINT = (2.0, 1.0)


def example_7_1() -> Any:
    """The network of the book's Example 7.1 (1-2-1-1, tanh output, the book's weights)."""
    from .network import Network
    net = Network([1, 2, 1, 1], output="tanh", seed=0)
    net.weights = [np.array(w) for w in EXAMPLE_7_1_WEIGHTS]
    return net


@dataclass(repr=False)
class Trace:
    """One point's pass, indexed by layer l = 0..L as in the lecture.

    Attributes
    ----------
    x : list of ndarray
        ``x[l]`` = x^(l): ``[1, θ(s^(l))]`` for l < L (x^(0) = ``[1, x]``), and h(x) for l = L.
    s : list of ndarray
        ``s[l]`` = s^(l) = (W^(l))ᵀ x^(l-1) for l = 1..L; ``s[0]`` is empty (layer 0 has no signal).
    delta : list of ndarray
        ``delta[l]`` = δ^(l) = ∂e/∂s^(l) for l = 1..L; ``delta[0]`` is empty.
    error : float
        e = ‖h(x) − y‖².
    y : ndarray
        The target.
    """

    x: List[np.ndarray]
    s: List[np.ndarray]
    delta: List[np.ndarray]
    error: float
    y: np.ndarray

    @property
    def h(self) -> np.ndarray:
        """h(x) = x^(L)."""
        return self.x[-1]

    def table(self, decimals: int = 4) -> str:
        """The trace as a table, one row per layer (the book rounds to 2 decimals)."""
        def vector(v: np.ndarray) -> str:
            if v.size == 0:
                return ""
            return "[" + ", ".join(f"{float(a):.{decimals}f}" for a in v) + "]"

        rows = [("l", "s(l)", "x(l)", "delta(l)")]
        rows += [(str(l), vector(self.s[l]), vector(self.x[l]), vector(self.delta[l]))
                 for l in range(len(self.x))]
        widths = [max(len(r[k]) for r in rows) for k in range(4)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        lines.append(f"y = {vector(self.y)}, e = |h(x) - y|^2 = {self.error:.{decimals}f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "Trace (s = signal, x = activation with its leading 1, delta = de/ds):\n" + self.table()


def trace(net: Any, x: Any, y: Any) -> Trace:
    """The trace of the point ``x`` (shape ``(d0,)``) with target ``y``; see
    :meth:`deltaprop.Network.trace`."""
    from .diagnostics import as_array
    x, y = as_array(x, "x"), as_array(y, "y")
    xs, ss, deltas, error = net._impl.trace(x, y)  # entry 0 of s and delta: empty
    return Trace(x=list(xs), s=list(ss), delta=list(deltas), error=float(error),
                 y=np.atleast_1d(np.asarray(y, dtype=net.dtype)))
