"""Interleaved timings of quantized linear layers: fastml float32 / int8 / bfloat16
and torch float32 / dynamic int8, in turn (one call each per round).

pytest-benchmark runs all rounds of one library before the next, so a burst of load
on a shared machine lands on one side; taking turns spreads it evenly. Reported: the
minimum over the rounds, and the ratio to fastml's float32 Linear (numpy's BLAS).
Same data as bench/test_quantize.py. Threads: fastml's int8 kernels via ``n_jobs``,
numpy's BLAS via threadpoolctl, torch via ``set_num_threads``.

Usage: ``python bench/quantize_interleaved.py [threads] [rounds]``.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

SHAPES = [(2_048, 384, 1_536), (8, 4_096, 4_096), (1, 4_096, 4_096)]


def _layers(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, n_threads: int):
    import torch

    from fastml.nn import Linear
    from fastml.nn.quantize import QuantizedLinear

    fp32 = Linear(weight, bias)
    int8 = QuantizedLinear.from_linear(fp32, "int8", n_jobs=n_threads)
    bf16 = QuantizedLinear.from_linear(fp32, "bfloat16")
    linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weight))
        linear.bias.copy_(torch.from_numpy(bias))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dynamic = torch.ao.quantization.quantize_dynamic(
            torch.nn.Sequential(linear), {torch.nn.Linear}, dtype=torch.qint8
        )[0]
    xt = torch.from_numpy(x)

    def torch_run(layer: Any) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            with torch.inference_mode():
                return layer(xt).numpy()

        return run

    return {
        "fastml_fp32": (lambda: fp32(x), fp32.nbytes),
        "fastml_int8": (lambda: int8(x), int8.nbytes),
        "fastml_bf16": (lambda: bf16(x), bf16.nbytes),
        "torch_fp32": (torch_run(linear), weight.nbytes + bias.nbytes),
        "torch_int8": (torch_run(dynamic), weight.size + bias.nbytes),
    }


def main(n_threads: int, rounds: int) -> None:
    import torch
    from fastml.kernels._jit import num_threads
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n_threads)
    rng = np.random.default_rng(0)
    with threadpool_limits(n_threads), num_threads(n_threads):
        for n_tokens, n_in, n_out in SHAPES:
            bound = 1.0 / np.sqrt(n_in)
            x = rng.standard_normal((n_tokens, n_in), dtype=np.float32)
            weight = rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32)
            bias = rng.uniform(-bound, bound, n_out).astype(np.float32)
            runs = _layers(x, weight, bias, n_threads)
            reference = x @ weight.T + bias
            errors = {}
            for name, (run, _) in runs.items():
                out = run()  # warm-up (compilation, packing)
                errors[name] = np.abs(out - reference).max() / np.abs(reference).max()
            times: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(rounds):
                for name, (run, _) in runs.items():
                    start = time.perf_counter()
                    run()
                    times[name].append(time.perf_counter() - start)
            base = min(times["fastml_fp32"])
            print(f"{n_tokens} x {n_in} -> {n_out}, {n_threads} thread(s):")
            for name, (_, nbytes) in runs.items():
                best = min(times[name])
                print(
                    f"  {name:12s} {best * 1e3:9.3f} ms  x{best / base:5.2f} of fp32"
                    f"  weights {nbytes / 2**20:6.2f} MiB  rel.err {errors[name]:.1e}"
                )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 2,
        int(sys.argv[2]) if len(sys.argv) > 2 else 30,
    )
