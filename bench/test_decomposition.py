"""PCA: fastml vs scikit-learn, 200,000 x 100 float32 to 10 components (quick and
full mode; FASTML_BENCH_MODE=full uses 1,000,000 rows).

- group ``pca_covariance_eigh``: both with svd_solver="covariance_eigh" (scikit-
  learn's fastest solver on tall data). Target: fastml at most 1.0 x.
- group ``pca_randomized``: both randomized (same seed, iterated_power="auto",
  LU normaliser). Target: at most 1.0 x.
- ``extra_info``: the total explained-variance ratio of the 10 components and, for
  fastml, the largest relative difference of its explained variances to
  scikit-learn's.

Data: a rank-10 signal (scales 3 .. 1) plus unit noise and an offset of 2 (the
workload's make_data). Threads: 2 for both (BLAS through threadpoolctl in the bench
conftest, Numba through fastml.benchmarking.thread_limits).

Run: ``pytest bench/test_decomposition.py --benchmark-only --benchmark-group-by=group``
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fastml.benchmarking.workloads.decomposition import _make


@pytest.fixture(scope="module")
def pca_data(bench_mode: str) -> np.ndarray:
    n = 1_000_000 if bench_mode == "full" else 200_000
    return _make({"n_samples": n, "n_features": 100}, 0)


_REFERENCE: dict[str, Any] = {}


@pytest.mark.parametrize("solver", ["covariance_eigh", "randomized"])
@pytest.mark.parametrize("lib", ["sklearn", "fastml"])
def test_pca_fit(benchmark, lib, solver, pca_data, peer, run_warm):
    if lib == "fastml":
        from fastml.decomposition import PCA
    else:
        PCA = peer("sklearn.decomposition").PCA

    def fit() -> Any:
        return PCA(10, svd_solver=solver, random_state=0).fit(pca_data)

    model = run_warm(benchmark, fit, group=f"pca_{solver}")
    ev = np.asarray(model.explained_variance_, np.float64)
    benchmark.extra_info["explained_ratio"] = float(
        np.sum(model.explained_variance_ratio_)
    )
    if lib == "sklearn":
        _REFERENCE[solver] = ev
    elif solver in _REFERENCE:
        ref = _REFERENCE[solver]
        benchmark.extra_info["max_rel_ev_diff"] = float(np.max(np.abs(ev - ref) / ref))
