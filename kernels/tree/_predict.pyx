# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Prediction over flat tree arrays (Cython, OpenMP when available).

Compiled ahead of time so that the first prediction of a process and single-row
predictions are fast. Documented (tree format, semantics) in kernels/tree/predict.py,
which re-exports these functions.
"""

import numpy as np

cimport cython
from cython.parallel cimport prange
from libc.math cimport INFINITY
from libc.stdlib cimport free, malloc
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t

__all__ = [
    "predict_raw",
    "predict_values",
    "apply_tree",
    "predict_leaf",
    "pack_trees",
    "predict_packed",
    "simd_available",
    "PACKED_NODE_DTYPE",
    "SMALL_BATCH",
]

cdef enum:
    # Rows per parallel block; inputs of at most this many rows run serially.
    BLOCK_ROWS = 128

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


cdef void _values_block(
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
    Py_ssize_t n_values,
    const int64_t* tree_ptr,
    Py_ssize_t tree_start,
    Py_ssize_t tree_stop,
    double* out,
) noexcept nogil:
    # Tree-major inside a block (a tree's nodes stay in cache for all its rows);
    # every output row is summed over trees in tree order.
    cdef Py_ssize_t t, r, k, base, node
    cdef const double* leaf_row
    cdef double* out_row
    for t in range(tree_start, tree_stop):
        base = tree_ptr[t]
        for r in range(lo, hi):
            node = _leaf_of(
                X + r * n_features, feature, threshold, default_left, left, right, base
            )
            leaf_row = value + node * n_values
            out_row = out + r * n_values
            for k in range(n_values):
                out_row[k] += leaf_row[k]


def predict_values(
    const x_t[:, ::1] X,
    const int32_t[::1] feature,
    const double[::1] threshold,
    const uint8_t[::1] default_left,
    const int32_t[::1] left,
    const int32_t[::1] right,
    const double[:, ::1] value,
    const int64_t[::1] tree_ptr,
    Py_ssize_t tree_start,
    Py_ssize_t tree_stop,
    double[:, ::1] out,
    int n_threads=1,
):
    """Add the leaf rows ``value[leaf]`` of trees ``[tree_start, tree_stop)`` to
    ``out`` (vector-valued leaves: class fractions, regression outputs).

    ``value`` has shape (n_nodes, n_values), one row per node of the flat arrays;
    ``out`` has shape (n_samples, n_values). Each output row is the sum, in tree
    order, of the leaf rows reached (averaging over trees is the caller's). Blocks
    of ``SMALL_BATCH`` rows run in parallel (OpenMP), each summed by one thread, so
    results do not depend on ``n_threads``. Same node semantics as
    :func:`predict_raw` (``x < threshold`` goes left, NaN follows
    ``default_left``).
    """
    cdef Py_ssize_t n_rows = X.shape[0]
    cdef Py_ssize_t n_features = X.shape[1]
    cdef Py_ssize_t n_values = value.shape[1]
    cdef Py_ssize_t n_nodes = feature.shape[0]
    cdef Py_ssize_t n_blocks, b, lo, hi
    if not (0 <= tree_start <= tree_stop <= tree_ptr.shape[0] - 1):
        raise ValueError("tree range out of bounds.")
    if value.shape[0] != n_nodes:
        raise ValueError(
            f"value must have {n_nodes} rows (one per node), got {value.shape[0]}."
        )
    if out.shape[0] != n_rows or out.shape[1] != n_values:
        raise ValueError(
            f"out must have shape ({n_rows}, {n_values}), got "
            f"({out.shape[0]}, {out.shape[1]})."
        )
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}.")
    if n_rows == 0 or tree_stop == tree_start or n_values == 0:
        return
    cdef const x_t* Xp = &X[0, 0]
    cdef double* outp = &out[0, 0]
    n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    if n_blocks == 1 or n_threads == 1:
        with nogil:
            for b in range(n_blocks):
                lo = b * BLOCK_ROWS
                hi = lo + BLOCK_ROWS if lo + BLOCK_ROWS < n_rows else n_rows
                _values_block(
                    Xp, n_features, lo, hi, &feature[0], &threshold[0],
                    &default_left[0], &left[0], &right[0], &value[0, 0], n_values,
                    &tree_ptr[0], tree_start, tree_stop, outp,
                )
        return
    with nogil:
        for b in prange(n_blocks, num_threads=n_threads, schedule="static"):
            lo = b * BLOCK_ROWS
            hi = lo + BLOCK_ROWS if lo + BLOCK_ROWS < n_rows else n_rows
            _values_block(
                Xp, n_features, lo, hi, &feature[0], &threshold[0],
                &default_left[0], &left[0], &right[0], &value[0, 0], n_values,
                &tree_ptr[0], tree_start, tree_stop, outp,
            )


cdef enum:
    # Rows walked together by _walk_rows: their independent node loads overlap.
    WALK_GROUP = 8


cdef void _walk_rows(
    const x_t* X,
    Py_ssize_t n_features,
    Py_ssize_t lo,
    Py_ssize_t hi,
    const int32_t* feature,
    const double* threshold,
    const uint8_t* default_left,
    const int32_t* left,
    const int32_t* right,
    int64_t* out,
) noexcept nogil:
    """Leaf of rows [lo, hi) in one tree (root 0), WALK_GROUP rows at a time, each
    step of a row branch-free (the child picked arithmetically): a lone row's walk
    is a chain of dependent loads and mispredicted branches, while a group's steps
    are independent. The same leaves as :func:`_leaf_of`."""
    cdef int32_t node[WALK_GROUP]
    cdef Py_ssize_t r = lo
    cdef Py_ssize_t k
    cdef int32_t nd, f, go, l, rt
    cdef bint active
    cdef double x
    while r + WALK_GROUP <= hi:
        for k in range(WALK_GROUP):
            node[k] = 0
        active = True
        while active:
            active = False
            for k in range(WALK_GROUP):
                nd = node[k]
                f = feature[nd]
                if f >= 0:
                    x = X[(r + k) * n_features + f]
                    go = (x < threshold[nd]) | ((x != x) & (default_left[nd] != 0))
                    l = left[nd]
                    rt = right[nd]
                    node[k] = rt + (l - rt) * go
                    active = True
        for k in range(WALK_GROUP):
            out[r + k] = node[k]
        r += WALK_GROUP
    while r < hi:
        out[r] = _leaf_of(X + r * n_features, feature, threshold, default_left, left,
                          right, 0)
        r += 1


def apply_tree(
    const x_t[:, ::1] X,
    const int32_t[::1] feature,
    const double[::1] threshold,
    const uint8_t[::1] default_left,
    const int32_t[::1] left,
    const int32_t[::1] right,
    int64_t[::1] out,
    int n_threads=1,
):
    """Leaf (node id) reached by each row of X in ONE tree (flat arrays of that tree
    alone, root at 0), written to ``out`` (int64, n_samples). Serial loop when
    ``n_threads`` is 1 (no OpenMP region), else rows in parallel; same result."""
    cdef Py_ssize_t n_rows = X.shape[0]
    cdef Py_ssize_t n_features = X.shape[1]
    cdef Py_ssize_t r
    if out.shape[0] != n_rows:
        raise ValueError(f"out must have {n_rows} entries, got {out.shape[0]}.")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}.")
    if n_rows == 0 or feature.shape[0] == 0:
        return
    cdef const x_t* Xp = &X[0, 0]
    if n_threads == 1 or n_rows <= BLOCK_ROWS:
        with nogil:
            _walk_rows(Xp, n_features, 0, n_rows, &feature[0], &threshold[0],
                       &default_left[0], &left[0], &right[0], &out[0])
        return
    with nogil:
        for r in prange(n_rows, num_threads=n_threads, schedule="static"):
            out[r] = _leaf_of(Xp + r * n_features, &feature[0], &threshold[0],
                              &default_left[0], &left[0], &right[0], 0)


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


# --- packed trees: the fast path of the estimators ----------------------------------

cdef packed struct PackedNode:
    double threshold   # leaves: +inf (every value goes "left", i.e. stays)
    int32_t feature    # bits 0-29: feature; bit 30: NaN goes left (leaves: 1)
    int32_t next       # absolute index of the left child; right child = next + 1;
                       # leaves: their own index

PACKED_NODE_DTYPE = np.dtype(
    [("threshold", np.float64), ("feature", np.int32), ("next", np.int32)]
)

cdef enum:
    DEFAULT_LEFT_BIT = 1 << 30
    # Compact 32-bit node word of the SIMD walk: bits 0-14 feature, bit 15 NaN goes
    # left, bits 16-31 left child relative to the tree root (right = left + 1).
    COMPACT_MAX_FEATURES = 1 << 15
    COMPACT_MAX_NODES = 1 << 16
    # Blocks of at most this many features are transposed for the top levels.
    MAX_TRANSPOSED_FEATURES = 4096


cdef extern from *:
    """
    #include <math.h>
    #include <stdint.h>
    #include <string.h>
    #include <stddef.h>

    /* Smallest float32 >= t: for float32 x, (x < t) == (x < fastml_ceil32(t)). */
    static float fastml_ceil32(double t) {
        float f = (float)t;
        if (isnan(t)) return f;
        if ((double)f < t) f = nextafterf(f, INFINITY);
        return f;
    }

    /* One level of the scalar walk for a block of rows: branch-free. */
    #define FASTML_STEP(XT)                                                        \
    static inline void fastml_step_##XT(const XT* X, ptrdiff_t n_features,        \
                                        ptrdiff_t lo, ptrdiff_t hi,                 \
                                        const char* nodes, int32_t* pos)            \
    {                                                                              \
        for (ptrdiff_t r = lo; r < hi; r++) {                                      \
            const char* nd = nodes + 16 * (ptrdiff_t)pos[r - lo];                  \
            double thr; int32_t f, nx;                                             \
            memcpy(&thr, nd, 8); memcpy(&f, nd + 8, 4); memcpy(&nx, nd + 12, 4);   \
            const double x = (double)X[r * n_features + (f & 0x3fffffff)];         \
            const int lt = x < thr;                                                \
            const int nan_left = (x != x) & (f >> 30);                             \
            pos[r - lo] = nx + (1 - (lt | nan_left));                              \
        }                                                                          \
    }
    FASTML_STEP(float)
    FASTML_STEP(double)

    #if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
    #include <immintrin.h>
    #define FASTML_HAVE_AVX2_PATH 1
    static int fastml_cpu_avx2(void) {
        static int cached = -1;
        if (cached < 0) {
            __builtin_cpu_init();
            cached = __builtin_cpu_supports("avx2") ? 1 : 0;
        }
        return cached;
    }
    /* The walk of 128 rows (16 vectors of 8) through one tree of float32 data.
       Levels 0-2 (when the top of the tree is complete, top3 = 1) are evaluated
       without gathers: the nodes are known constants and XT (the block transposed,
       feature-major, 128 rows per feature) gives each candidate feature's values
       with plain loads, the candidates being chosen by blends. Deeper levels use
       the compact node words: 3 gathers per vector and level. pos_out receives the
       leaf of each row, relative to the root. */
    __attribute__((target("avx2")))
    static inline __m256i fastml_right_mask(__m256 x, __m256 t, __m256i dl) {
        __m256i lt = _mm256_castps_si256(_mm256_cmp_ps(x, t, _CMP_LT_OQ));
        __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q));
        __m256i left = _mm256_or_si256(lt, _mm256_and_si256(nan, dl));
        return _mm256_xor_si256(left, _mm256_set1_epi32(-1));
    }
    __attribute__((target("avx2")))
    static void fastml_walk_avx2(const float* X, int32_t n_features, const float* XT,
                                 int32_t top3, const float* thr, const int32_t* word,
                                 int32_t depth, int32_t* pos_out)
    {
        __m256i pos[16];
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const __m256i fmask = _mm256_set1_epi32(0x7fff);
        const __m256i dlbit = _mm256_set1_epi32(0x8000);
        const __m256i one = _mm256_set1_epi32(1);
        const __m256i nf = _mm256_set1_epi32(n_features);
        int32_t d0 = 0;
        if (top3 && depth >= 3 && XT != NULL) {
            int32_t f[7];
            __m256 t[7];
            __m256i dl[7];
            for (int i = 0; i < 7; i++) {
                f[i] = word[i] & 0x7fff;
                t[i] = _mm256_set1_ps(thr[i]);
                dl[i] = _mm256_set1_epi32((word[i] & 0x8000) ? -1 : 0);
            }
            for (int v = 0; v < 16; v++) {
                const float* xb = XT + 8 * v;
                __m256 x0 = _mm256_loadu_ps(xb + 128 * f[0]);
                __m256i r0 = fastml_right_mask(x0, t[0], dl[0]);
                __m256 m0 = _mm256_castsi256_ps(r0);
                __m256 x1 = _mm256_blendv_ps(_mm256_loadu_ps(xb + 128 * f[1]),
                                             _mm256_loadu_ps(xb + 128 * f[2]), m0);
                __m256 t1 = _mm256_blendv_ps(t[1], t[2], m0);
                __m256i dl1 = _mm256_castps_si256(_mm256_blendv_ps(
                    _mm256_castsi256_ps(dl[1]), _mm256_castsi256_ps(dl[2]), m0));
                __m256i r1 = fastml_right_mask(x1, t1, dl1);
                __m256 m1 = _mm256_castsi256_ps(r1);
                __m256 xa = _mm256_blendv_ps(_mm256_loadu_ps(xb + 128 * f[3]),
                                             _mm256_loadu_ps(xb + 128 * f[4]), m1);
                __m256 xc = _mm256_blendv_ps(_mm256_loadu_ps(xb + 128 * f[5]),
                                             _mm256_loadu_ps(xb + 128 * f[6]), m1);
                __m256 x2 = _mm256_blendv_ps(xa, xc, m0);
                __m256 t2 = _mm256_blendv_ps(_mm256_blendv_ps(t[3], t[4], m1),
                                             _mm256_blendv_ps(t[5], t[6], m1), m0);
                __m256 dla = _mm256_blendv_ps(_mm256_castsi256_ps(dl[3]),
                                              _mm256_castsi256_ps(dl[4]), m1);
                __m256 dlc = _mm256_blendv_ps(_mm256_castsi256_ps(dl[5]),
                                              _mm256_castsi256_ps(dl[6]), m1);
                __m256i dl2 = _mm256_castps_si256(_mm256_blendv_ps(dla, dlc, m0));
                __m256i r2 = fastml_right_mask(x2, t2, dl2);
                /* level-3 node: 7 + 4 b0 + 2 b1 + b2 (b = 1 for right) */
                __m256i b = _mm256_add_epi32(
                    _mm256_add_epi32(_mm256_slli_epi32(_mm256_and_si256(r0, one), 2),
                                     _mm256_slli_epi32(_mm256_and_si256(r1, one), 1)),
                    _mm256_and_si256(r2, one));
                pos[v] = _mm256_add_epi32(b, _mm256_set1_epi32(7));
            }
            d0 = 3;
        } else {
            for (int v = 0; v < 16; v++) pos[v] = _mm256_setzero_si256();
        }
        for (int32_t d = d0; d < depth; d++) {
            for (int v = 0; v < 16; v++) {
                __m256i rowoff = _mm256_mullo_epi32(
                    _mm256_add_epi32(lanes, _mm256_set1_epi32(8 * v)), nf);
                __m256 t = _mm256_i32gather_ps(thr, pos[v], 4);
                __m256i w = _mm256_i32gather_epi32((const int*)word, pos[v], 4);
                __m256i off = _mm256_add_epi32(rowoff, _mm256_and_si256(w, fmask));
                __m256 x = _mm256_i32gather_ps(X, off, 4);
                __m256i dl = _mm256_cmpeq_epi32(_mm256_and_si256(w, dlbit), dlbit);
                __m256i right = fastml_right_mask(x, t, dl);
                /* right: -1 -> next + 1, 0 -> next */
                pos[v] = _mm256_sub_epi32(_mm256_srli_epi32(w, 16), right);
            }
        }
        for (int v = 0; v < 16; v++)
            _mm256_storeu_si256((__m256i*)(pos_out + 8 * v), pos[v]);
    }
    #else
    #define FASTML_HAVE_AVX2_PATH 0
    static int fastml_cpu_avx2(void) { return 0; }
    static void fastml_walk_avx2(const float* X, int32_t n_features, const float* XT,
                                 int32_t top3, const float* thr, const int32_t* word,
                                 int32_t depth, int32_t* pos_out)
    { (void)X; (void)n_features; (void)XT; (void)top3; (void)thr; (void)word;
      (void)depth; (void)pos_out; }
    #endif
    """
    float fastml_ceil32(double t) noexcept nogil
    void fastml_step_float(const float* X, Py_ssize_t n_features, Py_ssize_t lo,
                           Py_ssize_t hi, const char* nodes, int32_t* pos) noexcept nogil
    void fastml_step_double(const double* X, Py_ssize_t n_features, Py_ssize_t lo,
                            Py_ssize_t hi, const char* nodes, int32_t* pos) noexcept nogil
    int fastml_cpu_avx2() noexcept nogil
    void fastml_walk_avx2(const float* X, int32_t n_features, const float* XT,
                          int32_t top3, const float* thr, const int32_t* word,
                          int32_t depth, int32_t* pos_out) noexcept nogil
    int FASTML_HAVE_AVX2_PATH


def simd_available():
    """True when the AVX2 walk of float32 data is compiled in and the CPU has AVX2."""
    return bool(FASTML_HAVE_AVX2_PATH and fastml_cpu_avx2())


def pack_trees(
    const int32_t[::1] feature,
    const double[::1] threshold,
    const uint8_t[::1] default_left,
    const int32_t[::1] left,
    const int32_t[::1] right,
    const double[::1] value,
    const int64_t[::1] tree_ptr,
):
    """Re-lay the flat trees for :func:`predict_packed`.

    Each tree is renumbered breadth-first with the two children of a node adjacent
    (right = left + 1), and leaves point to themselves with threshold +inf, so a walk
    of a fixed number of steps (the tree's depth) ends on the right leaf whatever the
    leaf's depth: no branch on "is this a leaf". Two encodings:

    - 16-byte records (float64 threshold, feature with the default-direction bit,
      absolute left child) for the scalar walk (any input);
    - for float32 inputs, float32 thresholds rounded up (for a float32 ``x``,
      ``x < t`` iff ``x < ceil32(t)``, so decisions are unchanged) and one 32-bit
      word per node (feature, default direction, left child relative to the root),
      used by the AVX2 walk when every tree has < 65,536 nodes and there are
      < 32,768 features (``compact_ok``).

    Returns
    -------
    dict with "nodes" (PACKED_NODE_DTYPE), "values" (float64 leaf values per packed
    node), "roots" (int64), "depths" (int32), "thr32" (float32), "words" (int32) and
    "compact_ok" (bool).
    """
    cdef Py_ssize_t n_trees = tree_ptr.shape[0] - 1
    cdef Py_ssize_t n_nodes = feature.shape[0]
    nodes_arr = np.empty(n_nodes, dtype=PACKED_NODE_DTYPE)
    values_arr = np.zeros(n_nodes, dtype=np.float64)
    roots_arr = np.empty(n_trees, dtype=np.int64)
    depths_arr = np.zeros(n_trees, dtype=np.int32)
    top3_arr = np.zeros(n_trees, dtype=np.int32)
    thr32_arr = np.empty(n_nodes, dtype=np.float32)
    words_arr = np.zeros(n_nodes, dtype=np.int32)
    queue_arr = np.empty(max(n_nodes, 1), dtype=np.int64)
    level_arr = np.empty(max(n_nodes, 1), dtype=np.int32)
    cdef PackedNode[::1] nodes = nodes_arr
    cdef double[::1] values = values_arr
    cdef int64_t[::1] roots = roots_arr
    cdef int32_t[::1] depths = depths_arr
    cdef int32_t[::1] top3 = top3_arr
    cdef float[::1] thr32 = thr32_arr
    cdef int32_t[::1] words = words_arr
    cdef int64_t[::1] queue = queue_arr   # old local index, in new order
    cdef int32_t[::1] level = level_arr
    cdef Py_ssize_t t, base, size, head, tail, old, new_pos
    cdef int32_t d, f
    cdef bint compact_ok = True
    for t in range(n_trees):
        base = tree_ptr[t]
        size = tree_ptr[t + 1] - base
        roots[t] = base
        if size >= COMPACT_MAX_NODES:
            compact_ok = False
        queue[base] = 0
        level[base] = 0
        head = base
        tail = base + 1
        while head < tail:
            old = queue[head]
            new_pos = head
            d = level[head]
            f = feature[base + old]
            if f < 0:
                nodes[new_pos].threshold = INFINITY
                nodes[new_pos].feature = DEFAULT_LEFT_BIT
                nodes[new_pos].next = <int32_t>new_pos
                values[new_pos] = value[base + old]
                thr32[new_pos] = INFINITY
                words[new_pos] = <int32_t>(0x8000 | (<uint32_t>(new_pos - base) << 16))
                if d > depths[t]:
                    depths[t] = d
            else:
                if tail + 2 > base + size:
                    raise ValueError("invalid tree: more children than nodes")
                if f >= COMPACT_MAX_FEATURES:
                    compact_ok = False
                nodes[new_pos].threshold = threshold[base + old]
                nodes[new_pos].feature = f | (
                    DEFAULT_LEFT_BIT if default_left[base + old] else 0
                )
                nodes[new_pos].next = <int32_t>tail
                thr32[new_pos] = fastml_ceil32(threshold[base + old])
                words[new_pos] = <int32_t>(
                    (f & 0x7fff)
                    | (0x8000 if default_left[base + old] else 0)
                    | (<uint32_t>(tail - base) << 16)
                )
                queue[tail] = left[base + old]
                queue[tail + 1] = right[base + old]
                level[tail] = d + 1
                level[tail + 1] = d + 1
                tail += 2
            head += 1
        if tail != base + size:
            raise ValueError("invalid tree: unreachable nodes")
        # Levels 0-2 complete: the 7 first nodes (breadth-first) are internal.
        top3[t] = 1 if size >= 15 else 0
        for old in range(min(size, 7)):
            if nodes[base + old].threshold == INFINITY and (
                nodes[base + old].next == base + old
            ):
                top3[t] = 0
    return {
        "nodes": nodes_arr,
        "values": values_arr,
        "roots": roots_arr,
        "depths": depths_arr,
        "top3": top3_arr,
        "thr32": thr32_arr,
        "words": words_arr,
        "compact_ok": bool(compact_ok),
    }


cdef void _packed_block(
    const x_t* X,
    Py_ssize_t n_features,
    Py_ssize_t lo,
    Py_ssize_t hi,
    const PackedNode* nodes,
    const double* values,
    const int64_t* roots,
    const int32_t* depths,
    const float* thr32,
    const int32_t* words,
    const int32_t* top3,
    bint simd,
    Py_ssize_t n_groups,
    Py_ssize_t tree_start,
    Py_ssize_t tree_stop,
    double* out,
) noexcept nogil:
    cdef int32_t pos[BLOCK_ROWS]
    cdef Py_ssize_t t, r, d, group, f
    cdef int64_t root
    cdef float* XT = NULL
    if x_t is float:
        if simd and hi - lo == BLOCK_ROWS and n_features <= MAX_TRANSPOSED_FEATURES:
            # The block feature-major, for the gather-free top levels.
            XT = <float*>malloc(n_features * BLOCK_ROWS * sizeof(float))
            if XT != NULL:
                for r in range(BLOCK_ROWS):
                    for f in range(n_features):
                        XT[f * BLOCK_ROWS + r] = X[(lo + r) * n_features + f]
    for t in range(tree_start, tree_stop):
        root = roots[t]
        group = t % n_groups
        if x_t is float:
            if simd and hi - lo == BLOCK_ROWS:
                fastml_walk_avx2(X + lo * n_features, <int32_t>n_features, XT,
                                 top3[t], thr32 + root, words + root, depths[t], pos)
                for r in range(lo, hi):
                    out[r * n_groups + group] += values[root + pos[r - lo]]
                continue
        for r in range(hi - lo):
            pos[r] = <int32_t>root
        for d in range(depths[t]):
            if x_t is float:
                fastml_step_float(X, n_features, lo, hi, <const char*>nodes, pos)
            else:
                fastml_step_double(X, n_features, lo, hi, <const char*>nodes, pos)
        for r in range(lo, hi):
            out[r * n_groups + group] += values[pos[r - lo]]
    free(XT)


def predict_packed(
    const x_t[:, ::1] X,
    packed,
    Py_ssize_t n_groups,
    Py_ssize_t tree_start,
    Py_ssize_t tree_stop,
    double[:, ::1] out,
    int n_threads=1,
    simd=None,
    bint check_inf=False,
):
    """Add the leaf values of trees ``[tree_start, tree_stop)`` of ``packed`` (from
    :func:`pack_trees`) to ``out``; tree t adds to column ``t % n_groups``.

    Returns 0, or 1 without predicting anything when ``check_inf`` is true and X
    holds an infinite value (the estimators' single-row path validates this way).

    Each block of 64 rows walks each tree level by level (every row one step, then
    the next), branch-free, so the rows' walks overlap in the CPU; float32 input
    uses the AVX2 gather walk when available (``simd=None``: if the CPU has it;
    False forces the scalar walk). Blocks run in parallel (OpenMP); every output
    entry is summed in tree order by one thread. Same results as
    :func:`predict_raw` on the flat arrays, for any ``n_threads`` and ``simd``.
    """
    cdef Py_ssize_t n_rows = X.shape[0]
    cdef Py_ssize_t n_features = X.shape[1]
    cdef Py_ssize_t n_blocks, b, lo, hi
    cdef const PackedNode[::1] nodes = packed["nodes"]
    cdef const double[::1] values = packed["values"]
    cdef const int64_t[::1] roots = packed["roots"]
    cdef const int32_t[::1] depths = packed["depths"]
    cdef const float[::1] thr32 = packed["thr32"]
    cdef const int32_t[::1] words = packed["words"]
    cdef const int32_t[::1] top3 = packed["top3"]
    cdef bint use_simd = bool(packed["compact_ok"]) and simd_available()
    if simd is not None and not simd:
        use_simd = False
    if not (0 <= tree_start <= tree_stop <= roots.shape[0]):
        raise ValueError("tree range out of bounds.")
    if n_groups < 1 or out.shape[0] != n_rows or out.shape[1] != n_groups:
        raise ValueError(f"out must have shape ({n_rows}, {n_groups}).")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}.")
    if n_rows == 0:
        return 0
    cdef const x_t* Xp = &X[0, 0]
    cdef double* outp = &out[0, 0]
    cdef Py_ssize_t i
    if check_inf:
        for i in range(n_rows * n_features):
            if Xp[i] == INFINITY or Xp[i] == -INFINITY:
                return 1
    if tree_stop == tree_start:
        return 0
    n_blocks = (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS
    if n_blocks == 1 or n_threads == 1:
        with nogil:
            for b in range(n_blocks):
                lo = b * BLOCK_ROWS
                hi = lo + BLOCK_ROWS if lo + BLOCK_ROWS < n_rows else n_rows
                _packed_block(Xp, n_features, lo, hi, &nodes[0], &values[0], &roots[0],
                              &depths[0], &thr32[0], &words[0], &top3[0], use_simd, n_groups,
                              tree_start, tree_stop, outp)
        return 0
    with nogil:
        for b in prange(n_blocks, num_threads=n_threads, schedule="static"):
            lo = b * BLOCK_ROWS
            hi = lo + BLOCK_ROWS if lo + BLOCK_ROWS < n_rows else n_rows
            _packed_block(Xp, n_features, lo, hi, &nodes[0], &values[0], &roots[0],
                          &depths[0], &thr32[0], &words[0], &top3[0], use_simd, n_groups,
                          tree_start, tree_stop, outp)
    return 0
