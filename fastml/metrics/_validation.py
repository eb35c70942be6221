"""Parameter and target checks shared by the metric families.

Error messages follow scikit-learn's wording so that code and tests written against
``sklearn.metrics`` see the same errors. Options in "must be a str among {...}"
messages are listed in sorted order (deterministic, unlike a set's repr).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from fastml._config import cpu_count
from fastml.exceptions import InvalidParameterError
from fastml.utils.multiclass import type_of_target
from fastml.utils.validation import check_array, check_consistent_length, column_or_1d


def _fmt_options(options: Iterable[Any]) -> str:
    return "{" + ", ".join(repr(o) for o in sorted(options, key=repr)) + "}"


def raise_invalid(func: str, name: str, constraint: str, value: Any) -> None:
    """Raise InvalidParameterError with scikit-learn's message layout."""
    raise InvalidParameterError(
        f"The {name!r} parameter of {func} must be {constraint}. Got {value!r} instead."
    )


def check_str_option(
    value: Any,
    name: str,
    func: str,
    options: Iterable[str],
    *,
    allow_none: bool = False,
    allow_array: bool = False,
) -> None:
    """``value`` must be one of ``options`` (or None / an array-like when allowed)."""
    options = tuple(options)
    if value is None and allow_none:
        return
    if isinstance(value, str) and value in options:
        return
    if allow_array and not isinstance(value, str) and is_array_like(value):
        return
    constraint = f"a str among {_fmt_options(options)}"
    extra = []
    if allow_array:
        extra.append("an array-like")
    if allow_none:
        extra.append("None")
    if extra:
        constraint += (", " if len(extra) > 1 else " or ") + " or ".join(extra)
    raise_invalid(func, name, constraint, value)


def check_bool(value: Any, name: str, func: str) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise_invalid(
            func,
            name,
            "an instance of 'bool' or an instance of 'numpy.bool'",
            value,
        )


def is_array_like(value: Any) -> bool:
    """Array-like and not a scalar (a str is not array-like)."""
    if isinstance(value, str) or np.isscalar(value):
        return False
    if hasattr(value, "shape") and getattr(value, "shape", None) == ():
        return False
    return (
        hasattr(value, "__len__")
        or hasattr(value, "shape")
        or hasattr(value, "__array__")
    )


def check_array_like(value: Any, name: str, func: str, *, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if not is_array_like(value):
        raise_invalid(
            func,
            name,
            "an array-like or None" if allow_none else "an array-like",
            value,
        )


def check_zero_division(value: Any, func: str, *, allow_nan: bool = True) -> float:
    """Validate ``zero_division`` and return the value it stands for.

    ``allow_nan=False`` (jaccard_score, as in scikit-learn) accepts 0, 1 and "warn".
    """
    if isinstance(value, str):
        if value == "warn":
            return 0.0
    elif isinstance(value, numbers.Real):
        if np.isnan(float(value)):
            if allow_nan:
                return float("nan")
        elif value in (0, 1):
            return float(value)
    constraint = (
        "a float among {0.0, 1.0}, numpy.nan or a str among {'warn'}"
        if allow_nan
        else "a float among {0, 1} or a str among {'warn'}"
    )
    raise_invalid(func, "zero_division", constraint, value)
    raise AssertionError  # unreachable, for type checkers


def check_pos_label_type(value: Any, func: str, *, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, (numbers.Real, str, np.bool_)):
        return
    constraint = (
        "an instance of 'float', an instance of 'str', an instance of 'bool' or an "
        "instance of 'numpy.bool' or None"
        if allow_none
        else "an instance of 'float', an instance of 'str' or an instance of 'bool' "
        "or an instance of 'numpy.bool'"
    )
    raise_invalid(func, "pos_label", constraint, value)


def check_y_arg(value: Any, name: str, func: str) -> None:
    """y_true / y_pred / y_score must be array-like."""
    if not is_array_like(value):
        raise_invalid(func, name, "an array-like", value)


def default_n_threads(n_rows: int) -> int:
    """Threads for the counting kernel: 1 for small inputs, else OpenMP's limit.

    OpenMP's limit follows ``OMP_NUM_THREADS`` and threadpoolctl, capped by the CPUs
    this process may use. Results never depend on it (fixed blocks summed in a fixed
    order).
    """
    if n_rows < 1 << 18:
        return 1
    from fastml.kernels.metrics._counting import openmp_max_threads

    return max(1, min(cpu_count(), int(openmp_max_threads())))


# ---------------------------------------------------------------------------------
# Targets


def assert_finite_target(y: Any, input_name: str) -> None:
    """scikit-learn's wording for NaN / inf in a float target."""
    arr = np.asarray(y) if not hasattr(y, "dtype") else y
    dtype = getattr(arr, "dtype", None)
    if dtype is None or not isinstance(dtype, np.dtype) or dtype.kind != "f":
        return
    arr = np.asarray(arr)
    if arr.size == 0:
        return
    if np.isfinite(arr).all():
        return
    if np.isinf(arr).any():
        raise ValueError(
            f"Input {input_name} contains infinity or a value too large for "
            f"{arr.dtype!r}."
        )
    raise ValueError(f"Input {input_name} contains NaN.")


def fast_unique(y: np.ndarray) -> np.ndarray:
    """``np.unique`` of a 1-D array, in O(n) for small-range integers and booleans.

    Label vectors are usually integers in a small range; min/max (and a bincount
    when the range has more than two values) replace the O(n log n) sort or the
    hash table of ``np.unique``, which dominate the metrics on large inputs.
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size < 1024:
        return np.unique(y)
    if y.dtype == np.bool_:
        has_true = bool(y.any())
        has_false = not bool(y.all())
        return np.array([False, True][int(not has_false) : 1 + int(has_true)])
    if y.dtype.kind in "iu":
        lo = int(y.min())
        hi = int(y.max())
        span = hi - lo
        if span <= 1:
            return np.unique(np.array([lo, hi], dtype=y.dtype))
        if span < 4 * y.size and span < 1 << 24:
            counts = np.bincount(
                (y - y.dtype.type(lo)).astype(np.intp), minlength=span + 1
            )
            return (np.flatnonzero(counts) + lo).astype(y.dtype)
        return np.unique(y)
    if y.dtype.kind == "f":
        lo_f = y.min()
        hi_f = y.max()
        if np.isfinite(lo_f) and np.isfinite(hi_f):
            if lo_f == hi_f:
                return np.array([lo_f], dtype=y.dtype)
            if np.all((y == lo_f) | (y == hi_f)):
                return np.array([lo_f, hi_f], dtype=y.dtype)
    return np.unique(y)


def target_type(y: Any, input_name: str) -> str:
    """type_of_target with scikit-learn's NaN/inf messages, O(n) on 1-D numbers."""
    assert_finite_target(y, input_name)
    arr = y if isinstance(y, np.ndarray) else None
    if (
        arr is not None
        and arr.ndim == 1
        and arr.size >= 1024
        and arr.dtype.kind in "biuf"
    ):
        if arr.dtype.kind == "f":
            classes = fast_unique(arr)
            if classes.shape[0] > 2 and np.any(arr != np.trunc(arr)):
                return "continuous"
            if classes.shape[0] <= 2 and np.any(classes != np.trunc(classes)):
                return "continuous"
        else:
            classes = fast_unique(arr)
        return "multiclass" if classes.shape[0] > 2 else "binary"
    return type_of_target(y, input_name=input_name)


def assert_finite(arr: np.ndarray) -> None:
    """scikit-learn's message (no input name) for NaN / inf in a float array."""
    if arr.dtype.kind != "f" or arr.size == 0 or np.isfinite(arr).all():
        return
    if np.isinf(arr).any():
        raise ValueError(
            f"Input contains infinity or a value too large for {arr.dtype!r}."
        )
    raise ValueError("Input contains NaN.")


def default_pos_label(pos_label: Any, y_true: np.ndarray) -> Any:
    """Default pos_label to 1 when the labels are {0, 1}, {-1, 1} or a subset."""
    if pos_label is not None:
        return pos_label
    classes = fast_unique(y_true.ravel())
    ok = classes.dtype.kind not in "OUS" and classes.shape[0] <= 2
    if ok:
        values = classes.tolist()
        ok = values in ([0, 1], [-1, 1], [0], [-1], [1])
    if not ok:
        classes_repr = ", ".join(repr(c) for c in classes.tolist())
        raise ValueError(
            f"y_true takes value in {{{classes_repr}}} and pos_label is not "
            "specified: either make y_true take value in {0, 1} or {-1, 1} or pass "
            "pos_label explicitly."
        )
    return 1


def _labels_of(y: np.ndarray) -> np.ndarray:
    return fast_unique(y)


def unique_labels_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Sorted union of the labels of two 1-D targets (scikit-learn's messages)."""
    labels_true = _labels_of(y_true)
    labels_pred = _labels_of(y_pred)
    is_str = {isinstance(v, str) for v in labels_true.tolist()} | {
        isinstance(v, str) for v in labels_pred.tolist()
    }
    if len(is_str) > 1:
        raise ValueError(
            "Mix of label input types (string and number); Got "
            f"{labels_true} and {labels_pred}."
        )
    return np.asarray(sorted(set(labels_true.tolist()) | set(labels_pred.tolist())))


def check_weights_shape(weights: np.ndarray, n_samples: int) -> None:
    """A validated weight array must be 1-D, ``n_samples`` long and not all zero."""
    if weights.ndim != 1:
        raise ValueError(
            f"Sample weights must be 1D array or scalar, got {weights.ndim}D "
            "array. Expected either a scalar value or a 1D array of length "
            f"{n_samples}."
        )
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {weights.shape}, expected {(n_samples,)}!"
        )
    if n_samples > 0 and not np.any(weights != 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")


def check_metric_weights(
    sample_weight: Any, n_samples: int, *, keep_int: bool = True
) -> np.ndarray | None:
    """Validate sample weights for the classification metrics.

    Integer weights stay integer (``keep_int``) so that confusion counts can stay
    exact int64, as in scikit-learn; bool weights become int64. Negative weights are
    accepted, an all-zero vector is not.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        weights = np.full(n_samples, sample_weight)
    else:
        raw = np.asarray(sample_weight) if not hasattr(sample_weight, "dtype") else None
        if getattr(sample_weight, "dtype", None) == np.bool_ or (
            raw is not None and raw.dtype == np.bool_
        ):
            sample_weight = np.asarray(sample_weight, dtype=np.int64)
        weights = check_array(
            sample_weight,
            ensure_2d=False,
            dtype="numeric",
            ensure_min_samples=0,
            input_name="sample_weight",
        )
    check_weights_shape(weights, n_samples)
    if not keep_int or weights.dtype.kind not in "iub":
        weights = weights.astype(np.float64, copy=False)
    else:
        weights = weights.astype(np.int64, copy=False)
    return np.ascontiguousarray(weights)


def check_targets(
    y_true: Any, y_pred: Any, sample_weight: Any = None
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Validate a pair of classification targets (scikit-learn's rules).

    Returns
    -------
    y_type : {"binary", "multiclass", "multilabel-indicator"}
    labels : ndarray, sorted union of the labels present
    y_true, y_pred : ndarrays (1-D unless multilabel)
    sample_weight : ndarray or None
    """
    check_consistent_length(y_true, y_pred, sample_weight)
    type_true = target_type(y_true, "y_true")
    type_pred = target_type(y_pred, "y_pred")
    y_true_arr = np.asarray(y_true)
    y_pred_arr = np.asarray(y_pred)
    if y_true_arr.shape[:1] == (0,) or y_pred_arr.shape[:1] == (0,):
        raise ValueError(
            "Found empty input array (e.g., `y_true` or `y_pred`) while a minimum "
            "of 1 sample is required."
        )
    weights = check_metric_weights(sample_weight, y_true_arr.shape[0])
    types = {type_true, type_pred}
    if types == {"binary", "multiclass"}:
        types = {"multiclass"}
    if len(types) > 1:
        raise ValueError(
            f"Classification metrics can't handle a mix of {type_true} and "
            f"{type_pred} targets"
        )
    y_type = types.pop()
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"{y_type} is not supported")
    if y_type in ("binary", "multiclass"):
        y_true_arr = column_or_1d(y_true_arr)
        y_pred_arr = column_or_1d(y_pred_arr)
        labels = unique_labels_metrics(y_true_arr, y_pred_arr)
        if y_type == "binary" and labels.shape[0] > 2:
            y_type = "multiclass"
    else:
        if y_true_arr.shape[1] != y_pred_arr.shape[1]:
            raise ValueError(
                "Multi-label binary indicator input with different numbers of labels"
            )
        labels = np.arange(y_true_arr.shape[1])
    return y_type, labels, y_true_arr, y_pred_arr, weights


def encode_with(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Index of each value in the sorted ``classes`` (int64); -1 when absent."""
    values = np.asarray(values)
    if values.size == 0 or classes.size == 0:
        return np.full(values.shape[0], -1, dtype=np.int64)
    if (
        values.dtype.kind in "iub"
        and classes.dtype.kind in "iub"
        and classes[0] == 0
        and classes[-1] == classes.shape[0] - 1
    ):
        # Classes 0..K-1 (the usual case): the value is its own index.
        idx = values.astype(np.int64, copy=True)
        idx[(idx < 0) | (idx >= classes.shape[0])] = -1
        return idx
    pos = np.searchsorted(classes, values)
    pos_clipped = np.minimum(pos, classes.shape[0] - 1)
    found = classes[pos_clipped] == values
    out = np.where(found, pos_clipped, -1).astype(np.int64, copy=False)
    return np.ascontiguousarray(out)
