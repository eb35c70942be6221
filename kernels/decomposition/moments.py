"""Column means and centred sums of squares in one pass over the rows.

:func:`column_moments` is the first pass of PCA's covariance and randomized solvers:
it reads ``X`` once (row blocks of ``block_rows`` rows, each block read twice while
it is in cache: once for the block's column sums, once for its centred squares) and
returns the column means and the columns' sums of squared deviations, both in
float64 whatever the input dtype.

Blocks are combined in block order with the pairwise update of Chan, Golub and
LeVeque (1979, "Updating formulae and a pairwise algorithm for computing sample
variances"): for blocks A and B with counts n_a, n_b, means m_a, m_b and centred sums
of squares M_a, M_b,

    M = M_a + M_b + (m_b - m_a)^2 n_a n_b / (n_a + n_b),

so the result does not depend on the number of threads (each block is summed
serially; the merge order is fixed). A non-finite value in ``X`` makes the sums
non-finite, which the caller uses as its finite check (no separate pass).

Naive reference: tests/naive/decomposition.py (``naive_column_moments``: numpy mean
and sum of squared deviations in float64).
"""

from __future__ import annotations

import numba
import numpy as np
from fastml.kernels._jit import jit_parallel, prange

__all__ = ["column_moments", "current_num_threads"]


def current_num_threads() -> int:
    """Numba's current thread count (what ``numba.set_num_threads`` or
    ``fastml.benchmarking.thread_limits`` set): PCA has no ``n_jobs`` parameter (as
    in scikit-learn), so its kernel follows the process-wide setting, like BLAS."""
    return int(numba.get_num_threads())


@jit_parallel
def column_moments(X, block_rows):  # type: ignore[no-untyped-def]
    """Column means and centred sums of squares of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
        IN. The data (n_samples >= 1).
    block_rows : int
        IN. Rows per block (the unit of parallel work and of the merge).

    Returns
    -------
    mean : ndarray of shape (n_features,), float64
        OUT. Column means.
    m2 : ndarray of shape (n_features,), float64
        OUT. Column sums of squared deviations from the mean (n_samples times the
        biased variance).
    """
    n_samples, n_features = X.shape
    n_blocks = (n_samples + block_rows - 1) // block_rows
    block_mean = np.zeros((n_blocks, n_features))
    block_m2 = np.zeros((n_blocks, n_features))
    for b in prange(n_blocks):
        start = b * block_rows
        stop = min(start + block_rows, n_samples)
        inv = 1.0 / (stop - start)
        s = block_mean[b]
        for i in range(start, stop):
            for j in range(n_features):
                s[j] += X[i, j]
        for j in range(n_features):
            s[j] *= inv
        q = block_m2[b]
        for i in range(start, stop):
            for j in range(n_features):
                d = np.float64(X[i, j]) - s[j]
                q[j] += d * d
    mean = block_mean[0].copy()
    m2 = block_m2[0].copy()
    count = float(min(block_rows, n_samples))
    for b in range(1, n_blocks):
        start = b * block_rows
        nb = float(min(start + block_rows, n_samples) - start)
        total = count + nb
        for j in range(n_features):
            delta = block_mean[b, j] - mean[j]
            mean[j] += delta * (nb / total)
            m2[j] += block_m2[b, j] + delta * delta * (count * nb / total)
        count = total
    return mean, m2
