"""Classification metrics from label predictions: the confusion-count family.

Every count comes from one pass of the Cython kernel
``fastml.kernels.metrics._counting.count_confusion`` over index-encoded labels
(OpenMP blocks summed in a fixed order, so results do not depend on the thread
count). The definitions, defaults, warnings and error messages are those of
scikit-learn's ``sklearn.metrics`` (version 1.9); the rates that scikit-learn lacks
(specificity, false positive and false negative rates) follow the same conventions
for ``labels``, ``pos_label``, ``average`` and ``zero_division``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fastml.exceptions import UndefinedMetricWarning
from fastml.metrics._validation import (
    check_array_like,
    check_bool,
    check_pos_label_type,
    check_str_option,
    check_targets,
    check_y_arg,
    check_zero_division,
    default_n_threads,
    encode_with,
    raise_invalid,
)
from fastml.utils.validation import check_consistent_length

__all__ = [
    "accuracy_score",
    "confusion_matrix",
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
]

_AVERAGES = ("binary", "macro", "micro", "samples", "weighted")


def _count_confusion(
    idx_true: np.ndarray,
    idx_pred: np.ndarray,
    weights: np.ndarray | None,
    n_classes: int,
) -> np.ndarray:
    from fastml.kernels.metrics._counting import count_confusion

    return count_confusion(
        np.ascontiguousarray(idx_true, dtype=np.int64),
        np.ascontiguousarray(idx_pred, dtype=np.int64),
        weights,
        n_classes,
        default_n_threads(idx_true.shape[0]),
    )


# ---------------------------------------------------------------------------------
# accuracy and the confusion matrix


def accuracy_score(
    y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None
) -> float:
    """Fraction (or number) of correctly classified samples.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        True labels (a label indicator matrix for multilabel targets).
    y_pred : array-like of the same shape
        Predicted labels.
    normalize : bool, default=True
        Return the fraction of correct samples; False returns their (weighted) count.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float
        For multilabel targets a sample counts as correct only when its whole label
        set is predicted exactly.

    Examples
    --------
    >>> from fastml.metrics import accuracy_score
    >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
    0.5
    >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3], normalize=False)
    2.0
    """
    func = "accuracy_score"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_bool(normalize, "normalize", func)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    y_type, _, y_true_arr, y_pred_arr, weights = check_targets(
        y_true, y_pred, sample_weight
    )
    if y_type == "multilabel-indicator":
        score = np.all(y_true_arr == y_pred_arr, axis=1)
    else:
        score = y_true_arr == y_pred_arr
    if weights is None:
        return float(np.mean(score) if normalize else np.sum(score))
    if normalize:
        return float(np.average(score, weights=weights))
    return float(np.dot(score, weights))


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    sample_weight: Any = None,
    normalize: str | None = None,
) -> np.ndarray:
    """Confusion matrix: ``C[i, j]`` counts samples of true class i predicted as j.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_classes,), default=None
        Classes to index the matrix by, in this order; samples whose true or predicted
        label is not listed are ignored. Default: the sorted labels present in either.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights. Integer weights (or none) give an int64 matrix, float weights a
        float64 matrix.
    normalize : {"true", "pred", "all"}, default=None
        Divide by the row sums (true), the column sums (pred) or the total (all);
        0/0 cells become 0.

    Returns
    -------
    C : ndarray of shape (n_classes, n_classes)

    Notes
    -----
    Counted by the Cython kernel ``count_confusion`` (OpenMP over fixed row blocks;
    the result does not depend on the number of threads).

    Examples
    --------
    >>> from fastml.metrics import confusion_matrix
    >>> confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    array([[2, 0, 0],
           [0, 0, 1],
           [1, 0, 2]])
    """
    func = "confusion_matrix"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_array_like(labels, "labels", func, allow_none=True)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    check_str_option(
        normalize, "normalize", func, ("true", "pred", "all"), allow_none=True
    )
    if sample_weight is None:
        # scikit-learn checks against an implicit all-ones weight vector.
        check_consistent_length(y_true, y_pred, y_true)
    y_type, present, y_true_arr, y_pred_arr, weights = check_targets(
        y_true, y_pred, sample_weight
    )
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{y_type} is not supported")
    if labels is None:
        classes = present
        idx_true = encode_with(y_true_arr, classes)
        idx_pred = encode_with(y_pred_arr, classes)
        n_labels = classes.shape[0]
    else:
        labels_arr = np.asarray(labels)
        n_labels = labels_arr.size
        if n_labels == 0:
            raise ValueError("'labels' should contain at least one label.")
        if len(np.intersect1d(y_true_arr, labels_arr)) == 0:
            raise ValueError("At least one label specified must be in y_true")
        labels_arr = labels_arr.ravel()
        sorted_labels, inverse = np.unique(labels_arr, return_inverse=True)
        # A repeated label maps to its last position (the others stay empty).
        position = np.empty(sorted_labels.shape[0], dtype=np.int64)
        for pos, k in enumerate(inverse.ravel().tolist()):
            position[k] = pos
        position = np.append(position, -1)  # index -1 (absent label) stays -1
        idx_true = position[encode_with(y_true_arr, sorted_labels)]
        idx_pred = position[encode_with(y_pred_arr, sorted_labels)]
    cm = _count_confusion(idx_true, idx_pred, weights, n_labels)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion "
            "matrix to have the correct shape, use the 'labels' parameter to pass "
            "all known labels.",
            UserWarning,
            stacklevel=2,
        )
    return cm


# ---------------------------------------------------------------------------------
# per-label counts


def _check_set_wise_labels(
    y_true: Any, y_pred: Any, average: str | None, labels: Any, pos_label: Any
) -> Any:
    """Labels to score: ``[pos_label]`` for average='binary', else ``labels``."""
    y_type, present, _, _, _ = check_targets(y_true, y_pred)
    if average == "binary":
        if y_type == "binary":
            if pos_label not in present and len(present) >= 2:
                raise ValueError(
                    f"pos_label={pos_label} is not a valid label. It should be one of "
                    f"{present}"
                )
            return [pos_label]
        options = [None, "micro", "macro", "weighted", "samples"]
        if y_type == "multiclass":
            options.remove("samples")
        raise ValueError(
            f"Target is {y_type} but average='binary'. Please choose another average "
            f"setting, one of {options!r}."
        )
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != "
            f"'binary' (got {average!r}). You may use labels=[pos_label] to specify a "
            "single positive class.",
            UserWarning,
            stacklevel=3,
        )
    return labels


def _label_counts(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any,
    sample_weight: Any,
    samplewise: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Per-label (tp, fp, fn, tn) sums, one-vs-rest, and the validated weights.

    For binary/multiclass targets the counts come from the confusion matrix over
    every label present or requested; ``labels`` selects (and orders) the rows.
    """
    y_type, present, y_true_arr, y_pred_arr, weights = check_targets(
        y_true, y_pred, sample_weight
    )
    if y_true_arr.ndim == 1:
        if samplewise:
            raise ValueError(
                "Samplewise metrics are not available outside of multilabel "
                "classification."
            )
        if labels is None:
            classes = present
            selected = np.arange(classes.shape[0])
        else:
            labels_arr = np.asarray(labels)
            classes = np.unique(np.concatenate([labels_arr.ravel(), present]))
            selected = np.searchsorted(classes, labels_arr.ravel())
        idx_true = encode_with(y_true_arr, classes)
        idx_pred = encode_with(y_pred_arr, classes)
        n_classes = classes.shape[0]
        cm = _count_confusion(idx_true, idx_pred, weights, n_classes)
        tp = np.diagonal(cm).copy()
        if weights is None and not tp.any():
            # No sample predicted right at all: scikit-learn's counts turn float
            # here (visible as "2.0" supports in the text report).
            tp = tp.astype(np.float64)
        if weights is None:
            pred_sum = cm.sum(axis=0)
            true_sum = cm.sum(axis=1)
        else:
            # Weighted marginals summed in sample order (bincount), so supports are
            # bit-identical to scikit-learn's (the text report prints them in full).
            w = weights.astype(np.float64, copy=False)
            pred_sum = np.bincount(idx_pred, weights=w, minlength=n_classes)
            true_sum = np.bincount(idx_true, weights=w, minlength=n_classes)
        tp, pred_sum, true_sum = tp[selected], pred_sum[selected], true_sum[selected]
        total = y_true_arr.shape[0] if weights is None else np.sum(weights)
    else:
        n_outputs = y_true_arr.shape[1]
        if labels is not None:
            labels_arr = np.asarray(labels).ravel()
            if labels_arr.shape != present.shape or np.any(labels_arr != present):
                if np.max(labels_arr) > np.max(present):
                    raise ValueError(
                        "All labels must be in [0, n labels) for multilabel targets. "
                        f"Got {np.max(labels_arr)} > {np.max(present)}"
                    )
                if np.min(labels_arr) < 0:
                    raise ValueError(
                        "All labels must be in [0, n labels) for multilabel targets. "
                        f"Got {np.min(labels_arr)} < 0"
                    )
            y_true_arr = y_true_arr[:, labels_arr]
            y_pred_arr = y_pred_arr[:, labels_arr]
        axis = 1 if samplewise else 0
        true_nz = y_true_arr != 0
        pred_nz = y_pred_arr != 0
        both = true_nz & pred_nz
        if weights is None:
            tp = both.sum(axis=axis)
            pred_sum = pred_nz.sum(axis=axis)
            true_sum = true_nz.sum(axis=axis)
        elif samplewise:
            w = weights.astype(np.float64)
            tp = both.sum(axis=1) * w
            pred_sum = pred_nz.sum(axis=1) * w
            true_sum = true_nz.sum(axis=1) * w
        else:
            w = weights.astype(np.float64)
            tp = w @ both
            pred_sum = w @ pred_nz
            true_sum = w @ true_nz
        if samplewise:
            total = n_outputs if weights is None else weights * n_outputs
        else:
            total = y_true_arr.shape[0] if weights is None else np.sum(weights)
    if weights is not None:
        tp = tp.astype(np.float64)
        pred_sum = pred_sum.astype(np.float64)
        true_sum = true_sum.astype(np.float64)
    fp = pred_sum - tp
    fn = true_sum - tp
    tn = total - tp - fp - fn
    return tp, fp, fn, tn, weights


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
) -> float:
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_array_like(labels, "labels", func, allow_none=True)
    check_pos_label_type(pos_label, func, allow_none=True)
    check_str_option(average, "average", func, _AVERAGES, allow_none=True)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    return check_zero_division(zero_division, func)


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
    if (
        isinstance(beta, bool)
        or not isinstance(beta, (int, float, np.integer, np.floating))
        or np.isnan(beta)
        or beta < 0
    ):
        raise_invalid(func, "beta", "a float in the range [0.0, inf]", beta)
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
    labels = _check_set_wise_labels(y_true, y_pred, average, labels, pos_label)
    samplewise = average == "samples"
    tp, fp, fn, _, weights = _label_counts(
        y_true,
        y_pred,
        labels=labels,
        sample_weight=sample_weight,
        samplewise=samplewise,
    )
    pred_sum = tp + fp
    true_sum = tp + fn
    if average == "micro":
        tp = np.array([tp.sum()])
        pred_sum = np.array([pred_sum.sum()])
        true_sum = np.array([true_sum.sum()])
    precision = _divide(
        tp,
        pred_sum,
        "precision",
        "predicted",
        average,
        warn_for,
        zero_division,
        zero_value,
    )
    recall = _divide(
        tp, true_sum, "recall", "true", average, warn_for, zero_division, zero_value
    )
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        denom = beta2 * true_sum.astype(np.float64) + pred_sum.astype(np.float64)
        f_score = _divide(
            (1 + beta2) * tp.astype(np.float64),
            denom,
            "f-score",
            "true nor predicted",
            average,
            warn_for,
            zero_division,
            zero_value,
        )
    if average is None:
        return precision, recall, f_score, true_sum
    if average == "weighted":
        avg_weights: np.ndarray | None = true_sum
    elif average == "samples":
        avg_weights = weights
    else:
        avg_weights = None
    return (
        _nan_average(precision, avg_weights),
        _nan_average(recall, avg_weights),
        _nan_average(f_score, avg_weights),
        None,
    )


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


def _single(
    func: str,
    index: int,
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
    zero_value = _check_prf_params(
        func, y_true, y_pred, labels, pos_label, average, sample_weight, zero_division
    )
    result = _prfs(
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
    return result[index]


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
    return _single(
        "precision_score",
        0,
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
    return _single(
        "recall_score",
        1,
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
    return _single(
        "f1_score",
        2,
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
    func = "fbeta_score"
    if (
        isinstance(beta, bool)
        or not isinstance(beta, (int, float, np.integer, np.floating))
        or np.isnan(beta)
        or beta < 0
    ):
        raise_invalid(func, "beta", "a float in the range [0.0, inf]", beta)
    return _single(
        func,
        2,
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


precision_score.__doc__ = (
    (precision_score.__doc__ or "")
    + _PRF_DOC_PARAMS
    + """
    Examples
    --------
    >>> from fastml.metrics import precision_score
    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
"""
)
recall_score.__doc__ = (
    (recall_score.__doc__ or "")
    + _PRF_DOC_PARAMS
    + """
    Examples
    --------
    >>> from fastml.metrics import recall_score
    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
"""
)
f1_score.__doc__ = (
    (f1_score.__doc__ or "")
    + _PRF_DOC_PARAMS
    + """
    Examples
    --------
    >>> from fastml.metrics import f1_score
    >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
"""
)
fbeta_score.__doc__ = (
    (fbeta_score.__doc__ or "")
    + _PRF_DOC_PARAMS
    + """
    Examples
    --------
    >>> from fastml.metrics import fbeta_score
    >>> round(fbeta_score([0, 1, 1, 0], [1, 1, 0, 0], beta=2.0), 4)
    0.5
"""
)


# ---------------------------------------------------------------------------------
# negative-class rates


def _negative_rate(
    func: str,
    which: str,
    y_true: Any,
    y_pred: Any,
    labels: Any,
    pos_label: Any,
    average: Any,
    sample_weight: Any,
    zero_division: Any,
) -> Any:
    """Shared body of specificity, false positive rate and false negative rate."""
    zero_value = _check_prf_params(
        func, y_true, y_pred, labels, pos_label, average, sample_weight, zero_division
    )
    labels = _check_set_wise_labels(y_true, y_pred, average, labels, pos_label)
    tp, fp, fn, tn, weights = _label_counts(
        y_true,
        y_pred,
        labels=labels,
        sample_weight=sample_weight,
        samplewise=average == "samples",
    )
    support = tp + fn
    if average == "micro":
        tp, fp, fn, tn = (np.array([a.sum()]) for a in (tp, fp, fn, tn))
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
    if average == "weighted":
        avg_weights: np.ndarray | None = support
    elif average == "samples":
        avg_weights = weights
    else:
        avg_weights = None
    return _nan_average(rate, avg_weights)


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
    return _negative_rate(
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
    return _negative_rate(
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
    return _negative_rate(
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


for _f in (specificity_score, false_positive_rate, false_negative_rate):
    _f.__doc__ = (_f.__doc__ or "") + _PRF_DOC_PARAMS
del _f
specificity_score.__doc__ = (
    (specificity_score.__doc__ or "")
    + """
    Examples
    --------
    >>> from fastml.metrics import specificity_score
    >>> specificity_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
"""
)
