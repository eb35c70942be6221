"""Estimator base class and mixins, compatible with scikit-learn without importing it.

The contract is scikit-learn's: ``__init__`` stores its keyword arguments unchanged,
``get_params``/``set_params`` (nested with ``__``) read them back from the signature,
``fit`` validates and returns ``self``, fitted attributes end in ``_``. The
``__sklearn_tags__`` method imports scikit-learn lazily, so Pipeline, GridSearchCV,
cross_val_score and ``parametrize_with_checks`` work when it is installed while fastml
itself never needs it.
"""

from __future__ import annotations

import copy
import inspect
from collections import defaultdict
from typing import Any

import numpy as np

from fastml.exceptions import NotFittedError
from fastml.utils.validation import check_is_fitted

__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "RegressorMixin",
    "TransformerMixin",
    "NotFittedError",
    "clone",
    "is_classifier",
    "is_regressor",
]


class BaseEstimator:
    """Base class of every fastml estimator.

    Subclasses list all their hyper-parameters as explicit keyword arguments of
    ``__init__`` and store them unchanged under the same names.
    """

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        params = inspect.signature(init).parameters.values()
        for p in params:
            if p.kind == p.VAR_POSITIONAL:
                raise RuntimeError(
                    f"fastml estimators should specify their parameters explicitly in "
                    f"__init__ (no *args); {cls.__name__} does not."
                )
        return sorted(
            p.name for p in params if p.name != "self" and p.kind != p.VAR_KEYWORD
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator (and of nested estimators when ``deep``)."""
        out: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for sub_name, sub_value in value.get_params().items():
                    out[f"{name}__{sub_name}"] = sub_value
            out[name] = value
        return out

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set parameters; ``component__param`` reaches nested estimators."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = defaultdict(dict)
        for key, value in params.items():
            name, delim, sub_key = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {self}. Valid parameters "
                    f"are: {self._get_param_names()!r}."
                )
            if delim:
                nested[name][sub_key] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        # Only parameters that differ from their defaults, as scikit-learn prints them.
        init = type(self).__init__
        defaults = {
            p.name: p.default
            for p in inspect.signature(init).parameters.values()
            if p.default is not p.empty
        }
        parts = []
        for name in self._get_param_names():
            value = getattr(self, name, None)
            default = defaults.get(name, inspect.Parameter.empty)
            if _param_equal(value, default):
                continue
            parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_fastml_version"] = _version()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.pop("_fastml_version", None)
        self.__dict__.update(state)

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import InputTags, Tags, TargetTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=None,
            regressor_tags=None,
            classifier_tags=None,
            input_tags=InputTags(allow_nan=self._allow_nan_input()),
        )

    def _allow_nan_input(self) -> bool:
        """Whether fit/predict accept NaN in X (overridden by NaN-aware estimators)."""
        return False

    def _check_is_fitted(self) -> None:
        check_is_fitted(self)


def _version() -> str:
    from fastml import __version__

    return __version__


def _param_equal(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    try:
        return bool(type(a) is type(b) and a == b)
    except (TypeError, ValueError):
        return False


class ClassifierMixin:
    """Mixin for classifiers: accuracy ``score`` and the classifier tags."""

    _estimator_type = "classifier"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``self.predict(X)`` against ``y``."""
        from fastml.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))  # type: ignore[attr-defined]


class RegressorMixin:
    """Mixin for regressors: R^2 ``score`` and the regressor tags."""

    _estimator_type = "regressor"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import RegressorTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination R^2 of ``self.predict(X)`` against ``y``."""
        from fastml.metrics import r2_score

        return float(r2_score(y, self.predict(X), sample_weight=sample_weight))  # type: ignore[attr-defined]


class TransformerMixin:
    """Mixin for transformers: ``fit_transform`` and the transformer tags."""

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.transformer_tags = TransformerTags()
        return tags

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """``fit(X, y)`` then ``transform(X)``."""
        if y is None:
            return self.fit(X, **fit_params).transform(X)  # type: ignore[attr-defined]
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]


def clone(estimator: Any, *, safe: bool = True) -> Any:
    """A new unfitted estimator with the same parameters (deep-copied).

    Lists, tuples and sets of estimators are cloned element-wise; with ``safe=False``
    non-estimators are deep-copied instead of rejected.
    """
    if isinstance(estimator, (list, tuple, set, frozenset)):
        return type(estimator)(clone(e, safe=safe) for e in estimator)
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        if not safe:
            return copy.deepcopy(estimator)
        raise TypeError(
            f"Cannot clone object '{estimator!r}' (type {type(estimator)}): it does not "
            "seem to be a scikit-learn estimator as it does not implement a "
            "'get_params' method."
        )
    params = estimator.get_params(deep=False)
    new_params = {name: clone(value, safe=False) for name, value in params.items()}
    new = type(estimator)(**new_params)
    for name, value in new.get_params(deep=False).items():
        if value is not new_params[name]:
            raise RuntimeError(
                f"Cannot clone object {estimator}, as the constructor either does not set "
                f"or modifies parameter {name}"
            )
    return new


def is_classifier(estimator: Any) -> bool:
    """True when ``estimator`` is a classifier."""
    return getattr(estimator, "_estimator_type", None) == "classifier"


def is_regressor(estimator: Any) -> bool:
    """True when ``estimator`` is a regressor."""
    return getattr(estimator, "_estimator_type", None) == "regressor"
