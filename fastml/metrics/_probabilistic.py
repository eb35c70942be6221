"""Metrics of predicted probabilities: the log loss (cross-entropy)."""

from __future__ import annotations

import warnings
from math import sqrt
from typing import Any

import numpy as np

from fastml.metrics._validation import (
    check_array_like,
    check_bool,
    check_metric_weights,
    check_y_arg,
)
from fastml.utils.multiclass import type_of_target
from fastml.utils.validation import check_array, check_consistent_length

__all__ = ["log_loss"]


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
            stacklevel=2,
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
