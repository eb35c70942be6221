"""Cross-fitting folds for the target encoders.

The splitters are ``fastml.model_selection.KFold`` and ``StratifiedKFold``, which
assign the same folds as scikit-learn's for the same seed, so the cross-fitted
encodings match scikit-learn's ``TargetEncoder`` value for value.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["cross_fit_splits"]

Split = tuple[np.ndarray, np.ndarray]


def cross_fit_splits(
    cv: Any,
    n_samples: int,
    y: np.ndarray,
    *,
    stratify: bool,
    shuffle: bool,
    random_state: Any,
) -> list[Split]:
    """(train_idx, test_idx) pairs whose test parts partition ``range(n_samples)``.

    ``cv`` is an int (number of folds: StratifiedKFold on ``y`` when ``stratify``,
    KFold otherwise, shuffled with ``random_state`` when ``shuffle``), a splitter
    with ``split(X, y)``, or an iterable of (train, test) index pairs.
    """
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        n_splits = int(cv)
        if n_splits < 2:
            raise ValueError(
                "k-fold cross-validation requires at least one train/test split by "
                f"setting n_splits=2 or more, got n_splits={n_splits}."
            )
        from fastml.model_selection import KFold, StratifiedKFold

        splitter_cls = StratifiedKFold if stratify else KFold
        splitter = splitter_cls(
            n_splits, shuffle=shuffle, random_state=random_state if shuffle else None
        )
        raw = splitter.split(np.zeros((n_samples, 1)), y)
    elif hasattr(cv, "split"):
        raw = cv.split(np.zeros((n_samples, 1)), y)
    elif hasattr(cv, "__iter__") and not isinstance(cv, str):
        raw = iter(cv)
    else:
        raise ValueError(
            "Expected cv as an integer, cross-validation object (from "
            "fastml.model_selection) or an iterable. Got "
            f"{cv!r}."
        )
    splits = [
        (np.asarray(train, dtype=np.int64), np.asarray(test, dtype=np.int64))
        for train, test in raw
    ]
    seen = np.zeros(n_samples, dtype=np.int64)
    for _, test in splits:
        np.add.at(seen, test, 1)
    if not np.all(seen == 1):
        raise ValueError(
            "Validation indices from `cv` must cover each sample index exactly once "
            "with no overlap. Pass a splitter with non-overlapping validation folds "
            "as `cv` or refer to the docs for other options."
        )
    return splits
