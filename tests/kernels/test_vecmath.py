"""fastml.kernels._vecmath against the C library (tests/naive/vecmath.py) and NumPy.

The functions are called from small array kernels built here (the way the real
kernels call them, so the vectorised code paths are the ones tested) on dense sweeps.

Tolerances, in units of the result's ulp (float64: 2.2e-16 relative, float32: 1.2e-7):
- float64 exp, log: <= 1.5 ulp. The algorithms are ~1 ulp (polynomial error below
  1e-17, a handful of roundings); the C library's results are themselves within
  ~0.5 ulp. log1p: <= 2.5 ulp (the log's error and two more roundings).
- float32 exp: <= 1.5 float32 ulp in the normal range, <= 1 unit (2^-149) in the
  subnormal range; sigmoid: <= 3 ulp (exp, one addition, one division).
- float32 erfc-based GELU and its derivative: relative 5e-7 (~4 float32 ulp:
  polynomial error 3e-8, exp ~1 ulp, the rounding of t = |x| / sqrt 2 amplified in
  the division, a few more roundings; measured max 4.3e-7) wherever the result is
  a normal float32 and not the result of a cancellation (the derivative's zero
  near x = -0.75 is compared with an absolute 1e-7); subnormal results within 3
  units of 2^-149.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from fastml.kernels import _vecmath as V
from fastml.kernels._jit import jit
from naive import vecmath as naive
from numpy.testing import assert_array_equal

F32_TINY = float(np.finfo(np.float32).tiny)


@jit
def _map64(kind, x, out):
    for i in range(x.shape[0]):
        v = x[i]
        if kind == 0:
            out[i] = V.exp_nonpos_f64(v, 0.0)
        elif kind == 1:
            out[i] = V.log_pos_f64(v)
        elif kind == 2:
            out[i] = V.log1p_nonneg_f64(v)
        elif kind == 3:
            out[i] = V.sigmoid_f64(v)
        else:
            out[i] = V.sigmoid_grad_f64(v)


@jit
def _map32(kind, x, out):
    for i in range(x.shape[0]):
        v = x[i]
        if kind == 0:
            out[i] = V.exp_nonpos_f32(v, np.float32(0.0))
        elif kind == 1:
            out[i] = V.sigmoid_f32(v)
        elif kind == 2:
            out[i] = V.gelu_f32(v)
        elif kind == 3:
            out[i] = V.gelu_grad_f32(v)
        else:
            out[i] = V.erfc_f32(v)


@jit
def _exp_diff(x, m, out):
    for i in range(x.shape[0]):
        d, err = V.two_diff(x[i], m[i])
        if out.itemsize == 4:
            out[i] = V.exp_nonpos_f32(np.float32(d), np.float32(err))
        else:
            out[i] = V.exp_nonpos_f64(np.float64(d), np.float64(err))


def _run(kernel, kind, x):
    out = np.empty_like(x)
    kernel(kind, x, out)
    return out


def _ulp_error(got, expected, dtype):
    """|got - expected| in units of the ulp of expected rounded to dtype."""
    ref = expected.astype(dtype)
    return np.abs(got.astype(np.float64) - expected) / np.spacing(np.abs(ref)).astype(
        np.float64
    )


def test_exp_f64_sweep_and_specials():
    x = np.concatenate(
        [
            -np.geomspace(1e-300, 745.0, 200_000),
            np.linspace(-745.2, 0.0, 200_000),
            np.linspace(-746.5, -708.0, 20_000),  # subnormal and underflow region
        ]
    )
    got = _run(_map64, 0, x)
    expected = np.exp(x)
    normal = expected >= np.finfo(np.float64).tiny
    assert _ulp_error(got[normal], expected[normal], np.float64).max() <= 1.5
    # Subnormal results: one rounding, within one unit of the smallest subnormal.
    sub = ~normal
    assert np.abs(got[sub] - expected[sub]).max() <= 5e-324
    specials = np.array([0.0, -0.0, -np.inf, np.nan, -1e-320, -746.0, -800.0, -1e308])
    got = _run(_map64, 0, specials)
    assert_array_equal(got[:3], [1.0, 1.0, 0.0])
    assert np.isnan(got[3])
    assert got[4] == 1.0
    assert_array_equal(got[5:], 0.0)
    # Against the C library on a coarse grid too.
    coarse = np.linspace(-700.0, 0.0, 3_001)
    assert (
        _ulp_error(_run(_map64, 0, coarse), naive.exp(coarse), np.float64).max() <= 1.5
    )


def test_exp_f32_sweep_and_specials():
    # Every 61st float32 in [-110, 0]: ~18 million values cover all exponents.
    bits = np.arange(0, int(np.float32(110.0).view(np.int32)), 61, dtype=np.int32)
    x = (bits | np.int32(-(2**31))).view(np.float32)
    got = _run(_map32, 0, x)
    expected = np.exp(x.astype(np.float64))
    normal = expected >= F32_TINY
    assert _ulp_error(got[normal], expected[normal], np.float32).max() <= 1.5
    sub = ~normal
    assert np.abs(got[sub].astype(np.float64) - expected[sub]).max() <= 2.0**-149
    specials = np.array(
        [0.0, -0.0, -np.inf, np.nan, -1e-30, -104.0, -200.0], np.float32
    )
    got = _run(_map32, 0, specials)
    assert_array_equal(got[:3], [1.0, 1.0, 0.0])
    assert np.isnan(got[3])
    assert got[4] == 1.0
    assert_array_equal(got[5:], 0.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exp_of_exact_difference(dtype):
    # exp(x - m) with x - m not representable: the rounding error of the difference
    # is carried along, so the result is accurate to ~1 ulp of the true value.
    rng = np.random.default_rng(0)
    m = rng.uniform(1.0, 1000.0, 50_000).astype(dtype)
    x = (m - rng.uniform(0.0, 60.0, 50_000)).astype(dtype)
    out = np.empty_like(x)
    _exp_diff(x, m, out)
    fraction = pytest.importorskip("fractions").Fraction
    sample = range(0, 50_000, 97)
    exact_diff = np.array(
        [float(fraction(float(x[i])) - fraction(float(m[i]))) for i in sample]
    )
    # exact_diff is the difference rounded once to float64: for float32 inputs it is
    # exact; for float64 its error (<= 0.5 ulp * 60 ~ 7e-15) is below the tolerance.
    expected = np.exp(exact_diff)
    tol = 2.0 if dtype == np.float32 else 40.0
    assert _ulp_error(out[list(sample)], expected, dtype).max() <= tol


def test_log_and_log1p_f64():
    x = np.concatenate(
        [np.geomspace(1e-300, 1e300, 100_000), np.linspace(0.5, 2.0, 100_000)]
    )
    assert (
        _ulp_error(_run(_map64, 1, x), np.log(x), np.float64)[np.log(x) != 0].max()
        <= 1.5
    )
    y = np.concatenate(
        [[0.0, 1e-320, 1e-300, 1e-17], np.geomspace(1e-16, 1e6, 100_000)]
    )
    got = _run(_map64, 2, y)
    assert_array_equal(got[:4], y[:4])  # log1p(y) == y to the last bit for tiny y
    # log1p = y log(u) / (u - 1): the log's ~1 ulp plus two roundings.
    assert _ulp_error(got[4:], np.log1p(y[4:]), np.float64).max() <= 2.5
    assert _ulp_error(got[4:1000], naive.log1p(y[4:1000]), np.float64).max() <= 2.5
    assert np.isnan(_run(_map64, 1, np.array([np.nan]))[0])
    assert np.isnan(_run(_map64, 2, np.array([np.nan]))[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid(dtype):
    x = np.linspace(-120.0, 120.0, 200_001).astype(dtype)
    kernel, kind = (_map64, 3) if dtype == np.float64 else (_map32, 1)
    got = _run(kernel, kind, x)
    expected = naive.sigmoid(x[::50])
    sub = got[::50]
    tiny = np.finfo(dtype).tiny
    ok = expected >= tiny
    assert _ulp_error(sub[ok], expected[ok], dtype).max() <= 3.0
    assert_array_equal(
        _run(kernel, kind, np.array([np.inf, -np.inf, 0.0], dtype=dtype)), [1, 0, 0.5]
    )


def test_gelu_f32_sweep():
    x = np.concatenate(
        [np.linspace(-20.0, 20.0, 400_001), np.geomspace(1e-30, 20.0, 2_000)]
    ).astype(np.float32)
    x = np.concatenate([x, -x[-2_000:]])
    got = _run(_map32, 2, x)
    # The reference in float64 on the same float32 inputs (scipy's erfc matches the
    # C library's; the naive loop is used on a subsample).
    special = pytest.importorskip("scipy.special")
    x64 = x.astype(np.float64)
    expected = 0.5 * x64 * special.erfc(-x64 / math.sqrt(2.0))
    normal = np.abs(expected) >= F32_TINY
    rel = np.abs(got[normal] - expected[normal]) / np.abs(expected[normal])
    assert rel.max() <= 5e-7
    assert np.abs(got[~normal] - expected[~normal]).max() <= 3 * 2.0**-149
    sample = slice(None, None, 997)
    assert np.allclose(got[sample], naive.gelu(x[sample]), rtol=5e-7, atol=5e-45)
    grad = _run(_map32, 3, x)
    expected = naive.gelu_grad(x[::41])
    diff = np.abs(grad[::41] - expected)
    assert (diff <= 5e-7 * np.abs(expected) + 1e-7).all()


def test_erfc_f32():
    t = np.linspace(0.0, 11.0, 20_001).astype(np.float32)
    got = _run(_map32, 4, t)
    expected = naive.erfc(t)
    normal = expected >= F32_TINY
    # erfc_f32 multiplies its argument by float32(sqrt 2) first: that constant's and
    # the product's roundings (together < 1e-7 relative) are amplified by ~2 t^2 in
    # the tail (documented).
    rel = np.abs(got[normal] - expected[normal]) / expected[normal]
    bound = 5e-7 + 2 * t[normal].astype(np.float64) ** 2 * 1e-7
    assert (rel <= bound).all()
