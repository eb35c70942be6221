"""HNSW workloads: index build and queries vs hnswlib.

The issue's benchmark ("full"): 200,000 x 96 float32 vectors from a 100-component
Gaussian mixture on a 16-dimensional subspace (``make_low_rank_mixture``: each
component's covariance has rank 16, plus a little isotropic noise), 10,000 held-out
queries, M = 16, ef_construction = 200, the same ``random_seed`` for both (fastml
draws the same node levels as hnswlib). "quick" uses 20,000 x 96 and 1,000 queries,
"tiny" 2,000 x 32 and 200 queries.

- ``hnsw.build``: ``add_items`` of all vectors into an empty index with
  ``n_threads`` threads; quality = recall@10 of the built index at ef = 64.
- ``hnsw.query``: ``knn_query(k=10)`` of all queries on one thread (the issue's
  single-threaded QPS), at ef = 24 for both (recall@10 ~0.98 on the full data, where the
  recall/QPS curves cross 0.95);
  quality = recall@10 against brute force. The indexes are built untimed in
  ``make_data``. The whole recall/QPS curve over ef is in bench/test_hnsw.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 2_000, "n_features": 32, "n_queries": 200}],
    "quick": [{"n_samples": 20_000, "n_features": 96, "n_queries": 1_000}],
    "full": [{"n_samples": 200_000, "n_features": 96, "n_queries": 10_000}],
}
_M = 16
_EF_CONSTRUCTION = 200
_EF_QUERY = 24
_EF_QUALITY = 64
_K = 10
_SEED = 100


def _label(size: Size) -> str:
    from fastml.benchmarking._registry import human_count

    return (
        f"{human_count(size['n_samples'])} x {size['n_features']}, "
        f"{human_count(size['n_queries'])} queries"
    )


def _true_neighbors(base: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Exact k nearest rows of ``base`` for each query (float64 distances)."""
    base64 = base.astype(np.float64)
    base_sq = np.einsum("ij,ij->i", base64, base64)
    out = np.empty((queries.shape[0], _K), dtype=np.int64)
    for start in range(0, queries.shape[0], 256):
        q = queries[start : start + 256].astype(np.float64)
        d = base_sq[None, :] - 2.0 * (q @ base64.T)
        part = np.argpartition(d, _K, axis=1)[:, :_K]
        order = np.take_along_axis(d, part, axis=1).argsort(axis=1)
        out[start : start + 256] = np.take_along_axis(part, order, axis=1)
    return out


def _recall(labels: np.ndarray, truth: np.ndarray) -> float:
    found = np.asarray(labels).astype(np.int64)
    hits = (found[:, :, None] == truth[:, None, :]).any(axis=2).sum()
    return float(hits) / truth.size


def _data(size: Size, seed: int) -> dict[str, Any]:
    from fastml.datasets import make_low_rank_mixture

    n, n_queries = size["n_samples"], size["n_queries"]
    X = make_low_rank_mixture(
        n + n_queries,
        size["n_features"],
        intrinsic_dim=16,
        n_components=100,
        random_state=seed,
        dtype=np.float32,
    )[0]
    base = np.ascontiguousarray(X[:n])
    queries = np.ascontiguousarray(X[n:])
    return {"base": base, "queries": queries, "truth": _true_neighbors(base, queries)}


def _new_index(lib: str, data: dict[str, Any]) -> Any:
    import importlib

    module = importlib.import_module("fastml.neighbors" if lib == "fastml" else lib)
    Index = module.Index
    base = data["base"]
    index = Index(space="l2", dim=base.shape[1])
    index.init_index(
        base.shape[0], M=_M, ef_construction=_EF_CONSTRUCTION, random_seed=_SEED
    )
    return index


def _build(lib: str) -> Any:
    def run(data: dict[str, Any], n_threads: int) -> Any:
        index = _new_index(lib, data)
        index.add_items(data["base"], num_threads=n_threads)
        return index

    return run


def _build_quality(data: dict[str, Any], index: Any) -> float:
    index.set_ef(_EF_QUALITY)
    labels, _ = index.knn_query(data["queries"], k=_K, num_threads=2)
    return _recall(labels, data["truth"])


def _query_data(size: Size, seed: int) -> dict[str, Any]:
    data = _data(size, seed)
    for lib in ("fastml", "hnswlib"):
        try:
            index = _build(lib)(data, 2)
        except ImportError:
            continue
        index.set_ef(_EF_QUERY)
        data[lib] = index
    return data


def _query(lib: str) -> Any:
    def run(data: dict[str, Any], n_threads: int) -> np.ndarray:
        if lib not in data:  # the area is missing: report it as such
            _new_index(lib, data)
        # Single-threaded on purpose: the issue compares one-thread QPS.
        labels, _ = data[lib].knn_query(data["queries"], k=_K, num_threads=1)
        return labels

    return run


def _query_quality(data: dict[str, Any], labels: np.ndarray) -> float:
    return _recall(labels, data["truth"])


WORKLOADS = [
    Workload(
        name="hnsw.build",
        area="neighbors",
        sizes=_SIZES,
        make_data=_data,
        run_fastml=_build("fastml"),
        peers=[Peer("hnswlib", ("hnswlib",), _build("hnswlib"))],
        quality=_build_quality,
        quality_name=f"recall@10 (ef {_EF_QUALITY})",
        description="HNSW index build, M 16, ef_construction 200 (hnswlib)",
        size_label=_label,
    ),
    Workload(
        name="hnsw.query",
        area="neighbors",
        sizes=_SIZES,
        make_data=_query_data,
        run_fastml=_query("fastml"),
        peers=[Peer("hnswlib", ("hnswlib",), _query("hnswlib"))],
        quality=_query_quality,
        quality_name=f"recall@10 (ef {_EF_QUERY})",
        description="HNSW knn_query k 10, one thread, fixed ef (hnswlib)",
        size_label=_label,
    ),
]
