"""Growth of one histogram gradient-boosting tree in a single compiled call.

Algorithm (XGBoost's "hist" tree method with LightGBM's data partition)
----------------------------------------------------------------------
State: ``idx`` holds the (sampled) row indices grouped by node: node k owns
``idx[begin_k:end_k]``, rows ascending. Splitting a node partitions its range in
place (stable, by blocks through the scratch buffer ``tmp``): rows going left first.
Histograms (kernels/hist/build.py) live in a pool of slots reused within and across
trees: for each split only the child with fewer rows is built; the other child's
histogram is ``parent - child``, computed in the parent's slot (exact: the sums are
integers on the gradient grid). A node that cannot be split any more gives its slot
back at once, so the pool holds at most one histogram per open leaf.

Policies (``lossguide``):

- depthwise (False): all splittable nodes of a level are split together (one
  partition pass, one histogram pass, one split-finding pass per level), in node
  order, until ``max_depth`` (and ``max_leaves`` when > 0);
- lossguide (True): best-first, the open node with the largest gain is split next
  (ties: the lower node id, as XGBoost), until ``max_leaves`` leaves (and
  ``max_depth`` when > 0).

A split is kept when ``gain > gamma`` and ``gain > 1e-6`` (XGBoost's kRtEps); gains
and leaf weights are XGBoost's (kernels/hist/split.py). Leaves get
``learning_rate * w``. Node ids follow creation order: children come after their
parent, siblings are adjacent (right = left + 1).

After growth the leaf values are added to ``raw[:, group]`` for the rows in ``idx``
(the training predictions), and the node arrays describe the tree in the format of
kernels/tree/predict.py, plus ``split_bin`` for binned prediction.

Functions
---------
- :func:`grow_tree` ``(bins, gh, idx, tmp, features, all_features, n_bins,
  cut_values, cut_ptr, missing_bin, stride, params, max_depth, max_leaves,
  lossguide, workspace, raw, group, out_feature, out_split_bin, out_threshold,
  out_default_left, out_left, out_right, out_value, out_gain, out_cover) -> n_nodes``.
  ``idx`` (int32, ascending) holds the rows to grow on (all rows, or a subsample)
  and is partitioned by leaf on return; ``tmp`` is int32 scratch of the same length;
  ``features`` (int32, ascending) are the candidate features (all when
  ``all_features``); ``n_bins`` (int32) value bins per feature; ``cut_values``,
  ``cut_ptr``: thresholds (``t_{b+1}`` of feature f is
  ``cut_values[cut_ptr[f] + b]``, kernels/hist/binning.py); ``params`` (float64):
  reg_lambda, reg_alpha, min_child_weight, max_delta_step, gamma, learning_rate;
  ``max_depth`` <= 0 means unlimited (lossguide only), ``max_leaves`` <= 0 unlimited;
  ``workspace``: a :class:`GrowWorkspace` (histogram pool + thread count); ``raw``
  (n_samples, n_groups) float64 receives the leaf values in column ``group``. The
  ``out_*`` arrays (capacity >= the largest possible node count) receive the tree in
  the format of kernels/tree/predict.py; thresholds -inf/+inf mark splits that
  separate only the missing values.
- :func:`grow_tree_scan` ``(bins, gh, pos, features, all_features, n_bins,
  cut_values, cut_ptr, missing_bin, stride, params, max_depth, max_leaves,
  workspace, raw, group, out_*...) -> n_nodes``: the same depthwise tree, grown
  without a row index: ``pos`` holds each row's node (0 at the start for the rows the
  tree learns from, -1 for rows that only receive its predictions, i.e. rows left
  out by subsampling). Each level is ONE sequential scan of all rows (thread
  ranges): a row's split-feature bin routes it to a child, and the rows landing in
  the small child of their node are added to that child's histogram (per-thread
  partial histograms, then added: exact). Deep levels of the index-based grower
  fetch every row at a random place (a cache miss per row) twice (partition, then
  histogram); here rows are read in memory order once per level, and no index or
  partition buffer is needed. Trees are bit-identical to :func:`grow_tree`'s
  (tests/kernels/test_grow.py); the estimators use it for depthwise trees whose
  per-thread histograms fit the memory budget, :func:`grow_tree` otherwise.
- :func:`partition_rows` ``(bins, idx, splits, missing_bin, n_threads=1) ->
  n_left``: the stable in-place partition (``splits`` rows: begin, end, feature,
  split_bin, default_left).
- :func:`predict_tree_binned` ``(bins, rows, feature, split_bin, default_left, left,
  right, value, missing_bin, raw, group, n_threads=1)``: one tree's leaf values
  added to ``raw[rows, group]`` from binned rows (training rows left out by
  subsampling, eval sets).

Parallelism: OpenMP threads (``GrowWorkspace.n_threads``) over histogram row ranges
(or, for wide data, blocks of at least 64 features per thread: kernels/hist/_build.pxi),
(node, feature) split scans, partition blocks and leaf blocks. Every result is
independent of the thread count: histogram sums are exact, the partition is
stable, choices among nodes and features are made serially in a fixed order.

Implementation: Cython (kernels/gbdt/_grow.pyx: pool, workspace, index grower and
entry points; kernels/gbdt/_partition.pxi: partition and the fused level pass;
kernels/gbdt/_scan.pxi: the row-scan grower; kernels/hist/_build.pxi and
_split.pxi), compiled ahead of time: a first fit compiles nothing. (A Numba
version needed ~40 s of JIT compilation for the grower alone: every helper is a
separately compiled and re-linked function, and every ``prange`` ~0.5 s.)

Naive reference: tests/naive/hist.py (``naive_grow_tree``: recursive growth with
brute-force splits from per-row sums); tests: tests/kernels/test_grow.py.
"""

from fastml.kernels.gbdt._grow import (
    GrowWorkspace,
    fill_arange,
    grow_tree,
    grow_tree_scan,
    partition_rows,
    predict_tree_binned,
    store_gradients,
)

__all__ = [
    "GrowWorkspace",
    "fill_arange",
    "grow_tree",
    "grow_tree_scan",
    "partition_rows",
    "predict_tree_binned",
    "store_gradients",
    "GROW_PARAM_GAMMA",
    "GROW_PARAM_LEARNING_RATE",
    "N_GROW_PARAMS",
]

# ``params`` of grow_tree: the four split parameters of kernels/hist/split.py
# (reg_lambda, reg_alpha, min_child_weight, max_delta_step), then these.
GROW_PARAM_GAMMA = 4
GROW_PARAM_LEARNING_RATE = 5
N_GROW_PARAMS = 6
