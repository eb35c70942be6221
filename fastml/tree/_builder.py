"""Low-level CART build entry for tree ensembles: sort X once, grow many trees.

Ensembles call :func:`build_tree` many times on the same X: a random forest with
bootstrap counts as sample weights (rows of weight 0 are simply absent from the
tree), AdaBoost with reweighted rows, gradient boosting with new regression targets
each round. :func:`prepare_data` converts X to float32 (the precision every fastml
and scikit-learn tree splits on) and sorts every feature once; each
:func:`build_tree` then only filters the sorted lists by weight (O(n_features * n))
and grows the tree on them (kernels/tree/cart.py), never re-sorting X.

Signatures::

    prepared = prepare_data(X)            # X: array (n_samples, n_features), finite
    tree = build_tree(
        prepared,
        y,                                # classification: int class indices
                                          #   0..n_classes-1; regression: float targets
        sample_weight=None,               # float64 (n_samples,) >= 0 or None (ones);
                                          #   class weights already multiplied in
        *,
        n_classes=0,                      # > 0: classification; 0: regression
        criterion="gini",                 # gini | entropy | log_loss | squared_error
                                          #   | friedman_mse | absolute_error | poisson
        splitter="best",                  # best | random
        max_features=None,                # int in [1, n_features] or None (all)
        max_depth=None,                   # int >= 1 or None
        min_samples_split=2,              # int >= 2 (already resolved from a fraction)
        min_samples_leaf=1,               # int >= 1
        min_weight_leaf=0.0,              # absolute weight (fraction * total weight)
        min_impurity_decrease=0.0,
        max_leaf_nodes=None,              # int >= 2 (best-first growth) or None
        seed=0,                           # int in [0, 2**63): feature order, thresholds
    ) -> fastml.tree._structure.Tree

The returned tree has scikit-learn's node arrays (see fastml/tree/_structure.py);
predict many trees at once with fastml.tree._flat (flatten_trees, stack_values,
predict_sum). Same inputs and seed give the same tree; calls on one ``prepared`` may
run concurrently from several Python threads (the kernel releases the GIL and
``prepared`` is read-only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fastml.tree._structure import Tree

__all__ = ["PreparedData", "prepare_data", "build_tree"]

_MAX_DEPTH = np.iinfo(np.int32).max


@dataclass(frozen=True)
class PreparedData:
    """X transposed to float32 (n_features, n_samples) and each feature's sort order
    (int32 row ids by increasing value, ties in row order)."""

    Xt: np.ndarray
    order: np.ndarray

    @property
    def n_samples(self) -> int:
        return int(self.Xt.shape[1])

    @property
    def n_features(self) -> int:
        return int(self.Xt.shape[0])


def prepare_data(X: Any) -> PreparedData:
    """Convert X to float32 and sort every feature once (see the module docstring)."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}.")
    Xt = np.ascontiguousarray(X.T, dtype=np.float32)
    order = _sort_rows(Xt)
    Xt.setflags(write=False)
    order.setflags(write=False)
    return PreparedData(Xt=Xt, order=order)


def _sort_rows(Xt: np.ndarray) -> np.ndarray:
    """Stable argsort of each row of a float32 array (int32), by sorting 64-bit
    keys (order-preserving bits of the value, then the column index): numpy's
    integer sort is several times faster than its stable float argsort."""
    bits = Xt.view(np.uint32)
    sign = bits >> np.uint32(31)
    keys = np.where(sign != 0, ~bits, bits | np.uint32(0x80000000)).astype(np.uint64)
    keys <<= np.uint64(32)
    keys |= np.arange(Xt.shape[1], dtype=np.uint64)
    keys.sort(axis=1)
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.int32)


def _writable(a: Any, dtype: Any) -> np.ndarray:
    """A C-contiguous writable array of dtype (copied if needed): the kernel is
    compiled for writable inputs only, a read-only array would compile another
    specialization."""
    return np.require(a, dtype=dtype, requirements=["C", "W"])


def build_tree(
    prepared: PreparedData,
    y: Any,
    sample_weight: Any = None,
    *,
    n_classes: int = 0,
    criterion: str = "gini",
    splitter: str = "best",
    max_features: int | None = None,
    max_depth: int | None = None,
    min_samples_split: int = 2,
    min_samples_leaf: int = 1,
    min_weight_leaf: float = 0.0,
    min_impurity_decrease: float = 0.0,
    max_leaf_nodes: int | None = None,
    seed: int = 0,
) -> Tree:
    """Grow one CART tree on prepared data (see the module docstring)."""
    from fastml.kernels.tree.cart import CRITERIA, grow_tree

    n_samples = prepared.n_samples
    n_features = prepared.n_features
    if criterion not in CRITERIA:
        raise ValueError(f"Unknown criterion {criterion!r}.")
    is_cls = n_classes > 0
    if is_cls != (CRITERIA[criterion] <= 1):
        raise ValueError(
            f"criterion {criterion!r} does not match n_classes={n_classes}."
        )
    if splitter not in ("best", "random"):
        raise ValueError(f"Unknown splitter {splitter!r}.")
    y_arr = np.asarray(y)
    if y_arr.shape != (n_samples,):
        raise ValueError(f"y must have shape ({n_samples},), got {y_arr.shape}.")
    if is_cls:
        y_cls = _writable(y_arr, np.int64)
        y_reg = np.zeros(1, dtype=np.float64)
    else:
        y_cls = np.zeros(1, dtype=np.int64)
        y_reg = _writable(y_arr, np.float64)
    if sample_weight is None:
        w = np.ones(n_samples, dtype=np.float64)
    else:
        w = _writable(sample_weight, np.float64)
        if w.shape != (n_samples,):
            raise ValueError(
                f"sample_weight must have shape ({n_samples},), got {w.shape}."
            )
    mf = n_features if max_features is None else int(max_features)
    if not 1 <= mf <= n_features:
        raise ValueError(f"max_features must be in [1, {n_features}], got {mf}.")
    out = grow_tree(
        prepared.Xt,
        prepared.order,
        y_cls,
        y_reg,
        w,
        int(n_classes),
        int(CRITERIA[criterion]),
        splitter == "random",
        mf,
        _MAX_DEPTH if max_depth is None else int(max_depth),
        int(min_samples_split),
        int(min_samples_leaf),
        float(min_weight_leaf),
        float(min_impurity_decrease),
        -1 if max_leaf_nodes is None else int(max_leaf_nodes),
        int(seed) & 0x7FFFFFFFFFFFFFFF,
    )
    (
        node_count,
        depth,
        children_left,
        children_right,
        feature,
        threshold,
        impurity,
        n_node_samples,
        weighted_n_node_samples,
        value,
        missing_left,
    ) = out
    return Tree.from_arrays(
        n_features=n_features,
        n_classes=[n_classes] if is_cls else [1],
        children_left=children_left,
        children_right=children_right,
        feature=feature,
        threshold=threshold,
        impurity=impurity,
        n_node_samples=n_node_samples,
        weighted_n_node_samples=weighted_n_node_samples,
        value=value,
        missing_go_to_left=missing_left,
        max_depth=int(depth),
    )
