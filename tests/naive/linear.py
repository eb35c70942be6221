"""Slow, obviously-correct references for the linear-model kernels and estimators.

Everything here is float64 numpy, written for clarity, not speed.
"""

from __future__ import annotations

import numpy as np


def gram_naive(X, offset, weights=None):
    """(X - offset)' diag(weights) (X - offset) in float64."""
    Xc = np.asarray(X, dtype=np.float64) - offset
    w = np.ones(len(Xc)) if weights is None else np.asarray(weights, np.float64)
    return Xc.T @ (Xc * w[:, None])


def soft_threshold(z, t):
    return np.sign(z) * max(abs(z) - t, 0.0)


def enet_cd_naive(X, y, l1_reg, l2_reg, *, n_epochs=5000, positive=False):
    """Plain cyclic coordinate descent on 1/2||y - Xw||^2 + l1||w||_1 + l2/2||w||^2.

    Recomputes the full residual for every coordinate (O(n p) per update) and runs
    until no coefficient moves by more than 1e-14 (or ``n_epochs``).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n_features = X.shape[1]
    w = np.zeros(n_features)
    for _ in range(n_epochs):
        largest = 0.0
        for j in range(n_features):
            norm2 = X[:, j] @ X[:, j]
            if norm2 == 0.0:
                continue
            residual = y - X @ w
            z = X[:, j] @ residual + w[j] * norm2
            new = 0.0 if positive and z < 0 else soft_threshold(z, l1_reg)
            new /= norm2 + l2_reg
            largest = max(largest, abs(new - w[j]))
            w[j] = new
        if largest <= 1e-14:
            break
    return w


def enet_kkt_violation(X, y, w, l1_reg, l2_reg, positive=False):
    """Largest violation of the subgradient optimality conditions at ``w``.

    With g = X'(y - Xw) - l2 w: for w_j != 0, g_j = l1 sign(w_j); for w_j = 0,
    |g_j| <= l1 (g_j <= l1 when positive). Returns the maximum violation.
    """
    X = np.asarray(X, dtype=np.float64)
    g = X.T @ (np.asarray(y, np.float64) - X @ w) - l2_reg * w
    worst = 0.0
    for j in range(len(w)):
        if w[j] != 0.0:
            worst = max(worst, abs(g[j] - l1_reg * np.sign(w[j])))
        elif positive:
            worst = max(worst, g[j] - l1_reg)
        else:
            worst = max(worst, abs(g[j]) - l1_reg)
    return worst


def enet_objective(X, y, coef, intercept, alpha, l1_ratio):
    """scikit-learn's elastic-net objective (1/(2n) squared error + penalty)."""
    X = np.asarray(X, dtype=np.float64)
    r = np.asarray(y, np.float64) - X @ coef - intercept
    return (
        0.5 * np.mean(r**2)
        + alpha * l1_ratio * np.abs(coef).sum()
        + 0.5 * alpha * (1 - l1_ratio) * coef @ coef
    )


def ridge_closed_form(X, y, alpha, fit_intercept=True, weights=None):
    """Ridge by the normal equations on (weighted) centred data, float64."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(X)) if weights is None else np.asarray(weights, np.float64)
    if fit_intercept:
        x_mean = w @ X / w.sum()
        y_mean = w @ y / w.sum()
    else:
        x_mean = np.zeros(X.shape[1])
        y_mean = 0.0
    Xc = X - x_mean
    yc = y - y_mean
    A = Xc.T @ (Xc * w[:, None]) + alpha * np.eye(X.shape[1])
    coef = np.linalg.solve(A, Xc.T @ (w * yc))
    return coef, y_mean - x_mean @ coef


def ridge_loo_squared_errors(X, y, alpha, fit_intercept=True):
    """Leave-one-out squared errors of ridge by n explicit refits."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    out = np.empty(len(X))
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        coef, intercept = ridge_closed_form(X[keep], y[keep], alpha, fit_intercept)
        out[i] = (y[i] - X[i] @ coef - intercept) ** 2
    return out
