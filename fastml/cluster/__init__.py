"""Clustering: k-means and hierarchical (agglomerative) clustering."""

from fastml.cluster._hierarchical import (
    AgglomerativeClustering,
    dendrogram,
    fcluster,
    linkage,
)
from fastml.cluster._kmeans import (
    Elbow,
    KMeans,
    MiniBatchKMeans,
    kmeans_elbow,
    kmeans_plusplus,
)

__all__: list[str] = []
__all__ += ["AgglomerativeClustering", "dendrogram", "fcluster", "linkage"]
__all__ += ["Elbow", "KMeans", "MiniBatchKMeans", "kmeans_elbow", "kmeans_plusplus"]
