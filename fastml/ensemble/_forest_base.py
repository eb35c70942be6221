"""The machinery of the forest estimators (fit, bootstrap, out-of-bag estimates,
prediction through the shared packed tree walk); the public classes and the overview
are in fastml/ensemble/_forest.py."""

from __future__ import annotations

import itertools
import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml._parallel import run_chunks
from fastml.base import BaseEstimator, ClassifierMixin, RegressorMixin
from fastml.ensemble._forest_params import (
    MAX_SEED,
    class_weight_vector,
    draw_bootstrap,
    n_bootstrap_samples,
    resolve_max_features,
    subsample_class_weights,
    validate_forest_params,
)
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["_ForestClassifier", "_ForestRegressor"]

_logger = logging.getLogger("fastml.ensemble")

# Tree hyper-parameters a forest passes on to each of its trees.
_TREE_PARAMS = (
    "criterion",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "max_leaf_nodes",
    "min_impurity_decrease",
    "ccp_alpha",
)


def _tree_class(classifier: bool, extra: bool) -> type:
    from fastml import tree

    if classifier:
        return tree.ExtraTreeClassifier if extra else tree.DecisionTreeClassifier
    return tree.ExtraTreeRegressor if extra else tree.DecisionTreeRegressor


def _as_fractions(values: np.ndarray) -> np.ndarray:
    """Leaf rows scaled to sum to 1 (class fractions; all-zero rows kept)."""
    total = values.sum(axis=1, keepdims=True)
    total[total == 0.0] = 1.0
    return np.ascontiguousarray(values / total)


class _PredictCache:
    """A fitted forest's trees laid out for prediction, made once per fitted forest
    (at the end of fit, on unpickling, and again when warm_start adds trees).

    ``flat``: the trees' flat arrays (fastml.tree._flat.flatten_trees); ``values``:
    their leaf vectors (n_nodes, n_values), class fractions for classifiers;
    ``packed``: the trees packed for the shared kernel's branch-free walk
    (kernels/tree/predict.py pack_trees), with the one number per leaf that
    determines the prediction when there is one (regression; the class-1 fraction
    of a binary classifier, class 0 being its complement), else (three classes or
    more) with each leaf's node index, so that the walk yields leaf ids
    (``by_leaf``)."""

    def __init__(self, trees: list[Any], classifier: bool) -> None:
        from fastml.tree._flat import flatten_trees, stack_values

        values = stack_values(trees)
        self.values = _as_fractions(values) if classifier else values
        self.flat = flatten_trees(trees)
        self.n_trees = len(trees)
        self.tree_groups = _tree_groups(self.flat.tree_ptr)
        self.by_leaf = self.values.shape[1] > 2
        self.packed = self._pack(
            np.arange(self.values.shape[0], dtype=np.float64)
            if self.by_leaf
            else np.ascontiguousarray(self.values[:, -1])
        )

    def _pack(self, leaf_values: np.ndarray) -> dict[str, Any]:
        from fastml.kernels.tree.predict import pack_trees

        f = self.flat
        packed: dict[str, Any] = pack_trees(
            f.feature,
            f.threshold,
            f.default_left,
            f.left,
            f.right,
            leaf_values,
            f.tree_ptr,
        )
        return packed

    def index_packed(self) -> dict[str, Any]:
        """The trees packed with node indices as leaf values (the leaf-id walk)."""
        if self.by_leaf:
            return self.packed
        return self._pack(np.arange(self.values.shape[0], dtype=np.float64))


# Trees walked together over a chunk of rows: about 2 MB of packed nodes, so that
# their top levels stay in cache from one 128-row block to the next (all the trees of
# a 100-tree forest at once do not fit: measured 2-3 x slower); rows in chunks of
# 8192 (640 kB of float32 X at 20 features).
_GROUP_NODES = 131_072
_CHUNK_ROWS = 8192


def _tree_groups(tree_ptr: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive tree ranges of at most ``_GROUP_NODES`` nodes (>= 1 tree each)."""
    groups = []
    start = 0
    n_trees = tree_ptr.shape[0] - 1
    for t in range(1, n_trees + 1):
        if tree_ptr[t] - tree_ptr[start] > _GROUP_NODES and t - 1 > start:
            groups.append((start, t - 1))
            start = t - 1
    groups.append((start, n_trees))
    return groups


def _run_dynamic(n_items: int, n_threads: int, func: Callable[[int], None]) -> None:
    """Call ``func(i)`` for every i in ``[0, n_items)`` on the shared thread pool,
    each thread taking the next item from a shared counter (robust to a core busy
    with another process); ``func`` must be safe to run concurrently on different
    items, and each item's result must not depend on the thread that runs it."""
    n_threads = max(1, min(int(n_threads), n_items))
    if n_threads == 1:
        for i in range(n_items):
            func(i)
        return
    counter = itertools.count()
    lock = threading.Lock()

    def work(start: int, stop: int) -> None:
        while True:
            with lock:
                i = next(counter)
            if i >= n_items:
                return
            func(i)

    run_chunks(work, n_threads, n_threads)


def _leaf_blocks(
    X: np.ndarray,
    packed: dict[str, Any],
    tree_groups: list[tuple[int, int]],
    n_threads: int,
    consume: Callable[[int, int, np.ndarray], None],
) -> None:
    """Walk every row of X through every tree with the shared packed kernel and
    hand the leaf ids of rows ``[a, b)`` (a (b - a, n_trees) float64 buffer of
    ~2 MB at most; a multiple of the kernel's 128-row SIMD block) to
    ``consume(a, b, leaf_ids)``; the row ranges run on the thread pool, each one
    walking one group of trees after the other."""
    from fastml.kernels.tree.predict import SMALL_BATCH, predict_packed

    n_samples = X.shape[0]
    n_trees = tree_groups[-1][1]
    step = int(SMALL_BATCH) * max(1, 2048 // max(1, n_trees))

    def item(i: int) -> None:
        a, b = i * step, min((i + 1) * step, n_samples)
        buf = np.zeros((b - a, n_trees))
        for g0, g1 in tree_groups:
            predict_packed(X[a:b], packed, n_trees, g0, g1, buf, 1)
        consume(a, b, buf)

    _run_dynamic((n_samples + step - 1) // step, n_threads, item)


class _BaseForest(BaseEstimator):
    """Fit, bootstrap, out-of-bag estimates, apply and the flat-tree cache."""

    _classifier = False
    _extra_trees = False

    # Set by the concrete classes' __init__.
    n_estimators: int
    criterion: str
    max_depth: int | None
    min_samples_split: int | float
    min_samples_leaf: int | float
    min_weight_fraction_leaf: float
    max_features: Any
    max_leaf_nodes: int | None
    min_impurity_decrease: float
    bootstrap: bool
    oob_score: bool | Callable[..., float]
    n_jobs: int | None
    random_state: Any
    verbose: int
    warm_start: bool
    ccp_alpha: float
    max_samples: int | float | None

    estimators_: list[Any]
    n_features_in_: int
    n_classes_: int  # classifiers only
    _flat_cache: Any

    @classmethod
    def _test_instance(cls) -> _BaseForest:
        # scikit-learn's estimator checks: a small forest keeps them fast.
        return cls(n_estimators=5)  # type: ignore[call-arg]

    def __sklearn_is_fitted__(self) -> bool:
        return bool(getattr(self, "estimators_", None))

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_flat_cache", None)  # rebuilt on load
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if getattr(self, "estimators_", None):
            self._predict_cache()

    # ------------------------------------------------------------------ fit
    def _tree_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _TREE_PARAMS}

    def _encode_y(
        self, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(y as the trees see it, class weights per row or None)."""
        raise NotImplementedError

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _BaseForest:
        """Build a forest of trees from the training set (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples (converted to float32).
        y : array-like of shape (n_samples,)
            Class labels (classification) or real targets (regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights. With ``bootstrap=True`` rows are drawn with
            probability proportional to their weight (times their class weight);
            otherwise each tree is fitted with these weights.

        Returns
        -------
        self : object
            The fitted forest.
        """
        validate_forest_params(self, classifier=self._classifier)
        X, y = validate_data(
            self,
            X,
            y,
            dtype=np.float32,
            y_numeric=not self._classifier,
        )
        n_samples, n_features = X.shape
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, n_samples)
        y_tree, class_row_weight = self._encode_y(y, sample_weight)
        if sample_weight is None:
            draw_weight = class_row_weight
        elif class_row_weight is None:
            draw_weight = sample_weight
        else:
            draw_weight = sample_weight * class_row_weight
        if draw_weight is not None and not np.any(draw_weight > 0):
            raise ValueError(
                "Sample weights must contain at least one non-zero number."
            )

        if not self.bootstrap and self.max_samples is not None:
            raise ValueError(
                "`max_sample` cannot be set if `bootstrap=False`. Either switch to "
                "`bootstrap=True` or set `max_sample=None`."
            )
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        n_draws = (
            n_bootstrap_samples(n_samples, self.max_samples, draw_weight)
            if self.bootstrap
            else None
        )
        resolve_max_features(self.max_features, n_features)  # clear error up front

        rng = check_random_state(self.random_state)
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_ = []
            self._seeds = np.zeros(0, dtype=np.int64)
        n_more = self.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True"
            )
        self._n_samples = n_samples
        self._n_samples_bootstrap = n_draws
        self._draw_weight = draw_weight
        if n_more == 0:
            warnings.warn(
                "Warm-start fitting without increasing n_estimators does not fit new "
                "trees.",
                UserWarning,
                stacklevel=2,
            )
        else:
            if self.estimators_:
                # The seeds the existing trees would have had in a one-shot fit.
                rng.randint(MAX_SEED, size=len(self.estimators_))
            seeds = rng.randint(MAX_SEED, size=n_more).astype(np.int64)
            trees = self._grow(X, y_tree, sample_weight, draw_weight, seeds)
            self.estimators_.extend(trees)
            self._seeds = np.concatenate([self._seeds, seeds])
        # Flattened now, not in predict: prediction leaves the estimator unchanged.
        self._flat_cache = None
        self._predict_cache()

        if self.oob_score and (n_more > 0 or not hasattr(self, "oob_score_")):
            self._set_oob(X, y, y_tree)
        return self

    def _tree_weight(
        self,
        seed: int,
        y_tree: np.ndarray,
        sample_weight: np.ndarray | None,
        draw_weight: np.ndarray | None,
    ) -> np.ndarray | None:
        """The sample weights tree ``seed`` is fitted with."""
        n_samples = y_tree.shape[0]
        if not self.bootstrap:
            return draw_weight
        assert self._n_samples_bootstrap is not None
        idx = draw_bootstrap(seed, n_samples, self._n_samples_bootstrap, draw_weight)
        weight = np.bincount(idx, minlength=n_samples).astype(np.float64)
        if getattr(self, "class_weight", None) == "balanced_subsample":
            weight *= subsample_class_weights(
                y_tree.astype(np.int64), idx, self.n_classes_
            )
        return weight

    def _resolved_tree_params(self, n_samples: int, n_features: int) -> dict[str, Any]:
        """The trees' size limits as absolute numbers (scikit-learn's rules: a float
        min_samples_* is a fraction of all rows, rounded up)."""
        msl = self.min_samples_leaf
        if not isinstance(msl, (int, np.integer)):
            msl = int(np.ceil(msl * n_samples))
        mss = self.min_samples_split
        if not isinstance(mss, (int, np.integer)):
            mss = max(2, int(np.ceil(mss * n_samples)))
        mss = max(int(mss), 2 * int(msl))
        return {
            "criterion": "entropy" if self.criterion == "log_loss" else self.criterion,
            "splitter": "random" if self._extra_trees else "best",
            "max_features": resolve_max_features(self.max_features, n_features),
            "max_depth": self.max_depth,
            "min_samples_split": mss,
            "min_samples_leaf": int(msl),
            "min_impurity_decrease": float(self.min_impurity_decrease),
            "max_leaf_nodes": self.max_leaf_nodes,
        }

    def _tree_maker(
        self, X: np.ndarray, y_tree: np.ndarray
    ) -> Callable[[int, np.ndarray | None], Any]:
        """``make(seed, sample_weight) -> fitted tree estimator``.

        X is sorted once (fastml.tree's low-level entry, prepare_data) and every
        tree is grown on the sorted lists with its own weights (build_tree); the
        tree is then wrapped in the tree estimator class (what ``estimators_``
        holds), and pruned when ``ccp_alpha > 0``. The tree's own seed is derived
        from its ``random_state`` as the tree estimator derives it, so refitting
        ``estimators_[i]`` on the same rows and weights gives the same tree.
        """
        tree_cls = _tree_class(self._classifier, self._extra_trees)
        n_samples, n_features = X.shape
        from fastml.tree._builder import build_tree, prepare_data
        from fastml.tree._pruning import prune_tree

        prepared = prepare_data(X)
        resolved = self._resolved_tree_params(n_samples, n_features)
        ccp_alpha = float(self.ccp_alpha)
        n_classes = self.n_classes_ if self._classifier else 0
        y_build = y_tree.astype(np.int64) if self._classifier else y_tree
        fraction = float(self.min_weight_fraction_leaf)
        params = self._tree_params()
        classes = np.arange(n_classes, dtype=np.float64)

        def make(seed: int, weight: np.ndarray | None) -> Any:
            total = float(n_samples if weight is None else weight.sum())
            tree_seed = int(np.random.RandomState(seed).randint(0, MAX_SEED))
            tree = build_tree(
                prepared,
                y_build,
                weight,
                n_classes=n_classes,
                min_weight_leaf=fraction * total,
                seed=tree_seed,
                **resolved,
            )
            if ccp_alpha > 0.0:
                tree = prune_tree(tree, ccp_alpha)
            est = tree_cls(**params, random_state=seed)
            est.tree_ = tree
            est.n_features_in_ = n_features
            est.n_outputs_ = 1
            est.max_features_ = resolved["max_features"]
            if n_classes:
                est.classes_ = classes
                est.n_classes_ = n_classes
            return est

        return make

    def _grow(
        self,
        X: np.ndarray,
        y_tree: np.ndarray,
        sample_weight: np.ndarray | None,
        draw_weight: np.ndarray | None,
        seeds: np.ndarray,
    ) -> list[Any]:
        """Grow one tree per seed on the shared thread pool (tree order kept): each
        pool thread takes the next tree index; tree i depends only on seeds[i]."""
        make = self._tree_maker(X, y_tree)
        n_trees = seeds.shape[0]
        out: list[Any] = [None] * n_trees
        verbose = int(self.verbose)

        def item(i: int) -> None:
            if verbose > 1:
                _logger.info("building tree %d of %d", i + 1, n_trees)
            seed = int(seeds[i])
            weight = self._tree_weight(seed, y_tree, sample_weight, draw_weight)
            out[i] = make(seed, weight)

        _run_dynamic(n_trees, resolve_n_jobs(self.n_jobs), item)
        return out

    # ------------------------------------------------------- out of bag
    def _in_bag_counts(self) -> np.ndarray:
        """(n_samples, n_trees) uint8: 1 where the row is in the tree's bootstrap."""
        n_samples = self._n_samples
        inbag = np.zeros((n_samples, len(self.estimators_)), dtype=np.uint8)
        for t, idx in enumerate(self._estimators_indices()):
            inbag[idx, t] = 1
        return inbag

    def _oob_sums(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: the mean leaf vector over the trees for which the row is out of
        bag (NaN when there is none, with scikit-learn's warning)."""
        from fastml.kernels.tree.forest import sum_oob_leaf_rows

        cache = self._predict_cache()
        inbag = self._in_bag_counts()
        values = cache.values
        n_samples = X.shape[0]
        out = np.zeros((n_samples, values.shape[1]), dtype=np.float64)
        n_oob = np.zeros(n_samples, dtype=np.int64)

        def consume(a: int, b: int, leaves: np.ndarray) -> None:
            sum_oob_leaf_rows(leaves, values, inbag[a:b], out[a:b], n_oob[a:b])

        _leaf_blocks(
            X,
            cache.index_packed(),
            cache.tree_groups,
            resolve_n_jobs(self.n_jobs),
            consume,
        )
        has_oob = n_oob > 0
        if not np.all(has_oob):
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few trees "
                "were used to compute any reliable OOB estimates.",
                UserWarning,
                stacklevel=3,
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = out / n_oob[:, None]
        mean[~has_oob] = np.nan
        return mean, has_oob

    def _set_oob(self, X: np.ndarray, y: np.ndarray, y_tree: np.ndarray) -> None:
        raise NotImplementedError

    def _estimators_indices(self) -> list[np.ndarray]:
        n_samples = self._n_samples
        if self._n_samples_bootstrap is None:  # fitted without bootstrap
            return [
                np.arange(n_samples, dtype=np.int32) for _ in range(len(self._seeds))
            ]
        return [
            draw_bootstrap(
                int(seed), n_samples, self._n_samples_bootstrap, self._draw_weight
            )
            for seed in self._seeds
        ]

    @property
    def estimators_samples_(self) -> list[np.ndarray]:
        """In-bag row indices of each tree (with repeats; int32), recomputed from the
        stored per-tree seeds at each access."""
        check_is_fitted(self)
        return self._estimators_indices()

    # ------------------------------------------------------- prediction
    def _predict_cache(self) -> _PredictCache:
        """The trees laid out for prediction (see :class:`_PredictCache`). The trees
        of a fitted forest are not meant to be modified in place."""
        cache = getattr(self, "_flat_cache", None)
        key = tuple(id(e.tree_) for e in self.estimators_)
        if cache is None or cache[0] != key:
            trees = [e.tree_ for e in self.estimators_]
            cache = (key, _PredictCache(trees, self._classifier))
            self._flat_cache = cache
        result: _PredictCache = cache[1]
        return result

    def _validate_X_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X_arr: np.ndarray = validate_data(self, X, reset=False, dtype=np.float32)
        return X_arr

    def _mean_values(self, X: np.ndarray) -> np.ndarray:
        """(n_samples, n_values): the mean leaf vector over all trees, each row
        summed in tree order by one thread (the same result for any n_jobs)."""
        from fastml.kernels.tree.predict import predict_packed

        cache = self._predict_cache()
        n_trees, values, packed = cache.n_trees, cache.values, cache.packed
        n_threads = resolve_n_jobs(self.n_jobs)
        n_samples = X.shape[0]
        if cache.by_leaf:
            from fastml.kernels.tree.forest import sum_leaf_rows

            out = np.zeros((n_samples, values.shape[1]))

            def consume(a: int, b: int, leaves: np.ndarray) -> None:
                sum_leaf_rows(leaves, values, out[a:b])

            _leaf_blocks(X, packed, cache.tree_groups, n_threads, consume)
            out /= n_trees
            return out

        column = np.zeros((n_samples, 1))
        groups = cache.tree_groups

        def item(i: int) -> None:
            # Whole 128-row blocks (the kernel's SIMD unit), GIL released; a row's
            # sum still runs over the trees in order (group after group).
            a, b = i * _CHUNK_ROWS, min((i + 1) * _CHUNK_ROWS, n_samples)
            for g0, g1 in groups:
                predict_packed(X[a:b], packed, 1, g0, g1, column[a:b], 1)

        _run_dynamic((n_samples + _CHUNK_ROWS - 1) // _CHUNK_ROWS, n_threads, item)
        column /= n_trees
        if values.shape[1] == 1:
            return column
        return np.concatenate([1.0 - column, column], axis=1)

    def apply(self, X: Any) -> np.ndarray:
        """Leaf reached by each sample in each tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_leaves : ndarray of shape (n_samples, n_estimators)
            Node index (in the tree's own numbering) of the leaf of each row.
        """
        from fastml.tree._flat import apply_trees

        X = self._validate_X_predict(X)
        flat = self._predict_cache().flat
        leaves: np.ndarray = apply_trees(flat, X, n_threads=resolve_n_jobs(self.n_jobs))
        return leaves

    def decision_path(self, X: Any) -> tuple[Any, np.ndarray]:
        """Nodes each sample goes through, over all trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        indicator : scipy.sparse.csr_matrix of shape (n_samples, n_nodes)
            Non-zero where the row goes through the node; tree i's nodes are the
            columns ``n_nodes_ptr[i]:n_nodes_ptr[i + 1]``.
        n_nodes_ptr : ndarray of shape (n_estimators + 1,)
        """
        import scipy.sparse as sp

        X = self._validate_X_predict(X)
        paths = [e.tree_.decision_path(X) for e in self.estimators_]
        n_nodes_ptr = np.zeros(len(paths) + 1, dtype=np.int64)
        np.cumsum([p.shape[1] for p in paths], out=n_nodes_ptr[1:])
        return sp.hstack(paths).tocsr(), n_nodes_ptr

    @property
    def feature_importances_(self) -> np.ndarray:
        """Impurity-based importances: the mean over the trees (with at least one
        split) of each tree's normalised importances, normalised to sum to 1 (all
        zeros when no tree has a split)."""
        check_is_fitted(self)
        per_tree = [
            np.asarray(e.feature_importances_, dtype=np.float64)
            for e in self.estimators_
            if e.tree_.node_count > 1
        ]
        if not per_tree:
            return np.zeros(self.n_features_in_, dtype=np.float64)
        mean = np.mean(per_tree, axis=0, dtype=np.float64)
        return np.asarray(mean / mean.sum(), dtype=np.float64)


class _ForestClassifier(ClassifierMixin, _BaseForest):
    _classifier = True
    class_weight: Any
    classes_: np.ndarray
    n_classes_: int

    def _encode_y(
        self, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        check_classification_targets(y)
        classes, y_idx = np.unique(y, return_inverse=True)
        y_idx = y_idx.astype(np.int64)
        self.classes_ = classes
        self.n_classes_ = int(classes.shape[0])
        self.n_outputs_ = 1
        cw = self.class_weight
        if cw is None:
            return y_idx.astype(np.float64), None
        if isinstance(cw, str) and self.warm_start:
            warnings.warn(
                'class_weight presets "balanced" or "balanced_subsample" are not '
                "recommended for warm_start if the fitted data differs from the full "
                'dataset. In order to use "balanced" weights, use '
                'compute_class_weight ("balanced", classes, y). In place of y you can '
                "use a large enough sample of the full training set target to "
                "properly estimate the class frequency distributions. Pass the "
                "resulting weights as the class_weight parameter.",
                UserWarning,
                stacklevel=3,
            )
        if cw == "balanced_subsample" and self.bootstrap:
            return y_idx.astype(np.float64), None  # computed per tree
        per_class = class_weight_vector(cw, classes, y_idx, sample_weight)
        return y_idx.astype(np.float64), per_class[y_idx]

    def _set_oob(self, X: np.ndarray, y: np.ndarray, y_tree: np.ndarray) -> None:
        proba, has_oob = self._oob_sums(X)
        self.oob_decision_function_ = proba
        scorer = self.oob_score if callable(self.oob_score) else None
        self.oob_score_ = _oob_score(
            y[has_oob],
            self.classes_[np.argmax(proba[has_oob], axis=1)],
            scorer,
            classifier=True,
        )

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: the mean over the trees of the class fractions in the
        leaf each row reaches.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        X = self._validate_X_predict(X)
        return self._mean_values(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba` (``-inf`` for zero probabilities).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba)

    def predict(self, X: Any) -> np.ndarray:
        """Class with the largest mean probability over the trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_.take(np.argmax(proba, axis=1), axis=0)


class _ForestRegressor(RegressorMixin, _BaseForest):
    def _encode_y(
        self, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        self.n_outputs_ = 1
        y = np.asarray(y, dtype=np.float64)
        if self.criterion == "poisson":
            if np.any(y < 0):
                raise ValueError(
                    "Some value(s) of y are negative which is not allowed for Poisson "
                    "regression."
                )
            if np.sum(y) <= 0:
                raise ValueError(
                    "Sum of y is not strictly positive which is necessary for Poisson "
                    "regression."
                )
        return y, None

    def _set_oob(self, X: np.ndarray, y: np.ndarray, y_tree: np.ndarray) -> None:
        pred, has_oob = self._oob_sums(X)
        self.oob_prediction_ = pred[:, 0]
        scorer = self.oob_score if callable(self.oob_score) else None
        self.oob_score_ = _oob_score(
            y_tree[has_oob], self.oob_prediction_[has_oob], scorer, classifier=False
        )

    def predict(self, X: Any) -> np.ndarray:
        """Mean over the trees of the leaf means each row reaches.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        X = self._validate_X_predict(X)
        return self._mean_values(X)[:, 0]


def _oob_score(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    scorer: Callable[..., float] | None,
    *,
    classifier: bool,
) -> float:
    """The OOB score over the rows out of bag for at least one tree (NaN if none)."""
    if y_true.shape[0] == 0:
        return float("nan")
    if scorer is not None:
        return float(scorer(y_true, y_pred))
    from fastml.metrics import accuracy_score, r2_score

    if classifier:
        return float(accuracy_score(y_true, y_pred))
    return float(r2_score(y_true, y_pred))
