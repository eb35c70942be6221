"""Naive reference for kernels/hist/binning.py: np.searchsorted per feature."""

from __future__ import annotations

import numpy as np


def naive_bin_data(X, cut_values, cut_ptr, missing_bin, dtype):
    """``bin(v) = #{t <= v}`` (searchsorted, side="right", in float64); NaN -> missing."""
    X = np.asarray(X)
    out = np.empty(X.shape, dtype=dtype)
    for f in range(X.shape[1]):
        t = cut_values[cut_ptr[f] : cut_ptr[f + 1]]
        col = X[:, f].astype(np.float64)
        bins = np.searchsorted(t, col, side="right")
        out[:, f] = np.where(np.isnan(col), missing_bin, bins)
    return out
