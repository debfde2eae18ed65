"""Errors and warnings that name the real cause (deltaprop.diagnostics, and the core's check of
the starting weights): NaN weights, 0/1 targets on a tanh output, inputs far outside [-1, 1],
a run that stopped on a gradient that vanished in saturated units, and pandas inputs."""

import re
import warnings

import numpy as np
import pytest

import pandas

import deltaprop
from deltaprop.diagnostics import InputScaleWarning, SaturationWarning, TargetWarning
from conftest import require_shared_data


def xor_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, np.sign(X[:, 0] * X[:, 1] + 0.1)


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- weights that are not finite before training ------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda net, X, y: net.fit(X, y, iterations=3),
    lambda net, X, y: net.fit(X, y, method="sgd", iterations=3),
    lambda net, X, y: net.gd_step(X, y, 0.1),
    lambda net, X, y: net.sgd_epoch(X, y, 0.1),
])
@pytest.mark.parametrize("bad, shown", [(np.nan, "NaN"), (np.inf, "+inf"), (-np.inf, "-inf")])
def test_weights_not_finite_at_the_start_name_layer_and_position(call, bad, shown):
    X, y = xor_data()
    net = deltaprop.Network([2, 4, 1], seed=0)
    net.weights[1][3, 0] = bad  # writing into the view bypasses the assignment's check
    before = net.get_flat_weights()
    with pytest.raises(ValueError, match=rf"W\^\(2\)\[3, 0\] \(layer 2, row 3, column 0, counted "
                                         rf"from 0\) is {re.escape(shown)};.*before training"):
        call(net, X, y)
    np.testing.assert_array_equal(net.get_flat_weights(), before)  # untouched (NaN == NaN here)
    assert not issubclass(ValueError, deltaprop.DivergenceError)


def test_a_nan_bias_is_named_as_the_bias_row():
    X, y = xor_data()
    net = deltaprop.Network([2, 4, 1], seed=0)
    net.weights[0][0, 2] = np.nan
    with pytest.raises(ValueError, match=r"W\^\(1\)\[0, 2\] \(layer 1, row 0 \(the biases\), column 2"):
        net.fit(X, y, iterations=1)


# --- targets a tanh output cannot mean --------------------------------------------------------------
@pytest.mark.parametrize("targets, named", [
    (lambda y: (y > 0).astype(float), r"targets in \{0, 1\}"),
    (lambda y: (y > 0).astype(int), r"targets in \{0, 1\}"),
    (lambda y: y > 0, "boolean targets"),
    (lambda y: np.ones(len(y), dtype=bool), "boolean targets"),  # all True: still not ±1 as meant
])
def test_zero_one_or_boolean_targets_on_tanh_warn(targets, named):
    X, y = xor_data()
    net = deltaprop.Network([2, 4, 1], seed=0)
    with pytest.warns(TargetWarning, match=rf"^{named} on a tanh output.*targets in \{{-1, \+1\}}.*NeuralNetClassifier") as w:
        net.fit(X, targets(y), iterations=2)
    assert w[0].filename == __file__  # points at the user's call of fit
    assert issubclass(TargetWarning, UserWarning)


def test_plus_minus_one_targets_and_identity_outputs_do_not_warn(no_warnings):
    X, y = xor_data()
    deltaprop.Network([2, 4, 1], seed=0).fit(X, y, iterations=2)
    deltaprop.Network([2, 4, 1], output="identity", seed=0).fit(X, (y > 0).astype(float), iterations=2)
    deltaprop.Network([2, 4, 1], seed=0).fit(X, np.ones_like(y), iterations=2)  # one class, in ±1
    deltaprop.Network([2, 4, 1], seed=0).fit(X, (y + 1) / 4, iterations=2)  # {0, 0.5}: not 0/1


# --- the input scale --------------------------------------------------------------------------------
def test_inputs_far_outside_minus_one_one_get_a_hint_to_scale():
    X, y = xor_data()
    net = deltaprop.Network([2, 4, 1], seed=0)
    with pytest.warns(InputScaleWarning, match=r"inputs reach \|x\| = 255, far outside \[-1, 1\].*MinMaxScaler"):
        pixels = np.hstack([X[:, :1], np.abs(X[:, 1:])])
        pixels[5, 1] = 255  # grey levels, say
        net.fit(pixels, y, iterations=2)
    with pytest.warns(InputScaleWarning, match=r"\|x\| = 12"):
        net.fit(np.where(X > 0.9, -12.0, X), y, iterations=2)


def test_standardised_inputs_do_not_warn(no_warnings):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 2))  # |x| up to about 4: fine for tanh
    deltaprop.Network([2, 4, 1], seed=0).fit(X, np.sign(X[:, 0]), iterations=2)


# --- saturation: a vanished gradient that is no minimum ----------------------------------------------
def digits_1_versus_all():
    from deltaprop.datasets import MinMaxScaler, load_digits, one_versus_all
    train = load_digits(require_shared_data("features.train"), split="train")
    return MinMaxScaler().fit(train.features).transform(train.features), one_versus_all(train.labels, 1)


def test_a_huge_lr_on_the_digits_warns_of_saturation_naming_lr_and_scale():
    X, y = digits_1_versus_all()
    net = deltaprop.Network([2, 10, 1], seed=1)
    with pytest.warns(SaturationWarning, match=r"stopped on the gradient tolerance, but 100% of the hidden "
                                               r"outputs are saturated.*lr = 1e\+06.*max \|x\| = 1\b"):
        history = net.fit(X, y, lr=1e6, iterations=100, grad_tol=1e-6)
    assert history.stop_reason == "gradient_tolerance"


def test_a_run_that_converged_does_not_warn(no_warnings):
    X, y = xor_data(200)
    net = deltaprop.Network([2, 10, 1], seed=1)
    history = net.fit(X, y, method="conjugate_gradient", lr=0.1, iterations=5000, grad_tol=1e-3)
    assert history.stop_reason == "gradient_tolerance"
    assert deltaprop.diagnostics.saturated_share(net, X) < 0.9


def test_saturated_share_counts_hidden_outputs_by_hand():
    X, _ = xor_data(30)
    net = deltaprop.Network([2, 3, 2, 1], seed=4)
    net.weights = [10 * w for w in net.weights]
    x1 = np.tanh(np.hstack([np.ones((30, 1)), X]) @ net.weights[0])
    x2 = np.tanh(np.hstack([np.ones((30, 1)), x1]) @ net.weights[1])
    expected = (np.count_nonzero(np.abs(x1) > 0.99) + np.count_nonzero(np.abs(x2) > 0.99)) / (30 * 5)
    assert deltaprop.diagnostics.saturated_share(net, X) == pytest.approx(expected, abs=1e-12)
    assert deltaprop.diagnostics.saturated_share(deltaprop.Network([2, 1]), X) == 0.0


# --- pandas ------------------------------------------------------------------------------------------------


def frames(X, y, x_dtype, y_dtype):
    df = pandas.DataFrame({"a": X[:, 0], "b": X[:, 1]}).astype(x_dtype)
    return df, pandas.Series(y).astype(y_dtype)


@pytest.mark.parametrize("x_dtype, y_dtype", [("Float64", "Int64"), ("Float64", "Float64"),
                                              ("float64", "int64"), ("Float32", "Int8")])
def test_pandas_nullable_dtypes_give_the_numbers_of_numpy(x_dtype, y_dtype):
    X, y = xor_data()
    X = X.round(3) if x_dtype == "Float32" else X
    Xp, yp = frames(X, y, x_dtype, y_dtype)
    Xn = np.asarray(Xp.to_numpy(dtype=np.float64))
    a, b = deltaprop.Network([2, 4, 1], seed=0), deltaprop.Network([2, 4, 1], seed=0)
    np.testing.assert_array_equal(a.forward(Xp), b.forward(Xn))
    assert a.error(Xp, yp) == b.error(Xn, y)
    ga, gb = a.error_and_gradient(Xp, yp)[1], b.error_and_gradient(Xn, y)[1]
    assert all(np.array_equal(p, q) for p, q in zip(ga, gb))
    assert a.gd_step(Xp, yp, 0.1) == b.gd_step(Xn, y, 0.1)
    assert a.sgd_epoch(Xp, yp, 0.1, seed=3) == b.sgd_epoch(Xn, y, 0.1, seed=3)
    ha = a.fit(Xp, yp, iterations=5, validation=(Xp, yp))
    hb = b.fit(Xn, y, iterations=5, validation=(Xn, y))
    np.testing.assert_array_equal(ha.error, hb.error)
    np.testing.assert_array_equal(a.get_flat_weights(), b.get_flat_weights())
    ta, tb = a.trace(Xp.iloc[0], yp.iloc[:1]), b.trace(Xn[0], y[:1])
    assert all(np.array_equal(p, q) for p, q in zip(ta.delta[1:], tb.delta[1:]))


def test_pandas_boolean_targets_are_accepted_with_the_tanh_warning():
    X, y = xor_data()
    Xp, yp = frames(X, y > 0, "Float64", "boolean")
    net = deltaprop.Network([2, 4, 1], seed=0)
    with pytest.warns(TargetWarning, match="boolean targets|targets in"):
        net.fit(Xp, yp, iterations=2)
    assert net.error(Xp, yp) == net.error(X, (y > 0).astype(float))
    # on an identity output, a boolean Series is plain 0/1 regression targets, no warning
    reg = deltaprop.Network([2, 4, 1], output="identity", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg.fit(Xp, yp, iterations=2)


@pytest.mark.parametrize("where", ["X", "y", "validation X", "validation y"])
def test_pandas_missing_values_are_named(where):
    X, y = xor_data()
    Xp, yp = frames(X, y, "Float64", "Int64")
    Xm, ym = Xp.copy(), yp.copy()
    if where.endswith("X"):
        Xm.iloc[7, 1] = pandas.NA
    else:
        ym.iloc[7] = pandas.NA
    net = deltaprop.Network([2, 4, 1], seed=0)
    message = rf"^{where} has missing values \(pd.NA or NaN\), the first in row 7"
    if where.startswith("validation"):
        with pytest.raises(ValueError, match=message):
            net.fit(Xp, yp, iterations=2, validation=(Xm, ym))
        return
    with pytest.raises(ValueError, match=message):
        net.fit(Xm, ym, iterations=2)
    with pytest.raises(ValueError, match=message):
        net.error(Xm, ym)
    with pytest.raises(ValueError, match=message):
        net.gd_step(Xm, ym, 0.1)
    if where == "X":
        with pytest.raises(ValueError, match=message):
            net.forward(Xm)


def test_pandas_strings_are_still_refused_by_dtype():
    X, y = xor_data(4)
    df = pandas.DataFrame({"a": ["x", "y", "z", "w"], "b": X[:, 1]})
    with pytest.raises(TypeError, match="X must hold real numbers, got dtype object"):
        deltaprop.Network([2, 4, 1], seed=0).forward(df)


def test_the_estimators_take_pandas_nullable_dtypes_too():
    X, y = xor_data()
    Xp, yp = frames(X, y > 0, "Float64", "boolean")
    a = deltaprop.NeuralNetClassifier((4,), iterations=20, random_state=0).fit(Xp, yp)
    b = deltaprop.NeuralNetClassifier((4,), iterations=20, random_state=0).fit(X, y > 0)
    np.testing.assert_array_equal(a.decision_function(Xp), b.decision_function(X))
    Xp.iloc[3, 1] = pandas.NA
    with pytest.raises(ValueError, match="NaN"):  # scikit-learn's own check names it
        a.fit(Xp, yp)
