"""Scalar helpers shared by the loss kernels (all arithmetic in float64)."""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "ROW_CHUNK",
    "softplus",
    "xlogx",
    "row_max_sumexp",
    "row_softmax",
]

#: Rows per parallel work item in row kernels that need a scratch buffer (one
#: buffer allocation per chunk, not per row).
ROW_CHUNK = 64


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


@jit
def row_softmax(z: np.ndarray, r: int, p: np.ndarray) -> None:
    """p[:] = softmax(z[r]) in float64, with one exponential per entry."""
    n_cols = z.shape[1]
    m = -np.inf
    for k in range(n_cols):
        v = float(z[r, k])
        if v > m:
            m = v
    s = 0.0
    for k in range(n_cols):
        e = math.exp(float(z[r, k]) - m)
        p[k] = e
        s += e
    inv = 1.0 / s
    for k in range(n_cols):
        p[k] *= inv
