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
- :func:`kmeanspp_potentials`: for k-means++ local trials, each candidate's
  potential ``sum_i w_i min(D(x_i)^2, |x_i - cand|^2)`` from a BLAS product.

Naive reference: tests/naive/kmeans.py (one dense distance matrix, plain loops).
"""

from __future__ import annotations

import numpy as np

from fastml.kernels._jit import jit

__all__ = [
    "assign_lloyd",
    "elkan_init_bounds",
    "elkan_assign",
    "kmeanspp_potentials",
]


@jit(inline="always")
def _sqdist(x, c):  # type: ignore[no-untyped-def]
    acc = 0.0
    for f in range(x.shape[0]):
        diff = np.float64(x[f]) - np.float64(c[f])
        acc += diff * diff
    return acc


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
def kmeanspp_potentials(  # type: ignore[no-untyped-def]
    dots, x_sqnorm, cand_sqnorm, closest, weights, out_dist
):
    """Squared distances of rows to k-means++ candidates and the candidates'
    potentials over a chunk.

    Parameters
    ----------
    dots : ndarray of shape (n_chunk, n_candidates), float64
        IN. ``X_chunk @ candidates.T``.
    x_sqnorm : ndarray of shape (n_chunk,), float64
        IN.
    cand_sqnorm : ndarray of shape (n_candidates,), float64
        IN.
    closest : ndarray of shape (n_chunk,), float64
        IN. Squared distance of each row to its nearest chosen centre.
    weights : ndarray of shape (n_chunk,), float64
        IN.
    out_dist : ndarray of shape (n_chunk, n_candidates), float64
        OUT. ``min(closest, |x - cand|^2)`` (clamped at 0).

    Returns
    -------
    ndarray of shape (n_candidates,), float64
        ``sum_i w_i out_dist[i, t]`` over the chunk.
    """
    n_chunk, n_cand = dots.shape
    pot = np.zeros(n_cand, dtype=np.float64)
    for i in range(n_chunk):
        for t in range(n_cand):
            d = x_sqnorm[i] + cand_sqnorm[t] - 2.0 * dots[i, t]
            if d < 0.0:
                d = 0.0
            if closest[i] < d:
                d = closest[i]
            out_dist[i, t] = d
            pot[t] += weights[i] * d
    return pot
