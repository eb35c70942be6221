"""Dual coordinate descent for linear SVMs (Numba).

Solves the dual of ``min_w 1/2 |w|^2 + sum_i C_i loss(y_i w.x_i)`` for the hinge loss
(``0 <= a_i <= C_i``) and the squared hinge loss (``a_i >= 0``, diagonal ``1/(2 C_i)``
added to Q) by the coordinate descent of Hsieh, Chang, Lin, Keerthi & Sundararajan
(ICML 2008, Algorithm 1 with the shrinking of section 3.2, as LIBLINEAR does it):
each outer iteration visits the active coordinates in a random order, takes the
projected-gradient step ``a_i <- clip(a_i - G_i / Q_ii)`` and keeps ``w = sum_i a_i
y_i x_i`` up to date; coordinates at a bound whose gradient pushes outward beyond the
previous iteration's extremes leave the active set; the iteration stops when the
spread of the projected gradient ``max PG - min PG`` is at most ``tol`` over all
coordinates (the active set is reset once before stopping).

The bias is handled as LIBLINEAR does: an extra constant feature ``bias`` (the
``intercept_scaling``) whose weight is regularised like the others.

Naive reference: tests/naive/svm.py (the dual objective and its KKT conditions);
tested in tests/kernels/test_svm_linear.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = ["solve_linear_dual"]


@jit
def _next_random(state):
    # xorshift64*: the coordinate order only needs a reproducible stream
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return (x * np.uint64(2685821657736338717)) >> np.uint64(33)


@jit
def solve_linear_dual(X, y, upper, diag, bias, tol, max_iter, seed, w, alpha):
    """Dual coordinate descent; returns the number of outer iterations.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64, C-contiguous
        IN: samples.
    y : ndarray of shape (n_samples,), float64 in {-1, +1}
        IN: labels.
    upper : ndarray of shape (n_samples,), float64
        IN: upper bounds of the dual variables (C_i for hinge, inf for squared
        hinge).
    diag : ndarray of shape (n_samples,), float64
        IN: added to Q_ii (0 for hinge, 1 / (2 C_i) for squared hinge).
    bias : float
        Value of the constant extra feature (0 for no intercept).
    tol : float
        Stopping tolerance on the projected-gradient spread.
    max_iter : int
        Outer iterations at most.
    seed : int
        Seed of the coordinate order.
    w : ndarray of shape (n_features + 1,), float64
        OUT: primal weights, the last one for the bias feature.
    alpha : ndarray of shape (n_samples,), float64
        OUT: dual variables.
    """
    n, d = X.shape
    state = np.empty(1, dtype=np.uint64)
    state[0] = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(1)
    if state[0] == 0:
        state[0] = np.uint64(1)
    for k in range(d + 1):
        w[k] = 0.0
    QD = np.empty(n)
    index = np.empty(n, dtype=np.int64)
    for i in range(n):
        alpha[i] = 0.0
        s = 0.0
        for k in range(d):
            s += X[i, k] * X[i, k]
        QD[i] = diag[i] + s + bias * bias
        index[i] = i
    active_size = n
    pg_max_old = np.inf
    pg_min_old = -np.inf
    it = 0
    while it < max_iter:
        pg_max_new = -np.inf
        pg_min_new = np.inf
        for i in range(active_size):
            j = i + np.int64(_next_random(state) % np.uint64(active_size - i))
            index[i], index[j] = index[j], index[i]
        s = 0
        while s < active_size:
            i = index[s]
            yi = y[i]
            xi = X[i]
            g = 0.0
            for k in range(d):
                g += w[k] * xi[k]
            g += w[d] * bias
            g = yi * g - 1.0
            c = upper[i]
            g += alpha[i] * diag[i]
            pg = 0.0
            if alpha[i] == 0.0:
                if g > pg_max_old:
                    active_size -= 1
                    index[s], index[active_size] = index[active_size], index[s]
                    continue
                elif g < 0.0:
                    pg = g
            elif alpha[i] == c:
                if g < pg_min_old:
                    active_size -= 1
                    index[s], index[active_size] = index[active_size], index[s]
                    continue
                elif g > 0.0:
                    pg = g
            else:
                pg = g
            pg_max_new = max(pg_max_new, pg)
            pg_min_new = min(pg_min_new, pg)
            if abs(pg) > 1.0e-12:
                a_old = alpha[i]
                alpha[i] = min(max(alpha[i] - g / QD[i], 0.0), c)
                step = (alpha[i] - a_old) * yi
                for k in range(d):
                    w[k] += step * xi[k]
                w[d] += step * bias
            s += 1
        it += 1
        if pg_max_new - pg_min_new <= tol:
            if active_size == n:
                break
            active_size = n
            pg_max_old = np.inf
            pg_min_old = -np.inf
            continue
        pg_max_old = pg_max_new
        pg_min_old = pg_min_new
        if pg_max_old <= 0:
            pg_max_old = np.inf
        if pg_min_old >= 0:
            pg_min_old = -np.inf
    return it
