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
- :func:`sum_leaf_rows` ``(leaf_idx, value, out)``: ``leaf_idx`` (n_rows, n_trees)
  float64 holds, for each row and tree, the index (into ``value``'s rows) of the
  leaf reached, as produced by the shared packed walk
  (kernels/tree/predict.py ``predict_packed`` with ``n_groups = n_trees`` on trees
  packed with their own node indices as leaf values); adds the leaf rows to
  ``out`` (n_rows, n_values) float64, each row summed in tree order. This is how a
  forest with vector-valued leaves (multiclass probabilities) predicts through the
  fast branch-free walk.

Naive reference: tests/naive/forest.py (one recursive walk per row and tree, in
Python); tests: tests/kernels/test_forest.py.
"""

from __future__ import annotations

from fastml.kernels._jit import jit

__all__ = ["accumulate_oob", "sum_leaf_rows"]


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
def sum_leaf_rows(leaf_idx, value, out):  # type: ignore[no-untyped-def]
    """Add ``value[leaf_idx[r, t]]`` over t (in order) to ``out[r]`` for every row r."""
    n_rows, n_trees = leaf_idx.shape
    n_values = value.shape[1]
    for r in range(n_rows):
        for t in range(n_trees):
            node = int(leaf_idx[r, t])
            for k in range(n_values):
                out[r, k] += value[node, k]
