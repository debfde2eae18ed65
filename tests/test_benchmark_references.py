"""The benchmark references compute what deltaprop computes, so the speed comparison is fair.

benchmarks/numpy_reference.py and benchmarks/torch_reference.py must give the same E_in and
gradient as deltaprop (float64, to 1e-12) and the same updates for GD, SGD and mini-batches,
for every hidden θ and output/loss pair the benchmarks use (issue 18: relu and logistic hidden
layers, softmax with cross-entropy; logistic outputs too). The torch part is skipped when torch
is not installed (it is never a test dependency).
"""

import pathlib
import sys

import numpy as np
import pytest

import deltaprop

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
import numpy_reference as npref  # noqa: E402
import torch_reference as tref  # noqa: E402

needs_torch = pytest.mark.skipif(not tref.available(), reason="torch is not installed")
TOL = dict(rtol=1e-12, atol=1e-12)
CASES = [([3, 5, 4, 2], "tanh"), ([2, 10, 1], "tanh"), ([4, 6, 3], "identity")]
# (dims, hidden θ, output θ, loss): issue 18's parts, the benchmarks' variants among them
PARTS = [([3, 5, 4, 2], "relu", "tanh", "squared_error"),
         ([3, 5, 4, 2], "logistic", "tanh", "squared_error"),
         ([3, 5, 4, 2], ["relu", "logistic"], "identity", "squared_error"),
         ([4, 6, 3], "identity", "logistic", "squared_error"),
         ([4, 6, 3], "tanh", "softmax", "cross_entropy"),
         ([3, 5, 4, 3], ["logistic", "relu"], "softmax", "cross_entropy"),
         ([4, 6, 3], "relu", "logistic", "cross_entropy")]
PART_IDS = [f"{'+'.join([a] if isinstance(a, str) else a)}-{o}-{l}" for _, a, o, l in PARTS]


def targets(rng, output, loss, n, d):
    """Targets the pair takes: rows of probabilities for softmax, [0, 1] for logistic
    cross-entropy, [-1, 1] otherwise."""
    if output == "softmax":
        return rng.dirichlet(np.ones(d), size=n)
    if loss == "cross_entropy":
        return rng.uniform(0, 1, size=(n, d))
    return rng.uniform(-1, 1, size=(n, d))


def problem(dims, output, n=17, seed=0, activation="tanh", loss=None):
    rng = np.random.default_rng(seed)
    parts = {} if activation == "tanh" and loss is None else {"activation": activation, "loss": loss}
    net = deltaprop.Network(dims, output=output, seed=seed, **parts)
    X = rng.uniform(-1, 1, size=(n, dims[0]))
    Y = targets(rng, output, net.loss if hasattr(net, "loss") else "squared_error", n, dims[-1])
    return net, X, Y


def parts_problem(dims, activation, output, loss, **kwargs):
    return problem(dims, output, activation=activation, loss=loss, **kwargs)


def copy_weights(net):
    return [w.copy() for w in net.weights]


def assert_same(e_ref, g_ref, e_dp, g_dp):
    np.testing.assert_allclose(e_ref, e_dp, **TOL)
    assert len(g_ref) == len(g_dp)
    for a, b in zip(g_ref, g_dp):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, **TOL)


@pytest.mark.parametrize("dims,output", CASES)
def test_numpy_error_and_gradient_match_deltaprop(dims, output):
    net, X, Y = problem(dims, output)
    e, g = npref.error_and_gradient(copy_weights(net), X, Y, output)
    assert_same(e, g, *net.error_and_gradient(X, Y))


@pytest.mark.parametrize("dims,output", CASES)
def test_numpy_forward_matches_deltaprop(dims, output):
    net, X, _ = problem(dims, output)
    np.testing.assert_allclose(npref.forward(copy_weights(net), X, output)[-1], net.forward(X), **TOL)


@pytest.mark.parametrize("dims,activation,output,loss", PARTS, ids=PART_IDS)
def test_numpy_error_and_gradient_match_deltaprop_for_every_part(dims, activation, output, loss):
    net, X, Y = parts_problem(dims, activation, output, loss)
    e, g = npref.error_and_gradient(copy_weights(net), X, Y, output, activation, loss)
    assert_same(e, g, *net.error_and_gradient(X, Y))
    np.testing.assert_allclose(npref.forward(copy_weights(net), X, output, activation)[-1],
                               net.forward(X), **TOL)


def test_numpy_cross_entropy_stays_finite_at_large_signals():
    # As deltaprop, from the signals: h rounds to 0 and 1 at s = ±1000, E and G stay finite.
    for output in ("softmax", "logistic"):
        net, X, Y = parts_problem([4, 6, 3], "tanh", output, "cross_entropy", n=5)
        W = copy_weights(net)
        W[-1][0] = [1000.0, -1000.0, 0.0]
        e, g = npref.error_and_gradient(W, X, Y, output, "tanh", "cross_entropy")
        assert np.isfinite(e) and all(np.isfinite(x).all() for x in g)
        net.set_flat_weights(np.concatenate([w.ravel() for w in W]))
        assert_same(e, g, *net.error_and_gradient(X, Y))


def test_numpy_minibatch_with_parts_is_gd_steps_on_the_batches():
    # G's work: mini-batches with softmax and cross-entropy (and a relu layer), as GD steps.
    dims = [3, 5, 4, 3]
    net, X, Y = parts_problem(dims, ["relu", "logistic"], "softmax", "cross_entropy")
    order = np.random.default_rng(1).permutation(len(X))
    W = copy_weights(net)
    npref.minibatch_epoch(W, X, Y, 0.2, 4, order, "softmax", ["relu", "logistic"])
    for start in range(0, len(X), 4):
        rows = order[start:start + 4]
        net.gd_step(X[rows], Y[rows], 0.2)
    for a, b in zip(W, net.weights):
        np.testing.assert_allclose(a, b, **TOL)


def test_numpy_gradient_is_not_trivially_equal():
    # The comparison can fail: changing one weight changes the reference's gradient.
    net, X, Y = problem([3, 5, 4, 2], "tanh")
    W = copy_weights(net)
    W[0][1, 2] += 1e-3
    _, g = npref.error_and_gradient(W, X, Y)
    _, g_dp = net.error_and_gradient(X, Y)
    assert not np.allclose(g[0], g_dp[0], rtol=1e-12, atol=1e-12)


def test_numpy_gd_matches_deltaprop_gd_steps():
    net, X, Y = problem([3, 5, 4, 2], "tanh")
    W = copy_weights(net)
    npref.gd(W, X, Y, lr=0.3, iterations=5)
    for _ in range(5):
        net.gd_step(X, Y, 0.3)
    for a, b in zip(W, net.weights):
        np.testing.assert_allclose(a, b, **TOL)


def test_numpy_sgd_and_minibatch_are_gd_steps_on_the_chosen_points():
    # An SGD update is a GD step on one point; a mini-batch update a GD step on its batch.
    net, X, Y = problem([3, 5, 4, 2], "tanh")
    order = np.random.default_rng(1).permutation(len(X))
    W = copy_weights(net)
    npref.sgd(W, X, Y, 0.2, order)
    W_batches = copy_weights(net)
    npref.minibatch_epoch(W_batches, X, Y, 0.2, 4, order)
    batches = deltaprop.Network([3, 5, 4, 2], seed=0)
    for n in order:
        net.gd_step(X[n:n + 1], Y[n:n + 1], 0.2)
    for start in range(0, len(X), 4):
        rows = order[start:start + 4]
        batches.gd_step(X[rows], Y[rows], 0.2)
    for a, b in zip(W, net.weights):
        np.testing.assert_allclose(a, b, **TOL)
    for a, b in zip(W_batches, batches.weights):
        np.testing.assert_allclose(a, b, **TOL)


def test_numpy_reference_keeps_float32():
    net, X, Y = problem([3, 5, 2], "tanh")
    W = [w.astype(np.float32) for w in net.weights]
    e, g = npref.error_and_gradient(W, X.astype(np.float32), Y.astype(np.float32))
    assert all(x.dtype == np.float32 for x in g)
    e64, g64 = net.error_and_gradient(X, Y)
    np.testing.assert_allclose(e, e64, rtol=1e-5)
    for a, b in zip(g, g64):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@needs_torch
@pytest.mark.parametrize("dims,output", CASES)
def test_torch_error_and_gradient_match_deltaprop(dims, output):
    net, X, Y = problem(dims, output)
    tnet = tref.TorchNetwork(copy_weights(net), output)
    for a, b in zip(tnet.weights(), net.weights):
        np.testing.assert_array_equal(a, b)
    e, g = tnet.error_and_gradient(X, Y)
    assert_same(e, g, *net.error_and_gradient(X, Y))


@needs_torch
@pytest.mark.parametrize("dims,activation,output,loss", PARTS, ids=PART_IDS)
def test_torch_error_and_gradient_match_deltaprop_for_every_part(dims, activation, output, loss):
    net, X, Y = parts_problem(dims, activation, output, loss)
    tnet = tref.TorchNetwork(copy_weights(net), output, activation=activation, loss=loss)
    e, g = tnet.error_and_gradient(X, Y)
    assert_same(e, g, *net.error_and_gradient(X, Y))
    np.testing.assert_allclose(tnet.forward(X), net.forward(X), **TOL)


@needs_torch
def test_torch_softmax_with_labels_is_the_same_loss():
    # The benchmark passes one-hot targets to cross_entropy as class indices: same E and G.
    net, X, _ = parts_problem([4, 6, 3], "relu", "softmax", "cross_entropy")
    Y = np.eye(3)[np.random.default_rng(3).integers(0, 3, len(X))]
    tnet = tref.TorchNetwork(copy_weights(net), "softmax", activation="relu")
    assert tnet.targets(Y).dtype == tref._torch().int64
    assert_same(*tnet.error_and_gradient(X, Y), *net.error_and_gradient(X, Y))


@needs_torch
def test_torch_minibatch_with_parts_matches_deltaprop():
    dims = [3, 5, 4, 3]
    net, X, Y = parts_problem(dims, ["relu", "logistic"], "softmax", "cross_entropy")
    Y = np.eye(3)[np.argmax(Y, axis=1)]  # labels, as in G
    order = np.random.default_rng(2).permutation(len(X))
    tnet = tref.TorchNetwork(copy_weights(net), "softmax", lr=0.2, activation=["relu", "logistic"])
    tnet.minibatch_epoch(tnet.tensor(X), tnet.targets(Y), 4, order)
    for start in range(0, len(X), 4):
        rows = order[start:start + 4]
        net.gd_step(X[rows], Y[rows], 0.2)
    for a, b in zip(tnet.weights(), net.weights):
        np.testing.assert_allclose(a, b, **TOL)


@needs_torch
def test_torch_updates_match_deltaprop():
    net, X, Y = problem([3, 5, 4, 2], "tanh")
    order = np.random.default_rng(2).permutation(len(X))
    gd_net = tref.TorchNetwork(copy_weights(net), "tanh", lr=0.3)
    sgd_net = tref.TorchNetwork(copy_weights(net), "tanh", lr=0.2)
    batch_net = tref.TorchNetwork(copy_weights(net), "tanh", lr=0.2)
    Xt, Yt = gd_net.tensor(X), gd_net.tensor(Y)
    gd_net.gd(Xt, Yt, 5)
    sgd_net.sgd(Xt, Yt, order)
    batch_net.minibatch_epoch(Xt, Yt, 4, order)

    gd = deltaprop.Network([3, 5, 4, 2], seed=0)
    for _ in range(5):
        gd.gd_step(X, Y, 0.3)
    sgd = deltaprop.Network([3, 5, 4, 2], seed=0)
    for n in order:
        sgd.gd_step(X[n:n + 1], Y[n:n + 1], 0.2)
    batches = deltaprop.Network([3, 5, 4, 2], seed=0)
    for start in range(0, len(X), 4):
        rows = order[start:start + 4]
        batches.gd_step(X[rows], Y[rows], 0.2)
    for tn, dn in ((gd_net, gd), (sgd_net, sgd), (batch_net, batches)):
        for a, b in zip(tn.weights(), dn.weights):
            np.testing.assert_allclose(a, b, **TOL)


@pytest.mark.slow
def test_benchmark_script_runs_and_reports_every_implementation(tmp_path):
    # A smoke run of benchmarks/run.py on two small workloads: it must finish, time deltaprop
    # and numpy in both dtypes and thread counts, and write a JSON with the targets checked.
    import json
    import subprocess

    script = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
    out = tmp_path / "bench.json"
    subprocess.run([sys.executable, str(script), "--quick", "--only", "A300,B", "--no-torch",
                    "--keep-openblas-env", "--json", str(out)], check=True, capture_output=True,
                   text=True, timeout=300)
    report = json.loads(out.read_text())
    timed = {(r["workload"], r["impl"], r["dtype"], r["threads"]) for r in report["results"]
             if r["seconds"] is not None and r["seconds"] > 0}
    for workload in ("A300", "B"):
        for dtype in ("float64", "float32"):
            assert (workload, "deltaprop", dtype, 1) in timed
            assert (workload, "deltaprop", dtype, 2) in timed
            assert any(k[:3] == (workload, "numpy", dtype) for k in timed)
    assert {t["name"] for t in report["targets"]} >= {"A300 float64: deltaprop vs numpy",
                                                      "B float64: deltaprop vs numpy"}
    assert all(p["gflops"] > 0 for p in report["peak_gflops"])


def test_every_workload_runs_on_a_small_slice(tmp_path):
    # Each workload (issue 18's variants and G included) builds and runs one unit with every
    # reference on 64 points of stand-in data: its parts, targets and runners fit together.
    import dataclasses

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import run
    from workloads import data_for, load_data, workloads

    sets, stand_ins = load_data(tmp_path, n_random=64)
    assert set(stand_ins) == {"features", "zip"}
    table = workloads(quick=True)
    ids = {w.id for w in table}
    assert {"C-relu", "C-logistic", "C-softmax", "E-relu", "E-logistic", "G"} <= ids
    impls = ["deltaprop", "numpy"] + (["torch"] if tref.available() else [])
    for w in table:
        assert w.base is None or w.base in ids
        small = dataclasses.replace(w, n=64)
        for dtype in (np.float64, np.float32):
            X, Y = data_for(small, sets, dtype)
            if w.output == "softmax":
                np.testing.assert_array_equal(Y.sum(axis=1), 1)
                assert set(np.unique(Y)) == {0, 1}
            for impl in impls:
                assert run.RUNNERS[impl](small, X, Y)(1) == 1, (w.id, impl)
        net = run.new_network(w)
        assert (net.activation, net.output) == ((w.activation,) * (len(w.dims) - 2), w.output)
