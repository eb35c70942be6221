"""fastml.gbdt (tree_method="hist") against LightGBM on benchmark-like data.

Parameter mapping (``_lightgbm``): n_estimators, learning_rate, max_depth and
max_bin by name; LightGBM's leaf-wise growth is limited to the same trees as a
depth-6 depthwise tree with ``num_leaves=63``; XGBoost's defaults that LightGBM
spells differently are set explicitly: ``reg_lambda=1`` (LightGBM: 0),
``min_child_weight=1`` (LightGBM: 1e-3, the hessian sum), ``min_child_samples=1``
(LightGBM: 20 rows; XGBoost and fastml have no row minimum). One thread each.

Tolerances:
- Test AUC within 0.002 (the issue's figure) on the benchmark's classification shape
  (28 features, 12 informative, 30,000 training rows), with and without 10% NaN:
  the models differ in growth order (leaf-wise vs level-wise) and cut points, which
  moves the AUC of 10,000 test rows by ~1e-3 at most.
- Regression RMSE within 0.5% (the figure the issue sets against XGBoost, which
  LightGBM meets as well on this data).
"""

from __future__ import annotations

import numpy as np
import pytest

from fastml.gbdt import GBDTClassifier, GBDTRegressor

lgb = pytest.importorskip("lightgbm")
metrics = pytest.importorskip("sklearn.metrics")

PARAMS = dict(n_estimators=100, max_depth=6, learning_rate=0.1, max_bin=255)


def _fastml(cls):
    return cls(n_jobs=1, **PARAMS)


def _lightgbm(cls):
    return cls(
        num_leaves=63,
        reg_lambda=1.0,
        min_child_weight=1.0,
        min_child_samples=1,
        n_jobs=1,
        verbose=-1,
        **PARAMS,
    )


@pytest.mark.parametrize("nan", [0.0, 0.1])
def test_binary_auc_matches_lightgbm(nan):
    from fastml.datasets import make_classification

    X, y = make_classification(
        40_000, 28, n_informative=12, random_state=0, dtype=np.float32
    )
    if nan:
        X[np.random.default_rng(0).random(X.shape) < nan] = np.nan
    Xtr, ytr, Xte, yte = X[:30_000], y[:30_000], X[30_000:], y[30_000:]
    auc_ours = metrics.roc_auc_score(
        yte, _fastml(GBDTClassifier).fit(Xtr, ytr).predict_proba(Xte)[:, 1]
    )
    auc_lgb = metrics.roc_auc_score(
        yte, _lightgbm(lgb.LGBMClassifier).fit(Xtr, ytr).predict_proba(Xte)[:, 1]
    )
    assert auc_ours > 0.95
    assert abs(auc_ours - auc_lgb) < 0.002


def test_regression_rmse_matches_lightgbm():
    from fastml.datasets import make_regression

    X, y = make_regression(
        40_000, 20, n_informative=10, noise=10.0, random_state=0, dtype=np.float32
    )
    rmse_ours = metrics.root_mean_squared_error(
        y[30_000:],
        _fastml(GBDTRegressor).fit(X[:30_000], y[:30_000]).predict(X[30_000:]),
    )
    rmse_lgb = metrics.root_mean_squared_error(
        y[30_000:],
        _lightgbm(lgb.LGBMRegressor).fit(X[:30_000], y[:30_000]).predict(X[30_000:]),
    )
    assert abs(rmse_ours - rmse_lgb) <= 0.005 * rmse_lgb
