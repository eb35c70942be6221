"""Random forest workloads: RandomForestClassifier fit and predict vs scikit-learn.

Data: make_classification (20 features, 10 informative, random_state=0) as float32,
the last 20 % of the rows held out; quality: test accuracy of each side's forest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 2_400, "n_estimators": 10}],
    "quick": [{"n_samples": 30_000, "n_estimators": 30}],
    "full": [{"n_samples": 120_000, "n_estimators": 100}],
}


def _make(size: Size, seed: int) -> dict[str, Any]:
    from fastml.datasets import make_classification

    X, y = make_classification(
        n_samples=size["n_samples"],
        n_features=20,
        n_informative=10,
        random_state=seed,
    )
    X = np.ascontiguousarray(X, dtype=np.float32)
    n_train = size["n_samples"] * 5 // 6
    return {
        "X": X[:n_train],
        "y": y[:n_train],
        "X_test": X[n_train:],
        "y_test": y[n_train:],
        "n_estimators": size["n_estimators"],
    }


def _fit_fastml(data: dict[str, Any], n_threads: int) -> Any:
    from fastml.ensemble import RandomForestClassifier

    est = RandomForestClassifier(
        n_estimators=data["n_estimators"], n_jobs=n_threads, random_state=0
    )
    return est.fit(data["X"], data["y"])


def _fit_sklearn(data: dict[str, Any], n_threads: int) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    est = RandomForestClassifier(
        n_estimators=data["n_estimators"], n_jobs=n_threads, random_state=0
    )
    return est.fit(data["X"], data["y"])


def _accuracy(data: dict[str, Any], model: Any) -> float:
    return float(np.mean(model.predict(data["X_test"]) == data["y_test"]))


def _make_predict(size: Size, seed: int) -> dict[str, Any]:
    data = _make(size, seed)
    # Both forests fitted once (untimed); the predict workload times predict_proba
    # on the training rows (the larger set).
    data["fastml_model"] = _fit_fastml(data, 2)
    try:
        data["sklearn_model"] = _fit_sklearn(data, 2)
    except ImportError:
        data["sklearn_model"] = None
    return data


def _predict_fastml(data: dict[str, Any], n_threads: int) -> np.ndarray:
    model = data["fastml_model"]
    model.set_params(n_jobs=n_threads)
    return np.asarray(model.predict_proba(data["X"]))


def _predict_sklearn(data: dict[str, Any], n_threads: int) -> np.ndarray:
    model = data["sklearn_model"]
    model.set_params(n_jobs=n_threads)
    return np.asarray(model.predict_proba(data["X"]))


def _proba_accuracy(data: dict[str, Any], proba: Any) -> float:
    return float(np.mean(np.argmax(proba, axis=1) == data["y"]))


def _label(size: Size) -> str:
    n_train = size["n_samples"] * 5 // 6
    return f"{n_train / 1000:g}k x 20, {size['n_estimators']} trees"


WORKLOADS = [
    Workload(
        name="random_forest_fit",
        area="forest",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fit_fastml,
        peers=[Peer("sklearn", ("sklearn",), _fit_sklearn)],
        quality=_accuracy,
        quality_name="test accuracy",
        description="RandomForestClassifier fit, float32, 20 features",
        size_label=_label,
    ),
    Workload(
        name="random_forest_predict",
        area="forest",
        sizes=_SIZES,
        make_data=_make_predict,
        run_fastml=_predict_fastml,
        peers=[Peer("sklearn", ("sklearn",), _predict_sklearn)],
        quality=_proba_accuracy,
        quality_name="train accuracy",
        description="RandomForestClassifier predict_proba on the training rows",
        size_label=_label,
    ),
]
