"""Model files of networks with other activations, outputs and losses (issue 18): every
combination saves and loads (and pickles) with its activations, output, loss and weights bit for
bit; a file that format version 1 cannot describe carries a later version; and version-1 files,
written by deltaprop before issue 18, still load as tanh hidden layers with squared error.

The version-1 files in tests/data were written by main at 8995bb9 (deltaprop 0.1.0):

    a = deltaprop.Network([3, 4, 3, 2], output="tanh", seed=1801)
    a.save("model-v1-tanh-float64.dpm", extra={"scaler_min": [-1.0, 0.0, 0.5]})
    deltaprop.Network([2, 5, 1], output="identity", dtype=np.float32, seed=1802).save(
        "model-v1-identity-float32.dpm")
    deltaprop.Network([2, 1], output="tanh", seed=1803).save("model-v1-no-hidden-float64.dpm")
"""

import copy
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

import deltaprop
import lecture
from deltaprop import model_file

DATA = Path(__file__).resolve().parent / "data"
HIDDEN = ("tanh", "logistic", "relu", "identity")
PAIRS = (("tanh", "squared_error"), ("identity", "squared_error"), ("logistic", "squared_error"),
         ("softmax", "cross_entropy"), ("logistic", "cross_entropy"))
MIXED = ("relu", "identity", "logistic")


def version_of(data):
    return struct.unpack("<I", data[8:12])[0]


def same_network(a, b):
    return (a.dims == b.dims and a.activation == b.activation and a.output == b.output
            and a.loss == b.loss and a.dtype == b.dtype
            and [w.tobytes() for w in a.weights] == [w.tobytes() for w in b.weights])


def problem(net, output):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(7, net.dims[0]))
    d = net.dims[-1]
    Y = {"tanh": lambda: rng.choice([-1.0, 1.0], size=(7, d)),
         "identity": lambda: rng.normal(size=(7, d)),
         "logistic": lambda: rng.uniform(0, 1, size=(7, d)),
         "softmax": lambda: rng.dirichlet(np.ones(d), size=7)}[output]()
    return X.astype(net.dtype), Y.astype(net.dtype)


COMBINATIONS = [(a, o, l) for a in HIDDEN + (MIXED,) for o, l in PAIRS]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation, output, loss", COMBINATIONS,
                         ids=["-".join(a if isinstance(a, str) else "+".join(a) for a in c) for c in COMBINATIONS])
def test_every_combination_round_trips(tmp_path, activation, output, loss, dtype):
    net = deltaprop.Network([4, 5, 3, 6, 3], activation=activation, output=output, loss=loss,
                            dtype=dtype, seed=18)
    X, Y = problem(net, output)
    path = tmp_path / "net.dpm"
    net.save(path)
    copies = {"load": deltaprop.load(path), "from_bytes": model_file.from_bytes(path.read_bytes()),
              "pickle": pickle.loads(pickle.dumps(net)), "deepcopy": copy.deepcopy(net)}
    e, G = net.error_and_gradient(X, Y)
    for how, again in copies.items():
        assert same_network(again, net), how
        e2, G2 = again.error_and_gradient(X, Y)
        assert e2 == e and all(np.array_equal(a, b) for a, b in zip(G2, G)), how
        np.testing.assert_array_equal(again.forward(X), net.forward(X), err_msg=how)
    assert model_file.to_bytes(copies["load"]) == path.read_bytes()
    if activation != "tanh" or loss != "squared_error":
        # format version 1 has no field for these: a version-1 reader must refuse the file
        assert version_of(path.read_bytes()) > 1


@pytest.mark.parametrize("activation", HIDDEN)
def test_a_network_without_hidden_layers_keeps_its_loss(tmp_path, activation):
    for output, loss in PAIRS:
        net = deltaprop.Network([3, 2], activation=activation, output=output, loss=loss, seed=2)
        net.save(tmp_path / "net.dpm")
        again = deltaprop.load(tmp_path / "net.dpm")
        assert same_network(again, net) and again.activation == ()


def test_the_loss_and_activation_change_what_is_written():
    # the same dims and weights, different choices: different files, each read back as written
    base = deltaprop.Network([3, 4, 2], seed=7)
    seen = set()
    for a in HIDDEN:
        for o, l in PAIRS:
            net = deltaprop.Network([3, 4, 2], activation=a, output=o, loss=l, seed=7)
            net.weights = base.weights
            data = model_file.to_bytes(net)
            assert data not in seen
            seen.add(data)
            assert same_network(model_file.from_bytes(data), net)


V1_FILES = [
    # file, dims, output, dtype, seed
    ("model-v1-tanh-float64.dpm", [3, 4, 3, 2], "tanh", np.float64, 1801),
    ("model-v1-identity-float32.dpm", [2, 5, 1], "identity", np.float32, 1802),
    ("model-v1-no-hidden-float64.dpm", [2, 1], "tanh", np.float64, 1803),
]


@pytest.mark.parametrize("name, dims, output, dtype, seed", V1_FILES, ids=[f[0] for f in V1_FILES])
def test_version_1_files_still_load(name, dims, output, dtype, seed):
    data = (DATA / name).read_bytes()
    assert version_of(data) == 1  # the fixture is what deltaprop wrote before issue 18
    net, extra = deltaprop.load(DATA / name, return_extra=True)
    assert net.dims == dims and net.dtype == dtype
    assert net.activation == ("tanh",) * (len(dims) - 2)
    assert (net.output, net.loss) == (output, "squared_error")
    # the weights are the seeded initial ones of that network, bit for bit
    drawn = deltaprop.Network(dims, output=output, dtype=dtype, seed=seed)
    assert [w.tobytes() for w in net.weights] == [w.tobytes() for w in drawn.weights]
    assert same_network(model_file.from_bytes(data), net)
    if name == "model-v1-tanh-float64.dpm":
        assert list(extra) == ["scaler_min"]
        np.testing.assert_array_equal(extra["scaler_min"], [-1.0, 0.0, 0.5])
        X = np.linspace(-1, 1, 12).reshape(4, 3)
        Y = np.array([[1, -1], [-1, 1], [1, 1], [-1, -1.0]])
        assert net.error(X, Y) == 2.8983699353668397  # computed when the file was written
        e_ref, _ = lecture.error_and_gradient(net.weights, X, Y, output)
        assert net.error(X, Y) == pytest.approx(e_ref, rel=1e-12)
