"""Textbook Fisher linear discriminant analysis (float64 numpy, no tricks)."""

from __future__ import annotations

import numpy as np
import scipy.linalg


def naive_lda(X, y, priors=None, within_by_priors=True):
    """Class means, prior-weighted within-class covariance Sw (ML, /n_k per class),
    between-class Sb = St - Sw, and the Fisher directions: the generalised
    eigenvectors of Sb v = lambda Sw v (Sw-orthonormal), by decreasing eigenvalue.

    ``within_by_priors=False`` weights the class covariances by the class
    frequencies instead (the pooled within-class scatter / n), whatever the priors:
    the model of scikit-learn's (and fastml's) svd solver."""
    X = np.asarray(X, dtype=np.float64)
    classes = np.unique(y)
    n_samples = X.shape[0]
    counts = np.array([np.sum(y == c) for c in classes], dtype=np.float64)
    if priors is None:
        priors = counts / n_samples
    means = np.array([X[y == c].mean(axis=0) for c in classes])
    within = np.zeros((X.shape[1], X.shape[1]))
    for k, c in enumerate(classes):
        d = X[y == c] - means[k]
        weight = priors[k] if within_by_priors else counts[k] / n_samples
        within += weight * (d.T @ d) / d.shape[0]
    total_d = X - X.mean(axis=0)
    total = total_d.T @ total_d / n_samples
    between = total - within
    evals, evecs = scipy.linalg.eigh(between, within)
    order = np.argsort(evals)[::-1]
    return {
        "classes": classes,
        "means": means,
        "priors": np.asarray(priors, dtype=np.float64),
        "within": within,
        "between": between,
        "evals": evals[order],
        "directions": evecs[:, order],
    }


def naive_lda_proba(model, X):
    """Gaussian posteriors with the shared covariance: softmax over classes of
    -0.5 (x - mu_k)^T Sw^-1 (x - mu_k) + log pi_k, one row at a time."""
    X = np.asarray(X, dtype=np.float64)
    inv = np.linalg.inv(model["within"])
    out = np.empty((X.shape[0], len(model["classes"])))
    for i, x in enumerate(X):
        scores = np.array(
            [
                -0.5 * (x - mu) @ inv @ (x - mu) + np.log(pk)
                for mu, pk in zip(model["means"], model["priors"])
            ]
        )
        scores -= scores.max()
        p = np.exp(scores)
        out[i] = p / p.sum()
    return out
