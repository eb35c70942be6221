# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""HNSW graph kernels (Cython, OpenMP when available).

Compiled ahead of time: graph search must be fast on its first call. Documented
(graph layout, algorithm, references) in kernels/neighbors/hnsw.py, which re-exports
these functions; the naive references are in tests/naive/hnsw.py.

Graph layout (all arrays owned by the caller, C-contiguous):

- ``data``: float32 (capacity, dim), one vector per internal id;
- ``links0``: int32 (capacity, 2M + 1), layer-0 adjacency, ``[count, ids...]``;
- ``upper``: int32 (n_upper_rows, M + 1), upper-layer adjacency; node ``u`` of level
  ``L > 0`` owns rows ``upper_off[u] .. upper_off[u] + L - 1`` (layers 1..L);
- ``levels``: int32 (capacity,), the top layer of each node.

Distances: space 0 = squared L2, space 1 = 1 - dot product (``ip``; ``cosine`` is
``ip`` over normalised vectors).
"""

cimport cython
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memset

__all__ = [
    "insert_batch",
    "search_knn",
    "exact_knn",
    "pairwise_distances",
    "simd_available",
]


include "_hnsw_distances.pxi"


cdef struct Graph:
    const float* data
    size_t dim
    int32_t* links0
    Py_ssize_t stride0
    int32_t* upper
    Py_ssize_t stride_up
    const int64_t* upper_off
    const int32_t* levels
    dist_fn dist


include "_hnsw_heap.pxi"


cdef struct Scratch:
    Pair* res          # max-heap of the current results (capacity res_cap)
    Pair* cand         # min-heap of the candidates to expand (grows)
    Py_ssize_t cand_cap
    uint16_t* vis      # visited tags, one per internal id, + the epoch at [capacity]
    Py_ssize_t capacity
    uint16_t epoch
    int failed
    int32_t* todo      # unvisited neighbours of the node being expanded
    float* todo_d      # and their distances


cdef inline int32_t* _links(Graph* g, int32_t node, int layer) noexcept nogil:
    if layer == 0:
        return g.links0 + node * g.stride0
    return g.upper + (g.upper_off[node] + layer - 1) * g.stride_up


cdef inline float _dist_id(Graph* g, const float* q, int32_t node) noexcept nogil:
    return g.dist(q, g.data + node * g.dim, g.dim)


cdef Scratch* _scratch_new(uint16_t* vis, Py_ssize_t capacity, Py_ssize_t res_cap,
                           Py_ssize_t width) noexcept nogil:
    cdef Scratch* s = <Scratch*> malloc(sizeof(Scratch))
    if s == NULL:
        return NULL
    s.todo = <int32_t*> malloc((width + 1) * sizeof(int32_t))
    s.todo_d = <float*> malloc((width + 1) * sizeof(float))
    s.res = <Pair*> malloc((res_cap + 2) * sizeof(Pair))
    s.cand_cap = 1024 if res_cap < 256 else 4 * res_cap
    s.cand = <Pair*> malloc(s.cand_cap * sizeof(Pair))
    s.vis = vis
    s.capacity = capacity
    s.epoch = vis[capacity]
    s.failed = s.res == NULL or s.cand == NULL or s.todo == NULL or s.todo_d == NULL
    return s


cdef void _scratch_free(Scratch* s) noexcept nogil:
    if s == NULL:
        return
    s.vis[s.capacity] = s.epoch
    free(s.res)
    free(s.cand)
    free(s.todo)
    free(s.todo_d)
    free(s)


cdef inline void _next_epoch(Scratch* s) noexcept nogil:
    s.epoch += 1
    if s.epoch == 0:
        memset(s.vis, 0, s.capacity * sizeof(uint16_t))
        s.epoch = 1


cdef int32_t _greedy(Graph* g, const float* q, int32_t cur, float* cur_d,
                     int top, int bottom) noexcept nogil:
    """Greedy descent through layers top .. bottom + 1 (Malkov & Yashunin, alg. 5)."""
    cdef int layer
    cdef bint changed
    cdef int32_t* ln
    cdef int32_t j, nb
    cdef float d
    for layer in range(top, bottom, -1):
        changed = True
        while changed:
            changed = False
            ln = _links(g, cur, layer)
            for j in range(1, ln[0] + 1):
                nb = ln[j]
                d = _dist_id(g, q, nb)
                if d < cur_d[0]:
                    cur_d[0] = d
                    cur = nb
                    changed = True
    return cur


cdef Py_ssize_t _search_layer(Graph* g, const float* q, int32_t ep, float ep_d,
                              int layer, Py_ssize_t ef, const uint8_t* allowed,
                              int32_t exclude, Scratch* s) noexcept nogil:
    """Beam search of one layer (Malkov & Yashunin, alg. 2), results in s.res.

    Nodes outside ``allowed`` (deleted or filtered out) and ``exclude`` are
    traversed but never returned. Returns the number of results (a max-heap).
    """
    cdef Py_ssize_t nres = 0, ncand = 0
    cdef float lower = INFINITY, d
    cdef Pair x, c
    cdef int32_t* ln
    cdef int32_t j, nb, cnt
    cdef uint16_t* vis = s.vis
    cdef uint16_t epoch
    cdef Pair* grown
    cdef int32_t* todo = s.todo
    cdef float* todo_d = s.todo_d
    cdef Py_ssize_t ntodo
    cdef size_t row_bytes = g.dim * sizeof(float)
    _next_epoch(s)
    epoch = s.epoch
    vis[ep] = epoch
    x.d = ep_d
    x.id = ep
    if ep != exclude and (allowed == NULL or allowed[ep]):
        _max_push(s.res, &nres, x)
        lower = ep_d
    _min_push(s.cand, &ncand, x)
    while ncand > 0:
        c = s.cand[0]
        if c.d > lower and (allowed == NULL or nres == ef):
            break
        _min_pop(s.cand, &ncand)
        if ncand > 0:
            # The next node to expand is probably the new top: fetch its list.
            _prefetch(_links(g, s.cand[0].id, layer))
        ln = _links(g, c.id, layer)
        cnt = ln[0]
        # Gather the unvisited neighbours and prefetch their vectors, then compute
        # the distances: the memory loads overlap instead of queueing one by one.
        ntodo = 0
        for j in range(1, cnt + 1):
            nb = ln[j]
            if vis[nb] == epoch:
                continue
            vis[nb] = epoch
            todo[ntodo] = nb
            ntodo += 1
            _prefetch_vector(g.data + nb * g.dim, row_bytes)
        for j in range(ntodo):
            todo_d[j] = _dist_id(g, q, todo[j])
        for j in range(ntodo):
            nb = todo[j]
            d = todo_d[j]
            if nres < ef or d < lower:
                x.d = d
                x.id = nb
                if ncand == s.cand_cap:
                    grown = <Pair*> realloc(s.cand, 2 * s.cand_cap * sizeof(Pair))
                    if grown == NULL:
                        s.failed = 1
                        return nres
                    s.cand = grown
                    s.cand_cap *= 2
                _min_push(s.cand, &ncand, x)
                if nb != exclude and (allowed == NULL or allowed[nb]):
                    _max_push(s.res, &nres, x)
                    if nres > ef:
                        _max_pop(s.res, &nres)
                    lower = s.res[0].d
    return nres


cdef Py_ssize_t _select_heuristic(Graph* g, Pair* cand, Py_ssize_t n, Py_ssize_t m,
                                  Pair* out) noexcept nogil:
    """Neighbour-selection heuristic (Malkov & Yashunin, alg. 4, no extension).

    ``cand`` is sorted by distance to the base point. A candidate is kept when it is
    closer to the base than to every neighbour kept so far; fewer than ``m``
    candidates are all kept (as hnswlib does).
    """
    cdef Py_ssize_t i, j, nout = 0
    cdef bint good
    cdef const float* ci
    if n < m:
        memcpy(out, cand, n * sizeof(Pair))
        return n
    for i in range(n):
        if nout >= m:
            break
        good = True
        ci = g.data + cand[i].id * g.dim
        for j in range(nout):
            if _dist_id(g, ci, out[j].id) < cand[i].d:
                good = False
                break
        if good:
            out[nout] = cand[i]
            nout += 1
    return nout


cdef void _find_links(Graph* g, const int32_t* batch, Py_ssize_t p, int32_t entry,
                      int max_level, Py_ssize_t efc, Py_ssize_t m, Scratch* s, Pair* merge, Pair* sel_out,
                      int32_t* sel_cnt) noexcept nogil:
    """Phase 1 for batch point p: its neighbours at each of its layers.

    Searches the frozen graph (nodes inserted by earlier batches) and adds the
    earlier points of this batch by brute force; writes nothing to the graph.
    """
    cdef int32_t u = batch[p], v, cur = entry
    cdef int level = g.levels[u], layer, top = -1
    cdef const float* q = g.data + u * g.dim
    cdef float cur_d = 0.0
    cdef Py_ssize_t n, nres, b, i
    cdef Pair x
    cdef bint searched
    if entry >= 0:
        cur_d = _dist_id(g, q, cur)
        if max_level > level:
            cur = _greedy(g, q, cur, &cur_d, max_level, level)
        top = level if level < max_level else max_level
    for layer in range(level, -1, -1):
        nres = 0
        searched = layer <= top
        if searched:
            nres = _search_layer(g, q, cur, cur_d, layer, efc, NULL, u, s)
            # The next layer's search starts from the closest node of the frozen
            # graph: an earlier point of this batch has no links there yet.
            for i in range(nres):
                x = s.res[i]
                if x.d < cur_d or (x.d == cur_d and x.id < cur):
                    cur = x.id
                    cur_d = x.d
        # The earlier points of the batch join the bounded max-heap of results.
        for b in range(p):
            v = batch[b]
            if g.levels[v] < layer or v == u:
                continue
            if searched and s.vis[v] == s.epoch:
                continue  # reached through the graph already (an updated node)
            x = _make_pair(_dist_id(g, q, v), v)
            if nres < efc:
                _max_push(s.res, &nres, x)
            elif _pair_less(x, s.res[0]):
                _max_pop(s.res, &nres)
                _max_push(s.res, &nres, x)
        # Heap sort: the efc closest candidates, ascending (distance, id).
        n = nres
        while nres > 0:
            merge[nres - 1] = s.res[0]
            _max_pop(s.res, &nres)
        sel_cnt[layer] = <int32_t> _select_heuristic(
            g, merge, n, m, sel_out + layer * m)


cdef void _add_link(Graph* g, int32_t target, int layer, int32_t src,
                    Py_ssize_t m, Pair* buf, Pair* out) noexcept nogil:
    """Add the link target -> src on ``layer`` (hnswlib's reverse-link update).

    Appended while the target's list (M, or 2M on layer 0) has room; once it is
    full, the heuristic picks the new list among the old neighbours and ``src``.
    (Pruning the union of all of a batch's sources at once instead leaves lists
    much emptier: the heuristic keeps only a diverse subset and nothing refills
    the list before the next batch.)
    """
    cdef Py_ssize_t cap = 2 * m if layer == 0 else m
    cdef int32_t* ln = _links(g, target, layer)
    cdef Py_ssize_t cnt = ln[0], i, nsel
    cdef const float* t = g.data + target * g.dim
    if src == target:
        return
    for i in range(cnt):
        if ln[1 + i] == src:
            return
    if cnt < cap:
        ln[1 + cnt] = src
        ln[0] = <int32_t> (cnt + 1)
        return
    for i in range(cnt):
        buf[i].id = ln[1 + i]
        buf[i].d = _dist_id(g, t, buf[i].id)
    buf[cnt].id = src
    buf[cnt].d = _dist_id(g, t, src)
    _sort_small(buf, cnt + 1)
    nsel = _select_heuristic(g, buf, cnt + 1, cap, out)
    for i in range(nsel):
        ln[1 + i] = out[i].id
    ln[0] = <int32_t> nsel


cdef void _link_part(Graph* g, const int32_t* batch, Py_ssize_t nb, const Pair* sel,
                     const int32_t* sel_cnt, Py_ssize_t per, int top_batch,
                     Py_ssize_t m, int32_t part, int32_t n_parts, Pair* buf,
                     Pair* out) noexcept nogil:
    """Phase 2 for the nodes ``v`` with ``v % n_parts == part``.

    First the own lists of this part's batch nodes, then every link into this
    part's nodes, in batch order. Each node's list is changed by one part only and
    always in the same order, so the graph does not depend on the thread count.
    """
    cdef Py_ssize_t p, i, row
    cdef int layer
    cdef int32_t u, t, c
    cdef int32_t* ln
    for p in range(nb):
        u = batch[p]
        if u % n_parts != part:
            continue
        for layer in range(g.levels[u] + 1):
            ln = _links(g, u, layer)
            c = sel_cnt[p * (top_batch + 1) + layer]
            ln[0] = c
            for i in range(c):
                ln[1 + i] = sel[p * per + layer * m + i].id
    for p in range(nb):
        u = batch[p]
        for layer in range(g.levels[u] + 1):
            row = p * per + layer * m
            for i in range(sel_cnt[p * (top_batch + 1) + layer]):
                t = sel[row + i].id
                if t % n_parts == part:
                    _add_link(g, t, layer, u, m, buf, out)


cdef int _graph_init(Graph* g, float[:, ::1] data, int32_t[:, ::1] links0,
                     int32_t[:, ::1] upper, const int64_t[::1] upper_off,
                     const int32_t[::1] levels, int space) except -1:
    if links0.shape[0] != data.shape[0] or levels.shape[0] != data.shape[0]:
        raise ValueError("graph arrays disagree on the capacity.")
    if upper_off.shape[0] != data.shape[0]:
        raise ValueError("graph arrays disagree on the capacity.")
    if upper.shape[1] < 1 or links0.shape[1] < 1:
        raise ValueError("bad adjacency width.")
    g.data = &data[0, 0] if data.shape[0] > 0 else NULL
    g.dim = data.shape[1]
    g.links0 = &links0[0, 0] if links0.shape[0] > 0 else NULL
    g.stride0 = links0.shape[1]
    g.upper = &upper[0, 0] if upper.shape[0] > 0 else NULL
    g.stride_up = upper.shape[1]
    g.upper_off = &upper_off[0] if upper_off.shape[0] > 0 else NULL
    g.levels = &levels[0] if levels.shape[0] > 0 else NULL
    g.dist = _dist_for(space)
    return 0


def insert_batch(
    float[:, ::1] data,
    int32_t[:, ::1] links0,
    int32_t[:, ::1] upper,
    const int64_t[::1] upper_off,
    const int32_t[::1] levels,
    const int32_t[::1] batch,
    int32_t entry,
    int max_level,
    int M,
    int ef_construction,
    int space,
    uint16_t[:, ::1] visited,
    int n_threads,
):
    """Insert one batch of nodes into the graph (in place).

    Phase 1 (parallel over the batch): each node searches the frozen graph (layers
    above its level greedily, then ``ef_construction`` beam searches) and the
    earlier nodes of the batch by brute force, and picks at most M neighbours per
    layer with the heuristic. Phase 2 (parallel over 16 parts of the node ids,
    after a barrier): each part writes its batch nodes' own lists, then adds the
    reverse links into its nodes in batch order, pruned by the heuristic when a
    list overflows (as hnswlib does, one link at a time). A node's list is only
    touched by its part, always in the same order, so the graph is identical for
    any ``n_threads``.

    Parameters: the graph arrays (see the module docstring), ``batch`` int32 (B,)
    internal ids whose vectors and levels are already set (new nodes have empty
    lists; updated nodes are excluded from their own search), ``entry``/``max_level``
    of the frozen graph (-1/-1 when empty), ``visited`` uint16 (>= n_threads,
    capacity + 1) scratch tags. Returns nothing; raises MemoryError.
    """
    cdef Graph g
    _graph_init(&g, data, links0, upper, upper_off, levels, space)
    cdef Py_ssize_t nb = batch.shape[0], p
    cdef Py_ssize_t m = M, efc = ef_construction, capacity = data.shape[0]
    cdef int top_batch = 0
    cdef int nt = max(1, min(n_threads, visited.shape[0]))
    if nb == 0:
        return
    if visited.shape[1] != capacity + 1:
        raise ValueError("visited scratch has the wrong width.")
    for p in range(nb):
        if batch[p] < 0 or batch[p] >= capacity:
            raise ValueError("batch id out of range.")
        if levels[batch[p]] > top_batch:
            top_batch = levels[batch[p]]
    cdef Py_ssize_t per = (top_batch + 1) * m
    cdef int32_t* sel_cnt = <int32_t*> malloc(nb * (top_batch + 1) * sizeof(int32_t))
    cdef Pair* sel = <Pair*> malloc(nb * per * sizeof(Pair))
    cdef int failed = 0
    cdef bint ok
    cdef Py_ssize_t part
    # Phase 2 is split by node id modulo n_parts (fixed, not the thread count).
    cdef Py_ssize_t n_parts = 1 if nt == 1 else 16
    cdef int* failed_ptr = &failed
    cdef Scratch* s
    cdef Pair* merge
    cdef Pair* buf
    cdef Pair* out
    if sel_cnt == NULL or sel == NULL:
        free(sel_cnt)
        free(sel)
        raise MemoryError()
    memset(sel_cnt, 0, nb * (top_batch + 1) * sizeof(int32_t))
    # One parallel region per batch (phase 1, then phase 2 after the loop's
    # barrier): every fork/join is a point where a thread that the OS has
    # descheduled (a busy machine) holds everybody up.
    with nogil, parallel(num_threads=nt):
        s = _scratch_new(&visited[threadid(), 0], capacity, efc, links0.shape[1])
        merge = <Pair*> malloc((efc + nb + 2) * sizeof(Pair))
        buf = <Pair*> malloc((2 * m + 2) * sizeof(Pair))
        out = <Pair*> malloc((2 * m + 2) * sizeof(Pair))
        ok = s != NULL and merge != NULL and buf != NULL and out != NULL
        if ok:
            ok = not s.failed
        if not ok:
            failed_ptr[0] = 1
        # Every thread takes part in both loops (work-sharing constructs); the
        # bodies do nothing once an allocation has failed.
        for p in prange(nb, schedule="dynamic"):
            if ok and not failed_ptr[0]:
                _find_links(&g, &batch[0], p, entry, max_level, efc, m, s,
                            merge, sel + p * per, sel_cnt + p * (top_batch + 1))
                if s.failed:
                    failed_ptr[0] = 1
        for part in prange(n_parts, schedule="dynamic"):
            if ok and not failed_ptr[0]:
                _link_part(&g, &batch[0], nb, sel, sel_cnt, per, top_batch, m,
                           <int32_t> part, <int32_t> n_parts, buf, out)
        _scratch_free(s)
        free(merge)
        free(buf)
        free(out)
    free(sel_cnt)
    free(sel)
    if failed:
        raise MemoryError("HNSW insertion ran out of memory.")


def search_knn(
    float[:, ::1] data,
    int32_t[:, ::1] links0,
    int32_t[:, ::1] upper,
    const int64_t[::1] upper_off,
    const int32_t[::1] levels,
    int32_t entry,
    int max_level,
    int space,
    const float[:, ::1] queries,
    int k,
    int ef,
    const uint8_t[::1] allowed,
    bint use_allowed,
    uint16_t[:, ::1] visited,
    int32_t[:, ::1] out_idx,
    float[:, ::1] out_dist,
    int n_threads,
):
    """k approximate nearest neighbours of each query (Malkov & Yashunin, alg. 5).

    Greedy descent from ``entry`` through layers ``max_level .. 1``, then a beam
    search of layer 0 with ``max(ef, k)`` candidates; nodes with ``allowed == 0``
    (when ``use_allowed``) are traversed but not returned. Parallel over queries.

    OUT: ``out_idx`` int32 (n_queries, k) internal ids ascending by distance, -1
    padded; ``out_dist`` float32 (n_queries, k), +inf padded. Returns the number of
    queries with fewer than k results.
    """
    cdef Graph g
    _graph_init(&g, data, links0, upper, upper_off, levels, space)
    cdef Py_ssize_t nq = queries.shape[0], qi, capacity = data.shape[0], nres, j
    cdef Py_ssize_t efk = max(ef, k)
    cdef int nt = max(1, min(n_threads, visited.shape[0]))
    cdef int failed = 0, n_short = 0
    cdef int* failed_ptr = &failed
    cdef const uint8_t* mask = NULL
    cdef Scratch* s
    cdef int32_t cur
    cdef float cur_d
    cdef const float* q
    if queries.shape[1] != data.shape[1]:
        raise ValueError("queries and data differ in dimension.")
    if out_idx.shape[0] != nq or out_dist.shape[0] != nq or out_idx.shape[1] != k \
            or out_dist.shape[1] != k:
        raise ValueError("output arrays have the wrong shape.")
    if use_allowed:
        if allowed.shape[0] < capacity:
            raise ValueError("allowed mask is shorter than the capacity.")
        mask = &allowed[0] if capacity > 0 else NULL
    if visited.shape[1] != capacity + 1:
        raise ValueError("visited scratch has the wrong width.")
    if nq == 0 or k == 0:
        return 0
    if entry < 0:
        for qi in range(nq):
            for j in range(k):
                out_idx[qi, j] = -1
                out_dist[qi, j] = INFINITY
        return nq
    if nq < 4:
        nt = 1
    with nogil, parallel(num_threads=nt):
        s = _scratch_new(&visited[threadid(), 0], capacity, efk, links0.shape[1])
        if s == NULL or s.failed:
            failed_ptr[0] = 1
        else:
            for qi in prange(nq, schedule="dynamic"):
                q = &queries[qi, 0]
                cur = entry
                cur_d = _dist_id(&g, q, cur)
                cur = _greedy(&g, q, cur, &cur_d, max_level, 0)
                nres = _search_layer(&g, q, cur, cur_d, 0, efk, mask, -1, s)
                while nres > k:
                    _max_pop(s.res, &nres)
                if nres < k:
                    n_short += 1
                for j in range(k - 1, -1, -1):
                    if j >= nres:
                        out_idx[qi, j] = -1
                        out_dist[qi, j] = INFINITY
                    else:
                        out_idx[qi, j] = s.res[0].id
                        out_dist[qi, j] = s.res[0].d
                        _max_pop(s.res, &nres)
                if s.failed:
                    failed_ptr[0] = 1
        _scratch_free(s)
    if failed:
        raise MemoryError("HNSW search ran out of memory.")
    return n_short


def exact_knn(
    float[:, ::1] data,
    const int32_t[::1] candidates,
    int space,
    const float[:, ::1] queries,
    int k,
    int32_t[:, ::1] out_idx,
    float[:, ::1] out_dist,
    int n_threads,
):
    """Exact k nearest neighbours of each query among ``candidates`` (int32 ids).

    The fallback of filtered searches whose filter keeps few points: one max-heap
    of size k per query, ties broken by the smaller id. OUT as :func:`search_knn`.
    Returns nothing.
    """
    cdef Py_ssize_t nq = queries.shape[0], nc = candidates.shape[0], qi, c, j, n
    cdef size_t dim = data.shape[1]
    cdef dist_fn dist = _dist_for(space)
    cdef int nt = max(1, n_threads)
    cdef Pair* heap
    cdef Pair x
    cdef int failed = 0
    cdef int* failed_ptr = &failed
    if queries.shape[1] != data.shape[1]:
        raise ValueError("queries and data differ in dimension.")
    if out_idx.shape[0] != nq or out_idx.shape[1] != k or out_dist.shape[0] != nq \
            or out_dist.shape[1] != k:
        raise ValueError("output arrays have the wrong shape.")
    for c in range(nc):
        if candidates[c] < 0 or candidates[c] >= data.shape[0]:
            raise ValueError("candidate id out of range.")
    if nq == 0 or k == 0:
        return
    with nogil, parallel(num_threads=nt):
        heap = <Pair*> malloc((k + 2) * sizeof(Pair))
        if heap == NULL:
            failed_ptr[0] = 1
        else:
            for qi in prange(nq, schedule="static"):
                n = 0
                for c in range(nc):
                    # Assigned whole (not field by field): Cython then makes x
                    # private to each thread of the prange.
                    x = _make_pair(
                        dist(&queries[qi, 0], &data[0, 0] + candidates[c] * dim, dim),
                        candidates[c])
                    if n < k:
                        _max_push(heap, &n, x)
                    elif _pair_less(x, heap[0]):
                        _max_pop(heap, &n)
                        _max_push(heap, &n, x)
                for j in range(k - 1, -1, -1):
                    if j >= n:
                        out_idx[qi, j] = -1
                        out_dist[qi, j] = INFINITY
                    else:
                        out_idx[qi, j] = heap[0].id
                        out_dist[qi, j] = heap[0].d
                        _max_pop(heap, &n)
        free(heap)
    if failed:
        raise MemoryError()


def pairwise_distances(const float[:, ::1] a, const float[:, ::1] b, int space,
                       float[:, ::1] out):
    """OUT ``out[i, j]`` = distance(a[i], b[j]) with the kernels' distance function."""
    cdef dist_fn dist = _dist_for(space)
    cdef Py_ssize_t i, j
    if a.shape[1] != b.shape[1] or out.shape[0] != a.shape[0] or \
            out.shape[1] != b.shape[0]:
        raise ValueError("shape mismatch.")
    with nogil:
        for i in range(a.shape[0]):
            for j in range(b.shape[0]):
                out[i, j] = dist(&a[i, 0], &b[j, 0], a.shape[1])
