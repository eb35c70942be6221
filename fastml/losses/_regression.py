"""Losses for real-valued targets: squared, absolute, Huber, pseudo-Huber, Poisson."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.losses._base import _check_flag, _check_positive, _PointwiseLoss

__all__ = ["SquaredError", "AbsoluteError", "Huber", "PseudoHuber", "Poisson"]


class _RegressionLoss(_PointwiseLoss):
    """y_true and y_pred of shape (n_samples,) (a column (n_samples, 1) is raveled)."""

    def _check_y_true(self, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
        return self._check_float_target(y_true, y_pred)


class SquaredError(_RegressionLoss):
    """Squared error ``(y_pred - y_true)**2``, or half of it with ``half=True``.

    Where the factor 1/2 goes: with ``half=False`` (default) the mean loss is the
    mean squared error (as ``torch.nn.functional.mse_loss`` and scikit-learn's
    ``mean_squared_error``), the gradient ``2 (y_pred - y_true)`` and the hessian 2.
    With ``half=True`` the per-sample loss is ``(y_pred - y_true)**2 / 2``, the
    gradient ``y_pred - y_true`` and the hessian 1: the convention of gradient
    boosting (XGBoost's reg:squarederror), where the hessian is the sample weight.

    Parameters
    ----------
    half : bool, default=False
        Use ``(y_pred - y_true)**2 / 2``.

    Examples
    --------
    >>> from fastml.losses import SquaredError
    >>> SquaredError().loss([0.0, 1.0], [1.0, 3.0])
    2.5
    >>> SquaredError(half=True).gradient([0.0, 1.0], [1.0, 3.0])
    array([1., 2.])
    """

    _param_names = ("half",)

    def __init__(self, half: bool = False) -> None:
        self.half = _check_flag(half, "half")

    _kind_name = "SQUARED_ERROR"

    def _param(self, dtype: np.dtype) -> float:
        return 0.5 if self.half else 1.0


class AbsoluteError(_RegressionLoss):
    """Absolute error ``|y_pred - y_true|``.

    Gradient: ``sign(y_pred - y_true)``, 0 where they are equal (a subgradient).
    Hessian: 0 everywhere. The second derivative is 0 wherever it exists and does not
    exist at ``y_pred == y_true``; zeros are returned. Newton-type learners need a
    substitute (gradient boosting uses a constant hessian and refits leaf values as
    weighted medians), which is their choice, not this loss's.

    Examples
    --------
    >>> from fastml.losses import AbsoluteError
    >>> AbsoluteError().loss([0.0, 1.0], [1.0, 3.0])
    1.5
    """

    _kind_name = "ABSOLUTE_ERROR"


class Huber(_RegressionLoss):
    """Huber loss of ``r = y_pred - y_true``: ``r**2 / 2`` where ``|r| <= delta``,
    ``delta * (|r| - delta / 2)`` elsewhere (as ``torch.nn.functional.huber_loss``).

    Gradient ``clip(r, -delta, delta)``; hessian 1 where ``|r| <= delta`` (the
    quadratic side's value at ``|r| == delta``) and 0 elsewhere.

    Parameters
    ----------
    delta : float, default=1.0
        Threshold between the quadratic and the linear part, > 0.

    Examples
    --------
    >>> from fastml.losses import Huber
    >>> Huber(delta=1.0).loss_per_sample([0.0, 0.0], [0.5, 3.0])
    array([0.125, 2.5  ])
    """

    _param_names = ("delta",)

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = _check_positive(delta, "delta")

    _kind_name = "HUBER"

    def _param(self, dtype: np.dtype) -> float:
        return self.delta


class PseudoHuber(_RegressionLoss):
    """Pseudo-Huber loss ``delta**2 * (sqrt(1 + (r / delta)**2) - 1)``,
    ``r = y_pred - y_true``: a smooth Huber (quadratic near 0, slope ``delta`` far
    away), XGBoost's reg:pseudohubererror with ``huber_slope = delta``.

    Gradient ``r / sqrt(1 + (r / delta)**2)``; hessian
    ``(1 + (r / delta)**2) ** -1.5``, positive everywhere.

    Parameters
    ----------
    delta : float, default=1.0
        Scale of the transition, > 0.

    Examples
    --------
    >>> from fastml.losses import PseudoHuber
    >>> PseudoHuber().hessian([0.0], [0.0])
    array([1.])
    """

    _param_names = ("delta",)

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = _check_positive(delta, "delta")

    _kind_name = "PSEUDO_HUBER"

    def _param(self, dtype: np.dtype) -> float:
        return self.delta


class Poisson(_RegressionLoss):
    """Poisson loss with log link: ``y_pred`` is the raw score ``log(mu)``.

    Per-sample loss ``exp(y_pred) - y_true * y_pred + y_true * log(y_true) - y_true``:
    half the Poisson unit deviance, 0 when ``exp(y_pred) == y_true``. It is the
    negative log-likelihood ``exp(y_pred) - y_true * y_pred`` (torch's
    ``poisson_nll_loss(log_input=True, full=False)``) plus a term free of
    ``y_pred``, so the gradient ``exp(y_pred) - y_true`` and the hessian
    ``exp(y_pred)`` are the same. Predicted means are ``exp(y_pred)``.

    ``y_true`` must be non-negative. Values overflow to inf where ``exp(y_pred)``
    does (``y_pred`` > ~709 in float64, ~88 in float32 results), the true value being
    unrepresentable; XGBoost's ``max_delta_step`` safeguard for count:poisson is a
    boosting concern and not applied here.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.losses import Poisson
    >>> Poisson().loss([2.0], [np.log(2.0)])
    0.0
    """

    _kind_name = "POISSON"

    def _check_y_true(self, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
        y = self._check_float_target(y_true, y_pred)
        if np.any(y < 0):
            raise ValueError("Poisson requires non-negative y_true.")
        return y
