"""Naive reference of fastml.kernels.nn.layer_norm: LayerNorm(x + residual), row by row.

Plain Python loops in float64 (``math.fsum`` for the sums), on the residual sum
rounded to the input dtype first, as the kernels (and float32 frameworks) round it.
"""

from __future__ import annotations

import math

import numpy as np


def add_layer_norm(x, residual, weight, bias, eps):
    """Return ``(s - mean) / sqrt(var + eps) * weight + bias`` per row, in float64,
    with ``s = x + residual`` computed in x's dtype and the biased variance."""
    s = (np.asarray(x) + np.asarray(residual)).astype(x.dtype)
    out = np.empty(s.shape, dtype=np.float64)
    for i in range(s.shape[0]):
        row = [float(v) for v in s[i]]
        n = len(row)
        mean = math.fsum(row) / n
        var = math.fsum((v - mean) ** 2 for v in row) / n
        rstd = 1.0 / math.sqrt(var + eps)
        for j in range(n):
            out[i, j] = (row[j] - mean) * rstd * float(weight[j]) + float(bias[j])
    return out
