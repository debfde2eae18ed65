"""The ten-digit experiment: all ten digits from the pixels of the USPS images.

A network d-h-10 (d = 256 for the 16×16 USPS images) reads the grey values, in [-1, 1], less
the training set's mean image (centred inputs: a few tenths of a percent off E_test), and is
trained once per output scheme and training method, every run from the same initial hidden
weights:

- ``softmax``: softmax outputs, one-hot targets, cross-entropy E_in (the usual classifier);
- ``tanh``: the lecture's tanh outputs, targets +1 for the digit's output and −1 for the
  others, squared error E_in (the comparison);
- ``logistic``: logistic outputs, one-hot targets, cross-entropy of each output.

Each decides by the largest output. The result is a table (scheme, method, iterations, seconds,
E_in of the scheme's loss, E_in and E_test as the share of misclassified digits), the same as
CSV, the histories as CSV, and figures: the test set's confusion matrix of each run, the
misclassified test digits of each run as images with their true and predicted labels, and
E_in against the iteration. Every output names the data set, the network and the seed.
"""

from __future__ import annotations

import csv
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, TextIO, Tuple

import numpy as np
from numpy.typing import NDArray

from .experiment import Activation, finish, hidden_activations, summary
from .history import History
from .network import Network
from .training import METHODS, method_options

CLASSES = 10


@dataclass(frozen=True)
class Scheme:
    """An output θ, its loss and the targets they take."""

    name: str
    output: str
    loss: str
    off: float         # the target of the outputs of the other classes: 0 (one-hot) or -1 (±1)
    description: str


SCHEMES: Dict[str, Scheme] = {s.name: s for s in (
    Scheme("softmax", "softmax", "cross_entropy", 0.0,
           "softmax outputs, one-hot targets, cross-entropy"),
    Scheme("tanh", "tanh", "squared_error", -1.0,
           "tanh outputs, targets +1/-1, squared error (the lecture's)"),
    Scheme("logistic", "logistic", "cross_entropy", 0.0,
           "logistic outputs, one-hot targets, cross-entropy per output"),
)}

#: What ``deltaprop digits --classes 10`` runs unless told otherwise.
DEFAULT_SCHEMES = ("softmax", "tanh")
DEFAULT_METHODS = ("minibatch",)
DEFAULT_HIDDEN = (200,)
DEFAULT_ACTIVATION = "relu"
#: λ of E_aug = E_in + (λ/N) Σ w², for every scheme and method
DEFAULT_WEIGHT_DECAY = 4.0

#: Each method's options on the pixels: lr and the options of its own (momentum, batch size).
#: A scheme's entry in SCHEME_LR replaces lr.
METHOD_SETTINGS: Dict[str, Dict[str, Any]] = {
    "minibatch": dict(lr=0.02, momentum=0.9, batch_size=32),
    "sgd": dict(lr=0.001, momentum=0.9),
    "gd": dict(lr=0.02, momentum=0.9),
    "variable_lr": dict(lr=0.1),
    "steepest": dict(lr=0.1),
    "conjugate_gradient": dict(lr=0.1),
    "lbfgs": dict(lr=1.0),
    "adam": dict(lr=0.001, batch_size=32),
}
SCHEME_LR: Dict[Tuple[str, str], float] = {}

#: Iterations per method: 100 epochs of the 7291 USPS training digits for minibatch (about 10 s
#: a scheme), 20 for sgd; the full-batch methods take about 25 s per 1000 iterations (gd,
#: variable_lr) or 300 (steepest, conjugate_gradient, lbfgs, with their line searches); adam
#: 30 epochs.
DEFAULT_ITERATIONS = {"minibatch": 100 * (7291 // 32), "sgd": 20 * 7291, "gd": 1000,
                      "variable_lr": 1000, "steepest": 300, "conjugate_gradient": 300,
                      "lbfgs": 300, "adam": 30 * (7291 // 32)}

#: At most this many misclassified digits are drawn per run.
MAX_SHOWN = 60


@dataclass
class Run:
    """One scheme trained by one method."""

    scheme: Scheme
    method: str
    options: Dict[str, Any]        # what fit was given: lr, iterations, momentum, ...
    iterations: int                # iterations done
    seconds: float
    loss: float                    # E_in of the scheme's loss on the training set
    train_error: float             # share of training digits misclassified
    test_error: float              # share of test digits misclassified
    predicted: NDArray[np.int64]   # the predicted class of each test digit
    confusion: NDArray[np.int64]   # the test set's counts of (true, predicted) class
    history: History
    network: Network

    @property
    def label(self) -> str:
        """"softmax, minibatch": the scheme and the method, as tables and legends name it."""
        return f"{self.scheme.name}, {self.method}"


@dataclass
class TenDigitsResult:
    source: str
    n_train: int
    n_test: int
    seed: int
    dims: List[int]
    activation: Activation
    weight_decay: float
    centred: bool
    images_test: NDArray[np.float64]
    labels_test: NDArray[np.int64]
    results: List[Run] = field(default_factory=list)
    figures: List[Path] = field(default_factory=list)

    @property
    def network(self) -> str:
        """The architecture, e.g. "256-100-10, hidden relu" (the outputs are the schemes')."""
        names = hidden_activations(self.activation, len(self.dims) - 2)
        text = "-".join(map(str, self.dims))
        return f"{text}, hidden {','.join(names)}" if names else text

    def header(self) -> List[str]:
        """What was run, one fact per line: data set, task, network, seed, weight decay."""
        side = math.isqrt(self.images_test.shape[1])
        return [f"data: {self.source} ({self.n_train} training, {self.n_test} test points)",
                f"task: the ten digits from the {side}x{side} pixels",
                f"network: {self.network}",
                f"seed: {self.seed}",
                f"weight decay: lambda = {self.weight_decay:g}",
                "inputs: the grey values" + (" less the training set's mean image"
                                             if self.centred else "")]

    def title(self) -> str:
        """The same facts in two lines, for figures."""
        return (f"{self.source}: the ten digits from the pixels\n"
                f"network {self.network}, seed {self.seed}")

    def table(self) -> str:
        head = (f"{'scheme':<10}{'method':<20}{'iterations':>11}{'seconds':>9}"
                f"{'E_in (loss)':>13}{'E_in (cls)':>12}{'E_test':>9}")
        rows = [head, "-" * len(head)]
        for r in self.results:
            rows.append(f"{r.scheme.name:<10}{r.method:<20}{r.iterations:>11d}{r.seconds:>9.2f}"
                        f"{r.loss:>13.5f}{100 * r.train_error:>11.2f}%{100 * r.test_error:>8.2f}%")
        rows.append("")
        rows += [f"{s.name}: {s.description}" for s in dict.fromkeys(r.scheme for r in self.results)]
        return "\n".join(rows)


def predict(net: Network, X: np.ndarray) -> NDArray[np.int64]:
    """The class of each row: the index of the largest output."""
    return np.argmax(net.forward(X), axis=1).astype(np.int64)


def confusion_matrix(true: np.ndarray, predicted: np.ndarray,
                     classes: int = CLASSES) -> NDArray[np.int64]:
    """Counts of (true class, predicted class): rows are the true digits."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(true), np.asarray(predicted)), 1)
    return counts


def _names(given: Sequence[str], known: Sequence[str], what: str) -> List[str]:
    names = list(given)
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"unknown {what}(s) {unknown or names}; choose from {', '.join(known)}")
    return names


def run_ten_digits(data: Optional[str] = None, hidden: Sequence[int] = DEFAULT_HIDDEN,
                   activation: Activation = DEFAULT_ACTIVATION,
                   schemes: Sequence[str] = DEFAULT_SCHEMES,
                   methods: Sequence[str] = DEFAULT_METHODS, iterations: Optional[int] = None,
                   lr: Optional[Dict[str, float]] = None,
                   weight_decay: float = DEFAULT_WEIGHT_DECAY, seed: int = 1,
                   centre: bool = True, progress: Optional[bool] = None,
                   out: Optional[str] = "digits-out",
                   log: Optional[TextIO] = None) -> TenDigitsResult:
    """Run the experiment; see the module docstring. Returns the results (and writes them to
    ``out`` unless it is None).

    ``iterations``: for every method (default: :data:`DEFAULT_ITERATIONS`); ``lr``: learning
    rates by method, for every scheme (default: :data:`METHOD_SETTINGS`, :data:`SCHEME_LR`).
    ``centre``: subtract the training set's mean image from every input.
    ``progress``: progress bars on stderr, by default only when it is a terminal; without
    them one summary line per run goes to stderr."""
    from . import datasets

    log = sys.stdout if log is None else log
    schemes = _names(schemes, tuple(SCHEMES), "scheme")
    methods = _names(methods, tuple(METHODS), "method")
    if iterations is not None and iterations < 1:
        raise ValueError("iterations must be at least 1")
    train = datasets.load_digit_images(data, split="train")
    test = datasets.load_digit_images(data, split="test", notice=False)
    assert train.images is not None and test.images is not None  # load_digit_images checks
    mean = train.images.mean(axis=0) if centre else np.zeros(train.images.shape[1])
    X_train, X_test = train.images - mean, test.images - mean
    dims = [X_train.shape[1], *[int(h) for h in hidden], CLASSES]
    result = TenDigitsResult(train.source, len(X_train), len(X_test), seed, dims, activation,
                             weight_decay, centre, test.images, test.labels)
    for line in result.header():
        print(line, file=log)
    if progress is None:
        progress = sys.stderr.isatty()
    for name in schemes:
        scheme = SCHEMES[name]
        T = datasets.one_hot(train.labels, CLASSES, off=scheme.off)
        for method in methods:
            options = _options(scheme, method, iterations, lr or {}, seed)
            # the same seed for every run: the same hidden weights (and the same order)
            net = Network(dims, activation, scheme.output, scheme.loss, seed=seed)
            start = time.perf_counter()
            history = net.fit(X_train, T, weight_decay=weight_decay, record_every="log",
                              progress=progress, **options)
            seconds = time.perf_counter() - start
            predicted = predict(net, X_test)
            run = Run(scheme, method, options, int(history.iterations_done), seconds,
                      float(net.error(X_train, T)),
                      float(np.mean(predict(net, X_train) != train.labels)),
                      float(np.mean(predicted != test.labels)), predicted,
                      confusion_matrix(test.labels, predicted), history, net)
            result.results.append(run)
            if not progress:
                summary(run.label, run.iterations, run.loss, run.test_error, run.seconds)
    finish(result, write_outputs, out, log)
    return result


def _options(scheme: Scheme, method: str, iterations: Optional[int], lr: Dict[str, float],
             seed: int) -> Dict[str, Any]:
    """fit's options for one run: the method's settings, the scheme's lr, the given ones."""
    options = {"method": method, **METHOD_SETTINGS[method],
               "iterations": DEFAULT_ITERATIONS[method] if iterations is None else iterations}
    options["lr"] = lr.get(method, SCHEME_LR.get((scheme.name, method), options["lr"]))
    if "seed" in method_options(method):
        options["seed"] = seed
    return options


def write_outputs(result: TenDigitsResult, out: Path, log: Optional[TextIO] = None) -> List[Path]:
    """results.txt (header and table), results.csv (a row per run), histories.csv and the
    figures; returns the paths written. Without matplotlib the figures are skipped with a
    one-line note on ``log`` (stdout by default)."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "results.txt", out / "results.csv", out / "histories.csv"]
    with open(written[0], "w") as f:
        f.write("\n".join(result.header()) + "\n\n" + result.table() + "\n")
    what = [result.source, result.network, result.seed]
    with open(written[1], "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["data", "network", "seed", "scheme", "output", "loss", "method", "lr",
                    "momentum", "batch_size", "weight_decay", "iterations", "seconds",
                    "E_in_loss", "E_in_percent", "E_test_percent"])
        for r in result.results:
            w.writerow([*what, r.scheme.name, r.scheme.output, r.scheme.loss, r.method,
                        r.options["lr"], r.options.get("momentum", ""),
                        r.options.get("batch_size", ""), result.weight_decay, r.iterations,
                        f"{r.seconds:.3f}", repr(r.loss), f"{100 * r.train_error:.2f}",
                        f"{100 * r.test_error:.2f}"])
    with open(written[2], "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["data", "network", "seed", "scheme", "method", "iteration", "error",
                    "augmented_error", "lr", "seconds", "evaluations", "function_evaluations"])
        for r in result.results:
            t = r.history.as_table()
            del t["validation_error"]  # no validation set here
            for row in zip(*t.values()):
                w.writerow([*what, r.scheme.name, r.method, *row])
    try:
        from .plots import plot_confusion_matrices, plot_error_curves, plot_misclassified
        written.append(plot_confusion_matrices(result, out / "confusion_matrices.png"))
        for r in result.results:
            path = out / f"misclassified-{r.scheme.name}-{r.method}.png"
            written.append(plot_misclassified(result, r, path, MAX_SHOWN))
        written.append(plot_error_curves(result, out / "error_curves.png"))
    except ImportError as e:  # matplotlib is optional: the numbers are written all the same
        print(f"figures skipped: {e}", file=sys.stdout if log is None else log)
    return written
