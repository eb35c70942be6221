"""Decision trees (CART) and extremely randomized trees.

fit validates X (converted to float32, the precision the splits are searched in, as
in scikit-learn) and y, resolves the hyper-parameters to absolute numbers, sorts X
once (fastml.tree._builder.prepare_data) and grows the tree with the compiled
builder (kernels/tree/cart.py), then prunes it when ``ccp_alpha > 0``. Prediction
goes through the shared Cython kernel on the tree's flat layout.

Single output only: a 2-D ``y`` must have one column (fastml's trees do not fit
several outputs at once). Missing values (NaN) in X are rejected with
scikit-learn's error message ("Input X contains NaN."), in fit and in predict.

Threads: a single tree is grown serially (scikit-learn's trees have no ``n_jobs``;
ensembles grow their trees in parallel), and predicted on ``_PREDICT_THREADS`` = 2
threads from ``_PARALLEL_MIN_ROWS`` rows: Tree.apply
splits the rows over fastml's Python thread pool, each chunk a serial Cython walk
(an OpenMP team was 2.5-3 x slower than serial on the loaded shared machine: its
region waits for a descheduled member). Same leaves for any thread count.
"""

from __future__ import annotations

import numbers
from math import ceil
from typing import Any

import numpy as np

from fastml.base import BaseEstimator, ClassifierMixin, RegressorMixin
from fastml.tree._builder import build_tree, prepare_data
from fastml.tree._params import (
    DICT,
    LIST,
    RANDOM_STATE,
    Interval,
    Options,
    check_params,
)
from fastml.tree._structure import Tree
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = [
    "BaseDecisionTree",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ExtraTreeClassifier",
    "ExtraTreeRegressor",
    "compute_class_sample_weight",
]

_PARALLEL_MIN_ROWS = 100_000
_PREDICT_THREADS = 2


def _predict_threads(n_rows: int) -> int:
    from fastml._config import cpu_count

    if n_rows < _PARALLEL_MIN_ROWS:
        return 1
    return max(1, min(_PREDICT_THREADS, cpu_count()))


_COMMON_CONSTRAINTS: dict[str, list[Any]] = {
    "splitter": [Options("best", "random")],
    "max_depth": [Interval("int", 1, None, "left"), None],
    "min_samples_split": [
        Interval("int", 2, None, "left"),
        Interval("float", 0.0, 1.0, "right"),
    ],
    "min_samples_leaf": [
        Interval("int", 1, None, "left"),
        Interval("float", 0.0, 1.0, "neither"),
    ],
    "min_weight_fraction_leaf": [Interval("real", 0.0, 0.5, "both")],
    "max_features": [
        Interval("int", 1, None, "left"),
        Interval("float", 0.0, 1.0, "right"),
        Options("sqrt", "log2"),
        None,
    ],
    "random_state": [RANDOM_STATE],
    "max_leaf_nodes": [Interval("int", 2, None, "left"), None],
    "min_impurity_decrease": [Interval("real", 0.0, None, "left")],
    "ccp_alpha": [Interval("real", 0.0, None, "left")],
}


def compute_class_sample_weight(
    class_weight: Any, y_idx: np.ndarray, classes: np.ndarray
) -> np.ndarray:
    """Per-sample weights from ``class_weight`` ("balanced", a dict label -> weight
    with 1 for absent labels, or None) for encoded labels ``y_idx``.

    "balanced" gives class c the weight n_samples / (n_classes * count(c)).
    """
    n_classes = classes.shape[0]
    if class_weight is None:
        return np.ones(y_idx.shape[0], dtype=np.float64)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"class_weight must be dict, 'balanced', or None, got: {class_weight!r}"
            )
        counts = np.bincount(y_idx, minlength=n_classes).astype(np.float64)
        per_class = y_idx.shape[0] / (n_classes * counts)
        return per_class[y_idx]
    if isinstance(class_weight, list):
        if len(class_weight) != 1:
            raise ValueError(
                "For a single output, class_weight should be a dict, 'balanced' or "
                "a list with one dict."
            )
        class_weight = class_weight[0]
    if not isinstance(class_weight, dict):
        raise ValueError(
            f"class_weight must be dict, 'balanced', or None, got: {class_weight!r}"
        )
    per_class = np.ones(n_classes, dtype=np.float64)
    known = set(classes.tolist())
    unknown = [c for c in class_weight if c not in known]
    if unknown:
        raise ValueError(f"The classes, {unknown}, are not in class_weight")
    for k, label in enumerate(classes.tolist()):
        if label in class_weight:
            per_class[k] = float(class_weight[label])
    return per_class[y_idx]


class BaseDecisionTree(BaseEstimator):
    """Shared fit / predict logic of the decision trees (not for direct use)."""

    _parameter_constraints: dict[str, list[Any]] = _COMMON_CONSTRAINTS
    _is_classifier = False
    tree_: Tree

    def __init__(
        self,
        *,
        criterion: str,
        splitter: str,
        max_depth: int | None,
        min_samples_split: int | float,
        min_samples_leaf: int | float,
        min_weight_fraction_leaf: float,
        max_features: int | float | str | None,
        max_leaf_nodes: int | None,
        random_state: Any,
        min_impurity_decrease: float,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
    ) -> None:
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha

    # --- fitting -----------------------------------------------------------------------

    def _validate_params(self) -> None:
        check_params(self, self._parameter_constraints)

    def _validate_fit_data(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        # A column vector y is raveled with a DataConversionWarning; several
        # outputs are rejected (single-output trees).
        X, y = validate_data(
            self,
            X,
            y,
            dtype=np.float32,
            y_numeric=not self._is_classifier,
        )
        y = np.asarray(y)
        if not self._is_classifier:
            y = np.asarray(y, dtype=np.float64)
            if not np.all(np.isfinite(y)):
                raise ValueError("Input y contains NaN or infinity.")
        return X, y

    def _resolve(self, n_samples: int, n_features: int) -> dict[str, Any]:
        if isinstance(self.min_samples_leaf, numbers.Integral):
            min_samples_leaf = int(self.min_samples_leaf)
        else:
            min_samples_leaf = int(ceil(self.min_samples_leaf * n_samples))
        if isinstance(self.min_samples_split, numbers.Integral):
            min_samples_split = int(self.min_samples_split)
        else:
            min_samples_split = max(2, int(ceil(self.min_samples_split * n_samples)))
        min_samples_split = max(min_samples_split, 2 * min_samples_leaf)
        mf = self.max_features
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
            max_features = max(1, int(mf * n_features)) if mf > 0.0 else 0
        if not 0 < max_features <= n_features:
            raise ValueError("max_features must be in (0, n_features]")
        return {
            "min_samples_leaf": min_samples_leaf,
            "min_samples_split": min_samples_split,
            "max_features": max_features,
        }

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, check_input: bool = True
    ) -> BaseDecisionTree:
        """Grow the tree from the training set (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (converted to float32).
        y : array-like of shape (n_samples,)
            Class labels (classifier) or targets (regressor).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; rows of weight 0 take no part in the tree.
        check_input : bool, default=True
            Ignored (the input is always validated); kept for scikit-learn
            compatibility.

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = self._validate_fit_data(X, y)
        n_samples, n_features = X.shape
        prepared = prepare_data(X)
        self._fit_prepared(prepared, y, sample_weight)
        return self

    def _fit_prepared(self, prepared: Any, y: np.ndarray, sample_weight: Any) -> None:
        n_samples = prepared.n_samples
        n_features = prepared.n_features
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, n_samples)
        if self._is_classifier:
            check_classification_targets(y)
            classes, y_enc = np.unique(y, return_inverse=True)
            y_enc = y_enc.reshape(-1).astype(np.int64)
            self.classes_ = classes
            self.n_classes_ = int(classes.shape[0])
            target: np.ndarray = y_enc
            if self.class_weight is not None:
                cw = compute_class_sample_weight(self.class_weight, y_enc, classes)
                sample_weight = cw if sample_weight is None else sample_weight * cw
            n_classes = self.n_classes_
        else:
            if self.criterion == "poisson":
                if np.any(y < 0):
                    raise ValueError(
                        "Some value(s) of y are negative which is not allowed for "
                        "Poisson regression."
                    )
                if np.sum(y) <= 0:
                    raise ValueError(
                        "Sum of y is not positive which is necessary for Poisson "
                        "regression."
                    )
            target = y
            n_classes = 0
        self.n_outputs_ = 1
        resolved = self._resolve(n_samples, n_features)
        self.max_features_ = resolved["max_features"]
        if sample_weight is None:
            min_weight_leaf = self.min_weight_fraction_leaf * n_samples
        else:
            min_weight_leaf = self.min_weight_fraction_leaf * float(
                np.sum(sample_weight)
            )
        seed = int(
            check_random_state(self.random_state).randint(0, np.iinfo(np.int32).max)
        )
        criterion = self.criterion
        if criterion == "log_loss":
            criterion = "entropy"
        tree = build_tree(
            prepared,
            target,
            sample_weight,
            n_classes=n_classes,
            criterion=criterion,
            splitter=self.splitter,
            max_features=resolved["max_features"],
            max_depth=self.max_depth,
            min_samples_split=resolved["min_samples_split"],
            min_samples_leaf=resolved["min_samples_leaf"],
            min_weight_leaf=min_weight_leaf,
            min_impurity_decrease=self.min_impurity_decrease,
            max_leaf_nodes=self.max_leaf_nodes,
            seed=seed,
        )
        if self.ccp_alpha > 0.0:
            from fastml.tree._pruning import prune_tree

            tree = prune_tree(tree, self.ccp_alpha)
        self.tree_ = tree

    # --- prediction ---------------------------------------------------------------------

    def _validate_X_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, dtype=np.float32, reset=False)

    def apply(self, X: Any, check_input: bool = True) -> np.ndarray:
        """Index of the leaf each sample ends up in.

        Returns
        -------
        ndarray of shape (n_samples,), int64
        """
        X = self._validate_X_predict(X)
        return self.tree_.apply(X, n_threads=_predict_threads(X.shape[0]))

    def decision_path(self, X: Any, check_input: bool = True) -> Any:
        """Sparse (CSR) indicator of the nodes each sample goes through.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_samples, n_nodes)
        """
        X = self._validate_X_predict(X)
        return self.tree_.decision_path(X)

    def get_depth(self) -> int:
        """Depth of the tree (the root alone has depth 0)."""
        check_is_fitted(self)
        return int(self.tree_.max_depth)

    def get_n_leaves(self) -> int:
        """Number of leaves of the tree."""
        check_is_fitted(self)
        return int(self.tree_.n_leaves)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Normalised total weighted impurity decrease brought by each feature
        (Gini importance), ndarray of shape (n_features,)."""
        check_is_fitted(self)
        return self.tree_.compute_feature_importances()

    def cost_complexity_pruning_path(
        self, X: Any, y: Any, sample_weight: Any = None
    ) -> dict[str, np.ndarray]:
        """Minimal cost-complexity pruning path of the tree grown on (X, y) with
        this estimator's parameters (``ccp_alpha`` ignored).

        Returns
        -------
        path : Bunch with ``ccp_alphas`` (effective alphas, increasing, 0 first)
            and ``impurities`` (total leaf impurity of each subtree of the sequence).
        """
        from fastml.base import clone
        from fastml.tree._pruning import Bunch, pruning_path

        est = clone(self).set_params(ccp_alpha=0.0)
        est.fit(X, y, sample_weight=sample_weight)
        alphas, impurities = pruning_path(est.tree_)
        return Bunch(ccp_alphas=alphas, impurities=impurities)


class DecisionTreeClassifier(ClassifierMixin, BaseDecisionTree):
    """A CART decision tree classifier.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Impurity measure ("entropy" and "log_loss": Shannon entropy in bits).
    splitter : {"best", "random"}, default="best"
        Best cut of each drawn feature, or one uniformly random threshold per drawn
        feature.
    max_depth : int or None, default=None
    min_samples_split : int or float, default=2
    min_samples_leaf : int or float, default=1
    min_weight_fraction_leaf : float, default=0.0
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Number of features drawn at each node.
    random_state : int, RandomState or None, default=None
        Seeds the feature order at each node (which decides between cuts of exactly
        equal improvement) and the random thresholds.
    max_leaf_nodes : int or None, default=None
        Grow best-first with at most this many leaves.
    min_impurity_decrease : float, default=0.0
    class_weight : dict, list of one dict, "balanced" or None, default=None
    ccp_alpha : float, default=0.0
        Minimal cost-complexity pruning parameter.

    Attributes
    ----------
    tree_ : fastml.tree._structure.Tree
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    n_outputs_ : int
        Always 1.
    max_features_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    feature_importances_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from fastml.tree import DecisionTreeClassifier
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> clf = DecisionTreeClassifier(random_state=0).fit(X, [0, 0, 1, 1])
    >>> clf.predict([[0.4], [2.6]]).tolist()
    [0, 1]
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **_COMMON_CONSTRAINTS,
        "criterion": [Options("gini", "entropy", "log_loss")],
        "class_weight": [DICT, LIST, Options("balanced"), None],
    }
    _is_classifier = True

    def __init__(
        self,
        *,
        criterion: str = "gini",
        splitter: str = "best",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = None,
        random_state: Any = None,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
    ) -> None:
        super().__init__(
            criterion=criterion,
            splitter=splitter,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            random_state=random_state,
            min_impurity_decrease=min_impurity_decrease,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
        )

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, check_input: bool = True
    ) -> DecisionTreeClassifier:
        """Grow the classification tree (see :meth:`BaseDecisionTree.fit`)."""
        super().fit(X, y, sample_weight=sample_weight, check_input=check_input)
        return self

    def predict_proba(self, X: Any, check_input: bool = True) -> np.ndarray:
        """Class probabilities: the weighted class fractions of the leaf reached.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        X = self._validate_X_predict(X)
        leaves = self.tree_.apply(X, n_threads=_predict_threads(X.shape[0]))
        # take: ~10 x faster than fancy indexing for a gather of whole rows
        return self._leaf_proba().take(leaves, axis=0)

    def _leaf_proba(self) -> np.ndarray:
        """Class probabilities of every node (its value row divided by its sum, the
        arithmetic scikit-learn applies to each predicted row), from the tree's
        current ``value``: one division per node instead of per row."""
        proba = np.array(self.tree_.value[:, 0, : self.n_classes_], dtype=np.float64)
        normalizer = proba.sum(axis=1)[:, np.newaxis]
        normalizer[normalizer == 0.0] = 1.0
        proba /= normalizer
        return proba

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Natural logarithm of :meth:`predict_proba` (-inf for probability 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any, check_input: bool = True) -> np.ndarray:
        """Class of largest probability in the leaf reached (the first on ties)."""
        X = self._validate_X_predict(X)
        leaves = self.tree_.apply(X, n_threads=_predict_threads(X.shape[0]))
        node_class = np.argmax(self._leaf_proba(), axis=1)
        return self.classes_.take(node_class.take(leaves), axis=0)


class DecisionTreeRegressor(RegressorMixin, BaseDecisionTree):
    """A CART decision tree regressor.

    Parameters
    ----------
    criterion : {"squared_error", "friedman_mse", "absolute_error", "poisson"}, \
default="squared_error"
        Impurity: variance; variance with Friedman's improvement score; mean
        absolute deviation about the weighted median (leaves predict the median);
        half Poisson deviance.
    splitter, max_depth, min_samples_split, min_samples_leaf,
    min_weight_fraction_leaf, max_features, random_state, max_leaf_nodes,
    min_impurity_decrease, ccp_alpha
        As in :class:`DecisionTreeClassifier`.

    Attributes
    ----------
    tree_ : fastml.tree._structure.Tree
    n_outputs_ : int
        Always 1.
    max_features_ : int
    n_features_in_ : int
    feature_importances_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from fastml.tree import DecisionTreeRegressor
    >>> reg = DecisionTreeRegressor(max_depth=1).fit([[0.0], [1.0], [2.0]], [1, 1, 4])
    >>> reg.predict([[0.2], [1.9]]).tolist()
    [1.0, 4.0]
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **_COMMON_CONSTRAINTS,
        "criterion": [
            Options("squared_error", "friedman_mse", "absolute_error", "poisson")
        ],
    }

    def __init__(
        self,
        *,
        criterion: str = "squared_error",
        splitter: str = "best",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = None,
        random_state: Any = None,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        ccp_alpha: float = 0.0,
    ) -> None:
        super().__init__(
            criterion=criterion,
            splitter=splitter,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            random_state=random_state,
            min_impurity_decrease=min_impurity_decrease,
            ccp_alpha=ccp_alpha,
        )

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, check_input: bool = True
    ) -> DecisionTreeRegressor:
        """Grow the regression tree (see :meth:`BaseDecisionTree.fit`)."""
        super().fit(X, y, sample_weight=sample_weight, check_input=check_input)
        return self

    def predict(self, X: Any, check_input: bool = True) -> np.ndarray:
        """Value (mean, or median for absolute_error) of the leaf reached."""
        X = self._validate_X_predict(X)
        return self.tree_.predict(X, n_threads=_predict_threads(X.shape[0]))[:, 0]


class ExtraTreeClassifier(DecisionTreeClassifier):
    """An extremely randomized tree classifier (Geurts et al. 2006): at each node,
    one uniformly random threshold per drawn feature; the best of them is kept.

    Same parameters as :class:`DecisionTreeClassifier` with defaults
    ``splitter="random"`` and ``max_features="sqrt"``.
    """

    def __init__(
        self,
        *,
        criterion: str = "gini",
        splitter: str = "random",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = "sqrt",
        random_state: Any = None,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
    ) -> None:
        super().__init__(
            criterion=criterion,
            splitter=splitter,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            random_state=random_state,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
        )


class ExtraTreeRegressor(DecisionTreeRegressor):
    """An extremely randomized tree regressor (Geurts et al. 2006).

    Same parameters as :class:`DecisionTreeRegressor` with defaults
    ``splitter="random"`` and ``max_features=1.0``.
    """

    def __init__(
        self,
        *,
        criterion: str = "squared_error",
        splitter: str = "random",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: int | float | str | None = 1.0,
        random_state: Any = None,
        min_impurity_decrease: float = 0.0,
        max_leaf_nodes: int | None = None,
        ccp_alpha: float = 0.0,
    ) -> None:
        super().__init__(
            criterion=criterion,
            splitter=splitter,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            random_state=random_state,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            ccp_alpha=ccp_alpha,
        )
