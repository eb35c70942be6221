"""Loss workloads: cross-entropy values (vs torch) and boosting gradients (vs NumPy)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload
from fastml.benchmarking.workloads._common import (
    import_attr,
    max_abs_diff,
    n_jobs_kwargs,
    scalar_diff,
    torch_with_threads,
)

_BINARY_SIZES = {
    "tiny": [{"n_samples": 2_000}],
    "quick": [{"n_samples": 1_000_000}],
    "full": [{"n_samples": 10_000_000}],
}
_MULTI_SIZES = {
    "tiny": [{"n_samples": 500, "n_classes": 10}],
    "quick": [{"n_samples": 200_000, "n_classes": 10}],
    "full": [{"n_samples": 1_000_000, "n_classes": 100}],
}


def _binary_logits(size: Size, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """float64 labels in {0, 1} and float64 logits correlated with them."""
    rng = np.random.default_rng(seed)
    n = size["n_samples"]
    y = (rng.random(n) < 0.4).astype(np.float64)
    z = 2.0 * (y - 0.5) + rng.standard_normal(n)
    return y, z


def _class_logits(size: Size, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """int64 class indices and float32 logits of shape (n_samples, n_classes)."""
    rng = np.random.default_rng(seed)
    n, k = size["n_samples"], size["n_classes"]
    y = rng.integers(0, k, size=n, dtype=np.int64)
    z = rng.standard_normal((n, k)).astype(np.float32)
    z[np.arange(n), y] += 1.5
    return y, z


def _loss_object(name: str) -> Any:
    return import_attr("fastml.losses", name)(from_logits=True)


def _fastml_loss(name: str, data: Any, n_threads: int) -> float:
    loss = _loss_object(name)
    return loss.loss(data[0], data[1], **n_jobs_kwargs(loss.loss, n_threads))


def _fastml_grad_hess(data: Any, n_threads: int) -> np.ndarray:
    loss = _loss_object("BinaryCrossEntropy")
    method = loss.gradient_hessian
    grad, hess = method(data[0], data[1], **n_jobs_kwargs(method, n_threads))
    return np.stack([grad, hess])


def _torch_bce(data: Any, n_threads: int) -> float:
    torch = torch_with_threads(n_threads)
    y, z = (torch.from_numpy(a) for a in data)
    return float(torch.nn.functional.binary_cross_entropy_with_logits(z, y))


def _torch_cross_entropy(data: Any, n_threads: int) -> float:
    torch = torch_with_threads(n_threads)
    y, z = (torch.from_numpy(a) for a in data)
    return float(torch.nn.functional.cross_entropy(z, y))


def _numpy_grad_hess(data: Any, n_threads: int) -> np.ndarray:
    from scipy.special import expit

    y, z = data
    p = expit(z)
    return np.stack([p - y, p * (1.0 - p)])


def _value(data: Any, out: Any) -> float:
    return float(out)


WORKLOADS = [
    Workload(
        name="BinaryCrossEntropy.loss",
        area="losses",
        sizes=_BINARY_SIZES,
        make_data=_binary_logits,
        run_fastml=lambda d, n: _fastml_loss("BinaryCrossEntropy", d, n),
        peers=[Peer("torch", ("torch",), _torch_bce)],
        quality=_value,
        quality_name="loss",
        compare=scalar_diff,
        description="mean binary cross-entropy from float64 logits",
    ),
    Workload(
        name="CategoricalCrossEntropy.loss",
        area="losses",
        sizes=_MULTI_SIZES,
        make_data=_class_logits,
        run_fastml=lambda d, n: _fastml_loss("CategoricalCrossEntropy", d, n),
        peers=[Peer("torch", ("torch",), _torch_cross_entropy)],
        quality=_value,
        quality_name="loss",
        compare=scalar_diff,
        description="mean softmax cross-entropy from float32 logits, class indices",
    ),
    Workload(
        name="BinaryCrossEntropy.gradient_hessian",
        area="losses",
        sizes=_BINARY_SIZES,
        make_data=_binary_logits,
        run_fastml=_fastml_grad_hess,
        peers=[Peer("scipy", ("scipy",), _numpy_grad_hess)],
        compare=max_abs_diff,
        description="logistic gradient and hessian (boosting objective) from logits",
    ),
]
