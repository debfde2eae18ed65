"""Messages that name the real cause of a bad run, and the conversion of pandas inputs.

A newcomer's failed run usually has one of a few causes that the numbers alone hide: targets in
{0, 1} on a tanh output (whose range is (-1, 1)), inputs far outside [-1, 1] (tanh saturates at
once), or a learning rate so large that the hidden units saturate and the gradient vanishes
without a minimum. These checks warn about each at the end of a fit, naming the cause and the
fix; they only read the data (no copy of X: the memory of a run stays the data plus a fixed
workspace).

pandas is optional: its nullable dtypes (``Float64``, ``Int64``, ``boolean``) become numpy arrays
here, and a missing value (``pd.NA``) is refused by name instead of as "dtype object".
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, Sequence, Tuple

import numpy as np


class TargetWarning(UserWarning):
    """Targets that a tanh output cannot reach as meant (0/1 or boolean instead of ±1)."""


class InputScaleWarning(UserWarning):
    """Inputs far outside [-1, 1]: tanh saturates from the first step."""


class SaturationWarning(UserWarning):
    """A run that stopped on a small gradient because its hidden units saturated."""


#: |x| beyond this is "far outside [-1, 1]": with the default initial weights a signal s^(1) is
#: then of that size, where tanh' = 1 - tanh² is below 1e-8.
INPUT_SCALE_LIMIT = 10.0
#: A hidden output is saturated when |x^(l)| exceeds this (tanh' = 1 - x² below 0.02) ...
SATURATED_OUTPUT = 0.99
#: ... and a network is saturated when more than this share of its hidden outputs are.
SATURATED_SHARE = 0.9


def as_array(value: Any, name: str) -> Any:
    """``value`` as the core takes it: a pandas Series, DataFrame or array becomes a numpy array
    (nullable dtypes included); anything else is returned unchanged for the core to check.

    Raises ValueError "missing values" when a pandas input holds NA (or NaN).
    """
    if not type(value).__module__.startswith("pandas") or not hasattr(value, "isna"):
        return value
    missing = np.asarray(value.isna())
    if missing.any():
        row = int(np.argwhere(missing)[0][0])
        raise ValueError(f"{name} has missing values (pd.NA or NaN), the first in row {row} "
                         f"(by position, counted from 0): drop or fill them first")
    dtypes = [value.dtype] if hasattr(value, "dtype") else list(value.dtypes)
    if all(getattr(dt, "kind", "O") in "biuf" for dt in dtypes):
        if all(isinstance(dt, np.dtype) for dt in dtypes):
            return value.to_numpy()  # plain numpy dtypes: no conversion needed
        return value.to_numpy(dtype=np.float64)  # nullable dtypes, without NA: exact
    return value.to_numpy()  # strings, categories, ...: the core names the dtype


def fit_inputs(X: Any, y: Any,
               validation: Optional[Sequence[Any]]) -> Tuple[Any, Any, Optional[Sequence[Any]]]:
    """The training (and validation) data of a fit, pandas inputs converted."""
    X, y = as_array(X, "X"), as_array(y, "y")
    if isinstance(validation, (tuple, list)) and len(validation) == 2:
        validation = (as_array(validation[0], "validation X"), as_array(validation[1], "validation y"))
    return X, y, validation


def after_fit(net: Any, X: Any, y: Any, history: Any, lr: Optional[float]) -> None:
    """The warnings about a finished run: its targets, its input scale, its saturation.

    Checked after the run, not before: numpy's reductions over the data release the GIL, and
    a fit must reach the core (where it marks the network busy) without giving another thread
    a moment in between (see "Threads" in deltaprop.Network). The warnings' stacklevel points at
    the caller of Network.fit."""
    if getattr(net, "_impl", None) is None:  # its engine was dropped (del net._impl) mid-run
        return
    warn_about_targets(net, y)
    warn_about_input_scale(X)
    warn_if_saturated(net, X, history, lr)


def warn_about_targets(net: Any, y: Any, stacklevel: int = 5) -> None:
    """TargetWarning when a tanh output is trained on boolean or 0/1 targets."""
    if net.output != "tanh":
        return
    try:
        t = np.asarray(y)
    except Exception:  # the core reports what it cannot read
        return
    if t.size == 0 or t.dtype.kind not in "biuf":
        return
    if t.dtype.kind == "b":
        what = "boolean targets"
    elif t.min() == 0 and t.max() == 1 and np.all((t == 0) | (t == 1)):  # temporaries only here
        what = "targets in {0, 1}"
    else:
        return
    warnings.warn(f"{what} on a tanh output: tanh ranges over (-1, 1), so 0 sits on the decision "
                  f"boundary sign(h) = 0 and the network cannot learn the classes as meant. Use "
                  f"targets in {{-1, +1}} (e.g. deltaprop.one_versus_all, or 2*y - 1), or "
                  f"deltaprop.NeuralNetClassifier, which takes any labels.",
                  TargetWarning, stacklevel=stacklevel)


def _largest_magnitude(X: Any) -> float:
    """max |x| over X without a copy of X (NaN and empty data are the core's to report)."""
    try:
        a = np.asarray(X)
        if a.size == 0 or a.dtype.kind not in "biuf":
            return 0.0
        return float(max(a.max(), -a.min()))
    except Exception:
        return 0.0


def warn_about_input_scale(X: Any, stacklevel: int = 5) -> None:
    """InputScaleWarning when inputs lie far outside [-1, 1] (every hidden layer is tanh)."""
    largest = _largest_magnitude(X)
    if largest > INPUT_SCALE_LIMIT:
        warnings.warn(f"inputs reach |x| = {largest:.3g}, far outside [-1, 1]: the tanh units "
                      f"saturate (tanh' ≈ 0) and learn slowly or not at all. Scale each feature to "
                      f"[-1, 1] first, e.g. with deltaprop.MinMaxScaler (fit on the training "
                      f"data), or use deltaprop.NeuralNetClassifier, which scales for you.",
                      InputScaleWarning, stacklevel=stacklevel)


def saturated_share(net: Any, X: Any) -> float:
    """The share of tanh hidden outputs x^(l)_j, over all points and tanh hidden layers, with
    |x| > SATURATED_OUTPUT; 0 for a network without such layers. Each hidden layer's outputs
    come from the core, through the network cut after that layer."""
    total = saturated = 0
    for l in range(1, net.n_layers):  # hidden layers 1..L-1
        if net.activation[l - 1] != "tanh":  # the others saturate differently, or not at all
            continue
        # type(net), not an import of Network: network.py imports this module
        head = type(net)(net.dims[:l + 1], activation=net.activation[:l - 1], output="tanh",
                         dtype=net.dtype, seed=0)
        head.weights = net.weights[:l]
        x = head.forward(X)
        saturated += int(np.count_nonzero(np.abs(x) > SATURATED_OUTPUT))
        total += x.size
    return saturated / total if total else 0.0


def warn_if_saturated(net: Any, X: Any, history: Any, lr: Optional[float],
                      stacklevel: int = 5) -> None:
    """SaturationWarning when a run stopped on the gradient tolerance with most of its hidden
    outputs saturated: the gradient vanished because tanh' ≈ 0 there, not at a minimum."""
    if history.stop_reason != "gradient_tolerance" or net.n_layers < 2:
        return
    share = saturated_share(net, X)
    if share <= SATURATED_SHARE:
        return
    rate = "the method's default" if lr is None else f"{lr:g}"  # lr=None: the method's own
    warnings.warn(f"training stopped on the gradient tolerance, but {100 * share:.0f}% of the "
                  f"hidden outputs are saturated (|x| > {SATURATED_OUTPUT}): there tanh' = 1 - x² "
                  f"≈ 0, so the gradient is small because the units are stuck, not because E_in "
                  f"= {history.error[-1]:.4g} is a minimum. The learning rate lr = {rate} is "
                  f"likely too large for inputs of scale max |x| = {_largest_magnitude(X):.3g}: "
                  f"try a smaller lr, with inputs scaled to [-1, 1] (deltaprop.MinMaxScaler).",
                  SaturationWarning, stacklevel=stacklevel)
