"""Issue 19's optimizer benchmark: E_in against evaluations and against seconds for every
deltaprop method, scipy's L-BFGS-B, CG and BFGS on ``net.objective``, and scikit-learn's MLP
(adam, lbfgs), on the digits (2-10-1 on the two features; 256-100-10 on the USPS pixels, tanh
with ±1 targets and squared error, and softmax with cross-entropy), and the issue's targets.

    python benchmarks/optimizers.py --figure optimizers.png      # the full run, several minutes
    python benchmarks/optimizers.py --quick                      # a smoke run, a few seconds

Evaluations are passes over the training data (``History.evaluations``: a full E_in and
gradient is 1, a mini-batch B/N); for scipy, calls of the objective. Every method of one
problem starts from the same weights. The data are the files shipped with deltaprop unless
``--data`` names a folder with features.train/test and zip.train/test.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np

import deltaprop
from deltaprop.datasets import load_digit_images, load_digits


@dataclass
class Problem:
    name: str
    dims: List[int]
    output: str
    X: np.ndarray
    Y: np.ndarray
    X_test: np.ndarray
    labels_test: np.ndarray
    labels: np.ndarray

    def network(self, seed: int) -> deltaprop.Network:
        return deltaprop.Network(self.dims, output=self.output, seed=seed)

    def test_error(self, h: np.ndarray) -> float:
        """The share of test points misclassified from the outputs h."""
        if h.shape[1] == 1:
            return float(np.mean(np.where(h[:, 0] >= 0, 1, -1) != self.labels_test))
        return float(np.mean(np.argmax(h, axis=1) != self.labels_test))


@dataclass
class Run:
    problem: str
    solver: str
    evaluations: np.ndarray  # passes over the training data, at each point of the trace
    seconds: np.ndarray
    error: np.ndarray        # E_in (the problem's loss), lowest so far for scipy
    e_test: float
    note: str = ""
    extra: Dict[str, Any] = field(default_factory=dict)


def features_problem(data: Optional[str], n: Optional[int]) -> Problem:
    train, test = (load_digits(data, split, notice=False) for split in ("train", "test"))
    lo, hi = train.features.min(axis=0), train.features.max(axis=0)
    scale = lambda F: 2 * (F - lo) / (hi - lo) - 1  # noqa: E731
    y, y_test = (np.where(d.labels == 1, 1.0, -1.0) for d in (train, test))
    X = scale(train.features)[:n]
    return Problem("2-10-1 features", [2, 10, 1], "tanh", X, y[:n, None], scale(test.features),
                   y_test, y[:n])


def pixels_problem(data: Optional[str], output: str, n: Optional[int]) -> Problem:
    train, test = (load_digit_images(data, split, notice=False) for split in ("train", "test"))
    off = 0.0 if output == "softmax" else -1.0
    Y = np.full((len(train.labels), 10), off)
    Y[np.arange(len(train.labels)), train.labels] = 1.0
    name = "256-100-10 " + ("softmax" if output == "softmax" else "tanh")
    return Problem(name, [train.images.shape[1], 100, 10], output, train.images[:n], Y[:n],
                   test.images, test.labels, train.labels[:n])


def deltaprop_run(p: Problem, method: str, iterations: int, seed: int = 0, **options: Any) -> Run:
    net = p.network(seed)
    h = net.fit(p.X, p.Y, method=method, iterations=iterations, **options)
    return Run(p.name, method, h.evaluations, h.seconds, h.error, p.test_error(net.forward(p.X_test)),
               h.stop_reason if h.stop_reason != "iterations" else "",
               {"history": h, "function_evaluations": h.function_evaluations[-1]})


def scipy_run(p: Problem, method: str, iterations: int, seed: int = 0) -> Run:
    from scipy.optimize import minimize
    net = p.network(seed)
    f = net.objective(p.X, p.Y)
    trace: List[tuple] = []
    start = time.perf_counter()

    def timed(w: np.ndarray) -> Any:
        e, g = f(w)
        trace.append((time.perf_counter() - start, e))
        return e, g

    per_iteration: List[float] = []  # E after each iteration
    options: Dict[str, Any] = {"maxiter": iterations}
    if method == "L-BFGS-B":  # run all iterations: no tolerance stops
        options.update(ftol=0.0, gtol=0.0)
    else:
        options.update(gtol=0.0)
    def callback(intermediate_result: Any) -> None:  # scipy passes the result by this name
        per_iteration.append(float(intermediate_result.fun))

    r = minimize(timed, net.get_flat_weights(), jac=True, method=method, options=options,
                 callback=callback)
    net.set_flat_weights(r.x)
    seconds = np.array([t for t, _ in trace])
    error = np.minimum.accumulate([e for _, e in trace])
    return Run(p.name, f"scipy {method}", np.arange(1, len(trace) + 1, dtype=float), seconds,
               error, p.test_error(net.forward(p.X_test)), "",
               {"per_iteration": per_iteration, "nfev": r.nfev, "nit": r.nit})


_SKLEARN_RUNS: Dict[tuple, Run] = {}  # one fit per setting: the table and target 3 share it


def sklearn_run(p: Problem, solver: str, iterations: int, seed: int = 0) -> Run:
    key = (p.name, solver, iterations, seed)
    if key not in _SKLEARN_RUNS:
        _SKLEARN_RUNS[key] = _sklearn_fit(p, solver, iterations, seed)
    return _SKLEARN_RUNS[key]


def _sklearn_fit(p: Problem, solver: str, iterations: int, seed: int) -> Run:
    """scikit-learn's MLP with the problem's hidden width: the classifier (softmax,
    cross-entropy) for the softmax problem, else the regressor on the ±1 targets (an identity
    output: scikit-learn has no tanh output). Default settings otherwise (relu hidden units,
    alpha 1e-4, batches of 200)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    common = dict(hidden_layer_sizes=(p.dims[1],), solver=solver, max_iter=iterations,
                  random_state=seed)
    model: Any
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if p.output == "softmax":
            model = MLPClassifier(**common).fit(p.X, p.labels)
            seconds = time.perf_counter() - start
            P = np.clip(model.predict_proba(p.X), 1e-300, 1)
            e_in = float(-np.mean(np.log(P[np.arange(len(p.X)), p.labels])))
            e_test = float(np.mean(model.predict(p.X_test) != p.labels_test))
        else:
            model = MLPRegressor(**common).fit(p.X, p.Y.ravel() if p.Y.shape[1] == 1 else p.Y)
            seconds = time.perf_counter() - start
            h = model.predict(p.X).reshape(len(p.X), -1)
            e_in = float(np.mean(np.sum((h - p.Y) ** 2, axis=1)))
            e_test = p.test_error(model.predict(p.X_test).reshape(len(p.X_test), -1))
    epochs = model.n_iter_ if solver == "adam" else getattr(model, "n_iter_", iterations)
    return Run(p.name, f"sklearn {solver}", np.array([float(epochs)]), np.array([seconds]),
               np.array([e_in]), e_test, "relu hidden; " + ("classifier" if p.output == "softmax"
                                                          else "regressor, identity output"))


# --- the settings -------------------------------------------------------------------------------
DELTAPROP = {  # method: (iterations full, quick), options
    "gd": ((2000, 20), dict(lr=0.5)),
    "variable_lr": ((2000, 20), {}),
    "steepest": ((500, 10), {}),
    "conjugate_gradient": ((500, 10), {}),
    "lbfgs": ((500, 10), {}),
    "sgd": ((20, 1), dict(lr=0.01)),          # epochs
    "minibatch": ((50, 1), dict(lr=0.1)),     # epochs
    "adam": ((50, 1), dict(lr=0.003)),        # epochs
}
STOCHASTIC_BATCH = {"sgd": 1, "minibatch": 32, "adam": 32}


def every_method(p: Problem, quick: bool, big: bool) -> List[Run]:
    runs = []
    for method, ((full, small), options) in DELTAPROP.items():
        iterations = small if quick else (full if not big else max(1, full // 4))
        if method in STOCHASTIC_BATCH:  # epochs to updates
            iterations *= max(1, len(p.X) // STOCHASTIC_BATCH[method])
            if method != "sgd":
                options = dict(options, batch_size=STOCHASTIC_BATCH[method])
        if big and method in ("gd",):
            options = dict(options, lr=0.05, momentum=0.9)
        runs.append(deltaprop_run(p, method, iterations, record_every="log", **options))
    n = 10 if quick else (150 if big else 500)
    for method in ("L-BFGS-B", "CG") + (() if big else ("BFGS",)):
        runs.append(scipy_run(p, method, n))
    for solver in ("adam", "lbfgs"):
        runs.append(sklearn_run(p, solver, 5 if quick else (200 if solver == "adam" else 500)))
    return runs


# --- the targets ----------------------------------------------------------------------------------
def lbfgs_against_scipy(p: Problem, ks: List[int], seed: int = 0) -> Dict[str, Any]:
    """E_in after k iterations of deltaprop's lbfgs and scipy's L-BFGS-B from the same start
    (the network of `seed`), and each one's seconds per evaluation."""
    ours = deltaprop_run(p, "lbfgs", max(ks), seed=seed, record_every=1)
    theirs = scipy_run(p, "L-BFGS-B", max(ks), seed=seed)
    h = ours.extra["history"]
    rows = []
    for k in ks:
        e_ours = float(h.error[min(k, len(h.error) - 1)])
        per = theirs.extra["per_iteration"]
        e_scipy = per[min(k, len(per)) - 1]
        rows.append((k, e_ours, e_scipy, e_ours / e_scipy))
    ours_per = h.seconds[-1] / h.function_evaluations[-1]
    scipy_per = theirs.seconds[-1] / theirs.extra["nfev"]
    return {"rows": rows, "ours_per_eval": ours_per, "scipy_per_eval": scipy_per,
            "speed": scipy_per / ours_per, "ours_stop": h.stop_reason}


def ten_digit_e_test(p: Problem, seeds: List[int], iterations: int) -> Dict[str, List[float]]:
    out: Dict[str, List[float]] = {}
    for method in ("conjugate_gradient", "lbfgs"):
        out[method] = []
        for seed in seeds:
            r = deltaprop_run(p, method, iterations, seed=seed, record_every=iterations)
            out[method].append(r.e_test)
            if r.note:
                out.setdefault("notes", []).append(f"{method} seed {seed}: stopped on {r.note}")
    return out


def adam_against_sklearn(p: Problem, seeds: List[int], quick: bool) -> List[Dict[str, Any]]:
    """Target 3, model for model: scikit-learn's MLPClassifier with its defaults (100 relu
    hidden units, softmax and cross-entropy, adam with lr 1e-3, alpha = 1e-4, batches of 200,
    stopped by its tolerance) against deltaprop's adam on the same model, given half of
    scikit-learn's seconds. The same objective: scikit-learn adds (alpha/2)‖W‖²/200 to the
    mean cross-entropy, deltaprop's weight decay (λ/N)‖w‖², so λ = alpha·N/400 (deltaprop's
    sum includes the biases, scikit-learn's does not). deltaprop's batches are of 32 (its
    mini-batch default; a batch of 200 is one block on one core, see RESULTS.md). One row per
    seed: both start from that seed, each in its own way."""
    rows = []
    alpha = 1e-4  # scikit-learn's default
    for seed in seeds:
        theirs = sklearn_run(p, "adam", 5 if quick else 200, seed=seed)  # relu hidden
        budget = 0.5 * float(theirs.seconds[-1])
        net = deltaprop.Network(p.dims, activation="relu", output="softmax", seed=seed)
        h = net.fit(p.X, p.Y, method="adam", iterations=10**9, max_seconds=budget, batch_size=32,
                    lr=1e-3, weight_decay=alpha * len(p.X) / 400, record_every=10**6)
        rows.append({"seed": seed, "sklearn_seconds": float(theirs.seconds[-1]),
                     "sklearn_epochs": float(theirs.evaluations[-1]), "sklearn_e_test": theirs.e_test,
                     "ours_seconds": float(h.seconds[-1]),
                     "ours_e_test": p.test_error(net.forward(p.X_test)),
                     "ours_epochs": h.iterations_done * 32 / len(p.X)})
    return rows


# --- report ---------------------------------------------------------------------------------------
def table(runs: List[Run]) -> str:
    lines = [f"{'problem':<20} {'solver':<22} {'evals':>8} {'seconds':>8} {'E_in':>10} {'E_test':>7}  note",
             "-" * 90]
    for r in runs:
        lines.append(f"{r.problem:<20} {r.solver:<22} {r.evaluations[-1]:>8.0f} "
                     f"{r.seconds[-1]:>8.2f} {r.error[-1]:>10.5f} {100 * r.e_test:>6.2f}%  {r.note}")
    return "\n".join(lines)


def figure(runs: List[Run], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    problems = list(dict.fromkeys(r.problem for r in runs))
    fig, axes = plt.subplots(len(problems), 2, figsize=(12, 4 * len(problems)), squeeze=False)
    for row, name in zip(axes, problems):
        for r in (r for r in runs if r.problem == name):
            style = "o" if len(r.error) == 1 else "-"
            for ax, x in zip(row, (r.evaluations, r.seconds)):
                ax.plot(np.maximum(x, 1e-3), r.error, style, label=r.solver)
        for ax, label in zip(row, ("evaluations (passes over the data)", "seconds")):
            ax.set(xscale="log", yscale="log", xlabel=label, ylabel="E_in", title=name)
        row[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny budgets and data: a smoke run")
    ap.add_argument("--figure", help="write the figure (PNG) here")
    ap.add_argument("--data", help="folder with features.* and zip.* (default: shipped files)")
    ap.add_argument("--no-targets", action="store_true", help="only the comparison table")
    args = ap.parse_args(argv)
    n = 400 if args.quick else None
    print(f"deltaprop {deltaprop.__version__}; load average before: {load()}")
    problems = [features_problem(args.data, n), pixels_problem(args.data, "tanh", n),
                pixels_problem(args.data, "softmax", n)]
    runs: List[Run] = []
    for i, p in enumerate(problems):
        runs += every_method(p, args.quick, big=i > 0)
        print(table([r for r in runs if r.problem == p.name]), flush=True)
    if args.figure:
        figure(runs, args.figure)
        print(f"wrote {args.figure}")
    if not args.no_targets:
        ks = [5, 10] if args.quick else [50, 150, 500]
        seeds = [0] if args.quick else [0, 1, 2, 3, 4]
        for p in problems[:2]:
            print(f"\n[target 1] {p.name}: lbfgs / scipy L-BFGS-B E_in after k = "
                  f"{', '.join(map(str, ks))} iterations from each seed's start (within 10%: "
                  f"ratio <= 1.10), and scipy's seconds per evaluation over lbfgs's (target >= 2x)")
            ratios, speeds = [], []
            for seed in seeds:
                t = lbfgs_against_scipy(p, ks, seed)
                ratios.append([ratio for _, _, _, ratio in t["rows"]])
                speeds.append(t["speed"])
                print(f"  seed {seed}: ratios " + " ".join(f"{r:.3f}" for r in ratios[-1]) +
                      f"; per evaluation lbfgs {1e3 * t['ours_per_eval']:.3f} ms, L-BFGS-B "
                      f"{1e3 * t['scipy_per_eval']:.3f} ms: {t['speed']:.2f}x; lbfgs stopped on "
                      f"{t['ours_stop']}")
            geo = np.exp(np.mean(np.log(ratios), axis=0))
            print("  geometric mean over the seeds: ratios " + " ".join(f"{r:.3f}" for r in geo) +
                  f"; speed {np.exp(np.mean(np.log(speeds))):.2f}x")
        e = ten_digit_e_test(problems[1], seeds, 10 if args.quick else 300)
        print(f"\n[target 2] {problems[1].name}, {10 if args.quick else 300} iterations, E_test "
              f"by seed {seeds} (target <= 8%):")
        for method in ("conjugate_gradient", "lbfgs"):
            print(f"  {method:<19} " + " ".join(f"{100 * v:.2f}%" for v in e[method]))
        for note in e.get("notes", []):
            print(f"  {note}")
        rows = adam_against_sklearn(problems[2], seeds, args.quick)
        print(f"\n[target 3] 256-100-10 relu hidden, softmax: scikit-learn's Adam MLP against "
              f"deltaprop's adam (batches of 32) in half its seconds, E_test (target: at most "
              f"scikit-learn's)")
        for a in rows:
            print(f"  seed {a['seed']}: scikit-learn {100 * a['sklearn_e_test']:.2f}% in "
                  f"{a['sklearn_seconds']:.1f} s ({a['sklearn_epochs']:.0f} epochs); deltaprop "
                  f"{100 * a['ours_e_test']:.2f}% in {a['ours_seconds']:.1f} s "
                  f"({a['ours_epochs']:.1f} epochs)")
        mean = lambda key: 100 * float(np.mean([a[key] for a in rows]))  # noqa: E731
        print(f"  mean over the seeds: scikit-learn {mean('sklearn_e_test'):.2f}%, deltaprop "
              f"{mean('ours_e_test'):.2f}%; deltaprop at most scikit-learn's in "
              f"{sum(a['ours_e_test'] <= a['sklearn_e_test'] for a in rows)} of {len(rows)} seeds")
    print(f"\nload average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
