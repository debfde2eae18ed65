"""The lecture's algorithms written plainly, one data point at a time, as references for tests.

Nothing here shares code with deltaprop: forward propagation, backpropagation and the
gradient follow the "for each data point" box of lecture 21 with numpy's own tanh.
"""

import numpy as np


def forward_point(weights, x, output="tanh"):
    """x^(0..L) for one point; each x^(l) includes the leading 1 except x^(L)."""
    xs = [np.concatenate([[1.0], np.atleast_1d(x)])]
    L = len(weights)
    for l, W in enumerate(weights, start=1):
        s = W.T @ xs[-1]
        theta = np.tanh(s) if (l < L or output == "tanh") else s
        xs.append(np.concatenate([[1.0], theta]) if l < L else theta)
    return xs


def gradient_point(weights, x, y, output="tanh"):
    """(e_n, [∂e_n/∂W^(l)]) for one point by the lecture's backpropagation."""
    xs = forward_point(weights, x, output)
    L = len(weights)
    h = xs[L]
    e = float(np.sum((h - y) ** 2))
    deltas = [None] * (L + 1)
    deltas[L] = 2 * (h - y) * ((1 - h ** 2) if output == "tanh" else 1.0)
    for l in range(L - 1, 0, -1):
        theta_prime = 1 - xs[l][1:] ** 2
        deltas[l] = theta_prime * (weights[l] @ deltas[l + 1])[1:]  # W^(l+1) δ^(l+1), drop the bias row
    grads = [np.outer(xs[l - 1], deltas[l]) for l in range(1, L + 1)]
    return e, grads


def error_and_gradient(weights, X, Y, output="tanh"):
    """E_in and G^(l) = (1/N) Σ_n x^(l-1) δ^(l)ᵀ, point by point."""
    X = np.atleast_2d(X)
    Y = np.asarray(Y, dtype=float).reshape(len(X), -1)
    total = 0.0
    G = [np.zeros_like(W) for W in weights]
    for x, y in zip(X, Y):
        e, g = gradient_point(weights, x, y, output)
        total += e
        for acc, gl in zip(G, g):
            acc += gl
    N = len(X)
    return total / N, [g / N for g in G]
