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
    "store_gradients",
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


include "_pool.pxi"


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


include "_building_blocks.pxi"


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
