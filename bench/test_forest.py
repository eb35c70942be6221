"""RandomForestClassifier: fastml vs scikit-learn, fit and predict, same data and run.

Data: make_classification(n_features=20, n_informative=10, random_state=0) as
float32; full mode 100,000 training rows + 20,000 test rows and 100 trees, quick mode
25,000 + 5,000 rows and 30 trees (``FASTML_BENCH_MODE``). Both sides use
``n_jobs=2`` (the pinned thread count), ``random_state=0`` and default parameters.

Groups: ``rf_fit`` (fit; ``extra_info["test_accuracy"]``) and ``rf_predict``
(predict_proba on the training rows; ``extra_info["train_accuracy"]``). Targets
(issue 6): fastml fit <= 0.5 x scikit-learn's at equal test accuracy, predict
<= 0.5 x. The warm-up before each timed call is a small fit (compiles the kernels)
or a full predict.

Run: ``pytest bench/test_forest.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest


@pytest.fixture(scope="module")
def rf_data(bench_mode: str, dataset: Any) -> dict[str, Any]:
    n_train, n_test, n_trees = (
        (100_000, 20_000, 100) if bench_mode == "full" else (25_000, 5_000, 30)
    )
    X, y = dataset(
        "classification",
        n_samples=n_train + n_test,
        n_features=20,
        n_informative=10,
    )
    X = np.ascontiguousarray(X, dtype=np.float32)
    return {
        "X": X[:n_train],
        "y": y[:n_train],
        "X_test": X[n_train:],
        "y_test": y[n_train:],
        "n_trees": n_trees,
    }


def _forest_class(lib: str, peer: Any) -> Any:
    if lib == "fastml":
        from fastml.ensemble import RandomForestClassifier

        return RandomForestClassifier
    return peer("sklearn.ensemble").RandomForestClassifier


@pytest.fixture(scope="module")
def fitted(rf_data: dict[str, Any], peer: Any, n_threads: int) -> dict[str, Any]:
    """Each library's forest, fitted once for the predict benchmark."""
    out = {}
    for lib in ("fastml", "sklearn"):
        cls = _forest_class(lib, peer)
        est = cls(n_estimators=rf_data["n_trees"], n_jobs=n_threads, random_state=0)
        out[lib] = est.fit(rf_data["X"], rf_data["y"])
    return out


@pytest.mark.parametrize("lib", ["fastml", "sklearn"])
def test_rf_fit(benchmark, lib, rf_data, peer, n_threads):
    cls = _forest_class(lib, peer)
    X, y = rf_data["X"], rf_data["y"]
    # Untimed warm-up: compiles the kernels (a small forest on a slice).
    cls(n_estimators=2, n_jobs=n_threads, random_state=0).fit(X[:2000], y[:2000])

    def run() -> Any:
        est = cls(n_estimators=rf_data["n_trees"], n_jobs=n_threads, random_state=0)
        return est.fit(X, y)

    benchmark.group = "rf_fit"
    benchmark.extra_info["n_threads"] = n_threads
    est = benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    acc = float(np.mean(est.predict(rf_data["X_test"]) == rf_data["y_test"]))
    benchmark.extra_info["test_accuracy"] = acc
    benchmark.extra_info["n_leaves_mean"] = float(
        np.mean([t.tree_.n_leaves for t in est.estimators_])
    )


@pytest.mark.parametrize("lib", ["fastml", "sklearn"])
def test_rf_predict(benchmark, lib, rf_data, fitted, n_threads):
    est = fitted[lib]
    X = rf_data["X"]
    est.predict_proba(X)  # untimed warm-up
    benchmark.group = "rf_predict"
    benchmark.extra_info["n_threads"] = n_threads
    proba = benchmark.pedantic(
        est.predict_proba, args=(X,), rounds=3, iterations=1, warmup_rounds=0
    )
    benchmark.extra_info["train_accuracy"] = float(
        np.mean(np.argmax(proba, axis=1) == rf_data["y"])
    )
