"""Figures of the digits experiment (matplotlib, PNG, no screen needed)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ImportError("figures need matplotlib: pip install 'deltaprop[plot]'") from None
    matplotlib.use("Agg")  # files only; works without a display
    import matplotlib.pyplot as plt
    return plt


def plot_error_curves(result: Any, path: Path) -> Path:
    """log10(E_in) against log10(iteration) for every method, on one plot, saved to ``path``."""
    return _save(error_curves_figure(result), path, dpi=120)


def error_curves_figure(result: Any) -> Any:
    """The figure of :func:`plot_error_curves` (a matplotlib Figure, left open)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for r in result.results:
        h = r.history
        keep = (h.iteration > 0) & (h.error > 0)
        ax.plot(np.log10(h.iteration[keep]), np.log10(h.error[keep]), label=r.method)
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
    plt = _pyplot()
    n = len(result.results)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.8 * rows + 0.6), squeeze=False)
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


def _save(fig: Any, path: Path, dpi: int) -> Path:
    fig.savefig(path, dpi=dpi)
    _pyplot().close(fig)
    return path
