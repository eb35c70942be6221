"""Metrics of predicted probabilities: the log loss and the Brier score.

Both compare a one-hot encoding of the true labels with the predicted class
probabilities, after the checks scikit-learn 1.9 makes (probabilities in [0, 1], rows
summing to one, classes of y_true matching the columns); those checks are shared.
"""

from __future__ import annotations

import warnings
from math import sqrt
from typing import Any

import numpy as np

from fastml.metrics._validation import (
    assert_finite,
    check_array_like,
    check_bool,
    check_metric_weights,
    check_pos_label_type,
    check_y_arg,
    default_pos_label,
    raise_invalid,
)
from fastml.utils.multiclass import type_of_target
from fastml.utils.validation import check_array, check_consistent_length, column_or_1d

__all__ = ["brier_score_loss", "log_loss"]


def _one_hot(y_true: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """(n_samples, n_classes) indicator of y_true over the sorted classes."""
    y_arr = np.asarray(y_true)
    kind = type_of_target(y_arr, input_name="y_true")
    if kind == "multilabel-indicator":
        if labels is not None:
            classes = np.unique(np.asarray(labels))
        else:
            classes = np.arange(y_arr.shape[1])
        if classes.shape[0] == 1:
            _raise_one_label(classes, labels)
        return (y_arr != 0).astype(np.int64), classes
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"Unknown label type: {(y_true,)!r}")
    y_arr = y_arr.ravel() if y_arr.ndim == 2 and y_arr.shape[1] == 1 else y_arr
    if labels is not None:
        labels_arr = np.asarray(labels)
        classes = np.unique(labels_arr)
        if classes.shape != labels_arr.shape or not np.all(classes == labels_arr):
            warnings.warn(
                f"Labels passed were {labels}. But this function assumes labels are "
                "ordered lexicographically. Pass the ordered "
                f"labels={classes.tolist()} and ensure that the columns of y_prob "
                "correspond to this ordering.",
                UserWarning,
                stacklevel=3,
            )
        if not np.all(np.isin(y_arr, labels_arr)):
            undeclared = set(y_arr.tolist()) - set(labels_arr.tolist())
            raise ValueError(
                f"y_true contains values {undeclared} not belonging to the passed "
                f"labels {labels}."
            )
    else:
        classes = np.unique(y_arr)
    if classes.shape[0] == 1:
        _raise_one_label(classes, labels)
    onehot = (y_arr[:, None] == classes[None, :]).astype(np.int64)
    return onehot, classes


def _raise_one_label(classes: np.ndarray, labels: Any) -> None:
    if labels is None:
        raise ValueError(
            f"y_true contains only one label ({classes[0]}). Please provide the list "
            "of all expected class labels explicitly through the labels argument."
        )
    raise ValueError(
        f"The labels array needs to contain at least two labels, got {classes}."
    )


def _multiclass_proba(
    y_true: Any, proba: np.ndarray, sample_weight: Any, labels: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One-hot y_true, (n_samples, n_classes) probabilities and float weights.

    A 1-D (or one-column) ``proba`` is the probability of the larger of two classes.
    """
    if np.max(proba) > 1:
        raise ValueError(f"y_prob contains values greater than 1: {np.max(proba)}")
    if np.min(proba) < 0:
        raise ValueError(f"y_prob contains values lower than 0: {np.min(proba)}")
    check_consistent_length(proba, y_true, sample_weight)
    weights = check_metric_weights(sample_weight, proba.shape[0], keep_int=False)
    onehot, classes = _one_hot(y_true, labels)
    if proba.ndim == 1:
        proba = proba[:, None]
    if proba.shape[1] == 1:
        proba = np.concatenate([1 - proba, proba], axis=1)
    if onehot.shape[1] == 1:  # pragma: no cover - a binary one-hot has 2 columns
        onehot = np.concatenate([1 - onehot, onehot], axis=1)
    eps = np.finfo(proba.dtype).eps
    row_sums = proba.sum(axis=1)
    if not np.all(np.isclose(row_sums, 1, rtol=sqrt(eps))):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=3,
        )
    if classes.shape[0] != proba.shape[1]:
        if labels is None:
            raise ValueError(
                "y_true and y_prob contain different number of classes: "
                f"{onehot.shape[1]} vs {proba.shape[1]}. Please provide the true "
                "labels explicitly through the labels argument. Classes found in "
                f"y_true: {classes}"
            )
        raise ValueError(
            "The number of classes in labels is different from that in y_prob. "
            f"Classes found in labels: {classes}"
        )
    return onehot, proba, weights


def _binary_proba(
    y_true: Any, proba: np.ndarray, sample_weight: Any, pos_label: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One-hot y_true and (n_samples, 2) probabilities from the positive column.

    ``pos_label`` defaults to 1 for {0, 1} / {-1, 1} labels and otherwise to the
    larger label, unless the labels are strings.
    """
    y_arr = column_or_1d(y_true)
    prob = column_or_1d(proba)
    assert_finite(y_arr)
    assert_finite(prob)
    check_consistent_length(prob, y_arr, sample_weight)
    weights = check_metric_weights(sample_weight, prob.shape[0], keep_int=False)
    y_type = type_of_target(y_arr, input_name="y_true")
    if y_type != "binary":
        raise ValueError(
            f"The type of the target inferred from y_true is {y_type} but should be "
            "binary according to the shape of y_prob."
        )
    if np.max(prob) > 1:
        raise ValueError(f"y_prob contains values greater than 1: {np.max(prob)}")
    if np.min(prob) < 0:
        raise ValueError(f"y_prob contains values less than 0: {np.min(prob)}")
    try:
        pos_label = default_pos_label(pos_label, y_arr)
    except ValueError:
        classes = np.unique(y_arr)
        if classes.dtype.kind in "OUS":
            raise
        pos_label = classes[-1]
    is_pos = (y_arr == pos_label).astype(np.int64)
    onehot = np.stack([1 - is_pos, is_pos], axis=1)
    return onehot, np.stack([1 - prob, prob], axis=1), weights


def log_loss(
    y_true: Any,
    y_proba: Any = None,
    *,
    normalize: bool = True,
    sample_weight: Any = None,
    labels: Any = None,
    y_pred: Any = "deprecated",
) -> float:
    """Log loss (cross-entropy) of predicted class probabilities.

    ``-sum_i w_i log p_i[y_i] / sum_i w_i`` where ``p_i[y_i]`` is the probability given
    to the true class of sample i.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or label indicator matrix
        True labels.
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, columns in the sorted order of the classes (of
        ``labels`` when given). A 1-D array is the probability of the positive
        (larger) class of a binary problem.
    normalize : bool, default=True
        Mean loss per sample; False returns the (weighted) sum.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    labels : array-like, default=None
        All classes, when y_true does not contain every one of them.
    y_pred : array-like, deprecated
        Former name of ``y_proba`` (as in scikit-learn 1.9; FutureWarning).

    Returns
    -------
    loss : float

    Notes
    -----
    As in scikit-learn 1.9: probabilities are clipped to ``[eps, 1 - eps]`` with
    ``eps`` the machine epsilon of their dtype (float32 stays float32); rows that do
    not sum to one (relative tolerance ``sqrt(eps)``) raise a UserWarning and are
    used as they are, not renormalised; values outside [0, 1] are an error.

    Examples
    --------
    >>> from fastml.metrics import log_loss
    >>> round(log_loss(["spam", "ham", "ham", "spam"],
    ...                [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]), 6)
    0.216162
    """
    func = "log_loss"
    if not (isinstance(y_pred, str) and y_pred == "deprecated"):
        if y_proba is not None:
            raise ValueError(
                "Cannot use both `y_pred` and `y_proba`. `y_pred` is deprecated, use "
                "`y_proba` instead."
            )
        warnings.warn(
            "`y_pred` was renamed to `y_proba` in version 1.9 and will be removed in "
            "1.11. Use `y_proba` instead.",
            FutureWarning,
            stacklevel=2,
        )
        y_proba = y_pred
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_proba, "y_proba", func)
    check_bool(normalize, "normalize", func)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    check_array_like(labels, "labels", func, allow_none=True)

    proba = check_array(y_proba, ensure_2d=False, dtype=(np.float64, np.float32))
    onehot, proba, weights = _multiclass_proba(y_true, proba, sample_weight, labels)
    eps = np.finfo(proba.dtype).eps
    proba = np.clip(proba, eps, 1 - eps)
    # Exactly one non-zero term per row for single-label targets: -log p[i, y_i].
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(onehot != 0, onehot.astype(proba.dtype) * np.log(proba), 0)
    loss = -np.sum(terms.astype(proba.dtype, copy=False), axis=1)
    if weights is None:
        return float(np.mean(loss) if normalize else np.sum(loss))
    if normalize:
        return float(np.average(loss, weights=weights))
    return float(np.dot(loss, weights))


def brier_score_loss(
    y_true: Any,
    y_proba: Any,
    *,
    sample_weight: Any = None,
    pos_label: Any = None,
    labels: Any = None,
    scale_by_half: bool | str = "auto",
) -> float:
    """Brier score: mean squared distance between probabilities and the outcome.

    ``sum_i w_i sum_k (p_ik - [y_i = k])^2 / sum_i w_i`` over the classes k, halved
    for two classes (then it is the mean of ``(p_i - [y_i positive])^2`` over the
    positive-class probabilities). A strictly proper scoring rule: lower is better.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_proba : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities: of the positive class (1-D), or of every class with
        columns in the sorted order of the classes (of ``labels`` when given).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    pos_label : int, float, bool or str, default=None
        1-D ``y_proba`` only: the positive class. Default: 1 for {0, 1} or {-1, 1}
        labels, otherwise the larger label (strings must name it).
    labels : array-like, default=None
        2-D ``y_proba`` only: all classes, when y_true lacks some of them.
    scale_by_half : bool or "auto", default="auto"
        Halve the sum over classes; "auto" halves for two classes only, which gives
        the usual binary Brier score in [0, 1].

    Returns
    -------
    loss : float

    Examples
    --------
    >>> from fastml.metrics import brier_score_loss
    >>> round(brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 6)
    0.0375
    >>> round(brier_score_loss([0, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1],
    ...                                    [0.2, 0.2, 0.6]]), 6)
    0.146667
    """
    func = "brier_score_loss"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_proba, "y_proba", func)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    check_pos_label_type(pos_label, func, allow_none=True)
    check_array_like(labels, "labels", func, allow_none=True)
    if not (
        isinstance(scale_by_half, (bool, np.bool_))
        or (isinstance(scale_by_half, str) and scale_by_half == "auto")
    ):
        raise_invalid(
            func,
            "scale_by_half",
            "an instance of 'bool' or an instance of 'numpy.bool' or a str among "
            "{'auto'}",
            scale_by_half,
        )
    proba = check_array(y_proba, ensure_2d=False, dtype=(np.float64, np.float32))
    if proba.ndim == 1 or proba.shape[1] == 1:
        onehot, proba, weights = _binary_proba(y_true, proba, sample_weight, pos_label)
    else:
        onehot, proba, weights = _multiclass_proba(y_true, proba, sample_weight, labels)
    squared = np.sum((onehot.astype(proba.dtype) - proba) ** 2, axis=1)
    score = np.average(squared, weights=weights)
    if scale_by_half == "auto":
        scale_by_half = proba.shape[1] < 3
    if scale_by_half:
        score *= 0.5
    return float(score)
