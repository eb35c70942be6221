"""Slow, obviously-correct references for PCA (float64 numpy throughout)."""

from __future__ import annotations

import numpy as np


def naive_column_moments(X):
    """Column means and sums of squared deviations, two plain float64 passes."""
    X64 = np.asarray(X, dtype=np.float64)
    mean = X64.sum(axis=0) / X64.shape[0]
    m2 = ((X64 - mean) ** 2).sum(axis=0)
    return mean, m2


def naive_covariance(X):
    """Sample covariance (ddof=1) from explicitly centred float64 data."""
    X64 = np.asarray(X, dtype=np.float64)
    centred = X64 - X64.mean(axis=0)
    return centred.T @ centred / (X64.shape[0] - 1)


def naive_pca(X, n_components):
    """PCA by the eigendecomposition of the float64 covariance matrix.

    Returns components (k, p) with the sign convention (largest-|.| entry of each
    component positive), explained variances (k,), all eigenvalues (p,) in
    decreasing order, and the mean.
    """
    X64 = np.asarray(X, dtype=np.float64)
    cov = naive_covariance(X64)
    evals, evecs = np.linalg.eigh(cov)
    order = np.argsort(evals)[::-1]
    evals = np.clip(evals[order], 0.0, None)
    comps = evecs[:, order].T.copy()
    for row in comps:
        j = np.argmax(np.abs(row))
        if row[j] < 0:
            row *= -1
    return comps[:n_components], evals[:n_components], evals, X64.mean(axis=0)


def subspace_sin(A, B):
    """Largest sine of the principal angles between the row spaces of A and B."""
    qa = np.linalg.qr(np.asarray(A, np.float64).T)[0]
    qb = np.linalg.qr(np.asarray(B, np.float64).T)[0]
    # ||(I - Qa Qa^T) Qb||_2 (accurate for small angles, unlike sqrt(1 - cos^2))
    residual = qb - qa @ (qa.T @ qb)
    return float(np.linalg.norm(residual, 2))
