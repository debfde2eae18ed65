"""The scikit-learn estimators: the estimator contract (check_estimator), the book's encoding of
labels as ±1 targets, agreement with a plain Network trained the same way, partial_fit as a
resumed run, early stopping, pickling, and Pipeline + GridSearchCV on the digits features."""

import copy
import pickle

import numpy as np
import pytest
from conftest import require_module, require_shared_data

require_module("sklearn")  # every test here builds on scikit-learn's estimator API

from sklearn.datasets import make_blobs
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import deltaprop
from deltaprop.estimators import NeuralNetClassifier, NeuralNetRegressor

# The configurations check_estimator runs: the defaults, and each way of training that changes
# what fit does (another method, early stopping, float32, no scaling, a penalty, momentum).
CHECKED = [
    NeuralNetClassifier(),
    NeuralNetRegressor(),
    NeuralNetClassifier(method="sgd", lr=0.05, iterations=3000, early_stopping=True, patience=20),
    NeuralNetClassifier(method="minibatch", momentum=0.5, weight_decay=0.01, scale_features=False),
    NeuralNetRegressor((5, 3), method="conjugate_gradient", dtype=np.float32),
    NeuralNetRegressor(method="variable_lr", early_stopping=True),
    # the probabilistic outputs and the other hidden units
    NeuralNetClassifier(activation="relu", output="softmax"),
    NeuralNetClassifier((6, 4), activation=("logistic", "tanh"), output="logistic",
                        method="minibatch", momentum=0.5, dtype=np.float32),
    NeuralNetClassifier(output="softmax", method="sgd", lr=0.05, iterations=3000,
                        early_stopping=True, patience=20),
    NeuralNetRegressor(activation="relu", method="conjugate_gradient", iterations=200),
    # issue 19's methods, with their own options
    NeuralNetClassifier(method="lbfgs", memory=5, iterations=200),
    NeuralNetRegressor(method="adam", lr=0.01, beta1=0.8, batch_size=16, iterations=2000),
]


@pytest.mark.parametrize("method, options", [
    ("lbfgs", dict(memory=4, c2=0.8)), ("adam", dict(lr=0.01, beta2=0.99, eps=1e-7)),
    ("conjugate_gradient", dict(c1=1e-3))])
def test_new_methods_and_their_options_reach_fit(method, options):
    X, y = xor_data()
    clf = NeuralNetClassifier((4,), method=method, iterations=300, random_state=0, **options)
    assert clf.get_params()["method"] == method
    assert {k: clf.get_params()[k] for k in options} == options
    clf.fit(X, y)
    assert clf.history_.method == method and clf.n_iter_ > 0
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    # set_params reaches fit too: an option the method does not read is refused by name
    with pytest.raises(ValueError, match="momentum applies to gd, sgd and minibatch"):
        clone(clf).set_params(momentum=0.5).fit(X, y)


def test_lr_none_is_the_methods_default():
    X, y = xor_data()
    for method, default in (("adam", 0.001), ("gd", 0.1)):
        clf = NeuralNetClassifier((3,), method=method, iterations=2, random_state=0).fit(X, y)
        assert clf.get_params()["lr"] is None
        assert clf.history_.lr[-1] == pytest.approx(default)


# No check is expected to fail: since the core computes a point's h(x) with the same bits
# whatever block it sits in (explicit fused multiply-adds only, one summation order), even float32 passes
# check_methods_subset_invariance.
@parametrize_with_checks(CHECKED)
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)


def xor_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, np.sign(X[:, 0] * X[:, 1] + 0.05)


def usps_features(split="train", digit=1):
    """The lecture's digits data: (average intensity, symmetry) of the USPS digits from the
    course's features file, with labels +1 for ``digit`` and −1 for the rest."""
    table = np.loadtxt(require_shared_data(f"features.{split}") / f"features.{split}")
    return table[:, 1:], np.where(table[:, 0] == digit, 1, -1)


# --- the book's encoding of labels -------------------------------------------------------------
def test_binary_labels_are_minus_and_plus_one_and_predict_is_the_sign():
    X, y = xor_data()
    labels = np.where(y > 0, "yes", "no")
    clf = NeuralNetClassifier(method="conjugate_gradient", iterations=300, random_state=0).fit(X, labels)
    assert clf.classes_.tolist() == ["no", "yes"]
    assert clf.network_.dims == [2, 10, 1]
    h = clf.decision_function(X)
    assert h.shape == (len(X),)
    np.testing.assert_array_equal(clf.predict(X), np.where(h >= 0, "yes", "no"))
    # the targets were ±1 with "yes" = +1: the trained E_in on them is the loss curve's end
    T = np.where(labels == "yes", 1.0, -1.0)
    assert clf.network_.error(clf._scale(X), T) == pytest.approx(clf.loss_curve_[-1])
    assert clf.score(X, labels) > 0.95


def test_multiclass_has_one_output_per_class_and_predicts_the_argmax():
    X, y = make_blobs(n_samples=300, centers=3, random_state=0)
    clf = NeuralNetClassifier(method="conjugate_gradient", iterations=200, random_state=0).fit(X, y + 5)
    assert clf.classes_.tolist() == [5, 6, 7]
    assert clf.network_.dims == [2, 10, 3]
    h = clf.decision_function(X)
    assert h.shape == (300, 3)
    np.testing.assert_array_equal(clf.predict(X), 5 + np.argmax(h, axis=1))
    T = -np.ones((300, 3))
    T[np.arange(300), y] = 1.0
    assert clf.network_.error(clf._scale(X), T) == pytest.approx(clf.loss_curve_[-1])
    assert clf.score(X, y + 5) > 0.9


def test_one_class_is_refused_with_a_message_that_says_so():
    with pytest.raises(ValueError, match="two classes"):
        NeuralNetClassifier().fit(np.zeros((5, 2)), np.ones(5))


# --- softmax and logistic outputs: probabilities and cross-entropy ------------------------------
def one_hot(index, k):
    T = np.zeros((len(index), k))
    T[np.arange(len(index)), index] = 1.0
    return T


def test_softmax_gives_probabilities_trained_on_one_hot_targets_and_cross_entropy():
    X, y = make_blobs(n_samples=300, centers=3, random_state=0)
    clf = NeuralNetClassifier(activation="relu", output="softmax", method="conjugate_gradient",
                              iterations=100, random_state=0).fit(X, y + 5)
    net = clf.network_
    assert net.dims == [2, 10, 3] and (net.output, net.loss) == ("softmax", "cross_entropy")
    assert net.activation == ("relu",)
    P = clf.predict_proba(X)
    assert P.shape == (300, 3) and P.dtype == np.float64 and P.min() >= 0
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(P, net.forward(clf._scale(X)), rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), 5 + np.argmax(P, axis=1))
    np.testing.assert_array_equal(clf.predict_log_proba(X), np.log(P))
    # E_in is the cross-entropy of the one-hot targets: −mean ln P[n, y_n]
    assert clf.loss_curve_[-1] == pytest.approx(-np.mean(np.log(P[np.arange(300), y])), rel=1e-10)
    assert clf.loss_curve_[-1] == pytest.approx(net.error(clf._scale(X), one_hot(y, 3)), rel=1e-12)
    assert clf.score(X, y + 5) > 0.9
    # probabilities, not scores: predict_proba instead of decision_function, as scikit-learn's MLP
    assert not hasattr(clf, "decision_function")
    assert not hasattr(NeuralNetClassifier(), "predict_proba")
    assert hasattr(NeuralNetClassifier(), "decision_function")


def test_float32_probabilities_are_float64_rows_that_sum_to_one():
    X, y = make_blobs(n_samples=200, centers=5, random_state=3)
    clf = NeuralNetClassifier(output="softmax", dtype=np.float32, iterations=50,
                              random_state=0).fit(X, y)
    assert clf.network_.dtype == np.float32
    P = clf.predict_proba(X)
    assert P.dtype == np.float64
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_softmax_has_an_output_per_class_even_for_two():
    X, y = xor_data()
    clf = NeuralNetClassifier(output="softmax", method="conjugate_gradient", iterations=200,
                              random_state=0).fit(X, y)
    assert clf.network_.dims == [2, 10, 2]
    P = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict(X), np.where(P[:, 1] > P[:, 0], 1, -1))
    assert clf.score(X, y) > 0.95


def test_logistic_is_one_output_with_targets_zero_and_one_for_two_classes():
    X, y = xor_data()
    labels = np.where(y > 0, "yes", "no")
    clf = NeuralNetClassifier(output="logistic", method="conjugate_gradient", iterations=200,
                              random_state=0).fit(X, labels)
    net = clf.network_
    assert net.dims == [2, 10, 1] and (net.output, net.loss) == ("logistic", "cross_entropy")
    h = net.forward(clf._scale(X))[:, 0]
    np.testing.assert_allclose(clf.predict_proba(X), np.column_stack([1 - h, h]), rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), np.where(h >= 0.5, "yes", "no"))
    # E_in is the cross-entropy of targets t = 1 for "yes" (classes_[1]) and 0 for "no":
    # −mean [t ln h + (1 − t) ln(1 − h)] = mean [ln(1 + e^s) − t s], s the output's signal
    W1, W2 = clf.coefs_
    hidden = np.tanh(np.hstack([np.ones((len(X), 1)), clf._scale(X)]) @ W1)
    s = (np.hstack([np.ones((len(X), 1)), hidden]) @ W2)[:, 0]
    np.testing.assert_allclose(1 / (1 + np.exp(-s)), h, rtol=1e-12)
    t = (labels == "yes").astype(float)
    assert clf.loss_curve_[-1] == pytest.approx(np.mean(np.logaddexp(0, s) - t * s), rel=1e-10)
    assert clf.score(X, labels) > 0.95
    # K > 2 classes: one-versus-rest outputs, normalised to probabilities
    Xb, yb = make_blobs(n_samples=300, centers=4, random_state=1)
    four = NeuralNetClassifier(output="logistic", method="conjugate_gradient", iterations=100,
                               random_state=0).fit(Xb, yb)
    H = four.network_.forward(four._scale(Xb))
    assert H.shape == (300, 4)
    np.testing.assert_allclose(four.predict_proba(Xb), H / H.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(four.predict(Xb), np.argmax(H, axis=1))
    assert four.loss_curve_[-1] == pytest.approx(four.network_.error(four._scale(Xb), one_hot(yb, 4)),
                                                 rel=1e-12)


def test_softmax_learns_the_8x8_digits():
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    clf = NeuralNetClassifier((40,), activation="relu", output="softmax", method="minibatch",
                              lr=0.05, momentum=0.9, iterations=3000, random_state=0)
    clf.fit(X[:1200], y[:1200])
    assert clf.score(X[1200:], y[1200:]) > 0.91  # scikit-learn's MLPClassifier((40,)): 0.92-0.93
    P = clf.predict_proba(X[1200:])
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_activation_is_a_parameter_that_round_trips():
    clf = NeuralNetClassifier((5, 3), activation=("relu", "logistic"), output="softmax")
    params = clf.get_params()
    assert params["activation"] == ("relu", "logistic") and params["output"] == "softmax"
    again = clone(clf)
    assert again.get_params() == params
    clf.set_params(activation="identity", output="logistic")
    assert (clf.activation, clf.output) == ("identity", "logistic")
    reg = NeuralNetRegressor(activation="relu")
    assert reg.get_params()["activation"] == "relu" and reg.get_params()["output"] == "identity"


def test_the_regressor_takes_the_hidden_activation():
    X, y = xor_data()
    reg = NeuralNetRegressor((4, 3), activation=["relu", "logistic"], iterations=20,
                             random_state=0).fit(X, y)
    assert reg.network_.activation == ("relu", "logistic") and reg.network_.output == "identity"
    x = reg._scale(X)
    thetas = [lambda s: np.maximum(s, 0), lambda s: 1 / (1 + np.exp(-s)), lambda s: s]
    for W, theta in zip(reg.coefs_, thetas):
        x = theta(np.hstack([np.ones((len(x), 1)), x]) @ W)
    np.testing.assert_allclose(reg.predict(X), x[:, 0], rtol=1e-12, atol=1e-12)


def test_a_pickled_softmax_classifier_keeps_its_network_and_probabilities():
    X, y = make_blobs(n_samples=200, centers=3, random_state=2)
    clf = NeuralNetClassifier((6, 5), activation=("relu", "tanh"), output="softmax",
                              method="minibatch", momentum=0.9, iterations=300, random_state=0)
    clf.fit(X, y)
    for other in (pickle.loads(pickle.dumps(clf)), copy.deepcopy(clf)):
        net = other.network_
        assert (net.activation, net.output, net.loss) == (("relu", "tanh"), "softmax", "cross_entropy")
        np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))
        assert other.get_params() == clf.get_params()


def test_a_pickle_from_before_activation_existed_loads_as_tanh():
    X, y = xor_data()
    clf = NeuralNetClassifier((4,), iterations=30, random_state=0).fit(X, y)
    state = clf.__getstate__()
    dims, activation, output, loss, dtype = state["_network_spec"]
    state["_network_spec"] = (dims, output, dtype)  # what the estimators pickled before
    del state["activation"]
    old = NeuralNetClassifier.__new__(NeuralNetClassifier)
    old.__setstate__(state)
    assert old.activation == "tanh" and old.get_params()["activation"] == "tanh"
    np.testing.assert_array_equal(old.decision_function(X), clf.decision_function(X))


# --- the estimator is the Network, trained the same way -----------------------------------------
@pytest.mark.parametrize("method", ["gd", "sgd", "conjugate_gradient"])
def test_estimator_equals_a_network_trained_with_the_same_seed_and_options(method):
    X, y = xor_data()
    opts = dict(method=method, lr=0.2, iterations=150, momentum=0.0, weight_decay=0.01)
    clf = NeuralNetClassifier((6,), scale_features=False, random_state=7, **opts).fit(X, y)
    net = deltaprop.Network([2, 6, 1], seed=7)
    # the same options, less those that do not apply to the method (fit refuses them)
    reads = deltaprop.training.method_options(method)
    given = {k: v for k, v in dict(seed=7, **opts).items() if k not in ("seed", "momentum") or k in reads}
    history = net.fit(X, y, **given)
    for got, expected in zip(clf.coefs_, net.weights):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(clf.loss_curve_, history.error)
    assert clf.n_iter_ == history.iterations_done == 150


def test_coefs_are_the_lecture_matrices_of_the_network_predict_uses():
    X, y = xor_data()
    clf = NeuralNetClassifier((4, 3), method="variable_lr", iterations=300, random_state=0).fit(X, y)
    assert [w.shape for w in clf.coefs_] == [(3, 4), (5, 3), (4, 1)]
    for w, v in zip(clf.coefs_, clf.network_.weights):
        np.testing.assert_array_equal(w, v)
    # forward propagation by hand with coefs_ (row 0 = biases) gives decision_function
    x = clf._scale(X)
    for l, W in enumerate(clf.coefs_):
        s = np.hstack([np.ones((len(x), 1)), x]) @ W
        x = np.tanh(s)
    np.testing.assert_allclose(x[:, 0], clf.decision_function(X), rtol=1e-12, atol=1e-12)


def test_features_are_scaled_to_minus_one_one_by_the_training_ranges():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.uniform(100, 300, 50), rng.uniform(-1e-3, 1e-3, 50), np.full(50, 4.0)])
    reg = NeuralNetRegressor(iterations=10, random_state=0).fit(X, X[:, 0] / 300)
    np.testing.assert_array_equal(reg.feature_min_, X.min(axis=0))
    np.testing.assert_array_equal(reg.feature_max_, X.max(axis=0))
    Z = reg._scale(X)
    np.testing.assert_allclose(Z[:, :2].min(axis=0), -1.0)
    np.testing.assert_allclose(Z[:, :2].max(axis=0), 1.0)
    np.testing.assert_array_equal(Z[:, 2], 0.0)  # a constant feature carries no information
    np.testing.assert_array_equal(reg.predict(X), reg.network_.forward(Z)[:, 0])
    raw = NeuralNetRegressor(iterations=10, scale_features=False, random_state=0).fit(X, X[:, 0] / 300)
    assert raw.feature_min_ is None and raw.feature_max_ is None


# --- partial_fit: a run that stops and resumes ---------------------------------------------------
@pytest.mark.parametrize("Estimator", [NeuralNetClassifier, NeuralNetRegressor])
def test_partial_fit_twice_is_one_fit_of_twice_the_iterations_for_gd(Estimator):
    X, y = xor_data()
    once = Estimator(lr=0.3, iterations=80, random_state=3).fit(X, y)
    twice = Estimator(lr=0.3, iterations=40, random_state=3)
    twice.partial_fit(X, y).partial_fit(X, y)
    for a, b in zip(once.coefs_, twice.coefs_):
        np.testing.assert_array_equal(a, b)
    assert twice.n_iter_ == 80
    np.testing.assert_array_equal(twice.curve_iterations_, np.arange(81))
    np.testing.assert_array_equal(twice.loss_curve_, once.loss_curve_)
    assert twice.history_.iterations_done == 40


def test_partial_fit_draws_a_new_sgd_order_each_call_and_keeps_classes():
    X, y = xor_data()
    clf = NeuralNetClassifier(method="sgd", lr=0.05, iterations=200, random_state=0)
    clf.partial_fit(X[:100], y[:100], classes=[-1, 1])
    first = [w.copy() for w in clf.coefs_]
    clf.partial_fit(X[100:], y[100:])
    assert not np.array_equal(first[0], clf.coefs_[0])
    assert clf.classes_.tolist() == [-1, 1] and clf.n_iter_ == 400
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X[:3], np.array([-1, 1, 2]))


def test_partial_fit_classes_can_name_a_class_not_yet_seen():
    X, y = xor_data()
    clf = NeuralNetClassifier(iterations=5, random_state=0).partial_fit(X, y, classes=[-1, 0, 1])
    assert clf.classes_.tolist() == [-1, 0, 1] and clf.network_.dims[-1] == 3


def test_partial_fit_exists_only_for_methods_that_can_resume():
    assert hasattr(NeuralNetClassifier(method="minibatch"), "partial_fit")
    for method in ("variable_lr", "steepest", "conjugate_gradient"):
        assert not hasattr(NeuralNetClassifier(method=method), "partial_fit")
        assert not hasattr(NeuralNetRegressor(method=method), "partial_fit")


# --- early stopping ------------------------------------------------------------------------------
def test_early_stopping_keeps_the_weights_of_the_lowest_validation_error():
    X, y = xor_data(n=300, seed=2)
    y_noisy = np.where(np.random.default_rng(0).uniform(size=300) < 0.15, -y, y)  # overfittable
    clf = NeuralNetClassifier((20,), method="conjugate_gradient", iterations=400, early_stopping=True,
                              validation_fraction=0.3, random_state=0).fit(X, y_noisy)
    curve = clf.validation_curve_
    assert curve.shape == clf.loss_curve_.shape and np.all(np.isfinite(curve))
    best = int(np.argmin(curve))
    assert clf.history_.best_iteration == clf.curve_iterations_[best]
    assert clf.history_.best_validation_error == curve[best]
    assert best < len(curve) - 1  # it overfits: the best point is not the last


def test_patience_stops_the_run():
    X, y = xor_data()
    clf = NeuralNetClassifier(method="sgd", lr=0.5, iterations=20000, early_stopping=True,
                              patience=3, random_state=0).fit(X, y)
    assert clf.history_.stop_reason == "patience" and clf.n_iter_ < 20000
    assert NeuralNetClassifier(iterations=5).fit(X, y).validation_curve_ is None


# --- types, pickling, copies ---------------------------------------------------------------------
def test_float32_trains_in_float32_and_the_regressor_answers_in_float64():
    X, y = xor_data()
    reg = NeuralNetRegressor(dtype=np.float32, iterations=20, random_state=0).fit(X, y)
    assert reg.network_.dtype == np.float32 and all(w.dtype == np.float32 for w in reg.coefs_)
    assert reg.predict(X).dtype == np.float64


def test_multi_output_regression_keeps_the_shape_of_y():
    X, y = xor_data()
    Y = np.column_stack([y, X[:, 0]])
    reg = NeuralNetRegressor(iterations=20, random_state=0).fit(X, Y)
    assert reg.network_.dims == [2, 10, 2] and reg.predict(X).shape == (200, 2)
    assert NeuralNetRegressor(iterations=5).fit(X, y).predict(X).shape == (200,)
    with pytest.raises(ValueError, match="targets"):
        reg.partial_fit(X, np.column_stack([Y, y]))


@pytest.mark.parametrize("method", ["gd", "variable_lr"])
def test_pickle_and_deepcopy_keep_the_fitted_model_bit_for_bit(method):
    X, y = xor_data()
    clf = NeuralNetClassifier((5,), method=method, iterations=100, random_state=0).fit(X, y)
    for other in (pickle.loads(pickle.dumps(clf)), copy.deepcopy(clf)):
        np.testing.assert_array_equal(other.decision_function(X), clf.decision_function(X))
        for a, b in zip(other.coefs_, clf.coefs_):
            np.testing.assert_array_equal(a, b)
        assert other.network_ is not clf.network_
        np.testing.assert_array_equal(other.feature_max_, clf.feature_max_)
        # coefs_ of the copy are the weights of its own network again
        other.coefs_[0][0, 0] += 1.0
        assert other.network_.weights[0][0, 0] == other.coefs_[0][0, 0]
    assert not np.shares_memory(clf.coefs_[0], pickle.loads(pickle.dumps(clf)).coefs_[0])


def test_a_pickle_from_before_scaler_existed_scales_by_its_feature_ranges():
    X, y = xor_data()
    X = X * 3.0 + 1.0
    clf = NeuralNetClassifier((4,), iterations=50, random_state=0).fit(X, y)
    raw = NeuralNetClassifier((4,), iterations=50, scale_features=False, random_state=0).fit(X, y)
    for fitted in (clf, raw):
        state = fitted.__getstate__()
        del state["scaler_"]  # the state the estimators pickled before they kept a scaler_
        old = NeuralNetClassifier.__new__(NeuralNetClassifier)
        old.__setstate__(state)
        np.testing.assert_array_equal(old.decision_function(X), fitted.decision_function(X))
    assert raw.scaler_ is None and clf.scaler_ is not None
    np.testing.assert_array_equal(clf.scaler_.transform(X).min(axis=0), -1.0)


def test_a_pickled_model_resumes_training_as_the_original_would():
    X, y = xor_data()
    clf = NeuralNetClassifier(iterations=30, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    clf.partial_fit(X, y)
    restored.partial_fit(X, y)
    np.testing.assert_array_equal(restored.coefs_[1], clf.coefs_[1])


def test_unfitted_and_bad_inputs_say_what_is_wrong():
    X, y = xor_data()
    with pytest.raises(NotFittedError):
        NeuralNetClassifier().predict(X)
    bad = [
        (dict(hidden_layer_sizes=(5, 0)), ValueError, r"hidden_layer_sizes\[1\]"),
        (dict(method="rmsprop"), ValueError, "method must be one of"),
        (dict(dtype=np.int32), ValueError, "dtype must be float64 or float32"),
        (dict(output="relu"), ValueError, "output"),
        (dict(lr=-1.0), ValueError, "lr"),
        (dict(random_state=-1), ValueError, "random_state"),
        (dict(early_stopping=True, validation_fraction=1.5), ValueError, "validation_fraction"),
        (dict(weight_decay=0.1, weight_elimination=0.1), ValueError, "weight_decay"),
        # set away from its default for a method that does not read it: refused, not ignored
        (dict(method="conjugate_gradient", momentum=0.5), ValueError,
         "momentum applies to gd, sgd and minibatch, not conjugate_gradient"),
        (dict(method="gd", batch_size=8), ValueError, "batch_size applies to minibatch and adam, not gd"),
        (dict(method="gd", memory=5), ValueError, "memory applies to lbfgs, not gd"),
        (dict(method="lbfgs", beta1=0.5), ValueError, "beta1 applies to adam, not lbfgs"),
        (dict(method="adam", beta2=1.0), ValueError, "beta2 must be"),
        (dict(method="steepest", c1=0.5, c2=0.2), ValueError, "c1 must be below c2"),
    ]
    for params, error, message in bad:
        with pytest.raises(error, match=message):
            NeuralNetClassifier(iterations=5, **params).fit(X, y)
    clf = NeuralNetClassifier(iterations=5).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        clf.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(np.full((2, 2), np.nan))


@pytest.mark.slow  # two worker processes that import scikit-learn and deltaprop: a few seconds
def test_pipeline_and_grid_search_with_two_workers_on_the_digits_features():
    X, y = (a[:2000] for a in usps_features("train"))  # enough to choose; quicker
    X_test, y_test = usps_features("test")
    pipe = Pipeline([("standardize", StandardScaler()),
                     ("net", NeuralNetClassifier(method="conjugate_gradient", iterations=100,
                                                 scale_features=False, random_state=0))])
    grid = GridSearchCV(pipe, {"net__hidden_layer_sizes": [(2,), (6,)],
                               "net__weight_decay": [0.0, 0.1]}, cv=3, n_jobs=2).fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert len(scores) == 4 and np.all(np.isfinite(scores))
    # a 1 is thin and symmetric: the features separate it far better than the base rate
    majority = np.mean(y == -1)
    assert grid.best_score_ > 0.97 > majority + 0.1
    fitted = grid.best_estimator_.named_steps["net"]
    assert fitted.n_features_in_ == 2 and fitted.classes_.tolist() == [-1, 1]
    assert grid.score(X_test, y_test) > 0.97
