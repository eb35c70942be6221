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


def kmeanspp(X, n_clusters, weights=None, seed=0, n_trials=None):
    """Greedy k-means++ with the draws of a RandomState(seed): the first centre by
    weight, then per centre n_trials rows drawn by searchsorted on the running sum
    of w D(x)^2, keeping the one with the lowest potential. Exact float64
    distances; returns the chosen row indices."""
    X = np.asarray(X, float)
    n = len(X)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    rng = np.random.RandomState(seed)
    if n_trials is None:
        n_trials = 2 + int(np.log(n_clusters))
    chosen = [int(rng.choice(n, p=w / w.sum()))]
    closest = ((X - X[chosen[0]]) ** 2).sum(1)
    for _ in range(1, n_clusters):
        cumulative = np.cumsum(w * closest)
        draws = rng.uniform(size=n_trials) * cumulative[-1]
        cand = np.minimum(np.searchsorted(cumulative, draws), n - 1)
        d = ((X[None, :, :] - X[cand][:, None, :]) ** 2).sum(-1)
        potential = (np.minimum(closest[None], d) * w[None]).sum(1)
        best = int(np.argmin(potential))
        chosen.append(int(cand[best]))
        closest = np.minimum(closest, d[best])
    return np.array(chosen)
