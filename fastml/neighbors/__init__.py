"""Nearest neighbours: exact (brute force) search and HNSW approximate search."""

from fastml.neighbors._knn import (
    KNeighborsClassifier,
    KNeighborsRegressor,
    NearestNeighbors,
)

__all__: list[str] = []
__all__ += ["KNeighborsClassifier", "KNeighborsRegressor", "NearestNeighbors"]
