"""Data splitting, cross-validation splitters and cross-validated scoring.

Splitters (``KFold``, ``StratifiedKFold``, ``LeaveOneOut``, ``RepeatedKFold``,
``RepeatedStratifiedKFold``) and ``train_test_split`` give the same indices as
scikit-learn for the same ``random_state``. ``cross_validate`` and
``cross_val_score`` fit clones of an estimator (fastml or scikit-learn) on every split,
running folds in threads when ``n_jobs > 1``.
"""

from fastml.model_selection._scorer import get_scorer, get_scorer_names
from fastml.model_selection._split import (
    KFold,
    LeaveOneOut,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    check_cv,
)
from fastml.model_selection._train_test_split import train_test_split
from fastml.model_selection._validation import cross_val_score, cross_validate

__all__ = [
    "KFold",
    "LeaveOneOut",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "StratifiedKFold",
    "check_cv",
    "cross_val_score",
    "cross_validate",
    "get_scorer",
    "get_scorer_names",
    "train_test_split",
]
