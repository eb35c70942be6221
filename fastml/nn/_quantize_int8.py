"""int8 quantization (symmetric and asymmetric, per tensor and per channel) and the
exact int8 x int8 -> int32 matrix product.

Conventions
-----------
Quantizing and dequantizing, with ``zp`` the zero point::

    q = clip(zp + rint(x * float32(1 / scale)), qmin, qmax)      (float32, ties to even)
    x ~ (q - zp) * scale

This is the formula of torch's ``quantize_per_tensor`` / ``quantize_per_channel``
(fbgemm multiplies by the reciprocal of the scale instead of dividing), so given
the same scale and zero point fastml and torch produce the same integers.

Scales and zero points, per tensor or per channel (over all other axes):

- ``"symmetric"`` (int8 only): zero point 0, range **[-127, 127]**,
  ``scale = max|x| / 127``. The symmetric range keeps ``-q`` representable, maps
  ``+-max|x|`` exactly to ``+-127`` (torch's symmetric observer uses
  ``max|x| / 127.5`` on [-128, 127], which clips the positive end) and bounds every
  product of two quantized values by 127^2. The scale is floored at 2^-126 so its
  reciprocal is finite; an all-zero channel gets that floor and quantizes to 0.
- ``"asymmetric"`` (int8 on [-128, 127] or uint8 on [0, 255]): torch's min/max
  observer convention, computed in float32. The range is widened to include 0
  (so 0 is exactly representable: padding stays 0), ``scale = (max(x_max, 0) -
  min(x_min, 0)) / (qmax - qmin)`` floored at float32's machine epsilon (2^-23: a
  constant channel does not divide by zero), and ``zp = clip(qmin - rint(min(x_min,
  0) / scale), qmin, qmax)``.

NaN and infinity cannot be quantized: they raise ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from fastml._config import resolve_n_jobs

__all__ = ["QuantizedTensor", "matmul_int8", "quantize"]

_SCHEMES = ("symmetric", "asymmetric")
_RANGES = {
    ("symmetric", "int8"): (-127, 127),
    ("asymmetric", "int8"): (-128, 127),
    ("asymmetric", "uint8"): (0, 255),
}
_SCALE_FLOOR = np.float32(2.0**-126)
_EPS = np.finfo(np.float32).eps


def _kernels() -> Any:
    from fastml.kernels.nn import quantize

    return quantize


@dataclass(frozen=True, eq=False)
class QuantizedTensor:
    """An int8/uint8 tensor with its scale(s) and zero point(s).

    Attributes
    ----------
    values : ndarray of int8 or uint8
        The quantized tensor (the shape of the original).
    scale : ndarray of float32
        Shape () per tensor, or (n_channels,) per channel.
    zero_point : ndarray of int32
        Same shape as ``scale`` (all 0 for the symmetric scheme).
    axis : int or None
        The channel axis of ``values`` (None: per tensor).
    scheme : {"symmetric", "asymmetric"}
    """

    values: np.ndarray
    scale: np.ndarray
    zero_point: np.ndarray
    axis: int | None
    scheme: str

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def nbytes(self) -> int:
        """Bytes held by the values, scales and zero points."""
        return self.values.nbytes + self.scale.nbytes + self.zero_point.nbytes

    def _broadcast(self, param: np.ndarray) -> np.ndarray:
        if self.axis is None:
            return param
        shape = [1] * self.values.ndim
        shape[self.axis] = -1
        return param.reshape(shape)

    def dequantize(self) -> np.ndarray:
        """``(values - zero_point) * scale`` in float32, broadcast along ``axis``."""
        zero_point = self._broadcast(self.zero_point.astype(np.float32))
        return (self.values.astype(np.float32) - zero_point) * self._broadcast(
            self.scale
        )


def _finite_float32(x: Any, name: str) -> np.ndarray:
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold real numbers, got an array of dtype {array.dtype}."
        )
    with np.errstate(over="ignore"):  # float64 beyond float32's range: inf, rejected
        return np.asarray(array, dtype=np.float32, order="C")


def quantize(
    x: Any,
    *,
    scheme: str = "symmetric",
    axis: int | None = None,
    dtype: str = "int8",
) -> QuantizedTensor:
    """Quantize a float tensor to 8-bit integers, per tensor or per channel.

    Parameters
    ----------
    x : array-like
        Finite real values (converted to float32; NaN or inf raise ValueError).
    scheme : {"symmetric", "asymmetric"}, default="symmetric"
        Symmetric: zero point 0, int8 range [-127, 127]. Asymmetric: a zero point
        per channel, torch's min/max convention (see the module docstring).
    axis : int or None, default=None
        The channel axis for per-channel scales (e.g. 0 for a linear layer's
        ``(out_features, in_features)`` weight); None for a single scale.
    dtype : {"int8", "uint8"}, default="int8"
        uint8 only with the asymmetric scheme.

    Returns
    -------
    QuantizedTensor
        ``.dequantize()`` gives the float32 approximation; the error is at most
        ``scale / 2`` per element.

    Examples
    --------
    >>> import numpy as np
    >>> q = quantize(np.array([[1.0, -0.5], [0.0, 2.0]]), axis=0)
    >>> q.values
    array([[127, -64],
           [  0, 127]], dtype=int8)
    >>> q.dequantize()
    array([[ 1.      , -0.503937],
           [ 0.      ,  2.      ]], dtype=float32)
    """
    if scheme not in _SCHEMES:
        raise ValueError(f"scheme must be one of {_SCHEMES}, got {scheme!r}.")
    if (scheme, dtype) not in _RANGES:
        allowed = ("int8",) if scheme == "symmetric" else ("int8", "uint8")
        raise ValueError(
            f"dtype must be one of {allowed} for the {scheme} scheme, got {dtype!r}."
        )
    qmin, qmax = _RANGES[(scheme, dtype)]
    source = _finite_float32(x, "x")
    if axis is None:
        view = source.reshape(1, 1, -1)
    else:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"axis must be an int or None, got {axis!r}.")
        if source.ndim == 0:
            raise ValueError("axis must be None for a 0-d input.")
        axis = normalize_axis_index(int(axis), source.ndim)
        shape = source.shape
        view = source.reshape(
            int(np.prod(shape[:axis])), shape[axis], int(np.prod(shape[axis + 1 :]))
        )
    kernels = _kernels()
    n_channels = view.shape[1]
    lo = np.empty(n_channels, dtype=np.float32)
    hi = np.empty(n_channels, dtype=np.float32)
    if np.isnan(kernels.channel_extrema(view, lo, hi)):
        raise ValueError(
            "x contains NaN or infinity (after conversion to float32); only finite "
            "values can be quantized."
        )
    empty = lo > hi  # a channel without elements
    lo[empty] = 0.0
    hi[empty] = 0.0
    if scheme == "symmetric":
        amax = np.maximum(np.abs(lo), np.abs(hi))
        scale = np.maximum(amax / np.float32(127.0), _SCALE_FLOOR)
        zero_point = np.zeros(n_channels, dtype=np.int32)
    else:
        min_neg = np.minimum(lo, np.float32(0.0))
        max_pos = np.maximum(hi, np.float32(0.0))
        scale = np.maximum((max_pos - min_neg) / np.float32(qmax - qmin), _EPS)
        zero_point = np.clip(qmin - np.rint(min_neg / scale), qmin, qmax)
        zero_point = zero_point.astype(np.int32)
    scale = scale.astype(np.float32)
    inv_scale = (np.float32(1.0) / scale).astype(np.float32)
    values = np.empty(source.shape, dtype=np.dtype(dtype))
    kernels.quantize_channels(
        view,
        inv_scale,
        zero_point.astype(np.float32),
        float(qmin),
        float(qmax),
        values.reshape(view.shape),
    )
    if axis is None:
        return QuantizedTensor(
            values, scale.reshape(()), zero_point.reshape(()), None, scheme
        )
    return QuantizedTensor(values, scale, zero_point, axis, scheme)


def _int8_matrix(x: Any, name: str) -> np.ndarray:
    array = np.asarray(x)
    if array.dtype != np.int8:
        raise ValueError(f"{name} must be an int8 array, got dtype {array.dtype}.")
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {array.shape}.")
    return array


def check_inner_dim(n_inner: int) -> None:
    """ValueError when int32 accumulation of int8 products could overflow."""
    limit = _kernels().MAX_K_INT8
    if n_inner > limit:
        raise ValueError(
            f"inner dimension {n_inner} is too large for exact int32 accumulation "
            f"of int8 products (at most {limit})."
        )


def matmul_int8(a: Any, b: Any, *, n_jobs: int | None = None) -> np.ndarray:
    """Exact product of int8 matrices with int32 accumulation: ``a @ b``.

    Parameters
    ----------
    a : ndarray of shape (M, K), int8
    b : ndarray of shape (K, N), int8
        K at most 131071 (so that no sum can overflow int32).
    n_jobs : int or None, default=None
        Threads (None means 1, -1 all CPUs); the result does not depend on it.

    Returns
    -------
    ndarray of shape (M, N), int32
        Equal to ``a.astype(np.int64) @ b.astype(np.int64)``.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[127, -128]], dtype=np.int8)
    >>> b = np.array([[127], [-128]], dtype=np.int8)
    >>> matmul_int8(a, b)
    array([[32513]], dtype=int32)
    """
    a = _int8_matrix(a, "a")
    b = _int8_matrix(b, "b")
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"matmul_int8: a has {a.shape[1]} columns but b has {b.shape[0]} rows."
        )
    n_threads = resolve_n_jobs(n_jobs)
    check_inner_dim(a.shape[1])
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.int32)
    if out.size == 0:
        return out
    if a.shape[1] == 0:
        out.fill(0)
        return out
    from fastml.kernels._jit import num_threads

    a_rows = np.ascontiguousarray(a)
    b_rows = np.ascontiguousarray(b.T)
    with num_threads(n_threads):
        _kernels().matmul_int8_nt(a_rows, b_rows, out)
    return out
