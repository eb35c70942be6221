"""Column-wise category discovery and lookup shared by every categorical encoder.

Three paths, chosen per column by dtype:

- numeric columns (bool, integer, float): categories from ``np.unique`` (NaN kept
  once, last) and lookup by the compiled binary search
  ``fastml.kernels.preprocessing.encode.lookup_categories`` on canonical float64 or
  int64 arrays;
- NumPy string columns (``U``/``S``): ``np.unique`` and ``np.searchsorted`` in NumPy,
  which is already a vectorised binary search;
- object columns (Python strings, numbers, ``None``/``NaN`` mixed in): a Python set
  and dict, since their values have no fixed-width machine representation. ``None``
  and ``NaN`` are missing values: they sort last, ``None`` before ``NaN``.

Categories are sorted exactly as scikit-learn's encoders sort them, so ``categories_``
and every code agree with scikit-learn on the same input.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from fastml.base import BaseEstimator, TransformerMixin
from fastml.utils.validation import (
    _check_feature_names,
    _is_dataframe,
    check_array,
)

__all__ = [
    "is_scalar_nan",
    "check_columns",
    "unique_column",
    "encode_column",
    "unknown_values",
    "BaseEncoder",
]


def is_scalar_nan(x: Any) -> bool:
    """True for a float NaN scalar (Python or NumPy), False for everything else."""
    return (
        isinstance(x, numbers.Real)
        and not isinstance(x, (bool, np.bool_))
        and math.isnan(x)
    )


def _is_missing(x: Any) -> bool:
    return x is None or is_scalar_nan(x)


def _is_numeric(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "biuf"


def check_columns(
    X: Any, *, ensure_all_finite: bool | str = "allow-nan"
) -> tuple[list[np.ndarray], int, int]:
    """Validate a 2-D categorical input and split it into 1-D columns.

    DataFrame columns keep their own dtype (an integer column stays integer next to a
    string column); a list of strings becomes an object array so that mixed rows such
    as ``[["a", 1]]`` keep their numbers. Returns ``(columns, n_samples, n_features)``.
    """
    if _is_dataframe(X) and getattr(X, "ndim", 0) == 2:
        n_samples, n_features = X.shape
        if n_samples < 1:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
                "is required."
            )
        columns = [
            check_array(
                X.iloc[:, i],
                dtype=None,
                ensure_2d=False,
                ensure_all_finite=ensure_all_finite,
                ensure_min_samples=0,
                order=None,
            )
            for i in range(n_features)
        ]
        return columns, int(n_samples), int(n_features)
    arr = check_array(X, dtype=None, ensure_all_finite=ensure_all_finite, order=None)
    if not hasattr(X, "dtype") and arr.dtype.kind == "U":
        arr = np.asarray(X, dtype=object)
    n_samples, n_features = arr.shape
    return [arr[:, i] for i in range(n_features)], int(n_samples), int(n_features)


def check_layout(estimator: Any, X: Any, n_features: int, *, reset: bool) -> None:
    """Record (``reset``) or check ``n_features_in_`` and ``feature_names_in_``."""
    _check_feature_names(estimator, X, reset=reset)
    if reset:
        estimator.n_features_in_ = n_features
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
        )


def _mixed_type_error(values: Any) -> TypeError:
    types = sorted({type(v).__qualname__ for v in values})
    return TypeError(
        "Encoders require their input argument must be uniformly strings or numbers. "
        f"Got {types}"
    )


def _unique_object(values: np.ndarray) -> np.ndarray:
    try:
        seen = set(values)
    except TypeError as exc:
        raise _mixed_type_error(values) from exc
    has_none = any(v is None for v in seen)
    has_nan = any(is_scalar_nan(v) for v in seen)
    present = [v for v in seen if not _is_missing(v)]
    try:
        ordered = sorted(present)
    except TypeError as exc:
        raise _mixed_type_error(values) from exc
    if has_none:
        ordered.append(None)
    if has_nan:
        ordered.append(np.nan)
    out = np.empty(len(ordered), dtype=object)
    out[:] = ordered
    return out


def unique_column(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of a column, missing values last (scikit-learn order)."""
    if values.dtype == object:
        return _unique_object(values)
    # np.unique keeps a single NaN, at the end.
    return np.unique(values)


def _kernel_pair(
    values: np.ndarray, categories: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Canonical (values, categories) for the compiled lookup, or None."""
    if not (_is_numeric(values) and _is_numeric(categories)):
        return None
    if values.dtype.kind == "u" and values.dtype.itemsize == 8:
        return None
    if categories.dtype.kind == "u" and categories.dtype.itemsize == 8:
        return None
    if values.dtype.kind in "biu" and categories.dtype.kind in "biu":
        target: type = np.int64
    else:
        target = np.float64
    return (
        np.ascontiguousarray(values, dtype=target),
        np.ascontiguousarray(categories, dtype=target),
    )


def _encode_object(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    table: dict[Any, int] = {}
    nan_code = -1
    for k, cat in enumerate(categories):
        if is_scalar_nan(cat):
            nan_code = k
        else:
            table[cat] = k
    get = table.get
    codes = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        try:
            code = get(v, -1)
        except TypeError as exc:  # unhashable value
            raise _mixed_type_error(values) from exc
        if code < 0 and is_scalar_nan(v):
            code = nan_code
        codes[i] = code
    return codes


def encode_column(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Index of each value in ``categories`` (int64), -1 for values not in it.

    Numeric categories must be sorted (NaN last); object categories may be in any
    order (user-given categories keep their order).
    """
    pair = _kernel_pair(values, categories)
    if pair is not None:
        from fastml.kernels.preprocessing.encode import lookup_categories

        codes = np.empty(values.shape[0], dtype=np.int64)
        lookup_categories(pair[0], pair[1], codes)
        return codes
    if values.dtype.kind in "US" and categories.dtype.kind == values.dtype.kind:
        if categories.size == 0:
            return np.full(values.shape[0], -1, dtype=np.int64)
        idx = np.searchsorted(categories, values)
        clipped = np.minimum(idx, categories.size - 1)
        found = categories[clipped] == values
        return np.where(found, clipped, -1).astype(np.int64, copy=False)
    return _encode_object(values, categories)


def _sorted_if_possible(items: list[Any]) -> list[Any]:
    present = [v for v in items if not _is_missing(v)]
    try:
        present = sorted(present)
    except TypeError:
        pass
    if any(v is None for v in items):
        present.append(None)
    if any(is_scalar_nan(v) for v in items):
        present.append(np.nan)
    return present


def unknown_values(values: np.ndarray, codes: np.ndarray) -> list[Any]:
    """Distinct values whose code is -1, for error messages (sorted, missing last)."""
    bad = values[codes < 0]
    if _is_numeric(bad):
        return list(np.unique(bad))
    if bad.dtype == object:
        distinct: dict[Any, None] = {}
        has_nan = False
        for v in bad:
            if is_scalar_nan(v):
                has_nan = True
            else:
                distinct[v] = None
        items = list(distinct)
        if has_nan:
            items.append(np.nan)
        return _sorted_if_possible(items)
    return list(np.unique(bad))


class BaseEncoder(TransformerMixin, BaseEstimator):
    """Category discovery (``categories_``) and lookup shared by the encoders.

    Subclasses define ``categories`` as a parameter.
    """

    categories: Any

    def _check_categories_param(self) -> None:
        cats = self.categories
        if (isinstance(cats, str) and cats == "auto") or isinstance(cats, list):
            return
        raise ValueError(
            f"The 'categories' parameter of {type(self).__name__} must be a str among "
            f"{{'auto'}} or an instance of 'list'. Got {cats!r} instead."
        )

    def _fit_categories(
        self,
        X: Any,
        *,
        handle_unknown: str,
        ensure_all_finite: bool | str = "allow-nan",
    ) -> tuple[list[np.ndarray], int]:
        """Learn ``categories_``; return the validated columns and ``n_samples``."""
        self._check_categories_param()
        columns, n_samples, n_features = check_columns(
            X, ensure_all_finite=ensure_all_finite
        )
        check_layout(self, X, n_features, reset=True)
        if self.categories != "auto" and len(self.categories) != n_features:
            raise ValueError(
                "Shape mismatch: if categories is an array, it has to be of shape "
                "(n_features,)."
            )
        categories: list[np.ndarray] = []
        for i, col in enumerate(columns):
            if self.categories == "auto":
                categories.append(unique_column(col))
                continue
            cats = self._given_categories(i, col)
            if handle_unknown == "error":
                codes = encode_column(col, cats)
                if np.any(codes < 0):
                    diff = unknown_values(col, codes)
                    raise ValueError(
                        f"Found unknown categories {diff} in column {i} during fit"
                    )
            categories.append(cats)
        self.categories_ = categories
        return columns, n_samples

    def _given_categories(self, i: int, col: np.ndarray) -> np.ndarray:
        dtype = object if col.dtype.kind in "US" else col.dtype
        cats = np.array(self.categories[i], dtype=dtype)
        if cats.ndim != 1:
            raise ValueError(
                f"In column {i}, the predefined categories must be a 1-D list of "
                "values."
            )
        for cat in cats[:-1]:
            if is_scalar_nan(cat):
                raise ValueError(
                    "Nan should be the last element in user provided categories, see "
                    f"categories {cats} in column #{i}"
                )
        if cats.size != len(unique_column(cats)):
            raise ValueError(
                f"In column {i}, the predefined categories contain duplicate elements."
            )
        if col.dtype.kind not in "OUS" and cats.size:
            sorted_cats = np.sort(cats)
            stop = -1 if np.isnan(sorted_cats[-1]) else None
            if np.any(sorted_cats[:stop] != cats[:stop]):
                raise ValueError(
                    "Unsorted categories are not supported for numerical categories"
                )
        return cats

    def _encode_columns(
        self,
        X: Any,
        *,
        handle_unknown: str,
        ensure_all_finite: bool | str = "allow-nan",
        columns: list[np.ndarray] | None = None,
    ) -> np.ndarray:
        """Codes of shape (n_samples, n_features), int64, -1 for unknown values.

        ``columns`` (already validated, from fit) skips validation and the layout
        check.
        """
        if columns is None:
            columns, n_samples, n_features = check_columns(
                X, ensure_all_finite=ensure_all_finite
            )
            check_layout(self, X, n_features, reset=False)
        else:
            n_samples = columns[0].shape[0] if columns else 0
        codes = np.empty((n_samples, len(columns)), dtype=np.int64)
        for i, col in enumerate(columns):
            col_codes = encode_column(col, self.categories_[i])
            if handle_unknown == "error" and np.any(col_codes < 0):
                diff = unknown_values(col, col_codes)
                raise ValueError(
                    f"Found unknown categories {diff} in column {i} during transform"
                )
            codes[:, i] = col_codes
        return codes

    def _missing_index(self, i: int) -> int | None:
        """Index of the NaN category of feature ``i`` (always last), else None.

        ``None`` counts as an ordinary category here, as in scikit-learn.
        """
        cats = self.categories_[i]
        if cats.size and is_scalar_nan(cats[-1]):
            return int(cats.size - 1)
        return None

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags


def feature_names_in(estimator: Any, input_features: Any = None) -> np.ndarray:
    """Input feature names: ``input_features`` checked against the fitted ones.

    None gives ``feature_names_in_`` when the estimator was fitted on a DataFrame and
    ``x0, x1, ...`` otherwise.
    """
    fitted = getattr(estimator, "feature_names_in_", None)
    n_features = getattr(estimator, "n_features_in_", None)
    if input_features is not None:
        names = np.asarray(input_features, dtype=object)
        if fitted is not None and not np.array_equal(fitted, names):
            raise ValueError("input_features is not equal to feature_names_in_")
        if n_features is not None and len(names) != n_features:
            raise ValueError(
                "input_features should have length equal to number of features "
                f"({n_features}), got {len(names)}"
            )
        return names
    if fitted is not None:
        return np.asarray(fitted, dtype=object)
    if n_features is None:
        raise ValueError("Unable to generate feature names without n_features_in_")
    return np.asarray([f"x{i}" for i in range(n_features)], dtype=object)
