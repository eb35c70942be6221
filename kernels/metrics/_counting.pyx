# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Confusion counting (Cython, OpenMP when available).

The kernel behind ``fastml.metrics.confusion_matrix`` and the precision / recall
family. It is compiled ahead of time so the first call is as fast as every other one
(metrics are often called once per process).

Determinism: the rows are cut into blocks whose size depends only on the number of
rows and classes, never on the thread count. Each block is counted into its own
partial matrix (``prange`` over blocks, OpenMP when the compiler supports it, a plain
loop otherwise) and the partial matrices are summed in block order, so weighted
(floating-point) counts are bit-identical for every ``n_threads``.
"""

import numpy as np

from cython.parallel cimport prange
from libc.stdint cimport int64_t

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int fastml_omp_max_threads(void) { return omp_get_max_threads(); }
    #else
    static int fastml_omp_max_threads(void) { return 1; }
    #endif
    """
    int fastml_omp_max_threads() nogil

__all__ = ["count_confusion", "openmp_max_threads", "BLOCK_ROWS", "MAX_PARTIAL_CELLS"]

# Rows per block: large enough that the per-block partial matrix is cheap to add up,
# small enough to give the threads many blocks to share.
BLOCK_ROWS = 65536
# Cap on the cells of all partial matrices together (32 MB of float64): with many
# classes the blocks grow instead of the memory.
MAX_PARTIAL_CELLS = 1 << 22


def openmp_max_threads():
    """OpenMP's current thread limit (``OMP_NUM_THREADS``, threadpoolctl limits).

    1 when the module was built without OpenMP.
    """
    return fastml_omp_max_threads()


# The count type: float64 for float weights, int64 for integer weights or none.
ctypedef fused count_t:
    double
    int64_t


cdef void _count_block(
    const int64_t* true_idx,
    const int64_t* pred_idx,
    const count_t* weight,
    bint has_weight,
    Py_ssize_t start,
    Py_ssize_t stop,
    int64_t n_classes,
    count_t* out,
) noexcept nogil:
    """Add rows [start, stop) into the (n_classes, n_classes) ``out``.

    Each row adds its weight, or 1 without weights (``has_weight`` false).
    """
    cdef Py_ssize_t i
    cdef int64_t t, p
    for i in range(start, stop):
        t = true_idx[i]
        p = pred_idx[i]
        if t < 0 or t >= n_classes or p < 0 or p >= n_classes:
            continue
        if has_weight:
            out[t * n_classes + p] += weight[i]
        else:
            out[t * n_classes + p] += 1


cdef void _count_blocks(
    const int64_t* true_idx,
    const int64_t* pred_idx,
    const count_t* weight,
    bint has_weight,
    Py_ssize_t n_rows,
    Py_ssize_t n_classes,
    Py_ssize_t n_blocks,
    int n_threads,
    count_t[:, ::1] partial,
    count_t[::1] out,
) noexcept nogil:
    """Count each block into its row of ``partial``, then add the rows into ``out``.

    The blocks are counted in parallel; the partial matrices are added in block
    order (0, 1, ...), so the result does not depend on the thread count.
    """
    cdef Py_ssize_t block_rows = (n_rows + n_blocks - 1) // n_blocks
    cdef Py_ssize_t cells = n_classes * n_classes
    cdef Py_ssize_t b, c, start, stop
    for b in prange(n_blocks, num_threads=n_threads, schedule="static"):
        start = b * block_rows
        stop = start + block_rows
        if stop > n_rows:
            stop = n_rows
        _count_block(
            true_idx, pred_idx, weight, has_weight, start, stop, n_classes,
            &partial[b, 0],
        )
    for b in range(n_blocks):
        for c in range(cells):
            out[c] += partial[b, c]


cdef Py_ssize_t _n_blocks(Py_ssize_t n_rows, Py_ssize_t n_classes):
    """Block count: a function of the problem size only (never of the threads)."""
    cdef Py_ssize_t n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    cdef Py_ssize_t cells = n_classes * n_classes
    cdef Py_ssize_t cap = MAX_PARTIAL_CELLS // cells if cells > 0 else 1
    if cap < 1:
        cap = 1
    if n_blocks > cap:
        n_blocks = cap
    if n_blocks < 1:
        n_blocks = 1
    return n_blocks


def count_confusion(
    const int64_t[::1] y_true_idx,
    const int64_t[::1] y_pred_idx,
    sample_weight,
    Py_ssize_t n_classes,
    int n_threads=1,
):
    """Confusion counts of two index-encoded label vectors.

    Parameters
    ----------
    y_true_idx : ndarray of shape (n_samples,), int64, C-contiguous (IN)
        True class of each row as an index in ``[0, n_classes)``; any other value
        (for example -1 for a label outside the requested set) skips the row.
    y_pred_idx : ndarray of shape (n_samples,), int64, C-contiguous (IN)
        Predicted class index, same convention.
    sample_weight : None or ndarray of shape (n_samples,), float64 or int64 (IN)
        Row weights; None counts every row once. Read-only arrays are accepted.
    n_classes : int
        Number of classes (side of the result).
    n_threads : int, default=1
        OpenMP threads for the block loop (ignored when built without OpenMP). The
        result does not depend on it.

    Returns
    -------
    counts : ndarray of shape (n_classes, n_classes) (OUT)
        ``counts[i, j]`` is the total weight of rows with true class ``i`` and
        predicted class ``j``; int64 when ``sample_weight`` is None or int64, float64
        when it is float64.

    Notes
    -----
    Algorithm: rows are split into ``n_blocks`` contiguous blocks (``BLOCK_ROWS``
    rows each, fewer blocks when ``n_blocks * n_classes**2`` would exceed
    ``MAX_PARTIAL_CELLS``); ``prange`` counts each block into its own partial matrix,
    then the partials are added in block order. Tested against the per-row loop
    ``naive_confusion_counts`` in tests/naive/metrics.py.
    """
    cdef Py_ssize_t n_rows = y_true_idx.shape[0]
    if y_pred_idx.shape[0] != n_rows:
        raise ValueError(
            f"y_true_idx and y_pred_idx have different lengths: {n_rows} and "
            f"{y_pred_idx.shape[0]}."
        )
    if n_classes < 0:
        raise ValueError(f"n_classes must be >= 0, got {n_classes}.")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}.")

    cdef bint is_float = False
    cdef bint has_weight = sample_weight is not None
    cdef const double[::1] w_float
    cdef const int64_t[::1] w_int
    cdef int64_t dummy_int[1]
    cdef const double* w_float_ptr = NULL
    cdef const int64_t* w_int_ptr = dummy_int
    dummy_int[0] = 1
    if has_weight:
        weight_arr = np.asarray(sample_weight)
        if weight_arr.ndim != 1 or weight_arr.shape[0] != n_rows:
            raise ValueError(
                f"sample_weight must have shape ({n_rows},), got {weight_arr.shape}."
            )
        if weight_arr.dtype == np.float64:
            is_float = True
            w_float = weight_arr
            if n_rows > 0:
                w_float_ptr = &w_float[0]
        elif weight_arr.dtype == np.int64:
            w_int = weight_arr
            if n_rows > 0:
                w_int_ptr = &w_int[0]
        else:
            raise TypeError(
                f"sample_weight must be float64 or int64, got {weight_arr.dtype}."
            )

    dtype = np.float64 if is_float else np.int64
    result = np.zeros((n_classes, n_classes), dtype=dtype)
    if n_rows == 0 or n_classes == 0:
        return result

    cdef Py_ssize_t n_blocks = _n_blocks(n_rows, n_classes)
    partial = np.zeros((n_blocks, n_classes * n_classes), dtype=dtype)
    cdef double[:, ::1] part_float
    cdef int64_t[:, ::1] part_int
    cdef double[::1] out_float
    cdef int64_t[::1] out_int
    cdef const int64_t* t_ptr = &y_true_idx[0]
    cdef const int64_t* p_ptr = &y_pred_idx[0]
    if is_float:
        part_float = partial
        out_float = result.reshape(-1)
        with nogil:
            _count_blocks(
                t_ptr, p_ptr, w_float_ptr, True, n_rows, n_classes, n_blocks,
                n_threads, part_float, out_float,
            )
    else:
        part_int = partial
        out_int = result.reshape(-1)
        with nogil:
            _count_blocks(
                t_ptr, p_ptr, w_int_ptr, has_weight, n_rows, n_classes, n_blocks,
                n_threads, part_int, out_int,
            )
    return result
