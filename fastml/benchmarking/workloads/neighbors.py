"""Exact nearest-neighbour workloads: brute-force k-NN vs faiss and scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 2_000, "n_queries": 200}],
    "quick": [{"n_samples": 50_000, "n_queries": 2_000}],
    "full": [{"n_samples": 200_000, "n_queries": 10_000}],
}
_K = 10
_DIM = 64


def _make(size: Size, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((size["n_samples"], _DIM), dtype=np.float32)
    queries = rng.standard_normal((size["n_queries"], _DIM), dtype=np.float32)
    return base, queries


def _fastml(data: Any, n_threads: int) -> np.ndarray:
    from fastml.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=_K, metric="euclidean", n_jobs=n_threads)
    return nn.fit(data[0]).kneighbors(data[1], return_distance=False)


def _faiss(data: Any, n_threads: int) -> np.ndarray:
    import faiss

    faiss.omp_set_num_threads(n_threads)
    index = faiss.IndexFlatL2(data[0].shape[1])
    index.add(data[0])
    return index.search(data[1], _K)[1]


def _sklearn(data: Any, n_threads: int) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=_K, algorithm="brute", n_jobs=n_threads)
    return nn.fit(data[0]).kneighbors(data[1], return_distance=False)


def _recall(data: Any, out: Any) -> float:
    """Recall@10 against fastml's exact answer (computed once per data set)."""
    key = id(data)
    if _TRUTH.get("key") != key:
        _TRUTH["key"] = key
        _TRUTH["value"] = _fastml(data, 2)
    truth = _TRUTH["value"]
    hits = sum(len(set(a) & set(b)) for a, b in zip(truth, np.asarray(out)))
    return hits / truth.size


_TRUTH: dict[str, Any] = {}

WORKLOADS = [
    Workload(
        name="brute_knn_l2",
        area="neighbors",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fastml,
        peers=[
            Peer("faiss", ("faiss",), _faiss),
            Peer("sklearn", ("sklearn",), _sklearn),
        ],
        quality=_recall,
        quality_name="recall@10",
        description="exact k=10 euclidean neighbours, float32, 64 features",
    )
]
