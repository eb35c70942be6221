"""DecisionTreeClassifier: fastml vs scikit-learn, fit and predict, same data and run.

Data: make_classification(n_features=20, n_informative=10, random_state=0) as
float32; full mode 100,000 training rows + 20,000 test rows, quick mode 25,000 +
5,000 (``FASTML_BENCH_MODE``). Default parameters (unlimited depth),
``random_state=0`` on both sides. A single tree is grown and predicted serially by
both libraries (neither has a thread parameter for it; see fastml/tree/_classes.py
for why fastml's prediction stays serial).

Groups: ``dt_fit`` (``extra_info["test_accuracy"]``, node count) and ``dt_predict``
(predict_proba of the training rows; ``extra_info["train_accuracy"]``). Target
(issue 6): fit <= 0.5 x scikit-learn's at equal accuracy; prediction <= 0.5 x.

Run: ``pytest bench/test_tree.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest


@pytest.fixture(scope="module")
def dt_data(bench_mode: str, dataset: Any) -> dict[str, Any]:
    n_train, n_test = (100_000, 20_000) if bench_mode == "full" else (25_000, 5_000)
    X, y = dataset(
        "classification", n_samples=n_train + n_test, n_features=20, n_informative=10
    )
    X = np.ascontiguousarray(X, dtype=np.float32)
    return {
        "X": X[:n_train],
        "y": y[:n_train],
        "X_test": X[n_train:],
        "y_test": y[n_train:],
    }


def _tree_class(lib: str, peer: Any) -> Any:
    if lib == "fastml":
        from fastml.tree import DecisionTreeClassifier

        return DecisionTreeClassifier
    return peer("sklearn.tree").DecisionTreeClassifier


@pytest.mark.parametrize("lib", ["fastml", "sklearn"])
def test_dt_fit(benchmark, lib, dt_data, peer):
    cls = _tree_class(lib, peer)
    X, y = dt_data["X"], dt_data["y"]
    cls(random_state=0).fit(X[:2000], y[:2000])  # untimed warm-up (compiles)

    benchmark.group = "dt_fit"
    est = benchmark.pedantic(
        lambda: cls(random_state=0).fit(X, y), rounds=1, iterations=1, warmup_rounds=0
    )
    benchmark.extra_info["test_accuracy"] = float(
        np.mean(est.predict(dt_data["X_test"]) == dt_data["y_test"])
    )
    benchmark.extra_info["node_count"] = int(est.tree_.node_count)


@pytest.mark.parametrize("lib", ["fastml", "sklearn"])
def test_dt_predict(benchmark, lib, dt_data, peer, n_threads):
    cls = _tree_class(lib, peer)
    X, y = dt_data["X"], dt_data["y"]
    est = cls(random_state=0).fit(X, y)
    est.predict_proba(X)  # untimed warm-up

    benchmark.group = "dt_predict"
    benchmark.extra_info["n_threads"] = n_threads
    proba = benchmark.pedantic(lambda: est.predict_proba(X), rounds=5, iterations=1)
    benchmark.extra_info["train_accuracy"] = float(np.mean(np.argmax(proba, 1) == y))
