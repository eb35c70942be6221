"""Centred, weighted Gram matrix ``(X - m)' diag(s) (X - m)`` accumulated in float64.

Why not BLAS: the linear models need this product once per fit, in float64 for the
coordinate descent and the Cholesky solve, for float32 or float64 X without a
centred copy of X. A float32 BLAS product loses digits; a float64 copy of X doubles
the memory traffic; and a threaded BLAS call slows down by an order of magnitude
when its threads are descheduled on a busy machine (measured here: 100,000 x 200,
2 OpenBLAS threads 2-3 s vs 0.15-0.4 s on one). This kernel reads X once, centres
and weights 4 rows at a time into a float64 tile and adds their rank-4 update to
the upper triangle (the inner loop runs along contiguous columns and vectorises
without reassociating any sum).

Determinism: rows are split into fixed blocks (at most ``n_blocks`` of them, a
function of n_samples only); each block owns a partial matrix and the partials are
summed in block order, so the result does not depend on the number of threads.

Naive reference: ``gram_naive`` in tests/naive/linear.py (float64
``(X - m).T @ diag(s) @ (X - m)``), compared in tests/kernels/test_linear_cd.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit_parallel, prange

__all__ = ["accumulate_gram"]


@jit_parallel
def accumulate_gram(
    X: np.ndarray,
    offset: np.ndarray,
    sqrt_weight: np.ndarray,
    weighted: bool,
    block_rows: int,
    partial: np.ndarray,
) -> None:
    """Partial upper-triangular Gram matrices of fixed row blocks.

    Parameters
    ----------
    X : float32 or float64 (n_samples, n_features) C-contiguous IN.
    offset : float64 (n_features,) IN, the column centres m.
    sqrt_weight : float64 (n_samples,) IN, square roots of the sample weights
        (read only when ``weighted``).
    weighted : bool.
    block_rows : int, rows per block; block b covers rows
        [b * block_rows, min(n_samples, (b + 1) * block_rows)).
    partial : float64 (n_blocks, n_features, n_features) OUT, zero on entry; block
        b's upper triangle (k >= i) receives ``sum_r s_r (x_ri - m_i)(x_rk - m_k)``.
        The caller sums the blocks in order and mirrors the triangle.
    """
    n_samples, n_features = X.shape
    n_blocks = partial.shape[0]
    for b in prange(n_blocks):
        start = b * block_rows
        stop = min(n_samples, start + block_rows)
        gram = partial[b]
        tile = np.empty((4, n_features))
        row = start
        while row < stop:
            n_rows = min(4, stop - row)
            for t in range(4):
                if t < n_rows:
                    scale = sqrt_weight[row + t] if weighted else 1.0
                    for k in range(n_features):
                        tile[t, k] = (float(X[row + t, k]) - offset[k]) * scale
                else:
                    for k in range(n_features):
                        tile[t, k] = 0.0
            for i in range(n_features):
                a0 = tile[0, i]
                a1 = tile[1, i]
                a2 = tile[2, i]
                a3 = tile[3, i]
                for k in range(i, n_features):
                    gram[i, k] += (
                        a0 * tile[0, k]
                        + a1 * tile[1, k]
                        + a2 * tile[2, k]
                        + a3 * tile[3, k]
                    )
            row += 4
