"""Memory stays bounded: the data plus a fixed workspace, whatever N.

Each measurement runs in a fresh process (Linux: /proc/self/status), which makes X and y in
place, runs every operation once on a small slice (so that libraries, the thread pool and the
per-block buffers exist), and then runs them on all N rows. Its peak resident set size is read
at the end. From N = 10^5 to N = 10^6 the peak must grow by the data alone: X and y, the outputs
the calls return, and for the stochastic methods the epoch's order of the N points (8 bytes a
point), within a tolerance far below what one extra per-point buffer would cost.
"""

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")]

MB = 2**20
DIMS = [8, 8, 1]  # 72 bytes of X and y a point
SIZES = (10**5, 10**6)

CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np, deltaprop

    def status(field):
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith(field + ":"))

    group, n, dims = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    rng = np.random.default_rng(0)
    X, y = np.empty((n, dims[0])), np.empty(n)
    for a in (X, y):  # in place: a temporary would raise the peak before the calls
        rng.random(out=a)
        a -= 0.5
    net = deltaprop.Network(dims, seed=0)

    def run(X, y):
        out = []
        if group == "batch":
            out.append(net.forward(X))
            net.error(X, y)
            net.error_and_gradient(X, y)
            net.gd_step(X, y, 0.01)
            for method in ("gd", "variable_lr", "steepest", "conjugate_gradient"):
                net.fit(X, y, method=method, iterations=2)
        else:
            net.sgd_epoch(X[:20000], y[:20000], 0.01)
            for method in ("sgd", "minibatch"):  # E_in recorded at the start and the end only
                batch = {"batch_size": 64} if method == "minibatch" else {}  # sgd refuses one
                net.fit(X, y, method=method, iterations=20000, record_every=20000, **batch)
        return out

    run(X[:3000], y[:3000])  # warm up on a slice
    before = status("VmRSS")
    kept = run(X, y)
    print(json.dumps({"data": X.nbytes + y.nbytes, "returned": sum(a.nbytes for a in kept),
                      "before": before, "peak": status("VmHWM")}))
""")


def measure(group, n):
    proc = subprocess.run([sys.executable, "-c", CHILD, group, str(n), json.dumps(DIMS)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize("group,per_point_order", [("batch", 0), ("stochastic", 8)])
def test_peak_memory_grows_by_the_data_alone(group, per_point_order):
    small, large = (measure(group, n) for n in SIZES)
    grown = large["peak"] - small["peak"]
    expected = (large["data"] - small["data"] + large["returned"] - small["returned"]
                + per_point_order * (SIZES[1] - SIZES[0]))
    # one more float per point would add 7 MB here; the tolerance is a quarter of that
    tolerance = 1.75 * MB
    assert abs(grown - expected) < tolerance, (
        f"{group}: the peak grew by {grown / MB:.1f} MiB for {expected / MB:.1f} MiB of data "
        f"(N = {SIZES[0]:.0e}: {small}; N = {SIZES[1]:.0e}: {large})")


KEPT_CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np, deltaprop

    def rss():
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS:"))

    dims = json.loads(sys.argv[1])
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, dims[0])), rng.normal(size=(64, dims[-1]))
    net = deltaprop.Network(dims, seed=0)
    before = rss()
    e, G = net.error_and_gradient(X, y)
    del G
    print(json.dumps({"held": rss() - before, "weights": 8 * net.n_weights}))
""")


def test_a_large_networks_evaluator_is_freed_after_the_call():
    # Each thread keeps the evaluator of its last binding call for the next one
    # (cpp/bindings/kept_evaluator.hpp), unless its scratch passes 32 MiB. Here it is 55 MiB:
    # a 1024-row block workspace (37 MiB) and one slot of partial gradients (18 MiB), which a
    # kept evaluator would hold (measured: 54 MiB more resident after the call).
    dims = [1500, 1500, 1]
    proc = subprocess.run([sys.executable, "-c", KEPT_CHILD, json.dumps(dims)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["held"] < 24 * MB, f"{out['held'] / MB:.0f} MiB held after the call: {out}"
