# (distance, id) pairs and the binary heaps of the HNSW search (textually included by
# kernels/neighbors/_hnsw.pyx).

cdef struct Pair:
    float d
    int32_t id


cdef inline Pair _make_pair(float d, int32_t id) noexcept nogil:
    cdef Pair x
    x.d = d
    x.id = id
    return x


cdef inline bint _pair_less(Pair a, Pair b) noexcept nogil:
    # Total order (distance, then id): heaps and sorts are deterministic on ties.
    return a.d < b.d or (a.d == b.d and a.id < b.id)


cdef inline void _max_push(Pair* h, Py_ssize_t* n, Pair x) noexcept nogil:
    cdef Py_ssize_t i = n[0], parent
    n[0] += 1
    while i > 0:
        parent = (i - 1) >> 1
        if not _pair_less(h[parent], x):
            break
        h[i] = h[parent]
        i = parent
    h[i] = x


cdef inline void _max_pop(Pair* h, Py_ssize_t* n) noexcept nogil:
    cdef Py_ssize_t size = n[0] - 1, i = 0, child
    cdef Pair last = h[size]
    n[0] = size
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and _pair_less(h[child], h[child + 1]):
            child += 1
        if not _pair_less(last, h[child]):
            break
        h[i] = h[child]
        i = child
    if size > 0:
        h[i] = last


cdef inline void _min_push(Pair* h, Py_ssize_t* n, Pair x) noexcept nogil:
    cdef Py_ssize_t i = n[0], parent
    n[0] += 1
    while i > 0:
        parent = (i - 1) >> 1
        if not _pair_less(x, h[parent]):
            break
        h[i] = h[parent]
        i = parent
    h[i] = x


cdef inline void _min_pop(Pair* h, Py_ssize_t* n) noexcept nogil:
    cdef Py_ssize_t size = n[0] - 1, i = 0, child
    cdef Pair last = h[size]
    n[0] = size
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and _pair_less(h[child + 1], h[child]):
            child += 1
        if not _pair_less(h[child], last):
            break
        h[i] = h[child]
        i = child
    if size > 0:
        h[i] = last


cdef inline void _sort_small(Pair* a, Py_ssize_t n) noexcept nogil:
    """Insertion sort by (distance, id): for the short lists of the link updates."""
    cdef Py_ssize_t i, j
    cdef Pair x
    for i in range(1, n):
        x = a[i]
        j = i - 1
        while j >= 0 and _pair_less(x, a[j]):
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = x
