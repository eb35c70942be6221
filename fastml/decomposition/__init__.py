"""Dimension reduction: principal component analysis (PCA, IncrementalPCA)."""

from fastml.decomposition._incremental_pca import IncrementalPCA
from fastml.decomposition._pca import PCA

__all__ = ["IncrementalPCA", "PCA"]


def _warmup() -> None:
    """Load or compile the decomposition kernel (column moments, float32/float64;
    used by the full, arpack and direct randomized solvers)."""
    import numpy as np

    X = np.random.default_rng(0).normal(size=(40, 3))
    for dtype in (np.float64, np.float32):
        PCA(2, svd_solver="full").fit(X.astype(dtype))
