"""Kernel SVM: fastml vs scikit-learn (LIBSVM), SVC rbf, C=1, 10,000 x 20.

- group ``svc_rbf_fit``: fit on 10,000 rows (make_classification, 10 informative
  features; FASTML_BENCH_MODE=full: 20,000). Target: fastml at most 0.8 x.
- group ``svc_rbf_predict``: predict the 10,000 training rows with the fitted
  model. Target: at most 0.5 x.
- ``extra_info``: held-out accuracy (2,000 rows), number of support vectors.

Each configuration is timed once per library (a fit takes seconds), after an
untimed warm-up fit on 500 rows that compiles fastml's kernels. Threads: 2 for
both (BLAS through threadpoolctl in the bench conftest, Numba through
fastml.benchmarking.thread_limits); LIBSVM itself is serial.

Run: ``pytest bench/test_svm.py --benchmark-only --benchmark-group-by=group``
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fastml.benchmarking.workloads.svm import _make


@pytest.fixture(scope="module")
def svm_data(bench_mode: str) -> tuple[np.ndarray, ...]:
    n = 20_000 if bench_mode == "full" else 10_000
    return _make({"n_samples": n}, 0)


_FITTED: dict[str, Any] = {}


def _svc(lib: str, peer: Any) -> Any:
    if lib == "fastml":
        from fastml.svm import SVC

        return SVC
    return peer("sklearn.svm").SVC


@pytest.mark.parametrize("lib", ["sklearn", "fastml"])
def test_svc_fit(benchmark, lib, svm_data, peer):
    SVC = _svc(lib, peer)
    X, y, X_test, y_test = svm_data
    SVC().fit(X[:500], y[:500]).predict(X[:50])  # untimed warm-up (compilation)
    benchmark.group = "svc_rbf_fit"
    model = benchmark.pedantic(
        lambda: SVC(C=1.0, kernel="rbf").fit(X, y), rounds=1, iterations=1
    )
    _FITTED[lib] = model
    benchmark.extra_info["accuracy"] = float(np.mean(model.predict(X_test) == y_test))
    benchmark.extra_info["n_support"] = int(model.support_.shape[0])


@pytest.mark.parametrize("lib", ["sklearn", "fastml"])
def test_svc_predict(benchmark, lib, svm_data, peer):
    SVC = _svc(lib, peer)
    X, y, X_test, y_test = svm_data
    model = _FITTED.get(lib) or SVC(C=1.0, kernel="rbf").fit(X, y)
    model.predict(X[:50])  # untimed warm-up
    benchmark.group = "svc_rbf_predict"
    pred = benchmark.pedantic(lambda: model.predict(X), rounds=1, iterations=1)
    benchmark.extra_info["accuracy"] = float(np.mean(pred == y))
