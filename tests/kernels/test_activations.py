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

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.nn import activations as K
from naive import activations as naive
from numpy.testing import assert_allclose, assert_array_equal

TOL = {np.float64: dict(rtol=1e-12, atol=1e-13), np.float32: dict(rtol=1e-6, atol=1e-7)}
DTYPES = [np.float64, np.float32]
SPECIAL = [0.0, -0.0, 1e-30, -1e-30, 1.0, -1.0, 30.0, -30.0, 80.0, -80.0, 1e4, -1e4]


def _data(seed, n, dtype):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=4.0, size=n)
    x[: min(n, len(SPECIAL))] = SPECIAL[: min(n, len(SPECIAL))]
    return x.astype(dtype)


ELEMENTWISE = [
    ("apply_sigmoid", (), naive.sigmoid),
    ("apply_log_sigmoid", (), naive.log_sigmoid),
    ("apply_sigmoid_grad", (), naive.sigmoid_grad),
    ("apply_gelu", (False,), lambda x: naive.gelu(x, "none")),
    ("apply_gelu", (True,), lambda x: naive.gelu(x, "tanh")),
    ("apply_gelu_grad", (False,), lambda x: naive.gelu_grad(x, "none")),
    ("apply_gelu_grad", (True,), lambda x: naive.gelu_grad(x, "tanh")),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n", [1, 7, 300])
@pytest.mark.parametrize(("name", "params", "ref"), ELEMENTWISE)
def test_elementwise_matches_naive(name, params, ref, n, seed, dtype):
    x = _data(seed, n, dtype)
    # The tanh GELU's reference overflows v**3 beyond ~1e102 only; 1e4 is fine.
    out = np.empty_like(x)
    getattr(K, name)(x, *params, out)
    assert out.dtype == dtype
    expected = ref(x)
    assert_allclose(out, expected, **TOL[dtype])


@pytest.mark.parametrize(("name", "params", "ref"), ELEMENTWISE)
def test_elementwise_empty_and_in_place(name, params, ref):
    empty = np.empty(0)
    getattr(K, name)(empty, *params, empty)  # no error, nothing written
    x = _data(3, 50, np.float64)
    expected = ref(x)
    getattr(K, name)(x, *params, x)  # out is x
    assert_allclose(x, expected, **TOL[np.float64])


def test_elementwise_non_finite():
    x = np.array([np.inf, -np.inf, np.nan])
    out = np.empty_like(x)
    K.apply_sigmoid(x, out)
    assert_array_equal(out, [1.0, 0.0, np.nan])
    K.apply_log_sigmoid(x, out)
    assert_array_equal(out, [0.0, -np.inf, np.nan])
    K.apply_sigmoid_grad(x, out)
    assert_array_equal(out, [0.0, 0.0, np.nan])
    for tanh_form in (False, True):
        K.apply_gelu(x, tanh_form, out)
        assert_array_equal(out, [np.inf, 0.0, np.nan])
        K.apply_gelu_grad(x, tanh_form, out)
        assert_array_equal(out, [1.0, 0.0, np.nan])


ROWS = [
    ("apply_softmax_rows", naive.softmax),
    ("apply_log_softmax_rows", naive.log_softmax),
]
VJP_ROWS = [
    ("apply_softmax_vjp_rows", naive.softmax_vjp),
    ("apply_log_softmax_vjp_rows", naive.log_softmax_vjp),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (6, 1), (9, 4), (20, 13)])
@pytest.mark.parametrize(("name", "ref"), ROWS)
def test_rows_match_naive(name, ref, shape, seed, dtype):
    x = _data(seed, int(np.prod(shape)), dtype).reshape(shape)
    out = np.empty_like(x)
    getattr(K, name)(x, out)
    assert_allclose(out, ref(x), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (9, 4), (20, 13)])
@pytest.mark.parametrize(("name", "ref"), VJP_ROWS)
def test_vjp_rows_match_naive(name, ref, shape, seed, dtype):
    x = _data(seed, int(np.prod(shape)), dtype).reshape(shape)
    v = np.random.default_rng(seed + 10).normal(size=shape).astype(dtype)
    out = np.empty_like(x)
    getattr(K, name)(x, v, out)
    # float32 rows of 13 values: the reference's O(n) sums in float64 are exact to
    # ~1e-15, the kernel's output is rounded once to float32 (atol covers entries
    # that cancel to ~0).
    tol = TOL[dtype] if dtype == np.float64 else dict(rtol=1e-6, atol=1e-6)
    assert_allclose(out, ref(x, v), **tol)


def test_rows_degenerate():
    # Constant rows, one dominant logit, all -inf, NaN, +inf.
    x = np.array(
        [
            [2.0, 2.0, 2.0, 2.0],
            [0.0, 1e4, -1e4, 0.0],
            [-np.inf, -np.inf, -np.inf, -np.inf],
            [0.0, np.nan, 1.0, 2.0],
            [0.0, np.inf, 1.0, 2.0],
            [-np.inf, 0.0, -np.inf, 0.0],
        ]
    )
    out = np.empty_like(x)
    K.apply_softmax_rows(x, out)
    assert_array_equal(out[0], 0.25)
    assert_array_equal(out[1], [0.0, 1.0, 0.0, 0.0])
    assert np.isnan(out[2:5]).all()
    assert_array_equal(out[5], [0.0, 0.5, 0.0, 0.5])
    K.apply_log_softmax_rows(x, out)
    assert_allclose(out[0], -np.log(4.0), rtol=1e-15)
    assert_array_equal(out[1], [-1e4, 0.0, -2e4, -1e4])
    assert np.isnan(out[2:5]).all()
    assert_allclose(out[5], [-np.inf, -np.log(2), -np.inf, -np.log(2)], rtol=1e-15)


def test_rows_empty_and_in_place():
    for name, _ in ROWS:
        getattr(K, name)(np.empty((0, 3)), np.empty((0, 3)))
        getattr(K, name)(np.empty((3, 0)), np.empty((3, 0)))
    x = _data(4, 60, np.float64).reshape(6, 10)
    expected = naive.softmax(x)
    K.apply_softmax_rows(x, x)
    assert_allclose(x, expected, **TOL[np.float64])
    x = _data(5, 60, np.float64).reshape(6, 10)
    v = np.random.default_rng(0).normal(size=x.shape)
    expected = naive.softmax_vjp(x, v)
    K.apply_softmax_vjp_rows(x, v, v)  # out is v
    assert_allclose(v, expected, **TOL[np.float64])


@pytest.mark.parametrize("dtype", DTYPES)
def test_thread_count_does_not_change_results(dtype):
    x = _data(7, 200_000, dtype)
    for name, params, _ in ELEMENTWISE:
        outs = []
        for n_threads in (1, 2):
            out = np.empty_like(x)
            with num_threads(n_threads):
                getattr(K, name)(x, *params, out)
            outs.append(out)
        assert_array_equal(outs[0], outs[1])
    x2 = x.reshape(2000, 100)
    for name, _ in ROWS:
        outs = []
        for n_threads in (1, 2):
            out = np.empty_like(x2)
            with num_threads(n_threads):
                getattr(K, name)(x2, out)
            outs.append(out)
        assert_array_equal(outs[0], outs[1])
