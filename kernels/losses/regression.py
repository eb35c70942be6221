"""Loss kernels for real targets: squared, absolute, Huber, pseudo-Huber, Poisson.

Every loss here is a sum over samples of a per-sample loss l(y_i, raw_i), and each
family comes as two kernels:

- ``loss_<name>(y, raw, w, [params,] out)``: out[i] = w[i] * l(y[i], raw[i]);
- ``gradient_hessian_<name>(y, raw, w, [params,] grad, hess)``: in one pass,
  grad[i] = w[i] * dl/draw and hess[i] = w[i] * d2l/draw2 at (y[i], raw[i]).

Shapes and dtypes: ``y``, ``raw``, ``out``, ``grad`` and ``hess`` are C-contiguous
1-D arrays of length n_samples, all float64 or all float32 (one specialization per
dtype). ``w`` has the same dtype and length n_samples, or length 0 for "no weights"
(then w[i] = 1). Arithmetic is float64 and rounded once on store.

The loops are ``prange`` over samples; every output depends on its own sample only,
so results are identical for any thread count (the caller sets it with
``fastml.kernels._jit.num_threads``). Inputs are assumed valid (finite, in the
loss's domain): fastml.losses validates them.

Naive references: tests/naive/losses.py; tests: tests/kernels/test_losses.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit_parallel, prange

__all__ = [
    "loss_squared_error",
    "gradient_hessian_squared_error",
    "loss_absolute_error",
    "gradient_hessian_absolute_error",
    "loss_huber",
    "gradient_hessian_huber",
    "loss_pseudo_huber",
    "gradient_hessian_pseudo_huber",
    "loss_poisson",
    "gradient_hessian_poisson",
]


@jit_parallel
def loss_squared_error(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, factor: float, out: np.ndarray
) -> None:
    """Per-sample squared error factor * (raw - y)^2 (factor 1, or 1/2 for the
    "half" convention).

    Parameters
    ----------
    y, raw : ndarray of shape (n_samples,) (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    factor : float
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        r = float(raw[i]) - float(y[i])
        v = factor * r * r
        if weighted:
            v *= float(w[i])
        out[i] = v


@jit_parallel
def gradient_hessian_squared_error(
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    factor: float,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Gradient 2 factor (raw - y) and hessian 2 factor of :func:`loss_squared_error`.

    Parameters
    ----------
    y, raw, w, factor : as in :func:`loss_squared_error` (IN)
    grad, hess : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    two_factor = 2.0 * factor
    for i in prange(raw.shape[0]):
        g = two_factor * (float(raw[i]) - float(y[i]))
        h = two_factor
        if weighted:
            g *= float(w[i])
            h *= float(w[i])
        grad[i] = g
        hess[i] = h


@jit_parallel
def loss_absolute_error(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
) -> None:
    """Per-sample absolute error |raw - y|.

    Parameters
    ----------
    y, raw : ndarray of shape (n_samples,) (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        v = abs(float(raw[i]) - float(y[i]))
        if weighted:
            v *= float(w[i])
        out[i] = v


@jit_parallel
def gradient_hessian_absolute_error(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, grad: np.ndarray, hess: np.ndarray
) -> None:
    """Gradient sign(raw - y) (0 where raw == y) and hessian 0 of |raw - y|.

    The second derivative is 0 wherever it exists (everywhere but raw == y, where
    it does not); 0 is written everywhere.

    Parameters
    ----------
    y, raw, w : as in :func:`loss_absolute_error` (IN)
    grad, hess : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        r = float(raw[i]) - float(y[i])
        g = 1.0 if r > 0.0 else (-1.0 if r < 0.0 else 0.0)
        if weighted:
            g *= float(w[i])
        grad[i] = g
        hess[i] = 0.0


@jit_parallel
def loss_huber(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, delta: float, out: np.ndarray
) -> None:
    """Per-sample Huber loss (Huber 1964) of r = raw - y with threshold delta > 0:
    r^2 / 2 where |r| <= delta, delta (|r| - delta / 2) elsewhere.

    Parameters
    ----------
    y, raw : ndarray of shape (n_samples,) (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    delta : float
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        r = float(raw[i]) - float(y[i])
        a = abs(r)
        v = 0.5 * r * r if a <= delta else delta * (a - 0.5 * delta)
        if weighted:
            v *= float(w[i])
        out[i] = v


@jit_parallel
def gradient_hessian_huber(
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    delta: float,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Gradient clip(r, -delta, delta), hessian 1{|r| <= delta} of :func:`loss_huber`.

    At |r| == delta the hessian jumps; the quadratic side's value 1 is written.

    Parameters
    ----------
    y, raw, w, delta : as in :func:`loss_huber` (IN)
    grad, hess : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        r = float(raw[i]) - float(y[i])
        if abs(r) <= delta:
            g = r
            h = 1.0
        else:
            g = delta if r > 0.0 else -delta
            h = 0.0
        if weighted:
            g *= float(w[i])
            h *= float(w[i])
        grad[i] = g
        hess[i] = h


@jit_parallel
def loss_pseudo_huber(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, delta: float, out: np.ndarray
) -> None:
    """Per-sample pseudo-Huber loss delta^2 (sqrt(1 + (r / delta)^2) - 1), r = raw - y.

    Evaluated as delta^2 t (t / (1 + sqrt(1 + t^2))) with t = r / delta and
    sqrt(1 + t^2) = hypot(1, t): the same value without the cancellation of
    sqrt(1 + t^2) - 1 for small t or the overflow of t^2 for huge t.

    Parameters
    ----------
    y, raw : ndarray of shape (n_samples,) (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    delta : float
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    d2 = delta * delta
    for i in prange(raw.shape[0]):
        t = (float(raw[i]) - float(y[i])) / delta
        root = math.hypot(1.0, t)
        v = d2 * t * (t / (1.0 + root))
        if weighted:
            v *= float(w[i])
        out[i] = v


@jit_parallel
def gradient_hessian_pseudo_huber(
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    delta: float,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Gradient r / sqrt(1 + t^2) and hessian (1 + t^2)^(-3/2) of
    :func:`loss_pseudo_huber` (t = r / delta), as XGBoost's reg:pseudohubererror.

    Parameters
    ----------
    y, raw, w, delta : as in :func:`loss_pseudo_huber` (IN)
    grad, hess : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        r = float(raw[i]) - float(y[i])
        root = math.hypot(1.0, r / delta)
        g = r / root
        h = 1.0 / (root * root * root)
        if weighted:
            g *= float(w[i])
            h *= float(w[i])
        grad[i] = g
        hess[i] = h


@jit_parallel
def loss_poisson(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
) -> None:
    """Per-sample Poisson loss with log link, raw = log(mu):
    exp(raw) - y raw + y log(y) - y (half the Poisson unit deviance; 0 when
    exp(raw) == y, and the negative log-likelihood up to a term free of raw),
    evaluated as y (expm1(d) - d) with d = raw - log(y) for y > 0 and exp(raw)
    for y == 0.

    Overflows to +inf where exp(raw) does (raw > ~709), the true value being
    unrepresentable.

    Parameters
    ----------
    y : ndarray of shape (n_samples,), y >= 0 (IN)
    raw : ndarray of shape (n_samples,) (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        yi = float(y[i])
        z = float(raw[i])
        if yi > 0.0:
            # = y (mu / y - 1 - log(mu / y)) with d = log(mu / y): no cancellation
            # between the large terms when mu is close to y.
            d = z - math.log(yi)
            v = yi * (math.expm1(d) - d)
        else:
            v = math.exp(z)
        if weighted:
            v *= float(w[i])
        out[i] = v


@jit_parallel
def gradient_hessian_poisson(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, grad: np.ndarray, hess: np.ndarray
) -> None:
    """Gradient exp(raw) - y and hessian exp(raw) of :func:`loss_poisson`.

    Parameters
    ----------
    y, raw, w : as in :func:`loss_poisson` (IN)
    grad, hess : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        mu = math.exp(float(raw[i]))
        g = mu - float(y[i])
        h = mu
        if weighted:
            g *= float(w[i])
            h *= float(w[i])
        grad[i] = g
        hess[i] = h
