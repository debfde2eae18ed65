"""Every bad input gets the documented exception with a message naming the problem."""

import numpy as np
import pytest

import deltaprop

net = deltaprop.Network([2, 3, 1], seed=0)
X = np.zeros((4, 2))
y = np.zeros(4)

CASES = [
    # (description, call, exception, text in the message)
    ("X wrong width", lambda: net.forward(np.zeros((4, 3))), ValueError, "expected (N, 2)"),
    ("X 3-D", lambda: net.forward(np.zeros((2, 2, 2))), ValueError, "X has shape (2, 2, 2)"),
    ("X empty", lambda: net.forward(np.zeros((0, 2))), ValueError, "empty"),
    ("X NaN", lambda: net.error(np.array([[0.0, np.nan]]), [1.0]), ValueError, "X contains NaN"),
    ("X inf", lambda: net.error(np.array([[np.inf, 0.0]]), [1.0]), ValueError, "X contains an infinite"),
    ("y NaN", lambda: net.error(X, [0, 0, np.nan, 0]), ValueError, "y contains NaN"),
    ("y wrong N", lambda: net.error(X, np.zeros(5)), ValueError, "y has shape (5,)"),
    ("y wrong width", lambda: net.error(X, np.zeros((4, 2))), ValueError, "d^(L) = 1"),
    ("X complex", lambda: net.forward(np.zeros((4, 2), dtype=complex)), TypeError, "real numbers"),
    ("X object", lambda: net.forward(np.array([[None, 1]], dtype=object)), TypeError, "real numbers"),
    ("X strings", lambda: net.forward([["a", "b"]]), TypeError, "real numbers"),
    ("lr zero", lambda: net.gd_step(X, y, 0.0), ValueError, "lr must be a positive"),
    ("lr NaN", lambda: net.gd_step(X, y, float("nan")), ValueError, "lr must be a positive"),
    ("lr negative sgd", lambda: net.sgd_epoch(X, y, -1.0), ValueError, "lr must be a positive"),
    ("dims short", lambda: deltaprop.Network([3]), ValueError, "at least two layers"),
    ("dims zero", lambda: deltaprop.Network([3, 0, 1]), ValueError, "dims[1] = 0"),
    ("dims float", lambda: deltaprop.Network([3, 2.5, 1]), TypeError, "dims[1] must be an integer"),
    ("dims absurd", lambda: deltaprop.Network([2, 10**12, 1]), ValueError, "absurdly large"),
    ("dims too many weights", lambda: deltaprop.Network([60000, 60000, 1]), ValueError, "too large"),
    ("output", lambda: deltaprop.Network([2, 1], output="relu"), ValueError, "output must be"),
    ("dtype", lambda: deltaprop.Network([2, 1], dtype=np.int32), TypeError, "float64 or float32"),
    ("seed negative", lambda: deltaprop.Network([2, 1], seed=-1), ValueError, "seed must be in"),
    ("weights count", lambda: setattr(net, "weights", [np.zeros((3, 3))]), ValueError, "list of 2"),
    ("weights shape", lambda: setattr(net, "weights", [np.zeros((3, 2)), np.zeros((4, 1))]), ValueError,
     "W^(1)) has shape (3, 2), expected (3, 3)"),
    ("weights NaN", lambda: setattr(net, "weights", [np.full((3, 3), np.nan), np.zeros((4, 1))]), ValueError,
     "NaN"),
    ("fit method", lambda: net.fit(X, y, method="adam"), ValueError, "method must be one of"),
    ("fit momentum", lambda: net.fit(X, y, momentum=1.0), ValueError, "momentum"),
    ("fit iterations", lambda: net.fit(X, y, iterations=-1), ValueError, "iterations"),
    ("check_gradient delta", lambda: deltaprop.numerical_gradient(net, X, y, delta=0), ValueError, "delta"),
]


@pytest.mark.parametrize("name,call,exc,text", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises(name, call, exc, text):
    before = net.get_flat_weights()
    with pytest.raises(exc) as info:
        call()
    assert text in str(info.value), str(info.value)
    assert np.array_equal(before, net.get_flat_weights()), "a rejected call changed the weights"
