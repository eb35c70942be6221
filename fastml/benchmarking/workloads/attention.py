"""Scaled dot-product attention workloads: fastml vs torch SDPA and naive numpy.

Batch 1, 8 heads, head dimension 64, float32 (the issue's setting); causal and not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload
from fastml.benchmarking.workloads._common import max_abs_diff, torch_with_threads

_SIZES = {
    "tiny": [{"length": 64}],
    "quick": [{"length": 1_024}],
    "full": [{"length": 2_048}, {"length": 4_096}],
}
_HEADS = 8
_HEAD_DIM = 64


def _make(size: Size, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    shape = (1, _HEADS, size["length"], _HEAD_DIM)
    return tuple(rng.standard_normal(shape, dtype=np.float32) for _ in range(3))


def _fastml(data: Any, n_threads: int, causal: bool) -> np.ndarray:
    from fastml.nn import scaled_dot_product_attention

    q, k, v = data
    return scaled_dot_product_attention(q, k, v, is_causal=causal, n_jobs=n_threads)


def _torch(data: Any, n_threads: int, causal: bool) -> np.ndarray:
    torch = torch_with_threads(n_threads)
    q, k, v = (torch.from_numpy(x) for x in data)
    return torch.nn.functional.scaled_dot_product_attention(
        q, k, v, is_causal=causal
    ).numpy()


def _numpy(data: Any, n_threads: int, causal: bool) -> np.ndarray:
    q, k, v = data
    return numpy_attention(q, k, v, causal)


def numpy_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool
) -> np.ndarray:
    """The naive peer: softmax(Q K^T / sqrt(d) + causal bias) V with full (L, L)
    score matrices (float32, BLAS matmul)."""
    scores = np.matmul(q, np.swapaxes(k, -1, -2))
    scores *= np.float32(1.0 / np.sqrt(q.shape[-1]))
    if causal:
        length = scores.shape[-1]
        scores[..., np.triu(np.ones((length, length), dtype=bool), 1)] = -np.inf
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return np.matmul(scores, v)


def _workload(causal: bool) -> Workload:
    kind = "causal" if causal else "full"
    return Workload(
        name=f"sdpa_{kind}",
        area="attention",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=lambda data, n: _fastml(data, n, causal),
        peers=[
            Peer("torch", ("torch",), lambda data, n: _torch(data, n, causal)),
            Peer("numpy", ("numpy",), lambda data, n: _numpy(data, n, causal)),
        ],
        compare=max_abs_diff,
        description=(
            f"scaled dot-product attention ({kind}), batch 1, 8 heads, d 64, float32"
        ),
        size_label=lambda size: f"L={size['length']}",
    )


WORKLOADS = [_workload(False), _workload(True)]
