"""The digits data of the lecture: readers for the course's files, where to find them, and the
two transformations the experiment applies (one digit versus the rest, scaling to [-1, 1]).

Two file formats, plain or gzipped (detected by the gzip magic bytes, not the name):

- ``zip.train`` / ``zip.test`` (USPS digits): per line a label, then the k·k grey values of a
  k×k image row by row, in [-1, 1] (k = 16 for USPS). Read by :func:`read_zip`.
- ``features.train`` / ``features.test`` (the course's features): per line the digit, the
  average intensity and the symmetry. Read by :func:`read_features`.

Both readers are strict: a short line, a non-number, a label that is not an integer 0-9, a
value outside its range, the wrong number of columns, an empty line or an empty file raise a
:class:`DataFormatError` that names the file and the line. Nothing is ever partly loaded.

:func:`load_digits` finds the data (by default the course's files shipped with the package,
:mod:`deltaprop.shipped_data`): see its docstring for the order. :func:`load_digit_images`
does the same for the images (zip.* only), which the ten-digit experiment reads, and
:func:`one_hot` makes its targets.
"""

from __future__ import annotations

import io
import math
import os
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._text_files import DataFormatError, read_text
from ._types import PathLike
from .features import digit_features
from .scaling import MinMaxScaler

__all__ = ["DataFormatError", "Digits", "read_zip", "read_features", "load_digits",
           "load_digit_images", "SKLEARN_8X8", "user_data_dir", "one_versus_all", "one_hot",
           "MinMaxScaler"]


#: the splits, and the file names looked for in a data folder, most preferred first: the
#: course's own features.* when present, else features computed from the zip.* images.
SPLITS = ("train", "test")
FILE_NAMES = ("features.{split}", "features.{split}.gz", "zip.{split}", "zip.{split}.gz")
#: the file names looked for by :func:`load_digit_images`: the images only
IMAGE_FILE_NAMES = ("zip.{split}", "zip.{split}.gz")

#: how outputs name the shipped zip.train / zip.test, read as images
SHIPPED_IMAGES = "USPS images (shipped)"

#: the name that chooses scikit-learn's 8x8 digits in load_digits (and ``--data``)
SKLEARN_8X8 = "sklearn-8x8"

#: share of scikit-learn's 1797 digits used for training (the first 2/3, in the order it ships)
SKLEARN_TRAIN_FRACTION = 2 / 3


# ---------------------------------------------------------------------------------------------
# Reading the two formats


def read_zip(path: PathLike) -> Tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Read a USPS ``zip.train`` / ``zip.test`` file (plain or gzipped).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    images : ndarray of float64, shape (N, k*k)
        Grey values in [-1, 1], each row a k×k image row by row (k = 16 for USPS).
    labels : ndarray of int64, shape (N,)
        The digits 0-9.

    Raises
    ------
    DataFormatError
        When the file does not have that format; the message names the file and the line.
    """
    return _zip_from_table(path, _read_table(path))


def _zip_from_table(path: PathLike, table: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    k = math.isqrt(table.shape[1] - 1)
    if k < 2 or k * k != table.shape[1] - 1:
        raise DataFormatError(path, 1, f"expected a label and k*k grey values (257 columns for "
                                       f"16x16 images), found {table.shape[1]} columns")
    labels = _labels(path, table)
    _check_range(path, table[:, 1:], -1.0, 1.0, "grey value")
    return table[:, 1:], labels


def read_features(path: PathLike) -> Tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Read the course's ``features.train`` / ``features.test`` (plain or gzipped).

    Returns
    -------
    features : ndarray of float64, shape (N, 2)
        Columns [average intensity, symmetry], as defined in :mod:`deltaprop.features`:
        intensity must lie in [0, 1] and symmetry in [-16, 0].
    labels : ndarray of int64, shape (N,)

    Raises
    ------
    DataFormatError
        When the file does not have that format; the message names the file and the line.
    """
    return _features_from_table(path, _read_table(path, columns=3))


def _features_from_table(path: PathLike, table: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    labels = _labels(path, table)
    _check_range(path, table[:, 1:2], 0.0, 1.0, "intensity")
    _check_range(path, table[:, 2:3], -16.0, 0.0, "symmetry")
    return table[:, 1:], labels


def _read_table(path: PathLike, columns: Optional[int] = None) -> np.ndarray:
    """The file as a (lines, columns) float64 table, every line checked to hold the same number
    of numbers (``columns`` when given)."""
    text = read_text(path)
    if not text:
        raise DataFormatError(path, 1, "the file is empty")
    try:
        # numpy's C parser for the usual, well-formed file; its errors and its skipping of
        # blank lines are caught below, and only then does _diagnose walk the lines in Python.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data"
            table = np.loadtxt(io.StringIO(text), dtype=np.float64, ndmin=2, comments=None)
    except ValueError:
        table = None
    lines = text.count("\n") + (not text.endswith("\n"))
    # loadtxt skips blank lines; a row count short of the line count means some were skipped
    if table is None or len(table) != lines or (columns is not None and table.shape[1] != columns):
        _diagnose(path, text, columns)
        raise DataFormatError(path, None, "could not be read as a table of numbers")
    return table


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(nan|inf|infinity)", re.I)


def _diagnose(path: PathLike, text: str, columns: Optional[int]) -> None:
    """Find the first bad line of a file numpy could not read, and raise its error (the slow
    path, only taken for bad files)."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()  # the nothing after the final newline
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            raise DataFormatError(path, number, "empty line")
        if columns is None:
            columns = len(fields)
        if len(fields) != columns:
            raise DataFormatError(path, number, f"expected {columns} columns, found {len(fields)}")
        for column, field in enumerate(fields, start=1):
            if not _NUMBER.fullmatch(field):
                raise DataFormatError(path, number, f"column {column}: {field!r} is not a number")


def _labels(path: PathLike, table: np.ndarray) -> np.ndarray:
    label = table[:, 0]
    bad = ~np.isin(label, np.arange(10))
    if bad.any():
        row = int(np.argmax(bad))
        raise DataFormatError(path, row + 1, f"label {float(label[row])!r} is not a digit 0-9")
    return label.astype(np.int64)


def _check_range(path: PathLike, values: np.ndarray, low: float, high: float, what: str) -> None:
    bad = ~((values >= low) & (values <= high))  # NaN is bad too
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise DataFormatError(path, row + 1, f"{what} {float(values[row, column])!r} is outside "
                                             f"[{low:g}, {high:g}]")


# ---------------------------------------------------------------------------------------------
# Finding the data


@dataclass
class Digits:
    """One split of a digits data set.

    Attributes
    ----------
    features : ndarray, shape (N, 2)
        [average intensity, symmetry] per point.
    labels : ndarray of int64, shape (N,)
        The digits 0-9.
    source : str
        Where the data came from: a file path, "USPS features (shipped)" (the copy shipped
        with deltaprop), or scikit-learn's 8x8 digits.
    split : str
        "train" or "test".
    images : ndarray, shape (N, k*k), or None
        Grey values in [-1, 1] when the source holds images (zip.* or scikit-learn), None when
        it was a features.* file.
    """

    features: NDArray[np.float64]
    labels: NDArray[np.int64]
    source: str
    split: str
    images: Optional[NDArray[np.float64]] = None

    def __len__(self) -> int:
        return len(self.labels)


def user_data_dir() -> Path:
    """The user's deltaprop data folder: ``$XDG_DATA_HOME/deltaprop``, else
    ``~/.local/share/deltaprop`` (where ``deltaprop fetch-data`` writes)."""
    base = os.environ.get("XDG_DATA_HOME", "")
    # the XDG specification says to ignore a relative path here
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "deltaprop"


def load_digits(data: Optional[PathLike] = None, split: str = "train", *,
                notice: bool = True) -> Digits:
    """Load one split of the digits data.

    Parameters
    ----------
    data : str or path-like, optional
        A folder, a file, or the name ``"sklearn-8x8"``.

        In a folder the first of ``features.<split>``, ``features.<split>.gz``,
        ``zip.<split>``, ``zip.<split>.gz`` found is read: the course's own features when
        present, else the features computed from the images. A file is read as either format
        (told apart by its number of columns); if its name has a ``.train`` or ``.test`` part
        naming the other split, the file beside it with that part swapped is read instead
        (``zip.train`` → ``zip.test``), so one path serves both splits. A file whose name
        names neither split is read for both.

        ``"sklearn-8x8"`` (:data:`SKLEARN_8X8`) chooses the 8×8 digits that scikit-learn
        ships (1797 images, 0..16 rescaled to [-1, 1] by x/8 - 1, the same features): the
        first 2/3 in scikit-learn's order (1198 points) are "train" and the remaining 599 are
        "test". Their two features separate the digits much less well than USPS's; they are
        never used unless named (a folder of that name is reached as ``./sklearn-8x8``).

        When None, the first of these that exists is used:

        1. ``$DELTAPROP_DATA`` (a folder, file or name as above; an error if it is set but
           unusable);
        2. the user data folder (:func:`user_data_dir`, where ``deltaprop fetch-data``
           writes), if it holds files for both splits;
        3. the course's features.train / features.test shipped with deltaprop
           (:mod:`deltaprop.shipped_data`), their checksums checked;

        and a one-line notice on stderr says which.
    split : {"train", "test"}
    notice : bool
        Print the notice when ``data`` is None.

    Returns
    -------
    Digits

    Raises
    ------
    DataFormatError
        A file that does not have its format, or a shipped file whose checksum does not match.
    FileNotFoundError
        A given path (or ``$DELTAPROP_DATA``) that holds no data for ``split``.
    ImportError
        ``"sklearn-8x8"`` without scikit-learn installed.
    """
    from . import shipped_data
    return _load(data, split, notice, FILE_NAMES, "features", shipped_data.DESCRIPTION)


def load_digit_images(data: Optional[PathLike] = None, split: str = "train", *,
                      notice: bool = True) -> Digits:
    """Load one split of the digits as images: the pixels, for the ten-digit experiment.

    As :func:`load_digits`, but a folder is searched for ``zip.<split>`` and
    ``zip.<split>.gz`` only, the user data folder counts when it holds those for both splits,
    and the default is the ``zip.train`` / ``zip.test`` shipped with deltaprop (source
    :data:`SHIPPED_IMAGES`). ``"sklearn-8x8"`` gives scikit-learn's 8×8 images.

    Returns
    -------
    Digits
        With ``images`` of shape (N, k*k), grey values in [-1, 1] (k = 16 for USPS), and
        the two features computed from them.

    Raises
    ------
    DataFormatError
        A file without images (a features.* file), or one that does not have its format.
    FileNotFoundError, ImportError
        As for :func:`load_digits`.
    """
    digits = _load(data, split, notice, IMAGE_FILE_NAMES, "zip", SHIPPED_IMAGES)
    if digits.images is None:
        raise DataFormatError(digits.source, None, "holds features, not images: the ten-digit "
                                                   "experiment needs the pixels (zip.train, zip.test)")
    return digits


def _load(data: Optional[PathLike], split: str, notice: bool, names: Tuple[str, ...],
          shipped: str, description: str) -> Digits:
    """load_digits and load_digit_images: ``data``, else the first of $DELTAPROP_DATA, the
    user data folder (holding ``names`` for both splits) and the shipped ``<shipped>.<split>``,
    named ``description``."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if data is not None:
        return _load_named_or_path(data, split, names)
    env = os.environ.get("DELTAPROP_DATA")
    if env:
        digits = _load_named_or_path(env, split, names)
        why = "$DELTAPROP_DATA"
    elif all(_find_in_folder(user_data_dir(), s, names) for s in SPLITS):
        digits = _load_path(user_data_dir(), split, names)
        why = "the user data folder"
    else:
        from . import shipped_data
        digits = _load_file(shipped_data.shipped_file(f"{shipped}.{split}"), split)
        digits.source = description
        why = f"{shipped}.{split} shipped with deltaprop, checksum verified"
    if notice:
        print(f"deltaprop: {split} data: {digits.source} ({why})", file=sys.stderr)
    return digits


def _load_named_or_path(data: PathLike, split: str, names: Tuple[str, ...]) -> Digits:
    if isinstance(data, str) and data == SKLEARN_8X8:
        return _sklearn_digits(split)
    return _load_path(Path(data), split, names)


def _find_in_folder(folder: Path, split: str, names: Tuple[str, ...]) -> Optional[Path]:
    for name in names:
        path = folder / name.format(split=split)
        if path.is_file():
            return path
    return None


def _load_path(path: Path, split: str, names: Tuple[str, ...]) -> Digits:
    if path.is_dir():
        found = _find_in_folder(path, split, names)
        if found is None:
            looked = ", ".join(n.format(split=split) for n in names)
            raise FileNotFoundError(f"no {split} data in {path} (looked for {looked})")
        return _load_file(found, split)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    parts = path.name.split(".")
    other = SPLITS[1 - SPLITS.index(split)]
    if other in parts:
        sibling = path.with_name(".".join(split if p == other else p for p in parts))
        if not sibling.is_file():
            raise FileNotFoundError(f"{path} holds {other} data; the {split} data should be in "
                                    f"{sibling}, which does not exist")
        path = sibling
    return _load_file(path, split)


def _load_file(path: Path, split: str) -> Digits:
    table = _read_table(path)
    if table.shape[1] == 3:
        features, labels = _features_from_table(path, table)
        return Digits(features, labels, str(path), split)
    images, labels = _zip_from_table(path, table)
    return Digits(digit_features(images), labels, str(path), split, images)


def _sklearn_digits(split: str) -> Digits:
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError:
        raise ImportError(f"the {SKLEARN_8X8!r} digits come from scikit-learn, which is not "
                          f"installed: pip install 'deltaprop[sklearn]' (or use the USPS "
                          f"data shipped with deltaprop: load_digits() with no path)") from None
    bunch = sklearn_load_digits()
    images = bunch.data.astype(np.float64) / 8 - 1  # 0..16 → [-1, 1], background -1 as in USPS
    labels = bunch.target.astype(np.int64)
    n_train = int(len(labels) * SKLEARN_TRAIN_FRACTION)
    part = slice(0, n_train) if split == "train" else slice(n_train, len(labels))
    first, last = part.indices(len(labels))[:2]
    source = f"scikit-learn's 8x8 digits, points {first}-{last - 1} of {len(labels)}"
    return Digits(digit_features(images[part]), labels[part], source, split, images[part])


# ---------------------------------------------------------------------------------------------
# The experiment's transformations


def one_versus_all(labels: ArrayLike, digit: int = 1) -> NDArray[np.float64]:
    """+1 where the label is ``digit``, -1 elsewhere (float64), the lecture's "1 versus not 1"."""
    if isinstance(digit, bool) or not isinstance(digit, (int, np.integer)) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an integer 0-9, got {digit!r}")
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {labels.shape}")
    return np.where(labels == digit, 1.0, -1.0)


def one_hot(labels: ArrayLike, classes: int = 10, off: float = 0.0) -> NDArray[np.float64]:
    """Targets of the ten-digit experiment, one row per label and one column per class: 1 in
    the label's column and ``off`` elsewhere (float64). ``off=0`` gives one-hot rows, the
    class probabilities of softmax with cross-entropy; ``off=-1`` gives the lecture's ±1
    targets of tanh outputs."""
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {labels.shape}")
    if labels.size and (labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must be integers 0-{classes - 1}")
    T = np.full((len(labels), int(classes)), float(off))
    T[np.arange(len(labels)), labels] = 1.0
    return T
