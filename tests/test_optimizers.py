"""The optimizers of issue 19 from Python: the strong-Wolfe line search on real networks, CG on
linear least squares, L-BFGS on an ill-conditioned quadratic, Adam against a plain numpy Adam,
``net.objective`` with scipy, the options' checks, and what the history says
(``function_evaluations``, ``notes``, a stalled run). The line search itself is tested in C++
(tests/cpp/test_line_search.cpp), L-BFGS on a quadratic too (tests/cpp/test_objective.cpp)."""

import numpy as np
import pytest

import deltaprop
from conftest import require_module


def flat_gradient(net, X, y):
    e, grads = net.error_and_gradient(X, y)
    return e, np.concatenate([g.ravel() for g in grads])


def twin(net):
    """A network with the same parts and weights."""
    other = deltaprop.Network(net.dims, net.activation, net.output, net.loss, net.dtype, seed=0)
    other.set_flat_weights(net.get_flat_weights())
    return other


def softmax_problem(seed=0, n=60):
    """A 5-8-3 softmax network with cross-entropy on random points and one-hot targets."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    Y = np.eye(3)[rng.integers(0, 3, size=n)]
    return deltaprop.Network([5, 8, 3], output="softmax", seed=seed), X, Y


def tanh_problem(seed=0, n=80):
    """A 3-6-2 tanh network with squared error on a smooth target in [-1, 1]."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    Y = np.tanh(np.c_[X @ [1.0, -2.0, 0.5], X[:, 0] * X[:, 1]])
    return deltaprop.Network([3, 6, 2], seed=seed), X, Y


# --- the line search on real networks ----------------------------------------------------------
@pytest.mark.parametrize("method, c2", [("steepest", 0.1), ("conjugate_gradient", 0.1),
                                        ("lbfgs", 0.9)])
@pytest.mark.parametrize("make", [tanh_problem, softmax_problem])
def test_first_step_satisfies_the_strong_wolfe_conditions(method, c2, make):
    # The first step of each line-search method is a search along -g; from a few points along a
    # gd run, the step it takes must satisfy both conditions (c1 = 1e-4), checked here in numpy
    # from the weights before and after, unless its note says the search ended without them.
    net, X, Y = make()
    checked = 0
    for _ in range(4):
        start = twin(net)
        e0, g0 = flat_gradient(start, X, Y)
        w0 = start.get_flat_weights()
        h = start.fit(X, Y, method=method, iterations=1, record_every=1)
        assert h.iterations_done == 1 and h.notes == [], h.notes
        step = start.get_flat_weights() - w0
        alpha = np.linalg.norm(step) / np.linalg.norm(g0)
        np.testing.assert_allclose(step, -alpha * g0, rtol=0, atol=1e-12 * np.abs(w0).max())
        e1, g1 = flat_gradient(start, X, Y)
        slope0, slope1 = -g0 @ g0, -g1 @ g0
        assert e1 <= e0 + 1e-4 * alpha * slope0, (e0, e1, alpha)
        assert abs(slope1) <= c2 * abs(slope0), (slope0, slope1)
        assert h.lr[-1] == pytest.approx(alpha, rel=1e-9)  # lr records the step α
        checked += 1
        net.fit(X, Y, method="gd", lr=0.2, iterations=25)  # on to another point
    assert checked == 4


# --- conjugate gradients on linear least squares ---------------------------------------------------
def test_conjugate_gradient_solves_linear_least_squares():
    # A linear network (identity output, no hidden layer) on E_in = (1/N)||Zw - y||² has its
    # minimum at the normal-equation solution ZᵀZ w = Zᵀy, per output.
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(200, 6)) * np.linspace(0.1, 1, 6)  # unequal curvatures
    Y = X @ rng.normal(size=(6, 2)) + rng.normal(size=(200, 2)) * 0.3 + [0.5, -1.0]
    Z = np.hstack([np.ones((len(X), 1)), X])
    W = np.linalg.solve(Z.T @ Z, Z.T @ Y)  # (7, 2): row 0 the biases, as the network's layout
    net = deltaprop.Network([6, 2], output="identity", seed=3)
    h = net.fit(X, Y, method="conjugate_gradient", iterations=10 * net.n_weights, grad_tol=1e-12)
    # at the minimum either |g| falls below grad_tol or E's differences are rounding and the
    # line search finds no further decrease; both within a few times n steps
    assert h.stop_reason in ("gradient_tolerance", "line_search"), (h.stop_reason, h.notes)
    assert h.iterations_done <= 4 * net.n_weights
    np.testing.assert_allclose(net.weights[0], W, rtol=0, atol=1e-10)
    assert np.linalg.norm(flat_gradient(net, X, Y)[1]) < 1e-10
    assert net.error(X, Y) == pytest.approx(np.mean(np.sum((Z @ W - Y) ** 2, axis=1)), rel=1e-12)


# --- L-BFGS on an ill-conditioned quadratic -----------------------------------------------------
def ill_conditioned_quadratic(n=20, condition=100.0, seed=2):
    """(A, b): A symmetric positive definite with eigenvalues spread geometrically from 1 to
    `condition` in a random rotation."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = Q @ np.diag(np.geomspace(1.0, condition, n)) @ Q.T
    return (A + A.T) / 2, rng.normal(size=n)


def test_lbfgs_drives_an_ill_conditioned_quadratic_to_a_tiny_gradient():
    # E(w) = ½wᵀAw − bᵀw, n = 20, cond(A) = 100, through net._impl.fit_objective (the loop on a
    # Python function): ‖∇E‖ < 1e-8 within 100 iterations.
    A, b = ill_conditioned_quadratic()
    assert np.linalg.cond(A) == pytest.approx(100.0, rel=1e-6)
    net = deltaprop.Network([19, 1], output="identity", seed=0)  # 20 weights
    assert net.n_weights == 20
    calls = []

    def f(w, gradient):
        calls.append(gradient)
        e = 0.5 * w @ A @ w - b @ w
        return (e, A @ w - b) if gradient else e

    options = {"method": "lbfgs", "iterations": 100, "grad_tol": 1e-8, "record_every": 1}
    raw = net._impl.fit_objective(f, 1, options, None, None, None)
    w = net.get_flat_weights()
    assert raw["stop_reason"] == "gradient_tolerance", (raw["stop_reason"], raw["notes"])
    assert raw["iterations_done"] <= 100
    assert np.linalg.norm(A @ w - b) < 1e-8
    np.testing.assert_allclose(w, np.linalg.solve(A, b), rtol=0, atol=1e-7)
    # the history counts every call of f, and each iteration made at least one
    fe = raw["function_evaluations"]
    assert fe[-1] == len(calls) and np.all(np.diff(fe) >= 1)
    # scipy's L-BFGS-B takes a comparable number of evaluations to get there
    optimize = require_module("scipy.optimize")
    r = optimize.minimize(lambda w: (0.5 * w @ A @ w - b @ w, A @ w - b), np.zeros(20), jac=True,
                          method="L-BFGS-B", options={"gtol": 1e-9, "ftol": 0, "maxiter": 1000})
    assert len(calls) <= 2 * r.nfev, (len(calls), r.nfev)


def test_lbfgs_on_a_linear_network_reaches_the_least_squares_solution():
    # the same on a network's own E_in, whose Hessian (2/N)ZᵀZ has a condition number of about
    # 100 from column scales 0.1..1
    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, size=(300, 9)) * np.linspace(0.1, 1, 9)
    y = X @ rng.normal(size=9) + 0.2 * rng.normal(size=300)
    Z = np.hstack([np.ones((300, 1)), X])
    assert 50 < np.linalg.cond(Z.T @ Z) < 500
    w_star = np.linalg.solve(Z.T @ Z, Z.T @ y)
    net = deltaprop.Network([9, 1], output="identity", seed=5)
    h = net.fit(X, y, method="lbfgs", iterations=100, grad_tol=1e-8, record_every=1)
    assert h.stop_reason == "gradient_tolerance" and h.iterations_done < 100, h.notes
    g = flat_gradient(net, X, y)[1]
    assert np.linalg.norm(g) < 1e-8
    # on a quadratic, ‖w − w*‖ ≤ ‖g‖ / λ_min of the Hessian (2/N)ZᵀZ
    lam_min = np.linalg.eigvalsh(2 / len(X) * Z.T @ Z)[0]
    assert np.linalg.norm(net.get_flat_weights() - w_star) <= 1.01 * np.linalg.norm(g) / lam_min


# --- Adam against numpy -------------------------------------------------------------------------
def batch_order(n, batch_size, seed, updates):
    """The points of deltaprop's first `updates` mini-batches for n points, read off the core:
    minibatch on a linear network over one-hot inputs x_k = e_k moves input weight k exactly
    when point k is in the batch. (adam and minibatch take their batches from the same seeded
    orders: the comparison with numpy below fails if they did not.)"""
    X, y = np.eye(n), np.arange(n) + 1.0  # every point off its fit: every gradient row nonzero
    start = deltaprop.Network([n, 1], output="identity", seed=0)
    batches, previous = [], start.get_flat_weights()
    for t in range(1, updates + 1):
        net = twin(start)
        net.fit(X, y, method="minibatch", batch_size=batch_size, lr=0.01, iterations=t,
                seed=seed)
        w = net.get_flat_weights()
        moved = np.flatnonzero(w[1:] != previous[1:])  # w[0] is the bias, in every batch
        assert len(moved) == batch_size
        batches.append(moved)
        previous = w
    return batches


def numpy_adam(net, X, Y, batches, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    """Plain Adam (Kingma & Ba) from net's weights over the given batches: g the batch's mean
    gradient plus the weight-decay gradient (λ/N)·2w with N the whole training set's size.
    Returns the weights after each update."""
    ref = twin(net)
    w = ref.get_flat_weights()
    m, v, out = np.zeros_like(w), np.zeros_like(w), []
    for t, rows in enumerate(batches, start=1):
        ref.set_flat_weights(w)
        g = flat_gradient(ref, X[rows], Y[rows])[1] + weight_decay / len(X) * 2 * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return out


@pytest.mark.parametrize("weight_decay", [0.0, 0.5])
def test_adam_first_updates_equal_numpy_adam(weight_decay):
    # 14 points in batches of 4: three batches an epoch (the short last one dropped), so the five
    # updates cross into the second epoch's order. The batches are read off the core with
    # batch_order (deltaprop's seeded order is its own generator, not numpy's); the updates are
    # then compared one by one with plain numpy Adam on those batches.
    n, batch_size, seed, updates = 14, 4, 7, 5
    batches = batch_order(n, batch_size, seed, updates)
    assert len({tuple(sorted(b)) for b in batches}) == updates  # five distinct batches
    assert len(set(np.concatenate(batches[:3]))) == 12  # an epoch's batches are disjoint
    net, X, Y = tanh_problem(seed=1, n=n)
    options = dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-7)
    expected = numpy_adam(net, X, Y, batches, weight_decay=weight_decay, **options)
    for t in range(1, updates + 1):
        run = twin(net)
        h = run.fit(X, Y, method="adam", iterations=t, batch_size=batch_size, seed=seed,
                    weight_decay=weight_decay, record_every=1, **options)
        np.testing.assert_allclose(run.get_flat_weights(), expected[t - 1], rtol=0, atol=1e-12)
        assert list(h.function_evaluations) == list(range(t + 1))  # one batch gradient an update
    # and the updates did something (each about lr per weight at the first step)
    moved = np.abs(expected[0] - net.get_flat_weights())
    assert moved.min() > 0.5 * options["lr"]


def test_adam_defaults_are_kingma_and_ba():
    net, X, Y = tanh_problem(seed=2, n=32)
    batches = [np.arange(32)] * 3  # batch_size = N: every batch is every point
    expected = numpy_adam(net, X, Y, batches, lr=1e-3)
    net.fit(X, Y, method="adam", iterations=3, batch_size=32)
    np.testing.assert_allclose(net.get_flat_weights(), expected[-1], rtol=0, atol=1e-12)


# --- net.objective and scipy ----------------------------------------------------------------------
@pytest.mark.parametrize("penalty", [{}, {"weight_decay": 0.3}, {"weight_elimination": 0.2}])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_objective_agrees_with_error_and_gradient(penalty, dtype):
    net, X, Y = softmax_problem(seed=4)
    net = deltaprop.Network(net.dims, output="softmax", dtype=dtype, seed=4)
    f = net.objective(X, Y, **penalty)
    assert f.n_weights == net.n_weights and f.evaluations == 0
    before = net.get_flat_weights()
    rng = np.random.default_rng(4)
    for k in range(3):
        w = rng.normal(size=net.n_weights)
        e, g = f(w)
        assert isinstance(e, float) and g.dtype == np.float64 and g.shape == (net.n_weights,)
        ref = twin(net)
        ref.set_flat_weights(w)
        e_ref, g_ref = flat_gradient(ref, X.astype(dtype), Y.astype(dtype))
        wt = w.astype(dtype).astype(np.float64)  # the weights the network computes with
        kind, lam = next(iter(penalty.items()), (None, 0.0))
        if kind == "weight_decay":
            e_ref += lam / len(X) * np.sum(wt**2)
            g_ref = g_ref + lam / len(X) * 2 * wt
        elif kind == "weight_elimination":
            e_ref += lam / len(X) * np.sum(wt**2 / (1 + wt**2))
            g_ref = g_ref + lam / len(X) * 2 * wt / (1 + wt**2) ** 2
        tol = 1e-12 if dtype == np.float64 else 1e-5
        assert e == pytest.approx(e_ref, rel=tol)
        np.testing.assert_allclose(g, g_ref, rtol=tol, atol=tol * np.abs(g_ref).max())
        assert f.evaluations == k + 1
    np.testing.assert_array_equal(net.get_flat_weights(), before)  # the network is untouched


def test_objective_is_the_one_fit_minimises():
    # E_aug recorded by fit at its start is the objective at the starting weights
    net, X, Y = tanh_problem(seed=6)
    f = net.objective(X, Y, weight_decay=0.1)
    e, _ = f(net.get_flat_weights())
    h = twin(net).fit(X, Y, method="lbfgs", iterations=3, weight_decay=0.1, record_every=1)
    assert h.augmented_error[0] == pytest.approx(e, rel=1e-14)


def test_scipy_minimizes_with_the_objective():
    optimize = require_module("scipy.optimize")
    net, X, Y = tanh_problem(seed=7)
    f = net.objective(X, Y)
    w0 = net.get_flat_weights()
    e0 = f(w0)[0]
    r = optimize.minimize(f, w0, jac=True, method="L-BFGS-B", options={"maxiter": 200})
    assert r.fun < 0.05 * e0, (r.fun, e0)
    assert f.evaluations == r.nfev + 1
    net.set_flat_weights(r.x)
    assert net.error(X, Y) == pytest.approx(r.fun, rel=1e-12)
    # deltaprop's own L-BFGS from the same start gets as low within the same budget
    ours = twin(deltaprop.Network(net.dims, seed=7))
    h = ours.fit(X, Y, method="lbfgs", iterations=r.nit)
    assert h.error[-1] < 1.5 * r.fun, (h.error[-1], r.fun)


def test_objective_rejects_bad_weights_and_data():
    net, X, Y = tanh_problem()
    f = net.objective(X, Y)
    with pytest.raises(ValueError, match="w must be flat weights"):
        f(np.zeros(net.n_weights + 1))
    with pytest.raises(ValueError, match="w"):
        f(np.full(net.n_weights, np.nan))
    with pytest.raises(ValueError):
        net.objective(X[:, :2], Y)
    with pytest.raises(ValueError, match="weight_decay and weight_elimination"):
        net.objective(X, Y, weight_decay=0.1, weight_elimination=0.1)


# --- bad options -----------------------------------------------------------------------------------
BAD = [
    (dict(method="steepest", c1=0.5, c2=0.4), "c1 must be below c2"),
    (dict(method="lbfgs", c1=0.95), "c1 must be below c2"),  # against lbfgs's default c2 0.9
    (dict(method="conjugate_gradient", c1=0.2), "c1 must be below c2"),  # default c2 0.1
    (dict(method="lbfgs", c2=1.0), "c2 must be a number > 0.0 and < 1.0"),
    (dict(method="lbfgs", c1=0.0), "c1 must be a number > 0.0 and < 1.0"),
    (dict(method="lbfgs", memory=0), "memory must be an integer >= 1"),
    (dict(method="lbfgs", max_line_evaluations=0), "max_line_evaluations must be an integer >= 1"),
    (dict(method="adam", beta1=1.0), "beta1 must be a number >= 0.0 and < 1.0"),
    (dict(method="adam", beta1=-0.1), "beta1 must be a number >= 0.0 and < 1.0"),
    (dict(method="adam", beta2=1.5), "beta2 must be a number >= 0.0 and < 1.0"),
    (dict(method="adam", eps=0.0), "eps must be a finite number > 0.0"),
    (dict(method="adam", eps=-1e-8), "eps must be a finite number > 0.0"),
    (dict(method="adam", lr=0.0), "lr"),
    (dict(method="gd", memory=5), "memory applies to lbfgs, not gd"),
    (dict(method="lbfgs", beta1=0.9), "beta1 applies to adam, not lbfgs"),
    (dict(method="adam", c1=1e-4), "c1 applies to steepest, conjugate_gradient and lbfgs, not adam"),
    (dict(method="lbfgs", momentum=0.5), "momentum applies to gd, sgd and minibatch, not lbfgs"),
    (dict(method="adam", grad_tol=1e-6), "grad_tol applies to"),
    (dict(method="lbfgs", batch_size=8), "batch_size applies to minibatch and adam, not lbfgs"),
]


@pytest.mark.parametrize("options, text", BAD, ids=[str(o)[:50] for o, _ in BAD])
def test_bad_options_raise_value_error(options, text):
    net, X, Y = tanh_problem()
    before = net.get_flat_weights()
    with pytest.raises(ValueError) as info:
        net.fit(X, Y, iterations=5, **options)
    assert text in str(info.value), str(info.value)
    np.testing.assert_array_equal(net.get_flat_weights(), before)


def test_fit_objective_refuses_a_stochastic_method():
    net = deltaprop.Network([2, 1], seed=0)
    with pytest.raises(ValueError, match="adam trains on points"):
        net._impl.fit_objective(lambda w, g: (0.0, 0 * w) if g else 0.0, 1,
                                {"method": "adam", "iterations": 1}, None, None, None)


# --- the history: evaluations and notes --------------------------------------------------------------
@pytest.mark.parametrize("method", ["steepest", "conjugate_gradient", "lbfgs"])
def test_line_search_methods_count_their_evaluations(method):
    net, X, Y = tanh_problem(seed=8)
    h = net.fit(X, Y, method=method, iterations=30, record_every=1)
    fe = h.function_evaluations
    assert fe[0] == 1  # E and ∇E at the start
    assert np.all(np.diff(fe) >= 1)  # each iteration's line search evaluates at least once
    assert fe[-1] <= 1 + 30 * 20  # within max_line_evaluations per search
    np.testing.assert_array_equal(h.evaluations, fe)  # full passes: the same count here
    assert h.error[-1] < 0.5 * h.error[0]


def test_stochastic_methods_count_their_gradients():
    net, X, Y = tanh_problem(seed=8)
    for method, per_update in (("adam", 1), ("minibatch", 1), ("sgd", 1)):
        h = twin(net).fit(X, Y, method=method, iterations=40, record_every=10)
        np.testing.assert_array_equal(h.function_evaluations, per_update * h.iteration)


@pytest.mark.parametrize("method", ["steepest", "conjugate_gradient", "lbfgs"])
def test_a_search_that_finds_no_decrease_stops_the_run_with_a_note(method):
    # A "gradient" that points uphill: along −g, E only rises, so the line search finds no
    # decrease; the run stops with stop_reason "line_search", a note that says why, and the
    # starting weights (never a NaN).
    net = deltaprop.Network([3, 1], seed=1)
    w0 = net.get_flat_weights()
    calls = []

    def f(w, gradient):
        calls.append(gradient)
        e = float(np.sum(w**2))
        return (e, -2 * w) if gradient else e

    raw = net._impl.fit_objective(f, 1, {"method": method, "iterations": 50}, None, None, None)
    assert raw["stop_reason"] == "line_search" and raw["iterations_done"] == 0
    assert raw["notes"] and "line search stopped the run" in raw["notes"][-1], raw["notes"]
    assert raw["notes"][-1].startswith("iteration 1:")
    np.testing.assert_array_equal(net.get_flat_weights(), w0)
    # the start, then the search's trials (lbfgs: along -g only, its memory being empty)
    assert 1 < len(calls) <= 1 + 20
    # (the history's last row is the start's: the evaluations of a search that moved nothing
    # are not in it)
    assert raw["function_evaluations"][-1] == 1


def test_a_converged_run_stops_on_the_line_search():
    # at the least-squares solution, E's differences are rounding: steepest descent eventually
    # finds no decrease and says so, keeping the lowest E
    rng = np.random.default_rng(9)
    X = rng.normal(size=(50, 2))
    y = X @ [1.0, -1.0] + 0.1 * rng.normal(size=50)
    net = deltaprop.Network([2, 1], output="identity", seed=9)
    h = net.fit(X, y, method="steepest", iterations=100000, record_every=1)
    assert h.stop_reason in ("line_search", "gradient_tolerance"), h.stop_reason
    assert h.iterations_done < 100000
    if h.stop_reason == "line_search":
        assert any("stopped the run" in note for note in h.notes), h.notes
    # never up, but by rounding: where E's differences are rounding the search may move on
    # the slopes (the approximate Wolfe condition)
    assert np.all(np.diff(h.augmented_error) <= 1e-12 * h.augmented_error[-1])
    assert np.isfinite(net.get_flat_weights()).all()
