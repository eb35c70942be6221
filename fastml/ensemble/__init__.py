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
