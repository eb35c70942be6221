"""Kernel blocks for SVM decision values (Numba).

Decision values of many rows are ``K(X, SV) @ dual_coef.T - rho``; the dot products
``X @ SV.T`` of a block of rows come from BLAS (the caller), and
:func:`apply_kernel_block` turns them into kernel values in place:

- linear: ``d``; poly: ``(gamma d + coef0)^degree``;
- rbf: ``exp(-gamma max(|x|^2 + |s|^2 - 2 d, 0))`` (the squared distance clipped at
  0 against cancellation; exp from kernels/_vecmath.py, which vectorises);
- sigmoid: ``tanh(gamma d + coef0)``.

Rows are processed in parallel; each element is independent, so the result does not
depend on the thread count. Naive reference: tests/naive/svm.py (kernel_matrix),
tested in tests/kernels/test_svm_predict.py.
"""

from __future__ import annotations

import math

from fastml.kernels._jit import jit_parallel, prange
from fastml.kernels._vecmath import exp_nonpos_f64

__all__ = ["apply_kernel_block"]


@jit_parallel
def apply_kernel_block(kind, D, sq_rows, sq_cols, gamma, coef0, degree):
    """Kernel values from dot products, in place.

    Parameters
    ----------
    kind : int
        Kernel code (kernels/svm/smo.py KERNEL_CODES; 0 linear, 1 poly, 2 rbf,
        3 sigmoid).
    D : ndarray of shape (n_rows, n_cols), float64 or float32, C-contiguous
        IN: dot products ``x_r . s_c``; OUT: ``K(x_r, s_c)``.
    sq_rows : ndarray of shape (n_rows,), same dtype as D
        IN: squared norms of the rows (rbf only).
    sq_cols : ndarray of shape (n_cols,), same dtype as D
        IN: squared norms of the columns (rbf only).
    gamma, coef0 : float
    degree : int
    """
    n_rows, n_cols = D.shape
    if kind == 0:
        return
    for r in prange(n_rows):
        row = D[r]
        if kind == 1:
            for c in range(n_cols):
                row[c] = (gamma * row[c] + coef0) ** degree
        elif kind == 2:
            sr = sq_rows[r]
            for c in range(n_cols):
                d2 = sr + sq_cols[c] - 2.0 * row[c]
                if d2 < 0.0:
                    d2 = 0.0
                row[c] = exp_nonpos_f64(-gamma * d2, 0.0)
        else:
            for c in range(n_cols):
                row[c] = math.tanh(gamma * row[c] + coef0)
