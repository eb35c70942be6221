"""Naive brute-force neighbours: the full distance matrix, then a stable sort."""

from __future__ import annotations

import numpy as np


def pairwise_distances(Xq, Xf, metric, p=2.0):
    """Distances (not reduced) between every query and every point, in float64."""
    q = np.asarray(Xq, dtype=np.float64)
    f = np.asarray(Xf, dtype=np.float64)
    diff = q[:, None, :] - f[None, :, :]
    if metric == "euclidean":
        return np.sqrt((diff**2).sum(-1))
    if metric == "sqeuclidean":
        return (diff**2).sum(-1)
    if metric == "manhattan":
        return np.abs(diff).sum(-1)
    if metric == "chebyshev":
        return np.abs(diff).max(-1)
    if metric == "minkowski":
        return (np.abs(diff) ** p).sum(-1) ** (1.0 / p)
    if metric in ("cosine", "inner_product"):
        if metric == "cosine":
            nq = np.linalg.norm(q, axis=1)
            nf = np.linalg.norm(f, axis=1)
            nq[nq == 0] = 1.0
            nf[nf == 0] = 1.0
            q, f = q / nq[:, None], f / nf[:, None]
        return 1.0 - q @ f.T
    raise ValueError(metric)


def kneighbors(Xq, Xf, k, metric, p=2.0):
    """(dist, idx) of the k nearest points, ties broken by the smaller index."""
    d = pairwise_distances(Xq, Xf, metric, p)
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d, idx, axis=1), idx
