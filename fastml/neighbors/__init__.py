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
