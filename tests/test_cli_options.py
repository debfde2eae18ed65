"""The command line's options take effect: `deltaprop digits` with --lr, --hidden, --output,
--digit, --threads and --seed on the course's real data, checked against the written histories
(the first rows are recomputed here from the data file with numpy), and `deltaprop check`
failing with a non-zero exit and a message when backpropagation is wrong."""

import csv

import numpy as np
import pytest

import deltaprop
import lecture
from deltaprop import cli

ITERATIONS = 3  # record_every="log" then records every iteration: rows 0, 1, 2, 3
DEFAULT_NETWORK = ([2, 10, 1], "tanh", 1, 1)  # dims, output, seed, digit


@pytest.fixture
def keep_threads():
    before = deltaprop.get_num_threads()
    yield
    deltaprop.set_num_threads(before)


@pytest.fixture(scope="module")
def digits_table():
    """(labels, features scaled to [-1, 1] by the training set's min and max), read here."""
    from conftest import require_shared_data
    table = np.loadtxt(require_shared_data("features.train", "features.test") / "features.train")
    features = table[:, 1:]
    low, high = features.min(axis=0), features.max(axis=0)
    return table[:, 0].astype(int), (features - (high + low) / 2) / ((high - low) / 2)


def run_digits(shared_data, tmp_path, capsys, *options, methods="gd"):
    """Run `deltaprop digits` for a few iterations; returns its stdout and {method: columns}."""
    out = tmp_path / "out"
    status = cli.main(["digits", "--data", str(shared_data), "--methods", methods,
                       "--iterations", str(ITERATIONS), "--no-progress", "--out", str(out),
                       *options])
    assert status == 0
    histories = {}
    with open(out / "histories.csv") as f:
        for row in csv.DictReader(f):
            columns = histories.setdefault(row["method"], {})
            for key, value in row.items():
                if key != "method":
                    columns.setdefault(key, []).append(float(value))
    assert (out / "results.txt").is_file()
    return capsys.readouterr().out, {m: {k: np.array(v) for k, v in c.items()}
                                     for m, c in histories.items()}


def initial_error(digits_table, dims, output, seed, digit):
    """E_in of the CLI's initial network (Network(dims, seed=seed)) on the digit-vs-rest labels."""
    labels, X = digits_table
    y = np.where(labels == digit, 1.0, -1.0)
    A = X
    weights = deltaprop.Network(dims, output=output, seed=seed).weights
    for l, W in enumerate(weights, start=1):
        S = np.hstack([np.ones((len(A), 1)), A]) @ W
        A = S if (l == len(weights) and output == "identity") else np.tanh(S)
    return float(np.mean((A[:, 0] - y) ** 2))


def test_defaults_are_a_2_10_1_tanh_network_seed_1_digit_1(shared_data, tmp_path, capsys, digits_table):
    stdout, h = run_digits(shared_data, tmp_path, capsys)
    assert "digit 1 versus the rest" in stdout
    assert "network 2-10-1, output tanh, seed 1," in stdout
    np.testing.assert_array_equal(h["gd"]["iteration"], np.arange(ITERATIONS + 1))
    np.testing.assert_allclose(h["gd"]["error"][0], initial_error(digits_table, *DEFAULT_NETWORK),
                               rtol=1e-12)
    np.testing.assert_array_equal(h["gd"]["lr"], 0.5)  # experiment.DEFAULT_LR["gd"]


def test_seed_sets_the_sgd_order(shared_data, tmp_path, capsys):
    # same initial weights (--seed also sets those), so compare the run against one made here
    _, h = run_digits(shared_data, tmp_path, capsys, "--seed", "3", methods="sgd")
    train = deltaprop.datasets.load_digits(str(shared_data), split="train")
    X = deltaprop.datasets.MinMaxScaler().fit_transform(train.features)
    y = deltaprop.datasets.one_versus_all(train.labels, 1)
    errors = {}
    for seed in (3, 4):
        net = deltaprop.Network([2, 10, 1], seed=3)
        errors[seed] = net.fit(X, y, method="sgd", lr=0.05, iterations=ITERATIONS,
                               record_every="log", seed=seed).error
    np.testing.assert_array_equal(h["sgd"]["error"], errors[3])
    assert not np.array_equal(errors[3], errors[4])


@pytest.mark.parametrize("options,announced,network", [
    (["--seed", "2"], "seed 2,", ([2, 10, 1], "tanh", 2, 1)),
    (["--hidden", "3"], "network 2-3-1,", ([2, 3, 1], "tanh", 1, 1)),
    (["--hidden", "4,2"], "network 2-4-2-1,", ([2, 4, 2, 1], "tanh", 1, 1)),
    (["--output", "identity"], "output identity,", ([2, 10, 1], "identity", 1, 1)),
    (["--digit", "5"], "digit 5 versus the rest", ([2, 10, 1], "tanh", 1, 5)),
])
def test_option_sets_the_network_or_the_labels(options, announced, network, shared_data, tmp_path,
                                               capsys, digits_table):
    # the first row of the history is E_in of the initial network on the chosen labels: it pins
    # the widths, the output, the seed of the weights and the positive class at once
    stdout, h = run_digits(shared_data, tmp_path, capsys, *options)
    assert announced in stdout
    e0 = h["gd"]["error"][0]
    np.testing.assert_allclose(e0, initial_error(digits_table, *network), rtol=1e-12)
    assert not np.isclose(e0, initial_error(digits_table, *DEFAULT_NETWORK), rtol=1e-6)


def test_lr_sets_the_methods_learning_rate(shared_data, tmp_path, capsys, digits_table):
    _, h = run_digits(shared_data, tmp_path, capsys, "--lr", "gd=0.7", "sgd=0.01", methods="gd,sgd")
    np.testing.assert_array_equal(h["gd"]["lr"], 0.7)
    np.testing.assert_array_equal(h["sgd"]["lr"], 0.01)
    # the first gd step is W - 0.7 G from the initial weights
    labels, X = digits_table
    y = np.where(labels == 1, 1.0, -1.0)
    w0 = deltaprop.Network([2, 10, 1], seed=1).weights
    _, G = lecture.error_and_gradient(w0, X, y)
    w1 = [w - 0.7 * g for w, g in zip(w0, G)]
    np.testing.assert_allclose(h["gd"]["error"][1], lecture.error_and_gradient(w1, X, y)[0], rtol=1e-10)


def test_lr_rejects_an_unknown_method(shared_data, tmp_path):
    with pytest.raises(SystemExit, match=r"--lr takes METHOD=VALUE with METHOD in gd, .*; got 'adam=0\.1'"):
        cli.main(["digits", "--data", str(shared_data), "--methods", "gd", "--iterations", "1",
                  "--no-progress", "--out", str(tmp_path), "--lr", "adam=0.1"])


@pytest.mark.parametrize("threads", [1, 2])
def test_threads_sets_the_cores_thread_count(threads, shared_data, tmp_path, capsys, keep_threads):
    deltaprop.set_num_threads(3)
    _, h = run_digits(shared_data, tmp_path, capsys, "--threads", str(threads))
    assert deltaprop.get_num_threads() == threads
    # and the numbers do not depend on it
    deltaprop.set_num_threads(3)
    _, other = run_digits(shared_data, tmp_path / "default", capsys)
    np.testing.assert_array_equal(h["gd"]["error"], other["gd"]["error"])


def test_threads_zero_is_an_error(shared_data, tmp_path, capsys, keep_threads):
    status = cli.main(["digits", "--data", str(shared_data), "--methods", "gd", "--iterations", "1",
                       "--no-progress", "--out", str(tmp_path), "--threads", "0"])
    assert status == 1
    assert "deltaprop digits: error: n_threads must be at least 1" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# deltaprop check


def test_check_passes_on_the_real_backpropagation(capsys):
    assert cli.main(["check", "--dims", "3,4,2", "--points", "5", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("G^(") == 2 and out.rstrip().endswith("passed")


def test_check_fails_with_exit_1_and_says_so_when_the_gradient_is_wrong(capsys, monkeypatch):
    # a backward pass that gets the last layer's gradient wrong by a factor of two
    right = deltaprop.Network.error_and_gradient

    def wrong_last_layer(self, X, y):
        e, grads = right(self, X, y)
        return e, grads[:-1] + [2 * grads[-1]]

    monkeypatch.setattr(deltaprop.Network, "error_and_gradient", wrong_last_layer)
    assert cli.main(["check", "--dims", "3,4,2", "--points", "5", "--seed", "2"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].endswith("(tolerance 1e-06): FAILED")
    first, last = (float(line.split("max relative ")[1]) for line in lines[:2])
    assert first < 1e-6 and last > 0.3  # the report points at the broken layer: (2 - 1)/(2 + 1)
