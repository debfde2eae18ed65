"""Threads: the long calls release the GIL, concurrent calls give the results of sequential ones
bit for bit, and a network being changed by one call cannot be changed by another at once.

No test here measures time. To know exactly when the main thread can run, the tests that need
it raise the interpreter's switch interval to 1000 s (``exclusive_gil``): Python then hands the
GIL to another thread only where a thread releases it explicitly, so while a worker thread runs
Python code the main thread cannot run at all, and when the main thread does run, the worker is
inside one of the library's GIL-free sections. A call that kept the GIL would starve the main
thread until the worker finished, which the tests detect.
"""

import gc
import sys
import threading
import weakref

import numpy as np
import pytest

import deltaprop
from deltaprop import model_file


def problem(n, d0, dL=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d0))
    y = np.tanh(X @ rng.normal(size=(d0, dL)))
    return X, y


@pytest.fixture
def exclusive_gil():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def while_inside(call, then, max_calls=500):
    """Call `call()` repeatedly in a worker thread; as soon as the main thread gets the GIL (under
    exclusive_gil: only while the worker is inside a GIL-free section of `call`), run `then()`,
    and stop the worker. Returns what `then()` returned or raised."""
    started, stop = threading.Event(), threading.Event()
    count = [0]
    errors = []

    def worker():
        started.set()
        try:
            while not stop.is_set() and count[0] < max_calls:
                call()
                count[0] += 1
        except BaseException as e:  # reported below
            errors.append(e)

    t = threading.Thread(target=worker)
    t.start()
    started.wait()
    calls_done = count[0]
    try:
        outcome = ("returned", then())
    except Exception as e:
        outcome = ("raised", e)
    stop.set()
    t.join()
    assert not errors, errors
    assert calls_done < max_calls, (
        "the main thread ran only after the worker's calls had all finished: the call kept the GIL")
    return outcome


# ---------------------------------------------------------------------------------------------
# The GIL is released in every long call
# ---------------------------------------------------------------------------------------------

NET = deltaprop.Network([8, 32, 1], seed=1)
XL, YL = problem(4000, 8, seed=1)  # each call a millisecond or more of C++ work

LONG_CALLS = {
    "forward": lambda: NET.forward(XL),
    "error": lambda: NET.error(XL, YL),
    "error_and_gradient": lambda: NET.error_and_gradient(XL, YL),
    "gd_step": lambda: NET.gd_step(XL, YL, 1e-6),
    "sgd_epoch": lambda: NET.sgd_epoch(XL, YL, 1e-6),
    "fit": lambda: NET.fit(XL, YL, iterations=5, lr=1e-6),
    "fit conjugate_gradient": lambda: NET.fit(XL, YL, method="conjugate_gradient", iterations=3),
    "model_file.to_bytes": lambda: model_file.to_bytes(WIDE),
}
WIDE = deltaprop.Network([1000, 1000, 1], seed=1)  # 8 MB of weights to encode


@pytest.mark.parametrize("name", LONG_CALLS)
def test_long_calls_release_the_gil(exclusive_gil, name):
    kind, value = while_inside(LONG_CALLS[name], lambda: "main thread ran")
    assert (kind, value) == ("returned", "main thread ran")


def test_a_fit_of_many_iterations_lets_other_threads_run(exclusive_gil):
    # One fit call of 10^9 iterations; it stops only when the main thread gets to run and tells
    # it to (through the callback). Without the GIL released it would run to max_seconds.
    net = deltaprop.Network([4, 8, 1], seed=0)
    X, y = problem(200, 4)
    inside, stop = threading.Event(), threading.Event()
    history = []

    def callback(info):
        inside.set()
        return not stop.is_set()

    t = threading.Thread(target=lambda: history.append(
        net.fit(X, y, iterations=10**9, record_every=1000, callback=callback, max_seconds=60)))
    t.start()
    inside.wait()
    stop.set()
    t.join()
    assert history[0].stop_reason == "callback"


# ---------------------------------------------------------------------------------------------
# Concurrent runs give the sequential results, bit for bit
# ---------------------------------------------------------------------------------------------

def train(net, X, y, method, barrier=None):
    """A fit whose callback, given a barrier, waits at iteration 0 for the other thread's fit to
    get there too: the two runs then certainly overlap."""
    callback = None if barrier is None else (
        lambda info: info["iteration"] > 0 or barrier.wait() is not None)
    stochastic = dict(batch_size=16, seed=7) if method == "minibatch" else dict(seed=7) if method == "sgd" else {}
    h = net.fit(X, y, method=method, lr=0.05, iterations=400, record_every=40, callback=callback,
                **stochastic)
    return net.get_flat_weights().tobytes(), h.error.tobytes(), h.stop_reason


@pytest.mark.parametrize("method", ["gd", "sgd", "minibatch", "variable_lr", "conjugate_gradient"])
def test_two_threads_training_two_networks_match_sequential_runs(method):
    setups = [(deltaprop.Network([5, 12, 2], seed=s), *problem(600, 5, 2, seed=s)) for s in (1, 2)]
    sequential = [train(deltaprop.Network(net.dims, seed=s), X, y, method)
                  for s, (net, X, y) in zip((1, 2), setups)]
    barrier = threading.Barrier(2, timeout=60)
    concurrent = [None, None]

    def run(k):
        net, X, y = setups[k]
        concurrent[k] = train(net, X, y, method, barrier)

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert concurrent == sequential


def test_eight_threads_predicting_with_one_network_match_sequential():
    net = deltaprop.Network([6, 40, 20, 3], output="identity", seed=3)
    X, y = problem(3000, 6, 3, seed=3)
    chunks = np.array_split(np.arange(len(X)), 8)

    def work(k):
        rows = chunks[k]
        e, G = net.error_and_gradient(X[rows], y[rows])
        return (net.forward(X).tobytes(), net.forward(X[rows]).tobytes(), net.error(X, y),
                e, b"".join(g.tobytes() for g in G))

    sequential = [work(k) for k in range(8)]
    barrier = threading.Barrier(8, timeout=60)
    concurrent = [[] for _ in range(8)]

    def run(k):
        barrier.wait()  # all eight start together
        for _ in range(5):
            concurrent[k].append(work(k))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(8):
        assert concurrent[k] == [sequential[k]] * 5


def test_changing_the_thread_count_during_a_fit_does_not_change_its_result(exclusive_gil):
    X, y = problem(3000, 8, seed=4)
    expected = train(deltaprop.Network([8, 24, 1], seed=4), X, y, "gd")
    net = deltaprop.Network([8, 24, 1], seed=4)
    changes = [0]
    result = []
    original = deltaprop.get_num_threads()
    # the main thread runs only while the fit is in C++ without the GIL
    t = threading.Thread(target=lambda: result.append(train(net, X, y, "gd")))
    try:
        t.start()
        while t.is_alive() and changes[0] < 30:
            deltaprop.set_num_threads(1 + changes[0] % 3)  # resizes the pool between blocks
            changes[0] += 1
        t.join()
    finally:
        deltaprop.set_num_threads(original)
    assert changes[0] > 1
    assert result == [expected]


# ---------------------------------------------------------------------------------------------
# One changing call at a time per network
# ---------------------------------------------------------------------------------------------

XS, YS = problem(8000, 4, seed=5)  # a few milliseconds per call


def busy_net():
    return deltaprop.Network([4, 16, 1], seed=5)


RUNNING = {  # calls that change the network with the GIL released
    "fit": lambda n: n.fit(XS, YS, iterations=20, lr=1e-3),
    "gd_step": lambda n: n.gd_step(XS, YS, 1e-3),
    "sgd_epoch": lambda n: n.sgd_epoch(XS, YS, 1e-3),
}
CHANGING = {  # calls that must be refused while one of those runs
    "fit": lambda n: n.fit(XS, YS, iterations=1),
    "gd_step": lambda n: n.gd_step(XS, YS, 0.1),
    "sgd_epoch": lambda n: n.sgd_epoch(XS, YS, 0.1),
    "weights assignment": lambda n: setattr(n, "weights", [np.zeros_like(w) for w in n.weights]),
    "set_flat_weights": lambda n: n.set_flat_weights(np.zeros(n.n_weights)),
    "initialize": lambda n: n.initialize(123),
}


REFUSED_AS = {"weights assignment": "weight assignment", "set_flat_weights": "weight assignment"}


@pytest.mark.parametrize("refused", CHANGING)
@pytest.mark.parametrize("running", RUNNING)
def test_a_second_changing_call_on_a_busy_network_raises(exclusive_gil, running, refused):
    net = busy_net()
    kind, error = while_inside(lambda: RUNNING[running](net), lambda: CHANGING[refused](net))
    assert kind == "raised" and isinstance(error, RuntimeError), (kind, error)
    assert str(error) == (f"network is busy: {running} is running on it (in another thread or in "
                          f"its callback); {REFUSED_AS.get(refused, refused)} is refused until it returns")
    assert net.seed == 5  # a refused initialize did not take its seed either
    # after the worker stopped, the same call goes through: the mark was released
    CHANGING[refused](net)
    assert np.isfinite(net.get_flat_weights()).all()


@pytest.mark.parametrize("running", RUNNING)
def test_reading_calls_proceed_while_a_network_is_trained(exclusive_gil, running):
    net = busy_net()

    def read():
        return (net.forward(XS), net.error(XS, YS), net.error_and_gradient(XS, YS)[1],
                net.get_flat_weights(), model_file.to_bytes(net), net.dims, net.n_weights)

    kind, value = while_inside(lambda: RUNNING[running](net), read)
    assert kind == "returned", value
    h, e, G, w, data, dims, nw = value
    assert h.shape == (len(XS), 1) and np.isfinite(h).all() and np.isfinite(e)
    assert all(np.isfinite(g).all() for g in G) and np.isfinite(w).all()
    assert model_file.from_bytes(data).dims == dims == [4, 16, 1] and nw == 97


def test_a_changing_call_from_fits_own_callback_raises():
    net = busy_net()

    def callback(info):
        net.gd_step(XS, YS, 0.1)

    with pytest.raises(RuntimeError, match="network is busy: fit is running on it.*gd_step is refused"):
        net.fit(XS, YS, iterations=5, callback=callback)
    net.gd_step(XS, YS, 0.1)  # not busy any more


@pytest.mark.parametrize("failure", ["callback raises", "diverges", "bad validation data"])
def test_the_busy_mark_is_released_when_fit_fails(failure):
    net = busy_net()
    if failure == "callback raises":
        def callback(info):
            raise KeyError("stop")
        with pytest.raises(KeyError):
            net.fit(XS, YS, callback=callback)
    elif failure == "diverges":
        net = deltaprop.Network([4, 16, 1], output="identity", seed=5)
        with pytest.raises(deltaprop.DivergenceError):
            net.fit(XS, YS, method="gd", lr=1e300, iterations=50)
    else:
        with pytest.raises(ValueError):
            net.fit(XS, YS, validation=(XS[:, :2], YS))
    net.initialize(1)  # would raise "network is busy" if the mark had leaked
    net.fit(XS, YS, iterations=1)


def test_a_running_call_keeps_its_network_alive(exclusive_gil):
    # Dropping the network's C++ object from its wrapper while fit runs frees it only when the
    # call returns: the call holds its own reference.
    net = busy_net()
    impl = weakref.ref(net._impl)
    histories = []

    def fit_once():
        if not histories:
            histories.append(net.fit(XS, YS, iterations=30, lr=1e-3))

    def drop():
        del net._impl
        gc.collect()
        return impl() is not None

    kind, alive_during = while_inside(fit_once, drop)
    assert (kind, alive_during) == ("returned", True)
    assert histories[0].iterations_done == 30 and np.isfinite(histories[0].error).all()
    gc.collect()
    assert impl() is None  # and freed after


def test_a_network_cannot_be_resized():
    net = busy_net()
    with pytest.raises(AttributeError):
        net.dims = [4, 32, 1]
    with pytest.raises(AttributeError):
        net.n_weights = 10


def test_calls_alternating_between_networks_match_the_same_calls_on_new_threads():
    # A thread keeps the evaluator of its last call for the next (kept_evaluator.hpp): calls
    # that switch network, layout, dtype and size of data must not see the previous one's
    # scratch. A new thread starts with none, so its results are those of a fresh evaluator.
    cases = []
    for dims, dtype, n, seed in [([2, 10, 1], np.float64, 300, 1), ([6, 40, 20, 3], np.float64, 700, 2),
                                 ([2, 10, 1], np.float32, 41, 3), ([2, 10, 1], np.float64, 7, 4),
                                 ([6, 40, 20, 3], np.float32, 2000, 5)]:
        X, y = problem(n, dims[0], dims[-1], seed=seed)
        cases.append((deltaprop.Network(dims, dtype=dtype, seed=seed), X, y))

    def results(net, X, y):
        e, G = net.error_and_gradient(X, y)
        return (e, b"".join(g.tobytes() for g in G), net.error(X[:5], y[:5]),
                net.forward(X).tobytes())

    def on_new_thread(case):
        out = []
        t = threading.Thread(target=lambda: out.append(results(*case)))
        t.start()
        t.join()
        return out[0]

    fresh = [on_new_thread(case) for case in cases]
    for _ in range(2):
        for k in (0, 1, 0, 2, 3, 4, 1, 3):
            assert results(*cases[k]) == fresh[k], f"case {k}"
