"""Naive references for the HNSW kernels: brute-force search and graph invariants."""

from __future__ import annotations

import numpy as np


def distances(queries: np.ndarray, data: np.ndarray, space: int) -> np.ndarray:
    """(n_queries, n_data) float64: squared L2 (space 0) or 1 - dot (space 1)."""
    q = queries.astype(np.float64)
    d = data.astype(np.float64)
    if space == 0:
        return ((q[:, None, :] - d[None, :, :]) ** 2).sum(axis=2)
    return 1.0 - q @ d.T


def brute_knn(
    queries: np.ndarray,
    data: np.ndarray,
    k: int,
    space: int,
    ids: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest rows of ``data`` (restricted to ``ids``), ties by smaller id."""
    ids = np.arange(data.shape[0]) if ids is None else np.asarray(ids)
    dist = distances(queries, data[ids], space)
    out_idx = np.full((queries.shape[0], k), -1, dtype=np.int64)
    out_dist = np.full((queries.shape[0], k), np.inf)
    for i in range(queries.shape[0]):
        order = np.lexsort((ids, dist[i]))[:k]
        out_idx[i, : order.size] = ids[order]
        out_dist[i, : order.size] = dist[i, order]
    return out_idx, out_dist


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean fraction of each row of ``truth`` present in the same row of ``found``."""
    hits = [len(set(a.tolist()) & set(b.tolist())) for a, b in zip(found, truth)]
    return float(np.sum(hits)) / truth.size


def graph_problems(
    links0: np.ndarray,
    upper: np.ndarray,
    upper_off: np.ndarray,
    levels: np.ndarray,
    count: int,
    m: int,
) -> list[str]:
    """Every broken invariant of an HNSW graph, as messages (empty when sound)."""
    problems = []
    for u in range(count):
        for layer in range(levels[u] + 1):
            if layer == 0:
                row, cap = links0[u], 2 * m
            else:
                row, cap = upper[upper_off[u] + layer - 1], m
            n = int(row[0])
            ids = row[1 : 1 + n].tolist()
            if n > cap:
                problems.append(f"node {u} layer {layer}: {n} > {cap} links")
            if len(set(ids)) != len(ids):
                problems.append(f"node {u} layer {layer}: duplicate links")
            if u in ids:
                problems.append(f"node {u} layer {layer}: self link")
            for v in ids:
                if not 0 <= v < count or levels[v] < layer:
                    problems.append(f"node {u} layer {layer}: bad link {v}")
    return problems
