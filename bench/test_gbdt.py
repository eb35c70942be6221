"""fastml.gbdt against XGBoost (hist) and LightGBM: same data, same run, side by side.

Groups (``full`` mode sizes; ``quick`` mode uses a fifth of the rows):

- ``gbdt_fit_1M_28`` / ``gbdt_fit_1M_28_nan``: 1,000,000 x 28 float32 training rows
  (make_classification, 12 informative features), without / with 10% NaN; 100
  rounds, depth 6 (LightGBM: num_leaves 63, max_depth 6), 255 bins, learning rate
  0.1. Quality: test AUC on 200,000 held-out rows (``extra_info["auc"]``). Targets:
  fastml at most 0.8 x LightGBM's and 0.7 x XGBoost's time, AUC within 0.001.
- ``gbdt_fit_500k_20_reg``: 500,000 x 20 regression (make_regression, noise 10),
  test R2 in ``extra_info["r2"]``.
- ``gbdt_predict_200k``: predict_proba of the 1M-row models on 200,000 rows. Target:
  fastml at most 0.7 x XGBoost's time.
- ``gbdt_predict_1row``: one-row predict of a 100-tree depth-6 model (latency,
  target < 50 microseconds per call including Python overhead).

Every library gets ``n_threads`` threads (2 by default, bench/conftest.py). Each
fit benchmark makes one untimed warm-up fit on 20,000 rows (JIT compilation, thread
pools), then ``rounds`` timed fits. Compile time (cold first fit) and peak memory
are measured by ``python -m fastml bench`` and the scripts in the note, not here.

Run: ``pytest bench/test_gbdt.py --benchmark-only --benchmark-group-by=group``
(``FASTML_BENCH_MODE=full`` for the issue's sizes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

LIBS = ["fastml", "xgboost", "lightgbm"]
N_ROUNDS = 100


def _sizes(bench_mode: str) -> tuple[int, int]:
    return (1_000_000, 200_000) if bench_mode == "full" else (200_000, 40_000)


@pytest.fixture(scope="module")
def classification(bench_mode: str) -> dict[str, Any]:
    from fastml.datasets import make_classification

    n_train, n_test = _sizes(bench_mode)
    X, y = make_classification(
        n_train + n_test, 28, n_informative=12, random_state=0, dtype=np.float32
    )
    X_nan = X.copy()
    X_nan[np.random.default_rng(1).random(X.shape) < 0.1] = np.nan
    return {
        "train": (X[:n_train], y[:n_train]),
        "test": (X[n_train:], y[n_train:]),
        "train_nan": (X_nan[:n_train], y[:n_train]),
        "test_nan": (X_nan[n_train:], y[n_train:]),
    }


@pytest.fixture(scope="module")
def regression(bench_mode: str) -> dict[str, Any]:
    from fastml.datasets import make_regression

    n_train = 500_000 if bench_mode == "full" else 100_000
    X, y = make_regression(
        n_train + n_train // 5,
        20,
        n_informative=10,
        noise=10.0,
        random_state=0,
        dtype=np.float32,
    )
    return {"train": (X[:n_train], y[:n_train]), "test": (X[n_train:], y[n_train:])}


def _model(lib: str, task: str, n_threads: int, peer: Any) -> Any:
    common = dict(n_estimators=N_ROUNDS, max_depth=6, learning_rate=0.1, max_bin=255)
    if lib == "fastml":
        from fastml.gbdt import GBDTClassifier, GBDTRegressor

        cls = GBDTClassifier if task == "clf" else GBDTRegressor
        return cls(n_jobs=n_threads, **common)
    if lib == "xgboost":
        xgb = peer("xgboost")
        cls = xgb.XGBClassifier if task == "clf" else xgb.XGBRegressor
        return cls(tree_method="hist", n_jobs=n_threads, **common)
    lgb = peer("lightgbm")
    cls = lgb.LGBMClassifier if task == "clf" else lgb.LGBMRegressor
    return cls(num_leaves=63, n_jobs=n_threads, verbose=-1, **common)


def _rounds(bench_mode: str) -> int:
    return 3 if bench_mode == "full" else 2


_FITTED: dict[str, Any] = {}


def _fit_bench(benchmark, lib, task, data, test, group, n_threads, peer, bench_mode):
    X, y = data
    _model(lib, task, n_threads, peer).fit(X[:20_000], y[:20_000])  # warm-up
    benchmark.group = group
    benchmark.extra_info["n_threads"] = n_threads
    model = benchmark.pedantic(
        lambda: _model(lib, task, n_threads, peer).fit(X, y),
        rounds=_rounds(bench_mode),
        iterations=1,
        warmup_rounds=0,
    )
    Xt, yt = test
    if task == "clf":
        from fastml.metrics import roc_auc_score

        benchmark.extra_info["auc"] = float(
            roc_auc_score(yt, model.predict_proba(Xt)[:, 1])
        )
    else:
        from fastml.metrics import r2_score

        benchmark.extra_info["r2"] = float(r2_score(yt, model.predict(Xt)))
    return model


@pytest.mark.parametrize("lib", LIBS)
def test_fit_classification(
    benchmark, lib, classification, n_threads, peer, bench_mode
):
    model = _fit_bench(
        benchmark,
        lib,
        "clf",
        classification["train"],
        classification["test"],
        "gbdt_fit_1M_28",
        n_threads,
        peer,
        bench_mode,
    )
    _FITTED[lib] = model


@pytest.mark.parametrize("lib", LIBS)
def test_fit_classification_nan(
    benchmark, lib, classification, n_threads, peer, bench_mode
):
    _fit_bench(
        benchmark,
        lib,
        "clf",
        classification["train_nan"],
        classification["test_nan"],
        "gbdt_fit_1M_28_nan",
        n_threads,
        peer,
        bench_mode,
    )


@pytest.mark.parametrize("lib", LIBS)
def test_fit_regression(benchmark, lib, regression, n_threads, peer, bench_mode):
    _fit_bench(
        benchmark,
        lib,
        "reg",
        regression["train"],
        regression["test"],
        "gbdt_fit_500k_20_reg",
        n_threads,
        peer,
        bench_mode,
    )


def _fitted(lib, classification, n_threads, peer):
    if lib not in _FITTED:
        X, y = classification["train"]
        _FITTED[lib] = _model(lib, "clf", n_threads, peer).fit(X, y)
    return _FITTED[lib]


@pytest.mark.parametrize("lib", LIBS)
def test_predict_200k(benchmark, lib, classification, n_threads, peer, run_warm):
    model = _fitted(lib, classification, n_threads, peer)
    Xt, yt = classification["test"]
    proba = run_warm(benchmark, model.predict_proba, Xt, group="gbdt_predict_200k")
    from fastml.metrics import roc_auc_score

    benchmark.extra_info["auc"] = float(roc_auc_score(yt, proba[:, 1]))


@pytest.mark.parametrize("lib", LIBS)
def test_predict_one_row(benchmark, lib, classification, n_threads, peer, run_warm):
    model = _fitted(lib, classification, n_threads, peer)
    row = np.ascontiguousarray(classification["test"][0][:1])
    run_warm(benchmark, model.predict_proba, row, group="gbdt_predict_1row")
