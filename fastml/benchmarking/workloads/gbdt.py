"""Gradient boosting workloads: fit and predict vs XGBoost (hist) and LightGBM.

The issue's benchmark ("full"): 1,000,000 x 28 float32 training rows
(make_classification, 12 informative), with and without 10% NaN, 100 rounds, depth
6 (LightGBM: num_leaves 63), 255 bins, learning rate 0.1; test AUC on 200,000
held-out rows; a 500,000 x 20 regression (test R2); predict_proba on the 200,000
test rows. "quick" uses a tenth of the rows and 50 rounds, "tiny" a few thousand rows
and 10 rounds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload
from fastml.benchmarking.workloads._common import import_attr

_CLF_SIZES = {
    "tiny": [{"n_samples": 4_000, "n_features": 28, "n_estimators": 10}],
    "quick": [{"n_samples": 100_000, "n_features": 28, "n_estimators": 50}],
    "full": [{"n_samples": 1_000_000, "n_features": 28, "n_estimators": 100}],
}
_REG_SIZES = {
    "tiny": [{"n_samples": 4_000, "n_features": 20, "n_estimators": 10}],
    "quick": [{"n_samples": 50_000, "n_features": 20, "n_estimators": 50}],
    "full": [{"n_samples": 500_000, "n_features": 20, "n_estimators": 100}],
}


def _label(size: Size) -> str:
    from fastml.benchmarking._registry import human_count

    return f"{human_count(size['n_samples'])} x {size['n_features']}, {size['n_estimators']} rounds"


def _params(size: Size) -> dict[str, Any]:
    return {
        "n_estimators": size["n_estimators"],
        "max_depth": 6,
        "learning_rate": 0.1,
        "max_bin": 255,
    }


def _classification(size: Size, seed: int, nan: float = 0.0) -> dict[str, Any]:
    make = import_attr("fastml.datasets", "make_classification")
    n = size["n_samples"]
    n_test = max(n // 5, 1000)
    X, y = make(
        n + n_test,
        size["n_features"],
        n_informative=12,
        random_state=seed,
        dtype=np.float32,
    )
    if nan:
        X[np.random.default_rng(seed + 1).random(X.shape) < nan] = np.nan
    return {
        "X": X[:n],
        "y": y[:n],
        "X_test": X[n:],
        "y_test": y[n:],
        "params": _params(size),
    }


def _classification_nan(size: Size, seed: int) -> dict[str, Any]:
    return _classification(size, seed, nan=0.1)


def _regression(size: Size, seed: int) -> dict[str, Any]:
    make = import_attr("fastml.datasets", "make_regression")
    n = size["n_samples"]
    n_test = max(n // 5, 1000)
    X, y = make(
        n + n_test,
        size["n_features"],
        n_informative=10,
        noise=10.0,
        random_state=seed,
        dtype=np.float32,
    )
    return {
        "X": X[:n],
        "y": y[:n],
        "X_test": X[n:],
        "y_test": y[n:],
        "params": _params(size),
    }


def _fastml_model(task: str, params: dict[str, Any], n_threads: int) -> Any:
    name = "GBDTClassifier" if task == "clf" else "GBDTRegressor"
    return import_attr("fastml.gbdt", name)(n_jobs=n_threads, **params)


def _xgboost_model(task: str, params: dict[str, Any], n_threads: int) -> Any:
    name = "XGBClassifier" if task == "clf" else "XGBRegressor"
    return import_attr("xgboost", name)(tree_method="hist", n_jobs=n_threads, **params)


def _lightgbm_model(task: str, params: dict[str, Any], n_threads: int) -> Any:
    name = "LGBMClassifier" if task == "clf" else "LGBMRegressor"
    return import_attr("lightgbm", name)(
        num_leaves=63, n_jobs=n_threads, verbose=-1, **params
    )


def _fit(make_model: Any, task: str) -> Any:
    def run(data: dict[str, Any], n_threads: int) -> Any:
        return make_model(task, data["params"], n_threads).fit(data["X"], data["y"])

    return run


def _auc(data: dict[str, Any], model: Any) -> float:
    roc_auc_score = import_attr("fastml.metrics", "roc_auc_score")
    return float(
        roc_auc_score(data["y_test"], model.predict_proba(data["X_test"])[:, 1])
    )


def _r2(data: dict[str, Any], model: Any) -> float:
    r2_score = import_attr("fastml.metrics", "r2_score")
    return float(r2_score(data["y_test"], model.predict(data["X_test"])))


def _predict_data(size: Size, seed: int) -> dict[str, Any]:
    """Fitted models of every installed library (untimed) and the test rows."""
    data = _classification(size, seed)
    models = {}
    for name, make in (
        ("fastml", _fastml_model),
        ("xgboost", _xgboost_model),
        ("lightgbm", _lightgbm_model),
    ):
        try:
            models[name] = make("clf", data["params"], 2).fit(data["X"], data["y"])
        except ImportError:
            continue
    data["models"] = models
    return data


def _predict(name: str) -> Any:
    def run(data: dict[str, Any], n_threads: int) -> np.ndarray:
        model = data["models"][name]
        model.set_params(n_jobs=n_threads)  # the same keyword in all three libraries
        return model.predict_proba(data["X_test"])

    return run


def _proba_auc(data: dict[str, Any], proba: np.ndarray) -> float:
    roc_auc_score = import_attr("fastml.metrics", "roc_auc_score")
    return float(roc_auc_score(data["y_test"], proba[:, 1]))


_FIT_PEERS = [
    Peer("xgboost", ("xgboost",), _fit(_xgboost_model, "clf")),
    Peer("lightgbm", ("lightgbm",), _fit(_lightgbm_model, "clf")),
]

WORKLOADS = [
    Workload(
        name="GBDTClassifier.fit",
        area="gbdt",
        sizes=_CLF_SIZES,
        make_data=_classification,
        run_fastml=_fit(_fastml_model, "clf"),
        peers=_FIT_PEERS,
        quality=_auc,
        quality_name="test AUC",
        description="binary boosting, depth 6, 255 bins, lr 0.1 (XGBoost hist, LightGBM)",
        size_label=_label,
    ),
    Workload(
        name="GBDTClassifier.fit_nan",
        area="gbdt",
        sizes=_CLF_SIZES,
        make_data=_classification_nan,
        run_fastml=_fit(_fastml_model, "clf"),
        peers=_FIT_PEERS,
        quality=_auc,
        quality_name="test AUC",
        description="the same with 10% of the values missing (NaN)",
        size_label=_label,
    ),
    Workload(
        name="GBDTRegressor.fit",
        area="gbdt",
        sizes=_REG_SIZES,
        make_data=_regression,
        run_fastml=_fit(_fastml_model, "reg"),
        peers=[
            Peer("xgboost", ("xgboost",), _fit(_xgboost_model, "reg")),
            Peer("lightgbm", ("lightgbm",), _fit(_lightgbm_model, "reg")),
        ],
        quality=_r2,
        quality_name="test R2",
        description="squared-error boosting on make_regression (noise 10)",
        size_label=_label,
    ),
    Workload(
        name="GBDTClassifier.predict_proba",
        area="gbdt",
        sizes=_CLF_SIZES,
        make_data=_predict_data,
        run_fastml=_predict("fastml"),
        peers=[
            Peer("xgboost", ("xgboost",), _predict("xgboost")),
            Peer("lightgbm", ("lightgbm",), _predict("lightgbm")),
        ],
        quality=_proba_auc,
        quality_name="test AUC",
        description="predict_proba of the fitted models on the held-out rows",
        size_label=_label,
    ),
]
