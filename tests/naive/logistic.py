"""Naive references for logistic regression: float64 numpy losses and gradients, the
full penalised objective, and a slow proximal-gradient (FISTA) solver for l1 /
elastic-net penalties."""

from __future__ import annotations

import numpy as np


def binary_loss_gradient(
    X: np.ndarray, y: np.ndarray, sw: np.ndarray | None, coef: np.ndarray, b: float
) -> tuple[float, np.ndarray]:
    """sum_i s_i (softplus(z_i) - y_i z_i) and its gradient [d/dcoef, d/db]."""
    X = np.asarray(X, dtype=np.float64)
    s = np.ones(X.shape[0]) if sw is None or len(sw) == 0 else np.asarray(sw, float)
    z = X @ coef + b
    loss = float(np.sum(s * (np.logaddexp(0.0, z) - y * z)))
    d = s * (1.0 / (1.0 + np.exp(-z)) - y)
    return loss, np.concatenate([X.T @ d, [d.sum()]])


def multinomial_loss_gradient(
    X: np.ndarray,
    labels: np.ndarray,
    sw: np.ndarray | None,
    coef: np.ndarray,
    intercept: np.ndarray,
) -> tuple[float, np.ndarray]:
    """sum_i s_i (logsumexp(z_i) - z_i[c_i]) with coef (n_features, K); gradient of
    shape (n_features + 1, K), the intercepts' in the last row."""
    X = np.asarray(X, dtype=np.float64)
    s = np.ones(X.shape[0]) if sw is None or len(sw) == 0 else np.asarray(sw, float)
    z = X @ coef + intercept
    zmax = z.max(axis=1, keepdims=True)
    lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
    rows = np.arange(X.shape[0])
    loss = float(np.sum(s * (lse - z[rows, labels])))
    p = np.exp(z - lse[:, None])
    p[rows, labels] -= 1.0
    d = s[:, None] * p
    return loss, np.vstack([X.T @ d, d.sum(axis=0)[None, :]])


def objective(
    X: np.ndarray,
    y_idx: np.ndarray,
    sw: np.ndarray | None,
    coef: np.ndarray,
    intercept: np.ndarray,
    C: float,
    l1_ratio: float = 0.0,
) -> float:
    """scikit-learn's objective C sum s_i loss_i + (1 - r)/2 ||W||^2 + r ||W||_1 for
    fitted coef_ of shape (1, p) (binary, y_idx in {0, 1}) or (K, p)."""
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    if coef.shape[0] == 1:
        loss, _ = binary_loss_gradient(
            X, y_idx.astype(float), sw, coef[0], intercept[0]
        )
    else:
        loss, _ = multinomial_loss_gradient(X, y_idx, sw, coef.T, intercept)
    penalty = 0.5 * (1 - l1_ratio) * np.sum(coef**2) + l1_ratio * np.abs(coef).sum()
    return C * loss + penalty


def proximal_gradient_binary(
    X: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray | None,
    C: float,
    l1_ratio: float,
    fit_intercept: bool = True,
    n_iter: int = 20000,
    tol: float = 1e-13,
) -> tuple[np.ndarray, float]:
    """FISTA (Beck and Teboulle 2009) with the fixed step 1/L, L the Lipschitz bound
    C ||[X, 1]||_2^2 max(s) / 4 + (1 - r), on C sum s_i loss_i + (1 - r)/2 ||w||^2
    + r ||w||_1 (intercept unpenalised). Slow, obviously correct."""
    X = np.asarray(X, dtype=np.float64)
    n, p = X.shape
    s = np.ones(n) if sw is None else np.asarray(sw, float)
    Xa = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    L = C * np.linalg.norm(Xa, 2) ** 2 * s.max() / 4.0 + (1.0 - l1_ratio)
    step = 1.0 / L
    w = np.zeros(Xa.shape[1])
    v = w.copy()
    t = 1.0
    for _ in range(n_iter):
        z = Xa @ v
        d = s * (1.0 / (1.0 + np.exp(-z)) - y)
        g = C * (Xa.T @ d)
        g[:p] += (1.0 - l1_ratio) * v[:p]
        w_new = v - step * g
        thr = step * l1_ratio
        w_new[:p] = np.sign(w_new[:p]) * np.maximum(np.abs(w_new[:p]) - thr, 0.0)
        t_new = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        v = w_new + ((t - 1.0) / t_new) * (w_new - w)
        done = np.max(np.abs(w_new - w)) <= tol * max(1.0, np.max(np.abs(w_new)))
        w, t = w_new, t_new
        if done:
            break
    return w[:p], (float(w[p]) if fit_intercept else 0.0)
