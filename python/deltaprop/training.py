"""Training runs: argument checking, the record schedule and the progress callback (the
record of a run, :class:`History`, is in history.py).

The loop itself runs in C++ (``cpp/include/deltaprop/training.hpp``) with the GIL released;
Python is called back only to poll for Ctrl-C and update the progress bar (about 20 times a
second) and at recorded iterations when a callback is given.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np

from . import diagnostics
from ._checks import check_seed
from ._progress import ProgressBar
from .history import History

#: The training methods, with one line on when to use each.
METHODS: Dict[str, str] = {
    "gd": "batch gradient descent, fixed lr: the lecture's baseline; smooth, slow",
    "sgd": "one point per update in a seeded random order: cheap steps, noisy, good on large N",
    "minibatch": "batch_size points per update: between gd and sgd, the usual choice for large N",
    "variable_lr": "gd that grows lr by `increase` after a success and shrinks it by "
                   "`decrease` after a failure: gd without tuning lr",
    "steepest": "steepest descent with a line search along -g: few, well-chosen steps",
    "conjugate_gradient": "Polak-Ribiere conjugate gradients with the same line search: "
                          "the fastest here on small networks and full batches",
}


def _record_every(iterations: int, record_every: Union[int, str, None], per_epoch: int = 1) -> int:
    """The core's record_every: k, or 0 for the log scale. None means about 1000 rows, and at
    most one per epoch of ``per_epoch`` iterations (a row of a stochastic method costs a full
    pass over the data, which would otherwise dwarf its cheap updates)."""
    if record_every is None:
        return max(1, math.ceil(iterations / 1000), per_epoch)
    if isinstance(record_every, str):
        if record_every != "log":
            raise ValueError(f'record_every must be a positive integer or "log", got {record_every!r}')
        return 0
    if isinstance(record_every, bool) or not isinstance(record_every, (int, np.integer)) or record_every < 1:
        raise ValueError(f'record_every must be a positive integer or "log", got {record_every!r}')
    return _count(record_every, "record_every", 1)


def record_schedule(iterations: int, record_every: Union[int, str, None]) -> List[int]:
    """The iterations a run of ``iterations`` records at (the core works them out as it goes;
    this spells out the same rule): 0, then every k-th iteration (``int``), or round(10^(j/20))
    for j = 0, 1, ... (``"log"``, about 20 per decade), or by default about 1000 rows in all;
    always ending with ``iterations``. A run that stops early ends its history there."""
    every = _record_every(iterations, record_every)
    if every:
        at = list(range(0, iterations + 1, every))
    else:
        at, j = [0], 0
        while True:
            point = int(round(10 ** (j / 20)))
            j += 1
            if point > iterations:
                break
            if point > at[-1]:
                at.append(point)
    if at[-1] != iterations:
        at.append(iterations)
    return at


class _ProgressBar(ProgressBar):
    """The progress callback the C++ loop polls (at a bounded rate, so it costs the loop
    nothing measurable) with the iteration, the total and the latest E_in."""

    def __call__(self, iteration: int, total: int, error: float) -> None:
        self.update(iteration, E_in=error)


def _number(value: Any, name: str, low: float = 0.0, low_inclusive: bool = True,
            high: float = math.inf) -> float:
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    ok_low = v >= low if low_inclusive else v > low
    if not math.isfinite(v) or not ok_low or v > high:
        bound = f"{'>=' if low_inclusive else '>'} {low}" + (f" and <= {high}" if high < math.inf else "")
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return v


def _count(value: Any, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value >= 2**63:
        raise ValueError(f"{name} must be an integer below 2**63, got {value!r}")
    return int(value)


def fit(net: Any, X: Any, y: Any, method: str = "gd", lr: float = 0.1, iterations: int = 1000,
        batch_size: int = 32, momentum: float = 0.0, weight_decay: float = 0.0,
        weight_elimination: float = 0.0, increase: float = 1.1, decrease: float = 0.5,
        restart_every: int = 0, validation: Optional[Sequence[Any]] = None,
        patience: Optional[int] = None, record_every: Union[int, str, None] = None,
        target_error: Optional[float] = None, grad_tol: Optional[float] = None,
        max_seconds: Optional[float] = None, callback: Optional[Callable[[dict], Any]] = None,
        progress: bool = False, seed: int = 0) -> History:
    """Train ``net`` in one C++ call; see :meth:`deltaprop.Network.fit`."""
    X, y, validation = diagnostics.fit_inputs(X, y, validation)  # pandas to numpy
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    iterations = _count(iterations, "iterations")
    lr = _number(lr, "lr", 0.0, low_inclusive=False)
    momentum = _number(momentum, "momentum", 0.0, high=0.999999)
    if momentum and method not in ("gd", "sgd", "minibatch"):
        raise ValueError(f"momentum applies to gd, sgd and minibatch, not {method}")
    wd = _number(weight_decay, "weight_decay")
    we = _number(weight_elimination, "weight_elimination")
    if wd and we:
        raise ValueError("choose one of weight_decay and weight_elimination")
    penalty, lam = ("weight_decay", wd) if wd else ("weight_elimination", we) if we else ("none", 0.0)
    increase = _number(increase, "increase", 1.0, low_inclusive=False)
    decrease = _number(decrease, "decrease", 0.0, low_inclusive=False, high=0.999999)
    batch_size = _count(batch_size, "batch_size", 1)
    restart_every = _count(restart_every, "restart_every")
    patience_n = 0 if patience is None else _count(patience, "patience", 1)
    if patience is not None and validation is None:
        raise ValueError("patience needs validation data: pass validation=(X_val, y_val)")
    Xv = yv = None
    if validation is not None:
        try:
            Xv, yv = validation
        except (TypeError, ValueError):
            raise TypeError("validation must be a pair (X_val, y_val)") from None
        for value, name in ((Xv, "X"), (yv, "y")):
            if value is None:  # the core would read None as "no validation data"
                raise TypeError(f"validation {name} must hold real numbers, got None")
    target = -1.0 if target_error is None else _number(target_error, "target_error")
    gtol = 0.0 if grad_tol is None else _number(grad_tol, "grad_tol")
    if grad_tol is not None and method in ("sgd", "minibatch"):
        # the core only measures the full gradient in the batch methods: refuse, not ignore
        raise ValueError(f"grad_tol applies to gd, variable_lr, steepest and conjugate_gradient "
                         f"(which compute the full gradient), not {method}")
    budget = math.inf if max_seconds is None else _number(max_seconds, "max_seconds", 0.0, low_inclusive=False)
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    seed = check_seed(seed)
    n_points = len(X) if hasattr(X, "__len__") else 1  # only sizes the default schedule
    per_epoch = {"sgd": n_points, "minibatch": math.ceil(n_points / batch_size)}.get(method, 1)
    every = _record_every(iterations, record_every, per_epoch)

    bar = _ProgressBar(iterations, method) if progress else None
    try:
        raw = net._impl.fit(X, y, method, lr, iterations, batch_size, momentum, penalty, lam,
                            increase, decrease, restart_every, every, target, gtol, budget,
                            patience_n, seed, Xv, yv, callback, bar)
    finally:
        if bar is not None:
            bar.close()
    raw["iteration"] = raw["iteration"].astype(np.int64)
    history = History(method=method, **raw)
    diagnostics.after_fit(net, X, y, history, lr)  # 0/1 targets, input scale, saturation
    return history
