"""Training on a Dask cluster: the full-batch methods over dask arrays (issue 20).

E_in and its gradient are sums over the rows, so each evaluation asks every partition for
(sum of e_n, sum of ∇e_n, count) and adds them on the client, in float64 and in partition order:
the result depends on the chunking alone, not on the number of workers, their threads or the
order the tasks finish. The data stay on the workers as one graph-backed future per partition
pair (X_i, y_i) (not ``scatter``: a lost worker's partition is recomputed from its graph); only
the weights go out and the partial sums come back. The C++ loop is the local one, reached
through ``net._impl.fit_objective``: history, stopping rules, callbacks, progress, the time
budget and Ctrl-C behave as in a local fit.

dask is imported here only, and only when a dask collection is met (``pip install
deltaprop[dask]``). The client is never stored on the network: a fitted network stays plain and
picklable.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple

import numpy as np

from . import _core

#: The methods that train on a dask array: each needs only E_in and its gradient over all rows.
FULL_BATCH_METHODS: Tuple[str, ...] = tuple(_core.FULL_BATCH_METHODS)  # from the core's registry


def is_dask_array(value: Any) -> bool:
    """Whether ``value`` is a dask array (False without importing dask when it was never
    imported: then no dask array can exist)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(value, da.Array)


def is_dask_dataframe(value: Any) -> bool:
    """Whether ``value`` is a dask DataFrame or Series (which fit refuses with a TypeError)."""
    return (type(value).__module__.split(".")[0] in ("dask", "dask_expr")
            and hasattr(value, "to_dask_array"))


def is_dask(value: Any) -> bool:
    return is_dask_array(value) or is_dask_dataframe(value)


def check_not_dataframe(value: Any, name: str) -> None:
    if is_dask_dataframe(value):
        raise TypeError(f"{name} is a dask DataFrame or Series; pass a dask array: "
                        f"{name}.to_dask_array(lengths=True)")


def check_full_batch(method: str) -> None:
    """ValueError unless ``method`` is one of the methods that train on dask arrays."""
    if method not in FULL_BATCH_METHODS:
        raise ValueError(f"method {method!r} does not train on dask arrays (it needs single rows "
                         f"or batches, not the sums over all rows); use one of the full-batch "
                         f"methods: {', '.join(FULL_BATCH_METHODS)}")


def get_client(client: Any = None) -> Any:
    """``client``, or the running ``distributed`` client; ValueError saying how to start one."""
    if client is not None:
        return client
    try:
        from distributed import get_client as running
    except ImportError:
        raise ImportError("training on dask arrays needs dask.distributed: "
                          "pip install 'deltaprop[dask]'") from None
    try:
        return running()
    except ValueError:
        raise ValueError("training on dask arrays needs a dask.distributed client; start one "
                         "first, e.g. `from distributed import Client; client = Client()` (a "
                         "local cluster) or `Client('scheduler-address:8786')`, or pass "
                         "client=...") from None


# --- on the workers ---------------------------------------------------------------------------

_local = threading.local()  # each worker thread keeps its own network per spec


def _core_network(spec: Tuple[Any, ...]) -> Any:
    """A core network of ``spec`` (dims, hidden θ, output θ, loss, dtype name)."""
    from . import _core
    dims, activation, output, loss, dtype = spec
    make = _core.Network64 if dtype == "float64" else _core.Network32
    return make(list(dims), list(activation), output, loss, 0)


def _network(spec: Tuple[Any, ...]) -> Any:
    """The core network of ``spec``, built once per worker thread; its weights are set per
    call."""
    cache: Dict[Tuple[Any, ...], Any] = getattr(_local, "networks", None) or {}
    _local.networks = cache
    if spec not in cache:
        cache[spec] = _core_network(spec)
    return cache[spec]


def _one_thread(client_pid: int) -> None:
    """The core at one thread per worker thread (Dask runs one task per worker thread); not in
    the client's own process (a thread-based cluster), whose setting is the user's."""
    if os.getpid() != client_pid and not getattr(_local, "single", False):
        from . import _core
        _core.set_num_threads(1)
        _local.single = True


_NEED: Tuple[Literal["C_CONTIGUOUS"], Literal["ALIGNED"]] = ("C_CONTIGUOUS", "ALIGNED")


def _pair(x: Any, y: Any, dtype: str) -> Tuple[np.ndarray, np.ndarray]:
    """One partition as the core takes it: C-contiguous, aligned (arrays unpickled on process
    workers need not be), of the network's dtype."""
    return (np.require(np.asarray(x), dtype=dtype, requirements=_NEED),
            np.require(np.asarray(y), dtype=dtype, requirements=_NEED))


def _describe(pair: Tuple[np.ndarray, np.ndarray]) -> Tuple[int, int, int, bool]:
    """(rows of X, rows of y, columns of X, all values finite) of one partition."""
    x, y = pair
    finite = bool(np.isfinite(x).all() and np.isfinite(y).all())
    return len(x), len(y), (x.shape[1] if x.ndim == 2 else -1), finite


def _partition_sums(spec: Tuple[Any, ...], w: np.ndarray, pair: Tuple[np.ndarray, np.ndarray],
                    gradient: bool, client_pid: int) -> Tuple[float, Optional[np.ndarray], int]:
    """(Σ e_n, Σ ∇e_n or None, n) over one partition: the core's mean times n."""
    _one_thread(client_pid)
    x, y = pair
    n = len(x)
    net = _network(spec)
    net.assign_weights(w)
    if not gradient:
        return float(net.error(x, y)) * n, None, n
    e, layers = net.error_and_gradient(x, y)
    g = np.concatenate([a.ravel() for a in layers]).astype(np.float64) * n
    return float(e) * n, g, n


# --- on the client ----------------------------------------------------------------------------

class TaskFailed(RuntimeError):
    """A partition's task that the cluster gave up on (it kept killing its workers)."""


def _failed(task: Any) -> bool:
    """Whether the future ``task`` ends in an error (waits for it to end)."""
    try:
        task.result()
    except Exception:
        return True
    return False

class DaskObjective:
    """E_in and ∇E_in over dask arrays (X, y), as ``fit_objective`` calls it: ``f(w, gradient)``.

    Made once per fit: y's row chunks aligned to X's, all columns in one chunk, one future per
    partition pair computed on the workers, then the rows counted and checked there."""

    def __init__(self, net: Any, X: Any, y: Any, client: Any, name: str = "") -> None:
        import dask
        import dask.array as da

        self.client, self.name = client, name
        self.spec = (tuple(net.dims), tuple(net.activation), net.output, net.loss,
                     np.dtype(net.dtype).name)
        self.n_weights = net.n_weights
        X, y = _aligned(da, X, y, net, name)
        dtype = self.spec[4]
        pairs = [dask.delayed(_pair)(xb, yb, dtype) for xb, yb in
                 zip(X.to_delayed().ravel(), y.to_delayed().ravel())]
        self.pairs = client.compute(pairs)  # graph-backed futures: recomputed if lost
        described = client.gather([client.submit(_describe, p, pure=False) for p in self.pairs])
        self.starts: List[int] = []
        start = 0
        for i, (nx, ny, cols, finite) in enumerate(described):
            rows = f"{name}partition {i} (rows {start} to {start + nx - 1})"
            if nx != ny:
                raise ValueError(f"{rows}: X has {nx} rows and y {ny}; align y's row chunks "
                                 f"to X's (y.rechunk({{0: X.chunks[0]}}))")
            if nx and not finite:
                raise ValueError(f"{rows} holds NaN or infinite values")
            self.starts.append(start)
            start += nx
        self.n_rows = [d[0] for d in described]
        self.n_points = start
        if self.n_points == 0:
            raise ValueError(f"{name}X has no rows: every partition is empty")
        self.evaluations = 0

    def rows(self, i: int) -> str:
        return f"partition {i} (rows {self.starts[i]} to {self.starts[i] + self.n_rows[i] - 1})"

    def sums(self, w: np.ndarray, gradient: bool) -> Tuple[float, Optional[np.ndarray]]:
        """(Σ e_n, Σ ∇e_n) over all rows: one task per non-empty partition, added in order."""
        pid = os.getpid()
        live = [i for i, n in enumerate(self.n_rows) if n]
        tasks = [self.client.submit(_partition_sums, self.spec, w, self.pairs[i], gradient, pid,
                                    pure=False) for i in live]
        try:
            results = self.client.gather(tasks)
        except Exception as failure:
            if type(failure).__name__ != "KilledWorker":
                raise
            lost = [self.rows(i) for i, task in zip(live, tasks) if _failed(task)]
            raise TaskFailed(f"{self.name}{', '.join(lost) or 'a partition'}: its task kept "
                             f"killing the workers that ran it (the scheduler's "
                             f"allowed_failures was reached)") from failure
        self.evaluations += 1
        total = 0.0
        g = np.zeros(self.n_weights) if gradient else None
        for i, (e, gi, _) in zip(live, results):
            if not np.isfinite(e) or (gi is not None and not np.isfinite(gi).all()):
                raise ValueError(f"{self.name}{self.rows(i)}: E_in or its gradient is NaN or "
                                 f"infinite")
            total += e
            if g is not None:
                g += gi
        return total, g

    def __call__(self, w: np.ndarray, gradient: bool) -> Any:
        total, g = self.sums(w, gradient)
        if g is None:
            return total / self.n_points
        return total / self.n_points, g / self.n_points

    def error(self, w: np.ndarray) -> float:
        return self.sums(w, False)[0] / self.n_points

    def release(self) -> None:
        for future in self.pairs:
            future.release()


def _aligned(da: Any, X: Any, y: Any, net: Any, name: str) -> Tuple[Any, Any]:
    """X and y as dask arrays with the same row chunks and one chunk of columns."""
    for value, what in ((X, "X"), (y, "y")):
        check_not_dataframe(value, name + what)
    if not is_dask_array(X):
        raise TypeError(f"{name}X must be a dask array when y is one (got {type(X).__name__})")
    if X.ndim != 2:
        raise ValueError(f"{name}X must have shape (N, {net.dims[0]}), got {X.ndim} dimension(s)")
    if not is_dask_array(y):
        y = np.asarray(y)
        if any(np.isnan(c) for c in X.chunks[0]):
            X = X.compute_chunk_sizes()
        y = da.from_array(y, chunks=(X.chunks[0],) + tuple((s,) for s in y.shape[1:]))
    if y.ndim not in (1, 2):
        raise ValueError(f"{name}y must have shape (N,) or (N, {net.dims[-1]}), "
                         f"got {y.ndim} dimensions")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    if y.ndim == 2 and len(y.chunks[1]) > 1:
        y = y.rechunk({1: -1})
    if X.chunks[0] != y.chunks[0]:
        unknown = any(np.isnan(c) for c in X.chunks[0] + y.chunks[0])
        if unknown and len(X.chunks[0]) == len(y.chunks[0]):
            return X, y  # as from one DataFrame: checked per partition on the workers
        if any(np.isnan(c) for c in X.chunks[0]):
            X = X.compute_chunk_sizes()
        if any(np.isnan(c) for c in y.chunks[0]):
            y = y.compute_chunk_sizes()
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"{name}X has {X.shape[0]} rows and y {y.shape[0]}")
        y = y.rechunk({0: X.chunks[0]})
    return X, y


def fit(net: Any, X: Any, y: Any, options: Dict[str, Any], validation: Optional[Sequence[Any]],
        callback: Any, bar: Any, client: Any) -> Dict[str, Any]:
    """The raw history of a fit on dask arrays (``training.fit`` converted the options)."""
    check_full_batch(options["method"])
    client = get_client(client)
    objective = DaskObjective(net, X, y, client)
    validation_error = None
    held: List[DaskObjective] = [objective]
    if validation is not None:
        Xv, yv = validation
        if is_dask(Xv) or is_dask(yv):
            check_not_dataframe(Xv, "validation X")
            check_not_dataframe(yv, "validation y")
            valid = DaskObjective(net, Xv, yv, client, "validation ")
            held.append(valid)
            validation_error = valid.error
        else:
            local = _core_network(objective.spec)
            Xv_, yv_ = np.asarray(Xv), np.asarray(yv)
            local.error(Xv_, yv_)  # checks shapes and values before the run starts

            def validation_error(w: np.ndarray) -> float:
                local.assign_weights(w)
                return float(local.error(Xv_, yv_))
    try:
        return dict(net._impl.fit_objective(objective, objective.n_points, options,
                                            validation_error, callback, bar))
    except TaskFailed as e:
        reached = getattr(e, "deltaprop_iteration", None)
        raise RuntimeError(f"training stopped at iteration {reached}: {e}; the network keeps the "
                           f"weights of iteration {reached}, the last finished step") from e
    finally:
        for held_objective in held:
            held_objective.release()


# --- lazy evaluation --------------------------------------------------------------------------

def _block_network(model: bytes) -> Any:
    """The core network of ``model`` (model-file bytes), read once per worker thread."""
    cache: Dict[bytes, Any] = getattr(_local, "models", None) or {}
    _local.models = cache
    if model not in cache:
        from . import _core
        cache.clear()  # one model at a time: weights change between calls
        cache[model] = _core.model_from_bytes(model)[0]
    return cache[model]


def _forward_block(x: np.ndarray, model: bytes) -> np.ndarray:
    net = _block_network(model)
    dtype = np.float64 if type(net).__name__ == "Network64" else np.float32
    if len(x) == 0:
        return np.empty((0, net.dims[-1]), dtype)
    return np.asarray(net.forward(_pair(x, x[:, :1], np.dtype(dtype).name)[0]))


def forward(net: Any, X: Any) -> Any:
    """h(x) for each row of the dask array X, lazily: a dask array (N, d_L) with X's row chunks,
    computed on the workers from a copy of the network as it is now."""
    check_not_dataframe(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, {net.dims[0]}), got {X.ndim} dimension(s)")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    return X.map_blocks(_forward_block, _model_bytes(net), dtype=net.dtype,
                        chunks=(X.chunks[0], (net.dims[-1],)),
                        meta=np.empty((0, 0), net.dtype))


def _error_block(x: np.ndarray, y: np.ndarray, model: bytes) -> np.ndarray:
    """[[Σ e_n, n]] over one partition."""
    n = len(x)
    if n == 0:
        return np.zeros((1, 2))
    net = _block_network(model)
    dtype = "float64" if type(net).__name__ == "Network64" else "float32"
    pair = _pair(x, y[:, 0] if y.shape[1] == 1 and net.dims[-1] == 1 else y, dtype)
    return np.array([[float(net.error(*pair)) * n, n]])


def _mean_of_sums(sums: np.ndarray) -> np.ndarray:
    """Σ e_n / N from the partitions' rows [[Σ e_n, n], ...], added in partition order."""
    total, n = 0.0, 0.0
    for e, count in sums:
        total += e
        n += count
    if n == 0:
        raise ValueError("X has no rows: every partition is empty")
    return np.array(total / n)


def error(net: Any, X: Any, y: Any) -> Any:
    """E_in over dask arrays, lazily: a 0-d dask array (``float(...)`` or ``.compute()`` gives
    the number), the partitions' sums added in partition order on one worker."""
    import dask.array as da
    X, y = _aligned(da, X, y, net, "")
    y2 = y if y.ndim == 2 else y[:, None]
    sums = da.map_blocks(_error_block, X, y2, _model_bytes(net), dtype=np.float64,
                         chunks=((1,) * len(X.chunks[0]), (2,)),
                         meta=np.empty((0, 0), np.float64))
    return sums.rechunk({0: -1}).map_blocks(_mean_of_sums, drop_axis=[0, 1], chunks=(),
                                            dtype=np.float64, meta=np.empty((), np.float64))


def _model_bytes(net: Any) -> bytes:
    from . import _core
    return bytes(_core.model_to_bytes(net._impl, []))
