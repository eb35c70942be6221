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
Interleaved (the ratios to report on a shared machine):
``python bench/test_decomposition.py 2 15`` (threads, rounds).
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


def _interleaved(n_threads: int = 2, rounds: int = 15) -> None:
    """fastml and scikit-learn fits alternated in one process (shared machines are
    noisy: alternating exposes both to the same load); prints min / median times
    and the ratios. Run: ``python bench/test_decomposition.py [threads] [rounds]``.
    """
    import time

    from sklearn.decomposition import PCA as SkPCA

    from fastml.benchmarking import thread_limits
    from fastml.decomposition import PCA

    X = _make({"n_samples": 200_000, "n_features": 100}, 0)
    with thread_limits(n_threads):
        for solver in ("covariance_eigh", "randomized"):
            runs = {"fastml": PCA, "sklearn": SkPCA}
            times: dict[str, list[float]] = {name: [] for name in runs}
            for cls in runs.values():
                cls(10, svd_solver=solver, random_state=0).fit(X)  # warm-up
            for _ in range(rounds):
                for name, cls in runs.items():
                    start = time.perf_counter()
                    cls(10, svd_solver=solver, random_state=0).fit(X)
                    times[name].append(time.perf_counter() - start)
            f, s = np.array(times["fastml"]), np.array(times["sklearn"])
            print(
                f"{solver} ({n_threads} threads): fastml min {f.min():.4f} s, "
                f"sklearn min {s.min():.4f} s; ratio of minima {f.min() / s.min():.3f}, "
                f"of medians {np.median(f) / np.median(s):.3f}, "
                f"median of paired ratios {np.median(f / s):.3f}"
            )


if __name__ == "__main__":
    import sys

    _interleaved(*(int(a) for a in sys.argv[1:3]))
