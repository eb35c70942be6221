# Python entry points to the building blocks of a tree: histograms, split finding,
# row partition and binned prediction (textually included by kernels/gbdt/_grow.pyx;
# re-exported and documented by kernels/hist/build.py, kernels/hist/split.py and
# kernels/gbdt/grow.py).

# --- Python entry points -----------------------------------------------------------

def fill_arange(int32_t[::1] out):
    """``out[i] = i`` in place (the all-rows index without a temporary array)."""
    cdef Py_ssize_t i
    with nogil:
        for i in range(out.shape[0]):
            out[i] = <int32_t>i


ctypedef fused pair_t:
    float
    double


def store_gradients(
    const double[::1] grad, const double[::1] hess, double min_hessian,
    pair_t[:, ::1] gh,
):
    """``gh[i] = (grad[i], max(hess[i], min_hessian))`` in gh's dtype (float32 for
    the histogram kernels, float64 for exact growth); NaN passes through."""
    cdef Py_ssize_t i, n = grad.shape[0]
    cdef double h
    if hess.shape[0] != n or gh.shape[0] != n or gh.shape[1] != 2:
        raise ValueError("store_gradients: shapes differ")
    with nogil:
        for i in range(n):
            h = hess[i]
            gh[i, 0] = <pair_t>grad[i]
            gh[i, 1] = <pair_t>(min_hessian if h < min_hessian else h)


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
