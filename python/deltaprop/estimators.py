"""scikit-learn estimators around the lecture's network: ``NeuralNetClassifier`` and
``NeuralNetRegressor``.

They add to :class:`deltaprop.Network` what a scikit-learn user expects: input validation,
labels of any kind, min-max scaling of the features, a validation split for early stopping,
``get_params``/``set_params``, and pickling (a pickle holds the fitted weights ``coefs_`` as
numpy arrays and the network is rebuilt from them, so a model travels to the worker processes
of ``GridSearchCV(n_jobs=2)`` without any help from :class:`~deltaprop.Network`).

The classifier follows the book by default (``output="tanh"``): binary labels become targets ±1
(``classes_[1]`` is +1) and the decision is ``sign(h(x))``; with K > 2 classes the network has
K outputs, the targets are +1 for the point's class and −1 elsewhere, the error is still the
squared error, and the prediction is the class of the largest output. With
``output="softmax"`` it is the usual probabilistic classifier: K outputs that are the class
probabilities (``predict_proba``), one-hot targets and the cross-entropy error; with
``output="logistic"``, one output for two classes (its probability of ``classes_[1]``),
targets 0 and 1 and the cross-entropy error.

Requires scikit-learn >= 1.6 (``validate_data`` and ``__sklearn_tags__``).
"""

from __future__ import annotations

import inspect
from numbers import Integral
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar,
                    Union, cast)

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("deltaprop's estimators need scikit-learn >= 1.6: "
                      "pip install 'deltaprop[sklearn]'") from e

from . import distributed
from ._checks import check_seed
from .experiment import Activation
from .network import Network
from ._types import FloatArray
from .scaling import MinMaxScaler
from .training import METHODS, method_options

#: Methods whose state is the weights alone, so that training can stop and resume (partial_fit).
RESUMABLE_METHODS = ("gd", "sgd", "minibatch")
_F = TypeVar("_F", bound=Callable[..., Any])

#: The outputs that are probabilities, trained on the cross-entropy with targets in [0, 1].
_PROBABILITIES = ("softmax", "logistic")

if TYPE_CHECKING:  # scikit-learn has no type information: keep the methods' own types
    def _if_resumable(method: _F) -> _F:
        return method

    _if_scores = _if_probabilities = _if_resumable
else:
    #: ``partial_fit`` exists (``hasattr``) only when ``method`` is one of RESUMABLE_METHODS.
    _if_resumable = available_if(lambda self: self.method in RESUMABLE_METHODS)
    #: ``decision_function`` exists for the outputs that are scores, ``predict_proba`` (and
    #: ``predict_log_proba``) for those that are probabilities, as in scikit-learn's MLP.
    _if_scores = available_if(lambda self: self.output not in _PROBABILITIES)
    _if_probabilities = available_if(lambda self: self.output in _PROBABILITIES)
_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
#: Parameters passed to fit only when given (None: the method's default): lbfgs's memory, adam's
#: moments and ε, the line search's Wolfe constants. Given to a method that does not read one,
#: fit raises ValueError naming it.
_METHOD_DEFAULT_OPTIONS = ("memory", "beta1", "beta2", "eps", "c1", "c2")


class _NeuralNet(BaseEstimator):
    """What the classifier and the regressor share: everything but the targets' encoding.

    Subclasses define ``_validate`` (the checks of X and y), ``_n_outputs(y, classes)`` (the
    width of the output layer, when a network starts) and ``_targets(y)`` (labels to the
    network's targets), and override ``__init__`` only to change a default (scikit-learn reads
    the parameters and their defaults from its signature).
    """

    def __init__(self, hidden_layer_sizes: Union[int, Sequence[int]] = (10,),
                 activation: Activation = "tanh", output: str = "tanh", method: str = "gd",
                 lr: Optional[float] = None, iterations: int = 1000,
                 batch_size: int = 32, momentum: float = 0.0, weight_decay: float = 0.0,
                 weight_elimination: float = 0.0, memory: Optional[int] = None,
                 beta1: Optional[float] = None, beta2: Optional[float] = None,
                 eps: Optional[float] = None, c1: Optional[float] = None,
                 c2: Optional[float] = None, early_stopping: bool = False,
                 validation_fraction: float = 0.1, patience: Optional[int] = None,
                 scale_features: bool = True, dtype: DTypeLike = np.float64,
                 random_state: Union[int, np.random.RandomState, None] = None,
                 progress: bool = False) -> None:
        # scikit-learn's rule: __init__ only stores the arguments as given, under their own
        # names (get_params, set_params and clone rely on it); fit checks them when it uses them.
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output = output
        self.method = method
        self.lr = lr
        self.iterations = iterations
        self.batch_size = batch_size
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.weight_elimination = weight_elimination
        self.memory = memory
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.c1 = c1
        self.c2 = c2
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.scale_features = scale_features
        self.dtype = dtype
        self.random_state = random_state
        self.progress = progress

    # --- parameters -------------------------------------------------------------------------
    def _hidden(self) -> List[int]:
        given: Any = self.hidden_layer_sizes  # an int or a sequence, told apart here
        sizes: List[Any] = [given] if isinstance(given, Integral) else list(given)
        for i, h in enumerate(sizes):
            if isinstance(h, bool) or not isinstance(h, Integral) or h < 1:
                raise ValueError(f"hidden_layer_sizes[{i}] must be a positive integer, got {h!r}")
        return [int(h) for h in sizes]

    def _loss(self) -> Optional[str]:
        """The loss of the network: None, Network's default for the output (subclasses choose
        another)."""
        return None

    def _dtype(self) -> "np.dtype[Any]":
        try:
            dt: Optional[np.dtype[Any]] = np.dtype(self.dtype)
        except TypeError:
            dt = None
        if dt is None or dt not in _DTYPES:
            raise ValueError(f"dtype must be float64 or float32, got {self.dtype!r}")
        return dt

    def _seeds(self) -> Tuple[int, int, int]:
        """(initial-weights seed, order seed, split seed). An integer ``random_state`` is the
        seed itself, so ``random_state=s`` starts from the weights of ``Network(dims, seed=s)``."""
        if isinstance(self.random_state, Integral) and not isinstance(self.random_state, bool):
            s = check_seed(self.random_state, "random_state")
            return s, s, s % 2**32
        rng = check_random_state(self.random_state)
        a, b, c = (int(v) for v in rng.randint(0, 2**31 - 1, size=3))
        return a, b, c

    def _fit_options(self) -> Dict[str, Any]:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}; got {self.method!r}")
        options = dict(method=self.method, lr=self.lr, iterations=self.iterations,
                       weight_decay=self.weight_decay, weight_elimination=self.weight_elimination,
                       progress=self.progress)
        # batch_size and momentum go to the methods that read them, and to the others when set
        # away from their defaults (which fit then refuses: the option does not apply)
        reads = method_options(self.method)
        defaults = inspect.signature(type(self)).parameters
        for name in ("batch_size", "momentum"):
            value = getattr(self, name)
            if name in reads or value != defaults[name].default:
                options[name] = value
        # the options whose default (None) is the method's own go to fit when given
        for name in _METHOD_DEFAULT_OPTIONS:
            if getattr(self, name) is not None:
                options[name] = getattr(self, name)
        return options

    # --- the feature scaling ----------------------------------------------------------------
    def _scale(self, X: FloatArray) -> FloatArray:
        """X mapped to [-1, 1] by the training data's ranges (:class:`deltaprop.MinMaxScaler`),
        in X's dtype; X unchanged when ``scale_features`` was off."""
        if self.scaler_ is None:
            return X
        if distributed.is_dask_array(X):  # per block of whole rows on the workers, lazily
            lazy: Any = X
            if len(lazy.chunks[1]) > 1:
                lazy = lazy.rechunk({1: -1})
            return cast(FloatArray, lazy.map_blocks(_scale_block, self.scaler_, X.dtype,
                                                    dtype=X.dtype))
        return _scale_block(X, self.scaler_, X.dtype)

    # --- training ---------------------------------------------------------------------------
    def _validate_params(self) -> None:
        self._hidden()
        self._dtype()
        self._fit_options()
        if not isinstance(self.early_stopping, (bool, np.bool_)):
            raise ValueError(f"early_stopping must be True or False, got {self.early_stopping!r}")
        if not isinstance(self.scale_features, (bool, np.bool_)):
            raise ValueError(f"scale_features must be True or False, got {self.scale_features!r}")
        if self.early_stopping and not 0.0 < self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be in (0, 1), "
                             f"got {self.validation_fraction!r}")

    def _start(self, X: np.ndarray, n_outputs: int, seed: int,
               scaler: Optional[MinMaxScaler] = None) -> None:
        """A new network and scaler for data X (or ``scaler``, fitted already): what fit does,
        and the first partial_fit."""
        if scaler is None and self.scale_features:
            scaler = MinMaxScaler().fit(X)
        self.scaler_ = scaler if self.scale_features else None
        self.feature_min_ = None if self.scaler_ is None else self.scaler_.min_
        self.feature_max_ = None if self.scaler_ is None else self.scaler_.max_
        dims = [X.shape[1], *self._hidden(), n_outputs]
        self._set_network(Network(dims, self.activation, self.output, self._loss(),
                                  self._dtype(), seed))
        self.n_iter_ = 0
        self._partial_fits = 0
        self.loss_curve_ = np.empty(0)
        self.curve_iterations_ = np.empty(0, dtype=np.int64)

    def _set_network(self, net: Network) -> None:
        self.network_ = net
        # Views of the network's buffer: coefs_ shows the weights predict uses.
        self.coefs_ = net.weights

    def _train(self, X: np.ndarray, T: np.ndarray, order_seed: int,
               validation: Optional[Tuple[np.ndarray, np.ndarray]] = None, patience: Optional[int] = None,
               client: Any = None) -> "_NeuralNet":
        """Run ``network_.fit`` on scaled X and targets T and append its history (on the
        cluster of ``client`` when X is a dask array)."""
        options = self._fit_options()
        if "seed" in method_options(self.method):
            options["seed"] = order_seed
        if distributed.is_dask_array(X):
            options["client"] = client
        h = self.network_.fit(self._scale(X), T, validation=validation, patience=patience,
                              **options)
        resumed = len(self.loss_curve_) > 0
        keep = slice(1, None) if resumed else slice(None)  # row 0 repeats the last row
        self.loss_curve_ = np.concatenate([self.loss_curve_, h.error[keep]])
        self.curve_iterations_ = np.concatenate([self.curve_iterations_,
                                                 self.n_iter_ + h.iteration[keep]])
        self.validation_curve_ = None if validation is None else h.validation_error.copy()
        self.n_iter_ += h.iterations_done
        self.history_ = h
        self._set_network(self.network_)  # fresh views, whatever the core did to its buffer
        return self

    def _fit(self, X: Any, y: Any, incremental: bool,
             classes: Optional[ArrayLike] = None, client: Any = None) -> "_NeuralNet":
        self._validate_params()
        if distributed.is_dask(X) or distributed.is_dask(y):
            if incremental:
                raise ValueError("partial_fit does not take dask arrays; use fit")
            return self._fit_dask(X, y, client)
        if client is not None:
            raise ValueError("client is for training on dask arrays; X and y are in memory")
        first = not (incremental and hasattr(self, "network_"))
        X, y = self._validate(X, y, reset=first)
        init_seed, order_seed, split_seed = self._seeds()
        if first:
            self._start(X, self._n_outputs(y, classes), init_seed)
        else:
            self._partial_fits += 1
            order_seed = (order_seed + self._partial_fits) % 2**64  # a new order each call
        T = self._targets(y)
        if incremental or not self.early_stopping:
            return self._train(X, T, order_seed)
        X, Xv, T, Tv = train_test_split(X, T, test_size=self.validation_fraction,
                                        random_state=split_seed, stratify=self._strata(y))
        return self._train(X, T, order_seed, (self._scale(Xv), Tv), self.patience)

    def _fit_dask(self, X: Any, y: Any, client: Any) -> "_NeuralNet":
        """fit on dask arrays: one pass on the cluster for the classes, the scaling ranges and
        the finiteness of X; the targets encoded per block, lazily; the training through
        ``Network.fit``'s cluster path. The client is used, never kept."""
        import dask.array as da
        distributed.check_not_dataframe(X, "X")
        distributed.check_not_dataframe(y, "y")
        distributed.check_full_batch(self.method)
        if self.early_stopping:
            raise ValueError("early_stopping does not apply to dask arrays (no split of the "
                             "data on the cluster); pass early_stopping=False")
        if not distributed.is_dask_array(X):
            raise TypeError(f"X must be a dask array when y is one (got {type(X).__name__})")
        if not distributed.is_dask_array(y):
            y = da.from_array(np.asarray(y), chunks=-1)
        if X.ndim != 2:
            raise ValueError(f"X must be two-dimensional (rows are points), got shape {X.shape}")
        self._check_dask_y(y)
        client = distributed.get_client(client)
        X = X.astype(self._dtype())
        lazy = [X.min(axis=0), X.max(axis=0), da.isfinite(X).all()]
        if self._is_classifier():
            lazy.append(da.unique(y))
        found = client.gather(client.compute(lazy))
        if not found[2]:
            raise ValueError("Input X contains NaN or infinity.")
        scaler = None
        if self.scale_features:
            scaler = MinMaxScaler()
            scaler.min_ = np.asarray(found[0], dtype=np.float64)
            scaler.max_ = np.asarray(found[1], dtype=np.float64)
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_features_in_ = X.shape[1]
        init_seed, order_seed, _ = self._seeds()
        classes = found[3] if self._is_classifier() else None
        self._start(X, self._n_outputs(y, classes), init_seed, scaler)
        return self._train(X, self._dask_targets(y), order_seed, client=client)

    def _is_classifier(self) -> bool:
        return False

    def _check_dask_y(self, y: Any) -> None:
        """The checks of a dask y that need no computing (its shape)."""

    def _dask_targets(self, y: Any) -> Any:
        """The network's targets of the dask array y, lazily, per block."""
        raise NotImplementedError

    def _validate(self, X: Any, y: Any, reset: bool) -> Tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _strata(self, y: np.ndarray) -> Optional[np.ndarray]:
        """The labels to stratify the validation split by (None: a plain random split)."""
        return None

    def _forward(self, X: Any) -> FloatArray:
        """h(x) for each row of X (validated and scaled), shape (N, dL)."""
        check_is_fitted(self, "network_")
        if distributed.is_dask(X):  # a dask array: lazily, per block on the workers
            distributed.check_not_dataframe(X, "X")
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has shape {X.shape}, but {type(self).__name__} is "
                                 f"expecting {self.n_features_in_} features as input")
            return self.network_.forward(self._scale(X.astype(self.network_.dtype)))
        X = validate_data(self, X, dtype=self.network_.dtype, reset=False)
        return self.network_.forward(self._scale(X))

    # --- pickling ---------------------------------------------------------------------------
    def __getstate__(self) -> Dict[str, Any]:
        # The state is the parameters and the fitted arrays; the Network is rebuilt from
        # coefs_ on unpickling, so pickling needs nothing from the C++ object.
        state = super().__getstate__()
        if "network_" in state:
            state = dict(state)
            net = state.pop("network_")
            state["coefs_"] = [np.array(w) for w in self.coefs_]
            state["_network_spec"] = (net.dims, net.activation, net.output, net.loss,
                                      net.dtype.name)
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        state = dict(state)
        spec = state.pop("_network_spec", None)
        super().__setstate__(state)
        if "feature_min_" in state and "scaler_" not in state:
            # pickled before the estimators kept their MinMaxScaler: rebuild it from the ranges
            self.scaler_ = None
            if self.feature_min_ is not None:
                self.scaler_ = MinMaxScaler()
                self.scaler_.min_, self.scaler_.max_ = self.feature_min_, self.feature_max_
        if "activation" not in state:  # pickled before the hidden θ could be chosen: tanh
            self.activation = "tanh"
        if spec is not None:
            if len(spec) == 3:  # (dims, output, dtype), from before activation and loss
                spec = (spec[0], "tanh", spec[1], None, spec[2])
            dims, activation, output, loss, dtype = spec
            net = Network(dims, activation, output, loss, np.dtype(dtype), seed=0)
            net.weights = self.coefs_
            self._set_network(net)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


_PARAMETERS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(10,)
        ``(d1, ..., d(L-1))``, the widths of the hidden layers; ``()`` for none.
    activation : str or sequence of str, default="tanh"
        θ of the hidden layers: "tanh", "logistic", "relu" or "identity" (see
        ``deltaprop.ACTIVATIONS``) for all of them, or one name per hidden layer.
    output : str, default="{output}"
        θ of the output layer: {outputs}
    method : str, default="gd"
        The training method of :meth:`deltaprop.Network.fit`: "gd", "sgd", "minibatch",
        "variable_lr", "steepest", "conjugate_gradient", "lbfgs" or "adam" (see
        ``deltaprop.METHODS``).
    lr : float or None, default=None
        Learning rate η; None: the method's default (0.1; adam 0.001; lbfgs 1.0). For
        steepest, conjugate_gradient and lbfgs the length of the first trial step.
    iterations : int, default=1000
        Iterations per call of ``fit`` or ``partial_fit``: weight updates for gd, sgd,
        minibatch and adam (an SGD epoch is N of them), trials for variable_lr, line-search
        steps for steepest, conjugate_gradient and lbfgs.
    batch_size : int, default=32
        Points per update of "minibatch" and "adam".
    momentum : float, default=0.0
        Momentum of gd, sgd and minibatch, in [0, 1).
    weight_decay, weight_elimination : float, default=0.0
        λ of the augmented error E_aug = E_in + (λ/N) Σ w² or (λ/N) Σ w²/(1+w²); at most one
        of them non-zero.
    memory : int or None, default=None
        The (s, y) pairs "lbfgs" keeps; None: 10.
    beta1, beta2, eps : float or None, default=None
        "adam"'s decay rates of the gradient's moments, in [0, 1), and ε > 0; None: 0.9,
        0.999 and 1e-8.
    c1, c2 : float or None, default=None
        The strong Wolfe constants of the line search of "steepest", "conjugate_gradient" and
        "lbfgs", 0 < c1 < c2 < 1; None: c1 = 1e-4, c2 = 0.1 (lbfgs 0.9).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data{stratified}, and keep the weights
        of the lowest validation error (the book's early stopping). Applies to ``fit`` only.
    validation_fraction : float, default=0.1
        The share of the training data held out when ``early_stopping`` is on.
    patience : int or None, default=None
        With ``early_stopping``: stop after this many recorded iterations (about 1000 per run)
        without a lower validation error; None trains for all ``iterations``.
    scale_features : bool, default=True
        Scale each feature to [-1, 1] by its range in the training data (a constant feature
        becomes 0) before it reaches the network. The ranges are kept in ``feature_min_`` and
        ``feature_max_`` and applied to every later input.
    dtype : float64 or float32, default=np.float64
        The network's element type; inputs are converted to it.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the order of sgd, minibatch and adam, and the validation
        split.
        An integer s is used as the seed itself, so the network starts from the weights of
        ``deltaprop.Network(dims, seed=s)``. None draws fresh seeds on each fit.
    progress : bool, default=False
        Show a progress bar while training.
"""

_ATTRIBUTES_DOC = """
    n_features_in_ : int
        The number of features seen by ``fit``.
    feature_names_in_ : ndarray of str
        The feature names seen by ``fit``, when X had string column names.
    network_ : deltaprop.Network
        The trained network ``[d0, d1, ..., dL]``, which works on scaled features.
    coefs_ : list of ndarray
        ``[W^(1), ..., W^(L)]`` in the lecture's layout: ``W^(l)`` has shape
        ``(d^(l-1) + 1, d^(l))`` and its row 0 holds the biases. Views of ``network_``'s
        weights; a pickle stores them as plain arrays and rebuilds the network from them.
    scaler_ : deltaprop.MinMaxScaler or None
        The min-max scaling of the features, fitted on the training data; None when
        ``scale_features`` is off.
    feature_min_, feature_max_ : ndarray of shape (n_features_in_,) or None
        The ranges of the min-max scaling (``scaler_.min_`` and ``scaler_.max_``); None when
        ``scale_features`` is off.
    n_iter_ : int
        Iterations done since the last ``fit`` (``partial_fit`` adds its own).
    loss_curve_ : ndarray
        E_in on the (scaled) training data, the mean squared error or, for softmax and
        logistic outputs, the mean cross-entropy, at the iterations ``curve_iterations_``;
        concatenated over ``partial_fit`` calls.
    curve_iterations_ : ndarray of int
        The iteration numbers of ``loss_curve_``.
    validation_curve_ : ndarray or None
        With ``early_stopping``: E_val of the last ``fit`` at the iterations
        ``curve_iterations_``; otherwise, and after ``partial_fit``, None.
    history_ : deltaprop.History
        The whole record of the last ``fit`` or ``partial_fit`` call.
"""


def _document(cls: type, **fields: str) -> None:
    """Fill the shared Parameters and Attributes sections into the class docstring."""
    cls.__doc__ = (cls.__doc__ or "").format(parameters=_PARAMETERS_DOC.format(**fields),
                                             attributes=_ATTRIBUTES_DOC)


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """The lecture's network as a scikit-learn classifier.

    How labels become targets, and outputs predictions, follows ``output``:

    - "tanh" (the book's, the default) or "identity": binary labels are targets −1
      (``classes_[0]``) and +1 (``classes_[1]``) of one output, and the decision is
      ``sign(h(x))``. With K > 2 classes there are K outputs, the targets are +1 for the
      point's class and −1 for the others, and the prediction is the class of the largest
      output. Training minimises the squared error E_in. ``decision_function`` gives h(x).
    - "softmax": K outputs (K >= 2), the probabilities of the classes; one-hot targets, the
      cross-entropy E_in = −(1/N) Σ ln h_y(x), and the prediction is the most probable class.
      ``predict_proba`` gives h(x).
    - "logistic": for two classes one output, the probability of ``classes_[1]``, targets 0
      and 1, the cross-entropy E_in, and the prediction ``classes_[1]`` where h(x) >= 1/2;
      with K > 2 classes K outputs, one-versus-rest, and ``predict_proba`` normalises them.
{parameters}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
{attributes}
    Examples
    --------
    >>> import numpy as np
    >>> from deltaprop.estimators import NeuralNetClassifier
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> y = np.array(["same", "differ", "differ", "same"])       # XOR
    >>> clf = NeuralNetClassifier((4,), method="conjugate_gradient", iterations=200,
    ...                           random_state=0).fit(X, y)
    >>> clf.predict(X).tolist()
    ['same', 'differ', 'differ', 'same']
    >>> [w.shape for w in clf.coefs_]
    [(3, 4), (5, 1)]
    >>> soft = NeuralNetClassifier((4,), output="softmax", method="conjugate_gradient",
    ...                            iterations=200, random_state=0).fit(X, y)
    >>> soft.predict_proba(X).shape                               # rows sum to 1
    (4, 2)
    """

    def _validate(self, X: Any, y: Any, reset: bool) -> Tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, dtype=self._dtype(), reset=reset)
        check_classification_targets(y)
        return X, y

    def _strata(self, y: np.ndarray) -> Optional[np.ndarray]:
        """Stratify by class when the split can hold every class on both sides."""
        counts = np.unique(y, return_counts=True)[1]
        n_validation = int(np.ceil(self.validation_fraction * len(y)))
        fits = min(n_validation, len(y) - n_validation) >= len(counts) and counts.min() >= 2
        return y if fits else None

    def _loss(self) -> Optional[str]:
        """Cross-entropy for the probabilistic outputs (softmax's default, logistic's choice)."""
        return "cross_entropy" if self.output in _PROBABILITIES else None

    def _n_outputs(self, y: np.ndarray, classes: Optional[ArrayLike]) -> int:
        """Set ``classes_`` (from ``classes`` if given, else y) and size the output layer."""
        self.classes_ = np.unique(y if classes is None else np.asarray(classes))
        if len(self.classes_) < 2:
            raise ValueError(f"{type(self).__name__} needs at least two classes to train; "
                             f"y has one class, {self.classes_[0]!r}")
        return 1 if self._one_output() else len(self.classes_)

    def _one_output(self) -> bool:
        """Two classes on one output (all but softmax, which needs an output per class)."""
        return len(self.classes_) == 2 and self.output != "softmax"

    def _targets(self, y: np.ndarray) -> np.ndarray:
        """One column for two classes (classes_[1] is +1, or 1 for logistic), else one per
        class: 1 for the point's class, and −1 (tanh, identity) or 0 (softmax, logistic) for
        the others."""
        return _encode(y, self.classes_, self.output, self._one_output(), self.network_.dtype)

    def _is_classifier(self) -> bool:
        return True

    def _check_dask_y(self, y: Any) -> None:
        if y.ndim != 1:
            raise ValueError(f"y must be one-dimensional (one label per row), got shape {y.shape}")

    def _dask_targets(self, y: Any) -> Any:
        args = (self.classes_, self.output, self._one_output(), self.network_.dtype)
        if self._one_output():
            return y.map_blocks(_encode, *args, dtype=self.network_.dtype)
        return y.map_blocks(_encode, *args, dtype=self.network_.dtype, new_axis=1,
                            chunks=(y.chunks[0], (len(self.classes_),)))

    def fit(self, X: ArrayLike, y: ArrayLike, client: Any = None) -> "NeuralNetClassifier":
        """Train a new network on (X, y), from the initial weights drawn by ``random_state``.

        Parameters
        ----------
        X : array_like or dask array of shape (n_samples, n_features)
            Training inputs. A dask array (rows chunked) trains on a Dask cluster with a
            full-batch method: the classes and the feature ranges are computed there in one
            pass, and the data never reach the client (docs/distributed.md).
        y : array_like or dask array of shape (n_samples,)
            Class labels (at least two distinct).
        client : distributed.Client, optional
            With dask arrays: the cluster's client (None: the running one). Not kept.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=False, client=client)

    @_if_resumable
    def partial_fit(self, X: ArrayLike, y: ArrayLike,
                    classes: Optional[ArrayLike] = None) -> "NeuralNetClassifier":
        """Train for ``iterations`` more iterations on (X, y), from the current weights.

        Only for the methods whose whole state is the weights ("gd", "sgd", "minibatch"); the
        momentum starts again from zero on each call. The first call (or one before any
        ``fit``) starts a network as ``fit`` does, with the feature scaling of that first X;
        later calls keep the network, the scaling and ``classes_``, and draw a new sgd order.
        Early stopping does not apply.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Training inputs.
        y : array_like of shape (n_samples,)
            Class labels, all among ``classes``.
        classes : array_like, optional
            Every class that will occur, on the first call (default: the labels in this y).
            Ignored later.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=True, classes=classes)

    @_if_scores
    def decision_function(self, X: ArrayLike) -> FloatArray:
        """The network's output h(x): shape (n_samples,) for two classes (positive means
        ``classes_[1]``), else (n_samples, n_classes). Only for the tanh and identity outputs
        (softmax and logistic have ``predict_proba``).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            In [-1, 1] with the default tanh output.
        """
        h = self._forward(X)
        return h[:, 0] if h.shape[1] == 1 else h

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """The class of each row: for two classes on one output ``classes_[1]`` where
        h(x) >= 0 (the sign, as ``Network.decide``) or, for logistic, h(x) >= 1/2; else the
        class of the largest output.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        h = self._forward(X)
        if distributed.is_dask_array(h):
            lazy: Any = h
            return cast(NDArray[Any], lazy.map_blocks(_decide, self.classes_, self.output,
                                                      drop_axis=1, dtype=self.classes_.dtype))
        return _decide(h, self.classes_, self.output)

    @_if_probabilities
    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """The probability of each class, for the softmax and logistic outputs: softmax's
        outputs h(x); for logistic on two classes [1 − h(x), h(x)], on K > 2 its K outputs
        divided by their sum. Rows sum to 1 (in float64, whatever the network's dtype).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of float64, shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        h = self._forward(X)
        if distributed.is_dask_array(h):
            lazy: Any = h
            return cast(NDArray[np.float64],
                        lazy.map_blocks(_probabilities, dtype=np.float64,
                                        chunks=(lazy.chunks[0], (max(2, h.shape[1]),))))
        return _probabilities(h)

    @_if_probabilities
    def predict_log_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """The logarithm of :meth:`predict_proba` (−inf where a probability rounds to 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """The lecture's network as a scikit-learn regressor.

    One output per target (``y`` of shape (n_samples,) or (n_samples, n_targets)), identity
    by default, trained on the squared error E_in. The targets are not scaled: with
    ``output="tanh"`` they must lie in (−1, 1).
{parameters}
    Attributes
    ----------
{attributes}
    Examples
    --------
    >>> import numpy as np
    >>> from deltaprop.estimators import NeuralNetRegressor
    >>> X = np.linspace(-3, 3, 50).reshape(-1, 1)
    >>> reg = NeuralNetRegressor((5,), method="conjugate_gradient", iterations=300,
    ...                          random_state=0).fit(X, np.sin(X).ravel())
    >>> bool(reg.score(X, np.sin(X).ravel()) > 0.99)
    True
    """

    def __init__(self, hidden_layer_sizes: Union[int, Sequence[int]] = (10,),
                 activation: Activation = "tanh", output: str = "identity", method: str = "gd",
                 lr: Optional[float] = None,
                 iterations: int = 1000, batch_size: int = 32, momentum: float = 0.0,
                 weight_decay: float = 0.0, weight_elimination: float = 0.0,
                 memory: Optional[int] = None, beta1: Optional[float] = None,
                 beta2: Optional[float] = None, eps: Optional[float] = None,
                 c1: Optional[float] = None, c2: Optional[float] = None,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 patience: Optional[int] = None, scale_features: bool = True,
                 dtype: DTypeLike = np.float64,
                 random_state: Union[int, np.random.RandomState, None] = None,
                 progress: bool = False) -> None:
        # the classifier's parameters, with the identity output by default
        super().__init__(hidden_layer_sizes=hidden_layer_sizes, activation=activation,
                         output=output, method=method,
                         lr=lr, iterations=iterations, batch_size=batch_size, momentum=momentum,
                         weight_decay=weight_decay, weight_elimination=weight_elimination,
                         memory=memory, beta1=beta1, beta2=beta2, eps=eps, c1=c1, c2=c2,
                         early_stopping=early_stopping, validation_fraction=validation_fraction,
                         patience=patience, scale_features=scale_features, dtype=dtype,
                         random_state=random_state, progress=progress)

    def _validate(self, X: Any, y: Any, reset: bool) -> Tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, dtype=self._dtype(), multi_output=True, y_numeric=True,
                             reset=reset)
        if reset:
            self._y_ndim = y.ndim
        elif y.ndim == 2 and y.shape[1] != self.network_.dims[-1]:
            raise ValueError(f"y has {y.shape[1]} targets, but {type(self).__name__} was "
                             f"fitted with {self.network_.dims[-1]}")
        return X, y

    def _n_outputs(self, y: np.ndarray, classes: Optional[ArrayLike]) -> int:
        return 1 if y.ndim == 1 else y.shape[1]

    def _targets(self, y: np.ndarray) -> np.ndarray:
        return y.astype(self.network_.dtype, copy=False)

    def _check_dask_y(self, y: Any) -> None:
        if y.ndim not in (1, 2):
            raise ValueError(f"y must have shape (n_samples,) or (n_samples, n_targets), "
                             f"got {y.shape}")
        self._y_ndim = y.ndim

    def _dask_targets(self, y: Any) -> Any:
        return y.astype(self.network_.dtype)

    def fit(self, X: ArrayLike, y: ArrayLike, client: Any = None) -> "NeuralNetRegressor":
        """Train a new network on (X, y), from the initial weights drawn by ``random_state``.

        Parameters
        ----------
        X : array_like or dask array of shape (n_samples, n_features)
            Training inputs; a dask array trains on a Dask cluster (see
            ``NeuralNetClassifier.fit``).
        y : array_like or dask array of shape (n_samples,) or (n_samples, n_targets)
            Real targets.
        client : distributed.Client, optional
            With dask arrays: the cluster's client (None: the running one). Not kept.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=False, client=client)

    @_if_resumable
    def partial_fit(self, X: ArrayLike, y: ArrayLike) -> "NeuralNetRegressor":
        """Train for ``iterations`` more iterations on (X, y), from the current weights.

        Only for "gd", "sgd" and "minibatch" (see ``NeuralNetClassifier.partial_fit``); the
        first call starts a network as ``fit`` does.

        Parameters
        ----------
        X, y : array_like
            As for :meth:`fit`; y with as many targets as on the first call.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=True)

    def predict(self, X: ArrayLike) -> NDArray[np.float64]:
        """h(x) for each row, as float64: shape (n_samples,) if ``fit`` had a 1-d y, else
        (n_samples, n_targets).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of float64, shape (n_samples,) or (n_samples, n_targets)
        """
        h = self._forward(X).astype(np.float64, copy=False)  # float64 even from float32 weights
        return h[:, 0] if self._y_ndim == 1 else h

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


# --- per block: the numpy path, and the blocks of a dask array on the workers ----------------

def _scale_block(X: FloatArray, scaler: MinMaxScaler, dtype: Any) -> FloatArray:
    return scaler.transform(X).astype(dtype, copy=False)


def _encode(y: np.ndarray, classes: np.ndarray, output: str, one_output: bool,
            dtype: Any) -> np.ndarray:
    """The classifier's targets of labels y (see ``NeuralNetClassifier._targets``)."""
    index = np.searchsorted(classes, y)
    index = np.minimum(index, len(classes) - 1)
    unknown = classes[index] != y
    if np.any(unknown):
        raise ValueError(f"y has labels not in classes_ {classes.tolist()}: "
                         f"{np.unique(np.asarray(y)[unknown]).tolist()}")
    off = 0.0 if output in _PROBABILITIES else -1.0
    if one_output:
        return np.where(index == 1, 1.0, off).astype(dtype)
    T = np.full((len(y), len(classes)), off, dtype=dtype)
    T[np.arange(len(y)), index] = 1.0
    return T


def _decide(h: FloatArray, classes: np.ndarray, output: str) -> NDArray[Any]:
    """The classes of outputs h (see ``NeuralNetClassifier.predict``)."""
    if h.shape[1] > 1:
        return classes[np.argmax(h, axis=1)]
    threshold = 0.5 if output == "logistic" else 0.0
    return classes[(h[:, 0] >= threshold).astype(int)]


def _probabilities(h: FloatArray) -> NDArray[np.float64]:
    """The class probabilities of outputs h (see ``NeuralNetClassifier.predict_proba``)."""
    h = h.astype(np.float64)
    if h.shape[1] == 1:
        return np.hstack([1.0 - h, h])
    return h / h.sum(axis=1, keepdims=True)


_document(NeuralNetClassifier, output="tanh",
          outputs=("\"tanh\" (the book's), \"identity\", \"softmax\" or\n        "
                   "\"logistic\"; it sets how labels become targets and the loss, as above."),
          stratified=" (stratified by class when every class can be on both sides)")
_document(NeuralNetRegressor, output="identity",
          outputs=("\"identity\", \"tanh\" or \"logistic\" (see ``deltaprop.OUTPUTS``),\n"
                   "        trained on the squared error."),
          stratified="")
