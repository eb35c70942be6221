"""Gradient-boosted decision trees with XGBoost's parameters and formulation.

:class:`GBDTRegressor` and :class:`GBDTClassifier` (binary and multiclass) grow
XGBoost-style trees (gain ``S_L + S_R - S_P`` with ``S = T(G)^2 / (H + lambda)``,
learned missing-value directions, ``min_child_weight`` on the cover) either on
quantile histograms (``tree_method="hist"``, the fast default) or by exact greedy
search (``tree_method="exact"``). Objectives come from :mod:`fastml.losses`; eval
sets, early stopping, staged prediction, feature importances, pickling and a
versioned JSON model format (:meth:`~GBDTRegressor.save_model`,
:func:`load_model`) are supported.

Examples
--------
>>> import numpy as np
>>> from fastml.gbdt import GBDTClassifier
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(2000, 5))
>>> y = (X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=2000) > 0).astype(int)
>>> clf = GBDTClassifier(n_estimators=500, learning_rate=0.1,
...                      early_stopping_rounds=20, eval_metric="logloss")
>>> clf = clf.fit(X[:1500], y[:1500], eval_set=[(X[1500:], y[1500:])])
>>> clf.best_iteration_ < clf.n_rounds_ <= 500
True
>>> bool(clf.score(X[1500:], y[1500:]) > 0.9)
True
"""

# The kernel modules a fit calls and Numba's compiler are loaded with the area
# (~0.5 s once per process) rather than inside the first fit, so that with a warm
# kernel cache the first fit costs about what the second does. ``import fastml``
# itself stays cheap: areas load on first use.
import fastml.kernels.gbdt.grow
import fastml.kernels.hist.binning
import fastml.kernels.hist.cuts
import fastml.kernels.losses.pointwise
import fastml.kernels.tree.predict  # noqa: F401
from fastml.gbdt._estimators import GBDTClassifier, GBDTRegressor
from fastml.gbdt._model_io import load_model
from fastml.kernels._jit import load_compiler

load_compiler()

__all__ = ["GBDTRegressor", "GBDTClassifier", "load_model"]


def _warmup() -> None:
    """Load or compile every kernel a fit and a predict use (for fastml.warmup()):
    the Numba binning, sketch, loss and exact-tree kernels for float32 and float64
    data (the histogram grower and the predictor are compiled ahead of time)."""
    import numpy as np

    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        X = np.asarray(rng.normal(size=(64, 3)), dtype=dtype)
        X[::7, 1] = np.nan
        x0 = np.asarray(X[:, 0], dtype=np.float64)
        y = (x0 > 0).astype(int)
        y3 = np.digitize(x0, [-0.5, 0.5])
        for target in (y, y3):
            clf = GBDTClassifier(n_estimators=2, max_depth=2)
            clf.fit(X, target)
            clf.predict_proba(X)
        for method in ("hist", "exact"):
            reg = GBDTRegressor(n_estimators=2, max_depth=2, tree_method=method)
            reg.fit(X, x0)
            reg.predict(X)
