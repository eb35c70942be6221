"""API behaviour of fastml.activations: dtypes, shapes, out=, axis, bad input, limits,
and derivatives against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from naive import activations as naive
from numpy.testing import assert_allclose, assert_array_equal

from fastml import activations as A

RNG = np.random.default_rng(0)
X = RNG.normal(scale=3.0, size=(7, 5))

ELEMENTWISE = [
    A.sigmoid,
    A.sigmoid_grad,
    A.log_sigmoid,
    A.log_sigmoid_grad,
    A.tanh,
    A.tanh_grad,
    A.relu,
    A.relu_grad,
    A.leaky_relu,
    A.leaky_relu_grad,
    A.gelu,
    A.gelu_grad,
]
ALONG_AXIS = [A.softmax, A.log_softmax]
ALL_SAME_SHAPE = ELEMENTWISE + ALONG_AXIS


def test_public_names():
    assert sorted(A.__all__) == sorted(set(A.__all__))
    for name in A.__all__:
        assert callable(getattr(A, name))
    import fastml

    assert fastml.activations is A


@pytest.mark.parametrize("func", ALL_SAME_SHAPE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_preserved(func, dtype):
    x = X.astype(dtype)
    out = func(x)
    assert out.dtype == dtype
    assert out.shape == x.shape
    assert out.flags.c_contiguous


@pytest.mark.parametrize("func", ALL_SAME_SHAPE)
def test_other_numeric_dtypes(func):
    ints = np.arange(-3, 3).reshape(2, 3)
    assert func(ints).dtype == np.float64
    assert func(ints.tolist()).dtype == np.float64
    assert func(np.array([[True, False]])).dtype == np.float64
    half = func(ints.astype(np.float16))
    assert half.dtype == np.float32
    assert_allclose(half, func(ints.astype(np.float32)))


@pytest.mark.parametrize("func", ALL_SAME_SHAPE)
def test_input_never_modified_and_read_only_ok(func):
    x = X.copy()
    x.setflags(write=False)
    before = x.copy()
    func(x)
    assert_array_equal(x, before)


@pytest.mark.parametrize("func", ALL_SAME_SHAPE)
def test_layouts_give_same_result(func):
    expected = func(X)
    assert_array_equal(func(np.asfortranarray(X)), expected)
    strided = np.zeros((7, 10))
    strided[:, ::2] = X
    assert_array_equal(func(strided[:, ::2]), expected)


@pytest.mark.parametrize("func", ALL_SAME_SHAPE)
def test_out_parameter(func):
    expected = func(X)
    out = np.empty_like(X)
    assert func(X, out=out) is out
    assert_array_equal(out, expected)
    # In place.
    x = X.copy()
    assert func(x, out=x) is x
    assert_array_equal(x, expected)
    # Non-contiguous out.
    buf = np.empty((7, 10))
    out = buf[:, ::2]
    assert func(X, out=out) is out
    assert_array_equal(out, expected)


@pytest.mark.parametrize("func", ALL_SAME_SHAPE)
def test_bad_out(func):
    with pytest.raises(ValueError, match="out must have shape"):
        func(X, out=np.empty((5, 7)))
    with pytest.raises(ValueError, match="dtype float64"):
        func(X, out=np.empty(X.shape, dtype=np.float32))
    with pytest.raises(TypeError, match="out must be a numpy.ndarray"):
        func(X, out=[0.0] * 35)
    read_only = np.empty_like(X)
    read_only.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        func(X, out=read_only)


@pytest.mark.parametrize("func", ALL_SAME_SHAPE)
def test_bad_input(func):
    with pytest.raises(ValueError, match="strings"):
        func(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="Complex data not supported"):
        func(np.array([1 + 2j]))
    with pytest.raises(ValueError, match="Expected array-like"):
        func(None)


@pytest.mark.parametrize("func", ELEMENTWISE)
def test_elementwise_scalar_and_empty(func):
    scalar = func(0.5)
    assert isinstance(scalar, np.float64)
    assert scalar == func(np.array([0.5]))[0]
    assert func(np.float32(0.5)).dtype == np.float32
    empty = func(np.empty((0, 3), dtype=np.float32))
    assert empty.shape == (0, 3) and empty.dtype == np.float32


@pytest.mark.parametrize("func", [A.sigmoid, A.log_sigmoid, A.gelu, A.softmax])
def test_n_jobs(func):
    big = RNG.normal(size=(600, 200))  # large enough to run on 2 threads
    assert_array_equal(func(big, n_jobs=2), func(big))
    assert_array_equal(func(big, n_jobs=-1), func(big))
    with pytest.raises(ValueError, match="n_jobs == 0"):
        func(big, n_jobs=0)
    with pytest.raises(ValueError, match="n_jobs must be an int"):
        func(big, n_jobs=1.5)


# --- values and limits ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_values_give_limits(dtype):
    x = np.array([-1e4, 1e4], dtype=dtype)
    with np.errstate(all="raise"):  # no overflow, underflow-to-inf or invalid anywhere
        assert_array_equal(A.sigmoid(x), [0.0, 1.0])
        assert_array_equal(A.log_sigmoid(x), [-1e4, 0.0])
        assert_array_equal(A.sigmoid_grad(x), [0.0, 0.0])
        assert_array_equal(A.log_sigmoid_grad(x), [1.0, 0.0])
        assert_array_equal(A.softmax(x), [0.0, 1.0])
        assert_array_equal(A.log_softmax(x), [-2e4, 0.0])
        assert_array_equal(A.gelu(x), [0.0, 1e4])
        assert_array_equal(A.gelu(x, "tanh"), [0.0, 1e4])
        assert_array_equal(A.gelu_grad(x), [0.0, 1.0])
        assert_array_equal(A.gelu_grad(x, "tanh"), [0.0, 1.0])
        assert_array_equal(A.tanh(x), [-1.0, 1.0])
        assert_array_equal(A.softmax_vjp(x, [1.0, 0.0]), [0.0, 0.0])
        assert_array_equal(A.log_softmax_vjp(x, [1.0, 0.0]), [1.0, -1.0])


def test_infinities_and_nan():
    x = np.array([-np.inf, np.inf, np.nan])
    assert_array_equal(A.sigmoid(x), [0.0, 1.0, np.nan])
    assert_array_equal(A.log_sigmoid(x), [-np.inf, 0.0, np.nan])
    assert_array_equal(A.gelu(x), [0.0, np.inf, np.nan])
    assert_array_equal(A.relu(x), [0.0, np.inf, np.nan])
    assert_array_equal(A.relu_grad(x), [0.0, 1.0, 0.0])
    assert_array_equal(A.leaky_relu(x, 0.1), [-np.inf, np.inf, np.nan])
    assert np.isnan(A.softmax([0.0, np.nan])).all()


def test_small_values_exact():
    assert A.sigmoid(0.0) == 0.5
    assert A.sigmoid_grad(0.0) == 0.25
    assert A.log_sigmoid(0.0) == -np.log(2.0)
    assert A.gelu(0.0) == 0.0
    assert A.gelu_grad(0.0) == 0.5
    assert A.gelu_grad(0.0, "tanh") == 0.5
    # sigmoid(-40) ~ 4.2e-18 keeps full relative precision (no 1 - 1 cancellation).
    assert_allclose(A.sigmoid(-40.0), np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-15)
    assert_allclose(A.log_sigmoid(40.0), -np.exp(-40.0), rtol=1e-15)


def test_relu_family():
    x = np.array([-2.0, -0.0, 0.0, 3.0])
    assert_array_equal(A.relu(x), [0.0, 0.0, 0.0, 3.0])
    assert_array_equal(A.relu_grad(x), [0.0, 0.0, 0.0, 1.0])
    assert_array_equal(A.leaky_relu(x), [-0.02, 0.0, 0.0, 3.0])
    assert_array_equal(A.leaky_relu(x, negative_slope=2), [-4.0, 0.0, 0.0, 3.0])
    assert_array_equal(A.leaky_relu_grad(x, 0.2), [0.2, 0.2, 0.2, 1.0])
    assert A.leaky_relu(np.float32([-1.0]), 0.1).dtype == np.float32
    with pytest.raises(TypeError, match="negative_slope must be a real number"):
        A.leaky_relu(x, "0.1")
    with pytest.raises(ValueError, match="negative_slope must be finite"):
        A.leaky_relu(x, np.inf)


def test_gelu_approximate_validation():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        A.gelu(X, approximate="erf")
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        A.gelu_grad(X, approximate=None)


# --- softmax family -----------------------------------------------------------


@pytest.mark.parametrize("func", ALONG_AXIS)
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_softmax_axis(func, axis):
    x = RNG.normal(size=(3, 4, 5))
    ref = naive.softmax if func is A.softmax else naive.log_softmax
    # 1e-12: same float64 formulas, only the summation order differs.
    assert_allclose(func(x, axis=axis), ref(x, axis=axis), rtol=1e-12, atol=1e-13)
    assert_allclose(func(x, axis), ref(x, axis=axis), rtol=1e-12, atol=1e-13)


def test_softmax_rows_sum_to_one_and_invariance():
    x = RNG.normal(scale=10, size=(50, 9))
    s = A.softmax(x)
    assert_allclose(s.sum(axis=1), 1.0, rtol=1e-14)
    assert_allclose(A.softmax(x + 123.0), s, rtol=1e-12, atol=1e-15)
    assert_allclose(np.exp(A.log_softmax(x)), s, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("func", ALONG_AXIS)
def test_softmax_bad_axis_and_shapes(func):
    with pytest.raises(np.exceptions.AxisError):
        func(X, axis=2)
    with pytest.raises(np.exceptions.AxisError):
        func(1.0)
    assert func(np.empty((0, 4))).shape == (0, 4)
    assert func(np.empty((4, 0))).shape == (4, 0)
    assert_array_equal(A.softmax(np.ones((3, 1))), 1.0)
    assert_array_equal(A.log_softmax(np.ones((3, 1))), 0.0)


def test_softmax_out_with_axis():
    x = RNG.normal(size=(4, 6))
    out = np.empty_like(x)
    assert A.softmax(x, axis=0, out=out) is out
    assert_allclose(out, naive.softmax(x, axis=0), rtol=1e-12)


@pytest.mark.parametrize("vjp", [A.softmax_vjp, A.log_softmax_vjp])
def test_vjp_api(vjp):
    x = RNG.normal(size=(4, 6))
    v = RNG.normal(size=(4, 6))
    ref = naive.softmax_vjp if vjp is A.softmax_vjp else naive.log_softmax_vjp
    assert_allclose(vjp(x, v, axis=0), ref(x, v, axis=0), rtol=1e-12, atol=1e-14)
    assert vjp(x.astype(np.float32), v.astype(np.float32)).dtype == np.float32
    # Mixed dtypes promote like NumPy.
    assert vjp(x.astype(np.float32), v).dtype == np.float64
    with pytest.raises(ValueError, match="same shape"):
        vjp(x, v[:, :3])
    x_before, v_before = x.copy(), v.copy()
    vjp(x, v)
    assert_array_equal(x, x_before)
    assert_array_equal(v, v_before)


# --- argmax -------------------------------------------------------------------


def test_argmax():
    x = np.array([[1.0, 3.0, 3.0], [np.nan, 0.0, 5.0], [-1.0, -2.0, -3.0]])
    assert_array_equal(A.argmax(x), [1, 0, 0])  # first on ties, NaN is the maximum
    assert_array_equal(A.argmax(x, axis=0), [1, 0, 1])
    assert A.argmax(x).dtype == np.int64
    assert A.argmax([1, 5, 2]) == 1
    assert_array_equal(A.argmax(np.zeros((2, 3, 4)), axis=1), np.zeros((2, 4)))
    with pytest.raises(np.exceptions.AxisError):
        A.argmax(x, axis=2)
    with pytest.raises(np.exceptions.AxisError):
        A.argmax(3.0)
    with pytest.raises(ValueError, match="empty sequence"):
        A.argmax(np.empty((2, 0)))
    assert A.argmax(np.empty((0, 3))).shape == (0,)


# --- derivatives against central finite differences ---------------------------


def _central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


# Points away from kinks (relu/leaky_relu at 0). Central differences with h = 1e-6
# have truncation error ~h^2 |f'''| ~ 1e-12 and rounding error ~eps/h ~ 2e-10, hence
# rtol/atol of 1e-7.
FD_POINTS = np.array([-30.0, -7.5, -2.0, -0.3, 0.4, 1.7, 6.0, 25.0])
FD_CASES = [
    (A.sigmoid, A.sigmoid_grad),
    (A.log_sigmoid, A.log_sigmoid_grad),
    (A.tanh, A.tanh_grad),
    (A.relu, A.relu_grad),
    (A.leaky_relu, A.leaky_relu_grad),
    (lambda x: A.leaky_relu(x, 0.3), lambda x: A.leaky_relu_grad(x, 0.3)),
    (A.gelu, A.gelu_grad),
    (lambda x: A.gelu(x, "tanh"), lambda x: A.gelu_grad(x, "tanh")),
]


@pytest.mark.parametrize(("func", "grad"), FD_CASES)
def test_grad_matches_finite_differences(func, grad):
    fd = _central_difference(func, FD_POINTS, 1e-6)
    assert_allclose(grad(FD_POINTS), fd, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize(
    ("func", "vjp"), [(A.softmax, A.softmax_vjp), (A.log_softmax, A.log_softmax_vjp)]
)
@pytest.mark.parametrize("axis", [0, -1])
def test_vjp_matches_finite_differences(func, vjp, axis):
    x = RNG.normal(size=(3, 4))
    v = RNG.normal(size=(3, 4))
    h = 1e-6
    fd = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        fd[idx] = np.sum(v * (func(x + e, axis=axis) - func(x - e, axis=axis))) / (
            2 * h
        )
    # Same error budget as above (sums of 12 terms of size O(1)).
    assert_allclose(vjp(x, v, axis=axis), fd, rtol=1e-7, atol=1e-7)
