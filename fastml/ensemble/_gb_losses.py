"""Losses of classic gradient boosting and the constant initial models.

Each loss knows its number of trees per round, its link (raw prediction <->
probability or target), its negative gradient, the line search that rewrites a new
tree's leaf values, and its mean value. The per-row work runs in
``fastml.kernels.tree.boosting``.

Initial models (``init=None``) are tiny estimators with ``fit``/``predict``
(``predict_proba`` for classes), stored as ``init_``: the weighted class priors, the
(weighted) mean, median or quantile of the target.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, softmax

__all__ = [
    "GBLoss",
    "make_loss",
    "PriorClassifier",
    "ConstantRegressor",
    "init_raw_from_estimator",
]

_EPS64 = float(np.finfo(np.float64).eps)


def _kernels() -> Any:
    from fastml.kernels.tree import boosting

    return boosting


def weighted_percentile(
    values: np.ndarray, weight: np.ndarray, percent: float
) -> float:
    """Inverted-CDF weighted percentile (``percent`` in [0, 100]) of a 1-D array: the
    smallest value whose cumulative weight (values sorted) reaches ``percent / 100``
    of the total; NaN when every weight is 0."""
    values = np.asarray(values, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    if not np.any(weight != 0):
        return float("nan")
    order = np.argsort(values)
    cdf = np.cumsum(weight[order])
    target = float(percent) / 100 * cdf[-1]
    if target == 0:
        target = np.nextafter(0.0, 1.0)
    j = min(int(np.searchsorted(cdf, target, side="left")), len(order) - 1)
    return float(values[order[j]])


class PriorClassifier:
    """Predicts the (weighted) class frequencies of the training targets.

    ``fit(X, y, sample_weight=None)`` with ``y`` the class indices 0..K-1 (as
    floats or ints); ``predict_proba`` returns ``class_prior_`` on every row.
    """

    def fit(
        self, X: Any, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> PriorClassifier:
        y_idx = np.asarray(y).astype(np.int64)
        n_classes = int(y_idx.max()) + 1 if y_idx.size else 0
        counts = np.bincount(y_idx, weights=sample_weight, minlength=n_classes)
        self.classes_ = np.arange(n_classes)
        self.class_prior_ = counts / counts.sum()
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        n = X.shape[0]
        return np.tile(self.class_prior_, (n, 1))

    def predict(self, X: Any) -> np.ndarray:
        return np.full(X.shape[0], self.classes_[np.argmax(self.class_prior_)])

    def __repr__(self) -> str:
        return "PriorClassifier()"


class ConstantRegressor:
    """Predicts one constant: the (weighted) mean, or a quantile, of the targets.

    Without sample weights the quantile interpolates linearly between order
    statistics (numpy's default percentile); with weights it is the inverted-CDF
    weighted quantile.
    """

    def __init__(self, strategy: str = "mean", quantile: float = 0.5) -> None:
        self.strategy = strategy
        self.quantile = quantile

    def fit(
        self, X: Any, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> ConstantRegressor:
        y = np.asarray(y, dtype=np.float64)
        if self.strategy == "mean":
            self.constant_ = float(np.average(y, weights=sample_weight))
        elif sample_weight is None:
            self.constant_ = float(np.percentile(y, 100.0 * self.quantile))
        else:
            self.constant_ = weighted_percentile(
                y, sample_weight, 100.0 * self.quantile
            )
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(X.shape[0], self.constant_, dtype=np.float64)

    def __repr__(self) -> str:
        return (
            f"ConstantRegressor(strategy={self.strategy!r}, quantile={self.quantile})"
        )


class GBLoss:
    """A boosting loss.

    Parameters
    ----------
    name : str
        "squared_error", "absolute_error", "huber", "quantile", "binomial",
        "exponential" or "multinomial".
    n_classes : int
        Number of classes (classification), 1 for regression.
    alpha : float
        Quantile of the quantile loss; quantile of |residual| giving Huber's delta.
    """

    def __init__(self, name: str, n_classes: int = 1, alpha: float = 0.9) -> None:
        self.name = name
        self.code = _kernels().LOSS_CODES[name]
        self.n_classes = n_classes
        self.alpha = alpha
        self.delta = (
            0.5  # Huber's threshold (reset at each round; 0.5 before the first)
        )
        self.K = n_classes if name == "multinomial" else 1
        # The reported training and validation losses: the full deviance for the
        # halved losses.
        self.factor = 2.0 if name in ("squared_error", "binomial") else 1.0
        self.is_classification = name in ("binomial", "exponential", "multinomial")

    # -- links --------------------------------------------------------------------
    def link(self, proba: np.ndarray) -> np.ndarray:
        """Raw predictions (n, K) of probabilities (classes) or targets."""
        if self.name == "binomial":
            return np.log(proba / (1.0 - proba)).reshape(-1, 1)
        if self.name == "exponential":
            return (0.5 * np.log(proba / (1.0 - proba))).reshape(-1, 1)
        if self.name == "multinomial":
            log_p = np.log(proba)
            gmean = np.exp(np.mean(log_p, axis=1))
            return np.log(proba / gmean[:, None])
        return np.asarray(proba, dtype=np.float64).reshape(-1, 1)

    def predict_proba(self, raw: np.ndarray) -> np.ndarray:
        """Class probabilities (n, n_classes) of raw predictions (n, K)."""
        if self.name == "multinomial":
            return softmax(raw, axis=1)
        r = raw.reshape(-1)
        p1 = expit(2.0 * r if self.name == "exponential" else r)
        out = np.empty((r.shape[0], 2), dtype=np.float64)
        out[:, 1] = p1
        out[:, 0] = 1.0 - p1
        return out

    # -- boosting steps -------------------------------------------------------------
    def set_delta(self, y: np.ndarray, raw: np.ndarray, weight: np.ndarray) -> None:
        """Huber: delta = the alpha-quantile of |y - raw| (weighted)."""
        abserr = np.abs(y - raw[:, 0])
        self.delta = weighted_percentile(abserr, weight, 100.0 * self.alpha)

    def param(self) -> float:
        if self.name == "huber":
            return float(self.delta)
        if self.name == "quantile":
            return float(self.alpha)
        return 0.0

    def negative_gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        out = np.empty_like(raw)
        _kernels().compute_negative_gradient(self.code, y, raw, self.param(), out)
        return out

    def leaf_values(
        self,
        leaf: np.ndarray,
        y: np.ndarray,
        neg_grad: np.ndarray,
        raw_k: np.ndarray,
        weight: np.ndarray,
        n_nodes: int,
        value: np.ndarray,
    ) -> None:
        """Rewrite ``value`` (n_nodes,) at the leaves holding rows (``leaf`` >= 0).

        ``y`` is the target of this tree (for multinomial: 1 for the tree's class,
        else 0), ``raw_k`` the current raw prediction of its column.
        """
        kern = _kernels()
        if self.name == "squared_error":
            return
        if self.name == "quantile" or self.name == "absolute_error":
            rank = (
                0.5 if self.name == "absolute_error" else (100.0 * self.alpha) / 100.0
            )
            residual = y - raw_k
            rows = np.flatnonzero(leaf >= 0)
            order = rows[np.lexsort((residual[rows], leaf[rows]))].astype(np.int64)
            kern.quantile_leaf_values(
                order, leaf, residual, weight, rank, n_nodes, value
            )
            return
        # Newton and Huber steps: per-leaf weighted averages with numpy, on the rows
        # of each leaf in increasing order (the reference's arithmetic, so that
        # near-tied splits of later trees are not flipped by rounding here).
        starts, rows = kern.group_rows_by_leaf(leaf, n_nodes)
        for node in np.flatnonzero(np.diff(starts)):
            idx = rows[starts[node] : starts[node + 1]]
            w = weight[idx]
            if not np.any(w != 0):
                value[node] = 0.0
                continue
            if self.name == "huber":
                resid = y[idx] - raw_k[idx]
                median = weighted_percentile(resid, w, 50.0)
                diff = resid - median
                term = np.sign(diff) * np.minimum(self.delta, np.abs(diff))
                value[node] = median + np.average(term, weights=w)
                continue
            g = neg_grad[idx]
            numerator = np.average(g, weights=w)
            if self.name == "exponential":
                hess = g.copy()
                hess[y[idx] == 0] *= -1
                denominator = np.average(hess, weights=w)
            else:
                p = y[idx] - g
                if self.name == "multinomial":
                    numerator *= (self.n_classes - 1) / self.n_classes
                denominator = np.average(p * (1 - p), weights=w)
            if abs(denominator) < 1e-150:
                value[node] = 0.0
            else:
                value[node] = float(numerator) / float(denominator)

    def __call__(self, y: np.ndarray, raw: np.ndarray, weight: np.ndarray) -> float:
        """The reported loss: ``factor`` times the weighted mean per-row loss."""
        if y.shape[0] == 0 or not np.any(weight != 0):
            return float("nan")
        value = _kernels().mean_loss(
            self.code,
            np.ascontiguousarray(y, dtype=np.float64),
            np.ascontiguousarray(raw, dtype=np.float64),
            np.ascontiguousarray(weight, dtype=np.float64),
            self.param(),
        )
        return self.factor * float(value)

    # -- initial model ----------------------------------------------------------------
    def default_init(self) -> Any:
        if self.is_classification:
            return PriorClassifier()
        if self.name in ("absolute_error", "huber"):
            return ConstantRegressor("quantile", 0.5)
        if self.name == "quantile":
            return ConstantRegressor("quantile", self.alpha)
        return ConstantRegressor("mean")


def make_loss(loss: str, n_classes: int, alpha: float) -> GBLoss:
    """The GBLoss of an estimator's ``loss`` parameter."""
    if loss == "log_loss":
        return GBLoss("binomial" if n_classes == 2 else "multinomial", n_classes)
    if loss == "exponential":
        return GBLoss("exponential", 2)
    return GBLoss(loss, 1, alpha)


def init_raw_from_estimator(X: np.ndarray, estimator: Any, loss: GBLoss) -> np.ndarray:
    """Raw predictions (n, K) of a fitted initial estimator."""
    if loss.is_classification:
        proba = np.asarray(estimator.predict_proba(X))
        if loss.name != "multinomial":
            proba = proba[:, 1]
        proba = np.clip(proba, _EPS64, 1 - _EPS64).astype(np.float64)
        return np.ascontiguousarray(loss.link(proba))
    pred = np.asarray(estimator.predict(X)).astype(np.float64)
    return np.ascontiguousarray(pred.reshape(-1, 1))
