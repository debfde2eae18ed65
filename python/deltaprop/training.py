"""Training runs: argument checking, the record schedule and the progress callback (the
record of a run, :class:`History`, is in history.py).

The loop itself runs in C++ (``cpp/include/deltaprop/training.hpp``) with the GIL released;
Python is called back only to poll for Ctrl-C and update the progress bar (about 20 times a
second) and at recorded iterations when a callback is given.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core, diagnostics
from ._checks import check_seed
from ._progress import ProgressBar
from .history import History

#: The training methods, with one line on when to use each: the core's registry
#: (cpp/include/deltaprop/methods/registry.hpp), where a new method is registered.
METHODS: Dict[str, str] = dict(_core.METHODS)


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


def _number(value: Any, name: str) -> float:
    """value as a float for the core (which checks its range), or TypeError."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None


def _count(value: Any, name: str, minimum: int = 0) -> int:
    """value as an unsigned 64-bit integer for the core, or ValueError; the core checks the
    option's own range, whose smallest value ``minimum`` words the error here."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value >= 2**63:
        raise ValueError(f"{name} must be an integer below 2**63, got {value!r}")
    return int(value)


def method_options(method: str) -> List[str]:
    """The options, beyond the common ones, that ``method`` reads (say ``["batch_size",
    "momentum", "seed"]`` for minibatch): passing any other method-specific option to it is an
    error."""
    from . import _core
    return list(_core.method_options(method))


def penalty_option(weight_decay: Any, weight_elimination: Any) -> Tuple[str, float]:
    """Python's two keywords as the core's one penalty and its λ (which the core checks):
    ("none", 0.0) when both are 0."""
    penalties = [(name, _number(value, name)) for name, value in
                 (("weight_decay", weight_decay), ("weight_elimination", weight_elimination))]
    chosen = [(name, lam) for name, lam in penalties if lam != 0]
    if len(chosen) > 1:
        raise ValueError("choose one of weight_decay and weight_elimination")
    return chosen[0] if chosen else ("none", 0.0)


#: The conversion of each option the core reads to the core's type (the core checks ranges).
_CONVERT: Dict[str, Callable[[Any, str], Any]] = {
    **{name: _number for name in ("lr", "momentum", "increase", "decrease", "grad_tol",
                                  "target_error", "max_seconds", "c1", "c2", "beta1", "beta2",
                                  "eps")},
    **{name: _count for name in ("iterations", "restart_every")},
    **{name: lambda value, name: _count(value, name, 1)
       for name in ("batch_size", "patience", "memory", "max_line_evaluations")},
}


def fit(net: Any, X: Any, y: Any, method: str = "gd", lr: Optional[float] = None,
        iterations: int = 1000, *,
        weight_decay: float = 0.0, weight_elimination: float = 0.0,
        validation: Optional[Sequence[Any]] = None, patience: Optional[int] = None,
        record_every: Union[int, str, None] = None, target_error: Optional[float] = None,
        grad_tol: Optional[float] = None, max_seconds: Optional[float] = None,
        callback: Optional[Callable[[dict], Any]] = None, progress: bool = False,
        client: Any = None, **method_specific: Any) -> History:
    """Train ``net`` in one C++ call; see :meth:`deltaprop.Network.fit`.

    The core checks the options (their ranges, and that each option given applies to
    ``method``); this converts them to its types. ``method_specific`` are those that only some
    methods read (``batch_size``, ``momentum``, ``increase``, ``decrease``, ``restart_every``,
    ``seed``, ``c1``, ``c2``, ``max_line_evaluations``, ``memory``, ``beta1``, ``beta2``,
    ``eps``): the ones given are passed on, the others take the method's defaults. ``lr=None``
    is the method's default. Dask arrays X, y train on the cluster of ``client`` (None: the
    running one), see deltaprop/distributed.py."""
    from . import distributed  # imports dask only when it meets a dask collection
    on_cluster = distributed.is_dask(X) or distributed.is_dask(y)
    if on_cluster:
        distributed.check_not_dataframe(X, "X")
        distributed.check_not_dataframe(y, "y")
    else:
        if client is not None:
            raise ValueError("client is for training on dask arrays; X and y are in memory")
        X, y, validation = diagnostics.fit_inputs(X, y, validation)  # pandas to numpy
    if not isinstance(method, str):
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    optional = dict(lr=lr, patience=patience, target_error=target_error, grad_tol=grad_tol,
                    max_seconds=max_seconds)  # None: not given (lr: the method's default)
    given = {"iterations": iterations, **method_specific,
             **{k: v for k, v in optional.items() if v is not None}}
    options: Dict[str, Any] = {"method": method}
    for name, value in given.items():
        if name == "seed":
            options[name] = check_seed(value)
        elif name in _CONVERT:
            options[name] = _CONVERT[name](value, name)
        else:
            options[name] = value  # an unknown name: the core refuses it
    penalty, lam = penalty_option(weight_decay, weight_elimination)
    if penalty != "none":
        options["penalty"], options["lambda"] = penalty, lam
    Xv = yv = None
    if validation is not None:
        try:
            Xv, yv = validation
        except (TypeError, ValueError):
            raise TypeError("validation must be a pair (X_val, y_val)") from None
        for value, name in ((Xv, "X"), (yv, "y")):
            if value is None:  # the core would read None as "no validation data"
                raise TypeError(f"validation {name} must hold real numbers, got None")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    # only sizes the default schedule (of the stochastic methods, which dask arrays refuse)
    n_points = 1 if on_cluster else len(X) if hasattr(X, "__len__") else 1
    batches = math.ceil(n_points / max(1, options.get("batch_size", 32)))
    per_epoch = {"sgd": n_points, "minibatch": batches, "adam": batches}.get(method, 1)
    options["record_every"] = _record_every(options["iterations"], record_every, per_epoch)

    bar = _ProgressBar(options["iterations"], method) if progress else None
    try:
        if on_cluster:
            raw = distributed.fit(net, X, y, options, None if Xv is None else (Xv, yv),
                                  callback, bar, client)
        else:
            raw = net._impl.fit(X, y, options, Xv, yv, callback, bar)
    finally:
        if bar is not None:
            bar.close()
    raw["iteration"] = raw["iteration"].astype(np.int64)
    history = History(method=method, **raw)
    if not on_cluster:  # they read all of X: on a cluster that is the user's choice
        diagnostics.after_fit(net, X, y, history, lr)  # 0/1 targets, input scale, saturation
    return history
