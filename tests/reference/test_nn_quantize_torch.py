"""fastml.nn.quantize against ml_dtypes and torch (each importorskip'ed).

Every comparison here is exact (bit-identical arrays, no tolerance):

- bfloat16: fastml rounds float32 to bfloat16 as ml_dtypes does, NaN included (the
  quiet NaN 0x7FC0 with the input's sign). torch's vectorised CPU cast writes 0xFFFF
  for every NaN, so against torch non-NaN values are compared bitwise and NaN only
  as "is NaN". Widening bfloat16 -> float32 is exact in all three for all 2^16
  patterns.
- float16: numpy is fastml's reference (tests/kernels); torch agrees bitwise on
  every non-NaN value (torch quiets signalling NaNs, numpy keeps them).
- int8: given fastml's scales and zero points, torch.quantize_per_tensor /
  quantize_per_channel produce the same integers and the same dequantized floats
  (both compute zp + rint(x * float32(1 / scale)), ties to even), and fastml's
  asymmetric scales and zero points equal those of torch's MinMaxObserver /
  PerChannelMinMaxObserver (per_tensor_affine / per_channel_affine, quint8 and
  qint8): the same float32 formula. fastml's symmetric scheme uses [-127, 127]
  and max|x| / 127 where torch's symmetric observer uses [-128, 127] and
  max|x| / 127.5 (documented difference): only the integer convention is compared.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from fastml.nn.quantize import (
    bfloat16_to_float32,
    float16_to_float32,
    float32_to_bfloat16,
    float32_to_float16,
    quantize,
)

# torch 2.13 deprecates its quantized tensor types (still the reference here)
pytestmark = pytest.mark.filterwarnings(
    "ignore:torch.quantize_per_tensor, torch.quantize_per_channel:UserWarning"
)

ALL16 = np.arange(2**16, dtype=np.uint32).astype(np.uint16)


def _float32_cases() -> np.ndarray:
    """Special values, every bfloat16 rounding midpoint on a coarse grid of the
    kept bits, and random bit patterns (NaN payloads included)."""
    rng = np.random.default_rng(0)
    specials = np.array(
        [
            0x00000000, 0x80000000, 0x00000001, 0x807FFFFF, 0x00008000, 0x00018000,
            0x7F7FFFFF, 0x7F7F8000, 0x7F7F7FFF, 0xFF7F8000, 0x7F800000, 0xFF800000,
            0x7F800001, 0x7FC00000, 0xFFC00001, 0x7FFFFFFF, 0x477FF000, 0x38800000,
        ],
        dtype=np.uint32,
    )  # fmt: skip
    kept = np.arange(0, 2**16, 3, dtype=np.uint64) << np.uint64(16)
    low = np.array([0x7FFF, 0x8000, 0x8001, 0x0001, 0xFFFF], dtype=np.uint64)
    midpoints = (kept[:, None] | low[None, :]).reshape(-1).astype(np.uint32)
    random = rng.integers(0, 2**32, 50_000, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([specials, midpoints, random]).view(np.float32)


def test_bfloat16_matches_ml_dtypes_bitwise():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    x = _float32_cases()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = x.astype(ml_dtypes.bfloat16).view(np.uint16)
    np.testing.assert_array_equal(float32_to_bfloat16(x), expected)
    widened = ALL16.view(ml_dtypes.bfloat16).astype(np.float32).view(np.uint32)
    np.testing.assert_array_equal(bfloat16_to_float32(ALL16).view(np.uint32), widened)
    np.testing.assert_array_equal(
        bfloat16_to_float32(ALL16.view(ml_dtypes.bfloat16)).view(np.uint32), widened
    )


def test_bfloat16_matches_torch():
    torch = pytest.importorskip("torch")
    x = _float32_cases()
    got = float32_to_bfloat16(x)
    expected = (
        torch.from_numpy(x.copy()).to(torch.bfloat16).view(torch.int16).numpy()
    ).view(np.uint16)
    nan = np.isnan(x)
    np.testing.assert_array_equal(got[~nan], expected[~nan])
    assert np.isnan(bfloat16_to_float32(expected[nan])).all()
    assert np.isnan(bfloat16_to_float32(got[nan])).all()
    widened = torch.from_numpy(ALL16.view(np.int16).copy()).view(torch.bfloat16)
    np.testing.assert_array_equal(
        bfloat16_to_float32(ALL16).view(np.uint32),
        widened.to(torch.float32).numpy().view(np.uint32),
    )


def test_float16_matches_torch_on_non_nan():
    torch = pytest.importorskip("torch")
    x = _float32_cases()
    got = float32_to_float16(x).view(np.uint16)
    expected = torch.from_numpy(x.copy()).to(torch.float16).numpy().view(np.uint16)
    nan = np.isnan(x)
    np.testing.assert_array_equal(got[~nan], expected[~nan])
    assert np.isnan(float16_to_float32(expected[nan])).all()
    finite16 = ALL16[~np.isnan(ALL16.view(np.float16))]
    np.testing.assert_array_equal(
        float16_to_float32(finite16),
        torch.from_numpy(finite16.view(np.float16).copy()).to(torch.float32).numpy(),
    )


def _int8_data() -> np.ndarray:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((12, 257)) * rng.uniform(0.01, 5.0, (12, 1))).astype(
        np.float32
    )
    x[3] += 2.0  # all positive
    x[4] -= 9.0  # all negative
    x[5] = 0.0  # all zero
    x[6] = 1.5  # constant
    # ties: symmetric scale 1/8 exactly (max |x| = 127/8), values on half steps
    x[7] = (rng.integers(-127, 127, 257) + 0.5) / 8
    x[7, 0] = 127 / 8
    # ties for the asymmetric int8 scheme: range [-16, 15.875] -> scale 1/8, zp 0
    x[8] = (rng.integers(-128, 127, 257) + 0.5) / 8
    x[8, :2] = [-16.0, 127 / 8]
    return x


SCHEMES = [
    ("symmetric", "int8", "qint8"),
    ("asymmetric", "int8", "qint8"),
    ("asymmetric", "uint8", "quint8"),
]


@pytest.mark.parametrize("scheme,dtype,torch_dtype", SCHEMES)
def test_int8_values_match_torch_quantize_per_channel(scheme, dtype, torch_dtype):
    torch = pytest.importorskip("torch")
    x = _int8_data()
    for axis in (0, 1):
        q = quantize(x, scheme=scheme, axis=axis, dtype=dtype)
        t = torch.quantize_per_channel(
            torch.from_numpy(x),
            torch.from_numpy(q.scale.astype(np.float64)),
            torch.from_numpy(q.zero_point.astype(np.int64)),
            axis,
            getattr(torch, torch_dtype),
        )
        np.testing.assert_array_equal(q.values, t.int_repr().numpy())
        np.testing.assert_array_equal(q.dequantize(), t.dequantize().numpy())


@pytest.mark.parametrize("scheme,dtype,torch_dtype", SCHEMES)
def test_int8_values_match_torch_quantize_per_tensor(scheme, dtype, torch_dtype):
    torch = pytest.importorskip("torch")
    for x in (_int8_data(), _int8_data()[7], _int8_data()[8]):
        q = quantize(x, scheme=scheme, dtype=dtype)
        t = torch.quantize_per_tensor(
            torch.from_numpy(x),
            float(q.scale),
            int(q.zero_point),
            getattr(torch, torch_dtype),
        )
        np.testing.assert_array_equal(q.values, t.int_repr().numpy())
        np.testing.assert_array_equal(q.dequantize(), t.dequantize().numpy())


@pytest.mark.parametrize("dtype,torch_dtype", [("int8", "qint8"), ("uint8", "quint8")])
def test_asymmetric_scales_match_torch_observers(dtype, torch_dtype):
    torch = pytest.importorskip("torch")
    observers = pytest.importorskip("torch.ao.quantization")
    x = _int8_data()
    tdtype = getattr(torch, torch_dtype)
    for axis in (0, 1):
        observer = observers.PerChannelMinMaxObserver(
            ch_axis=axis, dtype=tdtype, qscheme=torch.per_channel_affine
        )
        observer(torch.from_numpy(x))
        scale, zero_point = observer.calculate_qparams()
        q = quantize(x, scheme="asymmetric", axis=axis, dtype=dtype)
        np.testing.assert_array_equal(q.scale, scale.numpy().astype(np.float32))
        np.testing.assert_array_equal(q.zero_point, zero_point.numpy())
    observer = observers.MinMaxObserver(dtype=tdtype, qscheme=torch.per_tensor_affine)
    observer(torch.from_numpy(x))
    scale, zero_point = observer.calculate_qparams()
    q = quantize(x, scheme="asymmetric", dtype=dtype)
    assert q.scale == np.float32(scale.item())
    assert q.zero_point == zero_point.item()
