# Histogram pool and grow workspace (textually included by kernels/gbdt/_grow.pyx).

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
