# Row partition, the fused level pass, leaf values and binned prediction
# (textually included by kernels/gbdt/_grow.pyx; documented in kernels/gbdt/grow.py).

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
