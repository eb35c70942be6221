"""Conversion of fitted CART trees to the flat arrays of the shared prediction kernel.

Every tree model of fastml (decision trees, forests, bagging of trees, AdaBoost,
classic gradient boosting) predicts through the Cython kernel
:func:`fastml.kernels.tree.predict.predict_values` on the flat layout documented in
kernels/tree/predict.py: per node ``feature`` int32 (-1 at leaves), ``threshold``
float64 where a row goes left iff ``x < threshold``, children relative to the tree's
first node, ``tree_ptr`` delimiting the trees. A :class:`~fastml.tree._structure.Tree`
sends a row left iff ``x <= threshold``; the flat threshold is
``np.nextafter(threshold, inf)``, for which ``x < t'`` iff ``x <= t`` for every
float64 (hence float32) ``x``: the same decisions.

Leaf values are *not* copied into :class:`FlatTrees`: :func:`stack_values` reads the
trees' ``value`` arrays at call time, so values rewritten after fit (gradient
boosting's leaf updates) are always the ones used.

Typical use (a forest averaging class fractions)::

    flat = flatten_trees([est.tree_ for est in estimators])     # once per model
    proba = predict_sum(flat, X32, stack_values(trees)) / len(trees)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from fastml.tree._structure import Tree

__all__ = ["FlatTrees", "flatten_trees", "stack_values", "predict_sum", "apply_trees"]


@dataclass
class FlatTrees:
    """One or many trees in the flat layout of kernels/tree/predict.py.

    Attributes
    ----------
    feature : ndarray of shape (n_nodes,), int32
        Split feature, -1 at leaves.
    threshold : ndarray of shape (n_nodes,), float64
        ``nextafter(tree threshold, inf)`` (``x < threshold`` goes left).
    default_left : ndarray of shape (n_nodes,), uint8
        Where a NaN goes (1: left).
    left, right : ndarray of shape (n_nodes,), int32
        Children relative to the tree's first node, -1 at leaves.
    tree_ptr : ndarray of shape (n_trees + 1,), int64
        Tree t owns the nodes ``[tree_ptr[t], tree_ptr[t + 1])``.
    n_features : int
        Number of features the trees were fitted on.
    """

    feature: np.ndarray
    threshold: np.ndarray
    default_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    tree_ptr: np.ndarray
    n_features: int

    @property
    def n_trees(self) -> int:
        return int(self.tree_ptr.shape[0] - 1)


def flatten_trees(trees: list[Tree]) -> FlatTrees:
    """Concatenate the node arrays of ``trees`` into a :class:`FlatTrees`."""
    if len(trees) == 0:
        raise ValueError("flatten_trees needs at least one tree.")
    counts = np.array([t.node_count for t in trees], dtype=np.int64)
    tree_ptr = np.zeros(len(trees) + 1, dtype=np.int64)
    np.cumsum(counts, out=tree_ptr[1:])
    feature = np.concatenate([t.feature for t in trees]).astype(np.int32)
    feature[feature < 0] = -1
    threshold = np.nextafter(
        np.concatenate([t.threshold for t in trees]).astype(np.float64), np.inf
    )
    default_left = np.concatenate(
        [
            t.missing_go_to_left
            if t.missing_go_to_left is not None
            else np.zeros(t.node_count, dtype=np.uint8)
            for t in trees
        ]
    ).astype(np.uint8)
    left = np.concatenate([t.children_left for t in trees]).astype(np.int32)
    right = np.concatenate([t.children_right for t in trees]).astype(np.int32)
    return FlatTrees(
        feature=feature,
        threshold=threshold,
        default_left=default_left,
        left=left,
        right=right,
        tree_ptr=tree_ptr,
        n_features=int(trees[0].n_features),
    )


def stack_values(trees: list[Tree]) -> np.ndarray:
    """The trees' current ``value`` arrays as one C-contiguous float64 array of
    shape (n_nodes, n_values) (read now: never a stale copy)."""
    rows = [
        np.asarray(t.value, dtype=np.float64).reshape(t.node_count, -1) for t in trees
    ]
    if len(rows) == 1:
        return np.ascontiguousarray(rows[0])
    return np.ascontiguousarray(np.concatenate(rows, axis=0))


def predict_sum(
    flat: FlatTrees,
    X: np.ndarray,
    values: np.ndarray,
    *,
    tree_start: int = 0,
    tree_stop: int | None = None,
    n_threads: int = 1,
) -> np.ndarray:
    """Sum over trees ``[tree_start, tree_stop)`` of the leaf rows of ``values``
    reached by each row of ``X`` (float32 or float64, C-contiguous).

    Returns ndarray of shape (n_samples, n_values), float64.
    """
    from fastml.kernels.tree.predict import predict_values

    stop = flat.n_trees if tree_stop is None else int(tree_stop)
    values = np.ascontiguousarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    out = np.zeros((X.shape[0], values.shape[1]), dtype=np.float64)
    predict_values(
        X,
        flat.feature,
        flat.threshold,
        flat.default_left,
        flat.left,
        flat.right,
        values,
        flat.tree_ptr,
        int(tree_start),
        stop,
        out,
        int(n_threads),
    )
    return out


def apply_trees(flat: FlatTrees, X: np.ndarray, *, n_threads: int = 1) -> np.ndarray:
    """Leaf id (a node id of its own tree) reached by each row in each tree.

    Returns ndarray of shape (n_samples, n_trees), int64.
    """
    from fastml.kernels.tree.predict import predict_leaf

    out = np.zeros((X.shape[0], flat.n_trees), dtype=np.int32)
    predict_leaf(
        X,
        flat.feature,
        flat.threshold,
        flat.default_left,
        flat.left,
        flat.right,
        flat.tree_ptr,
        flat.n_trees,
        out,
        int(n_threads),
    )
    return out.astype(np.int64)
