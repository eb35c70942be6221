"""Best split of tree nodes from their gradient/hessian histograms (XGBoost's gain).

The formulation (Chen & Guestrin, "XGBoost", KDD 2016, eq. 5-7, as XGBoost computes
it; see /work/gbdt_design.md). For a node with gradient sum G and hessian sum H,
lambda = reg_lambda, alpha = reg_alpha:

- ``T(G) = sign(G) * max(|G| - alpha, 0)`` (L1 soft-thresholding);
- leaf weight ``w = -T(G) / (H + lambda)``, clipped to ``[-max_delta_step,
  max_delta_step]`` when ``max_delta_step > 0``; 0 when ``H <= 0``;
- similarity ``S(G, H) = T(G)**2 / (H + lambda)``; with ``max_delta_step > 0`` it is
  computed from the clipped weight, ``-(2 G w + (H + lambda) w**2) + alpha |w|``
  (XGBoost's CalcGain); 0 when ``H < min_child_weight`` or ``H <= 0``;
- ``gain = S(left) + S(right) - S(parent)``. This is twice the loss reduction of the
  paper's eq. 7 (the factor 1/2 is dropped, as XGBoost does for its ``loss_chg``,
  and gamma is compared with this doubled quantity, as in XGBoost).

A candidate is valid when both children have ``H >= min_child_weight`` and ``H > 0``.
Whether a split is *kept* (``gain > gamma`` and ``gain > 1e-6``, XGBoost's kRtEps)
is decided by the tree grower.

Candidates. Feature f has ``n_bins[f]`` value bins (``0 .. n_bins[f] - 1``; thresholds
``t_1 < ... < t_{n_bins - 1}``) and the missing bin. Split "bin <= b goes left" has
threshold ``t_{b+1}``. Two passes, as XGBoost's hist evaluator:

1. forward, missing values right (``default_left = 0``): b = 0 .. n_bins - 1 (b =
   n_bins - 1 puts every non-missing row left, the missing ones right);
2. only when the node has missing values for f: backward, missing values left
   (``default_left = 1``): left = parent - (bins > b), b = n_bins - 2 .. -1 (b = -1
   sends only the missing rows left).

The best candidate has the largest gain; ties keep the first one found (lower
feature, then forward before backward, then scan order). Each (node, feature) pair is
scanned independently (in parallel when ``n_threads > 1``), then each node keeps its
best pair in feature order, so results do not depend on the thread count.

Functions
---------
- :func:`find_best_splits` ``(pool, node_slot, node_gq, node_hq, features, n_bins,
  stride, missing_bin, inv_sg, inv_sh, params, n_threads=1)`` returns per node
  ``gain`` (-inf: no valid candidate), ``feature`` (-1), ``split_bin`` (rows with
  bin <= it go left; -1: only the missing rows; -2: none), ``default_left``,
  ``gq_left``, ``hq_left`` (the left child's grid sums). ``node_gq``/``node_hq`` are
  the nodes' grid sums, ``inv_sg``/``inv_sh`` the inverse grid scales
  (kernels/hist/build.py), ``params`` = (reg_lambda, reg_alpha, min_child_weight,
  max_delta_step).
- :func:`leaf_weight` ``(g, h, params)`` and :func:`similarity` ``(g, h, params)``.

Implementation: Cython (kernels/hist/_split.pxi, compiled into
kernels/gbdt/_grow.pyx).

Naive reference: tests/naive/hist.py (``naive_best_split``: brute force over every
feature, bin and direction from per-row sums); tests: tests/kernels/test_hist.py.
"""

from fastml.kernels.gbdt._grow import find_best_splits, leaf_weight, similarity

__all__ = [
    "find_best_splits",
    "leaf_weight",
    "similarity",
    "PARAM_LAMBDA",
    "PARAM_ALPHA",
    "PARAM_MIN_CHILD_WEIGHT",
    "PARAM_MAX_DELTA_STEP",
    "N_PARAMS",
    "KEEP_EPS",
]

# Positions in the ``params`` float64 array.
PARAM_LAMBDA = 0
PARAM_ALPHA = 1
PARAM_MIN_CHILD_WEIGHT = 2
PARAM_MAX_DELTA_STEP = 3
N_PARAMS = 4

#: A split is kept only when its gain exceeds gamma and this (XGBoost's kRtEps).
KEEP_EPS = 1e-6
