"""Cross-validation splitters and ``check_cv`` (``train_test_split``:
``_train_test_split.py``).

Every splitter yields ``(train_idx, test_idx)`` pairs of int64 index arrays, sorted in
increasing order for the k-fold family. For a given ``random_state`` the folds are the
ones scikit-learn produces: the same algorithms consume numpy's ``RandomState`` stream
in the same order (one ``shuffle`` of ``arange(n_samples)`` for KFold, one shuffle of
each class's block of fold labels for StratifiedKFold, one ``permutation`` per split for
the shuffle-split used by ``train_test_split``). The splitters are plain NumPy: index
shuffling and boolean masks are already memory-bound vector operations, so a compiled
kernel would not pay for its compilation.

Splitters follow the scikit-learn splitter protocol (``split(X, y, groups)`` and
``get_n_splits(X, y, groups)``), so they can be passed as ``cv=`` to scikit-learn's
``GridSearchCV`` and ``cross_val_score`` as well as to fastml's.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from fastml.utils.multiclass import type_of_target
from fastml.utils.validation import (
    check_array,
    check_consistent_length,
    check_random_state,
    column_or_1d,
    is_sparse,
    num_samples,
)

__all__ = [
    "KFold",
    "LeaveOneOut",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "StratifiedKFold",
    "check_cv",
]

Split = tuple[np.ndarray, np.ndarray]


# --------------------------------------------------------------------------- helpers


def _indexable(*arrays: Any) -> list[Any]:
    """Make each input indexable by row position and check that lengths agree.

    Arrays, lists and DataFrames are kept as they are; sparse matrices become CSR (row
    slicing); other iterables (generators, sets) become numpy arrays.
    """
    out: list[Any] = []
    for a in arrays:
        if a is None:
            out.append(None)
        elif is_sparse(a):
            out.append(a.tocsr())
        elif hasattr(a, "__getitem__") or hasattr(a, "iloc"):
            out.append(a)
        else:
            out.append(np.asarray(list(a)))
    check_consistent_length(*out)
    return out


def _safe_indexing(data: Any, idx: np.ndarray) -> Any:
    """Rows ``idx`` of ``data``: DataFrame/Series via ``iloc``, lists stay lists."""
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[idx]
    if isinstance(data, np.ndarray) or is_sparse(data):
        return data[idx]
    if isinstance(data, (list, tuple)):
        return [data[i] for i in idx]
    if hasattr(data, "shape") and hasattr(data, "__getitem__"):
        return data[idx]
    return np.asarray(data)[idx]


def _masks_to_split(n_samples: int, test_idx: np.ndarray) -> Split:
    """Sorted (train, test) index arrays from a set of test indices."""
    is_test = np.zeros(n_samples, dtype=bool)
    is_test[test_idx] = True
    return (
        np.flatnonzero(~is_test).astype(np.int64, copy=False),
        np.flatnonzero(is_test).astype(np.int64, copy=False),
    )


def _format_params(class_name: str, params: dict[str, Any]) -> str:
    """``Name(a=1, b=2)`` with scikit-learn's layout for splitter reprs.

    Parameters are sorted by name; a line is broken (and continued with an indent of
    ``1 + len(class_name) // 2``) when it would reach 75 characters.
    """
    offset = len(class_name)
    indent = ",\n" + " " * (1 + offset // 2)
    pieces: list[str] = []
    width = offset
    for i, name in enumerate(sorted(params)):
        value = params[name]
        text = f"{name}={value}" if isinstance(value, float) else f"{name}={value!r}"
        if len(text) > 500:
            text = text[:300] + "..." + text[-100:]
        if i > 0:
            if width + len(text) >= 75 or "\n" in text:
                pieces.append(indent)
                width = len(indent)
            else:
                pieces.append(", ")
                width += 2
        pieces.append(text)
        width += len(text)
    body = "\n".join(line.rstrip(" ") for line in "".join(pieces).split("\n"))
    return f"{class_name}({body})"


def _check_n_splits(n_splits: Any) -> int:
    if isinstance(n_splits, bool) or not isinstance(n_splits, numbers.Integral):
        raise ValueError(
            f"The number of folds must be of Integral type. {n_splits!r} of type "
            f"{type(n_splits)} was passed."
        )
    n_splits = int(n_splits)
    if n_splits <= 1:
        raise ValueError(
            "k-fold cross-validation requires at least one train/test split by setting "
            f"n_splits=2 or more, got n_splits={n_splits}."
        )
    return n_splits


# ------------------------------------------------------------------------- splitters


class _Splitter:
    """Shared protocol: ``split``, ``get_n_splits`` and a scikit-learn style repr."""

    _param_names: tuple[str, ...] = ()

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        raise NotImplementedError

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        raise NotImplementedError

    def __repr__(self) -> str:
        params = {name: getattr(self, name) for name in self._param_names}
        return _format_params(type(self).__name__, params)


class _BaseKFold(_Splitter):
    """k-fold splitters: validated ``n_splits``/``shuffle``/``random_state``."""

    _param_names = ("n_splits", "random_state", "shuffle")

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None
    ) -> None:
        n_splits = _check_n_splits(n_splits)
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle must be True or False; got {shuffle}")
        if not shuffle and random_state is not None:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False. You "
                "should leave random_state to its default (None), or set shuffle=True."
            )
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits (``n_splits``); the arguments are ignored.

        Parameters
        ----------
        X, y, groups : object
            Ignored, present for API compatibility.

        Returns
        -------
        int
        """
        return self.n_splits

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        """Generate ``(train_idx, test_idx)`` for each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to split; only its length is used.
        y : array-like of shape (n_samples,), default=None
            Target (the class labels for stratified splitters).
        groups : object
            Ignored, present for API compatibility.

        Yields
        ------
        train_idx : ndarray of shape (n_train,), dtype int64
        test_idx : ndarray of shape (n_test,), dtype int64
        """
        X, y, groups = _indexable(X, y, groups)
        n_samples = num_samples(X)
        if self.n_splits > n_samples:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than "
                f"the number of samples: n_samples={n_samples}."
            )
        for test_idx in self._iter_test_indices(n_samples, y):
            yield _masks_to_split(n_samples, test_idx)

    def _iter_test_indices(self, n_samples: int, y: Any) -> Iterator[np.ndarray]:
        """Test indices of each fold, in fold order (any order within a fold)."""
        raise NotImplementedError


class KFold(_BaseKFold):
    """K-fold cross-validation: ``n_splits`` consecutive blocks of (shuffled) samples.

    The first ``n_samples % n_splits`` folds hold ``n_samples // n_splits + 1`` samples,
    the others ``n_samples // n_splits``. With ``shuffle=True`` the sample order is
    shuffled once (``RandomState.shuffle`` of ``arange(n_samples)``) before cutting
    into blocks, which gives the same folds as scikit-learn for the same seed.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    shuffle : bool, default=False
        Shuffle the samples before cutting them into folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle (only with ``shuffle=True``). An int gives the same folds
        on every call to ``split``; a RandomState advances between calls.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.model_selection import KFold
    >>> for train_idx, test_idx in KFold(n_splits=2).split(np.zeros((4, 1))):
    ...     print(train_idx, test_idx)
    [2 3] [0 1]
    [0 1] [2 3]
    """

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None
    ) -> None:
        super().__init__(n_splits, shuffle=shuffle, random_state=random_state)

    def _iter_test_indices(self, n_samples: int, y: Any) -> Iterator[np.ndarray]:
        order = np.arange(n_samples, dtype=np.int64)
        if self.shuffle:
            check_random_state(self.random_state).shuffle(order)
        sizes = np.full(self.n_splits, n_samples // self.n_splits, dtype=np.int64)
        sizes[: n_samples % self.n_splits] += 1
        stop = 0
        for size in sizes.tolist():
            start, stop = stop, stop + size
            yield order[start:stop]


def _encode_by_appearance(y: np.ndarray) -> np.ndarray:
    """Class codes numbered by first appearance in ``y`` (first label seen -> 0)."""
    _, first_idx, inverse = np.unique(y, return_index=True, return_inverse=True)
    rank = np.empty(len(first_idx), dtype=np.int64)
    rank[np.argsort(first_idx, kind="stable")] = np.arange(len(first_idx))
    return rank[inverse.ravel()]


def _stratified_allocation(counts: np.ndarray, n_splits: int) -> np.ndarray:
    """How many members of each class go to each test fold.

    Deal the samples, sorted by class, to the folds in turn (sample at sorted position
    p goes to fold p % n_splits). Class c occupies positions [start_c, end_c), so
    its share of fold f is the number of p in that range with p % n_splits == f,
    computed here in closed form. Returns int64 of shape (n_classes, n_splits); fold
    sizes then differ by at most one, and so do a class's shares.
    """
    end = np.cumsum(counts)
    start = end - counts
    folds = np.arange(n_splits)

    def dealt_below(x: np.ndarray) -> np.ndarray:
        # number of p in [0, x) with p % n_splits == f, for every fold f
        return (x[:, None] - folds[None, :] + n_splits - 1) // n_splits

    return (dealt_below(end) - dealt_below(start)).astype(np.int64)


class StratifiedKFold(_BaseKFold):
    """K-fold cross-validation preserving the class proportions in every fold.

    Each class is spread over the folds as evenly as possible: the samples sorted by
    class are dealt to the folds in turn, which fixes how many members of each class
    every test fold receives (fold sizes and per-class shares differ by at most one).
    Within a class, the fold labels are laid out in blocks following the data order
    (the first members go to fold 0, ...); ``shuffle=True`` shuffles each class's
    fold labels, classes taken in order of first appearance in ``y``. This is the
    allocation scikit-learn uses, so the folds match it for the same seed.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2. A warning is issued when the least populated
        class has fewer than ``n_splits`` members; an error when every class has.
    shuffle : bool, default=False
        Shuffle each class's samples between folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle (only with ``shuffle=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.model_selection import StratifiedKFold
    >>> y = np.array([0, 0, 1, 1])
    >>> for train_idx, test_idx in StratifiedKFold(n_splits=2).split(y, y):
    ...     print(train_idx, test_idx)
    [1 3] [0 2]
    [0 2] [1 3]
    """

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None
    ) -> None:
        super().__init__(n_splits, shuffle=shuffle, random_state=random_state)

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        """Generate ``(train_idx, test_idx)`` for each stratified fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to split; only its length is used (``np.zeros(n_samples)`` will do).
        y : array-like of shape (n_samples,)
            Class labels (binary or multiclass) to stratify on.
        groups : object
            Ignored, present for API compatibility.

        Yields
        ------
        train_idx : ndarray of shape (n_train,), dtype int64
        test_idx : ndarray of shape (n_test,), dtype int64
        """
        if y is None:
            raise ValueError(
                f"The 'y' parameter should not be None: {type(self).__name__} "
                "stratifies on the class labels."
            )
        y = check_array(
            y, ensure_2d=False, dtype=None, ensure_min_samples=0, input_name="y"
        )
        return super().split(X, y, groups)

    def _iter_test_indices(self, n_samples: int, y: Any) -> Iterator[np.ndarray]:
        fold_of = self._assign_folds(y)
        for fold in range(self.n_splits):
            yield np.flatnonzero(fold_of == fold)

    def _assign_folds(self, y: Any) -> np.ndarray:
        """Test-fold number of every sample, int64 of shape (n_samples,)."""
        rng = check_random_state(self.random_state)
        y = np.asarray(y)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                "Supported target types are: ('binary', 'multiclass'). "
                f"Got {kind!r} instead."
            )
        codes = _encode_by_appearance(column_or_1d(y))
        counts = np.bincount(codes)
        if np.all(self.n_splits > counts):
            raise ValueError(
                f"n_splits={self.n_splits} cannot be greater than the number of "
                "members in each class."
            )
        if self.n_splits > counts.min():
            warnings.warn(
                f"The least populated class in y has only {counts.min()} members, "
                f"which is less than n_splits={self.n_splits}.",
                UserWarning,
                stacklevel=4,
            )
        allocation = _stratified_allocation(counts, self.n_splits)
        # members of each class, in data order, as contiguous blocks
        by_class = np.argsort(codes, kind="stable")
        bounds = np.concatenate(([0], np.cumsum(counts)))
        fold_ids = np.arange(self.n_splits, dtype=np.int64)
        fold_of = np.empty(len(codes), dtype=np.int64)
        for c in range(len(counts)):
            labels = np.repeat(fold_ids, allocation[c])
            if self.shuffle:
                rng.shuffle(labels)
            fold_of[by_class[bounds[c] : bounds[c + 1]]] = labels
        return fold_of


class LeaveOneOut(_Splitter):
    """Each sample in turn is the test set (``n_samples`` splits).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.model_selection import LeaveOneOut
    >>> [test_idx.tolist() for _, test_idx in LeaveOneOut().split(np.zeros((3, 1)))]
    [[0], [1], [2]]
    """

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        """Generate ``(train_idx, test_idx)`` with one test sample per split.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to split; only its length is used.
        y, groups : object
            Checked for a consistent length, otherwise ignored.

        Yields
        ------
        train_idx : ndarray of shape (n_samples - 1,), dtype int64
        test_idx : ndarray of shape (1,), dtype int64
        """
        X, y, groups = _indexable(X, y, groups)
        n_samples = num_samples(X)
        if n_samples <= 1:
            raise ValueError(f"Cannot perform LeaveOneOut with n_samples={n_samples}.")
        for i in range(n_samples):
            yield _masks_to_split(n_samples, np.array([i]))

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits: the number of samples in ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y, groups : object
            Ignored.

        Returns
        -------
        int
        """
        if X is None:
            raise ValueError("The 'X' parameter should not be None.")
        return num_samples(X)


class _RepeatedSplits(_Splitter):
    """``n_repeats`` rounds of a shuffled k-fold splitter sharing one RandomState."""

    _param_names = ("n_repeats", "n_splits", "random_state")
    _fold_class: type[_BaseKFold] = KFold
    n_splits: int
    n_repeats: int
    random_state: Any

    def __init__(
        self, *, n_splits: int = 5, n_repeats: int = 10, random_state: Any = None
    ) -> None:
        if isinstance(n_repeats, bool) or not isinstance(n_repeats, numbers.Integral):
            raise ValueError("Number of repetitions must be of Integral type.")
        if n_repeats <= 0:
            raise ValueError("Number of repetitions must be greater than 0.")
        # Validated here rather than at split time (fail early, same messages).
        self.n_splits = _check_n_splits(n_splits)
        self.n_repeats = int(n_repeats)
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        """Generate ``(train_idx, test_idx)``: ``n_splits`` folds per repetition.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to split; only its length is used.
        y : array-like of shape (n_samples,), default=None
            Target (class labels for the stratified variant).
        groups : object
            Ignored, present for API compatibility.

        Yields
        ------
        train_idx : ndarray of shape (n_train,), dtype int64
        test_idx : ndarray of shape (n_test,), dtype int64
        """
        # One RandomState for all repetitions: each round continues its stream, so an
        # int seed gives different (but reproducible) folds per round.
        rng = check_random_state(self.random_state)
        for _ in range(self.n_repeats):
            cv = self._fold_class(self.n_splits, shuffle=True, random_state=rng)
            yield from cv.split(X, y, groups)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits: ``n_splits * n_repeats``.

        Parameters
        ----------
        X, y, groups : object
            Ignored, present for API compatibility.

        Returns
        -------
        int
        """
        return self.n_splits * self.n_repeats


class RepeatedKFold(_RepeatedSplits):
    """KFold with shuffling, repeated ``n_repeats`` times with different shuffles.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds per repetition, at least 2.
    n_repeats : int, default=10
        Number of repetitions.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffles; the repetitions draw from one RandomState in turn.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.model_selection import RepeatedKFold
    >>> RepeatedKFold(n_splits=2, n_repeats=3, random_state=0).get_n_splits()
    6
    """

    _fold_class = KFold

    def __init__(
        self, *, n_splits: int = 5, n_repeats: int = 10, random_state: Any = None
    ) -> None:
        super().__init__(
            n_splits=n_splits, n_repeats=n_repeats, random_state=random_state
        )


class RepeatedStratifiedKFold(_RepeatedSplits):
    """StratifiedKFold with shuffling, repeated ``n_repeats`` times.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds per repetition, at least 2.
    n_repeats : int, default=10
        Number of repetitions.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffles; the repetitions draw from one RandomState in turn.

    Examples
    --------
    >>> from fastml.model_selection import RepeatedStratifiedKFold
    >>> RepeatedStratifiedKFold(n_splits=2, n_repeats=2)
    RepeatedStratifiedKFold(n_repeats=2, n_splits=2, random_state=None)
    """

    _fold_class = StratifiedKFold

    def __init__(
        self, *, n_splits: int = 5, n_repeats: int = 10, random_state: Any = None
    ) -> None:
        super().__init__(
            n_splits=n_splits, n_repeats=n_repeats, random_state=random_state
        )


class _IterableSplits(_Splitter):
    """Wrap an iterable of ``(train_idx, test_idx)`` pairs as a splitter."""

    _param_names = ("cv",)

    def __init__(self, cv: Iterable[Any]) -> None:
        self.cv = list(cv)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return len(self.cv)

    def split(
        self, X: Any = None, y: Any = None, groups: Any = None
    ) -> Iterator[Split]:
        for train_idx, test_idx in self.cv:
            yield np.asarray(train_idx), np.asarray(test_idx)


def check_cv(cv: Any = 5, y: Any = None, *, classifier: bool = False) -> Any:
    """Turn a ``cv`` argument into a splitter.

    Parameters
    ----------
    cv : int, splitter, iterable of (train, test) pairs or None, default=5
        None means 5. An int k gives ``StratifiedKFold(k)`` when ``classifier`` is
        true and ``y`` is a binary or multiclass target, else ``KFold(k)``. An object
        with a ``split`` method is returned unchanged; an iterable of index pairs is
        wrapped.
    y : array-like of shape (n_samples,), default=None
        Target, inspected only to choose stratification.
    classifier : bool, default=False
        Whether the estimator being evaluated is a classifier.

    Returns
    -------
    splitter
        An object with ``split(X, y, groups)`` and ``get_n_splits(X, y, groups)``.

    Examples
    --------
    >>> from fastml.model_selection import check_cv
    >>> check_cv(3, [0, 1, 0, 1], classifier=True)
    StratifiedKFold(n_splits=3, random_state=None, shuffle=False)
    >>> check_cv(3, [0.5, 1.5, 2.5])
    KFold(n_splits=3, random_state=None, shuffle=False)
    """
    if cv is None:
        cv = 5
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if (
            classifier
            and y is not None
            and type_of_target(y, input_name="y") in ("binary", "multiclass")
        ):
            return StratifiedKFold(int(cv))
        return KFold(int(cv))
    if hasattr(cv, "split") and not isinstance(cv, str):
        return cv
    if isinstance(cv, Iterable) and not isinstance(cv, (str, bool)):
        return _IterableSplits(cv)
    raise ValueError(
        "Expected `cv` as an integer, a cross-validation object (from "
        "fastml.model_selection), or an iterable yielding (train, test) splits as "
        f"arrays of indices. Got {cv}."
    )
