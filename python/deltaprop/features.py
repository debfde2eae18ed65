"""The two features of the course's digits experiment: average intensity and symmetry.

With ``x`` the k·k grey values of an image in [-1, 1] (-1 is the background) and ``I`` the
same values as a k×k image, row by row:

    intensity = mean((x + 1) / 2)                                   in [0, 1]
    symmetry  = -4 · ( mean|I - fliplr(I)| + mean|I - flipud(I)| )  in [-16, 0]

For the 16×16 USPS digits the symmetry is -(Σ|I - fliplr(I)| + Σ|I - flipud(I)|) / 64, the
course's definition; the mean form scales it the same way for any square size. Computed from
``zip.train`` / ``zip.test`` these reproduce the course's ``features.train`` / ``features.test``
(see ``../shared/data/README.md`` for the derivation).
"""

from __future__ import annotations

import math
from typing import Tuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["intensity", "symmetry", "digit_features"]


def _as_images(images: ArrayLike, name: str = "images") -> Tuple[NDArray[np.float64], int]:
    """Validate ``images`` and return them as (N, k, k) float64, with k."""
    x = np.asarray(images, dtype=np.float64)
    if x.ndim == 2:
        n, width = x.shape
        k = math.isqrt(width)
        if width == 0 or k * k != width:
            raise ValueError(f"{name}: rows of {width} values are not square images "
                             f"(expected k*k values per row, e.g. 256 for 16x16)")
        x = x.reshape(n, k, k)
    elif x.ndim == 3:
        if x.shape[1] != x.shape[2] or x.shape[1] == 0:
            raise ValueError(f"{name}: images of shape {x.shape[1:]} are not square")
    else:
        raise ValueError(f"{name}: expected shape (N, k*k) or (N, k, k), got {x.shape} "
                         f"(a single image needs shape (1, k*k) or (1, k, k))")
    if np.isnan(x).any():
        row = int(np.argwhere(np.isnan(x))[0][0])
        raise ValueError(f"{name}: image {row} contains NaN")
    outside = (x < -1) | (x > 1)
    if outside.any():
        where = tuple(np.argwhere(outside)[0])
        raise ValueError(f"{name}: grey values must lie in [-1, 1]; image {int(where[0])} has "
                         f"{float(x[where])!r} at pixel {tuple(int(i) for i in where[1:])}")
    return x, x.shape[1]


def intensity(images: ArrayLike) -> NDArray[np.float64]:
    """Average intensity mean((x + 1) / 2) of each image, in [0, 1].

    Parameters
    ----------
    images : array_like, shape (N, k*k) or (N, k, k)
        Grey values in [-1, 1], one image per row.

    Returns
    -------
    ndarray, shape (N,)
    """
    return _intensity(*_as_images(images))


def symmetry(images: ArrayLike) -> NDArray[np.float64]:
    """Symmetry -4·(mean|I - fliplr(I)| + mean|I - flipud(I)|) of each image, in [-16, 0].

    0 for an image symmetric about both axes; for 16×16 images it equals the course's
    -(Σ|I - fliplr(I)| + Σ|I - flipud(I)|) / 64.

    Parameters
    ----------
    images : array_like, shape (N, k*k) or (N, k, k)
        Grey values in [-1, 1], one image per row (row-major k×k).

    Returns
    -------
    ndarray, shape (N,)
    """
    return _symmetry(*_as_images(images))


def digit_features(images: ArrayLike) -> NDArray[np.float64]:
    """The experiment's inputs: columns [intensity, symmetry], shape (N, 2)."""
    I, k = _as_images(images)
    return np.column_stack([_intensity(I, k), _symmetry(I, k)])


def _intensity(I: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    # mean(x)/2 + 1/2 is mean((x+1)/2). Summing the pixels left to right (not numpy's pairwise
    # sum) and in this order of operations reproduces the course's printed features.* digit for
    # digit; the pairwise sum differs in the last bit and flips some half-way roundings.
    x = I.reshape(len(I), k * k)
    total = np.zeros(len(x))
    for pixel in x.T:
        total += pixel
    return total / (k * k) / 2 + 0.5


def _symmetry(I: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    left_right = np.abs(I - I[:, :, ::-1]).sum(axis=(1, 2))
    up_down = np.abs(I - I[:, ::-1, :]).sum(axis=(1, 2))
    # -4 · sum / k² written as sum / (k²/4): for k = 16 that is the course's exact /64.
    return -(left_right + up_down) / (k * k / 4)
