"""Per-column weighted moments for StandardScaler (Numba).

Naive reference: ``tests/naive/preprocessing.py::naive_column_moments``; compared in
``tests/kernels/test_preprocessing.py``.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit_parallel, prange

__all__ = ["sum_column_moments", "n_moment_blocks"]

_MIN_BLOCK_ROWS = 256
_MAX_BLOCKS = 64


def n_moment_blocks(n_samples: int) -> int:
    """Number of row blocks :func:`sum_column_moments` splits ``n_samples`` into.

    Depends on ``n_samples`` only (never on the thread count), which is what makes the
    blocked sums reproducible.
    """
    return int(min(_MAX_BLOCKS, max(1, -(-n_samples // _MIN_BLOCK_ROWS))))


@jit_parallel
def sum_column_moments(
    X, weights, n_blocks, out_count, out_sum, out_m2
):  # pragma: no cover - compiled
    """Weighted count, sum and centred sum of squares of each column, NaN skipped.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64 or float32, C-contiguous (IN)
    weights : ndarray of shape (n_samples,), float64 (IN)
        Sample weights (ones for an unweighted fit).
    n_blocks : int
        Row blocks, from :func:`n_moment_blocks`.
    out_count : ndarray of shape (n_features,), float64 (OUT)
        ``sum_i w_i [x_ij not NaN]``.
    out_sum : ndarray of shape (n_features,), float64 (OUT)
        ``sum_i w_i x_ij`` over non-NaN cells.
    out_m2 : ndarray of shape (n_features,), float64 (OUT)
        ``sum_i w_i (x_ij - mean_j)^2`` over non-NaN cells.

    Notes
    -----
    The corrected two-pass algorithm of Chan, Golub & LeVeque (1983), eq. 1.7: a first
    pass gives the mean ``T``, a second the sums of ``d = x - T`` and ``d^2``, and
    ``m2 = sum w d^2 - (sum w d)^2 / sum w`` cancels the rounding error of ``T``.
    Each pass sums fixed row blocks in parallel (float64 accumulators, rows in
    order within a block) and then adds the block partials in block order, so the
    result is the same for every thread count. A column without any non-NaN value
    gets count 0, sum 0 and m2 NaN.
    """
    n_samples, n_features = X.shape
    block_rows = (n_samples + n_blocks - 1) // n_blocks
    part_count = np.zeros((n_blocks, n_features))
    part_sum = np.zeros((n_blocks, n_features))
    for b in prange(n_blocks):
        stop = min(n_samples, (b + 1) * block_rows)
        for i in range(b * block_rows, stop):
            w = weights[i]
            for j in range(n_features):
                x = np.float64(X[i, j])
                if x == x:
                    part_count[b, j] += w
                    part_sum[b, j] += w * x
    for j in range(n_features):
        out_count[j] = 0.0
        out_sum[j] = 0.0
    for b in range(n_blocks):
        for j in range(n_features):
            out_count[j] += part_count[b, j]
            out_sum[j] += part_sum[b, j]
    mean = out_sum / out_count
    part_dev = np.zeros((n_blocks, n_features))
    part_sq = np.zeros((n_blocks, n_features))
    for b in prange(n_blocks):
        stop = min(n_samples, (b + 1) * block_rows)
        for i in range(b * block_rows, stop):
            w = weights[i]
            for j in range(n_features):
                x = np.float64(X[i, j])
                if x == x:
                    d = x - mean[j]
                    part_dev[b, j] += w * d
                    part_sq[b, j] += w * d * d
    for j in range(n_features):
        dev = 0.0
        sq = 0.0
        for b in range(n_blocks):
            dev += part_dev[b, j]
            sq += part_sq[b, j]
        out_m2[j] = sq - dev * dev / out_count[j]
