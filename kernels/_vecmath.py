"""Vectorisable elementary functions for kernel loops: exp, the normal CDF, sigmoid.

Why this module exists: Numba lowers ``math.exp`` and ``math.erfc`` to calls into
the C math library, and a loop that contains a call is never vectorised, so an
activation or softmax kernel spends most of its time in scalar ``exp`` calls. The
functions here use only arithmetic, comparisons and bit casts, which LLVM inlines and
turns into AVX2 (or wider) vector code; the loops that call them run 4 (float64) or
8 (float32) lanes at a time. No relaxed floating-point flags are needed (nor used):
every operation is an exact IEEE operation, so results are the same in vector and
scalar code and for any thread count.

Two families, chosen by the storage dtype of the kernel:

- ``*_f64``: float64 arguments and results, accurate to ~1 ulp (relative error below
  3e-16 in the tests), for float64 kernels.
- ``*_f32``: float32 arguments and results, evaluated in float32 lanes (twice the
  width of float64 lanes), for float32 kernels: exp within 1.5 float32 ulp, sigmoid
  within 3, the erfc-based GELU within ~4 (relative error below 5e-7 in the tests;
  float32's own resolution is 6e-8).

Algorithms
----------
exp(s + err) for s <= 0 (``exp_nonpos_*``): the argument comes as an unevaluated sum
of a value ``s`` and a tiny correction ``err`` (|err| <= ulp(s), e.g. the rounding
error of a difference from :func:`two_diff`), so exp(x - m) and exp(-x^2 / 2) keep
full relative accuracy even where the rounded argument is large. Range reduction
s = k ln 2 + r with k = round(s / ln 2) (the "add 1.5 * 2^p" rounding trick, whose
low mantissa bits are k) and |r| <= ln(2) / 2, r computed in two steps with ln 2 split
into a high part with trailing zero bits (so k * ln2_hi is exact) and a low part
(Cody and Waite 1980); err is added to r. Then exp(r) = 1 + r + r^2 q(r) with q a
polynomial (degree 9 for float64, 4 for float32) fitted to (exp(r) - 1 - r) / r^2 on
[-ln(2)/2, ln(2)/2] by Chebyshev interpolation (``mpmath.chebyfit``; fit error
1.3e-17 and 7.8e-9 relative to exp(r)), evaluated in Estrin's scheme (short
dependency chains). Finally 2^k is applied as (p * 2^(k + B)) * 2^-B, with the first
factor built from bits (always a normal number) and B = 1000 (float64) or 64
(float32), so results in the subnormal range are rounded once. s < -746 (float64)
or < -104 (float32), including -inf, gives 0; NaN propagates.

Normal CDF Phi(x) = erfc(-x / sqrt 2) / 2 in float32 (``gelu_f32`` and friends): with
t = |x| / sqrt 2 and tau = 1 / (1 + t / 2),

    erfc(t) = tau * exp(-t^2 + f(tau)),

where f(tau) = log(erfc(t) exp(t^2) / tau) is smooth on tau in (0, 1] (the same
substitution as the classic "erfcc" Chebyshev approximation). f is a degree-12
polynomial in (tau - 1/2) fitted by ``mpmath.chebyfit`` (fit error 6.6e-9, which is a
relative error of erfc). t^2 = x^2 / 2 is formed exactly as a float32 pair (Dekker's
splitting) and f is folded into exp's argument pair with :func:`two_sum`, so the
relative accuracy of erfc, and of Phi in the negative tail, is kept for every x. One
formula for all t, no branches. x >= 0 uses Phi = 1 - erfc(t) / 2.

Naive references: ``math.exp``, ``math.erfc`` (tests/naive/vecmath.py); tests:
tests/kernels/test_vecmath.py (dense sweeps against the references, subnormal,
overflow and non-finite cases).
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "two_sum",
    "two_diff",
    "exp_nonpos_f64",
    "exp_nonpos_f32",
    "log_pos_f64",
    "log1p_nonneg_f64",
    "row_max_f32",
    "row_max_f64",
    "tree_sum",
    "sum_minus_one",
    "sigmoid_f64",
    "sigmoid_f32",
    "sigmoid_grad_f64",
    "sigmoid_grad_f32",
    "square_hilo_f32",
    "erfc_f32",
    "gelu_f32",
    "gelu_grad_f32",
    "gelu_tanh_f32",
    "gelu_tanh_grad_f32",
]

_F32 = np.float32
_I32 = np.int32
_I64 = np.int64


def _bits(value: float, dtype: type) -> int:
    """Integer bit pattern of ``value`` stored as ``dtype``."""
    itype = np.int64 if dtype is np.float64 else np.int32
    return int(np.array([value], dtype=dtype).view(itype)[0])


# --- float64 exp ----------------------------------------------------------------------

_LOG2E = 1.4426950408889634
# ln 2 = _LN2_HI + _LN2_LO, _LN2_HI with the low 21 mantissa bits cleared.
_LN2_HI = 0.6931471803691238
_LN2_LO = 1.9082149292705877e-10
_SHIFT = 6755399441055744.0  # 1.5 * 2^52: x + _SHIFT rounds x to an integer
_EXP_LO = -746.0  # exp(-746) < half the smallest subnormal: 0
_SCALE_B64 = 1000
_KBIAS64 = _I64(_bits(_SHIFT, np.float64) - (1023 + _SCALE_B64))
_SHIFT52 = _I64(52)
_UNSCALE64 = 2.0**-_SCALE_B64
# q(r) = (exp(r) - 1 - r) / r^2 on |r| <= ln(2)/2, degree 9 (Q0 + Q1 r + ...).
_Q0 = 0.5000000000000001
_Q1 = 0.16666666666666669
_Q2 = 0.04166666666662399
_Q3 = 0.008333333333330051
_Q4 = 0.0013888888917281794
_Q5 = 0.00019841269863105968
_Q6 = 2.480152119021773e-05
_Q7 = 2.7557268378684192e-06
_Q8 = 2.7620138719733994e-07
_Q9 = 2.5100424157005067e-08


@jit
def two_sum(a: float, b: float) -> tuple[float, float]:
    """(s, e) with s = fl(a + b) and s + e == a + b exactly (Knuth's TwoSum).

    Works in the precision of its arguments (both float64 or both float32). For
    non-finite a or b, e is NaN.
    """
    s = a + b
    bv = s - a
    e = (a - (s - bv)) + (b - bv)
    return s, e


@jit
def two_diff(a: float, b: float) -> tuple[float, float]:
    """(s, e) with s = fl(a - b) and s + e == a - b exactly (TwoSum of a and -b)."""
    s = a - b
    bv = s - a
    e = (a - (s - bv)) - (b + bv)
    return s, e


@jit
def exp_nonpos_f64(s: float, err: float) -> float:
    """exp(s + err) for s <= 0 in float64, ~1 ulp; err a tiny correction of s.

    s < -746 (and -inf) gives 0 whatever err is; NaN s gives NaN. Positive s is
    not supported (results above 2^1023 overflow the scaling).
    """
    if s < _EXP_LO:
        s = _EXP_LO
        err = 0.0
    t = s * _LOG2E + _SHIFT
    kf = t - _SHIFT
    r = (s - kf * _LN2_HI) + (err - kf * _LN2_LO)
    r2 = r * r
    r4 = r2 * r2
    r8 = r4 * r4
    q = (
        ((_Q0 + _Q1 * r) + r2 * (_Q2 + _Q3 * r))
        + r4 * ((_Q4 + _Q5 * r) + r2 * (_Q6 + _Q7 * r))
        + r8 * (_Q8 + _Q9 * r)
    )
    p = 1.0 + (r + r2 * q)
    scale = _I64((np.float64(t).view(_I64) - _KBIAS64) << _SHIFT52).view(np.float64)
    return (p * scale) * _UNSCALE64


# log(x) = e ln 2 + log(m), m = x / 2^e in [sqrt(2)/2, sqrt(2)), and with f = m - 1,
# log(m) = 2 atanh(s) = 2 s (1 + s^2 h(s^2)), s = f / (2 + f), |s| <= 0.1716, written
# as f - (f^2/2 - s (f^2/2 + 2 s^2 h(s^2))) (the arrangement of the classic fdlibm
# log); h(z) = (atanh(sqrt z) / sqrt z - 1) / z fitted (chebyfit, degree 6, error
# 4.6e-18).
_SQRT_HALF_BITS = _I64(_bits(math.sqrt(0.5), np.float64))
_H0 = 0.3333333333333335
_H1 = 0.19999999999949444
_H2 = 0.14285714313126918
_H3 = 0.11111105544689748
_H4 = 0.09091446216268435
_H5 = 0.07665805861027504
_H6 = 0.07308903576708663
_LN2_HI_L = 0.6931471803691238
_LN2_LO_L = 1.9082149292705877e-10


@jit
def log_pos_f64(x: float) -> float:
    """Natural log of a positive, normal, finite float64 x, ~1 ulp, vectorisable.

    NaN propagates; 0, subnormals, negative numbers and +inf are outside the domain
    (the callers pass sums of exponentials, which are >= 1).
    """
    bits = np.float64(x).view(_I64)
    k = (bits - _SQRT_HALF_BITS) >> _SHIFT52
    m = _I64(bits - (k << _SHIFT52)).view(np.float64)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    z2 = z * z
    h = ((_H0 + _H1 * z) + z2 * (_H2 + _H3 * z)) + (z2 * z2) * (
        (_H4 + _H5 * z) + z2 * _H6
    )
    # log(1 + f) = f - (f^2 / 2 - s (f^2 / 2 + 2 z h)): f is exact and the rounding
    # of s only enters through small terms.
    hfsq = 0.5 * f * f
    r = 2.0 * z * h
    kf = np.float64(k)
    res = kf * _LN2_HI_L - ((hfsq - (s * (hfsq + r) + kf * _LN2_LO_L)) - f)
    return res if x == x else x


@jit
def log1p_nonneg_f64(x: float) -> float:
    """log(1 + x) for finite float64 x >= 0 with full relative accuracy for tiny x.

    Goldberg's trick: with u = fl(1 + x), log1p(x) = x log(u) / (u - 1) (u - 1 is
    exact), and x itself when u == 1. NaN propagates. (log(u) is
    :func:`log_pos_f64`'s arithmetic, written out: one compile unit fewer.)
    """
    u = 1.0 + x
    d = u - 1.0
    bits = np.float64(u).view(_I64)
    k = (bits - _SQRT_HALF_BITS) >> _SHIFT52
    m = _I64(bits - (k << _SHIFT52)).view(np.float64)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    z2 = z * z
    h = ((_H0 + _H1 * z) + z2 * (_H2 + _H3 * z)) + (z2 * z2) * (
        (_H4 + _H5 * z) + z2 * _H6
    )
    # log(1 + f) = f - (f^2 / 2 - s (f^2 / 2 + 2 z h)): f is exact and the rounding
    # of s only enters through small terms.
    hfsq = 0.5 * f * f
    r = 2.0 * z * h
    kf = np.float64(k)
    res = kf * _LN2_HI_L - ((hfsq - (s * (hfsq + r) + kf * _LN2_LO_L)) - f)
    r = x * (res / d)
    return x if d == 0.0 else r


@jit
def sigmoid_f64(v: float) -> float:
    """1 / (1 + exp(-v)) in float64 as 1 / (1 + e) or e / (1 + e), e = exp(-|v|)."""
    e = exp_nonpos_f64(-abs(v), 0.0)
    s = 1.0 / (1.0 + e)
    return s if v >= 0.0 else e * s


@jit
def sigmoid_grad_f64(v: float) -> float:
    """sigmoid(v) (1 - sigmoid(v)) = e / (1 + e)^2, e = exp(-|v|), in float64."""
    e = exp_nonpos_f64(-abs(v), 0.0)
    d = 1.0 + e
    return e / (d * d)


# --- float32 exp ----------------------------------------------------------------------

_LOG2E_F = _F32(_LOG2E)
# ln 2 = _LN2_HI_F + _LN2_LO_F, _LN2_HI_F = 355/512 (9 significant bits).
_LN2_HI_F = _F32(0.693359375)
_LN2_LO_F = _F32(-0.00021219444005469057)
_SHIFT_F = _F32(12582912.0)  # 1.5 * 2^23
_EXP_LO_F = _F32(-104.0)  # exp(-104) < half the smallest float32 subnormal: 0
_SCALE_B32 = 64
_KBIAS32 = _I32(_bits(12582912.0, np.float32) - (127 + _SCALE_B32))
_SHIFT23 = _I32(23)
_UNSCALE32 = _F32(2.0**-_SCALE_B32)
_ZERO_F = _F32(0.0)
_ONE_F = _F32(1.0)
_HALF_F = _F32(0.5)
_TWO_F = _F32(2.0)
# q(r) = (exp(r) - 1 - r) / r^2 on |r| <= ln(2)/2, degree 4.
_QF0 = _F32(0.5)
_QF1 = _F32(0.16666576845993977)
_QF2 = _F32(0.04166655443768594)
_QF3 = _F32(0.008363202971575855)
_QF4 = _F32(0.0013926213466332444)


@jit
def _exp_core_scaled_f32(s: np.float32, err: np.float32) -> np.float32:
    """exp(s + err) * 2^64 for float32 -131 <= s <= 0 (no clamping): a normal float32
    (no subnormal rounding yet), for callers that multiply before unscaling."""
    t = s * _LOG2E_F + _SHIFT_F
    kf = t - _SHIFT_F
    r = (s - kf * _LN2_HI_F) + (err - kf * _LN2_LO_F)
    r2 = r * r
    q = (_QF0 + _QF1 * r) + r2 * ((_QF2 + _QF3 * r) + r2 * _QF4)
    p = _ONE_F + (r + r2 * q)
    scale = _I32((np.float32(t).view(_I32) - _KBIAS32) << _SHIFT23).view(np.float32)
    return p * scale


@jit
def exp_nonpos_f32(s: np.float32, err: np.float32) -> np.float32:
    """exp(s + err) for float32 s <= 0, ~1 float32 ulp; err a tiny correction of s.

    s < -104 (and -inf) gives 0 whatever err is; NaN s gives NaN. (The same
    arithmetic as ``_exp_core_scaled_f32``, written out: one compile unit fewer.)
    """
    if s < _EXP_LO_F:
        s = _EXP_LO_F
        err = _ZERO_F
    t = s * _LOG2E_F + _SHIFT_F
    kf = t - _SHIFT_F
    r = (s - kf * _LN2_HI_F) + (err - kf * _LN2_LO_F)
    r2 = r * r
    q = (_QF0 + _QF1 * r) + r2 * ((_QF2 + _QF3 * r) + r2 * _QF4)
    p = _ONE_F + (r + r2 * q)
    scale = _I32((np.float32(t).view(_I32) - _KBIAS32) << _SHIFT23).view(np.float32)
    return (p * scale) * _UNSCALE32


@jit
def sigmoid_f32(v: np.float32) -> np.float32:
    """Float32 sigmoid (see :func:`sigmoid_f64`)."""
    e = exp_nonpos_f32(-abs(v), _ZERO_F)
    s = _ONE_F / (_ONE_F + e)
    return s if v >= _ZERO_F else e * s


@jit
def sigmoid_grad_f32(v: np.float32) -> np.float32:
    """Float32 sigmoid derivative (see :func:`sigmoid_grad_f64`)."""
    e = exp_nonpos_f32(-abs(v), _ZERO_F)
    d = _ONE_F + e
    return e / (d * d)


# --- float32 normal CDF and GELU ------------------------------------------------------

_HIGH12 = _I32(-4096)  # mask keeping the sign, exponent and top 11 mantissa bits
_INV_SQRT2_F = _F32(1.0 / math.sqrt(2.0))
_INV_SQRT_2PI_F = _F32(1.0 / math.sqrt(2.0 * math.pi))
_SQRT_2_OVER_PI_F = _F32(math.sqrt(2.0 / math.pi))
_GELU_CUBIC_F = _F32(0.044715)
_THREE_GELU_CUBIC_F = _F32(3.0 * 0.044715)
# |x| beyond which x^2 could overflow float32: Phi is then 0 or 1 in float32 anyway.
_X_CLAMP_F = _F32(16.0)
# g(u) = erfc(t) exp(t^2) / tau with u = tau - 1/2, degree 10 (G0 + G1 u + ...).
_G0 = _F32(0.5107913526210115)
_G1 = _F32(0.6871606250987088)
_G2 = _F32(0.5589437831862214)
_G3 = _F32(0.14577399291665152)
_G4 = _F32(-0.17205297412394013)
_G5 = _F32(-0.10379945816953427)
_G6 = _F32(0.09816621083761377)
_G7 = _F32(0.05517312277021226)
_G8 = _F32(-0.07800808612154539)
_G9 = _F32(-0.01882335315748452)
_G10 = _F32(0.0453513366235701)


@jit
def square_hilo_f32(x: np.float32) -> tuple[np.float32, np.float32]:
    """(hi, lo) with hi = fl(x * x) and hi + lo == x * x exactly (Dekker 1971).

    x is split into a 12-bit head (mantissa bits masked off) and an exact tail, whose
    products are exact; requires x * x finite and not subnormal-limited.
    """
    xh = _I32(np.float32(x).view(_I32) & _HIGH12).view(np.float32)
    xl = x - xh
    hi = x * x
    lo = ((xh * xh - hi) + _TWO_F * (xh * xl)) + xl * xl
    return hi, lo


@jit(inline="always")
def _erfc_parts_f32(a: np.float32) -> tuple[np.float32, np.float32]:
    """(c, es) with erfc(a / sqrt 2) = c * es * 2^-64 and es = exp(-a^2 / 2) * 2^64,
    for float32 0 <= a <= 16 (a = |x|); relative error ~1e-7.

    Keeping the 2^64 scale until the caller's last multiplication means results in
    the normal range never pass through a subnormal intermediate (Phi(-13) is
    subnormal, 13 Phi(-13) is not), and es is the Gaussian density's exponential
    as well.
    """
    t = a * _INV_SQRT2_F
    tau = _TWO_F / (_TWO_F + t)
    u = tau - _HALF_F
    u2 = u * u
    u4 = u2 * u2
    u8 = u4 * u4
    g = (
        ((_G0 + _G1 * u) + u2 * (_G2 + _G3 * u))
        + u4 * ((_G4 + _G5 * u) + u2 * (_G6 + _G7 * u))
        + u8 * ((_G8 + _G9 * u) + u2 * _G10)
    )
    # exp(-t^2) with t^2 = (hi + lo) / 2 exact; independent of the g chain above.
    # a <= 16 keeps -t^2 >= -128 inside the exp core's domain.
    hi, lo = square_hilo_f32(a)
    return tau * g, _exp_core_scaled_f32(-_HALF_F * hi, -_HALF_F * lo)


@jit
def erfc_f32(t: np.float32) -> np.float32:
    """Complementary error function for float32 t >= 0 (NaN propagates).

    Computed as erfc(a / sqrt 2) with a = t * sqrt 2 rounded to float32, so the
    argument carries one extra rounding (relative 6e-8, amplified by 2 t^2 in the
    tail); kernels call the a-form directly. Used by the tests.
    """
    a = t * _F32(math.sqrt(2.0))
    a = _X_CLAMP_F if a > _X_CLAMP_F else a
    c, es = _erfc_parts_f32(a)
    return (c * es) * _UNSCALE32


@jit(inline="always")
def gelu_f32(v: np.float32) -> np.float32:
    """GELU v * Phi(v) in float32, Phi(v) = erfc(-v / sqrt 2) / 2.

    Uses v Phi(v) = max(v, 0) - a Phi(-a) with a = |v| (from Phi(v) = 1 - Phi(-v)),
    one formula for both signs: (v if v > 0 else -0.0) - (a c es / 2) 2^-64 with a
    clamped at 16, so v = -inf gives the limit -0.0 and v = +inf gives +inf. NaN
    propagates.
    """
    a = abs(v)
    a = _X_CLAMP_F if a > _X_CLAMP_F else a
    c, es = _erfc_parts_f32(a)
    base = v if v > _ZERO_F else -_ZERO_F
    return base - (((_HALF_F * a) * c) * es) * _UNSCALE32


@jit(inline="always")
def gelu_grad_f32(v: np.float32) -> np.float32:
    """d/dv [v Phi(v)] = Phi(v) + v phi(v) in float32 (phi the normal density).

    Both terms share exp(-v^2 / 2): with d = c / 2 - |v| / sqrt(2 pi), the
    derivative is d es 2^-64 for v < 0 and 1 - d es 2^-64 for v >= 0.
    """
    a = abs(v)
    a = _X_CLAMP_F if a > _X_CLAMP_F else a
    c, es = _erfc_parts_f32(a)
    d = (_HALF_F * c - a * _INV_SQRT_2PI_F) * es * _UNSCALE32
    return d if v < _ZERO_F else _ONE_F - d


@jit
def gelu_tanh_f32(v: np.float32) -> np.float32:
    """Tanh-form GELU v sigmoid(2 u), u = sqrt(2/pi) (v + 0.044715 v^3), float32."""
    u = _SQRT_2_OVER_PI_F * (v + _GELU_CUBIC_F * (v * v * v))
    c = sigmoid_f32(_TWO_F * u)
    return -_ZERO_F if c == _ZERO_F else v * c


@jit
def gelu_tanh_grad_f32(v: np.float32) -> np.float32:
    """Derivative of :func:`gelu_tanh_f32`: c + 2 v c (1 - c) u'(v), c = sigmoid(2u)."""
    u = _SQRT_2_OVER_PI_F * (v + _GELU_CUBIC_F * (v * v * v))
    c = sigmoid_f32(_TWO_F * u)
    d = sigmoid_grad_f32(_TWO_F * u)
    du = _SQRT_2_OVER_PI_F * (_ONE_F + _THREE_GELU_CUBIC_F * (v * v))
    return c if d == _ZERO_F else c + v * _TWO_F * d * du


# --- row reductions -------------------------------------------------------------------

# Row-sum reduction: pairwise (tree) sums down to this many terms, then a loop.
_TREE_LEAF = 16


@jit
def row_max_f32(row: np.ndarray) -> float:
    """Largest non-NaN entry of a float32 row (-inf if none), in a vectorisable loop.

    The float bit patterns are mapped to signed integers in the same order
    (negative floats: flip all but the sign bit), whose maximum LLVM vectorises;
    the winner is mapped back. A NaN with the sign bit clear maps above +inf and is
    returned (making the whole softmax row NaN, as it should); one with the sign bit
    set maps below -inf and is ignored here (its exp is NaN, which also makes the
    row NaN).
    """
    best = np.int32(-(2**31))
    for j in range(row.shape[0]):
        b = np.float32(row[j]).view(np.int32)
        k = b ^ ((b >> np.int32(31)) & np.int32(0x7FFFFFFF))
        best = k if k > best else best
    b = best ^ ((best >> np.int32(31)) & np.int32(0x7FFFFFFF))
    return np.float64(np.int32(b).view(np.float32))


@jit
def row_max_f64(row: np.ndarray) -> float:
    """As :func:`row_max_f32` for a float64 row."""
    best = np.int64(-(2**63))
    for j in range(row.shape[0]):
        b = np.float64(row[j]).view(np.int64)
        k = b ^ ((b >> np.int64(63)) & np.int64(0x7FFFFFFFFFFFFFFF))
        best = k if k > best else best
    b = best ^ ((best >> np.int64(63)) & np.int64(0x7FFFFFFFFFFFFFFF))
    return np.int64(b).view(np.float64)


@jit
def tree_sum(a: np.ndarray, tmp: np.ndarray) -> float:
    """Sum of a 1-D float array in float64, pairwise: vectorisable and accurate.

    Halves the array by adding its second half onto its first (into the float64
    scratch ``tmp`` of length >= len(a) // 2) until at most ``_TREE_LEAF`` terms
    remain, carrying the odd element of each level aside; error O(log n) ulp, and
    the same result for the same input every time.
    """
    n = a.shape[0]
    if n <= _TREE_LEAF:
        s = 0.0
        for j in range(n):
            s += np.float64(a[j])
        return s
    h = n // 2
    for j in range(h):
        tmp[j] = np.float64(a[j]) + np.float64(a[j + h])
    extra = np.float64(a[n - 1]) if n % 2 == 1 else 0.0
    length = h
    while length > _TREE_LEAF:
        if length % 2 == 1:
            extra += tmp[length - 1]
        h = length // 2
        for j in range(h):
            tmp[j] = tmp[j] + tmp[j + h]
        length = h
    s = 0.0
    for j in range(length):
        s += tmp[j]
    return s + extra


@jit
def sum_minus_one(e: np.ndarray, tmp: np.ndarray) -> float:
    """sum(e) - 1 for a row of exponentials e = exp(x - max(x)), without cancellation.

    The maximum's exponential is exactly 1 (in a finite row), so the sum is
    s = 1 + rest with rest = (pairwise sum of the entries other than 1) + (number
    of 1s - 1). log(s) = log1p(rest) then keeps full relative accuracy when one
    logit dominates (rest ~ 1e-13), which fl(1 + rest) would not. The 1s are
    masked in the first level of the pairwise sum (otherwise as :func:`tree_sum`,
    same scratch); NaN in e gives NaN.
    """
    n = e.shape[0]
    n_ones = 0
    if n <= _TREE_LEAF:
        s = 0.0
        for j in range(n):
            v = np.float64(e[j])
            is_one = v == 1.0
            s += 0.0 if is_one else v
            n_ones += 1 if is_one else 0
        return s + np.float64(n_ones - 1)
    h = n // 2
    for j in range(h):
        a = np.float64(e[j])
        b = np.float64(e[j + h])
        a_one = a == 1.0
        b_one = b == 1.0
        tmp[j] = (0.0 if a_one else a) + (0.0 if b_one else b)
        n_ones += (1 if a_one else 0) + (1 if b_one else 0)
    extra = 0.0
    if n % 2 == 1:
        v = np.float64(e[n - 1])
        if v == 1.0:
            n_ones += 1
        else:
            extra = v
    length = h
    while length > _TREE_LEAF:
        if length % 2 == 1:
            extra += tmp[length - 1]
        h = length // 2
        for j in range(h):
            tmp[j] = tmp[j] + tmp[j + h]
        length = h
    s = 0.0
    for j in range(length):
        s += tmp[j]
    return (s + extra) + np.float64(n_ones - 1)
