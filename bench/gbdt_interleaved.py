"""Interleaved GBDT fit timings: fastml, LightGBM and XGBoost (hist) in turn.

pytest-benchmark runs all rounds of one library before the next, so a burst of load
on a shared machine lands on one library; taking turns spreads it evenly. Same data
and parameters as bench/test_gbdt.py (100 rounds, depth 6, 255 bins, lr 0.1, 2
threads each, one untimed warm-up fit on 20,000 rows per library).

Usage: ``python bench/gbdt_interleaved.py {clf,nan,reg} [rounds]`` (run it from
outside the repository root when fastml is installed non-editable).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def main(task: str, rounds: int) -> None:
    import lightgbm
    import xgboost

    from fastml.datasets import make_classification, make_regression
    from fastml.gbdt import GBDTClassifier, GBDTRegressor

    if task == "reg":
        X, y = make_regression(
            500_000, 20, n_informative=10, noise=10.0, random_state=0, dtype=np.float32
        )
    else:
        X, y = make_classification(
            1_000_000, 28, n_informative=12, random_state=0, dtype=np.float32
        )
        if task == "nan":
            X[np.random.default_rng(1).random(X.shape) < 0.1] = np.nan
    common: dict[str, Any] = dict(
        n_estimators=100, max_depth=6, learning_rate=0.1, max_bin=255, n_jobs=2
    )
    reg = task == "reg"
    makers: dict[str, Callable[[], Any]] = {
        "fastml": lambda: (GBDTRegressor if reg else GBDTClassifier)(**common),
        "lightgbm": lambda: (
            lightgbm.LGBMRegressor if reg else lightgbm.LGBMClassifier
        )(num_leaves=63, verbose=-1, **common),
        "xgboost": lambda: (xgboost.XGBRegressor if reg else xgboost.XGBClassifier)(
            tree_method="hist", **common
        ),
    }
    for make in makers.values():
        make().fit(X[:20_000], y[:20_000])
    times: dict[str, list[float]] = {name: [] for name in makers}
    for _ in range(rounds):
        for name, make in makers.items():
            start = time.perf_counter()
            make().fit(X, y)
            times[name].append(time.perf_counter() - start)
    median = {name: float(np.median(t)) for name, t in times.items()}
    for name, t in times.items():
        print(f"{task} {name:9s} " + " ".join(f"{v:.2f}" for v in t))
    print(
        f"{task} median fastml/lightgbm {median['fastml'] / median['lightgbm']:.3f}"
        f"  fastml/xgboost {median['fastml'] / median['xgboost']:.3f}"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
