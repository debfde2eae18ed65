"""Type stubs of ``deltaprop._core``, the pybind11 extension built from cpp/bindings/.

Kept in the repository and checked against the built module by tests/test_stubs.py: every
public name, method and parameter name here must match the extension's. Parameters the
bindings leave unnamed (pybind11 calls them ``arg0``, ``arg1``, ...) are positional-only.

Users see ``deltaprop.Network``; these classes are its engine (``Network._impl``).
"""

from typing import Any, Callable, Dict, Generic, List, Optional, Sequence, SupportsFloat, SupportsIndex, SupportsInt, Tuple, TypeVar, Union, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from typing_extensions import Buffer

_Int = Union[SupportsInt, SupportsIndex]
_Float = Union[SupportsFloat, SupportsIndex]
_T = TypeVar("_T", np.float64, np.float32)
#: The extra arrays of a model file: (name, float64 array) pairs.
_Extras = List[Tuple[str, NDArray[np.float64]]]

__version__: str
ACTIVATIONS: Tuple[str, ...]
OUTPUTS: Tuple[str, ...]
LOSSES: Tuple[str, ...]
METHODS: Dict[str, str]
FULL_BATCH_METHODS: Tuple[str, ...]

class DivergenceError(ArithmeticError):
    """E_in or the weights became NaN or infinite during training."""

class ModelFileError(ValueError):
    """A model file or model bytes that cannot be read or written."""

    kind: Optional[str]
    path: Optional[str]

class _Network(Generic[_T]):
    """The methods Network64 and Network32 share, on float64 and float32 weights."""

    def __init__(self, dims: Sequence[_Int], hidden: Sequence[str], output: str, loss: str,
                 seed: _Int) -> None: ...
    @property
    def dims(self) -> List[int]: ...
    @property
    def activation(self) -> Tuple[str, ...]: ...
    @property
    def output(self) -> str: ...
    @property
    def loss(self) -> str: ...
    @property
    def n_weights(self) -> int: ...
    def weight_view(self, layer: _Int) -> NDArray[_T]: ...
    def assign_weights(self, flat: ArrayLike) -> None: ...
    def initialize(self, seed: _Int) -> None: ...
    def forward(self, X: ArrayLike, /) -> NDArray[_T]: ...
    def error(self, X: ArrayLike, y: ArrayLike, /) -> float: ...
    def error_and_gradient(self, X: ArrayLike, y: ArrayLike, /) -> Tuple[float, List[NDArray[_T]]]: ...
    def gd_step(self, X: ArrayLike, y: ArrayLike, lr: _Float, /) -> float: ...
    def sgd_epoch(self, X: ArrayLike, y: ArrayLike, lr: _Float, seed: _Int, /) -> float: ...
    def trace(
        self, X: ArrayLike, y: ArrayLike, /
    ) -> Tuple[List[NDArray[_T]], List[NDArray[_T]], List[NDArray[_T]], float]: ...
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        options: Dict[str, Union[str, float, int]],
        Xv: Optional[ArrayLike],
        yv: Optional[ArrayLike],
        callback: Optional[Callable[[Dict[str, float]], object]],
        progress: Optional[Callable[[int, int, float], object]],
    ) -> Dict[str, Any]: ...
    def fit_objective(
        self,
        f: Callable[[NDArray[_T], bool], Union[float, Tuple[float, ArrayLike]]],
        n_points: _Int,
        options: Dict[str, Union[str, float, int]],
        validation_error: Optional[Callable[[NDArray[_T]], float]],
        callback: Optional[Callable[[Dict[str, float]], object]],
        progress: Optional[Callable[[int, int, float], object]],
    ) -> Dict[str, Any]:
        """The training loop on ``f(w, gradient)``: E_in, or (E_in, ∇E_in) when gradient is
        True (the full-batch methods). An exception from ``f`` ends the run on the last
        finished step's weights and carries ``deltaprop_iteration``, the iterations done."""

class Network64(_Network[np.float64]):
    """The C++ network on float64 weights (use deltaprop.Network)."""

class Network32(_Network[np.float32]):
    """The C++ network on float32 weights (use deltaprop.Network)."""

class _Objective(Generic[_T]):
    """E_aug and its gradient on fixed data, as a function of flat float64 weights (use
    deltaprop.Network.objective)."""

    def __call__(self, w: ArrayLike) -> Tuple[float, NDArray[np.float64]]: ...
    @property
    def n_weights(self) -> int: ...
    @property
    def evaluations(self) -> int: ...

class Objective64(_Objective[np.float64]):
    """The objective of a Network64."""

    def __init__(self, net: Network64, X: ArrayLike, y: ArrayLike, penalty: str,
                 lambda_: _Float, /) -> None: ...

class Objective32(_Objective[np.float32]):
    """The objective of a Network32 (computed in float32)."""

    def __init__(self, net: Network32, X: ArrayLike, y: ArrayLike, penalty: str,
                 lambda_: _Float, /) -> None: ...

def set_num_threads(n_threads: _Int, /) -> None: ...
def method_options(method: str) -> List[str]: ...
def get_num_threads() -> int: ...
@overload
def model_to_bytes(net: Network64, extras: _Extras) -> bytes: ...
@overload
def model_to_bytes(net: Network32, extras: _Extras) -> bytes: ...
@overload
def save_model(path: Union[str, bytes], net: Network64, extras: _Extras) -> None: ...
@overload
def save_model(path: Union[str, bytes], net: Network32, extras: _Extras) -> None: ...
def model_from_bytes(data: Buffer) -> Tuple[Union[Network64, Network32], _Extras]: ...
def load_model(path: Union[str, bytes]) -> Tuple[Union[Network64, Network32], _Extras]: ...
