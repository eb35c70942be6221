"""Decision-threshold selection from the ROC and precision-recall trade-offs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from fastml.metrics._ranking import _binary_input, _threshold_counts
from fastml.metrics._validation import (
    check_array_like,
    check_pos_label_type,
    check_y_arg,
)

__all__ = ["ThresholdSelection", "select_thresholds"]


@dataclass(frozen=True)
class ThresholdSelection:
    """Result of :func:`select_thresholds`.

    A sample is predicted positive when ``score >= threshold``. Every threshold is
    one of the distinct scores, or ``inf`` (nothing predicted positive).

    Attributes
    ----------
    pareto_fpr, pareto_tpr : ndarray of shape (n_pareto,)
        The Pareto-optimal ROC points (no other threshold has a lower or equal false
        positive rate and a higher or equal true positive rate, one strictly): the
        upper-left corners of the ROC staircase, by increasing fpr (and tpr).
    pareto_thresholds : ndarray of shape (n_pareto,)
        The largest threshold reaching each of those points (decreasing).
    youden_threshold : float
        Threshold maximising Youden's J = TPR - FPR (the largest one on ties).
    youden_j, youden_fpr, youden_tpr : float
        J, FPR and TPR at that threshold.
    f1_threshold : float
        Threshold maximising F1 = 2 TP / (2 TP + FP + FN) (the largest on ties).
    f1, f1_precision, f1_recall : float
        F1, precision and recall at that threshold.
    """

    pareto_fpr: np.ndarray
    pareto_tpr: np.ndarray
    pareto_thresholds: np.ndarray
    youden_threshold: float
    youden_j: float
    youden_fpr: float
    youden_tpr: float
    f1_threshold: float
    f1: float
    f1_precision: float
    f1_recall: float

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (arrays stay arrays)."""
        return asdict(self)


def select_thresholds(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
) -> ThresholdSelection:
    """Pick decision thresholds for a binary scorer: ROC Pareto front, Youden, F1.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels: {0, 1} or {-1, 1}, otherwise give ``pos_label``. Both classes
        must be present (with non-zero weight).
    y_score : array-like of shape (n_samples,)
        Scores, larger meaning more positive.
    pos_label : int, float, bool or str, default=None
        The positive class.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights (counts become weight sums).

    Returns
    -------
    selection : ThresholdSelection
        The Pareto-optimal (FPR, TPR) points with their thresholds, the
        Youden-optimal and the F1-optimal thresholds (``selection.to_dict()`` for a
        dict).

    Notes
    -----
    All three come from one pass of the ranking kernel (the cumulative counts
    ``fps``, ``tps`` at every distinct score, as in :func:`roc_curve` without
    ``drop_intermediate``), plus the point ``(0, 0)`` at threshold ``inf``:

    - the ROC points form a monotone staircase, so a point is Pareto-optimal iff the
      next lower threshold adds false positives (or it is the last point) and the
      next higher threshold has fewer true positives (or it is the first point);
      Youden's optimum is always one of them;
    - ``J = tps / P - fps / N``;
    - ``F1 = 2 tps / (tps + fps + P)`` (0 at ``inf``, where nothing is predicted).

    Examples
    --------
    >>> from fastml.metrics import select_thresholds
    >>> sel = select_thresholds([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.5, 0.9])
    >>> sel.pareto_thresholds
    array([0.8 , 0.35])
    >>> sel.pareto_fpr, sel.pareto_tpr
    (array([0.        , 0.66666667]), array([0.66666667, 1.        ]))
    >>> float(sel.youden_threshold), round(sel.youden_j, 4)
    (0.8, 0.6667)
    >>> float(sel.f1_threshold), round(sel.f1, 4)
    (0.8, 0.8)
    """
    func = "select_thresholds"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_score, "y_score", func)
    check_pos_label_type(pos_label, func, allow_none=True)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    data = _binary_input(y_true, y_score, pos_label, sample_weight)
    if data.weight is not None and np.any(data.weight < 0):
        raise ValueError("Negative values in data passed to sample_weight")
    fps, tps, thr = _threshold_counts(data)
    n_pos = tps[-1] if tps.shape[0] else 0.0
    n_neg = fps[-1] if fps.shape[0] else 0.0
    if n_pos <= 0 or n_neg <= 0:
        raise ValueError(
            "select_thresholds needs both classes in y_true (with positive total "
            f"weight); got positive weight {n_pos} and negative weight {n_neg}."
        )
    fps = np.concatenate([[0.0], fps])
    tps = np.concatenate([[0.0], tps])
    thresholds = np.concatenate([[np.inf], thr.astype(np.float64)])
    fpr = fps / n_neg
    tpr = tps / n_pos

    n = fps.shape[0]
    next_adds_fp = np.ones(n, dtype=bool)
    next_adds_fp[:-1] = fps[1:] > fps[:-1]
    prev_fewer_tp = np.ones(n, dtype=bool)
    prev_fewer_tp[1:] = tps[:-1] < tps[1:]
    pareto = next_adds_fp & prev_fewer_tp

    j = tpr - fpr
    k_j = int(np.argmax(j))
    f1 = 2 * tps / (tps + fps + n_pos)
    k_f1 = int(np.argmax(f1))
    predicted = tps[k_f1] + fps[k_f1]
    precision = tps[k_f1] / predicted if predicted > 0 else 0.0
    return ThresholdSelection(
        pareto_fpr=fpr[pareto],
        pareto_tpr=tpr[pareto],
        pareto_thresholds=thresholds[pareto],
        youden_threshold=float(thresholds[k_j]),
        youden_j=float(j[k_j]),
        youden_fpr=float(fpr[k_j]),
        youden_tpr=float(tpr[k_j]),
        f1_threshold=float(thresholds[k_f1]),
        f1=float(f1[k_f1]),
        f1_precision=float(precision),
        f1_recall=float(tpr[k_f1]),
    )
