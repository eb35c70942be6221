"""The regression trees of classic gradient boosting: growing them on data prepared
once per fit, and predicting with all of them through the shared packed kernel.

Growing: every round fits one CART regression tree (squared error) per class column
to the negative gradient, with the caller's sample weights (zero for rows out of the
round's subsample). :class:`TreeGrower` wraps ``fastml.tree``: X is validated and
converted (float32, C order) once by the estimator, then each tree is fitted with
``check_input=False``; the rows' leaves come from the fitted tree (its ``apply``).

Predicting: :class:`PackedEnsemble` flattens the trees once
(``fastml.tree._flat.flatten_trees``: the ``x <= t`` thresholds become ``x <
nextafter(t)``), scales each tree's current leaf values by the learning rate and
re-lays everything with ``pack_trees``; ``predict_packed`` then adds the trees of a
range of rounds to the raw predictions, tree t to column ``t % K`` (stage-major
order), which is the summation order of the reference implementation.
"""

from __future__ import annotations

import numbers
import threading
from math import ceil
from typing import Any

import numpy as np

__all__ = [
    "TreeGrower",
    "PackedEnsemble",
    "PreparedFitter",
    "tree_feature_importances",
]

# Threads only pay off above this many rows and this many (row, tree) walks per
# thread: handing a chunk to a pool thread costs ~0.1 ms on a quiet machine and
# milliseconds on a busy one, about the time of 1e6 walks.
_ROWS_PER_THREAD = 4096
_WALKS_PER_THREAD = 1_000_000


def _regressor_class() -> Any:
    from fastml.tree import DecisionTreeRegressor

    return DecisionTreeRegressor


class TreeGrower:
    """Fits the regression trees of one gradient-boosting fit on a fixed X.

    X is sorted once (``fastml.tree._builder.prepare_data``); each tree is grown by
    ``build_tree`` on the prepared data (the rows of weight 0, out of the round's
    subsample, take no part), pruned when ``ccp_alpha > 0``, and wrapped in a
    fitted :class:`fastml.tree.DecisionTreeRegressor`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32, C-contiguous
        The training rows (never modified).
    params : dict
        CART parameters (max_depth, min_samples_split, min_samples_leaf,
        min_weight_fraction_leaf, min_impurity_decrease, max_features,
        max_leaf_nodes, ccp_alpha), unresolved (fractions allowed).
    tree_class : type, optional
        A regression-tree class with scikit-learn's ``fit`` to use instead of the
        prepared-data path (used by tests to compare the boosting logic alone).
    """

    def __init__(
        self, X: np.ndarray, params: dict[str, Any], tree_class: Any = None
    ) -> None:
        self.X = X
        self.params = params
        self.tree_class = tree_class
        n_samples, n_features = X.shape
        self.n_features = n_features
        if tree_class is None:
            from fastml.tree._builder import prepare_data

            self.prepared = prepare_data(X)
            self.resolved = _resolve(params, n_samples, n_features)

    def grow(
        self, target: np.ndarray, sample_weight: np.ndarray, seed: int
    ) -> tuple[Any, np.ndarray]:
        """Fit one tree to ``target`` (float64 (n,)) with ``sample_weight``.

        Returns
        -------
        tree : fitted regression tree (``tree_`` with scikit-learn's arrays)
        leaf : ndarray of shape (n_samples,), int64
            The node each training row reaches.
        """
        if self.tree_class is not None:
            tree = self.tree_class(
                criterion="squared_error", random_state=seed, **self.params
            )
            tree.fit(self.X, target, sample_weight=sample_weight, check_input=False)
            leaf = np.asarray(tree.tree_.apply(self.X), dtype=np.int64)
            return tree, leaf

        from fastml.tree._builder import build_tree

        r = self.resolved
        structure = build_tree(
            self.prepared,
            target,
            sample_weight,
            n_classes=0,
            criterion="squared_error",
            splitter="best",
            max_features=r["max_features"],
            max_depth=self.params["max_depth"],
            min_samples_split=r["min_samples_split"],
            min_samples_leaf=r["min_samples_leaf"],
            min_weight_leaf=self.params["min_weight_fraction_leaf"]
            * float(np.sum(sample_weight)),
            min_impurity_decrease=self.params["min_impurity_decrease"],
            max_leaf_nodes=self.params["max_leaf_nodes"],
            seed=seed,
        )
        if self.params["ccp_alpha"] > 0.0:
            from fastml.tree._pruning import prune_tree

            structure = prune_tree(structure, self.params["ccp_alpha"])
        tree = _regressor_class()(
            criterion="squared_error", random_state=seed, **self.params
        )
        tree.tree_ = structure
        tree.n_features_in_ = self.n_features
        tree.max_features_ = r["max_features"]
        tree.n_outputs_ = 1
        leaf = np.asarray(structure.apply(self.X), dtype=np.int64)
        return tree, leaf


def _resolve(params: dict[str, Any], n_samples: int, n_features: int) -> dict[str, int]:
    """Integer min_samples_leaf / min_samples_split / max_features (fractions and
    names resolved as the tree estimators resolve them)."""
    leaf = params["min_samples_leaf"]
    if isinstance(leaf, numbers.Integral):
        min_samples_leaf = int(leaf)
    else:
        min_samples_leaf = int(ceil(leaf * n_samples))
    split = params["min_samples_split"]
    if isinstance(split, numbers.Integral):
        min_samples_split = int(split)
    else:
        min_samples_split = max(2, int(ceil(split * n_samples)))
    min_samples_split = max(min_samples_split, 2 * min_samples_leaf)
    mf = params["max_features"]
    if isinstance(mf, str):
        max_features = (
            max(1, int(np.sqrt(n_features)))
            if mf == "sqrt"
            else max(1, int(np.log2(n_features)))
        )
    elif mf is None:
        max_features = n_features
    elif isinstance(mf, numbers.Integral):
        max_features = int(mf)
    else:
        max_features = max(1, int(mf * n_features))
    if not 0 < max_features <= n_features:
        raise ValueError("max_features must be in (0, n_features]")
    return {
        "min_samples_leaf": min_samples_leaf,
        "min_samples_split": min_samples_split,
        "max_features": max_features,
    }


class PackedEnsemble:
    """The trees of a boosting model, stage-major, packed for prediction.

    Parameters
    ----------
    estimators : ndarray of shape (n_stages, K), object
        Fitted regression trees.
    scale : float
        Multiplies every leaf value (the learning rate).
    """

    def __init__(self, estimators: np.ndarray, scale: float) -> None:
        from fastml.kernels.tree.predict import pack_trees
        from fastml.tree._flat import flatten_trees

        trees = [est.tree_ for est in estimators.reshape(-1)]
        self.n_stages, self.K = estimators.shape
        self.flat = flatten_trees(trees)
        values = np.concatenate(
            [np.asarray(t.value, dtype=np.float64).reshape(-1) for t in trees]
        )
        values = scale * values
        self.packed = pack_trees(
            self.flat.feature,
            self.flat.threshold,
            self.flat.default_left,
            self.flat.left,
            self.flat.right,
            np.ascontiguousarray(values),
            self.flat.tree_ptr,
        )

    def add_stages(
        self, X: np.ndarray, out: np.ndarray, start: int, stop: int, n_threads: int = 1
    ) -> None:
        """``out`` (n, K) += the trees of rounds ``[start, stop)``.

        With ``n_threads > 1`` and enough rows, contiguous row chunks run on
        fastml's shared pool of Python threads (the kernel releases the GIL), each
        chunk single-threaded: no OpenMP team, whose barriers degrade badly when
        the cores are shared. Every row is summed in tree order by one call, so
        the result does not depend on ``n_threads``.
        """
        from fastml.kernels.tree.predict import predict_packed

        n_rows = X.shape[0]
        lo_tree, hi_tree = start * self.K, stop * self.K
        n_chunks = min(
            n_threads,
            n_rows // _ROWS_PER_THREAD,
            n_rows * (hi_tree - lo_tree) // _WALKS_PER_THREAD,
        )
        if n_chunks <= 1:
            predict_packed(X, self.packed, self.K, lo_tree, hi_tree, out, 1)
            return
        from fastml._parallel import run_chunks

        def chunk(lo: int, hi: int) -> None:
            predict_packed(
                X[lo:hi], self.packed, self.K, lo_tree, hi_tree, out[lo:hi], 1
            )

        run_chunks(chunk, n_rows, n_chunks)

    def apply(self, X: np.ndarray, n_threads: int = 1) -> np.ndarray:
        """Leaf node ids (the trees' own numbering), shape (n, n_stages * K)."""
        from fastml.kernels.tree.predict import predict_leaf

        n_trees = self.n_stages * self.K
        out = np.empty((X.shape[0], n_trees), dtype=np.int32)
        f = self.flat

        def chunk(lo: int, hi: int) -> None:
            predict_leaf(
                X[lo:hi],
                f.feature,
                f.threshold,
                f.default_left,
                f.left,
                f.right,
                f.tree_ptr,
                n_trees,
                out[lo:hi],
                1,
            )

        n_chunks = min(
            n_threads,
            X.shape[0] // _ROWS_PER_THREAD,
            X.shape[0] * n_trees // _WALKS_PER_THREAD,
        )
        if n_chunks <= 1:
            chunk(0, X.shape[0])
        else:
            from fastml._parallel import run_chunks

            run_chunks(chunk, X.shape[0], n_chunks)
        return out


def tree_feature_importances(tree: Any, n_features: int) -> np.ndarray:
    """Unnormalized impurity decrease per feature of one fitted tree, divided by the
    root's weight (the mean decrease of squared error brought by each feature)."""
    t = tree.tree_
    left = np.asarray(t.children_left)
    right = np.asarray(t.children_right)
    inner = np.flatnonzero(left >= 0)
    w = np.asarray(t.weighted_n_node_samples, dtype=np.float64)
    imp = np.asarray(t.impurity, dtype=np.float64)
    out = np.zeros(n_features, dtype=np.float64)
    if inner.size == 0:
        return out
    gain = (
        w[inner] * imp[inner]
        - w[left[inner]] * imp[left[inner]]
        - w[right[inner]] * imp[right[inner]]
    )
    np.add.at(out, np.asarray(t.feature)[inner], gain)
    return out / w[0]


class PreparedFitter:
    """Fits many fastml trees on the same X (AdaBoost rounds, bagging members),
    sorting X once.

    ``fit(member, X, y, sample_weight)`` fits ``member`` like ``member.fit(X, y,
    sample_weight=sample_weight)``. When ``member`` is a plain fastml tree
    (``DecisionTree*`` / ``ExtraTree*``) and ``X`` is the array given at
    construction, the first such fit goes through the public ``fit`` (all input
    checks) and later ones reuse X sorted once (``fastml.tree._builder.prepare_data``)
    through the tree's prepared-data entry: the same tree, without re-sorting X.
    Any other estimator, or other rows, is fitted normally. Safe to call from
    several threads.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The rows every fast fit uses (never modified).
    """

    def __init__(self, X: np.ndarray) -> None:
        self.X = X
        self._prepared: Any = None
        self._template: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def _is_plain_tree(member: Any) -> bool:
        try:
            from fastml.tree import (
                DecisionTreeClassifier,
                DecisionTreeRegressor,
                ExtraTreeClassifier,
                ExtraTreeRegressor,
            )
        except ImportError:  # pragma: no cover
            return False
        plain = (
            DecisionTreeClassifier,
            DecisionTreeRegressor,
            ExtraTreeClassifier,
            ExtraTreeRegressor,
        )
        return type(member) in plain and hasattr(member, "_fit_prepared")

    def fit(self, member: Any, X: Any, y: Any, sample_weight: np.ndarray | None) -> Any:
        if X is not self.X or not self._is_plain_tree(member):
            if sample_weight is None:
                return member.fit(X, y)
            return member.fit(X, y, sample_weight=sample_weight)
        with self._lock:
            template = self._template
        if template is None:
            member.fit(X, y, sample_weight=sample_weight)
            with self._lock:
                self._template = member
            return member
        with self._lock:
            if self._prepared is None:
                from fastml.tree._builder import prepare_data

                self._prepared = prepare_data(self.X)
            prepared = self._prepared
        member._validate_params()
        member._fit_prepared(prepared, np.asarray(y), sample_weight)
        member.n_features_in_ = template.n_features_in_
        if hasattr(template, "feature_names_in_"):
            member.feature_names_in_ = template.feature_names_in_
        return member
