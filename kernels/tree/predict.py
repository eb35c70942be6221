"""Prediction over flat tree arrays (gradient boosting now, CART and forests later).

Tree storage (the format of /work/gbdt_design.md, shared by every tree model)
--------------------------------------------------------------------------------
All trees of a model live in flat arrays with one entry per node over all trees:

- ``feature`` int32: split feature, -1 for a leaf;
- ``threshold`` float64: a row goes left iff ``x[feature] < threshold``;
- ``default_left`` uint8: where a NaN goes (1: left, 0: right);
- ``left``, ``right`` int32: children, as indices *relative to the tree's first
  node* (-1 for a leaf); in every tree written by fastml a child's index is larger
  than its parent's (so a walk always ends);
- ``value`` float64: leaf output (already shrunk by the learning rate), 0 inside;
- ``tree_ptr`` int64 of length n_trees + 1: tree t owns the nodes
  ``[tree_ptr[t], tree_ptr[t + 1])``, its root first.

Tree t adds its leaf value to output column ``t % n_groups`` (one column per class
for multiclass boosting); the raw prediction is the caller's initial value (the base
margin) plus the sum of the leaves reached.

Kernels
-------
- :func:`predict_raw`: raw predictions from feature values (float32 or float64).
- :func:`predict_values`: vector-valued leaves (``value`` of shape (n_nodes,
  n_values): class fractions, regression outputs): each output row is the sum over
  trees, in tree order, of the leaf rows reached. Every CART model (fastml.tree,
  forests, bagging, AdaBoost, classic gradient boosting) predicts through it; their
  trees are converted to flat arrays by fastml.tree._flat.flatten_trees.
- :func:`predict_leaf`: the leaf each row reaches in each tree.
- :func:`apply_tree`: the leaf (int64 node id) each row reaches in one tree, with a
  serial loop for ``n_threads=1`` (single decision trees).
- :func:`pack_trees` / :func:`predict_packed`: the estimators' fast path. The flat
  trees are re-laid once (breadth-first, children adjacent, 16-byte node records,
  leaves looping on themselves with threshold +inf) so that each block of rows walks
  each tree level by level for exactly the tree's depth, branch-free. For float32
  input on a CPU with AVX2 (runtime check), 8 rows walk together with gathers, the
  top three levels (when complete) without gathers from a feature-major copy of the
  block, and thresholds rounded up to float32 (for float32 ``x``, ``x < t`` iff
  ``x < ceil32(t)``: identical decisions). Results are bit-identical to
  :func:`predict_raw` (tests/kernels/test_tree_predict.py).
- (binned prediction while training: kernels/gbdt/grow.py ``predict_tree_binned``.)

Both take ``n_threads`` (default 1, OpenMP threads). :func:`predict_raw` *adds* to
``out``; it is parallel over blocks of ``SMALL_BATCH`` rows, each block walking the
trees one after the other (a tree's nodes stay in cache for the block); every output
entry is summed over trees in tree order by one thread, so results do not depend on
the thread count. Inputs of at most ``SMALL_BATCH`` rows run serially without
starting threads (single-row latency).

Implementation: Cython (kernels/tree/_predict.pyx), compiled ahead of time: no JIT
compilation on the first call, and a call costs a few microseconds (the Numba
version of this kernel took ~3 s to compile and ~10 us per call to dispatch).

Naive reference: tests/naive/tree.py (a recursive walk per row and tree); tests:
tests/kernels/test_tree_predict.py.
"""

from fastml.kernels.tree._predict import (
    PACKED_NODE_DTYPE,
    SMALL_BATCH,
    apply_tree,
    pack_trees,
    predict_leaf,
    predict_packed,
    predict_raw,
    predict_values,
    simd_available,
)

__all__ = [
    "apply_tree",
    "predict_raw",
    "predict_values",
    "predict_leaf",
    "pack_trees",
    "predict_packed",
    "simd_available",
    "PACKED_NODE_DTYPE",
    "SMALL_BATCH",
]
