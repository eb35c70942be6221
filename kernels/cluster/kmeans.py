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
- :func:`kmeanspp_trial_gains` / :func:`kmeanspp_add_center`: k-means++ local
  trials. Each candidate's potential decrease from a BLAS product of the rows with
  the candidates (matrix-product form, in the data's dtype); the chosen centre's
  squared distances are then recomputed exactly (float64, difference form) only
  where the product form, widened by its rounding-error bound, says the centre
  may be the nearest, so D(x)^2 stays exact.

Naive reference: tests/naive/kmeans.py (one dense distance matrix, plain loops).
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "assign_lloyd",
    "elkan_init_bounds",
    "elkan_assign",
    "kmeanspp_trial_gains",
    "kmeanspp_add_center",
]


@jit(inline="always")
def _sqdist(x, c):  # type: ignore[no-untyped-def]
    """Squared distance in float64 with four independent accumulators (a single
    accumulator is latency-bound: with strict IEEE semantics the compiler keeps the order)."""
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
    sample_sqdist : ndarray of shape (n_chunk,) or (0,), float64
        OUT. Exact squared distance of each row to its centre; when empty, these
        distances and the inertia are not computed (0 is returned).
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
    exact = sample_sqdist.shape[0] != 0
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
        w = weights[i]
        if exact:
            d = _sqdist(X[i], centers[best])
            sample_sqdist[i] = d
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
def kmeanspp_trial_gains(  # type: ignore[no-untyped-def]
    dots, x_sqnorm, cand_sqnorm, closest, weights, approx_sqdist, offset
):
    """Potential decrease each k-means++ candidate would bring (a chunk of rows).

    Parameters
    ----------
    dots : ndarray of shape (n_chunk, n_candidates), float32/float64
        IN. ``X_chunk @ (-2 * candidates).T`` (a BLAS product).
    x_sqnorm : ndarray of shape (n_chunk,), float64
        IN. Squared norms of the rows.
    cand_sqnorm : ndarray of shape (n_candidates,), float64
        IN. Squared norms of the candidates.
    closest : ndarray of shape (n_chunk,), float64
        IN. Squared distance of each row to its nearest chosen centre, D(x)^2.
    weights : ndarray of shape (n_chunk,), float64
        IN.
    approx_sqdist : ndarray of shape (n_candidates, n_samples), same dtype as dots
        OUT. Columns ``offset:offset + n_chunk``: ``|x|^2 + |cand|^2 - 2 <x, cand>``,
        the candidates' squared distances to the rows in matrix-product form (for
        :func:`kmeanspp_add_center`). The whole array is passed (always
        C-contiguous: one compiled specialization).
    offset : int
        Index of the chunk's first row in ``approx_sqdist``.

    Returns
    -------
    ndarray of shape (n_candidates,), float64
        ``sum_i w_i max(0, D(x_i)^2 - |x_i - cand|^2)``, summed with four
        accumulators (rows ``i mod 4``) combined in a fixed order.

    Candidate by candidate, with independent accumulators and no branch: the
    work per (row, candidate) is a handful of instructions, so the whole step
    costs about what the BLAS product costs. Naive reference:
    tests/naive/kmeans.py (``kmeanspp``).
    """
    n_chunk, n_cand = dots.shape
    gains = np.zeros(n_cand, dtype=np.float64)
    n4 = n_chunk - n_chunk % 4
    for t in range(n_cand):
        c_sq = cand_sqnorm[t]
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        s3 = 0.0
        for i in range(0, n4, 4):
            d0 = x_sqnorm[i] + c_sq + np.float64(dots[i, t])
            d1 = x_sqnorm[i + 1] + c_sq + np.float64(dots[i + 1, t])
            d2 = x_sqnorm[i + 2] + c_sq + np.float64(dots[i + 2, t])
            d3 = x_sqnorm[i + 3] + c_sq + np.float64(dots[i + 3, t])
            approx_sqdist[t, offset + i] = d0
            approx_sqdist[t, offset + i + 1] = d1
            approx_sqdist[t, offset + i + 2] = d2
            approx_sqdist[t, offset + i + 3] = d3
            s0 += weights[i] * max(closest[i] - d0, 0.0)
            s1 += weights[i + 1] * max(closest[i + 1] - d1, 0.0)
            s2 += weights[i + 2] * max(closest[i + 2] - d2, 0.0)
            s3 += weights[i + 3] * max(closest[i + 3] - d3, 0.0)
        for i in range(n4, n_chunk):
            d0 = x_sqnorm[i] + c_sq + np.float64(dots[i, t])
            approx_sqdist[t, offset + i] = d0
            s0 += weights[i] * max(closest[i] - d0, 0.0)
        gains[t] = (s0 + s1) + (s2 + s3)
    return gains


@jit
def kmeanspp_add_center(  # type: ignore[no-untyped-def]
    X, center, approx_sqdist, x_sqnorm, center_sqnorm, margin, closest, weights,
    cumulative,
):  # fmt: skip
    """Add a chosen k-means++ centre: update each row's D(x)^2 (squared distance
    to the nearest chosen centre), then the chunk's running sum of ``w D(x)^2``.

    Parameters
    ----------
    X : ndarray of shape (n_chunk, n_features), float32/float64
        IN.
    center : ndarray of shape (n_features,), same dtype
        IN. The new centre.
    approx_sqdist : ndarray of shape (n_chunk,) or (0,), same dtype
        IN. The centre's matrix-product-form squared distances to the rows (from
        :func:`kmeanspp_trial_gains`), or empty: every distance computed exactly.
    x_sqnorm : ndarray of shape (n_chunk,), float64
        IN.
    center_sqnorm : float
        IN. ``|center|^2``.
    margin : float
        IN. Bound on the relative rounding error of ``approx_sqdist``: the exact
        distance is computed (float64, difference form) only for the rows where
        ``approx - margin (|x|^2 + |c|^2) < D(x)^2``, i.e. where the centre may be
        closer; elsewhere it provably is not.
    closest : ndarray of shape (n_chunk,), float64
        IN/OUT. D(x)^2, exact (+inf before the first centre).
    weights : ndarray of shape (n_chunk,), float64
        IN.
    cumulative : ndarray of shape (n_chunk,), float64
        OUT. ``cumsum(w * D(x)^2)`` over the chunk (sequential order).

    Returns
    -------
    float
        The chunk's potential ``sum_i w_i D(x_i)^2`` (the last cumulative value).
    """
    n_chunk = X.shape[0]
    exact_all = approx_sqdist.shape[0] == 0
    total = 0.0
    for i in range(n_chunk):
        cl = closest[i]
        if exact_all or (
            np.float64(approx_sqdist[i]) - margin * (x_sqnorm[i] + center_sqnorm) < cl
        ):
            d = _sqdist(X[i], center)
            if d < cl:
                cl = d
                closest[i] = d
        total += weights[i] * cl
        cumulative[i] = total
    return total
