"""The lecture's network in plain vectorised numpy: the reference deltaprop is measured against.

The same equations as deltaprop (Learning From Data, lecture 21, and the parts of issue 18),
written the way a careful numpy user would write them: whole-batch matrix products, no Python
loop over points or units, in-place updates where they are natural. Rows are data points.

    S^(l) = X^(l-1) W^(l)[1:] + W^(l)[0]          (row 0 of W^(l) holds the biases)
    X^(l) = θ(S^(l))     θ: tanh, logistic, relu or identity in hidden layers;
                         tanh, identity, logistic or softmax at the output
    Δ^(L) = ∂e/∂S^(L):   squared error  2 (X^(L) - Y) ⊙ θ'(S^(L))
                         cross-entropy  X^(L) - Y (softmax: X^(L) Σ_k Y_k - Y, the same for
                                        rows of Y summing to 1)
    Δ^(l) = θ'(X^(l)) ⊙ (Δ^(l+1) W^(l+1)[1:]ᵀ)
    G^(l) = (1/N) [Σ_n Δ^(l)_n ; X^(l-1)ᵀ Δ^(l)]
    E_in  = (1/N) Σ_n e_n,  e_n = ||X^(L)_n - Y_n||² (squared error),
            Σ_k Y_nk (lse(S_n) - S_nk) (softmax cross-entropy),
            Σ_k softplus(S_nk) - Y_nk S_nk (logistic cross-entropy)

Cross-entropy is computed from the signals S^(L), as deltaprop does, so it stays finite where
X^(L) rounds to 0 or 1. logistic(s) is written 1/2 + tanh(s/2)/2, which never overflows.

Weights use deltaprop's layout: a list of ``W^(l)`` of shape ``(d^(l-1) + 1, d^(l))``. The
functions work in the dtype of the arrays they are given (float64 or float32). ``activation``
is one name for every hidden layer or a sequence with one per hidden layer; ``loss=None``
means cross-entropy for softmax and squared error otherwise, as in deltaprop.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

Activation = Union[str, Sequence[str]]


def resolve_loss(output: str, loss: Optional[str]) -> str:
    """deltaprop's default: cross-entropy for softmax, squared error otherwise."""
    return loss if loss is not None else ("cross_entropy" if output == "softmax" else "squared_error")


def _hidden(activation: Activation, n_hidden: int) -> List[str]:
    names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
    if len(names) != n_hidden:
        raise ValueError(f"{len(names)} hidden activations for {n_hidden} hidden layers")
    return names


def _theta(name: str, s: np.ndarray) -> None:
    """X = θ(S) in place."""
    if name == "tanh":
        np.tanh(s, out=s)
    elif name == "logistic":  # 1/2 + tanh(s/2)/2 = 1/(1 + e^-s), without overflow
        s *= 0.5
        np.tanh(s, out=s)
        s *= 0.5
        s += 0.5
    elif name == "relu":
        np.maximum(s, 0, out=s)
    elif name == "softmax":
        s -= s.max(axis=1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=1, keepdims=True)
    elif name != "identity":
        raise ValueError(f"unknown activation {name!r}")


def _times_derivative(name: str, x: np.ndarray, d: np.ndarray) -> None:
    """d ⊙= θ'(s), from x = θ(s), in place."""
    if name == "tanh":
        d *= 1 - x * x
    elif name == "logistic":
        d *= x * (1 - x)
    elif name == "relu":
        d *= x > 0
    elif name != "identity":
        raise ValueError(f"no derivative for {name!r} here")


def forward(weights: Sequence[np.ndarray], X: np.ndarray, output: str = "tanh",
            activation: Activation = "tanh", signal: Optional[list] = None) -> List[np.ndarray]:
    """Forward propagation: ``[X^(0), X^(1), ..., X^(L)]`` without the bias column. With a
    list ``signal``, S^(L) is appended to it (for cross-entropy)."""
    xs = [X]
    last = len(weights)
    hidden = _hidden(activation, last - 1)
    for l, W in enumerate(weights, start=1):
        s = xs[-1] @ W[1:]
        s += W[0]
        if l == last and signal is not None:
            signal.append(s.copy())
        _theta(hidden[l - 1] if l < last else output, s)
        xs.append(s)
    return xs


def output_error_and_delta(sL: Optional[np.ndarray], h: np.ndarray, Y: np.ndarray,
                           output: str, loss: str) -> Tuple[float, np.ndarray]:
    """``(Σ_n e_n, Δ^(L))`` from the output signals S^(L) (only cross-entropy reads them), the
    outputs h = X^(L) and the targets Y."""
    if loss == "squared_error":
        residual = h - Y
        total = float(np.einsum("ij,ij->", residual, residual))
        delta = 2 * residual
        _times_derivative(output, h, delta)
        return total, delta
    if output == "softmax":
        z = sL - sL.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1, keepdims=True))  # lse(S) - max S
        total = float(np.einsum("ij,ij->", Y, lse - z))
        return total, h * Y.sum(axis=1, keepdims=True) - Y
    # logistic with cross-entropy: softplus(s) - y s
    return float(np.sum(np.logaddexp(0, sL) - Y * sL)), h - Y


def backward(weights: Sequence[np.ndarray], xs: Sequence[np.ndarray], delta: np.ndarray,
             activation: Activation = "tanh") -> List[np.ndarray]:
    """Backpropagation of the sensitivities: ``[Δ^(1), ..., Δ^(L)]``, given the forward pass
    ``xs`` and Δ^(L) from the loss."""
    hidden = _hidden(activation, len(weights) - 1)
    deltas = [delta]
    for l in range(len(weights) - 1, 0, -1):  # Δ^(l) from Δ^(l+1), l = L-1 .. 1
        back = delta @ weights[l][1:].T
        _times_derivative(hidden[l - 1], xs[l], back)
        delta = back
        deltas.append(delta)
    return deltas[::-1]


def error_and_gradient(weights: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray,
                       output: str = "tanh", activation: Activation = "tanh",
                       loss: Optional[str] = None) -> Tuple[float, List[np.ndarray]]:
    """``(E_in, [G^(1), ..., G^(L)])``, each ``G^(l)`` shaped like ``W^(l)``.

    Y has shape ``(N, d^(L))``.
    """
    n = X.shape[0]
    loss = resolve_loss(output, loss)
    signal: Optional[list] = [] if loss == "cross_entropy" else None
    xs = forward(weights, X, output, activation, signal)
    total, delta = output_error_and_delta(signal[0] if signal else None, xs[-1], Y, output, loss)
    deltas = backward(weights, xs, delta, activation)
    grads = []
    for x_prev, delta in zip(xs[:-1], deltas):
        g = np.empty((x_prev.shape[1] + 1, delta.shape[1]), dtype=delta.dtype)
        np.sum(delta, axis=0, out=g[0])
        np.matmul(x_prev.T, delta, out=g[1:])
        g /= n
        grads.append(g)
    return total / n, grads


def step(weights: Sequence[np.ndarray], grads: Sequence[np.ndarray], lr: float) -> None:
    """``W ← W − lr·G`` in place, layer by layer."""
    for W, g in zip(weights, grads):
        W -= lr * g


def gd(weights: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray, lr: float,
       iterations: int, output: str = "tanh", activation: Activation = "tanh",
       loss: Optional[str] = None) -> float:
    """Full-batch gradient descent, one update per epoch; returns E_in before the last step."""
    e_in = float("nan")
    for _ in range(iterations):
        e_in, grads = error_and_gradient(weights, X, Y, output, activation, loss)
        step(weights, grads, lr)
    return e_in


def sgd(weights: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray, lr: float,
        order: Sequence[int], output: str = "tanh", activation: Activation = "tanh",
        loss: Optional[str] = None) -> None:
    """Stochastic gradient descent: one update per point, the points taken in ``order``."""
    for n in order:
        _, grads = error_and_gradient(weights, X[n:n + 1], Y[n:n + 1], output, activation, loss)
        step(weights, grads, lr)


def minibatch_epoch(weights: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray, lr: float,
                    batch_size: int, order: np.ndarray, output: str = "tanh",
                    activation: Activation = "tanh", loss: Optional[str] = None) -> None:
    """One epoch of mini-batch gradient descent: the data shuffled once by ``order``, then one
    update per consecutive batch of ``batch_size`` rows (the last one may be shorter)."""
    Xs, Ys = X[order], Y[order]  # one copy per epoch, so every batch is a contiguous slice
    for start in range(0, X.shape[0], batch_size):
        _, grads = error_and_gradient(weights, Xs[start:start + batch_size],
                                      Ys[start:start + batch_size], output, activation, loss)
        step(weights, grads, lr)
