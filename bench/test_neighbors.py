"""Exact k-NN: fastml's brute force vs faiss IndexFlatL2 and scikit-learn's brute force.

Group ``brute_knn``: 200,000 x 64 float32 points, 10,000 queries, k = 10 (full
mode; quick mode: 50,000 points, 2,000 queries). Target: fastml at most 1.0 x
faiss's time and 0.5 x scikit-learn's. Timed: fit + kneighbors (faiss: add +
search). ``extra_info["recall"]``: recall@10 against fastml's exact answer.

Run: ``pytest bench/test_neighbors.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

K = 10


@pytest.fixture(scope="module")
def knn_data(bench_mode: str) -> tuple[np.ndarray, np.ndarray]:
    n, q = (200_000, 10_000) if bench_mode == "full" else (50_000, 2_000)
    rng = np.random.default_rng(0)
    return (
        rng.standard_normal((n, 64), dtype=np.float32),
        rng.standard_normal((q, 64), dtype=np.float32),
    )


@pytest.fixture(scope="module")
def truth(knn_data: Any) -> np.ndarray:
    from fastml.neighbors import NearestNeighbors

    base, queries = knn_data
    return (
        NearestNeighbors(n_neighbors=K, n_jobs=2)
        .fit(base)
        .kneighbors(queries, return_distance=False)
    )


def _recall(truth: np.ndarray, ind: np.ndarray) -> dict[str, float]:
    hits = sum(len(set(a) & set(b)) for a, b in zip(truth, np.asarray(ind)))
    return {"recall": hits / truth.size}


@pytest.mark.parametrize("lib", ["fastml", "faiss", "sklearn"])
def test_brute_knn(benchmark, lib, knn_data, truth, peer, n_threads):
    base, queries = knn_data
    if lib == "fastml":
        from fastml.neighbors import NearestNeighbors

        def run() -> Any:
            nn = NearestNeighbors(n_neighbors=K, metric="euclidean", n_jobs=n_threads)
            return nn.fit(base).kneighbors(queries, return_distance=False)

    elif lib == "faiss":
        faiss = peer("faiss")
        faiss.omp_set_num_threads(n_threads)

        def run() -> Any:
            index = faiss.IndexFlatL2(base.shape[1])
            index.add(base)
            return index.search(queries, K)[1]

    else:
        neighbors = peer("sklearn.neighbors")

        def run() -> Any:
            nn = neighbors.NearestNeighbors(
                n_neighbors=K, algorithm="brute", n_jobs=n_threads
            )
            return nn.fit(base).kneighbors(queries, return_distance=False)

    run()  # untimed warm-up
    benchmark.group = "brute_knn"
    benchmark.extra_info["n_threads"] = n_threads
    ind = benchmark.pedantic(run, rounds=2, iterations=1, warmup_rounds=0)
    benchmark.extra_info.update(_recall(truth, ind))
