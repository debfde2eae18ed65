"""Min-max scaling of features to [-1, 1], the range where tanh units are neither saturated
nor linear: the digits experiment and the scikit-learn estimators both scale with it."""

from __future__ import annotations

from typing import Tuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MinMaxScaler"]


class MinMaxScaler:
    """Map each column linearly to [-1, 1] using the minimum and maximum seen by :meth:`fit`.

    ``x ↦ (x - c) / r`` with centre ``c = (max_ + min_) / 2`` and half-range
    ``r = (max_ - min_) / 2``. Fit it on the training set and apply the same map to test data
    (which may then fall slightly outside [-1, 1]). A constant column has ``r = 0``; it is
    mapped by ``x - c`` instead, so its training value goes to 0.

    Attributes
    ----------
    min_, max_ : ndarray, shape (d,)
        Per-column minimum and maximum of the training data, set by :meth:`fit`.
    """

    def fit(self, X: ArrayLike) -> MinMaxScaler:
        X = self._check(X, "X")
        if len(X) == 0:
            raise ValueError("X: cannot fit the scaling on zero rows")
        self.min_, self.max_ = X.min(axis=0), X.max(axis=0)
        return self

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        centre, half_range = self._map()
        X = self._check(X, "X")
        if X.shape[1] != len(centre):
            raise ValueError(f"X has {X.shape[1]} columns; the scaling was fit on {len(centre)}")
        return (X - centre) / half_range

    def fit_transform(self, X: ArrayLike) -> NDArray[np.float64]:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: ArrayLike) -> NDArray[np.float64]:
        """The original values of scaled ``Z`` (e.g. to label plot axes in raw units)."""
        centre, half_range = self._map()
        return self._check(Z, "Z") * half_range + centre

    def _map(self) -> Tuple[NDArray[np.float64], NDArray[np.float64]]:
        if not hasattr(self, "min_"):
            raise RuntimeError("MinMaxScaler is not fitted yet: call fit(X_train) first")
        half_range = (self.max_ - self.min_) / 2
        return (self.max_ + self.min_) / 2, np.where(half_range > 0, half_range, 1.0)

    @staticmethod
    def _check(X: ArrayLike, name: str) -> NDArray[np.float64]:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"{name} must be two-dimensional (rows are points), got shape {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        return X
