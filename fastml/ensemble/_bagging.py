"""Bagging: an ensemble of copies of any estimator, each fitted on a random draw of
the rows (and optionally of the columns) of the training set.

Breiman's bagging (rows drawn with replacement), pasting (without replacement),
random subspaces (columns) and random patches (both) are the same procedure with
different switches. Each member i gets a seed drawn up front from ``random_state``;
its copy's own ``random_state`` parameters, its columns and its rows all come from a
``RandomState(seed_i)``, so the ensemble does not depend on ``n_jobs``.

Rows reach the member as integer sample weights (how many times each row was
drawn) when its ``fit`` accepts ``sample_weight``, which avoids copying X;
otherwise the drawn rows are copied out, repeats included (the same estimator
either way for weight-aware members, as repeating a row equals doubling its weight).
With user sample weights the rows are drawn with probabilities proportional to
them.

Members are fitted and queried on a pool of Python threads (fastml's compiled
kernels release the GIL); results are combined in member order, so predictions are
identical for every ``n_jobs``.
"""

from __future__ import annotations

import inspect
import logging
import numbers
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from fastml.ensemble._gb_params import (
    BOOLEAN,
    INTEGER,
    RANDOM_STATE,
    VERBOSE,
    HasMethods,
    Interval,
    validate_params,
)
from fastml.ensemble._gb_trees import PreparedFitter
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    column_or_1d,
    validate_data,
)

__all__ = ["BaggingClassifier", "BaggingRegressor"]

logger = logging.getLogger(__name__)

_MAX_INT = np.iinfo(np.int32).max


class _AvailableIf:
    """A method that exists only when ``check(self)`` is true (hasattr is False
    otherwise), like scikit-learn's ``available_if``."""

    def __init__(self, fn: Callable[..., Any], check: Callable[[Any], bool]) -> None:
        self.fn = fn
        self.check = check
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if not self.check(obj):
            raise AttributeError(
                f"This {type(obj).__name__} has no attribute {self.__name__!r}: its "
                "estimator does not implement it."
            )
        return self.fn.__get__(obj, owner)


def _available_if(check: Callable[[Any], bool]) -> Callable[..., Any]:
    def wrap(fn: Callable[..., Any]) -> Any:
        return _AvailableIf(fn, check)

    return wrap


def _estimator_has(name: str) -> Callable[[Any], bool]:
    """True when the fitted members (or, before fit, the base estimator) have ``name``."""

    def check(self: Any) -> bool:
        members = getattr(self, "estimators_", None)
        if members:
            return hasattr(members[0], name)
        return hasattr(self._get_estimator(), name)

    return check


def _accepts_fit_param(estimator: Any, name: str) -> bool:
    try:
        return name in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):
        return False


def _set_random_states(estimator: Any, rng: np.random.RandomState) -> None:
    """Give every ``random_state`` parameter (nested ones included, in sorted order)
    an integer drawn from ``rng``."""
    to_set = {}
    for key in sorted(estimator.get_params(deep=True)):
        if key == "random_state" or key.endswith("__random_state"):
            to_set[key] = int(rng.randint(_MAX_INT))
    if to_set:
        estimator.set_params(**to_set)


def _draw(
    rng: np.random.RandomState, replace: bool, population: int, size: int
) -> np.ndarray:
    if replace:
        return rng.randint(0, population, size).astype(np.int64)
    return np.sort(rng.permutation(population)[:size]).astype(np.int64)


def _draw_indices(
    seed: int,
    bootstrap_features: bool,
    bootstrap: bool,
    n_features: int,
    n_samples: int,
    max_features: int,
    max_samples: int,
    sample_weight: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(features, rows) of the member with this seed; the stream continues after
    the member's own random_state draws (same ``RandomState(seed)``)."""
    rng = np.random.RandomState(seed)
    return _draw_with(
        rng,
        bootstrap_features,
        bootstrap,
        n_features,
        n_samples,
        max_features,
        max_samples,
        sample_weight,
    )


def _draw_with(
    rng: np.random.RandomState,
    bootstrap_features: bool,
    bootstrap: bool,
    n_features: int,
    n_samples: int,
    max_features: int,
    max_samples: int,
    sample_weight: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    features = _draw(rng, bootstrap_features, n_features, max_features)
    if sample_weight is None:
        rows = _draw(rng, bootstrap, n_samples, max_samples)
    else:
        p = sample_weight / np.sum(sample_weight)
        rows = rng.choice(n_samples, max_samples, replace=bootstrap, p=p).astype(
            np.int64
        )
    return features, rows


class _BaseBagging(BaseEstimator):
    """Shared fit/validation of the two bagging estimators."""

    n_features_in_: int

    _parameter_constraints: dict[str, list[Any]] = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval("int", 1, None, "left")],
        "max_samples": [
            None,
            Interval("int", 1, None, "left"),
            Interval("float", 0, 1, "right"),
        ],
        "max_features": [
            Interval("int", 1, None, "left"),
            Interval("float", 0, 1, "right"),
        ],
        "bootstrap": [BOOLEAN],
        "bootstrap_features": [BOOLEAN],
        "oob_score": [BOOLEAN],
        "warm_start": [BOOLEAN],
        "n_jobs": [None, INTEGER],
        "random_state": RANDOM_STATE,
        "verbose": VERBOSE,
    }

    def __init__(
        self,
        estimator: Any = None,
        n_estimators: int = 10,
        *,
        max_samples: int | float | None = None,
        max_features: int | float = 1.0,
        bootstrap: bool = True,
        bootstrap_features: bool = False,
        oob_score: bool = False,
        warm_start: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.bootstrap_features = bootstrap_features
        self.oob_score = oob_score
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # -- hooks of the two estimators ------------------------------------------------
    def _get_estimator(self) -> Any:
        raise NotImplementedError

    def _validate_y(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _set_oob_score(self, X: np.ndarray, y: np.ndarray) -> None:
        raise NotImplementedError

    def _allow_nan_input(self) -> bool:
        base = self._get_estimator()
        allow = getattr(base, "_allow_nan_input", None)
        return bool(allow()) if callable(allow) else False

    # -- fit --------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Build the ensemble from the training set (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows; validated by the members (any dtype they accept).
        y : array-like of shape (n_samples,)
            Class labels (classifier) or real targets (regressor).
        sample_weight : array-like of shape (n_samples,), default=None
            Used as probabilities to draw the rows of each member (the expected
            frequency semantics hold with ``bootstrap=True``).

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        validate_params(self, self._parameter_constraints)
        X, y = validate_data(
            self, X, y, dtype=None, ensure_all_finite=False, multi_output=True
        )
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X.shape[0], dtype=None)
            if not self.bootstrap:
                warnings.warn(
                    f"When fitting {type(self).__name__} with sample_weight it is "
                    f"recommended to use bootstrap=True, got {self.bootstrap}.",
                    UserWarning,
                    stacklevel=2,
                )
        return self._fit(X, y, sample_weight)

    def _fit(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> Any:
        rng = check_random_state(self.random_state)
        n_samples, n_features = X.shape
        self._n_samples = n_samples
        y = self._validate_y(y)
        base = self._get_estimator()
        self.estimator_ = base

        max_samples = self._n_draws(n_samples, sample_weight)
        if not self.bootstrap and max_samples > n_samples:
            raise ValueError(
                f"Effective max_samples={max_samples} must be <= n_samples="
                f"{n_samples} to be able to sample without replacement."
            )
        self._max_samples = max_samples
        if isinstance(self.max_features, numbers.Integral):
            max_features = int(self.max_features)
        else:
            max_features = int(self.max_features * self.n_features_in_)
        if max_features > self.n_features_in_:
            raise ValueError("max_features must be <= n_features")
        self._max_features = max(1, max_features)
        self._sample_weight = sample_weight

        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        if self.warm_start and self.oob_score:
            raise ValueError("Out of bag estimate only available if warm_start=False")
        if hasattr(self, "oob_score_") and self.warm_start:
            del self.oob_score_

        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_: list[Any] = []
            self.estimators_features_: list[np.ndarray] = []
            self._seeds = np.zeros(0, dtype=np.int64)
        n_more = self.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True"
            )
        if n_more == 0:
            warnings.warn(
                "Warm-start fitting without increasing n_estimators does not fit new "
                "trees.",
                UserWarning,
                stacklevel=3,
            )
            return self
        if self.warm_start and len(self.estimators_) > 0:
            # Skip the seeds of the members already built, so that growing an
            # ensemble gives the members a fresh fit would have given.
            rng.randint(_MAX_INT, size=len(self.estimators_))
        seeds = rng.randint(_MAX_INT, size=n_more)
        self._seeds = np.concatenate([self._seeds, seeds.astype(np.int64)])

        weighted = _accepts_fit_param(base, "sample_weight")
        subset_features = self.bootstrap_features or self._max_features != n_features
        start = len(self.estimators_)
        total = self.n_estimators

        fitter = PreparedFitter(X)

        def build(i: int) -> tuple[Any, np.ndarray]:
            seed = int(seeds[i])
            member = clone(base)
            member_rng = np.random.RandomState(seed)
            _set_random_states(member, member_rng)
            features, rows = _draw_indices(
                seed,
                self.bootstrap_features,
                self.bootstrap,
                n_features,
                n_samples,
                self._max_features,
                self._max_samples,
                sample_weight,
            )
            if self.verbose > 1:
                logger.info("building estimator %d of %d", start + i + 1, total)
            if weighted:
                X_member = X[:, features] if subset_features else X
                counts = np.bincount(rows, minlength=n_samples).astype(np.float64)
                # X itself (all columns): plain fastml trees reuse X sorted once.
                fitter.fit(member, X_member, y, counts)
            else:
                X_member = X[rows]
                if subset_features:
                    X_member = X_member[:, features]
                member.fit(X_member, y[rows])
            return member, features

        results = self._map(build, range(n_more))
        for member, features in results:
            self.estimators_.append(member)
            self.estimators_features_.append(features)

        if self.oob_score:
            self._set_oob_score(X, y)
        return self

    def _n_draws(self, n_samples: int, sample_weight: np.ndarray | None) -> int:
        if self.max_samples is None:
            return n_samples
        if isinstance(self.max_samples, numbers.Integral):
            return int(self.max_samples)
        total: float
        if sample_weight is None:
            total, what = n_samples, f"the number of samples is {n_samples} "
        else:
            total = float(sample_weight.sum())
            what = f"the total sum of sample weights is {total} "
        n = max(int(self.max_samples * total), 1)
        if n < max(10, n_samples ** (1 / 3)):
            warnings.warn(
                f"Using the fractional value max_samples={self.max_samples} when "
                f"{what}results in a low number ({n}) of bootstrap samples. We "
                "recommend passing `max_samples` as an integer instead.",
                UserWarning,
                stacklevel=4,
            )
        return n

    def _map(self, func: Callable[[int], Any], items: range) -> list[Any]:
        """``[func(i) for i in items]`` on ``n_jobs`` threads, results in order."""
        n_threads = min(resolve_n_jobs(self.n_jobs), max(len(items), 1))
        if n_threads <= 1:
            return [func(i) for i in items]
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            return list(pool.map(func, items))

    def _members(self) -> Iterator[tuple[Any, np.ndarray]]:
        return zip(self.estimators_, self.estimators_features_)

    def _validate_X_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)

    def _get_estimators_indices(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for seed in self._seeds:
            yield _draw_indices(
                int(seed),
                self.bootstrap_features,
                self.bootstrap,
                self.n_features_in_,
                self._n_samples,
                self._max_features,
                self._max_samples,
                self._sample_weight,
            )

    @property
    def estimators_samples_(self) -> list[np.ndarray]:
        """The rows drawn for each member (indices, repeats included), recomputed
        from the members' seeds at each access."""
        return [rows for _, rows in self._get_estimators_indices()]

    def _oob_masks(self) -> Iterator[np.ndarray]:
        for rows in self.estimators_samples_:
            mask = np.ones(self._n_samples, dtype=bool)
            mask[rows] = False
            yield mask


class BaggingClassifier(ClassifierMixin, _BaseBagging):
    """A bagging classifier: copies of a classifier fitted on random draws of the
    rows (and columns); predicts by averaging the members' probabilities, or by
    voting when they have no ``predict_proba``.

    Parameters
    ----------
    estimator : object, default=None
        The member to copy (``fit`` and ``predict``); None means a
        :class:`fastml.tree.DecisionTreeClassifier`.
    n_estimators : int, default=10
        Number of members.
    max_samples : int or float, default=None
        Rows drawn per member: None, all n_samples; an int, that many; a float,
        that fraction of n_samples (of the sum of the sample weights when given).
    max_features : int or float, default=1.0
        Columns drawn per member (an int, or a fraction of n_features, at least 1).
    bootstrap : bool, default=True
        Draw rows with replacement (False: pasting, without replacement).
    bootstrap_features : bool, default=False
        Draw columns with replacement.
    oob_score : bool, default=False
        Estimate the accuracy on the rows each member did not draw (needs
        ``bootstrap=True``).
    warm_start : bool, default=False
        Keep the fitted members and add ``n_estimators - len(estimators_)`` more.
    n_jobs : int, default=None
        Threads for fitting and predicting (None: 1, -1: all CPUs). Results do not
        depend on it.
    random_state : int, RandomState instance or None, default=None
        Controls the draws of rows and columns and the members' seeds.
    verbose : int, default=0
        Log progress (``logging``, logger ``fastml.ensemble._bagging``).

    Attributes
    ----------
    estimator_ : estimator
        The base estimator (unfitted) the members are copied from.
    estimators_ : list of estimators
        The fitted members.
    estimators_samples_ : list of ndarray
        The rows drawn for each member.
    estimators_features_ : list of ndarray
        The columns of each member.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        Number of classes.
    oob_score_ : float
        Out-of-bag accuracy (only with ``oob_score=True``).
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities of the training rows (NaN for a row that
        every member drew).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.ensemble import BaggingClassifier
    >>> from fastml.neighbors import KNeighborsClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 3)); y = (X[:, 0] > 0).astype(int)
    >>> clf = BaggingClassifier(KNeighborsClassifier(), random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    def _get_estimator(self) -> Any:
        if self.estimator is None:
            from fastml.tree import DecisionTreeClassifier

            return DecisionTreeClassifier()
        return self.estimator

    def _validate_y(self, y: np.ndarray) -> np.ndarray:
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        return encoded.astype(np.int64)

    def _member_proba(self, member: Any, X: np.ndarray) -> np.ndarray:
        """One member's class probabilities over all classes (votes when the member
        has no predict_proba)."""
        out = np.zeros((X.shape[0], self.n_classes_))
        if hasattr(member, "predict_proba"):
            proba = member.predict_proba(X)
            member_classes = np.asarray(member.classes_, dtype=np.int64)
            if len(member_classes) == self.n_classes_:
                out += proba
            else:
                out[:, member_classes] += proba[:, : len(member_classes)]
        else:
            pred = np.asarray(member.predict(X), dtype=np.int64)
            out[np.arange(X.shape[0]), pred] += 1
        return out

    def _set_oob_score(self, X: np.ndarray, y: np.ndarray) -> None:
        n_samples = y.shape[0]
        predictions = np.zeros((n_samples, self.n_classes_))
        for (member, features), mask in zip(self._members(), self._oob_masks()):
            if mask.any():
                predictions[mask] += self._member_proba(member, X[mask][:, features])
        totals = predictions.sum(axis=1)
        if (totals == 0).any():
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few "
                "estimators were used to compute any reliable oob estimates.",
                UserWarning,
                stacklevel=4,
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            self.oob_decision_function_ = predictions / totals[:, None]
        self.oob_score_ = float(np.mean(y == np.argmax(predictions, axis=1)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Mean of the members' class probabilities (or the fraction of members
        voting for each class).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        X = self._validate_X_predict(X)
        parts = self._map(
            lambda i: self._member_proba(
                self.estimators_[i], X[:, self.estimators_features_[i]]
            ),
            range(len(self.estimators_)),
        )
        proba = np.zeros((X.shape[0], self.n_classes_))
        for part in parts:
            proba += part
        return proba / self.n_estimators

    def predict(self, X: Any) -> np.ndarray:
        """The class of highest mean probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_.take(np.argmax(proba, axis=1), axis=0)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba` (log of the mean probability).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @_available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Mean of the members' decision functions (members that have one).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        X = self._validate_X_predict(X)
        parts = self._map(
            lambda i: np.asarray(
                self.estimators_[i].decision_function(
                    X[:, self.estimators_features_[i]]
                ),
                dtype=np.float64,
            ),
            range(len(self.estimators_)),
        )
        total = parts[0].copy()
        for part in parts[1:]:
            total += part
        return total / self.n_estimators


class BaggingRegressor(RegressorMixin, _BaseBagging):
    """A bagging regressor: copies of a regressor fitted on random draws of the rows
    (and columns); predicts the mean of the members' predictions.

    Parameters
    ----------
    estimator : object, default=None
        The member to copy (``fit`` and ``predict``); None means a
        :class:`fastml.tree.DecisionTreeRegressor`.
    n_estimators : int, default=10
        Number of members.
    max_samples : int or float, default=None
        Rows drawn per member: None, all n_samples; an int, that many; a float,
        that fraction of n_samples (of the sum of the sample weights when given).
    max_features : int or float, default=1.0
        Columns drawn per member (an int, or a fraction of n_features, at least 1).
    bootstrap : bool, default=True
        Draw rows with replacement (False: pasting, without replacement).
    bootstrap_features : bool, default=False
        Draw columns with replacement.
    oob_score : bool, default=False
        Estimate R^2 on the rows each member did not draw (needs ``bootstrap``).
    warm_start : bool, default=False
        Keep the fitted members and add ``n_estimators - len(estimators_)`` more.
    n_jobs : int, default=None
        Threads for fitting and predicting. Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Controls the draws of rows and columns and the members' seeds.
    verbose : int, default=0
        Log progress (``logging``).

    Attributes
    ----------
    estimator_ : estimator
        The base estimator (unfitted) the members are copied from.
    estimators_ : list of estimators
        The fitted members.
    estimators_samples_ : list of ndarray
        The rows drawn for each member.
    estimators_features_ : list of ndarray
        The columns of each member.
    oob_score_ : float
        Out-of-bag R^2 (only with ``oob_score=True``).
    oob_prediction_ : ndarray of shape (n_samples,)
        Out-of-bag predictions of the training rows.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.ensemble import BaggingRegressor
    >>> from fastml.neighbors import KNeighborsRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2)); y = X[:, 0] + 0.1 * rng.normal(size=200)
    >>> reg = BaggingRegressor(KNeighborsRegressor(), random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.9
    True
    """

    def _get_estimator(self) -> Any:
        if self.estimator is None:
            from fastml.tree import DecisionTreeRegressor

            return DecisionTreeRegressor()
        return self.estimator

    def _validate_y(self, y: np.ndarray) -> np.ndarray:
        if y.ndim == 1 or y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.dtype.kind not in "fiu":
            y = y.astype(np.float64)
        return y

    def _set_oob_score(self, X: np.ndarray, y: np.ndarray) -> None:
        from fastml.metrics import r2_score

        n_samples = y.shape[0]
        predictions = np.zeros(y.shape, dtype=np.float64)
        counts = np.zeros(n_samples)
        for (member, features), mask in zip(self._members(), self._oob_masks()):
            if mask.any():
                predictions[mask] += member.predict(X[mask][:, features])
                counts[mask] += 1
        if (counts == 0).any():
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few "
                "estimators were used to compute any reliable oob estimates.",
                UserWarning,
                stacklevel=4,
            )
            counts[counts == 0] = 1
        if predictions.ndim == 2:
            predictions /= counts[:, None]
        else:
            predictions /= counts
        self.oob_prediction_ = predictions
        self.oob_score_ = float(r2_score(y, predictions))

    def predict(self, X: Any) -> np.ndarray:
        """Mean of the members' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._validate_X_predict(X)
        parts = self._map(
            lambda i: np.asarray(
                self.estimators_[i].predict(X[:, self.estimators_features_[i]]),
                dtype=np.float64,
            ),
            range(len(self.estimators_)),
        )
        total = parts[0].copy()
        for part in parts[1:]:
            total += part
        return total / self.n_estimators
