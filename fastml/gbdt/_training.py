"""The boosting loop of GBDTRegressor / GBDTClassifier (fastml/gbdt/_gbdt.py).

One round = one tree per output group: gradients and hessians of the objective at
the current margins (fastml/gbdt/_objectives.py) as float32 pairs; rows sampled
(``subsample``, Bernoulli per row) and features (``colsample_bytree``); each tree
grown in one compiled call (kernels/gbdt/grow.py: ``grow_tree_scan`` for depthwise
trees, ``grow_tree`` for lossguide or very deep ones; quantile bins from
fastml/gbdt/_binning.py) or by the exact greedy builder (kernels/gbdt/exact.py);
training margins receive the leaf values; eval sets are updated incrementally
(binned prediction of the new tree), metrics logged, early stopping checked.
"""

from __future__ import annotations

import logging
import math
import sys
from typing import Any

import numpy as np

from fastml.gbdt._metrics import Metric
from fastml.gbdt._objectives import Objective

__all__ = ["fit_trees", "TREE_KEYS", "TREE_DTYPES"]

logger = logging.getLogger("fastml.gbdt")

TREE_KEYS = (
    "feature",
    "threshold",
    "default_left",
    "left",
    "right",
    "value",
    "gain",
    "cover",
)
TREE_DTYPES = {
    "feature": np.int32,
    "threshold": np.float64,
    "default_left": np.uint8,
    "left": np.int32,
    "right": np.int32,
    "value": np.float64,
    "gain": np.float64,
    "cover": np.float64,
}
#: Largest per-thread histogram memory (bytes, all threads) of a level for the
#: row-scan grower; deeper depthwise trees use the row-index grower.
_SCAN_MAX_BYTES = 64 * 2**20
#: Below this many rows (x trees) prediction runs on one thread.


def fit_trees(
    est: Any,
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
        out = {key: np.empty(capacity, dtype=TREE_DTYPES[key]) for key in TREE_KEYS}
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
    gh = np.empty((k_groups, n_samples, 2), dtype=np.float32 if hist else np.float64)
    raw = np.empty((n_samples, k_groups), dtype=np.float64)
    raw[:] = est.base_margin_
    for ev in evals:
        ev["raw"] = np.empty((ev["X"].shape[0], k_groups))
        ev["raw"][:] = est.base_margin_
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
    progress = _Progress(p["n_estimators"], bool(est.verbose))
    verbose_every = int(est.verbose) if not isinstance(est.verbose, bool) else 1

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
            if hist:
                if scan:
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
                else:
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
                tree = {key: out[key][:n_nodes].copy() for key in TREE_KEYS}
                split_bin = out["split_bin"][:n_nodes].copy()
                # The row-scan grower routes left-out rows itself; the index
                # grower only sees the sampled rows.
                targets = [(ev["bins"], ev["rows"], ev["raw"]) for ev in evals]
                if not scan and left_out is not None:
                    targets.append((bins, left_out, raw))
                for target_bins, target_rows, target_raw in targets:
                    _predict_binned(
                        target_bins,
                        target_rows,
                        tree,
                        split_bin,
                        mapper.missing_bin,
                        target_raw,
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
                    key: np.ascontiguousarray(a, dtype=TREE_DTYPES[key])
                    for key, a in zip(TREE_KEYS, arrays)
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
            pred = est._metric_pred(objective.transform(ev["raw"]))
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
        if est.verbose and (
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

    est.trees_ = _concat_trees(trees)
    est.n_rounds_ = rounds_done
    est.evals_result_ = evals_result
    if evals:
        est.best_iteration_ = best_iteration
        est.best_score_ = best_score
    else:
        est.best_iteration_ = rounds_done - 1
        est.best_score_ = math.nan
    est._use_best = p["early_stopping_rounds"] is not None
    est._pack()


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
            TREE_DTYPES[key], copy=False
        )
        for key in TREE_KEYS
    }
    sizes = np.array([t["feature"].shape[0] for t in trees], dtype=np.int64)
    out["tree_ptr"] = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return out
