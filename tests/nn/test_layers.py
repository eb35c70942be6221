"""fastml.nn._layers (Linear, LayerNorm, Embedding, layer_norm): against torch's
functional forms where torch is installed, and bad input.

Tolerances against torch:
- Linear, float32: rtol=1e-5, atol=1e-5. Both call a BLAS sgemm; only the summation
  order of the dot products differs: an error of ~sqrt(k) * 2^-24 * sum|x w| with
  k <= 96 inputs and outputs of order one, i.e. ~1e-6.
- Linear, float64: rtol=1e-12, atol=1e-12 (the same argument with 2^-53).
- LayerNorm / layer_norm, float32: atol=1e-5 on outputs of order |weight| * 4.
  fastml normalises in float64 and rounds once; torch accumulates in float32
  (~1e-6 relative error of its mean and variance over <= 384 features), so the
  difference is torch's own rounding.
- LayerNorm, float64: rtol=1e-12, atol=1e-12.
"""

import pickle

import numpy as np
import pytest

from fastml.nn import Embedding, LayerNorm, Linear, layer_norm

DTYPES = [np.float32, np.float64]


def _tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12}


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


# -- Linear --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7, 24), (2, 5, 24), (24,), (0, 24), (1, 1, 24)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(torch, dtype, shape, bias):
    rng = np.random.default_rng(0)
    layer = Linear.random(24, 40, bias=bias, random_state=1, dtype=dtype)
    x = rng.standard_normal(shape).astype(dtype)
    got = layer(x)
    expected = torch.nn.functional.linear(
        torch.from_numpy(x),
        torch.from_numpy(layer.weight),
        None if layer.bias is None else torch.from_numpy(layer.bias),
    ).numpy()
    assert got.dtype == dtype and got.shape == shape[:-1] + (40,)
    np.testing.assert_allclose(got, expected, **_tol(dtype))


def test_linear_random_init_and_properties():
    layer = Linear.random(64, 10, random_state=0)
    assert layer.in_features == 64 and layer.out_features == 10
    assert layer.weight.shape == (10, 64) and layer.bias.shape == (10,)
    assert np.abs(layer.weight).max() <= 1 / 8 and layer.weight.dtype == np.float32
    assert layer.nbytes == (640 + 10) * 4
    assert "in_features=64" in repr(layer)
    same = Linear.random(64, 10, random_state=0)
    np.testing.assert_array_equal(same.weight, layer.weight)


def test_linear_input_cast_and_layouts():
    layer = Linear.random(6, 3, random_state=0)
    rng = np.random.default_rng(1)
    x64 = rng.standard_normal((4, 6))
    expected = x64.astype(np.float32) @ layer.weight.T + layer.bias
    # float64 input to a float32 layer is computed in float32.
    np.testing.assert_allclose(layer(x64), expected, rtol=1e-6, atol=1e-6)
    assert layer(x64).dtype == np.float32
    # Integers, F-ordered and read-only inputs give the same answer.
    ints = np.arange(24).reshape(4, 6)
    np.testing.assert_allclose(
        layer(ints), ints.astype(np.float32) @ layer.weight.T + layer.bias, rtol=1e-6
    )
    fortran = np.asfortranarray(x64.astype(np.float32))
    readonly = x64.astype(np.float32)
    readonly.flags.writeable = False
    np.testing.assert_array_equal(layer(fortran), layer(readonly))
    # Lists work; the caller's array is not modified.
    before = x64.copy()
    layer(x64)
    np.testing.assert_array_equal(x64, before)
    np.testing.assert_allclose(layer(x64.tolist()), layer(x64), rtol=1e-6)


def test_linear_nan_input_propagates_to_its_row():
    layer = Linear.random(4, 3, random_state=0)
    x = np.ones((3, 4), np.float32)
    x[1, 2] = np.nan
    out = layer(x)
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()


def test_linear_pickles():
    layer = Linear.random(5, 2, random_state=0)
    again = pickle.loads(pickle.dumps(layer))
    x = np.ones((1, 5), np.float32)
    np.testing.assert_array_equal(again(x), layer(x))


def test_linear_bad_input():
    layer = Linear.random(4, 3, random_state=0)
    with pytest.raises(ValueError, match="expects 4"):
        layer(np.ones((2, 5)))
    with pytest.raises(ValueError, match="expects 4"):
        layer(np.float32(1.0))
    with pytest.raises(ValueError, match="numeric"):
        layer(np.array([["a", "b", "c", "d"]]))
    with pytest.raises(ValueError, match="numeric"):
        layer(np.array([[1, None, 2, 3]], dtype=object))
    with pytest.raises(ValueError, match="real"):
        layer(np.ones((1, 4), np.complex64))


def test_linear_bad_parameters():
    with pytest.raises(ValueError, match="2-D"):
        Linear(np.ones(4))
    with pytest.raises(ValueError, match="bias has 2 entries"):
        Linear(np.ones((3, 4)), np.ones(2))
    with pytest.raises(ValueError, match="NaN"):
        Linear(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="numeric"):
        Linear(np.array([["a"]]))


# -- LayerNorm -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("eps", [1e-12, 1e-5, 0.1])
@pytest.mark.parametrize("shape", [(6, 32), (2, 3, 384), (32,), (0, 32)])
def test_layer_norm_matches_torch(torch, dtype, eps, shape):
    rng = np.random.default_rng(2)
    width = shape[-1]
    x = (3 + 2 * rng.standard_normal(shape)).astype(dtype)
    norm = LayerNorm(
        (1 + 0.3 * rng.standard_normal(width)).astype(dtype),
        rng.standard_normal(width).astype(dtype),
        eps,
    )
    got = norm(x)
    expected = torch.nn.functional.layer_norm(
        torch.from_numpy(x),
        (width,),
        torch.from_numpy(norm.weight),
        torch.from_numpy(norm.bias),
        eps,
    ).numpy()
    assert got.dtype == dtype and got.shape == shape
    tol = {"atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(got, expected, **tol)


def test_layer_norm_function_without_affine(torch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 17)).astype(np.float32)
    expected = torch.nn.functional.layer_norm(torch.from_numpy(x), (17,)).numpy()
    np.testing.assert_allclose(layer_norm(x, None, None), expected, atol=1e-5)
    # Integer input computes in float32.
    ints = np.arange(12).reshape(3, 4)
    assert layer_norm(ints, None, None).dtype == np.float32


def test_layer_norm_constant_rows_and_identity():
    norm = LayerNorm.identity(8)
    out = norm(np.full((2, 8), 5.0, np.float32))
    np.testing.assert_array_equal(out, np.zeros((2, 8), np.float32))
    assert norm.nbytes == 64 and norm.eps == 1e-5


def test_layer_norm_caller_array_unchanged_and_read_only():
    norm = LayerNorm.identity(4)
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    before = x.copy()
    x.flags.writeable = False
    out = norm(x)
    np.testing.assert_array_equal(x, before)
    assert out.flags.writeable


def test_layer_norm_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        LayerNorm(np.ones(4), np.ones(3))
    with pytest.raises(ValueError, match="eps must be positive"):
        LayerNorm(np.ones(4), np.zeros(4), eps=0.0)
    with pytest.raises(ValueError, match="eps must be positive"):
        LayerNorm(np.ones(4), np.zeros(4), eps=float("nan"))
    with pytest.raises(ValueError, match="1-D"):
        LayerNorm(np.ones((2, 2)), np.ones((2, 2)))
    norm = LayerNorm.identity(4)
    with pytest.raises(ValueError, match="expects 4"):
        norm(np.ones((3, 5)))
    with pytest.raises(ValueError, match="numeric"):
        norm(np.array(["a", "b", "c", "d"]))


# -- Embedding -----------------------------------------------------------------------


def test_embedding_lookup(torch):
    table = Embedding.random(10, 3, random_state=0)
    ids = np.array([[0, 9, 3], [3, 3, 1]])
    expected = torch.nn.functional.embedding(
        torch.from_numpy(ids), torch.from_numpy(table.weight)
    ).numpy()
    np.testing.assert_array_equal(table(ids), expected)
    assert table(np.array([], dtype=np.int64)).shape == (0, 3)
    assert table(np.uint8(2)).shape == (3,)
    assert table.nbytes == 120


def test_embedding_bad_ids():
    table = Embedding.random(10, 3, random_state=0)
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        table(np.array([1, 10]))
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        table(np.array([-1, 2]))
    with pytest.raises(ValueError, match="integers"):
        table(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="integers"):
        table(np.array(["1"]))
    with pytest.raises(ValueError, match="2-D"):
        Embedding(np.ones(3))
