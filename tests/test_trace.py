"""net.trace(x, y) and `deltaprop trace`: the book's Example 7.1 (Learning From Data, e-Chapter 7),
checked against the book's rounded table and, to 1e-12, against tests/lecture.py's plain
point-by-point forward and backward passes."""

import numpy as np
import pytest

import deltaprop
from deltaprop.cli import main
from deltaprop.trace import EXAMPLE_7_1_WEIGHTS, Trace, example_7_1
from lecture import forward_point, gradient_point

# The book's table (its intermediate values rounded to two decimals as it goes: it reports
# x^(3) = -0.66 where tanh(-0.8031) = -0.6658).
BOOK = {
    "x": [[1, 2], [1, 0.60, 0.76], [1, -0.90], [-0.66]],
    "s": [None, [0.70, 1.00], [-1.48], [-0.80]],
    "delta": [None, [-0.44, 0.88], [-0.69], [-1.85]],
}


def lecture_reference(weights, x, y, output="tanh"):
    """x^(l) from forward_point, s^(l) = (W^(l))ᵀ x^(l-1), and δ^(l) as row 0 of the lecture's
    ∂e/∂W^(l) = x^(l-1) (δ^(l))ᵀ (the bias input x_0 is 1)."""
    xs = forward_point(weights, x, output)
    ss = [None] + [W.T @ xs[l - 1] for l, W in enumerate(weights, start=1)]
    e, grads = gradient_point(weights, x, y, output)
    return xs, ss, [None] + [g[0] for g in grads], e


def test_example_7_1_matches_the_book_to_its_two_decimals():
    t = example_7_1().trace(np.array([2.0]), np.array([1.0]))
    assert isinstance(t, Trace)
    for name, rows in BOOK.items():
        got = getattr(t, name)
        assert len(got) == 4
        for l, expected in enumerate(rows):
            if expected is None:
                assert got[l].shape == (0,)  # layer 0 has no signal and no sensitivity
            else:
                # two decimals, and the book's own rounding drift of one unit at x^(3)
                np.testing.assert_allclose(got[l], expected, atol=0.005 if (name, l) != ("x", 3) else 0.0075)
    assert t.h == pytest.approx([-0.6658], abs=1e-4)
    assert t.error == pytest.approx((t.h[0] - 1.0) ** 2, rel=1e-15)


@pytest.mark.parametrize("output", ["tanh", "identity"])
def test_trace_equals_the_lecture_reference(output):
    weights = [np.array(w, dtype=float) for w in EXAMPLE_7_1_WEIGHTS]
    net = deltaprop.Network([1, 2, 1, 1], output=output, seed=0)
    net.weights = weights
    t = net.trace([2.0], [1.0])
    xs, ss, deltas, e = lecture_reference(weights, np.array([2.0]), np.array([1.0]), output)
    for l in range(4):
        np.testing.assert_allclose(t.x[l], xs[l], rtol=0, atol=1e-12)
        if l:
            np.testing.assert_allclose(t.s[l], ss[l], rtol=0, atol=1e-12)
            np.testing.assert_allclose(t.delta[l], deltas[l], rtol=0, atol=1e-12)
    assert t.error == pytest.approx(e, abs=1e-12)


def test_trace_of_a_wider_network_and_its_gradient():
    """Several outputs: δ^(l) is ∂e/∂s^(l), so x^(l-1) (δ^(l))ᵀ is the gradient of e at that
    point, which error_and_gradient gives for N = 1."""
    rng = np.random.default_rng(3)
    net = deltaprop.Network([3, 4, 2], seed=5)
    x, y = rng.normal(size=3), rng.uniform(-1, 1, size=2)
    t = net.trace(x, y)
    xs, ss, deltas, e = lecture_reference(net.weights, x, y)
    e_core, grads = net.error_and_gradient(x, y)
    assert t.error == pytest.approx(e_core, rel=1e-14)
    for l in (1, 2):
        np.testing.assert_allclose(np.outer(t.x[l - 1], t.delta[l]), grads[l - 1], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(t.s[l], ss[l], rtol=1e-13)
        np.testing.assert_allclose(t.delta[l], deltas[l], rtol=1e-13)
    assert len(t.x[1]) == 5 and len(t.x[2]) == 2  # x^(1) has its 1, x^(L) has none


def test_trace_in_float32():
    net = deltaprop.Network([1, 2, 1, 1], dtype=np.float32, seed=0)
    net.weights = [np.array(w) for w in EXAMPLE_7_1_WEIGHTS]
    t = net.trace([2.0], [1.0])
    assert t.x[1].dtype == np.float32
    np.testing.assert_allclose(t.delta[1], [-0.4408, 0.8750], atol=1e-4)


def test_trace_refuses_more_than_one_point_and_bad_targets():
    net = example_7_1()
    with pytest.raises(ValueError, match=r"trace takes one point x of shape \(1,\), got \(2, 1\)"):
        net.trace(np.ones((2, 1)), [1.0])
    with pytest.raises(ValueError, match=r"y has shape \(2,\)"):
        net.trace([2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="x contains NaN"):
        net.trace([np.nan], [1.0])


def test_trace_repr_is_the_table():
    text = repr(example_7_1().trace([2.0], [1.0]))
    lines = text.splitlines()
    assert lines[1].split() == ["l", "s(l)", "x(l)", "delta(l)"]
    assert lines[3].split() == ["1", "[0.7000,", "1.0000]", "[1.0000,", "0.6044,", "0.7616]",
                                "[-0.4408,", "0.8750]"]
    assert "e = |h(x) - y|^2 = 2.7748" in lines[-1]


def test_cli_trace_prints_the_books_table(capsys):
    assert main(["trace"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "1-2-1-1" in out[0]
    assert out[2].split() == ["0", "[1.00,", "2.00]"]
    assert out[3].split() == ["1", "[0.70,", "1.00]", "[1.00,", "0.60,", "0.76]", "[-0.44,", "0.88]"]
    assert out[4].split() == ["2", "[-1.48]", "[1.00,", "-0.90]", "[-0.69]"]
    assert out[5].split() == ["3", "[-0.80]", "[-0.67]", "[-1.85]"]


def test_cli_trace_takes_another_point(capsys):
    assert main(["trace", "--x", "-1", "--y", "-1", "--decimals", "6"]) == 0
    out = capsys.readouterr().out
    expected = example_7_1().trace([-1.0], [-1.0])
    assert f"[{expected.h[0]:.6f}]" in out
