"""The record of a training run: :class:`History`, what ``Network.fit`` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

import numpy as np
from numpy.typing import NDArray


@dataclass
class History:
    """The course of a training run, one row per recorded iteration.

    Attributes
    ----------
    iteration : ndarray of int
        Iteration numbers (0 is the start). An iteration is one weight update for gd, sgd and
        minibatch, one trial for variable_lr, one line-search step for steepest and
        conjugate_gradient.
    error : ndarray
        E_in on the training data at that iteration.
    augmented_error : ndarray
        E_aug = E_in + the weight penalty (equal to ``error`` without one).
    validation_error : ndarray
        E_val on the validation data (NaN without it).
    lr : ndarray
        The learning rate in force (the line-search step for those methods).
    seconds : ndarray
        Wall-clock seconds since the start.
    evaluations : ndarray
        Passes over the training data so far: points propagated / N (a full error or gradient
        evaluation is 1, a mini-batch B/N, an SGD update 1/N; validation is not counted).
    function_evaluations : ndarray
        Work in the unit a method's own steps pay for: evaluations of the objective (E_in, or
        E_in and its gradient) for the full-batch methods; point or batch gradients for sgd,
        minibatch and adam.
    stop_reason : str
        ``"iterations"``, ``"target_error"``, ``"gradient_tolerance"``, ``"time_limit"``,
        ``"patience"``, ``"callback"`` or ``"line_search"`` (no further decrease found).
    best_iteration : int
        With validation data: the iteration whose weights were restored.
    notes : list of str
        What the methods reported along the way, ``"iteration k: ..."``: line searches that
        ended without the Wolfe conditions (on the lowest point seen), restarts, why a run
        stalled.
    """

    iteration: NDArray[np.int64]
    error: NDArray[np.float64]
    augmented_error: NDArray[np.float64]
    validation_error: NDArray[np.float64]
    lr: NDArray[np.float64]
    seconds: NDArray[np.float64]
    evaluations: NDArray[np.float64]
    function_evaluations: NDArray[np.float64]
    stop_reason: str
    iterations_done: int
    best_iteration: int
    best_validation_error: float
    notes: List[str] = field(default_factory=list)
    method: str = ""
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.iteration)

    def as_table(self) -> Dict[str, NDArray[Any]]:
        """The recorded columns, for a CSV or a DataFrame."""
        return {k: getattr(self, k) for k in
                ("iteration", "error", "augmented_error", "validation_error", "lr", "seconds",
                 "evaluations", "function_evaluations")}

