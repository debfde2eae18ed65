"""Training on a Dask cluster (issue 20): one LocalCluster of two process workers for the module,
small data, a few iterations. Skips without dask.distributed, except under CI=true."""

import os
import pickle
import threading
import time

import numpy as np
import pytest

from conftest import require_module

da = require_module("dask.array")
distributed = require_module("distributed")

import deltaprop  # noqa: E402

N, D = 240, 3
CHUNKS = 60


def _data(n=N, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, D))
    y = np.tanh(X @ np.array([1.0, -2.0, 0.5]) + 0.3 * X[:, 0] * X[:, 1])
    return X, y


def _net():
    return deltaprop.Network([D, 4, 1], seed=7)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=50)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _local(method, X, y, **kw):
    net = _net()
    h = net.fit(X, y, method=method, **kw)
    return net, h


def _close(a, b, rtol=1e-10):
    return np.allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


@pytest.mark.parametrize("method", ["gd", "conjugate_gradient", "lbfgs"])
def test_the_same_weights_as_the_local_fit(client, method):
    X, y = _data()
    local, h_local = _local(method, X, y, iterations=8, record_every=1)
    net = _net()
    h = net.fit(da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS),
                method=method, iterations=8, record_every=1, client=client)
    assert _close(net.get_flat_weights(), local.get_flat_weights())
    assert not np.array_equal(net.get_flat_weights(), _net().get_flat_weights())  # it trained
    assert np.allclose(h.error, h_local.error, rtol=1e-10)
    assert list(h.iteration) == list(h_local.iteration)


def test_the_running_client_is_found_and_none_is_a_clear_error(client):
    X, y = _data()
    net = _net()
    net.fit(da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS),
            iterations=2)  # client=None: the running one (the module's)
    assert not np.array_equal(net.get_flat_weights(), _net().get_flat_weights())
    import deltaprop.distributed as dd
    with _no_default_client():
        with pytest.raises(ValueError, match="Client()"):
            dd.get_client(None)


class _no_default_client:
    """No client registered as the default for the duration (the module's one is put back)."""

    def __enter__(self):
        from distributed.client import _get_global_client
        self.saved = _get_global_client()
        distributed.client._global_clients.clear()

    def __exit__(self, *exc):
        distributed.client._set_global_client(self.saved)


def test_one_and_two_workers_give_the_same_bits(client):
    X, y = _data()
    Xd, yd = da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS)
    two = _net()
    two.fit(Xd, yd, method="conjugate_gradient", iterations=6, client=client)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster, \
            distributed.Client(cluster, set_as_default=False) as one_client:
        one = _net()
        one.fit(Xd, yd, method="conjugate_gradient", iterations=6, client=one_client)
    assert np.array_equal(one.get_flat_weights(), two.get_flat_weights())


def test_a_killed_worker_changes_nothing(client):
    X, y = _data()
    Xd, yd = da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS)
    undisturbed = _net()
    undisturbed.fit(Xd, yd, method="lbfgs", iterations=8, client=client)
    killed = []

    def kill_at_3(row):
        if row["iteration"] == 3 and not killed:
            victim = sorted(client.scheduler_info()["workers"])[0]
            killed.append(victim)
            try:
                client.run(os._exit, 1, workers=[victim])
            except Exception:  # the connection to the dying worker closes
                pass
    net = _net()
    net.fit(Xd, yd, method="lbfgs", iterations=8, record_every=1, callback=kill_at_3,
            client=client)
    assert killed
    assert np.array_equal(net.get_flat_weights(), undisturbed.get_flat_weights())
    client.wait_for_workers(2, timeout=30)
    assert killed[0] not in client.scheduler_info()["workers"]  # it died; its nanny made anew


def test_nan_in_one_chunk_names_the_partition_and_its_rows(client):
    X, y = _data()
    X[130, 1] = np.nan
    with pytest.raises(ValueError, match=r"partition 2 \(rows 120 to 179\).*NaN"):
        _net().fit(da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS),
                   client=client, iterations=2)


def test_chunked_columns_and_misaligned_y_are_rechunked(client):
    X, y = _data()
    local, _ = _local("gd", X, y, iterations=5)
    net = _net()
    net.fit(da.from_array(X, chunks=(CHUNKS, 1)), da.from_array(y, chunks=45),
            iterations=5, client=client)
    assert _close(net.get_flat_weights(), local.get_flat_weights())


def test_empty_chunks_contribute_nothing_and_all_empty_is_an_error(client):
    X, y = _data()
    local, _ = _local("gd", X, y, iterations=5)
    chunks = (0, 100, 0, 140, 0)
    net = _net()
    net.fit(da.from_array(X, chunks=(chunks, D)), da.from_array(y, chunks=(chunks,)),
            iterations=5, client=client)
    assert _close(net.get_flat_weights(), local.get_flat_weights())
    with pytest.raises(ValueError, match="every partition is empty"):
        _net().fit(da.from_array(X[:0], chunks=((0, 0), D)), da.from_array(y[:0], chunks=((0, 0),)),
                   client=client)


def test_a_partition_pinned_to_one_worker(client):
    X, y = _data()
    local, _ = _local("conjugate_gradient", X, y, iterations=5)
    worker = sorted(client.scheduler_info()["workers"])[-1]
    Xd = client.persist(da.from_array(X, chunks=(CHUNKS, D)), workers=[worker])
    yd = client.persist(da.from_array(y, chunks=CHUNKS), workers=[worker])
    net = _net()
    net.fit(Xd, yd, method="conjugate_gradient", iterations=5, client=client)
    assert _close(net.get_flat_weights(), local.get_flat_weights())


def test_unknown_chunk_sizes_from_a_dataframe(client):
    dd = require_module("dask.dataframe")
    pd = require_module("pandas")
    X, y = _data()
    frame = dd.from_pandas(pd.DataFrame(np.column_stack([X, y]), columns=["a", "b", "c", "y"]),
                           npartitions=3)
    with pytest.raises(TypeError, match=r"to_dask_array\(lengths=True\)"):
        _net().fit(frame[["a", "b", "c"]], frame["y"], client=client)
    Xd, yd = frame[["a", "b", "c"]].to_dask_array(), frame["y"].to_dask_array()
    assert np.isnan(Xd.chunks[0][0])
    local, _ = _local("gd", X, y, iterations=4)
    net = _net()
    net.fit(Xd, yd, iterations=4, client=client)
    assert _close(net.get_flat_weights(), local.get_flat_weights())


def test_stochastic_methods_are_refused_naming_the_full_batch_ones(client):
    X, y = _data()
    for method in ("sgd", "minibatch", "adam"):
        with pytest.raises(ValueError, match="gd, variable_lr, steepest, conjugate_gradient, lbfgs"):
            _net().fit(da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS),
                       method=method, client=client)


def _load_block(block_id=None):
    """One partition of X, made where it runs: outside a worker it raises."""
    distributed.get_worker()  # ValueError outside a worker
    return _data(N, 0)[0][block_id[0] * CHUNKS:(block_id[0] + 1) * CHUNKS]


def _load_targets(x):
    distributed.get_worker()
    return np.tanh(x @ np.array([1.0, -2.0, 0.5]) + 0.3 * x[:, 0] * x[:, 1])


def test_the_client_never_materialises_x(client):
    Xd = da.map_blocks(_load_block, chunks=((CHUNKS,) * (N // CHUNKS), (D,)), dtype=float)
    yd = da.map_blocks(_load_targets, Xd, drop_axis=1, dtype=float)
    with pytest.raises(ValueError):
        Xd.compute(scheduler="sync")  # the loader refuses the client's process
    X, y = _data()
    local, _ = _local("lbfgs", X, y, iterations=5)
    net = _net()
    net.fit(Xd, yd, method="lbfgs", iterations=5, client=client)
    assert _close(net.get_flat_weights(), local.get_flat_weights())


def test_the_fitted_network_pickles_without_the_client(client):
    X, y = _data()
    net = _net()
    net.fit(da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS),
            iterations=3, client=client)
    back = pickle.loads(pickle.dumps(net))
    assert np.array_equal(back.get_flat_weights(), net.get_flat_weights())
    assert not any("client" in name.lower() for name in vars(net))


def test_ten_million_rows_made_on_the_workers_never_reach_the_client(client):
    psutil = require_module("psutil")
    n = 10_000_000
    X = da.random.RandomState(1).uniform(-1, 1, size=(n, 2), chunks=(n // 4, 2))
    y = da.sign(X[:, 0] * X[:, 1] + 0.01)
    data_bytes = n * 3 * 8  # 240 MB
    me = psutil.Process()
    before = me.memory_info().rss
    peak = [before]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], me.memory_info().rss)
            time.sleep(0.005)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        net = deltaprop.Network([2, 3, 1], seed=1)
        h = net.fit(X, y, method="gd", iterations=2, client=client)
    finally:
        done.set()
        watcher.join()
    assert len(h.error) == 3 and np.all(np.isfinite(h.error))
    grown = peak[0] - before
    print(f"client peak RSS grew by {grown / 1e6:.1f} MB for {data_bytes / 1e6:.0f} MB of data")
    assert grown < data_bytes / 8, f"client grew by {grown / 1e6:.0f} MB"


@pytest.mark.parametrize("dask_validation", [True, False])
def test_early_stopping_on_validation_data(client, dask_validation):
    X, y = _data()
    Xv, yv = _data(90, seed=1)
    local = _net()
    h_local = local.fit(X, y, method="lbfgs", iterations=10, record_every=1, validation=(Xv, yv))
    if dask_validation:
        validation = (da.from_array(Xv, chunks=(40, D)), da.from_array(yv, chunks=40))
    else:
        validation = (Xv, yv)
    net = _net()
    h = net.fit(da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS),
                method="lbfgs", iterations=10, record_every=1, validation=validation,
                client=client)
    assert np.all(np.isfinite(h.validation_error))
    assert np.allclose(h.validation_error, h_local.validation_error, rtol=1e-10)
    assert h.best_iteration == h_local.best_iteration
    assert _close(net.get_flat_weights(), local.get_flat_weights())


def test_forward_and_error_on_dask_arrays_are_lazy_and_match(client):
    X, y = _data()
    net = _net()
    net.fit(X, y, iterations=3)
    Xd, yd = da.from_array(X, chunks=(CHUNKS, 2)), da.from_array(y, chunks=(0, 100, 140))
    h = net.forward(Xd)
    e = net.error(Xd, yd)
    assert isinstance(h, da.Array) and isinstance(e, da.Array)
    assert h.chunks == ((CHUNKS,) * (N // CHUNKS), (1,))
    net.initialize(3)  # later changes to the network do not reach what was made
    fitted = _fitted(X, y)
    assert np.array_equal(h.compute(), fitted.forward(X))
    assert abs(float(e.compute()) - fitted.error(X, y)) <= 1e-13 * fitted.error(X, y)


def _fitted(X, y):
    net = _net()
    net.fit(X, y, iterations=3)
    return net


# --- the scikit-learn estimators (issue 20, item 4) ---------------------------------------------

def _labelled(n=N, seed=0):
    X, y = _data(n, seed)
    X = X * np.array([3.0, 0.5, 10.0]) + 2.0  # unscaled features: the ranges matter
    labels = np.array(["low", "mid", "high"])[np.digitize(y, [-0.3, 0.3])]
    return X, y, labels


@pytest.mark.parametrize("output", ["tanh", "softmax"])
def test_a_dask_fit_of_the_classifier_equals_the_numpy_fit(client, output):
    est = require_module("deltaprop.estimators")
    X, _, labels = _labelled()
    local = est.NeuralNetClassifier((4,), output=output, method="conjugate_gradient",
                                    iterations=6, random_state=3).fit(X, labels)
    Xd = da.from_array(X, chunks=(CHUNKS, 2))
    fitted = est.NeuralNetClassifier((4,), output=output, method="conjugate_gradient",
                                     iterations=6, random_state=3)
    fitted.fit(Xd, da.from_array(labels, chunks=45), client=client)
    assert list(fitted.classes_) == ["high", "low", "mid"]
    assert np.array_equal(fitted.feature_min_, X.min(axis=0))
    assert np.array_equal(fitted.feature_max_, X.max(axis=0))
    for w, w_local in zip(fitted.coefs_, local.coefs_):
        assert _close(w, w_local)
    assert not any("client" in name.lower() for name in vars(fitted))
    predicted = fitted.predict(Xd)
    assert isinstance(predicted, da.Array)
    assert np.array_equal(predicted.compute(), local.predict(X))
    scores = fitted.predict_proba(Xd) if output == "softmax" else fitted.decision_function(Xd)
    assert isinstance(scores, da.Array)
    local_scores = local.predict_proba(X) if output == "softmax" else local.decision_function(X)
    assert scores.shape == local_scores.shape
    assert _close(scores.compute(), local_scores)
    back = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(back.predict(X), fitted.predict(X))
    assert np.array_equal(back.predict(Xd).compute(), predicted.compute())


def test_a_two_class_logistic_classifier_gives_dask_probabilities(client):
    est = require_module("deltaprop.estimators")
    X, y, _ = _labelled()
    labels = np.where(y > 0, 7, -7)
    local = est.NeuralNetClassifier((3,), output="logistic", method="gd", iterations=5,
                                    random_state=1).fit(X, labels)
    fitted = est.NeuralNetClassifier((3,), output="logistic", method="gd", iterations=5,
                                     random_state=1)
    fitted.fit(da.from_array(X, chunks=(CHUNKS, D)), labels, client=client)  # numpy y: aligned
    proba = fitted.predict_proba(da.from_array(X, chunks=(100, D)))
    assert isinstance(proba, da.Array) and proba.chunks == ((100, 100, 40), (2,))
    assert _close(proba.compute(), local.predict_proba(X))
    assert np.array_equal(fitted.predict(da.from_array(X, chunks=(100, D))).compute(),
                          local.predict(X))


@pytest.mark.parametrize("targets", [1, 2])
def test_a_dask_fit_of_the_regressor_equals_the_numpy_fit(client, targets):
    est = require_module("deltaprop.estimators")
    X, y, _ = _labelled()
    Y = y if targets == 1 else np.column_stack([y, 0.5 * y])
    local = est.NeuralNetRegressor((4,), method="lbfgs", iterations=6,
                                   random_state=2).fit(X, Y)
    fitted = est.NeuralNetRegressor((4,), method="lbfgs", iterations=6, random_state=2)
    fitted.fit(da.from_array(X, chunks=(CHUNKS, D)), da.from_array(Y, chunks=CHUNKS))
    for w, w_local in zip(fitted.coefs_, local.coefs_):
        assert _close(w, w_local)
    predicted = fitted.predict(da.from_array(X, chunks=(CHUNKS, D)))
    assert isinstance(predicted, da.Array) and predicted.shape == Y.shape
    assert _close(predicted.compute(), local.predict(X))
    back = pickle.loads(pickle.dumps(fitted))
    assert _close(back.predict(X), local.predict(X))


def test_estimators_on_dask_arrays_refuse_what_needs_the_data_in_memory(client):
    est = require_module("deltaprop.estimators")
    X, y, labels = _labelled()
    Xd, yd = da.from_array(X, chunks=(CHUNKS, D)), da.from_array(labels, chunks=CHUNKS)
    with pytest.raises(ValueError, match="gd, variable_lr, steepest, conjugate_gradient, lbfgs"):
        est.NeuralNetClassifier(method="sgd").fit(Xd, yd, client=client)
    with pytest.raises(ValueError, match="early_stopping"):
        est.NeuralNetClassifier(early_stopping=True).fit(Xd, yd, client=client)
    with pytest.raises(ValueError, match="partial_fit"):
        est.NeuralNetRegressor(method="gd").partial_fit(Xd, da.from_array(y, chunks=CHUNKS))
    with pytest.raises(ValueError, match="client"):
        est.NeuralNetRegressor(method="gd", iterations=1).fit(X, y, client=client)
    Xn = X.copy()
    Xn[5, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        est.NeuralNetClassifier(method="gd", iterations=1).fit(
            da.from_array(Xn, chunks=(CHUNKS, D)), yd, client=client)


# --- failures (issue 20, item 5) -----------------------------------------------------------------

def _load_or_die(flag, block_id=None):
    """Partition 2 of X, made where it runs; once ``flag`` exists, making it kills the worker."""
    if block_id[0] == 2 and os.path.exists(flag):
        os._exit(1)
    return _data(N, 0)[0][block_id[0] * CHUNKS:(block_id[0] + 1) * CHUNKS]


def test_a_task_that_keeps_killing_workers_stops_the_fit_on_the_last_finished_step(tmp_path):
    import dask
    flag = str(tmp_path / "die")
    X, y = _data()
    Xd = da.map_blocks(_load_or_die, flag, chunks=((CHUNKS,) * (N // CHUNKS), (D,)), dtype=float)
    yd = da.from_array(y, chunks=CHUNKS)
    after_3, _ = _local("conjugate_gradient", X, y, iterations=3)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=None, silence_logs=50) as cluster, \
            distributed.Client(cluster, set_as_default=False) as tiny:

        def doom_at_3(row):
            if row["iteration"] == 3 and not os.path.exists(flag):
                open(flag, "w").close()  # the data are lost below; remaking partition 2 kills
                try:
                    tiny.run(os._exit, 1)
                except Exception:  # the connection to the dying worker closes
                    pass
        net = _net()
        # one worker: every task on it when it died is killed too, so more may be named
        with pytest.raises(RuntimeError, match=r"stopped at iteration 3: (partition \d "
                                               r"\(rows \d+ to \d+\)(, )?)+: .*kept killing"):
            net.fit(Xd, yd, method="conjugate_gradient", iterations=8, record_every=1,
                    callback=doom_at_3, client=tiny)
    assert os.path.exists(flag)
    assert _close(net.get_flat_weights(), after_3.get_flat_weights())


def test_a_non_finite_validation_partition_is_named(client):
    X, y = _data()
    Xv, yv = _data(90, seed=1)
    yv[50] = np.inf
    validation = (da.from_array(Xv, chunks=(40, D)), da.from_array(yv, chunks=40))
    with pytest.raises(ValueError, match=r"validation partition 1 \(rows 40 to 79\).*infinite"):
        _net().fit(da.from_array(X, chunks=(CHUNKS, D)), da.from_array(y, chunks=CHUNKS),
                   method="lbfgs", iterations=3, validation=validation, client=client)
