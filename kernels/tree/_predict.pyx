# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Prediction over flat tree arrays (Cython, OpenMP when available).

Compiled ahead of time so that the first prediction of a process and single-row
predictions are fast. Documented (tree format, semantics) in kernels/tree/predict.py,
which re-exports these functions.
"""

cimport cython
from cython.parallel cimport prange
from libc.stdint cimport int32_t, int64_t, uint8_t

__all__ = ["predict_raw", "predict_leaf", "SMALL_BATCH"]

cdef enum:
    # Rows per parallel block; inputs of at most this many rows run serially.
    BLOCK_ROWS = 64

SMALL_BATCH = BLOCK_ROWS

ctypedef fused x_t:
    float
    double


cdef inline Py_ssize_t _leaf_of(
    const x_t* row,
    const int32_t* feature,
    const double* threshold,
    const uint8_t* default_left,
    const int32_t* left,
    const int32_t* right,
    Py_ssize_t base,
) noexcept nogil:
    cdef Py_ssize_t node = base
    cdef int32_t f = feature[node]
    cdef double x
    while f >= 0:
        x = row[f]
        if x < threshold[node]:
            node = base + left[node]
        elif x != x and default_left[node] != 0:
            node = base + left[node]
        else:
            node = base + right[node]
        f = feature[node]
    return node


cdef void _predict_block(
    const x_t* X,
    Py_ssize_t n_features,
    Py_ssize_t lo,
    Py_ssize_t hi,
    const int32_t* feature,
    const double* threshold,
    const uint8_t* default_left,
    const int32_t* left,
    const int32_t* right,
    const double* value,
    const int64_t* tree_ptr,
    Py_ssize_t n_groups,
    Py_ssize_t tree_stop,
    double* out,
) noexcept nogil:
    # Tree-major inside a block: a tree's nodes stay in cache for all its rows.
    cdef Py_ssize_t t, r, base, group, node
    for t in range(tree_stop):
        base = tree_ptr[t]
        group = t % n_groups
        for r in range(lo, hi):
            node = _leaf_of(
                X + r * n_features, feature, threshold, default_left, left, right, base
            )
            out[r * n_groups + group] += value[node]


cdef void _check_trees(
    Py_ssize_t n_nodes, Py_ssize_t n_ptr, Py_ssize_t n_groups, Py_ssize_t tree_stop,
    Py_ssize_t out_rows, Py_ssize_t out_cols, Py_ssize_t n_rows,
) except *:
    if tree_stop < 0 or tree_stop > n_ptr - 1:
        raise ValueError(f"tree_stop must be in [0, {n_ptr - 1}], got {tree_stop}.")
    if n_groups < 1:
        raise ValueError(f"n_groups must be >= 1, got {n_groups}.")
    if out_rows != n_rows or out_cols != n_groups:
        raise ValueError(
            f"out must have shape ({n_rows}, {n_groups}), got ({out_rows}, {out_cols})."
        )


def predict_raw(
    const x_t[:, ::1] X,
    const int32_t[::1] feature,
    const double[::1] threshold,
    const uint8_t[::1] default_left,
    const int32_t[::1] left,
    const int32_t[::1] right,
    const double[::1] value,
    const int64_t[::1] tree_ptr,
    Py_ssize_t n_groups,
    Py_ssize_t tree_stop,
    double[:, ::1] out,
    int n_threads=1,
):
    """Add the leaf values of trees ``[0, tree_stop)`` to ``out``.

    See kernels/tree/predict.py. The node arrays must be valid (children inside
    their tree, features below ``X.shape[1]``): the estimators validate them when a
    model is loaded.
    """
    cdef Py_ssize_t n_rows = X.shape[0]
    cdef Py_ssize_t n_features = X.shape[1]
    cdef Py_ssize_t n_blocks, b, lo, hi
    _check_trees(feature.shape[0], tree_ptr.shape[0], n_groups, tree_stop,
                 out.shape[0], out.shape[1], n_rows)
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}.")
    if n_rows == 0 or tree_stop == 0:
        return
    cdef const x_t* Xp = &X[0, 0]
    cdef double* outp = &out[0, 0]
    if n_rows <= BLOCK_ROWS or n_threads == 1:
        with nogil:
            b = 0
            while b < n_rows:
                hi = b + BLOCK_ROWS if b + BLOCK_ROWS < n_rows else n_rows
                _predict_block(
                    Xp, n_features, b, hi, &feature[0], &threshold[0],
                    &default_left[0], &left[0], &right[0], &value[0], &tree_ptr[0],
                    n_groups, tree_stop, outp,
                )
                b = hi
        return
    n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    with nogil:
        for b in prange(n_blocks, num_threads=n_threads, schedule="static"):
            lo = b * BLOCK_ROWS
            hi = lo + BLOCK_ROWS if lo + BLOCK_ROWS < n_rows else n_rows
            _predict_block(
                Xp, n_features, lo, hi, &feature[0], &threshold[0], &default_left[0],
                &left[0], &right[0], &value[0], &tree_ptr[0], n_groups, tree_stop,
                outp,
            )


def predict_leaf(
    const x_t[:, ::1] X,
    const int32_t[::1] feature,
    const double[::1] threshold,
    const uint8_t[::1] default_left,
    const int32_t[::1] left,
    const int32_t[::1] right,
    const int64_t[::1] tree_ptr,
    Py_ssize_t tree_stop,
    int32_t[:, ::1] out,
    int n_threads=1,
):
    """Index (relative to its tree's first node) of the leaf each row reaches in
    each of the trees ``[0, tree_stop)``; ``out`` has shape (n_samples, tree_stop).
    """
    cdef Py_ssize_t n_rows = X.shape[0]
    cdef Py_ssize_t n_features = X.shape[1]
    cdef Py_ssize_t r, t, base
    _check_trees(feature.shape[0], tree_ptr.shape[0], 1, tree_stop, out.shape[0], 1,
                 n_rows)
    if out.shape[1] != tree_stop:
        raise ValueError(f"out must have {tree_stop} columns, got {out.shape[1]}.")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}.")
    if n_rows == 0 or tree_stop == 0:
        return
    with nogil:
        for r in prange(n_rows, num_threads=n_threads, schedule="static"):
            for t in range(tree_stop):
                base = tree_ptr[t]
                out[r, t] = <int32_t>(
                    _leaf_of(&X[r, 0], &feature[0], &threshold[0], &default_left[0],
                             &left[0], &right[0], base) - base
                )
