"""Classic boosting: fastml vs scikit-learn, same data, same run, side by side.

Data: make_classification(n_features=20, n_informative=10, random_state=0) as
float32; full mode 100,000 training rows + 20,000 test rows, quick mode 25,000 +
5,000 rows (``FASTML_BENCH_MODE``).

Groups:

- ``gb_fit``: GradientBoostingClassifier(n_estimators=100 (quick: 30), max_depth=3,
  random_state=0) fit; ``extra_info["test_accuracy"]``. Target (issue 6): fastml at
  most 0.3 x scikit-learn's time at equal accuracy. scikit-learn's gradient boosting
  is single-threaded (no thread parameter); fastml gets ``n_jobs=n_threads``.
- ``gb_predict``: predict_proba of those models on the test rows (target <= 0.5 x).
- ``ada_fit``: AdaBoostClassifier(n_estimators=50 (quick: 20)) with stumps.

scikit-learn's full-size gradient-boosting fit takes about two minutes here, so fit
benchmarks run one timed round (``pedantic``) after an untimed warm-up fit on 2,000
rows (compiles fastml's kernels).

Run: ``pytest bench/test_boosting.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

LIBS = ["fastml", "sklearn"]


@pytest.fixture(scope="module")
def data(bench_mode: str, dataset: Any) -> dict[str, Any]:
    n_train, n_test, rounds, ada_rounds = (
        (100_000, 20_000, 100, 50) if bench_mode == "full" else (25_000, 5_000, 30, 20)
    )
    X, y = dataset(
        "classification", n_samples=n_train + n_test, n_features=20, n_informative=10
    )
    X = np.ascontiguousarray(X, dtype=np.float32)
    return {
        "X": X[:n_train],
        "y": y[:n_train],
        "X_test": X[n_train:],
        "y_test": y[n_train:],
        "rounds": rounds,
        "ada_rounds": ada_rounds,
    }


def _gb(lib: str, n_estimators: int, n_threads: int, peer: Any) -> Any:
    if lib == "fastml":
        from fastml.ensemble import GradientBoostingClassifier

        return GradientBoostingClassifier(
            n_estimators=n_estimators, max_depth=3, random_state=0, n_jobs=n_threads
        )
    return peer("sklearn.ensemble").GradientBoostingClassifier(
        n_estimators=n_estimators, max_depth=3, random_state=0
    )


def _ada(lib: str, n_estimators: int, peer: Any) -> Any:
    if lib == "fastml":
        from fastml.ensemble import AdaBoostClassifier

        return AdaBoostClassifier(n_estimators=n_estimators, random_state=0)
    return peer("sklearn.ensemble").AdaBoostClassifier(
        n_estimators=n_estimators, random_state=0
    )


_FITTED: dict[str, Any] = {}


def _accuracy(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(model.predict(X) == y))


@pytest.mark.parametrize("lib", LIBS)
def test_gb_fit(benchmark, lib, data, n_threads, peer):
    X, y = data["X"], data["y"]
    _gb(lib, 3, n_threads, peer).fit(X[:2000], y[:2000])  # warm-up (compilation)
    benchmark.group = "gb_fit"
    benchmark.extra_info["n_threads"] = n_threads
    model = benchmark.pedantic(
        lambda: _gb(lib, data["rounds"], n_threads, peer).fit(X, y),
        rounds=1,
        iterations=1,
        warmup_rounds=0,
    )
    _FITTED[lib] = model
    benchmark.extra_info["test_accuracy"] = _accuracy(
        model, data["X_test"], data["y_test"]
    )


@pytest.mark.parametrize("lib", LIBS)
def test_gb_predict(benchmark, lib, data, n_threads, peer, run_warm):
    model = _FITTED.get(lib)
    if model is None:
        model = _gb(lib, data["rounds"], n_threads, peer).fit(data["X"], data["y"])
        _FITTED[lib] = model
    proba = run_warm(benchmark, model.predict_proba, data["X_test"], group="gb_predict")
    benchmark.extra_info["test_accuracy"] = float(
        np.mean(np.argmax(proba, axis=1) == data["y_test"])
    )


@pytest.mark.parametrize("lib", LIBS)
def test_ada_fit(benchmark, lib, data, n_threads, peer):
    X, y = data["X"], data["y"]
    _ada(lib, 3, peer).fit(X[:2000], y[:2000])  # warm-up
    benchmark.group = "ada_fit"
    benchmark.extra_info["n_threads"] = n_threads
    model = benchmark.pedantic(
        lambda: _ada(lib, data["ada_rounds"], peer).fit(X, y),
        rounds=1,
        iterations=1,
        warmup_rounds=0,
    )
    benchmark.extra_info["test_accuracy"] = _accuracy(
        model, data["X_test"], data["y_test"]
    )
