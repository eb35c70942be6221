"""Brute-force k-nearest-neighbour kernels: blocked top-k selection and exact scans.

The orchestration (fastml/neighbors/_brute.py) walks the queries in blocks and the
fitted points in chunks, so no (n_queries, n_samples) matrix ever exists. Two paths:

- matrix-product metrics (euclidean, sqeuclidean, cosine, inner product): a BLAS
  product of a query block (pre-scaled by -2, or by -1 for dot-product metrics) with a
  chunk of points gives ``approx[i, j] = base_term[j] + dots[i, j]``, which orders the
  points like the true distance of query ``i`` (the query's own term is constant per
  row). :func:`update_topk_approx` keeps, per query, the ``m`` smallest values in a
  max-heap (``m`` a little larger than k). :func:`refine_candidates` then recomputes
  the exact distances of those ``m`` candidates directly (float64, difference form,
  no cancellation), sorts them by (distance, index) and certifies the result: every
  point left out has an approximate value >= the heap's root, hence an exact value
  >= root - bound (``bound`` the float32 product's rounding error bound); when the
  k-th exact value is below that, the top k are exact, ties included. Queries that
  cannot be certified are flagged and rescanned exactly with :func:`kneighbors_exact`.
- other metrics (manhattan, minkowski p, chebyshev) and the fallback:
  :func:`kneighbors_exact` computes exact float64 distances in tiles of points and
  keeps a heap ordered by (distance, index).

Ties are broken by the smaller index everywhere.

Naive reference: tests/naive/brute.py (full distance matrix, stable argsort).
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "update_topk_approx",
    "refine_candidates",
    "kneighbors_exact",
    "pairwise_exact",
    "METRIC_SQEUCLIDEAN",
    "METRIC_MANHATTAN",
    "METRIC_MINKOWSKI",
    "METRIC_CHEBYSHEV",
    "METRIC_DOT",
]

#: Codes of the exact "reduced" distances computed by :func:`kneighbors_exact`.
METRIC_SQEUCLIDEAN = 0  # sum (x - y)^2
METRIC_MANHATTAN = 1  # sum |x - y|
METRIC_MINKOWSKI = 2  # sum |x - y|^p  (the p-th power of the distance)
METRIC_CHEBYSHEV = 3  # max |x - y|
METRIC_DOT = 4  # 1 - <x, y> * scale_x * scale_y  (cosine with inverse norms, or ip)


@jit(inline="always")
def _sift_root(heap_dist, heap_idx, value, index):  # type: ignore[no-untyped-def]
    """Replace the root of a max-heap (by value) and restore the heap."""
    m = heap_dist.shape[0]
    pos = 0
    while True:
        child = 2 * pos + 1
        if child >= m:
            break
        right = child + 1
        if right < m and heap_dist[right] > heap_dist[child]:
            child = right
        if heap_dist[child] <= value:
            break
        heap_dist[pos] = heap_dist[child]
        heap_idx[pos] = heap_idx[child]
        pos = child
    heap_dist[pos] = value
    heap_idx[pos] = index


@jit
def update_topk_approx(dots, base_term, offset, heap_dist, heap_idx):  # type: ignore[no-untyped-def]
    """Merge one (query block, point chunk) product into the per-query heaps.

    Parameters
    ----------
    dots : ndarray of shape (n_block, n_chunk), float32 or float64, C-contiguous
        IN. ``scale * <query_i, point_j>`` from BLAS (scale -2 or -1).
    base_term : ndarray of shape (n_chunk,), same dtype
        IN. Per-point term added to ``dots`` (squared norms for euclidean, 0 else).
    offset : int
        Index of the chunk's first point among all fitted points.
    heap_dist : ndarray of shape (n_block, m), same dtype
        IN/OUT. Max-heaps (root at column 0) of the m smallest values so far; start
        at +inf.
    heap_idx : ndarray of shape (n_block, m), int64
        IN/OUT. Point indices of ``heap_dist`` (-1 for empty slots).

    Points are scanned in index order and enter only when strictly smaller than the
    root, so among equal values the smaller index is kept.
    """
    n_block, n_chunk = dots.shape
    for i in range(n_block):
        hd = heap_dist[i]
        hi = heap_idx[i]
        threshold = hd[0]
        row = dots[i]
        for j in range(n_chunk):
            value = base_term[j] + row[j]
            if value < threshold:
                _sift_root(hd, hi, value, offset + j)
                threshold = hd[0]


@jit(inline="always")
def _reduced_distance(x, y, metric, p, scale_x, scale_y):  # type: ignore[no-untyped-def]
    n_features = x.shape[0]
    acc = 0.0
    if metric == 0:
        for f in range(n_features):
            diff = np.float64(x[f]) - np.float64(y[f])
            acc += diff * diff
    elif metric == 1:
        for f in range(n_features):
            acc += abs(np.float64(x[f]) - np.float64(y[f]))
    elif metric == 2:
        for f in range(n_features):
            acc += abs(np.float64(x[f]) - np.float64(y[f])) ** p
    elif metric == 3:
        for f in range(n_features):
            diff = abs(np.float64(x[f]) - np.float64(y[f]))
            if diff > acc:
                acc = diff
    else:
        for f in range(n_features):
            acc += np.float64(x[f]) * np.float64(y[f])
        acc = 1.0 - acc * scale_x * scale_y
    return acc


@jit(inline="always")
def _lex_greater(d1, i1, d2, i2):  # type: ignore[no-untyped-def]
    return d1 > d2 or (d1 == d2 and i1 > i2)


@jit(inline="always")
def _sift_root_lex(heap_dist, heap_idx, value, index):  # type: ignore[no-untyped-def]
    """Replace the root of a max-heap ordered by (value, index)."""
    m = heap_dist.shape[0]
    pos = 0
    while True:
        child = 2 * pos + 1
        if child >= m:
            break
        right = child + 1
        if right < m and _lex_greater(
            heap_dist[right], heap_idx[right], heap_dist[child], heap_idx[child]
        ):
            child = right
        if not _lex_greater(heap_dist[child], heap_idx[child], value, index):
            break
        heap_dist[pos] = heap_dist[child]
        heap_idx[pos] = heap_idx[child]
        pos = child
    heap_dist[pos] = value
    heap_idx[pos] = index


@jit(inline="always")
def _sort_pairs(dist, idx):  # type: ignore[no-untyped-def]
    """Insertion sort of (dist, idx) pairs, ascending, ties by index."""
    n = dist.shape[0]
    for a in range(1, n):
        d = dist[a]
        i = idx[a]
        b = a - 1
        while b >= 0 and _lex_greater(dist[b], idx[b], d, i):
            dist[b + 1] = dist[b]
            idx[b + 1] = idx[b]
            b -= 1
        dist[b + 1] = d
        idx[b + 1] = i


@jit
def kneighbors_exact(  # type: ignore[no-untyped-def]
    X_query,
    X_fit,
    query_rows,
    metric,
    p,
    query_scale,
    fit_scale,
    out_dist,
    out_idx,
):
    """Exact k nearest points of some queries, by (reduced distance, index).

    Parameters
    ----------
    X_query : ndarray of shape (n_queries, n_features), float32/float64
        IN.
    X_fit : ndarray of shape (n_samples, n_features), same dtype
        IN.
    query_rows : ndarray of shape (n_rows,), int64
        IN. Which queries to answer (row r of the outputs is query query_rows[r]).
    metric : int
        One of the METRIC_* codes (reduced distances, accumulated in float64).
    p : float
        Minkowski power (METRIC_MINKOWSKI only).
    query_scale, fit_scale : ndarray of shape (n_queries,) / (n_samples,), float64
        IN. Inverse norms for METRIC_DOT (ones for the inner product); unused else.
    out_dist : ndarray of shape (n_rows, k), float64
        OUT. Reduced distances, ascending.
    out_idx : ndarray of shape (n_rows, k), int64
        OUT. Point indices; ties by the smaller index.

    Points are visited in tiles of 256 so a tile stays in cache across a block of
    16 queries.
    """
    n_rows = query_rows.shape[0]
    n_samples = X_fit.shape[0]
    k = out_dist.shape[1]
    tile = 256
    qblock = 16
    for r0 in range(0, n_rows, qblock):
        r1 = min(r0 + qblock, n_rows)
        for r in range(r0, r1):
            for c in range(k):
                out_dist[r, c] = np.inf
                out_idx[r, c] = n_samples
        for j0 in range(0, n_samples, tile):
            j1 = min(j0 + tile, n_samples)
            for r in range(r0, r1):
                q = query_rows[r]
                x = X_query[q]
                hd = out_dist[r]
                hi = out_idx[r]
                for j in range(j0, j1):
                    d = _reduced_distance(
                        x, X_fit[j], metric, p, query_scale[q], fit_scale[j]
                    )
                    if _lex_greater(hd[0], hi[0], d, j):
                        _sift_root_lex(hd, hi, d, j)
        for r in range(r0, r1):
            _sort_pairs(out_dist[r], out_idx[r])


@jit
def refine_candidates(  # type: ignore[no-untyped-def]
    X_query,
    X_fit,
    cand_idx,
    cand_root,
    query_offset,
    metric,
    query_scale,
    fit_scale,
    query_term,
    bound,
    out_dist,
    out_idx,
    uncertain,
):
    """Exact distances of the candidates, sorted, and a certificate per query.

    Parameters
    ----------
    X_query : ndarray of shape (n_queries, n_features), float32/float64
        IN. All queries; the block's rows are ``query_offset + i``.
    X_fit : ndarray of shape (n_samples, n_features), same dtype
        IN.
    cand_idx : ndarray of shape (n_block, m), int64
        IN. Candidate indices from :func:`update_topk_approx` (-1: empty slot).
    cand_root : ndarray of shape (n_block,), float64
        IN. The heap root per query: every non-candidate has an approximate value
        >= it.
    metric : int
        METRIC_SQEUCLIDEAN or METRIC_DOT.
    query_scale, fit_scale : ndarray of shape (n_queries,) / (n_samples,), float64
        IN. Inverse norms for METRIC_DOT.
    query_term : ndarray of shape (n_queries,), float64
        IN. What the approximate value lacks to be the reduced distance (the query's
        squared norm for euclidean, 1 for dot metrics).
    bound : ndarray of shape (n_queries,), float64
        IN. Upper bound of |approximate - exact| for any point.
    out_dist, out_idx : ndarray of shape (n_queries, k)
        OUT. Rows ``query_offset + i``: the k best candidates, by (distance, index).
    uncertain : ndarray of shape (n_queries,), bool
        OUT. True where the candidates do not provably contain the exact top k.
    """
    n_block, m = cand_idx.shape
    k = out_dist.shape[1]
    dist = np.empty(m, dtype=np.float64)
    idx = np.empty(m, dtype=np.int64)
    for i in range(n_block):
        q = query_offset + i
        x = X_query[q]
        n_valid = 0
        for c in range(m):
            j = cand_idx[i, c]
            if j >= 0:
                dist[n_valid] = _reduced_distance(
                    x, X_fit[j], metric, 2.0, query_scale[q], fit_scale[j]
                )
                idx[n_valid] = j
                n_valid += 1
        _sort_pairs(dist[:n_valid], idx[:n_valid])
        for c in range(k):
            out_dist[q, c] = dist[c]
            out_idx[q, c] = idx[c]
        # Left-out points have exact value >= root + query_term - bound.
        kth = dist[k - 1] - query_term[q]
        uncertain[q] = not (kth < cand_root[i] - bound[q])


@jit
def pairwise_exact(  # type: ignore[no-untyped-def]
    X_query, X_fit, metric, p, query_scale, fit_scale, out
):
    """Exact reduced distances of a query block to a chunk of points.

    Parameters
    ----------
    X_query : ndarray of shape (n_block, n_features), float32/float64
        IN.
    X_fit : ndarray of shape (n_chunk, n_features), same dtype
        IN.
    metric, p, query_scale, fit_scale
        As in :func:`kneighbors_exact` (scales indexed like the block and chunk).
    out : ndarray of shape (n_block, n_chunk), float64
        OUT.
    """
    for i in range(X_query.shape[0]):
        for j in range(X_fit.shape[0]):
            out[i, j] = _reduced_distance(
                X_query[i], X_fit[j], metric, p, query_scale[i], fit_scale[j]
            )
