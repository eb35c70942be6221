"""Metric workloads: ranking metrics on millions of scores, confusion matrices."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload
from fastml.benchmarking.workloads._common import (
    import_attr,
    max_abs_diff,
    n_jobs_kwargs,
    scalar_diff,
)

_SIZES = {
    "tiny": [{"n_samples": 2_000}],
    "quick": [{"n_samples": 1_000_000}],
    "full": [{"n_samples": 10_000_000}],
}


def _binary_scores(size: Size, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """30% positives; float64 scores shifted by 0.8 for positives (AUC ~0.72)."""
    rng = np.random.default_rng(seed)
    n = size["n_samples"]
    y_true = (rng.random(n) < 0.3).astype(np.int64)
    y_score = y_true * 0.8 + rng.standard_normal(n)
    return y_true, y_score


def _multiclass_labels(size: Size, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """10 classes; the prediction is right 70% of the time, else uniform."""
    rng = np.random.default_rng(seed)
    n = size["n_samples"]
    y_true = rng.integers(0, 10, size=n, dtype=np.int64)
    wrong = rng.random(n) < 0.3
    y_pred = np.where(wrong, rng.integers(0, 10, size=n, dtype=np.int64), y_true)
    return y_true, y_pred


def _fastml_metric(name: str) -> Any:
    return import_attr("fastml.metrics", name)


def _run_fastml(name: str, data: Any, n_threads: int) -> Any:
    func = _fastml_metric(name)
    return func(data[0], data[1], **n_jobs_kwargs(func, n_threads))


def _sklearn_metric(name: str) -> Any:
    return import_attr("sklearn.metrics", name)


def _scalar(data: Any, out: Any) -> float:
    return float(out)


def _accuracy(data: Any, matrix: Any) -> float:
    matrix = np.asarray(matrix)
    return float(np.trace(matrix) / matrix.sum())


def _ranking_workload(name: str, short: str) -> Workload:
    return Workload(
        name=name,
        area="metrics",
        sizes=_SIZES,
        make_data=_binary_scores,
        run_fastml=lambda d, n: _run_fastml(name, d, n),
        peers=[
            Peer(
                "sklearn", ("sklearn",), lambda d, n: _sklearn_metric(name)(d[0], d[1])
            )
        ],
        quality=_scalar,
        quality_name=short,
        compare=scalar_diff,
        description=f"{name} on binary labels and float64 scores",
    )


WORKLOADS = [
    _ranking_workload("roc_auc_score", "AUC"),
    _ranking_workload("average_precision_score", "AP"),
    Workload(
        name="confusion_matrix",
        area="metrics",
        sizes=_SIZES,
        make_data=_multiclass_labels,
        run_fastml=lambda d, n: _run_fastml("confusion_matrix", d, n),
        peers=[
            Peer(
                "sklearn",
                ("sklearn",),
                lambda d, n: _sklearn_metric("confusion_matrix")(d[0], d[1]),
            )
        ],
        quality=_accuracy,
        quality_name="accuracy",
        compare=max_abs_diff,
        description="confusion_matrix on 10-class int64 labels",
    ),
]
