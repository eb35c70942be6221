"""Clustering: k-means and hierarchical (agglomerative) clustering."""

from fastml.cluster._elbow import Elbow, kmeans_elbow
from fastml.cluster._hierarchical import (
    AgglomerativeClustering,
    dendrogram,
    fcluster,
    linkage,
)
from fastml.cluster._kmeans import KMeans, kmeans_plusplus
from fastml.cluster._minibatch import MiniBatchKMeans

__all__: list[str] = []
__all__ += ["AgglomerativeClustering", "dendrogram", "fcluster", "linkage"]
__all__ += ["Elbow", "KMeans", "MiniBatchKMeans", "kmeans_elbow", "kmeans_plusplus"]


def _warmup() -> None:
    """Load or compile the clustering kernels (fastml.warmup()): k-means (k-means++,
    lloyd, elkan) for float32 and float64, and every linkage method."""
    import numpy as np

    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        X = np.asarray(rng.normal(size=(40, 3)), dtype=dtype)
        for algorithm in ("lloyd", "elkan"):
            KMeans(n_clusters=3, n_init=1, algorithm=algorithm, random_state=0).fit(X)
    X = rng.normal(size=(20, 3))
    for method in ("single", "complete", "average", "weighted", "ward", "centroid"):
        fcluster(linkage(X, method), 2, criterion="maxclust")
    linkage(X, "median")
