"""PCA workloads: fit to 10 components on tall float32 data, covariance_eigh and
randomized solvers, vs scikit-learn's same solver."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 5_000, "n_features": 20}],
    "quick": [{"n_samples": 200_000, "n_features": 100}],
    "full": [{"n_samples": 1_000_000, "n_features": 100}],
}
_K = 10


def _make(size: Size, seed: int) -> np.ndarray:
    """Rank-10 signal (scales 3 .. 1) plus unit noise and an offset, float32: a clear
    spectral gap after 10 components, as PCA is used."""
    rng = np.random.default_rng(seed)
    n, p = size["n_samples"], size["n_features"]
    W = rng.standard_normal((_K, p))
    Z = rng.standard_normal((n, _K)) * np.linspace(3.0, 1.0, _K)
    return (Z @ W + rng.standard_normal((n, p)) + 2.0).astype(np.float32)


def _fastml(solver: str) -> Any:
    def run(X: np.ndarray, n_threads: int) -> Any:
        from fastml.decomposition import PCA

        return PCA(_K, svd_solver=solver, random_state=0).fit(X)

    return run


def _sklearn(solver: str) -> Any:
    def run(X: np.ndarray, n_threads: int) -> Any:
        from sklearn.decomposition import PCA

        return PCA(_K, svd_solver=solver, random_state=0).fit(X)

    return run


def _explained(X: np.ndarray, model: Any) -> float:
    return float(np.sum(model.explained_variance_ratio_))


def _max_ev_diff(a: Any, b: Any) -> float:
    ea = np.asarray(a.explained_variance_, np.float64)
    eb = np.asarray(b.explained_variance_, np.float64)
    return float(np.max(np.abs(ea - eb) / eb))


WORKLOADS = [
    Workload(
        name=f"pca_{solver}",
        area="decomposition",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fastml(solver),
        peers=[Peer("sklearn", ("sklearn",), _sklearn(solver))],
        quality=_explained,
        quality_name="explained ratio",
        compare=_max_ev_diff,
        description=f"PCA fit to 10 components, svd_solver={solver!r}, float32",
    )
    for solver in ("covariance_eigh", "randomized")
]
