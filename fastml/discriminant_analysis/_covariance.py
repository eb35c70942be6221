"""Covariance estimates used by linear discriminant analysis: empirical, shrunk
towards a scaled identity, and Ledoit-Wolf."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["empirical_covariance", "shrunk_covariance", "ledoit_wolf", "estimate_cov"]


def empirical_covariance(X: np.ndarray) -> np.ndarray:
    """Maximum-likelihood covariance (divided by n) of the rows of X, float64."""
    centred = X - X.mean(axis=0)
    return np.atleast_2d(centred.T @ centred / X.shape[0])


def shrunk_covariance(cov: np.ndarray, shrinkage: float) -> np.ndarray:
    """(1 - a) cov + a mu I with mu = trace(cov) / n_features."""
    n_features = cov.shape[0]
    mu = np.trace(cov) / n_features
    out = (1.0 - shrinkage) * cov
    out.flat[:: n_features + 1] += shrinkage * mu
    return out


def ledoit_wolf_shrinkage(centred: np.ndarray) -> float:
    """Ledoit and Wolf (2004), "A well-conditioned estimator for large-dimensional
    covariance matrices": the shrinkage intensity min(b^2, d^2) / d^2 towards mu I,
    for already centred rows."""
    n_samples, n_features = centred.shape
    sq = centred**2
    trace_terms = sq.sum(axis=0) / n_samples
    mu = trace_terms.sum() / n_features
    gram = centred.T @ centred
    # b^2: average squared distance of the rank-one terms x x^T to the covariance
    beta_sum = float(np.sum(sq.T @ sq))
    delta_sum = float(np.sum(gram**2)) / n_samples**2
    beta = (beta_sum / n_samples - delta_sum) / (n_features * n_samples)
    # d^2: squared distance of the covariance to mu I
    delta = (delta_sum - 2.0 * mu * trace_terms.sum() + n_features * mu**2) / n_features
    beta = min(beta, delta)
    return 0.0 if beta == 0 else float(beta / delta)


def ledoit_wolf(X: np.ndarray) -> np.ndarray:
    """Ledoit-Wolf shrunk covariance of the rows of X (centred here)."""
    centred = X - X.mean(axis=0)
    if X.shape[1] == 1:
        return np.atleast_2d((centred**2).mean())
    shrinkage = ledoit_wolf_shrinkage(centred)
    return shrunk_covariance(centred.T @ centred / X.shape[0], shrinkage)


def estimate_cov(
    X: np.ndarray, shrinkage: Any = None, covariance_estimator: Any = None
) -> np.ndarray:
    """Covariance of X: empirical (shrinkage None), Ledoit-Wolf on standardised
    features rescaled back ("auto"), shrunk by a fixed amount (float), or
    ``covariance_estimator.fit(X).covariance_``."""
    if covariance_estimator is not None:
        if shrinkage is not None and shrinkage != 0:
            raise ValueError(
                "covariance_estimator and shrinkage parameters are not None. Only one "
                "of the two can be set."
            )
        covariance_estimator.fit(X)
        if not hasattr(covariance_estimator, "covariance_"):
            raise ValueError(
                f"{type(covariance_estimator).__name__} does not have a covariance_ "
                "attribute"
            )
        return np.atleast_2d(np.asarray(covariance_estimator.covariance_))
    if shrinkage is None:
        return empirical_covariance(X)
    if isinstance(shrinkage, str):  # "auto"
        scale = X.std(axis=0)
        scale[scale == 0.0] = 1.0
        standardised = (X - X.mean(axis=0)) / scale
        cov = ledoit_wolf(standardised)
        return scale[:, None] * cov * scale[None, :]
    return shrunk_covariance(empirical_covariance(X), float(shrinkage))
