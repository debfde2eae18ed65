"""deltaprop: the neural network of Learning From Data, lecture 21, in C++ with Python bindings.

Forward propagation, backpropagation of the sensitivities δ, the in-sample error E_in and its
gradient, and gradient-descent training, computed by a C++ core.

>>> import numpy as np, deltaprop
>>> net = deltaprop.Network([2, 10, 1], seed=0)
>>> X, y = np.array([[0.5, -0.2]]), np.array([1.0])
>>> deltaprop.check_gradient(net, X, y).passed
True
"""

from typing import TYPE_CHECKING, Any

# Load the OpenBLAS of the scipy-openblas32 wheel before the extension that links it (the
# extension also finds it by its RPATH; this makes the order explicit).
import scipy_openblas32 as _openblas  # noqa: F401

from . import _core
from ._core import ACTIVATIONS, LOSSES, OUTPUTS, DivergenceError, get_num_threads, set_num_threads
from .datasets import (DataFormatError, Digits, MinMaxScaler, load_digits, one_versus_all,
                       read_features, read_zip, user_data_dir)
from .diagnostics import InputScaleWarning, SaturationWarning, TargetWarning
from .features import digit_features, intensity, symmetry
from .fetch import FetchError, fetch_data
from .gradcheck import GradientCheck, check_gradient, numerical_gradient
from .model_file import ModelFileError, load
from .network import Network
from .history import History
from .trace import Trace
from .training import METHODS

if TYPE_CHECKING:
    from .estimators import NeuralNetClassifier, NeuralNetRegressor

__version__ = _core.__version__


def __getattr__(name: str) -> Any:
    # The estimators need scikit-learn (optional): import them on first use.
    if name in ("NeuralNetClassifier", "NeuralNetRegressor"):
        from . import estimators
        return getattr(estimators, name)
    raise AttributeError(f"module 'deltaprop' has no attribute {name!r}")

__all__ = [
    "Network",
    "NeuralNetClassifier",
    "NeuralNetRegressor",
    "History",
    "Trace",
    "TargetWarning",
    "InputScaleWarning",
    "SaturationWarning",
    "METHODS",
    "ACTIVATIONS",
    "OUTPUTS",
    "LOSSES",
    "DivergenceError",
    "ModelFileError",
    "load",
    "GradientCheck",
    "check_gradient",
    "numerical_gradient",
    "get_num_threads",
    "set_num_threads",
    "DataFormatError",
    "Digits",
    "MinMaxScaler",
    "load_digits",
    "one_versus_all",
    "read_features",
    "read_zip",
    "user_data_dir",
    "digit_features",
    "intensity",
    "symmetry",
    "FetchError",
    "fetch_data",
    "__version__",
]
