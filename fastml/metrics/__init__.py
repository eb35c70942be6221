"""Model evaluation metrics, with scikit-learn's definitions and compiled kernels.

Signatures, defaults, warnings and error messages follow ``sklearn.metrics``
(scikit-learn 1.9), and the values agree with it to 1e-12 (tests/reference). The
counting metrics run on a Cython kernel (OpenMP over fixed row blocks), the ranking
metrics on a sort-and-merge Numba kernel; nothing is compiled at import.

Classification (labels): :func:`accuracy_score`, :func:`balanced_accuracy_score`,
:func:`confusion_matrix`, :func:`matthews_corrcoef`, :func:`precision_score`,
:func:`recall_score` (also :func:`sensitivity_score`, :func:`true_positive_rate`),
:func:`specificity_score` (:func:`true_negative_rate`), :func:`false_positive_rate`
(type I error rate), :func:`false_negative_rate` (type II error rate),
:func:`f1_score`, :func:`fbeta_score`, :func:`jaccard_score`,
:func:`precision_recall_fscore_support`, :func:`classification_report`.

Scores and probabilities: :func:`roc_curve`, :func:`roc_auc_score`,
:func:`precision_recall_curve`, :func:`average_precision_score`, :func:`auc`,
:func:`log_loss`, :func:`brier_score_loss`, and :func:`select_thresholds` (ROC
Pareto front, Youden's J and F1-optimal thresholds).

Regression: :func:`mean_squared_error`, :func:`root_mean_squared_error`,
:func:`mean_absolute_error`, :func:`mean_absolute_percentage_error`,
:func:`median_absolute_error`, :func:`max_error`, :func:`mean_squared_log_error`,
:func:`root_mean_squared_log_error`, :func:`r2_score`,
:func:`explained_variance_score`, :func:`mean_tweedie_deviance`,
:func:`mean_poisson_deviance`, :func:`mean_gamma_deviance`.
"""

from fastml.exceptions import InvalidParameterError
from fastml.metrics._classification import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    matthews_corrcoef,
)
from fastml.metrics._deviance import (
    explained_variance_score,
    mean_gamma_deviance,
    mean_poisson_deviance,
    mean_tweedie_deviance,
    r2_score,
)
from fastml.metrics._precision_recall import (
    f1_score,
    false_negative_rate,
    false_positive_rate,
    fbeta_score,
    jaccard_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    sensitivity_score,
    specificity_score,
    true_negative_rate,
    true_positive_rate,
)
from fastml.metrics._probabilistic import brier_score_loss, log_loss
from fastml.metrics._ranking import (
    auc,
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from fastml.metrics._regression import (
    max_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_log_error,
    median_absolute_error,
    root_mean_squared_error,
    root_mean_squared_log_error,
)
from fastml.metrics._report import classification_report
from fastml.metrics._thresholds import ThresholdSelection, select_thresholds

__all__ = [
    "InvalidParameterError",
    "ThresholdSelection",
    "accuracy_score",
    "auc",
    "average_precision_score",
    "balanced_accuracy_score",
    "brier_score_loss",
    "classification_report",
    "confusion_matrix",
    "explained_variance_score",
    "f1_score",
    "false_negative_rate",
    "false_positive_rate",
    "fbeta_score",
    "jaccard_score",
    "log_loss",
    "matthews_corrcoef",
    "max_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_gamma_deviance",
    "mean_poisson_deviance",
    "mean_squared_error",
    "mean_squared_log_error",
    "mean_tweedie_deviance",
    "median_absolute_error",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "root_mean_squared_error",
    "root_mean_squared_log_error",
    "select_thresholds",
    "sensitivity_score",
    "specificity_score",
    "true_negative_rate",
    "true_positive_rate",
]


def _warmup() -> None:
    """Compile (or load from cache) every metrics kernel signature, for warmup()."""
    import numpy as np

    from fastml.kernels.metrics import ranking

    is_pos = np.array([False, True, False, True, True, False])
    for dtype in (np.float64, np.float32):
        score = np.array([0.1, 0.9, 0.4, 0.4, 0.8, 0.2], dtype=dtype)
        pos, neg = ranking.split_scores(score, is_pos)
        pos.sort()
        neg.sort()
        ranking.compute_auc_sorted(pos, neg)
        ranking.compute_average_precision_sorted(pos, neg)
        ranking.count_thresholds_sorted(pos, neg)
        order = np.argsort(score)[::-1]
        ranking.count_thresholds_weighted(
            np.ascontiguousarray(score[order]), is_pos[order], np.ones(6)[order]
        )
