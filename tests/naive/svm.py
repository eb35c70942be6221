"""Slow, obviously-correct references for the SVM kernels (float64 throughout).

- kernel_matrix: the kernel between every pair of rows, one pair at a time, from the
  textbook formulas.
- dual_kkt_violation: the largest violation of the KKT conditions of the SVM dual
  ``min 1/2 a'Qa + p'a, y'a = 0, 0 <= a <= C`` at a returned solution: with
  ``G = Qa + p`` and ``b`` any scalar, a free variable needs ``y G = -b`` ... stated
  as LIBSVM does: ``max_{I_up} -y G  <=  min_{I_low} -y G`` up to the tolerance.
- linear_dual_kkt_violation: the same for the linear SVM dual (hinge / squared hinge).
- platt_sigmoid: the sigmoid fit by a generic optimiser (scipy) on Platt's targets.
"""

from __future__ import annotations

import math

import numpy as np


def kernel_value(kind, a, b, gamma, coef0, degree):
    dot = sum(float(x) * float(y) for x, y in zip(a, b))
    if kind == "linear":
        return dot
    if kind == "poly":
        return (gamma * dot + coef0) ** degree
    if kind == "rbf":
        d2 = sum((float(x) - float(y)) ** 2 for x, y in zip(a, b))
        return math.exp(-gamma * d2)
    if kind == "sigmoid":
        return math.tanh(gamma * dot + coef0)
    raise ValueError(kind)


def kernel_matrix(kind, A, B, gamma=1.0, coef0=0.0, degree=3):
    """K[i, j] = k(A[i], B[j]) by the textbook formula, pair by pair."""
    out = np.empty((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            out[i, j] = kernel_value(kind, A[i], B[j], gamma, coef0, degree)
    return out


def dual_kkt_violation(Q, p, y, alpha, C):
    """max_{t in I_up} -y_t G_t - min_{t in I_low} -y_t G_t (<= tol at optimum).

    I_up = {t: (y=+1, a<C) or (y=-1, a>0)}, I_low = {t: (y=+1, a>0) or (y=-1, a<C)}.
    Also checks feasibility: returns inf if a bound or y'a = 0 is violated.
    """
    if np.any(alpha < -1e-12) or np.any(alpha > C + 1e-12):
        return np.inf
    if abs(float(y @ alpha)) > 1e-8 * max(1.0, float(np.abs(alpha).sum())):
        return np.inf
    G = Q @ alpha + p
    up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
    low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
    m_up = np.max(-y[up] * G[up]) if up.any() else -np.inf
    m_low = np.min(-y[low] * G[low]) if low.any() else np.inf
    return float(m_up - m_low)


def dual_objective(Q, p, alpha):
    return float(0.5 * alpha @ Q @ alpha + p @ alpha)


def linear_dual_kkt_violation(X, y, alpha, upper, diag, bias):
    """Projected-gradient spread of the linear SVM dual at alpha.

    Dual: min 1/2 a'(Q + D)a - sum a, 0 <= a <= U, Q = (y x)(y x)' with the bias
    feature appended.
    """
    Xb = np.hstack([X, np.full((X.shape[0], 1), bias)])
    Z = Xb * y[:, None]
    G = Z @ (Z.T @ alpha) + diag * alpha - 1.0
    pg = np.where(
        alpha <= 0, np.minimum(G, 0), np.where(alpha >= upper, np.maximum(G, 0), G)
    )
    return float(pg.max() - pg.min())


def platt_sigmoid(dec, y_pm):
    """(A, B) minimising Platt's regularised cross-entropy, by scipy's BFGS."""
    from scipy.optimize import minimize

    n_pos = float((y_pm > 0).sum())
    n_neg = float(len(y_pm) - n_pos)
    t = np.where(y_pm > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def f(ab):
        z = dec * ab[0] + ab[1]
        # -log p = log(1 + exp(z)) for p = 1/(1+exp(z)); -log(1-p) = log(1+exp(-z))
        return float(np.sum(t * np.logaddexp(0, z) + (1 - t) * np.logaddexp(0, -z)))

    res = minimize(
        f,
        np.array([0.0, math.log((n_neg + 1) / (n_pos + 1))]),
        method="BFGS",
        options={"gtol": 1e-10},
    )
    return float(res.x[0]), float(res.x[1])
