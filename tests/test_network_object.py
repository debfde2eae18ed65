"""The Network as a Python object: its repr shows the architecture, its structure (dims,
n_weights, dtype) is the lecture's, copies are deep and exact, weights compare with
np.array_equal, and the arrays of ``net.weights`` stay views of the weights the network uses."""

import copy
import pickle

import numpy as np
import pytest

import deltaprop


def same_weights(a, b):
    """``==`` for networks' weights: every W^(l) equal, entry for entry (np.array_equal)."""
    return len(a.weights) == len(b.weights) and all(
        np.array_equal(u, v) for u, v in zip(a.weights, b.weights))


def address(array):
    return array.__array_interface__["data"][0]


@pytest.mark.parametrize("dims, dtype", [([2, 10, 1], np.float64), ([256, 30, 20, 10], np.float32),
                                         ([3, 1], np.float64)])
def test_structure_is_the_lectures(dims, dtype):
    net = deltaprop.Network(dims, output="identity", dtype=dtype, seed=0)
    assert net.dims == dims and all(type(d) is int for d in net.dims)
    assert net.n_layers == len(dims) - 1
    assert net.n_weights == sum((a + 1) * b for a, b in zip(dims[:-1], dims[1:]))
    assert net.n_weights == sum(w.size for w in net.weights)
    assert net.dtype == np.dtype(dtype) and all(w.dtype == dtype for w in net.weights)
    assert [w.shape for w in net.weights] == [(a + 1, b) for a, b in zip(dims[:-1], dims[1:])]


def test_repr_shows_the_architecture():
    net = deltaprop.Network([2, 10, 1], seed=0)
    text = repr(net)
    assert "2-10-1" in text and "41 weights" in text and "'tanh'" in text and "float64" in text
    assert "256-30-10" in repr(deltaprop.Network([256, 30, 10], output="identity",
                                                 dtype=np.float32, seed=0))
    assert "'identity'" in repr(deltaprop.Network([1, 1], output="identity", seed=0))
    assert "float32" in repr(deltaprop.Network([1, 1], dtype=np.float32, seed=0))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_deepcopy_is_exact_and_independent(dtype):
    net = deltaprop.Network([3, 4, 2], output="identity", dtype=dtype, seed=5)
    before = net.get_flat_weights()
    twin = copy.deepcopy(net)
    assert twin is not net and same_weights(twin, net)
    assert (twin.dims, twin.output, twin.dtype, twin.seed) == (net.dims, net.output, net.dtype, net.seed)
    X = np.random.default_rng(0).uniform(-1, 1, size=(7, 3)).astype(dtype)
    np.testing.assert_array_equal(twin.forward(X), net.forward(X))
    twin.weights[0][1, 2] += 1.0  # a view of the twin's own buffer
    assert not same_weights(twin, net)
    twin.fit(X, np.zeros((7, 2), dtype), iterations=5)
    np.testing.assert_array_equal(net.get_flat_weights(), before)  # the original did not move


def test_pickle_round_trip_is_bit_for_bit():
    net = deltaprop.Network([2, 6, 1], seed=3)
    net.fit(np.array([[0.1, 0.2], [0.3, -0.4]]), np.array([1.0, -1.0]), iterations=10)
    back = pickle.loads(pickle.dumps(net))
    assert same_weights(back, net)
    np.testing.assert_array_equal(back.get_flat_weights(), net.get_flat_weights())


def test_weights_compare_with_array_equal_not_with_list_equality():
    a, b = deltaprop.Network([2, 3, 1], seed=1), deltaprop.Network([2, 3, 1], seed=1)
    assert same_weights(a, b) and not same_weights(a, deltaprop.Network([2, 3, 1], seed=2))
    assert not same_weights(a, deltaprop.Network([2, 3, 3, 1], seed=1))
    # a list of arrays has no single truth value: say so rather than answer wrongly
    with pytest.raises(ValueError, match="ambiguous"):
        bool(a.weights == b.weights)


METHODS_AND_RATES = [(m, 1e3) for m in deltaprop.METHODS]  # a huge rate: rejected trial steps


@pytest.mark.parametrize("method, lr", METHODS_AND_RATES)
def test_weight_views_stay_the_networks_weights_through_fit(method, lr):
    """``net.weights`` are views of the C++ buffer: after any training run they must still be
    the weights the network uses (not a buffer the run swapped out and freed)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(50, 2))
    y = np.sign(X[:, 0] * X[:, 1])
    net = deltaprop.Network([2, 5, 1], seed=0)
    views = net.weights
    net.fit(X, y, method=method, lr=lr, iterations=1)  # one step, rejected where there are trials
    # compare addresses, not values: reading a dangling view would read freed memory
    assert [address(v) for v in views] == [address(w) for w in net.weights]
