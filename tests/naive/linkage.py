"""Naive agglomerative clustering, straight from the definitions (O(n^3) or worse).

At every step all pairs of live clusters are compared with the cluster distance
computed from the members (single: closest pair, complete: farthest pair, average:
mean over pairs, ward: sqrt(2 |A| |B| / (|A| + |B|)) times the distance between the
centroids, centroid: distance between the centroids, median: distance between the
"median" points, each the midpoint of its two children's) -- weighted (WPGMA) has no
closed form, so its distances follow the recursive definition d(i, x u y) =
(d(i, x) + d(i, y)) / 2. The closest pair is merged (ties: the smallest pair of ids),
the new cluster gets id n + k, and the row is (smaller id, larger id, distance,
size): scipy's linkage matrix for data without ties.
"""

from __future__ import annotations

import numpy as np


def naive_condensed_euclidean(X: np.ndarray) -> np.ndarray:
    n = X.shape[0]
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            out.append(np.sqrt(np.sum((X[i] - X[j]) ** 2)))
    return np.array(out, dtype=np.float64)


def naive_linkage(X: np.ndarray, method: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    point: dict[int, np.ndarray] = {i: X[i].copy() for i in range(n)}  # median points
    pair_dist = {
        (i, j): float(np.linalg.norm(X[i] - X[j]))
        for i in range(n)
        for j in range(i + 1, n)
    }

    def dist(a: int, b: int) -> float:
        A, B = X[members[a]], X[members[b]]
        if method in ("single", "complete", "average"):
            d = np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))
            return float(
                {"single": d.min, "complete": d.max, "average": d.mean}[method]()
            )
        if method == "ward":
            na, nb = len(A), len(B)
            c = np.linalg.norm(A.mean(0) - B.mean(0))
            return float(np.sqrt(2.0 * na * nb / (na + nb)) * c)
        if method == "centroid":
            return float(np.linalg.norm(A.mean(0) - B.mean(0)))
        if method == "median":
            return float(np.linalg.norm(point[a] - point[b]))
        if method == "weighted":
            return pair_dist[(min(a, b), max(a, b))]
        raise ValueError(method)

    Z = np.zeros((n - 1, 4))
    for k in range(n - 1):
        live = sorted(members)
        best = (np.inf, -1, -1)
        for ia, a in enumerate(live):
            for b in live[ia + 1 :]:
                d = dist(a, b)
                if d < best[0]:
                    best = (d, a, b)
        d, a, b = best
        new = n + k
        if method == "weighted":
            for c in live:
                if c not in (a, b):
                    pair_dist[(c, new)] = 0.5 * (
                        pair_dist[(min(a, c), max(a, c))]
                        + pair_dist[(min(b, c), max(b, c))]
                    )
        members[new] = members.pop(a) + members.pop(b)
        point[new] = 0.5 * (point[a] + point[b])
        Z[k] = (a, b, d, len(members[new]))
    return Z


def naive_fcluster_distance(Z: np.ndarray, t: float) -> np.ndarray:
    """Flat clusters: points joined by merges of height <= t (in every subtree)."""
    n = Z.shape[0] + 1
    parent = list(range(2 * n - 1))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    # a subtree is a cluster when its largest height is <= t
    md = np.zeros(n - 1)
    for k in range(n - 1):
        a, b = int(Z[k, 0]), int(Z[k, 1])
        md[k] = max(
            Z[k, 2], md[a - n] if a >= n else -np.inf, md[b - n] if b >= n else -np.inf
        )
        if md[k] <= t:
            parent[a] = n + k
            parent[b] = n + k
    roots = [find(i) for i in range(n)]
    return np.asarray(roots)
