# Depthwise growth by row scans (textually included by kernels/gbdt/_grow.pyx;
# documented in kernels/gbdt/grow.py, ``grow_tree_scan``).

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
                # The missing bin is above every split bin, so b <= split_bin is
                # false for it; or-ing in its default direction keeps this branch-free.
                go_left = <int32_t>(b <= e[1]) | (<int32_t>(b == missing_bin) & <int32_t>e[2])
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
