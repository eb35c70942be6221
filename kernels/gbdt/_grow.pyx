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


include "_partition.pxi"


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


include "_scan.pxi"


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
