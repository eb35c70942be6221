"""Forest-specific kernels: sums of leaf rows found by the shared packed walk.

A forest predicts through kernels/tree/predict.py: its trees are packed
(``pack_trees``) with each leaf's own node index as the leaf value, and
``predict_packed`` with ``n_groups = n_trees`` then writes, for each row and tree,
the index of the leaf reached (exact in float64). The kernels here turn those leaf
ids into the forest's outputs:

- :func:`sum_leaf_rows` ``(leaf_idx, value, out)``: ``leaf_idx`` (n_rows, n_trees)
  float64 leaf indices (rows of ``value``); ``value`` (n_nodes, n_values) float64
  leaf vectors (class fractions, regression values); adds, for every row r, the
  leaf rows of all trees in tree order to ``out[r]`` ((n_rows, n_values) float64,
  IN/OUT). Multiclass probabilities.
- :func:`sum_oob_leaf_rows` ``(leaf_idx, value, inbag, out, n_oob)``: the same sum
  restricted to the trees for which the row is out of bag (``inbag[r, t] == 0``,
  ``inbag`` (n_rows, n_trees) uint8, row-major so a row reads one run of flags);
  ``n_oob`` (n_rows,) int64 counts those trees (IN/OUT). Out-of-bag estimates.

Each row is summed by one call in tree order, so results do not depend on how the
rows are split over threads (fastml._parallel.run_chunks).

Naive reference: tests/naive/forest.py (a recursive walk per row and tree, in
Python); tests: tests/kernels/test_forest.py.
"""

from __future__ import annotations

from fastml.kernels._jit import jit

__all__ = ["sum_leaf_rows", "sum_oob_leaf_rows"]


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


@jit
def sum_oob_leaf_rows(leaf_idx, value, inbag, out, n_oob):  # type: ignore[no-untyped-def]
    """Add the leaf rows of the trees for which each row is out of bag to ``out``."""
    n_rows, n_trees = leaf_idx.shape
    n_values = value.shape[1]
    for r in range(n_rows):
        for t in range(n_trees):
            if inbag[r, t] != 0:
                continue
            node = int(leaf_idx[r, t])
            for k in range(n_values):
                out[r, k] += value[node, k]
            n_oob[r] += 1
