"""Quantization kernels: float32 <-> float16 / bfloat16 bit conversions, int8
quantization per channel, and int8 x int8 -> int32 matrix products.

Conventions:

- Conversions work on bit patterns: float32 arrays are passed as their ``uint32``
  view, float16 and bfloat16 arrays as ``uint16`` (1-D, C-contiguous; the caller
  flattens). The loops hold only integer arithmetic, shifts and selects, which LLVM
  vectorises (AVX2: 8 lanes). Serial kernels: conversions are memory bound.
- Quantization kernels see a tensor as a C-contiguous float32 array of shape
  ``(n_outer, n_channels, n_inner)`` (a reshape of the caller's tensor around the
  channel axis: no copy); per-tensor quantization is ``n_channels == 1``.
- Matrix products take ``a`` of shape (M, K) and ``b`` of shape (N, K), both int8 and
  C-contiguous, and compute ``a @ b.T`` (the weight layout of a linear layer, so
  every output is a dot product of two contiguous rows). Parallel over output tiles;
  every output element is one thread's exact integer sum, so results are identical
  for any thread count.

Algorithms
----------
float32 -> bfloat16 (``convert_f32_to_bf16``): round to nearest even on the bits,
``(b + 0x7FFF + ((b >> 16) & 1)) >> 16``; a carry out of the mantissa moves to the
exponent, so the largest finite values round to infinity exactly as IEEE requires,
and subnormals round like any other value. NaN becomes the quiet NaN ``0x7FC0`` with
the input's sign (payload dropped), as ``ml_dtypes.bfloat16`` does. bfloat16 ->
float32 is ``h << 16`` (exact; NaN payloads, signalling or not, are kept).

float32 -> float16 (``convert_f32_to_f16``), numpy's algorithm (npy_floatbits_to_
halfbits) in branch-free form, with ``a = |b|`` (sign handled apart):

- ``a >= 0x477FF000`` (>= 65520, the midpoint between 65504 and 2^16, which ties to
  the even 2^16) gives infinity;
- normal results (``a >= 0x38800000``, i.e. >= 2^-14): rebias the exponent
  (subtract 112 << 23) and round the 13 dropped bits to nearest even as above;
- subnormal results: the 24-bit significand ``m`` (implicit bit included) shifted
  right by ``s = 126 - e`` (e the float32 biased exponent, s clipped to 31) with round
  to nearest even, ``(m + 2^(s-1) - 1 + ((m >> s) & 1)) >> s``; a result of 0x400 is
  the smallest normal, which is the correct encoding;
- NaN keeps its sign and the top 10 payload bits (``0x7C00 | payload >> 13``; a
  payload that would vanish becomes 1 so the result stays NaN): a quiet NaN stays
  quiet and a signalling NaN stays signalling, exactly as numpy.

float16 -> float32 (``convert_f16_to_f32``): normal values rebias the exponent
(add 112 << 23 to ``(h & 0x7FFF) << 13``); infinities and NaNs keep their payload
(``0x7F800000 | m << 13``, signalling NaNs stay signalling, as numpy); subnormals
``m * 2^-24`` come from the bits of ``float32(m)`` (exact) minus ``24 << 23``.

int8 quantization (``quantize_channels``): ``q = clip(zp + rint(x * inv_scale),
qmin, qmax)`` with ``inv_scale = float32(1 / scale)`` and ``rint`` rounding half to
even, evaluated in float32: the formula of fbgemm/torch's ``quantize_per_channel``,
which multiplies by the reciprocal instead of dividing.

Dynamic activation quantization with outliers (``quantize_rows_symmetric`` and
``add_outlier_products``): the mixed-precision decomposition of LLM.int8()
(Dettmers et al., 2022, "LLM.int8(): 8-bit Matrix Multiplication for Transformers at
Scale"), per row: entries above a magnitude threshold are left out of the row's
int8 range (so a few outlier features do not coarsen the quantization of all the
others) and multiplied in float32 with the dequantized weight columns. Decided per
row, never per batch, so a row's result does not depend on the other rows.

int8 matrix product (``matmul_int8_nt``): output tiles of ``_TILE_M x _TILE_N`` are
distributed over threads; inside a tile, 2 x 2 register blocks accumulate four dot
products over the whole of K in int32 (int8 values widened to int32: products of
at most 2^14, sums exact while K <= 131071, checked by the caller). LLVM vectorises
the K loop of a 2 x 2 block with 8-lane ``vpmulld``/``vpaddd`` accumulators; each
loaded row segment is used twice, which makes the blocked loop ~1.6 x faster than a
plain dot product (measured, AVX2, one thread: ~60 GOPS against ~35; 4 x 2 or
6 x 2 blocks gained under 10%). A single dot product is the only form in which LLVM
forms ``vpmaddwd`` (16 multiply-adds per instruction) here, and it is then bound by
loads; library int8 GEMMs (fbgemm) use ``vpmaddubsw`` on unsigned x signed bytes,
which no loop form tried here made LLVM emit. The result: about 0.6 x the throughput of
float32 BLAS (sgemm, ~95 GFLOPS per core) for large products, while small-M
(decoding) products, bound by reading the weights, run faster than sgemm because
int8 weights are 4 x smaller. The accumulators are written ``np.int32(s + x * y)``
because Numba widens int32 products to int64; the truncation lets LLVM keep 32-bit
lanes. ``linear_int8`` is the same loop with the dequantizing
epilogue ``y = float32(acc) * (a_scale[i] * w_scale[j]) + bias[j]``.

Naive references: tests/naive/quantize.py; tests: tests/kernels/test_quantize.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit, jit_parallel, prange

__all__ = [
    "MAX_K_INT8",
    "convert_f32_to_bf16",
    "convert_bf16_to_f32",
    "convert_f32_to_f16",
    "convert_f16_to_f32",
    "channel_extrema",
    "quantize_channels",
    "quantize_rows_symmetric",
    "add_outlier_products",
    "matmul_int8_nt",
    "linear_int8",
]

#: Largest inner dimension K for which int8 dot products cannot overflow int32:
#: 131071 * 128 * 128 < 2^31 - 1.
MAX_K_INT8 = 131071

# Output tile of the matrix products (rows x columns): small enough that a tile's
# rows of a and b stay in L2 for K up to a few thousand, large enough that the
# scheduling overhead is negligible.
_TILE_M = 32
_TILE_N = 64

# Symmetric int8 scale floor: 2^-126 keeps 1 / scale finite (float32).
_SCALE_FLOOR = np.float32(2.0**-126)


# ---------------------------------------------------------------------------------
# float32 <-> bfloat16 / float16 bit conversions
# ---------------------------------------------------------------------------------


@jit
def convert_f32_to_bf16(bits: np.ndarray, out: np.ndarray) -> None:
    """float32 -> bfloat16, round to nearest even.

    Parameters
    ----------
    bits : ndarray of shape (n,), uint32, IN
        The float32 values' bit patterns (``x.view(np.uint32)``).
    out : ndarray of shape (n,), uint16, OUT
        bfloat16 bit patterns.
    """
    for i in range(bits.shape[0]):
        b = np.int64(bits[i])
        rounded = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
        quiet_nan = ((b >> 16) & 0x8000) | 0x7FC0
        out[i] = np.uint16(quiet_nan if (b & 0x7FFFFFFF) > 0x7F800000 else rounded)


@jit
def convert_bf16_to_f32(bits: np.ndarray, out: np.ndarray) -> None:
    """bfloat16 -> float32 (exact).

    Parameters
    ----------
    bits : ndarray of shape (n,), uint16, IN
    out : ndarray of shape (n,), uint32, OUT
        float32 bit patterns (write into ``y.view(np.uint32)``).
    """
    for i in range(bits.shape[0]):
        out[i] = np.uint32(np.int64(bits[i]) << 16)


@jit
def convert_f32_to_f16(bits: np.ndarray, out: np.ndarray) -> None:
    """float32 -> float16, round to nearest even, bit-identical to numpy's cast.

    Parameters
    ----------
    bits : ndarray of shape (n,), uint32, IN
        The float32 values' bit patterns.
    out : ndarray of shape (n,), uint16, OUT
        float16 bit patterns.
    """
    for i in range(bits.shape[0]):
        b = np.int64(bits[i])
        sign = (b >> 16) & 0x8000
        a = b & 0x7FFFFFFF
        # normal float16 result
        v = a - 0x38000000
        normal = (v + 0xFFF + ((v >> 13) & 1)) >> 13
        # subnormal float16 result (or zero)
        e = a >> 23
        m = (a & 0x7FFFFF) | 0x800000
        s = min(126 - e, 31)
        sub = (m + (np.int64(1) << (s - 1)) - 1 + ((m >> s) & 1)) >> s
        # NaN: top payload bits, kept non-zero
        payload = (a & 0x7FFFFF) >> 13
        nan = 0x7C00 | (payload if payload != 0 else 1)
        h = sub
        if a >= 0x38800000:
            h = normal
        if a >= 0x477FF000:
            h = 0x7C00
        if a > 0x7F800000:
            h = nan
        out[i] = np.uint16(sign | h)


@jit
def convert_f16_to_f32(bits: np.ndarray, out: np.ndarray) -> None:
    """float16 -> float32 (exact), bit-identical to numpy's cast.

    Parameters
    ----------
    bits : ndarray of shape (n,), uint16, IN
    out : ndarray of shape (n,), uint32, OUT
        float32 bit patterns.
    """
    for i in range(bits.shape[0]):
        h = np.int64(bits[i])
        sign = (h & 0x8000) << 16
        e = h & 0x7C00
        m = h & 0x3FF
        normal = ((h & 0x7FFF) << 13) + (112 << 23)
        special = 0x7F800000 | (m << 13)
        sub = np.int64(np.float32(m).view(np.int32)) - (24 << 23)
        r = normal
        if e == 0x7C00:
            r = special
        if e == 0:
            r = sub if m != 0 else 0
        out[i] = np.uint32(sign | r)


# ---------------------------------------------------------------------------------
# int8 quantization
# ---------------------------------------------------------------------------------


@jit
def channel_extrema(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Per-channel minimum and maximum, and a check for non-finite values.

    Parameters
    ----------
    x : ndarray of shape (n_outer, n_channels, n_inner), float32, IN
    lo, hi : ndarray of shape (n_channels,), float32, OUT
        Minimum and maximum over the outer and inner axes (+inf / -inf when empty).

    Returns
    -------
    check : float
        NaN when ``x`` holds a NaN or an infinity, else 0 (the sum of ``v - v``:
        vectorisable, unlike a branch).
    """
    n_outer, n_channels, n_inner = x.shape
    check = np.float32(0.0)
    for c in range(n_channels):
        lo[c] = np.inf
        hi[c] = -np.inf
    if n_inner == 1:
        for o in range(n_outer):
            for c in range(n_channels):
                v = x[o, c, 0]
                lo[c] = v if v < lo[c] else lo[c]
                hi[c] = v if v > hi[c] else hi[c]
                check += v - v
        return check
    for o in range(n_outer):
        for c in range(n_channels):
            low = lo[c]
            high = hi[c]
            for k in range(n_inner):
                v = x[o, c, k]
                low = v if v < low else low
                high = v if v > high else high
                check += v - v
            lo[c] = low
            hi[c] = high
    return check


@jit
def quantize_channels(
    x: np.ndarray,
    inv_scale: np.ndarray,
    zero_point: np.ndarray,
    qmin: float,
    qmax: float,
    out: np.ndarray,
) -> None:
    """``out = clip(zero_point + rint(x * inv_scale), qmin, qmax)`` per channel.

    Parameters
    ----------
    x : ndarray of shape (n_outer, n_channels, n_inner), float32, IN
        Finite values (checked by the caller).
    inv_scale : ndarray of shape (n_channels,), float32, IN
        ``float32(1 / scale)``.
    zero_point : ndarray of shape (n_channels,), float32, IN
        Integer-valued.
    qmin, qmax : float
        The integer range, e.g. -127 and 127.
    out : ndarray of shape (n_outer, n_channels, n_inner), int8 or uint8, OUT
    """
    n_outer, n_channels, n_inner = x.shape
    low = np.float32(qmin)
    high = np.float32(qmax)
    for o in range(n_outer):
        for c in range(n_channels):
            inv = inv_scale[c]
            zp = zero_point[c]
            for k in range(n_inner):
                q = zp + np.rint(x[o, c, k] * inv)
                q = low if q < low else q
                q = high if q > high else q
                out[o, c, k] = q


@jit_parallel
def quantize_rows_symmetric(
    x: np.ndarray,
    threshold: float,
    out: np.ndarray,
    scale: np.ndarray,
    n_outliers: np.ndarray,
) -> float:
    """Symmetric int8 quantization of each row (dynamic activation quantization),
    leaving out the entries beyond ``threshold``.

    Entries with ``|x[i, k]| > threshold`` (outliers, handled in float by
    :func:`add_outlier_products`) quantize to 0 and do not count in the row's range.
    ``scale[i] = max(|x[i, k]| over the other entries) / 127`` (floored at 2^-126
    so that its reciprocal is finite; a row without such entries gets the floor)
    and ``out[i, k] = clip(rint(x[i, k] * float32(1 / scale[i])), -127, 127)``.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_cols), float32, IN
    threshold : float
        Outlier threshold (``inf``: no outliers).
    out : ndarray of shape (n_rows, n_cols), int8, OUT
    scale : ndarray of shape (n_rows,), float32, OUT
    n_outliers : ndarray of shape (n_rows,), int64, OUT
        Number of outlier entries of each row.

    Returns
    -------
    check : float
        NaN when ``x`` holds a NaN or an infinity (the output is then meaningless),
        else 0.
    """
    n_rows, n_cols = x.shape
    limit = np.float32(threshold)
    checks = np.zeros(n_rows, dtype=np.float32)
    for i in prange(n_rows):
        amax = np.float32(0.0)
        check = np.float32(0.0)
        count = 0
        for k in range(n_cols):
            v = x[i, k]
            a = abs(v)
            inlier = a <= limit
            a = a if inlier else np.float32(0.0)
            amax = a if a > amax else amax
            count += 0 if inlier else 1
            check += v - v
        checks[i] = check
        n_outliers[i] = count
        s = amax / np.float32(127.0)
        s = s if s > _SCALE_FLOOR else _SCALE_FLOOR
        inv = np.float32(1.0) / s
        scale[i] = s
        for k in range(n_cols):
            v = x[i, k]
            v = v if abs(v) <= limit else np.float32(0.0)
            q = np.rint(v * inv)
            q = np.float32(-127.0) if q < -127.0 else q
            q = np.float32(127.0) if q > 127.0 else q
            out[i, k] = q
    total = np.float32(0.0)
    for i in range(n_rows):
        total += checks[i]
    return total


@jit_parallel
def add_outlier_products(
    x: np.ndarray,
    threshold: float,
    n_outliers: np.ndarray,
    w: np.ndarray,
    w_scale: np.ndarray,
    out: np.ndarray,
) -> None:
    """Add the float products of the outlier entries left out of the int8 product.

    For every row i and, in increasing k, every entry with
    ``|x[i, k]| > threshold``: ``out[i, j] += x[i, k] * (float32(w[j, k]) *
    w_scale[j])`` for all j (the dequantized weight column), in float32. Rows are
    independent (parallel over rows, same result for any thread count).

    Parameters
    ----------
    x : ndarray of shape (M, K), float32, IN
    threshold : float
    n_outliers : ndarray of shape (M,), int64, IN
        From :func:`quantize_rows_symmetric` (rows with 0 are skipped).
    w : ndarray of shape (N, K), int8, IN
    w_scale : ndarray of shape (N,), float32, IN
    out : ndarray of shape (M, N), float32, IN/OUT
    """
    n_rows, n_cols = x.shape
    n_out = w.shape[0]
    limit = np.float32(threshold)
    for i in prange(n_rows):
        if n_outliers[i] == 0:
            continue
        for k in range(n_cols):
            v = x[i, k]
            if abs(v) > limit:
                for j in range(n_out):
                    out[i, j] += v * (np.float32(w[j, k]) * w_scale[j])


# ---------------------------------------------------------------------------------
# int8 x int8 -> int32 matrix products
# ---------------------------------------------------------------------------------


@jit
def _dot_2x2(a: np.ndarray, b: np.ndarray, i: int, j: int) -> tuple:
    n_k = a.shape[1]
    s00 = np.int32(0)
    s01 = np.int32(0)
    s10 = np.int32(0)
    s11 = np.int32(0)
    for k in range(n_k):
        x0 = np.int32(a[i, k])
        x1 = np.int32(a[i + 1, k])
        y0 = np.int32(b[j, k])
        y1 = np.int32(b[j + 1, k])
        # np.int32(...) keeps the accumulators 32-bit (Numba widens int32 products
        # to int64), so LLVM vectorises with 8-lane int32 vectors.
        s00 = np.int32(s00 + x0 * y0)
        s01 = np.int32(s01 + x0 * y1)
        s10 = np.int32(s10 + x1 * y0)
        s11 = np.int32(s11 + x1 * y1)
    return s00, s01, s10, s11


@jit
def _dot_1x2(a: np.ndarray, b: np.ndarray, i: int, j: int) -> tuple:
    n_k = a.shape[1]
    s0 = np.int32(0)
    s1 = np.int32(0)
    for k in range(n_k):
        x = np.int32(a[i, k])
        s0 = np.int32(s0 + x * np.int32(b[j, k]))
        s1 = np.int32(s1 + x * np.int32(b[j + 1, k]))
    return s0, s1


@jit
def _dot_2x1(a: np.ndarray, b: np.ndarray, i: int, j: int) -> tuple:
    n_k = a.shape[1]
    s0 = np.int32(0)
    s1 = np.int32(0)
    for k in range(n_k):
        y = np.int32(b[j, k])
        s0 = np.int32(s0 + np.int32(a[i, k]) * y)
        s1 = np.int32(s1 + np.int32(a[i + 1, k]) * y)
    return s0, s1


@jit
def _dot_1x1(a: np.ndarray, b: np.ndarray, i: int, j: int) -> np.int32:
    n_k = a.shape[1]
    s = np.int32(0)
    for k in range(n_k):
        s = np.int32(s + np.int32(a[i, k]) * np.int32(b[j, k]))
    return s


@jit
def _tile_int32(
    a: np.ndarray, b: np.ndarray, out: np.ndarray, i0: int, i1: int, j0: int, j1: int
) -> None:
    i_even = i0 + ((i1 - i0) // 2) * 2
    j_even = j0 + ((j1 - j0) // 2) * 2
    for j in range(j0, j_even, 2):
        for i in range(i0, i_even, 2):
            s00, s01, s10, s11 = _dot_2x2(a, b, i, j)
            out[i, j] = s00
            out[i, j + 1] = s01
            out[i + 1, j] = s10
            out[i + 1, j + 1] = s11
        if i_even < i1:
            s0, s1 = _dot_1x2(a, b, i_even, j)
            out[i_even, j] = s0
            out[i_even, j + 1] = s1
    if j_even < j1:
        for i in range(i0, i_even, 2):
            s0, s1 = _dot_2x1(a, b, i, j_even)
            out[i, j_even] = s0
            out[i + 1, j_even] = s1
        if i_even < i1:
            out[i_even, j_even] = _dot_1x1(a, b, i_even, j_even)


@jit
def _tile_scaled(
    a: np.ndarray,
    a_scale: np.ndarray,
    b: np.ndarray,
    b_scale: np.ndarray,
    bias: np.ndarray,
    out: np.ndarray,
    i0: int,
    i1: int,
    j0: int,
    j1: int,
) -> None:
    i_even = i0 + ((i1 - i0) // 2) * 2
    j_even = j0 + ((j1 - j0) // 2) * 2
    for j in range(j0, j_even, 2):
        w0 = b_scale[j]
        w1 = b_scale[j + 1]
        c0 = bias[j]
        c1 = bias[j + 1]
        for i in range(i0, i_even, 2):
            s00, s01, s10, s11 = _dot_2x2(a, b, i, j)
            u0 = a_scale[i]
            u1 = a_scale[i + 1]
            out[i, j] = np.float32(s00) * (u0 * w0) + c0
            out[i, j + 1] = np.float32(s01) * (u0 * w1) + c1
            out[i + 1, j] = np.float32(s10) * (u1 * w0) + c0
            out[i + 1, j + 1] = np.float32(s11) * (u1 * w1) + c1
        if i_even < i1:
            s0, s1 = _dot_1x2(a, b, i_even, j)
            u = a_scale[i_even]
            out[i_even, j] = np.float32(s0) * (u * w0) + c0
            out[i_even, j + 1] = np.float32(s1) * (u * w1) + c1
    if j_even < j1:
        w = b_scale[j_even]
        c = bias[j_even]
        for i in range(i0, i_even, 2):
            s0, s1 = _dot_2x1(a, b, i, j_even)
            out[i, j_even] = np.float32(s0) * (a_scale[i] * w) + c
            out[i + 1, j_even] = np.float32(s1) * (a_scale[i + 1] * w) + c
        if i_even < i1:
            s = _dot_1x1(a, b, i_even, j_even)
            out[i_even, j_even] = np.float32(s) * (a_scale[i_even] * w) + c


@jit_parallel
def matmul_int8_nt(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """Exact ``out = a @ b.T`` for int8 matrices, accumulated in int32.

    Parameters
    ----------
    a : ndarray of shape (M, K), int8, C-contiguous, IN
    b : ndarray of shape (N, K), int8, C-contiguous, IN
        K <= MAX_K_INT8 (checked by the caller), so no sum can overflow.
    out : ndarray of shape (M, N), int32, OUT
    """
    n_rows = a.shape[0]
    n_cols = b.shape[0]
    n_tiles_m = (n_rows + _TILE_M - 1) // _TILE_M
    n_tiles_n = (n_cols + _TILE_N - 1) // _TILE_N
    for t in prange(n_tiles_m * n_tiles_n):
        tj = t // n_tiles_m
        ti = t - tj * n_tiles_m
        i0 = ti * _TILE_M
        j0 = tj * _TILE_N
        _tile_int32(
            a, b, out, i0, min(i0 + _TILE_M, n_rows), j0, min(j0 + _TILE_N, n_cols)
        )


@jit_parallel
def linear_int8(
    a: np.ndarray,
    a_scale: np.ndarray,
    w: np.ndarray,
    w_scale: np.ndarray,
    bias: np.ndarray,
    out: np.ndarray,
) -> None:
    """Quantized linear layer: ``out = (a @ w.T) * a_scale[:, None] * w_scale + bias``.

    The int32 products are exact (as in :func:`matmul_int8_nt`); the epilogue is
    ``float32(acc) * (a_scale[i] * w_scale[j]) + bias[j]`` in float32.

    Parameters
    ----------
    a : ndarray of shape (M, K), int8, C-contiguous, IN
        Quantized activations (one scale per row).
    a_scale : ndarray of shape (M,), float32, IN
    w : ndarray of shape (N, K), int8, C-contiguous, IN
        Quantized weights (one scale per output channel), K <= MAX_K_INT8.
    w_scale : ndarray of shape (N,), float32, IN
    bias : ndarray of shape (N,), float32, IN
        Zeros for a layer without bias.
    out : ndarray of shape (M, N), float32, OUT
    """
    n_rows = a.shape[0]
    n_cols = w.shape[0]
    n_tiles_m = (n_rows + _TILE_M - 1) // _TILE_M
    n_tiles_n = (n_cols + _TILE_N - 1) // _TILE_N
    for t in prange(n_tiles_m * n_tiles_n):
        tj = t // n_tiles_m
        ti = t - tj * n_tiles_m
        i0 = ti * _TILE_M
        j0 = tj * _TILE_N
        _tile_scaled(
            a,
            a_scale,
            w,
            w_scale,
            bias,
            out,
            i0,
            min(i0 + _TILE_M, n_rows),
            j0,
            min(j0 + _TILE_N, n_cols),
        )
