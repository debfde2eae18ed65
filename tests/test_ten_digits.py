"""The ten-digit experiment (`deltaprop digits --classes 10`): the ten USPS digits from the
pixels, softmax outputs with cross-entropy against the lecture's tanh outputs with ±1 targets
and squared error. Its numbers agree with the networks it trained, its files and figures name
what was run and show what the numbers count, and (slow) the default run reaches E_test <= 6%
with softmax."""

import csv
import os
import re

import numpy as np
import pytest

import deltaprop
from deltaprop.cli import main
from deltaprop.datasets import load_digit_images, one_hot
from deltaprop.ten_digits import DEFAULT_ITERATIONS, confusion_matrix, run_ten_digits

from conftest import require_module

QUIET = dict(progress=False, out=None)


@pytest.fixture(scope="module")
def usps():
    """(train, test) images of the shipped USPS files."""
    return (load_digit_images(split="train", notice=False),
            load_digit_images(split="test", notice=False))


def quiet_log():
    return open(os.devnull, "w")


@pytest.fixture(scope="module")
def tanh_run():
    """A short run of the lecture's scheme: tanh hidden units and outputs, ±1 targets."""
    return run_ten_digits(hidden=(12,), activation="tanh", schemes=["tanh"],
                          methods=["minibatch", "gd"], iterations=300, seed=3, log=quiet_log(),
                          **QUIET)


def test_the_numbers_are_those_of_the_trained_networks(tanh_run, usps):
    train, test = usps
    assert tanh_run.dims == [256, 12, 10] and tanh_run.network == "256-12-10, hidden tanh"
    assert [r.label for r in tanh_run.results] == ["tanh, minibatch", "tanh, gd"]
    T = one_hot(train.labels, off=-1.0)  # +1 for the digit's output, -1 for the others
    mean = train.images.mean(axis=0)     # the inputs are centred on the training mean image
    X, X_test = train.images - mean, test.images - mean
    np.testing.assert_array_equal(tanh_run.images_test, test.images)  # drawn as they are
    for r in tanh_run.results:
        assert r.network.output == "tanh" and r.iterations == 300
        assert r.loss == r.network.error(X, T) == r.history.error[-1]
        # trained on E_aug = E_in + (λ/N) Σ w², λ = 4 by default
        penalty = 4.0 / len(T) * sum(float(np.sum(w ** 2)) for w in r.network.weights)
        assert r.history.augmented_error[-1] == pytest.approx(r.loss + penalty, rel=1e-12)
        h_train, h_test = r.network.forward(X), r.network.forward(X_test)
        np.testing.assert_array_equal(r.predicted, np.argmax(h_test, axis=1))
        assert r.test_error == np.mean(np.argmax(h_test, axis=1) != test.labels)
        assert r.train_error == np.mean(np.argmax(h_train, axis=1) != train.labels)
        assert 0.02 < r.test_error < 0.5  # learning, not yet learnt
    # every run starts from the same weights: the same E_in at iteration 0
    first = [r.history.error[0] for r in tanh_run.results]
    assert first[0] == first[1]


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    counts = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), classes=3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_the_figures_show_what_the_table_counts(tanh_run):
    require_module("matplotlib")
    from deltaprop.plots import confusion_matrices_figure, misclassified_figure
    title = ("USPS images (shipped): the ten digits from the pixels\n"
             "network 256-12-10, hidden tanh, seed 3")
    fig = confusion_matrices_figure(tanh_run)
    assert [t.get_text() for t in fig.texts] == [title]
    for ax, r in zip(fig.axes, tanh_run.results):
        counts = r.confusion
        np.testing.assert_array_equal(counts, confusion_matrix(tanh_run.labels_test, r.predicted))
        wrong = int(counts.sum() - np.trace(counts))
        assert wrong == round(r.test_error * 2007)
        assert ax.get_title() == (f"{r.label}: E_test {100 * r.test_error:.2f}%\n"
                                  f"({wrong} of 2007 test digits misclassified)")
        # each written count stands in its cell (x = predicted, y = true)
        written = {(int(round(t.get_position()[1])), int(round(t.get_position()[0]))): int(t.get_text())
                   for t in ax.texts}
        assert written == {(i, j): int(counts[i, j]) for i, j in np.ndindex(counts.shape)
                           if counts[i, j] or i == j}
    assert not any(ax.get_visible() and ax.images for ax in fig.axes[len(tanh_run.results):])

    r = tanh_run.results[0]
    wrong = np.flatnonzero(r.predicted != tanh_run.labels_test)
    assert len(wrong) > 60
    fig = misclassified_figure(tanh_run, r, most=60)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 60
    for ax, i in zip(shown, wrong):
        assert ax.get_title() == f"{tanh_run.labels_test[i]} → {r.predicted[i]}"
        np.testing.assert_array_equal(ax.images[0].get_array(),
                                      tanh_run.images_test[i].reshape(16, 16))
    assert fig.texts[0].get_text() == (
        f"{title}\ntanh, minibatch: {len(wrong)} of 2007 test digits misclassified (E_test "
        f"{100 * r.test_error:.2f}%), the first 60 shown; each titled true → predicted")
    import matplotlib.pyplot as plt
    plt.close("all")


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_the_command_writes_its_files_naming_data_network_and_seed(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["digits", "--classes", "10", "--activation", "tanh", "--output", "tanh",
                 "--hidden", "8", "--methods", "minibatch,sgd", "--iterations", "200",
                 "--lr", "sgd=0.002", "--weight-decay", "2", "--seed", "4", "--out", str(out),
                 "--no-progress"])
    assert code == 0
    header = ["data: USPS images (shipped) (7291 training, 2007 test points)",
              "task: the ten digits from the 16x16 pixels", "network: 256-8-10, hidden tanh",
              "seed: 4", "weight decay: lambda = 2",
              "inputs: the grey values less the training set's mean image"]
    captured = capsys.readouterr()
    assert captured.out.splitlines()[:6] == header
    assert (out / "results.txt").read_text().splitlines()[:7] == header + [""]
    # stderr: the data notice, then one line per run (no progress bars into a pipe)
    err = captured.err.splitlines()
    assert err[0].startswith("deltaprop: train data: USPS images (shipped)")
    assert [line.split(":")[0] for line in err[1:]] == ["tanh, minibatch", "tanh, sgd"]
    rows = read_csv(out / "results.csv")
    assert [(r["scheme"], r["output"], r["loss"], r["method"], r["lr"], r["momentum"],
             r["batch_size"], r["iterations"]) for r in rows] == [
        ("tanh", "tanh", "squared_error", "minibatch", "0.02", "0.9", "32", "200"),
        ("tanh", "tanh", "squared_error", "sgd", "0.002", "0.9", "", "200")]
    assert {(r["data"], r["network"], r["seed"], r["weight_decay"]) for r in rows} == {
        ("USPS images (shipped)", "256-8-10, hidden tanh", "4", "2.0")}
    for r in rows:  # the table's numbers, as printed
        line = next(l for l in captured.out.splitlines() if l.startswith(f"tanh      {r['method']} "))
        assert line.split()[-2:] == [f"{r['E_in_percent']}%", f"{r['E_test_percent']}%"]
    histories = read_csv(out / "histories.csv")
    assert {(h["data"], h["network"], h["seed"], h["scheme"]) for h in histories} == {
        ("USPS images (shipped)", "256-8-10, hidden tanh", "4", "tanh")}
    assert [h["iteration"] for h in histories if h["method"] == "sgd"][-1] == "200"
    pngs = ["confusion_matrices.png", "misclassified-tanh-minibatch.png",
            "misclassified-tanh-sgd.png", "error_curves.png"]
    for name in pngs:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert sorted(p.name for p in out.iterdir()) == sorted(
        pngs + ["results.txt", "results.csv", "histories.csv"])


def test_default_settings_of_the_ten_digits(monkeypatch, tmp_path):
    # without options: softmax and tanh, minibatch, 256-200-10 relu, the tuned iterations
    seen = {}

    def record(**given):
        seen.update(given)
    monkeypatch.setattr(deltaprop.ten_digits, "run_ten_digits", record)
    assert main(["digits", "--classes", "10", "--out", str(tmp_path)]) == 0
    assert seen["schemes"] == ("softmax", "tanh") and seen["hidden"] == (200,)
    assert seen["activation"] == "relu" and seen["weight_decay"] == 4.0
    assert "iterations" not in seen and "methods" not in seen  # each method's own defaults
    assert DEFAULT_ITERATIONS["minibatch"] == 100 * (7291 // 32)  # 100 epochs


@pytest.mark.parametrize("options, message", [
    (["--digit", "3"], "--digit chooses the positive class of --classes 2"),
    (["--output", "sigmoid"], r"unknown scheme\(s\) \['sigmoid'\]; choose from softmax, tanh, logistic"),
    (["--iterations", "0"], "--iterations must be at least 1"),
])
def test_the_command_refuses_what_does_not_apply(options, message, tmp_path, capsys):
    assert main(["digits", "--classes", "10", "--out", str(tmp_path), *options]) == 1
    assert re.search(message, capsys.readouterr().err)


def test_two_classes_take_one_output(tmp_path, capsys):
    assert main(["digits", "--output", "softmax,tanh", "--out", str(tmp_path)]) == 1
    assert "--output takes one θ with --classes 2, got softmax,tanh" in capsys.readouterr().err


# --- softmax and cross-entropy (the core's softmax output) ------------------------------------


def test_softmax_runs_train_on_one_hot_targets_with_cross_entropy(usps):
    train, test = usps
    result = run_ten_digits(hidden=(12,), activation="relu", schemes=["softmax", "tanh"],
                            iterations=300, seed=3, log=quiet_log(), **QUIET)
    softmax, tanh = result.results
    assert (softmax.network.output, softmax.network.loss) == ("softmax", "cross_entropy")
    assert (tanh.network.output, tanh.network.loss) == ("tanh", "squared_error")
    assert softmax.network.activation == tanh.network.activation == ("relu",)
    # the same hidden weights to start with: one seed for every run
    start = deltaprop.Network([256, 12, 10], activation="relu", output="softmax", seed=3)
    np.testing.assert_array_equal(
        start.weights[0], deltaprop.Network([256, 12, 10], activation="relu", seed=3).weights[0])
    # E_in is the mean cross-entropy of the one-hot targets: −mean ln h_y(x)
    mean = train.images.mean(axis=0)
    h = softmax.network.forward(train.images - mean)
    np.testing.assert_allclose(softmax.loss, -np.mean(np.log(h[np.arange(len(h)), train.labels])),
                               rtol=1e-10)
    assert softmax.test_error == np.mean(np.argmax(softmax.network.forward(test.images - mean), 1)
                                         != test.labels)
    assert softmax.test_error < 0.15


@pytest.mark.slow  # the experiment as shipped: about half a minute on two cores
def test_the_default_run_reaches_six_percent_with_softmax(tmp_path, capsys):
    assert main(["digits", "--classes", "10", "--out", str(tmp_path), "--no-progress"]) == 0
    rows = {r["scheme"]: r for r in read_csv(tmp_path / "results.csv")}
    assert set(rows) == {"softmax", "tanh"}
    assert rows["softmax"]["network"] == "256-200-10, hidden relu"
    assert float(rows["softmax"]["E_test_percent"]) <= 6.0, rows["softmax"]
    assert float(rows["tanh"]["E_test_percent"]) <= 8.0, rows["tanh"]


def test_uncentred_inputs_are_the_grey_values_themselves(usps):
    train, test = usps
    result = run_ten_digits(hidden=(6,), activation="tanh", schemes=["tanh"], iterations=20,
                            centre=False, log=quiet_log(), **QUIET)
    assert result.header()[-1] == "inputs: the grey values"
    r = result.results[0]
    assert r.loss == r.network.error(train.images, one_hot(train.labels, off=-1.0))
    np.testing.assert_array_equal(r.predicted, np.argmax(r.network.forward(test.images), axis=1))


def test_the_8x8_digits_by_name(tmp_path, capsys):
    require_module("sklearn")
    require_module("matplotlib")
    result = run_ten_digits(data="sklearn-8x8", hidden=(10,), activation="tanh", schemes=["tanh"],
                            iterations=100, progress=False, out=str(tmp_path), log=quiet_log())
    assert result.dims == [64, 10, 10] and (result.n_train, result.n_test) == (1198, 599)
    assert result.header()[:2] == [
        "data: scikit-learn's 8x8 digits, points 0-1197 of 1797 (1198 training, 599 test points)",
        "task: the ten digits from the 8x8 pixels"]
    from deltaprop.plots import misclassified_figure
    fig = misclassified_figure(result, result.results[0])
    assert next(ax for ax in fig.axes if ax.images).images[0].get_array().shape == (8, 8)
    assert (tmp_path / "misclassified-tanh-minibatch.png").is_file()
