"""Classic gradient boosting (Friedman, "Greedy Function Approximation: A Gradient
Boosting Machine", 2001): GradientBoostingClassifier and GradientBoostingRegressor.

Each round computes the negative gradient of the loss at the current raw
predictions, fits one regression tree per output column (K = number of classes for
multiclass log loss, else 1) to it by least squares, then replaces each leaf's value
by the loss's line-search step over the rows of that leaf (a Newton step
``sum(w g) / sum(w p (1 - p))`` for log loss, times (K - 1) / K for K classes; the
weighted median or quantile of the residuals for absolute error and quantile loss;
Friedman's M-step for Huber; the tree's own mean for squared error), and adds
``learning_rate`` times the tree to the raw predictions. With ``subsample < 1``
each round draws its subsample without replacement (rows out of it get weight 0 in
the tree and are left out of the line search) and the out-of-bag loss is tracked;
with ``n_iter_no_change`` a validation split stops the rounds early.

Rows are converted once to float32 (the tree's threshold dtype); the per-row steps
(gradient, leaf values, raw update, losses) run in fastml.kernels.tree.boosting and
prediction walks all trees with the shared packed kernel. The random stream is used
in the reference order (subsample mask, then one seed draw per tree), so with
``subsample=1`` and ``max_features=None`` the model equals scikit-learn's (up to the
order in which tied split candidates are tried).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from fastml.base import ClassifierMixin, RegressorMixin
from fastml.ensemble._gb_base import _BaseGradientBoosting
from fastml.ensemble._gb_losses import GBLoss, make_loss
from fastml.ensemble._gb_params import HasMethods, Interval, Options
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import column_or_1d

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]


class GradientBoostingClassifier(ClassifierMixin, _BaseGradientBoosting):
    """Gradient boosting of regression trees for classification.

    Binary problems fit one tree per round on the log-odds; K > 2 classes fit K
    trees per round (one per class, softmax link). Leaf values are Newton steps.

    Parameters
    ----------
    loss : {"log_loss", "exponential"}, default="log_loss"
        Log loss (binomial / multinomial deviance), or the exponential loss
        (binary only; AdaBoost's loss).
    learning_rate : float, default=0.1
        Shrinks each tree's contribution.
    n_estimators : int, default=100
        Number of rounds.
    subsample : float, default=1.0
        Fraction of the rows drawn (without replacement) for each round; < 1 gives
        stochastic gradient boosting and the out-of-bag scores.
    criterion : {"friedman_mse", "squared_error"}, default="deprecated"
        Deprecated, no effect (the trees always use squared error; a FutureWarning
        is raised when set).
    min_samples_split, min_samples_leaf, min_weight_fraction_leaf, max_depth, \
min_impurity_decrease, max_features, max_leaf_nodes, ccp_alpha
        Parameters of each regression tree (see
        :class:`fastml.tree.DecisionTreeRegressor`); ``max_depth`` defaults to 3.
    init : estimator or "zero", default=None
        Initial model: None, the class priors; "zero", raw predictions of 0; or an
        estimator with ``fit`` and ``predict_proba``.
    random_state : int, RandomState instance or None, default=None
        Controls the subsamples, the trees' feature draws and the validation split.
    verbose : int, default=0
        Log the training loss per round (``logging``, never printed).
    warm_start : bool, default=False
        Keep the fitted rounds and add ``n_estimators - len(estimators_)`` more.
    validation_fraction : float, default=0.1
        Share of the training rows set aside for early stopping.
    n_iter_no_change : int, default=None
        Stop when the validation loss has not improved by ``tol`` for this many
        rounds (None: no early stopping).
    tol : float, default=1e-4
        Improvement required by early stopping.
    n_jobs : int, default=None
        Threads for prediction and for the K trees of a multiclass round (fastml
        extension; results do not depend on it).

    Attributes
    ----------
    n_estimators_ : int
        Number of rounds fitted (fewer than ``n_estimators`` after early stopping).
    n_trees_per_iteration_ : int
        Trees per round (1, or the number of classes).
    estimators_ : ndarray of shape (n_estimators_, n_trees_per_iteration_)
        The fitted :class:`fastml.tree.DecisionTreeRegressor` of each round.
    train_score_ : ndarray of shape (n_estimators_,)
        Training loss after each round (in-bag rows when ``subsample < 1``).
    oob_improvement_, oob_scores_ : ndarray of shape (n_estimators_,)
        Out-of-bag loss improvement and loss per round (``subsample < 1``).
    oob_score_ : float
        The last out-of-bag loss (``subsample < 1``).
    init_ : estimator
        The fitted initial model.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        Number of classes.
    max_features_ : int
        The resolved ``max_features``.
    feature_importances_ : ndarray of shape (n_features,)
        Impurity-based importances.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.ensemble import GradientBoostingClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4)); y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    >>> clf = GradientBoostingClassifier(n_estimators=50, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **_BaseGradientBoosting._parameter_constraints,
        "loss": [Options({"log_loss", "exponential"})],
        "init": [Options({"zero"}), None, HasMethods(["fit", "predict_proba"])],
    }
    _is_classifier = True

    def __init__(
        self,
        *,
        loss: str = "log_loss",
        learning_rate: float = 0.1,
        n_estimators: int = 100,
        subsample: float = 1.0,
        criterion: str = "deprecated",
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_depth: int | None = 3,
        min_impurity_decrease: float = 0.0,
        init: Any = None,
        random_state: Any = None,
        max_features: int | float | str | None = None,
        verbose: int = 0,
        max_leaf_nodes: int | None = None,
        warm_start: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int | None = None,
        tol: float = 1e-4,
        ccp_alpha: float = 0.0,
        n_jobs: int | None = None,
    ) -> None:
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.criterion = criterion
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_depth = max_depth
        self.min_impurity_decrease = min_impurity_decrease
        self.init = init
        self.random_state = random_state
        self.max_features = max_features
        self.verbose = verbose
        self.max_leaf_nodes = max_leaf_nodes
        self.warm_start = warm_start
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.ccp_alpha = ccp_alpha
        self.n_jobs = n_jobs

    def _encode_y(self, y: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
        check_classification_targets(y)
        y = column_or_1d(y, warn=True)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        n_classes = self.classes_.shape[0]
        self.n_classes_ = n_classes
        self.n_trees_per_iteration_ = 1 if n_classes <= 2 else n_classes
        if sample_weight is None:
            n_trim = n_classes
        else:
            n_trim = int(np.count_nonzero(np.bincount(encoded, sample_weight)))
        if n_trim < 2:
            raise ValueError(
                f"y contains {n_trim} class after sample_weight trimmed classes with "
                "zero weights, while a minimum of 2 classes are required."
            )
        return encoded.astype(np.float64)

    def _make_loss(self) -> GBLoss:
        if self.loss == "exponential" and self.n_classes_ > 2:
            raise ValueError(
                f"loss='{self.loss}' is only suitable for a binary classification "
                f"problem, you have n_classes={self.n_classes_}. Please use "
                "loss='log_loss' instead."
            )
        return make_loss(self.loss, self.n_classes_, 0.9)

    def decision_function(self, X: Any) -> np.ndarray:
        """Raw predictions: log-odds of the second class (binary) or the K class
        scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        X = self._validate_X(X)
        raw = self._raw_predict(X)
        return raw.ravel() if raw.shape[1] == 1 else raw

    def staged_decision_function(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`decision_function` after each round (shape (n_samples, K)).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        ndarray of shape (n_samples, K)
        """
        yield from self._staged_raw_predict(X)

    def _classes_of(self, raw: np.ndarray) -> np.ndarray:
        if raw.ndim == 1 or raw.shape[1] == 1:
            idx = (raw.reshape(-1) >= 0).astype(np.int64)
        else:
            idx = np.argmax(raw, axis=1)
        return self.classes_.take(idx, axis=0)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._classes_of(self.decision_function(X))

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict` after each round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        ndarray of shape (n_samples,)
        """
        for raw in self._staged_raw_predict(X):
            yield self._classes_of(raw)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (sigmoid of the log-odds, or softmax).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        X = self._validate_X(X)
        return self._loss.predict_proba(self._raw_predict(X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def staged_predict_proba(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict_proba` after each round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        ndarray of shape (n_samples, n_classes)
        """
        for raw in self._staged_raw_predict(X):
            yield self._loss.predict_proba(raw)

    @classmethod
    def _test_instance(cls) -> GradientBoostingClassifier:
        return cls(n_estimators=5)


class GradientBoostingRegressor(RegressorMixin, _BaseGradientBoosting):
    """Gradient boosting of regression trees for regression.

    Parameters
    ----------
    loss : {"squared_error", "absolute_error", "huber", "quantile"}, \
default="squared_error"
        The loss: leaf values are the tree's means, the weighted medians of the
        residuals, Friedman's Huber M-step, or the weighted ``alpha``-quantiles.
    learning_rate : float, default=0.1
        Shrinks each tree's contribution.
    n_estimators : int, default=100
        Number of rounds.
    subsample : float, default=1.0
        Fraction of the rows drawn (without replacement) for each round.
    criterion : str, default="deprecated"
        Deprecated, no effect (FutureWarning when set).
    min_samples_split, min_samples_leaf, min_weight_fraction_leaf, max_depth, \
min_impurity_decrease, max_features, max_leaf_nodes, ccp_alpha
        Parameters of each regression tree; ``max_depth`` defaults to 3.
    init : estimator or "zero", default=None
        Initial model: None, the loss's optimal constant (mean, median or
        ``alpha``-quantile); "zero"; or an estimator with ``fit`` and ``predict``.
    random_state : int, RandomState instance or None, default=None
        Controls the subsamples, the trees' feature draws and the validation split.
    alpha : float, default=0.9
        Quantile of the quantile loss, and the quantile of |residual| that sets
        Huber's threshold.
    verbose : int, default=0
        Log the training loss per round (``logging``).
    warm_start : bool, default=False
        Keep the fitted rounds and add more.
    validation_fraction : float, default=0.1
        Share of the training rows set aside for early stopping.
    n_iter_no_change : int, default=None
        Early-stopping patience (None: off).
    tol : float, default=1e-4
        Improvement required by early stopping.
    n_jobs : int, default=None
        Threads for prediction and for the K trees of a multiclass round (fastml
        extension; results do not depend on it).

    Attributes
    ----------
    n_estimators_ : int
        Number of rounds fitted.
    n_trees_per_iteration_ : int
        Always 1.
    estimators_ : ndarray of shape (n_estimators_, 1)
        The fitted regression trees.
    train_score_ : ndarray of shape (n_estimators_,)
        Training loss after each round.
    oob_improvement_, oob_scores_ : ndarray of shape (n_estimators_,)
        Out-of-bag loss improvement and loss per round (``subsample < 1``).
    oob_score_ : float
        The last out-of-bag loss (``subsample < 1``).
    init_ : estimator
        The fitted initial model.
    max_features_ : int
        The resolved ``max_features``.
    feature_importances_ : ndarray of shape (n_features,)
        Impurity-based importances.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.ensemble import GradientBoostingRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(size=(300, 3)); y = np.sin(6 * X[:, 0]) + X[:, 1]
    >>> reg = GradientBoostingRegressor(random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **_BaseGradientBoosting._parameter_constraints,
        "loss": [Options({"squared_error", "absolute_error", "huber", "quantile"})],
        "init": [Options({"zero"}), None, HasMethods(["fit", "predict"])],
        "alpha": [Interval("real", 0.0, 1.0, "neither")],
    }

    def __init__(
        self,
        *,
        loss: str = "squared_error",
        learning_rate: float = 0.1,
        n_estimators: int = 100,
        subsample: float = 1.0,
        criterion: str = "deprecated",
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_depth: int | None = 3,
        min_impurity_decrease: float = 0.0,
        init: Any = None,
        random_state: Any = None,
        max_features: int | float | str | None = None,
        alpha: float = 0.9,
        verbose: int = 0,
        max_leaf_nodes: int | None = None,
        warm_start: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int | None = None,
        tol: float = 1e-4,
        ccp_alpha: float = 0.0,
        n_jobs: int | None = None,
    ) -> None:
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.criterion = criterion
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_depth = max_depth
        self.min_impurity_decrease = min_impurity_decrease
        self.init = init
        self.random_state = random_state
        self.max_features = max_features
        self.alpha = alpha
        self.verbose = verbose
        self.max_leaf_nodes = max_leaf_nodes
        self.warm_start = warm_start
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.ccp_alpha = ccp_alpha
        self.n_jobs = n_jobs

    def _encode_y(self, y: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
        self.n_trees_per_iteration_ = 1
        return np.asarray(y).astype(np.float64, copy=False)

    def _make_loss(self) -> GBLoss:
        return make_loss(self.loss, 1, float(self.alpha))

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._validate_X(X)
        return self._raw_predict(X).ravel()

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict` after each round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        ndarray of shape (n_samples,)
        """
        for raw in self._staged_raw_predict(X):
            yield raw.ravel()

    def apply(self, X: Any) -> np.ndarray:
        """Leaf index of each row in each tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_estimators)
        """
        leaves = super().apply(X)
        return leaves.reshape(leaves.shape[0], self.estimators_.shape[0])

    @classmethod
    def _test_instance(cls) -> GradientBoostingRegressor:
        return cls(n_estimators=5)
