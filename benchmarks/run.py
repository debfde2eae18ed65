"""deltaprop against plain numpy and PyTorch on the workloads of issues 6 and 18, in one process.

Usage (from the repository root, with deltaprop installed)::

    python benchmarks/run.py                 # the full table (a few minutes on 2 cores)
    python benchmarks/run.py --quick         # a smoke run, well under a minute
    python benchmarks/run.py --only A,B --json out.json

For every workload (see ``workloads.py``) it times deltaprop, the numpy reference
(``numpy_reference.py``) and, when installed, the PyTorch reference (``torch_reference.py``) in
float64 and float32 with 1 and 2 threads, and prints the median seconds per epoch (per update
for SGD), GFLOP/s, the fraction of the BLAS peak, the cores actually busy (CPU time / wall time)
and the speed ratios against numpy and torch at their best thread count and the same dtype. Then
it checks the issues' targets against the numbers it measured.

Issue 18's variants of C and E (other hidden θ, softmax with cross-entropy; see workloads.py)
are timed in one group with their tanh workload, every row of the group taking turns, and the
report shows each variant's time against tanh's in the same implementation, dtype and thread
count.
"""

from __future__ import annotations

import os
import sys

# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine to protect older OpenBLAS
# builds; they slow a current one. OpenBLAS reads them when it is loaded, so they are dropped
# here, for this process only, before numpy or deltaprop is imported (unless
# --keep-openblas-env: the test suite runs this script without touching them).
_DROPPED_ENV = [] if "--keep-openblas-env" in sys.argv else [
    name for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if name in os.environ]
for _name in _DROPPED_ENV:
    del os.environ[_name]

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from typing import Callable, Dict, List, Optional, Tuple  # noqa: E402

import numpy as np  # noqa: E402

import deltaprop  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import numpy_reference as npref  # noqa: E402
import openblas  # noqa: E402
import torch_reference as tref  # noqa: E402
from workloads import Workload, data_for, load_data, workloads  # noqa: E402

DTYPES = {"float64": np.float64, "float32": np.float32}
ISSUE6 = ("A", "A300", "B", "C", "D", "E")  # the workloads of issue 6's "2 threads never slower"
IMPLEMENTATIONS = ("deltaprop", "numpy", "torch")


@dataclass
class Result:
    workload: str
    impl: str
    dtype: str
    threads: int
    seconds: float  # median seconds per unit (epoch, or update for SGD)
    unit: str
    gflops: float
    peak_fraction: float  # of the BLAS peak at the same thread count and dtype
    cores: float  # CPU time / wall time while timing
    note: str = ""
    samples: List[float] = field(default_factory=list)  # seconds per unit, repeat by repeat


# --- timing --------------------------------------------------------------------------------
Key = Tuple[str, str, str, int]  # (workload, implementation, dtype name, threads; 0 where not settable)

SETTLE_SECONDS = 0.2  # after another implementation's run: its idle threads stop spinning


def measure(runs: Dict[Key, Callable[[int], int]], prepare: Callable[[Key], None],
            min_time: float, repeats: int) -> Tuple[Dict[Key, tuple], Dict[Key, str]]:
    """``({key: (seconds per unit in each repeat, busy cores)}, {key: why it failed})`` of each
    ``runs[key](k)``, which does about k units and returns how many it did; ``prepare(key)``
    sets its thread count. The runs may belong to several workloads (a tanh workload and its
    variants): all of them take turns. Each repeat lasts at least ``min_time``; warm-ups come first. A run
    that diverges (DivergenceError) is dropped with the reason.

    A unit's time is the marginal cost: each repeat times k and 2k units and divides the
    difference of the times by the difference of the units, so what a call costs once
    (deltaprop's ``fit`` records E_in at its last iteration, a forward pass over all N; Python's
    call overhead) is not charged to the units, for any implementation alike.

    Every implementation, dtype and thread count of a workload takes turns, repeat by repeat,
    so a slow spell of the machine (a shared host, whose speed drifts by 20% over tens of
    seconds) falls on all of them rather than on whichever was timed then: the ratios between
    them are what the targets are about. Before an implementation runs after another one, the
    script waits SETTLE_SECONDS, so that the other's idle threads (OpenBLAS's and OpenMP's spin
    for a while after their work) have stopped competing for the cores."""
    def timed(run, k):
        wall, cpu = time.perf_counter(), time.process_time()
        done = run(k)
        return time.perf_counter() - wall, time.process_time() - cpu, done

    last_impl = [None]

    def switch_to(key):
        if last_impl[0] is not None and last_impl[0] != key[1]:
            time.sleep(SETTLE_SECONDS)
        last_impl[0] = key[1]
        prepare(key)

    failed: Dict[Key, str] = {}
    ks = {}
    for key, run in runs.items():
        switch_to(key)
        try:
            t, _, done = timed(run, 1)  # warm-up: first-call allocations, thread start-up
            k = max(1, math.ceil(min_time / max(t / done, 1e-9) / 4))
            t, _, done = timed(run, k)  # second estimate, past the first-call costs
        except deltaprop.DivergenceError as exc:  # pragma: no cover - the lr are small
            failed[key] = f"diverged: {exc}"
            continue
        ks[key] = max(1, math.ceil(min_time / max(t / done, 1e-9)))
    per_unit = {key: [] for key in ks}
    busy = {key: [] for key in ks}
    for _ in range(repeats):
        for key, run in runs.items():
            if key in failed:
                continue
            switch_to(key)
            try:
                t1, c1, done1 = timed(run, ks[key])
                t2, c2, done2 = timed(run, 2 * ks[key])
            except deltaprop.DivergenceError as exc:  # pragma: no cover
                failed[key] = f"diverged: {exc}"
                continue
            marginal = (t2 - t1) / (done2 - done1) if done2 > done1 else t2 / done2
            per_unit[key].append(marginal if marginal > 0 else t2 / done2)  # noise can invert a tiny gap
            busy[key].append((c1 + c2) / (t1 + t2))
        print(".", end="", flush=True)
    return ({key: (per_unit[key], float(np.median(busy[key])))
             for key in ks if key not in failed}, failed)


# --- the three implementations: each returns run(k) -> units done -------------------------
def new_network(w: Workload, dtype=np.float64) -> "deltaprop.Network":
    """deltaprop's network of the workload, seed 0: every side starts from its weights."""
    parts = {} if (w.activation, w.output) == ("tanh", "tanh") else {
        "activation": w.activation, "output": w.output}  # a core before issue 18 has tanh only
    return deltaprop.Network(list(w.dims), dtype=dtype, seed=0, **parts)


def starting_weights(w: Workload, dtype) -> List[np.ndarray]:
    return [wt.astype(dtype) for wt in new_network(w).weights]


def deltaprop_runner(w: Workload, X: np.ndarray, Y: np.ndarray) -> Optional[Callable[[int], int]]:
    net = new_network(w, X.dtype)
    if hasattr(net, "fit"):  # whole loops in C++: Python is not on the per-step path
        method = {"gd": "gd", "sgd": "sgd", "minibatch": "minibatch"}[w.update]
        per_unit = 1 if w.update == "sgd" else w.updates_per_epoch

        def run(k):
            its = k * per_unit
            batch = {"batch_size": w.batch_size} if method == "minibatch" else {}
            net.fit(X, Y, method=method, lr=w.lr, iterations=its, record_every=its,
                    progress=False, **batch)
            return k
        return run
    if w.update == "gd":
        def run(k):
            for _ in range(k):
                net.gd_step(X, Y, w.lr)
            return k
        return run
    if w.update == "sgd":
        def run(k):
            epochs = math.ceil(k / w.n)
            for e in range(epochs):
                net.sgd_epoch(X, Y, w.lr, seed=e)
            return epochs * w.n
        return run
    return None  # mini-batches need fit()


def numpy_runner(w: Workload, X: np.ndarray, Y: np.ndarray) -> Callable[[int], int]:
    weights = starting_weights(w, X.dtype)
    rng = np.random.default_rng(0)
    parts = dict(output=w.output, activation=w.activation, loss=w.loss)
    if w.update == "gd":
        return lambda k: (npref.gd(weights, X, Y, w.lr, k, **parts), k)[1]
    if w.update == "sgd":
        order = rng.permutation(w.n)
        return lambda k: (npref.sgd(weights, X, Y, w.lr, np.resize(order, k), **parts), k)[1]

    def run(k):
        for _ in range(k):
            npref.minibatch_epoch(weights, X, Y, w.lr, w.batch_size, rng.permutation(w.n), **parts)
        return k
    return run


def torch_runner(w: Workload, X: np.ndarray, Y: np.ndarray) -> Callable[[int], int]:
    net = tref.TorchNetwork(starting_weights(w, X.dtype), w.output, lr=w.lr,
                            activation=w.activation, loss=w.loss)
    Xt, Yt = net.tensor(X), net.targets(Y)  # softmax: class indices, as cross_entropy takes labels
    rng = np.random.default_rng(0)
    if w.update == "gd":
        return lambda k: (net.gd(Xt, Yt, k), k)[1]
    if w.update == "sgd":
        order = rng.permutation(w.n)
        return lambda k: (net.sgd(Xt, Yt, np.resize(order, k)), k)[1]

    def run(k):
        for _ in range(k):
            net.minibatch_epoch(Xt, Yt, w.batch_size, rng.permutation(w.n))
        return k
    return run


class ThreadControl:
    """Sets the thread count of one implementation, and restores every count at the end."""

    def __init__(self) -> None:
        self.dp_before = deltaprop.get_num_threads()
        self.numpy_blas = []
        try:  # numpy's own OpenBLAS, not the scipy-openblas32 that deltaprop links
            from threadpoolctl import ThreadpoolController
            self.numpy_blas = [lib for lib in ThreadpoolController().lib_controllers
                               if lib.internal_api == "openblas" and "scipy_openblas32" not in lib.filepath]
        except ImportError:
            pass
        self.numpy_before = [lib.num_threads for lib in self.numpy_blas]
        self.torch_before = tref._torch().get_num_threads() if tref.available() else None

    def can_set(self, impl: str) -> bool:
        return impl != "numpy" or bool(self.numpy_blas)

    def set(self, impl: str, n: int) -> None:
        if impl == "deltaprop":
            deltaprop.set_num_threads(n)
        elif impl == "numpy":
            for lib in self.numpy_blas:
                lib.set_num_threads(n)
        else:
            tref.set_num_threads(n)

    def restore(self) -> None:
        deltaprop.set_num_threads(self.dp_before)
        for lib, n in zip(self.numpy_blas, self.numpy_before):
            lib.set_num_threads(n)
        if self.torch_before is not None:
            tref.set_num_threads(self.torch_before)


RUNNERS = {"deltaprop": deltaprop_runner, "numpy": numpy_runner, "torch": torch_runner}


def run_group(group: List[Workload], sets, impls: List[str], threads: List[int],
              control: ThreadControl, min_time: float, repeats: int) -> List[Result]:
    """The rows of the workloads of one group (a workload and its variants), timed together:
    in each repeat the rows of one implementation, dtype and thread count follow each other
    workload by workload, so a variant and its tanh workload are timed seconds apart. Their
    peak_fraction is filled in by with_peak_fractions."""
    unavailable = {}
    runs = {}
    for impl in impls:
        for dname, dtype in DTYPES.items():
            for n in (threads if control.can_set(impl) else [0]):
                for w in group:
                    X, Y = data_for(w, sets, dtype)
                    if n:
                        control.set(impl, n)
                    run = RUNNERS[impl](w, X, Y)
                    if run is None:
                        unavailable[(w.id, impl, dname, n)] = "not available (needs Network.fit)"
                    else:
                        runs[(w.id, impl, dname, n)] = run
    timings, failed = measure(runs, lambda key: control.set(key[1], key[3]) if key[3] else None,
                              min_time, repeats)
    failed.update(unavailable)
    results = []
    for w in group:  # in the table's order
        for impl in impls:
            for dname in DTYPES:
                for n in (threads if control.can_set(impl) else [0]):
                    key = (w.id, impl, dname, n)
                    if key in failed:
                        results.append(Result(w.id, impl, dname, n, math.nan, w.unit, math.nan,
                                              math.nan, math.nan, failed[key]))
                        continue
                    samples, cores = timings[key]
                    seconds = float(np.median(samples))
                    gflops = w.flops_per_unit() / seconds / 1e9
                    results.append(Result(w.id, impl, dname, n, seconds, w.unit, gflops, math.nan,
                                          cores, samples=samples))
    return results


def with_peak_fractions(results: List[Result], peaks: Dict) -> None:
    """Each row's GFLOP/s as a fraction of the BLAS peak at its dtype and thread count (the
    best count where its own was not timed)."""
    for r in results:
        peak = peaks.get((r.dtype, r.threads)) or max(
            (v for (d, _), v in peaks.items() if d == r.dtype), default=math.nan)
        r.peak_fraction = r.gflops / peak


class OtherLoad:
    """How many cores other processes kept busy while we timed: busy CPU time of the whole
    machine (/proc/stat, steal included) minus this process's own, over the wall time. Timings
    taken while it is well above 0 are not worth recording (2 cores are easily shared)."""

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample():
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        busy = (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # user..steal, no guest
        return busy, time.process_time(), time.perf_counter()

    def cores(self) -> float:
        """Cores used by other processes since construction (NaN where /proc/stat is missing)."""
        end = self._sample()
        if self.start is None or end is None:
            return math.nan
        (b0, c0, w0), (b1, c1, w1) = self.start, end
        return max(0.0, ((b1 - b0) - (c1 - c0)) / (w1 - w0))


class BusyLoop:
    """--loaded: a busy background process, a pure-Python loop that keeps one core busy as a
    browser or a second notebook would (not pinned to a core: the system places it). ``cores()``
    is the CPU time it used since the last ``mark()`` over the wall time (from /proc)."""

    def __init__(self) -> None:
        import subprocess
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.5)  # running before the first timing
        self.mark()

    def _cpu(self) -> float:
        try:
            with open(f"/proc/{self.process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        except (OSError, ValueError, IndexError):
            return math.nan

    def mark(self) -> None:
        self.start = (self._cpu(), time.perf_counter())

    def cores(self) -> float:
        (c0, w0), c1, w1 = self.start, self._cpu(), time.perf_counter()
        return (c1 - c0) / (w1 - w0)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


QUIET = 0.1  # cores used by other processes below which a timing counts as undisturbed


def wait_until_quiet(seconds: float) -> bool:
    """Wait up to ``seconds`` until other processes have used under 0.05 cores for 3 s."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        load = OtherLoad()
        time.sleep(3)
        if load.cores() < 0.05:
            return True
    return False


def quietly(measure_all: Callable, wait: float, what: str,
            busy: Optional[BusyLoop] = None) -> tuple:
    """``(measure_all(), cores other processes used meanwhile, cores the busy loop used)``;
    with ``busy`` (--loaded), "other processes" leaves out the busy loop. With ``wait`` > 0,
    first wait for a quiet machine, and measure again (at most twice more) when the run was
    disturbed, keeping the least disturbed of the attempts (on a host that stays busy, the last
    one is no better than the first)."""
    kept = None
    for attempt in range(3 if wait > 0 else 1):
        if wait > 0 and not wait_until_quiet(wait):
            print(f"[{what}: the machine did not become quiet within {wait:g} s]", end="", flush=True)
        load = OtherLoad()
        if busy:
            busy.mark()
        out = measure_all()
        other = load.cores()
        busy_cores = busy.cores() if busy else 0.0
        other = max(0.0, other - busy_cores) if busy else other
        if kept is None or other < kept[1]:
            kept = (out, other, busy_cores)
        if not other >= QUIET:  # NaN (no /proc/stat) counts as quiet: nothing to retry on
            break
        if wait > 0 and attempt < 2:
            print(f"[{what}: disturbed ({other:.2f} cores), again]", end="", flush=True)
    return kept


# --- reporting -----------------------------------------------------------------------------
def fmt_time(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "n/a"
    for scale, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def best(results: List[Result], workload: str, impl: str, dtype: str) -> Optional[Result]:
    """The fastest thread count of one implementation on one workload and dtype."""
    rows = [r for r in results if (r.workload, r.impl, r.dtype) == (workload, impl, dtype)
            and math.isfinite(r.seconds)]
    return min(rows, key=lambda r: r.seconds) if rows else None


def paired_ratio(slow: Result, fast: Result) -> float:
    """How many times faster `fast` ran than `slow`: the median over the repeats of the ratio
    of their times in the same repeat. measure() times every row of a workload once per repeat,
    so the two times of a pair are seconds apart, and a slow spell of the host that spans a
    repeat slows both; the ratio of the two medians would mix times from different spells. It
    does not remove the noise within a repeat: rows of identical code (deltaprop's A300 and E at
    1 and 2 threads) still came out 0.73–1.18× apart on the shared host. The ratio of the
    medians where the repeats do not pair up."""
    if slow.samples and len(slow.samples) == len(fast.samples):
        return float(np.median([s / f for s, f in zip(slow.samples, fast.samples)]))
    return slow.seconds / fast.seconds


def ratio(results, workload, dtype, slow_impl, fast: Result) -> float:
    other = best(results, workload, slow_impl, dtype)
    return paired_ratio(other, fast) if other else math.nan


def print_table(w: Workload, results: List[Result], note: str) -> None:
    rows = [r for r in results if r.workload == w.id]
    print(f"\n{w.id}: {w.description}  [{note}]")
    per = "update" if w.unit == "update" else "epoch"
    extra = "   2e6 its" if w.id == "A300" else ""
    print(f"  {'impl':<10}{'dtype':<9}{'thr':>3}  {'per ' + per:>11}{'GFLOP/s':>9}{'%peak':>7}"
          f"{'cores':>6}{'×numpy':>8}{'×torch':>8}{extra}")
    for r in rows:
        thr = str(r.threads) if r.threads else "def"
        if not math.isfinite(r.seconds):
            print(f"  {r.impl:<10}{r.dtype:<9}{thr:>3}  {r.note}")
            continue
        vs_np = ratio(results, w.id, r.dtype, "numpy", r)
        vs_t = ratio(results, w.id, r.dtype, "torch", r)
        times = [f"{v:>7.2f}×" if math.isfinite(v) else f"{'–':>8}" for v in (vs_np, vs_t)]
        line = (f"  {r.impl:<10}{r.dtype:<9}{thr:>3}  {fmt_time(r.seconds):>11}{r.gflops:>9.3g}"
                f"{100 * r.peak_fraction:>6.1f}%{r.cores:>6.2f}{times[0]}{times[1]}")
        if w.id == "A300":
            line += f"  {fmt_time(2e6 * r.seconds):>8}"
        print(line)
    if w.id == "A300":
        print("  2e6 its: the course assignment's 2×10⁶ iterations, projected from the time per epoch")


def against_base(results: List[Result], variant: Result, base_id: str) -> float:
    """The variant row's time over its base workload's (same implementation, dtype and thread
    count), as the median of the per-repeat ratios; NaN when the base was not timed."""
    for r in results:
        if (r.workload, r.impl, r.dtype, r.threads) == (base_id, variant.impl, variant.dtype,
                                                        variant.threads) and math.isfinite(r.seconds):
            return paired_ratio(variant, r)
    return math.nan


def print_against_tanh(table: List[Workload], results: List[Result], ids: List[str]) -> None:
    """Issue 18's comparison: each variant's time against its tanh workload's, row by row."""
    variants = [w for w in table if w.base and w.id in ids and w.base in ids]
    if not variants:
        return
    columns = sorted({(r.dtype, r.threads) for r in results if r.workload in ids},
                     key=lambda c: (list(DTYPES).index(c[0]), c[1]))
    print("\nAgainst tanh (issue 18): time of the variant / time of its tanh workload, same "
          "implementation, dtype and\nthreads, timed in turns (median of the per-repeat ratios; "
          "target for deltaprop ≤ 1.10)")
    heads = "".join(f"{d.replace('float', 'f')} {n or 'def'}thr".rjust(11) for d, n in columns)
    print(f"  {'workload':<12}{'vs':<4}{'impl':<10}{heads}")
    for w in variants:
        for impl in IMPLEMENTATIONS:
            cells = []
            for d, n in columns:
                row = next((r for r in results if math.isfinite(r.seconds)
                            and (r.workload, r.impl, r.dtype, r.threads) == (w.id, impl, d, n)), None)
                v = against_base(results, row, w.base) if row else math.nan
                cells.append(f"{v:>10.3f}×" if math.isfinite(v) else f"{'–':>11}")
            if any(c.strip() != "–" for c in cells):
                print(f"  {w.id:<12}{w.base:<4}{impl:<10}{''.join(cells)}")


@dataclass
class Target:
    name: str
    measured: float
    threshold: float
    holds: Optional[bool]
    detail: str
    at_most: bool = False  # the measured value must not exceed the threshold


def check_targets(results: List[Result], peaks: Dict, ids: List[str],
                  table: Optional[List[Workload]] = None, loaded: int = 0) -> List[Target]:
    """The issues' targets, each side at its best thread count and the same dtype. With
    ``loaded`` (the default thread count of a --loaded run), the speed targets are those of
    issue 21 under load: the default thread count at least as fast as one thread on every
    workload (a 5% margin for timing noise); the quiet machine's thread targets do not apply."""
    targets = []

    def add(name, measured, threshold, detail, at_most=False):
        holds = (None if not math.isfinite(measured)
                 else measured <= threshold if at_most else measured >= threshold)
        targets.append(Target(name, measured, threshold, holds, detail, at_most))

    best_peak = {d: max((v for (dd, _), v in peaks.items() if dd == d), default=math.nan) for d in DTYPES}
    for dname in DTYPES:
        def dp(wid):
            return best(results, wid, "deltaprop", dname)

        for wid, vs_numpy, vs_torch in (("A", 15, 10), ("A300", 15, 10), ("B", 100, 900),
                                        ("C", None, 2), ("D", None, 1.1), ("E", None, 3)):
            if wid not in ids or dp(wid) is None:
                continue
            if vs_numpy:
                add(f"{wid} {dname}: deltaprop vs numpy", ratio(results, wid, dname, "numpy", dp(wid)),
                    vs_numpy, "× faster")
            add(f"{wid} {dname}: deltaprop vs torch", ratio(results, wid, dname, "torch", dp(wid)),
                vs_torch, "× faster")
        for wid, fraction in (("C", 0.80), ("D", 0.85), ("W", 0.75)):
            if wid in ids and dp(wid) is not None:
                add(f"{wid} {dname}: fraction of the BLAS peak", dp(wid).gflops / best_peak[dname],
                    fraction, f"of {best_peak[dname]:.1f} GFLOP/s (best thread count)")
        for wid in ids:
            rows = {r.threads: r for r in results if (r.workload, r.impl, r.dtype) == (wid, "deltaprop", dname)
                    and math.isfinite(r.seconds)}
            if loaded:
                if 1 in rows and loaded in rows and loaded != 1:
                    add(f"{wid} {dname}: deltaprop {loaded} threads vs 1, loaded",
                        paired_ratio(rows[1], rows[loaded]), 0.95, "× speed-up")
                continue
            if wid == "E" and 1 in rows and 2 in rows:  # issue 21: mini-batches on both cores
                add(f"{wid} {dname}: deltaprop 2 threads vs 1", paired_ratio(rows[1], rows[2]), 1.5,
                    "× speed-up")
                continue
            if wid not in ISSUE6:
                continue
            if 1 in rows and 2 in rows:
                # 2 threads "never slower": a 5% margin for timing noise on a shared machine.
                need = 1.7 if wid == "D" else 0.95
                add(f"{wid} {dname}: deltaprop 2 threads vs 1", paired_ratio(rows[1], rows[2]), need,
                    "× speed-up")
    for wid in ("C", "D"):
        f64, f32 = (best(results, wid, "deltaprop", d) for d in DTYPES)
        if wid in ids and f64 and f32:
            add(f"{wid}: deltaprop float32 vs float64", paired_ratio(f64, f32), 1.7, "× (about 2× wanted)")
    # issue 18: the variants within 10% of tanh's time (each at its best thread count, timed in
    # turns with its tanh workload), and G against PyTorch
    for w in table or []:
        if not (w.base and w.id in ids and w.base in ids):
            continue
        for dname in DTYPES:
            v, b = best(results, w.id, "deltaprop", dname), best(results, w.base, "deltaprop", dname)
            if v and b:
                add(f"{w.id} {dname}: deltaprop time vs {w.base} (tanh)", paired_ratio(v, b), 1.10,
                    "× tanh's time", at_most=True)
    if "G" in ids:
        for dname in DTYPES:
            g = best(results, "G", "deltaprop", dname)
            if g:
                add(f"G {dname}: deltaprop vs torch", ratio(results, "G", dname, "torch", g), 4, "× faster")
    return targets


def print_targets(targets: List[Target]) -> None:
    print("\nTargets of issues 6, 18 and 21 (ratios from this run):")
    for t in targets:
        verdict = {True: "holds", False: "DOES NOT HOLD", None: "not measured"}[t.holds]
        shown = ("–" if not math.isfinite(t.measured) else f"{100 * t.measured:.1f}%"
                 if "fraction" in t.name else f"{t.measured:.3g}")
        need = f"{100 * t.threshold:.0f}%" if "fraction" in t.name else f"{t.threshold:g}"
        bound = "≤" if t.at_most else "≥"
        print(f"  {t.name:<50} {shown:>9}  (target {bound} {need} {t.detail}): {verdict}")


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(impls: List[str]) -> Dict[str, str]:
    env = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu_name(),
           "cores": str(os.cpu_count()), "load average before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
           "python": platform.python_version(), "deltaprop": deltaprop.__version__,
           "deltaprop BLAS": f"scipy-openblas32 {openblas.config()} (kernel {openblas.corename()}, "
                             f"{openblas.get_num_threads()} BLAS threads)",
           "numpy": np.__version__}
    try:
        from threadpoolctl import threadpool_info
        libs = [i for i in threadpool_info() if i.get("internal_api") == "openblas"
                and "scipy_openblas32" not in i.get("filepath", "")]
        if libs:
            env["numpy BLAS"] = f"OpenBLAS {libs[0].get('version')} (kernel {libs[0].get('architecture')})"
    except ImportError:
        env["numpy BLAS"] = "(threadpoolctl not installed: numpy runs at its default thread count)"
    if "torch" in impls:
        torch = tref._torch()
        env["torch"] = torch.__version__
    if _DROPPED_ENV:
        env["environment"] = f"unset {', '.join(_DROPPED_ENV)} for this process"
    return env


def finite_or_none(value):
    """JSON has no NaN: unmeasured numbers become null."""
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (short timings, D with N=512)")
    parser.add_argument("--only", default="", help="comma-separated workload ids, e.g. A,B")
    parser.add_argument("--json", type=pathlib.Path, help="also write all results to this JSON file")
    parser.add_argument("--data", type=pathlib.Path, help="folder with features.train and zip.train")
    parser.add_argument("--threads", default=None,
                        help="thread counts to time (default 1,2; with --loaded 1 and the default)")
    parser.add_argument("--loaded", action="store_true",
                        help="time with a busy background process keeping one core busy, at one "
                             "thread and at deltaprop's default thread count")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even when installed")
    parser.add_argument("--repeats", type=int, default=0,
                        help="repeats per row (default 5, --quick 3); more narrow the paired "
                             "ratios on a busy host")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="on a shared machine: before each workload wait up to SECONDS for "
                             "other processes to leave the CPU, and time it again (twice at most) "
                             "if they came back meanwhile")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help="leave OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE set if they are")
    args = parser.parse_args(argv)

    if _DROPPED_ENV:
        print(f"note: unset {', '.join(_DROPPED_ENV)} for this benchmark process (they slow OpenBLAS)")
    table = workloads(quick=args.quick)
    known = [w.id for w in table]
    ids = [s.strip() for s in args.only.split(",") if s.strip()] or known
    unknown = [i for i in ids if i not in known]
    if unknown:
        parser.error(f"--only: unknown workload(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    bases = [w.base for w in table if w.id in ids and w.base and w.base not in ids]
    if bases:  # a variant is measured against its tanh workload, in the same turns
        print(f"note: also timing {', '.join(dict.fromkeys(bases))}, "
              "the tanh workload(s) the variants are compared with")
        ids += list(dict.fromkeys(bases))
    if args.loaded and args.wait_quiet:
        parser.error("--loaded and --wait-quiet exclude each other")
    default_threads = deltaprop.get_num_threads()
    if args.threads is None:
        args.threads = f"1,{default_threads}" if args.loaded else "1,2"
    try:
        threads = sorted({int(t) for t in args.threads.split(",")})
    except ValueError:
        parser.error(f"--threads must be comma-separated integers, got {args.threads!r}")
    if not threads or min(threads) < 1:
        parser.error("--threads: every count must be at least 1")
    impls = [i for i in IMPLEMENTATIONS if i != "torch" or (tref.available() and not args.no_torch)]
    if "torch" not in impls:
        print("note: PyTorch not measured (" + ("--no-torch" if args.no_torch else "not installed") + ")")
    min_time, repeats = (0.02, 3) if args.quick else (0.25, 5)
    if args.repeats:
        if args.repeats < 1:
            parser.error("--repeats must be at least 1")
        repeats = args.repeats

    env = environment(impls)
    for k, v in env.items():
        print(f"{k}: {v}")
    size = 1024 if args.quick else 2048

    def measure_peaks():
        return {(dname, n): openblas.peak_gflops(dtype, n, size=size)
                for dname, dtype in DTYPES.items() for n in threads}

    def describe(peaks):
        return ", ".join(f"{d} {n} thread{'s' * (n > 1)} {v:.1f} GFLOP/s" for (d, n), v in peaks.items())
    other_load, busy_load = {}, {}
    peaks, other_load["peak"], _ = quietly(measure_peaks, args.wait_quiet, "the BLAS peak")
    print(f"BLAS peak ({size}³ GEMM through deltaprop's OpenBLAS): {describe(peaks)}")
    busy = None
    if args.loaded:  # the peaks are the machine's, timed without it
        busy = BusyLoop()
        print(f"loaded: a busy background process (pid {busy.process.pid}, `while True: pass`) "
              f"runs while the workloads are timed; deltaprop's default is {default_threads} threads")

    sets, stand_ins = load_data(args.data, n_random=max(w.n for w in table if w.data == "random"))
    for note in stand_ins.values():
        print("note:", note)
    control = ThreadControl()
    results = []
    print("timing", end="", flush=True)
    groups: Dict[str, List[Workload]] = {}
    for w in table:
        if w.id in ids:
            groups.setdefault(w.family, []).append(w)
    try:
        for family, group in groups.items():
            name = "+".join(w.id for w in group)
            rows, load, busy_cores = quietly(
                lambda: run_group(group, sets, impls, threads, control, min_time, repeats),
                args.wait_quiet, name, busy)
            for w in group:
                other_load[w.id] = load
                busy_load[w.id] = busy_cores
            results += rows
    finally:
        control.restore()
        if busy:
            busy.stop()
    print()
    # The peak again: a slow spell of the shared host during the first measurement would make
    # every fraction of it look better than it is. The higher of the two counts.
    again, other_load["peak again"], _ = quietly(measure_peaks, args.wait_quiet, "the BLAS peak")
    peaks = {key: max(v, again[key]) for key, v in peaks.items()}
    print(f"BLAS peak again after the workloads: {describe(again)}; the fractions use the higher")
    with_peak_fractions(results, peaks)
    data_note = {"features": "features.train", "zip": "zip.train pixels", "random": "random data"}
    for w in table:
        if w.id in ids:
            print_table(w, results, data_note[w.data] + (" (random stand-in)" if w.data in stand_ins else ""))
            if busy:
                print(f"  loaded: the busy loop used {busy_load[w.id]:.2f} cores, other processes "
                      f"{other_load[w.id]:.2f} cores meanwhile")
            else:
                print(f"  other processes kept {other_load[w.id]:.2f} cores busy meanwhile")
    print(f"\nother processes kept {other_load['peak']:.2f} and {other_load['peak again']:.2f} cores "
          "busy while the BLAS peak was timed")
    busy_ids = list(dict.fromkeys(w for w, c in other_load.items() if c >= QUIET))
    if busy_ids:
        beside = " beside the busy loop" if busy else ""
        print(f"\nWARNING: other processes used the CPU{beside} during {', '.join(busy_ids)}: "
              "those timings (2-thread rows above all) are not worth recording; rerun on a quiet machine")
    print_against_tanh(table, results, ids)
    targets = check_targets(results, peaks, ids, table, loaded=default_threads if busy else 0)
    print_targets(targets)
    if args.quick:
        print("(--quick: short timings and a smaller D; use the full run for the record)")
    if args.json:
        args.json.write_text(json.dumps(finite_or_none({
            "environment": env, "quick": args.quick, "other_load_cores": other_load,
            "loaded": bool(busy), "busy_loop_cores": busy_load,
            "peak_gflops": [{"dtype": d, "threads": n, "gflops": v} for (d, n), v in peaks.items()],
            "workloads": [asdict(w) | {"flops_per_unit": w.flops_per_unit(), "unit": w.unit}
                          for w in table if w.id in ids],
            "results": [asdict(r) for r in results],
            "targets": [asdict(t) for t in targets]}), indent=1))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
