"""Helpers shared by the workload modules."""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any

import numpy as np

__all__ = [
    "accepts_n_jobs",
    "import_attr",
    "max_abs_diff",
    "n_jobs_kwargs",
    "scalar_diff",
    "torch_with_threads",
]


def import_attr(module_name: str, name: str) -> Any:
    """``from module_name import name``, lazily; ImportError when either is missing.

    The runner reports an ImportError about a fastml module as "area missing" rather
    than as a failure, which is what a not-yet-written function is.
    """
    import importlib

    module = importlib.import_module(module_name)
    try:
        return getattr(module, name)
    except AttributeError:
        raise ImportError(
            f"cannot import name {name!r} from {module_name!r}", name=module_name
        ) from None


@functools.lru_cache(maxsize=256)
def accepts_n_jobs(func: Any) -> bool:
    """True when ``func`` (a function or a class) takes an ``n_jobs`` keyword."""
    try:
        return "n_jobs" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def n_jobs_kwargs(func: Any, n_threads: int) -> dict[str, int]:
    """``{"n_jobs": n_threads}`` when ``func`` accepts it, else ``{}``.

    fastml functions default to one thread; the bench gives them the same thread
    count as the peers.
    """
    return {"n_jobs": n_threads} if accepts_n_jobs(func) else {}


def _dense(x: Any) -> np.ndarray:
    if hasattr(x, "toarray"):  # scipy.sparse matrix or array
        return np.asarray(x.toarray())
    if hasattr(x, "detach"):  # torch tensor
        return x.detach().cpu().numpy()
    return np.asarray(x)


def max_abs_diff(a: Any, b: Any) -> float:
    """Largest absolute elementwise difference (dense, sparse or torch; in float64).

    Sparse inputs are compared without densifying; shapes must match.
    """
    if hasattr(a, "tocsr") and hasattr(b, "tocsr"):
        if a.shape != b.shape:
            return float("inf")
        diff = (a.tocsr().astype(np.float64) - b.tocsr().astype(np.float64)).tocsr()
        return float(np.max(np.abs(diff.data))) if diff.nnz else 0.0
    a_dense, b_dense = _dense(a), _dense(b)
    if a_dense.shape != b_dense.shape:
        return float("inf")
    if a_dense.size == 0:
        return 0.0
    return float(
        np.max(np.abs(a_dense.astype(np.float64) - b_dense.astype(np.float64)))
    )


def scalar_diff(a: Any, b: Any) -> float:
    """``|a - b|`` for two scalar results."""
    return abs(float(a) - float(b))


def torch_with_threads(n_threads: int) -> Any:
    """Import torch and set its intra-op thread count (cheap when already set)."""
    import torch

    if torch.get_num_threads() != n_threads:
        torch.set_num_threads(n_threads)
    return sys.modules["torch"]
