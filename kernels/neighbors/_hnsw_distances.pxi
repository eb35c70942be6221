# Distance functions of the HNSW kernels: portable C and AVX2+FMA versions chosen at
# load time (textually included by kernels/neighbors/_hnsw.pyx).

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    #include <stddef.h>

    typedef float fm_hnsw_v8 __attribute__((vector_size(32)));

    /* Squared L2 and dot product of float32 vectors: two 8-lane accumulators
       (GCC/clang vector extensions), compiled twice: for the baseline ISA and for
       AVX2+FMA, chosen once at import from the CPU's features. */
    #define FM_HNSW_L2_BODY                                                   \\
        fm_hnsw_v8 acc0 = {0}, acc1 = {0};                                    \\
        size_t i = 0;                                                         \\
        for (; i + 16 <= n; i += 16) {                                        \\
            fm_hnsw_v8 x0, y0, x1, y1;                                        \\
            memcpy(&x0, a + i, 32); memcpy(&y0, b + i, 32);                   \\
            memcpy(&x1, a + i + 8, 32); memcpy(&y1, b + i + 8, 32);           \\
            x0 -= y0; x1 -= y1;                                               \\
            acc0 += x0 * x0; acc1 += x1 * x1;                                 \\
        }                                                                     \\
        for (; i + 8 <= n; i += 8) {                                          \\
            fm_hnsw_v8 x0, y0;                                                \\
            memcpy(&x0, a + i, 32); memcpy(&y0, b + i, 32);                   \\
            x0 -= y0; acc0 += x0 * x0;                                        \\
        }                                                                     \\
        acc0 += acc1;                                                         \\
        float s = ((acc0[0] + acc0[4]) + (acc0[1] + acc0[5]))                 \\
                + ((acc0[2] + acc0[6]) + (acc0[3] + acc0[7]));                \\
        for (; i < n; i++) { float d = a[i] - b[i]; s += d * d; }             \\
        return s;

    #define FM_HNSW_IP_BODY                                                   \\
        fm_hnsw_v8 acc0 = {0}, acc1 = {0};                                    \\
        size_t i = 0;                                                         \\
        for (; i + 16 <= n; i += 16) {                                        \\
            fm_hnsw_v8 x0, y0, x1, y1;                                        \\
            memcpy(&x0, a + i, 32); memcpy(&y0, b + i, 32);                   \\
            memcpy(&x1, a + i + 8, 32); memcpy(&y1, b + i + 8, 32);           \\
            acc0 += x0 * y0; acc1 += x1 * y1;                                 \\
        }                                                                     \\
        for (; i + 8 <= n; i += 8) {                                          \\
            fm_hnsw_v8 x0, y0;                                                \\
            memcpy(&x0, a + i, 32); memcpy(&y0, b + i, 32);                   \\
            acc0 += x0 * y0;                                                  \\
        }                                                                     \\
        acc0 += acc1;                                                         \\
        float s = ((acc0[0] + acc0[4]) + (acc0[1] + acc0[5]))                 \\
                + ((acc0[2] + acc0[6]) + (acc0[3] + acc0[7]));                \\
        for (; i < n; i++) s += a[i] * b[i];                                  \\
        return 1.0f - s;

    static inline void fm_hnsw_prefetch(const void* p) {
    #if defined(__GNUC__) || defined(__clang__)
        __builtin_prefetch(p, 0, 3);
    #endif
    }
    /* Every cache line of a vector: the hardware prefetcher would fetch them one
       after the other as the distance loop reaches them. */
    static inline void fm_hnsw_prefetch_rows(const float* p, size_t n_bytes) {
        const char* c = (const char*) p;
        for (size_t off = 0; off < n_bytes; off += 64) fm_hnsw_prefetch(c + off);
    }

    static float fm_hnsw_l2_base(const float* a, const float* b, size_t n)
    { FM_HNSW_L2_BODY }
    static float fm_hnsw_ip_base(const float* a, const float* b, size_t n)
    { FM_HNSW_IP_BODY }

    #if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
    __attribute__((target("avx2,fma")))
    static float fm_hnsw_l2_avx2(const float* a, const float* b, size_t n)
    { FM_HNSW_L2_BODY }
    __attribute__((target("avx2,fma")))
    static float fm_hnsw_ip_avx2(const float* a, const float* b, size_t n)
    { FM_HNSW_IP_BODY }
    static int fm_hnsw_cpu_avx2(void) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    #else
    static float fm_hnsw_l2_avx2(const float* a, const float* b, size_t n)
    { return fm_hnsw_l2_base(a, b, n); }
    static float fm_hnsw_ip_avx2(const float* a, const float* b, size_t n)
    { return fm_hnsw_ip_base(a, b, n); }
    static int fm_hnsw_cpu_avx2(void) { return 0; }
    #endif
    """
    float fm_hnsw_l2_base(const float* a, const float* b, size_t n) noexcept nogil
    float fm_hnsw_ip_base(const float* a, const float* b, size_t n) noexcept nogil
    float fm_hnsw_l2_avx2(const float* a, const float* b, size_t n) noexcept nogil
    float fm_hnsw_ip_avx2(const float* a, const float* b, size_t n) noexcept nogil
    int fm_hnsw_cpu_avx2() noexcept nogil
    void _prefetch "fm_hnsw_prefetch"(const void* p) noexcept nogil
    void _prefetch_vector "fm_hnsw_prefetch_rows"(const float* p, size_t n_bytes) noexcept nogil


ctypedef float (*dist_fn)(const float*, const float*, size_t) noexcept nogil

cdef bint _HAVE_AVX2 = fm_hnsw_cpu_avx2() != 0


def simd_available():
    """True when the AVX2+FMA distance functions are used on this CPU."""
    return bool(_HAVE_AVX2)


cdef dist_fn _dist_for(int space) noexcept nogil:
    if space == 0:
        return fm_hnsw_l2_avx2 if _HAVE_AVX2 else fm_hnsw_l2_base
    return fm_hnsw_ip_avx2 if _HAVE_AVX2 else fm_hnsw_ip_base
