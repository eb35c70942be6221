"""``train_test_split``: random (optionally stratified) train/test subsets.

The same indices as scikit-learn's for a given ``random_state``: one ``permutation``
of the rows (or, stratified, scikit-learn's class-share rounding and per-class
permutations) from numpy's ``RandomState`` stream.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from fastml.exceptions import InvalidParameterError
from fastml.model_selection._split import Split, _indexable, _safe_indexing
from fastml.utils.validation import (
    check_array,
    check_consistent_length,
    check_random_state,
    num_samples,
)

__all__ = ["train_test_split"]


def _size_kind(size: Any) -> str:
    """'i' for an integer size, 'f' for a float size, 'n' for None, '' otherwise."""
    if size is None:
        return "n"
    if isinstance(size, bool) or isinstance(size, np.bool_):
        return ""
    if isinstance(size, numbers.Integral):
        return "i"
    if isinstance(size, numbers.Real):
        return "f"
    return ""


def _check_size_param(size: Any, name: str) -> str:
    kind = _size_kind(size)
    if (kind == "i" and size < 1) or (kind == "f" and not 0.0 < size < 1.0) or not kind:
        raise InvalidParameterError(
            f"The '{name}' parameter of train_test_split must be a float in the range "
            f"(0.0, 1.0), an int in the range [1, inf) or None. Got {size!r} instead."
        )
    return kind


def _train_test_sizes(
    n_samples: int, test_size: Any, train_size: Any, default_test_size: float
) -> tuple[int, int]:
    """Validate the requested sizes for ``n_samples`` and return (n_train, n_test).

    A float test size rounds up (``ceil``), a float train size rounds down
    (``floor``); a missing size is the complement of the other.
    """
    if test_size is None and train_size is None:
        test_size = default_test_size
    test_kind, train_kind = _size_kind(test_size), _size_kind(train_size)
    for size, kind, name in (
        (test_size, test_kind, "test_size"),
        (train_size, train_kind, "train_size"),
    ):
        if (kind == "i" and (size >= n_samples or size <= 0)) or (
            kind == "f" and (size <= 0 or size >= 1)
        ):
            raise ValueError(
                f"{name}={size} should be either positive and smaller than the number "
                f"of samples {n_samples} or a float in the (0, 1) range"
            )
    if test_kind == "f" and train_kind == "f" and train_size + test_size > 1:
        raise ValueError(
            f"The sum of test_size and train_size = {train_size + test_size}, should "
            "be in the (0, 1) range. Reduce test_size and/or train_size."
        )
    n_test = math.ceil(test_size * n_samples) if test_kind == "f" else test_size
    n_train = math.floor(train_size * n_samples) if train_kind == "f" else train_size
    if train_size is None:
        n_train = n_samples - n_test
    elif test_size is None:
        n_test = n_samples - n_train
    if n_train + n_test > n_samples:
        raise ValueError(
            f"The sum of train_size and test_size = {n_train + n_test}, should be "
            f"smaller than the number of samples {n_samples}. Reduce test_size and/or "
            "train_size."
        )
    n_train, n_test = int(n_train), int(n_test)
    if n_train == 0:
        raise ValueError(
            f"With n_samples={n_samples}, test_size={test_size} and "
            f"train_size={train_size}, the resulting train set will be empty. Adjust "
            "any of the aforementioned parameters."
        )
    return n_train, n_test


def _round_shares(
    counts: np.ndarray, n_draws: int, rng: np.random.RandomState
) -> np.ndarray:
    """Split ``n_draws`` between classes proportionally to ``counts``, in integers.

    Every class gets the floor of its exact share; the draws left over go to the
    classes with the largest fractional parts, ties broken at random (``rng.choice``
    without replacement among the tied classes, largest fraction first).
    """
    exact = counts / counts.sum() * n_draws
    shares = np.floor(exact)
    missing = int(n_draws - shares.sum())
    fractions = exact - shares
    for value in np.unique(fractions)[::-1]:
        if missing <= 0:
            break
        tied = np.flatnonzero(fractions == value)
        n_now = min(len(tied), missing)
        shares[rng.choice(tied, size=n_now, replace=False)] += 1
        missing -= n_now
    return shares.astype(np.int64)


def _stratified_shuffle_split(
    y: Any, n_train: int, n_test: int, rng: np.random.RandomState
) -> Split:
    """One stratified random (train, test) split of the samples of labels ``y``."""
    y = check_array(
        y, ensure_2d=False, dtype=None, ensure_min_samples=0, input_name="y"
    )
    if y.ndim == 2:
        # multilabel / multi-output: every distinct row is its own stratum
        y = np.array([" ".join(row.astype(str)) for row in y])
    classes, codes = np.unique(y, return_inverse=True)
    codes = codes.ravel()
    counts = np.bincount(codes, minlength=len(classes))
    if counts.min() < 2:
        raise ValueError(
            "The least populated classes in y have only 1 member, which is too few. "
            "The minimum number of groups for any class cannot be less than 2. "
            f"Classes with too few members are: {classes[counts < 2].tolist()}"
        )
    n_classes = len(classes)
    if n_train < n_classes:
        raise ValueError(
            f"The train_size = {n_train} should be greater or equal to the number of "
            f"classes = {n_classes}"
        )
    if n_test < n_classes:
        raise ValueError(
            f"The test_size = {n_test} should be greater or equal to the number of "
            f"classes = {n_classes}"
        )
    members = np.split(np.argsort(codes, kind="stable"), np.cumsum(counts)[:-1])
    train_share = _round_shares(counts, n_train, rng)
    test_share = _round_shares(counts - train_share, n_test, rng)
    train_parts, test_parts = [], []
    for c in range(n_classes):
        shuffled = members[c][rng.permutation(counts[c])]
        train_parts.append(shuffled[: train_share[c]])
        test_parts.append(shuffled[train_share[c] : train_share[c] + test_share[c]])
    train_idx = rng.permutation(np.concatenate(train_parts))
    test_idx = rng.permutation(np.concatenate(test_parts))
    return train_idx.astype(np.int64), test_idx.astype(np.int64)


def train_test_split(
    *arrays: Any,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: Any = None,
    shuffle: bool = True,
    stratify: Any = None,
) -> list[Any]:
    """Split arrays (rows) into random train and test subsets.

    Parameters
    ----------
    *arrays : sequence of array-likes with the same number of rows
        ndarrays, lists, DataFrames/Series or sparse matrices. Each is returned split
        in its own type (lists as lists, DataFrames via ``iloc`` keeping their index).
    test_size : float or int, default=None
        Fraction of the samples (float in (0, 1), rounded up) or number of samples
        in the test set. None means the complement of ``train_size``, or 0.25 when
        both are None.
    train_size : float or int, default=None
        Fraction (rounded down) or number of training samples; None means the
        complement of ``test_size``.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle; the same int gives the same split as scikit-learn.
    shuffle : bool, default=True
        Shuffle before splitting. Without shuffling, the first ``n_train`` rows are
        the train set and the next ``n_test`` rows the test set.
    stratify : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Class labels: each class is split in the proportions of the whole, as
        closely as integers allow. Requires ``shuffle=True``; every class needs at
        least two members.

    Returns
    -------
    list of length 2 * len(arrays)
        ``[a_train, a_test, b_train, b_test, ...]``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.model_selection import train_test_split
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, test_size=2, shuffle=False
    ... )
    >>> y_train, y_test
    (array([0, 1, 2]), array([3, 4]))
    """
    if not arrays:
        raise ValueError("At least one array required as input")
    if test_size is not None:
        _check_size_param(test_size, "test_size")
    if train_size is not None:
        _check_size_param(train_size, "train_size")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise InvalidParameterError(
            "The 'shuffle' parameter of train_test_split must be an instance of "
            f"'bool'. Got {shuffle!r} instead."
        )
    indexed = _indexable(*arrays)
    n_samples = num_samples(indexed[0])
    n_train, n_test = _train_test_sizes(
        n_samples, test_size, train_size, default_test_size=0.25
    )
    if not shuffle:
        if stratify is not None:
            raise ValueError(
                "Stratified train/test split is not implemented for shuffle=False"
            )
        train_idx = np.arange(n_train, dtype=np.int64)
        test_idx = np.arange(n_train, n_train + n_test, dtype=np.int64)
    else:
        rng = check_random_state(random_state)
        if stratify is not None:
            (stratify,) = _indexable(stratify)
            check_consistent_length(indexed[0], stratify)
            train_idx, test_idx = _stratified_shuffle_split(
                stratify, n_train, n_test, rng
            )
        else:
            order = rng.permutation(n_samples)
            test_idx = order[:n_test]
            train_idx = order[n_test : n_test + n_train]
    out: list[Any] = []
    for a in indexed:
        out.append(_safe_indexing(a, train_idx))
        out.append(_safe_indexing(a, test_idx))
    return out
