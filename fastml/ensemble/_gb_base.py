"""The shared machinery of GradientBoostingClassifier / GradientBoostingRegressor
(fastml/ensemble/_gradient_boosting.py): parameter constraints, the boosting loop,
state for warm starts, early stopping, out-of-bag scores, staged and packed
prediction, apply and feature importances. The algorithm is described in the public
module's docstring.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import BaseEstimator
from fastml.ensemble._gb_losses import GBLoss, init_raw_from_estimator
from fastml.ensemble._gb_params import (
    BOOLEAN,
    INTEGER,
    RANDOM_STATE,
    VERBOSE,
    Interval,
    Options,
    validate_params,
)
from fastml.ensemble._gb_trees import (
    PackedEnsemble,
    TreeGrower,
    tree_feature_importances,
)
from fastml.utils.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    column_or_1d,
    validate_data,
)

__all__ = ["_BaseGradientBoosting", "_random_sample_mask"]

# Logged under the public module's name.
logger = logging.getLogger("fastml.ensemble._gradient_boosting")

_RAND_R_MAX = 2147483647


def _random_sample_mask(n: int, n_inbag: int, rng: np.random.RandomState) -> np.ndarray:
    """Exactly ``n_inbag`` of ``n`` rows, uniformly (selection sampling, Knuth's
    algorithm S), from one uniform draw per row."""
    from fastml.kernels.tree.boosting import select_subsample

    u = rng.uniform(size=n)
    mask = np.zeros(n, dtype=np.bool_)
    select_subsample(u, n_inbag, mask)
    return mask


_TREE_CONSTRAINTS: dict[str, list[Any]] = {
    "max_depth": [Interval("int", 1, None, "left"), None],
    "min_samples_split": [
        Interval("int", 2, None, "left"),
        Interval("float", 0.0, 1.0, "right"),
    ],
    "min_samples_leaf": [
        Interval("int", 1, None, "left"),
        Interval("float", 0.0, 1.0, "neither"),
    ],
    "min_weight_fraction_leaf": [Interval("real", 0.0, 0.5, "both")],
    "max_features": [
        Interval("int", 1, None, "left"),
        Interval("float", 0.0, 1.0, "right"),
        Options({"sqrt", "log2"}),
        None,
    ],
    "random_state": RANDOM_STATE,
    "max_leaf_nodes": [Interval("int", 2, None, "left"), None],
    "min_impurity_decrease": [Interval("real", 0.0, None, "left")],
    "ccp_alpha": [Interval("real", 0.0, None, "left")],
}


class _HiddenOptions(Options):
    """Accepted values that the error message does not advertise."""

    hidden = True


class _BaseGradientBoosting(BaseEstimator):
    _parameter_constraints: dict[str, list[Any]] = {
        **_TREE_CONSTRAINTS,
        "learning_rate": [Interval("real", 0.0, None, "left")],
        "n_estimators": [Interval("int", 1, None, "left")],
        "criterion": [
            Options({"squared_error"}),
            _HiddenOptions({"deprecated", "friedman_mse"}),
        ],
        "subsample": [Interval("real", 0.0, 1.0, "right")],
        "verbose": VERBOSE,
        "warm_start": [BOOLEAN],
        "validation_fraction": [Interval("real", 0.0, 1.0, "neither")],
        "n_iter_no_change": [Interval("int", 1, None, "left"), None],
        "tol": [Interval("real", 0.0, None, "left")],
        "n_jobs": [None, INTEGER],
    }

    _is_classifier = False

    # Hyper-parameters (set by the subclasses' __init__) and fitted attributes.
    loss: str
    learning_rate: float
    n_estimators: int
    subsample: float
    criterion: str
    min_samples_split: int | float
    min_samples_leaf: int | float
    min_weight_fraction_leaf: float
    max_depth: int | None
    min_impurity_decrease: float
    init: Any
    random_state: Any
    max_features: int | float | str | None
    verbose: int
    max_leaf_nodes: int | None
    warm_start: bool
    validation_fraction: float
    n_iter_no_change: int | None
    tol: float
    ccp_alpha: float
    n_jobs: int | None
    n_features_in_: int
    n_classes_: int
    n_trees_per_iteration_: int

    # -- subclass hooks -------------------------------------------------------------
    def _encode_y(self, y: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def _make_loss(self) -> GBLoss:
        raise NotImplementedError

    # -- state ----------------------------------------------------------------------
    def _is_fitted(self) -> bool:
        return len(getattr(self, "estimators_", [])) > 0

    def __sklearn_is_fitted__(self) -> bool:
        return self._is_fitted()

    def _clear_state(self) -> None:
        for name in (
            "estimators_",
            "train_score_",
            "oob_improvement_",
            "oob_scores_",
            "oob_score_",
            "init_",
            "_rng",
            "_packed",
        ):
            if hasattr(self, name):
                delattr(self, name)

    def _init_state(self) -> None:
        self.init_ = self.init if self.init is not None else self._loss.default_init()
        K = self.n_trees_per_iteration_
        self.estimators_: np.ndarray = np.empty((self.n_estimators, K), dtype=object)
        self.train_score_ = np.zeros(self.n_estimators, dtype=np.float64)
        if self.subsample < 1.0:
            self.oob_improvement_ = np.zeros(self.n_estimators, dtype=np.float64)
            self.oob_scores_ = np.zeros(self.n_estimators, dtype=np.float64)
            self.oob_score_ = np.nan

    def _resize_state(self) -> None:
        total = self.n_estimators
        K = self.n_trees_per_iteration_
        old = self.estimators_
        self.estimators_ = np.empty((total, K), dtype=object)
        self.estimators_[: old.shape[0]] = old
        self.train_score_ = np.resize(self.train_score_, total)
        if self.subsample < 1 or hasattr(self, "oob_improvement_"):
            if hasattr(self, "oob_improvement_"):
                self.oob_improvement_ = np.resize(self.oob_improvement_, total)
                self.oob_scores_ = np.resize(self.oob_scores_, total)
            else:
                self.oob_improvement_ = np.zeros(total, dtype=np.float64)
                self.oob_scores_ = np.zeros(total, dtype=np.float64)
            self.oob_score_ = np.nan

    def _set_max_features(self) -> None:
        n = self.n_features_in_
        mf = self.max_features
        if isinstance(mf, str):
            value = max(1, int(np.sqrt(n))) if mf == "sqrt" else max(1, int(np.log2(n)))
        elif mf is None:
            value = n
        elif isinstance(mf, (int, np.integer)):
            value = int(mf)
        else:
            value = max(1, int(mf * n))
        self.max_features_ = value

    def _tree_params(self) -> dict[str, Any]:
        return {
            "max_depth": self.max_depth,
            "min_samples_split": self.min_samples_split,
            "min_samples_leaf": self.min_samples_leaf,
            "min_weight_fraction_leaf": self.min_weight_fraction_leaf,
            "min_impurity_decrease": self.min_impurity_decrease,
            "max_features": self.max_features,
            "max_leaf_nodes": self.max_leaf_nodes,
            "ccp_alpha": self.ccp_alpha,
        }

    # -- fit ------------------------------------------------------------------------
    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        monitor: Callable[[int, Any, dict[str, Any]], bool] | None = None,
    ) -> Any:
        """Fit the boosted trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (converted to float32, like the trees' thresholds).
        y : array-like of shape (n_samples,)
            Class labels (classifier) or real targets (regressor).
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights (None: equal weights).
        monitor : callable, default=None
            Called after each round as ``monitor(i, self, locals())``; returning
            True stops the fit (the round i is kept).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        validate_params(self, self._parameter_constraints)
        if not self.warm_start:
            self._clear_state()
        if self.criterion != "deprecated":
            warnings.warn(
                "The parameter `criterion` is deprecated and will be removed in 1.11. "
                "It has no effect. Leave it to its default value to avoid this "
                "warning.",
                FutureWarning,
                stacklevel=2,
            )
        X, y = validate_data(self, X, y, dtype=np.float32, multi_output=True)
        sample_weight_is_none = sample_weight is None
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        y = self._encode_y(y, None if sample_weight_is_none else sample_weight)
        y = np.ascontiguousarray(column_or_1d(y, warn=True), dtype=np.float64)
        self._set_max_features()
        self._loss = self._make_loss()
        self._packed = None

        if self.n_iter_no_change is not None:
            from fastml.model_selection import train_test_split

            stratify = y if self._is_classifier else None
            X_train, X_val, y_train, y_val, sw_train, sw_val = train_test_split(
                X,
                y,
                sample_weight,
                random_state=self.random_state,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
            if self._is_classifier and self.n_classes_ != np.unique(y_train).shape[0]:
                raise ValueError(
                    "The training data after the early stopping split is missing some "
                    "classes. Try using another random seed."
                )
            X_train = np.ascontiguousarray(X_train)
            X_val = np.ascontiguousarray(X_val)
        else:
            X_train, y_train, sw_train = X, y, sample_weight
            X_val = y_val = sw_val = None

        n_samples = X_train.shape[0]
        if not self._is_fitted():
            self._init_state()
            if isinstance(self.init_, str) and self.init_ == "zero":
                raw = np.zeros(
                    (n_samples, self.n_trees_per_iteration_), dtype=np.float64
                )
            else:
                self._fit_init(X_train, y_train, sw_train, sample_weight_is_none)
                raw = init_raw_from_estimator(X_train, self.init_, self._loss)
            begin_at_stage = 0
            self._rng = check_random_state(self.random_state)
        else:
            if self.n_estimators < self.estimators_.shape[0]:
                raise ValueError(
                    f"n_estimators={self.n_estimators} must be larger or equal to "
                    f"estimators_.shape[0]={self.estimators_.shape[0]} when "
                    "warm_start==True"
                )
            begin_at_stage = self.estimators_.shape[0]
            raw = self._raw_predict(X_train, n_stages=begin_at_stage)
            self._resize_state()

        n_stages = self._fit_stages(
            X_train,
            y_train,
            raw,
            sw_train,
            X_val,
            y_val,
            sw_val,
            begin_at_stage,
            monitor,
        )
        if n_stages != self.estimators_.shape[0]:
            self.estimators_ = self.estimators_[:n_stages]
            self.train_score_ = self.train_score_[:n_stages]
            if hasattr(self, "oob_improvement_"):
                self.oob_improvement_ = self.oob_improvement_[:n_stages]
                self.oob_scores_ = self.oob_scores_[:n_stages]
                self.oob_score_ = self.oob_scores_[-1]
        self.n_estimators_ = n_stages
        # Packed once here: prediction never modifies the estimator.
        self._packed = PackedEnsemble(self.estimators_, float(self.learning_rate))
        return self

    def _fit_init(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray,
        sample_weight_is_none: bool,
    ) -> None:
        if sample_weight_is_none:
            self.init_.fit(X, y)
            return
        msg = (
            f"The initial estimator {type(self.init_).__name__} does not support "
            "sample weights."
        )
        try:
            self.init_.fit(X, y, sample_weight=sample_weight)
        except TypeError as exc:
            if "unexpected keyword argument 'sample_weight'" in str(exc):
                raise ValueError(msg) from exc
            raise

    def _fit_stages(
        self,
        X: np.ndarray,
        y: np.ndarray,
        raw: np.ndarray,
        sample_weight: np.ndarray,
        X_val: np.ndarray | None,
        y_val: np.ndarray | None,
        sw_val: np.ndarray | None,
        begin_at_stage: int,
        monitor: Callable[[int, Any, dict[str, Any]], bool] | None,
    ) -> int:
        from fastml.kernels.tree import boosting as kern

        loss = self._loss
        K = self.n_trees_per_iteration_
        n_samples = X.shape[0]
        do_oob = self.subsample < 1.0
        sample_mask = np.ones(n_samples, dtype=bool)
        n_inbag = max(1, int(self.subsample * n_samples))
        rng = self._rng
        grower = TreeGrower(X, self._tree_params(), getattr(self, "_tree_class", None))
        lr = float(self.learning_rate)
        y_int = y.astype(np.int64) if loss.name == "multinomial" else None
        class_targets = (
            [np.ascontiguousarray(y_int == k, dtype=np.float64) for k in range(K)]
            if y_int is not None
            else None
        )

        if self.n_iter_no_change is not None:
            assert X_val is not None and y_val is not None and sw_val is not None
            loss_history = np.full(self.n_iter_no_change, np.inf)
            val_raw = self._init_raw(X_val)
            if begin_at_stage > 0:
                self._packed_for(begin_at_stage).add_stages(
                    X_val, val_raw, 0, begin_at_stage
                )

        start_time = time.time()
        if self.verbose:
            header = "      Iter       Train Loss"
            if do_oob:
                header += "      OOB Improve"
            logger.info(header + "   Remaining Time")

        initial_loss = np.nan
        n_threads = min(self._n_threads(), K)
        pool = ThreadPoolExecutor(n_threads) if n_threads > 1 else None
        i = begin_at_stage
        try:
            for i in range(begin_at_stage, self.n_estimators):
                if do_oob:
                    sample_mask = _random_sample_mask(n_samples, n_inbag, rng)
                    if i == 0:
                        oob = ~sample_mask
                        initial_loss = loss(y[oob], raw[oob], sample_weight[oob])

                # -- one round: K trees -------------------------------------------------
                if loss.name == "huber":
                    loss.set_delta(y, raw, sample_weight)
                neg_grad = loss.negative_gradient(y, raw)
                tree_weight = sample_weight * sample_mask if do_oob else sample_weight
                seeds = [int(rng.randint(0, _RAND_R_MAX)) for _ in range(K)]

                def fit_tree(
                    k: int,
                    neg_grad: np.ndarray = neg_grad,
                    tree_weight: np.ndarray = tree_weight,
                    seeds: list[int] = seeds,
                    sample_mask: np.ndarray = sample_mask,
                ) -> Any:
                    # Tree k of the round: grown on column k of the gradient, its leaves
                    # rewritten, column k of raw updated (columns are independent, so
                    # the K trees of a multiclass round may run on separate threads).
                    target = np.ascontiguousarray(neg_grad[:, k])
                    tree, leaf = grower.grow(target, tree_weight, seeds[k])
                    value = tree.tree_.value
                    if loss.name != "squared_error":
                        node_values = np.ascontiguousarray(
                            value[:, 0, 0], dtype=np.float64
                        )
                        line_leaf = leaf.copy() if do_oob else leaf
                        if do_oob:
                            line_leaf[~sample_mask] = -1
                        y_k = class_targets[k] if class_targets is not None else y
                        loss.leaf_values(
                            line_leaf,
                            y_k,
                            target,
                            np.ascontiguousarray(raw[:, k]),
                            tree_weight,
                            node_values.shape[0],
                            node_values,
                        )
                        leaves = np.asarray(tree.tree_.children_left) == -1
                        value[leaves, 0, 0] = node_values[leaves]
                    kern.add_leaf_values(
                        raw, k, leaf, np.ascontiguousarray(value[:, 0, 0]), lr
                    )
                    return tree

                if pool is not None:
                    trees = list(pool.map(fit_tree, range(K)))
                else:
                    trees = [fit_tree(k) for k in range(K)]
                for k, tree in enumerate(trees):
                    self.estimators_[i, k] = tree

                # -- scores ---------------------------------------------------------------
                if do_oob:
                    inbag, oob = sample_mask, ~sample_mask
                    self.train_score_[i] = loss(
                        y[inbag], raw[inbag], sample_weight[inbag]
                    )
                    self.oob_scores_[i] = loss(y[oob], raw[oob], sample_weight[oob])
                    previous = initial_loss if i == 0 else self.oob_scores_[i - 1]
                    self.oob_improvement_[i] = previous - self.oob_scores_[i]
                    self.oob_score_ = self.oob_scores_[-1]
                else:
                    self.train_score_[i] = loss(y, raw, sample_weight)

                if self.verbose:
                    self._log_round(i, begin_at_stage, start_time, do_oob)

                if monitor is not None and monitor(i, self, locals()):
                    break

                if self.n_iter_no_change is not None:
                    assert (
                        y_val is not None and sw_val is not None and X_val is not None
                    )
                    self._add_stage_raw(X_val, val_raw, i)
                    validation_loss = loss(y_val, val_raw, sw_val)
                    if np.any(validation_loss + self.tol < loss_history):
                        loss_history[i % len(loss_history)] = validation_loss
                    else:
                        break
        finally:
            if pool is not None:
                pool.shutdown()
        return i + 1

    def _log_round(self, i: int, begin: int, start_time: float, do_oob: bool) -> None:
        done = i - begin + 1
        if self.verbose == 1 and done > 10 and done % 10 ** int(np.log10(done)) != 0:
            return
        remaining = (self.n_estimators - (i + 1)) * (time.time() - start_time) / done
        left = f"{remaining / 60:.2f}m" if remaining > 60 else f"{remaining:.2f}s"
        line = f"{i + 1:>10d} {self.train_score_[i]:>16.4f}"
        if do_oob:
            line += f" {self.oob_improvement_[i]:>16.4f}"
        logger.info(line + f" {left:>16s}")

    # -- prediction -------------------------------------------------------------------
    def _n_threads(self) -> int:
        return resolve_n_jobs(self.n_jobs)

    def _packed_for(self, n_stages: int) -> PackedEnsemble:
        """The packed trees of the first ``n_stages`` rounds (cached for all)."""
        packed = getattr(self, "_packed", None)
        if packed is None or packed.n_stages != n_stages:
            packed = PackedEnsemble(
                self.estimators_[:n_stages], float(self.learning_rate)
            )
        return packed

    def _add_stage_raw(self, X: np.ndarray, out: np.ndarray, i: int) -> None:
        """out += round i's trees (during fit: the trees are not packed yet)."""
        stage = PackedEnsemble(self.estimators_[i : i + 1], float(self.learning_rate))
        stage.add_stages(X, out, 0, 1, self._n_threads())

    def _init_raw(self, X: np.ndarray) -> np.ndarray:
        if isinstance(self.init_, str) and self.init_ == "zero":
            return np.zeros((X.shape[0], self.n_trees_per_iteration_), dtype=np.float64)
        return init_raw_from_estimator(X, self.init_, self._loss)

    def _validate_X(self, X: Any) -> np.ndarray:
        self._check_initialized()
        return validate_data(self, X, dtype=np.float32, reset=False)

    def _check_initialized(self) -> None:
        check_is_fitted(self)

    def _raw_predict(self, X: np.ndarray, n_stages: int | None = None) -> np.ndarray:
        """Raw predictions (n, K) of validated float32 rows."""
        check_is_fitted(self)
        n_stages = self.estimators_.shape[0] if n_stages is None else n_stages
        raw = np.ascontiguousarray(self._init_raw(X))
        if n_stages > 0:
            self._packed_for(n_stages).add_stages(
                X, raw, 0, n_stages, self._n_threads()
            )
        return raw

    def _staged_raw_predict(self, X: Any) -> Iterator[np.ndarray]:
        X = self._validate_X(X)
        raw = np.ascontiguousarray(self._init_raw(X))
        packed = self._packed_for(self.estimators_.shape[0])
        for i in range(self.estimators_.shape[0]):
            packed.add_stages(X, raw, i, i + 1, self._n_threads())
            yield raw.copy()

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean decrease of squared error brought by each feature, averaged over
        the trees that split at least once and normalized to sum to one (zeros when
        no tree splits).

        Returns
        -------
        ndarray of shape (n_features,)
        """
        self._check_initialized()
        relevant = [
            tree
            for stage in self.estimators_
            for tree in stage
            if tree.tree_.node_count > 1
        ]
        if not relevant:
            return np.zeros(self.n_features_in_, dtype=np.float64)
        per_tree = [tree_feature_importances(t, self.n_features_in_) for t in relevant]
        mean = np.asarray(np.mean(per_tree, axis=0, dtype=np.float64))
        return np.asarray(mean / np.sum(mean))

    def apply(self, X: Any) -> np.ndarray:
        """Leaf index of each row in each tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_estimators, K) (classifier) or
        (n_samples, n_estimators) (regressor)
            Node ids (as floats, like the reference) of the leaves reached.
        """
        X = self._validate_X(X)
        n_stages, K = self.estimators_.shape
        leaves = self._packed_for(n_stages).apply(X, self._n_threads())
        return leaves.reshape(X.shape[0], n_stages, K).astype(np.float64)
