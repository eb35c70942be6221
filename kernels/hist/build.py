"""Gradient/hessian histograms of tree nodes over binned data (histogram GBDT).

Layout
------
- ``bins``: ndarray of shape (n_samples, n_features), uint8 or uint16, C-contiguous
  (row-major: the bins of one row are adjacent, so building a node's histogram reads
  each of its rows once). ``missing_bin`` (= max_bin) marks NaN.
- ``gh``: ndarray of shape (n_samples, 2), float32: gradient and hessian of each
  row, interleaved, in the original row order (sample weights included).
- ``idx``: int32 row indices grouped by node: node k owns ``idx[begin_k:end_k]``
  (kernels/gbdt/grow.py partitions it in place).
- ``nodes``: int64 table of shape (n_nodes, 3): ``begin, end, slot`` per node.
- A histogram is one row of ``pool`` (float64, shape (n_slots, hist_size)) with
  ``hist_size = 2 * n_features * stride``: feature f, bin b holds the gradient sum at
  ``2 * (f * stride + b)`` and the hessian sum right after it (pairs interleaved, one
  update touches one 16-byte slot). ``stride >= max_bin + 1`` (:func:`hist_stride`).

Exact sums ("integer-grid" gradients)
-------------------------------------
Each row's gradient and hessian are rounded to integer multiples of a per-tree unit:
``gq = floor(g * scale_g + 0.5)``, with ``scale_g`` the power of two of
:func:`grid_scales` that makes the absolute values of all rows of the tree sum to
less than 2**51 (below 2**52 after rounding). Every partial sum of such values is an
integer below 2**53, which float64 adds *exactly*. Consequences:

- a histogram does not depend on the order rows are added in, so any split of the
  work between threads gives bit-identical results (no fixed-order block reduction
  is needed, and the work can be split evenly for any thread count);
- the sibling trick ``sibling = parent - child`` is exact (no negative hessians);
- the rounding error per row is at most ``2**-52`` of the tree's total absolute
  gradient: below the float32 precision of ``gh`` itself for every row carrying
  more than ~2**-28 of that total, i.e. negligible.

Split finding multiplies the sums back by ``1 / scale`` (exact: a power of two).

Work split
----------
Several nodes are built in one pass (all nodes of a tree level). The rows of the
nodes, concatenated, are cut into ``n_tasks`` contiguous ranges with equal numbers of
rows (fewer tasks when each would get fewer than ``MIN_WORK_PER_TASK`` row-feature
updates), one OpenMP task each. A node entirely inside one range is written directly
into its pool slot; a node cut by a range boundary gets partial histograms (at most
two per task: its first and its last node) that are added up afterwards (exact, so
order does not matter). Rows ``PREFETCH_AHEAD`` positions ahead are prefetched (a
deep node's rows are scattered over the data).

Functions
---------
- :func:`build_histograms` ``(bins, gh, idx, nodes, features, all_features, stride,
  scale_g, scale_h, pool, n_tasks=1, min_work=MIN_WORK_PER_TASK, n_threads=1)``:
  writes ``pool[slot]`` of each node; ``features`` (ascending int32) limits the
  build to those features when ``all_features`` is false (the others stay zero).
- :func:`grid_scales` ``(gh, idx) -> (scale_g, scale_h)``.
- :func:`hist_stride` ``(max_bin) -> stride``.

Implementation: Cython (kernels/hist/_build.pxi, compiled into
kernels/gbdt/_grow.pyx with the tree grower that calls it).

Naive reference: tests/naive/hist.py (``naive_histogram``: a loop over rows and
features on the unrounded values); tests: tests/kernels/test_hist.py.
"""

from __future__ import annotations

from fastml.kernels.gbdt._grow import build_histograms, grid_scales

__all__ = [
    "build_histograms",
    "grid_scales",
    "hist_stride",
    "MIN_WORK_PER_TASK",
    "PREFETCH_AHEAD",
]

#: Below this many (row, feature) updates per task a batch uses fewer tasks.
MIN_WORK_PER_TASK = 131072
#: Rows ahead whose bins and gradients are prefetched in the histogram loop.
PREFETCH_AHEAD = 16


def hist_stride(max_bin: int) -> int:
    """Slots per feature in a histogram: ``max_bin + 1`` (value bins and the missing
    bin), padded by 4 slots when that is a multiple of 256, so that the same bin of
    consecutive features does not fall into the same cache set (a 4 KiB stride)."""
    stride = int(max_bin) + 1
    if stride % 256 == 0:
        stride += 4
    return stride
