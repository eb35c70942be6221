"""Interleaved RandomForestClassifier timings: fastml and scikit-learn in turn.

pytest-benchmark (bench/test_forest.py) runs one library's rounds before the other's,
so a burst of load on a shared machine lands on one side; taking turns spreads it.
Same data and parameters as bench/test_forest.py in full mode: make_classification
(20 features, 10 informative, random_state=0) as float32, 100,000 training rows and
20,000 test rows, default forests, ``n_jobs=2`` and ``random_state=0`` for both,
one untimed warm-up fit on 2,000 rows per library. Each round fits both forests
(fastml first on even rounds, scikit-learn first on odd ones), then times
predict_proba on the training rows twice per side. Prints every round and the ratio
of the minimum times (fastml / scikit-learn) and the test accuracies.

Usage: ``python bench/forest_interleaved.py [rounds] [n_trees]`` (run it from outside
the repository root when fastml is installed non-editable).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np


def _timed(func: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = func(*args)
    return time.perf_counter() - start, out


def main(rounds: int, n_trees: int) -> None:
    from sklearn.ensemble import RandomForestClassifier as SkForest

    from fastml.datasets import make_classification
    from fastml.ensemble import RandomForestClassifier

    X, y = make_classification(
        n_samples=120_000, n_features=20, n_informative=10, random_state=0
    )
    X = np.ascontiguousarray(X, dtype=np.float32)
    X_train, y_train, X_test, y_test = (
        X[:100_000],
        y[:100_000],
        X[100_000:],
        y[100_000:],
    )
    libs = {"fastml": RandomForestClassifier, "sklearn": SkForest}
    for cls in libs.values():
        cls(n_estimators=2, n_jobs=2, random_state=0).fit(
            X_train[:2000], y_train[:2000]
        )
    fit: dict[str, list[float]] = {name: [] for name in libs}
    pred: dict[str, list[float]] = {name: [] for name in libs}
    acc: dict[str, float] = {}
    for r in range(rounds):
        order = list(libs) if r % 2 == 0 else list(libs)[::-1]
        models = {}
        for name in order:
            est = libs[name](n_estimators=n_trees, n_jobs=2, random_state=0)
            seconds, models[name] = _timed(est.fit, X_train, y_train)
            fit[name].append(seconds)
            acc[name] = float(np.mean(models[name].predict(X_test) == y_test))
        for _ in range(2):
            for name in order:
                seconds, _ = _timed(models[name].predict_proba, X_train)
                pred[name].append(seconds)
        print(
            f"round {r}: fit fastml {fit['fastml'][-1]:.2f} s, sklearn "
            f"{fit['sklearn'][-1]:.2f} s; predict fastml {pred['fastml'][-1]:.3f} s, "
            f"sklearn {pred['sklearn'][-1]:.3f} s",
            flush=True,
        )
    print(
        f"fit: fastml/sklearn = {min(fit['fastml']) / min(fit['sklearn']):.3f} "
        f"(min {min(fit['fastml']):.2f} s vs {min(fit['sklearn']):.2f} s); test "
        f"accuracy fastml {acc['fastml']:.4f}, sklearn {acc['sklearn']:.4f}"
    )
    print(
        f"predict_proba (100k rows): fastml/sklearn = "
        f"{min(pred['fastml']) / min(pred['sklearn']):.3f} "
        f"(min {min(pred['fastml']):.3f} s vs {min(pred['sklearn']):.3f} s)"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 2,
        int(sys.argv[2]) if len(sys.argv) > 2 else 100,
    )
