"""The lecture's digits experiment: digit 1 (or another) versus the rest, from average
intensity and symmetry.

Each training method starts from the same initial weights of a 2-h-1 tanh network and runs for
the same number of iterations; the result is a table (method, iterations, seconds, squared
E_in, classification E_in, E_test), the histories as CSV, and two figures: log10 E_in against
log10 iteration for every method (the lecture's comparison of gradient descent and SGD), and
each trained network's decision boundary in the (intensity, symmetry) plane, over the test
points its E_test counts. Every output names the data set, the digit, the network and the seed.
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO, Tuple, Union

import numpy as np

from .network import Network
from .history import History
from .training import METHODS, method_options

#: fit's own default lr (None: each method's own, e.g. adam 0.001, lbfgs 1.0), for a method
#: that has no tuned rate below.
FIT_DEFAULT_LR = None
#: Learning rates that work for each method on features scaled to [-1, 1].
DEFAULT_LR = {"gd": 0.5, "sgd": 0.05, "minibatch": 0.1, "variable_lr": 0.1, "steepest": 0.1,
              "conjugate_gradient": 0.1, "adam": 0.01}

#: θ of the hidden layers: one name for all, or one per hidden layer
Activation = Union[str, Sequence[str]]


def hidden_activations(activation: Activation, n_hidden: int) -> Tuple[str, ...]:
    """The hidden layers' θ names, one per hidden layer (the Network checks the names)."""
    if isinstance(activation, str):
        return (activation,) * n_hidden
    names = tuple(activation)
    if len(names) != n_hidden:
        raise ValueError(f"activation names {len(names)} hidden layers ({', '.join(names)}); "
                         f"the network has {n_hidden}")
    return names


def describe_network(dims: Sequence[int], activation: Activation, output: str) -> str:
    """The architecture in words, e.g. "2-10-1 tanh" (the last word is θ of the output) when
    the hidden layers are tanh, else "256-100-10 softmax, hidden relu"."""
    text = f"{'-'.join(map(str, dims))} {output}"
    names = hidden_activations(activation, len(dims) - 2)
    if any(name != "tanh" for name in names):
        text += f", hidden {','.join(names)}"
    return text



@dataclass
class MethodResult:
    method: str
    iterations: int
    seconds: float
    squared_error: float          # E_in, the mean squared error on the training set
    classification_error: float   # fraction of training points misclassified by sign(h)
    test_error: float             # fraction of test points misclassified
    history: History
    network: Network


@dataclass
class DigitsResult:
    source: str
    n_train: int
    n_test: int
    seed: int
    dims: List[int]
    digit: int = 1
    output: str = "tanh"
    activation: Activation = "tanh"
    weight_decay: float = 0.0
    results: List[MethodResult] = field(default_factory=list)
    scaler: object = None
    X_train: Optional[np.ndarray] = None
    y_train: Optional[np.ndarray] = None
    X_test: Optional[np.ndarray] = None
    y_test: Optional[np.ndarray] = None
    figures: List[Path] = field(default_factory=list)

    @property
    def network(self) -> str:
        """The architecture, e.g. "2-10-1 tanh" (see :func:`describe_network`)."""
        return describe_network(self.dims, self.activation, self.output)

    def header(self) -> List[str]:
        """What was run, one fact per line, as every output starts: data set, task, network
        and seed."""
        lines = [f"data: {self.source} ({self.n_train} training, {self.n_test} test points)",
                 f"task: digit {self.digit} versus the rest",
                 f"network: {self.network}",
                 f"seed: {self.seed}"]
        if self.weight_decay:
            lines.append(f"weight decay: lambda = {self.weight_decay:g}")
        return lines

    def title(self) -> str:
        """The same facts in two lines, for figures."""
        return (f"{self.source}: digit {self.digit} versus the rest\n"
                f"network {self.network}, seed {self.seed}")

    def table(self) -> str:
        head = f"{'method':<20}{'iterations':>12}{'seconds':>10}{'E_in (sq)':>12}{'E_in (cls)':>12}{'E_test':>10}"
        rows = [head, "-" * len(head)]
        for r in self.results:
            rows.append(f"{r.method:<20}{r.iterations:>12d}{r.seconds:>10.2f}{r.squared_error:>12.5f}"
                        f"{100 * r.classification_error:>11.2f}%{100 * r.test_error:>9.2f}%")
        return "\n".join(rows)


def classification_error(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of points where sign(h(x)) differs from the ±1 label."""
    return float(np.mean(net.decide(X).ravel() != y))


def run_digits(data: Optional[str] = None, hidden: Sequence[int] = (10,), output: str = "tanh",
               methods: Sequence[str] = tuple(METHODS), iterations: int = 10000,
               lr: Optional[Dict[str, float]] = None, seed: int = 1, digit: int = 1,
               progress: Optional[bool] = None, out: Optional[str] = "digits-out",
               log: Optional[TextIO] = None, activation: Activation = "tanh",
               weight_decay: float = 0.0) -> DigitsResult:
    """Run the experiment; see the module docstring. Returns the results (and writes figures
    and CSV to ``out`` unless it is None). ``activation``: θ of the hidden layers (one name,
    or one per layer); ``weight_decay``: λ of every method's E_aug (see ``Network.fit``).

    ``progress``: draw a progress bar per method on stderr; None (the default) draws them only
    when stderr is a terminal. Without bars, one summary line per method goes to stderr
    instead (method, iterations, E_in, E_test, seconds), so a pipe or a log file gets no
    carriage-return frames."""
    from . import datasets

    log = sys.stdout if log is None else log
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; choose from {', '.join(METHODS)}")
    train = datasets.load_digits(data, split="train")
    test = datasets.load_digits(data, split="test", notice=False)
    scaler = datasets.MinMaxScaler().fit(train.features)
    X_train, X_test = scaler.transform(train.features), scaler.transform(test.features)
    y_train = datasets.one_versus_all(train.labels, digit)
    y_test = datasets.one_versus_all(test.labels, digit)
    dims = [2, *[int(h) for h in hidden], 1]
    result = DigitsResult(train.source, len(y_train), len(y_test), seed, dims, digit, output,
                          activation, weight_decay, scaler=scaler, X_train=X_train, y_train=y_train, X_test=X_test,
                          y_test=y_test)
    for line in result.header():
        print(line, file=log)
    print(f"{iterations} iterations per method", file=log)
    if progress is None:
        progress = sys.stderr.isatty()
    rates: Dict[str, Optional[float]] = {**{m: FIT_DEFAULT_LR for m in METHODS}, **DEFAULT_LR,
                                         **(lr or {})}
    for method in methods:
        net = Network(dims, activation, output, seed=seed)  # the same weights for each
        start = time.perf_counter()
        # the seed of the sgd and mini-batch orders, for the methods that take one
        order = {"seed": seed} if "seed" in method_options(method) else {}
        history = net.fit(X_train, y_train, method=method, lr=rates[method], iterations=iterations,
                          weight_decay=weight_decay, record_every="log", progress=progress, **order)
        seconds = time.perf_counter() - start
        done = MethodResult(
            method, int(history.iterations_done), seconds, float(net.error(X_train, y_train)),
            classification_error(net, X_train, y_train), classification_error(net, X_test, y_test),
            history, net)
        result.results.append(done)
        if not progress:
            summary(method, done.iterations, done.squared_error, done.test_error, done.seconds)
    finish(result, write_outputs, out, log)
    return result


def summary(label: str, iterations: int, error: float, test_error: float, seconds: float) -> None:
    """The line on stderr that stands for a run's progress bar when there is none."""
    print(f"{label}: {iterations} iterations, E_in {error:.5f}, E_test {100 * test_error:.2f}%, "
          f"{seconds:.2f} s", file=sys.stderr)


def finish(result: Any, write: Callable[[Any, Path, Optional[TextIO]], List[Path]],
           out: Optional[str], log: TextIO) -> None:
    """Print the table, and write the outputs to ``out`` (unless None) with ``write``."""
    print(result.table(), file=log)
    if out is not None:
        result.figures = write(result, Path(out), log)
        print(f"wrote {', '.join(str(p) for p in result.figures)}", file=log)


def write_outputs(result: DigitsResult, out: Path, log: Optional[TextIO] = None) -> List[Path]:
    """The histories as CSV, the table and the two figures; returns the paths written. Each
    names the data set, the digit, the network and the seed: the CSV in a column each, the
    table in its header lines, the figures in their titles. Without matplotlib the figures are
    skipped with a one-line note on ``log`` (stdout by default)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    csv_path = out / "histories.csv"
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["data", "digit", "network", "seed", "method", "iteration", "error",
                    "augmented_error", "validation_error", "lr", "seconds", "evaluations",
                    "function_evaluations"])
        run = [result.source, result.digit, result.network, result.seed]
        for r in result.results:
            t = r.history.as_table()
            for row in zip(*t.values()):
                w.writerow([*run, r.method, *row])
    written.append(csv_path)
    with open(out / "results.txt", "w") as f:
        f.write("\n".join(result.header()) + "\n\n" + result.table() + "\n")
    written.append(out / "results.txt")
    try:
        from .plots import plot_decision_boundaries, plot_error_curves
        written.append(plot_error_curves(result, out / "error_curves.png"))
        written.append(plot_decision_boundaries(result, out / "decision_boundaries.png"))
    except ImportError as e:  # matplotlib is optional: the numbers are written all the same
        print(f"figures skipped: {e}", file=sys.stdout if log is None else log)
    return written
