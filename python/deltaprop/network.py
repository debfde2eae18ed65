"""The lecture's network as a Python object: a thin layer over the C++ core.

``Network([d0, d1, ..., dL])`` has weight matrices ``W^(l)`` of shape ``(d^(l-1) + 1, d^(l))``
whose row 0 holds the biases; ``net.weights[l-1]`` is ``W^(l)``, a numpy view of the C++ buffer.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type, Union, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import _core, _model_codec, distributed, training
from ._checks import as_float, check_seed
from ._types import CoreNetwork, FloatArray, PathLike
from .diagnostics import as_array
from .history import History

if TYPE_CHECKING:
    from .trace import Trace

_IMPLEMENTATIONS: Dict[np.dtype[Any], Union[Type[_core.Network64], Type[_core.Network32]]] = {
    np.dtype(np.float64): _core.Network64, np.dtype(np.float32): _core.Network32}


def _check_dims(dims: Sequence[int]) -> List[int]:
    try:
        dims = list(dims)
    except TypeError:
        raise TypeError(f"dims must be a sequence of layer sizes, got {type(dims).__name__}") from None
    if len(dims) < 2:
        raise ValueError(f"dims must name at least two layers [d0, ..., dL], got {dims}")
    out = []
    for i, d in enumerate(dims):
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"dims[{i}] must be an integer, got {d!r}")
        if d < 1:
            raise ValueError(f"dims[{i}] = {d}: every layer needs at least one unit")
        if d >= 2**31:
            raise ValueError(f"dims[{i}] = {d} is absurdly large")
        out.append(int(d))
    return out


def _hidden_activations(activation: Union[str, Sequence[str]], n_hidden: int) -> List[str]:
    """One θ name per hidden layer, from one name for all or a sequence of them."""
    if isinstance(activation, str):
        return [activation] * n_hidden
    try:
        names = list(activation)
    except TypeError:
        raise TypeError(f"activation must be a name ({', '.join(_core.ACTIVATIONS)}) or a "
                        f"sequence of them, got {activation!r}") from None
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"activation must be a name ({', '.join(_core.ACTIVATIONS)}) or a "
                            f"sequence of them, got {name!r} in {activation!r}")
    return names  # the core checks the count against the hidden layers


class Network:
    """A fully connected network: layers ``l = 0..L`` of dimension ``d^(l)``, a θ per layer.

    Parameters
    ----------
    dims : sequence of int
        ``[d0, d1, ..., dL]``: inputs, hidden layer widths, outputs.
    activation : str or sequence of str, default "tanh"
        θ of the hidden layers, one of ``deltaprop.ACTIVATIONS`` ("tanh", "logistic", "relu",
        "identity"): one name for every hidden layer, or one per hidden layer.
    output : str, default "tanh"
        θ of the output layer, one of ``deltaprop.OUTPUTS``: ``"tanh"`` to classify with ±1
        targets (decide by ``sign``, the lecture's), ``"identity"`` to regress, ``"logistic"``
        for yes/no probabilities, ``"softmax"`` for class probabilities (at least 2 outputs).
    loss : str, optional
        ``"squared_error"``, E_in = (1/N) Σ ‖h(x_n) − y_n‖² (the lecture's; with tanh, identity
        and logistic outputs), or ``"cross_entropy"``, E_in = −(1/N) Σ_n Σ_k y_nk ln h_k(x_n)
        for softmax (targets: rows of class probabilities, one-hot for labels) and
        −(1/N) Σ [y ln h + (1 − y) ln(1 − h)] for logistic (targets in [0, 1]). None picks
        cross_entropy for softmax and squared_error otherwise; other pairs raise ValueError.
    dtype : numpy dtype, float64 (default) or float32
        float64 for exact checks, float32 for speed.
    seed : int, optional
        Seeds the initial weights, each ``W^(l)_ij ~ N(0, 1/(d^(l-1)+1))`` (twice that variance
        for a relu layer, He's scaling); the same seed gives the same weights on every
        platform. ``None`` draws a seed (kept in ``net.seed``).

    Notes
    -----
    Threads: ``fit``, ``gd_step``, ``sgd_epoch``, ``forward``, ``error`` and
    ``error_and_gradient`` release the GIL, so other Python threads run meanwhile. While
    ``fit``, ``gd_step`` or ``sgd_epoch`` runs on a network, another call that changes it
    (``fit``, ``gd_step``, ``sgd_epoch``, assigning ``weights``, ``set_flat_weights``,
    ``initialize``), from another thread or from fit's callback, raises
    ``RuntimeError("network is busy: ...")`` and changes nothing. Reading calls (``forward``,
    ``error``, ``weights``, saving) proceed and see the weights as they are at that moment,
    possibly midway through an update; writing into the ``weights`` views bypasses the guard.
    A running call keeps the network alive: deleting the last reference to it from another
    thread frees it only after the call returns.

    Examples
    --------
    >>> import numpy as np, deltaprop
    >>> net = deltaprop.Network([2, 10, 1], seed=1)
    >>> [w.shape for w in net.weights]
    [(3, 10), (11, 1)]
    """

    seed: Optional[int]
    _impl: CoreNetwork

    def __init__(self, dims: Sequence[int], activation: Union[str, Sequence[str]] = "tanh",
                 output: str = "tanh", loss: Optional[str] = None,
                 dtype: DTypeLike = np.float64, seed: Optional[int] = None) -> None:
        dims = _check_dims(dims)
        hidden = _hidden_activations(activation, len(dims) - 2)
        # the core checks the names against its own lists, and the pair
        if not isinstance(output, str):
            raise TypeError(f"output must be one of the names {', '.join(_core.OUTPUTS)}; "
                            f"got {output!r}")
        if loss is not None and not isinstance(loss, str):
            raise TypeError(f"loss must be None or one of the names {', '.join(_core.LOSSES)}; "
                            f"got {loss!r}")
        try:
            dt = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"dtype must be float64 or float32, got {dtype!r}") from None
        if dt not in _IMPLEMENTATIONS:
            raise TypeError(f"dtype must be float64 or float32, got {dt}")
        self.seed = secrets.randbits(63) if seed is None else check_seed(seed)
        self._impl = _IMPLEMENTATIONS[dt](dims, hidden, output, loss or "", self.seed)

    # --- structure -----------------------------------------------------------------------
    @property
    def dims(self) -> List[int]:
        """``[d0, ..., dL]``."""
        return list(self._impl.dims)

    @property
    def activation(self) -> Tuple[str, ...]:
        """θ of each hidden layer (empty without hidden layers)."""
        return tuple(self._impl.activation)

    @property
    def output(self) -> str:
        """θ of the output layer: ``"tanh"``, ``"identity"``, ``"logistic"`` or ``"softmax"``."""
        return self._impl.output

    @property
    def loss(self) -> str:
        """``"squared_error"`` or ``"cross_entropy"``."""
        return self._impl.loss

    @property
    def dtype(self) -> np.dtype[Any]:
        """The element type of weights and computations."""
        return np.dtype(np.float64 if isinstance(self._impl, _core.Network64) else np.float32)

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.dims) - 1

    @property
    def n_weights(self) -> int:
        """Total number of weights, biases included."""
        return self._impl.n_weights

    def __repr__(self) -> str:
        arch = "-".join(str(d) for d in self.dims)
        hidden = self.activation
        activation = hidden[0] if len(set(hidden)) == 1 else list(hidden)
        parts = f"activation={activation!r}, " if hidden and activation != "tanh" else ""
        parts += f"output={self.output!r}, "
        if self.loss != ("cross_entropy" if self.output == "softmax" else "squared_error"):
            parts += f"loss={self.loss!r}, "
        return (f"Network({self.dims}, {parts}dtype={self.dtype.name}) "
                f"# {arch}, {self.n_weights} weights")

    # --- weights -------------------------------------------------------------------------
    @property
    def weights(self) -> List[FloatArray]:
        """``[W^(1), ..., W^(L)]``, each ``(d^(l-1)+1) × d^(l)`` with the biases in row 0.

        The arrays are views of the network's own buffer: writing into them changes the
        network. Assigning a list copies it in after checking every shape and value.
        """
        return [self._impl.weight_view(l) for l in range(1, self.n_layers + 1)]

    @weights.setter
    def weights(self, new: Sequence[ArrayLike]) -> None:
        try:
            new = list(new)
        except TypeError:
            raise TypeError(f"weights must be a list of {self.n_layers} arrays, got "
                            f"{type(new).__name__}") from None
        if len(new) != self.n_layers:
            raise ValueError(f"weights must be a list of {self.n_layers} matrices, got {len(new)}")
        checked = []
        for l, (w, view) in enumerate(zip(new, self.weights), start=1):
            a = np.asarray(w)
            if a.dtype.kind not in "biuf":
                raise TypeError(f"weights[{l - 1}] (W^({l})) must hold real numbers, got dtype {a.dtype}")
            if a.shape != view.shape:
                raise ValueError(f"weights[{l - 1}] (W^({l})) has shape {a.shape}, expected {view.shape}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"weights[{l - 1}] (W^({l})) contains NaN or infinite values")
            checked.append(a)
        # one call copies all layers in, refused while fit or another step runs (see Threads)
        self._impl.assign_weights(np.concatenate([a.astype(self.dtype).ravel() for a in checked]))

    def get_flat_weights(self) -> FloatArray:
        """All weights in one vector, layer after layer, each ``W^(l)`` row by row (a copy)."""
        return np.concatenate([w.ravel() for w in self.weights])

    def set_flat_weights(self, flat: ArrayLike) -> None:
        """Set all weights from a vector laid out as by :meth:`get_flat_weights`."""
        flat = np.asarray(flat)
        if flat.shape != (self.n_weights,):
            raise ValueError(f"flat weights have shape {flat.shape}, expected ({self.n_weights},)")
        out, k = [], 0
        for view in self.weights:
            out.append(flat[k:k + view.size].reshape(view.shape))
            k += view.size
        self.weights = out

    def initialize(self, seed: Optional[int] = None) -> "Network":
        """Redraw small random weights (see the class docstring); returns self."""
        seed = secrets.randbits(63) if seed is None else check_seed(seed)
        self._impl.initialize(seed)
        self.seed = seed
        return self

    # --- saving and pickling (the model file format, docs/model-format.md) ---------------
    def save(self, path: PathLike, extra: Optional[Mapping[str, ArrayLike]] = None) -> None:
        """Save to the model file ``path``, atomically (a temporary file renamed over it);
        ``extra`` is an optional mapping of names to float64 arrays stored beside the weights.
        ``deltaprop.load(path)`` reads it back bit for bit (with ``seed`` None)."""
        _model_codec.save(self, path, extra)

    def __getstate__(self) -> Dict[str, Any]:
        """Pickling and ``copy.deepcopy`` keep the weights as model-file bytes (bit for bit)."""
        return _model_codec.getstate(self)

    def __setstate__(self, state: Dict[str, Any]) -> None:
        _model_codec.setstate(self, state)

    # --- the lecture's computations ------------------------------------------------------
    def forward(self, X: ArrayLike) -> FloatArray:
        """Forward propagation: ``h(x) = x^(L)`` for each row of X.

        X has shape ``(N, d0)`` (or ``(d0,)`` for one point). Returns ``(N, dL)``
        (``(dL,)`` for one point). A dask array X gives a dask array, computed lazily on the
        workers (``deltaprop.distributed.forward``) with the weights as they are now.
        """
        if distributed.is_dask(X):
            return cast(FloatArray, distributed.forward(self, X))
        out = self._impl.forward(as_array(X, "X"))
        return out[0] if np.ndim(X) == 1 else out

    predict = forward

    def decide(self, X: ArrayLike) -> FloatArray:
        """``sign(h(x))``: the classification of each point (+1 where h(x) = 0)."""
        h = self.forward(X)
        return np.where(h >= 0, 1, -1).astype(h.dtype)

    def error(self, X: ArrayLike, y: ArrayLike) -> float:
        """In-sample error ``E_in = (1/N) Σ_n ||h(x_n) - y_n||²``. Dask arrays give a 0-d dask
        array, computed lazily on the workers (``float(...)`` computes it)."""
        if distributed.is_dask(X) or distributed.is_dask(y):
            return cast(float, distributed.error(self, X, y))
        return self._impl.error(as_array(X, "X"), as_array(y, "y"))

    def error_and_gradient(self, X: ArrayLike, y: ArrayLike) -> Tuple[float, List[FloatArray]]:
        """``(E_in, [G^(1), ..., G^(L)])`` by backpropagation; ``G^(l) = ∂E_in/∂W^(l)``,
        shaped like ``W^(l)``."""
        # a list of float64 or of float32 arrays, as the network's dtype (List is invariant)
        return cast(Tuple[float, List[FloatArray]],
                    self._impl.error_and_gradient(as_array(X, "X"), as_array(y, "y")))

    def trace(self, x: Any, y: Any) -> "Trace":
        """One point's pass, layer by layer: s^(l), x^(l) and δ^(l) as the core computes them
        (the table of the book's Example 7.1). x has shape ``(d0,)``; returns a
        :class:`deltaprop.trace.Trace`, whose ``repr`` is that table."""
        from .trace import trace
        return trace(self, x, y)

    def gd_step(self, X: ArrayLike, y: ArrayLike, lr: float) -> float:
        """One gradient-descent step ``W ← W − lr·∇E_in(W)``; returns E_in before it."""
        return self._impl.gd_step(as_array(X, "X"), as_array(y, "y"), as_float(lr, "lr"))

    def sgd_epoch(self, X: ArrayLike, y: ArrayLike, lr: float, seed: int = 0) -> float:
        """N stochastic gradient-descent updates, one point each, in an order drawn from
        ``seed``; returns the mean error of the points met (each before its update)."""
        return self._impl.sgd_epoch(as_array(X, "X"), as_array(y, "y"), as_float(lr, "lr"),
                                    check_seed(seed))

    def objective(self, X: ArrayLike, y: ArrayLike, *, weight_decay: float = 0.0,
                  weight_elimination: float = 0.0) -> Any:
        """E_aug and its gradient on (X, y) as a function of the flat weights, for
        ``scipy.optimize``: ``f = net.objective(X, y)``, then ``f(w)`` returns ``(E, g)`` with
        ``E`` a float and ``g`` a float64 vector, both for ``w`` laid out as by
        :meth:`get_flat_weights` (float64; a float32 network computes in float32).
        ``scipy.optimize.minimize(f, net.get_flat_weights(), jac=True, method="L-BFGS-B")``
        then trains the network, and ``net.set_flat_weights(result.x)`` keeps the result.

        The network and the data are copied when the objective is made: calling it never
        changes this network, and later changes to the network do not reach it. Its
        ``evaluations`` counts the calls. E is E_in plus the penalty named, as in :meth:`fit`.
        """
        penalty, lam = training.penalty_option(weight_decay, weight_elimination)
        X, y = as_array(X, "X"), as_array(y, "y")
        if isinstance(self._impl, _core.Network64):
            return _core.Objective64(self._impl, X, y, penalty, lam)
        return _core.Objective32(self._impl, X, y, penalty, lam)

    def fit(self, X: ArrayLike, y: ArrayLike, method: str = "gd", lr: Optional[float] = None,
            iterations: int = 1000, **options: Any) -> History:
        """Train the network on (X, y): a whole run in one C++ call, the GIL released.

        Parameters
        ----------
        X, y : array_like
            Training inputs ``(N, d0)`` and targets ``(N,)`` or ``(N, dL)``.
            Dask arrays train on a Dask cluster with the full-batch methods (gd, variable_lr,
            steepest, conjugate_gradient, lbfgs), the data staying on the workers.
        method : str
            ``"gd"``, ``"sgd"``, ``"minibatch"``, ``"variable_lr"``, ``"steepest"``,
            ``"conjugate_gradient"``, ``"lbfgs"`` or ``"adam"`` (``deltaprop.METHODS`` says
            when to use each).
        lr : float or None
            Learning rate η; None: the method's default (0.1; adam 0.001; lbfgs 1.0). For
            steepest, conjugate_gradient and lbfgs the length ``‖Δw‖`` of the first trial step.
        iterations : int
            Budget of iterations: weight updates for gd, sgd, minibatch and adam (an SGD epoch
            is N of them), trials for variable_lr, line-search steps for steepest,
            conjugate_gradient and lbfgs.
        **options
            ``batch_size=32``, ``momentum=0``, ``weight_decay=0`` or ``weight_elimination=0``
            (λ of E_aug = E_in + (λ/N) Σ w² or Σ w²/(1+w²), over all weights including biases),
            ``increase=1.1`` and ``decrease=0.5`` (variable_lr's α and β),
            ``restart_every=0`` (conjugate gradients; 0 = every n_weights steps),
            ``c1=1e-4``, ``c2`` (0.1; lbfgs 0.9) and ``max_line_evaluations=20`` (the
            strong-Wolfe line search of steepest, conjugate_gradient and lbfgs),
            ``memory=10`` (lbfgs's pairs), ``beta1=0.9``, ``beta2=0.999``, ``eps=1e-8``
            (adam),
            ``validation=(X_val, y_val)`` (early stopping: the weights of the lowest validation
            error are restored at the end), ``patience`` (validations without improvement before
            stopping), ``record_every`` (int, ``"log"``, or None for about 1000 rows, and for sgd and
            minibatch at most one an epoch, since each row costs a pass over the data),
            ``target_error``, ``grad_tol``, ``max_seconds``, ``callback`` (called with a dict at
            each recorded iteration; returning False stops), ``progress=False`` (a progress bar),
            ``seed=0`` (the orders of sgd, minibatch and adam), ``client`` (X and y as dask
            arrays: the ``distributed`` client to train on, None for the running one; see
            docs/distributed.md). ``batch_size``, ``momentum``,
            ``increase``, ``decrease``, ``restart_every``, ``seed``, ``grad_tol`` and the
            line-search and adam options apply to some methods only (``deltaprop.training.method_options(method)`` lists a method's):
            giving one to another method raises ValueError.

        Returns
        -------
        History
            The recorded iterations (see :class:`deltaprop.History`).

        Raises
        ------
        ValueError
            Weights that are NaN or infinite before training (naming the first, as
            ``W^(l)[i, j]``), options out of range or not applying to ``method``, or data of the wrong shape, with NaN or infinite
            values, or, from pandas, with missing values.
        DivergenceError
            E_in or the weights became NaN or infinite; the last finite weights are restored.
        KeyboardInterrupt
            On Ctrl-C, within a fraction of a second; the network keeps the weights of the last
            completed iteration.

        Warns
        -----
        deltaprop.TargetWarning
            Targets in {0, 1} or boolean on a tanh output (which needs ±1).
        deltaprop.InputScaleWarning
            Inputs far outside [-1, 1] (scale them, e.g. with ``deltaprop.MinMaxScaler``).
        deltaprop.SaturationWarning
            The run stopped on ``grad_tol`` with most hidden outputs saturated: the gradient
            vanished in stuck units, not at a minimum (usually an lr far too large).
        These come at the end of the run (see ``deltaprop.diagnostics``).
        """
        return training.fit(self, X, y, method=method, lr=lr, iterations=iterations, **options)
