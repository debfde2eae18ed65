"""The OpenBLAS that deltaprop links, reached through ctypes: its peak and its thread count.

deltaprop's core calls ``scipy_cblas_dgemm``/``scipy_cblas_sgemm`` of the scipy-openblas32
wheel. Timing a large square GEMM through the very same library gives the machine's BLAS peak
that workloads C and D are stated against. (numpy ships its own, differently built OpenBLAS, so
timing ``numpy.matmul`` would measure another library.)
"""

from __future__ import annotations

import ctypes
import os
import time
from typing import Any

import numpy as np

_ROW_MAJOR, _NO_TRANS = 101, 111


def library() -> Any:
    """The loaded ``libscipy_openblas`` of scipy-openblas32 (the same handle deltaprop uses)."""
    import scipy_openblas32

    lib = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(), f"lib{scipy_openblas32.get_library()}.so"))
    lib.scipy_openblas_get_corename.restype = ctypes.c_char_p
    lib.scipy_openblas_get_config.restype = ctypes.c_char_p
    return lib


def corename() -> str:
    """The CPU kernel OpenBLAS chose at run time (e.g. ``SkylakeX``)."""
    return library().scipy_openblas_get_corename().decode()


def config() -> str:
    return library().scipy_openblas_get_config().decode()


def get_num_threads() -> int:
    return int(library().scipy_openblas_get_num_threads())


def set_num_threads(n: int) -> None:
    library().scipy_openblas_set_num_threads(int(n))


def gemm(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> None:
    """``c = a @ b`` (row-major, contiguous, all float64 or all float32) by the library's GEMM."""
    lib = library()
    m, k = a.shape
    n = b.shape[1]
    if a.dtype == np.float64:
        fn, scalar = lib.scipy_cblas_dgemm, ctypes.c_double
    else:
        fn, scalar = lib.scipy_cblas_sgemm, ctypes.c_float
    ptr = ctypes.c_void_p
    fn(_ROW_MAJOR, _NO_TRANS, _NO_TRANS, m, n, k, scalar(1.0), ptr(a.ctypes.data), k,
       ptr(b.ctypes.data), n, scalar(0.0), ptr(c.ctypes.data), n)


def peak_gflops(dtype: Any, threads: int, size: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of a ``size``³ GEMM on ``threads`` threads: the best of ``repeats`` calls after
    one warm-up (a peak is what the library can reach). The library's thread count is restored
    afterwards."""
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (size, size)).astype(dtype)
    b = rng.uniform(-1, 1, (size, size)).astype(dtype)
    c = np.empty((size, size), dtype=dtype)
    before = get_num_threads()
    set_num_threads(threads)
    try:
        gemm(a, b, c)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            gemm(a, b, c)
            times.append(time.perf_counter() - t)
    finally:
        set_num_threads(before)
    return 2.0 * size ** 3 / min(times) / 1e9
