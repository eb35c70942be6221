"""fastml.metrics against sklearn.metrics, same data, same run, side by side.

Groups:
- ``roc_auc_10M`` / ``average_precision_10M``: 10,000,000 unweighted binary scores
  (30% positives, normal scores shifted by the label: few ties). Target: fastml at
  most half of scikit-learn's time.
- ``roc_auc_weighted_1M``: 1,000,000 weighted scores (the stable arg-sort path).
- ``confusion_matrix_1M``: 1,000,000 labels in 10 classes (the Cython kernel).

Each benchmark makes one untimed warm-up call on the full data (JIT compilation,
first-touch allocations), then a fixed number of timed rounds (``rounds``: 2 in
quick mode, 5 in full mode; scikit-learn takes ~5 s per 10M-score call). The metric
value is stored in ``extra_info`` so the two sides can be checked to agree.

Run: ``pytest bench/test_metrics.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import fastml.metrics as fm

LIBS = ["fastml", "sklearn"]


@pytest.fixture(scope="module")
def scores_10m() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 10_000_000
    y = (rng.random(n) < 0.3).astype(np.int64)
    s = rng.normal(size=n) + y
    return y, s


@pytest.fixture(scope="module")
def weighted_1m() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    n = 1_000_000
    y = (rng.random(n) < 0.3).astype(np.int64)
    s = np.round(rng.normal(size=n) + y, 3)
    w = rng.random(n) * 2
    return y, s, w


@pytest.fixture(scope="module")
def labels_1m() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    n = 1_000_000
    y_true = rng.integers(0, 10, n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, 10, n))
    return y_true, y_pred


def _rounds(bench_mode: str) -> int:
    return 5 if bench_mode == "full" else 2


def _run(
    benchmark: Any,
    func: Any,
    args: tuple,
    kwargs: dict,
    group: str,
    rounds: int,
    n_threads: int,
) -> Any:
    func(*args, **kwargs)  # untimed warm-up
    benchmark.group = group
    benchmark.extra_info["n_threads"] = n_threads
    return benchmark.pedantic(
        func, args=args, kwargs=kwargs, rounds=rounds, iterations=1, warmup_rounds=0
    )


def _impl(lib: str, name: str, peer: Any) -> Any:
    if lib == "fastml":
        return getattr(fm, name)
    return getattr(peer("sklearn.metrics"), name)


@pytest.mark.parametrize("lib", LIBS)
def test_roc_auc_10m(benchmark, lib, peer, bench_mode, n_threads, scores_10m):
    y, s = scores_10m
    func = _impl(lib, "roc_auc_score", peer)
    value = _run(
        benchmark, func, (y, s), {}, "roc_auc_10M", _rounds(bench_mode), n_threads
    )
    benchmark.extra_info["auc"] = float(value)


@pytest.mark.parametrize("lib", LIBS)
def test_average_precision_10m(benchmark, lib, peer, bench_mode, n_threads, scores_10m):
    y, s = scores_10m
    func = _impl(lib, "average_precision_score", peer)
    value = _run(
        benchmark,
        func,
        (y, s),
        {},
        "average_precision_10M",
        _rounds(bench_mode),
        n_threads,
    )
    benchmark.extra_info["average_precision"] = float(value)


@pytest.mark.parametrize("lib", LIBS)
def test_roc_auc_weighted_1m(benchmark, lib, peer, bench_mode, n_threads, weighted_1m):
    y, s, w = weighted_1m
    func = _impl(lib, "roc_auc_score", peer)
    value = _run(
        benchmark,
        func,
        (y, s),
        {"sample_weight": w},
        "roc_auc_weighted_1M",
        _rounds(bench_mode) + 1,
        n_threads,
    )
    benchmark.extra_info["auc"] = float(value)


@pytest.mark.parametrize("lib", LIBS)
def test_confusion_matrix_1m(benchmark, lib, peer, bench_mode, n_threads, labels_1m):
    y_true, y_pred = labels_1m
    func = _impl(lib, "confusion_matrix", peer)
    cm = _run(
        benchmark,
        func,
        (y_true, y_pred),
        {},
        "confusion_matrix_1M",
        _rounds(bench_mode) + 3,
        n_threads,
    )
    benchmark.extra_info["trace"] = int(np.trace(cm))
