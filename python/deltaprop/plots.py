"""Figures of the digits experiments (matplotlib, PNG, no screen needed): the error curves of
both, the decision boundaries of digit-versus-rest, and the confusion matrices and misclassified
digits of the ten-digit experiment."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np


def _figure(**options: Any) -> Any:
    """A figure that only goes to a file. Made without pyplot, it needs no display and leaves
    matplotlib's backend alone, so a notebook or a GUI session that calls these keeps its own."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("figures need matplotlib: pip install 'deltaprop[plot]'") from None
    return Figure(**options)


def plot_error_curves(result: Any, path: Path) -> Path:
    """log10(E_in) against log10(iteration) for every method (or scheme and method: a
    result's ``label`` when it has one), on one plot, saved to ``path``."""
    return _save(error_curves_figure(result), path, dpi=120)


def error_curves_figure(result: Any) -> Any:
    """The figure of :func:`plot_error_curves` (a matplotlib Figure, left open)."""
    fig = _figure(figsize=(7, 4.8))
    ax = fig.subplots()
    for r in result.results:
        h = r.history
        keep = (h.iteration > 0) & (h.error > 0)
        ax.plot(np.log10(h.iteration[keep]), np.log10(h.error[keep]),
                label=getattr(r, "label", r.method))
    ax.set_xlabel("log10(iteration)")
    ax.set_ylabel("log10(E_in)")
    ax.set_title(result.title(), fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_decision_boundaries(result: Any, path: Path, resolution: int = 300) -> Path:
    """Each trained network's decision boundary sign(h(x)) = 0 in the (average intensity,
    symmetry) plane, over the test points, saved to ``path``."""
    return _save(decision_boundaries_figure(result, resolution), path, dpi=110)


def decision_boundaries_figure(result: Any, resolution: int = 300) -> Any:
    """The figure of :func:`plot_decision_boundaries` (a matplotlib Figure, left open): one
    panel per method, titled with its E_test and showing the test points that E_test counts,
    the digit and the other digits marked differently."""
    n = len(result.results)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = _figure(figsize=(4.2 * cols, 3.8 * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False)
    X, y = result.X_test, result.y_test
    u = np.linspace(-1.05, 1.05, resolution)
    g1, g2 = np.meshgrid(u, u)
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    for ax, r in zip(axes.ravel(), result.results):
        h = r.network.forward(grid).reshape(g1.shape)
        ax.contourf(g1, g2, h, levels=[-np.inf, 0, np.inf], colors=["#f3d9d9", "#d9e6f3"], alpha=0.9)
        ax.contour(g1, g2, h, levels=[0], colors="k", linewidths=1.2)
        others = y < 0
        ax.scatter(X[others, 0], X[others, 1], s=4, marker="x", c="#c0392b", linewidths=0.5,
                   label="other digits (test)")
        ax.scatter(X[~others, 0], X[~others, 1], s=6, marker="o", facecolors="none",
                   edgecolors="#1f4e9c", linewidths=0.6, label=f"digit {result.digit} (test)")
        ax.set_title(f"{r.method}: E_test {100 * r.test_error:.2f}% ({len(y)} test points)",
                     fontsize=9)
        ax.set_xlabel("average intensity (scaled)")
        ax.set_ylabel("symmetry (scaled)")
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    axes.ravel()[0].legend(loc="lower right", fontsize=8, markerscale=2)
    fig.suptitle(result.title(), fontsize=10)
    fig.tight_layout()
    return fig


def plot_confusion_matrices(result: Any, path: Path) -> Path:
    """The test set's confusion matrix of each run of the ten-digit experiment, saved to
    ``path``."""
    return _save(confusion_matrices_figure(result), path, dpi=110, bbox_inches="tight")


def confusion_matrices_figure(result: Any) -> Any:
    """The figure of :func:`plot_confusion_matrices` (a matplotlib Figure, left open): one
    panel per run, rows the true digits and columns the predicted ones, each cell its count.
    The mistakes (off the diagonal) are shaded by their count; the diagonal is green."""
    n = len(result.results)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = _figure(figsize=(4.6 * cols, 4.5 * rows + 0.8))
    # room for each panel's two-line title below the tick labels above it
    axes = fig.subplots(rows, cols, squeeze=False, gridspec_kw=dict(hspace=0.45, wspace=0.3))
    for ax, r in zip(axes.ravel(), result.results):
        counts = r.confusion
        diagonal = np.eye(len(counts), dtype=bool)
        wrong = np.where(diagonal, np.nan, counts)
        top = max(1.0, float(np.nanmax(wrong)))
        ax.imshow(np.where(diagonal, 1.0, np.nan), cmap="Greens", vmin=0, vmax=4)
        ax.imshow(wrong, cmap="Reds", vmin=0, vmax=top)
        for i, j in np.ndindex(counts.shape):
            if counts[i, j] or i == j:
                dark = i != j and counts[i, j] > 0.6 * top
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")
        ax.set_xticks(np.arange(len(counts)))
        ax.set_yticks(np.arange(len(counts)))
        ax.set_xlabel("predicted digit")
        ax.set_ylabel("true digit")
        errors = int(counts.sum() - np.trace(counts))
        ax.set_title(f"{r.label}: E_test {100 * r.test_error:.2f}%\n"
                     f"({errors} of {int(counts.sum())} test digits misclassified)", fontsize=9)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.suptitle(result.title(), fontsize=10)
    return fig


def plot_misclassified(result: Any, run: Any, path: Path, most: int = 60) -> Path:
    """The test digits ``run`` misclassified, as images with their true and predicted digit,
    saved to ``path``."""
    return _save(misclassified_figure(result, run, most), path, dpi=110)


def misclassified_figure(result: Any, run: Any, most: int = 60) -> Any:
    """The figure of :func:`plot_misclassified` (a matplotlib Figure, left open): the first
    ``most`` misclassified test digits in the order of the test set, ten to a row, each as its
    k×k grey image (ink dark) titled "true → predicted"."""
    wrong = np.flatnonzero(run.predicted != result.labels_test)
    shown = wrong[:most]
    cols = 10
    rows = max(1, math.ceil(len(shown) / cols))
    fig = _figure(figsize=(1.1 * cols, 1.25 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    side = math.isqrt(result.images_test.shape[1])
    for ax, i in zip(axes.ravel(), shown):
        ax.imshow(result.images_test[i].reshape(side, side), cmap="gray_r", vmin=-1, vmax=1,
                  interpolation="nearest")
        ax.set_title(f"{result.labels_test[i]} → {run.predicted[i]}", fontsize=9)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.ravel()[len(shown):]:
        ax.axis("off")
    n = len(result.labels_test)
    what = (f"the first {len(shown)} shown" if len(wrong) > len(shown) else "all shown")
    if not len(wrong):
        what = "none to show"
    fig.suptitle(f"{result.title()}\n{run.label}: {len(wrong)} of {n} test digits misclassified "
                 f"(E_test {100 * run.test_error:.2f}%), {what}; each titled true → predicted",
                 fontsize=9)
    return fig


def _save(fig: Any, path: Path, dpi: int, **options: Any) -> Path:
    fig.savefig(path, dpi=dpi, **options)
    return path
