"""Classic boosting workloads: GradientBoostingClassifier fit and predict, and
AdaBoostClassifier fit, vs scikit-learn.

Data: make_classification (20 features, 10 informative, random_state=0) as float32,
the last sixth of the rows held out; gradient boosting with 100 rounds of depth-3
trees in "full" mode (the issue's benchmark: 100,000 training rows), fewer rows and
rounds in "quick" and "tiny". Quality: test accuracy of each side's model.
scikit-learn's gradient boosting has no thread parameter (it is single-threaded);
fastml gets ``n_jobs=n_threads``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_GB_SIZES = {
    "tiny": [{"n_samples": 2_400, "n_estimators": 5}],
    "quick": [{"n_samples": 24_000, "n_estimators": 20}],
    "full": [{"n_samples": 120_000, "n_estimators": 100}],
}
_ADA_SIZES = {
    "tiny": [{"n_samples": 2_400, "n_estimators": 5}],
    "quick": [{"n_samples": 24_000, "n_estimators": 20}],
    "full": [{"n_samples": 120_000, "n_estimators": 50}],
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


def _gb_fastml(data: dict[str, Any], n_threads: int) -> Any:
    from fastml.ensemble import GradientBoostingClassifier

    est = GradientBoostingClassifier(
        n_estimators=data["n_estimators"], max_depth=3, random_state=0, n_jobs=n_threads
    )
    return est.fit(data["X"], data["y"])


def _gb_sklearn(data: dict[str, Any], n_threads: int) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    est = GradientBoostingClassifier(
        n_estimators=data["n_estimators"], max_depth=3, random_state=0
    )
    return est.fit(data["X"], data["y"])


def _ada_fastml(data: dict[str, Any], n_threads: int) -> Any:
    from fastml.ensemble import AdaBoostClassifier

    est = AdaBoostClassifier(n_estimators=data["n_estimators"], random_state=0)
    return est.fit(data["X"], data["y"])


def _ada_sklearn(data: dict[str, Any], n_threads: int) -> Any:
    from sklearn.ensemble import AdaBoostClassifier

    est = AdaBoostClassifier(n_estimators=data["n_estimators"], random_state=0)
    return est.fit(data["X"], data["y"])


def _accuracy(data: dict[str, Any], model: Any) -> float:
    return float(np.mean(model.predict(data["X_test"]) == data["y_test"]))


def _make_predict(size: Size, seed: int) -> dict[str, Any]:
    data = _make(size, seed)
    data["fastml_model"] = _gb_fastml(data, 2)
    try:
        data["sklearn_model"] = _gb_sklearn(data, 2)
    except ImportError:
        data["sklearn_model"] = None
    return data


def _predict_fastml(data: dict[str, Any], n_threads: int) -> np.ndarray:
    model = data["fastml_model"]
    model.set_params(n_jobs=n_threads)
    return np.asarray(model.predict_proba(data["X"]))


def _predict_sklearn(data: dict[str, Any], n_threads: int) -> np.ndarray:
    return np.asarray(data["sklearn_model"].predict_proba(data["X"]))


def _proba_accuracy(data: dict[str, Any], proba: Any) -> float:
    return float(np.mean(np.argmax(proba, axis=1) == data["y"]))


def _label(size: Size) -> str:
    return f"{size['n_samples'] // 1000}k x 20, {size['n_estimators']} rounds"


WORKLOADS = [
    Workload(
        name="gradient_boosting_fit",
        area="boosting",
        sizes=_GB_SIZES,
        make_data=_make,
        run_fastml=_gb_fastml,
        peers=[Peer("sklearn", ("sklearn",), _gb_sklearn)],
        quality=_accuracy,
        quality_name="test accuracy",
        description="GradientBoostingClassifier fit (depth 3), float32, 20 features",
        size_label=_label,
    ),
    Workload(
        name="gradient_boosting_predict",
        area="boosting",
        sizes=_GB_SIZES,
        make_data=_make_predict,
        run_fastml=_predict_fastml,
        peers=[Peer("sklearn", ("sklearn",), _predict_sklearn)],
        quality=_proba_accuracy,
        quality_name="train accuracy",
        description="GradientBoostingClassifier predict_proba on the training rows",
        size_label=_label,
    ),
    Workload(
        name="adaboost_fit",
        area="boosting",
        sizes=_ADA_SIZES,
        make_data=_make,
        run_fastml=_ada_fastml,
        peers=[Peer("sklearn", ("sklearn",), _ada_sklearn)],
        quality=_accuracy,
        quality_name="test accuracy",
        description="AdaBoostClassifier (SAMME, stumps) fit, float32, 20 features",
        size_label=_label,
    ),
]
