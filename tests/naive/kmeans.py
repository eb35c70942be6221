"""Naive k-means: a dense distance matrix and plain loops."""

from __future__ import annotations

import numpy as np


def assign(X, centers):
    """(labels, squared distances) to the nearest centre, ties to the smaller index."""
    d = (
        (np.asarray(X, float)[:, None, :] - np.asarray(centers, float)[None]) ** 2
    ).sum(-1)
    labels = np.argmin(d, axis=1)
    return labels, d[np.arange(len(X)), labels]


def lloyd(X, centers, n_iter, weights=None):
    """n_iter plain Lloyd steps (no empty clusters expected); returns labels, centres."""
    X = np.asarray(X, float)
    w = np.ones(len(X)) if weights is None else np.asarray(weights, float)
    centers = np.asarray(centers, float).copy()
    for _ in range(n_iter):
        labels, _ = assign(X, centers)
        for c in range(len(centers)):
            m = labels == c
            if w[m].sum() > 0:
                centers[c] = (X[m] * w[m, None]).sum(0) / w[m].sum()
    return assign(X, centers)[0], centers
