"""Support vector machines: SVC and SVR (SMO with second-order working-set
selection, shrinking and a kernel-row cache) and LinearSVC (dual coordinate
descent).

The names below load lazily (PEP 562), so importing ``fastml.svm`` compiles
nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_ATTRIBUTES = {
    "SVC": "fastml.svm._classes",
    "SVR": "fastml.svm._classes",
    "LinearSVC": "fastml.svm._linear",
}

__all__ = sorted(_ATTRIBUTES)


def __getattr__(name: str) -> Any:
    if name in _ATTRIBUTES:
        value = getattr(importlib.import_module(_ATTRIBUTES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fastml.svm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _warmup() -> None:
    """Load or compile the kernels of fastml.svm (fastml.warmup()): SVC (rbf, probability off), SVR and LinearSVC fits and predictions."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(np.int64)
    y3 = np.digitize(X[:, 1], [-0.5, 0.5])
    from fastml import svm

    svm.SVC().fit(X, y3).predict(X)
    svm.SVR().fit(X, X[:, 1]).predict(X)
    svm.LinearSVC().fit(X, y).predict(X)
