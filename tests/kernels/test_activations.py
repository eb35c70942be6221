"""fastml.kernels.nn.activations against the naive loops of tests/naive/activations.py.

Tolerances (relative, with a tiny absolute floor for values that cancel to ~0):
- float64: rtol=1e-12. Kernel and reference evaluate the same closed forms in double
  precision and differ only by a few ulp (summation order of a softmax row, erfc
  versus erf identities), i.e. ~1e-15 relative; 1e-12 leaves a wide margin yet
  catches any formula error. atol=1e-13: where the reference itself cancels
  (1 + tanh(u) in the negative tail of the tanh GELU, x - logsumexp near 0) its
  absolute error is ~|x| * eps <= 1e-14 for the |x| <= 30 used here.
- float32: rtol=1e-6, atol=1e-7. The kernel computes in float64 and rounds once on
  store (error <= 0.5 ulp = 6e-8 relative), compared with the float64 reference on the
  same float32 inputs; 1e-6 is ~8 float32 ulp.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from fastml.kernels import _vecmath as V
from fastml.kernels.nn import activations as K
from naive import activations as naive
from numpy.testing import assert_allclose, assert_array_equal


def _elementwise(kind, x, out):
    family = "gelu" if kind >= K.GELU else "sigmoid"
    sfx = "f32" if x.dtype == np.float32 else "f64"
    getattr(K, f"apply_{family}_{sfx}")(kind, x, out)


SOFTMAX, LOG_SOFTMAX, LOG_SOFTMAX_SEPARATE = "softmax", "log_softmax", "separate"


def _row_max(row):
    return V.row_max_f32(row) if row.dtype == np.float32 else V.row_max_f64(row)


def _rows(kind, x, out):
    sfx = "f32" if x.dtype == np.float32 else "f64"
    if kind == SOFTMAX:
        getattr(K, f"apply_softmax_rows_{sfx}")(x, out)
    else:
        separate = kind == LOG_SOFTMAX_SEPARATE
        getattr(K, f"apply_log_softmax_rows_{sfx}")(x, out, separate)


def _vjp_rows(kind, x, v, out):
    kernel = K.apply_vjp_rows_f32 if x.dtype == np.float32 else K.apply_vjp_rows_f64
    kernel(kind, x, v, out)


TOL = {np.float64: dict(rtol=1e-12, atol=1e-13), np.float32: dict(rtol=1e-6, atol=1e-7)}
DTYPES = [np.float64, np.float32]
SPECIAL = [0.0, -0.0, 1e-30, -1e-30, 1.0, -1.0, 30.0, -30.0, 80.0, -80.0, 1e4, -1e4]


def _data(seed, n, dtype):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=4.0, size=n)
    x[: min(n, len(SPECIAL))] = SPECIAL[: min(n, len(SPECIAL))]
    return x.astype(dtype)


ELEMENTWISE = [
    (K.SIGMOID, naive.sigmoid),
    (K.LOG_SIGMOID, naive.log_sigmoid),
    (K.SIGMOID_GRAD, naive.sigmoid_grad),
    (K.GELU, lambda x: naive.gelu(x, "none")),
    (K.GELU_TANH, lambda x: naive.gelu(x, "tanh")),
    (K.GELU_GRAD, lambda x: naive.gelu_grad(x, "none")),
    (K.GELU_TANH_GRAD, lambda x: naive.gelu_grad(x, "tanh")),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n", [1, 7, 300])
@pytest.mark.parametrize(("kind", "ref"), ELEMENTWISE)
def test_elementwise_matches_naive(kind, ref, n, seed, dtype):
    x = _data(seed, n, dtype)
    # The tanh GELU's reference overflows v**3 beyond ~1e102 only; 1e4 is fine.
    out = np.empty_like(x)
    _elementwise(kind, x, out)
    assert out.dtype == dtype
    expected = ref(x)
    assert_allclose(out, expected, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("kind", "ref"), ELEMENTWISE)
def test_elementwise_empty_and_in_place(kind, ref, dtype):
    empty = np.empty(0, dtype=dtype)
    _elementwise(kind, empty, empty)  # no error, nothing written
    x = _data(3, 50, dtype)
    expected = ref(x)
    _elementwise(kind, x, x)  # out is x
    assert_allclose(x, expected, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_elementwise_non_finite(dtype):
    x = np.array([np.inf, -np.inf, np.nan], dtype=dtype)
    out = np.empty_like(x)
    _elementwise(K.SIGMOID, x, out)
    assert_array_equal(out, [1.0, 0.0, np.nan])
    _elementwise(K.LOG_SIGMOID, x, out)
    assert_array_equal(out, [0.0, -np.inf, np.nan])
    _elementwise(K.SIGMOID_GRAD, x, out)
    assert_array_equal(out, [0.0, 0.0, np.nan])
    for kind in (K.GELU, K.GELU_TANH):
        _elementwise(kind, x, out)
        assert_array_equal(out, [np.inf, 0.0, np.nan])
        assert np.signbit(out[1])  # the limit at -inf is -0.0
    for kind in (K.GELU_GRAD, K.GELU_TANH_GRAD):
        _elementwise(kind, x, out)
        assert_array_equal(out, [1.0, 0.0, np.nan])


ROWS = [
    (SOFTMAX, naive.softmax),
    (LOG_SOFTMAX, naive.log_softmax),
    (LOG_SOFTMAX_SEPARATE, naive.log_softmax),
]
VJP_ROWS = [
    (K.SOFTMAX, naive.softmax_vjp),
    (K.LOG_SOFTMAX, naive.log_softmax_vjp),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (6, 1), (9, 4), (20, 13)])
@pytest.mark.parametrize(("kind", "ref"), ROWS)
def test_rows_match_naive(kind, ref, shape, seed, dtype):
    x = _data(seed, int(np.prod(shape)), dtype).reshape(shape)
    out = np.empty_like(x)
    _rows(kind, x, out)
    assert_allclose(out, ref(x), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (9, 4), (20, 13)])
@pytest.mark.parametrize(("kind", "ref"), VJP_ROWS)
def test_vjp_rows_match_naive(kind, ref, shape, seed, dtype):
    x = _data(seed, int(np.prod(shape)), dtype).reshape(shape)
    v = np.random.default_rng(seed + 10).normal(size=shape).astype(dtype)
    out = np.empty_like(x)
    _vjp_rows(kind, x, v, out)
    # float32 rows of 13 values: the reference's O(n) sums in float64 are exact to
    # ~1e-15, the kernel's output is rounded once to float32 (atol covers entries
    # that cancel to ~0).
    tol = TOL[dtype] if dtype == np.float64 else dict(rtol=1e-6, atol=1e-6)
    assert_allclose(out, ref(x, v), **tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_rows_degenerate(dtype):
    # Constant rows, one dominant logit, all -inf, NaN, +inf.
    x = np.array(
        [
            [2.0, 2.0, 2.0, 2.0],
            [0.0, 1e4, -1e4, 0.0],
            [-np.inf, -np.inf, -np.inf, -np.inf],
            [0.0, np.nan, 1.0, 2.0],
            [0.0, np.inf, 1.0, 2.0],
            [-np.inf, 0.0, -np.inf, 0.0],
            [0.0, -np.nan, 1.0, 2.0],  # NaN with the sign bit set
        ],
        dtype=dtype,
    )
    out = np.empty_like(x)
    separate = np.empty_like(x)
    _rows(LOG_SOFTMAX_SEPARATE, x, separate)
    _rows(SOFTMAX, x, out)
    assert_array_equal(out[0], 0.25)
    assert_array_equal(out[1], [0.0, 1.0, 0.0, 0.0])
    assert np.isnan(out[2:5]).all()
    assert_array_equal(out[5], [0.0, 0.5, 0.0, 0.5])
    assert np.isnan(out[6]).all()
    _rows(LOG_SOFTMAX, x, out)
    assert_allclose(out[0], -np.log(4.0), rtol=TOL[dtype]["rtol"])
    assert_array_equal(out[1], [-1e4, 0.0, -2e4, -1e4])
    assert np.isnan(out[2:5]).all()
    assert_allclose(
        out[5], [-np.inf, -np.log(2), -np.inf, -np.log(2)], rtol=TOL[dtype]["rtol"]
    )
    assert np.isnan(out[6]).all()
    assert_array_equal(separate, out)  # the non-overlapping variant: same values


@pytest.mark.parametrize("dtype", DTYPES)
def test_rows_empty_and_in_place(dtype):
    for kind, ref in ROWS:
        _rows(kind, np.empty((0, 3), dtype), np.empty((0, 3), dtype))
        _rows(kind, np.empty((3, 0), dtype), np.empty((3, 0), dtype))
        if kind == LOG_SOFTMAX_SEPARATE:
            continue  # requires out not to overlap x
        x = _data(4, 60, dtype).reshape(6, 10)
        expected = ref(x)
        _rows(kind, x, x)
        assert_allclose(x, expected, **TOL[dtype])
    for kind, ref in VJP_ROWS:
        x = _data(5, 60, dtype).reshape(6, 10)
        v = np.random.default_rng(0).normal(size=x.shape).astype(dtype)
        expected = ref(x, v)
        _vjp_rows(kind, x, v, v)  # out is v
        assert_allclose(v, expected, rtol=TOL[dtype]["rtol"], atol=1e-6)
        v = np.random.default_rng(0).normal(size=x.shape).astype(dtype)
        _vjp_rows(kind, x, v, x)  # out is x
        assert_allclose(x, expected, rtol=TOL[dtype]["rtol"], atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_chunking_does_not_change_results(dtype):
    # The caller runs these serial kernels on contiguous chunks (one per thread):
    # any split must give the bitwise same result as one call.
    x = _data(7, 20_000, dtype)
    for kind, _ in ELEMENTWISE:
        whole = np.empty_like(x)
        _elementwise(kind, x, whole)
        parts = np.empty_like(x)
        for start, stop in ((0, 6_999), (6_999, 13_001), (13_001, 20_000)):
            _elementwise(kind, x[start:stop], parts[start:stop])
        assert_array_equal(parts, whole)
    x2 = x.reshape(200, 100)
    for kind, _ in ROWS:
        whole = np.empty_like(x2)
        _rows(kind, x2, whole)
        parts = np.empty_like(x2)
        for start, stop in ((0, 77), (77, 200)):
            _rows(kind, x2[start:stop], parts[start:stop])
        assert_array_equal(parts, whole)


@pytest.mark.parametrize("dtype", DTYPES)
def test_read_only_input(dtype):
    x = _data(8, 64, dtype)
    x.setflags(write=False)
    out = np.empty_like(x)
    _elementwise(K.SIGMOID, x, out)
    assert_allclose(out, naive.sigmoid(x), **TOL[dtype])
    x2 = x.reshape(8, 8)
    out2 = np.empty_like(x2)
    _rows(SOFTMAX, x2, out2)
    assert_allclose(out2, naive.softmax(x2), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_max_and_tree_sum(dtype):
    rng = np.random.default_rng(9)
    tmp = np.empty(600, dtype=np.float64)
    for n in (1, 2, 15, 16, 17, 33, 100, 1000, 1031):
        row = rng.normal(scale=10, size=n).astype(dtype)
        assert _row_max(row) == row.max()
        # Pairwise summation: error <= ~log2(n) ulp of sum(|row|).
        exact = math.fsum(row.astype(float))
        assert abs(V.tree_sum(row, tmp) - exact) <= 1e-15 * np.abs(row).sum()
        # sum_minus_one: sum(e) - 1 for exponentials of a row shifted by its max.
        e = np.exp(row.astype(float) - row.max()).astype(dtype)
        exact = math.fsum(e.astype(float)) - 1.0
        got = V.sum_minus_one(e, tmp)
        assert abs(got - exact) <= 1e-15 * np.abs(e.astype(float)).sum() + 1e-300
    # Dominant maximum: the 1 is not added, so tiny remainders stay exact.
    e = np.array([1e-14, 1.0, 3e-15], dtype=dtype)
    assert_allclose(V.sum_minus_one(e, tmp), float(e[0]) + float(e[2]), rtol=1e-15)
    assert V.sum_minus_one(np.array([1.0, 1.0], dtype=dtype), tmp) == 1.0  # a tie
    assert np.isnan(V.sum_minus_one(np.array([1.0, np.nan], dtype=dtype), tmp))
    special = np.array([-np.inf, -1e30, -0.0, 0.0, 3.0, -5.0], dtype=dtype)
    assert _row_max(special) == 3.0
    assert _row_max(np.array([-np.inf, -np.inf], dtype=dtype)) == -np.inf
    assert np.isnan(_row_max(np.array([1.0, np.nan, 2.0], dtype=dtype)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_softmax_of_a_dominant_logit_is_accurate(dtype):
    # log_softmax at the maximum is -log1p(sum of the other exponentials): ~ -2e-13
    # here, which log(1 + 2e-13) computed in float64 would get wrong by ~1e-3.
    x = np.array([[30.0, 0.0, 0.0], [0.0, 20.0, 19.0]], dtype=dtype)
    out = np.empty_like(x)
    _rows(LOG_SOFTMAX, x, out)
    expected = [
        -math.log1p(2 * math.exp(-30.0)),
        -math.log1p(math.exp(-1.0) + math.exp(-20.0)),
    ]
    rtol = 1e-14 if dtype == np.float64 else 1e-6
    assert_allclose(out[[0, 1], [0, 1]], expected, rtol=rtol, atol=0)
