"""Ranking metrics of scores: ROC and PR curves, ROC AUC, average precision.

All of them run on the sort-based kernels of ``fastml.kernels.metrics.ranking``:

- unweighted binary scores are split by class and each part sorted with ``np.sort``
  (no stable arg-sort); one merge pass gives the cumulative counts at every distinct
  threshold, or the ROC AUC / average precision directly, without intermediate arrays;
- weighted scores take a stable descending arg-sort and one cumulative pass (zero
  weights are dropped first, as scikit-learn does).

Definitions, defaults, warnings and error messages are those of scikit-learn 1.9's
``sklearn.metrics`` (multiclass one-vs-rest / one-vs-one ROC AUC, multilabel
averaging, ``max_fpr`` partial AUC with the McClish correction included).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np

from fastml.exceptions import UndefinedMetricWarning
from fastml.metrics._validation import (
    assert_finite,
    check_array_like,
    check_bool,
    check_pos_label_type,
    check_str_option,
    check_y_arg,
    default_pos_label,
    fast_unique,
    raise_invalid,
    target_type,
)
from fastml.utils.validation import check_array, check_consistent_length, column_or_1d

__all__ = [
    "auc",
    "average_precision_score",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
]


# ---------------------------------------------------------------------------------
# binary core


def _canonical_scores(y_score: np.ndarray) -> np.ndarray:
    """float64 / float32 C-contiguous scores (other numeric dtypes become float64)."""
    if y_score.dtype not in (np.float64, np.float32):
        y_score = y_score.astype(np.float64)
    return np.ascontiguousarray(y_score)


class _BinaryInput:
    """Validated binary ranking problem: positive mask, scores and weights."""

    __slots__ = ("is_pos", "score", "weight", "score_dtype")

    def __init__(
        self,
        is_pos: np.ndarray,
        score: np.ndarray,
        weight: np.ndarray | None,
        score_dtype: np.dtype,
    ) -> None:
        self.is_pos = is_pos
        self.score = score
        self.weight = weight
        self.score_dtype = score_dtype


def _binary_input(
    y_true: Any, y_score: Any, pos_label: Any, sample_weight: Any
) -> _BinaryInput:
    """scikit-learn's checks for a binary ranking problem, then canonical arrays."""
    y_type = target_type(y_true, "y_true")
    if not (y_type == "binary" or (y_type == "multiclass" and pos_label is not None)):
        raise ValueError(f"{y_type} format is not supported")
    y_true_arr = np.asarray(y_true)
    pos_label = default_pos_label(pos_label, y_true_arr)
    return _mask_input(np.asarray(y_true_arr == pos_label), y_score, sample_weight)


def _mask_input(is_pos: np.ndarray, y_score: Any, sample_weight: Any) -> _BinaryInput:
    """Checks and canonical arrays for a boolean positive mask and its scores."""
    check_consistent_length(is_pos, y_score, sample_weight)
    is_pos = column_or_1d(is_pos).astype(bool, copy=False)
    score = column_or_1d(y_score)
    if score.dtype.kind not in "biuf":
        score = np.asarray(score, dtype=np.float64)
    assert_finite(score)
    score_dtype = score.dtype
    weight = None
    if sample_weight is not None:
        weight = column_or_1d(sample_weight)
        weight = check_array(
            weight,
            ensure_2d=False,
            dtype=(np.float64, np.float32),
            ensure_min_samples=0,
            input_name="sample_weight",
        ).astype(np.float64, copy=False)
        if not np.any(weight != 0):
            raise ValueError(
                "Sample weights must contain at least one non-zero number."
            )
        keep = weight != 0
        if not np.all(keep):
            is_pos, score, weight = is_pos[keep], score[keep], weight[keep]
    return _BinaryInput(
        np.ascontiguousarray(is_pos),
        _canonical_scores(score),
        None if weight is None else np.ascontiguousarray(weight),
        score_dtype,
    )


def _split_sorted(data: _BinaryInput) -> tuple[np.ndarray, np.ndarray]:
    from fastml.kernels.metrics.ranking import split_scores

    pos, neg = split_scores(data.score, data.is_pos)
    pos.sort()
    neg.sort()
    return pos, neg


def _threshold_counts(
    data: _BinaryInput,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fps, tps, thresholds) at the distinct scores, decreasing."""
    from fastml.kernels.metrics.ranking import (
        count_thresholds_sorted,
        count_thresholds_weighted,
    )

    if data.weight is None:
        pos, neg = _split_sorted(data)
        fps, tps, thr = count_thresholds_sorted(pos, neg)
    else:
        # Stable descending order (ties keep their input order).
        order = np.argsort(-data.score, kind="stable")
        fps, tps, thr = count_thresholds_weighted(
            np.ascontiguousarray(data.score[order]),
            np.ascontiguousarray(data.is_pos[order]),
            np.ascontiguousarray(data.weight[order]),
        )
    if data.score_dtype != thr.dtype:
        thr = thr.astype(data.score_dtype)
    return fps, tps, thr


def _curve_counts(
    func: str,
    y_true: Any,
    y_score: Any,
    pos_label: Any,
    sample_weight: Any,
    drop_intermediate: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parameter checks of a curve function, then its threshold counts."""
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_score, "y_score", func)
    check_pos_label_type(pos_label, func, allow_none=True)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    check_bool(drop_intermediate, "drop_intermediate", func)
    data = _binary_input(y_true, y_score, pos_label, sample_weight)
    return _threshold_counts(data)


def _roc_from_counts(
    fps: np.ndarray, tps: np.ndarray, thr: np.ndarray, drop_intermediate: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate(
            [[True], (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0), [True]]
        )
        fps, tps, thr = fps[keep], tps[keep], thr[keep]
    tps = np.concatenate([[0.0], tps])
    fps = np.concatenate([[0.0], fps])
    thresholds = np.concatenate([[np.inf], thr.astype(np.float64)])
    if fps[-1] <= 0:
        warnings.warn(
            "No negative samples in y_true, false positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warnings.warn(
            "No positive samples in y_true, true positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def roc_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic curve of a binary problem.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels: {0, 1} or {-1, 1}, otherwise give ``pos_label``.
    y_score : array-like of shape (n_samples,)
        Scores, larger meaning more positive (probabilities or decision values).
    pos_label : int, float, bool or str, default=None
        The positive class (default 1, allowed only for {0, 1} / {-1, 1} labels).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights; rows of weight 0 are dropped (with their thresholds).
    drop_intermediate : bool, default=True
        Drop points that lie on a straight segment between their neighbours (they
        change neither the area nor the curve's shape).

    Returns
    -------
    fpr : ndarray of shape (n_thresholds + 1,)
        False positive rate when predicting positive for ``score >= thresholds[i]``.
    tpr : ndarray of shape (n_thresholds + 1,)
        True positive rate at the same thresholds.
    thresholds : ndarray of shape (n_thresholds + 1,), float64
        Decreasing; the first one is ``inf`` (nothing predicted positive).

    Notes
    -----
    With no negative (positive) sample the fpr (tpr) is NaN, with an
    UndefinedMetricWarning. Computed by the sort-and-merge kernel
    ``count_thresholds_sorted`` (weighted: ``count_thresholds_weighted``).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.metrics import roc_curve
    >>> fpr, tpr, thresholds = roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8],
    ...                                  pos_label=2)
    >>> fpr
    array([0. , 0. , 0.5, 0.5, 1. ])
    >>> thresholds
    array([ inf, 0.8 , 0.4 , 0.35, 0.1 ])
    """
    fps, tps, thr = _curve_counts(
        "roc_curve", y_true, y_score, pos_label, sample_weight, drop_intermediate
    )
    return _roc_from_counts(fps, tps, thr, bool(drop_intermediate))


def precision_recall_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision-recall pairs at every distinct threshold of a binary problem.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels: {0, 1} or {-1, 1}, otherwise give ``pos_label``.
    y_score : array-like of shape (n_samples,)
        Scores, larger meaning more positive.
    pos_label : int, float, bool or str, default=None
        The positive class.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    drop_intermediate : bool, default=False
        Drop thresholds where the recall does not change on either side (points
        that do not appear in a plotted step curve).

    Returns
    -------
    precision : ndarray of shape (n_thresholds + 1,)
        Precision at ``score >= thresholds[i]``, increasing thresholds; the last
        element is 1 (nothing predicted). A 0/0 precision is 0.
    recall : ndarray of shape (n_thresholds + 1,)
        Recall, decreasing; the last element is 0.
    thresholds : ndarray of shape (n_thresholds,)
        The distinct scores, increasing, in the dtype of ``y_score``.

    Notes
    -----
    With no positive sample the recall is set to 1 everywhere, with a UserWarning.

    Examples
    --------
    >>> from fastml.metrics import precision_recall_curve
    >>> p, r, t = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> p
    array([0.5       , 0.66666667, 0.5       , 1.        , 1.        ])
    >>> r
    array([1. , 1. , 0.5, 0.5, 0. ])
    >>> t
    array([0.1 , 0.35, 0.4 , 0.8 ])
    """
    fps, tps, thr = _curve_counts(
        "precision_recall_curve",
        y_true,
        y_score,
        pos_label,
        sample_weight,
        drop_intermediate,
    )
    return _pr_from_counts(fps, tps, thr, bool(drop_intermediate))


def _pr_from_counts(
    fps: np.ndarray, tps: np.ndarray, thr: np.ndarray, drop_intermediate: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate(
            [[True], (np.diff(tps[:-1]) != 0) | (np.diff(tps[1:]) != 0), [True]]
        )
        fps, tps, thr = fps[keep], tps[keep], thr[keep]
    ps = tps + fps
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(ps != 0, tps / ps, 0.0)
    if tps[-1] == 0:
        warnings.warn(
            "No positive class found in y_true, recall is set to one for all "
            "thresholds.",
            UserWarning,
            stacklevel=3,
        )
        recall = np.ones(tps.shape)
    else:
        recall = tps / tps[-1]
    return (
        np.concatenate([precision[::-1], [1.0]]),
        np.concatenate([recall[::-1], [0.0]]),
        thr[::-1].copy(),
    )


def auc(x: Any, y: Any) -> float:
    """Area under a curve given by points, with the trapezoidal rule.

    Parameters
    ----------
    x : array-like of shape (n,)
        Abscissae, monotonic (increasing or decreasing).
    y : array-like of shape (n,)
        Ordinates.

    Returns
    -------
    area : float

    Examples
    --------
    >>> from fastml.metrics import auc
    >>> auc([0, 0.5, 1], [0, 0.75, 1])
    0.625
    """
    check_y_arg(x, "x", "auc")
    check_y_arg(y, "y", "auc")
    check_consistent_length(x, y)
    x_arr = column_or_1d(x)
    y_arr = column_or_1d(y)
    if x_arr.shape[0] < 2:
        raise ValueError(
            "At least 2 points are needed to compute area under curve, but x.shape = "
            f"{x_arr.shape[0]}"
        )
    direction = 1
    dx = np.diff(x_arr)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
        else:
            raise ValueError(f"x is neither increasing nor decreasing : {x_arr}.")
    return float(direction * np.trapezoid(y_arr, x_arr))


# ---------------------------------------------------------------------------------
# scalar binary scores


def _binary_roc_auc(
    y_true: np.ndarray, y_score: Any, sample_weight: Any, max_fpr: float | None
) -> float:
    """ROC AUC of a 0/1 (or bool) target; NaN and a warning with one class."""
    y_true = np.asarray(y_true)
    is_pos = y_true if y_true.dtype == np.bool_ else y_true == 1
    if y_true.shape[0] == 0 or bool(is_pos.all()) or not bool(is_pos.any()):
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in "
            "that case.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return float("nan")
    data = _mask_input(is_pos, y_score, sample_weight)
    if data.weight is None and (max_fpr is None or max_fpr == 1):
        from fastml.kernels.metrics.ranking import compute_auc_sorted

        pos, neg = _split_sorted(data)
        return float(compute_auc_sorted(pos, neg))
    fps, tps, thr = _threshold_counts(data)
    fpr, tpr, _ = _roc_from_counts(fps, tps, thr, True)
    if max_fpr is None or max_fpr == 1:
        return auc(fpr, tpr)
    stop = int(np.searchsorted(fpr, max_fpr, "right"))
    x_interp = [fpr[stop - 1], fpr[stop]]
    y_interp = [tpr[stop - 1], tpr[stop]]
    tpr = np.append(tpr[:stop], np.interp(max_fpr, x_interp, y_interp))
    fpr = np.append(fpr[:stop], max_fpr)
    partial_auc = auc(fpr, tpr)
    # McClish correction: 0.5 for the diagonal, 1 for a perfect ranking.
    min_area = 0.5 * max_fpr**2
    max_area = max_fpr
    return float(0.5 * (1 + (partial_auc - min_area) / (max_area - min_area)))


def _binary_average_precision(
    y_true: np.ndarray, y_score: Any, sample_weight: Any, pos_label: Any
) -> float:
    data = _binary_input(y_true, y_score, pos_label, sample_weight)
    if data.weight is None:
        from fastml.kernels.metrics.ranking import compute_average_precision_sorted

        pos, neg = _split_sorted(data)
        if pos.shape[0] > 0:
            return float(max(0.0, compute_average_precision_sorted(pos, neg)))
    fps, tps, thr = _threshold_counts(data)
    precision, recall, _ = _pr_from_counts(fps, tps, thr, False)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def _average_binary_score(
    metric: Callable[[np.ndarray, np.ndarray, Any], float],
    y_true: Any,
    y_score: Any,
    average: str | None,
    sample_weight: Any,
) -> Any:
    """Apply a binary metric to a binary target, or per label of an indicator matrix."""
    y_type = target_type(y_true, "")
    if y_type not in ("binary", "multilabel-indicator"):
        raise ValueError(f"{y_type} format is not supported")
    if y_type == "binary":
        return metric(y_true, y_score, sample_weight)
    check_consistent_length(y_true, y_score, sample_weight)
    y_true = check_array(y_true)
    y_score = check_array(y_score)
    axis = 1
    score_weight = sample_weight
    average_weight = None
    if average == "micro":
        if score_weight is not None:
            score_weight = np.repeat(np.asarray(score_weight), y_true.shape[1])
        y_true = y_true.ravel()
        y_score = y_score.ravel()
    elif average == "weighted":
        if score_weight is not None:
            average_weight = np.sum(
                y_true * np.asarray(score_weight, dtype=np.float64).reshape(-1, 1),
                axis=0,
            )
        else:
            average_weight = np.sum(y_true, axis=0)
        if np.isclose(np.sum(average_weight), 0):
            return 0
    elif average == "samples":
        average_weight = None if score_weight is None else np.asarray(score_weight)
        score_weight = None
        axis = 0
    if y_true.ndim == 1:
        y_true = y_true.reshape(-1, 1)
    if y_score.ndim == 1:
        y_score = y_score.reshape(-1, 1)
    n_parts = y_score.shape[axis]
    scores = np.zeros(n_parts)
    for c in range(n_parts):
        if axis == 1:
            part_true, part_score = y_true[:, c], y_score[:, c]
        else:
            part_true, part_score = y_true[c, :], y_score[c, :]
        scores[c] = metric(part_true, part_score, score_weight)
    if average is None:
        return scores
    if average_weight is not None:
        scores[average_weight == 0] = 0
        return float(np.average(scores, weights=average_weight))
    return float(np.mean(scores))


def _label_binarize(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """(n_samples, n_classes) 0/1 indicator of a 1-D label vector."""
    return (y.reshape(-1, 1) == classes.reshape(1, -1)).astype(np.int64)


# ---------------------------------------------------------------------------------
# public scalar scores


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: Any = None,
) -> Any:
    """Area under the ROC curve (binary, multiclass or multilabel).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_classes)
        True labels, or a label indicator matrix (multilabel).
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Binary: the score of the larger label. Multiclass: probabilities, one
        column per class (sorted labels), rows summing to 1. Multilabel: one score
        column per label.
    average : {"micro", "macro", "samples", "weighted"} or None, default="macro"
        Multiclass/multilabel averaging ("micro" only with ``multi_class="ovr"`` or
        multilabel, "samples" only multilabel; None returns per-class scores and is
        not available for "ovo").
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights (not for ``multi_class="ovo"``).
    max_fpr : float in (0, 1], default=None
        Binary only: standardised partial AUC over ``fpr <= max_fpr`` (McClish).
    multi_class : {"raise", "ovr", "ovo"}, default="raise"
        Multiclass strategy: one-vs-rest or one-vs-one (Hand & Till pairs);
        "raise" makes multiclass input an error.
    labels : array-like of shape (n_classes,), default=None
        Multiclass: the classes of the columns of ``y_score`` (sorted, unique).

    Returns
    -------
    auc : float, or ndarray of shape (n_classes,) when ``average=None``
        One class in a binary y_true: NaN with an UndefinedMetricWarning.

    Notes
    -----
    Unweighted binary input runs the sort-and-merge kernel ``compute_auc_sorted``
    (the two classes sorted separately with ``np.sort``, exact int64 area).

    Examples
    --------
    >>> from fastml.metrics import roc_auc_score
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    func = "roc_auc_score"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_score, "y_score", func)
    check_str_option(
        average,
        "average",
        func,
        ("macro", "micro", "samples", "weighted"),
        allow_none=True,
    )
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    if max_fpr is not None and (
        isinstance(max_fpr, bool)
        or not isinstance(max_fpr, numbers.Real)
        or not 0 < max_fpr <= 1
    ):
        raise_invalid(
            func, "max_fpr", "a float in the range (0.0, 1.0] or None", max_fpr
        )
    check_str_option(multi_class, "multi_class", func, ("ovo", "ovr", "raise"))
    check_array_like(labels, "labels", func, allow_none=True)

    y_type = target_type(y_true, "y_true")
    y_true_arr = check_array(y_true, ensure_2d=False, dtype=None)
    y_score_arr = check_array(y_score, ensure_2d=False)
    weights = None if sample_weight is None else column_or_1d(sample_weight)
    if y_type == "multiclass" or (
        y_type == "binary" and y_score_arr.ndim == 2 and y_score_arr.shape[1] > 2
    ):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(
                "Partial AUC computation not available in multiclass setting, "
                f"'max_fpr' must be set to `None`, received `max_fpr={max_fpr}` "
                "instead"
            )
        if multi_class == "raise":
            raise ValueError("multi_class must be in ('ovo', 'ovr')")
        return _multiclass_roc_auc(
            y_true_arr, y_score_arr, labels, multi_class, average, weights
        )

    def metric(t: np.ndarray, s: np.ndarray, w: Any) -> float:
        return _binary_roc_auc(t, s, w, max_fpr)

    if y_type == "binary":
        y_1d = column_or_1d(y_true_arr)
        classes = fast_unique(y_1d)
        if classes.shape[0] == 2:
            y_01 = (y_1d == classes[1]).astype(np.int64)
        else:
            y_01 = np.zeros(y_1d.shape[0], dtype=np.int64)
        return _average_binary_score(metric, y_01, y_score_arr, average, weights)
    return _average_binary_score(metric, y_true_arr, y_score_arr, average, weights)


def _multiclass_roc_auc(
    y_true: np.ndarray,
    y_score: np.ndarray,
    labels: Any,
    multi_class: str,
    average: str | None,
    sample_weight: Any,
) -> Any:
    if y_score.ndim != 2:
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` "
            f"contains multiple classes. Got `y_score.shape={y_score.shape}`."
        )
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError(
            "Target scores need to be probabilities for multiclass roc_auc, i.e. they "
            "should sum up to 1.0 over classes"
        )
    average_options: tuple[str | None, ...] = ("macro", "weighted", None)
    if multi_class == "ovr":
        average_options = ("micro", *average_options)
    if average not in average_options:
        raise ValueError(
            f"average must be one of {average_options} for multiclass problems"
        )
    if average is None and multi_class == "ovo":
        raise NotImplementedError(
            "average=None is not implemented for multi_class='ovo'."
        )
    y_true = column_or_1d(y_true)
    if labels is not None:
        labels_arr = column_or_1d(labels)
        classes = np.unique(labels_arr)
        if len(classes) != len(labels_arr):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, labels_arr):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                f"Number of given labels, {len(classes)}, not equal to the number of "
                f"columns in 'y_score', {y_score.shape[1]}"
            )
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError(
                "Number of classes in y_true not equal to the number of columns in "
                "'y_score'"
            )
    if multi_class == "ovo":
        if sample_weight is not None:
            raise ValueError(
                "sample_weight is not supported for multiclass one-vs-one ROC AUC, "
                "'sample_weight' must be None in this case."
            )
        y_idx = np.searchsorted(classes, y_true)
        return _ovo_average(y_idx, y_score, average)

    def metric(t: np.ndarray, s: np.ndarray, w: Any) -> float:
        return _binary_roc_auc(t, s, w, None)

    return _average_binary_score(
        metric, _label_binarize(y_true, classes), y_score, average, sample_weight
    )


def _ovo_average(y_idx: np.ndarray, y_score: np.ndarray, average: str | None) -> float:
    """Hand & Till: mean over class pairs of the two one-against-the-other AUCs."""
    present = np.unique(y_idx)
    n_pairs = present.shape[0] * (present.shape[0] - 1) // 2
    pair_scores = np.empty(n_pairs)
    prevalence = np.empty(n_pairs) if average == "weighted" else None
    for k, (a, b) in enumerate(combinations(present.tolist(), 2)):
        a_mask = y_idx == a
        b_mask = y_idx == b
        ab_mask = a_mask | b_mask
        if prevalence is not None:
            prevalence[k] = np.average(ab_mask)
        a_auc = _binary_roc_auc(a_mask[ab_mask], y_score[ab_mask, a], None, None)
        b_auc = _binary_roc_auc(b_mask[ab_mask], y_score[ab_mask, b], None, None)
        pair_scores[k] = (a_auc + b_auc) / 2
    return float(np.average(pair_scores, weights=prevalence))


def average_precision_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    pos_label: Any = 1,
    sample_weight: Any = None,
) -> Any:
    """Average precision: the step-wise area under the precision-recall curve.

    ``AP = sum_k (R_k - R_{k-1}) P_k`` over the thresholds, decreasing (no
    interpolation).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_classes)
        True labels (binary or multiclass) or a label indicator matrix.
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Scores; one column per class (sorted labels) for multiclass targets.
    average : {"micro", "samples", "weighted", "macro"} or None, default="macro"
        Averaging over classes/labels (multiclass targets are one-vs-rest).
    pos_label : int, float, bool or str, default=1
        Binary only: the positive class.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    average_precision : float, or ndarray when ``average=None``
        No positive sample: 0.0 with a UserWarning.

    Notes
    -----
    Unweighted binary input runs ``compute_average_precision_sorted`` (sorted
    classes merged, Kahan-summed).

    Examples
    --------
    >>> from fastml.metrics import average_precision_score
    >>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 6)
    0.833333
    """
    func = "average_precision_score"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_score, "y_score", func)
    check_str_option(
        average,
        "average",
        func,
        ("macro", "micro", "samples", "weighted"),
        allow_none=True,
    )
    check_pos_label_type(pos_label, func, allow_none=False)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    weights = None if sample_weight is None else column_or_1d(sample_weight)
    y_type = target_type(y_true, "y_true")
    y_true_arr = np.asarray(y_true)
    present = fast_unique(y_true_arr) if y_true_arr.ndim == 1 else np.unique(y_true_arr)
    y_score_arr: Any = y_score
    if y_type == "binary":
        if present.shape[0] == 2 and pos_label not in present:
            raise ValueError(
                f"pos_label={pos_label} is not a valid label. It should be one of "
                f"{present}"
            )
    elif y_type == "multilabel-indicator" and pos_label != 1:
        raise ValueError(
            "Parameter pos_label is fixed to 1 for multilabel-indicator y_true. Do not "
            "set pos_label or set pos_label to 1."
        )
    elif y_type == "multiclass":
        if pos_label != 1:
            raise ValueError(
                "Parameter pos_label is fixed to 1 for multiclass y_true. Do not set "
                "pos_label or set pos_label to 1."
            )
        y_true_arr = _label_binarize(column_or_1d(y_true_arr), present)
        y_score_arr = np.asarray(y_score)
        if y_score_arr.shape != y_true_arr.shape:
            raise ValueError(
                "`y_score` needs to be of shape `(n_samples, n_classes)`, since "
                "`y_true` contains multiple classes. Got "
                f"`y_score.shape={y_score_arr.shape}`."
            )

    def metric(t: np.ndarray, s: np.ndarray, w: Any) -> float:
        return _binary_average_precision(t, s, w, pos_label)

    return _average_binary_score(metric, y_true_arr, y_score_arr, average, weights)
