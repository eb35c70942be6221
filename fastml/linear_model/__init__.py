"""Linear models: least squares, ridge (with efficient leave-one-out CV), lasso and
elastic net by coordinate descent (paths and cross-validation), and logistic
regression with l2 / l1 / elastic-net penalties.

The names below load lazily (PEP 562), so importing ``fastml.linear_model``
compiles nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_ATTRIBUTES = {
    "LinearRegression": "fastml.linear_model._least_squares",
    "Ridge": "fastml.linear_model._ridge",
    "RidgeCV": "fastml.linear_model._ridge",
    "Lasso": "fastml.linear_model._coordinate_descent",
    "ElasticNet": "fastml.linear_model._coordinate_descent",
    "LassoCV": "fastml.linear_model._coordinate_descent_cv",
    "ElasticNetCV": "fastml.linear_model._coordinate_descent_cv",
    "lasso_path": "fastml.linear_model._coordinate_descent",
    "enet_path": "fastml.linear_model._coordinate_descent",
    "LogisticRegression": "fastml.linear_model._logistic",
}

__all__ = sorted(_ATTRIBUTES)


def __getattr__(name: str) -> Any:
    if name in _ATTRIBUTES:
        value = getattr(importlib.import_module(_ATTRIBUTES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fastml.linear_model' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
