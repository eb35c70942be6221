"""Clustering: k-means and hierarchical (agglomerative) clustering."""

from fastml.cluster._hierarchical import (
    AgglomerativeClustering,
    dendrogram,
    fcluster,
    linkage,
)

__all__: list[str] = []
__all__ += ["AgglomerativeClustering", "dendrogram", "fcluster", "linkage"]
