"""Coefficients of the polynomial in deltaprop::fast_tanh (cpp/include/deltaprop/activations/tanh.hpp).

fast_tanh reduces |s| to z = |s| - j*c with c = ln2/2, so that |z| <= c/2, and needs
tanh(z) = z * P(z^2) on that interval. Here P(w) = 1 + w*(q0 + q1*w + ... + q_{n-1}*w^(n-1)) is
the minimax fit of tanh(sqrt(w))/sqrt(w) in relative error on 0 <= w <= (c/2)^2 (Remez exchange
in mpmath), with P(0) = 1 kept exact so that tanh(z) = z for tiny z. The coefficients are rounded
to the type (double or float) and printed as decimal literals that convert back to exactly those
values; the error printed is that of the rounded polynomial, found on a dense grid. fast_tanh
uses degree 6 for double and 3 for float, and evaluates T = z + (z*w)*Q(w).

Usage: python scripts/tanh_coefficients.py   (needs mpmath and numpy)
"""

import mpmath as mp
import numpy as np

mp.mp.dps = 60
C = mp.log(2) / 2
W = (C / 2 * (1 + mp.mpf("1e-4"))) ** 2  # a little beyond (c/2)^2: z is rounded


def f(w):
    """tanh(sqrt(w)) / sqrt(w), the function P approximates."""
    z = mp.sqrt(w)
    return mp.tanh(z) / z


def relative_error(q, w):
    return (1 + w * mp.polyval(q[::-1], w)) / f(w) - 1


def remez(n, iterations=30):
    """q0..q_{n-1} minimising max |(1 + w*Q(w))/f(w) - 1| on (0, W]."""
    points = [W * (1 - mp.cos(mp.pi * i / (n + 1))) / 2 for i in range(1, n + 2)]
    grid = [W * mp.mpf(i) / 4000 for i in range(1, 4001)]
    for _ in range(iterations):
        # (1 + w Q(w))/f(w) - 1 = (-1)^i E at the reference points: linear in q and E.
        A = mp.matrix(n + 1, n + 1)
        b = mp.matrix(n + 1, 1)
        for i, w in enumerate(points):
            for k in range(n):
                A[i, k] = w ** (k + 1) / f(w)
            A[i, n] = -((-1) ** i)
            b[i] = 1 - 1 / f(w)
        sol = mp.lu_solve(A, b)
        q = [sol[k] for k in range(n)]
        # New reference: the extreme point of each run of one sign of the error.
        errors = [relative_error(q, w) for w in grid]
        runs, current = [], [0]
        for i in range(1, len(grid)):
            if mp.sign(errors[i]) == mp.sign(errors[current[0]]):
                current.append(i)
            else:
                runs.append(current)
                current = [i]
        runs.append(current)
        extremes = [max(run, key=lambda i: abs(errors[i])) for run in runs]
        while len(extremes) > n + 1:  # drop the smallest at either end
            extremes.pop(0 if abs(errors[extremes[0]]) < abs(errors[extremes[-1]]) else -1)
        if len(extremes) < n + 1:
            break
        points = [grid[i] for i in extremes]
    return q


def literal(value, type_):
    """Shortest decimal that reads back as exactly this double or float."""
    if type_ == "double":
        return repr(float(value))
    for digits in range(6, 10):
        text = f"{float(np.float32(value)):.{digits}g}"
        if np.float32(text) == np.float32(value):
            return text + "f"
    raise AssertionError


def rounded(q, type_):
    to = float if type_ == "double" else (lambda v: float(np.float32(float(v))))
    return [mp.mpf(to(v)) for v in q]


def main():
    grid = [W * mp.mpf(i) / 20000 for i in range(1, 20001)]
    for type_, degrees in (("double", (5, 6, 7)), ("float", (2, 3))):
        for n in degrees:
            q = rounded(remez(n), type_)
            worst = max(abs(relative_error(q, w)) for w in grid)
            print(f"{type_}: degree {n} in w = z^2, max relative error {mp.nstr(worst, 3)}"
                  f" = 2^{mp.nstr(mp.log(worst, 2), 4)}")
            print("  P(w) = 1 + w*(" + " + w*(".join(literal(v, type_) for v in q)
                  + ")" * len(q))


if __name__ == "__main__":
    main()
