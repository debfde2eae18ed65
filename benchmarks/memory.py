"""Peak memory of one gradient evaluation and of a fit: deltaprop's grows with the data alone.

Usage::

    python benchmarks/memory.py                       # N = 1e5 and 1e6, network 2-10-1
    python benchmarks/memory.py --sizes 100000,1000000,3000000 --dims 2,10,1

Each measurement runs in a fresh subprocess, so one peak does not hide another: the child makes
X and Y in place (no temporaries), evaluates the gradient once on a small slice (libraries, the
thread pool and the per-block buffers come into being), reads its resident set size, then
evaluates ``error_and_gradient`` on all N rows and reads its peak resident set size. deltaprop
works through fixed-size row blocks, so the extra memory of the evaluation must not depend on
N: from one N to the next the peak grows by the data alone. ``deltaprop fit`` does the same
with ``net.fit(X, Y, method="gd", iterations=10)`` instead of one evaluation: the whole training
call, its conversion of the arrays and its recorded E_in included (issue 21: the peak within 10%
of the data's own size plus a constant). The numpy reference, which holds every layer's
activations for all N rows, is measured beside it for contrast.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
from typing import Dict, List

MB = 2 ** 20
IMPLS = ("deltaprop", "deltaprop fit", "numpy")


def _status(field: str) -> int:
    """A ``kB`` field of /proc/self/status (Linux), in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field} (this script needs Linux)")


def current_rss() -> int:
    """Resident set size now, in bytes."""
    return _status("VmRSS")


def peak_rss() -> int:
    """Peak resident set size so far (the high-water mark), in bytes."""
    return _status("VmHWM")


def child(impl: str, n: int, dims: List[int]) -> Dict[str, float]:
    import numpy as np

    rng = np.random.default_rng(0)
    X = np.empty((n, dims[0]))
    Y = np.empty((n, dims[-1]))
    for a in (X, Y):  # in place: a temporary here would raise the peak before the evaluation
        rng.random(out=a)
        a *= 2
        a -= 1
    if impl == "deltaprop":
        import deltaprop
        net = deltaprop.Network(dims, seed=0)
        evaluate = net.error_and_gradient
    elif impl == "deltaprop fit":
        import deltaprop
        net = deltaprop.Network(dims, seed=0)

        def evaluate(X, Y):
            return net.fit(X, Y, method="gd", lr=0.01, iterations=10, progress=False)
    else:
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        import deltaprop
        import numpy_reference as npref
        weights = [w.copy() for w in deltaprop.Network(dims, seed=0).weights]

        def evaluate(X, Y):
            return npref.error_and_gradient(weights, X, Y)
    evaluate(X[:1000], Y[:1000])
    before = current_rss()
    peak_before = peak_rss()
    evaluate(X, Y)
    return {"impl": impl, "n": n, "data": X.nbytes + Y.nbytes, "before": before,
            "peak_before": peak_before, "peak": peak_rss()}


def measure(impl: str, n: int, dims: List[int]) -> Dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", impl, "--sizes", str(n),
                          "--dims", ",".join(map(str, dims))],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated N (default 1e5,1e6)")
    parser.add_argument("--dims", default="2,10,1", help="the network, e.g. 2,10,1")
    parser.add_argument("--json", type=pathlib.Path, help="also write the measurements here")
    parser.add_argument("--child", choices=IMPLS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        sizes = [int(float(s)) for s in args.sizes.split(",")]
        dims = [int(d) for d in args.dims.split(",")]
    except ValueError:
        parser.error("--sizes and --dims take comma-separated integers")
    if args.child:
        print(json.dumps(child(args.child, sizes[0], dims)))
        return 0

    print(f"peak RSS of one error_and_gradient (a fit of 10 GD steps for 'deltaprop fit'), network "
          f"{'-'.join(map(str, dims))}, float64, each in a fresh process (MiB)")
    print(f"  {'impl':<14}{'N':>9}{'data':>9}{'RSS before':>12}{'peak':>9}{'extra':>9}"
          f"{'Δpeak':>9}{'Δdata':>9}")
    rows = []
    for impl in IMPLS:
        previous = None
        for n in sizes:
            r = measure(impl, n, dims)
            rows.append(r)
            # extra = what the evaluation added on top of the data and the libraries
            extra = r["peak"] - max(r["before"], r["peak_before"])
            grow = (f"{(r['peak'] - previous['peak']) / MB:>9.1f}{(r['data'] - previous['data']) / MB:>9.1f}"
                    if previous else "")
            print(f"  {impl:<14}{n:>9.0e}{r['data'] / MB:>9.1f}{r['before'] / MB:>12.1f}"
                  f"{r['peak'] / MB:>9.1f}{extra / MB:>9.1f}{grow}")
            previous = r
    print("extra = peak during the evaluation − RSS before it; Δ = change from the previous N.")
    for impl in IMPLS[:2]:
        dp = [r for r in rows if r["impl"] == impl]
        if len(dp) >= 2:
            d_peak, d_data = dp[-1]["peak"] - dp[0]["peak"], dp[-1]["data"] - dp[0]["data"]
            print(f"{impl}: peak grew {d_peak / MB:.1f} MiB for {d_data / MB:.1f} MiB more data "
                  f"({d_peak / d_data:.2f}× the data growth; issue 21's target ≤ 1.10×)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
