"""Quantized linear layers and conversions: fastml vs float32 BLAS, torch, ml_dtypes.

Groups (quick mode; full mode in brackets):

- ``linear_tokens``: 2,048 [8,192] tokens x 384 -> 1,536 (MiniLM's feed-forward
  shape), compute bound. fastml's float32 Linear (numpy BLAS), fastml int8
  (QuantizedLinear: int8 weights per output channel, activations quantized per
  row, exact int32 products), fastml bfloat16 (weight-only), torch float32 Linear
  and torch's dynamically quantized int8 Linear (fbgemm).
- ``linear_decode``: 8 tokens x 4,096 -> 4,096, bound by reading the weights
  (64 MiB in float32, 16 MiB in int8).
- ``matmul_int8``: the int8 x int8 -> int32 product alone (1,024 x 384 x 1,536)
  against numpy's float32 matmul on the same values.
- ``bfloat16_convert``: float32 -> bfloat16 on 16M values vs ml_dtypes and torch.

``extra_info``: ``weight_bytes`` (the layer's stored arrays) and ``rel_error``,
``max |y - y_fp32| / max |y_fp32|`` against the float32 layer.

Run: ``pytest bench/test_quantize.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

LIBS = ["fastml_fp32", "fastml_int8", "fastml_bf16", "torch_fp32", "torch_int8"]


def _linear_data(n_tokens: int, n_in: int, n_out: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    bound = 1.0 / np.sqrt(n_in)
    return {
        "x": rng.standard_normal((n_tokens, n_in), dtype=np.float32),
        "weight": rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
        "bias": rng.uniform(-bound, bound, n_out).astype(np.float32),
    }


@pytest.fixture(scope="module")
def tokens_data(bench_mode: str) -> dict[str, np.ndarray]:
    return _linear_data(8_192 if bench_mode == "full" else 2_048, 384, 1_536)


@pytest.fixture(scope="module")
def decode_data() -> dict[str, np.ndarray]:
    return _linear_data(8, 4_096, 4_096)


def _layer(lib: str, data: dict[str, np.ndarray], peer: Any, n_threads: int) -> Any:
    """(callable on x, input for it, weight bytes)."""
    x, weight, bias = data["x"], data["weight"], data["bias"]
    if lib.startswith("fastml"):
        from fastml.nn import Linear
        from fastml.nn.quantize import QuantizedLinear

        layer: Any = Linear(weight, bias)
        if lib == "fastml_int8":
            layer = QuantizedLinear.from_linear(layer, "int8", n_jobs=n_threads)
        elif lib == "fastml_bf16":
            layer = QuantizedLinear.from_linear(layer, "bfloat16")
        return layer, x, layer.nbytes
    torch = peer("torch")
    linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weight))
        linear.bias.copy_(torch.from_numpy(bias))
    nbytes = weight.nbytes + bias.nbytes
    if lib == "torch_int8":
        with warnings.catch_warnings():  # torch 2.13 deprecates eager quantization
            warnings.simplefilter("ignore")
            model = torch.ao.quantization.quantize_dynamic(
                torch.nn.Sequential(linear), {torch.nn.Linear}, dtype=torch.qint8
            )
        linear = model[0]
        # the int8 weight and the float32 bias (fbgemm's packed copy and its
        # column offsets are not counted)
        packed = linear._packed_params._weight_bias()[0]
        nbytes = packed.int_repr().numpy().nbytes + bias.nbytes

    def run(inputs: Any) -> np.ndarray:
        with torch.inference_mode():
            return linear(inputs).numpy()

    return run, torch.from_numpy(x), nbytes


def _run_linear(benchmark, run_warm, lib, data, peer, n_threads, group):
    layer, inputs, nbytes = _layer(lib, data, peer, n_threads)
    reference = data["x"] @ data["weight"].T + data["bias"]

    def quality(out: np.ndarray) -> dict[str, Any]:
        error = np.abs(np.asarray(out) - reference).max() / np.abs(reference).max()
        return {"weight_bytes": int(nbytes), "rel_error": float(error)}

    run_warm(benchmark, layer, inputs, group=group, quality=quality)


@pytest.mark.parametrize("lib", LIBS)
def test_linear_tokens(benchmark, run_warm, lib, tokens_data, peer, n_threads):
    _run_linear(benchmark, run_warm, lib, tokens_data, peer, n_threads, "linear_tokens")


@pytest.mark.parametrize("lib", LIBS)
def test_linear_decode(benchmark, run_warm, lib, decode_data, peer, n_threads):
    _run_linear(benchmark, run_warm, lib, decode_data, peer, n_threads, "linear_decode")


@pytest.mark.parametrize("lib", ["fastml_int8", "numpy_fp32"])
def test_matmul_int8(benchmark, run_warm, lib, n_threads):
    rng = np.random.default_rng(0)
    a = rng.integers(-127, 128, (1_024, 384), dtype=np.int8)
    b = rng.integers(-127, 128, (384, 1_536), dtype=np.int8)
    exact = a.astype(np.int64) @ b.astype(np.int64)
    if lib == "fastml_int8":
        from fastml.nn.quantize import matmul_int8

        def run() -> np.ndarray:
            return matmul_int8(a, b, n_jobs=n_threads)

    else:
        a32, b32 = a.astype(np.float32), b.astype(np.float32)

        def run() -> np.ndarray:
            return a32 @ b32

    def quality(out: np.ndarray) -> dict[str, Any]:
        return {"max_abs_error": float(np.abs(out.astype(np.float64) - exact).max())}

    benchmark.extra_info["gops"] = 2 * a.shape[0] * a.shape[1] * b.shape[1] / 1e9
    run_warm(benchmark, run, group="matmul_int8", quality=quality)


@pytest.mark.parametrize("lib", ["fastml", "ml_dtypes", "torch"])
def test_bfloat16_convert(benchmark, run_warm, lib, peer, n_threads):
    x = np.random.default_rng(0).standard_normal(16_000_000, dtype=np.float32)
    if lib == "fastml":
        from fastml.nn.quantize import float32_to_bfloat16 as run
    elif lib == "ml_dtypes":
        ml_dtypes = peer("ml_dtypes")

        def run(values: np.ndarray) -> np.ndarray:
            return values.astype(ml_dtypes.bfloat16).view(np.uint16)

    else:
        torch = peer("torch")

        def run(values: np.ndarray) -> np.ndarray:
            bits = torch.from_numpy(values).to(torch.bfloat16).view(torch.int16)
            return bits.numpy().view(np.uint16)

    from fastml.nn.quantize import float32_to_bfloat16

    expected = float32_to_bfloat16(x[:100_000])
    run_warm(
        benchmark,
        run,
        x,
        group="bfloat16_convert",
        quality=lambda out: {
            "bits_differing_first_100k": int(
                np.count_nonzero(out[:100_000] != expected)
            )
        },
    )
