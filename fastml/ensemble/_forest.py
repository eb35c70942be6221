"""Random forests and extremely randomized trees, with out-of-bag estimates.

A forest fits ``n_estimators`` trees of fastml.tree, each on its own randomised
version of the training set, and averages their predictions (class fractions or
means). Random forests grow best-split trees (``DecisionTree*``) on bootstrap
samples; extra trees grow random-split trees (``ExtraTree*``) on the whole set by
default.

How the work is organised
-------------------------
- Seeds first: one int32 seed per tree is drawn from ``random_state`` before any tree
  is grown (as scikit-learn draws them), so tree ``i`` depends only on its seed and
  the data: the forest is the same for any ``n_jobs``, and a warm-started forest
  equals the one fitted at once.
- Bootstrap: tree ``i`` draws ``n_samples_bootstrap`` rows with replacement with
  ``numpy.random.RandomState(seed_i)`` (uniformly, or proportionally to the sample
  and class weights when given, as scikit-learn 1.9 does); the draw counts become the
  tree's sample weights, so X is never copied per tree. ``estimators_samples_``
  recomputes the draws from the stored seeds.
- Trees are grown on fastml's shared thread pool (fastml._parallel): X is sorted
  once per fit (fastml.tree._builder.prepare_data) and each pool thread takes the
  next tree index from a shared counter and grows it on the sorted lists with its
  bootstrap counts as weights (build_tree, which releases the GIL).
- Prediction walks all trees at once through the shared tree kernel
  (kernels/tree/predict.py): the trees are flattened and packed once per fitted
  forest (cached, rebuilt when ``warm_start`` adds trees) for the branch-free
  packed walk, with the class-1 fraction (binary) or the mean (regression) as leaf
  values, or, for three classes or more, the leaves' node ids, whose class
  fractions kernels/tree/forest.py then adds. Every row is summed in tree order by
  one thread, so results do not depend on ``n_jobs``.
- Out-of-bag estimates: the same leaf-id walk over all rows, then a kernel adds
  for each row the leaves of the trees for which it is out of bag.

X is converted to float32 (as scikit-learn does), for fit and predict alike, so that
prediction decisions equal the ones taken while fitting. Missing values (NaN) are
not supported: fit and predict reject them with scikit-learn's "Input X contains
NaN" error. Multi-output targets are rejected too (``n_outputs_`` is always 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastml.ensemble._forest_base import _ForestClassifier, _ForestRegressor

__all__ = [
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
]


_COMMON_PARAMS = """
    max_depth : int or None, default=None
        Maximum depth of each tree; None grows until the leaves are pure or hold
        fewer than ``min_samples_split`` rows.
    min_samples_split : int or float, default=2
        Minimum number of rows to split a node (a float is a fraction of the rows,
        rounded up).
    min_samples_leaf : int or float, default=1
        Minimum number of rows in each leaf (a float is a fraction, rounded up).
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each leaf.
    max_features : {{"sqrt", "log2"}}, int, float or None, default={max_features}
        Number of features drawn at random at each split: "sqrt" and "log2" of the
        number of features, an int, a fraction (at least 1), or None for all.
    max_leaf_nodes : int or None, default=None
        Grow each tree best-first with at most this many leaves.
    min_impurity_decrease : float, default=0.0
        A node is split only if the weighted impurity decrease is at least this.
    bootstrap : bool, default={bootstrap}
        Fit each tree on a bootstrap sample (rows drawn with replacement, the draw
        counts used as sample weights); False fits each tree on all rows.
    oob_score : bool or callable, default=False
        Estimate the generalization score on the out-of-bag rows (bootstrap only):
        {oob_metric} by default, or ``metric(y_true, y_pred)`` when a callable,
        computed over the rows that are out of bag for at least one tree.
    n_jobs : int or None, default=None
        Threads used to grow the trees and to predict (None: 1, -1: all CPUs). The
        fitted forest does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the per-tree seeds (bootstrap draws and feature draws).
    verbose : int, default=0
        Above 1, log each tree's start on the "fastml.ensemble" logger.
    warm_start : bool, default=False
        Keep the fitted trees and add ``n_estimators - len(estimators_)`` new ones.
    """

_CLASS_WEIGHT_PARAM = """
    class_weight : {"balanced", "balanced_subsample"}, dict, list of one dict or None, \
default=None
        Weights of the classes, multiplied with ``sample_weight``: a dict
        ``{label: weight}``; "balanced" uses ``n_samples / (n_classes * class
        counts)`` (weighted counts); "balanced_subsample" computes the same on each
        tree's bootstrap draws."""

_TAIL_PARAMS = """
    ccp_alpha : float, default=0.0
        Cost-complexity pruning parameter of each tree (0: no pruning).
    max_samples : int, float or None, default=None
        With bootstrap, rows drawn per tree: all (None), an int, or a fraction of
        the number of rows (of the total sample weight when weights are given).

    Attributes
    ----------
    estimators_ : list of fitted fastml.tree estimators
    estimators_samples_ : list of ndarray
        In-bag row indices of each tree (recomputed from the stored seeds).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X has string column names.
    n_outputs_ : int
        Always 1 (multi-output targets are not supported).
    feature_importances_ : ndarray of shape (n_features_in_,)
    oob_score_ : float
        Only with ``oob_score``."""

_CLASSIFIER_ATTRS = """
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Mean class probability over the trees for which the row was out of bag
        (NaN for a row in bag everywhere). Only with ``oob_score``.
"""

_REGRESSOR_ATTRS = """
    oob_prediction_ : ndarray of shape (n_samples,)
        Mean prediction over the trees for which the row was out of bag (NaN for a
        row in bag everywhere). Only with ``oob_score``.
"""


_EXAMPLE = """

    Examples
    --------
    >>> from fastml.datasets import make_classification
    >>> from fastml.ensemble import {name}
    >>> X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    >>> est = {name}(n_estimators=10, random_state=0).fit(X, {target})
    >>> est.predict(X[:2]).shape
    (2,)
"""


def _doc(
    name: str, summary: str, criterion: str, classifier: bool, bootstrap: str
) -> str:
    params = _COMMON_PARAMS.format(
        max_features='"sqrt"' if classifier else "1.0",
        bootstrap=bootstrap,
        oob_metric="accuracy" if classifier else "R^2",
    )
    return (
        summary
        + "\n\n    Parameters\n    ----------\n"
        + "    n_estimators : int, default=100\n        Number of trees.\n"
        + criterion
        + params.rstrip()
        + (_CLASS_WEIGHT_PARAM if classifier else "")
        + _TAIL_PARAMS
        + (_CLASSIFIER_ATTRS if classifier else _REGRESSOR_ATTRS).rstrip()
        + _EXAMPLE.format(name=name, target="y" if classifier else "y * 1.5")
    )


_CLF_CRITERION = """    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Split quality measure of the trees."""
_REG_CRITERION = """    criterion : {"squared_error", "absolute_error", "friedman_mse", "poisson"}, \
default="squared_error"
        Split quality measure of the trees."""


class RandomForestClassifier(_ForestClassifier):
    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: Any = "sqrt",
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool | Callable[..., float] = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        warm_start: bool = False,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples


class ExtraTreesClassifier(_ForestClassifier):
    _extra_trees = True

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: Any = "sqrt",
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = False,
        oob_score: bool | Callable[..., float] = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        warm_start: bool = False,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples


class RandomForestRegressor(_ForestRegressor):
    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: Any = 1.0,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool | Callable[..., float] = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        warm_start: bool = False,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples


class ExtraTreesRegressor(_ForestRegressor):
    _extra_trees = True

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: Any = 1.0,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = False,
        oob_score: bool | Callable[..., float] = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        warm_start: bool = False,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples


RandomForestClassifier.__doc__ = _doc(
    "RandomForestClassifier",
    """A random forest classifier: best-split trees on bootstrap samples, each split
    among a random subset of the features; the prediction is the class with the
    largest mean probability over the trees.""",
    _CLF_CRITERION,
    True,
    "True",
)
ExtraTreesClassifier.__doc__ = _doc(
    "ExtraTreesClassifier",
    """An extremely randomized trees classifier: trees whose splits take a random
    threshold per candidate feature (the best of those), grown on the whole training
    set by default; probabilities averaged over the trees.""",
    _CLF_CRITERION,
    True,
    "False",
)
RandomForestRegressor.__doc__ = _doc(
    "RandomForestRegressor",
    """A random forest regressor: best-split trees on bootstrap samples; the
    prediction is the mean of the trees' predictions.""",
    _REG_CRITERION,
    False,
    "True",
)
ExtraTreesRegressor.__doc__ = _doc(
    "ExtraTreesRegressor",
    """An extremely randomized trees regressor: random-threshold trees grown on the
    whole training set by default; the prediction is the mean over the trees.""",
    _REG_CRITERION,
    False,
    "False",
)
