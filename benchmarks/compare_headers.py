"""Two versions of the C++ core side by side, without Python: the same C++ program
(``benchmarks/cpp/fit_workloads.cpp``, whole ``fit`` calls) compiled against the headers of an
older commit and against the working tree's, timed in turns, and counted under callgrind.

``compare_builds.py`` times the installed Python packages, where a unit of A300 or B takes a
few microseconds and a shared machine's noise (IQR 20–50% of the time) hides a difference of a
few percent. Here each program takes the least of many fit calls, and callgrind's count of
executed instructions, which does not depend on the machine's load, shows what the code does
differently. Both programs must also print the same final E_in to the last bit.

Usage (from the repository root, with scipy-openblas32 installed in this Python, as the
package's build needs)::

    python benchmarks/compare_headers.py OLD_COMMIT [--only A,A300,B,C,E]
        [--dtypes double,float] [--threads 1,2] [--rounds 9] [--repeats 5] [--no-callgrind]

It prints, per workload, type and thread count: each build's least ns per unit over all rounds,
the median over rounds of the per-round ratio new/old, and (one thread, with valgrind
installed) the instructions each executes in one fit and their ratio.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Dict, List, Tuple

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "benchmarks" / "cpp" / "fit_workloads.cpp"


def openblas() -> Tuple[str, str]:
    import scipy_openblas32 as s  # the BLAS the Python package's build uses
    return s.get_include_dir(), s.get_lib_dir()


def compile_against(include: pathlib.Path, out: pathlib.Path) -> None:
    """The module's flags (CMakeLists.txt): -O3, no FMA contraction, scipy-openblas32."""
    inc, lib = openblas()
    cxx = os.environ.get("CXX", "c++")
    subprocess.run([cxx, "-O3", "-std=c++17", "-ffp-contract=off", "-Wno-psabi",
                    "-DDELTAPROP_OPENBLAS", "-DDELTAPROP_BLAS_PREFIX=scipy_",
                    f"-I{include}", f"-I{inc}", str(SOURCE), "-o", str(out),
                    f"-L{lib}", "-lscipy_openblas", f"-Wl,-rpath,{lib}", "-pthread"],
                   check=True)


def old_headers(commit: str, into: pathlib.Path) -> pathlib.Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "cpp/include"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "cpp" / "include"


def run(program: pathlib.Path, workload: str, dtype: str, threads: int,
        repeats: int) -> Tuple[float, str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")  # the core's threads, not OpenBLAS's
    out = subprocess.run([str(program), workload, dtype, str(threads), str(repeats)],
                         check=True, capture_output=True, text=True, env=env).stdout.split()
    return float(out[0]), out[1]


def instructions(program: pathlib.Path, workload: str, dtype: str, work: pathlib.Path) -> int:
    """Instructions of one fit at one thread (callgrind, warm-up run included)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    log = work / "callgrind.log"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={work / 'cg.out'}",
                    f"--log-file={log}", str(program), workload, dtype, "1", "0"],
                   check=True, capture_output=True, env=env)
    for line in log.read_text().splitlines():
        if "Collected" in line:
            return int(line.split()[-1])
    raise RuntimeError(f"no instruction count in {log}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the older commit (its cpp/include is compared)")
    parser.add_argument("--only", default="A,A300,B,C,E")
    parser.add_argument("--dtypes", default="double,float")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=9, help="turns of old and new")
    parser.add_argument("--repeats", type=int, default=5, help="fit calls per turn (least kept)")
    parser.add_argument("--no-callgrind", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        programs = {"old": work / "old", "new": work / "new"}
        compile_against(old_headers(args.old, work), programs["old"])
        compile_against(ROOT / "cpp" / "include", programs["new"])
        with open("/proc/loadavg") as f:
            print(f"old: {args.old}   new: the working tree   load at the start: {f.read().split()[0]}")
        callgrind = not args.no_callgrind and shutil.which("valgrind") is not None
        worst = 0.0
        for workload in args.only.split(","):
            for dtype in args.dtypes.split(","):
                for threads in (int(t) for t in args.threads.split(",")):
                    best: Dict[str, float] = {"old": float("inf"), "new": float("inf")}
                    errors: Dict[str, str] = {}
                    ratios: List[float] = []
                    for r in range(args.rounds):
                        order = ("old", "new") if r % 2 == 0 else ("new", "old")
                        t: Dict[str, float] = {}
                        for build in order:
                            t[build], errors[build] = run(programs[build], workload, dtype,
                                                          threads, args.repeats)
                            best[build] = min(best[build], t[build])
                        ratios.append(t["new"] / t["old"])
                    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
                    line = (f"{workload:5s} {dtype:6s} {threads} thr  old {best['old']:12.1f} ns  "
                            f"new {best['new']:12.1f} ns  least new/old {best['new'] / best['old']:.3f}  "
                            f"median {statistics.median(ratios):.3f} (IQR {q[2] - q[0]:.3f})")
                    if errors["old"] != errors["new"]:
                        line += f"  E_in DIFFERS: {errors['old']} vs {errors['new']}"
                    if callgrind and threads == 1:
                        i_old = instructions(programs["old"], workload, dtype, work)
                        i_new = instructions(programs["new"], workload, dtype, work)
                        line += f"  instructions new/old {i_new / i_old:.4f}"
                    worst = max(worst, best["new"] / best["old"])
                    print(line, flush=True)
        with open("/proc/loadavg") as f:
            print(f"load at the end: {f.read().split()[0]}; largest least-time ratio {worst:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
