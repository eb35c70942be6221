"""Evaluation metrics for boosting rounds (XGBoost's names and definitions).

A metric takes the encoded targets, the *predictions* (after the link: values,
probabilities, class probabilities) and the sample weights, and returns a float.
Built-in names, with whether larger is better:

===================  ==================================================  ========
name                 definition (weighted means)                          maximize
===================  ==================================================  ========
"rmse"               sqrt(mean((y - p)^2))                                no
"mae"                mean(|y - p|)                                        no
"mphe"               mean pseudo-Huber error, slope 1                     no
"poisson-nloglik"    mean(p - y log p + lgamma(y + 1))                    no
"logloss"            binary log loss, p clipped to [1e-15, 1 - 1e-15]    no
"error"              rate of (p > 0.5) != y                               no
"auc"                area under the ROC curve (fastml.metrics)            yes
"mlogloss"           multiclass log loss, clipped at 1e-15                no
"merror"             rate of argmax(p) != y                               no
===================  ==================================================  ========

A callable ``metric(y_true, y_pred)`` (``y_pred`` as ``predict`` / the positive-class
or all-class ``predict_proba`` would return it, ``y_true`` as given to ``fit``'s
eval set after label encoding for classifiers) is minimised; it may accept a
``sample_weight`` keyword. Its name in ``evals_result_`` is the function's
``__name__``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Metric", "resolve_metrics", "METRICS"]

_EPS = 1e-15


def _wmean(values: np.ndarray, w: np.ndarray | None) -> float:
    if w is None:
        return float(np.mean(values))
    return float(np.sum(values * w) / np.sum(w))


def _rmse(y, p, w):
    return math.sqrt(_wmean((y - p) ** 2, w))


def _mae(y, p, w):
    return _wmean(np.abs(y - p), w)


def _mphe(y, p, w):
    r = p - y
    return _wmean(np.sqrt(1.0 + r * r) - 1.0, w)


def _poisson_nloglik(y, p, w):
    from scipy.special import gammaln

    p = np.maximum(p, 1e-16)
    return _wmean(p - y * np.log(p) + gammaln(y + 1.0), w)


def _logloss(y, p, w):
    p = np.clip(p, _EPS, 1.0 - _EPS)
    return _wmean(-(y * np.log(p) + (1.0 - y) * np.log1p(-p)), w)


def _error(y, p, w):
    return _wmean(((p > 0.5) != (y > 0.5)).astype(np.float64), w)


def _auc(y, p, w):
    from fastml.metrics import roc_auc_score

    if np.unique(y).shape[0] < 2:
        return float("nan")
    return float(roc_auc_score(y, p, sample_weight=w))


def _mlogloss(y, p, w):
    idx = y.astype(np.int64)
    q = np.clip(p[np.arange(p.shape[0]), idx], _EPS, 1.0)
    return _wmean(-np.log(q), w)


def _merror(y, p, w):
    return _wmean((np.argmax(p, axis=1) != y.astype(np.int64)).astype(np.float64), w)


#: name -> (function(y, pred, w), maximize, task) with task "reg", "binary", "multi"
#: or "any".
METRICS: dict[str, tuple[Callable[..., float], bool, str]] = {
    "rmse": (_rmse, False, "reg"),
    "mae": (_mae, False, "reg"),
    "mphe": (_mphe, False, "reg"),
    "poisson-nloglik": (_poisson_nloglik, False, "reg"),
    "logloss": (_logloss, False, "binary"),
    "error": (_error, False, "binary"),
    "auc": (_auc, True, "binary"),
    "mlogloss": (_mlogloss, False, "multi"),
    "merror": (_merror, False, "multi"),
}


class Metric:
    """A named evaluation metric: ``metric(y, pred, w) -> float``."""

    def __init__(
        self, name: str, func: Callable[..., float], maximize: bool, user: bool = False
    ) -> None:
        self.name = name
        self.func = func
        self.maximize = maximize
        self.user = user
        self._weighted = False
        if user:
            try:
                self._weighted = "sample_weight" in inspect.signature(func).parameters
            except (TypeError, ValueError):
                self._weighted = False

    def __call__(self, y: np.ndarray, pred: np.ndarray, w: np.ndarray | None) -> float:
        if not self.user:
            return float(self.func(y, pred, w))
        if self._weighted:
            return float(self.func(y, pred, sample_weight=w))
        return float(self.func(y, pred))

    def better(self, a: float, b: float) -> bool:
        """True when score a is strictly better than b."""
        if math.isnan(a):
            return False
        if math.isnan(b):
            return True
        return a > b if self.maximize else a < b


def resolve_metrics(eval_metric: Any, default: str, task: str) -> list[Metric]:
    """The metrics to compute each round (the last one drives early stopping).

    Parameters
    ----------
    eval_metric : None, str, callable or list of them
    default : str
        The objective's default metric (used when ``eval_metric`` is None).
    task : {"reg", "binary", "multi"}
    """
    items = [default] if eval_metric is None else eval_metric
    if isinstance(items, (str,)) or callable(items):
        items = [items]
    if not isinstance(items, (list, tuple)) or len(items) == 0:
        raise ValueError(
            "eval_metric must be None, a metric name, a callable or a non-empty list "
            f"of them, got {eval_metric!r}."
        )
    out: list[Metric] = []
    for item in items:
        if isinstance(item, str):
            if item not in METRICS:
                raise ValueError(
                    f"Unknown eval_metric {item!r}; expected one of {sorted(METRICS)} "
                    "or a callable."
                )
            func, maximize, kind = METRICS[item]
            if kind not in ("any", task) and not (task == "reg" and kind == "reg"):
                raise ValueError(
                    f"eval_metric {item!r} does not apply to this task ({task})."
                )
            out.append(Metric(item, func, maximize))
        elif callable(item):
            name = getattr(item, "__name__", type(item).__name__)
            out.append(Metric(name, item, False, user=True))
        else:
            raise ValueError(f"Invalid eval_metric entry {item!r}.")
    return out
