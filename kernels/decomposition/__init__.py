"""Decomposition kernels (column moments for PCA)."""
