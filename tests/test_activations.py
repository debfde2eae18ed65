"""Hidden activations, output θs and losses (issue 18): backpropagation against central
differences and against autograd's derivative of an independent E_in, float32 against float64,
and the cross-entropies at signals of ±1000.

The reference below is written from the definitions (docs: issue 18), not from deltaprop's code:
rows as points, x^(ℓ) = θ(s^(ℓ)) with s^(ℓ) = [1, x^(ℓ-1)] W^(ℓ), W^(ℓ) of shape
(d^(ℓ-1) + 1) × d^(ℓ) with the biases in row 0, E_in the mean over the points of
    squared_error:              e_n = ‖h(x_n) − y_n‖²
    softmax + cross_entropy:    e_n = −Σ_k y_nk (s_k − logsumexp(s))
    logistic + cross_entropy:   e_n = Σ_k [softplus(s_k) − y_nk s_k]
"""

import numpy as np
import pytest

import deltaprop
from conftest import require_module

autograd = require_module("autograd")
anp = require_module("autograd.numpy")

HIDDEN = ("tanh", "logistic", "relu", "identity")
PAIRS = (("tanh", "squared_error"), ("identity", "squared_error"), ("logistic", "squared_error"),
         ("softmax", "cross_entropy"), ("logistic", "cross_entropy"))
NETWORKS_PER_CASE = 40
KINK = 1e-3  # no ReLU unit's signal closer to 0 than this, so that ±Δ never crosses the kink
DELTA = 1e-6  # central-difference step (float64)
EPS32 = float(np.finfo(np.float32).eps)


# --- the reference ------------------------------------------------------------------------------
def logistic(s):
    return anp.exp(-anp.logaddexp(0.0, -s))  # 1/(1 + e^-s), without overflow for any s


def logsumexp(s):
    m = anp.max(s, axis=1, keepdims=True)
    return m + anp.log(anp.sum(anp.exp(s - m), axis=1, keepdims=True))


THETA = {
    "tanh": anp.tanh,
    "logistic": logistic,
    "relu": lambda s: anp.where(s > 0, s, 0.0),  # θ'(0) = 0
    "identity": lambda s: s,
    "softmax": lambda s: anp.exp(s - logsumexp(s)),
}


def unflatten(flat, shapes):
    ws, k = [], 0
    for r, c in shapes:
        ws.append(anp.reshape(flat[k:k + r * c], (r, c)))
        k += r * c
    return ws


def signals(flat, shapes, X, hidden, output):
    """[s^(1), ..., s^(L)] and h, for all points at once."""
    ws = unflatten(flat, shapes)
    thetas = list(hidden) + [output]
    A, ss = X, []
    for W, th in zip(ws, thetas):
        S = anp.dot(anp.concatenate([anp.ones((A.shape[0], 1)), A], axis=1), W)
        ss.append(S)
        A = THETA[th](S)
    return ss, A


def reference_error(flat, shapes, X, Y, hidden, output, loss):
    ss, h = signals(flat, shapes, X, hidden, output)
    s = ss[-1]
    if loss == "squared_error":
        e = anp.sum((h - Y) ** 2, axis=1)
    elif output == "softmax":
        e = -anp.sum(Y * (s - logsumexp(s)), axis=1)
    else:
        e = anp.sum(anp.logaddexp(0.0, s) - Y * s, axis=1)
    return anp.mean(e)


reference_gradient = autograd.grad(reference_error)


def reference(net, X, Y, hidden, output, loss):
    """(E, flat G, h) of the reference at net's weights, in float64."""
    shapes = [w.shape for w in net.weights]
    flat = net.get_flat_weights().astype(np.float64)
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64).reshape(len(X), -1)
    e = float(reference_error(flat, shapes, X, Y, hidden, output, loss))
    g = reference_gradient(flat, shapes, X, Y, hidden, output, loss)
    return e, g, signals(flat, shapes, X, hidden, output)[1]


def flat(grads):
    return np.concatenate([g.ravel() for g in grads]).astype(np.float64)


def central_differences(net, X, Y, delta=DELTA):
    w0 = net.get_flat_weights()
    g = np.zeros(w0.size)
    try:
        for i in range(w0.size):
            w = w0.copy()
            w[i] = w0[i] + delta
            net.set_flat_weights(w)
            e_plus = net.error(X, Y)
            w[i] = w0[i] - delta
            net.set_flat_weights(w)
            e_minus = net.error(X, Y)
            g[i] = (e_plus - e_minus) / (2 * delta)
    finally:
        net.set_flat_weights(w0)
    return g


def relative(a, b):
    """‖a − b‖ / ‖b‖ (0 when both are zero)."""
    num = np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64))
    return 0.0 if num == 0 else float(num / np.linalg.norm(b))


# --- the reference checked against what deltaprop computed before issue 18 ----------------------
@pytest.mark.parametrize("output", ["tanh", "identity"])
def test_reference_matches_todays_tanh_networks(output):
    """tanh hidden layers, tanh or identity outputs, squared error: the reference and deltaprop
    agree, so the reference's layout of the weights and its E are deltaprop's."""
    rng = np.random.default_rng(18)
    for k in range(20):
        n_layers = 1 + k % 4
        dims = [int(d) for d in rng.integers(1, 7, size=n_layers + 1)]
        net = deltaprop.Network(dims, output=output, seed=int(rng.integers(1 << 30)))
        X = rng.normal(size=(int(rng.integers(1, 8)), dims[0]))
        Y = rng.choice([-1.0, 1.0], size=(len(X), dims[-1])) if output == "tanh" else \
            rng.normal(size=(len(X), dims[-1]))
        e, G = net.error_and_gradient(X, Y)
        e_ref, g_ref, h_ref = reference(net, X, Y, ["tanh"] * (n_layers - 1), output, "squared_error")
        assert e == pytest.approx(e_ref, rel=1e-12, abs=0), (k, dims)
        assert np.abs(flat(G) - g_ref).max() <= 1e-12 * np.abs(g_ref).max(), (k, dims)
        np.testing.assert_allclose(net.forward(X).reshape(h_ref.shape), h_ref, rtol=1e-12, atol=1e-15)
        assert relative(central_differences(net, X, Y), g_ref) < 1e-7, (k, dims)


# --- random networks of every activation and every (output, loss) ------------------------------
def cases():
    return [(a, o, l) for a in HIDDEN for o, l in PAIRS]


def case_id(case):
    return "-".join(case)


def targets(rng, output, loss, n, d, k):
    if output == "tanh":
        return rng.choice([-1.0, 1.0], size=(n, d))
    if output == "identity":
        return rng.normal(scale=2.0, size=(n, d))
    if output == "softmax":
        if k % 2 == 0:  # one-hot labels
            return np.eye(d)[rng.integers(d, size=n)]
        return rng.dirichlet(np.full(d, 0.7), size=n)  # soft rows of probabilities
    Y = rng.uniform(0, 1, size=(n, d))
    if loss == "cross_entropy":  # targets of exactly 0 and 1 among them
        Y[rng.uniform(size=Y.shape) < 0.4] = 0.0
        Y[rng.uniform(size=Y.shape) < 0.3] = 1.0
    return Y


def random_network(activation, output, loss, k, dtype=np.float64):
    """The k-th network of a case: 1-4 weight layers, widths 1-6, the hidden layers a mix in which
    `activation` appears (or all of them `activation`, given as one name), a few points away
    from ReLU's kink. Returns (net, X, Y, hidden activations)."""
    rng = np.random.default_rng([18, HIDDEN.index(activation), PAIRS.index((output, loss)), k])
    n_layers = 1 + k % 4
    dims = [int(d) for d in rng.integers(1, 7, size=n_layers + 1)]
    if output == "softmax":
        dims[-1] = int(rng.integers(2, 7))
    n_hidden = n_layers - 1
    if k % 5 == 0 or n_hidden == 0:
        spec, hidden = activation, [activation] * n_hidden
    else:
        hidden = [str(a) for a in rng.choice(HIDDEN, size=n_hidden)]
        hidden[int(rng.integers(n_hidden))] = activation
        spec = hidden if k % 2 else tuple(hidden)
    net = deltaprop.Network(dims, activation=spec, output=output, loss=loss, dtype=dtype,
                            seed=int(rng.integers(1 << 30)))
    assert net.activation == tuple(hidden) and net.output == output and net.loss == loss
    n = int(rng.integers(1, 8))
    for _ in range(1000):
        X = rng.normal(size=(n, dims[0]))
        ss, _ = signals(net.get_flat_weights().astype(np.float64), [w.shape for w in net.weights],
                        X, hidden, output)
        if all(np.abs(s).min() >= KINK for s, a in zip(ss, hidden) if a == "relu"):
            break
    else:
        raise AssertionError(f"no points away from ReLU's kink for {dims} {hidden}")
    return net, X, targets(rng, output, loss, n, dims[-1], k), hidden


def networks(case, dtype=np.float64):
    for k in range(NETWORKS_PER_CASE):
        net, X, Y, hidden = random_network(*case, k, dtype)
        yield f"network {k}: {net.dims}, hidden {hidden}", net, X, Y, hidden


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_backprop_matches_central_differences(case):
    for name, net, X, Y, hidden in networks(case):
        _, G = net.error_and_gradient(X, Y)
        assert relative(flat(G), central_differences(net, X, Y)) < 1e-7, name
        result = deltaprop.check_gradient(net, X, Y)  # the library's check takes them too
        assert result.passed and result.relative_error < 1e-7, (name, result)


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_backprop_matches_autograd(case):
    _, output, loss = case
    for name, net, X, Y, hidden in networks(case):
        e, G = net.error_and_gradient(X, Y)
        e_ref, g_ref, h_ref = reference(net, X, Y, hidden, output, loss)
        assert e == pytest.approx(e_ref, rel=1e-12, abs=1e-300), name
        assert np.abs(flat(G) - g_ref).max() <= 1e-12 * np.abs(g_ref).max(), name
        assert net.error(X, Y) == e, name
        h = net.forward(X).reshape(h_ref.shape)
        np.testing.assert_allclose(h, h_ref, rtol=1e-12, atol=1e-15, err_msg=name)


FLOAT32_TOLERANCE = 100 * EPS32  # ~1.2e-5; the worst network here is at 30 ε


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_float32_agrees_with_the_float64_reference(case):
    _, output, loss = case
    for name, net, X, Y, hidden in networks(case, dtype=np.float32):
        assert net.weights[0].dtype == np.float32
        X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
        e, G = net.error_and_gradient(X32, Y32)
        assert G[0].dtype == np.float32
        # the reference on the very same (rounded) weights, points and targets
        e_ref, g_ref, h_ref = reference(net, X32, Y32, hidden, output, loss)
        assert abs(e - e_ref) <= FLOAT32_TOLERANCE * abs(e_ref), (name, e, e_ref)
        assert relative(flat(G), g_ref) <= FLOAT32_TOLERANCE, name
        h = net.forward(X32).reshape(h_ref.shape)
        assert h.dtype == np.float32
        np.testing.assert_allclose(h, h_ref, rtol=FLOAT32_TOLERANCE, atol=FLOAT32_TOLERANCE, err_msg=name)


# --- names and defaults --------------------------------------------------------------------------
def test_the_names_are_exported():
    assert deltaprop.ACTIVATIONS == HIDDEN
    assert deltaprop.OUTPUTS == ("tanh", "logistic", "identity", "softmax")  # the core's order
    assert deltaprop.LOSSES == ("squared_error", "cross_entropy")


@pytest.mark.parametrize("output, loss", [("tanh", "squared_error"), ("identity", "squared_error"),
                                          ("logistic", "squared_error"), ("softmax", "cross_entropy")])
def test_loss_none_picks_cross_entropy_for_softmax_only(output, loss):
    assert deltaprop.Network([3, 4, 2], output=output).loss == loss
    assert deltaprop.Network([3, 4, 2], output=output, loss=None).loss == loss


def test_defaults_are_the_lectures_network():
    net = deltaprop.Network([3, 4, 5, 2], seed=1)
    assert (net.activation, net.output, net.loss) == (("tanh", "tanh"), "tanh", "squared_error")
    assert deltaprop.Network([3, 2]).activation == ()
    assert deltaprop.Network([3, 2], activation=[]).activation == ()
    # a tanh network is drawn as before issue 18 (seeded), whatever is given explicitly
    same = deltaprop.Network([3, 4, 5, 2], activation=["tanh", "tanh"], output="tanh",
                             loss="squared_error", seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, same.weights))


def test_relu_layers_are_drawn_he_scaled():
    # σ = √2/√(d^(ℓ-1)+1) for a layer whose θ is relu, 1/√(d^(ℓ-1)+1) otherwise
    dims = [400, 300, 300, 200]
    net = deltaprop.Network(dims, activation=["relu", "logistic"], output="identity", seed=3)
    for W, d_in, sigma in zip(net.weights, dims, [np.sqrt(2), 1.0, 1.0]):
        assert np.std(W) == pytest.approx(sigma / np.sqrt(d_in + 1), rel=0.02)
    # the same draws as a tanh network's, scaled by √2 in the ReLU layer only
    tanh = deltaprop.Network(dims, output="identity", seed=3)
    np.testing.assert_allclose(net.weights[0], np.sqrt(2) * tanh.weights[0], rtol=1e-12)
    np.testing.assert_array_equal(net.weights[1], tanh.weights[1])


# --- stability at signals of ±1000 ---------------------------------------------------------------
def rounding_at_1000(dtype):
    """How far E may be off in absolute terms: s_k − logsumexp(s) is a difference of numbers
    near 1000, each rounded to the spacing of 1000 in the network's dtype (6e-5 in float32)."""
    return 4 * float(np.spacing(np.dtype(dtype).type(1000)))


def finite_and_equal_to_reference(net, X, Y, hidden, output, loss, rtol):
    e, G = net.error_and_gradient(X, Y)
    g = flat(G)
    assert np.isfinite(e) and np.all(np.isfinite(g))
    e_ref, g_ref, h_ref = reference(net, X, Y, hidden, output, loss)
    assert np.isfinite(e_ref) and np.all(np.isfinite(g_ref))  # the reference is stable too
    assert e == pytest.approx(e_ref, rel=rtol, abs=max(rtol, rounding_at_1000(net.dtype))), (e, e_ref)
    assert np.abs(g - g_ref).max() <= rtol * max(np.abs(g_ref).max(), 1.0), (g, g_ref)
    h = net.forward(X).reshape(h_ref.shape)
    assert np.all(np.isfinite(h))
    np.testing.assert_allclose(h, h_ref, rtol=rtol, atol=rtol)
    return e, g


# One weight layer: s = [1, x] W, with every |s_k| 0 or 1000 or 2000.
BIG_W = np.array([[0.0, 0.0, 0.0], [1000.0, -1000.0, 0.0], [0.0, 0.0, 1000.0]])
BIG_X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [1.0, 1.0], [-1.0, -1.0]])


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-6)])
def test_softmax_cross_entropy_at_signals_of_1000(dtype, rtol):
    net = deltaprop.Network([2, 3], output="softmax", dtype=dtype)
    net.weights = [BIG_W]
    onehot = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    soft = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.0, 0.25, 0.75],
                     [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.1, 0.8, 0.1]])
    for Y in (onehot, soft):
        e, _ = finite_and_equal_to_reference(net, BIG_X, Y, [], "softmax", "cross_entropy", rtol)
        assert e > 100  # wrong classes at a distance of 1000: a large, finite error
    # every signal +1000 or every one −1000: h = 1/3 each, E = ln 3 for one-hot targets
    for bias in (1000.0, -1000.0):
        net.weights = [np.vstack([np.full(3, bias), np.zeros((2, 3))])]
        e, g = finite_and_equal_to_reference(net, BIG_X, onehot, [], "softmax", "cross_entropy", rtol)
        assert e == pytest.approx(np.log(3), rel=rtol, abs=rounding_at_1000(dtype))
    # the right class at +1000, the others at −1000 or 0: E = 0 and G = 0 to rounding
    net.weights = [BIG_W]
    e, g = finite_and_equal_to_reference(net, BIG_X[:2], np.eye(3)[[0, 1]], [], "softmax",
                                         "cross_entropy", rtol)
    assert e == pytest.approx(0.0, abs=rtol) and np.abs(g).max() <= rtol


@pytest.mark.parametrize("activation", HIDDEN)
def test_softmax_cross_entropy_with_hidden_layers_at_signals_of_1000(activation):
    rng = np.random.default_rng(1000)
    net = deltaprop.Network([3, 5, 4], activation=activation, output="softmax", seed=4)
    X = rng.normal(size=(8, 3))
    Y = np.eye(4)[rng.integers(4, size=8)]
    shapes = [w.shape for w in net.weights]
    ss, _ = signals(net.get_flat_weights(), shapes, X, [activation], "softmax")
    net.weights = [net.weights[0], net.weights[1] * (1000 / np.abs(ss[-1]).max())]
    ss, _ = signals(net.get_flat_weights(), shapes, X, [activation], "softmax")
    assert np.abs(ss[-1]).max() == pytest.approx(1000)
    finite_and_equal_to_reference(net, X, Y, [activation], "softmax", "cross_entropy", 1e-12)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-6)])
def test_logistic_cross_entropy_with_targets_0_and_1_at_large_signals(dtype, rtol):
    net = deltaprop.Network([2, 3], output="logistic", loss="cross_entropy", dtype=dtype)
    net.weights = [BIG_W]
    for Y in (np.ones((6, 3)), np.zeros((6, 3)), np.array([[1, 0, 1], [0, 1, 0]] * 3, dtype=float)):
        finite_and_equal_to_reference(net, BIG_X, Y, [], "logistic", "cross_entropy", rtol)
    # every output right and sure: s = +1000 with y = 1, s = −1000 with y = 0; E = 0, G = 0
    net.weights = [np.array([[1000.0, -1000.0, 40.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])]
    Y = np.array([[1.0, 0.0, 1.0]] * 4)
    e, g = finite_and_equal_to_reference(net, BIG_X[:4], Y, [], "logistic", "cross_entropy", rtol)
    assert e == pytest.approx(np.log1p(np.exp(-40.0)), rel=1e-6, abs=rtol)
    # every output wrong and sure: e_n = Σ_k |s_k| = 2040
    e, _ = finite_and_equal_to_reference(net, BIG_X[:4], 1 - Y, [], "logistic", "cross_entropy", rtol)
    assert e == pytest.approx(2040.0, rel=rtol)
