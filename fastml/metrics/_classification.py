"""Classification metrics from label predictions: the confusion-count core.

Every count comes from one pass of the Cython kernel
``fastml.kernels.metrics._counting.count_confusion`` over index-encoded labels
(OpenMP blocks summed in a fixed order, so results do not depend on the thread
count): the confusion matrix, the scores read off it (accuracy, balanced accuracy,
the Matthews correlation coefficient) and the per-label one-vs-rest counts behind
precision, recall and the other set-wise scores (``fastml.metrics._precision_recall``).
The definitions, defaults, warnings and error messages are those of scikit-learn's
``sklearn.metrics`` (version 1.9).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fastml.metrics._validation import (
    check_array_like,
    check_bool,
    check_str_option,
    check_targets,
    check_y_arg,
    default_n_threads,
    encode_with,
)
from fastml.utils.validation import check_consistent_length

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "confusion_matrix",
    "matthews_corrcoef",
]


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


def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, adjusted: bool = False
) -> float:
    """Balanced accuracy: the mean over classes of the recall of each class.

    Equal to the accuracy with sample weights that give every true class the same
    total weight, so a constant prediction scores ``1 / n_classes``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    adjusted : bool, default=False
        Rescale so that chance level scores 0 and a perfect prediction 1:
        ``(score - 1 / n) / (1 - 1 / n)`` with n the number of classes in y_true.

    Returns
    -------
    balanced_accuracy : float
        Classes predicted but absent from y_true are left out, with a UserWarning.

    Examples
    --------
    >>> from fastml.metrics import balanced_accuracy_score
    >>> balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])
    0.625
    """
    func = "balanced_accuracy_score"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    check_bool(adjusted, "adjusted", func)
    cm = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diagonal(cm) / cm.sum(axis=1)
    if np.any(np.isnan(per_class)):
        warnings.warn(
            "y_pred contains classes not in y_true", UserWarning, stacklevel=2
        )
        per_class = per_class[~np.isnan(per_class)]
    score = np.mean(per_class)
    if adjusted:
        chance = 1 / per_class.shape[0]
        score = (score - chance) / (1 - chance)
    return float(score)


def matthews_corrcoef(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Matthews correlation coefficient (phi coefficient for two classes).

    The correlation between the one-hot encodings of the true and the predicted
    labels, from the confusion matrix C (Gorodkin's K-category form):
    ``(c s - t.p) / sqrt((s^2 - p.p) (s^2 - t.t))`` with ``c = trace(C)``, ``s`` the
    total, ``t`` the row sums and ``p`` the column sums.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    mcc : float
        In [-1, 1]: 1 for a perfect prediction, 0 for chance level; 0.0 when a
        denominator term is 0 (one true or one predicted class).

    Examples
    --------
    >>> from fastml.metrics import matthews_corrcoef
    >>> round(matthews_corrcoef([1, 1, 1, -1], [1, -1, 1, 1]), 4)
    -0.3333
    """
    func = "matthews_corrcoef"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    y_type, _, y_true_arr, y_pred_arr, weights = check_targets(
        y_true, y_pred, sample_weight
    )
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{y_type} is not supported")
    cm = confusion_matrix(y_true_arr, y_pred_arr, sample_weight=weights)
    t_sum = cm.sum(axis=1, dtype=np.float64)
    p_sum = cm.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(cm, dtype=np.float64)
    n_samples = p_sum.sum()
    cov_true_pred = n_correct * n_samples - np.dot(t_sum, p_sum)
    cov_pred_pred = n_samples**2 - np.dot(p_sum, p_sum)
    cov_true_true = n_samples**2 - np.dot(t_sum, t_sum)
    denominator = cov_pred_pred * cov_true_true
    if denominator == 0:
        return 0.0
    return float(cov_true_pred / np.sqrt(denominator))


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
