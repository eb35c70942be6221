"""Activation workloads on a large float32 matrix, against torch (else scipy)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload
from fastml.benchmarking.workloads._common import (
    import_attr,
    max_abs_diff,
    n_jobs_kwargs,
    torch_with_threads,
)

_SIZES = {
    "tiny": [{"n_rows": 64, "n_cols": 128}],
    "quick": [{"n_rows": 4_096, "n_cols": 1_024}],
    "full": [{"n_rows": 16_384, "n_cols": 4_096}],
}


def _logits(size: Size, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (size["n_rows"], size["n_cols"])
    return (3.0 * rng.standard_normal(shape)).astype(np.float32)


def _fastml(name: str) -> Any:
    return import_attr("fastml.activations", name)


def _run_fastml(name: str, x: np.ndarray, n_threads: int) -> np.ndarray:
    func = _fastml(name)
    return func(x, **n_jobs_kwargs(func, n_threads))


def _torch_softmax(x: np.ndarray, n_threads: int) -> np.ndarray:
    torch = torch_with_threads(n_threads)
    return torch.softmax(torch.from_numpy(x), dim=-1).numpy()


def _torch_log_softmax(x: np.ndarray, n_threads: int) -> np.ndarray:
    torch = torch_with_threads(n_threads)
    return torch.log_softmax(torch.from_numpy(x), dim=-1).numpy()


def _torch_gelu(x: np.ndarray, n_threads: int) -> np.ndarray:
    torch = torch_with_threads(n_threads)
    return torch.nn.functional.gelu(torch.from_numpy(x)).numpy()


def _scipy_softmax(x: np.ndarray, n_threads: int) -> np.ndarray:
    from scipy.special import softmax

    return softmax(x, axis=-1)


def _scipy_log_softmax(x: np.ndarray, n_threads: int) -> np.ndarray:
    from scipy.special import log_softmax

    return log_softmax(x, axis=-1)


def _scipy_gelu(x: np.ndarray, n_threads: int) -> np.ndarray:
    # Exact (erf) GELU, the default of torch and of most transformer code.
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x * np.float32(1.0 / math.sqrt(2.0))))


def _activation(name: str, torch_run: Any, scipy_run: Any) -> Workload:
    return Workload(
        name=name,
        area="activations",
        sizes=_SIZES,
        make_data=_logits,
        run_fastml=lambda x, n: _run_fastml(name, x, n),
        peers=[
            Peer("torch", ("torch",), torch_run),
            Peer("scipy", ("scipy",), scipy_run),
        ],
        peer_mode="first",
        compare=max_abs_diff,
        description=f"{name} over the last axis of a float32 matrix",
    )


WORKLOADS = [
    _activation("softmax", _torch_softmax, _scipy_softmax),
    _activation("log_softmax", _torch_log_softmax, _scipy_log_softmax),
    _activation("gelu", _torch_gelu, _scipy_gelu),
]
