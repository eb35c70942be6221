"""Per-feature cut points for histogram GBDT from weighted quantile summaries (Numba).

Cut points
----------
:func:`sketch_feature_cuts` gives each feature at most ``max_bin - 1`` strictly
increasing thresholds ``t_1 < ... < t_m`` so that ``bin(v) = #{j : t_j <= v}`` puts
about equal weight into each of the ``m + 1`` bins. A threshold always lies strictly
above one value of the summary and at or below the next one: it is the midpoint
``x_g/2 + x_{g+1}/2`` of two consecutive summary values (LightGBM's rule; XGBoost puts
its cut at ``x_{g+1}`` itself, which splits the training values identically).
Features whose summary has at most ``max_bin`` distinct values (always the case for
a feature with at most ``max_bin`` distinct values, see below) get one threshold
between every pair of consecutive values, so every distinct value has its own bin.
Otherwise, for ``j = 1 .. max_bin - 1`` the target rank ``d_j = j W / max_bin`` picks
the gap between consecutive summary values whose estimated weight to the left,
``(rmin_g + wmin_g + rmax_{g+1} - wmin_{g+1}) / 2``, is nearest to ``d_j`` (ties to the
left); gaps picked twice count once (a heavy value spans several targets). With an
eps-approximate summary the weight ``C(t)`` left of the chosen threshold satisfies
``|C(t) - d_j| <= min_g |C_g - d_j| + eps * W`` where ``C_g`` ranges over the exact
weights left of every gap between consecutive distinct values of the data: each bin
holds ``W / max_bin`` up to the granularity of the data plus ``eps * W`` at each end.

How the per-feature summary is built: the rows are cut into chunks of
``chunk_rows``; each chunk's non-NaN, positive-weight values are radix-sorted (an
LSD radix sort on the order-preserving unsigned-integer image of the floats, 4 byte
passes for float32, 8 for float64, passes whose byte is constant skipped), ties
collapsed into an exact summary, pruned to ``b = max(max_bin, ceil(1 / eps))`` and the
chunk summaries merged pairwise in a fixed tree. No summary is pruned after a merge,
so the feature's summary is ``1/b <= eps``-approximate, and a chunk with at most
``max_bin`` distinct values is never pruned (low-cardinality features stay exact).
``eps = 0`` means no pruning at all. With ``eps = 0`` and a single chunk (the
default of ``fastml.gbdt``, which sketches a 200,000-row sample) the cuts come from
:func:`exact_column_cuts` instead: NumPy's sort of the whole column and the same
nearest-boundary rule on the exact cumulative weights. It is as fast as the radix
path at that size (~5 ms per float32 column with unit weights) and compiles nothing,
where the compiled path costs ~3 s of Numba compilation on a cold cache.

Parallelism: features are split into contiguous ranges run on Python threads
(``fastml._parallel.run_chunks``; the Numba kernels are serial and ``nogil``, NumPy's
sort releases the GIL), not by ``prange``: a ``parallel=True`` kernel calling this
much code measured ~2-3 s more cold compilation (Numba re-optimises the callees
inside the parfor). Each feature is computed serially in a fixed order, so the cuts
do not depend on the thread count.

Naive references: ``tests/naive/sketch.py`` (exact nearest-boundary cuts); compared
in ``tests/kernels/test_sketch.py``.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels.hist.sketch import (
    _all_equal,
    _copy_entry,
    _cuts_into,
    _key_top,
    _merge_into,
    _prune_into,
    _sorted_exact_summary,
)

__all__ = ["DEFAULT_CHUNK_ROWS", "exact_column_cuts", "sketch_feature_cuts"]


def _run_chunks(func, n_items: int, n_threads) -> None:
    """``func(start, stop)`` over ``[0, n_items)`` split among ``n_threads`` threads.

    ``n_threads`` None means Numba's thread count for the calling thread (what
    ``fastml.kernels._jit.num_threads(n)`` sets), so callers that wrap kernel calls
    in that context keep working unchanged.
    """
    from fastml._parallel import run_chunks

    if n_threads is None:
        import numba

        n_threads = numba.get_num_threads()
    run_chunks(func, n_items, max(1, int(n_threads)))


# Rows per exact chunk summary: two key buffers and two weight buffers of this length
# (~400 KB for float32) stay in a core's L2 cache while the chunk is radix-sorted.
DEFAULT_CHUNK_ROWS = 16384


@jit
def _feature_cuts(
    X, j, weights, max_bin, prune_b, rows, key_top, uniform, out_cuts
):  # pragma: no cover - compiled
    """Thresholds of column j of X into ``out_cuts[j]``; returns their number.

    Chunks of ``rows`` rows: exact summary (radix sort), pruned to ``prune_b`` (no
    pruning when 0), then a pairwise merge tree in a fixed order, ping-ponging
    between two buffers (a merged segment is written where its left input started:
    it is no longer than the two inputs together, so segments never overlap).
    """
    n_samples = X.shape[0]
    n_chunks = max(1, (n_samples + rows - 1) // rows)
    slot = rows if prune_b <= 0 else min(rows, prune_b + 1)
    vbuf = np.empty(rows, X.dtype)
    wbuf = np.empty(rows)
    tmp_keys = np.empty(rows, key_top.dtype)
    tmp_w = np.empty(rows)
    exact = np.empty((4, rows))
    buf_a = np.empty((4, n_chunks * slot))
    buf_b = np.empty((4, n_chunks * slot))
    seg_off = np.empty(n_chunks, np.int64)
    seg_len = np.empty(n_chunks, np.int64)
    zero = np.int64(0)  # no literal arguments (see _prune_into)
    offset = np.int64(0)
    for c in range(n_chunks):
        m = np.int64(0)
        for i in range(c * rows, min(n_samples, (c + 1) * rows)):
            x = X[i, j]
            w = weights[i]
            if x == x and w > 0.0:
                vbuf[m] = x + 0.0  # -0.0 -> +0.0
                wbuf[m] = w
                m += 1
        k = _sorted_exact_summary(
            vbuf, wbuf, m, tmp_keys, tmp_w, key_top, uniform, exact
        )
        if prune_b > 0:
            k = _prune_into(exact, zero, k, prune_b, buf_a, offset)
        else:
            for e in range(k):
                _copy_entry(exact, e, buf_a, offset + e)
        seg_off[c] = offset
        seg_len[c] = k
        offset += k
    n_seg = n_chunks
    src = buf_a
    dst = buf_b
    while n_seg > 1:
        n_next = 0
        for p in range(0, n_seg, 2):
            o = seg_off[p]
            if p + 1 < n_seg:
                k = _merge_into(
                    src, o, seg_len[p], src, seg_off[p + 1], seg_len[p + 1], dst, o
                )
            else:
                k = seg_len[p]
                for e in range(k):
                    _copy_entry(src, o + e, dst, o + e)
            seg_off[n_next] = o
            seg_len[n_next] = k
            n_next += 1
        n_seg = n_next
        src, dst = dst, src
    return _cuts_into(src, zero, seg_len[0], max_bin, out_cuts[j], zero)


@jit
def _sketch_cuts_range(
    X,
    f_start,
    f_stop,
    weights,
    max_bin,
    prune_b,
    rows,
    key_top,
    uniform,
    out_cuts,
    out_counts,
):  # pragma: no cover - compiled
    """Chunked-sketch thresholds of the features ``[f_start, f_stop)`` (serial)."""
    for j in range(f_start, f_stop):
        out_counts[j] = _feature_cuts(
            X, j, weights, max_bin, prune_b, rows, key_top, uniform, out_cuts
        )


def _midpoints(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Vector form of :func:`_midpoint` (same float64 operations)."""
    m = 0.5 * lo + 0.5 * hi
    return np.where(m <= lo, hi, m)


def exact_column_cuts(column, weights, max_bin, uniform=None):
    """Exact cuts of one column (NumPy): the rule of the module docstring, eps = 0.

    Parameters
    ----------
    column : ndarray of shape (n,), float32 or float64 (IN)
        Any stride; NaN values are ignored.
    weights : ndarray of shape (n,), float64 (IN)
        Rows with weight <= 0 are ignored.
    max_bin : int
    uniform : bool or None
        Whether all weights are equal (then the values are sorted without them);
        None checks.

    Returns
    -------
    thresholds : ndarray of shape (m,), float64, strictly increasing (OUT)

    Notes
    -----
    The default path of :func:`sketch_feature_cuts` (``eps = 0``, one chunk): NumPy's
    sort (SIMD, releases the GIL), then ties collapsed, cumulative weights
    (``np.cumsum``, sequential) and, per target rank ``d_j = W j / max_bin``, the
    boundary with the nearest cumulative weight (ties to the left) -- the same
    rule and float64 operations as ``_cuts_into`` on an exact summary. It compiles
    nothing: on a cold Numba cache the compiled radix-sort path costs ~3 s of
    compilation for about the same speed (unit weights: ~5 ms per 200,000-row
    column; weighted: ~12 ms with the arg-sort).
    """
    if uniform is None:
        uniform = _all_equal(weights)
    if uniform:
        if weights.shape[0] == 0 or not weights[0] > 0.0:
            return np.empty(0)
        v = np.sort(column)  # NaN sorts last
        v = v[: int(np.searchsorted(v, np.nan))]
        w = None
    else:
        keep = ~np.isnan(column) & (weights > 0.0)
        v = column[keep]
        order = np.argsort(v)
        v = v[order]
        w = weights[keep][order]
    n = v.shape[0]
    if n == 0:
        return np.empty(0)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(v[1:], v[:-1], out=new[1:])  # -0.0 == 0.0: one value
    starts = np.flatnonzero(new)
    distinct = v[starts].astype(np.float64) + 0.0  # -0.0 -> +0.0
    m = distinct.shape[0]
    if m <= 1:
        return np.empty(0)
    if m <= max_bin:
        return _midpoints(distinct[:-1], distinct[1:])
    if w is None:
        dist_w = np.diff(np.append(starts, n)).astype(np.float64) * weights[0]
    else:
        dist_w = np.add.reduceat(w, starts)
    cum = np.cumsum(dist_w)
    left = cum[:-1]  # weight left of the gap after distinct value g
    d = cum[-1] * np.arange(1, max_bin) / max_bin
    above = np.searchsorted(left, d, side="right")
    lo = np.clip(above - 1, 0, m - 2)
    hi = np.clip(above, 0, m - 2)
    pick = np.unique(np.where(left[hi] - d < d - left[lo], hi, lo))
    return _midpoints(distinct[pick], distinct[pick + 1])


def sketch_feature_cuts(X, weights, max_bin, eps, chunk_rows=None, n_threads=None):
    """Per-feature thresholds for ``max_bin`` equal-weight bins (see module docstring).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64 (IN)
        Any memory layout; F-contiguous (columns contiguous) is fastest, since each
        feature is read column-wise. NaN = missing, ignored.
    weights : ndarray of shape (n_samples,), float64 (IN)
        Sample weights or hessians; rows with weight <= 0 are ignored.
    max_bin : int
        At most ``max_bin - 1`` thresholds per feature (``max_bin >= 2``).
    eps : float
        Rank accuracy: chunk summaries are pruned to ``b = max(max_bin,
        ceil(1 / eps))``, so each feature's summary is ``1/b <= eps``-approximate and
        every threshold's left weight is within ``eps * W`` of the best exact
        boundary for its target rank. ``eps = 0``: exact (no pruning).
    chunk_rows : int or None, default=None
        Rows per exact chunk summary. None: ``DEFAULT_CHUNK_ROWS`` when ``eps > 0``
        and the whole column when ``eps = 0`` (merging unpruned chunk summaries
        would only cost time).
    n_threads : int or None, default=None
        Threads (features are split among them); None uses the Numba thread count
        of the calling thread, i.e. the value set by
        ``fastml.kernels._jit.num_threads(n)``.

    Returns
    -------
    cut_values : ndarray of shape (total,), float64 (OUT)
        The thresholds of feature f are ``cut_values[cut_ptr[f]:cut_ptr[f + 1]]``,
        strictly increasing; ``bin(v) = #{t <= v}``.
    cut_ptr : ndarray of shape (n_features + 1,), int64 (OUT)

    Notes
    -----
    Ranges of features run in parallel threads: with ``eps = 0`` and one chunk,
    :func:`exact_column_cuts` (NumPy sort, nothing to compile) per feature;
    otherwise the serial Numba kernel ``_sketch_cuts_range`` (radix-sorted chunk
    summaries, pruned and merged; the radix key width is uint32 for float32 and
    uint64 for float64).
    An all-NaN, all-zero-weight or constant column gets no threshold. Reference:
    ``tests/naive/sketch.py::naive_feature_cuts``.
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.dtype not in (np.float32, np.float64):
        raise ValueError("X must be a 2-D float32 or float64 array.")
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    n_samples, n_features = X.shape
    if weights.shape != (n_samples,):
        raise ValueError("weights must have shape (n_samples,).")
    max_bin = int(max_bin)
    if max_bin < 2:
        raise ValueError(f"max_bin must be >= 2, got {max_bin}.")
    eps = float(eps)
    if not eps >= 0.0:
        raise ValueError(f"eps must be >= 0, got {eps}.")
    prune_b = 0 if eps == 0.0 else max(max_bin, math.ceil(1.0 / eps))
    if chunk_rows is None:
        chunk_rows = DEFAULT_CHUNK_ROWS if prune_b > 0 else max(1, n_samples)
    chunk_rows = int(chunk_rows)
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}.")
    width = max(1, min(max_bin - 1, n_samples - 1))
    out_cuts = np.empty((n_features, width))
    out_counts = np.zeros(n_features, np.int64)
    if n_samples > 0 and n_features > 0:
        key_top = _key_top(X.dtype)
        uniform = _all_equal(weights)
        exact = prune_b == 0 and chunk_rows >= n_samples
        rows = max(1, min(chunk_rows, n_samples))

        def run(f_start: int, f_stop: int) -> None:
            if exact:
                for f in range(f_start, f_stop):
                    cuts = exact_column_cuts(X[:, f], weights, max_bin, uniform)
                    out_cuts[f, : cuts.shape[0]] = cuts
                    out_counts[f] = cuts.shape[0]
            else:
                _sketch_cuts_range(
                    X,
                    f_start,
                    f_stop,
                    weights,
                    max_bin,
                    prune_b,
                    rows,
                    key_top,
                    uniform,
                    out_cuts,
                    out_counts,
                )

        _run_chunks(run, n_features, n_threads)
    cut_ptr = np.zeros(n_features + 1, np.int64)
    np.cumsum(out_counts, out=cut_ptr[1:])
    cut_values = np.empty(int(cut_ptr[-1]))
    for f in range(n_features):
        cut_values[cut_ptr[f] : cut_ptr[f + 1]] = out_cuts[f, : out_counts[f]]
    return cut_values, cut_ptr
