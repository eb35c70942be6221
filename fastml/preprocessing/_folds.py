"""Cross-fitting folds for the target encoders.

The splitters are ``fastml.model_selection.KFold`` and ``StratifiedKFold`` (the same
folds as scikit-learn's for the same seed). While that module is not importable, a
minimal private copy of the two fold assignments (:func:`_kfold_fold_of`,
:func:`_stratified_fold_of`) stands in; both follow scikit-learn's published
assignment: KFold shuffles ``arange(n)`` with ``RandomState.shuffle`` and cuts it into
consecutive blocks (the first ``n % k`` one larger); StratifiedKFold deals the
class-sorted samples round-robin to the folds to fix each fold's share of each class,
then lays each class's fold labels out in blocks, shuffled per class (classes in order
of first appearance) when ``shuffle``.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from fastml.utils.validation import check_random_state

__all__ = ["cross_fit_splits"]

Split = tuple[np.ndarray, np.ndarray]


def _kfold_fold_of(n_samples: int, n_splits: int, rng: Any) -> np.ndarray:
    order = np.arange(n_samples)
    if rng is not None:
        rng.shuffle(order)
    sizes = np.full(n_splits, n_samples // n_splits, dtype=np.int64)
    sizes[: n_samples % n_splits] += 1
    fold_of = np.empty(n_samples, dtype=np.int64)
    fold_of[order] = np.repeat(np.arange(n_splits), sizes)
    return fold_of


def _stratified_fold_of(y: np.ndarray, n_splits: int, rng: Any) -> np.ndarray:
    _, first_idx, inverse = np.unique(y, return_index=True, return_inverse=True)
    rank = np.empty(len(first_idx), dtype=np.int64)
    rank[np.argsort(first_idx, kind="stable")] = np.arange(len(first_idx))
    codes = rank[inverse.ravel()]
    n_classes = len(first_idx)
    counts = np.bincount(codes, minlength=n_classes)
    if np.all(n_splits > counts):
        raise ValueError(
            f"n_splits={n_splits} cannot be greater than the number of members in "
            "each class."
        )
    if n_splits > counts.min():
        warnings.warn(
            f"The least populated class in y has only {counts.min()} members, which "
            f"is less than n_splits={n_splits}.",
            UserWarning,
            stacklevel=4,
        )
    y_sorted = np.sort(codes)
    allocation = np.array(
        [
            np.bincount(y_sorted[f::n_splits], minlength=n_classes)
            for f in range(n_splits)
        ]
    )
    fold_of = np.empty(len(y), dtype=np.int64)
    for k in range(n_classes):
        labels = np.repeat(np.arange(n_splits), allocation[:, k])
        if rng is not None:
            rng.shuffle(labels)
        fold_of[codes == k] = labels
    return fold_of


def _builtin_splits(
    n_splits: int, y: np.ndarray, stratify: bool, shuffle: bool, random_state: Any
) -> list[Split]:
    n_samples = len(y)
    if n_splits > n_samples:
        raise ValueError(
            f"Cannot have number of splits n_splits={n_splits} greater than the "
            f"number of samples: n_samples={n_samples}."
        )
    rng = check_random_state(random_state) if shuffle else None
    if stratify:
        fold_of = _stratified_fold_of(y, n_splits, rng)
    else:
        fold_of = _kfold_fold_of(n_samples, n_splits, rng)
    idx = np.arange(n_samples)
    return [(idx[fold_of != f], idx[fold_of == f]) for f in range(n_splits)]


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
        try:
            from fastml.model_selection import KFold, StratifiedKFold
        except ImportError:
            return _builtin_splits(n_splits, y, stratify, shuffle, random_state)
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
