"""Two builds of deltaprop side by side: the same workloads, timed in turns, in one run.

A redesign that must keep the speed (issue 16: workloads A–E within 3% of the old main) is
checked by installing the old and the new build into two virtual environments and timing both
here, interleaved repeat by repeat, so that a slow spell of a shared machine falls on both
rather than on whichever ran then. Each build runs in a worker process of its own venv (two
builds of the same extension cannot share one interpreter); the workers time the same units as
``run.py`` (``deltaprop_runner``: whole ``fit`` calls, the marginal cost of k against 2k units).

Usage (from the repository root)::

    python benchmarks/compare_builds.py OLD_VENV/bin/python NEW_VENV/bin/python \
        [--only A,C,E] [--dtypes float64,float32] [--threads 1,2] [--repeats 7]

It prints, per workload, dtype and thread count, the median time per unit of each build and
the median of the per-repeat ratios new/old (below 1 is faster), with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Tuple

HERE = pathlib.Path(__file__).resolve().parent

# The worker: reads "workload dtype threads k" lines, answers with the marginal seconds per
# unit, measured as run.py measures deltaprop (k and 2k units, the difference).
WORKER = r"""
import json, math, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import deltaprop
from workloads import data_for, load_data, workloads
import run as bench
table = {w.id: w for w in workloads()}
sets, _ = load_data(None, 8192)
runners = {}
print(json.dumps({"version": deltaprop.__version__, "file": deltaprop.__file__}), flush=True)
for line in sys.stdin:
    wid, dtype, threads, k = line.split()
    key = (wid, dtype)
    if key not in runners:
        X, Y = data_for(table[wid], sets, np.dtype(dtype))
        runners[key] = bench.deltaprop_runner(table[wid], X, Y)
    deltaprop.set_num_threads(int(threads))
    run, k = runners[key], int(k)
    t0 = time.perf_counter(); d1 = run(k); t1 = time.perf_counter()
    d2 = run(2 * k); t2 = time.perf_counter()
    marginal = ((t2 - t1) - (t1 - t0)) / (d2 - d1)
    print(json.dumps(marginal if marginal > 0 else (t2 - t1) / d2), flush=True)
"""


class Worker:
    def __init__(self, python: str) -> None:
        env = dict(os.environ)
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # as run.py drops them
            env.pop(name, None)
        self.proc = subprocess.Popen([python, "-c", WORKER, str(HERE)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)
        self.info = json.loads(self.proc.stdout.readline())

    def time(self, wid: str, dtype: str, threads: int, k: int) -> float:
        self.proc.stdin.write(f"{wid} {dtype} {threads} {k}\n")
        self.proc.stdin.flush()
        return float(json.loads(self.proc.stdout.readline()))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the python of the venv with the old build")
    parser.add_argument("new", help="the python of the venv with the new build")
    parser.add_argument("--only", default="A,A300,B,C,D,E")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.25, help="seconds per timed call")
    args = parser.parse_args()
    workers = {"old": Worker(args.old), "new": Worker(args.new)}
    for name, w in workers.items():
        print(f"{name}: deltaprop {w.info['version']} from {w.info['file']}")
    load_before = os.getloadavg()
    print(f"load average at the start: {load_before[0]:.2f} (1 min)")
    rows: List[Tuple[str, str, int, float, float, float, float]] = []
    for wid in args.only.split(","):
        for dtype in args.dtypes.split(","):
            for threads in (int(t) for t in args.threads.split(",")):
                # calibrate k on the old build: one call of k units lasts about min_time
                t = workers["old"].time(wid, dtype, threads, 1)
                workers["new"].time(wid, dtype, threads, 1)  # warm-up
                k = max(1, int(args.min_time / max(t, 1e-9)))
                times: Dict[str, List[float]] = {"old": [], "new": []}
                ratios = []
                for r in range(args.repeats):
                    order = ("old", "new") if r % 2 == 0 else ("new", "old")
                    got = {name: workers[name].time(wid, dtype, threads, k) for name in order}
                    for name in got:
                        times[name].append(got[name])
                    ratios.append(got["new"] / got["old"])
                ratios.sort()
                q1, q3 = ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]
                rows.append((wid, dtype, threads, statistics.median(times["old"]),
                             statistics.median(times["new"]), statistics.median(ratios),
                             q3 - q1))
                print(f"{wid:5} {dtype:8} {threads} thr  old {rows[-1][3] * 1e6:10.1f} µs  "
                      f"new {rows[-1][4] * 1e6:10.1f} µs  new/old {rows[-1][5]:.3f} "
                      f"(IQR {rows[-1][6]:.3f})", flush=True)
    load_after = os.getloadavg()
    print(f"load average at the end: {load_after[0]:.2f} (1 min)")
    for w in workers.values():
        w.close()
    worst = max(r[5] for r in rows)
    print(f"largest median new/old: {worst:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
