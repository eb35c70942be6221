"""Outlier flags by Tukey's fences (the 1.5 x IQR rule)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from fastml.base import BaseEstimator, TransformerMixin
from fastml.utils.validation import check_array, check_is_fitted, validate_data

__all__ = ["IQROutlierFlagger", "iqr_outlier_mask"]

_FLOATS = (np.float64, np.float32)


def _check_factor(factor: Any) -> float:
    if (
        not isinstance(factor, numbers.Real)
        or isinstance(factor, bool)
        or not math.isfinite(float(factor))
        or float(factor) < 0
    ):
        raise ValueError(f"factor must be a finite number >= 0, got {factor!r}.")
    return float(factor)


def _fences(X: np.ndarray, factor: float) -> tuple[np.ndarray, ...]:
    """(q1, q3, lower, upper) per column; NaN ignored, all-NaN columns give NaN."""
    n_features = X.shape[1]
    q1 = np.full(n_features, np.nan)
    q3 = np.full(n_features, np.nan)
    has_value = ~np.all(np.isnan(X), axis=0)
    if has_value.any():
        # NumPy's default "linear" method: the quantile at position p * (n - 1) of the
        # sorted non-NaN values, interpolated between its two neighbours.
        q = np.nanpercentile(X[:, has_value].astype(np.float64), [25.0, 75.0], axis=0)
        q1[has_value], q3[has_value] = q[0], q[1]
    iqr = q3 - q1
    return q1, q3, q1 - factor * iqr, q3 + factor * iqr


def _flag(X: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    # NaN compares False on both sides: a missing value is never flagged.
    return (X < lower) | (X > upper)


class IQROutlierFlagger(TransformerMixin, BaseEstimator):
    """Flag values outside Tukey's fences ``[Q1 - k IQR, Q3 + k IQR]`` per feature.

    ``fit`` stores the quartiles of each feature of the training data (NumPy's
    default linear-interpolation percentile, NaN ignored); ``transform`` returns a
    boolean mask, True where a value lies strictly outside the fences. NaN is never
    flagged. Pure NumPy: one partial sort per column in fit, comparisons in
    transform.

    Parameters
    ----------
    factor : float, default=1.5
        Fence distance ``k`` in interquartile ranges (1.5 is Tukey's rule, 3 his
        "far out" fence).

    Attributes
    ----------
    q1_, q3_ : ndarray of shape (n_features,)
        First and third quartiles (NaN for an all-NaN feature, which flags nothing).
    lower_, upper_ : ndarray of shape (n_features,)
        ``q1_ - factor * (q3_ - q1_)`` and ``q3_ + factor * (q3_ - q1_)``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.preprocessing import IQROutlierFlagger
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> flagger = IQROutlierFlagger().fit(X)
    >>> flagger.q1_, flagger.q3_, flagger.upper_
    (array([2.]), array([4.]), array([7.]))
    >>> flagger.transform(X).ravel()
    array([False, False, False, False,  True])
    """

    def __init__(self, factor: float = 1.5) -> None:
        self.factor = factor

    def fit(self, X: Any, y: Any = None) -> IQROutlierFlagger:
        """Compute the quartiles and fences of each feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : IQROutlierFlagger
        """
        factor = _check_factor(self.factor)
        X = validate_data(self, X, dtype=_FLOATS, ensure_all_finite="allow-nan")
        self.q1_, self.q3_, self.lower_, self.upper_ = _fences(X, factor)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Boolean mask of the values outside the fitted fences.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        mask : ndarray of shape (n_samples, n_features), dtype bool
        """
        check_is_fitted(self, "lower_")
        X = validate_data(
            self, X, dtype=_FLOATS, ensure_all_finite="allow-nan", reset=False
        )
        return _flag(X, self.lower_, self.upper_)

    def _allow_nan_input(self) -> bool:
        return True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


def iqr_outlier_mask(X: Any, factor: float = 1.5) -> np.ndarray:
    """Boolean mask of the values of ``X`` outside its own Tukey fences, per column.

    The same rule as :class:`IQROutlierFlagger` fitted and applied on ``X``:
    quartiles by NumPy's default linear-interpolation percentile, NaN ignored and
    never flagged.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        A 1-D input is treated as one feature and gives a 1-D mask.
    factor : float, default=1.5

    Returns
    -------
    mask : ndarray of the shape of ``X``, dtype bool

    Examples
    --------
    >>> from fastml.preprocessing import iqr_outlier_mask
    >>> iqr_outlier_mask([1.0, 2.0, 3.0, 4.0, -50.0])
    array([False, False, False, False,  True])
    """
    factor = _check_factor(factor)
    arr = check_array(
        X, dtype=_FLOATS, ensure_all_finite="allow-nan", ensure_2d=False, input_name="X"
    )
    if arr.ndim == 1:
        return iqr_outlier_mask(arr[:, None], factor)[:, 0]
    if arr.ndim != 2:
        raise ValueError(f"Expected a 1-D or 2-D array, got {arr.ndim}-D.")
    _, _, lower, upper = _fences(arr, factor)
    return _flag(arr, lower, upper)
