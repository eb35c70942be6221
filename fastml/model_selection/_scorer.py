"""Scorers: ``scorer(estimator, X, y) -> float``, higher is better.

A scoring string names a fastml.metrics function plus the estimator method that feeds
it (``predict``, ``predict_proba``, or ``decision_function`` falling back to
``predict_proba``) and a sign (``neg_*`` losses are negated so that higher is always
better). The metric is looked up in fastml.metrics when the scorer is called, not when
this module is imported, so importing model_selection does not import the metrics.
Every listed name has its metric in fastml.metrics (tests/model_selection/test_scorer.py)
and matches scikit-learn's scorer of the same name (tests/reference).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["get_scorer", "get_scorer_names"]

_PREDICT = ("predict",)
_PROBA = ("predict_proba",)
_THRESHOLD = ("decision_function", "predict_proba")


class _MetricScorer:
    """Scorer built from a metric name, a response method and a sign.

    Parameters
    ----------
    metric_name : str
        Name of a function of fastml.metrics with signature ``metric(y_true, y_pred,
        **kwargs)``.
    response : tuple of str
        Estimator methods to try in order.
    sign : {1, -1}
        -1 for losses (the scorer returns the negated loss).
    kwargs : dict
        Extra keyword arguments of the metric.
    """

    def __init__(
        self,
        metric_name: str,
        response: tuple[str, ...],
        sign: int = 1,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.metric_name = metric_name
        self.response = response
        self.sign = sign
        self.kwargs = dict(kwargs or {})

    def _metric(self) -> Callable[..., Any]:
        metrics = importlib.import_module("fastml.metrics")
        func = getattr(metrics, self.metric_name, None)
        if func is None:
            raise NotImplementedError(
                f"fastml.metrics has no {self.metric_name!r}; the scorer that uses it "
                "is unavailable."
            )
        return func

    def _predictions(self, estimator: Any, X: Any) -> Any:
        for method_name in self.response:
            method = getattr(estimator, method_name, None)
            if method is not None:
                break
        else:
            raise AttributeError(
                f"{type(estimator).__name__} has none of the following attributes: "
                f"{', '.join(self.response)}."
            )
        y_pred = method(X)
        if method_name == "predict":
            return y_pred
        classes = getattr(estimator, "classes_", None)
        if classes is None or len(classes) != 2:
            return y_pred
        # Binary classifier: keep the score of the positive class, classes_[1].
        y_pred = np.asarray(y_pred)
        if method_name == "predict_proba":
            if y_pred.ndim != 2 or y_pred.shape[1] != 2:
                raise ValueError(
                    f"Got predict_proba of shape {y_pred.shape}, but need classifier "
                    "with two classes."
                )
            return y_pred[:, 1]
        return y_pred.ravel() if y_pred.ndim == 2 and y_pred.shape[1] == 1 else y_pred

    def __call__(
        self, estimator: Any, X: Any, y: Any, sample_weight: Any = None
    ) -> float:
        metric = self._metric()
        y_pred = self._predictions(estimator, X)
        kwargs = dict(self.kwargs)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return self.sign * metric(y, y_pred, **kwargs)

    def __repr__(self) -> str:
        parts = [self.metric_name]
        if self.sign < 0:
            parts.append("greater_is_better=False")
        parts.append(
            f"response_method={self.response[0]!r}"
            if len(self.response) == 1
            else f"response_method={self.response!r}"
        )
        parts.extend(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"make_scorer({', '.join(parts)})"


class _PassthroughScorer:
    """Scorer that calls ``estimator.score`` (scoring=None)."""

    def __call__(
        self, estimator: Any, X: Any, y: Any = None, sample_weight: Any = None
    ) -> Any:
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        if y is None:
            return estimator.score(X, **kwargs)
        return estimator.score(X, y, **kwargs)

    def __repr__(self) -> str:
        return "passthrough_scorer"


def _build_registry() -> dict[str, _MetricScorer]:
    reg: dict[str, _MetricScorer] = {
        # classification, from predicted labels
        "accuracy": _MetricScorer("accuracy_score", _PREDICT),
        "balanced_accuracy": _MetricScorer("balanced_accuracy_score", _PREDICT),
        "matthews_corrcoef": _MetricScorer("matthews_corrcoef", _PREDICT),
        # classification, from scores / probabilities
        "roc_auc": _MetricScorer("roc_auc_score", _THRESHOLD),
        "average_precision": _MetricScorer("average_precision_score", _THRESHOLD),
        "neg_log_loss": _MetricScorer("log_loss", _PROBA, -1),
        "neg_brier_score": _MetricScorer("brier_score_loss", _PROBA, -1),
        # regression
        "r2": _MetricScorer("r2_score", _PREDICT),
        "explained_variance": _MetricScorer("explained_variance_score", _PREDICT),
        "neg_max_error": _MetricScorer("max_error", _PREDICT, -1),
        "neg_mean_absolute_error": _MetricScorer("mean_absolute_error", _PREDICT, -1),
        "neg_mean_squared_error": _MetricScorer("mean_squared_error", _PREDICT, -1),
        "neg_root_mean_squared_error": _MetricScorer(
            "root_mean_squared_error", _PREDICT, -1
        ),
        "neg_mean_squared_log_error": _MetricScorer(
            "mean_squared_log_error", _PREDICT, -1
        ),
        "neg_root_mean_squared_log_error": _MetricScorer(
            "root_mean_squared_log_error", _PREDICT, -1
        ),
        "neg_median_absolute_error": _MetricScorer(
            "median_absolute_error", _PREDICT, -1
        ),
        "neg_mean_absolute_percentage_error": _MetricScorer(
            "mean_absolute_percentage_error", _PREDICT, -1
        ),
        "neg_mean_poisson_deviance": _MetricScorer(
            "mean_poisson_deviance", _PREDICT, -1
        ),
        "neg_mean_gamma_deviance": _MetricScorer("mean_gamma_deviance", _PREDICT, -1),
    }
    for multi_class in ("ovr", "ovo"):
        reg[f"roc_auc_{multi_class}"] = _MetricScorer(
            "roc_auc_score", _PROBA, 1, {"multi_class": multi_class}
        )
        reg[f"roc_auc_{multi_class}_weighted"] = _MetricScorer(
            "roc_auc_score",
            _PROBA,
            1,
            {"multi_class": multi_class, "average": "weighted"},
        )
    for name, metric_name in (
        ("precision", "precision_score"),
        ("recall", "recall_score"),
        ("f1", "f1_score"),
        ("jaccard", "jaccard_score"),
    ):
        reg[name] = _MetricScorer(metric_name, _PREDICT)
        for average in ("macro", "micro", "samples", "weighted"):
            reg[f"{name}_{average}"] = _MetricScorer(
                metric_name, _PREDICT, 1, {"average": average}
            )
    return reg


_SCORERS = _build_registry()


def get_scorer_names() -> list[str]:
    """Sorted names accepted as ``scoring=`` strings.

    Returns
    -------
    list of str
    """
    return sorted(_SCORERS)


def get_scorer(scoring: Any) -> Callable[..., Any]:
    """The scorer for a scoring string; callables are returned unchanged.

    Parameters
    ----------
    scoring : str, callable or None
        A name from :func:`get_scorer_names`, a callable ``scorer(estimator, X, y)``
        or None (the estimator's own ``score`` method).

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float``, higher is better.
    """
    if scoring is None:
        return _PassthroughScorer()
    if isinstance(scoring, str):
        try:
            return _SCORERS[scoring]
        except KeyError:
            raise ValueError(
                f"{scoring!r} is not a valid scoring value. Use "
                "fastml.model_selection.get_scorer_names() to get valid options."
            ) from None
    if callable(scoring):
        return scoring
    raise ValueError(
        f"scoring must be a str, a callable or None; got {scoring!r} of type "
        f"{type(scoring).__name__}."
    )


def _check_scoring(estimator: Any, scoring: Any) -> Callable[..., Any]:
    """Single-metric scorer for ``estimator`` (used by ``cross_val_score``)."""
    if isinstance(scoring, (list, tuple, set, dict)):
        raise ValueError(
            "For evaluating multiple scores, use "
            f"fastml.model_selection.cross_validate instead. {scoring!r} was passed."
        )
    if scoring is None and not callable(getattr(estimator, "score", None)):
        raise TypeError(
            "If no scoring is specified, the estimator passed should have a 'score' "
            f"method. The estimator {estimator!r} does not."
        )
    return get_scorer(scoring)


def _check_multimetric_scoring(scoring: Any) -> dict[str, Callable[..., Any]]:
    """``{name: scorer}`` from a list/tuple/set of names or a dict of scorers."""
    if isinstance(scoring, (list, tuple, set)):
        names = list(scoring)
        prefix = (
            "The list/tuple elements must be unique strings of predefined scorers. "
        )
        if not names:
            raise ValueError(f"{prefix} Empty list was given. {names!r}")
        if not all(isinstance(n, str) for n in names):
            raise ValueError(
                f"{prefix} Non-string types were found in the given list. Got {names!r}"
            )
        if len(set(names)) != len(names):
            raise ValueError(
                f"{prefix} Duplicate elements were found in the given list. {names!r}"
            )
        return {name: get_scorer(name) for name in names}
    if isinstance(scoring, dict):
        if not scoring:
            raise ValueError(f"An empty dict was passed. {scoring!r}")
        if not all(isinstance(k, str) for k in scoring):
            raise ValueError(
                "Non-string types were found in the keys of the given dict. "
                f"scoring={scoring!r}"
            )
        out = {}
        for name, value in scoring.items():
            if value is None:
                raise ValueError(
                    f"The scorer for {name!r} is None; give a str or a callable."
                )
            out[name] = get_scorer(value)
        return out
    raise ValueError(f"scoring must be a list, tuple, set or dict; got {scoring!r}.")
