"""Decision trees (CART): classification and regression trees with scikit-learn's
parameters and the same trees as scikit-learn, extremely randomized trees,
minimal cost-complexity pruning, and tree export (text, matplotlib plot).

The low-level build entry used by the tree ensembles lives in
``fastml.tree._builder`` (``prepare_data``, ``build_tree``), the fitted-tree arrays
in ``fastml.tree._structure.Tree`` and the flat prediction layout in
``fastml.tree._flat``. Names load lazily (PEP 562): importing ``fastml.tree``
compiles nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_ATTRIBUTES = {
    "DecisionTreeClassifier": "fastml.tree._classes",
    "DecisionTreeRegressor": "fastml.tree._classes",
    "ExtraTreeClassifier": "fastml.tree._classes",
    "ExtraTreeRegressor": "fastml.tree._classes",
    "select_ccp_alpha": "fastml.tree._pruning",
    "export_text": "fastml.tree._export",
    "plot_tree": "fastml.tree._export",
}

__all__ = sorted(_ATTRIBUTES)


def __getattr__(name: str) -> Any:
    if name in _ATTRIBUTES:
        value = getattr(importlib.import_module(_ATTRIBUTES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fastml.tree' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _warmup() -> None:
    """Load or compile the CART kernels (fastml.warmup()): the builder for a
    classification and a regression criterion, the pruning kernels and the
    prediction path."""
    import numpy as np

    from fastml.tree._classes import DecisionTreeClassifier, DecisionTreeRegressor

    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    y = np.array([0, 0, 1, 1])
    clf = DecisionTreeClassifier(ccp_alpha=0.01, random_state=0).fit(X, y)
    clf.predict_proba(X)
    clf.cost_complexity_pruning_path(X, y)
    DecisionTreeRegressor(random_state=0).fit(X, y.astype(float)).predict(X)
