"""Precision, recall, F-beta, Jaccard and the negative-class rates.

Every score here is a ratio of per-label one-vs-rest counts (tp, fp, fn, tn) from
``_label_counts`` in ``fastml.metrics._classification`` (one pass of the Cython
confusion kernel), divided with scikit-learn's ``zero_division`` rules and averaged
as ``average`` asks. The definitions, defaults, warnings and error messages are those
of scikit-learn's ``sklearn.metrics`` (version 1.9); the rates that scikit-learn
lacks (specificity, false positive and false negative rates) follow the same
conventions for ``labels``, ``pos_label``, ``average`` and ``zero_division``.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from fastml.exceptions import UndefinedMetricWarning
from fastml.metrics._classification import _check_set_wise_labels, _label_counts
from fastml.metrics._validation import (
    check_array_like,
    check_pos_label_type,
    check_str_option,
    check_y_arg,
    check_zero_division,
    raise_invalid,
)

__all__ = [
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "sensitivity_score",
    "true_positive_rate",
    "specificity_score",
    "true_negative_rate",
    "false_positive_rate",
    "false_negative_rate",
    "f1_score",
    "fbeta_score",
    "jaccard_score",
]

_AVERAGES = ("binary", "macro", "micro", "samples", "weighted")


# ---------------------------------------------------------------------------------
# shared steps: counts, division, averaging, parameter checks


def _warn_ill_defined(average: str | None, modifier: str, what: str, size: int) -> None:
    axis0, axis1 = ("label", "sample") if average == "samples" else ("sample", "label")
    where = "due to" if size == 1 else f"in {axis1}s with"
    warnings.warn(
        f"{what} ill-defined and being set to 0.0 {where} no {modifier} {axis0}s. Use "
        "`zero_division` parameter to control this behavior.",
        UndefinedMetricWarning,
        stacklevel=4,
    )


def _divide(
    numerator: np.ndarray,
    denominator: np.ndarray,
    metric: str,
    modifier: str,
    average: str | None,
    warn_for: tuple[str, ...],
    zero_division: Any,
    zero_value: float,
) -> np.ndarray:
    """numerator / denominator with ``zero_value`` (and maybe a warning) at 0/0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    mask = denominator == 0
    safe = np.where(mask, 1.0, denominator)
    result = numerator / safe
    if not np.any(mask):
        return result
    result[mask] = zero_value
    if (
        isinstance(zero_division, str)
        and zero_division == "warn"
        and metric in warn_for
    ):
        _warn_ill_defined(
            average, modifier, f"{metric[0].upper()}{metric[1:]} is", result.shape[0]
        )
    return result


def _set_wise_counts(
    y_true: Any,
    y_pred: Any,
    labels: Any,
    pos_label: Any,
    average: str | None,
    sample_weight: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """(tp, fp, fn, tn, weights) of the labels that ``average`` scores."""
    labels = _check_set_wise_labels(y_true, y_pred, average, labels, pos_label)
    return _label_counts(
        y_true,
        y_pred,
        labels=labels,
        sample_weight=sample_weight,
        samplewise=average == "samples",
    )


def _pool_if_micro(average: str | None, *counts: np.ndarray) -> tuple[Any, ...]:
    """Micro averaging pools each count over the labels (one-element arrays)."""
    if average != "micro":
        return counts
    return tuple(np.array([c.sum()]) for c in counts)


def _nan_average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Average ignoring NaN; falls back to the plain mean when the weights sum to 0."""
    if values.shape[0] == 0:
        return float("nan")
    keep = ~np.isnan(values)
    if not np.any(keep):
        return float("nan")
    if weights is None:
        return float(np.mean(values[keep]))
    w = np.asarray(weights)[keep]
    if np.sum(w) == 0:
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=w))


def _check_prf_params(
    func: str,
    y_true: Any,
    y_pred: Any,
    labels: Any,
    pos_label: Any,
    average: Any,
    sample_weight: Any,
    zero_division: Any,
    allow_nan: bool = True,
) -> float:
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_array_like(labels, "labels", func, allow_none=True)
    check_pos_label_type(pos_label, func, allow_none=True)
    check_str_option(average, "average", func, _AVERAGES, allow_none=True)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    return check_zero_division(zero_division, func, allow_nan=allow_nan)


def _average_scores(
    scores: np.ndarray,
    average: str | None,
    support: np.ndarray,
    weights: np.ndarray | None,
) -> float:
    """Mean of per-label scores (NaN ignored): by support for "weighted", by sample
    weight for "samples", unweighted otherwise."""
    if average == "weighted":
        return _nan_average(scores, support)
    if average == "samples":
        return _nan_average(scores, weights)
    return _nan_average(scores, None)


def _check_beta(func: str, beta: Any) -> None:
    if (
        isinstance(beta, bool)
        or not isinstance(beta, (int, float, np.integer, np.floating))
        or np.isnan(beta)
        or beta < 0
    ):
        raise_invalid(func, "beta", "a float in the range [0.0, inf]", beta)


# ---------------------------------------------------------------------------------
# precision, recall, F-beta


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: tuple[str, ...] | list[str] | set[str] = (
        "precision",
        "recall",
        "f-score",
    ),
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta score and support, per label or averaged.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or label indicator matrix
        True labels.
    y_pred : array-like of the same shape
        Predicted labels.
    beta : float, default=1.0
        Weight of recall relative to precision in the F-score (>= 0; inf gives
        recall, 0 gives precision).
    labels : array-like, default=None
        Labels to score when ``average != 'binary'``, and their order when
        ``average=None``. Default: the sorted labels present. For multilabel targets,
        column indices.
    pos_label : int, float, bool or str, default=1
        The class scored when ``average='binary'`` and the target is binary.
    average : {"binary", "micro", "macro", "weighted", "samples"} or None, default=None
        None returns per-label scores; "binary" the scores of ``pos_label``; "micro"
        pools the counts of all labels; "macro" is the unweighted mean over labels;
        "weighted" the mean weighted by support; "samples" (multilabel only) the
        mean over samples.
    warn_for : tuple, default=("precision", "recall", "f-score")
        Metrics that warn when ill-defined.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Value at a zero denominator ("warn" means 0 and a warning). NaN values are
        left out of averages.

    Returns
    -------
    precision, recall, fbeta_score : float or ndarray of shape (n_labels,)
    support : None or ndarray of shape (n_labels,)
        Number (weight) of true samples of each label; None when averaging.

    Examples
    --------
    >>> from fastml.metrics import precision_recall_fscore_support
    >>> p, r, f, s = precision_recall_fscore_support(
    ...     [0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro")
    >>> round(p, 4), round(r, 4), round(f, 4)
    (0.2222, 0.3333, 0.2667)
    """
    func = "precision_recall_fscore_support"
    zero_value = _check_prf_params(
        func, y_true, y_pred, labels, pos_label, average, sample_weight, zero_division
    )
    _check_beta(func, beta)
    if not isinstance(warn_for, (list, tuple, set)):
        raise_invalid(
            func,
            "warn_for",
            "an instance of 'list', an instance of 'tuple' or an instance of 'set'",
            warn_for,
        )
    return _prfs(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=tuple(warn_for),
        sample_weight=sample_weight,
        zero_division=zero_division,
        zero_value=zero_value,
    )


def _prfs(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any,
    pos_label: Any,
    average: str | None,
    warn_for: tuple[str, ...],
    sample_weight: Any,
    zero_division: Any,
    zero_value: float,
) -> tuple[Any, Any, Any, Any]:
    tp, fp, fn, _, weights = _set_wise_counts(
        y_true, y_pred, labels, pos_label, average, sample_weight
    )
    pred_sum = tp + fp
    true_sum = tp + fn
    tp, pred_sum, true_sum = _pool_if_micro(average, tp, pred_sum, true_sum)

    # A partial adds no frame: the warnings' stacklevel stays right.
    divide = functools.partial(
        _divide,
        average=average,
        warn_for=warn_for,
        zero_division=zero_division,
        zero_value=zero_value,
    )

    precision = divide(tp, pred_sum, "precision", "predicted")
    recall = divide(tp, true_sum, "recall", "true")
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        denom = beta2 * true_sum.astype(np.float64) + pred_sum.astype(np.float64)
        f_score = divide(
            (1 + beta2) * tp.astype(np.float64), denom, "f-score", "true nor predicted"
        )
    if average is None:
        return precision, recall, f_score, true_sum
    return (
        _average_scores(precision, average, true_sum, weights),
        _average_scores(recall, average, true_sum, weights),
        _average_scores(f_score, average, true_sum, weights),
        None,
    )


# ---------------------------------------------------------------------------------
# specificity, false positive and false negative rates, Jaccard


_NEGATIVE_RATES = ("specificity", "fpr", "fnr")


def _negative_rate(
    which: str,
    y_true: Any,
    y_pred: Any,
    labels: Any,
    pos_label: Any,
    average: Any,
    sample_weight: Any,
    zero_division: Any,
    zero_value: float,
) -> Any:
    """Specificity, false positive rate or false negative rate (``which``)."""
    tp, fp, fn, tn, weights = _set_wise_counts(
        y_true, y_pred, labels, pos_label, average, sample_weight
    )
    support = tp + fn
    tp, fp, fn, tn = _pool_if_micro(average, tp, fp, fn, tn)
    if which == "specificity":
        num, den, name, modifier = tn, tn + fp, "specificity", "negative"
    elif which == "fpr":
        num, den, name, modifier = fp, tn + fp, "false positive rate", "negative"
    else:
        num, den, name, modifier = fn, tp + fn, "false negative rate", "true"
    rate = _divide(
        num, den, name, modifier, average, (name,), zero_division, zero_value
    )
    if average is None:
        return rate
    return _average_scores(rate, average, support, weights)


def _jaccard(
    y_true: Any,
    y_pred: Any,
    labels: Any,
    pos_label: Any,
    average: Any,
    sample_weight: Any,
    zero_division: Any,
    zero_value: float,
) -> Any:
    tp, fp, fn, _, weights = _set_wise_counts(
        y_true, y_pred, labels, pos_label, average, sample_weight
    )
    support = tp + fn
    num, den = _pool_if_micro(average, tp, tp + fp + fn)
    score = _divide(
        num,
        den,
        "jaccard",
        "true or predicted",
        average,
        ("jaccard",),
        zero_division,
        zero_value,
    )
    if average is None:
        return score
    # scikit-learn's plain weighted mean here (zero_division cannot be NaN), with
    # the unweighted mean when no label has support.
    avg_weights: np.ndarray | None = None
    if average == "weighted" and np.any(support):
        avg_weights = support
    elif average == "samples":
        avg_weights = weights
    return float(np.average(score, weights=avg_weights))


# ---------------------------------------------------------------------------------
# public single-score functions


def _score(
    func: str,
    metric: str,
    y_true: Any,
    y_pred: Any,
    labels: Any,
    pos_label: Any,
    average: Any,
    sample_weight: Any,
    zero_division: Any,
    beta: float = 1.0,
) -> Any:
    """Validate the shared parameters, then compute one ``metric``."""
    zero_value = _check_prf_params(
        func,
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
        allow_nan=metric != "jaccard",
    )
    args = (y_true, y_pred, labels, pos_label, average, sample_weight, zero_division)
    if metric == "jaccard":
        return _jaccard(*args, zero_value)
    if metric in _NEGATIVE_RATES:
        return _negative_rate(metric, *args, zero_value)
    precision, recall, f_score, _ = _prfs(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=(metric,),
        sample_weight=sample_weight,
        zero_division=zero_division,
        zero_value=zero_value,
    )
    return {"precision": precision, "recall": recall, "f-score": f_score}[metric]


_PRF_DOC_PARAMS = """
    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or label indicator matrix
        True labels.
    y_pred : array-like of the same shape
        Predicted labels.
    labels : array-like, default=None
        Labels to score when ``average != 'binary'`` and their order when
        ``average=None``; default: the sorted labels present.
    pos_label : int, float, bool or str, default=1
        The class scored when ``average='binary'`` and the target is binary.
    average : {"binary", "micro", "macro", "weighted", "samples"} or None, \
default="binary"
        See :func:`precision_recall_fscore_support`.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Value returned at a zero denominator ("warn": 0 and a warning).

    Returns
    -------
    score : float, or ndarray of shape (n_labels,) when ``average=None``
"""


def _complete_doc(func: Any, example: str) -> None:
    """Append the shared Parameters / Returns sections and an Examples section."""
    func.__doc__ = (
        (func.__doc__ or "")
        + _PRF_DOC_PARAMS
        + "\n    Examples\n    --------\n"
        + example
    )


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Precision ``tp / (tp + fp)`` (positive predictive value).

    The fraction of positive predictions that are right.
    """
    return _score(
        "precision_score",
        "precision",
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
    )


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Recall ``tp / (tp + fn)`` (sensitivity, true positive rate)."""
    return _score(
        "recall_score",
        "recall",
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
    )


#: Sensitivity is recall: ``tp / (tp + fn)``.
sensitivity_score = recall_score
#: The true positive rate is recall: ``tp / (tp + fn)``.
true_positive_rate = recall_score


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F1 score ``2 tp / (2 tp + fp + fn)``: harmonic mean of precision and recall."""
    return _score(
        "f1_score",
        "f-score",
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
    )


def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F-beta score ``(1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)``.

    ``beta`` (>= 0) weighs recall ``beta`` times as much as precision.
    """
    _check_beta("fbeta_score", beta)
    return _score(
        "fbeta_score",
        "f-score",
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
        beta=beta,
    )


def specificity_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Specificity (true negative rate) ``tn / (tn + fp)``.

    For each label, one-vs-rest: the fraction of the samples not of that label that
    are not predicted as that label. Averages as in :func:`precision_score`
    ("weighted" weighs each label by its support, the number of true samples of it;
    "micro" pools tn and fp over labels). A zero denominator (no negative sample)
    gives ``zero_division``.
    """
    return _score(
        "specificity_score",
        "specificity",
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
    )


#: The true negative rate is specificity: ``tn / (tn + fp)``.
true_negative_rate = specificity_score


def false_positive_rate(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """False positive rate (type I error rate, fall-out) ``fp / (fp + tn)``.

    ``1 - specificity`` wherever defined. Averaging and ``zero_division`` as in
    :func:`specificity_score`.
    """
    return _score(
        "false_positive_rate",
        "fpr",
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
    )


def false_negative_rate(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """False negative rate (type II error rate, miss rate) ``fn / (fn + tp)``.

    ``1 - recall`` wherever defined. Averaging and ``zero_division`` as in
    :func:`recall_score`.
    """
    return _score(
        "false_negative_rate",
        "fnr",
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
    )


def jaccard_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Jaccard index ``tp / (tp + fp + fn)``: intersection over union.

    For each label, one-vs-rest: the samples both true and predicted as that label
    over those true or predicted as it. "micro" pools the counts over labels;
    "weighted" weighs each label by its support; "samples" (multilabel) compares the
    label sets of each sample. ``zero_division`` is 0, 1 or "warn" (not NaN, as in
    scikit-learn).
    """
    return _score(
        "jaccard_score",
        "jaccard",
        y_true,
        y_pred,
        labels,
        pos_label,
        average,
        sample_weight,
        zero_division,
    )


_complete_doc(
    precision_score,
    """    >>> from fastml.metrics import precision_score
    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
""",
)
_complete_doc(
    recall_score,
    """    >>> from fastml.metrics import recall_score
    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
""",
)
_complete_doc(
    f1_score,
    """    >>> from fastml.metrics import f1_score
    >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
""",
)
_complete_doc(
    fbeta_score,
    """    >>> from fastml.metrics import fbeta_score
    >>> round(fbeta_score([0, 1, 1, 0], [1, 1, 0, 0], beta=2.0), 4)
    0.5
""",
)
_complete_doc(
    specificity_score,
    """    >>> from fastml.metrics import specificity_score
    >>> specificity_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
""",
)
_complete_doc(
    false_positive_rate,
    """    >>> from fastml.metrics import false_positive_rate
    >>> false_positive_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
""",
)
_complete_doc(
    false_negative_rate,
    """    >>> from fastml.metrics import false_negative_rate
    >>> false_negative_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
""",
)
_complete_doc(
    jaccard_score,
    """    >>> from fastml.metrics import jaccard_score
    >>> round(jaccard_score([0, 1, 1, 0], [1, 1, 0, 0]), 4)
    0.3333
    >>> jaccard_score([0, 1, 2, 2], [0, 2, 1, 2], average=None).round(4)
    array([1.    , 0.    , 0.3333])
""",
)
