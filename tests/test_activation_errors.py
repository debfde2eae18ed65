"""Bad choices of activation, output and loss, and targets the loss cannot take (issue 18): each a
ValueError whose message names the problem, at every entry point, leaving the network as it was.
"""

import re

import numpy as np
import pytest

import deltaprop

HIDDEN = ("tanh", "logistic", "relu", "identity")
OUTPUTS = ("tanh", "identity", "logistic", "softmax")
LOSSES = ("squared_error", "cross_entropy")
ALLOWED = {("tanh", "squared_error"), ("identity", "squared_error"), ("logistic", "squared_error"),
           ("softmax", "cross_entropy"), ("logistic", "cross_entropy")}


def message(call, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        call()
    return str(info.value)


# --- names --------------------------------------------------------------------------------------
UNKNOWN_NAMES = [
    ({"activation": "sigmoid"}, r"activation.*sigmoid", HIDDEN),
    ({"activation": ["tanh", "relu6"]}, r"activation.*relu6", HIDDEN),
    ({"activation": ("logistic", "softmax")}, r"activation.*softmax", HIDDEN),  # an output θ only
    ({"output": "sigmoid"}, r"output.*sigmoid", OUTPUTS),
    ({"output": "relu"}, r"output.*relu", OUTPUTS),  # a hidden θ only
    ({"loss": "hinge"}, r"loss.*hinge", LOSSES),
    ({"loss": "mse"}, r"loss.*mse", LOSSES),
]


@pytest.mark.parametrize("kwargs, pattern, names", UNKNOWN_NAMES,
                         ids=[",".join(f"{k}={v}" for k, v in c[0].items()) for c in UNKNOWN_NAMES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unknown_names_are_refused_with_the_names_that_exist(kwargs, pattern, names, dtype):
    text = message(lambda: deltaprop.Network([2, 3, 4, 1], dtype=dtype, **kwargs), pattern)
    missing = [n for n in names if n not in text]
    assert not missing, f"the message does not list {missing}: {text}"


# dims without the digits 0-4, so that the counts in the message can only be the counts
@pytest.mark.parametrize("dims, given, want", [
    ([5, 6, 7, 8, 9], ["relu", "tanh"], 3),
    ([5, 6, 7, 8, 9], ["relu", "tanh", "identity", "logistic"], 3),
    ([5, 6, 7, 8, 9], [], 3),
    ([5, 6, 9], ["relu", "relu"], 1),
    ([5, 9], ["tanh"], 0),
])
def test_an_activation_list_of_the_wrong_length_is_refused(dims, given, want):
    text = message(lambda: deltaprop.Network(dims, activation=given), r"activation")
    numbers = set(re.findall(r"\b\d+\b", text))
    assert {str(want), str(len(given))} <= numbers, f"the message does not give both counts: {text}"


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("loss", LOSSES)
def test_only_the_allowed_output_loss_pairs_are_accepted(output, loss):
    make = lambda: deltaprop.Network([2, 3, 2], output=output, loss=loss)  # noqa: E731
    if (output, loss) in ALLOWED:
        assert (make().output, make().loss) == (output, loss)
        return
    text = message(make, rf"(?s){output}.*{loss}|{loss}.*{output}")
    # it names the pairs that exist
    for o, l in ALLOWED:
        assert o in text and l in text, f"the message does not name the pair ({o}, {l}): {text}"


@pytest.mark.parametrize("dims, loss", [([3, 1], None), ([3, 4, 1], "cross_entropy"), ([2, 5, 4, 1], None)])
def test_a_one_unit_softmax_is_refused(dims, loss):
    message(lambda: deltaprop.Network(dims, output="softmax", loss=loss),
            r"(?is)softmax.*(\bunits?\b|\boutputs?\b)")
    assert deltaprop.Network(dims[:-1] + [2], output="softmax", loss=loss).dims[-1] == 2


# --- targets --------------------------------------------------------------------------------------
X = np.linspace(-1, 1, 8).reshape(4, 2)
ROWS = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0], [0.25, 0.5, 0.25]])

# Entry points that take targets (X, y); each must check them, in the core.
CALLS = [
    ("error", lambda n, y: n.error(X, y)),
    ("error_and_gradient", lambda n, y: n.error_and_gradient(X, y)),
    ("gd_step", lambda n, y: n.gd_step(X, y, 0.1)),
    ("sgd_epoch", lambda n, y: n.sgd_epoch(X, y, 0.1)),
    ("fit", lambda n, y: n.fit(X, y, iterations=2)),
    ("fit sgd", lambda n, y: n.fit(X, y, method="sgd", iterations=2)),
    ("fit minibatch", lambda n, y: n.fit(X, y, method="minibatch", batch_size=2, iterations=2)),
    ("fit validation", lambda n, y: n.fit(X, good_targets(n), iterations=2, validation=(X, y))),
    ("check_gradient", lambda n, y: deltaprop.check_gradient(n, X, y)),
    ("numerical_gradient", lambda n, y: deltaprop.numerical_gradient(n, X, y)),
]


def good_targets(net):
    return ROWS if net.output == "softmax" else np.clip(ROWS, 0, 1)


def with_value(a, index, value):
    a = np.array(a, dtype=float)
    a[index] = value
    return a


BAD_TARGETS = [
    # softmax + cross_entropy: rows of probabilities; the message names the row or the entry
    ("softmax", "negative entry", np.vstack([ROWS[:1], [[0.4, -0.2, 0.8]], ROWS[2:]]),  # sums to 1
     r"(?i)(negative|probabilit).*(\[1, ?1\]|-0\.2)"),
    ("softmax", "row sums to 0.9", with_value(ROWS, (3, 1), 0.4), r"(?i)\brow 3\b.*\bsum"),
    ("softmax", "row sums to 2", with_value(ROWS, (0, 1), 1.0), r"(?i)\brow 0\b.*\bsum"),
    ("softmax", "row of zeros", with_value(ROWS, (2, 2), 0.0), r"(?i)\brow 2\b.*\bsum"),
    ("softmax", "labels, not rows", np.array([0.0, 1.0, 2.0, 1.0]), r"y has shape \(4,\)"),
    # logistic + cross_entropy: targets in [0, 1]; the message names the entry or its value
    ("logistic", "below 0", with_value(ROWS, (2, 0), -0.1), r"\[0, ?1\].*(\[2, ?0\]|-0\.1)"),
    ("logistic", "above 1", with_value(ROWS, (1, 2), 1.1), r"\[0, ?1\].*(\[1, ?2\]|1\.1)"),
    ("logistic", "±1 targets", np.where(ROWS > 0.2, 1.0, -1.0), r"\[0, ?1\].*(\[0, ?1\]|-1)"),
]


@pytest.mark.parametrize("output, defect, Y, pattern", BAD_TARGETS, ids=[f"{o}: {d}" for o, d, _, _ in BAD_TARGETS])
@pytest.mark.parametrize("call_id, call", CALLS, ids=[c for c, _ in CALLS])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_targets_the_loss_cannot_take_are_refused(output, defect, Y, pattern, call_id, call, dtype):
    net = deltaprop.Network([2, 4, 3], activation="relu", output=output, loss="cross_entropy",
                            dtype=dtype, seed=1)
    before = net.get_flat_weights()
    message(lambda: call(net, Y), pattern)
    assert np.array_equal(net.get_flat_weights(), before), "a refused call changed the weights"
    call(net, good_targets(net))  # the same call with good targets runs


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-6), (np.float32, 1e-4)])
def test_softmax_rows_must_sum_to_1_within_the_documented_tolerance(dtype, tolerance):
    # within 1e-6·K (float64) or 1e-4·K (float32) of 1, K the number of outputs: 3 here
    net = deltaprop.Network([2, 4, 3], output="softmax", dtype=dtype, seed=1)
    for factor in (0.1, -0.1):
        net.error(X, with_value(ROWS, (1, 2), 0.5 + factor * 3 * tolerance))
    for factor in (10, -10):
        message(lambda: net.error(X, with_value(ROWS, (1, 2), 0.5 + factor * 3 * tolerance)), r"(?i)sum")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_targets_exactly_0_and_1_are_fine(dtype):
    for output in ("softmax", "logistic"):
        net = deltaprop.Network([2, 3], output=output, loss="cross_entropy", dtype=dtype, seed=2)
        Y = np.eye(3)[[0, 2, 1, 1]]
        assert np.isfinite(net.error(X, Y))
        assert deltaprop.check_gradient(net, X, Y).passed
