"""GBDTRegressor and GBDTClassifier: XGBoost-style gradient boosting on fastml kernels.

The fit loop (one round = one tree per output group):

1. gradients and hessians of the objective at the current margins
   (fastml/gbdt/_objectives.py, fastml.losses kernels), as float32 pairs;
2. rows sampled (``subsample``, Bernoulli per row) and features (``colsample_bytree``);
3. one tree per group, grown in one compiled call (kernels/gbdt/grow.py,
   ``tree_method="hist"``: quantile bins from fastml/gbdt/_binning.py) or by the
   exact greedy builder (kernels/gbdt/exact.py, ``tree_method="exact"``); the
   training margins receive the leaf values;
4. eval sets are updated incrementally (binned prediction of the new tree), the
   metrics logged, and early stopping checked.

The trees are kept as flat arrays (``trees_``, the format of kernels/tree/predict.py)
and predicted by the Cython prediction kernel.
"""

from __future__ import annotations

import logging
import math
import numbers
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import BaseEstimator, ClassifierMixin, RegressorMixin
from fastml.gbdt._metrics import Metric, resolve_metrics
from fastml.gbdt._objectives import Objective, make_objective
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import (
    check_array,
    check_sample_weight,
    column_or_1d,
    validate_data,
)

__all__ = ["GBDTRegressor", "GBDTClassifier"]

logger = logging.getLogger("fastml.gbdt")

_TREE_KEYS = (
    "feature",
    "threshold",
    "default_left",
    "left",
    "right",
    "value",
    "gain",
    "cover",
)
_TREE_DTYPES = {
    "feature": np.int32,
    "threshold": np.float64,
    "default_left": np.uint8,
    "left": np.int32,
    "right": np.int32,
    "value": np.float64,
    "gain": np.float64,
    "cover": np.float64,
}
_IMPORTANCE_TYPES = ("gain", "weight", "cover", "total_gain", "total_cover")
#: tree_method="auto" grows exact trees up to this many rows, histogram trees above.
AUTO_EXACT_MAX_ROWS = 10_000
#: Largest per-thread histogram memory (bytes, all threads) of a level for the
#: row-scan grower; deeper depthwise trees use the row-index grower.
_SCAN_MAX_BYTES = 64 * 2**20
#: Below this many rows (x trees) prediction runs on one thread.
_PARALLEL_PREDICT_ROWS = 2048


_NOT_FITTED_CLASSES: dict[Any, type] = {}
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


def _not_fitted(est: Any) -> Exception:
    """fastml's NotFittedError; when scikit-learn is already imported, an error that
    is also scikit-learn's NotFittedError (its estimator checks test for that class),
    without importing scikit-learn."""
    from fastml.exceptions import NotFittedError

    msg = (
        f"This {type(est).__name__} instance is not fitted yet. Call 'fit' with "
        "appropriate arguments before using this estimator."
    )
    sk = sys.modules.get("sklearn.exceptions")
    sk_cls = getattr(sk, "NotFittedError", None) if sk is not None else None
    if sk_cls is None or issubclass(NotFittedError, sk_cls):
        return NotFittedError(msg)
    cls = _NOT_FITTED_CLASSES.get(sk_cls)
    if cls is None:
        cls = type("NotFittedError", (NotFittedError, sk_cls), {})
        _NOT_FITTED_CLASSES[sk_cls] = cls
    return cls(msg)


def _check_fitted(est: Any) -> None:
    if not hasattr(est, "trees_"):
        raise _not_fitted(est)


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
    n_features_in_: int

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
        from fastml.kernels.tree.predict import predict_raw

        n_samples, n_features = X.shape
        k_groups = objective.n_groups
        n_threads = p["n_threads"]
        rng = np.random.default_rng(p["seed"])
        hist = tree_method == "hist"
        lossguide = p["lossguide"]
        max_depth = p["max_depth"]
        max_leaves = p["max_leaves"]

        # Node capacity of one tree.
        leaves = 2**max_depth if max_depth > 0 else max_leaves
        if max_leaves > 0:
            leaves = min(leaves, max_leaves)
        leaves = max(1, min(leaves, n_samples))
        capacity = 2 * leaves - 1

        if hist:
            from fastml.gbdt._binning import BinMapper
            from fastml.kernels.gbdt.grow import GrowWorkspace
            from fastml.kernels.hist.build import hist_stride

            mapper = BinMapper(max_bin=p["max_bin"], n_threads=n_threads)
            mapper.fit(X, w)
            bins = mapper.transform(X)
            n_bins = (np.diff(mapper.cut_ptr) + 1).astype(np.int32)
            stride = hist_stride(p["max_bin"])
            workspace = GrowWorkspace(
                n_features, stride, n_threads, n_slots=min(max(2, leaves // 2 + 1), 64)
            )
            grow_params = np.array(
                [
                    p["reg_lambda"],
                    p["reg_alpha"],
                    p["min_child_weight"],
                    p["max_delta_step"],
                    p["gamma"],
                    p["learning_rate"],
                ],
                dtype=np.float64,
            )
            out = {
                key: np.empty(capacity, dtype=_TREE_DTYPES[key]) for key in _TREE_KEYS
            }
            out["split_bin"] = np.empty(capacity, dtype=np.int32)
            # Depthwise trees grow by row scans (kernels/gbdt/grow.py
            # grow_tree_scan: a node per row, no row index) unless the per-thread
            # histograms of a level would be large; lossguide trees use the index.
            per_level = 2 ** max(max_depth - 2, 0) if max_depth > 0 else 0
            scan = (
                not lossguide
                and max_depth > 0
                and per_level * n_threads * workspace.hist_size * 8 <= _SCAN_MAX_BYTES
            )
            if scan:
                pos = np.empty(n_samples, dtype=np.int32)
            else:
                idx = np.empty(n_samples, dtype=np.int32)
                tmp = np.empty(n_samples, dtype=np.int32)
            for ev in evals:
                ev["bins"] = mapper.transform(ev["X"])
                ev["rows"] = np.arange(ev["X"].shape[0], dtype=np.int32)
        else:
            from fastml.kernels.gbdt.exact import build_exact_tree, presort_columns

            X64 = np.ascontiguousarray(X, dtype=np.float64)
            presorted = presort_columns(X64)
        gh = np.empty(
            (k_groups, n_samples, 2), dtype=np.float32 if hist else np.float64
        )
        raw = np.empty((n_samples, k_groups), dtype=np.float64)
        raw[:] = self.base_margin_
        for ev in evals:
            ev["raw"] = np.empty((ev["X"].shape[0], k_groups))
            ev["raw"][:] = self.base_margin_
        if hist:
            from fastml.kernels.gbdt.grow import fill_arange
        all_features = np.arange(n_features, dtype=np.int32)
        n_colsample = max(1, int(p["colsample_bytree"] * n_features))

        trees: list[dict[str, np.ndarray]] = []
        evals_result: dict[str, dict[str, list[float]]] = {
            ev["name"]: {m.name: [] for m in metrics} for ev in evals
        }
        best_score = math.nan
        best_iteration = 0
        rounds_done = 0
        progress = _Progress(p["n_estimators"], bool(self.verbose))
        verbose_every = int(self.verbose) if not isinstance(self.verbose, bool) else 1

        for it in range(p["n_estimators"]):
            objective.gradients(y, raw, w, gh, n_threads)
            rows: np.ndarray | None = None  # None: all rows
            left_out = None
            if p["subsample"] < 1.0:
                mask = rng.random(n_samples) < p["subsample"]
                if not mask.any():
                    mask[rng.integers(n_samples)] = True
                if not mask.all():
                    rows = np.flatnonzero(mask).astype(np.int32)
                    left_out = np.flatnonzero(~mask).astype(np.int32)
            for k in range(k_groups):
                feats: np.ndarray
                if n_colsample < n_features:
                    feats = np.sort(rng.choice(n_features, n_colsample, replace=False))
                    feats = feats.astype(np.int32)
                else:
                    feats = all_features
                if hist and scan:
                    if rows is None:
                        pos.fill(0)
                    else:
                        pos.fill(-1)
                        pos[rows] = 0
                    n_nodes = grow_scan_call(
                        bins,
                        gh[k],
                        pos,
                        feats,
                        feats is all_features,
                        n_bins,
                        mapper,
                        stride,
                        grow_params,
                        max_depth,
                        max_leaves,
                        workspace,
                        raw,
                        k,
                        out,
                    )
                    tree = {key: out[key][:n_nodes].copy() for key in _TREE_KEYS}
                    split_bin = out["split_bin"][:n_nodes].copy()
                    for ev in evals:
                        _predict_binned(
                            ev["bins"],
                            ev["rows"],
                            tree,
                            split_bin,
                            mapper.missing_bin,
                            ev["raw"],
                            k,
                            n_threads,
                        )
                elif hist:
                    if rows is None:
                        m = n_samples
                        fill_arange(idx)
                    else:
                        m = rows.shape[0]
                        idx[:m] = rows
                    n_nodes = grow_tree_call(
                        bins,
                        gh[k],
                        idx[:m],
                        tmp,
                        feats,
                        feats is all_features,
                        n_bins,
                        mapper,
                        stride,
                        grow_params,
                        max_depth,
                        max_leaves,
                        lossguide,
                        workspace,
                        raw,
                        k,
                        out,
                    )
                    tree = {key: out[key][:n_nodes].copy() for key in _TREE_KEYS}
                    split_bin = out["split_bin"][:n_nodes].copy()
                    if left_out is not None:
                        _predict_binned(
                            bins,
                            left_out,
                            tree,
                            split_bin,
                            mapper.missing_bin,
                            raw,
                            k,
                            n_threads,
                        )
                    for ev in evals:
                        _predict_binned(
                            ev["bins"],
                            ev["rows"],
                            tree,
                            split_bin,
                            mapper.missing_bin,
                            ev["raw"],
                            k,
                            n_threads,
                        )
                else:
                    g = np.ascontiguousarray(gh[k, :, 0])
                    h = np.ascontiguousarray(gh[k, :, 1])
                    arrays = build_exact_tree(
                        X64,
                        *presorted,
                        g,
                        h,
                        np.arange(n_samples, dtype=np.int64)
                        if rows is None
                        else rows.astype(np.int64),
                        feats.astype(np.int64),
                        max_depth,
                        max_leaves,
                        p["min_child_weight"],
                        p["reg_lambda"],
                        p["reg_alpha"],
                        p["gamma"],
                        p["learning_rate"],
                    )
                    tree = {
                        key: np.ascontiguousarray(a, dtype=_TREE_DTYPES[key])
                        for key, a in zip(_TREE_KEYS, arrays)
                    }
                    _predict_one_tree(predict_raw, X, tree, raw, k, n_threads)
                    for ev in evals:
                        _predict_one_tree(
                            predict_raw, ev["X"], tree, ev["raw"], k, n_threads
                        )
                trees.append(tree)
            rounds_done = it + 1

            # Evaluation, logging, early stopping.
            line = []
            for ev in evals:
                pred = self._metric_pred(objective.transform(ev["raw"]))
                for metric in metrics:
                    score = metric(ev["y"], pred, ev["w"])
                    evals_result[ev["name"]][metric.name].append(score)
                    line.append(f"{ev['name']}-{metric.name}:{score:.5f}")
            if evals:
                last = metrics[-1]
                score = evals_result[evals[-1]["name"]][last.name][-1]
                if it == 0 or last.better(score, best_score):
                    best_score = score
                    best_iteration = it
            if self.verbose and (
                it % max(verbose_every, 1) == 0 or it == p["n_estimators"] - 1
            ):
                logger.info("[%d]\t%s", it, "\t".join(line))
            progress.update(it + 1)
            if (
                p["early_stopping_rounds"] is not None
                and it - best_iteration >= p["early_stopping_rounds"]
            ):
                break
        progress.close()

        self.trees_ = _concat_trees(trees)
        self.n_rounds_ = rounds_done
        self.evals_result_ = evals_result
        if evals:
            self.best_iteration_ = best_iteration
            self.best_score_ = best_score
        else:
            self.best_iteration_ = rounds_done - 1
            self.best_score_ = math.nan
        self._use_best = p["early_stopping_rounds"] is not None
        self._pack()

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


class _Progress:
    """A one-line progress bar on stderr when verbose and stderr is a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()

    def update(self, done: int) -> None:
        if self.enabled:
            width = 30
            filled = int(width * done / max(self.total, 1))
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def grow_tree_call(
    bins,
    gh_k,
    idx,
    tmp,
    feats,
    all_features,
    n_bins,
    mapper,
    stride,
    grow_params,
    max_depth,
    max_leaves,
    lossguide,
    workspace,
    raw,
    k,
    out,
) -> int:
    from fastml.kernels.gbdt.grow import grow_tree

    return grow_tree(
        bins,
        gh_k,
        idx,
        tmp,
        feats,
        all_features,
        n_bins,
        mapper.cut_values,
        mapper.cut_ptr,
        mapper.missing_bin,
        stride,
        grow_params,
        max_depth,
        max_leaves,
        lossguide,
        workspace,
        raw,
        k,
        out["feature"],
        out["split_bin"],
        out["threshold"],
        out["default_left"],
        out["left"],
        out["right"],
        out["value"],
        out["gain"],
        out["cover"],
    )


def grow_scan_call(
    bins,
    gh_k,
    pos,
    feats,
    all_features,
    n_bins,
    mapper,
    stride,
    grow_params,
    max_depth,
    max_leaves,
    workspace,
    raw,
    k,
    out,
) -> int:
    from fastml.kernels.gbdt.grow import grow_tree_scan

    return grow_tree_scan(
        bins,
        gh_k,
        pos,
        feats,
        all_features,
        n_bins,
        mapper.cut_values,
        mapper.cut_ptr,
        mapper.missing_bin,
        stride,
        grow_params,
        max_depth,
        max_leaves,
        workspace,
        raw,
        k,
        out["feature"],
        out["split_bin"],
        out["threshold"],
        out["default_left"],
        out["left"],
        out["right"],
        out["value"],
        out["gain"],
        out["cover"],
    )


def _predict_binned(bins, rows, tree, split_bin, missing_bin, raw, k, n_threads):
    from fastml.kernels.gbdt.grow import predict_tree_binned

    predict_tree_binned(
        bins,
        rows,
        tree["feature"],
        split_bin,
        tree["default_left"],
        tree["left"],
        tree["right"],
        tree["value"],
        missing_bin,
        raw,
        k,
        n_threads=n_threads,
    )


def _predict_one_tree(predict_raw, X, tree, raw, k, n_threads):
    tmp = np.zeros((X.shape[0], 1))
    ptr = np.array([0, tree["feature"].shape[0]], dtype=np.int64)
    predict_raw(
        X,
        tree["feature"],
        tree["threshold"],
        tree["default_left"],
        tree["left"],
        tree["right"],
        tree["value"],
        ptr,
        1,
        1,
        tmp,
        n_threads=n_threads,
    )
    raw[:, k] += tmp[:, 0]


def _concat_trees(trees: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    out = {
        key: np.concatenate([t[key] for t in trees]).astype(
            _TREE_DTYPES[key], copy=False
        )
        for key in _TREE_KEYS
    }
    sizes = np.array([t["feature"].shape[0] for t in trees], dtype=np.int64)
    out["tree_ptr"] = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return out


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
