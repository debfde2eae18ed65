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


RUN_COLUMNS = ("data", "digit", "network", "seed")  # what was run, the same on every row


def run_digits(shared_data, tmp_path, capsys, *options, methods="gd"):
    """Run `deltaprop digits` for a few iterations; returns its stdout, {method: numeric
    columns} and the run columns of the CSV (checked to be one value each)."""
    out = tmp_path / "out"
    status = cli.main(["digits", "--data", str(shared_data), "--methods", methods,
                       "--iterations", str(ITERATIONS), "--no-progress", "--out", str(out),
                       *options])
    assert status == 0
    histories, runs = {}, set()
    with open(out / "histories.csv") as f:
        for row in csv.DictReader(f):
            runs.add(tuple(row.pop(key) for key in RUN_COLUMNS))
            columns = histories.setdefault(row.pop("method"), {})
            for key, value in row.items():
                columns.setdefault(key, []).append(float(value))
    assert len(runs) == 1
    assert (out / "results.txt").is_file()
    return capsys.readouterr().out, {m: {k: np.array(v) for k, v in c.items()}
                                     for m, c in histories.items()}, dict(zip(RUN_COLUMNS, runs.pop()))


def assert_announced(stdout, run, dims, output, seed, digit):
    """stdout's header and the CSV's run columns name the network, the task and the seed."""
    network = f"{'-'.join(map(str, dims))} {output}"
    for line in (f"task: digit {digit} versus the rest", f"network: {network}", f"seed: {seed}"):
        assert line in stdout.splitlines()
    assert (run["digit"], run["network"], run["seed"]) == (str(digit), network, str(seed))


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
    stdout, h, run = run_digits(shared_data, tmp_path, capsys)
    assert_announced(stdout, run, *DEFAULT_NETWORK)
    np.testing.assert_array_equal(h["gd"]["iteration"], np.arange(ITERATIONS + 1))
    np.testing.assert_allclose(h["gd"]["error"][0], initial_error(digits_table, *DEFAULT_NETWORK),
                               rtol=1e-12)
    np.testing.assert_array_equal(h["gd"]["lr"], 0.5)  # experiment.DEFAULT_LR["gd"]


def test_seed_sets_the_sgd_order(shared_data, tmp_path, capsys):
    # same initial weights (--seed also sets those), so compare the run against one made here
    _, h, _ = run_digits(shared_data, tmp_path, capsys, "--seed", "3", methods="sgd")
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


@pytest.mark.parametrize("options,network", [
    (["--seed", "2"], ([2, 10, 1], "tanh", 2, 1)),
    (["--hidden", "3"], ([2, 3, 1], "tanh", 1, 1)),
    (["--hidden", "4,2"], ([2, 4, 2, 1], "tanh", 1, 1)),
    (["--output", "identity"], ([2, 10, 1], "identity", 1, 1)),
    (["--digit", "5"], ([2, 10, 1], "tanh", 1, 5)),
])
def test_option_sets_the_network_or_the_labels(options, network, shared_data, tmp_path, capsys,
                                               digits_table):
    # the first row of the history is E_in of the initial network on the chosen labels: it pins
    # the widths, the output, the seed of the weights and the positive class at once
    stdout, h, run = run_digits(shared_data, tmp_path, capsys, *options)
    assert_announced(stdout, run, *network)
    e0 = h["gd"]["error"][0]
    np.testing.assert_allclose(e0, initial_error(digits_table, *network), rtol=1e-12)
    assert not np.isclose(e0, initial_error(digits_table, *DEFAULT_NETWORK), rtol=1e-6)


def test_weight_decay_is_the_penalty_of_e_aug(shared_data, tmp_path, capsys, digits_table):
    stdout, h, _ = run_digits(shared_data, tmp_path, capsys, "--weight-decay", "0.5")
    assert "weight decay: lambda = 0.5" in stdout.splitlines()
    w0 = deltaprop.Network([2, 10, 1], seed=1).weights
    penalty = 0.5 / len(digits_table[0]) * sum(float(np.sum(w ** 2)) for w in w0)
    np.testing.assert_allclose(h["gd"]["augmented_error"][0] - h["gd"]["error"][0], penalty,
                               rtol=1e-9)


def test_activation_sets_the_hidden_units(shared_data, tmp_path, capsys, digits_table):
    stdout, h, run = run_digits(shared_data, tmp_path, capsys, "--activation", "relu")
    assert "network: 2-10-1 tanh, hidden relu" in stdout.splitlines()
    assert run["network"] == "2-10-1 tanh, hidden relu"
    labels, X = digits_table
    W1, W2 = deltaprop.Network([2, 10, 1], activation="relu", seed=1).weights
    hidden = np.maximum(np.hstack([np.ones((len(X), 1)), X]) @ W1, 0)
    out = np.tanh(np.hstack([np.ones((len(X), 1)), hidden]) @ W2)[:, 0]
    np.testing.assert_allclose(h["gd"]["error"][0], np.mean((out - np.where(labels == 1, 1, -1)) ** 2),
                               rtol=1e-12)


def test_lr_sets_the_methods_learning_rate(shared_data, tmp_path, capsys, digits_table):
    _, h, _ = run_digits(shared_data, tmp_path, capsys, "--lr", "gd=0.7", "sgd=0.01", methods="gd,sgd")
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
    with pytest.raises(SystemExit, match=r"--lr takes METHOD=VALUE with METHOD in gd, .*; got 'rmsprop=0\.1'"):
        cli.main(["digits", "--data", str(shared_data), "--methods", "gd", "--iterations", "1",
                  "--no-progress", "--out", str(tmp_path), "--lr", "rmsprop=0.1"])


@pytest.mark.parametrize("threads", [1, 2])
def test_threads_sets_the_cores_thread_count(threads, shared_data, tmp_path, capsys, keep_threads):
    deltaprop.set_num_threads(3)
    _, h, _ = run_digits(shared_data, tmp_path, capsys, "--threads", str(threads))
    assert deltaprop.get_num_threads() == threads
    # and the numbers do not depend on it
    deltaprop.set_num_threads(3)
    _, other, _ = run_digits(shared_data, tmp_path / "default", capsys)
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
    first, last = (float(line.split("max relative ")[1]) for line in lines if line.startswith("G^("))
    assert first < 1e-6 and last > 0.3  # the report points at the broken layer: (2 - 1)/(2 + 1)


def test_check_names_the_network_it_checks(capsys):
    assert cli.main(["check", "--dims", "3,4,2", "--activation", "tanh", "--output", "identity",
                     "--points", "5"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "network 3-4-2: hidden tanh, output identity, loss squared_error; 5 points, seed 0")


@pytest.mark.parametrize("options", [
    ["--dims", "3,4,5,2", "--activation", "relu,tanh", "--output", "softmax"],
    ["--dims", "3,4,2", "--activation", "logistic", "--output", "logistic", "--loss", "cross_entropy"],
    ["--dims", "3,4,2", "--activation", "relu", "--output", "logistic"],
    ["--dims", "3,4,1", "--activation", "identity", "--output", "tanh"],
])
def test_check_passes_on_every_kind_of_network(options, capsys):
    assert cli.main(["check", *options, "--points", "8", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    dims = options[1].split(",")
    assert out.count("G^(") == len(dims) - 1 and out.rstrip().endswith("passed")
    loss = options[options.index("--loss") + 1] if "--loss" in options else (
        "cross_entropy" if "softmax" in options else "squared_error")
    assert f"loss {loss};" in out.splitlines()[0]


def test_check_targets_are_what_each_output_takes():
    rng = np.random.default_rng(0)
    P = cli._check_targets(rng, (50, 4), "softmax")
    assert P.min() > 0 and np.allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    L = cli._check_targets(rng, (50, 4), "logistic")
    assert 0 <= L.min() and L.max() <= 1 and L.min() < 0.1 and L.max() > 0.9
    Y = cli._check_targets(rng, (50, 4), "tanh")
    assert -1 <= Y.min() < -0.5 and 0.5 < Y.max() <= 1


@pytest.mark.parametrize("options, message", [
    (["--activation", "relu,tanh"], "activation"),            # two names, one hidden layer
    (["--activation", "swish"], "swish"),
    (["--output", "softmax", "--loss", "squared_error"], "squared_error"),
])
def test_check_refuses_a_network_that_does_not_exist(options, message, capsys):
    assert cli.main(["check", "--dims", "3,4,2", *options]) == 1
    err = capsys.readouterr().err
    assert err.startswith("deltaprop check: error: ") and message in err
