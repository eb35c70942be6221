"""Nearest neighbours: exact (brute force) search and HNSW approximate search."""

from fastml.neighbors._knn import (
    KNeighborsClassifier,
    KNeighborsRegressor,
    NearestNeighbors,
)

__all__: list[str] = []
__all__ += ["KNeighborsClassifier", "KNeighborsRegressor", "NearestNeighbors"]

from fastml.neighbors._hnsw import Index  # noqa: E402
from fastml.neighbors._hnsw_estimator import HNSWNearestNeighbors  # noqa: E402

__all__ += ["Index", "HNSWNearestNeighbors"]


def _warmup() -> None:
    """Load or compile the exact-search kernels (fastml.warmup()): every metric for
    float32 and float64 queries, k-neighbours and radius search. HNSW is compiled
    ahead of time."""
    import numpy as np

    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        base = rng.normal(size=(40, 4))
        X = base.astype(dtype)
        y = (base[:, 0] > 0).astype(np.int64)
        for metric in ("euclidean", "cosine", "manhattan", "inner_product"):
            nn = NearestNeighbors(n_neighbors=3, metric=metric).fit(X)
            nn.kneighbors(X[:5])
        NearestNeighbors(radius=1.0).fit(X).radius_neighbors(X[:5])
        KNeighborsClassifier(n_neighbors=3).fit(X, y).predict_proba(X[:5])
