"""fastml.activations against torch.nn.functional (values and autograd derivatives).

Tolerances:
- float64: rtol=1e-12, atol=1e-14. Both libraries evaluate the same closed forms in
  double precision; differences are a few ulp (e.g. torch's GELU uses 1 + erf(x/sqrt2)
  where fastml uses the equal erfc(-x/sqrt2), which differ by ~eps absolute near the
  negative tail, hence the atol).
- float32: rtol=1e-6, atol=1e-6. torch computes in float32 (a few ulp, ~2e-7
  relative, more where 1 + erf or 1 + tanh cancels: absolute ~1e-7 * |x|) while fastml
  computes in float64 and rounds once; 1e-6 covers both for the |x| <= ~20 used here.
  Derivatives for float32 inputs are compared with torch's float64 autograd on the
  same (float32-valued) inputs: torch's float32 backward forms 1 - tanh(u)**2,
  v - sum(v * s) and the like in float32, which cancel (off by up to 1e-2 relative,
  1e-6 absolute, on this data), while fastml computes in float64 and rounds once.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from fastml import activations as A

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {np.float64: dict(rtol=1e-12, atol=1e-14), np.float32: dict(rtol=1e-6, atol=1e-6)}
DTYPES = [np.float64, np.float32]


def _x(dtype, shape=(40, 7), seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=4.0, size=shape)
    x.flat[:6] = [0.0, 1e-8, -1e-8, 15.0, -15.0, 1.0]
    return x.astype(dtype)


def _t(x, grad=False):
    return torch.tensor(x, requires_grad=grad)


VALUE_CASES = [
    ("sigmoid", A.sigmoid, torch.sigmoid),
    ("log_sigmoid", A.log_sigmoid, F.logsigmoid),
    ("tanh", A.tanh, torch.tanh),
    ("relu", A.relu, F.relu),
    ("leaky_relu", A.leaky_relu, F.leaky_relu),
    ("leaky_relu_0.2", lambda x: A.leaky_relu(x, 0.2), lambda t: F.leaky_relu(t, 0.2)),
    ("gelu", A.gelu, F.gelu),
    ("gelu_tanh", lambda x: A.gelu(x, "tanh"), lambda t: F.gelu(t, approximate="tanh")),
    ("softmax", A.softmax, lambda t: F.softmax(t, dim=-1)),
    ("softmax_0", lambda x: A.softmax(x, axis=0), lambda t: F.softmax(t, dim=0)),
    ("log_softmax", A.log_softmax, lambda t: F.log_softmax(t, dim=-1)),
    ("log_softmax_0", lambda x: A.log_softmax(x, 0), lambda t: F.log_softmax(t, dim=0)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "ours", "theirs"), VALUE_CASES)
def test_values(name, ours, theirs, dtype):
    x = _x(dtype)
    got = ours(x)
    expected = theirs(_t(x)).numpy()
    assert got.dtype == expected.dtype
    assert_allclose(got, expected, **TOL[dtype])


GRAD_CASES = [
    ("sigmoid", A.sigmoid_grad, torch.sigmoid),
    ("log_sigmoid", A.log_sigmoid_grad, F.logsigmoid),
    ("tanh", A.tanh_grad, torch.tanh),
    ("relu", A.relu_grad, F.relu),
    ("leaky_relu", A.leaky_relu_grad, F.leaky_relu),
    ("gelu", A.gelu_grad, F.gelu),
    (
        "gelu_tanh",
        lambda x: A.gelu_grad(x, "tanh"),
        lambda t: F.gelu(t, approximate="tanh"),
    ),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "ours", "theirs"), GRAD_CASES)
def test_elementwise_derivatives_match_autograd(name, ours, theirs, dtype):
    x = _x(dtype)
    x[0, 0] = 0.0  # the kink of relu / leaky_relu: both use the same convention
    t = _t(x.astype(np.float64), grad=True)
    theirs(t).sum().backward()
    got = ours(x)
    assert got.dtype == dtype
    assert_allclose(got, t.grad.numpy(), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(A.softmax_vjp, F.softmax), (A.log_softmax_vjp, F.log_softmax)],
)
@pytest.mark.parametrize("axis", [0, 1])
def test_vjp_matches_autograd(ours, theirs, axis, dtype):
    x = _x(dtype, seed=1)
    v = _x(dtype, seed=2)
    t = _t(x.astype(np.float64), grad=True)
    theirs(t, dim=axis).backward(_t(v.astype(np.float64)))
    got = ours(x, v, axis=axis)
    assert got.dtype == dtype
    assert_allclose(got, t.grad.numpy(), **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_inputs_match(dtype):
    # Same results at |x| = 1e4 (where naive formulas overflow); exact equality since
    # both libraries return the exact limits.
    x = np.array([[-1e4, 1e4, 0.0], [1e4, 1e4, -1e4]], dtype=dtype)
    for ours, theirs in [
        (A.sigmoid, torch.sigmoid),
        (A.log_sigmoid, F.logsigmoid),
        (A.softmax, lambda t: F.softmax(t, dim=-1)),
        (A.log_softmax, lambda t: F.log_softmax(t, dim=-1)),
        (A.gelu, F.gelu),
        (lambda z: A.gelu(z, "tanh"), lambda t: F.gelu(t, approximate="tanh")),
    ]:
        assert_array_equal(ours(x), theirs(_t(x)).numpy())


def test_argmax_matches_torch():
    x = np.array([[1.0, 3.0, 3.0], [np.nan, 0.0, 5.0], [-1.0, -2.0, -3.0]])
    for axis in (0, 1):
        assert_array_equal(A.argmax(x, axis), torch.argmax(_t(x), dim=axis).numpy())
