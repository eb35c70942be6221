"""Encoding of a 1-D target as integer class indices."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.base import BaseEstimator, TransformerMixin
from fastml.preprocessing._encode import encode_column, unique_column
from fastml.utils.validation import check_is_fitted, column_or_1d

__all__ = ["LabelEncoder"]


class LabelEncoder(TransformerMixin, BaseEstimator):
    """Encode target labels as integers ``0 .. n_classes - 1``.

    Meant for a target ``y``, not for features (use :class:`OrdinalEncoder`). Numeric
    labels go through the compiled binary search of
    ``fastml.kernels.preprocessing.encode``, strings through ``np.searchsorted`` and
    objects through a dict.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Sorted distinct labels.

    Examples
    --------
    >>> from fastml.preprocessing import LabelEncoder
    >>> le = LabelEncoder().fit(["paris", "tokyo", "paris", "amsterdam"])
    >>> le.classes_
    array(['amsterdam', 'paris', 'tokyo'], dtype='<U9')
    >>> le.transform(["tokyo", "paris"])
    array([2, 1])
    >>> le.inverse_transform([0, 2])
    array(['amsterdam', 'tokyo'], dtype='<U9')
    """

    def fit(self, y: Any) -> LabelEncoder:
        """Learn the sorted distinct labels of ``y``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : LabelEncoder
        """
        y_arr = column_or_1d(y, warn=True)
        self.classes_ = unique_column(y_arr)
        return self

    def fit_transform(self, y: Any) -> np.ndarray:  # type: ignore[override]
        """Fit and return the encoded labels.

        Parameters
        ----------
        y : array-like of shape (n_samples,)

        Returns
        -------
        y_encoded : ndarray of shape (n_samples,), int64
        """
        y_arr = column_or_1d(y, warn=True)
        self.classes_ = unique_column(y_arr)
        return encode_column(y_arr, self.classes_)

    def transform(self, y: Any) -> np.ndarray:
        """Class index of each label; unseen labels raise ValueError.

        Parameters
        ----------
        y : array-like of shape (n_samples,)

        Returns
        -------
        y_encoded : ndarray of shape (n_samples,), int64
        """
        check_is_fitted(self, "classes_")
        y_arr = column_or_1d(y, warn=True)
        if y_arr.shape[0] == 0:
            return np.array([], dtype=np.int64)
        if self.classes_.dtype.kind in "biuf" and y_arr.dtype != self.classes_.dtype:
            # Cast numeric labels to the classes' dtype, as scikit-learn does.
            y_arr = np.asarray(y_arr, dtype=self.classes_.dtype)
        codes = encode_column(y_arr, self.classes_)
        bad = codes < 0
        if bad.any():
            if y_arr.dtype.kind in "biuf":
                unseen: Any = list(np.unique(y_arr[bad]))
            else:
                unseen = repr(y_arr[np.argmax(bad)])
            raise ValueError(f"y contains previously unseen labels: {unseen}")
        return codes

    def inverse_transform(self, y: Any) -> np.ndarray:
        """Labels back from class indices.

        Parameters
        ----------
        y : array-like of shape (n_samples,)

        Returns
        -------
        y_original : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "classes_")
        y_arr = column_or_1d(y, warn=True)
        if y_arr.shape[0] == 0:
            return np.array([])
        diff = np.setdiff1d(y_arr, np.arange(len(self.classes_)))
        if len(diff):
            raise ValueError(f"y contains previously unseen labels: {diff}")
        return self.classes_[np.asarray(y_arr, dtype=np.int64)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.one_d_labels = True
        return tags
