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


def _warmup() -> None:
    """Load or compile the kernels of fastml.linear_model (fastml.warmup()): ridge, lasso/elastic-net coordinate descent and logistic regression (lbfgs and saga, binary and multinomial)."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(np.int64)
    y3 = np.digitize(X[:, 1], [-0.5, 0.5])
    from fastml import linear_model

    linear_model.Ridge().fit(X, X[:, 1]).predict(X)
    linear_model.ElasticNet(alpha=0.01).fit(X, X[:, 1]).predict(X)
    for target in (y, y3):
        linear_model.LogisticRegression().fit(X, target).predict_proba(X)
    linear_model.LogisticRegression(solver="saga", l1_ratio=1.0, max_iter=5).fit(X, y)
