"""fastml: machine-learning estimators with compiled kernels, checked against their peers.

``import fastml`` is cheap: submodules load on first attribute access (PEP 562) and no
kernel is compiled until it is first called. :func:`warmup` compiles the common kernel
signatures ahead of time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBMODULES = (
    "activations",
    "base",
    "benchmarking",
    "cluster",
    "datasets",
    "decomposition",
    "discriminant_analysis",
    "ensemble",
    "gbdt",
    "linear_model",
    "losses",
    "metrics",
    "model_selection",
    "neighbors",
    "nn",
    "preprocessing",
    "svm",
    "tree",
    "utils",
)
_ATTRIBUTES = {
    "clone": "fastml.base",
    "NotFittedError": "fastml.exceptions",
    "warmup": "fastml._warmup",
}

__all__ = [*_SUBMODULES, *_ATTRIBUTES, "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from fastml._warmup import warmup as warmup
    from fastml.base import clone as clone
    from fastml.exceptions import NotFittedError as NotFittedError


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"fastml.{name}")
    if name in _ATTRIBUTES:
        return getattr(importlib.import_module(_ATTRIBUTES[name]), name)
    raise AttributeError(f"module 'fastml' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
