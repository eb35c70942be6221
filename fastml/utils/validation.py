"""The one input-validation layer of fastml.

Every estimator and public function validates its inputs here, once, and hands the
kernels canonical arrays (C-contiguous, float64/float32, int64 indices). Error messages
follow scikit-learn's wording so that code (and tests) written against scikit-learn
see the same errors. Nothing here modifies the caller's arrays: conversions copy, and a
requested ``copy=True`` always copies.

scikit-learn is never imported here; pandas and scipy.sparse are recognised without
being imported (an object can only be a sparse matrix if scipy.sparse is loaded).
"""

from __future__ import annotations

import numbers
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastml.exceptions import DataConversionWarning, NotFittedError

__all__ = [
    "check_array",
    "check_X_y",
    "check_consistent_length",
    "check_is_fitted",
    "check_random_state",
    "check_sample_weight",
    "check_scalar",
    "column_or_1d",
    "is_sparse",
    "validate_data",
    "num_samples",
]

_NUMERIC_KINDS = frozenset("biuf")


def is_sparse(x: Any) -> bool:
    """True for scipy.sparse matrices and arrays (without importing scipy.sparse)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(x)


def _estimator_name(estimator: Any) -> str:
    if estimator is None:
        return ""
    if isinstance(estimator, str):
        return estimator
    return type(estimator).__name__


def _is_dataframe(x: Any) -> bool:
    return hasattr(x, "columns") and hasattr(x, "iloc") and hasattr(x, "dtypes")


def _feature_names(X: Any) -> np.ndarray | None:
    """Column names of a DataFrame when they are all strings, else None.

    Mixed string/non-string names raise TypeError, as in scikit-learn.
    """
    if not _is_dataframe(X):
        return None
    names = np.asarray(X.columns, dtype=object)
    are_str = [isinstance(n, str) for n in names]
    if len(names) and all(are_str):
        return names
    if any(are_str):
        raise TypeError(
            "Feature names are only supported if all input features have string names, "
            "but your input has ['int', 'str'] as feature name / column name types. If "
            "you want feature names to be stored and validated, you must convert them "
            "all to strings, by using X.columns = X.columns.astype(str) for example. "
            "Otherwise you can remove feature / column names from your input data, or "
            "convert them all to a non-string data type."
        )
    return None


def _to_numpy(array: Any, dtype: Any) -> np.ndarray:
    """np.asarray that also handles DataFrames with extension dtypes (pd.NA -> NaN)."""
    if _is_dataframe(array) or (hasattr(array, "to_numpy") and hasattr(array, "dtype")):
        try:
            if dtype is not None and np.dtype(dtype).kind == "f":
                return np.asarray(array.to_numpy(dtype=dtype, na_value=np.nan))
        except (TypeError, ValueError):
            pass
        return np.asarray(array.to_numpy())
    return np.asarray(array)


def _assert_all_finite(
    array: np.ndarray, allow_nan: bool, input_name: str, estimator_name: str
) -> None:
    if array.dtype.kind not in "fc" or array.size == 0:
        return
    # One fused pass for the common all-finite case, then a precise diagnosis.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(array, dtype=np.float64 if array.dtype.kind == "f" else None)
    if np.isfinite(total):
        return
    has_nan = bool(np.isnan(array).any())
    has_inf = bool(np.isinf(array).any())
    if has_inf or (has_nan and not allow_nan):
        what = (
            "infinity or a value too large for " + repr(array.dtype)
            if has_inf
            else "NaN"
        )
        name = input_name or "Input"
        msg = (
            f"Input {name} contains {what}."
            if input_name
            else f"Input contains {what}."
        )
        if has_nan and not has_inf and estimator_name and input_name == "X":
            msg += (
                f"\n{estimator_name} does not accept missing values encoded as NaN "
                "natively. Impute them first (for example with fastml.impute) or drop "
                "the samples with missing values."
            )
        raise ValueError(msg)


def check_array(
    array: Any,
    *,
    dtype: Any = "numeric",
    order: str | None = "C",
    copy: bool = False,
    ensure_all_finite: bool | str = True,
    ensure_2d: bool = True,
    allow_nd: bool = False,
    ensure_min_samples: int = 1,
    ensure_min_features: int = 1,
    estimator: Any = None,
    input_name: str = "",
) -> np.ndarray:
    """Validate an array-like and return it as a numpy array of a canonical layout.

    Parameters
    ----------
    array : array-like
        Input (list, ndarray, DataFrame, ...). Sparse matrices are rejected.
    dtype : "numeric", dtype, tuple of dtypes or None, default="numeric"
        "numeric" keeps numeric dtypes and converts object/bool to float64; a tuple keeps
        the input dtype if it is in the tuple and converts to the first entry otherwise;
        None keeps any dtype (object and strings included).
    order : {"C", "F", None}, default="C"
        Memory layout of the result; None keeps the input's.
    copy : bool, default=False
        Always return a new array (never the caller's).
    ensure_all_finite : bool or "allow-nan", default=True
        Reject inf, and NaN unless "allow-nan". False checks nothing.
    ensure_2d, allow_nd : bool
        Require exactly two dimensions / allow more than two.
    ensure_min_samples, ensure_min_features : int
        Minimum number of rows and columns (columns checked for 2-D only).
    estimator : estimator, str or None
        Named in error messages.
    input_name : str
        "X", "y" or "sample_weight", named in error messages.

    Returns
    -------
    ndarray
    """
    name = _estimator_name(estimator)
    by = f" by {name}" if name else ""
    if is_sparse(array):
        raise TypeError(
            "Sparse data was passed"
            + (f" for {input_name}" if input_name else "")
            + ", but dense data is required. Use '.toarray()' to convert to a dense "
            "numpy array."
        )
    if array is None:
        raise ValueError(
            f"Expected array-like (array or non-string sequence), got {array!r}"
        )
    if isinstance(array, str):
        raise ValueError(
            f"Expected array-like (array or non-string sequence), got {array!r}"
        )

    dtype_numeric = isinstance(dtype, str) and dtype == "numeric"
    target_dtype: Any = None
    if isinstance(dtype, (list, tuple)):
        candidates = [np.dtype(d) for d in dtype]
        in_dtype = getattr(array, "dtype", None)
        if (
            in_dtype is not None
            and isinstance(in_dtype, np.dtype)
            and in_dtype in candidates
        ):
            target_dtype = in_dtype
        else:
            target_dtype = candidates[0]
    elif not dtype_numeric and dtype is not None:
        target_dtype = np.dtype(dtype)

    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        try:
            arr = _to_numpy(array, target_dtype)
        except np.exceptions.ComplexWarning as exc:
            raise ValueError(f"Complex data not supported\n{array}\n") from exc

    if arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported\n{array}\n")
    if dtype_numeric:
        if arr.dtype.kind in "OUSb" or arr.dtype.kind not in _NUMERIC_KINDS:
            if arr.dtype.kind in "US":
                raise ValueError(
                    "dtype='numeric' is not compatible with arrays of bytes/strings. "
                    "Convert your data to numeric values explicitly instead."
                )
            target_dtype = np.float64
    if target_dtype is not None and arr.dtype != target_dtype:
        if arr.dtype.kind == "O":
            # Reject complex values hidden in object arrays before float() drops them.
            flat = arr.ravel()
            if any(isinstance(v, complex) for v in flat[: min(flat.size, 1000)]):
                raise ValueError(f"Complex data not supported\n{array}\n")
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            try:
                arr = arr.astype(target_dtype)
            except np.exceptions.ComplexWarning as exc:
                raise ValueError(f"Complex data not supported\n{array}\n") from exc

    if ensure_2d:
        if arr.ndim == 0:
            raise ValueError(
                f"Expected 2D array, got scalar array instead:\narray={arr}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a "
                "single feature or array.reshape(1, -1) if it contains a single sample."
            )
        if arr.ndim == 1:
            raise ValueError(
                f"Expected 2D array, got 1D array instead:\narray={arr}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a "
                "single feature or array.reshape(1, -1) if it contains a single sample."
            )
    if not allow_nd and arr.ndim >= 3:
        raise ValueError(
            f"Found array with dim {arr.ndim}."
            + (f" {name} expected <= 2." if name else " Expected <= 2.")
        )

    if ensure_all_finite:
        _assert_all_finite(arr, ensure_all_finite == "allow-nan", input_name, name)

    shape_repr = str(arr.shape)
    if ensure_min_samples > 0 and arr.ndim >= 1:
        n_samples = arr.shape[0]
        if n_samples < ensure_min_samples:
            raise ValueError(
                f"Found array with {n_samples} sample(s) (shape={shape_repr}) while a "
                f"minimum of {ensure_min_samples} is required{by}."
            )
    if ensure_min_features > 0 and arr.ndim == 2:
        n_features = arr.shape[1]
        if n_features < ensure_min_features:
            raise ValueError(
                f"Found array with {n_features} feature(s) (shape={shape_repr}) while a "
                f"minimum of {ensure_min_features} is required{by}."
            )

    if order == "C":
        arr = np.ascontiguousarray(arr)
    elif order == "F":
        arr = np.asfortranarray(arr)
    if copy and np.may_share_memory(
        arr, array if isinstance(array, np.ndarray) else arr
    ):
        arr = arr.copy(order="K")
    return arr


def column_or_1d(y: Any, *, dtype: Any = None, warn: bool = False) -> np.ndarray:
    """Ravel a column vector (n, 1) to (n,), rejecting other 2-D shapes."""
    arr = (
        _to_numpy(y, dtype) if dtype is None else np.asarray(_to_numpy(y, dtype), dtype)
    )
    if arr.ndim == 1:
        return arr
    if arr.ndim == 2 and arr.shape[1] == 1:
        if warn:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change "
                "the shape of y to (n_samples, ), for example using ravel().",
                DataConversionWarning,
                stacklevel=2,
            )
        return arr.ravel()
    raise ValueError(
        f"y should be a 1d array, got an array of shape {arr.shape} instead."
    )


def num_samples(x: Any) -> int:
    """Number of samples in an array-like (its first dimension)."""
    if hasattr(x, "shape") and x.shape is not None and len(x.shape) > 0:
        return int(x.shape[0])
    if hasattr(x, "shape") and len(getattr(x, "shape", ())) == 0:
        raise TypeError(
            f"Singleton array {x!r} cannot be considered a valid collection."
        )
    if not hasattr(x, "__len__"):
        raise TypeError(f"Expected sequence or array-like, got {type(x)}")
    return len(x)


def check_consistent_length(*arrays: Any) -> None:
    """Raise ValueError unless all non-None arrays have the same first dimension."""
    lengths = [num_samples(a) for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"{[int(n) for n in lengths]}"
        )


def check_X_y(
    X: Any,
    y: Any,
    *,
    dtype: Any = "numeric",
    order: str | None = "C",
    copy: bool = False,
    ensure_all_finite: bool | str = True,
    ensure_min_samples: int = 1,
    multi_output: bool = False,
    y_numeric: bool = False,
    estimator: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate X (2-D) and y together; y is raveled unless ``multi_output``."""
    if y is None:
        name = _estimator_name(estimator) or "estimator"
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    X_arr = check_array(
        X,
        dtype=dtype,
        order=order,
        copy=copy,
        ensure_all_finite=ensure_all_finite,
        ensure_min_samples=ensure_min_samples,
        estimator=estimator,
        input_name="X",
    )
    y_arr = check_y(
        y, multi_output=multi_output, y_numeric=y_numeric, estimator=estimator
    )
    check_consistent_length(X_arr, y_arr)
    return X_arr, y_arr


def check_y(
    y: Any,
    *,
    multi_output: bool = False,
    y_numeric: bool = False,
    estimator: Any = None,
) -> np.ndarray:
    """Validate a target: finite, 1-D (or 2-D when ``multi_output``)."""
    if is_sparse(y):
        raise TypeError(
            "Sparse data was passed for y, but dense data is required. Use '.toarray()' "
            "to convert to a dense numpy array."
        )
    if multi_output:
        y_arr = check_array(
            y,
            ensure_2d=False,
            dtype=None,
            input_name="y",
            estimator=estimator,
            ensure_min_samples=0,
        )
    else:
        y_arr = column_or_1d(y, warn=True)
        if y_arr.dtype.kind == "c":
            raise ValueError(f"Complex data not supported\n{y}\n")
        if y_arr.dtype.kind == "f":
            _assert_all_finite(y_arr, False, "y", _estimator_name(estimator))
    if y_numeric and y_arr.dtype.kind not in "fiub":
        y_arr = y_arr.astype(np.float64)
        _assert_all_finite(y_arr, False, "y", _estimator_name(estimator))
    return y_arr


def check_sample_weight(
    sample_weight: Any,
    n_samples: int,
    *,
    dtype: Any = np.float64,
    ensure_non_negative: bool = True,
    allow_all_zero: bool = False,
) -> np.ndarray:
    """Return sample weights as a new 1-D array of length ``n_samples``.

    None gives ones; a scalar is broadcast. Weights must be finite, non-negative (unless
    ``ensure_non_negative=False``) and, unless ``allow_all_zero``, not all zero: an
    all-zero weight vector defines no objective.
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        weights = np.full(n_samples, sample_weight, dtype=dtype)
    else:
        weights = check_array(
            sample_weight,
            dtype=(np.float64, np.float32) if dtype is None else dtype,
            ensure_2d=False,
            ensure_min_samples=0,
            input_name="sample_weight",
            copy=True,
        )
        if weights.ndim != 1:
            raise ValueError("Sample weights must be 1D array or scalar")
        if weights.shape != (n_samples,):
            raise ValueError(
                f"sample_weight.shape == {weights.shape}, expected {(n_samples,)}!"
            )
    if not np.all(np.isfinite(weights)):
        raise ValueError("Input sample_weight contains NaN or infinity.")
    if ensure_non_negative and np.any(weights < 0):
        raise ValueError("Negative values in data passed to sample_weight")
    if not allow_all_zero and n_samples > 0 and not np.any(weights != 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return weights


def check_random_state(seed: Any) -> np.random.RandomState:
    """Turn None, an int or a RandomState into a RandomState (scikit-learn semantics).

    None returns numpy's global RandomState singleton, as in scikit-learn, so that
    ``np.random.seed`` controls unseeded estimators.
    """
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(
        f"{seed!r} cannot be used to seed a numpy.random.RandomState instance"
    )


def seed_from_random_state(random_state: Any) -> int:
    """Draw a 31-bit integer seed for a kernel from ``random_state``."""
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def check_scalar(
    x: Any,
    name: str,
    target_type: type | tuple[type, ...],
    *,
    min_val: float | None = None,
    max_val: float | None = None,
    include_boundaries: str = "both",
) -> Any:
    """Validate a scalar hyper-parameter's type and range (scikit-learn's messages).

    ``bool`` is not accepted as an ``int`` unless ``target_type`` names it.
    """
    types = target_type if isinstance(target_type, tuple) else (target_type,)
    if not isinstance(x, types) or (isinstance(x, bool) and bool not in types):
        raise TypeError(f"{name} must be an instance of {target_type}, not {type(x)}.")
    value: Any = x
    low_incl = include_boundaries in ("left", "both")
    high_incl = include_boundaries in ("right", "both")
    if min_val is not None and (value < min_val if low_incl else value <= min_val):
        op = ">=" if low_incl else ">"
        raise ValueError(f"{name} == {x}, must be {op} {min_val}.")
    if max_val is not None and (value > max_val if high_incl else value >= max_val):
        op = "<=" if high_incl else "<"
        raise ValueError(f"{name} == {x}, must be {op} {max_val}.")
    return x


def check_is_fitted(
    estimator: Any, attributes: Sequence[str] | str | None = None
) -> None:
    """Raise NotFittedError unless ``estimator`` has been fitted.

    Fitted means: ``__sklearn_is_fitted__()`` is true when defined, else the given
    attributes exist, else some attribute ends with "_" (and does not start with "__").
    """
    if not hasattr(estimator, "fit"):
        raise TypeError(f"{estimator} is not an estimator instance.")
    if attributes is not None:
        names = [attributes] if isinstance(attributes, str) else list(attributes)
        fitted = all(hasattr(estimator, a) for a in names)
    elif hasattr(estimator, "__sklearn_is_fitted__"):
        fitted = bool(estimator.__sklearn_is_fitted__())
    else:
        fitted = any(
            v.endswith("_") and not v.startswith("__") for v in vars(estimator)
        )
    if not fitted:
        raise _not_fitted_error(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' "
            "with appropriate arguments before using this estimator."
        )


_NOT_FITTED_CLASSES: dict[type, type] = {}


def _not_fitted_error(msg: str) -> NotFittedError:
    """fastml's NotFittedError; when scikit-learn is already imported, an instance of
    a subclass that is also scikit-learn's NotFittedError (its estimator checks
    expect that class), without importing scikit-learn."""
    sk = sys.modules.get("sklearn.exceptions")
    sk_cls = getattr(sk, "NotFittedError", None) if sk is not None else None
    if sk_cls is None or issubclass(NotFittedError, sk_cls):
        return NotFittedError(msg)
    cls = _NOT_FITTED_CLASSES.get(sk_cls)
    if cls is None:
        cls = type("NotFittedError", (NotFittedError, sk_cls), {})
        _NOT_FITTED_CLASSES[sk_cls] = cls
    error: NotFittedError = cls(msg)
    return error


def _check_feature_names(estimator: Any, X: Any, *, reset: bool) -> None:
    names = _feature_names(X)
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            delattr(estimator, "feature_names_in_")
        return
    fitted_names = getattr(estimator, "feature_names_in_", None)
    est_name = type(estimator).__name__
    if fitted_names is None and names is None:
        return
    if names is not None and fitted_names is None:
        warnings.warn(
            f"X has feature names, but {est_name} was fitted without feature names",
            UserWarning,
            stacklevel=3,
        )
        return
    if names is None and fitted_names is not None:
        warnings.warn(
            f"X does not have valid feature names, but {est_name} was fitted with "
            "feature names",
            UserWarning,
            stacklevel=3,
        )
        return
    assert names is not None and fitted_names is not None
    if len(fitted_names) != len(names) or np.any(fitted_names != names):
        fitted_set, new_set = set(fitted_names), set(names)
        unexpected = sorted(new_set - fitted_set)
        missing = sorted(fitted_set - new_set)
        msg = "The feature names should match those that were passed during fit.\n"
        if unexpected:
            msg += "Feature names unseen at fit time:\n" + "".join(
                f"- {n}\n" for n in unexpected
            )
        if missing:
            msg += "Feature names seen at fit time, yet now missing:\n" + "".join(
                f"- {n}\n" for n in missing
            )
        if not unexpected and not missing:
            msg += "Feature names must be in the same order as they were in fit.\n"
        raise ValueError(msg)


def validate_data(
    estimator: Any,
    X: Any,
    y: Any = "no_validation",
    *,
    reset: bool = True,
    multi_output: bool = False,
    y_numeric: bool = False,
    **check_params: Any,
) -> Any:
    """Validate X (and y) for ``estimator``, recording or checking the feature layout.

    ``reset=True`` (in fit) stores ``n_features_in_`` and ``feature_names_in_``;
    ``reset=False`` (in predict/transform) checks them and raises
    "X has N features, but Est is expecting M features as input."

    Returns X, or (X, y) when y is given.
    """
    _check_feature_names(estimator, X, reset=reset)
    check_params.setdefault("estimator", estimator)
    no_y = isinstance(y, str) and y == "no_validation"
    if no_y:
        X_arr = check_array(X, input_name="X", **check_params)
        out: Any = X_arr
    else:
        if y is None:
            raise ValueError(
                f"{type(estimator).__name__} requires y to be passed, but the target y "
                "is None."
            )
        X_arr, y_arr = check_X_y(
            X, y, multi_output=multi_output, y_numeric=y_numeric, **check_params
        )
        out = (X_arr, y_arr)
    n_features = X_arr.shape[1] if X_arr.ndim >= 2 else 1
    if reset:
        estimator.n_features_in_ = n_features
    else:
        expected = getattr(estimator, "n_features_in_", None)
        if expected is not None and n_features != expected:
            raise ValueError(
                f"X has {n_features} features, but {type(estimator).__name__} is "
                f"expecting {expected} features as input."
            )
    return out
