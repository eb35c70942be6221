"""Regression error metrics: squared, absolute, percentage, log, median, max errors.

These are single vectorised numpy reductions (memory-bound; a compiled kernel would
not beat them). The computation dtype follows scikit-learn 1.9: the floating dtype of
the inputs (float32 when every floating input is float32), float64 otherwise; the
median and the maximum error keep the numeric input dtype, as scikit-learn does.
The checks shared with the deviance-based scores (``fastml.metrics._deviance``) are
here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from fastml.metrics._validation import (
    check_array_like,
    check_str_option,
    check_weights_shape,
    check_y_arg,
)
from fastml.utils.validation import check_array, check_consistent_length

__all__ = [
    "max_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_log_error",
    "median_absolute_error",
    "root_mean_squared_error",
    "root_mean_squared_log_error",
]

_ERROR_AVERAGES = ("raw_values", "uniform_average")


# ---------------------------------------------------------------------------------
# checks and reductions shared by every regression metric


def _float_dtype(*arrays: Any) -> np.dtype:
    floats = [
        np.asarray(a).dtype
        for a in arrays
        if hasattr(a, "dtype") and np.asarray(a).dtype.kind == "f"
    ]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def _check_reg_targets(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    multioutput: Any,
    *,
    numeric: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Any]:
    """2-D (n_samples, n_outputs) targets, weights and the checked ``multioutput``.

    The arrays are converted to the floating dtype of the inputs, or with
    ``numeric=True`` kept in any numeric dtype (integers stay integers).
    """
    dtype: Any = "numeric" if numeric else _float_dtype(y_true, y_pred, sample_weight)
    check_consistent_length(y_true, y_pred, sample_weight)
    y_true_arr = check_array(y_true, ensure_2d=False, dtype=dtype)
    y_pred_arr = check_array(y_pred, ensure_2d=False, dtype=dtype)
    weights = None
    if sample_weight is not None:
        weights = check_array(
            sample_weight,
            ensure_2d=False,
            dtype=dtype,
            ensure_min_samples=0,
            input_name="sample_weight",
        )
        check_weights_shape(weights, y_true_arr.shape[0])
    if y_true_arr.ndim == 1:
        y_true_arr = y_true_arr.reshape(-1, 1)
    if y_pred_arr.ndim == 1:
        y_pred_arr = y_pred_arr.reshape(-1, 1)
    if y_true_arr.shape[1] != y_pred_arr.shape[1]:
        raise ValueError(
            "y_true and y_pred have different number of output "
            f"({y_true_arr.shape[1]}!={y_pred_arr.shape[1]})"
        )
    n_outputs = y_true_arr.shape[1]
    if isinstance(multioutput, str):
        allowed = ("raw_values", "uniform_average", "variance_weighted")
        if multioutput not in allowed:
            raise ValueError(
                f"Allowed 'multioutput' string values are {allowed}. You provided "
                f"multioutput={multioutput!r}"
            )
    elif multioutput is not None:
        multioutput = check_array(multioutput, ensure_2d=False)
        if n_outputs == 1:
            raise ValueError("Custom weights are useful only in multi-output cases.")
        if n_outputs != multioutput.shape[0]:
            raise ValueError(
                f"There must be equally many custom weights ({multioutput.shape[0]}) "
                f"as outputs ({n_outputs})."
            )
    return y_true_arr, y_pred_arr, weights, multioutput


def _check_params(
    func: str,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    multioutput: Any,
    options: tuple[str, ...] = _ERROR_AVERAGES,
    allow_none: bool = False,
) -> None:
    """Types of the parameters every regression metric shares."""
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    check_str_option(
        multioutput,
        "multioutput",
        func,
        options,
        allow_none=allow_none,
        allow_array=True,
    )


def _weighted_mean(values: np.ndarray, weights: np.ndarray | None, axis: Any) -> Any:
    if weights is None:
        return np.mean(values, axis=axis)
    total = np.sum(weights)
    if total == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return np.average(values, axis=axis, weights=weights)


def _average_outputs(output_errors: np.ndarray, multioutput: Any) -> Any:
    """Per-output values for "raw_values", else their (weighted) mean as a float."""
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return output_errors
        multioutput = None
    return float(_weighted_mean(output_errors, multioutput, None))


def _mean_error(
    func: str,
    errors_fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    multioutput: Any,
    *,
    root: bool = False,
    log_name: str | None = None,
) -> Any:
    """Weighted mean over samples of ``errors_fn(y_true, y_pred)``, per output.

    ``root`` takes the square root of each output's mean (before averaging the
    outputs); ``log_name`` compares ``log(1 + y)`` instead of ``y`` (both must be
    > -1, the error message naming the metric ``log_name``).
    """
    _check_params(func, y_true, y_pred, sample_weight, multioutput)
    y_true_arr, y_pred_arr, weights, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput
    )
    if log_name is not None:
        if np.any(y_true_arr <= -1) or np.any(y_pred_arr <= -1):
            raise ValueError(
                f"{log_name} cannot be used when targets contain values less than or "
                "equal to -1."
            )
        y_true_arr, y_pred_arr = np.log1p(y_true_arr), np.log1p(y_pred_arr)
    output_errors = _weighted_mean(errors_fn(y_true_arr, y_pred_arr), weights, 0)
    if root:
        output_errors = np.sqrt(output_errors)
    return _average_outputs(output_errors, multioutput)


def _squared_errors(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return (y_true - y_pred) ** 2


# ---------------------------------------------------------------------------------
# mean errors


def mean_squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean squared error ``sum_i w_i (y_i - p_i)^2 / sum_i w_i``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_pred : array-like of the same shape
        Predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape \
(n_outputs,), default="uniform_average"
        How to combine the outputs: their mean, each separately, or a weighted mean.

    Returns
    -------
    loss : float, or ndarray of shape (n_outputs,) for "raw_values"

    Examples
    --------
    >>> from fastml.metrics import mean_squared_error
    >>> mean_squared_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.375
    """
    return _mean_error(
        "mean_squared_error",
        _squared_errors,
        y_true,
        y_pred,
        sample_weight,
        multioutput,
    )


def root_mean_squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Root mean squared error: the square root of :func:`mean_squared_error`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_pred : array-like of the same shape
        Predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape \
(n_outputs,), default="uniform_average"
        How to combine the outputs; the root is taken per output, before averaging.

    Returns
    -------
    loss : float, or ndarray of shape (n_outputs,) for "raw_values"

    Examples
    --------
    >>> from fastml.metrics import root_mean_squared_error
    >>> root_mean_squared_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.6123724356957945
    """
    return _mean_error(
        "root_mean_squared_error",
        _squared_errors,
        y_true,
        y_pred,
        sample_weight,
        multioutput,
        root=True,
    )


def mean_squared_log_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean squared logarithmic error ``mean((log(1 + y) - log(1 + p))^2)``.

    A relative error measure for targets with exponential growth; it penalises
    under-prediction more than over-prediction.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values, > -1.
    y_pred : array-like of the same shape
        Predictions, > -1.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape \
(n_outputs,), default="uniform_average"
        How to combine the outputs.

    Returns
    -------
    loss : float, or ndarray of shape (n_outputs,) for "raw_values"

    Examples
    --------
    >>> from fastml.metrics import mean_squared_log_error
    >>> round(mean_squared_log_error([3, 5, 2.5, 7], [2.5, 5, 4, 8]), 6)
    0.03973
    """
    return _mean_error(
        "mean_squared_log_error",
        _squared_errors,
        y_true,
        y_pred,
        sample_weight,
        multioutput,
        log_name="Mean Squared Logarithmic Error",
    )


def root_mean_squared_log_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Root mean squared logarithmic error: the root of :func:`mean_squared_log_error`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values, > -1.
    y_pred : array-like of the same shape
        Predictions, > -1.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape \
(n_outputs,), default="uniform_average"
        How to combine the outputs; the root is taken per output, before averaging.

    Returns
    -------
    loss : float, or ndarray of shape (n_outputs,) for "raw_values"

    Examples
    --------
    >>> from fastml.metrics import root_mean_squared_log_error
    >>> round(root_mean_squared_log_error([3, 5, 2.5, 7], [2.5, 5, 4, 8]), 6)
    0.199324
    """
    return _mean_error(
        "root_mean_squared_log_error",
        _squared_errors,
        y_true,
        y_pred,
        sample_weight,
        multioutput,
        root=True,
        log_name="Root Mean Squared Logarithmic Error",
    )


def mean_absolute_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean absolute error ``sum_i w_i |y_i - p_i| / sum_i w_i``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_pred : array-like of the same shape
        Predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape \
(n_outputs,), default="uniform_average"
        How to combine the outputs.

    Returns
    -------
    loss : float, or ndarray of shape (n_outputs,) for "raw_values"

    Examples
    --------
    >>> from fastml.metrics import mean_absolute_error
    >>> mean_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.5
    """
    return _mean_error(
        "mean_absolute_error",
        lambda t, p: np.abs(p - t),
        y_true,
        y_pred,
        sample_weight,
        multioutput,
    )


def _absolute_percentage_errors(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    # A float64 machine epsilon floors the denominator (in the targets' dtype).
    eps = np.asarray(np.finfo(np.float64).eps, dtype=y_true.dtype)
    return np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), eps)


def mean_absolute_percentage_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean absolute percentage error ``mean(|y - p| / max(|y|, eps))``.

    A relative error, as a fraction (0.05 is 5 %), not in percent. ``eps`` is the
    float64 machine epsilon, so a zero target gives a huge but finite term.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_pred : array-like of the same shape
        Predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape \
(n_outputs,), default="uniform_average"
        How to combine the outputs.

    Returns
    -------
    loss : float, or ndarray of shape (n_outputs,) for "raw_values"

    Examples
    --------
    >>> from fastml.metrics import mean_absolute_percentage_error
    >>> round(mean_absolute_percentage_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]), 6)
    0.327381
    """
    return _mean_error(
        "mean_absolute_percentage_error",
        _absolute_percentage_errors,
        y_true,
        y_pred,
        sample_weight,
        multioutput,
    )


# ---------------------------------------------------------------------------------
# median and maximum errors


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted median of each column of ``values`` (n_samples, n_outputs).

    The inverse of the weighted empirical CDF at one half, averaged with the next
    value carrying weight when the CDF reaches one half exactly (within the machine
    epsilon of the dtype): the "averaged inverse CDF" that gives the ordinary median
    for unit weights. Computed in the floating dtype of ``values`` (float64 for
    integers), as scikit-learn does.
    """
    dtype = _float_dtype(values)
    values = values.astype(dtype, copy=False)
    weights = np.asarray(weights, dtype=dtype)
    n_samples, n_outputs = values.shape
    result = np.empty(n_outputs, dtype=dtype)
    eps = np.finfo(dtype).eps
    last = n_samples - 1
    for j in range(n_outputs):
        order = np.argsort(values[:, j], kind="stable")
        sorted_values = values[order, j]
        sorted_weights = weights[order]
        cdf = np.cumsum(sorted_weights)
        half = dtype.type(0.5) * cdf[-1]
        i = min(int(np.searchsorted(cdf, half)), last)
        if cdf[i] - half > eps:
            result[j] = sorted_values[i]
            continue
        # Exactly half the weight at or below value i: average with the next value
        # of non-zero weight (or value i itself when none follows).
        following = min(i + 1, last)
        if sorted_weights[following] == 0:
            following = int(np.searchsorted(cdf, cdf[i], side="right"))
            if following > last:
                following = i
        result[j] = (sorted_values[i] + sorted_values[following]) / 2
    return result


def median_absolute_error(
    y_true: Any,
    y_pred: Any,
    *,
    multioutput: Any = "uniform_average",
    sample_weight: Any = None,
) -> Any:
    """Median absolute error ``median(|y - p|)``: robust to outliers.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_pred : array-like of the same shape
        Predictions.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape \
(n_outputs,), default="uniform_average"
        How to combine the outputs.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights: the weighted median, averaging the two middle values when
        exactly half the weight lies on each side (as the unweighted median does).

    Returns
    -------
    loss : float, or ndarray of shape (n_outputs,) for "raw_values"

    Examples
    --------
    >>> from fastml.metrics import median_absolute_error
    >>> median_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.5
    """
    func = "median_absolute_error"
    _check_params(func, y_true, y_pred, sample_weight, multioutput)
    y_true_arr, y_pred_arr, weights, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, numeric=True
    )
    errors = np.abs(y_pred_arr - y_true_arr)
    if weights is None:
        output_errors = np.median(errors, axis=0)
    else:
        output_errors = _weighted_median(errors, weights)
    return _average_outputs(output_errors, multioutput)


def max_error(y_true: Any, y_pred: Any) -> float:
    """Maximum absolute error ``max_i |y_i - p_i|``: the worst case.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True values (a single output).
    y_pred : array-like of shape (n_samples,)
        Predictions.

    Returns
    -------
    max_error : float

    Examples
    --------
    >>> from fastml.metrics import max_error
    >>> max_error([3, 2, 7, 1], [4, 2, 7, 1])
    1.0
    """
    func = "max_error"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    y_true_arr, y_pred_arr, _, _ = _check_reg_targets(
        y_true, y_pred, None, None, numeric=True
    )
    if y_true_arr.shape[1] != 1:
        raise ValueError("Multioutput not supported in max_error")
    return float(np.max(np.abs(y_true_arr - y_pred_arr)))
