"""Agglomerative (hierarchical) clustering kernels (Numba).

Method codes (scipy's numbering): 0 single, 1 complete, 2 average, 3 centroid,
4 median, 5 ward, 6 weighted. All distances are Euclidean between observations;
cluster distances follow the Lance-Williams recurrences (Muellner, "Modern
hierarchical, agglomerative clustering algorithms", arXiv:1109.2378, Fig. 2), written
with the same floating-point operations in the same order as scipy's, so that the
merge heights agree with scipy's bit for bit when the observation distances do.

Kernels
-------
- :func:`fill_condensed_euclidean`: the condensed distance matrix, parallel over row
  blocks, written into a caller-owned buffer (no second copy is ever made).
- :func:`prim_single_linkage`: single linkage as a minimum spanning tree (Prim) on
  distances computed on the fly from X: O(n^2 d) time, O(n d) memory.
- :func:`nn_chain_linkage`: complete, average, weighted and ward linkage by the
  nearest-neighbour chain, updating the condensed matrix in place: O(n^2) time, no
  memory beyond the matrix and O(n) scratch.
- :func:`generic_linkage`: centroid and median linkage (not reducible, so no NN-chain)
  by Muellner's generic algorithm (a lower bound of each cluster's nearest-neighbour
  distance among higher indices), in place on the condensed matrix.
- :func:`relabel_linkage`: turns merges recorded between representatives into
  scipy's cluster ids (union-find), and sizes.
- :func:`cut_linkage_maxdist`, :func:`maxclust_threshold`: flat clusters from a
  linkage matrix (fcluster's "distance" and "maxclust" criteria).

Tie rule (identical to scipy 1.17): scans run in increasing index order and keep the
first strict minimum; the NN-chain prefers the previous chain element on a tie; Prim
keeps the lowest index among equal candidates; rows of the final matrix are ordered by
a stable sort on the height. Single linkage compares squared distances (the square
root is taken once per merge); two squared distances that differ but have equal
square roots are the only case where this can differ from scipy's choice.

Naive references: ``tests/naive/linkage.py`` (O(n^3) agglomeration straight from the
definitions of the cluster distances); compared in ``tests/kernels/test_linkage.py``.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit, jit_parallel, prange

__all__ = [
    "METHOD_CODES",
    "fill_condensed_euclidean",
    "prim_single_linkage",
    "nn_chain_linkage",
    "generic_linkage",
    "relabel_linkage",
    "cut_linkage_maxdist",
    "maxclust_threshold",
    "max_dist_per_node",
]

METHOD_CODES = {
    "single": 0,
    "complete": 1,
    "average": 2,
    "centroid": 3,
    "median": 4,
    "ward": 5,
    "weighted": 6,
}

_ROW_BLOCK = 16


@jit(inline="always")
def _cidx(n, i, j):  # pragma: no cover - compiled
    """Condensed index of the pair (i, j), i < j, of n observations."""
    return n * i - (i * (i + 1)) // 2 + (j - i - 1)


@jit_parallel
def fill_condensed_euclidean(X, out):  # pragma: no cover - compiled
    """Euclidean distances of all pairs, in scipy's condensed order.

    X : float64 (n, d) C-contiguous (IN). out : float64 (n (n - 1) / 2,) (OUT):
    ``out[_cidx(n, i, j)] = sqrt(sum_f (X[i, f] - X[j, f])^2)`` for i < j, the sum
    taken over f in increasing order. Parallel over blocks of rows (each output entry
    is written by one thread, so the result does not depend on the thread count).
    Naive reference: ``naive_condensed_euclidean``.
    """
    n, d = X.shape
    n_blocks = (n + _ROW_BLOCK - 1) // _ROW_BLOCK
    # Interleave blocks so both threads get early (long) and late (short) rows.
    for b in prange(n_blocks):
        start = b * _ROW_BLOCK
        stop = min(start + _ROW_BLOCK, n)
        for i in range(start, stop):
            base = _cidx(n, i, i + 1) - (i + 1)
            for j in range(i + 1, n):
                acc = 0.0
                for f in range(d):
                    diff = X[i, f] - X[j, f]
                    acc += diff * diff
                out[base + j] = np.sqrt(acc)


@jit
def prim_single_linkage(X):  # pragma: no cover - compiled
    """Minimum spanning tree of the points (Prim), in the order vertices are added.

    X : float64 (n, d) C-contiguous (IN). Returns Z : float64 (n - 1, 4) whose row k
    is (vertex added at step k - 1, vertex added at step k, edge length, 0) -- the
    "MST-linkage-core" of Muellner (Fig. 6): after a stable sort by length,
    :func:`relabel_linkage` turns it into the single-linkage dendrogram.

    Distances are computed on the fly (O(n^2 d) time, O(n d) memory): the points not
    yet in the tree are kept compacted, feature-major, at the front of a private copy
    (swap-remove), so the distance loop runs over contiguous memory. Squared
    distances are compared; ties go to the lowest original index (scipy's scan).
    """
    n, d = X.shape
    Z = np.zeros((max(n - 1, 0), 4))
    if n < 2:
        return Z
    m = n - 1  # points outside the tree: original ids 1..n-1
    XT = np.empty((d, m))
    ids = np.empty(m, dtype=np.int64)
    best = np.empty(m)
    for j in range(m):
        ids[j] = j + 1
        best[j] = np.inf
        for f in range(d):
            XT[f, j] = X[j + 1, f]
    acc = np.empty(m)
    xq = np.empty(d)
    x = 0
    for f in range(d):
        xq[f] = X[0, f]
    for k in range(n - 1):
        for j in range(m):
            acc[j] = 0.0
        for f in range(d):
            q = xq[f]
            row = XT[f]
            for j in range(m):
                diff = q - row[j]
                acc[j] += diff * diff
        cur = np.inf
        pos = -1
        y = n
        for j in range(m):
            if acc[j] < best[j]:
                best[j] = acc[j]
            v = best[j]
            if v < cur or (v == cur and ids[j] < y):
                cur = v
                pos = j
                y = ids[j]
        Z[k, 0] = x
        Z[k, 1] = y
        Z[k, 2] = np.sqrt(cur)
        for f in range(d):
            xq[f] = XT[f, pos]
        # swap-remove y from the compacted set
        last = m - 1
        ids[pos] = ids[last]
        best[pos] = best[last]
        for f in range(d):
            XT[f, pos] = XT[f, last]
        m -= 1
        x = y
    return Z


@jit(inline="always")
def _lance_williams(method, d_xi, d_yi, d_xy, nx, ny, ni):  # pragma: no cover
    """Distance from cluster i to the union of x and y (scipy's operation order)."""
    if method == 1:
        return d_xi if d_xi > d_yi else d_yi
    if method == 2:
        return (nx * d_xi + ny * d_yi) / (nx + ny)
    if method == 5:
        t = 1.0 / (nx + ny + ni)
        return np.sqrt(
            (ni + nx) * t * d_xi * d_xi
            + (ni + ny) * t * d_yi * d_yi
            - ni * t * d_xy * d_xy
        )
    if method == 6:
        return 0.5 * (d_xi + d_yi)
    if method == 3:
        return np.sqrt(
            (
                ((nx * d_xi * d_xi) + (ny * d_yi * d_yi))
                - (nx * ny * d_xy * d_xy) / (nx + ny)
            )
            / (nx + ny)
        )
    if method == 4:
        return np.sqrt(0.5 * (d_xi * d_xi + d_yi * d_yi) - 0.25 * d_xy * d_xy)
    return d_xi if d_xi < d_yi else d_yi


@jit
def _update_row(D, n, size, x, y, d_xy, nx, ny, method):  # pragma: no cover
    """D(i, y) <- LW(D(i, x), D(i, y)) for every live cluster i != y (x is dead)."""
    # i < x: both entries strided (column parts of rows i)
    ix = _cidx(n, 0, x) if x > 0 else 0
    iy = _cidx(n, 0, y)
    for i in range(x):
        if size[i] > 0:
            D[iy] = _lance_williams(method, D[ix], D[iy], d_xy, nx, ny, size[i])
        ix += n - i - 2
        iy += n - i - 2
    # x < i < y: D(x, i) contiguous, D(i, y) strided
    ix = _cidx(n, x, x + 1)
    if x + 1 < y:
        iy = _cidx(n, x + 1, y)
    for i in range(x + 1, y):
        if size[i] > 0:
            D[iy] = _lance_williams(method, D[ix], D[iy], d_xy, nx, ny, size[i])
        ix += 1
        iy += n - i - 2
    # i > y: both contiguous
    if y + 1 < n:
        ix = _cidx(n, x, y + 1)
        iy = _cidx(n, y, y + 1)
        for i in range(y + 1, n):
            if size[i] > 0:
                D[iy] = _lance_williams(method, D[ix], D[iy], d_xy, nx, ny, size[i])
            ix += 1
            iy += 1


@jit
def nn_chain_linkage(D, n, method):  # pragma: no cover - compiled
    """Nearest-neighbour-chain agglomeration on a condensed matrix, in place.

    D : float64 (n (n - 1) / 2,) condensed distances (IN, destroyed). method : 1
    complete, 2 average, 5 ward, 6 weighted (reducible methods only). Returns Z :
    float64 (n - 1, 4) with rows in merge order, columns (x, y, height, size) where x
    < y are representatives (the merged cluster lives on at y); sort by height
    (stable) and call :func:`relabel_linkage` to get scipy's matrix.

    Algorithm: Muellner, Fig. 4 (Benzecri / Juan NN-chain). The scan for the nearest
    neighbour of the chain's tip runs over i in increasing order with a strict
    comparison, starting from the previous chain element, as scipy does.
    """
    Z = np.zeros((max(n - 1, 0), 4))
    size = np.ones(n, dtype=np.int64)
    chain = np.empty(n, dtype=np.int64)
    chain_len = 0
    y = 0
    for k in range(n - 1):
        if chain_len == 0:
            for i in range(n):
                if size[i] > 0:
                    chain[0] = i
                    break
            chain_len = 1
        while True:
            x = chain[chain_len - 1]
            if chain_len > 1:
                y = chain[chain_len - 2]
                cur = D[_cidx(n, x, y)] if x < y else D[_cidx(n, y, x)]
            else:
                cur = np.inf
            # i < x: strided column of x
            idx = _cidx(n, 0, x) if x > 0 else 0
            for i in range(x):
                if size[i] > 0:
                    v = D[idx]
                    if v < cur:
                        cur = v
                        y = i
                idx += n - i - 2
            # i > x: contiguous row of x
            if x + 1 < n:
                base = _cidx(n, x, x + 1) - (x + 1)
                for i in range(x + 1, n):
                    if size[i] > 0:
                        v = D[base + i]
                        if v < cur:
                            cur = v
                            y = i
            if chain_len > 1 and y == chain[chain_len - 2]:
                break
            chain[chain_len] = y
            chain_len += 1
        chain_len -= 2
        if x > y:
            x, y = y, x
        nx = size[x]
        ny = size[y]
        Z[k, 0] = x
        Z[k, 1] = y
        Z[k, 2] = cur
        Z[k, 3] = nx + ny
        size[x] = 0
        size[y] = nx + ny
        _update_row(D, n, size, x, y, cur, nx, ny, method)
    return Z


@jit
def _nearest_above(D, n, size, x):  # pragma: no cover - compiled
    """(index, distance) of the nearest live cluster among indices > x (first min)."""
    best = np.inf
    arg = -1
    if x + 1 < n:
        base = _cidx(n, x, x + 1) - (x + 1)
        for i in range(x + 1, n):
            if size[i] > 0:
                v = D[base + i]
                if v < best:
                    best = v
                    arg = i
    return arg, best


@jit
def generic_linkage(D, n, method):  # pragma: no cover - compiled
    """Muellner's generic algorithm (Fig. 3) on a condensed matrix, in place.

    D : float64 (n (n - 1) / 2,) (IN, destroyed). method : any code, used for
    centroid (3) and median (4), which are not reducible. Returns Z : float64
    (n - 1, 4) in merge order with scipy's cluster ids (smaller id first) and sizes;
    heights may decrease (inversions), so the rows are not sorted.

    Each live cluster x keeps a candidate neighbour among higher indices and a lower
    bound of its distance; the global minimum of the bounds is taken by a linear scan
    (the merge's O(n) update dominates anyway) and re-verified before merging.
    """
    Z = np.zeros((max(n - 1, 0), 4))
    size = np.ones(n, dtype=np.int64)
    cluster_id = np.arange(n)
    neighbor = np.full(n, -1, dtype=np.int64)
    min_dist = np.full(n, np.inf)
    for x in range(n - 1):
        a, b = _nearest_above(D, n, size, x)
        neighbor[x] = a
        min_dist[x] = b
    for k in range(n - 1):
        x = -1
        y = -1
        dist = np.inf
        for _ in range(n + 1):
            x = -1
            best = np.inf
            for i in range(n - 1):
                if size[i] > 0 and neighbor[i] >= 0 and min_dist[i] < best:
                    best = min_dist[i]
                    x = i
            y = neighbor[x]
            dist = best
            if size[y] > 0 and dist == D[_cidx(n, x, y)]:
                break
            a, b = _nearest_above(D, n, size, x)
            neighbor[x] = a
            min_dist[x] = b
        id_x = cluster_id[x]
        id_y = cluster_id[y]
        nx = size[x]
        ny = size[y]
        if id_x > id_y:
            id_x, id_y = id_y, id_x
        Z[k, 0] = id_x
        Z[k, 1] = id_y
        Z[k, 2] = dist
        Z[k, 3] = nx + ny
        size[x] = 0
        size[y] = nx + ny
        cluster_id[y] = n + k
        neighbor[x] = -1
        min_dist[x] = np.inf
        _update_row(D, n, size, x, y, dist, nx, ny, method)
        for z in range(x):
            if size[z] > 0 and neighbor[z] == x:
                neighbor[z] = y
        iz = _cidx(n, 0, y)
        for z in range(y):
            if size[z] > 0:
                v = D[iz]
                if v < min_dist[z]:
                    neighbor[z] = y
                    min_dist[z] = v
            iz += n - z - 2
        if y < n - 1:
            a, b = _nearest_above(D, n, size, y)
            neighbor[y] = a
            min_dist[y] = b
    return Z


@jit
def _find_root(parent, x):  # pragma: no cover - compiled
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@jit
def relabel_linkage(Z, n, smaller_first):  # pragma: no cover - compiled
    """Replace representatives by cluster ids, in place (union-find).

    Z : float64 (n - 1, 4), rows in final order, columns 0 and 1 holding any member
    of each merged cluster (IN/OUT). Row k creates cluster n + k; columns 0 and 1
    become the ids of the two merged clusters (the smaller first when
    ``smaller_first``, else in the recorded order -- scikit-learn's single-linkage
    convention) and column 3 the size.
    """
    parent = np.arange(2 * n - 1)
    csize = np.ones(2 * n - 1, dtype=np.int64)
    for k in range(n - 1):
        a = _find_root(parent, np.int64(Z[k, 0]))
        b = _find_root(parent, np.int64(Z[k, 1]))
        if smaller_first and b < a:
            a, b = b, a
        Z[k, 0] = a
        Z[k, 1] = b
        new = n + k
        parent[a] = new
        parent[b] = new
        csize[new] = csize[a] + csize[b]
        Z[k, 3] = csize[new]


@jit
def max_dist_per_node(Z, n):  # pragma: no cover - compiled
    """Largest height in each subtree: float64 (n - 1,) for the internal nodes."""
    md = np.empty(n - 1)
    for k in range(n - 1):
        v = Z[k, 2]
        a = np.int64(Z[k, 0])
        b = np.int64(Z[k, 1])
        if a >= n and md[a - n] > v:
            v = md[a - n]
        if b >= n and md[b - n] > v:
            v = md[b - n]
        md[k] = v
    return md


@jit
def cut_linkage_maxdist(Z, n, md, cutoff):  # pragma: no cover - compiled
    """Flat clusters: the maximal subtrees whose largest height is <= cutoff.

    Z : float64 (n - 1, 4) scipy linkage matrix, md : its :func:`max_dist_per_node`.
    Returns int32 (n,) labels 1..k in scipy's fcluster numbering: a depth-first walk
    from the root that, at each node, first walks the non-leaf children (first child
    first) and then numbers the leaf children (first child first).
    """
    labels = np.zeros(n, dtype=np.int32)
    if n == 1:
        labels[0] = 1
        return labels
    stack = np.empty(2 * n, dtype=np.int64)
    stack_lab = np.empty(2 * n, dtype=np.int64)
    stack_phase = np.empty(2 * n, dtype=np.int64)
    top = 0
    stack[0] = 2 * n - 2
    stack_lab[0] = 0
    stack_phase[0] = 0
    count = 0
    while top >= 0:
        node = stack[top]
        lab = stack_lab[top]
        phase = stack_phase[top]
        top -= 1
        r = node - n
        a = np.int64(Z[r, 0])
        b = np.int64(Z[r, 1])
        if phase == 0:
            if lab == 0 and md[r] <= cutoff:
                count += 1
                lab = count
            top += 1
            stack[top] = node
            stack_lab[top] = lab
            stack_phase[top] = 1
            if b >= n:
                top += 1
                stack[top] = b
                stack_lab[top] = lab
                stack_phase[top] = 0
            if a >= n:
                top += 1
                stack[top] = a
                stack_lab[top] = lab
                stack_phase[top] = 0
        else:
            if a < n:
                if lab == 0:
                    count += 1
                    labels[a] = count
                else:
                    labels[a] = lab
            if b < n:
                if lab == 0:
                    count += 1
                    labels[b] = count
                else:
                    labels[b] = lab
    return labels


@jit
def _count_clusters(Z, n, md, thresh, limit):  # pragma: no cover - compiled
    """Number of flat clusters at ``thresh`` (stops counting past ``limit``)."""
    stack = np.empty(2 * n, dtype=np.int64)
    top = 0
    stack[0] = 2 * n - 2
    count = 0
    while top >= 0:
        node = stack[top]
        top -= 1
        if node < n or md[node - n] <= thresh:
            count += 1
            if count > limit:
                return count
            continue
        r = node - n
        top += 1
        stack[top] = np.int64(Z[r, 1])
        top += 1
        stack[top] = np.int64(Z[r, 0])
    return count


@jit
def maxclust_threshold(Z, n, md, max_nc):  # pragma: no cover - compiled
    """Smallest subtree height ``md[i]`` giving at most ``max_nc`` clusters.

    The same binary search over the row index as scipy's maxclust criterion
    (exact when md is nondecreasing in the row index, as for monotone linkages; with
    inversions it reproduces scipy's choice). ``max_nc >= 1``. Returns the cutoff to
    pass to :func:`cut_linkage_maxdist`.
    """
    lower = -1
    upper = n - 1  # md[n - 2] (the root) always qualifies when max_nc >= 1
    while upper - lower > 1:
        mid = (lower + upper) >> 1
        if _count_clusters(Z, n, md, md[mid], max_nc) > max_nc:
            lower = mid
        else:
            upper = mid
    return md[upper]
