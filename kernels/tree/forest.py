"""Forest-specific kernels: out-of-bag sums and a vector-valued walk over many trees.

Tree layout (built by fastml/ensemble/_forest.py from the fitted ``Tree`` arrays, so
it needs nothing beyond the tree contract): one entry per node over all trees,

- ``feature`` int64: split feature, negative at a leaf;
- ``threshold`` float64: a row goes LEFT iff ``x[feature] <= threshold`` (the
  ``Tree`` convention, unchanged; a NaN compares false and goes right);
- ``left``, ``right`` int64: children as indices *relative to the tree's first node*;
- ``value`` float64 of shape (n_nodes, n_values): the vector each leaf contributes
  (class fractions of a classification tree, the mean of a regression tree);
- ``tree_ptr`` int64 of length n_trees + 1: tree t owns nodes
  ``[tree_ptr[t], tree_ptr[t + 1])``, its root first.

Kernels
-------
- :func:`accumulate_oob` ``(X, feature, threshold, left, right, value, tree_ptr,
  inbag, start, stop, out, n_oob)``: for every row r in ``[start, stop)`` and every
  tree t in order with ``inbag[r, t] == 0`` (r out of bag for t), add the leaf
  vector of r in t to ``out[r]`` and 1 to ``n_oob[r]``. ``X`` (n_rows, n_features)
  float32 or float64 C-contiguous; ``inbag`` (n_rows, n_trees) uint8 (row-major so a
  row reads one cache line of flags); ``out`` (n_rows, n_values) float64 and
  ``n_oob`` (n_rows,) int64 are added to (IN/OUT). Each row is summed by one call in
  tree order, so results do not depend on how rows are split over threads
  (fastml._parallel.run_chunks).
- :func:`accumulate_values` ``(X, feature, threshold, left, right, value, tree_ptr,
  start, stop, out)``: the same sum over all trees (the forest's raw prediction),
  rows ``[start, stop)`` in blocks of 64 rows that walk one tree after the other
  (a tree's top nodes stay in cache across the block).

Naive reference: tests/naive/forest.py (one recursive walk per row and tree, in
Python); tests: tests/kernels/test_forest.py.
"""

from __future__ import annotations

from fastml.kernels._jit import jit

__all__ = ["accumulate_oob", "accumulate_values"]

_BLOCK_ROWS = 64


@jit(inline="always")
def _leaf(x, feature, threshold, left, right, base):  # type: ignore[no-untyped-def]
    node = base
    f = feature[node]
    while f >= 0:
        if x[f] <= threshold[node]:
            node = base + left[node]
        else:
            node = base + right[node]
        f = feature[node]
    return node


@jit
def accumulate_oob(  # type: ignore[no-untyped-def]
    X, feature, threshold, left, right, value, tree_ptr, inbag, start, stop, out, n_oob
):
    """Add each row's out-of-bag leaf vectors to ``out`` (see the module doc)."""
    n_trees = tree_ptr.shape[0] - 1
    n_values = value.shape[1]
    for r in range(start, stop):
        x = X[r]
        for t in range(n_trees):
            if inbag[r, t] != 0:
                continue
            node = _leaf(x, feature, threshold, left, right, tree_ptr[t])
            for k in range(n_values):
                out[r, k] += value[node, k]
            n_oob[r] += 1


@jit
def accumulate_values(  # type: ignore[no-untyped-def]
    X, feature, threshold, left, right, value, tree_ptr, start, stop, out
):
    """Add every tree's leaf vector to ``out`` for rows ``[start, stop)``."""
    n_trees = tree_ptr.shape[0] - 1
    n_values = value.shape[1]
    for lo in range(start, stop, _BLOCK_ROWS):
        hi = min(lo + _BLOCK_ROWS, stop)
        for t in range(n_trees):
            base = tree_ptr[t]
            for r in range(lo, hi):
                node = _leaf(X[r], feature, threshold, left, right, base)
                for k in range(n_values):
                    out[r, k] += value[node, k]
