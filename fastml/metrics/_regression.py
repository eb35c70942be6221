"""Regression metrics: mean squared error, mean absolute error, R^2.

These are single vectorised numpy reductions (memory-bound; a compiled kernel would
not beat them). The computation dtype follows scikit-learn 1.9: the floating dtype of
the inputs (float32 when every floating input is float32), float64 otherwise.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fastml.exceptions import UndefinedMetricWarning
from fastml.metrics._validation import (
    check_array_like,
    check_bool,
    check_str_option,
    check_y_arg,
)
from fastml.utils.validation import check_array, check_consistent_length

__all__ = ["mean_squared_error", "mean_absolute_error", "r2_score"]


def _float_dtype(*arrays: Any) -> np.dtype:
    floats = [
        np.asarray(a).dtype
        for a in arrays
        if hasattr(a, "dtype") and np.asarray(a).dtype.kind == "f"
    ]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def _check_reg_targets(
    y_true: Any, y_pred: Any, sample_weight: Any, multioutput: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Any]:
    dtype = _float_dtype(y_true, y_pred, sample_weight)
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
        n_samples = y_true_arr.shape[0]
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
        if not np.any(weights != 0):
            raise ValueError(
                "Sample weights must contain at least one non-zero number."
            )
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


def _weighted_mean(values: np.ndarray, weights: np.ndarray | None, axis: Any) -> Any:
    if weights is None:
        return np.mean(values, axis=axis)
    total = np.sum(weights)
    if total == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return np.average(values, axis=axis, weights=weights)


def _validate_common(
    func: str,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    multioutput: Any,
    options: tuple[str, ...],
    allow_none: bool,
) -> None:
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


def _mean_error(
    func: str,
    errors_fn: Any,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    multioutput: Any,
) -> Any:
    _validate_common(
        func,
        y_true,
        y_pred,
        sample_weight,
        multioutput,
        ("raw_values", "uniform_average"),
        False,
    )
    y_true_arr, y_pred_arr, weights, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput
    )
    output_errors = _weighted_mean(errors_fn(y_true_arr, y_pred_arr), weights, 0)
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return output_errors
        multioutput = None
    return float(_weighted_mean(output_errors, multioutput, None))


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
        lambda t, p: (t - p) ** 2,
        y_true,
        y_pred,
        sample_weight,
        multioutput,
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


def r2_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
    force_finite: bool = True,
) -> Any:
    """Coefficient of determination ``R^2 = 1 - SS_res / SS_tot``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_pred : array-like of the same shape
        Predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights (in both sums and in the weighted mean of y_true).
    multioutput : {"uniform_average", "raw_values", "variance_weighted"}, array-like \
of shape (n_outputs,) or None, default="uniform_average"
        How to combine outputs: mean, each separately, mean weighted by the variance
        of each output's y_true (``SS_tot``), or custom weights. None means
        "uniform_average".
    force_finite : bool, default=True
        A constant y_true (``SS_tot = 0``) gives 1.0 for a perfect prediction and 0.0
        otherwise, instead of NaN (0/0) and -inf.

    Returns
    -------
    score : float, or ndarray of shape (n_outputs,) for "raw_values"
        Fewer than two samples: NaN with an UndefinedMetricWarning.

    Examples
    --------
    >>> from fastml.metrics import r2_score
    >>> round(r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]), 6)
    0.948608
    """
    func = "r2_score"
    _validate_common(
        func,
        y_true,
        y_pred,
        sample_weight,
        multioutput,
        ("raw_values", "uniform_average", "variance_weighted"),
        True,
    )
    check_bool(force_finite, "force_finite", func)
    y_true_arr, y_pred_arr, weights, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput
    )
    if y_pred_arr.shape[0] < 2:
        warnings.warn(
            "R^2 score is not well-defined with less than two samples.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    w: Any = 1.0 if weights is None else weights[:, None]
    numerator = np.sum(w * (y_true_arr - y_pred_arr) ** 2, axis=0)
    mean_true = _weighted_mean(y_true_arr, weights, 0)
    denominator = np.sum(w * (y_true_arr - mean_true) ** 2, axis=0)
    n_outputs = y_true_arr.shape[1]
    nonzero_den = denominator != 0
    if not force_finite:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1 - numerator / denominator
    else:
        nonzero_num = numerator != 0
        scores = np.ones(n_outputs, dtype=numerator.dtype)
        valid = nonzero_den & nonzero_num
        scores[valid] = 1 - numerator[valid] / denominator[valid]
        scores[nonzero_num & ~nonzero_den] = 0.0
    avg_weights: Any
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return scores
        if multioutput == "uniform_average":
            avg_weights = None
        else:
            avg_weights = denominator if np.any(nonzero_den) else None
    else:
        avg_weights = multioutput
    result = _weighted_mean(scores, avg_weights, None)
    return float(result)
