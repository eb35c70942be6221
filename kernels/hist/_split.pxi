# Split finding from histograms (textually included by kernels/gbdt/_grow.pyx).
#
# Documented in kernels/hist/split.py (XGBoost's gain, the two passes for missing
# values, tie-breaking); tested against tests/naive/hist.py by
# tests/kernels/test_hist.py.

cdef struct SplitParams:
    double reg_lambda
    double reg_alpha
    double min_child_weight
    double max_delta_step


cdef struct SplitResult:
    double gain      # -inf when no valid candidate
    double gq_left   # left child's grid sums
    double hq_left
    int64_t feature  # -1 when none
    int64_t bin      # rows with bin <= this go left; -1: only missing rows; -2: none
    int64_t default_left


# Near-ties: a candidate replaces the best one only when its gain is larger by more
# than this relative amount, so that the first candidate in scan order (lower feature,
# forward pass, lower bin) wins a tie regardless of float rounding in the sums (the
# gradients are float32, like XGBoost's, whose gains are compared in float32).
cdef double TIE_RTOL = 1e-6


cdef inline bint _better(double a, double b) noexcept nogil:
    """True when gain ``a`` beats the current best ``b`` (see TIE_RTOL)."""
    if b == -INFINITY:
        return a > b
    return a - b > TIE_RTOL * fabs(b)


cdef inline double _threshold_l1(double g, double alpha) noexcept nogil:
    if g > alpha:
        return g - alpha
    if g < -alpha:
        return g + alpha
    return 0.0


cdef inline double _leaf_weight(double g, double h, const SplitParams* p) noexcept nogil:
    """-T(G) / (H + lambda), clipped by max_delta_step; 0 when H < mcw or H <= 0."""
    cdef double w
    if h < p.min_child_weight or h <= 0.0:
        return 0.0
    w = -_threshold_l1(g, p.reg_alpha) / (h + p.reg_lambda)
    if p.max_delta_step > 0.0:
        if w > p.max_delta_step:
            w = p.max_delta_step
        elif w < -p.max_delta_step:
            w = -p.max_delta_step
    return w


cdef inline double _similarity(double g, double h, const SplitParams* p) noexcept nogil:
    """XGBoost's CalcGain: T(G)^2 / (H + lambda) (from the clipped weight when
    max_delta_step > 0); 0 when H < mcw or H <= 0."""
    cdef double t, w, ret
    if h < p.min_child_weight or h <= 0.0:
        return 0.0
    if p.max_delta_step == 0.0:
        t = _threshold_l1(g, p.reg_alpha)
        return t * t / (h + p.reg_lambda)
    w = _leaf_weight(g, h, p)
    ret = -(2.0 * g * w + (h + p.reg_lambda) * w * w)
    if p.reg_alpha != 0.0:
        ret += p.reg_alpha * fabs(w)
    return ret


cdef void _scan_feature(
    const double* hist,
    Py_ssize_t n_bins_f,
    Py_ssize_t missing_bin,
    double gq_node,
    double hq_node,
    double inv_sg,
    double inv_sh,
    const SplitParams* p,
    int64_t feature,
    SplitResult* out,
) noexcept nogil:
    """Best split of one feature of one node (``hist``: that feature's slots).

    Forward pass (missing right) over bins 0 .. n_bins - 1, then, if the node has
    missing values, backward pass (missing left). Strictly larger gains replace the
    current best, so ties keep the first candidate found.
    """
    cdef double mcw = p.min_child_weight
    cdef double parent_sim = _similarity(gq_node * inv_sg, hq_node * inv_sh, p)
    cdef double gl = 0.0
    cdef double hl = 0.0
    cdef double gr, hr, h_left, h_right, gain
    cdef Py_ssize_t b
    out.gain = -INFINITY
    out.gq_left = 0.0
    out.hq_left = 0.0
    out.feature = -1
    out.bin = -2
    out.default_left = 0
    for b in range(n_bins_f):
        gl += hist[2 * b]
        hl += hist[2 * b + 1]
        h_left = hl * inv_sh
        h_right = (hq_node - hl) * inv_sh
        if h_left >= mcw and h_right >= mcw and h_left > 0.0 and h_right > 0.0:
            gain = (
                _similarity(gl * inv_sg, h_left, p)
                + _similarity((gq_node - gl) * inv_sg, h_right, p)
                - parent_sim
            )
            if _better(gain, out.gain):
                out.gain = gain
                out.bin = b
                out.default_left = 0
                out.gq_left = gl
                out.hq_left = hl
    if hist[2 * missing_bin] != 0.0 or hist[2 * missing_bin + 1] != 0.0:
        gr = 0.0
        hr = 0.0
        for b in range(n_bins_f - 1, -1, -1):
            gr += hist[2 * b]
            hr += hist[2 * b + 1]
            h_right = hr * inv_sh
            h_left = (hq_node - hr) * inv_sh
            if h_left >= mcw and h_right >= mcw and h_left > 0.0 and h_right > 0.0:
                gain = (
                    _similarity((gq_node - gr) * inv_sg, h_left, p)
                    + _similarity(gr * inv_sg, h_right, p)
                    - parent_sim
                )
                if _better(gain, out.gain):
                    out.gain = gain
                    out.bin = b - 1
                    out.default_left = 1
                    out.gq_left = gq_node - gr
                    out.hq_left = hq_node - hr
    if out.bin > -2:
        out.feature = feature


cdef void _find_best_splits(
    const double* pool,
    Py_ssize_t hist_size,
    const int64_t* node_slot,
    const double* node_gq,
    const double* node_hq,
    Py_ssize_t n_nodes,
    const int32_t* features,
    Py_ssize_t n_active,
    const int32_t* n_bins,
    Py_ssize_t stride,
    Py_ssize_t missing_bin,
    double inv_sg,
    double inv_sh,
    const SplitParams* p,
    int n_threads,
    SplitResult* pairs,
    SplitResult* out,
) noexcept nogil:
    """Best split of each node: every (node, feature) pair is scanned (in parallel
    when ``n_threads > 1``) into ``pairs`` (n_nodes * n_active scratch), then each
    node keeps its best pair in feature order (ties: the lower feature)."""
    cdef Py_ssize_t n_pairs = n_nodes * n_active
    cdef Py_ssize_t q, k, i
    cdef int64_t f
    if n_threads <= 1 or n_pairs == 1:
        for q in range(n_pairs):
            k = q // n_active
            f = features[q % n_active]
            _scan_feature(
                pool + node_slot[k] * hist_size + 2 * f * stride, n_bins[f],
                missing_bin, node_gq[k], node_hq[k], inv_sg, inv_sh, p, f, &pairs[q],
            )
    else:
        for q in prange(n_pairs, num_threads=n_threads, schedule="static"):
            k = q // n_active
            f = features[q % n_active]
            _scan_feature(
                pool + node_slot[k] * hist_size + 2 * f * stride, n_bins[f],
                missing_bin, node_gq[k], node_hq[k], inv_sg, inv_sh, p, f, &pairs[q],
            )
    for k in range(n_nodes):
        out[k] = pairs[k * n_active]
        for i in range(1, n_active):
            if _better(pairs[k * n_active + i].gain, out[k].gain):
                out[k] = pairs[k * n_active + i]
