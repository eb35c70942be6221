"""Target encoding of categorical features, with cross-fitting against leakage.

One machinery serves both encoders: category lookup (``BaseEncoder``), encodings
learnt by the compiled group-sum kernels ``fit_target_encoding`` /
``fit_target_encoding_auto`` (``fastml.kernels.preprocessing.encode``) on a set of
rows, and the same lookup applied to the full data (``transform``) or to each
fold's held-out rows (``fit_transform``). :class:`KFoldTargetEncoder` is
:class:`TargetEncoder` with plain, unstratified K-fold cross-fitting.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from fastml.preprocessing._encode import (
    BaseEncoder,
    encode_column,
    feature_names_in,
    unique_column,
)
from fastml.preprocessing._folds import cross_fit_splits
from fastml.utils.multiclass import type_of_target
from fastml.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    check_y,
    column_or_1d,
)

__all__ = ["TargetEncoder", "KFoldTargetEncoder"]

_TARGET_TYPES = ("auto", "continuous", "binary", "multiclass")


class TargetEncoder(BaseEncoder):
    """Replace each category by a smoothed mean of the target over that category.

    For a category ``c`` seen ``n_c`` times with target mean ``mean_c``, and the
    overall target mean ``mean``, the encoding is the shrinkage estimate

    - ``smooth="auto"``: ``lambda_c mean_c + (1 - lambda_c) mean`` with
      ``lambda_c = n_c v / (n_c v + s_c^2)``, ``v`` the variance of the target and
      ``s_c^2`` its variance within ``c`` (empirical Bayes, Micci-Barreca 2001,
      eq. 5-6);
    - ``smooth=m`` (float): ``(n_c mean_c + m mean) / (n_c + m)`` (eq. 7).

    Categories unseen in ``fit`` (or with no sample) are encoded as ``mean``. A binary
    target is encoded as 0/1 (``classes_[1]`` is 1); a multiclass target gives one
    column per (feature, class), the one-vs-rest encoding of each class.

    **Leakage.** ``fit(X, y).transform(X)`` encodes each training row with
    statistics that include its own target, which leaks ``y`` into the feature: with
    many rare categories a model on the encoding fits noise. ``fit_transform`` avoids
    it by *cross-fitting*: the rows are split into ``cv`` folds and each fold is
    encoded with encodings learnt on the other folds only. ``transform`` (for new
    data) uses ``encodings_``, learnt on all the training data. Hence
    ``fit_transform(X, y)`` differs from ``fit(X, y).transform(X)`` by design.

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        As in :class:`OneHotEncoder`.
    target_type : {"auto", "continuous", "binary", "multiclass"}, default="auto"
        Kind of target; "auto" infers it with
        :func:`fastml.utils.multiclass.type_of_target`.
    smooth : "auto" or float >= 0, default="auto"
        Shrinkage towards the global mean (see above).
    cv : int, splitter or iterable, default=5
        Cross-fitting folds of ``fit_transform``. An int uses
        ``StratifiedKFold`` for binary/multiclass targets and ``KFold`` for
        continuous ones (``fastml.model_selection``, the same folds as
        scikit-learn's for the same ``random_state``); a splitter's validation
        folds must partition the rows.
    shuffle : bool, default=True
        Shuffle the rows before cutting the folds (int ``cv`` only).
    random_state : int, RandomState instance or None, default=None
        Seed of that shuffle. None draws from NumPy's global random state.

    Attributes
    ----------
    encodings_ : list of ndarray
        Full-data encoding of each feature's categories (``n_features * n_classes``
        arrays for a multiclass target, feature-major).
    categories_ : list of ndarray
    target_type_ : str
    target_mean_ : float or ndarray of shape (n_classes,)
    classes_ : ndarray or None
        Class labels for binary/multiclass targets.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Matches scikit-learn's ``TargetEncoder`` value for value (same formulas, same
    summation order, same folds) with one deliberate difference: when categories are
    given and a training row holds an unknown one, ``fit_transform`` encodes it with
    its own fold's training mean (scikit-learn writes the last fold's mean into
    every such row).

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.preprocessing import TargetEncoder
    >>> X = np.array([["a"], ["a"], ["b"], ["b"], ["b"]], dtype=object)
    >>> y = np.array([1.0, 3.0, 10.0, 12.0, 14.0])
    >>> enc = TargetEncoder(smooth=0.0, target_type="continuous").fit(X, y)
    >>> enc.transform([["a"], ["b"], ["z"]])
    array([[ 2.],
           [12.],
           [ 8.]])
    """

    def __init__(
        self,
        categories: Any = "auto",
        target_type: str = "auto",
        smooth: Any = "auto",
        cv: Any = 5,
        shuffle: bool = True,
        random_state: Any = None,
    ) -> None:
        self.categories = categories
        self.target_type = target_type
        self.smooth = smooth
        self.cv = cv
        self.shuffle = shuffle
        self.random_state = random_state

    @classmethod
    def _test_instance(cls) -> TargetEncoder:
        return cls(cv=3, random_state=0)

    # -- parameters and target -------------------------------------------------------

    def _check_params(self) -> None:
        if self.target_type not in _TARGET_TYPES:
            raise ValueError(
                f"The 'target_type' parameter of {type(self).__name__} must be a str "
                f"among {set(_TARGET_TYPES)}. Got {self.target_type!r} instead."
            )
        smooth = self.smooth
        if isinstance(smooth, str):
            if smooth != "auto":
                raise ValueError(
                    f"The 'smooth' parameter of {type(self).__name__} must be a str "
                    f"among {{'auto'}} or a float in the range [0, inf). Got "
                    f"{smooth!r} instead."
                )
        elif (
            not isinstance(smooth, numbers.Real)
            or isinstance(smooth, bool)
            or not float(smooth) >= 0
            or not math.isfinite(float(smooth))
        ):
            raise ValueError(
                f"The 'smooth' parameter of {type(self).__name__} must be a str among "
                f"{{'auto'}} or a float in the range [0, inf). Got {smooth!r} instead."
            )

    def _encode_target(self, y: Any) -> np.ndarray:
        """Set ``target_type_``/``classes_``; y as float64 (n,) or one-hot (n, K)."""
        if self.target_type == "auto":
            kind = type_of_target(y, input_name="y")
            if kind not in ("binary", "multiclass", "continuous"):
                raise ValueError(
                    "Unknown label type: Target type was inferred to be "
                    f"{kind!r}. Only ('binary', 'multiclass', 'continuous') are "
                    "supported."
                )
            self.target_type_ = kind
        else:
            self.target_type_ = self.target_type
        self.classes_: np.ndarray | None = None
        if self.target_type_ == "continuous":
            return np.asarray(
                check_y(y, y_numeric=True, estimator=self), dtype=np.float64
            )
        y_arr = column_or_1d(y, warn=True)
        classes = unique_column(y_arr)
        codes = encode_column(y_arr, classes)
        self.classes_ = classes
        if self.target_type_ == "binary":
            return codes.astype(np.float64)
        if len(classes) < 3:
            raise ValueError(
                "target_type='multiclass' needs at least 3 classes in y; got "
                f"{len(classes)}."
            )
        onehot = np.zeros((y_arr.shape[0], len(classes)), dtype=np.float64)
        onehot[np.arange(y_arr.shape[0]), codes] = 1.0
        return onehot

    # -- the shared machinery ------------------------------------------------------

    def _fit_all(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Learn categories and full-data encodings; return (codes, encoded y)."""
        self._check_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is "
                "None."
            )
        columns, _ = self._fit_categories(X, handle_unknown="ignore")
        codes = self._encode_columns(X, handle_unknown="ignore", columns=columns)
        if not hasattr(y, "__len__"):
            y = np.asarray(y)
        check_consistent_length(codes, y)
        y_enc = self._encode_target(y)
        self._offsets = np.zeros(len(self.categories_) + 1, dtype=np.int64)
        np.cumsum([len(c) for c in self.categories_], out=self._offsets[1:])
        rows = np.arange(codes.shape[0], dtype=np.int64)
        self.target_mean_, flat = self._learn(codes, y_enc, rows)
        self._flat_encodings = flat
        self.encodings_ = self._split_encodings(flat)
        return codes, y_enc

    def _learn(
        self, codes: np.ndarray, y_enc: np.ndarray, rows: np.ndarray
    ) -> tuple[Any, np.ndarray]:
        """(target mean, flat encodings) learnt on ``rows``.

        Flat encodings: shape (n_total_categories,) or, multiclass,
        (n_classes, n_total_categories).
        """
        from fastml.kernels.preprocessing.encode import (
            fit_target_encoding,
            fit_target_encoding_auto,
        )

        y_rows = y_enc[rows]
        y_mean = np.mean(y_rows, axis=0)
        targets = y_enc.T if y_enc.ndim == 2 else y_enc[None, :]
        means = np.atleast_1d(y_mean)
        out = np.empty((targets.shape[0], int(self._offsets[-1])), dtype=np.float64)
        for k in range(targets.shape[0]):
            target = np.ascontiguousarray(targets[k])
            if self.smooth == "auto":
                variance = float(np.var(target[rows]))
                fit_target_encoding_auto(
                    codes,
                    target,
                    rows,
                    self._offsets,
                    float(means[k]),
                    variance,
                    out[k],
                )
            else:
                fit_target_encoding(
                    codes,
                    target,
                    rows,
                    self._offsets,
                    float(self.smooth),
                    float(means[k]),
                    out[k],
                )
        flat = out if y_enc.ndim == 2 else out[0]
        return (y_mean if y_enc.ndim == 2 else float(y_mean)), flat

    def _split_encodings(self, flat: np.ndarray) -> list[np.ndarray]:
        starts, stops = self._offsets[:-1], self._offsets[1:]
        if flat.ndim == 1:
            return [flat[a:b].copy() for a, b in zip(starts, stops)]
        return [
            flat[k, a:b].copy() for a, b in zip(starts, stops) for k in range(len(flat))
        ]

    def _apply(
        self,
        codes: np.ndarray,
        rows: np.ndarray,
        flat: np.ndarray,
        target_mean: Any,
        out: np.ndarray,
    ) -> None:
        """Write the encodings of ``rows`` into ``out`` (unknown -> target mean)."""
        from fastml.kernels.preprocessing.encode import apply_target_encoding

        encodings = flat if flat.ndim == 2 else flat[None, :]
        means = np.atleast_1d(np.asarray(target_mean, dtype=np.float64))
        apply_target_encoding(codes, rows, encodings, self._offsets, means, out)

    def _new_output(self, n_samples: int) -> np.ndarray:
        n_targets = 1
        if self.target_type_ == "multiclass" and self.classes_ is not None:
            n_targets = len(self.classes_)
        n_columns = len(self.categories_) * n_targets
        return np.empty((n_samples, n_columns), dtype=np.float64)

    def _splits(self, y_enc: np.ndarray, y: Any) -> list[tuple[np.ndarray, np.ndarray]]:
        stratify = self.target_type_ != "continuous"
        labels = np.asarray(column_or_1d(y)) if stratify else y_enc
        return cross_fit_splits(
            self.cv,
            y_enc.shape[0],
            labels,
            stratify=stratify,
            shuffle=self.shuffle,
            random_state=self.random_state,
        )

    # -- public API ------------------------------------------------------------------

    def fit(self, X: Any, y: Any) -> TargetEncoder:
        """Learn the full-data encodings (prefer ``fit_transform`` on training data).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Categorical features.
        y : array-like of shape (n_samples,)
            Target.

        Returns
        -------
        self : TargetEncoder
        """
        self._fit_all(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """Fit, and encode ``X`` by cross-fitting (each fold from the other folds).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_encoded : ndarray of shape (n_samples, n_features) or \
(n_samples, n_features * n_classes)
            Out-of-fold encodings.
        """
        codes, y_enc = self._fit_all(X, y)
        splits = self._splits(y_enc, y)
        out = self._new_output(codes.shape[0])
        for train_idx, test_idx in splits:
            fold_mean, fold_flat = self._learn(codes, y_enc, train_idx)
            self._apply(codes, test_idx, fold_flat, fold_mean, out)
        return out

    def transform(self, X: Any) -> np.ndarray:
        """Encode ``X`` with the full-data encodings ``encodings_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_encoded : ndarray of shape (n_samples, n_features) or \
(n_samples, n_features * n_classes)
        """
        check_is_fitted(self, "encodings_")
        codes = self._encode_columns(X, handle_unknown="ignore")
        out = self._new_output(codes.shape[0])
        rows = np.arange(codes.shape[0], dtype=np.int64)
        self._apply(codes, rows, self._flat_encodings, self.target_mean_, out)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names, or ``f"{feature}_{class}"`` for a multiclass target."""
        check_is_fitted(self, "encodings_")
        names = feature_names_in(self, input_features)
        if self.target_type_ == "multiclass":
            assert self.classes_ is not None
            return np.asarray(
                [f"{n}_{c}" for n in names for c in self.classes_], dtype=object
            )
        return names

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.transformer_tags.preserves_dtype = []
        return tags


class KFoldTargetEncoder(TargetEncoder):
    """Out-of-fold target encoder: plain K-fold cross-fitting, never stratified.

    The same estimator as :class:`TargetEncoder` (same encodings, same code) with
    the folds spelled out: ``fit_transform`` splits the rows into ``n_splits``
    consecutive blocks (after a shuffle when ``shuffle``) whatever the target type,
    and encodes each block with encodings learnt on the other blocks only, so no
    row's encoding ever sees its own target. ``transform`` applies the full-data
    encodings ``encodings_``. The difference from :class:`TargetEncoder` is only the
    fold assignment: TargetEncoder stratifies the folds on the class for binary and
    multiclass targets; this one uses ``KFold(n_splits, shuffle, random_state)``
    for every target. ``fold_of_`` records each training row's held-out fold.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at least 2).
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
    smooth : "auto" or float >= 0, default="auto"
    target_type : {"auto", "continuous", "binary", "multiclass"}, default="auto"
    categories : "auto" or list of array-like, default="auto"

    Attributes
    ----------
    fold_of_ : ndarray of shape (n_samples,), int64
        Fold in which each training row was held out (set by ``fit_transform``).
    encodings_, categories_, target_type_, target_mean_, classes_
        As in :class:`TargetEncoder`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.preprocessing import KFoldTargetEncoder
    >>> X = np.array([[0], [0], [1], [1]])
    >>> y = np.array([0.0, 2.0, 4.0, 6.0])
    >>> enc = KFoldTargetEncoder(
    ...     n_splits=2, shuffle=False, smooth=0.0, target_type="continuous"
    ... )
    >>> enc.fit_transform(X, y)  # rows 0-1 from rows 2-3 and the reverse
    array([[5.],
           [5.],
           [1.],
           [1.]])
    >>> enc.transform([[0], [1]])
    array([[1.],
           [5.]])
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        shuffle: bool = True,
        random_state: Any = None,
        smooth: Any = "auto",
        target_type: str = "auto",
        categories: Any = "auto",
    ) -> None:
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state
        self.smooth = smooth
        self.target_type = target_type
        self.categories = categories

    @classmethod
    def _test_instance(cls) -> KFoldTargetEncoder:
        return cls(n_splits=3, random_state=0)

    def _splits(self, y_enc: np.ndarray, y: Any) -> list[tuple[np.ndarray, np.ndarray]]:
        if not isinstance(self.n_splits, numbers.Integral) or isinstance(
            self.n_splits, bool
        ):
            raise ValueError(f"n_splits must be an int, got {self.n_splits!r}.")
        splits = cross_fit_splits(
            int(self.n_splits),
            y_enc.shape[0],
            y_enc,
            stratify=False,
            shuffle=self.shuffle,
            random_state=self.random_state,
        )
        fold_of = np.empty(y_enc.shape[0], dtype=np.int64)
        for fold, (_, test_idx) in enumerate(splits):
            fold_of[test_idx] = fold
        self.fold_of_ = fold_of
        return splits
