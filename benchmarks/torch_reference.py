"""The lecture's network in PyTorch (CPU): the idiomatic torch version deltaprop is measured against.

``nn.Linear`` layers with ``nn.Tanh``, ``nn.Sigmoid``, ``nn.ReLU`` or no θ between them, the
loss from ``torch.nn.functional`` and ``torch.optim.SGD``, as a torch user would write them.
torch is imported lazily: :func:`available` says whether it is installed, and nothing here is
needed by deltaprop or its test suite.

The losses are deltaprop's E_in, the mean over the points of each point's error:

- squared error, ``(1/N) Σ_n ||h(x_n) - y_n||²``: ``mse_loss`` averages over the outputs as well
  as the points, so it is multiplied by ``d^(L)``;
- softmax with cross-entropy: the model ends at the logits s^(L) and the loss is
  ``cross_entropy(s, labels)`` (class indices, for one-hot targets: see :meth:`targets`) or
  ``cross_entropy(s, probabilities)`` otherwise, both averaged over the points;
- logistic with cross-entropy: ``binary_cross_entropy_with_logits(s, y, reduction="sum") / N``.

Weights are exchanged in deltaprop's layout, ``W^(l)`` of shape ``(d^(l-1) + 1, d^(l))`` with
the biases in row 0; ``nn.Linear`` keeps ``weight = W^(l)[1:]ᵀ`` and ``bias = W^(l)[0]``.
"""

from __future__ import annotations

import importlib.util
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np


def available() -> bool:
    """True when torch can be imported."""
    return importlib.util.find_spec("torch") is not None


def _torch() -> Any:
    import torch
    return torch


class TorchNetwork:
    """A network as ``nn.Sequential(Linear, θ, ..., Linear[, θ])``.

    Parameters
    ----------
    weights : sequence of ndarray
        ``[W^(1), ..., W^(L)]`` in deltaprop's layout; copied, in their dtype.
    output : {"tanh", "identity", "logistic", "softmax"}
        θ of the output layer. With cross-entropy the model ends at the signal s^(L) (the
        logits) and the loss function applies θ; with squared error it ends at θ.
    lr : float
        The learning rate of the ``torch.optim.SGD`` optimiser.
    activation : str or sequence of str
        θ of the hidden layers, one name for all or one per layer ("tanh", "logistic", "relu",
        "identity").
    loss : {"squared_error", "cross_entropy", None}
        None: cross-entropy for softmax, squared error otherwise (deltaprop's default).
    """

    def __init__(self, weights: Sequence[np.ndarray], output: str = "tanh", lr: float = 0.1,
                 activation: Union[str, Sequence[str]] = "tanh", loss: Optional[str] = None) -> None:
        torch = _torch()
        nn = torch.nn
        dtype = torch.float64 if np.asarray(weights[0]).dtype == np.float64 else torch.float32
        self.output = output
        self.loss_name = loss if loss is not None else (
            "cross_entropy" if output == "softmax" else "squared_error")
        hidden = [activation] * (len(weights) - 1) if isinstance(activation, str) else list(activation)
        if len(hidden) != len(weights) - 1:
            raise ValueError(f"{len(hidden)} hidden activations for {len(weights) - 1} hidden layers")
        modules = {"tanh": nn.Tanh, "logistic": nn.Sigmoid, "relu": nn.ReLU}
        layers: List[Any] = []
        for l, W in enumerate(weights, start=1):
            W = np.asarray(W)
            linear = nn.Linear(W.shape[0] - 1, W.shape[1], dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W[1:].T)))
                linear.bias.copy_(torch.from_numpy(np.ascontiguousarray(W[0])))
            layers.append(linear)
            theta = hidden[l - 1] if l < len(weights) else (
                None if self.loss_name == "cross_entropy" else output)
            if theta in modules:
                layers.append(modules[theta]())
        self.model = nn.Sequential(*layers)
        self.linears = [m for m in self.model if isinstance(m, nn.Linear)]
        self.n_outputs = int(np.asarray(weights[-1]).shape[1])
        self.dtype = dtype
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)

    def tensor(self, a: np.ndarray) -> Any:
        """A numpy array as a tensor of this network's dtype (shares memory when it can)."""
        torch = _torch()
        return torch.from_numpy(np.ascontiguousarray(a)).to(self.dtype)

    def targets(self, Y: np.ndarray) -> Any:
        """The targets as the loss takes them: for softmax, one-hot rows become class indices
        (what a torch user passes to ``cross_entropy`` for labels); anything else a tensor of
        this network's dtype."""
        Y = np.asarray(Y)
        if self.output == "softmax" and np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1):
            return _torch().from_numpy(np.argmax(Y, axis=1).astype(np.int64))
        return self.tensor(Y)

    def loss(self, X: Any, Y: Any) -> Any:
        """``E_in`` on tensors X ``(N, d0)`` and Y (from :meth:`targets`), as a differentiable
        scalar."""
        F = _torch().nn.functional
        out = self.model(X)
        if self.loss_name == "squared_error":
            return self.n_outputs * F.mse_loss(out, Y)
        if self.output == "softmax":
            return F.cross_entropy(out, Y)
        return F.binary_cross_entropy_with_logits(out, Y, reduction="sum") / out.shape[0]

    def forward(self, X: np.ndarray) -> np.ndarray:
        """h(x) for the rows of X, θ of the output applied (softmax or logistic after logits)."""
        torch = _torch()
        with torch.no_grad():
            out = self.model(self.tensor(X))
            if self.loss_name == "cross_entropy":
                out = torch.softmax(out, dim=1) if self.output == "softmax" else torch.sigmoid(out)
        return out.numpy()

    def update(self, X: Any, Y: Any) -> Any:
        """One step of ``torch.optim.SGD`` on the batch (X, Y); returns the loss before it."""
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss(X, Y)
        loss.backward()
        self.optimizer.step()
        return loss

    def gd(self, X: Any, Y: Any, iterations: int) -> None:
        """Full-batch gradient descent: ``iterations`` updates on all of (X, Y)."""
        for _ in range(iterations):
            self.update(X, Y)

    def sgd(self, X: Any, Y: Any, order: Sequence[int]) -> None:
        """Stochastic gradient descent: one update per point, the points taken in ``order``."""
        for n in order:
            self.update(X[n:n + 1], Y[n:n + 1])

    def minibatch_epoch(self, X: Any, Y: Any, batch_size: int, order: np.ndarray) -> None:
        """One epoch of mini-batches: shuffled once by ``order``, then consecutive batches."""
        index = _torch().from_numpy(np.asarray(order, dtype=np.int64))
        Xs, Ys = X[index], Y[index]
        for start in range(0, Xs.shape[0], batch_size):
            self.update(Xs[start:start + batch_size], Ys[start:start + batch_size])

    def weights(self) -> List[np.ndarray]:
        """The weights in deltaprop's layout (copies)."""
        return [np.vstack([lin.bias.detach().numpy()[None, :], lin.weight.detach().numpy().T])
                for lin in self.linears]

    def error_and_gradient(self, X: np.ndarray, Y: np.ndarray) -> Tuple[float, List[np.ndarray]]:
        """``(E_in, [G^(1), ..., G^(L)])`` by autograd, in deltaprop's layout."""
        self.model.zero_grad(set_to_none=True)
        loss = self.loss(self.tensor(X), self.targets(Y))
        loss.backward()
        grads = [np.vstack([lin.bias.grad.numpy()[None, :], lin.weight.grad.numpy().T])
                 for lin in self.linears]
        return float(loss.item()), grads


def set_num_threads(n: int) -> Optional[int]:
    """``torch.set_num_threads(n)``; returns the previous count."""
    torch = _torch()
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    return previous
