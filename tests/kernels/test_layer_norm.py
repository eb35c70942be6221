"""fastml.kernels.nn.layer_norm against the naive loops of tests/naive/layer_norm.py.

Tolerances:
- float64: rtol=1e-12, atol=1e-12. Kernel and reference compute the same formula in
  double precision; they differ only in summation order (four partial sums versus
  fsum) and the order of the final products, a few ulp (~1e-15) of values of order
  one to ten here.
- float32: atol=2e-6 * max(1, |weight|) + 1e-6 * |bias|, rtol=1e-6. The kernel
  normalises in float64, rounds the normalised value to float32 (0.5 ulp, <= 3e-7 for
  the |z| <= ~5 of these rows) and then computes ``z * weight + bias`` in float32
  (two more roundings of <= 0.5 ulp of the result each): a few float32 ulp of the
  output, which 2e-6 covers.
"""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.nn import layer_norm as K
from naive.layer_norm import add_layer_norm
from numpy.testing import assert_allclose


def _kernel(dtype):
    return K.add_layer_norm_f32 if dtype == np.float32 else K.add_layer_norm_f64


def _case(rng, n_rows, n_cols, dtype, offset=0.0, scale=1.0):
    x = (offset + scale * rng.standard_normal((n_rows, n_cols))).astype(dtype)
    r = rng.standard_normal((n_rows, n_cols)).astype(dtype)
    w = (1 + 0.5 * rng.standard_normal(n_cols)).astype(dtype)
    b = rng.standard_normal(n_cols).astype(dtype)
    return x, r, w, b


def _check(got, expected, w, b):
    if got.dtype == np.float64:
        assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    else:
        atol = 2e-6 * np.maximum(1, np.abs(w)) + 1e-6 * np.abs(b)
        assert np.all(np.abs(got - expected) <= atol + 1e-6 * np.abs(expected))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "n_rows, n_cols", [(1, 1), (1, 3), (5, 4), (7, 5), (3, 384), (2, 1029), (0, 8)]
)
def test_matches_naive(dtype, seed, n_rows, n_cols):
    rng = np.random.default_rng(seed)
    x, r, w, b = _case(rng, n_rows, n_cols, dtype)
    out = np.empty_like(x)
    x0, r0 = x.copy(), r.copy()
    _kernel(dtype)(x, r, w, b, 1e-12, out)
    _check(out, add_layer_norm(x, r, w, b, 1e-12), w, b)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(r, r0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target", ["x", "residual"])
def test_in_place(dtype, target):
    rng = np.random.default_rng(3)
    x, r, w, b = _case(rng, 6, 37, dtype)
    expected = add_layer_norm(x, r, w, b, 1e-5)
    out = x if target == "x" else r
    _kernel(dtype)(x, r, w, b, 1e-5, out)
    _check(out, expected, w, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_offset_keeps_accuracy(dtype):
    # Rows with mean 1e3 and unit spread: a one-pass E[x^2] - E[x]^2 variance would
    # lose ~6 digits in float64 accumulated from float32 data; two passes do not.
    rng = np.random.default_rng(4)
    x, r, w, b = _case(rng, 4, 256, dtype, offset=1e3)
    out = np.empty_like(x)
    _kernel(dtype)(x, r, w, b, 1e-12, out)
    _check(out, add_layer_norm(x, r, w, b, 1e-12), w, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constant_row_gives_bias(dtype):
    x = np.full((2, 9), 3.0, dtype=dtype)
    r = np.zeros_like(x)
    w = np.linspace(1, 2, 9).astype(dtype)
    b = np.linspace(-1, 1, 9).astype(dtype)
    out = np.empty_like(x)
    _kernel(dtype)(x, r, w, b, 1e-12, out)
    np.testing.assert_array_equal(out, np.broadcast_to(b, out.shape))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_non_finite_rows_stay_in_their_row(dtype):
    rng = np.random.default_rng(5)
    x, r, w, b = _case(rng, 3, 16, dtype)
    x[1, 4] = np.nan
    x[2, 0] = np.inf
    out = np.empty_like(x)
    _kernel(dtype)(x, r, w, b, 1e-12, out)
    assert np.isnan(out[1]).all() and np.isnan(out[2]).all()
    _check(out[:1], add_layer_norm(x[:1], r[:1], w, b, 1e-12), w, b)


def test_rows_are_independent_of_the_split():
    # The caller runs row chunks on threads: any split gives the same bits.
    rng = np.random.default_rng(6)
    x, r, w, b = _case(rng, 50, 48, np.float32)
    whole = np.empty_like(x)
    K.add_layer_norm_f32(x, r, w, b, 1e-12, whole)
    pieces = np.empty_like(x)
    for start, stop in [(0, 7), (7, 8), (8, 50)]:
        K.add_layer_norm_f32(
            x[start:stop], r[start:stop], w, b, 1e-12, pieces[start:stop]
        )
    np.testing.assert_array_equal(whole, pieces)
