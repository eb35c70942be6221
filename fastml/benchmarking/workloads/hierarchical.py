"""Hierarchical clustering workloads: linkage(X, method) vs scipy.cluster.hierarchy.

The issue's benchmark ("full"): 10,000 x 10 float64 Gaussian observations, each of
single, complete, average, weighted, ward, centroid and median linkage; "quick" uses
3,000 rows, "tiny" 300. The comparison is the largest absolute difference between the
two linkage matrices (0 when merges, ids and sizes agree and heights agree to the
last bit). Peak memory is measured separately (bench/test_hierarchical.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 300, "n_features": 10}],
    "quick": [{"n_samples": 3_000, "n_features": 10}],
    "full": [{"n_samples": 10_000, "n_features": 10}],
}
_METHODS = ("single", "complete", "average", "weighted", "ward", "centroid", "median")


def _data(size: Size, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {"X": rng.normal(size=(size["n_samples"], size["n_features"]))}


def _fastml(method: str) -> Any:
    def run(data: dict[str, Any], n_threads: int) -> np.ndarray:
        from fastml.cluster import linkage

        return linkage(data["X"], method, n_jobs=n_threads)

    return run


def _scipy(method: str) -> Any:
    def run(data: dict[str, Any], n_threads: int) -> np.ndarray:
        from scipy.cluster.hierarchy import linkage  # single-threaded

        return linkage(data["X"], method)

    return run


def _max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


WORKLOADS = [
    Workload(
        name=f"linkage.{method}",
        area="cluster",
        sizes=_SIZES,
        make_data=_data,
        run_fastml=_fastml(method),
        peers=[Peer("scipy", ("scipy",), _scipy(method))],
        compare=_max_abs_diff,
        description=f"{method} linkage matrix of Gaussian observations (scipy)",
    )
    for method in _METHODS
]
