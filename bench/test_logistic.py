"""LogisticRegression(lbfgs) binary fit: fastml vs scikit-learn, 100,000 x 200
float32 (make_classification, 20 informative, random_state=0), C=1, tol=1e-4 (both
defaults), 2 threads each (fastml n_jobs=2; scikit-learn's BLAS limited to 2 by
the bench conftest through threadpoolctl). Target: fastml at most 1.0 x.

- group ``logistic_lbfgs_fit``: pytest-benchmark rounds of each library, with the
  final objective C sum_i loss_i + ||w||^2 / 2 (float64), the training accuracy and
  the iteration count in ``extra_info``.
- group ``logistic_lbfgs_interleaved``: the two fits in turn (fastml, scikit-learn,
  fastml, ...), so a burst of load from other processes lands on both; the median
  times and their ratio are in ``extra_info`` (the figure to report).

Run: ``pytest bench/test_logistic.py --benchmark-only --benchmark-group-by=group``
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from fastml.benchmarking.workloads.logistic import _make, accuracy, objective


@pytest.fixture(scope="module")
def logistic_data() -> dict[str, Any]:
    return _make({"n_samples": 100_000, "n_features": 200}, 0)


def _estimator(lib: str, n_threads: int, peer: Any) -> Any:
    if lib == "fastml":
        from fastml.linear_model import LogisticRegression

        return LogisticRegression(n_jobs=n_threads)
    return peer("sklearn.linear_model").LogisticRegression()


def _quality(data: dict[str, Any], model: Any) -> dict[str, Any]:
    return {
        "objective": objective(data, model),
        "accuracy": accuracy(data, model),
        "n_iter": int(model.n_iter_[0]),
    }


@pytest.mark.parametrize("lib", ["sklearn", "fastml"])
def test_logistic_fit(benchmark, lib, logistic_data, n_threads, peer, run_warm):
    est = _estimator(lib, n_threads, peer)

    def fit() -> Any:
        return est.fit(logistic_data["X"], logistic_data["y"])

    model = run_warm(benchmark, fit, group="logistic_lbfgs_fit")
    benchmark.extra_info.update(_quality(logistic_data, model))


def test_logistic_interleaved(benchmark, logistic_data, n_threads, peer):
    X, y = logistic_data["X"], logistic_data["y"]
    ests = {lib: _estimator(lib, n_threads, peer) for lib in ("fastml", "sklearn")}
    for est in ests.values():  # untimed warm-up (JIT compilation, caches)
        est.fit(X[:5000], y[:5000])
    times: dict[str, list[float]] = {"fastml": [], "sklearn": []}
    models: dict[str, Any] = {}

    def turns() -> None:
        for _ in range(3):
            for lib, est in ests.items():
                start = time.perf_counter()
                models[lib] = est.fit(X, y)
                times[lib].append(time.perf_counter() - start)

    benchmark.group = "logistic_lbfgs_interleaved"
    benchmark.pedantic(turns, rounds=1, iterations=1)
    med = {lib: float(np.median(t)) for lib, t in times.items()}
    benchmark.extra_info.update(
        {
            "n_threads": n_threads,
            "fastml_median_s": med["fastml"],
            "sklearn_median_s": med["sklearn"],
            "ratio_fastml_over_sklearn": med["fastml"] / med["sklearn"],
            "fastml_times": times["fastml"],
            "sklearn_times": times["sklearn"],
            **{
                f"{lib}_{k}": v
                for lib, m in models.items()
                for k, v in _quality(logistic_data, m).items()
            },
        }
    )
