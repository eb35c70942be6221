"""Activation kernels: sigmoid, log-sigmoid, GELU, softmax and their derivatives.

Conventions shared by every kernel here:

- Inputs and outputs are C-contiguous float64 or float32 arrays of the same dtype
  (one compiled specialization per dtype). Elementwise kernels take flat 1-D views
  (``x.ravel()`` of a C-contiguous array); row kernels take 2-D ``(n_rows, n_cols)``
  arrays and work along the last axis.
- Arithmetic is done in float64 whatever the storage dtype, and rounded once on store,
  so float32 results are correctly rounded up to an ulp or two.
- ``out`` may be the same array as ``x`` (in-place): every kernel reads an element
  before it writes the same position, and row kernels only touch their own row.
- Loops are ``prange`` over elements or rows; each output element depends only on its
  own inputs, so results are bitwise identical for any thread count. The caller picks
  the thread count with ``fastml.kernels._jit.num_threads``.

Stability tricks (all exact rewrites of the textbook formula):

- sigmoid(v) = 1 / (1 + e) for v >= 0 and e / (1 + e) for v < 0, with e = exp(-|v|),
  so no exponential ever overflows.
- log_sigmoid(v) = min(v, 0) - log1p(exp(-|v|)).
- sigmoid'(v) = e / (1 + e)^2 with e = exp(-|v|) (never 0 * inf).
- GELU, exact form: 0.5 v erfc(-v / sqrt 2), which equals 0.5 v (1 + erf(v / sqrt 2))
  but keeps full relative accuracy in the negative tail.
- GELU, tanh form: since 1 + tanh(u) = 2 sigmoid(2u),
  0.5 v (1 + tanh(u)) = v sigmoid(2u) with u = sqrt(2/pi) (v + 0.044715 v^3).
- Softmax and log-softmax subtract the row maximum before exponentiating.

Non-finite inputs: NaN propagates. sigmoid(+-inf) = 1 / 0, GELU(-inf) = -0.0 and
GELU(+inf) = +inf (the limits). A softmax row holding NaN or +inf, or only -inf,
is all NaN.

Naive references: tests/naive/activations.py; tests: tests/kernels/test_activations.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit, jit_parallel, prange

__all__ = [
    "apply_sigmoid",
    "apply_log_sigmoid",
    "apply_sigmoid_grad",
    "apply_gelu",
    "apply_gelu_grad",
    "apply_softmax_rows",
    "apply_log_softmax_rows",
    "apply_softmax_vjp_rows",
    "apply_log_softmax_vjp_rows",
]

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


@jit
def _sigmoid(v: float) -> float:
    e = math.exp(-abs(v))
    s = 1.0 / (1.0 + e)
    return s if v >= 0.0 else e * s


@jit
def _sigmoid_grad(v: float) -> float:
    e = math.exp(-abs(v))
    d = 1.0 + e
    return e / (d * d)


@jit
def _gelu(v: float, approximate_tanh: bool) -> float:
    if approximate_tanh:
        u = _SQRT_2_OVER_PI * (v + _GELU_CUBIC * v * v * v)
        c = _sigmoid(2.0 * u)
        if c == 0.0:  # far negative tail (or -inf): the limit, never -inf * 0
            return -0.0
        return v * c
    c = math.erfc(-v * _INV_SQRT2)
    if c == 0.0:
        return -0.0
    return 0.5 * v * c


@jit
def _gelu_grad(v: float, approximate_tanh: bool) -> float:
    if approximate_tanh:
        u = _SQRT_2_OVER_PI * (v + _GELU_CUBIC * v * v * v)
        c = _sigmoid(2.0 * u)
        d = _sigmoid_grad(2.0 * u)
        if d == 0.0:  # both tails: the v * u' factor would be inf * 0
            return c
        du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_CUBIC * v * v)
        return c + v * 2.0 * d * du
    cdf = 0.5 * math.erfc(-v * _INV_SQRT2)
    pdf = _INV_SQRT_2PI * math.exp(-0.5 * v * v)
    if pdf == 0.0:
        return cdf
    return cdf + v * pdf


@jit_parallel
def apply_sigmoid(x: np.ndarray, out: np.ndarray) -> None:
    """Logistic sigmoid 1 / (1 + exp(-x)), elementwise.

    Parameters
    ----------
    x : ndarray of shape (n,), float64 or float32, C-contiguous (IN)
    out : ndarray of shape (n,), same dtype (OUT, may be ``x``)

    Reference: ``tests/naive/activations.py::sigmoid``.
    """
    for i in prange(x.shape[0]):
        out[i] = _sigmoid(float(x[i]))


@jit_parallel
def apply_log_sigmoid(x: np.ndarray, out: np.ndarray) -> None:
    """log(sigmoid(x)) = -softplus(-x), elementwise, without overflow.

    Parameters
    ----------
    x : ndarray of shape (n,), float64 or float32 (IN)
    out : ndarray of shape (n,), same dtype (OUT, may be ``x``)

    Reference: ``tests/naive/activations.py::log_sigmoid``.
    """
    for i in prange(x.shape[0]):
        v = float(x[i])
        low = v if v < 0.0 else 0.0
        out[i] = low - math.log1p(math.exp(-abs(v)))


@jit_parallel
def apply_sigmoid_grad(x: np.ndarray, out: np.ndarray) -> None:
    """Derivative of the sigmoid, sigmoid(x) (1 - sigmoid(x)), elementwise.

    Parameters
    ----------
    x : ndarray of shape (n,), float64 or float32 (IN)
    out : ndarray of shape (n,), same dtype (OUT, may be ``x``)

    Reference: ``tests/naive/activations.py::sigmoid_grad``.
    """
    for i in prange(x.shape[0]):
        out[i] = _sigmoid_grad(float(x[i]))


@jit_parallel
def apply_gelu(x: np.ndarray, approximate_tanh: bool, out: np.ndarray) -> None:
    """Gaussian error linear unit x * Phi(x), elementwise.

    Parameters
    ----------
    x : ndarray of shape (n,), float64 or float32 (IN)
    approximate_tanh : bool
        False: the exact form 0.5 x (1 + erf(x / sqrt 2)); True: the tanh
        approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        (Hendrycks and Gimpel 2016, eq. in section 2).
    out : ndarray of shape (n,), same dtype (OUT, may be ``x``)

    Reference: ``tests/naive/activations.py::gelu``.
    """
    for i in prange(x.shape[0]):
        out[i] = _gelu(float(x[i]), approximate_tanh)


@jit_parallel
def apply_gelu_grad(x: np.ndarray, approximate_tanh: bool, out: np.ndarray) -> None:
    """Derivative of :func:`apply_gelu` with respect to x, elementwise.

    Exact form: Phi(x) + x phi(x). Tanh form: s + 2 x s (1 - s) u'(x) with
    s = sigmoid(2 u(x)) and u'(x) = sqrt(2/pi) (1 + 3 * 0.044715 x^2).

    Parameters
    ----------
    x : ndarray of shape (n,), float64 or float32 (IN)
    approximate_tanh : bool
    out : ndarray of shape (n,), same dtype (OUT, may be ``x``)

    Reference: ``tests/naive/activations.py::gelu_grad``.
    """
    for i in prange(x.shape[0]):
        out[i] = _gelu_grad(float(x[i]), approximate_tanh)


@jit
def _row_max_sumexp(x: np.ndarray, r: int) -> tuple[float, float]:
    """(max, sum(exp(x[r] - max))) of one row; NaN entries make the sum NaN."""
    n_cols = x.shape[1]
    m = -np.inf
    for j in range(n_cols):
        v = float(x[r, j])
        if v > m:
            m = v
    s = 0.0
    for j in range(n_cols):
        s += math.exp(float(x[r, j]) - m)
    return m, s


@jit_parallel
def apply_softmax_rows(x: np.ndarray, out: np.ndarray) -> None:
    """Softmax along the last axis: out[r, j] = exp(x[r, j]) / sum_k exp(x[r, k]).

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_cols), float64 or float32, C-contiguous (IN)
    out : ndarray of shape (n_rows, n_cols), same dtype (OUT, may be ``x``)

    Algorithm: per row, m = max_k x[r, k]; out = exp(x - m) with its sum s taken
    in float64; out *= 1 / s. Rows are independent (``prange`` over rows).
    Reference: ``tests/naive/activations.py::softmax``.
    """
    n_rows, n_cols = x.shape
    for r in prange(n_rows):
        m = -np.inf
        for j in range(n_cols):
            v = float(x[r, j])
            if v > m:
                m = v
        # One exponential per entry: store it, sum it in float64, then scale. (For
        # float32 output the stored exponential is rounded once more: <= 1 ulp.)
        s = 0.0
        for j in range(n_cols):
            e = math.exp(float(x[r, j]) - m)
            out[r, j] = e
            s += e
        inv = 1.0 / s
        for j in range(n_cols):
            out[r, j] = float(out[r, j]) * inv


@jit_parallel
def apply_log_softmax_rows(x: np.ndarray, out: np.ndarray) -> None:
    """Log-softmax along the last axis: out[r, j] = x[r, j] - logsumexp(x[r]).

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_cols), float64 or float32, C-contiguous (IN)
    out : ndarray of shape (n_rows, n_cols), same dtype (OUT, may be ``x``)

    Algorithm: out = (x - m) - log(sum_k exp(x[r, k] - m)) with m the row maximum,
    which stays exact when one logit dominates (the log term is then ~0).
    Reference: ``tests/naive/activations.py::log_softmax``.
    """
    n_rows, n_cols = x.shape
    for r in prange(n_rows):
        m, s = _row_max_sumexp(x, r)
        log_s = math.log(s)
        for j in range(n_cols):
            out[r, j] = (float(x[r, j]) - m) - log_s


@jit_parallel
def apply_softmax_vjp_rows(x: np.ndarray, v: np.ndarray, out: np.ndarray) -> None:
    """Vector-Jacobian product of the row softmax: out = J(x)^T v, row by row.

    With s = softmax(x[r]): out[r, j] = s_j (v[r, j] - sum_k v[r, k] s_k).

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_cols), float64 or float32 (IN) -- softmax input
    v : ndarray of shape (n_rows, n_cols), same dtype (IN) -- upstream gradient
    out : ndarray of shape (n_rows, n_cols), same dtype (OUT, may be ``x`` or ``v``)

    Reference: ``tests/naive/activations.py::softmax_vjp``.
    """
    n_rows, n_cols = x.shape
    for r in prange(n_rows):
        m, s = _row_max_sumexp(x, r)
        inv = 1.0 / s
        dot = 0.0
        for j in range(n_cols):
            dot += float(v[r, j]) * (math.exp(float(x[r, j]) - m) * inv)
        for j in range(n_cols):
            p = math.exp(float(x[r, j]) - m) * inv
            out[r, j] = p * (float(v[r, j]) - dot)


@jit_parallel
def apply_log_softmax_vjp_rows(x: np.ndarray, v: np.ndarray, out: np.ndarray) -> None:
    """Vector-Jacobian product of the row log-softmax: out = J(x)^T v, row by row.

    With s = softmax(x[r]): out[r, j] = v[r, j] - s_j sum_k v[r, k].

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_cols), float64 or float32 (IN) -- log-softmax input
    v : ndarray of shape (n_rows, n_cols), same dtype (IN) -- upstream gradient
    out : ndarray of shape (n_rows, n_cols), same dtype (OUT, may be ``x`` or ``v``)

    Reference: ``tests/naive/activations.py::log_softmax_vjp``.
    """
    n_rows, n_cols = x.shape
    for r in prange(n_rows):
        m, s = _row_max_sumexp(x, r)
        inv = 1.0 / s
        total = 0.0
        for j in range(n_cols):
            total += float(v[r, j])
        for j in range(n_cols):
            p = math.exp(float(x[r, j]) - m) * inv
            out[r, j] = float(v[r, j]) - p * total
