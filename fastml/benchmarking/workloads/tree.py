"""Decision tree workloads: DecisionTreeClassifier fit and predict vs scikit-learn.

Data: make_classification (20 features, 10 informative, random_state=0) as float32,
the last 20 % of the rows held out (100,000 training rows in full mode); quality:
test accuracy of each side's tree. A single tree has no thread parameter in either
library: both grow and predict it serially.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 2_400}],
    "quick": [{"n_samples": 30_000}],
    "full": [{"n_samples": 120_000}],
}


def _make(size: Size, seed: int) -> dict[str, Any]:
    from fastml.datasets import make_classification

    X, y = make_classification(
        n_samples=size["n_samples"], n_features=20, n_informative=10, random_state=seed
    )
    X = np.ascontiguousarray(X, dtype=np.float32)
    n_train = size["n_samples"] * 5 // 6
    return {
        "X": X[:n_train],
        "y": y[:n_train],
        "X_test": X[n_train:],
        "y_test": y[n_train:],
    }


def _fit_fastml(data: dict[str, Any], n_threads: int) -> Any:
    from fastml.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(random_state=0).fit(data["X"], data["y"])


def _fit_sklearn(data: dict[str, Any], n_threads: int) -> Any:
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(random_state=0).fit(data["X"], data["y"])


def _accuracy(data: dict[str, Any], model: Any) -> float:
    return float(np.mean(model.predict(data["X_test"]) == data["y_test"]))


def _make_predict(size: Size, seed: int) -> dict[str, Any]:
    data = _make(size, seed)
    data["fastml_model"] = _fit_fastml(data, 1)
    try:
        data["sklearn_model"] = _fit_sklearn(data, 1)
    except ImportError:
        data["sklearn_model"] = None
    return data


def _predict_fastml(data: dict[str, Any], n_threads: int) -> np.ndarray:
    return np.asarray(data["fastml_model"].predict_proba(data["X"]))


def _predict_sklearn(data: dict[str, Any], n_threads: int) -> np.ndarray:
    return np.asarray(data["sklearn_model"].predict_proba(data["X"]))


def _proba_accuracy(data: dict[str, Any], proba: Any) -> float:
    return float(np.mean(np.argmax(proba, axis=1) == data["y"]))


def _label(size: Size) -> str:
    return f"{size['n_samples'] * 5 // 6 / 1000:g}k x 20"


WORKLOADS = [
    Workload(
        name="decision_tree_fit",
        area="tree",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fit_fastml,
        peers=[Peer("sklearn", ("sklearn",), _fit_sklearn)],
        quality=_accuracy,
        quality_name="test accuracy",
        description="DecisionTreeClassifier fit (unlimited depth), float32, 20 features",
        size_label=_label,
    ),
    Workload(
        name="decision_tree_predict",
        area="tree",
        sizes=_SIZES,
        make_data=_make_predict,
        run_fastml=_predict_fastml,
        peers=[Peer("sklearn", ("sklearn",), _predict_sklearn)],
        quality=_proba_accuracy,
        quality_name="train accuracy",
        description="DecisionTreeClassifier predict_proba on the training rows",
        size_label=_label,
    ),
]
