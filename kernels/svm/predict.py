"""Decision values of kernel SVMs for many rows (Numba).

``dec = K(X, SV) @ W - rho`` is computed without forming the (n_rows, n_SV) kernel
matrix: for each row, the support vectors are taken in chunks of 256 whose dot
products with the row accumulate over features in order (support vectors stored as
columns, so the inner loop is a vectorised multiply-add), the kernel's non-linearity
is applied to the chunk (rbf through the squared norms,
``exp(-gamma max(|x|^2 + |s|^2 - 2 x.s, 0))`` with the vectorisable exp of
kernels/_vecmath.py; poly ``(gamma d + coef0)^degree``; sigmoid
``tanh(gamma d + coef0)``), and the chunk is reduced against each decision
function's coefficients. The chunk stays in L1 and the support vectors in L2, where
a BLAS block product with 20 features would be limited by writing the kernel block
to memory (measured ~1.5-2 x slower here).

Rows are independent and processed in parallel, so results do not depend on the
thread count. Naive reference: tests/naive/svm.py (kernel_matrix times the
coefficients), tested in tests/kernels/test_svm_predict.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit_parallel, prange
from fastml.kernels._vecmath import exp_nonpos_f64

__all__ = ["compute_decision_values"]


_CHUNK = 256


@jit_parallel
def compute_decision_values(kind, X, SVT, sq_sv, WT, rho, gamma, coef0, degree, out):
    """Decision values ``K(X, SV) @ WT.T - rho`` without forming K.

    Parameters
    ----------
    kind : int
        Kernel code (0 linear, 1 poly, 2 rbf, 3 sigmoid).
    X : ndarray of shape (n_rows, n_features), float64, C-contiguous
        IN: rows to score.
    SVT : ndarray of shape (n_features, n_sv), float64, C-contiguous
        IN: support vectors as columns.
    sq_sv : ndarray of shape (n_sv,), float64
        IN: squared norms of the support vectors (rbf).
    WT : ndarray of shape (n_pairs, n_sv), float64, C-contiguous
        IN: coefficients of each decision function.
    rho : ndarray of shape (n_pairs,), float64
        IN: offsets.
    gamma, coef0 : float; degree : int
    out : ndarray of shape (n_rows, n_pairs), float64
        OUT: decision values.

    Each row is independent (rows in parallel, support vectors in chunks of 256
    whose dot products accumulate over features in order), so the result does not
    depend on the thread count. Naive reference: tests/naive/svm.py kernel_matrix
    times the coefficients; tests/kernels/test_svm_predict.py.
    """
    n_rows, n_features = X.shape
    n_sv = SVT.shape[1]
    n_pairs = WT.shape[0]
    n_blocks = (n_rows + 63) // 64
    for b in prange(n_blocks):
        acc = np.empty(_CHUNK)
        for r in range(b * 64, min((b + 1) * 64, n_rows)):
            x = X[r]
            sqx = 0.0
            for k in range(n_features):
                sqx += x[k] * x[k]
            res = out[r]
            for p in range(n_pairs):
                res[p] = -rho[p]
            for c0 in range(0, n_sv, _CHUNK):
                c1 = min(c0 + _CHUNK, n_sv)
                m = c1 - c0
                for j in range(m):
                    acc[j] = 0.0
                for k in range(n_features):
                    v = x[k]
                    row = SVT[k, c0:c1]
                    for j in range(m):
                        acc[j] += v * row[j]
                if kind == 1:
                    for j in range(m):
                        acc[j] = (gamma * acc[j] + coef0) ** degree
                elif kind == 2:
                    sqc = sq_sv[c0:c1]
                    for j in range(m):
                        acc[j] = min(-gamma * (sqx + sqc[j] - 2.0 * acc[j]), 0.0)
                    for j in range(m):
                        acc[j] = exp_nonpos_f64(acc[j], 0.0)
                elif kind == 3:
                    for j in range(m):
                        acc[j] = math.tanh(gamma * acc[j] + coef0)
                for p in range(n_pairs):
                    w = WT[p, c0:c1]
                    s = 0.0
                    for j in range(m):
                        s += acc[j] * w[j]
                    res[p] += s
