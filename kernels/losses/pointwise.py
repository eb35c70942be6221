"""Loss kernels with one prediction per sample: regression and binary classification.

Two kernels serve every loss of this kind (each specialization costs compile time
on a user's first call), the loss being chosen by an integer ``kind`` (the constants
below): ``evaluate_regression_loss`` for the first five, ``evaluate_binary_loss``
for the last three, both called as ``(kind, y, raw, w, param, out, grad, hess)``.
They write, when ``out`` is not empty, out[i] = w[i] * l(y[i], raw[i]), and when
``grad`` is not empty, in one pass, grad[i] = w[i] * dl/draw and
hess[i] = w[i] * d2l/draw2 at (y[i], raw[i]). Pass the outputs you do not want as
empty arrays.

Losses (r = raw - y; ``param`` is the one scalar parameter, ignored where unused):

- SQUARED_ERROR: param (raw - y)^2 (param 1, or 1/2 for the "half" convention);
  gradient 2 param r, hessian 2 param.
- ABSOLUTE_ERROR: |r|; gradient sign(r) (0 at r == 0), hessian 0 (0 wherever it
  exists; 0 is written everywhere).
- HUBER (Huber 1964), param = delta > 0: r^2 / 2 where |r| <= delta, delta
  (|r| - delta / 2) elsewhere; gradient clip(r, -delta, delta), hessian 1{|r| <=
  delta} (the quadratic side's 1 at |r| == delta).
- PSEUDO_HUBER, param = delta: delta^2 (sqrt(1 + (r / delta)^2) - 1), evaluated as
  delta^2 t (t / (1 + hypot(1, t))) with t = r / delta (no cancellation, no
  overflow); gradient r / sqrt(1 + t^2), hessian (1 + t^2)^(-3/2) (XGBoost's
  reg:pseudohubererror).
- POISSON (log link, raw = log mu): exp(raw) - y raw + y log(y) - y, half the
  Poisson unit deviance, evaluated as y (expm1(d) - d) with d = raw - log(y) for
  y > 0 and exp(raw) for y == 0; gradient exp(raw) - y, hessian exp(raw). Overflows
  to +inf where exp(raw) does (raw > ~709).
- BINARY_LOGISTIC (y in [0, 1], raw a logit z): softplus(z) - y z =
  max(z, 0) - y z + log1p(exp(-|z|)); gradient sigmoid(z) - y, hessian
  sigmoid(z) (1 - sigmoid(z)) (not clamped: it underflows to 0 for |z| > ~745),
  both from one e = exp(-|z|): with s = 1 / (1 + e), sigmoid(z) is s (z >= 0) or
  e s (z < 0), and sigmoid'(z) = e s^2.
- BINARY_CROSS_ENTROPY (y in [0, 1], raw a probability p), param = eps in (0, 1/2):
  -[y log q + (1 - y) log(1 - q)] with q = clip(p, eps, 1 - eps); gradient
  (q - y) / (q (1 - q)), hessian y / q^2 + (1 - y) / (1 - q)^2.
- HINGE (y in {-1, 1}, raw a decision value): max(0, 1 - y raw); subgradient -y
  where y raw < 1, else 0 (also at the kink); hessian 0.

Shapes and dtypes: ``y``, ``raw``, ``out``, ``grad`` and ``hess`` are C-contiguous
1-D arrays of length n_samples, all float64 or all float32 (one specialization per
dtype; the caller passes inputs as read-only views, outputs writable). ``w`` has the
same dtype and length n_samples, or length 0 for "no weights". Arithmetic is float64
(``np.float64(v)``: Numba's ``float(v)`` of a float32 stays float32) and rounded once
on store. Each output depends on its own sample only, so results do not depend on how
the caller splits the samples over threads. Inputs are assumed valid (finite, in the
loss's domain): fastml.losses validates them.

Naive references: tests/naive/losses.py; tests: tests/kernels/test_losses.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels._vecmath import exp_nonpos_f64, log1p_nonneg_f64

__all__ = [
    "SQUARED_ERROR",
    "ABSOLUTE_ERROR",
    "HUBER",
    "PSEUDO_HUBER",
    "POISSON",
    "BINARY_LOGISTIC",
    "BINARY_CROSS_ENTROPY",
    "HINGE",
    "evaluate_regression_loss",
    "evaluate_binary_loss",
]

SQUARED_ERROR = 0
ABSOLUTE_ERROR = 1
HUBER = 2
PSEUDO_HUBER = 3
POISSON = 4
BINARY_LOGISTIC = 5
BINARY_CROSS_ENTROPY = 6
HINGE = 7


@jit(inline="always")
def _hypot_one(t: float) -> float:
    """sqrt(1 + t^2) (within ~1 ulp): a vectorisable square root where libm's hypot
    is a scalar call (~10 x slower over a gradient pass); |t| itself past 1e150,
    where t^2 would overflow and 1 no longer counts."""
    a = abs(t)
    return math.sqrt(1.0 + t * t) if a < 1e150 else a


@jit
def _apply_weights(w: np.ndarray, a: np.ndarray) -> None:
    if w.shape[0] > 0:
        for i in range(a.shape[0]):
            a[i] = np.float64(a[i]) * np.float64(w[i])


@jit
def evaluate_regression_loss(
    kind: int,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    param: float,
    out: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Weighted per-sample regression loss ``kind`` (SQUARED_ERROR, ABSOLUTE_ERROR,
    HUBER, PSEUDO_HUBER or POISSON) and/or its gradient and hessian w.r.t. raw.

    Parameters
    ----------
    kind : int
        One of the regression constants.
    y : ndarray of shape (n_samples,) (IN)
    raw : ndarray of shape (n_samples,), same dtype (IN)
    w : ndarray of shape (n_samples,) or (0,), same dtype (IN)
    param : float
        The loss's scalar parameter (factor or delta; ignored where unused).
    out : ndarray of shape (n_samples,) or (0,), same dtype (OUT)
        Per-sample losses; empty: not computed.
    grad, hess : ndarrays of shape (n_samples,) or (0,), same dtype (OUT)
        Gradient and hessian, computed together; empty: not computed.
    """
    n = raw.shape[0]
    if out.shape[0] > 0:
        if kind == SQUARED_ERROR:
            for i in range(n):
                r = np.float64(raw[i]) - np.float64(y[i])
                out[i] = param * r * r
        elif kind == ABSOLUTE_ERROR:
            for i in range(n):
                out[i] = abs(np.float64(raw[i]) - np.float64(y[i]))
        elif kind == HUBER:
            half_delta = 0.5 * param
            for i in range(n):
                r = np.float64(raw[i]) - np.float64(y[i])
                a = abs(r)
                out[i] = 0.5 * r * r if a <= param else param * (a - half_delta)
        elif kind == PSEUDO_HUBER:
            d2 = param * param
            for i in range(n):
                t = (np.float64(raw[i]) - np.float64(y[i])) / param
                out[i] = d2 * t * (t / (1.0 + _hypot_one(t)))
        else:  # POISSON
            for i in range(n):
                yi = np.float64(y[i])
                z = np.float64(raw[i])
                if yi > 0.0:
                    # y (mu / y - 1 - log(mu / y)) with d = log(mu / y): no cancellation
                    # between the large terms when mu is close to y.
                    d = z - math.log(yi)
                    out[i] = yi * (math.expm1(d) - d)
                else:
                    out[i] = math.exp(z)
        _apply_weights(w, out)
    if grad.shape[0] > 0:
        if kind == SQUARED_ERROR:
            two = 2.0 * param
            for i in range(n):
                grad[i] = two * (np.float64(raw[i]) - np.float64(y[i]))
                hess[i] = two
        elif kind == ABSOLUTE_ERROR:
            for i in range(n):
                r = np.float64(raw[i]) - np.float64(y[i])
                grad[i] = 1.0 if r > 0.0 else (-1.0 if r < 0.0 else 0.0)
                hess[i] = 0.0
        elif kind == HUBER:
            for i in range(n):
                r = np.float64(raw[i]) - np.float64(y[i])
                inside = abs(r) <= param
                grad[i] = r if inside else (param if r > 0.0 else -param)
                hess[i] = 1.0 if inside else 0.0
        elif kind == PSEUDO_HUBER:
            for i in range(n):
                r = np.float64(raw[i]) - np.float64(y[i])
                root = _hypot_one(r / param)
                grad[i] = r / root
                hess[i] = 1.0 / (root * root * root)
        else:  # POISSON
            for i in range(n):
                mu = math.exp(np.float64(raw[i]))
                grad[i] = mu - np.float64(y[i])
                hess[i] = mu
        _apply_weights(w, grad)
        _apply_weights(w, hess)


@jit
def evaluate_binary_loss(
    kind: int,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    param: float,
    out: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Weighted per-sample binary loss ``kind`` (BINARY_LOGISTIC,
    BINARY_CROSS_ENTROPY with ``param`` = eps, or HINGE) and/or its gradient and
    hessian w.r.t. raw. Parameters as in :func:`evaluate_regression_loss`.
    """
    n = raw.shape[0]
    if out.shape[0] > 0:
        if kind == BINARY_LOGISTIC:
            for i in range(n):
                z = np.float64(raw[i])
                high = z if z > 0.0 else 0.0
                out[i] = (high - np.float64(y[i]) * z) + log1p_nonneg_f64(
                    exp_nonpos_f64(-abs(z), 0.0)
                )
        elif kind == BINARY_CROSS_ENTROPY:
            upper = 1.0 - param
            for i in range(n):
                q = min(max(np.float64(raw[i]), param), upper)
                yi = np.float64(y[i])
                out[i] = -(yi * math.log(q) + (1.0 - yi) * math.log1p(-q))
        else:  # HINGE
            for i in range(n):
                margin = 1.0 - np.float64(y[i]) * np.float64(raw[i])
                out[i] = margin if margin > 0.0 else 0.0
        _apply_weights(w, out)
    if grad.shape[0] > 0:
        if kind == BINARY_LOGISTIC:
            for i in range(n):
                z = np.float64(raw[i])
                e = exp_nonpos_f64(-abs(z), 0.0)
                s = 1.0 / (1.0 + e)
                es = e * s
                grad[i] = (s if z >= 0.0 else es) - np.float64(y[i])
                hess[i] = es * s
        elif kind == BINARY_CROSS_ENTROPY:
            upper = 1.0 - param
            for i in range(n):
                q = min(max(np.float64(raw[i]), param), upper)
                yi = np.float64(y[i])
                q1 = 1.0 - q
                grad[i] = (q - yi) / (q * q1)
                hess[i] = yi / (q * q) + (1.0 - yi) / (q1 * q1)
        else:  # HINGE
            for i in range(n):
                yi = np.float64(y[i])
                grad[i] = -yi if yi * np.float64(raw[i]) < 1.0 else 0.0
                hess[i] = 0.0
        _apply_weights(w, grad)
        _apply_weights(w, hess)
