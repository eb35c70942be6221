"""Logistic-regression workloads: LogisticRegression(lbfgs) fit vs scikit-learn.

Data: make_classification (200 features, 20 informative, random_state=0) as float32,
binary; quality: the penalised objective C sum_i loss_i + ||w||^2 / 2 (float64, on
the training rows: lower is better, equal at convergence) and the training accuracy.
Both sides fit at scikit-learn's default tol=1e-4 and C=1. Threads: fastml's kernel
gets n_jobs=n_threads; scikit-learn's BLAS is limited by the runner.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 2_000, "n_features": 40}],
    "quick": [{"n_samples": 20_000, "n_features": 200}],
    "full": [{"n_samples": 100_000, "n_features": 200}],
}


def _make(size: Size, seed: int) -> dict[str, Any]:
    from fastml.datasets import make_classification

    X, y = make_classification(
        n_samples=size["n_samples"],
        n_features=size["n_features"],
        n_informative=min(20, size["n_features"] // 2),
        random_state=seed,
    )
    return {"X": np.ascontiguousarray(X, dtype=np.float32), "y": y}


def _fit_fastml(data: dict[str, Any], n_threads: int) -> Any:
    from fastml.linear_model import LogisticRegression

    return LogisticRegression(n_jobs=n_threads).fit(data["X"], data["y"])


def _fit_sklearn(data: dict[str, Any], n_threads: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(data["X"], data["y"])


def objective(data: dict[str, Any], model: Any) -> float:
    """C sum_i loss_i + ||w||^2 / 2 of a fitted binary model (C = 1), in float64."""
    X = data["X"]
    y = data["y"]
    w = np.asarray(model.coef_, dtype=np.float64).ravel()
    z = X @ w.astype(X.dtype) + float(model.intercept_[0])
    z = z.astype(np.float64)
    return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.dot(w, w))


def accuracy(data: dict[str, Any], model: Any) -> float:
    return float(np.mean(model.predict(data["X"]) == data["y"]))


def _label(size: Size) -> str:
    return f"{size['n_samples'] / 1000:g}k x {size['n_features']}"


WORKLOADS = [
    Workload(
        name="logistic_lbfgs_fit",
        area="linear_model",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fit_fastml,
        peers=[Peer("sklearn", ("sklearn",), _fit_sklearn)],
        quality=objective,
        quality_name="objective (lower is better)",
        description="LogisticRegression(lbfgs, C=1, tol=1e-4) binary fit, float32",
        size_label=_label,
    ),
]
