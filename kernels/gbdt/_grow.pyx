# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Histogram gradient-boosting trees: histograms, split finding, row partition and
tree growth (Cython, OpenMP when available).

Compiled ahead of time: a first fit compiles nothing (the Numba versions of these
loops took several seconds of JIT compilation each). The Python-facing documentation
lives in kernels/hist/build.py (histograms), kernels/hist/split.py (split finding)
and kernels/gbdt/grow.py (partition, growth, binned prediction), which re-export the
functions below. Every function gives results independent of ``n_threads``.
"""

import numpy as np

cimport cython
from cython.parallel cimport prange
from libc.math cimport INFINITY
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy

include "../hist/_build.pxi"
include "../hist/_split.pxi"

__all__ = [
    "GrowWorkspace",
    "fill_arange",
    "grow_tree_scan",
    "build_histograms",
    "find_best_splits",
    "grid_scales",
    "grow_tree",
    "leaf_weight",
    "partition_rows",
    "predict_tree_binned",
    "similarity",
]

cdef enum:
    # Rows per partition / leaf-value / binned-prediction task.
    BLOCK = 8192
    # Below this many rows a partition or leaf pass runs on one thread.
    MIN_PARALLEL_ROWS = 32768
    # Below this many histogram slots to scan, split finding runs on one thread.
    MIN_PARALLEL_SCAN = 16384
    # Rows ahead prefetched by the partition (its rows are scattered).
    PARTITION_AHEAD = 64
    # Tasks per thread in the fused level pass, scheduled dynamically: the work of a
    # row range depends on how many of its rows fall on the small side.
    TASKS_PER_THREAD = 4
    # Rows per chunk of the row scan (routed, then the listed rows histogrammed).
    SCAN_CHUNK = 2048
    # Rows per piece of the fused level pass (partitioned, then histogrammed while
    # their bins are still in L2: 4096 rows x <= 256 bytes).
    PIECE = 4096

# Splits must gain more than this (XGBoost's kRtEps) as well as more than gamma.
cdef double KEEP_EPS = 1e-6


# --- partition --------------------------------------------------------------------

cdef Py_ssize_t _partition_block(
    const bin_t* bins, Py_ssize_t n_features, const int32_t* idx, int32_t* tmp,
    Py_ssize_t lo, Py_ssize_t hi, int64_t feature, int64_t split_bin,
    bint default_left, Py_ssize_t missing_bin,
) noexcept nogil:
    """Split ``idx[lo:hi]`` into ``tmp[lo:hi]``: left rows from ``lo`` upwards in
    order, right rows from ``hi - 1`` downwards in order; return the left count.

    Branch-free (the side of a row is unpredictable): each row is written to both
    candidate places and only the counter of its side advances; a wrong-side write
    is always overwritten later or rewritten with the same row. Rows
    ``PARTITION_AHEAD`` positions ahead are prefetched (they are scattered).
    """
    cdef Py_ssize_t n_l = 0
    cdef Py_ssize_t n_r = 0
    cdef Py_ssize_t p, b, go_left
    cdef int32_t r
    cdef const bin_t* col = bins + feature
    for p in range(lo, hi):
        if p + PARTITION_AHEAD < hi:
            FASTML_PREFETCH(col + idx[p + PARTITION_AHEAD] * n_features)
        r = idx[p]
        b = col[r * n_features]
        if b == missing_bin:
            go_left = default_left
        else:
            go_left = b <= split_bin
        tmp[lo + n_l] = r
        tmp[hi - 1 - n_r] = r
        n_l += go_left
        n_r += 1 - go_left
    return n_l


cdef void _copy_block(
    int32_t* idx, const int32_t* tmp, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t n_left,
    Py_ssize_t dst_left, Py_ssize_t dst_right,
) noexcept nogil:
    cdef Py_ssize_t i
    cdef Py_ssize_t n_r = (hi - lo) - n_left
    for i in range(n_left):
        idx[dst_left + i] = tmp[lo + i]
    for i in range(n_r):
        idx[dst_right + i] = tmp[hi - 1 - i]


cdef int _partition_nodes(
    const bin_t* bins, Py_ssize_t n_features, int32_t* idx, int32_t* tmp,
    const int64_t* splits, Py_ssize_t n_nodes, Py_ssize_t missing_bin, int n_threads,
    int64_t* out_n_left,
) noexcept nogil:
    """Stable partition of each node (``splits`` rows: begin, end, feature,
    split_bin, default_left) by blocks; returns -1 when out of memory."""
    cdef Py_ssize_t k, t, n_tasks = 0, n_rows = 0
    cdef int64_t b
    for k in range(n_nodes):
        n_tasks += (splits[5 * k + 1] - splits[5 * k] + BLOCK - 1) // BLOCK
        n_rows += splits[5 * k + 1] - splits[5 * k]
    # Per task: lo, hi, node, n_left, dst_left, dst_right.
    cdef int64_t* tasks = <int64_t*>malloc((n_tasks * 6 + 2 * n_nodes + 1) * sizeof(int64_t))
    if tasks == NULL:
        return -1
    cdef int64_t* left_off = tasks + n_tasks * 6
    cdef int64_t* right_off = left_off + n_nodes
    t = 0
    for k in range(n_nodes):
        b = splits[5 * k]
        while b < splits[5 * k + 1]:
            tasks[6 * t] = b
            tasks[6 * t + 1] = b + BLOCK if b + BLOCK < splits[5 * k + 1] else splits[5 * k + 1]
            tasks[6 * t + 2] = k
            b = tasks[6 * t + 1]
            t += 1
    if n_rows < MIN_PARALLEL_ROWS:
        n_threads = 1
    if n_threads <= 1:
        for t in range(n_tasks):
            k = tasks[6 * t + 2]
            tasks[6 * t + 3] = _partition_block(
                bins, n_features, idx, tmp, tasks[6 * t], tasks[6 * t + 1],
                splits[5 * k + 2], splits[5 * k + 3], splits[5 * k + 4] != 0,
                missing_bin,
            )
    else:
        for t in prange(n_tasks, num_threads=n_threads, schedule="static"):
            k = tasks[6 * t + 2]
            tasks[6 * t + 3] = _partition_block(
                bins, n_features, idx, tmp, tasks[6 * t], tasks[6 * t + 1],
                splits[5 * k + 2], splits[5 * k + 3], splits[5 * k + 4] != 0,
                missing_bin,
            )
    # Offsets (stable): left rows after the left rows of the node's earlier blocks,
    # right rows after all left rows and the right rows of earlier blocks.
    for k in range(n_nodes):
        out_n_left[k] = 0
        left_off[k] = 0
        right_off[k] = 0
    for t in range(n_tasks):
        out_n_left[tasks[6 * t + 2]] += tasks[6 * t + 3]
    for t in range(n_tasks):
        k = tasks[6 * t + 2]
        tasks[6 * t + 4] = splits[5 * k] + left_off[k]
        tasks[6 * t + 5] = splits[5 * k] + out_n_left[k] + right_off[k]
        left_off[k] += tasks[6 * t + 3]
        right_off[k] += (tasks[6 * t + 1] - tasks[6 * t]) - tasks[6 * t + 3]
    if n_threads <= 1:
        for t in range(n_tasks):
            _copy_block(
                idx, tmp, tasks[6 * t], tasks[6 * t + 1], tasks[6 * t + 3],
                tasks[6 * t + 4], tasks[6 * t + 5],
            )
    else:
        for t in prange(n_tasks, num_threads=n_threads, schedule="static"):
            _copy_block(
                idx, tmp, tasks[6 * t], tasks[6 * t + 1], tasks[6 * t + 3],
                tasks[6 * t + 4], tasks[6 * t + 5],
            )
    free(tasks)
    return 0


# --- leaf values and binned prediction --------------------------------------------

cdef int _add_leaf_values(
    const int32_t* idx, const int64_t* leaf_begin, const int64_t* leaf_end,
    const double* leaf_value, Py_ssize_t n_leaves, double* raw, Py_ssize_t n_groups,
    Py_ssize_t group, int n_threads,
) noexcept nogil:
    """``raw[idx[p], group] += leaf_value[k]`` for the positions of each leaf."""
    cdef Py_ssize_t k, t, p, n_tasks = 0, n_rows = 0
    cdef int64_t b, lo, hi
    cdef double v
    for k in range(n_leaves):
        n_tasks += (leaf_end[k] - leaf_begin[k] + BLOCK - 1) // BLOCK
        n_rows += leaf_end[k] - leaf_begin[k]
    cdef int64_t* tasks = <int64_t*>malloc((3 * n_tasks + 1) * sizeof(int64_t))
    if tasks == NULL:
        return -1
    t = 0
    for k in range(n_leaves):
        b = leaf_begin[k]
        while b < leaf_end[k]:
            tasks[3 * t] = b
            tasks[3 * t + 1] = b + BLOCK if b + BLOCK < leaf_end[k] else leaf_end[k]
            tasks[3 * t + 2] = k
            b = tasks[3 * t + 1]
            t += 1
    if n_rows < MIN_PARALLEL_ROWS:
        n_threads = 1
    if n_threads <= 1:
        for t in range(n_tasks):
            v = leaf_value[tasks[3 * t + 2]]
            for p in range(tasks[3 * t], tasks[3 * t + 1]):
                raw[idx[p] * n_groups + group] += v
    else:
        for t in prange(n_tasks, num_threads=n_threads, schedule="static"):
            v = leaf_value[tasks[3 * t + 2]]
            lo = tasks[3 * t]
            hi = tasks[3 * t + 1]
            for p in range(lo, hi):
                raw[idx[p] * n_groups + group] += v
    free(tasks)
    return 0


cdef void _predict_binned_block(
    const bin_t* bins, Py_ssize_t n_features, const int32_t* rows, Py_ssize_t lo,
    Py_ssize_t hi, const int32_t* feature, const int32_t* split_bin,
    const uint8_t* default_left, const int32_t* left, const int32_t* right,
    const double* value, Py_ssize_t missing_bin, double* raw, Py_ssize_t n_groups,
    Py_ssize_t group,
) noexcept nogil:
    cdef Py_ssize_t i, node, b
    cdef int32_t r, f
    cdef bint go_left
    for i in range(lo, hi):
        r = rows[i]
        node = 0
        f = feature[0]
        while f >= 0:
            b = bins[r * n_features + f]
            if b == missing_bin:
                go_left = default_left[node] != 0
            else:
                go_left = b <= split_bin[node]
            node = left[node] if go_left else right[node]
            f = feature[node]
        raw[r * n_groups + group] += value[node]


# --- histogram pool ---------------------------------------------------------------

cdef int _grid_scales_parallel(
    const float* gh, const int32_t* idx, Py_ssize_t n_rows, int n_threads,
    double* scale_g, double* scale_h,
) noexcept nogil:
    """:func:`_grid_scales` with the sums taken over fixed chunks of rows in parallel
    and added in chunk order: the same scales for any thread count."""
    cdef Py_ssize_t n_chunks = (n_rows + BLOCK - 1) // BLOCK
    cdef Py_ssize_t c, p, lo, hi
    cdef double sg, sh
    cdef int32_t r
    # The chunking depends on n_rows only, never on the thread count.
    if n_chunks <= 1 or n_rows < MIN_PARALLEL_ROWS:
        _grid_scales(gh, idx, n_rows, scale_g, scale_h)
        return 0
    cdef double* part = <double*>malloc(2 * n_chunks * sizeof(double))
    if part == NULL:
        return -1
    for c in prange(n_chunks, num_threads=n_threads, schedule="static"):
        lo = c * BLOCK
        hi = lo + BLOCK if lo + BLOCK < n_rows else n_rows
        sg = 0.0
        sh = 0.0
        for p in range(lo, hi):
            r = idx[p]
            sg = sg + fabs(<double>gh[2 * r])
            sh = sh + fabs(<double>gh[2 * r + 1])
        part[2 * c] = sg
        part[2 * c + 1] = sh
    sg = 0.0
    sh = 0.0
    for c in range(n_chunks):
        sg += part[2 * c]
        sh += part[2 * c + 1]
    free(part)
    scale_g[0] = _pow2_scale(sg)
    scale_h[0] = _pow2_scale(sh)
    return 0


cdef struct HistPool:
    double* data
    Py_ssize_t n_slots
    Py_ssize_t hist_size
    int64_t* free_list
    Py_ssize_t n_free


cdef int _pool_take(HistPool* pool, int64_t* out) noexcept nogil:
    """Pop a free slot, doubling the pool (realloc) when none is left."""
    cdef Py_ssize_t old = pool.n_slots
    cdef Py_ssize_t new_n, s
    cdef double* data
    cdef int64_t* free_list
    if pool.n_free == 0:
        new_n = 2 * old if old > 0 else 4
        data = <double*>realloc(pool.data, new_n * pool.hist_size * sizeof(double))
        if data == NULL:
            return -1
        pool.data = data
        free_list = <int64_t*>realloc(pool.free_list, new_n * sizeof(int64_t))
        if free_list == NULL:
            return -1
        pool.free_list = free_list
        for s in range(new_n - 1, old - 1, -1):
            pool.free_list[pool.n_free] = s
            pool.n_free += 1
        pool.n_slots = new_n
    pool.n_free -= 1
    out[0] = pool.free_list[pool.n_free]
    return 0


cdef inline void _pool_give(HistPool* pool, int64_t* slot) noexcept nogil:
    if slot[0] >= 0:
        pool.free_list[pool.n_free] = slot[0]
        pool.n_free += 1
        slot[0] = -1


cdef class GrowWorkspace:
    """Scratch memory reused by :func:`grow_tree` across the trees of one fit.

    Holds the histogram pool (grown on demand, never shrunk) and two partial
    histograms per thread. Not picklable and not part of any fitted state.

    Parameters
    ----------
    n_features : int
    stride : int
        Histogram slots per feature (kernels/hist/build.py ``hist_stride``).
    n_threads : int
        Threads the trees will be grown with.
    n_slots : int, default=8
        Initial number of histograms in the pool.
    """

    cdef HistPool pool
    cdef double* partial
    cdef double* scan_partial      # per-thread histograms of the row-scan grower
    cdef Py_ssize_t scan_capacity  # histograms it holds
    cdef readonly Py_ssize_t n_threads
    cdef readonly Py_ssize_t hist_size

    def __cinit__(self, Py_ssize_t n_features, Py_ssize_t stride, Py_ssize_t n_threads,
                  Py_ssize_t n_slots=8):
        if n_features < 1 or stride < 2 or n_threads < 1 or n_slots < 1:
            raise ValueError("GrowWorkspace needs n_features, n_threads, n_slots >= 1 "
                             "and stride >= 2.")
        self.hist_size = 2 * n_features * stride
        self.n_threads = n_threads
        self.pool.hist_size = self.hist_size
        self.pool.n_slots = n_slots
        self.pool.n_free = 0
        self.pool.data = <double*>malloc(n_slots * self.hist_size * sizeof(double))
        self.pool.free_list = <int64_t*>malloc(n_slots * sizeof(int64_t))
        self.partial = NULL  # allocated by the first grow_tree call
        self.scan_partial = NULL
        self.scan_capacity = 0
        if self.pool.data == NULL or self.pool.free_list == NULL:
            raise MemoryError("cannot allocate the histogram pool")

    def __dealloc__(self):
        free(self.pool.data)
        free(self.pool.free_list)
        free(self.partial)
        free(self.scan_partial)

    cdef int ensure_partial(self) noexcept nogil:
        """The partial histograms of the index grower (allocated on first use)."""
        if self.partial == NULL:
            self.partial = <double*>malloc(
                2 * self.n_threads * TASKS_PER_THREAD * self.hist_size * sizeof(double))
        return 0 if self.partial != NULL else -1

    cdef int ensure_scan(self, Py_ssize_t n_hists) noexcept nogil:
        """Room for ``n_hists`` histograms in ``scan_partial`` (realloc)."""
        cdef double* grown
        if n_hists <= self.scan_capacity:
            return 0
        grown = <double*>realloc(self.scan_partial,
                                 n_hists * self.hist_size * sizeof(double))
        if grown == NULL:
            return -1
        self.scan_partial = grown
        self.scan_capacity = n_hists
        return 0

    @property
    def n_slots(self):
        """Histograms the pool currently holds."""
        return self.pool.n_slots

    def __reduce__(self):
        raise TypeError("GrowWorkspace is scratch memory and cannot be pickled")


# --- tree growth ------------------------------------------------------------------

cdef struct GrowParams:
    SplitParams split
    double gamma
    double learning_rate
    int64_t max_depth
    int64_t max_leaves
    bint lossguide


cdef struct TreeOut:
    int32_t* feature
    int32_t* split_bin
    double* threshold
    uint8_t* default_left
    int32_t* left
    int32_t* right
    double* value
    double* gain
    double* cover


cdef void _fused_segment(
    const bin_t* bins, Py_ssize_t n_features, const float* gh, const int32_t* idx,
    int32_t* tmp, Py_ssize_t lo, Py_ssize_t hi, int64_t feature, int64_t split_bin,
    bint default_left, Py_ssize_t missing_bin, int small_left, double scale_g,
    double scale_h, Py_ssize_t stride, const int32_t* features, Py_ssize_t n_active,
    bint all_features, double* hist, int64_t* piece_left,
) noexcept nogil:
    """Partition ``idx[lo:hi]`` into tmp piece by piece (``PIECE`` rows, left rows
    first from the piece's start, right rows reversed from its end; the left count
    of piece j goes to ``piece_left[j]``) and, right after each piece, add its
    small-side rows (``small_left``: 1 left, 0 right, -1 none) to ``hist``: their
    bins are still in cache, and no row needs a data-dependent branch."""
    cdef Py_ssize_t a, b, n_l, j = 0
    a = lo
    while a < hi:
        b = a + PIECE if a + PIECE < hi else hi
        n_l = _partition_block(bins, n_features, idx, tmp, a, b, feature, split_bin,
                               default_left, missing_bin)
        piece_left[j] = n_l
        if small_left == 1:
            _accumulate(bins, n_features, gh, tmp, a, a + n_l, scale_g, scale_h,
                        stride, features, n_active, all_features, hist)
        elif small_left == 0:
            _accumulate(bins, n_features, gh, tmp, a + n_l, b, scale_g, scale_h,
                        stride, features, n_active, all_features, hist)
        a = b
        j += 1


cdef int _fused_level(
    const bin_t* bins, Py_ssize_t n_features, const float* gh, int32_t* idx,
    int32_t* tmp, const int64_t* splits, const int64_t* small, Py_ssize_t n_nodes,
    Py_ssize_t missing_bin, double scale_g, double scale_h, Py_ssize_t stride,
    const int32_t* features, Py_ssize_t n_active, bint all_features, double* pool,
    double* partial, Py_ssize_t hist_size, Py_ssize_t max_tasks, int n_threads,
    int64_t* out_n_left,
) noexcept nogil:
    """Partition every node of a batch and build the histogram of one child of each.

    ``splits`` rows: begin, end, feature, split_bin, default_left; ``small`` rows:
    side (1 left, 0 right, -1 no histogram), pool slot. The concatenated rows are cut
    into equal thread ranges (tasks); a (task, node) intersection is a segment,
    processed in pieces of ``PIECE`` rows: each piece is partitioned into tmp, then
    its small-side rows go to the child's histogram while their bins are in cache
    (into the pool slot when the segment is the whole node, else into a per-task
    partial added afterwards: exact sums, any order). Finally the pieces are copied
    back in place (stable: left rows first). Returns -1 when out of memory.
    """
    cdef Py_ssize_t k, t, s, n_tasks, n_segs, i, c, n_copy, n_pieces, j, part
    cdef int64_t total, lo, hi, c0, c1, a, b, off, rows
    cdef int64_t work = 0
    cdef int64_t* cum = <int64_t*>malloc((n_nodes + 1) * sizeof(int64_t))
    if cum == NULL:
        return -1
    cum[0] = 0
    for k in range(n_nodes):
        cum[k + 1] = cum[k] + (splits[5 * k + 1] - splits[5 * k])
        if small[2 * k] >= 0:
            work += n_active * (splits[5 * k + 1] - splits[5 * k]) // 2
        else:
            work += (splits[5 * k + 1] - splits[5 * k]) // 4
    total = cum[n_nodes]
    n_tasks = work // MIN_WORK_PER_TASK
    if n_tasks > max_tasks:
        n_tasks = max_tasks
    if n_tasks < 1:
        n_tasks = 1
    # Segments: per task, its nodes in order. seg rows: lo, hi, node, hist target
    # (-1 none, -2 pool slot, else partial index), first piece index.
    n_segs = n_tasks + n_nodes
    cdef int64_t* seg = <int64_t*>malloc((5 * n_segs + 1) * sizeof(int64_t))
    cdef int64_t* task_seg = <int64_t*>malloc((n_tasks + 1) * sizeof(int64_t))
    if seg == NULL or task_seg == NULL:
        free(cum)
        free(seg)
        free(task_seg)
        return -1
    s = 0
    n_pieces = 0
    for t in range(n_tasks):
        task_seg[t] = s
        lo = _task_lo(t, n_tasks, total)
        hi = _task_lo(t + 1, n_tasks, total)
        if hi <= lo:
            continue
        k = _node_at(cum, n_nodes, lo)
        part = 0
        while k < n_nodes and cum[k] < hi:
            c0 = cum[k]
            c1 = cum[k + 1]
            if c1 > c0:
                a = lo if lo > c0 else c0
                b = hi if hi < c1 else c1
                off = splits[5 * k] - c0
                seg[5 * s] = a + off
                seg[5 * s + 1] = b + off
                seg[5 * s + 2] = k
                if small[2 * k] < 0:
                    seg[5 * s + 3] = -1
                elif a == c0 and b == c1:
                    seg[5 * s + 3] = -2
                else:
                    seg[5 * s + 3] = 2 * t + (0 if part == 0 else 1)
                    part += 1
                seg[5 * s + 4] = n_pieces
                n_pieces += (b - a + PIECE - 1) // PIECE
                s += 1
            k += 1
    task_seg[n_tasks] = s
    n_segs = s
    cdef int64_t* piece_left = <int64_t*>malloc((n_pieces + 1) * sizeof(int64_t))
    if piece_left == NULL:
        free(cum)
        free(seg)
        free(task_seg)
        return -1
    for k in range(n_nodes):
        if small[2 * k] >= 0:
            memset(pool + small[2 * k + 1] * hist_size, 0, hist_size * sizeof(double))
    if n_tasks == 1 or n_threads <= 1:
        for t in range(n_tasks):
            _fused_task(t, task_seg, seg, piece_left, bins, n_features, gh, idx, tmp,
                        splits, small, missing_bin, scale_g, scale_h, stride, features,
                        n_active, all_features, pool, partial, hist_size)
    else:
        for t in prange(n_tasks, num_threads=n_threads, schedule="dynamic"):
            _fused_task(t, task_seg, seg, piece_left, bins, n_features, gh, idx, tmp,
                        splits, small, missing_bin, scale_g, scale_h, stride, features,
                        n_active, all_features, pool, partial, hist_size)
    # Partials of cut nodes.
    for s in range(n_segs):
        if seg[5 * s + 3] >= 0:
            k = seg[5 * s + 2]
            for i in range(hist_size):
                pool[small[2 * k + 1] * hist_size + i] += partial[seg[5 * s + 3] * hist_size + i]
    # Left counts per node, then copy tasks (one per piece side, in order).
    for k in range(n_nodes):
        out_n_left[k] = 0
    for s in range(n_segs):
        k = seg[5 * s + 2]
        lo = seg[5 * s]
        hi = seg[5 * s + 1]
        j = seg[5 * s + 4]
        while lo < hi:
            out_n_left[k] += piece_left[j]
            lo += PIECE
            j += 1
    cdef int64_t* lpos = <int64_t*>malloc((2 * n_nodes + 1) * sizeof(int64_t))
    cdef int64_t* copy = <int64_t*>malloc((8 * n_pieces + 1) * sizeof(int64_t))
    if lpos == NULL or copy == NULL:
        free(cum)
        free(seg)
        free(task_seg)
        free(piece_left)
        free(lpos)
        free(copy)
        return -1
    for k in range(n_nodes):
        lpos[2 * k] = splits[5 * k]                     # next left destination
        lpos[2 * k + 1] = splits[5 * k] + out_n_left[k]  # next right destination
    # copy rows: src, dst, count, reversed
    c = 0
    for s in range(n_segs):
        k = seg[5 * s + 2]
        lo = seg[5 * s]
        hi = seg[5 * s + 1]
        j = seg[5 * s + 4]
        while lo < hi:
            b = lo + PIECE if lo + PIECE < hi else hi
            rows = piece_left[j]
            copy[4 * c] = lo
            copy[4 * c + 1] = lpos[2 * k]
            copy[4 * c + 2] = rows
            copy[4 * c + 3] = 0
            lpos[2 * k] += rows
            c += 1
            rows = (b - lo) - piece_left[j]
            copy[4 * c] = b - 1  # right rows sit reversed at tmp[b - 1 - i]
            copy[4 * c + 1] = lpos[2 * k + 1]
            copy[4 * c + 2] = rows
            copy[4 * c + 3] = 1
            lpos[2 * k + 1] += rows
            c += 1
            lo = b
            j += 1
    n_copy = c
    if total < MIN_PARALLEL_ROWS or n_threads <= 1:
        for c in range(n_copy):
            _copy_task(idx, tmp, copy, c)
    else:
        for c in prange(n_copy, num_threads=n_threads, schedule="static"):
            _copy_task(idx, tmp, copy, c)
    free(cum)
    free(seg)
    free(task_seg)
    free(piece_left)
    free(lpos)
    free(copy)
    return 0


cdef inline void _copy_task(int32_t* idx, const int32_t* tmp, const int64_t* copy,
                            Py_ssize_t c) noexcept nogil:
    cdef int64_t src = copy[4 * c]
    cdef int64_t dst = copy[4 * c + 1]
    cdef int64_t n = copy[4 * c + 2]
    cdef int64_t j
    if copy[4 * c + 3] == 0:
        for j in range(n):
            idx[dst + j] = tmp[src + j]
    else:
        for j in range(n):
            idx[dst + j] = tmp[src - j]


cdef void _fused_task(
    Py_ssize_t t, const int64_t* task_seg, const int64_t* seg, int64_t* piece_left,
    const bin_t* bins, Py_ssize_t n_features, const float* gh, const int32_t* idx,
    int32_t* tmp, const int64_t* splits, const int64_t* small, Py_ssize_t missing_bin,
    double scale_g, double scale_h, Py_ssize_t stride, const int32_t* features,
    Py_ssize_t n_active, bint all_features, double* pool, double* partial,
    Py_ssize_t hist_size,
) noexcept nogil:
    cdef Py_ssize_t s, k
    cdef double* hist
    cdef int side
    for s in range(task_seg[t], task_seg[t + 1]):
        k = seg[5 * s + 2]
        side = <int>small[2 * k]
        if seg[5 * s + 3] == -1:
            hist = NULL
            side = -1
        elif seg[5 * s + 3] == -2:
            hist = pool + small[2 * k + 1] * hist_size
        else:
            hist = partial + seg[5 * s + 3] * hist_size
            memset(hist, 0, hist_size * sizeof(double))
        _fused_segment(
            bins, n_features, gh, idx, tmp, seg[5 * s], seg[5 * s + 1],
            splits[5 * k + 2], splits[5 * k + 3], splits[5 * k + 4] != 0, missing_bin,
            side, scale_g, scale_h, stride, features, n_active, all_features, hist,
            piece_left + seg[5 * s + 4],
        )


cdef Py_ssize_t _grow_tree(
    const bin_t* bins,
    Py_ssize_t n_features,
    const float* gh,
    int32_t* idx,
    int32_t* tmp,
    Py_ssize_t n_rows,
    const int32_t* features,
    Py_ssize_t n_active,
    bint all_features,
    const int32_t* n_bins,
    const double* cut_values,
    const int64_t* cut_ptr,
    Py_ssize_t missing_bin,
    Py_ssize_t stride,
    const GrowParams* gp,
    HistPool* pool,
    double* partial,
    int n_threads,
    double* raw,
    Py_ssize_t n_groups,
    Py_ssize_t group,
    Py_ssize_t capacity,
    TreeOut* out,
) noexcept nogil:
    """Grow one tree (see kernels/gbdt/grow.py); return the node count, or -1 when
    out of memory."""
    cdef const SplitParams* sp = &gp.split
    cdef Py_ssize_t max_tasks = n_threads * TASKS_PER_THREAD if n_threads > 1 else 1
    cdef double mcw = sp.min_child_weight
    cdef double keep_gain = gp.gamma if gp.gamma > KEEP_EPS else KEEP_EPS
    cdef Py_ssize_t hist_size = pool.hist_size
    cdef double scale_g, scale_h, inv_sg, inv_sh, gq, hq
    cdef Py_ssize_t i, j, k, nd, p, lc, rc, small, large, best
    cdef Py_ssize_t n_nodes = 1, n_leaves = 1, n_open = 0, n_build = 0, n_find = 0
    cdef Py_ssize_t n_batch, leaves_after, n_split_rows, n_leaf, n_pairs
    cdef int split_threads
    cdef int64_t mid, s, ps
    cdef bint depth_ok, l_ok, r_ok, root_hist
    cdef int status = 0
    cdef int64_t f, b
    cdef double g, h, v

    # Work memory: one block of int64 and one of double and one of SplitResult.
    cdef Py_ssize_t n_i64 = capacity * 18 + 1
    cdef int64_t* wi = <int64_t*>malloc(n_i64 * sizeof(int64_t))
    cdef double* wf = <double*>malloc((capacity * 3 + 1) * sizeof(double))
    cdef SplitResult* cand = <SplitResult*>malloc((capacity + 1) * sizeof(SplitResult))
    cdef SplitResult* res = <SplitResult*>malloc((capacity + 1) * sizeof(SplitResult))
    cdef SplitResult* pairs = <SplitResult*>malloc(
        (capacity * n_active + 1) * sizeof(SplitResult))
    if wi == NULL or wf == NULL or cand == NULL or res == NULL or pairs == NULL:
        free(wi)
        free(wf)
        free(cand)
        free(res)
        free(pairs)
        return -1
    cdef int64_t* begin = wi
    cdef int64_t* end = wi + capacity
    cdef int64_t* depth = wi + 2 * capacity
    cdef int64_t* slot = wi + 3 * capacity
    cdef int64_t* open_nodes = wi + 4 * capacity
    cdef int64_t* batch = wi + 5 * capacity
    cdef int64_t* to_build = wi + 6 * capacity  # 3 per node: begin, end, slot
    cdef int64_t* parent_slot = wi + 9 * capacity
    cdef int64_t* to_find = wi + 10 * capacity
    cdef int64_t* find_slot = wi + 11 * capacity
    cdef int64_t* cum = wi + 12 * capacity  # capacity + 1
    cdef int64_t* splits = wi + 13 * capacity  # 5 per node (capacity / 2 nodes)
    cdef int64_t* n_left = wi + 16 * capacity
    cdef int64_t* leaf_begin = wi + 17 * capacity
    cdef int64_t* small_side = parent_slot  # 2 per batch node (root build done)
    cdef int64_t* leaf_end = begin  # reused at the end (see below)
    cdef double* node_gq = wf
    cdef double* node_hq = wf + capacity
    cdef double* leaf_value = wf + 2 * capacity
    cdef double* find_gq
    cdef double* find_hq

    if _grid_scales_parallel(gh, idx, n_rows, n_threads, &scale_g, &scale_h) != 0:
        free(wi)
        free(wf)
        free(cand)
        free(res)
        free(pairs)
        return -1
    inv_sg = 1.0 / scale_g
    inv_sh = 1.0 / scale_h

    for i in range(capacity):
        slot[i] = -1
        out.left[i] = 0
        cand[i].gain = -INFINITY
    pool.n_free = 0
    for i in range(pool.n_slots - 1, -1, -1):
        pool.free_list[pool.n_free] = i
        pool.n_free += 1

    # Root sums: from the root histogram when it is built (every row has one bin of
    # each feature, so one feature's slots sum to the node: exactly), else a pass.
    gq = 0.0
    hq = 0.0
    root_hist = (n_rows >= 2 and gp.max_leaves != 1 and (gp.max_depth > 0 or gp.lossguide))
    if not root_hist:
        for p in range(n_rows):
            gq += floor(<double>gh[2 * idx[p]] * scale_g + 0.5)
            hq += floor(<double>gh[2 * idx[p] + 1] * scale_h + 0.5)
    begin[0] = 0
    end[0] = n_rows
    depth[0] = 0
    node_gq[0] = gq
    node_hq[0] = hq
    if root_hist:
        if _pool_take(pool, &s) != 0:
            status = -1
        else:
            slot[0] = s
            to_build[0] = 0
            to_build[1] = n_rows
            to_build[2] = s
            _build_histograms(
                bins, n_features, gh, idx, to_build, 1, features, n_active,
                all_features, stride, scale_g, scale_h, pool.data, partial, hist_size,
                max_tasks, MIN_WORK_PER_TASK, n_threads, cum,
            )
            f = features[0] if not all_features else 0
            for j in range(n_bins[f]):
                gq += pool.data[s * hist_size + 2 * (f * stride + j)]
                hq += pool.data[s * hist_size + 2 * (f * stride + j) + 1]
            gq += pool.data[s * hist_size + 2 * (f * stride + missing_bin)]
            hq += pool.data[s * hist_size + 2 * (f * stride + missing_bin) + 1]
            node_gq[0] = gq
            node_hq[0] = hq
            if hq * inv_sh >= 2.0 * mcw:
                to_find[0] = 0
                n_find = 1
            else:
                _pool_give(pool, &slot[0])

    # find_gq / find_hq live in the res/pairs-independent double scratch: allocate.
    find_gq = <double*>malloc((2 * capacity + 1) * sizeof(double))
    if find_gq == NULL:
        status = -1
    find_hq = find_gq + capacity

    while status == 0:
        # 2. Best split of each new node.
        if n_find > 0:
            for i in range(n_find):
                nd = to_find[i]
                find_slot[i] = slot[nd]
                find_gq[i] = node_gq[nd]
                find_hq[i] = node_hq[nd]
            n_pairs = n_find * n_active
            split_threads = n_threads if n_pairs * stride >= MIN_PARALLEL_SCAN else 1
            _find_best_splits(
                pool.data, hist_size, find_slot, find_gq, find_hq, n_find, features,
                n_active, n_bins, stride, missing_bin, inv_sg, inv_sh, sp,
                split_threads, pairs, res,
            )
            for i in range(n_find):
                nd = to_find[i]
                cand[nd] = res[i]
                if cand[nd].gain > keep_gain:
                    open_nodes[n_open] = nd
                    n_open += 1
                else:
                    _pool_give(pool, &slot[nd])
        n_build = 0
        n_find = 0
        if n_open == 0 or (gp.max_leaves > 0 and n_leaves >= gp.max_leaves):
            break

        # 3. The nodes to split now.
        n_batch = 0
        if gp.lossguide:
            best = 0
            for i in range(1, n_open):
                if (cand[open_nodes[i]].gain > cand[open_nodes[best]].gain or (
                        cand[open_nodes[i]].gain == cand[open_nodes[best]].gain
                        and open_nodes[i] < open_nodes[best])):
                    best = i
            batch[0] = open_nodes[best]
            n_batch = 1
            open_nodes[best] = open_nodes[n_open - 1]
            n_open -= 1
        else:
            # Depthwise: the open nodes are one level; split them in node order.
            for i in range(1, n_open):
                s = open_nodes[i]
                j = i - 1
                while j >= 0 and open_nodes[j] > s:
                    open_nodes[j + 1] = open_nodes[j]
                    j -= 1
                open_nodes[j + 1] = s
            for i in range(n_open):
                if gp.max_leaves > 0 and n_leaves + n_batch >= gp.max_leaves:
                    _pool_give(pool, &slot[open_nodes[i]])
                else:
                    batch[n_batch] = open_nodes[i]
                    n_batch += 1
            n_open = 0
        if n_nodes + 2 * n_batch > capacity:  # cannot happen with a right capacity
            for i in range(n_batch):
                _pool_give(pool, &slot[batch[i]])
            break

        # 4. Children plans: a histogram is built for the child with the smaller
        # hessian sum (the count proxy known before partitioning) when either child
        # may be split further; the other child will inherit the parent's slot.
        leaves_after = n_leaves + n_batch
        for i in range(n_batch):
            nd = batch[i]
            splits[5 * i] = begin[nd]
            splits[5 * i + 1] = end[nd]
            splits[5 * i + 2] = cand[nd].feature
            splits[5 * i + 3] = cand[nd].bin
            splits[5 * i + 4] = cand[nd].default_left
            depth_ok = gp.max_depth <= 0 or depth[nd] + 1 < gp.max_depth
            l_ok = depth_ok and cand[nd].hq_left * inv_sh >= 2.0 * mcw
            r_ok = depth_ok and (node_hq[nd] - cand[nd].hq_left) * inv_sh >= 2.0 * mcw
            small_side[2 * i] = -1
            small_side[2 * i + 1] = -1
            if (l_ok or r_ok) and not (gp.max_leaves > 0 and leaves_after >= gp.max_leaves):
                if _pool_take(pool, &s) != 0:
                    status = -1
                    break
                small_side[2 * i] = 1 if cand[nd].hq_left <= node_hq[nd] - cand[nd].hq_left else 0
                small_side[2 * i + 1] = s
        if status != 0:
            break

        # 5. One pass: partition the rows, build the small children's histograms.
        if _fused_level(
            bins, n_features, gh, idx, tmp, splits, small_side, n_batch, missing_bin,
            scale_g, scale_h, stride, features, n_active, all_features, pool.data,
            partial, hist_size, max_tasks, n_threads, n_left,
        ) != 0:
            status = -1
            break

        # 6. Children; the large one gets parent - small in the parent's slot.
        for i in range(n_batch):
            nd = batch[i]
            lc = n_nodes
            rc = n_nodes + 1
            n_nodes += 2
            out.left[nd] = <int32_t>lc
            out.right[nd] = <int32_t>rc
            mid = begin[nd] + n_left[i]
            begin[lc] = begin[nd]
            end[lc] = mid
            begin[rc] = mid
            end[rc] = end[nd]
            depth[lc] = depth[nd] + 1
            depth[rc] = depth[nd] + 1
            node_gq[lc] = cand[nd].gq_left
            node_hq[lc] = cand[nd].hq_left
            node_gq[rc] = node_gq[nd] - cand[nd].gq_left
            node_hq[rc] = node_hq[nd] - cand[nd].hq_left
            slot[lc] = -1
            slot[rc] = -1
            if small_side[2 * i] >= 0:
                if small_side[2 * i] == 1:
                    small = lc
                    large = rc
                else:
                    small = rc
                    large = lc
                s = small_side[2 * i + 1]
                ps = slot[nd]
                for j in range(hist_size):
                    pool.data[ps * hist_size + j] -= pool.data[s * hist_size + j]
                slot[small] = s
                slot[large] = ps
                slot[nd] = -1
                to_find[n_find] = lc
                to_find[n_find + 1] = rc
                n_find += 2
            else:
                _pool_give(pool, &slot[nd])
        n_leaves = leaves_after

    if status == 0:
        for i in range(n_open):
            _pool_give(pool, &slot[open_nodes[i]])
        # 6. Node arrays and the training predictions. Leaf ranges are collected
        # in leaf_begin / leaf_value, their ends in the (no longer needed) depth.
        n_leaf = 0
        for nd in range(n_nodes):
            g = node_gq[nd] * inv_sg
            h = node_hq[nd] * inv_sh
            out.cover[nd] = h
            if out.left[nd] > 0:
                f = cand[nd].feature
                b = cand[nd].bin
                out.feature[nd] = <int32_t>f
                out.split_bin[nd] = <int32_t>b
                out.default_left[nd] = <uint8_t>cand[nd].default_left
                out.gain[nd] = cand[nd].gain
                out.value[nd] = 0.0
                if b < 0:
                    out.threshold[nd] = -INFINITY
                elif b >= n_bins[f] - 1:
                    out.threshold[nd] = INFINITY
                else:
                    out.threshold[nd] = cut_values[cut_ptr[f] + b]
            else:
                out.feature[nd] = -1
                out.split_bin[nd] = -2
                out.default_left[nd] = 0
                out.left[nd] = -1
                out.right[nd] = -1
                out.gain[nd] = 0.0
                out.threshold[nd] = 0.0
                v = gp.learning_rate * _leaf_weight(g, h, sp)
                out.value[nd] = v
                leaf_begin[n_leaf] = begin[nd]
                depth[n_leaf] = end[nd]
                leaf_value[n_leaf] = v
                n_leaf += 1
        if _add_leaf_values(
            idx, leaf_begin, depth, leaf_value, n_leaf, raw, n_groups, group, n_threads
        ) != 0:
            status = -1

    free(wi)
    free(wf)
    free(cand)
    free(res)
    free(pairs)
    free(find_gq)
    if status != 0:
        return -1
    return n_nodes



# --- depthwise growth by row scans ---------------------------------------------------
#
# The depthwise grower above keeps the rows of each node contiguous in ``idx`` and
# partitions them level by level: each level reads every row of the dataset in node
# order, which for a deep level means a cache miss per row. This grower keeps instead
# the node of each row (``pos``) and processes a level with one *sequential* scan of
# all rows (thread ranges): the row's split-feature bin routes it to a child, and the
# rows landing in the small child of their node are added to that child's histogram
# (per-thread partial histograms, added up afterwards: exact sums, so the trees are
# bit-identical to the other grower's). No row index, no partition buffer.

cdef void _scan_rows(
    const bin_t* bins, Py_ssize_t n_features, const float* gh, int32_t* pos,
    Py_ssize_t lo, Py_ssize_t hi, const int64_t* table, bint root,
    Py_ssize_t missing_bin, double scale_g, double scale_h, Py_ssize_t stride,
    const int32_t* features, Py_ssize_t n_active, bint all_features, double* hists,
    Py_ssize_t hist_size,
) noexcept nogil:
    """Route rows ``[lo, hi)`` one level down and histogram the small-side ones.

    ``pos[r]``: node of row r, or ``~node`` (= -node - 1) for a row that only follows
    the tree (left out by subsampling: routed, never counted). ``table`` has 7
    entries per node id: feature, split_bin, default_left, left child, step (1 for a
    node split this level, 0 otherwise: its rows stay), small side (1 left, 0
    right, -1 none), index of the small child's histogram in ``hists``. Nodes that
    are not split have feature 0, split_bin -1... so the routing is the same
    branch-free code for every row. Rows are processed in chunks: the chunk is
    routed, its counted small-side rows are listed, then the listed rows (whose
    bins are in cache) are added to their histograms, so no row needs an
    unpredictable branch. With ``root``, every counted row goes to ``hists[0]``.
    """
    cdef int32_t buf_r[SCAN_CHUNK]
    cdef int32_t buf_k[SCAN_CHUNK]
    cdef Py_ssize_t c0, c1, r, j, m, f
    cdef int32_t p, sign, nd, go_left, child, small
    cdef const int64_t* e
    cdef Py_ssize_t b
    cdef const bin_t* row
    cdef double g, h
    cdef double* hp
    cdef Py_ssize_t step = 2 * stride
    c0 = lo
    while c0 < hi:
        c1 = c0 + SCAN_CHUNK if c0 + SCAN_CHUNK < hi else hi
        m = 0
        if root:
            for r in range(c0, c1):
                buf_r[m] = <int32_t>r
                buf_k[m] = 0
                m += pos[r] >= 0
        else:
            for r in range(c0, c1):
                p = pos[r]
                sign = p >> 31               # -1 for a row that is not counted
                nd = p ^ sign                # its node either way
                e = table + 7 * nd
                b = bins[r * n_features + e[0]]
                go_left = <int32_t>e[2] if b == missing_bin else <int32_t>(b <= e[1])
                child = <int32_t>(e[3] + e[4] * (1 - go_left))
                pos[r] = child ^ sign
                small = <int32_t>e[5]
                buf_r[m] = <int32_t>r
                buf_k[m] = <int32_t>e[6]
                m += (sign == 0) & (go_left == small)
        for j in range(m):
            r = buf_r[j]
            row = bins + r * n_features
            g = floor(<double>gh[2 * r] * scale_g + 0.5)
            h = floor(<double>gh[2 * r + 1] * scale_h + 0.5)
            hp = hists + buf_k[j] * hist_size
            if all_features:
                if bin_t is uint8_t:
                    fastml_hist_row_u8(row, n_features, g, h, step, hp)
                else:
                    fastml_hist_row_u16(row, n_features, g, h, step, hp)
            else:
                for f in range(n_active):
                    hp[features[f] * step + 2 * <Py_ssize_t>row[features[f]]] += g
                    hp[features[f] * step + 2 * <Py_ssize_t>row[features[f]] + 1] += h
        c0 = c1


cdef inline void _table_stay(int64_t* table, Py_ssize_t nd) noexcept nogil:
    """Table entry of a node that is not split: its rows stay (step 0)."""
    table[7 * nd] = 0
    table[7 * nd + 1] = -1
    table[7 * nd + 2] = 1
    table[7 * nd + 3] = nd
    table[7 * nd + 4] = 0
    table[7 * nd + 5] = -1
    table[7 * nd + 6] = 0


cdef int _grid_scales_pos(
    const float* gh, const int32_t* pos, Py_ssize_t n_rows, int n_threads,
    double* scale_g, double* scale_h,
) noexcept nogil:
    """Grid scales of the counted rows (``pos >= 0``), summed over fixed chunks of
    rows in chunk order (the same for any thread count)."""
    cdef Py_ssize_t n_chunks = (n_rows + BLOCK - 1) // BLOCK
    cdef Py_ssize_t c, r, lo, hi
    cdef double sg, sh
    if n_chunks < 1:
        n_chunks = 1
    cdef double* part = <double*>malloc(2 * n_chunks * sizeof(double))
    if part == NULL:
        return -1
    if n_rows < MIN_PARALLEL_ROWS or n_threads <= 1:
        for c in range(n_chunks):
            _pos_chunk_sums(gh, pos, n_rows, c, part)
    else:
        for c in prange(n_chunks, num_threads=n_threads, schedule="static"):
            _pos_chunk_sums(gh, pos, n_rows, c, part)
    sg = 0.0
    sh = 0.0
    for c in range(n_chunks):
        sg += part[2 * c]
        sh += part[2 * c + 1]
    free(part)
    scale_g[0] = _pow2_scale(sg)
    scale_h[0] = _pow2_scale(sh)
    return 0


cdef inline void _pos_chunk_sums(const float* gh, const int32_t* pos, Py_ssize_t n_rows,
                                 Py_ssize_t c, double* part) noexcept nogil:
    cdef Py_ssize_t lo = c * BLOCK
    cdef Py_ssize_t hi = lo + BLOCK if lo + BLOCK < n_rows else n_rows
    cdef Py_ssize_t r
    cdef double sg = 0.0, sh = 0.0
    for r in range(lo, hi):
        if pos[r] >= 0:
            sg += fabs(<double>gh[2 * r])
            sh += fabs(<double>gh[2 * r + 1])
    part[2 * c] = sg
    part[2 * c + 1] = sh


cdef void _scan_level(
    const bin_t* bins, Py_ssize_t n_features, const float* gh, int32_t* pos,
    Py_ssize_t n_rows, const int64_t* table, bint root,
    Py_ssize_t n_hists, Py_ssize_t missing_bin, double scale_g, double scale_h,
    Py_ssize_t stride, const int32_t* features, Py_ssize_t n_active,
    bint all_features, double* partials, Py_ssize_t hist_size, int n_threads,
) noexcept nogil:
    """One scan of all rows in ``n_threads`` equal ranges; thread t fills its own
    ``n_hists`` partial histograms at ``partials + t * n_hists * hist_size``."""
    cdef Py_ssize_t t, lo, hi
    if n_threads <= 1:
        memset(partials, 0, n_hists * hist_size * sizeof(double))
        _scan_rows(bins, n_features, gh, pos, 0, n_rows, table, root,
                   missing_bin, scale_g, scale_h, stride, features, n_active,
                   all_features, partials, hist_size)
        return
    for t in prange(n_threads, num_threads=n_threads, schedule="static"):
        lo = (n_rows * t) // n_threads
        hi = (n_rows * (t + 1)) // n_threads
        memset(partials + t * n_hists * hist_size, 0,
               n_hists * hist_size * sizeof(double))
        _scan_rows(bins, n_features, gh, pos, lo, hi, table, root,
                   missing_bin, scale_g, scale_h, stride, features, n_active,
                   all_features, partials + t * n_hists * hist_size, hist_size)


cdef void _reduce_partials(const double* partials, Py_ssize_t n_hists,
                           Py_ssize_t n_threads, Py_ssize_t k, double* dst,
                           Py_ssize_t hist_size) noexcept nogil:
    """dst = sum over threads of partial histogram k (exact: any order)."""
    cdef Py_ssize_t t, j
    memcpy(dst, partials + k * hist_size, hist_size * sizeof(double))
    for t in range(1, n_threads):
        for j in range(hist_size):
            dst[j] += partials[(t * n_hists + k) * hist_size + j]


cdef Py_ssize_t _grow_tree_scan(
    const bin_t* bins,
    Py_ssize_t n_features,
    const float* gh,
    int32_t* pos,
    Py_ssize_t n_rows,
    const int32_t* features,
    Py_ssize_t n_active,
    bint all_features,
    const int32_t* n_bins,
    const double* cut_values,
    const int64_t* cut_ptr,
    Py_ssize_t missing_bin,
    Py_ssize_t stride,
    const GrowParams* gp,
    HistPool* pool,
    double* partials,
    Py_ssize_t max_small,
    int n_threads,
    double* raw,
    Py_ssize_t n_groups,
    Py_ssize_t group,
    Py_ssize_t capacity,
    TreeOut* out,
) noexcept nogil:
    """Depthwise growth by row scans (see above); returns the node count or -1."""
    cdef const SplitParams* sp = &gp.split
    cdef double mcw = sp.min_child_weight
    cdef double keep_gain = gp.gamma if gp.gamma > KEEP_EPS else KEEP_EPS
    cdef Py_ssize_t hist_size = pool.hist_size
    cdef double scale_g, scale_h, inv_sg, inv_sh, gq, hq, g, h, v
    cdef Py_ssize_t i, j, nd, lc, rc, small, large, n_batch, n_small, n_pairs, k
    cdef Py_ssize_t n_nodes = 1, n_leaves = 1, n_open = 0, n_find = 0, depth_now = 0
    cdef Py_ssize_t leaves_after, f, r
    cdef int split_threads
    cdef int64_t s, ps, b
    cdef bint depth_ok, l_ok, r_ok
    cdef int status = 0
    cdef int32_t p

    cdef int64_t* wi = <int64_t*>malloc((capacity * 18 + 1) * sizeof(int64_t))
    cdef double* wf = <double*>malloc((capacity * 5 + 1) * sizeof(double))
    cdef SplitResult* cand = <SplitResult*>malloc((capacity + 1) * sizeof(SplitResult))
    cdef SplitResult* res = <SplitResult*>malloc((capacity + 1) * sizeof(SplitResult))
    cdef SplitResult* pairs = <SplitResult*>malloc(
        (capacity * n_active + 1) * sizeof(SplitResult))
    if wi == NULL or wf == NULL or cand == NULL or res == NULL or pairs == NULL:
        free(wi)
        free(wf)
        free(cand)
        free(res)
        free(pairs)
        return -1
    cdef int64_t* slot = wi
    cdef int64_t* action = wi + capacity
    cdef int64_t* open_nodes = wi + 2 * capacity
    cdef int64_t* batch = wi + 3 * capacity
    cdef int64_t* to_find = wi + 4 * capacity
    cdef int64_t* find_slot = wi + 5 * capacity
    cdef int64_t* small_slot = wi + 6 * capacity
    cdef int64_t* depth = wi + 7 * capacity
    cdef int64_t* table = wi + 8 * capacity  # 7 per node id (see _scan_rows)
    cdef double* node_gq = wf
    cdef double* node_hq = wf + capacity
    cdef double* find_gq = wf + 2 * capacity
    cdef double* find_hq = wf + 3 * capacity
    cdef double* value = wf + 4 * capacity

    if _grid_scales_pos(gh, pos, n_rows, n_threads, &scale_g, &scale_h) != 0:
        status = -1
    inv_sg = 1.0 / scale_g
    inv_sh = 1.0 / scale_h
    for i in range(capacity):
        slot[i] = -1
        action[i] = -1
        out.left[i] = 0
        cand[i].gain = -INFINITY
        depth[i] = 0
        _table_stay(table, i)
    pool.n_free = 0
    for i in range(pool.n_slots - 1, -1, -1):
        pool.free_list[pool.n_free] = i
        pool.n_free += 1

    # Root: histogram of the counted rows, sums from it.
    gq = 0.0
    hq = 0.0
    if status == 0 and _pool_take(pool, &s) != 0:
        status = -1
    if status == 0:
        slot[0] = s
        _scan_level(bins, n_features, gh, pos, n_rows, table, True, 1,
                    missing_bin, scale_g, scale_h, stride, features, n_active,
                    all_features, partials, hist_size, n_threads)
        _reduce_partials(partials, 1, n_threads, 0, pool.data + s * hist_size,
                         hist_size)
        f = features[0] if not all_features else 0
        for j in range(n_bins[f]):
            gq += pool.data[s * hist_size + 2 * (f * stride + j)]
            hq += pool.data[s * hist_size + 2 * (f * stride + j) + 1]
        gq += pool.data[s * hist_size + 2 * (f * stride + missing_bin)]
        hq += pool.data[s * hist_size + 2 * (f * stride + missing_bin) + 1]
        node_gq[0] = gq
        node_hq[0] = hq
        if (gp.max_leaves != 1 and gp.max_depth > 0 and hq * inv_sh >= 2.0 * mcw):
            to_find[0] = 0
            n_find = 1
        else:
            _pool_give(pool, &slot[0])

    while status == 0:
        # 1. Best split of each new node.
        if n_find > 0:
            for i in range(n_find):
                nd = to_find[i]
                find_slot[i] = slot[nd]
                find_gq[i] = node_gq[nd]
                find_hq[i] = node_hq[nd]
            n_pairs = n_find * n_active
            split_threads = n_threads if n_pairs * stride >= MIN_PARALLEL_SCAN else 1
            _find_best_splits(
                pool.data, hist_size, find_slot, find_gq, find_hq, n_find, features,
                n_active, n_bins, stride, missing_bin, inv_sg, inv_sh, sp,
                split_threads, pairs, res,
            )
            for i in range(n_find):
                nd = to_find[i]
                cand[nd] = res[i]
                if cand[nd].gain > keep_gain and depth[nd] < gp.max_depth:
                    open_nodes[n_open] = nd
                    n_open += 1
                else:
                    _pool_give(pool, &slot[nd])
        n_find = 0
        if n_open == 0 or (gp.max_leaves > 0 and n_leaves >= gp.max_leaves):
            break
        # 2. This level's splits, in node order (open nodes are one level).
        for i in range(1, n_open):
            s = open_nodes[i]
            j = i - 1
            while j >= 0 and open_nodes[j] > s:
                open_nodes[j + 1] = open_nodes[j]
                j -= 1
            open_nodes[j + 1] = s
        n_batch = 0
        for i in range(n_open):
            if gp.max_leaves > 0 and n_leaves + n_batch >= gp.max_leaves:
                _pool_give(pool, &slot[open_nodes[i]])
            else:
                batch[n_batch] = open_nodes[i]
                n_batch += 1
        n_open = 0
        if n_nodes + 2 * n_batch > capacity:
            for i in range(n_batch):
                _pool_give(pool, &slot[batch[i]])
            break
        leaves_after = n_leaves + n_batch
        n_small = 0
        for i in range(n_batch):
            nd = batch[i]
            lc = n_nodes + 2 * i
            action[nd] = i
            table[7 * nd] = cand[nd].feature
            table[7 * nd + 1] = cand[nd].bin
            table[7 * nd + 2] = cand[nd].default_left
            table[7 * nd + 3] = lc
            table[7 * nd + 4] = 1
            table[7 * nd + 5] = -1
            table[7 * nd + 6] = 0
            depth_ok = depth[nd] + 1 < gp.max_depth
            l_ok = depth_ok and cand[nd].hq_left * inv_sh >= 2.0 * mcw
            r_ok = depth_ok and (node_hq[nd] - cand[nd].hq_left) * inv_sh >= 2.0 * mcw
            if ((l_ok or r_ok) and not (gp.max_leaves > 0 and leaves_after >= gp.max_leaves)
                    and n_small < max_small):
                if _pool_take(pool, &s) != 0:
                    status = -1
                    break
                table[7 * nd + 5] = 1 if cand[nd].hq_left <= node_hq[nd] - cand[nd].hq_left else 0
                table[7 * nd + 6] = n_small
                small_slot[n_small] = s
                n_small += 1
        if status != 0:
            break
        # 3. One scan: route every row, histogram the small children.
        _scan_level(bins, n_features, gh, pos, n_rows, table, False,
                    n_small if n_small > 0 else 1, missing_bin, scale_g, scale_h,
                    stride, features, n_active, all_features, partials, hist_size,
                    n_threads)
        if n_small > 0:
            if n_threads > 1 and n_small > 1:
                for k in prange(n_small, num_threads=n_threads, schedule="static"):
                    _reduce_partials(partials, n_small, n_threads, k,
                                     pool.data + small_slot[k] * hist_size, hist_size)
            else:
                for k in range(n_small):
                    _reduce_partials(partials, n_small, n_threads, k,
                                     pool.data + small_slot[k] * hist_size, hist_size)
        # 4. Children; the large one gets parent - small in the parent's slot.
        for i in range(n_batch):
            nd = batch[i]
            action[nd] = -1
            lc = n_nodes
            rc = n_nodes + 1
            n_nodes += 2
            out.left[nd] = <int32_t>lc
            out.right[nd] = <int32_t>rc
            depth[lc] = depth[nd] + 1
            depth[rc] = depth[nd] + 1
            node_gq[lc] = cand[nd].gq_left
            node_hq[lc] = cand[nd].hq_left
            node_gq[rc] = node_gq[nd] - cand[nd].gq_left
            node_hq[rc] = node_hq[nd] - cand[nd].hq_left
            slot[lc] = -1
            slot[rc] = -1
            if table[7 * nd + 5] >= 0:
                if table[7 * nd + 5] == 1:
                    small = lc
                    large = rc
                else:
                    small = rc
                    large = lc
                s = small_slot[table[7 * nd + 6]]
                ps = slot[nd]
                for j in range(hist_size):
                    pool.data[ps * hist_size + j] -= pool.data[s * hist_size + j]
                slot[small] = s
                slot[large] = ps
                slot[nd] = -1
                to_find[n_find] = lc
                to_find[n_find + 1] = rc
                n_find += 2
            else:
                _pool_give(pool, &slot[nd])
            _table_stay(table, nd)  # its rows have moved to the children
        n_leaves = leaves_after

    if status == 0:
        for i in range(n_open):
            _pool_give(pool, &slot[open_nodes[i]])
        for nd in range(n_nodes):
            g = node_gq[nd] * inv_sg
            h = node_hq[nd] * inv_sh
            out.cover[nd] = h
            value[nd] = 0.0
            if out.left[nd] > 0:
                f = cand[nd].feature
                b = cand[nd].bin
                out.feature[nd] = <int32_t>f
                out.split_bin[nd] = <int32_t>b
                out.default_left[nd] = <uint8_t>cand[nd].default_left
                out.gain[nd] = cand[nd].gain
                out.value[nd] = 0.0
                if b < 0:
                    out.threshold[nd] = -INFINITY
                elif b >= n_bins[f] - 1:
                    out.threshold[nd] = INFINITY
                else:
                    out.threshold[nd] = cut_values[cut_ptr[f] + b]
            else:
                out.feature[nd] = -1
                out.split_bin[nd] = -2
                out.default_left[nd] = 0
                out.left[nd] = -1
                out.right[nd] = -1
                out.gain[nd] = 0.0
                out.threshold[nd] = 0.0
                v = gp.learning_rate * _leaf_weight(g, h, sp)
                out.value[nd] = v
                value[nd] = v
        # Training predictions: every row (counted or not) adds its leaf's value.
        if n_rows < MIN_PARALLEL_ROWS or n_threads <= 1:
            for r in range(n_rows):
                p = pos[r]
                raw[r * n_groups + group] += value[-p - 1 if p < 0 else p]
        else:
            for r in prange(n_rows, num_threads=n_threads, schedule="static"):
                p = pos[r]
                raw[r * n_groups + group] += value[-p - 1 if p < 0 else p]

    free(wi)
    free(wf)
    free(cand)
    free(res)
    free(pairs)
    if status != 0:
        return -1
    return n_nodes


# --- Python entry points -----------------------------------------------------------

def fill_arange(int32_t[::1] out):
    """``out[i] = i`` in place (the all-rows index without a temporary array)."""
    cdef Py_ssize_t i
    with nogil:
        for i in range(out.shape[0]):
            out[i] = <int32_t>i


def _check_threads(int n_threads):
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}.")


def grid_scales(const float[:, ::1] gh, const int32_t[::1] idx):
    """Grid scales of the rows ``idx`` (see kernels/hist/build.py).

    Returns
    -------
    scale_g, scale_h : float
    """
    cdef double sg, sh
    with nogil:
        _grid_scales(&gh[0, 0] if gh.shape[0] else NULL, &idx[0] if idx.shape[0] else NULL,
                     idx.shape[0], &sg, &sh)
    return sg, sh


def build_histograms(
    const bin_t[:, ::1] bins,
    const float[:, ::1] gh,
    const int32_t[::1] idx,
    const int64_t[:, ::1] nodes,
    const int32_t[::1] features,
    bint all_features,
    Py_ssize_t stride,
    double scale_g,
    double scale_h,
    double[:, ::1] pool,
    Py_ssize_t n_tasks=1,
    Py_ssize_t min_work=MIN_WORK_PER_TASK,
    int n_threads=1,
):
    """Build the histograms of a batch of nodes into rows of ``pool``.

    See kernels/hist/build.py for the layout, the grid and the work split.
    ``n_tasks`` row ranges (at most, fewer when a task would get fewer than
    ``min_work`` updates) are built by ``n_threads`` threads; the result does not
    depend on either.
    """
    _check_threads(n_threads)
    if nodes.shape[1] != 3:
        raise ValueError("nodes must have shape (n_nodes, 3): begin, end, slot.")
    cdef Py_ssize_t n_nodes = nodes.shape[0]
    cdef Py_ssize_t n_features = bins.shape[1]
    cdef Py_ssize_t hist_size = 2 * n_features * stride
    if pool.shape[1] != hist_size:
        raise ValueError(f"pool rows must have 2 * n_features * stride = {hist_size} entries.")
    if n_tasks < 1:
        n_tasks = 1
    for k in range(n_nodes):
        if not (0 <= nodes[k, 0] <= nodes[k, 1] <= idx.shape[0]) or not (0 <= nodes[k, 2] < pool.shape[0]):
            raise ValueError("node ranges or slots out of bounds.")
    cdef Py_ssize_t n_active = n_features if all_features else features.shape[0]
    partial = np.empty((2 * n_tasks, hist_size), dtype=np.float64)
    cum = np.empty(n_nodes + 1, dtype=np.int64)
    cdef double[:, ::1] partial_v = partial
    cdef int64_t[::1] cum_v = cum
    cdef const int32_t* feat_ptr = &features[0] if features.shape[0] else NULL
    if n_nodes == 0:
        return
    with nogil:
        _build_histograms(
            &bins[0, 0] if bins.shape[0] else NULL, n_features,
            &gh[0, 0] if gh.shape[0] else NULL, &idx[0] if idx.shape[0] else NULL,
            &nodes[0, 0], n_nodes, feat_ptr, n_active, all_features, stride, scale_g,
            scale_h, &pool[0, 0], &partial_v[0, 0], hist_size, n_tasks, min_work,
            n_threads, &cum_v[0],
        )


def _split_params(const double[::1] params):
    if params.shape[0] < 4:
        raise ValueError("params must hold reg_lambda, reg_alpha, min_child_weight, "
                         "max_delta_step.")


def find_best_splits(
    const double[:, ::1] pool,
    const int64_t[::1] node_slot,
    const double[::1] node_gq,
    const double[::1] node_hq,
    const int32_t[::1] features,
    const int32_t[::1] n_bins,
    Py_ssize_t stride,
    Py_ssize_t missing_bin,
    double inv_sg,
    double inv_sh,
    const double[::1] params,
    int n_threads=1,
):
    """Best split of each node (see kernels/hist/split.py).

    Returns
    -------
    gain : ndarray of shape (n_nodes,), float64
        -inf when the node has no valid candidate.
    feature, split_bin, default_left : ndarray of shape (n_nodes,), int64
        feature -1 and split_bin -2 when there is none.
    gq_left, hq_left : ndarray of shape (n_nodes,), float64
        Left child's grid sums.
    """
    _check_threads(n_threads)
    _split_params(params)
    cdef Py_ssize_t n_nodes = node_slot.shape[0]
    cdef Py_ssize_t n_active = features.shape[0]
    cdef SplitParams sp
    sp.reg_lambda = params[0]
    sp.reg_alpha = params[1]
    sp.min_child_weight = params[2]
    sp.max_delta_step = params[3]
    for k in range(n_nodes):
        if not (0 <= node_slot[k] < pool.shape[0]):
            raise ValueError("node slot out of bounds.")
    for i in range(n_active):
        if not (0 <= features[i] < n_bins.shape[0]):
            raise ValueError("feature out of bounds.")
    gain = np.full(n_nodes, -np.inf)
    feat = np.full(n_nodes, -1, dtype=np.int64)
    sbin = np.full(n_nodes, -2, dtype=np.int64)
    dl = np.zeros(n_nodes, dtype=np.int64)
    gl = np.zeros(n_nodes)
    hl = np.zeros(n_nodes)
    if n_nodes == 0 or n_active == 0:
        return gain, feat, sbin, dl, gl, hl
    cdef SplitResult* pairs = <SplitResult*>malloc(n_nodes * n_active * sizeof(SplitResult))
    cdef SplitResult* res = <SplitResult*>malloc(n_nodes * sizeof(SplitResult))
    if pairs == NULL or res == NULL:
        free(pairs)
        free(res)
        raise MemoryError()
    with nogil:
        _find_best_splits(
            &pool[0, 0], pool.shape[1], &node_slot[0], &node_gq[0], &node_hq[0],
            n_nodes, &features[0], n_active, &n_bins[0], stride, missing_bin, inv_sg,
            inv_sh, &sp, n_threads, pairs, res,
        )
    for k in range(n_nodes):
        gain[k] = res[k].gain
        feat[k] = res[k].feature
        sbin[k] = res[k].bin
        dl[k] = res[k].default_left
        gl[k] = res[k].gq_left
        hl[k] = res[k].hq_left
    free(pairs)
    free(res)
    return gain, feat, sbin, dl, gl, hl


def leaf_weight(double g, double h, const double[::1] params):
    """Leaf weight ``-T(G) / (H + lambda)`` (clipped by max_delta_step; not shrunk by
    the learning rate); params: reg_lambda, reg_alpha, min_child_weight,
    max_delta_step."""
    _split_params(params)
    cdef SplitParams sp
    sp.reg_lambda = params[0]
    sp.reg_alpha = params[1]
    sp.min_child_weight = params[2]
    sp.max_delta_step = params[3]
    return _leaf_weight(g, h, &sp)


def similarity(double g, double h, const double[::1] params):
    """Similarity score (XGBoost's CalcGain) of a node with sums g, h."""
    _split_params(params)
    cdef SplitParams sp
    sp.reg_lambda = params[0]
    sp.reg_alpha = params[1]
    sp.min_child_weight = params[2]
    sp.max_delta_step = params[3]
    return _similarity(g, h, &sp)


def partition_rows(
    const bin_t[:, ::1] bins,
    int32_t[::1] idx,
    const int64_t[:, ::1] splits,
    Py_ssize_t missing_bin,
    int n_threads=1,
):
    """Stable in-place partition of the rows of each node (see
    kernels/gbdt/grow.py).

    Returns
    -------
    n_left : ndarray of shape (n_nodes,), int64
    """
    _check_threads(n_threads)
    if splits.shape[1] != 5:
        raise ValueError("splits must have shape (n_nodes, 5).")
    cdef Py_ssize_t n_nodes = splits.shape[0]
    cdef Py_ssize_t n_features = bins.shape[1]
    for k in range(n_nodes):
        if not (0 <= splits[k, 0] <= splits[k, 1] <= idx.shape[0]):
            raise ValueError("node range out of bounds.")
        if not (0 <= splits[k, 2] < n_features):
            raise ValueError("split feature out of bounds.")
    n_left = np.zeros(n_nodes, dtype=np.int64)
    cdef int64_t[::1] n_left_v = n_left
    tmp = np.empty(max(idx.shape[0], 1), dtype=np.int32)
    cdef int32_t[::1] tmp_v = tmp
    cdef int status = 0
    if n_nodes == 0 or idx.shape[0] == 0:
        return n_left
    with nogil:
        status = _partition_nodes(
            &bins[0, 0], n_features, &idx[0], &tmp_v[0], &splits[0, 0], n_nodes,
            missing_bin, n_threads, &n_left_v[0],
        )
    if status != 0:
        raise MemoryError()
    return n_left


def predict_tree_binned(
    const bin_t[:, ::1] bins,
    const int32_t[::1] rows,
    const int32_t[::1] feature,
    const int32_t[::1] split_bin,
    const uint8_t[::1] default_left,
    const int32_t[::1] left,
    const int32_t[::1] right,
    const double[::1] value,
    Py_ssize_t missing_bin,
    double[:, ::1] raw,
    Py_ssize_t group,
    int n_threads=1,
):
    """Add one tree's leaf values to ``raw[rows, group]`` from binned rows.

    The node arrays describe one tree (children relative to its root, node 0); a
    non-missing row goes left iff its bin ``<= split_bin``, a missing one iff
    ``default_left``. Parallel over blocks of rows.
    """
    _check_threads(n_threads)
    cdef Py_ssize_t n_rows = rows.shape[0]
    cdef Py_ssize_t n_groups = raw.shape[1]
    cdef Py_ssize_t n_tasks = (n_rows + BLOCK - 1) // BLOCK
    cdef Py_ssize_t t, lo, hi
    if feature.shape[0] == 0 or n_rows == 0:
        return
    if not (0 <= group < n_groups):
        raise ValueError("group out of bounds.")
    if n_rows < MIN_PARALLEL_ROWS:
        n_threads = 1
    with nogil:
        if n_threads <= 1:
            for t in range(n_tasks):
                lo = t * BLOCK
                hi = lo + BLOCK if lo + BLOCK < n_rows else n_rows
                _predict_binned_block(
                    &bins[0, 0], bins.shape[1], &rows[0], lo, hi, &feature[0],
                    &split_bin[0], &default_left[0], &left[0], &right[0], &value[0],
                    missing_bin, &raw[0, 0], n_groups, group,
                )
        else:
            for t in prange(n_tasks, num_threads=n_threads, schedule="static"):
                lo = t * BLOCK
                hi = lo + BLOCK if lo + BLOCK < n_rows else n_rows
                _predict_binned_block(
                    &bins[0, 0], bins.shape[1], &rows[0], lo, hi, &feature[0],
                    &split_bin[0], &default_left[0], &left[0], &right[0], &value[0],
                    missing_bin, &raw[0, 0], n_groups, group,
                )


def grow_tree(
    const bin_t[:, ::1] bins,
    const float[:, ::1] gh,
    int32_t[::1] idx,
    int32_t[::1] tmp,
    const int32_t[::1] features,
    bint all_features,
    const int32_t[::1] n_bins,
    const double[::1] cut_values,
    const int64_t[::1] cut_ptr,
    Py_ssize_t missing_bin,
    Py_ssize_t stride,
    const double[::1] params,
    Py_ssize_t max_depth,
    Py_ssize_t max_leaves,
    bint lossguide,
    GrowWorkspace workspace,
    double[:, ::1] raw,
    Py_ssize_t group,
    int32_t[::1] out_feature,
    int32_t[::1] out_split_bin,
    double[::1] out_threshold,
    uint8_t[::1] out_default_left,
    int32_t[::1] out_left,
    int32_t[::1] out_right,
    double[::1] out_value,
    double[::1] out_gain,
    double[::1] out_cover,
):
    """Grow one tree on the rows ``idx`` and add its leaves to ``raw[:, group]``.

    See kernels/gbdt/grow.py for the parameters and the algorithm. Returns the
    number of nodes written to the ``out_*`` arrays.
    """
    cdef Py_ssize_t n_rows = idx.shape[0]
    cdef Py_ssize_t n_features = bins.shape[1]
    cdef Py_ssize_t capacity = out_feature.shape[0]
    cdef Py_ssize_t n_active = n_features if all_features else features.shape[0]
    cdef int n_threads = <int>workspace.n_threads
    cdef GrowParams gp
    cdef TreeOut out
    cdef Py_ssize_t n_nodes
    if params.shape[0] < 6:
        raise ValueError("params must hold reg_lambda, reg_alpha, min_child_weight, "
                         "max_delta_step, gamma, learning_rate.")
    if workspace.hist_size != 2 * n_features * stride:
        raise ValueError("workspace does not match n_features and stride.")
    if tmp.shape[0] < n_rows or gh.shape[0] != bins.shape[0] or raw.shape[0] != bins.shape[0]:
        raise ValueError("tmp, gh or raw has the wrong length.")
    if not (0 <= group < raw.shape[1]):
        raise ValueError("group out of bounds.")
    if (out_split_bin.shape[0] != capacity or out_threshold.shape[0] != capacity
            or out_default_left.shape[0] != capacity or out_left.shape[0] != capacity
            or out_right.shape[0] != capacity or out_value.shape[0] != capacity
            or out_gain.shape[0] != capacity or out_cover.shape[0] != capacity):
        raise ValueError("the out_* arrays must have the same length.")
    if capacity < 1 or n_rows < 1 or n_active < 1:
        raise ValueError("grow_tree needs rows, candidate features and capacity >= 1.")
    if n_bins.shape[0] != n_features or cut_ptr.shape[0] != n_features + 1:
        raise ValueError("n_bins / cut_ptr do not match the number of features.")
    gp.split.reg_lambda = params[0]
    gp.split.reg_alpha = params[1]
    gp.split.min_child_weight = params[2]
    gp.split.max_delta_step = params[3]
    gp.gamma = params[4]
    gp.learning_rate = params[5]
    gp.max_depth = max_depth
    gp.max_leaves = max_leaves
    gp.lossguide = lossguide
    out.feature = &out_feature[0]
    out.split_bin = &out_split_bin[0]
    out.threshold = &out_threshold[0]
    out.default_left = &out_default_left[0]
    out.left = &out_left[0]
    out.right = &out_right[0]
    out.value = &out_value[0]
    out.gain = &out_gain[0]
    out.cover = &out_cover[0]
    cdef const int32_t* feat_ptr = &features[0] if features.shape[0] else NULL
    cdef const double* cuts_ptr = &cut_values[0] if cut_values.shape[0] else NULL
    if workspace.ensure_partial() != 0:
        raise MemoryError("cannot allocate the partial histograms")
    with nogil:
        n_nodes = _grow_tree(
            &bins[0, 0], n_features, &gh[0, 0], &idx[0], &tmp[0], n_rows, feat_ptr,
            n_active, all_features, &n_bins[0], cuts_ptr, &cut_ptr[0], missing_bin,
            stride, &gp, &workspace.pool, workspace.partial, n_threads, &raw[0, 0],
            raw.shape[1], group, capacity, &out,
        )
    if n_nodes < 0:
        raise MemoryError("out of memory while growing a tree")
    return n_nodes


def grow_tree_scan(
    const bin_t[:, ::1] bins,
    const float[:, ::1] gh,
    int32_t[::1] pos,
    const int32_t[::1] features,
    bint all_features,
    const int32_t[::1] n_bins,
    const double[::1] cut_values,
    const int64_t[::1] cut_ptr,
    Py_ssize_t missing_bin,
    Py_ssize_t stride,
    const double[::1] params,
    Py_ssize_t max_depth,
    Py_ssize_t max_leaves,
    GrowWorkspace workspace,
    double[:, ::1] raw,
    Py_ssize_t group,
    int32_t[::1] out_feature,
    int32_t[::1] out_split_bin,
    double[::1] out_threshold,
    uint8_t[::1] out_default_left,
    int32_t[::1] out_left,
    int32_t[::1] out_right,
    double[::1] out_value,
    double[::1] out_gain,
    double[::1] out_cover,
):
    """Depthwise growth by row scans: the same tree as :func:`grow_tree` (depthwise).

    ``pos`` (int32, n_samples) holds 0 for the rows the tree learns from and -1 for
    rows that only receive its predictions (subsampling); on return, the node of
    each row (``-node - 1`` for the others). ``max_depth`` must be >= 1. Every row
    (both kinds) gets its leaf value added to ``raw[:, group]``. Other parameters as
    :func:`grow_tree`. Returns the node count.
    """
    cdef Py_ssize_t n_rows = pos.shape[0]
    cdef Py_ssize_t n_features = bins.shape[1]
    cdef Py_ssize_t capacity = out_feature.shape[0]
    cdef Py_ssize_t n_active = n_features if all_features else features.shape[0]
    cdef int n_threads = <int>workspace.n_threads
    cdef Py_ssize_t max_small
    cdef GrowParams gp
    cdef TreeOut out
    cdef Py_ssize_t n_nodes
    if params.shape[0] < 6:
        raise ValueError("params must hold reg_lambda, reg_alpha, min_child_weight, "
                         "max_delta_step, gamma, learning_rate.")
    if max_depth < 1:
        raise ValueError("grow_tree_scan needs max_depth >= 1.")
    if workspace.hist_size != 2 * n_features * stride:
        raise ValueError("workspace does not match n_features and stride.")
    if gh.shape[0] != n_rows or raw.shape[0] != n_rows or bins.shape[0] != n_rows:
        raise ValueError("bins, gh, pos and raw must have the same number of rows.")
    if not (0 <= group < raw.shape[1]):
        raise ValueError("group out of bounds.")
    if (out_split_bin.shape[0] != capacity or out_threshold.shape[0] != capacity
            or out_default_left.shape[0] != capacity or out_left.shape[0] != capacity
            or out_right.shape[0] != capacity or out_value.shape[0] != capacity
            or out_gain.shape[0] != capacity or out_cover.shape[0] != capacity):
        raise ValueError("the out_* arrays must have the same length.")
    if capacity < 1 or n_rows < 1 or n_active < 1:
        raise ValueError("grow_tree_scan needs rows, candidate features and capacity >= 1.")
    if n_bins.shape[0] != n_features or cut_ptr.shape[0] != n_features + 1:
        raise ValueError("n_bins / cut_ptr do not match the number of features.")
    # Histograms built per level: one per split of a node at depth d <= max_depth - 2
    # (its children can still split), at most 2**(max_depth - 2) of them.
    max_small = min(1 << min(max(max_depth - 2, 0), 30), (capacity + 1) // 2)
    if workspace.ensure_scan(max(1, max_small) * n_threads) != 0:
        raise MemoryError("cannot allocate the per-thread histograms")
    gp.split.reg_lambda = params[0]
    gp.split.reg_alpha = params[1]
    gp.split.min_child_weight = params[2]
    gp.split.max_delta_step = params[3]
    gp.gamma = params[4]
    gp.learning_rate = params[5]
    gp.max_depth = max_depth
    gp.max_leaves = max_leaves
    gp.lossguide = False
    out.feature = &out_feature[0]
    out.split_bin = &out_split_bin[0]
    out.threshold = &out_threshold[0]
    out.default_left = &out_default_left[0]
    out.left = &out_left[0]
    out.right = &out_right[0]
    out.value = &out_value[0]
    out.gain = &out_gain[0]
    out.cover = &out_cover[0]
    cdef const int32_t* feat_ptr = &features[0] if features.shape[0] else NULL
    cdef const double* cuts_ptr = &cut_values[0] if cut_values.shape[0] else NULL
    with nogil:
        n_nodes = _grow_tree_scan(
            &bins[0, 0], n_features, &gh[0, 0], &pos[0], n_rows, feat_ptr, n_active,
            all_features, &n_bins[0], cuts_ptr, &cut_ptr[0], missing_bin, stride, &gp,
            &workspace.pool, workspace.scan_partial, max_small, n_threads, &raw[0, 0],
            raw.shape[1], group, capacity, &out,
        )
    if n_nodes < 0:
        raise MemoryError("out of memory while growing a tree")
    return n_nodes
