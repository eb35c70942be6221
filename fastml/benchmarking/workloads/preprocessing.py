"""Preprocessing workloads: StandardScaler and OneHotEncoder fit_transform."""

from __future__ import annotations

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload, human_count
from fastml.benchmarking.workloads._common import (
    import_attr,
    max_abs_diff,
    n_jobs_kwargs,
)


def _scaler_data(size: Size, seed: int) -> np.ndarray:
    """Normal columns with offsets up to 1e3 and scales from 1e-2 to 1e2 (float64)."""
    rng = np.random.default_rng(seed)
    n, p = size["n_samples"], size["n_features"]
    offsets = rng.uniform(-1e3, 1e3, size=p)
    scales = 10.0 ** rng.uniform(-2, 2, size=p)
    return rng.standard_normal((n, p)) * scales + offsets


def _category_codes(size: Size, seed: int) -> np.ndarray:
    """int64 category codes, Zipf-like frequencies, ``n_categories`` per column."""
    rng = np.random.default_rng(seed)
    n, p, k = size["n_samples"], size["n_features"], size["n_categories"]
    weights = 1.0 / np.arange(1, k + 1)
    weights /= weights.sum()
    return rng.choice(k, size=(n, p), p=weights).astype(np.int64)


def _fastml_scaler(X: np.ndarray, n_threads: int) -> np.ndarray:
    cls = import_attr("fastml.preprocessing", "StandardScaler")
    return cls(**n_jobs_kwargs(cls, n_threads)).fit_transform(X)


def _sklearn_scaler(X: np.ndarray, n_threads: int) -> np.ndarray:
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit_transform(X)


def _fastml_onehot(X: np.ndarray, n_threads: int) -> object:
    cls = import_attr("fastml.preprocessing", "OneHotEncoder")
    return cls(**n_jobs_kwargs(cls, n_threads)).fit_transform(X)


def _sklearn_onehot(X: np.ndarray, n_threads: int) -> object:
    from sklearn.preprocessing import OneHotEncoder

    return OneHotEncoder().fit_transform(X)


def _output_std_error(X: np.ndarray, Z: object) -> float:
    """max over columns of |std(Z) - 1|: how well the output is standardised."""
    return float(np.max(np.abs(np.asarray(Z).std(axis=0) - 1.0)))


WORKLOADS = [
    Workload(
        name="StandardScaler",
        area="preprocessing",
        sizes={
            "tiny": [{"n_samples": 500, "n_features": 8}],
            "quick": [{"n_samples": 200_000, "n_features": 50}],
            "full": [{"n_samples": 1_000_000, "n_features": 100}],
        },
        make_data=_scaler_data,
        run_fastml=_fastml_scaler,
        peers=[Peer("sklearn", ("sklearn",), _sklearn_scaler)],
        quality=_output_std_error,
        quality_name="max|std-1|",
        compare=max_abs_diff,
        description="StandardScaler().fit_transform on float64 columns",
    ),
    Workload(
        name="OneHotEncoder",
        area="preprocessing",
        sizes={
            "tiny": [{"n_samples": 500, "n_features": 4, "n_categories": 10}],
            "quick": [{"n_samples": 200_000, "n_features": 10, "n_categories": 50}],
            "full": [{"n_samples": 1_000_000, "n_features": 20, "n_categories": 100}],
        },
        make_data=_category_codes,
        size_label=lambda s: (
            f"{human_count(s['n_samples'])} x {s['n_features']} "
            f"({s['n_categories']} cats)"
        ),
        run_fastml=_fastml_onehot,
        peers=[Peer("sklearn", ("sklearn",), _sklearn_onehot)],
        compare=max_abs_diff,
        description="OneHotEncoder().fit_transform on int64 codes (sparse output)",
    ),
]
