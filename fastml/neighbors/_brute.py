"""Orchestration of brute-force neighbour search over query blocks and point chunks.

Memory is bounded by the block sizes (a query block times a chunk of points per
thread), never by n_queries x n_samples. Matrix-product metrics use BLAS for the
products and the kernels of fastml.kernels.neighbors.brute for the selection and the
exact refinement; the others use the tiled exact kernel.

Threads: query blocks are split across the fastml thread pool, each thread running
its own BLAS products with BLAS limited to one thread (threadpoolctl, when installed;
otherwise one Python thread and BLAS's own threads). Every query's answer depends on
its own row only, so results do not depend on the thread count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from fastml._parallel import run_chunks

__all__ = [
    "MATRIX_PRODUCT_METRICS",
    "EXACT_METRICS",
    "canonical_metric",
    "brute_kneighbors",
    "brute_radius",
    "blas_single_thread",
]

MATRIX_PRODUCT_METRICS = ("euclidean", "sqeuclidean", "cosine", "inner_product")
EXACT_METRICS = ("manhattan", "minkowski", "chebyshev")
_ALIASES = {"l2": "euclidean", "l1": "manhattan", "cityblock": "manhattan"}

_QUERY_BLOCK = 1024
_POINT_CHUNK = 2048
_controller: Any = None


def canonical_metric(metric: str, p: float) -> tuple[str, float]:
    """Normalise a metric name (aliases, minkowski with p = 1, 2 or inf)."""
    name = _ALIASES.get(metric, metric)
    if name == "minkowski":
        if p == 1:
            return "manhattan", 1.0
        if p == 2:
            return "euclidean", 2.0
        if np.isinf(p):
            return "chebyshev", float(p)
    return name, float(p)


@contextlib.contextmanager
def blas_single_thread() -> Iterator[bool]:
    """Limit BLAS to one thread if threadpoolctl is installed; yields whether it did."""
    global _controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is an optional extra
        yield False
        return
    if _controller is None:
        _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield True


def _kernels() -> Any:
    from fastml.kernels.neighbors import brute

    return brute


def _run_blocks(
    func: Callable[[int, int], None], n_queries: int, n_threads: int
) -> None:
    """Run ``func(start, stop)`` over query blocks of ``_QUERY_BLOCK`` rows."""
    n_blocks = -(-n_queries // _QUERY_BLOCK)
    n_threads = max(1, min(n_threads, n_blocks))

    def work(b0: int, b1: int) -> None:
        for b in range(b0, b1):
            func(b * _QUERY_BLOCK, min((b + 1) * _QUERY_BLOCK, n_queries))

    if n_threads == 1:
        work(0, n_blocks)
        return
    with blas_single_thread() as limited:
        if not limited:  # pragma: no cover
            work(0, n_blocks)
            return
        # Interleave blocks so threads finish together: thread t takes a contiguous
        # share of blocks (equal sizes but for the last, short, block).
        run_chunks(work, n_blocks, n_threads)


def _dot_scales(X: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", X, X, dtype=np.float64))
    norms[norms == 0] = 1.0
    return 1.0 / norms


def brute_kneighbors(
    X_query: np.ndarray,
    X_fit: np.ndarray,
    k: int,
    metric: str,
    p: float,
    n_threads: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest fitted points of every query, by (distance, index).

    Parameters
    ----------
    X_query : ndarray of shape (n_queries, n_features), float32/float64, C-contiguous
    X_fit : ndarray of shape (n_samples, n_features), same dtype, C-contiguous
    k : int
        1 <= k <= n_samples.
    metric : str
        A canonical metric name (see :func:`canonical_metric`).
    p : float
        Minkowski power.
    n_threads : int

    Returns
    -------
    dist : ndarray of shape (n_queries, k), float64
        Distances (true distances, not reduced ones), ascending.
    idx : ndarray of shape (n_queries, k), int64
    """
    brute = _kernels()
    n_queries, n_features = X_query.shape
    n_samples = X_fit.shape[0]
    out_dist = np.empty((n_queries, k), dtype=np.float64)
    out_idx = np.empty((n_queries, k), dtype=np.int64)
    if n_queries == 0:
        return out_dist, out_idx
    ones_q = np.ones(n_queries, dtype=np.float64)
    ones_f = np.ones(n_samples, dtype=np.float64)

    if metric in EXACT_METRICS:
        code = {
            "manhattan": brute.METRIC_MANHATTAN,
            "minkowski": brute.METRIC_MINKOWSKI,
            "chebyshev": brute.METRIC_CHEBYSHEV,
        }[metric]

        def exact_block(q0: int, q1: int) -> None:
            rows = np.arange(q0, q1, dtype=np.int64)
            brute.kneighbors_exact(
                X_query, X_fit, rows, code, p, ones_q, ones_f,
                out_dist[q0:q1], out_idx[q0:q1],
            )  # fmt: skip

        _run_blocks(exact_block, n_queries, n_threads)
        if metric == "minkowski":
            np.power(out_dist, 1.0 / p, out=out_dist)
        return out_dist, out_idx

    dtype = X_fit.dtype
    eps = float(np.finfo(dtype).eps)
    if metric in ("euclidean", "sqeuclidean"):
        code = brute.METRIC_SQEUCLIDEAN
        fit_sq = np.einsum("ij,ij->i", X_fit, X_fit, dtype=np.float64)
        query_sq = np.einsum("ij,ij->i", X_query, X_query, dtype=np.float64)
        base_term = fit_sq.astype(dtype)
        fit_base, query_base = X_fit, X_query
        scale = -2.0
        query_scale, fit_scale = ones_q, ones_f
        query_term = query_sq
        max_fit = float(np.sqrt(fit_sq.max()))
        bound = (n_features + 4) * eps * (
            max_fit**2 + 2.0 * np.sqrt(query_sq) * max_fit
        ) + 1e-300
    else:
        code = brute.METRIC_DOT
        base_term = np.zeros(n_samples, dtype=dtype)
        if metric == "cosine":
            query_scale, fit_scale = _dot_scales(X_query), _dot_scales(X_fit)
            fit_base = (X_fit * fit_scale[:, None]).astype(dtype)
            query_base = (X_query * query_scale[:, None]).astype(dtype)
            bound = np.full(n_queries, (n_features + 4) * eps * 4.0)
        else:
            query_scale, fit_scale = ones_q, ones_f
            fit_base, query_base = X_fit, X_query
            max_fit = float(np.sqrt(np.einsum("ij,ij->i", X_fit, X_fit).max()))
            q_norm = np.sqrt(np.einsum("ij,ij->i", X_query, X_query, dtype=np.float64))
            bound = (n_features + 4) * eps * (q_norm * max_fit + 1.0) + 1e-300
        scale = -1.0
        query_term = ones_q
    fit_t = np.ascontiguousarray(fit_base.T)  # (n_features, n_samples): BLAS-friendly
    n_cand = min(n_samples, k + max(8, k // 2))
    uncertain = np.zeros(n_queries, dtype=np.bool_)
    chunk = _POINT_CHUNK

    def gemm_block(q0: int, q1: int) -> None:
        n_block = q1 - q0
        qb = np.ascontiguousarray(query_base[q0:q1] * dtype.type(scale))
        heap_dist = np.full((n_block, n_cand), np.inf, dtype=dtype)
        heap_idx = np.full((n_block, n_cand), -1, dtype=np.int64)
        buffer = np.empty(n_block * chunk, dtype=dtype)
        for j0 in range(0, n_samples, chunk):
            j1 = min(j0 + chunk, n_samples)
            dots = buffer[: n_block * (j1 - j0)].reshape(n_block, j1 - j0)
            np.dot(qb, fit_t[:, j0:j1], out=dots)
            brute.update_topk_approx(dots, base_term[j0:j1], j0, heap_dist, heap_idx)
        brute.refine_candidates(
            X_query, X_fit, heap_idx, heap_dist[:, 0].astype(np.float64), q0, code,
            query_scale, fit_scale, query_term, bound, out_dist, out_idx, uncertain,
        )  # fmt: skip

    _run_blocks(gemm_block, n_queries, n_threads)
    rows = np.flatnonzero(uncertain).astype(np.int64)
    if rows.size:
        d_fix = np.empty((rows.size, k), dtype=np.float64)
        i_fix = np.empty((rows.size, k), dtype=np.int64)
        brute.kneighbors_exact(
            X_query, X_fit, rows, code, 2.0, query_scale, fit_scale, d_fix, i_fix
        )
        out_dist[rows] = d_fix
        out_idx[rows] = i_fix
    if metric == "euclidean":
        np.sqrt(out_dist, out=out_dist)
    elif metric == "inner_product":
        # Reported as the distance 1 - <x, y> (hnswlib's 'ip' space).
        pass
    return out_dist, out_idx


def brute_radius(
    X_query: np.ndarray,
    X_fit: np.ndarray,
    radius: float,
    metric: str,
    p: float,
    n_threads: int,
    sort_results: bool,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """All fitted points within ``radius`` (inclusive) of every query.

    Exact distances are computed block by block (a query block times a chunk of
    points, in float64), so memory stays bounded; the output lists have one array
    per query.
    """
    brute = _kernels()
    n_queries = X_query.shape[0]
    n_samples = X_fit.shape[0]
    dists: list[np.ndarray] = [np.empty(0)] * n_queries
    idxs: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * n_queries
    if metric in ("euclidean", "sqeuclidean"):
        code, threshold = brute.METRIC_SQEUCLIDEAN, radius**2
        if metric == "sqeuclidean":
            threshold = radius
    elif metric in ("cosine", "inner_product"):
        code, threshold = brute.METRIC_DOT, radius
    elif metric == "manhattan":
        code, threshold = brute.METRIC_MANHATTAN, radius
    elif metric == "chebyshev":
        code, threshold = brute.METRIC_CHEBYSHEV, radius
    else:
        code, threshold = brute.METRIC_MINKOWSKI, radius**p
    if metric == "cosine":
        q_scale, f_scale = _dot_scales(X_query), _dot_scales(X_fit)
    else:
        q_scale = np.ones(n_queries, dtype=np.float64)
        f_scale = np.ones(n_samples, dtype=np.float64)
    block, chunk = 256, 4096

    def run(q0: int, q1: int) -> None:
        for b0 in range(q0, q1, block):
            b1 = min(b0 + block, q1)
            found_i: list[list[np.ndarray]] = [[] for _ in range(b1 - b0)]
            found_d: list[list[np.ndarray]] = [[] for _ in range(b1 - b0)]
            out = np.empty((b1 - b0, min(chunk, n_samples)), dtype=np.float64)
            for j0 in range(0, n_samples, chunk):
                j1 = min(j0 + chunk, n_samples)
                view = out[:, : j1 - j0]
                brute.pairwise_exact(
                    X_query[b0:b1], X_fit[j0:j1], code, p,
                    q_scale[b0:b1], f_scale[j0:j1], view,
                )  # fmt: skip
                rr, cc = np.nonzero(view <= threshold)
                if rr.size:
                    splits = np.searchsorted(rr, np.arange(1, b1 - b0))
                    for r, (ci, di) in enumerate(
                        zip(np.split(cc, splits), np.split(view[rr, cc], splits))
                    ):
                        if ci.size:
                            found_i[r].append(ci + j0)
                            found_d[r].append(di)
            for r in range(b1 - b0):
                ind = (
                    np.concatenate(found_i[r]).astype(np.int64)
                    if found_i[r]
                    else np.empty(0, dtype=np.int64)
                )
                dist = np.concatenate(found_d[r]) if found_d[r] else np.empty(0)
                if sort_results:
                    order = np.lexsort((ind, dist))
                    ind, dist = ind[order], dist[order]
                if metric == "euclidean":
                    dist = np.sqrt(dist)
                elif metric == "minkowski":
                    dist = dist ** (1.0 / p)
                idxs[b0 + r] = ind
                dists[b0 + r] = dist

    if n_queries:
        run_chunks(run, n_queries, max(1, min(n_threads, -(-n_queries // block))))
    return dists, idxs
