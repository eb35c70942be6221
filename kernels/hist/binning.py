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
from fastml.kernels._jit import jit

__all__ = ["bin_data", "n_lookup_cells"]


def n_lookup_cells(n_thresholds: int) -> int:
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


def _lookup_tables(cut_values, cut_ptr):
    """Per-feature lookup tables of :func:`bin_data` (NumPy, O(n_features * G)).

    Returns ``(start, origin, scale, top_cell, padded, pad_ptr)``: ``start[f, c] =
    #{j : cell_f(t_j) < c}`` with ``cell_f(x) = _cell(x, origin[f], scale[f],
    top_cell[f])``; feature f's thresholds are copied to ``padded[pad_ptr[f]:]`` and
    followed by a NaN sentinel. The cells of the thresholds are computed here with
    the same IEEE float64 operations as ``_cell`` (subtract, multiply, clamp,
    truncate; no fused multiply-add on either side), so they agree with the
    kernel's cells bit for bit. Built in NumPy: a compiled version would cost ~1 s of
    cold compilation for microseconds of work.
    """
    cut_values = np.asarray(cut_values, dtype=np.float64)
    cut_ptr = np.asarray(cut_ptr, dtype=np.int64)
    n_features = cut_ptr.shape[0] - 1
    counts = np.diff(cut_ptr)
    n_cells = np.array([n_lookup_cells(int(m)) for m in counts], dtype=np.int64)
    max_cells = int(n_cells.max()) if n_features else 16
    start = np.zeros((n_features, max_cells + 1), dtype=np.int32)
    origin = np.zeros(n_features)
    scale = np.zeros(n_features)
    top_cell = np.zeros(n_features)
    pad_ptr = cut_ptr[:-1] + np.arange(n_features, dtype=np.int64)
    padded = np.full(cut_values.shape[0] + n_features, np.nan)
    for f in range(n_features):
        t = cut_values[cut_ptr[f] : cut_ptr[f + 1]]
        padded[pad_ptr[f] : pad_ptr[f] + t.shape[0]] = t
        if t.shape[0] == 0:
            continue  # one cell, start[f] all zero: every value gets bin 0
        g = int(n_cells[f])
        finite = t[t < np.inf]
        with np.errstate(divide="ignore", over="ignore"):
            span = (finite[-1] if finite.shape[0] else t[0]) - t[0]
            sc = g / span if span > 0.0 else 0.0
        if not sc < np.inf:  # span subnormal or inf: every threshold in cell 0
            sc = 0.0
        origin[f] = t[0]
        scale[f] = sc
        top_cell[f] = g - 1.0
        with np.errstate(invalid="ignore", over="ignore"):
            y = (t - t[0]) * sc
        y = np.where(y > 0.0, y, 0.0)
        y = np.where(y < g - 1.0, y, g - 1.0)
        cells = y.astype(np.int64)
        # start[c] = #{cell(t) < c}: thresholds are sorted, so are their cells
        start[f, : g + 1] = np.searchsorted(cells, np.arange(g + 1), side="left")
    return start, origin, scale, top_cell, padded, pad_ptr


@jit
def _bin_rows(
    X,
    row_start,
    row_stop,
    start,
    origin,
    scale,
    top_cell,
    padded,
    pad_ptr,
    missing_bin,
    out,
):  # pragma: no cover - compiled
    """Bins of rows ``[row_start, row_stop)`` (see :func:`bin_data`)."""
    n_features = X.shape[1]
    for i in range(row_start, row_stop):
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


def bin_data(X, cut_values, cut_ptr, missing_bin, out, n_threads=None):
    """Bin index of every value of X (parallel over row ranges).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous (IN)
    cut_values : ndarray of shape (total,), float64 (IN)
        Thresholds of feature f: ``cut_values[cut_ptr[f]:cut_ptr[f + 1]]``, strictly
        increasing (as made by ``fastml.kernels.hist.cuts.sketch_feature_cuts``).
    cut_ptr : ndarray of shape (n_features + 1,), int64 (IN)
    missing_bin : int
        Bin of NaN values (fastml.gbdt uses ``max_bin``).
    out : ndarray of shape (n_samples, n_features), uint8 or uint16, C-contiguous (OUT)
        Row-major: a row's bins are adjacent. The caller picks a dtype holding
        ``missing_bin`` and every ``bin <= #thresholds``.
    n_threads : int or None, default=None
        Threads (contiguous row ranges); None uses the Numba thread count of the
        calling thread, i.e. the value set by ``fastml.kernels._jit.num_threads(n)``.

    Notes
    -----
    Exact ``np.searchsorted(t, float64(v), side="right")`` per value through the
    per-feature lookup table of the module docstring (built by ``_lookup_tables``).
    Infinite values are ordinary values (``+inf`` lands in the last bin). The common
    case (at most one threshold in the value's cell) is branch-free: each feature's
    thresholds are copied with a NaN sentinel after the last one, so ``bin =
    start[c] + (t[start[c]] <= x)`` holds whether the cell holds one threshold or
    none (then ``t[start[c]]`` lies in a later cell, or is the sentinel, and compares
    false). NaN values take the same path and are replaced by ``missing_bin`` at the
    end. A thin Python function: the serial ``nogil`` kernel ``_bin_rows`` runs on
    contiguous row ranges in Python threads (``fastml._parallel.run_chunks``; a
    ``prange`` kernel would add ~1 s of cold compilation). Rows are independent, so
    the result does not depend on the thread count.
    """
    from fastml.kernels.hist.cuts import _run_chunks

    n_samples = X.shape[0]
    if n_samples == 0:
        return
    start, origin, scale, top_cell, padded, pad_ptr = _lookup_tables(
        cut_values, cut_ptr
    )
    missing = int(missing_bin)

    def run(row_start: int, row_stop: int) -> None:
        _bin_rows(
            X,
            row_start,
            row_stop,
            start,
            origin,
            scale,
            top_cell,
            padded,
            pad_ptr,
            missing,
            out,
        )

    # chunks of at least ~16k rows: thread hand-off costs ~10 us
    n_chunks = max(1, min(n_samples // 16384 + 1, 1 << 30))
    if n_threads is None:
        import numba

        n_threads = numba.get_num_threads()
    _run_chunks(run, n_samples, min(int(n_threads), n_chunks))
