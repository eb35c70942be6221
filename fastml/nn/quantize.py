"""Quantization for inference: float16 / bfloat16 conversions, int8 quantization,
an exact int8 matrix product, quantized linear layers and whole-model quantization.

Conversions (round to nearest even, bit-identical to numpy's float16 and to
``ml_dtypes.bfloat16``; bfloat16 is stored as uint16 bit patterns):
:func:`float32_to_bfloat16`, :func:`bfloat16_to_float32`,
:func:`float32_to_float16`, :func:`float16_to_float32`.

int8: :func:`quantize` (symmetric on [-127, 127] or asymmetric with a zero point,
per tensor or per channel) returns a :class:`QuantizedTensor` with
``.dequantize()``; :func:`matmul_int8` multiplies int8 matrices exactly (int32
accumulation).

Layers and models: :class:`QuantizedLinear` (int8 weights with dynamic per-row
activation quantization, or bfloat16 / float16 weights), :func:`quantize_model`
(a copy of a model with every :class:`fastml.nn.Linear` quantized),
:func:`memory_report` and :func:`memory_table` (bytes of the actual arrays).

Nothing is compiled at import; kernels compile (or load from Numba's cache) at
their first call.

Examples
--------
>>> import numpy as np
>>> from fastml.nn.quantize import quantize, float32_to_bfloat16
>>> q = quantize(np.array([0.5, -1.0, 0.25], np.float32))
>>> q.values, q.scale
(array([  64, -127,   32], dtype=int8), array(0.00787402, dtype=float32))
>>> float32_to_bfloat16(np.array([1.0], np.float32))
array([16256], dtype=uint16)
"""

from __future__ import annotations

from fastml.nn._quantize_float import (
    bfloat16_to_float32,
    float16_to_float32,
    float32_to_bfloat16,
    float32_to_float16,
)
from fastml.nn._quantize_int8 import QuantizedTensor, matmul_int8, quantize
from fastml.nn._quantized_linear import (
    FORMATS,
    QuantizedLinear,
    memory_report,
    memory_table,
    quantize_model,
)

__all__ = [
    "FORMATS",
    "QuantizedLinear",
    "QuantizedTensor",
    "bfloat16_to_float32",
    "float16_to_float32",
    "float32_to_bfloat16",
    "float32_to_float16",
    "matmul_int8",
    "memory_report",
    "memory_table",
    "quantize",
    "quantize_model",
]


def _warmup() -> None:
    """Compile (or load from Numba's cache) every quantization kernel signature:
    the four conversions, int8 and uint8 quantization, the matrix products."""
    import numpy as np

    x = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(3, 4)
    float16_to_float32(float32_to_float16(x))
    bfloat16_to_float32(float32_to_bfloat16(x))
    quantize(x, axis=0)
    quantize(x, scheme="asymmetric", dtype="uint8")
    matmul_int8(quantize(x).values, quantize(x.T).values)
    QuantizedLinear(x, dtype="int8")(x[:, :4])
