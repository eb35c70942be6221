"""Ensembles of trees and of any estimator: random forests and extremely randomized
trees (with out-of-bag estimates), bagging, AdaBoost (SAMME) and classic gradient
boosting.

The names below load lazily (PEP 562), so importing ``fastml.ensemble`` compiles
nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_ATTRIBUTES = {
    "RandomForestClassifier": "fastml.ensemble._forest",
    "RandomForestRegressor": "fastml.ensemble._forest",
    "ExtraTreesClassifier": "fastml.ensemble._forest",
    "ExtraTreesRegressor": "fastml.ensemble._forest",
    "BaggingClassifier": "fastml.ensemble._bagging",
    "BaggingRegressor": "fastml.ensemble._bagging",
    "AdaBoostClassifier": "fastml.ensemble._weight_boosting",
    "AdaBoostRegressor": "fastml.ensemble._weight_boosting",
    "GradientBoostingClassifier": "fastml.ensemble._gradient_boosting",
    "GradientBoostingRegressor": "fastml.ensemble._gradient_boosting",
}

__all__ = sorted(_ATTRIBUTES)


def __getattr__(name: str) -> Any:
    if name in _ATTRIBUTES:
        value = getattr(importlib.import_module(_ATTRIBUTES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fastml.ensemble' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _warmup() -> None:
    """Load or compile the kernels of fastml.ensemble (fastml.warmup()): small forests, bagging, AdaBoost and gradient boosting fits and predictions, binary, multiclass and regression."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(np.int64)
    y3 = np.digitize(X[:, 1], [-0.5, 0.5])
    from fastml import ensemble

    for est in (
        ensemble.RandomForestClassifier(n_estimators=3, random_state=0),
        ensemble.ExtraTreesClassifier(n_estimators=3, random_state=0),
        ensemble.GradientBoostingClassifier(n_estimators=3),
        ensemble.AdaBoostClassifier(n_estimators=3),
        ensemble.BaggingClassifier(n_estimators=3),
    ):
        for target in (y, y3):
            est.fit(X, target).predict_proba(X)
    for reg in (
        ensemble.RandomForestRegressor(n_estimators=3, random_state=0),
        ensemble.GradientBoostingRegressor(n_estimators=3),
        ensemble.AdaBoostRegressor(n_estimators=3),
    ):
        reg.fit(X, X[:, 1]).predict(X)
