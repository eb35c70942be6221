"""Activation kernels: sigmoid, log-sigmoid, GELU, softmax and their derivatives.

Conventions shared by every kernel here:

- One kernel per storage dtype (``*_f64`` for float64, ``*_f32`` for float32), each
  compiled for exactly one signature: the caller (fastml.activations) passes
  C-contiguous inputs as read-only views and writable C-contiguous outputs, so there
  are no read-only/writable or layout variants. Elementwise kernels take flat 1-D
  arrays; row kernels take 2-D ``(n_rows, n_cols)`` arrays and work along the last
  axis. ``kind`` (an int, the module constants below) selects the function, so one
  compiled kernel serves a whole family.
- Kernels are serial (``nogil``); the caller splits the rows or elements into
  contiguous chunks run on Python threads. Every output element depends only on its
  own element or row, so results are bitwise identical for any chunking and any
  thread count.
- ``out`` may be the same memory as ``x`` (in-place): elementwise kernels read an
  element before writing it, row kernels keep what they still need of a row in a
  scratch buffer before writing the row.
- Numba's ``float(v)`` of a float32 value stays float32; conversions to float64
  are written ``np.float64(v)``.
- float64 kernels compute in float64 with the ~1 ulp vectorisable exp of
  ``fastml.kernels._vecmath`` (GELU's erfc comes from the C library: full accuracy);
  float32 kernels compute in float32 lanes with that module's float32 functions
  (~1-2 float32 ulp; row sums are taken in float64). Loops contain no library calls
  where speed matters, so LLVM vectorises them (AVX2: 4 float64 / 8 float32 lanes).

Stability tricks (all exact rewrites of the textbook formula):

- sigmoid(v) = 1 / (1 + e) for v >= 0 and e / (1 + e) for v < 0, with e = exp(-|v|),
  so no exponential ever overflows.
- log_sigmoid(v) = min(v, 0) - log1p(exp(-|v|)).
- sigmoid'(v) = e / (1 + e)^2 with e = exp(-|v|) (never 0 * inf).
- GELU, exact form: 0.5 v erfc(-v / sqrt 2), which equals 0.5 v (1 + erf(v / sqrt 2))
  but keeps full relative accuracy in the negative tail.
- GELU, tanh form: since 1 + tanh(u) = 2 sigmoid(2u),
  0.5 v (1 + tanh(u)) = v sigmoid(2u) with u = sqrt(2/pi) (v + 0.044715 v^3).
- Softmax and log-softmax subtract the row maximum m before exponentiating, and take
  x - m exactly (as a rounded value plus its rounding error, ``two_diff``), so every
  exponential is accurate to ~1 ulp even when x - m is large.

Non-finite inputs: NaN propagates. sigmoid(+-inf) = 1 / 0, GELU(-inf) = -0.0 and
GELU(+inf) = +inf (the limits). A softmax row holding NaN or +inf, or only -inf,
is all NaN.

Naive references: tests/naive/activations.py; tests: tests/kernels/test_activations.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels._vecmath import (
    exp_nonpos_f32,
    exp_nonpos_f64,
    gelu_f32,
    gelu_grad_f32,
    gelu_tanh_f32,
    gelu_tanh_grad_f32,
    log1p_nonneg_f64,
    row_max_f32,
    row_max_f64,
    sigmoid_f32,
    sigmoid_f64,
    sigmoid_grad_f32,
    sigmoid_grad_f64,
    sum_minus_one,
    tree_sum,
    two_diff,
)

__all__ = [
    "SIGMOID",
    "LOG_SIGMOID",
    "SIGMOID_GRAD",
    "GELU",
    "GELU_TANH",
    "GELU_GRAD",
    "GELU_TANH_GRAD",
    "SOFTMAX",
    "LOG_SOFTMAX",
    "apply_sigmoid_f64",
    "apply_sigmoid_f32",
    "apply_gelu_f64",
    "apply_gelu_f32",
    "apply_softmax_rows_f64",
    "apply_softmax_rows_f32",
    "apply_log_softmax_rows_f64",
    "apply_log_softmax_rows_f32",
    "apply_vjp_rows_f64",
    "apply_vjp_rows_f32",
]

# Elementwise kinds (apply_sigmoid_*: the first three; apply_gelu_*: the others).
SIGMOID = 0
LOG_SIGMOID = 1
SIGMOID_GRAD = 2
GELU = 3
GELU_TANH = 4
GELU_GRAD = 5
GELU_TANH_GRAD = 6
# Kinds of apply_vjp_rows_* (the softmax and log-softmax themselves have a kernel
# each, so that a first softmax call compiles nothing else).
SOFTMAX = 0
LOG_SOFTMAX = 1

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715
_F32_ZERO = np.float32(0.0)
_F32_ONE = np.float32(1.0)


# --- elementwise ------------------------------------------------------------------


@jit
def _gelu_f64(v: float, approximate_tanh: bool) -> float:
    if approximate_tanh:
        u = _SQRT_2_OVER_PI * (v + _GELU_CUBIC * v * v * v)
        c = sigmoid_f64(2.0 * u)
        if c == 0.0:  # far negative tail (or -inf): the limit, never -inf * 0
            return -0.0
        return v * c
    c = math.erfc(-v * _INV_SQRT2)
    if c == 0.0:
        return -0.0
    return 0.5 * v * c


@jit
def _gelu_grad_f64(v: float, approximate_tanh: bool) -> float:
    if approximate_tanh:
        u = _SQRT_2_OVER_PI * (v + _GELU_CUBIC * v * v * v)
        c = sigmoid_f64(2.0 * u)
        d = sigmoid_grad_f64(2.0 * u)
        if d == 0.0:  # both tails: the v * u' factor would be inf * 0
            return c
        du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_CUBIC * v * v)
        return c + v * 2.0 * d * du
    cdf = 0.5 * math.erfc(-v * _INV_SQRT2)
    pdf = _INV_SQRT_2PI * math.exp(-0.5 * v * v)
    if pdf == 0.0:
        return cdf
    return cdf + v * pdf


@jit
def apply_sigmoid_f64(kind: int, x: np.ndarray, out: np.ndarray) -> None:
    """Sigmoid family (``kind`` SIGMOID, LOG_SIGMOID or SIGMOID_GRAD) of a float64
    vector, elementwise.

    Parameters
    ----------
    kind : int
    x : ndarray of shape (n,), float64, C-contiguous (IN)
    out : ndarray of shape (n,), float64 (OUT, may be ``x``)

    Reference: ``tests/naive/activations.py::sigmoid, log_sigmoid, sigmoid_grad``.
    """
    n = x.shape[0]
    if kind == SIGMOID:
        for i in range(n):
            out[i] = sigmoid_f64(x[i])
    elif kind == LOG_SIGMOID:
        for i in range(n):
            v = x[i]
            low = v if v < 0.0 else 0.0
            out[i] = low - log1p_nonneg_f64(exp_nonpos_f64(-abs(v), 0.0))
    else:
        for i in range(n):
            out[i] = sigmoid_grad_f64(x[i])


@jit
def apply_sigmoid_f32(kind: int, x: np.ndarray, out: np.ndarray) -> None:
    """As :func:`apply_sigmoid_f64` for float32, in float32 lanes (sigmoid and its
    derivative within ~3 float32 ulp; log_sigmoid's log1p is taken in float64)."""
    n = x.shape[0]
    if kind == SIGMOID:
        for i in range(n):
            out[i] = sigmoid_f32(x[i])
    elif kind == LOG_SIGMOID:
        for i in range(n):
            v = x[i]
            low = v if v < _F32_ZERO else _F32_ZERO
            e = exp_nonpos_f32(-abs(v), _F32_ZERO)
            out[i] = np.float64(low) - log1p_nonneg_f64(np.float64(e))
    else:
        for i in range(n):
            out[i] = sigmoid_grad_f32(x[i])


@jit
def apply_gelu_f64(kind: int, x: np.ndarray, out: np.ndarray) -> None:
    """GELU family of a float64 vector, elementwise.

    Parameters
    ----------
    kind : int
        GELU (exact, erf form: x Phi(x)), GELU_TANH (tanh approximation
        0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), Hendrycks and Gimpel
        2016), GELU_GRAD (Phi(x) + x phi(x)) or GELU_TANH_GRAD
        (s + 2 x s (1 - s) u'(x), s = sigmoid(2 u(x))).
    x : ndarray of shape (n,), float64, C-contiguous (IN)
    out : ndarray of shape (n,), float64 (OUT, may be ``x``)

    The exact forms use the C library's erfc (full float64 accuracy).
    Reference: ``tests/naive/activations.py::gelu, gelu_grad``.
    """
    n = x.shape[0]
    if kind == GELU or kind == GELU_TANH:
        tanh_form = kind == GELU_TANH
        for i in range(n):
            out[i] = _gelu_f64(x[i], tanh_form)
    else:
        tanh_form = kind == GELU_TANH_GRAD
        for i in range(n):
            out[i] = _gelu_grad_f64(x[i], tanh_form)


@jit
def apply_gelu_f32(kind: int, x: np.ndarray, out: np.ndarray) -> None:
    """As :func:`apply_gelu_f64` for float32, in float32 lanes with the vectorisable
    erfc of ``fastml.kernels._vecmath`` (within ~4 float32 ulp)."""
    n = x.shape[0]
    if kind == GELU:
        for i in range(n):
            out[i] = gelu_f32(x[i])
    elif kind == GELU_TANH:
        for i in range(n):
            out[i] = gelu_tanh_f32(x[i])
    elif kind == GELU_GRAD:
        for i in range(n):
            out[i] = gelu_grad_f32(x[i])
    else:
        for i in range(n):
            out[i] = gelu_tanh_grad_f32(x[i])


# --- row kernels --------------------------------------------------------------------


@jit
def _exp_row_f64(row: np.ndarray, m: float, e: np.ndarray) -> None:
    for j in range(row.shape[0]):
        d, err = two_diff(row[j], m)
        e[j] = exp_nonpos_f64(d, err)


@jit
def _exp_row_f32(row: np.ndarray, m: np.float32, e: np.ndarray) -> None:
    for j in range(row.shape[0]):
        d, err = two_diff(row[j], m)
        e[j] = exp_nonpos_f32(d, err)


@jit
def apply_softmax_rows_f64(x: np.ndarray, out: np.ndarray) -> None:
    """Softmax of each float64 row: out[r, j] = exp(x[r, j] - m) / s, with m the row
    maximum and s = sum_k exp(x[r, k] - m).

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_cols), float64, C-contiguous (IN)
    out : ndarray of shape (n_rows, n_cols), float64 (OUT, may be ``x``)

    Algorithm per row: m by ``row_max_f64``; the exponentials (vectorised exp of the
    exact difference) into the output row; s by ``tree_sum``; one scaling pass.
    Reference: ``tests/naive/activations.py::softmax``.
    """
    n_rows, n_cols = x.shape
    tmp = np.empty(n_cols // 2 + 1, dtype=np.float64)
    for r in range(n_rows):
        row = x[r]
        o = out[r]
        # The exponentials go straight into the output row (read before written when
        # out is x): its cache lines are fetched while the exp pass computes, and
        # the scaling pass stays in cache.
        _exp_row_f64(row, row_max_f64(row), o)
        inv = 1.0 / tree_sum(o, tmp)
        for j in range(n_cols):
            o[j] = np.float64(o[j]) * inv


@jit
def apply_log_softmax_rows_f64(x: np.ndarray, out: np.ndarray, separate: bool) -> None:
    """Log-softmax of each float64 row: out[r, j] = (x[r, j] - m) - log(s).

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_cols), float64, C-contiguous (IN)
    out : ndarray of shape (n_rows, n_cols), float64 (OUT, may be ``x``)
    separate : bool
        True when ``out`` does not overlap ``x``: the output row then serves as
        the scratch row of exponentials (faster).

    Algorithm per row: m by ``row_max_f64``; the exponentials into a scratch row;
    s = 1 + rest with rest from ``sum_minus_one`` (the exponentials but the
    maximum's, exactly 1), so that log(s) = log1p(rest) is accurate even when one
    logit dominates; one output pass. Reference:
    ``tests/naive/activations.py::log_softmax``.
    """
    n_rows, n_cols = x.shape
    e = np.empty(n_cols, dtype=np.float64)
    tmp = np.empty(n_cols // 2 + 1, dtype=np.float64)
    for r in range(n_rows):
        row = x[r]
        m = row_max_f64(row)
        o = out[r]
        # With out not overlapping x, the output row holds the exponentials first.
        scratch = o if separate else e
        _exp_row_f64(row, m, scratch)
        log_s = log1p_nonneg_f64(sum_minus_one(scratch, tmp))
        for j in range(n_cols):
            o[j] = (np.float64(row[j]) - m) - log_s


@jit
def apply_softmax_rows_f32(x: np.ndarray, out: np.ndarray) -> None:
    """As :func:`apply_softmax_rows_f64` for float32 rows (exponentials in float32
    lanes, ~1 ulp; the sum and the scaling in float64, rounded once)."""
    n_rows, n_cols = x.shape
    tmp = np.empty(n_cols // 2 + 1, dtype=np.float64)
    for r in range(n_rows):
        row = x[r]
        o = out[r]
        # The exponentials go straight into the output row (read before written when
        # out is x): its cache lines are fetched while the exp pass computes, and
        # the scaling pass stays in cache.
        _exp_row_f32(row, np.float32(row_max_f32(row)), o)
        inv = 1.0 / tree_sum(o, tmp)
        for j in range(n_cols):
            o[j] = np.float64(o[j]) * inv


@jit
def apply_log_softmax_rows_f32(x: np.ndarray, out: np.ndarray, separate: bool) -> None:
    """As :func:`apply_log_softmax_rows_f64` for float32 rows (exponentials in
    float32 lanes; sums, logs and the subtraction in float64, rounded once)."""
    n_rows, n_cols = x.shape
    e = np.empty(n_cols, dtype=np.float32)
    tmp = np.empty(n_cols // 2 + 1, dtype=np.float64)
    for r in range(n_rows):
        row = x[r]
        m = row_max_f32(row)
        o = out[r]
        # With out not overlapping x, the output row holds the exponentials first.
        scratch = o if separate else e
        _exp_row_f32(row, np.float32(m), scratch)
        log_s = log1p_nonneg_f64(sum_minus_one(scratch, tmp))
        for j in range(n_cols):
            o[j] = (np.float64(row[j]) - m) - log_s


@jit
def apply_vjp_rows_f64(
    kind: int, x: np.ndarray, v: np.ndarray, out: np.ndarray
) -> None:
    """Vector-Jacobian product of the row softmax (``kind`` SOFTMAX) or log-softmax
    (LOG_SOFTMAX): out = J(x)^T v, row by row, float64.

    With p = softmax(x[r]): softmax: out[r, j] = p_j (v[r, j] - sum_k v[r, k] p_k);
    log-softmax: out[r, j] = v[r, j] - p_j sum_k v[r, k].

    Parameters
    ----------
    kind : int
    x : ndarray of shape (n_rows, n_cols), float64 (IN) -- the function's input
    v : ndarray of shape (n_rows, n_cols), float64 (IN) -- upstream gradient
    out : ndarray of shape (n_rows, n_cols), float64 (OUT, may be ``x`` or ``v``)

    Reference: ``tests/naive/activations.py::softmax_vjp, log_softmax_vjp``.
    """
    n_rows, n_cols = x.shape
    e = np.empty(n_cols, dtype=np.float64)
    p = np.empty(n_cols, dtype=np.float64)
    pv = np.empty(n_cols, dtype=np.float64)
    tmp = np.empty(n_cols // 2 + 1, dtype=np.float64)
    for r in range(n_rows):
        row = x[r]
        vr = v[r]
        _exp_row_f64(row, row_max_f64(row), e)
        inv = 1.0 / (1.0 + sum_minus_one(e, tmp))
        for j in range(n_cols):
            p[j] = np.float64(e[j]) * inv
        o = out[r]
        if kind == SOFTMAX:
            for j in range(n_cols):
                pv[j] = p[j] * np.float64(vr[j])
            dot = tree_sum(pv, tmp)
            for j in range(n_cols):
                o[j] = p[j] * (np.float64(vr[j]) - dot)
        else:
            for j in range(n_cols):
                pv[j] = np.float64(vr[j])
            total = tree_sum(pv, tmp)
            for j in range(n_cols):
                o[j] = np.float64(vr[j]) - p[j] * total


@jit
def apply_vjp_rows_f32(
    kind: int, x: np.ndarray, v: np.ndarray, out: np.ndarray
) -> None:
    """As :func:`apply_vjp_rows_f64` for float32 rows (sums and products in
    float64, exponentials in float32 lanes)."""
    n_rows, n_cols = x.shape
    e = np.empty(n_cols, dtype=np.float32)
    p = np.empty(n_cols, dtype=np.float64)
    pv = np.empty(n_cols, dtype=np.float64)
    tmp = np.empty(n_cols // 2 + 1, dtype=np.float64)
    for r in range(n_rows):
        row = x[r]
        vr = v[r]
        _exp_row_f32(row, np.float32(row_max_f32(row)), e)
        inv = 1.0 / (1.0 + sum_minus_one(e, tmp))
        for j in range(n_cols):
            p[j] = np.float64(e[j]) * inv
        o = out[r]
        if kind == SOFTMAX:
            for j in range(n_cols):
                pv[j] = p[j] * np.float64(vr[j])
            dot = tree_sum(pv, tmp)
            for j in range(n_cols):
                o[j] = p[j] * (np.float64(vr[j]) - dot)
        else:
            for j in range(n_cols):
                pv[j] = np.float64(vr[j])
            total = tree_sum(pv, tmp)
            for j in range(n_cols):
                o[j] = np.float64(vr[j]) - p[j] * total
