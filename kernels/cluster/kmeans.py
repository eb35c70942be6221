"""k-means kernels: Lloyd assignment with fused centre sums, Elkan's bounded
assignment, and the k-means++ candidate potentials.

Work is split into a fixed number of row groups (chosen from the data size only);
each group writes its own partial centre sums, weight sums and inertia, and the
orchestration (fastml/cluster/_kmeans.py) adds the groups in group order, so the
result is the same for any number of threads.

- :func:`assign_lloyd`: given ``dots = X_chunk @ (-2 C).T`` from BLAS, the label of
  row i is ``argmin_c (|c|^2 + dots[i, c])`` (ties: smallest c), the same ordering as
  ``|x - c|^2``; the row's exact squared distance to its centre is then recomputed
  in float64 (difference form) for the inertia and for empty-cluster relocation.
- :func:`elkan_init_bounds` / :func:`elkan_assign`: Elkan (2003), "Using the triangle
  inequality to accelerate k-means": upper bound u(x) on d(x, c(x)), lower bounds
  l(x, c) on d(x, c), half the centre-centre distances; distances are computed only
  where the bounds cannot rule a centre out. Exact (float64-accumulated) distances.
- :func:`kmeanspp_gains` / :func:`kmeanspp_update`: k-means++ local trials; each
  candidate's potential decrease, skipping (triangle inequality) the rows whose
  nearest centre is more than twice as close as the candidate is to that centre.

Naive reference: tests/naive/kmeans.py (one dense distance matrix, plain loops).
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "assign_lloyd",
    "elkan_init_bounds",
    "elkan_assign",
    "kmeanspp_gains",
    "kmeanspp_update",
]


@jit(inline="always")
def _sqdist(x, c):  # type: ignore[no-untyped-def]
    """Squared distance in float64 with four independent accumulators (a single
    accumulator is latency-bound: without fastmath the compiler keeps the order)."""
    n = x.shape[0]
    a0 = 0.0
    a1 = 0.0
    a2 = 0.0
    a3 = 0.0
    f = 0
    while f + 4 <= n:
        d0 = np.float64(x[f]) - np.float64(c[f])
        d1 = np.float64(x[f + 1]) - np.float64(c[f + 1])
        d2 = np.float64(x[f + 2]) - np.float64(c[f + 2])
        d3 = np.float64(x[f + 3]) - np.float64(c[f + 3])
        a0 += d0 * d0
        a1 += d1 * d1
        a2 += d2 * d2
        a3 += d3 * d3
        f += 4
    while f < n:
        d0 = np.float64(x[f]) - np.float64(c[f])
        a0 += d0 * d0
        f += 1
    return (a0 + a1) + (a2 + a3)


@jit
def assign_lloyd(  # type: ignore[no-untyped-def]
    X, dots, center_sqnorm, centers, weights, labels, sample_sqdist, sums, wsums,
    update,
):  # fmt: skip
    """Assign a chunk of rows to their nearest centres and add them to the sums.

    Parameters
    ----------
    X : ndarray of shape (n_chunk, n_features), float32/float64
        IN. The chunk's rows.
    dots : ndarray of shape (n_chunk, n_clusters), same dtype
        IN. ``X @ (-2 * centers).T``.
    center_sqnorm : ndarray of shape (n_clusters,), same dtype
        IN. Squared norms of the centres.
    centers : ndarray of shape (n_clusters, n_features), same dtype
        IN. The centres (for the exact distance of each row to its centre).
    weights : ndarray of shape (n_chunk,), float64
        IN. Sample weights.
    labels : ndarray of shape (n_chunk,), int64
        OUT.
    sample_sqdist : ndarray of shape (n_chunk,), float64
        OUT. Exact squared distance of each row to its centre.
    sums : ndarray of shape (n_clusters, n_features), float64
        IN/OUT. The group's weighted centre sums (added to when ``update``).
    wsums : ndarray of shape (n_clusters,), float64
        IN/OUT. The group's weight sums (added to when ``update``).
    update : bool
        Accumulate the sums.

    Returns
    -------
    float
        The chunk's inertia ``sum_i w_i sample_sqdist_i``.
    """
    n_chunk, n_clusters = dots.shape
    n_features = X.shape[1]
    inertia = 0.0
    for i in range(n_chunk):
        row = dots[i]
        best = 0
        best_value = center_sqnorm[0] + row[0]
        for c in range(1, n_clusters):
            value = center_sqnorm[c] + row[c]
            if value < best_value:
                best_value = value
                best = c
        labels[i] = best
        d = _sqdist(X[i], centers[best])
        sample_sqdist[i] = d
        w = weights[i]
        inertia += w * d
        if update:
            wsums[best] += w
            for f in range(n_features):
                sums[best, f] += w * X[i, f]
    return inertia


@jit
def elkan_init_bounds(  # type: ignore[no-untyped-def]
    X, centers, center_half_dist, labels, upper, lower
):
    """First Elkan assignment: labels and tight bounds.

    Parameters
    ----------
    X : ndarray of shape (n_chunk, n_features)
        IN.
    centers : ndarray of shape (n_clusters, n_features), same dtype
        IN.
    center_half_dist : ndarray of shape (n_clusters, n_clusters), float64
        IN. Half the distances between centres.
    labels : ndarray of shape (n_chunk,), int64
        OUT.
    upper : ndarray of shape (n_chunk,), float64
        OUT. d(x, c(x)) (exact).
    lower : ndarray of shape (n_chunk, n_clusters), float64
        OUT. Lower bounds (exact where computed, 0 where skipped).
    """
    n_chunk = X.shape[0]
    n_clusters = centers.shape[0]
    for i in range(n_chunk):
        for c in range(n_clusters):
            lower[i, c] = 0.0
        best = 0
        best_dist = np.sqrt(_sqdist(X[i], centers[0]))
        lower[i, 0] = best_dist
        for c in range(1, n_clusters):
            if best_dist > center_half_dist[best, c]:
                d = np.sqrt(_sqdist(X[i], centers[c]))
                lower[i, c] = d
                if d < best_dist:
                    best_dist = d
                    best = c
        labels[i] = best
        upper[i] = best_dist


@jit
def elkan_assign(  # type: ignore[no-untyped-def]
    X, weights, centers, center_half_dist, next_center_half, labels, upper, lower,
    sums, wsums, update,
):  # fmt: skip
    """One Elkan assignment pass over a chunk (bounds from the previous pass).

    Parameters
    ----------
    X : ndarray of shape (n_chunk, n_features)
        IN.
    weights : ndarray of shape (n_chunk,), float64
        IN.
    centers : ndarray of shape (n_clusters, n_features), same dtype as X
        IN. The centres the bounds refer to.
    center_half_dist : ndarray of shape (n_clusters, n_clusters), float64
        IN.
    next_center_half : ndarray of shape (n_clusters,), float64
        IN. Half the distance from each centre to its nearest other centre.
    labels : ndarray of shape (n_chunk,), int64
        IN/OUT.
    upper : ndarray of shape (n_chunk,), float64
        IN/OUT.
    lower : ndarray of shape (n_chunk, n_clusters), float64
        IN/OUT.
    sums : ndarray of shape (n_clusters, n_features), float64
        IN/OUT (when ``update``).
    wsums : ndarray of shape (n_clusters,), float64
        IN/OUT (when ``update``).
    update : bool
    """
    n_chunk, n_features = X.shape
    n_clusters = centers.shape[0]
    for i in range(n_chunk):
        label = labels[i]
        u = upper[i]
        tight = False
        if not (next_center_half[label] >= u):
            for c in range(n_clusters):
                if c != label and u > lower[i, c] and u > center_half_dist[label, c]:
                    if not tight:
                        u = np.sqrt(_sqdist(X[i], centers[label]))
                        lower[i, label] = u
                        tight = True
                    if u > lower[i, c] or u > center_half_dist[label, c]:
                        d = np.sqrt(_sqdist(X[i], centers[c]))
                        lower[i, c] = d
                        if d < u:
                            label = c
                            u = d
        labels[i] = label
        upper[i] = u
        if update:
            w = weights[i]
            wsums[label] += w
            for f in range(n_features):
                sums[label, f] += w * X[i, f]


@jit
def kmeanspp_gains(  # type: ignore[no-untyped-def]
    X, candidates_t, cand_sqnorm, x_sqnorm, cand_center_sqdist, assign, closest,
    weights,
):  # fmt: skip
    """Potential decrease each of up to 8 k-means++ candidates would bring (a chunk).

    Parameters
    ----------
    X : ndarray of shape (n_chunk, n_features), float32/float64
        IN.
    candidates_t : ndarray of shape (n_features, 8), same dtype
        IN. The candidates as columns, zero-padded to 8 (one SIMD-friendly row of
        products per feature).
    cand_sqnorm : ndarray of shape (n_candidates,), float64
        IN. Squared norms of the candidates (n_candidates <= 8).
    x_sqnorm : ndarray of shape (n_chunk,), float64
        IN. Squared norms of the rows.
    cand_center_sqdist : ndarray of shape (n_candidates, n_chosen), float64
        IN. Squared distances between candidates and the centres chosen so far.
    assign : ndarray of shape (n_chunk,), int64
        IN. Index of each row's nearest chosen centre.
    closest : ndarray of shape (n_chunk,), float64
        IN. Squared distance of each row to that centre, D(x)^2.
    weights : ndarray of shape (n_chunk,), float64
        IN.

    Returns
    -------
    ndarray of shape (n_candidates,), float64
        ``sum_i w_i max(0, D(x_i)^2 - |x_i - cand|^2)``, with
        ``|x - c|^2 = |x|^2 + |c|^2 - 2 <x, c>`` (the products in the data's
        dtype, like a BLAS product would be).

    A candidate at distance >= 2 D(x) from x's centre cannot be closer to x than
    that centre (triangle inequality); rows where this holds for every candidate
    are skipped.
    """
    n_chunk, n_features = X.shape
    n_cand = cand_sqnorm.shape[0]
    gains = np.zeros(n_cand, dtype=np.float64)
    acc = np.zeros(8, dtype=X.dtype)
    for i in range(n_chunk):
        a = assign[i]
        limit = 4.0 * closest[i]
        skip = True
        for t in range(n_cand):
            if cand_center_sqdist[t, a] < limit:
                skip = False
        if skip:
            continue
        for t in range(8):
            acc[t] = 0.0
        for f in range(n_features):
            xf = X[i, f]
            for t in range(8):
                acc[t] += xf * candidates_t[f, t]
        for t in range(n_cand):
            d = x_sqnorm[i] + cand_sqnorm[t] - 2.0 * np.float64(acc[t])
            if d < closest[i]:
                gains[t] += weights[i] * (closest[i] - d)
    return gains


@jit
def kmeanspp_update(  # type: ignore[no-untyped-def]
    X, center, center_index, center_sqdist, assign, closest
):
    """Add a chosen k-means++ centre: update each row's nearest centre and D(x)^2.

    Parameters
    ----------
    X : ndarray of shape (n_chunk, n_features)
        IN.
    center : ndarray of shape (n_features,), same dtype
        IN. The new centre.
    center_index : int
        Its index among the chosen centres.
    center_sqdist : ndarray of shape (n_chosen,), float64
        IN. Squared distances from the new centre to the chosen centres.
    assign : ndarray of shape (n_chunk,), int64
        IN/OUT.
    closest : ndarray of shape (n_chunk,), float64
        IN/OUT. (+inf before the first centre.)
    """
    for i in range(X.shape[0]):
        a = assign[i]
        if a >= 0 and center_sqdist[a] >= 4.0 * closest[i]:
            continue
        d = _sqdist(X[i], center)
        if d < closest[i]:
            closest[i] = d
            assign[i] = center_index
