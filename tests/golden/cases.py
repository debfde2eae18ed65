"""The cases of the golden file: networks, data and training runs whose results were recorded
from main before the architecture redesign (issue 16), and must stay the same bit for bit.

Inputs are drawn with numpy's PCG64 (``default_rng``), whose uniform doubles numpy keeps stable
across versions, so the same cases are rebuilt from this file alone. Each case covers a path
that the redesign touches: the fused block path (2-10-1, 2-10-10-1), the layer-by-layer path
with the core's small products and with BLAS (wide layers), both outputs, both precisions, and
every training method with momentum and both penalties.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Tuple

import numpy as np

import deltaprop

#: (name, dims, output, N): the networks whose forward, error and gradient are recorded.
NETWORKS: List[Tuple[str, List[int], str, int]] = [
    ("lecture_tanh", [2, 10, 1], "tanh", 1000),        # the fused path (on AVX-512)
    ("lecture_identity", [2, 10, 1], "identity", 300),
    ("deep_tanh", [2, 10, 10, 1], "tanh", 517),
    ("multi_out", [3, 7, 4], "identity", 129),
    ("wide_tanh", [64, 40, 10], "tanh", 700),           # products through BLAS
    ("wide_identity", [256, 30, 10], "identity", 400),
]

#: (name, dims, output, method, options): training runs whose final weights are recorded.
RUNS: List[Tuple[str, List[int], str, str, Dict]] = [
    ("gd", [2, 6, 1], "tanh", "gd", dict(lr=0.3, iterations=40)),
    ("gd_momentum", [2, 6, 1], "tanh", "gd", dict(lr=0.2, iterations=40, momentum=0.8)),
    ("gd_decay", [2, 6, 1], "tanh", "gd", dict(lr=0.3, iterations=40, weight_decay=0.05)),
    ("gd_elimination", [2, 6, 1], "identity", "gd",
     dict(lr=0.1, iterations=40, weight_elimination=0.1)),
    ("sgd", [2, 6, 1], "tanh", "sgd", dict(lr=0.05, iterations=500, seed=3)),
    ("sgd_momentum", [2, 6, 1], "tanh", "sgd",
     dict(lr=0.02, iterations=500, momentum=0.5, seed=4)),
    ("sgd_decay_momentum", [2, 6, 1], "tanh", "sgd",
     dict(lr=0.02, iterations=500, momentum=0.5, weight_decay=0.1, seed=5)),
    ("minibatch", [2, 6, 1], "tanh", "minibatch",
     dict(lr=0.1, iterations=60, batch_size=16, seed=6)),
    ("minibatch_momentum_elim", [2, 6, 1], "tanh", "minibatch",
     dict(lr=0.1, iterations=60, batch_size=33, momentum=0.7, weight_elimination=0.2, seed=7)),
    ("minibatch_large", [2, 6, 1], "tanh", "minibatch",
     dict(lr=0.1, iterations=5, batch_size=200, seed=8)),
    ("variable_lr", [2, 6, 1], "tanh", "variable_lr",
     dict(lr=0.5, iterations=40, increase=1.2, decrease=0.4)),
    ("variable_lr_decay", [2, 6, 1], "tanh", "variable_lr",
     dict(lr=0.5, iterations=40, weight_decay=0.05)),
    ("steepest", [2, 6, 1], "tanh", "steepest", dict(lr=0.5, iterations=15)),
    ("conjugate_gradient", [2, 6, 1], "tanh", "conjugate_gradient",
     dict(lr=0.5, iterations=25)),
    ("cg_restart_elim", [2, 6, 1], "tanh", "conjugate_gradient",
     dict(lr=0.5, iterations=25, restart_every=3, weight_elimination=0.05)),
    ("wide_cg", [64, 20, 10], "identity", "conjugate_gradient", dict(lr=0.1, iterations=8)),
    ("wide_gd", [64, 20, 10], "tanh", "gd", dict(lr=0.2, iterations=10)),
]

DTYPES = (np.float64, np.float32)


def data(dims: List[int], n: int, output: str, seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """X uniform in [-1, 1]; y ±1 for a tanh output, a smooth function of X for identity."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, dims[0]))
    if output == "tanh":
        y = np.where(rng.uniform(-1.0, 1.0, size=(n, dims[-1])) >= 0, 1.0, -1.0)
    else:
        y = np.sin(X @ rng.uniform(-1.0, 1.0, size=(dims[0], dims[-1])))
    return X, y


def compute() -> Iterator[Tuple[str, np.ndarray]]:
    """Every recorded array, by key."""
    for dtype in DTYPES:
        tag = np.dtype(dtype).name
        for i, (name, dims, output, n) in enumerate(NETWORKS):
            X, y = data(dims, n, output, 100 + i)
            X, y = X.astype(dtype), y.astype(dtype)
            net = deltaprop.Network(dims, output=output, dtype=dtype, seed=10 + i)
            yield f"{tag}/{name}/weights", net.get_flat_weights()
            yield f"{tag}/{name}/forward", net.forward(X)
            yield f"{tag}/{name}/error", np.array([net.error(X, y)])
            e, g = net.error_and_gradient(X, y)
            yield f"{tag}/{name}/eg_error", np.array([e])
            yield f"{tag}/{name}/gradient", np.concatenate([gl.ravel() for gl in g])
        for i, (name, dims, output, method, options) in enumerate(RUNS):
            X, y = data(dims, 300, output, 200 + i)
            X, y = X.astype(dtype), y.astype(dtype)
            net = deltaprop.Network(dims, output=output, dtype=dtype, seed=20 + i)
            history = net.fit(X, y, method=method, record_every=1, **options)
            yield f"{tag}/run/{name}/weights", net.get_flat_weights()
            yield f"{tag}/run/{name}/error", np.asarray(history.error)
            yield f"{tag}/run/{name}/lr", np.asarray(history.lr)
