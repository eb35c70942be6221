"""Linear models: fastml vs scikit-learn on 100,000 x 200 float32 AR(1) (rho 0.9)
features with 20 informative ones (the workload's ``make_ar1_regression``).

- groups ``lasso_fit`` / ``elastic_net_fit``: Lasso(alpha=0.1) and
  ElasticNet(alpha=0.1, l1_ratio=0.5), tol=1e-4 in both libraries. Target: fastml
  at most 0.7 x scikit-learn's time.
- group ``ridge_fit``: Ridge(alpha=1.0), solver "auto" in both. Target: at most 1.0 x.
- ``extra_info``: the objective reached (scikit-learn's objective function, float64),
  the duality gap and epochs (coordinate descent), and for fastml the largest
  coefficient difference to scikit-learn's.

Threads: 2 for both (BLAS through threadpoolctl in the bench conftest, Numba through
fastml.benchmarking.thread_limits). scikit-learn's coordinate descent is slow here
(seconds per fit), so every configuration is timed once (pedantic, one round) after
the untimed warm-up call.

Run: ``pytest bench/test_linear_model.py --benchmark-only --benchmark-group-by=group``
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fastml.benchmarking.workloads.linear_model import (
    CD_ALPHA,
    CD_TOL,
    RIDGE_ALPHA,
    enet_objective,
    make_ar1_regression,
)


@pytest.fixture(scope="module")
def ar1_data() -> tuple[np.ndarray, np.ndarray]:
    X, y, _ = make_ar1_regression(100_000, 200, seed=0)
    return X, y


_REFERENCE: dict[str, np.ndarray] = {}


def _timed_once(benchmark: Any, func: Any, group: str) -> Any:
    func()  # untimed warm-up (JIT compilation)
    benchmark.group = group
    return benchmark.pedantic(func, rounds=1, iterations=1)


@pytest.mark.parametrize(
    "name, l1_ratio", [("Lasso", 1.0), ("ElasticNet", 0.5)], ids=["lasso", "enet"]
)
@pytest.mark.parametrize("lib", ["sklearn", "fastml"])
def test_coordinate_descent_fit(
    benchmark, lib, name, l1_ratio, ar1_data, peer, n_threads
):
    X, y = ar1_data
    if lib == "fastml":
        import fastml.linear_model as module
    else:
        module = peer("sklearn.linear_model")
    kwargs: dict[str, Any] = {"alpha": CD_ALPHA, "tol": CD_TOL}
    if name == "ElasticNet":
        kwargs["l1_ratio"] = l1_ratio

    def fit() -> Any:
        return getattr(module, name)(**kwargs).fit(X, y)

    group = "lasso_fit" if name == "Lasso" else "elastic_net_fit"
    model = _timed_once(benchmark, fit, group)
    benchmark.extra_info.update(
        n_threads=n_threads,
        objective=enet_objective(X, y, model, CD_ALPHA, l1_ratio),
        dual_gap=float(model.dual_gap_),
        n_iter=int(model.n_iter_),
        n_nonzero=int(np.count_nonzero(model.coef_)),
    )
    coef = np.asarray(model.coef_, np.float64)
    if lib == "sklearn":
        _REFERENCE[group] = coef
    elif group in _REFERENCE:
        benchmark.extra_info["max_coef_diff"] = float(
            np.max(np.abs(coef - _REFERENCE[group]))
        )


@pytest.mark.parametrize("lib", ["sklearn", "fastml"])
def test_ridge_fit(benchmark, lib, ar1_data, peer, run_warm):
    X, y = ar1_data
    if lib == "fastml":
        from fastml.linear_model import Ridge
    else:
        Ridge = peer("sklearn.linear_model").Ridge

    def fit() -> Any:
        return Ridge(alpha=RIDGE_ALPHA).fit(X, y)

    model = run_warm(benchmark, fit, group="ridge_fit")
    coef = np.asarray(model.coef_, np.float64)
    if lib == "sklearn":
        _REFERENCE["ridge"] = coef
    elif "ridge" in _REFERENCE:
        benchmark.extra_info["max_coef_diff"] = float(
            np.max(np.abs(coef - _REFERENCE["ridge"]))
        )
