"""Mapping raw feature values to bin indices for histogram GBDT (Numba).

``bin(v) = #{j : t_j <= v}`` for the strictly increasing thresholds ``t`` of the
value's feature (``np.searchsorted(t, v, side="right")``), so "bin <= b" is exactly
"v < t_{b+1}"; NaN goes to ``missing_bin``. Values are compared as float64 (a
float32 value is widened exactly), which is how split thresholds are compared at
prediction time.

Algorithm: a per-feature lookup table replaces most of the binary search. The range
``[t_1, t_m]`` is cut into ``G`` equal cells and ``cell(x) = clamp(floor((x - t_1) *
G / (t_m - t_1)), 0, G - 1)`` (float64). This map is nondecreasing in ``x`` (IEEE
subtraction and multiplication by a positive constant round monotonically), so for
``c = cell(v)`` every threshold with ``cell(t) < c`` is ``< v`` and every threshold
with ``cell(t) > c`` is ``> v``: with ``start[c] = #{j : cell(t_j) < c}`` the bin is
``start[c]`` plus the number of thresholds ``<= v`` among the ``start[c + 1] -
start[c]`` thresholds of cell c (a binary search over usually 0 to 2 entries). The
result is exact whatever the data's distribution; skewed data only lengthens the
searches (at worst to the plain binary search). ``G`` is the power of two ``>= 4 m``
(at least 16, at most 65536).

Naive reference: ``tests/naive/binning.py::naive_bin_data`` (``np.searchsorted``);
compared in ``tests/kernels/test_binning.py``.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit, jit_parallel, prange

__all__ = ["bin_data", "n_lookup_cells"]

_ROW_BLOCK = 512


@jit
def n_lookup_cells(n_thresholds):  # pragma: no cover - compiled
    """Cells of a feature's lookup table: the power of two >= 4 m, in [16, 65536]."""
    g = 16
    while g < 4 * n_thresholds and g < 65536:
        g *= 2
    return g


@jit(inline="always")
def _cell(x, origin, scale, top):  # pragma: no cover - compiled
    """``clamp(floor((x - origin) * scale), 0, top)``; NaN maps to 0. Branch-free."""
    y = (x - origin) * scale
    y = y if y > 0.0 else 0.0
    y = y if y < top else top
    return np.int64(y)


@jit_parallel
def bin_data(X, cut_values, cut_ptr, missing_bin, out):  # pragma: no cover - compiled
    """Bin index of every value of X (parallel over row blocks).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous (IN)
    cut_values : ndarray of shape (total,), float64 (IN)
        Thresholds of feature f: ``cut_values[cut_ptr[f]:cut_ptr[f + 1]]``, strictly
        increasing (as made by ``fastml.kernels.hist.sketch.sketch_feature_cuts``).
    cut_ptr : ndarray of shape (n_features + 1,), int64 (IN)
    missing_bin : int
        Bin of NaN values (fastml.gbdt uses ``max_bin``).
    out : ndarray of shape (n_samples, n_features), uint8 or uint16, C-contiguous (OUT)
        Row-major: a row's bins are adjacent. The caller picks a dtype holding
        ``missing_bin`` and every ``bin <= #thresholds``.

    Notes
    -----
    Exact ``np.searchsorted(t, float64(v), side="right")`` per value through the
    per-feature lookup table of the module docstring (built here, ``O(n_features *
    G)``). Infinite values are ordinary values (``+inf`` lands in the last bin).
    The common case (at most one threshold in the value's cell) is branch-free: each
    feature's thresholds are copied with a NaN sentinel after the last one, so
    ``bin = start[c] + (t[start[c]] <= x)`` holds whether the cell holds one
    threshold or none (then ``t[start[c]]`` lies in a later cell, or is the sentinel,
    and compares false). NaN values take the same path and are replaced by
    ``missing_bin`` at the end. Rows are independent: the result does not depend on
    the thread count.
    """
    n_samples, n_features = X.shape
    max_cells = 16
    for f in range(n_features):
        max_cells = max(max_cells, n_lookup_cells(cut_ptr[f + 1] - cut_ptr[f]))
    start = np.zeros((n_features, max_cells + 1), np.int32)
    origin = np.zeros(n_features)
    scale = np.zeros(n_features)
    top_cell = np.zeros(n_features)
    # thresholds of feature f at padded[pad_ptr[f]:], followed by a NaN sentinel
    padded = np.empty(cut_values.shape[0] + n_features)
    pad_ptr = np.empty(n_features, np.int64)
    for f in range(n_features):
        pad_ptr[f] = cut_ptr[f] + f
    for f in prange(n_features):
        lo = cut_ptr[f]
        m = cut_ptr[f + 1] - lo
        p0 = pad_ptr[f]
        for j in range(m):
            padded[p0 + j] = cut_values[lo + j]
        padded[p0 + m] = np.nan
        if m == 0:
            continue  # one cell, start[f] all zero: every value gets bin 0
        n_cells = n_lookup_cells(m)
        first = cut_values[lo]
        last = m - 1  # grid over the finite thresholds (any range would be exact)
        while last > 0 and cut_values[lo + last] == np.inf:
            last -= 1
        span = cut_values[lo + last] - first
        sc = n_cells / span if span > 0.0 else 0.0
        if not (sc < np.inf):  # span subnormal or inf: every threshold in cell 0
            sc = 0.0
        origin[f] = first
        scale[f] = sc
        top_cell[f] = n_cells - 1.0
        # count thresholds per cell, then prefix sums: start[c] = #{cell(t) < c}
        for j in range(m):
            start[f, _cell(cut_values[lo + j], first, sc, n_cells - 1.0) + 1] += 1
        for c in range(n_cells):
            start[f, c + 1] += start[f, c]
    n_blocks = (n_samples + _ROW_BLOCK - 1) // _ROW_BLOCK
    for blk in prange(n_blocks):
        stop = min(n_samples, (blk + 1) * _ROW_BLOCK)
        for i in range(blk * _ROW_BLOCK, stop):
            for f in range(n_features):
                v = X[i, f]
                x = np.float64(v)
                c = _cell(x, origin[f], scale[f], top_cell[f])
                a = start[f, c]
                n_in_cell = start[f, c + 1] - a
                base = pad_ptr[f]
                if n_in_cell > 1:  # rare with G >= 4 m: binary search in the cell
                    while n_in_cell > 0:
                        half = n_in_cell >> 1
                        if padded[base + a + half] <= x:
                            a += half + 1
                            n_in_cell -= half + 1
                        else:
                            n_in_cell = half
                    b = a
                else:
                    b = a + (padded[base + a] <= x)
                out[i, f] = missing_bin if v != v else b
