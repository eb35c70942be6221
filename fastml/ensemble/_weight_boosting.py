"""AdaBoost: SAMME for classification, AdaBoost.R2 for regression.

Classification (SAMME, Zhu, Zou, Rosset and Hastie, "Multi-class AdaBoost", 2009):
each round fits the member to the current sample weights; with weighted error
``err``, the member's weight is ``alpha = learning_rate * (log((1 - err) / err) +
log(K - 1))`` and every misclassified row's weight is multiplied by ``exp(alpha)``
(then all are renormalized). The decision function is the alpha-weighted vote,
each member adding ``alpha`` to its predicted class and ``-alpha / (K - 1)`` to the
others, divided by the sum of the alphas; probabilities are
``softmax(decision / (K - 1))`` (eq. 15 of the paper; binary: the decision is the
positive minus the negative column and the probability ``expit(decision)``).

Regression (AdaBoost.R2, Drucker, "Improving Regressors using Boosting Techniques",
1997): each round fits the member on a weighted bootstrap draw of the rows, scores
the relative error of every row (linear, square or exponential of
``|error| / max|error|``), takes the weighted average loss ``L``, ``beta = L / (1 -
L)``, member weight ``learning_rate * log(1 / beta)``, and multiplies each row's
weight by ``beta ** ((1 - loss_i) * learning_rate)``. Prediction is the weighted
median of the members' predictions.

The random stream is consumed as scikit-learn consumes it (each member's
``random_state`` parameters first, then, for regression, the bootstrap draw), so a
deterministic member gives the same ensemble as scikit-learn for the same seed.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from fastml.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from fastml.ensemble._gb_params import (
    RANDOM_STATE,
    HasMethods,
    Interval,
    Options,
    validate_params,
)
from fastml.ensemble._gb_trees import PreparedFitter
from fastml.utils.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["AdaBoostClassifier", "AdaBoostRegressor"]

_MAX_INT = np.iinfo(np.int32).max


def _set_random_states(estimator: Any, rng: np.random.RandomState) -> None:
    to_set = {}
    for key in sorted(estimator.get_params(deep=True)):
        if key == "random_state" or key.endswith("__random_state"):
            to_set[key] = int(rng.randint(_MAX_INT))
    if to_set:
        estimator.set_params(**to_set)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


class _BaseWeightBoosting(BaseEstimator):
    estimator: Any
    n_estimators: int
    learning_rate: float
    random_state: Any
    n_features_in_: int
    classes_: Any
    _parameter_constraints: dict[str, list[Any]] = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval("int", 1, None, "left")],
        "learning_rate": [Interval("real", 0, None, "neither")],
        "random_state": RANDOM_STATE,
    }

    def _default_estimator(self) -> Any:
        raise NotImplementedError

    def _boost(
        self,
        iboost: int,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray,
        rng: np.random.RandomState,
    ) -> tuple[np.ndarray | None, float | None, float | None]:
        raise NotImplementedError

    def _make_member(self, rng: np.random.RandomState) -> Any:
        member = clone(self.estimator_)
        _set_random_states(member, rng)
        self.estimators_.append(member)
        return member

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Build the boosted ensemble from the training set (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (any dtype the members accept).
        y : array-like of shape (n_samples,)
            Class labels (classifier) or real targets (regressor).
        sample_weight : array-like of shape (n_samples,), default=None
            Initial row weights (normalized to sum to one); None: uniform.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        validate_params(self, self._parameter_constraints)
        X, y = validate_data(
            self, X, y, dtype=None, y_numeric=isinstance(self, RegressorMixin)
        )
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        sample_weight = sample_weight / sample_weight.sum()
        self.estimator_ = (
            self._default_estimator() if self.estimator is None else self.estimator
        )
        self._check_estimator()
        self.estimators_: list[Any] = []
        self.estimator_weights_ = np.zeros(self.n_estimators, dtype=np.float64)
        self.estimator_errors_ = np.ones(self.n_estimators, dtype=np.float64)
        rng = check_random_state(self.random_state)
        epsilon = np.finfo(np.float64).eps
        zero_weight = sample_weight == 0.0
        for iboost in range(self.n_estimators):
            # Keep every positive weight representable (they shrink geometrically).
            sample_weight = np.clip(sample_weight, epsilon, None)
            sample_weight[zero_weight] = 0.0
            new_weight, estimator_weight, estimator_error = self._boost(
                iboost, X, y, sample_weight, rng
            )
            if new_weight is None:
                break
            assert estimator_weight is not None and estimator_error is not None
            sample_weight = new_weight
            self.estimator_weights_[iboost] = estimator_weight
            self.estimator_errors_[iboost] = estimator_error
            if estimator_error == 0:
                break
            total = np.sum(sample_weight)
            if not np.isfinite(total):
                warnings.warn(
                    "Sample weights have reached infinite values, at iteration "
                    f"{iboost}, causing overflow. Iterations stopped. Try lowering "
                    "the learning rate.",
                    UserWarning,
                    stacklevel=2,
                )
                break
            if total <= 0:
                break
            if iboost < self.n_estimators - 1:
                sample_weight = sample_weight / total
        self.__dict__.pop("_fitter", None)  # holds X: not part of the model
        return self

    def _check_estimator(self) -> None:
        pass

    def _check_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, dtype=None, reset=False)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Member feature importances averaged with the member weights.

        Returns
        -------
        ndarray of shape (n_features,)
        """
        check_is_fitted(self)
        try:
            norm = self.estimator_weights_.sum()
            total = sum(
                w * np.asarray(m.feature_importances_, dtype=np.float64)
                for w, m in zip(self.estimator_weights_, self.estimators_)
            )
            return np.asarray(total, dtype=np.float64) / norm
        except AttributeError as exc:
            raise AttributeError(
                "Unable to compute feature importances since estimator does not have "
                "a feature_importances_ attribute"
            ) from exc

    def staged_score(
        self, X: Any, y: Any, sample_weight: Any = None
    ) -> Iterator[float]:
        """Accuracy (classifier) or R^2 (regressor) after each boosting round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Yields
        ------
        float
        """
        from fastml.metrics import accuracy_score, r2_score

        X = self._check_X(X)
        for pred in self.staged_predict(X):  # type: ignore[attr-defined]
            if isinstance(self, ClassifierMixin):
                yield float(accuracy_score(y, pred, sample_weight=sample_weight))
            else:
                yield float(r2_score(y, pred, sample_weight=sample_weight))


class AdaBoostClassifier(ClassifierMixin, _BaseWeightBoosting):
    """AdaBoost classifier (SAMME, multi-class).

    Parameters
    ----------
    estimator : object, default=None
        The weak learner (its ``fit`` must accept ``sample_weight``); None means a
        :class:`fastml.tree.DecisionTreeClassifier` with ``max_depth=1``.
    n_estimators : int, default=50
        Maximum number of rounds (fewer when a member fits perfectly).
    learning_rate : float, default=1.0
        Multiplies each member's weight.
    random_state : int, RandomState instance or None, default=None
        Seeds the members' ``random_state`` parameters.

    Attributes
    ----------
    estimator_ : estimator
        The (unfitted) weak learner the members are copied from.
    estimators_ : list of classifiers
        The fitted members.
    estimator_weights_ : ndarray of shape (n_estimators,)
        Weight of each member (0 for rounds not run).
    estimator_errors_ : ndarray of shape (n_estimators,)
        Weighted training error of each member (1 for rounds not run).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        Number of classes.
    feature_importances_ : ndarray of shape (n_features,)
        Member importances averaged with the member weights.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.ensemble import AdaBoostClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4)); y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> clf = AdaBoostClassifier(n_estimators=50, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_estimators: int = 50,
        learning_rate: float = 1.0,
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _default_estimator(self) -> Any:
        from fastml.tree import DecisionTreeClassifier

        return DecisionTreeClassifier(max_depth=1)

    def _check_estimator(self) -> None:
        try:
            params = inspect.signature(self.estimator_.fit).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        if "sample_weight" not in params:
            raise ValueError(
                f"{type(self.estimator).__name__} doesn't support sample_weight."
            )

    def _boost(
        self,
        iboost: int,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray,
        rng: np.random.RandomState,
    ) -> tuple[np.ndarray | None, float | None, float | None]:
        member = self._make_member(rng)
        if iboost == 0:
            self._fitter = PreparedFitter(X)
        self._fitter.fit(member, X, y, sample_weight)
        y_predict = member.predict(X)
        if iboost == 0:
            self.classes_ = getattr(member, "classes_", None)
            self.n_classes_ = len(self.classes_)
        incorrect = y_predict != y
        error = float(np.average(incorrect, weights=sample_weight))
        if error <= 0:
            return sample_weight, 1.0, 0.0
        n_classes = self.n_classes_
        if error >= 1.0 - 1.0 / n_classes:
            self.estimators_.pop(-1)
            if len(self.estimators_) == 0:
                raise ValueError(
                    "BaseClassifier in AdaBoostClassifier ensemble is worse than "
                    "random, ensemble can not be fit."
                )
            return None, None, None
        alpha = self.learning_rate * (
            np.log((1.0 - error) / error) + np.log(n_classes - 1.0)
        )
        if iboost != self.n_estimators - 1:
            # log(0) = -inf keeps zero weights at zero.
            with np.errstate(divide="ignore"):
                sample_weight = np.exp(
                    np.log(sample_weight) + alpha * incorrect * (sample_weight > 0)
                )
        return sample_weight, float(alpha), error

    def _vote(self, member: Any, weight: float, X: np.ndarray) -> np.ndarray:
        pred = member.predict(X)
        hit = pred[:, None] == self.classes_[None, :]
        return np.where(hit, weight, -weight / (self.n_classes_ - 1))

    def _fold(self, pred: np.ndarray, norm: float) -> np.ndarray:
        if self.n_classes_ == 2:
            return (pred[:, 1] - pred[:, 0]) / norm
        return pred / norm

    def decision_function(self, X: Any) -> np.ndarray:
        """Weighted vote of the members (SAMME decision).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (positive: the second
        class), else (n_samples, n_classes)
        """
        X = self._check_X(X)
        if self.n_classes_ == 1:
            return np.zeros((X.shape[0], 1))
        pred = np.zeros((X.shape[0], self.n_classes_))
        for member, w in zip(self.estimators_, self.estimator_weights_):
            pred += self._vote(member, w, X)
        return self._fold(pred, float(self.estimator_weights_.sum()))

    def staged_decision_function(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`decision_function` after each round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        X = self._check_X(X)
        pred = np.zeros((X.shape[0], self.n_classes_))
        norm = 0.0
        for member, w in zip(self.estimators_, self.estimator_weights_):
            norm += w
            pred += self._vote(member, w, X)
            yield self._fold(pred, norm)

    def predict(self, X: Any) -> np.ndarray:
        """Class of the largest weighted vote.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        pred = self.decision_function(X)
        if self.n_classes_ == 2:
            return self.classes_.take(pred > 0, axis=0)
        return self.classes_.take(np.argmax(pred, axis=1), axis=0)

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict` after each round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        ndarray of shape (n_samples,)
        """
        for pred in self.staged_decision_function(X):
            if self.n_classes_ == 2:
                yield self.classes_.take(pred > 0, axis=0)
            else:
                yield self.classes_.take(np.argmax(pred, axis=1), axis=0)

    def _proba(self, decision: np.ndarray) -> np.ndarray:
        if self.n_classes_ == 2:
            d = np.column_stack([-decision, decision]) / 2
        else:
            d = decision / (self.n_classes_ - 1)
        return _softmax(d)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``softmax(decision / (K - 1))``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        if self.n_classes_ == 1:
            return np.ones((self._check_X(X).shape[0], 1))
        return self._proba(self.decision_function(X))

    def staged_predict_proba(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict_proba` after each round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        ndarray of shape (n_samples, n_classes)
        """
        for decision in self.staged_decision_function(X):
            yield self._proba(decision)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return np.log(self.predict_proba(X))


class AdaBoostRegressor(RegressorMixin, _BaseWeightBoosting):
    """AdaBoost regressor (AdaBoost.R2).

    Parameters
    ----------
    estimator : object, default=None
        The weak learner; None means a :class:`fastml.tree.DecisionTreeRegressor`
        with ``max_depth=3``.
    n_estimators : int, default=50
        Maximum number of rounds.
    learning_rate : float, default=1.0
        Exponent applied to the weight updates and factor of the member weights.
    loss : {"linear", "square", "exponential"}, default="linear"
        How a row's relative error becomes its loss.
    random_state : int, RandomState instance or None, default=None
        Controls the weighted bootstrap draws and the members' seeds.

    Attributes
    ----------
    estimator_ : estimator
        The (unfitted) weak learner the members are copied from.
    estimators_ : list of regressors
        The fitted members.
    estimator_weights_ : ndarray of shape (n_estimators,)
        Weight of each member (0 for rounds not run).
    estimator_errors_ : ndarray of shape (n_estimators,)
        Average loss of each member (1 for rounds not run).
    feature_importances_ : ndarray of shape (n_features,)
        Member importances averaged with the member weights.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.ensemble import AdaBoostRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(size=(200, 2)); y = np.sin(6 * X[:, 0])
    >>> reg = AdaBoostRegressor(random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **_BaseWeightBoosting._parameter_constraints,
        "loss": [Options({"linear", "square", "exponential"})],
    }

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_estimators: int = 50,
        learning_rate: float = 1.0,
        loss: str = "linear",
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.loss = loss
        self.random_state = random_state

    def _default_estimator(self) -> Any:
        from fastml.tree import DecisionTreeRegressor

        return DecisionTreeRegressor(max_depth=3)

    def _boost(
        self,
        iboost: int,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray,
        rng: np.random.RandomState,
    ) -> tuple[np.ndarray | None, float | None, float | None]:
        member = self._make_member(rng)
        n_samples = X.shape[0]
        rows = rng.choice(
            np.arange(n_samples), size=n_samples, replace=True, p=sample_weight
        )
        member.fit(X[rows], y[rows])
        y_predict = member.predict(X)
        error_vect = np.abs(y_predict - y)
        mask = sample_weight > 0
        masked_weight = sample_weight[mask]
        masked_error = error_vect[mask]
        error_max = masked_error.max()
        if error_max != 0:
            masked_error = masked_error / error_max
        if self.loss == "square":
            masked_error = masked_error**2
        elif self.loss == "exponential":
            masked_error = 1.0 - np.exp(-masked_error)
        error = float((masked_weight * masked_error).sum())
        if error <= 0:
            return sample_weight, 1.0, 0.0
        if error >= 0.5:
            if len(self.estimators_) > 1:
                self.estimators_.pop(-1)
            return None, None, None
        beta = error / (1.0 - error)
        weight = self.learning_rate * np.log(1.0 / beta)
        if iboost != self.n_estimators - 1:
            sample_weight = sample_weight.copy()
            sample_weight[mask] *= np.power(
                beta, (1.0 - masked_error) * self.learning_rate
            )
        return sample_weight, float(weight), error

    def _median_predict(self, X: np.ndarray, limit: int) -> np.ndarray:
        predictions = np.array([m.predict(X) for m in self.estimators_[:limit]]).T
        return self._weighted_median(predictions)

    def _weighted_median(self, predictions: np.ndarray) -> np.ndarray:
        # The lowest prediction whose cumulative member weight reaches half the total.
        limit = predictions.shape[1]
        order = np.argsort(predictions, axis=1)
        cdf = np.cumsum(self.estimator_weights_[:limit][order], axis=1)
        reached = cdf >= 0.5 * cdf[:, -1][:, None]
        idx = reached.argmax(axis=1)
        rows = np.arange(predictions.shape[0])
        return predictions[rows, order[rows, idx]]

    def predict(self, X: Any) -> np.ndarray:
        """Weighted median of the members' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        return self._median_predict(X, len(self.estimators_))

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """:meth:`predict` after each round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        columns: list[np.ndarray] = []
        for member in self.estimators_:
            columns.append(member.predict(X))
            yield self._weighted_median(np.array(columns).T)
