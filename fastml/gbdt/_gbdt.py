"""The shared machinery of GBDTRegressor and GBDTClassifier (fastml/gbdt/_estimators.py).

``_BaseGBDT`` holds XGBoost's parameters and their validation, ``fit`` (input
validation, objective, eval sets, initial margin; the boosting loop itself is
fastml/gbdt/_training.py), prediction (packed trees, kernels/tree/predict.py),
staged prediction, ``apply``, feature importances and the model files
(fastml/gbdt/_model_io.py). The trees are kept as flat arrays (``trees_``, the format
of kernels/tree/predict.py).
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import BaseEstimator
from fastml.gbdt._metrics import Metric, resolve_metrics
from fastml.gbdt._objectives import Objective, make_objective
from fastml.utils.validation import (
    check_is_fitted,
    check_sample_weight,
    validate_data,
)

__all__ = ["AUTO_EXACT_MAX_ROWS"]

logger = logging.getLogger("fastml.gbdt")

_IMPORTANCE_TYPES = ("gain", "weight", "cover", "total_gain", "total_cover")
#: tree_method="auto" grows exact trees up to this many rows, histogram trees above.
AUTO_EXACT_MAX_ROWS = 10_000
_PARALLEL_PREDICT_ROWS = 2048


_FLOAT_TYPES = (np.dtype(np.float64), np.dtype(np.float32))
_KERNELS: dict[str, Any] = {}


def _kernel(name: str) -> Any:
    """A prediction kernel, imported on first use (importing fastml.gbdt loads no
    compiled module) and cached (single-row latency)."""
    func = _KERNELS.get(name)
    if func is None:
        from fastml.kernels.tree import predict

        func = _KERNELS[name] = getattr(predict, name)
    return func


def _check_fitted(est: Any) -> None:
    check_is_fitted(est, "trees_")


def _check_real(
    value: Any,
    name: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    v = float(value)
    if math.isnan(v):
        raise ValueError(f"{name} must not be NaN.")
    if low is not None and (v <= low if low_open else v < low):
        raise ValueError(
            f"{name} == {value}, must be {'>' if low_open else '>='} {low}."
        )
    if high is not None and (v >= high if high_open else v > high):
        raise ValueError(
            f"{name} == {value}, must be {'<' if high_open else '<='} {high}."
        )
    return v


def _check_int(
    value: Any, name: str, low: int | None = None, high: int | None = None
) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}.")
    v = int(value)
    if low is not None and v < low:
        raise ValueError(f"{name} == {value}, must be >= {low}.")
    if high is not None and v > high:
        raise ValueError(f"{name} == {value}, must be <= {high}.")
    return v


class _BaseGBDT(BaseEstimator):
    """Shared parameters, fit loop, prediction, importances and model files."""

    _classifier = False
    # Fitted state (set by fit / load_model; fastml/gbdt/_training.py fills most).
    n_features_in_: int
    trees_: dict[str, np.ndarray]
    n_rounds_: int
    best_iteration_: int
    best_score_: float
    evals_result_: dict[str, dict[str, list[float]]]
    _use_best: bool
    _packed: dict[str, Any]

    def __init__(
        self,
        *,
        n_estimators: int = 100,
        learning_rate: float = 0.3,
        max_depth: int = 6,
        max_leaves: int = 0,
        grow_policy: str = "depthwise",
        min_child_weight: float = 1.0,
        reg_lambda: float = 1.0,
        reg_alpha: float = 0.0,
        gamma: float = 0.0,
        max_delta_step: float | None = None,
        max_bin: int = 255,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        base_score: float | None = None,
        objective: Any = None,
        tree_method: str = "hist",
        n_jobs: int | None = None,
        random_state: int | None = None,
        early_stopping_rounds: int | None = None,
        eval_metric: Any = None,
        verbose: bool | int = False,
        importance_type: str = "gain",
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.max_leaves = max_leaves
        self.grow_policy = grow_policy
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.reg_alpha = reg_alpha
        self.gamma = gamma
        self.max_delta_step = max_delta_step
        self.max_bin = max_bin
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.base_score = base_score
        self.objective = objective
        self.tree_method = tree_method
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping_rounds = early_stopping_rounds
        self.eval_metric = eval_metric
        self.verbose = verbose
        self.importance_type = importance_type

    # ------------------------------------------------------------------ params

    def _check_params(self) -> dict[str, Any]:
        p: dict[str, Any] = {}
        p["n_estimators"] = _check_int(self.n_estimators, "n_estimators", 1)
        p["learning_rate"] = _check_real(
            self.learning_rate, "learning_rate", 0.0, low_open=True
        )
        p["max_depth"] = _check_int(self.max_depth, "max_depth", 0, 63)
        p["max_leaves"] = _check_int(self.max_leaves, "max_leaves", 0)
        if self.grow_policy not in ("depthwise", "lossguide"):
            raise ValueError(
                "grow_policy must be 'depthwise' or 'lossguide', got "
                f"{self.grow_policy!r}."
            )
        p["lossguide"] = self.grow_policy == "lossguide"
        if p["max_depth"] == 0 and not (p["lossguide"] and p["max_leaves"] > 0):
            raise ValueError(
                "max_depth=0 (no depth limit) needs grow_policy='lossguide' and "
                "max_leaves > 0."
            )
        if p["max_leaves"] == 1:
            raise ValueError("max_leaves == 1, must be 0 (no limit) or >= 2.")
        p["min_child_weight"] = _check_real(
            self.min_child_weight, "min_child_weight", 0.0
        )
        p["reg_lambda"] = _check_real(self.reg_lambda, "reg_lambda", 0.0)
        p["reg_alpha"] = _check_real(self.reg_alpha, "reg_alpha", 0.0)
        p["gamma"] = _check_real(self.gamma, "gamma", 0.0)
        p["max_delta_step"] = (
            None
            if self.max_delta_step is None
            else _check_real(self.max_delta_step, "max_delta_step", 0.0)
        )
        if (
            isinstance(self.max_bin, bool)
            or not isinstance(self.max_bin, numbers.Integral)
            or not 2 <= int(self.max_bin) <= 65535
        ):
            raise ValueError(
                "max_bin must be an integer in the range [2, 65535], got "
                f"{self.max_bin!r}."
            )
        p["max_bin"] = int(self.max_bin)
        p["subsample"] = _check_real(
            self.subsample, "subsample", 0.0, 1.0, low_open=True
        )
        p["colsample_bytree"] = _check_real(
            self.colsample_bytree, "colsample_bytree", 0.0, 1.0, low_open=True
        )
        p["base_score"] = (
            None
            if self.base_score is None
            else _check_real(self.base_score, "base_score")
        )
        if self.tree_method not in ("hist", "exact", "auto"):
            raise ValueError(
                f"tree_method must be 'hist', 'exact' or 'auto', got {self.tree_method!r}."
            )
        p["n_threads"] = resolve_n_jobs(self.n_jobs)
        p["early_stopping_rounds"] = (
            None
            if self.early_stopping_rounds is None
            else _check_int(self.early_stopping_rounds, "early_stopping_rounds", 1)
        )
        if (
            not isinstance(self.verbose, (bool, numbers.Integral))
            or int(self.verbose) < 0
        ):
            raise ValueError(
                f"verbose must be a bool or an int >= 0, got {self.verbose!r}."
            )
        if self.importance_type not in _IMPORTANCE_TYPES:
            raise ValueError(
                f"importance_type must be one of {list(_IMPORTANCE_TYPES)}, got "
                f"{self.importance_type!r}."
            )
        if self.random_state is None:
            p["seed"] = 0  # XGBoost's default seed: deterministic fits
        elif isinstance(self.random_state, np.random.RandomState):
            p["seed"] = int(self.random_state.randint(0, 2**31 - 1))
        else:
            p["seed"] = _check_int(self.random_state, "random_state", 0)
        return p

    def _allow_nan_input(self) -> bool:
        return True

    # ------------------------------------------------------------------ targets

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        """Targets as float64 (regression) or class indices (classification)."""
        raise NotImplementedError

    def _encode_eval_y(self, y: Any) -> np.ndarray:
        raise NotImplementedError

    def _n_classes(self) -> int:
        return 0

    # ------------------------------------------------------------------ fit

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        eval_set: Any = None,
        sample_weight_eval_set: Any = None,
    ) -> _BaseGBDT:
        """Fit the boosted trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN is a missing value (learned default direction),
            infinity is an error.
        y : array-like of shape (n_samples,)
            Targets (class labels for the classifier).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.
        eval_set : list of (X, y) pairs, default=None
            Validation sets evaluated after each round (``evals_result_``); the last
            one's last metric drives early stopping.
        sample_weight_eval_set : list of array-like, default=None
            Weights of the eval sets.

        Returns
        -------
        self
        """
        p = self._check_params()
        X, y = validate_data(
            self,
            X,
            y,
            dtype=(np.float32, np.float64),
            order="C",
            ensure_all_finite="allow-nan",
            y_numeric=not self._classifier,
        )
        n_samples, n_features = X.shape
        if n_samples >= 2**31 - 1:
            raise ValueError("fastml.gbdt supports fewer than 2**31 - 1 samples.")
        y_enc = self._encode_y(y)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, n_samples, dtype=np.float64)
        objective = make_objective(
            self.objective, classifier=self._classifier, n_classes=self._n_classes()
        )
        objective.check_target(y_enc)
        task = (
            "reg"
            if not self._classifier
            else ("multi" if objective.n_groups > 1 else "binary")
        )
        metrics = resolve_metrics(self.eval_metric, objective.default_metric, task)
        evals = self._prepare_eval_sets(eval_set, sample_weight_eval_set)
        if p["early_stopping_rounds"] is not None and not evals:
            raise ValueError(
                "Must have at least 1 validation dataset for early stopping."
            )

        tree_method = self.tree_method
        if tree_method == "auto":
            tree_method = "exact" if n_samples <= AUTO_EXACT_MAX_ROWS else "hist"
        mds = p["max_delta_step"]
        if mds is None:
            mds = 0.0 if tree_method == "exact" else objective.default_max_delta_step
        elif mds > 0 and tree_method == "exact":
            raise ValueError(
                "max_delta_step > 0 is not supported with tree_method='exact'."
            )
        p["max_delta_step"] = mds

        base = objective.initial_margin(y_enc, w, p["base_score"])
        if not np.all(np.isfinite(base)):
            raise ValueError("The initial margin (base_score) is not finite.")
        self.tree_method_ = tree_method
        self.objective_ = objective.name
        self.base_margin_ = np.asarray(base, dtype=np.float64)
        self.n_groups_ = objective.n_groups
        self.max_delta_step_ = mds
        self._fit_trees(X, y_enc, w, objective, metrics, evals, p, tree_method)
        return self

    def _prepare_eval_sets(self, eval_set: Any, weights: Any) -> list[dict[str, Any]]:
        if eval_set is None:
            return []
        if not isinstance(eval_set, (list, tuple)):
            raise TypeError("eval_set must be a list of (X, y) tuples.")
        if weights is not None and len(weights) != len(eval_set):
            raise ValueError(
                "sample_weight_eval_set must have one entry per eval_set entry."
            )
        out = []
        for i, item in enumerate(eval_set):
            if not isinstance(item, (list, tuple)) or len(item) != 2:
                raise TypeError(
                    f"eval_set[{i}] must be an (X, y) tuple, got {type(item).__name__}."
                )
            Xe = validate_data(
                self,
                item[0],
                reset=False,
                dtype=(np.float32, np.float64),
                order="C",
                ensure_all_finite="allow-nan",
            )
            ye = self._encode_eval_y(item[1])
            if ye.shape[0] != Xe.shape[0]:
                raise ValueError(
                    f"eval_set[{i}]: X has {Xe.shape[0]} rows but y has {ye.shape[0]}."
                )
            we = None
            if weights is not None and weights[i] is not None:
                we = check_sample_weight(weights[i], Xe.shape[0], dtype=np.float64)
            out.append({"name": f"validation_{i}", "X": Xe, "y": ye, "w": we})
        return out

    def _fit_trees(
        self,
        X: np.ndarray,
        y: np.ndarray,
        w: np.ndarray | None,
        objective: Objective,
        metrics: list[Metric],
        evals: list[dict[str, Any]],
        p: dict[str, Any],
        tree_method: str,
    ) -> None:
        from fastml.gbdt._training import fit_trees

        fit_trees(self, X, y, w, objective, metrics, evals, p, tree_method)

    def _metric_pred(self, pred: np.ndarray) -> np.ndarray:
        return pred

    # ------------------------------------------------------------------ predict

    def _check_X_predict(self, X: Any) -> tuple[np.ndarray, bool]:
        """Validated X, and whether the infinity check is left to the kernel."""
        _check_fitted(self)
        # Fast path for small canonical arrays (single-row latency): validate_data's
        # checks without its conversions; the kernel rejects infinite values.
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in _FLOAT_TYPES
            and X.flags.c_contiguous
            and 0 < X.shape[0] <= 64
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
        ):
            return X, True
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=(np.float32, np.float64),
            order="C",
            ensure_all_finite="allow-nan",
        )
        return X, False

    def _n_trees_used(self, iteration_range: Any) -> int:
        k = self.n_groups_
        if iteration_range is None:
            rounds = self.best_iteration_ + 1 if self._use_best else self.n_rounds_
            return rounds * k
        start, stop = iteration_range
        if start != 0:
            raise ValueError("iteration_range must start at 0.")
        stop = _check_int(stop, "iteration_range[1]", 0, self.n_rounds_)
        return (stop if stop > 0 else self.n_rounds_) * k

    def _pack(self) -> None:
        """Prepare the prediction layout of ``trees_`` (kernels/tree/predict.py
        ``pack_trees``): done at the end of fit and load, never in predict."""
        from fastml.kernels.tree.predict import pack_trees

        t = self.trees_
        self._packed = pack_trees(
            t["feature"],
            t["threshold"],
            t["default_left"],
            t["left"],
            t["right"],
            t["value"],
            t["tree_ptr"],
        )

    def _predict_threads(self, n_rows: int, n_trees: int) -> int:
        if n_rows * max(n_trees, 1) >= _PARALLEL_PREDICT_ROWS * 100:
            return resolve_n_jobs(self.n_jobs)
        return 1

    def _raw_predict(self, X: Any, iteration_range: Any = None) -> np.ndarray:
        X, check_inf = self._check_X_predict(X)
        if iteration_range is None:
            rounds = self.best_iteration_ + 1 if self._use_best else self.n_rounds_
            n_trees = rounds * self.n_groups_
        else:
            n_trees = self._n_trees_used(iteration_range)
        n = X.shape[0]
        if self.n_groups_ == 1:
            out = np.full((n, 1), self.base_margin_[0])
        else:
            out = np.empty((n, self.n_groups_))
            out[:] = self.base_margin_
        n_threads = (
            1
            if n * n_trees < _PARALLEL_PREDICT_ROWS * 100
            else (resolve_n_jobs(self.n_jobs))
        )
        if _kernel("predict_packed")(
            X, self._packed, self.n_groups_, 0, n_trees, out, n_threads, None, check_inf
        ):
            raise ValueError(
                f"Input X contains infinity or a value too large for {X.dtype!r}."
            )
        return out

    def _staged_raw(self, X: Any) -> Iterator[np.ndarray]:
        X, check_inf = self._check_X_predict(X)
        predict_packed = _kernel("predict_packed")
        k = self.n_groups_
        out = np.empty((X.shape[0], k), dtype=np.float64)
        out[:] = self.base_margin_
        n_rounds = self.best_iteration_ + 1 if self._use_best else self.n_rounds_
        n_threads = self._predict_threads(X.shape[0], k)
        for r in range(n_rounds):
            if predict_packed(
                X, self._packed, k, r * k, (r + 1) * k, out, n_threads, None, check_inf
            ):
                raise ValueError(
                    f"Input X contains infinity or a value too large for {X.dtype!r}."
                )
            yield out

    def apply(self, X: Any) -> np.ndarray:
        """Leaf index (within its tree) reached by each row in each tree.

        Returns
        -------
        ndarray of shape (n_samples, n_trees), int32
        """
        from fastml.kernels.tree.predict import predict_leaf

        _check_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=(np.float32, np.float64),
            order="C",
            ensure_all_finite="allow-nan",
        )
        t = self.trees_
        n_trees = t["tree_ptr"].shape[0] - 1
        out = np.empty((X.shape[0], n_trees), dtype=np.int32)
        predict_leaf(
            X,
            t["feature"],
            t["threshold"],
            t["default_left"],
            t["left"],
            t["right"],
            t["tree_ptr"],
            n_trees,
            out,
            n_threads=resolve_n_jobs(self.n_jobs),
        )
        return out

    # ------------------------------------------------------------------ importances

    @property
    def feature_importances_(self) -> np.ndarray:
        """Importance of each feature, normalised to sum to 1 (zeros if no split).

        ``importance_type``: "weight" (number of splits on the feature), "gain"
        (average gain of its splits), "cover" (average cover of its splits),
        "total_gain", "total_cover" (sums), as XGBoost, over all trees.
        """
        _check_fitted(self)
        t = self.trees_
        internal = t["feature"] >= 0
        feat = t["feature"][internal].astype(np.int64)
        n = self.n_features_in_
        count = np.bincount(feat, minlength=n).astype(np.float64)
        kind = self.importance_type
        imp: np.ndarray
        if kind == "weight":
            imp = count
        else:
            source = t["gain"] if "gain" in kind else t["cover"]
            total = np.bincount(feat, weights=source[internal], minlength=n)
            if kind.startswith("total"):
                imp = total
            else:
                imp = np.divide(total, count, out=np.zeros(n), where=count > 0)
        s = imp.sum()
        return imp / s if s > 0 else imp

    # ------------------------------------------------------------------ model files

    def save_model(self, path: Any) -> None:
        """Write the fitted model to a JSON file (format: fastml/gbdt/_model_io.py).

        Parameters
        ----------
        path : str or path-like
        """
        from fastml.gbdt._model_io import dump_model

        _check_fitted(self)
        dump_model(self, path)

    def load_model(self, path: Any) -> _BaseGBDT:
        """Replace this estimator's parameters and fitted state by a saved model's.

        The file is fully validated (format, version, checksum, tree structure)
        before anything is changed; a truncated or modified file raises ValueError.

        Returns
        -------
        self
        """
        from fastml.gbdt._model_io import read_model

        read_model(path, into=self)
        return self

    # ------------------------------------------------------------------ misc

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "trees_")

    @classmethod
    def _test_instance(cls) -> _BaseGBDT:
        """A small instance for scikit-learn's estimator checks (fast, still fits)."""
        return cls(n_estimators=10, learning_rate=0.3, max_bin=63)
