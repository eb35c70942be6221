"""Deviance-based regression metrics: R^2, explained variance, Tweedie deviances.

R^2 and the explained variance are fractions of explained squared deviance,
``1 - numerator / denominator`` per output, assembled by one helper (with the
``force_finite`` and ``multioutput`` rules of scikit-learn 1.9); the mean Tweedie
deviances (normal, Poisson, gamma and the other powers) are weighted means of the
unit deviance. Vectorised numpy, in the floating dtype of the inputs, like the
error metrics of ``fastml.metrics._regression`` whose checks they share.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from fastml.exceptions import UndefinedMetricWarning
from fastml.metrics._regression import (
    _check_params,
    _check_reg_targets,
    _weighted_mean,
)
from fastml.metrics._validation import (
    check_array_like,
    check_bool,
    check_y_arg,
    raise_invalid,
)

__all__ = [
    "explained_variance_score",
    "mean_gamma_deviance",
    "mean_poisson_deviance",
    "mean_tweedie_deviance",
    "r2_score",
]

_SCORE_AVERAGES = ("raw_values", "uniform_average", "variance_weighted")


def _explained_fraction(
    numerator: np.ndarray,
    denominator: np.ndarray,
    multioutput: Any,
    force_finite: bool,
) -> Any:
    """``1 - numerator / denominator`` per output, combined as ``multioutput`` asks.

    With ``force_finite`` a zero numerator scores 1.0 and a zero denominator with a
    non-zero numerator 0.0 (instead of NaN and -inf). "variance_weighted" weighs the
    outputs by their denominators (uniformly when all of them are 0).
    """
    nonzero_den = denominator != 0
    if not force_finite:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1 - numerator / denominator
    else:
        nonzero_num = numerator != 0
        scores = np.ones(numerator.shape[0], dtype=numerator.dtype)
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
    return float(_weighted_mean(scores, avg_weights, None))


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
    _check_params(
        func, y_true, y_pred, sample_weight, multioutput, _SCORE_AVERAGES, True
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
    return _explained_fraction(numerator, denominator, multioutput, force_finite)


def explained_variance_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
    force_finite: bool = True,
) -> Any:
    """Explained variance ``1 - Var(y - p) / Var(y)``.

    Like :func:`r2_score` but blind to a constant bias: the residuals are centred
    before their variance is taken, so ``p = y + c`` scores 1.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True values.
    y_pred : array-like of the same shape
        Predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights (in both variances and in their means).
    multioutput : {"uniform_average", "raw_values", "variance_weighted"} or array-like of shape (n_outputs,), default="uniform_average"
        How to combine outputs: mean, each separately, mean weighted by the variance
        of each output's y_true, or custom weights.
    force_finite : bool, default=True
        A constant y_true (``Var(y) = 0``) gives 1.0 for a perfect prediction and 0.0
        otherwise, instead of NaN (0/0) and -inf.

    Returns
    -------
    score : float, or ndarray of shape (n_outputs,) for "raw_values"

    Examples
    --------
    >>> from fastml.metrics import explained_variance_score
    >>> round(explained_variance_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]), 6)
    0.957173
    """
    func = "explained_variance_score"
    _check_params(func, y_true, y_pred, sample_weight, multioutput, _SCORE_AVERAGES)
    check_bool(force_finite, "force_finite", func)
    y_true_arr, y_pred_arr, weights, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput
    )
    residuals = y_true_arr - y_pred_arr
    mean_residual = _weighted_mean(residuals, weights, 0)
    numerator = _weighted_mean((residuals - mean_residual) ** 2, weights, 0)
    mean_true = _weighted_mean(y_true_arr, weights, 0)
    denominator = _weighted_mean((y_true_arr - mean_true) ** 2, weights, 0)
    return _explained_fraction(numerator, denominator, multioutput, force_finite)


# ---------------------------------------------------------------------------------
# Tweedie deviances


def _unit_deviance(y: np.ndarray, mu: np.ndarray, power: float) -> np.ndarray:
    """Tweedie unit deviance ``d(y, mu)`` for a power outside (0, 1)."""
    if power == 0:  # normal
        return (y - mu) ** 2
    if power == 1:  # Poisson; y log(y / mu) is 0 at y = 0
        from scipy.special import xlogy

        return 2 * (xlogy(y, y / mu) - y + mu)
    if power == 2:  # gamma
        return 2 * (np.log(mu / y) + y / mu - 1)
    # 2 (y^(2-p) / ((1-p)(2-p)) - y mu^(1-p) / (1-p) + mu^(2-p) / (2-p)); for p < 0,
    # y may be any real and the first term uses max(y, 0).
    y_term = np.where(y > 0, y, 0.0) if power < 0 else y
    return 2 * (
        np.power(y_term, 2 - power) / ((1 - power) * (2 - power))
        - y * np.power(mu, 1 - power) / (1 - power)
        + np.power(mu, 2 - power) / (2 - power)
    )


def _mean_deviance(
    func: str, y_true: Any, y_pred: Any, sample_weight: Any, power: float
) -> float:
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    y_true_arr, y_pred_arr, weights, _ = _check_reg_targets(
        y_true, y_pred, sample_weight, None
    )
    if y_true_arr.shape[1] != 1:
        raise ValueError("Multioutput not supported in mean_tweedie_deviance")
    message = f"Mean Tweedie deviance error with power={power} can only be used on "
    if power < 0:
        if np.any(y_pred_arr <= 0):
            raise ValueError(message + "strictly positive y_pred.")
    elif 1 <= power < 2:
        if np.any(y_true_arr < 0) or np.any(y_pred_arr <= 0):
            raise ValueError(message + "non-negative y and strictly positive y_pred.")
    elif power >= 2:
        if np.any(y_true_arr <= 0) or np.any(y_pred_arr <= 0):
            raise ValueError(message + "strictly positive y and y_pred.")
    deviance = _unit_deviance(y_true_arr, y_pred_arr, power)
    return float(
        np.average(deviance, weights=None if weights is None else weights[:, None])
    )


def mean_tweedie_deviance(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, power: float = 0
) -> float:
    """Mean Tweedie deviance of the predicted means, for a power ``p``.

    The mean over samples of the unit deviance ``d(y, mu)`` of the Tweedie
    distribution with variance ``mu^p``: squared error for p = 0 (normal),
    ``2 (y log(y / mu) - y + mu)`` for p = 1 (Poisson), ``2 (log(mu / y) + y / mu -
    1)`` for p = 2 (gamma), and ``2 (y^(2-p) / ((1-p)(2-p)) - y mu^(1-p) / (1-p) +
    mu^(2-p) / (2-p))`` otherwise.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True values: any real for p <= 0, >= 0 for 1 <= p < 2, > 0 for p >= 2.
    y_pred : array-like of shape (n_samples,)
        Predicted means: any real for p = 0, > 0 otherwise.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    power : float in (-inf, 0] or [1, inf), default=0
        Tweedie power (no Tweedie distribution exists for 0 < p < 1).

    Returns
    -------
    loss : float

    Examples
    --------
    >>> from fastml.metrics import mean_tweedie_deviance
    >>> round(mean_tweedie_deviance([2, 0, 1, 4], [0.5, 0.5, 2.0, 2.0], power=1), 6)
    1.426015
    """
    func = "mean_tweedie_deviance"
    if (
        isinstance(power, bool)
        or not isinstance(power, numbers.Real)
        or np.isnan(power)
        or 0 < power < 1
    ):
        raise_invalid(
            func,
            "power",
            "a float in the range (-inf, 0.0] or a float in the range [1.0, inf)",
            power,
        )
    return _mean_deviance(func, y_true, y_pred, sample_weight, power)


def mean_poisson_deviance(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None
) -> float:
    """Mean Poisson deviance ``mean(2 (y log(y / mu) - y + mu))`` (Tweedie p = 1).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True counts or rates, >= 0.
    y_pred : array-like of shape (n_samples,)
        Predicted means, > 0.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    loss : float

    Examples
    --------
    >>> from fastml.metrics import mean_poisson_deviance
    >>> round(mean_poisson_deviance([2, 0, 1, 4], [0.5, 0.5, 2.0, 2.0]), 6)
    1.426015
    """
    return _mean_deviance("mean_poisson_deviance", y_true, y_pred, sample_weight, 1)


def mean_gamma_deviance(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None
) -> float:
    """Mean gamma deviance ``mean(2 (log(mu / y) + y / mu - 1))`` (Tweedie p = 2).

    Invariant to a common scale of y and mu: it measures relative errors.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True values, > 0.
    y_pred : array-like of shape (n_samples,)
        Predicted means, > 0.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    loss : float

    Examples
    --------
    >>> from fastml.metrics import mean_gamma_deviance
    >>> round(mean_gamma_deviance([2, 0.5, 1, 4], [0.5, 0.5, 2, 2]), 6)
    1.056853
    """
    return _mean_deviance("mean_gamma_deviance", y_true, y_pred, sample_weight, 2)
