"""The benchmark workloads of issues 6, 18 and 21 and their data.

| id   | network          | data                          | update                         |
|------|------------------|-------------------------------|--------------------------------|
| A    | 2-10-1           | N = 7291 digits features      | full-batch GD, one per epoch   |
| A300 | 2-10-1           | N = 300 (the assignment size) | full-batch GD                  |
| B    | 2-10-1           | N = 7291 digits features      | SGD, one point per update      |
| C    | 256-100-10       | N = 7291 USPS pixels          | full-batch GD                  |
| D    | 784-1024-1024-10 | N = 8192 random               | full-batch GD (GEMM-bound)     |
| E    | 256-100-10       | N = 7291 USPS pixels          | mini-batches of 32             |
| W    | 784-4096-10      | N = 8192 random               | full-batch GD (one wide layer) |

Issue 18's variants change the parts and nothing else, and are timed together with their tanh
workload (``base``), so that "against tanh" compares rows of one run taking turns:

| id         | as   | hidden θ  | output, loss                        | targets        |
|------------|------|-----------|-------------------------------------|----------------|
| C-relu     | C    | relu      | tanh, squared error                 | ±1             |
| C-logistic | C    | logistic  | tanh, squared error                 | ±1             |
| C-softmax  | C    | tanh      | softmax, cross-entropy              | one-hot (0/1)  |
| E-relu     | E    | relu      | tanh, squared error                 | ±1             |
| E-logistic | E    | logistic  | tanh, squared error                 | ±1             |
| G          | E    | tanh      | softmax, cross-entropy              | one-hot (0/1)  |

G (256-100-10 on the USPS pixels, mini-batches of 32, softmax with cross-entropy) is E's
softmax variant: the issue's "softmax cross-entropy minibatch workload".

The digits come from ``features.train`` (average intensity and symmetry, each scaled to
[-1, 1]; target +1 for the digit 1, -1 for the others) and ``zip.train`` (the 256 grey values,
already in [-1, 1]; ten ±1 outputs, +1 at the digit). Without the data files, random data of the
same shapes stands in and the report says so.
"""

from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Tuple

import numpy as np

DEFAULT_DATA = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass(frozen=True)
class Workload:
    """One row of the workload table.

    ``update`` is ``"gd"`` (the unit timed is one epoch = one update), ``"sgd"`` (the unit is
    one update on one point) or ``"minibatch"`` (the unit is one epoch of ``batch_size`` updates).
    """

    id: str
    dims: Tuple[int, ...]
    data: str
    n: int
    update: str
    lr: float
    batch_size: int = 32
    activation: str = "tanh"  # θ of every hidden layer
    output: str = "tanh"  # θ of the output layer; softmax goes with cross-entropy
    base: Optional[str] = None  # the tanh workload this variant is timed with and against

    @property
    def loss(self) -> str:
        """deltaprop's default loss for the output: cross-entropy for softmax."""
        return "cross_entropy" if self.output == "softmax" else "squared_error"

    @property
    def one_hot(self) -> bool:
        """Targets 0/1 (softmax's class probabilities) rather than ±1."""
        return self.output == "softmax"

    @property
    def family(self) -> str:
        """The id of the group whose rows are timed together: the base's, or its own."""
        return self.base or self.id

    @property
    def unit(self) -> str:
        return "update" if self.update == "sgd" else "epoch"

    @property
    def arch(self) -> str:
        return "-".join(str(d) for d in self.dims)

    @property
    def description(self) -> str:
        what = {"gd": "full-batch GD, one update per epoch", "sgd": "SGD, one point per update",
                "minibatch": f"mini-batches of {self.batch_size}"}[self.update]
        parts = ""
        if (self.activation, self.output) != ("tanh", "tanh"):
            parts = f", {self.activation} hidden, {self.output} output, {self.loss.replace('_', ' ')}"
        return f"{self.arch}, N = {self.n}, {what}{parts}"

    @property
    def updates_per_epoch(self) -> int:
        return {"gd": 1, "sgd": self.n, "minibatch": math.ceil(self.n / self.batch_size)}[self.update]

    def flops_per_unit(self) -> float:
        """Floating-point operations of the three matrix products per timed unit.

        Per point: forward ``Σ_l d^(l-1) d^(l)`` multiply-adds, backpropagation of δ
        ``Σ_{l≥2} d^(l-1) d^(l)``, the gradient ``Σ_l (d^(l-1)+1) d^(l)``; two flops each.
        tanh and the weight update are not counted.
        """
        d = self.dims
        pairs = [(d[l - 1], d[l]) for l in range(1, len(d))]
        per_point = (sum(a * b for a, b in pairs) + sum(a * b for a, b in pairs[1:])
                     + sum((a + 1) * b for a, b in pairs))
        points = 1 if self.update == "sgd" else self.n
        return 2.0 * per_point * points


def workloads(quick: bool = False) -> List[Workload]:
    """The issues' tables; ``quick`` shrinks D's and W's N so a smoke run stays short."""
    C = Workload("C", (256, 100, 10), "zip", 7291, "gd", lr=0.1)
    E = Workload("E", (256, 100, 10), "zip", 7291, "minibatch", lr=0.01)
    return [
        Workload("A", (2, 10, 1), "features", 7291, "gd", lr=0.1),
        Workload("A300", (2, 10, 1), "features", 300, "gd", lr=0.1),
        Workload("B", (2, 10, 1), "features", 7291, "sgd", lr=0.01),
        C,
        Workload("D", (784, 1024, 1024, 10), "random", 512 if quick else 8192, "gd", lr=0.01),
        E,
        Workload("W", (784, 4096, 10), "random", 512 if quick else 8192, "gd", lr=0.01),
        *variants(C, E),
    ]


def variants(C: Workload, E: Workload) -> List[Workload]:
    """Issue 18's workloads: C and E with other parts (same data, rate and batches)."""
    out = []
    for w in (C, E):
        for activation in ("relu", "logistic"):
            out.append(replace(w, id=f"{w.id}-{activation}", activation=activation, base=w.id))
    out.insert(2, replace(C, id="C-softmax", output="softmax", base="C"))
    out.append(replace(E, id="G", output="softmax", base="E"))
    return out


def _plus_minus_one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    Y = -np.ones((labels.size, classes))
    Y[np.arange(labels.size), labels.astype(int)] = 1.0
    return Y


def _scale_to_unit_interval(a: np.ndarray) -> np.ndarray:
    lo, hi = a.min(axis=0), a.max(axis=0)
    return 2 * (a - lo) / (hi - lo) - 1


def load_data(data_dir: Optional[pathlib.Path], n_random: int) -> Tuple[Dict[str, Tuple[np.ndarray, np.ndarray]], Dict[str, str]]:
    """``({"features": (X, Y), "zip": (X, Y), "random": (X, Y)}, stand_ins)``, all float64
    with 2-D Y; ``stand_ins`` maps the names of data sets replaced by random data to why."""
    data_dir = DEFAULT_DATA if data_dir is None else pathlib.Path(data_dir)
    rng = np.random.default_rng(0)
    stand_ins = {}
    sets = {}
    features, pixels = data_dir / "features.train", data_dir / "zip.train"
    if features.is_file():
        raw = np.loadtxt(features)
        sets["features"] = (_scale_to_unit_interval(raw[:, 1:]),
                            np.where(raw[:, :1] == 1, 1.0, -1.0))
    else:
        stand_ins["features"] = f"{features} not found: A, A300 and B use random data of the same shape"
        sets["features"] = (rng.uniform(-1, 1, (7291, 2)), rng.choice([-1.0, 1.0], (7291, 1)))
    if pixels.is_file():
        raw = np.loadtxt(pixels)
        sets["zip"] = (np.ascontiguousarray(raw[:, 1:]), _plus_minus_one_hot(raw[:, 0]))
    else:
        stand_ins["zip"] = f"{pixels} not found: C and E use random data of the same shape"
        sets["zip"] = (rng.uniform(-1, 1, (7291, 256)), _plus_minus_one_hot(rng.integers(0, 10, 7291)))
    sets["random"] = (rng.uniform(-1, 1, (n_random, 784)), _plus_minus_one_hot(rng.integers(0, 10, n_random)))
    return sets, stand_ins


def data_for(workload: Workload, sets: Dict[str, Tuple[np.ndarray, np.ndarray]],
             dtype: np.dtype) -> Tuple[np.ndarray, np.ndarray]:
    """The workload's first ``n`` rows as contiguous arrays of ``dtype``; for a softmax output
    the ±1 targets become one-hot rows of 0 and 1."""
    X, Y = sets[workload.data]
    Y = Y[:workload.n]
    if workload.one_hot:
        Y = (Y + 1) / 2
    return (np.ascontiguousarray(X[:workload.n], dtype=dtype), np.ascontiguousarray(Y, dtype=dtype))
