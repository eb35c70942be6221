"""Clustering kernels (k-means steps, linkage)."""
