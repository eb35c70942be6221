"""One-hot and ordinal encoding of categorical features."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from fastml.preprocessing._encode import (
    BaseEncoder,
    feature_names_in,
    is_scalar_nan,
)
from fastml.utils.validation import check_array, check_is_fitted, is_sparse

__all__ = ["OneHotEncoder", "OrdinalEncoder"]

_ONEHOT_UNKNOWN = ("error", "ignore", "infrequent_if_exist", "warn")


def _result_dtype(categories: list[np.ndarray]) -> np.dtype:
    try:
        return np.result_type(*[c.dtype for c in categories])
    except TypeError:  # e.g. strings next to numbers: NumPy has no common dtype
        return np.dtype(object)


class OneHotEncoder(BaseEncoder):
    """Encode categorical features as a one-hot (dummy) matrix.

    Each input feature with ``k`` categories becomes ``k`` output columns (``k - 1``
    when one category is dropped) holding a single 1 per row. Numeric columns are
    looked up with the compiled binary search
    ``fastml.kernels.preprocessing.encode.lookup_categories`` and the output is filled
    by ``map_onehot_columns``/``fill_onehot``; string and object columns are looked
    up in NumPy (``searchsorted``) or a dict.

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        Categories per feature: learnt from the data (sorted; missing values
        ``None`` then ``NaN`` last) or given, one array per feature (numeric ones
        sorted, ``NaN`` last).
    drop : {"first", "if_binary"}, array-like of shape (n_features,) or None, \
default=None
        Category to drop per feature: the first one (``k - 1`` columns per
        feature; a feature with a single category disappears), the first one of
        two-category features only, or ``drop[i]`` for feature ``i``.
    sparse_output : bool, default=True
        Return a ``scipy.sparse.csr_matrix`` (int32 indices) instead of a dense
        array.
    dtype : numeric dtype, default=np.float64
        Output dtype.
    handle_unknown : {"error", "ignore", "infrequent_if_exist", "warn"}, \
default="error"
        What ``transform`` does with a category not seen in ``fit``: raise, or
        encode the row's block as all zeros. fastml has no infrequent-category
        grouping (``min_frequency``/``max_categories``), so "infrequent_if_exist"
        behaves as "ignore" (as it does in scikit-learn without grouping), and
        "warn" as "ignore" plus a warning. With ``drop`` set, unknown categories
        also trigger a warning (they decode as the dropped category).
    feature_name_combiner : "concat" or callable, default="concat"
        ``callable(input_feature, category) -> str`` naming output columns;
        "concat" gives ``f"{feature}_{category}"``.

    Attributes
    ----------
    categories_ : list of ndarray
        Categories of each feature, in output order (before dropping).
    drop_idx_ : ndarray of shape (n_features,), dtype object, or None
        Index in ``categories_[i]`` of the dropped category (None: nothing dropped
        for that feature); None when ``drop`` is None.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> from fastml.preprocessing import OneHotEncoder
    >>> enc = OneHotEncoder(sparse_output=False).fit([["b", 1], ["a", 3], ["b", 2]])
    >>> enc.categories_
    [array(['a', 'b'], dtype=object), array([1, 2, 3], dtype=object)]
    >>> enc.transform([["a", 2]])
    array([[1., 0., 0., 1., 0.]])
    >>> enc.get_feature_names_out().tolist()
    ['x0_a', 'x0_b', 'x1_1', 'x1_2', 'x1_3']
    """

    def __init__(
        self,
        *,
        categories: Any = "auto",
        drop: Any = None,
        sparse_output: bool = True,
        dtype: Any = np.float64,
        handle_unknown: str = "error",
        feature_name_combiner: Any = "concat",
    ) -> None:
        self.categories = categories
        self.drop = drop
        self.sparse_output = sparse_output
        self.dtype = dtype
        self.handle_unknown = handle_unknown
        self.feature_name_combiner = feature_name_combiner

    def _check_params(self) -> None:
        if self.handle_unknown not in _ONEHOT_UNKNOWN:
            raise ValueError(
                "The 'handle_unknown' parameter of OneHotEncoder must be a str among "
                f"{set(_ONEHOT_UNKNOWN)}. Got {self.handle_unknown!r} instead."
            )
        if isinstance(self.drop, str) and self.drop not in ("first", "if_binary"):
            raise ValueError(
                "The 'drop' parameter of OneHotEncoder must be a str among "
                f"{{'first', 'if_binary'}}, an array-like or None. Got {self.drop!r} "
                "instead."
            )
        combiner = self.feature_name_combiner
        if not (combiner == "concat" or callable(combiner)):
            raise ValueError(
                "The 'feature_name_combiner' parameter of OneHotEncoder must be a str "
                f"among {{'concat'}} or a callable. Got {combiner!r} instead."
            )

    def fit(self, X: Any, y: Any = None) -> OneHotEncoder:
        """Learn the categories of each feature of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Categorical data (numbers, strings, objects; DataFrame columns keep
            their dtypes).
        y : None
            Ignored.

        Returns
        -------
        self : OneHotEncoder
        """
        self._check_params()
        self._fit_categories(X, handle_unknown=self.handle_unknown)
        self.drop_idx_ = self._compute_drop_idx()
        self._n_features_outs = [
            len(cats) - (0 if self._dropped(i) is None else 1)
            for i, cats in enumerate(self.categories_)
        ]
        return self

    def _dropped(self, i: int) -> int | None:
        if self.drop_idx_ is None:
            return None
        value = self.drop_idx_[i]
        return None if value is None else int(value)

    def _compute_drop_idx(self) -> np.ndarray | None:
        if self.drop is None:
            return None
        n_features = len(self.categories_)
        if isinstance(self.drop, str):
            if self.drop == "first":
                return np.zeros(n_features, dtype=object)
            return np.array(
                [0 if len(c) == 2 else None for c in self.categories_], dtype=object
            )
        drop = np.asarray(self.drop, dtype=object)
        if drop.ndim != 1 or len(drop) != n_features:
            raise ValueError(
                "`drop` should have length equal to the number of features "
                f"({n_features}), got {len(drop) if drop.ndim else 0}"
            )
        missing: list[tuple[int, Any]] = []
        indices: list[int] = []
        for i, (value, cats) in enumerate(zip(drop, self.categories_)):
            if is_scalar_nan(value):
                if cats.size and is_scalar_nan(cats[-1]):
                    indices.append(cats.size - 1)
                else:
                    missing.append((i, value))
                continue
            found = np.flatnonzero(cats == value)
            if found.size:
                indices.append(int(found[0]))
            else:
                missing.append((i, value))
        if missing:
            lines = "\n".join(f"Category: {i}, Feature: {v}" for i, v in missing)
            raise ValueError(
                "The following categories were supposed to be dropped, but were not "
                f"found in the training data.\n{lines}"
            )
        return np.array(indices, dtype=object)

    def transform(self, X: Any) -> Any:
        """One-hot encode ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_outputs)
        """
        check_is_fitted(self, "categories_")
        from fastml.kernels.preprocessing.encode import fill_onehot, map_onehot_columns

        strict = self.handle_unknown == "error"
        codes = self._encode_columns(X, handle_unknown="error" if strict else "ignore")
        if not strict and (self.handle_unknown == "warn" or self.drop is not None):
            unknown_cols = np.flatnonzero((codes < 0).any(axis=0)).tolist()
            if unknown_cols:
                if self.handle_unknown in ("warn", "infrequent_if_exist"):
                    tail = "will be encoded as the infrequent category."
                else:
                    tail = "will be encoded as all zeros"
                warnings.warn(
                    f"Found unknown categories in columns {unknown_cols} during "
                    f"transform. These unknown categories {tail}",
                    UserWarning,
                    stacklevel=2,
                )
        n_samples = codes.shape[0]
        n_outputs = int(sum(self._n_features_outs))
        offsets = np.zeros(len(self.categories_), dtype=np.int64)
        if len(self.categories_) > 1:
            offsets[1:] = np.cumsum(self._n_features_outs)[:-1]
        drop_idx = np.array(
            [
                -1 if self._dropped(i) is None else self._dropped(i)
                for i in range(len(self.categories_))
            ],
            dtype=np.int64,
        )
        columns = np.empty_like(codes)
        map_onehot_columns(codes, offsets, drop_idx, columns)
        dtype = np.dtype(self.dtype)
        if self.sparse_output:
            from scipy import sparse

            keep = columns >= 0
            indptr = np.zeros(n_samples + 1, dtype=np.int64)
            np.cumsum(keep.sum(axis=1), out=indptr[1:])
            indices = columns[keep]
            index_dtype = np.int32 if max(n_outputs, indptr[-1]) < 2**31 else np.int64
            return sparse.csr_matrix(
                (
                    np.ones(indices.size, dtype=dtype),
                    indices.astype(index_dtype),
                    indptr.astype(index_dtype),
                ),
                shape=(n_samples, n_outputs),
            )
        out = np.zeros((n_samples, n_outputs), dtype=dtype)
        if dtype in (np.float64, np.float32):
            fill_onehot(columns, out)
        else:
            rows, feats = np.nonzero(columns >= 0)
            out[rows, columns[rows, feats]] = 1
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Categories back from a one-hot matrix.

        A block of zeros decodes to the dropped category when the feature has one,
        to ``None`` when ``handle_unknown`` is not "error", and raises otherwise.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_outputs)

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "categories_")
        if is_sparse(X):
            X = X.toarray()
        X = check_array(X, input_name="X")
        n_samples = X.shape[0]
        n_features = len(self.categories_)
        n_outputs = int(sum(self._n_features_outs))
        if X.shape[1] != n_outputs:
            raise ValueError(
                "Shape of the passed X data is not correct. Expected "
                f"{n_outputs} columns, got {X.shape[1]}."
            )
        result = np.empty(
            (n_samples, n_features), dtype=_result_dtype(self.categories_)
        )
        unknown: dict[int, np.ndarray] = {}
        start = 0
        for i, cats in enumerate(self.categories_):
            dropped = self._dropped(i)
            kept = cats if dropped is None else np.delete(cats, dropped)
            width = kept.shape[0]
            if width == 0:
                result[:, i] = cats[dropped]
                continue
            block = X[:, start : start + width]
            result[:, i] = kept[block.argmax(axis=1)]
            zeros = block.sum(axis=1) == 0
            if zeros.any():
                if dropped is not None:
                    result[zeros, i] = cats[dropped]
                elif self.handle_unknown != "error":
                    unknown[i] = zeros
                else:
                    raise ValueError(
                        f"Samples {np.flatnonzero(zeros)} can not be inverted when "
                        "drop=None and handle_unknown='error' because they contain "
                        "all zeros"
                    )
            start += width
        if unknown:
            result = result.astype(object)
            for i, mask in unknown.items():
                result[mask, i] = None
        return result

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output column names, ``f"{feature}_{category}"`` by default.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input names; default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "categories_")
        names = feature_names_in(self, input_features)
        combiner = self._name_combiner()
        out: list[str] = []
        for i, cats in enumerate(self.categories_):
            dropped = self._dropped(i)
            kept = cats if dropped is None else np.delete(cats, dropped)
            out.extend(combiner(names[i], c) for c in kept)
        return np.asarray(out, dtype=object)

    def _name_combiner(self) -> Callable[[str, Any], str]:
        if self.feature_name_combiner == "concat":
            return lambda feature, category: f"{feature}_{category}"
        combiner = self.feature_name_combiner
        if not isinstance(combiner("feature", "category"), str):
            raise TypeError(
                "When `feature_name_combiner` is a callable, it should return a "
                "Python string. Got "
                f"{type(combiner('feature', 'category'))} instead."
            )
        return combiner

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


class OrdinalEncoder(BaseEncoder):
    """Encode categorical features as integer codes ``0 .. n_categories - 1``.

    Same category discovery and lookup as :class:`OneHotEncoder` (compiled binary
    search for numeric columns, NumPy/dict lookup for string and object columns).

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        As in :class:`OneHotEncoder`.
    dtype : numeric dtype, default=np.float64
        Output dtype.
    handle_unknown : {"error", "use_encoded_value"}, default="error"
        Raise on a category unseen in ``fit``, or encode it as ``unknown_value``.
    unknown_value : int, np.nan or None, default=None
        Code of unknown categories; required (and only allowed) with
        ``handle_unknown="use_encoded_value"``. It must not be a code of a known
        category; np.nan needs a float ``dtype``.
    encoded_missing_value : int or np.nan, default=np.nan
        Code of missing values (a NaN category). ``None`` in object columns is an
        ordinary category, as in scikit-learn.

    Attributes
    ----------
    categories_ : list of ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from fastml.preprocessing import OrdinalEncoder
    >>> enc = OrdinalEncoder().fit([["b", 1], ["a", 3], ["b", 2]])
    >>> enc.transform([["a", 3], ["b", 1]])
    array([[0., 2.],
           [1., 0.]])
    """

    def __init__(
        self,
        *,
        categories: Any = "auto",
        dtype: Any = np.float64,
        handle_unknown: str = "error",
        unknown_value: Any = None,
        encoded_missing_value: Any = np.nan,
    ) -> None:
        self.categories = categories
        self.dtype = dtype
        self.handle_unknown = handle_unknown
        self.unknown_value = unknown_value
        self.encoded_missing_value = encoded_missing_value

    def _check_params(self) -> None:
        if self.handle_unknown not in ("error", "use_encoded_value"):
            raise ValueError(
                "The 'handle_unknown' parameter of OrdinalEncoder must be a str among "
                "{'error', 'use_encoded_value'}. Got "
                f"{self.handle_unknown!r} instead."
            )
        if self.handle_unknown == "use_encoded_value":
            if is_scalar_nan(self.unknown_value):
                if np.dtype(self.dtype).kind != "f":
                    raise ValueError(
                        "When unknown_value is np.nan, the dtype parameter should be "
                        f"a float dtype. Got {self.dtype}."
                    )
            elif not isinstance(self.unknown_value, numbers.Integral) or isinstance(
                self.unknown_value, bool
            ):
                raise TypeError(
                    "unknown_value should be an integer or np.nan when handle_unknown "
                    f"is 'use_encoded_value', got {self.unknown_value}."
                )
        elif self.unknown_value is not None:
            raise TypeError(
                "unknown_value should only be set when handle_unknown is "
                f"'use_encoded_value', got {self.unknown_value}."
            )
        value = self.encoded_missing_value
        if not is_scalar_nan(value) and (
            not isinstance(value, numbers.Integral) or isinstance(value, bool)
        ):
            raise ValueError(
                "The 'encoded_missing_value' parameter of OrdinalEncoder must be an "
                f"instance of 'int' or 'float' (nan). Got {value!r} instead."
            )

    def fit(self, X: Any, y: Any = None) -> OrdinalEncoder:
        """Learn the categories of each feature of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : OrdinalEncoder
        """
        self._check_params()
        self._fit_categories(X, handle_unknown=self.handle_unknown)
        missing = {
            i: idx
            for i in range(len(self.categories_))
            if (idx := self._missing_index(i)) is not None
        }
        self._missing_indices = missing
        cardinalities = [
            len(c) - (1 if i in missing else 0) for i, c in enumerate(self.categories_)
        ]
        if self.handle_unknown == "use_encoded_value" and not is_scalar_nan(
            self.unknown_value
        ):
            for cardinality in cardinalities:
                if 0 <= self.unknown_value < cardinality:
                    raise ValueError(
                        f"The used value for unknown_value {self.unknown_value} is one "
                        "of the values already used for encoding the seen categories."
                    )
        if missing:
            if np.dtype(self.dtype).kind != "f" and is_scalar_nan(
                self.encoded_missing_value
            ):
                raise ValueError(
                    f"There are missing values in features {list(missing)}. For "
                    "OrdinalEncoder to encode missing values with dtype: "
                    f"{self.dtype}, set encoded_missing_value to a non-nan value, or "
                    "set dtype to a float"
                )
            if not is_scalar_nan(self.encoded_missing_value):
                invalid: Any = [
                    i
                    for i, cardinality in enumerate(cardinalities)
                    if i in missing and 0 <= self.encoded_missing_value < cardinality
                ]
                if invalid:
                    if hasattr(self, "feature_names_in_"):
                        invalid = self.feature_names_in_[invalid]
                    raise ValueError(
                        f"encoded_missing_value ({self.encoded_missing_value}) is "
                        f"already used to encode a known category in features: "
                        f"{invalid}"
                    )
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Ordinal codes of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "categories_")
        handle = "error" if self.handle_unknown == "error" else "ignore"
        codes = self._encode_columns(X, handle_unknown=handle)
        unknown = codes < 0
        out = codes.astype(self.dtype)
        for i, idx in self._missing_indices.items():
            out[codes[:, i] == idx, i] = self.encoded_missing_value
        if self.handle_unknown == "use_encoded_value":
            out[unknown] = self.unknown_value
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Categories back from ordinal codes (``None`` for ``unknown_value``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "categories_")
        X = check_array(X, ensure_all_finite="allow-nan", input_name="X")
        n_samples = X.shape[0]
        n_features = len(self.categories_)
        if X.shape[1] != n_features:
            raise ValueError(
                "Shape of the passed X data is not correct. Expected "
                f"{n_features} columns, got {X.shape[1]}."
            )
        result = np.empty(
            (n_samples, n_features), dtype=_result_dtype(self.categories_)
        )
        unknown: dict[int, np.ndarray] = {}
        for i, cats in enumerate(self.categories_):
            labels = np.array(X[:, i], dtype=np.float64)
            if i in self._missing_indices:
                labels[_value_mask(labels, self.encoded_missing_value)] = (
                    self._missing_indices[i]
                )
            rows = np.ones(n_samples, dtype=bool)
            if self.handle_unknown == "use_encoded_value":
                unknown[i] = _value_mask(labels, self.unknown_value)
                rows = ~unknown[i]
            result[rows, i] = cats[labels[rows].astype(np.int64)]
        if unknown:
            result = result.astype(object)
            for i, mask in unknown.items():
                result[mask, i] = None
        return result

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names: the input feature names (one column per feature)."""
        check_is_fitted(self, "categories_")
        return feature_names_in(self, input_features)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


def _value_mask(values: np.ndarray, target: Any) -> np.ndarray:
    if is_scalar_nan(target):
        return np.isnan(values)
    return values == target
