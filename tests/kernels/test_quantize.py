"""fastml.kernels.nn.quantize against the naive references in tests/naive/quantize.py
(and, for float16, against numpy's cast, which is the stated reference)."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.nn import quantize as K
from naive.quantize import (
    add_outlier_products_naive,
    bf16_to_f32_naive,
    f16_to_f32_naive,
    f32_to_bf16_naive,
    f32_to_f16_naive,
    linear_int8_naive,
    matmul_int8_naive,
    quantize_naive,
    quantize_rows_naive,
)

ALL16 = np.arange(2**16, dtype=np.uint32).astype(np.uint16)


def _boundary_bits(low_bits: list[int], shift: int) -> np.ndarray:
    """Every float32 pattern whose bits above ``shift`` take all values and whose
    low ``shift`` bits are one of ``low_bits``: every exponent, sign and kept
    mantissa, with the dropped bits at and around the rounding midpoint."""
    high = np.arange(2 ** (32 - shift), dtype=np.uint64) << np.uint64(shift)
    low = np.array(low_bits, dtype=np.uint64)
    return (high[:, None] | low[None, :]).reshape(-1).astype(np.uint32)


def _special_bits() -> np.ndarray:
    """Zeros, subnormals, the largest finite values, infinities, NaN payloads."""
    rng = np.random.default_rng(0)
    values = [
        0x00000000, 0x80000000, 0x00000001, 0x807FFFFF, 0x00400000, 0x00800000,
        0x7F7FFFFF, 0xFF7FFFFF, 0x7F7F7FFF, 0x7F7F8000, 0x7F7F8001, 0x477FE000,
        0x477FEFFF, 0x477FF000, 0x477FF001, 0x38800000, 0x387FFFFF, 0x387FF000,
        0x33000000, 0x33000001, 0x32FFFFFF, 0x33800000, 0x337FFFFF,
        0x7F800000, 0xFF800000, 0x7F800001, 0xFF800001, 0x7FC00000, 0xFFC00000,
        0x7FFFFFFF, 0xFFFFFFFF, 0x7F801FFF, 0x7F802000, 0x7FA00000, 0xFF812345,
    ]  # fmt: skip
    random = rng.integers(0, 2**32, 20_000, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([np.array(values, dtype=np.uint32), random])


def _f32_to_bf16(bits: np.ndarray) -> np.ndarray:
    out = np.empty(bits.shape, np.uint16)
    K.convert_f32_to_bf16(np.ascontiguousarray(bits), out)
    return out


def _f32_to_f16(bits: np.ndarray) -> np.ndarray:
    out = np.empty(bits.shape, np.uint16)
    K.convert_f32_to_f16(np.ascontiguousarray(bits), out)
    return out


# -- conversions --------------------------------------------------------------------


def test_bf16_to_f32_all_patterns():
    out = np.empty(ALL16.shape, np.uint32)
    K.convert_bf16_to_f32(ALL16, out)
    np.testing.assert_array_equal(out, bf16_to_f32_naive(ALL16))


def test_f16_to_f32_all_patterns():
    out = np.empty(ALL16.shape, np.uint32)
    K.convert_f16_to_f32(ALL16, out)
    np.testing.assert_array_equal(out, f16_to_f32_naive(ALL16))
    # numpy's cast is the reference format: identical for every pattern, NaNs too
    np.testing.assert_array_equal(
        out, ALL16.view(np.float16).astype(np.float32).view(np.uint32)
    )


def test_f32_to_bf16_special_and_random():
    bits = _special_bits()
    np.testing.assert_array_equal(
        _f32_to_bf16(bits), f32_to_bf16_naive(bits.view(np.float32))
    )


def test_f32_to_bf16_every_midpoint_on_a_grid():
    # every sign/exponent/kept mantissa (2^16 values) x dropped bits at the
    # midpoint and next to it; compared with the naive reference on a subsample
    # (Python loop) and checked against the rounding rule in closed form on all
    bits = _boundary_bits([0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF], 16)
    out = _f32_to_bf16(bits)
    sample = np.random.default_rng(1).choice(bits.size, 20_000, replace=False)
    np.testing.assert_array_equal(
        out[sample], f32_to_bf16_naive(bits[sample].view(np.float32))
    )
    kept = (bits >> 16).astype(np.int64)
    dropped = (bits & 0xFFFF).astype(np.int64)
    up = (dropped > 0x8000) | ((dropped == 0x8000) & (kept % 2 == 1))
    expected = kept + up
    nan = np.isnan(bits.view(np.float32))
    expected[nan] = (kept[nan] & 0x8000) | 0x7FC0
    np.testing.assert_array_equal(out, expected.astype(np.uint16))


def test_f32_to_f16_special_and_random():
    bits = _special_bits()
    out = _f32_to_f16(bits)
    sample = np.concatenate([np.arange(35), np.arange(35, bits.size, 7)])
    np.testing.assert_array_equal(
        out[sample], f32_to_f16_naive(bits[sample].view(np.float32))
    )
    with np.errstate(all="ignore"):
        reference = bits.view(np.float32).astype(np.float16).view(np.uint16)
    np.testing.assert_array_equal(out, reference)


def test_f32_to_f16_every_midpoint_on_a_grid():
    # 2^19 sign/exponent/mantissa prefixes x the 13 dropped bits at and around the
    # midpoint 0x1000 (subnormal results drop more bits: see the next test)
    bits = _boundary_bits([0x0000, 0x0001, 0x0FFF, 0x1000, 0x1001, 0x1FFF], 13)
    with np.errstate(all="ignore"):
        reference = bits.view(np.float32).astype(np.float16).view(np.uint16)
    np.testing.assert_array_equal(_f32_to_f16(bits), reference)


def test_f32_to_f16_subnormal_range_exhaustive_midpoints():
    # results below 2^-14 drop 14 to 24 bits: every float32 with exponent in the
    # subnormal range, mantissa bits around each possible midpoint
    exponents = np.arange(100, 114, dtype=np.uint32)
    rng = np.random.default_rng(2)
    rows = []
    for e in exponents:
        shift = min(126 - int(e), 31)
        mid = 1 << (shift - 1) if shift <= 24 else 0
        significand = rng.integers(0, 1 << 23, 2_000, dtype=np.uint32)
        for delta in (-1, 0, 1):
            m = (significand & ~np.uint32((1 << min(shift, 23)) - 1)) + np.uint32(
                max(mid + delta, 0) & 0x7FFFFF
            )
            rows.append((e << np.uint32(23)) | (m & np.uint32(0x7FFFFF)))
    bits = np.concatenate(rows)
    bits = np.concatenate([bits, bits | np.uint32(0x80000000)])
    out = _f32_to_f16(bits)
    np.testing.assert_array_equal(
        out, bits.view(np.float32).astype(np.float16).view(np.uint16)
    )
    sample = bits[::37]
    np.testing.assert_array_equal(
        _f32_to_f16(sample), f32_to_f16_naive(sample.view(np.float32))
    )


def test_conversions_empty():
    empty32 = np.empty(0, np.uint32)
    empty16 = np.empty(0, np.uint16)
    K.convert_f32_to_bf16(empty32, empty16)
    K.convert_f32_to_f16(empty32, empty16)
    K.convert_bf16_to_f32(empty16, empty32)
    K.convert_f16_to_f32(empty16, empty32)


# -- int8 quantization ------------------------------------------------------------


def _quantize(x, scheme, axis, dtype):
    """The kernel path of fastml.nn.quantize.quantize, spelled out."""
    from fastml.nn.quantize import quantize

    q = quantize(x, scheme=scheme, axis=axis, dtype=dtype)
    return q.values, np.atleast_1d(q.scale), np.atleast_1d(q.zero_point)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "scheme,dtype",
    [("symmetric", "int8"), ("asymmetric", "int8"), ("asymmetric", "uint8")],
)
@pytest.mark.parametrize(
    "shape,axis",
    [
        ((7, 13), 0),
        ((7, 13), 1),
        ((3, 5, 4), 1),
        ((3, 5, 4), 2),
        ((40,), None),
        ((6, 9), None),
    ],
)
def test_quantize_channels_vs_naive(seed, scheme, dtype, shape, axis):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * rng.uniform(0.01, 10)).astype(np.float32)
    if seed == 1:
        x += np.float32(3.0)  # all positive: the asymmetric zero point moves
    values, scale, zp = _quantize(x, scheme, axis, dtype)
    ref_values, ref_scale, ref_zp = quantize_naive(x, scheme, axis, dtype)
    np.testing.assert_array_equal(scale, ref_scale)
    np.testing.assert_array_equal(zp, ref_zp)
    np.testing.assert_array_equal(values, ref_values)


def test_quantize_ties_round_half_to_even():
    # max |x| = 127 gives scale 1 exactly: x * 1 is the tie itself
    x = np.array([127.0, 0.5, 1.5, 2.5, -2.5, -0.5, 3.5, -127.0], np.float32)
    values, scale, _ = _quantize(x, "symmetric", None, "int8")
    assert scale[0] == 1.0
    np.testing.assert_array_equal(values, [127, 0, 2, 2, -2, 0, 4, -127])


@pytest.mark.parametrize(
    "scheme,dtype",
    [("symmetric", "int8"), ("asymmetric", "int8"), ("asymmetric", "uint8")],
)
def test_quantize_constant_and_zero_channels(scheme, dtype):
    x = np.zeros((4, 6), np.float32)
    x[1] = 2.5  # constant positive
    x[2] = -1e-30  # tiny constant negative
    x[3] = np.float32(1e-44)  # subnormal
    values, scale, zp = _quantize(x, scheme, 0, dtype)
    assert np.all(np.isfinite(scale)) and np.all(scale > 0)
    deq = (values.astype(np.float32) - zp[:, None].astype(np.float32)) * scale[:, None]
    np.testing.assert_array_equal(deq[0], 0.0)  # zero stays exactly zero
    ref_values, ref_scale, ref_zp = quantize_naive(x, scheme, 0, dtype)
    np.testing.assert_array_equal(values, ref_values)
    np.testing.assert_array_equal(scale, ref_scale)
    np.testing.assert_array_equal(zp, ref_zp)
    np.testing.assert_allclose(deq[1], 2.5, rtol=0.01)


def test_channel_extrema_flags_non_finite():
    for bad in (np.nan, np.inf, -np.inf):
        x = np.zeros((2, 3, 5), np.float32)
        x[1, 2, 4] = bad
        lo, hi = np.empty(3, np.float32), np.empty(3, np.float32)
        assert np.isnan(K.channel_extrema(x, lo, hi))
        x2 = np.zeros((4, 3, 1), np.float32)
        x2[3, 0, 0] = bad
        assert np.isnan(K.channel_extrema(x2, lo, hi))
    x = np.arange(30, dtype=np.float32).reshape(2, 3, 5)
    assert K.channel_extrema(x, lo, hi) == 0.0
    np.testing.assert_array_equal(lo, [0, 5, 10])
    np.testing.assert_array_equal(hi, [19, 24, 29])


def _quantize_rows(x, threshold=np.inf, n_threads=2):
    q = np.empty(x.shape, np.int8)
    scale = np.empty(x.shape[0], np.float32)
    n_outliers = np.empty(x.shape[0], np.int64)
    with num_threads(n_threads):
        check = K.quantize_rows_symmetric(x, threshold, q, scale, n_outliers)
    return check, q, scale, n_outliers


@pytest.mark.parametrize("shape", [(1, 1), (5, 17), (64, 384), (3, 0)])
@pytest.mark.parametrize("threshold", [np.inf, 6.0, 0.5])
def test_quantize_rows_symmetric_vs_naive(shape, threshold):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32) * 4
    if shape[0] > 2 and shape[1]:
        x[2] = 0.0  # all-zero row
    check, q, scale, n_outliers = _quantize_rows(x, threshold)
    assert check == 0.0
    if shape[1] == 0:
        np.testing.assert_array_equal(n_outliers, 0)
        return
    ref_q, ref_scale, ref_n = quantize_rows_naive(x, threshold)
    np.testing.assert_array_equal(q, ref_q)
    np.testing.assert_array_equal(scale, ref_scale)
    np.testing.assert_array_equal(n_outliers, ref_n)
    if threshold == 0.5:
        assert ref_n.sum() > 0 and np.all(q[np.abs(x) > 0.5] == 0)


def test_quantize_rows_all_outliers_and_thread_invariance():
    x = np.full((3, 5), 10.0, np.float32)
    check, q, scale, n_outliers = _quantize_rows(x, 6.0)
    np.testing.assert_array_equal(q, 0)
    np.testing.assert_array_equal(n_outliers, 5)
    assert np.all(scale == np.float32(2.0**-126))
    x = np.random.default_rng(4).standard_normal((101, 33)).astype(np.float32) * 3
    one = _quantize_rows(x, 4.0, n_threads=1)
    two = _quantize_rows(x, 4.0, n_threads=2)
    for a, b in zip(one[1:], two[1:]):
        np.testing.assert_array_equal(a, b)


def test_quantize_rows_symmetric_flags_non_finite():
    for bad in (np.nan, np.inf, -np.inf):
        x = np.ones((4, 8), np.float32)
        x[3, 5] = bad
        assert np.isnan(_quantize_rows(x, np.inf)[0])
        assert np.isnan(_quantize_rows(x, 6.0)[0])


@pytest.mark.parametrize("threshold", [6.0, 1.0, 0.0])
def test_add_outlier_products_vs_naive(threshold):
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((37, 45)) * 3).astype(np.float32)
    x[5] = 0.0  # a row without outliers
    w = rng.integers(-127, 128, (29, 45), dtype=np.int8)
    w_scale = rng.uniform(1e-3, 1.0, 29).astype(np.float32)
    start = rng.standard_normal((37, 29)).astype(np.float32)
    n_outliers = (np.abs(x) > np.float32(threshold)).sum(axis=1)
    for n_threads in (1, 2):
        out = start.copy()
        with num_threads(n_threads):
            K.add_outlier_products(x, threshold, n_outliers, w, w_scale, out)
        np.testing.assert_array_equal(
            out, add_outlier_products_naive(x, threshold, w, w_scale, start)
        )
    np.testing.assert_array_equal(out[5], start[5])


# -- int8 matrix products --------------------------------------------------------

SHAPES = [
    (1, 1, 1),
    (1, 384, 7),
    (2, 3, 2),
    (3, 5, 7),
    (31, 17, 63),
    (32, 64, 64),
    (33, 100, 65),
    (65, 33, 129),
    (70, 1, 3),
]


@pytest.mark.parametrize("m,k,n", SHAPES)
def test_matmul_int8_vs_int64(m, k, n):
    rng = np.random.default_rng(m * 1000 + k + n)
    a = rng.integers(-128, 128, (m, k), dtype=np.int8)
    b = rng.integers(-128, 128, (n, k), dtype=np.int8)
    out = np.empty((m, n), np.int32)
    with num_threads(2):
        K.matmul_int8_nt(a, b, out)
    np.testing.assert_array_equal(out, matmul_int8_naive(a, b))


def test_matmul_int8_extremes_and_longest_k():
    k = K.MAX_K_INT8
    a = np.full((3, k), -128, np.int8)
    b = np.full((2, k), -128, np.int8)
    b[1] = 127
    out = np.empty((3, 2), np.int32)
    K.matmul_int8_nt(a, b, out)
    assert out[0, 0] == k * 128 * 128 == 2_147_467_264  # just below 2^31
    assert out[0, 1] == -k * 128 * 127
    np.testing.assert_array_equal(out, matmul_int8_naive(a, b))


def test_matmul_int8_thread_count_invariant():
    rng = np.random.default_rng(5)
    a = rng.integers(-128, 128, (97, 200), dtype=np.int8)
    b = rng.integers(-128, 128, (131, 200), dtype=np.int8)
    outs = []
    for n in (1, 2):
        out = np.empty((97, 131), np.int32)
        with num_threads(n):
            K.matmul_int8_nt(a, b, out)
        outs.append(out)
    np.testing.assert_array_equal(outs[0], outs[1])


@pytest.mark.parametrize("m,k,n", SHAPES)
def test_linear_int8_vs_naive(m, k, n):
    rng = np.random.default_rng(m + 7 * k + n)
    a = rng.integers(-127, 128, (m, k), dtype=np.int8)
    w = rng.integers(-127, 128, (n, k), dtype=np.int8)
    a_scale = rng.uniform(1e-3, 1.0, m).astype(np.float32)
    w_scale = rng.uniform(1e-3, 1.0, n).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32)
    out = np.empty((m, n), np.float32)
    with num_threads(2):
        K.linear_int8(a, a_scale, w, w_scale, bias, out)
    # same float32 operations in the same order: bit-identical
    np.testing.assert_array_equal(out, linear_int8_naive(a, a_scale, w, w_scale, bias))
