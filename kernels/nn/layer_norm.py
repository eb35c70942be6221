"""Fused residual addition and layer normalisation over the last axis.

``out[i] = (s - mean(s)) / sqrt(var(s) + eps) * weight + bias`` with
``s = x[i] + residual[i]`` rounded to the storage dtype first (as a framework that
adds, then normalises, rounds it), ``var`` the biased variance. This is the
``LayerNorm(x + residual)`` that closes each block of a post-LayerNorm transformer
(BERT); with ``residual`` zero it is a plain layer norm.

Algorithm: two passes over each row (Welford is not needed because the mean is
removed before squaring): the sum of ``s``, then the sum of ``(s - mean)^2``, both
accumulated in float64 with four independent partial sums (added in a fixed order at
the end, so a row's result does not depend on anything but the row), then one pass
writing the normalised row. Rows are independent: the caller splits them into chunks
run on threads (``fastml._parallel.run_chunks``); results are bitwise identical for
any split.

Shapes and dtypes: ``x``, ``residual`` and ``out`` (n_rows, n_cols), C-contiguous,
all float32 (``*_f32``) or all float64 (``*_f64``); ``weight``, ``bias`` (n_cols,) of
the same dtype. ``x``/``residual``: IN; ``out``: OUT, which may be ``x`` or
``residual`` (each element is read before it is written). float32 rows are
normalised in float64 and rounded once at the end (``(s - mean) * rstd`` is rounded
to float32 before the scale and shift, as in a float32 framework).

Naive reference: tests/naive/layer_norm.py; tests: tests/kernels/test_layer_norm.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit

__all__ = ["add_layer_norm_f32", "add_layer_norm_f64"]


@jit(inline="always")
def _row_sum(row: np.ndarray) -> float:
    """sum(row) in float64, four partial sums added in a fixed order."""
    n = row.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    j = 0
    while j + 4 <= n:
        s0 += np.float64(row[j])
        s1 += np.float64(row[j + 1])
        s2 += np.float64(row[j + 2])
        s3 += np.float64(row[j + 3])
        j += 4
    while j < n:
        s0 += np.float64(row[j])
        j += 1
    return (s0 + s1) + (s2 + s3)


@jit(inline="always")
def _row_squared_deviation(row: np.ndarray, mean: float) -> float:
    """sum((row - mean)^2) in float64, four partial sums added in a fixed order."""
    n = row.shape[0]
    q0 = q1 = q2 = q3 = 0.0
    j = 0
    while j + 4 <= n:
        a = np.float64(row[j]) - mean
        b = np.float64(row[j + 1]) - mean
        c = np.float64(row[j + 2]) - mean
        d = np.float64(row[j + 3]) - mean
        q0 += a * a
        q1 += b * b
        q2 += c * c
        q3 += d * d
        j += 4
    while j < n:
        a = np.float64(row[j]) - mean
        q0 += a * a
        j += 1
    return (q0 + q1) + (q2 + q3)


@jit
def add_layer_norm_f32(
    x: np.ndarray,
    residual: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    eps: float,
    out: np.ndarray,
) -> None:
    """``out = LayerNorm(x + residual)`` row by row, float32 (see the module doc).

    Parameters
    ----------
    x, residual : ndarray of shape (n_rows, n_cols), float32, C-contiguous (IN)
    weight, bias : ndarray of shape (n_cols,), float32 (IN)
    eps : float
        Added to the variance.
    out : ndarray of shape (n_rows, n_cols), float32, C-contiguous (OUT; may be
        ``x`` or ``residual``)
    """
    n_rows, n_cols = x.shape
    if n_cols == 0:
        return
    inv_n = 1.0 / n_cols
    for i in range(n_rows):
        xi = x[i]
        ri = residual[i]
        oi = out[i]
        for j in range(n_cols):
            oi[j] = xi[j] + ri[j]
        mean = _row_sum(oi) * inv_n
        # Second pass around the mean: no cancellation in the variance.
        squares = _row_squared_deviation(oi, mean)
        rstd = 1.0 / math.sqrt(squares * inv_n + eps)
        for j in range(n_cols):
            normed = np.float32((np.float64(oi[j]) - mean) * rstd)
            oi[j] = normed * weight[j] + bias[j]


@jit
def add_layer_norm_f64(
    x: np.ndarray,
    residual: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    eps: float,
    out: np.ndarray,
) -> None:
    """As :func:`add_layer_norm_f32` for float64 arrays."""
    n_rows, n_cols = x.shape
    if n_cols == 0:
        return
    inv_n = 1.0 / n_cols
    for i in range(n_rows):
        xi = x[i]
        ri = residual[i]
        oi = out[i]
        for j in range(n_cols):
            oi[j] = xi[j] + ri[j]
        mean = _row_sum(oi) * inv_n
        squares = _row_squared_deviation(oi, mean)
        rstd = 1.0 / math.sqrt(squares * inv_n + eps)
        for j in range(n_cols):
            oi[j] = (oi[j] - mean) * rstd * weight[j] + bias[j]
