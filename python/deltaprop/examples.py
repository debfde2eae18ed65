"""The book's worked examples as networks, for ``deltaprop trace`` and the tests.

Kept apart from trace.py, which network.py uses: building a Network here would otherwise make
network and trace import each other.
"""

from __future__ import annotations

import numpy as np

from .network import Network

#: Example 7.1 of Learning From Data, e-Chapter 7: a 1-2-1-1 tanh network, W^(l) with the
#: biases in row 0, traced at x = 2 with target y = 1.
EXAMPLE_7_1_WEIGHTS = (
    [[0.1, 0.2], [0.3, 0.4]],   # W^(1): 2 × 2
    [[0.2], [1.0], [-3.0]],     # W^(2): 3 × 1
    [[1.0], [2.0]],             # W^(3): 2 × 1
)
EXAMPLE_7_1_POINT = (2.0, 1.0)


def example_7_1() -> Network:
    """The network of the book's Example 7.1 (1-2-1-1, tanh output, the book's weights)."""
    net = Network([1, 2, 1, 1], output="tanh", seed=0)
    net.weights = [np.array(w) for w in EXAMPLE_7_1_WEIGHTS]
    return net
