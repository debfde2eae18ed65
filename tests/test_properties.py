"""Property-based tests (hypothesis): random architectures, data and weights, including
magnitudes where tanh saturates.

- E_in, its gradient and h(x) stay finite for any finite weights and data whose products fit
  the type (up to 10^30 in float64, 10^8 in float32), and h is in [-1, 1] with a tanh output;
- backpropagation agrees with central differences where E_in is smooth on the scale of the
  step (weights and data of order one, saturated units included);
- forward propagation of a batch agrees with forward propagation point by point, and float32
  agrees with float64, both within a rounding-error bound computed from the standard model of
  floating-point arithmetic (each operation errs by at most u relative; float_error_bounds).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deltaprop

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------
# Random problems
# ---------------------------------------------------------------------------------------------

@st.composite
def problems(draw, weight_exponents=(-2.0, 0.5), data_exponents=(-2.0, 0.5), max_width=6,
             max_points=12):
    """(dims, output, weights, X, Y): each layer's weights and the data get their own scale
    10^e with e drawn from the given range, so saturated and linear layers mix."""
    dims = draw(st.lists(st.integers(1, max_width), min_size=2, max_size=5))
    output = draw(st.sampled_from(["tanh", "identity"]))
    n = draw(st.integers(1, max_points))
    seed = draw(st.integers(0, 2**32 - 1))
    layer_scales = [10.0 ** draw(st.floats(*weight_exponents)) for _ in dims[1:]]
    data_scale = 10.0 ** draw(st.floats(*data_exponents))
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((a + 1, b)) * s for a, b, s in zip(dims, dims[1:], layer_scales)]
    X = rng.standard_normal((n, dims[0])) * data_scale
    Y = rng.uniform(-1, 1, (n, dims[-1]))
    return dims, output, weights, X, Y


def network(dims, output, weights, dtype=np.float64):
    net = deltaprop.Network(dims, output=output, dtype=dtype, seed=0)
    net.weights = weights
    return net


def gamma(n, u):
    """γ_n = n·u / (1 − n·u): the relative error bound of a sum of n terms."""
    return n * u / (1 - n * u)


def float_error_bounds(weights, X, Y, output, u):
    """First-order bounds on |computed − exact| for h(X) (N × dL), E_in and each G^(l), for
    arithmetic of unit roundoff u, with the weights and the data taken as exact.

    Forward: s = W0 + x·W1 errs by |W1|ᵀ|Δx| + γ_{d+1}(|W0| + |x|·|W1|); tanh by the mean value
    theorem (|tanh'| ≤ 1 − tanh² of the point nearest 0 in reach) plus 4u for fast_tanh (it is
    within 2.5 ulp). Backward and gradient the same way, with γ_{N+1} for the sums over points.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
    L, N = len(weights), len(X)
    xs, bxs = [X], [np.zeros_like(X)]
    for l, W in enumerate(weights, start=1):
        W0, W1 = W[0], W[1:]
        x, bx = xs[-1], bxs[-1]
        s = W0 + x @ W1
        bs = bx @ np.abs(W1) + gamma(W.shape[0] + 1, u) * (np.abs(W0) + np.abs(x) @ np.abs(W1))
        if l < L or output == "tanh":
            x = np.tanh(s)
            nearest = np.maximum(np.abs(s) - bs, 0.0)
            bx = np.minimum(bs * (1 - np.tanh(nearest) ** 2), 2.0) + 4 * u
        else:
            x, bx = s, bs
        xs.append(x)
        bxs.append(bx)
    h, bh = xs[L], bxs[L]
    r = h - Y
    br = bh + u * np.abs(r)
    E = np.mean(np.sum(r**2, axis=1))
    bE = np.mean(np.sum(2 * np.abs(r) * br + u * r**2, axis=1)) + gamma(N * Y.shape[1] + 2, u) * E
    if output == "tanh":
        delta = 2 * r * (1 - h**2)
        bdelta = 2 * (br * (1 - h**2) + np.abs(r) * (2 * np.abs(h) * bh + 2 * u)) + 3 * u * np.abs(delta)
    else:
        delta, bdelta = 2 * r, 2 * br
    bG = [None] * L
    for l in range(L, 0, -1):
        x, bx = xs[l - 1], bxs[l - 1]
        ad = np.abs(delta)
        b_bias = (bdelta.sum(0) + gamma(N + 1, u) * ad.sum(0)) / N
        b_rest = (bx.T @ ad + np.abs(x).T @ bdelta + gamma(N + 1, u) * np.abs(x).T @ ad) / N
        G = np.vstack([delta.sum(0), x.T @ delta]) / N
        bG[l - 1] = np.vstack([b_bias, b_rest]) + 2 * u * np.abs(G)
        if l > 1:
            W1 = weights[l - 1][1:]
            t = delta @ W1.T
            bt = bdelta @ np.abs(W1).T + gamma(W1.shape[1] + 1, u) * ad @ np.abs(W1).T
            delta = (1 - x**2) * t
            bdelta = (1 - x**2) * bt + (2 * np.abs(x) * bx + 2 * u) * np.abs(t) + 2 * u * np.abs(delta)
    return bh, bE, bG


U64, U32 = 2.0**-53, 2.0**-24


# ---------------------------------------------------------------------------------------------
# Finite everywhere, saturation included
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,exponents", [(np.float64, (-3.0, 30.0)), (np.float32, (-3.0, 8.0))])
@settings(max_examples=60, **SETTINGS)
@given(data=st.data())
def test_everything_stays_finite_at_extreme_magnitudes(dtype, exponents, data):
    dims, output, weights, X, Y = data.draw(problems(exponents, exponents))
    net = network(dims, output, [w.astype(dtype) for w in weights], dtype)
    X, Y = X.astype(dtype), Y.astype(dtype)
    h = net.forward(X)
    assert np.isfinite(h).all()
    if output == "tanh":
        assert (np.abs(h) <= 1).all()
    e, G = net.error_and_gradient(X, Y)
    assert np.isfinite(e) and e >= 0 and net.error(X, Y) == e
    for g, w in zip(G, net.weights):
        assert g.shape == w.shape and g.dtype == dtype and np.isfinite(g).all()


# ---------------------------------------------------------------------------------------------
# Backpropagation against central differences
# ---------------------------------------------------------------------------------------------

@settings(max_examples=40, **SETTINGS)
@given(problem=problems(weight_exponents=(-1.5, 0.3), data_exponents=(-1.5, 0.5), max_width=5,
                        max_points=8))
def test_backpropagation_matches_central_differences(problem):
    # Weights up to ~2 and inputs up to ~3 (fan-in up to 6) saturate many units, but E_in stays
    # smooth on the scale of Δ = 1e-6: truncation (Δ²·E''') and rounding (u·E/Δ) stay below
    # 1e-9·(1 + E), far below any error a wrong backward pass makes.
    dims, output, weights, X, Y = problem
    net = network(dims, output, weights)
    e, G = net.error_and_gradient(X, Y)
    G_hat = deltaprop.numerical_gradient(net, X, Y, delta=1e-6)
    assert np.array_equal(net.get_flat_weights(), np.concatenate([w.ravel() for w in weights]))
    for g, g_hat in zip(G, G_hat):
        np.testing.assert_allclose(g, g_hat, rtol=1e-6, atol=1e-8 * (1 + e))


# ---------------------------------------------------------------------------------------------
# A batch against its points one by one, and float32 against float64
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=40, **SETTINGS)
@given(problem=problems(weight_exponents=(-2.0, 1.5), data_exponents=(-2.0, 1.5), max_width=12,
                        max_points=40))
def test_forward_of_a_batch_agrees_with_forward_point_by_point(dtype, problem):
    dims, output, weights, X, Y = problem
    weights = [w.astype(dtype) for w in weights]
    X = X.astype(dtype)
    net = network(dims, output, weights, dtype)
    batch = net.forward(X)
    one_by_one = np.array([net.forward(x) for x in X])
    assert batch.shape == one_by_one.shape == (len(X), dims[-1])
    u = U64 if dtype == np.float64 else U32
    bh, _, _ = float_error_bounds([w.astype(np.float64) for w in weights], X, Y, output, u)
    # both are within bh of the exact h, so within 2·bh of each other
    assert (np.abs(batch.astype(np.float64) - one_by_one) <= 2 * bh).all()


def test_forward_of_a_batch_equals_forward_point_by_point_bit_for_bit():
    rng = np.random.default_rng(0)
    net = deltaprop.Network([3, 5], output="identity", seed=1)
    X = rng.normal(size=(600, 3))
    batch = net.forward(X)
    assert all(np.array_equal(net.forward(X[:b])[0], batch[0]) for b in range(1, 20))


@settings(max_examples=40, **SETTINGS)
@given(problem=problems(weight_exponents=(-2.0, 1.0), data_exponents=(-2.0, 1.0), max_width=8,
                        max_points=30))
def test_float32_agrees_with_float64_to_float32_precision(problem):
    dims, output, weights, X, Y = problem
    # both on the very same numbers: the weights and data rounded to float32
    w32 = [w.astype(np.float32) for w in weights]
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    w64, X64, Y64 = [w.astype(np.float64) for w in w32], X32.astype(np.float64), Y32.astype(np.float64)
    net32, net64 = network(dims, output, w32, np.float32), network(dims, output, w64)
    h32, h64 = net32.forward(X32).astype(np.float64), net64.forward(X64)
    e32, G32 = net32.error_and_gradient(X32, Y32)
    e64, G64 = net64.error_and_gradient(X64, Y64)
    b32 = float_error_bounds(w64, X64, Y64, output, U32)
    b64 = float_error_bounds(w64, X64, Y64, output, U64)
    margin = 2  # the bounds are first order
    assert (np.abs(h32 - h64) <= margin * (b32[0] + b64[0])).all()
    assert abs(e32 - e64) <= margin * (b32[1] + b64[1])
    for g32, g64, bg32, bg64 in zip(G32, G64, b32[2], b64[2]):
        assert (np.abs(g32.astype(np.float64) - g64) <= margin * (bg32 + bg64)).all()


def test_the_error_bounds_are_tight_enough_to_catch_a_wrong_result():
    # the bounds above must not be so loose that anything passes: on an ordinary problem a
    # relative error of 1e-4 in h, E_in or G exceeds the float32 bound
    rng = np.random.default_rng(1)
    dims = [3, 6, 2]
    weights = [rng.standard_normal((a + 1, b)) * 0.5 for a, b in zip(dims, dims[1:])]
    X, Y = rng.standard_normal((20, 3)), rng.uniform(-1, 1, (20, 2))
    net = network(dims, "tanh", weights)
    e, G = net.error_and_gradient(X, Y)
    bh, bE, bG = float_error_bounds(weights, X, Y, "tanh", U32)
    assert (np.abs(net.forward(X)) * 1e-4 > 2 * bh).mean() > 0.9
    assert e * 1e-4 > 2 * bE
    assert all((np.abs(g) * 1e-4 > 2 * b).mean() > 0.5 for g, b in zip(G, bG))
