"""Slow, obviously-correct reference for fastml.kernels.nn.attention.

The textbook formula in float64 numpy, with torch's conventions:
softmax(Q K^T * scale + bias) V over the last axis, where bias is 0 / -inf from a
boolean mask (True = attend), the additive float mask, and -inf above the diagonal
for causal attention (top-left aligned: query i sees keys j <= i). Grouped-query
attention repeats each key/value head for its group of query heads. A row whose
scores are all -inf gives 0 (torch 2.x's output for such rows).
"""

from __future__ import annotations

import numpy as np


def attention(q, k, v, attn_mask=None, is_causal=False, scale=None, enable_gqa=False):
    """Reference attention for (..., H, L, E) query, (..., H_kv, S, E) key and
    (..., H_kv, S, E_v) value; returns float64 of shape (..., H, L, E_v)."""
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    if enable_gqa and q.ndim >= 3:
        group = q.shape[-3] // k.shape[-3]
        k = np.repeat(k, group, axis=-3)
        v = np.repeat(v, group, axis=-3)
    if scale is None:
        scale = 1.0 / np.sqrt(q.shape[-1])
    scores = (q @ np.swapaxes(k, -1, -2)) * scale
    length_q, length_k = scores.shape[-2:]
    bias = np.zeros((length_q, length_k))
    if is_causal:
        bias[~np.tril(np.ones((length_q, length_k), dtype=bool))] = -np.inf
    if attn_mask is not None:
        mask = np.asarray(attn_mask)
        if mask.dtype == bool:
            bias = np.where(mask, bias, -np.inf)
        else:
            bias = bias + mask.astype(np.float64)
    scores = scores + bias
    row_max = scores.max(axis=-1, keepdims=True)
    # A row of -inf only: subtract 0 (every exponential is 0, the output 0).
    row_max = np.where(row_max == -np.inf, 0.0, row_max)
    weights = np.exp(scores - row_max)
    total = weights.sum(axis=-1, keepdims=True)
    safe = np.where(total == 0.0, 1.0, total)
    out = (weights @ v) / safe
    return np.where(total == 0.0, 0.0, out)
