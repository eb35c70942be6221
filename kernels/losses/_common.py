"""Scalar helpers shared by the loss kernels (all arithmetic in float64)."""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit

__all__ = ["sigmoid", "sigmoid_grad", "softplus", "xlogx", "row_max_sumexp"]


@jit
def sigmoid(z: float) -> float:
    """1 / (1 + exp(-z)) without overflow: the e / (1 + e) form for z < 0."""
    e = math.exp(-abs(z))
    s = 1.0 / (1.0 + e)
    return s if z >= 0.0 else e * s


@jit
def sigmoid_grad(z: float) -> float:
    """sigmoid(z) (1 - sigmoid(z)) = e / (1 + e)^2, e = exp(-|z|): accurate tails."""
    e = math.exp(-abs(z))
    d = 1.0 + e
    return e / (d * d)


@jit
def softplus(z: float) -> float:
    """log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)) without overflow."""
    high = z if z > 0.0 else 0.0
    return high + math.log1p(math.exp(-abs(z)))


@jit
def xlogx(y: float) -> float:
    """y log y with the convention 0 log 0 = 0."""
    return y * math.log(y) if y > 0.0 else 0.0


@jit
def row_max_sumexp(z: np.ndarray, r: int) -> tuple[float, float]:
    """(m, s) with m = max_k z[r, k] and s = sum_k exp(z[r, k] - m) >= 1."""
    n_cols = z.shape[1]
    m = -np.inf
    for k in range(n_cols):
        v = float(z[r, k])
        if v > m:
            m = v
    s = 0.0
    for k in range(n_cols):
        s += math.exp(float(z[r, k]) - m)
    return m, s
