"""Clustering: k-means and hierarchical (agglomerative) clustering."""

__all__: list[str] = []
