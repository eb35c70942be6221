"""The public estimators: GBDTRegressor and GBDTClassifier."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from fastml.base import ClassifierMixin, RegressorMixin
from fastml.gbdt._gbdt import _BaseGBDT
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import check_array, column_or_1d

__all__ = ["GBDTRegressor", "GBDTClassifier"]


class GBDTRegressor(RegressorMixin, _BaseGBDT):
    """Gradient-boosted trees for regression, XGBoost's parameters and formulation.

    Parameters
    ----------
    n_estimators : int, default=100
        Boosting rounds (one tree each).
    learning_rate : float, default=0.3
        Shrinkage of every leaf value (XGBoost's eta).
    max_depth : int, default=6
        Maximum depth of a tree (root at depth 0); 0 means no limit (lossguide only).
    max_leaves : int, default=0
        Maximum leaves per tree, 0 for no limit.
    grow_policy : {"depthwise", "lossguide"}, default="depthwise"
        Level by level, or best-first (largest gain first, LightGBM's leaf-wise).
    min_child_weight : float, default=1.0
        Minimum cover (sum of hessians) of each child of a split.
    reg_lambda, reg_alpha : float, default=1.0, 0.0
        L2 and L1 regularisation of the leaf weights.
    gamma : float, default=0.0
        Minimum gain of a split (XGBoost's min_split_loss): a split is kept only if
        its gain (without the paper's 1/2, see below) exceeds gamma.
    max_delta_step : float or None, default=None
        Clip leaf weights to this absolute value (0: no clipping); None means
        XGBoost's default: 0.7 for Poisson, 0 otherwise (not supported by
        tree_method="exact").
    max_bin : int, default=255
        Bins per feature for tree_method="hist", in [2, 65535]. 255 (XGBoost: 256)
        keeps bins in one byte with room for the missing-value bin; more bins use
        two bytes per value.
    subsample : float, default=1.0
        Fraction of rows sampled (each row with this probability) for each round.
    colsample_bytree : float, default=1.0
        Fraction of features sampled for each tree.
    base_score : float or None, default=None
        Initial prediction; None estimates it from y (see fastml/gbdt/_objectives.py).
    objective : str, fastml Loss or callable, default=None
        "reg:squarederror" (None), "reg:pseudohubererror", "count:poisson", a
        SquaredError / PseudoHuber / Poisson loss, or ``f(y_true, y_pred) -> (grad,
        hess)`` (per-row, unweighted; margins in, identity link).
    tree_method : {"hist", "exact", "auto"}, default="hist"
        Histogram trees on quantile bins, exact greedy trees (midpoints of sorted
        distinct values), or exact for at most 10,000 rows and hist above.
    n_jobs : int or None, default=None
        Threads (None: 1, -1: all CPUs). Results do not depend on it.
    random_state : int, RandomState or None, default=None
        Seed of row/feature sampling (None: 0, deterministic as XGBoost).
    early_stopping_rounds : int or None, default=None
        Stop when the last eval set's last metric has not improved for this many
        rounds; prediction then uses the best round.
    eval_metric : str, callable or list, default=None
        Metrics computed on eval sets each round (fastml/gbdt/_metrics.py); None is
        the objective's default.
    verbose : bool or int, default=False
        Log the eval metrics through the "fastml.gbdt" logger (every round for
        True, every ``verbose`` rounds for an int) and show a progress bar on a
        terminal.
    importance_type : str, default="gain"
        Kind of ``feature_importances_``: "gain", "weight", "cover", "total_gain",
        "total_cover".

    Attributes
    ----------
    trees_ : dict of ndarray
        The trees in flat arrays (kernels/tree/predict.py): "feature", "threshold",
        "default_left", "left", "right", "value", "gain", "cover", "tree_ptr".
    base_margin_ : ndarray of shape (n_groups_,)
        Initial raw prediction.
    n_rounds_ : int
        Rounds trained (fewer than n_estimators after early stopping).
    best_iteration_ : int
        0-based round with the best eval score (the last round without eval set).
    best_score_ : float
    evals_result_ : dict
        ``{"validation_0": {"rmse": [...]}, ...}``.
    feature_importances_ : ndarray of shape (n_features_in_,)
    n_features_in_, feature_names_in_
        As in scikit-learn.

    Notes
    -----
    Where the 1/2 goes: the paper's loss reduction (Chen & Guestrin 2016, eq. 7) is
    ``1/2 (S_L + S_R - S_P) - gamma`` with similarity ``S = T(G)^2 / (H + lambda)``.
    Like XGBoost, fastml compares the gain without the 1/2, ``S_L + S_R - S_P``, with
    gamma, so this gamma is twice the paper's; leaf weights ``-T(G) / (H + lambda)``
    are unaffected.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.gbdt import GBDTRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3))
    >>> y = X[:, 0] ** 2 + X[:, 1]
    >>> model = GBDTRegressor(n_estimators=50, max_depth=3).fit(X, y)
    >>> bool(model.score(X, y) > 0.9)
    True
    """

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(y, dtype=np.float64)

    def _encode_eval_y(self, y: Any) -> np.ndarray:
        ye = column_or_1d(
            check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        )
        return ye

    def predict(
        self, X: Any, *, output_margin: bool = False, iteration_range: Any = None
    ) -> np.ndarray:
        """Predicted values (the margin through the objective's link).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        output_margin : bool, default=False
            Return the raw margin (e.g. log-mean for Poisson).
        iteration_range : (0, stop) or None
            Use rounds ``[0, stop)``; None uses the best round after early stopping,
            else all.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        raw = self._raw_predict(X, iteration_range)
        if output_margin:
            return raw[:, 0]
        return self._objective_link(raw)

    def _objective_link(self, raw: np.ndarray) -> np.ndarray:
        if self.objective_ == "poisson":
            return np.exp(raw[:, 0])
        return raw[:, 0].copy()

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """Predictions after each boosting round (up to the best one after early
        stopping).

        Yields
        ------
        ndarray of shape (n_samples,)
        """
        for raw in self._staged_raw(X):
            yield self._objective_link(raw)


class GBDTClassifier(ClassifierMixin, _BaseGBDT):
    """Gradient-boosted trees for binary and multiclass classification.

    Same parameters as :class:`GBDTRegressor`, except ``objective``:
    "binary:logistic" / "multi:softprob" (None: chosen from the number of classes),
    "multi:softmax" (same model), BinaryCrossEntropy(from_logits=True) /
    CategoricalCrossEntropy(from_logits=True), or a callable ``f(y_true, y_pred) ->
    (grad, hess)`` on the encoded labels (0..K-1) and the margins (shape (n,) for two
    classes, (n, K) for more).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    (others as GBDTRegressor)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.gbdt import GBDTClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 4))
    >>> y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    >>> clf = GBDTClassifier(n_estimators=30).fit(X, y)
    >>> clf.classes_.tolist()
    ['no', 'yes']
    >>> bool(clf.score(X, y) > 0.95)
    True
    """

    _classifier = True

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        check_classification_targets(y)
        classes, y_enc = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got "
                f"{classes.shape[0]} class"
            )
        self.classes_ = classes
        self.n_classes_ = int(classes.shape[0])
        # Compact class indices (the objective converts chunk by chunk).
        return y_enc.astype(np.uint8 if classes.shape[0] <= 255 else np.int32)

    def _encode_eval_y(self, y: Any) -> np.ndarray:
        ye = column_or_1d(check_array(y, ensure_2d=False, dtype=None, input_name="y"))
        pos = np.searchsorted(self.classes_, ye)
        pos = np.clip(pos, 0, self.classes_.shape[0] - 1)
        bad = self.classes_[pos] != ye
        if np.any(bad):
            raise ValueError(
                f"eval_set y contains labels not seen in fit: {np.unique(ye[bad])[:5]}."
            )
        return pos.astype(np.int64)

    def _n_classes(self) -> int:
        return self.n_classes_

    def _metric_pred(self, pred: np.ndarray) -> np.ndarray:
        return pred

    def predict_proba(self, X: Any, *, iteration_range: Any = None) -> np.ndarray:
        """Class probabilities.

        Returns
        -------
        ndarray of shape (n_samples, n_classes), columns in ``classes_`` order.
        """
        raw = self._raw_predict(X, iteration_range)
        return self._proba(raw)

    def _proba(self, raw: np.ndarray) -> np.ndarray:
        if self.n_groups_ == 1 and raw.shape[0] == 1:
            # One row (latency): plain floats instead of several tiny ufunc calls.
            # Same operations as the array path below.
            z0 = float(raw[0, 0])
            e0 = math.exp(-abs(z0))
            inv0 = 1.0 / (1.0 + e0)
            p1 = inv0 if z0 >= 0 else e0 * inv0
            return np.array([[1.0 - p1, p1]])
        if self.n_groups_ == 1:
            z = raw[:, 0]
            # sigmoid without overflow: e = exp(-|z|) <= 1.
            e = np.exp(-np.abs(z))
            inv = 1.0 / (1.0 + e)
            out = np.empty((z.shape[0], 2))
            out[:, 1] = np.where(z >= 0, inv, e * inv)
            out[:, 0] = 1.0 - out[:, 1]
            return out
        z = raw - raw.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def predict(
        self, X: Any, *, output_margin: bool = False, iteration_range: Any = None
    ) -> np.ndarray:
        """Predicted class labels (or raw margins with ``output_margin``).

        Returns
        -------
        ndarray of shape (n_samples,) (labels), or (n_samples,) / (n_samples,
        n_classes) margins.
        """
        raw = self._raw_predict(X, iteration_range)
        if output_margin:
            return raw[:, 0] if self.n_groups_ == 1 else raw
        if self.n_groups_ == 1:
            return self.classes_[(raw[:, 0] > 0).astype(np.int64)]
        return self.classes_[np.argmax(raw, axis=1)]

    def staged_predict_proba(self, X: Any) -> Iterator[np.ndarray]:
        """Class probabilities after each boosting round.

        Yields
        ------
        ndarray of shape (n_samples, n_classes)
        """
        for raw in self._staged_raw(X):
            yield self._proba(raw)

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """Predicted labels after each boosting round.

        Yields
        ------
        ndarray of shape (n_samples,)
        """
        for raw in self._staged_raw(X):
            if self.n_groups_ == 1:
                yield self.classes_[(raw[:, 0] > 0).astype(np.int64)]
            else:
                yield self.classes_[np.argmax(raw, axis=1)]
