"""fastml.activations against scipy.special (expit, log_expit, softmax, log_softmax,
erf/ndtr for GELU) and scipy.stats.norm for GELU's derivative.

Tolerances:
- float64: rtol=1e-12, atol=1e-14. scipy evaluates the same functions in double
  precision (Cephes / its own stable forms); the results differ by a few ulp, with
  the atol covering values that are ~0 (log_softmax of the largest entry, GELU's
  negative tail where 1 + erf cancels in the textbook formula).
- float32: rtol=1e-6, atol=1e-7, against scipy evaluated in float64 on the same
  float32-valued inputs. fastml computes in float64 and rounds once (<= 6e-8
  relative). scipy's own float32 paths are not the reference: its float32
  log_softmax forms x - max in float32 and is off by ~1e-5 absolute at |x| ~ 700.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from fastml import activations as A

special = pytest.importorskip("scipy.special")
stats = pytest.importorskip("scipy.stats")

TOL = {np.float64: dict(rtol=1e-12, atol=1e-14), np.float32: dict(rtol=1e-6, atol=1e-7)}
DTYPES = [np.float64, np.float32]


def _x(dtype, shape=(30, 8)):
    x = np.random.default_rng(3).normal(scale=5.0, size=shape)
    x.flat[:8] = [0.0, 1e-12, -1e-12, 40.0, -40.0, 700.0, -700.0, 1.0]
    return x.astype(dtype)


def _f64(x):
    """The same values in float64, where scipy is accurate to a few ulp."""
    return x.astype(np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_is_expit(dtype):
    x = _x(dtype)
    assert_allclose(A.sigmoid(x), special.expit(_f64(x)), **TOL[dtype])
    assert A.sigmoid(x).dtype == special.expit(x).dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_sigmoid_is_log_expit(dtype):
    x = _x(dtype)
    assert_allclose(A.log_sigmoid(x), special.log_expit(_f64(x)), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_grad_is_expit_product(dtype):
    # expit(x) * expit(-x) is an exact rewrite of sigmoid(x) (1 - sigmoid(x)) that
    # keeps relative accuracy in both tails (two roundings of expit, then a product).
    x = _x(dtype)
    x64 = _f64(x)
    expected = special.expit(x64) * special.expit(-x64)
    assert_allclose(A.sigmoid_grad(x), expected, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_and_log_softmax(axis, dtype):
    x = _x(dtype)
    x64 = _f64(x)
    assert_allclose(A.softmax(x, axis), special.softmax(x64, axis=axis), **TOL[dtype])
    assert_allclose(
        A.log_softmax(x, axis), special.log_softmax(x64, axis=axis), **TOL[dtype]
    )


def test_gelu_exact_is_x_times_normal_cdf():
    # x * ndtr(x) is GELU by definition; x * 0.5 * (1 + erf(x / sqrt 2)) the same
    # formula with erf (cancels in the negative tail, covered by atol).
    x = _x(np.float64)
    assert_allclose(A.gelu(x), x * special.ndtr(x), rtol=1e-12, atol=1e-14)
    assert_allclose(
        A.gelu(x), x * 0.5 * (1 + special.erf(x / np.sqrt(2))), rtol=1e-12, atol=1e-14
    )


def test_gelu_grad_exact_is_cdf_plus_x_pdf():
    x = _x(np.float64)
    expected = stats.norm.cdf(x) + x * stats.norm.pdf(x)
    assert_allclose(A.gelu_grad(x), expected, rtol=1e-12, atol=1e-14)


def test_gelu_tanh_via_expit():
    # 0.5 x (1 + tanh(u)) = x expit(2u): an identity, evaluated by scipy.
    x = _x(np.float64)
    u = np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)
    assert_allclose(A.gelu(x, "tanh"), x * special.expit(2 * u), rtol=1e-12, atol=1e-14)
