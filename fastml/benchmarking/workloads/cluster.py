"""k-means workloads: whole fit (k-means++) vs scikit-learn, iterations vs faiss."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 5_000, "n_clusters": 8}],
    "quick": [{"n_samples": 100_000, "n_clusters": 64}],
    "full": [{"n_samples": 500_000, "n_clusters": 64}],
}
_DIM = 32
_ITER = 30


def _make(size: Size, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Well-separated Gaussian blobs (one per cluster), so k-means++ runs of both
    libraries reach the same optimum and times compare at equal inertia."""
    rng = np.random.default_rng(seed)
    k = size["n_clusters"]
    centers = rng.standard_normal((k, _DIM)) * 10
    labels = rng.integers(0, k, size["n_samples"])
    X = (centers[labels] + rng.standard_normal((size["n_samples"], _DIM))).astype(
        np.float32
    )
    init = X[rng.choice(len(X), k, replace=False)].copy()
    return X, init


def _fastml_fit(data: Any, n_threads: int) -> Any:
    from fastml.cluster import KMeans

    k = len(data[1])
    return KMeans(k, max_iter=_ITER, tol=0.0, random_state=0, n_jobs=n_threads).fit(
        data[0]
    )


def _sklearn_fit(data: Any, n_threads: int) -> Any:
    from sklearn.cluster import KMeans

    k = len(data[1])
    return KMeans(k, max_iter=_ITER, tol=0.0, random_state=0).fit(data[0])


def _fastml_iter(data: Any, n_threads: int) -> Any:
    from fastml.cluster import KMeans

    k = len(data[1])
    return KMeans(k, init=data[1], max_iter=_ITER, tol=0.0, n_jobs=n_threads).fit(
        data[0]
    )


def _faiss_iter(data: Any, n_threads: int) -> Any:
    import faiss

    faiss.omp_set_num_threads(n_threads)
    X, init = data
    km = faiss.Kmeans(
        X.shape[1], len(init), niter=_ITER, max_points_per_centroid=len(X), seed=1
    )
    km.cp.early_stop_threshold = -1.0  # all _ITER iterations, like fastml's tol=0
    km.train(X, init_centroids=init)
    return km


def _inertia(data: Any, out: Any) -> float:
    if hasattr(out, "inertia_"):
        return float(out.inertia_)
    return float(out.obj[-1])  # faiss: the objective of the last iteration


WORKLOADS = [
    Workload(
        name="kmeans_fit",
        area="cluster",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fastml_fit,
        peers=[Peer("sklearn", ("sklearn",), _sklearn_fit)],
        quality=_inertia,
        quality_name="inertia",
        description="KMeans k-means++ + 30 Lloyd iterations, float32, 32 features",
    ),
    Workload(
        name="kmeans_iterations",
        area="cluster",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fastml_iter,
        peers=[Peer("faiss", ("faiss",), _faiss_iter)],
        quality=_inertia,
        quality_name="inertia",
        description="30 Lloyd iterations from given centres vs faiss.Kmeans",
    ),
]
