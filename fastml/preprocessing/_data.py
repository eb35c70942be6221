"""Feature scaling: standardisation and min-max scaling."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from fastml.base import BaseEstimator, TransformerMixin
from fastml.utils.validation import (
    check_array,
    check_is_fitted,
    check_sample_weight,
    validate_data,
)

__all__ = ["StandardScaler", "MinMaxScaler"]

_FLOATS = (np.float64, np.float32)


def _writable(X: np.ndarray) -> np.ndarray:
    return X if X.flags.writeable else X.copy()


def _column_moments(
    X: np.ndarray, sample_weight: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weighted count, sum, centred sum of squares) per column, NaN skipped."""
    from fastml._config import cpu_count
    from fastml.kernels._jit import num_threads
    from fastml.kernels.preprocessing.scale import n_moment_blocks, sum_column_moments

    n_samples, n_features = X.shape
    weights = (
        np.ones(n_samples, dtype=np.float64)
        if sample_weight is None
        else np.ascontiguousarray(sample_weight, dtype=np.float64)
    )
    count = np.empty(n_features)
    total = np.empty(n_features)
    m2 = np.empty(n_features)
    with num_threads(cpu_count()), np.errstate(divide="ignore", invalid="ignore"):
        sum_column_moments(
            np.ascontiguousarray(X),
            weights,
            n_moment_blocks(n_samples),
            count,
            total,
            m2,
        )
    return count, total, m2


class StandardScaler(TransformerMixin, BaseEstimator):
    """Standardise features: subtract the mean and divide by the standard deviation.

    ``z = (x - mean_) / scale_`` per feature, with the (optionally weighted)
    population mean and variance of the training data. NaN values are ignored when
    the statistics are computed and stay NaN in the output.

    The statistics come from one compiled pass pair per batch,
    ``fastml.kernels.preprocessing.scale.sum_column_moments`` (weighted corrected
    two-pass moments over fixed row blocks, reproducible for any thread count), and
    ``partial_fit`` merges batches with the pairwise update of Chan, Golub & LeVeque
    (1983). ``transform`` is a NumPy broadcast (already memory-bound).

    Parameters
    ----------
    copy : bool, default=True
        ``False`` scales a float array in place when the input is already a writable
        float64/float32 C-ordered array (scikit-learn's behaviour); by default the
        caller's array is never modified.
    with_mean : bool, default=True
        Centre the data.
    with_std : bool, default=True
        Scale the data to unit variance.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
        Per-feature mean (None when neither centring nor scaling).
    var_ : ndarray of shape (n_features,) or None
        Per-feature population variance (None when ``with_std=False``).
    scale_ : ndarray of shape (n_features,) or None
        ``sqrt(var_)``, with 1 for features whose variance is indistinguishable from
        zero given the rounding error of the two-pass computation (None when
        ``with_std=False``).
    n_samples_seen_ : int, float or ndarray of shape (n_features,)
        Non-NaN samples (total weight when weighted) seen per feature; a scalar when
        equal for all features.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.preprocessing import StandardScaler
    >>> X = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]])
    >>> scaler = StandardScaler().fit(X)
    >>> scaler.mean_, scaler.var_
    (array([2., 1.]), array([2.66666667, 0.        ]))
    >>> scaler.transform([[2.0, 3.0]])
    array([[0., 2.]])
    """

    def __init__(
        self, *, copy: bool = True, with_mean: bool = True, with_std: bool = True
    ) -> None:
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def _reset(self) -> None:
        for name in ("n_samples_seen_", "mean_", "var_", "scale_"):
            if hasattr(self, name):
                delattr(self, name)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> StandardScaler:
        """Compute the mean and standard deviation of each feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights (not all zero).

        Returns
        -------
        self : StandardScaler
        """
        self._reset()
        return self.partial_fit(X, y, sample_weight)

    def partial_fit(
        self, X: Any, y: Any = None, sample_weight: Any = None
    ) -> StandardScaler:
        """Update the statistics with one more batch of samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : StandardScaler
        """
        first_call = not hasattr(self, "n_samples_seen_")
        X = validate_data(
            self, X, dtype=_FLOATS, ensure_all_finite="allow-nan", reset=first_call
        )
        n_samples, n_features = X.shape
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, n_samples, dtype=X.dtype)
        count_dtype = np.int64 if sample_weight is None else X.dtype
        if first_call:
            self.n_samples_seen_: Any = np.zeros(n_features, dtype=count_dtype)
            self.mean_: Any = 0.0
            self.var_: Any = 0.0 if self.with_std else None
        elif np.ndim(self.n_samples_seen_) == 0:
            self.n_samples_seen_ = np.repeat(self.n_samples_seen_, n_features).astype(
                count_dtype, copy=False
            )
        if not self.with_mean and not self.with_std:
            self.mean_ = None
            self.var_ = None
            self.n_samples_seen_ = self.n_samples_seen_ + (
                n_samples - np.isnan(X).sum(axis=0)
            )
        else:
            self._merge(X, sample_weight)
        seen = self.n_samples_seen_
        if np.max(seen) == np.min(seen):
            self.n_samples_seen_ = seen[0]
        if self.with_std:
            n = self.n_samples_seen_
            eps = np.finfo(np.float64).eps
            constant = self.var_ <= n * eps * self.var_ + (n * self.mean_ * eps) ** 2
            scale = np.sqrt(self.var_)
            scale[constant] = 1.0
            self.scale_: Any = scale
        else:
            self.scale_ = None
        return self

    def _merge(self, X: np.ndarray, sample_weight: np.ndarray | None) -> None:
        """Chan et al.'s pairwise update of (count, mean, var) with a new batch."""
        new_count, new_sum, new_m2 = _column_moments(X, sample_weight)
        last_count = np.asarray(self.n_samples_seen_, dtype=np.float64)
        last_sum = self.mean_ * last_count
        count = last_count + new_count
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = (last_sum + new_sum) / count
            if self.var_ is not None:
                ratio = last_count / new_count
                m2 = (
                    self.var_ * last_count
                    + new_m2
                    + ratio / count * (last_sum / ratio - new_sum) ** 2
                )
                first = last_count == 0
                m2[first] = new_m2[first]
                self.var_ = m2 / count
        self.mean_ = mean
        self.n_samples_seen_ = count

    def transform(self, X: Any, copy: bool | None = None) -> np.ndarray:
        """Standardise ``X`` with the fitted statistics (NaN stays NaN).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        copy : bool or None, default=None
            Overrides ``self.copy``.

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "n_samples_seen_")
        copy = self.copy if copy is None else copy
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=_FLOATS,
            ensure_all_finite="allow-nan",
            copy=copy,
        )
        X = _writable(X)
        if self.with_mean:
            X -= self.mean_.astype(X.dtype)
        if self.with_std:
            X /= self.scale_.astype(X.dtype)
        return X

    def inverse_transform(self, X: Any, copy: bool | None = None) -> np.ndarray:
        """Undo :meth:`transform`: ``X * scale_ + mean_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        copy : bool or None, default=None

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "n_samples_seen_")
        copy = self.copy if copy is None else copy
        X = check_array(
            X, dtype=_FLOATS, ensure_all_finite="allow-nan", copy=copy, input_name="X"
        )
        X = _writable(X)
        if self.with_std:
            X *= self.scale_.astype(X.dtype)
        if self.with_mean:
            X += self.mean_.astype(X.dtype)
        return X

    def _allow_nan_input(self) -> bool:
        return True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class MinMaxScaler(TransformerMixin, BaseEstimator):
    """Scale each feature linearly to ``feature_range`` using its training min and max.

    ``x_scaled = x * scale_ + min_`` with ``scale_ = (hi - lo) / (data_max_ -
    data_min_)`` and ``min_ = lo - data_min_ * scale_``. NaN values are ignored by the
    min/max and preserved. Pure NumPy (``np.nanmin``/``np.nanmax`` reductions and a
    broadcast multiply-add are already optimal).

    Parameters
    ----------
    feature_range : tuple (min, max), default=(0, 1)
        Target range; ``min < max``.
    copy : bool, default=True
        As in :class:`StandardScaler`.
    clip : bool, default=False
        Clip transformed values of new data to ``feature_range``.

    Attributes
    ----------
    data_min_, data_max_, data_range_ : ndarray of shape (n_features,)
        Per-feature minimum, maximum and their difference seen so far.
    scale_, min_ : ndarray of shape (n_features,)
        The affine map; a constant feature gets ``scale_ = hi - lo``.
    n_samples_seen_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.preprocessing import MinMaxScaler
    >>> scaler = MinMaxScaler().fit([[-1.0, 2.0], [1.0, 6.0]])
    >>> scaler.transform([[0.0, 4.0], [3.0, 2.0]])
    array([[0.5, 0.5],
           [2. , 0. ]])
    """

    data_min_: np.ndarray
    data_max_: np.ndarray

    def __init__(
        self, feature_range: Any = (0, 1), *, copy: bool = True, clip: bool = False
    ) -> None:
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def _reset(self) -> None:
        for name in (
            "n_samples_seen_",
            "data_min_",
            "data_max_",
            "data_range_",
            "scale_",
            "min_",
        ):
            if hasattr(self, name):
                delattr(self, name)

    def _check_range(self) -> tuple[Any, Any]:
        fr = self.feature_range
        if (
            not isinstance(fr, (tuple, list))
            or len(fr) != 2
            or not all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) for v in fr
            )
        ):
            raise ValueError(
                "The 'feature_range' parameter of MinMaxScaler must be an instance of "
                f"'tuple'. Got {fr!r} instead."
            )
        if fr[0] >= fr[1]:
            raise ValueError(
                "Minimum of desired feature range must be smaller than maximum. Got "
                f"{tuple(fr)}."
            )
        return fr[0], fr[1]

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Compute the per-feature minimum and maximum.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : MinMaxScaler
        """
        self._reset()
        return self.partial_fit(X, y)

    def partial_fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Update the per-feature minimum and maximum with one more batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : MinMaxScaler
        """
        lo, hi = self._check_range()
        first_pass = not hasattr(self, "n_samples_seen_")
        X = validate_data(
            self, X, dtype=_FLOATS, ensure_all_finite="allow-nan", reset=first_pass
        )
        lo_arr = np.asarray(lo, dtype=X.dtype)
        hi_arr = np.asarray(hi, dtype=X.dtype)
        data_min = np.nanmin(X, axis=0)
        data_max = np.nanmax(X, axis=0)
        if first_pass:
            self.n_samples_seen_ = X.shape[0]
        else:
            data_min = np.minimum(self.data_min_, data_min)
            data_max = np.maximum(self.data_max_, data_max)
            self.n_samples_seen_ += X.shape[0]
        data_range = data_max - data_min
        denominator = data_range.copy()
        denominator[denominator < 10 * np.finfo(denominator.dtype).eps] = 1.0
        self.scale_ = (hi_arr - lo_arr) / denominator
        self.min_ = lo_arr - data_min * self.scale_
        self.data_min_ = data_min
        self.data_max_ = data_max
        self.data_range_ = data_range
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Scale ``X`` to ``feature_range`` (clipped when ``clip``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "scale_")
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=_FLOATS,
            ensure_all_finite="allow-nan",
            copy=self.copy,
        )
        X = _writable(X)
        X *= self.scale_
        X += self.min_
        if self.clip:
            lo, hi = self.feature_range
            np.clip(
                X, np.asarray(lo, dtype=X.dtype), np.asarray(hi, dtype=X.dtype), out=X
            )
        return X

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform`: ``(X - min_) / scale_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "scale_")
        X = check_array(
            X,
            dtype=_FLOATS,
            ensure_all_finite="allow-nan",
            copy=self.copy,
            input_name="X",
        )
        X = _writable(X)
        X -= self.min_
        X /= self.scale_
        return X

    def _allow_nan_input(self) -> bool:
        return True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
