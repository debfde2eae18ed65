"""Where BLAS beats the core's own loops for small products: the measured switch point.

Usage (deltaprop installed; needs a C++17 compiler and CMake, as the package build does)::

    python benchmarks/gemm_switch.py [--build-dir DIR]

The core sends a product of at most ``blas::small_product_limit`` multiply-adds
(cpp/include/deltaprop/gemm.hpp) to its own loops and larger ones to BLAS. Python cannot call
that internal GEMM, so this script builds the small C++ program ``benchmarks/cpp/gemm_switch.cpp``
against the installed package (its CMake config under ``deltaprop/share/cmake/deltaprop``),
runs it with BLAS on one thread, and summarises: for each product kind (forward, backward,
gradient) and block size B (1 = SGD, 32 = mini-batch, 256 = full block), the time of the loops
over the time of BLAS, grouped by size. Where that ratio passes 1, BLAS should take over.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

HERE = pathlib.Path(__file__).resolve().parent


def cmake_dir() -> pathlib.Path:
    """The installed package's CMake config folder (``python -m deltaprop --cmake-dir``, or where
    the wheel puts it when that option is missing)."""
    asked = subprocess.run([sys.executable, "-m", "deltaprop", "--cmake-dir"], capture_output=True, text=True)
    if asked.returncode == 0 and asked.stdout.strip():
        path = pathlib.Path(asked.stdout.strip())
    else:
        import deltaprop
        path = pathlib.Path(deltaprop.__file__).parent / "share" / "cmake" / "deltaprop"
    if not (path / "deltapropConfig.cmake").is_file():
        raise SystemExit(f"no deltapropConfig.cmake in {path}: is deltaprop installed with its C++ headers?")
    return path


def build_and_run(build_dir: pathlib.Path) -> str:
    cmake = shutil.which("cmake")
    if cmake is None:
        raise SystemExit("cmake not found: pip install cmake ninja")
    configure = [cmake, "-S", str(HERE / "cpp"), "-B", str(build_dir), f"-Ddeltaprop_DIR={cmake_dir()}",
                 "-DCMAKE_BUILD_TYPE=Release"]
    if shutil.which("ninja"):
        configure += ["-G", "Ninja"]
    subprocess.run(configure, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([cmake, "--build", str(build_dir), "--target", "gemm_switch"], check=True,
                   stdout=subprocess.DEVNULL)
    # One BLAS thread: the core's loops run on one thread, and so does BLAS inside its blocks.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # they slow a current OpenBLAS
        env.pop(name, None)
    return subprocess.run([str(build_dir / "gemm_switch")], check=True, capture_output=True,
                          text=True, env=env).stdout


def summarise(tsv: str) -> None:
    lines = tsv.splitlines()
    limit = int(lines[0].split("\t")[1])
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:])), delimiter="\t"))
    # size classes: multiply-adds in (2^(j-1), 2^j]
    groups = defaultdict(list)
    for r in rows:
        madds = int(r["madds"])
        groups[(r["dtype"], r["kind"], int(r["B"]), math.ceil(math.log2(madds)))].append(
            float(r["loops_ns"]) / float(r["blas_ns"]))
    print(f"small_product_limit = {limit} multiply-adds (products up to it run in the core's loops)")
    print("median time of the core's loops / time of BLAS (one thread), by product size;"
          " > 1 means BLAS is faster\n")
    classes = sorted({k[3] for k in groups})
    header = "".join(f"{'≤' + str(2 ** c):>8}" for c in classes)
    print(f"  {'dtype':<8}{'product':<10}{'B':>4}  {header}   BLAS wins from")
    for dtype in ("float64", "float32"):
        for kind in ("forward", "backward", "gradient"):
            for B in (1, 32, 256):
                cells, crossover = [], None
                for c in classes:
                    ratios = groups.get((dtype, kind, B, c))
                    if not ratios:
                        cells.append(f"{'':>8}")
                        continue
                    med = sorted(ratios)[len(ratios) // 2]
                    cells.append(f"{med:>8.2f}")
                    if med > 1 and crossover is None:
                        crossover = 2 ** (c - 1) + 1
                if any(c.strip() for c in cells):
                    win = f"{crossover} madds" if crossover else f"> {limit} (never below the limit)"
                    print(f"  {dtype:<8}{kind:<10}{B:>4}  {''.join(cells)}   {win}")
    ratios = [float(r["loops_ns"]) / float(r["blas_ns"]) for r in rows]
    slower = sum(x > 1 for x in ratios)
    print(f"\nthe loops were slower than BLAS in {slower} of {len(ratios)} products at or below the limit")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=pathlib.Path, help="where to build the C++ program (default: a temporary folder)")
    parser.add_argument("--tsv", type=pathlib.Path, help="also write the raw timings here")
    args = parser.parse_args(argv)
    if args.build_dir:
        tsv = build_and_run(args.build_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="deltaprop-gemm-switch-") as tmp:
            tsv = build_and_run(pathlib.Path(tmp))
    if args.tsv:
        args.tsv.write_text(tsv)
    summarise(tsv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
