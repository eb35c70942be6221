"""float32 <-> float16 and float32 <-> bfloat16 conversions (compiled bit kernels).

Rounding is to nearest, ties to even, including into the subnormal range and into
infinity (values at or beyond the midpoint above the largest finite value become
inf). Infinities and signed zeros are kept. NaN stays NaN:

- float32 -> bfloat16: every NaN becomes the quiet NaN ``0x7FC0`` / ``0xFFC0`` with
  its sign (payload dropped), exactly as ``ml_dtypes.bfloat16``; torch's vectorised
  CPU cast writes ``0xFFFF`` for every NaN instead (also a quiet NaN), so against
  torch the results are bit-identical for all non-NaN values and NaN for NaN.
- float32 -> float16: the sign and the top 10 payload bits are kept (a payload that
  would vanish becomes 1), exactly as numpy: a quiet NaN stays quiet, a signalling
  NaN stays signalling.
- bfloat16 / float16 -> float32 are exact; NaN payloads are kept (numpy's and
  ml_dtypes' behaviour).

The results are bit-identical to numpy's ``astype(np.float16)`` (in both directions)
and to ``ml_dtypes.bfloat16`` casts; the tests check every 16-bit pattern on the way
up and every rounding boundary on the way down (an exhaustive run over all 2^32
float32 patterns also found no difference). fastml computes the float16 conversion
with its own kernel rather than numpy's cast because numpy's float32 -> float16 cast
is a scalar loop (~70 x slower here).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "bfloat16_to_float32",
    "float16_to_float32",
    "float32_to_bfloat16",
    "float32_to_float16",
]


def _kernels() -> Any:
    from fastml.kernels.nn import quantize

    return quantize


def _as_float32(x: Any, name: str) -> np.ndarray:
    array = np.asarray(x)
    if array.dtype == np.float32:
        return np.asarray(array, order="C")
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold real numbers, got an array of dtype {array.dtype}."
        )
    with np.errstate(over="ignore"):  # beyond float32's range: inf, as numpy's cast
        return np.asarray(array, dtype=np.float32, order="C")


def _as_bits16(x: Any, name: str, accepted: tuple[str, ...]) -> np.ndarray:
    array = np.asarray(x)
    if array.dtype == np.uint16 or array.dtype.name in accepted:
        return np.asarray(array, order="C").view(np.uint16)
    raise ValueError(
        f"{name} must be an array of dtype {' or '.join(accepted)} or of uint16 bit "
        f"patterns, got dtype {array.dtype}."
    )


def float32_to_bfloat16(x: Any) -> np.ndarray:
    """Round float32 values to bfloat16, returned as uint16 bit patterns.

    Parameters
    ----------
    x : array-like
        float32 values (other real dtypes are first converted to float32, e.g.
        float64 is rounded to float32 and then to bfloat16).

    Returns
    -------
    bits : ndarray of the shape of x, uint16
        bfloat16 bit patterns (view them as ``ml_dtypes.bfloat16`` if installed).

    Examples
    --------
    >>> import numpy as np
    >>> bits = float32_to_bfloat16(np.array([1.0, 3.14159, -np.inf], np.float32))
    >>> [hex(b) for b in bits]
    ['0x3f80', '0x4049', '0xff80']
    >>> bfloat16_to_float32(bits)
    array([1.      , 3.140625,     -inf], dtype=float32)
    """
    source = _as_float32(x, "x")
    out = np.empty(source.shape, dtype=np.uint16)
    _kernels().convert_f32_to_bf16(source.reshape(-1).view(np.uint32), out.reshape(-1))
    return out


def bfloat16_to_float32(bits: Any) -> np.ndarray:
    """Widen bfloat16 values (uint16 bit patterns or ml_dtypes.bfloat16) to float32.

    Parameters
    ----------
    bits : array-like of uint16 or ml_dtypes.bfloat16

    Returns
    -------
    x : ndarray of the shape of bits, float32
        Exact (bfloat16 is float32 with the low 16 mantissa bits dropped).
    """
    source = _as_bits16(bits, "bits", ("bfloat16",))
    out = np.empty(source.shape, dtype=np.float32)
    _kernels().convert_bf16_to_f32(source.reshape(-1), out.reshape(-1).view(np.uint32))
    return out


def float32_to_float16(x: Any) -> np.ndarray:
    """Round float32 values to float16 (bit-identical to ``x.astype(np.float16)``).

    Parameters
    ----------
    x : array-like
        float32 values (other real dtypes are first converted to float32).

    Returns
    -------
    y : ndarray of the shape of x, float16

    Examples
    --------
    >>> import numpy as np
    >>> float32_to_float16(np.array([1.0, 65519.0, 65520.0, 1e-8], np.float32))
    array([1.00e+00, 6.55e+04,      inf, 0.00e+00], dtype=float16)
    """
    source = _as_float32(x, "x")
    out = np.empty(source.shape, dtype=np.float16)
    _kernels().convert_f32_to_f16(
        source.reshape(-1).view(np.uint32), out.reshape(-1).view(np.uint16)
    )
    return out


def float16_to_float32(x: Any) -> np.ndarray:
    """Widen float16 values (or uint16 bit patterns of float16) to float32, exactly.

    Parameters
    ----------
    x : array-like of float16 or uint16

    Returns
    -------
    y : ndarray of the shape of x, float32
    """
    source = _as_bits16(x, "x", ("float16",))
    out = np.empty(source.shape, dtype=np.float32)
    _kernels().convert_f16_to_f32(source.reshape(-1), out.reshape(-1).view(np.uint32))
    return out
