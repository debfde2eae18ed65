"""The lecture's network in plain vectorised numpy: the reference deltaprop is measured against.

The same equations as deltaprop (Learning From Data, lecture 21), written the way a careful
numpy user would write them: whole-batch matrix products, no Python loop over points or units,
in-place updates where they are natural. Rows are data points.

    S^(l) = X^(l-1) W^(l)[1:] + W^(l)[0]          (row 0 of W^(l) holds the biases)
    X^(l) = θ(S^(l)),  θ = tanh (identity for a regression output layer)
    Δ^(L) = 2 (X^(L) - Y) ⊙ θ'(S^(L))
    Δ^(l) = (1 - X^(l)²) ⊙ (Δ^(l+1) W^(l+1)[1:]ᵀ)
    G^(l) = (1/N) [Σ_n Δ^(l)_n ; X^(l-1)ᵀ Δ^(l)]
    E_in  = (1/N) Σ_n ||X^(L)_n - Y_n||²

Weights use deltaprop's layout: a list of ``W^(l)`` of shape ``(d^(l-1) + 1, d^(l))``. The
functions work in the dtype of the arrays they are given (float64 or float32).
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np


def forward(weights: Sequence[np.ndarray], X: np.ndarray, output: str = "tanh") -> List[np.ndarray]:
    """Forward propagation: ``[X^(0), X^(1), ..., X^(L)]`` without the bias column."""
    xs = [X]
    last = len(weights)
    for l, W in enumerate(weights, start=1):
        s = xs[-1] @ W[1:]
        s += W[0]
        if l < last or output == "tanh":
            np.tanh(s, out=s)
        xs.append(s)
    return xs


def backward(weights: Sequence[np.ndarray], xs: Sequence[np.ndarray], residual: np.ndarray,
             output: str = "tanh") -> List[np.ndarray]:
    """Backpropagation of the sensitivities: ``[Δ^(1), ..., Δ^(L)]``, given the forward pass
    ``xs`` and the residual ``X^(L) - Y``."""
    h = xs[-1]
    delta = 2 * residual
    if output == "tanh":
        delta *= 1 - h * h
    deltas = [delta]
    for l in range(len(weights) - 1, 0, -1):  # Δ^(l) from Δ^(l+1), l = L-1 .. 1
        back = delta @ weights[l][1:].T
        back *= 1 - xs[l] * xs[l]
        delta = back
        deltas.append(delta)
    return deltas[::-1]


def error_and_gradient(weights: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray,
                       output: str = "tanh") -> Tuple[float, List[np.ndarray]]:
    """``(E_in, [G^(1), ..., G^(L)])``, each ``G^(l)`` shaped like ``W^(l)``.

    Y has shape ``(N, d^(L))``.
    """
    n = X.shape[0]
    xs = forward(weights, X, output)
    residual = xs[-1] - Y
    e_in = float(np.einsum("ij,ij->", residual, residual)) / n
    deltas = backward(weights, xs, residual, output)
    grads = []
    for x_prev, delta in zip(xs[:-1], deltas):
        g = np.empty((x_prev.shape[1] + 1, delta.shape[1]), dtype=delta.dtype)
        np.sum(delta, axis=0, out=g[0])
        np.matmul(x_prev.T, delta, out=g[1:])
        g /= n
        grads.append(g)
    return e_in, grads


def step(weights: Sequence[np.ndarray], grads: Sequence[np.ndarray], lr: float) -> None:
    """``W ← W − lr·G`` in place, layer by layer."""
    for W, g in zip(weights, grads):
        W -= lr * g


def gd(weights: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray, lr: float,
       iterations: int, output: str = "tanh") -> float:
    """Full-batch gradient descent, one update per epoch; returns E_in before the last step."""
    e_in = float("nan")
    for _ in range(iterations):
        e_in, grads = error_and_gradient(weights, X, Y, output)
        step(weights, grads, lr)
    return e_in


def sgd(weights: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray, lr: float,
        order: Sequence[int], output: str = "tanh") -> None:
    """Stochastic gradient descent: one update per point, the points taken in ``order``."""
    for n in order:
        _, grads = error_and_gradient(weights, X[n:n + 1], Y[n:n + 1], output)
        step(weights, grads, lr)


def minibatch_epoch(weights: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray, lr: float,
                    batch_size: int, order: np.ndarray, output: str = "tanh") -> None:
    """One epoch of mini-batch gradient descent: the data shuffled once by ``order``, then one
    update per consecutive batch of ``batch_size`` rows (the last one may be shorter)."""
    Xs, Ys = X[order], Y[order]  # one copy per epoch, so every batch is a contiguous slice
    for start in range(0, X.shape[0], batch_size):
        _, grads = error_and_gradient(weights, Xs[start:start + batch_size],
                                      Ys[start:start + batch_size], output)
        step(weights, grads, lr)
