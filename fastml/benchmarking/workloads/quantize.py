"""Quantization workloads: the int8 linear layer against float32 matmul (numpy's
BLAS) and torch's dynamically quantized int8 Linear, and the bfloat16 conversion
against ml_dtypes.

The layers are quantized on the untimed warm-up call (cached on the data object);
the timed calls only run the layer. Quality: the largest error relative to the
float32 layer's largest output, ``max |y - y_fp32| / max |y_fp32|``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload
from fastml.benchmarking.workloads._common import max_abs_diff, torch_with_threads

_LINEAR_SIZES = {
    "tiny": [{"n_tokens": 64, "n_in": 128, "n_out": 256}],
    "quick": [
        {"n_tokens": 2_048, "n_in": 384, "n_out": 1_536},
        {"n_tokens": 8, "n_in": 4_096, "n_out": 4_096},
    ],
    "full": [
        {"n_tokens": 8_192, "n_in": 384, "n_out": 1_536},
        {"n_tokens": 8, "n_in": 4_096, "n_out": 4_096},
        {"n_tokens": 1, "n_in": 4_096, "n_out": 4_096},
    ],
}
_CONVERT_SIZES = {
    "tiny": [{"n_values": 100_000}],
    "quick": [{"n_values": 4_000_000}],
    "full": [{"n_values": 64_000_000}],
}


@dataclass
class _LinearData:
    x: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    layers: dict[str, Any] = field(default_factory=dict)
    reference: np.ndarray | None = None


def _make_linear(size: Size, seed: int) -> _LinearData:
    rng = np.random.default_rng(seed)
    n_in, n_out = size["n_in"], size["n_out"]
    bound = 1.0 / np.sqrt(n_in)
    weight = rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32)
    bias = rng.uniform(-bound, bound, n_out).astype(np.float32)
    x = rng.standard_normal((size["n_tokens"], n_in), dtype=np.float32)
    return _LinearData(x, weight, bias)


def _fastml_int8(data: _LinearData, n_threads: int) -> np.ndarray:
    layer = data.layers.get("fastml")
    if layer is None or layer.n_jobs != n_threads:
        from fastml.nn.quantize import QuantizedLinear

        layer = QuantizedLinear(data.weight, data.bias, dtype="int8", n_jobs=n_threads)
        data.layers["fastml"] = layer
    return layer(data.x)


def _numpy_fp32(data: _LinearData, n_threads: int) -> np.ndarray:
    out = data.x @ data.weight.T
    out += data.bias
    return out


def _torch_int8(data: _LinearData, n_threads: int) -> np.ndarray:
    torch = torch_with_threads(n_threads)
    layer = data.layers.get("torch")
    if layer is None:
        import warnings

        linear = torch.nn.Linear(data.weight.shape[1], data.weight.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(data.weight))
            linear.bias.copy_(torch.from_numpy(data.bias))
        with warnings.catch_warnings():  # torch 2.13 deprecates eager quantization
            warnings.simplefilter("ignore")
            layer = torch.ao.quantization.quantize_dynamic(
                torch.nn.Sequential(linear), {torch.nn.Linear}, dtype=torch.qint8
            )
        data.layers["torch"] = layer
    with torch.inference_mode():
        return layer(torch.from_numpy(data.x)).numpy()


def _relative_error(data: _LinearData, out: Any) -> float:
    if data.reference is None:
        data.reference = _numpy_fp32(data, 1)
    scale = float(np.abs(data.reference).max()) or 1.0
    return max_abs_diff(out, data.reference) / scale


def _make_values(size: Size, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(size["n_values"], dtype=np.float32)


def _fastml_bf16(x: np.ndarray, n_threads: int) -> np.ndarray:
    from fastml.nn.quantize import float32_to_bfloat16

    return float32_to_bfloat16(x)


def _ml_dtypes_bf16(x: np.ndarray, n_threads: int) -> np.ndarray:
    import ml_dtypes

    return x.astype(ml_dtypes.bfloat16).view(np.uint16)


def _torch_bf16(x: np.ndarray, n_threads: int) -> np.ndarray:
    torch = torch_with_threads(n_threads)
    bits = torch.from_numpy(x).to(torch.bfloat16).view(torch.int16).numpy()
    return bits.view(np.uint16)


def _bits_differ(a: Any, b: Any) -> float:
    """Number of differing bfloat16 bit patterns (NaN-free data)."""
    return float(np.count_nonzero(np.asarray(a) != np.asarray(b)))


WORKLOADS = [
    Workload(
        name="int8_linear",
        area="nn",
        sizes=_LINEAR_SIZES,
        make_data=_make_linear,
        run_fastml=_fastml_int8,
        peers=[
            Peer("numpy_fp32", ("numpy",), _numpy_fp32),
            Peer("torch_int8", ("torch",), _torch_int8),
        ],
        quality=_relative_error,
        quality_name="rel. error vs fp32",
        description=(
            "linear layer, int8 weights per channel + dynamic int8 activations per "
            "row, vs float32 BLAS and torch's dynamic int8 Linear"
        ),
        size_label=lambda s: f"{s['n_tokens']} x {s['n_in']} -> {s['n_out']}",
    ),
    Workload(
        name="float32_to_bfloat16",
        area="nn",
        sizes=_CONVERT_SIZES,
        make_data=_make_values,
        run_fastml=_fastml_bf16,
        peers=[
            Peer("ml_dtypes", ("ml_dtypes",), _ml_dtypes_bf16),
            Peer("torch", ("torch",), _torch_bf16),
        ],
        compare=_bits_differ,
        description="float32 -> bfloat16 (round to nearest even), bit patterns",
    ),
]
