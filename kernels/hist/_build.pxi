# Histogram building (textually included by kernels/gbdt/_grow.pyx).
#
# Documented in kernels/hist/build.py (layout, the integer gradient grid, the work
# split); tested against tests/naive/hist.py by tests/kernels/test_hist.py.

from libc.math cimport fabs, floor, frexp, ldexp, isfinite
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t
from libc.string cimport memset

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define FASTML_PREFETCH(p) __builtin_prefetch((const void*)(p), 0, 1)
    #else
    #define FASTML_PREFETCH(p) ((void)0)
    #endif
    """
    void FASTML_PREFETCH(const void* p) noexcept nogil

ctypedef fused bin_t:
    uint8_t
    uint16_t

cdef enum:
    # Rows ahead whose bins and gradients are prefetched in the histogram loop (the
    # rows of a deep node are scattered: a cache miss each).
    PREFETCH_AHEAD = 16
    # Below this many (row, feature) updates per task a batch uses fewer tasks (a
    # partial histogram costs about as much to clear and add as ~30k updates).
    MIN_WORK_PER_TASK = 131072
    # Wide data: with at least this many active features per thread, threads split
    # the features instead of the rows (no partial histograms to clear and add,
    # whose cost and memory grow with the width).
    FEATURES_PER_BLOCK = 64


cdef inline double _pow2_scale(double total) noexcept nogil:
    """2**(51 - e) with 2**(e - 1) <= total < 2**e; 1 for 0 or non-finite totals."""
    cdef int e
    if not (total > 0.0) or not isfinite(total):
        return 1.0
    frexp(total, &e)
    return ldexp(1.0, 51 - e)


cdef void _grid_scales(
    const float* gh, const int32_t* idx, Py_ssize_t n_rows, double* scale_g,
    double* scale_h,
) noexcept nogil:
    cdef double sum_g = 0.0
    cdef double sum_h = 0.0
    cdef Py_ssize_t p
    cdef int32_t r
    for p in range(n_rows):
        r = idx[p]
        sum_g += fabs(<double>gh[2 * r])
        sum_h += fabs(<double>gh[2 * r + 1])
    scale_g[0] = _pow2_scale(sum_g)
    scale_h[0] = _pow2_scale(sum_h)


cdef extern from *:
    """
    #include <math.h>
    #include <stddef.h>
    #include <stdint.h>
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif
    #if defined(__GNUC__) || defined(__clang__)
    #define FASTML_RESTRICT __restrict__
    #else
    #define FASTML_RESTRICT
    #endif

    /* One (g, h) pair added into the slot s of a histogram. */
    #if defined(__SSE2__)
    #define FASTML_ADD_PAIR(s, v, g, h) \
        _mm_storeu_pd((s), _mm_add_pd(_mm_loadu_pd(s), (v)))
    #define FASTML_PAIR_DECL(v, g, h) __m128d v = _mm_set_pd((h), (g))
    #else
    #define FASTML_ADD_PAIR(s, v, g, h) do { (s)[0] += (g); (s)[1] += (h); } while (0)
    #define FASTML_PAIR_DECL(v, g, h) int v = 0
    #endif

    /* Rows idx[begin:end] of every feature: the hot loop of histogram GBDT.
       hist: feature f at hist + f * step (step = 2 * stride doubles). */
    #define FASTML_DEFINE_HIST_ROWS(NAME, BIN_T)                                  \
    static void NAME(const BIN_T* FASTML_RESTRICT bins, ptrdiff_t n_features,      \
                     const float* FASTML_RESTRICT gh,                              \
                     const int32_t* FASTML_RESTRICT idx, ptrdiff_t begin,          \
                     ptrdiff_t end, double scale_g, double scale_h,                \
                     ptrdiff_t step, double* FASTML_RESTRICT hist)                 \
    {                                                                             \
        ptrdiff_t p, f;                                                           \
        for (p = begin; p < end; p++) {                                           \
            if (p + 16 < end) {                                                   \
                int32_t ra = idx[p + 16];                                         \
                FASTML_PREFETCH(bins + (ptrdiff_t)ra * n_features);               \
                FASTML_PREFETCH(bins + (ptrdiff_t)ra * n_features + n_features - 1); \
                FASTML_PREFETCH(gh + 2 * (ptrdiff_t)ra);                          \
            }                                                                     \
            const int32_t r = idx[p];                                             \
            const double g = floor((double)gh[2 * (ptrdiff_t)r] * scale_g + 0.5); \
            const double h = floor((double)gh[2 * (ptrdiff_t)r + 1] * scale_h + 0.5); \
            const BIN_T* row = bins + (ptrdiff_t)r * n_features;                  \
            FASTML_PAIR_DECL(v, g, h);                                            \
            double* hp = hist;                                                    \
            for (f = 0; f + 4 <= n_features; f += 4) {                            \
                double* s0 = hp + 2 * (ptrdiff_t)row[f];                          \
                double* s1 = hp + step + 2 * (ptrdiff_t)row[f + 1];               \
                double* s2 = hp + 2 * step + 2 * (ptrdiff_t)row[f + 2];           \
                double* s3 = hp + 3 * step + 2 * (ptrdiff_t)row[f + 3];           \
                FASTML_ADD_PAIR(s0, v, g, h);                                     \
                FASTML_ADD_PAIR(s1, v, g, h);                                     \
                FASTML_ADD_PAIR(s2, v, g, h);                                     \
                FASTML_ADD_PAIR(s3, v, g, h);                                     \
                hp += 4 * step;                                                   \
            }                                                                     \
            for (; f < n_features; f++) {                                         \
                double* s0 = hp + 2 * (ptrdiff_t)row[f];                          \
                FASTML_ADD_PAIR(s0, v, g, h);                                     \
                hp += step;                                                       \
            }                                                                     \
        }                                                                         \
    }
    FASTML_DEFINE_HIST_ROWS(fastml_hist_rows_u8, uint8_t)
    FASTML_DEFINE_HIST_ROWS(fastml_hist_rows_u16, uint16_t)

    /* One row (its bins `row`) added to every feature of `hist`. */
    #define FASTML_DEFINE_HIST_ROW(NAME, BIN_T)                                   \
    static inline void NAME(const BIN_T* FASTML_RESTRICT row, ptrdiff_t n_features, \
                            double g, double h, ptrdiff_t step,                    \
                            double* FASTML_RESTRICT hist)                          \
    {                                                                             \
        FASTML_PAIR_DECL(v, g, h);                                                \
        double* hp = hist;                                                        \
        ptrdiff_t f;                                                              \
        for (f = 0; f + 4 <= n_features; f += 4) {                                \
            double* s0 = hp + 2 * (ptrdiff_t)row[f];                              \
            double* s1 = hp + step + 2 * (ptrdiff_t)row[f + 1];                   \
            double* s2 = hp + 2 * step + 2 * (ptrdiff_t)row[f + 2];               \
            double* s3 = hp + 3 * step + 2 * (ptrdiff_t)row[f + 3];               \
            FASTML_ADD_PAIR(s0, v, g, h);                                         \
            FASTML_ADD_PAIR(s1, v, g, h);                                         \
            FASTML_ADD_PAIR(s2, v, g, h);                                         \
            FASTML_ADD_PAIR(s3, v, g, h);                                         \
            hp += 4 * step;                                                       \
        }                                                                         \
        for (; f < n_features; f++) {                                             \
            double* s0 = hp + 2 * (ptrdiff_t)row[f];                              \
            FASTML_ADD_PAIR(s0, v, g, h);                                         \
            hp += step;                                                           \
        }                                                                         \
    }
    FASTML_DEFINE_HIST_ROW(fastml_hist_row_u8, uint8_t)
    FASTML_DEFINE_HIST_ROW(fastml_hist_row_u16, uint16_t)
    """
    void fastml_hist_rows_u8(
        const uint8_t* bins, Py_ssize_t n_features, const float* gh,
        const int32_t* idx, Py_ssize_t begin, Py_ssize_t end, double scale_g,
        double scale_h, Py_ssize_t step, double* hist) noexcept nogil
    void fastml_hist_rows_u16(
        const uint16_t* bins, Py_ssize_t n_features, const float* gh,
        const int32_t* idx, Py_ssize_t begin, Py_ssize_t end, double scale_g,
        double scale_h, Py_ssize_t step, double* hist) noexcept nogil
    void fastml_hist_row_u8(const uint8_t* row, Py_ssize_t n_features, double g,
                            double h, Py_ssize_t step, double* hist) noexcept nogil
    void fastml_hist_row_u16(const uint16_t* row, Py_ssize_t n_features, double g,
                             double h, Py_ssize_t step, double* hist) noexcept nogil


cdef void _accumulate(
    const bin_t* bins,
    Py_ssize_t n_features,
    const float* gh,
    const int32_t* idx,
    Py_ssize_t begin,
    Py_ssize_t end,
    double scale_g,
    double scale_h,
    Py_ssize_t stride,
    const int32_t* features,
    Py_ssize_t n_active,
    bint all_features,
    double* hist,
) noexcept nogil:
    """Add rows ``idx[begin:end]`` to ``hist`` (grid values, pairs interleaved).

    All features: the C loop above (SSE2 pair adds, 4 features per step, rows
    prefetched ``PREFETCH_AHEAD`` ahead). A feature subset: the plain loop below.
    """
    cdef Py_ssize_t p, f, i, j
    cdef int32_t r, r_ahead
    cdef double g, h
    cdef const bin_t* row
    cdef Py_ssize_t step = 2 * stride
    if all_features:
        if bin_t is uint8_t:
            fastml_hist_rows_u8(bins, n_features, gh, idx, begin, end, scale_g,
                                scale_h, step, hist)
        else:
            fastml_hist_rows_u16(bins, n_features, gh, idx, begin, end, scale_g,
                                 scale_h, step, hist)
        return
    for p in range(begin, end):
        if p + PREFETCH_AHEAD < end:
            r_ahead = idx[p + PREFETCH_AHEAD]
            FASTML_PREFETCH(bins + r_ahead * n_features)
            FASTML_PREFETCH(bins + r_ahead * n_features + n_features - 1)
            FASTML_PREFETCH(gh + 2 * r_ahead)
        r = idx[p]
        g = floor(<double>gh[2 * r] * scale_g + 0.5)
        h = floor(<double>gh[2 * r + 1] * scale_h + 0.5)
        row = bins + r * n_features
        for i in range(n_active):
            f = features[i]
            j = f * step + 2 * <Py_ssize_t>row[f]
            hist[j] += g
            hist[j + 1] += h


cdef inline Py_ssize_t _node_at(const int64_t* cum, Py_ssize_t n_nodes, int64_t pos) noexcept nogil:
    """Largest k in [0, n_nodes] with ``cum[k] <= pos``."""
    cdef Py_ssize_t lo = 0
    cdef Py_ssize_t hi = n_nodes
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if cum[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


cdef inline int64_t _task_lo(Py_ssize_t t, Py_ssize_t n_tasks, int64_t total) noexcept nogil:
    return (total * t) // n_tasks


cdef void _hist_task(
    Py_ssize_t t,
    Py_ssize_t n_tasks,
    const int64_t* cum,
    const int64_t* nodes,
    Py_ssize_t n_nodes,
    const bin_t* bins,
    Py_ssize_t n_features,
    const float* gh,
    const int32_t* idx,
    const int32_t* features,
    Py_ssize_t n_active,
    bint all_features,
    Py_ssize_t stride,
    double scale_g,
    double scale_h,
    double* pool,
    double* partial,
    Py_ssize_t hist_size,
) noexcept nogil:
    """Task t: the rows of range t of the concatenated nodes (``nodes`` rows are
    ``begin, end, slot``). Whole nodes go to their pool slot, cut ones to
    ``partial[2 t]`` (the range's first node) or ``partial[2 t + 1]`` (its last)."""
    cdef int64_t total = cum[n_nodes]
    cdef int64_t lo = _task_lo(t, n_tasks, total)
    cdef int64_t hi = _task_lo(t + 1, n_tasks, total)
    cdef Py_ssize_t k
    cdef int64_t c0, c1, a, b, offset
    cdef bint first = True
    cdef double* hist
    if hi <= lo:
        return
    k = _node_at(cum, n_nodes, lo)
    while k < n_nodes and cum[k] < hi:
        c0 = cum[k]
        c1 = cum[k + 1]
        if c1 > c0:
            a = lo if lo > c0 else c0
            b = hi if hi < c1 else c1
            if a == c0 and b == c1:
                hist = pool + nodes[3 * k + 2] * hist_size
            elif first:
                hist = partial + (2 * t) * hist_size
            else:
                hist = partial + (2 * t + 1) * hist_size
            memset(hist, 0, hist_size * sizeof(double))
            offset = nodes[3 * k] - c0
            _accumulate(
                bins, n_features, gh, idx, a + offset, b + offset, scale_g, scale_h,
                stride, features, n_active, all_features, hist,
            )
        first = False
        k += 1


cdef void _finish_histograms(
    Py_ssize_t n_tasks,
    const int64_t* cum,
    const int64_t* nodes,
    Py_ssize_t n_nodes,
    double* pool,
    const double* partial,
    Py_ssize_t hist_size,
) noexcept nogil:
    """Clear empty nodes; add up the partial histograms of cut nodes (exact sums,
    so the order does not matter)."""
    cdef int64_t total = cum[n_nodes]
    cdef Py_ssize_t k, k_first, t, i
    cdef int64_t lo, hi, c0, c1
    cdef double* dst
    cdef const double* src
    for k in range(n_nodes):
        if cum[k + 1] == cum[k]:
            memset(pool + nodes[3 * k + 2] * hist_size, 0, hist_size * sizeof(double))
    # A node is cut when a task boundary falls strictly inside it.
    for t in range(1, n_tasks):
        lo = _task_lo(t, n_tasks, total)
        k = _node_at(cum, n_nodes, lo)
        if k < n_nodes and cum[k] < lo:
            memset(pool + nodes[3 * k + 2] * hist_size, 0, hist_size * sizeof(double))
    for t in range(n_tasks):
        lo = _task_lo(t, n_tasks, total)
        hi = _task_lo(t + 1, n_tasks, total)
        if hi <= lo:
            continue
        k_first = _node_at(cum, n_nodes, lo)
        k = k_first
        while k < n_nodes and cum[k] < hi:
            c0 = cum[k]
            c1 = cum[k + 1]
            if c1 > c0 and not (lo <= c0 and c1 <= hi):
                dst = pool + nodes[3 * k + 2] * hist_size
                if k == k_first:
                    src = partial + (2 * t) * hist_size
                else:
                    src = partial + (2 * t + 1) * hist_size
                for i in range(hist_size):
                    dst[i] += src[i]
            k += 1


cdef void _hist_feature_block(
    Py_ssize_t t,
    Py_ssize_t n_blocks,
    const int64_t* nodes,
    Py_ssize_t n_nodes,
    const bin_t* bins,
    Py_ssize_t n_features,
    const float* gh,
    const int32_t* idx,
    const int32_t* features,
    Py_ssize_t n_active,
    bint all_features,
    Py_ssize_t stride,
    double scale_g,
    double scale_h,
    double* pool,
    Py_ssize_t hist_size,
) noexcept nogil:
    """Task t of the feature-parallel build: active features ``[lo, hi)`` (positions
    in ``features``) of every node (``nodes`` rows are ``begin, end, slot``), into the
    nodes' pool slots."""
    cdef Py_ssize_t lo = (n_active * t) // n_blocks
    cdef Py_ssize_t hi = (n_active * (t + 1)) // n_blocks
    cdef Py_ssize_t step = 2 * stride
    cdef Py_ssize_t k, i, f, j
    cdef int64_t p
    cdef int32_t r
    cdef double g, h
    cdef double* hist
    cdef const bin_t* row
    for k in range(n_nodes):
        hist = pool + nodes[3 * k + 2] * hist_size
        for i in range(lo, hi):
            f = i if all_features else features[i]
            memset(hist + f * step, 0, step * sizeof(double))
        for p in range(nodes[3 * k], nodes[3 * k + 1]):
            r = idx[p]
            g = floor(<double>gh[2 * r] * scale_g + 0.5)
            h = floor(<double>gh[2 * r + 1] * scale_h + 0.5)
            row = bins + r * n_features
            for i in range(lo, hi):
                f = i if all_features else features[i]
                j = f * step + 2 * <Py_ssize_t>row[f]
                hist[j] += g
                hist[j + 1] += h


cdef Py_ssize_t _plan_histograms(
    const int64_t* nodes, Py_ssize_t n_nodes, Py_ssize_t n_active,
    Py_ssize_t max_tasks, int64_t min_work, int64_t* cum,
) noexcept nogil:
    """Fill ``cum`` (n_nodes + 1 row offsets); return the number of tasks."""
    cdef Py_ssize_t k
    cdef int64_t work, n_tasks
    cum[0] = 0
    for k in range(n_nodes):
        cum[k + 1] = cum[k] + (nodes[3 * k + 1] - nodes[3 * k])
    work = cum[n_nodes] * n_active
    if min_work < 1:
        min_work = 1
    n_tasks = work // min_work
    if n_tasks > max_tasks:
        n_tasks = max_tasks
    if n_tasks < 1:
        n_tasks = 1
    return n_tasks


cdef void _build_histograms(
    const bin_t* bins,
    Py_ssize_t n_features,
    const float* gh,
    const int32_t* idx,
    const int64_t* nodes,
    Py_ssize_t n_nodes,
    const int32_t* features,
    Py_ssize_t n_active,
    bint all_features,
    Py_ssize_t stride,
    double scale_g,
    double scale_h,
    double* pool,
    double* partial,
    Py_ssize_t hist_size,
    Py_ssize_t max_tasks,
    int64_t min_work,
    int n_threads,
    int64_t* cum,
) noexcept nogil:
    """Build the histograms of ``n_nodes`` nodes (``cum``: scratch of n_nodes + 1).

    Parallel over row ranges (per-task partial histograms for the nodes a range
    cuts), or, for wide data (``n_active >= FEATURES_PER_BLOCK * n_threads``), over
    blocks of features (each task owns its features' slots of every node). Sums on
    the integer grid are exact, so both give the same histograms.
    """
    cdef Py_ssize_t n_tasks = _plan_histograms(
        nodes, n_nodes, n_active, max_tasks, min_work, cum
    )
    cdef Py_ssize_t t, k
    if n_tasks > 1 and n_threads > 1 and n_active >= FEATURES_PER_BLOCK * n_threads:
        n_tasks = n_active // FEATURES_PER_BLOCK
        if n_tasks > max_tasks:
            n_tasks = max_tasks
        if not all_features:  # slots of the inactive features stay zero
            for k in range(n_nodes):
                memset(pool + nodes[3 * k + 2] * hist_size, 0, hist_size * sizeof(double))
        for t in prange(n_tasks, num_threads=n_threads, schedule="static"):
            _hist_feature_block(
                t, n_tasks, nodes, n_nodes, bins, n_features, gh, idx, features,
                n_active, all_features, stride, scale_g, scale_h, pool, hist_size,
            )
        return
    if n_tasks == 1 or n_threads <= 1:
        for t in range(n_tasks):
            _hist_task(
                t, n_tasks, cum, nodes, n_nodes, bins, n_features, gh, idx, features,
                n_active, all_features, stride, scale_g, scale_h, pool, partial,
                hist_size,
            )
    else:
        for t in prange(n_tasks, num_threads=n_threads, schedule="static"):
            _hist_task(
                t, n_tasks, cum, nodes, n_nodes, bins, n_features, gh, idx, features,
                n_active, all_features, stride, scale_g, scale_h, pool, partial,
                hist_size,
            )
    _finish_histograms(n_tasks, cum, nodes, n_nodes, pool, partial, hist_size)
