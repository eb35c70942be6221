"""Slow, obviously-correct references for fastml.kernels.nn.quantize.

The float conversions are written from the definition of the formats (exact
rational arithmetic with Python's Fraction, or float64 distances, which are exact
for float32 inputs) rather than from bit tricks, so they check the kernels' bit
manipulation independently.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np


def _f32_bits(value: float) -> int:
    return int(np.array([value], dtype=np.float32).view(np.uint32)[0])


def _values_and_bits(x: np.ndarray) -> list[tuple[float, int]]:
    """(value, float32 bit pattern) pairs; the bits are read from the array, since
    widening a signalling NaN to a Python float quiets it."""
    x = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    return list(zip(x.tolist(), x.view(np.uint32).tolist()))


def f32_to_bf16_naive(x: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bits: the nearest of the two neighbouring bfloat16 values
    (float64 distances, exact here), ties to the even one; beyond the largest
    finite value the upper neighbour is 2^128, i.e. infinity. NaN -> 0x7FC0 with
    the input's sign (ml_dtypes' rule)."""
    pairs = _values_and_bits(x)
    out = np.empty(len(pairs), dtype=np.uint16)
    for i, (v, bits) in enumerate(pairs):
        sign = (bits >> 16) & 0x8000
        if math.isnan(v):
            out[i] = sign | 0x7FC0
            continue
        if math.isinf(v):
            out[i] = sign | 0x7F80
            continue
        low = (bits & 0x7FFFFFFF) >> 16  # truncated magnitude, bfloat16 bits
        low_value = abs(float(np.array([low << 16], np.uint32).view(np.float32)[0]))
        if low == 0x7F7F:
            high_value = 2.0**128
        else:
            high_value = float(
                np.array([(low + 1) << 16], np.uint32).view(np.float32)[0]
            )
        a = abs(v)
        d_low, d_high = a - low_value, high_value - a
        if d_low < d_high or (d_low == d_high and low % 2 == 0):
            chosen = low
        else:
            chosen = low + 1  # 0x7F80 (infinity) after 0x7F7F
        out[i] = sign | chosen
    return out


def bf16_to_f32_naive(bits: np.ndarray) -> np.ndarray:
    """bfloat16 bits -> float32 bits: sign, exponent and mantissa fields, decoded
    and re-encoded (NaN payloads keep their position)."""
    bits = np.asarray(bits, dtype=np.uint16).reshape(-1)
    out = np.empty(bits.shape, dtype=np.uint32)
    for i, h in enumerate(bits.tolist()):
        sign, exponent, mantissa = h >> 15, (h >> 7) & 0xFF, h & 0x7F
        out[i] = (sign << 31) | (exponent << 23) | (mantissa << 16)
    return out


def _f16_value(h: int) -> Fraction | None:
    """Exact value of a finite float16 bit pattern (None for inf/NaN)."""
    sign = -1 if h & 0x8000 else 1
    exponent, mantissa = (h >> 10) & 0x1F, h & 0x3FF
    if exponent == 0x1F:
        return None
    if exponent == 0:
        return sign * Fraction(mantissa, 2**24)
    return sign * Fraction(1024 + mantissa, 2**10) * Fraction(2) ** (exponent - 15)


def f32_to_f16_naive(x: np.ndarray) -> np.ndarray:
    """float32 -> float16 bits by exact rounding: |v| / ulp rounded half to even on
    the float16 grid (ulp = 2^(e - 10) with e = max(floor(log2 |v|), -14)); a
    result of 2^16 or more is infinity. NaN: 0x7C00 | top 10 payload bits (1 if
    those are 0), sign kept (numpy's rule)."""
    pairs = _values_and_bits(x)
    out = np.empty(len(pairs), dtype=np.uint16)
    for i, (v, bits) in enumerate(pairs):
        sign = (bits >> 16) & 0x8000
        if math.isnan(v):
            payload = (bits & 0x7FFFFF) >> 13
            out[i] = sign | 0x7C00 | (payload or 1)
            continue
        if math.isinf(v):
            out[i] = sign | 0x7C00
            continue
        a = abs(Fraction(v))
        if a == 0:
            out[i] = sign
            continue
        e = max(math.floor(math.log2(a)), -14)
        # log2 of a float can be off by one near powers of two: fix e exactly
        while Fraction(2) ** e > a and e > -14:
            e -= 1
        while Fraction(2) ** (e + 1) <= a:
            e += 1
        ulp = Fraction(2) ** (e - 10)
        q = a / ulp
        n = math.floor(q)
        rest = q - n
        if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and n % 2 == 1):
            n += 1
        rounded = n * ulp
        if rounded >= 65536:
            out[i] = sign | 0x7C00
            continue
        # encode the exact value
        if rounded < Fraction(2) ** -14:
            out[i] = sign | int(rounded * 2**24)
        else:
            ee = e
            if rounded >= Fraction(2) ** (e + 1):  # rounding carried into 2^(e+1)
                ee += 1
            mantissa = int(rounded / Fraction(2) ** ee * 1024) - 1024
            out[i] = sign | ((ee + 15) << 10) | mantissa
    return out


def f16_to_f32_naive(bits: np.ndarray) -> np.ndarray:
    """float16 bits -> float32 bits: exact value re-encoded as float32; inf/NaN keep
    sign and payload (shifted into the top of the float32 mantissa)."""
    bits = np.asarray(bits, dtype=np.uint16).reshape(-1)
    out = np.empty(bits.shape, dtype=np.uint32)
    for i, h in enumerate(bits.tolist()):
        value = _f16_value(h)
        if value is None:
            out[i] = ((h & 0x8000) << 16) | 0x7F800000 | ((h & 0x3FF) << 13)
        elif value == 0:
            out[i] = (h & 0x8000) << 16
        else:
            f = np.float32(float(value))  # exact: float16 values are float32 values
            assert Fraction(float(f)) == value
            out[i] = _f32_bits(float(f))
    return out


def quantize_naive(
    x: np.ndarray, scheme: str, axis: int | None, dtype: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, scale, zero_point) following the documented conventions, channel by
    channel and element by element in float32 scalars."""
    x = np.asarray(x, dtype=np.float32)
    qmin, qmax = {"int8": (-128, 127), "uint8": (0, 255)}[dtype]
    if scheme == "symmetric":
        qmin = -127
    moved = x.reshape(1, -1) if axis is None else np.moveaxis(x, axis, 0)
    moved = moved.reshape(moved.shape[0], -1)
    values = np.empty(moved.shape, dtype=np.int64)
    scales, zero_points = [], []
    for c in range(moved.shape[0]):
        row = moved[c]
        lo = np.float32(min(row.min(), 0.0)) if row.size else np.float32(0.0)
        hi = np.float32(max(row.max(), 0.0)) if row.size else np.float32(0.0)
        if scheme == "symmetric":
            scale = np.float32(max(abs(lo), abs(hi))) / np.float32(127.0)
            scale = max(scale, np.float32(2.0**-126))
            zp = 0
        else:
            scale = (hi - lo) / np.float32(qmax - qmin)
            scale = max(scale, np.float32(np.finfo(np.float32).eps))
            zp = int(min(max(qmin - round(float(lo / scale)), qmin), qmax))
        inv = np.float32(1.0) / np.float32(scale)
        for k, v in enumerate(row.tolist()):
            product = np.float32(v) * inv
            q = zp + round(float(product))  # Python's round: half to even
            values[c, k] = min(max(q, qmin), qmax)
        scales.append(np.float32(scale))
        zero_points.append(zp)
    if axis is None:
        out = values.reshape(x.shape)
    else:
        shape = np.moveaxis(x, axis, 0).shape
        out = np.moveaxis(values.reshape(shape), 0, axis)
    return (
        out.astype(dtype),
        np.array(scales, dtype=np.float32),
        np.array(zero_points, dtype=np.int64),
    )


def quantize_rows_naive(
    x: np.ndarray, threshold: float = np.inf
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetric int8 quantization of each row (dynamic activation quantization),
    the entries with ``|x| > threshold`` replaced by 0 first; also returns the
    number of such entries per row."""
    x = np.asarray(x, dtype=np.float32)
    outlier = np.abs(x) > np.float32(threshold)
    values, scale, _ = quantize_naive(np.where(outlier, 0, x), "symmetric", 0, "int8")
    return values, scale, outlier.sum(axis=1)


def add_outlier_products_naive(
    x: np.ndarray,
    threshold: float,
    w: np.ndarray,
    w_scale: np.ndarray,
    out: np.ndarray,
) -> np.ndarray:
    """``out[i, j] += x[i, k] * (float32(w[j, k]) * w_scale[j])`` for each outlier
    ``|x[i, k]| > threshold``, in increasing k, one float32 operation at a time."""
    out = out.copy()
    limit = np.float32(threshold)
    for i in range(x.shape[0]):
        for k in range(x.shape[1]):
            v = np.float32(x[i, k])
            if abs(v) > limit:
                column = w[:, k].astype(np.float32) * w_scale
                out[i] = out[i] + v * column
    return out


def matmul_int8_naive(a: np.ndarray, b_rows: np.ndarray) -> np.ndarray:
    """``a @ b_rows.T`` in int64 (exact)."""
    return a.astype(np.int64) @ b_rows.astype(np.int64).T


def linear_int8_naive(
    a: np.ndarray,
    a_scale: np.ndarray,
    w: np.ndarray,
    w_scale: np.ndarray,
    bias: np.ndarray,
) -> np.ndarray:
    """``float32(a @ w.T) * (a_scale[i] * w_scale[j]) + bias[j]`` in float32."""
    acc = matmul_int8_naive(a, w).astype(np.float32)
    factor = (a_scale[:, None] * w_scale[None, :]).astype(np.float32)
    return (acc * factor + bias[None, :]).astype(np.float32)
